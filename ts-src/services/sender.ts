/**
 * The transaction sender of a service (ts-src/chain/sender.ts) on the service's own journal and chain, with every RPC
 * retry logged as a warning: one construction for the settlement service, the CCP service and the agents.
 */
import type { Abi, PublicClient } from "viem";

import type { KeyRing } from "../chain/accounts.ts";
import type { RetryPolicy } from "../chain/retry.ts";
import { TransactionSender } from "../chain/sender.ts";
import type { Journal } from "./journal.ts";
import type { Logger } from "./logger.ts";

/** What a service was started with that its sender needs. */
export interface ServiceSenderOptions {
  readonly client: PublicClient;
  readonly keys: KeyRing;
  readonly journal: Journal;
  readonly deployment: { readonly chainId: number };
  readonly checkpoint?: (point: string) => void;
}

/**
 * The sender of a service.
 *
 * @example
 *   this.#sender = serviceSender(options, { errorsAbi: escrowErrorsAbi, retry, log, pollingIntervalMs: 50 });
 */
export function serviceSender(
  options: ServiceSenderOptions,
  settings: { errorsAbi: Abi; retry: RetryPolicy; log: Logger; pollingIntervalMs?: number },
): TransactionSender {
  return new TransactionSender({
    client: options.client,
    keys: options.keys,
    journal: options.journal,
    chainId: options.deployment.chainId,
    errorsAbi: settings.errorsAbi,
    retry: settings.retry,
    ...(settings.pollingIntervalMs === undefined ? {} : { pollingIntervalMs: settings.pollingIntervalMs }),
    onRetry: (what, attempt, delayMs, error) =>
      settings.log.warn({ what, attempt, delayMs, error: String(error) }, "RPC failed, retrying"),
    ...(options.checkpoint === undefined ? {} : { checkpoint: options.checkpoint }),
  });
}
