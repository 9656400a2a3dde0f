/**
 * The report page and report.json without a browser: escaping, the embedded JSON, the Content-Security-Policy,
 * the tables' figures, the JSON round trip and its refusals, the files and the `ccp report` commands.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";

import { buildCharts, durationUnit, timeToCoverBuckets } from "../../ts-src/report/charts.ts";
import { buildReport } from "../../ts-src/report/builder.ts";
import { ReportInputError } from "../../ts-src/report/errors.ts";
import { loadPageAssets, rerenderReport, writeReport } from "../../ts-src/report/files.ts";
import { escapeHtml, html, inlineSource, jsonForScript } from "../../ts-src/report/html.ts";
import { parseReportJson, readReportJson, reportToJson } from "../../ts-src/report/json.ts";
import { count, duration, percent, quantity, renderReportHtml } from "../../ts-src/report/render.ts";
import { DEMO_SAMPLE, generateSampleRun } from "../../ts-src/report/sample.ts";
import type { ReportDocument, RunFacts } from "../../ts-src/report/types.ts";
import { ccp, errorCode } from "../cli/run-ccp.ts";
import { thrown } from "../cli/temp-json.ts";
import { handFacts } from "./fixture.ts";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a report.json edited field by field
type Json = any;

const HOSTILE = {
  account: `<img src=x onerror="alert(1)">`,
  participantName: `</script><script>alert("name")</script><!--`,
  customer: `"' onmouseover=alert(2) x="`,
  title: `<b>bold</b> & </style>`,
};

/** The hand-worked run with hostile strings where the data has free text. */
function hostileFacts(): RunFacts {
  const facts = handFacts();
  const rename = (id: string) => (id === "P1-C1" ? HOSTILE.account : id);
  return {
    ...facts,
    run: { ...facts.run, title: HOSTILE.title },
    participants: facts.participants.map((p) =>
      p.id === "P1" ? { ...p, name: HOSTILE.participantName } : p,
    ),
    accounts: facts.accounts.map((a) => ({
      ...a,
      id: rename(a.id),
      ...(a.customer ? { customer: HOSTILE.customer } : {}),
    })),
    cycles: facts.cycles.map((c) => ({
      ...c,
      accounts: c.accounts.map((e) => ({ ...e, account: rename(e.account) })),
    })),
    marginCalls: facts.marginCalls.map((k) => ({ ...k, account: rename(k.account) })),
    defaults: facts.defaults.map((d) => ({
      ...d,
      ported: d.ported.map((p) => ({ ...p, account: rename(p.account) })),
    })),
  };
}

/** The text of every element `tag` (script, style) in a page. */
function elements(page: string, tag: string): { attributes: string; content: string }[] {
  const pattern = new RegExp(`<${tag}([^>]*)>([\\s\\S]*?)</${tag}>`, "g");
  return [...page.matchAll(pattern)].map((match) => ({ attributes: match[1]!, content: match[2]! }));
}

const sha256 = (text: string) => `sha256-${createHash("sha256").update(text, "utf8").digest("base64")}`;

/** The text of the cell marked data-key="<key>". */
function keyFigure(page: string, key: string): string {
  const match = new RegExp(`data-key="${key}">([^<]*)<`).exec(page);
  if (match === null) throw new Error(`no cell data-key="${key}"`);
  return match[1]!.trim();
}

/** The rows of a table's body. */
function bodyRows(page: string, id: string): string[] {
  const table = new RegExp(`<table id="${id}"[\\s\\S]*?<tbody>([\\s\\S]*?)</tbody>`).exec(page);
  if (table === null) throw new Error(`no table #${id}`);
  return [...table[1]!.matchAll(/<tr[\s\S]*?<\/tr>/g)].map((row) => row[0]);
}

describe("run report page and report.json", function () {
  this.timeout(120_000);
  const assets = loadPageAssets();
  const temp = mkdtempSync(join(tmpdir(), "ccp-report-"));
  after(() => rmSync(temp, { recursive: true, force: true }));

  describe("escaping", () => {
    it("escapes every interpolated value, and only those", () => {
      expect(escapeHtml(`<a href="x">'&'</a>`)).to.equal(
        "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;",
      );
      const inner = html`<i>${"<x>"}</i>`;
      expect(
        html`<p title="${'"q"'}">${inner}${[" a", " <b>"]}${null}${false}${undefined}${3}</p>`.text,
      ).to.equal(`<p title="&quot;q&quot;"><i>&lt;x&gt;</i> a &lt;b&gt;3</p>`);
    });

    it("embeds JSON that cannot close its script element and parses back to the same value", () => {
      const value = { a: "</script><!-- & >", b: "\u2028\u2029", c: [1, null, "ü"] };
      const text = jsonForScript(value).text;
      expect(text).to.not.match(/[<>&\u2028\u2029]/);
      expect(JSON.parse(text)).to.deep.equal(value);
    });

    it("refuses to inline a source that would end its element early", () => {
      for (const source of ["a('</script>')", "x = '</STYLE>'", "<!-- y"]) {
        expect(thrown(() => inlineSource(source, "bad.js")).code).to.equal("REPORT_ASSET_NOT_INLINABLE");
      }
      expect(inlineSource("const a = 1 < 2;", "ok.js").text).to.equal("const a = 1 < 2;");
    });

    it("keeps hostile names as text: no tag, attribute or script comes out of the data", () => {
      const page = renderReportHtml(buildReport(hostileFacts()), assets);
      expect(elements(page, "script")).to.have.length(3);
      expect(page.match(/<script/g)).to.have.length(3);
      expect(page.match(/<\/script/gi)).to.have.length(3);
      expect(page.match(/<style/g)).to.have.length(1);
      expect(page.match(/<\/style/gi)).to.have.length(1);
      expect(page).to.not.include("<img");
      expect(page).to.not.include("<b>");
      expect(page).to.not.include(`" onmouseover`);
      expect(page).to.include(escapeHtml(HOSTILE.account));
      expect(page).to.include(escapeHtml(HOSTILE.title));
      const data = JSON.parse(elements(page, "script")[0]!.content) as ReturnType<typeof buildCharts>;
      expect(data.coverage.accounts).to.include(HOSTILE.account);
    });
  });

  describe("the page", () => {
    const document = buildReport(handFacts());
    const page = renderReportHtml(document, assets);

    it("inlines Chart.js, the page script and the style sheet, allowed by their hashes and nothing else", () => {
      const scripts = elements(page, "script");
      expect(scripts[0]!.attributes).to.equal(' type="application/json" id="report-data"');
      expect(scripts[1]!.content).to.equal(assets.chartJs);
      expect(scripts[1]!.content).to.include(`Chart.js v${assets.chartJsVersion}`);
      expect(scripts[1]!.content).to.not.include("sourceMappingURL");
      expect(scripts[2]!.content).to.equal(assets.script);
      const csp = /http-equiv="Content-Security-Policy" content="([^"]*)"/
        .exec(page)![1]!
        .replace(/&#39;/g, "'");
      expect(csp).to.equal(
        `default-src 'none'; script-src '${sha256(scripts[1]!.content)}' '${sha256(scripts[2]!.content)}'; ` +
          `style-src '${sha256(elements(page, "style")[0]!.content)}'; base-uri 'none'; form-action 'none'`,
      );
    });

    it("refers to nothing outside the file", () => {
      let markup = page;
      for (const tag of ["script", "style"])
        markup = markup.replace(new RegExp(`<${tag}[\\s\\S]*?</${tag}>`, "g"), "");
      expect(markup).to.not.match(/\s(src|href|action|srcset|poster|data)=/i);
      expect(elements(page, "style")[0]!.content).to.not.match(/url\(|@import/);
    });

    it("holds the run's figures in its tables", () => {
      expect(keyFigure(page, "callsIssued")).to.equal("4");
      expect(keyFigure(page, "callsMet")).to.equal("2 (2 by the deadline)");
      expect(keyFigure(page, "totalCalled")).to.equal("1,975");
      expect(keyFigure(page, "medianTimeToCover")).to.equal("30 min");
      expect(keyFigure(page, "lowestCoverage")).to.equal("65.0% (P1-H, 2026-11-03 EOD)");
      expect(keyFigure(page, "finalCoverage")).to.equal("130.4%");
      expect(keyFigure(page, "seizedValue")).to.equal("1,300");
      expect(keyFigure(page, "feesTotal")).to.equal("3,017");
      expect(bodyRows(page, "accounts-table")).to.have.length(3);
      expect(bodyRows(page, "cycles-table")).to.have.length(3);
      expect(bodyRows(page, "calls-table")).to.have.length(4);
      expect(bodyRows(page, "fees-table")).to.have.length(2);
      const defaults = bodyRows(page, "defaults-table");
      expect(defaults).to.have.length(1);
      expect(defaults[0]).to.include("P1-C1 → P2");
      expect(defaults[0]).to.include("<td>call K3</td>");
      const substitution = bodyRows(page, "calls-table").find((row) => row.includes('data-call="K2"'))!;
      expect(substitution).to.include("substitution + deposit");
      expect(substitution).to.include("10 UST (out: 300 JPYC)");
      expect(bodyRows(page, "mix-table")[1]).to.include("1,425");
      expect(page).to.match(/<noscript\s*>\s*<p class="alert">\s*JavaScript is off/);
    });

    it("says so where the run has no fees, no default, no settlement", () => {
      const facts = handFacts();
      delete facts.fees;
      delete facts.settlement;
      const bare = renderReportHtml(
        buildReport({ ...facts, defaults: [], marginCalls: facts.marginCalls.slice(0, 2) }),
        assets,
      );
      expect(bare).to.include("No collateral fees were computed for this run.");
      expect(bare).to.include("No default in this run.");
      expect(bare).to.not.include('id="settlement"');
      expect(bare).to.not.include('id="chart-fees"');
    });

    it("formats figures the way the tables show them", () => {
      expect(percent(0.999999)).to.equal("99.9%");
      expect(percent(1)).to.equal("100.0%");
      expect(percent(1.304687)).to.equal("130.4%");
      expect(percent(null)).to.equal("—");
      expect(duration(5_940)).to.equal("1 h 39 min");
      expect(duration(330)).to.equal("5 min 30 s");
      expect(duration(45)).to.equal("45 s");
      expect(quantity("2500000", 6)).to.equal("2.5");
      expect(quantity("12000000", 6)).to.equal("12");
      expect(quantity("1234567", 0)).to.equal("1,234,567");
      expect(count(2_353)).to.equal("2,353");
    });

    it("shows times to cover in seconds, minutes or hours, as the run's longest needs", () => {
      expect(timeToCoverBuckets(11).map((b) => b.label)).to.deep.equal([
        "< 5 s",
        "5–10 s",
        "10–20 s",
        "20–30 s",
        "30–45 s",
        "45–60 s",
      ]);
      expect(timeToCoverBuckets(300).map((b) => b.label)).to.deep.equal([
        "< 1 min",
        "1–2 min",
        "2–5 min",
        "5–10 min",
        "10–15 min",
      ]);
      expect(timeToCoverBuckets(2_940).map((b) => b.label)).to.deep.equal([
        "< 15 min",
        "15–30 min",
        "30–60 min",
        "1–2 h",
        "2–4 h",
        "4–8 h",
        "≥ 8 h",
      ]);
      // Every time falls in exactly one bucket.
      for (const longest of [11, 59, 300, 899, 2_940, 86_400]) {
        const buckets = timeToCoverBuckets(longest);
        for (const t of [0, 1, longest / 2, longest])
          expect(
            buckets.filter((b) => t >= b.from && t < b.to),
            `${t} of ${longest}`,
          ).to.have.length(1);
      }
      expect(durationUnit(6).format).to.equal("seconds");
      expect(durationUnit(2_940).format).to.equal("minutes");
      expect(durationUnit(4 * 3_600).format).to.equal("hours");
      // The calls chart's line and axis follow the unit; the demo-like run's calls are met within seconds.
      const calls = buildCharts(document).charts.find((chart) => chart.id === "calls")!;
      const line = (calls.config.data.datasets as { label: string; timeFormat?: string }[]).at(-1)!;
      expect(line.label).to.equal(
        `median time to cover (${durationUnit(Math.max(...document.cycles.map((c) => c.medianTimeToCoverSeconds ?? 0))).short})`,
      );
    });

    it("draws the coverage of every account up to twelve, and the spread with the lowest six beyond", () => {
      const small = buildCharts(document);
      expect(small.charts.map((chart) => chart.id)).to.deep.equal([
        "coverage",
        "calls",
        "time-to-cover",
        "mix-asset",
        "mix-currency",
        "fees",
      ]);
      expect(small.coverage.shown).to.deep.equal(["P1-H", "P1-C1", "P2-H"]);
      const large = buildCharts(
        buildReport(generateSampleRun({ ...DEMO_SAMPLE, participants: 5, customersPerParticipant: 3 })),
      );
      expect(large.coverage.accounts).to.have.length(20);
      expect(large.coverage.shown).to.have.length(6);
      const labels = (large.charts[0]!.config.data.datasets as { label: string }[]).map((d) => d.label);
      expect(labels.slice(0, 5)).to.deep.equal([
        "highest",
        "lowest to highest",
        "upper quartile",
        "middle half of the accounts",
        "median",
      ]);
    });
  });

  describe("report.json", () => {
    it("reads back exactly the document it was written from", () => {
      for (const document of [buildReport(handFacts()), buildReport(generateSampleRun(DEMO_SAMPLE))]) {
        const text = reportToJson(document);
        const back = parseReportJson(text, "report.json");
        expect(back).to.deep.equal(document);
        expect(reportToJson(back)).to.equal(text);
      }
    });

    const broken = (change: (json: Json) => void): ReportInputError => {
      const json = JSON.parse(reportToJson(buildReport(handFacts()))) as Json;
      change(json);
      const error = thrown(() => parseReportJson(JSON.stringify(json), "r.json"));
      expect(error).to.be.instanceOf(ReportInputError);
      return error as ReportInputError;
    };

    const cases: [string, string, string, (json: Json) => void][] = [
      ["another format", "REPORT_INPUT_UNSUPPORTED_FORMAT", "format", (j) => (j.format = "something-else")],
      ["a newer version", "REPORT_INPUT_UNSUPPORTED_FORMAT", "version", (j) => (j.version = 2)],
      ["a missing field", "REPORT_INPUT_MISSING_FIELD", "summary.callsMet", (j) => delete j.summary.callsMet],
      ["an unknown field", "REPORT_INPUT_BAD_FIELD", "cycles[0].extra", (j) => (j.cycles[0].extra = 1)],
      [
        "yen as a float",
        "REPORT_INPUT_BAD_AMOUNT",
        "cycles[0].totalRequirement",
        (j) => (j.cycles[0].totalRequirement = 1.5),
      ],
      [
        "a bad time",
        "REPORT_INPUT_BAD_DATE",
        "marginCalls[1].issuedAt",
        (j) => (j.marginCalls[1].issuedAt = "yesterday"),
      ],
      [
        "an unknown status",
        "REPORT_INPUT_BAD_FIELD",
        "marginCalls[0].status",
        (j) => (j.marginCalls[0].status = "late"),
      ],
      [
        "a ratio as text",
        "REPORT_INPUT_BAD_FIELD",
        "accounts[0].minCoverage",
        (j) => (j.accounts[0].minCoverage = "1.2"),
      ],
      ["a missing nullable field", "REPORT_INPUT_MISSING_FIELD", "fees", (j) => delete j.fees],
    ];
    for (const [what, code, path, change] of cases) {
      it(`refuses ${what} (${code} at ${path})`, () => {
        const error = broken(change);
        expect(error.code).to.equal(code);
        expect(error.details.path).to.equal(path);
        expect(error.details.file).to.equal("r.json");
      });
    }

    it("refuses a file that is missing or not JSON", () => {
      expect(thrown(() => readReportJson(join(temp, "nothing.json"))).code).to.equal(
        "REPORT_INPUT_MISSING_FILE",
      );
      writeFileSync(join(temp, "not.json"), "{ nope");
      expect(thrown(() => readReportJson(join(temp, "not.json"))).code).to.equal("REPORT_INPUT_BAD_JSON");
    });
  });

  describe("files and commands", () => {
    it("writes <root>/<run id>/index.html and report.json, and draws the same page again from the JSON", () => {
      const document: ReportDocument = buildReport(handFacts());
      const written = writeReport(document, join(temp, "reports"));
      expect(written.folder).to.equal(join(temp, "reports", "hand-run"));
      expect(readReportJson(written.json)).to.deep.equal(document);
      const page = readFileSync(written.html, "utf8");
      writeFileSync(written.html, "stale");
      const again = rerenderReport(written.folder);
      expect(readFileSync(again.html, "utf8")).to.equal(page);
      const copy = rerenderReport(written.json, join(temp, "copy"));
      expect(readFileSync(copy.html, "utf8")).to.equal(page);
      expect(readFileSync(copy.json, "utf8")).to.equal(readFileSync(written.json, "utf8"));
    });

    it("refuses a run id that cannot name a folder", () => {
      const document = { ...buildReport(handFacts()) };
      document.run = { ...document.run, id: "../escape" };
      expect(thrown(() => writeReport(document, join(temp, "reports"))).code).to.equal(
        "REPORT_INPUT_BAD_RUN_ID",
      );
      expect(existsSync(join(temp, "escape"))).to.equal(false);
    });

    it("ccp report-sample writes a sample report; ccp report draws it again byte for byte", () => {
      const folder = join(temp, "sample-cli");
      const sample = ccp(["report-sample", folder, "--participants", "2", "--customers", "1", "--days", "4"]);
      expect(sample.status, sample.stderr).to.equal(0);
      expect(sample.stdout).to.match(
        /^wrote .*index\.html \(and .*report\.json\): 4 accounts, 5 cycles, \d+ margin calls/,
      );
      const page = readFileSync(join(folder, "index.html"), "utf8");
      const json = JSON.parse(readFileSync(join(folder, "report.json"), "utf8")) as ReportDocument;
      expect(json.run.id).to.equal("sample-cli");
      expect(json.accounts).to.have.length(4);
      rmSync(join(folder, "index.html"));
      const again = ccp(["report", folder]);
      expect(again.status, again.stderr).to.equal(0);
      expect(readFileSync(join(folder, "index.html"), "utf8")).to.equal(page);
    });

    it("ccp report exits 2 with the error code on a broken report.json, writing nothing", () => {
      const folder = join(temp, "broken");
      const document = JSON.parse(reportToJson(buildReport(handFacts()))) as {
        summary: Record<string, unknown>;
      };
      document.summary.callsIssued = -1;
      writeReport(buildReport(handFacts()), folder);
      const json = join(folder, "hand-run", "report.json");
      writeFileSync(json, JSON.stringify(document));
      rmSync(join(folder, "hand-run", "index.html"));
      const result = ccp(["report", json]);
      expect(result.status).to.equal(2);
      expect(result.stdout).to.equal("");
      expect(errorCode(result.stderr)).to.equal("REPORT_INPUT_BAD_FIELD");
      expect(result.stderr).to.contain("summary.callsIssued");
      expect(existsSync(join(folder, "hand-run", "index.html"))).to.equal(false);
      expect(errorCode(ccp(["report", join(temp, "no-such-run")]).stderr)).to.equal(
        "REPORT_INPUT_MISSING_FILE",
      );
    });
  });
});
