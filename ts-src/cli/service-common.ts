/**
 * What the long-running commands (`ccp settle`, `ccp ccp-service`, `ccp participant-agent`) share: the chain's
 * JSON-RPC endpoint (checked up, retried with backoff), the keys they sign with, their logs and progress display,
 * and a clean stop on SIGINT or SIGTERM.
 */
import { InvalidArgumentError } from "commander";
import { http, type Hex, type PublicClient, createPublicClient } from "viem";

import { HARDHAT_MNEMONIC, KeyRing } from "../chain/accounts.ts";
import { remoteSignerAccounts } from "../chain/remote-signer.ts";
import { withRetry } from "../chain/retry.ts";
import { type Logger, createLogger } from "../services/logger.ts";
import { type Progress, noProgress, terminalProgress } from "../services/progress.ts";
import type { Address } from "../settlement/types.ts";
import type { ClearchainError } from "../shared/errors.ts";

/** The chain id of Hardhat's networks (in-process and `hardhat node`). */
export const HARDHAT_CHAIN_ID = 31337;

/**
 * The RPC URL of a `--network` value: `localhost` (http://127.0.0.1:8545, where `npm run node` listens) or an
 * http(s) URL.
 */
export function networkUrl(network: string): string {
  if (network === "localhost") return "http://127.0.0.1:8545";
  if (!/^https?:\/\/\S+$/.test(network)) {
    throw new InvalidArgumentError(
      `expected an http(s) JSON-RPC URL or "localhost", got ${JSON.stringify(network)}`,
    );
  }
  return network;
}

/**
 * A client of the chain at `network`, with its chain id (asked with a few retries: an endpoint that is down fails
 * with `CHAIN_RPC_FAILED` in about two seconds).
 *
 * @example
 *   const { client, chainId, url } = await connectChain("localhost");
 */
export async function connectChain(
  network: string,
): Promise<{ client: PublicClient; chainId: number; url: string }> {
  const url = networkUrl(network);
  // No caching of reads (viem caches eth_blockNumber for its polling interval by default): a service that has just
  // sent a transaction must see its block.
  const client = createPublicClient({
    transport: http(url, { retryCount: 0, timeout: 30_000 }),
    cacheTime: 0,
    pollingInterval: 250,
  }) as PublicClient;
  const chainId = await withRetry("eth_chainId", () => client.getChainId(), {
    attempts: 3,
    baseDelayMs: 300,
    maxDelayMs: 1_000,
  });
  return { client, chainId, url };
}

/**
 * The keys a service signs with, in this order of preference:
 * - `CCP_SIGNER_URL`: a remote signer (Web3Signer's JSON-RPC, in front of an HSM or a vault) that signs each
 *   transaction without the key ever entering the process: the accounts it lists, or those of `CCP_SIGNER_ACCOUNTS`
 *   (comma-separated addresses);
 * - `CCP_PRIVATE_KEYS`: comma-separated 32-byte hex private keys, so that each process holds only its own keys (the
 *   CCP service the CCP's, an agent its participant's and its customers');
 * - `CCP_MNEMONIC`: the first `CCP_ACCOUNTS` (default 20) accounts of that mnemonic;
 * - on a local Hardhat chain (id 31337) without either, Hardhat's public development mnemonic.
 * `fail` builds the error for another chain without keys, or for a malformed key.
 */
export async function serviceKeys(
  chainId: number,
  fail: (message: string) => ClearchainError,
): Promise<KeyRing> {
  const signer = process.env.CCP_SIGNER_URL;
  if (signer !== undefined && signer.trim() !== "") {
    const listed = process.env.CCP_SIGNER_ACCOUNTS;
    const addresses =
      listed === undefined || listed.trim() === "" ? undefined : listed.split(",").map((a) => a.trim());
    const bad = addresses?.findIndex((a) => !/^0x[0-9a-fA-F]{40}$/.test(a)) ?? -1;
    if (bad >= 0) throw fail(`CCP_SIGNER_ACCOUNTS: ${JSON.stringify(addresses![bad])} is not an address`);
    return new KeyRing(
      await remoteSignerAccounts(signer.trim(), addresses as Address[] | undefined, {
        attempts: 3,
        baseDelayMs: 300,
        maxDelayMs: 1_000,
      }),
    );
  }
  const privateKeys = process.env.CCP_PRIVATE_KEYS;
  if (privateKeys !== undefined && privateKeys.trim() !== "") {
    const keys = privateKeys.split(",").map((key) => key.trim());
    const bad = keys.findIndex((key) => !/^0x[0-9a-fA-F]{64}$/.test(key));
    // The key itself is never echoed: only its position.
    if (bad >= 0) throw fail(`CCP_PRIVATE_KEYS: key ${bad + 1} is not 0x and 64 hex digits`);
    return KeyRing.fromPrivateKeys(keys as Hex[]);
  }
  const count = Number(process.env.CCP_ACCOUNTS ?? 20);
  const mnemonic = process.env.CCP_MNEMONIC;
  if (mnemonic !== undefined && mnemonic !== "") return KeyRing.fromMnemonic(mnemonic, count);
  if (chainId === HARDHAT_CHAIN_ID) return KeyRing.fromMnemonic(HARDHAT_MNEMONIC, count);
  throw fail(`chain ${chainId} is not a local Hardhat chain: set CCP_PRIVATE_KEYS or CCP_MNEMONIC`);
}

/**
 * The service's logs and progress: on a terminal, progress bars and warnings only (pino, on stderr); otherwise every
 * event as a JSON line on stderr. `CCP_LOG_LEVEL` overrides the level.
 */
export function serviceOutput(
  name: string,
  quiet = false,
): { logger: Logger; progress: Progress; terminal: boolean } {
  const terminal = process.stderr.isTTY === true && !quiet;
  const level = process.env.CCP_LOG_LEVEL ?? (terminal ? "warn" : "info");
  return {
    logger: createLogger({ name, level, destination: 2 }),
    progress: terminal ? terminalProgress() : noProgress,
    terminal,
  };
}

/**
 * Asks a loop to stop at its next step on SIGINT or SIGTERM (a second signal stops at once: the journal makes that
 * safe too). Returns whether a stop was asked.
 */
export function stopOnSignal(logger: Logger): () => boolean {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) process.exit(130);
    stopping = true;
    logger.warn({ signal }, "stopping after the current step");
  };
  process.once("SIGINT", () => stop("SIGINT"));
  process.once("SIGTERM", () => stop("SIGTERM"));
  return () => stopping;
}

/**
 * A testing aid: with `CCP_PAUSE_AT=<text>`, the service stops dead (logs `paused at <point>`, then blocks) at the
 * first point whose name contains the text, e.g. `broadcast answer:` (a transaction of an answer broadcast, its
 * receipt not seen yet), so that a test can kill the process exactly there. Without it, no checkpoint at all.
 */
export function pauseAt(logger: Logger): ((point: string) => void) | undefined {
  const target = process.env.CCP_PAUSE_AT;
  if (target === undefined || target === "") return undefined;
  return (point) => {
    if (!point.includes(target)) return;
    logger.warn({ point }, `paused at ${point}`);
    // Blocks the process for good: only a signal ends it now.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
  };
}

/** `{ checkpoint }` when there is one (an options object's optional field). */
export function withCheckpoint(checkpoint: ((point: string) => void) | undefined): {
  checkpoint?: (point: string) => void;
} {
  return checkpoint === undefined ? {} : { checkpoint };
}
