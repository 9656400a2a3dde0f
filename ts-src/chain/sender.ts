/**
 * Sending transactions so that a crash at any point, even between the broadcast and the receipt, never sends one twice
 * nor loses one:
 *
 * 1. the request is simulated (gas estimated) unless the caller gives the gas, so that a refusal costs nothing and
 *    comes back as a typed `ContractRevertError`;
 * 2. the nonce is the account's next on chain (the sender is the account's only sender: a nonce ahead of what it sent
 *    is a `CHAIN_NONCE_COLLISION`);
 * 3. the transaction is signed locally and journalled (key, account, nonce, hash, signed bytes) BEFORE it is broadcast;
 * 4. it is broadcast and its receipt awaited, retrying RPC failures with backoff; the outcome is journalled.
 *
 * On restart, `recover()` takes every journalled transaction without an outcome: if the chain has its receipt it is
 * done; otherwise the same signed bytes are broadcast again, which can mine at most once (same hash, same nonce).
 * A caller that sends with a key it has used before gets the journalled transaction back instead of a new one.
 */
import type { Abi, Hex, PublicClient, TransactionReceipt } from "viem";
import { keccak256 } from "viem";

import type { Address } from "../settlement/types.ts";
import type { KeyRing } from "./accounts.ts";
import { ChainError } from "./errors.ts";
import { DEFAULT_RETRY, type RetryPolicy, withRetry } from "./retry.ts";
import { toContractRevertError } from "./revert.ts";

/** A journalled transaction. */
export interface TransactionRecord {
  /** The caller's idempotency key, e.g. `report:20261201000001`. */
  readonly key: string;
  /** What it does, for the logs: `report`, `settle`, `mint`, … */
  readonly kind: string;
  readonly account: Address;
  readonly nonce: number;
  readonly hash: Hex;
  /** The signed transaction, as broadcast. */
  readonly raw: Hex;
  /** `signed` until the outcome is known. */
  readonly status: "signed" | "mined" | "reverted" | "rejected";
}

/** Where the sender journals its transactions (ts-src/services/journal.ts keeps them in SQLite). */
export interface TransactionJournal {
  /** The transaction journalled under `key`, if any. */
  transaction(key: string): TransactionRecord | undefined;
  /** Journals a signed transaction, before it is broadcast. */
  recordSigned(record: Omit<TransactionRecord, "status">): void;
  /** Journals the outcome of a transaction. */
  recordOutcome(key: string, status: "mined" | "reverted" | "rejected"): void;
  /** Every transaction still `signed`, by account and nonce. */
  unfinished(): TransactionRecord[];
  /** The highest nonce journalled for `account` (any status but `rejected`), if any. */
  lastNonce(account: Address): number | undefined;
}

/** A transaction to send. */
export interface TransactionRequest {
  /** What it does, for the logs. */
  readonly kind: string;
  readonly from: Address;
  readonly to: Address;
  readonly data: Hex;
  /**
   * The gas limit; without it the gas is estimated (which simulates the request) and a fifth is added. With it, the
   * request is simulated with one `eth_call` only if `simulate` is set (much cheaper than an estimate on a large
   * batch, which the node runs many times over).
   */
  readonly gas?: bigint;
  readonly simulate?: boolean;
}

/** The sender's collaborators. */
export interface SenderOptions {
  readonly client: PublicClient;
  readonly keys: KeyRing;
  readonly journal: TransactionJournal;
  readonly chainId: number;
  /** The custom errors a refusal is decoded with. */
  readonly errorsAbi: Abi;
  readonly retry?: RetryPolicy;
  /** Milliseconds between receipt polls (default 100). */
  readonly pollingIntervalMs?: number;
  /** Milliseconds to wait for a receipt before broadcasting the transaction again (default 60,000). */
  readonly receiptWaitMs?: number;
  /** Milliseconds to wait for a receipt in all before giving up with `CHAIN_RECEIPT_TIMEOUT` (default 600,000). */
  readonly receiptTimeoutMs?: number;
  /** Called on each retry of an RPC call. */
  readonly onRetry?: (what: string, attempt: number, delayMs: number, error: unknown) => void;
  /**
   * Test hook: called where a real process could be killed between journal and chain (`signed <key>`: journalled,
   * not broadcast; `broadcast <key>`: broadcast, receipt not seen). A test throws from it to simulate the kill.
   */
  readonly checkpoint?: (point: string) => void;
}

/**
 * Sends transactions exactly once, each account's in nonce order (see the module notes).
 *
 * @example
 *   const sender = new TransactionSender({ client, keys, journal, chainId, errorsAbi: settlementErrorsAbi });
 *   await sender.recover();
 *   const receipt = await sender.send(`mint:${tradeId}`, { kind: "mint", from: minter, to: coin, data });
 */
export class TransactionSender {
  readonly #options: SenderOptions;
  readonly #queues = new Map<string, Promise<unknown>>();

  constructor(options: SenderOptions) {
    this.#options = options;
  }

  /**
   * Sends `request` once under `key` and returns its receipt: a key already journalled returns that transaction's
   * receipt (after finishing it if need be) and sends nothing new.
   *
   * @throws {ContractRevertError} when the contract refuses (at simulation, or mined and reverted).
   * @throws {ChainError} `CHAIN_RPC_FAILED`, `CHAIN_NONCE_COLLISION`, `CHAIN_TX_REJECTED`, `CHAIN_TX_REVERTED`,
   *   `CHAIN_NO_KEY`.
   */
  send(key: string, request: TransactionRequest): Promise<TransactionReceipt> {
    return this.#serial(request.from, () => this.#send(key, request));
  }

  /**
   * Finishes every journalled transaction without an outcome (after a crash): the receipt if mined, otherwise the same
   * signed bytes broadcast again. Returns how many it finished.
   */
  async recover(): Promise<number> {
    const pending = this.#options.journal.unfinished();
    for (const record of pending) {
      await this.#serial(record.account, () => this.#finish(record));
    }
    return pending.length;
  }

  async #send(key: string, request: TransactionRequest): Promise<TransactionReceipt> {
    const { client, journal, keys, chainId } = this.#options;
    const known = journal.transaction(key);
    if (known !== undefined && known.status !== "rejected") return this.#finish(known);

    const account = keys.account(request.from);
    if (request.gas !== undefined && request.simulate === true) await this.#simulate(request, key);
    const gas = request.gas ?? (await this.#estimate(request, key));
    const nonce = await this.#rpc("getTransactionCount", () =>
      client.getTransactionCount({ address: request.from, blockTag: "pending" }),
    );
    const last = journal.lastNonce(request.from);
    if (last !== undefined && nonce > last + 1) {
      throw new ChainError(
        "CHAIN_NONCE_COLLISION",
        `${request.from} has sent nonce ${nonce - 1} although this service last sent ${last}: another process sends for it`,
        { details: { account: request.from, chainNonce: nonce, lastSent: last } },
      );
    }
    const raw = await account.signTransaction!({
      chainId,
      nonce,
      to: request.to,
      data: request.data,
      gas,
      ...(await this.#fees()),
    });
    const record = { key, kind: request.kind, account: request.from, nonce, hash: keccak256(raw), raw };
    journal.recordSigned(record);
    this.#options.checkpoint?.(`signed ${key}`);
    return this.#finish({ ...record, status: "signed" });
  }

  /** Broadcasts (again, if need be) a journalled transaction and waits for its receipt. */
  async #finish(record: TransactionRecord): Promise<TransactionReceipt> {
    const { client, journal } = this.#options;
    let receipt = await this.#receipt(record.hash);
    if (receipt === undefined) {
      let broadcast = false;
      try {
        await this.#rpc("sendRawTransaction", () =>
          client.sendRawTransaction({ serializedTransaction: record.raw }),
        );
        broadcast = true;
      } catch (error) {
        // Already known, or mined meanwhile: the receipt decides. Otherwise the node refused it for good.
        receipt = await this.#receipt(record.hash);
        if (receipt === undefined) {
          const refusal = toContractRevertError(
            error,
            this.#options.errorsAbi,
            `${record.kind} ${record.key}`,
          );
          if (/nonce too low/i.test(messageChain(error))) {
            throw new ChainError(
              "CHAIN_NONCE_COLLISION",
              `${record.kind} ${record.key}: nonce ${record.nonce} of ${record.account} was used by another transaction`,
              { cause: error, details: { key: record.key, hash: record.hash, nonce: record.nonce } },
            );
          }
          if (!alreadyKnown(error)) {
            journal.recordOutcome(record.key, "rejected");
            if (refusal !== undefined) throw refusal;
            throw new ChainError(
              "CHAIN_TX_REJECTED",
              `${record.kind} ${record.key}: the node refused the transaction`,
              {
                cause: error,
                details: { key: record.key, hash: record.hash },
              },
            );
          }
        }
      }
      if (broadcast) this.#options.checkpoint?.(`broadcast ${record.key}`);
      // A chain that mines on arrival (Hardhat's automine) or within a block period has it at once: ask before waiting
      // a polling interval.
      receipt ??= await this.#receipt(record.hash);
      receipt ??= await this.#awaitReceipt(record);
    }
    if (receipt.status === "success") {
      if (record.status !== "mined") journal.recordOutcome(record.key, "mined");
      return receipt;
    }
    if (record.status !== "reverted") journal.recordOutcome(record.key, "reverted");
    throw await this.#whyReverted(record, receipt);
  }

  /**
   * Waits for a broadcast transaction's receipt, broadcasting it again every `receiptWaitMs` in case the node dropped
   * it from its pool, until `receiptTimeoutMs` has passed.
   *
   * @throws {ChainError} `CHAIN_RECEIPT_TIMEOUT` when no block took it in time (the journal keeps it: a restart
   *   waits for it again, never signs another in its place).
   */
  async #awaitReceipt(record: TransactionRecord): Promise<TransactionReceipt> {
    const { client } = this.#options;
    const wait = this.#options.receiptWaitMs ?? 60_000;
    const deadline = Date.now() + (this.#options.receiptTimeoutMs ?? 600_000);
    for (;;) {
      try {
        return await this.#rpc("waitForTransactionReceipt", () =>
          client.waitForTransactionReceipt({
            hash: record.hash,
            pollingInterval: this.#options.pollingIntervalMs ?? 100,
            timeout: Math.max(1, Math.min(wait, deadline - Date.now())),
          }),
        );
      } catch (error) {
        if ((error as { name?: string }).name !== "WaitForTransactionReceiptTimeoutError") throw error;
        if (Date.now() >= deadline) {
          throw new ChainError(
            "CHAIN_RECEIPT_TIMEOUT",
            `${record.kind} ${record.key}: transaction ${record.hash} was not mined in time (is the chain producing blocks?)`,
            { cause: error, details: { key: record.key, hash: record.hash, nonce: record.nonce } },
          );
        }
        this.#options.onRetry?.("waitForTransactionReceipt", 1, 0, error);
        try {
          await client.sendRawTransaction({ serializedTransaction: record.raw });
        } catch {
          // Already known to the node (the usual case), or mined meanwhile: the next wait finds out.
        }
      }
    }
  }

  async #receipt(hash: Hex): Promise<TransactionReceipt | undefined> {
    try {
      return await this.#rpc("getTransactionReceipt", () =>
        this.#options.client.getTransactionReceipt({ hash }),
      );
    } catch (error) {
      if ((error as { name?: string }).name === "TransactionReceiptNotFoundError") return undefined;
      throw error;
    }
  }

  /**
   * The fee fields of a transaction: EIP-1559 (type 2) priced from the node where the chain has a base fee; on a chain
   * without the London fee market (an older private network), a legacy (type 0) transaction at the node's gas price.
   */
  async #fees(): Promise<
    | { type: "eip1559"; maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }
    | { type: "legacy"; gasPrice: bigint }
  > {
    const { client } = this.#options;
    try {
      const fees = await this.#rpc("estimateFeesPerGas", () => client.estimateFeesPerGas());
      return {
        type: "eip1559",
        maxFeePerGas: fees.maxFeePerGas,
        maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
      };
    } catch (error) {
      if ((error as { name?: string }).name !== "Eip1559FeesNotSupportedError") throw error;
      const gasPrice = await this.#rpc("getGasPrice", () => client.getGasPrice());
      return { type: "legacy", gasPrice };
    }
  }

  async #estimate(request: TransactionRequest, key: string): Promise<bigint> {
    try {
      const estimate = await this.#rpc("estimateGas", () =>
        this.#options.client.estimateGas({ account: request.from, to: request.to, data: request.data }),
      );
      return estimate + estimate / 5n;
    } catch (error) {
      throw toContractRevertError(error, this.#options.errorsAbi, `${request.kind} ${key}`) ?? error;
    }
  }

  async #simulate(request: TransactionRequest, key: string): Promise<void> {
    try {
      await this.#rpc("call", () =>
        this.#options.client.call({
          account: request.from,
          to: request.to,
          data: request.data,
          gas: request.gas,
        }),
      );
    } catch (error) {
      throw toContractRevertError(error, this.#options.errorsAbi, `${request.kind} ${key}`) ?? error;
    }
  }

  /** The refusal of a mined, reverted transaction, found by replaying it at its block. */
  async #whyReverted(record: TransactionRecord, receipt: TransactionReceipt): Promise<Error> {
    const transaction = await this.#rpc("getTransaction", () =>
      this.#options.client.getTransaction({ hash: record.hash }),
    );
    try {
      await this.#options.client.call({
        account: record.account,
        to: transaction.to ?? undefined,
        data: transaction.input,
        gas: transaction.gas,
        blockNumber: receipt.blockNumber - 1n,
      });
    } catch (error) {
      const refusal = toContractRevertError(error, this.#options.errorsAbi, `${record.kind} ${record.key}`);
      if (refusal !== undefined) return refusal;
    }
    return new ChainError(
      "CHAIN_TX_REVERTED",
      `${record.kind} ${record.key}: mined and reverted (${record.hash})`,
      {
        details: { key: record.key, hash: record.hash, blockNumber: receipt.blockNumber.toString() },
      },
    );
  }

  #rpc<T>(what: string, call: () => Promise<T>): Promise<T> {
    return withRetry(what, call, this.#options.retry ?? DEFAULT_RETRY, (attempt, delay, error) =>
      this.#options.onRetry?.(what, attempt, delay, error),
    );
  }

  /** Runs `task` after every earlier task of `account`: one account's transactions go out in nonce order. */
  #serial<T>(account: string, task: () => Promise<T>): Promise<T> {
    const id = account.toLowerCase();
    const previous = this.#queues.get(id) ?? Promise.resolve();
    const next = previous.then(task, task);
    this.#queues.set(
      id,
      next.catch(() => undefined),
    );
    return next;
  }
}

function alreadyKnown(error: unknown): boolean {
  return /already known|known transaction|already imported/i.test(messageChain(error));
}

function messageChain(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 8; depth++) {
    parts.push(
      String((current as { message?: unknown }).message ?? ""),
      String((current as { details?: unknown }).details ?? ""),
    );
    current = (current as { cause?: unknown }).cause;
  }
  return parts.join(" | ");
}
