/**
 * `ccp trigger-cycle --data <folder> [--cycle <name>]`: an operator's request for a margin cycle (the next end of
 * day, or an intraday cycle on demand): a file in the data folder's requests/, which the running CCP service picks up
 * at its next poll (./ccp-service.ts registers the command).
 */
import { join } from "node:path";

import {
  CcpMarketData,
  type CycleRequest,
  byCycleOrder,
  cycleOrder,
  cycleRequest,
} from "../services/ccp-data.ts";
import { AutomationError } from "../services/errors.ts";
import type { Output } from "./io.ts";

/** What `ccp trigger-cycle` takes. */
export interface TriggerOptions {
  readonly data: string;
  readonly cycle?: string;
  readonly requests?: string;
}

/**
 * Requests a cycle (see ./ccp-service.ts): `--cycle`, or the first cycle with positions after every cycle requested
 * so far (in the requests folder, or refused into its `rejected/`).
 *
 * @throws {AutomationError} `AUTOMATION_NO_MARKET_DATA` when the cycle has no positions file, or every cycle is
 *   requested already; `AUTOMATION_STALE_REQUEST` for a cycle before one requested already (requirements only move
 *   forward, so the service would refuse it); `AUTOMATION_BAD_INPUT` for a malformed name.
 */
export function triggerCycle(options: TriggerOptions, output: Output): CycleRequest {
  const folder = options.requests ?? join(options.data, "requests");
  const available = CcpMarketData.listCycles(options.data);
  const requested: CycleRequest[] = [];
  for (const name of CcpMarketData.requestedNames(folder)) {
    try {
      requested.push(cycleRequest(name));
    } catch {
      // A malformed file name: the service rejects it; it orders nothing.
    }
  }
  const latest = requested.sort(byCycleOrder).at(-1);
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
    if (latest !== undefined && cycleOrder(request) < cycleOrder(latest)) {
      throw new AutomationError(
        "AUTOMATION_STALE_REQUEST",
        `cycle ${request.name} comes before ${latest.name}, requested already: requirements only move forward`,
        { details: { cycle: request.name, last: latest.name } },
      );
    }
  } else {
    const next = available.find((c) => latest === undefined || cycleOrder(c) > cycleOrder(latest));
    if (next === undefined) {
      throw new AutomationError(
        "AUTOMATION_NO_MARKET_DATA",
        `every cycle of ${options.data} is requested already (the last: ${latest?.name ?? "none"})`,
        { details: { data: options.data } },
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
