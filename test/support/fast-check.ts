import type { Parameters } from "fast-check";

/**
 * fast-check settings shared by every property test.
 *
 * - `FC_NUM_RUNS`: runs per property (default 100; CI sets it in .ci/run). A tester can run many thousands.
 * - `FC_SEED` and `FC_PATH`: replay a failure; fast-check prints both when a property fails.
 *
 * @example
 *   await fc.assert(fc.asyncProperty(arbitrary, check), propertyParameters());
 */
export function propertyParameters<T>(overrides: Parameters<T> = {}): Parameters<T> {
  const parameters: Parameters<T> = { numRuns: envInteger("FC_NUM_RUNS", 100), ...overrides };
  const seed = process.env.FC_SEED;
  if (seed !== undefined && seed !== "") parameters.seed = Number(seed);
  const path = process.env.FC_PATH;
  if (path !== undefined && path !== "") parameters.path = path;
  return parameters;
}

function envInteger(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  }
  return value;
}
