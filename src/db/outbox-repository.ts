// Prisma implementation of the outbox (src/outbox/types.ts). Claims are conditional updates, and on
// PostgreSQL one `UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED)`, so two senders never hold
// the same row; every later transition names the state it expects.
import type {
  ClaimedMessage,
  InlineKeyboard,
  OutboxCounts,
  OutboxKind,
  OutboxMessageInput,
  OutboxRepository,
  OutboxStatus,
  ParseMode,
} from "../outbox/types.js";
import type { Prisma } from "./client.js";
import { Prisma as Sql } from "./generated/sqlite/client.js";
import type { DatabaseTarget } from "./connection.js";
import type { BudgetChannel, SenderRoster } from "../outbox/rate-limit.js";

/** A Prisma client or an interactive transaction of one. */
export type PrismaTx = Omit<Prisma, "$connect" | "$disconnect" | "$on" | "$transaction" | "$extends">;

const CHUNK = 500;
// Rows per multi-row INSERT and keys per existence lookup when queueing: 11 bound values a row keeps
// an INSERT at 11,000 parameters, well under SQLite's 32,766 and PostgreSQL's 65,535; fewer, larger
// statements are what makes queueing a national audience fast on PostgreSQL (a round trip each).
const INSERT_ROWS = 1_000;
const LOOKUP_KEYS = 5_000;
const PG_INSERT_ROWS = 5_000;

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Inserts outbox rows inside the caller's transaction, skipping existing dedupe keys and unreachable
 * chats. On PostgreSQL each chunk travels as column arrays (unnest): 10 parameters a statement
 * instead of 11 a row, which is where queueing a national audience spent its time.
 */
export async function insertOutboxMessages(
  tx: PrismaTx,
  messages: readonly OutboxMessageInput[],
  provider: DatabaseTarget["provider"] = "sqlite",
): Promise<{ queued: number; unreachable: number; duplicate: number }> {
  const existing = new Set<string>();
  const blocked = new Set<string>();
  for (const part of chunks(messages, LOOKUP_KEYS)) {
    const rows = await tx.outboxMessage.findMany({ where: { dedupeKey: { in: part.map((m) => m.dedupeKey) } }, select: { dedupeKey: true } });
    for (const r of rows) existing.add(r.dedupeKey);
  }
  for (const part of chunks([...new Set(messages.map((m) => m.chatId))], LOOKUP_KEYS)) {
    const rows = await tx.unreachableChat.findMany({ where: { chatId: { in: part } }, select: { chatId: true } });
    for (const r of rows) blocked.add(r.chatId);
  }
  const seen = new Set<string>();
  const fresh = messages.filter((m) => {
    if (existing.has(m.dedupeKey) || seen.has(m.dedupeKey) || blocked.has(m.chatId)) return false;
    seen.add(m.dedupeKey);
    return true;
  });
  const result = () => {
    const unreachable = messages.filter((m) => blocked.has(m.chatId) && !existing.has(m.dedupeKey)).length;
    return { queued: fresh.length, unreachable, duplicate: messages.length - fresh.length - unreachable };
  };
  // One multi-row INSERT per chunk: Prisma's createMany is far slower on large batches.
  const createdAt = new Date();
  if (provider === "postgres") {
    for (const part of chunks(fresh, PG_INSERT_ROWS)) {
      const column = <T>(pick: (m: OutboxMessageInput) => T): T[] => part.map(pick);
      // Timestamps travel as ISO text: the columns hold UTC without a zone, as Prisma writes them.
      await tx.$executeRaw`INSERT INTO "OutboxMessage" ("kind", "campaignId", "batchId", "respondentId", "chatId", "dedupeKey", "text", "parseMode", "replyMarkup", "status", "attempts", "notBefore", "createdAt")
        SELECT u.k, u.c, u.b, u.r, u.ch, u.d, u.t, u.p, u.rm, 'queued', 0, CAST(u.nb AS timestamp(3)), CAST(${createdAt.toISOString()} AS timestamp(3))
        FROM unnest(${column((m) => m.kind)}::text[], ${column((m) => m.campaignId ?? null)}::text[], ${column((m) => m.batchId ?? null)}::text[],
          ${column((m) => m.respondentId ?? null)}::text[], ${column((m) => m.chatId)}::text[], ${column((m) => m.dedupeKey)}::text[], ${column((m) => m.text)}::text[],
          ${column((m) => m.parseMode ?? null)}::text[], ${column((m) => (m.replyMarkup ? JSON.stringify(m.replyMarkup) : null))}::text[],
          ${column((m) => m.notBefore.toISOString())}::text[]) WITH ORDINALITY AS u(k, c, b, r, ch, d, t, p, rm, nb, n)
        ORDER BY u.n`;
    }
    return result();
  }
  for (const part of chunks(fresh, INSERT_ROWS)) {
    const values = part.map(
      (m) =>
        Sql.sql`(${m.kind}, ${m.campaignId ?? null}, ${m.batchId ?? null}, ${m.respondentId ?? null}, ${m.chatId}, ${m.dedupeKey}, ${m.text}, ${m.parseMode ?? null}, ${m.replyMarkup ? JSON.stringify(m.replyMarkup) : null}, 'queued', 0, ${m.notBefore}, ${createdAt})`,
    );
    await tx.$executeRaw`INSERT INTO "OutboxMessage" ("kind", "campaignId", "batchId", "respondentId", "chatId", "dedupeKey", "text", "parseMode", "replyMarkup", "status", "attempts", "notBefore", "createdAt") VALUES ${Sql.join(values)}`;
  }
  return result();
}

/**
 * A chat's messages leave in order: a row waits while an earlier row of its chat is in flight
 * (claimed, being sent: by this sender or another instance) or put back in the queue for later (a
 * 429, a retry). The PostgreSQL claim says the same in SQL.
 */
async function withoutBlocked(prisma: PrismaTx, candidates: readonly { id: number; chatId: string }[], now: Date): Promise<{ id: number }[]> {
  if (candidates.length === 0) return [];
  const blocking = await prisma.outboxMessage.findMany({
    where: {
      chatId: { in: [...new Set(candidates.map((c) => c.chatId))] },
      id: { lt: candidates[candidates.length - 1]!.id },
      OR: [{ status: { in: ["claimed", "sending"] } }, { status: "queued", notBefore: { gt: now } }],
    },
    select: { id: true, chatId: true },
  });
  const firstBlocking = new Map<string, number>();
  for (const b of blocking) firstBlocking.set(b.chatId, Math.min(b.id, firstBlocking.get(b.chatId) ?? Infinity));
  return candidates.filter((c) => c.id < (firstBlocking.get(c.chatId) ?? Infinity));
}

type Row = {
  id: number;
  kind: string;
  batchId: string | null;
  chatId: string;
  text: string;
  parseMode: string | null;
  replyMarkup: string | null;
  attempts: number;
  claimToken: string | null;
};

function toClaimed(row: Row): ClaimedMessage {
  return {
    id: row.id,
    kind: row.kind as OutboxKind,
    batchId: row.batchId,
    chatId: row.chatId,
    text: row.text,
    parseMode: row.parseMode as ParseMode | null,
    replyMarkup: row.replyMarkup ? (JSON.parse(row.replyMarkup) as InlineKeyboard) : null,
    attempts: row.attempts,
    claimToken: row.claimToken ?? "",
  };
}

const RESENT = "was in doubt; queued again by an organiser (khaosat outbox resend-in-doubt)";

// In-doubt rows an organiser may send again: not to a chat known unreachable, not of a cancelled broadcast.
function resendable(campaignId: string | undefined): Sql.Sql {
  return Sql.sql`"status" = 'in_doubt'
    ${campaignId !== undefined ? Sql.sql`AND "campaignId" = ${campaignId}` : Sql.empty}
    AND "chatId" NOT IN (SELECT "chatId" FROM "UnreachableChat")
    AND ("batchId" IS NULL OR "batchId" NOT IN (SELECT "id" FROM "Broadcast" WHERE "cancelledAt" IS NOT NULL))`;
}

const PENDING: OutboxStatus[] = ["queued", "claimed", "sending"];

/** Why a row is in doubt after its sender stopped mid-send. */
const SENDER_STOPPED = "the sender stopped while this message was being sent; not sent again so nobody gets it twice";

/** The outbox over Prisma; `provider` selects the PostgreSQL row-locking claim. */
export function outboxRepository(prisma: Prisma, provider: DatabaseTarget["provider"]): OutboxRepository {
  return {
    enqueue: (messages) => prisma.$transaction((tx) => insertOutboxMessages(tx, messages, provider), { timeout: 120_000, maxWait: 30_000 }),

    async claim(token, now, limit) {
      if (provider === "postgres") {
        // Claims run one at a time across instances (a lock of this schema, released at commit):
        // two at once could each take a different message of one chat, as the second skips the
        // first's locked rows and sees their chat's earlier message still queued.
        await prisma.$transaction([
          prisma.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':outbox-claim'))`,
          prisma.$executeRaw`
          UPDATE "OutboxMessage" SET "status" = 'claimed', "claimToken" = ${token}, "claimedAt" = ${now}
          WHERE "id" IN (
            SELECT m."id" FROM "OutboxMessage" m
            WHERE m."status" = 'queued' AND m."notBefore" <= ${now}
              AND NOT EXISTS (
                SELECT 1 FROM "OutboxMessage" e
                WHERE e."chatId" = m."chatId" AND e."id" < m."id"
                  AND (e."status" IN ('claimed', 'sending') OR (e."status" = 'queued' AND e."notBefore" > ${now})))
            ORDER BY m."id" LIMIT ${limit}
            FOR UPDATE OF m SKIP LOCKED)`,
        ]);
      } else {
        // Due rows in id order, page by page, until `limit` of them may go (a chat's later rows
        // wait). Read and marked in one write transaction (BEGIN IMMEDIATE), so a claim by another
        // process cannot take a chat's first row between this claim's read and its update.
        const claimed = await prisma.$transaction(async (tx) => {
          const ids: { id: number }[] = [];
          for (let after = 0; ids.length < limit; ) {
            const candidates = await tx.outboxMessage.findMany({
              where: { status: "queued", notBefore: { lte: now }, id: { gt: after } },
              orderBy: { id: "asc" },
              take: limit,
              select: { id: true, chatId: true },
            });
            ids.push(...(await withoutBlocked(tx, candidates, now)).slice(0, limit - ids.length));
            if (candidates.length < limit) break;
            after = candidates[candidates.length - 1]!.id;
          }
          if (ids.length === 0) return 0;
          const { count } = await tx.outboxMessage.updateMany({
            where: { id: { in: ids.map((r) => r.id) }, status: "queued" },
            data: { status: "claimed", claimToken: token, claimedAt: now },
          });
          return count;
        });
        if (claimed === 0) return [];
      }
      const rows = await prisma.outboxMessage.findMany({ where: { claimToken: token, status: "claimed" }, orderBy: { id: "asc" } });
      return rows.map(toClaimed);
    },

    async markSending(id, token, now) {
      // Raw SQL: this runs once per message on the sending path, where the query builder's cost shows.
      const count = await prisma.$executeRaw`UPDATE "OutboxMessage" SET "status" = 'sending', "sendingAt" = ${now}, "attempts" = "attempts" + 1 WHERE "id" = ${id} AND "claimToken" = ${token} AND "status" = 'claimed'`;
      return count === 1;
    },

    async markSendingMany(rows, now) {
      const moved = new Set<number>();
      const byToken = new Map<string, number[]>();
      for (const r of rows) (byToken.get(r.claimToken) ?? byToken.set(r.claimToken, []).get(r.claimToken)!).push(r.id);
      // One statement per claim token (almost always one): the per-message round trip was the
      // sender's bottleneck. RETURNING tells which rows this claim still held.
      for (const [token, ids] of byToken) {
        for (const part of chunks(ids)) {
          const got = await prisma.$queryRaw<{ id: number }[]>`
            UPDATE "OutboxMessage" SET "status" = 'sending', "sendingAt" = ${now}, "attempts" = "attempts" + 1
            WHERE "id" IN (${Sql.join(part)}) AND "claimToken" = ${token} AND "status" = 'claimed'
            RETURNING "id"`;
          for (const r of got) moved.add(Number(r.id));
        }
      }
      return moved;
    },

    async markSent(marks) {
      // One UPDATE per chunk; the Telegram message id differs per row (CASE), the time is the latest
      // of the chunk (the sender flushes every tenth of a second, so it is accurate to that).
      for (const part of chunks(marks, 200)) {
        const doneAt = part.reduce((latest, m) => (m.at > latest ? m.at : latest), part[0]!.at);
        const cases = Sql.join(
          part.map((m) => Sql.sql`WHEN ${m.id} THEN CAST(${m.telegramMessageId} AS INTEGER)`),
          " ",
        );
        await prisma.$executeRaw`
          UPDATE "OutboxMessage" SET "status" = 'sent', "doneAt" = ${doneAt}, "lastError" = NULL,
            "telegramMessageId" = CASE "id" ${cases} END
          WHERE "id" IN (${Sql.join(part.map((m) => m.id))}) AND "status" = 'sending'`;
      }
    },

    async requeue(id, notBefore, failedAttempt) {
      // A send that never reached Telegram (429) does not use up an attempt.
      await prisma.outboxMessage.updateMany({
        where: { id, status: { in: ["sending", "claimed"] } },
        data: {
          status: "queued",
          notBefore,
          claimToken: null,
          claimedAt: null,
          sendingAt: null,
          ...(failedAttempt ? { lastError: failedAttempt.error } : { attempts: { decrement: 1 } }),
        },
      });
    },

    async finish(id, status, error, at) {
      await prisma.outboxMessage.updateMany({ where: { id, status: { in: ["sending", "claimed"] } }, data: { status, lastError: error, doneAt: at } });
    },

    async markUnreachable(id, chatId, reason, at) {
      return prisma.$transaction(async (tx) => {
        await tx.unreachableChat.upsert({ where: { chatId }, create: { chatId, reason, at }, update: {} });
        await tx.outboxMessage.updateMany({ where: { id, status: { in: ["sending", "claimed"] } }, data: { status: "unreachable", lastError: reason, doneAt: at } });
        const { count } = await tx.outboxMessage.updateMany({
          where: { chatId, status: { in: ["queued", "claimed"] } },
          data: { status: "unreachable", lastError: reason, doneAt: at },
        });
        return count;
      });
    },

    async releaseClaim(token) {
      const { count } = await prisma.outboxMessage.updateMany({
        where: { claimToken: token, status: "claimed" },
        data: { status: "queued", claimToken: null, claimedAt: null },
      });
      return count;
    },

    async recover(now, claimedBefore, sendingBefore) {
      const requeued = await prisma.outboxMessage.updateMany({
        where: { status: "claimed", claimedAt: { lt: claimedBefore } },
        data: { status: "queued", claimToken: null, claimedAt: null },
      });
      const inDoubt = await prisma.outboxMessage.updateMany({
        where: { status: "sending", sendingAt: { lt: sendingBefore } },
        data: { status: "in_doubt", doneAt: now, lastError: SENDER_STOPPED },
      });
      return { requeued: requeued.count, inDoubt: inDoubt.count };
    },

    async claimHolders() {
      const rows = await prisma.outboxMessage.findMany({ where: { status: { in: ["claimed", "sending"] }, claimToken: { not: null } }, select: { claimToken: true }, distinct: ["claimToken"] });
      return rows.map((r) => r.claimToken!);
    },

    async recoverClaims(tokens, now) {
      if (tokens.length === 0) return { requeued: 0, inDoubt: 0 };
      const requeued = await prisma.outboxMessage.updateMany({
        where: { status: "claimed", claimToken: { in: [...tokens] } },
        data: { status: "queued", claimToken: null, claimedAt: null },
      });
      const inDoubt = await prisma.outboxMessage.updateMany({
        where: { status: "sending", claimToken: { in: [...tokens] } },
        data: { status: "in_doubt", doneAt: now, lastError: SENDER_STOPPED },
      });
      return { requeued: requeued.count, inDoubt: inDoubt.count };
    },

    pending: (batchId) => prisma.outboxMessage.count({ where: { status: { in: PENDING }, ...(batchId !== undefined ? { batchId } : {}) } }),

    async counts(filter = {}) {
      const groups = await prisma.outboxMessage.groupBy({
        by: ["kind", "status"],
        where: { ...(filter.campaignId !== undefined ? { campaignId: filter.campaignId } : {}), ...(filter.batchId !== undefined ? { batchId: filter.batchId } : {}) },
        _count: { _all: true },
      });
      const out: OutboxCounts = {};
      for (const g of groups) (out[g.kind] ??= {})[g.status as OutboxStatus] = g._count._all;
      return out;
    },

    async cancelBatch(batchId, at) {
      const { count } = await prisma.outboxMessage.updateMany({
        where: { batchId, status: { in: ["queued", "claimed"] } },
        data: { status: "cancelled", doneAt: at, lastError: "cancelled by an organiser" },
      });
      return count;
    },

    async unreachableAmong(chatIds) {
      const found = new Set<string>();
      for (const part of chunks([...chatIds])) {
        for (const r of await prisma.unreachableChat.findMany({ where: { chatId: { in: part } }, select: { chatId: true } })) found.add(r.chatId);
      }
      return found;
    },

    unreachableCount: () => prisma.unreachableChat.count(),

    async inDoubtResendable(filter = {}) {
      const [row] = await prisma.$queryRaw<{ n: number | bigint }[]>`SELECT COUNT(*) AS "n" FROM "OutboxMessage" WHERE ${resendable(filter.campaignId)}`;
      return Number(row?.n ?? 0);
    },

    async requeueInDoubt(filter, now) {
      return prisma.$executeRaw`
        UPDATE "OutboxMessage" SET "status" = 'queued', "notBefore" = ${now}, "claimToken" = NULL, "claimedAt" = NULL,
          "sendingAt" = NULL, "doneAt" = NULL, "lastError" = ${RESENT}
        WHERE ${resendable(filter.campaignId)}`;
    },
  };
}

const ROSTER = "send-budget";

/**
 * The live outbox senders of each channel (`SharedSendBudget`), as rows of the scheduler's lease
 * table keyed `send-budget:<channel>:<member>`. On PostgreSQL the database's clock decides who is
 * live, so instances whose clocks disagree still agree on the roster.
 */
export function senderRoster(prisma: Prisma, provider: DatabaseTarget["provider"]): SenderRoster {
  const keyOf = (channel: BudgetChannel, member: string) => `${ROSTER}:${channel}:${member}`;
  return {
    async renew(channel, member, now, ttlMs) {
      const key = keyOf(channel, member);
      const prefix = `${ROSTER}:${channel}:%`;
      if (provider === "postgres") {
        const utc = Sql.sql`(now() AT TIME ZONE 'UTC')`;
        await prisma.$executeRaw`
          INSERT INTO "SchedulerLease" ("key", "holder", "acquiredAt", "expiresAt") VALUES (${key}, ${member}, ${utc}, ${utc} + ${ttlMs} * interval '1 millisecond')
          ON CONFLICT ("key") DO UPDATE SET "expiresAt" = EXCLUDED."expiresAt"`;
        const rows = await prisma.$queryRaw<{ holder: string; acquiredAt: Date }[]>`
          SELECT "holder", "acquiredAt" FROM "SchedulerLease" WHERE "key" LIKE ${prefix} AND "expiresAt" > ${utc} ORDER BY "acquiredAt", "holder"`;
        return rows.map((r) => ({ member: r.holder, joinedAt: new Date(r.acquiredAt) }));
      }
      const expiresAt = new Date(now.getTime() + ttlMs);
      await prisma.schedulerLease.upsert({ where: { key }, create: { key, holder: member, acquiredAt: now, expiresAt }, update: { expiresAt } });
      const rows = await prisma.schedulerLease.findMany({ where: { key: { startsWith: `${ROSTER}:${channel}:` }, expiresAt: { gt: now } }, orderBy: [{ acquiredAt: "asc" }, { holder: "asc" }] });
      return rows.map((r) => ({ member: r.holder, joinedAt: r.acquiredAt }));
    },
    async leave(channel, member) {
      await prisma.schedulerLease.deleteMany({ where: { key: keyOf(channel, member) } });
    },
  };
}
