/**
 * The project's error base class, shaped like viem's `BaseError`: a stable machine-readable `code`, a short
 * human message, structured `details`, and the underlying `cause`. Every service throws a subclass of it, one
 * class per failure family; tests and callers branch on `code` (or the class), never on message text.
 *
 * @example
 *   try {
 *     loadSomething();
 *   } catch (error) {
 *     if (error instanceof ClearchainError && error.code === "MARGIN_INPUT_MISSING_FILE") …
 *   }
 */
export class ClearchainError<Code extends string = string> extends Error {
  override name = "ClearchainError";
  /** Stable identifier of the failure, e.g. `MARGIN_INPUT_BAD_NUMBER`. Never changes between releases. */
  readonly code: Code;
  /** The message without the details suffix. */
  readonly shortMessage: string;
  /** Structured facts about the failure (file, line, the offending value, …), for programs. */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    code: Code,
    shortMessage: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(shortMessage, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.shortMessage = shortMessage;
    this.details = Object.freeze({ ...(options.details ?? {}) });
  }

  /**
   * Walks the `cause` chain and returns the deepest error, or the first one for which `predicate` holds
   * (`undefined` when none does).
   */
  walk(predicate?: (error: unknown) => boolean): unknown {
    if (predicate?.(this)) return this;
    let deepest: unknown = undefined;
    let current: unknown = this.cause;
    while (current !== undefined && current !== null) {
      if (predicate?.(current)) return current;
      deepest = current;
      current = current instanceof Error ? current.cause : undefined;
    }
    if (predicate !== undefined) return undefined;
    return deepest ?? this;
  }

  /** A plain object that survives `structuredClone` / `postMessage` (rebuilt on the other side by the family's reviver). */
  toJSON(): SerializedError {
    return {
      name: this.name,
      code: this.code,
      shortMessage: this.shortMessage,
      details: { ...this.details },
    };
  }
}

/** What {@link ClearchainError.toJSON} returns. */
export type SerializedError = {
  name: string;
  code: string;
  shortMessage: string;
  details: Record<string, unknown>;
};

/**
 * Where in an input a problem is: the file, and when known the 1-based line and the column (header name)
 * of a CSV file, or the path of the field in a JSON file (`participants[2].accounts[0].imRequired`).
 */
export type SourceLocation = { file: string; line?: number; column?: string; path?: string };

/** Formats a location as `file`, `file line 12, column "price"` or `file at participants[0].id`. */
export function formatLocation(location: SourceLocation): string {
  let text = location.file;
  if (location.line !== undefined) text += ` line ${location.line}`;
  if (location.column !== undefined) {
    text += `${location.line === undefined ? "" : ","} column "${location.column}"`;
  }
  if (location.path !== undefined) text += ` at ${location.path}`;
  return text;
}

/**
 * A problem with user input (a file, a field, a value), located where it was found. The message reads
 * `<file> line <n>, column "<c>": <problem>`; `details` carries `file`, `line`, `column` and any extra facts.
 */
export class InputError<Code extends string = string> extends ClearchainError<Code> {
  override name = "InputError";
  readonly location: SourceLocation | undefined;

  constructor(
    code: Code,
    problem: string,
    options: { location?: SourceLocation; cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    const where = options.location === undefined ? "" : `${formatLocation(options.location)}: `;
    super(code, `${where}${problem}`, {
      cause: options.cause,
      details: { ...options.location, problem, ...options.details },
    });
    this.location = options.location;
  }
}

/** True when `error` is a {@link ClearchainError} (of any family), optionally with the given code. */
export function isClearchainError(error: unknown, code?: string): error is ClearchainError {
  return error instanceof ClearchainError && (code === undefined || error.code === code);
}
