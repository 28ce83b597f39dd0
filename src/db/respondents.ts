// Prisma implementation of RespondentRepository: the import is one transaction, so a killed import
// leaves nothing half-done, and it only ever writes respondent and unit rows (answers are untouched).
import { randomUUID } from "node:crypto";
import type { Prisma } from "./client.js";
import { Prisma as Sql } from "./generated/sqlite/client.js";
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

/** Respondents stored through Prisma. */
export function respondentRepository(prisma: Prisma): RespondentRepository {
  return {
    async importRespondents(campaignId, rows): Promise<ImportCounts> {
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
    async list(campaignId) {
      const rows = await prisma.respondent.findMany({ where: { campaignId }, orderBy: { externalId: "asc" } });
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
