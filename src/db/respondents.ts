// Prisma implementation of RespondentRepository: the import is all-or-nothing, so a killed import
// leaves nothing half-done, and it only ever writes respondent and unit rows (answers are untouched).
// On PostgreSQL it is one transaction; on SQLite the rows are first written to a staging table of
// the connection's own (TEMP) schema in chunks, without the database's write lock, and then
// promoted in one short transaction, so the bot's answers are not held up behind a long import.
import { randomUUID } from "node:crypto";
import { setImmediate as nextTurn } from "node:timers/promises";
import type SqliteConnection from "better-sqlite3";
import { sqliteConnectionOf, type Prisma } from "./client.js";
import { Prisma as Sql } from "./generated/sqlite/client.js";
import { connectionMutex, withImmediateTransaction } from "./sqlite-lock.js";
import type { ImportCounts, RespondentInput, RespondentRecord, RespondentRepository } from "./types.js";

// Prisma caches a query plan per statement shape, and a 500-row createMany plan costs ~70 MB of
// heap; 100-row chunks keep that near 15 MB at the same speed.
const CHUNK = 100;
const INSERT_CHUNK = 200;
/** Generous: 20,000 rows take a few seconds; the default 5 s would abort slow disks. */
const IMPORT_TIMEOUT_MS = 10 * 60_000;

type RespondentRow = Awaited<ReturnType<Prisma["respondent"]["findFirstOrThrow"]>>;

function toRecord(row: RespondentRow): RespondentRecord {
  return {
    id: row.id,
    campaignId: row.campaignId,
    externalId: row.externalId,
    fullName: row.fullName,
    unitCode: row.unitCode,
    groupId: row.groupId,
    language: row.language,
    phone: row.phone,
    email: row.email,
    subjectUnits: row.subjectUnits === "" ? [] : row.subjectUnits.split("|"),
    coordinator: row.coordinator,
  };
}

function columns(input: RespondentInput) {
  return {
    fullName: input.fullName,
    unitCode: input.unitCode,
    groupId: input.groupId,
    language: input.language,
    phone: input.phone,
    email: input.email,
    subjectUnits: input.subjectUnits.join("|"),
    coordinator: input.coordinator,
  };
}

function sameColumns(row: RespondentRow, next: ReturnType<typeof columns>): boolean {
  return (Object.keys(next) as (keyof typeof next)[]).every((key) => row[key] === next[key]);
}

/** Rows written to the staging table per chunk (each chunk one short transaction on the TEMP schema). */
const STAGE_CHUNK = 2_000;

/** A DateTime as Prisma's SQLite adapter stores it. */
const sqliteDate = (value: Date): string => value.toISOString().replace("Z", "+00:00");

/**
 * The SQLite import: stage, then promote. Staging writes only the connection's TEMP schema, which
 * takes no lock on the database file, yielding to the event loop between chunks; the promotion
 * compares, updates and inserts with a handful of set-based statements inside one BEGIN IMMEDIATE
 * transaction, waited for asynchronously. A process killed while staging leaves nothing: TEMP
 * tables vanish with the connection.
 */
async function importStaged(db: SqliteConnection.Database, campaignId: string, rows: readonly RespondentInput[]): Promise<ImportCounts> {
  db.exec(`CREATE TEMP TABLE IF NOT EXISTS "import_respondent" (
      "externalId" TEXT PRIMARY KEY, "id" TEXT NOT NULL, "fullName" TEXT NOT NULL, "unitCode" TEXT NOT NULL, "groupId" TEXT NOT NULL,
      "language" TEXT NOT NULL, "phone" TEXT, "email" TEXT, "subjectUnits" TEXT NOT NULL, "coordinator" INTEGER NOT NULL)`);
  db.exec(`CREATE TEMP TABLE IF NOT EXISTS "import_unit" ("code" TEXT PRIMARY KEY, "name" TEXT NOT NULL)`);
  db.exec(`DELETE FROM temp."import_respondent"; DELETE FROM temp."import_unit"`);
  try {
    const insertRow = db.prepare(`INSERT INTO temp."import_respondent" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const insertUnit = db.prepare(`INSERT INTO temp."import_unit" VALUES (?, ?) ON CONFLICT ("code") DO NOTHING`);
    const mutex = connectionMutex(db);
    for (let i = 0; i < rows.length; i += STAGE_CHUNK) {
      // Not inside another transaction of this connection (a Prisma one awaiting between statements).
      const release = await mutex.acquire();
      try {
        db.transaction(() => {
          for (const row of rows.slice(i, i + STAGE_CHUNK)) {
            const c = columns(row);
            insertRow.run(row.externalId, randomUUID(), c.fullName, c.unitCode, c.groupId, c.language, c.phone, c.email, c.subjectUnits, c.coordinator ? 1 : 0);
            insertUnit.run(row.unitCode, row.unitName);
          }
        })();
      } finally {
        release();
      }
      // Let the bot (same process or not) through between chunks.
      await nextTurn();
    }
    const now = sqliteDate(new Date());
    return await withImmediateTransaction(db, () => {
      const differs = `(r."fullName" IS NOT s."fullName" OR r."unitCode" IS NOT s."unitCode" OR r."groupId" IS NOT s."groupId" OR r."language" IS NOT s."language"
        OR r."phone" IS NOT s."phone" OR r."email" IS NOT s."email" OR r."subjectUnits" IS NOT s."subjectUnits" OR r."coordinator" IS NOT s."coordinator")`;
      const counts = db
        .prepare(
          `SELECT count(*) FILTER (WHERE r."id" IS NULL) AS "created",
                  count(*) FILTER (WHERE r."id" IS NOT NULL AND ${differs}) AS "updated",
                  count(*) FILTER (WHERE r."id" IS NOT NULL AND NOT ${differs}) AS "unchanged"
             FROM temp."import_respondent" s LEFT JOIN "Respondent" r ON r."campaignId" = ? AND r."externalId" = s."externalId"`,
        )
        .get(campaignId) as { created: number | bigint; updated: number | bigint; unchanged: number | bigint };
      db.prepare(`INSERT INTO "Unit" ("campaignId", "code", "name") SELECT ?, "code", "name" FROM temp."import_unit" WHERE true ON CONFLICT ("campaignId", "code") DO UPDATE SET "name" = excluded."name" WHERE "name" IS NOT excluded."name"`).run(campaignId);
      db.prepare(
        `UPDATE "Respondent" AS r SET "fullName" = s."fullName", "unitCode" = s."unitCode", "groupId" = s."groupId", "language" = s."language", "phone" = s."phone",
                "email" = s."email", "subjectUnits" = s."subjectUnits", "coordinator" = s."coordinator", "updatedAt" = ?
           FROM temp."import_respondent" s WHERE r."campaignId" = ? AND r."externalId" = s."externalId" AND ${differs}`,
      ).run(now, campaignId);
      db.prepare(
        `INSERT INTO "Respondent" ("id", "campaignId", "externalId", "fullName", "unitCode", "groupId", "language", "phone", "email", "subjectUnits", "coordinator", "createdAt", "updatedAt")
         SELECT s."id", ?, s."externalId", s."fullName", s."unitCode", s."groupId", s."language", s."phone", s."email", s."subjectUnits", s."coordinator", ?, ?
           FROM temp."import_respondent" s WHERE NOT EXISTS (SELECT 1 FROM "Respondent" r WHERE r."campaignId" = ? AND r."externalId" = s."externalId")`,
      ).run(campaignId, now, now, campaignId);
      return { created: Number(counts.created), updated: Number(counts.updated), unchanged: Number(counts.unchanged) };
    });
  } finally {
    db.exec(`DELETE FROM temp."import_respondent"; DELETE FROM temp."import_unit"`);
  }
}

/** Respondents stored through Prisma. */
export function respondentRepository(prisma: Prisma): RespondentRepository {
  return {
    async importRespondents(campaignId, rows): Promise<ImportCounts> {
      const sqlite = sqliteConnectionOf(prisma);
      if (sqlite) return importStaged(sqlite, campaignId, rows);
      return prisma.$transaction(
        async (tx) => {
          const existing = new Map((await tx.respondent.findMany({ where: { campaignId } })).map((r) => [r.externalId, r]));
          const units = new Map((await tx.unit.findMany({ where: { campaignId } })).map((u) => [u.code, u.name]));
          const unitNames = new Map<string, string>();
          for (const row of rows) unitNames.set(row.unitCode, row.unitName);
          const newUnits = [...unitNames].filter(([code]) => !units.has(code));
          for (let i = 0; i < newUnits.length; i += CHUNK) {
            await tx.unit.createMany({ data: newUnits.slice(i, i + CHUNK).map(([code, name]) => ({ campaignId, code, name })) });
          }
          for (const [code, name] of unitNames) {
            if (units.has(code) && units.get(code) !== name) {
              await tx.unit.update({ where: { campaignId_code: { campaignId, code } }, data: { name } });
            }
          }
          const creates: (ReturnType<typeof columns> & { externalId: string })[] = [];
          let updated = 0;
          let unchanged = 0;
          for (const row of rows) {
            const next = columns(row);
            const current = existing.get(row.externalId);
            if (!current) creates.push({ ...next, externalId: row.externalId });
            else if (sameColumns(current, next)) unchanged++;
            else {
              await tx.respondent.update({ where: { id: current.id }, data: next });
              updated++;
            }
          }
          // One multi-row INSERT per chunk: Prisma's createMany took ~15 s for 20,000 rows on a busy machine.
          const now = new Date();
          for (let i = 0; i < creates.length; i += INSERT_CHUNK) {
            const values = creates.slice(i, i + INSERT_CHUNK).map(
              (c) =>
                // "? = 1" makes a boolean on PostgreSQL and 0/1 on SQLite from the same parameter.
                Sql.sql`(${randomUUID()}, ${campaignId}, ${c.externalId}, ${c.fullName}, ${c.unitCode}, ${c.groupId}, ${c.language}, ${c.phone}, ${c.email}, ${c.subjectUnits}, ${c.coordinator ? 1 : 0} = 1, ${now}, ${now})`,
            );
            await tx.$executeRaw`INSERT INTO "Respondent" ("id", "campaignId", "externalId", "fullName", "unitCode", "groupId", "language", "phone", "email", "subjectUnits", "coordinator", "createdAt", "updatedAt") VALUES ${Sql.join(values)}`;
          }
          return { created: creates.length, updated, unchanged };
        },
        { timeout: IMPORT_TIMEOUT_MS, maxWait: 60_000 },
      );
    },
    async externalIds(campaignId) {
      const rows = await prisma.respondent.findMany({ where: { campaignId }, select: { externalId: true } });
      return new Set(rows.map((r) => r.externalId));
    },
    async list(campaignId, filter = {}) {
      const where = filter.unitCode !== undefined ? { campaignId, unitCode: filter.unitCode } : { campaignId };
      const rows = await prisma.respondent.findMany({ where, orderBy: { externalId: "asc" } });
      return rows.map(toRecord);
    },
    async coordinators(campaignId) {
      const rows = await prisma.respondent.findMany({ where: { campaignId, coordinator: true }, orderBy: { externalId: "asc" } });
      return rows.map(toRecord);
    },
    async getByExternalId(campaignId, externalId) {
      const row = await prisma.respondent.findUnique({ where: { campaignId_externalId: { campaignId, externalId } } });
      return row ? toRecord(row) : null;
    },
    async units(campaignId) {
      const rows = await prisma.unit.findMany({ where: { campaignId }, orderBy: { code: "asc" } });
      return rows.map((u) => ({ code: u.code, name: u.name, parentCode: u.parentCode }));
    },
  };
}
