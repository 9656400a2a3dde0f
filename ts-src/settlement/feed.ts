/**
 * The trade feed: one trade report per line, as JSON (JSON lines), the way the exchange node hands matched trades to
 * the settlement service. Every integer is a decimal string (money never passes through a float):
 *
 *   {"tradeNumber":"20261201000001","security":"0x…","stablecoin":"0x…",
 *    "seller":{"investor":"JP-INV-0001","wallet":"0x…"},"buyer":{"investor":"JP-INV-0002","wallet":"0x…"},
 *    "quantity":"10","price":"990000","amount":"9900000","deadline":"1796140800"}
 *
 * Blank lines are skipped. A bad line is a {@link FeedError} naming the file, the line and the field.
 */
import { readFileSync } from "node:fs";

import { FeedError, type FeedErrorCode } from "./errors.ts";
import { investorIdOf } from "./ids.ts";
import type { Address, TradeParty, TradeTerms } from "./types.ts";

const FIELDS = [
  "tradeNumber",
  "security",
  "stablecoin",
  "seller",
  "buyer",
  "quantity",
  "price",
  "amount",
  "deadline",
] as const;
const PARTY_FIELDS = ["investor", "wallet"] as const;
const MAX_UINT64 = (1n << 64n) - 1n;
const MAX_UINT256 = (1n << 256n) - 1n;

/**
 * Parses a whole feed, checking every line before returning any: a trade number appears once.
 *
 * @throws {FeedError} on the first bad line.
 * @example
 *   const trades = parseFeed(readFileSync("trades.jsonl", "utf8"), "trades.jsonl");
 */
export function parseFeed(text: string, file: string): TradeTerms[] {
  const trades: TradeTerms[] = [];
  const seen = new Map<bigint, number>();
  const lines = text.split(/\r?\n/);
  for (const [index, line] of lines.entries()) {
    if (line.trim() === "") continue;
    const lineNumber = index + 1;
    const trade = parseFeedLine(line, { file, line: lineNumber });
    const earlier = seen.get(trade.tradeNumber);
    if (earlier !== undefined) {
      throw new FeedError(
        "FEED_DUPLICATE_TRADE",
        `trade number ${trade.tradeNumber} already appears on line ${earlier}`,
        { location: { file, line: lineNumber, column: "tradeNumber" } },
      );
    }
    seen.set(trade.tradeNumber, lineNumber);
    trades.push(trade);
  }
  return trades;
}

/**
 * Reads and parses a feed file.
 *
 * @throws {FeedError} `FEED_MISSING_FILE` when the file cannot be read, or the first bad line.
 */
export function readFeed(path: string): TradeTerms[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    throw new FeedError(
      "FEED_MISSING_FILE",
      `cannot read the feed (${(cause as NodeJS.ErrnoException).code})`,
      {
        location: { file: path },
        cause,
      },
    );
  }
  return parseFeed(text, path);
}

/** One trade report as a feed line (no newline). */
export function formatFeedLine(trade: TradeTerms): string {
  return JSON.stringify({
    tradeNumber: trade.tradeNumber.toString(),
    security: trade.security,
    stablecoin: trade.stablecoin,
    seller: { investor: trade.seller.investor, wallet: trade.seller.wallet },
    buyer: { investor: trade.buyer.investor, wallet: trade.buyer.wallet },
    quantity: trade.quantity.toString(),
    price: trade.price.toString(),
    amount: trade.amount.toString(),
    deadline: trade.deadline.toString(),
  });
}

/** Parses one line; `where` locates it. */
export function parseFeedLine(line: string, where: { file: string; line: number }): TradeTerms {
  const fail = (code: FeedErrorCode, problem: string, column?: string): FeedError =>
    new FeedError(code, problem, { location: { ...where, ...(column === undefined ? {} : { column }) } });
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (cause) {
    throw fail("FEED_BAD_JSON", `not valid JSON (${(cause as Error).message})`);
  }
  const record = objectOf(value, FIELDS, "", fail);
  const integer = (field: string, max: bigint): bigint => {
    const text = record[field];
    if (typeof text !== "string" || !/^(0|[1-9][0-9]*)$/.test(text)) {
      throw fail(
        "FEED_BAD_NUMBER",
        `${field} must be a whole number written as a decimal string, got ${JSON.stringify(text)}`,
        field,
      );
    }
    const number = BigInt(text);
    if (number > max) throw fail("FEED_BAD_NUMBER", `${field} ${text} is too large`, field);
    return number;
  };
  const address = (field: string, text: unknown): Address => {
    if (typeof text !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(text) || /^0x0{40}$/.test(text)) {
      throw fail(
        "FEED_BAD_ADDRESS",
        `${field} must be a non-zero 20-byte hex address, got ${JSON.stringify(text)}`,
        field,
      );
    }
    return text.toLowerCase() as Address;
  };
  const party = (field: "seller" | "buyer"): TradeParty => {
    const side = objectOf(record[field], PARTY_FIELDS, `${field}.`, fail);
    const investor = side.investor;
    if (typeof investor !== "string")
      throw fail("FEED_BAD_INVESTOR", `${field}.investor must be a string`, `${field}.investor`);
    try {
      investorIdOf(investor);
    } catch (cause) {
      throw new FeedError("FEED_BAD_INVESTOR", `${field}.investor: ${(cause as Error).message}`, {
        location: { ...where, column: `${field}.investor` },
        cause,
      });
    }
    return { investor, wallet: address(`${field}.wallet`, side.wallet) };
  };

  const tradeNumber = integer("tradeNumber", MAX_UINT256);
  if (tradeNumber === 0n) throw fail("FEED_BAD_NUMBER", "tradeNumber must be positive", "tradeNumber");
  const security = address("security", record.security);
  const stablecoin = address("stablecoin", record.stablecoin);
  if (security === stablecoin)
    throw fail("FEED_SAME_TOKEN", "security and stablecoin are the same token", "stablecoin");
  const seller = party("seller");
  const buyer = party("buyer");
  if (seller.wallet === buyer.wallet)
    throw fail("FEED_SAME_PARTY", "seller and buyer are the same wallet", "buyer.wallet");
  const quantity = integer("quantity", MAX_UINT256);
  const price = integer("price", MAX_UINT256);
  const amount = integer("amount", MAX_UINT256);
  if (quantity === 0n) throw fail("FEED_ZERO_QUANTITY", "quantity must be positive", "quantity");
  if (price === 0n) throw fail("FEED_ZERO_PRICE", "price must be positive", "price");
  if (quantity * price !== amount) {
    throw fail(
      "FEED_AMOUNT_MISMATCH",
      `amount ${amount} is not quantity × price = ${quantity * price}`,
      "amount",
    );
  }
  const deadline = integer("deadline", MAX_UINT64);
  return { tradeNumber, security, stablecoin, seller, buyer, quantity, price, amount, deadline };
}

/** Checks `value` is an object with exactly `fields`; returns it. */
function objectOf(
  value: unknown,
  fields: readonly string[],
  prefix: string,
  fail: (code: FeedErrorCode, problem: string, column?: string) => FeedError,
): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw fail("FEED_BAD_JSON", `${prefix === "" ? "a line" : prefix.slice(0, -1)} must be a JSON object`);
  }
  const record = value as Record<string, unknown>;
  for (const field of fields) {
    if (!(field in record))
      throw fail("FEED_MISSING_FIELD", `${prefix}${field} is missing`, `${prefix}${field}`);
  }
  for (const key of Object.keys(record)) {
    if (!fields.includes(key))
      throw fail("FEED_UNKNOWN_FIELD", `${prefix}${key} is not a field of a trade report`, `${prefix}${key}`);
  }
  return record;
}
