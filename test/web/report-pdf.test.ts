// The report as a PDF, from the CLI (`khaosat report --out report.pdf`, `--format pdf`) and from the
// console's button: its text extracted with pdftotext (poppler-utils) must carry the Vietnamese
// texts exactly, every unit's row with its counts, the charts' labels (vector text, not pictures),
// the small-cell rule and no respondent's name. Skipped, saying why, where pdftotext is missing.
import { execFile, execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createWebServer } from "../../src/web/server.js";
import { useTestDatabase } from "../support/db.js";
import { Client } from "./http.js";
import { seed, UNITS, type Seeded } from "./fixture.js";
import { seedProvince } from "./province.js";

const run = promisify(execFile);
const pdftotext = ["/usr/bin/pdftotext", "/usr/local/bin/pdftotext"].find((p) => existsSync(p));
const NOW = new Date("2026-12-05T03:00:00Z");

/** The PDF's text, laid out as on the page (one table row per line). */
function pdfText(file: string): string {
  return execFileSync(pdftotext!, ["-layout", file, "-"], { encoding: "utf8" });
}

describe.skipIf(!pdftotext)(pdftotext ? "report as PDF" : "report as PDF (skipped: pdftotext not found; apt-get install poppler-utils)", { timeout: 180_000 }, () => {
  const ctx = useTestDatabase("sqlite");
  let s: Seeded;
  let app: FastifyInstance;
  let province: Awaited<ReturnType<typeof seedProvince>>;
  beforeAll(async () => {
    s = await seed(ctx.db(), ctx.prisma(), NOW);
    province = await seedProvince(ctx.db(), ctx.prisma(), NOW);
    app = await createWebServer({ db: ctx.db(), now: () => NOW, codeSecret: { reveal: () => "test-secret" }, botUsername: "khaosat_bot" });
  }, 180_000);
  afterAll(async () => app?.close());

  const cli = (args: string[]) => run(process.execPath, ["bin/khaosat.js", "report", ...args], { env: { ...process.env, DATABASE_URL: ctx.url() } });

  test("`report --out report.pdf`: bilingual text, each unit's row with its counts, the charts as text, small cells withheld, no names", async () => {
    const out = path.join(s.dir, "report.pdf");
    const { stderr } = await cli(["--campaign", s.campaignId, "--out", out]);
    expect(stderr).toBe(`wrote ${out}\n`);
    expect(readFileSync(out).subarray(0, 5).toString()).toBe("%PDF-");
    const text = pdfText(out);
    expect(text).toContain("Chỉ số CCHC 2026");
    const flat = text.replace(/\s+/g, " ");
    expect(text).toContain("Báo cáo đợt khảo sát / Campaign report");
    expect(flat).toContain("Tham gia theo đơn vị (thấp nhất trước) / Participation per unit (worst first)");
    // The participation table: one line per unit with its name, code, sampled, submitted, in progress and rate.
    for (const u of UNITS) {
      const inProgress = u.code === "SO_TC" ? 2 : 0;
      const row = new RegExp(`^(.*)\\s${u.code}\\s+10\\s+${u.submitted}\\s+${inProgress}\\s+${(u.submitted * 10).toFixed(1)}%$`, "m").exec(text);
      expect(row, u.code).not.toBeNull();
      expect(u.name.startsWith(row![1]!.trim()), u.code).toBe(true); // the name's first line (a long one wraps)
    }
    // The charts are vector text: legends, the deadline, the slope chart's headings and names.
    expect(text).toContain("Hạn chót / Deadline");
    expect(text).toMatch(/Đã nộp \/ Submitted/);
    expect(text).toContain("Hạng thẩm định /");
    // The ranking table's headings are bilingual, like the HTML report's.
    expect(text).toMatch(/Hạng \/ Rank|Xếp hạng \/ Rank/);
    // UBND_AP has 3 responses (< minResponses 5): withheld, with the reason, and in no ranking row.
    expect(flat).toContain("UBND xã An Phú <script>alert(1)</script> (UBND_AP): ẩn: chưa đủ 5 phiếu");
    const rankingRows = text.split("\n").filter((l) => /^\s*\d+\s+\S.*\(UBND_AP\)/.test(l));
    expect(rankingRows).toEqual([]);
    // Component indices per ranked unit (two decimals); the withheld unit has none.
    expect(flat).toContain("Chỉ số thành phần theo đơn vị / Component indices per unit");
    expect(text).toMatch(/^\s*Sở Tư pháp \(SO_TP\)(\s+(\d+,\d\d|–))+\s*$/m);
    expect(text).not.toMatch(/\(UBND_AP\)(\s+\d+,\d\d)+\s*$/m);
    expect(text).not.toContain("Người SO_"); // no respondent's name anywhere
    expect(text).toMatch(/Trang 1\/\d+ \/ Page 1 of \d+/);
    const audit = await ctx.db().web.auditPage({ limit: 5 });
    expect(audit.find((e) => e.kind === "report.written")?.data).toEqual({ file: out, format: "pdf" });
  });

  test("`--format pdf` whatever the extension; an unknown format is refused and nothing written", async () => {
    const out = path.join(s.dir, "report.out");
    await cli(["--campaign", s.campaignId, "--out", out, "--format", "pdf"]);
    expect(readFileSync(out).subarray(0, 5).toString()).toBe("%PDF-");
    const bad = path.join(s.dir, "report.docx");
    const failed = await cli(["--campaign", s.campaignId, "--out", bad, "--format", "docx"]).then(
      () => null,
      (error: { stderr: string; code: number }) => error,
    );
    expect(failed?.code).not.toBe(0);
    expect(failed?.stderr).toContain("--format must be html or pdf");
    expect(existsSync(bad)).toBe(false);
  });

  test("the console's button serves the same PDF to a viewer, audited; a coordinator is refused", async () => {
    const viewer = new Client(app);
    expect((await viewer.login(s.users.viewer)).statusCode).toBe(302);
    const overview = await viewer.get(`/campaigns/${s.campaignId}`);
    expect(overview.body).toContain(`href="/campaigns/${s.campaignId}/report.pdf"`);
    const response = await viewer.get(`/campaigns/${s.campaignId}/report.pdf`);
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toBe("application/pdf");
    const file = path.join(s.dir, "served.pdf");
    (await import("node:fs")).writeFileSync(file, response.rawPayload);
    const text = pdfText(file);
    expect(text).toContain("Báo cáo đợt khảo sát / Campaign report");
    expect(text).toMatch(/Sở Y tế\s+SO_YT\s+10\s+5\s+0\s+50,0%/);
    const coordinator = new Client(app);
    await coordinator.login(s.users.coordinator);
    expect((await coordinator.get(`/campaigns/${s.campaignId}/report.pdf`)).statusCode).toBe(403);
  });

  test("a province (84 units): every unit's row, long names whole, the charts over several pages", async () => {
    const out = path.join(s.dir, "province.pdf");
    await cli(["--campaign", province.campaignId, "--out", out]);
    const text = pdfText(out);
    const flat = text.replace(/\s+/g, " ");
    for (const u of province.units) expect(text, u.code).toMatch(new RegExp(`\\s${u.code}\\s+6\\s+[0-6]\\s+0\\s+\\d+,\\d%`));
    // Long names come out whole (a table cell or a chart label may wrap them onto two lines).
    expect(flat).toContain("Ủy ban nhân dân huyện Hoằng Hóa");
    expect(flat).toContain("Sở Lao động – Thương binh và Xã hội");
    for (const code of province.withheld) expect(flat).toContain(`(${code}): ẩn: chưa đủ 5 phiếu`);
    const pages = Number(/Trang 1\/(\d+)/.exec(text)?.[1]);
    expect(pages).toBeGreaterThan(4);
    expect(text).not.toContain("Người H");
  });
});
