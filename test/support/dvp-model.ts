/**
 * A plain TypeScript model of atomic DvP (contracts/settlement/DvPSettlement.sol) and the holder rules of the tokens it
 * moves (contracts/tokens/SecurityToken.sol, Stablecoin.sol), written from their specifications without looking at
 * storage or gas: trades and their statuses, balances, freezes, eligibility, the allowed list and pauses. The property
 * test applies the same commands to the contracts and to this model and compares them after every step.
 *
 * Each command returns an `Outcome`: success (with whether the trades settled), or the name of the custom error the
 * chain must revert with (the first check that fails, in the contracts' order). A refused command changes nothing.
 */

import type { Trade } from "./dvp.ts";

/** The result of one command. */
export type Outcome =
  | { readonly ok: true; readonly settled: readonly boolean[] }
  | { readonly ok: false; readonly error: string };

/** How a party's consent is given in a settlement. */
export type Consent =
  /** its signature of the trade */
  | "signed"
  /** empty bytes: relies on an earlier on-chain approval */
  | "empty"
  /** a signature by another key */
  | "wrong";

/** A trade's status, as `IDvPSettlement.Status`. */
export type TradeStatus = "None" | "Reported" | "Settled" | "Cancelled";

interface TradeRecord {
  readonly trade: Trade;
  status: TradeStatus;
  sellerApproved: boolean;
  buyerApproved: boolean;
}

function refused(error: string): Outcome {
  return { ok: false, error };
}

const settledOne = (value: boolean): Outcome => ({ ok: true, settled: [value] });

/** One security token's holder state (the registry is shared: see `DvPModel.eligible`). */
export class SecurityModel {
  paused = false;
  readonly balances = new Map<string, bigint>();
  readonly frozen = new Map<string, bigint>();
  readonly walletFrozen = new Set<string>();

  balanceOf(account: string): bigint {
    return this.balances.get(account) ?? 0n;
  }

  unfrozenOf(account: string): bigint {
    const balance = this.balanceOf(account);
    const frozen = this.frozen.get(account) ?? 0n;
    return frozen < balance ? balance - frozen : 0n;
  }
}

/** The stablecoin's holder state. */
export class CoinModel {
  paused = false;
  readonly balances = new Map<string, bigint>();
  readonly frozen = new Set<string>();
  readonly allowed = new Set<string>();

  balanceOf(account: string): bigint {
    return this.balances.get(account) ?? 0n;
  }

  /** The error of `_requireHolder`, or undefined. */
  holderError(account: string): string | undefined {
    if (!this.allowed.has(account)) return "StablecoinNotAllowed";
    if (this.frozen.has(account)) return "StablecoinAccountFrozen";
    return undefined;
  }
}

/** A position of a netted batch (per token and account), in the order the contract walks them. */
interface Position {
  readonly token: string;
  readonly account: string;
  debit: bigint;
  credit: bigint;
}

/** The DvP contract with its tokens. Token addresses and wallets are compared as given (checksummed). */
export class DvPModel {
  readonly securities: Map<string, SecurityModel>;
  readonly coin: CoinModel;
  readonly coinAddress: string;
  /** Eligibility of each wallet in the shared registry (every investor's expiry is far away). */
  readonly eligible = new Map<string, boolean>();
  readonly #trades = new Map<string, TradeRecord>();

  constructor(securities: readonly string[], coinAddress: string) {
    this.securities = new Map(securities.map((address) => [address, new SecurityModel()]));
    this.coin = new CoinModel();
    this.coinAddress = coinAddress;
  }

  status(tradeId: string): TradeStatus {
    return this.#trades.get(tradeId)?.status ?? "None";
  }

  /** The on-chain approvals; a settled trade's record is gone, a cancelled one keeps them. */
  approvals(tradeId: string): [boolean, boolean] {
    const record = this.#trades.get(tradeId);
    return record === undefined || record.status === "Settled"
      ? [false, false]
      : [record.sellerApproved, record.buyerApproved];
  }

  // -------------------------------------------------------------------------------------------------------------
  // DvP commands
  // -------------------------------------------------------------------------------------------------------------

  /** `reportTrade`, for terms the generator keeps valid but for the deadline (the model checks it). */
  report(trade: Trade, now: bigint): Outcome {
    if (this.#trades.has(trade.tradeId)) return refused("DvPTradeAlreadyReported");
    if (trade.deadline < now) return refused("DvPDeadlineInPast");
    this.#trades.set(trade.tradeId, {
      trade,
      status: "Reported",
      sellerApproved: false,
      buyerApproved: false,
    });
    return settledOne(false);
  }

  /** `approveSettlement` by `caller`. */
  approve(trade: Trade, caller: string, now: bigint): Outcome {
    const open = this.#open(trade);
    if (typeof open === "string") return refused(open);
    if (now > trade.deadline) return refused("DvPDeadlinePassed");
    if (caller === trade.seller) open.sellerApproved = true;
    else if (caller === trade.buyer) open.buyerApproved = true;
    else return refused("DvPNotParty");
    return settledOne(false);
  }

  /** `cancel` by `caller` (`isExchange`: the exchange node). */
  cancel(trade: Trade, caller: string, isExchange: boolean, now: bigint): Outcome {
    const open = this.#open(trade);
    if (typeof open === "string") return refused(open);
    if (now <= trade.deadline) return refused("DvPDeadlineNotPassed");
    if (caller !== trade.seller && caller !== trade.buyer && !isExchange)
      return refused("DvPUnauthorizedCanceller");
    open.status = "Cancelled";
    return settledOne(false);
  }

  /** `settle`: the payment leg first; the buyer's shortfall returns false (and moves nothing). */
  settle(trade: Trade, seller: Consent, buyer: Consent, now: bigint): Outcome {
    const checked = this.#checkSettleable(trade, seller, buyer, now);
    if (typeof checked === "string") return refused(checked);
    const coinError = this.#coinMoveError(trade.buyer, trade.seller);
    if (coinError !== undefined) return refused(coinError);
    if (this.coin.balanceOf(trade.buyer) < trade.amount) return settledOne(false);
    const security = this.#security(trade);
    const securityError = this.#securityMoveError(security, trade.seller, trade.buyer);
    if (securityError !== undefined) return refused(securityError);
    if (security.unfrozenOf(trade.seller) < trade.quantity) return refused("DvPSecuritiesShortfall");
    this.#settleGross(checked, trade);
    return settledOne(true);
  }

  /** `settleBatch`: all or nothing, netted (the end state is that of gross settlement). */
  settleBatch(trades: readonly Trade[], consents: readonly [Consent, Consent][], now: bigint): Outcome {
    if (trades.length === 0) return refused("DvPEmptyBatch");
    const saved = this.#saveStatuses();
    const records: TradeRecord[] = [];
    const ledger = new Ledger();
    for (const [index, trade] of trades.entries()) {
      const checked = this.#checkSettleable(trade, consents[index]![0], consents[index]![1], now);
      if (typeof checked === "string") {
        this.#restoreStatuses(saved);
        return refused(checked);
      }
      checked.status = "Settled";
      records.push(checked);
      ledger.book(trade, this.coinAddress);
    }
    for (const position of ledger.walk()) {
      const standing = this.#standing(position.token, position.account);
      if (position.debit !== 0n) {
        const error = !standing.canSend
          ? "DvPCannotSend"
          : position.debit > standing.available
            ? "DvPBatchShortfall"
            : undefined;
        if (error !== undefined) {
          this.#restoreStatuses(saved);
          return refused(error);
        }
      }
      if (position.credit !== 0n && !standing.canReceive) {
        this.#restoreStatuses(saved);
        return refused("DvPCannotReceive");
      }
    }
    for (const [index, trade] of trades.entries()) this.#move(trade, records[index]!);
    return { ok: true, settled: trades.map(() => true) };
  }

  /** `settleBatchBestEffort`: each trade in order joins if it can settle with those already in. */
  settleBatchBestEffort(
    trades: readonly Trade[],
    consents: readonly [Consent, Consent][],
    now: bigint,
  ): Outcome {
    if (trades.length === 0) return refused("DvPEmptyBatch");
    const ledger = new Ledger();
    const settled: boolean[] = [];
    const included: [Trade, TradeRecord][] = [];
    for (const [index, trade] of trades.entries()) {
      const checked = this.#checkSettleable(trade, consents[index]![0], consents[index]![1], now);
      if (typeof checked === "string" || !this.#fits(ledger, trade)) {
        settled.push(false);
        continue;
      }
      ledger.book(trade, this.coinAddress);
      checked.status = "Settled";
      included.push([trade, checked]);
      settled.push(true);
    }
    for (const [trade, record] of included) this.#move(trade, record);
    return { ok: true, settled };
  }

  // -------------------------------------------------------------------------------------------------------------
  // Token and registry commands (the operators')
  // -------------------------------------------------------------------------------------------------------------

  mintCoin(to: string, amount: bigint): Outcome {
    if (this.coin.paused) return refused("EnforcedPause");
    const error = this.coin.holderError(to);
    if (error !== undefined) return refused(error);
    this.coin.balances.set(to, this.coin.balanceOf(to) + amount);
    return settledOne(false);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Internals, in the contracts' order of checks
  // -------------------------------------------------------------------------------------------------------------

  #open(trade: Trade): TradeRecord | string {
    const record = this.#trades.get(trade.tradeId);
    if (record === undefined) return "DvPUnknownTrade";
    if (!sameTerms(record.trade, trade)) {
      // A settled trade's record is gone: the contract cannot compare terms any more.
      return record.status === "Settled" ? "DvPTradeNotOpen" : "DvPTermsMismatch";
    }
    if (record.status !== "Reported") return "DvPTradeNotOpen";
    return record;
  }

  #checkSettleable(trade: Trade, seller: Consent, buyer: Consent, now: bigint): TradeRecord | string {
    const open = this.#open(trade);
    if (typeof open === "string") return open;
    if (now > trade.deadline) return "DvPDeadlinePassed";
    return consentError(seller, open.sellerApproved) ?? consentError(buyer, open.buyerApproved) ?? open;
  }

  #security(trade: Trade): SecurityModel {
    const security = this.securities.get(trade.security);
    if (security === undefined) throw new Error(`model: unknown security ${trade.security}`);
    return security;
  }

  #coinMoveError(from: string, to: string): string | undefined {
    if (this.coin.paused) return "EnforcedPause";
    return this.coin.holderError(from) ?? this.coin.holderError(to);
  }

  #securityMoveError(security: SecurityModel, from: string, to: string): string | undefined {
    if (security.paused) return "SecurityTokenPaused";
    if (security.walletFrozen.has(from) || security.walletFrozen.has(to)) return "SecurityTokenWalletFrozen";
    if (!(this.eligible.get(from) ?? false)) return "ERC7943CannotSend";
    if (!(this.eligible.get(to) ?? false)) return "ERC7943CannotReceive";
    return undefined;
  }

  /** `settlementStanding` of `account` in `token`. */
  #standing(token: string, account: string): { canSend: boolean; canReceive: boolean; available: bigint } {
    if (token === this.coinAddress) {
      const allowed = !this.coin.paused && this.coin.holderError(account) === undefined;
      return { canSend: allowed, canReceive: allowed, available: this.coin.balanceOf(account) };
    }
    const security = this.securities.get(token)!;
    const allowed =
      !security.paused && !security.walletFrozen.has(account) && (this.eligible.get(account) ?? false);
    return { canSend: allowed, canReceive: allowed, available: security.unfrozenOf(account) };
  }

  /** Whether the trade's four legs fit in the ledger (best effort), in the contract's order of reasons. */
  #fits(ledger: Ledger, trade: Trade): boolean {
    const deliveries: [string, string, bigint][] = [
      [this.coinAddress, trade.buyer, trade.amount],
      [trade.security, trade.seller, trade.quantity],
    ];
    for (const [token, account, amount] of deliveries) {
      const standing = this.#standing(token, account);
      if (!standing.canSend || ledger.debitOf(token, account) + amount > standing.available) return false;
    }
    return (
      this.#standing(trade.security, trade.buyer).canReceive &&
      this.#standing(this.coinAddress, trade.seller).canReceive
    );
  }

  #settleGross(record: TradeRecord, trade: Trade): void {
    record.status = "Settled";
    this.#move(trade, record);
  }

  #move(trade: Trade, record: TradeRecord): void {
    const security = this.#security(trade);
    security.balances.set(trade.seller, security.balanceOf(trade.seller) - trade.quantity);
    security.balances.set(trade.buyer, security.balanceOf(trade.buyer) + trade.quantity);
    this.coin.balances.set(trade.buyer, this.coin.balanceOf(trade.buyer) - trade.amount);
    this.coin.balances.set(trade.seller, this.coin.balanceOf(trade.seller) + trade.amount);
    record.sellerApproved = false;
    record.buyerApproved = false;
  }

  #saveStatuses(): Map<string, TradeStatus> {
    return new Map([...this.#trades].map(([tradeId, record]) => [tradeId, record.status]));
  }

  #restoreStatuses(saved: Map<string, TradeStatus>): void {
    for (const [tradeId, status] of saved) this.#trades.get(tradeId)!.status = status;
  }
}

function consentError(consent: Consent, approved: boolean): string | undefined {
  if (consent === "signed") return undefined;
  if (consent === "wrong") return "DvPInvalidSignature";
  return approved ? undefined : "DvPConsentMissing";
}

function sameTerms(a: Trade, b: Trade): boolean {
  return (Object.keys(a) as (keyof Trade)[]).every((key) => a[key] === b[key]);
}

/**
 * The positions of a netted batch, walked as the contract walks them: tokens in the order they first appear (the
 * security and then the coin of the first trade, …), and within a token the newest position first.
 */
class Ledger {
  readonly #tokens: string[] = [];
  readonly #positions = new Map<string, Position[]>();

  book(trade: Trade, coin: string): void {
    this.#position(trade.security, trade.seller).debit += trade.quantity;
    this.#position(trade.security, trade.buyer).credit += trade.quantity;
    this.#position(coin, trade.buyer).debit += trade.amount;
    this.#position(coin, trade.seller).credit += trade.amount;
  }

  debitOf(token: string, account: string): bigint {
    return this.#positions.get(token)?.find((position) => position.account === account)?.debit ?? 0n;
  }

  *walk(): Generator<Position> {
    for (const token of this.#tokens) yield* [...this.#positions.get(token)!].reverse();
  }

  #position(token: string, account: string): Position {
    let positions = this.#positions.get(token);
    if (positions === undefined) {
      positions = [];
      this.#positions.set(token, positions);
      this.#tokens.push(token);
    }
    let position = positions.find((candidate) => candidate.account === account);
    if (position === undefined) {
      position = { token, account, debit: 0n, credit: 0n };
      positions.push(position);
    }
    return position;
  }
}
