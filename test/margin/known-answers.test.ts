/**
 * Known-answer tests of the margin engine. The expected ES, NOV and IM figures were computed independently of
 * the code under test: by hand (worked in the comments) or by test/margin/known_answers.py, a from-the-text
 * re-implementation in Python whose printed output is pasted here as literals.
 */
import { expect } from "chai";

import { black76, erfc, normalCdf } from "../../ts-src/margin/black76.ts";
import { computeMargin, filteredReturns, tailCount } from "../../ts-src/margin/engine.ts";
import type { AccountMargin, MarginInput } from "../../ts-src/margin/types.ts";
import { closeTo, marketFrom } from "./helpers.ts";
import { KNOWN_CASE } from "./known-case.ts";

describe("margin: known answers", () => {
  describe("worked by hand", () => {
    // Rate factor IR (absolute changes), holding period 1, L = 2, λ = 0.5; values 0, 0.25, −0.5 (T).
    //   r = [0.25, −0.75]; s² = (0.0625 + 0.5625)/2 = 0.3125
    //   σ²₁ = 0.5·0.3125 + 0.5·0.0625 = 0.1875;  σ²₂ = 0.5·0.1875 + 0.5·0.5625 = 0.375 (= σ²_T)
    //   r̃₁ = 0.25·√(0.375/0.1875) = 0.25·√2 = 0.35355…;  r̃₂ = −0.75
    //   scenario values −0.5 + r̃: −0.14645…, −1.25; a future with multiplier 1000, quantity 1:
    //   P&L = 1000·r̃ = +353.553…, −750
    const input = (esConfidence: number): MarginInput => ({
      factors: [{ factor: "IR", kind: "rate", holdingPeriod: 1 }],
      market: marketFrom(["2026-01-05", "2026-01-06", "2026-01-07"], { IR: [0, 0.25, -0.5] }),
      instruments: [{ instrument: "F", type: "future", factor: "IR", multiplier: 1000, currency: "JPY" }],
      positions: [{ account: "A", instrument: "F", quantity: 1 }],
      params: { lookbackDays: 2, ewmaLambda: 0.5, esConfidence },
    });

    it("filters the returns with EWMA", () => {
      const filtered = filteredReturns([0, 0.25, -0.5], "rate", 1, 2, 0.5);
      closeTo(filtered[0]!, 0.25 * Math.SQRT2, 1e-15);
      expect(filtered[1]).to.equal(-0.75);
    });

    it("k = 1 (α = 0.5): ES is the worst loss, 750", () => {
      const report = computeMargin(input(0.5));
      expect(report.tailCount).to.equal(1);
      expect(report.accounts[0]!.es).to.equal(750);
      expect(report.accounts[0]!.im).to.equal(750n);
    });

    it("k = 2 (α = 0.01): ES = (750 − 353.553…)/2 = 198.223…, IM = 199", () => {
      const report = computeMargin(input(0.01));
      expect(report.tailCount).to.equal(2);
      closeTo(report.accounts[0]!.es, (750 - 250 * Math.SQRT2) / 2, 1e-12);
      expect(report.accounts[0]!.im).to.equal(199n);
    });

    it("a short position loses in the other tail: ES = 353.553…, IM = 354", () => {
      const report = computeMargin({
        ...input(0.5),
        positions: [{ account: "A", instrument: "F", quantity: -1 }],
      });
      closeTo(report.accounts[0]!.es, 250 * Math.SQRT2, 1e-12);
      expect(report.accounts[0]!.im).to.equal(354n);
    });
  });

  describe("tail count k = ⌈N(1 − α)⌉ with the 1e-9 integer rule", () => {
    const cases: [number, number, number][] = [
      [1300, 0.99, 13], // 13.000000000000012 in float64 counts as 13, not 14
      [1300, 0.975, 33], // 32.5 → 33
      [1250, 0.99, 13], // 12.5 → 13
      [1000, 0.99, 10],
      [1250, 0.975, 32], // 31.25 → 32
      [10, 0.75, 3], // 2.5 → 3
      [3, 0.999, 1],
    ];
    for (const [n, alpha, k] of cases) {
      it(`N = ${n}, α = ${alpha} → k = ${k}`, () => expect(tailCount(n, alpha)).to.equal(k));
    }
  });

  describe("normal CDF and Black-76 against Python's math.erfc", () => {
    // python3 -c "import math; print([math.erfc(x) for x in (-3, -1, -0.3, 0, 0.3, 1, 2, 2.5, 5, 12)])"
    const erfcCases: [number, number][] = [
      [-3, 1.9999779095030015],
      [-1, 1.842700792949715],
      [-0.3, 1.3286267594591274],
      [0, 1.0],
      [0.3, 0.6713732405408726],
      [1, 0.15729920705028513],
      [2, 0.004677734981047265],
      [2.5, 0.0004069520174449589],
      [5, 1.5374597944280351e-12],
      [12, 1.3562611692059042e-64],
    ];
    for (const [x, expected] of erfcCases) {
      it(`erfc(${x})`, () => closeTo(erfc(x), expected, 1e-13));
    }

    it("Φ(0) = 0.5 and Φ(−x) = 1 − Φ(x)", () => {
      expect(normalCdf(0)).to.equal(0.5);
      closeTo(normalCdf(-1.3) + normalCdf(1.3), 1, 1e-15);
    });

    // Black-76, from the same Python formulas:
    //   F = K = 100, σ = 0.2, τ = 1, r = 0: call = put = 7.965567455405804
    //   F = 105, K = 100, σ = 0.25, τ = 0.5, r = 0.01: call 9.941898721658998, put 4.966836325695586
    it("prices calls and puts", () => {
      closeTo(
        black76({ optionType: "C", forward: 100, strike: 100, volatility: 0.2, tau: 1, rate: 0 }),
        7.965567455405804,
        1e-13,
      );
      closeTo(
        black76({ optionType: "P", forward: 100, strike: 100, volatility: 0.2, tau: 1, rate: 0 }),
        7.965567455405804,
        1e-13,
      );
      closeTo(
        black76({ optionType: "C", forward: 105, strike: 100, volatility: 0.25, tau: 0.5, rate: 0.01 }),
        9.941898721658998,
        1e-13,
      );
      closeTo(
        black76({ optionType: "P", forward: 105, strike: 100, volatility: 0.25, tau: 0.5, rate: 0.01 }),
        4.966836325695586,
        1e-13,
      );
    });

    it("put–call parity: C − P = e^(−rτ)(F − K)", () => {
      const base = { forward: 123.4, strike: 110, volatility: 0.31, tau: 0.7, rate: 0.02 };
      const call = black76({ ...base, optionType: "C" });
      const put = black76({ ...base, optionType: "P" });
      closeTo(call - put, Math.exp(-0.02 * 0.7) * (123.4 - 110), 1e-12);
    });

    it("expiry (τ = 0) or zero volatility gives the discounted intrinsic value", () => {
      expect(
        black76({ optionType: "C", forward: 120, strike: 100, volatility: 0.3, tau: 0, rate: 0.05 }),
      ).to.equal(20);
      expect(
        black76({ optionType: "P", forward: 120, strike: 100, volatility: 0.3, tau: 0, rate: 0.05 }),
      ).to.equal(0);
      closeTo(
        black76({ optionType: "P", forward: 90, strike: 100, volatility: 0, tau: 1, rate: 0.05 }),
        10 * Math.exp(-0.05),
        1e-14,
      );
    });
  });

  describe("portfolio cases (figures from test/margin/known_answers.py)", () => {
    const input = KNOWN_CASE;
    const expected: Record<string, Omit<AccountMargin, "account">> = {
      "A1-single-future": { es: 7202246.898144379, nov: 0.0, im: 7202247n },
      "A2-hedged-pair": { es: 1200374.4830240647, nov: 0.0, im: 1200375n },
      "A3-fx": { es: 15425634.066968255, nov: 0.0, im: 15425635n },
      "A4-short-call": { es: 3127611.8939954117, nov: -6290076.129471237, im: 9417689n },
      "A5-long-put": { es: 687617.8603576346, nov: 2825880.626996024, im: 0n },
      "A6-stress-dominates": { es: 10549452.68715997, nov: 0.0, im: 10549453n },
      "A7-rate": { es: -65637.09887196154, nov: 0.0, im: 0n },
      "A8-mixed": { es: 7371134.538876022, nov: 2516030.451788495, im: 4855105n },
    };
    const report = computeMargin(input);

    it("N = 10 scenarios, k = 3, as of the last date", () => {
      expect(report.scenarios).to.equal(10);
      expect(report.tailCount).to.equal(3);
      expect(report.asOf).to.equal("2026-01-15");
      expect(report.accounts.map((a) => a.account)).to.deep.equal(Object.keys(expected).sort());
    });

    for (const [account, figures] of Object.entries(expected)) {
      it(`${account}: ES ${figures.es}, NOV ${figures.nov}, IM ${figures.im}`, () => {
        const result = report.accounts.find((a) => a.account === account)!;
        closeTo(result.es, figures.es, 1e-11);
        closeTo(result.nov, figures.nov, 1e-11);
        expect(result.im).to.equal(figures.im);
      });
    }

    it("the stress scenario dominates A6: its loss alone is 46,550,000 × (e^0.5 − 1) = 30,197,975.2", () => {
      // 50 short × multiplier 100 × 9310 = 46,550,000 yen of gold; the GOLD_SPIKE shock is +0.5 in log terms.
      const onlyStress = computeMargin({
        ...input,
        positions: [{ account: "X", instrument: "FUT_GOLD", quantity: -50 }],
        params: { ...input.params, esConfidence: 0.95 }, // k = ⌈10 × 0.05⌉ = 1: the single worst loss
      });
      closeTo(onlyStress.accounts[0]!.es, 46_550_000 * (Math.exp(0.5) - 1), 1e-12);
    });

    it("a long option is never charged more than its value (IM 0 for A5), a short one adds its value (A4)", () => {
      const a4 = report.accounts.find((a) => a.account === "A4-short-call")!;
      expect(a4.im).to.equal(BigInt(Math.ceil(a4.es - a4.nov)));
      expect(a4.nov).to.be.below(0);
    });
  });
});
