/**
 * The settlement service: takes the exchange's trade reports and carries each trade to settlement on the DvP contract,
 * or to its cancellation at the deadline, with the fail handling of the Progmat secondary-market working group
 * (appendix #06) when a buyer is short of stablecoin.
 *
 * Each round:
 * 1. trades past their deadline are cancelled on-chain (and reported in the summary);
 * 2. new trades are reported to the DvP contract in batches (`reportTrades`), as the exchange node;
 * 3. both parties' consents are signed (the broker nodes hold the keys);
 * 4. each buyer's stablecoin balance is checked against its trades; for a trade it cannot pay, the buyer side is
 *    notified of the amount short, places yen in trust (the trust desk), and the issuer mints the difference;
 * 5. the trades that can pay are settled in netted batches (`settleBatchBestEffort`); a trade that still fails is
 *    retried in the next round, until its deadline.
 *
 * Everything the service knows is in its journal (ts-src/services/journal.ts): the trades and their states, an event
 * log (the audit trail of fail handling), the batches it sent, and every transaction (journalled, signed, before its
 * broadcast: see ts-src/chain/sender.ts). Killed at any point and started again on the same journal, it finishes the
 * transactions in flight, reconciles the trades with the chain, and goes on: no trade is settled twice (the contract
 * refuses it anyway), no top-up is minted twice, none is forgotten.
 */
import type { Hex, PublicClient, TransactionReceipt } from "viem";

import type { KeyRing } from "../chain/accounts.ts";
import {
  TRADE_STATUS,
  type TradeTuple,
  compactSignature,
  dvpAbi,
  encodeCancel,
  encodeMint,
  encodeReportTrade,
  encodeReportTrades,
  encodeSettleBestEffort,
  settlementDigests,
  settlementErrorsAbi,
  settlementOutcomes,
  tokenAbi,
  tradeTuple,
} from "../chain/dvp.ts";
import { DEFAULT_RETRY, type RetryPolicy, withRetry } from "../chain/retry.ts";
import { ContractRevertError, toContractRevertError } from "../chain/revert.ts";
import type { TransactionSender } from "../chain/sender.ts";
import { formatFeedLine, parseFeedLine } from "../settlement/feed.ts";
import { FundingCheck, type Shortfall } from "../settlement/funding.ts";
import type { SettlementDeployment } from "../settlement/deployment.ts";
import { SettlementError } from "../settlement/errors.ts";
import type { Address, TradeTerms } from "../settlement/types.ts";
import type { Journal } from "./journal.ts";
import type { Logger } from "./logger.ts";
import { serviceSender } from "./sender.ts";
import { type Progress, noProgress } from "./progress.ts";

export type { SettlementDeployment };

/** The buyer side's answer to a shortfall notice: it places the yen in trust, or it does not. */
export interface TrustDesk {
  /**
   * The buyer of `shortfall.trade` is short by `shortfall.short`: does it place that much yen in trust (so that the
   * issuer mints it)? Asked again after a restart if the top-up was not minted yet.
   */
  deposit(shortfall: Shortfall): Promise<boolean>;
}

/** A trust desk where every buyer tops up, but those named (by investor code) who never do. */
export class SimulatedTrustDesk implements TrustDesk {
  readonly #refusing: ReadonlySet<string>;

  constructor(refusing: Iterable<string> = []) {
    this.#refusing = new Set(refusing);
  }

  async deposit(shortfall: Shortfall): Promise<boolean> {
    return !this.#refusing.has(shortfall.trade.buyer.investor);
  }
}

/** The service's collaborators. */
export interface SettlementServiceOptions {
  readonly client: PublicClient;
  /** Keys of the exchange node, the settler, the minter, and the parties' wallets (their broker nodes'). */
  readonly keys: KeyRing;
  readonly journal: Journal;
  readonly deployment: SettlementDeployment;
  readonly trustDesk: TrustDesk;
  readonly logger: Logger;
  readonly progress?: Progress;
  /** Trades per report and settlement transaction (default 100). */
  readonly batchSize?: number;
  readonly retry?: RetryPolicy;
  /**
   * Called when every open trade waits (for funds, for a holder rule, for its deadline) and nothing else can be done:
   * `until` is the earliest deadline of those trades. Default: sleep `pollIntervalMs`. A test advances the chain's
   * clock instead.
   */
  readonly idle?: (until: bigint) => Promise<void>;
  /** Milliseconds to sleep when idle (default 1,000). */
  readonly pollIntervalMs?: number;
  /** Test hook: called at each point where a real process could be killed; a test throws from it. */
  readonly checkpoint?: (point: string) => void;
}

/** What a run did, from the journal (so that a restarted run reports everything since the first start). */
export interface SettlementSummary {
  /** Trades in the journal. */
  readonly trades: number;
  readonly settled: number;
  readonly cancelled: number;
  /** Reports the contract refused (their reason in the journal's events). */
  readonly rejected: number;
  /** Trades still open (none, when a run returns). */
  readonly open: number;
  /** Trades that went through fail handling (a shortfall noticed before or at a settlement attempt). */
  readonly shortfalls: number;
  /** Top-ups minted, and their total in the stablecoin's base units. */
  readonly topUps: number;
  readonly toppedUp: bigint;
  /** Settlement attempts that failed (a shortfall or a holder rule) and were retried or ended in cancellation. */
  readonly failedAttempts: number;
}

type TradeState = "received" | "reported" | "settled" | "cancelled" | "rejected";

/**
 * Gas limits of the batch transactions, well above what they use (about 56,000 per reported trade, 27,000 to 45,000
 * per settled one, see bench/results.json): a node's gas estimate of a 100-trade batch runs it dozens of times, which
 * costs more than the batch itself; a limit a batch ever exceeded would show as a revert, never as a wrong outcome.
 */
const REPORT_GAS = { base: 100_000n, perTrade: 90_000n } as const;
const SETTLE_GAS = { base: 200_000n, perTrade: 90_000n } as const;

interface TradeRow {
  trade_number: string;
  terms: string;
  state: TradeState;
  seller_signature: string | null;
  buyer_signature: string | null;
  awaiting_funds: number;
  top_ups: number;
  attempts: number;
  batch: number | null;
}

interface BatchRow {
  id: number;
  kind: "report" | "settle";
  trade_numbers: string;
}

/** A trade as the service holds it. */
interface Held {
  readonly number: string;
  readonly terms: TradeTerms;
  readonly tuple: TradeTuple;
  readonly row: TradeRow;
}

/**
 * The settlement service.
 *
 * @example
 *   const service = new SettlementService({ client, keys, journal, deployment, trustDesk, logger });
 *   const summary = await service.run(readFeed("trades.jsonl"));
 *   console.log(`${summary.settled} settled, ${summary.cancelled} cancelled`);
 */
export class SettlementService {
  readonly #options: SettlementServiceOptions;
  readonly #journal: Journal;
  readonly #sender: TransactionSender;
  readonly #digest: (trade: TradeTuple) => Hex;
  readonly #log: Logger;
  readonly #progress: Progress;
  readonly #batchSize: number;

  constructor(options: SettlementServiceOptions) {
    this.#options = options;
    this.#journal = options.journal;
    this.#log = options.logger;
    this.#progress = options.progress ?? noProgress;
    this.#batchSize = options.batchSize ?? 100;
    this.#digest = settlementDigests({
      chainId: options.deployment.chainId,
      verifyingContract: options.deployment.dvp,
    });
    this.#journal.migrate(
      "settlement-v1",
      `CREATE TABLE trades (
         trade_number TEXT PRIMARY KEY,
         terms TEXT NOT NULL,
         state TEXT NOT NULL,
         seller_signature TEXT,
         buyer_signature TEXT,
         awaiting_funds INTEGER NOT NULL DEFAULT 0,
         top_ups INTEGER NOT NULL DEFAULT 0,
         attempts INTEGER NOT NULL DEFAULT 0,
         batch INTEGER,
         seq INTEGER NOT NULL
       );
       CREATE INDEX trades_by_state ON trades (state, seq);
       CREATE TABLE events (
         id INTEGER PRIMARY KEY AUTOINCREMENT,
         trade_number TEXT,
         kind TEXT NOT NULL,
         detail TEXT NOT NULL,
         at INTEGER NOT NULL
       );
       CREATE TABLE batches (
         id INTEGER PRIMARY KEY AUTOINCREMENT,
         kind TEXT NOT NULL,
         trade_numbers TEXT NOT NULL,
         status TEXT NOT NULL
       );`,
    );
    this.#sender = serviceSender(options, {
      errorsAbi: settlementErrorsAbi,
      retry: options.retry ?? DEFAULT_RETRY,
      log: this.#log,
    });
  }

  /**
   * Takes the trades of a feed (again after a restart: trades already journalled are kept as they are) and runs
   * rounds until every trade is settled, cancelled or rejected. Returns the summary.
   */
  async run(trades: readonly TradeTerms[]): Promise<SettlementSummary> {
    const recovered = await this.#sender.recover();
    if (recovered > 0) this.#log.info({ transactions: recovered }, "finished transactions in flight");
    const fresh = this.#ingest(trades);
    if (!fresh) {
      await this.#resumeTopUps();
      await this.#reconcile();
    }
    for (;;) {
      this.#showProgress();
      const now = await this.#chainTime();
      let progressed = await this.#finishOpenBatches();
      progressed = (await this.#cancelLapsed(now)) || progressed;
      progressed = (await this.#reportNew()) || progressed;
      await this.#signReported();
      const ready = await this.#checkFunding(now);
      progressed = (await this.#settle(ready)) || progressed;
      const open = this.#trades("state IN ('received', 'reported')");
      if (open.length === 0) break;
      if (!progressed) {
        const until = open.reduce(
          (earliest, held) => (held.terms.deadline < earliest ? held.terms.deadline : earliest),
          open[0]!.terms.deadline,
        );
        await this.#idle(until);
      }
    }
    this.#showProgress();
    this.#progress.stop();
    const summary = this.summary();
    this.#log.info({ ...summary, toppedUp: summary.toppedUp.toString() }, "settlement run finished");
    return summary;
  }

  /** The summary of everything in the journal. */
  summary(): SettlementSummary {
    const count = (where: string): number =>
      Number(this.#journal.get<{ n: number }>(`SELECT COUNT(*) AS n FROM trades WHERE ${where}`)!.n);
    const topUps = this.#journal.all<{ detail: string }>("SELECT detail FROM events WHERE kind = 'minted'");
    return {
      trades: count("1 = 1"),
      settled: count("state = 'settled'"),
      cancelled: count("state = 'cancelled'"),
      rejected: count("state = 'rejected'"),
      open: count("state IN ('received', 'reported')"),
      shortfalls: Number(
        this.#journal.get<{ n: number }>(
          "SELECT COUNT(DISTINCT trade_number) AS n FROM events WHERE kind = 'notified'",
        )!.n,
      ),
      topUps: topUps.length,
      toppedUp: topUps.reduce(
        (sum, row) => sum + BigInt((JSON.parse(row.detail) as { amount: string }).amount),
        0n,
      ),
      failedAttempts: Number(
        this.#journal.get<{ n: number }>("SELECT COUNT(*) AS n FROM events WHERE kind = 'attempt-failed'")!.n,
      ),
    };
  }

  /** The audit trail of one trade: its events in order (kind and detail). */
  events(tradeNumber: bigint): { kind: string; detail: Record<string, string> }[] {
    return this.#journal
      .all<{ kind: string; detail: string }>(
        "SELECT kind, detail FROM events WHERE trade_number = ? ORDER BY id",
        tradeNumber.toString(),
      )
      .map((row) => ({ kind: row.kind, detail: JSON.parse(row.detail) as Record<string, string> }));
  }

  // ------------------------------------------------------------------------------------------------------------
  // Stages
  // ------------------------------------------------------------------------------------------------------------

  /** Journals the feed's trades not journalled yet; true if the journal had none before (a first start). */
  #ingest(trades: readonly TradeTerms[]): boolean {
    const before = Number(this.#journal.get<{ n: number }>("SELECT COUNT(*) AS n FROM trades")!.n);
    this.#journal.atomically(() => {
      let seq = before;
      for (const trade of trades) {
        this.#journal.run(
          "INSERT OR IGNORE INTO trades (trade_number, terms, state, seq) VALUES (?, ?, 'received', ?)",
          trade.tradeNumber.toString(),
          formatFeedLine(trade),
          seq++,
        );
      }
    });
    this.#log.info({ trades: trades.length, journalled: before }, "feed read");
    return before === 0;
  }

  /** After a restart: the chain's word on every open trade (a report or settlement may have landed unrecorded). */
  async #reconcile(): Promise<void> {
    const open = this.#trades("state IN ('received', 'reported') AND batch IS NULL");
    for (const held of open) {
      const status = TRADE_STATUS[await this.#tradeStatus(held.tuple.tradeId)];
      const state: TradeState | undefined =
        status === "Settled"
          ? "settled"
          : status === "Cancelled"
            ? "cancelled"
            : status === "Reported"
              ? "reported"
              : undefined;
      if (state !== undefined && state !== held.row.state) {
        this.#setState(held.number, state);
        this.#event(held.number, `reconciled-${state}`, {});
      }
    }
  }

  /** Finishes batches sent before a restart: their transactions' receipts decide the trades' states. */
  async #finishOpenBatches(): Promise<boolean> {
    const open = this.#journal.all<BatchRow>(
      "SELECT id, kind, trade_numbers FROM batches WHERE status = 'open'",
    );
    for (const batch of open) {
      const held = (JSON.parse(batch.trade_numbers) as string[]).map((number) => this.#held(number));
      if (batch.kind === "report") await this.#sendReport(batch.id, held);
      else await this.#sendSettlement(batch.id, held);
    }
    return open.length > 0;
  }

  /** Cancels the open trades past their deadline. */
  async #cancelLapsed(now: bigint): Promise<boolean> {
    const lapsed = this.#trades("state IN ('received', 'reported') AND batch IS NULL").filter(
      (held) => held.terms.deadline < now,
    );
    for (const held of lapsed) {
      if (held.row.state === "received") {
        this.#setState(held.number, "rejected");
        this.#event(held.number, "rejected", { reason: "deadline passed before the report" });
        continue;
      }
      try {
        const receipt = await this.#send(`cancel:${held.number}`, {
          kind: "cancel",
          from: this.#options.deployment.exchange,
          to: this.#options.deployment.dvp,
          data: encodeCancel(held.tuple),
        });
        this.#journal.atomically(() => {
          this.#setState(held.number, "cancelled");
          this.#event(held.number, "cancelled", {
            tx: receipt.transactionHash,
            deadline: held.terms.deadline.toString(),
          });
        });
        this.#log.info(
          { tradeNumber: held.number, deadline: held.terms.deadline.toString() },
          "trade cancelled after its deadline",
        );
      } catch (error) {
        const refused = this.#refusal(error);
        if (refused?.errorName !== "DvPTradeNotOpen") throw error;
        // Settled or cancelled meanwhile: the chain says which.
        const status = TRADE_STATUS[await this.#tradeStatus(held.tuple.tradeId)];
        this.#setState(held.number, status === "Settled" ? "settled" : "cancelled");
      }
    }
    return lapsed.length > 0;
  }

  /** Reports new trades in batches. */
  async #reportNew(): Promise<boolean> {
    const fresh = this.#trades("state = 'received' AND batch IS NULL");
    for (let start = 0; start < fresh.length; start += this.#batchSize) {
      const chunk = fresh.slice(start, start + this.#batchSize);
      const batch = this.#openBatch("report", chunk);
      await this.#sendReport(batch, chunk);
    }
    return fresh.length > 0;
  }

  async #sendReport(batch: number, chunk: readonly Held[]): Promise<void> {
    const { deployment } = this.#options;
    try {
      await this.#send(`report:${batch}`, {
        kind: "report",
        from: deployment.exchange,
        to: deployment.dvp,
        data: encodeReportTrades(chunk.map((held) => held.tuple)),
        gas: REPORT_GAS.base + REPORT_GAS.perTrade * BigInt(chunk.length),
        simulate: true,
      });
      this.#journal.atomically(() => {
        for (const held of chunk) {
          this.#setState(held.number, "reported");
          this.#event(held.number, "reported", { batch: String(batch) });
        }
        this.#closeBatch(batch);
      });
      return;
    } catch (error) {
      if (this.#refusal(error) === undefined) throw error;
    }
    // One trade refused the whole batch: report each alone, so that only the bad ones are rejected.
    this.#closeBatch(batch);
    for (const held of chunk) {
      try {
        await this.#send(`report:${batch}:${held.number}`, {
          kind: "report",
          from: deployment.exchange,
          to: deployment.dvp,
          data: encodeReportTrade(held.tuple),
        });
        this.#setState(held.number, "reported");
        this.#event(held.number, "reported", { batch: String(batch) });
      } catch (error) {
        const refused = this.#refusal(error);
        if (refused === undefined) throw error;
        if (refused.errorName === "DvPTradeAlreadyReported") {
          this.#setState(held.number, "reported");
          continue;
        }
        this.#journal.atomically(() => {
          this.#setState(held.number, "rejected");
          this.#event(held.number, "rejected", { code: refused.code, reason: refused.message });
        });
        this.#log.warn({ tradeNumber: held.number, code: refused.code }, "trade report refused");
      }
    }
  }

  /** Signs both parties' consents for reported trades that lack them (the broker nodes hold the keys). */
  async #signReported(): Promise<void> {
    const unsigned = this.#trades("state = 'reported' AND seller_signature IS NULL");
    if (unsigned.length === 0) return;
    const { keys } = this.#options;
    const signatures = await Promise.all(
      unsigned.map(async (held) => {
        const digest = this.#digest(held.tuple);
        const seller = await signDigest(keys, held.tuple.seller, digest);
        const buyer = await signDigest(keys, held.tuple.buyer, digest);
        return [held.number, seller, buyer] as const;
      }),
    );
    this.#journal.atomically(() => {
      for (const [number, seller, buyer] of signatures) {
        this.#journal.run(
          "UPDATE trades SET seller_signature = ?, buyer_signature = ? WHERE trade_number = ?",
          seller,
          buyer,
          number,
        );
      }
    });
    this.#checkpoint("consents signed");
  }

  /**
   * The buyer's balance first: every reported, signed trade not in a batch is taken against its buyer's balance; for
   * one it cannot pay, the buyer is notified of the amount short, asked to place it in trust, and the issuer mints it.
   * Returns the trades that can now settle.
   */
  async #checkFunding(now: bigint): Promise<Held[]> {
    const candidates = this.#trades(
      "state = 'reported' AND batch IS NULL AND seller_signature IS NOT NULL",
    ).filter((held) => held.terms.deadline >= now);
    if (candidates.length === 0) return [];
    const buyers = [...new Set(candidates.map((held) => held.terms.buyer.wallet))];
    const stablecoins = new Map(candidates.map((held) => [held.terms.buyer.wallet, held.terms.stablecoin]));
    const balances = new Map<Address, bigint>();
    for (const buyer of buyers) balances.set(buyer, await this.#balanceOf(stablecoins.get(buyer)!, buyer));
    const check = new FundingCheck(balances);
    const ready: Held[] = [];
    for (const held of candidates) {
      const taken = check.take(held.terms);
      if (taken.covered) {
        if (held.row.awaiting_funds !== 0)
          this.#journal.run("UPDATE trades SET awaiting_funds = 0 WHERE trade_number = ?", held.number);
        ready.push(held);
        continue;
      }
      if (held.row.awaiting_funds !== 0) continue; // the buyer declined to top up: it waits for its deadline
      if (await this.#topUp(held, taken)) {
        check.toppedUp(held.terms);
        ready.push(held);
      }
    }
    return ready;
  }

  /** The fail handling of one short trade; true once the difference is minted. */
  async #topUp(held: Held, shortfall: Shortfall): Promise<boolean> {
    const detail = {
      short: shortfall.short.toString(),
      available: shortfall.available.toString(),
      amount: held.terms.amount.toString(),
    };
    this.#event(held.number, "notified", { buyer: held.terms.buyer.investor, ...detail });
    this.#log.info(
      { tradeNumber: held.number, buyer: held.terms.buyer.investor, ...detail },
      "buyer short of stablecoin: notified",
    );
    if (!(await this.#options.trustDesk.deposit(shortfall))) {
      this.#journal.atomically(() => {
        this.#journal.run("UPDATE trades SET awaiting_funds = 1 WHERE trade_number = ?", held.number);
        this.#event(held.number, "deposit-declined", detail);
      });
      this.#log.warn(
        { tradeNumber: held.number },
        "buyer placed no yen in trust: the trade waits for its deadline",
      );
      return false;
    }
    // The deposit is the intent: once journalled, the top-up is minted exactly once, across restarts.
    const key = `mint:${held.number}:${held.row.top_ups}`;
    this.#event(held.number, "deposited", { amount: shortfall.short.toString(), key });
    await this.#mint(held, key, shortfall.short);
    return true;
  }

  /** Mints a deposited top-up under its key, and journals it. */
  async #mint(held: Held, key: string, amount: bigint): Promise<void> {
    const receipt = await this.#send(key, {
      kind: "mint",
      from: this.#options.deployment.minter,
      to: held.terms.stablecoin,
      data: encodeMint(held.terms.buyer.wallet, amount),
    });
    this.#journal.atomically(() => {
      this.#journal.run("UPDATE trades SET top_ups = top_ups + 1 WHERE trade_number = ?", held.number);
      this.#event(held.number, "minted", { amount: amount.toString(), key, tx: receipt.transactionHash });
    });
    this.#log.info({ tradeNumber: held.number, amount: amount.toString() }, "issuer minted the top-up");
  }

  /** After a restart: the top-ups deposited but not yet journalled as minted are minted (or found minted). */
  async #resumeTopUps(): Promise<void> {
    const pending = this.#journal.all<{ trade_number: string; detail: string }>(
      `SELECT d.trade_number, d.detail FROM events d
       WHERE d.kind = 'deposited' AND NOT EXISTS (
         SELECT 1 FROM events m WHERE m.kind = 'minted' AND m.trade_number = d.trade_number
           AND json_extract(m.detail, '$.key') = json_extract(d.detail, '$.key'))
       ORDER BY d.id`,
    );
    for (const row of pending) {
      const { amount, key } = JSON.parse(row.detail) as { amount: string; key: string };
      await this.#mint(this.#held(row.trade_number), key, BigInt(amount));
    }
  }

  /** Settles ready trades in netted batches. */
  /**
   * Settles ready trades in netted batches. True if any settled: a round whose attempts all failed (a holder rule,
   * a shortfall after the check) is no progress, and the service waits before it tries them again.
   */
  async #settle(ready: readonly Held[]): Promise<boolean> {
    let settled = 0;
    for (let start = 0; start < ready.length; start += this.#batchSize) {
      const chunk = ready.slice(start, start + this.#batchSize);
      const batch = this.#openBatch("settle", chunk);
      settled += await this.#sendSettlement(batch, chunk);
    }
    return settled > 0;
  }

  /** Sends (or, after a restart, finishes) a settlement batch; returns how many of its trades settled. */
  async #sendSettlement(batch: number, chunk: readonly Held[]): Promise<number> {
    const { deployment } = this.#options;
    const fresh = chunk.map((held) => this.#held(held.number));
    const receipt = await this.#send(`settle:${batch}`, {
      kind: "settle",
      from: deployment.settler,
      to: deployment.dvp,
      data: encodeSettleBestEffort(
        fresh.map((held) => held.tuple),
        fresh.map((held) => held.row.seller_signature as Hex),
        fresh.map((held) => held.row.buyer_signature as Hex),
      ),
      gas: SETTLE_GAS.base + SETTLE_GAS.perTrade * BigInt(fresh.length),
    });
    const outcomes = settlementOutcomes(receipt.logs, deployment.dvp);
    this.#journal.atomically(() => {
      for (const [index, held] of fresh.entries()) {
        const outcome = outcomes[index];
        if (outcome === undefined || outcome.tradeId !== held.tuple.tradeId) {
          throw new Error(
            `settlement batch ${batch}: no outcome for trade ${held.number} in ${receipt.transactionHash}`,
          );
        }
        if (outcome.kind === "settled") {
          this.#setState(held.number, "settled");
          this.#event(held.number, "settled", { tx: receipt.transactionHash, batch: String(batch) });
        } else if (outcome.kind === "failed") {
          this.#journal.run("UPDATE trades SET attempts = attempts + 1 WHERE trade_number = ?", held.number);
          this.#event(held.number, "attempt-failed", {
            account: outcome.account,
            required: outcome.required.toString(),
            available: outcome.available.toString(),
            tx: receipt.transactionHash,
          });
        } else {
          const refused = toContractRevertError({ data: outcome.reason }, settlementErrorsAbi);
          if (refused?.errorName === "DvPTradeNotOpen") {
            const status = Number(refused.args[1]);
            this.#setState(held.number, status === 2 ? "settled" : "cancelled");
          } else {
            this.#journal.run(
              "UPDATE trades SET attempts = attempts + 1 WHERE trade_number = ?",
              held.number,
            );
            this.#event(held.number, "attempt-failed", {
              code: refused?.code ?? "unknown",
              tx: receipt.transactionHash,
            });
          }
        }
      }
      this.#closeBatch(batch);
    });
    this.#log.info(
      {
        batch,
        trades: fresh.length,
        settled: outcomes.filter((outcome) => outcome.kind === "settled").length,
        tx: receipt.transactionHash,
      },
      "settlement batch mined",
    );
    return outcomes.filter((outcome) => outcome.kind === "settled").length;
  }

  // ------------------------------------------------------------------------------------------------------------
  // Journal helpers
  // ------------------------------------------------------------------------------------------------------------

  #trades(where: string): Held[] {
    return this.#journal
      .all<TradeRow>(`SELECT * FROM trades WHERE ${where} ORDER BY seq`)
      .map((row) => this.#heldOf(row));
  }

  #held(number: string): Held {
    return this.#heldOf(this.#journal.get<TradeRow>("SELECT * FROM trades WHERE trade_number = ?", number)!);
  }

  #heldOf(row: TradeRow): Held {
    const terms = parseFeedLine(row.terms, { file: this.#journal.path, line: 0 });
    return { number: row.trade_number, terms, tuple: tradeTuple(terms), row };
  }

  #openBatch(kind: "report" | "settle", chunk: readonly Held[]): number {
    return this.#journal.atomically(() => {
      this.#journal.run(
        "INSERT INTO batches (kind, trade_numbers, status) VALUES (?, ?, 'open')",
        kind,
        JSON.stringify(chunk.map((held) => held.number)),
      );
      const id = Number(this.#journal.get<{ id: number }>("SELECT last_insert_rowid() AS id")!.id);
      for (const held of chunk)
        this.#journal.run("UPDATE trades SET batch = ? WHERE trade_number = ?", id, held.number);
      return id;
    });
  }

  #closeBatch(batch: number): void {
    this.#journal.atomically(() => {
      this.#journal.run("UPDATE batches SET status = 'done' WHERE id = ?", batch);
      this.#journal.run("UPDATE trades SET batch = NULL WHERE batch = ?", batch);
    });
  }

  #setState(number: string, state: TradeState): void {
    this.#journal.run("UPDATE trades SET state = ? WHERE trade_number = ?", state, number);
  }

  #event(number: string, kind: string, detail: Record<string, string>): void {
    this.#journal.run(
      "INSERT INTO events (trade_number, kind, detail, at) VALUES (?, ?, ?, ?)",
      number,
      kind,
      JSON.stringify(detail),
      Date.now(),
    );
  }

  #showProgress(): void {
    const summary = this.summary();
    this.#progress.start("settled", summary.trades);
    this.#progress.update("settled", summary.settled);
    this.#progress.start("cancelled", summary.trades);
    this.#progress.update("cancelled", summary.cancelled);
  }

  // ------------------------------------------------------------------------------------------------------------
  // Chain helpers
  // ------------------------------------------------------------------------------------------------------------

  async #send(key: string, request: Parameters<TransactionSender["send"]>[1]): Promise<TransactionReceipt> {
    this.#checkpoint(`before ${key}`);
    const receipt = await this.#sender.send(key, request);
    this.#checkpoint(`after ${key}`);
    return receipt;
  }

  #refusal(error: unknown): ContractRevertError | undefined {
    return error instanceof ContractRevertError ? error : toContractRevertError(error, settlementErrorsAbi);
  }

  async #chainTime(): Promise<bigint> {
    const block = await withRetry(
      "getBlock",
      () => this.#options.client.getBlock({ blockTag: "latest" }),
      this.#options.retry,
    );
    return block.timestamp;
  }

  async #tradeStatus(tradeId: Hex): Promise<number> {
    return withRetry(
      "tradeStatus",
      () =>
        this.#options.client.readContract({
          address: this.#options.deployment.dvp,
          abi: dvpAbi,
          functionName: "tradeStatus",
          args: [tradeId],
        }),
      this.#options.retry,
    );
  }

  async #balanceOf(token: Address, account: Address): Promise<bigint> {
    return withRetry(
      "balanceOf",
      () =>
        this.#options.client.readContract({
          address: token,
          abi: tokenAbi,
          functionName: "balanceOf",
          args: [account],
        }),
      this.#options.retry,
    );
  }

  async #idle(until: bigint): Promise<void> {
    this.#log.debug({ until: until.toString() }, "every open trade waits");
    if (this.#options.idle !== undefined) return this.#options.idle(until);
    await new Promise((resolve) => setTimeout(resolve, this.#options.pollIntervalMs ?? 1_000));
  }

  #checkpoint(point: string): void {
    this.#options.checkpoint?.(point);
  }
}

/** A party's consent: its broker node's signature of the digest, in the compact form. */
async function signDigest(keys: KeyRing, wallet: Address, digest: Hex): Promise<Hex> {
  const account = keys.account(wallet);
  if (account.sign === undefined) {
    throw new SettlementError(
      "SETTLEMENT_NO_KEY",
      `the key of ${wallet} is held by a remote signer, which signs transactions and typed data but not a trade's raw digest: give the settlement service local keys for the parties (CCP_PRIVATE_KEYS)`,
      { details: { wallet } },
    );
  }
  return compactSignature(await account.sign({ hash: digest }));
}
