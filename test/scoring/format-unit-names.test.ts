// Campaign mode knows each unit's name: the score table and the workbook show it next to the code
// (issue 11 item 13); a responses file has only codes, and the outputs stay as they were.
import ExcelJS from "exceljs";
import { describe, expect, test } from "vitest";
import { scoreUnits } from "../../src/scoring/index.js";
import { formatScoreTable, formatScoreXlsx } from "../../src/scoring/format/index.js";
import { loadGoldenCase } from "./support/golden.js";

const { input } = loadGoldenCase("points-appraisal");
const outcome = scoreUnits(input);
if (!outcome.ok) throw new Error(JSON.stringify(outcome.errors));
const report = outcome.report;
const units = [...report.units.map((u) => u.unit), ...report.excluded.map((x) => x.unit)];
const names = new Map(units.map((code, i) => [code, `Sở số ${i + 1} – tỉnh Hòa Bình`] as const));

describe("unit names in the score outputs", () => {
  test("the table has a unit-name column and the excluded units carry their names", () => {
    const table = formatScoreTable(report, input.questionnaire, "vi", names);
    expect(table).toContain("Tên đơn vị");
    for (const u of report.units) expect(table).toMatch(new RegExp(`${u.unit}\\s+${names.get(u.unit)}`));
    for (const x of report.excluded) expect(table).toContain(`${x.unit} ${names.get(x.unit)}`);
  });

  test("without names (file mode) the table is unchanged", () => {
    expect(formatScoreTable(report, input.questionnaire, "en")).not.toContain("Unit name");
  });

  test("the workbook's ranking sheet has the names as text", async () => {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.from(await formatScoreXlsx(report, input.questionnaire, "en", names)) as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    const at = header.indexOf("Unit name");
    expect(at).toBeGreaterThan(0);
    const first = report.units[0]!;
    expect(sheet.getRow(2).getCell(at + 1).value).toBe(names.get(first.unit));
  });
});
