/**
 * The implementation of `ccp settle` (./settle.ts registers the command and loads this module only when it runs, so
 * that the other commands start without the service's dependencies). `ccp settle --feed <trades.jsonl> --deployment <deployment.json> [--network <url>] [--journal <file>] …`: runs the
 * settlement service on a trade feed until every trade is settled, cancelled at its deadline, or rejected.
 *
 * - `--network`: the JSON-RPC URL of the chain (`localhost`, the default, is http://127.0.0.1:8545, where
 *   `npx hardhat node` listens). `--deployment` names the chain id, the DvP contract and the service's accounts.
 * - Keys: the service signs locally (each transaction is journalled signed before it is broadcast). They are the
 *   first accounts of the mnemonic in `CCP_MNEMONIC` (`CCP_ACCOUNTS` of them, default 20); on a local Hardhat chain
 *   (chain id 31337) without it, Hardhat's public development mnemonic. The parties' wallets are among them in this
 *   set-up: their broker nodes hold the keys.
 * - The journal (default `<feed>.journal.sqlite`) keeps the run: the same command again resumes it after a crash.
 * - On a terminal: progress bars, then the summary; otherwise JSON log lines on stderr, then the summary.
 */
import { Journal } from "../services/journal.ts";
import {
  SettlementService,
  type SettlementSummary,
  SimulatedTrustDesk,
} from "../services/settlement-service.ts";
import { readDeployment } from "../settlement/deployment.ts";
import { SettlementError } from "../settlement/errors.ts";
import { readFeed } from "../settlement/feed.ts";
import { formatYen, renderTable, toJson } from "./format.ts";
import type { Output } from "./io.ts";
import { connectChain, serviceKeys, serviceOutput } from "./service-common.ts";

/** What `ccp settle` takes. */
export interface SettleOptions {
  readonly feed: string;
  readonly deployment: string;
  readonly network: string;
  readonly journal?: string;
  readonly batchSize: number;
  readonly declineTopUp: string[];
  readonly pollInterval: number;
  readonly json?: boolean;
}

/** The summary as a table. */
export function summaryTable(summary: SettlementSummary): string {
  return renderTable(
    ["trades", "count"],
    [
      ["in the feed", String(summary.trades)],
      ["settled", String(summary.settled)],
      ["cancelled at the deadline", String(summary.cancelled)],
      ["rejected at the report", String(summary.rejected)],
      ["short of stablecoin (fail handling)", String(summary.shortfalls)],
      ["top-ups minted", String(summary.topUps)],
      ["yen minted for top-ups", formatYen(summary.toppedUp)],
      ["failed attempts retried", String(summary.failedAttempts)],
    ],
  );
}

/**
 * Runs the service on the feed; the summary goes to `output`.
 *
 * @throws {FeedError} for a bad feed line (nothing is sent), {SettlementError} for a bad deployment, a missing key or
 *   the wrong chain.
 * @example
 *   const summary = await settle(
 *     { feed: "sandbox/trades.jsonl", deployment: "sandbox/deployment.json", network: "localhost",
 *       batchSize: 100, declineTopUp: [], pollInterval: 1_000 },
 *     { out: (text) => console.log(text) },
 *   );
 */
export async function settle(options: SettleOptions, output: Output): Promise<SettlementSummary> {
  const trades = readFeed(options.feed);
  const deployment = readDeployment(options.deployment);
  const { client, chainId, url } = await connectChain(options.network);
  if (chainId !== deployment.chainId) {
    throw new SettlementError(
      "SETTLEMENT_WRONG_CHAIN",
      `${url} is chain ${chainId}, the deployment is for ${deployment.chainId}`,
      {
        details: { url, chainId, expected: deployment.chainId },
      },
    );
  }
  if ((await client.getCode({ address: deployment.dvp })) === undefined) {
    throw new SettlementError(
      "SETTLEMENT_WRONG_CHAIN",
      `no contract at the DvP address ${deployment.dvp} on ${url}`,
      {
        details: { url, dvp: deployment.dvp },
      },
    );
  }
  const keys = await serviceKeys(
    chainId,
    (message) => new SettlementError("SETTLEMENT_NO_KEY", message, { details: { chainId } }),
  );
  const needed = new Set([
    deployment.exchange,
    deployment.settler,
    deployment.minter,
    ...trades.flatMap((trade) => [trade.seller.wallet, trade.buyer.wallet]),
  ]);
  const missing = [...needed].filter((address) => !keys.has(address));
  if (missing.length > 0) {
    throw new SettlementError(
      "SETTLEMENT_NO_KEY",
      `no key for ${missing.join(", ")} (set CCP_MNEMONIC, CCP_ACCOUNTS)`,
      {
        details: { missing },
      },
    );
  }

  const { logger, progress } = serviceOutput("settlement", options.json === true);
  const journal = Journal.open(options.journal ?? `${options.feed}.journal.sqlite`);
  try {
    const service = new SettlementService({
      client,
      keys,
      journal,
      deployment,
      trustDesk: new SimulatedTrustDesk(options.declineTopUp),
      logger,
      progress,
      batchSize: options.batchSize,
      pollIntervalMs: options.pollInterval,
    });
    const summary = await service.run(trades);
    output.out(
      options.json === true
        ? toJson(summary)
        : `Settlement of ${options.feed} on ${url} (journal ${journal.path})\n${summaryTable(summary)}`,
    );
    return summary;
  } finally {
    journal.close();
  }
}
