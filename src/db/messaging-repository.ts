// Prisma implementation of the campaign side of reminders and broadcasts (src/outbox/types.ts) and
// of the scheduler's tick leases.
import type {
  BroadcastRecord,
  LeaseRepository,
  MessagingCampaign,
  MessagingRepository,
  Recipient,
  ReminderRunRecord,
} from "../outbox/types.js";
import { providerOf, type Prisma } from "./client.js";
import { Prisma as Sql } from "./generated/sqlite/client.js";
import { freshStatistics, respondentPage } from "./participation.js";
import { insertOutboxMessages } from "./outbox-repository.js";

/** The channel name the Telegram adapter stores in Session.channel. */
export const TELEGRAM_CHANNEL = "telegram";

function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && "code" in error && (error as { code?: unknown }).code === "P2002";
}

function parseSettings(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text) as unknown;
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

type CampaignRow = { id: string; name: string; opensAt: Date; closesAt: Date; closedAt: Date | null; timeZone: string; settings: string };

function toCampaign(row: CampaignRow): MessagingCampaign {
  const reminders = parseSettings(row.settings).reminders;
  return {
    id: row.id,
    name: row.name,
    opensAt: row.opensAt,
    closesAt: row.closesAt,
    closedAt: row.closedAt,
    timeZone: row.timeZone,
    reminders: typeof reminders === "string" && reminders !== "" ? reminders : null,
  };
}

type RunRow = {
  id: string;
  campaignId: string;
  slotAt: Date;
  label: string;
  trigger: string;
  actor: string | null;
  ranAt: Date;
  recipients: number;
  slotOffset: string | null;
  forClosesAt: Date | null;
};

function toRun(row: RunRow): ReminderRunRecord {
  const { slotOffset, ...rest } = row;
  return { ...rest, offset: slotOffset, trigger: row.trigger === "manual" ? "manual" : "scheduled" };
}

type BroadcastRow = { id: string; campaignId: string; audience: string; parts: number; recipients: number; actor: string | null; createdAt: Date; cancelledAt: Date | null };

function toBroadcast(row: BroadcastRow): BroadcastRecord {
  const { id, campaignId, audience, parts, recipients, actor, createdAt, cancelledAt } = row;
  return { id, campaignId, audience, parts, recipients, actor, createdAt, cancelledAt };
}

const TX = { timeout: 120_000, maxWait: 30_000 };
const PAGE = 2_000;

type RecipientRow = {
  id: string;
  externalId: string;
  unitCode: string;
  groupId: string;
  language: string;
  redeemed: unknown;
  status: string;
  declined: unknown;
  channel: string | null;
  chatId: string | null;
  sessionLanguage: string | null;
  unreachable: unknown;
};

/** Reminder runs, broadcasts and their recipients over Prisma. */
export function messagingRepository(prisma: Prisma): MessagingRepository {
  const provider = providerOf(prisma);
  return {
    async campaign(id) {
      const row = await prisma.campaign.findUnique({ where: { id } });
      return row ? toCampaign(row) : null;
    },

    async campaignsWithReminders(now) {
      const rows = await prisma.campaign.findMany({ where: { closedAt: null, closesAt: { gt: now } }, orderBy: { id: "asc" } });
      return rows.map(toCampaign).filter((c) => c.reminders !== null);
    },

    async setReminderSchedule(campaignId, schedule) {
      return prisma.$transaction(async (tx) => {
        const row = await tx.campaign.findUnique({ where: { id: campaignId }, select: { settings: true } });
        if (!row) return false;
        const settings = parseSettings(row.settings);
        if (schedule === null) delete settings.reminders;
        else settings.reminders = schedule;
        await tx.campaign.update({ where: { id: campaignId }, data: { settings: JSON.stringify(settings) } });
        return true;
      });
    },

    async *recipientPages(campaignId, filter = {}) {
      // Keyset-paged by external id over the campaign's respondents (narrowed to the unit or group):
      // each page joins its respondents to their latest Telegram session and funnel facts; a page
      // may hold fewer recipients than respondents. Nothing binds a list of ids.
      const narrow = Sql.sql`${filter.unitCode !== undefined ? Sql.sql` AND "unitCode" = ${filter.unitCode}` : Sql.empty}${filter.groupId !== undefined ? Sql.sql` AND "groupId" = ${filter.groupId}` : Sql.empty}`;
      await freshStatistics(prisma);
      let after = "";
      for (;;) {
        // The respondent's latest Telegram session (else Zalo, else any) with a chat. PostgreSQL gets
        // it by a LATERAL lookup (one index scan per row): joined ON s."id" = (correlated subquery),
        // it hashed the whole Session table on every page. SQLite runs the subquery per row either way.
        const session =
          provider === "postgres"
            ? Sql.sql`LEFT JOIN LATERAL (
            SELECT s2."channel", s2."chatId", s2."language" FROM "Session" s2 WHERE s2."respondentId" = f."id" AND s2."chatId" IS NOT NULL
            ORDER BY CASE WHEN s2."channel" = ${TELEGRAM_CHANNEL} THEN 0 WHEN s2."channel" = 'zalo' THEN 1 ELSE 2 END, s2."updatedAt" DESC, s2."id" DESC LIMIT 1
          ) s ON TRUE`
            : Sql.sql`LEFT JOIN "Session" s ON s."id" = (
            SELECT s2."id" FROM "Session" s2 WHERE s2."respondentId" = f."id" AND s2."chatId" IS NOT NULL
            ORDER BY CASE WHEN s2."channel" = ${TELEGRAM_CHANNEL} THEN 0 WHEN s2."channel" = 'zalo' THEN 1 ELSE 2 END, s2."updatedAt" DESC, s2."id" DESC LIMIT 1
          )`;
        const rows = await prisma.$queryRaw<RecipientRow[]>`
          SELECT f."id" AS "id", f."externalId" AS "externalId", f."unitCode" AS "unitCode", f."groupId" AS "groupId", f."language" AS "language",
            f."redeemed" AS "redeemed", f."status" AS "status", f."declined" AS "declined", s."channel" AS "channel", s."chatId" AS "chatId", s."language" AS "sessionLanguage",
            CASE WHEN EXISTS (SELECT 1 FROM "UnreachableChat" u WHERE u."chatId" = (CASE WHEN s."channel" = 'zalo' THEN 'zalo:' || s."chatId" ELSE s."chatId" END)) THEN 1 ELSE 0 END AS "unreachable"
          FROM ${respondentPage(provider, campaignId, after, PAGE, narrow)}
          ${session}
          ORDER BY f."externalId"`;
        // Only respondents who redeemed their code have shown they want the bot to write to them.
        const page = rows
          .filter((r) => Number(r.redeemed) === 1 && (r.channel === TELEGRAM_CHANNEL || r.channel === "zalo") && r.chatId !== null && Number(r.unreachable) === 0)
          .map(
            (r): Recipient => ({
              respondentId: r.id,
              // Zalo chats are written `zalo:<id>` in the outbox (src/outbox/zalo-transport.ts).
              chatId: r.channel === "zalo" ? `zalo:${r.chatId!}` : r.chatId!,
              language: r.sessionLanguage ?? r.language,
              unitCode: r.unitCode,
              groupId: r.groupId,
              submitted: r.status === "submitted",
              declined: Number(r.declined) === 1,
            }),
          );
        if (page.length > 0) yield page;
        if (rows.length < PAGE) return;
        after = rows[rows.length - 1]!.externalId;
      }
    },

    async recipients(campaignId, filter) {
      const out: Recipient[] = [];
      for await (const page of this.recipientPages(campaignId, filter)) out.push(...page);
      return out;
    },

    async audienceValues(campaignId) {
      const [units, groups] = await Promise.all([
        prisma.$queryRaw<{ v: string }[]>`SELECT "unitCode" AS "v" FROM "Respondent" WHERE "campaignId" = ${campaignId} UNION SELECT "code" AS "v" FROM "Unit" WHERE "campaignId" = ${campaignId}`,
        prisma.$queryRaw<{ v: string }[]>`SELECT DISTINCT "groupId" AS "v" FROM "Respondent" WHERE "campaignId" = ${campaignId}`,
      ]);
      const sorted = (rows: { v: string }[]) => rows.map((r) => r.v).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      return { units: sorted(units), groups: sorted(groups) };
    },

    async respondentCount(campaignId, filter = {}) {
      return prisma.respondent.count({ where: { campaignId, ...(filter.unitCode !== undefined ? { unitCode: filter.unitCode } : {}), ...(filter.groupId !== undefined ? { groupId: filter.groupId } : {}) } });
    },

    async hasRun(campaignId, offset, forClosesAt) {
      return (await prisma.reminderRun.count({ where: { campaignId, slotOffset: offset, forClosesAt } })) > 0;
    },

    async recordReminderRun(run, build) {
      try {
        return await prisma.$transaction(async (tx) => {
          const created = await tx.reminderRun.create({
            data: {
              campaignId: run.campaignId,
              slotAt: run.slotAt,
              label: run.label,
              trigger: run.trigger,
              actor: run.actor ?? null,
              ranAt: run.ranAt,
              recipients: 0,
              // Manual runs keep null keys: nulls never collide, so "remind now" can repeat.
              slotOffset: run.offset ?? null,
              forClosesAt: run.forClosesAt ?? null,
            },
          });
          const messages = build(created.id);
          let queued = 0;
          if (Symbol.asyncIterator in messages) for await (const page of messages) queued += (await insertOutboxMessages(tx, page, provider)).queued;
          else queued = (await insertOutboxMessages(tx, messages, provider)).queued;
          const row = await tx.reminderRun.update({ where: { id: created.id }, data: { recipients: queued } });
          return toRun(row);
        }, TX);
      } catch (error) {
        if (isUniqueViolation(error)) return null;
        throw error;
      }
    },

    async reminderRuns(campaignId) {
      const rows = await prisma.reminderRun.findMany({ where: { campaignId }, orderBy: { slotAt: "desc" } });
      return rows.map(toRun);
    },

    async unreachableChats() {
      return (await prisma.unreachableChat.findMany({ select: { chatId: true } })).map((r) => r.chatId);
    },

    async clearUnreachable(chatId) {
      return (await prisma.unreachableChat.deleteMany({ where: { chatId } })).count > 0;
    },

    async recordBroadcast(input, build) {
      return prisma.$transaction(async (tx) => {
        const created = await tx.broadcast.create({ data: { ...input, recipients: 0 } });
        await insertOutboxMessages(tx, build(created.id), provider);
        // Recipients are counted, not derived from the parts: a Zalo chat gets its own number of parts.
        const [chats] = await tx.$queryRaw<{ n: bigint | number }[]>`SELECT COUNT(DISTINCT "chatId") AS "n" FROM "OutboxMessage" WHERE "batchId" = ${created.id}`;
        const row = await tx.broadcast.update({ where: { id: created.id }, data: { recipients: Number(chats?.n ?? 0) } });
        return toBroadcast(row);
      }, TX);
    },

    async broadcast(id) {
      const row = await prisma.broadcast.findUnique({ where: { id } });
      return row ? toBroadcast(row) : null;
    },

    async markBroadcastCancelled(id, at) {
      const row = await prisma.broadcast.findUnique({ where: { id } });
      if (!row) return null;
      if (row.cancelledAt) return toBroadcast(row);
      return toBroadcast(await prisma.broadcast.update({ where: { id }, data: { cancelledAt: at } }));
    },
  };
}

/** Scheduler tick leases over Prisma: the primary key decides the race between instances. */
export function leaseRepository(prisma: Prisma): LeaseRepository {
  return {
    async tryAcquire(key, holder, now, ttlMs) {
      const expiresAt = new Date(now.getTime() + ttlMs);
      try {
        await prisma.schedulerLease.create({ data: { key, holder, acquiredAt: now, expiresAt } });
        return true;
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
      }
      // Taken: only an expired lease may change hands, and only one taker wins the conditional update.
      const { count } = await prisma.schedulerLease.updateMany({ where: { key, expiresAt: { lte: now } }, data: { holder, acquiredAt: now, expiresAt } });
      return count === 1;
    },

    async purge(before) {
      const { count } = await prisma.schedulerLease.deleteMany({ where: { expiresAt: { lt: before } } });
      return count;
    },
  };
}
