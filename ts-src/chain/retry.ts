/**
 * Retrying RPC calls: which failures are worth another try (the network, a timeout, a busy node) and which are not (a
 * contract's refusal, a malformed request), with exponential backoff and jitter.
 */
import {
  HttpRequestError,
  InternalRpcError,
  LimitExceededRpcError,
  ResourceUnavailableRpcError,
  SocketClosedError,
  TimeoutError,
  WebSocketRequestError,
  BaseError,
} from "viem";

import { ChainError } from "./errors.ts";
import { revertDataOf } from "./revert.ts";

/** How to retry. */
export interface RetryPolicy {
  /** Tries in all (the first included). */
  readonly attempts: number;
  /** The first wait; each next one doubles, up to `maxDelayMs`, with ±25% jitter. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Waits; tests pass a fake. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Six tries over about six seconds. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 6, baseDelayMs: 200, maxDelayMs: 3_000 };

const NODE_NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  "UND_ERR_SOCKET",
]);

/**
 * Whether `error` is a transient RPC failure: the transport failed or timed out, or the node answered that it is busy
 * or failed internally. A contract revert (an error carrying revert data) never is.
 */
export function isTransientRpcError(error: unknown): boolean {
  if (revertDataOf(error) !== undefined) return false;
  const transient = (candidate: unknown): boolean =>
    candidate instanceof HttpRequestError ||
    candidate instanceof TimeoutError ||
    candidate instanceof WebSocketRequestError ||
    candidate instanceof SocketClosedError ||
    candidate instanceof LimitExceededRpcError ||
    candidate instanceof ResourceUnavailableRpcError ||
    candidate instanceof InternalRpcError ||
    NODE_NETWORK_CODES.has(String((candidate as { code?: unknown })?.code));
  if (transient(error)) return true;
  if (error instanceof BaseError) return error.walk(transient) !== null;
  let current = (error as { cause?: unknown })?.cause;
  for (let depth = 0; current !== undefined && current !== null && depth < 8; depth++) {
    if (transient(current)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * Runs `call`, retrying transient RPC failures with exponential backoff; any other failure is thrown at once.
 *
 * @throws {ChainError} `CHAIN_RPC_FAILED` (with the last failure as `cause`) when every try failed transiently.
 * @example
 *   const balance = await withRetry("balanceOf", () => client.readContract({ … }), DEFAULT_RETRY);
 */
export async function withRetry<T>(
  what: string,
  call: () => Promise<T>,
  policy: RetryPolicy = DEFAULT_RETRY,
  onRetry?: (attempt: number, delayMs: number, error: unknown) => void,
): Promise<T> {
  const sleep = policy.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!isTransientRpcError(error)) throw error;
      if (attempt >= policy.attempts) {
        throw new ChainError("CHAIN_RPC_FAILED", `${what}: the node kept failing (${attempt} tries)`, {
          cause: error,
          details: { what, attempts: attempt },
        });
      }
      const delay = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      const jittered = Math.round(delay * (0.75 + Math.random() * 0.5));
      onRetry?.(attempt, jittered, error);
      await sleep(jittered);
    }
  }
}
