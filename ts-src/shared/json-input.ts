/**
 * Reading a JSON input file field by field, with the path of each field, so that every problem is reported
 * as `<file> at participants[2].accounts[0].imRequired: <problem>` by the family's own error class.
 */
import { readFileSync } from "node:fs";

import type { InputError, SourceLocation } from "./errors.ts";
import { isoDate, isoDay } from "./dates.ts";
import { Fraction, parseDecimal, parseIntegerText } from "./fraction.ts";

/** The error codes every JSON input family defines (prefixed with its name, e.g. `FEES_INPUT_`). */
export type JsonInputProblem =
  "MISSING_FILE" | "BAD_JSON" | "MISSING_FIELD" | "BAD_FIELD" | "BAD_AMOUNT" | "BAD_DATE" | "DUPLICATE";

/** Builds the family's error for a problem at a location. */
export type JsonErrorFactory = (
  problem: JsonInputProblem,
  message: string,
  location: SourceLocation,
) => InputError;

/** Reads and parses a JSON file; a missing file or bad JSON becomes the family's error. */
export function readJsonFile(path: string, fail: JsonErrorFactory): JsonNode {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw fail(
      "MISSING_FILE",
      `cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      {
        file: path,
      },
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw fail("BAD_JSON", `not valid JSON (${(error as Error).message})`, { file: path });
  }
  return new JsonNode(value, path, "", fail);
}

/**
 * Reads a file that must hold one JSON object, for loaders that check its fields themselves; an unreadable file, bad
 * JSON or another kind of value becomes the caller's error, built from a sentence naming the problem.
 *
 * @example
 *   const root = readJsonObject(path, (problem) => new SettlementError("SETTLEMENT_BAD_DEPLOYMENT", `${path}: ${problem}`));
 */
export function readJsonObject(path: string, fail: (problem: string) => Error): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, "utf8"));
  } catch (cause) {
    throw fail(`cannot read it as JSON (${(cause as Error).message})`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw fail("must be a JSON object");
  return value as Record<string, unknown>;
}

/** A value inside a JSON document and where it is. */
export class JsonNode {
  readonly value: unknown;
  readonly file: string;
  readonly path: string;
  readonly #fail: JsonErrorFactory;

  constructor(value: unknown, file: string, path: string, fail: JsonErrorFactory) {
    this.value = value;
    this.file = file;
    this.path = path;
    this.#fail = fail;
  }

  /** The family's error at this node. */
  error(problem: JsonInputProblem, message: string): InputError {
    return this.#fail(problem, message, {
      file: this.file,
      ...(this.path === "" ? {} : { path: this.path }),
    });
  }

  #child(value: unknown, segment: string): JsonNode {
    return new JsonNode(
      value,
      this.file,
      this.path === "" ? segment : `${this.path}${segment.startsWith("[") ? "" : "."}${segment}`,
      this.#fail,
    );
  }

  /** Checks this is an object with no keys other than `allowed`. */
  object(allowed: readonly string[]): this {
    if (this.value === null || typeof this.value !== "object" || Array.isArray(this.value)) {
      throw this.error("BAD_FIELD", `must be a JSON object`);
    }
    for (const key of Object.keys(this.value)) {
      if (!allowed.includes(key)) {
        throw this.#child(undefined, key).error(
          "BAD_FIELD",
          `unknown field (allowed: ${allowed.join(", ")})`,
        );
      }
    }
    return this;
  }

  /** A required field. */
  field(key: string): JsonNode {
    const record = this.value as Record<string, unknown>;
    if (!(key in record) || record[key] === undefined || record[key] === null) {
      throw this.#child(undefined, key).error("MISSING_FIELD", `is missing`);
    }
    return this.#child(record[key], key);
  }

  /** An optional field (undefined when absent or null). */
  optional(key: string): JsonNode | undefined {
    const record = this.value as Record<string, unknown>;
    return record[key] === undefined || record[key] === null ? undefined : this.#child(record[key], key);
  }

  /** The elements of an array. */
  array(): JsonNode[] {
    if (!Array.isArray(this.value)) throw this.error("BAD_FIELD", `must be a JSON array`);
    return this.value.map((item, index) => this.#child(item, `[${index}]`));
  }

  /** The entries of an object, as [key, node]. */
  entries(): [string, JsonNode][] {
    if (this.value === null || typeof this.value !== "object" || Array.isArray(this.value)) {
      throw this.error("BAD_FIELD", `must be a JSON object`);
    }
    return Object.entries(this.value).map(([key, item]) => [key, this.#child(item, key)]);
  }

  /** A non-empty string. */
  string(): string {
    if (typeof this.value !== "string" || this.value.trim() === "") {
      throw this.error("BAD_FIELD", `must be a non-empty string, got ${JSON.stringify(this.value)}`);
    }
    return this.value;
  }

  /** A whole number ≥ 0 (a JSON number). */
  count(): number {
    if (typeof this.value !== "number" || !Number.isSafeInteger(this.value) || this.value < 0) {
      throw this.error("BAD_FIELD", `must be a whole number ≥ 0, got ${JSON.stringify(this.value)}`);
    }
    return this.value;
  }

  /** Integer yen as a decimal string ("1250000000"); `min` bounds it below. */
  yen(min?: bigint): bigint {
    const amount = typeof this.value === "string" ? parseIntegerText(this.value) : undefined;
    if (amount === undefined) {
      throw this.error(
        "BAD_AMOUNT",
        `must be integer yen written as a decimal string (e.g. "1250000000"), got ${JSON.stringify(this.value)}`,
      );
    }
    if (min !== undefined && amount < min) throw this.error("BAD_AMOUNT", `must be ≥ ${min}, got ${amount}`);
    return amount;
  }

  /** An exact decimal written as a string ("149.85", "-0.001"); `positive` requires > 0. */
  decimal(options: { positive?: boolean; nonNegative?: boolean } = {}): Fraction {
    const value = typeof this.value === "string" ? parseDecimal(this.value) : undefined;
    if (value === undefined) {
      throw this.error(
        "BAD_AMOUNT",
        `must be a decimal number written as a string (e.g. "149.85"), got ${JSON.stringify(this.value)}`,
      );
    }
    if (options.positive === true && value.sign() <= 0)
      throw this.error("BAD_AMOUNT", `must be > 0, got ${this.value as string}`);
    if (options.nonNegative === true && value.sign() < 0)
      throw this.error("BAD_AMOUNT", `must be ≥ 0, got ${this.value as string}`);
    return value;
  }

  /** An ISO date (YYYY-MM-DD) as a day number. */
  date(): number {
    const day = typeof this.value === "string" ? isoDay(this.value) : undefined;
    if (day === undefined)
      throw this.error("BAD_DATE", `must be a date YYYY-MM-DD, got ${JSON.stringify(this.value)}`);
    return day;
  }
}

export { Fraction, isoDate, isoDay };
