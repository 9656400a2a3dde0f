/**
 * Margin benchmarks, each the whole command as the README documents it (`bin/ccp …`, a child process: wall time
 * from spawn to exit; CPU time and peak RSS as ccp reports them with CCP_REPORT_RSS=1, every thread included):
 *
 * - the large case (10,000 accounts, 2,000 instruments of which 10% options, 1,250 historical + 50 stress
 *   scenarios, 1–50 positions per account) with market data at full float64 precision (17 significant digits,
 *   as a vendor's export writes it): `margin.large.seconds`, `margin.large.cpuSeconds`, `margin.large.peakRssMiB`;
 * - the same case with the generator's short decimals: `margin.large.shortDecimals.seconds`;
 * - the numpy reference (bench/reference/margin.py, when python3 with numpy is present) on the full-precision
 *   case, side by side: `margin.reference.seconds`, `margin.reference.cpuSeconds`, and the number of accounts
 *   whose IM differs from the engine's (`margin.reference.imDifferences`, expected 0);
 * - `ccp backtest --days 250` on the first 1,000 accounts of the large case generated with 300 more days of
 *   market data: `margin.backtest.seconds`;
 * - `ccp --help`: `margin.startup.helpSeconds`.
 *
 * Cases are generated once with fixed seeds and cached under bench/cases/ (gitignored). Median of three runs
 * (five for --help); the largest RSS.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { generateCase, type CaseOptions } from "../ts-src/margin/generator.ts";
import type { Metrics } from "./types.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const LAUNCHER = join(ROOT, "bin", "ccp");
const LARGE: CaseOptions = {
  accounts: 10_000,
  instruments: 2_000,
  seed: 1,
  optionShare: 0.1,
  stressScenarios: 50,
};
const RUNS = 3;
const BACKTEST_DAYS = 250;
const BACKTEST_ACCOUNTS = 1_000;

/**
 * A generated case folder under bench/cases/, made when missing or made with other options. `keepAccounts`
 * keeps only the first accounts of positions.csv (the generator writes each account's rows together).
 */
export function benchCase(name: string, options: CaseOptions, keepAccounts?: number): string {
  const folder = join(ROOT, "bench", "cases", name);
  const stamp = join(folder, "case.json");
  const wanted = JSON.stringify({ ...options, keepAccounts });
  if (!existsSync(stamp) || readFileSync(stamp, "utf8") !== wanted) {
    mkdirSync(folder, { recursive: true });
    for (const [file, text] of Object.entries(generateCase(options))) {
      writeFileSync(join(folder, file), file === "positions.csv" ? firstAccounts(text, keepAccounts) : text);
    }
    writeFileSync(stamp, wanted);
  }
  return folder;
}

function firstAccounts(positions: string, count: number | undefined): string {
  if (count === undefined) return positions;
  const [header, ...rows] = positions.trimEnd().split("\n");
  const seen = new Set<string>();
  const kept = rows.filter((row) => {
    const account = row.slice(0, row.indexOf(","));
    if (!seen.has(account) && seen.size === count) return false;
    seen.add(account);
    return true;
  });
  return `${[header, ...kept].join("\n")}\n`;
}

type Run = { seconds: number; cpuSeconds: number; peakRssMiB: number; stdout: string };
type Usage = { cpuMs: number; rssKiB: number };

/** Runs a command to its end: its wall time, and the CPU and RSS that `usage` reads from its stderr. */
function timed(
  command: string,
  args: string[],
  usage: (stderr: string) => Usage | undefined,
  env: Record<string, string> = {},
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const stderr = Buffer.concat(err).toString("utf8");
      if (code !== 0) return reject(new Error(`${command} ${args.join(" ")} exited ${code}: ${stderr}`));
      const used = usage(stderr);
      if (used === undefined) return reject(new Error(`${command} did not report its usage: ${stderr}`));
      const stdout = Buffer.concat(out).toString("utf8");
      resolve({ seconds, cpuSeconds: used.cpuMs / 1000, peakRssMiB: used.rssKiB / 1024, stdout });
    });
  });
}

/** `ccp: peak RSS <KiB> KiB, CPU <ms> ms` (CCP_REPORT_RSS=1). */
function ccpUsage(stderr: string): Usage | undefined {
  const match = /ccp: peak RSS (\d+) KiB, CPU (\d+) ms/.exec(stderr);
  return match === null ? undefined : { rssKiB: Number(match[1]), cpuMs: Number(match[2]) };
}

/** `reference: CPU <ms> ms, peak RSS <KiB> KiB` (bench/reference/margin.py). */
function referenceUsage(stderr: string): Usage | undefined {
  const match = /reference: CPU (\d+) ms, peak RSS (\d+) KiB/.exec(stderr);
  return match === null ? undefined : { cpuMs: Number(match[1]), rssKiB: Number(match[2]) };
}

function ccpRun(args: string[]): Promise<Run> {
  return timed(LAUNCHER, args, ccpUsage, { CCP_REPORT_RSS: "1" });
}

function referenceRun(folder: string): Promise<Run> {
  return timed("python3", [join(ROOT, "bench", "reference", "margin.py"), folder], referenceUsage);
}

/** Median of `runs` runs of `once` (by wall time; CPU is the same run's), with the largest RSS. */
async function median(runs: number, once: () => Promise<Run>): Promise<Run> {
  const results: Run[] = [];
  for (let i = 0; i < runs; i += 1) results.push(await once());
  const sorted = [...results].sort((a, b) => a.seconds - b.seconds);
  const middle = sorted[Math.floor(runs / 2)]!;
  return { ...middle, peakRssMiB: Math.max(...results.map((r) => r.peakRssMiB)) };
}

type MarginDocument = { accounts: { account: string; im: string }[] };

function imDifferences(engine: string, reference: string): number {
  const ours = (JSON.parse(engine) as MarginDocument).accounts;
  const theirs = new Map((JSON.parse(reference) as MarginDocument).accounts.map((a) => [a.account, a.im]));
  if (theirs.size !== ours.length)
    throw new Error(`the reference gave ${theirs.size} accounts, ccp ${ours.length}`);
  return ours.filter((a) => theirs.get(a.account) !== a.im).length;
}

function numpyPresent(): boolean {
  return spawnSync("python3", ["-c", "import numpy"], { stdio: "ignore" }).status === 0;
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

/**
 * @example
 *   const metrics = await marginBench(); // { "margin.large.seconds": 1.2, "margin.large.cpuSeconds": 2.1, … }
 */
export async function marginBench(log: (line: string) => void = () => undefined): Promise<Metrics> {
  const full = benchCase("margin-large-full", { ...LARGE, marketDigits: 17 });
  const short = benchCase("margin-large", LARGE);
  const backtest = benchCase(
    "margin-backtest",
    { ...LARGE, extraDays: 300, marketDigits: 17 },
    BACKTEST_ACCOUNTS,
  );
  const metrics: Metrics = {};

  log("ccp --help");
  const help = await median(5, () => ccpRun(["--help"]));
  metrics["margin.startup.helpSeconds"] = round(help.seconds, 3);

  log("ccp margin, large case, full precision");
  const large = await median(RUNS, () => ccpRun(["margin", full, "--json"]));
  const accounts = (JSON.parse(large.stdout) as MarginDocument).accounts.length;
  if (accounts !== LARGE.accounts)
    throw new Error(`ccp margin printed ${accounts} accounts, expected ${LARGE.accounts}`);
  metrics["margin.large.seconds"] = round(large.seconds, 3);
  metrics["margin.large.cpuSeconds"] = round(large.cpuSeconds, 3);
  metrics["margin.large.peakRssMiB"] = round(large.peakRssMiB, 1);

  log("ccp margin, large case, short decimals");
  metrics["margin.large.shortDecimals.seconds"] = round(
    (await median(RUNS, () => ccpRun(["margin", short, "--json"]))).seconds,
    3,
  );

  if (numpyPresent()) {
    log("numpy reference, large case, full precision");
    const reference = await median(RUNS, () => referenceRun(full));
    metrics["margin.reference.seconds"] = round(reference.seconds, 3);
    metrics["margin.reference.cpuSeconds"] = round(reference.cpuSeconds, 3);
    metrics["margin.reference.imDifferences"] = imDifferences(large.stdout, reference.stdout);
  } else {
    log("numpy reference skipped: python3 with numpy not found");
  }

  log(`ccp backtest --days ${BACKTEST_DAYS}, ${BACKTEST_ACCOUNTS} accounts`);
  const tested = await ccpRun(["backtest", backtest, "--days", String(BACKTEST_DAYS), "--json"]);
  metrics["margin.backtest.seconds"] = round(tested.seconds, 3);
  metrics["margin.backtest.cpuSeconds"] = round(tested.cpuSeconds, 3);
  return metrics;
}
