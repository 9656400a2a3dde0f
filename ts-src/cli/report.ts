/**
 * `ccp report <run-folder | report.json> [--out <folder>]`: draws a run report's index.html again from its
 * report.json (after an upgrade of the report's page, or to put a copy elsewhere).
 * `ccp report-sample <folder> [--participants n] [--customers n] [--days n] [--seed n]`: writes the report of
 * a generated sample run, to preview the report without running the automation.
 */
import { basename } from "node:path";

import type { Command } from "commander";

import { buildReport } from "../report/builder.ts";
import { rerenderReport, writeReportFiles } from "../report/files.ts";
import { DEMO_SAMPLE, generateSampleRun } from "../report/sample.ts";
import type { ReportDocument } from "../report/types.ts";
import { positiveInteger, type Output } from "./io.ts";

/** The line both commands print: what was written, and the run's size. */
export function reportWritten(html: string, json: string, document: ReportDocument): string {
  const s = document.summary;
  return (
    `wrote ${html} (and ${json}): ${s.accounts} accounts, ${s.cycles} cycles, ${s.callsIssued} margin calls ` +
    `(${s.callsMet} met, ${s.callsDefaulted} defaulted, ${s.callsOpen} open), ${s.defaults} ${s.defaults === 1 ? "default" : "defaults"}`
  );
}

/**
 * Registers `report` and `report-sample`.
 *
 * @example
 *   registerReport(program, { out: (text) => process.stdout.write(`${text}\n`) });
 *   // ccp report reports/demo-2026-11-20
 *   // ccp report-sample reports/sample --participants 100 --customers 9
 */
export function registerReport(program: Command, output: Output): void {
  program
    .command("report")
    .description("draw a run report's index.html again from its report.json")
    .argument("<source>", "the run's report folder (reports/<run>) or its report.json")
    .option("--out <folder>", "write index.html (and a copy of report.json) into this folder instead")
    .action((source: string, options: { out?: string }) => {
      const written = rerenderReport(source, options.out);
      output.out(reportWritten(written.html, written.json, written.document));
    });

  program
    .command("report-sample")
    .description("write the report of a generated sample run (to preview the report)")
    .argument("<folder>", "where to write index.html and report.json (its name is the run id)")
    .option(
      "--participants <n>",
      `clearing participants (default ${DEMO_SAMPLE.participants})`,
      positiveInteger,
    )
    .option(
      "--customers <n>",
      `customer accounts per participant, besides its house account (default ${DEMO_SAMPLE.customersPerParticipant})`,
      positiveInteger,
    )
    .option("--days <n>", `business days (default ${DEMO_SAMPLE.days})`, positiveInteger)
    .option("--seed <n>", `seed of the generator (default ${DEMO_SAMPLE.seed})`, positiveInteger)
    .action(
      (
        folder: string,
        options: { participants?: number; customers?: number; days?: number; seed?: number },
      ) => {
        const facts = generateSampleRun({
          seed: options.seed ?? DEMO_SAMPLE.seed,
          participants: options.participants ?? DEMO_SAMPLE.participants,
          customersPerParticipant: options.customers ?? DEMO_SAMPLE.customersPerParticipant,
          days: options.days ?? DEMO_SAMPLE.days,
          runId: basename(folder),
        });
        const document = buildReport(facts);
        const written = writeReportFiles(document, folder);
        output.out(reportWritten(written.html, written.json, document));
      },
    );
}
