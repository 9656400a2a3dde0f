import { type Hex, parseAbiItem } from "viem";

import { type CaseOptions, generateAutomationCase } from "../../scripts/demo/case.ts";
import { type AutomationWorld, automationWorld } from "../../scripts/demo/world.ts";
import type { Address } from "../../ts-src/settlement/types.ts";

/**
 * The margin-call automation's tests on the in-process network: a world from a generated case (scripts/demo/case.ts),
 * and what the tests read from the escrow's events. The services are opened by `openServices` (scripts/demo/world.ts):
 * on journal files named after a tag, so that a test can close them (a crash) and open new ones on the same files (a
 * restart).
 */

/** A small case: two participants with a customer each, three days, the shock's intraday cycle on the second. */
export const SMALL_CASE: CaseOptions = {
  seed: 3,
  participants: 2,
  customersPerParticipant: 1,
  days: 3,
  shockDay: 2,
};

/** A world from a generated case, written to a folder of its own. */
export async function caseWorld(options: CaseOptions, folder: string): Promise<AutomationWorld> {
  return automationWorld({ folder, files: generateAutomationCase(options).files });
}

/** Every escrow event of one kind since block 0, decoded by viem. */
export async function escrowLogs(world: AutomationWorld, signature: string) {
  return world.client.getLogs({
    address: world.deployment.contracts.escrow,
    event: parseAbiItem(signature) as never,
    fromBlock: 0n,
  }) as Promise<{ args: Record<string, unknown>; transactionHash: Hex; blockNumber: bigint }[]>;
}

/** The collateral movements of the escrow (deposits, withdrawals, substitutions, seizures), by kind and account. */
export async function movements(world: AutomationWorld): Promise<string[]> {
  const [deposits, withdrawals, substitutions, seizures] = await Promise.all([
    escrowLogs(
      world,
      "event Deposited(bytes32 indexed account, address indexed asset, address indexed from, uint256 amount)",
    ),
    escrowLogs(
      world,
      "event Withdrawn(bytes32 indexed account, address indexed asset, address indexed to, uint256 amount)",
    ),
    escrowLogs(
      world,
      "event Substituted(bytes32 indexed account, address indexed by, (address asset, uint256 amount)[] ins, (address asset, uint256 amount)[] outs)",
    ),
    escrowLogs(
      world,
      "event CollateralSeized(bytes32 indexed account, address indexed asset, address indexed to, uint256 amount, bool forced)",
    ),
  ]);
  const line = (kind: string, args: Record<string, unknown>) =>
    `${kind} ${String(args.account)} ${JSON.stringify(args, (_, v) => (typeof v === "bigint" ? v.toString() : v))}`;
  return [
    ...deposits.map((l) => line("deposit", l.args)),
    ...withdrawals.map((l) => line("withdrawal", l.args)),
    ...substitutions.map((l) => line("substitution", l.args)),
    ...seizures.map((l) => line("seizure", l.args)),
  ].sort();
}

/** Lower-case address. */
export const lower = (address: string): Address => address.toLowerCase() as Address;
