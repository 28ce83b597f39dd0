import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { Secret } from "../../src/config/index.js";
import { hashCode, normalizeCode } from "../../src/access/index.js";
import { main } from "../../src/cli/main.js";
import { createPrismaClient, type Prisma } from "../../src/db/client.js";
import { parseDatabaseUrl } from "../../src/db/connection.js";
import { migrateDatabase } from "../../src/db/migrate.js";
import { seedCampaign } from "./db-fixture.js";

const SECRET = "cli-test-secret-0123456789abcdef0123456789";
const dir = mkdtempSync(path.join(tmpdir(), "khaosat-cli-codes-"));
const url = `file:${path.join(dir, "khaosat.db")}`;
const out = (name: string) => path.join(dir, name);
let prisma: Prisma;
let closeDb: () => Promise<void>;
const saved = { DATABASE_URL: process.env.DATABASE_URL, CODE_SECRET: process.env.CODE_SECRET, BOT_USERNAME: process.env.BOT_USERNAME, ZALO_BOT_LINK: process.env.ZALO_BOT_LINK };

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const o = vi.spyOn(process.stdout, "write").mockImplementation((s) => ((stdout += String(s)), true));
  const e = vi.spyOn(process.stderr, "write").mockImplementation((s) => ((stderr += String(s)), true));
  process.exitCode = undefined;
  try {
    const code = await main(argv);
    return { code, stdout, stderr };
  } finally {
    o.mockRestore();
    e.mockRestore();
    process.exitCode = undefined;
  }
}

function csvRows(file: string): string[][] {
  return readFileSync(file, "utf8")
    .replace(/^\uFEFF/, "")
    .trim()
    .split("\r\n")
    .map((line) => line.split(","));
}

beforeAll(async () => {
  process.env.DATABASE_URL = url;
  process.env.CODE_SECRET = SECRET;
  await migrateDatabase(url);
  const client = createPrismaClient(parseDatabaseUrl(url));
  prisma = client.prisma;
  closeDb = client.close;
  const units = [
    { code: "SO_TP", name: "Sở Tư pháp" },
    { code: "SO_NV", name: "Sở Nội vụ" },
  ];
  await seedCampaign(prisma, "par2025", units, [
    { id: "r1", externalId: "CB001", fullName: "Nguyễn Văn An", unitCode: "SO_TP" },
    { id: "r2", externalId: "CB002", fullName: "Trần Thị Bích Ngọc", unitCode: "SO_NV" },
  ]);
  await seedCampaign(prisma, "other", units, [{ id: "o1", externalId: "CB001", fullName: "Nguyễn Văn An", unitCode: "SO_TP" }]);
}, 120_000);

afterAll(async () => {
  await closeDb();
  rmSync(dir, { recursive: true, force: true });
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

describe("khaosat codes", () => {
  test("issue writes one row per respondent; the stored hashes match the written codes", async () => {
    const result = await run("codes", "issue", "--campaign", "par2025", "--out", out("codes.csv"), "--bot", "khaosat_bot");
    expect(result).toEqual({
      code: 0,
      stderr: "",
      stdout: `issued 2 codes for campaign "PAR 2025 par2025" (par2025)\nwrote ${out("codes.csv")} (csv): it is the only copy of these codes; keep it safe and delete it once the slips are handed out\n`,
    });
    if (process.platform !== "win32") expect(statSync(out("codes.csv")).mode & 0o777).toBe(0o600);
    const rows = csvRows(out("codes.csv"));
    expect(rows[0]).toEqual(["external_id", "full_name", "unit", "service", "code", "link"]);
    // By unit (Sở Nội vụ before Sở Tư pháp), whatever the respondents file's order.
    expect(rows.slice(1).map((r) => r.slice(0, 4))).toEqual([
      ["CB002", "Trần Thị Bích Ngọc", "Sở Nội vụ", ""],
      ["CB001", "Nguyễn Văn An", "Sở Tư pháp", ""],
    ]);
    const secret = new Secret(SECRET);
    for (const [, , , , grouped, link] of rows.slice(1)) {
      expect(grouped).toMatch(/^[2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5}$/);
      const parsed = normalizeCode(grouped ?? "");
      if (!parsed.ok) throw new Error("bad code in file");
      expect(link).toBe(`https://t.me/khaosat_bot?start=KS_${parsed.code}`);
      const stored = await prisma.accessCode.findUnique({ where: { codeHash: hashCode(parsed.code, secret) } });
      expect(stored).toMatchObject({ campaignId: "par2025", status: "active" });
    }
    // No temporary file left behind.
    expect(readdirSync(dir).filter((f) => f.includes("partial"))).toEqual([]);
  });

  test("issuing again gives nobody a second code and writes nothing", async () => {
    const result = await run("codes", "issue", "--campaign", "par2025", "--out", out("again.xlsx"), "--bot", "khaosat_bot");
    expect(result.stdout).toBe(`every respondent of campaign "par2025" already holds an active code; nothing issued, ${out("again.xlsx")} not written\n`);
    expect(existsSync(out("again.xlsx"))).toBe(false);
    expect(await prisma.accessCode.count({ where: { campaignId: "par2025" } })).toBe(2);
  });

  test.each([
    [["--out", out("codes.csv")], `khaosat: --out: ${out("codes.csv")} already exists; it may hold the only copy of codes issued earlier. Choose another file name\n`],
    [["--out", out("codes.txt")], `khaosat: --out: cannot tell the format of "${out("codes.txt")}": use a name ending in .csv, .xlsx or .pdf\n`],
    [["--out", path.join(dir, "missing", "c.csv")], `khaosat: --out: the folder ${path.join(dir, "missing")} does not exist\n`],
    [["--out", out("x.csv"), "--bot", "not a bot"], 'khaosat: --bot: "not a bot" is not a Telegram bot username: 5-32 letters, digits and underscores, starting with a letter\n'],
  ])("bad options are refused before anything is stored: %j", async (args, message) => {
    const before = await prisma.accessCode.count();
    const argv = ["codes", "issue", "--campaign", "other", "--bot", "khaosat_bot", ...args];
    const result = await run(...argv);
    expect(result).toEqual({ code: 1, stdout: "", stderr: message });
    expect(await prisma.accessCode.count()).toBe(before);
  });

  test("several --out files at once hold the same codes (slips and a mail-merge file)", async () => {
    await seedCampaign(prisma, "multi", [{ code: "SO_TP", name: "Sở Tư pháp" }], [
      { id: "m1", externalId: "M001", fullName: "Lê Văn Minh", unitCode: "SO_TP" },
      { id: "m2", externalId: "M002", fullName: "Phạm Thị Hoa", unitCode: "SO_TP" },
    ]);
    const files = [out("multi.csv"), out("multi.xlsx"), out("multi.pdf")];
    const result = await run("codes", "issue", "--campaign", "multi", ...files.flatMap((f) => ["--out", f]), "--bot", "khaosat_bot");
    expect(result).toEqual({
      code: 0,
      stderr: "",
      stdout: `issued 2 codes for campaign "PAR 2025 multi" (multi)\nwrote ${files[0]} (csv), ${files[1]} (xlsx), ${files[2]} (pdf), the same codes in each: they are the only copies of these codes; keep them safe and delete them once the slips are handed out\n`,
    });
    const csvCodes = csvRows(files[0]!).slice(1).map((r) => r[4]);
    const ExcelJS = (await import("exceljs")).default;
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(files[1]!);
    const xlsxCodes: unknown[] = [];
    workbook.worksheets[0]!.eachRow((row, n) => void (n > 1 && xlsxCodes.push(row.getCell(5).value)));
    expect(xlsxCodes).toEqual(csvCodes);
    expect(statSync(files[2]!).size).toBeGreaterThan(1000);
    if (spawnSync("pdftotext", ["-v"]).error === undefined) {
      // The slips in the files' order (by unit, then name), each with the campaign's close (2025-04-01T00:00Z) in Viet Nam's time.
      const text = execFileSync("pdftotext", ["-enc", "UTF-8", "-raw", files[2]!, "-"], { encoding: "utf8" });
      expect(csvRows(files[0]!).slice(1).map((r) => r[1])).toEqual(["Lê Văn Minh", "Phạm Thị Hoa"]);
      expect(text.match(/[2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5}/g)).toEqual(csvCodes);
      expect(text.match(/Hạn trả lời: 07:00 ngày 01\/04\/2025/g)).toHaveLength(2);
    }
    for (const f of files) expect(statSync(f).mode & 0o777).toBe(0o600);
    const stored = await prisma.accessCode.findMany({ where: { campaignId: "multi" } });
    expect(stored.map((c) => c.codeHash).sort()).toEqual(
      csvCodes.map((c) => {
        const n = normalizeCode(c!);
        if (!n.ok) throw new Error("bad code");
        return hashCode(n.code, new Secret(SECRET));
      }).sort(),
    );
    expect(readdirSync(dir).filter((n) => n.endsWith(".partial") || n.startsWith(".khaosat-issue-"))).toEqual([]);
  });

  test("the same --out named twice is refused", async () => {
    const result = await run("codes", "issue", "--campaign", "other", "--out", out("twice.csv"), "--out", out("twice.csv"), "--bot", "khaosat_bot");
    expect(result).toEqual({ code: 1, stdout: "", stderr: `khaosat: --out: ${out("twice.csv")} is named twice\n` });
  });

  test("an unknown campaign is named", async () => {
    const result = await run("codes", "issue", "--campaign", "nope", "--out", out("n.csv"), "--bot", "khaosat_bot");
    expect(result).toMatchObject({ code: 1, stdout: "" });
    // The database looked in is named: the default file is relative to the folder the command runs in.
    expect(result.stderr).toMatch(/^khaosat: no campaign "nope" in SQLite \S+\.db[^;]*; "khaosat campaign list" shows the campaigns\n$/);
  });

  test("revoke needs --campaign when the external id is in several campaigns", async () => {
    const result = await run("codes", "revoke", "--respondent", "CB001");
    expect(result).toEqual({ code: 1, stdout: "", stderr: 'khaosat: external_id "CB001" is in campaigns "other", "par2025"; say which with --campaign\n' });
    expect(await run("codes", "revoke", "--respondent", "NOPE")).toMatchObject({ code: 1, stderr: 'khaosat: no respondent with external_id "NOPE" in any campaign\n' });
  });

  test("revoke, then reissue to a PDF slip", async () => {
    const revoked = await run("codes", "revoke", "--respondent", "CB002");
    expect(revoked.stdout).toBe(
      // The suggested command as it runs here: a free file name, --bot since nothing configures the bot.
      'revoked the code of Trần Thị Bích Ngọc (CB002) of campaign "PAR 2025 par2025" (par2025); to issue a new one, run: khaosat codes reissue --respondent CB002 --campaign par2025 --out new-code-CB002.pdf --bot BOT_NAME' +
        " (BOT_NAME is your Telegram bot's username, e.g. khaosat_bot; with BOT_USERNAME or ZALO_BOT_LINK set in .env, --bot is not needed)\n",
    );
    expect(await prisma.accessCode.findMany({ where: { respondentId: "r2" }, select: { status: true } })).toEqual([{ status: "revoked" }]);
    expect((await run("codes", "revoke", "--respondent", "CB002", "--campaign", "par2025")).stdout).toBe(
      'Trần Thị Bích Ngọc (CB002) of campaign "PAR 2025 par2025" (par2025) holds no active code; nothing revoked\n',
    );

    const reissued = await run("codes", "reissue", "--respondent", "CB001", "--campaign", "par2025", "--out", out("cb001.pdf"), "--bot", "khaosat_bot");
    expect(reissued).toEqual({
      code: 0,
      stderr: "",
      stdout: `issued a new code to Nguyễn Văn An (CB001) of campaign "PAR 2025 par2025" (par2025) (any earlier code is revoked); wrote ${out("cb001.pdf")} (pdf)\n`,
    });
    const codes = await prisma.accessCode.findMany({ where: { respondentId: "r1" }, orderBy: { issuedAt: "asc" }, select: { status: true } });
    expect(codes.map((c) => c.status).sort()).toEqual(["active", "revoked"]);
    const audit = await prisma.auditEvent.findMany({ where: { kind: "access.code_revoked" }, orderBy: { id: "asc" } });
    expect(audit.map((a) => [a.campaignId, a.actor, JSON.parse(a.data)])).toEqual([
      ["par2025", "cli", { respondentId: "r2", count: 1 }],
      ["par2025", "cli", { respondentId: "r1", count: 1 }],
    ]);
    if (spawnSync("pdftotext", ["-v"]).error === undefined) {
      const text = execFileSync("pdftotext", ["-enc", "UTF-8", out("cb001.pdf"), "-"], { encoding: "utf8" }).replace(/\s+/g, " ");
      expect(text).toContain("Nguyễn Văn An");
      expect(text).toContain("Sở Tư pháp");
      expect(text).toMatch(/[2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5}/);
      expect(text).toContain("Hạn trả lời: 07:00 ngày 01/04/2025");
    }
  });

  test("codes issue --help says when --bot is needed", async () => {
    const { stdout } = await run("codes", "issue", "--help");
    expect(stdout.replace(/\s+/g, " ")).toContain("Needed unless BOT_USERNAME is set (environment or .env), which is then the default");
  });

  test("--bot defaults to BOT_USERNAME and can still be overridden", async () => {
    delete process.env.BOT_USERNAME;
    const missing = await run("codes", "reissue", "--respondent", "CB001", "--campaign", "other", "--out", out("none.csv"));
    expect(missing.stderr).toContain("say how respondents open the bot: --bot <Telegram username> (or BOT_USERNAME), and/or ZALO_BOT_LINK=");
    process.env.BOT_USERNAME = "@khaosat_env_bot";
    try {
      expect((await run("codes", "reissue", "--respondent", "CB001", "--campaign", "other", "--out", out("env.csv"))).code).toBe(0);
      expect(csvRows(out("env.csv"))[1]!.join(",")).toContain("https://t.me/khaosat_env_bot?start=");
      expect((await run("codes", "reissue", "--respondent", "CB001", "--campaign", "other", "--out", out("flag.csv"), "--bot", "khaosat_flag_bot")).code).toBe(0);
      expect(csvRows(out("flag.csv"))[1]!.join(",")).toContain("https://t.me/khaosat_flag_bot?start=");
    } finally {
      delete process.env.BOT_USERNAME;
    }
  });

  test("only Zalo configured: no --bot needed; slips carry the Zalo link as QR and say to send the code in Zalo; both configured: both offered", async () => {
    delete process.env.BOT_USERNAME;
    process.env.ZALO_BOT_LINK = "https://zalo.me/s/khaosat-test";
    try {
      const csv = await run("codes", "reissue", "--respondent", "CB001", "--campaign", "other", "--out", out("zalo.csv"));
      expect(csv.code).toBe(0);
      expect(csvRows(out("zalo.csv"))[1]!.join(",")).toContain("https://zalo.me/s/khaosat-test");
      expect((await run("codes", "reissue", "--respondent", "CB001", "--campaign", "other", "--out", out("zalo.pdf"))).code).toBe(0);
      expect((await run("codes", "reissue", "--respondent", "CB001", "--campaign", "other", "--out", out("both.pdf"), "--bot", "khaosat_bot")).code).toBe(0);
      if (spawnSync("pdftotext", ["-v"]).error === undefined) {
        const zalo = execFileSync("pdftotext", ["-enc", "UTF-8", out("zalo.pdf"), "-"], { encoding: "utf8" }).replace(/\s+/g, " ");
        expect(zalo).toContain("Quét mã QR bằng Zalo");
        expect(zalo).toContain("gửi mã ở trên");
        expect(zalo).not.toContain("Telegram");
        expect(zalo).toMatch(/[2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5}/);
        const both = execFileSync("pdftotext", ["-enc", "UTF-8", out("both.pdf"), "-"], { encoding: "utf8" }).replace(/\s+/g, " ");
        expect(both).toContain("Telegram");
        expect(both).toContain("Dùng Zalo");
      }
    } finally {
      delete process.env.ZALO_BOT_LINK;
    }
  });
});
