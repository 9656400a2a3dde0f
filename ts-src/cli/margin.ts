/**
 * `ccp margin <folder> [--json] [--threads n] [--explain <account> | --what-if <trades.csv>]` and
 * `ccp generate-case <folder> …`. The engine is imported when a command runs, so that `ccp --help` stays fast.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { InvalidArgumentError, Option, type Command } from "commander";

import { defaultThreads } from "../margin/threads.ts";
import type { MarginReport } from "../margin/types.ts";
import { formatAmount, formatYen, renderTable } from "./format.ts";
import { positiveInteger, type Output } from "./io.ts";

/** The `--json` document: `{ asOf, scenarios, accounts: [{ account, im, es, nov }] }`, im as a string. */
export function marginJson(report: MarginReport): string {
  // Written out rather than through JSON.stringify's replacer and indentation (ten thousand accounts): the same
  // text, with each value through JSON.stringify.
  const accounts = report.accounts.map(
    (a) =>
      `    {\n      "account": ${JSON.stringify(a.account)},\n      "im": "${a.im}",\n` +
      `      "es": ${JSON.stringify(a.es)},\n      "nov": ${JSON.stringify(a.nov)}\n    }`,
  );
  const list = accounts.length === 0 ? "[]" : `[\n${accounts.join(",\n")}\n  ]`;
  return `{\n  "asOf": ${JSON.stringify(report.asOf)},\n  "scenarios": ${report.scenarios},\n  "accounts": ${list}\n}`;
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

type MarginOptions = { json?: boolean; threads?: number; explain?: string; whatIf?: string };

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
    .addOption(
      new Option(
        "--explain <account>",
        "one account's margin explained: each position's part of ES, the tail scenarios, NOV per option",
      ).conflicts("whatIf"),
    )
    .option(
      "--what-if <trades.csv>",
      "IM before and after hypothetical trades (rows account,instrument,quantity) of the accounts they touch",
    )
    .action(async (folder: string, options: MarginOptions) => {
      const profile = process.env.CCP_PROFILE === "1" ? phaseTimer() : undefined;
      const run = {
        ...(options.threads === undefined ? {} : { threads: options.threads }),
        ...(profile === undefined ? {} : { onPhase: profile }),
      };
      output.out(await marginOutput(folder, options, run));
      profile?.("output");
    });

  registerGenerateCase(program, output);
}

/** `ccp generate-case <folder> …`. */
function registerGenerateCase(program: Command, output: Output): void {
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
      "historical scenarios the data must support (market.csv gets this + --extra-days rows)",
      positiveInteger,
      1250,
    )
    .option(
      "--extra-days <n>",
      "market days beyond the lookback (a backtest of D days needs about D + 4)",
      positiveInteger,
      50,
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
      async (
        folder: string,
        options: {
          accounts: number;
          instruments: number;
          seed: number;
          stress: number;
          lookback: number;
          extraDays: number;
          optionShare: number;
          maxPositions: number;
          digits?: number | "shortest";
        },
      ) => {
        const { generateCase } = await import("../margin/generator.ts");
        const files = generateCase({
          accounts: options.accounts,
          instruments: options.instruments,
          seed: options.seed,
          stressScenarios: options.stress,
          lookbackDays: options.lookback,
          extraDays: options.extraDays,
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

/** What `ccp margin` prints for its options. */
async function marginOutput(
  folder: string,
  options: MarginOptions,
  run: { threads?: number; onPhase?: (phase: string) => void },
): Promise<string> {
  const engine = await import("../margin/run.ts");
  if (options.explain === undefined && options.whatIf === undefined) {
    const report = await engine.runMarginFolder(folder, run);
    return options.json === true ? marginJson(report) : marginTable(report);
  }
  const views = await import("./margin-views.ts");
  const prepared = await engine.prepareMarginFolder(folder, run);
  if (options.explain !== undefined) {
    const { explainAccount } = await import("../margin/explain.ts");
    const explanation = explainAccount(prepared, options.explain);
    return options.json === true ? views.explainJson(explanation) : views.explainTable(explanation);
  }
  const [{ createWhatIf }, { loadTrades }] = await Promise.all([
    import("../margin/whatif.ts"),
    import("../margin/loader.ts"),
  ]);
  const file = options.whatIf!;
  const report = createWhatIf(prepared).evaluate(loadTrades(file), file);
  return options.json === true ? views.whatIfJson(report) : views.whatIfTable(report, file);
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
  let last = { wall: 0, cpu: 0, faults: 0 }; // the first line is the start-up: from the process's start
  const report = (phase: string) => {
    const now = { wall: performance.now(), cpu: cpuMs(), faults: process.resourceUsage().minorPageFault };
    process.stderr.write(
      `ccp: ${phase} ${(now.wall - last.wall).toFixed(0)} ms (CPU ${(now.cpu - last.cpu).toFixed(0)} ms, ` +
        `${now.faults - last.faults} page faults)\n`,
    );
    last = now;
  };
  report("start-up");
  return report;
}

function cpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}
