/** Output formatting of the ccp commands. */
import { expect } from "chai";
import Table from "cli-table3";

import { formatAmount, formatMoney, formatYen, renderTable, toJson } from "../../ts-src/cli/format.ts";

describe("ccp output formatting", () => {
  it("writes yen with thousands separators", () => {
    expect(formatYen(0n)).to.equal("0");
    expect(formatYen(1234567n)).to.equal("1,234,567");
    expect(formatYen(-1000n)).to.equal("-1,000");
    expect(formatAmount(-1234.5)).to.equal("-1,234.50");
  });

  it("writes amounts in base units with their decimals", () => {
    expect(formatMoney(250_000n, 2)).to.equal("2,500.00");
    expect(formatMoney(5n, 2)).to.equal("0.05");
    expect(formatMoney(-123_456_789n, 3)).to.equal("-123,456.789");
    expect(formatMoney(1_000_000n)).to.equal("1,000,000");
  });

  it("writes bigints in JSON as decimal strings", () => {
    expect(toJson({ im: 12345678901234567890n })).to.equal('{\n  "im": "12345678901234567890"\n}');
  });

  it("renders a long table in pieces exactly as cli-table3 renders it whole", () => {
    const head = ["account", "IM (yen)", "ES (yen)"];
    const rows = Array.from({ length: 1234 }, (_, i) => [
      `CP${i % 97}-C${i}`,
      formatYen(BigInt(i) ** 3n),
      formatAmount(i * 1.5),
    ]);
    const widths = head.map((name, j) => 2 + Math.max(name.length, ...rows.map((row) => row[j]!.length)));
    const whole = new Table({
      head,
      style: { head: [], border: [], compact: true },
      colAligns: ["left", "right", "right"],
      colWidths: widths,
    });
    whole.push(...rows);
    expect(renderTable(head, rows)).to.equal(whole.toString());
  });
});
