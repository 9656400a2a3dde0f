/**
 * The deployment file of the settlement service: which chain, which DvP contract, and which accounts act as the
 * exchange node, the settlement submitter and the stablecoin issuer's minter. One JSON object:
 *
 *   {"chainId": 31337, "dvp": "0x…", "exchange": "0x…", "settler": "0x…", "minter": "0x…"}
 */

import { readJsonObject } from "../shared/json-input.ts";
import { SettlementError } from "./errors.ts";
import type { Address } from "./types.ts";

/** The contracts and accounts the service works with. */
export interface SettlementDeployment {
  readonly chainId: number;
  /** The DvP contract. */
  readonly dvp: Address;
  /** The exchange node's account (holds the DvP's EXCHANGE_ROLE): reports and cancels trades. */
  readonly exchange: Address;
  /** The account that submits settlements (anyone may: the parties' consents decide). */
  readonly settler: Address;
  /** The stablecoin issuer's minter: mints a buyer's top-up against yen placed in trust. */
  readonly minter: Address;
}

const ADDRESS_FIELDS = ["dvp", "exchange", "settler", "minter"] as const;

/**
 * Reads a deployment file.
 *
 * @throws {SettlementError} `SETTLEMENT_BAD_DEPLOYMENT` naming the file and the field.
 * @example
 *   const deployment = readDeployment("deployment.json");
 */
export function readDeployment(path: string): SettlementDeployment {
  const fail = (problem: string): SettlementError =>
    new SettlementError("SETTLEMENT_BAD_DEPLOYMENT", `${path}: ${problem}`, { details: { file: path } });
  const record = readJsonObject(path, fail);
  const chainId = record.chainId;
  if (typeof chainId !== "number" || !Number.isSafeInteger(chainId) || chainId <= 0) {
    throw fail(`chainId must be a positive integer, got ${JSON.stringify(chainId)}`);
  }
  const addresses = {} as Record<(typeof ADDRESS_FIELDS)[number], Address>;
  for (const field of ADDRESS_FIELDS) {
    const text = record[field];
    if (typeof text !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(text)) {
      throw fail(`${field} must be a 20-byte hex address, got ${JSON.stringify(text)}`);
    }
    addresses[field] = text.toLowerCase() as Address;
  }
  for (const key of Object.keys(record)) {
    if (key !== "chainId" && !(ADDRESS_FIELDS as readonly string[]).includes(key))
      throw fail(`unknown field ${key}`);
  }
  return { chainId, ...addresses };
}
