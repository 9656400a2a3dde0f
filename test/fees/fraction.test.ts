/** Exact fractions used by the fee maths. */
import { expect } from "chai";

import { Fraction, parseDecimal, parseIntegerText } from "../../ts-src/shared/fraction.ts";

describe("shared: fractions", () => {
  it("normalises and does exact arithmetic", () => {
    const a = new Fraction(6n, -4n);
    expect([a.numerator, a.denominator]).to.deep.equal([-3n, 2n]);
    expect(a.add(new Fraction(1n, 2n)).toString()).to.equal("-1");
    expect(new Fraction(1n, 3n).mul(3n).toString()).to.equal("1");
    expect(new Fraction(1n, 3n).div(new Fraction(2n)).toString()).to.equal("0.166666666666");
  });

  it("floors towards −∞ and ceils towards +∞", () => {
    expect(new Fraction(7n, 2n).floor()).to.equal(3n);
    expect(new Fraction(-7n, 2n).floor()).to.equal(-4n);
    expect(new Fraction(-7n, 2n).ceil()).to.equal(-3n);
    expect(new Fraction(-8n, 2n).floor()).to.equal(-4n);
  });

  it("parses decimal and integer text exactly, and refuses anything else", () => {
    expect(parseDecimal("-0.001")!.toString()).to.equal("-0.001");
    expect(parseDecimal("149.85")!.mul(100n).toString()).to.equal("14985");
    for (const bad of ["", "1e3", "0x10", "1,000", "-0.1%", ".5"])
      expect(parseDecimal(bad)).to.equal(undefined);
    expect(parseIntegerText("-12")).to.equal(-12n);
    expect(parseIntegerText("1.0")).to.equal(undefined);
  });

  it("refuses a zero denominator", () => {
    expect(() => new Fraction(1n, 0n)).to.throw(RangeError);
  });
});
