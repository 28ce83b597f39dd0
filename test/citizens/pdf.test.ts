import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { codeDeepLink } from "../../src/access/index.js";
import { receiptInstructions, renderPosterPdf, renderReceiptPdf, type ReceiptSlip } from "../../src/citizens/index.js";

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

describe("poster PDF", () => {
  test.skipIf(!HAS_PDFTOTEXT)("the long unit name stays whole", async () => {
    const text = pdfText("poster.pdf", await renderPosterPdf({ unit: UNITS[1] ?? "", link: "https://t.me/khaosat_bot?start=P_x", periodDays: 30 }, { botUsername: BOT }));
    expect(linesWith(text, "Trung tâm Phục vụ hành chính công tỉnh Sơn La")).toHaveLength(1);
  });
});
