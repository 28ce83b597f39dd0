import ExcelJS from "exceljs";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { loadConfig } from "../../../../src/config/index.js";
import { createI18n } from "../../../../src/i18n/index.js";
import type { UploadedFile } from "../../../support/telegram.js";
import { ADMIN, createAdminBot, lastKeyboard, press, textsSince, type AdminBot } from "./harness.js";
import { auditEvents, openFixture, outboxRows, type Fixture, type SeedRespondent } from "./fixture.js";

const NOW = new Date("2026-11-10T02:00:00Z"); // 09:00 in Asia/Ho_Chi_Minh
const CAMPAIGN = { id: "par2026", name: "PAR Index 2026", opensAt: new Date("2026-11-01T00:00:00Z"), closesAt: new Date("2026-11-30T10:00:00Z") };
const SAMPLE: SeedRespondent[] = [
  { externalId: "a1", name: "Nguyễn Văn An", unit: "SO_TP", stage: "submitted", chatId: "11" },
  { externalId: "a2", name: "Trần Thị Bình", unit: "SO_TP", stage: "in_progress", chatId: "12" },
  { externalId: "a3", name: "Lê Văn Cường", unit: "SO_TP", stage: "not_redeemed" },
  { externalId: "b1", name: "Phạm Thị Dung", unit: "SO_YT", stage: "redeemed", chatId: "21", language: "en" },
  { externalId: "b2", name: "Hoàng Văn Giang", unit: "SO_YT", stage: "not_redeemed" },
  { externalId: "b3", name: "Đỗ Thị Hà", unit: "SO_YT", stage: "declined", chatId: "23" },
  { externalId: "c1", name: "Vũ Văn Khánh", unit: "UB_HN", group: "deputies", stage: "not_redeemed" },
  { externalId: "c2", name: "Bùi Thị Lan", unit: "UB_HN", group: "deputies", stage: "not_redeemed" },
];
const STRANGER = 555;
const t = createI18n().getFixedT("vi");

let f: Fixture;
let b: AdminBot;
const clock = { now: NOW };
beforeEach(async () => {
  clock.now = NOW;
  f = await openFixture();
  await f.seed(CAMPAIGN, SAMPLE);
  b = await createAdminBot(f, clock, { responses: async (id) => ({ fileName: `responses-${id}.csv`, content: new TextEncoder().encode("response_id,subject_unit,group,started_at,submitted_at,q1\n") }) });
});
afterEach(async () => {
  await f.dispose();
});

const admin = (text: string) => b.send(b.updates.text(ADMIN, text));

describe("who may use the admin commands", () => {
  test.each(["/stats", "/remind", "/broadcast", "/cancel", "/export par2026"])("%s from someone else gets the ordinary reply and is audited", async (command) => {
    await b.send(b.updates.text(STRANGER, command));
    expect(b.api.sentTexts(STRANGER)).toEqual([t("telegram:help.text")]);
    expect(await auditEvents(f.prisma, "admin.")).toEqual([{ kind: "admin.refused", actor: `telegram:${STRANGER}`, campaignId: null, data: { command: command.slice(1).split(" ")[0] } }]);
    expect(await outboxRows(f.prisma)).toEqual([]);
  });

  test("an admin button pressed by someone else changes nothing and is audited", async () => {
    await b.send(b.updates.callback(STRANGER, "adm:stop:anything", 100));
    expect(b.api.callsOf("answerCallbackQuery").at(-1)!.payload).toEqual({ callback_query_id: expect.any(String), text: t("telegram:notice.invalid") });
    expect((await auditEvents(f.prisma, "admin.refused")).map((e) => e.data)).toEqual([{ button: true }]);
  });

  test("an admin id given as a username is refused by the configuration", () => {
    expect(() => loadConfig({ ADMIN_TELEGRAM_IDS: "@nguyenvana" })).toThrow(
      '"@nguyenvana" is a username; use the numeric Telegram user id instead (e.g. 123456789): usernames can change hands, ids cannot',
    );
  });

  test("an admin's ordinary messages still reach the respondent features", async () => {
    // Outside a broadcast draft, a text from an admin is what it is for anyone: here, a greeting
    // with no code in it, answered with the welcome and the code prompt (the shared host's entry).
    await admin("hello");
    expect(b.api.sentTexts(ADMIN)).toEqual([`${t("telegram:welcome")}\n\n${t("telegram:code.prompt")}`]);
    await admin("ABCIE-23456");
    expect(b.api.sentTexts(ADMIN).at(-1)).toBe(t("telegram:code.problem.lookalike_one_i_l", { position: 4 }));
    expect(await auditEvents(f.prisma, "admin.")).toEqual([]);
  });
});

describe("/stats", () => {
  test("participation per unit, lowest rate first, in the admin's language", async () => {
    await admin("/stats");
    expect(b.api.sentTexts(ADMIN)).toEqual([
      [
        "Tình hình tham gia: PAR Index 2026 (par2026)",
        "Tính đến 09:00 ngày 10/11/2026",
        "Tổng: 1/8 đã gửi phiếu (12,5%), 1 đang trả lời, 4 mã chưa sử dụng",
        "Phiếu đã nhận theo kênh: Telegram 1, Zalo 0, bảng điều khiển 0, nhập từ tệp 0",
        "",
        "Các đơn vị, tỷ lệ thấp nhất trước:",
        "1. Sở Y tế (SO_YT): 0/3 (0,0%), 0 đang trả lời, 1 mã chưa dùng",
        "2. UBND huyện Hòa Nam (UB_HN): 0/2 (0,0%), 0 đang trả lời, 2 mã chưa dùng",
        "3. Sở Tư pháp (SO_TP): 1/3 (33,3%), 1 đang trả lời, 1 mã chưa dùng",
      ].join("\n"),
    ]);
    expect(await auditEvents(f.prisma, "admin.")).toEqual([{ kind: "admin.stats", actor: `telegram:${ADMIN}`, campaignId: "par2026", data: { sampled: 8, submitted: 1 } }]);
  });

  test("English for an admin whose Telegram is in English; unknown campaign names the known ones", async () => {
    await b.send(b.updates.text(ADMIN, "/stats par2026", { languageCode: "en" }));
    expect(b.api.sentTexts(ADMIN)[0]!.split("\n").slice(0, 3)).toEqual([
      "Participation: PAR Index 2026 (par2026)",
      "As of 09:00, 10 November 2026",
      "Total: 1 of 8 submitted (12.5%), 1 in progress, 4 codes not used yet",
    ]);
    await b.send(b.updates.text(ADMIN, "/stats nope", { languageCode: "en" }));
    expect(b.api.sentTexts(ADMIN).at(-1)).toBe("No campaign “nope”. Campaigns: par2026");
  });

  test("several open campaigns: asks which", async () => {
    await f.seed({ ...CAMPAIGN, id: "sipas2026", name: "SIPAS 2026" }, []);
    await admin("/stats");
    expect(b.api.sentTexts(ADMIN)).toEqual(["Xin ghi rõ đợt khảo sát: /stats MÃ\npar2026: PAR Index 2026\nsipas2026: SIPAS 2026"]);
  });
});

describe("/remind", () => {
  test("preview count, confirm: one outbox reminder per respondent who opened the bot and has not submitted", async () => {
    await admin("/remind");
    expect(b.api.sentTexts(ADMIN)).toEqual(["“PAR Index 2026”: 2 người đã mở bot nhưng chưa gửi phiếu. Gửi nhắc việc ngay bây giờ?"]);
    expect(lastKeyboard(b).buttons).toEqual([["Gửi nhắc việc (2) | adm:*:go"], ["Hủy | adm:*:no"]]);
    expect(await outboxRows(f.prisma)).toEqual([]);

    await press(b, "Gửi nhắc việc (2)");
    const rows = await outboxRows(f.prisma);
    expect(rows.map((r) => [r.kind, r.chatId, r.status, r.campaignId])).toEqual([
      ["reminder", "12", "queued", "par2026"],
      ["reminder", "21", "queued", "par2026"],
    ]);
    expect(rows[1]!.text).toContain("Reminder: your questionnaire for “PAR Index 2026” has not been submitted yet.");
    expect(b.api.sentTexts(ADMIN).at(-1)).toBe("Đã xếp lịch nhắc việc cho 2 người; tin được gửi trong giới hạn của Telegram.");
    // The spent keyboard is removed, and a second press of it does nothing.
    expect(b.api.callsOf("editMessageReplyMarkup").map((c) => c.payload.reply_markup)).toEqual([{ inline_keyboard: [] }]);
    await b.send(b.updates.callback(ADMIN, lastKeyboard(b).data.get("Gửi nhắc việc (2)")!, lastKeyboard(b).messageId));
    expect(b.api.callsOf("answerCallbackQuery").at(-1)!.payload.text).toBe("Nút này đã hết hiệu lực.");
    expect(await outboxRows(f.prisma)).toHaveLength(2);
    const run = await f.prisma.reminderRun.findMany();
    expect(run.map((r) => [r.label, r.trigger, r.actor, r.recipients])).toEqual([["manual", "manual", `telegram:${ADMIN}`, 2]]);
    expect((await auditEvents(f.prisma, "admin.remind")).map((e) => [e.kind, e.data])).toEqual([
      ["admin.remind.preview", { count: 2 }],
      ["admin.remind.sent", { runId: run[0]!.id, recipients: 2 }],
    ]);
  });

  test("cancel sends nothing", async () => {
    await admin("/remind");
    await press(b, "Hủy");
    expect(b.api.sentTexts(ADMIN).at(-1)).toBe("Đã hủy; không có tin nào được gửi.");
    expect(await outboxRows(f.prisma)).toEqual([]);
  });

  test("a closed campaign is refused", async () => {
    await f.db.campaigns.close("par2026", new Date("2026-11-09T00:00:00Z"));
    await admin("/remind par2026");
    expect(b.api.sentTexts(ADMIN)).toEqual(["Đợt khảo sát “PAR Index 2026” đã kết thúc lúc 07:00 ngày 09/11/2026; không thể gửi thêm tin cho người trả lời."]);
    expect((await auditEvents(f.prisma, "admin.")).map((e) => [e.kind, e.data])).toEqual([["admin.remind.refused", { reason: "campaign_closed" }]]);
    expect(await outboxRows(f.prisma)).toEqual([]);
  });
});

describe("/broadcast", () => {
  const TEXT = "Kính gửi Ông/Bà: hạn chót khảo sát là 17:00 ngày 30/11/2026.";

  test("compose, audience, preview with the count, confirm, progress in one message, final report", async () => {
    await admin("/broadcast");
    expect(b.api.sentTexts(ADMIN)).toEqual([
      "Gửi thông báo tới người trả lời của “PAR Index 2026”: xin gửi nội dung tin nhắn (tối đa 4096 ký tự, văn bản thường). /cancel để hủy.",
    ]);
    await admin(TEXT);
    expect(b.api.sentTexts(ADMIN).at(-1)).toBe("Gửi cho ai?");
    expect(lastKeyboard(b).buttons).toEqual([
      ["Tất cả | adm:*:all", "Chưa gửi phiếu | adm:*:ns"],
      ["Một đơn vị… | adm:*:units", "Một nhóm… | adm:*:groups"],
      ["Hủy | adm:*:no"],
    ]);
    await press(b, "Chưa gửi phiếu");
    expect(b.api.sentTexts(ADMIN).slice(-2)).toEqual([TEXT, "Tin nhắn trên sẽ được gửi tới những người chưa gửi phiếu: 2 người nhận. Gửi?"]);
    expect(lastKeyboard(b).buttons).toEqual([["Gửi cho 2 người | adm:*:go"], ["« Quay lại | adm:*:back", "Hủy | adm:*:no"]]);
    expect(await outboxRows(f.prisma)).toEqual([]);

    await press(b, "Gửi cho 2 người");
    const rows = await outboxRows(f.prisma);
    expect(rows.map((r) => [r.kind, r.chatId, r.text, r.status])).toEqual([
      ["broadcast", "12", TEXT, "queued"],
      ["broadcast", "21", TEXT, "queued"],
    ]);
    const broadcast = (await f.prisma.broadcast.findMany())[0]!;
    expect([broadcast.audience, broadcast.recipients, broadcast.actor, broadcast.text]).toEqual(["not-submitted", 2, `telegram:${ADMIN}`, TEXT]);
    expect(rows.every((r) => r.batchId === broadcast.id)).toBe(true);
    expect(b.api.sentTexts(ADMIN).at(-1)).toBe("Thông báo tới những người chưa gửi phiếu: đã gửi 0, lỗi 0, còn lại 2 (trên 2).");
    const progressMessage = lastKeyboard(b);
    expect(progressMessage.buttons).toEqual([[`Dừng gửi | adm:*:${broadcast.id}`]]);

    // The sender delivers one message and fails the other; the progress message is edited, not repeated.
    const claimed = await f.store.outbox.claim("test", NOW, 10);
    await f.store.outbox.markSending(claimed[0]!.id, "test", NOW);
    await f.store.outbox.markSent([{ id: claimed[0]!.id, at: NOW, telegramMessageId: 1 }]);
    expect(await b.progress.tick(NOW)).toEqual([{ broadcastId: broadcast.id, result: "updated" }]);
    expect(await b.progress.tick(NOW)).toEqual([{ broadcastId: broadcast.id, result: "unchanged" }]);
    await f.store.outbox.markSending(claimed[1]!.id, "test", NOW);
    await f.store.outbox.finish(claimed[1]!.id, "failed", "400: chat not found", NOW);
    const calls = b.api.calls.length;
    expect(await b.progress.tick(NOW)).toEqual([{ broadcastId: broadcast.id, result: "finished" }]);
    expect(b.api.callsOf("editMessageText").map((c) => [c.payload.message_id, c.payload.text, c.payload.reply_markup])).toEqual([
      [progressMessage.messageId, "Thông báo tới những người chưa gửi phiếu: đã gửi 1, lỗi 0, còn lại 1 (trên 2).", { inline_keyboard: [[{ text: "Dừng gửi", callback_data: `adm:stop:${broadcast.id}` }]] }],
      [progressMessage.messageId, "Thông báo tới những người chưa gửi phiếu: đã gửi 1, lỗi 1, còn lại 0 (trên 2).", { inline_keyboard: [] }],
    ]);
    expect(textsSince(b, calls)).toEqual(["Đã gửi xong thông báo: 1/2 đã gửi, 1 lỗi."]);
    expect(await b.progress.tick(NOW)).toEqual([]);

    expect((await auditEvents(f.prisma, "admin.broadcast")).map((e) => [e.kind, e.data])).toEqual([
      ["admin.broadcast.compose", { draftId: expect.any(String) }],
      ["admin.broadcast.text", { draftId: expect.any(String), length: TEXT.length }],
      ["admin.broadcast.audience", { draftId: expect.any(String), audience: "not-submitted", count: 2 }],
      ["admin.broadcast.sent", { draftId: expect.any(String), broadcastId: broadcast.id, recipients: 2 }],
      ["admin.broadcast.tracked", expect.objectContaining({ broadcastId: broadcast.id, chatId: ADMIN, messageId: progressMessage.messageId })],
      ["admin.broadcast.finished", { broadcastId: broadcast.id, recipients: 2, sent: 1, failed: 1, remaining: 0, cancelled: 0 }],
      ["admin.broadcast.report", { broadcastId: broadcast.id, recipients: 2, sent: 1, failed: 1, remaining: 0, cancelled: 0 }],
    ]);
  });

  test("everyone excludes accounts that declined; a unit and a group are chosen with buttons", async () => {
    await admin("/broadcast par2026");
    await admin(TEXT);
    await press(b, "Tất cả");
    expect(b.api.sentTexts(ADMIN).at(-1)).toBe("Tin nhắn trên sẽ được gửi tới tất cả người trả lời của đợt khảo sát: 3 người nhận. Gửi?");
    await press(b, "« Quay lại");
    await press(b, "Một đơn vị…");
    expect(b.api.sentTexts(ADMIN).at(-1)).toBe("Đơn vị nào?");
    expect(lastKeyboard(b).buttons).toEqual([
      ["Sở Tư pháp (SO_TP) | adm:*:u0"],
      ["Sở Y tế (SO_YT) | adm:*:u1"],
      ["UBND huyện Hòa Nam (UB_HN) | adm:*:u2"],
      ["« Quay lại | adm:*:back", "Hủy | adm:*:no"],
    ]);
    await press(b, "Sở Tư pháp (SO_TP)");
    expect(b.api.sentTexts(ADMIN).at(-1)).toBe("Tin nhắn trên sẽ được gửi tới đơn vị Sở Tư pháp (SO_TP): 2 người nhận. Gửi?");
    await press(b, "Gửi cho 2 người");
    expect((await outboxRows(f.prisma)).map((r) => r.chatId)).toEqual(["11", "12"]);
    expect((await f.prisma.broadcast.findMany()).map((x) => x.audience)).toEqual(["unit:SO_TP"]);
  });

  test("an empty audience is refused and the audience asked again", async () => {
    await admin("/broadcast");
    await admin(TEXT);
    await press(b, "Một nhóm…");
    expect(lastKeyboard(b).buttons).toEqual([["deputies | adm:*:g0", "leaders | adm:*:g1"], ["« Quay lại | adm:*:back", "Hủy | adm:*:no"]]);
    await press(b, "deputies");
    expect(b.api.sentTexts(ADMIN).at(-1)).toBe("Không ai thuộc nhóm deputies có thể nhận tin (chỉ người đã mở bot mới nhận được). Xin chọn đối tượng khác.");
    expect(lastKeyboard(b).buttons[0]).toEqual(["Tất cả | adm:*:all", "Chưa gửi phiếu | adm:*:ns"]);
    expect(await f.prisma.broadcast.count()).toBe(0);
    expect(await outboxRows(f.prisma)).toEqual([]);
  });

  test("a text longer than 4096 characters is refused with its length; a shorter one is then accepted", async () => {
    await admin("/broadcast");
    await admin("x".repeat(4097));
    expect(b.api.sentTexts(ADMIN).at(-1)).toBe("Tin nhắn có 4097 ký tự; Telegram chỉ cho phép tối đa 4096. Xin rút gọn và gửi lại, hoặc /cancel.");
    expect((await auditEvents(f.prisma, "admin.broadcast.refused")).map((e) => e.data)).toEqual([{ reason: "too_long", length: 4097 }]);
    await admin("y".repeat(4096));
    expect(b.api.sentTexts(ADMIN).at(-1)).toBe("Gửi cho ai?");
  });

  test("a closed campaign is refused, also when it closed between preview and confirm", async () => {
    await admin("/broadcast");
    await admin(TEXT);
    await press(b, "Tất cả");
    clock.now = new Date("2026-11-30T10:00:00Z");
    await press(b, "Gửi cho 3 người");
    expect(b.api.sentTexts(ADMIN).at(-1)).toBe("Đợt khảo sát “PAR Index 2026” đã kết thúc lúc 17:00 ngày 30/11/2026; không thể gửi thêm tin cho người trả lời.");
    expect(await outboxRows(f.prisma)).toEqual([]);
    await admin("/broadcast par2026");
    expect(b.api.sentTexts(ADMIN).at(-1)).toBe("Đợt khảo sát “PAR Index 2026” đã kết thúc lúc 17:00 ngày 30/11/2026; không thể gửi thêm tin cho người trả lời.");
  });

  test("/cancel discards a draft; /cancel (or the stop button) stops a running broadcast", async () => {
    await admin("/broadcast");
    await admin(TEXT);
    await admin("/cancel");
    expect(b.api.sentTexts(ADMIN).at(-1)).toBe("Đã hủy; không có tin nào được gửi.");
    // The old audience buttons are spent.
    await press(b, "Tất cả");
    expect(b.api.callsOf("answerCallbackQuery").at(-1)!.payload.text).toBe("Nút này đã hết hiệu lực.");
    expect(await f.prisma.broadcast.count()).toBe(0);

    await admin("/broadcast");
    await admin(TEXT);
    await press(b, "Tất cả");
    await press(b, "Gửi cho 3 người");
    const claimed = await f.store.outbox.claim("test", NOW, 1);
    await f.store.outbox.markSending(claimed[0]!.id, "test", NOW);
    await f.store.outbox.markSent([{ id: claimed[0]!.id, at: NOW, telegramMessageId: 1 }]);
    await admin("/cancel");
    expect(b.api.sentTexts(ADMIN).at(-1)).toBe("Đã dừng gửi thông báo: đã gửi 1, lỗi 0, 2 tin không gửi.");
    expect((await outboxRows(f.prisma)).map((r) => r.status)).toEqual(["sent", "cancelled", "cancelled"]);
    expect((await f.prisma.broadcast.findFirst())!.cancelledAt).toEqual(NOW);
    expect(await b.progress.tick(NOW)).toEqual([]);
    await admin("/cancel");
    expect(b.api.sentTexts(ADMIN).at(-1)).toBe("Không có gì để hủy: không có lệnh nào đang chờ và không có thông báo nào của bạn đang gửi.");
    expect((await auditEvents(f.prisma, "admin.broadcast.cancelled")).map((e) => e.data)).toEqual([
      { broadcastId: expect.any(String), recipients: 3, sent: 1, failed: 0, remaining: 0, cancelled: 2 },
    ]);
  });

  test("the steps live in the database: another instance continues the draft, and a double confirm queues once", async () => {
    await admin("/broadcast");
    await admin(TEXT);
    const other = await createAdminBot(f, clock);
    const { messageId, data } = lastKeyboard(b);
    await other.send(other.updates.callback(ADMIN, data.get("Chưa gửi phiếu")!, messageId));
    expect(other.api.sentTexts(ADMIN).at(-1)).toBe("Tin nhắn trên sẽ được gửi tới những người chưa gửi phiếu: 2 người nhận. Gửi?");
    const confirm = lastKeyboard(other);
    const go = other.updates.callback(ADMIN, confirm.data.get("Gửi cho 2 người")!, confirm.messageId);
    await other.send(go);
    await b.send({ ...go, update_id: go.update_id + 1000 });
    expect(await f.prisma.broadcast.count()).toBe(1);
    expect(await outboxRows(f.prisma)).toHaveLength(2);
    expect(b.api.callsOf("answerCallbackQuery").at(-1)!.payload.text).toBe("Nút này đã hết hiệu lực.");
  });
});

describe("/export", () => {
  async function documents(): Promise<{ file: UploadedFile; caption: unknown }[]> {
    return b.api.callsOf("sendDocument").map((c) => ({ file: c.payload.document as UploadedFile, caption: c.payload.caption }));
  }

  test("sends the participation XLSX and the responses file as documents", async () => {
    await admin("/export");
    const docs = await documents();
    expect(docs.map((d) => [d.file.filename, d.caption])).toEqual([
      ["participation-par2026-2026-11-10.xlsx", "Tình hình tham gia: PAR Index 2026"],
      ["responses-par2026.csv", "Phiếu trả lời: PAR Index 2026 (không có thông tin định danh người trả lời)"],
    ]);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(docs[0]!.file.content as unknown as ArrayBuffer);
    const rows = workbook.worksheets[0]!.getSheetValues().filter(Boolean).map((r) => (r as unknown[]).slice(1));
    // Vietnamese headings, then the machine names below them.
    expect(rows[0]!.slice(0, 2)).toEqual(["Mã đơn vị", "Tên đơn vị"]);
    expect(rows[1]).toEqual([
      "unit",
      "unit_name",
      "group",
      "sampled",
      "redeemed",
      "attested",
      "in_progress",
      "submitted",
      "submission_rate",
      "responses",
      "responses_telegram",
      "responses_zalo",
      "responses_console",
      "responses_import",
    ]);
    expect(rows.at(-1)).toEqual(["TOTAL", "", "", 8, 4, 2, 1, 1, 12.5, 1, 1, 0, 0, 0]);
    expect(docs[1]!.file.content.toString("utf8")).toBe("response_id,subject_unit,group,started_at,submitted_at,q1\n");
    expect((await auditEvents(f.prisma, "admin.export")).map((e) => e.data)).toEqual([{ files: ["participation.xlsx", "responses-par2026.csv"], identified: false }]);
  });

  test("without a responses exporter the admin is told how to get the file", async () => {
    const bare = await createAdminBot(f, clock);
    await bare.send(bare.updates.text(ADMIN, "/export par2026"));
    expect(bare.api.callsOf("sendDocument")).toHaveLength(1);
    expect(bare.api.sentTexts(ADMIN)).toEqual(["Bản cài đặt này chưa xuất được tệp phiếu trả lời qua Telegram; xin dùng lệnh `khaosat responses export`."]);
  });
});
