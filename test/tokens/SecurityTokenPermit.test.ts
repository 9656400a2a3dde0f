import { expect } from "chai";
import { Signature, type Signer, TypedDataEncoder } from "ethers";
import { network } from "hardhat";

import { type SecurityToken, deploySecurityToken } from "../support/security-token.ts";
import { type PermitMessage, signPermit } from "../support/stablecoin.ts";

/**
 * EIP-2612 `permit` on the security token (OpenZeppelin `ERC20Permit`), and the holder rules that `approve` and
 * `permit` share: owner and spender must be registered, eligible, not wallet-frozen and not retired, except for a
 * revocation to zero. A contract that takes security tokens by permit (the collateral escrow) answers a margin call
 * in one transaction: permit, then transferFrom.
 */

const { ethers, networkHelpers } = await network.create();

type Setup = Awaited<ReturnType<typeof deploySecurityToken>>;

async function fundedFixture(): Promise<Setup> {
  const setup = await deploySecurityToken(ethers);
  await setup.token.connect(setup.issuer).batchMint([setup.alice.address, setup.bob.address], [1_000n, 500n]);
  return setup;
}

async function domainOf(token: SecurityToken) {
  const { chainId } = await ethers.provider.getNetwork();
  return { name: "JGB 10Y #372", version: "1", chainId, verifyingContract: await token.getAddress() };
}

/** EIP-2612 is the same message for every token: the stablecoin's test support signs it (for this token's domain). */
async function signPermitFor(
  token: SecurityToken,
  signer: Signer,
  message: PermitMessage,
): Promise<Signature> {
  return Signature.from(await signPermit(signer, await domainOf(token), message));
}

function submit(token: SecurityToken, message: PermitMessage, signature: Signature) {
  return token.permit(
    message.owner,
    message.spender,
    message.value,
    message.deadline,
    signature.v,
    signature.r,
    signature.s,
  );
}

async function deadline(): Promise<bigint> {
  return BigInt(await networkHelpers.time.latest()) + 3600n;
}

describe("SecurityToken permit (EIP-2612) and the approval rules", function () {
  it("the EIP-712 domain is (token name, version 1, chain id, token address)", async function () {
    const { token } = await networkHelpers.loadFixture(fundedFixture);
    expect(await token.DOMAIN_SEPARATOR()).to.equal(TypedDataEncoder.hashDomain(await domainOf(token)));
    const [, name, version, chainId, verifyingContract] = await token.eip712Domain();
    expect([name, version, chainId, verifyingContract]).to.deep.equal(Object.values(await domainOf(token)));
  });

  it("a relayed permit sets the allowance and uses the nonce; the spender then pulls in the same flow", async function () {
    const { token, alice, bob, stranger } = await networkHelpers.loadFixture(fundedFixture);
    const message = {
      owner: alice.address,
      spender: bob.address,
      value: 400n,
      nonce: 0n,
      deadline: await deadline(),
    };
    const signature = await signPermitFor(token, alice, message);
    await expect(submit(token.connect(stranger), message, signature))
      .to.emit(token, "Approval")
      .withArgs(alice.address, bob.address, 400n);
    expect(await token.nonces(alice.address)).to.equal(1n);
    expect(await token.allowance(alice.address, bob.address)).to.equal(400n);
    await expect(token.connect(bob).transferFrom(alice.address, bob.address, 400n)).to.changeTokenBalances(
      ethers,
      token,
      [alice, bob],
      [-400n, 400n],
    );
    // Replayed: the nonce has moved on, so the recovered signer is not the owner.
    await expect(submit(token, message, signature)).to.be.revertedWithCustomError(
      token,
      "ERC2612InvalidSigner",
    );
  });

  it("refuses an expired permit and one signed by another key", async function () {
    const { token, alice, bob } = await networkHelpers.loadFixture(fundedFixture);
    const now = BigInt(await networkHelpers.time.latest());
    const expired = { owner: alice.address, spender: bob.address, value: 1n, nonce: 0n, deadline: now };
    await expect(submit(token, expired, await signPermitFor(token, alice, expired)))
      .to.be.revertedWithCustomError(token, "ERC2612ExpiredSignature")
      .withArgs(now);
    const forged = { ...expired, deadline: await deadline() };
    await expect(submit(token, forged, await signPermitFor(token, bob, forged)))
      .to.be.revertedWithCustomError(token, "ERC2612InvalidSigner")
      .withArgs(bob.address, alice.address);
    expect(await token.allowance(alice.address, bob.address)).to.equal(0n);
  });

  it("owner and spender must pass the holder rules: registered, eligible, not frozen, not retired", async function () {
    const { token, registry, compliance, agent, alice, alice2, bob, carol, outsider } =
      await networkHelpers.loadFixture(fundedFixture);
    const permitTo = async (owner: typeof alice, spender: string) => {
      const message = {
        owner: owner.address,
        spender,
        value: 10n,
        nonce: await token.nonces(owner.address),
        deadline: await deadline(),
      };
      return submit(token, message, await signPermitFor(token, owner, message));
    };
    for (const [spender, error] of [
      [outsider.address, "ERC7943CannotSend"],
      [carol.address, "ERC7943CannotSend"],
    ] as const) {
      await expect(permitTo(alice, spender)).to.be.revertedWithCustomError(token, error).withArgs(spender);
      await expect(token.connect(alice).approve(spender, 10n))
        .to.be.revertedWithCustomError(token, error)
        .withArgs(spender);
    }
    await expect(permitTo(carol, alice.address))
      .to.be.revertedWithCustomError(token, "ERC7943CannotSend")
      .withArgs(carol.address);
    await token.connect(agent).setWalletFrozen(bob.address, true);
    await expect(permitTo(alice, bob.address))
      .to.be.revertedWithCustomError(token, "SecurityTokenWalletFrozen")
      .withArgs(bob.address);
    await expect(token.connect(bob).approve(alice.address, 1n))
      .to.be.revertedWithCustomError(token, "SecurityTokenWalletFrozen")
      .withArgs(bob.address);
    await token.connect(agent).recoverWallet(alice2.address, alice.address);
    await expect(permitTo(alice, alice2.address))
      .to.be.revertedWithCustomError(token, "SecurityTokenWalletRetired")
      .withArgs(alice2.address);
    await registry.connect(compliance).setEligibility(await registry.investorOf(alice.address), false, 0n);
    await expect(token.connect(alice).approve(alice.address, 1n))
      .to.be.revertedWithCustomError(token, "ERC7943CannotSend")
      .withArgs(alice.address);
  });

  it("a revocation to zero is always allowed, also by a frozen or ineligible wallet and by permit", async function () {
    const { token, registry, compliance, agent, alice, bob } =
      await networkHelpers.loadFixture(fundedFixture);
    await token.connect(alice).approve(bob.address, 100n);
    await token.connect(agent).setWalletFrozen(alice.address, true);
    await registry.connect(compliance).setEligibility(await registry.investorOf(alice.address), false, 0n);
    await expect(token.connect(alice).approve(bob.address, 0n))
      .to.emit(token, "Approval")
      .withArgs(alice.address, bob.address, 0n);
    await token.connect(agent).setWalletFrozen(alice.address, false);
    const message = {
      owner: alice.address,
      spender: bob.address,
      value: 0n,
      nonce: 0n,
      deadline: await deadline(),
    };
    await expect(submit(token, message, await signPermitFor(token, alice, message))).not.to.revert(ethers);
    expect(await token.nonces(alice.address)).to.equal(1n);
  });

  it("approve to the zero spender is refused with OpenZeppelin's error", async function () {
    const { token, alice } = await networkHelpers.loadFixture(fundedFixture);
    await expect(token.connect(alice).approve(ethers.ZeroAddress, 1n))
      .to.be.revertedWithCustomError(token, "ERC20InvalidSpender")
      .withArgs(ethers.ZeroAddress);
  });
});
