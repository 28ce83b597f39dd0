// Printed material (80 mm receipts, A4 slips, posters) with long links, long bot usernames and long
// Vietnamese unit names: a link is never broken where a person would type it wrongly (only after a
// '/' or '?', no hyphen added), no word is cut, nothing is cut off, and the QR code is still drawn.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { inflateSync } from "node:zlib";
import QRCode from "qrcode";
import { afterAll, describe, expect, test } from "vitest";
import { codeDeepLink, renderSlipsPdf, slipInstructions } from "../../src/access/index.js";
import { receiptInstructions, renderPosterPdf, renderReceiptPdf, type ReceiptSlip } from "../../src/citizens/index.js";
import { isLink, layoutParagraph, linkPieces, newPdf } from "../../src/documents/index.js";

const HAS_PDFTOTEXT = spawnSync("pdftotext", ["-v"]).error === undefined;
if (!HAS_PDFTOTEXT) console.warn("pdftotext (poppler-utils) is not installed: skipping the printed links checks; apt-get install poppler-utils");

const dir = mkdtempSync(path.join(tmpdir(), "khaosat-print-links-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Each word pdftotext finds with its box (points from the page's top left), page by page. */
function pdfWords(name: string, bytes: Buffer): { page: number; text: string; xMin: number; yMin: number; xMax: number; yMax: number }[] {
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  const html = execFileSync("pdftotext", ["-enc", "UTF-8", "-bbox", file, "-"], { encoding: "utf8" });
  const words: { page: number; text: string; xMin: number; yMin: number; xMax: number; yMax: number }[] = [];
  for (const [i, page] of html.split("<page ").slice(1).entries()) {
    for (const m of page.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g)) {
      words.push({ page: i + 1, text: m[5]!, xMin: Number(m[1]), yMin: Number(m[2]), xMax: Number(m[3]), yMax: Number(m[4]) });
    }
  }
  return words;
}

function pdfText(name: string, bytes: Buffer, mode: "-layout" | "-raw" = "-layout"): string {
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  return execFileSync("pdftotext", ["-enc", "UTF-8", mode, file, "-"], { encoding: "utf8" });
}

/** The text's lines, trimmed, with a line ending in '/' or '?' joined to the next: where a link may be broken (and nowhere else). */
function joinedAtLinkBreaks(text: string): string[] {
  return text
    .split("\n")
    .map((line) => line.trim())
    .join("\n")
    .replace(/([/?])\n/g, "$1")
    .split("\n");
}

/** How many lines of `text` hold `link` whole once rejoined after its '/' and '?' breaks. */
function wholeLinks(text: string, link: string): number {
  return joinedAtLinkBreaks(text).filter((line) => line.includes(link)).length;
}

/** The filled rectangles in the PDF's content streams: the QR code's dark modules are drawn one rectangle each. */
function rectangles(pdf: Buffer): number {
  let count = 0;
  const latin1 = pdf.toString("latin1");
  for (const m of latin1.matchAll(/stream\r?\n/g)) {
    const start = m.index + m[0].length;
    const end = latin1.indexOf("endstream", start);
    try {
      const content = inflateSync(pdf.subarray(start, end)).toString("latin1");
      count += content.match(/^[-\d.]+ [-\d.]+ [-\d.]+ [-\d.]+ re$/gm)?.length ?? 0;
    } catch {
      // not a flate stream
    }
  }
  return count;
}

function darkModules(text: string): number {
  const qr = QRCode.create(text, { errorCorrectionLevel: "M" });
  let n = 0;
  for (let row = 0; row < qr.modules.size; row++) for (let col = 0; col < qr.modules.size; col++) if (qr.modules.get(row, col)) n++;
  return n;
}

// 78 characters with hyphens in it: pdfkit used to break it after "zalo-qr-", which reads as a hyphenated word.
const LONG_ZALO = "https://zalo.me/s/2748391029384756102/?utm_source=zalo-qr-poster&src=phieu";
// Short enough (49 characters) to stay whole on one 72 mm line in a smaller font.
const ZALO = "https://zalo.me/s/2748391029384756102/?src=phieu";
const LONG_BOT = "khaosat_hanhchinhcong_sonla_bot";
const LONG_UNIT = "Bộ phận Tiếp nhận và Trả kết quả giải quyết thủ tục hành chính Ủy ban nhân dân huyện Mường La tỉnh Sơn La";
// Words pdfkit would break after a '/' or a '-': names wrap between words only.
const SLASHED_UNIT = "Văn phòng Đăng ký đất đai/Chi nhánh huyện Xuyên Mộc tỉnh Bà Rịa-Vũng Tàu – Bộ phận Một cửa liên thông";
const LONG_SERVICE = "Đăng ký khai sinh, đăng ký thường trú, cấp thẻ bảo hiểm y tế cho trẻ em dưới sáu tuổi";
const LONG_TITLE = "Khảo sát mức độ hài lòng của người dân, tổ chức đối với sự phục vụ của cơ quan hành chính nhà nước năm 2026";

/** Every word of `name` is whole in `text`, and the name reads in order once its lines are joined with spaces. */
function expectWordsWhole(text: string, name: string): void {
  const flat = text.replace(/\s+/g, " ");
  expect(flat, name).toContain(name);
  const words = new Set(text.split(/\s+/));
  for (const word of name.split(" ")) expect(words.has(word), `"${word}" of "${name}"`).toBe(true);
}

describe("layoutParagraph: links break only after '/' or '?'", () => {
  test("the pieces a link may be broken into", () => {
    expect(linkPieces(LONG_ZALO)).toEqual(["https://", "zalo.me/", "s/", "2748391029384756102/?", "utm_source=zalo-qr-poster&src=phieu"]);
    expect(isLink(LONG_ZALO)).toBe(true);
    expect(isLink("(https://zalo.me/123)")).toBe(true);
    expect(isLink("zalo.me/123")).toBe(true);
    expect(isLink("@khaosat_bot")).toBe(false);
    expect(isLink("Ông/Bà")).toBe(false);
  });

  test("a link gets a line of its own, shrunk to stay whole, then broken after a '/' or '?' only", async () => {
    const doc = await newPdf({ title: "t" });
    const text = `Dùng Zalo: mở ${LONG_ZALO} và gửi mã ở trên.`;
    const wide = layoutParagraph(doc, text, { font: "regular", maxSize: 7.5, width: 400, linkMinSize: 6 });
    expect(wide.lines.map((l) => l.text)).toEqual([`Dùng Zalo: mở`, LONG_ZALO, "và gửi mã ở trên."]);
    const narrow = layoutParagraph(doc, text, { font: "regular", maxSize: 7.5, width: 150, linkMinSize: 6 });
    const linkLines = narrow.lines.filter((l) => l.text.startsWith("https") || l.text.startsWith("utm") || /^\d/.test(l.text) || l.text.startsWith("zalo") || l.text.startsWith("s/"));
    expect(linkLines.map((l) => l.text).join("")).toBe(LONG_ZALO);
    for (const line of linkLines.slice(0, -1)) expect(line.text).toMatch(/[/?]$/);
    for (const line of linkLines) expect(line.size).toBe(6);
    expect(narrow.lines.every((l) => doc.font(l.font).fontSize(l.size).widthOfString(l.text) <= 150)).toBe(true);
  });

  test("a paragraph too tall for its room is set smaller, and says when even the smallest does not fit", async () => {
    const doc = await newPdf({ title: "t" });
    const text = "một hai ba bốn năm sáu bảy tám chín mười ".repeat(6);
    const shrunk = layoutParagraph(doc, text, { font: "regular", maxSize: 9, minSize: 5, width: 120, height: 60 });
    expect(shrunk.fits).toBe(true);
    expect(shrunk.height).toBeLessThanOrEqual(60);
    expect(shrunk.lines[0]!.size).toBeLessThan(9);
    expect(layoutParagraph(doc, text, { font: "regular", maxSize: 9, minSize: 8, width: 120, height: 20 }).fits).toBe(false);
  });
});

describe.skipIf(!HAS_PDFTOTEXT)("80 mm receipt", () => {
  const slip = (unit: string, service?: string): ReceiptSlip => ({ code: "ABCDEFGHJK", link: codeDeepLink(LONG_BOT, "ABCDEFGHJK"), unit, ...(service ? { service } : {}) });

  test("a long Zalo link is whole after rejoining at '/' or '?' (never after its hyphens), the bot's username whole, the QR drawn, one page a slip", async () => {
    for (const options of [{ botUsername: LONG_BOT, zaloLink: LONG_ZALO }, { zaloLink: LONG_ZALO }]) {
      const pdf = await renderReceiptPdf([slip(LONG_UNIT, LONG_SERVICE)], options);
      const text = pdfText("receipt-long.pdf", pdf);
      expect(text.split("\f").filter((p) => p.trim() !== "")).toHaveLength(1);
      expect(wholeLinks(text, LONG_ZALO)).toBe(1);
      expect(text).not.toMatch(/zalo-\n|qr-\n/);
      if (options.botUsername) expect(text.split("\n").filter((l) => l.includes(`@${LONG_BOT}`))).toHaveLength(1);
      expectWordsWhole(text, LONG_UNIT);
      expectWordsWhole(text, LONG_SERVICE);
      // The instructions are all there: the link's line breaks folded, the rest joined with spaces.
      expect(joinedAtLinkBreaks(text).join(" ").replace(/\s+/g, " ")).toContain(receiptInstructions(options.botUsername, LONG_ZALO));
      expect(rectangles(pdf)).toBe(darkModules(codeDeepLink(LONG_BOT, "ABCDEFGHJK")));
    }
  });

  test("a Zalo link of about 50 characters is printed whole on one line (in a smaller font)", async () => {
    const text = pdfText("receipt-short.pdf", await renderReceiptPdf([slip("UBND xã Tân Lập")], { botUsername: "khaosat_bot", zaloLink: ZALO }));
    expect(text.split("\n").map((l) => l.trim())).toContain(ZALO);
  });

  test("a unit name too long for one line wraps between words only (not after its '/' or '-'), and nothing spills onto a second page", async () => {
    const pdf = await renderReceiptPdf([slip(SLASHED_UNIT, LONG_SERVICE), slip(`${LONG_UNIT} ${LONG_UNIT}`, `${LONG_SERVICE} ${LONG_SERVICE}`)], { botUsername: LONG_BOT, zaloLink: LONG_ZALO });
    const pages = pdfText("receipt-units.pdf", pdf)
      .split("\f")
      .filter((p) => p.trim() !== "");
    expect(pages).toHaveLength(2);
    expectWordsWhole(pages[0]!, SLASHED_UNIT);
    expectWordsWhole(pages[1]!, `${LONG_UNIT} ${LONG_UNIT}`);
    for (const page of pages) expect(wholeLinks(page, LONG_ZALO)).toBe(1);
  });
});

describe.skipIf(!HAS_PDFTOTEXT)("A4 slips", () => {
  test("the instructions beside the QR are whole (no '…'), with the long link and bot username unbroken", async () => {
    const slips = [
      { code: "ABCDEFGHJK", link: codeDeepLink(LONG_BOT, "ABCDEFGHJK"), unit: LONG_UNIT, service: LONG_SERVICE, name: "Nguyễn Thị Phương Thảo Hoàng Anh Minh Châu" },
      { code: "23456789MN", link: codeDeepLink(LONG_BOT, "23456789MN"), unit: SLASHED_UNIT },
    ];
    const pdf = await renderSlipsPdf(slips, { botUsername: LONG_BOT, zaloLink: LONG_ZALO, title: LONG_TITLE });
    const raw = pdfText("slips-long.pdf", pdf, "-raw");
    expect(raw).not.toContain("…");
    expect(wholeLinks(raw, LONG_ZALO)).toBe(2);
    expect(raw.split("\n").filter((l) => l.includes(`@${LONG_BOT}`))).toHaveLength(2);
    const flat = joinedAtLinkBreaks(raw).join(" ").replace(/\s+/g, " ");
    expect(flat).toContain(slipInstructions(LONG_BOT, true, LONG_ZALO));
    expect(flat).toContain(slipInstructions(LONG_BOT, false, LONG_ZALO));
    expect(rectangles(pdf)).toBe(darkModules(slips[0]!.link) + darkModules(slips[1]!.link));
  });

  test("a unit name and a campaign name too long for one line wrap between words only (not after a '/' or '-')", async () => {
    // One slip a file: on a page of slips pdftotext interleaves the two columns' lines.
    const pdf = await renderSlipsPdf([{ code: "23456789MN", link: codeDeepLink(LONG_BOT, "23456789MN"), unit: SLASHED_UNIT }], { botUsername: LONG_BOT, title: `${LONG_TITLE} – đợt 2/2026` });
    const text = pdfText("slips-one.pdf", pdf);
    expectWordsWhole(text, SLASHED_UNIT);
    expectWordsWhole(text, `${LONG_TITLE} – đợt 2/2026`);
  });
});

describe.skipIf(!HAS_PDFTOTEXT)("A4 poster", () => {
  test("a long Zalo link is on one line, whole; a long campaign name and unit wrap between words only", async () => {
    const link = "https://t.me/khaosat_hanhchinhcong_sonla_bot?start=KP_ABCDEFGHJKABCDEFGHJK";
    const pdf = await renderPosterPdf(
      { unit: SLASHED_UNIT, service: LONG_SERVICE, link, periodDays: 30, zalo: { link: LONG_ZALO, payload: "KP_ABCDEFGHJKABCDEFGHJK", qr: false } },
      { botUsername: LONG_BOT, title: `${LONG_TITLE} – đợt 2/2026` },
    );
    const text = pdfText("poster-long.pdf", pdf);
    expect(text.split("\n").map((l) => l.trim())).toContain(LONG_ZALO);
    expectWordsWhole(text, SLASHED_UNIT);
    expectWordsWhole(text, `${LONG_TITLE} – đợt 2/2026`);
    expect(text.split("\f").filter((p) => p.trim() !== "")).toHaveLength(1);
    expect(rectangles(pdf)).toBe(darkModules(link));
  });
});

// A name of hundreds of characters (a file may hold up to 10,000 in a cell): a few lines of it, ending
// in "…" after a whole word, and everything else still on the paper, inside the slip's cut lines.
const HUGE = Array.from({ length: 12 }, () => LONG_UNIT).join(" ");

describe.skipIf(!HAS_PDFTOTEXT)("names far too long for the paper", () => {
  test("A4 slip: every word inside its cut lines; the QR code and the whole instructions still there", async () => {
    const slips = [{ code: "ABCDEFGHJK", link: codeDeepLink(LONG_BOT, "ABCDEFGHJK"), unit: HUGE, service: HUGE, name: HUGE }];
    const pdf = await renderSlipsPdf(slips, { botUsername: LONG_BOT, zaloLink: LONG_ZALO, title: HUGE });
    const words = pdfWords("slips-huge.pdf", pdf);
    // The first slip's cell: A4 less a 28 pt margin, 2 columns and 4 rows.
    const cell = { x: 28, y: 28, width: (595.28 - 56) / 2, height: (841.89 - 56) / 4 };
    // The unit's name in the page's top margin (one line, "…" after a whole word), above the top cut line and inside the side margins.
    const header = words.filter((w) => w.yMax <= cell.y);
    expect(header.length).toBeGreaterThan(5);
    expect(new Set(header.map((w) => Math.round(w.yMin))).size).toBe(1);
    for (const w of header) {
      expect(w.xMin, w.text).toBeGreaterThanOrEqual(cell.x);
      expect(w.xMax, w.text).toBeLessThanOrEqual(595.28 - cell.x);
      expect(w.yMin, w.text).toBeGreaterThanOrEqual(14);
    }
    const slipWords = words.filter((w) => w.yMax > cell.y);
    expect(slipWords.length).toBeGreaterThan(50);
    for (const w of slipWords) {
      expect(w.page, w.text).toBe(1);
      expect(w.xMin, w.text).toBeGreaterThanOrEqual(cell.x);
      expect(w.xMax, w.text).toBeLessThanOrEqual(cell.x + cell.width);
      expect(w.yMin, w.text).toBeGreaterThanOrEqual(cell.y);
      expect(w.yMax, w.text).toBeLessThanOrEqual(cell.y + cell.height);
    }
    const raw = pdfText("slips-huge-raw.pdf", pdf, "-raw");
    expect(joinedAtLinkBreaks(raw).join(" ").replace(/\s+/g, " ")).toContain(slipInstructions(LONG_BOT, true, LONG_ZALO));
    expect(raw).toContain("ABCDE-FGHJK");
    // Cut after whole words: every word printed is one of the name's words, "…" or the slip's own.
    expect(raw).toMatch(/[a-zà-ỹ] …/);
    expect(rectangles(pdf)).toBe(darkModules(slips[0]!.link));
  });

  test("receipt and poster: one page, every word on it, the QR code and the instructions whole", async () => {
    const receipt = await renderReceiptPdf([{ code: "ABCDEFGHJK", link: codeDeepLink(LONG_BOT, "ABCDEFGHJK"), unit: HUGE, service: HUGE }], { botUsername: LONG_BOT, zaloLink: LONG_ZALO });
    const link = "https://t.me/khaosat_bot?start=KP_ABCDEFGHJKABCDEFGHJK";
    const poster = await renderPosterPdf({ unit: HUGE, service: HUGE, link, periodDays: 30, zalo: { link: LONG_ZALO, payload: "KP_ABCDEFGHJKABCDEFGHJK", qr: false } }, { botUsername: LONG_BOT, title: HUGE });
    for (const [name, pdf, width, qr] of [["receipt-huge.pdf", receipt, 226.77, codeDeepLink(LONG_BOT, "ABCDEFGHJK")], ["poster-huge.pdf", poster, 595.28, link]] as const) {
      const words = pdfWords(name, pdf);
      const height = name.startsWith("poster") ? 841.89 : Number(/\/MediaBox \[0 0 [\d.]+ ([\d.]+)\]/.exec(pdf.toString("latin1"))?.[1]);
      for (const w of words) {
        expect(w.page, `${name}: ${w.text}`).toBe(1);
        expect(w.xMin, `${name}: ${w.text}`).toBeGreaterThanOrEqual(0);
        expect(w.xMax, `${name}: ${w.text}`).toBeLessThanOrEqual(width);
        expect(w.yMax, `${name}: ${w.text}`).toBeLessThanOrEqual(height);
      }
      const text = pdfText(`${name}.txt.pdf`, pdf);
      expect(text).toContain("…");
      expect(wholeLinks(text, LONG_ZALO), name).toBe(1);
      expect(rectangles(pdf), name).toBe(darkModules(qr));
    }
  });
});
