/**
 * Entry point of `ccp` (see ./program.ts for the commands). scripts/ccp.mjs imports this file under
 * Node.js 22+.
 */
import { main } from "./program.ts";

const code = await main(process.argv.slice(2));
if (process.env.CCP_REPORT_RSS === "1") {
  // maxRSS is in KiB and covers the worker threads, which share the process.
  process.stderr.write(`ccp: peak RSS ${process.resourceUsage().maxRSS} KiB\n`);
}
process.exitCode = code;
