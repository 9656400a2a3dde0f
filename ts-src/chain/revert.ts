import { BaseError, ContractFunctionRevertedError } from "viem";

import { ClearchainError } from "../shared/errors.ts";

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

/** Why {@link expectRefusal} failed: the transaction went through, or was refused with another error. */
export class RefusalExpectedError extends ClearchainError<"CHAIN_NOT_REFUSED" | "CHAIN_OTHER_REFUSAL"> {
  override name = "RefusalExpectedError";
}

/**
 * Sends a transaction (or call) that a contract must refuse with the custom error `expected`, and returns the
 * refusal. Throws {@link RefusalExpectedError} if it went through (`CHAIN_NOT_REFUSED`) or was refused with another
 * custom error (`CHAIN_OTHER_REFUSAL`); rethrows any failure that is not a contract's refusal.
 *
 * @example
 *   const refusal = await expectRefusal(() => token.write.transfer([carol, 5n]), "ERC7943CannotReceive");
 *   console.log(formatRefusal(refusal)); // ERC7943CannotReceive(0x…)
 */
export async function expectRefusal(send: () => Promise<unknown>, expected: string): Promise<Refusal> {
  try {
    await send();
  } catch (error) {
    const refusal = decodeRefusal(error);
    if (refusal === undefined) throw error;
    if (refusal.name !== expected) {
      throw new RefusalExpectedError(
        "CHAIN_OTHER_REFUSAL",
        `expected ${expected}, got ${formatRefusal(refusal)}`,
        {
          details: { expected, refusal },
        },
      );
    }
    return refusal;
  }
  throw new RefusalExpectedError("CHAIN_NOT_REFUSED", `expected ${expected}, but it went through`, {
    details: { expected },
  });
}
