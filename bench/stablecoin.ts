import type { ContractTransactionReceipt, ContractTransactionResponse } from "ethers";
import type { NetworkConnection } from "hardhat/types/network";

import {
  FAR_FUTURE,
  type FundedStablecoin,
  authorizationNonce,
  deployFundedJpy,
  signAuthorization,
  signPermit,
  stablecoinDomain,
  submitAuthorization,
  submitPermit,
} from "../test/support/stablecoin.ts";
import type { GasBenchmark } from "./types.ts";

/**
 * Gas of the stablecoin's hot paths: the receipt `gasUsed` of one `transfer`, one ERC-3009
 * `transferWithAuthorization` and one EIP-2612 `permit`, on the JPY coin behind its ERC1967Proxy (so every figure
 * includes the proxy's delegatecall), between two allowed holders who both hold yen before and after.
 */

/** The metrics this benchmark reports. */
export const STABLECOIN_METRICS = {
  transfer: "gas.sc.transfer",
  transferWithAuthorization: "gas.sc.transferWithAuthorization",
  permit: "gas.sc.permit",
} as const;

/** Yen moved by each measured transfer. */
export const STABLECOIN_TRANSFER_AMOUNT = 100n;

type MetricName = (typeof STABLECOIN_METRICS)[keyof typeof STABLECOIN_METRICS];

/** One measured transaction, with the payer's and payee's balances around it. */
export interface MeasuredTransaction {
  readonly receipt: ContractTransactionReceipt;
  readonly balancesBefore: readonly [bigint, bigint];
  readonly balancesAfter: readonly [bigint, bigint];
}

/** Everything one run produced: the figures, the deployment, and the measured transactions. */
export interface StablecoinGasRun {
  readonly metrics: Record<MetricName, number>;
  readonly deployment: FundedStablecoin;
  readonly transfer: MeasuredTransaction;
  readonly transferWithAuthorization: MeasuredTransaction;
  readonly permit: MeasuredTransaction;
}

/**
 * Deploys the funded JPY coin on `connection` (alice holds 10,000 yen, bob 5,000), then measures: alice's
 * `transfer` of 100 yen to bob; a relayer submitting alice's signed `transferWithAuthorization` of 100 yen to bob
 * ((v, r, s) form); a relayer submitting alice's first `permit` for bob ((v, r, s) form).
 *
 * @example
 *   const run = await runStablecoinBenchmark(connection);
 *   console.log(run.metrics["gas.sc.transfer"]);
 */
export async function runStablecoinBenchmark(connection: NetworkConnection<"l1">): Promise<StablecoinGasRun> {
  const deployment = await deployFundedJpy(connection.ethers);
  const { stablecoin, accounts } = deployment;
  const { alice, bob, relayer } = accounts;
  const domain = await stablecoinDomain(stablecoin);

  const measure = async (send: () => Promise<ContractTransactionResponse>): Promise<MeasuredTransaction> => {
    const balancesBefore = [await stablecoin.balanceOf(alice), await stablecoin.balanceOf(bob)] as const;
    const receipt = await (await send()).wait();
    if (receipt === null || receipt.status !== 1)
      throw new Error("stablecoin benchmark: a measured transaction failed");
    const balancesAfter = [await stablecoin.balanceOf(alice), await stablecoin.balanceOf(bob)] as const;
    return { receipt, balancesBefore, balancesAfter };
  };

  const transfer = await measure(() => stablecoin.connect(alice).transfer(bob, STABLECOIN_TRANSFER_AMOUNT));

  const authorization = {
    from: alice.address,
    to: bob.address,
    value: STABLECOIN_TRANSFER_AMOUNT,
    validAfter: 0n,
    validBefore: FAR_FUTURE,
    nonce: authorizationNonce("bench"),
  };
  const authorizationSignature = await signAuthorization(alice, domain, "transfer", authorization);
  const transferWithAuthorization = await measure(() =>
    submitAuthorization(
      stablecoin.connect(relayer),
      "transfer",
      authorization,
      authorizationSignature,
      "vrs",
    ),
  );

  const permitMessage = {
    owner: alice.address,
    spender: bob.address,
    value: 1_000n,
    nonce: 0n,
    deadline: FAR_FUTURE,
  };
  const permitSignature = await signPermit(alice, domain, permitMessage);
  const permit = await measure(() =>
    submitPermit(stablecoin.connect(relayer), permitMessage, permitSignature, "vrs"),
  );

  return {
    metrics: {
      [STABLECOIN_METRICS.transfer]: Number(transfer.receipt.gasUsed),
      [STABLECOIN_METRICS.transferWithAuthorization]: Number(transferWithAuthorization.receipt.gasUsed),
      [STABLECOIN_METRICS.permit]: Number(permit.receipt.gasUsed),
    },
    deployment,
    transfer,
    transferWithAuthorization,
    permit,
  };
}

/** `npm run bench` entry: the three figures of {@link runStablecoinBenchmark}. */
export const stablecoinGas: GasBenchmark = async (connection) =>
  (await runStablecoinBenchmark(connection)).metrics;
