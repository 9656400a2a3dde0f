import type { ContractTransactionReceipt } from "ethers";
import type { NetworkConnection } from "hardhat/types/network";

import { deployStablecoin, jpyParams, stablecoinAccounts } from "../../test/support/stablecoin.ts";
import { trexArtifact } from "./artifacts.ts";
import { at, callBigInt, callBool, deploy, onlyEventOf, send } from "./chain.ts";
import { TrexBenchError, TrexBenchErrorCode } from "./errors.ts";
import { TREX_BENCH, deployTrexSuite, onboardInvestor } from "./suite.ts";
import type { GasBenchmark } from "../types.ts";

/**
 * The ERC-3643 suite's delivery-versus-delivery contract, `DVDTransferManager` (T-REX 4.1.6), settling the same
 * trade as our DvP benchmark: the seller (alice) delivers T-REX security tokens, the buyer (bob) pays in our yen
 * stablecoin. The T-REX token is in the production layout of `gas.trex.transfer` (bench/trex/suite.ts), the
 * `DVDTransferManager` is deployed from the package's artifact, no fees are set. Measured: the seller's
 * `initiateDVDTransfer` (after approving the manager on the T-REX token) and the buyer's `takeDVDTransfer` (after
 * approving it on the coin), with both parties holding both assets before and after.
 */

/** The trade: quantity of T-REX units and the price in yen per unit. */
export const DVD_TRADE = { quantity: 100n, price: 990_000n } as const;

/** The metrics this benchmark reports. */
export const DVD_METRICS = { initiate: "gas.trex.dvd.initiate", take: "gas.trex.dvd.take" } as const;

/** One run: the figures and the two measured receipts. */
export interface TrexDvdRun {
  readonly metrics: Record<(typeof DVD_METRICS)[keyof typeof DVD_METRICS], number>;
  readonly initiate: ContractTransactionReceipt;
  readonly take: ContractTransactionReceipt;
  /** Balances (T-REX units, yen) of seller and buyer before and after the take. */
  readonly balances: {
    readonly before: { seller: [bigint, bigint]; buyer: [bigint, bigint] };
    readonly after: { seller: [bigint, bigint]; buyer: [bigint, bigint] };
  };
}

/**
 * Deploys T-REX and the yen coin on `connection`, funds alice and bob with both, then measures alice's
 * `initiateDVDTransfer` and bob's `takeDVDTransfer` of {@link DVD_TRADE}.
 *
 * @throws {TrexBenchError} `TREX_PRECONDITION_FAILED` when the take does not move exactly the trade's two legs.
 * @example
 *   const run = await runTrexDvdBenchmark(connection);
 *   console.log(run.metrics["gas.trex.dvd.take"]);
 */
export async function runTrexDvdBenchmark(connection: NetworkConnection<"l1">): Promise<TrexDvdRun> {
  const { ethers } = connection;
  const deployment = await deployTrexSuite(connection);
  const { token, accounts } = deployment;
  const { alice, bob, agent } = accounts;
  await onboardInvestor(deployment, alice, "alice");
  await onboardInvestor(deployment, bob, "bob");
  await send(token, "mint", alice.address, TREX_BENCH.mintEach);
  await send(token, "mint", bob.address, TREX_BENCH.mintEach);
  if (await callBool(token, "paused")) await send(token, "unpause");

  const manager = await deploy(trexArtifact("DVDTransferManager"), accounts.deployer);
  const managerAddress = await manager.getAddress();

  // The yen coin, every role with one trust-bank account (the ninth signer, unused by the T-REX suite).
  const signers = await ethers.getSigners();
  const trustBank = signers[8];
  if (trustBank === undefined) {
    throw new TrexBenchError(TrexBenchErrorCode.PreconditionFailed, "the DVD benchmark needs 9 accounts");
  }
  const roles = {
    admin: trustBank.address,
    upgrader: trustBank.address,
    masterMinter: trustBank.address,
    compliance: trustBank.address,
    pauser: trustBank.address,
    rescuer: trustBank.address,
  };
  const { stablecoin: jpy } = await deployStablecoin(ethers, {
    ...jpyParams(await stablecoinAccounts(ethers), 0n),
    ...roles,
  });
  const bank = jpy.connect(trustBank);
  await (await bank.allowAccounts([trustBank.address, alice.address, bob.address, managerAddress])).wait();
  await (await bank.configureMinter(trustBank.address, 10n ** 12n)).wait();
  const amount = DVD_TRADE.quantity * DVD_TRADE.price;
  await (await bank.mint(alice.address, amount)).wait();
  await (await bank.mint(bob.address, amount * 2n)).wait();

  // The seller approves the manager on the T-REX token and initiates; the buyer approves on the coin and takes.
  await send(
    at(trexArtifact("Token"), String(token.target), alice),
    "approve",
    managerAddress,
    DVD_TRADE.quantity,
  );
  const initiate = await send(
    at(trexArtifact("DVDTransferManager"), managerAddress, alice),
    "initiateDVDTransfer",
    String(token.target),
    DVD_TRADE.quantity,
    bob.address,
    await jpy.getAddress(),
    amount,
  );
  const transferId = String(
    onlyEventOf(manager, initiate, "DVDTransferInitiated").args.getValue("transferID"),
  );
  await (await jpy.connect(bob).approve(managerAddress, amount)).wait();

  const balancesOf = async (): Promise<{ seller: [bigint, bigint]; buyer: [bigint, bigint] }> => ({
    seller: [await callBigInt(token, "balanceOf", alice.address), await jpy.balanceOf(alice.address)],
    buyer: [await callBigInt(token, "balanceOf", bob.address), await jpy.balanceOf(bob.address)],
  });
  const before = await balancesOf();
  const take = await send(
    at(trexArtifact("DVDTransferManager"), managerAddress, bob),
    "takeDVDTransfer",
    transferId,
  );
  const after = await balancesOf();
  const moved =
    after.seller[0] === before.seller[0] - DVD_TRADE.quantity &&
    after.buyer[0] === before.buyer[0] + DVD_TRADE.quantity &&
    after.seller[1] === before.seller[1] + amount &&
    after.buyer[1] === before.buyer[1] - amount &&
    [...after.seller, ...after.buyer].every((balance) => balance > 0n);
  if (!moved) {
    throw new TrexBenchError(
      TrexBenchErrorCode.PreconditionFailed,
      `takeDVDTransfer did not move exactly the trade's legs between funded holders (agent ${agent.address})`,
    );
  }
  onlyEventOf(manager, take, "DVDTransferExecuted");
  return {
    metrics: {
      [DVD_METRICS.initiate]: Number(initiate.gasUsed),
      [DVD_METRICS.take]: Number(take.gasUsed),
    },
    initiate,
    take,
    balances: { before, after },
  };
}

/** `npm run bench` entry: `gas.trex.dvd.initiate` and `gas.trex.dvd.take`. */
export const trexDvdGas: GasBenchmark = async (connection) => (await runTrexDvdBenchmark(connection)).metrics;
