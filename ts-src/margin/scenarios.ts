/**
 * Scenarios (steps 1–3 of the method): each factor's returns over its holding period, filtered by EWMA
 * volatility (filtered historical simulation), applied to the as-of value, then the stress shocks appended.
 *
 *   r_t = ln(V_t / V_{t−h})   (rate factors: V_t − V_{t−h}), for the L days t = T−L+1 … T
 *   s² = (1/L) Σ r_t²;  σ²_t = λ σ²_{t−1} + (1−λ) r_t²  (σ²_{t−1} = s² for the first t);  r̃_t = r_t σ_T / σ_t
 *   scenario value V_T exp(r̃_t)   (rate factors: V_T + r̃_t); stress: V_T exp(shock)   (rate: V_T + shock)
 */
import type { FactorKind } from "./types.ts";

/**
 * Step 1: the returns over the holding period h ending on rows `first … last` of a factor's series
 * (`result[i]` ends on row `first + i`); rows before `first − h` are not read.
 */
export function holdingPeriodReturns(
  values: ArrayLike<number>,
  kind: FactorKind,
  holdingPeriod: number,
  first: number,
  last: number,
  returns: Float64Array = new Float64Array(last - first + 1),
): Float64Array {
  for (let t = first; t <= last; t += 1) {
    const now = values[t]!;
    const before = values[t - holdingPeriod]!;
    returns[t - first] = kind === "rate" ? now - before : Math.log(now / before);
  }
  return returns;
}

/**
 * Steps 2–3 on one window: the EWMA-filtered returns r̃_t = r_t σ_T / σ_t of the `length` returns
 * `returns[from … from + length − 1]` (0 where σ_t = 0), written to `out`.
 */
export function ewmaFilter(
  returns: ArrayLike<number>,
  from: number,
  length: number,
  lambda: number,
  out: Float64Array = new Float64Array(length),
): Float64Array {
  let sumSquares = 0;
  for (let i = 0; i < length; i += 1) {
    const r = returns[from + i]!;
    sumSquares += r * r;
  }
  // σ_t is kept in `out` until σ_T is known, then replaced by the filtered return.
  let variance = sumSquares / length;
  for (let i = 0; i < length; i += 1) {
    const r = returns[from + i]!;
    variance = lambda * variance + (1 - lambda) * r * r;
    out[i] = Math.sqrt(variance);
  }
  const sigmaT = out[length - 1]!;
  for (let i = 0; i < length; i += 1) {
    const sigma = out[i]!;
    out[i] = sigma === 0 ? 0 : (returns[from + i]! * sigmaT) / sigma;
  }
  return out;
}

/**
 * Steps 1–3 for one factor as of its last value: the L filtered returns.
 *
 * @param values the factor's series, oldest first; the last value is the as-of day T
 * @example
 *   filteredReturns([0, 0.25, -0.5], "rate", 1, 2, 0.5); // [0.25 × √2, −0.75]
 */
export function filteredReturns(
  values: ArrayLike<number>,
  kind: FactorKind,
  holdingPeriod: number,
  lookbackDays: number,
  lambda: number,
): Float64Array {
  const last = values.length - 1;
  const returns = holdingPeriodReturns(values, kind, holdingPeriod, last - lookbackDays + 1, last);
  return ewmaFilter(returns, 0, lookbackDays, lambda);
}

/**
 * A factor's value in every scenario: the L historical ones from the filtered returns, then one per stress
 * shock, each applied to today's value (`out` must hold filtered.length + shocks.length values).
 */
export function scenarioValues(
  today: number,
  kind: FactorKind,
  filtered: ArrayLike<number>,
  shocks: ArrayLike<number>,
  out: Float64Array = new Float64Array(filtered.length + shocks.length),
): Float64Array {
  const historical = filtered.length;
  if (kind === "rate") {
    for (let s = 0; s < historical; s += 1) out[s] = today + filtered[s]!;
    for (let j = 0; j < shocks.length; j += 1) out[historical + j] = today + shocks[j]!;
  } else {
    for (let s = 0; s < historical; s += 1) out[s] = today * Math.exp(filtered[s]!);
    for (let j = 0; j < shocks.length; j += 1) out[historical + j] = today * Math.exp(shocks[j]!);
  }
  return out;
}
