import { expect } from "chai";

import { SettlementError } from "../../ts-src/settlement/errors.ts";
import { ExchangeSimulator } from "../../ts-src/settlement/exchange.ts";
import { FundingCheck } from "../../ts-src/settlement/funding.ts";
import type { Address, Order, TradeParty } from "../../ts-src/settlement/types.ts";

/** The exchange simulator (price-time priority, partial fills) and the buyer's funding check. */

const JGB = "0x1111111111111111111111111111111111111111" as Address;
const JPY = "0x2222222222222222222222222222222222222222" as Address;
const party = (n: number): TradeParty => ({
  investor: `JP-INV-000${n}`,
  wallet: `0x${String(n).repeat(40)}` as Address,
});
const order = (
  orderId: string,
  side: "buy" | "sell",
  quantity: bigint,
  price: bigint,
  who: number,
): Order => ({
  orderId,
  side,
  security: JGB,
  quantity,
  price,
  party: party(who),
});

function exchange(): ExchangeSimulator {
  return new ExchangeSimulator({ stablecoin: JPY, firstTradeNumber: 100n, settlementWindow: 60n });
}

describe("exchange simulator", function () {
  it("matches at the resting price, best price first, earliest first among equals, partially", function () {
    const pts = exchange();
    expect(pts.submit(order("s1", "sell", 5n, 1_000n, 1), 10n)).to.deep.equal([]);
    pts.submit(order("s2", "sell", 5n, 990n, 2), 11n);
    pts.submit(order("s3", "sell", 5n, 990n, 3), 12n);
    const trades = pts.submit(order("b1", "buy", 12n, 1_000n, 4), 13n);
    expect(
      trades.map((trade) => [trade.tradeNumber, trade.seller.investor, trade.quantity, trade.price]),
    ).to.deep.equal([
      [100n, "JP-INV-0002", 5n, 990n],
      [101n, "JP-INV-0003", 5n, 990n],
      [102n, "JP-INV-0001", 2n, 1_000n],
    ]);
    expect(
      trades.every((trade) => trade.amount === trade.quantity * trade.price && trade.deadline === 73n),
    ).to.equal(true);
    expect(
      trades.every((trade) => trade.buyer.investor === "JP-INV-0004" && trade.stablecoin === JPY),
    ).to.equal(true);
    expect(pts.depth(JGB)).to.deep.equal({ bids: [], asks: [["s1", 1_000n, 3n]] });
  });

  it("a sell meets the highest bid first; what does not fill rests, in price order", function () {
    const pts = exchange();
    pts.submit(order("b1", "buy", 4n, 995n, 1), 1n);
    pts.submit(order("b2", "buy", 4n, 999n, 2), 2n);
    const trades = pts.submit(order("s1", "sell", 6n, 996n, 3), 3n);
    expect(trades.map((trade) => [trade.buyer.investor, trade.quantity, trade.price])).to.deep.equal([
      ["JP-INV-0002", 4n, 999n],
    ]);
    expect(pts.depth(JGB)).to.deep.equal({ bids: [["b1", 995n, 4n]], asks: [["s1", 996n, 2n]] });
  });

  it("never matches a wallet with itself", function () {
    const pts = exchange();
    pts.submit(order("s1", "sell", 5n, 990n, 1), 1n);
    pts.submit(order("s2", "sell", 5n, 995n, 2), 1n);
    const trades = pts.submit(order("b1", "buy", 5n, 1_000n, 1), 2n);
    expect(trades.map((trade) => trade.seller.investor)).to.deep.equal(["JP-INV-0002"]);
  });

  it("refuses a non-positive quantity or price and a reused order ID", function () {
    const pts = exchange();
    for (const bad of [order("x", "buy", 0n, 1n, 1), order("y", "buy", 1n, 0n, 1)]) {
      expect(() => pts.submit(bad, 1n))
        .to.throw(SettlementError)
        .with.property("code", "SETTLEMENT_BAD_ORDER");
    }
    pts.submit(order("z", "buy", 1n, 1n, 1), 1n);
    expect(() => pts.submit(order("z", "buy", 1n, 1n, 1), 1n)).to.throw(SettlementError);
  });
});

describe("funding check", function () {
  const trade = (amount: bigint, buyer = 4) => ({
    tradeNumber: amount,
    security: JGB,
    stablecoin: JPY,
    seller: party(1),
    buyer: party(buyer),
    quantity: amount,
    price: 1n,
    amount,
    deadline: 0n,
  });

  it("takes each buyer's balance against its trades in order; a short trade takes nothing", function () {
    const check = new FundingCheck(new Map([[party(4).wallet, 100n]]));
    expect(check.take(trade(60n))).to.deep.equal({ covered: true });
    const short = check.take(trade(50n));
    expect(short).to.deep.include({ covered: false, available: 40n, short: 10n });
    expect(check.take(trade(40n))).to.deep.equal({ covered: true });
    expect(check.left(party(4).wallet)).to.equal(0n);
  });

  it("a topped-up trade takes what was left and its top-up; the next trade is short by its whole amount", function () {
    const check = new FundingCheck(new Map([[party(4).wallet, 100n]]));
    const short = check.take(trade(150n));
    expect(short).to.deep.include({ covered: false, short: 50n });
    check.toppedUp(trade(150n));
    expect(check.take(trade(30n))).to.deep.include({ covered: false, available: 0n, short: 30n });
    expect(check.take(trade(1n, 5))).to.deep.include({ covered: false, available: 0n, short: 1n });
  });
});
