/**
 * The CCP margin service: runs margin cycles (end of day, or intraday on demand) from market data to margin calls
 * settled or defaulted, on the collateral escrow. One cycle:
 *
 * 1. compute: the initial margin of every clearing account with the margin engine (ts-src/margin) on the cycle's
 *    market data and positions, and the collateral prices and FX rates from the same market data (ccp-data.ts);
 *    accounts of the deployment without positions get a requirement of 0; accounts in default are left out;
 * 2. price: post the prices and FX rates to the escrow's price board;
 * 3. post: the requirements in batches (`postRequirements`): the escrow values each account and opens a margin call
 *    where it is short, due by the cycle's deadline (the block time plus the call window);
 * 4. wait: until every open call is met (the participants' agents answer them) or past its deadline;
 * 5. default: for a call past its deadline, declare the account in default; for a house account, its participant too,
 *    seize the house account's collateral to the default-management wallet, and port each of the participant's
 *    customer accounts to a participant that accepted it (its backup), which then has a call window to answer any
 *    call the account carries; a customer account in default on its own is seized;
 * 6. close: every account's holdings and collateral value at the close (checked against the escrow's own
 *    `accountOf`), and the cycle's summary.
 *
 * Everything is journalled (journal.ts): the cycle and its state, the requirements and their batches, every
 * transaction (signed before it is broadcast: ts-src/chain/sender.ts), the default path's steps, and the escrow's
 * events (escrow-ledger.ts). Killed at any point and started again on the same journal, the service finishes the
 * transactions in flight and goes on from the step it had reached: nothing is posted twice, no call is missed.
 *
 * The service checks at start-up that its key holds the escrow's PRICE_FEED_ROLE, MARGIN_ROLE and
 * DEFAULT_MANAGER_ROLE, and that every account of the deployment is open at the escrow.
 */
import type { Hex, PublicClient, TransactionReceipt } from "viem";

import type { KeyRing } from "../chain/accounts.ts";
import { readCollateralMarket, readEscrowAccount } from "../chain/collateral.ts";
import {
  type EscrowRole,
  accountId,
  accountName,
  escrowCalls,
  escrowErrorsAbi,
  missingRoles,
  readTokenInfo,
} from "../chain/escrow.ts";
import { DEFAULT_RETRY, type RetryPolicy, withRetry } from "../chain/retry.ts";
import { ContractRevertError } from "../chain/revert.ts";
import type { TransactionRequest, TransactionSender } from "../chain/sender.ts";
import { MINOR_UNITS } from "../collateral/allocation.ts";
import {
  type Holding,
  type Market,
  assetHaircutValue,
  assetMarketValue,
  formatFixedPoint,
  valueAccount,
} from "../collateral/valuation.ts";
import type { Address } from "../settlement/types.ts";
import {
  CcpMarketData,
  type CycleKind,
  type CycleRequest,
  boardFxRate,
  boardPrice,
  cycleOrder,
} from "./ccp-data.ts";
import {
  type AccountConfig,
  type ParticipantConfig,
  type SuiteDeployment,
  accountsOf,
} from "./deployment.ts";
import { type ClearchainError, isClearchainError } from "../shared/errors.ts";
import { AutomationError } from "./errors.ts";
import { EscrowLedger, type LedgerCall } from "./escrow-ledger.ts";
import type { Journal } from "./journal.ts";
import type { Logger } from "./logger.ts";
import { serviceSender } from "./sender.ts";
import { type Progress, noProgress } from "./progress.ts";

/** The escrow roles the CCP service's key needs. */
export const CCP_ROLES: readonly EscrowRole[] = ["PRICE_FEED_ROLE", "MARGIN_ROLE", "DEFAULT_MANAGER_ROLE"];

/** Gas of a requirement batch, well above what it uses (13,441 an account, more when a call opens). */
const POSTING_GAS = { base: 200_000n, perAccount: 80_000n } as const;

/** The service's collaborators and settings. */
export interface CcpServiceOptions {
  readonly client: PublicClient;
  /** Holds the key of `deployment.roles.ccp`. */
  readonly keys: KeyRing;
  readonly journal: Journal;
  readonly deployment: SuiteDeployment;
  readonly data: CcpMarketData;
  readonly logger: Logger;
  readonly progress?: Progress;
  /** Seconds from a posting to its calls' deadline (default 3,600); also the grace a port gives the new owner. */
  readonly callWindowSeconds?: number;
  /** Accounts per `postRequirements` (default 100). */
  readonly batchSize?: number;
  readonly retry?: RetryPolicy;
  /** Milliseconds between polls while calls are open (default 1,000). */
  readonly pollIntervalMs?: number;
  /**
   * Called while calls are open and none is past its deadline: `until` is the earliest deadline. Default: sleep the
   * poll interval. The demo and the tests let the agents answer, or move the chain's clock.
   */
  readonly idle?: (until: bigint) => Promise<void>;
  /** Check the ledger's holdings against the escrow's `accountOf` at each close (default true). */
  readonly verifyAtClose?: boolean;
  /** Test hook: called where a real process could be killed; a test throws from it. */
  readonly checkpoint?: (point: string) => void;
}

/** Where the time of a cycle went, milliseconds (wall clock). */
export interface CycleTimings {
  /** Reading the cycle's data and the margin engine. */
  readonly margin: number;
  /** Prices, FX rates and requirement batches, sent and confirmed. */
  readonly posting: number;
  /** From the last batch to the last call met or defaulted. */
  readonly waiting: number;
  /** The default path: declarations, seizures, ports. */
  readonly defaults: number;
  /** The close: holdings read, valued and checked. */
  readonly closing: number;
}

/** A cycle request the service refused before sending anything (see `CcpService.runRequests`). */
export interface RejectedRequest {
  /** The request's file name (the cycle's name, when well formed). */
  readonly name: string;
  readonly code: string;
  readonly message: string;
  /** Where the request's file went. */
  readonly file: string;
}

/** What a cycle did. */
export interface CycleSummary {
  readonly cycle: number;
  readonly name: string;
  readonly kind: CycleKind;
  readonly asOf: string;
  readonly accounts: number;
  /** Accounts of the deployment left out, and why ("in default", "participant in default"). */
  readonly excluded: readonly { readonly account: string; readonly reason: string }[];
  /** Σ requirement, yen. */
  readonly requirement: bigint;
  /** Σ collateral value when the requirements were posted, yen. */
  readonly valueAtPosting: bigint;
  /** Σ collateral value at the close, yen. */
  readonly valueAtClose: bigint;
  readonly callsIssued: number;
  readonly callsMet: number;
  readonly callsDefaulted: number;
  /** Σ shortfall called, yen. */
  readonly shortfallCalled: bigint;
  /** Median seconds from a call to the account covered (null: none met). */
  readonly medianTimeToCover: number | null;
  readonly defaults: readonly {
    readonly account: string;
    readonly participant: string;
    readonly scope: string;
  }[];
  readonly ported: readonly { readonly account: string; readonly to: string }[];
  readonly timings: CycleTimings;
}

interface CycleRow {
  id: number;
  name: string;
  kind: CycleKind;
  as_of: string;
  state: "computed" | "priced" | "posted" | "closed";
  prices: string;
  fx: string;
  deadline: string | null;
  posted_at: string | null;
  closed_at: string | null;
  timings: string;
  summary: string | null;
}

/** A default the service declared. */
export interface DefaultRecord {
  readonly scope: "participant" | "account";
  readonly participant: string;
  readonly account: string;
  readonly cycle: number;
  readonly calls: readonly string[];
  readonly declaredAt: bigint;
  readonly seized: readonly {
    readonly asset: Address;
    readonly quantity: bigint;
    readonly marketValue: bigint;
    readonly value: bigint;
  }[];
  readonly ported: readonly { readonly account: string; readonly to: string }[];
}

/**
 * The CCP margin service.
 *
 * @example
 *   const service = new CcpService({ client, keys, journal, deployment, data, logger });
 *   await service.start();
 *   const summary = await service.runCycle(cycleRequest("2026-11-09"));
 *   console.log(`${summary.callsIssued} calls, ${summary.callsMet} met`);
 */
export class CcpService {
  readonly #options: CcpServiceOptions;
  readonly #journal: Journal;
  readonly #ledger: EscrowLedger;
  readonly #sender: TransactionSender;
  readonly #log: Logger;
  readonly #progress: Progress;
  readonly #window: bigint;
  /** The market data and positions (read again for a new end of day: see `runRequests`). */
  #data: CcpMarketData;
  readonly #batchSize: number;
  readonly #retry: RetryPolicy;
  /** Deployment accounts by on-chain ID. */
  readonly #accounts = new Map<Hex, { participant: ParticipantConfig; account: AccountConfig }>();
  readonly #participantByWallet = new Map<string, ParticipantConfig>();
  readonly #assetInfo = new Map<
    string,
    { symbol: string; faceValue: bigint; decimals: number; currency: string }
  >();
  #started = false;

  constructor(options: CcpServiceOptions) {
    this.#options = options;
    this.#journal = options.journal;
    this.#log = options.logger;
    this.#progress = options.progress ?? noProgress;
    this.#window = BigInt(options.callWindowSeconds ?? 3_600);
    this.#data = options.data;
    this.#batchSize = options.batchSize ?? 100;
    this.#retry = options.retry ?? DEFAULT_RETRY;
    for (const entry of accountsOf(options.deployment))
      this.#accounts.set(accountId(entry.account.id), entry);
    for (const participant of options.deployment.participants) {
      this.#participantByWallet.set(participant.wallet.toLowerCase(), participant);
    }
    this.#journal.migrate(
      "ccp-v1",
      `CREATE TABLE ccp_cycles (
         id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, as_of TEXT NOT NULL,
         state TEXT NOT NULL, prices TEXT NOT NULL, fx TEXT NOT NULL, deadline TEXT, posted_at TEXT, closed_at TEXT,
         timings TEXT NOT NULL DEFAULT '{}', summary TEXT);
       CREATE TABLE ccp_requirements (
         cycle INTEGER NOT NULL, account TEXT NOT NULL, requirement TEXT NOT NULL, batch INTEGER NOT NULL,
         value_at_posting TEXT, holdings_at_close TEXT, PRIMARY KEY (cycle, account));
       CREATE TABLE ccp_batches (cycle INTEGER NOT NULL, batch INTEGER NOT NULL, status TEXT NOT NULL,
         PRIMARY KEY (cycle, batch));
       CREATE TABLE ccp_defaults (
         id INTEGER PRIMARY KEY AUTOINCREMENT, scope TEXT NOT NULL, participant TEXT NOT NULL, account TEXT NOT NULL,
         cycle INTEGER NOT NULL, calls TEXT NOT NULL, declared_at TEXT NOT NULL, seized TEXT NOT NULL,
         ported TEXT NOT NULL);
       CREATE TABLE ccp_steps (key TEXT PRIMARY KEY, detail TEXT NOT NULL, at INTEGER NOT NULL);`,
    );
    this.#ledger = new EscrowLedger(options.journal, {
      client: options.client,
      escrow: options.deployment.contracts.escrow,
      startBlock: options.deployment.startBlock,
      retry: this.#retry,
    });
    this.#sender = serviceSender(options, {
      errorsAbi: escrowErrorsAbi,
      retry: this.#retry,
      log: this.#log,
      pollingIntervalMs: 50,
    });
  }

  /** The event-sourced view of the escrow (read-only use). */
  get ledger(): EscrowLedger {
    return this.#ledger;
  }

  /**
   * Checks the key's roles and the deployment's accounts, finishes any transaction in flight, and reads the escrow's
   * events up to now. Idempotent.
   *
   * @throws {AutomationError} `AUTOMATION_MISSING_ROLE`, `AUTOMATION_UNKNOWN_ACCOUNT` (an account of the deployment
   *   not open at the escrow); {ChainError} `CHAIN_NO_KEY`, `CHAIN_RPC_FAILED`.
   */
  async start(): Promise<void> {
    if (this.#started) return;
    const { deployment, keys, client } = this.#options;
    keys.account(deployment.roles.ccp);
    const missing = await missingRoles(client, {
      escrow: deployment.contracts.escrow,
      account: deployment.roles.ccp,
      roles: CCP_ROLES,
      retry: this.#retry,
    });
    if (missing.length > 0) {
      throw new AutomationError(
        "AUTOMATION_MISSING_ROLE",
        `the CCP service's key ${deployment.roles.ccp} lacks ${missing.join(", ")} on the escrow ${deployment.contracts.escrow}`,
        { details: { account: deployment.roles.ccp, roles: missing } },
      );
    }
    const recovered = await this.#sender.recover();
    if (recovered > 0) this.#log.info({ transactions: recovered }, "finished transactions in flight");
    await this.#ledger.sync();
    for (const [id, { account }] of this.#accounts) {
      if (this.#ledger.account(id) === undefined) {
        throw new AutomationError(
          "AUTOMATION_UNKNOWN_ACCOUNT",
          `account ${account.id} of the deployment is not open at the escrow ${deployment.contracts.escrow}`,
          { details: { account: account.id } },
        );
      }
    }
    const market = await readCollateralMarket(client, { escrow: deployment.contracts.escrow });
    for (const [asset, scheduled] of market.assets) {
      const info = await readTokenInfo(client, asset as Address, {
        security: !scheduled.pricedAtPar,
        retry: this.#retry,
      });
      this.#assetInfo.set(asset, {
        symbol: info.symbol,
        faceValue: info.faceValue,
        decimals: info.decimals,
        currency: scheduled.currency,
      });
    }
    this.#started = true;
    this.#log.info(
      { ccp: deployment.roles.ccp, escrow: deployment.contracts.escrow, accounts: this.#accounts.size },
      "CCP service started",
    );
  }

  /**
   * Runs one cycle to its close (steps 1–6); a cycle already closed returns its summary again, one half done goes on
   * from where it stopped.
   *
   * @throws {MarginInputError} / {AutomationError} for bad market data or positions, before anything is sent.
   */
  async runCycle(request: CycleRequest): Promise<CycleSummary> {
    const cycle = await this.postCycle(request);
    return this.closeCycle(cycle);
  }

  /** Steps 1–3 of a cycle (idempotent by the request's name); returns the on-chain cycle number. */
  async postCycle(request: CycleRequest): Promise<number> {
    await this.start();
    let row = this.#cycleByName(request.name);
    if (row === undefined) row = this.#compute(request);
    if (row.state === "computed") row = await this.#postPrices(row);
    if (row.state === "priced") row = await this.#postRequirements(row);
    return row.id;
  }

  /** Steps 4–6 of a cycle: waits for its calls, runs the default path, closes it; returns its summary. */
  async closeCycle(cycle: number): Promise<CycleSummary> {
    await this.start();
    const row = this.#cycle(cycle);
    if (row.state === "closed") return this.#storedSummary(row);
    if (row.state !== "posted") throw new Error(`cycle ${cycle} is ${row.state}, not posted`);
    const timings = JSON.parse(row.timings) as Partial<CycleTimings>;
    const waitStarted = performance.now();
    let defaultsMs = 0;
    for (;;) {
      await this.#ledger.sync();
      // A default path a crash cut short is finished first (each of its steps checks the chain before it acts).
      for (const pending of this.#pendingDefaults()) {
        const started = performance.now();
        await this.#defaultPath(pending.call, pending.cycle);
        defaultsMs += performance.now() - started;
      }
      this.#showCalls(cycle);
      const open = this.#ledger.openCalls();
      if (open.length === 0) break;
      const now = await this.#chainTime();
      const overdue = open.filter((call) => this.#effectiveDeadline(call) < now);
      if (overdue.length > 0) {
        const started = performance.now();
        for (const call of overdue) await this.#defaultPath(call, cycle);
        defaultsMs += performance.now() - started;
        continue;
      }
      const until = open.reduce((min, call) => {
        const deadline = this.#effectiveDeadline(call);
        return deadline < min ? deadline : min;
      }, this.#effectiveDeadline(open[0]!));
      await this.#idle(until);
    }
    const waiting = performance.now() - waitStarted - defaultsMs;
    const closingStarted = performance.now();
    await this.#close(row);
    const closing = performance.now() - closingStarted;
    const all: CycleTimings = {
      margin: timings.margin ?? 0,
      posting: timings.posting ?? 0,
      waiting: (timings.waiting ?? 0) + waiting,
      defaults: (timings.defaults ?? 0) + defaultsMs,
      closing,
    };
    const summary = this.#summarize(this.#cycle(cycle), all);
    this.#journal.run(
      "UPDATE ccp_cycles SET timings = ?, summary = ? WHERE id = ?",
      JSON.stringify(all),
      JSON.stringify(summary, (_, v) => (typeof v === "bigint" ? `${v}n` : v)),
      cycle,
    );
    this.#log.info(
      {
        cycle,
        cycleName: summary.name,
        accounts: summary.accounts,
        requirement: summary.requirement.toString(),
        callsIssued: summary.callsIssued,
        callsMet: summary.callsMet,
        callsDefaulted: summary.callsDefaulted,
        timings: all,
      },
      "cycle closed",
    );
    return summary;
  }

  /**
   * Runs the cycles requested in `folder` (ccp-data.ts) that are not journalled yet, in order; with `once`, those
   * present now and then returns, else polls for more until `cycles` have run (forever without it).
   *
   * A request the service refuses before sending anything (a malformed name, a cycle older than one that has run,
   * missing or malformed market data or positions: each an error with a stable code) does not stop the service: its
   * file is moved to `<folder>/rejected/` beside a `<name>.error.json` holding the code and the message, it is logged
   * as an error and passed to `onRejected`, and the next request runs. An operator fixes the data and requests the
   * cycle again. Market data for dates after those loaded at start (a new end of day appended to market.csv) is
   * read again when a request needs it.
   */
  async runRequests(
    folder: string,
    options: {
      once?: boolean;
      cycles?: number;
      onCycle?: (summary: CycleSummary) => void;
      onRejected?: (rejected: RejectedRequest) => void;
      /** Asked between cycles and polls: true stops the loop. */
      stop?: () => boolean;
    } = {},
  ): Promise<CycleSummary[]> {
    await this.start();
    const done: CycleSummary[] = [];
    // A cycle posted but not closed before a restart is finished first.
    for (const row of this.#journal.all<CycleRow>(
      "SELECT * FROM ccp_cycles WHERE state <> 'closed' ORDER BY id",
    )) {
      const summary = await this.runCycle({ name: row.name, kind: row.kind, date: row.as_of });
      done.push(summary);
      options.onCycle?.(summary);
    }
    for (;;) {
      const journalled = new Set(
        this.#journal.all<{ name: string }>("SELECT name FROM ccp_cycles").map((r) => r.name),
      );
      const { requests, malformed } = CcpMarketData.pendingRequests(folder, journalled);
      for (const bad of malformed) this.#reject(folder, bad.name, bad.error, options.onRejected);
      for (const request of requests) {
        if (options.cycles !== undefined && done.length >= options.cycles) return done;
        if (options.stop?.() === true) return done;
        let summary: CycleSummary;
        try {
          await this.#refreshData(request);
          summary = await this.runCycle(request);
        } catch (error) {
          // Refused before anything was journalled (so before anything was sent): the request is rejected. Anything
          // else (an RPC failure, a revert mid-cycle) stops the service, which finishes the cycle on its restart.
          if (!isClearchainError(error) || this.#cycleByName(request.name) !== undefined) throw error;
          this.#reject(folder, request.name, error, options.onRejected);
          continue;
        }
        done.push(summary);
        options.onCycle?.(summary);
      }
      if (options.once === true || options.stop?.() === true) return done;
      if (options.cycles !== undefined && done.length >= options.cycles) return done;
      await new Promise((resolve) => setTimeout(resolve, this.#options.pollIntervalMs ?? 1_000));
    }
  }

  /** Moves a refused request's file to `rejected/`, with its error beside it, and reports it. */
  #reject(
    folder: string,
    name: string,
    error: ClearchainError<string>,
    onRejected?: (rejected: RejectedRequest) => void,
  ): void {
    const rejected: RejectedRequest = {
      name,
      code: error.code,
      message: error.message,
      file: CcpMarketData.rejectRequest(folder, name, { code: error.code, message: error.message }),
    };
    this.#log.error(
      { request: name, code: error.code, file: rejected.file },
      `cycle request rejected: ${error.message}`,
    );
    onRejected?.(rejected);
  }

  /** Reads the market data again when an end-of-day request is for a date after those loaded. */
  async #refreshData(request: CycleRequest): Promise<void> {
    const dates = this.#data.dates;
    if (request.kind !== "end-of-day" || dates.includes(request.date)) return;
    if (dates.length > 0 && request.date < dates[dates.length - 1]!) return;
    this.#data = await CcpMarketData.load(this.#data.folder);
    this.#log.info({ request: request.name, dates: this.#data.dates.length }, "market data read again");
  }

  /** The summaries of every closed cycle, in order. */
  summaries(): CycleSummary[] {
    return this.#journal
      .all<CycleRow>("SELECT * FROM ccp_cycles WHERE state = 'closed' ORDER BY id")
      .map((row) => this.#storedSummary(row));
  }

  /** Every default declared, in order. */
  defaults(): DefaultRecord[] {
    return this.#journal
      .all<{
        scope: "participant" | "account";
        participant: string;
        account: string;
        cycle: number;
        calls: string;
        declared_at: string;
        seized: string;
        ported: string;
      }>("SELECT * FROM ccp_defaults ORDER BY id")
      .map((row) => ({
        scope: row.scope,
        participant: row.participant,
        account: row.account,
        cycle: row.cycle,
        calls: JSON.parse(row.calls) as string[],
        declaredAt: BigInt(row.declared_at),
        seized: (JSON.parse(row.seized) as [string, string, string, string][]).map(([asset, q, mv, v]) => ({
          asset: asset as Address,
          quantity: BigInt(q),
          marketValue: BigInt(mv),
          value: BigInt(v),
        })),
        ported: JSON.parse(row.ported) as { account: string; to: string }[],
      }));
  }

  /** The journalled facts of each cycle: requirements, values at posting, holdings at close (for the report). */
  cycleRecords(): {
    cycle: number;
    name: string;
    kind: CycleKind;
    asOf: string;
    postedAt: bigint;
    closedAt: bigint | undefined;
    /** The FX rates and prices posted (10^8 scale), by currency and by asset. */
    fx: Record<string, string>;
    prices: Record<string, string>;
    accounts: {
      account: string;
      requirement: bigint;
      valueAtPosting: bigint;
      holdingsAtClose: { asset: Address; quantity: bigint; marketValue: bigint; value: bigint }[];
    }[];
  }[] {
    return this.#journal
      .all<CycleRow>("SELECT * FROM ccp_cycles WHERE state IN ('posted', 'closed') ORDER BY id")
      .map((row) => ({
        cycle: row.id,
        name: row.name,
        kind: row.kind,
        asOf: row.as_of,
        postedAt: BigInt(row.posted_at ?? "0"),
        closedAt: row.closed_at === null ? undefined : BigInt(row.closed_at),
        fx: JSON.parse(row.fx) as Record<string, string>,
        prices: JSON.parse(row.prices) as Record<string, string>,
        accounts: this.#journal
          .all<{
            account: string;
            requirement: string;
            value_at_posting: string | null;
            holdings_at_close: string | null;
          }>(
            "SELECT account, requirement, value_at_posting, holdings_at_close FROM ccp_requirements WHERE cycle = ? ORDER BY account",
            row.id,
          )
          .map((r) => ({
            account: accountName(r.account as Hex),
            requirement: BigInt(r.requirement),
            valueAtPosting: BigInt(r.value_at_posting ?? "0"),
            holdingsAtClose: (
              (JSON.parse(r.holdings_at_close ?? "[]") as [string, string, string, string][]) ?? []
            ).map(([asset, q, mv, v]) => ({
              asset: asset as Address,
              quantity: BigInt(q),
              marketValue: BigInt(mv),
              value: BigInt(v),
            })),
          })),
      }));
  }

  // ─── Step 1: compute ──────────────────────────────────────────────────────────────────────────────────────

  #compute(request: CycleRequest): CycleRow {
    const last = this.#journal.get<{ name: string; kind: CycleKind; as_of: string }>(
      "SELECT name, kind, as_of FROM ccp_cycles ORDER BY id DESC LIMIT 1",
    );
    if (
      last !== undefined &&
      cycleOrder(request) < cycleOrder({ name: last.name, kind: last.kind, date: last.as_of })
    ) {
      throw new AutomationError(
        "AUTOMATION_STALE_REQUEST",
        `cycle ${request.name} comes before ${last.name}, which has run: requirements only move forward`,
        { details: { cycle: request.name, last: last.name } },
      );
    }
    const started = performance.now();
    const inputs = this.#data.cycle(request);
    const margins = new Map(inputs.margins.accounts.map((a) => [a.account, a.im]));
    for (const account of margins.keys()) {
      let known = false;
      try {
        known = this.#accounts.has(accountId(account));
      } catch {
        known = false;
      }
      if (!known) {
        throw new AutomationError(
          "AUTOMATION_UNKNOWN_ACCOUNT",
          `positions of cycle ${request.name} name account ${account}, which the deployment does not have`,
          { details: { cycle: request.name, account } },
        );
      }
    }
    const prices: Record<string, string> = {};
    for (const [symbol, { factor, quote }] of this.#data.pricing.prices) {
      const asset = this.#assetBySymbol(symbol);
      const info = this.#assetInfo.get(asset)!;
      const currency = info.currency;
      prices[asset] = boardPrice(
        inputs.factorValue(factor),
        quote,
        info.faceValue,
        MINOR_UNITS[currency] ?? 0,
      ).toString();
    }
    const fx: Record<string, string> = {};
    for (const [currency, factor] of this.#data.pricing.fxRates) {
      fx[currency] = boardFxRate(inputs.factorValue(factor)).toString();
    }
    const margined = this.#marginedAccounts();
    const id =
      Math.max(
        this.#ledger.maxCycle(),
        Number(this.#journal.get<{ n: number | null }>("SELECT MAX(id) AS n FROM ccp_cycles")!.n ?? 0),
      ) + 1;
    const marginMs = performance.now() - started;
    this.#journal.atomically(() => {
      this.#journal.run(
        "INSERT INTO ccp_cycles (id, name, kind, as_of, state, prices, fx, timings) VALUES (?, ?, ?, ?, 'computed', ?, ?, ?)",
        id,
        request.name,
        request.kind,
        request.date,
        JSON.stringify(prices),
        JSON.stringify(fx),
        JSON.stringify({ margin: marginMs }),
      );
      margined.forEach((account, i) => {
        this.#journal.run(
          "INSERT INTO ccp_requirements (cycle, account, requirement, batch) VALUES (?, ?, ?, ?)",
          id,
          account,
          (margins.get(accountName(account)) ?? 0n).toString(),
          Math.floor(i / this.#batchSize),
        );
      });
      for (let batch = 0; batch * this.#batchSize < margined.length; batch += 1) {
        this.#journal.run("INSERT INTO ccp_batches (cycle, batch, status) VALUES (?, ?, 'open')", id, batch);
      }
    });
    this.#log.info(
      {
        cycle: id,
        cycleName: request.name,
        kind: request.kind,
        accounts: margined.length,
        marginMs: Math.round(marginMs),
      },
      "margins computed",
    );
    this.#checkpoint(`computed ${id}`);
    return this.#cycle(id);
  }

  /** The accounts to margin: those of the deployment that are active, whose owner is not in default. */
  #marginedAccounts(): Hex[] {
    const margined: Hex[] = [];
    for (const id of this.#accounts.keys()) {
      const account = this.#ledger.account(id)!;
      if (account.status !== "active") continue;
      if (this.#ledger.participantDefaultedAt(account.owner) !== undefined) continue;
      margined.push(id);
    }
    return margined;
  }

  // ─── Step 2: prices ───────────────────────────────────────────────────────────────────────────────────────

  async #postPrices(row: CycleRow): Promise<CycleRow> {
    const started = performance.now();
    const time = await this.#chainTime();
    const prices = JSON.parse(row.prices) as Record<string, string>;
    const fx = JSON.parse(row.fx) as Record<string, string>;
    const assets = Object.keys(prices) as Address[];
    if (assets.length > 0) {
      await this.#send(`prices:${row.id}`, {
        data: escrowCalls.postPrices(
          assets,
          assets.map((asset) => BigInt(prices[asset]!)),
          assets.map(() => time),
        ),
      });
    }
    const currencies = Object.keys(fx);
    if (currencies.length > 0) {
      await this.#send(`fx:${row.id}`, {
        data: escrowCalls.postFxRates(
          currencies,
          currencies.map((code) => BigInt(fx[code]!)),
          currencies.map(() => time),
        ),
      });
    }
    this.#addTiming(row.id, "posting", performance.now() - started);
    this.#journal.run("UPDATE ccp_cycles SET state = 'priced' WHERE id = ?", row.id);
    this.#log.info(
      {
        cycle: row.id,
        prices: Object.fromEntries(
          assets.map((a) => [this.#assetInfo.get(a)!.symbol, formatFixedPoint(BigInt(prices[a]!))]),
        ),
        fx: Object.fromEntries(currencies.map((c) => [c, formatFixedPoint(BigInt(fx[c]!))])),
      },
      "prices and FX rates posted",
    );
    this.#checkpoint(`priced ${row.id}`);
    return this.#cycle(row.id);
  }

  // ─── Step 3: requirements ─────────────────────────────────────────────────────────────────────────────────

  async #postRequirements(row: CycleRow): Promise<CycleRow> {
    const started = performance.now();
    const { deployment } = this.#options;
    let deadline = row.deadline === null ? undefined : BigInt(row.deadline);
    if (deadline === undefined) {
      deadline = (await this.#chainTime()) + this.#window;
      this.#journal.run("UPDATE ccp_cycles SET deadline = ? WHERE id = ?", deadline.toString(), row.id);
    }
    const asOf = Number(row.as_of.replaceAll("-", ""));
    const batches = this.#journal.all<{ batch: number }>(
      "SELECT batch FROM ccp_batches WHERE cycle = ? AND status = 'open' ORDER BY batch",
      row.id,
    );
    const total = Number(
      this.#journal.get<{ n: number }>("SELECT COUNT(*) AS n FROM ccp_batches WHERE cycle = ?", row.id)!.n,
    );
    this.#progress.start("posted", total);
    this.#progress.update("posted", total - batches.length);
    for (const { batch } of batches) {
      const rows = this.#journal.all<{ account: string; requirement: string }>(
        "SELECT account, requirement FROM ccp_requirements WHERE cycle = ? AND batch = ? ORDER BY account",
        row.id,
        batch,
      );
      await this.#send(`requirements:${row.id}:${batch}`, {
        data: escrowCalls.postRequirements(
          row.id,
          asOf,
          deadline,
          rows.map((r) => r.account as Hex),
          rows.map((r) => BigInt(r.requirement)),
        ),
        gas: POSTING_GAS.base + POSTING_GAS.perAccount * BigInt(rows.length),
        simulate: true,
      });
      this.#journal.run(
        "UPDATE ccp_batches SET status = 'done' WHERE cycle = ? AND batch = ?",
        row.id,
        batch,
      );
      this.#progress.update("posted", batch + 1);
      this.#checkpoint(`posted ${row.id}:${batch}`);
    }
    // The values the escrow compared: the holdings just before each batch, valued at that block's prices.
    await this.#ledger.sync();
    const postings = this.#ledger.postings(row.id);
    const markets = new Map<bigint, Market>();
    for (const posting of postings) {
      markets.set(
        posting.block,
        markets.get(posting.block) ??
          (await readCollateralMarket(this.#options.client, {
            escrow: deployment.contracts.escrow,
            blockNumber: posting.block,
          })),
      );
    }
    const calls = new Map(
      this.#ledger
        .calls()
        .filter((c) => c.cycle === row.id)
        .map((c) => [c.account as string, c]),
    );
    const postedAt = postings.reduce((latest, p) => (p.at > latest ? p.at : latest), 0n);
    this.#journal.atomically(() => {
      for (const posting of postings) {
        const market = markets.get(posting.block)!;
        for (const account of posting.accounts) {
          const holdings = this.#ledger.holdingsBefore(account, posting.block, posting.logIndex);
          const value = valueAccount(market, holdings).value;
          const call = calls.get(account);
          if (call !== undefined && call.issuedBlock === posting.block) {
            const requirement = BigInt(
              this.#journal.get<{ requirement: string }>(
                "SELECT requirement FROM ccp_requirements WHERE cycle = ? AND account = ?",
                row.id,
                account,
              )!.requirement,
            );
            if (requirement - call.shortfall !== value) {
              this.#log.error(
                {
                  account: accountName(account),
                  ledger: value.toString(),
                  escrow: (requirement - call.shortfall).toString(),
                },
                "the ledger's value at posting differs from the escrow's",
              );
            }
          }
          this.#journal.run(
            "UPDATE ccp_requirements SET value_at_posting = ? WHERE cycle = ? AND account = ?",
            value.toString(),
            row.id,
            account,
          );
        }
      }
      this.#journal.run(
        "UPDATE ccp_cycles SET state = 'posted', posted_at = ? WHERE id = ?",
        postedAt.toString(),
        row.id,
      );
    });
    this.#addTiming(row.id, "posting", performance.now() - started);
    this.#log.info(
      { cycle: row.id, batches: total, calls: calls.size, deadline: deadline.toString() },
      "requirements posted",
    );
    this.#checkpoint(`posted ${row.id}`);
    return this.#cycle(row.id);
  }

  // ─── Step 5: defaults ─────────────────────────────────────────────────────────────────────────────────────

  /** A call's deadline, or for an account ported since it opened, the port plus a call window (the grace). */
  #effectiveDeadline(call: LedgerCall): bigint {
    const port = this.#ledger
      .ports()
      .filter((p) => p.account === call.account && p.at >= call.issuedAt)
      .at(-1);
    return port !== undefined && port.at + this.#window > call.deadline
      ? port.at + this.#window
      : call.deadline;
  }

  async #defaultPath(call: LedgerCall, cycle: number): Promise<void> {
    const { deployment } = this.#options;
    const account = this.#ledger.account(call.account)!;
    const config = this.#accounts.get(call.account);
    const name = accountName(call.account);
    const owner = account.owner;
    const participant = this.#participantByWallet.get(owner.toLowerCase());
    this.#log.warn(
      { account: name, callId: call.id.toString(), deadline: call.deadline.toString() },
      "call past its deadline: default",
    );
    const startedKey = `default-started:${call.id}`;
    this.#journal.run(
      "INSERT OR IGNORE INTO ccp_steps (key, detail, at) VALUES (?, ?, ?)",
      startedKey,
      JSON.stringify({ cycle }),
      Date.now(),
    );
    if (account.status === "active") {
      try {
        await this.#send(`default:${call.id}`, {
          data: escrowCalls.declareDefault(call.account),
        });
      } catch (error) {
        // Met at the last moment (an answer mined just before), not yet overdue on the chain's clock, or covered at
        // today's prices although the call is still open (prices rose since it opened; the escrow re-values an
        // account only when it is named): no default. A covered account is re-checked, which closes its call as
        // met. The loop then reads the chain again.
        const refused = error instanceof ContractRevertError ? error.errorName : undefined;
        if (
          refused !== "CollateralEscrowNoOpenCall" &&
          refused !== "CollateralEscrowCallNotOverdue" &&
          refused !== "CollateralEscrowAccountCovered"
        )
          throw error;
        if (refused === "CollateralEscrowAccountCovered") {
          await this.#send(`recheck:${call.id}`, {
            data: escrowCalls.recheck([call.account], (await this.#chainTime()) + this.#window),
          });
        }
        this.#log.info(
          { account: name, callId: call.id.toString(), refused },
          "no default: the call is no longer overdue",
        );
        this.#journal.run("DELETE FROM ccp_steps WHERE key = ?", startedKey);
        await this.#ledger.sync();
        return;
      }
    }
    this.#checkpoint(`defaulted ${call.id}`);
    const house = (config?.account.kind ?? (account.beneficiary === ZERO ? "house" : "customer")) === "house";
    await this.#seize(call.account);
    if (house) {
      if (this.#ledger.participantDefaultedAt(owner) === undefined) {
        await this.#send(`participant-default:${owner}`, {
          data: escrowCalls.declareParticipantDefault(owner),
        });
      }
      this.#checkpoint(`participant-defaulted ${owner}`);
      await this.#ledger.sync();
      for (const other of this.#ledger.accounts()) {
        if (other.owner !== owner || other.beneficiary === ZERO || other.status !== "active") continue;
        const to = this.#portTarget(other.id);
        if (to === undefined) {
          this.#log.warn(
            { account: accountName(other.id) },
            "customer account not ported: no participant accepted it",
          );
          continue;
        }
        await this.#send(`port:${other.id}`, {
          data: escrowCalls.port(other.id, to),
        });
        this.#checkpoint(`ported ${other.id}`);
      }
    }
    // What the default did, from the chain's events (the same after a restart half-way): the seizure of the account,
    // and the ports away from its participant.
    await this.#ledger.sync();
    const market = await readCollateralMarket(this.#options.client, { escrow: deployment.contracts.escrow });
    const seized = this.#ledger
      .movements(call.account)
      .filter((movement) => movement.kind === "seizure")
      .flatMap((movement) => movement.outs)
      .map((leg) => ({
        asset: leg.asset,
        quantity: leg.amount,
        marketValue: safeValue(() => assetMarketValue(market, leg.asset, leg.amount)),
        value: safeValue(() => assetHaircutValue(market, leg.asset, leg.amount)),
      }));
    const ported = house
      ? this.#ledger
          .ports()
          .filter((port) => port.from === owner.toLowerCase())
          .map((port) => ({
            account: accountName(port.account),
            to: this.#participantByWallet.get(port.to)?.id ?? port.to,
          }))
      : [];
    const declaredAt = this.#ledger.call(call.id)?.defaultedAt ?? (await this.#chainTime());
    const key = `default-record:${call.id}`;
    if (this.#journal.get("SELECT 1 FROM ccp_steps WHERE key = ?", key) === undefined) {
      this.#journal.atomically(() => {
        this.#journal.run(
          `INSERT INTO ccp_defaults (scope, participant, account, cycle, calls, declared_at, seized, ported)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
          house ? "participant" : "account",
          participant?.id ?? owner,
          name,
          cycle,
          JSON.stringify([call.id.toString()]),
          declaredAt.toString(),
          JSON.stringify(
            seized.map((s) => [s.asset, s.quantity.toString(), s.marketValue.toString(), s.value.toString()]),
          ),
          JSON.stringify(ported),
        );
        this.#journal.run("INSERT INTO ccp_steps (key, detail, at) VALUES (?, '{}', ?)", key, Date.now());
      });
    }
    this.#log.warn(
      {
        account: name,
        participant: participant?.id ?? owner,
        scope: house ? "participant" : "account",
        seized: seized.map((s) => ({
          asset: this.#assetInfo.get(s.asset)?.symbol ?? s.asset,
          quantity: s.quantity.toString(),
        })),
        ported,
      },
      "default handled",
    );
  }

  /** Default paths started and not finished (a crash between their steps). */
  #pendingDefaults(): { call: LedgerCall; cycle: number }[] {
    return this.#journal
      .all<{ key: string; detail: string }>(
        `SELECT s.key, s.detail FROM ccp_steps s WHERE s.key LIKE 'default-started:%' AND NOT EXISTS (
           SELECT 1 FROM ccp_steps r WHERE r.key = 'default-record:' || substr(s.key, 17))`,
      )
      .map((row) => ({
        call: this.#ledger.call(BigInt(row.key.slice("default-started:".length)))!,
        cycle: (JSON.parse(row.detail) as { cycle: number }).cycle,
      }));
  }

  /** Seizes a defaulted account's whole holdings to the default-management wallet (nothing when it holds none). */
  async #seize(account: Hex): Promise<void> {
    await this.#ledger.sync();
    const holdings = this.#ledger.holdings(account);
    if (holdings.length > 0) {
      await this.#send(`seize:${account}`, {
        data: escrowCalls.seize(
          account,
          holdings.map((h) => h.asset as Address),
        ),
      });
    }
    this.#checkpoint(`seized ${account}`);
  }

  /** Who takes a customer account over: its backup if it accepted, else any accepting participant not in default. */
  #portTarget(account: Hex): Address | undefined {
    const acceptors = this.#ledger
      .acceptors(account)
      .filter((wallet) => this.#ledger.participantDefaultedAt(wallet) === undefined);
    const backup = this.#accounts.get(account)?.account.backup;
    const preferred = this.#options.deployment.participants
      .find((p) => p.id === backup)
      ?.wallet.toLowerCase();
    return acceptors.find((wallet) => wallet === preferred) ?? acceptors[0];
  }

  // ─── Step 6: close ────────────────────────────────────────────────────────────────────────────────────────

  async #close(row: CycleRow): Promise<void> {
    const { deployment, client } = this.#options;
    await this.#ledger.sync();
    const block = this.#ledger.lastBlock;
    const market = await readCollateralMarket(client, {
      escrow: deployment.contracts.escrow,
      blockNumber: block,
    });
    const accounts = this.#journal.all<{ account: string }>(
      "SELECT account FROM ccp_requirements WHERE cycle = ?",
      row.id,
    );
    if (this.#options.verifyAtClose !== false)
      await this.#verify(
        accounts.map((a) => a.account as Hex),
        block,
      );
    const closedAt = (await withRetry("getBlock", () => client.getBlock({ blockNumber: block }), this.#retry))
      .timestamp;
    this.#journal.atomically(() => {
      for (const { account } of accounts) {
        const holdings = this.#ledger
          .holdings(account as Hex)
          .map((h) => [
            h.asset,
            h.quantity.toString(),
            safeValue(() => assetMarketValue(market, h.asset, h.quantity)).toString(),
            safeValue(() => assetHaircutValue(market, h.asset, h.quantity)).toString(),
          ]);
        this.#journal.run(
          "UPDATE ccp_requirements SET holdings_at_close = ? WHERE cycle = ? AND account = ?",
          JSON.stringify(holdings),
          row.id,
          account,
        );
      }
      this.#journal.run(
        "UPDATE ccp_cycles SET state = 'closed', closed_at = ? WHERE id = ?",
        closedAt.toString(),
        row.id,
      );
    });
    this.#checkpoint(`closed ${row.id}`);
  }

  /** The ledger's holdings equal the escrow's for every account (else an event was missed: a bug, said loudly). */
  async #verify(accounts: readonly Hex[], blockNumber: bigint): Promise<void> {
    for (let start = 0; start < accounts.length; start += 50) {
      const chunk = accounts.slice(start, start + 50);
      const views = await Promise.all(
        chunk.map((account) =>
          withRetry(
            "accountOf",
            () =>
              readEscrowAccount(this.#options.client, {
                escrow: this.#options.deployment.contracts.escrow,
                account,
                blockNumber,
              }),
            this.#retry,
          ),
        ),
      );
      views.forEach((view, i) => {
        const onChain = holdingsKey(view.holdings);
        const ledger = holdingsKey(this.#ledger.holdings(chunk[i]!));
        if (onChain !== ledger) {
          throw new Error(
            `the ledger's holdings of ${accountName(chunk[i]!)} (${ledger}) differ from the escrow's (${onChain})`,
          );
        }
      });
    }
  }

  #summarize(row: CycleRow, timings: CycleTimings): CycleSummary {
    const requirements = this.#journal.all<{
      account: string;
      requirement: string;
      value_at_posting: string | null;
      holdings_at_close: string | null;
    }>(
      "SELECT account, requirement, value_at_posting, holdings_at_close FROM ccp_requirements WHERE cycle = ?",
      row.id,
    );
    const calls = this.#ledger.calls().filter((call) => call.cycle === row.id);
    const times = calls
      .filter((call) => call.metAt !== undefined)
      .map((call) => Number(call.metAt! - call.issuedAt))
      .sort((a, b) => a - b);
    const included = new Set(requirements.map((r) => r.account));
    const excluded: { account: string; reason: string }[] = [];
    for (const id of this.#accounts.keys()) {
      if (included.has(id)) continue;
      const account = this.#ledger.account(id)!;
      excluded.push({
        account: accountName(id),
        reason: account.status === "defaulted" ? "in default" : "participant in default",
      });
    }
    const defaults = this.defaults().filter((d) => d.cycle === row.id);
    return {
      cycle: row.id,
      name: row.name,
      kind: row.kind,
      asOf: row.as_of,
      accounts: requirements.length,
      excluded,
      requirement: requirements.reduce((sum, r) => sum + BigInt(r.requirement), 0n),
      valueAtPosting: requirements.reduce((sum, r) => sum + BigInt(r.value_at_posting ?? "0"), 0n),
      valueAtClose: requirements.reduce(
        (sum, r) =>
          sum +
          (JSON.parse(r.holdings_at_close ?? "[]") as [string, string, string, string][]).reduce(
            (s, h) => s + BigInt(h[3]),
            0n,
          ),
        0n,
      ),
      callsIssued: calls.length,
      callsMet: calls.filter((call) => call.status === "met").length,
      callsDefaulted: calls.filter((call) => call.status === "defaulted").length,
      shortfallCalled: calls.reduce((sum, call) => sum + call.shortfall, 0n),
      medianTimeToCover: times.length === 0 ? null : times[Math.ceil(times.length / 2) - 1]!,
      defaults: defaults.map((d) => ({ account: d.account, participant: d.participant, scope: d.scope })),
      ported: defaults.flatMap((d) => d.ported),
      timings,
    };
  }

  #storedSummary(row: CycleRow): CycleSummary {
    if (row.summary === null) return this.#summarize(row, JSON.parse(row.timings) as CycleTimings);
    return JSON.parse(row.summary, (_, v) =>
      typeof v === "string" && /^-?\d+n$/.test(v) ? BigInt(v.slice(0, -1)) : v,
    ) as CycleSummary;
  }

  // ─── Helpers ──────────────────────────────────────────────────────────────────────────────────────────────

  #cycleByName(name: string): CycleRow | undefined {
    return this.#journal.get<CycleRow>("SELECT * FROM ccp_cycles WHERE name = ?", name);
  }

  #cycle(id: number): CycleRow {
    const row = this.#journal.get<CycleRow>("SELECT * FROM ccp_cycles WHERE id = ?", id);
    if (row === undefined) throw new Error(`no cycle ${id} in the journal`);
    return row;
  }

  #addTiming(cycle: number, what: keyof CycleTimings, ms: number): void {
    const timings = JSON.parse(this.#cycle(cycle).timings) as Record<string, number>;
    timings[what] = (timings[what] ?? 0) + ms;
    this.#journal.run("UPDATE ccp_cycles SET timings = ? WHERE id = ?", JSON.stringify(timings), cycle);
  }

  #assetBySymbol(symbol: string): Address {
    for (const [asset, info] of this.#assetInfo) if (info.symbol === symbol) return asset as Address;
    throw new AutomationError(
      "AUTOMATION_BAD_INPUT",
      `collateral.json prices ${symbol}, which the escrow does not list`,
      {
        details: { symbol },
      },
    );
  }

  /**
   * Sends a transaction of the CCP's key to the escrow (every transaction of the service is one), under its
   * idempotency key `<kind>:<what>`.
   */
  async #send(
    key: string,
    call: Pick<TransactionRequest, "data" | "gas" | "simulate">,
  ): Promise<TransactionReceipt> {
    const { deployment } = this.#options;
    this.#checkpoint(`before ${key}`);
    const receipt = await this.#sender.send(key, {
      ...call,
      kind: key.slice(0, key.indexOf(":")),
      from: deployment.roles.ccp,
      to: deployment.contracts.escrow,
    });
    this.#checkpoint(`after ${key}`);
    return receipt;
  }

  async #chainTime(): Promise<bigint> {
    const block = await withRetry(
      "getBlock",
      () => this.#options.client.getBlock({ blockTag: "latest" }),
      this.#retry,
    );
    return block.timestamp;
  }

  async #idle(until: bigint): Promise<void> {
    if (this.#options.idle !== undefined) return this.#options.idle(until);
    await new Promise((resolve) => setTimeout(resolve, this.#options.pollIntervalMs ?? 1_000));
  }

  #showCalls(cycle: number): void {
    const calls = this.#ledger.calls().filter((call) => call.cycle === cycle);
    this.#progress.start("answered", calls.length);
    this.#progress.update("answered", calls.filter((call) => call.status !== "open").length);
  }

  #checkpoint(point: string): void {
    this.#options.checkpoint?.(point);
  }
}

const ZERO = "0x0000000000000000000000000000000000000000";

function holdingsKey(holdings: readonly Holding[]): string {
  return holdings
    .filter((h) => h.quantity > 0n)
    .map((h) => `${h.asset.toLowerCase()}:${h.quantity}`)
    .sort()
    .join(",");
}

/** A value, or 0 when the asset cannot be valued now (a stale price on a delisted asset). */
function safeValue(value: () => bigint): bigint {
  try {
    return value();
  } catch {
    return 0n;
  }
}
