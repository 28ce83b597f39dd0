// Respondents files have limits, enforced while reading in bounded memory, with an error naming the
// limit and the file, and no temporary file left behind. Tests lower the limits to reach them cheaply.
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import ExcelJS from "exceljs";
import { describe, expect, test } from "vitest";
import { streamTable, TABLE_LIMITS, type TableLimits, type TableSink } from "../../src/respondents/read.js";

const dir = mkdtempSync(path.join(tmpdir(), "khaosat-limits-"));
const HEADER = "external_id,full_name,unit,unit_name,group";
const lines = (n: number) => Array.from({ length: n }, (_, i) => `E${i},Người số ${i},U${i % 7},Đơn vị ${i % 7},officials`);
const write = (name: string, text: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};
const discard: TableSink = { header: () => {}, row: () => {} };
const limited = (overrides: Partial<TableLimits>): TableLimits => ({ ...TABLE_LIMITS, ...overrides });

/** Temporary files and folders khaosat or exceljs could leave behind. */
const leftovers = () => readdirSync(tmpdir()).filter((n) => n.startsWith("khaosat-xlsx-") || /^tmp-\d+-/.test(n)).sort();

async function xlsx(name: string, rows: number, cellText = (i: number) => `Người số ${i}`): Promise<string> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet("sample");
  ws.addRow(HEADER.split(","));
  for (let i = 0; i < rows; i++) ws.addRow([`E${i}`, cellText(i), "SO_TP", "Sở Tư pháp", "officials"]);
  const p = path.join(dir, name);
  await wb.xlsx.writeFile(p);
  return p;
}

describe("CSV", () => {
  test("a file over the size limit is refused unread", async () => {
    const p = write("big.csv", `${HEADER}\n${lines(100).join("\n")}\n`);
    await expect(streamTable(p, discard, limited({ maxFileBytes: 1_000 }))).rejects.toThrow(
      `${p} is 0 MB, over the 0 MB limit for a CSV respondents file: split it into several files and import each`,
    );
  });

  test.each<[string, Partial<TableLimits>, string, (p: string) => string]>([
    ["rows", { maxRows: 50 }, `${HEADER}\n${lines(51).join("\n")}\n`, (p) => `${p} has more than 50 data rows, the limit for one file: split it into several files and import each`],
    ["columns", { maxColumns: 5 }, `${HEADER}\nE1,An,U1,Đơn vị,officials,extra\n`, (p) => `${p}: row 2 has 6 columns, over the limit of 5: remove the extra columns`],
    ["cell", { maxCellChars: 100 }, `${HEADER}\nE1,${"A".repeat(101)},U1,Đơn vị,officials\n`, (p) => `${p}: row 2, column 2 holds 101 characters, over the limit of 100 for a cell`],
  ])("%s over the limit: the error names the limit, the file and the row", async (name, limits, text, message) => {
    const p = write(`${name}.csv`, text);
    await expect(streamTable(p, discard, limited(limits))).rejects.toThrow(message(p));
  });

  test("a 30 MB file is streamed: memory holds a chunk and a row, not the file", async () => {
    const rows = 400_000;
    const p = write("stream.csv", `${HEADER}\n${lines(rows).join("\n")}\n`);
    global.gc?.();
    const base = process.memoryUsage().heapUsed;
    let peak = 0;
    let seen = 0;
    let last = "";
    await streamTable(p, {
      header: () => {},
      row: (row) => {
        seen++;
        last = row.cells[0]!;
        if (seen % 10_000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed - base);
      },
    });
    expect(seen).toBe(rows);
    expect(last).toBe(`E${rows - 1}`);
    // Reading it whole held the text and every parsed record: several hundred MB.
    expect(peak).toBeLessThan(120 * 1024 * 1024);
  }, 120_000);

  test("invalid UTF-8 split across chunks is found with its line", async () => {
    const body = Buffer.concat([Buffer.from(`${HEADER}\n${lines(20_000).join("\n")}\n`), Buffer.from([0xc3, 0x28]), Buffer.from(",x,U1,y,officials\n")]);
    const p = write("bad.csv", body.toString("latin1"));
    writeFileSync(p, body);
    await expect(streamTable(p, discard)).rejects.toThrow(`${p} is not UTF-8 (invalid byte 0xc3 on line 20002)`);
  });
});

describe("XLSX", () => {
  test("a part declaring more than the limit once decompressed is refused before decompressing, naming the part; nothing left in the temp folder", async () => {
    const p = await xlsx("bomb.xlsx", 2_000);
    const before = leftovers();
    await expect(streamTable(p, discard, limited({ maxXlsxPartBytes: 20_000 }))).rejects.toThrow(
      new RegExp(`^${p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: its part xl/(worksheets/sheet1|sharedStrings)\\.xml expands to 0 MB, over the 0 MB limit for one part`),
    );
    expect(leftovers()).toEqual(before);
  });

  test("shared strings expanding past the limit stop decompression with a clear error; nothing left in the temp folder", async () => {
    const p = await xlsx("strings.xlsx", 3_000, (i) => `Tên rất dài của người số ${i} `.repeat(5));
    const before = leftovers();
    await expect(streamTable(p, discard, limited({ maxSharedStringChars: 50_000 }))).rejects.toThrow(
      `${p}: its shared strings (the sheet's texts) expand to more than 50,000 characters, the limit: is this a respondents list? Save only the sheet of respondents, or split it into several files`,
    );
    expect(leftovers()).toEqual(before);
  });

  test("within the limits the same file reads", async () => {
    const p = await xlsx("ok.xlsx", 3_000);
    let rows = 0;
    await streamTable(p, { header: () => {}, row: () => rows++ });
    expect(rows).toBe(3_000);
  });
});
