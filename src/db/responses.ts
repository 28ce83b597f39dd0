// Prisma implementation of ResponseRepository: submitted responses for export and scoring, and
// responses imported from files (paper forms, other tools), written in one transaction.
import type { Prisma } from "./client.js";
import { parseJsonStrings } from "./json.js";
import type { ImportCounts, ResponseRepository, StoredResponse } from "./types.js";

const IMPORT_TIMEOUT_MS = 10 * 60_000;

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

/** Responses stored through Prisma. */
export function responseRepository(prisma: Prisma): ResponseRepository {
  return {
    async submitted(campaignId) {
      const rows = await prisma.response.findMany({
        where: { campaignId, status: "submitted" },
        include: { answers: { select: { questionId: true, value: true, seconds: true } } },
        orderBy: [{ submittedAt: "asc" }, { id: "asc" }],
      });
      return rows.map(
        (r): StoredResponse => ({
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
        }),
      );
    },
    async importResponses(campaignId, questionnaireVersionPk, rows, now): Promise<ImportCounts> {
      return prisma.$transaction(
        async (tx) => {
          const existing = new Map(
            (
              await tx.response.findMany({
                where: { campaignId, externalId: { not: null } },
                include: { answers: { select: { questionId: true, value: true, seconds: true } } },
              })
            ).map((r) => [r.externalId!, r]),
          );
          let created = 0;
          let updated = 0;
          let unchanged = 0;
          for (const row of rows) {
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
              const response = await tx.response.create({ data: { ...fields, campaignId, externalId: row.externalId }, select: { id: true } });
              await tx.answer.createMany({ data: answers.map((a) => ({ ...a, responseId: response.id })) });
              created++;
            }
          }
          return { created, updated, unchanged };
        },
        { timeout: IMPORT_TIMEOUT_MS, maxWait: 60_000 },
      );
    },
  };
}
