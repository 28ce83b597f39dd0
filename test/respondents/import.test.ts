import { mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import ExcelJS from "exceljs";
import { describe, expect, test } from "vitest";
import { createCampaign } from "../../src/campaigns/index.js";
import { importRespondentsFile, readTable, validateRespondents } from "../../src/respondents/index.js";
import { loadQuestionnaireFile, type Questionnaire } from "../../src/questionnaire/index.js";
import { describeDatabases, useTestDatabase } from "../support/db.js";
import { writeLargeXlsx } from "./large-xlsx.js";

const dir = mkdtempSync(path.join(tmpdir(), "khaosat-import-"));
const csv = (name: string, lines: string[]) => {
  const p = path.join(dir, name);
  writeFileSync(p, `${lines.join("\n")}\n`);
  return p;
};
const HEADER = "external_id,full_name,unit,unit_name,group,language,phone,email,subject_units,coordinator";
const ROWS = [
  "E1,Nguyễn Văn An,SO_TP,Sở Tư pháp,leaders,vi,0912345678,an@example.vn,,yes",
  "E2,Trần Thị Bình,SO_TP,Sở Tư pháp,officials,en,,,SO_TC|SO_TP,",
  "E3,Lê Văn Cường,SO_TC,Sở Tài chính,officials,,,,,no",
];

async function par(): Promise<Questionnaire> {
  const loaded = await loadQuestionnaireFile("examples/par-officials.yaml");
  if (!loaded.ok) throw new Error("example questionnaire does not load");
  return loaded.questionnaire;
}

describe("validateRespondents", () => {
  test.each([
    [",An,SO_TP,Sở Tư pháp,leaders,vi,,,,", "external_id is empty"],
    ["E1,An,SO TP,Sở Tư pháp,leaders,vi,,,,", 'unit "SO TP" must be a code of letters, digits, "_", "." or "-" (e.g. SO_TP)'],
    ["E1,An,SO_TP,Sở Tư pháp,boss,vi,,,,", 'unknown group "boss" (the questionnaire\'s groups: leaders, officials, deputies)'],
    ["E1,An,SO_TP,Sở Tư pháp,leaders,fr,,,,", 'bad language "fr" (use vi or en, or leave it empty for vi)'],
    ["E1,An,SO_TP,Sở Tư pháp,leaders,vi,call me,,,", 'phone "call me" is not a phone number'],
    ["E1,An,SO_TP,Sở Tư pháp,leaders,vi,,an(at)x,,", 'email "an(at)x" is not an e-mail address'],
    ["E1,An,SO_TP,Sở Tư pháp,leaders,vi,,,SO_TC|SO_TC,", "subject_units lists a unit twice"],
    ["E1,An,SO_TP,Sở Tư pháp,leaders,vi,,,,maybe", 'coordinator "maybe" must be yes or no'],
    ["E1,,SO_TP,,leaders,vi,,,,", "full_name is empty; unit_name is empty"],
  ])("%s → %s", async (row, message) => {
    const table = await readTable(csv("one.csv", [HEADER, row]));
    expect(validateRespondents(table, await par()).errors).toMatchObject([{ line: 2, message }]);
  });

  test("a duplicate external id and a unit with two names are reported with the first line", async () => {
    const table = await readTable(csv("dup.csv", [HEADER, ROWS[0]!, ROWS[1]!, ROWS[0]!.replace("Sở Tư pháp", "Sở Tư Pháp").replace("E1", "E4"), ROWS[0]!]));
    expect(validateRespondents(table, await par(), new Set(["SO_TC"])).errors).toMatchObject([
      { line: 4, message: 'unit SO_TP is named "Sở Tư Pháp" here but "Sở Tư pháp" on line 2' },
      { line: 5, message: "external_id E1 is a duplicate (first on line 2)" },
    ]);
  });

  test("a subject unit neither in the file nor in the campaign is a row error; one on a later line or in the campaign is fine", async () => {
    const lines = [HEADER, "E1,An,SO_TP,Sở Tư pháp,leaders,vi,,,SO_TC|SO_XX|SO_YY,", "E2,Bình,SO_TP,Sở Tư pháp,leaders,vi,,,SO_OLD,", "E3,Cường,SO_TC,Sở Tài chính,leaders,vi,,,SO_TP,"];
    const result = validateRespondents(await readTable(csv("subject.csv", lines)), await par(), new Set(["SO_OLD"]));
    expect(result.errors).toMatchObject([{ line: 2, message: "subject units SO_XX, SO_YY are neither in this file nor in the campaign (add a row of that unit or fix the code)" }]);
    expect(result.valid.map((r) => r.externalId)).toEqual(["E2", "E3"]);
  });

  test("missing columns make the whole file unusable", async () => {
    const table = await readTable(csv("cols.csv", ["external_id,name,unit", "E1,An,SO_TP"]));
    expect(validateRespondents(table, await par())).toMatchObject({
      fatal: true,
      errors: [{ line: 1, message: 'header: missing columns full_name, unit_name, group (expected columns: external_id, full_name, unit, unit_name, group, language, phone, email, subject_units, coordinator)' }],
      warnings: [{ line: 1, message: 'column "name" is not used (ignored)' }],
    });
  });

  test("a phone that lost its leading 0 in Excel gets it back, with a warning", async () => {
    const table = await readTable(csv("phone.csv", [HEADER, "E1,An,SO_TP,Sở Tư pháp,leaders,vi,912345678,,,"]));
    const result = validateRespondents(table, await par());
    expect(result.valid[0]?.phone).toBe("0912345678");
    expect(result.warnings).toMatchObject([{ line: 2, message: "phone 912345678 read as 0912345678 (the leading 0 was lost in a number cell)" }]);
  });
});

describeDatabases("respondents import", (ctx) => {
  let campaignId = "";
  const rows = async () =>
    (await ctx.prisma().respondent.findMany({ where: { campaignId }, orderBy: { externalId: "asc" } })).map((r) => ({
      externalId: r.externalId,
      fullName: r.fullName,
      unitCode: r.unitCode,
      groupId: r.groupId,
      language: r.language,
      phone: r.phone,
      email: r.email,
      subjectUnits: r.subjectUnits,
      coordinator: r.coordinator,
    }));

  test("creates respondents and units", async () => {
    campaignId = (await createCampaign(ctx.db().campaigns, { questionnaireFile: "examples/par-officials.yaml", name: "PAR", opens: "2026-12-01", closes: "2026-12-31" })).campaign.id;
    const report = await importRespondentsFile(ctx.db(), campaignId, csv("sample.csv", [HEADER, ...ROWS]));
    expect(report).toMatchObject({ imported: true, counts: { created: 3, updated: 0, unchanged: 0 }, errors: [] });
    expect(await rows()).toEqual([
      { externalId: "E1", fullName: "Nguyễn Văn An", unitCode: "SO_TP", groupId: "leaders", language: "vi", phone: "0912345678", email: "an@example.vn", subjectUnits: "", coordinator: true },
      { externalId: "E2", fullName: "Trần Thị Bình", unitCode: "SO_TP", groupId: "officials", language: "en", phone: null, email: null, subjectUnits: "SO_TC|SO_TP", coordinator: false },
      { externalId: "E3", fullName: "Lê Văn Cường", unitCode: "SO_TC", groupId: "officials", language: "vi", phone: null, email: null, subjectUnits: "", coordinator: false },
    ]);
    expect(await ctx.prisma().unit.findMany({ where: { campaignId }, orderBy: { code: "asc" }, select: { code: true, name: true } })).toEqual([
      { code: "SO_TC", name: "Sở Tài chính" },
      { code: "SO_TP", name: "Sở Tư pháp" },
    ]);
  });

  test("the stored respondents are listed as records, by external id, of one unit when asked", async () => {
    const listed = await ctx.db().respondents.list(campaignId);
    expect(listed.map(({ id: _id, ...record }) => record)).toEqual([
      { campaignId, externalId: "E1", fullName: "Nguyễn Văn An", unitCode: "SO_TP", groupId: "leaders", language: "vi", phone: "0912345678", email: "an@example.vn", subjectUnits: [], coordinator: true },
      { campaignId, externalId: "E2", fullName: "Trần Thị Bình", unitCode: "SO_TP", groupId: "officials", language: "en", phone: null, email: null, subjectUnits: ["SO_TC", "SO_TP"], coordinator: false },
      { campaignId, externalId: "E3", fullName: "Lê Văn Cường", unitCode: "SO_TC", groupId: "officials", language: "vi", phone: null, email: null, subjectUnits: [], coordinator: false },
    ]);
    const stored = await ctx.prisma().respondent.findMany({ where: { campaignId }, orderBy: { externalId: "asc" }, select: { id: true } });
    expect(listed.map((r) => r.id)).toEqual(stored.map((r) => r.id));
    expect((await ctx.db().respondents.list(campaignId, { unitCode: "SO_TC" })).map((r) => r.externalId)).toEqual(["E3"]);
    expect(await ctx.db().respondents.list(campaignId, { unitCode: "NONE" })).toEqual([]);
  });

  test("re-importing the same file changes nothing", async () => {
    const before = await ctx.prisma().respondent.findMany({ where: { campaignId }, orderBy: { externalId: "asc" } });
    const report = await importRespondentsFile(ctx.db(), campaignId, csv("sample.csv", [HEADER, ...ROWS]));
    expect(report.counts).toEqual({ created: 0, updated: 0, unchanged: 3 });
    expect(await ctx.prisma().respondent.findMany({ where: { campaignId }, orderBy: { externalId: "asc" } })).toEqual(before);
  });

  test("an updated row updates the respondent and leaves their answers alone", async () => {
    const e1 = await ctx.prisma().respondent.findFirstOrThrow({ where: { campaignId, externalId: "E1" } });
    const campaign = await ctx.prisma().campaign.findUniqueOrThrow({ where: { id: campaignId } });
    const response = await ctx.prisma().response.create({
      data: { campaignId, questionnaireVersionPk: campaign.questionnaireVersionPk, respondentId: e1.id, subjectUnit: "SO_TP", groupId: "leaders", startedAt: new Date("2026-12-02T01:00:00Z") },
    });
    await ctx.prisma().answer.create({ data: { responseId: response.id, questionId: "q1", value: '"1"', answeredAt: new Date("2026-12-02T01:01:00Z") } });
    const changed = [ROWS[0]!.replace("Nguyễn Văn An", "Nguyễn Văn Anh").replace(",vi,", ",en,"), ROWS[1]!, ROWS[2]!, "E4,Phạm Thị Dung,SO_TC,Sở Tài chính,leaders,vi,,,,"];
    const report = await importRespondentsFile(ctx.db(), campaignId, csv("changed.csv", [HEADER, ...changed]));
    expect(report.counts).toEqual({ created: 1, updated: 1, unchanged: 2 });
    const after = await ctx.prisma().respondent.findFirstOrThrow({ where: { campaignId, externalId: "E1" } });
    expect(after).toMatchObject({ id: e1.id, fullName: "Nguyễn Văn Anh", language: "en" });
    expect(await ctx.prisma().answer.findMany({ where: { responseId: response.id } })).toEqual([
      { responseId: response.id, questionId: "q1", value: '"1"', answeredAt: new Date("2026-12-02T01:01:00Z"), changedCount: 0, seconds: null },
    ]);
    expect(await ctx.prisma().response.count({ where: { respondentId: e1.id } })).toBe(1);
  });

  test("a file with a bad row imports nothing; --skip-invalid imports the rest", async () => {
    const lines = [HEADER, "E5,Hoàng Văn Em,SO_XD,Sở Xây dựng,leaders,vi,,,,", "E6,,SO_XD,Sở Xây dựng,leaders,vi,,,,"];
    const refused = await importRespondentsFile(ctx.db(), campaignId, csv("bad.csv", lines));
    expect(refused).toMatchObject({ imported: false, errors: [{ line: 3, message: "full_name is empty" }] });
    expect(await ctx.prisma().respondent.count({ where: { campaignId } })).toBe(4);
    expect(await ctx.prisma().unit.count({ where: { campaignId, code: "SO_XD" } })).toBe(0);
    const skipped = await importRespondentsFile(ctx.db(), campaignId, csv("bad.csv", lines), { skipInvalid: true });
    expect(skipped).toMatchObject({ imported: true, skipped: 1, counts: { created: 1, updated: 0, unchanged: 0 } });
    expect((await rows()).map((r) => r.externalId)).toEqual(["E1", "E2", "E3", "E4", "E5"]);
  });

  test("XLSX: a unit merged down its staff imports; a formula error is reported by cell", async () => {
    const fresh = (await createCampaign(ctx.db().campaigns, { questionnaireFile: "examples/par-officials.yaml", name: "merged", opens: "2026-12-01", closes: "2026-12-31" })).campaign.id;
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet("good");
    ws.addRow(HEADER.split(","));
    ws.addRow(["M1", "Nguyễn Văn An", "SO_TP", "Sở Tư pháp", "leaders", "vi"]);
    ws.addRow(["M2", "Trần Thị Bình", "SO_TC", "Sở Tài chính", "leaders", "vi"]);
    ws.addRow(["M3", "Lê Văn Cường", "SO_TC", "Sở Tài chính", "officials", "vi"]);
    ws.addRow(["M4", "Phạm Thị Dung", "SO_XD", "Sở Xây dựng", "officials", "vi"]);
    ws.addRow(["M5", "Hoàng Văn Em", null, null, "officials", "vi"]);
    ws.mergeCells("C5:C6"); // unit: a middle column
    ws.mergeCells("D5:D6");
    const good = path.join(dir, "good.xlsx");
    await wb.xlsx.writeFile(good);
    expect(await importRespondentsFile(ctx.db(), fresh, good)).toMatchObject({ imported: true, errors: [], counts: { created: 5 } });
    expect((await ctx.prisma().respondent.findFirstOrThrow({ where: { campaignId: fresh, externalId: "M5" } })).unitCode).toBe("SO_XD");

    ws.addRow(["M6", { formula: "1/0", result: { error: "#DIV/0!" } }, "SO_XD", "Sở Xây dựng", "officials", "vi"]);
    ws.addRow(["M7", { formula: 'CONCAT("A","n")' }, "SO_XD", "Sở Xây dựng", "officials", "vi"]);
    const bad = path.join(dir, "formula.xlsx");
    await wb.xlsx.writeFile(bad);
    expect((await importRespondentsFile(ctx.db(), fresh, bad)).errors).toMatchObject([
      { line: 7, message: "full_name: cell B7 holds a formula error (#DIV/0!)" },
      { line: 8, message: "full_name: cell B8 holds a formula without a saved value: open the file in Excel and save it again" },
    ]);
  });

  test("a failure inside the transaction leaves nothing half-imported", async () => {
    const before = await ctx.prisma().respondent.count();
    const input = Array.from({ length: 1200 }, (_, i) => ({
      externalId: `T${i}`, fullName: "X", unitCode: "SO_TX", unitName: "Sở X", groupId: "leaders", language: "vi",
      phone: null, email: null, subjectUnits: [] as string[], coordinator: false,
    }));
    // The repeated external id breaks the unique key in the last chunk, after a unit and 1,200 rows were written.
    input.push({ ...input[5]! });
    await expect(ctx.db().respondents.importRespondents(campaignId, input)).rejects.toThrow();
    expect(await ctx.prisma().respondent.count()).toBe(before);
    expect(await ctx.prisma().unit.count({ where: { code: "SO_TX" } })).toBe(0);
  });
});

describe("a large XLSX (SQLite)", () => {
  const ctx = useTestDatabase("sqlite");
  test("a realistic 5 MB, 20,000-row XLSX imports within the time limit with bounded memory", async () => {
    const file = path.join(dir, "large.xlsx");
    const ids = await writeLargeXlsx(file, 20_000);
    const size = statSync(file).size;
    expect(size).toBeGreaterThan(4.8e6);
    const campaignId = (await createCampaign(ctx.db().campaigns, { questionnaireFile: "examples/par-officials.yaml", name: "large", opens: "2026-12-01", closes: "2026-12-31" })).campaign.id;
    const heapBefore = process.memoryUsage().heapUsed;
    let heapPeak = 0;
    let rssPeak = 0;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      heapPeak = Math.max(heapPeak, m.heapUsed - heapBefore);
      rssPeak = Math.max(rssPeak, m.rss);
    }, 10);
    const started = Date.now();
    const report = await importRespondentsFile(ctx.db(), campaignId, file);
    const seconds = (Date.now() - started) / 1000;
    clearInterval(sampler);
    console.log(`XLSX import: ${(size / 1e6).toFixed(1)} MB, 20,000 rows in ${seconds.toFixed(1)} s; heap growth peak ${(heapPeak / 1e6).toFixed(0)} MB, RSS peak ${(rssPeak / 1e6).toFixed(0)} MB`);
    expect(report).toMatchObject({ imported: true, errors: [], counts: { created: 20_000, updated: 0, unchanged: 0 } });
    expect(seconds).toBeLessThan(30);
    // Rows are never all held raw: ~40 MB of shared strings plus the compact records (was 188 MB+).
    expect(heapPeak).toBeLessThan(150e6);
    const stored = await ctx.prisma().respondent.findMany({ where: { campaignId }, select: { externalId: true }, orderBy: { externalId: "asc" } });
    expect(stored.map((r) => r.externalId)).toEqual([...ids].sort());
    const again = await importRespondentsFile(ctx.db(), campaignId, file);
    expect(again.counts).toEqual({ created: 0, updated: 0, unchanged: 20_000 });
  }, 120_000);
});
