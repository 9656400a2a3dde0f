/** `ccp clearing-fund <input.json> [--json]`: the clearing-fund requirement per participant. */
import type { Command } from "commander";

import { computeClearingFund } from "../clearing-fund/clearing-fund.ts";
import { ClearingFundInputError } from "../clearing-fund/errors.ts";
import { loadClearingFundInput } from "../clearing-fund/loader.ts";
import type { ClearingFundResult } from "../clearing-fund/types.ts";
import { formatYen, renderTable, toJson } from "./format.ts";
import type { Output } from "./io.ts";

/** The `--json` document (amounts as decimal strings). */
export function clearingFundJson(result: ClearingFundResult): string {
  return toJson(result);
}

/** The readable form. */
export function clearingFundTable(result: ClearingFundResult): string {
  const top = result.topGroups.map((g) => `${g.group} ${formatYen(g.amount)}`).join(" + ");
  const heading =
    `Clearing fund as of ${result.calculationDate}: stress-loss base ${formatYen(result.stressLossBase)} yen ` +
    `(top two: ${top === "" ? "none" : top}), split by IM required excluding add-ons ` +
    `(total ${formatYen(result.totalImRequired)})`;
  const rows = result.participants.map((p) => [
    p.participant,
    p.group,
    formatYen(p.uncollateralisedRisk),
    formatYen(p.groupRisk),
    formatYen(p.imRequired),
    formatYen(p.requirement),
  ]);
  const total = result.participants.reduce((sum, p) => sum + p.requirement, 0n);
  rows.push(["total", "", "", "", formatYen(result.totalImRequired), formatYen(total)]);
  return `${heading}\n${renderTable(
    ["participant", "group", "uncollateralised risk", "group risk", "IM required", "requirement (yen)"],
    rows,
    2,
  )}`;
}

export function registerClearingFund(program: Command, output: Output): void {
  program
    .command("clearing-fund")
    .description("clearing-fund requirement: top-two uncollateralised stress risk split pro rata on IM")
    .argument("<input>", "input JSON file (see docs/margin.md)")
    .option("--json", "print one JSON document instead of a table")
    .action((input: string, options: { json?: boolean }) => {
      const result = locateErrors(input, () => computeClearingFund(loadClearingFundInput(input)));
      output.out(options.json === true ? clearingFundJson(result) : clearingFundTable(result));
    });
}

/** Errors found by the calculation (not the loader) carry no file: name the input file in them. */
function locateErrors<T>(file: string, action: () => T): T {
  try {
    return action();
  } catch (error) {
    if (error instanceof ClearingFundInputError && error.location === undefined) {
      throw new ClearingFundInputError(error.code, error.shortMessage, { file });
    }
    throw error;
  }
}
