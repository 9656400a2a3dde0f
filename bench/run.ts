// `npm run bench`: gas of the hot paths on the in-process Hardhat network and the margin engine on a
// CCP-sized case. Prints a table and writes bench/results.json (a flat object, metric name → number,
// committed so that a change shows in review).
//
// BENCH_ONLY=gas, margin or service runs one group; results of the other groups are kept from the file.
// BENCH_ONLY=vault runs only the collateral escrow's gas benchmark; BENCH_ONLY=automation the margin-call automation's
// cycle at 1,000 accounts.
import { readFile, writeFile } from "node:fs/promises";

import Table from "cli-table3";
import { network } from "hardhat";

import { automationBench } from "./automation.ts";
import { collateralGas } from "./collateral.ts";
import { dvpGas } from "./dvp.ts";
import { erc20Gas } from "./erc20.ts";
import { marginBench } from "./margin.ts";
import { securityTokenGas } from "./security-token.ts";
import { serviceBench } from "./settlement-service.ts";
import { stablecoinGas } from "./stablecoin.ts";
import { trexGas } from "./trex.ts";
import { trexDvdGas } from "./trex/dvd.ts";
import type { GasBenchmark, Metrics } from "./types.ts";

const RESULTS = new URL("./results.json", import.meta.url);

const gasBenchmarks: Record<string, GasBenchmark> = {
  "OpenZeppelin ERC-20 (baseline)": erc20Gas,
  "security token": securityTokenGas,
  stablecoin: stablecoinGas,
  "ERC-3643 T-REX (reference)": trexGas,
  "DvP settlement": dvpGas,
  "ERC-3643 T-REX DVDTransferManager (reference)": trexDvdGas,
  "collateral escrow": collateralGas,
};

/** Gas benchmarks that also run on their own: BENCH_ONLY=<group>. */
const gasGroups: Record<string, string> = { vault: "collateral escrow" };

/** Goals, checked on every run: [label, value, limit, and "min" for a floor (the value must reach it)]. */
const goals: [string, (m: Metrics) => number | undefined, number, "min"?][] = [
  ["gas.st.transfer / gas.erc20.transfer", (m) => ratio(m, "gas.st.transfer", "gas.erc20.transfer"), 1.5],
  ["gas.st.transfer / gas.trex.transfer", (m) => ratio(m, "gas.st.transfer", "gas.trex.transfer"), 0.3],
  ["margin.large.seconds", (m) => m["margin.large.seconds"], 1.5],
  ["margin.large.cpuSeconds", (m) => m["margin.large.cpuSeconds"], 3],
  ["margin.large.peakRssMiB", (m) => m["margin.large.peakRssMiB"], 600],
  ["margin.startup.helpSeconds", (m) => m["margin.startup.helpSeconds"], 0.3],
  ["margin.backtest.seconds", (m) => m["margin.backtest.seconds"], 30],
  ["margin.reference.imDifferences", (m) => m["margin.reference.imDifferences"], 0],
  ["gas.dvp.settle / gas.trex.dvd.take", (m) => ratio(m, "gas.dvp.settle", "gas.trex.dvd.take"), 0.4],
  [
    "gas.dvp.settle / (2 × gas.erc20.transfer + 35,000)",
    (m) => {
      const erc20 = m["gas.erc20.transfer"];
      const settle = m["gas.dvp.settle"];
      return erc20 === undefined || settle === undefined
        ? undefined
        : round(settle / (2 * erc20 + 35_000), 3);
    },
    1,
  ],
  [
    "(gas.dvp.report + gas.dvp.settle) / (gas.trex.dvd.initiate + gas.trex.dvd.take)",
    (m) => {
      const [report, settle, initiate, take] = [
        m["gas.dvp.report"],
        m["gas.dvp.settle"],
        m["gas.trex.dvd.initiate"],
        m["gas.trex.dvd.take"],
      ];
      if (report === undefined || settle === undefined || initiate === undefined || take === undefined)
        return undefined;
      return round((report + settle) / (initiate + take), 3);
    },
    0.4,
  ],
  [
    "gas.dvp.batch100.perTrade / gas.erc20.transfer",
    (m) => ratio(m, "gas.dvp.batch100.perTrade", "gas.erc20.transfer"),
    1,
  ],
  ["dvp.service.tradesPerSecond", (m) => m["dvp.service.tradesPerSecond"], 200, "min"],
  [
    "gas.vault.substitute.1x1 / (gas.vault.deposit + gas.vault.withdraw)",
    (m) => ratioOfSum(m, "gas.vault.substitute.1x1", ["gas.vault.deposit", "gas.vault.withdraw"]),
    0.999,
  ],
  [
    "gas.vault.substitute.3x3 / gas.vault.substitute.1x1",
    (m) => ratio(m, "gas.vault.substitute.3x3", "gas.vault.substitute.1x1"),
    2.5,
  ],
  [
    "gas.vault.requirements.batch100.perAccount",
    (m) => m["gas.vault.requirements.batch100.perAccount"],
    15_000,
  ],
  ["automation.cycle.seconds", (m) => m["automation.cycle.seconds"], 15],
  ["automation.callsPerSecond", (m) => m["automation.callsPerSecond"], 50, "min"],
];

function ratio(metrics: Metrics, numerator: string, denominator: string): number | undefined {
  const n = metrics[numerator];
  const d = metrics[denominator];
  return n === undefined || d === undefined ? undefined : round(n / d, 3);
}

function ratioOfSum(metrics: Metrics, numerator: string, terms: string[]): number | undefined {
  const n = metrics[numerator];
  const d = terms.map((term) => metrics[term]);
  if (n === undefined || d.some((v) => v === undefined)) return undefined;
  return round(n / d.reduce<number>((sum, v) => sum + v!, 0), 3);
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

async function readPrevious(): Promise<Metrics> {
  try {
    return JSON.parse(await readFile(RESULTS, "utf8")) as Metrics;
  } catch {
    return {};
  }
}

async function main(): Promise<void> {
  const only = process.env.BENCH_ONLY;
  const fresh: Metrics = {};
  const gasGroup = only === undefined ? undefined : gasGroups[only];
  if (only === undefined || only === "gas" || gasGroup !== undefined) {
    for (const [name, benchmark] of Object.entries(gasBenchmarks)) {
      if (gasGroup !== undefined && name !== gasGroup) continue;
      process.stderr.write(`bench: ${name}…\n`);
      const connection = await network.create({ chainType: "l1" });
      Object.assign(fresh, await benchmark(connection));
      await connection.close();
    }
  }
  if (only === undefined || only === "service") {
    process.stderr.write("bench: settlement service, 1,000 trades…\n");
    const connection = await network.create({ chainType: "l1" });
    Object.assign(fresh, await serviceBench(connection));
    await connection.close();
  }
  if (only === undefined || only === "automation") {
    Object.assign(
      fresh,
      await automationBench((line) => process.stderr.write(`bench: automation: ${line}…\n`)),
    );
  }
  if (only === undefined || only === "margin") {
    Object.assign(fresh, await marginBench((line) => process.stderr.write(`bench: margin: ${line}…\n`)));
  }

  const previous = await readPrevious();
  const merged: Metrics = { ...previous, ...fresh };
  const sorted = Object.fromEntries(Object.entries(merged).sort(([a], [b]) => a.localeCompare(b)));
  await writeFile(RESULTS, `${JSON.stringify(sorted, null, 2)}\n`);

  const table = new Table({ head: ["metric", "value", "previous"], style: { head: [], border: [] } });
  for (const [metric, value] of Object.entries(sorted)) {
    const before = previous[metric];
    table.push([metric, String(value), before === undefined || before === value ? "" : String(before)]);
  }
  console.log(table.toString());

  const goalTable = new Table({ head: ["goal", "value", "limit", "met"], style: { head: [], border: [] } });
  for (const [label, compute, limit, floor] of goals) {
    const value = compute(sorted);
    const met = floor === "min" ? (value ?? -Infinity) >= limit : (value ?? Infinity) <= limit;
    goalTable.push([
      label,
      value === undefined ? "-" : String(value),
      `${floor === "min" ? "≥" : "≤"} ${limit}`,
      value === undefined ? "-" : met ? "yes" : "NO",
    ]);
  }
  console.log(goalTable.toString());
  if (sorted["margin.reference.seconds"] !== undefined) {
    const side = new Table({
      head: ["large case, full precision", "wall s", "CPU s"],
      style: { head: [], border: [] },
    });
    side.push([
      "ccp margin --json (bin/ccp)",
      String(sorted["margin.large.seconds"]),
      String(sorted["margin.large.cpuSeconds"]),
    ]);
    side.push([
      "numpy reference",
      String(sorted["margin.reference.seconds"]),
      String(sorted["margin.reference.cpuSeconds"]),
    ]);
    console.log(side.toString());
  }
  console.log(`written: bench/results.json`);
}

await main();
