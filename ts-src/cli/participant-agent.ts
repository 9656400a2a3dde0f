/**
 * `ccp participant-agent --participant <id>`: a clearing participant's agent as a long-running process (see
 * ./participant-agent-run.ts). Its modules load only when the command runs.
 */
import type { Command } from "commander";

import { type Output, basisPoints, idText, positiveInteger, symbolBps } from "./io.ts";
import type { AgentCommandOptions } from "./participant-agent-run.ts";
import { silenceSqliteWarning } from "./settle.ts";

/**
 * Adds `participant-agent` to the program.
 *
 * @example
 *   registerParticipantAgent(new Command("ccp"), { out: (text) => process.stdout.write(`${text}\n`) });
 *   // ccp participant-agent --participant CP1 --deployment deployments/localhost.json --data data/demo
 */
export function registerParticipantAgent(program: Command, output: Output): void {
  program
    .command("participant-agent")
    .description(
      "a clearing participant's agent: answers its and its customers' margin calls, returns excess (runs until stopped)",
    )
    .requiredOption("--participant <id>", "the participant it acts for (an id of the deployment file)")
    .requiredOption("--deployment <file>", "the suite's deployment file (npm run deploy writes it)")
    .option("--network <url>", "JSON-RPC URL of the chain, or localhost (http://127.0.0.1:8545)", "localhost")
    .option(
      "--journal <file>",
      "the agent's journal (SQLite); default <deployment>.agent-<participant>.sqlite",
    )
    .option("--data <folder>", "the CCP's market-data folder: the trust rate it publishes (collateral.json)")
    .option("--trust-rate <rate>", "the CCP's yen trust rate, e.g. -0.001 (instead of --data)")
    .option("--buffer <bps>", "answer a call up to this far above the requirement", basisPoints, 1_000)
    .option(
      "--release-threshold <bps>",
      "return collateral above the requirement plus this",
      basisPoints,
      2_500,
    )
    .option(
      "--horizon-days <n>",
      "days collateral is expected to stay posted, for its cost",
      positiveInteger,
      90,
    )
    .option(
      "--carry <symbol=bps>",
      "what posting an asset forgoes, basis points a year of its market value (repeatable)",
      symbolBps,
      {} as Record<string, number>,
    )
    .option("--poll-interval <ms>", "milliseconds between passes", positiveInteger, 1_000)
    .option("--once", "one pass (every open call answered, excess returned), then stop")
    .option("--passes <n>", "stop after this many passes", positiveInteger)
    .option(
      "--answer-call <id>",
      "answer this margin call now, then stop (refused for another participant's account)",
      idText,
    )
    .option(
      "--lock-dir <folder>",
      "where the key locks live (one process per key); default <temp>/clearchain-keys",
    )
    .option("--json", "print each pass as one JSON document")
    .action(async (options: AgentCommandOptions) => {
      silenceSqliteWarning();
      const { runParticipantAgent } = await import("./participant-agent-run.ts");
      await runParticipantAgent(options, output);
    });
}
