/**
 * Whole runs over an input folder, on threads: load (the large files parsed in parallel), validate and build
 * the scenarios, then the work split across the threads: the account loop of a margin run, the days of a
 * backtest. The results are the same for any number of threads.
 */
import {
  actualLosses,
  planBacktest,
  summarizeBacktest,
  type BacktestObservations,
  type BacktestReport,
} from "./backtest.ts";
import { accountRiskRange, assembleReport, kernelInput, type PreparedMargin } from "./engine.ts";
import { startMarginLoad } from "./loader.ts";
import {
  checkFactorHistory,
  fillModelRows,
  marketContext,
  scenarioCount,
  scenarioModel,
  sharedModelBuffers,
  splitRowsByCost,
  type MarketModel,
} from "./model.ts";
import { createTaskRunner, type TaskRunner } from "./pool.ts";
import { buildBook } from "./portfolio.ts";
import { defaultThreads } from "./threads.ts";
import type { MarginReport } from "./types.ts";

/**
 * The phases a run reports as they end: market.csv read and the small files; positions.csv read; the book
 * netted; the scenario model built; the account loop (or a backtest's days); the report assembled. With more
 * than one thread the phases overlap: the reading of positions.csv and the model with the phases before them.
 */
export type RunPhase = "market.csv" | "positions.csv" | "book" | "model" | "risk" | "report";

export type RunMarginOptions = {
  /** Threads to use (default: the machine's available parallelism, at most 8). */
  threads?: number;
  /** Called as each phase ends, e.g. to time them. */
  onPhase?: (phase: RunPhase) => void;
};

/** Runs `work` with a task runner on the asked number of threads, closing the threads afterwards. */
async function withRunner<T>(
  options: RunMarginOptions,
  work: (runner: TaskRunner) => Promise<T>,
): Promise<T> {
  const runner = createTaskRunner(options.threads ?? defaultThreads());
  try {
    return await work(runner);
  } finally {
    await runner.close();
  }
}

/**
 * Loads a folder and builds its market model and its book. The model is built as soon as market.csv is in,
 * its instrument rows split across the threads; this thread nets the book meanwhile, once positions.csv is in.
 */
async function prepareWith(
  folder: string,
  runner: TaskRunner,
  options: RunMarginOptions,
): Promise<PreparedMargin> {
  const pending = startMarginLoad(folder, runner);
  const marketData = await pending.market;
  options.onPhase?.("market.csv");
  const context = marketContext({ ...pending, market: marketData });
  const asOfRow = context.market.dates.length - 1;
  const buffers = sharedModelBuffers(context.instruments.length, scenarioCount(context));
  let filled: Promise<unknown> = Promise.resolve();
  if (runner.threads <= 1) fillModelRows(context, asOfRow, 0, context.instruments.length, buffers);
  else {
    // The factors' history is checked here first, so that a bad value is reported as one thread would.
    checkFactorHistory(context, asOfRow);
    const parts = splitRowsByCost(context.instruments, runner.threads * 2);
    filled = Promise.all(
      parts.map(([from, to]) => runner.run({ kind: "model", context, asOfRow, from, to, buffers })),
    );
    filled.catch(() => undefined); // awaited below, after the book
  }
  const positions = await pending.positions;
  options.onPhase?.("positions.csv");
  const book = buildBook(context.rows, positions, context.files.positions);
  options.onPhase?.("book");
  await filled;
  const model = scenarioModel(context, asOfRow, buffers);
  options.onPhase?.("model");
  const market: MarketModel = {
    model,
    params: context.params,
    files: context.files,
    rows: context.rows,
    context,
  };
  return { market, model, book, params: context.params };
}

/**
 * Loads and validates a folder and builds everything a margin run needs, without running the account loop:
 * what `explainAccount` and `createWhatIf` start from.
 *
 * @example
 *   const prepared = await prepareMarginFolder("data/examples/margin");
 *   explainAccount(prepared, "CP001-H").positions; // each position's part of ES
 */
export async function prepareMarginFolder(
  folder: string,
  options: RunMarginOptions = {},
): Promise<PreparedMargin> {
  return withRunner(options, (runner) => prepareWith(folder, runner, options));
}

/**
 * The initial margin of every account of a folder.
 *
 * @example
 *   const report = await runMarginFolder("data/examples/margin");
 *   console.log(report.accounts.map((a) => `${a.account} ${a.im}`));
 */
export async function runMarginFolder(folder: string, options: RunMarginOptions = {}): Promise<MarginReport> {
  return withRunner(options, async (runner) => {
    const prepared = await prepareWith(folder, runner, options);
    const count = prepared.book.accounts.length;
    const es = new Float64Array(new SharedArrayBuffer(8 * count));
    const nov = new Float64Array(new SharedArrayBuffer(8 * count));
    const kernel = kernelInput(prepared.model, prepared.book);
    if (runner.threads <= 1) {
      accountRiskRange(kernel, 0, count, es, nov);
    } else {
      const ranges = splitByWork(prepared.book.offsets, runner.threads * 4);
      await Promise.all(
        ranges.map(([from, to]) => runner.run({ kind: "risk", input: kernel, from, to, es, nov })),
      );
    }
    options.onPhase?.("risk");
    const report = assembleReport(prepared, es, nov);
    options.onPhase?.("report");
    return report;
  });
}

/**
 * Backtests a folder's margin over its last `days` market days (see backtest.ts), the days split across the
 * threads.
 *
 * @example
 *   const report = await runBacktestFolder("data/examples/margin", { days: 40 });
 *   report.total.zone; // "green", "amber" or "red"
 */
export async function runBacktestFolder(
  folder: string,
  options: RunMarginOptions & { days: number },
): Promise<BacktestReport> {
  return withRunner(options, async (runner) => {
    const { market, book } = await prepareWith(folder, runner, options);
    const { context } = market;
    const plan = planBacktest(context, book, options.days);
    const size = book.accounts.length * plan.days;
    const observations: BacktestObservations = {
      im: new Float64Array(new SharedArrayBuffer(8 * size)),
      nov: new Float64Array(new SharedArrayBuffer(8 * size)),
      loss: new Float64Array(size),
    };
    const rows = plan.lastAsOf - plan.firstAsOf + 1;
    const parts = Math.min(rows, runner.threads <= 1 ? 1 : runner.threads * 3);
    const tasks = Array.from({ length: parts }, (_, i) => {
      const from = plan.firstAsOf + Math.floor((rows * i) / parts);
      const to = plan.firstAsOf + Math.floor((rows * (i + 1)) / parts);
      return runner.run({
        kind: "backtest",
        context,
        book,
        plan,
        from,
        to,
        im: observations.im,
        nov: observations.nov,
      });
    });
    actualLosses(context, book, plan, observations.loss);
    await Promise.all(tasks);
    options.onPhase?.("risk");
    const report = summarizeBacktest(context, book, plan, observations);
    options.onPhase?.("report");
    return report;
  });
}

/** Cuts accounts into about `parts` contiguous ranges holding similar numbers of positions. */
export function splitByWork(offsets: Int32Array, parts: number): [number, number][] {
  const accounts = offsets.length - 1;
  const total = offsets[accounts]! + accounts; // + accounts: every account costs a pass over its scenarios
  const ranges: [number, number][] = [];
  let from = 0;
  for (let part = 1; part <= parts && from < accounts; part += 1) {
    const target = (total * part) / parts;
    let to = from + 1;
    while (to < accounts && offsets[to]! + to < target) to += 1;
    if (part === parts) to = accounts;
    ranges.push([from, to]);
    from = to;
  }
  return ranges;
}
