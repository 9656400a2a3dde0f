import { ClearchainError, InputError, type SourceLocation } from "../shared/errors.ts";

/** Stable codes of {@link MarginInputError}: one per kind of bad input, named in docs/margin.md. */
export const MARGIN_INPUT_ERROR_CODES = [
  "MARGIN_INPUT_MISSING_FILE",
  "MARGIN_INPUT_BAD_CSV",
  "MARGIN_INPUT_BAD_JSON",
  "MARGIN_INPUT_MISSING_COLUMN",
  "MARGIN_INPUT_DUPLICATE",
  "MARGIN_INPUT_BAD_NUMBER",
  "MARGIN_INPUT_NON_POSITIVE",
  "MARGIN_INPUT_BAD_DATE",
  "MARGIN_INPUT_DATE_ORDER",
  "MARGIN_INPUT_UNKNOWN_INSTRUMENT",
  "MARGIN_INPUT_UNKNOWN_FACTOR",
  "MARGIN_INPUT_UNKNOWN_CURRENCY",
  "MARGIN_INPUT_BAD_QUANTITY",
  "MARGIN_INPUT_BAD_VALUE",
  "MARGIN_INPUT_NOT_ENOUGH_HISTORY",
  "MARGIN_INPUT_BAD_PARAM",
  "MARGIN_INPUT_UNKNOWN_ACCOUNT",
  "MARGIN_INPUT_TOO_MANY_DAYS",
] as const;

export type MarginInputErrorCode = (typeof MARGIN_INPUT_ERROR_CODES)[number];

/**
 * Bad margin input: a missing file or column, a value that is not a number, a reference to something not
 * defined, … The message and `details` name the file, the line and (where there is one) the column.
 *
 * @example
 *   throw new MarginInputError("MARGIN_INPUT_BAD_NUMBER", `"abc" is not a number`, {
 *     location: { file: "market.csv", line: 7, column: "NK225" },
 *   });
 */
export class MarginInputError extends InputError<MarginInputErrorCode> {
  override name = "MarginInputError";
  constructor(
    code: MarginInputErrorCode,
    problem: string,
    options: { location?: SourceLocation; cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(code, problem, options);
  }
}

/** The maths left the range where float64 represents yen exactly (|amount| ≥ 2^53, or not finite). */
export class MarginPrecisionError extends ClearchainError<"MARGIN_PRECISION_EXCEEDED"> {
  override name = "MarginPrecisionError";
  constructor(account: string, value: number) {
    super(
      "MARGIN_PRECISION_EXCEEDED",
      `account ${JSON.stringify(account)}: ES − NOV = ${value} is outside the exactly representable range ` +
        `(|x| < 2^53 yen) of the float64 margin maths`,
      { details: { account, value } },
    );
  }
}

/** Rebuilds a {@link MarginInputError} that crossed a worker-thread boundary as a plain object. */
export function reviveMarginInputError(serialized: {
  code: string;
  details: Record<string, unknown>;
}): MarginInputError {
  const { file, line, column, problem, ...rest } = serialized.details;
  const location: SourceLocation | undefined =
    typeof file === "string"
      ? {
          file,
          ...(typeof line === "number" ? { line } : {}),
          ...(typeof column === "string" ? { column } : {}),
        }
      : undefined;
  return new MarginInputError(serialized.code as MarginInputErrorCode, String(problem), {
    ...(location === undefined ? {} : { location }),
    details: rest,
  });
}

/**
 * The same error with its line moved down by `offset` when it is a {@link MarginInputError} located in `file`
 * (a worker parsed part of the file counting lines from 1); any other error as it is.
 */
export function shiftLine(error: unknown, file: string, offset: number): unknown {
  if (!(error instanceof MarginInputError) || error.location?.file !== file) return error;
  const line = error.location.line;
  if (line === undefined) return error;
  return reviveMarginInputError({ code: error.code, details: { ...error.details, line: line + offset } });
}
