// The only place that creates Prisma clients. Both generated clients have the same shape (their
// schemas differ only in the provider), so the rest of src/db is typed against the SQLite one.
import { PrismaClient as SqliteClient } from "./generated/sqlite/client.js";
import { PrismaClient as PostgresClient } from "./generated/postgres/client.js";
import { adapterFactoryFor, type DatabaseTarget } from "./connection.js";

/** The Prisma client type used inside src/db. */
export type Prisma = SqliteClient;

/** Creates the Prisma client for a database target; `close` disconnects it and its pool. */
export function createPrismaClient(target: DatabaseTarget): { prisma: Prisma; close(): Promise<void> } {
  const { factory, dispose } = adapterFactoryFor(target);
  const prisma = target.provider === "sqlite" ? new SqliteClient({ adapter: factory }) : (new PostgresClient({ adapter: factory }) as unknown as Prisma);
  return {
    prisma,
    async close() {
      await prisma.$disconnect();
      await dispose();
    },
  };
}
