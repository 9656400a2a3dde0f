/** Runs the real `ccp` command (node scripts/ccp.mjs …, or the launcher bin/ccp) as a child process. */
import { spawnSync } from "node:child_process";

export type CcpResult = { status: number | null; stdout: string; stderr: string };

function run(command: string, args: string[], env: Record<string, string>): CcpResult {
  const result = spawnSync(command, args, {
    encoding: "utf8",
    env: { ...process.env, ...env },
    maxBuffer: 256 * 1024 * 1024,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** `ccp` as `node scripts/ccp.mjs …` under the Node.js running the tests. */
export function ccp(args: string[], env: Record<string, string> = {}): CcpResult {
  return run(process.execPath, ["scripts/ccp.mjs", ...args], env);
}

/** `ccp` through the launcher bin/ccp, as a user runs it (it finds Node.js 22 itself). */
export function launch(args: string[], env: Record<string, string> = {}): CcpResult {
  return run("bin/ccp", args, env);
}

/** The error code `ccp` prints in brackets at the end of its error line. */
export function errorCode(stderr: string): string | undefined {
  return /\[([A-Z_]+)\]\s*$/.exec(stderr.trim())?.[1];
}
