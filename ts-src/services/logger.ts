/**
 * Structured logs for the services: pino, one JSON object per line (level, time, service, message and the event's
 * fields), to stdout or a file. Quiet by default on a terminal, where the progress bars speak.
 */
import { pino } from "pino";

/** The services' logger (pino's). */
export type Logger = pino.Logger;

/** Where and how much to log. */
export interface LoggerOptions {
  /** The service's name, on every line. */
  readonly name: string;
  /** pino's levels: `trace` … `fatal`, or `silent`. Default `info`. */
  readonly level?: string;
  /** A file descriptor (1: stdout, 2: stderr) or a path; default stdout. */
  readonly destination?: number | string;
}

/**
 * A logger writing JSON lines synchronously (so that nothing is lost when the process is killed).
 *
 * @example
 *   const log = createLogger({ name: "settlement", level: "info", destination: 2 });
 *   log.info({ tradeNumber: "20261201000001", short: "5000000" }, "buyer notified of a shortfall");
 */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    { name: options.name, level: options.level ?? "info", base: { service: options.name } },
    pino.destination({ dest: options.destination ?? 1, sync: true }),
  );
}

/** A logger that writes nothing (tests, benchmarks). */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
