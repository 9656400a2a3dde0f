/**
 * `ccp`, the project's command line (`npx ccp <command> …`, launched by scripts/ccp.mjs under Node.js 22+).
 *
 *   ccp margin <folder> [--json] [--threads n]         initial margin per account
 *         [--explain <account> | --what-if <trades.csv>] one account explained; IM before and after trades
 *   ccp backtest <folder> --days D [--json]            the margin against the losses of the last D days
 *   ccp clearing-fund <input.json> [--json]            clearing-fund requirement per participant
 *   ccp fees <input.json> [--json]                     collateral fees per participant
 *   ccp generate-case <folder> --accounts n --instruments n [--seed n]
 *   ccp settle --feed <trades.jsonl> --deployment <file> [--network <url>]   DvP settlement service
 *   ccp ccp-service --deployment <file> --data <folder> [--once]       the CCP margin service
 *   ccp trigger-cycle --data <folder> [--cycle <name>]                  request a cycle (intraday on demand)
 *   ccp participant-agent --participant <id> --deployment <file>        a clearing participant's agent
 *
 * Exit codes: 0 done; 2 bad input or usage (the message, `ccp: …`, goes to stderr and names the file, line
 * and problem, followed by the error code in brackets; nothing goes to stdout); 1 an unexpected failure.
 *
 * Environment: `CCP_REPORT_RSS=1` prints the peak resident set size to stderr at exit; `CCP_PROFILE=1` the
 * time of each phase of `ccp margin`; `CCP_CSV_PARSER=csv-parse` makes csv-parse read every CSV file.
 */
import { Command, CommanderError } from "commander";

import { ClearchainError } from "../shared/errors.ts";
import { registerBacktest } from "./backtest.ts";
import { registerCcpService } from "./ccp-service.ts";
import { registerClearingFund } from "./clearing-fund.ts";
import { registerFees } from "./fees.ts";
import type { Output } from "./io.ts";
import { registerMargin } from "./margin.ts";
import { registerParticipantAgent } from "./participant-agent.ts";
import { registerReport } from "./report.ts";
import { registerSettle } from "./settle.ts";

/** Exit code for bad input and bad usage. */
export const EXIT_BAD_INPUT = 2;
/** Exit code for an unexpected failure (a bug). */
export const EXIT_FAILURE = 1;

/**
 * Builds the program; `output` receives what the commands print on success.
 *
 * @example
 *   const lines: string[] = [];
 *   await buildProgram({ out: (text) => lines.push(text) }).parseAsync(["fees", "data/examples/fees.json"], {
 *     from: "user",
 *   });
 */
export function buildProgram(output: Output): Command {
  const program = new Command("ccp")
    .description(
      "clearchain CCP tools: initial margin (explained, what-if, backtested), clearing fund, collateral fees, DvP settlement, the margin-call automation",
    )
    .showHelpAfterError("(run `ccp --help` for usage)")
    .exitOverride()
    .configureOutput({
      writeErr: (text) => process.stderr.write(text.startsWith("error:") ? `ccp: ${text.slice(7)}` : text),
    });
  registerMargin(program, output);
  registerBacktest(program, output);
  registerClearingFund(program, output);
  registerFees(program, output);
  registerReport(program, output);
  registerSettle(program, output);
  registerCcpService(program, output);
  registerParticipantAgent(program, output);
  for (const command of program.commands) command.exitOverride();
  return program;
}

/**
 * Runs `ccp` with the given arguments (without `node` and the script); resolves to the exit code.
 *
 * @example
 *   process.exitCode = await main(["margin", "data/examples/margin", "--json"]);
 */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram({ out: (text) => process.stdout.write(`${text}\n`) });
  if (argv.length === 0) {
    process.stderr.write(program.helpInformation());
    return EXIT_BAD_INPUT;
  }
  try {
    await program.parseAsync([...argv], { from: "user" });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander has already printed its message
      return error.code === "commander.helpDisplayed" ||
        error.code === "commander.version" ||
        error.exitCode === 0
        ? 0
        : EXIT_BAD_INPUT;
    }
    if (error instanceof ClearchainError) {
      process.stderr.write(`ccp: ${error.message} [${error.code}]\n`);
      return EXIT_BAD_INPUT;
    }
    process.stderr.write(
      `ccp: unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return EXIT_FAILURE;
  }
}
