// Public API of the storage layer: repositories and their record types; the Prisma client stays inside.
// Opening a database loads the drivers and Prisma clients on first use (dynamic import), so a command
// that never touches the database (`khaosat --help`, `score` on files) does not pay for them.
import type { Database, OpenOptions, openDatabase as OpenDatabase } from "./database.js";
import type { MigrateResult, migrateDatabase as MigrateDatabase } from "./migrate.js";
import type { OutboxStore, openOutboxStore as OpenOutboxStore } from "./outbox-store.js";

export type { Database, OpenOptions, MigrateResult, OutboxStore };
export { DatabaseError, DEFAULT_DATABASE_URL, parseDatabaseUrl, type DatabaseTarget } from "./target.js";
export type * from "./types.js";
export { RESPONSE_CHANNELS, responseChannel } from "./types.js";
export type { ChannelStores, ConsoleSessionOptions } from "./sessions.js";
export { SubmittedResponseError, responseIdOf } from "./session-ids.js";

/** Opens the database at `url` (default: the SQLite file under ./data); see database.ts. */
export async function openDatabase(...args: Parameters<typeof OpenDatabase>): Promise<Database> {
  return (await import("./database.js")).openDatabase(...args);
}

/** Applies pending migrations to the database at `url`; see migrate.ts. */
export async function migrateDatabase(...args: Parameters<typeof MigrateDatabase>): Promise<MigrateResult> {
  return (await import("./migrate.js")).migrateDatabase(...args);
}

/** Opens the repositories of proactive messaging; see outbox-store.ts. */
export async function openOutboxStore(...args: Parameters<typeof OpenOutboxStore>): Promise<OutboxStore> {
  return (await import("./outbox-store.js")).openOutboxStore(...args);
}
export type { WebRepository, WebRole, WebSessionRecord, WebUploadRecord, WebUserRecord } from "./web.js";
