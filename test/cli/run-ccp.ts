/** Runs the real `ccp` command (node scripts/ccp.mjs …) as a child process. */
import { spawnSync } from "node:child_process";

export type CcpResult = { status: number | null; stdout: string; stderr: string };

export function ccp(args: string[], env: Record<string, string> = {}): CcpResult {
  const result = spawnSync(process.execPath, ["scripts/ccp.mjs", ...args], {
    encoding: "utf8",
    env: { ...process.env, ...env },
    maxBuffer: 256 * 1024 * 1024,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The error code `ccp` prints in brackets at the end of its error line. */
export function errorCode(stderr: string): string | undefined {
  return /\[([A-Z_]+)\]\s*$/.exec(stderr.trim())?.[1];
}
