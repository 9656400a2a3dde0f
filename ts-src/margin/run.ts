/**
 * A whole margin run over an input folder: load (large files parsed in parallel), validate and build the
 * scenarios, then the account loop split across the threads, then IM. The result is the same for any number
 * of threads.
 */
import { accountRiskRange, assembleReport, buildMarketModel, kernelInput, withBook } from "./engine.ts";
import { startMarginLoad } from "./loader.ts";
import { createTaskRunner, defaultThreads } from "./pool.ts";
import type { MarginReport } from "./types.ts";

export type RunMarginOptions = {
  /** Threads to use (default: the machine's available parallelism, at most 8). */
  threads?: number;
  /** Called as each phase ends ("market", "positions", "risk", "report"), e.g. to time them. */
  onPhase?: (phase: "market" | "positions" | "risk" | "report") => void;
};

/**
 * @example
 *   const report = await runMarginFolder("data/examples/margin");
 *   console.log(report.accounts.map((a) => `${a.account} ${a.im}`));
 */
export async function runMarginFolder(folder: string, options: RunMarginOptions = {}): Promise<MarginReport> {
  const runner = createTaskRunner(options.threads ?? defaultThreads());
  try {
    // The market model is built in this thread as soon as market.csv is parsed, while the worker threads
    // are still parsing positions.csv.
    const pending = startMarginLoad(folder, runner);
    const market = buildMarketModel({ ...pending, market: await pending.market });
    options.onPhase?.("market");
    const prepared = withBook(market, await pending.positions);
    options.onPhase?.("positions");
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
  } finally {
    await runner.close();
  }
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
