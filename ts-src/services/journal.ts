/**
 * The journal of a long-running service: an embedded SQLite database (`node:sqlite`, built into Node.js 22) in one
 * file, opened by one process at a time (exclusive lock), in WAL mode so that a write is durable once it returns, even
 * if the process is killed the next instant.
 *
 * It keeps the transactions the service sends (see ts-src/chain/sender.ts: each is journalled, signed, before it is
 * broadcast) and lets each service keep its own tables beside them (`migrate`), written in the same transactions
 * (`atomically`), so that a restart resumes from the file alone.
 */
import { DatabaseSync, type SQLInputValue } from "node:sqlite";

import type { TransactionJournal, TransactionRecord } from "../chain/sender.ts";
import type { Address } from "../settlement/types.ts";
import { ClearchainError } from "../shared/errors.ts";

/** Stable codes of {@link JournalError}. */
export type JournalErrorCode = "JOURNAL_LOCKED" | "JOURNAL_UNREADABLE";

/** The journal cannot be used: another process holds it, or the file is not a journal. */
export class JournalError extends ClearchainError<JournalErrorCode> {
  override name = "JournalError";
}

/**
 * A service's journal.
 *
 * @example
 *   const journal = Journal.open("settlement.sqlite");
 *   journal.migrate("trades-v1", "CREATE TABLE trades (trade_number TEXT PRIMARY KEY, state TEXT NOT NULL)");
 *   journal.atomically(() => journal.run("INSERT INTO trades VALUES (?, ?)", "1", "received"));
 */
export class Journal implements TransactionJournal {
  readonly #db: DatabaseSync;
  readonly path: string;
  #depth = 0;

  private constructor(db: DatabaseSync, path: string) {
    this.#db = db;
    this.path = path;
  }

  /**
   * Opens (creating if need be) the journal at `path` (":memory:" for a throw-away one) and takes its lock.
   *
   * @throws {JournalError} `JOURNAL_LOCKED` when another process has it open, `JOURNAL_UNREADABLE` when the file is
   *   not a SQLite database.
   */
  static open(path: string): Journal {
    const db = openExclusive(path, (cause, locked) => {
      const message = String((cause as Error).message);
      return new JournalError(
        locked ? "JOURNAL_LOCKED" : "JOURNAL_UNREADABLE",
        locked
          ? `${path} is in use by another process (one journal per service)`
          : `${path} cannot be opened as a journal (${message})`,
        { cause, details: { path } },
      );
    });
    const journal = new Journal(db, path);
    journal.migrate(
      "transactions-v1",
      `CREATE TABLE transactions (
         key TEXT PRIMARY KEY,
         kind TEXT NOT NULL,
         account TEXT NOT NULL,
         nonce INTEGER NOT NULL,
         hash TEXT NOT NULL,
         raw TEXT NOT NULL,
         status TEXT NOT NULL,
         updated_at INTEGER NOT NULL
       );
       CREATE INDEX transactions_by_account ON transactions (account, nonce);`,
    );
    return journal;
  }

  /** Applies `sql` once (named by `name`): a service's own tables and their later changes. */
  migrate(name: string, sql: string): void {
    this.#db.exec("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY)");
    const done = this.#db.prepare("SELECT 1 FROM migrations WHERE name = ?").get(name);
    if (done !== undefined) return;
    this.atomically(() => {
      this.#db.exec(sql);
      this.#db.prepare("INSERT INTO migrations (name) VALUES (?)").run(name);
    });
  }

  /** Runs `work` in one transaction (nested calls join the outer one): all of its writes, or none. */
  atomically<T>(work: () => T): T {
    if (this.#depth > 0) return work();
    this.#db.exec("BEGIN IMMEDIATE");
    this.#depth++;
    try {
      const result = work();
      this.#db.exec("COMMIT");
      return result;
    } catch (error) {
      this.#db.exec("ROLLBACK");
      throw error;
    } finally {
      this.#depth--;
    }
  }

  /** Runs a statement. */
  run(sql: string, ...parameters: SQLInputValue[]): void {
    this.#db.prepare(sql).run(...parameters);
  }

  /** The rows of a query. */
  all<Row>(sql: string, ...parameters: SQLInputValue[]): Row[] {
    return this.#db.prepare(sql).all(...parameters) as Row[];
  }

  /** The first row of a query, if any. */
  get<Row>(sql: string, ...parameters: SQLInputValue[]): Row | undefined {
    return this.#db.prepare(sql).get(...parameters) as Row | undefined;
  }

  /** Releases the file (and its lock). */
  close(): void {
    this.#db.close();
  }

  // ------------------------------------------------------------------------------------------------------------
  // TransactionJournal
  // ------------------------------------------------------------------------------------------------------------

  transaction(key: string): TransactionRecord | undefined {
    const row = this.get<TransactionRow>("SELECT * FROM transactions WHERE key = ?", key);
    return row === undefined ? undefined : recordOf(row);
  }

  recordSigned(record: Omit<TransactionRecord, "status">): void {
    this.run(
      `INSERT OR REPLACE INTO transactions (key, kind, account, nonce, hash, raw, status, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, 'signed', ?)`,
      record.key,
      record.kind,
      record.account.toLowerCase(),
      record.nonce,
      record.hash,
      record.raw,
      Date.now(),
    );
  }

  recordOutcome(key: string, status: "mined" | "reverted" | "rejected"): void {
    this.run("UPDATE transactions SET status = ?, updated_at = ? WHERE key = ?", status, Date.now(), key);
  }

  unfinished(): TransactionRecord[] {
    return this.all<TransactionRow>(
      "SELECT * FROM transactions WHERE status = 'signed' ORDER BY account, nonce",
    ).map(recordOf);
  }

  lastNonce(account: Address): number | undefined {
    const row = this.get<{ nonce: number | null }>(
      "SELECT MAX(nonce) AS nonce FROM transactions WHERE account = ? AND status <> 'rejected'",
      account.toLowerCase(),
    );
    return row?.nonce ?? undefined;
  }
}

/**
 * Opens a SQLite file and takes its exclusive lock at once (held until the database is closed, or the process ends,
 * however it ends: the operating system releases it). `fail` builds the error for a file another connection holds
 * (`locked`) or that is no database.
 */
export function openExclusive(path: string, fail: (cause: unknown, locked: boolean) => Error): DatabaseSync {
  try {
    const db = new DatabaseSync(path);
    db.exec("PRAGMA locking_mode = EXCLUSIVE");
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = NORMAL");
    // Takes the exclusive lock now: a second service on the same file fails here, not half-way through its work.
    db.exec("BEGIN EXCLUSIVE; COMMIT");
    return db;
  } catch (cause) {
    throw fail(cause, /locked|busy/i.test(String((cause as Error).message)));
  }
}

interface TransactionRow {
  key: string;
  kind: string;
  account: string;
  nonce: number;
  hash: string;
  raw: string;
  status: TransactionRecord["status"];
}

function recordOf(row: TransactionRow): TransactionRecord {
  return {
    key: row.key,
    kind: row.kind,
    account: row.account as Address,
    nonce: Number(row.nonce),
    hash: row.hash as `0x${string}`,
    raw: row.raw as `0x${string}`,
    status: row.status,
  };
}
