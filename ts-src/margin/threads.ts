/** How many threads a run uses by default (a module of its own: the command line's help reads it cheaply). */
import { availableParallelism } from "node:os";

/** The default thread count: the machine's available parallelism, at most 8. */
export function defaultThreads(): number {
  return Math.max(1, Math.min(8, availableParallelism()));
}
