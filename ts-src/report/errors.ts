import { InputError, type SourceLocation } from "../shared/errors.ts";
import type { JsonInputProblem } from "../shared/json-input.ts";

/** What can be wrong with the facts or with report.json. */
export type ReportInputProblem =
  JsonInputProblem | "UNKNOWN_REFERENCE" | "INCONSISTENT" | "BAD_RUN_ID" | "UNSUPPORTED_FORMAT";

export type ReportInputErrorCode = `REPORT_INPUT_${ReportInputProblem}`;

/**
 * Facts that cannot make a report (an unknown account, a call met before it was issued, a holding worth more
 * after its haircut than before), or a report.json that is not one. The message names where: the JSON path of
 * the field in the facts (`marginCalls[3].account`) or the file and path in report.json.
 *
 * @example
 *   error.code; // "REPORT_INPUT_UNKNOWN_REFERENCE"
 *   error.details.path; // "marginCalls[3].account"
 */
export class ReportInputError extends InputError<ReportInputErrorCode> {
  override name = "ReportInputError";
  constructor(
    code: ReportInputErrorCode,
    problem: string,
    location?: SourceLocation,
    details?: Record<string, unknown>,
  ) {
    super(code, problem, {
      ...(location === undefined ? {} : { location }),
      ...(details === undefined ? {} : { details }),
    });
  }
}

/** The location of a field of the run facts given to the builder (they come from memory, not from a file). */
export function factsAt(path: string): SourceLocation {
  return { file: "run facts", path };
}
