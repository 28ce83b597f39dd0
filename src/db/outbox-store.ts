// The repositories of the outbox, reminders, broadcasts and scheduler leases: a view of the one
// `Database` (same Prisma client), for code that needs only proactive messaging.
import type { SenderRoster } from "../outbox/rate-limit.js";
import type { LeaseRepository, MessagingRepository, OutboxRepository } from "../outbox/types.js";
import type { DatabaseTarget } from "./connection.js";
import { openDatabase } from "./database.js";

/** The repositories of proactive messaging. */
export interface OutboxStore {
  readonly target: DatabaseTarget;
  readonly outbox: OutboxRepository;
  readonly messaging: MessagingRepository;
  readonly leases: LeaseRepository;
  /** Live outbox senders per channel (on PostgreSQL, `khaosat outbox send` joins the bot instances' roster). */
  readonly senders: SenderRoster;
  close(): Promise<void>;
}

/** Opens the database at `url` (default: the SQLite file under ./data) for proactive messaging; migrates first unless `migrate: false`. */
export async function openOutboxStore(url?: string, options: { migrate?: boolean } = {}): Promise<OutboxStore> {
  return openDatabase(url, options);
}
