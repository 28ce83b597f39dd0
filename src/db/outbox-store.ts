// Opens the repositories of the outbox, reminders, broadcasts and scheduler leases on their own
// Prisma client (the bot and CLI open it next to `openDatabase`, which applies the migrations).
import type { LeaseRepository, MessagingRepository, OutboxRepository } from "../outbox/types.js";
import { createPrismaClient } from "./client.js";
import { explainDatabaseError, parseDatabaseUrl, type DatabaseTarget } from "./connection.js";
import { migrateDatabase } from "./migrate.js";
import { leaseRepository, messagingRepository } from "./messaging-repository.js";
import { outboxRepository } from "./outbox-repository.js";

/** The repositories of proactive messaging. */
export interface OutboxStore {
  readonly target: DatabaseTarget;
  readonly outbox: OutboxRepository;
  readonly messaging: MessagingRepository;
  readonly leases: LeaseRepository;
  close(): Promise<void>;
}

/** Opens the outbox store at `url` (default: the SQLite file under ./data); migrates first unless `migrate: false`. */
export async function openOutboxStore(url?: string, options: { migrate?: boolean } = {}): Promise<OutboxStore> {
  const target = parseDatabaseUrl(url);
  if (options.migrate !== false) await migrateDatabase(url);
  const { prisma, close } = createPrismaClient(target);
  try {
    if (target.provider === "sqlite") {
      await prisma.$queryRawUnsafe("PRAGMA journal_mode = WAL");
      await prisma.$queryRawUnsafe("PRAGMA foreign_keys = ON");
    } else {
      await prisma.$queryRawUnsafe("SELECT 1");
    }
  } catch (error) {
    await close().catch(() => {});
    throw explainDatabaseError(target, error);
  }
  return {
    target,
    outbox: outboxRepository(prisma, target.provider),
    messaging: messagingRepository(prisma),
    leases: leaseRepository(prisma),
    close,
  };
}
