/**
 * Margin benchmark: a CCP-sized case (10,000 accounts, 2,000 instruments of which 10% options, 1,250
 * historical + 50 stress scenarios, 1–50 positions per account), generated once with a fixed seed and cached
 * under bench/cases/ (gitignored), then the whole command `node scripts/ccp.mjs margin <folder> --json` run
 * as a child process: wall time from spawn to exit, and peak RSS (CCP_REPORT_RSS=1 makes ccp print
 * process.resourceUsage().maxRSS, which covers its worker threads). Median of three runs; the largest RSS.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { generateCase, type CaseOptions } from "../ts-src/margin/generator.ts";
import type { Metrics } from "./types.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CASE: CaseOptions = {
  accounts: 10_000,
  instruments: 2_000,
  seed: 1,
  optionShare: 0.1,
  stressScenarios: 50,
};
const RUNS = 3;

/** The cached large case folder, generated when missing or made with other options. */
export function largeCase(): string {
  const folder = join(ROOT, "bench", "cases", "margin-large");
  const stamp = join(folder, "case.json");
  const wanted = JSON.stringify(CASE);
  if (!existsSync(stamp) || readFileSync(stamp, "utf8") !== wanted) {
    mkdirSync(folder, { recursive: true });
    for (const [name, text] of Object.entries(generateCase(CASE))) writeFileSync(join(folder, name), text);
    writeFileSync(stamp, wanted);
  }
  return folder;
}

type Run = { seconds: number; peakRssKiB: number; accounts: number };

function runOnce(folder: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [join(ROOT, "scripts", "ccp.mjs"), "margin", folder, "--json"], {
      env: { ...process.env, CCP_REPORT_RSS: "1" },
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
      if (code !== 0) return reject(new Error(`ccp margin exited ${code}: ${stderr}`));
      const rss = /ccp: peak RSS (\d+) KiB/.exec(stderr);
      if (rss === null) return reject(new Error(`ccp margin did not report its peak RSS: ${stderr}`));
      const document = JSON.parse(Buffer.concat(out).toString("utf8")) as { accounts: unknown[] };
      resolve({ seconds, peakRssKiB: Number(rss[1]), accounts: document.accounts.length });
    });
  });
}

/**
 * @example
 *   const metrics = await marginBench(); // { "margin.large.seconds": 2.1, "margin.large.peakRssMiB": 540.2 }
 */
export async function marginBench(): Promise<Metrics> {
  const folder = largeCase();
  const runs: Run[] = [];
  for (let i = 0; i < RUNS; i += 1) runs.push(await runOnce(folder));
  for (const run of runs) {
    if (run.accounts !== CASE.accounts) {
      throw new Error(`ccp margin printed ${run.accounts} accounts, expected ${CASE.accounts}`);
    }
  }
  const seconds = runs.map((run) => run.seconds).sort((a, b) => a - b)[Math.floor(RUNS / 2)]!;
  const peakRssMiB = Math.max(...runs.map((run) => run.peakRssKiB)) / 1024;
  return {
    "margin.large.seconds": Math.round(seconds * 1000) / 1000,
    "margin.large.peakRssMiB": Math.round(peakRssMiB * 10) / 10,
  };
}
