import { expect } from "chai";
import { network } from "hardhat";
import { type Hex, type PublicClient, recoverTypedDataAddress } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";

import { KeyRing } from "../../ts-src/chain/accounts.ts";
import { ChainError } from "../../ts-src/chain/errors.ts";
import { remoteSignerAccounts } from "../../ts-src/chain/remote-signer.ts";
import { tokenErrorsAbi } from "../../ts-src/chain/dvp.ts";
import { TransactionSender } from "../../ts-src/chain/sender.ts";
import { Journal } from "../../ts-src/services/journal.ts";
import type { Address } from "../../ts-src/settlement/types.ts";
import { type StubSigner, startStubSigner } from "../support/remote-signer.ts";

/**
 * Keys out of the process: the services' transactions signed by a remote signer over JSON-RPC (a stand-in for
 * Web3Signer), journalled signed and broadcast by the sender as with a local key; and every answer of the signer
 * checked: another key, or other fields than asked, are refused before anything is journalled or sent.
 */
const connection = await network.create();

describe("remote signer (ts-src/chain/remote-signer.ts)", function () {
  const holder = privateKeyToAccount(generatePrivateKey());
  const other = privateKeyToAccount(generatePrivateKey());
  const payee = privateKeyToAccount(generatePrivateKey()).address.toLowerCase() as Address;
  let signer: StubSigner;
  let client: PublicClient;
  let chainId: number;

  before(async () => {
    client = (await connection.viem.getPublicClient()) as unknown as PublicClient;
    chainId = await client.getChainId();
    await connection.networkHelpers.setBalance(holder.address, 10n ** 18n);
    signer = await startStubSigner([holder]);
  });

  after(async () => {
    await signer?.close();
    await connection.close();
  });

  const payment = () => ({
    kind: "pay",
    from: holder.address.toLowerCase() as Address,
    to: payee,
    data: "0x" as Hex,
    gas: 21_000n,
  });

  async function remoteSender(journal: Journal) {
    const keys = new KeyRing(await remoteSignerAccounts(signer.url));
    return new TransactionSender({ client, keys, journal, chainId, errorsAbi: tokenErrorsAbi });
  }

  it("lists the signer's accounts; a transaction it signs is journalled signed, then mined once", async () => {
    const accounts = await remoteSignerAccounts(signer.url);
    expect(accounts.map((a) => a.address)).to.deep.equal([holder.address.toLowerCase()]);
    const journal = Journal.open(":memory:");
    const sender = await remoteSender(journal);
    const receipt = await sender.send("pay:1", payment());
    expect(receipt.status).to.equal("success");
    expect(receipt.from).to.equal(holder.address.toLowerCase());
    expect(journal.transaction("pay:1")?.hash).to.equal(receipt.transactionHash);
    expect(signer.calls.get("eth_signTransaction")).to.equal(1);
    // Sent again under the same key: the journalled transaction, nothing signed or sent anew.
    expect((await sender.send("pay:1", payment())).transactionHash).to.equal(receipt.transactionHash);
    expect(signer.calls.get("eth_signTransaction")).to.equal(1);
    journal.close();
  });

  for (const [name, tamper] of [
    ["signs with another key", () => ({ key: other })],
    ["signs another nonce", () => ({ fields: { nonce: 99 } })],
    ["signs another recipient", () => ({ fields: { to: other.address } })],
    ["signs more gas", () => ({ fields: { gas: 50_000n } })],
  ] as const) {
    it(`refuses a signer that ${name} (CHAIN_SIGNER_MISMATCH): nothing journalled, nothing sent`, async () => {
      const journal = Journal.open(":memory:");
      const sender = await remoteSender(journal);
      const nonce = await client.getTransactionCount({ address: holder.address });
      signer.tamper = tamper();
      try {
        await sender.send("pay:2", payment());
        expect.fail("sent");
      } catch (error) {
        expect((error as ChainError).code).to.equal("CHAIN_SIGNER_MISMATCH");
      } finally {
        signer.tamper = undefined;
      }
      expect(journal.transaction("pay:2")).to.equal(undefined);
      expect(await client.getTransactionCount({ address: holder.address })).to.equal(nonce);
      journal.close();
    });
  }

  it("signs typed data (EIP-712) as the account, checked by recovery", async () => {
    const [account] = await remoteSignerAccounts(signer.url);
    const typedData = {
      domain: { name: "clearchain", version: "1", chainId, verifyingContract: payee },
      types: { Ping: [{ name: "value", type: "uint256" }] },
      primaryType: "Ping",
      message: { value: 7n },
    } as const;
    const signature = await account!.signTypedData(typedData);
    expect(await recoverTypedDataAddress({ ...typedData, signature })).to.equal(holder.address);
    signer.tamper = { key: other };
    try {
      await account!.signTypedData(typedData);
      expect.fail("accepted");
    } catch (error) {
      expect((error as ChainError).code).to.equal("CHAIN_SIGNER_MISMATCH");
    } finally {
      signer.tamper = undefined;
    }
  });

  it("refuses an account the signer does not hold (CHAIN_NO_KEY) and a signer that is down (CHAIN_RPC_FAILED)", async () => {
    try {
      await remoteSignerAccounts(signer.url, [other.address.toLowerCase() as Address]);
      expect.fail("listed");
    } catch (error) {
      expect((error as ChainError).code).to.equal("CHAIN_NO_KEY");
    }
    const down = await startStubSigner([]);
    await down.close();
    try {
      await remoteSignerAccounts(down.url, undefined, { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 });
      expect.fail("reached");
    } catch (error) {
      expect((error as ChainError).code).to.equal("CHAIN_RPC_FAILED");
    }
  });
});
