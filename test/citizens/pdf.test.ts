import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { codeDeepLink } from "../../src/access/index.js";
import { balancedLines, posterHeadline, posterInstructions, receiptInstructions, renderPosterPdf, renderReceiptPdf, type ReceiptSlip } from "../../src/citizens/index.js";
import { renderSlipsPdf } from "../../src/access/index.js";

const BOT = "khaosat_bot";
const dir = mkdtempSync(path.join(tmpdir(), "khaosat-citizens-pdf-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const HAS_PDFTOTEXT = spawnSync("pdftotext", ["-v"]).error === undefined;
if (!HAS_PDFTOTEXT) console.warn("pdftotext (poppler-utils) is not installed: skipping the receipt PDF text checks; apt-get install poppler-utils");

function pdfText(name: string, bytes: Buffer): string {
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  return execFileSync("pdftotext", ["-enc", "UTF-8", "-layout", file, "-"], { encoding: "utf8" });
}

/** The text lines of `text` that hold `needle` whole (a name broken over two lines is in none). */
function linesWith(text: string, needle: string): string[] {
  return text.split("\n").filter((line) => line.includes(needle));
}

// Realistic long unit and service names, up to about 60 characters.
const UNITS = [
  "UBND huyện Quỳnh Nhai – Bộ phận Một cửa",
  "Trung tâm Phục vụ hành chính công tỉnh Sơn La",
  "Bộ phận Tiếp nhận và Trả kết quả UBND huyện Mường La tỉnh Sơn",
  "UBND xã Tân Lập",
];
const SERVICE = "Đăng ký khai sinh, đăng ký thường trú, cấp thẻ bảo hiểm y tế";

describe("receipt PDF (80 mm)", () => {
  test.skipIf(!HAS_PDFTOTEXT)("each page has the header, the unit and the service whole on one line each", async () => {
    const slips: ReceiptSlip[] = UNITS.map((unit) => ({ code: "ABCDEFGHJK", link: codeDeepLink(BOT, "ABCDEFGHJK"), unit, service: SERVICE }));
    const pages = pdfText("receipt.pdf", await renderReceiptPdf(slips, { botUsername: BOT }))
      .split("\f")
      .filter((page) => page.trim() !== "");
    expect(pages).toHaveLength(UNITS.length);
    for (const [i, page] of pages.entries()) {
      const unit = UNITS[i] ?? "";
      expect(linesWith(page, unit).map((line) => line.trim()), unit).toEqual([unit]);
      expect(linesWith(page, SERVICE).map((line) => line.trim())).toEqual([SERVICE]);
      expect(linesWith(page, "PHIẾU ĐÁNH GIÁ SỰ HÀI LÒNG").map((line) => line.trim())).toEqual(["PHIẾU ĐÁNH GIÁ SỰ HÀI LÒNG"]);
      expect(linesWith(page, "ABCDE-FGHJK").map((line) => line.trim())).toEqual(["ABCDE-FGHJK"]);
      expect(page.replace(/\s+/g, " ")).toContain(receiptInstructions(BOT));
    }
  });

  test.skipIf(!HAS_PDFTOTEXT)("a slip without a service has no service line", async () => {
    const text = pdfText("receipt-plain.pdf", await renderReceiptPdf([{ code: "ABCDEFGHJK", link: codeDeepLink(BOT, "ABCDEFGHJK"), unit: UNITS[0] ?? "" }], { botUsername: BOT }));
    const lines = text.split("\n").map((line) => line.trim()).filter((line) => line !== "");
    expect(lines.slice(0, 3)).toEqual(["PHIẾU ĐÁNH GIÁ SỰ HÀI LÒNG", "UBND huyện Quỳnh Nhai – Bộ phận Một cửa", "ABCDE-FGHJK"]);
  });
});

describe("receipts and posters in English (--lang en)", () => {
  test.skipIf(!HAS_PDFTOTEXT)("every printed text is English, the deadline included; the unit and code as given", async () => {
    const closing = { at: new Date("2026-12-20T10:00:00Z"), timeZone: "Asia/Ho_Chi_Minh" };
    const receipt = pdfText("receipt-en.pdf", await renderReceiptPdf([{ code: "ABCDEFGHJK", link: codeDeepLink(BOT, "ABCDEFGHJK"), unit: UNITS[3] ?? "" }], { botUsername: BOT, closing, language: "en" }));
    const lines = receipt.split("\n").map((line) => line.trim()).filter((line) => line !== "");
    expect(lines.slice(0, 3)).toEqual(["RATE OUR SERVICE", "UBND xã Tân Lập", "ABCDE-FGHJK"]);
    expect(receipt.replace(/\s+/g, " ")).toContain(receiptInstructions(BOT, undefined, "en"));
    expect(receiptInstructions(BOT, undefined, "en")).toBe("Scan the QR code or search for @khaosat_bot in Telegram and send the code to give your rating (about 2 minutes, no name needed).");
    expect(receipt).toContain("Answer by: 17:00 on 20/12/2026");
    expect(receipt).not.toMatch(/Quét|Hạn trả lời|PHIẾU/);

    const poster = pdfText("poster-en.pdf", await renderPosterPdf({ unit: UNITS[3] ?? "", link: "https://t.me/khaosat_bot?start=KP_x", periodDays: 30 }, { botUsername: BOT, closing, language: "en" }));
    const flat = poster.replace(/\s+/g, " ");
    expect(flat).toContain("Were you satisfied with our service today?");
    expect(flat).toContain(posterInstructions({}, "en"));
    expect(flat).toContain("Your opinion stays confidential: your Telegram account is not stored with your answers. Each person can give one rating every 30 days.");
    expect(flat).toContain("Answer by: 17:00 on 20/12/2026");
    expect(flat).not.toMatch(/Ông\/Bà|Quét|Hạn trả lời/);
  });

  test("a language we do not have falls back to Vietnamese", () => {
    expect(posterHeadline("fr")).toBe("Ông/Bà hài lòng với dịch vụ hôm nay?");
    expect(receiptInstructions(undefined, "https://zalo.me/123", "en")).toBe("Scan the QR code with Zalo (or open https://zalo.me/123) and send the code above to give your rating (about 2 minutes, no name needed).");
  });
});

describe("poster PDF", () => {
  test.skipIf(!HAS_PDFTOTEXT)("the long unit name stays whole", async () => {
    const text = pdfText("poster.pdf", await renderPosterPdf({ unit: UNITS[1] ?? "", link: "https://t.me/khaosat_bot?start=P_x", periodDays: 30 }, { botUsername: BOT }));
    expect(linesWith(text, "Trung tâm Phục vụ hành chính công tỉnh Sơn La")).toHaveLength(1);
  });
});

describe("poster wording (issue 11 item 7)", () => {
  test("a heading that does not fit is split into even lines, never leaving a lone word", () => {
    const measure = (t: string) => t.length * 10;
    expect(balancedLines("Ông/Bà hài lòng với dịch vụ hôm nay?", measure, 400)).toEqual(["Ông/Bà hài lòng với dịch vụ hôm nay?"]);
    expect(balancedLines("Ông/Bà hài lòng với dịch vụ hôm nay?", measure, 340)).toEqual(["Ông/Bà hài lòng với", "dịch vụ hôm nay?"]);
  });

  test.skipIf(!HAS_PDFTOTEXT)("the poster's headline has no lone word on a line, and it asks only for what works: scanning the QR", async () => {
    const text = pdfText("poster-words.pdf", await renderPosterPdf({ unit: UNITS[0] ?? "", link: "https://t.me/khaosat_bot?start=KP_x", periodDays: 30 }, { botUsername: BOT }));
    const lines = text.split("\n").map((l) => l.trim()).filter((l) => l !== "");
    const start = lines.findIndex((l) => l.startsWith("Ông/Bà hài lòng"));
    const headline = lines[start]!.split(" ").length === posterHeadline().split(" ").length ? [lines[start]!] : [lines[start]!, lines[start + 1]!];
    expect(headline.join(" ")).toBe("Ông/Bà hài lòng với dịch vụ hôm nay?");
    for (const line of headline) expect(line.split(" ").length, line).toBeGreaterThan(1);
    expect(text.replace(/\s+/g, " ")).toContain("Quét mã QR bằng camera điện thoại để mở Telegram. Chỉ mất khoảng 2 phút, không cần ghi tên.");
    expect(posterInstructions({})).toBe("Quét mã QR bằng camera điện thoại để mở Telegram. Chỉ mất khoảng 2 phút, không cần ghi tên.");
    expect(text).not.toContain("@khaosat_bot");
    expect(text).not.toMatch(/\bbạn\b/);
  });

  test.skipIf(!HAS_PDFTOTEXT)("slips address the respondent as Ông/Bà, like the bot and the poster", async () => {
    const text = pdfText("slips-address.pdf", await renderSlipsPdf([{ code: "ABCDEFGHJK", link: codeDeepLink(BOT, "ABCDEFGHJK"), unit: "Sở Tư pháp", name: "Nguyễn Văn An" }], { botUsername: BOT }));
    expect(text).toContain("Mã của Ông/Bà:");
    expect(text).not.toMatch(/\bbạn\b/);
  });
});
