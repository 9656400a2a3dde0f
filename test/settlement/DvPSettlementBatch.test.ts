import { expect } from "chai";
import { network } from "hardhat";

import {
  type DvPSetup,
  Status,
  type Trade,
  consents,
  deployDvP,
  makeTrade,
  signTrade,
  tradeId,
} from "../support/dvp.ts";

/**
 * Netted batches: `settleBatch` (all or nothing) and `settleBatchBestEffort` (the greedy subset), against gross
 * settlement one trade at a time.
 */

const { ethers, networkHelpers } = await network.create();

/** Four parties, two securities (1,000 units each), 100,000,000 yen each. */
async function fixture(): Promise<DvPSetup> {
  return deployDvP(ethers, { parties: 4, securities: 2 });
}

/** Twelve trades among the four parties in both securities, all reported. */
async function batchFixture(): Promise<DvPSetup & { trades: Trade[]; signatures: [string, string][] }> {
  const setup = await deployDvP(ethers, { parties: 4, securities: 2, yenEach: 1_000_000_000n });
  const { parties, securities } = setup;
  const trades: Trade[] = [];
  for (let index = 0; index < 12; index++) {
    const seller = parties[index % 4]!;
    const buyer = parties[(index * 3 + 1) % 4]!;
    if (seller === buyer) continue;
    trades.push(
      await makeTrade(setup, {
        number: 10 + index,
        seller,
        buyer,
        quantity: BigInt(5 + index * 7),
        price: 990_000n + BigInt(index * 1_000),
        security: securities[index % 2]!,
      }),
    );
  }
  await setup.dvp.connect(setup.exchange).reportTrades(trades);
  const signatures = await Promise.all(trades.map((trade) => consents(setup, trade)));
  return { ...setup, trades, signatures };
}

async function holdings(setup: DvPSetup): Promise<bigint[][]> {
  return Promise.all(
    setup.parties.map(async (party) => [
      ...(await Promise.all(setup.securities.map((token) => token.balanceOf(party.address)))),
      await setup.jpy.balanceOf(party.address),
    ]),
  );
}

function split(signatures: [string, string][]): [string[], string[]] {
  return [signatures.map((pair) => pair[0]), signatures.map((pair) => pair[1])];
}

describe("DvPSettlement batches", function () {
  describe("settleBatch (netted, all or nothing)", function () {
    it("Invariant 4: ends in the balances of settling the trades one by one, with fewer moves", async function () {
      const gross = await networkHelpers.loadFixture(batchFixture);
      for (const [index, trade] of gross.trades.entries()) {
        await gross.dvp.settle(trade, ...gross.signatures[index]!);
      }
      const expected = await holdings(gross);

      const netted = await networkHelpers.loadFixture(batchFixture);
      const tx = netted.dvp.settleBatch(netted.trades, ...split(netted.signatures));
      await expect(tx).to.emit(netted.dvp, "BatchSettled").withArgs(netted.trades.length, 0);
      const receipt = await (await tx).wait();
      expect(await holdings(netted)).to.deep.equal(expected);
      for (const trade of netted.trades) {
        await expect(tx).to.emit(netted.dvp, "TradeSettled").withArgs(trade.tradeId);
        expect(await netted.dvp.tradeStatus(trade.tradeId)).to.equal(Status.Settled);
      }
      // Gross settlement makes two transfers per trade; netting at most (parties − 1) per token.
      const transferTopic = netted.jpy.interface.getEvent("Transfer")!.topicHash;
      const transfers = receipt!.logs.filter(
        (log: { topics: readonly string[] }) => log.topics[0] === transferTopic,
      ).length;
      expect(transfers).to.be.lessThan(2 * netted.trades.length);
      expect(transfers).to.be.at.most(3 * 3);
    });

    it("if any trade cannot settle, the whole batch reverts with its error and nothing moves", async function () {
      const setup = await networkHelpers.loadFixture(batchFixture);
      const { dvp, trades, signatures, parties, domain } = setup;
      const before = await holdings(setup);
      const [sellers, buyers] = split(signatures);
      const badSignature = [...buyers];
      badSignature[5] = await signTrade(parties[3]!, domain, trades[5]!);
      await expect(dvp.settleBatch(trades, sellers, badSignature))
        .to.be.revertedWithCustomError(dvp, "DvPInvalidSignature")
        .withArgs(trades[5]!.tradeId, trades[5]!.buyer);
      const unknown = [...trades];
      unknown[3] = { ...trades[3]!, tradeId: tradeId(999) };
      await expect(dvp.settleBatch(unknown, sellers, buyers))
        .to.be.revertedWithCustomError(dvp, "DvPUnknownTrade")
        .withArgs(tradeId(999));
      await expect(
        dvp.settleBatch([trades[0]!, trades[0]!], [sellers[0]!, sellers[0]!], [buyers[0]!, buyers[0]!]),
      )
        .to.be.revertedWithCustomError(dvp, "DvPTradeNotOpen")
        .withArgs(trades[0]!.tradeId, Status.Settled);
      expect(await holdings(setup)).to.deep.equal(before);
      for (const trade of trades) expect(await dvp.tradeStatus(trade.tradeId)).to.equal(Status.Reported);
    });

    it("refuses an empty batch and arrays of different lengths", async function () {
      const { dvp, trades, signatures } = await networkHelpers.loadFixture(batchFixture);
      const [sellers, buyers] = split(signatures);
      await expect(dvp.settleBatch([], [], [])).to.be.revertedWithCustomError(dvp, "DvPEmptyBatch");
      await expect(dvp.settleBatch(trades, sellers.slice(1), buyers))
        .to.be.revertedWithCustomError(dvp, "DvPArrayLengthMismatch")
        .withArgs(trades.length, trades.length - 1, trades.length);
    });

    it("a party must hold its whole gross delivery, even when its net is zero", async function () {
      const setup = await networkHelpers.loadFixture(fixture);
      const { dvp, exchange, parties, securities } = setup;
      const [a, b, c] = parties as [(typeof parties)[0], (typeof parties)[0], (typeof parties)[0]];
      // B keeps 5 units: it sells 10 to A and buys 10 from A, net zero.
      await securities[0]!.connect(b!).transfer(c!.address, 995n);
      const trades = [
        await makeTrade(setup, { number: 1, seller: a!, buyer: b!, quantity: 10n, price: 1_000_000n }),
        await makeTrade(setup, { number: 2, seller: b!, buyer: a!, quantity: 10n, price: 1_000_000n }),
      ];
      await dvp.connect(exchange).reportTrades(trades);
      const [sellers, buyers] = split(await Promise.all(trades.map((trade) => consents(setup, trade))));
      await expect(dvp.settleBatch(trades, sellers, buyers))
        .to.be.revertedWithCustomError(dvp, "DvPBatchShortfall")
        .withArgs(await securities[0]!.getAddress(), b!.address, 10n, 5n);
    });

    it("every gross leg meets the holder rules: a frozen payer with a zero net, a receiver not eligible", async function () {
      const setup = await networkHelpers.loadFixture(fixture);
      const { dvp, exchange, parties, jpy, trustBank, registry, registrar } = setup;
      const [a, b, c] = parties;
      const trades = [
        await makeTrade(setup, { number: 1, seller: a!, buyer: b!, quantity: 10n, price: 1_000_000n }),
        await makeTrade(setup, { number: 2, seller: b!, buyer: c!, quantity: 10n, price: 1_000_000n }),
      ];
      await dvp.connect(exchange).reportTrades(trades);
      const [sellers, buyers] = split(await Promise.all(trades.map((trade) => consents(setup, trade))));
      // B pays 10,000,000 yen and receives 10,000,000: its net yen is zero, but it pays, so it must be able to.
      await jpy.connect(trustBank).freezeAccount(b!.address);
      await expect(dvp.settleBatch(trades, sellers, buyers))
        .to.be.revertedWithCustomError(dvp, "DvPCannotSend")
        .withArgs(await jpy.getAddress(), b!.address);
      await jpy.connect(trustBank).unfreezeAccount(b!.address);
      await registry.connect(registrar).setEligibility(trades[1]!.buyerInvestor, false, 0n);
      await expect(dvp.settleBatch(trades, sellers, buyers))
        .to.be.revertedWithCustomError(dvp, "DvPCannotReceive")
        .withArgs(trades[0]!.security, c!.address);
    });
  });

  describe("settleBatchBestEffort (the greedy subset)", function () {
    it("settles what can settle, netted, and reports the rest; the rest stays open", async function () {
      const setup = await networkHelpers.loadFixture(fixture);
      const { dvp, exchange, parties, domain } = setup;
      const [a, b, c, d] = parties;
      const trades = [
        // settles
        await makeTrade(setup, { number: 1, seller: a!, buyer: b!, quantity: 10n, price: 1_000_000n }),
        // B cannot pay 95,000,000 more after the 10,000,000 of trade 1: a shortfall of what is left
        await makeTrade(setup, { number: 2, seller: c!, buyer: b!, quantity: 95n, price: 1_000_000n }),
        // a bad signature
        await makeTrade(setup, { number: 3, seller: c!, buyer: d!, quantity: 1n, price: 1_000_000n }),
        // settles
        await makeTrade(setup, { number: 4, seller: d!, buyer: a!, quantity: 20n, price: 999_000n }),
      ];
      await dvp.connect(exchange).reportTrades(trades);
      const [sellers, buyers] = split(await Promise.all(trades.map((trade) => consents(setup, trade))));
      buyers[2] = await signTrade(a!, domain, trades[2]!);
      const unknown = { ...trades[0]!, tradeId: tradeId(77) };
      const all = [...trades, unknown];
      sellers.push(sellers[0]!);
      buyers.push(buyers[0]!);

      expect(await dvp.settleBatchBestEffort.staticCall(all, sellers, buyers)).to.deep.equal([
        true,
        false,
        false,
        true,
        false,
      ]);
      const before = await holdings(setup);
      const tx = dvp.settleBatchBestEffort(all, sellers, buyers);
      await expect(tx).to.emit(dvp, "BatchSettled").withArgs(2, 3);
      await expect(tx)
        .to.emit(dvp, "SettlementFailed")
        .withArgs(trades[1]!.tradeId, b!.address, trades[1]!.stablecoin, 95_000_000n, 90_000_000n);
      await expect(tx)
        .to.emit(dvp, "TradeSkipped")
        .withArgs(
          trades[2]!.tradeId,
          dvp.interface.encodeErrorResult("DvPInvalidSignature", [trades[2]!.tradeId, d!.address]),
        );
      await expect(tx)
        .to.emit(dvp, "TradeSkipped")
        .withArgs(unknown.tradeId, dvp.interface.encodeErrorResult("DvPUnknownTrade", [unknown.tradeId]));
      const after = await holdings(setup);
      // Trades 1 and 4 only: A −10 units +20 units of security 0, −19,980,000 + 10,000,000 yen; and so on.
      expect(after[0]).to.deep.equal([before[0]![0]! + 10n, before[0]![1]!, before[0]![2]! - 9_980_000n]);
      expect(after[1]).to.deep.equal([before[1]![0]! + 10n, before[1]![1]!, before[1]![2]! - 10_000_000n]);
      expect(after[2]).to.deep.equal(before[2]);
      expect(after[3]).to.deep.equal([before[3]![0]! - 20n, before[3]![1]!, before[3]![2]! + 19_980_000n]);
      expect(await dvp.tradeStatus(trades[1]!.tradeId)).to.equal(Status.Reported);
      expect(await dvp.tradeStatus(trades[2]!.tradeId)).to.equal(Status.Reported);
    });

    it("skips a party that may not send or receive, and settles nothing when nothing can", async function () {
      const setup = await networkHelpers.loadFixture(fixture);
      const { dvp, exchange, parties, securities, registrar } = setup;
      const trade = await makeTrade(setup, {
        number: 1,
        seller: parties[0]!,
        buyer: parties[1]!,
        quantity: 1n,
        price: 1n,
      });
      await dvp.connect(exchange).reportTrade(trade);
      await securities[0]!.connect(registrar).setWalletFrozen(parties[1]!.address, true);
      const [seller, buyer] = await consents(setup, trade);
      const tx = dvp.settleBatchBestEffort([trade], [seller], [buyer]);
      await expect(tx)
        .to.emit(dvp, "TradeSkipped")
        .withArgs(
          trade.tradeId,
          dvp.interface.encodeErrorResult("DvPCannotReceive", [trade.security, parties[1]!.address]),
        );
      await expect(tx).to.emit(dvp, "BatchSettled").withArgs(0, 1);
      expect(await dvp.tradeStatus(trade.tradeId)).to.equal(Status.Reported);
    });
  });
});
