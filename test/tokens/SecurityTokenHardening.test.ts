import { expect } from "chai";
import { network } from "hardhat";

import { deploySecurityToken } from "../support/security-token.ts";

/**
 * The security token tried as an attacker would, before the settlement contract builds on it: each case here was
 * possible on the first release of the token and must now be refused.
 */

const { ethers, networkHelpers } = await network.create();

type Setup = Awaited<ReturnType<typeof deploySecurityToken>>;

/** The fixture with 1,000 units minted to alice and 500 to bob. */
async function fundedFixture(): Promise<Setup> {
  const setup = await deploySecurityToken(ethers);
  await setup.token.connect(setup.issuer).batchMint([setup.alice.address, setup.bob.address], [1_000n, 500n]);
  return setup;
}

describe("SecurityToken hardening", function () {
  describe("the spender of transferFrom passes the sender's rules", function () {
    it("a stolen key (wallet frozen, then unlinked) cannot spend an allowance given earlier", async function () {
      const { token, registry, compliance, agent, alice, alice2, bob } =
        await networkHelpers.loadFixture(fundedFixture);
      await token.connect(alice).approve(bob.address, 300n);
      // Bob reports his key stolen: the agent freezes the wallet, compliance unlinks it.
      await token.connect(agent).setWalletFrozen(bob.address, true);
      await expect(token.connect(bob).transferFrom(alice.address, alice2.address, 100n))
        .to.be.revertedWithCustomError(token, "SecurityTokenWalletFrozen")
        .withArgs(bob.address);
      await registry.connect(compliance).removeWallet(bob.address);
      await expect(token.connect(bob).transferFrom(alice.address, alice2.address, 100n))
        .to.be.revertedWithCustomError(token, "SecurityTokenWalletFrozen")
        .withArgs(bob.address);
      // Unlinked alone (the freeze lifted by mistake) still stops it.
      await token.connect(agent).setWalletFrozen(bob.address, false);
      await expect(token.connect(bob).transferFrom(alice.address, alice2.address, 100n))
        .to.be.revertedWithCustomError(token, "ERC7943CannotSend")
        .withArgs(bob.address);
      expect(await token.balanceOf(alice.address)).to.equal(1_000n);
      expect(await token.allowance(alice.address, bob.address)).to.equal(300n);
    });

    it("a wallet outside the registry gets no allowance, and cannot spend one it got while registered", async function () {
      const { token, registry, compliance, alice, alice2, outsider } =
        await networkHelpers.loadFixture(fundedFixture);
      await expect(token.connect(alice).approve(outsider.address, 50n))
        .to.be.revertedWithCustomError(token, "ERC7943CannotSend")
        .withArgs(outsider.address);
      const investorId = await registry.investorOf(alice.address);
      await registry.connect(compliance).addWallet(investorId, outsider.address);
      await token.connect(alice).approve(outsider.address, 50n);
      await registry.connect(compliance).removeWallet(outsider.address);
      await expect(token.connect(outsider).transferFrom(alice.address, alice2.address, 1n))
        .to.be.revertedWithCustomError(token, "ERC7943CannotSend")
        .withArgs(outsider.address);
    });

    it("an eligible spender still moves tokens within its allowance", async function () {
      const { token, alice, alice2, bob } = await networkHelpers.loadFixture(fundedFixture);
      await token.connect(alice).approve(bob.address, 300n);
      await expect(
        token.connect(bob).transferFrom(alice.address, alice2.address, 100n),
      ).to.changeTokenBalances(ethers, token, [alice, alice2], [-100n, 100n]);
      expect(await token.allowance(alice.address, bob.address)).to.equal(200n);
    });
  });

  describe("a recovered (lost) wallet is retired: it can never send, receive or spend again", function () {
    it("whatever the operators do next: unlink, lift its freeze, re-link it", async function () {
      const { token, registry, compliance, agent, issuer, alice, alice2, bob } =
        await networkHelpers.loadFixture(fundedFixture);
      // Before the loss, alice's new wallet had given the old one an allowance (a sweep set-up), and bob too.
      await token.connect(alice2).approve(alice.address, ethers.MaxUint256);
      await token.connect(bob).approve(alice.address, ethers.MaxUint256);
      await token.connect(agent).setWalletFrozen(alice.address, true);
      await token.connect(agent).recoverWallet(alice.address, alice2.address);
      // The wallet freeze moved to the new wallet with the balance; the registrar lifts it there.
      await token.connect(agent).setWalletFrozen(alice2.address, false);
      expect(await token.isWalletRetired(alice.address)).to.equal(true);
      expect(await token.isWalletRetired(alice2.address)).to.equal(false);

      const attempts = async () => {
        await expect(token.connect(alice).transferFrom(alice2.address, alice.address, 1n))
          .to.be.revertedWithCustomError(token, "SecurityTokenWalletRetired")
          .withArgs(alice.address);
        await expect(token.connect(alice).transferFrom(bob.address, alice2.address, 1n))
          .to.be.revertedWithCustomError(token, "SecurityTokenWalletRetired")
          .withArgs(alice.address);
        await expect(token.connect(alice2).transfer(alice.address, 1n))
          .to.be.revertedWithCustomError(token, "SecurityTokenWalletRetired")
          .withArgs(alice.address);
        await expect(token.connect(issuer).mint(alice.address, 1n))
          .to.be.revertedWithCustomError(token, "SecurityTokenWalletRetired")
          .withArgs(alice.address);
        expect(await token.canSend(alice.address)).to.equal(false);
        expect(await token.canReceive(alice.address)).to.equal(false);
      };
      await attempts();
      // The operators lift the (moved) wallet freeze on the lost wallet by mistake: still retired.
      await token.connect(agent).setWalletFrozen(alice.address, false);
      await attempts();
      // Unlinked, then linked again (to bob's investor): still retired.
      await registry.connect(compliance).removeWallet(alice.address);
      await attempts();
      await registry.connect(compliance).addWallet(await registry.investorOf(bob.address), alice.address);
      await attempts();
      expect(await token.balanceOf(alice.address)).to.equal(0n);
      expect(await token.balanceOf(alice2.address)).to.equal(1_000n);
    });

    it("a retired wallet cannot be recovered again, nor receive a recovery", async function () {
      const { token, registry, compliance, agent, alice, alice2, outsider } =
        await networkHelpers.loadFixture(fundedFixture);
      await token.connect(agent).recoverWallet(alice.address, alice2.address);
      await expect(token.connect(agent).recoverWallet(alice.address, alice2.address))
        .to.be.revertedWithCustomError(token, "SecurityTokenWalletRetired")
        .withArgs(alice.address);
      await registry
        .connect(compliance)
        .addWallet(await registry.investorOf(alice2.address), outsider.address);
      await token.connect(agent).recoverWallet(alice2.address, outsider.address);
      await expect(token.connect(agent).recoverWallet(outsider.address, alice.address))
        .to.be.revertedWithCustomError(token, "SecurityTokenWalletRetired")
        .withArgs(alice.address);
      expect(await token.balanceOf(outsider.address)).to.equal(1_000n);
    });
  });

  describe("a forced transfer checks canReceive(to), as ERC-7943 says it should", function () {
    it("refuses a wallet-frozen receiver and a retired one, and still ignores the sender's freezes", async function () {
      const { token, agent, alice, alice2, bob } = await networkHelpers.loadFixture(fundedFixture);
      const force = token.connect(agent).getFunction("forcedTransfer(address,address,uint256,uint8)");
      await token.connect(agent).setWalletFrozen(bob.address, true);
      expect(await token.canReceive(bob.address)).to.equal(false);
      await expect(force(alice.address, bob.address, 10n, 1))
        .to.be.revertedWithCustomError(token, "SecurityTokenWalletFrozen")
        .withArgs(bob.address);
      await token.connect(agent).recoverWallet(alice2.address, alice.address);
      await expect(force(alice.address, alice2.address, 10n, 1))
        .to.be.revertedWithCustomError(token, "SecurityTokenWalletRetired")
        .withArgs(alice2.address);
      // The sender's wallet freeze and frozen tokens are still no obstacle (seizure is the point).
      await expect(force(bob.address, alice.address, 500n, 1)).to.changeTokenBalances(
        ethers,
        token,
        [bob, alice],
        [-500n, 500n],
      );
      expect(await token.balanceOf(alice2.address)).to.equal(0n);
    });
  });

  describe("a registry swap needs the token paused", function () {
    it("refuses setRegistry while transfers run, so no holder is caught mid-trade by a registry missing it", async function () {
      const { token, admin, pauser, registry } = await networkHelpers.loadFixture(fundedFixture);
      const next = await ethers.deployContract("InvestorRegistry", [0, admin.address]);
      await expect(token.connect(admin).setRegistry(await next.getAddress())).to.be.revertedWithCustomError(
        token,
        "SecurityTokenNotPaused",
      );
      expect(await token.registry()).to.equal(await registry.getAddress());
      await token.connect(pauser).pause();
      await expect(token.connect(admin).setRegistry(await next.getAddress()))
        .to.emit(token, "RegistryChanged")
        .withArgs(await registry.getAddress(), await next.getAddress());
    });
  });

  describe("a wallet moved to another investor (documented behaviour)", function () {
    it("takes its balance and its court-ordered freeze along: they belong to the wallet, on each token", async function () {
      const { token, registry, compliance, agent, alice, bob } =
        await networkHelpers.loadFixture(fundedFixture);
      await token.connect(agent).setFrozenTokens(alice.address, 300n);
      await registry.connect(compliance).removeWallet(alice.address);
      await registry.connect(compliance).addWallet(await registry.investorOf(bob.address), alice.address);
      expect(await token.balanceOf(alice.address)).to.equal(1_000n);
      expect(await token.getFrozenTokens(alice.address)).to.equal(300n);
      // The freeze still binds whoever now holds the wallet.
      await expect(token.connect(alice).transfer(bob.address, 701n))
        .to.be.revertedWithCustomError(token, "ERC7943InsufficientUnfrozenBalance")
        .withArgs(alice.address, 701n, 700n);
    });

    it("the procedure: recover to the first investor's other wallet before the move, which retires it here", async function () {
      const { token, registry, compliance, agent, alice, alice2, bob } =
        await networkHelpers.loadFixture(fundedFixture);
      await token.connect(agent).setFrozenTokens(alice.address, 300n);
      await token.connect(agent).recoverWallet(alice.address, alice2.address);
      await registry.connect(compliance).removeWallet(alice.address);
      await registry.connect(compliance).addWallet(await registry.investorOf(bob.address), alice.address);
      expect(await token.balanceOf(alice2.address)).to.equal(1_000n);
      expect(await token.getFrozenTokens(alice2.address)).to.equal(300n);
      expect(await token.canReceive(alice.address)).to.equal(false);
    });
  });
});
