/**
 * `--explain` and `--what-if` (fast-check; FC_NUM_RUNS, FC_SEED/FC_PATH): the positions' contributions add up
 * to ES; a what-if gives exactly the margins of a full run on the traded book, for the touched accounts only.
 */
import { expect } from "chai";
import fc from "fast-check";

import { computeMargin, prepareMargin } from "../../ts-src/margin/engine.ts";
import { explainAccount } from "../../ts-src/margin/explain.ts";
import type { Position } from "../../ts-src/margin/types.ts";
import { createWhatIf } from "../../ts-src/margin/whatif.ts";
import { propertyParameters } from "../support/fast-check.ts";
import { ALL, baseInput, propertyTimeout } from "../support/margin-case.ts";

const BASE = baseInput();
const runs = propertyParameters().numRuns ?? 100;

/** An account's positions: up to 8 rows in the base instruments (rows of the same instrument add up). */
const rows = (maxQuantity: number) =>
  fc.array(
    fc.record({
      instrument: fc.constantFrom(...ALL),
      quantity: fc.integer({ min: -maxQuantity, max: maxQuantity }),
    }),
    { minLength: 1, maxLength: 8 },
  );

/** Σ of float64s, exactly (two-sum), rounded once: so that the test adds no error of its own. */
function exactSum(values: readonly number[]): number {
  let hi = 0;
  let lo = 0;
  for (const value of values) {
    const s = hi + value;
    const bb = s - hi;
    lo += hi - (s - bb) + (value - bb);
    hi = s;
  }
  return hi + lo;
}

/** The spacing of float64s at x (its unit in the last place). */
function ulp(x: number): number {
  const magnitude = Math.abs(x);
  return magnitude === 0 ? Number.MIN_VALUE : 2 ** (Math.floor(Math.log2(magnitude)) - 52);
}

describe("margin: explain and what-if properties", function () {
  this.timeout(propertyTimeout(runs, 50));

  it("the positions' contributions add up to ES within 1e-6 yen (accounts with |ES| < 10^8 yen)", () => {
    fc.assert(
      fc.property(rows(25), (positions) => {
        const prepared = prepareMargin({
          ...BASE,
          positions: positions.map((p) => ({ account: "A", ...p })),
        });
        const explanation = explainAccount(prepared, "A");
        fc.pre(Math.abs(explanation.es) < 1e8);
        const sum = exactSum(explanation.positions.map((p) => p.esContribution));
        expect(Math.abs(sum - explanation.es), `Σ ${sum} vs ES ${explanation.es}`).to.be.at.most(1e-6);
      }),
      propertyParameters(),
    );
  });

  it("at any size they add up to ES to float64's resolution: (positions + 1) units in the last place", () => {
    fc.assert(
      fc.property(rows(5000), (positions) => {
        const prepared = prepareMargin({
          ...BASE,
          positions: positions.map((p) => ({ account: "A", ...p })),
        });
        const explanation = explainAccount(prepared, "A");
        const contributions = explanation.positions.map((p) => p.esContribution);
        const largest = Math.max(Math.abs(explanation.es), ...contributions.map(Math.abs));
        const bound = (contributions.length + 1) * ulp(largest);
        expect(Math.abs(exactSum(contributions) - explanation.es)).to.be.at.most(bound);
      }),
      propertyParameters(),
    );
  });

  it("a what-if gives the margins of a full run on the book with the trades, for the touched accounts only", () => {
    const account = fc.constantFrom("A", "B", "C", "D");
    const positions = fc.array(fc.tuple(account, rows(300)), { minLength: 1, maxLength: 3 });
    const trades = fc.array(
      fc.record({
        account,
        instrument: fc.constantFrom(...ALL),
        quantity: fc.integer({ min: -300, max: 300 }),
      }),
      { minLength: 1, maxLength: 6 },
    );
    fc.assert(
      fc.property(positions, trades, fc.array(trades, { maxLength: 2 }), (books, traded, earlier) => {
        const book: Position[] = books.flatMap(([id, list]) => list.map((p) => ({ account: id, ...p })));
        const whatIf = createWhatIf(prepareMargin({ ...BASE, positions: book }));
        for (const previous of earlier) whatIf.evaluate(previous); // kept vectors must not leak into later calls
        const report = whatIf.evaluate(traded);
        const before = computeMargin({ ...BASE, positions: book });
        const after = computeMargin({ ...BASE, positions: [...book, ...traded] });
        const touched = [...new Set(traded.map((t) => t.account))].sort();
        expect(report.accounts.map((a) => a.account)).to.deep.equal(touched);
        for (const result of report.accounts) {
          const was = before.accounts.find((a) => a.account === result.account);
          expect(result.before.im).to.equal(was?.im ?? 0n);
          expect(result.after).to.deep.equal(after.accounts.find((a) => a.account === result.account));
        }
      }),
      propertyParameters(),
    );
  });
});
