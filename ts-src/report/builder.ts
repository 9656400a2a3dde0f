/**
 * Builds the run report from the facts of a run: checks them (every reference known, every time in order,
 * every amount sensible) and derives the figures the report shows. Pure: no clock, no I/O.
 *
 * Conventions:
 * - coverage ratio = collateral value ÷ requirement, rounded down to 6 decimals (a ratio just under 1 never
 *   reads as 1); null when the requirement is 0;
 * - percentiles (coverage spread, median time to cover) are nearest-rank: the p-th percentile of n sorted
 *   values is the ⌈p·n⌉-th, so every figure is one of the observed values (the median of an even count is the
 *   lower middle one);
 * - a call's time to cover = the time it was met − the time it was issued, in seconds;
 * - a ported account belongs to its new participant from the cycle after the default's cycle.
 */
import { isoDay } from "../shared/dates.ts";
import { factsAt, ReportInputError, type ReportInputProblem } from "./errors.ts";
import {
  type AnswerKind,
  FEE_ROW_KEYS,
  SETTLEMENT_KEYS,
  type CallStatus,
  type CoverageSpread,
  type CycleFacts,
  type DefaultFacts,
  type HoldingFacts,
  type MarginCallFacts,
  type MovementFacts,
  REPORT_FORMAT,
  REPORT_VERSION,
  type ReportAccount,
  type ReportAccountCycle,
  type ReportCycle,
  type ReportDefault,
  type ReportDocument,
  type ReportFees,
  type ReportHolding,
  type ReportMarginCall,
  type ReportMixCycle,
  type ReportMovement,
  type ReportSummary,
  type RunFacts,
  type Timestamp,
  type Written,
} from "./types.ts";

/** A run id: letters, digits, dot, underscore, hyphen, not starting with a dot (a safe folder name anywhere). */
export const RUN_ID = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$/;
const RATIO_SCALE = 1_000_000n;

/**
 * Turns the facts of a run into the report document.
 *
 * @throws {ReportInputError} when the facts contradict themselves (codes `REPORT_INPUT_UNKNOWN_REFERENCE`,
 *   `…_DUPLICATE`, `…_INCONSISTENT`, `…_BAD_AMOUNT`, `…_BAD_FIELD`, `…_BAD_DATE`, `…_BAD_RUN_ID`); the message
 *   names the field (`marginCalls[3].account`).
 * @example
 *   const document = buildReport(facts);
 *   document.summary.callsMet; // 7
 *   document.cycles[0].accounts[0].coverageAtPosting; // 1.083333
 */
export function buildReport(facts: RunFacts): ReportDocument {
  checkFacts(facts);
  const owners = ownersByCycle(facts);

  const calls = facts.marginCalls.map((call) => reportCall(call, owners.get(call.cycle)!.get(call.account)!));
  const callsByCycle = groupBy(calls, (call) => call.cycle);
  const cycles = facts.cycles.map((cycle) =>
    reportCycle(cycle, owners.get(cycle.id)!, callsByCycle.get(cycle.id) ?? []),
  );
  const defaults = facts.defaults.map((fault) => reportDefault(fault, owners));
  const accounts = reportAccounts(facts, cycles, calls, defaults);
  const collateralMix = facts.cycles.map((cycle) => mixOf(cycle, facts));
  const fees: ReportFees | null =
    facts.fees === undefined
      ? null
      : {
          period: { ...facts.fees.period },
          participants: facts.fees.participants.map((row) => written(row, FEE_ROW_KEYS)),
          total: facts.fees.total.toString(),
        };

  return {
    format: REPORT_FORMAT,
    version: REPORT_VERSION,
    run: {
      id: facts.run.id,
      title: facts.run.title ?? `Margin-call automation run ${facts.run.id}`,
      network: facts.run.network,
      chainId: facts.run.chainId,
      startedAt: timestamp(facts.run.startedAt),
      endedAt: timestamp(facts.run.endedAt),
    },
    summary: summarize(facts, cycles, calls, defaults, fees),
    participants: facts.participants.map(({ id, name }) => ({ id, name })),
    accounts,
    assets: facts.assets.map((asset) => ({
      id: asset.id,
      name: asset.name,
      currency: asset.currency,
      decimals: asset.decimals,
      haircut: asset.haircut,
      address: asset.address ?? null,
    })),
    cycles,
    marginCalls: calls,
    collateralMix,
    defaults,
    fees,
    settlement:
      facts.settlement === undefined
        ? null
        : facts.settlement.map((session) => written(session, SETTLEMENT_KEYS)),
  };
}

// ─── Derived figures ─────────────────────────────────────────────────────────────────────────────────────────

/**
 * Collateral value ÷ requirement, rounded down to 6 decimals; null when the requirement is 0.
 *
 * @example
 *   coverageRatio(1_300n, 1_200n); // 1.083333
 */
export function coverageRatio(value: bigint, requirement: bigint): number | null {
  if (requirement <= 0n) return null;
  return Number((value * RATIO_SCALE) / requirement) / Number(RATIO_SCALE);
}

/**
 * The nearest-rank percentile of values sorted ascending (p in (0, 1]; p = 0 gives the minimum).
 *
 * @example
 *   nearestRank([1, 2, 3, 4], 0.5); // 2
 */
export function nearestRank<T>(sorted: readonly T[], p: number): T {
  if (sorted.length === 0) throw new RangeError("nearestRank of no values");
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

/** Unix seconds as ISO 8601 UTC to the second: 1763625600 → "2025-11-20T08:00:00Z". */
export function timestamp(seconds: number): Timestamp {
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function reportCycle(
  cycle: CycleFacts,
  owners: ReadonlyMap<string, string>,
  calls: readonly ReportMarginCall[],
): ReportCycle {
  const accounts: ReportAccountCycle[] = cycle.accounts.map((entry) => {
    const valueAtClose = sum(entry.holdingsAtClose.map((holding) => holding.value));
    const shortfall = entry.requirement - entry.valueAtPosting;
    return {
      account: entry.account,
      participant: owners.get(entry.account)!,
      requirement: entry.requirement.toString(),
      valueAtPosting: entry.valueAtPosting.toString(),
      coverageAtPosting: coverageRatio(entry.valueAtPosting, entry.requirement),
      shortfallAtPosting: (shortfall > 0n ? shortfall : 0n).toString(),
      valueAtClose: valueAtClose.toString(),
      coverageAtClose: coverageRatio(valueAtClose, entry.requirement),
      holdingsAtClose: entry.holdingsAtClose.map(reportHolding),
    };
  });
  const ratios = accounts
    .map((entry) => entry.coverageAtPosting)
    .filter((ratio): ratio is number => ratio !== null)
    .sort((a, b) => a - b);
  const coverage: CoverageSpread | null =
    ratios.length === 0
      ? null
      : {
          min: ratios[0]!,
          p25: nearestRank(ratios, 0.25),
          median: nearestRank(ratios, 0.5),
          p75: nearestRank(ratios, 0.75),
          max: ratios[ratios.length - 1]!,
        };
  const times = calls
    .map((call) => call.timeToCoverSeconds)
    .filter((time): time is number => time !== null)
    .sort((a, b) => a - b);
  return {
    id: cycle.id,
    asOf: cycle.asOf,
    kind: cycle.kind,
    postedAt: timestamp(cycle.postedAt),
    closedAt: cycle.closedAt === undefined ? null : timestamp(cycle.closedAt),
    fxToYen: { ...cycle.fxToYen },
    totalRequirement: sum(cycle.accounts.map((entry) => entry.requirement)).toString(),
    totalValueAtPosting: sum(cycle.accounts.map((entry) => entry.valueAtPosting)).toString(),
    totalValueAtClose: sum(accounts.map((entry) => BigInt(entry.valueAtClose))).toString(),
    accountsShort: accounts.filter((entry) => entry.shortfallAtPosting !== "0").length,
    coverage,
    callsIssued: calls.length,
    callsMet: calls.filter((call) => call.status === "met").length,
    callsDefaulted: calls.filter((call) => call.status === "defaulted").length,
    callsOpen: calls.filter((call) => call.status === "open").length,
    medianTimeToCoverSeconds: times.length === 0 ? null : nearestRank(times, 0.5),
    accounts,
  };
}

function reportHolding(holding: HoldingFacts): ReportHolding {
  return {
    asset: holding.asset,
    quantity: holding.quantity.toString(),
    marketValue: holding.marketValue.toString(),
    value: holding.value.toString(),
  };
}

function reportCall(call: MarginCallFacts, participant: string): ReportMarginCall {
  const status: CallStatus =
    call.metAt !== undefined ? "met" : call.defaultedAt !== undefined ? "defaulted" : "open";
  const answeredBy: AnswerKind[] = [];
  for (const answer of call.answers) if (!answeredBy.includes(answer.kind)) answeredBy.push(answer.kind);
  const net = new Map<string, { quantity: bigint; value: bigint }>();
  const move = (movement: MovementFacts, sign: bigint): void => {
    const entry = net.get(movement.asset) ?? { quantity: 0n, value: 0n };
    entry.quantity += sign * movement.quantity;
    entry.value += sign * movement.value;
    net.set(movement.asset, entry);
  };
  for (const answer of call.answers) {
    for (const movement of answer.in) move(movement, 1n);
    for (const movement of answer.out) move(movement, -1n);
  }
  const posted: ReportMovement[] = [];
  const released: ReportMovement[] = [];
  for (const [asset, { quantity, value }] of net) {
    if (quantity > 0n) posted.push({ asset, quantity: quantity.toString(), value: value.toString() });
    if (quantity < 0n) released.push({ asset, quantity: (-quantity).toString(), value: (-value).toString() });
  }
  const netValue = [...net.values()].reduce((total, entry) => total + entry.value, 0n);
  return {
    id: call.id,
    account: call.account,
    participant,
    cycle: call.cycle,
    shortfall: call.shortfall.toString(),
    issuedAt: timestamp(call.issuedAt),
    deadline: timestamp(call.deadline),
    status,
    metAt: call.metAt === undefined ? null : timestamp(call.metAt),
    defaultedAt: call.defaultedAt === undefined ? null : timestamp(call.defaultedAt),
    timeToCoverSeconds: call.metAt === undefined ? null : call.metAt - call.issuedAt,
    metInTime: call.metAt === undefined ? null : call.metAt <= call.deadline,
    answeredBy,
    posted,
    released,
    netValueAdded: netValue.toString(),
    answers: call.answers.map((answer) => ({
      kind: answer.kind,
      at: timestamp(answer.at),
      by: answer.by ?? null,
      transaction: answer.transaction ?? null,
      in: answer.in.map(reportMovement),
      out: answer.out.map(reportMovement),
    })),
  };
}

function reportMovement(movement: MovementFacts): ReportMovement {
  return { asset: movement.asset, quantity: movement.quantity.toString(), value: movement.value.toString() };
}

function reportDefault(
  fault: DefaultFacts,
  owners: ReadonlyMap<string, ReadonlyMap<string, string>>,
): ReportDefault {
  const atDefault = owners.get(fault.cycle)!;
  return {
    id: fault.id,
    scope: fault.scope,
    participant: fault.participant,
    account: fault.account ?? null,
    cycle: fault.cycle,
    declaredAt: timestamp(fault.declaredAt),
    calls: [...fault.calls],
    seized: fault.seized.map((seizure) => ({ account: seizure.account, ...reportHolding(seizure) })),
    seizedMarketValue: sum(fault.seized.map((seizure) => seizure.marketValue)).toString(),
    seizedValue: sum(fault.seized.map((seizure) => seizure.value)).toString(),
    ported: fault.ported.map((porting) => ({
      account: porting.account,
      from: atDefault.get(porting.account)!,
      to: porting.to,
    })),
  };
}

function reportAccounts(
  facts: RunFacts,
  cycles: readonly ReportCycle[],
  calls: readonly ReportMarginCall[],
  defaults: readonly ReportDefault[],
): ReportAccount[] {
  const last = cycles[cycles.length - 1];
  const lastEntries = new Map((last?.accounts ?? []).map((entry) => [entry.account, entry]));
  const finalOwner = new Map<string, string>();
  for (const cycle of cycles)
    for (const entry of cycle.accounts) finalOwner.set(entry.account, entry.participant);
  for (const fault of defaults)
    for (const porting of fault.ported) finalOwner.set(porting.account, porting.to);
  const defaulted = new Set<string>();
  for (const fault of defaults) {
    if (fault.scope === "account") {
      defaulted.add(fault.account!);
      continue;
    }
    const ported = new Set(fault.ported.map((porting) => porting.account));
    const cycle = cycles.find((candidate) => candidate.id === fault.cycle)!;
    for (const entry of cycle.accounts) {
      if (entry.participant === fault.participant && !ported.has(entry.account)) defaulted.add(entry.account);
    }
  }
  const minCoverage = new Map<string, number>();
  for (const cycle of cycles) {
    for (const entry of cycle.accounts) {
      if (entry.coverageAtPosting === null) continue;
      const before = minCoverage.get(entry.account);
      if (before === undefined || entry.coverageAtPosting < before) {
        minCoverage.set(entry.account, entry.coverageAtPosting);
      }
    }
  }
  const callCounts = new Map<string, number>();
  for (const call of calls) callCounts.set(call.account, (callCounts.get(call.account) ?? 0) + 1);
  return facts.accounts.map((account) => ({
    id: account.id,
    participant: account.participant,
    kind: account.kind,
    customer: account.customer ?? null,
    finalParticipant: finalOwner.get(account.id) ?? account.participant,
    minCoverage: minCoverage.get(account.id) ?? null,
    lastCoverageAtPosting: lastEntries.get(account.id)?.coverageAtPosting ?? null,
    lastCoverageAtClose: lastEntries.get(account.id)?.coverageAtClose ?? null,
    calls: callCounts.get(account.id) ?? 0,
    defaulted: defaulted.has(account.id),
  }));
}

/** The collateral held at the cycle's close, per asset and per currency. */
function mixOf(cycle: CycleFacts, facts: RunFacts): ReportMixCycle {
  const byAsset = new Map<string, { quantity: bigint; marketValue: bigint; value: bigint }>(
    facts.assets.map((asset) => [asset.id, { quantity: 0n, marketValue: 0n, value: 0n }]),
  );
  for (const entry of cycle.accounts) {
    for (const holding of entry.holdingsAtClose) {
      const total = byAsset.get(holding.asset)!;
      total.quantity += holding.quantity;
      total.marketValue += holding.marketValue;
      total.value += holding.value;
    }
  }
  const byCurrency = new Map<string, { marketValue: bigint; value: bigint }>();
  for (const asset of facts.assets) {
    const total = byAsset.get(asset.id)!;
    const currency = byCurrency.get(asset.currency) ?? { marketValue: 0n, value: 0n };
    currency.marketValue += total.marketValue;
    currency.value += total.value;
    byCurrency.set(asset.currency, currency);
  }
  const assets = [...byAsset.entries()];
  return {
    cycle: cycle.id,
    byAsset: assets.map(([asset, total]) => ({
      asset,
      quantity: total.quantity.toString(),
      marketValue: total.marketValue.toString(),
      value: total.value.toString(),
    })),
    byCurrency: [...byCurrency.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([currency, total]) => ({
        currency,
        marketValue: total.marketValue.toString(),
        value: total.value.toString(),
      })),
    totalMarketValue: sum(assets.map(([, total]) => total.marketValue)).toString(),
    totalValue: sum(assets.map(([, total]) => total.value)).toString(),
  };
}

function summarize(
  facts: RunFacts,
  cycles: readonly ReportCycle[],
  calls: readonly ReportMarginCall[],
  defaults: readonly ReportDefault[],
  fees: ReportFees | null,
): ReportSummary {
  const times = calls
    .map((call) => call.timeToCoverSeconds)
    .filter((time): time is number => time !== null)
    .sort((a, b) => a - b);
  let lowest: ReportSummary["lowestCoverage"] = null;
  for (const cycle of cycles) {
    for (const entry of cycle.accounts) {
      if (entry.coverageAtPosting !== null && (lowest === null || entry.coverageAtPosting < lowest.ratio)) {
        lowest = { account: entry.account, cycle: cycle.id, ratio: entry.coverageAtPosting };
      }
    }
  }
  const last = cycles[cycles.length - 1];
  return {
    participants: facts.participants.length,
    accounts: facts.accounts.length,
    cycles: cycles.length,
    callsIssued: calls.length,
    callsMet: calls.filter((call) => call.status === "met").length,
    callsMetInTime: calls.filter((call) => call.metInTime === true).length,
    callsDefaulted: calls.filter((call) => call.status === "defaulted").length,
    callsOpen: calls.filter((call) => call.status === "open").length,
    totalCalled: sum(calls.map((call) => BigInt(call.shortfall))).toString(),
    totalAnswered: sum(calls.map((call) => BigInt(call.netValueAdded))).toString(),
    medianTimeToCoverSeconds: times.length === 0 ? null : nearestRank(times, 0.5),
    maxTimeToCoverSeconds: times.length === 0 ? null : times[times.length - 1]!,
    lowestCoverage: lowest,
    finalRequirement: last?.totalRequirement ?? "0",
    finalValueAtClose: last?.totalValueAtClose ?? "0",
    finalCoverage:
      last === undefined
        ? null
        : coverageRatio(BigInt(last.totalValueAtClose), BigInt(last.totalRequirement)),
    defaults: defaults.length,
    seizedValue: sum(defaults.map((fault) => BigInt(fault.seizedValue))).toString(),
    portedAccounts: defaults.reduce((count, fault) => count + fault.ported.length, 0),
    totalFees: fees?.total ?? null,
  };
}

/**
 * The owner of every margined account in every cycle: its participant at the start, then the participant it
 * was ported to, from the cycle after the default's cycle.
 */
function ownersByCycle(facts: RunFacts): Map<string, Map<string, string>> {
  const owner = new Map(facts.accounts.map((account) => [account.id, account.participant]));
  const portingsAfter = groupBy(
    facts.defaults.flatMap((fault) => fault.ported.map((porting) => ({ cycle: fault.cycle, porting }))),
    (entry) => entry.cycle,
  );
  const result = new Map<string, Map<string, string>>();
  for (const cycle of facts.cycles) {
    result.set(cycle.id, new Map(facts.accounts.map((account) => [account.id, owner.get(account.id)!])));
    for (const { porting } of portingsAfter.get(cycle.id) ?? []) owner.set(porting.account, porting.to);
  }
  return result;
}

// ─── Checks ──────────────────────────────────────────────────────────────────────────────────────────────────

function fail(problem: ReportInputProblem, path: string, message: string): never {
  throw new ReportInputError(`REPORT_INPUT_${problem}`, message, factsAt(path));
}

/** Ids unique within a list. */
function uniqueIds<T>(items: readonly T[], id: (item: T) => string, path: string, what: string): Set<string> {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    const key = id(item);
    if (typeof key !== "string" || key.trim() === "")
      fail("BAD_FIELD", `${path}[${i}]`, `${what} without an id`);
    if (seen.has(key)) fail("DUPLICATE", `${path}[${i}]`, `${what} "${key}" appears twice`);
    seen.add(key);
  });
  return seen;
}

function known(ids: ReadonlySet<string>, id: string, path: string, what: string): void {
  if (!ids.has(id)) fail("UNKNOWN_REFERENCE", path, `unknown ${what} "${id}"`);
}

function checkTime(seconds: number, path: string): void {
  if (!Number.isSafeInteger(seconds) || seconds < 0 || seconds > 253_402_300_799) {
    fail("BAD_FIELD", path, `must be Unix seconds (a whole number ≥ 0), got ${String(seconds)}`);
  }
}

function checkCount(value: number, path: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    fail("BAD_FIELD", path, `must be a whole number ≥ 0, got ${String(value)}`);
  }
}

function checkAmount(amount: bigint, path: string, min = 0n): void {
  if (typeof amount !== "bigint") fail("BAD_AMOUNT", path, `must be a bigint amount, got ${typeof amount}`);
  if (amount < min) fail("BAD_AMOUNT", path, `must be ≥ ${min}, got ${amount}`);
}

function checkHolding(
  holding: HoldingFacts,
  assets: ReadonlySet<string>,
  path: string,
  seen: Set<string> | undefined,
): void {
  known(assets, holding.asset, `${path}.asset`, "asset");
  if (seen !== undefined) {
    if (seen.has(holding.asset)) fail("DUPLICATE", `${path}.asset`, `asset "${holding.asset}" appears twice`);
    seen.add(holding.asset);
  }
  checkAmount(holding.quantity, `${path}.quantity`);
  checkAmount(holding.marketValue, `${path}.marketValue`);
  checkAmount(holding.value, `${path}.value`);
  if (holding.value > holding.marketValue) {
    fail(
      "INCONSISTENT",
      `${path}.value`,
      `collateral value ${holding.value} exceeds the market value ${holding.marketValue} (a haircut cannot add value)`,
    );
  }
}

function checkFacts(facts: RunFacts): void {
  const run = facts.run;
  if (typeof run.id !== "string" || !RUN_ID.test(run.id)) {
    fail(
      "BAD_RUN_ID",
      "run.id",
      `must be 1–100 letters, digits, ".", "_" or "-" (not starting with "."), got ${JSON.stringify(run.id)}`,
    );
  }
  checkCount(run.chainId, "run.chainId");
  checkTime(run.startedAt, "run.startedAt");
  checkTime(run.endedAt, "run.endedAt");
  if (run.endedAt < run.startedAt) {
    fail(
      "INCONSISTENT",
      "run.endedAt",
      `the run ended (${run.endedAt}) before it started (${run.startedAt})`,
    );
  }

  const participants = uniqueIds(facts.participants, (p) => p.id, "participants", "participant");
  const accounts = uniqueIds(facts.accounts, (a) => a.id, "accounts", "account");
  const assets = uniqueIds(facts.assets, (a) => a.id, "assets", "asset");
  const cycleIds = uniqueIds(facts.cycles, (c) => c.id, "cycles", "cycle");
  const callIds = uniqueIds(facts.marginCalls, (c) => c.id, "marginCalls", "margin call");
  uniqueIds(facts.defaults, (d) => d.id, "defaults", "default");
  if (facts.settlement !== undefined) uniqueIds(facts.settlement, (s) => s.id, "settlement", "session");

  const accountKind = new Map(facts.accounts.map((account) => [account.id, account.kind]));
  facts.accounts.forEach((account, i) => {
    known(participants, account.participant, `accounts[${i}].participant`, "participant");
    if (account.kind !== "house" && account.kind !== "customer") {
      fail(
        "BAD_FIELD",
        `accounts[${i}].kind`,
        `must be "house" or "customer", got ${JSON.stringify(account.kind)}`,
      );
    }
  });
  facts.assets.forEach((asset, i) => {
    if (!/^[A-Z]{3}$/.test(asset.currency)) {
      fail(
        "BAD_FIELD",
        `assets[${i}].currency`,
        `must be an ISO 4217 code, got ${JSON.stringify(asset.currency)}`,
      );
    }
    if (!Number.isSafeInteger(asset.decimals) || asset.decimals < 0 || asset.decimals > 36) {
      fail(
        "BAD_FIELD",
        `assets[${i}].decimals`,
        `must be a whole number 0–36, got ${String(asset.decimals)}`,
      );
    }
    if (!Number.isFinite(asset.haircut) || asset.haircut < 0 || asset.haircut >= 1) {
      fail("BAD_FIELD", `assets[${i}].haircut`, `must be a fraction in [0, 1), got ${String(asset.haircut)}`);
    }
  });

  const cycleIndex = new Map<string, number>();
  const margined = new Map<string, Set<string>>();
  let previousPosting = -1;
  facts.cycles.forEach((cycle, c) => {
    const path = `cycles[${c}]`;
    cycleIndex.set(cycle.id, c);
    if (isoDay(cycle.asOf) === undefined) {
      fail("BAD_DATE", `${path}.asOf`, `must be a date YYYY-MM-DD, got ${JSON.stringify(cycle.asOf)}`);
    }
    if (cycle.kind !== "end-of-day" && cycle.kind !== "intraday") {
      fail(
        "BAD_FIELD",
        `${path}.kind`,
        `must be "end-of-day" or "intraday", got ${JSON.stringify(cycle.kind)}`,
      );
    }
    checkTime(cycle.postedAt, `${path}.postedAt`);
    if (cycle.postedAt < previousPosting) {
      fail(
        "INCONSISTENT",
        `${path}.postedAt`,
        `cycles must be in the order they ran (posted before the previous one)`,
      );
    }
    previousPosting = cycle.postedAt;
    if (cycle.closedAt !== undefined) {
      checkTime(cycle.closedAt, `${path}.closedAt`);
      if (cycle.closedAt < cycle.postedAt) {
        fail(
          "INCONSISTENT",
          `${path}.closedAt`,
          `closed (${cycle.closedAt}) before posted (${cycle.postedAt})`,
        );
      }
    }
    for (const [currency, rate] of Object.entries(cycle.fxToYen ?? {})) {
      if (!/^[A-Z]{3}$/.test(currency) || !Number.isFinite(rate) || rate <= 0) {
        fail("BAD_FIELD", `${path}.fxToYen.${currency}`, `must map an ISO 4217 code to a rate > 0`);
      }
    }
    const seen = new Set<string>();
    cycle.accounts.forEach((entry, a) => {
      const at = `${path}.accounts[${a}]`;
      known(accounts, entry.account, `${at}.account`, "account");
      if (seen.has(entry.account))
        fail("DUPLICATE", `${at}.account`, `account "${entry.account}" appears twice`);
      seen.add(entry.account);
      checkAmount(entry.requirement, `${at}.requirement`);
      checkAmount(entry.valueAtPosting, `${at}.valueAtPosting`);
      const held = new Set<string>();
      entry.holdingsAtClose.forEach((holding, h) =>
        checkHolding(holding, assets, `${at}.holdingsAtClose[${h}]`, held),
      );
    });
    margined.set(cycle.id, seen);
  });

  const callStatus = new Map<string, { account: string; cycle: string; defaulted: boolean }>();
  facts.marginCalls.forEach((call, i) => {
    const path = `marginCalls[${i}]`;
    known(accounts, call.account, `${path}.account`, "account");
    known(cycleIds, call.cycle, `${path}.cycle`, "cycle");
    if (!margined.get(call.cycle)!.has(call.account)) {
      fail(
        "INCONSISTENT",
        `${path}.account`,
        `account "${call.account}" was not margined in cycle "${call.cycle}"`,
      );
    }
    checkAmount(call.shortfall, `${path}.shortfall`, 1n);
    checkTime(call.issuedAt, `${path}.issuedAt`);
    checkTime(call.deadline, `${path}.deadline`);
    if (call.deadline < call.issuedAt) {
      fail(
        "INCONSISTENT",
        `${path}.deadline`,
        `deadline ${call.deadline} is before the call was issued (${call.issuedAt})`,
      );
    }
    call.answers.forEach((answer, a) => {
      const at = `${path}.answers[${a}]`;
      if (answer.kind !== "deposit" && answer.kind !== "substitution") {
        fail(
          "BAD_FIELD",
          `${at}.kind`,
          `must be "deposit" or "substitution", got ${JSON.stringify(answer.kind)}`,
        );
      }
      checkTime(answer.at, `${at}.at`);
      if (answer.at < call.issuedAt) {
        fail(
          "INCONSISTENT",
          `${at}.at`,
          `answered (${answer.at}) before the call was issued (${call.issuedAt})`,
        );
      }
      if (answer.in.length === 0)
        fail("INCONSISTENT", `${at}.in`, `an answer must bring at least one asset in`);
      if (answer.kind === "deposit" && answer.out.length > 0) {
        fail("INCONSISTENT", `${at}.out`, `a deposit moves nothing out (that is a substitution)`);
      }
      const legs: [MovementFacts[], string][] = [
        [[...answer.in], "in"],
        [[...answer.out], "out"],
      ];
      for (const [movements, side] of legs) {
        movements.forEach((movement, m) => {
          known(assets, movement.asset, `${at}.${side}[${m}].asset`, "asset");
          checkAmount(movement.quantity, `${at}.${side}[${m}].quantity`, 1n);
          checkAmount(movement.value, `${at}.${side}[${m}].value`);
        });
      }
    });
    if (call.metAt !== undefined && call.defaultedAt !== undefined) {
      fail("INCONSISTENT", `${path}.defaultedAt`, `a call is either met or defaulted, not both`);
    }
    if (call.metAt !== undefined) {
      checkTime(call.metAt, `${path}.metAt`);
      if (call.metAt < call.issuedAt) {
        fail("INCONSISTENT", `${path}.metAt`, `met (${call.metAt}) before it was issued (${call.issuedAt})`);
      }
    }
    if (call.defaultedAt !== undefined) {
      checkTime(call.defaultedAt, `${path}.defaultedAt`);
      if (call.defaultedAt < call.deadline) {
        fail(
          "INCONSISTENT",
          `${path}.defaultedAt`,
          `declared in default (${call.defaultedAt}) before its deadline (${call.deadline})`,
        );
      }
    }
    callStatus.set(call.id, {
      account: call.account,
      cycle: call.cycle,
      defaulted: call.defaultedAt !== undefined,
    });
  });

  // Owners as of each default's cycle, to check the default's scope and its portings.
  const owner = new Map(facts.accounts.map((account) => [account.id, account.participant]));
  const defaultsByCycle = [...facts.defaults.entries()].sort(
    ([, a], [, b]) => (cycleIndex.get(a.cycle) ?? 0) - (cycleIndex.get(b.cycle) ?? 0),
  );
  for (const [i, fault] of defaultsByCycle) {
    const path = `defaults[${i}]`;
    known(participants, fault.participant, `${path}.participant`, "participant");
    known(cycleIds, fault.cycle, `${path}.cycle`, "cycle");
    checkTime(fault.declaredAt, `${path}.declaredAt`);
    if (fault.scope === "account") {
      if (fault.account === undefined)
        fail("BAD_FIELD", `${path}.account`, `a default of scope "account" names the account`);
      known(accounts, fault.account, `${path}.account`, "account");
      if (owner.get(fault.account) !== fault.participant) {
        fail(
          "INCONSISTENT",
          `${path}.account`,
          `account "${fault.account}" does not belong to "${fault.participant}"`,
        );
      }
    } else if (fault.scope === "participant") {
      if (fault.account !== undefined) {
        fail("BAD_FIELD", `${path}.account`, `a default of scope "participant" names no single account`);
      }
    } else {
      fail(
        "BAD_FIELD",
        `${path}.scope`,
        `must be "participant" or "account", got ${JSON.stringify(fault.scope)}`,
      );
    }
    fault.calls.forEach((id, c) => {
      known(callIds, id, `${path}.calls[${c}]`, "margin call");
      if (!callStatus.get(id)!.defaulted) {
        fail(
          "INCONSISTENT",
          `${path}.calls[${c}]`,
          `margin call "${id}" is not marked defaulted (no defaultedAt)`,
        );
      }
    });
    fault.seized.forEach((seizure, s) => {
      known(accounts, seizure.account, `${path}.seized[${s}].account`, "account");
      checkHolding(seizure, assets, `${path}.seized[${s}]`, undefined);
    });
    fault.ported.forEach((porting, p) => {
      const at = `${path}.ported[${p}]`;
      known(accounts, porting.account, `${at}.account`, "account");
      known(participants, porting.to, `${at}.to`, "participant");
      if (accountKind.get(porting.account) !== "customer") {
        fail(
          "INCONSISTENT",
          `${at}.account`,
          `only customer accounts are ported, "${porting.account}" is a house account`,
        );
      }
      if (owner.get(porting.account) !== fault.participant) {
        fail(
          "INCONSISTENT",
          `${at}.account`,
          `account "${porting.account}" does not belong to "${fault.participant}"`,
        );
      }
      if (porting.to === fault.participant) {
        fail(
          "INCONSISTENT",
          `${at}.to`,
          `an account is ported to another participant, not back to "${porting.to}"`,
        );
      }
    });
    for (const porting of fault.ported) owner.set(porting.account, porting.to);
  }

  facts.fees?.participants.forEach((row, i) => {
    known(participants, row.participant, `fees.participants[${i}].participant`, "participant");
  });
  facts.settlement?.forEach((session, i) => {
    const path = `settlement[${i}]`;
    if (isoDay(session.businessDate) === undefined) {
      fail(
        "BAD_DATE",
        `${path}.businessDate`,
        `must be a date YYYY-MM-DD, got ${JSON.stringify(session.businessDate)}`,
      );
    }
    for (const key of ["trades", "settled", "settledAfterRetry", "cancelled", "failedAttempts"] as const) {
      checkCount(session[key], `${path}.${key}`);
    }
    if (session.settled + session.cancelled > session.trades) {
      fail(
        "INCONSISTENT",
        `${path}.settled`,
        `settled ${session.settled} + cancelled ${session.cancelled} exceed the ${session.trades} trades`,
      );
    }
    if (session.settledAfterRetry > session.settled) {
      fail("INCONSISTENT", `${path}.settledAfterRetry`, `exceeds the ${session.settled} settled trades`);
    }
    checkAmount(session.cashSettled, `${path}.cashSettled`);
  });
}

// ─── Small helpers ───────────────────────────────────────────────────────────────────────────────────────────

/** The given fields of a facts record, in that order, bigint amounts as decimal strings. */
function written<T, K extends keyof T>(record: T, keys: readonly K[]): Written<Pick<T, K>> {
  const result: Partial<Record<K, unknown>> = {};
  for (const key of keys) {
    const value = record[key];
    result[key] = typeof value === "bigint" ? value.toString() : value;
  }
  return result as Written<Pick<T, K>>;
}

function sum(amounts: readonly bigint[]): bigint {
  let total = 0n;
  for (const amount of amounts) total += amount;
  return total;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group === undefined) groups.set(key(item), [item]);
    else group.push(item);
  }
  return groups;
}
