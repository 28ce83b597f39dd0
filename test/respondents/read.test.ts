import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import ExcelJS from "exceljs";
import iconv from "iconv-lite";
import { describe, expect, test } from "vitest";
import { cellText, readTable } from "../../src/respondents/index.js";

const dir = mkdtempSync(path.join(tmpdir(), "khaosat-read-"));
const file = (name: string, content: string | Uint8Array) => {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
};

describe("CSV", () => {
  test("UTF-8 with a BOM: header without the BOM, line numbers of each row", async () => {
    const p = file("bom.csv", "\uFEFFexternal_id,full_name\nE1,Nguyễn Văn An\n\nE2,\"Trần, Thị Bình\"\n");
    expect(await readTable(p)).toEqual({
      header: ["external_id", "full_name"],
      headerLine: 1,
      rows: [
        { line: 2, cells: ["E1", "Nguyễn Văn An"] },
        { line: 4, cells: ["E2", "Trần, Thị Bình"] },
      ],
    });
  });

  test("semicolon-separated (Excel in a Vietnamese locale)", async () => {
    const p = file("semi.csv", "external_id;full_name\nE1;An\n");
    expect((await readTable(p)).rows).toEqual([{ line: 2, cells: ["E1", "An"] }]);
  });

  test("Windows-1258 is refused with the line and how to convert", async () => {
    const p = file("cp1258.csv", Buffer.concat([Buffer.from("external_id,full_name\n"), iconv.encode("E1,Nguyễn Văn Ân\n", "windows-1258")]));
    await expect(readTable(p)).rejects.toThrow(
      new RegExp(`^${p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} is not UTF-8 \\(invalid byte 0x[0-9a-f]{2} on line 2\\); it is probably in a legacy encoding such as Windows-1258\\. In Excel use "Save As → CSV UTF-8 \\(Comma delimited\\)", or convert it: iconv -f WINDOWS-1258 -t UTF-8 `),
    );
  });

  test.each([
    ["utf16.csv", Buffer.from([0xff, 0xfe, 0x41, 0x00]), 'is UTF-16 text ("Unicode Text"); save it as "CSV UTF-8 (Comma delimited)" instead'],
    ["utf16le-no-bom.csv", Buffer.from("external_id,full_name\nE1,Nguyễn Văn Ân\n", "utf16le"), 'is UTF-16 text ("Unicode Text"); save it as "CSV UTF-8 (Comma delimited)" instead'],
    ["utf16be-no-bom.csv", Buffer.from("external_id,full_name\nE1,Nguyen Van An\n", "utf16le").swap16(), 'is UTF-16 text ("Unicode Text"); save it as "CSV UTF-8 (Comma delimited)" instead'],
    ["old.xls", "x", "is an old Excel 97–2003 file; save it as .xlsx (Excel Workbook) or CSV UTF-8"],
    ["list.ods", "x", 'unknown file type ".ods"; use .csv (UTF-8) or .xlsx'],
    ["empty.csv", "", "is empty: expected a header row"],
  ])("%s is refused", async (name, content, message) => {
    await expect(readTable(file(name, content))).rejects.toThrow(message);
  });

  test("a missing file", async () => {
    await expect(readTable(path.join(dir, "none.csv"))).rejects.toThrow(`cannot read ${path.join(dir, "none.csv")}: no such file`);
  });
});

describe("XLSX", () => {
  test("formula cells give their cached result, rich text is flattened, merged cells fill their block", async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet("sample");
    ws.addRow(["external_id", "full_name", "unit", "unit_name"]);
    ws.addRow(["E1", { richText: [{ text: "Nguyễn " }, { text: "Văn An", font: { bold: true } }] }, "SO_TP", "Sở Tư pháp"]);
    ws.addRow([{ formula: 'CONCAT("E","2")', result: "E2" }, "Trần Thị Bình", "SO_TP", null]);
    ws.addRow([1003, "Lê Văn Cường", "SO_TC", "Sở Tài chính"]);
    ws.mergeCells("D2:D3");
    const p = path.join(dir, "sample.xlsx");
    await wb.xlsx.writeFile(p);
    expect(await readTable(p)).toEqual({
      header: ["external_id", "full_name", "unit", "unit_name"],
      headerLine: 1,
      rows: [
        { line: 2, cells: ["E1", "Nguyễn Văn An", "SO_TP", "Sở Tư pháp"] },
        { line: 3, cells: ["E2", "Trần Thị Bình", "SO_TP", "Sở Tư pháp"] },
        { line: 4, cells: ["1003", "Lê Văn Cường", "SO_TC", "Sở Tài chính"] },
      ],
    });
  });

  test("a block merged down a middle column and one merged across fill every cell they cover", async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet("sample");
    ws.addRow(["external_id", "full_name", "unit", "unit_name", "group"]);
    ws.addRow(["E1", "An", "SO_TP", "Sở Tư pháp", "leaders"]);
    ws.addRow(["E2", "Bình", "SO_TC", "Sở Tài chính", "officials"]);
    ws.addRow(["E3", "Cường", null, null, "officials"]);
    ws.addRow(["E4", "Dung", "SO_XD", "Sở Xây dựng", null]);
    ws.mergeCells("C3:C4"); // unit, a middle column, down two rows
    ws.mergeCells("D3:D4");
    ws.mergeCells("D5:E5"); // across: the name also fills the group cell
    const p = path.join(dir, "merged.xlsx");
    await wb.xlsx.writeFile(p);
    expect((await readTable(p)).rows).toEqual([
      { line: 2, cells: ["E1", "An", "SO_TP", "Sở Tư pháp", "leaders"] },
      { line: 3, cells: ["E2", "Bình", "SO_TC", "Sở Tài chính", "officials"] },
      { line: 4, cells: ["E3", "Cường", "SO_TC", "Sở Tài chính", "officials"] },
      { line: 5, cells: ["E4", "Dung", "SO_XD", "Sở Xây dựng", "Sở Xây dựng"] },
    ]);
  });

  test("formula errors and formulas without a saved value are reported by cell", async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet("s");
    ws.addRow(["a", "b", "c", "d"]);
    ws.addRow(["x", { formula: "1/0", result: { error: "#DIV/0!" } }, { formula: "A1" }, { error: "#N/A" }]);
    const p = path.join(dir, "errors.xlsx");
    await wb.xlsx.writeFile(p);
    expect((await readTable(p)).rows).toMatchObject([
      {
        line: 2,
        cells: ["x"],
        cellProblems: new Map([
          [1, "cell B2 holds a formula error (#DIV/0!)"],
          [2, "cell C2 holds a formula without a saved value: open the file in Excel and save it again"],
          [3, "cell D2 holds an error (#N/A)"],
        ]),
      },
    ]);
  });

  test.each([true, false])("Vietnamese text survives chunk boundaries (shared strings: %s)", async (useSharedStrings) => {
    const p = path.join(dir, `long-${useSharedStrings}.xlsx`);
    const writer = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: p, useSharedStrings });
    const sheet = writer.addWorksheet("s");
    sheet.addRow(["full_name", "unit_name"]).commit();
    const expected: string[][] = [];
    for (let i = 0; i < 4000; i++) {
      const row = [`Nguyễn Thị Ánh Tuyết số ${i}`, `Ủy ban nhân dân huyện Đắk Lắk ${i % 97}`];
      expected.push(row);
      sheet.addRow(row).commit();
    }
    sheet.commit();
    await writer.commit();
    const table = await readTable(p);
    expect(table.rows.map((r) => r.cells)).toEqual(expected);
  });

  test.each([
    [null, ""],
    ["  An  ", "An"],
    [42, "42"],
    [true, "yes"],
    [{ formula: "1+1", result: 2 }, "2"],
    [{ sharedFormula: "A1", result: "x" }, "x"],
    [{ richText: [{ text: "a" }, { text: "b" }] }, "ab"],
    [{ text: "link", hyperlink: "https://example.vn" }, "link"],
    [new Date("2026-12-01T00:00:00Z"), "2026-12-01"],
  ])("cellText(%j) = %j", (value, text) => {
    expect(cellText(value)).toBe(text);
  });
});
