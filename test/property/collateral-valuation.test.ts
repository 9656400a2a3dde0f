import { expect } from "chai";
import fc from "fast-check";
import { network } from "hardhat";

import { BOUNDS, applyLimits, haircutValue } from "../../ts-src/collateral/valuation.ts";
import type { CEValuationHarness } from "../support/collateral.ts";
import { propertyParameters } from "../support/fast-check.ts";

/**
 * The escrow's valuation maths (contracts/libraries/CollateralValuation.sol, through contracts/mocks/
 * CEValuationHarness.sol) and the TypeScript one (ts-src/collateral/valuation.ts) agree to the yen on random
 * holdings anywhere within the bounds (quantity < 2^128, price < 2^96, FX rate < 2^64, decimals <= 18, up to 8
 * assets), extremes included; and the valuation is monotone (more of an asset, a higher price or FX rate, a looser
 * limit never lower it; a higher haircut never raises it).
 *
 * Runs: FC_NUM_RUNS (default 100); replay a failure with the FC_SEED and FC_PATH fast-check prints.
 */

const { ethers } = await network.create();
const harness = (await ethers.deployContract("CEValuationHarness")) as unknown as CEValuationHarness;

/** A bigint in [min, max), drawn more often at the ends and from realistic magnitudes. */
function amount(min: bigint, bound: bigint, realistic: bigint): fc.Arbitrary<bigint> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.bigInt({ min, max: realistic }) },
    { weight: 2, arbitrary: fc.bigInt({ min, max: bound - 1n }) },
    { weight: 1, arbitrary: fc.constantFrom(min, bound - 1n) },
  );
}

const holdingArbitrary = fc.record({
  quantity: amount(0n, BOUNDS.quantity, 10n ** 15n),
  price: amount(1n, BOUNDS.price, 10n ** 15n),
  fxRate: amount(1n, BOUNDS.fxRate, 2n * 10n ** 10n),
  haircutBps: fc.oneof(fc.integer({ min: 0, max: 10_000 }), fc.constantFrom(0, 10_000)),
  decimals: fc.integer({ min: 0, max: BOUNDS.decimals }),
  limitBps: fc.oneof(fc.integer({ min: 1, max: 10_000 }), fc.constant(10_000)),
});
type HoldingInput = typeof holdingArbitrary extends fc.Arbitrary<infer T> ? T : never;

function tsValuation(holdings: readonly HoldingInput[]): { value: bigint; values: bigint[] } {
  const values = holdings.map((h) => haircutValue(h));
  return {
    value: applyLimits(
      values,
      holdings.map((h) => h.limitBps),
    ).value,
    values,
  };
}

describe("Collateral valuation: contract and TypeScript (property)", () => {
  it("agree to the yen on random holdings within the bounds", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(holdingArbitrary, { minLength: 0, maxLength: 8 }), async (holdings) => {
        const [counted, haircutValues] = await harness.value(holdings);
        const expected = tsValuation(holdings);
        expect(haircutValues).to.deep.equal(expected.values);
        expect(counted).to.equal(expected.value);
      }),
      propertyParameters(),
    );
  }).timeout(timeoutFor(propertyParameters().numRuns ?? 100));

  it("is monotone: more quantity, price, FX or limit never lowers it; more haircut never raises it", () => {
    const change = fc.record({
      index: fc.nat(),
      field: fc.constantFrom("quantity", "price", "fxRate", "haircutBps", "limitBps"),
      step: fc.bigInt({ min: 1n, max: 10n ** 12n }),
    });
    fc.assert(
      fc.property(
        fc.array(holdingArbitrary, { minLength: 1, maxLength: 8 }),
        change,
        (holdings, { index, field, step }) => {
          const i = index % holdings.length;
          const before = holdings[i]!;
          const after = { ...before };
          if (field === "quantity") after.quantity = min(before.quantity + step, BOUNDS.quantity - 1n);
          if (field === "price") after.price = min(before.price + step, BOUNDS.price - 1n);
          if (field === "fxRate") after.fxRate = min(before.fxRate + step, BOUNDS.fxRate - 1n);
          if (field === "haircutBps")
            after.haircutBps = Math.min(before.haircutBps + Number(step % 10_000n), 10_000);
          if (field === "limitBps")
            after.limitBps = Math.min(before.limitBps + Number(step % 10_000n), 10_000);
          const changed = holdings.map((h, j) => (j === i ? after : h));
          const a = tsValuation(holdings).value;
          const b = tsValuation(changed).value;
          if (field === "haircutBps") expect(b <= a, `${field}: ${a} → ${b}`).to.equal(true);
          else expect(b >= a, `${field}: ${a} → ${b}`).to.equal(true);
          // And never more than the total before limits.
          expect(b <= tsValuation(changed).values.reduce((s, v) => s + v, 0n)).to.equal(true);
        },
      ),
      propertyParameters(),
    );
  });
});

function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

/** Mocha's timeout for `runs` eth_calls (a few milliseconds each), with a wide margin. */
function timeoutFor(runs: number): number {
  return Math.max(60_000, runs * 200);
}
