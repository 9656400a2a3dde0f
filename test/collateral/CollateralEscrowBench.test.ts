import { expect } from "chai";
import type { ContractTransactionReceipt } from "ethers";
import { network } from "hardhat";

import { BATCH_SIZE, COLLATERAL_METRICS, runCollateralBenchmark } from "../../bench/collateral.ts";
import { ACCOUNT } from "../support/collateral.ts";

describe("Collateral escrow gas benchmark (bench/collateral.ts)", () => {
  it("measures the scenario it describes, and the figures are the receipts' gas", async () => {
    const connection = await network.create({ chainType: "l1" });
    const run = await runCollateralBenchmark(connection);
    const { escrow, signers } = run.market;
    const escrowAddress = await escrow.getAddress();
    const events = (receipt: ContractTransactionReceipt) =>
      receipt.logs
        .filter((log) => log.address === escrowAddress)
        .map((log) => escrow.interface.parseLog(log)!.name);
    for (const receipt of Object.values(run.receipts)) {
      expect(receipt.status).to.equal(1);
      expect(receipt.to).to.equal(escrowAddress);
    }
    expect(events(run.receipts.deposit)).to.deep.equal(["Deposited"]);
    expect(events(run.receipts.withdraw)).to.deep.equal(["Withdrawn"]);
    expect(events(run.receipts.substitute1x1)).to.deep.equal(["Substituted"]);
    expect(events(run.receipts.substitute3x3)).to.deep.equal(["Substituted"]);
    // The batch posts 100 requirements, all covered: one event, no margin call.
    expect(events(run.receipts.batchPerAccount)).to.deep.equal(["RequirementsPosted"]);
    for (const account of run.batchAccounts) {
      const view = await escrow.accountOf(account);
      expect(view.cycle).to.equal(2n);
      expect(view.assets.length).to.equal(2);
    }
    expect(run.batchAccounts.length).to.equal(BATCH_SIZE);
    // The house account held six assets throughout, covered.
    const house = await escrow.accountOf(ACCOUNT.aHouse);
    expect(house.assets.length).to.equal(6);
    expect(house.owner).to.equal(signers.a.address);
    const [value, requirement] = await escrow.coverage(ACCOUNT.aHouse);
    expect(value >= requirement).to.equal(true);

    expect(Object.keys(run.metrics).sort()).to.deep.equal(Object.values(COLLATERAL_METRICS).sort());
    expect(run.metrics["gas.vault.deposit"]).to.equal(Number(run.receipts.deposit.gasUsed));
    expect(run.metrics["gas.vault.requirements.batch100.perAccount"]).to.equal(
      Math.round(Number(run.receipts.batchPerAccount.gasUsed) / BATCH_SIZE),
    );
    await connection.close();
  });
});
