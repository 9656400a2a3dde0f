/**
 * The loader's fast CSV path (a plain split, used for text without quotes or carriage returns) gives exactly
 * csv-parse's records and line numbers: a differential property test with csv-parse as the reference.
 */
import { expect } from "chai";
import fc from "fast-check";

import { parseCsvText } from "../../ts-src/margin/csv.ts";
import { propertyParameters } from "../support/fast-check.ts";

const field = fc.stringMatching(/^[a-zA-Z0-9 ._+\-:]{0,8}$/);
const line = fc.oneof(
  fc.array(field, { minLength: 1, maxLength: 6 }).map((fields) => fields.join(",")),
  fc.constantFrom("", "   "), // blank lines
);
const text = fc
  .tuple(fc.array(line, { minLength: 0, maxLength: 30 }), fc.boolean(), fc.boolean())
  .map(
    ([lines, trailingNewline, bom]) =>
      `${bom ? "\uFEFF" : ""}${lines.join("\n")}${trailingNewline ? "\n" : ""}`,
  );

describe("margin: CSV fast path against csv-parse", () => {
  it("gives the same records and lines for any text without quotes", () => {
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 5000 }), fc.boolean(), (csv, firstLine, trim) => {
        const start = csv.startsWith("\uFEFF") ? 1 : firstLine; // a byte-order mark only starts a file
        const fast = parseCsvText(csv, "x.csv", start, trim, "auto");
        const reference = parseCsvText(csv, "x.csv", start, trim, "csv-parse");
        expect(fast).to.deep.equal(reference);
      }),
      propertyParameters(),
    );
  });

  it("leaves text with quotes or carriage returns to csv-parse", () => {
    expect(parseCsvText('a,"b,c"\n1,2\n', "x.csv").records).to.deep.equal([
      ["a", "b,c"],
      ["1", "2"],
    ]);
    expect(parseCsvText("a,b\r\n1,2\r\n", "x.csv").records).to.deep.equal([
      ["a", "b"],
      ["1", "2"],
    ]);
  });
});
