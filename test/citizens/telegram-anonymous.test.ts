import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { beforeAll, expect, test } from "vitest";
import { RedemptionService } from "../../src/access/index.js";
import { createBot } from "../../src/bot/index.js";
import type { BotCampaign, BotLogger } from "../../src/channels/telegram/index.js";
import { CitizenService } from "../../src/citizens/index.js";
import { citizensRepository } from "../../src/db/citizens-repository.js";
import { createI18n } from "../../src/i18n/index.js";
import { parseQuestionnaire } from "../../src/questionnaire/index.js";
import { answerUntilReview, data, lastKeyboard, press, sessionOf, TEST_SECRET, TEST_TOKEN, type Harness } from "../channels/telegram/harness.js";
import { FakeBotApi, TEST_BOT_INFO, UpdateFactory } from "../support/telegram.js";
import { describeDatabases } from "../support/db.js";

const FILE = fileURLToPath(new URL("../../examples/sipas-citizens.yaml", import.meta.url));
const SOURCE = readFileSync(FILE, "utf8");
// Distinctive ids, so a scan of every stored value cannot match them by accident.
const USER = 734519268;
const OTHER = 734519269;
const quiet: BotLogger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

describeDatabases("anonymous batch code through Telegram", (ctx) => {
  let h: Harness;
  let codes: readonly string[] = [];

  beforeAll(async () => {
    const db = ctx.db();
    const clock = { now: new Date("2026-11-10T02:00:00Z") };
    const parsed = parseQuestionnaire(SOURCE, "sipas-citizens.yaml");
    if (!parsed.ok) throw new Error("example does not load");
    const version = await db.campaigns.storeQuestionnaireVersion({ questionnaireId: parsed.questionnaire.id, version: parsed.questionnaire.version, fileName: "sipas-citizens.yaml", source: SOURCE, sourceHash: createHash("sha256").update(SOURCE).digest("hex") });
    if (!version.ok) throw new Error("not stored");
    await db.campaigns.create({ id: "sipas", name: "SIPAS", questionnaireVersionPk: version.record.pk, opensAt: new Date("2026-11-01T00:00:00Z"), closesAt: new Date("2026-11-30T10:00:00Z"), timeZone: "Asia/Ho_Chi_Minh", identified: false });
    const citizens = new CitizenService({ repository: citizensRepository(ctx.prisma()), secret: TEST_SECRET });
    ({ codes } = await citizens.issueBatch({ campaignId: "sipas", unitCode: "ub-bd", unitName: "UBND phường Ba Đình", service: "Đăng ký kết hôn", count: 2, kind: "receipt", now: clock.now }));
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

  test("code → attestation → questions → submit: afterwards no stored row holds the account or chat id; the code is spent", async () => {
    await h.send(h.updates.text(USER, `/start KS_${codes[0]!}`));
    // No identity step: straight to the questionnaire's attestation.
    const started = await sessionOf(h, USER);
    expect([started.respondentId, started.stage, started.engine?.position.kind]).toEqual([null, "survey", "attestation"]);
    await press(h, USER, await data(h, USER, { kind: "attestation", accept: true }));
    await answerUntilReview(h, USER);
    // While answering, the session is kept (resume works) and the response is in progress.
    const prisma = ctx.prisma();
    expect(await prisma.response.count({ where: { status: "in_progress" } })).toBe(1);
    expect(await everyStoredValue()).toContain(String(USER));

    h.clock.now = new Date("2026-11-10T02:04:00Z");
    await h.send(h.updates.callback(USER, await data(h, USER, { kind: "submit" }), lastKeyboard(h, USER).messageId));
    const [response] = await prisma.response.findMany();
    expect(response).toMatchObject({ status: "submitted", account: null, respondentId: null, subjectUnit: "ub-bd" });
    expect(await prisma.session.count()).toBe(0);
    expect(await prisma.accessCode.findFirst({ where: { status: "used" } })).toMatchObject({ boundAccount: null, boundAt: null });
    const stored = await everyStoredValue();
    expect(stored).not.toContain(String(USER));
    expect(stored).not.toContain("telegram:");
  });

  test("the batch code redeemed again after submission is refused as spent; the other code still works", async () => {
    const before = h.api.sentTexts(USER).length;
    await h.send(h.updates.text(USER, `/start KS_${codes[0]!}`));
    expect(h.api.sentTexts(USER).slice(before)).toEqual(["Mã này đã được dùng để gửi một phiếu ý kiến; mỗi mã chỉ dùng được một lần. Xin cảm ơn Ông/Bà đã góp ý!"]);
    await h.send(h.updates.text(OTHER, `/start KS_${codes[0]!}`));
    expect(h.api.sentTexts(OTHER)).toEqual(["Mã này đã được dùng để gửi một phiếu ý kiến; mỗi mã chỉ dùng được một lần. Xin cảm ơn Ông/Bà đã góp ý!"]);
    await h.send(h.updates.text(OTHER, `/start KS_${codes[1]!}`));
    expect((await sessionOf(h, OTHER)).respondentId).toBeNull();
  });

  test("a citizen who abandons midway keeps an in-progress response that is never counted", async () => {
    const prisma = ctx.prisma();
    await press(h, OTHER, await data(h, OTHER, { kind: "attestation", accept: true }));
    const first = h.campaign.questionnaire.byId.get("channel")!;
    await press(h, OTHER, await data(h, OTHER, { kind: "option", question: first.index, option: 0 }));
    const open = await prisma.response.findFirstOrThrow({ where: { status: "in_progress" }, include: { answers: true } });
    expect(open.answers.map((a) => a.questionId)).toEqual(["channel"]);
    expect(await prisma.session.count()).toBe(1);
    // Scoring and exports read only submitted responses.
    expect(await ctx.db().responses.submitted("sipas")).toHaveLength(1);
  });
});
