import { expect } from "chai";
import { network } from "hardhat";
import type { Address, Hex } from "viem";

import { readFileSync } from "node:fs";

import { type Abi, type AbiFunction, toEventSelector, toFunctionSelector } from "viem";

import { readCollateralMarket, readEscrowAccount } from "../../ts-src/chain/collateral.ts";
import { escrowAbi, escrowErrorsAbi } from "../../ts-src/chain/escrow.ts";
import { CollateralError } from "../../ts-src/collateral/errors.ts";
import { coverage, valueAccount } from "../../ts-src/collateral/valuation.ts";
import { ACCOUNT, DAY, deployCollateralMarket } from "../support/collateral.ts";

const { ethers, viem, networkHelpers } = await network.create();

/** The market with every account holding something, A's house account over a concentration limit. */
async function heldFixture() {
  const market = await deployCollateralMarket(ethers);
  const { escrow, jpy, usd, jgb, ust, signers } = market;
  await escrow.connect(signers.a).deposit(ACCOUNT.aHouse, jpy, 5_000_000n);
  await escrow.connect(signers.a).deposit(ACCOUNT.aHouse, ust, 100n);
  await escrow.connect(signers.x).deposit(ACCOUNT.aCustomer, usd, 1_234_567n);
  await escrow.connect(signers.b).deposit(ACCOUNT.bHouse, jgb, 77n);
  await escrow.connect(signers.b).deposit(ACCOUNT.bHouse, ust, 3n);
  await escrow.connect(signers.y).deposit(ACCOUNT.bCustomer, jpy, 1n);
  const deadline = BigInt(await networkHelpers.time.latest()) + DAY;
  await escrow
    .connect(signers.margin)
    .postRequirements(1, 20261101, deadline, [ACCOUNT.aHouse], [20_000_000n]);
  return market;
}

/** The selectors of a compiled contract's (or a hand-written ABI's) functions, errors or events. */
function selectors(abi: Abi, type: "function" | "error" | "event"): Set<string> {
  return new Set(
    abi
      .filter((item) => item.type === type)
      .map((item) =>
        type === "event" ? toEventSelector(item as never) : toFunctionSelector(item as AbiFunction),
      ),
  );
}

describe("the escrow's hand-written ABI (ts-src/chain/escrow.ts)", () => {
  const compiled = (
    JSON.parse(
      readFileSync("artifacts/contracts/collateral/CollateralEscrow.sol/CollateralEscrow.json", "utf8"),
    ) as { abi: Abi }
  ).abi;

  it("every function and event it names is the compiled escrow's", () => {
    for (const type of ["function", "event"] as const) {
      const known = selectors(compiled, type);
      for (const selector of selectors(escrowAbi, type)) expect(known.has(selector), selector).to.equal(true);
    }
  });

  it("decodes every error the compiled escrow can revert with", () => {
    const decodable = selectors(escrowErrorsAbi, "error");
    const missing = compiled
      .filter((item) => item.type === "error")
      .filter((item) => !decodable.has(toFunctionSelector(item as unknown as AbiFunction)))
      .map((item) => (item as { name: string }).name);
    expect(missing).to.deep.equal([]);
  });
});

describe("ts-src/chain collateral reads", () => {
  it("read the market and the accounts; the TypeScript valuation agrees with the escrow's to the yen", async () => {
    const market = await networkHelpers.loadFixture(heldFixture);
    const escrow = (await market.escrow.getAddress()) as Address;
    const client = await viem.getPublicClient();
    const read = await readCollateralMarket(client, { escrow });
    expect([...read.fxRates.keys()]).to.deep.equal(["JPY", "USD"]);
    expect(read.assets.get((await market.ust.getAddress()).toLowerCase())).to.deep.include({
      currency: "USD",
      haircutBps: 500,
      concentrationLimitBps: 5_000,
      pricedAtPar: false,
    });
    for (const id of Object.values(ACCOUNT)) {
      const account = await readEscrowAccount(client, { escrow, account: id as Hex });
      const [value, requirement] = await market.escrow.coverage(id);
      expect(valueAccount(read, account.holdings).value, id).to.equal(value);
      expect(account.requirement).to.equal(requirement);
    }
    const house = await readEscrowAccount(client, { escrow, account: ACCOUNT.aHouse as Hex });
    expect(house.owner).to.equal(market.signers.a.address);
    expect([house.status, house.cycle, house.asOf]).to.deep.equal(["active", 1, 20261101]);
    // 5,000,000 yen and 100 Treasuries (14,036,250 after haircut) capped at 50%: 9,518,125 + 5,000,000.
    const valuation = valueAccount(read, house.holdings);
    expect(valuation.value).to.equal(14_518_125n);
    expect(coverage(valuation.value, house.requirement)).to.deep.equal({
      covered: false,
      shortfall: 5_481_875n,
      excess: 0n,
    });
    expect(house.call).to.deep.include({ id: 1n, cycle: 1, shortfall: 5_481_875n, open: true });
  });

  it("a stale price refuses in TypeScript as on chain, naming the asset", async () => {
    const market = await networkHelpers.loadFixture(heldFixture);
    const escrow = (await market.escrow.getAddress()) as Address;
    await networkHelpers.time.increase(2n * DAY);
    await networkHelpers.mine();
    const client = await viem.getPublicClient();
    const read = await readCollateralMarket(client, { escrow });
    const house = await readEscrowAccount(client, { escrow, account: ACCOUNT.bHouse as Hex });
    let error: unknown;
    try {
      valueAccount(read, house.holdings);
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(CollateralError);
    expect((error as CollateralError).code).to.equal("COLLATERAL_STALE_PRICE");
    const jgb = await market.jgb.getAddress();
    expect((error as CollateralError).details.asset).to.equal(jgb);
    await expect(market.escrow.coverage(ACCOUNT.bHouse))
      .to.be.revertedWithCustomError(market.escrow, "PriceBoardStalePrice")
      .withArgs(jgb, market.pricedAt, DAY, read.now);
  });
});
