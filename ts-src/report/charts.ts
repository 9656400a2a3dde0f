/**
 * The report's charts, as Chart.js configurations built from the report document. Pure and JSON-safe: the
 * page script (assets/report.js) only adds the number formatters, named here by `format` keys
 * (`ticks.format`, `plugins.tooltip.format`), hides from the legend the datasets marked `hideInLegend`, and
 * hands each configuration to Chart.js. Account lines are marked `account: true` (the selector adds and
 * removes them, before the 100% line, marked `reference: true`).
 *
 * Chart values are floats (yen as JavaScript numbers, exact up to 9 × 10^15): they draw the picture; the
 * exact figures are in the tables and in report.json.
 */
import type { ReportDocument, ReportMarginCall } from "./types.ts";

/** How the page script formats a value: a ratio as a percentage, yen, a count, minutes. */
export type ValueFormat = "percent" | "yen" | "count" | "seconds" | "minutes" | "hours";

/** One chart: where it goes in the page and its Chart.js configuration (with `format` keys). */
export type ChartSpec = {
  /** The canvas is `#chart-<id>`. */
  id: string;
  title: string;
  /** One or two sentences under the title: what is drawn and how to read it. */
  description: string;
  /** Height of the drawing area, CSS pixels. */
  heightPx: number;
  config: { type: string; data: { labels: string[]; datasets: Record<string, unknown>[] }; options: object };
};

/** Every account's coverage series, for the page's account selector (large runs). */
export type CoverageSeries = {
  chartId: string;
  /** Every account with a requirement in some cycle. */
  accounts: string[];
  /** ratios[i][c]: account i at cycle c, at posting (null: not margined or no requirement). */
  ratios: (number | null)[][];
  /** The accounts drawn as lines when the page opens. */
  shown: string[];
  palette: string[];
};

/** What the page script reads from the embedded JSON. */
export type PageData = { charts: ChartSpec[]; coverage: CoverageSeries };

/** Up to this many accounts, the coverage chart draws every account; beyond, the spread and the worst few. */
export const MAX_ACCOUNT_LINES = 12;
/** Accounts drawn as lines over the spread when there are more than {@link MAX_ACCOUNT_LINES}. */
export const WORST_ACCOUNT_LINES = 6;
/** Participants drawn one by one in the fees chart; the others are added up in one bar. */
export const MAX_FEE_BARS = 25;
/** The coverage axis stops here (300%); an account covered more runs off the top. */
export const COVERAGE_AXIS_CAP = 3;

/** Twelve distinguishable line colours (Tableau 10, and two more). */
export const PALETTE = [
  "#4e79a7",
  "#f28e2b",
  "#59a14f",
  "#e15759",
  "#76b7b2",
  "#b07aa1",
  "#edc948",
  "#9c755f",
  "#ff9da7",
  "#bab0ac",
  "#1f3b73",
  "#6b8e23",
];
const ASSET_COLOURS = [
  "#1f5f99",
  "#e69f00",
  "#2e8b57",
  "#8e6bbf",
  "#c0504d",
  "#4bacc6",
  "#7f7f7f",
  "#9bbb59",
];
const STATUS = { issued: "#546e7a", met: "#2e7d32", defaulted: "#c62828", open: "#f9a825", late: "#ef6c00" };
const INK = "#263238";
/** The bars of the calls chart: each outcome and the cycle's count of it. */
const CALL_OUTCOMES = [
  ["issued", "callsIssued"],
  ["met", "callsMet"],
  ["defaulted", "callsDefaulted"],
  ["open", "callsOpen"],
] as const;

/** A time-to-cover bucket, seconds: [from, to). */
export interface TimeBucket {
  readonly label: string;
  readonly from: number;
  readonly to: number;
}

const bucketsOf = (edges: readonly number[], label: (from: number, to: number) => string): TimeBucket[] =>
  edges.map((from, i) => {
    const to = edges[i + 1] ?? Number.POSITIVE_INFINITY;
    return { label: label(from, to), from, to };
  });

const MINUTE = 60;
const HOUR = 3_600;

/**
 * The time-to-cover buckets for calls met within at most `longestSeconds`: seconds when every call was met within a
 * minute (an automated run on a fast chain), minutes within a quarter of an hour, else up to hours (a run where people
 * answer).
 *
 * @example
 *   timeToCoverBuckets(11)[0]; // { label: "< 5 s", from: 0, to: 5 }
 */
export function timeToCoverBuckets(longestSeconds: number): TimeBucket[] {
  if (longestSeconds < MINUTE) {
    return bucketsOf([0, 5, 10, 20, 30, 45], (from, to) =>
      from === 0 ? `< ${to} s` : `${from}–${to === Infinity ? 60 : to} s`,
    );
  }
  if (longestSeconds < 15 * MINUTE) {
    return bucketsOf(
      [0, 1, 2, 5, 10].map((m) => m * MINUTE),
      (from, to) => (from === 0 ? "< 1 min" : `${from / MINUTE}–${to === Infinity ? 15 : to / MINUTE} min`),
    );
  }
  return bucketsOf(
    [0, 15, 30, 60, 120, 240, 480].map((m) => m * MINUTE),
    (from, to) => {
      const text = (seconds: number) => (seconds < HOUR ? `${seconds / MINUTE} min` : `${seconds / HOUR} h`);
      if (from === 0) return `< ${text(to)}`;
      if (to === Infinity) return `≥ ${text(from)}`;
      return to <= HOUR ? `${from / MINUTE}–${to / MINUTE} min` : `${from / HOUR}–${to / HOUR} h`;
    },
  );
}

/** The unit a chart shows durations of at most `longestSeconds` in, and its divisor. */
export function durationUnit(longestSeconds: number): {
  format: "seconds" | "minutes" | "hours";
  name: string;
  short: string;
  seconds: number;
} {
  if (longestSeconds < 2 * MINUTE) return { format: "seconds", name: "seconds", short: "s", seconds: 1 };
  if (longestSeconds < 2 * HOUR) return { format: "minutes", name: "minutes", short: "min", seconds: MINUTE };
  return { format: "hours", name: "hours", short: "h", seconds: HOUR };
}

/** The label of a cycle on a chart's axis: "2026-11-05 EOD", "2026-11-05 intraday". */
export function cycleLabel(cycle: { asOf: string; kind: string }): string {
  return `${cycle.asOf} ${cycle.kind === "intraday" ? "intraday" : "EOD"}`;
}

/**
 * The charts of a report, in page order: coverage, calls per cycle, time to cover, collateral by asset, by
 * currency, and (when fees were computed) fees per participant.
 *
 * @example
 *   const { charts } = buildCharts(document);
 *   charts.map((chart) => chart.id); // ["coverage", "calls", "time-to-cover", "mix-asset", "mix-currency", "fees"]
 */
export function buildCharts(document: ReportDocument): PageData {
  const coverage = coverageSeries(document);
  const charts = [
    coverageChart(document, coverage),
    callsChart(document),
    timeToCoverChart(document.marginCalls),
    mixChart(document, "asset"),
    mixChart(document, "currency"),
  ];
  if (document.fees !== null) charts.push(feesChart(document));
  return { charts, coverage };
}

function coverageSeries(document: ReportDocument): CoverageSeries {
  const index = new Map<string, number>();
  const accounts: string[] = [];
  for (const account of document.accounts) {
    index.set(account.id, accounts.length);
    accounts.push(account.id);
  }
  const ratios = accounts.map(() => document.cycles.map((): number | null => null));
  document.cycles.forEach((cycle, c) => {
    for (const entry of cycle.accounts) ratios[index.get(entry.account)!]![c] = entry.coverageAtPosting;
  });
  const withRequirement = accounts.filter((_, i) => ratios[i]!.some((ratio) => ratio !== null));
  const minimum = new Map(document.accounts.map((account) => [account.id, account.minCoverage]));
  const shown =
    withRequirement.length <= MAX_ACCOUNT_LINES
      ? withRequirement
      : [...withRequirement]
          .sort((a, b) => minimum.get(a)! - minimum.get(b)! || (a < b ? -1 : 1))
          .slice(0, WORST_ACCOUNT_LINES);
  const keep = new Set(withRequirement);
  return {
    chartId: "coverage",
    accounts: accounts.filter((id) => keep.has(id)),
    ratios: ratios.filter((_, i) => keep.has(accounts[i]!)),
    shown,
    palette: PALETTE,
  };
}

function coverageChart(document: ReportDocument, series: CoverageSeries): ChartSpec {
  const labels = document.cycles.map(cycleLabel);
  const datasets: Record<string, unknown>[] = [];
  const many = series.accounts.length > MAX_ACCOUNT_LINES;
  if (many) {
    const band = (key: "min" | "p25" | "median" | "p75" | "max") =>
      document.cycles.map((cycle) => cycle.coverage?.[key] ?? null);
    const area = { pointRadius: 0, borderWidth: 0, tension: 0 };
    datasets.push(
      { label: "highest", data: band("max"), ...area, fill: false, hideInLegend: true },
      {
        label: "lowest to highest",
        data: band("min"),
        ...area,
        backgroundColor: "rgba(120, 144, 156, 0.18)",
        fill: "-1",
      },
      { label: "upper quartile", data: band("p75"), ...area, fill: false, hideInLegend: true },
      {
        label: "middle half of the accounts",
        data: band("p25"),
        ...area,
        backgroundColor: "rgba(84, 110, 122, 0.30)",
        fill: "-1",
      },
      {
        label: "median",
        data: band("median"),
        borderColor: "#37474f",
        borderWidth: 2,
        pointRadius: 0,
        fill: false,
        tension: 0,
      },
    );
  }
  const position = new Map(series.accounts.map((id, i) => [id, i]));
  series.shown.forEach((id, i) => {
    datasets.push({
      label: id,
      data: series.ratios[position.get(id)!]!,
      borderColor: series.palette[i % series.palette.length],
      backgroundColor: series.palette[i % series.palette.length],
      borderWidth: 1.5,
      pointRadius: 2.5,
      tension: 0,
      fill: false,
      spanGaps: false,
      account: true,
    });
  });
  datasets.push({
    label: "requirement (100%)",
    data: labels.map(() => 1),
    reference: true,
    borderColor: INK,
    borderDash: [6, 4],
    borderWidth: 1,
    pointRadius: 0,
    fill: false,
  });
  const markers = defaultMarkers(document);
  if (markers.length > 0) {
    datasets.push({
      label: "default declared",
      data: markers,
      showLine: false,
      pointStyle: "triangle",
      pointRadius: 8,
      pointHoverRadius: 10,
      borderColor: STATUS.defaulted,
      backgroundColor: STATUS.defaulted,
    });
  }
  const all = series.ratios.flat().filter((ratio): ratio is number => ratio !== null);
  const lowest = all.length === 0 ? 1 : Math.min(...all);
  const highest = all.length === 0 ? 1 : Math.max(...all);
  const max = Math.min(COVERAGE_AXIS_CAP, Math.ceil(Math.max(highest, 1) * 10 + 0.5) / 10);
  const min = Math.max(0, Math.floor(Math.min(lowest, 1) * 10 - 0.5) / 10);
  const clipped = highest > COVERAGE_AXIS_CAP;
  const description =
    "Collateral value after haircuts ÷ initial-margin requirement, when each cycle's requirement was posted; " +
    "below the dashed 100% line the account was short and a margin call went out." +
    (many
      ? ` With ${series.accounts.length} accounts the bands show the spread (lowest to highest, middle half, median) and the lines the ${series.shown.length} accounts that fell lowest; add any account below.`
      : "") +
    (markers.length > 0 ? " Red triangles: defaults declared." : "") +
    (clipped ? ` The axis stops at ${COVERAGE_AXIS_CAP * 100}%; higher ratios run off the top.` : "");
  return {
    id: "coverage",
    title: "Coverage ratio by account",
    description,
    heightPx: 380,
    config: {
      type: "line",
      data: { labels, datasets },
      options: {
        interaction: { mode: "nearest", intersect: false },
        scales: {
          y: { min, max, title: { display: true, text: "coverage" }, ticks: { format: "percent" } },
          x: { ticks: { autoSkip: true, maxRotation: 0 } },
        },
        plugins: {
          tooltip: { format: "percent" },
          legend: { position: "bottom", labels: { boxWidth: 14 } },
        },
      },
    },
  };
}

/** One marker per account in default, at its coverage when the default's cycle posted its requirement. */
function defaultMarkers(document: ReportDocument): { x: string; y: number }[] {
  const markers: { x: string; y: number }[] = [];
  for (const fault of document.defaults) {
    const cycle = document.cycles.find((candidate) => candidate.id === fault.cycle);
    if (cycle === undefined) continue;
    const calledAccounts = new Set(
      document.marginCalls.filter((call) => fault.calls.includes(call.id)).map((call) => call.account),
    );
    if (fault.account !== null) calledAccounts.add(fault.account);
    for (const entry of cycle.accounts) {
      if (calledAccounts.has(entry.account)) {
        markers.push({ x: cycleLabel(cycle), y: entry.coverageAtPosting ?? 0 });
      }
    }
  }
  return markers;
}

function callsChart(document: ReportDocument): ChartSpec {
  const labels = document.cycles.map(cycleLabel);
  const unit = durationUnit(
    document.cycles.reduce((max, cycle) => Math.max(max, cycle.medianTimeToCoverSeconds ?? 0), 0),
  );
  const bar = (label: string, colour: string, data: number[]) => ({
    type: "bar",
    label,
    data,
    backgroundColor: colour,
    borderColor: colour,
    yAxisID: "y",
  });
  return {
    id: "calls",
    title: "Margin calls per cycle",
    description:
      "Calls issued in each cycle and how they ended (met, defaulted, still open); the line is the median time " +
      "from issue to cover of the cycle's met calls (right axis).",
    heightPx: 320,
    config: {
      type: "bar",
      data: {
        labels,
        datasets: [
          ...CALL_OUTCOMES.map(([outcome, field]) =>
            bar(
              outcome,
              STATUS[outcome],
              document.cycles.map((cycle) => cycle[field]),
            ),
          ),
          {
            type: "line",
            label: `median time to cover (${unit.short})`,
            timeFormat: unit.format,
            data: document.cycles.map((cycle) =>
              cycle.medianTimeToCoverSeconds === null
                ? null
                : Math.round((cycle.medianTimeToCoverSeconds / unit.seconds) * 10) / 10,
            ),
            borderColor: "#6a1b9a",
            backgroundColor: "#6a1b9a",
            pointRadius: 3,
            yAxisID: "y1",
            spanGaps: true,
          },
        ],
      },
      options: {
        scales: {
          y: {
            beginAtZero: true,
            title: { display: true, text: "calls" },
            ticks: { format: "count", precision: 0 },
          },
          y1: {
            beginAtZero: true,
            position: "right",
            grid: { drawOnChartArea: false },
            title: { display: true, text: unit.name },
            ticks: { format: unit.format },
          },
          x: { ticks: { maxRotation: 0, autoSkip: true } },
        },
        plugins: { legend: { position: "bottom", labels: { boxWidth: 14 } } },
      },
    },
  };
}

function timeToCoverChart(calls: readonly ReportMarginCall[]): ChartSpec {
  const times = calls.flatMap((call) => (call.timeToCoverSeconds === null ? [] : [call.timeToCoverSeconds]));
  const buckets = timeToCoverBuckets(times.reduce((max, t) => Math.max(max, t), 0));
  const inTime = buckets.map(() => 0);
  const late = buckets.map(() => 0);
  for (const call of calls) {
    if (call.timeToCoverSeconds === null) continue;
    const seconds = call.timeToCoverSeconds;
    const bucket = buckets.findIndex((b) => seconds >= b.from && seconds < b.to);
    (call.metInTime === true ? inTime : late)[bucket]! += 1;
  }
  return {
    id: "time-to-cover",
    title: "Time to cover",
    description:
      "How long the met calls took from issue to cover, split by whether they were met by the deadline.",
    heightPx: 280,
    config: {
      type: "bar",
      data: {
        labels: buckets.map((bucket) => bucket.label),
        datasets: [
          { label: "met by the deadline", data: inTime, backgroundColor: STATUS.met },
          { label: "met after the deadline", data: late, backgroundColor: STATUS.late },
        ],
      },
      options: {
        scales: {
          x: { stacked: true },
          y: {
            stacked: true,
            beginAtZero: true,
            title: { display: true, text: "calls" },
            ticks: { format: "count", precision: 0 },
          },
        },
        plugins: { tooltip: { format: "count" }, legend: { position: "bottom", labels: { boxWidth: 14 } } },
      },
    },
  };
}

function mixChart(document: ReportDocument, by: "asset" | "currency"): ChartSpec {
  const labels = document.cycles.map(cycleLabel);
  const keys =
    by === "asset"
      ? document.assets.map((asset) => asset.id)
      : [...new Set(document.assets.map((asset) => asset.currency))].sort();
  const names = new Map(document.assets.map((asset) => [asset.id, `${asset.id} (${asset.currency})`]));
  const datasets = keys.map((key, i) => ({
    label: by === "asset" ? names.get(key)! : key,
    data: document.collateralMix.map((mix) =>
      Number(
        by === "asset"
          ? (mix.byAsset.find((entry) => entry.asset === key)?.value ?? "0")
          : (mix.byCurrency.find((entry) => entry.currency === key)?.value ?? "0"),
      ),
    ),
    backgroundColor: ASSET_COLOURS[i % ASSET_COLOURS.length],
  }));
  return {
    id: by === "asset" ? "mix-asset" : "mix-currency",
    title: by === "asset" ? "Collateral by asset" : "Collateral by currency",
    description:
      by === "asset"
        ? "Collateral value after haircuts held at each cycle's close, all accounts together, by asset (yen)."
        : "The same collateral by the currency of the asset (yen value after haircuts).",
    heightPx: 300,
    config: {
      type: "bar",
      data: { labels, datasets },
      options: {
        scales: {
          x: { stacked: true, ticks: { maxRotation: 0, autoSkip: true } },
          y: {
            stacked: true,
            beginAtZero: true,
            title: { display: true, text: "yen" },
            ticks: { format: "yen" },
          },
        },
        plugins: { tooltip: { format: "yen" }, legend: { position: "bottom", labels: { boxWidth: 14 } } },
      },
    },
  };
}

function feesChart(document: ReportDocument): ChartSpec {
  const fees = document.fees!;
  const rows = [...fees.participants].sort(
    (a, b) => Number(BigInt(b.total) - BigInt(a.total)) || (a.participant < b.participant ? -1 : 1),
  );
  const kinds = [
    ["trustFee", "trust (negative rate)"],
    ["jgbFee", "JGB custody"],
    ["ustFaceFee", "UST face value"],
    ["ustMarketValueFee", "UST month-end value"],
    ["ustInstructionFee", "UST instructions"],
  ] as const;
  const shown = rows.length <= MAX_FEE_BARS ? rows : rows.slice(0, MAX_FEE_BARS - 1);
  const others = rows.slice(shown.length);
  const labels = shown.map((row) => row.participant);
  if (others.length > 0) labels.push(`${others.length} others`);
  const datasets = kinds.map(([key, label], i) => {
    const data = shown.map((row) => Number(row[key]));
    if (others.length > 0) data.push(others.reduce((total, row) => total + Number(row[key]), 0));
    return { label, data, backgroundColor: ASSET_COLOURS[i % ASSET_COLOURS.length] };
  });
  return {
    id: "fees",
    title: "Collateral fees by participant",
    description:
      `Fees for ${fees.period.start} to ${fees.period.end} (${fees.period.days} days), whole yen, by kind` +
      (others.length > 0
        ? `; the ${shown.length} largest, the other ${others.length} participants added up.`
        : "."),
    heightPx: Math.max(220, 60 + 26 * labels.length),
    config: {
      type: "bar",
      data: { labels, datasets },
      options: {
        indexAxis: "y",
        scales: {
          x: {
            stacked: true,
            beginAtZero: true,
            title: { display: true, text: "yen" },
            ticks: { format: "yen" },
          },
          y: { stacked: true },
        },
        plugins: { tooltip: { format: "yen" }, legend: { position: "bottom", labels: { boxWidth: 14 } } },
      },
    },
  };
}
