import { BaseError, ContractFunctionRevertedError } from "viem";

/** A contract's refusal, decoded from its custom error: the error's name and its arguments. */
export interface Refusal {
  /** The custom error's name, e.g. `ERC7943CannotReceive`. */
  name: string;
  /** Its arguments, in order. */
  args: readonly unknown[];
}

/**
 * Decodes the custom error a contract call reverted with, from any error viem threw for it (the decoded
 * `ContractFunctionRevertedError` is somewhere in the error's cause chain). Returns `undefined` when the error is
 * not a decoded contract revert (a network failure, an unknown error selector…).
 *
 * @example
 *   try {
 *     await token.write.transfer([to, 10n]);
 *   } catch (error) {
 *     const refusal = decodeRefusal(error); // { name: "ERC7943CannotReceive", args: [to] }
 *     if (refusal === undefined) throw error;
 *   }
 */
export function decodeRefusal(error: unknown): Refusal | undefined {
  if (!(error instanceof BaseError)) return undefined;
  const reverted = error.walk((cause) => cause instanceof ContractFunctionRevertedError);
  if (!(reverted instanceof ContractFunctionRevertedError) || reverted.data === undefined) return undefined;
  return { name: reverted.data.errorName, args: reverted.data.args ?? [] };
}

/** A refusal as one line: `Name(arg, arg)`, addresses and numbers as they are. */
export function formatRefusal(refusal: Refusal): string {
  return `${refusal.name}(${refusal.args.map((arg) => String(arg)).join(", ")})`;
}
