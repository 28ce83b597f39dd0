import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { beforeAll, expect, test } from "vitest";
import { hashCode, RedemptionService } from "../../src/access/index.js";
import { createBot } from "../../src/bot/index.js";
import type { BotCampaign, BotLogger } from "../../src/channels/telegram/index.js";
import { createI18n } from "../../src/i18n/index.js";
import { parseQuestionnaire } from "../../src/questionnaire/index.js";
import { answerUntilReview, data, lastKeyboard, press, sessionOf, TEST_SECRET, TEST_TOKEN, type Harness } from "../channels/telegram/harness.js";
import { FakeBotApi, TEST_BOT_INFO, UpdateFactory } from "../support/telegram.js";
import { describeDatabases } from "../support/db.js";

const FILE = fileURLToPath(new URL("../../examples/par-officials.yaml", import.meta.url));
const SOURCE = readFileSync(FILE, "utf8");
const CODE = "ABCDE23456";
const USER = 601;
const quiet: BotLogger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

// The Telegram channel driven through handleUpdate on the Prisma ports: what the respondent does
// ends up as Response and Answer rows, and a redelivered update changes none of them.
describeDatabases("Telegram conversation over the Prisma stores", (ctx) => {
  let h: Harness;
  let respondentId = "";

  beforeAll(async () => {
    const db = ctx.db();
    const clock = { now: new Date("2026-11-10T02:00:00Z") };
    const campaigns = db.channel.campaigns;
    const parsed = parseQuestionnaire(SOURCE, "par-officials.yaml");
    if (!parsed.ok) throw new Error("example does not load");
    const version = await db.campaigns.storeQuestionnaireVersion({ questionnaireId: parsed.questionnaire.id, version: parsed.questionnaire.version, fileName: "par-officials.yaml", source: SOURCE, sourceHash: createHash("sha256").update(SOURCE).digest("hex") });
    if (!version.ok) throw new Error("not stored");
    await db.campaigns.create({ id: "c1", name: "c1", questionnaireVersionPk: version.record.pk, opensAt: new Date("2026-11-01T00:00:00Z"), closesAt: new Date("2026-11-30T10:00:00Z"), timeZone: "Asia/Ho_Chi_Minh", identified: false });
    await db.respondents.importRespondents("c1", [
      { externalId: "R1", fullName: "Nguyễn Văn An", unitCode: "stp", unitName: "Sở Tư pháp", groupId: "leaders", language: "vi", phone: null, email: null, subjectUnits: [], coordinator: false },
    ]);
    respondentId = (await db.respondents.getByExternalId("c1", "R1"))!.id;
    await db.channel.access.insertCodes([{ codeHash: hashCode(CODE, TEST_SECRET), campaignId: "c1", respondentId, batchId: null, unitCode: null, issuedAt: clock.now }]);
    const ports = { codes: new RedemptionService({ repository: db.channel.access, secret: TEST_SECRET }), campaigns, respondents: db.channel.respondents, sessions: db.channel.sessions };
    const api = new FakeBotApi();
    const bot = createBot({ token: TEST_TOKEN, botInfo: TEST_BOT_INFO, fetch: api.fetch, deps: { ports, i18n: createI18n(), now: () => clock.now, logger: quiet, defaultLanguage: "vi" } });
    await bot.init();
    const campaign = (await campaigns.find("c1")) as BotCampaign;
    h = { ports, sessions: db.channel.sessions, campaign, clock, bot, api, updates: new UpdateFactory(), send: (u: Parameters<typeof bot.handleUpdate>[0]) => bot.handleUpdate(u) } as unknown as Harness;
  });

  test("code, identity, attestation, every question, submit: rows match the engine state; a redelivery changes nothing", async () => {
    await h.send(h.updates.text(USER, `/start KS_${CODE}`));
    await press(h, USER, await data(h, USER, { kind: "identity", confirm: true }));
    await press(h, USER, await data(h, USER, { kind: "attestation", accept: true }));
    const seen = await answerUntilReview(h, USER);
    const rows = ctx.prisma();
    const session = await sessionOf(h, USER);
    const responseId = `${session.id}:stp`;
    const response = await rows.response.findUniqueOrThrow({ where: { id: responseId }, include: { answers: true } });
    expect(response).toMatchObject({ respondentId, status: "in_progress", subjectUnit: "stp", groupId: "leaders", account: `telegram:${USER}`, source: "telegram" });
    expect(response.attestedAt?.toISOString()).toBe("2026-11-10T02:00:00.000Z");
    const engineAnswers = session.engine!.responses[0]!.answers;
    expect(Object.fromEntries(response.answers.map((a) => [a.questionId, JSON.parse(a.value) as unknown]))).toEqual(Object.fromEntries(Object.entries(engineAnswers).map(([id, a]) => [id, a.value])));
    expect(response.answers.length).toBeGreaterThan(0);
    expect(seen.length).toBeGreaterThanOrEqual(response.answers.length);

    h.clock.now = new Date("2026-11-10T02:05:00Z");
    const submit = h.updates.callback(USER, await data(h, USER, { kind: "submit" }), lastKeyboard(h, USER).messageId);
    await h.send(submit);
    const submitted = await rows.response.findUniqueOrThrow({ where: { id: responseId } });
    expect(submitted.status).toBe("submitted");
    expect(submitted.submittedAt?.toISOString()).toBe("2026-11-10T02:05:00.000Z");

    const calls = h.api.calls.length;
    const before = await rows.answer.findMany({ where: { responseId }, orderBy: { questionId: "asc" } });
    await h.send(submit);
    // Only the button's spinner is answered: no message is sent or edited again.
    expect(h.api.calls.slice(calls).map((c) => c.method)).toEqual(["answerCallbackQuery"]);
    expect(await rows.answer.findMany({ where: { responseId }, orderBy: { questionId: "asc" } })).toEqual(before);
    expect(await rows.processedUpdate.count({ where: { updateId: BigInt(submit.update_id) } })).toBe(1);
  });
});
