/** Helpers shared by the margin tests. */
import { expect } from "chai";

import { MarginInputError } from "../../ts-src/margin/errors.ts";
import type { MarketData } from "../../ts-src/margin/types.ts";

/** Builds market data from dates and factor columns. */
export function marketFrom(dates: string[], columns: Record<string, number[]>): MarketData {
  const factors = Object.keys(columns);
  return { dates, factors, values: factors.map((factor) => Float64Array.from(columns[factor]!)) };
}

/**
 * Asserts |actual − expected| ≤ relative × max(1, |expected|).
 *
 * Written out rather than chai's `closeTo`: once any test file has opened a Hardhat network connection, Hardhat's
 * ethers chai matchers replace `closeTo` with an integer-only (bigint) version for the rest of the run.
 */
export function closeTo(actual: number, expected: number, relative: number): void {
  const tolerance = relative * Math.max(1, Math.abs(expected));
  const difference = Math.abs(actual - expected);
  expect(
    Number.isFinite(actual) && difference <= tolerance,
    `expected ${actual} to be within ${tolerance} of ${expected} (off by ${difference})`,
  ).to.equal(true);
}

/** The MarginInputError `action` throws (any other outcome fails the test). */
export function marginErrorOf(action: () => unknown): MarginInputError {
  try {
    action();
  } catch (error) {
    if (error instanceof MarginInputError) return error;
    throw error;
  }
  throw new Error("expected a MarginInputError");
}
