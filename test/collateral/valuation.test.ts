import { expect } from "chai";

import { CollateralError } from "../../ts-src/collateral/errors.ts";
import {
  BOUNDS,
  PRICE_ONE,
  type ScheduledAsset,
  applyLimits,
  assetHaircutValue,
  coverage,
  fixedPoint,
  formatFixedPoint,
  haircutValue,
  marketOf,
  quantityForValue,
  valueAccount,
} from "../../ts-src/collateral/valuation.ts";

const NOW = 1_800_000_000n;
const DAY = 86_400n;

const YEN_COIN = "0x00000000000000000000000000000000000000A1";
const DOLLAR_COIN = "0x00000000000000000000000000000000000000A2";
const JGB = "0x00000000000000000000000000000000000000A3";
const UST = "0x00000000000000000000000000000000000000A4";

const yenCoin: ScheduledAsset = {
  listed: true,
  decimals: 0,
  currency: "JPY",
  haircutBps: 0,
  concentrationLimitBps: 10_000,
  pricedAtPar: true,
  maxPriceAge: 0n,
  price: 0n,
  priceTime: 0n,
};
const dollarCoin: ScheduledAsset = { ...yenCoin, decimals: 2, currency: "USD", haircutBps: 300 };
const jgb: ScheduledAsset = {
  ...yenCoin,
  haircutBps: 200,
  pricedAtPar: false,
  maxPriceAge: DAY,
  price: 998_500n * PRICE_ONE,
  priceTime: NOW - 60n,
};
const ust: ScheduledAsset = {
  ...jgb,
  currency: "USD",
  haircutBps: 500,
  concentrationLimitBps: 5_000,
  price: 985n * PRICE_ONE,
};

function market(overrides: { now?: bigint; assets?: Record<string, ScheduledAsset>; usdTime?: bigint } = {}) {
  const assets = {
    [YEN_COIN]: yenCoin,
    [DOLLAR_COIN]: dollarCoin,
    [JGB]: jgb,
    [UST]: ust,
    ...overrides.assets,
  };
  return marketOf({
    assets: Object.entries(assets),
    fxRates: [["USD", { rate: fixedPoint("151.23"), time: overrides.usdTime ?? NOW - 60n, maxAge: DAY }]],
    now: overrides.now ?? NOW,
  });
}

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof CollateralError) return error.code;
    throw error;
  }
  throw new Error("did not throw");
}

describe("collateral valuation (ts-src/collateral)", () => {
  describe("haircut value of one holding, worked by hand", () => {
    it("1,000 JGB units at 99.85 (998,500 yen each), 2% haircut: 978,530,000 yen", () => {
      expect(assetHaircutValue(market(), JGB, 1_000n)).to.equal(978_530_000n);
    });

    it("$10,000.00 of the dollar coin (1,000,000 cents) at 151.23, 3% haircut: 1,466,931 yen", () => {
      // 10,000 × 151.23 × 0.97 = 1,466,931 exactly.
      expect(assetHaircutValue(market(), DOLLAR_COIN, 1_000_000n)).to.equal(1_466_931n);
    });

    it("10 US Treasury units at $985 and 151.23, 5% haircut: 1,415,134.725 rounded down to 1,415,134", () => {
      expect(assetHaircutValue(market(), UST, 10n)).to.equal(1_415_134n);
    });

    it("rounds down once per asset: 1 cent at 151.23 less 3% is 1.466931 yen → 1", () => {
      expect(assetHaircutValue(market(), DOLLAR_COIN, 1n)).to.equal(1n);
      expect(
        haircutValue({
          quantity: 1n,
          price: PRICE_ONE,
          fxRate: fixedPoint("151.23"),
          haircutBps: 300,
          decimals: 2,
        }),
      ).to.equal(1n);
    });

    it("the yen coin at par counts yen for yen", () => {
      expect(assetHaircutValue(market(), YEN_COIN, 123_456_789n)).to.equal(123_456_789n);
    });
  });

  describe("account value with concentration limits", () => {
    it("an asset counts for at most its limit × the total of haircut values before limits", () => {
      // UST 100 units: 100 × 985 × 151.23 × 0.95 = 14,151,347.25 → 14,151,347; yen 5,000,000. T = 19,151,347.
      // UST cap at 50%: 9,575,673 (floor of 9,575,673.5); value = 5,000,000 + 9,575,673.
      const valuation = valueAccount(market(), [
        { asset: YEN_COIN, quantity: 5_000_000n },
        { asset: UST, quantity: 100n },
      ]);
      expect(valuation.totalBeforeLimits).to.equal(19_151_347n);
      expect(valuation.assets[1]).to.deep.include({
        haircutValue: 14_151_347n,
        cap: 9_575_673n,
        counted: 9_575_673n,
      });
      expect(valuation.assets[0]!.counted).to.equal(5_000_000n);
      expect(valuation.value).to.equal(14_575_673n);
    });

    it("an account holding only a limited asset counts the limit's share of it", () => {
      const valuation = valueAccount(market(), [{ asset: UST, quantity: 100n }]);
      expect(valuation.value).to.equal(7_075_673n); // floor(14,151,347 / 2)
    });

    it("limits apply to each asset's share of the same pre-limit total", () => {
      const { counted, caps, total, value } = applyLimits([100n, 300n, 600n], [10_000, 2_500, 5_000]);
      expect(total).to.equal(1_000n);
      expect(caps).to.deep.equal([1_000n, 250n, 500n]);
      expect(counted).to.deep.equal([100n, 250n, 500n]);
      expect(value).to.equal(850n);
    });

    it("an empty account is worth 0", () => {
      expect(valueAccount(market(), []).value).to.equal(0n);
    });
  });

  describe("stale and missing prices", () => {
    it("refuses a price older than its maximum age, naming the asset", () => {
      const error = (() => {
        try {
          assetHaircutValue(market({ now: NOW - 60n + DAY + 1n }), JGB, 1n);
        } catch (e) {
          return e;
        }
      })();
      expect(error).to.be.instanceOf(CollateralError);
      expect((error as CollateralError).code).to.equal("COLLATERAL_STALE_PRICE");
      expect((error as CollateralError).details).to.deep.equal({
        asset: JGB,
        time: NOW - 60n,
        maxAge: DAY,
        now: NOW - 60n + DAY + 1n,
      });
    });

    it("accepts a price exactly its maximum age old", () => {
      expect(assetHaircutValue(market({ now: NOW - 60n + DAY }), JGB, 1n)).to.equal(978_530n);
    });

    it("refuses a price never posted, and a stale FX rate", () => {
      expect(
        codeOf(() => assetHaircutValue(market({ assets: { [JGB]: { ...jgb, priceTime: 0n } } }), JGB, 1n)),
      ).to.equal("COLLATERAL_STALE_PRICE");
      expect(codeOf(() => assetHaircutValue(market({ usdTime: NOW - 2n * DAY }), DOLLAR_COIN, 1n))).to.equal(
        "COLLATERAL_STALE_FX_RATE",
      );
    });

    it("needs no price for a delisted asset or a 100% haircut (they count 0)", () => {
      const stale = { ...jgb, priceTime: 0n };
      expect(
        assetHaircutValue(market({ assets: { [JGB]: { ...stale, listed: false } } }), JGB, 10n),
      ).to.equal(0n);
      expect(
        assetHaircutValue(market({ assets: { [JGB]: { ...stale, haircutBps: 10_000 } } }), JGB, 10n),
      ).to.equal(0n);
    });

    it("refuses an asset or a currency it does not know", () => {
      expect(
        codeOf(() => assetHaircutValue(market(), "0x00000000000000000000000000000000000000ff", 1n)),
      ).to.equal("COLLATERAL_UNKNOWN_ASSET");
      const euro = marketOf({ assets: [[JGB, { ...jgb, currency: "EUR" }]], now: NOW });
      expect(codeOf(() => assetHaircutValue(euro, JGB, 1n))).to.equal("COLLATERAL_UNKNOWN_CURRENCY");
    });

    it("finds assets whatever the case of their address", () => {
      expect(assetHaircutValue(market(), JGB.toLowerCase(), 1n)).to.equal(978_530n);
    });
  });

  describe("bounds", () => {
    it("values the largest inputs exactly (no overflow, no float)", () => {
      const quantity = BOUNDS.quantity - 1n;
      const price = BOUNDS.price - 1n;
      const fxRate = BOUNDS.fxRate - 1n;
      expect(haircutValue({ quantity, price, fxRate, haircutBps: 0, decimals: 0 })).to.equal(
        (quantity * price * fxRate * 10_000n) / 10n ** 20n,
      );
    });

    it("refuses inputs outside the escrow's bounds", () => {
      for (const bad of [
        { quantity: BOUNDS.quantity },
        { price: BOUNDS.price },
        { fxRate: BOUNDS.fxRate },
        { quantity: -1n },
        { haircutBps: 10_001 },
        { decimals: 19 },
      ]) {
        const input = {
          quantity: 1n,
          price: PRICE_ONE,
          fxRate: PRICE_ONE,
          haircutBps: 0,
          decimals: 0,
          ...bad,
        };
        expect(
          codeOf(() => haircutValue(input)),
          JSON.stringify(bad, (_, v) => String(v)),
        ).to.equal("COLLATERAL_OUT_OF_BOUNDS");
      }
      const nine = Array.from({ length: 9 }, () => ({ asset: YEN_COIN, quantity: 1n }));
      expect(codeOf(() => valueAccount(market(), nine))).to.equal("COLLATERAL_OUT_OF_BOUNDS");
    });
  });

  describe("coverage and the quantity for a shortfall", () => {
    it("coverage: shortfall when short, excess when covered", () => {
      expect(coverage(900n, 1_000n)).to.deep.equal({ covered: false, shortfall: 100n, excess: 0n });
      expect(coverage(1_000n, 1_000n)).to.deep.equal({ covered: true, shortfall: 0n, excess: 0n });
      expect(coverage(1_250n, 1_000n)).to.deep.equal({ covered: true, shortfall: 0n, excess: 250n });
    });

    it("quantityForValue is the smallest quantity that reaches the target", () => {
      for (const [asset, target] of [
        [JGB, 10_000_000n],
        [JGB, 978_530n],
        [JGB, 978_531n],
        [DOLLAR_COIN, 1_000_000n],
        [UST, 123_456_789n],
        [YEN_COIN, 42n],
      ] as const) {
        const quantity = quantityForValue(market(), asset, target)!;
        expect(assetHaircutValue(market(), asset, quantity) >= target, `${asset} ${target}`).to.equal(true);
        expect(assetHaircutValue(market(), asset, quantity - 1n) < target, `${asset} ${target} − 1`).to.equal(
          true,
        );
      }
      expect(quantityForValue(market(), JGB, 978_530n)).to.equal(1n);
      expect(quantityForValue(market(), JGB, 978_531n)).to.equal(2n);
      expect(quantityForValue(market(), JGB, 0n)).to.equal(0n);
    });

    it("quantityForValue is undefined for an asset that counts for nothing", () => {
      expect(quantityForValue(market({ assets: { [JGB]: { ...jgb, listed: false } } }), JGB, 1n)).to.equal(
        undefined,
      );
      expect(
        quantityForValue(market({ assets: { [JGB]: { ...jgb, haircutBps: 10_000 } } }), JGB, 1n),
      ).to.equal(undefined);
    });
  });

  describe("prices as text", () => {
    it("parses and formats 10^8-scaled decimals exactly", () => {
      expect(fixedPoint("151.23")).to.equal(15_123_000_000n);
      expect(fixedPoint("99.85")).to.equal(9_985_000_000n);
      expect(fixedPoint("0.00000001")).to.equal(1n);
      expect(fixedPoint("998500")).to.equal(99_850_000_000_000n);
      expect(formatFixedPoint(15_123_000_000n)).to.equal("151.23");
      expect(formatFixedPoint(99_850_000_000_000n)).to.equal("998500");
      expect(formatFixedPoint(1n)).to.equal("0.00000001");
    });

    it("refuses text that is not a non-negative decimal with at most 8 decimals", () => {
      for (const text of ["", "abc", "1.000000001", "-1", "1e3", "1,000"]) {
        expect(
          codeOf(() => fixedPoint(text)),
          text,
        ).to.equal("COLLATERAL_BAD_DECIMAL");
      }
    });
  });
});
