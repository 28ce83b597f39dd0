// Prisma implementation of the flags module's repository (src/flags/repository.ts).
import type { FlagDecision, FlagName, FlagSubject, FlagsRepository } from "../flags/repository.js";
import type { AnswerValue } from "../questionnaire/index.js";
import { Prisma as Sql } from "./generated/sqlite/client.js";
import { providerOf, type Prisma } from "./client.js";
import { openDatabase } from "./database.js";

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

/** The flags repository of the database at `url`, on its own client. Does not migrate. Prefer `openDatabase(url).flags` where a `Database` is open. */
export async function openFlagsRepository(url?: string): Promise<{ repository: FlagsRepository; close(): Promise<void> }> {
  const db = await openDatabase(url, { migrate: false });
  return { repository: db.flags, close: () => db.close() };
}
