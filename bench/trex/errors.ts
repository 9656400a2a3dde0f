/** Stable codes of {@link TrexBenchError}: tests and callers branch on these, never on message text. */
export const TrexBenchErrorCode = {
  /** An artifact JSON of `@tokenysolutions/t-rex` or `@onchain-id/solidity` could not be found or parsed. */
  ArtifactUnreadable: "TREX_ARTIFACT_UNREADABLE",
  /** An artifact was read but is not a deployable Hardhat artifact (no ABI, no bytecode, unlinked libraries). */
  ArtifactInvalid: "TREX_ARTIFACT_INVALID",
  /** The installed package is not the version the benchmark is pinned to. */
  VersionMismatch: "TREX_VERSION_MISMATCH",
  /** A transaction produced no receipt, or a receipt lacks the event the deployment step relies on. */
  ReceiptMissing: "TREX_RECEIPT_MISSING",
  /** A contract read returned a value of the wrong shape. */
  UnexpectedValue: "TREX_UNEXPECTED_VALUE",
  /** The chain is not in the state the measurement requires (both holders funded, investors verified, …). */
  PreconditionFailed: "TREX_PRECONDITION_FAILED",
} as const;

export type TrexBenchErrorCode = (typeof TrexBenchErrorCode)[keyof typeof TrexBenchErrorCode];

/**
 * The one error class of the T-REX benchmark: a stable {@link TrexBenchErrorCode} and, where there is one, the
 * underlying error as `cause`.
 *
 * @example
 *   try { await trexGas(connection); } catch (error) {
 *     if (error instanceof TrexBenchError && error.code === TrexBenchErrorCode.VersionMismatch) { ... }
 *   }
 */
export class TrexBenchError extends Error {
  override readonly name = "TrexBenchError";
  readonly code: TrexBenchErrorCode;

  constructor(code: TrexBenchErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
