// The Zalo channel end to end: the real client, polling loop, adapter and conversation host over
// the Prisma stores, talking HTTP to a loopback Zalo Bot API stub.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, test } from "vitest";
import { hashCode, RedemptionService } from "../../../src/access/index.js";
import type { BotLogger } from "../../../src/channels/telegram/index.js";
import { checkZaloBot, startZaloPolling, ZaloChannel, ZaloClient, ZaloTokenRejectedError, type ZaloReceiver } from "../../../src/channels/zalo/index.js";
import type { TextConversationHost } from "../../../src/conversation/index.js";
import type { SurveyState } from "../../../src/engine/index.js";
import { parseQuestionnaire, type Questionnaire } from "../../../src/questionnaire/index.js";
import { describeDatabases, type DatabaseContext } from "../../support/db.js";
import { ZaloBotApiStub } from "../../support/zalo-stub.js";
import { zaloTestHost } from "./support.js";
import { TEST_SECRET } from "../telegram/harness.js";

const PAR = "ABCDE23456";
const DEPUTY = "BCDEF34567";
const SIPAS = "CDEFG45678";
const OTHER = "DEFGH56789";
/** A slip handed to the wrong person (R4's), and that person's own code (U2's). */
const SLIP = "FGHJK23456";
const OWN = "GHJKM34567";
/** U3's code, for the refused-submit walk. */
const WALK = "HJKMN45678";

function load(name: string): { source: string; questionnaire: Questionnaire } {
  const source = readFileSync(fileURLToPath(new URL(`../../../examples/${name}`, import.meta.url)), "utf8");
  const parsed = parseQuestionnaire(source, name);
  if (!parsed.ok) throw new Error(`${name} does not load`);
  return { source, questionnaire: parsed.questionnaire };
}

describeDatabases("Zalo channel end to end through the Bot API stub", (ctx: DatabaseContext) => {
  const stub = new ZaloBotApiStub({ maxPollMs: 200 });
  const logs: string[] = [];
  const log = (level: string) => (data: Record<string, unknown>, message: string) => void logs.push(`${level} ${message} ${JSON.stringify(data)}`);
  const logger: BotLogger = { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") };
  const clock = { now: new Date("2026-11-10T02:00:00Z") };
  let par: Questionnaire;
  let sipas: Questionnaire;
  let receiver: ZaloReceiver;
  let handled = 0;
  let channelOf: () => { host: TextConversationHost; channel: ZaloChannel; client: ZaloClient };

  beforeAll(async () => {
    await stub.start();
    const db = ctx.db();
    const store = async (id: string, name: string) => {
      const { source, questionnaire } = load(name);
      const version = await db.campaigns.storeQuestionnaireVersion({ questionnaireId: questionnaire.id, version: questionnaire.version, fileName: name, source, sourceHash: createHash("sha256").update(source).digest("hex") });
      if (!version.ok) throw new Error("not stored");
      await db.campaigns.create({ id, name: id, questionnaireVersionPk: version.record.pk, opensAt: new Date("2026-11-01T00:00:00Z"), closesAt: new Date("2026-11-30T10:00:00Z"), timeZone: "Asia/Ho_Chi_Minh", identified: false });
      return questionnaire;
    };
    par = await store("par", "par-officials.yaml");
    sipas = await store("sipas", "sipas-citizens.yaml");
    const group = par.definition.groups?.[0]?.id ?? "leaders";
    await db.respondents.importRespondents("par", [
      { externalId: "R1", fullName: "Nguyễn Văn An", unitCode: "stp", unitName: "Sở Tư pháp", groupId: group, language: "vi", phone: null, email: null, subjectUnits: [], coordinator: false },
      { externalId: "R2", fullName: "Trần Thị Bình", unitCode: "ubnd", unitName: "UBND tỉnh", groupId: group, language: "en", phone: null, email: null, subjectUnits: ["stp", "sxd", "syt"], coordinator: false },
      { externalId: "R3", fullName: "Lê Văn Cường", unitCode: "stp", unitName: "Sở Tư pháp", groupId: group, language: "vi", phone: null, email: null, subjectUnits: [], coordinator: false },
    ]);
    await db.respondents.importRespondents("par", [
      { externalId: "U2", fullName: "-", unitCode: "sxd", unitName: "Sở Xây dựng", groupId: group, language: "vi", phone: null, email: null, subjectUnits: [], coordinator: false },
      { externalId: "U3", fullName: "-", unitCode: "syt", unitName: "Sở Y tế", groupId: group, language: "vi", phone: null, email: null, subjectUnits: [], coordinator: false },
    ]);
    const id = async (external: string) => (await db.respondents.getByExternalId("par", external))!.id;
    const code = async (plain: string, respondentId: string) => ({ codeHash: hashCode(plain, TEST_SECRET), campaignId: "par", respondentId, batchId: null, unitCode: null, issuedAt: clock.now });
    await db.respondents.importRespondents("par", [
      { externalId: "R4", fullName: "Phạm Thị Dung", unitCode: "stp", unitName: "Sở Tư pháp", groupId: group, language: "vi", phone: null, email: null, subjectUnits: [], coordinator: false },
    ]);
    await db.channel.access.insertCodes([await code(PAR, await id("R1")), await code(DEPUTY, await id("R2")), await code(OTHER, await id("R3")), await code(SLIP, await id("R4")), await code(OWN, await id("U2")), await code(WALK, await id("U3"))]);
    await db.citizens.insertBatch({ campaignId: "sipas", unitCode: "UBND_XA_A", service: null, kind: "receipt", createdAt: clock.now }, [
      { codeHash: hashCode(SIPAS, TEST_SECRET), campaignId: "sipas", respondentId: null, unitCode: "UBND_XA_A", issuedAt: clock.now },
    ]);
    channelOf = () => {
      const host = zaloTestHost(db, clock, logger);
      const client = new ZaloClient({ token: stub.token, apiRoot: stub.url, backoffMs: 5 });
      const channel = new ZaloChannel({ client, host, logger, onHandled: () => handled++ });
      return { host, channel, client };
    };
    const { channel, client } = channelOf();
    receiver = await startZaloPolling(client, channel, { logger, timeoutSeconds: 1, retryMs: 20 });
  });

  afterAll(async () => {
    await receiver?.stop();
    await stub.stop();
  });

  /** Sends a text and waits for the bot to handle it; returns the replies it sent. */
  async function say(user: string, text: string, messageId?: string): Promise<string[]> {
    const before = stub.textsTo(user).length;
    const target = handled + 1;
    stub.pushText(user, text, messageId);
    const deadline = Date.now() + 10_000;
    while (handled < target) {
      if (Date.now() > deadline) throw new Error(`no reply to "${text}"`);
      await new Promise((r) => setTimeout(r, 5));
    }
    return stub.textsTo(user).slice(before);
  }

  async function state(user: string): Promise<SurveyState | undefined> {
    return (await ctx.db().channel.sessionsOf("zalo").findLatest(`zalo:${user}`))?.engine;
  }

  /** Answers every question shown with a valid typed answer until the review; asserts garbage is refused on the way. */
  async function answerAll(user: string, questionnaire: Questionnaire, options: { garbage?: boolean } = {}): Promise<number> {
    let answered = 0;
    for (let guard = 0; guard < 400; guard++) {
      const position = (await state(user))!.position;
      if (position.kind !== "question") return answered;
      const question = questionnaire.byId.get(position.questionId)!.question;
      if (options.garbage && answered % 5 === 0) {
        const replies = await say(user, "@@@ ???");
        expect(replies.length).toBe(1);
        expect((await state(user))!.position).toEqual(position);
      }
      const answer = question.type === "scale" ? String(question.min) : question.type === "number" ? String(question.min ?? 1) : question.type === "text" ? "Ý kiến góp ý" : "1";
      await say(user, answer);
      answered++;
    }
    throw new Error("questionnaire did not end");
  }

  test("a wrong token fails getMe with a clear message that does not contain the token", async () => {
    const bad = new ZaloClient({ token: "999:wrongSecretWrongSecret", apiRoot: stub.url });
    const error = await checkZaloBot(bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ZaloTokenRejectedError);
    expect(String((error as Error).message)).not.toContain("wrongSecret");
    expect(await checkZaloBot(new ZaloClient({ token: stub.token, apiRoot: stub.url }))).toMatchObject({ name: "bot.khaosat" });
  });

  test("PAR: code in a sentence, numbered identity and attestation, garbage at every step, every question, review, submit; stored as zalo", async () => {
    const u = "zu-1";
    expect((await say(u, "xin chào"))[0]).toContain("gửi mã khảo sát");
    expect((await say(u, "ABCD"))[0]).toContain("10 ký tự");
    const accepted = await say(u, `mã của tôi: ${PAR.slice(0, 5).toLowerCase()}-${PAR.slice(5)}`);
    expect(accepted[0]).toContain("Mã hợp lệ");
    expect(accepted[1]).toContain("1. Đúng, tôi là người này");
    expect((await say(u, "có lẽ"))[0]).toContain("Xin gõ 1 hoặc 2");
    const attestation = await say(u, "1");
    expect(attestation.join("\n")).toContain("1. ");
    expect((await say(u, "abc"))[0]).toContain("Xin gõ 1 hoặc 2");
    const first = await say(u, "1");
    expect(first.join("\n")).toMatch(/Câu 1\/(?:tối đa )?\d+|1\/\d+/);
    const answered = await answerAll(u, par, { garbage: true });
    expect(answered).toBeGreaterThan(20);
    const review = (await say(u, "xem lại")).join("\n");
    expect(review).toContain("1.");
    const edited = await say(u, "sửa 1");
    expect(edited.join("\n")).toContain("1.");
    await say(u, "2");
    // Back at the review after the edit.
    expect((await state(u))!.position.kind).toBe("review");
    const done = (await say(u, "gui")).join("\n");
    expect(done).toContain("Phiếu đã được lưu");
    const rows = await ctx.prisma().response.findMany({ where: { campaignId: "par", account: "zalo:zu-1" } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ source: "zalo", status: "submitted", subjectUnit: "stp" });
    const answers = await ctx.prisma().answer.count({ where: { responseId: rows[0]!.id } });
    expect(answers).toBe(Object.keys((await state(u))!.responses[0]!.answers).length);
    // Re-entering one's own code: already submitted, and when.
    expect((await say(u, PAR))[0]).toMatch(/đã được gửi từ tài khoản này lúc \d\d:\d\d ngày/);
  });

  test("a redelivered message (same event and message id) changes nothing and gets no second reply", async () => {
    const u = "zu-3";
    await say(u, OTHER);
    await say(u, "1", "dup-1");
    const before = await state(u);
    const replies = await say(u, "1", "dup-1");
    expect(replies).toEqual([]);
    expect(await state(u)).toEqual(before);
  });

  test("a code bound to a Zalo account is refused to another Zalo account and to a Telegram account, and audited", async () => {
    expect((await say("zu-9", PAR))[0]).toContain("tài khoản khác");
    const service = new RedemptionService({ repository: ctx.db().channel.access, secret: TEST_SECRET });
    const result = await service.redeem({ input: PAR, account: "telegram:12345", now: clock.now });
    expect(result.kind).toBe("bound_to_other");
    const audits = await ctx.prisma().auditEvent.count({ where: { kind: "access.bound_to_other" } });
    expect(audits).toBeGreaterThanOrEqual(2);
  });

  test("'not me' releases the code: the person can send their own code, is left out of broadcasts, and the rightful owner can still answer", async () => {
    const stranger = "zu-wrong-slip";
    expect((await say(stranger, SLIP))[1]).toContain("Phạm Thị Dung");
    expect((await say(stranger, "2"))[0]).toContain("Nếu Ông/Bà có mã khảo sát của chính mình, xin gửi mã đó");
    const db = ctx.db();
    const r4 = (await db.respondents.getByExternalId("par", "R4"))!.id;
    expect((await db.messaging.recipients("par", {})).map((r) => r.respondentId)).not.toContain(r4);
    // Their own code is not refused as answering for someone else.
    const own = await say(stranger, OWN);
    expect(own[0]).toContain("Mã hợp lệ");
    expect(own.join("\n")).not.toContain("người khác trong đợt");
    // The slip's rightful owner, on another account, is asked who they are (not "used from another account").
    const owner = await say("zu-r4", SLIP);
    expect(owner[0]).toContain("Mã hợp lệ");
    expect(owner[1]).toContain("Phạm Thị Dung");
    expect((await db.audit.list({ kind: "session.identity_declined" })).map((e) => e.data.respondentId)).toContain(r4);
  });

  test("a deputy assesses three units in English; quit says until when; resume after a restart says where", async () => {
    const u = "zu-2";
    const accepted = await say(u, DEPUTY);
    expect(accepted[1]).toContain("1. Yes, that is me");
    await say(u, "1");
    await say(u, "1");
    await say(u, "1");
    await say(u, "1");
    expect((await say(u, "quit"))[0]).toMatch(/answers are saved.*until 17:00 on 30 November 2026/);
    // The bot process restarts: a new host, channel and client over the same database.
    await receiver.stop();
    const { channel, client } = channelOf();
    receiver = await startZaloPolling(client, channel, { logger, timeoutSeconds: 1, retryMs: 20 });
    const back = await say(u, "tiep tuc");
    expect(back[0]).toMatch(/^Welcome back! You stopped at question 3 of (?:at most )?\d+/);
    for (let unit = 0; unit < 3; unit++) {
      await answerAll(u, par);
      const position = (await state(u))!.position.kind;
      expect(position).toBe("review");
      await say(u, "submit");
    }
    const rows = await ctx.prisma().response.findMany({ where: { campaignId: "par", account: "zalo:zu-2" }, orderBy: { subjectUnit: "asc" } });
    expect(rows.map((r) => [r.subjectUnit, r.status, r.source])).toEqual([
      ["stp", "submitted", "zalo"],
      ["sxd", "submitted", "zalo"],
      ["syt", "submitted", "zalo"],
    ]);
  });

  test("SIPAS: an anonymous citizen's code, the whole questionnaire, images and stickers get 'please type'", async () => {
    const u = "zu-4";
    const start = await say(u, `KS_${SIPAS}`);
    expect(start.join("\n")).toContain("Mã hợp lệ");
    expect((await state(u))!.position.kind).toBe("attestation");
    const before = stub.textsTo(u).length;
    const seen = handled;
    stub.pushEvent(u, "message.image.received");
    stub.pushEvent(u, "message.sticker.received");
    const texts = await stub.waitForTexts(u, before + 2);
    while (handled < seen + 2) await new Promise((r) => setTimeout(r, 5));
    expect(texts.slice(before)).toEqual([expect.stringContaining("chỉ đọc được tin nhắn chữ"), expect.stringContaining("chỉ đọc được tin nhắn chữ")]);
    await say(u, "1");
    await answerAll(u, sipas, { garbage: true });
    await say(u, "gửi");
    const rows = await ctx.prisma().response.findMany({ where: { campaignId: "sipas" } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ source: "zalo", status: "submitted", respondentId: null, subjectUnit: "UBND_XA_A" });
  });

  test("a refused submit is one short message; back walks the unanswered questions backwards; 'tiếp tục' at the review goes to the first unanswered", async () => {
    const u = "zu-walk";
    await say(u, WALK);
    await say(u, "1");
    await say(u, "1");
    for (let i = 0; i < 3; i++) await say(u, "1");
    await say(u, "xem lại");
    const refused = await say(u, "gửi");
    expect(refused[0]).toMatch(/^Còn \d+ câu bắt buộc chưa trả lời \(câu 4–[\d–, ]+\)\. Chuyển tới câu 4\./);
    expect(refused.join("\n").length).toBeLessThan(1_000);
    await say(u, "1");
    await say(u, "1");
    expect((await say(u, "quay lại")).join("\n")).toMatch(/Câu 5\/(?:tối đa )?\d+\n/);
    expect((await say(u, "quay lại")).join("\n")).toMatch(/Câu 4\/(?:tối đa )?\d+\n/);
    await say(u, "quay lại");
    expect((await state(u))!.position).toEqual({ kind: "review" });
    const resumed = await say(u, "tiếp tục");
    // Not a welcome back (the respondent never left): the missing questions named, and the first of them.
    expect(resumed[0]).toMatch(/^Còn \d+ câu bắt buộc chưa trả lời \(câu 6[–\d, ]*\)\. Chuyển tới câu 6\./);
    expect(resumed.join("\n")).not.toContain("quay lại!");
    expect((await state(u))!.position).toMatchObject({ kind: "question", mode: "edit" });
  });

  test("a long review is split at line boundaries within 2,000 characters (the stub refuses longer texts)", () => {
    expect(stub.sent.every((m) => m.text.length >= 1 && m.text.length <= 2000)).toBe(true);
    expect(stub.sent.some((m) => m.text.length > 1000)).toBe(true);
  });

  test("no token and no code in the logs", () => {
    const all = logs.join("\n");
    for (const secret of [stub.token, stub.token.split(":")[1]!, PAR, DEPUTY, SIPAS, OTHER, PAR.toLowerCase()]) expect(all).not.toContain(secret);
  });
});
