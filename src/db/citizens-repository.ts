// Prisma implementation of the citizens' module repository (src/citizens/repository.ts).
import { DuplicateCodeError } from "../access/index.js";
import type { CitizensRepository } from "../citizens/repository.js";
import type { Prisma } from "./client.js";
import { openDatabase } from "./database.js";

function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && "code" in error && error.code === "P2002";
}

class ClaimTaken extends Error {}

/** Anonymous batches, posters and poster claims stored through Prisma (SQLite or PostgreSQL). */
export function citizensRepository(prisma: Prisma): CitizensRepository {
  return {
    async unitName(campaignId, unitCode) {
      const unit = await prisma.unit.findUnique({ where: { campaignId_code: { campaignId, code: unitCode } }, select: { name: true } });
      return unit?.name ?? null;
    },

    async addUnit(campaignId, unitCode, name) {
      await prisma.unit.upsert({ where: { campaignId_code: { campaignId, code: unitCode } }, create: { campaignId, code: unitCode, name }, update: {} });
    },

    async insertBatch(batch, codes) {
      try {
        return await prisma.$transaction(async (tx) => {
          const { id } = await tx.codeBatch.create({
            data: { campaignId: batch.campaignId, unitCode: batch.unitCode, service: batch.service, kind: batch.kind, count: codes.length, createdAt: batch.createdAt },
            select: { id: true },
          });
          // Chunked to stay under SQLite's limit on bound parameters; the transaction keeps it all-or-nothing.
          for (let i = 0; i < codes.length; i += 500) {
            await tx.accessCode.createMany({
              data: codes.slice(i, i + 500).map((c) => ({
                codeHash: c.codeHash,
                campaignId: c.campaignId,
                respondentId: null,
                batchId: id,
                unitCode: c.unitCode,
                service: batch.service,
                issuedAt: c.issuedAt,
              })),
            });
          }
          return id;
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw new DuplicateCodeError();
        throw error;
      }
    },

    async insertPoster(poster) {
      const { id } = await prisma.poster.create({ data: { ...poster }, select: { id: true } });
      return id;
    },

    async findPosterByTokenHash(tokenHash) {
      const poster = await prisma.poster.findUnique({ where: { tokenHash } });
      if (!poster) return null;
      const campaign = await prisma.campaign.findUnique({ where: { id: poster.campaignId }, select: { id: true, opensAt: true, closesAt: true, closedAt: true } });
      if (!campaign) return null;
      return { id: poster.id, campaign, unitCode: poster.unitCode, service: poster.service, revokedAt: poster.revokedAt, refused: poster.refused, periodDays: poster.periodDays };
    },

    async hasClaim(key) {
      return (await prisma.posterClaim.count({ where: { key } })) > 0;
    },

    async countRefusal(posterId) {
      await prisma.poster.updateMany({ where: { id: posterId }, data: { refused: { increment: 1 } } });
    },

    async completeAnonymous(completion) {
      try {
        await prisma.$transaction(async (tx) => {
          if (completion.claim) {
            try {
              await tx.posterClaim.create({ data: { key: completion.claim.key, expiresAt: completion.claim.expiresAt } });
            } catch (error) {
              if (isUniqueViolation(error)) throw new ClaimTaken();
              throw error;
            }
          }
          if (completion.codeId !== null) {
            await tx.accessCode.updateMany({ where: { id: completion.codeId }, data: { status: "used", boundAccount: null, boundAt: null } });
          }
          if (completion.responseId !== null) await tx.response.updateMany({ where: { id: completion.responseId }, data: { account: null } });
          await tx.accessAttempt.deleteMany({ where: { account: completion.accountKey, success: true } });
          if (completion.sessionId !== null) await tx.session.deleteMany({ where: { id: completion.sessionId } });
        });
        return "completed";
      } catch (error) {
        if (error instanceof ClaimTaken || isUniqueViolation(error)) return "already_claimed";
        throw error;
      }
    },

    async submissionsSince(campaignId, unitCode, since) {
      return prisma.response.count({ where: { campaignId, subjectUnit: unitCode, status: "submitted", submittedAt: { gte: since } } });
    },

    async recordAudit(event) {
      await prisma.auditEvent.create({ data: { at: event.at, kind: event.kind, campaignId: event.campaignId, actor: event.actor, data: JSON.stringify(event.data) } });
    },

    async lastAuditAt(kind, campaignId, unitCode, since) {
      const rows = await prisma.auditEvent.findMany({ where: { kind, campaignId, at: { gte: since } }, orderBy: { at: "desc" }, select: { at: true, data: true } });
      const match = rows.find((r) => (JSON.parse(r.data) as { unit?: unknown }).unit === unitCode);
      return match?.at ?? null;
    },
  };
}

/** The citizens repository of the database at `url`, on its own client. Does not migrate. Prefer `openDatabase(url).citizens` where a `Database` is open. */
export async function openCitizensRepository(url?: string): Promise<{ repository: CitizensRepository; close(): Promise<void> }> {
  const db = await openDatabase(url, { migrate: false });
  return { repository: db.citizens, close: () => db.close() };
}
