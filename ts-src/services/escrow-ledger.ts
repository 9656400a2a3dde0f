/**
 * The CCP service's view of the escrow, built from its events and kept in the service's journal: accounts (owner,
 * beneficiary, status, requirement), holdings, margin calls (issued, met, defaulted, with their block times), the
 * collateral movements (deposits, withdrawals, substitutions, seizures), requirement postings, participants in
 * default, port acceptances and ports. `sync()` reads the events since the last block it applied and applies them in
 * one SQLite transaction together with that block number, so a service killed mid-read starts again from where its
 * journal says, and never applies an event twice.
 *
 * The holdings it derives are checked against the escrow's own `accountOf` when a cycle closes (see
 * ccp-service.ts): the two never differ unless an event was missed.
 */
import type { Hex, PublicClient } from "viem";

import { type EscrowEvent, type EscrowLeg, readEscrowEvents } from "../chain/escrow.ts";
import { DEFAULT_RETRY, type RetryPolicy, withRetry } from "../chain/retry.ts";
import type { Holding } from "../collateral/valuation.ts";
import type { Address } from "../settlement/types.ts";
import type { Journal } from "./journal.ts";

/** An account as the events describe it. */
export interface LedgerAccount {
  readonly id: Hex;
  readonly owner: Address;
  /** Zero for a house account. */
  readonly beneficiary: Address;
  readonly status: "active" | "defaulted";
  readonly requirement: bigint;
  readonly cycle: number;
}

export type CallStatus = "open" | "met" | "defaulted";

/** A margin call as the events describe it; times are the blocks' (Unix seconds). */
export interface LedgerCall {
  readonly id: bigint;
  readonly account: Hex;
  readonly cycle: number;
  readonly shortfall: bigint;
  readonly deadline: bigint;
  readonly issuedBlock: bigint;
  readonly issuedAt: bigint;
  readonly status: CallStatus;
  readonly metAt?: bigint;
  readonly defaultedAt?: bigint;
}

/** A collateral movement: what came into the account (`ins`) and what left it (`outs`). */
export interface LedgerMovement {
  readonly block: bigint;
  readonly logIndex: number;
  readonly transaction: Hex;
  readonly account: Hex;
  readonly kind: "deposit" | "withdrawal" | "substitution" | "seizure";
  /** Who sent it (the depositor, the substituter), or where it went (withdrawal, seizure). */
  readonly party: Address;
  readonly ins: readonly EscrowLeg[];
  readonly outs: readonly EscrowLeg[];
  readonly at: bigint;
}

/** A requirement posting (one batch). */
export interface LedgerPosting {
  readonly block: bigint;
  readonly logIndex: number;
  readonly cycle: number;
  readonly asOf: number;
  readonly accounts: readonly Hex[];
  readonly at: bigint;
}

interface AccountRow {
  account: string;
  owner: string;
  beneficiary: string;
  status: "active" | "defaulted";
  requirement: string;
  cycle: number;
}
interface CallRow {
  call_id: string;
  account: string;
  cycle: number;
  shortfall: string;
  deadline: string;
  issued_block: string;
  issued_at: string;
  status: CallStatus;
  met_at: string | null;
  defaulted_at: string | null;
}
interface MovementRow {
  block: string;
  log_index: number;
  tx: string;
  account: string;
  kind: LedgerMovement["kind"];
  party: string;
  ins: string;
  outs: string;
  at: string;
}

/**
 * The escrow's events, applied to the journal.
 *
 * @example
 *   const ledger = new EscrowLedger(journal, { client, escrow, startBlock });
 *   await ledger.sync();
 *   ledger.openCalls(); // every call still open
 */
export class EscrowLedger {
  readonly #journal: Journal;
  readonly #client: PublicClient;
  readonly #escrow: Address;
  readonly #startBlock: bigint;
  readonly #retry: RetryPolicy;

  constructor(
    journal: Journal,
    options: { client: PublicClient; escrow: Address; startBlock: bigint; retry?: RetryPolicy },
  ) {
    this.#journal = journal;
    this.#client = options.client;
    this.#escrow = options.escrow.toLowerCase() as Address;
    this.#startBlock = options.startBlock;
    this.#retry = options.retry ?? DEFAULT_RETRY;
    journal.migrate(
      "escrow-ledger-v1",
      `CREATE TABLE ledger_scan (id INTEGER PRIMARY KEY CHECK (id = 1), last_block TEXT NOT NULL);
       CREATE TABLE ledger_accounts (
         account TEXT PRIMARY KEY, owner TEXT NOT NULL, beneficiary TEXT NOT NULL, status TEXT NOT NULL,
         requirement TEXT NOT NULL DEFAULT '0', cycle INTEGER NOT NULL DEFAULT 0);
       CREATE TABLE ledger_holdings (account TEXT NOT NULL, asset TEXT NOT NULL, quantity TEXT NOT NULL,
         PRIMARY KEY (account, asset));
       CREATE TABLE ledger_calls (
         call_id TEXT PRIMARY KEY, account TEXT NOT NULL, cycle INTEGER NOT NULL, shortfall TEXT NOT NULL,
         deadline TEXT NOT NULL, issued_block TEXT NOT NULL, issued_at TEXT NOT NULL, status TEXT NOT NULL,
         met_at TEXT, defaulted_at TEXT);
       CREATE INDEX ledger_calls_by_status ON ledger_calls (status);
       CREATE TABLE ledger_movements (
         block TEXT NOT NULL, log_index INTEGER NOT NULL, tx TEXT NOT NULL, account TEXT NOT NULL, kind TEXT NOT NULL,
         party TEXT NOT NULL, ins TEXT NOT NULL, outs TEXT NOT NULL, at TEXT NOT NULL, PRIMARY KEY (block, log_index));
       CREATE INDEX ledger_movements_by_account ON ledger_movements (account);
       CREATE TABLE ledger_postings (
         block TEXT NOT NULL, log_index INTEGER NOT NULL, cycle INTEGER NOT NULL, as_of INTEGER NOT NULL,
         accounts TEXT NOT NULL, at TEXT NOT NULL, PRIMARY KEY (block, log_index));
       CREATE TABLE ledger_participants (wallet TEXT PRIMARY KEY, defaulted_at TEXT NOT NULL);
       CREATE TABLE ledger_acceptances (account TEXT NOT NULL, participant TEXT NOT NULL, accepted INTEGER NOT NULL,
         PRIMARY KEY (account, participant));
       CREATE TABLE ledger_ports (account TEXT NOT NULL, from_owner TEXT NOT NULL, to_owner TEXT NOT NULL,
         at TEXT NOT NULL, block TEXT NOT NULL);`,
    );
  }

  /** The last block applied (the block before the start block when none was). */
  get lastBlock(): bigint {
    const row = this.#journal.get<{ last_block: string }>("SELECT last_block FROM ledger_scan WHERE id = 1");
    return row === undefined ? this.#startBlock - 1n : BigInt(row.last_block);
  }

  /**
   * Applies every event up to the chain's latest block (or `toBlock`); returns the events applied.
   *
   * @throws {ChainError} `CHAIN_RPC_FAILED` when the node keeps failing (nothing is applied then).
   */
  async sync(toBlock?: bigint): Promise<EscrowEvent[]> {
    const latest =
      toBlock ??
      (await withRetry("getBlockNumber", () => this.#client.getBlockNumber({ cacheTime: 0 }), this.#retry));
    const from = this.lastBlock + 1n;
    if (latest < from) return [];
    const events = await readEscrowEvents(this.#client, {
      escrow: this.#escrow,
      fromBlock: from,
      toBlock: latest,
      retry: this.#retry,
    });
    const times = new Map<bigint, bigint>();
    for (const event of events)
      if (event.blockTimestamp !== undefined) times.set(event.blockNumber, event.blockTimestamp);
    for (const [block, time] of await this.#blockTimes([
      ...new Set(events.filter((e) => !times.has(e.blockNumber)).map((e) => e.blockNumber)),
    ])) {
      times.set(block, time);
    }
    this.#journal.atomically(() => {
      for (const event of events) this.#apply(event, times.get(event.blockNumber)!);
      this.#journal.run(
        "INSERT INTO ledger_scan (id, last_block) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET last_block = excluded.last_block",
        latest.toString(),
      );
    });
    return events;
  }

  // ─── Queries ──────────────────────────────────────────────────────────────────────────────────────────────

  account(id: Hex): LedgerAccount | undefined {
    const row = this.#journal.get<AccountRow>("SELECT * FROM ledger_accounts WHERE account = ?", id);
    return row === undefined ? undefined : accountOf(row);
  }

  accounts(): LedgerAccount[] {
    return this.#journal.all<AccountRow>("SELECT * FROM ledger_accounts ORDER BY account").map(accountOf);
  }

  /** The account's holdings now (as of the last block applied). */
  holdings(id: Hex): Holding[] {
    return this.#journal
      .all<{ asset: string; quantity: string }>(
        "SELECT asset, quantity FROM ledger_holdings WHERE account = ? AND quantity <> '0' ORDER BY asset",
        id,
      )
      .map((row) => ({ asset: row.asset, quantity: BigInt(row.quantity) }));
  }

  /** The account's holdings just before the event at (`block`, `logIndex`): its movements replayed up to there. */
  holdingsBefore(id: Hex, block: bigint, logIndex: number): Holding[] {
    const state = new Map<string, bigint>();
    for (const movement of this.movements(id)) {
      if (movement.block > block || (movement.block === block && movement.logIndex >= logIndex)) break;
      for (const leg of movement.ins) state.set(leg.asset, (state.get(leg.asset) ?? 0n) + leg.amount);
      for (const leg of movement.outs) state.set(leg.asset, (state.get(leg.asset) ?? 0n) - leg.amount);
    }
    return [...state]
      .filter(([, quantity]) => quantity > 0n)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([asset, quantity]) => ({ asset, quantity }));
  }

  call(id: bigint): LedgerCall | undefined {
    const row = this.#journal.get<CallRow>("SELECT * FROM ledger_calls WHERE call_id = ?", id.toString());
    return row === undefined ? undefined : callOf(row);
  }

  /** Every call, by ID. */
  calls(): LedgerCall[] {
    return this.#journal
      .all<CallRow>("SELECT * FROM ledger_calls ORDER BY CAST(call_id AS INTEGER)")
      .map(callOf);
  }

  openCalls(): LedgerCall[] {
    return this.#journal
      .all<CallRow>("SELECT * FROM ledger_calls WHERE status = 'open' ORDER BY CAST(call_id AS INTEGER)")
      .map(callOf);
  }

  /** The account's movements in chain order (every account's when `id` is omitted). */
  movements(id?: Hex): LedgerMovement[] {
    const rows =
      id === undefined
        ? this.#journal.all<MovementRow>(
            "SELECT * FROM ledger_movements ORDER BY CAST(block AS INTEGER), log_index",
          )
        : this.#journal.all<MovementRow>(
            "SELECT * FROM ledger_movements WHERE account = ? ORDER BY CAST(block AS INTEGER), log_index",
            id,
          );
    return rows.map((row) => ({
      block: BigInt(row.block),
      logIndex: row.log_index,
      transaction: row.tx as Hex,
      account: row.account as Hex,
      kind: row.kind,
      party: row.party as Address,
      ins: legsOf(row.ins),
      outs: legsOf(row.outs),
      at: BigInt(row.at),
    }));
  }

  /** The postings of a cycle (one per batch), in chain order. */
  postings(cycle: number): LedgerPosting[] {
    return this.#journal
      .all<{ block: string; log_index: number; cycle: number; as_of: number; accounts: string; at: string }>(
        "SELECT * FROM ledger_postings WHERE cycle = ? ORDER BY CAST(block AS INTEGER), log_index",
        cycle,
      )
      .map((row) => ({
        block: BigInt(row.block),
        logIndex: row.log_index,
        cycle: row.cycle,
        asOf: row.as_of,
        accounts: JSON.parse(row.accounts) as Hex[],
        at: BigInt(row.at),
      }));
  }

  /** The highest cycle posted on chain (0: none). */
  maxCycle(): number {
    return Number(
      this.#journal.get<{ n: number | null }>("SELECT MAX(cycle) AS n FROM ledger_postings")!.n ?? 0,
    );
  }

  /** When the participant was declared in default, if it was. */
  participantDefaultedAt(wallet: Address): bigint | undefined {
    const row = this.#journal.get<{ defaulted_at: string }>(
      "SELECT defaulted_at FROM ledger_participants WHERE wallet = ?",
      wallet.toLowerCase(),
    );
    return row === undefined ? undefined : BigInt(row.defaulted_at);
  }

  /** The participants that accept taking the account over now. */
  acceptors(id: Hex): Address[] {
    return this.#journal
      .all<{ participant: string }>(
        "SELECT participant FROM ledger_acceptances WHERE account = ? AND accepted = 1 ORDER BY participant",
        id,
      )
      .map((row) => row.participant as Address);
  }

  /** The ports of an account: from, to, when. */
  ports(): { account: Hex; from: Address; to: Address; at: bigint }[] {
    return this.#journal
      .all<{ account: string; from_owner: string; to_owner: string; at: string }>(
        "SELECT * FROM ledger_ports ORDER BY CAST(block AS INTEGER)",
      )
      .map((row) => ({
        account: row.account as Hex,
        from: row.from_owner as Address,
        to: row.to_owner as Address,
        at: BigInt(row.at),
      }));
  }

  // ─── Applying events ──────────────────────────────────────────────────────────────────────────────────────

  #apply(event: EscrowEvent, at: bigint): void {
    const j = this.#journal;
    switch (event.kind) {
      case "AccountOpened":
        j.run(
          "INSERT OR IGNORE INTO ledger_accounts (account, owner, beneficiary, status) VALUES (?, ?, ?, 'active')",
          event.account,
          event.owner,
          event.beneficiary,
        );
        return;
      case "Deposited":
        this.#move(event, at, "deposit", event.from, [{ asset: event.asset, amount: event.amount }], []);
        return;
      case "Withdrawn":
        this.#move(event, at, "withdrawal", event.to, [], [{ asset: event.asset, amount: event.amount }]);
        return;
      case "Substituted":
        this.#move(event, at, "substitution", event.by, event.ins, event.outs);
        return;
      case "CollateralSeized":
        this.#move(event, at, "seizure", event.to, [], [{ asset: event.asset, amount: event.amount }]);
        return;
      case "RequirementsPosted":
        event.accounts.forEach((account, i) =>
          j.run(
            "UPDATE ledger_accounts SET requirement = ?, cycle = ? WHERE account = ?",
            event.requirements[i]!.toString(),
            event.cycle,
            account,
          ),
        );
        j.run(
          "INSERT OR IGNORE INTO ledger_postings (block, log_index, cycle, as_of, accounts, at) VALUES (?, ?, ?, ?, ?, ?)",
          event.blockNumber.toString(),
          event.logIndex,
          event.cycle,
          event.asOf,
          JSON.stringify(event.accounts),
          at.toString(),
        );
        return;
      case "MarginCalled":
        j.run(
          `INSERT OR IGNORE INTO ledger_calls (call_id, account, cycle, shortfall, deadline, issued_block, issued_at, status)
           VALUES (?, ?, ?, ?, ?, ?, ?, 'open')`,
          event.callId.toString(),
          event.account,
          event.cycle,
          event.shortfall.toString(),
          event.deadline.toString(),
          event.blockNumber.toString(),
          at.toString(),
        );
        return;
      case "MarginCallMet":
        j.run(
          "UPDATE ledger_calls SET status = 'met', met_at = ? WHERE call_id = ? AND status = 'open'",
          at.toString(),
          event.callId.toString(),
        );
        return;
      case "AccountDefaulted":
        j.run("UPDATE ledger_accounts SET status = 'defaulted' WHERE account = ?", event.account);
        if (event.callId !== 0n) {
          j.run(
            "UPDATE ledger_calls SET status = 'defaulted', defaulted_at = ? WHERE call_id = ?",
            at.toString(),
            event.callId.toString(),
          );
        }
        return;
      case "ParticipantDefaulted":
        j.run(
          "INSERT OR IGNORE INTO ledger_participants (wallet, defaulted_at) VALUES (?, ?)",
          event.participant,
          at.toString(),
        );
        return;
      case "PortAcceptanceSet":
        j.run(
          `INSERT INTO ledger_acceptances (account, participant, accepted) VALUES (?, ?, ?)
           ON CONFLICT (account, participant) DO UPDATE SET accepted = excluded.accepted`,
          event.account,
          event.participant,
          event.accepted ? 1 : 0,
        );
        return;
      case "AccountPorted":
        j.run("UPDATE ledger_accounts SET owner = ? WHERE account = ?", event.to, event.account);
        j.run(
          "INSERT INTO ledger_ports (account, from_owner, to_owner, at, block) VALUES (?, ?, ?, ?, ?)",
          event.account,
          event.from,
          event.to,
          at.toString(),
          event.blockNumber.toString(),
        );
        return;
    }
  }

  #move(
    event: EscrowEvent & { account: Hex },
    at: bigint,
    kind: LedgerMovement["kind"],
    party: Address,
    ins: readonly EscrowLeg[],
    outs: readonly EscrowLeg[],
  ): void {
    const j = this.#journal;
    j.run(
      `INSERT OR IGNORE INTO ledger_movements (block, log_index, tx, account, kind, party, ins, outs, at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      event.blockNumber.toString(),
      event.logIndex,
      event.transactionHash,
      event.account,
      kind,
      party,
      legsText(ins),
      legsText(outs),
      at.toString(),
    );
    for (const [legs, sign] of [
      [ins, 1n],
      [outs, -1n],
    ] as const) {
      for (const leg of legs) {
        const held = j.get<{ quantity: string }>(
          "SELECT quantity FROM ledger_holdings WHERE account = ? AND asset = ?",
          event.account,
          leg.asset,
        );
        const quantity = BigInt(held?.quantity ?? "0") + sign * leg.amount;
        j.run(
          `INSERT INTO ledger_holdings (account, asset, quantity) VALUES (?, ?, ?)
           ON CONFLICT (account, asset) DO UPDATE SET quantity = excluded.quantity`,
          event.account,
          leg.asset,
          quantity.toString(),
        );
      }
    }
  }

  /** Block timestamps, fetched a few at a time. */
  async #blockTimes(blocks: readonly bigint[]): Promise<Map<bigint, bigint>> {
    const times = new Map<bigint, bigint>();
    for (let start = 0; start < blocks.length; start += 50) {
      const chunk = blocks.slice(start, start + 50);
      const found = await Promise.all(
        chunk.map((blockNumber) =>
          withRetry("getBlock", () => this.#client.getBlock({ blockNumber }), this.#retry),
        ),
      );
      found.forEach((block, i) => times.set(chunk[i]!, block.timestamp));
    }
    return times;
  }
}

function accountOf(row: AccountRow): LedgerAccount {
  return {
    id: row.account as Hex,
    owner: row.owner as Address,
    beneficiary: row.beneficiary as Address,
    status: row.status,
    requirement: BigInt(row.requirement),
    cycle: row.cycle,
  };
}

function callOf(row: CallRow): LedgerCall {
  return {
    id: BigInt(row.call_id),
    account: row.account as Hex,
    cycle: row.cycle,
    shortfall: BigInt(row.shortfall),
    deadline: BigInt(row.deadline),
    issuedBlock: BigInt(row.issued_block),
    issuedAt: BigInt(row.issued_at),
    status: row.status,
    ...(row.met_at === null ? {} : { metAt: BigInt(row.met_at) }),
    ...(row.defaulted_at === null ? {} : { defaultedAt: BigInt(row.defaulted_at) }),
  };
}

function legsText(legs: readonly EscrowLeg[]): string {
  return JSON.stringify(legs.map((leg) => [leg.asset, leg.amount.toString()]));
}

function legsOf(text: string): EscrowLeg[] {
  return (JSON.parse(text) as [string, string][]).map(([asset, amount]) => ({
    asset: asset as Address,
    amount: BigInt(amount),
  }));
}
