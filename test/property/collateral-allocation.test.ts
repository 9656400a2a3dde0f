import { expect } from "chai";
import fc from "fast-check";

import {
  type CallAnswer,
  type Leg,
  answerMarginCall,
  planCost,
  releaseExcess,
} from "../../ts-src/collateral/allocation.ts";
import {
  type Holding,
  type Market,
  PRICE_ONE,
  type ScheduledAsset,
  fixedPoint,
  marketOf,
  valueAccount,
} from "../../ts-src/collateral/valuation.ts";
import {
  ASSETS,
  DOLLAR_COIN,
  DOLLAR_COIN_TERMS,
  JGB,
  JGB_TERMS,
  NOW,
  DAY,
  UST,
  UST_TERMS,
  YEN_COIN,
  YEN_COIN_TERMS,
  allocationCosts,
} from "../support/allocation.ts";
import { propertyParameters } from "../support/fast-check.ts";

/**
 * Cheapest to deliver (ts-src/collateral/allocation.ts) on random schedules (haircuts, concentration limits, prices,
 * USD/JPY), accounts, requirements, inventories, buffers and costs:
 * - an answer covers the requirement whenever the whole inventory could, and `insufficient` only when it could not;
 *   what it deposits comes from the inventory, what it releases from the account, and the value it claims is the
 *   escrow's valuation of the end state;
 * - it never posts beyond a concentration limit when the inventory's unlimited assets alone could cover;
 * - it never costs more than posting any single asset of the inventory (within the limits) to the same target;
 * - returning excess never takes an account below its requirement, even between two of its withdrawals.
 *
 * Runs: FC_NUM_RUNS (default 100); replay a failure with the FC_SEED and FC_PATH fast-check prints.
 */

const quantity = (max: bigint) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.bigInt({ min: 0n, max }) },
    { weight: 1, arbitrary: fc.constantFrom(0n, 1n, max) },
  );

const scheduleArbitrary = fc.record({
  haircuts: fc.tuple(
    fc.integer({ min: 0, max: 1_000 }),
    fc.integer({ min: 0, max: 2_000 }),
    fc.integer({ min: 0, max: 2_000 }),
    fc.integer({ min: 0, max: 3_000 }),
  ),
  limits: fc.tuple(
    fc.constant(10_000),
    fc.oneof(fc.constant(10_000), fc.integer({ min: 2_000, max: 10_000 })),
    fc.oneof(fc.constant(10_000), fc.integer({ min: 2_000, max: 10_000 })),
    fc.integer({ min: 2_000, max: 10_000 }),
  ),
  jgbPrice: fc.integer({ min: 900_000, max: 1_050_000 }),
  ustPrice: fc.integer({ min: 800, max: 1_100 }),
  usdJpy: fc.integer({ min: 10_000, max: 20_000 }).map((cents) => `${cents / 100}`),
});

const holdingsArbitrary = fc.tuple(
  quantity(2_000_000_000n),
  quantity(20_000_000_00n),
  quantity(2_000n),
  quantity(20_000n),
);

const caseArbitrary = fc.record({
  schedule: scheduleArbitrary,
  holdings: holdingsArbitrary,
  inventory: holdingsArbitrary,
  /** Requirement as value × (1 + x), x from −0.5 to +3. */
  stress: fc.integer({ min: -5_000, max: 30_000 }),
  bufferBps: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 2_000 })),
  trustRate: fc.constantFrom("-0.001", "-0.0005", "0", "0.001"),
  horizonDays: fc.integer({ min: 1, max: 90 }),
  carry: fc.tuple(...ASSETS.map(() => fc.integer({ min: 0, max: 500 }))),
});
type Case = typeof caseArbitrary extends fc.Arbitrary<infer T> ? T : never;

function marketOfCase(schedule: Case["schedule"]): Market {
  const terms: [string, ScheduledAsset][] = [
    [YEN_COIN, YEN_COIN_TERMS],
    [DOLLAR_COIN, DOLLAR_COIN_TERMS],
    [JGB, { ...JGB_TERMS, price: BigInt(schedule.jgbPrice) * PRICE_ONE }],
    [UST, { ...UST_TERMS, price: BigInt(schedule.ustPrice) * PRICE_ONE }],
  ];
  return marketOf({
    assets: terms.map(([asset, t], i) => [
      asset,
      { ...t, haircutBps: schedule.haircuts[i]!, concentrationLimitBps: schedule.limits[i]! },
    ]),
    fxRates: [["USD", { rate: fixedPoint(schedule.usdJpy), time: NOW - 60n, maxAge: DAY }]],
    now: NOW,
  });
}

function holdingsOf(quantities: readonly bigint[]): Holding[] {
  return ASSETS.map((asset, i) => ({ asset, quantity: quantities[i]! })).filter((h) => h.quantity > 0n);
}

function inputOf(c: Case) {
  const market = marketOfCase(c.schedule);
  const holdings = holdingsOf(c.holdings);
  const value = valueAccount(market, holdings).value;
  const base = value > 0n ? value : 10_000_000n;
  const requirement = base + (base * BigInt(c.stress)) / 10_000n;
  const costs = allocationCosts({
    trustRate: c.trustRate,
    horizonDays: c.horizonDays,
    carryBps: Object.fromEntries(ASSETS.map((asset, i) => [asset, c.carry[i]!])),
  });
  return { market, holdings, requirement, inventory: holdingsOf(c.inventory), costs, bufferBps: c.bufferBps };
}

/** `holdings` plus `ins`, less `outs`. */
function apply(holdings: readonly Holding[], ins: readonly Leg[], outs: readonly Leg[]): Holding[] {
  const state = new Map(holdings.map((h) => [h.asset, h.quantity]));
  for (const leg of ins) state.set(leg.asset, (state.get(leg.asset) ?? 0n) + leg.quantity);
  for (const leg of outs) state.set(leg.asset, (state.get(leg.asset) ?? 0n) - leg.quantity);
  for (const [asset, q] of state) expect(q >= 0n, `${asset} goes negative`).to.equal(true);
  return [...state].filter(([, q]) => q > 0n).map(([asset, q]) => ({ asset, quantity: q }));
}

function legsOf(answer: CallAnswer): { ins: readonly Leg[]; outs: readonly Leg[] } {
  if (answer.kind === "deposit") return { ins: answer.deposits, outs: [] };
  if (answer.kind === "substitution") return { ins: answer.deposits, outs: answer.releases };
  return { ins: [], outs: [] };
}

/** The least q of `asset` (at most `max`) bringing `holdings` to `target`, by bisection on the escrow's valuation. */
function leastToReach(
  market: Market,
  holdings: readonly Holding[],
  asset: string,
  max: bigint,
  target: bigint,
) {
  const value = (q: bigint) => valueAccount(market, apply(holdings, [{ asset, quantity: q }], [])).value;
  if (max <= 0n || value(max) < target) return undefined;
  let [lo, hi] = [0n, max];
  while (lo < hi) {
    const mid = (lo + hi) / 2n;
    if (value(mid) >= target) hi = mid;
    else lo = mid + 1n;
  }
  return hi;
}

const timeout = () => 60_000 + 200 * Number(process.env.FC_NUM_RUNS ?? 100);

describe("Collateral allocation: cheapest to deliver (property)", function () {
  this.timeout(timeout());

  it("covers whenever the inventory can, from the inventory, at the value the escrow would count", () => {
    fc.assert(
      fc.property(caseArbitrary, (c) => {
        const input = inputOf(c);
        const answer = answerMarginCall(input);
        const everything = valueAccount(input.market, apply(input.holdings, input.inventory, [])).value;
        const before = valueAccount(input.market, input.holdings).value;
        if (before >= input.requirement) {
          expect(answer.kind).to.equal("covered");
          return;
        }
        if (answer.kind === "insufficient") {
          expect(everything < input.requirement, "insufficient although the inventory covers").to.equal(true);
          expect(answer.reachable).to.equal(everything);
          return;
        }
        expect(everything >= input.requirement).to.equal(true);
        if (answer.kind === "covered") throw new Error("`covered` although the account is short");
        const { ins, outs } = legsOf(answer);
        for (const leg of ins) {
          const held = input.inventory.find((h) => h.asset === leg.asset)?.quantity ?? 0n;
          expect(
            leg.quantity > 0n && leg.quantity <= held,
            `deposit of ${leg.asset} beyond the inventory`,
          ).to.equal(true);
        }
        for (const leg of outs) {
          const held = input.holdings.find((h) => h.asset === leg.asset)?.quantity ?? 0n;
          expect(leg.quantity > 0n && leg.quantity <= held).to.equal(true);
          expect(
            ins.some((i) => i.asset === leg.asset),
            "an asset both in and out",
          ).to.equal(false);
        }
        const end = valueAccount(input.market, apply(input.holdings, ins, outs)).value;
        expect(end).to.equal(answer.valueAfter);
        expect(end >= input.requirement).to.equal(true);
        expect(end >= answer.target).to.equal(true);
      }),
      propertyParameters(),
    );
  });

  it("never posts beyond a concentration limit when the unlimited assets alone could cover", () => {
    fc.assert(
      fc.property(caseArbitrary, (c) => {
        const input = inputOf(c);
        const answer = answerMarginCall(input);
        if (answer.kind !== "deposit" && answer.kind !== "substitution") return;
        const unlimited = input.inventory.filter(
          (h) => input.market.assets.get(h.asset)!.concentrationLimitBps === 10_000,
        );
        const { ins, outs } = legsOf(answer);
        const uncappedEnough =
          valueAccount(input.market, apply(input.holdings, unlimited, [])).value >= answer.target;
        if (!uncappedEnough) return;
        const valuation = valueAccount(input.market, apply(input.holdings, ins, outs));
        for (const leg of ins) {
          const asset = valuation.assets.find((a) => a.asset === leg.asset)!;
          expect(asset.haircutValue <= asset.cap, `${leg.asset} posted beyond its limit`).to.equal(true);
        }
      }),
      propertyParameters(),
    );
  });

  it("never costs more than any single asset of the inventory posted alone within its limit", () => {
    fc.assert(
      fc.property(caseArbitrary, (c) => {
        const input = inputOf(c);
        const answer = answerMarginCall(input);
        if (answer.kind !== "deposit" && answer.kind !== "substitution") return;
        const { ins, outs } = legsOf(answer);
        const chosen = valueAccount(input.market, apply(input.holdings, ins, outs));
        const chosenWithin = ins.every((leg) => {
          const a = chosen.assets.find((x) => x.asset === leg.asset)!;
          return a.haircutValue <= a.cap;
        });
        for (const { asset, quantity: available } of input.inventory) {
          const q = leastToReach(input.market, input.holdings, asset, available, answer.target);
          if (q === undefined || q === 0n) continue;
          const leg = { asset, quantity: q };
          const end = apply(input.holdings, [leg], []);
          const alone = valueAccount(input.market, end).assets.find((a) => a.asset === asset)!;
          if (chosenWithin && alone.haircutValue > alone.cap) continue; // not an alternative within the limits
          const aloneCost = planCost(input.market, input.costs, end, [leg]);
          expect(answer.cost.compare(aloneCost) <= 0, `${asset} alone (${q}) is cheaper`).to.equal(true);
        }
      }),
      propertyParameters(),
    );
  });

  it("returns excess only down to the requirement plus the buffer, never below the requirement on the way", () => {
    fc.assert(
      fc.property(caseArbitrary, fc.integer({ min: 0, max: 5_000 }), (c, threshold) => {
        const input = inputOf(c);
        const release = releaseExcess(input, threshold);
        if (release.kind === "none") return;
        let holdings = input.holdings;
        for (const leg of release.releases) {
          holdings = apply(holdings, [], [leg]);
          expect(valueAccount(input.market, holdings).value >= input.requirement).to.equal(true);
        }
        const after = valueAccount(input.market, holdings).value;
        expect(after).to.equal(release.valueAfter);
        expect(after >= release.target).to.equal(true);
        expect(
          release.valueBefore > input.requirement + (input.requirement * BigInt(threshold)) / 10_000n,
        ).to.equal(true);
        expect(release.saving.sign() >= 0).to.equal(true);
      }),
      propertyParameters(),
    );
  });
});
