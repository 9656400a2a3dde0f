import { expect } from "chai";
import { network } from "hardhat";

import {
  ACCOUNT,
  type CEPlainToken,
  DAY,
  PRICES,
  PRICE_ONE,
  TERMS,
  deployCollateralEscrow,
  deployCollateralMarket,
} from "../support/collateral.ts";
import { currencyCode } from "../support/stablecoin.ts";

const { ethers, networkHelpers } = await network.create();

const JPY = currencyCode("JPY");
const USD = currencyCode("USD");
const EUR = currencyCode("EUR");
const MAX_UINT32 = 2n ** 32n - 1n;

async function marketFixture() {
  return deployCollateralMarket(ethers);
}

async function plainToken(name: string, decimals: number): Promise<CEPlainToken> {
  return (await ethers.deployContract("CEPlainToken", [name, decimals])) as unknown as CEPlainToken;
}

describe("CollateralEscrow: schedule and price board", () => {
  describe("deployment", () => {
    it("sets the admin and the default-management wallet, and configures the yen at a fixed rate", async () => {
      const { escrow, signers } = await networkHelpers.loadFixture(marketFixture);
      expect(await escrow.defaultAdmin()).to.equal(signers.admin.address);
      expect(await escrow.defaultManagementWallet()).to.equal(signers.dmWallet.address);
      expect((await escrow.currencies())[0]).to.equal(JPY);
      expect(await escrow.fxRateOf(JPY)).to.deep.equal([PRICE_ONE, 0n, MAX_UINT32]);
      expect(await escrow.PRICE_DECIMALS()).to.equal(8n);
      expect(await escrow.FX_DECIMALS()).to.equal(8n);
      expect(await escrow.MAX_ASSETS_PER_ACCOUNT()).to.equal(8n);
      expect(await escrow.MAX_SCHEDULE_ASSETS()).to.equal(65_535n);
    });

    it("refuses a zero default-management wallet", async () => {
      const [admin] = await ethers.getSigners();
      const escrow = await deployCollateralEscrow(ethers, {
        admin: admin!.address,
        defaultManagementWallet: admin!.address,
      });
      await expect(
        deployCollateralEscrow(ethers, {
          admin: admin!.address,
          defaultManagementWallet: ethers.ZeroAddress,
        }),
      )
        .to.be.revertedWithCustomError(escrow, "CollateralEscrowInvalidWallet")
        .withArgs(ethers.ZeroAddress);
    });

    it("reports ICollateralEscrow and the access-control interfaces by ERC-165", async () => {
      const { escrow } = await networkHelpers.loadFixture(marketFixture);
      const ids = (await ethers.deployContract("CEInterfaceIds")) as unknown as {
        collateralEscrow(): Promise<string>;
        accessControl(): Promise<string>;
      };
      expect(await escrow.supportsInterface(await ids.collateralEscrow())).to.equal(true);
      expect(await escrow.supportsInterface(await ids.accessControl())).to.equal(true);
      expect(await escrow.supportsInterface("0x01ffc9a7")).to.equal(true);
      expect(await escrow.supportsInterface("0xffffffff")).to.equal(false);
    });
  });

  describe("currencies", () => {
    it("adds a currency and changes its FX rate's maximum age", async () => {
      const { escrow, signers } = await networkHelpers.loadFixture(marketFixture);
      await expect(escrow.connect(signers.riskDesk).configureCurrency(EUR, 3_600))
        .to.emit(escrow, "CurrencyConfigured")
        .withArgs(EUR, 3_600);
      expect(await escrow.currencies()).to.deep.equal([JPY, USD, EUR]);
      expect(await escrow.fxRateOf(EUR)).to.deep.equal([0n, 0n, 3_600n]);
      await escrow.connect(signers.riskDesk).configureCurrency(EUR, 7_200);
      expect(await escrow.currencies()).to.deep.equal([JPY, USD, EUR]);
      expect((await escrow.fxRateOf(EUR))[2]).to.equal(7_200n);
    });

    it("refuses the yen, a code that is not three capitals, and a zero maximum age", async () => {
      const { escrow, signers } = await networkHelpers.loadFixture(marketFixture);
      for (const code of [JPY, currencyCode("usd"), "0x000000", currencyCode("U1D")]) {
        await expect(escrow.connect(signers.riskDesk).configureCurrency(code, DAY))
          .to.be.revertedWithCustomError(escrow, "CollateralScheduleInvalidCurrency")
          .withArgs(code);
      }
      await expect(escrow.connect(signers.riskDesk).configureCurrency(EUR, 0))
        .to.be.revertedWithCustomError(escrow, "CollateralScheduleInvalidMaxAge")
        .withArgs(0);
    });

    it("refuses an unconfigured currency where one is needed", async () => {
      const { escrow, signers } = await networkHelpers.loadFixture(marketFixture);
      await expect(escrow.fxRateOf(EUR)).to.be.revertedWithCustomError(
        escrow,
        "CollateralScheduleUnknownCurrency",
      );
      const token = await plainToken("EUR bond", 0);
      await expect(escrow.connect(signers.riskDesk).listAsset(token, { ...TERMS.jgb, currency: EUR }))
        .to.be.revertedWithCustomError(escrow, "CollateralScheduleUnknownCurrency")
        .withArgs(EUR);
    });
  });

  describe("listing", () => {
    it("lists each asset with its ID, decimals, currency, terms and kind (security token by ERC-165)", async () => {
      const { escrow, jpy, usd, jgb, ust } = await networkHelpers.loadFixture(marketFixture);
      expect(await escrow.scheduledAssets()).to.deep.equal([
        await jpy.getAddress(),
        await usd.getAddress(),
        await jgb.getAddress(),
        await ust.getAddress(),
      ]);
      const usdInfo = await escrow.assetInfo(usd);
      expect(usdInfo.id).to.equal(2n);
      expect(usdInfo.listed).to.equal(true);
      expect(usdInfo.securityToken).to.equal(false);
      expect(usdInfo.decimals).to.equal(2n);
      expect(usdInfo.terms.toObject()).to.deep.equal({
        currency: USD,
        haircutBps: 300n,
        concentrationLimitBps: 10_000n,
        maxPriceAge: 0n,
        pricedAtPar: true,
      });
      expect(usdInfo.price).to.equal(PRICE_ONE);
      const ustInfo = await escrow.assetInfo(ust);
      expect([ustInfo.id, ustInfo.securityToken, ustInfo.decimals]).to.deep.equal([4n, true, 0n]);
      expect(ustInfo.terms.concentrationLimitBps).to.equal(5_000n);
      expect(ustInfo.price).to.equal(PRICES.ust);
      const unknown = await escrow.assetInfo(ethers.ZeroAddress);
      expect(unknown.id).to.equal(0n);
      expect(unknown.listed).to.equal(false);
    });

    it("emits AssetListed with the terms", async () => {
      const { escrow, signers } = await networkHelpers.loadFixture(marketFixture);
      const token = await plainToken("Fund unit", 6);
      await expect(escrow.connect(signers.riskDesk).listAsset(token, TERMS.jgb))
        .to.emit(escrow, "AssetListed")
        .withArgs(await token.getAddress(), 5, JPY, 6, 200, 10_000, DAY, false, false);
    });

    it("refuses an asset listed already, one that is not a token, and more than 18 decimals", async () => {
      const { escrow, jgb, registry, signers } = await networkHelpers.loadFixture(marketFixture);
      const desk = escrow.connect(signers.riskDesk);
      await expect(desk.listAsset(jgb, TERMS.jgb))
        .to.be.revertedWithCustomError(escrow, "CollateralScheduleAssetAlreadyListed")
        .withArgs(await jgb.getAddress());
      for (const notToken of [ethers.ZeroAddress, signers.stranger.address, await registry.getAddress()]) {
        await expect(desk.listAsset(notToken, TERMS.jgb))
          .to.be.revertedWithCustomError(escrow, "CollateralScheduleInvalidAsset")
          .withArgs(notToken);
      }
      const fine = await plainToken("Eighteen", 18);
      await expect(desk.listAsset(fine, TERMS.jgb)).not.to.revert(ethers);
      const tooFine = await plainToken("Nineteen", 19);
      await expect(desk.listAsset(tooFine, TERMS.jgb))
        .to.be.revertedWithCustomError(escrow, "CollateralScheduleUnsupportedDecimals")
        .withArgs(await tooFine.getAddress(), 19, 18);
    });

    it("refuses a currency other than the one the token reports (a dollar coin listed as yen)", async () => {
      const { usd, signers } = await networkHelpers.loadFixture(marketFixture);
      const { escrow: fresh } = await freshEscrow(signers.admin.address, signers.riskDesk);
      await expect(fresh.connect(signers.riskDesk).listAsset(usd, { ...TERMS.usd, currency: JPY }))
        .to.be.revertedWithCustomError(fresh, "CollateralScheduleCurrencyMismatch")
        .withArgs(await usd.getAddress(), JPY, USD);
    });

    it("refuses a haircut above 100%, a limit of 0 or above 100%, and no maximum price age", async () => {
      const { escrow, signers } = await networkHelpers.loadFixture(marketFixture);
      const token = await plainToken("Bond", 0);
      const desk = escrow.connect(signers.riskDesk);
      await expect(desk.listAsset(token, { ...TERMS.jgb, haircutBps: 10_001 }))
        .to.be.revertedWithCustomError(escrow, "CollateralScheduleInvalidHaircut")
        .withArgs(10_001, 10_000);
      for (const limit of [0, 10_001]) {
        await expect(desk.listAsset(token, { ...TERMS.jgb, concentrationLimitBps: limit }))
          .to.be.revertedWithCustomError(escrow, "CollateralScheduleInvalidConcentrationLimit")
          .withArgs(limit, 10_000);
      }
      await expect(desk.listAsset(token, { ...TERMS.jgb, maxPriceAge: 0 }))
        .to.be.revertedWithCustomError(escrow, "CollateralScheduleInvalidMaxAge")
        .withArgs(0);
      // A 100% haircut and a par asset without a maximum price age are fine.
      await expect(desk.listAsset(token, { ...TERMS.jgb, haircutBps: 10_000 })).not.to.revert(ethers);
    });

    it("changes terms, delists and lists again (same ID, price kept, same currency only)", async () => {
      const { escrow, jgb, signers } = await networkHelpers.loadFixture(marketFixture);
      const desk = escrow.connect(signers.riskDesk);
      await expect(desk.setAssetTerms(jgb, 500, 4_000, 3_600))
        .to.emit(escrow, "AssetTermsChanged")
        .withArgs(await jgb.getAddress(), 500, 4_000, 3_600);
      let info = await escrow.assetInfo(jgb);
      expect([info.terms.haircutBps, info.terms.concentrationLimitBps, info.terms.maxPriceAge]).to.deep.equal(
        [500n, 4_000n, 3_600n],
      );
      expect(info.price).to.equal(PRICES.jgb);
      await expect(desk.delistAsset(jgb))
        .to.emit(escrow, "AssetDelisted")
        .withArgs(await jgb.getAddress());
      expect((await escrow.assetInfo(jgb)).listed).to.equal(false);
      await expect(desk.delistAsset(jgb))
        .to.be.revertedWithCustomError(escrow, "CollateralScheduleIneligibleAsset")
        .withArgs(await jgb.getAddress());
      await expect(desk.listAsset(jgb, { ...TERMS.jgb, currency: USD }))
        .to.be.revertedWithCustomError(escrow, "CollateralScheduleCurrencyChanged")
        .withArgs(await jgb.getAddress(), USD, JPY);
      await desk.listAsset(jgb, TERMS.jgb);
      info = await escrow.assetInfo(jgb);
      expect([info.id, info.listed, info.securityToken, info.price]).to.deep.equal([
        3n,
        true,
        true,
        PRICES.jgb,
      ]);
      expect(info.terms.haircutBps).to.equal(200n);
    });

    it("refuses terms for an asset never listed, and bad terms", async () => {
      const { escrow, jgb, usd, signers } = await networkHelpers.loadFixture(marketFixture);
      const desk = escrow.connect(signers.riskDesk);
      await expect(desk.setAssetTerms(signers.stranger.address, 0, 10_000, DAY))
        .to.be.revertedWithCustomError(escrow, "CollateralScheduleUnknownAsset")
        .withArgs(signers.stranger.address);
      await expect(desk.setAssetTerms(jgb, 0, 10_000, 0)).to.be.revertedWithCustomError(
        escrow,
        "CollateralScheduleInvalidMaxAge",
      );
      // A par asset needs no maximum price age.
      await expect(desk.setAssetTerms(usd, 100, 10_000, 0)).not.to.revert(ethers);
      await expect(desk.delistAsset(signers.stranger.address)).to.be.revertedWithCustomError(
        escrow,
        "CollateralScheduleUnknownAsset",
      );
    });
  });

  describe("prices and FX rates", () => {
    it("posts prices and rates with their time; the same time again replaces", async () => {
      const { escrow, jgb, ust, signers } = await networkHelpers.loadFixture(marketFixture);
      const feed = escrow.connect(signers.priceFeed);
      const now = BigInt(await networkHelpers.time.latest()) + 1n;
      await networkHelpers.time.setNextBlockTimestamp(now);
      await expect(feed.postPrices([jgb, ust], [99_000_000_000_000n, 99_000_000_000n], [now, now - 5n]))
        .to.emit(escrow, "PricePosted")
        .withArgs(await jgb.getAddress(), 99_000_000_000_000n, now)
        .and.to.emit(escrow, "PricePosted")
        .withArgs(await ust.getAddress(), 99_000_000_000n, now - 5n);
      expect(await escrow.priceOf(jgb)).to.deep.equal([99_000_000_000_000n, now, DAY]);
      await feed.postPrices([jgb], [98_000_000_000_000n], [now]);
      expect((await escrow.priceOf(jgb))[0]).to.equal(98_000_000_000_000n);
      await expect(feed.postFxRates([USD], [15_123_000_000n], [now]))
        .to.emit(escrow, "FxRatePosted")
        .withArgs(USD, 15_123_000_000n, now);
      expect(await escrow.fxRateOf(USD)).to.deep.equal([15_123_000_000n, now, DAY]);
    });

    it("a par asset reports 10^8, observed at 0, usable forever, and takes no price", async () => {
      const { escrow, jpy, signers } = await networkHelpers.loadFixture(marketFixture);
      expect(await escrow.priceOf(jpy)).to.deep.equal([PRICE_ONE, 0n, MAX_UINT32]);
      const now = BigInt(await networkHelpers.time.latest());
      await expect(escrow.connect(signers.priceFeed).postPrices([jpy], [PRICE_ONE], [now]))
        .to.be.revertedWithCustomError(escrow, "PriceBoardPricedAtPar")
        .withArgs(await jpy.getAddress());
    });

    it("refuses an unknown asset, a zero or too large price, a time of 0, in the future or older", async () => {
      const { escrow, jgb, pricedAt, signers } = await networkHelpers.loadFixture(marketFixture);
      const feed = escrow.connect(signers.priceFeed);
      const next = BigInt(await networkHelpers.time.latest()) + 1n;
      await expect(
        feed.postPrices([signers.stranger.address], [1n], [pricedAt]),
      ).to.be.revertedWithCustomError(escrow, "CollateralScheduleUnknownAsset");
      const max = 2n ** 96n - 1n;
      for (const price of [0n, max + 1n]) {
        await expect(feed.postPrices([jgb], [price], [pricedAt]))
          .to.be.revertedWithCustomError(escrow, "PriceBoardInvalidPrice")
          .withArgs(await jgb.getAddress(), price, max);
      }
      await networkHelpers.time.setNextBlockTimestamp(next);
      await expect(feed.postPrices([jgb], [1n], [next + 1n]))
        .to.be.revertedWithCustomError(escrow, "PriceBoardInvalidTime")
        .withArgs(next + 1n, next);
      await expect(feed.postPrices([jgb], [1n], [0n])).to.be.revertedWithCustomError(
        escrow,
        "PriceBoardInvalidTime",
      );
      await expect(feed.postPrices([jgb], [1n], [pricedAt - 1n]))
        .to.be.revertedWithCustomError(escrow, "PriceBoardOutdated")
        .withArgs(pricedAt - 1n, pricedAt);
      await expect(feed.postPrices([jgb], [1n, 2n], [pricedAt]))
        .to.be.revertedWithCustomError(escrow, "PriceBoardArrayLengthMismatch")
        .withArgs(1, 2);
      await expect(feed.postPrices([jgb], [1n], [])).to.be.revertedWithCustomError(
        escrow,
        "PriceBoardArrayLengthMismatch",
      );
      // All or nothing: a bad second price leaves the first unposted.
      await expect(feed.postPrices([jgb, jgb], [1n, 0n], [pricedAt, pricedAt])).to.be.revertedWithCustomError(
        escrow,
        "PriceBoardInvalidPrice",
      );
      expect((await escrow.priceOf(jgb))[0]).to.equal(PRICES.jgb);
    });

    it("refuses an FX rate for the yen or an unknown currency, zero or too large, or at a bad time", async () => {
      const { escrow, pricedAt, signers } = await networkHelpers.loadFixture(marketFixture);
      const feed = escrow.connect(signers.priceFeed);
      await expect(feed.postFxRates([JPY], [PRICE_ONE], [pricedAt]))
        .to.be.revertedWithCustomError(escrow, "CollateralScheduleInvalidCurrency")
        .withArgs(JPY);
      await expect(feed.postFxRates([EUR], [PRICE_ONE], [pricedAt]))
        .to.be.revertedWithCustomError(escrow, "CollateralScheduleUnknownCurrency")
        .withArgs(EUR);
      const max = 2n ** 64n - 1n;
      for (const rate of [0n, max + 1n]) {
        await expect(feed.postFxRates([USD], [rate], [pricedAt]))
          .to.be.revertedWithCustomError(escrow, "PriceBoardInvalidFxRate")
          .withArgs(USD, rate, max);
      }
      await expect(feed.postFxRates([USD], [PRICE_ONE], [pricedAt - 1n]))
        .to.be.revertedWithCustomError(escrow, "PriceBoardOutdated")
        .withArgs(pricedAt - 1n, pricedAt);
      await expect(feed.postFxRates([USD], [PRICE_ONE], [])).to.be.revertedWithCustomError(
        escrow,
        "PriceBoardArrayLengthMismatch",
      );
    });

    it("a valuation refuses a price or rate past its maximum age, naming the asset or currency", async () => {
      const { escrow, jgb, ust, pricedAt, signers } = await networkHelpers.loadFixture(marketFixture);
      const { a } = signers;
      await escrow.connect(a).deposit(ACCOUNT.aHouse, jgb, 10n);
      await escrow.connect(a).deposit(ACCOUNT.aHouse, ust, 1n);
      const lastGood = pricedAt + DAY;
      await networkHelpers.time.increaseTo(lastGood);
      // 10 JGB (9,785,300) and one Treasury at $985 and 150.00 less 5% (140,362).
      expect((await escrow.coverage(ACCOUNT.aHouse))[0]).to.equal(9_925_662n);
      await networkHelpers.time.increaseTo(lastGood + 1n);
      await expect(escrow.coverage(ACCOUNT.aHouse))
        .to.be.revertedWithCustomError(escrow, "PriceBoardStalePrice")
        .withArgs(await jgb.getAddress(), pricedAt, DAY, lastGood + 1n);
      // A fresh JGB price, but the dollar rate is stale for the Treasury: the account cannot be valued, and no more
      // Treasuries come in until the rate is posted.
      const now = lastGood + 2n;
      await networkHelpers.time.setNextBlockTimestamp(now);
      await escrow.connect(signers.priceFeed).postPrices([jgb, ust], [PRICES.jgb, PRICES.ust], [now, now]);
      await expect(escrow.connect(a).deposit(ACCOUNT.aHouse, ust, 1n)).to.be.revertedWithCustomError(
        escrow,
        "PriceBoardStaleFxRate",
      );
      await expect(escrow.coverage(ACCOUNT.aHouse))
        .to.be.revertedWithCustomError(escrow, "PriceBoardStaleFxRate")
        .withArgs(USD, pricedAt, DAY, now);
      await expect(escrow.haircutValueOf(ust, 1n)).to.be.revertedWithCustomError(
        escrow,
        "PriceBoardStaleFxRate",
      );
    });

    it("haircutValueOf: one asset's haircut value on its own; 0 when delisted; refuses an unknown asset", async () => {
      const { escrow, jgb, usd, signers } = await networkHelpers.loadFixture(marketFixture);
      expect(await escrow.haircutValueOf(jgb, 1_000n)).to.equal(978_530_000n);
      // $10,000.00 at 150.00 less 3%.
      expect(await escrow.haircutValueOf(usd, 1_000_000n)).to.equal(1_455_000n);
      await escrow.connect(signers.riskDesk).delistAsset(jgb);
      expect(await escrow.haircutValueOf(jgb, 1_000n)).to.equal(0n);
      await expect(escrow.haircutValueOf(signers.stranger.address, 1n)).to.be.revertedWithCustomError(
        escrow,
        "CollateralScheduleUnknownAsset",
      );
      await expect(escrow.haircutValueOf(usd, 2n ** 128n)).to.be.revertedWithCustomError(
        escrow,
        "CollateralEscrowHoldingTooLarge",
      );
    });
  });
});

/** A second escrow with the same admin, its risk desk and the dollar configured. */
async function freshEscrow(admin: string, riskDesk: Awaited<ReturnType<typeof ethers.getSigners>>[number]) {
  const adminSigner = await ethers.getSigner(admin);
  const escrow = await deployCollateralEscrow(ethers, { admin, defaultManagementWallet: admin });
  await escrow.connect(adminSigner).grantRole(await escrow.SCHEDULE_ROLE(), riskDesk.address);
  await escrow.connect(riskDesk).configureCurrency(USD, DAY);
  return { escrow };
}
