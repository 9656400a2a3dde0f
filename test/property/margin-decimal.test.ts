/**
 * Market data is read exactly: every value the loader reads equals `Number(text)`. Checked on random doubles
 * (subnormals, extremes, signs, −0) written every way a data vendor or a language writes them (shortest round
 * trip as Python's repr and JavaScript's String, 17 and fewer significant digits, exponent and fixed forms),
 * on decimals within a few units of the midpoint between two doubles (where rounding is hardest), on random
 * decimal text, and through the whole market.csv reader with its file cut into ranges anywhere.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import fc from "fast-check";

import { parseMarketRange } from "../../ts-src/margin/chunks.ts";
import { parseDecimal } from "../../ts-src/margin/decimal.ts";
import { readLineBlocks, type FileRange } from "../../ts-src/margin/ranges.ts";
import { propertyParameters } from "../support/fast-check.ts";

const encoder = new TextEncoder();
const GRAMMAR = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** parseDecimal on the text's bytes (NaN: the loader then asks the strict parser, i.e. Number(text)). */
function fast(text: string): number {
  const bytes = encoder.encode(text);
  return parseDecimal(bytes, 0, bytes.length);
}

/** What the loader reads: the fast value, or Number(text) where the fast path declines. */
function loaderValue(text: string): number {
  const value = fast(text);
  return Number.isNaN(value) ? Number(text) : value;
}

/** The ways a float64 is commonly written. */
function writings(x: number): string[] {
  const texts = [String(x), x.toPrecision(17), x.toPrecision(16), x.toPrecision(15), x.toPrecision(21)];
  for (const digits of [0, 3, 8, 16, 20]) texts.push(x.toExponential(digits));
  if (Math.abs(x) < 1e21) for (const digits of [0, 2, 6, 17, 20]) texts.push(x.toFixed(digits));
  texts.push(String(x).toUpperCase(), `+${String(Math.abs(x))}`); // 1E-7, an explicit plus sign
  return texts;
}

const bits = new Float64Array(1);
const word = new BigUint64Array(bits.buffer);

/**
 * Decimals at and around the midpoint between a positive double x and the next one up, cut to `digits`
 * significant digits and moved by −1, 0, +1 in the last digit.
 */
function nearMidpoints(x: number, digits: number): string[] {
  bits[0] = x;
  const raw = word[0]!;
  const exponentBits = Number((raw >> 52n) & 0x7ffn);
  const fraction = raw & ((1n << 52n) - 1n);
  const m = exponentBits === 0 ? fraction : fraction | (1n << 52n);
  const e = (exponentBits === 0 ? 1 : exponentBits) - 1075; // x = m × 2^e
  // midpoint = (2m + 1) × 2^(e − 1) = N × 10^p exactly
  let n = 2n * m + 1n;
  let p = 0;
  if (e - 1 >= 0) n <<= BigInt(e - 1);
  else {
    n *= 5n ** BigInt(1 - e);
    p = e - 1;
  }
  const text = n.toString();
  const cut = Math.min(digits, text.length);
  const head = BigInt(text.slice(0, cut));
  const exponent = p + text.length - cut;
  return [-1n, 0n, 1n].map((delta) => `${(head + delta).toString()}e${exponent}`);
}

describe("margin: exact market values", () => {
  it("reads every writing of a random double (subnormals and extremes too) as Number(text)", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        for (const text of writings(x)) {
          const value = fast(text);
          if (!Number.isNaN(value)) expect(Object.is(value, Number(text)), text).to.equal(true);
          expect(Object.is(loaderValue(text), Number(text)), text).to.equal(true);
        }
      }),
      propertyParameters(),
    );
  });

  it("reads market-sized doubles in full precision without falling back", () => {
    const marketValue = fc.double({ min: 1e-8, max: 1e8, noNaN: true });
    fc.assert(
      fc.property(marketValue, fc.boolean(), (x, negative) => {
        const value = negative ? -x : x;
        for (const text of [String(value), value.toPrecision(17)])
          expect(Object.is(fast(text), Number(text)), text).to.equal(true);
      }),
      propertyParameters(),
    );
  });

  it("rounds decimals at and next to the midpoint between two doubles as Number() does", () => {
    const positive = fc.double({ min: Number.MIN_VALUE, max: Number.MAX_VALUE, noNaN: true });
    fc.assert(
      fc.property(positive, fc.integer({ min: 16, max: 19 }), (x, digits) => {
        for (const text of nearMidpoints(x, digits)) {
          const value = fast(text);
          if (!Number.isNaN(value)) expect(Object.is(value, Number(text)), text).to.equal(true);
        }
      }),
      propertyParameters(),
    );
  });

  it("takes only the plain decimal grammar, exactly, and declines anything else", () => {
    const text = fc.oneof(
      fc.stringMatching(/^[+-]?\d{0,22}(?:\.\d{0,22})?(?:[eE][+-]?\d{1,4})?$/),
      fc.stringMatching(/^[0-9.+\-eExXoObBInfity_ ,]{0,12}$/),
    );
    fc.assert(
      fc.property(text, (candidate) => {
        const value = fast(candidate);
        if (!Number.isNaN(value)) {
          expect(GRAMMAR.test(candidate), candidate).to.equal(true);
          expect(Object.is(value, Number(candidate)), candidate).to.equal(true);
        }
      }),
      propertyParameters(),
    );
    for (const declined of [
      "",
      " 1",
      "1 ",
      "0x10",
      "Infinity",
      "-Infinity",
      "1e",
      "1e+",
      ".",
      "+",
      "1_0",
      "1,5",
    ]) {
      expect(Number.isNaN(fast(declined)), declined).to.equal(true);
    }
  });

  describe("through the market.csv reader", () => {
    const folder = mkdtempSync(join(tmpdir(), "ccp-decimal-"));
    after(() => rmSync(folder, { recursive: true, force: true }));

    it("reads a file of random values in random writings, cut into ranges anywhere, as Number(text)", () => {
      const cell = fc
        .tuple(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.nat(40))
        .map(([x, pick]) => {
          const texts = writings(x).filter((t) => Number.isFinite(Number(t))); // 2e+308 is not a value
          return texts[pick % texts.length]!;
        });
      const file = fc.tuple(
        fc.array(fc.array(cell, { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 4 }),
      );
      let run = 0;
      fc.assert(
        fc.property(file, ([rows, cuts]) => {
          const header = "date,A,B,C";
          const lines = rows.map((row, i) => `2026-01-${String(i + 1).padStart(2, "0")},${row.join(",")}`);
          const text = `${header}\n${lines.join("\n")}\n`;
          const path = join(folder, `market-${run++}.csv`);
          writeFileSync(path, text);
          const bodyStart = header.length + 1;
          const size = Buffer.byteLength(text);
          const points = [...new Set(cuts.map((c) => bodyStart + (c % (size - bodyStart))))].sort(
            (a, b) => a - b,
          );
          const bounds = [bodyStart, ...points.filter((p) => p > bodyStart), size];
          const values: number[] = [];
          for (let i = 0; i + 1 < bounds.length; i += 1) {
            const range: FileRange = {
              path,
              file: "market.csv",
              from: bounds[i]!,
              to: bounds[i + 1]!,
              bodyStart,
            };
            const result = parseMarketRange(range, header.split(","));
            if (result.quoted) throw new Error("no quotes were written");
            values.push(...result.rows.values);
          }
          expect(values.map((v) => (Object.is(v, -0) ? "-0" : v))).to.deep.equal(
            rows.flat().map((t) => (Object.is(Number(t), -0) ? "-0" : Number(t))),
          );
        }),
        propertyParameters(),
      );
    });

    it("hands every line to exactly one range, in order, wherever the cuts fall", () => {
      const text = fc.array(fc.stringMatching(/^[a-z0-9,]{0,40}$/), { minLength: 1, maxLength: 30 });
      let run = 0;
      fc.assert(
        fc.property(text, fc.array(fc.nat(), { maxLength: 6 }), fc.boolean(), (lines, cuts, finalNewline) => {
          const body = `${lines.join("\n")}${finalNewline ? "\n" : ""}`;
          const content = `h\n${body}`;
          const path = join(folder, `lines-${run++}.csv`);
          writeFileSync(path, content);
          const size = Buffer.byteLength(content);
          const points = [...new Set(cuts.map((c) => 2 + (c % Math.max(1, size - 2))))].sort((a, b) => a - b);
          const bounds = [2, ...points.filter((p) => p > 2 && p < size), size];
          const seen: string[] = [];
          for (let i = 0; i + 1 < bounds.length; i += 1) {
            readLineBlocks(
              { path, file: "x", from: bounds[i]!, to: bounds[i + 1]!, bodyStart: 2 },
              (bytes, s, e) => {
                seen.push(Buffer.from(bytes.subarray(s, e)).toString("utf8"));
              },
            );
          }
          expect(seen.join("")).to.equal(body);
        }),
        propertyParameters(),
      );
    });
  });
});
