/**
 * A deterministic sample run for the report: what the margin-call automation would journal over a few
 * business days, simulated without a chain, so that the report can be previewed and tested on its own. The
 * same options give the same facts on every machine (seeded by {@link Prng}).
 *
 * What happens in it:
 * - four collateral assets: a yen stablecoin, a dollar stablecoin, a tokenised JGB and a tokenised US
 *   Treasury, each with its haircut; the dollar assets are valued at a USD/JPY rate that moves every day;
 * - each participant has a house account and customer accounts; requirements follow a random walk, and on
 *   the shock day (an intraday cycle, then the end of day) they jump while the yen strengthens, so that many
 *   accounts fall short;
 * - a short account gets a margin call; its participant's agent (or the customer) answers with a deposit of
 *   the asset it has most of, sometimes in two instalments, or with an atomic substitution (yen stablecoin
 *   out, US Treasuries in);
 * - one participant (the last) does not answer on the shock day: its calls are defaulted after their
 *   deadline, its house collateral is seized and its customer accounts are ported to the first participant;
 * - the collateral fees of the month are computed from the holdings with `computeFees`; one delivery-versus-
 *   payment session is summarised.
 *
 * Values here are the sample's own (quantity × price × FX, less the haircut, in whole yen); a real run takes
 * them from the escrow.
 */
import { computeFees } from "../fees/fees.ts";
import type { FeeParticipant, FeesInput, Step } from "../fees/types.ts";
import { isoDate, isoDay } from "../shared/dates.ts";
import { Fraction } from "../shared/fraction.ts";
import { Prng } from "../shared/prng.ts";
import type {
  AccountCycleFacts,
  AccountFacts,
  AssetFacts,
  CallAnswerFacts,
  CycleFacts,
  DefaultFacts,
  HoldingFacts,
  MarginCallFacts,
  MovementFacts,
  RunFacts,
} from "./types.ts";

export type SampleOptions = {
  seed: number;
  participants: number;
  /** Customer accounts per participant, besides its house account. */
  customersPerParticipant: number;
  /** Business days (one end-of-day cycle each; the shock day has an intraday cycle too). */
  days: number;
  /** The first business day (a weekday), default 2026-11-02. */
  startDate?: string;
  /** The run id (the report folder's name), default "sample-<seed>". */
  runId?: string;
};

/** The demo's shape: three participants, each with a house account and two customer accounts, ten days. */
export const DEMO_SAMPLE: SampleOptions = { seed: 1, participants: 3, customersPerParticipant: 2, days: 10 };
/** The benchmark's shape: 100 participants × 10 accounts = 1,000 accounts, ten days. */
export const LARGE_SAMPLE: SampleOptions = {
  seed: 2,
  participants: 100,
  customersPerParticipant: 9,
  days: 10,
};

const BPS = 10_000n;
/** Face value of one JGB token unit, yen. */
const JGB_FACE_YEN = 10_000n;
/** Face value of one US Treasury token unit, USD. */
const UST_FACE_USD = 1_000n;
const MINUTE = 60;
const HOUR = 3_600;

type AssetId = "JPYC" | "USDC" | "JGB372" | "UST2035";

const ASSETS: readonly (AssetFacts & { id: AssetId; haircutBps: bigint })[] = [
  { id: "JPYC", name: "Yen stablecoin", currency: "JPY", decimals: 0, haircut: 0, haircutBps: 0n },
  { id: "USDC", name: "US dollar stablecoin", currency: "USD", decimals: 6, haircut: 0.08, haircutBps: 800n },
  { id: "JGB372", name: "JGB #372 (10-year)", currency: "JPY", decimals: 0, haircut: 0.02, haircutBps: 200n },
  {
    id: "UST2035",
    name: "US Treasury 4.25% 2035",
    currency: "USD",
    decimals: 0,
    haircut: 0.05,
    haircutBps: 500n,
  },
];

/** Market state of a cycle: USD/JPY in thousandths of a yen, JGB yen per unit, UST US cents per unit. */
type Market = { usdJpyMilli: bigint; jgbYen: bigint; ustCents: bigint };

/** Market value in whole yen of `quantity` base units of an asset (rounded down). */
function marketValue(asset: AssetId, quantity: bigint, market: Market): bigint {
  switch (asset) {
    case "JPYC":
      return quantity;
    case "USDC": // 10^6 base units per dollar, thousandths of a yen per dollar
      return (quantity * market.usdJpyMilli) / 1_000_000_000n;
    case "JGB372":
      return quantity * market.jgbYen;
    case "UST2035": // cents per unit, thousandths of a yen per dollar
      return (quantity * market.ustCents * market.usdJpyMilli) / 100_000n;
  }
}

function haircutOf(asset: AssetId): bigint {
  return ASSETS.find((candidate) => candidate.id === asset)!.haircutBps;
}

function holdingOf(asset: AssetId, quantity: bigint, market: Market): HoldingFacts {
  const worth = marketValue(asset, quantity, market);
  return { asset, quantity, marketValue: worth, value: (worth * (BPS - haircutOf(asset))) / BPS };
}

/** The smallest quantity (in whole display units) whose collateral value is at least `value` yen. */
function quantityFor(asset: AssetId, value: bigint, market: Market): bigint {
  const unit = asset === "USDC" ? 1_000_000n : 1n;
  const covers = (units: bigint) => holdingOf(asset, units * unit, market).value >= value;
  // the value grows with the quantity: double up to a bound, then halve the gap
  let high = 1n;
  while (!covers(high)) high *= 2n;
  let low = high / 2n;
  while (low < high) {
    const middle = (low + high) / 2n;
    if (covers(middle)) high = middle;
    else low = middle + 1n;
  }
  return high * unit;
}

type Account = AccountFacts & {
  /** The participant that owns it now (another one after porting). */
  owner: string;
  requirement: number;
  holdings: Map<AssetId, bigint>;
  /** The asset this account's owner likes to post. */
  favourite: AssetId;
  closed: boolean;
};

/**
 * Generates the facts of a sample run.
 *
 * @example
 *   const facts = generateSampleRun(DEMO_SAMPLE);
 *   writeReport(buildReport(facts), "reports");
 */
export function generateSampleRun(options: SampleOptions): RunFacts {
  const prng = new Prng(options.seed);
  const start = isoDay(options.startDate ?? "2026-11-02");
  if (start === undefined) throw new RangeError(`startDate must be YYYY-MM-DD, got ${options.startDate}`);
  const days = businessDays(start, options.days);
  const shockDay = Math.min(3, options.days - 1);
  const defaulter = options.participants > 1 ? options.participants - 1 : -1;
  const pad = options.participants >= 100 ? 3 : 2;
  const participantId = (p: number): string => `CP${String(p + 1).padStart(pad, "0")}`;

  const participants = Array.from({ length: options.participants }, (_, p) => ({
    id: participantId(p),
    name: `Clearing participant ${p + 1}`,
  }));
  let market: Market = { usdJpyMilli: 150_250n, jgbYen: 9_950n, ustCents: 98_500n };
  const accounts: Account[] = [];
  for (let p = 0; p < options.participants; p += 1) {
    for (let c = 0; c <= options.customersPerParticipant; c += 1) {
      const house = c === 0;
      const scale = house ? 3 : 1;
      const requirement = scale * Math.exp(prng.uniform(Math.log(2e8), Math.log(2e10)));
      const favourite = prng.pick<AssetId>(["JPYC", "JPYC", "JGB372", "UST2035", "USDC"]);
      const account: Account = {
        id: house ? `${participantId(p)}-H` : `${participantId(p)}-C${String(c).padStart(2, "0")}`,
        participant: participantId(p),
        owner: participantId(p),
        kind: house ? "house" : "customer",
        ...(house ? {} : { customer: `Customer ${p + 1}-${c}` }),
        requirement,
        holdings: new Map(),
        favourite,
        closed: false,
      };
      // start covered 115–150%, split over two or three assets
      const target = BigInt(Math.round(requirement * prng.uniform(1.15, 1.5)));
      const mix: AssetId[] = [favourite, prng.pick<AssetId>(["JPYC", "JGB372", "UST2035", "USDC"])];
      const first = (target * BigInt(prng.int(50, 90))) / 100n;
      add(account.holdings, mix[0]!, quantityFor(mix[0]!, first, market));
      add(account.holdings, mix[1]!, quantityFor(mix[1]!, target - first, market));
      accounts.push(account);
    }
  }

  const cycles: CycleFacts[] = [];
  const calls: MarginCallFacts[] = [];
  const defaults: DefaultFacts[] = [];
  const ustInstructions = new Map<string, number[]>();
  const feeSteps = new Map<string, { yen: Step<bigint>[]; jgb: Step<bigint>[]; ust: Step<Fraction>[] }>();
  const monthEndUst = new Map<string, Map<string, bigint>>(); // participant → month → UST units at the month's last cycle
  const usdJpy: Step<Fraction>[] = [];
  const hex = (): string => {
    let text = "0x";
    for (let i = 0; i < 8; i += 1) text += prng.nextUint32().toString(16).padStart(8, "0");
    return text;
  };

  for (let d = 0; d < days.length; d += 1) {
    const day = days[d]!;
    const shock = d === shockDay;
    const kinds: ("intraday" | "end-of-day")[] = shock ? ["intraday", "end-of-day"] : ["end-of-day"];
    for (const kind of kinds) {
      // market moves; on the shock day's intraday cycle the yen strengthens and bonds fall
      market = {
        usdJpyMilli: scaleBig(
          market.usdJpyMilli,
          shock && kind === "intraday" ? 0.965 : 1 + 0.005 * prng.normal(),
        ),
        jgbYen: scaleBig(market.jgbYen, shock && kind === "intraday" ? 0.985 : 1 + 0.002 * prng.normal()),
        ustCents: scaleBig(market.ustCents, shock && kind === "intraday" ? 0.99 : 1 + 0.004 * prng.normal()),
      };
      const postedAt = day * 86_400 + (kind === "intraday" ? 3 * HOUR : 8 * HOUR); // 12:00 and 17:00 JST
      const cycleId = `${isoDate(day)}-${kind === "intraday" ? "ID" : "EOD"}`;
      const entries: AccountCycleFacts[] = [];
      let closedAt = postedAt + 5 * MINUTE;
      for (const account of accounts) {
        if (account.closed) continue;
        const shockNow = shock && kind === "intraday";
        account.requirement *= shockNow ? prng.uniform(1.25, 1.6) : Math.exp(0.05 * prng.normal());
        const valueAtPosting = valueOf(account.holdings, market);
        if (shockNow && account.owner === participantId(defaulter) && account.kind === "house") {
          // the defaulter is short on the shock day whatever its path so far
          account.requirement = Math.max(account.requirement, Number(valueAtPosting) * 1.3);
        }
        const requirement = BigInt(Math.round(account.requirement));
        const entry: AccountCycleFacts = {
          account: account.id,
          requirement,
          valueAtPosting,
          holdingsAtClose: [],
        };
        entries.push(entry);
        if (valueAtPosting >= requirement) {
          entry.holdingsAtClose = holdingsOf(account.holdings, market);
          continue;
        }
        const issuedAt = postedAt + 30 + prng.int(0, 90);
        const deadline = issuedAt + 4 * HOUR;
        const call: MarginCallFacts = {
          id: `${cycleId}/${account.id}`,
          account: account.id,
          cycle: cycleId,
          shortfall: requirement - valueAtPosting,
          issuedAt,
          deadline,
          answers: [],
        };
        calls.push(call);
        const ownerDefaults = account.owner === participantId(defaulter) && shock;
        if (ownerDefaults && account.kind === "house") {
          call.defaultedAt = deadline + MINUTE;
          closedAt = Math.max(closedAt, call.defaultedAt);
          entry.holdingsAtClose = holdingsOf(account.holdings, market);
          continue;
        }
        const answers = answer(account, call, market, prng, hex);
        call.answers = answers;
        call.metAt = answers[answers.length - 1]!.at;
        closedAt = Math.max(closedAt, call.metAt);
        for (const a of answers) {
          if (a.in.some((movement) => movement.asset === "UST2035")) {
            const list = ustInstructions.get(account.owner) ?? [];
            list.push(day);
            ustInstructions.set(account.owner, list);
          }
        }
        entry.holdingsAtClose = holdingsOf(account.holdings, market);
      }

      // the defaulter's house account: seized at the default, its customers ported to the first participant
      if (shock && defaulter >= 0 && defaults.length === 0) {
        const houseId = `${participantId(defaulter)}-H`;
        const unmet = calls.filter((call) => call.cycle === cycleId && call.defaultedAt !== undefined);
        if (unmet.length > 0) {
          const house = accounts.find((account) => account.id === houseId)!;
          const declaredAt = Math.max(...unmet.map((call) => call.defaultedAt!));
          const seized = holdingsOf(house.holdings, market).map((holding) => ({
            account: houseId,
            ...holding,
          }));
          house.holdings.clear();
          house.closed = true;
          entries.find((entry) => entry.account === houseId)!.holdingsAtClose = [];
          const ported = accounts
            .filter((account) => account.owner === participantId(defaulter) && account.kind === "customer")
            .map((account) => ({ account: account.id, to: participantId(0) }));
          defaults.push({
            id: `default-${participantId(defaulter)}`,
            scope: "participant",
            participant: participantId(defaulter),
            cycle: cycleId,
            declaredAt,
            calls: unmet.map((call) => call.id),
            seized,
            ported,
          });
          for (const porting of ported)
            accounts.find((account) => account.id === porting.account)!.owner = porting.to;
        }
      }
      cycles.push({
        id: cycleId,
        asOf: isoDate(day),
        kind,
        postedAt,
        closedAt,
        fxToYen: { USD: Number(market.usdJpyMilli) / 1000 },
        accounts: entries,
      });
    }

    // the fee inputs: each participant's yen, JGB and UST holdings at the day's close
    usdJpy.push({ from: day, value: new Fraction(market.usdJpyMilli, 1000n) });
    const month = isoDate(day).slice(0, 7);
    for (const participant of participants) {
      let yen = 0n;
      let jgb = 0n;
      let ust = 0n;
      for (const account of accounts) {
        if (account.owner !== participant.id || account.closed) continue;
        yen += account.holdings.get("JPYC") ?? 0n;
        jgb += account.holdings.get("JGB372") ?? 0n;
        ust += account.holdings.get("UST2035") ?? 0n;
      }
      const steps = feeSteps.get(participant.id) ?? { yen: [], jgb: [], ust: [] };
      steps.yen.push({ from: day, value: yen });
      steps.jgb.push({ from: day, value: jgb * JGB_FACE_YEN });
      steps.ust.push({ from: day, value: new Fraction(ust * UST_FACE_USD) });
      feeSteps.set(participant.id, steps);
      const months = monthEndUst.get(participant.id) ?? new Map<string, bigint>();
      months.set(month, (ust * market.ustCents) / 100n);
      monthEndUst.set(participant.id, months);
    }
  }

  const first = new Date(days[0]! * 86_400_000);
  const last = new Date(days[days.length - 1]! * 86_400_000);
  const feesInput: FeesInput = {
    period: {
      start: Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), 1) / 86_400_000,
      end: Date.UTC(last.getUTCFullYear(), last.getUTCMonth() + 1, 1) / 86_400_000 - 1,
    },
    usdJpy: [{ from: 0, value: usdJpy[0]!.value }, ...usdJpy],
    trust: [{ from: 0, value: { rate: new Fraction(-1n, 1000n) } }],
    participants: participants.map((participant): FeeParticipant => ({
      participant: participant.id,
      yenCollateral: feeSteps.get(participant.id)!.yen,
      jgbFaceValue: feeSteps.get(participant.id)!.jgb,
      ustFaceValueUsd: feeSteps.get(participant.id)!.ust,
      ustMonthEndValueUsd: new Map(
        [...monthEndUst.get(participant.id)!].map(([month, usd]) => [month, new Fraction(usd)]),
      ),
      ustInstructions: ustInstructions.get(participant.id) ?? [],
    })),
  };

  const trades = prng.int(20, 60);
  const cancelled = prng.int(0, 2);
  const settled = trades - cancelled;
  const settledAfterRetry = prng.int(1, 3);
  return {
    run: {
      id: options.runId ?? `sample-${options.seed}`,
      title: `Sample run: ${options.participants} participants, ${accounts.length} accounts, ${options.days} business days`,
      network: "hardhat",
      chainId: 31337,
      startedAt: cycles[0]!.postedAt - 10 * MINUTE,
      endedAt: Math.max(...cycles.map((cycle) => cycle.closedAt!)),
    },
    participants,
    accounts: accounts.map(({ id, participant, kind, customer }) => ({
      id,
      participant,
      kind,
      ...(customer === undefined ? {} : { customer }),
    })),
    assets: ASSETS.map(({ id, name, currency, decimals, haircut }) => ({
      id,
      name,
      currency,
      decimals,
      haircut,
    })),
    cycles,
    marginCalls: calls,
    defaults,
    fees: computeFees(feesInput),
    settlement: [
      {
        id: `dvp-${isoDate(days[Math.min(5, days.length - 1)]!)}`,
        businessDate: isoDate(days[Math.min(5, days.length - 1)]!),
        trades,
        settled,
        settledAfterRetry,
        cancelled,
        failedAttempts: settledAfterRetry + cancelled,
        cashSettled: BigInt(settled) * BigInt(prng.int(5, 50)) * 10_000_000n,
      },
    ],
  };
}

/** The answer to a call: one or two deposits of the favourite asset, or a substitution yen out, Treasuries in. */
function answer(
  account: Account,
  call: MarginCallFacts,
  market: Market,
  prng: Prng,
  hex: () => string,
): CallAnswerFacts[] {
  const by =
    account.kind === "house" ? `${account.owner} agent` : `${account.customer} (via ${account.owner} agent)`;
  // cover the shortfall with a 5% buffer of the requirement
  const needed = call.shortfall + call.shortfall / 20n + 1n;
  let at = call.issuedAt + prng.int(3, 150) * MINUTE;
  const yen = account.holdings.get("JPYC") ?? 0n;
  if (yen > 0n && prng.next() < 0.25) {
    const out: MovementFacts = { asset: "JPYC", quantity: yen, value: yen };
    const quantity = quantityFor("UST2035", needed + yen, market);
    const incoming: MovementFacts = {
      asset: "UST2035",
      quantity,
      value: holdingOf("UST2035", quantity, market).value,
    };
    add(account.holdings, "JPYC", -yen);
    add(account.holdings, "UST2035", quantity);
    return [{ kind: "substitution", at, by, transaction: hex(), in: [incoming], out: [out] }];
  }
  const asset = account.favourite;
  const answers: CallAnswerFacts[] = [];
  const instalments = prng.next() < 0.15 ? 2 : 1;
  let remaining = needed;
  for (let i = 0; i < instalments && remaining > 0n; i += 1) {
    const part = i === instalments - 1 ? remaining : remaining / 2n;
    const quantity = quantityFor(asset, part, market);
    const value = holdingOf(asset, quantity, market).value;
    add(account.holdings, asset, quantity);
    answers.push({ kind: "deposit", at, by, transaction: hex(), in: [{ asset, quantity, value }], out: [] });
    remaining -= value;
    at += prng.int(5, 40) * MINUTE;
  }
  return answers;
}

function add(holdings: Map<AssetId, bigint>, asset: AssetId, quantity: bigint): void {
  const total = (holdings.get(asset) ?? 0n) + quantity;
  if (total === 0n) holdings.delete(asset);
  else holdings.set(asset, total);
}

function holdingsOf(holdings: ReadonlyMap<AssetId, bigint>, market: Market): HoldingFacts[] {
  return ASSETS.filter((asset) => (holdings.get(asset.id) ?? 0n) > 0n).map((asset) =>
    holdingOf(asset.id, holdings.get(asset.id)!, market),
  );
}

function valueOf(holdings: ReadonlyMap<AssetId, bigint>, market: Market): bigint {
  return holdingsOf(holdings, market).reduce((total, holding) => total + holding.value, 0n);
}

/** An integer scaled by a factor near 1 (market moves), to the nearest unit. */
function scaleBig(amount: bigint, factor: number): bigint {
  return BigInt(Math.round(Number(amount) * factor));
}

/** `count` weekdays from `start` (a day number) on. */
function businessDays(start: number, count: number): number[] {
  const days: number[] = [];
  for (let day = start; days.length < count; day += 1) {
    const weekday = new Date(day * 86_400_000).getUTCDay();
    if (weekday !== 0 && weekday !== 6) days.push(day);
  }
  return days;
}
