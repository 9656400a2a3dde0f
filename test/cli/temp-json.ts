/** Writes a JSON value to a fresh temporary file (for loader tests). */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export function writeTempJson(value: unknown, name = "input.json"): string {
  const file = join(mkdtempSync(join(tmpdir(), "ccp-json-")), name);
  writeFileSync(file, typeof value === "string" ? value : JSON.stringify(value, null, 2));
  return file;
}

/** Runs `action` and returns the error it throws (fails the test when it throws nothing). */
export function thrown(action: () => unknown): Error & { code?: string; details?: Record<string, unknown> } {
  try {
    action();
  } catch (error) {
    return error as Error & { code?: string; details?: Record<string, unknown> };
  }
  throw new Error("expected an error, none was thrown");
}
