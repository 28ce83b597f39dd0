import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import { createCampaign, exportCampaignResponses, importCampaignResponses } from "../../src/campaigns/index.js";
import { databaseResponses } from "../../src/channels/telegram/admin/responses.js";
import { main } from "../../src/cli/main.js";
import { describeDatabases } from "../support/db.js";

// Small cells in the responses export, and identities of an --identified campaign.
const dir = mkdtempSync(path.join(tmpdir(), "khaosat-export-cells-"));
const QUESTIONNAIRE = path.join(dir, "q.yaml");
writeFileSync(
  QUESTIONNAIRE,
  `schemaVersion: 1
id: cells
version: 1
languages: [vi]
title: { vi: "Khảo sát" }
scoring:
  kind: points
  surveyMax: 1
  minResponses: 3
sections:
  - id: s1
    title: { vi: "Phần 1" }
    questions:
      - id: q1
        type: single
        required: false
        text: { vi: "Câu 1" }
        maxPoints: 1
        options:
          - { id: a, label: { vi: "Tốt" }, score: 1 }
          - { id: b, label: { vi: "Kém" }, score: 0 }
`,
);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const T = new Date("2026-12-01T01:00:00Z");
const HEADER = "response_id,subject_unit,group,started_at,submitted_at,channel,q1";
const saved = process.env.DATABASE_URL;

async function run(url: string, ...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  process.env.DATABASE_URL = url;
  const o = vi.spyOn(process.stdout, "write").mockImplementation((s) => ((stdout += String(s)), true));
  const e = vi.spyOn(process.stderr, "write").mockImplementation((s) => ((stderr += String(s)), true));
  try {
    return { code: await main(argv), stdout, stderr };
  } finally {
    o.mockRestore();
    e.mockRestore();
    process.exitCode = undefined;
    if (saved === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = saved;
  }
}

describeDatabases("responses export: small cells and identities", (ctx) => {
  // SO_TP/staff has 3 responses (shown); SO_YT/leaders 1 and SO_YT/staff 2 (under minResponses 3).
  const CELLS: readonly [string, string, string][] = [
    ["SO_TP", "staff", "a"],
    ["SO_TP", "staff", "b"],
    ["SO_TP", "staff", "a"],
    ["SO_YT", "leaders", "b"],
    ["SO_YT", "staff", "a"],
    ["SO_YT", "staff", "a"],
  ];

  async function seed(identified: boolean): Promise<string> {
    const { campaign } = await createCampaign(ctx.db().campaigns, { questionnaireFile: QUESTIONNAIRE, name: identified ? "ident" : "named", opens: "2026-11-01", closes: "2026-12-31", identified });
    let n = 0;
    for (const [unit, group, value] of CELLS) {
      n++;
      const respondent = await ctx.prisma().respondent.create({
        data: { campaignId: campaign.id, externalId: `CB${n}`, fullName: `Nguyễn Văn ${n}`, unitCode: unit, groupId: group, language: "vi" },
      });
      await ctx.prisma().response.create({
        data: {
          id: `${campaign.id}-r${n}`,
          campaignId: campaign.id,
          questionnaireVersionPk: campaign.questionnaireVersionPk,
          respondentId: respondent.id,
          subjectUnit: unit,
          groupId: group,
          status: "submitted",
          startedAt: T,
          submittedAt: T,
          answers: { create: [{ questionId: "q1", value: JSON.stringify(value), answeredAt: T }] },
        },
      });
    }
    return campaign.id;
  }

  // The seeded rows keep the schema's default source, the older name "bot": exported as telegram.
  const row = (id: string, n: number, channel = "telegram") => `${id}-r${n},${CELLS[n - 1]![0]},${CELLS[n - 1]![1]},2026-12-01T08:00:00+07:00,2026-12-01T08:00:00+07:00,${channel}`;
  let named = "";
  let ident = "";
  beforeAll(async () => {
    named = await seed(false);
    ident = await seed(true);
  });

  test("a named campaign's export withholds the rows of cells under minResponses, and says how many on stderr", async () => {
    const result = await run(ctx.url(), "responses", "export", "-", "--campaign", named);
    expect(result).toEqual({
      code: 0,
      stdout: [HEADER, `${row(named, 1)},a`, `${row(named, 2)},b`, `${row(named, 3)},a`, ""].join("\n"),
      stderr: "3 rows withheld: 2 unit/group cells with fewer than 3 submitted responses (minResponses), where a row could be one identifiable person's answers\n",
    });
  });

  test("/export's responses file uses the same rule", async () => {
    const file = await databaseResponses(ctx.db()).responses(named);
    // Written to a temporary file (streamed, bounded memory), deleted once sent.
    if (!("path" in file)) throw new Error("expected the export in a temporary file");
    const text = readFileSync(file.path, "utf8");
    expect(text.split(/\r?\n/).filter((l) => l !== "")).toEqual([HEADER, `${row(named, 1)},a`, `${row(named, 2)},b`, `${row(named, 3)},a`]);
    await file.dispose();
    expect(existsSync(file.path)).toBe(false);
  });

  test("an --identified campaign exports every row; without --with-identity the standard layout is unchanged", async () => {
    const result = await run(ctx.url(), "responses", "export", "-", "--campaign", ident);
    expect(result.stderr).toBe("");
    expect(result.stdout.split(/\r?\n/).filter((l) => l !== "")).toEqual([HEADER, ...CELLS.map((c, i) => `${row(ident, i + 1)},${c[2]}`)]);
  });

  test("--with-identity adds respondent_external_id and respondent_name after the standard columns; the file imports back", async () => {
    const result = await run(ctx.url(), "responses", "export", "-", "--campaign", ident, "--with-identity");
    expect(result.code).toBe(0);
    const lines = result.stdout.split(/\r?\n/).filter((l) => l !== "");
    expect(lines).toEqual([
      "response_id,subject_unit,group,started_at,submitted_at,channel,respondent_external_id,respondent_name,q1",
      ...CELLS.map((c, i) => `${row(ident, i + 1)},CB${i + 1},Nguyễn Văn ${i + 1},${c[2]}`),
    ]);
    const { campaign } = await createCampaign(ctx.db().campaigns, { questionnaireFile: QUESTIONNAIRE, name: "copy", opens: "2026-11-01", closes: "2026-12-31", identified: true });
    const report = await importCampaignResponses(ctx.db(), campaign, new TextEncoder().encode(result.stdout), { now: T });
    expect(report).toMatchObject({ imported: true, errors: [], rejected: [], warnings: [], counts: { created: 6, updated: 0, unchanged: 0 } });
    const back = await exportCampaignResponses(ctx.db(), campaign);
    // The channel column is accepted and ignored on import: the copies are imported responses.
    expect(back.csv.split(/\r?\n/).filter((l) => l !== "")).toEqual([HEADER, ...CELLS.map((c, i) => `${row(ident, i + 1, "import")},${c[2]}`)]);
  });

  test("--with-identity on a named campaign is refused with the reason", async () => {
    const result = await run(ctx.url(), "responses", "export", "-", "--campaign", named, "--with-identity");
    expect([result.code, result.stdout]).toEqual([1, ""]);
    expect(result.stderr).toContain("cannot be exported with identities");
  });
});
