/** The book: positions netted per account and instrument, accounts sorted, bad rows located. */
import { expect } from "chai";

import { buildBook } from "../../ts-src/margin/portfolio.ts";
import type { EncodedPositions } from "../../ts-src/margin/types.ts";
import { marginErrorOf } from "./helpers.ts";

const rows = new Map([
  ["A1", 0],
  ["B2", 1],
  ["C3", 2],
]);

function codeOf(action: () => unknown): { code: string; line: unknown } {
  const error = marginErrorOf(action);
  return { code: error.code, line: error.details.line };
}

describe("margin: the book", () => {
  it("nets rows of the same account and instrument, drops zero nets, sorts accounts and instruments", () => {
    const book = buildBook(
      rows,
      [
        { account: "Y", instrument: "C3", quantity: 5 },
        { account: "X", instrument: "B2", quantity: 2 },
        { account: "Y", instrument: "A1", quantity: -1 },
        { account: "X", instrument: "B2", quantity: -2 },
        { account: "Y", instrument: "C3", quantity: 1 },
      ],
      "positions.csv",
    );
    expect(book.accounts).to.deep.equal(["X", "Y"]);
    expect(Array.from(book.offsets)).to.deep.equal([0, 0, 2]); // X's only position nets to zero
    expect(Array.from(book.instrument)).to.deep.equal([0, 2]);
    expect(Array.from(book.quantity)).to.deep.equal([-1, 6]);
  });

  it("reads the loader's encoded runs the same way", () => {
    const encoded: EncodedPositions = {
      instrumentIds: ["C3", "A1"],
      accounts: ["Y", "X", "Y"],
      runLengths: [1, 1, 1],
      instruments: [0, 1, 0],
      quantities: [4, 7, -4],
      lines: [2, 3, 4],
    };
    const book = buildBook(rows, [encoded], "positions.csv");
    expect(book.accounts).to.deep.equal(["X", "Y"]);
    expect(Array.from(book.quantity)).to.deep.equal([7]);
  });

  it("names the line of an unknown instrument, an empty account, a fractional quantity, a net beyond 2^53", () => {
    const build =
      (positions: { account: string; instrument: string; quantity: number; line: number }[]) => () =>
        buildBook(rows, positions, "positions.csv");
    expect(codeOf(build([{ account: "X", instrument: "Z9", quantity: 1, line: 7 }]))).to.deep.equal({
      code: "MARGIN_INPUT_UNKNOWN_INSTRUMENT",
      line: 7,
    });
    expect(codeOf(build([{ account: "", instrument: "A1", quantity: 1, line: 3 }])).code).to.equal(
      "MARGIN_INPUT_BAD_VALUE",
    );
    expect(codeOf(build([{ account: "X", instrument: "A1", quantity: 1.5, line: 4 }]))).to.deep.equal({
      code: "MARGIN_INPUT_BAD_QUANTITY",
      line: 4,
    });
    const huge = 2 ** 52;
    const overflow = build([
      { account: "X", instrument: "A1", quantity: huge, line: 2 },
      { account: "X", instrument: "B2", quantity: 1, line: 3 },
      { account: "X", instrument: "A1", quantity: huge, line: 4 },
    ]);
    expect(codeOf(overflow)).to.deep.equal({ code: "MARGIN_INPUT_BAD_QUANTITY", line: 4 });
  });
});
