// The citizens' poster path through grammY's handleUpdate on the SQLite test database (issue 7).
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { beforeAll, expect, test } from "vitest";
import { RedemptionService } from "../../../src/access/index.js";
import { createBot } from "../../../src/bot/index.js";
import type { BotCampaign, BotLogger } from "../../../src/channels/telegram/index.js";
import { CitizenService } from "../../../src/citizens/index.js";
import { citizensRepository } from "../../../src/db/citizens-repository.js";
import { messagingRepository } from "../../../src/db/messaging-repository.js";
import { createI18n } from "../../../src/i18n/index.js";
import { parseQuestionnaire } from "../../../src/questionnaire/index.js";
import { ReminderService } from "../../../src/reminders/index.js";
import { describeDatabases } from "../../support/db.js";
import { FakeBotApi, TEST_BOT_INFO, UpdateFactory } from "../../support/telegram.js";
import { buttons, data, lastKeyboard, press, sessionOf, TEST_SECRET, TEST_TOKEN, type Harness } from "./harness.js";

const SOURCE = readFileSync(fileURLToPath(new URL("../../../examples/sipas-citizens.yaml", import.meta.url)), "utf8");
// Distinctive ids, so a scan of every stored value cannot match them by accident.
const ANH = 834519261;
const BINH = 834519262;
const CHI = 834519263;
const DUNG = 834519264;
const quiet: BotLogger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

const NOTICE_VI =
  "🔒 Phiếu này không ghi tên. Chúng tôi không hỏi tên hay số điện thoại của Ông/Bà. Trong lúc trả lời, tài khoản Telegram được lưu cùng phiếu để Ông/Bà có thể làm tiếp; khi gửi phiếu, tài khoản này được xoá khỏi phiếu: cuộc trò chuyện khảo sát được xoá và chỉ còn một mã băm (không thể đọc ngược) của tài khoản để mỗi người chỉ đánh giá một lần trong một kỳ. Cơ quan tổ chức khảo sát chỉ xem kết quả tổng hợp của những đơn vị có đủ số phiếu tối thiểu.";
const NOTICE_EN =
  "🔒 This form is anonymous. We never ask for your name or phone number. While you answer, your Telegram account is kept with the form so that you can resume; once you submit, it is removed: the survey chat is deleted and only a one-way hash of the account remains so that each person rates once per period. The organisers see only totals, for units with enough responses.";

describeDatabases("citizens' counter poster through Telegram", (ctx) => {
  let h: Harness;
  let token = "";

  beforeAll(async () => {
    const db = ctx.db();
    const clock = { now: new Date("2026-11-10T02:00:00Z") };
    const parsed = parseQuestionnaire(SOURCE, "sipas-citizens.yaml");
    if (!parsed.ok) throw new Error("example does not load");
    const version = await db.campaigns.storeQuestionnaireVersion({ questionnaireId: parsed.questionnaire.id, version: parsed.questionnaire.version, fileName: "sipas-citizens.yaml", source: SOURCE, sourceHash: createHash("sha256").update(SOURCE).digest("hex") });
    if (!version.ok) throw new Error("not stored");
    await db.campaigns.create({ id: "sipas", name: "SIPAS", questionnaireVersionPk: version.record.pk, opensAt: new Date("2026-11-01T00:00:00Z"), closesAt: new Date("2026-11-30T10:00:00Z"), timeZone: "Asia/Ho_Chi_Minh", identified: false });
    const citizens = new CitizenService({ repository: citizensRepository(ctx.prisma()), secret: TEST_SECRET });
    ({ token } = await citizens.createPoster({ campaignId: "sipas", unitCode: "ub-bd", unitName: "UBND phường Ba Đình", service: "Đăng ký kết hôn", now: clock.now }));
    const campaigns = db.channel.campaigns;
    const ports = { codes: new RedemptionService({ repository: db.channel.access, secret: TEST_SECRET }), campaigns, respondents: db.channel.respondents, sessions: db.channel.sessions };
    const api = new FakeBotApi();
    const bot = createBot({ token: TEST_TOKEN, botInfo: TEST_BOT_INFO, fetch: api.fetch, citizens, deps: { ports, i18n: createI18n(), now: () => clock.now, logger: quiet, defaultLanguage: "vi" } });
    await bot.init();
    const campaign = (await campaigns.find("sipas")) as BotCampaign;
    h = { ports, sessions: db.channel.sessions, campaign, clock, bot, api, updates: new UpdateFactory(), send: (u: Parameters<typeof bot.handleUpdate>[0]) => bot.handleUpdate(u) } as unknown as Harness;
  });

  async function everyStoredValue(): Promise<string> {
    const prisma = ctx.prisma();
    const tables = ctx.provider === "sqlite"
      ? (await prisma.$queryRawUnsafe<{ name: string }[]>("SELECT name FROM sqlite_master WHERE type = 'table'")).map((t) => t.name)
      : (await prisma.$queryRawUnsafe<{ name: string }[]>("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()")).map((t) => t.name);
    const dump: string[] = [];
    for (const table of tables) {
      const rows = await prisma.$queryRawUnsafe<Record<string, unknown>[]>(`SELECT * FROM "${table}"`);
      dump.push(`${table}:${JSON.stringify(rows, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))}`);
    }
    return dump.join("\n");
  }

  test("scan → privacy notice (Vietnamese, one English button) → attestation → questions → submit, at most one tap per question plus the submit; then nothing stored holds the account or chat", async () => {
    let taps = 0;
    const tap = async (callbackData: string) => {
      taps++;
      await press(h, ANH, callbackData);
    };
    await h.send(h.updates.text(ANH, `/start KP_${token}`));
    const tag = (await data(h, ANH, { kind: "review" })).split(".")[1];
    const welcome = h.api.callsOf("sendMessage").find((c) => Number(c.payload.chat_id) === ANH)!;
    expect(welcome.payload.text).toBe(`Đơn vị được đánh giá: UBND phường Ba Đình\nThủ tục: Đăng ký kết hôn\n\n${NOTICE_VI}`);
    expect(welcome.payload.reply_markup).toEqual({ inline_keyboard: [[{ text: "English", callback_data: `1.${tag}.l.en` }]] });
    const texts = h.api.sentTexts(ANH);
    expect(texts).toHaveLength(3);
    expect(texts[1]).toMatch(/^Phiếu khảo sát sự hài lòng của người dân/);
    expect(texts[2]).toBe("Trước khi bắt đầu, xin Ông/Bà vui lòng đọc và xác nhận:\n\nTôi xác nhận là người trực tiếp thực hiện thủ tục hành chính được đánh giá và tự mình trả lời phiếu này.");
    // No identity step: the session is anonymous from the first message.
    expect(await sessionOf(h, ANH)).toMatchObject({ respondentId: null, codeId: null, stage: "survey", language: "vi", units: [{ id: "ub-bd", name: "UBND phường Ba Đình" }] });

    await tap(await data(h, ANH, { kind: "attestation", accept: true }));
    const q = h.campaign.questionnaire;
    const shown: string[] = [];
    for (let guard = 0; guard < 60; guard++) {
      const position = (await sessionOf(h, ANH)).engine?.position;
      if (position?.kind !== "question") break;
      const info = q.byId.get(position.questionId)!;
      shown.push(info.question.id);
      const last = h.api.sentTexts(ANH).at(-1)!;
      // Progress on every question.
      expect(last).toMatch(new RegExp(`Câu ${shown.length}/(?:tối đa )?\\d+`));
      const question = info.question;
      if (question.id === "comment") {
        taps++;
        await h.send(h.updates.text(ANH, "Cán bộ hướng dẫn tận tình."));
      } else if (question.type === "scale") {
        // Compact: the 1–5 scale on one row, "cannot judge" on its own row (plus back).
        const rows = lastKeyboard(h, ANH).keyboard;
        expect(rows[0]!.map((b) => b.text)).toEqual(["1", "2", "3", "4", "5"]);
        if (question.allowNotApplicable) expect(rows[1]!.map((b) => b.text)).toEqual(["Không đánh giá được"]);
        expect(last).toContain("1 = Rất không hài lòng … 5 = Rất hài lòng");
        await tap(await data(h, ANH, { kind: "scale", question: info.index, value: 4 }));
      } else if (question.type === "single") {
        const option = question.id === "sent_feedback" ? 1 : 0;
        await tap(await data(h, ANH, { kind: "option", question: info.index, option }));
      } else {
        await tap(await data(h, ANH, { kind: "skip", question: info.index }));
      }
    }
    expect((await sessionOf(h, ANH)).engine?.position.kind).toBe("review");
    h.clock.now = new Date("2026-11-10T02:03:00Z");
    await tap(await data(h, ANH, { kind: "submit" }));

    // Measured: one tap (or typed message) per question shown, the attestation, and the submit;
    // Vietnamese costs no tap. The attestation is the questionnaire's own item, counted like a question.
    // The desk path without feedback: 26 of the 30 questions are shown.
    expect(shown).toHaveLength(26);
    expect(taps).toBe(shown.length + 1 + 1);
    expect(taps).toBeLessThanOrEqual(shown.length + (q.definition.attestation ? 1 : 0) + 1);

    expect(h.api.sentTexts(ANH).slice(-2)).toEqual([
      "Xin trân trọng cảm ơn Ông/Bà! Phiếu khảo sát đã được gửi lúc 09:03 ngày 10/11/2026. Ý kiến của Ông/Bà giúp nâng cao chất lượng cải cách hành chính.",
      "🔒 Dữ liệu cuộc trò chuyện khảo sát đã được xoá: phiếu của Ông/Bà không còn gắn với tài khoản Telegram này.",
    ]);
    const prisma = ctx.prisma();
    const [response] = await prisma.response.findMany({ include: { answers: true } });
    expect(response).toMatchObject({ status: "submitted", account: null, respondentId: null, accessCodeId: null, subjectUnit: "ub-bd" });
    expect(response!.answers.find((a) => a.questionId === "comment")?.value).toBe(JSON.stringify("Cán bộ hướng dẫn tận tình."));
    expect(await prisma.session.count()).toBe(0);
    expect(await prisma.posterClaim.count()).toBe(1);
    const stored = await everyStoredValue();
    expect(stored).not.toContain(String(ANH));
    expect(stored).not.toContain("telegram:");
  });

  test("the same account scans the poster again the same day: refused politely with the next date, counted, nothing started", async () => {
    h.clock.now = new Date("2026-11-10T09:00:00Z");
    const before = h.api.sentTexts(ANH).length;
    await h.send(h.updates.text(ANH, `/start KP_${token}`));
    // Periods of 30 days start at the opening (1 Nov, 07:00 in Hà Nội): the next one on 1 Dec.
    expect(h.api.sentTexts(ANH).slice(before)).toEqual([
      "Cảm ơn Ông/Bà! Ông/Bà đã gửi ý kiến về đơn vị này trong kỳ này rồi; mỗi người đánh giá một lần. Ông/Bà có thể đánh giá lại từ ngày 01/12/2026.",
    ]);
    const prisma = ctx.prisma();
    expect((await prisma.poster.findFirstOrThrow()).refused).toBe(1);
    expect(await prisma.session.count()).toBe(0);
    expect(await prisma.response.count()).toBe(1);
    // The token in lower case (typed by hand) is the same poster, and refused the same way.
    await h.send(h.updates.text(ANH, `/start kp_${token.toLowerCase()}`));
    expect((await prisma.poster.findFirstOrThrow()).refused).toBe(2);
    expect(await everyStoredValue()).not.toContain(String(ANH));
  });

  test("English: one tap turns the notice and the attestation into English; the questions follow in English", async () => {
    await h.send(h.updates.text(BINH, `/start KP_${token}`));
    const first = h.api.callsOf("sendMessage").find((c) => Number(c.payload.chat_id) === BINH)!;
    const firstId = 100 + h.api.callsOf("sendMessage").indexOf(first);
    const english = await data(h, BINH, { kind: "language", language: "en" });
    await h.send(h.updates.callback(BINH, english, firstId));
    const texts = h.api.sentTexts(BINH).slice(3);
    expect(texts[0]).toBe(`Unit being rated: UBND phường Ba Đình\n\n${NOTICE_EN}`);
    expect(texts.at(-1)).toBe("Before you start, please read and confirm:\n\nI confirm that I personally carried out the administrative procedure being rated and that I answer this form myself.");
    // The Vietnamese button is gone; the English notice offers the way back.
    expect(h.api.callsOf("editMessageReplyMarkup").some((c) => c.payload.message_id === firstId)).toBe(true);
    const back = h.api.callsOf("sendMessage").filter((c) => Number(c.payload.chat_id) === BINH)[3]!;
    expect(buttons((back.payload.reply_markup as { inline_keyboard: never[][] }).inline_keyboard)).toEqual([[`Tiếng Việt | ${await data(h, BINH, { kind: "language", language: "vi" })}`]]);
    await press(h, BINH, await data(h, BINH, { kind: "attestation", accept: true }));
    expect(h.api.sentTexts(BINH).at(-1)).toBe("【General information】\nQuestion 1 of at most 29\nHow did you submit your application?");
    expect((await sessionOf(h, BINH)).language).toBe("en");
  });

  test("a citizen who abandons midway: kept in progress, never counted, never reminded; scanning again or /start resumes", async () => {
    h.clock.now = new Date("2026-11-11T02:00:00Z");
    await h.send(h.updates.text(CHI, `/start KP_${token}`));
    await press(h, CHI, await data(h, CHI, { kind: "attestation", accept: true }));
    const channel = h.campaign.questionnaire.byId.get("channel")!;
    await press(h, CHI, await data(h, CHI, { kind: "option", question: channel.index, option: 1 }));
    const prisma = ctx.prisma();
    const open = await prisma.response.findMany({ where: { status: "in_progress" }, include: { answers: true } });
    expect(open.map((r) => r.answers.map((a) => a.questionId))).toContainEqual(["channel"]);
    expect(await ctx.db().responses.submitted("sipas")).toHaveLength(1);
    // Reminders go to named respondents only: an anonymous citizen never asked for one.
    const reminders = new ReminderService(messagingRepository(prisma), createI18n());
    expect(await reminders.preview("sipas")).toBe(0);
    expect(await reminders.remindNow("sipas", h.clock.now, "test")).toMatchObject({ recipients: 0 });
    expect(await prisma.outboxMessage.count()).toBe(0);

    // Days later, the same poster: back at the question where they stopped, not a new survey.
    h.clock.now = new Date("2026-11-13T02:00:00Z");
    const sessions = await prisma.session.count();
    await h.send(h.updates.text(CHI, `/start KP_${token}`));
    expect(h.api.sentTexts(CHI).slice(-2)).toEqual(["Chào mừng Ông/Bà quay lại. Xin tiếp tục từ chỗ đã dừng.", "Câu 2/tối đa 26\nGiới tính (Không bắt buộc)"]);
    expect(await prisma.session.count()).toBe(sessions);
    await h.send(h.updates.text(CHI, "/start"));
    expect(h.api.sentTexts(CHI).slice(-2)).toEqual(["Chào mừng Ông/Bà quay lại. Xin tiếp tục từ chỗ đã dừng.", "Câu 2/tối đa 26\nGiới tính (Không bắt buộc)"]);
  });

  test.each([
    ["a poster link cut short", "KP_ABCDE", "Đường liên kết này không đúng. Xin vui lòng quét lại mã QR trên áp phích hoặc trên phiếu hẹn."],
    ["a poster link with characters no token has", "KP_ABCDE-FGHJK!23456789", "Đường liên kết này không đúng. Xin vui lòng quét lại mã QR trên áp phích hoặc trên phiếu hẹn."],
    ["an over-long poster link", `KP_${"A".repeat(80)}`, "Đường liên kết này không đúng. Xin vui lòng quét lại mã QR trên áp phích hoặc trên phiếu hẹn."],
    ["an over-long payload of another kind", "X".repeat(300), "Đường liên kết này không chứa mã khảo sát hợp lệ. Xin vui lòng gửi mã ghi trên giấy mời."],
    ["a payload with a prefix nobody issues", "ZZ_hello", "Đường liên kết này không chứa mã khảo sát hợp lệ. Xin vui lòng gửi mã ghi trên giấy mời."],
    ["a poster nobody printed", "KP_ABCDEFGHJKMNPQRSTUVW", "Mã QR này không còn dùng được. Xin vui lòng quét mã trên áp phích đang dán tại quầy hoặc hỏi cán bộ tiếp nhận."],
  ])("%s gets a polite message and starts nothing", async (_name, payload, expected) => {
    const sessions = await ctx.prisma().session.count();
    const before = h.api.sentTexts(DUNG).length;
    await h.send(h.updates.text(DUNG, `/start ${payload}`));
    expect(h.api.sentTexts(DUNG).slice(before)).toEqual([expected]);
    expect(await ctx.prisma().session.count()).toBe(sessions);
  });
});
