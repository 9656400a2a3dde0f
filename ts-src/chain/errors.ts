import { ClearchainError } from "../shared/errors.ts";

/** Stable codes of {@link ChainError}. */
export const CHAIN_ERROR_CODES = [
  /** An RPC call kept failing (network error, timeout, node unavailable) after every retry. */
  "CHAIN_RPC_FAILED",
  /** The account's nonce on chain is ahead of everything this sender sent: another process sends for it. */
  "CHAIN_NONCE_COLLISION",
  /** The node refused a signed transaction for a reason other than a revert (funds, fees, nonce). */
  "CHAIN_TX_REJECTED",
  /** A transaction was mined but reverted, without a custom error the caller's ABI knows. */
  "CHAIN_TX_REVERTED",
  /** A broadcast transaction was not mined within the sender's receipt timeout (rebroadcast meanwhile). */
  "CHAIN_RECEIPT_TIMEOUT",
  /** A remote signer's answer does not match what was asked (another signer, other fields): refused, nothing sent. */
  "CHAIN_SIGNER_MISMATCH",
  /** No key signs for the account. */
  "CHAIN_NO_KEY",
  /** An account name that cannot be an escrow account ID (1–31 printable ASCII characters). */
  "CHAIN_BAD_ACCOUNT_ID",
] as const;

export type ChainErrorCode = (typeof CHAIN_ERROR_CODES)[number];

/**
 * A failure talking to the chain that is not a contract's refusal (those are `ContractRevertError`s, see
 * ./revert.ts).
 *
 * @example
 *   if (error instanceof ChainError && error.code === "CHAIN_NONCE_COLLISION") process.exit(1);
 */
export class ChainError extends ClearchainError<ChainErrorCode> {
  override name = "ChainError";
}
