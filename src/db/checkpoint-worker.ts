// The thread of checkpointer.ts: a connection of its own to the SQLite file that runs a PASSIVE
// checkpoint every `everyMs` (copying what the WAL holds back into the database file, fsyncs
// included), until told to stop.
import { parentPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";

const { file, everyMs } = workerData as { file: string; everyMs: number };
const db = new Database(file, { fileMustExist: true });
const timer = setInterval(() => {
  try {
    // PASSIVE: copies what no reader still needs, waits for no lock, blocks no writer.
    db.pragma("wal_checkpoint(PASSIVE)");
  } catch {
    // Busy or the file gone: the next tick tries again; the writers' own checkpoints remain.
  }
}, everyMs);
parentPort?.on("message", (message: unknown) => {
  if (message !== "stop") return;
  clearInterval(timer);
  db.close();
  parentPort?.close();
});
