import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import { Signature, TypedDataEncoder, concat, id, toBeHex } from "ethers";
import { network } from "hardhat";

import {
  type DvPSetup,
  Status,
  TRADE_TYPES,
  type Trade,
  type TradeSpec,
  consents,
  custodianWallet,
  deployDvP,
  makeTrade,
  signTrade,
  tradeId,
} from "../support/dvp.ts";

const { ethers, networkHelpers } = await network.create();
const { time } = networkHelpers;

/** Four parties, two securities (1,000 units each), 100,000,000 yen each. */
async function fixture(): Promise<DvPSetup> {
  return deployDvP(ethers, { parties: 4, securities: 2 });
}

const compact = (signature: string): string => Signature.from(signature).compactSerialized;

/** A trade of 10 units at 990,000 yen (9,900,000 yen) from party 0 to party 1, unless overridden. */
async function spec(setup: DvPSetup, overrides: Partial<TradeSpec> = {}): Promise<TradeSpec> {
  return {
    number: 1,
    seller: setup.parties[0]!,
    buyer: setup.parties[1]!,
    quantity: 10n,
    price: 990_000n,
    ...overrides,
  };
}

async function reported(setup: DvPSetup, overrides: Partial<TradeSpec> = {}): Promise<Trade> {
  const trade = await makeTrade(setup, await spec(setup, overrides));
  await (await setup.dvp.connect(setup.exchange).reportTrade(trade)).wait();
  return trade;
}

/** Security units and yen of each account. */
async function holdings(setup: DvPSetup, accounts: readonly string[]): Promise<bigint[][]> {
  return Promise.all(
    accounts.map(async (account) => [
      ...(await Promise.all(setup.securities.map((token) => token.balanceOf(account)))),
      await setup.jpy.balanceOf(account),
    ]),
  );
}

describe("DvPSettlement", function () {
  describe("deployment", function () {
    it("has the EIP-712 domain (ClearchainDvP, 1, chain, contract) and the Trade type hash", async function () {
      const { dvp, domain } = await networkHelpers.loadFixture(fixture);
      expect(domain.name).to.equal("ClearchainDvP");
      expect(domain.version).to.equal("1");
      expect(domain.verifyingContract).to.equal(await dvp.getAddress());
      expect(await dvp.TRADE_TYPEHASH()).to.equal(
        id(
          "Trade(bytes32 tradeId,address security,address stablecoin,address seller,address buyer," +
            "bytes32 sellerInvestor,bytes32 buyerInvestor,uint256 quantity,uint256 price,uint256 amount," +
            "uint64 deadline)",
        ),
      );
      expect(await dvp.EXCHANGE_ROLE()).to.equal(id("EXCHANGE_ROLE"));
    });

    it("settlementDigest is the EIP-712 digest a party signs", async function () {
      const setup = await networkHelpers.loadFixture(fixture);
      const trade = await makeTrade(setup, await spec(setup));
      expect(await setup.dvp.settlementDigest(trade)).to.equal(
        TypedDataEncoder.hash(setup.domain, TRADE_TYPES, trade),
      );
    });
  });

  describe("reportTrade", function () {
    it("records the trade and emits every term", async function () {
      const setup = await networkHelpers.loadFixture(fixture);
      const trade = await makeTrade(setup, await spec(setup));
      await expect(setup.dvp.connect(setup.exchange).reportTrade(trade))
        .to.emit(setup.dvp, "TradeReported")
        .withArgs(trade.tradeId, trade.seller, trade.buyer, Object.values(trade));
      expect(await setup.dvp.tradeStatus(trade.tradeId)).to.equal(Status.Reported);
      expect(await setup.dvp.approvals(trade.tradeId)).to.deep.equal([false, false]);
    });

    it("accepts a trade ID once: again while open, after settlement and after cancellation", async function () {
      const setup = await networkHelpers.loadFixture(fixture);
      const { dvp, exchange } = setup;
      const open = await reported(setup, { number: 1 });
      await expect(dvp.connect(exchange).reportTrade(open))
        .to.be.revertedWithCustomError(dvp, "DvPTradeAlreadyReported")
        .withArgs(open.tradeId);
      await dvp.settle(open, ...(await consents(setup, open)));
      await expect(dvp.connect(exchange).reportTrade({ ...open, quantity: 1n, amount: open.price }))
        .to.be.revertedWithCustomError(dvp, "DvPTradeAlreadyReported")
        .withArgs(open.tradeId);
      const deadline = BigInt(await time.latest()) + 10n;
      const lapsed = await reported(setup, { number: 2, deadline });
      await time.increaseTo(deadline + 1n);
      await dvp.connect(exchange).cancel(lapsed);
      await expect(dvp.connect(exchange).reportTrade({ ...lapsed, deadline: deadline + 1000n }))
        .to.be.revertedWithCustomError(dvp, "DvPTradeAlreadyReported")
        .withArgs(lapsed.tradeId);
    });

    it("keeps neighbouring trade numbers apart (one bit each in a shared word)", async function () {
      const setup = await networkHelpers.loadFixture(fixture);
      const first = await reported(setup, { number: 255 });
      await reported(setup, { number: 256 });
      await reported(setup, { number: 254 });
      expect(await setup.dvp.tradeStatus(tradeId(253))).to.equal(Status.None);
      await setup.dvp.settle(first, ...(await consents(setup, first)));
      expect(await setup.dvp.tradeStatus(tradeId(255))).to.equal(Status.Settled);
      expect(await setup.dvp.tradeStatus(tradeId(256))).to.equal(Status.Reported);
    });

    it("refuses bad terms, each with its error and numbers", async function () {
      const setup = await networkHelpers.loadFixture(fixture);
      const { dvp, exchange, parties } = setup;
      const good = await makeTrade(setup, await spec(setup));
      const report = (trade: Trade) => dvp.connect(exchange).reportTrade(trade);
      const now = BigInt(await time.latest());
      await expect(report({ ...good, tradeId: ethers.ZeroHash })).to.be.revertedWithCustomError(
        dvp,
        "DvPInvalidTradeId",
      );
      await expect(report({ ...good, quantity: 0n, amount: 0n }))
        .to.be.revertedWithCustomError(dvp, "DvPZeroQuantity")
        .withArgs(good.tradeId);
      await expect(report({ ...good, price: 0n, amount: 0n }))
        .to.be.revertedWithCustomError(dvp, "DvPZeroPrice")
        .withArgs(good.tradeId);
      await expect(report({ ...good, amount: good.amount + 1n }))
        .to.be.revertedWithCustomError(dvp, "DvPAmountMismatch")
        .withArgs(good.tradeId, good.quantity, good.price, good.amount + 1n);
      const huge = 2n ** 200n;
      await expect(report({ ...good, quantity: huge, price: huge, amount: 0n }))
        .to.be.revertedWithCustomError(dvp, "DvPAmountMismatch")
        .withArgs(good.tradeId, huge, huge, 0n);
      await expect(report({ ...good, deadline: now - 1n }))
        .to.be.revertedWithCustomError(dvp, "DvPDeadlineInPast")
        .withArgs(good.tradeId, now - 1n, now + 1n);
      await expect(report({ ...good, security: ethers.ZeroAddress }))
        .to.be.revertedWithCustomError(dvp, "DvPInvalidToken")
        .withArgs(good.tradeId, ethers.ZeroAddress);
      await expect(report({ ...good, stablecoin: good.security }))
        .to.be.revertedWithCustomError(dvp, "DvPInvalidToken")
        .withArgs(good.tradeId, good.security);
      await expect(report({ ...good, seller: ethers.ZeroAddress }))
        .to.be.revertedWithCustomError(dvp, "DvPInvalidParty")
        .withArgs(good.tradeId, ethers.ZeroAddress);
      await expect(report({ ...good, buyer: good.seller, buyerInvestor: good.sellerInvestor }))
        .to.be.revertedWithCustomError(dvp, "DvPInvalidParty")
        .withArgs(good.tradeId, good.seller);
      await expect(report({ ...good, buyerInvestor: good.sellerInvestor }))
        .to.be.revertedWithCustomError(dvp, "DvPInvestorMismatch")
        .withArgs(good.tradeId, good.buyer, good.sellerInvestor, good.buyerInvestor);
      await expect(report({ ...good, buyer: setup.stranger.address }))
        .to.be.revertedWithCustomError(dvp, "DvPInvestorMismatch")
        .withArgs(good.tradeId, setup.stranger.address, good.buyerInvestor, ethers.ZeroHash);
      expect(await dvp.tradeStatus(good.tradeId)).to.equal(Status.None);
      expect(parties.length).to.equal(4);
    });

    it("reportTrades reports each, all or nothing", async function () {
      const setup = await networkHelpers.loadFixture(fixture);
      const { dvp, exchange } = setup;
      const one = await makeTrade(setup, await spec(setup, { number: 1 }));
      const two = await makeTrade(setup, await spec(setup, { number: 2, quantity: 3n }));
      await expect(
        dvp.connect(exchange).reportTrades([one, { ...two, amount: 1n }]),
      ).to.be.revertedWithCustomError(dvp, "DvPAmountMismatch");
      expect(await dvp.tradeStatus(one.tradeId)).to.equal(Status.None);
      await expect(dvp.connect(exchange).reportTrades([one, two]))
        .to.emit(dvp, "TradeReported")
        .withArgs(two.tradeId, two.seller, two.buyer, Object.values(two));
      expect(await dvp.tradeStatus(one.tradeId)).to.equal(Status.Reported);
    });
  });

  describe("settle", function () {
    for (const form of ["65-byte", "64-byte (ERC-2098)"] as const) {
      it(`moves both legs in one transaction with both signatures (${form}), submitted by anyone`, async function () {
        const setup = await networkHelpers.loadFixture(fixture);
        const { dvp, jpy, securities, stranger } = setup;
        const trade = await reported(setup);
        const [seller, buyer] = await consents(setup, trade);
        const signatures = form === "65-byte" ? [seller, buyer] : [compact(seller), compact(buyer)];
        expect(await dvp.connect(stranger).settle.staticCall(trade, signatures[0], signatures[1])).to.equal(
          true,
        );
        const tx = dvp.connect(stranger).settle(trade, signatures[0], signatures[1]);
        await expect(tx).to.emit(dvp, "TradeSettled").withArgs(trade.tradeId);
        await expect(tx).to.emit(jpy, "Transfer").withArgs(trade.buyer, trade.seller, trade.amount);
        await expect(tx)
          .to.emit(securities[0]!, "Transfer")
          .withArgs(trade.seller, trade.buyer, trade.quantity);
        await expect(tx).to.changeTokenBalances(
          ethers,
          jpy,
          [trade.buyer, trade.seller],
          [-trade.amount, trade.amount],
        );
        expect(await securities[0]!.balanceOf(trade.buyer)).to.equal(1_000n + trade.quantity);
        expect(await dvp.tradeStatus(trade.tradeId)).to.equal(Status.Settled);
        expect(await jpy.balanceOf(await dvp.getAddress())).to.equal(0n);
      });
    }

    it("Invariant 1: settles at most once", async function () {
      const setup = await networkHelpers.loadFixture(fixture);
      const trade = await reported(setup);
      const signatures = await consents(setup, trade);
      await setup.dvp.settle(trade, ...signatures);
      await expect(setup.dvp.settle(trade, ...signatures))
        .to.be.revertedWithCustomError(setup.dvp, "DvPTradeNotOpen")
        .withArgs(trade.tradeId, Status.Settled);
    });

    it("refuses an unknown trade and terms other than the reported ones (another coin, price, party…)", async function () {
      const setup = await networkHelpers.loadFixture(fixture);
      const { dvp, parties, securities } = setup;
      const trade = await reported(setup);
      const unknown = { ...trade, tradeId: tradeId(99) };
      await expect(dvp.settle(unknown, ...(await consents(setup, unknown))))
        .to.be.revertedWithCustomError(dvp, "DvPUnknownTrade")
        .withArgs(unknown.tradeId);
      const otherCoin = (await ethers.deployContract("BaselineERC20", [parties[0]!.address, 1n]))
        .target as string;
      for (const altered of [
        { ...trade, stablecoin: otherCoin },
        { ...trade, price: trade.price - 1n, amount: trade.quantity * (trade.price - 1n) },
        { ...trade, buyer: parties[2]!.address, buyerInvestor: setup.investorOf.get(parties[2]!.address)! },
        { ...trade, security: await securities[1]!.getAddress() },
        { ...trade, deadline: trade.deadline + 1n },
      ]) {
        await expect(dvp.settle(altered, ...(await consents(setup, altered))))
          .to.be.revertedWithCustomError(dvp, "DvPTermsMismatch")
          .withArgs(trade.tradeId);
      }
    });

    it("Invariant 2: refuses a wrong signer, a signature of other terms, of another contract or chain", async function () {
      const setup = await networkHelpers.loadFixture(fixture);
      const { dvp, parties, domain } = setup;
      const trade = await reported(setup);
      const [seller, buyer] = await consents(setup, trade);
      const refused = (sellerSignature: string, buyerSignature: string, party: string) =>
        expect(dvp.settle(trade, sellerSignature, buyerSignature))
          .to.be.revertedWithCustomError(dvp, "DvPInvalidSignature")
          .withArgs(trade.tradeId, party);
      await refused(buyer, seller, trade.seller);
      await refused(seller, await signTrade(parties[2]!, domain, trade), trade.buyer);
      const otherTerms = await signTrade(parties[0]!, domain, {
        ...trade,
        quantity: 11n,
        amount: 11n * trade.price,
      });
      await refused(otherTerms, buyer, trade.seller);
      const otherContract = await signTrade(
        parties[0]!,
        { ...domain, verifyingContract: setup.stranger.address },
        trade,
      );
      await refused(otherContract, buyer, trade.seller);
      const otherChain = await signTrade(parties[1]!, { ...domain, chainId: 1n }, trade);
      await refused(seller, otherChain, trade.buyer);
      // Malformed: a wrong length, and the malleable (high-s) twin of a valid signature.
      await refused("0x" + "11".repeat(63), buyer, trade.seller);
      const sig = Signature.from(seller);
      const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
      const twin = concat([sig.r, toBeHex(n - BigInt(sig.s), 32), sig.v === 27 ? "0x1c" : "0x1b"]);
      await refused(twin, buyer, trade.seller);
      expect(await dvp.tradeStatus(trade.tradeId)).to.equal(Status.Reported);
    });

    it("a signature is for this trade only: the same consent is refused on another trade", async function () {
      const setup = await networkHelpers.loadFixture(fixture);
      const first = await reported(setup, { number: 1 });
      const second = await reported(setup, { number: 2 });
      const signatures = await consents(setup, first);
      await expect(setup.dvp.settle(second, ...signatures))
        .to.be.revertedWithCustomError(setup.dvp, "DvPInvalidSignature")
        .withArgs(second.tradeId, second.seller);
    });

    it("settles on the deadline second and refuses one second later", async function () {
      const setup = await networkHelpers.loadFixture(fixture);
      const deadline = BigInt(await time.latest()) + 100n;
      const onTime = await reported(setup, { number: 1, deadline });
      const late = await reported(setup, { number: 2, deadline });
      await time.setNextBlockTimestamp(deadline);
      await setup.dvp.settle(onTime, ...(await consents(setup, onTime)));
      await expect(setup.dvp.settle(late, ...(await consents(setup, late))))
        .to.be.revertedWithCustomError(setup.dvp, "DvPDeadlinePassed")
        .withArgs(late.tradeId, deadline, deadline + 1n);
    });

    it("consent by on-chain approval instead of a signature; none at all is refused", async function () {
      const setup = await networkHelpers.loadFixture(fixture);
      const { dvp, parties, stranger } = setup;
      const trade = await reported(setup);
      const [seller] = await consents(setup, trade);
      await expect(dvp.settle(trade, seller, "0x"))
        .to.be.revertedWithCustomError(dvp, "DvPConsentMissing")
        .withArgs(trade.tradeId, trade.buyer);
      await expect(dvp.connect(stranger).approveSettlement(trade))
        .to.be.revertedWithCustomError(dvp, "DvPNotParty")
        .withArgs(trade.tradeId, stranger.address);
      await expect(dvp.connect(parties[1]!).approveSettlement(trade))
        .to.emit(dvp, "SettlementApproved")
        .withArgs(trade.tradeId, trade.buyer);
      expect(await dvp.approvals(trade.tradeId)).to.deep.equal([false, true]);
      await expect(dvp.settle(trade, "0x", "0x"))
        .to.be.revertedWithCustomError(dvp, "DvPConsentMissing")
        .withArgs(trade.tradeId, trade.seller);
      await expect(dvp.settle(trade, seller, "0x"))
        .to.emit(dvp, "TradeSettled")
        .withArgs(trade.tradeId);
    });

    it("approveSettlement refuses terms that differ, a closed trade and a lapsed one", async function () {
      const setup = await networkHelpers.loadFixture(fixture);
      const { dvp, parties } = setup;
      const deadline = BigInt(await time.latest()) + 100n;
      const trade = await reported(setup, { deadline });
      await expect(dvp.connect(parties[0]!).approveSettlement({ ...trade, quantity: 1n }))
        .to.be.revertedWithCustomError(dvp, "DvPTermsMismatch")
        .withArgs(trade.tradeId);
      await time.setNextBlockTimestamp(deadline + 1n);
      await expect(dvp.connect(parties[0]!).approveSettlement(trade))
        .to.be.revertedWithCustomError(dvp, "DvPDeadlinePassed")
        .withArgs(trade.tradeId, deadline, deadline + 1n);
      await dvp.connect(parties[0]!).cancel(trade);
      await expect(dvp.connect(parties[0]!).approveSettlement(trade))
        .to.be.revertedWithCustomError(dvp, "DvPTradeNotOpen")
        .withArgs(trade.tradeId, Status.Cancelled);
    });

    it("a party that is an ERC-1271 wallet consents by its signer's key, or by approving through the wallet", async function () {
      const setup = await networkHelpers.loadFixture(fixture);
      const { dvp, securities, parties, domain } = setup;
      const node = parties[3]!; // the custodian node's key
      const { wallet, address: walletAddress } = await custodianWallet(setup, node, 50_000_000n);
      const trade = await makeTrade(setup, {
        number: 1,
        seller: parties[0]!,
        buyer: { address: walletAddress } as HardhatEthersSigner,
        quantity: 5n,
        price: 1_000_000n,
      });
      trade.buyerInvestor = setup.investorOf.get(node.address)!;
      await dvp.connect(setup.exchange).reportTrade(trade);
      const seller = await signTrade(parties[0]!, domain, trade);
      await expect(dvp.settle(trade, seller, await signTrade(parties[2]!, domain, trade)))
        .to.be.revertedWithCustomError(dvp, "DvPInvalidSignature")
        .withArgs(trade.tradeId, walletAddress);
      await expect(dvp.settle(trade, seller, await signTrade(node, domain, trade))).to.emit(
        dvp,
        "TradeSettled",
      );
      expect(await securities[0]!.balanceOf(walletAddress)).to.equal(5n);

      const second = await makeTrade(setup, {
        number: 2,
        seller: parties[0]!,
        buyer: { address: walletAddress } as HardhatEthersSigner,
        quantity: 1n,
        price: 1_000_000n,
      });
      second.buyerInvestor = trade.buyerInvestor;
      await dvp.connect(setup.exchange).reportTrade(second);
      await wallet
        .connect(node)
        .execute(await dvp.getAddress(), dvp.interface.encodeFunctionData("approveSettlement", [second]));
      await expect(dvp.settle(second, await signTrade(parties[0]!, domain, second), "0x")).to.emit(
        dvp,
        "TradeSettled",
      );
    });
  });

  describe("fail handling: the buyer short of stablecoin", function () {
    it("Invariant 3: moves nothing, records the shortfall, keeps the trade open; after a top-up the retry settles", async function () {
      const setup = await networkHelpers.loadFixture(fixture);
      const { dvp, jpy, trustBank, parties } = setup;
      const buyer = parties[1]!;
      // The buyer holds 100,000,000 yen; the trade costs 150,000,000.
      const trade = await reported(setup, { quantity: 150n, price: 1_000_000n });
      const signatures = await consents(setup, trade);
      const before = await holdings(setup, [trade.seller, trade.buyer]);
      expect(await dvp.settle.staticCall(trade, ...signatures)).to.equal(false);
      await expect(dvp.settle(trade, ...signatures))
        .to.emit(dvp, "SettlementFailed")
        .withArgs(trade.tradeId, trade.buyer, trade.stablecoin, 150_000_000n, 100_000_000n);
      expect(await holdings(setup, [trade.seller, trade.buyer])).to.deep.equal(before);
      expect(await dvp.tradeStatus(trade.tradeId)).to.equal(Status.Reported);
      // Notice of the amount short, yen placed in trust, the issuer mints the difference, retry.
      await jpy.connect(trustBank).mint(buyer.address, 50_000_000n);
      await expect(dvp.settle(trade, ...signatures))
        .to.emit(dvp, "TradeSettled")
        .withArgs(trade.tradeId);
      expect(await jpy.balanceOf(buyer.address)).to.equal(0n);
    });

    it("a seller short of unfrozen securities is refused with the numbers, and nothing moves", async function () {
      const setup = await networkHelpers.loadFixture(fixture);
      const { dvp, securities, registrar } = setup;
      const trade = await reported(setup, { quantity: 10n });
      await securities[0]!.connect(registrar).setFrozenTokens(trade.seller, 995n);
      const before = await holdings(setup, [trade.seller, trade.buyer]);
      await expect(dvp.settle(trade, ...(await consents(setup, trade))))
        .to.be.revertedWithCustomError(dvp, "DvPSecuritiesShortfall")
        .withArgs(trade.tradeId, trade.seller, 10n, 5n);
      expect(await holdings(setup, [trade.seller, trade.buyer])).to.deep.equal(before);
      expect(await dvp.tradeStatus(trade.tradeId)).to.equal(Status.Reported);
    });
  });

  describe("the holder rules of both tokens apply to both legs", function () {
    it("pause, freezes, eligibility and the allowed list each refuse, and nothing moves", async function () {
      const setup = await networkHelpers.loadFixture(fixture);
      const { dvp, securities, jpy, registry, registrar, trustBank } = setup;
      const trade = await reported(setup);
      const signatures = await consents(setup, trade);
      const security = securities[0]!;
      const attempt = () => dvp.settle(trade, ...signatures);
      const cases: [
        () => Promise<unknown>,
        () => Promise<unknown>,
        string,
        unknown[],
        { interface: unknown },
      ][] = [
        [
          () => security.connect(registrar).pause(),
          () => security.connect(registrar).unpause(),
          "SecurityTokenPaused",
          [],
          security,
        ],
        [
          () => jpy.connect(trustBank).pause(),
          () => jpy.connect(trustBank).unpause(),
          "EnforcedPause",
          [],
          jpy,
        ],
        [
          () => security.connect(registrar).setWalletFrozen(trade.buyer, true),
          () => security.connect(registrar).setWalletFrozen(trade.buyer, false),
          "SecurityTokenWalletFrozen",
          [trade.buyer],
          security,
        ],
        [
          () => jpy.connect(trustBank).freezeAccount(trade.seller),
          () => jpy.connect(trustBank).unfreezeAccount(trade.seller),
          "StablecoinAccountFrozen",
          [trade.seller],
          jpy,
        ],
        [
          () => jpy.connect(trustBank).disallowAccount(trade.buyer),
          () => jpy.connect(trustBank).allowAccount(trade.buyer),
          "StablecoinNotAllowed",
          [trade.buyer],
          jpy,
        ],
        [
          () => registry.connect(registrar).setEligibility(trade.buyerInvestor, false, 0n),
          async () =>
            registry
              .connect(registrar)
              .setEligibility(trade.buyerInvestor, true, BigInt(await time.latest()) + 365n * 86_400n),
          "ERC7943CannotReceive",
          [trade.buyer],
          security,
        ],
      ];
      const before = await holdings(setup, [trade.seller, trade.buyer]);
      for (const [apply, undo, error, args, contract] of cases) {
        await apply();
        await expect(attempt(), error)
          .to.be.revertedWithCustomError(contract, error)
          .withArgs(...args);
        expect(await holdings(setup, [trade.seller, trade.buyer])).to.deep.equal(before);
        await undo();
      }
      await expect(attempt()).to.emit(dvp, "TradeSettled");
    });

    it("a token that has not given the DvP contract its SETTLEMENT_ROLE refuses the leg", async function () {
      const setup = await networkHelpers.loadFixture(fixture);
      const { dvp, securities, admin } = setup;
      const trade = await reported(setup);
      await securities[0]!.connect(admin).revokeRole(id("SETTLEMENT_ROLE"), await dvp.getAddress());
      await expect(dvp.settle(trade, ...(await consents(setup, trade))))
        .to.be.revertedWithCustomError(securities[0]!, "AccessControlUnauthorizedAccount")
        .withArgs(await dvp.getAddress(), id("SETTLEMENT_ROLE"));
      expect(await dvp.tradeStatus(trade.tradeId)).to.equal(Status.Reported);
    });

    it("a 'stablecoin' without code is no settlement token: refused", async function () {
      const setup = await networkHelpers.loadFixture(fixture);
      const { dvp, stranger } = setup;
      const trade = { ...(await makeTrade(setup, await spec(setup))), stablecoin: stranger.address };
      await dvp.connect(setup.exchange).reportTrade(trade);
      await expect(dvp.settle(trade, ...(await consents(setup, trade))))
        .to.be.revertedWithCustomError(dvp, "SettlementCallsNotSettlementToken")
        .withArgs(stranger.address);
    });

    it("refuses a re-entrant settlement from a token it calls", async function () {
      const setup = await networkHelpers.loadFixture(fixture);
      const { dvp } = setup;
      const rogue = await ethers.deployContract("DvPReentrantTokenMock");
      const trade = {
        ...(await makeTrade(setup, await spec(setup, { number: 1 }))),
        stablecoin: rogue.target as string,
      };
      const other = await reported(setup, { number: 2 });
      await dvp.connect(setup.exchange).reportTrade(trade);
      await rogue.getFunction("arm")(
        await dvp.getAddress(),
        dvp.interface.encodeFunctionData("settle", [other, ...(await consents(setup, other))]),
      );
      await expect(dvp.settle(trade, ...(await consents(setup, trade)))).to.be.revertedWithCustomError(
        dvp,
        "ReentrancyGuardReentrantCall",
      );
      expect(await dvp.tradeStatus(other.tradeId)).to.equal(Status.Reported);
    });
  });

  describe("cancel", function () {
    it("after the deadline, by the exchange node or either party; the trade can then never settle", async function () {
      for (const who of ["exchange", "seller", "buyer"] as const) {
        const setup = await networkHelpers.loadFixture(fixture);
        const { dvp } = setup;
        const deadline = BigInt(await time.latest()) + 100n;
        const trade = await reported(setup, { deadline });
        const signatures = await consents(setup, trade);
        const caller = { exchange: setup.exchange, seller: setup.parties[0]!, buyer: setup.parties[1]! }[who];
        await expect(dvp.connect(caller).cancel(trade))
          .to.be.revertedWithCustomError(dvp, "DvPDeadlineNotPassed")
          .withArgs(trade.tradeId, deadline, BigInt(await time.latest()) + 1n);
        await time.increaseTo(deadline + 1n);
        await expect(dvp.connect(caller).cancel(trade))
          .to.emit(dvp, "TradeCancelled")
          .withArgs(trade.tradeId, caller.address);
        expect(await dvp.tradeStatus(trade.tradeId)).to.equal(Status.Cancelled);
        await expect(dvp.settle(trade, ...signatures))
          .to.be.revertedWithCustomError(dvp, "DvPTradeNotOpen")
          .withArgs(trade.tradeId, Status.Cancelled);
        await expect(dvp.connect(caller).cancel(trade))
          .to.be.revertedWithCustomError(dvp, "DvPTradeNotOpen")
          .withArgs(trade.tradeId, Status.Cancelled);
      }
    });

    it("is refused to anyone else, for other terms, and for a settled trade", async function () {
      const setup = await networkHelpers.loadFixture(fixture);
      const { dvp, stranger, parties } = setup;
      const deadline = BigInt(await time.latest()) + 100n;
      const trade = await reported(setup, { number: 1, deadline });
      const settled = await reported(setup, { number: 2, deadline });
      await dvp.settle(settled, ...(await consents(setup, settled)));
      await time.increaseTo(deadline + 1n);
      for (const caller of [stranger, parties[2]!]) {
        await expect(dvp.connect(caller).cancel(trade))
          .to.be.revertedWithCustomError(dvp, "DvPUnauthorizedCanceller")
          .withArgs(trade.tradeId, caller.address);
      }
      await expect(dvp.connect(setup.exchange).cancel({ ...trade, price: 1n, amount: 10n }))
        .to.be.revertedWithCustomError(dvp, "DvPTermsMismatch")
        .withArgs(trade.tradeId);
      await expect(dvp.connect(setup.exchange).cancel(settled))
        .to.be.revertedWithCustomError(dvp, "DvPTradeNotOpen")
        .withArgs(settled.tradeId, Status.Settled);
    });
  });

  describe("Invariant 5: the contract never holds a token", function () {
    it("holds nothing after single, batch and failed settlements", async function () {
      const setup = await networkHelpers.loadFixture(fixture);
      const { dvp, jpy, securities } = setup;
      const one = await reported(setup, { number: 1 });
      await dvp.settle(one, ...(await consents(setup, one)));
      const short = await reported(setup, { number: 2, quantity: 200n, price: 1_000_000n });
      await dvp.settle(short, ...(await consents(setup, short)));
      const batch = [
        await reported(setup, { number: 3 }),
        await reported(setup, { number: 4, seller: setup.parties[1]!, buyer: setup.parties[0]! }),
      ];
      const signatures = await Promise.all(batch.map((trade) => consents(setup, trade)));
      await dvp.settleBatch(
        batch,
        signatures.map((pair) => pair[0]),
        signatures.map((pair) => pair[1]),
      );
      const address = await dvp.getAddress();
      for (const token of [jpy, ...securities]) expect(await token.balanceOf(address)).to.equal(0n);
    });
  });
});
