/**
 * A PTS (proprietary trading system) in miniature: a limit order book per security with price-time priority and
 * partial fills, emitting the trade reports the exchange node sends to the DvP contract. Pure: the time of each order
 * comes in as an argument, and trade numbers run from the one the exchange is given.
 */
import { SettlementError } from "./errors.ts";
import type { Address, Order, TradeTerms } from "./types.ts";

/** An order resting in the book: what is left of it, and its arrival sequence (time priority). */
interface Resting {
  readonly order: Order;
  remaining: bigint;
  readonly sequence: number;
}

/** How the exchange is set up. */
export interface ExchangeOptions {
  /** The stablecoin every trade settles in. */
  readonly stablecoin: Address;
  /** The number of the first trade; each trade takes the next. */
  readonly firstTradeNumber: bigint;
  /** Seconds from the match to the settlement deadline. */
  readonly settlementWindow: bigint;
}

/**
 * The order books and the matching engine.
 *
 * - Price priority: a buy order meets the lowest asks first, a sell order the highest bids; time priority among equal
 *   prices (the earlier order first).
 * - The trade is at the resting order's price; an order fills partly against several resting orders and rests with
 *   what is left.
 * - Self-trade prevention: an order never meets a resting order of the same wallet (it skips it).
 *
 * @example
 *   const exchange = new ExchangeSimulator({ stablecoin: jpy, firstTradeNumber: 20261201000001n, settlementWindow: 3600n });
 *   exchange.submit({ orderId: "s1", side: "sell", security: jgb, quantity: 10n, price: 990_000n, party: alice }, now);
 *   const trades = exchange.submit({ orderId: "b1", side: "buy", security: jgb, quantity: 4n, price: 995_000n, party: bob }, now);
 *   // one trade: 4 units at 990,000 yen, alice to bob
 */
export class ExchangeSimulator {
  readonly #options: ExchangeOptions;
  readonly #books = new Map<Address, { bids: Resting[]; asks: Resting[] }>();
  readonly #orderIds = new Set<string>();
  #nextTradeNumber: bigint;
  #sequence = 0;

  constructor(options: ExchangeOptions) {
    this.#options = options;
    this.#nextTradeNumber = options.firstTradeNumber;
  }

  /**
   * Takes an order at time `now` (unix seconds) and returns the trades it made, in order.
   *
   * @throws {SettlementError} `SETTLEMENT_BAD_ORDER` for a non-positive quantity or price or a reused order ID.
   */
  submit(order: Order, now: bigint): TradeTerms[] {
    if (order.quantity <= 0n || order.price <= 0n) {
      throw new SettlementError(
        "SETTLEMENT_BAD_ORDER",
        `order ${order.orderId}: quantity and price must be positive`,
        {
          details: { orderId: order.orderId },
        },
      );
    }
    if (this.#orderIds.has(order.orderId)) {
      throw new SettlementError("SETTLEMENT_BAD_ORDER", `order ${order.orderId} was already sent`, {
        details: { orderId: order.orderId },
      });
    }
    this.#orderIds.add(order.orderId);
    const book = this.#bookOf(order.security);
    const incoming: Resting = { order, remaining: order.quantity, sequence: this.#sequence++ };
    const opposite = order.side === "buy" ? book.asks : book.bids;
    const trades: TradeTerms[] = [];
    for (let index = 0; index < opposite.length && incoming.remaining > 0n;) {
      const resting = opposite[index]!;
      const crosses =
        order.side === "buy" ? resting.order.price <= order.price : resting.order.price >= order.price;
      if (!crosses) break;
      if (resting.order.party.wallet === order.party.wallet) {
        index++;
        continue;
      }
      const quantity = resting.remaining < incoming.remaining ? resting.remaining : incoming.remaining;
      trades.push(
        this.#trade(
          order.side === "buy" ? resting : incoming,
          order.side === "buy" ? incoming : resting,
          quantity,
          resting.order.price,
          now,
        ),
      );
      resting.remaining -= quantity;
      incoming.remaining -= quantity;
      if (resting.remaining === 0n) opposite.splice(index, 1);
      else index++;
    }
    if (incoming.remaining > 0n) {
      const same = order.side === "buy" ? book.bids : book.asks;
      same.push(incoming);
      same.sort(order.side === "buy" ? bidOrder : askOrder);
    }
    return trades;
  }

  /** What rests in the book of `security`: bids best first, asks best first (order ID and quantity left). */
  depth(security: Address): { bids: [string, bigint, bigint][]; asks: [string, bigint, bigint][] } {
    const book = this.#bookOf(security);
    const rows = (side: Resting[]): [string, bigint, bigint][] =>
      side.map((resting) => [resting.order.orderId, resting.order.price, resting.remaining]);
    return { bids: rows(book.bids), asks: rows(book.asks) };
  }

  #bookOf(security: Address): { bids: Resting[]; asks: Resting[] } {
    let book = this.#books.get(security);
    if (book === undefined) {
      book = { bids: [], asks: [] };
      this.#books.set(security, book);
    }
    return book;
  }

  #trade(sell: Resting, buy: Resting, quantity: bigint, price: bigint, now: bigint): TradeTerms {
    const tradeNumber = this.#nextTradeNumber++;
    return {
      tradeNumber,
      security: sell.order.security,
      stablecoin: this.#options.stablecoin,
      seller: sell.order.party,
      buyer: buy.order.party,
      quantity,
      price,
      amount: quantity * price,
      deadline: now + this.#options.settlementWindow,
    };
  }
}

/** Bids: highest price first, then earliest. */
function bidOrder(a: Resting, b: Resting): number {
  return a.order.price === b.order.price ? a.sequence - b.sequence : a.order.price > b.order.price ? -1 : 1;
}

/** Asks: lowest price first, then earliest. */
function askOrder(a: Resting, b: Resting): number {
  return a.order.price === b.order.price ? a.sequence - b.sequence : a.order.price < b.order.price ? -1 : 1;
}
