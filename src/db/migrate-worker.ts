// Applies a database's pending migrations in a process of its own (see `migrateDatabase` in
// migrate.ts: the schema engine's memory goes with the process). Started by migrate.ts with an IPC
// channel: receives `{ url }`, sends back the names applied or the failure, and exits.
import { loadPostgresSupport, parseDatabaseUrl } from "./connection.js";
import { applyPending, readMigrations, type WorkerOutcome } from "./migrate.js";
import { DatabaseError } from "./target.js";

async function migrate(url: string): Promise<WorkerOutcome> {
  try {
    const target = parseDatabaseUrl(url);
    if (target.provider === "postgres") await loadPostgresSupport();
    return { ok: true, applied: await applyPending(target, readMigrations(target.provider)) };
  } catch (error) {
    return error instanceof Error
      ? { ok: false, databaseError: error instanceof DatabaseError, message: error.message, ...(error.stack ? { stack: error.stack } : {}) }
      : { ok: false, databaseError: false, message: String(error) };
  }
}

if (process.send) {
  process.once("message", (message: { url: string }) => {
    void migrate(message.url).then((outcome) => process.send!(outcome, () => process.disconnect()));
  });
}
