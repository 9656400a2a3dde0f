import { expect } from "chai";
import { TypedDataEncoder, keccak256, toUtf8Bytes } from "ethers";
import { network } from "hardhat";

import {
  type AuthorizationKind,
  type AuthorizationMessage,
  FAR_FUTURE,
  FUNDED,
  type PermitMessage,
  type WalletContract,
  authorizationNonce,
  deployFundedJpy,
  signAuthorization,
  signCancel,
  signPermit,
  stablecoinDomain,
  submitAuthorization,
  submitCancel,
  submitPermit,
} from "../support/stablecoin.ts";

const { ethers, networkHelpers } = await network.create();

const FORMS = ["vrs", "bytes"] as const;

/** The funded JPY coin plus an ERC-1271 wallet (owned by `walletOwner`), allowed and holding 3,000 yen. */
async function signaturesFixture() {
  const funded = await deployFundedJpy(ethers);
  const { stablecoin, accounts } = funded;
  const walletOwner = accounts.others[0]!;
  const wallet = (await ethers.deployContract("SCERC1271WalletMock", [
    walletOwner.address,
  ])) as unknown as WalletContract;
  const walletAddress = await wallet.getAddress();
  await stablecoin.connect(accounts.compliance).allowAccount(walletAddress);
  await stablecoin.connect(accounts.minter).mint(walletAddress, 3_000n);
  const domain = await stablecoinDomain(stablecoin);
  return { ...funded, wallet, walletAddress, walletOwner, domain };
}

function authorization(from: string, to: string, value: bigint, label: string): AuthorizationMessage {
  return { from, to, value, validAfter: 0n, validBefore: FAR_FUTURE, nonce: authorizationNonce(label) };
}

describe("Stablecoin signatures", () => {
  describe("EIP-712 domain and type hashes", () => {
    it("the domain is (token name, version 1, chain id, proxy address) and DOMAIN_SEPARATOR hashes it", async () => {
      const { stablecoin, proxyAddress, domain } = await networkHelpers.loadFixture(signaturesFixture);
      const { chainId } = await ethers.provider.getNetwork();
      expect(domain).to.deep.equal({
        name: "Clearchain Yen",
        version: "1",
        chainId,
        verifyingContract: proxyAddress,
      });
      expect(await stablecoin.DOMAIN_SEPARATOR()).to.equal(TypedDataEncoder.hashDomain(domain));
    });

    it("each written-out type hash is the keccak256 of its type string", async () => {
      const { stablecoin } = await networkHelpers.loadFixture(signaturesFixture);
      const fields =
        "address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce";
      const expected = {
        PERMIT_TYPEHASH: "Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)",
        TRANSFER_WITH_AUTHORIZATION_TYPEHASH: `TransferWithAuthorization(${fields})`,
        RECEIVE_WITH_AUTHORIZATION_TYPEHASH: `ReceiveWithAuthorization(${fields})`,
        CANCEL_AUTHORIZATION_TYPEHASH: "CancelAuthorization(address authorizer,bytes32 nonce)",
      } as const;
      for (const [name, typeString] of Object.entries(expected)) {
        expect(await stablecoin[name as keyof typeof expected](), name).to.equal(
          keccak256(toUtf8Bytes(typeString)),
        );
      }
    });
  });

  describe("permit (EIP-2612)", () => {
    for (const form of FORMS) {
      it(`an EOA's permit (${form} form) sets the allowance and uses the nonce; the spender then pays`, async () => {
        const { stablecoin, accounts, domain } = await networkHelpers.loadFixture(signaturesFixture);
        const { alice, bob, carol, relayer } = accounts;
        const message: PermitMessage = {
          owner: alice.address,
          spender: bob.address,
          value: 900n,
          nonce: 0n,
          deadline: FAR_FUTURE,
        };
        const signature = await signPermit(alice, domain, message);
        await expect(submitPermit(stablecoin.connect(relayer), message, signature, form))
          .to.emit(stablecoin, "Approval")
          .withArgs(alice.address, bob.address, 900n);
        expect(await stablecoin.allowance(alice, bob)).to.equal(900n);
        expect(await stablecoin.nonces(alice)).to.equal(1n);
        await expect(stablecoin.connect(bob).transferFrom(alice, carol, 900n)).to.changeTokenBalances(
          ethers,
          stablecoin,
          [alice, carol],
          [-900n, 900n],
        );
      });
    }

    it("is accepted at its deadline and refused one second later, naming deadline and block time", async () => {
      const { stablecoin, accounts, domain } = await networkHelpers.loadFixture(signaturesFixture);
      const { alice, bob } = accounts;
      const deadline = BigInt(await networkHelpers.time.latest()) + 1_000n;
      const late: PermitMessage = {
        owner: alice.address,
        spender: bob.address,
        value: 1n,
        nonce: 0n,
        deadline,
      };
      await networkHelpers.time.setNextBlockTimestamp(deadline + 1n);
      await expect(submitPermit(stablecoin, late, await signPermit(alice, domain, late)))
        .to.be.revertedWithCustomError(stablecoin, "StablecoinPermitExpired")
        .withArgs(deadline, deadline + 1n);
      expect(await stablecoin.nonces(alice)).to.equal(0n);

      const onTime: PermitMessage = { ...late, deadline: deadline + 10n };
      await networkHelpers.time.setNextBlockTimestamp(deadline + 10n);
      await submitPermit(stablecoin, onTime, await signPermit(alice, domain, onTime));
      expect(await stablecoin.allowance(alice, bob)).to.equal(1n);
    });

    it("refuses a signature by another key, and a replay of a used permit", async () => {
      const { stablecoin, accounts, domain } = await networkHelpers.loadFixture(signaturesFixture);
      const { alice, bob } = accounts;
      const message: PermitMessage = {
        owner: alice.address,
        spender: bob.address,
        value: 5n,
        nonce: 0n,
        deadline: FAR_FUTURE,
      };
      await expect(submitPermit(stablecoin, message, await signPermit(bob, domain, message)))
        .to.be.revertedWithCustomError(stablecoin, "StablecoinInvalidSignature")
        .withArgs(alice.address);
      const signature = await signPermit(alice, domain, message);
      await submitPermit(stablecoin, message, signature);
      await stablecoin.connect(alice).approve(bob, 0n);
      // The nonce is now 1: the same signature no longer matches.
      await expect(submitPermit(stablecoin, message, signature))
        .to.be.revertedWithCustomError(stablecoin, "StablecoinInvalidSignature")
        .withArgs(alice.address);
      expect(await stablecoin.allowance(alice, bob)).to.equal(0n);
    });

    it("refuses while paused, an owner that is not allowed, and a frozen spender", async () => {
      const { stablecoin, accounts, domain } = await networkHelpers.loadFixture(signaturesFixture);
      const { alice, bob, stranger, compliance, pauser } = accounts;
      const ok: PermitMessage = {
        owner: alice.address,
        spender: bob.address,
        value: 5n,
        nonce: 0n,
        deadline: FAR_FUTURE,
      };
      await stablecoin.connect(pauser).pause();
      await expect(
        submitPermit(stablecoin, ok, await signPermit(alice, domain, ok)),
      ).to.be.revertedWithCustomError(stablecoin, "EnforcedPause");
      await stablecoin.connect(pauser).unpause();

      const outsider: PermitMessage = { ...ok, owner: stranger.address };
      await expect(submitPermit(stablecoin, outsider, await signPermit(stranger, domain, outsider)))
        .to.be.revertedWithCustomError(stablecoin, "StablecoinNotAllowed")
        .withArgs(stranger.address);

      await stablecoin.connect(compliance).freezeAccount(bob);
      await expect(submitPermit(stablecoin, ok, await signPermit(alice, domain, ok)))
        .to.be.revertedWithCustomError(stablecoin, "StablecoinAccountFrozen")
        .withArgs(bob.address);
      expect(await stablecoin.allowance(alice, bob)).to.equal(0n);
      expect(await stablecoin.nonces(alice)).to.equal(0n);
    });

    for (const form of FORMS) {
      it(`an ERC-1271 wallet's permit (${form} form) is checked by the wallet`, async () => {
        const { stablecoin, accounts, domain, wallet, walletAddress, walletOwner } =
          await networkHelpers.loadFixture(signaturesFixture);
        const { bob, carol } = accounts;
        const message: PermitMessage = {
          owner: walletAddress,
          spender: bob.address,
          value: 1_200n,
          nonce: 0n,
          deadline: FAR_FUTURE,
        };
        // The wallet accepts its owner's key only.
        await expect(submitPermit(stablecoin, message, await signPermit(carol, domain, message), form))
          .to.be.revertedWithCustomError(stablecoin, "StablecoinInvalidSignature")
          .withArgs(walletAddress);
        const signature = await signPermit(walletOwner, domain, message);
        await wallet.connect(walletOwner).setRefuseAll(true);
        await expect(submitPermit(stablecoin, message, signature, form))
          .to.be.revertedWithCustomError(stablecoin, "StablecoinInvalidSignature")
          .withArgs(walletAddress);
        await wallet.connect(walletOwner).setRefuseAll(false);
        await submitPermit(stablecoin, message, signature, form);
        expect(await stablecoin.allowance(walletAddress, bob)).to.equal(1_200n);
        await expect(
          stablecoin.connect(bob).transferFrom(walletAddress, carol, 1_200n),
        ).to.changeTokenBalances(ethers, stablecoin, [walletAddress, carol.address], [-1_200n, 1_200n]);
      });
    }
  });

  describe("transferWithAuthorization (ERC-3009)", () => {
    for (const form of FORMS) {
      it(`moves the payment when a relayer submits the payer's authorization (${form} form)`, async () => {
        const { stablecoin, accounts, domain } = await networkHelpers.loadFixture(signaturesFixture);
        const { alice, carol, relayer } = accounts;
        const message = authorization(alice.address, carol.address, 2_000n, "pay-carol");
        const signature = await signAuthorization(alice, domain, "transfer", message);
        expect(await stablecoin.authorizationState(alice, message.nonce)).to.equal(false);
        const tx = submitAuthorization(stablecoin.connect(relayer), "transfer", message, signature, form);
        await expect(tx).to.emit(stablecoin, "AuthorizationUsed").withArgs(alice.address, message.nonce);
        await expect(tx).to.emit(stablecoin, "Transfer").withArgs(alice.address, carol.address, 2_000n);
        await expect(tx).to.changeTokenBalances(
          ethers,
          stablecoin,
          [alice, carol, relayer],
          [-2_000n, 2_000n, 0n],
        );
        expect(await stablecoin.authorizationState(alice, message.nonce)).to.equal(true);
      });
    }

    it("refuses a replay of a used authorization (I5)", async () => {
      const { stablecoin, accounts, domain } = await networkHelpers.loadFixture(signaturesFixture);
      const { alice, carol, relayer } = accounts;
      const message = authorization(alice.address, carol.address, 10n, "once");
      const signature = await signAuthorization(alice, domain, "transfer", message);
      await submitAuthorization(stablecoin.connect(relayer), "transfer", message, signature);
      for (const form of FORMS) {
        await expect(submitAuthorization(stablecoin.connect(relayer), "transfer", message, signature, form))
          .to.be.revertedWithCustomError(stablecoin, "StablecoinAuthorizationUsed")
          .withArgs(alice.address, message.nonce);
      }
      expect(await stablecoin.balanceOf(carol)).to.equal(10n);
    });

    it("is not valid at validAfter, valid one second later", async () => {
      const { stablecoin, accounts, domain } = await networkHelpers.loadFixture(signaturesFixture);
      const { alice, carol } = accounts;
      const validAfter = BigInt(await networkHelpers.time.latest()) + 100n;
      const message = { ...authorization(alice.address, carol.address, 10n, "later"), validAfter };
      const signature = await signAuthorization(alice, domain, "transfer", message);
      await networkHelpers.time.setNextBlockTimestamp(validAfter);
      await expect(submitAuthorization(stablecoin, "transfer", message, signature))
        .to.be.revertedWithCustomError(stablecoin, "StablecoinAuthorizationNotYetValid")
        .withArgs(validAfter, validAfter);
      await networkHelpers.time.setNextBlockTimestamp(validAfter + 1n);
      await submitAuthorization(stablecoin, "transfer", message, signature);
      expect(await stablecoin.balanceOf(carol)).to.equal(10n);
    });

    it("is valid one second before validBefore, expired at validBefore", async () => {
      const { stablecoin, accounts, domain } = await networkHelpers.loadFixture(signaturesFixture);
      const { alice, carol } = accounts;
      const validBefore = BigInt(await networkHelpers.time.latest()) + 100n;
      const expired = { ...authorization(alice.address, carol.address, 10n, "expired"), validBefore };
      await networkHelpers.time.setNextBlockTimestamp(validBefore);
      await expect(
        submitAuthorization(
          stablecoin,
          "transfer",
          expired,
          await signAuthorization(alice, domain, "transfer", expired),
        ),
      )
        .to.be.revertedWithCustomError(stablecoin, "StablecoinAuthorizationExpired")
        .withArgs(validBefore, validBefore);
      expect(await stablecoin.authorizationState(alice, expired.nonce)).to.equal(false);

      const inTime = { ...expired, nonce: authorizationNonce("in-time"), validBefore: validBefore + 10n };
      await networkHelpers.time.setNextBlockTimestamp(validBefore + 9n);
      await submitAuthorization(
        stablecoin,
        "transfer",
        inTime,
        await signAuthorization(alice, domain, "transfer", inTime),
      );
      expect(await stablecoin.balanceOf(carol)).to.equal(10n);
    });

    it("refuses a signature by another key, an altered amount, and a receive authorization", async () => {
      const { stablecoin, accounts, domain } = await networkHelpers.loadFixture(signaturesFixture);
      const { alice, bob, carol } = accounts;
      const message = authorization(alice.address, carol.address, 10n, "forged");
      const cases: [string, AuthorizationMessage, string][] = [
        ["another key", message, await signAuthorization(bob, domain, "transfer", message)],
        [
          "altered amount",
          { ...message, value: 11n },
          await signAuthorization(alice, domain, "transfer", message),
        ],
        ["receive type", message, await signAuthorization(alice, domain, "receive", message)],
      ];
      for (const [label, sent, signature] of cases) {
        await expect(submitAuthorization(stablecoin, "transfer", sent, signature), label)
          .to.be.revertedWithCustomError(stablecoin, "StablecoinInvalidSignature")
          .withArgs(alice.address);
      }
      expect(await stablecoin.authorizationState(alice, message.nonce)).to.equal(false);
    });

    it("a refused authorization leaves its nonce free: frozen payer, payee not allowed, short balance, pause", async () => {
      const { stablecoin, accounts, domain } = await networkHelpers.loadFixture(signaturesFixture);
      const { alice, carol, stranger, compliance, pauser } = accounts;
      const toCarol = authorization(alice.address, carol.address, FUNDED.alice, "retry");
      const signed = await signAuthorization(alice, domain, "transfer", toCarol);

      await stablecoin.connect(compliance).freezeAccount(alice);
      await expect(submitAuthorization(stablecoin, "transfer", toCarol, signed))
        .to.be.revertedWithCustomError(stablecoin, "StablecoinAccountFrozen")
        .withArgs(alice.address);
      await stablecoin.connect(compliance).unfreezeAccount(alice);

      const toStranger = authorization(alice.address, stranger.address, 1n, "retry");
      await expect(
        submitAuthorization(
          stablecoin,
          "transfer",
          toStranger,
          await signAuthorization(alice, domain, "transfer", toStranger),
        ),
      )
        .to.be.revertedWithCustomError(stablecoin, "StablecoinNotAllowed")
        .withArgs(stranger.address);

      await stablecoin.connect(alice).transfer(carol, 1n);
      await expect(submitAuthorization(stablecoin, "transfer", toCarol, signed))
        .to.be.revertedWithCustomError(stablecoin, "ERC20InsufficientBalance")
        .withArgs(alice.address, FUNDED.alice - 1n, FUNDED.alice);
      await stablecoin.connect(carol).transfer(alice, 1n);

      await stablecoin.connect(pauser).pause();
      await expect(
        submitAuthorization(stablecoin, "transfer", toCarol, signed),
      ).to.be.revertedWithCustomError(stablecoin, "EnforcedPause");
      await stablecoin.connect(pauser).unpause();

      expect(await stablecoin.authorizationState(alice, toCarol.nonce)).to.equal(false);
      await submitAuthorization(stablecoin, "transfer", toCarol, signed);
      expect(await stablecoin.balanceOf(carol)).to.equal(FUNDED.alice);
      expect(await stablecoin.authorizationState(alice, toCarol.nonce)).to.equal(true);
    });
  });

  describe("receiveWithAuthorization (ERC-3009)", () => {
    for (const form of FORMS) {
      it(`moves the payment when the payee submits it (${form} form)`, async () => {
        const { stablecoin, accounts, domain } = await networkHelpers.loadFixture(signaturesFixture);
        const { alice, carol } = accounts;
        const message = authorization(alice.address, carol.address, 700n, "collect");
        const signature = await signAuthorization(alice, domain, "receive", message);
        const tx = submitAuthorization(stablecoin.connect(carol), "receive", message, signature, form);
        await expect(tx).to.emit(stablecoin, "AuthorizationUsed").withArgs(alice.address, message.nonce);
        await expect(tx).to.changeTokenBalances(ethers, stablecoin, [alice, carol], [-700n, 700n]);
      });

      it(`refuses a caller that is not the payee (${form} form)`, async () => {
        const { stablecoin, accounts, domain } = await networkHelpers.loadFixture(signaturesFixture);
        const { alice, carol, relayer } = accounts;
        const message = authorization(alice.address, carol.address, 700n, "front-run");
        const signature = await signAuthorization(alice, domain, "receive", message);
        await expect(submitAuthorization(stablecoin.connect(relayer), "receive", message, signature, form))
          .to.be.revertedWithCustomError(stablecoin, "StablecoinCallerNotPayee")
          .withArgs(relayer.address, carol.address);
        expect(await stablecoin.authorizationState(alice, message.nonce)).to.equal(false);
      });
    }

    it("refuses a transfer authorization submitted as a receive", async () => {
      const { stablecoin, accounts, domain } = await networkHelpers.loadFixture(signaturesFixture);
      const { alice, carol } = accounts;
      const message = authorization(alice.address, carol.address, 700n, "wrong-type");
      const signature = await signAuthorization(alice, domain, "transfer", message);
      await expect(submitAuthorization(stablecoin.connect(carol), "receive", message, signature))
        .to.be.revertedWithCustomError(stablecoin, "StablecoinInvalidSignature")
        .withArgs(alice.address);
    });
  });

  describe("cancelAuthorization (ERC-3009)", () => {
    for (const form of FORMS) {
      it(`cancels an unused nonce (${form} form); the authorization can no longer be used (I5)`, async () => {
        const { stablecoin, accounts, domain } = await networkHelpers.loadFixture(signaturesFixture);
        const { alice, carol, relayer } = accounts;
        const message = authorization(alice.address, carol.address, 10n, "withdrawn");
        const signed = await signAuthorization(alice, domain, "transfer", message);
        const cancel = { authorizer: alice.address, nonce: message.nonce };
        const cancelSignature = await signCancel(alice, domain, cancel);
        await expect(submitCancel(stablecoin.connect(relayer), cancel, cancelSignature, form))
          .to.emit(stablecoin, "AuthorizationCanceled")
          .withArgs(alice.address, message.nonce);
        expect(await stablecoin.authorizationState(alice, message.nonce)).to.equal(true);
        await expect(submitAuthorization(stablecoin, "transfer", message, signed))
          .to.be.revertedWithCustomError(stablecoin, "StablecoinAuthorizationCanceled")
          .withArgs(alice.address, message.nonce);
        await expect(submitCancel(stablecoin, cancel, cancelSignature, form))
          .to.be.revertedWithCustomError(stablecoin, "StablecoinAuthorizationCanceled")
          .withArgs(alice.address, message.nonce);
        expect(await stablecoin.balanceOf(carol)).to.equal(0n);
      });
    }

    it("refuses to cancel a used nonce and a signature by another key", async () => {
      const { stablecoin, accounts, domain } = await networkHelpers.loadFixture(signaturesFixture);
      const { alice, bob, carol } = accounts;
      const used = authorization(alice.address, carol.address, 10n, "used");
      await submitAuthorization(
        stablecoin,
        "transfer",
        used,
        await signAuthorization(alice, domain, "transfer", used),
      );
      const cancelUsed = { authorizer: alice.address, nonce: used.nonce };
      await expect(submitCancel(stablecoin, cancelUsed, await signCancel(alice, domain, cancelUsed)))
        .to.be.revertedWithCustomError(stablecoin, "StablecoinAuthorizationUsed")
        .withArgs(alice.address, used.nonce);

      const fresh = { authorizer: alice.address, nonce: authorizationNonce("fresh") };
      await expect(submitCancel(stablecoin, fresh, await signCancel(bob, domain, fresh)))
        .to.be.revertedWithCustomError(stablecoin, "StablecoinInvalidSignature")
        .withArgs(alice.address);
      expect(await stablecoin.authorizationState(alice, fresh.nonce)).to.equal(false);
    });

    it("cancels while paused, so that a phished authorization cannot win the race at unpause", async () => {
      const { stablecoin, accounts, domain } = await networkHelpers.loadFixture(signaturesFixture);
      const { alice, carol, relayer, pauser } = accounts;
      // Alice signed a payment to a phisher (carol) and notices during an incident, while the coin is paused.
      const phished = authorization(alice.address, carol.address, 1_000n, "phished");
      const phishedSignature = await signAuthorization(alice, domain, "transfer", phished);
      await stablecoin.connect(pauser).pause();
      const cancel = { authorizer: alice.address, nonce: phished.nonce };
      await expect(submitCancel(stablecoin.connect(relayer), cancel, await signCancel(alice, domain, cancel)))
        .to.emit(stablecoin, "AuthorizationCanceled")
        .withArgs(alice.address, phished.nonce);
      await stablecoin.connect(pauser).unpause();
      await expect(submitAuthorization(stablecoin.connect(carol), "transfer", phished, phishedSignature))
        .to.be.revertedWithCustomError(stablecoin, "StablecoinAuthorizationCanceled")
        .withArgs(alice.address, phished.nonce);
      expect(await stablecoin.balanceOf(carol)).to.equal(0n);
    });
  });

  describe("ERC-1271 wallet as authorizer", () => {
    const kinds: AuthorizationKind[] = ["transfer", "receive"];
    for (const kind of kinds) {
      for (const form of FORMS) {
        it(`${kind}WithAuthorization from a contract wallet (${form} form)`, async () => {
          const { stablecoin, accounts, domain, walletAddress, walletOwner } =
            await networkHelpers.loadFixture(signaturesFixture);
          const { carol, relayer } = accounts;
          const message = authorization(walletAddress, carol.address, 1_500n, `wallet-${kind}-${form}`);
          const signature = await signAuthorization(walletOwner, domain, kind, message);
          const sender = kind === "transfer" ? relayer : carol;
          const tx = submitAuthorization(stablecoin.connect(sender), kind, message, signature, form);
          await expect(tx).to.emit(stablecoin, "AuthorizationUsed").withArgs(walletAddress, message.nonce);
          await expect(tx).to.changeTokenBalances(
            ethers,
            stablecoin,
            [walletAddress, carol.address],
            [-1_500n, 1_500n],
          );
        });
      }
    }

    it("the wallet's refusal, or another key's signature, is an invalid signature", async () => {
      const { stablecoin, accounts, domain, wallet, walletAddress, walletOwner } =
        await networkHelpers.loadFixture(signaturesFixture);
      const { carol } = accounts;
      const message = authorization(walletAddress, carol.address, 1n, "refused");
      await expect(
        submitAuthorization(
          stablecoin,
          "transfer",
          message,
          await signAuthorization(carol, domain, "transfer", message),
        ),
      )
        .to.be.revertedWithCustomError(stablecoin, "StablecoinInvalidSignature")
        .withArgs(walletAddress);
      const signature = await signAuthorization(walletOwner, domain, "transfer", message);
      await wallet.connect(walletOwner).setRefuseAll(true);
      await expect(submitAuthorization(stablecoin, "transfer", message, signature))
        .to.be.revertedWithCustomError(stablecoin, "StablecoinInvalidSignature")
        .withArgs(walletAddress);
      expect(await stablecoin.authorizationState(walletAddress, message.nonce)).to.equal(false);
    });

    for (const form of FORMS) {
      it(`a contract wallet cancels its authorization (${form} form)`, async () => {
        const { stablecoin, domain, walletAddress, walletOwner } =
          await networkHelpers.loadFixture(signaturesFixture);
        const cancel = { authorizer: walletAddress, nonce: authorizationNonce("wallet-cancel") };
        await expect(submitCancel(stablecoin, cancel, await signCancel(walletOwner, domain, cancel), form))
          .to.emit(stablecoin, "AuthorizationCanceled")
          .withArgs(walletAddress, cancel.nonce);
        expect(await stablecoin.authorizationState(walletAddress, cancel.nonce)).to.equal(true);
      });
    }

    it("the wallet can still move its tokens itself through execute", async () => {
      const { stablecoin, accounts, wallet, walletAddress, walletOwner } =
        await networkHelpers.loadFixture(signaturesFixture);
      const data = stablecoin.interface.encodeFunctionData("transfer", [accounts.carol.address, 5n]);
      await expect(wallet.connect(walletOwner).execute(stablecoin, data)).to.changeTokenBalances(
        ethers,
        stablecoin,
        [walletAddress, accounts.carol.address],
        [-5n, 5n],
      );
      await expect(wallet.connect(accounts.carol).execute(stablecoin, data))
        .to.be.revertedWithCustomError(wallet, "SCWalletNotOwner")
        .withArgs(accounts.carol.address);
    });
  });
});
