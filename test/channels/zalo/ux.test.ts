// What a Zalo respondent is sent, through the real client, polling loop and adapter over the Bot API
// stub: the honest question counter, help followed by the question, edit N mid-questionnaire, and a
// stray "x" at a question whose options are shown as numbers.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, test } from "vitest";
import { hashCode } from "../../../src/access/index.js";
import type { BotLogger } from "../../../src/channels/telegram/index.js";
import { startZaloPolling, ZaloChannel, ZaloClient, type ZaloReceiver } from "../../../src/channels/zalo/index.js";
import type { SurveyState } from "../../../src/engine/index.js";
import { parseQuestionnaire } from "../../../src/questionnaire/index.js";
import { describeDatabases, type DatabaseContext } from "../../support/db.js";
import { ZaloBotApiStub } from "../../support/zalo-stub.js";
import { zaloTestHost } from "./support.js";
import { TEST_SECRET } from "../telegram/harness.js";

const CODES = ["ABCDE23456", "BCDEF34567", "CDEFG45678", "DEFGH56789"];

describeDatabases("Zalo: what the respondent reads", (ctx: DatabaseContext) => {
  const stub = new ZaloBotApiStub({ maxPollMs: 200 });
  const logger: BotLogger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
  const clock = { now: new Date("2026-11-10T02:00:00Z") };
  let receiver: ZaloReceiver;
  let handled = 0;

  beforeAll(async () => {
    await stub.start();
    const db = ctx.db();
    const name = "par-officials.yaml";
    const source = readFileSync(fileURLToPath(new URL(`../../../examples/${name}`, import.meta.url)), "utf8");
    const parsed = parseQuestionnaire(source, name);
    if (!parsed.ok) throw new Error("PAR does not load");
    const q = parsed.questionnaire;
    const version = await db.campaigns.storeQuestionnaireVersion({ questionnaireId: q.id, version: q.version, fileName: name, source, sourceHash: createHash("sha256").update(source).digest("hex") });
    if (!version.ok) throw new Error("not stored");
    await db.campaigns.create({ id: "par", name: "par", questionnaireVersionPk: version.record.pk, opensAt: new Date("2026-11-01T00:00:00Z"), closesAt: new Date("2026-11-30T10:00:00Z"), timeZone: "Asia/Ho_Chi_Minh", identified: false });
    const group = q.definition.groups?.[0]?.id ?? "leaders";
    await db.respondents.importRespondents(
      "par",
      CODES.map((_, i) => ({ externalId: `R${i}`, fullName: `Người ${i}`, unitCode: "stp", unitName: "Sở Tư pháp", groupId: group, language: "vi", phone: null, email: null, subjectUnits: [], coordinator: false })),
    );
    const codes = [];
    for (const [i, plain] of CODES.entries()) {
      const respondent = (await db.respondents.getByExternalId("par", `R${i}`))!;
      codes.push({ codeHash: hashCode(plain, TEST_SECRET), campaignId: "par", respondentId: respondent.id, batchId: null, unitCode: null, issuedAt: clock.now });
    }
    await db.channel.access.insertCodes(codes);
    const client = new ZaloClient({ token: stub.token, apiRoot: stub.url, backoffMs: 5 });
    const channel = new ZaloChannel({ client, host: zaloTestHost(db, clock, logger), logger, onHandled: () => handled++ });
    receiver = await startZaloPolling(client, channel, { logger, timeoutSeconds: 1, retryMs: 20 });
  });

  afterAll(async () => {
    await receiver?.stop();
    await stub.stop();
  });

  /** Sends a text and waits for it to be handled; the messages sent back, joined. */
  async function say(user: string, text: string): Promise<string> {
    const before = stub.textsTo(user).length;
    const target = handled + 1;
    stub.pushText(user, text);
    const deadline = Date.now() + 10_000;
    while (handled < target) {
      if (Date.now() > deadline) throw new Error(`no reply to "${text}"`);
      await new Promise((r) => setTimeout(r, 5));
    }
    return stub.textsTo(user).slice(before).join("\n---\n");
  }

  async function state(user: string): Promise<SurveyState> {
    return (await ctx.db().channel.sessionsOf("zalo").findLatest(`zalo:${user}`))!.engine!;
  }

  async function begin(user: string, code: string): Promise<string> {
    await say(user, code);
    await say(user, "1");
    return say(user, "1");
  }

  test("the counter: 'of at most' while a condition ahead is undecided, never growing, and what is sent after help, edit and a stray x", async () => {
    const u = "zu1";
    expect(await begin(u, CODES[0]!)).toContain("Câu 1/tối đa 30\n");
    // Help, then the question again, as the next message of the same reply.
    const help = await say(u, "trợ giúp");
    expect(help).toMatch(/^Các lệnh Ông\/Bà có thể gõ[\s\S]*bất cứ lúc nào \(câu đã trả lời\)\n[\s\S]*\n---\nCâu 1\/tối đa 30\nKế hoạch cải cách hành chính năm/);
    // A stray x: refused, nothing stored.
    expect(await say(u, "x")).toBe("“x” không phải là một phương án trong danh sách. Xin gõ số thứ tự của phương án Ông/Bà chọn (từ 1 đến 5); nếu Ông/Bà không đánh giá được, xin gõ 5.");
    expect((await state(u)).responses[0]!.answers).toEqual({});
    // The number shown: stored, then said back in words before the next question.
    expect(await say(u, "5")).toMatch(/^Đã ghi: Không đánh giá được\n---\nCâu 2\/tối đa 30\n/);
    expect((await state(u)).responses[0]!.answers["a1_1"]?.value).toBe("x");
    await say(u, "1");
    await say(u, "1");
    // edit 1 at question 4: question 1 with its current answer, then back to question 4.
    expect(await say(u, "sửa 1")).toMatch(/^Sửa câu 1: trả lời xong, Ông\/Bà sẽ quay lại câu 4\.\n---\n── Công tác chỉ đạo, điều hành cải cách hành chính ──\nCâu 1\/tối đa 30\n[\s\S]*Câu trả lời hiện tại: Không đánh giá được$/);
    expect(await say(u, "2")).toMatch(/^── Xây dựng và tổ chức thực hiện thể chế ──\nCâu 4\/tối đa 30\n/);
    const s = await state(u);
    expect(s.responses[0]!.answers["a1_1"]).toMatchObject({ value: "2", changeCount: 1 });
    expect(s.position).toMatchObject({ kind: "question", questionId: "a2_1", mode: "flow" });
    expect(await say(u, "sửa 7")).toContain("Không sửa được câu 7: Ông/Bà đang ở câu 4, nên chỉ sửa được các câu đã qua (1–3).");
    expect((await state(u)).position).toEqual(s.position);
  });

  test("the review sent mid-survey names the counter's total ('of at most'); back at the question, the same total", async () => {
    const u = "zu3";
    await begin(u, CODES[2]!);
    await say(u, "1");
    expect(await say(u, "1")).toContain("Câu 3/tối đa 30\n");
    // Was "Đã trả lời 2/26 câu.": the total counted only the questions shown so far.
    expect(await say(u, "xem lại")).toContain("\nĐã trả lời 2/tối đa 30 câu.\n");
    expect(await say(u, "quay lại")).toContain("Câu 3/tối đa 30\n");
    await say(u, "lang en");
    expect(await say(u, "review")).toContain("\n2 of at most 30 questions answered.\n");
  });

  test("walking the whole questionnaire, the totals sent never grow and the last is exact", async () => {
    const u = "zu2";
    const sent: string[] = [await begin(u, CODES[1]!)];
    for (let i = 0; i < 40 && (await state(u)).position.kind === "question"; i++) sent.push(await say(u, "2"));
    const totals = sent.flatMap((text) => [...text.matchAll(/Câu (\d+)\/(tối đa )?(\d+)\n/g)].map((m) => ({ number: Number(m[1]), total: Number(m[3]), exact: m[2] === undefined })));
    expect(totals[0]).toEqual({ number: 1, total: 30, exact: false });
    for (let i = 1; i < totals.length; i++) expect(totals[i]!.total).toBeLessThanOrEqual(totals[i - 1]!.total);
    const last = totals.at(-1)!;
    expect(last).toEqual({ number: last.total, total: last.total, exact: true });
    expect(Object.keys((await state(u)).responses[0]!.answers)).toHaveLength(last.total);
    // Every message within Zalo's limit.
    for (const text of stub.textsTo(u)) expect(text.length).toBeLessThanOrEqual(2000);
  });
});
