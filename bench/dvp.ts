import { type ContractTransactionReceipt, Signature } from "ethers";
import type { NetworkConnection } from "hardhat/types/network";

import { type DvPSetup, type Trade, Status, consents, deployDvP, makeTrade } from "../test/support/dvp.ts";
import type { GasBenchmark } from "./types.ts";

/**
 * Gas of the DvP contract (contracts/settlement/DvPSettlement.sol) on the in-process network, with ten parties and
 * three security tokens against the yen coin behind its proxy, every party holding every token before and after:
 *
 * - `gas.dvp.report`: the exchange node's report of one trade, in a running session (the trade number before it was
 *   reported, so its word of the used-ID bitmap is in use, as it is for every report but the first of 256);
 * - `gas.dvp.settle`: one trade settled with both parties' signatures (ERC-2098 compact, as the service sends them),
 *   both legs moving between holders;
 * - `gas.dvp.batch100.perTrade`: a netted `settleBatch` of 100 trades among the ten parties in the three securities,
 *   signatures included, divided by 100.
 */

/** The metrics this benchmark reports. */
export const DVP_METRICS = {
  report: "gas.dvp.report",
  settle: "gas.dvp.settle",
  batchPerTrade: "gas.dvp.batch100.perTrade",
} as const;

/** Trades in the measured batch. */
export const BATCH_SIZE = 100;

/** One run: the figures, the set-up and what was measured. */
export interface DvPGasRun {
  readonly metrics: Record<(typeof DVP_METRICS)[keyof typeof DVP_METRICS], number>;
  readonly setup: DvPSetup;
  readonly single: Trade;
  readonly batch: readonly Trade[];
  readonly receipts: {
    readonly report: ContractTransactionReceipt;
    readonly settle: ContractTransactionReceipt;
    readonly batch: ContractTransactionReceipt;
  };
}

/** A party's signature in the ERC-2098 compact form (64 bytes). */
export function compactSignature(signature: string): string {
  return Signature.from(signature).compactSerialized;
}

/**
 * Deploys the set-up on `connection` and measures one report, one settlement and a netted batch of 100 trades.
 *
 * @throws Error when a measured transaction did not do what it is measured for.
 * @example
 *   const run = await runDvPBenchmark(connection);
 *   console.log(run.metrics["gas.dvp.settle"]);
 */
export async function runDvPBenchmark(connection: NetworkConnection<"l1">): Promise<DvPGasRun> {
  const setup = await deployDvP(connection.ethers, {
    parties: 10,
    securities: 3,
    securityEach: 100_000n,
    yenEach: 100_000_000_000n,
  });
  const { dvp, exchange, parties, securities } = setup;
  const receipt = async (sent: Promise<{ wait(): Promise<ContractTransactionReceipt | null> }>) => {
    const mined = await (await sent).wait();
    if (mined === null || mined.status !== 1) throw new Error("DvP benchmark: a measured transaction failed");
    return mined;
  };

  // A running session: trade 1 is reported before the measured trade 2.
  const first = await makeTrade(setup, {
    number: 1,
    seller: parties[2]!,
    buyer: parties[3]!,
    quantity: 5n,
    price: 1n,
  });
  await receipt(dvp.connect(exchange).reportTrade(first));
  const single = await makeTrade(setup, {
    number: 2,
    seller: parties[0]!,
    buyer: parties[1]!,
    quantity: 10n,
    price: 990_000n,
  });
  const report = await receipt(dvp.connect(exchange).reportTrade(single));
  const [seller, buyer] = await consents(setup, single);
  const before = await Promise.all([
    securities[0]!.balanceOf(single.buyer),
    setup.jpy.balanceOf(single.seller),
  ]);
  const settle = await receipt(
    dvp.connect(exchange).settle(single, compactSignature(seller), compactSignature(buyer)),
  );
  const after = await Promise.all([
    securities[0]!.balanceOf(single.buyer),
    setup.jpy.balanceOf(single.seller),
  ]);
  if (after[0] !== before[0] + single.quantity || after[1] !== before[1] + single.amount) {
    throw new Error("DvP benchmark: the measured settlement did not move both legs");
  }

  const batch: Trade[] = [];
  for (let index = 0; index < BATCH_SIZE; index++) {
    const from = index % parties.length;
    const to = (from + 1 + ((index * 7) % (parties.length - 1))) % parties.length;
    batch.push(
      await makeTrade(setup, {
        number: 1_000 + index,
        seller: parties[from]!,
        buyer: parties[to]!,
        quantity: BigInt(1 + (index % 9)),
        price: 985_000n + BigInt((index * 37) % 1_000) * 10n,
        security: securities[index % securities.length]!,
      }),
    );
  }
  await receipt(dvp.connect(exchange).reportTrades(batch));
  const signatures = await Promise.all(batch.map((trade) => consents(setup, trade)));
  const batchReceipt = await receipt(
    dvp.connect(exchange).settleBatch(
      batch,
      signatures.map(([sellerSignature]) => compactSignature(sellerSignature)),
      signatures.map(([, buyerSignature]) => compactSignature(buyerSignature)),
    ),
  );
  for (const trade of batch) {
    if ((await dvp.tradeStatus(trade.tradeId)) !== Status.Settled)
      throw new Error("DvP benchmark: a trade left open");
  }

  return {
    metrics: {
      [DVP_METRICS.report]: Number(report.gasUsed),
      [DVP_METRICS.settle]: Number(settle.gasUsed),
      [DVP_METRICS.batchPerTrade]: Math.round(Number(batchReceipt.gasUsed) / BATCH_SIZE),
    },
    setup,
    single,
    batch,
    receipts: { report, settle, batch: batchReceipt },
  };
}

/** `npm run bench` entry: the three figures of {@link runDvPBenchmark}. */
export const dvpGas: GasBenchmark = async (connection) => (await runDvPBenchmark(connection)).metrics;
