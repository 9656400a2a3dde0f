import { InputError, type SourceLocation } from "../shared/errors.ts";
import type { JsonInputProblem } from "../shared/json-input.ts";

export type FeesInputErrorCode =
  `FEES_INPUT_${JsonInputProblem | "BAD_PERIOD" | "NOT_COVERED" | "OVER_INVESTED"}`;

/**
 * Bad collateral-fee input; the message and `details` name the file and the JSON path of the field.
 *
 * @example
 *   error.code; // "FEES_INPUT_NOT_COVERED"
 */
export class FeesInputError extends InputError<FeesInputErrorCode> {
  override name = "FeesInputError";
  constructor(code: FeesInputErrorCode, problem: string, location?: SourceLocation) {
    super(code, problem, location === undefined ? {} : { location });
  }
}
