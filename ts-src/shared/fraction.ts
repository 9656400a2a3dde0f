/**
 * Exact rational arithmetic on bigints, for money maths that must not round until the end (fees, pro-rata
 * splits). Always normalised: denominator > 0, gcd(numerator, denominator) = 1.
 */
export class Fraction {
  readonly numerator: bigint;
  readonly denominator: bigint;

  constructor(numerator: bigint, denominator: bigint = 1n) {
    if (denominator === 0n) throw new RangeError("Fraction: denominator is zero");
    const sign = denominator < 0n ? -1n : 1n;
    const divisor = gcd(
      numerator < 0n ? -numerator : numerator,
      denominator < 0n ? -denominator : denominator,
    );
    this.numerator = (sign * numerator) / (divisor === 0n ? 1n : divisor);
    this.denominator = (sign * denominator) / (divisor === 0n ? 1n : divisor);
  }

  static readonly ZERO = new Fraction(0n);

  static of(value: bigint | number): Fraction {
    return new Fraction(BigInt(value));
  }

  add(other: Fraction): Fraction {
    return new Fraction(
      this.numerator * other.denominator + other.numerator * this.denominator,
      this.denominator * other.denominator,
    );
  }

  sub(other: Fraction): Fraction {
    return this.add(other.neg());
  }

  mul(other: Fraction | bigint): Fraction {
    const o = other instanceof Fraction ? other : new Fraction(other);
    return new Fraction(this.numerator * o.numerator, this.denominator * o.denominator);
  }

  div(other: Fraction | bigint): Fraction {
    const o = other instanceof Fraction ? other : new Fraction(other);
    return new Fraction(this.numerator * o.denominator, this.denominator * o.numerator);
  }

  neg(): Fraction {
    return new Fraction(-this.numerator, this.denominator);
  }

  abs(): Fraction {
    return this.numerator < 0n ? this.neg() : this;
  }

  sign(): -1 | 0 | 1 {
    return this.numerator < 0n ? -1 : this.numerator > 0n ? 1 : 0;
  }

  compare(other: Fraction): -1 | 0 | 1 {
    return this.sub(other).sign();
  }

  /** The largest integer ≤ this (rounds towards −∞). */
  floor(): bigint {
    const q = this.numerator / this.denominator;
    return this.numerator < 0n && q * this.denominator !== this.numerator ? q - 1n : q;
  }

  /** The smallest integer ≥ this. */
  ceil(): bigint {
    return -this.neg().floor();
  }

  /** Exact decimal text when the denominator divides a power of ten, else 12 decimals (truncated). */
  toString(): string {
    let scale = 0;
    let power = 1n;
    while (scale < 30 && power % this.denominator !== 0n) {
      scale += 1;
      power *= 10n;
    }
    const digits = scale < 30 ? scale : 12;
    const scaled = this.mul(10n ** BigInt(digits));
    const whole = scaled.numerator < 0n ? -(-scaled.numerator / scaled.denominator) : scaled.floor();
    const negative = whole < 0n || (whole === 0n && this.numerator < 0n);
    const text = (whole < 0n ? -whole : whole).toString().padStart(digits + 1, "0");
    const intPart = text.slice(0, text.length - digits);
    const fracPart = text.slice(text.length - digits);
    return `${negative ? "-" : ""}${intPart}${digits > 0 ? `.${fracPart}` : ""}`;
  }
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

const DECIMAL_TEXT = /^([+-]?)(\d+)(?:\.(\d+))?$/;
const INTEGER_TEXT = /^[+-]?\d+$/;

/** Parses a plain decimal string ("-0.001", "149.85", "12") exactly; undefined when it is not one. */
export function parseDecimal(text: string): Fraction | undefined {
  const match = DECIMAL_TEXT.exec(text);
  if (match === null) return undefined;
  const [, sign, whole, fraction = ""] = match;
  const numerator = BigInt(`${whole}${fraction}`) * (sign === "-" ? -1n : 1n);
  return new Fraction(numerator, 10n ** BigInt(fraction.length));
}

/** Parses an integer string ("123", "-5") to a bigint; undefined when it is not one. */
export function parseIntegerText(text: string): bigint | undefined {
  return INTEGER_TEXT.test(text) ? BigInt(text) : undefined;
}
