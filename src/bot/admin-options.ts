// The organisers' commands over the database (reminders and broadcasts go through the outbox), as
// the bot process wires them: on the main thread, or on the conversation thread (host-worker.ts).
import { auditStateStore, databaseParticipation, databaseResponses, outboxBroadcasts, type AdminOptions } from "../channels/telegram/admin/index.js";
import type { Database } from "../db/index.js";
import type { ReminderService } from "../reminders/index.js";

/** The organisers' commands for ADMIN_TELEGRAM_IDS over `db`. */
export function adminOptions(ids: readonly number[], db: Database, reminders: ReminderService): AdminOptions {
  return {
    ids,
    ports: {
      campaigns: db.campaigns,
      participation: databaseParticipation(db),
      reminders,
      broadcasts: outboxBroadcasts(db.messaging, db.outbox),
      audit: db.audit,
      state: auditStateStore(db.audit),
      responses: databaseResponses(db),
    },
  };
}
