import { expect } from "chai";
import { id } from "ethers";
import { network } from "hardhat";

import {
  type DvPSettlement,
  type DvPSetup,
  Status,
  type Trade,
  consents,
  custodianWallet,
  deployDvP,
  dvpDomain,
  makeTrade,
  signTrade,
} from "../support/dvp.ts";

/**
 * The DvP contract tried as an attacker would: each test is an attempt to move one leg without the other, to settle a
 * trade twice, or to use a consent somewhere it was not given, and shows that it fails and moves nothing.
 */

const { ethers, networkHelpers } = await network.create();

/** Four parties, one security (1,000 units each), 100,000,000 yen each. */
async function fixture(): Promise<DvPSetup> {
  return deployDvP(ethers, { parties: 4 });
}

/** 10 units at 990,000 yen from party 0 to party 1, reported. */
async function reported(setup: DvPSetup, number = 1): Promise<Trade> {
  const trade = await makeTrade(setup, {
    number,
    seller: setup.parties[0]!,
    buyer: setup.parties[1]!,
    quantity: 10n,
    price: 990_000n,
  });
  await (await setup.dvp.connect(setup.exchange).reportTrade(trade)).wait();
  return trade;
}

/** Every party's balance of the security and of the yen coin. */
async function balances(setup: DvPSetup): Promise<bigint[]> {
  const rows = await Promise.all(
    setup.parties.map(async (party) => [
      await setup.securities[0]!.balanceOf(party.address),
      await setup.jpy.balanceOf(party.address),
    ]),
  );
  return rows.flat();
}

describe("DvPSettlement under attack", function () {
  it("a second DvP contract on the same tokens (a migration) refuses the consents given to the first", async function () {
    // During a migration both contracts hold SETTLEMENT_ROLE. The same trade, under the same ID, is reported on both;
    // the parties consent on the first. Whoever replays those consents on the second moves nothing.
    const setup = await networkHelpers.loadFixture(fixture);
    const { dvp, jpy, securities, admin, exchange, trustBank, stranger } = setup;
    const second = (await ethers.deployContract("DvPSettlement", [
      0,
      admin.address,
    ])) as unknown as DvPSettlement;
    await second.connect(admin).grantRole(await second.EXCHANGE_ROLE(), exchange.address);
    await securities[0]!.connect(admin).grantRole(id("SETTLEMENT_ROLE"), await second.getAddress());
    await jpy.connect(trustBank).grantRole(id("SETTLEMENT_ROLE"), await second.getAddress());
    const trade = await reported(setup);
    await second.connect(exchange).reportTrade(trade);
    const signatures = await consents(setup, trade);
    await expect(second.connect(stranger).settle(trade, ...signatures))
      .to.be.revertedWithCustomError(second, "DvPInvalidSignature")
      .withArgs(trade.tradeId, trade.seller);
    await expect(dvp.connect(stranger).settle(trade, ...signatures)).to.emit(dvp, "TradeSettled");
    const after = await balances(setup);
    // Settled once, on the first contract; the second still holds it open, and the first's consents stay useless.
    await expect(second.connect(stranger).settle(trade, ...signatures)).to.be.revertedWithCustomError(
      second,
      "DvPInvalidSignature",
    );
    expect(await second.tradeStatus(trade.tradeId)).to.equal(Status.Reported);
    expect(await balances(setup)).to.deep.equal(after);
    // Consents given to the second settle there, and only there.
    const domain = await dvpDomain(second);
    const secondConsents = [
      await signTrade(setup.parties[0]!, domain, trade),
      await signTrade(setup.parties[1]!, domain, trade),
    ] as const;
    const third = await reported(setup, 2);
    await expect(dvp.settle(third, ...secondConsents)).to.be.revertedWithCustomError(
      dvp,
      "DvPInvalidSignature",
    );
  });

  it("a batch that lists the same trade twice settles it once (all or nothing: refused; best effort: skipped)", async function () {
    const setup = await networkHelpers.loadFixture(fixture);
    const { dvp, stranger } = setup;
    const trade = await reported(setup);
    const [seller, buyer] = await consents(setup, trade);
    const before = await balances(setup);
    await expect(dvp.connect(stranger).settleBatch([trade, trade], [seller, seller], [buyer, buyer]))
      .to.be.revertedWithCustomError(dvp, "DvPTradeNotOpen")
      .withArgs(trade.tradeId, Status.Settled);
    expect(await balances(setup)).to.deep.equal(before);
    const tx = dvp.connect(stranger).settleBatchBestEffort([trade, trade], [seller, seller], [buyer, buyer]);
    await expect(tx).to.emit(dvp, "BatchSettled").withArgs(1, 1);
    await expect(tx).to.changeTokenBalances(
      ethers,
      setup.securities[0]!,
      [trade.seller, trade.buyer],
      [-10n, 10n],
    );
    await expect(tx).to.changeTokenBalances(
      ethers,
      setup.jpy,
      [trade.buyer, trade.seller],
      [-trade.amount, trade.amount],
    );
  });

  it("an ERC-1271 wallet that withdraws its consent stops its signature; its on-chain approval stands", async function () {
    // A custodian's wallet accepts its node's key, then is told to refuse every signature (the node key is
    // suspected stolen): the signature it accepted before no longer settles anything. An on-chain approval is a
    // recorded act, irrevocable like a signature once given, and lapses with the trade.
    const setup = await networkHelpers.loadFixture(fixture);
    const { dvp, parties, domain, stranger } = setup;
    const node = parties[3]!;
    const { wallet, address: walletAddress } = await custodianWallet(setup, node, 50_000_000n);
    const buy = async (number: number): Promise<Trade> => {
      const trade = await makeTrade(setup, {
        number,
        seller: parties[0]!,
        buyer: parties[1]!,
        quantity: 1n,
        price: 1_000_000n,
      });
      trade.buyer = walletAddress;
      trade.buyerInvestor = setup.investorOf.get(node.address)!;
      await dvp.connect(setup.exchange).reportTrade(trade);
      return trade;
    };
    const signed = await buy(1);
    const approved = await buy(2);
    const nodeSignature = await signTrade(node, domain, signed);
    await wallet
      .connect(node)
      .execute(await dvp.getAddress(), dvp.interface.encodeFunctionData("approveSettlement", [approved]));
    await wallet.connect(node).setRefuseAll(true);
    const before = await balances(setup);
    await expect(
      dvp.connect(stranger).settle(signed, await signTrade(parties[0]!, domain, signed), nodeSignature),
    )
      .to.be.revertedWithCustomError(dvp, "DvPInvalidSignature")
      .withArgs(signed.tradeId, walletAddress);
    expect(await balances(setup)).to.deep.equal(before);
    await expect(
      dvp.connect(stranger).settle(approved, await signTrade(parties[0]!, domain, approved), "0x"),
    ).to.emit(dvp, "TradeSettled");
  });
});
