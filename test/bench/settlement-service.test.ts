import { expect } from "chai";
import { network } from "hardhat";

import { runServiceBenchmark } from "../../bench/settlement-service.ts";

/** The service benchmark settles every trade of its feed, and its figures are trades over the measured seconds. */
describe("settlement service benchmark (bench/settlement-service.ts)", function () {
  this.timeout(300_000);

  it("settles the whole feed and reports trades per wall-clock second and per CPU second", async function () {
    const run = await runServiceBenchmark(await network.create({ chainType: "l1" }), 200);
    expect(run.summary).to.deep.include({ trades: 200, settled: 200, open: 0, cancelled: 0, rejected: 0 });
    expect(run.metrics["dvp.service.tradesPerSecond"]).to.equal(Math.round(200 / run.wallSeconds));
    expect(run.metrics["dvp.service.tradesPerCpuSecond"]).to.equal(Math.round(200 / run.cpuSeconds));
  });
});
