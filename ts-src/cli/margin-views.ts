/** What `ccp margin --explain` and `ccp margin --what-if` print: readable tables, or one JSON document. */
import type { AccountExplanation } from "../margin/explain.ts";
import type { AccountMargin } from "../margin/types.ts";
import type { WhatIfReport } from "../margin/whatif.ts";
import { formatAmount, formatYen, renderTable, toJson } from "./format.ts";

/** A yen change with its sign: +1,234, -1,234, 0. */
function signedYen(amount: bigint): string {
  return amount > 0n ? `+${formatYen(amount)}` : formatYen(amount);
}

/** A share of ES in percent, one decimal ("-" when ES is 0). */
function share(part: number, whole: number): string {
  if (whole === 0) return "-";
  const text = ((100 * part) / whole).toFixed(1);
  return `${text === "-0.0" ? "0.0" : text}%`;
}

/**
 * `--explain <account>`: a heading with the margin's formula in figures, the positions with their ES
 * contributions (adding up to ES) and NOV, then the tail scenarios.
 */
export function explainTable(x: AccountExplanation): string {
  const heading =
    `Margin of ${x.account} as of ${x.asOf}: IM ${formatYen(x.im)} = max(0, ⌈ES ${formatAmount(x.es)} − ` +
    `NOV ${formatAmount(x.nov)}⌉)\n` +
    `ES = mean of the ${x.tailCount} largest of ${x.scenarios} scenario losses; a position's contribution is ` +
    `its mean loss in those ${x.tailCount} scenarios`;
  const rows = x.positions.map((p) => [
    p.instrument,
    p.type,
    String(p.quantity),
    formatAmount(p.esContribution),
    share(p.esContribution, x.es),
    p.nov === undefined ? "" : formatAmount(p.nov),
  ]);
  rows.push(["total", "", "", formatAmount(x.es), share(x.es, x.es), formatAmount(x.nov)]);
  const positions = renderTable(
    ["instrument", "type", "quantity", "ES contribution (yen)", "share", "NOV (yen)"],
    rows,
    2,
  );
  const tail = renderTable(
    ["rank", "scenario", "kind", "loss (yen)"],
    x.tail.map((s) => [String(s.rank), s.scenario, s.kind, formatAmount(s.loss)]),
    3,
  );
  return `${heading}\n${positions}\nThe ${x.tailCount} tail scenarios, largest loss first\n${tail}`;
}

/** `--explain --json`: the explanation as one document (IM as a decimal string). */
export function explainJson(x: AccountExplanation): string {
  return toJson({
    asOf: x.asOf,
    account: x.account,
    im: x.im,
    es: x.es,
    nov: x.nov,
    scenarios: x.scenarios,
    tailCount: x.tailCount,
    positions: x.positions.map((p) => ({
      instrument: p.instrument,
      type: p.type,
      quantity: p.quantity,
      esContribution: p.esContribution,
      ...(p.nov === undefined ? {} : { nov: p.nov }),
    })),
    tail: x.tail,
  });
}

/** `--what-if <trades.csv>`: each account the trades touch, its IM before and after and the change. */
export function whatIfTable(report: WhatIfReport, file: string): string {
  const heading =
    `What-if as of ${report.asOf}: ${report.trades} trade${report.trades === 1 ? "" : "s"} in ${file} on ` +
    `${report.accounts.length} account${report.accounts.length === 1 ? "" : "s"}; the other accounts' margins ` +
    `do not change`;
  const rows = report.accounts.map((a) => [
    a.account,
    formatYen(a.before.im),
    formatYen(a.after.im),
    signedYen(a.change),
  ]);
  const sum = (pick: (a: WhatIfReport["accounts"][number]) => bigint) =>
    report.accounts.reduce((total, a) => total + pick(a), 0n);
  rows.push([
    "total",
    formatYen(sum((a) => a.before.im)),
    formatYen(sum((a) => a.after.im)),
    signedYen(sum((a) => a.change)),
  ]);
  return `${heading}\n${renderTable(["account", "IM before (yen)", "IM after (yen)", "change (yen)"], rows)}`;
}

function marginFigures(margin: AccountMargin) {
  return { im: margin.im, es: margin.es, nov: margin.nov };
}

/** `--what-if --json`: the accounts the trades touch, before and after (amounts in yen as decimal strings). */
export function whatIfJson(report: WhatIfReport): string {
  return toJson({
    asOf: report.asOf,
    scenarios: report.scenarios,
    trades: report.trades,
    accounts: report.accounts.map((a) => ({
      account: a.account,
      before: marginFigures(a.before),
      after: marginFigures(a.after),
      change: a.change,
    })),
  });
}
