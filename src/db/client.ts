// The only place that creates Prisma clients. Both generated clients have the same shape (their
// schemas differ only in the provider), so the rest of src/db is typed against the SQLite one.
import { PrismaClient as SqliteClient } from "./generated/sqlite/client.js";
import type Sqlite from "better-sqlite3";
import { adapterFactoryFor, postgresSupport, TunedSqliteFactory, type DatabaseTarget } from "./connection.js";
import { SQLITE_LOCK_WAIT_MS } from "./sqlite-lock.js";

/** The Prisma client type used inside src/db. */
export type Prisma = SqliteClient;

const providers = new WeakMap<Prisma, DatabaseTarget["provider"]>();
const sqliteFactories = new WeakMap<Prisma, TunedSqliteFactory>();

/**
 * The better-sqlite3 connection under a SQLite client, once it has connected; undefined for
 * PostgreSQL. Statements run on it directly share the client's connection (and so its locks).
 */
export function sqliteConnectionOf(prisma: Prisma): Sqlite.Database | undefined {
  return sqliteFactories.get(prisma)?.connection;
}

/** The database kind behind a client made by `createPrismaClient` (for the few statements whose SQL differs). */
export function providerOf(prisma: Prisma): DatabaseTarget["provider"] {
  return providers.get(prisma) ?? "sqlite";
}

/**
 * Creates the Prisma client for a database target; `close` disconnects it and its pool. For
 * PostgreSQL, `loadPostgresSupport()` (connection.ts) must have run: the PostgreSQL client is not
 * loaded by processes on SQLite.
 */
export function createPrismaClient(target: DatabaseTarget): { prisma: Prisma; close(): Promise<void> } {
  const { factory, dispose } = adapterFactoryFor(target);
  // On SQLite a transaction may have to wait for another process's write lock (an import's final
  // step): Prisma's default of 2 s to start one would turn that wait into an error.
  const prisma =
    target.provider === "sqlite"
      ? new SqliteClient({ adapter: factory, transactionOptions: { maxWait: SQLITE_LOCK_WAIT_MS } })
      : (new (postgresSupport().PostgresClient)({ adapter: factory }) as unknown as Prisma);
  providers.set(prisma, target.provider);
  if (factory instanceof TunedSqliteFactory) sqliteFactories.set(prisma, factory);
  return {
    prisma,
    async close() {
      await prisma.$disconnect();
      await dispose();
    },
  };
}
