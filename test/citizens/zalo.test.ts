// `codes batch` and `codes poster` when the bot is on Zalo (issue 12 item 5): with only ZALO_BOT_LINK,
// slips carry the Zalo bot's link as QR and say to send the printed code; with both channels they
// offer both. pdftotext checks what is printed.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { hashPosterToken, parsePosterPayload } from "../../src/citizens/index.js";
import { batchCommand, posterCommand } from "../../src/cli/commands/citizens.js";
import { Secret } from "../../src/config/secret.js";
import { createPrismaClient, type Prisma } from "../../src/db/client.js";
import { parseDatabaseUrl } from "../../src/db/connection.js";
import { migrateDatabase } from "../../src/db/migrate.js";

const SECRET = "citizens-zalo-secret-0123456789abcdef012345";
const NOW = new Date("2026-03-10T02:00:00Z");
const ZALO_LINK = "https://zalo.me/1234567890123456789";
const dir = mkdtempSync(path.join(tmpdir(), "khaosat-citizens-zalo-"));
const url = `file:${path.join(dir, "khaosat.db")}`;
const out = (name: string) => path.join(dir, name);
const HAS_PDFTOTEXT = spawnSync("pdftotext", ["-v"]).status === 0;
const saved = { DATABASE_URL: process.env.DATABASE_URL, CODE_SECRET: process.env.CODE_SECRET, ZALO_BOT_LINK: process.env.ZALO_BOT_LINK, BOT_USERNAME: process.env.BOT_USERNAME };
let prisma: Prisma;
let closeDb: () => Promise<void>;
const CODE = /[2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5}/g;

/** The PDF's text with line breaks and runs of spaces made single spaces. */
function pdfText(file: string): string {
  return execFileSync("pdftotext", ["-layout", file, "-"], { encoding: "utf8" });
}
/** In reading order, not layout: the A4 sheet's two columns of slips would interleave their lines. */
function pdfReadingOrder(file: string): string {
  return execFileSync("pdftotext", [file, "-"], { encoding: "utf8" });
}
const flat = (text: string) => text.replace(/\s+/g, " ");
/** Without any whitespace: a link may be wrapped after its "//" on a narrow slip. */
const squeeze = (text: string) => text.replace(/\s+/g, "");

beforeAll(async () => {
  process.env.DATABASE_URL = url;
  process.env.CODE_SECRET = SECRET;
  delete process.env.BOT_USERNAME;
  await migrateDatabase(url);
  ({ prisma, close: closeDb } = createPrismaClient(parseDatabaseUrl(url)));
  const version = await prisma.questionnaireVersion.create({ data: { questionnaireId: "sipas", version: 1, fileName: "sipas.yaml", source: "x", sourceHash: "h" } });
  await prisma.campaign.create({
    data: { id: "sipas2026", name: "SIPAS 2026", questionnaireVersionPk: version.pk, opensAt: new Date("2026-03-01T00:00:00Z"), closesAt: new Date("2026-06-01T00:00:00Z") },
  });
  await prisma.unit.create({ data: { campaignId: "sipas2026", code: "UB_BD", name: "UBND phường Ba Đình" } });
}, 120_000);

beforeEach(() => {
  process.env.ZALO_BOT_LINK = ZALO_LINK;
});

afterAll(async () => {
  await closeDb();
  rmSync(dir, { recursive: true, force: true });
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

const batch = (extra: Record<string, string>) => batchCommand({ campaign: "sipas2026", unit: "UB_BD", count: "3", out: out("x.csv"), ...extra }, NOW);

describe("codes batch with only Zalo (ZALO_BOT_LINK, no --bot)", () => {
  test("CSV: each code's link is the Zalo bot's (the code is typed there)", async () => {
    const file = out("zalo.csv");
    expect(await batch({ out: file })).toMatch(/^issued 3 anonymous single-use codes for UBND phường Ba Đình/);
    const rows = readFileSync(file, "utf8").replace(/^\uFEFF/, "").trim().split("\r\n");
    expect(rows).toHaveLength(4);
    for (const row of rows.slice(1)) expect(row).toMatch(new RegExp(`^UB_BD,UBND phường Ba Đình,,[2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5},${ZALO_LINK}$`));
  });

  test.skipIf(!HAS_PDFTOTEXT)("receipt PDF: the code and how to open the bot in Zalo and send it; no Telegram", async () => {
    const file = out("zalo-receipt.pdf");
    await batch({ out: file, format: "receipt", service: "Chứng thực bản sao" });
    const pages = pdfText(file).split("\f").filter((p) => p.trim() !== "");
    expect(pages).toHaveLength(3);
    for (const page of pages) {
      expect(page.match(CODE)).toHaveLength(1);
      expect(squeeze(page)).toContain(squeeze(`Quét mã QR bằng Zalo (hoặc mở ${ZALO_LINK}) và gửi mã ở trên để đánh giá (khoảng 2 phút, không cần ghi tên).`));
      expect(page).not.toContain("Telegram");
    }
  });

  test.skipIf(!HAS_PDFTOTEXT)("A4 PDF: each slip says to scan with Zalo and send the code", async () => {
    const file = out("zalo-a4.pdf");
    await batch({ out: file, format: "a4", count: "4" });
    const text = flat(pdfReadingOrder(file));
    expect(text.match(CODE)).toHaveLength(4);
    expect(text.match(/Quét mã QR bằng Zalo/g)).toHaveLength(4);
    expect(text).not.toContain("Telegram");
  });

  test("neither a Telegram bot nor ZALO_BOT_LINK: an error saying what to give, nothing issued", async () => {
    delete process.env.ZALO_BOT_LINK;
    const before = await prisma.codeBatch.count();
    await expect(batch({ out: out("none.csv") })).rejects.toThrow("say how respondents open the bot: --bot <Telegram username> (or BOT_USERNAME), and/or ZALO_BOT_LINK=");
    expect(await prisma.codeBatch.count()).toBe(before);
  });
});

describe("codes batch with both channels", () => {
  test.skipIf(!HAS_PDFTOTEXT)("receipt and A4 slips offer Telegram (the QR) and Zalo (the link and the code)", async () => {
    const receipt = out("both-receipt.pdf");
    await batch({ out: receipt, format: "receipt", bot: "khaosat_bot", count: "1" });
    const r = flat(pdfText(receipt));
    expect(r).toContain("tìm @khaosat_bot trên Telegram");
    expect(squeeze(r)).toContain(squeeze(`Dùng Zalo: mở ${ZALO_LINK} và gửi mã ở trên.`));
    const a4 = out("both-a4.pdf");
    await batch({ out: a4, format: "a4", bot: "khaosat_bot", count: "2" });
    const a = flat(pdfReadingOrder(a4));
    expect(a.match(/tìm @khaosat_bot trong Telegram/g)).toHaveLength(2);
    expect(squeeze(a).split(squeeze(`Dùng Zalo: mở ${ZALO_LINK} và gửi mã ở trên.`))).toHaveLength(3);
    // The CSV keeps the Telegram deep link (it carries the code).
    const csv = out("both.csv");
    await batch({ out: csv, bot: "khaosat_bot", count: "1" });
    expect(readFileSync(csv, "utf8")).toMatch(/https:\/\/t\.me\/khaosat_bot\?start=KS_[2-9A-HJKMNP-Z]{10}/);
  });
});

describe("codes poster", () => {
  test.skipIf(!HAS_PDFTOTEXT)("with only Zalo: the QR opens the Zalo bot and the poster prints the KP_ text to send, which is the stored poster's", async () => {
    const before = await prisma.poster.count();
    const file = out("zalo-poster.pdf");
    expect(await posterCommand({ campaign: "sipas2026", unit: "UB_BD", out: file }, NOW)).toMatch(/one response per Zalo account per 30 days/);
    expect(await prisma.poster.count()).toBe(before + 1);
    const text = flat(pdfReadingOrder(file));
    expect(text).toContain("Quét mã QR bằng Zalo để mở bot khảo sát, rồi gửi tin nhắn in dưới đây.");
    expect(text).not.toContain("Telegram");
    const payload = /KP_[2-9A-HJKMNP-Z]{20}/.exec(text)?.[0];
    expect(payload).toBeDefined();
    const parsed = parsePosterPayload(payload!);
    expect(parsed.kind).toBe("poster");
    const stored = await prisma.poster.findFirst({ orderBy: { createdAt: "desc" }, where: { unitCode: "UB_BD" } });
    expect(parsed.kind === "poster" && hashPosterToken(parsed.token, new Secret(SECRET))).toBe(stored!.tokenHash);
  });

  test.skipIf(!HAS_PDFTOTEXT)("with both channels: Telegram's QR, and Zalo offered with the text to send", async () => {
    const file = out("both-poster.pdf");
    expect(await posterCommand({ campaign: "sipas2026", unit: "UB_BD", out: file, bot: "khaosat_bot" }, NOW)).toMatch(/one response per Telegram or Zalo account/);
    const text = flat(pdfReadingOrder(file));
    expect(text).toContain("Quét mã QR bằng camera điện thoại để mở Telegram.");
    expect(squeeze(text)).toContain(squeeze(`Dùng Zalo: mở ${ZALO_LINK} và gửi tin nhắn in dưới đây.`));
    expect(text).toMatch(/KP_[2-9A-HJKMNP-Z]{20}/);
  });

  test("with neither channel it is refused, saying how to name one; nothing stored", async () => {
    delete process.env.ZALO_BOT_LINK;
    const before = await prisma.poster.count();
    await expect(posterCommand({ campaign: "sipas2026", unit: "UB_BD", out: out("p.pdf") }, NOW)).rejects.toThrow("say how respondents open the bot");
    expect(await prisma.poster.count()).toBe(before);
  });
});
