/**
 * One process per key: a service takes a lock on each key it signs with before it sends anything, so that two
 * processes never send with one key (their nonces would collide, and a journalled transaction could be replaced). The
 * lock is a SQLite file per chain and address, held exclusively while the service runs and released by the operating
 * system however the process ends (even killed with SIGKILL): no stale lock to clean up.
 */
import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DatabaseSync } from "node:sqlite";

import { AutomationError } from "./errors.ts";
import { openExclusive } from "./journal.ts";

/** The default folder of the lock files: `<temp>/clearchain-keys`. */
export function defaultLockDirectory(): string {
  return join(tmpdir(), "clearchain-keys");
}

/**
 * The locks of a service's keys.
 *
 * @example
 *   const locks = KeyLocks.acquire({ chainId: 31337, addresses: [ccp], owner: "ccp-service" });
 *   try { … } finally { locks.release(); }
 */
export class KeyLocks {
  readonly #held: DatabaseSync[];

  private constructor(held: DatabaseSync[]) {
    this.#held = held;
  }

  /**
   * Locks every address (all or none).
   *
   * @throws {AutomationError} `AUTOMATION_KEY_IN_USE` naming the address another process holds.
   */
  static acquire(parameters: {
    chainId: number;
    addresses: readonly string[];
    /** Who takes them, for the message: "ccp-service", "participant-agent CP1". */
    owner: string;
    directory?: string;
  }): KeyLocks {
    const directory = parameters.directory ?? defaultLockDirectory();
    mkdirSync(directory, { recursive: true });
    const held: DatabaseSync[] = [];
    try {
      for (const address of new Set(parameters.addresses.map((a) => a.toLowerCase()))) {
        const path = join(directory, `${parameters.chainId}-${address}.lock`);
        held.push(
          openExclusive(path, (cause, locked) =>
            locked
              ? new AutomationError(
                  "AUTOMATION_KEY_IN_USE",
                  `another process signs with ${address} on chain ${parameters.chainId} (${parameters.owner} refuses to start a second one)`,
                  { cause, details: { address, chainId: parameters.chainId, lock: path } },
                )
              : new AutomationError("AUTOMATION_BAD_INPUT", `cannot use the key lock ${path}`, {
                  cause,
                  details: { lock: path },
                }),
          ),
        );
      }
    } catch (error) {
      for (const db of held) db.close();
      throw error;
    }
    return new KeyLocks(held);
  }

  /** Releases every lock. */
  release(): void {
    for (const db of this.#held.splice(0)) db.close();
  }
}
