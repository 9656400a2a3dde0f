import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import type { NetworkConnection } from "hardhat/types/network";

import { crossingTrades, journalAt, serviceOf, serviceWorld } from "../test/support/settlement-service.ts";
import type { SettlementSummary } from "../ts-src/services/settlement-service.ts";
import { formatFeedLine, readFeed } from "../ts-src/settlement/feed.ts";
import type { Metrics } from "./types.ts";

/**
 * Throughput of the settlement service end to end on the in-process network: 1,000 trades (ten parties, three
 * securities) written to a feed file, then read, reported, signed by both parties, checked for funds and settled in
 * netted batches of 100, with the journal in a SQLite file; from the feed to the last trade settled.
 *
 * - `dvp.service.tradesPerSecond`: trades settled per second of wall-clock time, feed to settled: the figure the goal
 *   is checked on;
 * - `dvp.service.tradesPerCpuSecond`: trades per second of CPU time (user + system of this process, which runs the
 *   service and the in-process chain alike), which other load on a shared machine moves less.
 */

/** Trades in the measured run. */
export const SERVICE_TRADES = 1_000;

/** One run: the figures and the service's summary. */
export interface ServiceBenchRun {
  readonly metrics: { "dvp.service.tradesPerSecond": number; "dvp.service.tradesPerCpuSecond": number };
  readonly summary: SettlementSummary;
  readonly cpuSeconds: number;
  readonly wallSeconds: number;
}

/**
 * Deploys the set-up on `connection` and runs the service on 1,000 trades.
 *
 * @throws Error when a trade is left unsettled.
 * @example
 *   const run = await runServiceBenchmark(await network.create({ chainType: "l1" }));
 *   console.log(run.metrics["dvp.service.tradesPerSecond"]);
 */
export async function runServiceBenchmark(
  connection: NetworkConnection<"l1">,
  trades = SERVICE_TRADES,
): Promise<ServiceBenchRun> {
  const world = await serviceWorld(connection, {
    parties: 10,
    securities: 3,
    securityEach: 1_000_000n,
    yenEach: 1_000_000_000_000n,
  });
  const now = BigInt(await connection.networkHelpers.time.latest());
  const directory = mkdtempSync(join(tmpdir(), "clearchain-service-bench-"));
  try {
    const feed = join(directory, "trades.jsonl");
    writeFileSync(feed, crossingTrades(world, trades, now).map(formatFeedLine).join("\n") + "\n");
    const journal = journalAt(join(directory, "journal.sqlite"));
    const cpuBefore = process.cpuUsage();
    const wallBefore = performance.now();
    const summary = await serviceOf(world, journal, { batchSize: 100 }).run(readFeed(feed));
    const wallSeconds = (performance.now() - wallBefore) / 1_000;
    const cpu = process.cpuUsage(cpuBefore);
    journal.close();
    if (summary.settled !== trades)
      throw new Error(`service benchmark: ${summary.settled} of ${trades} settled`);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    return {
      metrics: {
        "dvp.service.tradesPerSecond": Math.round(trades / wallSeconds),
        "dvp.service.tradesPerCpuSecond": Math.round(trades / cpuSeconds),
      },
      summary,
      cpuSeconds,
      wallSeconds,
    };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/** `npm run bench` entry (group `service`). */
export async function serviceBench(connection: NetworkConnection<"l1">): Promise<Metrics> {
  return (await runServiceBenchmark(connection)).metrics;
}
