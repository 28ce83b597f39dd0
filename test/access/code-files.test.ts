import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import ExcelJS from "exceljs";
import { PassThrough, Writable } from "node:stream";
import { afterAll, describe, expect, test } from "vitest";
import {
  codeDeepLink,
  codeFileFormat,
  CodeFileExistsError,
  CodeFileFormatError,
  renderCodeFile,
  renderCodesCsv,
  renderSlipsPdf,
  slipInstructions,
  streamCodeFile,
  CodeFileClosedError,
  writeCodeFile,
  type CodeSlip,
} from "../../src/access/index.js";

const BOT = "khaosat_bot";
const slip = (externalId: string, name: string, unit: string, code: string): CodeSlip => ({
  externalId,
  name,
  unit,
  code,
  link: codeDeepLink(BOT, code),
});
const SLIPS: CodeSlip[] = [
  slip("CB001", "Nguyễn Văn An", "Sở Tư pháp", "ABCDEFGHJK"),
  slip("CB002", "Trần Thị Bích Ngọc", "Sở Kế hoạch và Đầu tư", "23456789MN"),
  slip("CB003", "=HYPERLINK(\"x\")", "UBND huyện Đồng Văn", "PQRSTUVWXY"),
];
const dir = mkdtempSync(path.join(tmpdir(), "khaosat-codes-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("codeFileFormat", () => {
  test.each([
    ["codes.csv", "csv"],
    ["out/CODES.XLSX", "xlsx"],
    ["slips.pdf", "pdf"],
  ])("%s → %s", (file, format) => {
    expect(codeFileFormat(file)).toBe(format);
  });

  test.each(["codes.txt", "codes", "codes.xls"])("%s is refused with the accepted extensions", (file) => {
    expect(() => codeFileFormat(file)).toThrow(CodeFileFormatError);
    expect(() => codeFileFormat(file)).toThrow(`cannot tell the format of "${file}": use a name ending in .csv, .xlsx or .pdf`);
  });
});

describe("CSV", () => {
  test("UTF-8 with BOM, grouped codes, deep links, formulas defused; rows by unit (Vietnamese order)", () => {
    const bytes = renderCodesCsv(SLIPS);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.subarray(3).toString("utf8")).toBe(
      [
        "external_id,full_name,unit,service,code,link",
        "CB002,Trần Thị Bích Ngọc,Sở Kế hoạch và Đầu tư,,23456-789MN,https://t.me/khaosat_bot?start=KS_23456789MN",
        "CB001,Nguyễn Văn An,Sở Tư pháp,,ABCDE-FGHJK,https://t.me/khaosat_bot?start=KS_ABCDEFGHJK",
        `CB003,"'=HYPERLINK(""x"")",UBND huyện Đồng Văn,,PQRST-UVWXY,https://t.me/khaosat_bot?start=KS_PQRSTUVWXY`,
        "",
      ].join("\r\n"),
    );
  });
});

describe("XLSX", () => {
  test("one sheet with the same rows", async () => {
    const bytes = await renderCodeFile("xlsx", SLIPS, { botUsername: BOT });
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet("codes");
    const rows: unknown[][] = [];
    sheet?.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
    expect(rows).toEqual([
      ["external_id", "full_name", "unit", "service", "code", "link"],
      ["CB002", "Trần Thị Bích Ngọc", "Sở Kế hoạch và Đầu tư", "", "23456-789MN", "https://t.me/khaosat_bot?start=KS_23456789MN"],
      ["CB001", "Nguyễn Văn An", "Sở Tư pháp", "", "ABCDE-FGHJK", "https://t.me/khaosat_bot?start=KS_ABCDEFGHJK"],
      ["CB003", "=HYPERLINK(\"x\")", "UBND huyện Đồng Văn", "", "PQRST-UVWXY", "https://t.me/khaosat_bot?start=KS_PQRSTUVWXY"],
    ]);
  });
});

describe("streamCodeFile (the console's downloads)", () => {
  const many = Array.from({ length: 300 }, (_, i) => slip(`R${i}`, `Người số ${i}`, `Đơn vị số ${i % 7}`, `ABCDEFG${String(100 + i)}`.slice(0, 10)));
  const options = { botUsername: BOT, title: "Vòng quốc gia", createdAt: new Date("2026-12-01T00:00:00Z"), closing: { at: new Date("2026-12-20T10:00:00Z"), timeZone: "Asia/Ho_Chi_Minh" } };
  async function streamed(format: "csv" | "xlsx" | "pdf", slips: readonly CodeSlip[]): Promise<{ bytes: Buffer; readyAt: number; chunks: number }> {
    const chunks: Buffer[] = [];
    let readyAt = -1;
    const out = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk);
        callback();
      },
    });
    await streamCodeFile(format, slips, options, out, () => (readyAt = chunks.length));
    return { bytes: Buffer.concat(chunks), readyAt, chunks: chunks.length };
  }

  test("the CSV and the PDF are byte for byte the files rendered in memory; the XLSX has the same rows, all text", async () => {
    const csv = await streamed("csv", many);
    expect(csv.bytes.equals(renderCodesCsv(many))).toBe(true);
    expect(csv.readyAt).toBeGreaterThan(0);
    const pdf = await streamed("pdf", many);
    expect(pdf.bytes.equals(await renderSlipsPdf(many, options))).toBe(true);
    // Sent as it was drawn: ready after the first page, in many chunks.
    expect(pdf.readyAt).toBeGreaterThan(0);
    expect(pdf.chunks).toBeGreaterThan(20);
    const xlsx = await streamed("xlsx", SLIPS);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.bytes as unknown as ArrayBuffer);
    const rows: unknown[][] = [];
    workbook.getWorksheet("codes")?.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
    const inMemory = new ExcelJS.Workbook();
    await inMemory.xlsx.load((await renderCodeFile("xlsx", SLIPS, { botUsername: BOT })) as unknown as ArrayBuffer);
    const expected: unknown[][] = [];
    inMemory.getWorksheet("codes")?.eachRow((row) => expected.push((row.values as unknown[]).slice(1)));
    // The same cells; an empty one (no service) is left out by the streaming writer rather than written as "".
    expect(rows.map((r) => Array.from(r, (v) => v ?? ""))).toEqual(expected);
    // The formula-looking name is a string cell, not a formula.
    expect(workbook.getWorksheet("codes")?.getCell("B4").type).toBe(ExcelJS.ValueType.String);
  });

  test("a stream nobody reads pauses the drawing (bounded memory); a closed one stops it", async () => {
    for (const format of ["pdf", "csv"] as const) {
      const out = new PassThrough({ highWaterMark: 16 * 1024 });
      let ready = false;
      const rendering = streamCodeFile(format, many, options, out, () => (ready = true));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(ready).toBe(true);
      // Paused at about the stream's bound (one page or one batch of rows beyond it), not the whole file.
      expect(out.readableLength + out.writableLength).toBeLessThan(120 * 1024);
      out.destroy();
      await expect(rendering).rejects.toBeInstanceOf(CodeFileClosedError);
    }
  });
});

const hasPdftotext = spawnSync("pdftotext", ["-v"]).error === undefined;
if (!hasPdftotext) console.warn("pdftotext (poppler-utils) is not installed: skipping the PDF text checks; apt-get install poppler-utils");

describe("PDF slips", () => {
  const many = Array.from({ length: 11 }, (_, i) => slip(`X${i}`, `Lê Thị Hồng Nhung ${i + 1}`, "Sở Nội vụ tỉnh Thừa Thiên Huế", "ZYXWVUTSRQ"));

  test("an A4 PDF, 8 slips a page", async () => {
    const bytes = await renderCodeFile("pdf", many, { botUsername: BOT, title: "Khảo sát Chỉ số CCHC 2025", createdAt: new Date("2025-03-01T00:00:00Z") });
    const text = bytes.toString("latin1");
    expect(text.startsWith("%PDF-")).toBe(true);
    expect(text.match(/\/Type \/Page\b/g)).toHaveLength(2);
    expect(text).toContain("/MediaBox [0 0 595.28 841.89]");
  });

  test.skipIf(!hasPdftotext)("pdftotext gives back the Vietnamese names, units, grouped codes and instructions exactly", async () => {
    const bytes = await renderCodeFile("pdf", [...SLIPS, { code: "MNPQRSTUVW", link: codeDeepLink(BOT, "MNPQRSTUVW"), unit: "UBND xã Tân Lập", service: "Đăng ký kết hôn" }], {
      botUsername: BOT,
      title: "Khảo sát Chỉ số CCHC 2025",
    });
    const file = path.join(dir, "slips.pdf");
    writeFileSync(file, bytes);
    const text = execFileSync("pdftotext", ["-enc", "UTF-8", "-raw", file, "-"], { encoding: "utf8" });
    // Long names may wrap inside a slip: compare with line breaks folded into spaces.
    const flat = text.replace(/\s+/g, " ");
    for (const expected of [
      "Nguyễn Văn An",
      "Sở Tư pháp",
      "ABCDE-FGHJK",
      "Trần Thị Bích Ngọc",
      "Sở Kế hoạch và Đầu tư",
      "23456-789MN",
      "UBND huyện Đồng Văn",
      "Phiếu khảo sát ý kiến",
      "UBND xã Tân Lập",
      "Đăng ký kết hôn",
      "MNPQR-STUVW",
      "Khảo sát Chỉ số CCHC 2025",
    ]) {
      expect(flat).toContain(expected);
    }
    expect(flat).toContain(slipInstructions(BOT, true));
    expect(flat).toContain(slipInstructions(BOT, false));
  });

  test.skipIf(!hasPdftotext)("a respondent whose language is English gets an English slip, beside a Vietnamese one", async () => {
    const bytes = await renderCodeFile("pdf", [{ ...SLIPS[0]!, language: "en" }, SLIPS[1]!], { botUsername: BOT, zaloLink: "https://zalo.me/123", createdAt: new Date("2025-03-01T00:00:00Z") });
    const file = path.join(dir, "slips-en.pdf");
    writeFileSync(file, bytes);
    const flat = execFileSync("pdftotext", ["-enc", "UTF-8", "-raw", file, "-"], { encoding: "utf8" }).replace(/\s+/g, " ");
    expect(flat).toContain("Your code:");
    expect(flat).toContain("This code is only for the person named on the slip and works with one Zalo or Telegram account; please do not pass it on.");
    expect(flat).toContain("With Zalo: open https://zalo.me/123 and send the code above.");
    expect(flat).toContain("Mã của Ông/Bà:");
    expect(flat).toContain(slipInstructions(BOT, true, "https://zalo.me/123"));
  });
});

// Realistic long unit names (up to about 60 characters), service and person names: each must stay on
// one line of a slip, so that a reader and pdftotext both find it whole.
const LONG_UNITS = [
  "UBND huyện Quỳnh Nhai – Bộ phận Một cửa",
  "Trung tâm Phục vụ hành chính công tỉnh Sơn La",
  "Bộ phận Tiếp nhận và Trả kết quả UBND huyện Mường La tỉnh Sơn",
];
const LONG_SERVICE = "Đăng ký khai sinh, đăng ký thường trú, cấp thẻ bảo hiểm y tế";
const LONG_PERSON = "Nguyễn Thị Thanh Hương";

/** How many times `needle` occurs in `text` (a name broken over two lines does not count). */
function occurrences(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

describe("PDF slips with long names", () => {
  test.skipIf(!hasPdftotext)("every unit, service, person name and the header stay whole on one line", async () => {
    const long: CodeSlip[] = LONG_UNITS.flatMap((unit, i) => [
      slip(`L${i}`, LONG_PERSON, unit, "ABCDEFGHJK"),
      { code: "23456789MN", link: codeDeepLink(BOT, "23456789MN"), unit, service: LONG_SERVICE },
    ]);
    const file = path.join(dir, "long-slips.pdf");
    writeFileSync(file, await renderCodeFile("pdf", long, { botUsername: BOT, title: "Khảo sát Chỉ số CCHC 2025" }));
    const text = execFileSync("pdftotext", ["-enc", "UTF-8", "-layout", file, "-"], { encoding: "utf8" });
    // Each unit's two slips, and the header of the unit's page.
    for (const unit of LONG_UNITS) expect(occurrences(text, unit), unit).toBe(3);
    expect(occurrences(text, LONG_SERVICE)).toBe(3);
    expect(occurrences(text, LONG_PERSON)).toBe(3);
    expect(occurrences(text, "Phiếu khảo sát ý kiến")).toBe(3);
    expect(occurrences(text, "ABCDE-FGHJK")).toBe(3);
    expect(occurrences(text, "23456-789MN")).toBe(3);
    // The instructions beside the QR code are not cut off by the slip's edge (-raw: in -layout the columns interleave).
    const raw = execFileSync("pdftotext", ["-enc", "UTF-8", "-raw", file, "-"], { encoding: "utf8" }).replace(/\s+/g, " ");
    expect(occurrences(raw, slipInstructions(BOT, true))).toBe(3);
    expect(occurrences(raw, slipInstructions(BOT, false))).toBe(3);
  });
});

describe("writeCodeFile", () => {
  test("owner-only, and never over an existing file", async () => {
    const file = path.join(dir, "codes.csv");
    await writeCodeFile(file, Buffer.from("first"));
    if (process.platform !== "win32") expect(statSync(file).mode & 0o777).toBe(0o600);
    await expect(writeCodeFile(file, Buffer.from("second"))).rejects.toThrow(CodeFileExistsError);
    expect(readFileSync(file, "utf8")).toBe("first");
  });
});
