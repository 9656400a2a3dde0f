/**
 * What-if: each account's initial margin before and after hypothetical trades, for the clearing house's
 * intraday check and a participant's pre-trade check. Only the accounts the trades touch are computed: an
 * account's P&L vector is computed once, kept (up to a bound), and each call adds the trades' P&L to a copy
 * of it; the tail's losses are then summed exactly from the account's positions after the trades, so the
 * result is the margin a full run on the traded book gives. Pure: no clock, no files.
 */
import { addPositionsPnl } from "./aggregation.ts";
import {
  accountMargin,
  accountRisk,
  accountScratch,
  accountSlice,
  type AccountScratch,
  type PreparedMargin,
} from "./engine.ts";
import { MarginInputError } from "./errors.ts";
import { expectedShortfall, netOptionValue, type PositionSlice } from "./tail.ts";
import type { AccountMargin, Position } from "./types.ts";
import { compareIds } from "./validation.ts";

/** A hypothetical trade: rows as positions.csv's (`account,instrument,quantity`), signed whole quantities. */
export type Trade = Position;

/** One account's margin before and after the trades. */
export type WhatIfAccount = {
  account: string;
  before: AccountMargin;
  after: AccountMargin;
  /** IM after − IM before, in yen. */
  change: bigint;
};

/** The accounts the trades touch, sorted by id (the others' margins do not change). */
export type WhatIfReport = {
  asOf: string;
  scenarios: number;
  tailCount: number;
  /** The number of trade rows. */
  trades: number;
  accounts: WhatIfAccount[];
};

export type WhatIfOptions = {
  /** How many accounts' P&L vectors to keep between calls (default 1,024; each holds N float64). */
  cacheSize?: number;
};

type Cached = { total: Float64Array; before: AccountMargin };

/**
 * What-if margins against one prepared run (one market snapshot and book). Keep it for the day: every call
 * reuses the scenario P&L of the instruments and the P&L vectors of the accounts computed before.
 *
 * @example
 *   const whatIf = createWhatIf(prepareMargin(input));
 *   const report = whatIf.evaluate([{ account: "CP001-H", instrument: "I00042", quantity: -300 }]);
 *   report.accounts[0]; // { account: "CP001-H", before: {…, im: 588625870n}, after: {…}, change: … }
 */
export function createWhatIf(prepared: PreparedMargin, options: WhatIfOptions = {}): MarginWhatIf {
  return new MarginWhatIf(prepared, options);
}

export class MarginWhatIf {
  private readonly prepared: PreparedMargin;
  private readonly cacheSize: number;
  private readonly cache = new Map<string, Cached>();
  private readonly index: Map<string, number>;
  private readonly scratch: AccountScratch;

  constructor(prepared: PreparedMargin, options: WhatIfOptions = {}) {
    this.prepared = prepared;
    this.cacheSize = Math.max(1, options.cacheSize ?? 1024);
    this.index = new Map(prepared.book.accounts.map((account, a) => [account, a]));
    this.scratch = accountScratch(prepared.model.scenarios, prepared.model.tailCount);
  }

  /** The accounts whose P&L vectors are kept, least recently used first. */
  cachedAccounts(): string[] {
    return [...this.cache.keys()];
  }

  /**
   * The margins of the accounts `trades` touch, before and after them. A trade in an instrument not in
   * instruments.csv, with an empty account or a quantity that is not a whole number is a
   * {@link MarginInputError} naming `file` and the trade's line.
   */
  evaluate(trades: readonly Trade[], file = "trades.csv"): WhatIfReport {
    const byAccount = this.netTrades(trades, file);
    const { model } = this.prepared;
    const accounts = [...byAccount.keys()].sort(compareIds).map((account) => {
      const base = this.base(account);
      const delta = byAccount.get(account)!;
      const after = this.after(account, base, delta, file);
      return { account, before: base.before, after, change: after.im - base.before.im };
    });
    return {
      asOf: model.asOf,
      scenarios: model.scenarios,
      tailCount: model.tailCount,
      trades: trades.length,
      accounts,
    };
  }

  /** Trades netted per account and instrument row (rows of the same pair add up), checked. */
  private netTrades(
    trades: readonly Trade[],
    file: string,
  ): Map<string, Map<number, { quantity: number; line?: number }>> {
    const rows = this.prepared.market.rows;
    const byAccount = new Map<string, Map<number, { quantity: number; line?: number }>>();
    for (const trade of trades) {
      const at = (column: string) => ({
        location: { file, ...(trade.line === undefined ? {} : { line: trade.line }), column },
      });
      const row = rows.get(trade.instrument);
      if (row === undefined) {
        throw new MarginInputError(
          "MARGIN_INPUT_UNKNOWN_INSTRUMENT",
          `instrument ${JSON.stringify(trade.instrument)} is not defined in instruments.csv`,
          { ...at("instrument"), details: { instrument: trade.instrument } },
        );
      }
      if (trade.account === "")
        throw new MarginInputError("MARGIN_INPUT_BAD_VALUE", `account is empty`, at("account"));
      if (!Number.isSafeInteger(trade.quantity)) {
        throw new MarginInputError(
          "MARGIN_INPUT_BAD_QUANTITY",
          `quantity ${trade.quantity} is not a whole number (|q| < 2^53)`,
          at("quantity"),
        );
      }
      const nets = byAccount.get(trade.account) ?? new Map<number, { quantity: number; line?: number }>();
      byAccount.set(trade.account, nets);
      const quantity = (nets.get(row)?.quantity ?? 0) + trade.quantity;
      if (!Number.isSafeInteger(quantity)) {
        throw new MarginInputError(
          "MARGIN_INPUT_BAD_QUANTITY",
          `net quantity ${quantity} exceeds 2^53`,
          at("quantity"),
        );
      }
      nets.set(row, { quantity, ...(trade.line === undefined ? {} : { line: trade.line }) });
    }
    return byAccount;
  }

  /** The account's P&L vector and margin as the book stands (kept for the next call). */
  private base(account: string): Cached {
    const cached = this.cache.get(account);
    if (cached !== undefined) {
      this.cache.delete(account); // most recently used last
      this.cache.set(account, cached);
      return cached;
    }
    const { model, book } = this.prepared;
    const a = this.index.get(account);
    const positions: PositionSlice =
      a === undefined ? { instrument: [], quantity: [], from: 0, to: 0 } : accountSlice(book, a);
    const { es, nov } = accountRisk(model, positions, this.scratch);
    const total = Float64Array.from(this.scratch.total);
    const entry = { total, before: accountMargin(account, es, nov) };
    this.cache.set(account, entry);
    if (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value!);
    return entry;
  }

  /** The account's margin after the trades: its vector plus the trades', its tail summed from the new book. */
  private after(
    account: string,
    base: Cached,
    delta: Map<number, { quantity: number; line?: number }>,
    file: string,
  ): AccountMargin {
    const { model } = this.prepared;
    const n = model.scenarios;
    const rows = Int32Array.from([...delta.keys()].sort((x, y) => x - y));
    const quantities = Float64Array.from(rows, (row) => delta.get(row)!.quantity);
    const total = Float64Array.from(base.total);
    addPositionsPnl(model, rows, quantities, 0, rows.length, total);
    const positions = this.mergedPositions(account, rows, delta, file);
    const es = expectedShortfall(total, n, positions, model.pnl, this.scratch.tail);
    const nov = netOptionValue(positions, model.valueToday, model.isOption, this.scratch.sum);
    return accountMargin(account, es, nov);
  }

  /** The account's net positions after the trades, in instrument order (zero nets dropped). */
  private mergedPositions(
    account: string,
    rows: Int32Array,
    delta: Map<number, { quantity: number; line?: number }>,
    file: string,
  ): PositionSlice {
    const { book } = this.prepared;
    const a = this.index.get(account);
    const net = new Map<number, number>();
    if (a !== undefined)
      for (let p = book.offsets[a]!; p < book.offsets[a + 1]!; p += 1)
        net.set(book.instrument[p]!, book.quantity[p]!);
    for (const row of rows) {
      const trade = delta.get(row)!;
      const quantity = (net.get(row) ?? 0) + trade.quantity;
      if (!Number.isSafeInteger(quantity)) {
        throw new MarginInputError("MARGIN_INPUT_BAD_QUANTITY", `net quantity ${quantity} exceeds 2^53`, {
          location: { file, ...(trade.line === undefined ? {} : { line: trade.line }), column: "quantity" },
        });
      }
      net.set(row, quantity);
    }
    const sorted = [...net.keys()].filter((row) => net.get(row) !== 0).sort((x, y) => x - y);
    return {
      instrument: Int32Array.from(sorted),
      quantity: Float64Array.from(sorted, (row) => net.get(row)!),
      from: 0,
      to: sorted.length,
    };
  }
}
