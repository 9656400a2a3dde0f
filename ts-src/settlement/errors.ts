import { ClearchainError, InputError, type SourceLocation } from "../shared/errors.ts";

/** Stable codes of {@link FeedError}: one per kind of bad line in a trade feed. */
export const FEED_ERROR_CODES = [
  "FEED_MISSING_FILE",
  "FEED_BAD_JSON",
  "FEED_MISSING_FIELD",
  "FEED_UNKNOWN_FIELD",
  "FEED_BAD_NUMBER",
  "FEED_BAD_ADDRESS",
  "FEED_BAD_INVESTOR",
  "FEED_ZERO_QUANTITY",
  "FEED_ZERO_PRICE",
  "FEED_AMOUNT_MISMATCH",
  "FEED_SAME_PARTY",
  "FEED_SAME_TOKEN",
  "FEED_DUPLICATE_TRADE",
] as const;

export type FeedErrorCode = (typeof FEED_ERROR_CODES)[number];

/**
 * A bad line in a trade feed (a JSON-lines file of trade reports): the message names the file, the line and the
 * field, the code says which rule it breaks. The service reads the whole feed before it sends anything, so a bad line
 * moves nothing.
 *
 * @example
 *   throw new FeedError("FEED_BAD_NUMBER", `quantity "1.5" is not a whole number`, {
 *     location: { file: "trades.jsonl", line: 7, column: "quantity" },
 *   });
 */
export class FeedError extends InputError<FeedErrorCode> {
  override name = "FeedError";
}

/** Stable codes of {@link SettlementError}. */
export const SETTLEMENT_ERROR_CODES = [
  /** The deployment file is missing, unreadable or incomplete. */
  "SETTLEMENT_BAD_DEPLOYMENT",
  /** No key is available for an account the service must sign for. */
  "SETTLEMENT_NO_KEY",
  /** The chain is not the one the deployment names, or a contract is missing. */
  "SETTLEMENT_WRONG_CHAIN",
  /** An order sent to the exchange simulator is malformed. */
  "SETTLEMENT_BAD_ORDER",
] as const;

export type SettlementErrorCode = (typeof SETTLEMENT_ERROR_CODES)[number];

/** A failure of the settlement service's set-up or input other than a feed line. */
export class SettlementError extends ClearchainError<SettlementErrorCode> {
  override name = "SettlementError";
}

export type { SourceLocation };
