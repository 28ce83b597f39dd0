// 1,000 poster submissions from 1,000 fresh accounts within a minute, through grammY's handleUpdate
// on SQLite (issue 7). A one-question form (test/citizens/fixtures/short-citizens.yaml) keeps it to
// 3,000 updates; the poster path is the same as with the SIPAS example.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";
import { RedemptionService } from "../../../src/access/index.js";
import { createBot } from "../../../src/bot/index.js";
import { encodeCallback, sessionTag, type BotLogger } from "../../../src/channels/telegram/index.js";
import { CitizenService } from "../../../src/citizens/index.js";
import { citizensRepository } from "../../../src/db/citizens-repository.js";
import { createI18n } from "../../../src/i18n/index.js";
import { parseQuestionnaire } from "../../../src/questionnaire/index.js";
import { describeDatabases } from "../../support/db.js";
import { FakeBotApi, TEST_BOT_INFO, UpdateFactory } from "../../support/telegram.js";
import { TEST_SECRET, TEST_TOKEN } from "./harness.js";

const SOURCE = readFileSync(fileURLToPath(new URL("../../citizens/fixtures/short-citizens.yaml", import.meta.url)), "utf8");
const ACCOUNTS = 1_000;
const FIRST_USER = 910_000_000;
const quiet: BotLogger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

describeDatabases("1,000 fresh accounts scanning one poster within a minute", (ctx) => {
  test("all 1,000 responses are stored, each account once; the burst is one audit event; no session or account is left", { timeout: 120_000 }, async () => {
    const db = ctx.db();
    const prisma = ctx.prisma();
    const clock = { now: new Date("2026-11-10T02:00:00Z") };
    const parsed = parseQuestionnaire(SOURCE, "short-citizens.yaml");
    if (!parsed.ok) throw new Error(`fixture does not load: ${JSON.stringify(parsed.issues)}`);
    const version = await db.campaigns.storeQuestionnaireVersion({ questionnaireId: parsed.questionnaire.id, version: 1, fileName: "short-citizens.yaml", source: SOURCE, sourceHash: createHash("sha256").update(SOURCE).digest("hex") });
    if (!version.ok) throw new Error("not stored");
    await db.campaigns.create({ id: "quick", name: "Quick", questionnaireVersionPk: version.record.pk, opensAt: new Date("2026-11-01T00:00:00Z"), closesAt: new Date("2026-11-30T10:00:00Z"), timeZone: "Asia/Ho_Chi_Minh", identified: false });
    const citizens = new CitizenService({ repository: citizensRepository(prisma), secret: TEST_SECRET });
    const { token } = await citizens.createPoster({ campaignId: "quick", unitCode: "ub-hk", unitName: "UBND quận Hoàn Kiếm", now: clock.now });
    const ports = { codes: new RedemptionService({ repository: db.channel.access, secret: TEST_SECRET }), campaigns: db.channel.campaigns, respondents: db.channel.respondents, sessions: db.channel.sessions };
    const api = new FakeBotApi();
    const bot = createBot({ token: TEST_TOKEN, botInfo: TEST_BOT_INFO, fetch: api.fetch, citizens, deps: { ports, i18n: createI18n(), now: () => clock.now, logger: quiet, defaultLanguage: "vi" } });
    await bot.init();
    const updates = new UpdateFactory();
    const start = clock.now.getTime();

    for (let i = 0; i < ACCOUNTS; i++) {
      const user = FIRST_USER + i;
      // 55 ms apart: the thousand submissions fall within 55 seconds.
      clock.now = new Date(start + i * 55);
      await bot.handleUpdate(updates.text(user, `/start KP_${token}`));
      const session = await ports.sessions.findLatest(`telegram:${user}`);
      if (!session?.prompt) throw new Error(`account ${i}: no question shown`);
      const tag = sessionTag(session.id);
      await bot.handleUpdate(updates.callback(user, encodeCallback(tag, { kind: "scale", question: 0, value: 1 + (i % 5) }), session.prompt.messageId));
      const review = await ports.sessions.findLatest(`telegram:${user}`);
      await bot.handleUpdate(updates.callback(user, encodeCallback(tag, { kind: "submit" }), review!.prompt!.messageId));
    }
    expect(clock.now.getTime() - start).toBeLessThan(60_000);

    expect(await prisma.response.count({ where: { status: "submitted", subjectUnit: "ub-hk", account: null } })).toBe(ACCOUNTS);
    expect(await prisma.response.count()).toBe(ACCOUNTS);
    expect(await prisma.answer.count()).toBe(ACCOUNTS);
    expect(await prisma.posterClaim.count()).toBe(ACCOUNTS);
    expect(await prisma.session.count()).toBe(0);
    const bursts = await prisma.auditEvent.findMany({ where: { kind: "citizens.poster_burst" } });
    expect(bursts).toHaveLength(1);
    expect(JSON.parse(bursts[0]!.data)).toEqual({ unit: "ub-hk", responses: 31, windowMinutes: 10, threshold: 30 });
    // Every citizen was thanked and told the chat was forgotten.
    expect(api.sentTexts().filter((t) => t.startsWith("🔒 Dữ liệu cuộc trò chuyện khảo sát đã được xoá"))).toHaveLength(ACCOUNTS);
  });
});
