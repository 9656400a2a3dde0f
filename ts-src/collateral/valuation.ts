/**
 * The collateral escrow's valuation in pure TypeScript, exact to the yen: the same function as the contract's
 * (contracts/libraries/CollateralValuation.sol and `CollateralEscrow`), for the services that drive the escrow (a
 * margin service checking coverage, a participant's agent choosing what to post). Data in, data out: no clock (the
 * block time comes in as `now`), no chain access. A property test runs random inputs through both and compares them.
 *
 * Units (as on-chain):
 * - quantity: the token's base units (a yen coin with 0 decimals: yen; a dollar coin with 2: cents);
 * - price: of one whole token (10^decimals base units) in the asset's currency, × 10^8 (99.85 → 9,985,000,000);
 * - FX rate: yen per one unit of the currency, × 10^8 (151.23 → 15,123,000,000); the yen's is 10^8, fixed;
 * - haircut and concentration limit: basis points (10,000 = 100%).
 *
 * Rules:
 *   haircut value V = floor(quantity × price × fxRate × (10,000 − haircut) / 10^(decimals + 20)), rounded down
 *   once per asset; 0 for a delisted asset or a 100% haircut (no price needed);
 *   T = Σ V (before limits); an asset counts for min(V, floor(limit × T / 10,000));
 *   collateral value = Σ counted.
 * Bounds (as on-chain): quantity < 2^128, price < 2^96, FX rate < 2^64, decimals ≤ 18, at most 8 assets.
 */
import { parseDecimal } from "../shared/fraction.ts";
import { CollateralError } from "./errors.ts";

/** Basis points in 100%. */
export const BPS = 10_000n;
/** Decimals of a price and of an FX rate. */
export const PRICE_DECIMALS = 8;
/** One currency unit per token, or one yen per yen, at the price and FX scale. */
export const PRICE_ONE = 10n ** 8n;
/** The yen's ISO 4217 code: its FX rate is fixed at 1 and never stale. */
export const YEN = "JPY";
/** The most different assets one account holds. */
export const MAX_ASSETS_PER_ACCOUNT = 8;
/** Exclusive upper bounds of the inputs, as the escrow enforces them. */
export const BOUNDS = {
  quantity: 2n ** 128n,
  price: 2n ** 96n,
  fxRate: 2n ** 64n,
  requirement: 2n ** 80n,
  decimals: 18,
} as const;

/** An asset as the escrow's schedule and price board hold it (`assetInfo` on-chain). */
export interface ScheduledAsset {
  /** Eligible now; a delisted asset counts for nothing. */
  readonly listed: boolean;
  /** The token's decimals. */
  readonly decimals: number;
  /** ISO 4217 code of its currency. */
  readonly currency: string;
  readonly haircutBps: number;
  /** 1 to 10,000 (10,000: no limit). */
  readonly concentrationLimitBps: number;
  /** One whole token = one currency unit; no price needed. */
  readonly pricedAtPar: boolean;
  /** Seconds a price stays usable. */
  readonly maxPriceAge: bigint;
  /** × 10^-8 currency units per whole token (ignored at par). */
  readonly price: bigint;
  /** Unix seconds of the price's observation (0: never posted). */
  readonly priceTime: bigint;
}

/** A currency's FX rate to the yen as the price board holds it (`fxRateOf` on-chain). */
export interface FxRate {
  /** × 10^-8 yen per currency unit. */
  readonly rate: bigint;
  /** Unix seconds of the observation (0: never posted). */
  readonly time: bigint;
  /** Seconds the rate stays usable. */
  readonly maxAge: bigint;
}

/** The schedule and prices a valuation reads, and the time it is made at. */
export interface Market {
  /** By asset address, lower case (see {@link marketOf}). */
  readonly assets: ReadonlyMap<string, ScheduledAsset>;
  /** By currency code; the yen needs no entry. */
  readonly fxRates: ReadonlyMap<string, FxRate>;
  /** The block time of the valuation, unix seconds. */
  readonly now: bigint;
}

/** A holding of an account. */
export interface Holding {
  /** The token's address. */
  readonly asset: string;
  /** Base units. */
  readonly quantity: bigint;
}

/** One holding's part of an account's valuation. */
export interface AssetValuation {
  readonly asset: string;
  readonly quantity: bigint;
  /** Its haircut value in yen, before the concentration limit. */
  readonly haircutValue: bigint;
  /** The most it may count for: floor(limit × total before limits / 10,000). */
  readonly cap: bigint;
  /** What it counts for: min(haircutValue, cap). */
  readonly counted: bigint;
}

/** An account's collateral value and how it was reached. */
export interface AccountValuation {
  /** The collateral value in yen (what the escrow compares with the requirement). */
  readonly value: bigint;
  /** The sum of the haircut values, before the concentration limits. */
  readonly totalBeforeLimits: bigint;
  readonly assets: readonly AssetValuation[];
}

/** How an account stands against its requirement. */
export interface Coverage {
  readonly covered: boolean;
  /** requirement − value when short, else 0. */
  readonly shortfall: bigint;
  /** value − requirement when covered, else 0: what could be withdrawn, were every asset equal. */
  readonly excess: bigint;
}

/**
 * A market from lists: assets by address (any case), FX rates by currency code.
 *
 * @example
 *   const market = marketOf({ assets: [[jgbAddress, jgbInfo]], fxRates: [["USD", usdRate]], now: 1796140000n });
 */
export function marketOf(parameters: {
  assets: Iterable<readonly [string, ScheduledAsset]>;
  fxRates?: Iterable<readonly [string, FxRate]>;
  now: bigint;
}): Market {
  const assets = new Map<string, ScheduledAsset>();
  for (const [address, asset] of parameters.assets) assets.set(address.toLowerCase(), asset);
  return { assets, fxRates: new Map(parameters.fxRates ?? []), now: parameters.now };
}

/**
 * The haircut value in yen of `quantity` base units, rounded down: the escrow's formula.
 *
 * @example
 *   // 1,000 JGB units (0 decimals) at 99.85 (998,500 yen per unit), 2% haircut: 978,530,000 yen.
 *   haircutValue({ quantity: 1_000n, price: 998_500n * PRICE_ONE, fxRate: PRICE_ONE, haircutBps: 200, decimals: 0 });
 */
export function haircutValue(parameters: {
  quantity: bigint;
  price: bigint;
  fxRate: bigint;
  haircutBps: number;
  decimals: number;
}): bigint {
  const { quantity, price, fxRate, haircutBps, decimals } = parameters;
  checkBound("quantity", quantity, BOUNDS.quantity);
  checkBound("price", price, BOUNDS.price);
  checkBound("fxRate", fxRate, BOUNDS.fxRate);
  if (!Number.isInteger(haircutBps) || haircutBps < 0 || haircutBps > Number(BPS)) {
    throw outOfBounds("haircutBps", BigInt(Math.trunc(haircutBps)), BPS + 1n);
  }
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > BOUNDS.decimals) {
    throw outOfBounds("decimals", BigInt(Math.trunc(decimals)), BigInt(BOUNDS.decimals + 1));
  }
  return (quantity * price * fxRate * (BPS - BigInt(haircutBps))) / 10n ** BigInt(decimals + 20);
}

/**
 * Applies the concentration limits: each value counts for at most floor(limit × Σ values / 10,000).
 * Returns the counted value of each and their sum.
 *
 * @example
 *   applyLimits([100n, 300n, 600n], [10_000, 2_500, 5_000]);
 *   // { total: 1000n, caps: [1000n, 250n, 500n], counted: [100n, 250n, 500n], value: 850n }
 */
export function applyLimits(
  values: readonly bigint[],
  limitsBps: readonly number[],
): { counted: bigint[]; caps: bigint[]; total: bigint; value: bigint } {
  const total = values.reduce((sum, v) => sum + v, 0n);
  const caps = limitsBps.map((limit) => (BigInt(limit) * total) / BPS);
  const counted = values.map((v, i) => (v < caps[i]! ? v : caps[i]!));
  return { counted, caps, total, value: counted.reduce((sum, v) => sum + v, 0n) };
}

/**
 * The haircut value in yen of `quantity` of `asset` on its own (no concentration limit), as the escrow's
 * `haircutValueOf`: 0 for a delisted asset or a 100% haircut; a stale price or FX rate throws
 * {@link CollateralError} (`COLLATERAL_STALE_PRICE`, `COLLATERAL_STALE_FX_RATE`).
 *
 * @example
 *   assetHaircutValue(market, dollarCoin, 1_000_000n); // $10,000.00 at 150.00, less 3%: 1_455_000n yen
 */
export function assetHaircutValue(market: Market, asset: string, quantity: bigint): bigint {
  const scheduled = scheduledAsset(market, asset);
  if (!scheduled.listed || scheduled.haircutBps === Number(BPS)) return 0n;
  return haircutValue({
    quantity,
    price: usablePrice(market, asset, scheduled),
    fxRate: usableFxRate(market, scheduled.currency),
    haircutBps: scheduled.haircutBps,
    decimals: scheduled.decimals,
  });
}

/**
 * The market value in yen of `quantity` of `asset`, before any haircut, rounded down: what the report shows beside the
 * collateral value, and what the fee schedule's market-value fees are charged on. Needs a usable price and FX rate
 * even for a delisted asset (throws {@link CollateralError} as {@link assetHaircutValue} does).
 *
 * @example
 *   assetMarketValue(market, jgb, 10n); // 10 JGB units at 998,500 yen: 9_985_000n
 */
export function assetMarketValue(market: Market, asset: string, quantity: bigint): bigint {
  const scheduled = scheduledAsset(market, asset);
  return haircutValue({
    quantity,
    price: usablePrice(market, asset, scheduled),
    fxRate: usableFxRate(market, scheduled.currency),
    haircutBps: 0,
    decimals: scheduled.decimals,
  });
}

/**
 * The price (× 10^8, 10^8 at par) and the FX rate to the yen (× 10^8) a valuation of `asset` uses now, refusing a
 * stale one as the escrow does.
 *
 * @example
 *   const { price, fxRate } = usableQuote(market, ust); // 985 × 10^8 dollars, 150 × 10^8 yen per dollar
 */
export function usableQuote(market: Market, asset: string): { price: bigint; fxRate: bigint } {
  const scheduled = scheduledAsset(market, asset);
  return {
    price: usablePrice(market, asset, scheduled),
    fxRate: usableFxRate(market, scheduled.currency),
  };
}

/**
 * An account's collateral value: each holding's haircut value, then the concentration limits, exactly as the
 * escrow computes it. Throws {@link CollateralError} when a price or rate it needs is stale, or an asset or currency
 * is unknown.
 *
 * @example
 *   const { value } = valueAccount(market, [{ asset: yenCoin, quantity: 500_000_000n }]);
 *   const { covered, shortfall } = coverage(value, requirement);
 */
export function valueAccount(market: Market, holdings: readonly Holding[]): AccountValuation {
  if (holdings.length > MAX_ASSETS_PER_ACCOUNT) {
    throw outOfBounds("holdings", BigInt(holdings.length), BigInt(MAX_ASSETS_PER_ACCOUNT + 1));
  }
  const values = holdings.map((h) => assetHaircutValue(market, h.asset, h.quantity));
  const limits = holdings.map((h) => scheduledAsset(market, h.asset).concentrationLimitBps);
  const { counted, caps, total, value } = applyLimits(values, limits);
  return {
    value,
    totalBeforeLimits: total,
    assets: holdings.map((h, i) => ({
      asset: h.asset,
      quantity: h.quantity,
      haircutValue: values[i]!,
      cap: caps[i]!,
      counted: counted[i]!,
    })),
  };
}

/**
 * How a value stands against a requirement (both yen).
 *
 * @example
 *   coverage(900n, 1_000n); // { covered: false, shortfall: 100n, excess: 0n }
 */
export function coverage(value: bigint, requirement: bigint): Coverage {
  return value >= requirement
    ? { covered: true, shortfall: 0n, excess: value - requirement }
    : { covered: false, shortfall: requirement - value, excess: 0n };
}

/**
 * The smallest quantity of `asset` whose haircut value on its own is at least `target` yen, or `undefined` when no
 * quantity reaches it (a delisted asset, a 100% haircut). Concentration limits are not applied: an agent checks the
 * account's whole valuation with the quantity added ({@link valueAccount}).
 *
 * @example
 *   quantityForValue(market, jgb, 10_000_000n); // JGB units to post for a 10 million yen shortfall
 */
export function quantityForValue(market: Market, asset: string, target: bigint): bigint | undefined {
  if (target <= 0n) return 0n;
  const scheduled = scheduledAsset(market, asset);
  if (!scheduled.listed || scheduled.haircutBps === Number(BPS)) return undefined;
  const perWholeScaled =
    usablePrice(market, asset, scheduled) *
    usableFxRate(market, scheduled.currency) *
    (BPS - BigInt(scheduled.haircutBps));
  if (perWholeScaled === 0n) return undefined;
  // V(q) = floor(q × k / D) with k = perWholeScaled, D = 10^(decimals + 20): V(q) >= target ⇔ q × k >= target × D.
  const denominator = 10n ** BigInt(scheduled.decimals + 20);
  const quantity = (target * denominator + perWholeScaled - 1n) / perWholeScaled;
  return quantity < BOUNDS.quantity ? quantity : undefined;
}

/**
 * A decimal price or rate ("99.85", "151.23") at the 10^8 scale, exactly; throws `COLLATERAL_BAD_DECIMAL` on text
 * that is not a non-negative decimal number with at most 8 decimals.
 *
 * @example
 *   fixedPoint("151.23"); // 15_123_000_000n
 */
export function fixedPoint(text: string): bigint {
  const parsed = parseDecimal(text);
  const scaled = parsed?.mul(PRICE_ONE);
  if (parsed === undefined || scaled === undefined || scaled.sign() < 0 || scaled.denominator !== 1n) {
    throw new CollateralError("COLLATERAL_BAD_DECIMAL", `not a decimal with at most 8 decimals: "${text}"`, {
      text,
    });
  }
  return scaled.numerator;
}

/**
 * A 10^8-scaled price or rate as decimal text, without trailing zeros.
 *
 * @example
 *   formatFixedPoint(15_123_000_000n); // "151.23"
 */
export function formatFixedPoint(value: bigint): string {
  const whole = value / PRICE_ONE;
  const rest = (value % PRICE_ONE).toString().padStart(PRICE_DECIMALS, "0").replace(/0+$/, "");
  return rest === "" ? whole.toString() : `${whole}.${rest}`;
}

// ---------------------------------------------------------------------------------------------------------------

function scheduledAsset(market: Market, asset: string): ScheduledAsset {
  const scheduled = market.assets.get(asset.toLowerCase());
  if (scheduled === undefined) {
    throw new CollateralError("COLLATERAL_UNKNOWN_ASSET", `asset ${asset} is not in the schedule`, { asset });
  }
  return scheduled;
}

/** The price of a whole token (10^8 at par), refusing a stale one as the escrow does. */
function usablePrice(market: Market, asset: string, scheduled: ScheduledAsset): bigint {
  if (scheduled.pricedAtPar) return PRICE_ONE;
  const { priceTime: time, maxPriceAge: maxAge, price } = scheduled;
  if (isStale(time, maxAge, market.now)) {
    throw new CollateralError("COLLATERAL_STALE_PRICE", `the price of ${asset} is stale`, {
      asset,
      time,
      maxAge,
      now: market.now,
    });
  }
  return price;
}

/** The FX rate of a currency to the yen (10^8 for the yen), refusing a stale one as the escrow does. */
function usableFxRate(market: Market, currency: string): bigint {
  if (currency === YEN) return PRICE_ONE;
  const fx = market.fxRates.get(currency);
  if (fx === undefined) {
    throw new CollateralError("COLLATERAL_UNKNOWN_CURRENCY", `no FX rate for ${currency}`, { currency });
  }
  if (isStale(fx.time, fx.maxAge, market.now)) {
    throw new CollateralError("COLLATERAL_STALE_FX_RATE", `the ${currency} FX rate is stale`, {
      currency,
      time: fx.time,
      maxAge: fx.maxAge,
      now: market.now,
    });
  }
  return fx.rate;
}

function isStale(time: bigint, maxAge: bigint, now: bigint): boolean {
  return time === 0n || now - time > maxAge;
}

function checkBound(name: string, value: bigint, bound: bigint): void {
  if (value < 0n || value >= bound) throw outOfBounds(name, value, bound);
}

function outOfBounds(name: string, value: bigint, bound: bigint): CollateralError {
  return new CollateralError("COLLATERAL_OUT_OF_BOUNDS", `${name} ${value} is outside [0, ${bound})`, {
    name,
    value,
    bound,
  });
}
