import { expect } from "chai";

import { FeedError } from "../../ts-src/settlement/errors.ts";
import { formatFeedLine, parseFeed, readFeed } from "../../ts-src/settlement/feed.ts";
import { investorCodeOf, investorIdOf, tradeIdOf, tradeNumberOf } from "../../ts-src/settlement/ids.ts";
import type { TradeTerms } from "../../ts-src/settlement/types.ts";

/** The trade feed (JSON lines): every bad line is a FeedError with a stable code, its line and field. */

const trade: TradeTerms = {
  tradeNumber: 20261201000001n,
  security: "0x1111111111111111111111111111111111111111",
  stablecoin: "0x2222222222222222222222222222222222222222",
  seller: { investor: "JP-INV-0001", wallet: "0x3333333333333333333333333333333333333333" },
  buyer: { investor: "JP-INV-0002", wallet: "0x4444444444444444444444444444444444444444" },
  quantity: 10n,
  price: 990_000n,
  amount: 9_900_000n,
  deadline: 1_796_140_800n,
};

function lineWith(change: (record: Record<string, unknown>) => void): string {
  const record = JSON.parse(formatFeedLine(trade)) as Record<string, unknown>;
  change(record);
  return JSON.stringify(record);
}

function refusal(text: string): FeedError {
  try {
    parseFeed(text, "trades.jsonl");
  } catch (error) {
    expect(error).to.be.instanceOf(FeedError);
    return error as FeedError;
  }
  throw new Error("the feed was accepted");
}

describe("trade feed", function () {
  it("round-trips a trade, with integers as decimal strings, and skips blank lines", function () {
    const text = `${formatFeedLine(trade)}\n\n${formatFeedLine({ ...trade, tradeNumber: 20261201000002n })}\n`;
    expect(parseFeed(text, "trades.jsonl")).to.deep.equal([
      trade,
      { ...trade, tradeNumber: 20261201000002n },
    ]);
    expect(formatFeedLine(trade)).to.include('"amount":"9900000"');
  });

  it("lower-cases addresses", function () {
    const [parsed] = parseFeed(
      lineWith((record) => (record.security = "0xABCDEFabcdef1111111111111111111111111111")),
      "f",
    );
    expect(parsed!.security).to.equal("0xabcdefabcdef1111111111111111111111111111");
  });

  const cases: [string, string, string, string | undefined][] = [
    ["not JSON", "{nope", "FEED_BAD_JSON", undefined],
    ["a missing field", lineWith((record) => delete record.deadline), "FEED_MISSING_FIELD", "deadline"],
    ["an unknown field", lineWith((record) => (record.venue = "PTS")), "FEED_UNKNOWN_FIELD", "venue"],
    [
      "a number as a JSON number",
      lineWith((record) => (record.quantity = 10)),
      "FEED_BAD_NUMBER",
      "quantity",
    ],
    ["a fraction", lineWith((record) => (record.price = "990000.5")), "FEED_BAD_NUMBER", "price"],
    [
      "a deadline beyond 2^64 - 1",
      lineWith((record) => (record.deadline = (1n << 64n).toString())),
      "FEED_BAD_NUMBER",
      "deadline",
    ],
    ["a bad address", lineWith((record) => (record.stablecoin = "0x12")), "FEED_BAD_ADDRESS", "stablecoin"],
    [
      "the zero address",
      lineWith((record) => ((record.buyer as Record<string, string>).wallet = `0x${"0".repeat(40)}`)),
      "FEED_BAD_ADDRESS",
      "buyer.wallet",
    ],
    [
      "an investor code too long",
      lineWith((record) => ((record.seller as Record<string, string>).investor = "X".repeat(32))),
      "FEED_BAD_INVESTOR",
      "seller.investor",
    ],
    [
      "a zero quantity",
      lineWith((record) => ((record.quantity = "0"), (record.amount = "0"))),
      "FEED_ZERO_QUANTITY",
      "quantity",
    ],
    [
      "a zero price",
      lineWith((record) => ((record.price = "0"), (record.amount = "0"))),
      "FEED_ZERO_PRICE",
      "price",
    ],
    [
      "amount ≠ quantity × price",
      lineWith((record) => (record.amount = "9900001")),
      "FEED_AMOUNT_MISMATCH",
      "amount",
    ],
    [
      "the same wallet on both sides",
      lineWith((record) => ((record.buyer as Record<string, string>).wallet = trade.seller.wallet)),
      "FEED_SAME_PARTY",
      "buyer.wallet",
    ],
    [
      "the same token on both legs",
      lineWith((record) => (record.stablecoin = trade.security)),
      "FEED_SAME_TOKEN",
      "stablecoin",
    ],
  ];
  for (const [what, line, code, column] of cases) {
    it(`refuses ${what}: ${code}, on its line`, function () {
      const error = refusal(`${formatFeedLine({ ...trade, tradeNumber: 1n })}\n${line}\n`);
      expect(error.code).to.equal(code);
      expect(error.location).to.deep.include({ file: "trades.jsonl", line: 2 });
      if (column !== undefined) expect(error.location?.column).to.equal(column);
      expect(error.message).to.match(/^trades\.jsonl line 2/);
    });
  }

  it("refuses a trade number that appears twice, naming both lines", function () {
    const error = refusal(`${formatFeedLine(trade)}\n${formatFeedLine(trade)}\n`);
    expect(error.code).to.equal("FEED_DUPLICATE_TRADE");
    expect(error.location).to.deep.include({ line: 2 });
    expect(error.message).to.include("line 1");
  });

  it("a missing file is FEED_MISSING_FILE", function () {
    try {
      readFeed("/no/such/feed.jsonl");
      expect.fail("read a missing file");
    } catch (error) {
      expect((error as FeedError).code).to.equal("FEED_MISSING_FILE");
    }
  });

  it("trade IDs are the trade numbers as big-endian bytes32; investor IDs are bytes32 strings", function () {
    expect(tradeIdOf(1n)).to.equal(`0x${"0".repeat(63)}1`);
    expect(tradeNumberOf(tradeIdOf(20261201000001n))).to.equal(20261201000001n);
    expect(() => tradeIdOf(0n)).to.throw(RangeError);
    expect(investorIdOf("JP-INV-0001")).to.equal(
      `0x${Buffer.from("JP-INV-0001").toString("hex").padEnd(64, "0")}`,
    );
    expect(investorCodeOf(investorIdOf("JP-INV-0001"))).to.equal("JP-INV-0001");
    expect(() => investorIdOf("")).to.throw(RangeError);
  });
});
