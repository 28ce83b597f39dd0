// Prisma implementation of the access module's repository (src/access/repository.ts).
import { randomUUID } from "node:crypto";
import { DuplicateCodeError, type AccessRepository, type StoredCode } from "../access/repository.js";
import { providerOf, sqliteConnectionOf, type Prisma } from "./client.js";
import { openDatabase } from "./database.js";
import { groupCommitOf, IN_FOREIGN_TRANSACTION } from "./group-commit.js";
import { Prisma as Sql } from "./generated/sqlite/client.js";

/** Codes per INSERT statement (7 parameters each: well under SQLite's and PostgreSQL's limits). */
const CODE_CHUNK = 500;
const PG_CODE_CHUNK = 10_000;
/** The longest an issue's insert may take: 50,000 codes take a few seconds; Prisma's default 5 s aborted them on PostgreSQL. */
const INSERT_TIMEOUT_MS = 10 * 60_000;
/**
 * On PostgreSQL the transaction also waits for `alongside` (the issued files, PDF slips included),
 * which may take minutes at 50,000 codes on a busy machine: an hour before it is given up (rolled back).
 */
const ALONGSIDE_TIMEOUT_MS = 60 * 60_000;

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

/** A unique constraint refused the write: P2002 from the query builder, P2010 with the adapter's UniqueConstraintViolation from a raw statement. */
function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== "object" || error === null || !("code" in error)) return false;
  const meta = (error as { meta?: { driverAdapterError?: { cause?: { kind?: unknown } } } }).meta;
  return error.code === "P2002" || (error.code === "P2010" && meta?.driverAdapterError?.cause?.kind === "UniqueConstraintViolation");
}

/** A DateTime column read straight from SQLite (ISO text as Prisma's adapter stores it; integers are milliseconds). */
const dateOf = (value: unknown): Date | null => (value === null || value === undefined ? null : new Date(value as string | number));
/** A DateTime parameter as Prisma's SQLite adapter stores it (so text comparisons order as times). */
const sqliteText = (value: Date): string => value.toISOString().replace("Z", "+00:00");

const CODE_BY_HASH = `SELECT c."id", c."respondentId", c."batchId", c."unitCode", c."status", c."boundAccount", c."boundAt", k."id" AS "campaignId", k."opensAt", k."closesAt", k."closedAt"
  FROM "AccessCode" AS c JOIN "Campaign" AS k ON k."id" = c."campaignId" WHERE c."codeHash" = ?`;

/**
 * The respondents whose codes an account holds in a campaign, by the account's index: without
 * statistics SQLite picked (campaignId, respondentId) and read every code of the campaign, 50,000
 * rows per redemption in a national round (the unary + keeps those two columns off the index choice;
 * test/db/query-plans.test.ts checks the plan).
 */
export const RESPONDENTS_BOUND_SQLITE = `SELECT DISTINCT "respondentId" FROM "AccessCode" WHERE "boundAccount" = ? AND +"campaignId" = ? AND +"respondentId" IS NOT NULL`;

/**
 * Access codes, attempts and access audit events stored through Prisma (SQLite or PostgreSQL). On
 * SQLite, what a redemption does (find the code, the recent failures, the respondents bound to the
 * account, bind the code, record the attempt) runs straight on the client's connection, the writes
 * in its group commit (group-commit.ts): through Prisma these were some ten statements of a tenth
 * of a millisecond or more each, per respondent. Same SQL meaning, same races decided by the database.
 */
export function accessRepository(prisma: Prisma): AccessRepository {
  const general = prismaAccessRepository(prisma);
  const connection = () => sqliteConnectionOf(prisma);
  return {
    ...general,
    async findCodeByHash(codeHash) {
      const db = connection();
      if (!db) return general.findCodeByHash(codeHash);
      const row = db.prepare(CODE_BY_HASH).get(codeHash) as
        | { id: string; respondentId: string | null; batchId: string | null; unitCode: string | null; status: string; boundAccount: string | null; boundAt: unknown; campaignId: string; opensAt: unknown; closesAt: unknown; closedAt: unknown }
        | undefined;
      if (!row) return null;
      return toStoredCode({
        ...row,
        boundAt: dateOf(row.boundAt),
        campaign: { id: row.campaignId, opensAt: dateOf(row.opensAt)!, closesAt: dateOf(row.closesAt)!, closedAt: dateOf(row.closedAt) },
      });
    },

    async bindCode(codeId, accountKey, at) {
      const db = connection();
      if (db) {
        // The conditional UPDATE decides the race, as below; SQLite serialises writers.
        const changes = await groupCommitOf(db).run(
          () => db.prepare(`UPDATE "AccessCode" SET "boundAccount" = ?, "boundAt" = ? WHERE "id" = ? AND "status" = 'active' AND "boundAccount" IS NULL`).run(accountKey, sqliteText(at), codeId).changes,
        );
        if (changes !== IN_FOREIGN_TRANSACTION) return changes === 1;
      }
      return general.bindCode(codeId, accountKey, at);
    },

    async respondentsBoundTo(accountKey, campaignId) {
      const db = connection();
      if (!db) return general.respondentsBoundTo(accountKey, campaignId);
      const rows = db.prepare(RESPONDENTS_BOUND_SQLITE).all(accountKey, campaignId) as { respondentId: string }[];
      return rows.map((r) => r.respondentId);
    },

    async recordAttempt(attempt) {
      const db = connection();
      if (db) {
        const done = await groupCommitOf(db).run(() => void db.prepare(`INSERT INTO "AccessAttempt" ("account", "at", "success") VALUES (?, ?, ?)`).run(attempt.accountKey, sqliteText(attempt.at), attempt.success ? 1 : 0));
        if (done !== IN_FOREIGN_TRANSACTION) return;
      }
      return general.recordAttempt(attempt);
    },

    async recentFailures(query) {
      const db = connection();
      if (!db) return general.recentFailures(query);
      const rows = (
        query.accountKey !== undefined
          ? db.prepare(`SELECT "at" FROM "AccessAttempt" WHERE "success" = 0 AND "at" >= ? AND "account" = ? ORDER BY "at" DESC LIMIT ?`).all(sqliteText(query.since), query.accountKey, query.limit)
          : db.prepare(`SELECT "at" FROM "AccessAttempt" WHERE "success" = 0 AND "at" >= ? ORDER BY "at" DESC LIMIT ?`).all(sqliteText(query.since), query.limit)
      ) as { at: unknown }[];
      return rows.map((r) => dateOf(r.at)!);
    },
  };
}

/** The same repository through Prisma only (PostgreSQL, and SQLite for what is not on the redemption path). */
function prismaAccessRepository(prisma: Prisma): AccessRepository {
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

    async insertCodes(codes, alongside) {
      const postgres = providerOf(prisma) === "postgres";
      // SQLite works in this thread and would hold its write lock meanwhile: `alongside` first, then the rows.
      if (!postgres) await alongside?.();
      // On PostgreSQL the server writes the rows (and checks their keys) while this process runs
      // `alongside` (renders and writes the issued file); the transaction commits once both are done.
      const side = postgres && alongside ? alongside() : undefined;
      side?.catch(() => undefined);
      try {
        // Multi-row INSERTs, not createMany: Prisma compiled and interpreted each 500-row createMany
        // (25 s and 550 MB for 50,000 codes on SQLite; past the 5 s transaction timeout on
        // PostgreSQL). The transaction keeps it all-or-nothing; chunks stay under bound-parameter limits.
        await prisma.$transaction(
          async (tx) => {
            if (postgres) {
              // PostgreSQL takes each column as one array parameter: a few statements instead of one per 500 codes.
              for (let i = 0; i < codes.length; i += PG_CODE_CHUNK) {
                const part = codes.slice(i, i + PG_CODE_CHUNK);
                await tx.$executeRaw`INSERT INTO "AccessCode" ("id", "codeHash", "campaignId", "respondentId", "batchId", "unitCode", "issuedAt")
                  SELECT * FROM unnest(${part.map(() => randomUUID())}::text[], ${part.map((c) => c.codeHash)}::text[], ${part.map((c) => c.campaignId)}::text[],
                    ${part.map((c) => c.respondentId)}::text[], ${part.map((c) => c.batchId)}::text[], ${part.map((c) => c.unitCode)}::text[],
                    ${part.map((c) => c.issuedAt.toISOString())}::timestamptz[]::timestamp(3)[])`;
              }
              // Committed only if `alongside` succeeded: its error rolls the rows back.
              await side;
              return;
            }
            for (let i = 0; i < codes.length; i += CODE_CHUNK) {
              const values = codes
                .slice(i, i + CODE_CHUNK)
                .map((c) => Sql.sql`(${randomUUID()}, ${c.codeHash}, ${c.campaignId}, ${c.respondentId}, ${c.batchId}, ${c.unitCode}, ${c.issuedAt})`);
              await tx.$executeRaw`INSERT INTO "AccessCode" ("id", "codeHash", "campaignId", "respondentId", "batchId", "unitCode", "issuedAt") VALUES ${Sql.join(values)}`;
            }
          },
          { timeout: side ? ALONGSIDE_TIMEOUT_MS : INSERT_TIMEOUT_MS },
        );
      } catch (error) {
        // Settled before returning: a retry must not write its file while this one's is still being written.
        if (side) await side;
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
