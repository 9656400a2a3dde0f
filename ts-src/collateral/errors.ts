import { ClearchainError } from "../shared/errors.ts";

/**
 * Why a collateral valuation could not be made. The codes match the escrow's refusals:
 * `COLLATERAL_STALE_PRICE` (the contract's `PriceBoardStalePrice`), `COLLATERAL_STALE_FX_RATE`
 * (`PriceBoardStaleFxRate`), `COLLATERAL_UNKNOWN_ASSET` (`CollateralScheduleUnknownAsset`),
 * `COLLATERAL_UNKNOWN_CURRENCY` (`CollateralScheduleUnknownCurrency`); `COLLATERAL_OUT_OF_BOUNDS` is an input
 * outside the bounds the escrow guarantees exact (a quantity of 2^128 or more, a price of 2^96 or more, …), and
 * `COLLATERAL_BAD_DECIMAL` a price or rate text that is not a decimal number with at most 8 decimals.
 */
export type CollateralErrorCode =
  | "COLLATERAL_STALE_PRICE"
  | "COLLATERAL_STALE_FX_RATE"
  | "COLLATERAL_UNKNOWN_ASSET"
  | "COLLATERAL_UNKNOWN_CURRENCY"
  | "COLLATERAL_OUT_OF_BOUNDS"
  | "COLLATERAL_BAD_DECIMAL";

/**
 * A valuation that cannot be made; `details` carries the asset or currency and the numbers.
 *
 * @example
 *   try {
 *     valueAccount(input);
 *   } catch (error) {
 *     if (error instanceof CollateralError && error.code === "COLLATERAL_STALE_PRICE") {
 *       error.details; // { asset: "0x…", time: 1796140000n, maxAge: 86400n, now: 1796230000n }
 *     }
 *   }
 */
export class CollateralError extends ClearchainError<CollateralErrorCode> {
  override name = "CollateralError";
  constructor(code: CollateralErrorCode, message: string, details: Record<string, unknown>) {
    super(code, message, { details });
  }
}
