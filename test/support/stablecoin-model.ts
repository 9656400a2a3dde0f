/**
 * A plain TypeScript model of contracts/tokens/Stablecoin.sol, for the model-based property test: every operation
 * returns what the contract must do (succeed, or revert with this custom error and these arguments, checked in the
 * contract's order) and, on success only, changes the model as the contract changes its state.
 *
 * Accounts are address strings (compared case-insensitively); amounts are bigint. Signatures are not modelled:
 * the caller says whether the signature it sends is the authorizer's (`signed`).
 */

/** A custom error the contract must revert with. */
export interface ModelError {
  readonly name: string;
  readonly args: readonly (bigint | string)[];
}

export type Outcome = { readonly ok: true } | { readonly ok: false; readonly error: ModelError };

const OK: Outcome = { ok: true };

function fail(name: string, ...args: (bigint | string)[]): Outcome {
  return { ok: false, error: { name, args } };
}

type AuthorizationStatus = "used" | "canceled";

export class StablecoinModel {
  paused = false;
  totalSupply = 0n;
  /** Sum of every successful mint, and of every successful burn. */
  minted = 0n;
  burned = 0n;

  readonly #balances = new Map<string, bigint>();
  readonly #allowed = new Set<string>();
  readonly #frozen = new Set<string>();
  /** Active minters and the allowance each has left. */
  readonly #minters = new Map<string, bigint>();
  readonly #allowances = new Map<string, bigint>();
  readonly #authorizations = new Map<string, AuthorizationStatus>();

  // ---- views ------------------------------------------------------------------------------------------------

  balanceOf(account: string): bigint {
    return this.#balances.get(key(account)) ?? 0n;
  }

  isAllowed(account: string): boolean {
    return this.#allowed.has(key(account));
  }

  isFrozen(account: string): boolean {
    return this.#frozen.has(key(account));
  }

  isMinter(account: string): boolean {
    return this.#minters.has(key(account));
  }

  minterAllowance(account: string): bigint {
    return this.#minters.get(key(account)) ?? 0n;
  }

  allowance(owner: string, spender: string): bigint {
    return this.#allowances.get(pair(owner, spender)) ?? 0n;
  }

  authorizationState(authorizer: string, nonce: string): boolean {
    return this.#authorizations.has(pair(authorizer, nonce));
  }

  // ---- master minter ----------------------------------------------------------------------------------------

  configureMinter(minter: string, allowance: bigint): Outcome {
    if (this.paused) return fail("EnforcedPause");
    this.#minters.set(key(minter), allowance);
    return OK;
  }

  removeMinter(minter: string): Outcome {
    if (!this.isMinter(minter)) return fail("StablecoinNotMinter", minter);
    this.#minters.delete(key(minter));
    return OK;
  }

  // ---- minters ----------------------------------------------------------------------------------------------

  mint(minter: string, to: string, amount: bigint): Outcome {
    const refused =
      this.#minterError(minter) ??
      (amount === 0n ? fail("StablecoinZeroAmount") : undefined) ??
      this.#allowanceError(minter, amount) ??
      this.#updateError(undefined, to, amount);
    if (refused !== undefined) return refused;
    this.#minters.set(key(minter), this.minterAllowance(minter) - amount);
    this.#credit(to, amount);
    this.totalSupply += amount;
    this.minted += amount;
    return OK;
  }

  burn(minter: string, amount: bigint): Outcome {
    const refused =
      this.#minterError(minter) ??
      (amount === 0n ? fail("StablecoinZeroAmount") : undefined) ??
      this.#updateError(minter, undefined, amount);
    if (refused !== undefined) return refused;
    this.#debit(minter, amount);
    this.totalSupply -= amount;
    this.burned += amount;
    return OK;
  }

  // ---- holders ----------------------------------------------------------------------------------------------

  transfer(from: string, to: string, amount: bigint): Outcome {
    const refused = this.#updateError(from, to, amount);
    if (refused !== undefined) return refused;
    this.#move(from, to, amount);
    return OK;
  }

  approve(owner: string, spender: string, amount: bigint): Outcome {
    const refused = this.#approveError(owner, spender);
    if (refused !== undefined) return refused;
    this.#allowances.set(pair(owner, spender), amount);
    return OK;
  }

  transferFrom(spender: string, from: string, to: string, amount: bigint): Outcome {
    const current = this.allowance(from, spender);
    const refused =
      this.#holderError(spender) ??
      (current < amount ? fail("ERC20InsufficientAllowance", spender, current, amount) : undefined) ??
      this.#updateError(from, to, amount);
    if (refused !== undefined) return refused;
    if (current !== MAX_UINT256) this.#allowances.set(pair(from, spender), current - amount);
    this.#move(from, to, amount);
    return OK;
  }

  // ---- compliance and pause ---------------------------------------------------------------------------------

  allow(account: string): Outcome {
    this.#allowed.add(key(account));
    return OK;
  }

  disallow(account: string): Outcome {
    this.#allowed.delete(key(account));
    return OK;
  }

  freeze(account: string): Outcome {
    this.#frozen.add(key(account));
    return OK;
  }

  unfreeze(account: string): Outcome {
    this.#frozen.delete(key(account));
    return OK;
  }

  pause(): Outcome {
    if (this.paused) return fail("EnforcedPause");
    this.paused = true;
    return OK;
  }

  unpause(): Outcome {
    if (!this.paused) return fail("ExpectedPause");
    this.paused = false;
    return OK;
  }

  // ---- signed payments (EIP-3009); permits are covered by unit tests ----------------------------------------

  /**
   * transferWithAuthorization (caller undefined) or receiveWithAuthorization (caller: who submits it), with a
   * validity window that includes now.
   */
  authorizedTransfer(
    caller: string | undefined,
    from: string,
    to: string,
    amount: bigint,
    nonce: string,
    signed: boolean,
  ): Outcome {
    const refused =
      (caller !== undefined && key(caller) !== key(to)
        ? fail("StablecoinCallerNotPayee", caller, to)
        : undefined) ??
      this.#nonceError(from, nonce) ??
      (signed ? undefined : fail("StablecoinInvalidSignature", from)) ??
      this.#updateError(from, to, amount);
    if (refused !== undefined) return refused;
    this.#authorizations.set(pair(from, nonce), "used");
    this.#move(from, to, amount);
    return OK;
  }

  /** Works while paused: cancelling only uses up a nonce. */
  cancelAuthorization(authorizer: string, nonce: string, signed: boolean): Outcome {
    const refused =
      this.#nonceError(authorizer, nonce) ??
      (signed ? undefined : fail("StablecoinInvalidSignature", authorizer));
    if (refused !== undefined) return refused;
    this.#authorizations.set(pair(authorizer, nonce), "canceled");
    return OK;
  }

  // ---- the contract's checks, in its order --------------------------------------------------------------------

  /** `_requireHolder`: allowed, then not frozen. */
  #holderError(account: string): Outcome | undefined {
    if (!this.isAllowed(account)) return fail("StablecoinNotAllowed", account);
    if (this.isFrozen(account)) return fail("StablecoinAccountFrozen", account);
    return undefined;
  }

  /** `_requireMinter`: a minter, then a holder in good standing. */
  #minterError(minter: string): Outcome | undefined {
    if (!this.isMinter(minter)) return fail("StablecoinNotMinter", minter);
    return this.#holderError(minter);
  }

  #allowanceError(minter: string, amount: bigint): Outcome | undefined {
    const allowance = this.minterAllowance(minter);
    return amount > allowance
      ? fail("StablecoinMinterAllowanceExceeded", minter, allowance, amount)
      : undefined;
  }

  /** `_update`: pause, sender, receiver, then ERC20's balance check (from undefined: mint; to undefined: burn). */
  #updateError(from: string | undefined, to: string | undefined, amount: bigint): Outcome | undefined {
    if (this.paused) return fail("EnforcedPause");
    if (from !== undefined) {
      const sender = this.#holderError(from);
      if (sender !== undefined) return sender;
    }
    if (to !== undefined) {
      const receiver = this.#holderError(to);
      if (receiver !== undefined) return receiver;
    }
    if (from !== undefined && this.balanceOf(from) < amount) {
      return fail("ERC20InsufficientBalance", from, this.balanceOf(from), amount);
    }
    return undefined;
  }

  #approveError(owner: string, spender: string): Outcome | undefined {
    if (this.paused) return fail("EnforcedPause");
    return this.#holderError(owner) ?? this.#holderError(spender);
  }

  #nonceError(authorizer: string, nonce: string): Outcome | undefined {
    const status = this.#authorizations.get(pair(authorizer, nonce));
    if (status === "used") return fail("StablecoinAuthorizationUsed", authorizer, nonce);
    if (status === "canceled") return fail("StablecoinAuthorizationCanceled", authorizer, nonce);
    return undefined;
  }

  #credit(account: string, amount: bigint): void {
    this.#balances.set(key(account), this.balanceOf(account) + amount);
  }

  #debit(account: string, amount: bigint): void {
    this.#balances.set(key(account), this.balanceOf(account) - amount);
  }

  #move(from: string, to: string, amount: bigint): void {
    this.#debit(from, amount);
    this.#credit(to, amount);
  }
}

export const MAX_UINT256 = 2n ** 256n - 1n;

function key(account: string): string {
  return account.toLowerCase();
}

function pair(a: string, b: string): string {
  return `${key(a)}/${key(b)}`;
}
