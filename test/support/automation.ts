import { join } from "node:path";

import { type Hex, parseAbiItem } from "viem";

import { type CaseOptions, generateAutomationCase } from "../../scripts/demo/case.ts";
import { type AutomationWorld, automationWorld } from "../../scripts/demo/world.ts";
import type { Address } from "../../ts-src/settlement/types.ts";
import type { CcpServiceOptions } from "../../ts-src/services/ccp-service.ts";
import { EmbeddedAutomation } from "../../ts-src/services/embedded.ts";
import { Journal } from "../../ts-src/services/journal.ts";
import { silentLogger } from "../../ts-src/services/logger.ts";
import { type AgentOptions, ParticipantAgent } from "../../ts-src/services/participant-agent.ts";

/**
 * The margin-call automation's tests on the in-process network: a world from a generated case (scripts/demo/case.ts)
 * or the demo's folder, and the CCP service and agents on journal files in the world's scratch folder, so that a test
 * can close them (a crash) and open new ones on the same files (a restart).
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

/** The services of a world, on journal files named after `tag` in the world's scratch folder. */
export interface Services {
  readonly automation: EmbeddedAutomation;
  readonly journals: Journal[];
  close(): void;
}

/**
 * Opens the CCP service and one agent per participant on `tag`'s journals (the same files again after a close).
 *
 * @example
 *   const services = openServices(world, "run", { checkpoint });
 *   await services.automation.runCycle(request, cycleTime(request));
 */
export function openServices(
  world: AutomationWorld,
  tag: string,
  options: {
    checkpoint?: (point: string) => void;
    ccp?: Partial<CcpServiceOptions>;
    agent?: Partial<AgentOptions>;
  } = {},
): Services {
  const journals: Journal[] = [];
  const journal = (name: string) => {
    const opened = Journal.open(join(world.scratch, `${tag}-${name}.sqlite`));
    journals.push(opened);
    return opened;
  };
  const logger = silentLogger();
  const agents = world.deployment.participants.map(
    (participant) =>
      new ParticipantAgent({
        client: world.client,
        keys: world.keys,
        journal: journal(`agent-${participant.id}`),
        deployment: world.deployment,
        participant: participant.id,
        logger,
        trustRate: world.data.pricing.trustRate,
        carryBps: { CUSD: 50 },
        ...(options.checkpoint === undefined ? {} : { checkpoint: options.checkpoint }),
        ...options.agent,
      }),
  );
  const automation = new EmbeddedAutomation({
    ccp: {
      client: world.client,
      keys: world.keys,
      journal: journal("ccp"),
      deployment: world.deployment,
      data: world.data,
      logger,
      ...(options.checkpoint === undefined ? {} : { checkpoint: options.checkpoint }),
      ...options.ccp,
    },
    agents,
    advanceTime: world.advanceTime,
    chainTime: world.chainTime,
  });
  return {
    automation,
    journals,
    close: () => {
      for (const opened of journals) opened.close();
    },
  };
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
