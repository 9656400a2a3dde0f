import { InputError, type SourceLocation } from "../shared/errors.ts";
import type { JsonInputProblem } from "../shared/json-input.ts";

export type ClearingFundInputErrorCode = `CLEARING_FUND_INPUT_${JsonInputProblem | "NO_IM_REQUIRED"}`;

/**
 * Bad clearing-fund input; the message and `details` name the file and the JSON path of the field.
 *
 * @example
 *   error.code; // "CLEARING_FUND_INPUT_BAD_AMOUNT"
 *   error.details.path; // "participants[1].accounts[0].imDeposited"
 */
export class ClearingFundInputError extends InputError<ClearingFundInputErrorCode> {
  override name = "ClearingFundInputError";
  constructor(code: ClearingFundInputErrorCode, problem: string, location?: SourceLocation) {
    super(code, problem, location === undefined ? {} : { location });
  }
}
