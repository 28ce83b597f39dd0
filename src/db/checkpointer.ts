// SQLite's checkpoints on a thread of their own. In WAL mode every commit appends pages to the WAL,
// and by default the commit that takes the WAL past 1,000 pages copies them back into the database
// file, with two fsyncs, on the thread that committed: the bot's, which then answers nobody until the
// disk is done. Measured on a copy of bench:bot's database, commits of 20 answers cost 127 µs per
// answer with those checkpoints and 70 µs without, and the bot's paced p99 was 17–37 ms with them
// against 7–9 ms without. So the bot's thread starts this one: a connection of its own that runs a
// PASSIVE checkpoint (it never waits for a lock and never blocks a writer) every `everyMs`, while the
// bot's connection checkpoints by itself only past `WAL_SAFETY_PAGES` (~40 MB): the checkpointer
// then has copied nearly everything, and the WAL restarts from its beginning instead of growing.
import type Sqlite from "better-sqlite3";
import { compiledWorkerFile, startCompiledWorker } from "./compiled-worker.js";

/** Pages of WAL past which a connection with the checkpointer beside it checkpoints by itself. */
export const WAL_SAFETY_PAGES = 10_000;

/** A running checkpointer. */
export interface Checkpointer {
  /** Ends its thread (after the checkpoint in progress, if any). */
  stop(): Promise<void>;
}

/**
 * Runs the checkpoints of the SQLite database `file` on their own thread, and makes `connection`
 * (the caller's) checkpoint by itself only past WAL_SAFETY_PAGES. Undefined, changing nothing, when the
 * compiled worker is missing (the caller's connection then checkpoints as before).
 */
export function startCheckpointer(file: string, connection: Sqlite.Database, options: { readonly everyMs?: number } = {}): Checkpointer | undefined {
  const program = compiledWorkerFile(import.meta.url, "checkpoint-worker.js");
  if (program === undefined) return undefined;
  const worker = startCompiledWorker(program, { workerData: { file, everyMs: options.everyMs ?? 1_000 } });
  // Never what keeps a process alive; a checkpointer that fails leaves the connection's own checkpoints to do the work.
  worker.unref();
  const ended = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  worker.once("error", () => {
    if (connection.open) connection.pragma("wal_autocheckpoint = 1000");
  });
  connection.pragma(`wal_autocheckpoint = ${WAL_SAFETY_PAGES}`);
  return {
    async stop() {
      worker.postMessage("stop");
      const timer = setTimeout(() => void worker.terminate(), 10_000);
      await ended;
      clearTimeout(timer);
      if (connection.open) connection.pragma("wal_autocheckpoint = 1000");
    },
  };
}
