/**
 * Properties of the run report (fast-check; run count from FC_NUM_RUNS, replay with FC_SEED/FC_PATH): for any
 * sample run, the figures add up and report.json reads back to the same document; for any strings in the run's
 * free text, the page keeps them as text and its embedded JSON gives them back.
 */
import { expect } from "chai";
import fc from "fast-check";

import { buildReport } from "../../ts-src/report/builder.ts";
import { buildCharts, type PageData } from "../../ts-src/report/charts.ts";
import { loadPageAssets } from "../../ts-src/report/files.ts";
import { escapeHtml, jsonForScript } from "../../ts-src/report/html.ts";
import { parseReportJson, reportToJson } from "../../ts-src/report/json.ts";
import { renderReportHtml } from "../../ts-src/report/render.ts";
import { generateSampleRun } from "../../ts-src/report/sample.ts";
import type { RunFacts } from "../../ts-src/report/types.ts";
import { propertyParameters } from "../support/fast-check.ts";

const shape = fc.record({
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  participants: fc.integer({ min: 1, max: 6 }),
  customersPerParticipant: fc.integer({ min: 1, max: 4 }),
  days: fc.integer({ min: 1, max: 8 }),
});

const sum = (values: readonly string[]) => values.reduce((total, value) => total + BigInt(value), 0n);

/** Undoes {@link escapeHtml}. */
const unescape = (text: string) =>
  text
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");

describe("run report: properties", function () {
  const runs = propertyParameters().numRuns ?? 100;
  this.timeout(Math.max(60_000, runs * 300));
  const assets = loadPageAssets();

  it("any sample run: the mix adds up to the value at close, calls partition by outcome, report.json round-trips", () => {
    fc.assert(
      fc.property(shape, (options) => {
        const document = buildReport(generateSampleRun(options));
        document.cycles.forEach((cycle, c) => {
          const mix = document.collateralMix[c]!;
          expect(sum(mix.byAsset.map((entry) => entry.value))).to.equal(BigInt(cycle.totalValueAtClose));
          expect(sum(mix.byCurrency.map((entry) => entry.value))).to.equal(BigInt(cycle.totalValueAtClose));
          expect(sum(cycle.accounts.map((entry) => entry.valueAtClose))).to.equal(
            BigInt(cycle.totalValueAtClose),
          );
          expect(cycle.callsIssued).to.equal(cycle.callsMet + cycle.callsDefaulted + cycle.callsOpen);
          if (cycle.coverage !== null) {
            const { min, p25, median, p75, max } = cycle.coverage;
            expect(min <= p25 && p25 <= median && median <= p75 && p75 <= max).to.equal(true);
          }
        });
        const s = document.summary;
        expect(s.callsMet + s.callsDefaulted + s.callsOpen).to.equal(s.callsIssued);
        expect(s.callsMetInTime).to.be.at.most(s.callsMet);
        expect(sum(document.marginCalls.map((call) => call.shortfall))).to.equal(BigInt(s.totalCalled));
        for (const call of document.marginCalls) {
          expect(call.status === "met").to.equal(call.timeToCoverSeconds !== null);
          if (call.timeToCoverSeconds !== null) expect(call.timeToCoverSeconds).to.be.at.least(0);
        }
        const text = reportToJson(document);
        expect(parseReportJson(text, "report.json")).to.deep.equal(document);
      }),
      propertyParameters(),
    );
  });

  it("any strings in names, ids and titles stay text in the page and come back from its JSON", () => {
    const name = fc.string({
      unit: fc.constantFrom("<", ">", "&", '"', "'", "/", "!", "-", "s", "c", "\u2028", " ", "é", "円"),
      maxLength: 24,
    });
    fc.assert(
      fc.property(
        name.filter((text) => text.trim() !== ""),
        name.filter((text) => text.trim() !== ""),
        (title, participant) => {
          const facts: RunFacts = generateSampleRun({
            seed: 3,
            participants: 2,
            customersPerParticipant: 1,
            days: 2,
          });
          const hostile: RunFacts = {
            ...facts,
            run: { ...facts.run, title },
            participants: facts.participants.map((p, i) => (i === 0 ? { ...p, name: participant } : p)),
            accounts: facts.accounts.map((a) =>
              a.kind === "customer" ? { ...a, customer: participant } : a,
            ),
          };
          const document = buildReport(hostile);
          const page = renderReportHtml(document, assets);
          expect(page.match(/<script/gi)).to.have.length(3);
          expect(page.match(/<\/script/gi)).to.have.length(3);
          expect(page.match(/<\/style/gi)).to.have.length(1);
          expect(page).to.include(`<h1>${escapeHtml(title)}</h1>`);
          const json = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(
            page,
          )![1]!;
          expect(JSON.parse(json)).to.deep.equal(
            JSON.parse(JSON.stringify(buildCharts(document))) as PageData,
          );
          expect(unescape(escapeHtml(title))).to.equal(title);
          expect(escapeHtml(title)).to.not.match(/[<>"']/);
          expect(JSON.parse(jsonForScript(title).text)).to.equal(title);
        },
      ),
      propertyParameters(),
    );
  });
});
