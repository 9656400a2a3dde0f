/**
 * The terms of a trade matched on a PTS, as the exchange node reports it and the DvP contract settles it
 * (contracts/interfaces/IDvPSettlement.sol, `Trade`). Amounts are integers in base units: `quantity` in the security
 * token's, `price` in the stablecoin's per base unit of the security, `amount = quantity × price` in the stablecoin's.
 */

/** A 0x-prefixed hex string. */
export type Hex = `0x${string}`;

/** A 20-byte address, 0x-prefixed hex. */
export type Address = `0x${string}`;

/** One side of a trade: the investor (its ID in the security token's registry) and the wallet that settles. */
export interface TradeParty {
  /** The investor ID as the registrar writes it, e.g. `JP-INV-0001` (a bytes32 string on-chain). */
  readonly investor: string;
  readonly wallet: Address;
}

/** A matched trade's terms. */
export interface TradeTerms {
  /** The exchange's trade number: the on-chain trade ID is this integer as bytes32 (big-endian). */
  readonly tradeNumber: bigint;
  /** The security token. */
  readonly security: Address;
  /** The stablecoin the trade settles in. */
  readonly stablecoin: Address;
  readonly seller: TradeParty;
  readonly buyer: TradeParty;
  /** Base units of the security, positive. */
  readonly quantity: bigint;
  /** Base units of the stablecoin per base unit of the security, positive. */
  readonly price: bigint;
  /** `quantity × price`, base units of the stablecoin. */
  readonly amount: bigint;
  /** The last second (unix time) at which the trade can settle. */
  readonly deadline: bigint;
}

/** A side of an order. */
export type Side = "buy" | "sell";

/** A limit order sent to the exchange. */
export interface Order {
  /** The client's order ID, unique per exchange session. */
  readonly orderId: string;
  readonly side: Side;
  readonly security: Address;
  /** Base units of the security, positive. */
  readonly quantity: bigint;
  /** The limit price, in base units of the stablecoin per base unit of the security, positive. */
  readonly price: bigint;
  readonly party: TradeParty;
}
