/**
 * The tail is chosen right (fast-check; FC_NUM_RUNS, FC_SEED/FC_PATH): on any P&L vector, long or short, with
 * ties or without, selectTail gives the k scenarios of the largest losses, the earlier ones on ties: what sorting
 * every scenario would give.
 */
import { expect } from "chai";
import fc from "fast-check";

import { selectTail, TailScratch } from "../../ts-src/margin/tail.ts";
import { propertyParameters } from "../support/fast-check.ts";

/** The k largest losses by sorting all scenarios (loss descending, then index), in scenario order. */
function sortedTail(pnl: readonly number[], k: number): number[] {
  const order = pnl.map((_, s) => s).sort((a, b) => pnl[a]! - pnl[b]! || a - b); // P&L ascending = loss descending
  return order.slice(0, k).sort((a, b) => a - b);
}

describe("margin: tail selection", () => {
  it("gives the scenarios of the k largest losses, earlier scenarios first on ties", () => {
    const value = fc.oneof(
      fc.double({ min: -1e9, max: 1e9, noNaN: true }),
      fc.integer({ min: -3, max: 3 }), // many ties
      fc.constant(0),
    );
    const vector = fc.oneof(
      fc.array(value, { minLength: 1, maxLength: 60 }),
      fc.array(value, { minLength: 512, maxLength: 1400 }), // long enough for the sampled threshold
    );
    fc.assert(
      fc.property(vector, fc.nat(), (pnl, pick) => {
        const k = 1 + (pick % Math.min(pnl.length, 80));
        const tail = selectTail(Float64Array.from(pnl), pnl.length, new TailScratch(k));
        expect(Array.from(tail)).to.deep.equal(sortedTail(pnl, k));
      }),
      propertyParameters(),
    );
  });
});
