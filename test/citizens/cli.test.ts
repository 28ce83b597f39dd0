import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { hashCode, normalizeCode } from "../../src/access/index.js";
import { hashPosterToken } from "../../src/citizens/index.js";
import { batchCommand, posterCommand } from "../../src/cli/commands/citizens.js";
import { CliError } from "../../src/cli/errors.js";
import { Secret } from "../../src/config/index.js";
import { createPrismaClient, type Prisma } from "../../src/db/client.js";
import { parseDatabaseUrl } from "../../src/db/connection.js";
import { migrateDatabase } from "../../src/db/migrate.js";

const SECRET = "citizens-cli-secret-0123456789abcdef012345";
const NOW = new Date("2026-03-10T02:00:00Z");
const dir = mkdtempSync(path.join(tmpdir(), "khaosat-citizens-cli-"));
const url = `file:${path.join(dir, "khaosat.db")}`;
const out = (name: string) => path.join(dir, name);
const HAS_PDFTOTEXT = spawnSync("pdftotext", ["-v"]).status === 0;
const saved = { DATABASE_URL: process.env.DATABASE_URL, CODE_SECRET: process.env.CODE_SECRET };
let prisma: Prisma;
let closeDb: () => Promise<void>;

function pdfText(file: string): string {
  return execFileSync("pdftotext", ["-layout", file, "-"], { encoding: "utf8" });
}

beforeAll(async () => {
  process.env.DATABASE_URL = url;
  process.env.CODE_SECRET = SECRET;
  await migrateDatabase(url);
  ({ prisma, close: closeDb } = createPrismaClient(parseDatabaseUrl(url)));
  const version = await prisma.questionnaireVersion.create({ data: { questionnaireId: "sipas", version: 1, fileName: "sipas.yaml", source: "x", sourceHash: "h" } });
  await prisma.campaign.create({
    data: { id: "sipas2026", name: "SIPAS 2026", questionnaireVersionPk: version.pk, opensAt: new Date("2026-03-01T00:00:00Z"), closesAt: new Date("2026-06-01T00:00:00Z") },
  });
  await prisma.unit.create({ data: { campaignId: "sipas2026", code: "UB_BD", name: "UBND phường Ba Đình" } });
}, 120_000);

afterAll(async () => {
  await closeDb();
  rmSync(dir, { recursive: true, force: true });
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

const batch = (extra: Record<string, string>) => batchCommand({ campaign: "sipas2026", unit: "UB_BD", count: "3", bot: "khaosat_bot", out: out("x.csv"), ...extra }, NOW);

describe("khaosat codes batch", () => {
  test("CSV: N codes for the unit and service, stored only as keyed hashes in one batch", async () => {
    const file = out("batch.csv");
    const printed = await batch({ out: file, service: "Đăng ký kết hôn" });
    const stored = await prisma.codeBatch.findMany();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ campaignId: "sipas2026", unitCode: "UB_BD", service: "Đăng ký kết hôn", kind: "csv", count: 3 });
    expect(printed).toBe(
      // What was made and where; the batch's internal id is not printed (no command takes it).
      `issued 3 anonymous single-use codes for UBND phường Ba Đình (UB_BD), service "Đăng ký kết hôn" in campaign "SIPAS 2026" (sipas2026)\n` +
        `wrote ${file} (a CSV table, one code and its bot link a row): it is the only copy of these codes; keep it safe until they are handed out\n`,
    );
    const rows = readFileSync(file, "utf8").replace(/^\uFEFF/, "").trim().split("\r\n").map((l) => l.split(","));
    expect(rows[0]).toEqual(["unit_code", "unit", "service", "code", "link"]);
    expect(rows).toHaveLength(4);
    const codes = await prisma.accessCode.findMany({ where: { batchId: stored[0]!.id } });
    expect(codes).toHaveLength(3);
    for (const row of rows.slice(1)) {
      expect(row.slice(0, 3)).toEqual(["UB_BD", "UBND phường Ba Đình", "Đăng ký kết hôn"]);
      const code = normalizeCode(row[3]!);
      if (!code.ok) throw new Error("bad code in file");
      expect(row[4]).toBe(`https://t.me/khaosat_bot?start=KS_${code.code}`);
      const match = codes.find((c) => c.codeHash === hashCode(code.code, new Secret(SECRET)));
      expect(match).toMatchObject({ respondentId: null, unitCode: "UB_BD", service: "Đăng ký kết hôn", status: "active", boundAccount: null });
      // The plain code is nowhere in the database.
      expect(JSON.stringify(codes)).not.toContain(code.code);
    }
  });

  test("CSV: a service name that a spreadsheet would run as a formula is written as text", async () => {
    const file = out("hostile.csv");
    await batch({ out: file, service: "=HYPERLINK(\"http://evil.example\")" });
    const rows = readFileSync(file, "utf8").replace(/^\uFEFF/, "").trim().split("\r\n");
    for (const row of rows.slice(1)) expect(row.startsWith(`UB_BD,UBND phường Ba Đình,"'=HYPERLINK(""http://evil.example"")",`)).toBe(true);
  });

  test.skipIf(!HAS_PDFTOTEXT)("receipt PDF: one slip a page with the unit, service, code and Vietnamese instructions", async () => {
    const file = out("receipt.pdf");
    await batch({ out: file, format: "receipt", service: "Chứng thực bản sao" });
    const text = pdfText(file);
    const pages = text.split("\f").filter((p) => p.trim() !== "");
    expect(pages).toHaveLength(3);
    for (const page of pages) {
      expect(page).toContain("UBND phường Ba Đình");
      expect(page).toContain("Chứng thực bản sao");
      expect(page).toMatch(/[2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5}/);
      expect(page.replace(/\s+/g, " ")).toContain("không cần ghi tên");
      expect(page).toContain("Hạn trả lời: 07:00 ngày 01/06/2026");
    }
  });

  test.skipIf(!HAS_PDFTOTEXT)("--lang en: the receipts' and the A4 slips' printed texts in English", async () => {
    await batch({ out: out("receipt-en.pdf"), format: "receipt", count: "2", lang: "en" });
    const receipts = pdfText(out("receipt-en.pdf"));
    expect(receipts.match(/RATE OUR SERVICE/g)).toHaveLength(2);
    expect(receipts.match(/Answer by: 07:00 on 01\/06\/2026/g)).toHaveLength(2);
    expect(receipts).not.toMatch(/PHIẾU|Quét|Hạn trả lời/);
    await batch({ out: out("a4-en.pdf"), format: "a4", count: "2", lang: "EN" });
    const slips = pdfText(out("a4-en.pdf"));
    expect(slips.match(/Answer by: 07:00 on 01\/06\/2026/g)).toHaveLength(2);
    expect(slips).not.toMatch(/Hạn trả lời/);
  });

  test.skipIf(!HAS_PDFTOTEXT)("A4 PDF: cut-out slips with the unit name exactly", async () => {
    const file = out("a4.pdf");
    await batch({ out: file, format: "a4", count: "9" });
    const pages = pdfText(file).split("\f").filter((p) => p.trim() !== "");
    expect(pages).toHaveLength(2);
    // Nine slips and the header of each of the unit's two pages.
    expect(pdfText(file).match(/UBND phường Ba Đình/g)).toHaveLength(11);
    expect(pdfText(file).match(/UBND phường Ba Đình · trang \d\/2/g)).toEqual(["UBND phường Ba Đình · trang 1/2", "UBND phường Ba Đình · trang 2/2"]);
    // Each slip says until when to answer: the campaign's close (2026-06-01T00:00Z) in its zone (Viet Nam's).
    expect(pdfText(file).match(/Hạn trả lời: 07:00 ngày 01\/06\/2026/g)).toHaveLength(9);
  });

  test("a new unit needs its name; with --unit-name it is added", async () => {
    await expect(batch({ unit: "UB_HK", out: out("hk.csv") })).rejects.toThrow(
      new CliError('campaign "sipas2026" has no unit "UB_HK"; give its name with --unit-name "..." to add it, or check the code'),
    );
    expect(existsSync(out("hk.csv"))).toBe(false);
    await batch({ unit: "UB_HK", unitName: "UBND phường Hoàn Kiếm", out: out("hk.csv") });
    expect(await prisma.unit.findUnique({ where: { campaignId_code: { campaignId: "sipas2026", code: "UB_HK" } } })).toMatchObject({ name: "UBND phường Hoàn Kiếm" });
  });

  test.each([
    [{ count: "0" }, "--count must be a whole number from 1 to 10000 (got 0)"],
    [{ count: "10001" }, "--count must be a whole number from 1 to 10000 (got 10001)"],
    [{ count: "ba" }, '--count must be a whole number (got "ba")'],
    [{ out: out("codes.xlsx") }, `--out: cannot tell the format of "${out("codes.xlsx")}": use a name ending in .csv or .pdf`],
    [{ out: out("r.pdf"), format: "letter" }, '--format: "letter" is not a slip layout; use a4 or receipt'],
    [{ campaign: "nope" }, /^no campaign "nope" in SQLite \S+\.db[^;]*; "khaosat campaign list" shows the campaigns$/],
    [{ bot: "x" }, '--bot: "x" is not a Telegram bot username: 5-32 letters, digits and underscores, starting with a letter'],
    [{ unit: "UB BD" }, '--unit "UB BD" is not a unit code: 1-64 letters, digits, "_", "." or "-"'],
    [{ service: "x".repeat(201) }, "--service is too long: at most 200 characters fit on a slip"],
    [{ lang: "fr" }, "--lang fr: slips and posters can be printed in Vietnamese (vi) or English (en); use one of those."],
  ])("refuses %j with a clear message and stores nothing", async (extra, message) => {
    const before = await prisma.accessCode.count();
    await expect(batch({ out: out(`bad-${Math.random()}.csv`), ...extra })).rejects.toThrow(typeof message === "string" ? new CliError(message) : message);
    expect(await prisma.accessCode.count()).toBe(before);
  });
});

describe("khaosat codes poster", () => {
  test("one reusable QR per poster; the token is stored only as a keyed hash; the PDF names the unit", async () => {
    const file = out("poster.pdf");
    const printed = await posterCommand({ campaign: "sipas2026", unit: "UB_BD", out: file, bot: "khaosat_bot", service: "Đăng ký kết hôn", periodDays: "14" }, NOW);
    const [poster] = await prisma.poster.findMany();
    expect(poster).toMatchObject({ campaignId: "sipas2026", unitCode: "UB_BD", service: "Đăng ký kết hôn", periodDays: 14, refused: 0 });
    expect(printed).toBe(
      `made a QR poster for UBND phường Ba Đình (UB_BD), service "Đăng ký kết hôn" in campaign "SIPAS 2026" (sipas2026); one response per Telegram account per 14 days\nwrote ${file}: print it and put it up at the unit's counter\n`,
    );
    expect(poster!.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    if (HAS_PDFTOTEXT) {
      const text = pdfText(file).replace(/\s+/g, " ");
      expect(text).toContain("UBND phường Ba Đình");
      expect(text).toContain("Đăng ký kết hôn");
      expect(text).toContain("Mỗi người đánh giá một lần trong 14 ngày.");
      expect(text).toContain("Hạn trả lời: 07:00 ngày 01/06/2026");
    }
    expect(hashPosterToken("X".repeat(20), new Secret(SECRET))).not.toBe(poster!.tokenHash);
  });

  test.skipIf(!HAS_PDFTOTEXT)("--lang en: the poster in English; an unknown language is refused before anything is stored", async () => {
    const before = await prisma.poster.count();
    await expect(posterCommand({ campaign: "sipas2026", unit: "UB_BD", out: out("p-fr.pdf"), bot: "khaosat_bot", lang: "fr" }, NOW)).rejects.toThrow(
      new CliError("--lang fr: slips and posters can be printed in Vietnamese (vi) or English (en); use one of those."),
    );
    expect(await prisma.poster.count()).toBe(before);
    expect(existsSync(out("p-fr.pdf"))).toBe(false);
    await posterCommand({ campaign: "sipas2026", unit: "UB_BD", out: out("poster-en.pdf"), bot: "khaosat_bot", periodDays: "14", lang: "en" }, NOW);
    const text = pdfText(out("poster-en.pdf")).replace(/\s+/g, " ");
    expect(text).toContain("Were you satisfied with our service today?");
    expect(text).toContain("Each person can give one rating every 14 days.");
    expect(text).toContain("Answer by: 07:00 on 01/06/2026");
    expect(text).toContain("UBND phường Ba Đình");
    expect(text).not.toMatch(/Ông\/Bà|Hạn trả lời/);
  });

  test("refuses a non-PDF output and a bad period", async () => {
    await expect(posterCommand({ campaign: "sipas2026", unit: "UB_BD", out: out("p.png"), bot: "khaosat_bot" }, NOW)).rejects.toThrow(
      new CliError("--out: a poster is a PDF; use a name ending in .pdf"),
    );
    await expect(posterCommand({ campaign: "sipas2026", unit: "UB_BD", out: out("p.pdf"), bot: "khaosat_bot", periodDays: "0" }, NOW)).rejects.toThrow(
      new CliError("--period-days must be a whole number of days from 1 to 3660 (got 0)"),
    );
    expect(existsSync(out("p.pdf"))).toBe(false);
  });
});
