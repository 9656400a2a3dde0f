/** `ccp fees <input.json> [--json]`: collateral fees per participant for a calculation period. */
import type { Command } from "commander";

import { FeesInputError } from "../fees/errors.ts";
import { computeFees } from "../fees/fees.ts";
import { loadFeesInput } from "../fees/loader.ts";
import type { FeesResult } from "../fees/types.ts";
import { formatYen, renderTable, toJson } from "./format.ts";
import type { Output } from "./io.ts";

/** The `--json` document (amounts as decimal strings). */
export function feesJson(result: FeesResult): string {
  return toJson(result);
}

/** The readable form. */
export function feesTable(result: FeesResult): string {
  const heading = `Collateral fees for ${result.period.start} … ${result.period.end} (${result.period.days} days), yen, rounded down`;
  const rows = result.participants.map((p) => [
    p.participant,
    formatYen(p.trustFee),
    formatYen(p.jgbFee),
    formatYen(p.ustFaceFee),
    formatYen(p.ustMarketValueFee),
    formatYen(p.ustInstructionFee),
    formatYen(p.total),
  ]);
  rows.push(["total", "", "", "", "", "", formatYen(result.total)]);
  return `${heading}\n${renderTable(
    ["participant", "trust (neg. rate)", "JGB", "UST face", "UST month-end", "UST instructions", "total"],
    rows,
  )}`;
}

export function registerFees(program: Command, output: Output): void {
  program
    .command("fees")
    .description("collateral fees: negative-rate trust fee, JGB and US Treasury custody fees")
    .argument("<input>", "input JSON file (see docs/margin.md)")
    .option("--json", "print one JSON document instead of a table")
    .action((input: string, options: { json?: boolean }) => {
      const result = locateErrors(input, () => computeFees(loadFeesInput(input)));
      output.out(options.json === true ? feesJson(result) : feesTable(result));
    });
}

/** Errors found by the calculation (not the loader) carry no file: name the input file in them. */
function locateErrors<T>(file: string, action: () => T): T {
  try {
    return action();
  } catch (error) {
    if (error instanceof FeesInputError && error.location === undefined) {
      throw new FeesInputError(error.code, error.shortMessage, { file });
    }
    throw error;
  }
}
