/** Output helpers shared by the ccp commands: one JSON document, or readable tables. */
import Table from "cli-table3";

/** Integer yen with thousands separators: 1234567n → "1,234,567". */
export function formatYen(amount: bigint): string {
  const negative = amount < 0n;
  const digits = (negative ? -amount : amount).toString();
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return negative ? `-${grouped}` : grouped;
}

/** A float64 yen figure with two decimals and thousands separators. */
export function formatAmount(value: number): string {
  return value.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

/** A table with the given header; numbers right-aligned from column `firstNumeric` on. */
export function renderTable(head: string[], rows: string[][], firstNumeric = 1): string {
  const table = new Table({
    head,
    style: { head: [], border: [], compact: true },
    colAligns: head.map((_, i) => (i >= firstNumeric ? "right" : "left")),
  });
  table.push(...rows);
  return table.toString();
}

/** JSON with bigints written as decimal strings. */
export function toJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, item: unknown) => (typeof item === "bigint" ? item.toString() : item),
    2,
  );
}
