/**
 * Error-free transformations of float64 arithmetic (Dekker 1971, Knuth's two-sum): the exact rounding error of
 * a sum or a product, so that a sum of products can be carried as an unevaluated pair hi + lo (double-double,
 * about 106 bits) and rounded once at the end.
 */

/** 2^27 + 1: Dekker's splitter, which cuts a float64 into two halves of 26 bits. */
export const SPLITTER = 134217729;

/** The high half of Dekker's split of `a` (a = high + (a − high), each half exactly 26 bits or fewer). */
export function splitHigh(a: number): number {
  const c = SPLITTER * a;
  return c - (c - a);
}

/** a × b − p exactly, where p = fl(a × b) (no overflow); Dekker's product, no fused multiply-add needed. */
export function twoProductError(a: number, b: number, p: number): number {
  const ah = splitHigh(a);
  const al = a - ah;
  const bh = splitHigh(b);
  const bl = b - bh;
  return ah * bh - p + ah * bl + al * bh + al * bl;
}

/** a + b − s exactly, where s = fl(a + b) (Knuth's two-sum: no condition on the magnitudes). */
export function twoSumError(a: number, b: number, s: number): number {
  const bb = s - a;
  return a - (s - bb) + (b - bb);
}

/**
 * A running sum of products Σ q·x carried as double-double: exact but for about one part in 2^104, then rounded
 * once. The value is `hi + lo`.
 */
export class ExactSum {
  hi = 0;
  lo = 0;

  /** Adds q × x (the error-free transformations written out: no call returns a number to box). */
  addProduct(q: number, x: number): void {
    const p = q * x;
    const qc = SPLITTER * q;
    const qh = qc - (qc - q);
    const ql = q - qh;
    const xc = SPLITTER * x;
    const xh = xc - (xc - x);
    const xl = x - xh;
    const productError = qh * xh - p + qh * xl + ql * xh + ql * xl;
    const before = this.hi;
    const s = before + p;
    const b = s - before;
    this.lo += before - (s - b) + (p - b) + productError;
    this.hi = s;
  }

  /** Adds a float64. */
  add(value: number): void {
    const before = this.hi;
    const s = before + value;
    const b = s - before;
    this.lo += before - (s - b) + (value - b);
    this.hi = s;
  }

  /** The sum divided by d > 0, rounded once to float64. */
  quotient(d: number): number {
    const q = this.hi / d;
    const p = q * d;
    const remainder = this.hi - p - twoProductError(q, d, p) + this.lo; // (hi + lo) − q·d
    return q + remainder / d;
  }

  /** The sum, rounded to float64. */
  value(): number {
    return this.hi + this.lo;
  }

  reset(): void {
    this.hi = 0;
    this.lo = 0;
  }
}
