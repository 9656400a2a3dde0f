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

/** Commander option parser for an on-chain ID (a whole number ≥ 1 of at most 20 digits), kept as text. */
export function idText(text: string): string {
  if (!/^[1-9]\d{0,19}$/.test(text)) {
    throw new InvalidArgumentError(`expected an ID (a whole number ≥ 1), got ${JSON.stringify(text)}`);
  }
  return text;
}

/** Commander parser for a `SYMBOL=bps` pair (repeatable), e.g. `--carry CUSD=50`. */
export function symbolBps(value: string, previous: Record<string, number>): Record<string, number> {
  const match = /^([A-Za-z0-9]{1,16})=(\d{1,5})$/.exec(value);
  if (match === null)
    throw new InvalidArgumentError(`expected SYMBOL=basis-points, got ${JSON.stringify(value)}`);
  return { ...previous, [match[1]!]: Number(match[2]) };
}

/** Commander parser for basis points 0–100,000. */
export function basisPoints(text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value > 100_000) {
    throw new InvalidArgumentError(
      `expected basis points (a whole number 0–100000), got ${JSON.stringify(text)}`,
    );
  }
  return value;
}
