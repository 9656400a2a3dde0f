/** Output helpers shared by the command-line outputs (the ccp commands, the demo): JSON, readable tables. */
import Table from "cli-table3";

/**
 * An amount in base units as money, with thousands separators and every decimal shown.
 *
 * @example
 *   formatMoney(1234567n); // "1,234,567"
 *   formatMoney(250000n, 2); // "2,500.00"
 */
export function formatMoney(amount: bigint, decimals = 0): string {
  const negative = amount < 0n;
  const magnitude = negative ? -amount : amount;
  const scale = 10n ** BigInt(decimals);
  const grouped = (magnitude / scale).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const fraction = decimals === 0 ? "" : `.${(magnitude % scale).toString().padStart(decimals, "0")}`;
  return `${negative ? "-" : ""}${grouped}${fraction}`;
}

/** Integer yen with thousands separators: 1234567n → "1,234,567". */
export function formatYen(amount: bigint): string {
  return formatMoney(amount, 0);
}

/** A float64 yen figure with two decimals and thousands separators. */
export function formatAmount(value: number): string {
  return value.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

/** Rows per cli-table3 table when a long table is rendered in pieces. */
const ROWS_PER_PIECE = 500;

/**
 * A table with the given header (cli-table3); numbers right-aligned from column `firstNumeric` on. A long
 * table (10,000 accounts) is rendered in pieces of 500 rows with the same column widths, joined without the
 * borders between them: the same text as one table, in linear time (cli-table3 slows down on long tables).
 */
export function renderTable(head: string[], rows: string[][], firstNumeric = 1): string {
  const colAligns = head.map((_, i) => (i >= firstNumeric ? ("right" as const) : ("left" as const)));
  const style = { head: [], border: [], compact: true };
  if (rows.length <= ROWS_PER_PIECE) {
    const table = new Table({ head, style, colAligns });
    table.push(...rows);
    return table.toString();
  }
  const colWidths = head.map((name, j) => {
    let width = displayWidth(name);
    for (const row of rows) width = Math.max(width, displayWidth(row[j] ?? ""));
    return width + 2; // one space of padding on each side
  });
  const lines: string[] = [];
  for (let start = 0; start < rows.length; start += ROWS_PER_PIECE) {
    const table = new Table({ ...(start === 0 ? { head } : {}), style, colAligns, colWidths });
    table.push(...rows.slice(start, start + ROWS_PER_PIECE));
    let piece = table.toString().split("\n");
    if (start > 0) piece = piece.slice(1); // the top border
    if (start + ROWS_PER_PIECE < rows.length) piece = piece.slice(0, -1); // the bottom border
    lines.push(...piece);
  }
  return lines.join("\n");
}

/** Terminal columns of a string: code points, two for East Asian wide characters. */
function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    width +=
      code >= 0x1100 &&
      /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(
        char,
      )
        ? 2
        : 1;
  }
  return width;
}

/** JSON with bigints written as decimal strings. */
export function toJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, item: unknown) => (typeof item === "bigint" ? item.toString() : item),
    2,
  );
}
