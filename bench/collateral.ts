import type { ContractTransactionReceipt, ContractTransactionResponse } from "ethers";
import { encodeBytes32String } from "ethers";
import type { NetworkConnection } from "hardhat/types/network";

import {
  ACCOUNT,
  type CollateralMarket,
  DAY,
  PRICE_ONE,
  type SecurityTokenContract,
  TERMS,
  deployCollateralMarket,
  deployMarketToken,
} from "../test/support/collateral.ts";
import type { GasBenchmark } from "./types.ts";

/**
 * Gas of the collateral escrow's hot paths (receipt `gasUsed` of one transaction each), on the market of
 * test/support/collateral.ts plus a second JGB and a second US Treasury:
 *
 * - one account (participant A's house account) holding six assets (yen coin, dollar coin, two JGBs, two US
 *   Treasuries), covered with room, its requirement posted (so every withdrawal and substitution values all six);
 * - `deposit`: 1,000,000 yen coin in; `withdraw`: 1,000,000 yen coin out, to A;
 * - `substitute.1x1`: one JGB unit in, 900,000 yen coin out (seed example: yen out, JGB in);
 * - `substitute.3x3`: dollar coin, JGB #186 and the second Treasury in; yen coin, JGB #374 and the first Treasury
 *   out: three assets each way, two currencies each way;
 * - `requirements.batch100.perAccount`: one `postRequirements` of 100 accounts, each holding yen coin and a JGB,
 *   replacing the previous cycle's requirement, all covered (each is valued: the coverage check included),
 *   divided by 100.
 * Every asset moved is one the account already holds, before and after: the steady state of a participant managing
 * its collateral.
 */

/** The metrics this benchmark reports. */
export const COLLATERAL_METRICS = {
  deposit: "gas.vault.deposit",
  withdraw: "gas.vault.withdraw",
  substitute1x1: "gas.vault.substitute.1x1",
  substitute3x3: "gas.vault.substitute.3x3",
  batchPerAccount: "gas.vault.requirements.batch100.perAccount",
} as const;

/** Accounts in the measured requirement batch. */
export const BATCH_SIZE = 100;

type MetricName = (typeof COLLATERAL_METRICS)[keyof typeof COLLATERAL_METRICS];

/** Everything one run produced: the figures, the market and the measured receipts. */
export interface CollateralGasRun {
  readonly metrics: Record<MetricName, number>;
  readonly market: CollateralMarket;
  readonly jgb2: SecurityTokenContract;
  readonly ust2: SecurityTokenContract;
  readonly receipts: Record<keyof typeof COLLATERAL_METRICS, ContractTransactionReceipt>;
  /** The accounts of the batch. */
  readonly batchAccounts: readonly string[];
}

/** Sends a transaction and returns its receipt; throws if it failed. */
async function mined(send: Promise<ContractTransactionResponse>): Promise<ContractTransactionReceipt> {
  const receipt = await (await send).wait();
  if (receipt === null || receipt.status !== 1) throw new Error("collateral benchmark: a transaction failed");
  return receipt;
}

/**
 * Deploys the market on `connection`, sets up the scenario above and measures it.
 *
 * @example
 *   const run = await runCollateralBenchmark(connection);
 *   console.log(run.metrics["gas.vault.substitute.1x1"]);
 */
export async function runCollateralBenchmark(connection: NetworkConnection<"l1">): Promise<CollateralGasRun> {
  const { ethers } = connection;
  const market = await deployCollateralMarket(ethers);
  const { escrow, registry, jpy, usd, jgb, ust, signers } = market;
  const { admin, issuer, riskDesk, priceFeed, margin, accountManager, a } = signers;
  const registryAddress = await registry.getAddress();

  // A second JGB and a second US Treasury, listed, priced, held by A.
  const jgb2 = await deployMarketToken(ethers, {
    name: "JGB 20Y #186",
    symbol: "JGB186",
    isin: "JP1201861M77",
    currency: "JPY",
    faceValue: 1_000_000n,
    registry: registryAddress,
    admin: admin.address,
  });
  const ust2 = await deployMarketToken(ethers, {
    name: "UST 4.25% 2054",
    symbol: "UST54",
    isin: "US912810TW31",
    currency: "USD",
    faceValue: 100_000n,
    registry: registryAddress,
    admin: admin.address,
  });
  for (const token of [jgb2, ust2]) {
    await mined(token.connect(admin).grantRole(await token.ISSUER_ROLE(), issuer.address));
    await mined(token.connect(issuer).mint(a.address, 10_000n));
    await mined(token.connect(a).approve(await escrow.getAddress(), 2n ** 256n - 1n));
  }
  await mined(escrow.connect(riskDesk).listAsset(jgb2, TERMS.jgb));
  await mined(escrow.connect(riskDesk).listAsset(ust2, TERMS.ust));
  const now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
  await mined(
    escrow
      .connect(priceFeed)
      .postPrices([jgb2, ust2], [1_012_300n * PRICE_ONE, 902n * PRICE_ONE], [now, now]),
  );

  // A's house account: six assets, a requirement well below their value.
  const house = ACCOUNT.aHouse;
  for (const [token, amount] of [
    [jpy, 2_000_000_000n],
    [usd, 2_000_000_00n],
    [jgb, 1_000n],
    [jgb2, 1_000n],
    [ust, 1_000n],
    [ust2, 1_000n],
  ] as const) {
    await mined(escrow.connect(a).deposit(house, token, amount));
  }
  const deadline = now + DAY;
  await mined(escrow.connect(margin).postRequirements(1, 20261120, deadline, [house], [1_000_000_000n]));

  const deposit = await mined(escrow.connect(a).deposit(house, jpy, 1_000_000n));
  const withdraw = await mined(escrow.connect(a).withdraw(house, jpy, 1_000_000n, a.address));
  const substitute1x1 = await mined(
    escrow
      .connect(a)
      .substitute(
        house,
        [{ asset: await jgb.getAddress(), amount: 1n }],
        [{ asset: await jpy.getAddress(), amount: 900_000n }],
      ),
  );
  const substitute3x3 = await mined(
    escrow.connect(a).substitute(
      house,
      [
        { asset: await usd.getAddress(), amount: 10_000_00n },
        { asset: await jgb2.getAddress(), amount: 2n },
        { asset: await ust2.getAddress(), amount: 10n },
      ],
      [
        { asset: await jpy.getAddress(), amount: 3_000_000n },
        { asset: await jgb.getAddress(), amount: 2n },
        { asset: await ust.getAddress(), amount: 10n },
      ],
    ),
  );

  // The batch: 100 accounts of A, each with yen coin and a JGB, posted once (cycle 1), then measured (cycle 2).
  const batchAccounts = Array.from({ length: BATCH_SIZE }, (_, i) => encodeBytes32String(`CP-A/C-${i}`));
  for (const account of batchAccounts) {
    await mined(escrow.connect(accountManager).openAccount(account, a.address, signers.x.address));
    await mined(escrow.connect(a).deposit(account, jpy, 50_000_000n));
    await mined(escrow.connect(a).deposit(account, jgb, 100n));
  }
  const first = batchAccounts.map((_, i) => 60_000_000n + BigInt(i) * 1_000n);
  await mined(escrow.connect(margin).postRequirements(1, 20261120, deadline, batchAccounts, first));
  const second = first.map((requirement) => requirement + 7_000_000n);
  const batch = await mined(
    escrow.connect(margin).postRequirements(2, 20261121, deadline, batchAccounts, second),
  );

  const gas = (receipt: ContractTransactionReceipt) => Number(receipt.gasUsed);
  return {
    metrics: {
      [COLLATERAL_METRICS.deposit]: gas(deposit),
      [COLLATERAL_METRICS.withdraw]: gas(withdraw),
      [COLLATERAL_METRICS.substitute1x1]: gas(substitute1x1),
      [COLLATERAL_METRICS.substitute3x3]: gas(substitute3x3),
      [COLLATERAL_METRICS.batchPerAccount]: Math.round(gas(batch) / BATCH_SIZE),
    },
    market,
    jgb2,
    ust2,
    receipts: { deposit, withdraw, substitute1x1, substitute3x3, batchPerAccount: batch },
    batchAccounts,
  };
}

/** `npm run bench` entry: the five figures of {@link runCollateralBenchmark}. */
export const collateralGas: GasBenchmark = async (connection) =>
  (await runCollateralBenchmark(connection)).metrics;
