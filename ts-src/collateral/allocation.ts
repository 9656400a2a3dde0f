/**
 * Cheapest to deliver: what a clearing participant's agent posts to answer a margin call, and what it takes back
 * when an account holds more than it needs. Pure: the market (schedule, prices, FX, block time), the account, the
 * funding wallet's inventory and a cost model in; a decision out. The values are the escrow's own
 * (./valuation.ts: haircuts, FX, concentration limits, to the yen), so a chosen answer covers on chain exactly when it
 * covers here.
 *
 * Cost of collateral: what holding it for a horizon of `horizonDays` costs the holder, in yen (exact rationals):
 * - the clearing house's collateral fees (JSCC, collateral fees of the OTC derivatives business, rule outline
 *   2023-12-14; the rates of ts-src/fees): yen cash pays the negative-rate trust fee while the trust rate is negative
 *   (|rate| a year on the yen); JGBs 0.50/10,000 a year of their face value; US Treasuries 0.50/10,000 a year of their
 *   face value in yen, 1.0/10,000 a year of their market value (the month-end fee, spread over the days), and USD 20
 *   for every deposit or return instruction; other cash (a dollar coin) no fee;
 * - the holder's own carry: what posting the asset forgoes (the return it would earn elsewhere), in basis points a
 *   year of its market value.
 * A plan's cost is the horizon cost of every holding the account ends with, plus the instruction fees of the legs it
 * moves. Haircuts and FX enter through the quantity a value needs: a 5% haircut means posting more market value for
 * the same collateral value, and paying its fees and carry.
 *
 * Answering a call: the account must reach its requirement plus a buffer (`bufferBps` of the requirement) when the
 * inventory allows, else at least the requirement; the candidates are each asset of the inventory alone, the
 * cheapest-first mix, everything-then-trimmed, and substitutions that release a costlier asset held in the account
 * (all of it, or as much as the cheaper inventory can replace) while depositing cheaper ones in the same transaction.
 * Concentration limits: an answer that leaves every asset it deposits within its limit (its haircut value at most
 * its cap, so that all of it counts) wins over any that does not; only when no such answer covers the account does
 * the agent post beyond a limit (the value is then still counted as the escrow counts it, capped). Among the answers
 * of the same kind the cheapest wins (ties: fewer legs, then a deposit). When even the whole inventory cannot cover
 * the requirement the answer says so (`insufficient`, with what it could reach): the agent reports it, never skips
 * it.
 *
 * Returning excess: when the value exceeds the requirement by more than `thresholdBps`, the costliest assets are
 * withdrawn down to the requirement plus the buffer, if what that saves over the horizon beats the instruction fees.
 */
import { DAYS_PER_YEAR, JGB_RATE, UST_FACE_RATE, UST_INSTRUCTION_USD, UST_VALUE_RATE } from "../fees/fees.ts";
import { Fraction } from "../shared/fraction.ts";
import { CollateralError } from "./errors.ts";
import {
  BPS,
  type Holding,
  MAX_ASSETS_PER_ACCOUNT,
  type Market,
  PRICE_ONE,
  assetHaircutValue,
  quantityForValue,
  usableQuote,
  valueAccount,
} from "./valuation.ts";

/** Which fees of the schedule an asset pays. */
export type FeeClass = "yen-cash" | "cash" | "jgb" | "ust";

/** What holding an asset costs, besides its market value. */
export interface AssetCostTerms {
  readonly feeClass: FeeClass;
  /** Face value of one whole token in its currency's minor units (JGB: yen; US Treasury: cents); 0 for cash. */
  readonly faceValue: bigint;
  /** The holder's carry: what posting it forgoes, basis points a year of its market value (default 0). */
  readonly carryBps?: number;
}

/** The holder's view of what collateral costs. */
export interface CostModel {
  /** Days the collateral is expected to stay posted; fees and carry are counted over them. */
  readonly horizonDays: number;
  /** The rate applied to the clearing house's yen trust (−0.001 for −0.1%); its fee accrues only while negative. */
  readonly trustRate: Fraction;
  /** By asset address, lower case. An asset without terms cannot be costed: it is never posted. */
  readonly assets: ReadonlyMap<string, AssetCostTerms>;
}

/** A quantity of an asset that moves (base units). */
export interface Leg {
  readonly asset: string;
  readonly quantity: bigint;
}

/** What an allocation starts from. */
export interface AllocationInput {
  readonly market: Market;
  /** The account's holdings. */
  readonly holdings: readonly Holding[];
  /** Its requirement, yen. */
  readonly requirement: bigint;
  /** What the funding wallet holds and may post (its balances of listed assets). */
  readonly inventory: readonly Holding[];
  readonly costs: CostModel;
  /** Aim this far above the requirement when answering a call, basis points of the requirement (default 0). */
  readonly bufferBps?: number;
  /** Whether a substitution may answer (false when the funding wallet may not take assets out). Default true. */
  readonly allowSubstitution?: boolean;
}

/** The answer to a margin call. */
export type CallAnswer =
  | { readonly kind: "covered"; readonly valueBefore: bigint; readonly requirement: bigint }
  | {
      readonly kind: "deposit";
      readonly valueBefore: bigint;
      readonly requirement: bigint;
      /** What the answer aims at: the requirement plus the buffer, or the requirement when the buffer is out of reach. */
      readonly target: bigint;
      readonly deposits: readonly Leg[];
      readonly valueAfter: bigint;
      /** Horizon cost of the account's holdings after, plus the legs' instruction fees, yen. */
      readonly cost: Fraction;
    }
  | {
      readonly kind: "substitution";
      readonly valueBefore: bigint;
      readonly requirement: bigint;
      readonly target: bigint;
      readonly deposits: readonly Leg[];
      readonly releases: readonly Leg[];
      readonly valueAfter: bigint;
      readonly cost: Fraction;
    }
  | {
      readonly kind: "insufficient";
      readonly valueBefore: bigint;
      readonly requirement: bigint;
      /** requirement − value before. */
      readonly shortfall: bigint;
      /** The most the inventory could bring the account to. */
      readonly reachable: bigint;
    };

/** What to take back from an account above its requirement. */
export type ExcessRelease =
  | {
      readonly kind: "none";
      readonly valueBefore: bigint;
      readonly reason: "within-threshold" | "not-worth-fees";
    }
  | {
      readonly kind: "withdrawal";
      readonly valueBefore: bigint;
      readonly target: bigint;
      readonly releases: readonly Leg[];
      readonly valueAfter: bigint;
      /** Horizon cost saved, less the instruction fees, yen (≥ 0: an asset that counts for nothing saves nothing). */
      readonly saving: Fraction;
    };

/** ISO 4217 minor units of the currencies a face value may be in. */
export const MINOR_UNITS: Readonly<Record<string, number>> = {
  JPY: 0,
  USD: 2,
  EUR: 2,
  GBP: 2,
  AUD: 2,
  CAD: 2,
  CHF: 2,
};

/** The collateral value used to rank assets by cost: one million yen. */
const RANKING_VALUE = 1_000_000n;

// ─── Costs ──────────────────────────────────────────────────────────────────────────────────────────────────

/**
 * The horizon cost in yen of holding `quantity` of `asset` as collateral: fees of the schedule and the holder's carry
 * (see the module notes).
 *
 * @example
 *   holdingCost(market, costs, jgb, 100n); // 100 JGB units (¥100,000,000 face) for 30 days: ¥410.96 of custody fee
 */
export function holdingCost(market: Market, costs: CostModel, asset: string, quantity: bigint): Fraction {
  if (quantity === 0n) return Fraction.ZERO;
  const terms = costTerms(costs, asset);
  const scheduled = market.assets.get(asset.toLowerCase())!;
  const { price, fxRate } = usableQuote(market, asset);
  const years = new Fraction(BigInt(costs.horizonDays), DAYS_PER_YEAR);
  // Market value in yen, unrounded: q × price × fx / 10^(decimals + 16).
  const marketValue = new Fraction(quantity * price * fxRate, 10n ** BigInt(scheduled.decimals + 16));
  let yearly = marketValue.mul(new Fraction(BigInt(terms.carryBps ?? 0), BPS));
  if (terms.feeClass === "yen-cash" && costs.trustRate.sign() < 0) {
    yearly = yearly.add(marketValue.mul(costs.trustRate.abs()));
  }
  if (terms.feeClass === "jgb" || terms.feeClass === "ust") {
    const minor = MINOR_UNITS[scheduled.currency];
    if (minor === undefined) {
      throw new CollateralError(
        "COLLATERAL_UNKNOWN_CURRENCY",
        `no minor unit known for ${scheduled.currency}`,
        {
          currency: scheduled.currency,
        },
      );
    }
    // Face value in yen: q / 10^decimals × face / 10^minor × fx / 10^8.
    const face = new Fraction(
      quantity * terms.faceValue * fxRate,
      10n ** BigInt(scheduled.decimals + minor) * PRICE_ONE,
    );
    yearly = yearly.add(face.mul(terms.feeClass === "jgb" ? JGB_RATE : UST_FACE_RATE));
    if (terms.feeClass === "ust") yearly = yearly.add(marketValue.mul(UST_VALUE_RATE));
  }
  return yearly.mul(years);
}

/**
 * The fee of one deposit or return instruction of `asset`, in yen: USD 20 at the FX rate for a US Treasury, nothing
 * otherwise.
 *
 * @example
 *   instructionCost(market, costs, ust); // USD 20 at 150.00: ¥3,000
 */
export function instructionCost(market: Market, costs: CostModel, asset: string): Fraction {
  if (costTerms(costs, asset).feeClass !== "ust") return Fraction.ZERO;
  const { fxRate } = usableQuote(market, asset);
  return new Fraction(UST_INSTRUCTION_USD * fxRate, PRICE_ONE);
}

/**
 * The cost of a plan: the horizon cost of every holding the account ends with, plus the instruction fee of each leg.
 *
 * @example
 *   planCost(market, costs, [{ asset: jgb, quantity: 120n }], [{ asset: jgb, quantity: 20n }]);
 */
export function planCost(
  market: Market,
  costs: CostModel,
  end: readonly Holding[],
  legs: readonly Leg[],
): Fraction {
  let total = Fraction.ZERO;
  for (const holding of end) total = total.add(holdingCost(market, costs, holding.asset, holding.quantity));
  for (const leg of legs) total = total.add(instructionCost(market, costs, leg.asset));
  return total;
}

/**
 * What a million yen of collateral value in `asset` costs to hold over the horizon (fees and carry; instruction fees
 * apart); `undefined` when the asset counts for nothing (delisted, a 100% haircut) or cannot be costed.
 */
export function costPerValue(market: Market, costs: CostModel, asset: string): Fraction | undefined {
  if (!costs.assets.has(asset.toLowerCase())) return undefined;
  const quantity = quantityForValue(market, asset, RANKING_VALUE);
  if (quantity === undefined) return undefined;
  return holdingCost(market, costs, asset, quantity);
}

// ─── Answering a call ───────────────────────────────────────────────────────────────────────────────────────

/**
 * The cheapest answer to a margin call (see the module notes): a deposit, a substitution, `covered` when nothing is
 * needed, or `insufficient` when the inventory cannot reach the requirement.
 *
 * @example
 *   const answer = answerMarginCall({ market, holdings, requirement, inventory, costs, bufferBps: 500 });
 *   if (answer.kind === "deposit") for (const leg of answer.deposits) await deposit(leg);
 */
export function answerMarginCall(input: AllocationInput): CallAnswer {
  const { market, requirement, costs } = input;
  const holdings = stateOf(input.holdings);
  const valueBefore = valueOf(market, holdings);
  if (valueBefore >= requirement) return { kind: "covered", valueBefore, requirement };
  const inventory = stateOf(input.inventory.filter((h) => costs.assets.has(h.asset.toLowerCase())));
  const withTarget = requirement + ceilDiv(requirement * BigInt(input.bufferBps ?? 0), BPS);

  const everything = depositAll(market, costs, holdings, inventory);
  const reachable = valueOf(market, everything);
  if (reachable < requirement) {
    return {
      kind: "insufficient",
      valueBefore,
      requirement,
      shortfall: requirement - valueBefore,
      reachable,
    };
  }
  const target = reachable >= withTarget ? withTarget : requirement;
  const ranked = rankByCost(market, costs, [...inventory.keys()]);
  const sources = (assets: readonly string[]): Source[] =>
    assets.map((asset) => ({ asset, available: inventory.get(asset) ?? 0n }));

  const candidates: Candidate[] = [];
  const consider = (end: State | undefined): void => {
    if (end === undefined || valueOf(market, end) < target) return;
    const candidate = candidateOf(market, costs, holdings, end);
    if (candidate !== undefined) candidates.push(candidate);
  };
  // Each asset alone, then the cheapest first; within the concentration limits, then regardless of them.
  for (const limited of [true, false]) {
    for (const asset of ranked) consider(fill(market, holdings, sources([asset]), target, limited));
    consider(fill(market, holdings, sources([...ranked, ...ranked]), target, limited));
  }
  consider(trim(market, holdings, everything, [...ranked].reverse(), target));
  // Substitutions: release a costlier asset held (or every costlier one), replace it from the inventory.
  if (input.allowSubstitution !== false) {
    for (const released of releaseSets(market, costs, holdings, ranked)) {
      const base = new Map(holdings);
      for (const asset of released) base.delete(asset);
      const cheaper = ranked.filter((asset) => !released.includes(asset));
      const retaken = released.map((asset) => ({ asset, available: holdings.get(asset)! }));
      consider(fill(market, base, [...sources(cheaper), ...retaken, ...sources(cheaper)], target, true));
    }
  }
  // An answer that keeps every deposit within its limit wins over any that does not.
  const best = cheapest(candidates.filter((candidate) => candidate.withinLimits)) ?? cheapest(candidates);
  if (best === undefined) {
    // The whole inventory reaches the target (checked above), and `trim` always returns a state that does.
    throw new Error("answerMarginCall: no candidate reached a reachable target");
  }
  const common = { valueBefore, requirement, target, valueAfter: best.value, cost: best.cost };
  return best.releases.length === 0
    ? { kind: "deposit", ...common, deposits: best.deposits }
    : { kind: "substitution", ...common, deposits: best.deposits, releases: best.releases };
}

/**
 * What to withdraw from an account whose value exceeds its requirement by more than `thresholdBps` (see the module
 * notes): the costliest assets first, down to the requirement plus `bufferBps`, when it saves more than it costs in
 * instruction fees.
 *
 * @example
 *   const release = releaseExcess({ market, holdings, requirement, inventory: [], costs, bufferBps: 500 }, 1_500);
 *   if (release.kind === "withdrawal") for (const leg of release.releases) await withdraw(leg);
 */
export function releaseExcess(input: AllocationInput, thresholdBps: number): ExcessRelease {
  const { market, requirement, costs } = input;
  const holdings = stateOf(input.holdings);
  const valueBefore = valueOf(market, holdings);
  const threshold = requirement + (requirement * BigInt(thresholdBps)) / BPS;
  if (valueBefore <= threshold) return { kind: "none", valueBefore, reason: "within-threshold" };
  const target = requirement + ceilDiv(requirement * BigInt(input.bufferBps ?? 0), BPS);
  const state = new Map(holdings);
  // Costliest first; an asset that counts for nothing (delisted) goes before everything.
  const order = rankByCost(market, costs, [...holdings.keys()]).reverse();
  let saving = Fraction.ZERO;
  for (const asset of order) {
    const held = state.get(asset)!;
    const keep = smallest(0n, held, (q) => valueOf(market, withQuantity(state, asset, q)) >= target);
    if (keep === held) continue;
    // Worth returning only if holding the difference costs more over the horizon than the return instruction.
    const costed = costs.assets.has(asset) && !countsForNothing(market, asset);
    const saved = costed
      ? holdingCost(market, costs, asset, held)
          .sub(holdingCost(market, costs, asset, keep))
          .sub(instructionCost(market, costs, asset))
      : Fraction.ZERO;
    if (costed && saved.sign() <= 0) continue;
    setQuantity(state, asset, keep);
    saving = saving.add(saved);
  }
  const releases = legsBetween(holdings, state);
  if (releases.length === 0) return { kind: "none", valueBefore, reason: "not-worth-fees" };
  return { kind: "withdrawal", valueBefore, target, releases, valueAfter: valueOf(market, state), saving };
}

// ─── Internals ──────────────────────────────────────────────────────────────────────────────────────────────

/** Holdings by lower-case address, in first-seen order, zero quantities dropped. */
type State = Map<string, bigint>;

/** Where a fill may take an asset from, and how much. */
interface Source {
  readonly asset: string;
  readonly available: bigint;
}

interface Candidate {
  /** Every asset deposited ends with its haircut value within its concentration cap. */
  readonly withinLimits: boolean;
  readonly deposits: Leg[];
  readonly releases: Leg[];
  readonly value: bigint;
  readonly cost: Fraction;
}

function stateOf(holdings: readonly Holding[]): State {
  const state: State = new Map();
  for (const { asset, quantity } of holdings) {
    if (quantity <= 0n) continue;
    const key = asset.toLowerCase();
    state.set(key, (state.get(key) ?? 0n) + quantity);
  }
  return state;
}

function holdingsOf(state: State): Holding[] {
  return [...state].map(([asset, quantity]) => ({ asset, quantity }));
}

function valueOf(market: Market, state: State): bigint {
  return valueAccount(market, holdingsOf(state)).value;
}

function withQuantity(state: State, asset: string, quantity: bigint): State {
  const next = new Map(state);
  setQuantity(next, asset, quantity);
  return next;
}

function setQuantity(state: State, asset: string, quantity: bigint): void {
  if (quantity <= 0n) state.delete(asset);
  else state.set(asset, quantity);
}

/** A delisted asset, or one with a 100% haircut: it counts for nothing (and may have no usable price). */
function countsForNothing(market: Market, asset: string): boolean {
  const scheduled = market.assets.get(asset);
  return scheduled === undefined || !scheduled.listed || scheduled.haircutBps === Number(BPS);
}

function costTerms(costs: CostModel, asset: string): AssetCostTerms {
  const terms = costs.assets.get(asset.toLowerCase());
  if (terms === undefined) {
    throw new CollateralError("COLLATERAL_UNKNOWN_ASSET", `no cost terms for asset ${asset}`, { asset });
  }
  return terms;
}

/** Assets from the cheapest per yen of collateral value to the costliest; those that count for nothing last. */
function rankByCost(market: Market, costs: CostModel, assets: readonly string[]): string[] {
  const priced = assets.map((asset) => ({ asset, cost: costPerValue(market, costs, asset) }));
  return priced
    .sort((a, b) => {
      if (a.cost === undefined || b.cost === undefined)
        return a.cost === b.cost ? 0 : a.cost === undefined ? 1 : -1;
      const order = a.cost.compare(b.cost);
      return order !== 0 ? order : a.asset < b.asset ? -1 : a.asset > b.asset ? 1 : 0;
    })
    .map((entry) => entry.asset);
}

/**
 * The smallest q in [lo, hi] for which `holds(q)` (a predicate monotone in q: false … false true … true), given that
 * `holds(hi)`.
 */
function smallest(lo: bigint, hi: bigint, holds: (q: bigint) => boolean): bigint {
  while (lo < hi) {
    const mid = lo + (hi - lo) / 2n;
    if (holds(mid)) hi = mid;
    else lo = mid + 1n;
  }
  return hi;
}

/**
 * Adds from `sources` in order until the account's value reaches `target`: from each, the least that reaches it, or
 * else the least that brings the most value the source can. With `limited`, an asset with a concentration limit is
 * added only as far as it surely ends within that limit (see `withinLimit`). Never gives an account a ninth asset.
 * Returns the new state.
 */
function fill(
  market: Market,
  start: State,
  sources: readonly Source[],
  target: bigint,
  limited: boolean,
): State {
  const state = new Map(start);
  const taken = new Map<string, bigint>();
  for (const { asset, available } of sources) {
    const current = valueOf(market, state);
    if (current >= target) break;
    let left = available - (taken.get(asset) ?? 0n);
    if (left <= 0n) continue;
    if (!state.has(asset) && state.size >= MAX_ASSETS_PER_ACCOUNT) continue;
    if (assetHaircutValue(market, asset, left) === 0n) continue;
    const held = state.get(asset) ?? 0n;
    if (limited) left = withinLimit(market, state, asset, left, target);
    if (left <= 0n) continue;
    const valueWith = (q: bigint): bigint => valueOf(market, withQuantity(state, asset, held + q));
    const most = valueWith(left);
    if (most <= current) continue;
    let quantity: bigint;
    if (most >= target) {
      // The closed form (no limits) is usually the answer; the search makes it exact under the limits.
      const guess = quantityForValue(market, asset, target - current);
      const hi = guess !== undefined && guess <= left && valueWith(guess) >= target ? guess : left;
      quantity = smallest(1n, hi, (q) => valueWith(q) >= target);
    } else {
      quantity = smallest(1n, left, (q) => valueWith(q) >= most);
    }
    state.set(asset, held + quantity);
    taken.set(asset, (taken.get(asset) ?? 0n) + quantity);
  }
  return state;
}

/**
 * At most `left` more of `asset`, such that it ends within its concentration cap: its haircut value V at most
 * limit × target (the account ends at the target or above, so its total before limits does too), or at most
 * limit × T' / (1 − limit) where T' is the rest of the account's total before limits (which only grows as a fill goes
 * on): V ≤ limit × (T' + V) either way.
 */
function withinLimit(market: Market, state: State, asset: string, left: bigint, target: bigint): bigint {
  const limit = BigInt(market.assets.get(asset)!.concentrationLimitBps);
  if (limit >= BPS) return left;
  const held = state.get(asset) ?? 0n;
  const others =
    valueAccount(market, holdingsOf(state)).totalBeforeLimits - assetHaircutValue(market, asset, held);
  const byTarget = (limit * target) / BPS;
  const byOthers = (limit * others) / (BPS - limit);
  const room = byTarget > byOthers ? byTarget : byOthers;
  if (assetHaircutValue(market, asset, held + left) <= room) return left;
  if (assetHaircutValue(market, asset, held) > room) return 0n;
  // The largest q ≤ left with V(held + q) ≤ room: one less than the smallest q whose value exceeds it.
  return smallest(0n, left, (q) => assetHaircutValue(market, asset, held + q) > room) - 1n;
}

/** The account with the whole inventory deposited (cheapest first, within the eight-asset bound). */
function depositAll(market: Market, costs: CostModel, holdings: State, inventory: State): State {
  const state = new Map(holdings);
  for (const asset of rankByCost(market, costs, [...inventory.keys()])) {
    if (!state.has(asset) && state.size >= MAX_ASSETS_PER_ACCOUNT) continue;
    state.set(asset, (state.get(asset) ?? 0n) + inventory.get(asset)!);
  }
  return state;
}

/** `full` with each deposit (in `order`) cut back to the least that keeps the value at `target`. */
function trim(
  market: Market,
  holdings: State,
  full: State,
  order: readonly string[],
  target: bigint,
): State | undefined {
  if (valueOf(market, full) < target) return undefined;
  const state = new Map(full);
  for (const asset of order) {
    const held = holdings.get(asset) ?? 0n;
    const now = state.get(asset) ?? 0n;
    if (now <= held) continue;
    const keep = smallest(held, now, (q) => valueOf(market, withQuantity(state, asset, q)) >= target);
    setQuantity(state, asset, keep);
  }
  return state;
}

/** Sets of assets held in the account worth releasing: each one costlier than the cheapest inventory, and all of them. */
function releaseSets(
  market: Market,
  costs: CostModel,
  holdings: State,
  ranked: readonly string[],
): string[][] {
  const cheapestInventory = ranked.length === 0 ? undefined : costPerValue(market, costs, ranked[0]!);
  if (cheapestInventory === undefined) return [];
  const costly = [...holdings.keys()].filter((asset) => {
    if (!costs.assets.has(asset)) return false;
    const cost = costPerValue(market, costs, asset);
    return cost === undefined || cost.compare(cheapestInventory) > 0;
  });
  const sets = costly.map((asset) => [asset]);
  if (costly.length > 1) sets.push(costly);
  return sets;
}

/** The legs that take `from` to `to`: positive differences. */
function legsBetween(to: State, from: State): Leg[] {
  const legs: Leg[] = [];
  for (const [asset, quantity] of to) {
    const before = from.get(asset) ?? 0n;
    if (quantity > before) legs.push({ asset, quantity: quantity - before });
  }
  return legs;
}

function stateCost(market: Market, costs: CostModel, state: State): Fraction {
  let total = Fraction.ZERO;
  for (const [asset, quantity] of state) {
    if (costs.assets.has(asset)) total = total.add(holdingCost(market, costs, asset, quantity));
  }
  return total;
}

function legsCost(market: Market, costs: CostModel, legs: readonly Leg[]): Fraction {
  let total = Fraction.ZERO;
  for (const leg of legs) total = total.add(instructionCost(market, costs, leg.asset));
  return total;
}

function candidateOf(market: Market, costs: CostModel, holdings: State, end: State): Candidate | undefined {
  const deposits = legsBetween(end, holdings);
  const releases = legsBetween(holdings, end);
  if (deposits.length === 0) return undefined;
  const valuation = valueAccount(market, holdingsOf(end));
  const deposited = new Set(deposits.map((leg) => leg.asset));
  return {
    withinLimits: valuation.assets.every((a) => !deposited.has(a.asset) || a.haircutValue <= a.cap),
    deposits,
    releases,
    value: valuation.value,
    cost: stateCost(market, costs, end).add(legsCost(market, costs, [...deposits, ...releases])),
  };
}

/** The cheapest candidate; ties go to fewer legs, then to a deposit, then to the first found. */
function cheapest(candidates: readonly Candidate[]): Candidate | undefined {
  let best: Candidate | undefined;
  for (const candidate of candidates) {
    if (best === undefined) {
      best = candidate;
      continue;
    }
    const order = candidate.cost.compare(best.cost);
    const legs = candidate.deposits.length + candidate.releases.length;
    const bestLegs = best.deposits.length + best.releases.length;
    if (
      order < 0 ||
      (order === 0 &&
        (legs < bestLegs || (legs === bestLegs && candidate.releases.length < best.releases.length)))
    ) {
      best = candidate;
    }
  }
  return best;
}

function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}
