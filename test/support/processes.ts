import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/**
 * Child processes for the tests that run the project's commands for real: a `hardhat node` on a free port, `ccp`
 * commands, Hardhat scripts. Every child is tracked and killed by `killAll` (a test's `after`), and at the latest when
 * the test process exits, so that a failing test leaves nothing running.
 */

const require = createRequire(import.meta.url);

/** Hardhat's command-line entry point, run with the Node.js running the tests. */
export const HARDHAT = join(dirname(require.resolve("hardhat/package.json")), "dist", "src", "cli.js");

const children = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of children) child.kill("SIGKILL");
});

/** Kills every child still running. */
export function killAll(): void {
  for (const child of children) child.kill("SIGKILL");
  children.clear();
}

/** A free TCP port on 127.0.0.1 (the system picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address !== null
          ? resolve(address.port)
          : reject(new Error("no port")),
      );
    });
  });
}

/** A running child with its output so far. */
export interface Running {
  readonly child: ChildProcess;
  stdout: string;
  stderr: string;
  /** Resolves when the child has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves when `pattern` appears in its stdout or stderr (rejects after `timeoutMs`, or if it exits first). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

/**
 * Starts a tracked child (Node.js running `args`).
 *
 * @example
 *   const agent = start(["scripts/ccp.mjs", "participant-agent", "--participant", "CP1", …]);
 *   await agent.waitFor(/participant agent started/);
 */
export function start(args: readonly string[], env: Record<string, string> = {}): Running {
  const child = spawn(process.execPath, [...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env },
  });
  children.add(child);
  const listeners = new Set<() => void>();
  const running: Running = {
    child,
    stdout: "",
    stderr: "",
    exited: new Promise((resolve) =>
      child.on("exit", (code, signal) => {
        children.delete(child);
        for (const listener of listeners) listener();
        resolve({ code, signal });
      }),
    ),
    waitFor(pattern, timeoutMs = 60_000) {
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (pattern.test(running.stdout) || pattern.test(running.stderr)) {
            cleanup();
            resolve();
          } else if (child.exitCode !== null || child.signalCode !== null) {
            cleanup();
            reject(new Error(`exited before ${pattern}: ${running.stderr.slice(-2_000)}`));
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no ${pattern} within ${timeoutMs} ms: ${running.stderr.slice(-2_000)}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
  };
  child.stdout!.on("data", (chunk: Buffer) => {
    running.stdout += chunk.toString();
    for (const listener of listeners) listener();
  });
  child.stderr!.on("data", (chunk: Buffer) => {
    running.stderr += chunk.toString();
    for (const listener of listeners) listener();
  });
  return running;
}

/** Starts `hardhat node` on `port`; resolves once it listens. */
export async function startNode(port: number): Promise<Running> {
  const node = start([HARDHAT, "node", "--port", String(port)]);
  await node.waitFor(/Started HTTP/, 60_000);
  return node;
}
