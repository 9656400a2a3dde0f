import { expect } from "chai";
import { network } from "hardhat";

import {
  STABLECOIN_METRICS,
  STABLECOIN_TRANSFER_AMOUNT,
  runStablecoinBenchmark,
  stablecoinGas,
} from "../../bench/stablecoin.ts";

describe("Stablecoin gas benchmark (bench/stablecoin.ts)", () => {
  it("measures one transfer, one transferWithAuthorization and one permit between funded holders", async () => {
    const connection = await network.create({ chainType: "l1" });
    const run = await runStablecoinBenchmark(connection);
    const { stablecoin, accounts, proxyAddress } = run.deployment;

    for (const measured of [run.transfer, run.transferWithAuthorization, run.permit]) {
      expect(measured.receipt.status).to.equal(1);
      expect(measured.receipt.to).to.equal(proxyAddress);
      for (const balance of [...measured.balancesBefore, ...measured.balancesAfter])
        expect(balance > 0n).to.equal(true);
    }
    // The two transfers move the amount from alice to bob; the permit moves nothing.
    for (const moved of [run.transfer, run.transferWithAuthorization]) {
      expect(moved.balancesAfter[0]).to.equal(moved.balancesBefore[0] - STABLECOIN_TRANSFER_AMOUNT);
      expect(moved.balancesAfter[1]).to.equal(moved.balancesBefore[1] + STABLECOIN_TRANSFER_AMOUNT);
    }
    expect(run.permit.balancesAfter).to.deep.equal(run.permit.balancesBefore);
    // Sent by the holder, then by a third party (relayer) for the signed forms.
    expect(run.transfer.receipt.from).to.equal(accounts.alice.address);
    expect(run.transferWithAuthorization.receipt.from).to.equal(accounts.relayer.address);
    expect(run.permit.receipt.from).to.equal(accounts.relayer.address);
    expect(await stablecoin.allowance(accounts.alice, accounts.bob)).to.equal(1_000n);

    // Figures are the receipts' gasUsed; a regression guard well above today's values.
    expect(Object.keys(run.metrics).sort()).to.deep.equal(Object.values(STABLECOIN_METRICS).sort());
    expect(run.metrics["gas.sc.transfer"]).to.equal(Number(run.transfer.receipt.gasUsed));
    expect(run.metrics["gas.sc.transfer"]).to.be.within(34_299, 55_000);
    expect(run.metrics["gas.sc.transferWithAuthorization"]).to.be.within(
      run.metrics["gas.sc.transfer"],
      90_000,
    );
    expect(run.metrics["gas.sc.permit"]).to.be.within(40_000, 100_000);
    await connection.close();
  });

  it("gives the same figures on every fresh network (deterministic)", async () => {
    const first = await network.create({ chainType: "l1" });
    const second = await network.create({ chainType: "l1" });
    expect(await stablecoinGas(first)).to.deep.equal(await stablecoinGas(second));
    await first.close();
    await second.close();
  });
});
