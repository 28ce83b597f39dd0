// What a printed slip tells and how a pile of them is handed out: every A4 slip, 80 mm receipt and
// counter poster prints the campaign's closing time (campaign's zone, slip's language); A4 slips and
// the mail-merge files go by unit, then name (Vietnamese order), each unit starting a page that names
// it; the poster fills its page; nothing printed overlaps anything else.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { inflateSync } from "node:zlib";
import ExcelJS from "exceljs";
import { afterAll, describe, expect, test } from "vitest";
import { codeDeepLink, deadlineText, formatCode, renderCodeFile, renderCodesCsv, renderSlipsPdf, type CodeSlip } from "../../src/access/index.js";
import { renderPosterPdf, renderReceiptPdf } from "../../src/citizens/index.js";

const HAS_PDFTOTEXT = spawnSync("pdftotext", ["-v"]).error === undefined;
if (!HAS_PDFTOTEXT) console.warn("pdftotext (poppler-utils) is not installed: skipping the slips' deadline and unit checks; apt-get install poppler-utils");

const dir = mkdtempSync(path.join(tmpdir(), "khaosat-slips-units-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const BOT = "khaosat_bot";
const A4 = { width: 595.28, height: 841.89 };
// 17:00 on 20/12/2026 in Viet Nam (UTC+7).
const CLOSING = { at: new Date("2026-12-20T10:00:00Z"), timeZone: "Asia/Ho_Chi_Minh" };

interface Word {
  readonly page: number;
  readonly text: string;
  readonly xMin: number;
  readonly yMin: number;
  readonly xMax: number;
  readonly yMax: number;
}

function save(name: string, bytes: Buffer): string {
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  return file;
}

/** Each word pdftotext finds with its box (points from the page's top left), page by page. */
function pdfWords(name: string, bytes: Buffer): Word[] {
  const html = execFileSync("pdftotext", ["-enc", "UTF-8", "-bbox", save(name, bytes), "-"], { encoding: "utf8" });
  const words: Word[] = [];
  for (const [i, page] of html.split("<page ").slice(1).entries()) {
    for (const m of page.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g)) {
      words.push({ page: i + 1, text: m[5]!.replace(/&amp;/g, "&"), xMin: Number(m[1]), yMin: Number(m[2]), xMax: Number(m[3]), yMax: Number(m[4]) });
    }
  }
  return words;
}

/** The pages' text (-raw: a slip's lines in drawing order), whitespace folded. */
function pageTexts(name: string, bytes: Buffer): string[] {
  return execFileSync("pdftotext", ["-enc", "UTF-8", "-raw", save(name, bytes), "-"], { encoding: "utf8" })
    .split("\f")
    .filter((p) => p.trim() !== "")
    .map((p) => p.replace(/\s+/g, " "));
}

/** The first pair of words of a page whose boxes overlap (by more than a rounding error), if any. */
function overlap(words: readonly Word[]): string | undefined {
  for (const [i, a] of words.entries()) {
    for (const b of words.slice(i + 1)) {
      if (a.page !== b.page) continue;
      const x = Math.min(a.xMax, b.xMax) - Math.max(a.xMin, b.xMin);
      const y = Math.min(a.yMax, b.yMax) - Math.max(a.yMin, b.yMin);
      if (x > 0.5 && y > 0.5) return `"${a.text}" and "${b.text}" on page ${a.page}`;
    }
  }
  return undefined;
}

/** The box of the filled rectangles (the QR code's modules) of a one-page PDF, in points from the top left. */
function qrBox(pdf: Buffer): { x: number; y: number; xMax: number; yMax: number } {
  const latin1 = pdf.toString("latin1");
  const box = { x: Infinity, y: Infinity, xMax: -Infinity, yMax: -Infinity };
  for (const m of latin1.matchAll(/stream\r?\n/g)) {
    const start = m.index + m[0].length;
    let content: string;
    try {
      content = inflateSync(pdf.subarray(start, latin1.indexOf("endstream", start))).toString("latin1");
    } catch {
      continue;
    }
    // pdfkit flips the page (1 0 0 -1 0 height cm), so a rectangle's y is measured from the top.
    for (const r of content.matchAll(/(-?[\d.]+) (-?[\d.]+) (-?[\d.]+) (-?[\d.]+) re\b/g)) {
      const [x, y, w, h] = [Number(r[1]), Number(r[2]), Number(r[3]), Number(r[4])];
      box.x = Math.min(box.x, x);
      box.y = Math.min(box.y, y);
      box.xMax = Math.max(box.xMax, x + w);
      box.yMax = Math.max(box.yMax, y + h);
    }
  }
  return box;
}

const CODES = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
const codeOf = (i: number) => `${CODES[i % 31]}${CODES[Math.floor(i / 31) % 31]}ABCDEFGH`;
const slip = (i: number, unit: string, name: string, language?: string): CodeSlip => ({
  code: codeOf(i),
  link: codeDeepLink(BOT, codeOf(i)),
  externalId: `CB${String(i).padStart(3, "0")}`,
  name,
  unit,
  ...(language ? { language } : {}),
});

// Orders where the code points would be wrong: Ủ and Á sort after V and B by code point, D before Đ in both.
const UNITS = ["Văn phòng UBND tỉnh", "Sở Tư pháp", "Ủy ban nhân dân xã Yên Bình", "Sở Tài chính", "Sở Nội vụ"];
const UNIT_ORDER = ["Sở Nội vụ", "Sở Tài chính", "Sở Tư pháp", "Ủy ban nhân dân xã Yên Bình", "Văn phòng UBND tỉnh"];
const PEOPLE: Record<string, string[]> = {
  "Sở Nội vụ": ["Đỗ Văn Hùng", "Bùi Thị Ánh", "Dương Minh Châu"],
  "Sở Tài chính": ["Vũ Thị Lan", "Ánh Dương", "Bình An", "Đặng Thu Hà", "Dương Văn Nam", "Ông Văn Tư", "Ô Thị Mai", "Lê Văn Long", "Lê Thị Hoa", "Âu Cơ"],
  "Sở Tư pháp": ["Nguyễn Văn An", "Trần Thị Bích"],
  "Ủy ban nhân dân xã Yên Bình": ["Hà Văn Sơn"],
  "Văn phòng UBND tỉnh": ["Phạm Thị Thu"],
};
// Handed over interleaved, as a respondents file may list them.
const MIXED: CodeSlip[] = [];
{
  let i = 0;
  for (let round = 0; round < 10; round++) for (const unit of UNITS) if (PEOPLE[unit]![round]) MIXED.push(slip(i++, unit, PEOPLE[unit]![round]!));
}
const collator = new Intl.Collator("vi");
/** The expected order, written out: by unit, then name, in Vietnamese order. */
const EXPECTED_NAMES = [
  ["Sở Nội vụ", ["Bùi Thị Ánh", "Dương Minh Châu", "Đỗ Văn Hùng"]],
  ["Sở Tài chính", ["Ánh Dương", "Âu Cơ", "Bình An", "Dương Văn Nam", "Đặng Thu Hà", "Lê Thị Hoa", "Lê Văn Long", "Ô Thị Mai", "Ông Văn Tư", "Vũ Thị Lan"]],
  ["Sở Tư pháp", ["Nguyễn Văn An", "Trần Thị Bích"]],
  ["Ủy ban nhân dân xã Yên Bình", ["Hà Văn Sơn"]],
  ["Văn phòng UBND tỉnh", ["Phạm Thị Thu"]],
] as const;
const expectedOrder = EXPECTED_NAMES.flatMap(([unit, names]) => names.map((name) => MIXED.find((s) => s.unit === unit && s.name === name)!));

describe("slips by unit", () => {
  test("the written-out order is Vietnamese collation's (the test's own check)", () => {
    expect(UNIT_ORDER).toEqual([...UNITS].sort(collator.compare));
    for (const [, names] of EXPECTED_NAMES) expect([...names]).toEqual([...names].sort(collator.compare));
  });

  test("CSV and XLSX rows go by unit, then name", async () => {
    const csv = renderCodesCsv(MIXED).subarray(3).toString("utf8").trim().split("\r\n").slice(1);
    expect(csv.map((line) => line.split(",")[4])).toEqual(expectedOrder.map((s) => formatCode(s.code)));
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await renderCodeFile("xlsx", MIXED, { botUsername: BOT })) as unknown as ArrayBuffer);
    const rows: unknown[][] = [];
    workbook.getWorksheet("codes")?.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
    expect(rows.slice(1).map((r) => [r[2], r[1]])).toEqual(expectedOrder.map((s) => [s.unit, s.name]));
  });

  test.skipIf(!HAS_PDFTOTEXT)("A4 slips: units contiguous, each unit's first slip starts a page, the page names its unit", async () => {
    const pdf = await renderSlipsPdf(MIXED, { botUsername: BOT, title: "Khảo sát CCHC 2026", closing: CLOSING });
    const words = pdfWords("units.pdf", pdf);
    const pages = Math.max(...words.map((w) => w.page));
    // Nội vụ 3, Tài chính 8 + 2, Tư pháp 2, Ủy ban 1, Văn phòng 1: six pages, none shared by two units.
    expect(pages).toBe(6);
    const cellWidth = (A4.width - 56) / 2;
    const cellHeight = (A4.height - 56) / 4;
    // Each slip's code, in reading order (row by row, left to right), page by page.
    const codes = words
      .filter((w) => /^[2-9A-Z]{5}-[2-9A-Z]{5}$/.test(w.text))
      .map((w) => ({ ...w, cell: Math.floor((w.yMin - 28) / cellHeight) * 2 + Math.floor((w.xMin - 28) / cellWidth) }))
      .sort((a, b) => a.page - b.page || a.cell - b.cell);
    expect(codes.map((c) => c.text)).toEqual(expectedOrder.map((s) => formatCode(s.code)));
    const unitOfPage = new Map<number, string>();
    for (const [i, c] of codes.entries()) {
      const unit = expectedOrder[i]!.unit;
      if (unitOfPage.has(c.page)) expect(unitOfPage.get(c.page), `page ${c.page}`).toBe(unit);
      else unitOfPage.set(c.page, unit);
      // A unit's first slip is the first cell of a page; the others follow cell by cell.
      const first = i === 0 || expectedOrder[i - 1]!.unit !== unit;
      if (first) expect(c.cell, `${unit}'s first slip`).toBe(0);
      else expect(c.page * 8 + c.cell).toBe(codes[i - 1]!.page * 8 + codes[i - 1]!.cell + 1);
    }
    // The unit's name (and its page of pages) in the top margin, above the top cut line.
    const texts = pageTexts("units-raw.pdf", pdf);
    const headers = texts.map((t) => /^\s*(.*? · trang \d+\/\d+)/.exec(t)?.[1]);
    expect(headers).toEqual(["Sở Nội vụ · trang 1/1", "Sở Tài chính · trang 1/2", "Sở Tài chính · trang 2/2", "Sở Tư pháp · trang 1/1", "Ủy ban nhân dân xã Yên Bình · trang 1/1", "Văn phòng UBND tỉnh · trang 1/1"]);
    for (const w of words.filter((w) => w.yMax < 28)) expect(w.yMin, w.text).toBeGreaterThanOrEqual(14);
    expect(words.filter((w) => w.yMax < 28).map((w) => w.text).join(" ")).toBe(headers.join(" "));
    expect(overlap(words)).toBeUndefined();
  });

  test.skipIf(!HAS_PDFTOTEXT)("2,300 slips of 40 units: every unit starts a page", async () => {
    const many = Array.from({ length: 2300 }, (_, i) => slip(i, `Đơn vị ${String(i % 40).padStart(2, "0")}`, `Người ${i}`));
    const started = Date.now();
    const pdf = await renderSlipsPdf(many, { botUsername: BOT, closing: CLOSING });
    expect(Date.now() - started).toBeLessThan(60_000);
    const texts = pageTexts("many.pdf", pdf);
    // 40 units of 57 or 58 slips: 8 pages each (7 full, 1 with 1 or 2 slips).
    expect(texts).toHaveLength(40 * 8);
    for (const [i, t] of texts.entries()) expect(t, `page ${i + 1}`).toContain(`Đơn vị ${String(Math.floor(i / 8)).padStart(2, "0")} · trang ${(i % 8) + 1}/8`);
  }, 120_000);
});

describe("closing time", () => {
  test("in the campaign's zone, as the product writes times for people; a close at midnight is the end of the day before", () => {
    expect(deadlineText(CLOSING)).toBe("Hạn trả lời: 17:00 ngày 20/12/2026");
    expect(deadlineText(CLOSING, "en")).toBe("Answer by: 17:00 on 20/12/2026");
    expect(deadlineText({ at: CLOSING.at, timeZone: "Europe/Berlin" })).toBe("Hạn trả lời: 11:00 ngày 20/12/2026");
    const midnight = { at: new Date("2026-12-20T17:00:00Z"), timeZone: "Asia/Ho_Chi_Minh" };
    expect(deadlineText(midnight)).toBe("Hạn trả lời: hết ngày 20/12/2026");
    expect(deadlineText(midnight, "en")).toBe("Answer by: the end of 20/12/2026");
  });

  test.skipIf(!HAS_PDFTOTEXT)("on every A4 slip, in the slip's language, inside the slip and over nothing", async () => {
    const slips = [slip(1, "Sở Nội vụ", "Nguyễn Văn An"), slip(2, "Sở Nội vụ", "Trần Thị Bích", "en"), slip(3, "Sở Tư pháp", "Lê Văn Cường"), { code: codeOf(4), link: codeDeepLink(BOT, codeOf(4)), unit: "Sở Tư pháp", service: "Đăng ký kết hôn" }];
    const pdf = await renderSlipsPdf(slips, { botUsername: BOT, zaloLink: "https://zalo.me/123", title: "Khảo sát CCHC 2026", closing: CLOSING });
    const texts = pageTexts("deadline.pdf", pdf);
    expect(texts).toHaveLength(2);
    const count = (text: string, needle: string) => text.split(needle).length - 1;
    expect(count(texts[0]!, "Hạn trả lời: 17:00 ngày 20/12/2026")).toBe(1);
    expect(count(texts[0]!, "Answer by: 17:00 on 20/12/2026")).toBe(1);
    expect(count(texts[1]!, "Hạn trả lời: 17:00 ngày 20/12/2026")).toBe(2);
    const words = pdfWords("deadline-words.pdf", pdf);
    expect(overlap(words)).toBeUndefined();
    // Each deadline sits in its own slip's cell, below the unit and above the code.
    const cellHeight = (A4.height - 56) / 4;
    for (const w of words.filter((w) => w.text === "20/12/2026")) {
      expect(w.yMax).toBeLessThanOrEqual(28 + cellHeight);
      const code = words.find((c) => c.page === w.page && /^[2-9A-Z]{5}-/.test(c.text) && Math.abs(c.xMin - w.xMin) < 270 && (c.xMin < 297) === (w.xMin < 297));
      expect(code && code.yMin).toBeGreaterThan(w.yMax);
    }
    // A campaign without a known close prints no deadline (reissue of a deleted campaign's code).
    const without = pageTexts("no-deadline.pdf", await renderSlipsPdf(slips, { botUsername: BOT }));
    expect(without.join(" ")).not.toContain("Hạn trả lời");
  });

  test.skipIf(!HAS_PDFTOTEXT)("on every 80 mm receipt", async () => {
    const slips = ["ABCDEFGHJK", "23456789MN", "PQRSTUVWXY"].map((code) => ({ code, link: codeDeepLink(BOT, code), unit: "UBND xã Tân Lập", service: "Đăng ký kết hôn" }));
    const pdf = await renderReceiptPdf(slips, { botUsername: BOT, closing: CLOSING });
    const texts = pageTexts("receipts.pdf", pdf);
    expect(texts).toHaveLength(3);
    for (const [i, t] of texts.entries()) expect(t).toContain(`${formatCode(slips[i]!.code)} Hạn trả lời: 17:00 ngày 20/12/2026 Quét mã QR`);
    const words = pdfWords("receipts-words.pdf", pdf);
    expect(overlap(words)).toBeUndefined();
    // Still one receipt a page, the deadline inside the paper's width.
    for (const w of words) expect(w.xMax, w.text).toBeLessThanOrEqual(226.77 - 12 + 0.5);
  });
});

describe("A4 poster", () => {
  const poster = { unit: "Sở Tư pháp tỉnh Bắc Ninh", service: "Đăng ký kết hôn", link: "https://t.me/khaosat_bot?start=KP_ABCDEFGHJKABCDEFGHJK", periodDays: 30 };

  test.skipIf(!HAS_PDFTOTEXT)("shows the campaign's close, fills the page (a bigger QR code), nothing over the QR code or other text", async () => {
    const pdf = await renderPosterPdf(poster, { botUsername: BOT, title: "Khảo sát sự hài lòng năm 2026", closing: CLOSING });
    const texts = pageTexts("poster.pdf", pdf);
    expect(texts).toHaveLength(1);
    expect(texts[0]).toContain("Hạn trả lời: 17:00 ngày 20/12/2026");
    const words = pdfWords("poster-words.pdf", pdf);
    expect(overlap(words)).toBeUndefined();
    const qr = qrBox(pdf);
    // The QR code: at least 12 cm wide (it was 300 pt, 10.6 cm), centred, inside the page.
    expect(qr.xMax - qr.x).toBeGreaterThan(340);
    expect(Math.abs(qr.x + qr.xMax - A4.width)).toBeLessThan(1);
    for (const w of words) {
      const clear = w.xMax <= qr.x || w.xMin >= qr.xMax || w.yMax <= qr.y || w.yMin >= qr.yMax;
      expect(clear, `"${w.text}" over the QR code`).toBe(true);
      expect(w.yMax, w.text).toBeLessThanOrEqual(A4.height - 36);
      expect(w.yMin, w.text).toBeGreaterThanOrEqual(36);
    }
    // The content reaches below 75% of the page (the bottom 40% used to be empty) and its last line sits near the bottom margin.
    const bottom = Math.max(...words.map((w) => w.yMax));
    expect(bottom).toBeGreaterThan(0.75 * A4.height);
    expect(bottom).toBeGreaterThan(A4.height - 80);
    // The deadline under the QR code and the instructions, above the privacy note.
    const deadline = words.find((w) => w.text === "20/12/2026")!;
    expect(deadline.yMin).toBeGreaterThan(qr.yMax);
    expect(deadline.yMax).toBeLessThan(words.find((w) => w.text === "giữ")!.yMin);
  });

  test.skipIf(!HAS_PDFTOTEXT)("with Zalo and long names everything still fits one page without overlapping", async () => {
    const long = "Bộ phận Tiếp nhận và Trả kết quả giải quyết thủ tục hành chính Ủy ban nhân dân huyện Mường La tỉnh Sơn La";
    const pdf = await renderPosterPdf(
      { ...poster, unit: long, service: "Đăng ký khai sinh, đăng ký thường trú, cấp thẻ bảo hiểm y tế cho trẻ em dưới sáu tuổi", zalo: { link: "https://zalo.me/s/2748391029384756102/?utm_source=zalo-qr-poster&src=phieu", payload: "KP_ABCDEFGHJKABCDEFGHJK", qr: false } },
      { botUsername: BOT, title: "Khảo sát mức độ hài lòng của người dân, tổ chức đối với sự phục vụ của cơ quan hành chính nhà nước năm 2026", closing: CLOSING },
    );
    const texts = pageTexts("poster-zalo.pdf", pdf);
    expect(texts).toHaveLength(1);
    expect(texts[0]).toContain("KP_ABCDEFGHJKABCDEFGHJK");
    expect(texts[0]).toContain("Hạn trả lời: 17:00 ngày 20/12/2026");
    const words = pdfWords("poster-zalo-words.pdf", pdf);
    expect(overlap(words)).toBeUndefined();
    const qr = qrBox(pdf);
    expect(qr.xMax - qr.x).toBeGreaterThanOrEqual(220);
    for (const w of words) {
      expect(w.xMax <= qr.x || w.xMin >= qr.xMax || w.yMax <= qr.y || w.yMin >= qr.yMax, `"${w.text}" over the QR code`).toBe(true);
      expect(w.yMax, w.text).toBeLessThanOrEqual(A4.height - 36);
    }
  });
});
