import type { Hex } from "./types.ts";

/**
 * The on-chain forms of a trade's identifiers: a trade number as a big-endian bytes32 (the DvP contract keeps one bit
 * per trade number, so consecutive numbers share a storage word), an investor code as a bytes32 string (left-aligned
 * ASCII, zero-padded, as Solidity's `bytes32("JP-INV-0001")`).
 */

const MAX_BYTES32 = (1n << 256n) - 1n;

/** A trade number as the bytes32 trade ID. */
export function tradeIdOf(tradeNumber: bigint): Hex {
  if (tradeNumber <= 0n || tradeNumber > MAX_BYTES32) {
    throw new RangeError(`a trade number is between 1 and 2^256 - 1, got ${tradeNumber}`);
  }
  return `0x${tradeNumber.toString(16).padStart(64, "0")}`;
}

/** The trade number of a bytes32 trade ID. */
export function tradeNumberOf(tradeId: Hex): bigint {
  return BigInt(tradeId);
}

/** An investor code (printable ASCII, at most 31 characters) as a bytes32 string. */
export function investorIdOf(code: string): Hex {
  if (!/^[\x21-\x7e]{1,31}$/.test(code)) {
    throw new RangeError(
      `an investor code is 1 to 31 printable ASCII characters, got ${JSON.stringify(code)}`,
    );
  }
  let hex = "";
  for (const character of code) hex += character.charCodeAt(0).toString(16).padStart(2, "0");
  return `0x${hex.padEnd(64, "0")}`;
}

/** The investor code of a bytes32 string (trailing zero bytes dropped). */
export function investorCodeOf(investorId: Hex): string {
  const hex = investorId.slice(2).replace(/(00)+$/, "");
  let code = "";
  for (let index = 0; index < hex.length; index += 2)
    code += String.fromCharCode(parseInt(hex.slice(index, index + 2), 16));
  return code;
}
