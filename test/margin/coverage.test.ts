/**
 * Backtest statistics against figures from Python's standard library (statistics.NormalDist, math.comb,
 * math.erfc), pasted as literals.
 */
import { expect } from "chai";

import {
  binomialCdf,
  kupiec,
  normalQuantile,
  trafficLight,
  varEquivalentLevel,
} from "../../ts-src/margin/coverage.ts";
import { closeTo } from "./helpers.ts";

describe("margin: backtest statistics", () => {
  it("Φ⁻¹ and the VaR level equivalent to an ES level (normal: Φ⁻¹(β) = φ(Φ⁻¹(α))/(1 − α))", () => {
    closeTo(normalQuantile(0.975), 1.9599639845400536, 1e-14);
    closeTo(varEquivalentLevel(0.975), 0.9903012596460189, 1e-14);
    closeTo(varEquivalentLevel(0.99), 0.9961530352842152, 1e-14);
    closeTo(varEquivalentLevel(0.5), 0.7875312581583189, 1e-14);
  });

  it("Kupiec's proportion-of-failures statistic and its χ²(1) p-value", () => {
    const cases: [number, number, number, number, number][] = [
      [250, 2, 0.01, 0.10843521623679919, 0.7419327009526282],
      [250, 0, 0.01, 5.025167926750726, 0.02498150305344971], // too few exceptions is a failure too
      [8, 3, 1 - 0.7875312581583189, 1.0972727430975162, 0.29486540316376464],
    ];
    for (const [n, x, p, statistic, pValue] of cases) {
      const result = kupiec(n, x, p);
      closeTo(result.statistic, statistic, 1e-12);
      closeTo(result.pValue, pValue, 1e-12);
    }
    expect(kupiec(0, 0, 0.01)).to.deep.equal({ statistic: 0, pValue: 1 });
  });

  it("the binomial CDF, in log space (millions of pooled observations do not underflow)", () => {
    const expected = [
      0.08105851616218128, 0.28575173879395216, 0.5431689733157247, 0.7581166977648816, 0.8921876269036233,
      0.9588168159301496, 0.9862985521447942, 0.99597466128819, 0.998943467502641, 0.9997498099312573,
      0.9999461013709507, 0.9999893611923708,
    ];
    expected.forEach((value, x) => closeTo(binomialCdf(x, 250, 0.01), value, 1e-12));
    closeTo(binomialCdf(25_000, 2_500_000, 0.01), 0.5, 0.01); // the median of a huge pool
  });

  it("Basel's traffic light for 250 days at 99%: green 0–4 exceptions, amber 5–9, red 10 or more", () => {
    const zones = Array.from({ length: 13 }, (_, x) => trafficLight(250, x));
    expect(zones).to.deep.equal([
      ...Array<string>(5).fill("green"),
      ...Array<string>(5).fill("amber"),
      ...Array<string>(3).fill("red"),
    ]);
  });
});
