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
import type { Prisma } from "./client.js";
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

/** Reminder runs, broadcasts and their recipients over Prisma. */
export function messagingRepository(prisma: Prisma): MessagingRepository {
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

    async recipients(campaignId) {
      const rows = await prisma.respondent.findMany({
        where: { campaignId, sessions: { some: { channel: TELEGRAM_CHANNEL, chatId: { not: null } } } },
        select: {
          id: true,
          unitCode: true,
          groupId: true,
          language: true,
          subjectUnits: true,
          accessCodes: { where: { boundAccount: { not: null } }, select: { id: true }, take: 1 },
          sessions: {
            where: { channel: TELEGRAM_CHANNEL, chatId: { not: null } },
            select: { chatId: true, language: true },
            orderBy: { updatedAt: "desc" },
            take: 1,
          },
          responses: { select: { status: true } },
        },
        orderBy: { externalId: "asc" },
      });
      const unreachable = new Set((await prisma.unreachableChat.findMany({ select: { chatId: true } })).map((r) => r.chatId));
      const out: Recipient[] = [];
      for (const r of rows) {
        const session = r.sessions[0];
        // Only respondents who redeemed their code have shown they want the bot to write to them.
        if (!session?.chatId || r.accessCodes.length === 0 || unreachable.has(session.chatId)) continue;
        const expected = Math.max(1, r.subjectUnits === "" ? 0 : r.subjectUnits.split("|").length);
        out.push({
          respondentId: r.id,
          chatId: session.chatId,
          language: session.language ?? r.language,
          unitCode: r.unitCode,
          groupId: r.groupId,
          submitted: r.responses.filter((x) => x.status === "submitted").length >= expected,
          declined: r.responses.some((x) => x.status === "declined"),
        });
      }
      return out;
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
          const result = await insertOutboxMessages(tx, build(created.id));
          const row = await tx.reminderRun.update({ where: { id: created.id }, data: { recipients: result.queued } });
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
        const result = await insertOutboxMessages(tx, build(created.id));
        const row = await tx.broadcast.update({ where: { id: created.id }, data: { recipients: Math.ceil(result.queued / Math.max(1, input.parts)) } });
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
