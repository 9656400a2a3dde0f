/** Tail statistics (steps 5–6): the tail, ES summed exactly, component ES, NOV. */
import { expect } from "chai";

import { ExactSum } from "../../ts-src/margin/float.ts";
import {
  componentShortfall,
  exactTailLosses,
  expectedShortfall,
  netOptionValue,
  selectTail,
  tailMean,
  TailScratch,
} from "../../ts-src/margin/tail.ts";

describe("margin: tail statistics", () => {
  it("selects the k largest losses (−P&L), in scenario order", () => {
    const scratch = new TailScratch(3);
    expect(Array.from(selectTail([5, -7, 2, -9, -1, -7.5], 6, scratch))).to.deep.equal([1, 3, 5]);
  });

  it("breaks ties at the k-th loss towards the earlier scenarios", () => {
    const scratch = new TailScratch(2);
    expect(Array.from(selectTail([-1, -3, -1, -1], 4, scratch))).to.deep.equal([0, 1]);
    expect(Array.from(selectTail([0, 0, 0, 0, 0], 5, new TailScratch(3)))).to.deep.equal([0, 1, 2]);
  });

  it("sums each tail loss exactly: no cancellation error even where float64 sums lose everything", () => {
    // Two positions of 1e17-yen P&L that cancel, and a 1-yen one: a float64 sum of the three gives 0 or 2,
    // the exact one 1 (per scenario), so ES = 1.
    const n = 2;
    const pnl = Float64Array.from([1e17, 1e17, -1e17, -1e17, -1, -1]); // rows 0, 1, 2 × scenarios 0, 1
    const positions = { instrument: [0, 1, 2], quantity: [1, 1, 1], from: 0, to: 3 };
    const total = Float64Array.from([1e17 + -1e17 + -1, 1e17 + -1e17 + -1]);
    expect(expectedShortfall(total, n, positions, pnl, new TailScratch(1))).to.equal(1);
  });

  it("ES is the mean of the tail's losses; the positions' contributions add up to it", () => {
    // Three scenarios, k = 2; positions: 2 units of row 0 and −1 of row 1.
    const n = 3;
    const pnl = Float64Array.from([-10, 4, -1, 3, -2, 5]);
    const positions = { instrument: [0, 1], quantity: [2, -1], from: 0, to: 2 };
    // account P&L per scenario: 2·(−10) − 3 = −23, 2·4 + 2 = 10, 2·(−1) − 5 = −7 → losses 23, −10, 7
    const scratch = new TailScratch(2);
    const es = expectedShortfall([-23, 10, -7], n, positions, pnl, scratch);
    expect(Array.from(scratch.tail)).to.deep.equal([0, 2]);
    expect(es).to.equal((23 + 7) / 2);
    const contributions = componentShortfall(positions, pnl, n, scratch);
    // row 0: mean of −2·(−10) and −2·(−1) = 11; row 1: mean of 1·3 and 1·5 = 4
    expect(Array.from(contributions)).to.deep.equal([11, 4]);
  });

  it("keeps each tail loss as an unevaluated pair hi + lo: 1e16 + 1, which float64 cannot hold", () => {
    const scratch = new TailScratch(1);
    selectTail([-1], 1, scratch);
    const positions = { instrument: [0, 1], quantity: [-1, -1], from: 0, to: 2 };
    exactTailLosses(positions, Float64Array.from([1e16, 1]), 1, scratch);
    expect([scratch.hi[0], scratch.lo[0]]).to.deep.equal([1e16, 1]);
    expect(tailMean(scratch)).to.equal(1e16); // rounded once, to even
  });

  it("NOV = Σ quantity × value today over the option positions only", () => {
    const positions = { instrument: [0, 1, 2], quantity: [2, -3, 5], from: 0, to: 3 };
    const value = Float64Array.from([100, 40, 1e6]);
    const isOption = Uint8Array.from([1, 1, 0]);
    expect(netOptionValue(positions, value, isOption, new ExactSum())).to.equal(2 * 100 - 3 * 40);
  });
});
