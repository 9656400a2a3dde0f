/**
 * Parsers of the two large files (market.csv and positions.csv), reading the bytes in place, a block of whole
 * lines at a time (see ranges.ts): fields are found by scanning for commas and newlines, numbers are read by
 * {@link readDecimal} (exactly `Number(text)`) without making a string per value, instrument ids are looked up
 * by their bytes. Text this fast path does not take (a field with spaces, an unusual number, an unknown id)
 * goes through the same checks as the small files, so both paths accept the same input, give the same values
 * and report the same errors. A file holding a double quote or a carriage return is read whole by the CSV
 * reader instead ({@link parseMarketText}, {@link parsePositionsText}).
 *
 * Line numbers count from `firstLine` (1 for a range: the loader shifts them once the lines before are known).
 */
import { checkWidth, decodeUtf8, parseChunk, parseInteger, parseNumber, type CsvChunk } from "./csv.ts";
import { decimalEnd, readDecimal } from "./decimal.ts";
import { MarginInputError } from "./errors.ts";
import { readLineBlocks, type FileRange } from "./ranges.ts";
import type { EncodedPositions } from "./types.ts";

const NEWLINE = 0x0a;
const COMMA = 0x2c;
const SPACE = 0x20;

/** Parsed rows of market.csv: dates, lines, the values row by row (`values[r × factors + j]`), lines read. */
export type MarketChunk = { dates: string[]; lines: Int32Array; values: Float64Array; lineCount: number };

/** Parsed rows of positions.csv (runs of one account, instruments as indexes) and the lines read. */
export type PositionsChunk = EncodedPositions & {
  runLengths: Int32Array;
  instruments: Int32Array;
  quantities: Float64Array;
  lines: Int32Array;
  lineCount: number;
};

/** What a range task gives back: its rows, or `quoted` when the file must be read whole by the CSV reader. */
export type RangeResult<T> = { quoted: false; rows: T } | { quoted: true };

/** The columns positions.csv is read from. */
export type PositionColumns = { account: number; instrument: number; quantity: number };

/** Whether `bytes[start … end − 1]` is blank (only white space: such lines are skipped). */
function blank(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i += 1) {
    const b = bytes[i]!;
    if (b > SPACE && b < 0x80) return false;
    if (b >= 0x80) return decodeUtf8(bytes, start, end).trim() === "";
  }
  return true;
}

/** The end of the field starting at `start` (the next comma, or `lineEnd`). */
function fieldEnd(bytes: Uint8Array, start: number, lineEnd: number): number {
  let i = start;
  while (i < lineEnd && bytes[i] !== COMMA) i += 1;
  return i;
}

/** The end of the line holding byte `start`: its newline, or `end`. */
function lineEndOf(bytes: Uint8Array, start: number, end: number): number {
  let i = start;
  while (i < end && bytes[i] !== NEWLINE) i += 1;
  return i;
}

/** The number of fields of the line `start … lineEnd − 1` (for the width error). */
function fieldCount(bytes: Uint8Array, start: number, lineEnd: number): number {
  let count = 1;
  for (let i = start; i < lineEnd; i += 1) if (bytes[i] === COMMA) count += 1;
  return count;
}

/** A field's text, trimmed as the small files' fields are. */
function fieldText(bytes: Uint8Array, start: number, end: number): string {
  return decodeUtf8(bytes, start, end).trim();
}

/** Parses the lines of market.csv a range owns (`header` is the file's header: `date`, then the factors). */
export function parseMarketRange(range: FileRange, header: readonly string[]): RangeResult<MarketChunk> {
  const rows = new MarketRows(range.file, header, 1, range.to - range.from);
  const plain = readLineBlocks(range, (bytes, start, end) => rows.addBlock(bytes, start, end));
  return plain ? { quoted: false, rows: rows.result() } : { quoted: true };
}

/** Market rows read a block at a time into growing arrays. */
class MarketRows {
  private readonly file: string;
  private readonly header: readonly string[];
  private readonly factors: number;
  private values = new Float64Array(0);
  private lines = new Int32Array(0);
  private readonly dates: string[] = [];
  private line: number;
  private readonly firstLine: number;

  private readonly bytes: number;

  /** `bytes`: the size of the text to read, from which the first block's lines estimate the rows. */
  constructor(file: string, header: readonly string[], firstLine: number, bytes: number) {
    this.file = file;
    this.header = header;
    this.factors = header.length - 1;
    this.line = firstLine;
    this.firstLine = firstLine;
    this.bytes = bytes;
  }

  addBlock(bytes: Uint8Array, start: number, end: number): void {
    if (this.lines.length === 0 && end > start) {
      // Size the arrays once from the first line's length (+5%: lines vary), rather than doubling them.
      const first = lineEndOf(bytes, start, end) - start + 1;
      this.reserve(Math.ceil((1.05 * this.bytes) / first) + 1);
    }
    for (let pos = start; pos < end; this.line += 1) {
      const dateEnd = fieldEnd(bytes, pos, end);
      if (dateEnd === end || bytes[dateEnd] !== COMMA || lineEndOf(bytes, pos, dateEnd) < dateEnd) {
        const lineEnd = lineEndOf(bytes, pos, end);
        if (!blank(bytes, pos, lineEnd)) checkWidth([""], this.header.length, this.file, this.line);
        pos = lineEnd + 1;
        continue;
      }
      const row = this.dates.length;
      this.reserve(row + 1);
      this.dates.push(fieldText(bytes, pos, dateEnd));
      this.lines[row] = this.line;
      pos = this.readValues(bytes, dateEnd + 1, end, row * this.factors);
    }
  }

  /** Room for `rows` rows (the arrays double as they fill). */
  private reserve(rows: number): void {
    if (rows <= this.lines.length) return;
    const capacity = Math.max(rows, 2 * this.lines.length);
    const lines = new Int32Array(capacity);
    lines.set(this.lines);
    this.lines = lines;
    const values = new Float64Array(capacity * this.factors);
    values.set(this.values);
    this.values = values;
  }

  /**
   * Reads one row's factor values, starting at `pos` (after the date's comma), into `values[offset …]`;
   * returns the start of the next line.
   */
  private readValues(bytes: Uint8Array, pos: number, end: number, offset: number): number {
    const { factors, file, line, header } = this;
    let from = pos;
    for (let j = 0; j < factors; j += 1) {
      let value = readDecimal(bytes, from, end);
      let to = decimalEnd;
      const next = to < end ? bytes[to] : NEWLINE;
      const last = j === factors - 1;
      if (value !== value || (last ? next !== NEWLINE : next !== COMMA)) {
        // not a plain decimal ending the field: find the field's end, then the strict parser decides
        const lineEnd = lineEndOf(bytes, from, end);
        to = fieldEnd(bytes, from, lineEnd);
        if (!last && to >= lineEnd) checkWidth(new Array(j + 2), header.length, file, line);
        value = parseNumber(decodeUtf8(bytes, from, to), file, line, header[j + 1]!);
      }
      this.values[offset + j] = value;
      from = to + 1;
    }
    if (from - 1 < end && bytes[from - 1] === COMMA) {
      const lineStart = lineStartBefore(bytes, from - 1);
      const lineEnd = lineEndOf(bytes, from, end);
      checkWidth(new Array(fieldCount(bytes, lineStart, lineEnd)), header.length, file, line);
    }
    return from;
  }

  result(): MarketChunk {
    const rows = this.dates.length;
    return {
      dates: this.dates,
      lines: this.lines.subarray(0, rows),
      values: this.values.subarray(0, rows * this.factors),
      lineCount: this.line - this.firstLine,
    };
  }
}

/** The start of the line that holds byte `at`. */
function lineStartBefore(bytes: Uint8Array, at: number): number {
  let i = at;
  while (i > 0 && bytes[i - 1] !== NEWLINE) i -= 1;
  return i;
}

/** The CSV reader's path for market.csv (a file with quotes or carriage returns): records, strict values. */
export function parseMarketText(chunk: CsvChunk, header: readonly string[]): MarketChunk {
  const { records, lines } = parseChunk(chunk);
  const factors = header.length - 1;
  const values = new Float64Array(records.length * factors);
  const dates = records.map((record, r) => {
    checkWidth(record, header.length, chunk.file, lines[r]!);
    for (let j = 0; j < factors; j += 1) {
      values[r * factors + j] = parseNumber(record[j + 1]!, chunk.file, lines[r]!, header[j + 1]!);
    }
    return record[0]!.trim();
  });
  return { dates, lines: Int32Array.from(lines), values, lineCount: 0 };
}

/** Parses the lines of positions.csv a range owns; instruments become indexes into `instrumentIds`. */
export function parsePositionsRange(
  range: FileRange,
  width: number,
  columns: PositionColumns,
  instrumentIds: readonly string[],
): RangeResult<PositionsChunk> {
  const rows = new PositionRows(range.file, instrumentIds, 1, Math.ceil((range.to - range.from) / 16));
  const ids = new InstrumentIndex(instrumentIds);
  const reader = new PositionLines(rows, ids, width, columns);
  const plain = readLineBlocks(range, (bytes, start, end) => reader.addBlock(bytes, start, end));
  return plain ? { quoted: false, rows: rows.result() } : { quoted: true };
}

/** The CSV reader's path for positions.csv (a file with quotes or carriage returns). */
export function parsePositionsText(
  chunk: CsvChunk,
  width: number,
  columns: PositionColumns,
  instrumentIds: readonly string[],
): PositionsChunk {
  const { records, lines } = parseChunk(chunk);
  const rows = new PositionRows(chunk.file, instrumentIds, chunk.firstLine, records.length);
  records.forEach((record, r) => {
    checkWidth(record, width, chunk.file, lines[r]!);
    rows.add(
      record[columns.account]!.trim(),
      record[columns.instrument]!,
      record[columns.quantity]!,
      lines[r]!,
    );
  });
  return rows.result();
}

/** Position lines read a block at a time: fields found in one pass, the account's run kept while it lasts. */
class PositionLines {
  private readonly rows: PositionRows;
  private readonly ids: InstrumentIndex;
  private readonly width: number;
  private readonly columns: PositionColumns;
  private readonly fields: Int32Array; // start and end of each field of the line
  private account = "";
  private accountBytes = new Uint8Array(0);
  private line = 1;

  constructor(rows: PositionRows, ids: InstrumentIndex, width: number, columns: PositionColumns) {
    this.rows = rows;
    this.ids = ids;
    this.width = width;
    this.columns = columns;
    this.fields = new Int32Array(2 * width);
  }

  addBlock(bytes: Uint8Array, start: number, end: number): void {
    const { fields, width, columns } = this;
    for (let pos = start; pos < end; this.line += 1) {
      const lineStart = pos;
      const count = splitFields(bytes, pos, end, fields, width);
      const lineEnd = fields[2 * Math.min(count, width) - 1]!;
      pos = lineEnd + 1;
      if (count === 1 && blank(bytes, lineStart, lineEnd)) continue;
      if (count !== width) checkWidth(new Array(count), width, this.rows.file, this.line);
      const as = fields[2 * columns.account]!;
      const ae = fields[2 * columns.account + 1]!;
      if (!sameBytes(bytes, as, ae, this.accountBytes)) {
        this.account = fieldText(bytes, as, ae);
        this.accountBytes = Uint8Array.from(bytes.subarray(as, ae)); // a copy: the buffer is reused
      }
      const is = fields[2 * columns.instrument]!;
      const ie = fields[2 * columns.instrument + 1]!;
      const index = this.ids.find(bytes, is, ie);
      const qs = fields[2 * columns.quantity]!;
      const qe = fields[2 * columns.quantity + 1]!;
      const quantity = parseWhole(bytes, qs, qe);
      if (index >= 0 && quantity === quantity && this.account !== "") {
        this.rows.push(this.account, index, quantity, this.line);
      } else {
        this.rows.add(this.account, decodeUtf8(bytes, is, ie), decodeUtf8(bytes, qs, qe), this.line);
      }
    }
    this.rows.lineCount = this.line - 1;
  }
}

/**
 * Finds the fields of the line starting at `start`: records the start and end of the first `width` in
 * `fields` and returns how many the line has (the last one ends at the newline or at `end`).
 */
function splitFields(
  bytes: Uint8Array,
  start: number,
  end: number,
  fields: Int32Array,
  width: number,
): number {
  let count = 0;
  let from = start;
  let i = start;
  for (; i < end; i += 1) {
    const b = bytes[i];
    if (b === NEWLINE) break;
    if (b === COMMA) {
      if (count < width) {
        fields[2 * count] = from;
        fields[2 * count + 1] = i;
      }
      count += 1;
      from = i + 1;
    }
  }
  if (count < width) {
    fields[2 * count] = from;
    fields[2 * count + 1] = i;
  } else fields[2 * width - 1] = i; // more fields than the header: keep the line's end for the caller
  return count + 1;
}

/** Whether `bytes[start … end − 1]` equals `other`. */
function sameBytes(bytes: Uint8Array, start: number, end: number, other: Uint8Array): boolean {
  if (end - start !== other.length) return false;
  for (let i = 0; i < other.length; i += 1) if (bytes[start + i] !== other[i]) return false;
  return true;
}

/** A whole number of up to 15 digits with an optional sign, read in place; NaN for anything else. */
function parseWhole(bytes: Uint8Array, start: number, end: number): number {
  let i = start;
  const negative = i < end && bytes[i] === 0x2d;
  if (i < end && (bytes[i] === 0x2d || bytes[i] === 0x2b)) i += 1;
  if (i === end || end - i > 15) return Number.NaN;
  let value = 0;
  for (; i < end; i += 1) {
    const d = bytes[i]! - 0x30;
    if (d < 0 || d > 9) return Number.NaN;
    value = value * 10 + d;
  }
  return negative ? -value : value;
}

/**
 * Instrument ids looked up by their UTF-8 bytes (an open-addressing hash table), so that a position row makes
 * no string; `find` gives −1 when the bytes are not exactly an id (the caller then decodes, trims and checks).
 */
class InstrumentIndex {
  private readonly bytes: Uint8Array;
  private readonly start: Int32Array;
  private readonly slots: Int32Array;
  private readonly mask: number;

  constructor(ids: readonly string[]) {
    const encoded = ids.map((id) => Buffer.from(id, "utf8"));
    this.start = new Int32Array(ids.length + 1);
    encoded.forEach((bytes, i) => (this.start[i + 1] = this.start[i]! + bytes.length));
    this.bytes = new Uint8Array(this.start[ids.length]!);
    encoded.forEach((bytes, i) => this.bytes.set(bytes, this.start[i]!));
    let size = 16;
    while (size < 2 * ids.length) size *= 2;
    this.mask = size - 1;
    this.slots = new Int32Array(size).fill(-1);
    encoded.forEach((bytes, i) => {
      let slot = hash(bytes, 0, bytes.length) & this.mask;
      while (this.slots[slot] !== -1) slot = (slot + 1) & this.mask;
      this.slots[slot] = i;
    });
  }

  find(bytes: Uint8Array, start: number, end: number): number {
    for (let slot = hash(bytes, start, end) & this.mask; ; slot = (slot + 1) & this.mask) {
      const id = this.slots[slot]!;
      if (id < 0) return -1;
      if (this.matches(id, bytes, start, end)) return id;
    }
  }

  private matches(id: number, bytes: Uint8Array, start: number, end: number): boolean {
    const from = this.start[id]!;
    const length = this.start[id + 1]! - from;
    if (length !== end - start) return false;
    for (let i = 0; i < length; i += 1) if (this.bytes[from + i] !== bytes[start + i]) return false;
    return true;
  }
}

/** FNV-1a over bytes. */
function hash(bytes: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i += 1) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h >>> 0;
}

/** Accumulates position rows into runs of one account, in arrays that double as they fill. */
class PositionRows {
  readonly file: string;
  lineCount = 0;
  private readonly ids: readonly string[];
  private index: Map<string, number> | undefined;
  private readonly accounts: string[] = [];
  private readonly runLengths: number[] = [];
  private instruments: Int32Array;
  private quantities: Float64Array;
  private lines: Int32Array;
  private count = 0;
  private current: string | undefined;

  /** `capacity`: the rows expected (the arrays grow past it if need be). */
  constructor(file: string, ids: readonly string[], firstLine: number, capacity: number) {
    this.file = file;
    this.ids = ids;
    this.lineCount = firstLine - 1;
    const size = Math.max(16, capacity);
    this.instruments = new Int32Array(size);
    this.quantities = new Float64Array(size);
    this.lines = new Int32Array(size);
  }

  /** A row already checked: the account is not blank, the instrument found, the quantity whole. */
  push(account: string, index: number, quantity: number, line: number): void {
    if (account !== this.current) {
      this.accounts.push(account);
      this.runLengths.push(0);
      this.current = account;
    }
    this.runLengths[this.runLengths.length - 1]! += 1;
    const r = this.count;
    if (r === this.lines.length) this.grow();
    this.instruments[r] = index;
    this.quantities[r] = quantity;
    this.lines[r] = line;
    this.count = r + 1;
  }

  /** A row from text fields, checked here: an error names the line and column. */
  add(account: string, instrument: string, quantity: string, line: number): void {
    const file = this.file;
    if (account === "") {
      throw new MarginInputError("MARGIN_INPUT_BAD_VALUE", `account is blank`, {
        location: { file, line, column: "account" },
      });
    }
    const index = this.lookup(instrument.trim(), line);
    this.push(
      account,
      index,
      parseInteger(quantity, file, line, "quantity", "MARGIN_INPUT_BAD_QUANTITY"),
      line,
    );
  }

  private grow(): void {
    const capacity = 2 * this.lines.length;
    const instruments = new Int32Array(capacity);
    instruments.set(this.instruments);
    this.instruments = instruments;
    const quantities = new Float64Array(capacity);
    quantities.set(this.quantities);
    this.quantities = quantities;
    const lines = new Int32Array(capacity);
    lines.set(this.lines);
    this.lines = lines;
  }

  private lookup(instrument: string, line: number): number {
    this.index ??= new Map(this.ids.map((id, i) => [id, i]));
    const at = this.index.get(instrument);
    if (at !== undefined) return at;
    throw new MarginInputError(
      "MARGIN_INPUT_UNKNOWN_INSTRUMENT",
      instrument === ""
        ? `instrument is blank`
        : `instrument ${JSON.stringify(instrument)} is not defined in instruments.csv`,
      { location: { file: this.file, line, column: "instrument" }, details: { instrument } },
    );
  }

  result(): PositionsChunk {
    return {
      instrumentIds: this.ids,
      accounts: this.accounts,
      runLengths: Int32Array.from(this.runLengths),
      instruments: this.instruments.subarray(0, this.count),
      quantities: this.quantities.subarray(0, this.count),
      lines: this.lines.subarray(0, this.count),
      lineCount: this.lineCount,
    };
  }
}
