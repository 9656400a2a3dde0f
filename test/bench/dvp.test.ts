import { expect } from "chai";
import { network } from "hardhat";

import { BATCH_SIZE, DVP_METRICS, runDvPBenchmark } from "../../bench/dvp.ts";
import { DVD_METRICS, DVD_TRADE, runTrexDvdBenchmark } from "../../bench/trex/dvd.ts";

/** The DvP benchmarks measure what they say: the receipts are of the named calls, and they did their work. */
describe("DvP gas benchmarks (bench/dvp.ts, bench/trex/dvd.ts)", function () {
  it("measures one report, one two-signature settlement and a netted batch of 100 trades", async function () {
    const connection = await network.create({ chainType: "l1" });
    const run = await runDvPBenchmark(connection);
    const { dvp, jpy } = run.setup;
    const dvpAddress = await dvp.getAddress();
    for (const receipt of Object.values(run.receipts)) expect(receipt.to).to.equal(dvpAddress);
    const names = (receipt: (typeof run.receipts)["batch"]) =>
      receipt.logs.map((log) => dvp.interface.parseLog(log)?.name).filter((name) => name !== undefined);
    expect(names(run.receipts.report)).to.deep.equal(["TradeReported"]);
    expect(names(run.receipts.settle)).to.deep.equal(["TradeSettled"]);
    expect(names(run.receipts.batch).filter((name) => name === "TradeSettled")).to.have.lengthOf(BATCH_SIZE);
    expect(new Set(run.batch.map((trade) => trade.security)).size).to.equal(3);
    expect(new Set(run.batch.flatMap((trade) => [trade.seller, trade.buyer])).size).to.equal(10);
    expect(run.metrics[DVP_METRICS.batchPerTrade]).to.equal(
      Math.round(Number(run.receipts.batch.gasUsed) / 100),
    );
    // Nothing stays with the contract, and every party still holds both assets.
    expect(await jpy.balanceOf(dvpAddress)).to.equal(0n);
    for (const party of run.setup.parties) expect((await jpy.balanceOf(party.address)) > 0n).to.equal(true);
  });

  it("measures T-REX's DVDTransferManager on the same kind of trade", async function () {
    const connection = await network.create({ chainType: "l1" });
    const run = await runTrexDvdBenchmark(connection);
    const amount = DVD_TRADE.quantity * DVD_TRADE.price;
    expect(run.balances.after.buyer[1]).to.equal(run.balances.before.buyer[1] - amount);
    expect(run.balances.after.seller[0]).to.equal(run.balances.before.seller[0] - DVD_TRADE.quantity);
    expect(run.metrics[DVD_METRICS.take]).to.equal(Number(run.take.gasUsed));
    expect(run.metrics[DVD_METRICS.initiate]).to.equal(Number(run.initiate.gasUsed));
  });
});
