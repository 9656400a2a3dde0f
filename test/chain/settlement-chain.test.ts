import { readFileSync } from "node:fs";

import { expect } from "chai";
import { Signature } from "ethers";
import { network } from "hardhat";
import {
  type Abi,
  type AbiFunction,
  HttpRequestError,
  type PublicClient,
  encodeErrorResult,
  encodeFunctionData,
  parseAbi,
  toEventSelector,
  toFunctionSelector,
} from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";

import { HARDHAT_MNEMONIC, KeyRing } from "../../ts-src/chain/accounts.ts";
import {
  compactSignature,
  dvpAbi,
  settlementDigests,
  tokenErrorsAbi,
  tradeTuple,
} from "../../ts-src/chain/dvp.ts";
import { ChainError } from "../../ts-src/chain/errors.ts";
import { isTransientRpcError, withRetry } from "../../ts-src/chain/retry.ts";
import { ContractRevertError, revertCode, toContractRevertError } from "../../ts-src/chain/revert.ts";
import { TransactionSender } from "../../ts-src/chain/sender.ts";
import { Journal, JournalError } from "../../ts-src/services/journal.ts";
import type { Address, TradeTerms } from "../../ts-src/settlement/types.ts";
import { deployDvP, makeTrade, signTrade } from "../support/dvp.ts";

/**
 * The chain adapters the services share: the DvP ABI and digest (against the contract), refusals as typed errors,
 * retries, the journal, and the transaction sender's exactly-once guarantees.
 */

const connection = await network.create({ chainType: "l1" });
const { ethers, networkHelpers } = connection;

async function fixture() {
  const setup = await deployDvP(ethers, { parties: 3 });
  const client = (await connection.viem.getPublicClient()) as unknown as PublicClient;
  return {
    setup,
    client,
    chainId: await client.getChainId(),
    keys: KeyRing.fromMnemonic(HARDHAT_MNEMONIC, 20),
  };
}

function artifactAbi(path: string): Abi {
  return (JSON.parse(readFileSync(path, "utf8")) as { abi: Abi }).abi;
}

function selectors(abi: Abi): Set<string> {
  const result = new Set<string>();
  for (const item of abi) {
    if (item.type === "function" || item.type === "error")
      result.add(toFunctionSelector(item as AbiFunction));
    if (item.type === "event") result.add(toEventSelector(item));
  }
  return result;
}

describe("chain adapters for settlement", function () {
  describe("the DvP ABI and digest", function () {
    it("every function, event and error of the hand-written ABI is the compiled contract's", function () {
      const compiled = selectors([
        ...artifactAbi("artifacts/contracts/settlement/DvPSettlement.sol/DvPSettlement.json"),
        ...artifactAbi("artifacts/contracts/tokens/SecurityToken.sol/SecurityToken.json"),
        ...artifactAbi("artifacts/contracts/tokens/Stablecoin.sol/Stablecoin.json"),
      ]);
      for (const selector of selectors([...dvpAbi, ...tokenErrorsAbi]))
        expect(compiled.has(selector), selector).to.equal(true);
    });

    it("computes the digest the contract computes, and a compact signature the contract accepts", async function () {
      const { setup, chainId } = await networkHelpers.loadFixture(fixture);
      const trade = await makeTrade(setup, {
        number: 1,
        seller: setup.parties[0]!,
        buyer: setup.parties[1]!,
        quantity: 7n,
        price: 3n,
      });
      const terms: TradeTerms = {
        tradeNumber: BigInt(trade.tradeId),
        security: trade.security.toLowerCase() as Address,
        stablecoin: trade.stablecoin.toLowerCase() as Address,
        seller: { investor: "JP-INV-0001", wallet: trade.seller.toLowerCase() as Address },
        buyer: { investor: "JP-INV-0002", wallet: trade.buyer.toLowerCase() as Address },
        quantity: 7n,
        price: 3n,
        amount: 21n,
        deadline: trade.deadline,
      };
      const digest = settlementDigests({
        chainId,
        verifyingContract: (await setup.dvp.getAddress()) as Address,
      })(tradeTuple(terms));
      expect(digest).to.equal(await setup.dvp.settlementDigest(trade));
      const signature = await signTrade(setup.parties[0]!, setup.domain, trade);
      expect(compactSignature(signature as `0x${string}`)).to.equal(
        Signature.from(signature).compactSerialized,
      );
    });
  });

  describe("refusals as typed errors", function () {
    it("codes are the error names in upper snake case", function () {
      expect(revertCode("DvPTradeNotOpen")).to.equal("REVERT_DVP_TRADE_NOT_OPEN");
      expect(revertCode("ERC7943CannotSend")).to.equal("REVERT_ERC7943_CANNOT_SEND");
      expect(revertCode("StablecoinNotAllowed")).to.equal("REVERT_STABLECOIN_NOT_ALLOWED");
    });

    it("decodes raw revert data anywhere in the cause chain, with its arguments", function () {
      const data = encodeErrorResult({
        abi: dvpAbi,
        errorName: "DvPTradeNotOpen",
        args: [`0x${"00".repeat(31)}01`, 2],
      });
      const refused = toContractRevertError({ cause: { cause: { data } } }, dvpAbi, "settle 1");
      expect(refused).to.be.instanceOf(ContractRevertError);
      expect(refused!.code).to.equal("REVERT_DVP_TRADE_NOT_OPEN");
      expect(refused!.args).to.deep.equal([`0x${"00".repeat(31)}01`, 2]);
      expect(refused!.message).to.match(/^settle 1: refused with DvPTradeNotOpen\(/);
      expect(toContractRevertError(new Error("socket hang up"), dvpAbi)).to.equal(undefined);
      expect(toContractRevertError({ data: "0xdeadbeef" }, dvpAbi)).to.equal(undefined);
    });

    it("decodes a revert of a real call", async function () {
      const { setup, client } = await networkHelpers.loadFixture(fixture);
      const trade = await makeTrade(setup, {
        number: 1,
        seller: setup.parties[0]!,
        buyer: setup.parties[1]!,
        quantity: 1n,
        price: 1n,
      });
      let refused: ContractRevertError | undefined;
      try {
        await client.call({
          account: setup.stranger.address as Address,
          to: (await setup.dvp.getAddress()) as Address,
          data: setup.dvp.interface.encodeFunctionData("reportTrade", [trade]) as `0x${string}`,
        });
      } catch (error) {
        refused = toContractRevertError(error, [...dvpAbi, ...tokenErrorsAbi]);
      }
      expect(refused?.errorName).to.equal("AccessControlUnauthorizedAccount");
    });
  });

  describe("retries", function () {
    const noWait = { attempts: 4, baseDelayMs: 100, maxDelayMs: 250, sleep: async () => {} };

    it("transient: transport failures and timeouts; not: a revert, a plain error", function () {
      expect(isTransientRpcError(new HttpRequestError({ url: "http://x" }))).to.equal(true);
      expect(isTransientRpcError(Object.assign(new Error("connect"), { code: "ECONNREFUSED" }))).to.equal(
        true,
      );
      expect(
        isTransientRpcError({ cause: Object.assign(new Error("reset"), { code: "ECONNRESET" }) }),
      ).to.equal(true);
      expect(isTransientRpcError({ data: "0x12345678" })).to.equal(false);
      expect(isTransientRpcError(new Error("bad request"))).to.equal(false);
    });

    it("retries transient failures with growing waits, then gives up with CHAIN_RPC_FAILED", async function () {
      const waits: number[] = [];
      let calls = 0;
      const policy = { ...noWait, sleep: async (ms: number) => void waits.push(ms) };
      expect(
        await withRetry(
          "x",
          async () => (++calls < 3 ? Promise.reject(new HttpRequestError({ url: "u" })) : "ok"),
          policy,
        ),
      ).to.equal("ok");
      expect(calls).to.equal(3);
      expect(waits).to.have.length(2);
      expect(waits[1]!).to.be.greaterThan(waits[0]!);
      calls = 0;
      try {
        await withRetry("getBlock", async () => Promise.reject(new HttpRequestError({ url: "u" })), noWait);
        expect.fail("did not give up");
      } catch (error) {
        expect(error).to.be.instanceOf(ChainError);
        expect((error as ChainError).code).to.equal("CHAIN_RPC_FAILED");
        expect((error as ChainError).cause).to.be.instanceOf(HttpRequestError);
      }
      let once = 0;
      await withRetry("y", async () => ++once, noWait);
      try {
        await withRetry("z", async () => Promise.reject(new Error("bad request")), noWait);
      } catch (error) {
        expect((error as Error).message).to.equal("bad request");
      }
      expect(once).to.equal(1);
    });
  });

  describe("journal", function () {
    it("one process at a time: a second open of the file is JOURNAL_LOCKED", function () {
      const path = `${process.env.TMPDIR ?? "/tmp"}/clearchain-journal-${process.pid}-${Date.now()}.sqlite`;
      const first = Journal.open(path);
      try {
        expect(() => Journal.open(path))
          .to.throw(JournalError)
          .with.property("code", "JOURNAL_LOCKED");
      } finally {
        first.close();
      }
      Journal.open(path).close();
    });

    it("atomically: all of a unit's writes or none; migrations apply once", function () {
      const journal = Journal.open(":memory:");
      journal.migrate("t", "CREATE TABLE t (v INTEGER)");
      journal.migrate("t", "CREATE TABLE t (v INTEGER)");
      expect(() =>
        journal.atomically(() => {
          journal.run("INSERT INTO t VALUES (1)");
          throw new Error("crash");
        }),
      ).to.throw("crash");
      expect(journal.all("SELECT * FROM t")).to.deep.equal([]);
      journal.atomically(() => journal.run("INSERT INTO t VALUES (2)"));
      expect(journal.all<{ v: number }>("SELECT v FROM t")).to.deep.equal([{ v: 2 }]);
      journal.close();
    });
  });

  describe("transaction sender", function () {
    const mintRequest = async (setup: Awaited<ReturnType<typeof fixture>>["setup"], amount: bigint) => ({
      kind: "mint",
      from: setup.trustBank.address.toLowerCase() as Address,
      to: (await setup.jpy.getAddress()) as Address,
      data: encodeFunctionData({
        abi: parseAbi(["function mint(address,uint256) returns (bool)"]),
        functionName: "mint",
        args: [setup.parties[0]!.address as Address, amount],
      }),
    });

    it("a key sent before returns its transaction and sends nothing new", async function () {
      const { setup, client, chainId, keys } = await networkHelpers.loadFixture(fixture);
      const journal = Journal.open(":memory:");
      const sender = new TransactionSender({ client, keys, journal, chainId, errorsAbi: tokenErrorsAbi });
      const request = await mintRequest(setup, 5n);
      const first = await sender.send("mint:1", request);
      const nonce = await client.getTransactionCount({ address: request.from });
      const again = await sender.send("mint:1", request);
      expect(again.transactionHash).to.equal(first.transactionHash);
      expect(await client.getTransactionCount({ address: request.from })).to.equal(nonce);
      expect(journal.transaction("mint:1")?.status).to.equal("mined");
      journal.close();
    });

    it("killed between journal and broadcast, recover() broadcasts the same signed bytes once", async function () {
      const { setup, client, chainId, keys } = await networkHelpers.loadFixture(fixture);
      const journal = Journal.open(":memory:");
      const request = await mintRequest(setup, 7n);
      const crashing = new TransactionSender({
        client,
        keys,
        journal,
        chainId,
        errorsAbi: tokenErrorsAbi,
        checkpoint: (point) => {
          if (point === "signed mint:2") throw new Error("killed");
        },
      });
      const balance = await setup.jpy.balanceOf(setup.parties[0]!.address);
      try {
        await crashing.send("mint:2", request);
        expect.fail("not killed");
      } catch (error) {
        expect((error as Error).message).to.equal("killed");
      }
      const journalled = journal.transaction("mint:2")!;
      expect(journalled.status).to.equal("signed");
      expect(await setup.jpy.balanceOf(setup.parties[0]!.address)).to.equal(balance);
      const restarted = new TransactionSender({ client, keys, journal, chainId, errorsAbi: tokenErrorsAbi });
      expect(await restarted.recover()).to.equal(1);
      expect((await client.getTransactionReceipt({ hash: journalled.hash })).status).to.equal("success");
      expect(await restarted.recover()).to.equal(0);
      await restarted.send("mint:2", request);
      expect(await setup.jpy.balanceOf(setup.parties[0]!.address)).to.equal(balance + 7n);
      journal.close();
    });

    it("refuses to send for an account another process sends for (CHAIN_NONCE_COLLISION)", async function () {
      const { setup, client, chainId, keys } = await networkHelpers.loadFixture(fixture);
      const journal = Journal.open(":memory:");
      const sender = new TransactionSender({ client, keys, journal, chainId, errorsAbi: tokenErrorsAbi });
      await sender.send("mint:3", await mintRequest(setup, 1n));
      // Someone else sends with the same account.
      await setup.jpy.connect(setup.trustBank).mint(setup.parties[1]!.address, 1n);
      try {
        await sender.send("mint:4", await mintRequest(setup, 1n));
        expect.fail("sent");
      } catch (error) {
        expect((error as ChainError).code).to.equal("CHAIN_NONCE_COLLISION");
      }
      journal.close();
    });

    it("a transaction no block takes: broadcast again while it waits, then CHAIN_RECEIPT_TIMEOUT; a restart waits for the same one", async function () {
      const { setup, client, chainId, keys } = await networkHelpers.loadFixture(fixture);
      const journal = Journal.open(":memory:");
      const retried: string[] = [];
      const sender = new TransactionSender({
        client,
        keys,
        journal,
        chainId,
        errorsAbi: tokenErrorsAbi,
        receiptWaitMs: 100,
        receiptTimeoutMs: 450,
        onRetry: (what) => retried.push(what),
      });
      const request = await mintRequest(setup, 9n);
      const balance = await setup.jpy.balanceOf(setup.parties[0]!.address);
      await connection.provider.request({ method: "evm_setAutomine", params: [false] });
      try {
        await sender.send("mint:6", request);
        expect.fail("mined");
      } catch (error) {
        expect((error as ChainError).code).to.equal("CHAIN_RECEIPT_TIMEOUT");
      } finally {
        await connection.provider.request({ method: "evm_setAutomine", params: [true] });
      }
      expect(retried.filter((what) => what === "waitForTransactionReceipt").length).to.be.greaterThan(1);
      const journalled = journal.transaction("mint:6")!;
      const nonce = await client.getTransactionCount({ address: request.from, blockTag: "pending" });
      await networkHelpers.mine();
      const receipt = await sender.send("mint:6", request);
      expect(receipt.transactionHash).to.equal(journalled.hash);
      expect(await client.getTransactionCount({ address: request.from })).to.equal(nonce);
      expect(await setup.jpy.balanceOf(setup.parties[0]!.address)).to.equal(balance + 9n);
      journal.close();
    });

    it("signs EIP-1559 transactions, and legacy ones on a chain without the London fee market", async function () {
      const { setup, client, chainId, keys } = await networkHelpers.loadFixture(fixture);
      const journal = Journal.open(":memory:");
      const sender = new TransactionSender({ client, keys, journal, chainId, errorsAbi: tokenErrorsAbi });
      expect((await sender.send("mint:7", await mintRequest(setup, 1n))).type).to.equal("eip1559");
      journal.close();

      const berlin = await network.create({ chainType: "l1", override: { hardfork: "berlin" } });
      try {
        const payer = privateKeyToAccount(generatePrivateKey());
        await berlin.networkHelpers.setBalance(payer.address, 10n ** 18n);
        const oldClient = (await berlin.viem.getPublicClient()) as unknown as PublicClient;
        const oldJournal = Journal.open(":memory:");
        const legacy = new TransactionSender({
          client: oldClient,
          keys: new KeyRing([payer]),
          journal: oldJournal,
          chainId: await oldClient.getChainId(),
          errorsAbi: tokenErrorsAbi,
        });
        const to = privateKeyToAccount(generatePrivateKey()).address.toLowerCase() as Address;
        const receipt = await legacy.send("pay:1", {
          kind: "pay",
          from: payer.address.toLowerCase() as Address,
          to,
          data: "0x",
          gas: 21_000n,
        });
        expect(receipt.type).to.equal("legacy");
        expect(receipt.status).to.equal("success");
        oldJournal.close();
      } finally {
        await berlin.close();
      }
    });

    it("a refusal at simulation is a ContractRevertError and journals nothing", async function () {
      const { setup, client, chainId, keys } = await networkHelpers.loadFixture(fixture);
      const journal = Journal.open(":memory:");
      const sender = new TransactionSender({
        client,
        keys,
        journal,
        chainId,
        errorsAbi: [...tokenErrorsAbi, ...dvpAbi],
      });
      const request = {
        ...(await mintRequest(setup, 1n)),
        from: setup.stranger.address.toLowerCase() as Address,
      };
      try {
        await sender.send("mint:5", request);
        expect.fail("sent");
      } catch (error) {
        expect(error).to.be.instanceOf(ContractRevertError);
        expect((error as ContractRevertError).errorName).to.equal("StablecoinNotMinter");
      }
      expect(journal.transaction("mint:5")).to.equal(undefined);
      journal.close();
    });
  });
});
