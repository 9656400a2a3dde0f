/**
 * The book: every account's net positions (step 4's sum over positions, prepared). Rows of the same account
 * and instrument add up, zero nets are dropped, accounts are sorted by id and each account's positions by
 * instrument row, in compressed rows on SharedArrayBuffers (worker threads read them without copies).
 */
import { MarginInputError } from "./errors.ts";
import type { EncodedPositions, Position } from "./types.ts";
import { compareIds } from "./validation.ts";

/** The accounts' net positions in compressed rows: positions of account a are `offsets[a] … offsets[a+1]−1`. */
export type PortfolioBook = {
  /** Account ids, sorted. */
  accounts: readonly string[];
  offsets: Int32Array;
  /** Row of the instrument in the scenario model, ascending within an account. */
  instrument: Int32Array;
  /** Net quantity (non-zero). */
  quantity: Float64Array;
};

/** Position rows flattened: account index, instrument row, quantity and file line (−1: none) of each. */
type Rows = {
  accountIds: string[];
  account: Int32Array;
  row: Int32Array;
  quantity: Float64Array;
  line: Int32Array;
};

/**
 * Nets positions into a book. `rows` maps instrument ids to model rows; `file` names positions.csv in errors
 * (an unknown instrument, an empty account, a quantity that is not a whole number, a net beyond 2^53).
 *
 * @example
 *   const book = buildBook(market.rows, [{ account: "A", instrument: "F1", quantity: 2 }], "positions.csv");
 */
export function buildBook(
  rows: ReadonlyMap<string, number>,
  positions: readonly Position[] | readonly EncodedPositions[],
  file: string,
): PortfolioBook {
  const flat = flattenPositions(rows, positions, file);
  const order = [...flat.accountIds.keys()].sort((a, b) =>
    compareIds(flat.accountIds[a]!, flat.accountIds[b]!),
  );
  const rank = new Int32Array(order.length);
  order.forEach((account, r) => (rank[account] = r));
  const byAccount = groupByAccount(flat, rank);
  const offsets = new Int32Array(new SharedArrayBuffer(4 * (order.length + 1)));
  const instrument = new Int32Array(flat.row.length);
  const quantity = new Float64Array(flat.row.length);
  let count = 0;
  for (let a = 0; a < order.length; a += 1) {
    offsets[a] = count;
    const rowsOfAccount = byAccount.rows.subarray(byAccount.start[a]!, byAccount.start[a + 1]!);
    count = netAccount(flat, rowsOfAccount, file, instrument, quantity, count);
  }
  offsets[order.length] = count;
  return {
    accounts: order.map((a) => flat.accountIds[a]!),
    offsets,
    instrument: sharedCopy(Int32Array, instrument.subarray(0, count)),
    quantity: sharedCopy(Float64Array, quantity.subarray(0, count)),
  };
}

function sharedCopy<T extends Int32Array | Float64Array>(
  kind: { new (buffer: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number },
  values: ArrayLike<number>,
): T {
  const array = new kind(new SharedArrayBuffer(kind.BYTES_PER_ELEMENT * values.length));
  array.set(values as ArrayLike<number>);
  return array;
}

/** Every position row as numbers, checked: the instrument exists, the account is not empty, q is whole. */
function flattenPositions(
  rows: ReadonlyMap<string, number>,
  positions: readonly Position[] | readonly EncodedPositions[],
  file: string,
): Rows {
  const accountIndex = new Map<string, number>();
  const accountIds: string[] = [];
  const indexOf = (account: string): number => {
    let index = accountIndex.get(account);
    if (index === undefined) {
      index = accountIds.length;
      accountIds.push(account);
      accountIndex.set(account, index);
    }
    return index;
  };
  let count = 0;
  for (const part of positions) count += "account" in part ? 1 : part.instruments.length;
  const flat: Rows = {
    accountIds,
    account: new Int32Array(count),
    row: new Int32Array(count),
    quantity: new Float64Array(count),
    line: new Int32Array(count).fill(-1),
  };
  let r = 0;
  const add = (account: string, instrument: string, quantity: number, line: number | undefined): void => {
    checkPosition(rows, account, instrument, quantity, line, file);
    flat.account[r] = indexOf(account);
    flat.row[r] = rows.get(instrument)!;
    flat.quantity[r] = quantity;
    if (line !== undefined) flat.line[r] = line;
    r += 1;
  };
  for (const part of positions) {
    if ("account" in part) add(part.account, part.instrument, part.quantity, part.line);
    else r = addEncoded(part, rows, indexOf, flat, r, add);
  }
  return flat;
}

/** Adds the rows of one encoded part (a parsed chunk of positions.csv); returns the next free index. */
function addEncoded(
  part: EncodedPositions,
  rows: ReadonlyMap<string, number>,
  indexOf: (account: string) => number,
  flat: Rows,
  start: number,
  add: (account: string, instrument: string, quantity: number, line: number | undefined) => void,
): number {
  const rowOf = part.instrumentIds.map((id) => rows.get(id) ?? -1);
  let r = start;
  let i = 0;
  for (let run = 0; run < part.accounts.length; run += 1) {
    const accountId = part.accounts[run]!;
    const account = accountId === "" ? -1 : indexOf(accountId);
    for (const end = i + part.runLengths[run]!; i < end; i += 1) {
      const row = rowOf[part.instruments[i]!]!;
      const quantity = part.quantities[i]!;
      if (account < 0 || row < 0 || !Number.isSafeInteger(quantity)) {
        // the general path throws the located error
        add(accountId, part.instrumentIds[part.instruments[i]!]!, quantity, part.lines?.[i]);
        continue;
      }
      flat.account[r] = account;
      flat.row[r] = row;
      flat.quantity[r] = quantity;
      flat.line[r] = part.lines?.[i] ?? -1;
      r += 1;
    }
  }
  return r;
}

function checkPosition(
  rows: ReadonlyMap<string, number>,
  account: string,
  instrument: string,
  quantity: number,
  line: number | undefined,
  file: string,
): void {
  const location = (column: string) => ({ file, ...(line === undefined ? {} : { line }), column });
  if (!rows.has(instrument)) {
    throw new MarginInputError(
      "MARGIN_INPUT_UNKNOWN_INSTRUMENT",
      `instrument ${JSON.stringify(instrument)} is not defined in instruments.csv`,
      { location: location("instrument"), details: { instrument } },
    );
  }
  if (account === "") {
    throw new MarginInputError("MARGIN_INPUT_BAD_VALUE", `account is empty`, {
      location: location("account"),
    });
  }
  if (!Number.isSafeInteger(quantity)) {
    throw new MarginInputError(
      "MARGIN_INPUT_BAD_QUANTITY",
      `quantity ${quantity} is not a whole number (|q| < 2^53)`,
      {
        location: location("quantity"),
      },
    );
  }
}

/** Row indexes grouped by account rank (a counting sort: within an account, the input order is kept). */
function groupByAccount(flat: Rows, rank: Int32Array): { rows: Int32Array; start: Int32Array } {
  const start = new Int32Array(rank.length + 1);
  for (let r = 0; r < flat.account.length; r += 1) start[rank[flat.account[r]!]! + 1]! += 1;
  for (let a = 0; a < rank.length; a += 1) start[a + 1]! += start[a]!;
  const next = start.slice(0, rank.length);
  const rows = new Int32Array(flat.account.length);
  for (let r = 0; r < flat.account.length; r += 1) rows[next[rank[flat.account[r]!]!]!++] = r;
  return { rows, start };
}

/**
 * One account's rows sorted by instrument row (stable: rows of the same instrument stay in input order), added
 * up per instrument; writes the non-zero nets from index `count` on and returns the next free index. A net
 * beyond 2^53 is an error at the row that takes it there.
 */
function netAccount(
  flat: Rows,
  rows: Int32Array,
  file: string,
  instrument: Int32Array,
  quantity: Float64Array,
  count: number,
): number {
  sortByInstrument(rows, flat.row);
  let next = count;
  for (let i = 0; i < rows.length;) {
    const row = flat.row[rows[i]!]!;
    let sum = 0;
    for (; i < rows.length && flat.row[rows[i]!] === row; i += 1) {
      sum += flat.quantity[rows[i]!]!;
      if (!Number.isSafeInteger(sum)) {
        const line = flat.line[rows[i]!]!;
        throw new MarginInputError("MARGIN_INPUT_BAD_QUANTITY", `net quantity ${sum} exceeds 2^53`, {
          location: { file, ...(line < 0 ? {} : { line }), column: "quantity" },
        });
      }
    }
    if (sum !== 0) {
      instrument[next] = row;
      quantity[next] = sum;
      next += 1;
    }
  }
  return next;
}

/** Sorts row indexes (ascending) by their instrument row, stably; insertion sort for the usual short lists. */
function sortByInstrument(rows: Int32Array, row: Int32Array): void {
  if (rows.length > 64) {
    const sorted = Array.from(rows).sort((x, y) => row[x]! - row[y]! || x - y);
    rows.set(sorted);
    return;
  }
  for (let i = 1; i < rows.length; i += 1) {
    const index = rows[i]!;
    const key = row[index]!;
    let j = i - 1;
    for (; j >= 0 && row[rows[j]!]! > key; j -= 1) rows[j + 1] = rows[j]!;
    rows[j + 1] = index;
  }
}
