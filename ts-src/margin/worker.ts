/**
 * Worker-thread entry point of the margin engine: runs each {@link Task} it receives with the same code as
 * the main thread and posts back `{ id, result }` or `{ id, error }`. Loaded as TypeScript by Node.js 22+
 * (type stripping), like the rest of ts-src.
 */
import { parentPort } from "node:worker_threads";

import { ClearchainError } from "../shared/errors.ts";
import { runTask, transferablesOf, type Task } from "./tasks.ts";

if (parentPort === null) throw new Error("ts-src/margin/worker.ts must run in a worker thread");
const port = parentPort;

port.on("message", (message: { id: number; task: Task }) => {
  try {
    const result = runTask(message.task);
    port.postMessage({ id: message.id, result }, transferablesOf(result));
  } catch (error) {
    port.postMessage({
      id: message.id,
      error:
        error instanceof ClearchainError
          ? { known: true, ...error.toJSON() }
          : {
              known: false,
              message: error instanceof Error ? (error.stack ?? error.message) : String(error),
            },
    });
  }
});
