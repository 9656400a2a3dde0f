/**
 * The report as one self-contained HTML file: the figures as plain tables (readable without JavaScript and
 * on paper), the charts drawn in the browser by Chart.js from configurations embedded as JSON, the library,
 * the page script and the style sheet inlined. A Content-Security-Policy allows exactly the inlined script
 * and style (by their SHA-256 hashes) and nothing from the network, so the file opens offline and cannot
 * fetch anything. Pure: the inlined sources come in as arguments (see files.ts).
 */
import { createHash } from "node:crypto";

import { formatMoney, formatYen } from "../cli/format.ts";
import { buildCharts, type ChartSpec, cycleLabel } from "./charts.ts";
import { html, inlineSource, jsonForScript, rawElement, type SafeHtml } from "./html.ts";
import type {
  ReportAccount,
  ReportAsset,
  ReportDocument,
  ReportMarginCall,
  ReportMovement,
  Timestamp,
} from "./types.ts";

/** The sources inlined into the page. */
export type PageAssets = {
  /** Chart.js's UMD bundle (chart.umd.min.js), without its source-map comment. */
  chartJs: string;
  chartJsVersion: string;
  /** assets/report.js */
  script: string;
  /** assets/report.css */
  style: string;
};

/**
 * Tables longer than this are folded by the page script to their first {@link FOLDED_ROWS} rows, with a
 * button to show the rest (without JavaScript, and on paper, every row shows).
 */
export const FOLD_ROWS = 60;
export const FOLDED_ROWS = 25;

/**
 * Renders the report document as an HTML page.
 *
 * @example
 *   const page = renderReportHtml(buildReport(facts), loadPageAssets());
 *   writeFileSync("reports/demo/index.html", page);
 */
export function renderReportHtml(document: ReportDocument, assets: PageAssets): string {
  const pageData = buildCharts(document);
  const chartJs = inlineSource(assets.chartJs, "chart.umd.min.js");
  const script = inlineSource(assets.script, "report.js");
  const style = inlineSource(assets.style, "report.css");
  const csp = [
    "default-src 'none'",
    `script-src ${sha256(chartJs.text)} ${sha256(script.text)}`,
    `style-src ${sha256(style.text)}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");
  const charts = new Map(pageData.charts.map((chart) => [chart.id, chart]));
  const chart = (id: string): SafeHtml | null => {
    const spec = charts.get(id);
    return spec === undefined ? null : figure(spec);
  };
  const { run } = document;

  const page = html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta http-equiv="Content-Security-Policy" content="${csp}" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="generator" content="clearchain run report (${document.format} v${document.version})" />
        <title>${run.title}</title>
        ${rawElement("style", style)}
      </head>
      <body>
        <header class="report-header">
          <p class="eyebrow">Margin-call automation · run report</p>
          <h1>${run.title}</h1>
          ${runFacts(document)}
        </header>
        <noscript
          ><p class="alert">
            JavaScript is off, so the charts are not drawn. Every figure is in the tables below, and in
            <code>report.json</code> beside this file.
          </p></noscript
        >
        <p class="alert error" id="script-error" hidden></p>
        <main>
          ${keyFigures(document)}
          <section id="coverage">
            <h2>Coverage</h2>
            ${chart("coverage")}
            ${coverageSelector(pageData.coverage.accounts.length, pageData.coverage.shown.length)}
            ${accountsTable(document)}
          </section>
          <section id="cycles">
            <h2>Margin cycles</h2>
            <p class="lead">
              Each cycle computed the initial margin of every account, posted the requirements on chain and
              issued a margin call to every account whose collateral value fell short.
            </p>
            ${cyclesTable(document)}
          </section>
          <section id="calls">
            <h2>Margin calls</h2>
            <div class="charts-2">${chart("calls")}${chart("time-to-cover")}</div>
            ${callsTable(document)}
          </section>
          <section id="collateral">
            <h2>Collateral mix</h2>
            <div class="charts-2">${chart("mix-asset")}${chart("mix-currency")}</div>
            ${mixTables(document)}
          </section>
          <section id="fees">
            <h2>Collateral fees</h2>
            ${document.fees === null ? html`<p class="note">No collateral fees were computed for this run.</p>` : [chart("fees"), feesTable(document)]}
          </section>
          <section id="defaults">
            <h2>Defaults</h2>
            ${defaultsTables(document)}
          </section>
          ${document.settlement === null ? null : settlementTable(document)}
        </main>
        <footer>
          <p>
            The figures of this page are in <code>report.json</code> beside it (${document.format}, version
            ${document.version}). Amounts are whole yen; collateral values are after haircuts; coverage ratio
            = collateral value ÷ initial-margin requirement, shown rounded down to 0.1%. Times are UTC.
          </p>
          <p>
            Charts drawn by Chart.js ${assets.chartJsVersion} (MIT licence), inlined in this file; nothing is
            fetched from the network.
          </p>
        </footer>
        ${rawElement("script", jsonForScript(pageData), 'type="application/json" id="report-data"')}
        ${rawElement("script", chartJs)} ${rawElement("script", script)}
      </body>
    </html> `;
  return page.text;
}

function sha256(source: string): string {
  return `'sha256-${createHash("sha256").update(source, "utf8").digest("base64")}'`;
}

// ─── Formatting ──────────────────────────────────────────────────────────────────────────────────────────────

/** Yen with thousands separators: "1234567" → "1,234,567". */
export function yen(amount: string): string {
  return formatYen(BigInt(amount));
}

/** A count with thousands separators: 2353 → "2,353". */
export function count(value: number): string {
  return formatYen(BigInt(value));
}

/** A ratio as a percentage rounded down to 0.1% ("—" when there is none): 0.99999 → "99.9%". */
export function percent(ratio: number | null): string {
  if (ratio === null) return "—";
  return `${(Math.floor(ratio * 1000 + 1e-9) / 10).toFixed(1)}%`;
}

/** A duration in seconds, to the minute or second: 5940 → "1 h 39 min", 330 → "5 min 30 s". */
export function duration(seconds: number | null): string {
  if (seconds === null) return "—";
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) {
    const rest = seconds % 60;
    return `${Math.floor(seconds / 60)} min${rest === 0 ? "" : ` ${rest} s`}`;
  }
  const minutes = Math.floor(seconds / 60);
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** An ISO timestamp as "2026-11-05 08:01:30". */
export function time(stamp: Timestamp | null): string {
  return stamp === null ? "—" : stamp.replace("T", " ").replace(/Z$/, "");
}

/** A timestamp relative to another: only the time of day when both fall on the same date. */
function timeAfter(stamp: Timestamp, reference: Timestamp): string {
  return stamp.slice(0, 10) === reference.slice(0, 10) ? stamp.slice(11, 19) : time(stamp);
}

/** A token quantity in display units, with the decimals it needs: 2500000 with 6 decimals → "2.5". */
export function quantity(units: string, decimals: number): string {
  const text = formatMoney(BigInt(units), decimals);
  return decimals === 0 ? text : text.replace(/\.?0+$/, "");
}

function movements(list: readonly ReportMovement[], assets: ReadonlyMap<string, ReportAsset>): string {
  return list
    .map(
      (movement) =>
        `${quantity(movement.quantity, assets.get(movement.asset)?.decimals ?? 0)} ${movement.asset}`,
    )
    .join(", ");
}

// ─── Sections ────────────────────────────────────────────────────────────────────────────────────────────────

function runFacts(document: ReportDocument): SafeHtml {
  const { run, cycles } = document;
  const fact = (label: string, value: string) =>
    html`<div>
      <dt>${label}</dt>
      <dd>${value}</dd>
    </div>`;
  const first = cycles[0];
  const last = cycles[cycles.length - 1];
  return html`<dl class="run-facts">
    ${fact("Run", run.id)} ${fact("Network", `${run.network} (chain id ${run.chainId})`)}
    ${fact("Started", `${time(run.startedAt)} UTC`)} ${fact("Ended", `${time(run.endedAt)} UTC`)}
    ${fact("Business dates", first === undefined ? "—" : `${first.asOf} to ${last!.asOf} (${cycles.length} cycles)`)}
    ${fact("Participants and accounts", `${count(document.participants.length)} participants, ${count(document.accounts.length)} accounts`)}
    ${fact("Collateral assets", document.assets.map((asset) => asset.id).join(", "))}
  </dl>`;
}

function keyFigures(document: ReportDocument): SafeHtml {
  const s = document.summary;
  const row = (key: string, label: string, value: string) =>
    html`<tr>
      <th scope="row">${label}</th>
      <td class="num" data-key="${key}">${value}</td>
    </tr>`;
  return html`<section id="summary">
    <h2>Key figures</h2>
    <div class="table-wrap">
      <table class="key-figures" id="key-figures">
        <tbody>
          ${row("callsIssued", "Margin calls issued", count(s.callsIssued))}
          ${row("callsMet", "Met", `${count(s.callsMet)} (${count(s.callsMetInTime)} by the deadline)`)}
          ${row("callsDefaulted", "Defaulted", count(s.callsDefaulted))}
          ${row("callsOpen", "Still open", count(s.callsOpen))}
          ${row("totalCalled", "Shortfall called (yen)", yen(s.totalCalled))}
          ${row("totalAnswered", "Collateral value added by the answers (yen)", yen(s.totalAnswered))}
          ${row("medianTimeToCover", "Median time to cover", duration(s.medianTimeToCoverSeconds))}
          ${row("maxTimeToCover", "Longest time to cover", duration(s.maxTimeToCoverSeconds))}
          ${row("lowestCoverage", "Lowest coverage at posting", s.lowestCoverage === null ? "—" : `${percent(s.lowestCoverage.ratio)} (${s.lowestCoverage.account}, ${cycleName(document, s.lowestCoverage.cycle)})`)}
          ${row("finalRequirement", "Requirement, last cycle (yen)", yen(s.finalRequirement))}
          ${row("finalValueAtClose", "Collateral value at its close (yen)", yen(s.finalValueAtClose))}
          ${row("finalCoverage", "Coverage at its close", percent(s.finalCoverage))}
          ${row("defaults", "Defaults", count(s.defaults))}
          ${row("seizedValue", "Collateral seized (yen, after haircuts)", yen(s.seizedValue))}
          ${row("portedAccounts", "Accounts ported", count(s.portedAccounts))}
          ${row("totalFees", "Collateral fees (yen)", s.totalFees === null ? "—" : yen(s.totalFees))}
        </tbody>
      </table>
    </div>
  </section>`;
}

/** A cycle's label by its id (the id itself when unknown). */
function cycleName(document: ReportDocument, id: string): string {
  const cycle = document.cycles.find((candidate) => candidate.id === id);
  return cycle === undefined ? id : cycleLabel(cycle);
}

function figure(spec: ChartSpec): SafeHtml {
  return html`<figure id="figure-${spec.id}">
    <h3>${spec.title}</h3>
    <div class="chart-box"><canvas id="chart-${spec.id}" role="img" aria-label="${spec.title}"></canvas></div>
    <figcaption>${spec.description}</figcaption>
  </figure>`;
}

function coverageSelector(accounts: number, shown: number): SafeHtml | null {
  if (accounts <= shown) return null;
  return html`<form class="selector" id="coverage-selector" autocomplete="off">
    <label for="coverage-account">Add an account to the chart:</label>
    <input id="coverage-account" list="coverage-accounts" placeholder="account id" />
    <datalist id="coverage-accounts"></datalist>
    <button type="submit">Add</button>
    <button type="button" id="coverage-reset">Reset</button>
    <output id="coverage-message" aria-live="polite"></output>
  </form>`;
}

/** A table; marked to be folded (`data-fold`) when it has more than {@link FOLD_ROWS} rows. */
function table(
  id: string,
  caption: string,
  head: SafeHtml,
  rows: readonly SafeHtml[],
  foot: SafeHtml | null = null,
): SafeHtml {
  const fold = rows.length > FOLD_ROWS ? String(FOLDED_ROWS) : null;
  return html`<div class="table-wrap">
    <table id="${id}" data-fold="${fold}">
      <caption>
        ${caption}
      </caption>
      <thead>
        ${head}
      </thead>
      <tbody>
        ${rows.map((row) => html`${row} `)}
      </tbody>
      ${
        foot === null
          ? null
          : html`<tfoot>
              ${foot}
            </tfoot>`
      }
    </table>
  </div>`;
}

function accountsTable(document: ReportDocument): SafeHtml {
  const order = (account: ReportAccount) => account.minCoverage ?? Number.POSITIVE_INFINITY;
  const accounts = [...document.accounts].sort((a, b) => order(a) - order(b) || (a.id < b.id ? -1 : 1));
  const rows = accounts.map((account) => {
    const status = account.defaulted
      ? html`<span class="status-defaulted">defaulted</span>`
      : account.finalParticipant !== account.participant
        ? html`ported from ${account.participant}`
        : "";
    return html`<tr data-account="${account.id}">
      <td class="id">${account.id}</td>
      <td class="id">${account.finalParticipant}</td>
      <td>${account.kind}</td>
      <td>${account.customer ?? ""}</td>
      <td class="num${account.minCoverage !== null && account.minCoverage < 1 ? " short" : ""}">
        ${percent(account.minCoverage)}
      </td>
      <td class="num">${percent(account.lastCoverageAtPosting)}</td>
      <td class="num">${percent(account.lastCoverageAtClose)}</td>
      <td class="num">${count(account.calls)}</td>
      <td>${status}</td>
    </tr>`;
  });
  return table(
    "accounts-table",
    "Accounts, lowest coverage first. Coverage at posting: when the cycle's requirement was posted; at close: after the cycle's calls were answered.",
    html`<tr>
      <th>account</th>
      <th>participant</th>
      <th>kind</th>
      <th>customer</th>
      <th class="num">lowest coverage</th>
      <th class="num">last, at posting</th>
      <th class="num">last, at close</th>
      <th class="num">calls</th>
      <th>status</th>
    </tr>`,
    rows,
  );
}

function cyclesTable(document: ReportDocument): SafeHtml {
  const currencies = [...new Set(document.cycles.flatMap((cycle) => Object.keys(cycle.fxToYen)))].sort();
  const anyOpen = document.cycles.some((cycle) => cycle.callsOpen > 0);
  const rows = document.cycles.map(
    (cycle) =>
      html`<tr data-cycle="${cycle.id}">
        <td class="id">${cycleLabel(cycle)}</td>
        <td class="id">${timeAfter(cycle.postedAt, `${cycle.asOf}T`)}</td>
        ${currencies.map((currency) => html`<td class="num">${cycle.fxToYen[currency]?.toFixed(3) ?? "—"}</td>`)}
        <td class="num">${yen(cycle.totalRequirement)}</td>
        <td class="num">${yen(cycle.totalValueAtPosting)}</td>
        <td class="num">${percent(cycle.coverage?.min ?? null)}</td>
        <td class="num">${percent(cycle.coverage?.median ?? null)}</td>
        <td class="num">${count(cycle.accountsShort)}</td>
        <td class="num">${count(cycle.callsIssued)}</td>
        <td class="num">${count(cycle.callsMet)}</td>
        <td class="num">${count(cycle.callsDefaulted)}</td>
        ${anyOpen ? html`<td class="num">${count(cycle.callsOpen)}</td>` : null}
        <td class="num">${duration(cycle.medianTimeToCoverSeconds)}</td>
        <td class="num">${yen(cycle.totalValueAtClose)}</td>
      </tr>`,
  );
  return table(
    "cycles-table",
    "Per cycle: requirement and collateral value (yen) of all accounts at posting, coverage across accounts, calls, and the collateral value at the cycle's close.",
    html`<tr>
      <th>cycle</th>
      <th>posted</th>
      ${currencies.map((currency) => html`<th class="num">${currency}/JPY</th>`)}
      <th class="num">requirement</th>
      <th class="num">value at posting</th>
      <th class="num">lowest coverage</th>
      <th class="num">median coverage</th>
      <th class="num">accounts short</th>
      <th class="num">calls</th>
      <th class="num">met</th>
      <th class="num">defaulted</th>
      ${anyOpen ? html`<th class="num">open</th>` : null}
      <th class="num">median to cover</th>
      <th class="num">value at close</th>
    </tr>`,
    rows,
  );
}

function callsTable(document: ReportDocument): SafeHtml {
  const assets = new Map(document.assets.map((asset) => [asset.id, asset]));
  const cycles = new Map(document.cycles.map((cycle) => [cycle.id, cycle]));
  const rows = document.marginCalls.map((call: ReportMarginCall) => {
    const label = cycles.get(call.cycle);
    const answered = call.answers.length === 0 ? "—" : call.answeredBy.join(" + ");
    const posted = movements(call.posted, assets);
    const released = movements(call.released, assets);
    return html`<tr data-call="${call.id}">
      <td class="id">${label === undefined ? call.cycle : cycleLabel(label)}</td>
      <td class="id">${call.account}</td>
      <td class="id">${call.participant}</td>
      <td class="num">${yen(call.shortfall)}</td>
      <td class="id">${time(call.issuedAt)}</td>
      <td class="id">${timeAfter(call.deadline, call.issuedAt)}</td>
      <td class="status-${call.status}">${call.status}</td>
      <td class="num${call.metInTime === false ? " late" : ""}">${duration(call.timeToCoverSeconds)}</td>
      <td>${answered}</td>
      <td>${posted}${released === "" ? "" : ` (out: ${released})`}</td>
      <td class="num">${yen(call.netValueAdded)}</td>
    </tr>`;
  });
  if (rows.length === 0) return html`<p class="note">No margin call was issued in this run.</p>`;
  return table(
    "calls-table",
    "Every margin call: the shortfall called (yen), when it was issued and due (UTC), how it ended, and what answered it.",
    html`<tr>
      <th>cycle</th>
      <th>account</th>
      <th>participant</th>
      <th class="num">shortfall</th>
      <th>issued</th>
      <th>deadline</th>
      <th>status</th>
      <th class="num">time to cover</th>
      <th>answered by</th>
      <th>posted</th>
      <th class="num">value added</th>
    </tr>`,
    rows,
  );
}

function mixTables(document: ReportDocument): SafeHtml {
  const last = document.collateralMix[document.collateralMix.length - 1];
  if (last === undefined) return html`<p class="note">No cycle ran.</p>`;
  const assets = new Map(document.assets.map((asset) => [asset.id, asset]));
  const total = BigInt(last.totalValue);
  const share = (value: string) =>
    total === 0n ? "—" : percent(Number((BigInt(value) * 1_000_000n) / total) / 1_000_000);
  const label = cycleLabel(document.cycles[document.cycles.length - 1]!);
  const assetRows = last.byAsset.map((entry) => {
    const asset = assets.get(entry.asset)!;
    return html`<tr data-asset="${entry.asset}">
      <td>${entry.asset}</td>
      <td>${asset.name}</td>
      <td>${asset.currency}</td>
      <td class="num">${percent(asset.haircut)}</td>
      <td class="num">${quantity(entry.quantity, asset.decimals)}</td>
      <td class="num">${yen(entry.marketValue)}</td>
      <td class="num">${yen(entry.value)}</td>
      <td class="num">${share(entry.value)}</td>
    </tr>`;
  });
  const byAsset = table(
    "mix-table",
    `Collateral held at the close of ${label}, by asset (quantities in token units, values in yen).`,
    html`<tr>
      <th>asset</th>
      <th>name</th>
      <th>currency</th>
      <th class="num">haircut</th>
      <th class="num">quantity</th>
      <th class="num">market value</th>
      <th class="num">collateral value</th>
      <th class="num">share</th>
    </tr>`,
    assetRows,
    html`<tr>
      <th colspan="5">total</th>
      <td class="num">${yen(last.totalMarketValue)}</td>
      <td class="num">${yen(last.totalValue)}</td>
      <td class="num">${total === 0n ? "—" : "100.0%"}</td>
    </tr>`,
  );
  const currencyRows = last.byCurrency.map(
    (entry) =>
      html`<tr data-currency="${entry.currency}">
        <td>${entry.currency}</td>
        <td class="num">${yen(entry.marketValue)}</td>
        <td class="num">${yen(entry.value)}</td>
        <td class="num">${share(entry.value)}</td>
      </tr>`,
  );
  const byCurrency = table(
    "mix-currency-table",
    `The same, by currency (yen).`,
    html`<tr>
      <th>currency</th>
      <th class="num">market value</th>
      <th class="num">collateral value</th>
      <th class="num">share</th>
    </tr>`,
    currencyRows,
  );
  return html`${byAsset}${byCurrency}`;
}

function feesTable(document: ReportDocument): SafeHtml {
  const fees = document.fees!;
  const column = (key: "trustFee" | "jgbFee" | "ustFaceFee" | "ustMarketValueFee" | "ustInstructionFee") =>
    yen(fees.participants.reduce((total, row) => total + BigInt(row[key]), 0n).toString());
  const rows = fees.participants.map(
    (row) =>
      html`<tr data-participant="${row.participant}">
        <td class="id">${row.participant}</td>
        <td class="num">${yen(row.trustFee)}</td>
        <td class="num">${yen(row.jgbFee)}</td>
        <td class="num">${yen(row.ustFaceFee)}</td>
        <td class="num">${yen(row.ustMarketValueFee)}</td>
        <td class="num">${yen(row.ustInstructionFee)}</td>
        <td class="num">${yen(row.total)}</td>
      </tr>`,
  );
  return table(
    "fees-table",
    `Collateral fees for ${fees.period.start} to ${fees.period.end} (${fees.period.days} days), whole yen, each fee rounded down (JSCC, collateral fees rule outline, 2023).`,
    html`<tr>
      <th>participant</th>
      <th class="num">trust (negative rate)</th>
      <th class="num">JGB custody</th>
      <th class="num">UST face value</th>
      <th class="num">UST month-end value</th>
      <th class="num">UST instructions</th>
      <th class="num">total</th>
    </tr>`,
    rows,
    html`<tr>
      <th>total</th>
      <td class="num">${column("trustFee")}</td>
      <td class="num">${column("jgbFee")}</td>
      <td class="num">${column("ustFaceFee")}</td>
      <td class="num">${column("ustMarketValueFee")}</td>
      <td class="num">${column("ustInstructionFee")}</td>
      <td class="num" data-key="feesTotal">${yen(fees.total)}</td>
    </tr>`,
  );
}

function defaultsTables(document: ReportDocument): SafeHtml {
  if (document.defaults.length === 0) return html`<p class="note">No default in this run.</p>`;
  const assets = new Map(document.assets.map((asset) => [asset.id, asset]));
  const rows = document.defaults.map(
    (fault) =>
      html`<tr data-default="${fault.id}">
        <td>${fault.participant}</td>
        <td>${fault.scope === "participant" ? "participant" : `account ${fault.account ?? ""}`}</td>
        <td>${fault.cycle}</td>
        <td>${time(fault.declaredAt)}</td>
        <td>${fault.calls.map((id) => `call ${id}`).join(", ")}</td>
        <td class="num">${yen(fault.seizedMarketValue)}</td>
        <td class="num">${yen(fault.seizedValue)}</td>
        <td>
          ${fault.ported.length === 0 ? "—" : fault.ported.map((porting) => `${porting.account} → ${porting.to}`).join(", ")}
        </td>
      </tr>`,
  );
  const summary = table(
    "defaults-table",
    "Defaults declared after a margin call's deadline passed unmet: the collateral seized (yen) and the customer accounts ported to another participant.",
    html`<tr>
      <th>participant</th>
      <th>scope</th>
      <th>cycle</th>
      <th>declared (UTC)</th>
      <th>unmet calls</th>
      <th class="num">seized, market value</th>
      <th class="num">seized, after haircuts</th>
      <th>ported accounts</th>
    </tr>`,
    rows,
  );
  const seized = document.defaults.flatMap((fault) =>
    fault.seized.map(
      (seizure) =>
        html`<tr>
          <td>${fault.participant}</td>
          <td>${seizure.account}</td>
          <td>${seizure.asset}</td>
          <td class="num">${quantity(seizure.quantity, assets.get(seizure.asset)?.decimals ?? 0)}</td>
          <td class="num">${yen(seizure.marketValue)}</td>
          <td class="num">${yen(seizure.value)}</td>
        </tr>`,
    ),
  );
  const seizedTable =
    seized.length === 0
      ? null
      : table(
          "seized-table",
          "Collateral seized, by account and asset.",
          html`<tr>
            <th>participant</th>
            <th>account</th>
            <th>asset</th>
            <th class="num">quantity</th>
            <th class="num">market value</th>
            <th class="num">after haircuts</th>
          </tr>`,
          seized,
        );
  return html`${summary}${seizedTable}`;
}

function settlementTable(document: ReportDocument): SafeHtml {
  const rows = document.settlement!.map(
    (session) =>
      html`<tr data-session="${session.id}">
        <td>${session.id}</td>
        <td>${session.businessDate}</td>
        <td class="num">${session.trades}</td>
        <td class="num">${session.settled}</td>
        <td class="num">${session.settledAfterRetry}</td>
        <td class="num">${session.cancelled}</td>
        <td class="num">${session.failedAttempts}</td>
        <td class="num">${yen(session.cashSettled)}</td>
      </tr>`,
  );
  return html`<section id="settlement">
    <h2>Delivery-versus-payment settlement</h2>
    ${table(
      "settlement-table",
      "Trading sessions settled trade by trade, each security leg and cash leg in one transaction or not at all.",
      html`<tr>
        <th>session</th>
        <th>business date</th>
        <th class="num">trades</th>
        <th class="num">settled</th>
        <th class="num">after a retry</th>
        <th class="num">cancelled</th>
        <th class="num">refused attempts</th>
        <th class="num">cash settled (yen)</th>
      </tr>`,
      rows,
    )}
  </section>`;
}
