import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { type PublicClient, createPublicClient, custom } from "viem";

import { generateAutomationCase } from "../scripts/demo/case.ts";
import { automationWorld, cycleTime, openServices } from "../scripts/demo/world.ts";
import type { Metrics } from "./types.ts";

/**
 * One full CCP cycle of the margin-call automation at a clearing house's scale, on the in-process network: 100
 * clearing participants with ten accounts each (a house account and nine customers'), their wallets holding yen and
 * dollar coins, JGBs and US Treasuries; the first end-of-day cycle of a generated case (1,262 days of history, eight
 * factors, seven instruments), where every account needs its initial margin, so every account gets a call. From the
 * market data to every account covered: the margin engine, the prices and the ten requirement batches posted, then
 * the 100 agents (eight at a time) answering the calls by the cheapest deposit or substitution, until the CCP service
 * sees every call met. Set-up (deployment, onboarding, the agents' allowances) is not timed.
 *
 * Figures: `automation.cycle.seconds` (wall clock, goal ≤ 15), `automation.callsPerSecond` (calls met per second of
 * the answering, goal ≥ 50), `automation.cycle.cpuSeconds` (user + system time of the process, which runs the chain
 * too), and where the time goes: `automation.cycle.marginSeconds` (data and the engine), `…postingSeconds` (prices and
 * requirement batches, sent and confirmed), `…answeringSeconds` (the agents' passes: reading the accounts and
 * wallets, deciding, signing, sending, receipts), `…closeSeconds` (the close, after every account is covered: not in
 * the cycle's figure); `automation.cycle.transactions` and `…rpcCalls` the transactions sent and JSON-RPC calls made;
 * `automation.setup.seconds` for reference. `BENCH_AUTOMATION_PROFILE=1` prints the JSON-RPC time by method,
 * `BENCH_AUTOMATION_CONCURRENCY` sets how many agents pass at once (default 8; 1 for a clean attribution of time).
 */

/** The benchmark's shape. */
export const AUTOMATION_SCALE = { participants: 100, customersPerParticipant: 9 } as const;

/** RPC time by method, from a client whose transport counts. */
function timedClient(provider: { request(args: { method: string; params?: unknown }): Promise<unknown> }) {
  const time = new Map<string, number>();
  const count = new Map<string, number>();
  const client = createPublicClient({
    cacheTime: 0,
    pollingInterval: 10,
    transport: custom(
      {
        async request(args: { method: string; params?: unknown }) {
          const started = performance.now();
          try {
            return await provider.request(args);
          } finally {
            time.set(args.method, (time.get(args.method) ?? 0) + (performance.now() - started));
            count.set(args.method, (count.get(args.method) ?? 0) + 1);
          }
        },
      },
      // The services retry on their own (ts-src/chain/retry.ts), only what is worth it.
      { retryCount: 0 },
    ),
  }) as PublicClient;
  return { client, time, count };
}

/**
 * Runs the benchmark; `log` hears about its steps.
 *
 * @throws Error when an account is left short or a call open.
 */
export async function automationBench(log: (line: string) => void = () => {}): Promise<Metrics> {
  const folder = mkdtempSync(join(tmpdir(), "clearchain-automation-bench-"));
  const setupStarted = performance.now();
  log("generating the case (1,000 accounts)");
  const generated = generateAutomationCase({
    seed: 11,
    ...AUTOMATION_SCALE,
    days: 2,
    shockDay: 2,
    defaulter: false,
  });
  log("deploying and onboarding 100 participants × 10 accounts");
  const world = await automationWorld({
    folder,
    files: generated.files,
    log: (line) => log(`${line} (${Math.round(performance.now() - setupStarted)} ms)`),
  });
  try {
    const { client, time, count } = timedClient(world.connection.provider);
    const { automation, close } = openServices(world, {
      client,
      concurrency: Number(process.env.BENCH_AUTOMATION_CONCURRENCY ?? 8),
      ccp: { pollIntervalMs: 10 },
    });
    log("starting the services (allowances, port acceptances)");
    const startStarted = performance.now();
    await automation.start();
    if (process.env.BENCH_AUTOMATION_PROFILE === "1") {
      log(`services started in ${Math.round(performance.now() - startStarted)} ms`);
      for (const [method, ms] of [...time].sort((a, b) => b[1] - a[1]))
        log(`  start ${method}: ${count.get(method)} calls, ${Math.round(ms)} ms`);
    }
    const setupSeconds = (performance.now() - setupStarted) / 1_000;

    const request = world.data.cycles()[0]!;
    log(`cycle ${request.name}: 1,000 accounts`);
    time.clear();
    count.clear();
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const { summary, answeringMs } = await automation.runCycle(request, cycleTime(request));
    const wall = (performance.now() - started) / 1_000;
    const cpu = process.cpuUsage(cpuBefore);
    close();
    if (process.env.BENCH_AUTOMATION_PROFILE === "1") {
      for (const [method, ms] of [...time].sort((a, b) => b[1] - a[1]))
        log(`${method}: ${count.get(method)} calls, ${Math.round(ms)} ms`);
    }

    if (summary.accounts !== 1_000)
      throw new Error(`automation benchmark: ${summary.accounts} accounts margined`);
    if (summary.callsMet !== summary.callsIssued || summary.callsIssued < 900) {
      throw new Error(`automation benchmark: ${summary.callsMet} of ${summary.callsIssued} calls met`);
    }
    const t = summary.timings;
    const covered = wall - t.closing / 1_000;
    const answering = answeringMs / 1_000;
    const seconds = (ms: number) => Math.round(ms * 1_000) / 1_000;
    log(
      `${summary.callsIssued} calls, ${summary.callsMet} met in ${covered.toFixed(1)} s: margin ${seconds(t.margin / 1_000)} s, posting ${seconds(t.posting / 1_000)} s, answering ${answering.toFixed(2)} s, close ${seconds(t.closing / 1_000)} s`,
    );
    return {
      "automation.cycle.seconds": seconds(covered),
      "automation.callsPerSecond": Math.round(summary.callsMet / answering),
      "automation.cycle.cpuSeconds": seconds((cpu.user + cpu.system) / 1e6),
      "automation.cycle.marginSeconds": seconds(t.margin / 1_000),
      "automation.cycle.postingSeconds": seconds(t.posting / 1_000),
      "automation.cycle.answeringSeconds": seconds(answering),
      "automation.cycle.transactions": count.get("eth_sendRawTransaction") ?? 0,
      "automation.cycle.rpcCalls": [...count.values()].reduce((sum, n) => sum + n, 0),
      "automation.cycle.closeSeconds": seconds(t.closing / 1_000),
      "automation.setup.seconds": seconds(setupSeconds),
    };
  } finally {
    await world.connection.close();
    rmSync(folder, { recursive: true, force: true });
    rmSync(world.scratch, { recursive: true, force: true });
  }
}
