// Prisma implementation of the flags module's repository (src/flags/repository.ts).
import { DurationMedians, type DurationMediansOptions } from "../flags/duration-medians.js";
import type { FlagDecision, FlagName, FlagSubject, FlagsRepository } from "../flags/repository.js";
import type { AnswerValue } from "../questionnaire/index.js";
import { Prisma as Sql } from "./generated/sqlite/client.js";
import { providerOf, sqliteConnectionOf, type Prisma } from "./client.js";
import { openDatabase } from "./database.js";
import { groupCommitOf, IN_FOREIGN_TRANSACTION } from "./group-commit.js";

const FLAG_NAMES = new Set<string>(["speeder", "straightliner", "delegation", "attention", "inconsistent", "misfit"]);

function parseFlags(text: string): FlagName[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((f): f is FlagName => typeof f === "string" && FLAG_NAMES.has(f)) : [];
  } catch {
    return [];
  }
}

function parseDecision(text: string | null): FlagDecision | null {
  return text === "accepted" || text === "rejected" ? text : null;
}

const columns = {
  id: true,
  externalId: true,
  language: true,
  campaignId: true,
  status: true,
  subjectUnit: true,
  groupId: true,
  startedAt: true,
  submittedAt: true,
  respondentId: true,
  account: true,
  flags: true,
  flagDecision: true,
  flagReason: true,
} as const;

type Row = { id: string; externalId: string | null; language: string | null; subjectUnit: string; groupId: string; startedAt: Date | null; submittedAt: Date | null; respondentId: string | null; account: string | null; flags: string; flagDecision: string | null; flagReason: string | null };

function subject(row: Row, answers?: { questionId: string; value: string; seconds: number | null }[]): FlagSubject {
  const timed = answers?.filter((a) => a.seconds !== null) ?? [];
  return {
    id: row.id,
    externalId: row.externalId,
    language: row.language,
    ...(timed.length > 0 ? { seconds: Object.fromEntries(timed.map((a) => [a.questionId, a.seconds!])) } : {}),
    unit: row.subjectUnit,
    group: row.groupId,
    startedAt: row.startedAt,
    submittedAt: row.submittedAt,
    respondentId: row.respondentId,
    account: row.account,
    flags: parseFlags(row.flags),
    decision: parseDecision(row.flagDecision),
    reason: row.flagReason,
    ...(answers ? { answers: Object.fromEntries(answers.map((a) => [a.questionId, JSON.parse(a.value) as AnswerValue])) } : {}),
  };
}

/**
 * Flags and decisions on responses stored through Prisma. `provider` picks the SQL of the duration
 * median; it defaults to the client's (pass it for a client wrapped by `$extends`).
 */
export function flagsRepository(prisma: Prisma, provider = providerOf(prisma)): FlagsRepository {
  return {
    async submitted(campaignId, options) {
      const rows = await prisma.response.findMany({ where: { campaignId, status: "submitted" }, select: columns, orderBy: { id: "asc" } });
      const wanted = options.withAnswers ? undefined : new Set(options.answersFor ?? []);
      const answerRows = await prisma.answer.findMany({
        where: wanted ? { responseId: { in: [...wanted] } } : { response: { campaignId, status: "submitted" } },
        select: { responseId: true, questionId: true, value: true, seconds: true },
      });
      const byResponse = new Map<string, { questionId: string; value: string; seconds: number | null }[]>();
      for (const a of answerRows) byResponse.set(a.responseId, [...(byResponse.get(a.responseId) ?? []), a]);
      return rows.map((r) => subject(r, !wanted || wanted.has(r.id) ? (byResponse.get(r.id) ?? []) : undefined));
    },

    async submittedOne(campaignId, responseId) {
      const row = await prisma.response.findFirst({ where: { id: responseId, campaignId, status: "submitted" }, select: columns });
      if (!row) return null;
      const answers = await prisma.answer.findMany({ where: { responseId }, select: { questionId: true, value: true, seconds: true } });
      return subject(row, answers);
    },

    async durationMedian(campaignId) {
      const timed = { campaignId, status: "submitted", startedAt: { not: null }, submittedAt: { not: null } } as const;
      const count = await prisma.response.count({ where: timed });
      if (count === 0) return { count, median: Number.NaN };
      // The database orders by duration and hands back the middle one or two rows; their times are
      // read back as Dates so the duration is computed exactly as before (whole milliseconds).
      const duration = provider === "postgres" ? Sql.sql`("submittedAt" - "startedAt")` : Sql.sql`(julianday("submittedAt") - julianday("startedAt"))`;
      const middle = await prisma.$queryRaw<{ id: string }[]>`
        SELECT "id" FROM "Response"
        WHERE "campaignId" = ${campaignId} AND "status" = 'submitted' AND "startedAt" IS NOT NULL AND "submittedAt" IS NOT NULL
        ORDER BY ${duration}, "id" LIMIT ${count % 2 === 1 ? 1 : 2} OFFSET ${(count - 1) >> 1}`;
      const rows = await prisma.response.findMany({ where: { id: { in: middle.map((m) => m.id) } }, select: { startedAt: true, submittedAt: true } });
      const durations = rows.map((r) => r.submittedAt!.getTime() - r.startedAt!.getTime());
      return { count, median: durations.reduce((a, b) => a + b, 0) / durations.length };
    },

    async accountShared(campaignId, account) {
      const named = { campaignId, status: "submitted", account, respondentId: { not: null } } as const;
      const first = await prisma.response.findFirst({ where: named, select: { respondentId: true } });
      if (!first) return false;
      const other = await prisma.response.findFirst({ where: { ...named, respondentId: { not: first.respondentId } }, select: { id: true } });
      return other !== null;
    },

    async setFlags(updates) {
      await prisma.$transaction(updates.map((u) => prisma.response.update({ where: { id: u.responseId }, data: { flags: JSON.stringify(u.flags) } })));
    },

    async find(responseId) {
      const row = await prisma.response.findUnique({ where: { id: responseId }, select: columns });
      return row ? { ...subject(row), campaignId: row.campaignId, status: row.status } : null;
    },

    async findImported(campaignId, externalId) {
      const row = await prisma.response.findUnique({ where: { campaignId_externalId: { campaignId, externalId } }, select: { id: true } });
      return row?.id ?? null;
    },

    async decide(responseId, decision, reason, at, actor) {
      await prisma.$transaction(async (tx) => {
        const before = await tx.response.findUniqueOrThrow({ where: { id: responseId }, select: { campaignId: true, flags: true, flagDecision: true } });
        await tx.response.update({ where: { id: responseId }, data: { flagDecision: decision, flagReason: reason } });
        await tx.auditEvent.create({
          data: {
            at,
            kind: "flags.decision",
            campaignId: before.campaignId,
            actor,
            data: JSON.stringify({ responseId, decision, reason, previous: before.flagDecision, flags: parseFlags(before.flags) }),
          },
        });
      });
    },
  };
}

const SQLITE_COLUMNS = `"id", "externalId", "language", "campaignId", "status", "subjectUnit", "groupId", "startedAt", "submittedAt", "respondentId", "account", "flags", "flagDecision", "flagReason"`;
const sqliteDate = (value: unknown): Date | null => (value === null || value === undefined ? null : new Date(value as string | number));
/** A DateTime parameter as Prisma's SQLite adapter stores it. */
const sqliteText = (value: Date): string => value.toISOString().replace("Z", "+00:00");

/**
 * The flags repository the bot's submit hook uses: on SQLite, the four reads and the write of
 * flagging one just-submitted response run straight on the client's connection (the write in its
 * group commit) with the same SQL meaning as the Prisma ones (through Prisma they were nine
 * statements of a tenth of a millisecond or more each, per submission); elsewhere, and for
 * everything else, the Prisma repository.
 */
export function submitFlagsRepository(prisma: Prisma, options: DurationMediansOptions = {}): FlagsRepository {
  const general = flagsRepository(prisma);
  const connection = () => sqliteConnectionOf(prisma);
  // The campaign's durations in memory (duration-medians.ts): the database's median sorts every submitted response.
  const medians = new DurationMedians(async (campaignId) => {
    const db = connection();
    const rows = db
      ? (db.prepare(`SELECT "id", "startedAt", "submittedAt" FROM "Response" WHERE "campaignId" = ? AND "status" = 'submitted' AND "startedAt" IS NOT NULL AND "submittedAt" IS NOT NULL`).all(campaignId) as {
          id: string;
          startedAt: unknown;
          submittedAt: unknown;
        }[]).map((r) => ({ id: r.id, startedAt: sqliteDate(r.startedAt)!, submittedAt: sqliteDate(r.submittedAt)! }))
      : await prisma.response.findMany({ where: { campaignId, status: "submitted", startedAt: { not: null }, submittedAt: { not: null } }, select: { id: true, startedAt: true, submittedAt: true } });
    return rows.map((r) => ({ id: r.id, milliseconds: r.submittedAt!.getTime() - r.startedAt!.getTime() }));
  }, options);
  return {
    ...general,
    async submittedOne(campaignId, responseId) {
      const db = connection();
      if (!db) return general.submittedOne(campaignId, responseId);
      const row = db.prepare(`SELECT ${SQLITE_COLUMNS} FROM "Response" WHERE "id" = ? AND "campaignId" = ? AND "status" = 'submitted'`).get(responseId, campaignId) as (Row & { startedAt: unknown; submittedAt: unknown }) | undefined;
      if (!row) return null;
      const answers = (db.prepare(`SELECT "questionId", "value", "seconds" FROM "Answer" WHERE "responseId" = ?`).all(responseId) as { questionId: string; value: string; seconds: number | bigint | null }[]).map((a) => ({
        ...a,
        seconds: a.seconds === null ? null : Number(a.seconds),
      }));
      return subject({ ...row, startedAt: sqliteDate(row.startedAt), submittedAt: sqliteDate(row.submittedAt) }, answers);
    },
    durationMedian(campaignId, submitted) {
      return medians.median(campaignId, submitted);
    },
    async accountShared(campaignId, account) {
      const db = connection();
      if (!db) return general.accountShared(campaignId, account);
      const named = `"campaignId" = ? AND "status" = 'submitted' AND "account" = ? AND "respondentId" IS NOT NULL`;
      const first = db.prepare(`SELECT "respondentId" FROM "Response" WHERE ${named} LIMIT 1`).get(campaignId, account) as { respondentId: string } | undefined;
      if (!first) return false;
      return db.prepare(`SELECT 1 FROM "Response" WHERE ${named} AND "respondentId" <> ? LIMIT 1`).get(campaignId, account, first.respondentId) !== undefined;
    },
    async setFlags(updates) {
      const db = connection();
      if (db) {
        const at = sqliteText(new Date());
        const done = await groupCommitOf(db).run(() => {
          for (const u of updates) {
            // As Prisma's update: a missing response is an error, and updatedAt moves.
            const { changes } = db.prepare(`UPDATE "Response" SET "flags" = ?, "updatedAt" = ? WHERE "id" = ?`).run(JSON.stringify(u.flags), at, u.responseId);
            if (changes === 0) throw new Error(`no response ${u.responseId} to flag`);
          }
        });
        if (done !== IN_FOREIGN_TRANSACTION) return;
      }
      return general.setFlags(updates);
    },
  };
}

/** The flags repository of the database at `url`, on its own client. Does not migrate. Prefer `openDatabase(url).flags` where a `Database` is open. */
export async function openFlagsRepository(url?: string): Promise<{ repository: FlagsRepository; close(): Promise<void> }> {
  const db = await openDatabase(url, { migrate: false });
  return { repository: db.flags, close: () => db.close() };
}
