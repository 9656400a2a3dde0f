/**
 * A plain TypeScript model of the investor registry and the security token: the same rules as
 * contracts/tokens/InvestorRegistry.sol and contracts/tokens/SecurityToken.sol, written without looking at storage
 * layouts or gas. The property tests apply the same commands to the contracts and to this model and compare them.
 *
 * Each command returns an `Outcome`: success, or the name of the custom error the contract must revert with (the
 * first check that fails, in the contract's order). A refused command changes nothing.
 */

/** The result of one command. */
export type Outcome = { readonly ok: true } | { readonly ok: false; readonly error: string };

const OK: Outcome = { ok: true };

function refused(error: string): Outcome {
  return { ok: false, error };
}

/** The most wallets one investor can have (`MAX_WALLETS_PER_INVESTOR`). */
export const MODEL_MAX_WALLETS = 16;

/** The highest forced-transfer reason code (`ForcedTransferReason.MAX`). */
export const MODEL_MAX_REASON = 6;

/** The largest frozen amount the token stores (2^248 - 1). */
export const MODEL_MAX_FROZEN = 2n ** 248n - 1n;

interface InvestorState {
  eligible: boolean;
  validUntil: bigint;
  country: number;
  wallets: string[];
}

/** The highest ISO 3166-1 numeric code. */
export const MODEL_MAX_COUNTRY = 999;

/** The investor registry's rules. Wallets and investor IDs are compared as given (use lower-case hex). */
export class RegistryModel {
  readonly #investors = new Map<string, InvestorState>();
  readonly #investorOf = new Map<string, string>();

  registerInvestor(
    investorId: string,
    eligible: boolean,
    validUntil: bigint,
    country: number,
    now: bigint,
  ): Outcome {
    if (/^0x0*$/.test(investorId)) return refused("InvestorRegistryInvalidInvestorId");
    if (this.#investors.has(investorId)) return refused("InvestorRegistryInvestorAlreadyRegistered");
    if (eligible && validUntil < now) return refused("InvestorRegistryExpiryInPast");
    if (country > MODEL_MAX_COUNTRY) return refused("InvestorRegistryInvalidCountry");
    this.#investors.set(investorId, { eligible, validUntil, country, wallets: [] });
    return OK;
  }

  setEligibility(investorId: string, eligible: boolean, validUntil: bigint, now: bigint): Outcome {
    const investor = this.#investors.get(investorId);
    if (investor === undefined) return refused("InvestorRegistryUnknownInvestor");
    if (eligible && validUntil < now) return refused("InvestorRegistryExpiryInPast");
    investor.eligible = eligible;
    investor.validUntil = validUntil;
    return OK;
  }

  setCountry(investorId: string, country: number): Outcome {
    const investor = this.#investors.get(investorId);
    if (investor === undefined) return refused("InvestorRegistryUnknownInvestor");
    if (country > MODEL_MAX_COUNTRY) return refused("InvestorRegistryInvalidCountry");
    investor.country = country;
    return OK;
  }

  addWallet(investorId: string, wallet: string): Outcome {
    const investor = this.#investors.get(investorId);
    if (investor === undefined) return refused("InvestorRegistryUnknownInvestor");
    if (/^0x0{40}$/.test(wallet)) return refused("InvestorRegistryInvalidWallet");
    if (this.#investorOf.has(wallet)) return refused("InvestorRegistryWalletAlreadyLinked");
    if (investor.wallets.length >= MODEL_MAX_WALLETS) return refused("InvestorRegistryTooManyWallets");
    investor.wallets.push(wallet);
    this.#investorOf.set(wallet, investorId);
    return OK;
  }

  removeWallet(wallet: string): Outcome {
    const investorId = this.#investorOf.get(wallet);
    if (investorId === undefined) return refused("InvestorRegistryWalletNotLinked");
    const investor = this.#investors.get(investorId)!;
    investor.wallets = investor.wallets.filter((linked) => linked !== wallet);
    this.#investorOf.delete(wallet);
    return OK;
  }

  /** `batchAddWallets`: all or nothing; the outcome of the first refused element, if any. */
  batchAddWallets(investorIds: string[], wallets: string[]): Outcome {
    if (investorIds.length !== wallets.length) return refused("InvestorRegistryArrayLengthMismatch");
    const saved = this.#save();
    for (const [index, investorId] of investorIds.entries()) {
      const outcome = this.addWallet(investorId, wallets[index]!);
      if (!outcome.ok) {
        this.#restore(saved);
        return outcome;
      }
    }
    return OK;
  }

  /** The investor record as `investor(id)` returns it. */
  investorRecord(investorId: string): {
    registered: boolean;
    eligible: boolean;
    validUntil: bigint;
    country: number;
    walletCount: number;
  } {
    const investor = this.#investors.get(investorId);
    if (investor === undefined)
      return { registered: false, eligible: false, validUntil: 0n, country: 0, walletCount: 0 };
    const { eligible, validUntil, country, wallets } = investor;
    return { registered: true, eligible, validUntil, country, walletCount: wallets.length };
  }

  #save(): { investors: [string, InvestorState][]; investorOf: [string, string][] } {
    return {
      investors: [...this.#investors].map(([id, state]) => [id, { ...state, wallets: [...state.wallets] }]),
      investorOf: [...this.#investorOf],
    };
  }

  #restore(saved: { investors: [string, InvestorState][]; investorOf: [string, string][] }): void {
    this.#investors.clear();
    for (const [id, state] of saved.investors) this.#investors.set(id, state);
    this.#investorOf.clear();
    for (const [wallet, id] of saved.investorOf) this.#investorOf.set(wallet, id);
  }

  /** The investor of a wallet, or undefined. */
  investorOf(wallet: string): string | undefined {
    return this.#investorOf.get(wallet);
  }

  /** The wallets of an investor, sorted (the contract keeps no order). */
  walletsOf(investorId: string): string[] {
    return [...(this.#investors.get(investorId)?.wallets ?? [])].sort();
  }

  /** The country of a wallet's investor; 0 when the wallet is not linked. */
  countryOf(wallet: string): number {
    const investorId = this.#investorOf.get(wallet);
    return investorId === undefined ? 0 : this.#investors.get(investorId)!.country;
  }

  /** Eligible at time `now`: linked, flag on, `now <= validUntil`. */
  isEligible(wallet: string, now: bigint): boolean {
    const investorId = this.#investorOf.get(wallet);
    if (investorId === undefined) return false;
    const investor = this.#investors.get(investorId)!;
    return investor.eligible && now <= investor.validUntil;
  }
}

/** The security token's rules, reading a `RegistryModel`. */
export class SecurityTokenModel {
  readonly registry: RegistryModel;
  paused = false;
  totalSupply = 0n;
  readonly #balances = new Map<string, bigint>();
  readonly #frozen = new Map<string, bigint>();
  readonly #walletFrozen = new Map<string, boolean>();
  /** Recovered (lost) wallets: retired for good. */
  readonly #retired = new Set<string>();
  /** `owner|spender` pairs with an unlimited allowance. */
  readonly #unlimited = new Set<string>();

  constructor(registry: RegistryModel) {
    this.registry = registry;
  }

  balanceOf(account: string): bigint {
    return this.#balances.get(account) ?? 0n;
  }

  frozenOf(account: string): bigint {
    return this.#frozen.get(account) ?? 0n;
  }

  isWalletFrozen(account: string): boolean {
    return this.#walletFrozen.get(account) ?? false;
  }

  isWalletRetired(account: string): boolean {
    return this.#retired.has(account);
  }

  /** The refusal for a retired or wallet-frozen wallet (retirement named first), or undefined. */
  #flagRefusal(account: string): Outcome | undefined {
    if (this.isWalletRetired(account)) return refused("SecurityTokenWalletRetired");
    if (this.isWalletFrozen(account)) return refused("SecurityTokenWalletFrozen");
    return undefined;
  }

  /** `balance - frozen`, or 0 when the frozen amount covers the balance. */
  unfrozenOf(account: string): bigint {
    const balance = this.balanceOf(account);
    const frozen = this.frozenOf(account);
    return frozen < balance ? balance - frozen : 0n;
  }

  canSend(account: string, now: bigint): boolean {
    return this.#flagRefusal(account) === undefined && this.registry.isEligible(account, now);
  }

  canReceive(account: string, now: bigint): boolean {
    return this.#flagRefusal(account) === undefined && this.registry.isEligible(account, now);
  }

  /** ERC-7943 `canTransfer`: permissioned rules only; an amount above the whole balance is the ERC-20 rule. */
  canTransfer(from: string, to: string, amount: bigint, now: bigint): boolean {
    if (this.paused || !this.canSend(from, now) || !this.canReceive(to, now)) return false;
    return amount > this.balanceOf(from) || amount <= this.unfrozenOf(from);
  }

  /** Records an unlimited allowance of `owner` to `spender` (the model tracks unlimited allowances only). */
  approveUnlimited(owner: string, spender: string): void {
    this.#unlimited.add(`${owner}|${spender}`);
  }

  /**
   * `transferFrom` by `spender`: the spender passes the sender's rules, then spends its allowance (unlimited, or
   * none), then the holder-transfer rules apply.
   */
  transferFrom(spender: string, from: string, to: string, amount: bigint, now: bigint): Outcome {
    const flagged = this.#flagRefusal(spender);
    if (flagged !== undefined) return flagged;
    if (!this.registry.isEligible(spender, now)) return refused("ERC7943CannotSend");
    if (amount > 0n && !this.#unlimited.has(`${from}|${spender}`))
      return refused("ERC20InsufficientAllowance");
    return this.transfer(from, to, amount, now);
  }

  /** A holder transfer (`transfer`, or `transferFrom` once the spender and its allowance pass). */
  transfer(from: string, to: string, amount: bigint, now: bigint): Outcome {
    if (this.paused) return refused("SecurityTokenPaused");
    const flagged = this.#flagRefusal(from) ?? this.#flagRefusal(to);
    if (flagged !== undefined) return flagged;
    if (!this.registry.isEligible(from, now)) return refused("ERC7943CannotSend");
    if (!this.registry.isEligible(to, now)) return refused("ERC7943CannotReceive");
    const balance = this.balanceOf(from);
    if (amount <= balance && amount > this.unfrozenOf(from))
      return refused("ERC7943InsufficientUnfrozenBalance");
    if (amount > balance) return refused("ERC20InsufficientBalance");
    this.#move(from, to, amount);
    return OK;
  }

  mint(to: string, amount: bigint, now: bigint): Outcome {
    const flagged = this.#flagRefusal(to);
    if (flagged !== undefined) return flagged;
    if (!this.registry.isEligible(to, now)) return refused("ERC7943CannotReceive");
    this.#balances.set(to, this.balanceOf(to) + amount);
    this.totalSupply += amount;
    return OK;
  }

  redeem(from: string, amount: bigint): Outcome {
    const balance = this.balanceOf(from);
    if (amount > balance) return refused("ERC20InsufficientBalance");
    this.#releaseFrozen(from, amount);
    this.#balances.set(from, balance - amount);
    this.totalSupply -= amount;
    return OK;
  }

  forcedTransfer(from: string, to: string, amount: bigint, reasonCode: number, now: bigint): Outcome {
    if (reasonCode > MODEL_MAX_REASON) return refused("SecurityTokenUnknownReasonCode");
    if (from === to) return refused("SecurityTokenSameWallet");
    const flagged = this.#flagRefusal(to);
    if (flagged !== undefined) return flagged;
    if (!this.registry.isEligible(to, now)) return refused("ERC7943CannotReceive");
    if (amount > this.balanceOf(from)) return refused("ERC20InsufficientBalance");
    this.#releaseFrozen(from, amount);
    this.#move(from, to, amount);
    return OK;
  }

  setFrozenTokens(account: string, amount: bigint): Outcome {
    if (amount > MODEL_MAX_FROZEN) return refused("SecurityTokenFrozenAmountTooLarge");
    this.#frozen.set(account, amount);
    return OK;
  }

  setWalletFrozen(account: string, frozen: boolean): Outcome {
    this.#walletFrozen.set(account, frozen);
    return OK;
  }

  recoverWallet(lostWallet: string, newWallet: string, now: bigint): Outcome {
    if (lostWallet === newWallet) return refused("SecurityTokenSameWallet");
    const lostInvestor = this.registry.investorOf(lostWallet);
    if (lostInvestor === undefined || lostInvestor !== this.registry.investorOf(newWallet)) {
      return refused("SecurityTokenNotSameInvestor");
    }
    if (!this.registry.isEligible(newWallet, now)) return refused("ERC7943CannotReceive");
    if (this.isWalletRetired(lostWallet) || this.isWalletRetired(newWallet))
      return refused("SecurityTokenWalletRetired");
    const frozen = this.frozenOf(newWallet) + this.frozenOf(lostWallet);
    if (frozen > MODEL_MAX_FROZEN) return refused("SecurityTokenFrozenAmountTooLarge");
    this.#frozen.set(newWallet, frozen);
    this.#frozen.set(lostWallet, 0n);
    this.#walletFrozen.set(newWallet, this.isWalletFrozen(newWallet) || this.isWalletFrozen(lostWallet));
    this.#walletFrozen.set(lostWallet, false);
    this.#retired.add(lostWallet);
    this.#move(lostWallet, newWallet, this.balanceOf(lostWallet));
    return OK;
  }

  pause(): Outcome {
    if (this.paused) return refused("SecurityTokenPaused");
    this.paused = true;
    return OK;
  }

  unpause(): Outcome {
    if (!this.paused) return refused("SecurityTokenNotPaused");
    this.paused = false;
    return OK;
  }

  /** Before a privileged move of `amount` out of `account`: frozen tokens it takes are unfrozen first. */
  #releaseFrozen(account: string, amount: bigint): void {
    const unfrozen = this.unfrozenOf(account);
    if (amount > unfrozen) this.#frozen.set(account, this.frozenOf(account) - (amount - unfrozen));
  }

  #move(from: string, to: string, amount: bigint): void {
    this.#balances.set(from, this.balanceOf(from) - amount);
    this.#balances.set(to, this.balanceOf(to) + amount);
  }
}
