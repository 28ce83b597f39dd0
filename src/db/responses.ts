// Prisma implementation of ResponseRepository: submitted responses for export and scoring, and
// responses imported from files (paper forms, other tools), written in one transaction.
import { randomBytes } from "node:crypto";
import type { Prisma } from "./client.js";
import { Prisma as Sql } from "./generated/sqlite/client.js";
import { parseJsonStrings } from "./json.js";
import { responseChannel, type ImportCounts, type ResponseRepository, type StoredResponse } from "./types.js";

const IMPORT_TIMEOUT_MS = 10 * 60_000;
/** Responses per page of a streamed read (each page's answers are one IN list of this many ids). */
const PAGE = 500;
/** File rows compared and written per step of an import. */
const IMPORT_CHUNK = 500;
/** Rows per multi-row INSERT (12 values each for responses, 5 for answers: far below any bind limit). */
const INSERT_ROWS = 200;

type ResponseRow = Awaited<ReturnType<Prisma["response"]["findFirstOrThrow"]>> & { answers: { questionId: string; value: string; seconds: number | null }[] };

function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Answers as a stable JSON text, to tell an unchanged re-imported row from a changed one. */
function canonical(answers: Readonly<Record<string, unknown>>): string {
  return JSON.stringify(Object.keys(answers).sort().map((k) => [k, answers[k]]));
}

/** Thrown inside an import's transaction to roll it back: rows that would change responses the bot collected. */
class CollectedResponseConflict extends Error {
  constructor(readonly conflicts: readonly { responseId: string; channel: string }[]) {
    super(`${conflicts.length} rows name responses collected by the bot`);
  }
}

/** Responses stored through Prisma. */
export function responseRepository(prisma: Prisma): ResponseRepository {
  return {
    async *submittedPages(campaignId, pageSize = PAGE) {
      // Keyset pages: first the responses with no known submission time (by id), then the others by
      // (submittedAt, id). Each page reads its answers with one IN list of at most `pageSize` ids.
      const toRecord = (r: ResponseRow): StoredResponse => ({
        id: r.id,
        externalId: r.externalId,
        unit: r.subjectUnit,
        group: r.groupId,
        startedAt: r.startedAt,
        submittedAt: r.submittedAt,
        respondentId: r.respondentId,
        account: r.account,
        flags: parseJsonStrings(r.flags),
        decision: r.flagDecision === "accepted" || r.flagDecision === "accept" ? "accept" : r.flagDecision === "rejected" || r.flagDecision === "reject" ? "reject" : null,
        answers: Object.fromEntries(r.answers.map((a) => [a.questionId, parseValue(a.value)]).filter(([, v]) => v !== undefined)),
        ...(r.answers.some((a) => a.seconds !== null) ? { seconds: Object.fromEntries(r.answers.flatMap((a) => (a.seconds === null ? [] : [[a.questionId, a.seconds]]))) } : {}),
        channel: responseChannel(r.source),
      });
      const read = (where: object, orderBy: object[]) =>
        prisma.response.findMany({
          where: { campaignId, status: "submitted", ...where },
          include: { answers: { select: { questionId: true, value: true, seconds: true } } },
          orderBy,
          take: pageSize,
        });
      let afterId = "";
      for (;;) {
        const rows = await read({ submittedAt: null, id: { gt: afterId } }, [{ id: "asc" }]);
        if (rows.length > 0) yield rows.map(toRecord);
        if (rows.length < pageSize) break;
        afterId = rows[rows.length - 1]!.id;
      }
      let after: { at: Date; id: string } | undefined;
      for (;;) {
        const rows = await read(
          after ? { OR: [{ submittedAt: { gt: after.at } }, { submittedAt: after.at, id: { gt: after.id } }] } : { submittedAt: { not: null } },
          [{ submittedAt: "asc" }, { id: "asc" }],
        );
        if (rows.length > 0) yield rows.map(toRecord);
        if (rows.length < pageSize) return;
        const last = rows[rows.length - 1]!;
        after = { at: last.submittedAt!, id: last.id };
      }
    },
    async submitted(campaignId) {
      const out: StoredResponse[] = [];
      for await (const page of this.submittedPages(campaignId)) out.push(...page);
      return out;
    },
    async hasAnswerTimes(campaignId) {
      const row = await prisma.answer.findFirst({ where: { seconds: { not: null }, response: { campaignId, status: "submitted" } }, select: { responseId: true } });
      return row !== null;
    },
    async importResponses(campaignId, questionnaireVersionPk, rows, now): Promise<ImportCounts> {
      return prisma.$transaction(
        async (tx) => {
          let created = 0;
          let updated = 0;
          let unchanged = 0;
          const conflicts: { responseId: string; channel: string }[] = [];
          const stamp = Date.now().toString(36).padStart(9, "0");
          let seq = 0;
          // File rows in chunks: each chunk reads its stored rows with one IN list of at most
          // IMPORT_CHUNK response ids and writes its new rows with multi-row INSERTs, so memory and
          // bound values stay bounded whatever the file's size.
          for (let start = 0; start < rows.length; start += IMPORT_CHUNK) {
            const chunk = rows.slice(start, start + IMPORT_CHUNK);
            const existing = new Map(
              (
                await tx.response.findMany({
                  where: { campaignId, externalId: { in: chunk.map((r) => r.externalId) } },
                  include: { answers: { select: { questionId: true, value: true, seconds: true } } },
                })
              ).map((r) => [r.externalId!, r]),
            );
            // A campaign's export names the bot's responses by their own id: read back, such a row is
            // that response (unchanged when it says the same), never a new one counted twice.
            const collected = new Map(
              (
                await tx.response.findMany({
                  where: { campaignId, id: { in: chunk.filter((r) => !existing.has(r.externalId)).map((r) => r.externalId) }, source: { not: "import" } },
                  include: { answers: { select: { questionId: true, value: true } } },
                })
              ).map((r) => [r.id, r]),
            );
            const newResponses: Sql.Sql[] = [];
            const newAnswers: Sql.Sql[] = [];
            for (const row of chunk) {
              const own = collected.get(row.externalId);
              if (own) {
                const same =
                  own.subjectUnit === row.unit &&
                  own.groupId === row.group &&
                  canonical(Object.fromEntries(own.answers.map((a) => [a.questionId, parseValue(a.value)]))) === canonical(row.answers);
                if (same) unchanged++;
                else conflicts.push({ responseId: row.externalId, channel: responseChannel(own.source) });
                continue;
              }
              const fields = {
                questionnaireVersionPk,
                subjectUnit: row.unit,
                groupId: row.group,
                startedAt: row.startedAt,
                submittedAt: row.submittedAt,
                status: "submitted",
                source: "import",
              };
              const answers = Object.entries(row.answers).map(([questionId, value]) => ({
                questionId,
                value: JSON.stringify(value),
                answeredAt: row.submittedAt ?? now,
                seconds: row.seconds?.[questionId] ?? null,
              }));
              const current = existing.get(row.externalId);
              if (current) {
                const same =
                  current.subjectUnit === row.unit &&
                  current.groupId === row.group &&
                  current.startedAt?.getTime() === row.startedAt?.getTime() &&
                  current.submittedAt?.getTime() === row.submittedAt?.getTime() &&
                  current.questionnaireVersionPk === questionnaireVersionPk &&
                  canonical(Object.fromEntries(current.answers.map((a) => [a.questionId, parseValue(a.value)]))) === canonical(row.answers) &&
                  canonical(Object.fromEntries(current.answers.flatMap((a) => (a.seconds === null ? [] : [[a.questionId, a.seconds]])))) === canonical(row.seconds ?? {});
                if (same) {
                  unchanged++;
                  continue;
                }
                await tx.answer.deleteMany({ where: { responseId: current.id } });
                await tx.response.update({ where: { id: current.id }, data: fields });
                await tx.answer.createMany({ data: answers.map((a) => ({ ...a, responseId: current.id })) });
                updated++;
              } else {
                // Ids that sort in file order (time, then sequence), so rows submitted at the same time export in file order.
                const id = `i${stamp}${(seq++).toString(36).padStart(6, "0")}${randomBytes(3).toString("hex")}`;
                newResponses.push(
                  Sql.sql`(${id}, ${campaignId}, ${questionnaireVersionPk}, 'import', ${row.externalId}, ${row.unit}, ${row.group}, 'submitted', ${row.startedAt}, ${row.submittedAt}, ${now}, ${now})`,
                );
                for (const a of answers) newAnswers.push(Sql.sql`(${id}, ${a.questionId}, ${a.value}, ${a.answeredAt}, ${a.seconds})`);
                created++;
              }
            }
            for (let i = 0; i < newResponses.length; i += INSERT_ROWS) {
              await tx.$executeRaw`INSERT INTO "Response" ("id", "campaignId", "questionnaireVersionPk", "source", "externalId", "subjectUnit", "groupId", "status", "startedAt", "submittedAt", "createdAt", "updatedAt") VALUES ${Sql.join(newResponses.slice(i, i + INSERT_ROWS))}`;
            }
            for (let i = 0; i < newAnswers.length; i += INSERT_ROWS * 4) {
              await tx.$executeRaw`INSERT INTO "Answer" ("responseId", "questionId", "value", "answeredAt", "seconds") VALUES ${Sql.join(newAnswers.slice(i, i + INSERT_ROWS * 4))}`;
            }
          }
          // All or nothing: a conflict undoes the whole file.
          if (conflicts.length > 0) throw new CollectedResponseConflict(conflicts);
          return { created, updated, unchanged };
        },
        { timeout: IMPORT_TIMEOUT_MS, maxWait: 60_000 },
      ).catch((error: unknown) => {
        if (error instanceof CollectedResponseConflict) return { created: 0, updated: 0, unchanged: 0, conflicts: error.conflicts };
        throw error;
      });
    },
  };
}
