/**
 * The report on disk: `<root>/<run id>/index.html` and `report.json` beside it. Reads the inlined sources
 * (Chart.js from node_modules, the page script and style sheet from ./assets) at render time.
 */
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { RUN_ID } from "./builder.ts";
import { ReportInputError } from "./errors.ts";
import { readReportJson, reportToJson } from "./json.ts";
import { type PageAssets, renderReportHtml } from "./render.ts";
import type { ReportDocument } from "./types.ts";

/** The file names inside a report folder. */
export const REPORT_HTML = "index.html";
export const REPORT_JSON = "report.json";

/**
 * Reads what the page inlines: Chart.js's UMD bundle (its source-map comment dropped, as the map is not
 * shipped), the page script and the style sheet.
 *
 * @example
 *   const page = renderReportHtml(document, loadPageAssets());
 */
export function loadPageAssets(): PageAssets {
  const require = createRequire(import.meta.url);
  // chart.js's exports map hides dist/chart.umd.min.js; it sits beside the CommonJS entry point.
  const chartDist = dirname(require.resolve("chart.js"));
  const chartJs = readFileSync(join(chartDist, "chart.umd.min.js"), "utf8").replace(
    /\n?\/\/# sourceMappingURL=\S+\s*$/,
    "\n",
  );
  const version = /Chart\.js v(\d+\.\d+\.\d+)/.exec(chartJs)?.[1] ?? "4";
  const here = dirname(fileURLToPath(import.meta.url));
  return {
    chartJs,
    chartJsVersion: version,
    script: readFileSync(join(here, "assets", "report.js"), "utf8"),
    style: readFileSync(join(here, "assets", "report.css"), "utf8"),
  };
}

/** Where a report was written. */
export type WrittenReport = { folder: string; html: string; json: string };

/**
 * Writes `report.json` and `index.html` into `folder` (created if needed). Each file is written to a
 * temporary name and renamed, so a reader never sees half a file.
 *
 * @example
 *   writeReportFiles(buildReport(facts), "out/preview"); // out/preview/index.html, out/preview/report.json
 */
export function writeReportFiles(
  document: ReportDocument,
  folder: string,
  assets: PageAssets = loadPageAssets(),
): WrittenReport {
  mkdirSync(folder, { recursive: true });
  const json = join(folder, REPORT_JSON);
  const page = join(folder, REPORT_HTML);
  writeAtomically(json, reportToJson(document));
  writeAtomically(page, renderReportHtml(document, assets));
  return { folder, html: page, json };
}

/**
 * Writes the report of a run into `<root>/<run id>/` (root defaults to `reports`).
 *
 * @example
 *   const { html } = writeReport(buildReport(facts)); // reports/demo-2026-11-20/index.html
 */
export function writeReport(document: ReportDocument, root = "reports"): WrittenReport {
  if (!RUN_ID.test(document.run.id)) {
    throw new ReportInputError(
      "REPORT_INPUT_BAD_RUN_ID",
      `run id ${JSON.stringify(document.run.id)} cannot name a folder`,
      {
        file: REPORT_JSON,
        path: "run.id",
      },
    );
  }
  return writeReportFiles(document, join(root, document.run.id));
}

/**
 * Draws `index.html` again from a report's `report.json`: `source` is the report folder or the JSON file;
 * the page goes beside the JSON, or into `out` when given.
 *
 * @example
 *   rerenderReport("reports/demo-2026-11-20"); // rewrites reports/demo-2026-11-20/index.html
 */
export function rerenderReport(source: string, out?: string): WrittenReport & { document: ReportDocument } {
  const json = isFolder(source) ? join(source, REPORT_JSON) : source;
  const document = readReportJson(json);
  const folder = out ?? dirname(json);
  mkdirSync(folder, { recursive: true });
  const page = join(folder, REPORT_HTML);
  writeAtomically(page, renderReportHtml(document, loadPageAssets()));
  if (out !== undefined) writeAtomically(join(folder, REPORT_JSON), reportToJson(document));
  return { folder, html: page, json: out === undefined ? json : join(folder, REPORT_JSON), document };
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function writeAtomically(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}
