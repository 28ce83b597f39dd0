// Opens the database: migrations first (so every entry point starts on the current schema), then a
// Prisma client wrapped in repositories. Callers get repositories, never the client.
import Sqlite from "better-sqlite3";
import { createPrismaClient, sqliteConnectionOf } from "./client.js";
import { startCheckpointer, type Checkpointer } from "./checkpointer.js";
import { explainDatabaseError, loadPostgresSupport, parseDatabaseUrl, prepareSqliteFile, type DatabaseTarget } from "./connection.js";
import { migrateDatabase, type MigrateResult } from "./migrate.js";
import { auditRepository } from "./audit.js";
import { campaignRepository } from "./campaigns.js";
import { participationRepository } from "./participation.js";
import { respondentRepository } from "./respondents.js";
import { responseRepository } from "./responses.js";
import { channelStores, type ChannelStores } from "./sessions.js";
import { postgresChatLocks } from "./chat-locks.js";
import type { AuditRepository, CampaignRepository, ParticipationRepository, RespondentRepository, ResponseRepository } from "./types.js";
import type { AccessRepository } from "../access/repository.js";
import type { CitizensRepository } from "../citizens/repository.js";
import type { FlagsRepository } from "../flags/repository.js";
import type { LeaseRepository, MessagingRepository, OutboxRepository } from "../outbox/types.js";
import { accessRepository } from "./access-repository.js";
import { citizensRepository } from "./citizens-repository.js";
import { flagsRepository } from "./flags-repository.js";
import { leaseRepository, messagingRepository } from "./messaging-repository.js";
import { outboxRepository, senderRoster } from "./outbox-repository.js";
import type { SenderRoster } from "../outbox/rate-limit.js";
import { webRepository, type WebRepository } from "./web.js";

/**
 * An open database: the repositories the application uses, all on ONE Prisma client. On SQLite a
 * process must not hold two connections that write: better-sqlite3 waits for a lock synchronously,
 * so a second connection blocks the event loop that the first one's transaction needs to finish.
 */
export interface Database {
  readonly target: DatabaseTarget;
  /** What the automatic migration did on open (undefined when opened with `migrate: false`). */
  readonly migration: MigrateResult | undefined;
  readonly campaigns: CampaignRepository;
  readonly respondents: RespondentRepository;
  readonly participation: ParticipationRepository;
  readonly audit: AuditRepository;
  /** Submitted responses: export, file import, scoring. */
  readonly responses: ResponseRepository;
  /** Sessions, answers and directories of the Telegram and console channels. */
  readonly channel: ChannelStores;
  /** One-time codes, bindings and attempts (`channel.access` is the same repository). */
  readonly access: AccessRepository;
  /** Anonymous code batches, posters and poster claims. */
  readonly citizens: CitizensRepository;
  /** Data-quality flags and organisers' decisions. */
  readonly flags: FlagsRepository;
  /** Proactive messages: the outbox, reminder runs and broadcasts, scheduler leases. */
  readonly outbox: OutboxRepository;
  readonly messaging: MessagingRepository;
  readonly leases: LeaseRepository;
  /** Live outbox senders per channel, for the send budget shared by instances (`SharedSendBudget`). */
  readonly senders: SenderRoster;
  /** The web console: accounts, sessions, login failures and its read models. */
  readonly web: WebRepository;
  close(): Promise<void>;
}

/** Options of openDatabase. */
export interface OpenOptions {
  /** Apply pending migrations first (default true). */
  readonly migrate?: boolean;
  /**
   * SQLite: the WAL's checkpoints (their fsyncs) on a thread of their own instead of in the commits
   * of this connection (checkpointer.ts); for the bot's thread, which should never wait for the disk.
   */
  readonly checkpointsOnOwnThread?: boolean;
}

/** Opens (and by default migrates) the database at `url` (default: the SQLite file under ./data). */
export async function openDatabase(url?: string, options: OpenOptions = {}): Promise<Database> {
  const target = parseDatabaseUrl(url);
  if (target.provider === "sqlite") enableWal(target.file);
  else await loadPostgresSupport();
  const migration = options.migrate === false ? undefined : await migrateDatabase(url);
  const { prisma, close: closeClient } = createPrismaClient(target);
  // Several instances on PostgreSQL: one account's updates are handled one at a time across all of them.
  const locks = target.provider === "postgres" ? postgresChatLocks(target) : undefined;
  let checkpointer: Checkpointer | undefined;
  const close = async () => {
    await checkpointer?.stop();
    await locks?.close();
    await closeClient();
  };
  try {
    await prisma.$queryRawUnsafe("SELECT 1");
  } catch (error) {
    await close().catch(() => {});
    throw explainDatabaseError(target, error);
  }
  // (The connection exists once the first query has run.)
  const connection = sqliteConnectionOf(prisma);
  if (options.checkpointsOnOwnThread && target.provider === "sqlite" && connection) checkpointer = startCheckpointer(target.file, connection);
  return {
    target,
    migration,
    campaigns: campaignRepository(prisma),
    respondents: respondentRepository(prisma),
    participation: participationRepository(prisma),
    audit: auditRepository(prisma),
    responses: responseRepository(prisma),
    channel: channelStores(prisma, locks ? { locks } : {}),
    access: accessRepository(prisma),
    citizens: citizensRepository(prisma),
    flags: flagsRepository(prisma),
    outbox: outboxRepository(prisma, target.provider),
    messaging: messagingRepository(prisma),
    leases: leaseRepository(prisma),
    senders: senderRoster(prisma, target.provider),
    web: webRepository(prisma),
    close,
  };
}

/** WAL lets readers (reports, the bot) run while an import writes; the mode persists in the file. */
function enableWal(file: string): void {
  prepareSqliteFile(file);
  let db: Sqlite.Database | undefined;
  try {
    db = new Sqlite(file, { timeout: 10_000 });
    if (db.pragma("journal_mode", { simple: true }) !== "wal") db.pragma("journal_mode = WAL");
  } catch (error) {
    throw explainDatabaseError({ provider: "sqlite", url: `file:${file}`, file }, error);
  } finally {
    db?.close();
  }
}
