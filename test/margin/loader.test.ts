/** Bad input: every problem is a MarginInputError with a stable code, naming the file, the line and the column. */
import { expect } from "chai";

import { MarginInputError } from "../../ts-src/margin/errors.ts";
import { runMarginFolder } from "../../ts-src/margin/run.ts";
import { removeCase, VALID_FILES, withLine, writeCase } from "./fixture.ts";

type Expected = {
  code: string;
  file?: string;
  line?: number;
  column?: string;
  details?: Record<string, unknown>;
};

async function expectError(
  edits: Record<string, string | null>,
  expected: Expected,
  threads = 1,
): Promise<void> {
  const folder = writeCase(edits);
  try {
    await runMarginFolder(folder, { threads });
    expect.fail(`expected ${expected.code}`);
  } catch (error) {
    if (!(error instanceof MarginInputError)) throw error;
    expect(error.code).to.equal(expected.code);
    if (expected.file !== undefined)
      expect(String(error.details.file)).to.match(new RegExp(`${expected.file}$`));
    if (expected.line !== undefined) expect(error.details.line).to.equal(expected.line);
    if (expected.column !== undefined) expect(error.details.column).to.equal(expected.column);
    for (const [key, value] of Object.entries(expected.details ?? {}))
      expect(error.details[key]).to.deep.equal(value);
  } finally {
    removeCase(folder);
  }
}

describe("margin: loading and validating an input folder", () => {
  it("loads the valid folder (rows of the same account and instrument add up)", async () => {
    const folder = writeCase();
    try {
      const report = await runMarginFolder(folder, { threads: 1 });
      expect(report.asOf).to.equal("2026-01-12");
      expect(report.scenarios).to.equal(4); // lookbackDays 3 + 1 stress scenario
      expect(report.accounts.map((a) => a.account)).to.deep.equal(["A", "B"]);
      const withSummedRows = await runMarginFolder(
        writeCase({ "positions.csv": "account,instrument,quantity\nA,F1,3\nA,O1,-3\nB,E1,5\nB,R1,-1\n" }),
        { threads: 1 },
      );
      expect(withSummedRows).to.deep.equal(report);
    } finally {
      removeCase(folder);
    }
  });

  it("stress.csv and params.json are optional", async () => {
    const folder = writeCase({ "stress.csv": null, "params.json": null, "market.csv": longMarket(1252) });
    try {
      const report = await runMarginFolder(folder, { threads: 1 });
      expect(report.scenarios).to.equal(1250);
      expect(report.tailCount).to.equal(32);
    } finally {
      removeCase(folder);
    }
  });

  const cases: [string, Record<string, string | null>, Expected][] = [
    [
      "a missing file",
      { "positions.csv": null },
      { code: "MARGIN_INPUT_MISSING_FILE", file: "positions.csv" },
    ],
    [
      "a missing column",
      { "positions.csv": "account,instrument,qty\nA,F1,2\n" },
      {
        code: "MARGIN_INPUT_MISSING_COLUMN",
        file: "positions.csv",
        line: 1,
        details: { missing: "quantity" },
      },
    ],
    [
      "a missing option column on an option row",
      {
        "instruments.csv":
          "instrument,type,factor,multiplier,currency\nF1,future,NK,1000,JPY\nO1,option,NK,100,JPY\n",
      },
      { code: "MARGIN_INPUT_MISSING_COLUMN", file: "instruments.csv", line: 1 },
    ],
    [
      "a non-numeric price",
      withLine("market.csv", 4, "2026-01-07,abc,149,0.0015,0.19"),
      { code: "MARGIN_INPUT_BAD_NUMBER", file: "market.csv", line: 4, column: "NK" },
    ],
    [
      "a blank price",
      withLine("market.csv", 3, "2026-01-06,101,,0.002,0.21"),
      { code: "MARGIN_INPUT_BAD_NUMBER", file: "market.csv", line: 3, column: "FX_USD" },
    ],
    [
      "a hexadecimal price",
      withLine("market.csv", 3, "2026-01-06,0x10,151,0.002,0.21"),
      { code: "MARGIN_INPUT_BAD_NUMBER", line: 3, column: "NK" },
    ],
    [
      "a zero price where a log is taken",
      withLine("market.csv", 5, "2026-01-08,0,150.5,-0.001,0.22"),
      { code: "MARGIN_INPUT_NON_POSITIVE", file: "market.csv", line: 5, column: "NK" },
    ],
    [
      "a negative FX rate",
      withLine("market.csv", 6, "2026-01-09,103,-152,0.0025,0.2"),
      { code: "MARGIN_INPUT_NON_POSITIVE", line: 6, column: "FX_USD" },
    ],
    [
      "dates out of order",
      withLine("market.csv", 4, "2026-01-02,99,149,0.0015,0.19"),
      { code: "MARGIN_INPUT_DATE_ORDER", file: "market.csv", line: 4, column: "date" },
    ],
    [
      "a repeated date",
      withLine("market.csv", 4, "2026-01-06,99,149,0.0015,0.19"),
      { code: "MARGIN_INPUT_DATE_ORDER", line: 4 },
    ],
    [
      "a date that does not exist",
      withLine("market.csv", 7, "2026-02-30,101,151,0.002,0.23"),
      { code: "MARGIN_INPUT_BAD_DATE", line: 7 },
    ],
    [
      "an instrument not defined",
      withLine("positions.csv", 3, "A,NOPE,-3"),
      { code: "MARGIN_INPUT_UNKNOWN_INSTRUMENT", file: "positions.csv", line: 3, column: "instrument" },
    ],
    [
      "a factor not defined (instrument)",
      withLine("instruments.csv", 3, "E1,equity,SPX,10,USD,,,,"),
      { code: "MARGIN_INPUT_UNKNOWN_FACTOR", file: "instruments.csv", line: 3, column: "factor" },
    ],
    [
      "a vol factor not defined",
      withLine("instruments.csv", 5, "O1,option,NK,100,JPY,C,100,20,VOL_NK"),
      { code: "MARGIN_INPUT_UNKNOWN_FACTOR", line: 5, column: "vol_factor" },
    ],
    [
      "a factor in factors.csv with no market data",
      withLine("factors.csv", 3, "FX_EUR,fx,2"),
      { code: "MARGIN_INPUT_UNKNOWN_FACTOR", file: "factors.csv", line: 3 },
    ],
    [
      "a stress shock for a factor not defined",
      { "stress.csv": "scenario,NK,GOLD\nDOWN,-0.1,0.3\n" },
      { code: "MARGIN_INPUT_UNKNOWN_FACTOR", file: "stress.csv", line: 1, column: "GOLD" },
    ],
    [
      "a currency without an FX factor",
      withLine("instruments.csv", 3, "E1,equity,NK,10,GBP,,,,"),
      { code: "MARGIN_INPUT_UNKNOWN_CURRENCY", file: "instruments.csv", line: 3, column: "currency" },
    ],
    [
      "a currency that is not a code",
      withLine("instruments.csv", 3, "E1,equity,NK,10,usd,,,,"),
      { code: "MARGIN_INPUT_UNKNOWN_CURRENCY", line: 3 },
    ],
    [
      "a fractional quantity",
      withLine("positions.csv", 4, "B,E1,2.5"),
      { code: "MARGIN_INPUT_BAD_QUANTITY", file: "positions.csv", line: 4, column: "quantity" },
    ],
    [
      "a blank quantity",
      withLine("positions.csv", 2, "A,F1,"),
      { code: "MARGIN_INPUT_BAD_QUANTITY", line: 2 },
    ],
    [
      "too little history",
      { "params.json": '{ "lookbackDays": 5 }' },
      { code: "MARGIN_INPUT_NOT_ENOUGH_HISTORY", file: "market.csv", details: { rows: 6, needed: 7 } },
    ],
    [
      "an unknown parameter",
      { "params.json": '{ "lookback": 5 }' },
      { code: "MARGIN_INPUT_BAD_PARAM", file: "params.json", details: { param: "lookback" } },
    ],
    [
      "a confidence of 1",
      { "params.json": '{ "lookbackDays": 3, "esConfidence": 1 }' },
      { code: "MARGIN_INPUT_BAD_PARAM", details: { param: "esConfidence" } },
    ],
    [
      "params.json that is not JSON",
      { "params.json": "{ lookbackDays: 3 }" },
      { code: "MARGIN_INPUT_BAD_JSON" },
    ],
    [
      "a row with too many fields",
      withLine("positions.csv", 5, "B,R1,-1,extra"),
      { code: "MARGIN_INPUT_BAD_CSV", file: "positions.csv", line: 5 },
    ],
    [
      "an unclosed quote",
      withLine("instruments.csv", 2, 'F1,future,"NK,1000,JPY,,,,'),
      { code: "MARGIN_INPUT_BAD_CSV", file: "instruments.csv" },
    ],
    [
      "an instrument defined twice",
      withLine("instruments.csv", 3, "F1,equity,NK,10,USD,,,,"),
      { code: "MARGIN_INPUT_DUPLICATE", file: "instruments.csv", line: 3 },
    ],
    [
      "an unknown factor kind",
      withLine("factors.csv", 2, "NK,stock,2"),
      { code: "MARGIN_INPUT_BAD_VALUE", file: "factors.csv", line: 2, column: "kind" },
    ],
    [
      "a holding period of 3",
      withLine("factors.csv", 2, "NK,price,3"),
      { code: "MARGIN_INPUT_BAD_VALUE", line: 2, column: "holding_period" },
    ],
    [
      "option fields on a future",
      withLine("instruments.csv", 2, "F1,future,NK,1000,JPY,C,,,"),
      { code: "MARGIN_INPUT_BAD_VALUE", line: 2, column: "option_type" },
    ],
    [
      "an option on a rate factor",
      withLine("instruments.csv", 5, "O1,option,IR,100,JPY,C,100,20,VOL"),
      { code: "MARGIN_INPUT_BAD_VALUE", line: 5, column: "factor" },
    ],
    [
      "a zero multiplier",
      withLine("instruments.csv", 2, "F1,future,NK,0,JPY,,,,"),
      { code: "MARGIN_INPUT_NON_POSITIVE", line: 2, column: "multiplier" },
    ],
    [
      "a negative strike",
      withLine("instruments.csv", 5, "O1,option,NK,100,JPY,P,-5,20,VOL"),
      { code: "MARGIN_INPUT_NON_POSITIVE", line: 5, column: "strike" },
    ],
    [
      "a fractional expiry",
      withLine("instruments.csv", 5, "O1,option,NK,100,JPY,P,100,2.5,VOL"),
      { code: "MARGIN_INPUT_BAD_VALUE", line: 5, column: "expiry_days" },
    ],
    [
      "a non-numeric stress shock",
      { "stress.csv": "scenario,NK\nDOWN,big\n" },
      { code: "MARGIN_INPUT_BAD_NUMBER", file: "stress.csv", line: 2, column: "NK" },
    ],
  ];
  for (const [what, edits, expected] of cases) {
    it(`${what} → ${expected.code}`, () => expectError(edits, expected));
  }

  it("a missing folder → MARGIN_INPUT_MISSING_FILE", async () => {
    try {
      await runMarginFolder("/nonexistent/ccp-margin", { threads: 1 });
      expect.fail("expected an error");
    } catch (error) {
      expect(error).to.be.instanceOf(MarginInputError);
      expect((error as MarginInputError).code).to.equal("MARGIN_INPUT_MISSING_FILE");
    }
  });

  it("negative values of a rate factor are fine (no log is taken)", async () => {
    const folder = writeCase(withLine("market.csv", 7, "2026-01-12,101,151,-0.004,0.23"));
    try {
      const report = await runMarginFolder(folder, { threads: 1 });
      expect(report.accounts).to.have.length(2);
    } finally {
      removeCase(folder);
    }
  });

  describe("large files parsed in chunks by two threads (a worker and the main one) keep exact line numbers", () => {
    const many = (bad: number, quoted: boolean) => {
      const lines = ["account,instrument,quantity"];
      for (let i = 2; i <= 9000; i += 1) {
        lines.push(i === bad ? `ACC${i},F1,1.5` : `${quoted && i === 2 ? '"ACC2"' : `ACC${i}`},F1,${i % 7}`);
      }
      return { "positions.csv": `${lines.join("\n")}\n` };
    };
    it("an error near the end of the file", () =>
      expectError(many(8765, false), { code: "MARGIN_INPUT_BAD_QUANTITY", line: 8765 }, 2));
    it("an error in the first chunk", () =>
      expectError(many(17, false), { code: "MARGIN_INPUT_BAD_QUANTITY", line: 17 }, 2));
    it("a file with quotes (parsed whole)", () =>
      expectError(many(6000, true), { code: "MARGIN_INPUT_BAD_QUANTITY", line: 6000 }, 2));
    it("a bad market value in the first chunk (parsed by the worker)", () =>
      expectError(
        { "market.csv": longMarket(3000, 700), "params.json": '{ "lookbackDays": 3 }' },
        { code: "MARGIN_INPUT_BAD_NUMBER", file: "market.csv", line: 700, column: "NK" },
        2,
      ));
  });
});

/** A market.csv of `rows` business days (weekdays from 2015-01-05); `badLine` gets a non-number. */
function longMarket(rows: number, badLine?: number): string {
  const lines = [VALID_FILES["market.csv"]!.split("\n")[0]!];
  let day = Date.UTC(2015, 0, 5);
  for (let i = 0; i < rows; i += 1) {
    while ([0, 6].includes(new Date(day).getUTCDay())) day += 86_400_000;
    const date = new Date(day).toISOString().slice(0, 10);
    const nk = i + 2 === badLine ? "n/a" : (100 + 5 * Math.sin(i / 7)).toFixed(3);
    lines.push(
      `${date},${nk},${(150 + Math.cos(i / 11)).toFixed(3)},${(0.001 * Math.sin(i / 5)).toFixed(6)},${(0.2 + 0.02 * Math.sin(i / 3)).toFixed(4)}`,
    );
    day += 86_400_000;
  }
  return `${lines.join("\n")}\n`;
}
