/** `ccp margin <folder> [--json] [--threads n]` and `ccp generate-case <folder> …`. */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { InvalidArgumentError, type Command } from "commander";

import { generateCase } from "../margin/generator.ts";
import { defaultThreads } from "../margin/pool.ts";
import { runMarginFolder } from "../margin/run.ts";
import type { MarginReport } from "../margin/types.ts";
import { formatAmount, formatYen, renderTable, toJson } from "./format.ts";
import { positiveInteger, type Output } from "./io.ts";

/** The `--json` document: `{ asOf, scenarios, accounts: [{ account, im, es, nov }] }`, im as a string. */
export function marginJson(report: MarginReport): string {
  return toJson({
    asOf: report.asOf,
    scenarios: report.scenarios,
    accounts: report.accounts.map((a) => ({ account: a.account, im: a.im.toString(), es: a.es, nov: a.nov })),
  });
}

/** The readable form: a heading line and one table row per account. */
export function marginTable(report: MarginReport): string {
  const heading =
    `Initial margin as of ${report.asOf}: ${report.scenarios} scenarios, ES = mean of the ` +
    `${report.tailCount} largest losses; IM = max(0, ⌈ES − NOV⌉)`;
  const rows = report.accounts.map((a) => [
    a.account,
    formatYen(a.im),
    formatAmount(a.es),
    formatAmount(a.nov),
  ]);
  const total = report.accounts.reduce((sum, a) => sum + a.im, 0n);
  rows.push(["total", formatYen(total), "", ""]);
  return `${heading}\n${renderTable(["account", "IM (yen)", "ES (yen)", "NOV (yen)"], rows)}`;
}

export function registerMargin(program: Command, output: Output): void {
  program
    .command("margin")
    .description("initial margin per account: filtered historical ES − net option value")
    .argument(
      "<folder>",
      "folder with factors.csv, market.csv, instruments.csv, positions.csv [, stress.csv, params.json]",
    )
    .option("--json", "print one JSON document instead of a table")
    .option(
      "--threads <n>",
      `threads: this one and n − 1 workers (default ${defaultThreads()}: the available cores, at most 8)`,
      positiveInteger,
    )
    .action(async (folder: string, options: { json?: boolean; threads?: number }) => {
      const profile = process.env.CCP_PROFILE === "1" ? phaseTimer() : undefined;
      const report = await runMarginFolder(folder, {
        ...(options.threads === undefined ? {} : { threads: options.threads }),
        ...(profile === undefined ? {} : { onPhase: profile }),
      });
      output.out(options.json === true ? marginJson(report) : marginTable(report));
      profile?.("output");
    });

  program
    .command("generate-case")
    .description("write a deterministic, realistic margin input folder (for benchmarks and demos)")
    .argument("<folder>", "output folder (created if needed; files in it are overwritten)")
    .requiredOption("--accounts <n>", "number of accounts (house and customer)", positiveInteger)
    .requiredOption(
      "--instruments <n>",
      "number of instruments (10% options unless --option-share)",
      positiveInteger,
    )
    .option(
      "--seed <n>",
      "seed of the generator: the same seed gives byte-identical files",
      nonNegativeInteger,
      1,
    )
    .option("--stress <n>", "number of stress scenarios", nonNegativeInteger, 50)
    .option(
      "--lookback <n>",
      "historical scenarios the data must support (market.csv gets this + 50 rows)",
      positiveInteger,
      1250,
    )
    .option("--option-share <x>", "share of instruments that are options, in [0, 1]", share, 0.1)
    .option("--max-positions <n>", "most positions of one account", positiveInteger, 50)
    .option(
      "--digits <n>",
      "significant digits of market.csv: 1–17 (17 = full float64 precision) or `shortest` (round-trip, " +
        "as Python's repr); default: a few fixed decimals per kind of factor",
      marketDigits,
    )
    .action(
      (
        folder: string,
        options: {
          accounts: number;
          instruments: number;
          seed: number;
          stress: number;
          lookback: number;
          optionShare: number;
          maxPositions: number;
          digits?: number | "shortest";
        },
      ) => {
        const files = generateCase({
          accounts: options.accounts,
          instruments: options.instruments,
          seed: options.seed,
          stressScenarios: options.stress,
          lookbackDays: options.lookback,
          optionShare: options.optionShare,
          maxPositions: options.maxPositions,
          ...(options.digits === undefined ? {} : { marketDigits: options.digits }),
        });
        mkdirSync(folder, { recursive: true });
        for (const [name, text] of Object.entries(files)) writeFileSync(join(folder, name), text);
        output.out(
          `wrote ${Object.keys(files).join(", ")} to ${folder} ` +
            `(${options.accounts} accounts, ${options.instruments} instruments, seed ${options.seed})`,
        );
      },
    );
}

function nonNegativeInteger(text: string): number {
  return text === "0" ? 0 : positiveInteger(text);
}

function marketDigits(text: string): number | "shortest" {
  if (text === "shortest") return text;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1 || value > 17) {
    throw new InvalidArgumentError(`expected 1–17 or "shortest", got ${JSON.stringify(text)}`);
  }
  return value;
}

function share(text: string): number {
  const value = Number(text);
  if (text.trim() === "" || !(value >= 0 && value <= 1)) {
    throw new InvalidArgumentError(`expected a number in [0, 1], got ${JSON.stringify(text)}`);
  }
  return value;
}

/**
 * CCP_PROFILE=1: prints each phase's wall-clock milliseconds to stderr, with the CPU milliseconds (user + system,
 * every thread of the process) and the minor page faults spent in it.
 */
function phaseTimer(): (phase: string) => void {
  let last = { wall: performance.now(), cpu: cpuMs(), faults: process.resourceUsage().minorPageFault };
  return (phase) => {
    const now = { wall: performance.now(), cpu: cpuMs(), faults: process.resourceUsage().minorPageFault };
    process.stderr.write(
      `ccp: ${phase} ${(now.wall - last.wall).toFixed(0)} ms (CPU ${(now.cpu - last.cpu).toFixed(0)} ms, ` +
        `${now.faults - last.faults} page faults)\n`,
    );
    last = now;
  };
}

function cpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}
