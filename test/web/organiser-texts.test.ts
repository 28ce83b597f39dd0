// What a newcomer organiser reads on the flags page, the index page and the reports (HTML and PDF):
// each flag's reason and evidence in the console's language with the file's response_id (no names,
// no answers); the real reason for an empty ranking; groups by their labels in the PDF; a
// campaign's period as the respondents' texts say a deadline, in Vietnam's time.
import { execFileSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { importCampaignResponses } from "../../src/campaigns/index.js";
import { createI18n } from "../../src/i18n/index.js";
import type { ScoreReport } from "../../src/scoring/index.js";
import { emptyRankingReason } from "../../src/web/index-view.js";
import { createWebServer } from "../../src/web/server.js";
import { useTestDatabase } from "../support/db.js";
import { mulberry32 } from "../support/random.js";
import { responseReference } from "../../src/flags/index.js";
import { Client, clientsInBothLanguages } from "./http.js";
import { RESPONSES_HEADER, responseRow, seed, UNITS, type Seeded } from "./fixture.js";

const NOW = new Date("2026-12-05T03:00:00Z");
const pdftotext = ["/usr/bin/pdftotext", "/usr/local/bin/pdftotext"].find((p) => existsSync(p));
/** Page text as read: tags dropped, entities decoded, white space collapsed. */
const text = (body: string) =>
  body
    .replace(/<[^>]+>/g, " ")
    .replace(/&(quot|#39|lt|gt|amp);/g, (_, e: string) => ({ quot: '"', "#39": "'", lt: "<", gt: ">", amp: "&" })[e]!)
    .replace(/\s+/g, " ");

describe("the organiser's pages say why, in their language", { timeout: 180_000 }, () => {
  const ctx = useTestDatabase("sqlite");
  let s: Seeded;
  let app: FastifyInstance;
  let vi: Client;
  let en: Client;
  beforeAll(async () => {
    s = await seed(ctx.db(), ctx.prisma(), NOW);
    // One more response from a file: 5 minutes where the others took 20 (a speeder), every answer "1".
    const row = responseRow("FILE-77", "SO_TP", "leaders", 2, 1, mulberry32(3)).replace("T09:20:00", "T09:05:00");
    const campaign = (await ctx.db().campaigns.get(s.campaignId))!;
    const imported = await importCampaignResponses(ctx.db(), campaign, new TextEncoder().encode(`${RESPONSES_HEADER}\n${row}\n`), { now: NOW });
    if (!imported.imported) throw new Error(JSON.stringify(imported));
    app = await createWebServer({ db: ctx.db(), now: () => NOW, codeSecret: { reveal: () => "test-secret" }, botUsername: "khaosat_bot" });
    ({ vi, en } = await clientsInBothLanguages(app, s.users.viewer));
  }, 180_000);
  afterAll(async () => app?.close());

  const c = () => `/campaigns/${s.campaignId}`;

  test("flags page: each flag's reason and evidence in Vietnamese or English, the file's response_id; no names, no answers", async () => {
    const page = await vi.get(`${c()}/flags`);
    expect(page.statusCode).toBe(200);
    const shown = text(page.body);
    // The imported speeder: its reason, its evidence in Vietnamese, the file's response_id.
    const stored = await ctx.prisma().response.findFirstOrThrow({ where: { campaignId: s.campaignId, externalId: "FILE-77" } });
    expect(stored.flags).toContain("speeder");
    // The row starts with the response's reference (the internal id is not shown).
    expect(page.body).not.toContain(stored.id);
    const speederRow = new RegExp(`<tr><td><b class="response-ref">${responseReference(stored.id)}</b>.*?</tr>`, "s").exec(page.body)?.[0] ?? "";
    expect(text(speederRow)).toContain("response_id trong tệp: FILE-77");
    expect(text(speederRow)).toContain("Trả lời nhanh hơn mức có thể đọc hết câu hỏi.");
    expect(text(speederRow)).toContain("hoàn thành trong 5 phút, dưới một phần ba trung vị 20 phút");
    expect(shown).not.toContain("finished in");
    // No respondent's name, no account; the page says so.
    expect(shown).not.toMatch(/Người SO_/);
    expect(shown).toContain("không có tên, không có câu trả lời");

    const english = text((await en.get(`${c()}/flags`)).body);
    expect(english).toContain("File response_id: FILE-77");
    expect(english).toContain("Answered faster than the questions can be read.");
    expect(english).toContain("finished in 5 min, under a third of the median 20 min");
  });

  test("an empty ranking for want of appraisal points says so and how to load them, on the page and in both reports", async () => {
    await ctx.db().web.setAppraisal(s.campaignId, new Map());
    try {
      const page = text((await vi.get(`${c()}/index`)).body);
      expect(page).not.toContain("Chưa có đơn vị nào đủ số phiếu để xếp hạng");
      expect(page).toContain("Chưa xếp hạng được đơn vị nào: chưa có điểm thẩm định.");
      expect(page).toContain("trang Thao tác");
      const english = text((await en.get(`${c()}/index`)).body);
      expect(english).toContain("No unit can be ranked yet: no appraisal points are loaded.");
      expect(english).not.toContain("No unit has enough responses");
      const report = text((await vi.get(`${c()}/report.html`)).body);
      expect(report).toContain("Chưa xếp hạng được đơn vị nào: chưa có điểm thẩm định.");
      expect(report).toContain("No unit can be ranked yet: no appraisal points are loaded.");
      expect(report).not.toContain("No unit has enough responses");
      if (pdftotext) {
        const pdf = await pdfText(await vi.get(`${c()}/report.pdf`));
        expect(pdf).toContain("Chưa xếp hạng được đơn vị nào: chưa có điểm thẩm định.");
        expect(pdf).not.toContain("No unit has enough responses");
      }
    } finally {
      await ctx.db().web.setAppraisal(s.campaignId, new Map(UNITS.map((u) => [u.code, u.appraisal])));
    }
  });

  const pdfText = async (response: { rawPayload: Buffer; statusCode: number }) => {
    expect(response.statusCode).toBe(200);
    const file = path.join(s.dir, `report-${Math.random().toString(36).slice(2)}.pdf`);
    writeFileSync(file, response.rawPayload);
    return execFileSync(pdftotext!, ["-layout", file, "-"], { encoding: "utf8" }).replace(/\s+/g, " ");
  };

  test.skipIf(!pdftotext)("the PDF names groups by their labels, as the HTML report and the console do", async () => {
    const pdf = await pdfText(await vi.get(`${c()}/report.pdf`));
    expect(pdf).toContain("Công chức / Civil servants");
    expect(pdf).toMatch(/Lãnh đạo sở, ban, ngành,/);
    expect(pdf).not.toMatch(/ (officials|leaders) \d/); // was the id, followed by its counts
    const report = text((await vi.get(`${c()}/report.html`)).body);
    expect(report).toContain("Công chức / Civil servants");
    expect(report).not.toMatch(/>\s*officials\s*</);
  });

  test("times are written as the bots write them, in the campaign's zone (Vietnam): '10:00 ngày 05/12/2026', never ISO", async () => {
    // NOW is 2026-12-05T03:00:00Z: 10:00 in Ho Chi Minh City.
    const iso = /\b\d{4}-\d\d-\d\d[ T]\d\d:\d\d/;
    const report = text((await vi.get(`${c()}/report.html`)).body);
    expect(report).toContain("Lập lúc 10:00 ngày 05/12/2026 / Generated at 10:00 on 05/12/2026");
    expect(report).not.toMatch(iso);
    const overviewVi = text((await vi.get(c())).body);
    expect(overviewVi).toContain("Cập nhật lúc 10:00 ngày 05/12/2026;");
    expect(overviewVi).not.toMatch(iso);
    const overviewEn = text((await en.get(c())).body);
    expect(overviewEn).toContain("Updated at 10:00 on 05/12/2026;");
    expect(overviewEn).not.toMatch(iso);
    expect(text((await vi.get(`${c()}/index`)).body)).toContain("Tính trên các phiếu đã nộp đến 10:00 ngày 05/12/2026;");
    expect(text((await en.get(`${c()}/index`)).body)).toContain("Computed on the responses submitted up to 10:00 on 05/12/2026;");
    if (pdftotext) {
      const pdf = (await pdfText(await vi.get(`${c()}/report.pdf`))).replace(/\s+/g, " ");
      expect(pdf).toContain("Lập lúc 10:00 ngày 05/12/2026 / Generated at 10:00 on 05/12/2026");
      expect(pdf).not.toMatch(iso);
    }
  });

  test("the period is written as the respondents read a deadline: 'đến hết ngày …' for a midnight close, Vietnam time", async () => {
    const viPeriod = "từ 08:00 01/12/2026 đến hết ngày 10/12/2026 (giờ Việt Nam)";
    const enPeriod = "from 08:00 01/12/2026 until the end of 10/12/2026 (Vietnam time)";
    expect(text((await vi.get("/campaigns")).body)).toContain(viPeriod);
    expect(text((await en.get("/campaigns")).body)).toContain(enPeriod);
    const admin = new Client(app, "127.0.0.3");
    await admin.login(s.users.admin);
    expect(text((await admin.get(c())).body)).toContain(viPeriod);
    const report = text((await vi.get(`${c()}/report.html`)).body);
    expect(report).toContain(`${viPeriod} / ${enPeriod}`);
    expect(report).not.toContain("2026-12-11 00:00");
    if (pdftotext) {
      const pdf = await pdfText(await vi.get(`${c()}/report.pdf`));
      expect(pdf).toContain("đến hết ngày 10/12/2026 (giờ Việt Nam)");
      expect(pdf).toContain("until the end of 10/12/2026 (Vietnam time)");
      expect(pdf).not.toContain("Asia/");
    }
    // A close at another time of day is written with its time.
    await ctx.prisma().campaign.update({ where: { id: s.campaignId }, data: { closesAt: new Date("2026-12-10T10:00:00Z") } });
    try {
      expect(text((await vi.get("/campaigns")).body)).toContain("từ 08:00 01/12/2026 đến 17:00 10/12/2026 (giờ Việt Nam)");
    } finally {
      await ctx.prisma().campaign.update({ where: { id: s.campaignId }, data: { closesAt: new Date("2026-12-10T17:00:00Z") } });
    }
  });
});

test("an empty ranking for too few responses names the minimum; no appraisal comes first, as loading it would rank those units", () => {
  const i18n = createI18n();
  const report = (reasons: string[]) => ({ kind: "points", units: [], excluded: reasons.map((reason, i) => ({ unit: `U${i}`, reason, responses: 3, counted: 3 })) }) as unknown as ScoreReport;
  expect(emptyRankingReason(i18n.getFixedT("vi", "web"), report(["insufficient_responses"]), 5)).toBe("Chưa có đơn vị nào đủ 5 phiếu được tính để xếp hạng.");
  expect(emptyRankingReason(i18n.getFixedT("en", "web"), report(["insufficient_responses"]), 5)).toBe("No unit has the 5 counted responses needed to be ranked yet.");
  expect(emptyRankingReason(i18n.getFixedT("en", "web"), report(["insufficient_responses", "missing_appraisal"]), 5)).toMatch(/^No unit can be ranked yet: no appraisal points are loaded\./);
});
