/**
 * The margin-call automation in one process: the CCP service and every participant's agent on one chain client, as
 * the demo, the tests and the benchmark run them on the in-process network (in production each runs as its own
 * process: `ccp ccp-service`, `ccp participant-agent`). A cycle: the CCP service posts it; the agents take a pass
 * (answering the calls, returning excess); while calls stay open the agents take another pass, and when a pass does
 * nothing the chain's clock is moved to the earliest deadline, so that the CCP service runs the default path.
 */
import { CcpService, type CcpServiceOptions, type CycleSummary } from "./ccp-service.ts";
import type { CycleRequest } from "./ccp-data.ts";
import { ParticipantAgent, type PassSummary } from "./participant-agent.ts";

/** What the embedded automation needs besides the services' own options. */
export interface EmbeddedOptions {
  /** The CCP service's options (its `idle` is the automation's). */
  readonly ccp: Omit<CcpServiceOptions, "idle">;
  readonly agents: readonly ParticipantAgent[];
  /** Moves the chain's clock to `time` (Unix seconds) or later (the in-process network's `time.increaseTo`). */
  readonly advanceTime: (time: bigint) => Promise<void>;
  /** The chain's latest block time. */
  readonly chainTime: () => Promise<bigint>;
  /**
   * How many agents take their pass at once (default 1: one after the other, in the deployment's order, so that a
   * run is the same every time). Each has its own keys, so their transactions never share a nonce.
   */
  readonly concurrency?: number;
}

/** A cycle as the embedded automation ran it. */
export interface EmbeddedCycle {
  readonly summary: CycleSummary;
  /** Every agent pass of the cycle, in order (each agent's in the deployment's order). */
  readonly passes: readonly { readonly participant: string; readonly pass: PassSummary }[];
  /** Milliseconds (wall clock) the agents' passes took, all of them. */
  readonly answeringMs: number;
}

/**
 * The CCP service and the agents, driven together.
 *
 * @example
 *   const automation = new EmbeddedAutomation({ ccp: { client, keys, journal, deployment, data, logger }, agents, advanceTime, chainTime });
 *   const { summary } = await automation.runCycle(cycleRequest("2026-11-09"), 1_794_290_400n);
 */
export class EmbeddedAutomation {
  readonly ccp: CcpService;
  readonly agents: readonly ParticipantAgent[];
  readonly #options: EmbeddedOptions;
  #passes: { participant: string; pass: PassSummary }[] = [];
  #answeringMs = 0;

  constructor(options: EmbeddedOptions) {
    this.#options = options;
    this.agents = options.agents;
    this.ccp = new CcpService({ ...options.ccp, idle: (until) => this.#idle(until) });
  }

  /** Starts the CCP service and every agent (their checks, allowances, port acceptances). */
  async start(): Promise<void> {
    await this.ccp.start();
    for (const agent of this.agents) await agent.start();
  }

  /**
   * Runs a cycle: at chain time `at` (moved forward to it if given), posted, answered, closed.
   */
  async runCycle(request: CycleRequest, at?: bigint): Promise<EmbeddedCycle> {
    if (at !== undefined) await this.#advance(at);
    this.#passes = [];
    this.#answeringMs = 0;
    const cycle = await this.ccp.postCycle(request);
    await this.#agentsPass();
    const summary = await this.ccp.closeCycle(cycle);
    return { summary, passes: this.#passes, answeringMs: this.#answeringMs };
  }

  /** One pass of every agent; true if any of them sent anything. */
  async #agentsPass(): Promise<boolean> {
    const started = performance.now();
    const width = Math.max(1, this.#options.concurrency ?? 1);
    const passes: { participant: string; pass: PassSummary }[] = [];
    for (let start = 0; start < this.agents.length; start += width) {
      const group = this.agents.slice(start, start + width);
      const done = await Promise.all(group.map((agent) => agent.runOnce()));
      done.forEach((pass, i) => passes.push({ participant: group[i]!.participant.id, pass }));
    }
    this.#passes.push(...passes);
    this.#answeringMs += performance.now() - started;
    return passes.some(
      ({ pass }) => pass.releases.length > 0 || pass.calls.some((call) => call.transactions.length > 0),
    );
  }

  async #idle(until: bigint): Promise<void> {
    if (await this.#agentsPass()) return;
    await this.#advance(until + 1n);
  }

  async #advance(time: bigint): Promise<void> {
    const now = await this.#options.chainTime();
    await this.#options.advanceTime(time > now ? time : now + 1n);
  }
}
