/**
 * Runs margin {@link Task}s on `threads` threads: the calling thread and `threads − 1` worker threads. Tasks
 * are handed out in submission order to whichever is free; the calling thread takes one whenever it yields to
 * the event loop (while it awaits a result), so it works instead of waiting, and no core sits idle behind
 * an extra worker's start-up.
 */
import { Worker } from "node:worker_threads";

import { reviveMarginInputError } from "./errors.ts";
import { runTask, type Task, type TaskResult } from "./tasks.ts";

export type TaskRunner = {
  /** Number of threads doing the work (1 = in the calling thread). */
  readonly threads: number;
  run<T extends Task>(task: T): Promise<TaskResult<T>>;
  close(): Promise<void>;
};

export { defaultThreads } from "./threads.ts";

/** A runner on `threads` threads: the calling one and `threads − 1` workers (threads ≤ 1: no worker). */
export function createTaskRunner(threads: number): TaskRunner {
  return threads <= 1 ? inProcessRunner() : new WorkerPool(threads);
}

function inProcessRunner(): TaskRunner {
  return {
    threads: 1,
    run: <T extends Task>(task: T) => Promise.resolve().then(() => runTask(task)),
    close: () => Promise.resolve(),
  };
}

/**
 * Worker options: when the launcher serves the TypeScript sources from its cache of stripped files
 * (scripts/typescript-cache.mjs publishes its URL on globalThis), the workers load it first too. Only when Node.js
 * was started without options of its own: a worker inherits those, and some (V8 flags) it may not be given.
 */
function workerOptions(): { execArgv?: string[] } {
  const hooks = (globalThis as Record<symbol, unknown>)[Symbol.for("clearchain.typescript-cache")];
  return typeof hooks === "string" && process.execArgv.length === 0 ? { execArgv: ["--import", hooks] } : {};
}

type Pending = {
  id: number;
  task: Task;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
};
type Reply = {
  id: number;
  result?: unknown;
  error?: { known: true; code: string; details: Record<string, unknown> } | { known: false; message: string };
};

class WorkerPool implements TaskRunner {
  readonly threads: number;
  readonly #idle: Worker[] = [];
  readonly #busy = new Map<Worker, Pending>();
  readonly #queue: Pending[] = [];
  #nextId = 0;
  #mainScheduled = false;
  #closed = false;

  constructor(threads: number) {
    this.threads = threads;
    for (let i = 0; i < threads - 1; i += 1) {
      const worker = new Worker(new URL("./worker.ts", import.meta.url), workerOptions());
      worker.on("message", (reply: Reply) => this.#settle(worker, reply));
      worker.on("error", (error) => this.#fail(worker, error));
      this.#idle.push(worker);
    }
  }

  run<T extends Task>(task: T): Promise<TaskResult<T>> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ id: this.#nextId++, task, resolve: resolve as (value: unknown) => void, reject });
      this.#dispatch();
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    const workers = [...this.#idle, ...this.#busy.keys()];
    this.#idle.length = 0;
    await Promise.all(workers.map((worker) => worker.terminate()));
  }

  #dispatch(): void {
    while (this.#idle.length > 0 && this.#queue.length > 0) {
      const worker = this.#idle.pop()!;
      const pending = this.#queue.shift()!;
      this.#busy.set(worker, pending);
      worker.postMessage({ id: pending.id, task: pending.task });
    }
    if (this.#queue.length > 0 && !this.#mainScheduled && !this.#closed) {
      this.#mainScheduled = true;
      setImmediate(() => this.#runOnMain());
    }
  }

  /** Runs the next queued task in the calling thread (between event-loop turns, so replies still flow). */
  #runOnMain(): void {
    this.#mainScheduled = false;
    const pending = this.#queue.shift();
    if (pending === undefined || this.#closed) return;
    try {
      pending.resolve(runTask(pending.task));
    } catch (error) {
      pending.reject(error);
    }
    this.#dispatch();
  }

  #settle(worker: Worker, reply: Reply): void {
    const pending = this.#busy.get(worker);
    this.#busy.delete(worker);
    this.#idle.push(worker);
    if (pending !== undefined) {
      if (reply.error === undefined) pending.resolve(reply.result);
      else if (reply.error.known) pending.reject(reviveMarginInputError(reply.error));
      else pending.reject(new Error(`margin worker failed: ${reply.error.message}`));
    }
    this.#dispatch();
  }

  #fail(worker: Worker, error: Error): void {
    const pending = this.#busy.get(worker);
    this.#busy.delete(worker);
    pending?.reject(error);
    for (const queued of this.#queue.splice(0)) queued.reject(error);
  }
}
