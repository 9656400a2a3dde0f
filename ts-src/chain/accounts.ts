/**
 * The keys a service signs with: local accounts (the private key in the process), so that a transaction is signed and
 * its hash journalled before it is broadcast, and a restart can always find it again (see ./sender.ts).
 */
import type { Hex, LocalAccount } from "viem";
import { mnemonicToAccount, privateKeyToAccount } from "viem/accounts";

import type { Address } from "../settlement/types.ts";
import { ChainError } from "./errors.ts";

/** The development mnemonic of Hardhat's networks (in-process and `npx hardhat node`): public, for local chains only. */
export const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";

/**
 * The accounts a service holds keys for, by address.
 *
 * @example
 *   const keys = KeyRing.fromMnemonic(HARDHAT_MNEMONIC, 20);
 *   const exchange = keys.account("0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
 */
export class KeyRing {
  readonly #accounts = new Map<string, LocalAccount>();

  constructor(accounts: Iterable<LocalAccount>) {
    for (const account of accounts) this.#accounts.set(account.address.toLowerCase(), account);
  }

  /** The first `count` accounts of a BIP-39 mnemonic (path m/44'/60'/0'/0/i, as Hardhat and most wallets). */
  static fromMnemonic(mnemonic: string, count: number): KeyRing {
    return new KeyRing(
      Array.from({ length: count }, (_, index) => mnemonicToAccount(mnemonic, { addressIndex: index })),
    );
  }

  /** Accounts from private keys. */
  static fromPrivateKeys(keys: readonly Hex[]): KeyRing {
    return new KeyRing(keys.map((key) => privateKeyToAccount(key)));
  }

  /** Whether a key for `address` is held. */
  has(address: string): boolean {
    return this.#accounts.has(address.toLowerCase());
  }

  /**
   * The account of `address`.
   *
   * @throws {ChainError} `CHAIN_NO_KEY` when no key for it is held.
   */
  account(address: string): LocalAccount {
    const account = this.#accounts.get(address.toLowerCase());
    if (account === undefined) {
      throw new ChainError("CHAIN_NO_KEY", `no key is held for ${address}`, { details: { address } });
    }
    return account;
  }

  /** Every address held, lower case. */
  addresses(): Address[] {
    return [...this.#accounts.keys()] as Address[];
  }
}
