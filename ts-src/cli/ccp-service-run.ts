/**
 * The implementation of `ccp ccp-service` (./ccp-service.ts registers it).
 *
 * `ccp ccp-service --deployment <file> --data <folder> [--network <url>] …` checks everything before it sends
 * anything: the deployment file (`DEPLOYMENT_BAD_FILE`), the market data and collateral pricing (the margin engine's
 * `MARGIN_INPUT_*`, `AUTOMATION_BAD_INPUT`), the chain (`CHAIN_RPC_FAILED` when the endpoint is down,
 * `DEPLOYMENT_WRONG_CHAIN`, `DEPLOYMENT_NO_CODE`), its key (`CHAIN_NO_KEY`) and roles (`AUTOMATION_MISSING_ROLE`), and
 * that no other process signs with its key (`AUTOMATION_KEY_IN_USE`); then it runs the cycles asked with `--cycle`,
 * and those requested in the requests folder (`ccp trigger-cycle` writes them), each to its close, printing a
 * summary table after each; with `--once` it stops when they are done, else it polls for more until stopped
 * (SIGINT, SIGTERM). Killed at any point, the same command resumes from its journal.
 */
import { basename, dirname, join } from "node:path";

import type { PublicClient } from "viem";

import { ChainError } from "../chain/errors.ts";
import { buildReport } from "../report/builder.ts";
import { writeReportFiles } from "../report/files.ts";
import { CcpMarketData, byCycleOrder, cycleRequest } from "../services/ccp-data.ts";
import { CcpService, type CycleSummary, type RejectedRequest } from "../services/ccp-service.ts";
import { type SuiteDeployment, checkDeploymentOnChain, readSuiteDeployment } from "../services/deployment.ts";
import { AutomationError } from "../services/errors.ts";
import { Journal } from "../services/journal.ts";
import { KeyLocks } from "../services/key-lock.ts";
import { automationFacts, readReportAssets } from "../services/run-facts.ts";
import { formatYen, renderTable, toJson } from "./format.ts";
import type { Output } from "./io.ts";
import {
  connectChain,
  pauseAt,
  serviceKeys,
  serviceOutput,
  stopOnSignal,
  withCheckpoint,
} from "./service-common.ts";

/** What `ccp ccp-service` takes. */
export interface CcpServiceCommandOptions {
  readonly deployment: string;
  readonly data: string;
  readonly network: string;
  readonly journal?: string;
  readonly requests?: string;
  readonly cycle: string[];
  readonly callWindow: number;
  readonly batchSize: number;
  readonly pollInterval: number;
  readonly once?: boolean;
  readonly cycles?: number;
  readonly report?: string;
  readonly lockDir?: string;
  readonly json?: boolean;
}

/** A service's default journal: beside the deployment file, named after the service. */
export function defaultJournal(deploymentFile: string, service: string): string {
  return join(
    dirname(deploymentFile),
    `${basename(deploymentFile).replace(/\.json$/, "")}.${service}.sqlite`,
  );
}

/**
 * A cycle's summary as a table (what `ccp ccp-service` prints after each cycle).
 *
 * @example
 *   console.log(cycleTable(summary));
 */
export function cycleTable(summary: CycleSummary): string {
  const ms = (value: number) => `${Math.round(value).toLocaleString("en-US")} ms`;
  const rows: [string, string][] = [
    ["accounts margined", String(summary.accounts)],
    ["left out (in default)", summary.excluded.map((e) => e.account).join(", ") || "none"],
    ["requirement (yen)", formatYen(summary.requirement)],
    ["collateral value at posting (yen)", formatYen(summary.valueAtPosting)],
    ["collateral value at close (yen)", formatYen(summary.valueAtClose)],
    ["margin calls issued", String(summary.callsIssued)],
    ["shortfall called (yen)", formatYen(summary.shortfallCalled)],
    ["calls met", String(summary.callsMet)],
    ["calls defaulted", String(summary.callsDefaulted)],
    ["median time to cover", summary.medianTimeToCover === null ? "–" : `${summary.medianTimeToCover} s`],
    [
      "defaults",
      summary.defaults.map((d) => `${d.account} (${d.scope} ${d.participant})`).join(", ") || "none",
    ],
    ["ported", summary.ported.map((p) => `${p.account} → ${p.to}`).join(", ") || "none"],
    [
      "time: margin / posting / waiting / defaults / close",
      [
        summary.timings.margin,
        summary.timings.posting,
        summary.timings.waiting,
        summary.timings.defaults,
        summary.timings.closing,
      ]
        .map(ms)
        .join(" / "),
    ],
  ];
  const title = `Cycle ${summary.cycle} ${summary.name} (${summary.kind}, as of ${summary.asOf})`;
  return `${title}\n${renderTable(["", "this cycle"], rows)}`;
}

/**
 * Runs the CCP service (see the module notes); returns the summaries of the cycles it ran.
 *
 * @example
 *   await runCcpService({ deployment: "deployments/localhost.json", data: "data/demo", network: "localhost",
 *     cycle: ["2026-11-09"], callWindow: 3600, batchSize: 100, pollInterval: 1000, once: true }, output);
 */
export async function runCcpService(
  options: CcpServiceCommandOptions,
  output: Output,
): Promise<CycleSummary[]> {
  const deployment = readSuiteDeployment(options.deployment);
  const data = await CcpMarketData.load(options.data);
  const asked = options.cycle.map(cycleRequest).sort(byCycleOrder);
  const { client, chainId, url } = await connectChain(options.network);
  await checkDeploymentOnChain(client, deployment, url);
  const keys = await serviceKeys(
    chainId,
    (message) => new ChainError("CHAIN_NO_KEY", message, { details: { chainId } }),
  );
  keys.account(deployment.roles.ccp);
  const { logger, progress } = serviceOutput("ccp-service", options.json === true);
  const locks = KeyLocks.acquire({
    chainId,
    addresses: [deployment.roles.ccp],
    owner: "ccp-service",
    ...(options.lockDir === undefined ? {} : { directory: options.lockDir }),
  });
  const journal = Journal.open(options.journal ?? defaultJournal(options.deployment, "ccp-service"));
  const ran: CycleSummary[] = [];
  try {
    const service = new CcpService({
      client,
      keys,
      journal,
      deployment,
      data,
      logger,
      progress,
      callWindowSeconds: options.callWindow,
      batchSize: options.batchSize,
      pollIntervalMs: options.pollInterval,
      ...withCheckpoint(pauseAt(logger)),
    });
    await service.start();
    const stop = stopOnSignal(logger);
    const onCycle = async (summary: CycleSummary) => {
      ran.push(summary);
      output.out(options.json === true ? toJson(summary) : cycleTable(summary));
      if (options.report !== undefined)
        await writeRunReport(service, client, deployment, data, options.report, url);
    };
    for (const request of asked) {
      if (stop()) break;
      await onCycle(await service.runCycle(request));
    }
    if (options.once === true && asked.length > 0) return ran;
    const pendingReports: Promise<void>[] = [];
    const rejected: RejectedRequest[] = [];
    await service.runRequests(options.requests ?? join(options.data, "requests"), {
      ...(options.once === true ? { once: true } : {}),
      ...(options.cycles === undefined ? {} : { cycles: Math.max(0, options.cycles - ran.length) }),
      onCycle: (summary) => {
        pendingReports.push(onCycle(summary));
      },
      // The service logs each as an error, with its code and where its file went.
      onRejected: (request) => rejected.push(request),
      stop,
    });
    await Promise.all(pendingReports);
    // A long-running service carries on past a rejected request; a run that was asked to do what is there and stop
    // reports it in its exit status.
    if (options.once === true && rejected.length > 0) {
      throw new AutomationError(
        "AUTOMATION_REQUEST_REJECTED",
        `${rejected.length} cycle request${rejected.length === 1 ? " was" : "s were"} rejected: ${rejected.map((r) => `${r.name} (${r.code})`).join(", ")}`,
        { details: { rejected } },
      );
    }
    return ran;
  } finally {
    journal.close();
    locks.release();
  }
}

/** Writes the run report of everything the service journalled into `folder`. */
async function writeRunReport(
  service: CcpService,
  client: PublicClient,
  deployment: SuiteDeployment,
  data: CcpMarketData,
  folder: string,
  url: string,
): Promise<void> {
  const { schedule, assets } = await readReportAssets(client, deployment.contracts.escrow);
  const records = service.cycleRecords();
  const now = (await client.getBlock()).timestamp;
  const facts = automationFacts({
    run: {
      id: basename(folder).replace(/[^A-Za-z0-9._-]/g, "-") || "ccp-service",
      title: `CCP margin service on ${deployment.network} (${url})`,
      network: deployment.network,
      chainId: deployment.chainId,
      startedAt: Number(records[0]?.postedAt ?? now),
      endedAt: Number(now),
    },
    deployment,
    ccp: service,
    schedule,
    assets,
    trustRate: data.pricing.trustRate,
  });
  writeReportFiles(buildReport(facts), folder);
}
