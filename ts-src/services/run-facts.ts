/**
 * The run report's facts (ts-src/report/types.ts `RunFacts`) from what the CCP service journalled: each cycle's
 * requirements, values at posting and holdings at close; each margin call from the escrow's events, with the deposits
 * and substitutions that answered it (valued at the prices of the cycle they fell in); the defaults with their
 * seizures and ports; and the collateral fees of the period (ts-src/fees), computed from the participants' holdings
 * at each end-of-day close: yen in the clearing house's trust (at the rate it publishes), JGB and US Treasury face
 * values, one instruction per US Treasury deposit or return. Pure: the caller reads the schedule and passes it in.
 */
import type { Hex, PublicClient } from "viem";

import { readCollateralMarket } from "../chain/collateral.ts";
import { accountName, readTokenInfo } from "../chain/escrow.ts";
import { assetHaircutValue, type Market, type ScheduledAsset, marketOf } from "../collateral/valuation.ts";
import { computeFees } from "../fees/fees.ts";
import type { FeeParticipant, FeesInput, Step } from "../fees/types.ts";
import type {
  AccountCycleFacts,
  CallAnswerFacts,
  CycleFacts,
  DefaultFacts,
  MarginCallFacts,
  MovementFacts,
  RunFacts,
  SettlementSessionFacts,
} from "../report/types.ts";
import { isoDay } from "../shared/dates.ts";
import { Fraction } from "../shared/fraction.ts";
import type { Address } from "../settlement/types.ts";
import type { CcpService } from "./ccp-service.ts";
import type { SuiteDeployment } from "./deployment.ts";

/** A collateral asset as the report names it. */
export interface ReportAsset {
  readonly address: Address;
  readonly symbol: string;
  readonly name: string;
  readonly currency: string;
  readonly decimals: number;
  readonly haircutBps: number;
  /** Face value of a whole token in its currency's minor units (0 for a coin). */
  readonly faceValue: bigint;
  /** A coin priced at par, or a security. */
  readonly pricedAtPar: boolean;
}

/**
 * The escrow's schedule now and its assets as the report names them (symbol, name, currency, haircut, face value).
 *
 * @example
 *   const { schedule, assets } = await readReportAssets(client, escrow);
 */
export async function readReportAssets(
  client: PublicClient,
  escrow: Address,
): Promise<{ schedule: Market; assets: ReportAsset[] }> {
  const schedule = await readCollateralMarket(client, { escrow });
  const assets: ReportAsset[] = [];
  for (const [address, scheduled] of schedule.assets) {
    const info = await readTokenInfo(client, address as Address, { security: !scheduled.pricedAtPar });
    assets.push({
      address: address as Address,
      symbol: info.symbol,
      name: info.name,
      currency: scheduled.currency,
      decimals: info.decimals,
      haircutBps: scheduled.haircutBps,
      faceValue: info.faceValue,
      pricedAtPar: scheduled.pricedAtPar,
    });
  }
  return { schedule, assets };
}

/** What the facts are built from. */
export interface RunFactsInput {
  readonly run: RunFacts["run"];
  readonly deployment: SuiteDeployment;
  readonly ccp: CcpService;
  /** The escrow's schedule now (its prices are replaced by each cycle's when valuing that cycle's movements). */
  readonly schedule: Market;
  readonly assets: readonly ReportAsset[];
  /** The rate of the clearing house's yen trust over the period. */
  readonly trustRate: Fraction;
  readonly settlement?: readonly SettlementSessionFacts[];
}

/**
 * The facts of a run, for `writeReport(buildReport(facts))`.
 *
 * @example
 *   const facts = automationFacts({ run, deployment, ccp, schedule, assets, trustRate });
 *   writeReport(buildReport(facts)); // reports/<run id>/index.html
 */
export function automationFacts(input: RunFactsInput): RunFacts {
  const { deployment, ccp } = input;
  const symbol = new Map(input.assets.map((a) => [a.address.toLowerCase(), a.symbol]));
  const named = (asset: string) => symbol.get(asset.toLowerCase()) ?? asset;
  const records = ccp.cycleRecords();
  const cycleName = new Map(records.map((r) => [r.cycle, r.name]));
  const markets = new Map(records.map((r) => [r.cycle, cycleMarket(input.schedule, r.prices, r.fx)]));
  const participantOfWallet = new Map<string, string>();
  for (const participant of deployment.participants) {
    participantOfWallet.set(participant.wallet.toLowerCase(), participant.id);
    for (const account of participant.accounts) {
      if (account.wallet !== undefined) participantOfWallet.set(account.wallet.toLowerCase(), participant.id);
    }
  }

  const cycles: CycleFacts[] = records.map((record) => ({
    id: record.name,
    asOf: record.asOf,
    kind: record.kind,
    postedAt: Number(record.postedAt),
    ...(record.closedAt === undefined ? {} : { closedAt: Number(record.closedAt) }),
    fxToYen: Object.fromEntries(Object.entries(record.fx).map(([code, rate]) => [code, Number(rate) / 1e8])),
    accounts: record.accounts.map((entry): AccountCycleFacts => ({
      account: entry.account,
      requirement: entry.requirement,
      valueAtPosting: entry.valueAtPosting,
      holdingsAtClose: entry.holdingsAtClose.map((h) => ({
        asset: named(h.asset),
        quantity: h.quantity,
        marketValue: h.marketValue,
        value: h.value,
      })),
    })),
  }));

  // Calls, with the movements that answered them: deposits and substitutions while they were open.
  const ledger = ccp.ledger;
  const cycleAt = (time: bigint): number => {
    let found = records[0]?.cycle ?? 0;
    for (const record of records) if (record.postedAt <= time) found = record.cycle;
    return found;
  };
  const marginCalls: MarginCallFacts[] = ledger
    .calls()
    .filter((call) => cycleName.has(call.cycle))
    .map((call) => {
      const end = call.metAt ?? call.defaultedAt;
      const answers: CallAnswerFacts[] = ledger
        .movements(call.account)
        .filter(
          (m) =>
            (m.kind === "deposit" || m.kind === "substitution") &&
            m.block >= call.issuedBlock &&
            (end === undefined || m.at <= end),
        )
        .map((m) => {
          const market = markets.get(cycleAt(m.at))!;
          const value = (asset: string, quantity: bigint): MovementFacts => ({
            asset: named(asset),
            quantity,
            value: valued(market, asset, quantity),
          });
          const by = participantOfWallet.get(m.party.toLowerCase());
          return {
            kind: m.kind === "deposit" ? "deposit" : "substitution",
            at: Number(m.at),
            ...(by === undefined ? {} : { by: `${by} agent` }),
            transaction: m.transaction,
            in: m.ins.map((leg) => value(leg.asset, leg.amount)),
            out: m.outs.map((leg) => value(leg.asset, leg.amount)),
          };
        });
      return {
        id: call.id.toString(),
        account: accountName(call.account),
        cycle: cycleName.get(call.cycle)!,
        shortfall: call.shortfall,
        issuedAt: Number(call.issuedAt),
        deadline: Number(call.deadline),
        answers,
        ...(call.metAt === undefined ? {} : { metAt: Number(call.metAt) }),
        ...(call.defaultedAt === undefined ? {} : { defaultedAt: Number(call.defaultedAt) }),
      };
    });

  const defaults: DefaultFacts[] = ccp.defaults().map((record, i) => ({
    id: `D${i + 1}`,
    scope: record.scope,
    participant: record.participant,
    ...(record.scope === "account" ? { account: record.account } : {}),
    cycle: cycleName.get(record.cycle) ?? records.at(-1)!.name,
    declaredAt: Number(record.declaredAt),
    calls: [...record.calls],
    seized: record.seized.map((s) => ({
      account: record.account,
      asset: named(s.asset),
      quantity: s.quantity,
      marketValue: s.marketValue,
      value: s.value,
    })),
    ported: record.ported.map((p) => ({ account: p.account, to: p.to })),
  }));

  return {
    run: input.run,
    participants: deployment.participants.map((p) => ({ id: p.id, name: p.name })),
    accounts: deployment.participants.flatMap((p) =>
      p.accounts.map((a) => ({
        id: a.id,
        participant: p.id,
        kind: a.kind,
        ...(a.kind === "customer" && a.customer !== undefined ? { customer: a.customer } : {}),
      })),
    ),
    assets: input.assets.map((a) => ({
      id: a.symbol,
      name: a.name,
      currency: a.currency,
      decimals: a.decimals,
      haircut: a.haircutBps / 10_000,
      address: a.address,
    })),
    cycles,
    marginCalls,
    defaults,
    ...(records.length === 0 ? {} : { fees: runFees(input, records) }),
    ...(input.settlement === undefined ? {} : { settlement: input.settlement }),
  };
}

/** The schedule with a cycle's prices and FX rates, fresh at the schedule's time (for valuing what moved then). */
function cycleMarket(schedule: Market, prices: Record<string, string>, fx: Record<string, string>): Market {
  return marketOf({
    assets: [...schedule.assets].map(([asset, scheduled]): [string, ScheduledAsset] => [
      asset,
      prices[asset] === undefined
        ? scheduled
        : { ...scheduled, price: BigInt(prices[asset]), priceTime: schedule.now },
    ]),
    fxRates: [...schedule.fxRates].map(([code, rate]) => [
      code,
      fx[code] === undefined ? rate : { ...rate, rate: BigInt(fx[code]), time: schedule.now },
    ]),
    now: schedule.now,
  });
}

function valued(market: Market, asset: string, quantity: bigint): bigint {
  try {
    return assetHaircutValue(market, asset, quantity);
  } catch {
    return 0n; // an asset the market cannot value now (delisted without a price)
  }
}

/** The collateral fees of the run's period, from each participant's holdings at every end-of-day close. */
function runFees(input: RunFactsInput, records: ReturnType<CcpService["cycleRecords"]>) {
  const endOfDay = records.filter((r) => r.kind === "end-of-day");
  const days = endOfDay.map((r) => isoDay(r.asOf)!);
  const start = days[0] ?? isoDay(records[0]!.asOf)!;
  const end = days.at(-1) ?? start;
  const byAsset = new Map(input.assets.map((a) => [a.address.toLowerCase(), a]));
  const owners = ownersOverTime(input);
  const participants = new Map<
    string,
    { yen: Step<bigint>[]; jgb: Step<bigint>[]; ust: Step<Fraction>[]; instructions: number[] }
  >();
  for (const p of input.deployment.participants)
    participants.set(p.id, { yen: [], jgb: [], ust: [], instructions: [] });
  endOfDay.forEach((record, i) => {
    const totals = new Map<string, { yen: bigint; jgb: bigint; ust: Fraction }>();
    for (const entry of record.accounts) {
      const owner = owners(entry.account, record.closedAt ?? record.postedAt);
      const total = totals.get(owner) ?? { yen: 0n, jgb: 0n, ust: Fraction.ZERO };
      for (const h of entry.holdingsAtClose) {
        const asset = byAsset.get(h.asset.toLowerCase());
        if (asset === undefined) continue;
        const whole = new Fraction(h.quantity, 10n ** BigInt(asset.decimals));
        if (asset.pricedAtPar && asset.currency === "JPY") total.yen += h.quantity;
        else if (!asset.pricedAtPar && asset.currency === "JPY")
          total.jgb += whole.mul(asset.faceValue).floor();
        else if (!asset.pricedAtPar && asset.currency === "USD") {
          total.ust = total.ust.add(whole.mul(new Fraction(asset.faceValue, 100n)));
        }
      }
      totals.set(owner, total);
    }
    for (const [id, steps] of participants) {
      const total = totals.get(id) ?? { yen: 0n, jgb: 0n, ust: Fraction.ZERO };
      steps.yen.push({ from: days[i]!, value: total.yen });
      steps.jgb.push({ from: days[i]!, value: total.jgb });
      steps.ust.push({ from: days[i]!, value: total.ust });
    }
  });
  // One instruction per US Treasury leg of a deposit, a withdrawal or a substitution, on its day.
  const ledger = input.ccp.ledger;
  for (const movement of ledger.movements()) {
    if (movement.kind === "seizure") continue;
    const legs = [...movement.ins, ...movement.outs].filter((leg) => {
      const asset = byAsset.get(leg.asset.toLowerCase());
      return asset !== undefined && !asset.pricedAtPar && asset.currency === "USD";
    });
    if (legs.length === 0) continue;
    const owner = owners(accountName(movement.account), movement.at);
    const day = Math.floor(Number(movement.at) / 86_400);
    for (let n = 0; n < legs.length; n += 1)
      participants.get(owner)?.instructions.push(Math.max(start, Math.min(end, day)));
  }
  const usdJpy: Step<Fraction>[] = endOfDay
    .filter((record) => record.fx.USD !== undefined)
    .map((record) => ({
      from: isoDay(record.asOf)!,
      value: new Fraction(BigInt(record.fx.USD!), 10n ** 8n),
    }));
  if (usdJpy.length > 0 && usdJpy[0]!.from > start) usdJpy[0] = { ...usdJpy[0]!, from: start };
  const feesInput: FeesInput = {
    period: { start, end },
    usdJpy: usdJpy.length === 0 ? [{ from: start, value: new Fraction(150n) }] : usdJpy,
    trust: [{ from: start, value: { rate: input.trustRate } }],
    participants: [...participants].map(([participant, steps]): FeeParticipant => ({
      participant,
      yenCollateral: steps.yen,
      jgbFaceValue: steps.jgb,
      ustFaceValueUsd: steps.ust,
      // The run has no month end inside it: no month-end market value fee.
      ustMonthEndValueUsd: new Map(),
      ustInstructions: steps.instructions,
    })),
  };
  return computeFees(feesInput);
}

/** Who owned an account at a time: its participant, or the one it was ported to before then. */
function ownersOverTime(input: RunFactsInput): (account: string, at: bigint) => string {
  const initial = new Map<string, string>();
  for (const p of input.deployment.participants) for (const a of p.accounts) initial.set(a.id, p.id);
  const walletOwner = new Map(input.deployment.participants.map((p) => [p.wallet.toLowerCase(), p.id]));
  const ports = input.ccp.ledger.ports();
  return (account, at) => {
    let owner = initial.get(account) ?? account;
    for (const port of ports) {
      if (accountName(port.account as Hex) === account && port.at <= at)
        owner = walletOwner.get(port.to) ?? owner;
    }
    return owner;
  };
}
