/** `ccp backtest <folder> --days D [--json] [--threads n]`: does the margin cover the losses it should? */
import type { Command } from "commander";

import type { BacktestException, BacktestReport, CoverageStatistics } from "../margin/backtest.ts";
import { defaultThreads } from "../margin/threads.ts";
import { formatAmount, renderTable, toJson } from "./format.ts";
import { positiveInteger, type Output } from "./io.ts";

/** A level as a percentage with up to two decimals: 0.9903… → "99.03%", 0.975 → "97.5%". */
function percent(level: number): string {
  return `${Number((100 * level).toFixed(2))}%`;
}

function statisticsRow(label: string, h: string, s: CoverageStatistics): string[] {
  return [
    label,
    h,
    String(s.observations),
    String(s.exceptions),
    `${(100 * s.coverage).toFixed(2)}%`,
    s.kupiec.statistic.toFixed(2),
    s.kupiec.pValue.toFixed(3),
    s.zone,
  ];
}

function exceptionRows(exceptions: readonly BacktestException[]): string[][] {
  return exceptions.map((e) => [
    e.account,
    e.date,
    e.marginDate,
    formatAmount(e.loss),
    formatAmount(Number(e.im) + e.nov),
    formatAmount(e.excess),
  ]);
}

/** The readable form: the conventions, one row per account and the total, then the worst exceptions. */
export function backtestTable(report: BacktestReport): string {
  const heading =
    `Backtest of ${report.days} days, ${report.from} … ${report.asOf}: each account's margin as of t − h ` +
    `(h: its longest holding period) against its loss over t − h … t; an exception is a loss above IM + NOV\n` +
    `Kupiec test at ${percent(report.varLevel)} (the VaR level equivalent to ES at ${percent(report.esConfidence)}); ` +
    `traffic light at 99% (for 250 days: green 0–4 exceptions, amber 5–9, red 10+)`;
  const rows = report.accounts.map((a) => statisticsRow(a.account, String(a.holdingPeriod), a));
  rows.push(statisticsRow("total", "", report.total));
  const table = renderTable(
    ["account", "h", "observations", "exceptions", "coverage", "Kupiec LR", "p-value", "zone"],
    rows,
  );
  const worst =
    report.total.worst.length === 0
      ? "No exceptions."
      : `Largest exceptions\n${renderTable(
          ["account", "day", "margin as of", "loss (yen)", "IM + NOV (yen)", "excess (yen)"],
          exceptionRows(report.total.worst),
          3,
        )}`;
  return `${heading}\n${table}\n${worst}`;
}

/** The `--json` document: the report, amounts in integer yen as decimal strings. */
export function backtestJson(report: BacktestReport): string {
  return toJson(report);
}

export function registerBacktest(program: Command, output: Output): void {
  program
    .command("backtest")
    .description("backtest the margin: IM as of t − h against the loss over t − h … t, for the last D days")
    .argument("<folder>", "a margin input folder (as for `ccp margin`) with D more days of market data")
    .requiredOption("--days <D>", "the number of last market days to test", positiveInteger)
    .option("--json", "print one JSON document instead of tables")
    .option(
      "--threads <n>",
      `threads: this one and n − 1 workers (default ${defaultThreads()}: the available cores, at most 8)`,
      positiveInteger,
    )
    .action(async (folder: string, options: { days: number; json?: boolean; threads?: number }) => {
      const { runBacktestFolder } = await import("../margin/run.ts");
      const report = await runBacktestFolder(folder, {
        days: options.days,
        ...(options.threads === undefined ? {} : { threads: options.threads }),
      });
      output.out(options.json === true ? backtestJson(report) : backtestTable(report));
    });
}
