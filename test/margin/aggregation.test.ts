/** Aggregation per account: the P&L vector is Σ quantity × P&L per unit, whatever the grouping of the loop. */
import { expect } from "chai";

import { accountPnl, addPositionsPnl } from "../../ts-src/margin/aggregation.ts";
import { Prng } from "../../ts-src/shared/prng.ts";
import { closeTo } from "./helpers.ts";

describe("margin: aggregation per account", () => {
  const rng = new Prng(7);
  const scenarios = 37;
  const instruments = 25;
  const pnl = Float64Array.from({ length: instruments * scenarios }, () => rng.normal() * 1e6);
  const matrix = { pnl, scenarios };

  for (const count of [0, 1, 3, 4, 7, 8, 12, 19, 25]) {
    it(`sums ${count} position${count === 1 ? "" : "s"} (groups of eight, four, then one by one)`, () => {
      const rows = Int32Array.from({ length: count }, (_, i) => i);
      const quantities = Float64Array.from({ length: count }, () => rng.int(-500, 500));
      const total = accountPnl(matrix, rows, quantities, 0, count, new Float64Array(scenarios).fill(99));
      for (let s = 0; s < scenarios; s += 1) {
        let expected = 0;
        for (let p = 0; p < count; p += 1) expected += quantities[p]! * pnl[rows[p]! * scenarios + s]!;
        closeTo(total[s]!, expected, 1e-12);
      }
    });
  }

  it("adds to what the vector holds (what-if adds the trades to an account's vector)", () => {
    const total = Float64Array.from({ length: scenarios }, (_, s) => s);
    addPositionsPnl(matrix, [3], [2], 0, 1, total);
    for (let s = 0; s < scenarios; s += 1) expect(total[s]).to.equal(s + 2 * pnl[3 * scenarios + s]!);
  });
});
