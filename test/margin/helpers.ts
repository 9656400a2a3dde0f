/** Helpers shared by the margin tests. */
import { expect } from "chai";

import type { MarketData } from "../../ts-src/margin/types.ts";

/** Builds market data from dates and factor columns. */
export function marketFrom(dates: string[], columns: Record<string, number[]>): MarketData {
  const factors = Object.keys(columns);
  return { dates, factors, values: factors.map((factor) => Float64Array.from(columns[factor]!)) };
}

/** Asserts |actual − expected| ≤ relative × max(1, |expected|). */
export function closeTo(actual: number, expected: number, relative: number): void {
  expect(actual).to.be.closeTo(expected, relative * Math.max(1, Math.abs(expected)));
}
