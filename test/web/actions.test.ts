// The console's newer actions through fastify.inject, checked against what was stored: broadcasts
// (preview and count, one-time confirmation, outbox rows, progress, cancel), reminders (schedule,
// "remind exactly these" of a unit), paper responses (line-by-line check, import, skip), and the
// checked uploads kept in the database (a second instance imports them; they expire; bounded size).
import type { FastifyInstance } from "fastify";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import { createWebServer } from "../../src/web/server.js";
import { MAX_PENDING_BYTES, UPLOAD_TTL_MS } from "../../src/web/uploads.js";
import { CODE_FILE_TTL_MS } from "../../src/web/code-files.js";
import type * as Access from "../../src/access/index.js";
import { describeDatabases } from "../support/db.js";
import { mulberry32 } from "../support/random.js";
import { Client } from "./http.js";
import { openBot, RESPONSES_HEADER, responseRow, seed, type Seeded } from "./fixture.js";

/** Code files that fail to draw: "early" before anything is in the response, "late" after part of it. */
const drawing = vi.hoisted(() => ({ fail: undefined as "early" | "late" | undefined }));
vi.mock("../../src/access/index.js", async (importOriginal) => {
  const real = await importOriginal<typeof Access>();
  const streamCodeFile: typeof real.streamCodeFile = async (format, slips, options, out, ready) => {
    const fail = drawing.fail;
    drawing.fail = undefined;
    if (fail === "early") throw new Error("drawing failed (test)");
    if (fail === "late") {
      out.write(Buffer.from("PK partial"));
      ready?.();
      await new Promise((resolve) => setTimeout(resolve, 20));
      throw new Error("drawing failed midway (test)");
    }
    return real.streamCodeFile(format, slips, options, out, ready);
  };
  return { ...real, streamCodeFile };
});

const NOW = new Date("2026-12-05T03:00:00Z");
// Opened the bot: SO_TC-1 and UBND_BM-1 submitted; SO_TC-7 (not started), SO_TC-9 (in progress) and SO_TP-10 have not.
const OPENED = ["SO_TC-1", "SO_TC-7", "SO_TC-9", "SO_TP-10", "UBND_BM-1"];

describeDatabases("web console actions", (ctx) => {
  let app: FastifyInstance;
  let s: Seeded;
  let admin: Client;
  const clock = NOW;
  beforeAll(async () => {
    s = await seed(ctx.db(), ctx.prisma(), NOW);
    await openBot(ctx.prisma(), s.campaignId, OPENED, NOW);
    app = await createWebServer({ db: ctx.db(), now: () => clock });
    admin = new Client(app);
    expect((await admin.login(s.users.admin)).statusCode).toBe(302);
  }, 120_000);
  afterAll(async () => app?.close());

  const c = () => `/campaigns/${s.campaignId}`;
  const chatsOf = async (kind: string, batchId?: string) =>
    (await ctx.prisma().outboxMessage.findMany({ where: { kind, ...(batchId ? { batchId } : {}) }, select: { chatId: true } })).map((m) => m.chatId).sort();
  const upload = (body: string) => /name="upload" value="([0-9a-f]{32})"/.exec(body)?.[1] ?? "";

  test("broadcast: preview shows the message as the chat will and the audience count; nothing queued until confirmed, once", async () => {
    const page = await admin.get(`${c()}/broadcast`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('value="unit:SO_TC"');
    const text = 'Xin chào <b>anh chị</b>, hạn là <a href="https://example.org/?a=1&amp;b=2">ngày 10</a> & <i onclick="x()">cảm ơn</i>';
    // Invalid Telegram HTML (a bare "&") is refused with the service's reason; nothing queued.
    const refused = await admin.post(`${c()}/broadcast/preview`, { audience: "not-submitted", parseMode: "HTML", text });
    expect(refused.statusCode).toBe(422);
    // In the console's language, where in the text and what to write instead.
    expect(refused.body).toMatch(/HTML: dấu &quot;&amp;&quot; ở dòng 1, cột \d+ không mở ký tự đặc biệt nào; muốn viết dấu &amp; thì ghi &amp;amp;/);
    const good = text.replace(" & ", " &amp; ");
    const preview = await admin.post(`${c()}/broadcast/preview`, { audience: "not-submitted", parseMode: "HTML", text: good });
    expect(preview.statusCode).toBe(200);
    expect(preview.body).toMatch(/id="audience-count"><b>3 người sẽ nhận được<\/b>/);
    expect(preview.body).toContain('<div class="bubble">Xin chào <b>anh chị</b>, hạn là <u>ngày 10</u> (https://example.org/?a=1&amp;b=2) &amp; <i>cảm ơn</i></div>');
    expect(/<div class="chat"[\s\S]*?<\/div><\/div>/.exec(preview.body)?.[0]).not.toContain("onclick");
    expect(await ctx.prisma().outboxMessage.count()).toBe(0);
    const confirmation = upload(preview.body);
    const sent = await admin.post(`${c()}/broadcast/send`, { upload: confirmation });
    expect(sent.statusCode).toBe(303);
    const broadcast = await ctx.prisma().broadcast.findFirstOrThrow({ where: { campaignId: s.campaignId } });
    expect(sent.headers.location).toBe(`${c()}/broadcasts/${broadcast.id}`);
    expect([broadcast.audience, broadcast.recipients, broadcast.text, broadcast.actor]).toEqual(["not-submitted", 3, good, `web:${s.users.admin}`]);
    expect(await chatsOf("broadcast", broadcast.id)).toEqual(["700002", "700003", "700004"]);
    // The same confirmation again (double click, second tab) queues nothing more.
    const again = await admin.post(`${c()}/broadcast/send`, { upload: confirmation });
    expect(again.statusCode).toBe(400);
    expect(await ctx.prisma().outboxMessage.count()).toBe(3);
    const audit = await ctx.db().audit.list({ kind: "web.broadcast_queued" });
    expect(audit.map((e) => [e.actor, e.data.recipients])).toEqual([[s.users.admin, 3]]);
  });

  test("broadcast progress: the outbox counts, refreshing while messages wait; cancel stops the rest", async () => {
    const broadcast = await ctx.prisma().broadcast.findFirstOrThrow({ where: { campaignId: s.campaignId } });
    const [first] = await ctx.prisma().outboxMessage.findMany({ where: { batchId: broadcast.id }, orderBy: { id: "asc" } });
    await ctx.prisma().outboxMessage.update({ where: { id: first!.id }, data: { status: "sent", doneAt: NOW } });
    const viewer = new Client(app);
    await viewer.login(s.users.viewer);
    const progress = await viewer.get(`${c()}/broadcasts/${broadcast.id}`);
    expect(progress.statusCode).toBe(200);
    expect(progress.body).toMatch(/data-status="queued"><th scope="row">Đang chờ<\/th><td class="num">2</);
    expect(progress.body).toMatch(/data-status="sent"><th scope="row">Đã gửi<\/th><td class="num">1</);
    expect(progress.body).toContain('hx-trigger="every 5s"');
    expect(progress.body).not.toContain("/cancel"); // a viewer sees, does not stop
    const cancelled = await admin.post(`${c()}/broadcasts/${broadcast.id}/cancel`, {});
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.body).toContain("Đã hủy 2 tin chưa gửi.");
    expect(await ctx.prisma().outboxMessage.count({ where: { batchId: broadcast.id, status: "cancelled" } })).toBe(2);
    expect((await admin.get(`${c()}/broadcasts/${broadcast.id}`)).body).not.toContain("every 5s");
  });

  test("broadcast refusals an organiser meets most are told in their language, in the form's words", async () => {
    const tooLong = await admin.post(`${c()}/broadcast/preview`, { audience: "all", text: "a".repeat(5000) });
    expect(tooLong.statusCode).toBe(422);
    expect(tooLong.body).toContain("nội dung dài 5000 ký tự, mỗi tin nhắn chứa tối đa 4096");
    const split = await admin.post(`${c()}/broadcast/preview`, { audience: "all", text: `${"a ".repeat(2500)}`, split: "1" });
    expect(split.body).toMatch(/<b>5 người sẽ nhận được<\/b> · [^<]* · mỗi người 2 tin/);
    expect((await admin.post(`${c()}/broadcast/preview`, { audience: "all", text: "   " })).body).toContain("nội dung đang trống");
  });

  test("broadcast to one unit counts that unit's reachable respondents", async () => {
    const preview = await admin.post(`${c()}/broadcast/preview`, { audience: "unit:SO_TC", text: "Nhắc đơn vị" });
    expect(preview.body).toMatch(/<b>3 người sẽ nhận được<\/b>/);
    const unknown = await admin.post(`${c()}/broadcast/preview`, { audience: "unit:SO_XX", text: "Nhắc đơn vị" });
    expect(unknown.statusCode).toBe(422);
    // Said in the organiser's language (was the CLI's English), with the valid units.
    expect(unknown.body).toContain("không có đơn vị &quot;SO_XX&quot;; các đơn vị của đợt: SO_NV, SO_TC");
    // A unit whose respondents never opened the bot: said in the organiser's language, with what to do instead.
    const unopened = await admin.post(`${c()}/broadcast/preview`, { audience: "unit:SO_NV", text: "Nhắc đơn vị" });
    expect(unopened.statusCode).toBe(422);
    expect(unopened.body).toContain("trong nhóm nhận này có 10 người, nhưng chưa ai mở bot");
    expect(unopened.body).toContain("hãy gửi phiếu mã hoặc gọi điện");
    expect(unopened.body).not.toContain("nothing to send");
    expect(await ctx.prisma().broadcast.count({ where: { campaignId: s.campaignId, audience: { contains: "SO_NV" } } })).toBe(0);
  });

  test("reminders: the schedule, its slots and the next one; set like `campaign reminders`; a bad one refused", async () => {
    const bad = await admin.post(`${c()}/reminders`, { schedule: "3 days before" });
    expect(bad.statusCode).toBe(422);
    expect((await ctx.db().messaging.campaign(s.campaignId))?.reminders ?? null).toBeNull();
    const set = await admin.post(`${c()}/reminders`, { schedule: "1d, 3d@08:30" });
    expect(set.statusCode).toBe(200);
    const stored = (await ctx.db().messaging.campaign(s.campaignId))?.reminders;
    expect(set.body).toContain("Đã đặt lịch nhắc: 3 ngày trước hạn, lúc 08:30; 1 ngày trước hạn, lúc 08:30.");
    expect(stored).toMatch(/^3d,1d@08:30$/);
    // Closes at the end of 2026-12-10 (+07): 3d → 12-08 08:30, 1d → 12-10 08:30; now is 12-05.
    expect(/id="next-due">[^<]*/.exec(set.body)?.[0]).toBe('id="next-due">08/12/2026 08:30 (3 ngày trước hạn, lúc 08:30)');
    expect((await ctx.db().audit.list({ kind: "web.reminders_set" })).map((e) => e.data.schedule)).toEqual([stored]);
    expect((await admin.post(`${c()}/reminders`, { schedule: "off" })).body).toContain("Đã tắt nhắc nhở.");
    expect((await ctx.db().messaging.campaign(s.campaignId))?.reminders ?? null).toBeNull();
  });

  test("remind exactly these: a unit's not-submitted who opened the bot, after a confirmation, once", async () => {
    const unitPage = await admin.get(`${c()}/units/SO_TP`);
    expect(unitPage.body).toContain(`action="${c()}/units/SO_TP/remind/preview"`);
    const before = await ctx.prisma().outboxMessage.count({ where: { kind: "reminder" } });
    const preview = await admin.post(`${c()}/units/SO_TP/remind/preview`, {});
    expect(preview.statusCode).toBe(200);
    expect(preview.body).toMatch(/id="remind-count"><b>Có thể nhắc ngay 1 người chưa nộp phiếu<\/b>/);
    expect(preview.body).toContain("Đơn vị này còn 2 người chưa nộp phiếu."); // SO_TP-9 and 10
    expect(preview.body).toContain("1 người trong số đó chưa mở bot");
    expect(await ctx.prisma().outboxMessage.count({ where: { kind: "reminder" } })).toBe(before);
    // A confirmation for one unit cannot be replayed on another unit's URL.
    expect((await admin.post(`${c()}/units/SO_TC/remind`, { upload: upload(preview.body) })).statusCode).toBe(400);
    const again = await admin.post(`${c()}/units/SO_TP/remind/preview`, {});
    const done = await admin.post(`${c()}/units/SO_TP/remind`, { upload: upload(again.body) });
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain("Đã xếp lời nhắc cho 1 người");
    const run = await ctx.prisma().reminderRun.findFirstOrThrow({ where: { campaignId: s.campaignId, trigger: "manual" } });
    expect([run.label, run.recipients, run.actor]).toEqual(["manual:SO_TP", 1, `web:${s.users.admin}`]);
    expect(await chatsOf("reminder", run.id)).toEqual(["700004"]);
    expect((await admin.post(`${c()}/units/SO_TP/remind`, { upload: upload(again.body) })).statusCode).toBe(400);
    expect(await ctx.prisma().outboxMessage.count({ where: { kind: "reminder" } })).toBe(1);
    expect((await ctx.db().audit.list({ kind: "web.unit_reminded" })).map((e) => e.data.recipients)).toEqual([1]);
    // The reminders page lists the run; the unit cannot be reminded by hand again for 12 hours.
    expect((await admin.get(`${c()}/reminders`)).body).toMatch(/<td>thủ công \(đơn vị SO_TP\)<\/td>/);
    const soon = await admin.post(`${c()}/units/SO_TP/remind/preview`, {});
    expect(soon.body).toContain("tối đa 12 giờ một lần");
    expect(upload(soon.body)).toBe("");
  });

  test("a coordinator reminds their own unit: the count without names when the campaign hides them", async () => {
    const coordinator = new Client(app);
    await coordinator.login(s.users.coordinator);
    const unitPage = await coordinator.get(`${c()}/units/SO_TC`);
    expect(unitPage.body).not.toContain("Người SO_TC");
    expect(unitPage.body).toContain("Chưa nộp (4)");
    expect(unitPage.body).toContain(`action="${c()}/units/SO_TC/remind/preview"`);
    expect((await coordinator.post(`${c()}/units/SO_TP/remind/preview`, {})).statusCode).toBe(403);
    const preview = await coordinator.post(`${c()}/units/SO_TC/remind/preview`, {});
    expect(preview.body).toMatch(/<b>Có thể nhắc ngay 2 người chưa nộp phiếu<\/b>/);
    expect(preview.body).not.toContain(`${c()}/reminders`); // no link to the campaign's pages
    const done = await coordinator.post(`${c()}/units/SO_TC/remind`, { upload: upload(preview.body) });
    expect(done.body).toContain("Đã xếp lời nhắc cho 2 người");
    const run = await ctx.prisma().reminderRun.findFirstOrThrow({ where: { campaignId: s.campaignId, label: "manual:SO_TC" } });
    expect(run.actor).toBe(`web:${s.users.coordinator}`);
    expect(await chatsOf("reminder", run.id)).toEqual(["700002", "700003"]);
  });

  test("paper responses: a bad row is reported with its line and nothing imported; a good file imports once", async () => {
    const random = mulberry32(7);
    const rows = [RESPONSES_HEADER, responseRow("P-1", "SO_NV", "officials", 4, 0.7, random), responseRow("P-2", "SO_NV", "leaders", 4, 0.7, random)];
    const badRow = responseRow("P-3", "SO_NV", "officials", 4, 0.7, random).replace(/,officials,/, ",nobody,");
    const before = await ctx.prisma().response.count({ where: { campaignId: s.campaignId } });
    const refused = await admin.upload(`${c()}/responses/check`, {}, { field: "file", name: "paper.csv", content: `${[...rows, badRow].join("\n")}\n` });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toMatch(/<pre class="problems">dòng 4: [^<]*nobody/);
    expect(await ctx.prisma().response.count({ where: { campaignId: s.campaignId } })).toBe(before);
    // The organiser may still import the valid rows, knowingly (as --skip-invalid).
    expect(refused.body).toContain('name="skipInvalid" value="1"');

    const checked = await admin.upload(`${c()}/responses/check`, {}, { field: "file", name: "paper.csv", content: `${rows.join("\n")}\n` });
    expect(checked.statusCode).toBe(200);
    expect(checked.body).toContain("Tệp hợp lệ: 2 phiếu");
    expect(await ctx.prisma().response.count({ where: { campaignId: s.campaignId } })).toBe(before);
    const id = upload(checked.body);
    const imported = await admin.post(`${c()}/responses/import`, { upload: id });
    expect(imported.statusCode).toBe(200);
    expect(imported.body).toContain("Đã nhập: 2 mới, 0 cập nhật, 0 không đổi, 0 bỏ qua.");
    const stored = await ctx.prisma().response.findMany({ where: { campaignId: s.campaignId, externalId: { in: ["P-1", "P-2"] } } });
    expect(stored.map((r) => [r.subjectUnit, r.status, r.source])).toEqual([
      ["SO_NV", "submitted", "import"],
      ["SO_NV", "submitted", "import"],
    ]);
    expect((await admin.post(`${c()}/responses/import`, { upload: id })).statusCode).toBe(400);
    // With the rejected row skipped on purpose: the two valid ones are unchanged, the bad one left out.
    const skip = await admin.upload(`${c()}/responses/check`, {}, { field: "file", name: "paper.csv", content: `${[...rows, badRow].join("\n")}\n` });
    const skipped = await admin.post(`${c()}/responses/import`, { upload: upload(skip.body), skipInvalid: "1" });
    expect(skipped.body).toContain("Đã nhập: 0 mới, 0 cập nhật, 2 không đổi, 1 bỏ qua.");
    expect(await ctx.prisma().response.count({ where: { campaignId: s.campaignId } })).toBe(before + 2);
    expect((await ctx.db().audit.list({ kind: "web.responses_imported" })).length).toBe(2);
  });

  test("paper responses as a workbook: rows told as Excel shows them, text cells kept exactly", async () => {
    const ExcelJS = (await import("exceljs")).default;
    const random = mulberry32(11);
    const header = RESPONSES_HEADER.split(",");
    const note = "=không phải công thức\nDòng hai, có dấu phẩy";
    const lines = [responseRow("X-1", "UBND_BM", "officials", 2, 0.8, random), responseRow("X-2", "UBND_BM", "leaders", 2, 0.8, random)].map((l) => l.split(","));
    lines[0]![header.indexOf("a8_5")] = note;
    const bad = responseRow("X-3", "UBND_BM", "officials", 2, 0.8, random).replace(",officials,", ",nobody,").split(",");
    const workbook = async (rows: string[][]) => {
      const book = new ExcelJS.Workbook();
      const sheet = book.addWorksheet("responses");
      sheet.addRow(header);
      for (const r of rows) sheet.addRow(r);
      return Buffer.from(await book.xlsx.writeBuffer());
    };
    const before = await ctx.prisma().response.count({ where: { campaignId: s.campaignId } });
    const refused = await admin.upload(`${c()}/responses/check`, {}, { field: "file", name: "paper.xlsx", content: await workbook([...lines, bad]) });
    expect(refused.statusCode).toBe(422);
    // Row 4 of the sheet, although the multi-line cell above puts it on line 5 of the CSV it becomes.
    expect(refused.body).toMatch(/<pre class="problems">dòng 4: [^<]*nobody/);
    expect(await ctx.prisma().response.count({ where: { campaignId: s.campaignId } })).toBe(before);
    const checked = await admin.upload(`${c()}/responses/check`, {}, { field: "file", name: "paper.xlsx", content: await workbook(lines) });
    expect(checked.body).toContain("Tệp hợp lệ: 2 phiếu");
    expect((await admin.post(`${c()}/responses/import`, { upload: upload(checked.body) })).body).toContain("Đã nhập: 2 mới");
    const stored = await ctx.prisma().response.findFirstOrThrow({ where: { campaignId: s.campaignId, externalId: "X-1" }, include: { answers: { where: { questionId: "a8_5" } } } });
    expect(JSON.parse(stored.answers[0]!.value)).toBe(note);
  });

  test("a checked upload waits in the database: another instance imports it; only its checker may; it expires", async () => {
    const random = mulberry32(9);
    const file = `${[RESPONSES_HEADER, responseRow("Q-1", "SO_YT", "officials", 3, 0.5, random)].join("\n")}\n`;
    const checked = await admin.upload(`${c()}/responses/check`, {}, { field: "file", name: "q.csv", content: file });
    const id = upload(checked.body);
    expect(await ctx.prisma().webUpload.count({ where: { id } })).toBe(1);
    const second = await createWebServer({ db: ctx.db(), now: () => clock });
    try {
      const otherAdmin = "admin2@example.org";
      const { addUser } = await import("../../src/web/accounts.js");
      await addUser(ctx.db(), { email: otherAdmin, role: "admin", password: "correct horse battery" }, "test", NOW);
      const other = new Client(second);
      await other.login(otherAdmin);
      expect((await other.post(`${c()}/responses/import`, { upload: id })).statusCode).toBe(400); // not theirs
      const sameAdmin = new Client(second);
      await sameAdmin.login(s.users.admin);
      const imported = await sameAdmin.post(`${c()}/responses/import`, { upload: id });
      expect(imported.body).toContain("Đã nhập: 1 mới");
    } finally {
      await second.close();
    }
    // Expired: 30 minutes after the check (moved back here rather than waiting).
    const late = upload((await admin.upload(`${c()}/responses/check`, {}, { field: "file", name: "q.csv", content: file })).body);
    const row = await ctx.prisma().webUpload.findUniqueOrThrow({ where: { id: late } });
    expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBe(UPLOAD_TTL_MS);
    await ctx.prisma().webUpload.update({ where: { id: late }, data: { expiresAt: new Date(clock.getTime() - 1) } });
    const expired = await admin.post(`${c()}/responses/import`, { upload: late });
    expect(expired.statusCode).toBe(400);
    expect(expired.body).toContain("Tệp đã kiểm tra không còn");
  });

  test("codes: each file drawn at its download and streamed; a failure before anything was sent is said politely and can be retried; once per format; expired refused", async () => {
    const codesApp = await createWebServer({ db: ctx.db(), now: () => clock, codeSecret: { reveal: () => "test-secret" }, botUsername: "khaosat_bot" });
    try {
      const client = new Client(codesApp);
      await client.login(s.users.admin);
      const formsOf = (body: string) =>
        [...body.matchAll(/name="file" value="([0-9a-f]{32})"><input type="hidden" name="key" value="([A-Za-z0-9_-]{43})"><input type="hidden" name="format" value="(pdf|xlsx|csv)">/g)].map((m) => ({ file: m[1]!, key: m[2]!, format: m[3]! }));
      const issued = await client.post(`${c()}/codes`, { bot: "khaosat_bot" });
      expect(issued.statusCode).toBe(200);
      expect(issued.body).toContain("Tệp được tạo khi bạn bấm tải");
      const forms = formsOf(issued.body);
      const form = (format: string) => forms.find((f) => f.format === format)!;
      const respondents = await ctx.prisma().respondent.count({ where: { campaignId: s.campaignId } });
      const download = (f: Record<string, string>) => client.post(`${c()}/codes/download`, f);

      // Drawing fails before anything is sent: a polite page in the admin's language, with the same download to try again; the file still waits.
      drawing.fail = "early";
      const failed = await download(form("pdf"));
      expect(failed.statusCode).toBe(500);
      expect(failed.headers["content-type"]).toContain("text/html");
      expect(failed.headers["cache-control"]).toBe("no-store");
      expect(failed.body).toContain("Chưa tạo được tệp PDF");
      expect(failed.body).toContain("chưa gửi phần nào của tệp, nên tệp vẫn còn chờ bạn tải");
      expect(formsOf(failed.body)).toEqual([form("pdf")]);
      expect(await ctx.prisma().webUpload.count({ where: { kind: "codes" } })).toBe(3);
      expect(await ctx.db().audit.list({ kind: "web.codes_downloaded" })).toEqual([]);
      const pdf = await download(form("pdf"));
      expect(pdf.statusCode).toBe(200);
      expect(pdf.headers["content-type"]).toBe("application/pdf");
      expect(pdf.headers["cache-control"]).toBe("no-store");
      const pdfText = pdf.rawPayload.toString("latin1");
      expect(pdfText.startsWith("%PDF-")).toBe(true);
      expect(pdfText.trimEnd().endsWith("%%EOF")).toBe(true);
      expect((await download(form("pdf"))).statusCode).toBe(410);

      const xlsx = await download(form("xlsx"));
      expect(xlsx.statusCode).toBe(200);
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
      const sheet = workbook.getWorksheet("codes")!;
      expect(sheet.getRow(1).values).toEqual([undefined, "external_id", "full_name", "unit", "service", "code", "link"]);
      expect(sheet.views[0]).toMatchObject({ state: "frozen", ySplit: 1 });
      const rows = sheet.getSheetValues().slice(2) as unknown[][];
      // Everyone but the respondents who already held a code (they opened the bot).
      expect(rows).toHaveLength(respondents - OPENED.length);
      // Every cell is text: a hostile unit name stays a string, never markup or a formula.
      expect(rows.flat().every((v) => v === undefined || typeof v === "string")).toBe(true);
      expect(rows.some((r) => String(r[3]).includes("<script>"))).toBe(true);
      const xlsxCodes = rows.map((r) => String(r[5]));
      // The PDF: eight slips a page, each unit on pages of its own.
      const perUnit = new Map<string, number>();
      for (const r of rows) perUnit.set(String(r[3]), (perUnit.get(String(r[3])) ?? 0) + 1);
      expect(pdfText.match(/\/Type \/Page\b/g)?.length).toBe([...perUnit.values()].reduce((sum, n) => sum + Math.ceil(n / 8), 0));
      expect(xlsxCodes.every((code) => /^[A-HJ-NP-Z2-9]{5}-[A-HJ-NP-Z2-9]{5}$/.test(code))).toBe(true);
      expect(rows.every((r) => r[6] === `https://t.me/khaosat_bot?start=KS_${String(r[5]).replace("-", "")}`)).toBe(true);

      const csv = await download(form("csv"));
      expect(csv.statusCode).toBe(200);
      expect(csv.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
      const lines = csv.body.replace(/^\uFEFF/, "").trimEnd().split("\r\n");
      expect(lines[0]).toBe("external_id,full_name,unit,service,code,link");
      // The same codes, in the same order (by unit, then name), as the workbook.
      expect(lines.slice(1).map((l) => /[A-HJ-NP-Z2-9]{5}-[A-HJ-NP-Z2-9]{5}/.exec(l)?.[0])).toEqual(xlsxCodes);
      expect(new Set(xlsxCodes).size).toBe(respondents - OPENED.length);
      expect((await download(form("csv"))).statusCode).toBe(410);
      expect((await download(form("xlsx"))).statusCode).toBe(410);
      expect(await ctx.prisma().webUpload.count({ where: { kind: "codes" } })).toBe(0);
      expect((await ctx.db().audit.list({ kind: "web.codes_downloaded" })).map((e) => e.data.format).sort()).toEqual(["csv", "pdf", "xlsx"]);

      // A second issue (one unit's codes revoked): cut off midway, the file is not offered again (part of it was sent), and the cut is audited.
      await ctx.prisma().accessCode.updateMany({ where: { campaignId: s.campaignId, respondent: { unitCode: "SO_TP" } }, data: { status: "revoked" } });
      const again = formsOf((await client.post(`${c()}/codes`, { bot: "khaosat_bot" })).body);
      expect(again).toHaveLength(3);
      drawing.fail = "late";
      const cut = await download(again.find((f) => f.format === "xlsx")!).catch((error: unknown) => error);
      expect(cut instanceof Error || (cut as { statusCode: number }).statusCode === 200).toBe(true);
      await vi.waitFor(async () => expect((await ctx.db().audit.list({ kind: "web.codes_download_failed" })).map((e) => e.data.format)).toEqual(["xlsx"]));
      expect((await download(again.find((f) => f.format === "xlsx")!)).statusCode).toBe(410);
      // Expired (ten minutes after the issue; moved back here rather than waiting): refused, politely.
      const late = again.find((f) => f.format === "csv")!;
      const row = await ctx.prisma().webUpload.findUniqueOrThrow({ where: { id: late.file } });
      expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBe(CODE_FILE_TTL_MS);
      await ctx.prisma().webUpload.update({ where: { id: late.file }, data: { expiresAt: new Date(clock.getTime() - 1) } });
      const expired = await download(late);
      expect(expired.statusCode).toBe(410);
      expect(expired.body).toContain("mỗi tệp phiếu mã chỉ tải được một lần");
      const pdf2 = await download(again.find((f) => f.format === "pdf")!);
      expect(pdf2.statusCode).toBe(200);
      expect(pdf2.rawPayload.toString("latin1").match(/\/Type \/Page\b/g)?.length).toBe(2);
    } finally {
      await codesApp.close();
      await ctx.prisma().webUpload.deleteMany();
    }
  });

  test("waiting uploads stay under a total size: the oldest go first", async () => {
    const web = ctx.db().web;
    // The repository takes the bound as an argument: 100 bytes here, MAX_PENDING_BYTES in the console.
    expect(MAX_PENDING_BYTES).toBeGreaterThanOrEqual(5 * 20 * 1024 * 1024);
    const big = new Uint8Array(45).fill(7);
    const at = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);
    const keep = (id: string, minutes: number) =>
      web.storeUpload({ id, campaignId: s.campaignId, kind: "responses", actor: "a", bytes: big, rows: 1, createdAt: at(minutes), expiresAt: at(minutes + 30) }, at(minutes), 100);
    await ctx.prisma().webUpload.deleteMany();
    await keep("one", 0);
    await keep("two", 1);
    await keep("three", 2);
    expect((await ctx.prisma().webUpload.findMany({ select: { id: true }, orderBy: { id: "asc" } })).map((u) => u.id)).toEqual(["three", "two"]);
    expect((await web.takeUpload("two", { campaignId: s.campaignId, kind: "responses", actor: "a" }, at(3)))?.bytes).toEqual(big);
    expect(await web.takeUpload("three", { campaignId: s.campaignId, kind: "responses", actor: "a" }, at(40))).toBeNull(); // expired
    await ctx.prisma().webUpload.deleteMany();
  }, 60_000);
});
