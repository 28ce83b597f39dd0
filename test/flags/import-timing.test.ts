import { readFileSync } from "node:fs";
import { expect, test } from "vitest";
import { createCampaign, exportCampaignResponses, importCampaignResponses } from "../../src/campaigns/index.js";
import { decideFlaggedResponse, flagListRows, refreshCampaignFlags } from "../../src/flags/index.js";
import { parseQuestionnaire } from "../../src/questionnaire/index.js";
import { parseResponsesCsv } from "../../src/scoring/io/index.js";
import { describeDatabases } from "../support/db.js";

// The flags-counted golden questionnaire (8 scored single questions) with per-question times.
const FILE = "test/fixtures/scoring/flags-counted/questionnaire.yaml";
const loaded = parseQuestionnaire(readFileSync(FILE), FILE);
if (!loaded.ok) throw new Error("fixture does not load");
const questionnaire = loaded.questionnaire;
const ids = ["q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8"];
const now = new Date("2027-01-05T00:00:00Z");

function file(): string {
  const header = ["response_id", "subject_unit", "group", "started_at", "submitted_at", ...ids, ...ids.map((id) => `${id}__seconds`)].join(",");
  const rows = Array.from({ length: 12 }, (_, n) => {
    const answers = ids.map((_, i) => String(((i + n) % 3) + 1));
    // f07 rushed 6 of its 8 questions (0.4 s each); the others took 5 to 12 s.
    const seconds = ids.map((_, i) => (n === 7 && i < 6 ? "0.4" : i === 3 && n === 2 ? "" : String(5 + ((i * 7 + n) % 8))));
    return [`f${String(n).padStart(2, "0")}`, "SO_TP", "officials", "2026-12-01T08:00:00+07:00", "2026-12-01T08:10:00+07:00", ...answers, ...seconds].join(",");
  });
  return `${[header, ...rows].join("\n")}\n`;
}

test("the responses reader takes <id>__seconds columns and refuses a bad one with its line", () => {
  const parsed = parseResponsesCsv(file(), questionnaire);
  expect(parsed.errors).toEqual([]);
  expect(parsed.responses[7]!.seconds).toMatchObject({ q1: 0.4, q6: 0.4, q7: 6 });
  expect(parsed.responses[2]!.seconds!.q4).toBeUndefined();
  const lines = file().split("\n");
  const cells = lines[4]!.split(",");
  cells[13] = "-5";
  lines[4] = cells.join(",");
  const bad = parseResponsesCsv(lines.join("\n"), questionnaire);
  expect(bad.rejected).toMatchObject([{ line: 5, responseId: "f03", reason: 'q1__seconds: "-5" is not a number of seconds (e.g. 12.5)' }]);
});

describeDatabases("imported per-question times and flags", (ctx) => {
  test("times are stored with the answers, exported back, flag a partial speeder, and the file's response_id names it", async () => {
    const campaign = (await createCampaign(ctx.db().campaigns, { questionnaireFile: FILE, name: "timing", opens: "2026-01-01", closes: "2026-12-31" })).campaign;
    const report = await importCampaignResponses(ctx.db(), campaign, new TextEncoder().encode(file()), { now });
    expect(report).toMatchObject({ imported: true, errors: [], rejected: [] });
    const stored = await ctx.prisma().answer.findMany({ where: { response: { campaignId: campaign.id, externalId: "f07" } }, orderBy: { questionId: "asc" } });
    expect(stored.map((a) => a.seconds)).toEqual([0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 6, 5]);

    const exported = await exportCampaignResponses(ctx.db(), campaign);
    const [header, ...lines] = exported.csv.trim().split("\n");
    expect(header!.split(",").slice(-8)).toEqual(ids.map((id) => `${id}__seconds`));
    expect(lines.find((l) => l.startsWith("f07,"))!.split(",").slice(-8)).toEqual(["0.4", "0.4", "0.4", "0.4", "0.4", "0.4", "6", "5"]);
    expect(lines.find((l) => l.startsWith("f02,"))!.split(",").at(-5)).toBe("");

    const subjects = await refreshCampaignFlags(ctx.db().flags, questionnaire, campaign.id);
    const rows = flagListRows(subjects);
    expect(rows.map((r) => [r.fileResponseId, r.flag, r.evidence])).toEqual([
      ["f07", "speeder", "6 of 8 timed questions answered faster than their text can be read (median 0.4 s where reading them needs 1 s on average)"],
    ]);
    const decided = await decideFlaggedResponse(ctx.db().flags, { responseId: "f07", campaignId: campaign.id, decision: "rejected", reason: "rushed", at: now, actor: "test" });
    expect(decided.flags).toEqual(["speeder"]);
    const row = await ctx.prisma().response.findFirstOrThrow({ where: { campaignId: campaign.id, externalId: "f07" } });
    expect([row.flagDecision, row.flagReason]).toEqual(["rejected", "rushed"]);
  });
});
