import { expect } from "chai";
import { id } from "ethers";
import { network } from "hardhat";

import { deploy, deploySecurityToken } from "../support/security-token.ts";
import { deployFundedJpy } from "../support/stablecoin.ts";

/**
 * The settlement entry points of both tokens (ISettlementToken): `settlementTransfer` moves under every holder rule
 * with no allowance, returns instead of moving when the sender is short, and is refused to everyone but the holder
 * of SETTLEMENT_ROLE (the DvP contract; here a signer stands in for it); `settlementStanding` answers what the move
 * would check.
 */

const { ethers, networkHelpers } = await network.create();

const SETTLEMENT_ROLE = id("SETTLEMENT_ROLE");

async function securityFixture() {
  const setup = await deploySecurityToken(ethers);
  await setup.token.connect(setup.issuer).batchMint([setup.alice.address, setup.bob.address], [1_000n, 500n]);
  // The stranger stands in for the DvP contract.
  await setup.token.connect(setup.admin).grantRole(SETTLEMENT_ROLE, setup.stranger.address);
  return { ...setup, settler: setup.stranger };
}

async function coinFixture() {
  const funded = await deployFundedJpy(ethers);
  const { stablecoin, accounts } = funded;
  await stablecoin.connect(accounts.admin).grantRole(SETTLEMENT_ROLE, accounts.relayer.address);
  return { ...funded, settler: accounts.relayer };
}

describe("Settlement entry points of the tokens (ISettlementToken)", function () {
  describe("SecurityToken", function () {
    it("reports ISettlementToken by ERC-165 and names the role", async function () {
      const { token } = await networkHelpers.loadFixture(securityFixture);
      const ids = await deploy(ethers, "STInterfaceIds");
      expect(await token.SETTLEMENT_ROLE()).to.equal(SETTLEMENT_ROLE);
      expect(await token.supportsInterface(await ids.settlementToken())).to.equal(true);
    });

    it("moves between eligible holders with no allowance, and returns what the sender had", async function () {
      const { token, settler, alice, bob } = await networkHelpers.loadFixture(securityFixture);
      const move = token.connect(settler).settlementTransfer;
      expect(await move.staticCall(alice.address, bob.address, 300n)).to.deep.equal([true, 1_000n]);
      const tx = move(alice.address, bob.address, 300n);
      await expect(tx).to.emit(token, "Transfer").withArgs(alice.address, bob.address, 300n);
      await expect(tx).to.changeTokenBalances(ethers, token, [alice, bob], [-300n, 300n]);
      expect(await token.allowance(alice.address, settler.address)).to.equal(0n);
    });

    it("short of unfrozen tokens: moves nothing and says what was available", async function () {
      const { token, agent, settler, alice, bob } = await networkHelpers.loadFixture(securityFixture);
      await token.connect(agent).setFrozenTokens(alice.address, 800n);
      const move = token.connect(settler).settlementTransfer;
      expect(await move.staticCall(alice.address, bob.address, 201n)).to.deep.equal([false, 200n]);
      await expect(move(alice.address, bob.address, 201n)).to.changeTokenBalances(
        ethers,
        token,
        [alice, bob],
        [0n, 0n],
      );
      expect(await move.staticCall(alice.address, bob.address, 200n)).to.deep.equal([true, 200n]);
    });

    it("applies every holder rule: pause, wallet freeze, retirement, eligibility of both sides", async function () {
      const { token, registry, compliance, agent, pauser, settler, alice, alice2, bob, carol, outsider } =
        await networkHelpers.loadFixture(securityFixture);
      const move = token.connect(settler).settlementTransfer;
      await expect(move(alice.address, carol.address, 1n))
        .to.be.revertedWithCustomError(token, "ERC7943CannotReceive")
        .withArgs(carol.address);
      await expect(move(outsider.address, alice.address, 0n))
        .to.be.revertedWithCustomError(token, "ERC7943CannotSend")
        .withArgs(outsider.address);
      await expect(move(ethers.ZeroAddress, alice.address, 0n))
        .to.be.revertedWithCustomError(token, "ERC7943CannotSend")
        .withArgs(ethers.ZeroAddress);
      await token.connect(agent).setWalletFrozen(bob.address, true);
      await expect(move(alice.address, bob.address, 1n))
        .to.be.revertedWithCustomError(token, "SecurityTokenWalletFrozen")
        .withArgs(bob.address);
      await token.connect(agent).recoverWallet(alice2.address, alice.address);
      await expect(move(alice.address, alice2.address, 1n))
        .to.be.revertedWithCustomError(token, "SecurityTokenWalletRetired")
        .withArgs(alice2.address);
      await registry.connect(compliance).setEligibility(await registry.investorOf(alice.address), false, 0n);
      await token.connect(agent).setWalletFrozen(bob.address, false);
      await expect(move(alice.address, bob.address, 1n))
        .to.be.revertedWithCustomError(token, "ERC7943CannotSend")
        .withArgs(alice.address);
      await token.connect(pauser).pause();
      await expect(move(bob.address, alice.address, 1n)).to.be.revertedWithCustomError(
        token,
        "SecurityTokenPaused",
      );
      expect(await token.balanceOf(alice.address)).to.equal(1_000n);
    });

    it("settlementStanding answers what settlementTransfer checks", async function () {
      const { token, agent, pauser, alice, bob, carol } = await networkHelpers.loadFixture(securityFixture);
      await token.connect(agent).setFrozenTokens(alice.address, 100n);
      expect(await token.settlementStanding(alice.address)).to.deep.equal([true, true, 900n]);
      expect(await token.settlementStanding(carol.address)).to.deep.equal([false, false, 0n]);
      await token.connect(agent).setWalletFrozen(bob.address, true);
      expect(await token.settlementStanding(bob.address)).to.deep.equal([false, false, 500n]);
      await token.connect(pauser).pause();
      expect(await token.settlementStanding(alice.address)).to.deep.equal([false, false, 900n]);
    });

    it("is refused to every other role, a holder and a stranger", async function () {
      const { token, admin, issuer, agent, pauser, compliance, alice, bob } =
        await networkHelpers.loadFixture(securityFixture);
      for (const caller of [admin, issuer, agent, pauser, compliance, alice]) {
        await expect(token.connect(caller).settlementTransfer(alice.address, bob.address, 1n))
          .to.be.revertedWithCustomError(token, "AccessControlUnauthorizedAccount")
          .withArgs(caller.address, SETTLEMENT_ROLE);
      }
    });
  });

  describe("Stablecoin", function () {
    it("moves between allowed holders with no allowance, and returns what the payer had", async function () {
      const { stablecoin, settler, accounts } = await networkHelpers.loadFixture(coinFixture);
      const { alice, bob } = accounts;
      const move = stablecoin.connect(settler).settlementTransfer;
      expect(await move.staticCall(alice.address, bob.address, 4_000n)).to.deep.equal([true, 10_000n]);
      const tx = move(alice.address, bob.address, 4_000n);
      await expect(tx).to.emit(stablecoin, "Transfer").withArgs(alice.address, bob.address, 4_000n);
      await expect(tx).to.changeTokenBalances(ethers, stablecoin, [alice, bob], [-4_000n, 4_000n]);
    });

    it("short: moves nothing and says what the payer had", async function () {
      const { stablecoin, settler, accounts } = await networkHelpers.loadFixture(coinFixture);
      const { alice, bob } = accounts;
      const move = stablecoin.connect(settler).settlementTransfer;
      expect(await move.staticCall(bob.address, alice.address, 5_001n)).to.deep.equal([false, 5_000n]);
      await expect(move(bob.address, alice.address, 5_001n)).to.changeTokenBalances(
        ethers,
        stablecoin,
        [alice, bob],
        [0n, 0n],
      );
    });

    it("applies every holder rule: allowed list, freezes of both sides, pause", async function () {
      const { stablecoin, settler, accounts } = await networkHelpers.loadFixture(coinFixture);
      const { alice, bob, stranger, compliance, pauser } = accounts;
      const move = stablecoin.connect(settler).settlementTransfer;
      await expect(move(alice.address, stranger.address, 1n))
        .to.be.revertedWithCustomError(stablecoin, "StablecoinNotAllowed")
        .withArgs(stranger.address);
      await expect(move(ethers.ZeroAddress, alice.address, 0n))
        .to.be.revertedWithCustomError(stablecoin, "StablecoinNotAllowed")
        .withArgs(ethers.ZeroAddress);
      await stablecoin.connect(compliance).freezeAccount(bob.address);
      await expect(move(alice.address, bob.address, 1n))
        .to.be.revertedWithCustomError(stablecoin, "StablecoinAccountFrozen")
        .withArgs(bob.address);
      await expect(move(bob.address, alice.address, 1n))
        .to.be.revertedWithCustomError(stablecoin, "StablecoinAccountFrozen")
        .withArgs(bob.address);
      await stablecoin.connect(pauser).pause();
      await expect(move(alice.address, stablecoin.target, 1n)).to.be.revertedWithCustomError(
        stablecoin,
        "EnforcedPause",
      );
    });

    it("settlementStanding answers what settlementTransfer checks", async function () {
      const { stablecoin, accounts } = await networkHelpers.loadFixture(coinFixture);
      const { alice, bob, stranger, compliance, pauser } = accounts;
      expect(await stablecoin.settlementStanding(alice.address)).to.deep.equal([true, true, 10_000n]);
      expect(await stablecoin.settlementStanding(stranger.address)).to.deep.equal([false, false, 0n]);
      await stablecoin.connect(compliance).freezeAccount(bob.address);
      expect(await stablecoin.settlementStanding(bob.address)).to.deep.equal([false, false, 5_000n]);
      await stablecoin.connect(pauser).pause();
      expect(await stablecoin.settlementStanding(alice.address)).to.deep.equal([false, false, 10_000n]);
    });
  });
});
