// What the conversation host does for every channel, checked on Zalo through the Bot API stub:
// a chat marked unreachable is cleared when it writes again, and citizens type a poster's `KP_…` or
// a slip's printed code as text, answer, and after submission the code is spent (or the poster claim
// recorded) and the chat forgotten, as on Telegram.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, test } from "vitest";
import { formatCode, hashCode } from "../../../src/access/index.js";
import type { BotLogger } from "../../../src/channels/telegram/index.js";
import { startZaloPolling, ZaloChannel, ZaloClient, type ZaloReceiver } from "../../../src/channels/zalo/index.js";
import { CitizenService } from "../../../src/citizens/index.js";
import { parseQuestionnaire, type Questionnaire } from "../../../src/questionnaire/index.js";
import { describeDatabases, type DatabaseContext } from "../../support/db.js";
import { ZaloBotApiStub } from "../../support/zalo-stub.js";
import { zaloTestHost } from "./support.js";
import { TEST_SECRET } from "../telegram/harness.js";

const SLIP = "HJKMN23456";
const SOURCE = readFileSync(fileURLToPath(new URL("../../../examples/sipas-citizens.yaml", import.meta.url)), "utf8");

describeDatabases("the host's citizens' path and 'reachable again' on Zalo", (ctx: DatabaseContext) => {
  const stub = new ZaloBotApiStub({ maxPollMs: 200 });
  const quiet: BotLogger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
  const clock = { now: new Date("2026-11-10T02:00:00Z") };
  let receiver: ZaloReceiver;
  let sipas: Questionnaire;
  let posterToken = "";
  let handled = 0;

  beforeAll(async () => {
    await stub.start();
    const db = ctx.db();
    const parsed = parseQuestionnaire(SOURCE, "sipas-citizens.yaml");
    if (!parsed.ok) throw new Error("example does not load");
    sipas = parsed.questionnaire;
    const version = await db.campaigns.storeQuestionnaireVersion({ questionnaireId: sipas.id, version: sipas.version, fileName: "sipas-citizens.yaml", source: SOURCE, sourceHash: createHash("sha256").update(SOURCE).digest("hex") });
    if (!version.ok) throw new Error("not stored");
    await db.campaigns.create({ id: "sipas", name: "SIPAS", questionnaireVersionPk: version.record.pk, opensAt: new Date("2026-11-01T00:00:00Z"), closesAt: new Date("2026-11-30T10:00:00Z"), timeZone: "Asia/Ho_Chi_Minh", identified: false });
    const citizens = new CitizenService({ repository: db.citizens, secret: TEST_SECRET });
    ({ token: posterToken } = await citizens.createPoster({ campaignId: "sipas", unitCode: "ub-bd", unitName: "UBND phường Ba Đình", service: "Đăng ký kết hôn", now: clock.now }));
    await db.citizens.insertBatch({ campaignId: "sipas", unitCode: "ub-bd", service: null, kind: "receipt", createdAt: clock.now }, [
      { codeHash: hashCode(SLIP, TEST_SECRET), campaignId: "sipas", respondentId: null, unitCode: "ub-bd", issuedAt: clock.now },
    ]);
    const host = zaloTestHost(db, clock, quiet, { citizens, reachability: db.messaging });
    const client = new ZaloClient({ token: stub.token, apiRoot: stub.url, backoffMs: 5 });
    const channel = new ZaloChannel({ client, host, logger: quiet, onHandled: () => handled++ });
    receiver = await startZaloPolling(client, channel, { logger: quiet, timeoutSeconds: 1, retryMs: 20 });
  });

  afterAll(async () => {
    await receiver?.stop();
    await stub.stop();
  });

  async function say(user: string, text: string): Promise<string[]> {
    const before = stub.textsTo(user).length;
    const target = handled + 1;
    stub.pushText(user, text);
    const deadline = Date.now() + 10_000;
    while (handled < target) {
      if (Date.now() > deadline) throw new Error(`no reply to "${text}"`);
      await new Promise((r) => setTimeout(r, 5));
    }
    return stub.textsTo(user).slice(before);
  }

  const session = (user: string) => ctx.db().channel.sessionsOf("zalo").findLatest(`zalo:${user}`);

  /** Accepts the attestation, answers every question with a valid typed answer, submits; returns the last replies. */
  async function answerAndSubmit(user: string): Promise<string[]> {
    await say(user, "1");
    for (let guard = 0; guard < 200; guard++) {
      const position = (await session(user))!.engine!.position;
      if (position.kind !== "question") break;
      const question = sipas.byId.get(position.questionId)!.question;
      await say(user, question.type === "scale" ? String(question.min) : question.type === "number" ? String(question.min ?? 1) : question.type === "text" ? "Góp ý" : "1");
    }
    return say(user, "gửi");
  }

  test("a chat the outbox marked unreachable is cleared when it writes again; other unreachable chats stay", async () => {
    const prisma = ctx.prisma();
    await prisma.unreachableChat.createMany({ data: [{ chatId: "zalo:zr-1", reason: "blocked", at: clock.now }, { chatId: "zalo:zr-2", reason: "blocked", at: clock.now }, { chatId: "zr-1", reason: "telegram 403", at: clock.now }] });
    const replies = await say("zr-1", "xin chào");
    expect(replies[0]).toContain("Xin Ông/Bà gửi mã khảo sát");
    // Only this Zalo chat's record goes: the Telegram chat with the same digits is another chat.
    expect((await prisma.unreachableChat.findMany({ orderBy: { chatId: "asc" } })).map((r) => r.chatId)).toEqual(["zalo:zr-2", "zr-1"]);
  });

  test("a poster's KP_ code typed as text starts the unit's anonymous survey; after submission the chat is forgotten and a second scan is refused", async () => {
    const u = "zp-1";
    const start = await say(u, `Mã trên áp phích: kp_${posterToken.toLowerCase()}`);
    expect(start[0]).toContain("Đơn vị được đánh giá: UBND phường Ba Đình\nThủ tục: Đăng ký kết hôn");
    expect(start[0]).toContain("tài khoản Zalo");
    expect((await session(u))!.poster).toBeDefined();
    const end = await answerAndSubmit(u);
    expect(end.join("\n")).toContain("không còn gắn với tài khoản Zalo này");
    const rows = await ctx.prisma().response.findMany({ where: { campaignId: "sipas", subjectUnit: "ub-bd" } });
    expect(rows.map((r) => [r.source, r.status, r.account])).toEqual([["zalo", "submitted", null]]);
    expect(await ctx.prisma().session.count({ where: { account: `zalo:${u}` } })).toBe(0);
    const again = await say(u, `KP_${posterToken}`);
    expect(again[0]).toContain("đã gửi ý kiến về đơn vị này trong kỳ này rồi");
    expect((await say(u, "KP_ABC"))[0]).toContain("Đường liên kết này không đúng");
  });

  test("a slip's printed code typed as text: answered, the code spent and the chat forgotten", async () => {
    const u = "zs-1";
    const start = await say(u, formatCode(SLIP).toLowerCase());
    expect(start[0]).toContain("Đơn vị được đánh giá: UBND phường Ba Đình");
    const end = await answerAndSubmit(u);
    expect(end.join("\n")).toContain("không còn gắn với tài khoản Zalo này");
    const code = await ctx.prisma().accessCode.findFirst({ where: { codeHash: hashCode(SLIP, TEST_SECRET) } });
    expect(code?.status).toBe("used");
    expect(await ctx.prisma().session.count({ where: { account: `zalo:${u}` } })).toBe(0);
    // Spent: another account cannot use it.
    expect((await say("zs-2", SLIP))[0]).not.toContain("Đơn vị được đánh giá");
  });
});
