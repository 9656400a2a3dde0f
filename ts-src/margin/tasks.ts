/**
 * The units of work a margin run hands to worker threads (or runs in-process): parsing a chunk of
 * market.csv or positions.csv, and the per-account risk loop over a range of accounts. The same function,
 * {@link runTask}, runs them in either place, so a run's result does not depend on the number of threads.
 */
import {
  parseMarketRange,
  parseMarketText,
  parsePositionsRange,
  parsePositionsText,
  type MarketChunk,
  type PositionColumns,
  type PositionsChunk,
  type RangeResult,
} from "./chunks.ts";
import { backtestDays, type BacktestPlan } from "./backtest.ts";
import type { CsvChunk } from "./csv.ts";
import { accountRiskRange, type RiskKernelInput } from "./engine.ts";
import { fillModelRows, type MarketContext, type ModelBuffers } from "./model.ts";
import type { PortfolioBook } from "./portfolio.ts";
import type { FileRange } from "./ranges.ts";

/** Parse the lines of market.csv a byte range owns (line numbers from 1 within the range). */
export type MarketRangeTask = { kind: "market-range"; range: FileRange; header: readonly string[] };

/** Parse market.csv's body with the CSV reader (a file with quotes or carriage returns). */
export type MarketTextTask = { kind: "market-text"; chunk: CsvChunk; header: readonly string[] };

/** Where positions.csv's fields are, and the instrument ids its instruments are encoded against. */
export type PositionsLayout = { width: number; columns: PositionColumns; instrumentIds: readonly string[] };

/** Parse the lines of positions.csv a byte range owns, encoding instruments as indexes. */
export type PositionsRangeTask = { kind: "positions-range"; range: FileRange; layout: PositionsLayout };

/** Parse positions.csv's body with the CSV reader. */
export type PositionsTextTask = { kind: "positions-text"; chunk: CsvChunk; layout: PositionsLayout };

/** Run the account loop over accounts `from … to − 1`, writing into the shared `es` and `nov`. */
export type RiskTask = {
  kind: "risk";
  input: RiskKernelInput;
  from: number;
  to: number;
  es: Float64Array;
  nov: Float64Array;
};

/** Value the instrument rows `from … to − 1` as of market row `asOfRow` into the shared model buffers. */
export type ModelTask = {
  kind: "model";
  context: MarketContext;
  asOfRow: number;
  from: number;
  to: number;
  buffers: ModelBuffers;
};

/** Compute a backtest's IM and NOV for the as-of rows `from … to − 1`, into the shared `im` and `nov`. */
export type BacktestTask = {
  kind: "backtest";
  context: MarketContext;
  book: PortfolioBook;
  plan: BacktestPlan;
  from: number;
  to: number;
  im: Float64Array;
  nov: Float64Array;
};

export type Task =
  | MarketRangeTask
  | MarketTextTask
  | PositionsRangeTask
  | PositionsTextTask
  | RiskTask
  | ModelTask
  | BacktestTask;
export type TaskResult<T extends Task> = T extends MarketRangeTask
  ? RangeResult<MarketChunk>
  : T extends MarketTextTask
    ? MarketChunk
    : T extends PositionsRangeTask
      ? RangeResult<PositionsChunk>
      : T extends PositionsTextTask
        ? PositionsChunk
        : null;

/** Runs one task in the current thread. */
export function runTask<T extends Task>(task: T): TaskResult<T> {
  return runAnyTask(task) as TaskResult<T>;
}

function runAnyTask(task: Task): unknown {
  switch (task.kind) {
    case "market-range":
      return parseMarketRange(task.range, task.header);
    case "market-text":
      return parseMarketText(task.chunk, task.header);
    case "positions-range": {
      const { width, columns, instrumentIds } = task.layout;
      return parsePositionsRange(task.range, width, columns, instrumentIds);
    }
    case "positions-text": {
      const { width, columns, instrumentIds } = task.layout;
      return parsePositionsText(task.chunk, width, columns, instrumentIds);
    }
    case "risk":
      accountRiskRange(task.input, task.from, task.to, task.es, task.nov);
      return null;
    case "model":
      fillModelRows(task.context, task.asOfRow, task.from, task.to, task.buffers);
      return null;
    case "backtest":
      backtestDays(task.context, task.book, task.plan, task.from, task.to, task);
      return null;
  }
}

/**
 * Buffers a result holds (at its top level or one level down) that can be moved, not copied, to the thread
 * that asked for it.
 */
export function transferablesOf(result: unknown, depth = 1): ArrayBuffer[] {
  if (result === null || typeof result !== "object") return [];
  const buffers = new Set<ArrayBuffer>();
  for (const value of Object.values(result)) {
    if (ArrayBuffer.isView(value) && value.buffer instanceof ArrayBuffer) buffers.add(value.buffer);
    else if (depth > 0) for (const buffer of transferablesOf(value, depth - 1)) buffers.add(buffer);
  }
  return [...buffers];
}
