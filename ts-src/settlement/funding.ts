/**
 * The buyer's stablecoin check before settlement, and the fail handling it starts (Progmat, secondary market and DLT
 * extension WG, appendix #06: the buyer's SC balance checked first; if short, the buyer notified of the amount short,
 * yen placed in trust, the SC issuer minting the difference, and the settlement retried). Pure: balances come in as
 * data, and the buyer's decision to top up comes back from the caller.
 */
import type { Address, TradeTerms } from "./types.ts";

/** A trade its buyer cannot pay from what is left of its balance. */
export interface Shortfall {
  readonly trade: TradeTerms;
  /** What is left of the buyer's balance for this trade. */
  readonly available: bigint;
  /** `amount − available`: the yen the buyer must place in trust for the issuer to mint. */
  readonly short: bigint;
}

/**
 * Each buyer's balance taken against its trades in settlement order (the DvP contract's gross rule for a batch: a
 * buyer must hold every payment it makes, whatever it receives in the same batch).
 *
 * @example
 *   const check = new FundingCheck(new Map([[buyer, 5_000_000n]]));
 *   const result = check.take(trade);                 // { covered: false, available: 5_000_000n, short: 4_900_000n }
 *   if (!result.covered && await buyerTopsUp(result)) check.toppedUp(trade); // the trade is then covered
 */
export class FundingCheck {
  readonly #left: Map<Address, bigint>;

  constructor(balances: ReadonlyMap<Address, bigint>) {
    this.#left = new Map(balances);
  }

  /**
   * Takes `trade` against what is left of its buyer's balance: covered (the amount is then taken), or short by the
   * difference (nothing is taken, so a later, smaller trade of the buyer may still be covered).
   */
  take(trade: TradeTerms): { readonly covered: true } | ({ readonly covered: false } & Shortfall) {
    const available = this.#left.get(trade.buyer.wallet) ?? 0n;
    if (available >= trade.amount) {
      this.#left.set(trade.buyer.wallet, available - trade.amount);
      return { covered: true };
    }
    return { covered: false, trade, available, short: trade.amount - available };
  }

  /** After the buyer topped up the shortfall of `trade`: the trade takes what was left and the top-up, leaving 0. */
  toppedUp(trade: TradeTerms): void {
    this.#left.set(trade.buyer.wallet, 0n);
  }

  /** What is left of `buyer`'s balance. */
  left(buyer: Address): bigint {
    return this.#left.get(buyer) ?? 0n;
  }
}
