/** Where the ccp commands write, and option parsers shared by them. */
import { InvalidArgumentError } from "commander";

/** The command's output sink (stdout in the CLI, a buffer in tests). */
export type Output = { out(text: string): void };

/** Commander option parser for an integer ≥ 1. */
export function positiveInteger(text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < 1) {
    throw new InvalidArgumentError(`expected a whole number ≥ 1, got ${JSON.stringify(text)}`);
  }
  return value;
}
