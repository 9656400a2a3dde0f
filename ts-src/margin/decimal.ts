/**
 * Exact decimal text to float64, read straight from UTF-8 bytes (no string is made): for every text of the plain
 * decimal grammar `[+-]?(d+[.d*]|.d+)([eE][+-]?d+)?` the result is exactly what `Number(text)` gives, that is
 * the float64 nearest to the decimal value (ties to even). Anything else, and the rare text this fast method
 * cannot decide, gives `NaN`, and the caller falls back to the strict string parser.
 *
 * Method. The significant digits (up to 19) form an integer M and the text a power of ten 10^e, so the value
 * is M × 10^e.
 * - Up to 15 digits and |e| ≤ 22, M and 10^|e| are exact float64s and one IEEE multiplication or division
 *   rounds their exact product or quotient correctly (Clinger's fast path). This reads short decimals.
 * - Otherwise (17-digit full-precision exports), M × 10^e is computed in double-double arithmetic (about 104
 *   bits) from a table of 10^e as an unevaluated sum hi + lo, which leaves an error below 2^−100 of the value.
 *   Its rounding to float64 is then certain unless the double-double value lies within about that error of a
 *   midpoint between two float64s (about one text in 2^45, and every exact tie): then the text goes to
 *   `Number()`. So do more than 19 significant digits and |e| > 100 (subnormal and huge values among them).
 */

import { twoProductError } from "./float.ts";

/** Powers of ten kept as double-double: 10^e ≈ HI[e + MAX_EXP] + LO[e + MAX_EXP], error below 2^−106 of it. */
const MAX_EXP = 100;
const POW_HI = new Float64Array(2 * MAX_EXP + 1);
const POW_LO = new Float64Array(2 * MAX_EXP + 1);
const POW_READY = new Uint8Array(2 * MAX_EXP + 1);

/** 10^0 … 10^22: exact in float64. */
const EXACT_POWERS = Array.from({ length: 23 }, (_, e) => 10 ** e);

const ZERO = 0x30;
const DOT = 0x2e;
const MINUS = 0x2d;
const PLUS = 0x2b;

/**
 * The float64 value of the decimal text in `bytes[start … end − 1]`, or NaN when the text is not a plain decimal
 * (or is one of the rare ones this method leaves to `Number()`; see the module comment).
 *
 * @example
 *   const bytes = new TextEncoder().encode("0.10000000000000001");
 *   parseDecimal(bytes, 0, bytes.length); // 0.1, as Number("0.10000000000000001")
 */
export function parseDecimal(bytes: Uint8Array, start: number, end: number): number {
  const value = readDecimal(bytes, start, end);
  return decimalEnd === end ? value : Number.NaN;
}

/** Where the last {@link readDecimal} stopped: the index of the first byte it did not read. */
export let decimalEnd = 0;

/**
 * Reads the longest plain decimal starting at `start` (stopping at the first byte that cannot continue it, at
 * most `end`) and sets {@link decimalEnd} to where it stopped: a CSV reader calls it at a field's start and
 * then checks that a comma or the line's end follows. NaN as {@link parseDecimal}.
 */
export function readDecimal(bytes: Uint8Array, start: number, end: number): number {
  let i = start;
  let negative = false;
  if (i < end && (bytes[i] === MINUS || bytes[i] === PLUS)) {
    negative = bytes[i] === MINUS;
    i += 1;
  }
  let high = 0; // the first 15 significant digits
  let low = 0; // digits 16 to 19
  let lowDigits = 0;
  let digits = 0; // significant digits read (leading zeros are not significant)
  let exponent = 0; // decimal exponent of the last digit read
  let seen = 0; // digits read, significant or not
  let fraction = false; // after the decimal point
  for (; i < end; i += 1) {
    if (bytes[i] === DOT && !fraction) {
      fraction = true;
      continue;
    }
    const d = bytes[i]! - ZERO;
    if (d < 0 || d > 9) break;
    seen += 1;
    if (fraction) exponent -= 1;
    if (digits === 0 && d === 0) continue; // a leading zero
    if (digits < 15) high = high * 10 + d;
    else if (digits < 19) {
      low = low * 10 + d;
      lowDigits += 1;
    } else return tooLong(i);
    digits += 1;
  }
  decimalEnd = i;
  if (seen === 0) return Number.NaN;
  if (i < end && (bytes[i]! | 0x20) === 0x65) {
    // e or E
    i += 1;
    let exponentNegative = false;
    if (i < end && (bytes[i] === MINUS || bytes[i] === PLUS)) {
      exponentNegative = bytes[i] === MINUS;
      i += 1;
    }
    let written = 0;
    let exponentDigits = 0;
    for (; i < end; i += 1) {
      const d = bytes[i]! - ZERO;
      if (d < 0 || d > 9) break;
      exponentDigits += 1;
      if (written < 100_000) written = written * 10 + d;
    }
    decimalEnd = i;
    if (exponentDigits === 0) return Number.NaN;
    exponent += exponentNegative ? -written : written;
  }
  if (digits === 0) return negative ? -0 : 0;
  const magnitude = lowDigits === 0 ? shortValue(high, exponent) : Number.NaN;
  const value = Number.isNaN(magnitude) ? longValue(high, low, lowDigits, exponent) : magnitude;
  return negative ? -value : value;
}

/** More than 19 significant digits: left to Number() (the text is not read to its end). */
function tooLong(at: number): number {
  decimalEnd = at;
  return Number.NaN;
}

/** Clinger's fast path: M < 10^15 and |e| ≤ 22, or NaN. */
function shortValue(m: number, e: number): number {
  if (e === 0) return m;
  if (e > 0 && e <= 22) return m * EXACT_POWERS[e]!;
  if (e < 0 && e >= -22) return m / EXACT_POWERS[-e]!;
  return Number.NaN;
}

/**
 * M × 10^e for M = high × 10^lowDigits + low in double-double arithmetic, rounded to float64 when that rounding
 * is certain; NaN otherwise.
 */
function longValue(high: number, low: number, lowDigits: number, e: number): number {
  if (e < -MAX_EXP || e > MAX_EXP) return Number.NaN;
  // M as double-double (mh, ml): high × 10^lowDigits exactly (two products), plus low.
  const scale = EXACT_POWERS[lowDigits]!;
  const a = high * scale;
  const aError = twoProductError(high, scale, a);
  const mh = a + low;
  const ml = low - (mh - a) + aError; // exact: |low| ≤ |a|
  const index = e + MAX_EXP;
  if (POW_READY[index] === 0) fillPower(e);
  const ph = POW_HI[index]!;
  const pl = POW_LO[index]!;
  const p = mh * ph;
  const t = twoProductError(mh, ph, p) + (mh * pl + ml * ph);
  const r = p + t;
  const residual = t - (r - p); // exact: the double-double value is r + residual
  return certainRounding(r, residual) ? r : Number.NaN;
}

/**
 * Whether every real within 2^−98 × r of r + residual rounds to r: then the true value (within 2^−100 × r of
 * it) does too. The floating-point additions decide it, ties and the narrower gap below a power of two
 * included. (r is a normal float64 far from overflow: |e| ≤ 100 and M < 10^19.)
 */
function certainRounding(r: number, residual: number): boolean {
  const margin = Math.abs(r) * 2 ** -98;
  return r + (residual + margin) === r && r + (residual - margin) === r;
}

/** Computes 10^e as double-double, exactly from integers (BigInt), the first time it is needed. */
function fillPower(e: number): void {
  const index = e + MAX_EXP;
  if (e >= 0) {
    const exact = 10n ** BigInt(e);
    const hi = Number(exact);
    POW_HI[index] = hi;
    POW_LO[index] = Number(exact - BigInt(hi));
  } else {
    // 2^shift / 10^−e has about 200 bits; scaling back by 2^−shift is exact in float64 for |e| ≤ MAX_EXP.
    const shift = 4 * -e + 130;
    const scaled = (1n << BigInt(shift)) / 10n ** BigInt(-e);
    const hi = Number(scaled);
    const factor = 2 ** -shift;
    POW_HI[index] = hi * factor;
    POW_LO[index] = Number(scaled - BigInt(hi)) * factor;
  }
  POW_READY[index] = 1;
}
