import type { Account, Address, Chain, Hex, Transport, WalletClient } from "viem";

/** What an EIP-3009 `transferWithAuthorization` or `receiveWithAuthorization` authorises. */
export interface TransferAuthorization {
  from: Address;
  to: Address;
  /** Amount in the coin's base units. */
  value: bigint;
  /** Unix seconds: valid strictly after this time. */
  validAfter: bigint;
  /** Unix seconds: valid strictly before this time. */
  validBefore: bigint;
  /** A random 32-byte nonce, used at most once per `from`. */
  nonce: Hex;
}

/** The EIP-712 domain of a stablecoin (contracts/tokens/Stablecoin.sol): its name, version "1", chain, proxy address. */
export interface CoinDomain {
  name: string;
  chainId: number;
  verifyingContract: Address;
}

const AUTHORIZATION_FIELDS = [
  { name: "from", type: "address" },
  { name: "to", type: "address" },
  { name: "value", type: "uint256" },
  { name: "validAfter", type: "uint256" },
  { name: "validBefore", type: "uint256" },
  { name: "nonce", type: "bytes32" },
] as const;

/**
 * Signs an EIP-3009 authorisation with the payer's wallet, off-chain: anyone (for `transfer…`) or the payee (for
 * `receive…`) then submits it with the signature, and the payer needs no gas. Returns the 65-byte signature for the
 * coin's `bytes signature` overloads.
 *
 * @example
 *   const signature = await signTransferAuthorization(payerWallet, {
 *     domain: { name: "Clearchain Yen", chainId: 31337, verifyingContract: coin.address },
 *     kind: "transfer",
 *     authorization: { from: payer, to: payee, value: 1_000_000n, validAfter: 0n, validBefore, nonce },
 *   });
 *   await coin.write.transferWithAuthorization([payer, payee, 1_000_000n, 0n, validBefore, nonce, signature]);
 */
export async function signTransferAuthorization(
  wallet: WalletClient<Transport, Chain | undefined, Account>,
  parameters: { domain: CoinDomain; kind: "transfer" | "receive"; authorization: TransferAuthorization },
): Promise<Hex> {
  const { domain, kind, authorization } = parameters;
  const primaryType = kind === "transfer" ? "TransferWithAuthorization" : "ReceiveWithAuthorization";
  return wallet.signTypedData({
    account: wallet.account,
    domain: { ...domain, version: "1" },
    types: { [primaryType]: AUTHORIZATION_FIELDS },
    primaryType,
    message: { ...authorization },
  });
}
