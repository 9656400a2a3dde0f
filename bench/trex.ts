import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { Contract, ContractTransactionReceipt } from "ethers";
import type { NetworkConnection } from "hardhat/types/network";

import { trexArtifact } from "./trex/artifacts.ts";
import { at, callBigInt, callBool, eventsOf, send } from "./trex/chain.ts";
import { TrexBenchError, TrexBenchErrorCode } from "./trex/errors.ts";
import { TREX_BENCH, type TrexDeployment, deployTrexSuite, onboardInvestor } from "./trex/suite.ts";
import type { GasBenchmark } from "./types.ts";

/**
 * Gas of the ERC-3643 reference implementation (T-REX 4.1.6), the yardstick for our security token: the receipt
 * `gasUsed` of one holder-to-holder `transfer` and one agent `forcedTransfer`, on the production layout (token and
 * registries behind proxies resolved through the implementation authority; one claim topic, one trusted issuer, no
 * compliance module). See bench/trex/suite.ts for the deployment.
 */

/** Token units moved by each measured transaction (of {@link TREX_BENCH}.mintEach held by each investor). */
export const TREX_TRANSFER_AMOUNT = 100n;

/** The metrics this benchmark reports. */
export const TREX_METRICS = {
  transfer: "gas.trex.transfer",
  forcedTransfer: "gas.trex.forcedTransfer",
} as const;

/** Everything one run produced: the figures, the deployment they were measured on, and the measured receipts. */
export interface TrexGasRun {
  readonly metrics: Record<(typeof TREX_METRICS)[keyof typeof TREX_METRICS], number>;
  readonly deployment: TrexDeployment;
  readonly identities: { readonly alice: string; readonly bob: string };
  readonly transfer: ContractTransactionReceipt;
  readonly forcedTransfer: ContractTransactionReceipt;
}

/**
 * Deploys T-REX on `connection`, onboards and funds two investors, then measures, with both balances non-zero before
 * and after each: Alice's `transfer` to Bob, and the agent's `forcedTransfer` from Bob back to Alice.
 *
 * @throws {TrexBenchError} with a stable `code` when an artifact is missing or the chain is not in the state measured.
 * @example
 *   const run = await runTrexBenchmark(connection);
 *   console.log(run.metrics["gas.trex.transfer"]);
 */
export async function runTrexBenchmark(connection: NetworkConnection<"l1">): Promise<TrexGasRun> {
  const deployment = await deployTrexSuite(connection);
  const { token, accounts } = deployment;
  const { alice, bob, agent } = accounts;

  const identities = {
    alice: await onboardInvestor(deployment, alice, "alice"),
    bob: await onboardInvestor(deployment, bob, "bob"),
  };
  await send(token, "mint", alice.address, TREX_BENCH.mintEach);
  await send(token, "mint", bob.address, TREX_BENCH.mintEach);
  // A T-REX token starts paused; its agent unpauses it once the holders are set up.
  if (await callBool(token, "paused")) await send(token, "unpause");

  const transfer = await measure(deployment, alice, bob, () =>
    send(tokenAs(deployment, alice), "transfer", bob.address, TREX_TRANSFER_AMOUNT),
  );
  const forcedTransfer = await measure(deployment, bob, alice, () =>
    send(tokenAs(deployment, agent), "forcedTransfer", bob.address, alice.address, TREX_TRANSFER_AMOUNT),
  );

  return {
    metrics: {
      [TREX_METRICS.transfer]: gasOf(transfer),
      [TREX_METRICS.forcedTransfer]: gasOf(forcedTransfer),
    },
    deployment,
    identities,
    transfer,
    forcedTransfer,
  };
}

/** The benchmark entry point for `npm run bench`: `gas.trex.transfer` and `gas.trex.forcedTransfer`. */
export const trexGas: GasBenchmark = async (connection) => (await runTrexBenchmark(connection)).metrics;

/**
 * Runs `action` (a transfer of {@link TREX_TRANSFER_AMOUNT} from `from` to `to`) and returns its receipt, after checking
 * that both are holders before and after, and that the receipt moved exactly that amount between them.
 */
async function measure(
  deployment: TrexDeployment,
  from: HardhatEthersSigner,
  to: HardhatEthersSigner,
  action: () => Promise<ContractTransactionReceipt>,
): Promise<ContractTransactionReceipt> {
  const before = await balances(deployment, from, to);
  const receipt = await action();
  const after = await balances(deployment, from, to);

  if (
    after.from !== before.from - TREX_TRANSFER_AMOUNT ||
    after.to !== before.to + TREX_TRANSFER_AMOUNT ||
    [before.from, before.to, after.from, after.to].some((balance) => balance === 0n)
  ) {
    throw new TrexBenchError(
      TrexBenchErrorCode.PreconditionFailed,
      `measured transfer of ${TREX_TRANSFER_AMOUNT} from ${from.address} to ${to.address} must move between two ` +
        `holders: balances ${before.from}/${before.to} before, ${after.from}/${after.to} after`,
    );
  }
  const transfers = eventsOf(deployment.token, receipt, "Transfer");
  const [event] = transfers;
  if (
    event === undefined ||
    transfers.length !== 1 ||
    event.args.getValue("from") !== from.address ||
    event.args.getValue("to") !== to.address ||
    event.args.getValue("value") !== TREX_TRANSFER_AMOUNT
  ) {
    throw new TrexBenchError(
      TrexBenchErrorCode.ReceiptMissing,
      `transaction ${receipt.hash} does not carry exactly the measured Transfer event`,
    );
  }
  return receipt;
}

/** The suite's token, sending as `signer`. */
function tokenAs({ token }: TrexDeployment, signer: HardhatEthersSigner): Contract {
  return at(trexArtifact("Token"), String(token.target), signer);
}

async function balances(
  { token }: TrexDeployment,
  from: HardhatEthersSigner,
  to: HardhatEthersSigner,
): Promise<{ from: bigint; to: bigint }> {
  return {
    from: await callBigInt(token, "balanceOf", from.address),
    to: await callBigInt(token, "balanceOf", to.address),
  };
}

function gasOf(receipt: ContractTransactionReceipt): number {
  const gas = Number(receipt.gasUsed);
  if (!Number.isSafeInteger(gas) || gas <= 0) {
    throw new TrexBenchError(
      TrexBenchErrorCode.UnexpectedValue,
      `gasUsed ${receipt.gasUsed} is not a positive integer`,
    );
  }
  return gas;
}
