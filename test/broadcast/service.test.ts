import { afterEach, beforeEach, expect, test } from "vitest";
import { BroadcastService } from "../../src/broadcast/index.js";
import { createI18n } from "../../src/i18n/index.js";
import { problemText } from "../../src/i18n/problem.js";
import { testDb, type TestDb } from "../outbox/support.js";
import { seedCampaign } from "../reminders/seed.js";

let t: TestDb;
beforeEach(async () => {
  t = await testDb();
  await seedCampaign(t.url, { id: "c1", opensAt: new Date("2026-12-01T00:00:00Z"), closesAt: new Date("2026-12-15T10:00:00Z") }, [
    { externalId: "a", stage: "in_progress", unit: "U1", chatId: "1" },
    { externalId: "b", stage: "submitted", unit: "U2", chatId: "2" },
    { externalId: "c", stage: "redeemed", unit: "U2", group: "g2", chatId: "3" },
    { externalId: "d", stage: "not_redeemed", unit: "U1", chatId: "4" },
    { externalId: "e", stage: "not_redeemed", unit: "U3", group: "g3", chatId: "5" },
  ]);
});
afterEach(async () => {
  await t.dispose();
});

const NOW = new Date("2026-12-10T00:00:00Z");
const base = { campaignId: "c1", text: "Xin nhắc", parseMode: null, split: false, actor: "cli" } as const;

test("audiences select among respondents who opened the bot", async () => {
  const s = new BroadcastService(t.store.messaging, t.store.outbox);
  const chats = async (audience: Parameters<typeof s.prepare>[0]["audience"]) => {
    const r = await s.prepare({ ...base, audience }, NOW);
    return r.ok ? r.prepared.recipients.map((x) => x.chatId).sort() : r.error;
  };
  expect(await chats({ kind: "all" })).toEqual(["1", "2", "3"]);
  expect(await chats({ kind: "not-submitted" })).toEqual(["1", "3"]);
  expect(await chats({ kind: "unit", code: "U2" })).toEqual(["2", "3"]);
  expect(await chats({ kind: "group", id: "g2" })).toEqual(["3"]);
  // A typo is an error listing what exists, with a did-you-mean; a real audience nobody reached says so.
  expect(await chats({ kind: "unit", code: "U9" })).toBe('no unit "U9" in campaign "c1" (did you mean "U1"?); its units: U1, U2, U3');
  expect(await chats({ kind: "group", id: "G2" })).toBe('no group "G2" in campaign "c1" (did you mean "g2"?); its groups: g1, g2, g3');
  const typo = await s.prepare({ ...base, audience: { kind: "unit", code: "U9" } }, NOW);
  if (typo.ok || !typo.problem) throw new Error("expected a keyed refusal");
  expect(problemText(createI18n({ language: "vi" }).getFixedT("vi"), typo.problem)).toBe('đợt khảo sát "c1" không có đơn vị "U9" (có phải "U1"?); các đơn vị của đợt: U1, U2, U3');
  expect(await chats({ kind: "unit", code: "U3" })).toBe('unit:U3 has 1 respondent in campaign "c1", but none of them has opened the bot yet (or their chats are unreachable); nothing to send');
  expect(await chats({ kind: "group", id: "g3" })).toBe('group:g3 has 1 respondent in campaign "c1", but none of them has opened the bot yet (or their chats are unreachable); nothing to send');
});

test("queueing writes one row per recipient and part; progress and cancel", async () => {
  const s = new BroadcastService(t.store.messaging, t.store.outbox);
  const long = `${"x".repeat(4000)}\n\n${"y".repeat(200)}`;
  const tooLong = await s.prepare({ ...base, audience: { kind: "all" }, text: long }, NOW);
  expect(tooLong).toMatchObject({
    ok: false,
    error: "the text is 4202 characters long; Telegram accepts at most 4096 per message: shorten it or pass --split to send it as several messages",
  });
  // The web console says it in the organiser's language, from the same key.
  if (tooLong.ok || !tooLong.problem) throw new Error("expected a keyed refusal");
  expect(problemText(createI18n({ language: "vi" }).getFixedT("vi"), tooLong.problem)).toBe("tin nhắn dài 4202 ký tự; Telegram nhận tối đa 4096 ký tự một tin: hãy rút ngắn, hoặc chọn gửi thành nhiều tin");
  const prepared = await s.prepare({ ...base, audience: { kind: "not-submitted" }, text: long, split: true }, NOW);
  if (!prepared.ok) throw new Error(prepared.error);
  const record = await s.queue(prepared.prepared, NOW);
  expect(record).toMatchObject({ campaignId: "c1", audience: "not-submitted", parts: 2, recipients: 2 });
  expect(await s.progress(record.id)).toEqual({ queued: 4 });
  expect(await s.cancel(record.id, NOW)).toMatchObject({ cancelled: 4 });
  expect(await s.progress(record.id)).toEqual({ cancelled: 4 });
});

test("a closed campaign is refused", async () => {
  const s = new BroadcastService(t.store.messaging, t.store.outbox);
  expect(await s.prepare({ ...base, audience: { kind: "all" } }, new Date("2026-12-16T00:00:00Z"))).toEqual({
    ok: false,
    error: 'campaign "c1" is closed (15/12/2026 17:00); broadcasts go only to open campaigns',
  });
});
