/**
 * Statistics of a margin backtest: does the margin cover what it should?
 *
 * - Coverage ratio: the share of observations whose loss stayed within the margin.
 * - Kupiec's proportion-of-failures test (Kupiec 1995): the likelihood ratio of the observed exception rate
 *   against the expected one, LR = −2 ln[(1−p)^(n−x) p^x] + 2 ln[(1−x/n)^(n−x) (x/n)^x], χ² with one degree of
 *   freedom under the hypothesis that the rate is p; its p-value is erfc(√(LR/2)).
 * - The Basel traffic light (Basel Committee 1996, supervisory framework for backtesting): with exceptions
 *   counted against 99% coverage, green while the binomial probability of that many exceptions or fewer is
 *   below 95%, amber below 99.99%, red from there: for 250 observations, green 0–4, amber 5–9, red 10 or more.
 * - The VaR-equivalent level of an ES confidence α: the β whose normal VaR equals the normal ES at α,
 *   Φ⁻¹(β) = φ(Φ⁻¹(α)) / (1 − α). ES at 97.5% ⇔ VaR at 99.03%, the Basel Committee's "broadly similar level"
 *   to 99% VaR (minimum capital requirements for market risk, 2016).
 */
import { erfc, normalCdf } from "./black76.ts";

/** The Basel traffic-light zones. */
export type Zone = "green" | "amber" | "red";

/** Basel's coverage level for the traffic light. */
export const TRAFFIC_LIGHT_COVERAGE = 0.99;

/** Standard normal density φ(x). */
function normalDensity(x: number): number {
  return Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
}

/**
 * Φ⁻¹(p) for 0 < p < 1: bisection to bracket it, then Newton steps on Φ (which is accurate to 1e-15).
 *
 * @example
 *   normalQuantile(0.975); // 1.959963984540054
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile needs 0 < p < 1, got ${p}`);
  let lo = -40;
  let hi = 40;
  for (let i = 0; i < 60; i += 1) {
    const mid = (lo + hi) / 2;
    if (normalCdf(mid) < p) lo = mid;
    else hi = mid;
  }
  let x = (lo + hi) / 2;
  for (let i = 0; i < 3; i += 1) {
    const density = normalDensity(x);
    if (density === 0) break;
    x -= (normalCdf(x) - p) / density;
  }
  return x;
}

/**
 * The VaR level β equivalent to ES at α under normality: Φ⁻¹(β) = φ(Φ⁻¹(α)) / (1 − α).
 *
 * @example
 *   varEquivalentLevel(0.975); // 0.99030…
 */
export function varEquivalentLevel(esConfidence: number): number {
  const z = normalQuantile(esConfidence);
  return normalCdf(normalDensity(z) / (1 - esConfidence));
}

/** x ln y with 0 ln 0 = 0. */
function xLogY(x: number, y: number): number {
  return x === 0 ? 0 : x * Math.log(y);
}

/**
 * Kupiec's proportion-of-failures test of `exceptions` in `observations` against the expected rate `rate`: the
 * likelihood-ratio statistic and its p-value (χ², one degree of freedom).
 *
 * @example
 *   kupiec(250, 2, 0.01); // { statistic: 0.1084…, pValue: 0.742… }
 */
export function kupiec(
  observations: number,
  exceptions: number,
  rate: number,
): { statistic: number; pValue: number } {
  if (observations === 0) return { statistic: 0, pValue: 1 };
  const n = observations;
  const x = exceptions;
  const observed = x / n;
  const statistic = Math.max(
    0,
    -2 * (xLogY(n - x, 1 - rate) + xLogY(x, rate)) + 2 * (xLogY(n - x, 1 - observed) + xLogY(x, observed)),
  );
  return { statistic, pValue: erfc(Math.sqrt(statistic / 2)) };
}

/**
 * P(X ≤ x) for X binomial(n, p), summed in log space (n can be the millions of a pooled backtest).
 *
 * @example
 *   binomialCdf(4, 250, 0.01); // 0.8922…
 */
export function binomialCdf(x: number, n: number, p: number): number {
  if (x < 0) return 0;
  if (x >= n) return 1;
  let logTerm = n * Math.log1p(-p); // log P(X = 0)
  let logSum = logTerm;
  const ratio = Math.log(p) - Math.log1p(-p);
  for (let i = 0; i < x; i += 1) {
    logTerm += Math.log((n - i) / (i + 1)) + ratio; // P(X = i + 1) from P(X = i)
    logSum =
      logTerm > logSum
        ? logTerm + Math.log1p(Math.exp(logSum - logTerm))
        : logSum + Math.log1p(Math.exp(logTerm - logSum));
  }
  return Math.min(1, Math.exp(logSum));
}

/**
 * The Basel traffic-light zone of `exceptions` in `observations` at 99% coverage.
 *
 * @example
 *   trafficLight(250, 4); // "green"
 *   trafficLight(250, 5); // "amber"
 *   trafficLight(250, 10); // "red"
 */
export function trafficLight(observations: number, exceptions: number): Zone {
  const cumulative = binomialCdf(exceptions, observations, 1 - TRAFFIC_LIGHT_COVERAGE);
  return cumulative < 0.95 ? "green" : cumulative < 0.9999 ? "amber" : "red";
}
