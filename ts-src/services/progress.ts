/**
 * Progress bars for a service run on a terminal (cli-progress); nothing when the output is not a terminal, where the
 * structured logs speak instead.
 */
import cliProgress from "cli-progress";

/** One bar per stage, each counting trades. */
export interface Progress {
  /** Sets a stage's total (creates its bar). */
  start(stage: string, total: number): void;
  /** Sets how many of the stage are done. */
  update(stage: string, done: number): void;
  /** Removes the bars. */
  stop(): void;
}

/** No bars. */
export const noProgress: Progress = { start() {}, update() {}, stop() {} };

/**
 * Bars on `stream` (stderr by default) when it is a terminal; otherwise `noProgress`.
 *
 * @example
 *   const progress = terminalProgress();
 *   progress.start("settled", trades.length);
 *   progress.update("settled", 40);
 *   progress.stop();
 */
export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return noProgress;
  const bars = new cliProgress.MultiBar(
    { stream, format: " {stage} [{bar}] {value}/{total}", hideCursor: true, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
  const byStage = new Map<string, cliProgress.SingleBar>();
  return {
    start(stage, total) {
      const bar = byStage.get(stage);
      if (bar === undefined) byStage.set(stage, bars.create(total, 0, { stage: stage.padEnd(10) }));
      else bar.setTotal(total);
    },
    update(stage, done) {
      byStage.get(stage)?.update(done);
    },
    stop() {
      bars.stop();
    },
  };
}
