/**
 * `ccp settle`: the DvP settlement service on a trade feed (see ./settle-run.ts for what it does). The service's
 * modules (viem, the SQLite journal) load only when the command runs.
 */
import type { Command } from "commander";

import { type Output, positiveInteger } from "./io.ts";
import type { SettleOptions } from "./settle-run.ts";

/**
 * Adds `settle` to the `ccp` program; the service's modules load only when the command runs.
 *
 * @example
 *   registerSettle(new Command("ccp"), { out: (text) => process.stdout.write(`${text}\n`) });
 */
export function registerSettle(program: Command, output: Output): void {
  program
    .command("settle")
    .description(
      "settle a feed of PTS trade reports by atomic DvP (fail handling, cancellation at the deadline)",
    )
    .requiredOption("--feed <file>", "the trade reports, one JSON object per line (see docs/settlement.md)")
    .requiredOption("--deployment <file>", "chain id, DvP contract and the service's accounts (JSON)")
    .option("--network <url>", "JSON-RPC URL of the chain, or localhost (http://127.0.0.1:8545)", "localhost")
    .option("--journal <file>", "the service's journal (SQLite); default <feed>.journal.sqlite")
    .option("--batch-size <n>", "trades per report and settlement transaction", positiveInteger, 100)
    .option(
      "--decline-top-up <investor>",
      "simulate a buyer (investor code) that places no yen in trust when short (repeatable)",
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option(
      "--poll-interval <ms>",
      "milliseconds between rounds while every open trade waits",
      positiveInteger,
      1_000,
    )
    .option("--json", "print the summary as one JSON document")
    .action(async (options: SettleOptions) => {
      silenceSqliteWarning();
      const { settle } = await import("./settle-run.ts");
      await settle(options, output);
    });
}

/**
 * `node:sqlite` announces itself as experimental on first use (Node.js 22): noise on a command's stderr, so that one
 * warning is dropped; every other warning is printed as usual.
 */
export function silenceSqliteWarning(): void {
  const emit = process.emitWarning.bind(process);
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === "string" ? warning : warning.message;
    if (/SQLite is an experimental feature/.test(text)) return;
    (emit as (warning: string | Error, ...rest: unknown[]) => void)(warning, ...rest);
  }) as typeof process.emitWarning;
}
