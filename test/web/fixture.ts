// A campaign with a realistic spread for the console's tests: six units (one under minResponses,
// one with a hostile name), respondents in two groups, responses submitted through several
// channels on several days, two respondents in progress, and appraisal points that put one unit's
// survey rank far below its appraisal rank.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createCampaign, importCampaignResponses } from "../../src/campaigns/index.js";
import type { Database } from "../../src/db/index.js";
import type { Prisma } from "../../src/db/client.js";
import { importRespondentsFile } from "../../src/respondents/index.js";
import { addUser } from "../../src/web/accounts.js";
import { mulberry32 } from "../support/random.js";

export const UNITS = [
  { code: "SO_TP", name: "Sở Tư pháp", submitted: 8, quality: 0.9, appraisal: 60 },
  { code: "SO_TC", name: "Sở Tài chính", submitted: 6, quality: 0.5, appraisal: 66 },
  { code: "SO_NV", name: "Sở Nội vụ", submitted: 7, quality: 0.7, appraisal: 55 },
  { code: "SO_YT", name: "Sở Y tế", submitted: 5, quality: 0.2, appraisal: 67 },
  { code: "UBND_AP", name: "UBND xã An Phú <script>alert(1)</script>", submitted: 3, quality: 0.6, appraisal: 50 },
  { code: "UBND_BM", name: "UBND xã Bình Minh", submitted: 9, quality: 0.8, appraisal: 52 },
] as const;
export const PER_UNIT = 10;
export const PASSWORD = "correct horse battery";

const SINGLE = ["a1_1", "a1_2", "a1_3", "a2_1", "a2_2", "a3_1", "a3_2", "a3_3", "a3_4", "a4_1", "a4_2", "a5_1", "a5_2", "a5_3", "a6_1", "a6_2", "a6_3", "a7_2", "a7_3", "a7_6", "a8_1", "a8_2", "a8_3"];
const QUESTIONS = ["a1_1", "a1_2", "a1_3", "a2_1", "a2_2", "a3_1", "a3_2", "a3_3", "a3_4", "a4_1", "a4_2", "a5_1", "a5_2", "a5_3", "a5_4", "a5_5", "a6_1", "a6_2", "a6_3", "a7_1", "a7_2", "a7_3", "a7_4", "a7_5", "a7_6", "a8_1", "a8_2", "a8_3", "a8_4", "a8_5"];

/** The header of a responses file (SURVEY-FORMAT §4) of the fixture's questionnaire. */
export const RESPONSES_HEADER = ["response_id", "subject_unit", "group", "started_at", "submitted_at", ...QUESTIONS].join(",");

/** One valid responses-file row: submitted on 2026-12-0`day`, "good" answers with probability `quality`. */
export function responseRow(id: string, unit: string, group: string, day: number, quality: number, random: () => number): string {
  const answers = QUESTIONS.map((q) => {
    if (SINGLE.includes(q)) return random() < quality ? "1" : random() < 0.5 ? "3" : "4";
    if (q === "a5_4") return "0";
    if (q === "a7_1") return "yes";
    if (q === "a8_4") return String(1 + Math.floor(random() * 10));
    return "";
  });
  return [id, unit, group, `2026-12-0${day}T09:00:00+07:00`, `2026-12-0${day}T09:20:00+07:00`, ...answers].join(",");
}

/** The campaign id and the users of every role. */
export interface Seeded {
  readonly campaignId: string;
  readonly dir: string;
  readonly users: { readonly admin: string; readonly viewer: string; readonly coordinator: string };
}

/** Respondents CSV of the fixture (optionally with extra raw lines appended). */
export function respondentsCsv(extra: readonly string[] = []): string {
  const lines = ["external_id,full_name,unit,unit_name,group,language"];
  for (const u of UNITS) for (let i = 1; i <= PER_UNIT; i++) lines.push(`${u.code}-${i},"Người ${u.code} ${i}",${u.code},"${u.name}",${i <= 4 ? "leaders" : "officials"},vi`);
  return `${[...lines, ...extra].join("\n")}\n`;
}

/** Seeds the campaign, its data and three accounts (admin, viewer, coordinator of SO_TC). */
export async function seed(db: Database, prisma: Prisma, now: Date): Promise<Seeded> {
  const dir = mkdtempSync(path.join(tmpdir(), "khaosat-web-"));
  const { campaign } = await createCampaign(db.campaigns, { questionnaireFile: "examples/par-officials.yaml", name: "Chỉ số CCHC 2026", opens: "2026-12-01T08:00", closes: "2026-12-10" });
  const respondentsFile = path.join(dir, "respondents.csv");
  writeFileSync(respondentsFile, respondentsCsv());
  const imported = await importRespondentsFile(db, campaign.id, respondentsFile, {});
  if (!imported.imported) throw new Error(`fixture respondents: ${JSON.stringify(imported.errors)}`);

  const random = mulberry32(14);
  const rows = [RESPONSES_HEADER];
  for (const u of UNITS) {
    for (let i = 1; i <= u.submitted; i++) {
      const day = 1 + ((i + u.code.length) % 4);
      rows.push(responseRow(`R-${u.code}-${i}`, u.code, i <= 4 ? "leaders" : "officials", day, u.quality, random));
    }
  }
  const responses = await importCampaignResponses(db, campaign, new TextEncoder().encode(`${rows.join("\n")}\n`), { now });
  if (!responses.imported) throw new Error(`fixture responses: ${JSON.stringify([...responses.errors, ...responses.rejected])}`);
  // The bot collected most of them: link each response to its respondent and channel.
  const respondents = await db.respondents.list(campaign.id);
  const byExternal = new Map(respondents.map((r) => [r.externalId, r.id]));
  for (const u of UNITS) {
    for (let i = 1; i <= u.submitted; i++) {
      const source = i % 3 === 0 ? "import" : i % 3 === 1 ? "telegram" : "zalo";
      await prisma.response.update({ where: { campaignId_externalId: { campaignId: campaign.id, externalId: `R-${u.code}-${i}` } }, data: { respondentId: byExternal.get(`${u.code}-${i}`)!, source } });
    }
  }
  // Two respondents of SO_TC started and have not submitted.
  for (const i of [9, 10]) {
    await prisma.response.create({
      data: { campaignId: campaign.id, questionnaireVersionPk: campaign.questionnaireVersionPk, respondentId: byExternal.get(`SO_TC-${i}`)!, source: "telegram", subjectUnit: "SO_TC", groupId: "officials", status: "in_progress", startedAt: now, attestedAt: now },
    });
  }
  await db.web.setAppraisal(campaign.id, new Map(UNITS.map((u) => [u.code, u.appraisal])));
  const users = { admin: "admin@example.org", viewer: "viewer@example.org", coordinator: "coord@example.org" };
  await addUser(db, { email: users.admin, role: "admin", password: PASSWORD }, "test", now);
  await addUser(db, { email: users.viewer, role: "viewer", password: PASSWORD }, "test", now);
  await addUser(db, { email: users.coordinator, role: "coordinator", campaignId: campaign.id, unitCode: "SO_TC", password: PASSWORD }, "test", now);
  return { campaignId: campaign.id, dir, users };
}

/**
 * Makes respondents "open the bot": their access code (issued, or made here) bound to a Telegram
 * account and a session with a chat id, so broadcasts and reminders can reach them. Chat ids are
 * 700000 + the respondent's position in `externalIds`.
 */
export async function openBot(prisma: Prisma, campaignId: string, externalIds: readonly string[], at: Date): Promise<void> {
  let n = 0;
  for (const externalId of externalIds) {
    n++;
    const respondent = await prisma.respondent.findFirstOrThrow({ where: { campaignId, externalId } });
    const chatId = String(700000 + n);
    const existing = await prisma.accessCode.findFirst({ where: { campaignId, respondentId: respondent.id } });
    const code = existing
      ? await prisma.accessCode.update({ where: { id: existing.id }, data: { boundAccount: `acct-${chatId}`, boundAt: at } })
      : await prisma.accessCode.create({ data: { campaignId, codeHash: `opened-${campaignId}-${externalId}`, respondentId: respondent.id, boundAccount: `acct-${chatId}`, boundAt: at } });
    await prisma.session.create({ data: { campaignId, channel: "telegram", account: `acct-${chatId}`, chatId, respondentId: respondent.id, accessCodeId: code.id, language: "vi" } });
  }
}
