// What a newcomer reads in the console, in Vietnamese (the default) and in English: the services'
// row problems in the console's language (respondents, appraisal, reminder schedule, unreadable
// files), the banner pointing at the list below it, group labels instead of ids, one vocabulary of
// participation states, numbers with the language's decimal sign, readable reminder schedules, the
// audit log (actions named, details readable, Vietnam time, refused requests recorded), the favicon.
import { readFileSync } from "node:fs";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createWebServer } from "../../src/web/server.js";
import { describeDatabases } from "../support/db.js";
import { Client, clientsInBothLanguages } from "./http.js";
import { RESPONSES_HEADER, respondentsCsv, responseRow, seed, type Seeded } from "./fixture.js";
import { mulberry32 } from "../support/random.js";

const NOW = new Date("2026-12-05T03:00:00Z");

/** The text of the problems box, as the reader sees it (entities decoded). */
const problems = (body: string) =>
  (/<pre class="problems">([\s\S]*?)<\/pre>/.exec(body)?.[1] ?? "").replace(/&(quot|#39|lt|gt|amp);/g, (_, e: string) => ({ quot: '"', "#39": "'", lt: "<", gt: ">", amp: "&" })[e]!);

describeDatabases("the console's words", (ctx) => {
  let app: FastifyInstance;
  let s: Seeded;
  let vi: Client;
  let en: Client;
  beforeAll(async () => {
    s = await seed(ctx.db(), ctx.prisma(), NOW);
    app = await createWebServer({ db: ctx.db(), now: () => NOW });
    ({ vi, en } = await clientsInBothLanguages(app, s.users.admin));
  }, 120_000);
  afterAll(async () => app?.close());

  const c = () => `/campaigns/${s.campaignId}`;

  test("a respondents file's bad rows are told in the console's language, listed below a banner that says so", async () => {
    const file = { field: "file", name: "r.csv", content: respondentsCsv(["NEW-1,,SO_TP,Sở Tư pháp,nobody,fr", "NEW-2,Lan,SO TP,Sở Tư pháp,leaders,vi"]) };
    const checked = await vi.upload(`${c()}/respondents/check`, {}, file);
    expect(checked.statusCode).toBe(422);
    const text = problems(checked.body);
    expect(text).toContain('dòng 62: cột full_name đang trống; nhóm "nobody" không có trong phiếu (các nhóm của phiếu: leaders, officials, deputies); ngôn ngữ "fr" không hợp lệ (dùng vi hoặc en, hoặc để trống để dùng vi)');
    expect(text).toContain('dòng 63: mã đơn vị "SO TP" chỉ được gồm chữ, số');
    expect(text).not.toMatch(/is empty|unknown group|not a phone/);
    // The banner is above the list and says the lines are below it.
    const banner = checked.body.indexOf("Các dòng có lỗi được liệt kê bên dưới");
    expect(banner).toBeGreaterThan(0);
    expect(banner).toBeLessThan(checked.body.indexOf('<pre class="problems">'));
    expect(checked.body).not.toContain("Hãy sửa các dòng trên rồi tải tệp lên lại.</div>");
    // The same file in English: the CLI's words.
    const english = problems((await en.upload(`${c()}/respondents/check`, {}, file)).body);
    expect(english).toContain('line 62: full_name is empty; unknown group "nobody" (the questionnaire\'s groups: leaders, officials, deputies); bad language "fr" (use vi or en, or leave it empty for vi)');
    // A header problem: the expected columns, in Vietnamese.
    const header = problems((await vi.upload(`${c()}/respondents/check`, {}, { field: "file", name: "h.csv", content: "external_id,full_name\nA,B\n" })).body);
    expect(header).toBe("dòng 1: dòng tiêu đề: thiếu các cột unit, unit_name, group (các cột cần có: external_id, full_name, unit, unit_name, group, language, phone, email, subject_units, coordinator)\n");
  });

  test("a file that cannot be read is explained in Vietnamese, never with the server's temporary path", async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("external_id,full_name\n", "utf16le")]);
    const page = await vi.upload(`${c()}/respondents/check`, {}, { field: "file", name: "u.csv", content: utf16 });
    expect(page.statusCode).toBe(400);
    expect(page.body).toContain("Tệp là văn bản UTF-16");
    expect(page.body).not.toContain("khaosat-upload-");
  });

  test("appraisal rows and reminder schedules are refused in the console's language", async () => {
    const appraisal = await vi.upload(`${c()}/appraisal`, {}, { field: "file", name: "a.csv", content: "unit,points\nSO_TP,abc\nSO_TPX,10\nSO_TP,-1\n" });
    expect(appraisal.statusCode).toBe(422);
    expect(problems(appraisal.body)).toBe('dòng 2: điểm "abc" không phải là số\ndòng 3: đơn vị "SO_TPX" (có phải là "SO_TP"?) không thuộc đợt khảo sát này\ndòng 4: đơn vị "SO_TP" bị trùng (đã có ở dòng 2); điểm -1 là số âm\n');
    const schedule = await vi.post(`${c()}/reminders`, { schedule: "7 days" });
    expect(schedule.statusCode).toBe(422);
    expect(schedule.body).toContain('Lịch nhắc chưa được lưu: &quot;7 days&quot; không phải mốc nhắc; hãy ghi số ngày (7d) hoặc số giờ (12h) trước hạn, ví dụ');
    expect((await en.post(`${c()}/reminders`, { schedule: "7 days" })).body).toContain("The schedule was not saved: &quot;7 days&quot; is not an offset;");
  });

  test("paper responses rows and broadcast texts are refused in the console's language", async () => {
    const responses = `${RESPONSES_HEADER}\n${responseRow("P-1", "SO_TP", "nobody", 2, 0.8, mulberry32(3))}\n`;
    const checked = await vi.upload(`${c()}/responses/check`, {}, { field: "file", name: "p.csv", content: responses });
    expect(checked.statusCode).toBe(422);
    expect(problems(checked.body)).toBe('dòng 2: nhóm "nobody" không có trong phiếu (các nhóm: leaders, officials, deputies)\n');
    expect(problems((await en.upload(`${c()}/responses/check`, {}, { field: "file", name: "p.csv", content: responses })).body)).toBe('line 2: unknown group "nobody" (groups: leaders, officials, deputies)\n');
    const utf16 = await vi.upload(`${c()}/responses/check`, {}, { field: "file", name: "u.csv", content: Buffer.from([0xff, 0xfe, 0x72, 0x00]) });
    expect(problems(utf16.body)).toBe('tệp là văn bản UTF-16 ("Unicode text" trong Excel); hãy lưu lại dưới dạng "CSV UTF-8 (Comma delimited)"\n');
    const html = await vi.post(`${c()}/broadcast/preview`, { audience: "not-submitted", parseMode: "HTML", text: "Xin chào\n<div>hạn chót</div>" });
    expect(html.statusCode).toBe(422);
    expect(html.body).toContain("HTML: &lt;div&gt; ở dòng 2, cột 1 không phải thẻ Telegram hỗ trợ");
    const markdown = await en.post(`${c()}/broadcast/preview`, { audience: "not-submitted", parseMode: "MarkdownV2", text: "Hạn 15.12" });
    expect(markdown.body).toContain("MarkdownV2: &quot;.&quot; at line 1, column 7 must be escaped as &quot;\\.&quot;");
  });

  test("a reminder schedule reads as sentences: on the reminders page and the overview", async () => {
    const saved = await vi.post(`${c()}/reminders`, { schedule: "7d,1d@09:00" });
    expect(saved.statusCode).toBe(200);
    expect(saved.body).toContain("Đã đặt lịch nhắc: 7 ngày trước hạn, lúc 09:00; 1 ngày trước hạn, lúc 09:00.");
    expect(saved.body).toMatch(/<th scope="row">1 ngày trước hạn, lúc 09:00<\/th>/);
    expect((await en.get(`${c()}/reminders`)).body).toContain('<b id="schedule-text">7 days before the close, at 09:00; 1 day before the close, at 09:00</b>');
    const overview = (await vi.get(c())).body;
    expect(overview).toContain("Lịch nhắc: 7 ngày trước hạn, lúc 09:00; 1 ngày trước hạn, lúc 09:00");
    expect(overview).not.toContain("7d,1d@09:00</li>");
    await vi.post(`${c()}/reminders`, { schedule: "off" });
  });

  test("groups by their label, states in one vocabulary, rates with the language's decimal sign", async () => {
    const overview = (await vi.get(c())).body;
    expect(overview).toContain('<th scope="row">Lãnh đạo sở, ban, ngành, UBND cấp xã</th>');
    expect(overview).toContain('<th scope="row">Công chức</th>');
    expect(overview).not.toContain('<th scope="row">leaders</th>');
    // 38 of 60 submitted: 63,3% in Vietnamese, 63.3% in English.
    expect(overview).toContain("<span>63,3%</span>");
    expect(overview).toContain("<span>Chưa dùng mã</span>");
    expect(overview).not.toContain("Chưa mở mã");
    for (const state of ["Đã nộp", "Đang trả lời", "Chưa bắt đầu"]) expect(overview).toContain(`>${state}</th>`);
    const english = (await en.get(c())).body;
    expect(english).toContain("<span>63.3%</span>");
    expect(english).toContain('<th scope="row">Civil servants</th>');
    expect(english).toContain("<span>Code not used yet</span>");
    // The index's scores: two decimals, a comma in Vietnamese, a point in English.
    const index = (await vi.get(`${c()}/index`)).body;
    expect(index).toMatch(/<td class="num">\d+,\d{2}<\/td>/);
    expect(index).not.toMatch(/<td class="num">\d+\.\d{2}<\/td>/);
    expect((await en.get(`${c()}/index`)).body).toMatch(/<td class="num">\d+\.\d{2}<\/td>/);
    // A unit's page: the same words for the same states, the group's label beside each name.
    const unit = (await vi.get(`${c()}/units/SO_TC`)).body;
    expect(unit).toContain("<span>Chưa dùng mã</span>");
    expect(unit).toMatch(/<td>Người SO_TC 9<\/td><td>Công chức<\/td><td>(Chưa dùng mã|Đang trả lời|Đã dùng mã, chưa trả lời)<\/td>/);
    expect(unit).not.toMatch(/<td>(chưa dùng mã|đang trả lời)<\/td>/);
  });

  test("the audit log: actions by name, readable details, Vietnam time, refused requests recorded", async () => {
    const viewer = new Client(app, "127.0.0.3");
    await viewer.login(s.users.viewer);
    expect((await viewer.get("/audit")).statusCode).toBe(403);
    expect((await viewer.post(`${c()}/reminders`, { schedule: "1d" })).statusCode).toBe(403);
    expect((await vi.post(`${c()}/reminders`, { schedule: "1d" }, { csrf: false })).statusCode).toBe(403);
    // The 403 page is sent first; its row follows.
    await expect.poll(async () => (await ctx.db().audit.list({ kind: "web.forbidden" })).length).toBeGreaterThanOrEqual(2);
    const refused = await ctx.db().audit.list({ kind: "web.forbidden" });
    expect(refused.map((e) => [e.actor, e.data.method, e.data.path])).toEqual(
      expect.arrayContaining([
        [s.users.viewer, "GET", "/audit"],
        [s.users.viewer, "POST", `${c()}/reminders`],
      ]),
    );
    expect((await ctx.db().audit.list({ kind: "web.csrf_refused" })).length).toBeGreaterThanOrEqual(1);
    const page = await vi.get("/audit");
    expect(page.statusCode).toBe(200);
    const table = /<table id="audit">[\s\S]*?<\/table>/.exec(page.body)?.[0] ?? "";
    expect(table).toContain("Thời điểm (giờ Việt Nam, UTC+7)");
    expect(table).toContain("Asia/Ho_Chi_Minh");
    // The clock is 03:00 UTC: 10:00 in Vietnam.
    expect(table).toContain("<td>05/12/2026 10:00</td>");
    expect(table).toContain(">Đăng nhập</td>");
    expect(table).toContain(">Từ chối: vai trò không có quyền</td>");
    expect(table).toContain(">Từ chối: biểu mẫu hết hạn hoặc giả mạo (CSRF)</td>");
    expect(table).toContain(`trang: ${c()}/reminders`);
    expect(table).toContain("địa chỉ: 127.0.0.3");
    expect(table).not.toContain(">web.login</td>");
    expect(table).not.toContain("{&quot;");
    expect((await en.get("/audit")).body).toContain(">Refused: not allowed for this role</td>");
  });

  test("requests over the rate limit are refused and recorded, a flood in a few rows", async () => {
    const flooder = new Client(app, "198.51.100.99");
    const statuses: number[] = [];
    // The login form allows 60 a minute per address; without a token each is refused cheaply (CSRF) until then.
    for (let i = 0; i < 63; i++) statuses.push((await flooder.post("/login", { email: "x@example.org", password: "x" }, { csrf: false })).statusCode);
    expect(statuses.slice(0, 60).every((code) => code === 403)).toBe(true);
    expect(statuses.slice(60)).toEqual([429, 429, 429]);
    const limited = (await ctx.db().audit.list({ kind: "web.rate_limited" })).filter((e) => e.data.address === "198.51.100.99");
    expect(limited.map((e) => e.data.path)).toEqual(["/login", "/login", "/login"]);
    // 60 refused forms, at most 5 rows a minute for the same one.
    expect((await ctx.db().audit.list({ kind: "web.csrf_refused" })).filter((e) => e.data.address === "198.51.100.99").length).toBe(5);
    expect((await vi.get("/audit")).body).toContain(">Từ chối: quá nhiều yêu cầu</td>");
  });

  test("the favicon is served and linked from every page", async () => {
    const icon = await vi.get("/static/favicon.svg");
    expect(icon.statusCode).toBe(200);
    expect(icon.headers["content-type"]).toBe("image/svg+xml");
    expect(icon.body).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    for (const url of ["/login", c(), "/audit"]) expect((await vi.get(url)).body).toContain('<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">');
  });

  test("the README's first lines say what npm start serves", () => {
    const line = readFileSync(new URL("../../README.md", import.meta.url), "utf8").split("\n")[3]!;
    expect(line).toMatch(/^npm install && npm start +# /);
    expect(line).not.toContain("no server");
    expect(line).toContain("http://127.0.0.1:3000");
  });
});
