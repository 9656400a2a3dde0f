/**
 * Reads a margin input folder (factors.csv, market.csv, instruments.csv, positions.csv, optional stress.csv
 * and params.json) into a {@link MarginInput}. Syntax is checked here (files, columns, numbers, whole
 * numbers); meaning (references, dates, history) by the engine, which gets the line of every record.
 * market.csv and positions.csv, the large ones, are parsed in chunks by the task runner's threads.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

import type { RangeResult } from "./chunks.ts";
import {
  columnIndex,
  checkWidth,
  csvParseForced,
  parseInteger,
  parseNumber,
  readCsvTable,
  readFileBytes,
  splitCsv,
  type CsvChunk,
  type CsvTable,
} from "./csv.ts";
import { compareIds } from "./validation.ts";
import { MarginInputError, shiftLine } from "./errors.ts";
import type { TaskRunner } from "./pool.ts";
import { planRanges, type FileRange } from "./ranges.ts";
import {
  DEFAULT_MARGIN_PARAMS,
  FACTOR_KINDS,
  INSTRUMENT_TYPES,
  type FactorKind,
  type FactorSpec,
  type Instrument,
  type InstrumentType,
  type OptionInstrument,
  type MarginInput,
  type MarginParams,
  type MarginSourceFiles,
  type MarketData,
  type EncodedPositions,
  type Position,
  type StressScenario,
} from "./types.ts";

/** The file names of a margin input folder. */
export const MARGIN_FILES = {
  factors: "factors.csv",
  market: "market.csv",
  instruments: "instruments.csv",
  positions: "positions.csv",
  stress: "stress.csv",
  params: "params.json",
} as const;

/** A folder being loaded: the small files are read, the two large ones are still being parsed. */
export type PendingMarginInput = Omit<MarginInput, "market" | "positions"> & {
  files: MarginSourceFiles;
  market: Promise<MarketData>;
  positions: Promise<EncodedPositions[]>;
};

/**
 * Starts loading a margin input folder: market.csv and positions.csv are handed to the runner's threads
 * (market first), then the small files are read in this thread while they work. Lets a caller build the
 * market model as soon as market.csv is in, while positions.csv is still being parsed.
 */
export function startMarginLoad(folder: string, runner: TaskRunner): PendingMarginInput {
  const files: MarginSourceFiles = {
    factors: join(folder, MARGIN_FILES.factors),
    market: join(folder, MARGIN_FILES.market),
    instruments: join(folder, MARGIN_FILES.instruments),
    positions: join(folder, MARGIN_FILES.positions),
    stress: join(folder, MARGIN_FILES.stress),
    params: join(folder, MARGIN_FILES.params),
  };
  if (!existsSync(folder)) {
    throw new MarginInputError("MARGIN_INPUT_MISSING_FILE", `the input folder does not exist`, {
      location: { file: folder },
    });
  }
  const market = loadMarket(files.market, runner);
  // Keep the promises observed so that a failure of one does not surface as an unhandled rejection.
  market.catch(() => undefined);
  const instruments = loadInstruments(files.instruments);
  const instrumentIds = [...new Set(instruments.map((instrument) => instrument.instrument))].sort(compareIds);
  const positions = loadPositions(files.positions, runner, instrumentIds);
  positions.catch(() => undefined);
  const factors = loadFactors(files.factors);
  const stress = existsSync(files.stress) ? loadStress(files.stress) : [];
  const params = existsSync(files.params) ? loadParams(files.params) : {};
  return { factors, instruments, stress, params, files, market, positions };
}

/**
 * Loads a margin input folder.
 *
 * @example
 *   const runner = createTaskRunner(2);
 *   const input = await loadMarginInput("data/examples/margin", runner);
 */
export async function loadMarginInput(folder: string, runner: TaskRunner): Promise<MarginInput> {
  const pending = startMarginLoad(folder, runner);
  return { ...pending, market: await pending.market, positions: await pending.positions };
}

async function loadMarket(file: string, runner: TaskRunner): Promise<MarketData> {
  const { header, ranges } = planRanges(file, file, rangesFor(runner));
  if (header[0] !== "date") {
    throw new MarginInputError(
      "MARGIN_INPUT_MISSING_COLUMN",
      `the first column must be "date", found ${JSON.stringify(header[0])}`,
      { location: { file, line: 1 } },
    );
  }
  columnIndex(header, ["date"], file); // duplicate column names
  const parts = await readRanges(
    file,
    ranges,
    (range) => runner.run({ kind: "market-range", range, header }),
    (chunk) => runner.run({ kind: "market-text", chunk, header }),
  );
  const factors = header.slice(1);
  const rows = parts.reduce((sum, part) => sum + part.dates.length, 0);
  // Columns on SharedArrayBuffers: a backtest's worker threads read them without copies.
  const values = factors.map(() => new Float64Array(new SharedArrayBuffer(8 * rows)));
  const dates: string[] = [];
  const lines = new Int32Array(rows);
  let row = 0;
  for (const part of parts) {
    transpose(part.values, part.dates.length, values, row);
    for (let r = 0; r < part.dates.length; r += 1, row += 1) {
      dates.push(part.dates[r]!);
      lines[row] = part.lines[r]!;
    }
  }
  return { dates, factors, values, lines };
}

/**
 * How many ranges a large file is cut into: two per thread, so that the thread that starts first (the calling
 * one: a worker needs a moment to start) takes more of them.
 */
function rangesFor(runner: TaskRunner): number {
  return runner.threads <= 1 ? 1 : 2 * runner.threads;
}

/**
 * Parses a large file's ranges on the runner's threads and puts their line numbers in file terms (each range
 * counts from 1). A failure is reported as the first in file order, at its file line. When a range finds a
 * quote or a carriage return, the whole body is parsed instead by the CSV reader, in one task.
 */
async function readRanges<T extends { lines: Int32Array; lineCount: number }>(
  file: string,
  ranges: readonly FileRange[],
  parseRange: (range: FileRange) => Promise<RangeResult<T>>,
  parseText: (chunk: CsvChunk) => Promise<T>,
): Promise<T[]> {
  const whole = () => parseText(splitCsv(readFileBytes(file), 1).chunks[0] ?? emptyChunk(file));
  if (csvParseForced()) return [await whole()];
  const settled = await Promise.allSettled(ranges.map(parseRange));
  const parts: T[] = [];
  let before = 1; // the header line
  for (const outcome of settled) {
    if (outcome.status === "rejected") throw shiftLine(outcome.reason, file, before);
    if (outcome.value.quoted) return [await whole()];
    const part = outcome.value.rows;
    for (let r = 0; r < part.lines.length; r += 1) part.lines[r]! += before;
    before += part.lineCount;
    parts.push(part);
  }
  return parts;
}

function emptyChunk(file: string): CsvChunk {
  return { file, bytes: new Uint8Array(0), start: 0, end: 0, firstLine: 2 };
}

/**
 * Copies `rows` rows of row-major values (`source[r × width + j]`) into columns (`columns[j][first + r]`), a
 * block of rows at a time so that both sides stay in cache.
 */
function transpose(source: Float64Array, rows: number, columns: Float64Array[], first: number): void {
  const width = columns.length;
  const block = 32;
  for (let r0 = 0; r0 < rows; r0 += block) {
    const r1 = Math.min(rows, r0 + block);
    for (let j = 0; j < width; j += 1) {
      const column = columns[j]!;
      for (let r = r0; r < r1; r += 1) column[first + r] = source[r * width + j]!;
    }
  }
}

async function loadPositions(
  file: string,
  runner: TaskRunner,
  instrumentIds: readonly string[],
): Promise<EncodedPositions[]> {
  const { header, ranges } = planRanges(file, file, rangesFor(runner));
  const layout = {
    width: header.length,
    columns: columnIndex(header, ["account", "instrument", "quantity"], file),
    instrumentIds,
  };
  return readRanges(
    file,
    ranges,
    (range) => runner.run({ kind: "positions-range", range, layout }),
    (chunk) => runner.run({ kind: "positions-text", chunk, layout }),
  );
}

/**
 * Reads a what-if trades file: `account,instrument,quantity` rows as positions.csv's (other columns ignored).
 * A quantity that is not a whole number is `MARGIN_INPUT_BAD_QUANTITY` at its line; instruments are checked
 * against the model when the trades are evaluated.
 *
 * @example
 *   const trades = loadTrades("trades.csv"); // [{ account: "CP001-H", instrument: "I00042", quantity: -300, line: 2 }]
 */
export function loadTrades(file: string): Position[] {
  const table = readCsvTable(file);
  const columns = columnIndex(table.header, ["account", "instrument", "quantity"], file);
  const trades: Position[] = [];
  eachRecord(table, file, (record, line) => {
    trades.push({
      account: record[columns.account]!,
      instrument: record[columns.instrument]!,
      quantity: parseInteger(record[columns.quantity]!, file, line, "quantity", "MARGIN_INPUT_BAD_QUANTITY"),
      line,
    });
  });
  return trades;
}

function eachRecord(table: CsvTable, file: string, visit: (record: string[], line: number) => void): void {
  table.records.forEach((record, i) => {
    const line = table.lines[i]!;
    checkWidth(record, table.header.length, file, line);
    visit(record, line);
  });
}

function loadFactors(file: string): FactorSpec[] {
  const table = readCsvTable(file);
  const columns = columnIndex(table.header, ["factor", "kind"], file);
  const holding = table.header.indexOf("holding_period");
  const specs: FactorSpec[] = [];
  eachRecord(table, file, (record, line) => {
    const factor = record[columns.factor]!;
    if (factor === "") {
      throw new MarginInputError("MARGIN_INPUT_BAD_VALUE", `factor is blank`, {
        location: { file, line, column: "factor" },
      });
    }
    const kind = record[columns.kind]!;
    if (!(FACTOR_KINDS as readonly string[]).includes(kind)) {
      throw new MarginInputError(
        "MARGIN_INPUT_BAD_VALUE",
        `kind ${JSON.stringify(kind)} is not one of ${FACTOR_KINDS.join(", ")}`,
        { location: { file, line, column: "kind" } },
      );
    }
    const text = holding < 0 ? "" : record[holding]!;
    const period =
      text === "" ? 2 : parseInteger(text, file, line, "holding_period", "MARGIN_INPUT_BAD_VALUE");
    if (period !== 1 && period !== 2) {
      throw new MarginInputError("MARGIN_INPUT_BAD_VALUE", `holding_period must be 1 or 2, got ${period}`, {
        location: { file, line, column: "holding_period" },
      });
    }
    specs.push({ factor, kind: kind as FactorKind, holdingPeriod: period, line });
  });
  return specs;
}

const OPTION_COLUMNS = ["option_type", "strike", "expiry_days", "vol_factor"] as const;

type OptionColumn = (typeof OPTION_COLUMNS)[number];

function loadInstruments(file: string): Instrument[] {
  const table = readCsvTable(file);
  const columns = columnIndex(table.header, ["instrument", "type", "factor", "multiplier", "currency"], file);
  const optionColumns = Object.fromEntries(
    OPTION_COLUMNS.map((name) => [name, table.header.indexOf(name)]),
  ) as Record<OptionColumn, number>;
  const instruments: Instrument[] = [];
  eachRecord(table, file, (record, line) => {
    const at = (column: string) => ({ location: { file, line, column } });
    const id = record[columns.instrument]!;
    if (id === "")
      throw new MarginInputError("MARGIN_INPUT_BAD_VALUE", `instrument is blank`, at("instrument"));
    const type = record[columns.type]!;
    if (!(INSTRUMENT_TYPES as readonly string[]).includes(type)) {
      throw new MarginInputError(
        "MARGIN_INPUT_BAD_VALUE",
        `type ${JSON.stringify(type)} is not one of ${INSTRUMENT_TYPES.join(", ")}`,
        at("type"),
      );
    }
    const base = {
      instrument: id,
      factor: record[columns.factor]!,
      multiplier: parseNumber(record[columns.multiplier]!, file, line, "multiplier"),
      currency: record[columns.currency]!,
      line,
    };
    const field = (name: OptionColumn): string => {
      const index = optionColumns[name];
      return index < 0 ? "" : record[index]!;
    };
    if ((type as InstrumentType) === "option") {
      instruments.push({ ...base, ...optionFields(field, optionColumns, id, file, line) });
    } else {
      for (const name of OPTION_COLUMNS) {
        if (field(name) !== "") {
          throw new MarginInputError(
            "MARGIN_INPUT_BAD_VALUE",
            `${name} is set on a ${type}; only options have it`,
            at(name),
          );
        }
      }
      instruments.push({ ...base, type: type as Exclude<InstrumentType, "option"> });
    }
  });
  return instruments;
}

/** An option row's own fields: the four option columns must exist, option_type be C or P. */
function optionFields(
  field: (name: OptionColumn) => string,
  optionColumns: Record<OptionColumn, number>,
  id: string,
  file: string,
  line: number,
): Pick<OptionInstrument, "type" | "optionType" | "strike" | "expiryDays" | "volFactor"> {
  for (const name of OPTION_COLUMNS) {
    if (optionColumns[name] < 0) {
      throw new MarginInputError(
        "MARGIN_INPUT_MISSING_COLUMN",
        `missing column ${JSON.stringify(name)}, needed by option ${JSON.stringify(id)}`,
        { location: { file, line: 1 }, details: { missing: name } },
      );
    }
  }
  const optionType = field("option_type");
  if (optionType !== "C" && optionType !== "P") {
    throw new MarginInputError(
      "MARGIN_INPUT_BAD_VALUE",
      `option_type ${JSON.stringify(optionType)} must be C or P`,
      {
        location: { file, line, column: "option_type" },
      },
    );
  }
  return {
    type: "option",
    optionType,
    strike: parseNumber(field("strike"), file, line, "strike"),
    expiryDays: parseInteger(field("expiry_days"), file, line, "expiry_days", "MARGIN_INPUT_BAD_VALUE"),
    volFactor: field("vol_factor"),
  };
}

function loadStress(file: string): StressScenario[] {
  const table = readCsvTable(file);
  if (table.header[0] !== "scenario") {
    throw new MarginInputError(
      "MARGIN_INPUT_MISSING_COLUMN",
      `the first column must be "scenario", found ${JSON.stringify(table.header[0])}`,
      { location: { file, line: 1 } },
    );
  }
  columnIndex(table.header, ["scenario"], file);
  const factors = table.header.slice(1);
  const scenarios: StressScenario[] = [];
  eachRecord(table, file, (record, line) => {
    const name = record[0]!;
    if (name === "") {
      throw new MarginInputError("MARGIN_INPUT_BAD_VALUE", `scenario is blank`, {
        location: { file, line, column: "scenario" },
      });
    }
    const shocks = new Map<string, number>();
    factors.forEach((factor, j) => shocks.set(factor, parseNumber(record[j + 1]!, file, line, factor)));
    scenarios.push({ scenario: name, shocks, line });
  });
  return scenarios;
}

function loadParams(file: string): Partial<MarginParams> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new MarginInputError("MARGIN_INPUT_BAD_JSON", `not valid JSON (${(error as Error).message})`, {
      location: { file },
      cause: error,
    });
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new MarginInputError("MARGIN_INPUT_BAD_PARAM", `must be a JSON object`, { location: { file } });
  }
  const params: Partial<MarginParams> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (!(key in DEFAULT_MARGIN_PARAMS)) {
      throw new MarginInputError(
        "MARGIN_INPUT_BAD_PARAM",
        `unknown parameter ${JSON.stringify(key)} (known: ${Object.keys(DEFAULT_MARGIN_PARAMS).join(", ")})`,
        { location: { file }, details: { param: key } },
      );
    }
    if (typeof value !== "number") {
      throw new MarginInputError(
        "MARGIN_INPUT_BAD_PARAM",
        `${key} must be a number, got ${JSON.stringify(value)}`,
        {
          location: { file },
          details: { param: key },
        },
      );
    }
    params[key as keyof MarginParams] = value;
  }
  return params;
}
