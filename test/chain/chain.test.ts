import { expect } from "chai";
import { network } from "hardhat";
import { type Address, type Hex, getAddress, keccak256, toHex } from "viem";

import { JpyCoinModule } from "../../deploy/modules/Suite.ts";
import { signTransferAuthorization } from "../../ts-src/chain/authorization.ts";
import { decodeRefusal, formatRefusal } from "../../ts-src/chain/revert.ts";

const { viem, ignition, networkHelpers } = await network.create();

describe("ts-src/chain", function () {
  async function deployFundedYen() {
    const [bank, payer, payee, relayer] = await viem.getWalletClients();
    const { stablecoin } = await ignition.deploy(JpyCoinModule);
    const coin = await viem.getContractAt("Stablecoin", (await stablecoin.getAddress()) as Address);
    await coin.write.allowAccounts([[bank!.account.address, payer!.account.address, payee!.account.address]]);
    await coin.write.configureMinter([bank!.account.address, 1_000_000n]);
    await coin.write.mint([payer!.account.address, 100_000n]);
    const chainId = await (await viem.getPublicClient()).getChainId();
    const domain = { name: await coin.read.name(), chainId, verifyingContract: coin.address };
    const validBefore = BigInt(await networkHelpers.time.latest()) + 3600n;
    return { coin, payer: payer!, payee: payee!, relayer: relayer!, domain, validBefore };
  }

  const nonce = (label: string): Hex => keccak256(toHex(label));

  describe("signTransferAuthorization", function () {
    it("signs a transferWithAuthorization that a third party can submit", async function () {
      const { coin, payer, payee, relayer, domain, validBefore } =
        await networkHelpers.loadFixture(deployFundedYen);
      const authorization = {
        from: payer.account.address,
        to: payee.account.address,
        value: 12_345n,
        validAfter: 0n,
        validBefore,
        nonce: nonce("transfer"),
      };
      const signature = await signTransferAuthorization(payer, { domain, kind: "transfer", authorization });
      const { from, to, value, validAfter, nonce: n } = authorization;
      await coin.write.transferWithAuthorization([from, to, value, validAfter, validBefore, n, signature], {
        account: relayer.account,
      });
      expect(await coin.read.balanceOf([payee.account.address])).to.equal(12_345n);
      expect(await coin.read.authorizationState([from, n])).to.equal(true);
    });

    it("signs a receiveWithAuthorization that only the payee submits", async function () {
      const { coin, payer, payee, domain, validBefore } = await networkHelpers.loadFixture(deployFundedYen);
      const authorization = {
        from: payer.account.address,
        to: payee.account.address,
        value: 500n,
        validAfter: 0n,
        validBefore,
        nonce: nonce("receive"),
      };
      const signature = await signTransferAuthorization(payer, { domain, kind: "receive", authorization });
      const args = [
        payer.account.address,
        payee.account.address,
        500n,
        0n,
        validBefore,
        authorization.nonce,
        signature,
      ] as const;
      await coin.write.receiveWithAuthorization(args, { account: payee.account });
      expect(await coin.read.balanceOf([payee.account.address])).to.equal(500n);
    });

    it("binds the signature to the domain: another chain id is an invalid signature", async function () {
      const { coin, payer, payee, relayer, domain, validBefore } =
        await networkHelpers.loadFixture(deployFundedYen);
      const authorization = {
        from: payer.account.address,
        to: payee.account.address,
        value: 1n,
        validAfter: 0n,
        validBefore,
        nonce: nonce("wrong chain"),
      };
      const signature = await signTransferAuthorization(payer, {
        domain: { ...domain, chainId: domain.chainId + 1 },
        kind: "transfer",
        authorization,
      });
      let refusal;
      try {
        await coin.write.transferWithAuthorization(
          [payer.account.address, payee.account.address, 1n, 0n, validBefore, authorization.nonce, signature],
          { account: relayer.account },
        );
      } catch (error) {
        refusal = decodeRefusal(error);
      }
      expect(refusal?.name).to.equal("StablecoinInvalidSignature");
      expect(refusal?.args.map((arg) => getAddress(String(arg)))).to.deep.equal([
        getAddress(payer.account.address),
      ]);
      expect(await coin.read.balanceOf([payee.account.address])).to.equal(0n);
    });
  });

  describe("decodeRefusal", function () {
    it("decodes a custom error with its arguments", async function () {
      const { coin, payer, relayer } = await networkHelpers.loadFixture(deployFundedYen);
      let refusal;
      try {
        await coin.write.transfer([relayer.account.address, 1n], { account: payer.account });
      } catch (error) {
        refusal = decodeRefusal(error);
      }
      const relayerAddress = getAddress(relayer.account.address);
      expect(refusal?.name).to.equal("StablecoinNotAllowed");
      expect(refusal?.args).to.have.length(1);
      expect(getAddress(String(refusal?.args[0]))).to.equal(relayerAddress);
      expect(formatRefusal(refusal!)).to.equal(`StablecoinNotAllowed(${String(refusal?.args[0])})`);
    });

    it("returns undefined for an error that is not a contract revert", function () {
      expect(decodeRefusal(new Error("network down"))).to.equal(undefined);
      expect(decodeRefusal("not an error")).to.equal(undefined);
    });
  });
});
