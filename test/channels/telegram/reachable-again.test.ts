// A chat the outbox marked unreachable (403) writes to the bot again: it unblocked the bot, so the
// record goes and reminders reach it again; ordinary updates cost no query.
import { afterEach, describe, expect, test } from "vitest";
import { createBot } from "../../../src/bot/index.js";
import type { ChatReachability } from "../../../src/channels/telegram/index.js";
import { createI18n } from "../../../src/i18n/index.js";
import { testDb, type TestDb } from "../../outbox/support.js";
import { seedCampaign } from "../../reminders/seed.js";
import { FakeBotApi, TEST_BOT_INFO, UpdateFactory } from "../../support/telegram.js";
import { createMemoryPorts, loadExample, TEST_TOKEN } from "./harness.js";

/** An in-memory record of unreachable chats that counts its reads. */
class FakeReachability implements ChatReachability {
  reads = 0;
  constructor(readonly chats: Set<string>) {}
  async unreachableChats() {
    this.reads++;
    return [...this.chats];
  }
  async clearUnreachable(chatId: string) {
    return this.chats.delete(chatId);
  }
}

async function botWith(reachability: ChatReachability) {
  const memory = await createMemoryPorts({ questionnaire: await loadExample("par-officials.yaml"), respondents: [], codes: {} });
  const api = new FakeBotApi();
  const bot = createBot({
    token: TEST_TOKEN,
    botInfo: TEST_BOT_INFO,
    fetch: api.fetch,
    deps: { ports: { ...memory.ports, reachability }, i18n: createI18n(), now: () => memory.clock.now, logger: memory.logger, defaultLanguage: "vi" },
  });
  await bot.init();
  return { bot, api, clock: memory.clock, logs: memory.logs, updates: new UpdateFactory() };
}

let t: TestDb | undefined;
afterEach(async () => {
  await t?.dispose();
  t = undefined;
});

describe("an unreachable chat that writes again", () => {
  test("/start, a message or a button press clears the record; other chats cost no query until the refresh", async () => {
    const reachability = new FakeReachability(new Set(["501", "502", "503"]));
    const h = await botWith(reachability);
    await h.bot.handleUpdate(h.updates.text(501, "/start"));
    expect([...reachability.chats]).toEqual(["502", "503"]);
    expect(h.api.sentTexts(501)).toHaveLength(1);
    expect(h.logs.filter((l) => l.message.includes("reachable"))).toEqual([{ level: "info", data: { updateId: 1 }, message: "an unreachable chat wrote again: reachable" }]);
    await h.bot.handleUpdate(h.updates.sticker(502));
    await h.bot.handleUpdate(h.updates.callback(503, "resume:c1", 9000));
    expect([...reachability.chats]).toEqual([]);
    // Ten more updates from a reachable chat: the set was read once.
    for (let i = 0; i < 10; i++) await h.bot.handleUpdate(h.updates.text(600, "/help"));
    expect(reachability.reads).toBe(1);

    // Marked unreachable later (by the sender): noticed once the set is read again, a minute on.
    reachability.chats.add("600");
    await h.bot.handleUpdate(h.updates.text(600, "/help"));
    expect([...reachability.chats]).toEqual(["600"]);
    h.clock.now = new Date(h.clock.now.getTime() + 60_000);
    await h.bot.handleUpdate(h.updates.text(600, "/help"));
    expect([...reachability.chats]).toEqual([]);
    expect(reachability.reads).toBe(2);
  });

  test("over the database: the chat is a reminder recipient again", async () => {
    t = await testDb();
    const campaign = { id: "c1", opensAt: new Date("2026-11-01T00:00:00Z"), closesAt: new Date("2026-11-30T10:00:00Z"), reminders: "1d" };
    await seedCampaign(t.url, campaign, [{ externalId: "a", stage: "in_progress", chatId: "61" }]);
    await t.store.outbox.markUnreachable(999_999, "61", "403: Forbidden: bot was blocked by the user", new Date("2026-11-05T00:00:00Z"));
    expect(await t.store.messaging.unreachableChats()).toEqual(["61"]);
    expect(await t.store.messaging.recipients("c1")).toEqual([]);

    const h = await botWith(t.store.messaging);
    await h.bot.handleUpdate(h.updates.text(61, "/start"));
    expect(await t.store.messaging.unreachableChats()).toEqual([]);
    expect((await t.store.messaging.recipients("c1")).map((r) => r.chatId)).toEqual(["61"]);
    expect(await t.store.messaging.clearUnreachable("61")).toBe(false);
  });
});
