import { type Abi, BaseError, ContractFunctionRevertedError, type Hex, decodeErrorResult } from "viem";

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

/**
 * A contract's refusal as the project's typed error: the custom error's name and arguments, and a stable code derived
 * from the name (`DvPTradeNotOpen` → `REVERT_DVP_TRADE_NOT_OPEN`, `ERC7943CannotSend` → `REVERT_ERC7943_CANNOT_SEND`).
 * Services branch on `code` (or `errorName`), never on the message.
 *
 * @example
 *   try { await sender.send(key, request); } catch (error) {
 *     if (error instanceof ContractRevertError && error.errorName === "DvPTradeAlreadyReported") …
 *   }
 */
export class ContractRevertError extends ClearchainError {
  override name = "ContractRevertError";
  /** The custom error's name, e.g. `DvPTradeNotOpen`. */
  readonly errorName: string;
  /** Its arguments, in order. */
  readonly args: readonly unknown[];

  constructor(refusal: Refusal, options: { what?: string; cause?: unknown } = {}) {
    const prefix = options.what === undefined ? "" : `${options.what}: `;
    super(revertCode(refusal.name), `${prefix}refused with ${formatRefusal(refusal)}`, {
      cause: options.cause,
      details: { errorName: refusal.name, args: refusal.args.map((arg) => String(arg)) },
    });
    this.errorName = refusal.name;
    this.args = refusal.args;
  }
}

/** The stable code of a custom error name: `REVERT_` and the name in upper snake case. */
export function revertCode(errorName: string): string {
  const snake = errorName
    .replace(/DvP/g, "Dvp")
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toUpperCase();
  return `REVERT_${snake}`;
}

/** The raw revert data (a custom error's selector and arguments) somewhere in an error's cause chain, if any. */
export function revertDataOf(error: unknown): Hex | undefined {
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 16; depth++) {
    const data = (current as { data?: unknown }).data;
    if (typeof data === "string" && /^0x[0-9a-fA-F]{8,}$/.test(data)) return data as Hex;
    if (typeof data === "object" && data !== null) {
      const nested = (data as { data?: unknown }).data;
      if (typeof nested === "string" && /^0x[0-9a-fA-F]{8,}$/.test(nested)) return nested as Hex;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * The one place a revert becomes a typed error: decodes the custom error of `error` (raw revert data anywhere in its
 * cause chain, or a viem-decoded contract revert) with `abi`, and returns it as a {@link ContractRevertError};
 * `undefined` when `error` is no contract revert (a network failure, for instance) or names an error `abi` lacks.
 *
 * @example
 *   const refused = toContractRevertError(error, settlementErrorsAbi, "reportTrade 20261201000001");
 *   if (refused === undefined) throw error;
 */
export function toContractRevertError(
  error: unknown,
  abi: Abi,
  what?: string,
): ContractRevertError | undefined {
  const decoded = decodeRefusal(error);
  if (decoded !== undefined) return new ContractRevertError(decoded, { what, cause: error });
  const data = revertDataOf(error);
  if (data === undefined) return undefined;
  try {
    const result = decodeErrorResult({ abi, data });
    return new ContractRevertError(
      { name: result.errorName, args: result.args ?? [] },
      { what, cause: error },
    );
  } catch {
    return undefined;
  }
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
