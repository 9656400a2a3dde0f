/**
 * The implementation of `ccp participant-agent` (./participant-agent.ts registers it). It checks, before sending
 * anything: the deployment file, the participant (`AUTOMATION_UNKNOWN_PARTICIPANT`), the chain
 * (`CHAIN_RPC_FAILED`, `DEPLOYMENT_WRONG_CHAIN`, `DEPLOYMENT_NO_CODE`), its keys (`CHAIN_NO_KEY`), that no other
 * process signs with them (`AUTOMATION_KEY_IN_USE`), and that its accounts are its own on chain
 * (`AUTOMATION_NOT_ACCOUNT_OWNER`); then it passes every `--poll-interval` (a call issued while it was down is found
 * on its first pass), printing what each pass answered. `--answer-call <id>` answers one call and stops
 * (`AUTOMATION_UNMANAGED_ACCOUNT` for another participant's account).
 */
import { join } from "node:path";

import { ChainError } from "../chain/errors.ts";
import type { Leg } from "../collateral/allocation.ts";
import { readCollateralPricing } from "../services/ccp-data.ts";
import { checkDeploymentOnChain, readSuiteDeployment } from "../services/deployment.ts";
import { AutomationError } from "../services/errors.ts";
import { Journal } from "../services/journal.ts";
import { KeyLocks } from "../services/key-lock.ts";
import { type CallOutcome, ParticipantAgent, type PassSummary } from "../services/participant-agent.ts";
import { Fraction, parseDecimal } from "../shared/fraction.ts";
import { defaultJournal } from "./ccp-service-run.ts";
import { formatYen, renderTable, toJson } from "./format.ts";
import type { Output } from "./io.ts";
import {
  connectChain,
  pauseAt,
  serviceKeys,
  serviceOutput,
  stopOnSignal,
  withCheckpoint,
} from "./service-common.ts";

/** What `ccp participant-agent` takes. */
export interface AgentCommandOptions {
  readonly participant: string;
  readonly deployment: string;
  readonly network: string;
  readonly journal?: string;
  readonly data?: string;
  readonly trustRate?: string;
  readonly buffer: number;
  readonly releaseThreshold: number;
  readonly horizonDays: number;
  readonly carry: Record<string, number>;
  readonly pollInterval: number;
  readonly once?: boolean;
  readonly passes?: number;
  readonly answerCall?: string;
  readonly lockDir?: string;
  readonly json?: boolean;
}

/**
 * A pass as a table: each call and what answered it, each excess returned.
 *
 * @example
 *   console.log(passTable("CP1", summary));
 */
export function passTable(
  participant: string,
  pass: PassSummary,
  symbol: (asset: string) => string = (a) => a,
): string {
  const legs = (list: readonly Leg[]) =>
    list.map((leg) => `${leg.quantity} ${symbol(leg.asset)}`).join(" + ") || "–";
  const rows: string[][] = [
    ...pass.calls.map((call: CallOutcome) => [
      call.account,
      `call ${call.callId}`,
      call.answer === "insufficient"
        ? `no inventory left: short ${formatYen(call.shortfall ?? 0n)} (reported)`
        : call.answer,
      legs(call.deposits),
      legs(call.releases),
      call.met ? "met" : "open",
    ]),
    ...pass.releases.map((release) => [release.account, "excess", "withdrawal", "–", legs(release.legs), ""]),
  ];
  return `${participant}: ${pass.calls.length} calls, ${pass.releases.length} returns\n${renderTable(
    ["account", "what", "answer", "in", "out", "call"],
    rows,
    6,
  )}`;
}

/** Runs the agent (see the module notes). */
export async function runParticipantAgent(options: AgentCommandOptions, output: Output): Promise<void> {
  const deployment = readSuiteDeployment(options.deployment);
  const trustRate = trustRateOf(options);
  const participant = deployment.participants.find((p) => p.id === options.participant);
  if (participant === undefined) {
    throw new AutomationError(
      "AUTOMATION_UNKNOWN_PARTICIPANT",
      `participant ${options.participant} is not in ${options.deployment} (it has ${deployment.participants.map((p) => p.id).join(", ") || "none"})`,
      { details: { participant: options.participant } },
    );
  }
  const { client, chainId, url } = await connectChain(options.network);
  await checkDeploymentOnChain(client, deployment, url);
  const keys = await serviceKeys(
    chainId,
    (message) => new ChainError("CHAIN_NO_KEY", message, { details: { chainId } }),
  );
  const { logger, progress } = serviceOutput(`agent ${participant.id}`, options.json === true);
  const journal = Journal.open(
    options.journal ?? defaultJournal(options.deployment, `agent-${participant.id}`),
  );
  let locks: KeyLocks | undefined;
  try {
    const agent = new ParticipantAgent({
      client,
      keys,
      journal,
      deployment,
      participant: participant.id,
      logger,
      progress,
      trustRate,
      bufferBps: options.buffer,
      releaseThresholdBps: options.releaseThreshold,
      horizonDays: options.horizonDays,
      carryBps: options.carry,
      pollIntervalMs: options.pollInterval,
      ...withCheckpoint(pauseAt(logger)),
    });
    for (const signer of agent.signers) keys.account(signer);
    locks = KeyLocks.acquire({
      chainId,
      addresses: agent.signers,
      owner: `participant-agent ${participant.id}`,
      ...(options.lockDir === undefined ? {} : { directory: options.lockDir }),
    });
    await agent.start();
    if (options.answerCall !== undefined) {
      const outcome = await agent.answerCall(BigInt(options.answerCall));
      const pass: PassSummary = { calls: [outcome], releases: [], accounts: [] };
      output.out(
        options.json === true ? toJson(pass) : passTable(participant.id, pass, (a) => agent.symbol(a)),
      );
      return;
    }
    const stop = stopOnSignal(logger);
    let passes = 0;
    await agent.run({
      until: () =>
        stop() || options.once === true || (options.passes !== undefined && passes >= options.passes),
      onPass: (pass) => {
        passes += 1;
        if (options.json === true) output.out(toJson(pass));
        else if (
          pass.calls.some((call) => call.repeat !== true) ||
          pass.releases.length > 0 ||
          options.once === true
        ) {
          output.out(passTable(participant.id, pass, (a) => agent.symbol(a)));
        }
      },
    });
  } finally {
    journal.close();
    locks?.release();
  }
}

/** The yen trust rate: `--trust-rate`, or the CCP's collateral.json in `--data`, or 0. */
function trustRateOf(options: AgentCommandOptions): Fraction {
  if (options.trustRate !== undefined) {
    const rate = parseDecimal(options.trustRate);
    if (rate === undefined) {
      throw new AutomationError(
        "AUTOMATION_BAD_INPUT",
        `--trust-rate takes a decimal, got ${options.trustRate}`,
        {
          details: { trustRate: options.trustRate },
        },
      );
    }
    return rate;
  }
  if (options.data !== undefined)
    return readCollateralPricing(join(options.data, "collateral.json")).trustRate;
  return Fraction.ZERO;
}
