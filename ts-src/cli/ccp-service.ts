/**
 * `ccp ccp-service`: the CCP margin service as a long-running process (see ./ccp-service-run.ts), and
 * `ccp trigger-cycle`: an operator's request for a cycle (end of day, or intraday on demand), which the running
 * service picks up. The services' modules load only when a command runs.
 */
import type { Command } from "commander";

import { type Output, positiveInteger } from "./io.ts";
import type { CcpServiceCommandOptions } from "./ccp-service-run.ts";
import type { TriggerOptions } from "./trigger-cycle.ts";
import { silenceSqliteWarning } from "./settle.ts";

/**
 * Adds `ccp-service` and `trigger-cycle` to the program.
 *
 * @example
 *   registerCcpService(new Command("ccp"), { out: (text) => process.stdout.write(`${text}\n`) });
 *   // ccp ccp-service --deployment deployments/localhost.json --data data/demo
 *   // ccp trigger-cycle --data data/demo --cycle 2026-11-17T1300
 */
export function registerCcpService(program: Command, output: Output): void {
  program
    .command("ccp-service")
    .description(
      "the CCP margin service: margin cycles from market data to calls met or defaulted (runs until stopped)",
    )
    .requiredOption("--deployment <file>", "the suite's deployment file (npm run deploy writes it)")
    .requiredOption(
      "--data <folder>",
      "the market-data folder (margin input, positions/, intraday/, collateral.json)",
    )
    .option("--network <url>", "JSON-RPC URL of the chain, or localhost (http://127.0.0.1:8545)", "localhost")
    .option("--journal <file>", "the service's journal (SQLite); default <deployment>.ccp-service.sqlite")
    .option("--requests <folder>", "where cycles are requested (ccp trigger-cycle); default <data>/requests")
    .option(
      "--cycle <name>",
      "run this cycle now (YYYY-MM-DD, or YYYY-MM-DDTHHMM intraday; repeatable)",
      collect,
      [],
    )
    .option("--call-window <seconds>", "from a posting to its calls' deadline", positiveInteger, 3_600)
    .option("--batch-size <n>", "accounts per requirement posting", positiveInteger, 100)
    .option(
      "--poll-interval <ms>",
      "milliseconds between polls for requests and answers",
      positiveInteger,
      1_000,
    )
    .option("--once", "run the cycles asked for now (--cycle, or the requests present), then stop")
    .option("--cycles <n>", "stop after this many cycles", positiveInteger)
    .option(
      "--report <folder>",
      "write the run report (index.html, report.json) into this folder after each cycle",
    )
    .option(
      "--lock-dir <folder>",
      "where the key locks live (one process per key); default <temp>/clearchain-keys",
    )
    .option("--json", "print each cycle's summary as one JSON document")
    .action(async (options: CcpServiceCommandOptions) => {
      silenceSqliteWarning();
      const { runCcpService } = await import("./ccp-service-run.ts");
      await runCcpService(options, output);
    });

  program
    .command("trigger-cycle")
    .description("request a margin cycle from a running CCP service (end of day, or intraday on demand)")
    .requiredOption("--data <folder>", "the market-data folder the service reads")
    .option(
      "--cycle <name>",
      "YYYY-MM-DD (end of day) or YYYY-MM-DDTHHMM (intraday); default: the next one with positions",
    )
    .option("--requests <folder>", "where the service looks for requests; default <data>/requests")
    .action(async (options: TriggerOptions) => {
      const { triggerCycle } = await import("./trigger-cycle.ts");
      triggerCycle(options, output);
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
