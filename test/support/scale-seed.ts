// Seeds a campaign of any size fast: multi-row INSERTs straight into the tables (one statement per
// few hundred rows), never one Prisma create per row. Respondents are spread over units and groups
// and walk the funnel in a fixed, deterministic pattern, so tests can compute the expected counts
// with `expectedScaleCounts` instead of reading them back from the code under test.
import type { Prisma } from "../../src/db/client.js";
import { Prisma as Sql } from "../../src/db/generated/sqlite/client.js";

/** Where one seeded respondent stands. */
export type SeedStage = "not_redeemed" | "redeemed" | "declined" | "in_progress" | "submitted";

/** The stage of respondent number `i` (0-based): 30% not redeemed, 10% redeemed, 5% declined, 15% in progress, 40% submitted. */
export function seedStage(i: number): SeedStage {
  // Mixed with i / 97 so that no unit (i % units) lands on a single stage.
  const k = (i + Math.floor(i / 97)) % 20;
  if (k < 6) return "not_redeemed";
  if (k < 8) return "redeemed";
  if (k < 9) return "declined";
  if (k < 12) return "in_progress";
  return "submitted";
}

/** The channel of submitted respondent number `i`: most through Telegram (half of them stored under the legacy name 'bot'), some through Zalo and the console. */
export function seedSource(i: number): "bot" | "telegram" | "zalo" | "console" {
  const k = Math.floor(i / 20) % 10;
  return k < 3 ? "bot" : k < 7 ? "telegram" : k < 9 ? "zalo" : "console";
}

/** Options of {@link seedScaleCampaign}. */
export interface ScaleSeedOptions {
  readonly campaignId: string;
  readonly questionnaireVersionPk: number;
  readonly respondents: number;
  readonly units: number;
  readonly groups: readonly string[];
  /** Respondent i gets external id `${prefix}${i}`; default "R". */
  readonly prefix?: string;
  /** Every `coordinatorEvery`-th respondent is a coordinator (0: none). */
  readonly coordinatorEvery?: number;
  /** Answers stored with each submitted response (question id → JSON text), e.g. for exports. */
  readonly answers?: (i: number) => Readonly<Record<string, string>>;
  /** Units and respondents only: no codes, sessions or responses (a round before its codes are issued). */
  readonly respondentsOnly?: boolean;
}

/** The unit code of respondent i. */
export const seedUnit = (i: number, units: number): string => `U${String(i % units).padStart(3, "0")}`;
/** The group of respondent i. */
export const seedGroup = (i: number, groups: readonly string[]): string => groups[Math.floor(i / 7) % groups.length]!;
/** The Telegram chat id of respondent i. */
export const seedChat = (i: number): string => String(7_000_000 + i);

const CHUNK = 500;

async function insertRows(prisma: Prisma, table: string, columns: readonly string[], rows: readonly unknown[][]): Promise<void> {
  const head = Sql.raw(`INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) VALUES `);
  for (let i = 0; i < rows.length; i += CHUNK) {
    const values = rows.slice(i, i + CHUNK).map((row) => Sql.sql`(${Sql.join(row)})`);
    await prisma.$executeRaw`${head}${Sql.join(values)}`;
  }
}

/**
 * Inserts units, respondents, access codes (bound from "redeemed" on), Telegram sessions and
 * responses (declined, in progress or submitted) for a campaign that already exists.
 */
export async function seedScaleCampaign(prisma: Prisma, o: ScaleSeedOptions): Promise<void> {
  const prefix = o.prefix ?? "R";
  const now = new Date("2026-12-05T03:00:00Z");
  await insertRows(
    prisma,
    "Unit",
    ["campaignId", "code", "name"],
    Array.from({ length: o.units }, (_, u) => [o.campaignId, seedUnit(u, o.units), `Đơn vị số ${u}`]),
  );
  const respondents: unknown[][] = [];
  const codes: unknown[][] = [];
  const sessions: unknown[][] = [];
  const responses: unknown[][] = [];
  const answers: unknown[][] = [];
  const flush = async () => {
    await insertRows(prisma, "Respondent", ["id", "campaignId", "externalId", "fullName", "unitCode", "groupId", "language", "subjectUnits", "coordinator", "createdAt", "updatedAt"], respondents.splice(0));
    await insertRows(prisma, "AccessCode", ["id", "campaignId", "codeHash", "respondentId", "status", "boundAccount", "boundAt", "issuedAt"], codes.splice(0));
    await insertRows(prisma, "Session", ["id", "campaignId", "channel", "account", "chatId", "respondentId", "language", "state", "createdAt", "updatedAt"], sessions.splice(0));
    await insertRows(
      prisma,
      "Response",
      ["id", "campaignId", "questionnaireVersionPk", "respondentId", "source", "subjectUnit", "groupId", "status", "startedAt", "attestedAt", "declinedAt", "submittedAt", "createdAt", "updatedAt"],
      responses.splice(0),
    );
    await insertRows(prisma, "Answer", ["responseId", "questionId", "value", "answeredAt"], answers.splice(0));
  };
  for (let i = 0; i < o.respondents; i++) {
    const id = `${o.campaignId}-r${i}`;
    const unit = seedUnit(i, o.units);
    const group = seedGroup(i, o.groups);
    const coordinator = o.coordinatorEvery ? i % o.coordinatorEvery === 0 : false;
    respondents.push([id, o.campaignId, `${prefix}${i}`, `Người số ${i}`, unit, group, i % 5 === 0 ? "en" : "vi", "", Sql.raw(coordinator ? "TRUE" : "FALSE"), now, now]);
    if (o.respondentsOnly) {
      if (respondents.length >= 2_000) await flush();
      continue;
    }
    const stage = seedStage(i);
    const bound = stage !== "not_redeemed";
    codes.push([`${id}-c`, o.campaignId, `${o.campaignId}-h${i}`, id, bound ? "used" : "active", bound ? `telegram:${seedChat(i)}` : null, bound ? now : null, now]);
    if (bound) sessions.push([`${id}-s`, o.campaignId, "telegram", `telegram:${seedChat(i)}`, seedChat(i), id, i % 5 === 0 ? "en" : "vi", "{}", now, now]);
    if (stage === "declined" || stage === "in_progress" || stage === "submitted") {
      const attested = stage !== "declined";
      const source = stage === "submitted" ? seedSource(i) : "telegram";
      if (stage === "submitted" && o.answers) for (const [q, value] of Object.entries(o.answers(i))) answers.push([`${id}-p`, q, value, now]);
      responses.push([`${id}-p`, o.campaignId, o.questionnaireVersionPk, id, source, unit, group, stage, now, attested ? now : null, stage === "declined" ? now : null, stage === "submitted" ? now : null, now, now]);
    }
    if (respondents.length >= 2_000) await flush();
  }
  await flush();
}

/** Respondents per status and submitted responses per channel, computed from the seed's pattern. */
export interface ExpectedCounts {
  readonly sampled: number;
  readonly status: Record<SeedStage, number>;
  readonly channels: { telegram: number; zalo: number; console: number; import: number };
}

/** What {@link seedScaleCampaign} produced for respondents matching `filter` (all by default). */
export function expectedScaleCounts(o: Pick<ScaleSeedOptions, "respondents" | "units" | "groups">, filter: (i: number) => boolean = () => true): ExpectedCounts {
  const status: Record<SeedStage, number> = { not_redeemed: 0, redeemed: 0, declined: 0, in_progress: 0, submitted: 0 };
  const channels = { telegram: 0, zalo: 0, console: 0, import: 0 };
  let sampled = 0;
  for (let i = 0; i < o.respondents; i++) {
    if (!filter(i)) continue;
    sampled++;
    const stage = seedStage(i);
    status[stage]++;
    if (stage === "submitted") {
      const s = seedSource(i);
      channels[s === "bot" ? "telegram" : s]++;
    }
  }
  return { sampled, status, channels };
}
