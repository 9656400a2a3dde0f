/**
 * `ccp trigger-cycle --data <folder> [--cycle <name>]`: an operator's request for a margin cycle (the next end of
 * day, or an intraday cycle on demand): a file in the data folder's requests/, which the running CCP service picks up
 * at its next poll (./ccp-service.ts registers the command).
 */
import { join } from "node:path";

import { CcpMarketData, type CycleRequest, cycleRequest } from "../services/ccp-data.ts";
import { AutomationError } from "../services/errors.ts";
import type { Output } from "./io.ts";

/** What `ccp trigger-cycle` takes. */
export interface TriggerOptions {
  readonly data: string;
  readonly cycle?: string;
  readonly requests?: string;
}

/**
 * Requests a cycle (see ./ccp-service.ts): `--cycle`, or the first cycle with positions not requested yet.
 *
 * @throws {AutomationError} `AUTOMATION_NO_MARKET_DATA` when the cycle has no positions file, or every cycle is
 *   requested already; `AUTOMATION_BAD_INPUT` for a malformed name.
 */
export function triggerCycle(options: TriggerOptions, output: Output): CycleRequest {
  const folder = options.requests ?? join(options.data, "requests");
  const available = CcpMarketData.listCycles(options.data);
  let request: CycleRequest;
  if (options.cycle !== undefined) {
    request = cycleRequest(options.cycle);
    if (!available.some((c) => c.name === request.name)) {
      throw new AutomationError(
        "AUTOMATION_NO_MARKET_DATA",
        `${join(options.data, "positions", `${request.name}.csv`)}: no positions for cycle ${request.name}`,
        { details: { cycle: request.name } },
      );
    }
  } else {
    const requested = new Set(CcpMarketData.pendingRequests(folder, new Set()).map((r) => r.name));
    const next = available.find((c) => !requested.has(c.name));
    if (next === undefined) {
      throw new AutomationError(
        "AUTOMATION_NO_MARKET_DATA",
        `every cycle of ${options.data} is requested already`,
        {
          details: { data: options.data },
        },
      );
    }
    request = next;
  }
  const path = CcpMarketData.request(folder, request);
  output.out(
    `requested cycle ${request.name} (${request.kind}): ${path}; the CCP service runs it at its next poll`,
  );
  return request;
}
