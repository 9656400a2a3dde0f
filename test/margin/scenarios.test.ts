/** Scenarios (steps 1–3): returns over the holding period, EWMA filtering, scenario values with stress shocks. */
import { expect } from "chai";

import {
  ewmaFilter,
  filteredReturns,
  holdingPeriodReturns,
  scenarioValues,
} from "../../ts-src/margin/scenarios.ts";
import { closeTo } from "./helpers.ts";

describe("margin: scenarios", () => {
  it("takes log returns over the holding period (overlapping windows), absolute ones for rates", () => {
    const prices = [100, 110, 121, 108.9];
    const twoDay = holdingPeriodReturns(prices, "price", 2, 2, 3);
    closeTo(twoDay[0]!, Math.log(121 / 100), 1e-15);
    closeTo(twoDay[1]!, Math.log(108.9 / 110), 1e-15);
    const rates = holdingPeriodReturns([0.01, -0.02, 0.005], "rate", 1, 1, 2);
    expect(Array.from(rates)).to.deep.equal([-0.02 - 0.01, 0.005 - -0.02]);
  });

  it("seeds the EWMA with the mean square and rescales by σ_T / σ_t (worked by hand)", () => {
    // r = [0.25, −0.75], λ = 0.5: s² = 0.3125, σ²₁ = 0.1875, σ²₂ = 0.375; r̃₁ = 0.25·√2, r̃₂ = −0.75
    const filtered = ewmaFilter([9, 0.25, -0.75, 9], 1, 2, 0.5);
    closeTo(filtered[0]!, 0.25 * Math.SQRT2, 1e-15);
    expect(filtered[1]).to.equal(-0.75);
  });

  it("leaves returns of a constant-volatility series as they are (σ_t = σ_T), and 0 where σ_t = 0", () => {
    const constant = ewmaFilter([0.1, -0.1, 0.1], 0, 3, 0.9);
    [0.1, -0.1, 0.1].forEach((r, i) => closeTo(constant[i]!, r, 1e-15));
    expect(Array.from(ewmaFilter([0, 0, 0], 0, 3, 0.9))).to.deep.equal([0, 0, 0]);
  });

  it("filteredReturns is holdingPeriodReturns then ewmaFilter as of the last value", () => {
    const series = [100, 101, 99, 103, 102, 104, 100];
    const direct = filteredReturns(series, "price", 2, 4, 0.9);
    const steps = ewmaFilter(holdingPeriodReturns(series, "price", 2, 3, 6), 0, 4, 0.9);
    expect(Array.from(direct)).to.deep.equal(Array.from(steps));
  });

  it("applies filtered returns and stress shocks to today's value: V·e^r̃, rates V + r̃", () => {
    const prices = scenarioValues(200, "price", [0.1, -0.2], [0.5]);
    expect(Array.from(prices)).to.deep.equal([
      200 * Math.exp(0.1),
      200 * Math.exp(-0.2),
      200 * Math.exp(0.5),
    ]);
    const rates = scenarioValues(0.01, "rate", [0.002], [-0.005, 0]);
    expect(Array.from(rates)).to.deep.equal([0.01 + 0.002, 0.01 - 0.005, 0.01]);
  });
});
