// Prisma implementation of the access module's repository (src/access/repository.ts).
import { DuplicateCodeError, type AccessRepository, type StoredCode } from "../access/repository.js";
import type { Prisma } from "./client.js";
import { openDatabase } from "./database.js";

const campaignWindow = { select: { id: true, opensAt: true, closesAt: true, closedAt: true } } as const;

type CodeRow = {
  id: string;
  respondentId: string | null;
  batchId: string | null;
  unitCode: string | null;
  status: string;
  boundAccount: string | null;
  boundAt: Date | null;
  campaign: { id: string; opensAt: Date; closesAt: Date; closedAt: Date | null };
};

function toStoredCode(row: CodeRow): StoredCode {
  return {
    id: row.id,
    campaign: row.campaign,
    respondentId: row.respondentId,
    batchId: row.batchId,
    unitCode: row.unitCode,
    // "used": a spent anonymous batch code (its response was submitted).
    status: row.status === "active" || row.status === "used" ? row.status : "revoked",
    boundAccountKey: row.boundAccount,
    boundAt: row.boundAt,
  };
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && "code" in error && error.code === "P2002";
}

/** Access codes, attempts and access audit events stored through Prisma (SQLite or PostgreSQL). */
export function accessRepository(prisma: Prisma): AccessRepository {
  return {
    async findCodeByHash(codeHash) {
      const row = await prisma.accessCode.findUnique({ where: { codeHash }, include: { campaign: campaignWindow } });
      return row ? toStoredCode(row) : null;
    },

    async findCodeById(codeId) {
      const row = await prisma.accessCode.findUnique({ where: { id: codeId }, include: { campaign: campaignWindow } });
      return row ? toStoredCode(row) : null;
    },

    async bindCode(codeId, accountKey, at) {
      // One conditional UPDATE: the database decides the race. On PostgreSQL the loser waits for the
      // winner's row lock, re-checks `boundAccount IS NULL` and updates nothing; SQLite serialises writers.
      const { count } = await prisma.accessCode.updateMany({
        where: { id: codeId, status: "active", boundAccount: null },
        data: { boundAccount: accountKey, boundAt: at },
      });
      return count === 1;
    },

    async respondentsBoundTo(accountKey, campaignId) {
      const rows = await prisma.accessCode.findMany({
        where: { boundAccount: accountKey, campaignId, respondentId: { not: null } },
        select: { respondentId: true },
        distinct: ["respondentId"],
      });
      return rows.flatMap((r) => (r.respondentId === null ? [] : [r.respondentId]));
    },

    async recordAttempt(attempt) {
      await prisma.accessAttempt.create({ data: { account: attempt.accountKey, at: attempt.at, success: attempt.success } });
    },

    async recentFailures(query) {
      const rows = await prisma.accessAttempt.findMany({
        where: { success: false, at: { gte: query.since }, ...(query.accountKey !== undefined ? { account: query.accountKey } : {}) },
        orderBy: { at: "desc" },
        take: query.limit,
        select: { at: true },
      });
      return rows.map((r) => r.at);
    },

    async recordAudit(event) {
      await prisma.auditEvent.create({
        data: { at: event.at, kind: event.kind, campaignId: event.campaignId, actor: event.actor, data: JSON.stringify(event.data) },
      });
    },

    async lastAuditAt(kind, since) {
      const row = await prisma.auditEvent.findFirst({ where: { kind, at: { gte: since } }, orderBy: { at: "desc" }, select: { at: true } });
      return row?.at ?? null;
    },

    async insertCodes(codes) {
      try {
        await prisma.$transaction(async (tx) => {
          // Chunked to stay under SQLite's limit on bound parameters; the transaction keeps it all-or-nothing.
          for (let i = 0; i < codes.length; i += 500) {
            await tx.accessCode.createMany({
              data: codes.slice(i, i + 500).map((c) => ({
                codeHash: c.codeHash,
                campaignId: c.campaignId,
                respondentId: c.respondentId,
                batchId: c.batchId,
                unitCode: c.unitCode,
                issuedAt: c.issuedAt,
              })),
            });
          }
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw new DuplicateCodeError();
        throw error;
      }
    },

    async revokeRespondentCodes(respondentId, at) {
      const { count } = await prisma.accessCode.updateMany({
        where: { respondentId, status: "active" },
        data: { status: "revoked", revokedAt: at },
      });
      return count;
    },

    async respondentsWithActiveCode(campaignId) {
      const rows = await prisma.accessCode.findMany({
        where: { campaignId, status: "active", respondentId: { not: null } },
        select: { respondentId: true },
      });
      return new Set(rows.flatMap((r) => (r.respondentId === null ? [] : [r.respondentId])));
    },
  };
}

/** The access repository of the database at `url`, on its own client. Does not migrate. Prefer `openDatabase(url).access` where a `Database` is open. */
export async function openAccessRepository(url?: string): Promise<{ repository: AccessRepository; close(): Promise<void> }> {
  const db = await openDatabase(url, { migrate: false });
  return { repository: db.access, close: () => db.close() };
}
