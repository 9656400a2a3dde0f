/** Backtesting: a case worked by hand, the IM each day is the margin run on the data up to that day, threads. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";

import { backtestDays, backtestMargin, planBacktest } from "../../ts-src/margin/backtest.ts";
import { computeMargin } from "../../ts-src/margin/engine.ts";
import { generateCase } from "../../ts-src/margin/generator.ts";
import { loadMarginInput } from "../../ts-src/margin/loader.ts";
import { marketContext } from "../../ts-src/margin/model.ts";
import { createTaskRunner } from "../../ts-src/margin/pool.ts";
import { buildBook } from "../../ts-src/margin/portfolio.ts";
import { runBacktestFolder } from "../../ts-src/margin/run.ts";
import type { MarginInput } from "../../ts-src/margin/types.ts";
import { closeTo, marginErrorOf, marketFrom } from "./helpers.ts";

/**
 * Worked by hand. A rate factor IR (absolute changes), h = 1, L = 2, λ = 0.5, α = 0.5 (N = 2, k = 1: ES is the
 * worst loss); a future of multiplier 1000, held long by L1 and short by S1.
 *   IR = 0, 1, 2, 1, 0, 1, 3 (rows 0–6): returns r₁…r₆ = 1, 1, −1, −1, 1, 2.
 * Every window of two returns used has |r₁| = |r₂|, so σ_t = σ_T and the filtered returns are the returns.
 * The first model needs rows 0–2 (as of row 2); the last observation is row 6: D ≤ 4, days t = 3…6, IM as of t − 1.
 *   as of 2 (r = 1, 1): L1 gains in both → ES −1000 → IM 0;      S1 loses 1000 in both → IM 1000
 *   as of 3 (r = 1, −1):                      L1 IM 1000;         S1 IM 1000
 *   as of 4 (r = −1, −1):                     L1 IM 1000;         S1 gains in both → IM 0
 *   as of 5 (r = −1, 1):                      L1 IM 1000;         S1 IM 1000
 * Losses over t − 1 … t: L1 −1000·rₜ = 1000, 1000, −1000, −2000; S1 the opposite.
 *   L1: t=3 loss 1000 > IM 0 (exception, excess 1000); t=4 1000 = IM 1000 (not above); t=5, 6 gains.
 *   S1: t=3, 4 gains; t=5 loss 1000 > IM 0 (exception); t=6 loss 2000 > IM 1000 (exception, excess 1000).
 */
function handCase(): MarginInput {
  const dates = [
    "2026-03-02",
    "2026-03-03",
    "2026-03-04",
    "2026-03-05",
    "2026-03-06",
    "2026-03-09",
    "2026-03-10",
  ];
  return {
    factors: [{ factor: "IR", kind: "rate", holdingPeriod: 1 }],
    market: marketFrom(dates, { IR: [0, 1, 2, 1, 0, 1, 3] }),
    instruments: [{ instrument: "F", type: "future", factor: "IR", multiplier: 1000, currency: "JPY" }],
    positions: [
      { account: "L1", instrument: "F", quantity: 1 },
      { account: "S1", instrument: "F", quantity: -1 },
    ],
    params: { lookbackDays: 2, ewmaLambda: 0.5, esConfidence: 0.5 },
  };
}

describe("margin: backtesting", function () {
  this.timeout(120_000);

  describe("a case worked by hand", () => {
    const report = backtestMargin(handCase(), { days: 4 });
    const [long, short] = report.accounts;

    it("covers days 3–6 with the IM as of the day before (h = 1)", () => {
      expect([report.days, report.from, report.asOf]).to.deep.equal([4, "2026-03-05", "2026-03-10"]);
      expect([long!.holdingPeriod, short!.holdingPeriod]).to.deep.equal([1, 1]);
    });

    it("counts a loss above the IM as an exception, and a loss equal to it as none", () => {
      expect([long!.observations, long!.exceptions, long!.coverage]).to.deep.equal([4, 1, 0.75]);
      expect(long!.worst).to.deep.equal([
        {
          account: "L1",
          date: "2026-03-05",
          marginDate: "2026-03-04",
          loss: 1000,
          im: 0n,
          nov: 0,
          excess: 1000,
        },
      ]);
      expect([short!.exceptions, short!.worst.map((e) => [e.date, e.loss, e.im, e.excess])]).to.deep.equal([
        2,
        [
          ["2026-03-09", 1000, 0n, 1000],
          ["2026-03-10", 2000, 1000n, 1000],
        ],
      ]);
    });

    it("tests the counts: Kupiec at the VaR-equivalent level (78.75% for ES at 50%), Basel's zones at 99%", () => {
      closeTo(report.varLevel, 0.7875312581583189, 1e-14);
      closeTo(long!.kupiec.statistic, 0.032352937379646285, 1e-12); // Python, from the formula
      closeTo(short!.kupiec.pValue, 0.20504469488715477, 1e-12);
      expect([long!.zone, short!.zone]).to.deep.equal(["amber", "red"]); // P(X ≤ 1) = 0.99941, P(X ≤ 2) = 0.999996
      expect([report.total.observations, report.total.exceptions, report.total.zone]).to.deep.equal([
        8,
        3,
        "red",
      ]);
      closeTo(report.total.kupiec.statistic, 1.0972727430975162, 1e-12);
      expect(report.total.worst.map((e) => e.account)).to.deep.equal(["L1", "S1", "S1"]); // by excess, then date
    });

    it("refuses more days than the history allows, naming the largest possible", () => {
      const error = marginErrorOf(() => backtestMargin(handCase(), { days: 5 }));
      expect(error.code).to.equal("MARGIN_INPUT_TOO_MANY_DAYS");
      expect(error.details).to.include({ file: "market.csv", days: 5, largest: 4 });
    });
  });

  describe("a generated case", () => {
    const files = generateCase({ accounts: 30, instruments: 40, seed: 5, lookbackDays: 120, extraDays: 30 });
    const folder = mkdtempSync(join(tmpdir(), "ccp-backtest-"));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(folder, name), text);
    writeFileSync(join(folder, "params.json"), '{ "lookbackDays": 120 }');
    // an account in a commodity future only: holding period 1 (the others hold a 2-day factor)
    const commodity = files["instruments.csv"]
      .split("\n")
      .find((line) => line.split(",")[2]?.startsWith("CM"));
    writeFileSync(
      join(folder, "positions.csv"),
      `${files["positions.csv"]}ZZ-COMMODITY,${commodity!.split(",")[0]},-7\n`,
    );
    after(() => rmSync(folder, { recursive: true, force: true }));

    it("computes each day's IM and NOV as a margin run on the market data up to t − h only", async () => {
      const runner = createTaskRunner(1);
      const input = await loadMarginInput(folder, runner);
      await runner.close();
      const context = marketContext(input);
      const book = buildBook(context.rows, input.positions, "positions.csv");
      const plan = planBacktest(context, book, 20);
      const size = book.accounts.length * plan.days;
      const observations = { im: new Float64Array(size), nov: new Float64Array(size) };
      backtestDays(context, book, plan, plan.firstAsOf, plan.lastAsOf + 1, observations);
      for (const day of [0, 7, 19]) {
        const t = plan.lastRow - plan.days + 1 + day;
        for (const h of [1, 2]) {
          const truncated = {
            ...input,
            market: {
              dates: input.market.dates.slice(0, t - h + 1),
              factors: input.market.factors,
              values: input.market.values.map((column) => column.slice(0, t - h + 1)),
            },
          };
          const run = computeMargin(truncated);
          book.accounts.forEach((account, a) => {
            if (plan.holdingPeriod[a] !== h) return;
            const margin = run.accounts.find((m) => m.account === account)!;
            expect([
              observations.im[a * plan.days + day],
              observations.nov[a * plan.days + day],
            ]).to.deep.equal([Number(margin.im), margin.nov]);
          });
        }
      }
      expect(new Set(plan.holdingPeriod)).to.deep.equal(new Set([1, 2])); // both kinds of account are checked
    });

    it("gives the same report with 1, 2 and 3 threads", async () => {
      const one = await runBacktestFolder(folder, { days: 20, threads: 1 });
      for (const threads of [2, 3])
        expect(await runBacktestFolder(folder, { days: 20, threads })).to.deep.equal(one);
    });
  });
});
