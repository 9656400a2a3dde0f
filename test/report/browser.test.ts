/**
 * The run report opened in a real browser: Debian's Chromium, headless, driven by puppeteer-core. For a
 * demo-sized sample run, a sample run of 1,000 accounts, and the demo's real run (its automation part, run here on the
 * in-process network as `npm run demo` runs it) it checks that every chart was drawn (a Chart.js instance on
 * each canvas, and the canvas painted in its datasets' colours), that the tables hold the document's
 * figures, that no script error or console error occurred, and that nothing but the file itself was
 * requested. Then the interactive parts: the folded tables, the coverage chart's account selector, and the
 * page without JavaScript.
 *
 * Without Chromium the suite is skipped with a message saying how to install it, except under CI=true,
 * where it fails. CHROMIUM_PATH points at another Chromium or Chrome; REPORT_SCREENSHOTS=<folder> saves a
 * full-page screenshot of each report there.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

import { expect } from "chai";
import puppeteer, { type Browser, type Page } from "puppeteer-core";

import { automationDemo } from "../../scripts/demo/automation.ts";
import { buildReport } from "../../ts-src/report/builder.ts";
import { buildCharts, type ChartSpec, MAX_ACCOUNT_LINES } from "../../ts-src/report/charts.ts";
import { writeReport } from "../../ts-src/report/files.ts";
import { readReportJson } from "../../ts-src/report/json.ts";
import { count, FOLD_ROWS, FOLDED_ROWS, percent, yen } from "../../ts-src/report/render.ts";
import {
  DEMO_SAMPLE,
  generateSampleRun,
  LARGE_SAMPLE,
  type SampleOptions,
} from "../../ts-src/report/sample.ts";
import type { ReportDocument } from "../../ts-src/report/types.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const INSTALL = "apt-get update && apt-get install -y chromium";
const FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** What the page reports about one canvas. */
type CanvasState = {
  id: string;
  type: string | null;
  datasets: number;
  width: number;
  height: number;
  painted: number;
  colours: string[];
};

/** Runs in the page: each canvas, its Chart.js instance, and which colours its pixels hold. */
const INSPECT_CANVASES = `(() => Array.from(document.querySelectorAll("canvas")).map((canvas) => {
  const chart = Chart.getChart(canvas);
  const { width, height } = canvas;
  const pixels = canvas.getContext("2d").getImageData(0, 0, width, height).data;
  const colours = new Set();
  let painted = 0;
  for (let i = 0; i < pixels.length; i += 4) {
    if (pixels[i + 3] < 250) continue;
    painted += 1;
    colours.add("#" + [pixels[i], pixels[i + 1], pixels[i + 2]].map((c) => c.toString(16).padStart(2, "0")).join(""));
  }
  return { id: canvas.id, type: chart ? chart.config.type : null, datasets: chart ? chart.data.datasets.length : 0,
    width, height, painted, colours: Array.from(colours) };
}))()`;

/** The hex colours a chart's datasets are drawn in. */
function datasetColours(spec: ChartSpec): string[] {
  const colours = new Set<string>();
  for (const dataset of spec.config.data.datasets) {
    for (const key of ["borderColor", "backgroundColor"]) {
      const colour = dataset[key];
      if (typeof colour === "string" && /^#[0-9a-f]{6}$/i.test(colour)) colours.add(colour.toLowerCase());
    }
  }
  return [...colours];
}

describe("run report in a real browser (headless Chromium)", function () {
  this.timeout(300_000);
  const temp = mkdtempSync(join(tmpdir(), "ccp-report-browser-"));
  let browser: Browser | undefined;

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      const message =
        `no Chromium at ${CHROMIUM}, which the report's browser test needs: install Debian's package ` +
        `(as root: ${INSTALL}) or point CHROMIUM_PATH at a Chromium or Chrome`;
      if (process.env.CI === "true") throw new Error(`${message} (CI=true: failing instead of skipping)`);
      console.warn(`    skipped: ${message}`);
      this.skip();
    }
    const profile = join(temp, "profile");
    mkdirSync(profile);
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      userDataDir: profile,
      args: FLAGS,
    });
  });

  after(async () => {
    await browser?.close();
    rmSync(temp, { recursive: true, force: true });
  });

  /** Opens a report with every request, console error and page error recorded; only the file is let through. */
  async function open(html: string, javaScript = true) {
    const page = await browser!.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    await page.setJavaScriptEnabled(javaScript);
    const url = pathToFileURL(html).href;
    const requests: string[] = [];
    const errors: string[] = [];
    await page.setRequestInterception(true);
    page.on("request", (request) => {
      requests.push(request.url());
      if (request.url() === url) void request.continue();
      else void request.abort();
    });
    page.on("console", (message) => {
      if (message.type() === "error" || message.type() === "warn")
        errors.push(`console ${message.type()}: ${message.text()}`);
    });
    page.on("pageerror", (error) => errors.push(`page error: ${String(error)}`));
    await page.goto(url, { waitUntil: "load" });
    return { page, url, requests, errors };
  }

  const text = (page: Page, selector: string) =>
    page.$eval(selector, (element) => (element.textContent ?? "").trim());

  /** A sample run's report, written under the temporary folder. */
  const sample = (options: SampleOptions) => async () => {
    const document = buildReport(generateSampleRun(options));
    return { document, html: writeReport(document, join(temp, "reports")).html };
  };
  /** The demo's real report: its automation part run on the in-process network (npm run demo writes the same). */
  const demo = async () => {
    const quiet = () => {};
    const written = await automationDemo({
      heading: quiet,
      done: quiet,
      print: quiet,
      reportRoot: join(temp, "demo"),
    });
    return { document: readReportJson(written.json), html: written.html };
  };

  for (const [name, report] of [
    ["a demo-sized run (9 accounts)", sample(DEMO_SAMPLE)],
    ["a run of 1,000 accounts", sample(LARGE_SAMPLE)],
    ["the demo's run (npm run demo: ten business days, a default)", demo],
  ] as [string, () => Promise<{ document: ReportDocument; html: string }>][]) {
    describe(name, () => {
      let document: ReportDocument;
      let opened: Awaited<ReturnType<typeof open>>;

      before(async function () {
        if (browser === undefined) this.skip();
        const written = await report();
        document = written.document;
        opened = await open(written.html);
      });

      after(async () => {
        await opened?.page.close();
      });

      it("draws every chart, requesting nothing but the file", async () => {
        const { page, url, requests } = opened;
        const specs = buildCharts(document).charts;
        expect(await page.evaluate(`document.documentElement.getAttribute("data-charts")`)).to.equal(
          String(specs.length),
        );
        const canvases = (await page.evaluate(INSPECT_CANVASES)) as CanvasState[];
        expect(canvases.map((canvas) => canvas.id)).to.deep.equal(specs.map((spec) => `chart-${spec.id}`));
        for (const spec of specs) {
          const canvas = canvases.find((candidate) => candidate.id === `chart-${spec.id}`)!;
          expect(canvas.type, spec.id).to.equal(spec.config.type);
          expect(canvas.datasets, spec.id).to.equal(spec.config.data.datasets.length);
          expect(canvas.width * canvas.height, spec.id).to.be.greaterThan(10_000);
          // not blank: axes, labels and data painted, in the datasets' own colours
          expect(canvas.painted, spec.id).to.be.greaterThan(canvas.width * canvas.height * 0.005);
          expect(canvas.colours.length, spec.id).to.be.greaterThan(3);
          const drawn = datasetColours(spec).filter((colour) => canvas.colours.includes(colour));
          expect(drawn, `${spec.id}: none of ${datasetColours(spec).join(" ")} painted`).to.not.be.empty;
        }
        expect(requests).to.deep.equal([url]);
        const screenshots = process.env.REPORT_SCREENSHOTS;
        if (screenshots !== undefined && screenshots !== "") {
          mkdirSync(screenshots, { recursive: true });
          const path = join(screenshots, `${document.run.id}.png`) as `${string}.png`;
          await page.screenshot({ path, fullPage: true });
        }
      });

      it("shows the document's figures in its tables", async () => {
        const { page } = opened;
        const s = document.summary;
        expect(await text(page, '[data-key="callsIssued"]')).to.equal(count(s.callsIssued));
        expect(await text(page, '[data-key="callsMet"]')).to.equal(
          `${count(s.callsMet)} (${count(s.callsMetInTime)} by the deadline)`,
        );
        expect(await text(page, '[data-key="totalCalled"]')).to.equal(yen(s.totalCalled));
        expect(await text(page, '[data-key="finalCoverage"]')).to.equal(percent(s.finalCoverage));
        expect(await text(page, '[data-key="seizedValue"]')).to.equal(yen(s.seizedValue));
        expect(await text(page, '[data-key="feesTotal"]')).to.equal(yen(document.fees!.total));
        const rows = (id: string) => page.$$eval(`#${id} tbody tr`, (list) => list.length);
        expect(await rows("accounts-table")).to.equal(document.accounts.length);
        expect(await rows("calls-table")).to.equal(document.marginCalls.length);
        expect(await rows("cycles-table")).to.equal(document.cycles.length);
        const fee = document.fees!.participants[0]!;
        expect(
          await page.$eval(`#fees-table tr[data-participant="${fee.participant}"]`, (row) =>
            Array.from(row.querySelectorAll("td"), (cell) =>
              ((cell as { textContent: string | null }).textContent ?? "").trim(),
            ),
          ),
        ).to.deep.equal([
          fee.participant,
          yen(fee.trustFee),
          yen(fee.jgbFee),
          yen(fee.ustFaceFee),
          yen(fee.ustMarketValueFee),
          yen(fee.ustInstructionFee),
          yen(fee.total),
        ]);
        // Lowest coverage first, ties by account id (a real run's first cycle leaves every account at 0%).
        const worst = [...document.accounts].sort(
          (a, b) => (a.minCoverage ?? 9) - (b.minCoverage ?? 9) || (a.id < b.id ? -1 : 1),
        )[0]!;
        expect(await text(page, "#accounts-table tbody tr:first-child td:first-child")).to.equal(worst.id);
        expect(await text(page, "#accounts-table tbody tr:first-child td:nth-child(5)")).to.equal(
          percent(worst.minCoverage),
        );
      });

      it("folds long tables and unfolds them on request", async () => {
        const { page } = opened;
        const visible = () =>
          page.$$eval(
            "#accounts-table tbody tr",
            (list) => list.filter((row) => !(row as unknown as { hidden: boolean }).hidden).length,
          );
        const accounts = document.accounts.length;
        const button = await page.$(".table-wrap:has(#accounts-table) + button.unfold");
        if (accounts <= FOLD_ROWS) {
          expect(await visible()).to.equal(accounts);
          expect(button).to.equal(null);
          return;
        }
        expect(await visible()).to.equal(FOLDED_ROWS);
        expect(await button!.evaluate((element) => element.textContent)).to.equal(
          `Show all ${count(accounts)} rows`,
        );
        await button!.click();
        expect(await visible()).to.equal(accounts);
        await button!.click();
        expect(await visible()).to.equal(FOLDED_ROWS);
      });

      it("adds any account to the coverage chart from the selector when it cannot draw them all", async () => {
        const { page } = opened;
        const { coverage } = buildCharts(document);
        if (coverage.accounts.length <= MAX_ACCOUNT_LINES) {
          expect(coverage.shown).to.deep.equal(coverage.accounts);
          expect(await page.$("#coverage-selector")).to.equal(null);
          return;
        }
        const lines = `Chart.getChart(document.getElementById("chart-coverage")).data.datasets.filter((d) => d.account).map((d) => d.label)`;
        expect(await page.evaluate(lines)).to.deep.equal(coverage.shown);
        const extra = coverage.accounts.find((id) => !coverage.shown.includes(id))!;
        await page.type("#coverage-account", extra);
        await page.click('#coverage-selector button[type="submit"]');
        expect(await page.evaluate(lines)).to.deep.equal([...coverage.shown, extra]);
        expect(await text(page, "#coverage-message")).to.equal(`${extra} added.`);
        await page.type("#coverage-account", "NO-SUCH-ACCOUNT");
        await page.click('#coverage-selector button[type="submit"]');
        expect(await text(page, "#coverage-message")).to.equal("No account NO-SUCH-ACCOUNT in this run.");
        await page.click("#coverage-reset");
        expect(await page.evaluate(lines)).to.deep.equal(coverage.shown);
      });

      it("logged no script error and no console error or warning throughout", () => {
        expect(opened.errors).to.deep.equal([]);
      });
    });
  }

  it("without JavaScript shows the fallback message and every table", async function () {
    if (browser === undefined) this.skip();
    const document = buildReport(generateSampleRun(DEMO_SAMPLE));
    const html = writeReport(document, join(temp, "no-js")).html;
    const { page, errors, requests, url } = await open(html, false);
    expect(await text(page, "noscript p.alert")).to.match(
      /^JavaScript is off, so the charts are not drawn\./,
    );
    expect(await page.$$eval("#accounts-table tbody tr", (rows) => rows.length)).to.equal(
      document.accounts.length,
    );
    expect(await page.$eval("html", (element) => element.getAttribute("data-charts"))).to.equal(null);
    expect(errors).to.deep.equal([]);
    expect(requests).to.deep.equal([url]);
    await page.close();
  });
});
