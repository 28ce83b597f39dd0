// A reminder tick reaches a Zalo respondent through the outbox and the Zalo transport (issue 12 item 4).
import { afterEach, beforeEach, expect, test } from "vitest";
import { parseTextCommand } from "../../src/conversation/commands.js";
import { createI18n } from "../../src/i18n/index.js";
import { reminderMessage, ReminderService } from "../../src/reminders/index.js";
import { OutboxSender } from "../../src/outbox/sender.js";
import { channelTransport, zaloTransport } from "../../src/outbox/zalo-transport.js";
import { ZaloBotApiStub } from "../support/zalo-stub.js";
import { testDb, type TestDb } from "../outbox/support.js";
import { seedCampaign } from "./seed.js";

let t: TestDb;
let zalo: ZaloBotApiStub;
beforeEach(async () => {
  t = await testDb();
  zalo = new ZaloBotApiStub();
  await zalo.start();
});
afterEach(async () => {
  await zalo.stop();
  await t.dispose();
});

test("a reminder tick queues Zalo respondents as zalo:<chat> and the sender delivers it on Zalo; Telegram ones stay Telegram", { timeout: 30_000 }, async () => {
  await seedCampaign(t.url, { id: "par2026", name: "PAR Index 2026", opensAt: new Date("2026-12-01T01:00:00Z"), closesAt: new Date("2026-12-15T10:00:00Z"), reminders: "3d,1d@00:30" }, [
    { externalId: "a-zalo", stage: "in_progress", chatId: "zchat-a", channel: "zalo" },
    { externalId: "b-telegram", stage: "redeemed", chatId: "12" },
  ]);
  const service = new ReminderService(t.store.messaging, createI18n());
  expect(await service.tick(new Date("2026-12-11T17:30:00Z"))).toMatchObject([{ result: "queued", run: { recipients: 2 } }]);
  const claimed = await t.store.outbox.claim("inspect", new Date("2100-01-01T00:00:00Z"), 100);
  await t.store.outbox.releaseClaim("inspect");
  expect(claimed.map((m) => m.chatId).sort()).toEqual(["12", "zalo:zchat-a"]);
  // Zalo has no buttons: the Zalo row carries none, the Telegram row keeps its resume button.
  expect(claimed.find((m) => m.chatId === "zalo:zchat-a")!.replyMarkup).toBeNull();
  expect(claimed.find((m) => m.chatId === "12")!.replyMarkup).toEqual({ inline_keyboard: [[{ text: "Tiếp tục trả lời", callback_data: "resume:par2026" }]] });
  // Only Zalo is configured here: the Telegram row waits (retryable), the Zalo one is delivered.
  const sender = new OutboxSender(t.store.outbox, channelTransport({ zalo: zaloTransport({ token: zalo.token, apiRoot: zalo.url, timeoutMs: 5000 }) }), {
    ratePerSecond: 50,
    idlePollMs: 20,
    maxAttempts: 1,
    // The tick's clock: the reminder is due from the slot on.
    clock: () => new Date("2026-12-11T17:31:00Z"),
  });
  const stats = await sender.run({ drain: true });
  expect(stats.sent).toBe(1);
  expect(zalo.sent).toHaveLength(1);
  expect(zalo.sent[0]).toMatchObject({ chatId: "zchat-a" });
  expect(zalo.sent[0]!.text).toContain("PAR Index 2026");
  // …and ends with the word to type in place of the button.
  expect(zalo.sent[0]!.text).toMatch(/\n\nGõ «tiếp tục» để trả lời tiếp\.$/);
  expect(await t.store.outbox.counts()).toEqual({ reminder: { sent: 1, failed: 1 } });
});

test("the word a Zalo reminder tells the respondent to type is the text form's resume command, in both languages", () => {
  const i18n = createI18n();
  for (const [language, quoted] of [
    ["vi", /«([^»]+)»/],
    ["en", /“([^”]+)”/],
  ] as const) {
    const input = { language, campaignId: "c", campaignName: "C", closesAt: new Date("2026-12-15T10:00:00Z"), timeZone: "Asia/Ho_Chi_Minh", now: new Date("2026-12-11T00:00:00Z") };
    const zaloMessage = reminderMessage(i18n, { ...input, channel: "zalo" });
    expect(zaloMessage.replyMarkup).toBeNull();
    const word = quoted.exec(zaloMessage.text.split("\n\n").at(-1)!)?.[1];
    expect(word, zaloMessage.text).toBeDefined();
    expect(parseTextCommand(word!)).toEqual({ kind: "start" });
    // Telegram's reminder is unchanged: the same text, with the button and no typing hint.
    const telegram = reminderMessage(i18n, input);
    expect(zaloMessage.text.startsWith(telegram.text)).toBe(true);
    expect(telegram.text).not.toContain(word!);
    expect(telegram.replyMarkup?.inline_keyboard[0]![0]!.callback_data).toBe("resume:c");
  }
});
