/**
 * Reading a large CSV file in parallel without holding it in memory: the file's body is cut into byte ranges,
 * one per task, and each task reads its range in blocks of whole lines through one small reusable buffer.
 * A range owns the lines that start inside it (the first range also owns the line at the body's start); a
 * task skips the partial line its range starts in and reads on past its end to finish its last line, so every
 * line is read by exactly one task. Line numbers inside a range count from 1; the loader adds the lines of the
 * ranges before it once their counts are known.
 *
 * Reading in blocks keeps the memory a run touches small, which matters: every fresh page of memory costs a
 * page fault, and on a virtual machine a page fault can cost more than parsing the page's text.
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";

import { decodeUtf8, parseCsvText } from "./csv.ts";
import { MarginInputError } from "./errors.ts";

/** Lines starting in bytes `from … to − 1` of a file whose body (after the header line) starts at `bodyStart`. */
export type FileRange = { path: string; file: string; from: number; to: number; bodyStart: number };

/** A file's header (its first line, parsed) and its body cut into ranges. */
export type RangePlan = { header: string[]; ranges: FileRange[] };

const NEWLINE = 0x0a;
const QUOTE = 0x22;
const RETURN = 0x0d;
const BLOCK = 1 << 20;
/** A range smaller than this is not cut further (a task's set-up costs more than its parsing). */
const MIN_RANGE = 1 << 18;

/** Opens a file; a missing one is `MARGIN_INPUT_MISSING_FILE`. */
function open(path: string, file: string): number {
  try {
    return openSync(path, "r");
  } catch (error) {
    const code = error instanceof Error && "code" in error ? String(error.code) : String(error);
    throw new MarginInputError("MARGIN_INPUT_MISSING_FILE", `cannot open the file (${code})`, {
      location: { file },
      cause: error,
    });
  }
}

/** Reads the header line and cuts the body into up to `parts` ranges of about equal size. */
export function planRanges(path: string, file: string, parts: number): RangePlan {
  const fd = open(path, file);
  try {
    const size = fstatSync(fd).size;
    let buffer = Buffer.allocUnsafe(Math.min(size, 1 << 16));
    let filled = readSync(fd, buffer, 0, buffer.length, 0);
    let newline = buffer.subarray(0, filled).indexOf(NEWLINE);
    while (newline < 0 && filled < size) {
      const grown = Buffer.allocUnsafe(Math.min(size, buffer.length * 2));
      buffer.copy(grown, 0, 0, filled);
      buffer = grown;
      filled += readSync(fd, buffer, filled, buffer.length - filled, filled);
      newline = buffer.subarray(0, filled).indexOf(NEWLINE);
    }
    const bodyStart = newline < 0 ? filled : newline + 1;
    const header = parseCsvText(decodeUtf8(buffer, 0, bodyStart), file, 1, true).records[0];
    if (header === undefined || (header.length === 1 && header[0] === "")) {
      throw new MarginInputError(
        "MARGIN_INPUT_BAD_CSV",
        `the file is empty: the first line must be the header`,
        {
          location: { file, line: 1 },
        },
      );
    }
    const body = size - bodyStart;
    const count = Math.max(1, Math.min(parts, Math.floor(body / MIN_RANGE)));
    const ranges: FileRange[] = [];
    for (let i = 0; i < count; i += 1) {
      const from = bodyStart + Math.floor((body * i) / count);
      const to = i === count - 1 ? size : bodyStart + Math.floor((body * (i + 1)) / count);
      ranges.push({ path, file, from, to, bodyStart });
    }
    return { header, ranges };
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads the lines a range owns, handing them to `visit` in blocks of whole lines (`bytes[start … end − 1]`,
 * each line ending with a newline except perhaps the file's last). Returns false, having stopped, when a block
 * holds a double quote or a carriage return: such a file is left to the CSV reader as a whole.
 */
export function readLineBlocks(
  range: FileRange,
  visit: (bytes: Uint8Array, start: number, end: number) => void,
): boolean {
  const fd = open(range.path, range.file);
  try {
    const size = fstatSync(fd).size;
    // When the range starts after the body's start, read from the byte before it: a line starts at `from`
    // exactly when that byte is a newline.
    const first = range.from > range.bodyStart ? range.from - 1 : range.from;
    let buffer: Buffer = Buffer.allocUnsafe(Math.min(BLOCK, Math.max(1, range.to - first + 1)));
    let position = first; // file offset of buffer[0]
    let filled = 0;
    let start = range.from > range.bodyStart ? -1 : 0; // the next line to hand over (−1: not found yet)
    for (;;) {
      if (filled === buffer.length) buffer = grow(buffer); // a line longer than the buffer
      const read = readSync(fd, buffer, filled, buffer.length - filled, position + filled);
      filled += read;
      const atEnd = read === 0 || position + filled >= size;
      if (start < 0) {
        const newline = buffer.subarray(0, filled).indexOf(NEWLINE);
        if (newline < 0) {
          if (atEnd) return true;
          position += filled;
          filled = 0;
          continue;
        }
        start = newline + 1;
      }
      if (position + start >= range.to) return true; // no line starts in the range (or none is left)
      // Hand over whole lines, up to the end of the line holding the range's last byte.
      const lastOwned = range.to - 1 - position; // buffer index of the range's last byte
      const stop =
        lastOwned < filled ? buffer.subarray(0, filled).indexOf(NEWLINE, Math.max(start, lastOwned)) : -1;
      const end = stop >= 0 ? stop + 1 : atEnd ? filled : buffer.subarray(0, filled).lastIndexOf(NEWLINE) + 1;
      if (end > start) {
        if (!plainText(buffer, start, end)) return false;
        visit(buffer, start, end);
      }
      if (stop >= 0 || atEnd) return true;
      // Keep the unfinished line: move it to the buffer's start.
      const keep = Math.max(start, end);
      buffer.copyWithin(0, keep, filled);
      position += keep;
      filled -= keep;
      start = 0;
    }
  } finally {
    closeSync(fd);
  }
}

/** A buffer twice as large holding the same bytes. */
function grow(buffer: Buffer): Buffer {
  const grown = Buffer.allocUnsafe(buffer.length * 2);
  buffer.copy(grown);
  return grown;
}

function plainText(bytes: Uint8Array, start: number, end: number): boolean {
  const window = bytes.subarray(start, end);
  return window.indexOf(QUOTE) < 0 && window.indexOf(RETURN) < 0;
}
