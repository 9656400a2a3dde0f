/** Collateral fees (JSCC collateral fees, rule outline of 2023-12-14): known answers worked by hand, rounding, bad input. */
import { expect } from "chai";

import { FeesInputError } from "../../ts-src/fees/errors.ts";
import { computeFees, monthsOf } from "../../ts-src/fees/fees.ts";
import { loadFeesInput } from "../../ts-src/fees/loader.ts";
import { isoDay } from "../../ts-src/shared/dates.ts";
import { thrown, writeTempJson } from "../cli/temp-json.ts";

const feesOf = (json: unknown) => computeFees(loadFeesInput(writeTempJson(json)));

describe("collateral fees", () => {
  describe("data/examples/fees.json (March 2024), worked by hand", () => {
    // Trust: rate −0.1% on days 1–20, 0 from the 21st; deposits 25.55bn of all yen collateral.
    //   days 1–10: yen A 36.5bn, B 14.6bn (51.1bn): A's deposit part 25.55 × 36.5/51.1 = 18.25bn →
    //              18.25bn × 0.001/365 = 50,000/day; B 7.3bn → 20,000/day
    //   days 11–20: A 43.8bn, B 14.6bn (58.4bn): A 25.55 × 43.8/58.4 = 19.1625bn → 52,500/day; B 17,500/day
    //   A: 10 × 50,000 + 10 × 52,500 = 1,025,000;  B: 10 × 20,000 + 10 × 17,500 = 375,000
    // JGB (A): 73bn every day: 73bn × 31/365 × 0.5/10,000 = 310,000
    // UST face (A): Σ daily face × USD/JPY = 14 × 10M × 150 + 14 × 15M × 149 + 3 × 15M × 151 = 59.085bn yen-days
    //   → 59.085bn × 0.5/10,000 / 365 = 8,093.83… → 8,093
    // UST month-end (A): 14.85M USD × 151 (rate on the 31st) = 2,242,350,000 yen × 31/365 × 1/10,000
    //   = 19,044.61… → 19,044
    // UST instructions (A): one, on the 15th: 20 × 149 = 2,980
    const result = computeFees(loadFeesInput("data/examples/fees.json"));

    it("computes every fee of every participant", () => {
      expect(result.period).to.deep.equal({ start: "2024-03-01", end: "2024-03-31", days: 31 });
      expect(result.participants).to.deep.equal([
        {
          participant: "CP-A",
          trustFee: 1_025_000n,
          jgbFee: 310_000n,
          ustFaceFee: 8_093n,
          ustMarketValueFee: 19_044n,
          ustInstructionFee: 2_980n,
          total: 1_365_117n,
        },
        {
          participant: "CP-B",
          trustFee: 375_000n,
          jgbFee: 0n,
          ustFaceFee: 0n,
          ustMarketValueFee: 0n,
          ustInstructionFee: 0n,
          total: 375_000n,
        },
      ]);
      expect(result.total).to.equal(1_740_117n);
    });
  });

  describe("February 2026 (28 days), worked by hand", () => {
    const input = (rate: string) => ({
      period: { start: "2026-02-01", end: "2026-02-28" },
      trust: [{ from: "2026-02-01", rate }],
      participants: [
        {
          participant: "P1",
          yenCollateral: [{ from: "2026-02-01", amount: "7300000000" }],
          // 36.5bn for 14 days, then none: average 18.25bn
          jgbFaceValue: [
            { from: "2026-02-01", amount: "36500000000" },
            { from: "2026-02-15", amount: "0" },
          ],
        },
        {
          participant: "P2",
          yenCollateral: [{ from: "2026-01-20", amount: "1" }],
          jgbFaceValue: [{ from: "2026-02-01", amount: "1000000" }],
        },
      ],
    });

    it("with no deposit total, each participant's whole yen collateral is in deposits", () => {
      // P1: 7.3bn × 0.002/365 = 40,000/day × 28 = 1,120,000. P2: 1 yen → 0.000153… → 0.
      const result = feesOf(input("-0.002"));
      expect(result.participants.map((p) => p.trustFee)).to.deep.equal([1_120_000n, 0n]);
    });

    it("averages the JGB face value over the period and rounds each fee down", () => {
      // P1: 18.25bn × 28/365 × 0.5/10,000 = 70,000. P2: 1M × 28/365 × 0.5/10,000 = 3.835… → 3.
      const result = feesOf(input("-0.002"));
      expect(result.participants.map((p) => p.jgbFee)).to.deep.equal([70_000n, 3n]);
      expect(result.participants.map((p) => p.total)).to.deep.equal([1_190_000n, 3n]);
    });

    it("charges no trust fee while the rate is zero or positive", () => {
      for (const rate of ["0", "0.001"]) {
        expect(feesOf(input(rate)).participants.map((p) => p.trustFee)).to.deep.equal([0n, 0n]);
      }
    });
  });

  it("lists the months of a period with their lengths", () => {
    const months = monthsOf(isoDay("2024-01-01")!, isoDay("2024-03-31")!);
    expect(months.map((m) => [m.key, m.days])).to.deep.equal([
      ["2024-01", 31],
      ["2024-02", 29],
      ["2024-03", 31],
    ]);
  });

  describe("bad input", () => {
    const base = {
      period: { start: "2026-02-01", end: "2026-02-28" },
      usdJpy: [{ from: "2026-02-01", rate: "150" }],
      trust: [{ from: "2026-02-01", rate: "-0.001" }],
      participants: [{ participant: "P1", yenCollateral: [{ from: "2026-02-01", amount: "100" }] }],
    };
    const participant = (fields: Record<string, unknown>) => ({
      ...base,
      participants: [{ participant: "P1", ...fields }],
    });
    const cases: [string, unknown, string, string?][] = [
      [
        "a period not starting on the 1st",
        { ...base, period: { start: "2026-02-02", end: "2026-02-28" } },
        "FEES_INPUT_BAD_PERIOD",
        "period",
      ],
      [
        "a period not ending on a month's last day",
        { ...base, period: { start: "2026-02-01", end: "2026-02-27" } },
        "FEES_INPUT_BAD_PERIOD",
      ],
      [
        "a balance series starting after the period",
        participant({ yenCollateral: [{ from: "2026-02-03", amount: "1" }] }),
        "FEES_INPUT_NOT_COVERED",
        "participants[0].yenCollateral",
      ],
      [
        "dates not ascending",
        participant({
          jgbFaceValue: [
            { from: "2026-02-01", amount: "1" },
            { from: "2026-02-01", amount: "2" },
          ],
        }),
        "FEES_INPUT_BAD_DATE",
        "participants[0].jgbFaceValue[1].from",
      ],
      [
        "a yen amount with decimals",
        participant({ yenCollateral: [{ from: "2026-02-01", amount: "1.5" }] }),
        "FEES_INPUT_BAD_AMOUNT",
        "participants[0].yenCollateral[0].amount",
      ],
      [
        "a rate written as a percentage",
        { ...base, trust: [{ from: "2026-02-01", rate: "-0.1%" }] },
        "FEES_INPUT_BAD_AMOUNT",
        "trust[0].rate",
      ],
      [
        "more in deposits than held",
        { ...base, trust: [{ from: "2026-02-01", rate: "-0.001", depositTotal: "101" }] },
        "FEES_INPUT_OVER_INVESTED",
      ],
      [
        "US Treasuries at month end without a market value",
        participant({ ustFaceValueUsd: [{ from: "2026-02-01", amount: "1000" }] }),
        "FEES_INPUT_MISSING_FIELD",
        "participants[0]",
      ],
      [
        "a market value for a month outside the period",
        participant({ ustMonthEndValueUsd: { "2026-03": "1" } }),
        "FEES_INPUT_BAD_DATE",
        "participants[0].ustMonthEndValueUsd.2026-03",
      ],
      [
        "an instruction outside the period",
        participant({ ustInstructions: ["2026-03-02"] }),
        "FEES_INPUT_BAD_DATE",
        "participants[0].ustInstructions[0]",
      ],
      [
        "US Treasuries without USD/JPY rates",
        { ...participant({ ustInstructions: ["2026-02-02"] }), usdJpy: undefined },
        "FEES_INPUT_MISSING_FIELD",
      ],
      [
        "a participant twice",
        { ...base, participants: [base.participants[0], base.participants[0]] },
        "FEES_INPUT_DUPLICATE",
        "participants[1].participant",
      ],
      ["an unknown field", participant({ yen: [] }), "FEES_INPUT_BAD_FIELD", "participants[0].yen"],
    ];
    for (const [what, json, code, path] of cases) {
      it(`${what} → ${code}`, () => {
        const error = thrown(() => feesOf(json));
        expect(error).to.be.instanceOf(FeesInputError);
        expect(error.code).to.equal(code);
        if (path !== undefined) expect(error.details!.path).to.equal(path);
      });
    }
  });
});
