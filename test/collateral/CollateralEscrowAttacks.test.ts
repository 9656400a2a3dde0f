import { anyUint } from "@nomicfoundation/hardhat-ethers-chai-matchers/withArgs";
import { readFileSync } from "node:fs";

import { expect } from "chai";
import { encodeBytes32String, id } from "ethers";
import { network } from "hardhat";

import {
  ACCOUNT,
  AccountStatus,
  type CEMarginRelay,
  type CEPlainToken,
  type CollateralMarket,
  DAY,
  PRICES,
  TERMS,
  accountSnapshot,
  deployCollateralMarket,
  leg,
} from "../support/collateral.ts";
import { type DvPSettlement, dvpDomain, signTrade } from "../support/dvp.ts";
import { currencyCode } from "../support/stablecoin.ts";

/**
 * The collateral escrow tried as an attacker would: each test is an attack (or an operator's mistake an attacker
 * waits for) and shows that the escrow refuses it, changing nothing.
 */

const { ethers, networkHelpers } = await network.create();

/**
 * The market with A's house account holding 100,000,000 yen and B's holding 100,000,000 yen, and an extra asset
 * listed but never priced (a JGB-like bond with a maximum price age of a day: listing and the first price are two
 * transactions of two desks), minted to A and approved to the escrow.
 */
async function attackFixture(): Promise<CollateralMarket & { unpriced: CEPlainToken }> {
  const market = await deployCollateralMarket(ethers);
  const { escrow, jpy, signers } = market;
  await escrow.connect(signers.a).deposit(ACCOUNT.aHouse, jpy, 100_000_000n);
  await escrow.connect(signers.b).deposit(ACCOUNT.bHouse, jpy, 100_000_000n);
  const unpriced = (await ethers.deployContract("CEPlainToken", ["New bond", 0])) as unknown as CEPlainToken;
  await unpriced.mint(signers.a.address, 1_000n);
  await unpriced.connect(signers.a).approve(await escrow.getAddress(), 1_000n);
  await escrow.connect(signers.riskDesk).listAsset(unpriced, TERMS.jgb);
  return { ...market, unpriced };
}

async function nextBlockAt(offset = 1n): Promise<bigint> {
  const time = BigInt(await networkHelpers.time.latest()) + offset;
  await networkHelpers.time.setNextBlockTimestamp(time);
  return time;
}

describe("CollateralEscrow under attack", () => {
  describe("a dust deposit of an asset the escrow cannot value", () => {
    it("is refused, so that no participant can make every requirement batch and re-check revert", async () => {
      // The attack: A, about to be called, deposits one unit of a listed asset with no usable price. Every
      // valuation of A's account then reverts, so the CCP's requirement batch (all or nothing) and its re-checks
      // revert for every account in them, and A's own call cannot open until the asset is priced.
      const { escrow, unpriced, signers } = await networkHelpers.loadFixture(attackFixture);
      await expect(escrow.connect(signers.a).deposit(ACCOUNT.aHouse, unpriced, 1n))
        .to.be.revertedWithCustomError(escrow, "PriceBoardStalePrice")
        .withArgs(await unpriced.getAddress(), 0n, DAY, anyUint);
      expect(await escrow.holdingOf(ACCOUNT.aHouse, unpriced)).to.equal(0n);
      const deadline = (await nextBlockAt()) + DAY;
      await expect(
        escrow
          .connect(signers.margin)
          .postRequirements(1, 20261101, deadline, [ACCOUNT.aHouse, ACCOUNT.bHouse], [150_000_000n, 1n]),
      )
        .to.emit(escrow, "MarginCalled")
        .withArgs(ACCOUNT.aHouse, 1n, 1n, 50_000_000n, deadline);
    });

    it("is refused by a substitution too, even into an account whose requirement is 0 (no valuation runs)", async () => {
      const { escrow, jpy, unpriced, signers } = await networkHelpers.loadFixture(attackFixture);
      await expect(
        escrow.connect(signers.a).substitute(ACCOUNT.aHouse, [await leg(unpriced, 1n)], [await leg(jpy, 1n)]),
      )
        .to.be.revertedWithCustomError(escrow, "PriceBoardStalePrice")
        .withArgs(await unpriced.getAddress(), 0n, DAY, anyUint);
      expect(await escrow.holdingOf(ACCOUNT.aHouse, jpy)).to.equal(100_000_000n);
    });

    it("an asset whose currency has no fresh FX rate is refused the same way; once priced, it is taken", async () => {
      const market = await networkHelpers.loadFixture(attackFixture);
      const { escrow, unpriced, signers } = market;
      const euroCoin = (await ethers.deployContract("CEPlainToken", [
        "Euro coin",
        2,
      ])) as unknown as CEPlainToken;
      await euroCoin.mint(signers.a.address, 1_000n);
      await euroCoin.connect(signers.a).approve(await escrow.getAddress(), 1_000n);
      await escrow.connect(signers.riskDesk).configureCurrency(currencyCode("EUR"), DAY);
      await escrow
        .connect(signers.riskDesk)
        .listAsset(euroCoin, { ...TERMS.usd, currency: currencyCode("EUR") });
      await expect(escrow.connect(signers.a).deposit(ACCOUNT.aHouse, euroCoin, 1n))
        .to.be.revertedWithCustomError(escrow, "PriceBoardStaleFxRate")
        .withArgs(currencyCode("EUR"), 0n, DAY, anyUint);
      const pricedAt = await nextBlockAt();
      await escrow
        .connect(signers.priceFeed)
        .postFxRates([currencyCode("EUR")], [160n * 10n ** 8n], [pricedAt]);
      await escrow.connect(signers.priceFeed).postPrices([unpriced], [PRICES.jgb], [pricedAt]);
      await escrow.connect(signers.a).deposit(ACCOUNT.aHouse, euroCoin, 1n);
      await escrow.connect(signers.a).deposit(ACCOUNT.aHouse, unpriced, 1n);
      expect(await escrow.holdingOf(ACCOUNT.aHouse, euroCoin)).to.equal(1n);
      // A price that has since gone stale is refused again.
      await networkHelpers.time.increaseTo(pricedAt + DAY + 1n);
      await expect(escrow.connect(signers.a).deposit(ACCOUNT.aHouse, unpriced, 1n))
        .to.be.revertedWithCustomError(escrow, "PriceBoardStalePrice")
        .withArgs(await unpriced.getAddress(), pricedAt, DAY, anyUint);
    });

    it("an asset that counts for nothing (100% haircut) needs no price and is still taken", async () => {
      const { escrow, unpriced, signers } = await networkHelpers.loadFixture(attackFixture);
      await escrow.connect(signers.riskDesk).setAssetTerms(unpriced, 10_000, 10_000, DAY);
      await escrow.connect(signers.a).deposit(ACCOUNT.aHouse, unpriced, 1n);
      expect(await escrow.holdingOf(ACCOUNT.aHouse, unpriced)).to.equal(1n);
    });
  });

  describe("a requirement batch that names an account twice", () => {
    it("is refused: the last entry would win after a phantom call opened and met in the same transaction", async () => {
      // The mistake: [A: 150,000,000, A: 1]. Taken in order, the first entry opens a margin call (an automation
      // following MarginCalled may move collateral for it) and the second meets it at once; RequirementsPosted
      // carries two requirements for one account.
      const { escrow, signers } = await networkHelpers.loadFixture(attackFixture);
      const deadline = BigInt(await networkHelpers.time.latest()) + DAY;
      await expect(
        escrow
          .connect(signers.margin)
          .postRequirements(
            1,
            20261101,
            deadline,
            [ACCOUNT.aHouse, ACCOUNT.bHouse, ACCOUNT.aHouse],
            [150_000_000n, 1n, 1n],
          ),
      )
        .to.be.revertedWithCustomError(escrow, "CollateralEscrowDuplicateAccount")
        .withArgs(ACCOUNT.aHouse);
      const state = await accountSnapshot(escrow, ACCOUNT.aHouse);
      expect([state.requirement, state.cycle, state.call.id]).to.deep.equal([0n, 0n, 0n]);
    });

    it("the same account in two batches of one transaction, or of two, is not a duplicate", async () => {
      const { escrow, signers } = await networkHelpers.loadFixture(attackFixture);
      const deadline = (await nextBlockAt()) + DAY;
      const margin = escrow.connect(signers.margin);
      await margin.postRequirements(1, 20261101, deadline, [ACCOUNT.aHouse], [1n]);
      await margin.postRequirements(1, 20261101, deadline, [ACCOUNT.aHouse, ACCOUNT.bHouse], [2n, 3n]);
      expect((await accountSnapshot(escrow, ACCOUNT.aHouse)).requirement).to.equal(2n);
      // Two postings in one transaction, through a contract holding MARGIN_ROLE (a multicall).
      const relay = (await ethers.deployContract("CEMarginRelay")) as unknown as CEMarginRelay;
      await escrow.connect(signers.admin).grantRole(await escrow.MARGIN_ROLE(), await relay.getAddress());
      const first = escrow.interface.encodeFunctionData("postRequirements", [
        2,
        20261102,
        deadline,
        [ACCOUNT.aHouse],
        [4n],
      ]);
      const second = escrow.interface.encodeFunctionData("postRequirements", [
        2,
        20261102,
        deadline,
        [ACCOUNT.bHouse, ACCOUNT.aHouse],
        [5n, 6n],
      ]);
      await relay.relay(await escrow.getAddress(), [first, second]);
      expect((await accountSnapshot(escrow, ACCOUNT.aHouse)).requirement).to.equal(6n);
      expect((await accountSnapshot(escrow, ACCOUNT.bHouse)).requirement).to.equal(5n);
    });
  });

  describe("a default declared on an account that is covered now", () => {
    it("is refused with the value and the requirement: a call is met once the account is covered", async () => {
      // A's call opened at yesterday's prices; the JGBs it holds have since risen and A is covered, but nothing
      // re-valued the account. Declaring A in default would seize collateral of a participant that is not short.
      const market = await networkHelpers.loadFixture(attackFixture);
      const { escrow, jgb, signers } = market;
      await escrow.connect(signers.a).deposit(ACCOUNT.aHouse, jgb, 100n); // 97,853,000 yen at 99.85 less 2%
      const deadline = (await nextBlockAt()) + DAY;
      await escrow
        .connect(signers.margin)
        .postRequirements(1, 20261101, deadline, [ACCOUNT.aHouse], [200_000_000n]);
      const now = await nextBlockAt(DAY + 1n);
      await escrow.connect(signers.priceFeed).postPrices([jgb], [PRICES.jgb * 2n], [now]);
      await expect(escrow.connect(signers.defaultManager).declareDefault(ACCOUNT.aHouse))
        .to.be.revertedWithCustomError(escrow, "CollateralEscrowAccountCovered")
        .withArgs(ACCOUNT.aHouse, 100_000_000n + 195_706_000n, 200_000_000n);
      expect((await accountSnapshot(escrow, ACCOUNT.aHouse)).status).to.equal(AccountStatus.Active);
      // Short again: the default goes ahead on the call it failed to meet.
      await escrow.connect(signers.priceFeed).postPrices([jgb], [PRICES.jgb], [await nextBlockAt()]);
      await expect(escrow.connect(signers.defaultManager).declareDefault(ACCOUNT.aHouse))
        .to.emit(escrow, "AccountDefaulted")
        .withArgs(ACCOUNT.aHouse, signers.a.address, 1n);
    });

    it("a stale price does not shield the account: coverage not shown, the default goes ahead", async () => {
      const market = await networkHelpers.loadFixture(attackFixture);
      const { escrow, jgb, signers } = market;
      await escrow.connect(signers.a).deposit(ACCOUNT.aHouse, jgb, 200n);
      const deadline = (await nextBlockAt()) + DAY;
      await escrow
        .connect(signers.margin)
        .postRequirements(1, 20261101, deadline, [ACCOUNT.aHouse], [400_000_000n]);
      await nextBlockAt(2n * DAY);
      await expect(escrow.connect(signers.defaultManager).declareDefault(ACCOUNT.aHouse))
        .to.emit(escrow, "AccountDefaulted")
        .withArgs(ACCOUNT.aHouse, signers.a.address, 1n);
    });
  });

  describe("the escrow's holdings and the DvP contract's SETTLEMENT_ROLE", () => {
    it("cannot leave through the DvP contract: the escrow never consents to a trade", async () => {
      // The DvP contract moves any holder's tokens on that holder's consent; the escrow is a registered holder of
      // the securities and an allowed holder of the coins. A trade reported with the escrow as seller (or buyer)
      // needs its consent: it signs nothing, answers no ERC-1271 query and never approves.
      const market = await networkHelpers.loadFixture(attackFixture);
      const { escrow, jgb, jpy, signers } = market;
      await escrow.connect(signers.a).deposit(ACCOUNT.aHouse, jgb, 10n);
      const dvp = (await ethers.deployContract("DvPSettlement", [
        0,
        signers.admin.address,
      ])) as unknown as DvPSettlement;
      await dvp.connect(signers.admin).grantRole(await dvp.EXCHANGE_ROLE(), signers.stranger.address);
      await jgb.connect(signers.admin).grantRole(id("SETTLEMENT_ROLE"), await dvp.getAddress());
      await jpy.connect(signers.trustBank).grantRole(id("SETTLEMENT_ROLE"), await dvp.getAddress());
      const escrowAddress = await escrow.getAddress();
      const trade = {
        tradeId: encodeBytes32String("escrow-sale"),
        security: await jgb.getAddress(),
        stablecoin: await jpy.getAddress(),
        seller: escrowAddress,
        buyer: signers.b.address,
        sellerInvestor: encodeBytes32String("CCP escrow"),
        buyerInvestor: encodeBytes32String("participant B"),
        quantity: 10n,
        price: 1n,
        amount: 10n,
        deadline: BigInt(await networkHelpers.time.latest()) + DAY,
      };
      await dvp.connect(signers.stranger).reportTrade(trade);
      const domain = await dvpDomain(dvp);
      const buyerSignature = await signTrade(signers.b, domain, trade);
      for (const sellerSignature of [
        await signTrade(signers.a, domain, trade), // the depositor's key is not the escrow's
        await signTrade(signers.admin, domain, trade), // nor the escrow's admin's
      ]) {
        await expect(dvp.settle(trade, sellerSignature, buyerSignature))
          .to.be.revertedWithCustomError(dvp, "DvPInvalidSignature")
          .withArgs(trade.tradeId, escrowAddress);
      }
      await expect(dvp.settle(trade, "0x", buyerSignature))
        .to.be.revertedWithCustomError(dvp, "DvPConsentMissing")
        .withArgs(trade.tradeId, escrowAddress);
      expect(await jgb.balanceOf(escrow)).to.equal(10n);
    });

    it("granted to the escrow by mistake, gives it nothing to use: no escrow code calls settlementTransfer", () => {
      const selector = id("settlementTransfer(address,address,uint256)").slice(2, 10);
      const code = (path: string): string =>
        (JSON.parse(readFileSync(`artifacts/contracts/${path}.json`, "utf8")) as { deployedBytecode: string })
          .deployedBytecode;
      // PUSH4 <selector>: how compiled code makes the call (the DvP contract's does: the check is not vacuous).
      expect(code("settlement/DvPSettlement.sol/DvPSettlement")).to.include(`63${selector}`);
      for (const path of [
        "collateral/CollateralEscrow.sol/CollateralEscrow",
        "collateral/CollateralAccountLogic.sol/CollateralAccountLogic",
        "collateral/CollateralScheduleLogic.sol/CollateralScheduleLogic",
      ]) {
        expect(code(path), path).not.to.include(selector);
      }
    });
  });
});
