/**
 * Black-76 prices of European options on a forward, with a standard normal CDF whose absolute error is
 * below 1e-15 everywhere (relative error below 1e-13 in the tails). Pure functions of numbers.
 *
 * erfc, the root of the CDF, is computed two ways: {@link erfcReference}, from its power series (|z| < 2) and
 * its continued fraction (|z| ≥ 2), accurate but slow near z = 2 (tens of terms); and {@link erfc}, the one
 * used, from a table of Taylor expansions about the points z_i = i/128 up to 6, exact in form:
 * erfc⁽ⁿ⁾(z) = (−1)ⁿ (2/√π) Hₙ₋₁(z) e^(−z²) (Hermite polynomials), anchored on the reference values erfc(z_i),
 * to degree 9 (|z − z_i| ≤ 1/256 leaves a remainder below 1e-17 of erfc), evaluated by Estrin's scheme;
 * beyond 6 the continued fraction, which converges there in a few terms. A Black-76 price takes two of them, in every scenario of every
 * option, so this is most of the cost of valuing options.
 */

const TWO_OVER_SQRT_PI = 1.1283791670955126; // 2/√π
const ONE_OVER_SQRT_PI = 0.5641895835477563; // 1/√π
const SQRT1_2 = Math.SQRT1_2;

/**
 * erf(z) for 0 ≤ z < 2 from the series erf(z) = (2/√π) e^(−z²) Σ_{n≥0} 2ⁿ z^(2n+1) / (2n+1)!!, whose
 * terms are all positive (no cancellation).
 */
function erfSeries(z: number): number {
  const z2 = z * z;
  let term = z;
  let sum = z;
  for (let n = 1; n < 200; n += 1) {
    term *= (2 * z2) / (2 * n + 1);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return TWO_OVER_SQRT_PI * Math.exp(-z2) * sum;
}

/**
 * erfc(z) for z ≥ 2 from the continued fraction
 * erfc(z) = e^(−z²)/√π · 1/(z + (1/2)/(z + 1/(z + (3/2)/(z + 2/(z + …))))), evaluated by modified Lentz.
 */
function erfcContinuedFraction(z: number, terms = 2000): number {
  const tiny = 1e-300;
  let f = z;
  let c = z;
  let d = 0;
  for (let n = 1; n < terms; n += 1) {
    const a = n / 2;
    d = z + a * d;
    d = d === 0 ? tiny : 1 / d;
    c = z + a / c;
    if (c === 0) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) <= Number.EPSILON) break;
  }
  return (ONE_OVER_SQRT_PI * Math.exp(-z * z)) / f;
}

/** erfc(z) from the power series and the continued fraction: the reference the fast table is built from. */
export function erfcReference(z: number): number {
  if (Number.isNaN(z)) return Number.NaN;
  const a = Math.abs(z);
  const upper = a < 2 ? 1 - erfSeries(a) : erfcContinuedFraction(a);
  return z >= 0 ? upper : 2 - upper;
}

const STEPS_PER_UNIT = 128;
const TABLE_END = 6;
const DEGREE = 9;

/** Taylor coefficients of erfc about z_i = i/128: `TAYLOR[i × (DEGREE + 1) + n]` = erfc⁽ⁿ⁾(z_i) / n!. */
const TAYLOR = buildTaylorTable();

function buildTaylorTable(): Float64Array {
  const nodes = TABLE_END * STEPS_PER_UNIT + 1;
  const table = new Float64Array(nodes * (DEGREE + 1));
  for (let i = 0; i < nodes; i += 1) {
    const z = i / STEPS_PER_UNIT;
    const base = i * (DEGREE + 1);
    // The anchors from 1 on from the continued fraction, run to convergence (under 200 terms; about 10 ms for
    // the whole table, once per thread): 1 − (the series) loses relative accuracy as erfc falls towards 2.
    table[base] = z < 1 ? erfcReference(z) : erfcContinuedFraction(z, 100_000);
    const scale = TWO_OVER_SQRT_PI * Math.exp(-z * z);
    // H₀ = 1, H₁ = 2z, Hₖ₊₁ = 2z Hₖ − 2k Hₖ₋₁;  coefficient n uses Hₙ₋₁, with the sign (−1)ⁿ and 1/n!
    let previous = 0;
    let hermite = 1;
    let factorial = 1;
    for (let n = 1; n <= DEGREE; n += 1) {
      factorial *= n;
      table[base + n] = ((n % 2 === 0 ? 1 : -1) * scale * hermite) / factorial;
      const next = 2 * z * hermite - 2 * (n - 1) * previous;
      previous = hermite;
      hermite = next;
    }
  }
  return table;
}

/**
 * The complementary error function erfc(z) = 1 − erf(z).
 *
 * @example
 *   erfc(1); // 0.15729920705028513
 */
export function erfc(z: number): number {
  if (Number.isNaN(z)) return Number.NaN;
  const a = Math.abs(z);
  let upper: number;
  if (a < TABLE_END) {
    const i = Math.round(a * STEPS_PER_UNIT);
    const t = a - i / STEPS_PER_UNIT;
    const b = i * (DEGREE + 1);
    // Estrin's scheme: the degree-9 polynomial in four levels of independent multiply-adds, not nine in a row
    const t2 = t * t;
    const t4 = t2 * t2;
    const low =
      TAYLOR[b]! +
      TAYLOR[b + 1]! * t +
      t2 * (TAYLOR[b + 2]! + TAYLOR[b + 3]! * t) +
      t4 * (TAYLOR[b + 4]! + TAYLOR[b + 5]! * t + t2 * (TAYLOR[b + 6]! + TAYLOR[b + 7]! * t));
    upper = low + t4 * t4 * (TAYLOR[b + 8]! + TAYLOR[b + 9]! * t);
  } else {
    upper = erfcContinuedFraction(a);
  }
  return z >= 0 ? upper : 2 - upper;
}

/** Standard normal cumulative distribution function Φ(x) = erfc(−x/√2)/2. */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x * SQRT1_2);
}

export type Black76Input = {
  optionType: "C" | "P";
  /** Forward (futures) price F > 0. */
  forward: number;
  /** Strike K > 0. */
  strike: number;
  /** Annualised volatility σ ≥ 0. */
  volatility: number;
  /** Time to expiry in years τ ≥ 0. */
  tau: number;
  /** Continuously compounded discount rate r. */
  rate: number;
};

/**
 * Black-76 price: call = e^(−rτ)(F Φ(d1) − K Φ(d2)), put = e^(−rτ)(K Φ(−d2) − F Φ(−d1)), with
 * d1 = (ln(F/K) + σ²τ/2)/(σ√τ), d2 = d1 − σ√τ. With σ√τ = 0 the price is the discounted intrinsic value.
 *
 * @example
 *   black76({ optionType: "C", forward: 100, strike: 100, volatility: 0.2, tau: 1, rate: 0 }); // 7.965567455405804
 */
export function black76(input: Black76Input): number {
  return black76Price(input.optionType, input.forward, input.strike, input.volatility, input.tau, input.rate);
}

/** {@link black76} with positional arguments, for the scenario loop (no object per call). */
export function black76Price(
  optionType: "C" | "P",
  f: number,
  k: number,
  volatility: number,
  tau: number,
  rate: number,
): number {
  return black76Discounted(optionType === "C", f, k, volatility * Math.sqrt(tau), Math.exp(-rate * tau));
}

/**
 * Black-76 with σ√τ (`sd`) and the discount factor e^(−rτ) given: the scenario loop computes them once per
 * option, as τ is the same in every scenario.
 */
export function black76Discounted(call: boolean, f: number, k: number, sd: number, discount: number): number {
  if (sd === 0) {
    const intrinsic = call ? f - k : k - f;
    return intrinsic > 0 ? discount * intrinsic : 0;
  }
  const d1 = (Math.log(f / k) + 0.5 * sd * sd) / sd;
  const d2 = d1 - sd;
  return call
    ? discount * (f * normalCdf(d1) - k * normalCdf(d2))
    : discount * (k * normalCdf(-d2) - f * normalCdf(-d1));
}
