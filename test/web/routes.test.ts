// Every route of the console through fastify.inject: who may use it (403 outside the role, nothing
// changed), the login and its throttle, CSRF, escaping, small cells and the coordinator's scope.
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createWebServer } from "../../src/web/server.js";
import { campaignScoringInput, streamCampaignResponses } from "../../src/campaigns/index.js";
import { scoreUnits } from "../../src/scoring/index.js";
import { formatScoreCsv } from "../../src/scoring/format/index.js";
import { MAX_FAILURES_PER_ACCOUNT } from "../../src/web/accounts.js";
import { describeDatabases } from "../support/db.js";
import { Client } from "./http.js";
import { seed, type Seeded } from "./fixture.js";

type Role = "anonymous" | "admin" | "viewer" | "coordinator";
const NOW = new Date("2026-12-05T03:00:00Z");

describeDatabases("web console routes", (ctx) => {
  let app: FastifyInstance;
  let s: Seeded;
  const clients = {} as Record<Role, Client>;
  beforeAll(async () => {
    s = await seed(ctx.db(), ctx.prisma(), NOW);
    app = await createWebServer({ db: ctx.db(), now: () => NOW, codeSecret: { reveal: () => "test-secret" }, botUsername: "khaosat_bot" });
    clients.anonymous = new Client(app);
    for (const role of ["admin", "viewer", "coordinator"] as const) {
      clients[role] = new Client(app);
      const r = await clients[role].login(s.users[role]);
      expect(r.statusCode).toBe(302);
    }
  }, 120_000);
  afterAll(async () => app?.close());

  // Each route with the roles allowed; the coordinator is scoped to SO_TC.
  const table = (): { method: "GET" | "POST"; pattern: string; url: string; allowed: readonly Role[]; form?: Record<string, string>; ok?: number }[] => {
    const c = `/campaigns/${s.campaignId}`;
    return [
      { method: "GET", pattern: "/campaigns", url: "/campaigns", allowed: ["admin", "viewer", "coordinator"] },
      { method: "GET", pattern: "/campaigns/:id", url: c, allowed: ["admin", "viewer"] },
      { method: "GET", pattern: "/campaigns/:id/units/:unit", url: `${c}/units/SO_TC`, allowed: ["admin", "viewer", "coordinator"] },
      { method: "GET", pattern: "/campaigns/:id/units/:unit", url: `${c}/units/SO_TP`, allowed: ["admin", "viewer"] },
      { method: "GET", pattern: "/campaigns/:id/index", url: `${c}/index`, allowed: ["admin", "viewer"] },
      { method: "GET", pattern: "/campaigns/:id/flags", url: `${c}/flags`, allowed: ["admin", "viewer"] },
      { method: "POST", pattern: "/campaigns/:id/flags/:response", url: `${c}/flags/none`, allowed: ["admin"], form: { decision: "accepted", reason: "checked" }, ok: 404 },
      { method: "GET", pattern: "/campaigns/:id/act", url: `${c}/act`, allowed: ["admin"] },
      // Admin: refused for the form's content (no file, expired upload, bad bot name), so nothing changes here either.
      { method: "POST", pattern: "/campaigns/:id/respondents/check", url: `${c}/respondents/check`, allowed: ["admin"], ok: 400 },
      { method: "POST", pattern: "/campaigns/:id/respondents/import", url: `${c}/respondents/import`, allowed: ["admin"], form: { upload: "nope" }, ok: 400 },
      { method: "POST", pattern: "/campaigns/:id/codes", url: `${c}/codes`, allowed: ["admin"], form: { format: "csv", bot: "x" }, ok: 400 },
      { method: "POST", pattern: "/campaigns/:id/codes/download", url: `${c}/codes/download`, allowed: ["admin"], form: { format: "csv", file: "nope", key: "nope" }, ok: 410 },
      { method: "POST", pattern: "/campaigns/:id/appraisal", url: `${c}/appraisal`, allowed: ["admin"], ok: 400 },
      { method: "POST", pattern: "/campaigns/:id/responses/check", url: `${c}/responses/check`, allowed: ["admin"], ok: 400 },
      { method: "POST", pattern: "/campaigns/:id/responses/import", url: `${c}/responses/import`, allowed: ["admin"], form: { upload: "nope" }, ok: 400 },
      { method: "GET", pattern: "/campaigns/:id/broadcast", url: `${c}/broadcast`, allowed: ["admin"] },
      { method: "POST", pattern: "/campaigns/:id/broadcast/preview", url: `${c}/broadcast/preview`, allowed: ["admin"], form: { audience: "all", text: " " }, ok: 422 },
      { method: "POST", pattern: "/campaigns/:id/broadcast/send", url: `${c}/broadcast/send`, allowed: ["admin"], form: { upload: "nope" }, ok: 400 },
      { method: "GET", pattern: "/campaigns/:id/broadcasts/:broadcast", url: `${c}/broadcasts/none`, allowed: ["admin", "viewer"], ok: 404 },
      { method: "POST", pattern: "/campaigns/:id/broadcasts/:broadcast/cancel", url: `${c}/broadcasts/none/cancel`, allowed: ["admin"], ok: 404 },
      { method: "GET", pattern: "/campaigns/:id/reminders", url: `${c}/reminders`, allowed: ["admin", "viewer"] },
      { method: "POST", pattern: "/campaigns/:id/reminders", url: `${c}/reminders`, allowed: ["admin"], form: { schedule: "every day" }, ok: 422 },
      { method: "POST", pattern: "/campaigns/:id/units/:unit/remind/preview", url: `${c}/units/NOPE/remind/preview`, allowed: ["admin"], ok: 404 },
      { method: "POST", pattern: "/campaigns/:id/units/:unit/remind/preview", url: `${c}/units/SO_TP/remind/preview`, allowed: ["admin"] },
      { method: "POST", pattern: "/campaigns/:id/units/:unit/remind/preview", url: `${c}/units/SO_TC/remind/preview`, allowed: ["admin", "coordinator"] },
      { method: "POST", pattern: "/campaigns/:id/units/:unit/remind", url: `${c}/units/SO_TC/remind`, allowed: ["admin", "coordinator"], form: { upload: "nope" }, ok: 400 },
      { method: "POST", pattern: "/campaigns/:id/units/:unit/remind", url: `${c}/units/SO_TP/remind`, allowed: ["admin"], form: { upload: "nope" }, ok: 400 },
      { method: "GET", pattern: "/campaigns/:id/report.html", url: `${c}/report.html`, allowed: ["admin", "viewer"] },
      { method: "GET", pattern: "/campaigns/:id/report.pdf", url: `${c}/report.pdf`, allowed: ["admin", "viewer"] },
      { method: "GET", pattern: "/campaigns/:id/responses.csv", url: `${c}/responses.csv`, allowed: ["admin", "viewer"] },
      { method: "GET", pattern: "/campaigns/:id/scores.csv", url: `${c}/scores.csv`, allowed: ["admin", "viewer"] },
      { method: "GET", pattern: "/audit", url: "/audit", allowed: ["admin"] },
    ];
  };
  const PUBLIC = new Set(["GET /static/:file", "GET /lang/:lang", "GET /", "GET /login", "POST /login", "POST /logout"]);

  test("every route of the server is in the role table (or public)", () => {
    const covered = new Set([...table().map((r) => `${r.method} ${r.pattern}`), ...PUBLIC]);
    const missing = app.consoleRoutes.map((r) => `${r.method} ${r.url}`).filter((r) => !covered.has(r));
    expect(missing).toEqual([]);
  });

  test("each role gets the page, a 403, or (signed out) the login page", async () => {
    for (const route of table()) {
      for (const role of ["anonymous", "admin", "viewer", "coordinator"] as const) {
        const client = clients[role];
        const response = route.method === "GET" ? await client.get(route.url) : await client.post(route.url, route.form ?? {});
        const what = `${role} ${route.method} ${route.url}`;
        if (role === "anonymous") {
          expect(response.statusCode, what).toBe(route.method === "GET" ? 302 : 401);
          if (route.method === "GET") expect(response.headers.location, what).toBe(`/login?next=${encodeURIComponent(route.url)}`);
        } else if (route.allowed.includes(role)) {
          expect(response.statusCode, what).toBe(route.ok ?? 200);
        } else {
          expect(response.statusCode, what).toBe(403);
          expect(response.body, what).toContain("Không có quyền");
        }
      }
    }
  }, 120_000);

  test("the overview shows participation per unit worst first, the chart, channels, and escapes unit names", async () => {
    const page = await clients.viewer.get(`/campaigns/${s.campaignId}`);
    expect(page.statusCode).toBe(200);
    expect(page.headers["content-security-policy"]).toContain("script-src 'self'");
    const body = page.body;
    expect(body).not.toContain("<script>alert(1)</script>");
    expect(body).toContain("UBND xã An Phú &lt;script&gt;alert(1)&lt;/script&gt;");
    // Worst first: An Phú (3/10) before Sở Y tế (5/10) before Sở Tài chính (6/10) … Bình Minh (9/10).
    const order = ["UBND xã An Phú", "Sở Y tế", "Sở Tài chính", "Sở Nội vụ", "Sở Tư pháp", "UBND xã Bình Minh"].map((n) => body.indexOf(`>${n}`));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(body).toMatch(/<svg[^>]*>/);
    expect(body).toContain("<b>38</b>"); // submitted, of 60 sampled
    expect(body).toContain("<b>60</b>");
    // Channel split: 38 = telegram 14 + zalo 13 + import 11.
    expect(body).toMatch(/Telegram<\/th><td class="num">14</);
    expect(body).toMatch(/Zalo<\/th><td class="num">13</);
    expect(body).toMatch(/nhập từ tệp<\/th><td class="num">11</);
  });

  test("the provisional index withholds the small unit and calls out the survey-vs-appraisal gap", async () => {
    const page = await clients.viewer.get(`/campaigns/${s.campaignId}/index`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("tạm tính");
    expect(page.body).toMatch(/An Phú &lt;script&gt;alert\(1\)&lt;\/script&gt; <span class="muted">UBND_AP<\/span>: ẩn: chưa đủ 5 phiếu/);
    expect(page.body).not.toMatch(/UBND_AP[^<]*<\/span><\/th><td/); // no ranking row for it
    expect(page.body).toContain('id="slope"');
    expect(page.body).toMatch(/<li class="alert">Sở Y tế: thẩm định hạng 1, khảo sát hạng 5, chung hạng 5<\/li>/);
  });

  test("the responses download is exactly what khaosat responses export writes (small cells withheld) and is audited", async () => {
    expect((await clients.viewer.get(`/campaigns/${s.campaignId}`)).body).toContain(`href="/campaigns/${s.campaignId}/responses.csv"`);
    const response = await clients.viewer.get(`/campaigns/${s.campaignId}/responses.csv`);
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toContain("text/csv");
    expect(response.headers["content-disposition"]).toMatch(/^attachment; filename="responses-[A-Za-z0-9_-]+\.csv"$/);
    let expected = "\uFEFF";
    const campaign = (await ctx.db().campaigns.get(s.campaignId))!;
    const counts = await streamCampaignResponses(ctx.db(), campaign, (chunk) => void (expected += chunk));
    expect(response.body).toBe(expected);
    expect(counts.count).toBeGreaterThan(0);
    expect(counts.withheld).toBeGreaterThan(0); // UBND_AP (3 responses) is under minResponses
    expect(response.body).not.toContain("UBND_AP");
    const audit = await ctx.prisma().auditEvent.findMany({ where: { kind: "web.responses_exported" } });
    expect(audit.length).toBeGreaterThan(0);
  });

  test("the scores download is what khaosat score --campaign --format csv computes (with the stored appraisal) and is audited", async () => {
    expect((await clients.viewer.get(`/campaigns/${s.campaignId}`)).body).toContain(`href="/campaigns/${s.campaignId}/scores.csv"`);
    const response = await clients.admin.get(`/campaigns/${s.campaignId}/scores.csv`);
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toContain("text/csv");
    const campaign = (await ctx.db().campaigns.get(s.campaignId))!;
    const stored = await ctx.db().web.appraisal(campaign.id);
    const input = await campaignScoringInput(ctx.db(), campaign, stored.size > 0 ? stored : undefined);
    const outcome = scoreUnits(input);
    if (!outcome.ok) throw new Error("the fixture does not score");
    expect(response.body).toBe(`\uFEFF${formatScoreCsv(outcome.report, input.questionnaire)}`);
    expect(response.body.split("\n").length).toBeGreaterThan(2);
    expect(await ctx.prisma().auditEvent.count({ where: { kind: "web.scores_exported" } })).toBeGreaterThan(0);
  });

  test("a coordinator sees their unit, names only when the campaign allows it", async () => {
    const c = `/campaigns/${s.campaignId}/units/SO_TC`;
    expect((await clients.coordinator.get(c)).body).not.toContain("Người SO_TC 9");
    await ctx.db().campaigns.updateSettings(s.campaignId, { coordinatorsSeeNames: true });
    const page = await clients.coordinator.get(c);
    expect(page.body).toContain("Người SO_TC 9");
    expect(page.body).not.toContain("Người SO_TC 1<"); // submitted: not listed
    expect(page.body).not.toContain("Người SO_TP");
    await ctx.db().campaigns.updateSettings(s.campaignId, { coordinatorsSeeNames: null });
  });

  test("a form without its CSRF token is refused and changes nothing", async () => {
    const flagged = await ctx.prisma().response.findFirstOrThrow({ where: { campaignId: s.campaignId, externalId: "R-SO_TP-1" } });
    await ctx.prisma().response.update({ where: { id: flagged.id }, data: { flags: '["speeder"]' } });
    const url = `/campaigns/${s.campaignId}/flags/${flagged.id}`;
    const refused = await clients.admin.post(url, { decision: "rejected", reason: "too fast" }, { csrf: false });
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain("Biểu mẫu đã hết hạn");
    const forged = await clients.admin.post(url, { decision: "rejected", reason: "too fast" }, { csrf: "forged-token" });
    expect(forged.statusCode).toBe(403);
    expect((await ctx.prisma().response.findUniqueOrThrow({ where: { id: flagged.id } })).flagDecision).toBeNull();
    // A viewer with a valid token is refused too.
    expect((await clients.viewer.post(url, { decision: "rejected", reason: "too fast" })).statusCode).toBe(403);
    expect((await ctx.prisma().response.findUniqueOrThrow({ where: { id: flagged.id } })).flagDecision).toBeNull();
    const done = await clients.admin.post(url, { decision: "rejected", reason: "too fast" });
    expect(done.statusCode).toBe(200);
    const stored = await ctx.prisma().response.findUniqueOrThrow({ where: { id: flagged.id } });
    expect([stored.flagDecision, stored.flagReason]).toEqual(["rejected", "too fast"]);
    // A refusal of the flags service is said in the user's language (Vietnamese here), and changes nothing.
    const noReason = await clients.admin.post(url, { decision: "accepted", reason: " " });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.body).toContain("--reason cần nêu lý do (lý do được lưu trong nhật ký kiểm tra)");
    expect((await ctx.prisma().response.findUniqueOrThrow({ where: { id: flagged.id } })).flagDecision).toBe("rejected");
    const audit = await ctx.db().audit.list({ kind: "web.csrf_refused" });
    expect(audit.length).toBeGreaterThanOrEqual(2);
  });

  test("login: wrong password refused; throttled per account, then per address; success audited", async () => {
    const attacker = new Client(app, "203.0.113.9");
    for (let i = 0; i < MAX_FAILURES_PER_ACCOUNT; i++) expect((await attacker.login(s.users.viewer, "wrong password!")).statusCode).toBe(401);
    const throttled = await attacker.login(s.users.viewer);
    expect(throttled.statusCode).toBe(429);
    expect(throttled.body).toContain("quá nhiều lần đăng nhập sai");
    expect(attacker.hasSession()).toBe(false);
    // From another address the right password for the same account is still refused while throttled.
    expect((await new Client(app, "198.51.100.7").login(s.users.viewer)).statusCode).toBe(429);
    // Per address: many accounts tried from one address.
    const sprayer = new Client(app, "203.0.113.10");
    for (let i = 0; i < 20; i++) await sprayer.login(`nobody${i}@example.org`, "wrong password!");
    expect((await sprayer.login(s.users.admin)).statusCode).toBe(429);
    const kinds = (await ctx.db().audit.list()).map((e) => e.kind);
    expect(kinds).toContain("web.login_throttled");
    expect(kinds).toContain("web.login");
  });

  test("the printable report: self-contained, bilingual, with the console's charts; also from the CLI", async () => {
    const served = await clients.viewer.get(`/campaigns/${s.campaignId}/report.html`);
    expect(served.statusCode).toBe(200);
    const { execFile } = await import("node:child_process");
    const { promisify } = await import("node:util");
    const { readFileSync } = await import("node:fs");
    const path = await import("node:path");
    const out = path.join(s.dir, "report.html");
    const cli = await promisify(execFile)(process.execPath, ["bin/khaosat.js", "report", "--campaign", s.campaignId, "--out", out], { env: { ...process.env, DATABASE_URL: ctx.url() } });
    expect(cli.stderr).toBe(`wrote ${out}\n`);
    for (const body of [served.body, readFileSync(out, "utf8")]) {
      expect(body).not.toMatch(/<script|<link|src="http|href="http/);
      expect(body).toContain("Báo cáo đợt khảo sát / Campaign report");
      expect(body).toContain("Tham gia theo đơn vị (thấp nhất trước) / Participation per unit (worst first)");
      // Participation, submissions per day, survey vs appraisal: each drawn wide (desk, print) and narrow (phone).
      expect((body.match(/<figure class="chart"/g) ?? []).length).toBe(3);
      expect((body.match(/<svg/g) ?? []).length).toBe(6);
      // The ranking table's headings are bilingual too (they come from the scoring module's labels).
      expect(body).toMatch(/<th scope="col" class="num">[^<]+ \/ Rank<\/th>/);
      // Decimals and rates as Vietnamese write them (the report is in Vietnamese): a decimal comma, as on the console.
      expect(body).toMatch(/<table id="components">[\s\S]*Sở Tư pháp \(SO_TP\)<\/th>(<td class="num">\d+,\d\d<\/td>)+/);
      expect(body).toMatch(/\d+,\d%/);
      expect(body).not.toMatch(/\d\.\d%/);
      expect(body).not.toMatch(/<table id="components">[\s\S]*\(UBND_AP\)/);
      expect(body).toContain('id="slope"');
      expect(body).toContain("UBND xã An Phú &lt;script&gt;");
      expect(body).toMatch(/UBND_AP<\/span>: ẩn: chưa đủ 5 phiếu/);
      expect(body).not.toContain("Người SO_"); // no names in the report
    }
  }, 120_000);

  test("respondents upload: a bad row is reported with its line and nothing is imported; a good file imports after the check", async () => {
    const c = `/campaigns/${s.campaignId}`;
    const before = await ctx.prisma().respondent.count({ where: { campaignId: s.campaignId } });
    const { respondentsCsv } = await import("./fixture.js");
    const bad = respondentsCsv(["NEW-1,Người mới,SO_TP,Sở Tư pháp,leaders,vi", "NEW-2,,SO_TP,Sở Tư pháp,nobody,vi"]);
    const refused = await clients.admin.upload(`${c}/respondents/check`, {}, { field: "file", name: "bad.csv", content: bad });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toMatch(/dòng 63: /);
    expect(refused.body.split("Chưa có gì được nhập").length - 1).toBe(1); // said once, above the list
    expect(refused.body).not.toContain("Không có gì được nhập");
    expect(refused.body).not.toContain("respondents/import");
    expect(await ctx.prisma().respondent.count({ where: { campaignId: s.campaignId } })).toBe(before);
    // A viewer cannot even check.
    expect((await clients.viewer.upload(`${c}/respondents/check`, {}, { field: "file", name: "ok.csv", content: bad })).statusCode).toBe(403);

    const good = respondentsCsv(["NEW-1,Người mới,SO_TP,Sở Tư pháp,leaders,vi"]);
    const checked = await clients.admin.upload(`${c}/respondents/check`, {}, { field: "file", name: "good.csv", content: good });
    expect(checked.statusCode).toBe(200);
    expect(checked.body).toContain("Tệp hợp lệ: 61 dòng");
    expect(await ctx.prisma().respondent.count({ where: { campaignId: s.campaignId } })).toBe(before);
    const upload = /name="upload" value="([0-9a-f]+)"/.exec(checked.body)![1]!;
    const imported = await clients.admin.post(`${c}/respondents/import`, { upload });
    expect(imported.statusCode).toBe(200);
    expect(imported.body).toContain("Đã nhập: 1 mới, 0 cập nhật, 60 không đổi.");
    expect(await ctx.prisma().respondent.count({ where: { campaignId: s.campaignId } })).toBe(before + 1);
    // The same upload cannot be imported twice.
    expect((await clients.admin.post(`${c}/respondents/import`, { upload })).statusCode).toBe(400);
  });

  test("codes: issued once, each format downloaded once from that showing (hashes only stored), refused to a viewer, nothing re-issued", async () => {
    const c = `/campaigns/${s.campaignId}`;
    expect((await clients.viewer.post(`${c}/codes`, { bot: "khaosat_bot" })).statusCode).toBe(403);
    expect(await ctx.prisma().accessCode.count({ where: { campaignId: s.campaignId } })).toBe(0);
    const issued = await clients.admin.post(`${c}/codes`, { bot: "khaosat_bot" });
    expect(issued.statusCode).toBe(200);
    const respondents = await ctx.prisma().respondent.count({ where: { campaignId: s.campaignId } });
    // The page confirms and warns as the CLI does, and offers the three formats.
    expect(issued.body).toContain(`Đã cấp ${respondents} mã`);
    expect(issued.body).toContain("Tệp tải về là bản duy nhất của các mã này");
    expect(issued.body).toContain("Chỉ hiển thị một lần.");
    expect(issued.body).not.toMatch(/[A-HJ-NP-Z2-9]{5}-[A-HJ-NP-Z2-9]{5}/);
    const forms = [...issued.body.matchAll(/name="file" value="([0-9a-f]{32})"><input type="hidden" name="key" value="([A-Za-z0-9_-]{43})"><input type="hidden" name="format" value="(pdf|xlsx|csv)">/g)].map((m) => ({ file: m[1]!, key: m[2]!, format: m[3]! }));
    expect(forms.map((f) => f.format)).toEqual(["pdf", "xlsx", "csv"]);
    // What waits in the database is sealed: no plain code in it, and the key is not stored.
    const waiting = await ctx.prisma().webUpload.findMany({ where: { kind: "codes" } });
    expect(waiting.length).toBe(3);
    // Only the slips' data waits (sealed, compact), once per format; the files are drawn at download.
    expect(waiting.every((w) => w.size < 16_000)).toBe(true);
    const sealed = Buffer.concat(waiting.map((w) => Buffer.from(w.bytes))).toString("latin1");
    const csvForm = forms.find((f) => f.format === "csv")!;
    const pdfForm = forms.find((f) => f.format === "pdf")!;
    // A wrong key (or another format's name) opens nothing and costs nothing: the file still waits.
    const wrongKey = await clients.admin.post(`${c}/codes/download`, { ...csvForm, key: `${csvForm.key.slice(0, -2)}${csvForm.key.endsWith("AA") ? "BA" : "AA"}` });
    expect(wrongKey.statusCode).toBe(410);
    expect(wrongKey.headers["content-type"]).toContain("text/html");
    expect((await clients.admin.post(`${c}/codes/download`, { ...csvForm, format: "pdf" })).statusCode).toBe(410);
    // Another admin (with the right key) is refused; the issuing admin still gets it afterwards.
    const { addUser } = await import("../../src/web/accounts.js");
    await addUser(ctx.db(), { email: "admin-other@example.org", role: "admin", password: "correct horse battery" }, "test", NOW);
    const otherAdmin = new Client(app, "127.0.0.9");
    expect((await otherAdmin.login("admin-other@example.org")).statusCode).toBe(302);
    expect((await otherAdmin.post(`${c}/codes/download`, csvForm)).statusCode).toBe(410);
    expect(await ctx.prisma().webUpload.count({ where: { kind: "codes" } })).toBe(3);
    const pdf = await clients.admin.post(`${c}/codes/download`, pdfForm);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers["content-type"]).toBe("application/pdf");
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe("%PDF-");
    const xlsx = await clients.admin.post(`${c}/codes/download`, forms.find((f) => f.format === "xlsx")!);
    expect(xlsx.statusCode).toBe(200);
    expect(xlsx.rawPayload.subarray(0, 2).toString()).toBe("PK");
    const download = await clients.admin.post(`${c}/codes/download`, csvForm);
    expect(download.statusCode).toBe(200);
    expect(download.headers["content-disposition"]).toMatch(/^attachment; filename="codes-/);
    expect(download.headers["cache-control"]).toBe("no-store");
    const codes = download.body.match(/[A-HJ-NP-Z2-9]{5}-[A-HJ-NP-Z2-9]{5}/g) ?? [];
    expect(new Set(codes).size).toBe(respondents);
    expect(download.body).toContain("https://t.me/khaosat_bot?start=KS_");
    // Each file once: the second download is refused, politely, and nothing waits any more.
    const twice = await clients.admin.post(`${c}/codes/download`, csvForm);
    expect(twice.statusCode).toBe(410);
    expect(twice.body).toContain("mỗi tệp phiếu mã chỉ tải được một lần");
    expect(await ctx.prisma().webUpload.count({ where: { kind: "codes" } })).toBe(0);
    const stored = await ctx.prisma().accessCode.findMany({ where: { campaignId: s.campaignId } });
    expect(stored.length).toBe(respondents);
    expect(JSON.stringify(stored)).not.toContain(codes[0]!.replace("-", ""));
    // Nor did the sealed data that waited hold any plain code.
    for (const code of codes) expect(sealed).not.toContain(code.replace("-", ""));
    const again = await clients.admin.post(`${c}/codes`, { bot: "khaosat_bot" });
    expect(again.headers["content-type"]).toContain("text/html");
    expect(again.body).toContain("đều đã có mã");
    // No page shows a plain code afterwards.
    for (const p of [c, `${c}/units/SO_TP`, "/audit"]) expect((await clients.admin.get(p)).body).not.toContain(codes[0]!);
    expect((await ctx.db().audit.list({ kind: "access.codes_issued" }))[0]?.actor).toBe(`web:${s.users.admin}`);
    expect((await ctx.db().audit.list({ kind: "web.codes_downloaded" })).map((e) => e.data.format).sort()).toEqual(["csv", "pdf", "xlsx"]);
  });

  test("appraisal upload: checked like the CLI's, stored, then used by the index", async () => {
    const c = `/campaigns/${s.campaignId}`;
    const bad = await clients.admin.upload(`${c}/appraisal`, {}, { field: "file", name: "a.csv", content: "unit,points\nSO_TP,99\n" });
    expect(bad.statusCode).toBe(422);
    expect((await ctx.db().web.appraisal(s.campaignId)).get("SO_TP")).toBe(60);
    const ok = await clients.admin.upload(`${c}/appraisal`, {}, { field: "file", name: "a.csv", content: "unit,points\nSO_TP,60\nSO_TC,66\nSO_NV,55\nSO_YT,40\nUBND_AP,50\nUBND_BM,52\n" });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain("Đã lưu điểm thẩm định của 6 đơn vị.");
    expect((await ctx.db().web.appraisal(s.campaignId)).get("SO_YT")).toBe(40);
    await ctx.db().web.setAppraisal(s.campaignId, new Map([["SO_TP", 60], ["SO_TC", 66], ["SO_NV", 55], ["SO_YT", 67], ["UBND_AP", 50], ["UBND_BM", 52]]));
  });

  test("logout ends the session in the database", async () => {
    const client = new Client(app);
    await client.login(s.users.admin);
    expect((await client.get("/audit")).statusCode).toBe(200);
    const before = await ctx.prisma().webSession.count();
    expect((await client.post("/logout", {})).statusCode).toBe(302);
    expect(await ctx.prisma().webSession.count()).toBe(before - 1);
    expect((await client.get("/audit")).statusCode).toBe(302);
  });

  test("English on the switch; unknown campaign 404", async () => {
    const client = new Client(app);
    await client.login(s.users.admin);
    await client.get("/lang/en?next=/campaigns");
    const page = await client.get("/campaigns");
    expect(page.body).toContain('<html lang="en">');
    expect(page.body).toContain("Campaigns");
    expect((await client.get("/campaigns/nope")).statusCode).toBe(404);
    expect((await client.get("/lang/en?next=//evil.example")).headers.location).toBe("/");
  });
});

describe("session cookie", () => {
  test("HttpOnly, SameSite=Strict, and Secure behind an HTTPS proxy only when trusted", async () => {
    const { openDatabase } = await import("../../src/db/index.js");
    const { mkdtempSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const path = await import("node:path");
    const { addUser } = await import("../../src/web/accounts.js");
    const db = await openDatabase(`file:${path.join(mkdtempSync(path.join(tmpdir(), "khaosat-web-")), "k.db")}`);
    await addUser(db, { email: "a@example.org", role: "admin", password: "correct horse battery" }, "test", new Date());
    for (const trustProxy of [false, true]) {
      const app = await createWebServer({ db, trustProxy });
      const client = new Client(app);
      const token = await client.csrfToken();
      const csrfCookie = (await app.inject({ url: "/login" })).cookies;
      void csrfCookie;
      const cookieHeader = `ks_csrf=${(client as unknown as { cookies: Map<string, string> }).cookies.get("ks_csrf")}`;
      const r = await app.inject({
        method: "POST",
        url: "/login",
        payload: new URLSearchParams({ email: "a@example.org", password: "correct horse battery", _csrf: token }).toString(),
        headers: { cookie: cookieHeader, "content-type": "application/x-www-form-urlencoded", "x-forwarded-proto": "https" },
      });
      const session = String([r.headers["set-cookie"]].flat().find((c) => String(c).startsWith("ks_session=")));
      expect(session).toMatch(/HttpOnly/);
      expect(session).toMatch(/SameSite=Strict/);
      expect(/; Secure/.test(session)).toBe(trustProxy);
      await app.close();
    }
    await db.close();
  }, 60_000);
});
