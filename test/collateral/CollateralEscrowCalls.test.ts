import { expect } from "chai";
import { type ContractTransactionResponse, encodeBytes32String } from "ethers";
import { network } from "hardhat";

import {
  ACCOUNT,
  AccountStatus,
  type CollateralMarket,
  DAY,
  JGB_UNIT_VALUE,
  PRICES,
  accountSnapshot,
  deployCollateralMarket,
  leg,
} from "../support/collateral.ts";
import { ForcedTransferReason } from "../support/security-token.ts";

const { ethers, networkHelpers } = await network.create();

/**
 * The market with A's house account holding 100,000,000 yen and 100 JGB (97,853,000): value 197,853,000; and X's
 * customer account at A holding 50,000,000 yen. No requirement yet.
 */
async function fundedFixture() {
  const market = await deployCollateralMarket(ethers);
  const { escrow, jpy, jgb, signers } = market;
  await escrow.connect(signers.a).deposit(ACCOUNT.aHouse, jpy, 100_000_000n);
  await escrow.connect(signers.a).deposit(ACCOUNT.aHouse, jgb, 100n);
  await escrow.connect(signers.x).deposit(ACCOUNT.aCustomer, jpy, 50_000_000n);
  return market;
}

/** Unix time of the next block, set. */
async function nextBlockAt(offset = 1n): Promise<bigint> {
  const time = BigInt(await networkHelpers.time.latest()) + offset;
  await networkHelpers.time.setNextBlockTimestamp(time);
  return time;
}

function post(
  market: CollateralMarket,
  cycle: number,
  accounts: string[],
  requirements: bigint[],
  deadline: bigint,
): Promise<ContractTransactionResponse> {
  return market.escrow
    .connect(market.signers.margin)
    .postRequirements(cycle, 20261100 + cycle, deadline, accounts, requirements);
}

describe("CollateralEscrow: requirements, margin calls, defaults, porting", () => {
  describe("requirements", () => {
    it("posts a batch with its cycle and as-of date; one event with the accounts and the requirements", async () => {
      const market = await networkHelpers.loadFixture(fundedFixture);
      const { escrow } = market;
      const deadline = (await nextBlockAt()) + DAY;
      const accounts = [ACCOUNT.aHouse, ACCOUNT.aCustomer, ACCOUNT.bHouse];
      await expect(post(market, 7, accounts, [150_000_000n, 10_000_000n, 0n], deadline))
        .to.emit(escrow, "RequirementsPosted")
        .withArgs(7, 20261107, accounts, [150_000_000n, 10_000_000n, 0n]);
      const house = await accountSnapshot(escrow, ACCOUNT.aHouse);
      expect([house.requirement, house.cycle, house.asOf]).to.deep.equal([150_000_000n, 7n, 20261107n]);
      expect(await escrow.cycleDate(7)).to.equal(20261107n);
      expect(house.call.open).to.equal(false);
    });

    it("refuses mismatched arrays, cycle or date 0, a past deadline, another date for a cycle, an older cycle", async () => {
      const market = await networkHelpers.loadFixture(fundedFixture);
      const { escrow, signers } = market;
      const margin = escrow.connect(signers.margin);
      const now = await nextBlockAt();
      const deadline = now + DAY;
      await expect(margin.postRequirements(1, 20261101, deadline, [ACCOUNT.aHouse], []))
        .to.be.revertedWithCustomError(escrow, "CollateralEscrowArrayLengthMismatch")
        .withArgs(1, 0);
      await expect(margin.postRequirements(0, 20261101, deadline, [], []))
        .to.be.revertedWithCustomError(escrow, "CollateralEscrowInvalidCycle")
        .withArgs(0, 20261101);
      await expect(margin.postRequirements(1, 0, deadline, [], []))
        .to.be.revertedWithCustomError(escrow, "CollateralEscrowInvalidCycle")
        .withArgs(1, 0);
      const at = await nextBlockAt();
      await expect(margin.postRequirements(1, 20261101, at, [], []))
        .to.be.revertedWithCustomError(escrow, "CollateralEscrowInvalidDeadline")
        .withArgs(at, at);
      await post(market, 2, [ACCOUNT.aHouse], [1n], deadline);
      await expect(margin.postRequirements(2, 20261199, deadline, [], []))
        .to.be.revertedWithCustomError(escrow, "CollateralEscrowCycleDateMismatch")
        .withArgs(2, 20261199, 20261102);
      await expect(post(market, 1, [ACCOUNT.aHouse], [1n], deadline))
        .to.be.revertedWithCustomError(escrow, "CollateralEscrowStaleCycle")
        .withArgs(ACCOUNT.aHouse, 1, 2);
      // The same cycle again replaces (a resumed batch does no harm).
      await post(market, 2, [ACCOUNT.aHouse], [2n], deadline);
      expect((await accountSnapshot(escrow, ACCOUNT.aHouse)).requirement).to.equal(2n);
      const max = 2n ** 80n - 1n;
      await expect(post(market, 3, [ACCOUNT.aHouse], [max + 1n], deadline))
        .to.be.revertedWithCustomError(escrow, "CollateralEscrowRequirementTooLarge")
        .withArgs(ACCOUNT.aHouse, max + 1n, max);
    });

    it("is all or nothing: one unknown account in a batch leaves every other account as it was", async () => {
      const market = await networkHelpers.loadFixture(fundedFixture);
      const { escrow } = market;
      const deadline = (await nextBlockAt()) + DAY;
      const unknown = encodeBytes32String("nobody");
      const before = await accountSnapshot(escrow, ACCOUNT.aHouse);
      await expect(post(market, 1, [ACCOUNT.aHouse, unknown], [500_000_000n, 1n], deadline))
        .to.be.revertedWithCustomError(escrow, "CollateralEscrowUnknownAccount")
        .withArgs(unknown);
      expect(await accountSnapshot(escrow, ACCOUNT.aHouse)).to.deep.equal(before);
      expect(await escrow.cycleDate(1)).to.equal(0n);
    });
  });

  describe("margin calls", () => {
    it("opens a call for the shortfall where short, none where covered; call IDs increase", async () => {
      const market = await networkHelpers.loadFixture(fundedFixture);
      const { escrow } = market;
      const deadline = (await nextBlockAt()) + DAY;
      const tx = post(market, 1, [ACCOUNT.aHouse, ACCOUNT.aCustomer], [200_000_000n, 60_000_000n], deadline);
      await expect(tx).to.emit(escrow, "MarginCalled").withArgs(ACCOUNT.aHouse, 1, 1, 2_147_000n, deadline);
      await expect(tx)
        .to.emit(escrow, "MarginCalled")
        .withArgs(ACCOUNT.aCustomer, 2, 1, 10_000_000n, deadline);
      const house = await accountSnapshot(escrow, ACCOUNT.aHouse);
      expect(house.call).to.deep.equal({ id: 1n, cycle: 1n, deadline, shortfall: 2_147_000n, open: true });
      // Still short on the next cycle: the same call stays open, with its deadline.
      const later = (await nextBlockAt()) + 2n * DAY;
      await expect(post(market, 2, [ACCOUNT.aHouse], [250_000_000n], later)).not.to.emit(
        escrow,
        "MarginCalled",
      );
      expect((await accountSnapshot(escrow, ACCOUNT.aHouse)).call).to.deep.equal(house.call);
      await expect(post(market, 3, [ACCOUNT.bHouse], [1n], later))
        .to.emit(escrow, "MarginCalled")
        .withArgs(ACCOUNT.bHouse, 3, 3, 1n, later);
    });

    it("a deposit that covers the account meets the call; a smaller one leaves it open", async () => {
      const market = await networkHelpers.loadFixture(fundedFixture);
      const { escrow, jpy, signers } = market;
      const { a } = signers;
      await post(market, 1, [ACCOUNT.aHouse], [200_000_000n], (await nextBlockAt()) + DAY);
      await expect(escrow.connect(a).deposit(ACCOUNT.aHouse, jpy, 2_146_999n)).not.to.emit(
        escrow,
        "MarginCallMet",
      );
      expect((await accountSnapshot(escrow, ACCOUNT.aHouse)).call.open).to.equal(true);
      await expect(escrow.connect(a).deposit(ACCOUNT.aHouse, jpy, 1n))
        .to.emit(escrow, "MarginCallMet")
        .withArgs(ACCOUNT.aHouse, 1);
      expect((await accountSnapshot(escrow, ACCOUNT.aHouse)).call).to.deep.include({ id: 1n, open: false });
    });

    it("a deposit never fails for a stale price: it leaves the call open until a re-check", async () => {
      const market = await networkHelpers.loadFixture(fundedFixture);
      const { escrow, jpy, jgb, signers, pricedAt } = market;
      const { a } = signers;
      await post(market, 1, [ACCOUNT.aHouse], [200_000_000n], pricedAt + 3n * DAY);
      await networkHelpers.time.increaseTo(pricedAt + DAY + 1n);
      await expect(escrow.connect(a).deposit(ACCOUNT.aHouse, jpy, 10_000_000n)).not.to.emit(
        escrow,
        "MarginCallMet",
      );
      expect((await accountSnapshot(escrow, ACCOUNT.aHouse)).call.open).to.equal(true);
      const now = await nextBlockAt();
      await escrow.connect(signers.priceFeed).postPrices([jgb], [PRICES.jgb], [now]);
      await expect(escrow.connect(signers.margin).recheck([ACCOUNT.aHouse], now + DAY))
        .to.emit(escrow, "MarginCallMet")
        .withArgs(ACCOUNT.aHouse, 1);
    });

    it("a lower requirement, a substitution or a withdrawal that leaves the account covered meets the call", async () => {
      const market = await networkHelpers.loadFixture(fundedFixture);
      const { escrow, jpy, jgb, signers } = market;
      const { a } = signers;
      const deadline = (await nextBlockAt()) + 5n * DAY;
      await post(market, 1, [ACCOUNT.aHouse], [200_000_000n], deadline);
      await expect(post(market, 2, [ACCOUNT.aHouse], [197_853_000n], deadline))
        .to.emit(escrow, "MarginCallMet")
        .withArgs(ACCOUNT.aHouse, 1);
      await post(market, 3, [ACCOUNT.aHouse], [200_000_000n], deadline);
      // Substitution: 10,000,000 yen out, 13 JGB (12,720,890) in: 200,573,890 >= 200,000,000.
      await expect(
        escrow.connect(a).substitute(ACCOUNT.aHouse, [await leg(jgb, 13n)], [await leg(jpy, 10_000_000n)]),
      )
        .to.emit(escrow, "MarginCallMet")
        .withArgs(ACCOUNT.aHouse, 2);
      await post(market, 4, [ACCOUNT.aHouse], [201_000_000n], deadline);
      // The price of the JGB rises: a withdrawal now finds the account covered and meets the call.
      const now = await nextBlockAt();
      await escrow.connect(signers.priceFeed).postPrices([jgb], [1_010_000n * 10n ** 8n], [now]);
      await expect(escrow.connect(a).withdraw(ACCOUNT.aHouse, jpy, 1n, a.address))
        .to.emit(escrow, "MarginCallMet")
        .withArgs(ACCOUNT.aHouse, 3);
    });

    it("re-check after a price move opens calls for accounts now short and meets those now covered", async () => {
      const market = await networkHelpers.loadFixture(fundedFixture);
      const { escrow, jgb, signers } = market;
      const deadline = (await nextBlockAt()) + DAY;
      await post(market, 1, [ACCOUNT.aHouse], [190_000_000n], deadline);
      let now = await nextBlockAt();
      // JGB falls to 90.00 (900,000 yen; 882,000 after haircut): 100,000,000 + 88,200,000 < 190,000,000.
      await escrow.connect(signers.priceFeed).postPrices([jgb], [900_000n * 10n ** 8n], [now]);
      await expect(escrow.connect(signers.margin).recheck([ACCOUNT.aHouse, ACCOUNT.aCustomer], now + DAY))
        .to.emit(escrow, "MarginCalled")
        .withArgs(ACCOUNT.aHouse, 1, 1, 1_800_000n, now + DAY);
      now = await nextBlockAt();
      await escrow.connect(signers.priceFeed).postPrices([jgb], [PRICES.jgb], [now]);
      await expect(escrow.connect(signers.margin).recheck([ACCOUNT.aHouse], now + DAY))
        .to.emit(escrow, "MarginCallMet")
        .withArgs(ACCOUNT.aHouse, 1);
      const at = await nextBlockAt();
      await expect(escrow.connect(signers.margin).recheck([ACCOUNT.aHouse], at))
        .to.be.revertedWithCustomError(escrow, "CollateralEscrowInvalidDeadline")
        .withArgs(at, at);
      const unknown = encodeBytes32String("nobody");
      await expect(escrow.connect(signers.margin).recheck([unknown], at + DAY))
        .to.be.revertedWithCustomError(escrow, "CollateralEscrowUnknownAccount")
        .withArgs(unknown);
    });
  });

  describe("default", () => {
    it("an account whose call is past its deadline can be declared in default, and is closed to its owner", async () => {
      const market = await networkHelpers.loadFixture(fundedFixture);
      const { escrow, jpy, signers } = market;
      const { a, defaultManager } = signers;
      const dm = escrow.connect(defaultManager);
      await expect(dm.declareDefault(ACCOUNT.aHouse))
        .to.be.revertedWithCustomError(escrow, "CollateralEscrowNoOpenCall")
        .withArgs(ACCOUNT.aHouse);
      const deadline = (await nextBlockAt()) + DAY;
      await post(market, 1, [ACCOUNT.aHouse], [300_000_000n], deadline);
      await networkHelpers.time.setNextBlockTimestamp(deadline);
      await expect(dm.declareDefault(ACCOUNT.aHouse))
        .to.be.revertedWithCustomError(escrow, "CollateralEscrowCallNotOverdue")
        .withArgs(ACCOUNT.aHouse, deadline, deadline);
      await networkHelpers.time.setNextBlockTimestamp(deadline + 1n);
      await expect(dm.declareDefault(ACCOUNT.aHouse))
        .to.emit(escrow, "AccountDefaulted")
        .withArgs(ACCOUNT.aHouse, a.address, 1);
      const state = await accountSnapshot(escrow, ACCOUNT.aHouse);
      expect(state.status).to.equal(AccountStatus.Defaulted);
      expect(state.call.open).to.equal(false);
      for (const refused of [
        escrow.connect(a).deposit(ACCOUNT.aHouse, jpy, 1n),
        escrow.connect(a).withdraw(ACCOUNT.aHouse, jpy, 1n, a.address),
        escrow.connect(a).substitute(ACCOUNT.aHouse, [await leg(jpy, 1n)], [await leg(jpy, 1n)]),
        dm.declareDefault(ACCOUNT.aHouse),
        post(market, 2, [ACCOUNT.aHouse], [1n], deadline + DAY),
        escrow.connect(signers.margin).recheck([ACCOUNT.aHouse], deadline + DAY),
      ]) {
        await expect(refused)
          .to.be.revertedWithCustomError(escrow, "CollateralEscrowAccountInDefault")
          .withArgs(ACCOUNT.aHouse);
      }
    });

    it("seizes to the default-management wallet; refuses an active account, an asset not held, a repeat", async () => {
      const market = await networkHelpers.loadFixture(fundedFixture);
      const { escrow, jpy, jgb, ust, signers } = market;
      const { a, defaultManager, dmWallet } = signers;
      const dm = escrow.connect(defaultManager);
      await expect(dm.seize(ACCOUNT.aHouse, [jpy]))
        .to.be.revertedWithCustomError(escrow, "CollateralEscrowAccountNotInDefault")
        .withArgs(ACCOUNT.aHouse);
      await expect(dm.seize(encodeBytes32String("nobody"), [jpy])).to.be.revertedWithCustomError(
        escrow,
        "CollateralEscrowUnknownAccount",
      );
      await dm.declareParticipantDefault(a.address);
      await dm.declareDefault(ACCOUNT.aHouse);
      await expect(dm.seize(ACCOUNT.aHouse, [ust]))
        .to.be.revertedWithCustomError(escrow, "CollateralEscrowAssetNotHeld")
        .withArgs(ACCOUNT.aHouse, await ust.getAddress());
      await expect(dm.seize(ACCOUNT.aHouse, [jpy, jpy]))
        .to.be.revertedWithCustomError(escrow, "CollateralEscrowDuplicateAsset")
        .withArgs(await jpy.getAddress());
      const tx = dm.seize(ACCOUNT.aHouse, [jgb, jpy]);
      await expect(tx)
        .to.emit(escrow, "CollateralSeized")
        .withArgs(ACCOUNT.aHouse, await jgb.getAddress(), dmWallet.address, 100n, false)
        .and.to.emit(escrow, "CollateralSeized")
        .withArgs(ACCOUNT.aHouse, await jpy.getAddress(), dmWallet.address, 100_000_000n, false);
      await expect(tx).to.changeTokenBalances(ethers, jpy, [escrow, dmWallet], [-100_000_000n, 100_000_000n]);
      await expect(tx).to.changeTokenBalances(ethers, jgb, [escrow, dmWallet], [-100n, 100n]);
      expect((await accountSnapshot(escrow, ACCOUNT.aHouse)).holdings).to.deep.equal({});
      // The customer's collateral is untouched.
      expect(await escrow.holdingOf(ACCOUNT.aCustomer, jpy)).to.equal(50_000_000n);
    });

    it("seizes a security token that refuses the transfer by its forced transfer, if the token lets the escrow", async () => {
      const market = await networkHelpers.loadFixture(fundedFixture);
      const { escrow, jgb, signers } = market;
      const { a, admin, agent, defaultManager, dmWallet } = signers;
      const dm = escrow.connect(defaultManager);
      await dm.declareParticipantDefault(a.address);
      await dm.declareDefault(ACCOUNT.aHouse);
      // The registrar froze the escrow's wallet on the JGB: a plain transfer would be refused.
      await jgb.connect(agent).setWalletFrozen(escrow, true);
      await expect(dm.seize(ACCOUNT.aHouse, [jgb]))
        .to.be.revertedWithCustomError(jgb, "AccessControlUnauthorizedAccount")
        .withArgs(await escrow.getAddress(), await jgb.AGENT_ROLE());
      expect(await escrow.holdingOf(ACCOUNT.aHouse, jgb)).to.equal(100n);
      await jgb.connect(admin).grantRole(await jgb.AGENT_ROLE(), escrow);
      const tx = dm.seize(ACCOUNT.aHouse, [jgb]);
      await expect(tx)
        .to.emit(escrow, "CollateralSeized")
        .withArgs(ACCOUNT.aHouse, await jgb.getAddress(), dmWallet.address, 100n, true)
        .and.to.emit(jgb, "TransferForced")
        .withArgs(await escrow.getAddress(), dmWallet.address, 100n, ForcedTransferReason.DEFAULT_MANAGEMENT);
      await expect(tx).to.changeTokenBalances(ethers, jgb, [escrow, dmWallet], [-100n, 100n]);
    });

    it("a participant in default: its accounts are closed to it and to its customers; they can be declared in default", async () => {
      const market = await networkHelpers.loadFixture(fundedFixture);
      const { escrow, jpy, signers } = market;
      const { a, x, defaultManager } = signers;
      const dm = escrow.connect(defaultManager);
      await expect(dm.declareParticipantDefault(a.address))
        .to.emit(escrow, "ParticipantDefaulted")
        .withArgs(a.address);
      expect(await escrow.isParticipantInDefault(a.address)).to.equal(true);
      expect((await accountSnapshot(escrow, ACCOUNT.aCustomer)).ownerInDefault).to.equal(true);
      await expect(dm.declareParticipantDefault(a.address))
        .to.be.revertedWithCustomError(escrow, "CollateralEscrowParticipantAlreadyInDefault")
        .withArgs(a.address);
      await expect(dm.declareParticipantDefault(ethers.ZeroAddress))
        .to.be.revertedWithCustomError(escrow, "CollateralEscrowInvalidWallet")
        .withArgs(ethers.ZeroAddress);
      for (const [caller, account] of [
        [a, ACCOUNT.aHouse],
        [a, ACCOUNT.aCustomer],
        [x, ACCOUNT.aCustomer],
      ] as const) {
        await expect(escrow.connect(caller).deposit(account, jpy, 1n))
          .to.be.revertedWithCustomError(escrow, "CollateralEscrowParticipantInDefault")
          .withArgs(account, a.address);
        await expect(escrow.connect(caller).withdraw(account, jpy, 1n, caller.address))
          .to.be.revertedWithCustomError(escrow, "CollateralEscrowParticipantInDefault")
          .withArgs(account, a.address);
      }
      // No call needed: the account's owner is in default.
      await expect(dm.declareDefault(ACCOUNT.aHouse))
        .to.emit(escrow, "AccountDefaulted")
        .withArgs(ACCOUNT.aHouse, a.address, 0);
    });
  });

  describe("porting", () => {
    it("moves a customer account, with its collateral, requirement and open call, to a participant that accepted", async () => {
      const market = await networkHelpers.loadFixture(fundedFixture);
      const { escrow, jpy, signers } = market;
      const { a, b, x, defaultManager } = signers;
      const deadline = (await nextBlockAt()) + DAY;
      await post(market, 1, [ACCOUNT.aCustomer], [60_000_000n], deadline);
      const before = await accountSnapshot(escrow, ACCOUNT.aCustomer);
      await expect(escrow.connect(b).setPortAcceptance(ACCOUNT.aCustomer, true))
        .to.emit(escrow, "PortAcceptanceSet")
        .withArgs(ACCOUNT.aCustomer, b.address, true);
      expect(await escrow.hasAcceptedPort(ACCOUNT.aCustomer, b.address)).to.equal(true);
      const dm = escrow.connect(defaultManager);
      await expect(dm.port(ACCOUNT.aCustomer, b.address))
        .to.be.revertedWithCustomError(escrow, "CollateralEscrowParticipantNotInDefault")
        .withArgs(a.address);
      await dm.declareParticipantDefault(a.address);
      await expect(dm.port(ACCOUNT.aCustomer, b.address))
        .to.emit(escrow, "AccountPorted")
        .withArgs(ACCOUNT.aCustomer, a.address, b.address);
      const after = await accountSnapshot(escrow, ACCOUNT.aCustomer);
      expect(after).to.deep.equal({ ...before, owner: b.address });
      expect(await escrow.hasAcceptedPort(ACCOUNT.aCustomer, b.address)).to.equal(false);
      // The new owner and the customer act again; the defaulter cannot.
      await expect(escrow.connect(a).deposit(ACCOUNT.aCustomer, jpy, 1n))
        .to.be.revertedWithCustomError(escrow, "CollateralEscrowNotAccountHolder")
        .withArgs(ACCOUNT.aCustomer, a.address);
      await expect(escrow.connect(x).deposit(ACCOUNT.aCustomer, jpy, 10_000_001n))
        .to.emit(escrow, "MarginCallMet")
        .withArgs(ACCOUNT.aCustomer, 1);
      await escrow.connect(b).withdraw(ACCOUNT.aCustomer, jpy, 1n, x.address);
    });

    it("refuses a house account, an unaccepted or defaulted target, a zero target or the customer itself", async () => {
      const market = await networkHelpers.loadFixture(fundedFixture);
      const { escrow, signers } = market;
      const { a, b, c, x, defaultManager } = signers;
      const dm = escrow.connect(defaultManager);
      await expect(escrow.connect(b).setPortAcceptance(ACCOUNT.aHouse, true))
        .to.be.revertedWithCustomError(escrow, "CollateralEscrowNotCustomerAccount")
        .withArgs(ACCOUNT.aHouse);
      await expect(
        escrow.connect(b).setPortAcceptance(encodeBytes32String("nobody"), true),
      ).to.be.revertedWithCustomError(escrow, "CollateralEscrowUnknownAccount");
      await dm.declareParticipantDefault(a.address);
      await expect(dm.port(ACCOUNT.aHouse, b.address))
        .to.be.revertedWithCustomError(escrow, "CollateralEscrowNotCustomerAccount")
        .withArgs(ACCOUNT.aHouse);
      await expect(dm.port(ACCOUNT.aCustomer, b.address))
        .to.be.revertedWithCustomError(escrow, "CollateralEscrowPortNotAccepted")
        .withArgs(ACCOUNT.aCustomer, b.address);
      await escrow.connect(b).setPortAcceptance(ACCOUNT.aCustomer, true);
      await escrow.connect(b).setPortAcceptance(ACCOUNT.aCustomer, false);
      await expect(dm.port(ACCOUNT.aCustomer, b.address)).to.be.revertedWithCustomError(
        escrow,
        "CollateralEscrowPortNotAccepted",
      );
      for (const target of [ethers.ZeroAddress, x.address, await escrow.getAddress()]) {
        await expect(dm.port(ACCOUNT.aCustomer, target))
          .to.be.revertedWithCustomError(escrow, "CollateralEscrowInvalidOwner")
          .withArgs(target);
      }
      await escrow.connect(c).setPortAcceptance(ACCOUNT.aCustomer, true);
      await dm.declareParticipantDefault(c.address);
      await expect(dm.port(ACCOUNT.aCustomer, c.address))
        .to.be.revertedWithCustomError(escrow, "CollateralEscrowParticipantInDefault")
        .withArgs(ACCOUNT.aCustomer, c.address);
      await dm.declareDefault(ACCOUNT.aCustomer);
      await expect(dm.port(ACCOUNT.aCustomer, b.address))
        .to.be.revertedWithCustomError(escrow, "CollateralEscrowAccountInDefault")
        .withArgs(ACCOUNT.aCustomer);
    });
  });

  describe("invariant 4: at most one open call per account", () => {
    it("repeated postings and re-checks of a short account keep one call; a new call only after the last is met", async () => {
      const market = await networkHelpers.loadFixture(fundedFixture);
      const { escrow, jpy, signers } = market;
      const deadline = (await nextBlockAt()) + DAY;
      await post(market, 1, [ACCOUNT.aHouse], [300_000_000n], deadline);
      await post(market, 2, [ACCOUNT.aHouse], [310_000_000n], deadline);
      await escrow.connect(signers.margin).recheck([ACCOUNT.aHouse, ACCOUNT.aHouse], deadline);
      expect((await accountSnapshot(escrow, ACCOUNT.aHouse)).call).to.deep.include({ id: 1n, open: true });
      await escrow.connect(signers.a).deposit(ACCOUNT.aHouse, jpy, 200_000_000n);
      await expect(post(market, 3, [ACCOUNT.aHouse], [500_000_000n], deadline))
        .to.emit(escrow, "MarginCalled")
        .withArgs(ACCOUNT.aHouse, 2, 3, 500_000_000n - 300_000_000n - 100n * JGB_UNIT_VALUE, deadline);
    });
  });
});
