import type { CostModel } from "../../ts-src/collateral/allocation.ts";
import {
  type Market,
  PRICE_ONE,
  type ScheduledAsset,
  fixedPoint,
  marketOf,
} from "../../ts-src/collateral/valuation.ts";
import { parseDecimal } from "../../ts-src/shared/fraction.ts";

/**
 * A collateral market for the allocation's tests, with the escrow fixture's schedule: the yen coin at par, no haircut;
 * the dollar coin at par, 3%; a JGB (face ¥1,000,000 a unit) at 99.85, 2%; a US Treasury (face $1,000 a unit) at
 * 98.50, 5%, counted for at most 50% of an account; USD/JPY 150.00. And a holder's cost model: a 30-day horizon, the
 * trust rate at −0.1% (JSCC's example period, March 2024), a carry of 50 bp a year on the dollar coin.
 */

export const NOW = 1_800_000_000n;
export const DAY = 86_400n;

export const YEN_COIN = "0x00000000000000000000000000000000000000a1";
export const DOLLAR_COIN = "0x00000000000000000000000000000000000000a2";
export const JGB = "0x00000000000000000000000000000000000000a3";
export const UST = "0x00000000000000000000000000000000000000a4";
export const ASSETS = [YEN_COIN, DOLLAR_COIN, JGB, UST] as const;

export const YEN_COIN_TERMS: ScheduledAsset = {
  listed: true,
  decimals: 0,
  currency: "JPY",
  haircutBps: 0,
  concentrationLimitBps: 10_000,
  pricedAtPar: true,
  maxPriceAge: 0n,
  price: 0n,
  priceTime: 0n,
};
export const DOLLAR_COIN_TERMS: ScheduledAsset = {
  ...YEN_COIN_TERMS,
  decimals: 2,
  currency: "USD",
  haircutBps: 300,
};
export const JGB_TERMS: ScheduledAsset = {
  ...YEN_COIN_TERMS,
  haircutBps: 200,
  pricedAtPar: false,
  maxPriceAge: DAY,
  price: 998_500n * PRICE_ONE,
  priceTime: NOW - 60n,
};
export const UST_TERMS: ScheduledAsset = {
  ...JGB_TERMS,
  currency: "USD",
  haircutBps: 500,
  concentrationLimitBps: 5_000,
  price: 985n * PRICE_ONE,
};

/** The fixture's market, with any asset's terms replaced. */
export function allocationMarket(
  overrides: { assets?: Record<string, ScheduledAsset>; usdJpy?: string } = {},
): Market {
  return marketOf({
    assets: Object.entries({
      [YEN_COIN]: YEN_COIN_TERMS,
      [DOLLAR_COIN]: DOLLAR_COIN_TERMS,
      [JGB]: JGB_TERMS,
      [UST]: UST_TERMS,
      ...overrides.assets,
    }),
    fxRates: [["USD", { rate: fixedPoint(overrides.usdJpy ?? "150"), time: NOW - 60n, maxAge: DAY }]],
    now: NOW,
  });
}

/** The fixture's cost model. */
export function allocationCosts(
  overrides: { trustRate?: string; horizonDays?: number; carryBps?: Partial<Record<string, number>> } = {},
): CostModel {
  const carry = overrides.carryBps ?? {};
  return {
    horizonDays: overrides.horizonDays ?? 30,
    trustRate: parseDecimal(overrides.trustRate ?? "-0.001")!,
    assets: new Map([
      [YEN_COIN, { feeClass: "yen-cash", faceValue: 0n, carryBps: carry[YEN_COIN] ?? 0 }],
      [DOLLAR_COIN, { feeClass: "cash", faceValue: 0n, carryBps: carry[DOLLAR_COIN] ?? 50 }],
      [JGB, { feeClass: "jgb", faceValue: 1_000_000n, carryBps: carry[JGB] ?? 0 }],
      [UST, { feeClass: "ust", faceValue: 100_000n, carryBps: carry[UST] ?? 0 }],
    ]),
  };
}
