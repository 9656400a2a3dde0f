/**
 * Entry point of `ccp` (see ./program.ts for the commands). scripts/ccp.mjs imports this file under
 * Node.js 22+.
 */
import { readFileSync } from "node:fs";

import { main } from "./program.ts";

/**
 * The process's peak resident set size, KiB, every thread included. On Linux, the high-water mark of its own memory
 * (`VmHWM`): `getrusage`'s maxRSS would also count what the parent had resident when it forked this process, which
 * the kernel carries across exec (a benchmark spawned from a large process would report the parent's size).
 */
function peakRssKiB(): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync("/proc/self/status", "utf8"));
    if (match !== null) return Number(match[1]);
  } catch {
    // Not Linux: getrusage below.
  }
  return process.resourceUsage().maxRSS;
}

const code = await main(process.argv.slice(2));
if (process.env.CCP_REPORT_RSS === "1") {
  // The CPU time (user + system) covers every thread of the process.
  const usage = process.resourceUsage();
  const cpuMs = Math.round((usage.userCPUTime + usage.systemCPUTime) / 1000);
  process.stderr.write(`ccp: peak RSS ${peakRssKiB()} KiB, CPU ${cpuMs} ms\n`);
}
process.exitCode = code;
