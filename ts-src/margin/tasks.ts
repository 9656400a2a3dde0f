/**
 * The units of work a margin run hands to worker threads (or runs in-process): parsing a chunk of
 * market.csv or positions.csv, and the per-account risk loop over a range of accounts. The same function,
 * {@link runTask}, runs them in either place, so a run's result does not depend on the number of threads.
 */
import { checkWidth, parseChunk, parseInteger, parseNumber, type CsvChunk } from "./csv.ts";
import { MarginInputError } from "./errors.ts";
import { accountRiskRange, type RiskKernelInput } from "./engine.ts";
import type { EncodedPositions } from "./types.ts";

/** Parse a chunk of market.csv: dates, and the factor values row by row. */
export type MarketChunkTask = { kind: "market"; chunk: CsvChunk; header: readonly string[] };
export type MarketChunk = { dates: string[]; lines: Int32Array; values: Float64Array };

/** Parse a chunk of positions.csv, encoding instruments as indexes into `instrumentIds`. */
export type PositionsChunkTask = {
  kind: "positions";
  chunk: CsvChunk;
  width: number;
  columns: { account: number; instrument: number; quantity: number };
  instrumentIds: readonly string[];
};
export type PositionsChunk = EncodedPositions & {
  runLengths: Int32Array;
  instruments: Int32Array;
  quantities: Float64Array;
  lines: Int32Array;
};

/** Run the account loop over accounts `from … to − 1`, writing into the shared `es` and `nov`. */
export type RiskTask = {
  kind: "risk";
  input: RiskKernelInput;
  from: number;
  to: number;
  es: Float64Array;
  nov: Float64Array;
};

export type Task = MarketChunkTask | PositionsChunkTask | RiskTask;
export type TaskResult<T extends Task> = T extends MarketChunkTask
  ? MarketChunk
  : T extends PositionsChunkTask
    ? PositionsChunk
    : null;

/** Runs one task in the current thread. */
export function runTask<T extends Task>(task: T): TaskResult<T> {
  switch (task.kind) {
    case "market":
      return convertMarket(task) as TaskResult<T>;
    case "positions":
      return convertPositions(task) as TaskResult<T>;
    case "risk":
      accountRiskRange(task.input, task.from, task.to, task.es, task.nov);
      return null as TaskResult<T>;
  }
}

/** Buffers a result holds that can be moved (not copied) to the thread that asked for it. */
export function transferablesOf(result: unknown): ArrayBuffer[] {
  if (result === null || typeof result !== "object") return [];
  const buffers: ArrayBuffer[] = [];
  for (const value of Object.values(result)) {
    if (ArrayBuffer.isView(value) && value.buffer instanceof ArrayBuffer) buffers.push(value.buffer);
  }
  return buffers;
}

function convertMarket(task: MarketChunkTask): MarketChunk {
  const { file } = task.chunk;
  const { records, lines } = parseChunk(task.chunk);
  const factors = task.header.length - 1;
  const dates: string[] = new Array(records.length);
  const values = new Float64Array(records.length * factors);
  for (let r = 0; r < records.length; r += 1) {
    const record = records[r]!;
    const line = lines[r]!;
    checkWidth(record, task.header.length, file, line);
    dates[r] = record[0]!.trim();
    const base = r * factors;
    for (let j = 0; j < factors; j += 1) {
      const text = record[j + 1]!;
      // Fast path for plain decimals; anything else (blank, hex, "Infinity", surrounding spaces, …) goes
      // through the strict parser, which accepts it or throws the located error.
      values[base + j] = fastDecimal(text) ?? parseNumber(text, file, line, task.header[j + 1]!);
    }
  }
  return { dates, lines: Int32Array.from(lines), values };
}

/**
 * A market value read fast: the number when `text` is a plain finite decimal (what {@link parseNumber}
 * accepts, without surrounding spaces), otherwise undefined.
 */
export function fastDecimal(text: string): number | undefined {
  const value = Number(text);
  return Number.isFinite(value) && isPlainDecimal(text) ? value : undefined;
}

/**
 * Whether a string that Number() read as finite is an ordinary decimal. Number() also accepts surrounding
 * white space, "" and the prefixes 0x, 0o and 0b; those (rare) cases go to the strict parser.
 */
function isPlainDecimal(text: string): boolean {
  if (text.length === 0 || text.charCodeAt(0) <= 32 || text.charCodeAt(text.length - 1) <= 32) return false;
  const second = text.charCodeAt(1) | 0x20; // lower case
  return !(text.charCodeAt(0) === 48 && (second === 120 || second === 111 || second === 98)); // 0x 0o 0b
}

function convertPositions(task: PositionsChunkTask): PositionsChunk {
  const { file } = task.chunk;
  const { records, lines } = parseChunk(task.chunk);
  const { account, instrument, quantity } = task.columns;
  const index = new Map(task.instrumentIds.map((id, i) => [id, i]));
  const count = records.length;
  const accounts: string[] = [];
  const runLengths: number[] = [];
  const instruments = new Int32Array(count);
  const quantities = new Float64Array(count);
  let current: string | undefined;
  for (let r = 0; r < count; r += 1) {
    const record = records[r]!;
    const line = lines[r]!;
    checkWidth(record, task.width, file, line);
    const accountId = record[account]!.trim();
    if (accountId === "") {
      throw new MarginInputError("MARGIN_INPUT_BAD_VALUE", `account is blank`, {
        location: { file, line, column: "account" },
      });
    }
    const instrumentId = record[instrument]!.trim();
    const at = index.get(instrumentId);
    if (at === undefined) {
      throw new MarginInputError(
        "MARGIN_INPUT_UNKNOWN_INSTRUMENT",
        instrumentId === ""
          ? `instrument is blank`
          : `instrument ${JSON.stringify(instrumentId)} is not defined in instruments.csv`,
        { location: { file, line, column: "instrument" }, details: { instrument: instrumentId } },
      );
    }
    if (accountId !== current) {
      accounts.push(accountId);
      runLengths.push(0);
      current = accountId;
    }
    runLengths[runLengths.length - 1] = runLengths[runLengths.length - 1]! + 1;
    instruments[r] = at;
    quantities[r] = parseInteger(record[quantity]!, file, line, "quantity", "MARGIN_INPUT_BAD_QUANTITY");
  }
  return {
    instrumentIds: task.instrumentIds,
    accounts,
    runLengths: Int32Array.from(runLengths),
    instruments,
    quantities,
    lines: Int32Array.from(lines),
  };
}
