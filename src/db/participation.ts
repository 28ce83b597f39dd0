// Prisma implementation of ParticipationRepository: one row of facts per respondent.
import type { Prisma } from "./client.js";
import type { ParticipationRepository } from "./types.js";

/** Participation facts read through Prisma. */
export function participationRepository(prisma: Prisma): ParticipationRepository {
  return {
    async facts(campaignId) {
      const rows = await prisma.respondent.findMany({
        where: { campaignId },
        select: {
          id: true,
          unitCode: true,
          groupId: true,
          subjectUnits: true,
          accessCodes: { where: { boundAccount: { not: null } }, select: { id: true }, take: 1 },
          responses: { select: { status: true, attestedAt: true } },
        },
        orderBy: { externalId: "asc" },
      });
      return rows.map((r) => ({
        respondentId: r.id,
        unitCode: r.unitCode,
        groupId: r.groupId,
        redeemed: r.accessCodes.length > 0,
        attested: r.responses.some((x) => x.attestedAt !== null),
        declined: r.responses.some((x) => x.status === "declined"),
        submittedResponses: r.responses.filter((x) => x.status === "submitted").length,
        startedResponses: r.responses.filter((x) => x.status === "in_progress").length,
        expectedResponses: Math.max(1, r.subjectUnits === "" ? 0 : r.subjectUnits.split("|").length),
      }));
    },
    async reminderFacts(campaignId) {
      const last = await prisma.reminderRun.findFirst({ where: { campaignId }, orderBy: { ranAt: "desc" }, select: { ranAt: true } });
      // A respondent is unreachable when a chat of theirs (a Telegram session) is recorded unreachable.
      const sessions = await prisma.session.findMany({ where: { campaignId, respondentId: { not: null }, chatId: { not: null } }, select: { respondentId: true, chatId: true } });
      const blocked = new Set((await prisma.unreachableChat.findMany({ select: { chatId: true } })).map((r) => r.chatId));
      const unreachable = new Set(sessions.filter((s) => blocked.has(s.chatId!)).map((s) => s.respondentId));
      return { lastReminderAt: last?.ranAt ?? null, unreachable: unreachable.size };
    },
  };
}
