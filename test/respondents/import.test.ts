import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import ExcelJS from "exceljs";
import { describe, expect, test } from "vitest";
import { createCampaign } from "../../src/campaigns/index.js";
import { importRespondentsFile, readTable, validateRespondents } from "../../src/respondents/index.js";
import { loadQuestionnaireFile, type Questionnaire } from "../../src/questionnaire/index.js";
import { describeDatabases, useTestDatabase } from "../support/db.js";

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
    expect(validateRespondents(table, await par()).errors).toEqual([{ line: 2, message }]);
  });

  test("a duplicate external id and a unit with two names are reported with the first line", async () => {
    const table = await readTable(csv("dup.csv", [HEADER, ROWS[0]!, ROWS[1]!, ROWS[0]!.replace("Sở Tư pháp", "Sở Tư Pháp").replace("E1", "E4"), ROWS[0]!]));
    expect(validateRespondents(table, await par()).errors).toEqual([
      { line: 4, message: 'unit SO_TP is named "Sở Tư Pháp" here but "Sở Tư pháp" on line 2' },
      { line: 5, message: "external_id E1 is a duplicate (first on line 2)" },
    ]);
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
    expect(result.warnings).toEqual([{ line: 2, message: "phone 912345678 read as 0912345678 (the leading 0 was lost in a number cell)" }]);
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
      { responseId: response.id, questionId: "q1", value: '"1"', answeredAt: new Date("2026-12-02T01:01:00Z"), changedCount: 0 },
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
  test("20,000 rows import in under 30 s", async () => {
    const file = path.join(dir, "large.xlsx");
    const writer = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: true });
    const sheet = writer.addWorksheet("respondents");
    sheet.addRow(HEADER.split(",")).commit();
    for (let i = 0; i < 20_000; i++) {
      const unit = `UNIT_${String(i % 200).padStart(3, "0")}`;
      sheet.addRow([`EMP${String(i).padStart(6, "0")}`, `Nguyễn Văn Người Thứ ${i}`, unit, `Đơn vị hành chính số ${i % 200}`, i % 3 === 0 ? "leaders" : "officials", "vi", `09${String(i).padStart(8, "0")}`, `nguoi${i}@example.gov.vn`, "", "no"]).commit();
    }
    sheet.commit();
    await writer.commit();
    const campaignId = (await createCampaign(ctx.db().campaigns, { questionnaireFile: "examples/par-officials.yaml", name: "large", opens: "2026-12-01", closes: "2026-12-31" })).campaign.id;
    const started = Date.now();
    const report = await importRespondentsFile(ctx.db(), campaignId, file);
    const seconds = (Date.now() - started) / 1000;
    expect(report.counts).toEqual({ created: 20_000, updated: 0, unchanged: 0 });
    expect(seconds).toBeLessThan(30);
    expect(await ctx.prisma().respondent.count({ where: { campaignId } })).toBe(20_000);
    const again = await importRespondentsFile(ctx.db(), campaignId, file);
    expect(again.counts).toEqual({ created: 0, updated: 0, unchanged: 20_000 });
  }, 120_000);
});
