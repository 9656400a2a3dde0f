/**
 * Valuation (step 4 of the method): the value in yen of one unit of an instrument, today and in every scenario.
 *
 *   linear (future, bond, equity):  multiplier × V × FX
 *   option:                         multiplier × Black76(F, K, σ, τ, r) × FX,  τ = expiry_days / tradingDaysPerYear
 *                                   in every scenario (the holding period does not shorten it)
 *
 * FX is 1 for yen instruments, otherwise the value of the factor FX_<currency>.
 */
import { black76Discounted, black76Price } from "./black76.ts";
import type { Instrument, MarginParams } from "./types.ts";

/** A factor's value today and in every scenario (see scenarios.ts). */
export type FactorValues = {
  today(factor: string): number;
  scenarios(factor: string): Float64Array;
};

/** The factor holding an instrument's rate to yen, or undefined for a yen instrument. */
export function fxFactor(instrument: Instrument): string | undefined {
  return instrument.currency === "JPY" ? undefined : `FX_${instrument.currency}`;
}

/** Every factor an instrument's value depends on: its price (or forward), its FX rate, its volatility. */
export function factorsOf(instrument: Instrument): string[] {
  const fx = fxFactor(instrument);
  return [
    instrument.factor,
    ...(fx === undefined ? [] : [fx]),
    ...(instrument.type === "option" ? [instrument.volFactor] : []),
  ];
}

/** τ in years: business days to expiry / tradingDaysPerYear (0 for linear instruments). */
export function yearsToExpiry(instrument: Instrument, params: MarginParams): number {
  return instrument.type === "option" ? instrument.expiryDays / params.tradingDaysPerYear : 0;
}

/** The value in yen of one unit at the given factor values. */
export function unitValue(
  instrument: Instrument,
  price: number,
  fx: number,
  volatility: number,
  params: MarginParams,
): number {
  if (instrument.type !== "option") return instrument.multiplier * price * fx;
  const { optionType, strike, multiplier } = instrument;
  const option = black76Price(
    optionType,
    price,
    strike,
    volatility,
    yearsToExpiry(instrument, params),
    params.riskFreeRate,
  );
  return multiplier * option * fx;
}

/**
 * Writes one unit's P&L in every scenario (value in the scenario − value today) to `pnl[offset …]` and
 * returns its value today.
 */
export function instrumentPnl(
  instrument: Instrument,
  factors: FactorValues,
  params: MarginParams,
  pnl: Float64Array,
  offset: number,
): number {
  const fx = fxFactor(instrument);
  const fxToday = fx === undefined ? 1 : factors.today(fx);
  const fxScenarios = fx === undefined ? undefined : factors.scenarios(fx);
  const price = factors.scenarios(instrument.factor);
  const priceToday = factors.today(instrument.factor);
  const n = price.length;
  if (instrument.type !== "option") {
    const m = instrument.multiplier;
    const today = m * priceToday * fxToday;
    if (fxScenarios === undefined) for (let s = 0; s < n; s += 1) pnl[offset + s] = m * price[s]! - today;
    else for (let s = 0; s < n; s += 1) pnl[offset + s] = m * price[s]! * fxScenarios[s]! - today;
    return today;
  }
  const { optionType, strike, multiplier } = instrument;
  const vol = factors.scenarios(instrument.volFactor);
  const tau = yearsToExpiry(instrument, params);
  const rate = params.riskFreeRate;
  const today =
    multiplier *
    black76Price(optionType, priceToday, strike, factors.today(instrument.volFactor), tau, rate) *
    fxToday;
  // τ is the same in every scenario: √τ and the discount factor once, Black-76 in every scenario
  const call = optionType === "C";
  const sqrtTau = Math.sqrt(tau);
  const discount = Math.exp(-rate * tau);
  for (let s = 0; s < n; s += 1) {
    const value = multiplier * black76Discounted(call, price[s]!, strike, vol[s]! * sqrtTau, discount);
    pnl[offset + s] = (fxScenarios === undefined ? value : value * fxScenarios[s]!) - today;
  }
  return today;
}
