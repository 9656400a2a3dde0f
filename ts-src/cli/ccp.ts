/**
 * Entry point of `ccp` (see ./program.ts for the commands). scripts/ccp.mjs imports this file under
 * Node.js 22+.
 */
import { main } from "./program.ts";

const code = await main(process.argv.slice(2));
if (process.env.CCP_REPORT_RSS === "1") {
  // maxRSS is in KiB; it and the CPU time (user + system) cover every thread of the process.
  const usage = process.resourceUsage();
  const cpuMs = Math.round((usage.userCPUTime + usage.systemCPUTime) / 1000);
  process.stderr.write(`ccp: peak RSS ${usage.maxRSS} KiB, CPU ${cpuMs} ms\n`);
}
process.exitCode = code;
