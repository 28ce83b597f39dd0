// Public API of the storage layer: repositories and their record types; the Prisma client stays inside.
export { openDatabase, type Database, type OpenOptions } from "./database.js";
export { migrateDatabase, type MigrateResult } from "./migrate.js";
export { DatabaseError, DEFAULT_DATABASE_URL, parseDatabaseUrl, type DatabaseTarget } from "./connection.js";
export type * from "./types.js";
export { openOutboxStore, type OutboxStore } from "./outbox-store.js";
export { SubmittedResponseError, responseIdOf, type ChannelStores, type ConsoleSessionOptions } from "./sessions.js";
export type { WebRepository, WebRole, WebSessionRecord, WebUserRecord } from "./web.js";
