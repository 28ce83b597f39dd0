// Prisma implementation of ParticipationRepository. Everything is computed by the database: one
// statement classifies every respondent of the campaign (joins on grouped response and code
// facts) and returns counts per unit and group, so a campaign of any size costs one row per unit
// and group in memory, and no statement ever binds a list of ids (SQLite refuses more than a few
// hundred through Prisma, PostgreSQL 32,766). Per-respondent rows are read in keyset-paged pages.
import { providerOf, type Prisma } from "./client.js";
import { Prisma as Sql } from "./generated/sqlite/client.js";
import type { DatabaseTarget } from "./target.js";
import type { ParticipationFact, ParticipationRepository, PendingRespondent, StatusCountsRow, SubmittedByChannelRow } from "./types.js";
import { responseChannel } from "./types.js";

const PAGE = 2_000;

/** SQL for the number of responses a respondent owes: one per subject unit, at least one. */
const EXPECTED = Sql.raw(`(CASE WHEN r."subjectUnits" = '' THEN 1 ELSE LENGTH(r."subjectUnits") - LENGTH(REPLACE(r."subjectUnits", '|', '')) + 1 END)`);

/** The status of a row with the funnel facts below (the rules of `respondentStatus` in src/participation). */
const STATUS = Sql.raw(`CASE
        WHEN g."submittedResponses" >= g."expectedResponses" THEN 'submitted'
        WHEN g."attested" = 1 OR g."startedResponses" > 0 OR g."submittedResponses" > 0 THEN 'in_progress'
        WHEN g."declined" = 1 THEN 'declined'
        WHEN g."redeemed" = 1 THEN 'redeemed'
        ELSE 'not_redeemed'
      END`);

/**
 * One page of a campaign's respondents (by external id, after `after`, at most `limit`), each with
 * its funnel facts and status, as a derived table `f`. The page is chosen first, so the per-respondent
 * lookups (on indexed columns: Response.respondentId, AccessCode's campaign and respondent) run for
 * its rows only: every page costs the same whatever the campaign's size or the planner's statistics.
 *
 * PostgreSQL: one LATERAL aggregate over the respondent's responses and one LATERAL probe of its
 * codes (two index scans per row). With correlated scalar subqueries instead, PostgreSQL inlined
 * the facts into the status CASE and ran up to ten Response subplans per respondent, answered the
 * code EXISTS by hashing every bound code of the database on each page, and the page's estimated
 * cost crossed the JIT threshold (~100 ms of compilation per page): ~115-300 ms a page, 25 pages at
 * 50,000 respondents, against ~35 ms now. SQLite has no LATERAL and runs each correlated
 * subquery as one indexed lookup, so it keeps them.
 */
export function respondentPage(provider: DatabaseTarget["provider"], campaignId: string, after: string, limit: number, where: Sql.Sql = Sql.empty): Sql.Sql {
  const page = Sql.sql`(
        SELECT * FROM "Respondent" WHERE "campaignId" = ${campaignId} AND "externalId" > ${after} ${where}
        ORDER BY "externalId" LIMIT ${limit}
      ) r`;
  if (provider === "postgres") {
    return Sql.sql`(
    SELECT g.*, ${STATUS} AS "status"
    FROM (
      SELECT r."id" AS "id", r."externalId" AS "externalId", r."fullName" AS "fullName", r."unitCode" AS "unitCode", r."groupId" AS "groupId", r."language" AS "language",
        CASE WHEN a."one" IS NULL THEN 0 ELSE 1 END AS "redeemed",
        x."att" AS "attested", x."dec" AS "declined", x."sub" AS "submittedResponses", x."started" AS "startedResponses",
        ${EXPECTED} AS "expectedResponses"
      FROM ${page}
      CROSS JOIN LATERAL (
        SELECT COALESCE(SUM(CASE WHEN x."status" = 'submitted' THEN 1 ELSE 0 END), 0) AS "sub",
          COALESCE(SUM(CASE WHEN x."status" = 'in_progress' THEN 1 ELSE 0 END), 0) AS "started",
          COALESCE(MAX(CASE WHEN x."status" = 'declined' THEN 1 ELSE 0 END), 0) AS "dec",
          COALESCE(MAX(CASE WHEN x."attestedAt" IS NOT NULL THEN 1 ELSE 0 END), 0) AS "att"
        FROM "Response" x WHERE x."respondentId" = r."id"
      ) x
      LEFT JOIN LATERAL (
        SELECT 1 AS "one" FROM "AccessCode" a WHERE a."campaignId" = r."campaignId" AND a."respondentId" = r."id" AND a."boundAccount" IS NOT NULL LIMIT 1
      ) a ON TRUE
    ) g
  ) f`;
  }
  const responses = (what: string) => Sql.raw(`(SELECT ${what} FROM "Response" x WHERE x."respondentId" = r."id")`);
  return Sql.sql`(
    SELECT g.*, ${STATUS} AS "status"
    FROM (
      SELECT r."id" AS "id", r."externalId" AS "externalId", r."fullName" AS "fullName", r."unitCode" AS "unitCode", r."groupId" AS "groupId", r."language" AS "language",
        CASE WHEN EXISTS (SELECT 1 FROM "AccessCode" a WHERE a."campaignId" = r."campaignId" AND a."respondentId" = r."id" AND a."boundAccount" IS NOT NULL) THEN 1 ELSE 0 END AS "redeemed",
        ${responses(`COALESCE(MAX(CASE WHEN x."attestedAt" IS NOT NULL THEN 1 ELSE 0 END), 0)`)} AS "attested",
        ${responses(`COALESCE(MAX(CASE WHEN x."status" = 'declined' THEN 1 ELSE 0 END), 0)`)} AS "declined",
        ${responses(`COALESCE(SUM(CASE WHEN x."status" = 'submitted' THEN 1 ELSE 0 END), 0)`)} AS "submittedResponses",
        ${responses(`COALESCE(SUM(CASE WHEN x."status" = 'in_progress' THEN 1 ELSE 0 END), 0)`)} AS "startedResponses",
        ${EXPECTED} AS "expectedResponses"
      FROM ${page}
    ) g
  ) f`;
}

/**
 * Every respondent of a campaign (optionally narrowed by `where` on r) with funnel facts and status,
 * as a derived table `f`: grouped response and code facts joined once (hash joins), for counts over
 * the whole campaign.
 */
function classifiedRespondents(campaignId: string, where: Sql.Sql = Sql.empty): Sql.Sql {
  return Sql.sql`(
    SELECT g.*, ${STATUS} AS "status"
    FROM (
      SELECT r."id" AS "id", r."fullName" AS "fullName", r."unitCode" AS "unitCode", r."groupId" AS "groupId",
        CASE WHEN a."rid" IS NULL THEN 0 ELSE 1 END AS "redeemed",
        COALESCE(x."att", 0) AS "attested",
        COALESCE(x."dec", 0) AS "declined",
        COALESCE(x."sub", 0) AS "submittedResponses",
        COALESCE(x."started", 0) AS "startedResponses",
        ${EXPECTED} AS "expectedResponses"
      FROM "Respondent" r
      LEFT JOIN (
        SELECT "respondentId" AS "rid",
          SUM(CASE WHEN "status" = 'submitted' THEN 1 ELSE 0 END) AS "sub",
          SUM(CASE WHEN "status" = 'in_progress' THEN 1 ELSE 0 END) AS "started",
          MAX(CASE WHEN "status" = 'declined' THEN 1 ELSE 0 END) AS "dec",
          MAX(CASE WHEN "attestedAt" IS NOT NULL THEN 1 ELSE 0 END) AS "att"
        FROM "Response" WHERE "campaignId" = ${campaignId} AND "respondentId" IS NOT NULL
        GROUP BY "respondentId"
      ) x ON x."rid" = r."id"
      LEFT JOIN (
        -- GROUP BY, not DISTINCT: SQLite gives a grouped derived table an automatic index on the join
        -- column, but scanned a DISTINCT one once per respondent (50,000 × 35,000 rows: minutes).
        SELECT "respondentId" AS "rid" FROM "AccessCode"
        WHERE "campaignId" = ${campaignId} AND "respondentId" IS NOT NULL AND "boundAccount" IS NOT NULL
        GROUP BY "respondentId"
      ) a ON a."rid" = r."id"
      WHERE r."campaignId" = ${campaignId} ${where}
    ) g
  ) f`;
}

const STATISTICS_TABLES = ["Respondent", "AccessCode", "Session", "Response", "UnreachableChat"];
const checkedAt = new WeakMap<Prisma, number>();

/**
 * PostgreSQL plans from table statistics, which a bulk import leaves stale until autovacuum gets
 * round to it (a minute or more): with none, it took 50,000 respondents for 12 rows and chose
 * nested loops that rescanned whole tables. Before a report, tables changed by more than a fifth
 * since their last ANALYZE are analysed (a few hundred milliseconds at 50,000 rows; checked at
 * most every 10 s per client). SQLite needs nothing.
 */
export async function freshStatistics(prisma: Prisma): Promise<void> {
  if (providerOf(prisma) !== "postgres") return;
  const now = Date.now();
  if (now - (checkedAt.get(prisma) ?? 0) < 10_000) return;
  checkedAt.set(prisma, now);
  const stale = await prisma.$queryRaw<{ relname: string }[]>`
    SELECT relname FROM pg_stat_user_tables
    WHERE schemaname = current_schema() AND relname IN (${Sql.join(STATISTICS_TABLES)}) AND n_mod_since_analyze > GREATEST(200, n_live_tup / 5)`;
  for (const { relname } of stale) if (STATISTICS_TABLES.includes(relname)) await prisma.$executeRawUnsafe(`ANALYZE "${relname}"`);
}

/** SQL mapping Response.source to its channel (see responseChannel). */
export const CHANNEL_SQL = Sql.raw(`(CASE WHEN "source" = 'bot' THEN 'telegram' WHEN "source" IN ('telegram', 'zalo', 'console', 'import') THEN "source" ELSE 'import' END)`);

const n = (value: unknown): number => Number(value ?? 0);

/** Participation read models through Prisma. */
export function participationRepository(prisma: Prisma): ParticipationRepository {
  const provider = providerOf(prisma);
  return {
    async statusCounts(campaignId, filter = {}) {
      await freshStatistics(prisma);
      const where = filter.unitCode !== undefined ? Sql.sql`AND r."unitCode" = ${filter.unitCode}` : Sql.empty;
      const rows = await prisma.$queryRaw<Record<string, unknown>[]>`
        SELECT f."unitCode" AS "unitCode", f."groupId" AS "groupId", COUNT(*) AS "sampled", SUM(f."redeemed") AS "redeemed", SUM(f."attested") AS "attested",
          SUM(CASE WHEN f."status" = 'not_redeemed' THEN 1 ELSE 0 END) AS "not_redeemed",
          SUM(CASE WHEN f."status" = 'redeemed' THEN 1 ELSE 0 END) AS "redeemed_only",
          SUM(CASE WHEN f."status" = 'declined' THEN 1 ELSE 0 END) AS "declined",
          SUM(CASE WHEN f."status" = 'in_progress' THEN 1 ELSE 0 END) AS "in_progress",
          SUM(CASE WHEN f."status" = 'submitted' THEN 1 ELSE 0 END) AS "submitted"
        FROM ${classifiedRespondents(campaignId, where)}
        GROUP BY f."unitCode", f."groupId"`;
      return rows.map(
        (r): StatusCountsRow => ({
          unitCode: String(r.unitCode),
          groupId: String(r.groupId),
          sampled: n(r.sampled),
          redeemed: n(r.redeemed),
          attested: n(r.attested),
          status: { not_redeemed: n(r.not_redeemed), redeemed: n(r.redeemed_only), declined: n(r.declined), in_progress: n(r.in_progress), submitted: n(r.submitted) },
        }),
      );
    },

    async submittedByChannel(campaignId, filter = {}) {
      await freshStatistics(prisma);
      const where = filter.unitCode !== undefined ? Sql.sql`AND "subjectUnit" = ${filter.unitCode}` : Sql.empty;
      const rows = await prisma.$queryRaw<{ unit: string; grp: string; channel: string; n: unknown }[]>`
        SELECT "subjectUnit" AS "unit", "groupId" AS "grp", ${CHANNEL_SQL} AS "channel", COUNT(*) AS "n"
        FROM "Response" WHERE "campaignId" = ${campaignId} AND "status" = 'submitted' ${where}
        GROUP BY "subjectUnit", "groupId", ${CHANNEL_SQL}`;
      return rows.map((r): SubmittedByChannelRow => ({ unit: r.unit, groupId: r.grp, channel: responseChannel(r.channel), count: n(r.n) }));
    },

    async pendingOfUnit(campaignId, unitCode) {
      await freshStatistics(prisma);
      // The unit's respondents only, each with its own facts (indexed lookups), in keyset pages: the
      // digests call this once per coordinator, and aggregating the whole campaign's responses and
      // codes each time (classifiedRespondents) took 14 s for 700 coordinators on PostgreSQL.
      const out: PendingRespondent[] = [];
      let after = "";
      for (;;) {
        const rows = await prisma.$queryRaw<{ externalId: string; fullName: string; status: string }[]>`
          SELECT f."externalId" AS "externalId", f."fullName" AS "fullName", f."status" AS "status"
          FROM ${respondentPage(provider, campaignId, after, PAGE, Sql.sql`AND "unitCode" = ${unitCode}`)} ORDER BY f."externalId"`;
        for (const r of rows) if (r.status !== "submitted") out.push({ name: r.fullName, status: r.status as PendingRespondent["status"] });
        if (rows.length < PAGE) return out;
        after = rows[rows.length - 1]!.externalId;
      }
    },

    async *factPages(campaignId, filter = {}) {
      // One unit: the (campaignId, unitCode) index picks its rows; the correlated subqueries run for them only.
      const where = filter.unitCode !== undefined ? Sql.sql`AND "unitCode" = ${filter.unitCode}` : Sql.empty;
      let after = "";
      for (;;) {
        const rows = await prisma.$queryRaw<Record<string, unknown>[]>`SELECT * FROM ${respondentPage(provider, campaignId, after, PAGE, where)} ORDER BY f."externalId"`;
        if (rows.length === 0) return;
        yield rows.map(
          (r): ParticipationFact => ({
            respondentId: String(r.id),
            unitCode: String(r.unitCode),
            groupId: String(r.groupId),
            redeemed: n(r.redeemed) === 1,
            attested: n(r.attested) === 1,
            declined: n(r.declined) === 1,
            submittedResponses: n(r.submittedResponses),
            startedResponses: n(r.startedResponses),
            expectedResponses: n(r.expectedResponses),
          }),
        );
        if (rows.length < PAGE) return;
        after = String(rows[rows.length - 1]!.externalId);
      }
    },

    async facts(campaignId, filter = {}) {
      const out: ParticipationFact[] = [];
      for await (const page of this.factPages(campaignId, filter)) out.push(...page);
      return out;
    },

    async reminderFacts(campaignId) {
      const last = await prisma.reminderRun.findFirst({ where: { campaignId }, orderBy: { ranAt: "desc" }, select: { ranAt: true } });
      // A respondent is unreachable when a chat of theirs (a messaging session) is recorded unreachable.
      const [row] = await prisma.$queryRaw<{ n: unknown }[]>`
        SELECT COUNT(DISTINCT s."respondentId") AS "n" FROM "Session" s
        JOIN "UnreachableChat" u ON u."chatId" = s."chatId"
        WHERE s."campaignId" = ${campaignId} AND s."respondentId" IS NOT NULL AND s."chatId" IS NOT NULL`;
      return { lastReminderAt: last?.ranAt ?? null, unreachable: n(row?.n) };
    },
  };
}
