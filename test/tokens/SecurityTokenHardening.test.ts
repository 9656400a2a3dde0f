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

    it("a wallet that was never registered cannot spend, even with an allowance", async function () {
      const { token, alice, alice2, outsider } = await networkHelpers.loadFixture(fundedFixture);
      await token.connect(alice).approve(outsider.address, 50n);
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
});
