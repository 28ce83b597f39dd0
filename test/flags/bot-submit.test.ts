import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { beforeAll, expect, test } from "vitest";
import { hashCode, RedemptionService } from "../../src/access/index.js";
import { createBot } from "../../src/bot/index.js";
import { campaignScoringInput } from "../../src/campaigns/index.js";
import { decideFlagCommand } from "../../src/cli/commands/flags.js";
import type { BotCampaign, BotLogger } from "../../src/channels/telegram/index.js";
import { createI18n } from "../../src/i18n/index.js";
import { parseQuestionnaire } from "../../src/questionnaire/index.js";
import { answerUntilReview, data, lastKeyboard, press, sessionOf, TEST_SECRET, TEST_TOKEN, type Harness } from "../channels/telegram/harness.js";
import { FakeBotApi, TEST_BOT_INFO, UpdateFactory } from "../support/telegram.js";
import { describeDatabases } from "../support/db.js";

const SOURCE = readFileSync("examples/par-officials.yaml", "utf8");
const CODE = "ABCDE23456";
const USER = 602;
const quiet: BotLogger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

// Flags on submit through the Telegram channel: a straight-lined response gets its flag row, and the
// campaign's scoring input carries the organiser's decision.
describeDatabases("flags stored on a bot submission", (ctx) => {
  let h: Harness;

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
    const respondentId = (await db.respondents.getByExternalId("c1", "R1"))!.id;
    await db.channel.access.insertCodes([{ codeHash: hashCode(CODE, TEST_SECRET), campaignId: "c1", respondentId, batchId: null, unitCode: null, issuedAt: clock.now }]);
    const ports = { codes: new RedemptionService({ repository: db.channel.access, secret: TEST_SECRET }), campaigns, respondents: db.channel.respondents, sessions: db.channel.sessions };
    const api = new FakeBotApi();
    const bot = createBot({ token: TEST_TOKEN, botInfo: TEST_BOT_INFO, fetch: api.fetch, deps: { ports, i18n: createI18n(), now: () => clock.now, logger: quiet, defaultLanguage: "vi" } });
    await bot.init();
    const campaign = (await campaigns.find("c1")) as BotCampaign;
    h = { ports, sessions: db.channel.sessions, campaign, clock, bot, api, updates: new UpdateFactory(), send: (u: Parameters<typeof bot.handleUpdate>[0]) => bot.handleUpdate(u) } as unknown as Harness;
  });

  test("a straight-lined response submitted in Telegram is stored with its flag; scoring input carries the decision", async () => {
    await h.send(h.updates.text(USER, `/start KS_${CODE}`));
    await press(h, USER, await data(h, USER, { kind: "identity", confirm: true }));
    await press(h, USER, await data(h, USER, { kind: "attestation", accept: true }));
    // Every single and scale question answered at its first position: a straight line.
    const script = Object.fromEntries(
      h.campaign.questionnaire.questions.flatMap((i) => (i.question.type === "scale" ? [[i.question.id, { scale: i.question.min }]] : [])),
    );
    await answerUntilReview(h, USER, script);
    const responseId = `${(await sessionOf(h, USER)).id}:stp`;
    h.clock.now = new Date("2026-11-10T02:30:00Z");
    await h.send(h.updates.callback(USER, await data(h, USER, { kind: "submit" }), lastKeyboard(h, USER).messageId));

    const row = await ctx.prisma().response.findUniqueOrThrow({ where: { id: responseId } });
    // The clock stood still while answering: every question took 0 s, under its reading floor, so
    // the per-question timing the engine reported and the store kept makes it a speeder as well.
    expect([row.status, row.flags, row.flagDecision]).toEqual(["submitted", '["speeder","straightliner"]', null]);
    const seconds = await ctx.prisma().answer.findMany({ where: { responseId }, select: { seconds: true } });
    expect(seconds.length).toBeGreaterThan(10);
    expect(new Set(seconds.map((a) => a.seconds))).toEqual(new Set([0]));

    const db = ctx.db();
    const campaign = (await db.campaigns.get("c1"))!;
    const undecided = (await campaignScoringInput(db, campaign)).responses.find((r) => r.id === responseId);
    expect(undecided?.decision).toBeUndefined();
    const saved = process.env.DATABASE_URL;
    process.env.DATABASE_URL = ctx.url();
    try {
      await decideFlagCommand({ responseId, decision: "rejected", reason: "same answer everywhere" }, h.clock.now);
    } finally {
      if (saved === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = saved;
    }
    expect((await campaignScoringInput(db, campaign)).responses.find((r) => r.id === responseId)?.decision).toBe("reject");
  });
});
