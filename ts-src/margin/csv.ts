/**
 * CSV reading for the margin loader: csv-parse, with a verified fast path for text without quotes (see
 * {@link CsvParser}); whole small files, or the body of a large file cut at line boundaries into chunks that
 * worker threads parse in parallel. Every record keeps its file line so that errors can name it.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

import { MarginInputError } from "./errors.ts";

/** csv-parse, loaded on first use: most files never need it (and every thread would pay for loading it). */
let csvParse: typeof import("csv-parse/sync") | undefined;
function csvParser(): typeof import("csv-parse/sync") {
  csvParse ??= createRequire(import.meta.url)("csv-parse/sync") as typeof import("csv-parse/sync");
  return csvParse;
}

/** Records of a CSV text and the file line each one starts on. */
export type CsvRecords = { records: string[][]; lines: number[] };

/** A CSV file whose first line is the header. */
export type CsvTable = CsvRecords & { header: string[] };

/** A file's bytes. */
export type FileBytes = { file: string; bytes: Uint8Array };

/**
 * A body chunk of a file: its own copy of bytes `start … end − 1` (so that it can be posted to a worker thread
 * without the rest of the file), whose first line has number `firstLine`.
 */
export type CsvChunk = { file: string; bytes: Uint8Array; start: number; end: number; firstLine: number };

const NEWLINE = 0x0a;
const QUOTE = 0x22;

/** Reads a whole file; a missing file is `MARGIN_INPUT_MISSING_FILE`. */
export function readFileBytes(path: string, label: string = path): FileBytes {
  try {
    return { file: label, bytes: readFileSync(path) };
  } catch (error) {
    throw new MarginInputError("MARGIN_INPUT_MISSING_FILE", `cannot open the file (${errorCode(error)})`, {
      location: { file: label },
      cause: error,
    });
  }
}

function errorCode(error: unknown): string {
  return error instanceof Error && "code" in error ? String(error.code) : String(error);
}

/**
 * Which parser reads CSV text: `csv-parse` always, or `auto` (the default): csv-parse whenever the text
 * holds a double quote or a carriage return, and otherwise a plain split on newlines and commas. Without
 * quotes, CSV has no escapes and no field spans a line, so the split gives exactly csv-parse's records
 * (a property test checks this on random texts); it is about eight times faster, which matters for the two
 * large files. `CCP_CSV_PARSER=csv-parse` in the environment forces csv-parse everywhere.
 */
export type CsvParser = "auto" | "csv-parse";

const DEFAULT_PARSER: CsvParser = process.env.CCP_CSV_PARSER === "csv-parse" ? "csv-parse" : "auto";

/** Whether `CCP_CSV_PARSER=csv-parse` asks for csv-parse everywhere (the large files read whole, then). */
export function csvParseForced(): boolean {
  return DEFAULT_PARSER === "csv-parse";
}

/**
 * Parses CSV text. Blank lines are skipped; `firstLine` is the file line of the text's first line (line 1
 * may start with a byte-order mark). Malformed CSV (an unclosed quote, …) is `MARGIN_INPUT_BAD_CSV` at its
 * line. Fields are not trimmed unless `trim` is set (the large files' converters trim the few fields that
 * need it).
 */
export function parseCsvText(
  text: string,
  file: string,
  firstLine = 1,
  trim = false,
  parser: CsvParser = DEFAULT_PARSER,
): CsvRecords {
  if (parser === "auto" && !text.includes('"') && !text.includes("\r"))
    return splitPlainCsv(text, firstLine, trim);
  // Without a double quote no record spans two lines, so record i is on line firstLine + i; with one, ask
  // csv-parse for each record's line (slower).
  const quoted = text.includes('"');
  let rows: unknown[];
  try {
    rows = csvParser().parse(text, {
      bom: firstLine === 1,
      relax_column_count: true,
      info: quoted,
    }) as unknown[];
  } catch (error) {
    const line =
      error instanceof csvParser().CsvError && typeof error.lines === "number"
        ? firstLine - 1 + error.lines
        : undefined;
    throw new MarginInputError(
      "MARGIN_INPUT_BAD_CSV",
      `malformed CSV (${error instanceof Error ? error.message : String(error)})`,
      { location: { file, ...(line === undefined ? {} : { line }) }, cause: error },
    );
  }
  const records: string[][] = [];
  const lines: number[] = [];
  for (let i = 0; i < rows.length; i += 1) {
    let record: string[];
    let line: number;
    if (quoted) {
      const row = rows[i] as { record: string[]; info: { lines: number } };
      record = row.record;
      line = firstLine - 1 + row.info.lines;
    } else {
      record = rows[i] as string[];
      line = firstLine + i;
    }
    if (record.length === 1 && record[0]!.trim() === "") continue; // a blank line
    if (trim) for (let j = 0; j < record.length; j += 1) record[j] = record[j]!.trim();
    records.push(record);
    lines.push(line);
  }
  return { records, lines };
}

/** CSV text with no double quote and no carriage return: records are its lines, fields split on commas. */
function splitPlainCsv(text: string, firstLine: number, trim: boolean): CsvRecords {
  const body = firstLine === 1 && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const rows = body.split("\n");
  if (rows[rows.length - 1] === "") rows.pop(); // the newline ending the last line
  const records: string[][] = [];
  const lines: number[] = [];
  for (let i = 0; i < rows.length; i += 1) {
    const row = rows[i]!;
    if (row.trim() === "") continue; // a blank line
    const record = row.split(",");
    if (trim) for (let j = 0; j < record.length; j += 1) record[j] = record[j]!.trim();
    records.push(record);
    lines.push(firstLine + i);
  }
  return { records, lines };
}

/** Decodes bytes as UTF-8. */
export function decodeUtf8(bytes: Uint8Array, start = 0, end = bytes.length): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString("utf8");
}

/**
 * Splits a file into its header (first line, parsed) and up to `parts` body chunks cut after newlines. A
 * file containing a double quote is not cut (a quoted field may hold a newline): it stays one chunk.
 */
export function splitCsv(source: FileBytes, parts: number): { header: string[]; chunks: CsvChunk[] } {
  const { bytes, file } = source;
  const headerEnd = bytes.indexOf(NEWLINE);
  const bodyStart = headerEnd < 0 ? bytes.length : headerEnd + 1;
  const headerRecords = parseCsvText(decodeUtf8(bytes, 0, bodyStart), file, 1, true).records;
  const header = headerRecords[0];
  if (header === undefined || (header.length === 1 && header[0] === "")) {
    throw new MarginInputError(
      "MARGIN_INPUT_BAD_CSV",
      `the file is empty: the first line must be the header`,
      {
        location: { file, line: 1 },
      },
    );
  }
  const bodyLength = bytes.length - bodyStart;
  const cut =
    bytes.indexOf(QUOTE, bodyStart) < 0 ? Math.max(1, Math.min(parts, Math.ceil(bodyLength / 65536))) : 1;
  const chunks: CsvChunk[] = [];
  let start = bodyStart;
  let line = 2;
  for (let part = 1; part <= cut && start < bytes.length; part += 1) {
    let end = part === cut ? bytes.length : bodyStart + Math.floor((bodyLength * part) / cut);
    if (end < bytes.length) {
      const newline = bytes.indexOf(NEWLINE, Math.max(end - 1, start));
      end = newline < 0 ? bytes.length : newline + 1;
    }
    chunks.push({
      file,
      bytes: new Uint8Array(bytes.subarray(start, end)),
      start: 0,
      end: end - start,
      firstLine: line,
    });
    for (let i = bytes.indexOf(NEWLINE, start); i >= 0 && i < end; i = bytes.indexOf(NEWLINE, i + 1))
      line += 1;
    start = end;
  }
  return { header, chunks };
}

/** Parses one chunk (in whichever thread runs it). */
export function parseChunk(chunk: CsvChunk, trim = false): CsvRecords {
  return parseCsvText(decodeUtf8(chunk.bytes, chunk.start, chunk.end), chunk.file, chunk.firstLine, trim);
}

/** Parses a whole (small) file: header and records. */
export function readCsvTable(path: string, label: string = path): CsvTable {
  const { header, chunks } = splitCsv(readFileBytes(path, label), 1);
  const body = chunks.map((chunk) => parseChunk(chunk, true));
  return {
    header,
    records: body.flatMap((part) => part.records),
    lines: body.flatMap((part) => part.lines),
  };
}

/**
 * Maps required column names to their indexes. A missing column is `MARGIN_INPUT_MISSING_COLUMN`, a name
 * used twice `MARGIN_INPUT_DUPLICATE`.
 */
export function columnIndex<const Name extends string>(
  header: readonly string[],
  required: readonly Name[],
  file: string,
): Record<Name, number> {
  const seen = new Map<string, number>();
  header.forEach((name, index) => {
    if (seen.has(name)) {
      throw new MarginInputError("MARGIN_INPUT_DUPLICATE", `column ${JSON.stringify(name)} appears twice`, {
        location: { file, line: 1, column: name },
      });
    }
    seen.set(name, index);
  });
  const index = {} as Record<Name, number>;
  for (const name of required) {
    const at = seen.get(name);
    if (at === undefined) {
      throw new MarginInputError(
        "MARGIN_INPUT_MISSING_COLUMN",
        `missing column ${JSON.stringify(name)} (the header has: ${header.join(",")})`,
        { location: { file, line: 1 }, details: { missing: name } },
      );
    }
    index[name] = at;
  }
  return index;
}

/** Checks that a record has as many fields as the header. */
export function checkWidth(record: readonly string[], width: number, file: string, line: number): void {
  if (record.length !== width) {
    throw new MarginInputError(
      "MARGIN_INPUT_BAD_CSV",
      `the row has ${record.length} fields but the header has ${width}`,
      { location: { file, line } },
    );
  }
}

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;

/** A finite decimal number; anything else (blank, `abc`, `0x10`, `1e999`) is `MARGIN_INPUT_BAD_NUMBER`. */
export function parseNumber(raw: string, file: string, line: number, column: string): number {
  const text = raw.trim();
  const value = DECIMAL.test(text) ? Number(text) : Number.NaN;
  if (!Number.isFinite(value)) {
    throw new MarginInputError(
      "MARGIN_INPUT_BAD_NUMBER",
      text === ""
        ? `the value is blank; a number is needed`
        : `${JSON.stringify(text)} is not a finite number`,
      { location: { file, line, column }, details: { value: text } },
    );
  }
  return value;
}

/** A whole number with |n| < 2^53, or the given error code. */
export function parseInteger(
  raw: string,
  file: string,
  line: number,
  column: string,
  code: "MARGIN_INPUT_BAD_QUANTITY" | "MARGIN_INPUT_BAD_VALUE",
): number {
  const text = raw.trim();
  const value = INTEGER.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value)) {
    throw new MarginInputError(
      code,
      `${JSON.stringify(text)} is not a whole number${text === "" ? " (blank)" : ""}`,
      { location: { file, line, column }, details: { value: text } },
    );
  }
  return value;
}
