// Broadcasts to a campaign with Zalo and Telegram respondents: each gets the text as their channel
// shows it (Zalo: plain, split at 2,000 characters on line boundaries), counted per channel.
import { afterEach, beforeEach, expect, test } from "vitest";
import { BroadcastService, describePrepared } from "../../src/broadcast/index.js";
import { testDb, type TestDb } from "../outbox/support.js";
import { seedCampaign } from "../reminders/seed.js";

let t: TestDb;
beforeEach(async () => {
  t = await testDb();
});
afterEach(async () => {
  await t.dispose();
});

const NOW = new Date("2026-12-10T00:00:00Z");
const CAMPAIGN = { id: "c1", opensAt: new Date("2026-12-01T00:00:00Z"), closesAt: new Date("2026-12-15T10:00:00Z") };

async function rows() {
  const claimed = await t.store.outbox.claim("inspect", new Date("2100-01-01T00:00:00Z"), 1000);
  await t.store.outbox.releaseClaim("inspect");
  return claimed;
}

test("HTML goes as written to Telegram and as plain text to Zalo; the dry-run line counts each channel", async () => {
  await seedCampaign(t.url, CAMPAIGN, [
    { externalId: "a", stage: "in_progress", chatId: "11" },
    { externalId: "b", stage: "redeemed", chatId: "zb", channel: "zalo" },
    { externalId: "c", stage: "in_progress", chatId: "zc", channel: "zalo" },
  ]);
  const s = new BroadcastService(t.store.messaging, t.store.outbox);
  const text = '<b>Nhắc</b>: hạn nộp &lt;15/12&gt;, xem <a href="https://example.vn/hd">hướng dẫn</a>.';
  const prepared = await s.prepare({ campaignId: "c1", audience: { kind: "all" }, text, parseMode: "HTML", split: false, actor: "cli" }, NOW);
  if (!prepared.ok) throw new Error(prepared.error);
  expect(describePrepared(prepared.prepared)).toBe("3 recipients: 1 on Telegram, 1 message each; 2 on Zalo, 1 message each (plain text)");
  const record = await s.queue(prepared.prepared, NOW);
  expect(record).toMatchObject({ recipients: 3, parts: 1 });
  const byChat = new Map((await rows()).map((r) => [r.chatId, r]));
  expect(byChat.get("11")).toMatchObject({ text, parseMode: "HTML" });
  for (const chat of ["zalo:zb", "zalo:zc"]) expect(byChat.get(chat)).toMatchObject({ text: "Nhắc: hạn nộp <15/12>, xem hướng dẫn (https://example.vn/hd).", parseMode: null });
});

test("a text over Zalo's 2,000 characters is split at line boundaries for Zalo (no --split needed when nobody is on Telegram)", async () => {
  await seedCampaign(t.url, CAMPAIGN, [
    { externalId: "a", stage: "in_progress", chatId: "za", channel: "zalo" },
    { externalId: "b", stage: "redeemed", chatId: "zb", channel: "zalo" },
  ]);
  const s = new BroadcastService(t.store.messaging, t.store.outbox);
  const lines = Array.from({ length: 80 }, (_, i) => `Mục ${i + 1}. Ông/Bà vui lòng trả lời đầy đủ các câu hỏi của phiếu khảo sát năm 2026 trước hạn.`);
  const text = lines.join("\n");
  expect(text.length).toBeGreaterThan(4096);
  const prepared = await s.prepare({ campaignId: "c1", audience: { kind: "all" }, text, parseMode: null, split: false, actor: "cli" }, NOW);
  if (!prepared.ok) throw new Error(prepared.error);
  const n = prepared.prepared.zaloParts.length;
  // About 7,300 characters of 90-character lines: 21 whole lines fit in 2,000, so four parts.
  expect(n).toBe(4);
  expect(describePrepared(prepared.prepared)).toBe(`2 recipients on Zalo, ${n} messages each (plain text)`);
  const record = await s.queue(prepared.prepared, NOW);
  expect(record.recipients).toBe(2);
  const queued = await rows();
  expect(queued).toHaveLength(2 * n);
  for (const chat of ["zalo:za", "zalo:zb"]) {
    const parts = queued.filter((r) => r.chatId === chat).sort((a, b) => a.id - b.id).map((r) => r.text);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(2000);
    // Whole lines, in order: joined again they are the text.
    expect(parts.join("\n")).toBe(text);
  }
  // With a Telegram recipient too, Telegram's 4,096 limit applies again.
  await seedCampaign(t.url, { ...CAMPAIGN, id: "c2" }, [
    { externalId: "x", stage: "in_progress", chatId: "31" },
    { externalId: "y", stage: "in_progress", chatId: "zy", channel: "zalo" },
  ]);
  expect(await s.prepare({ campaignId: "c2", audience: { kind: "all" }, text, parseMode: null, split: false, actor: "cli" }, NOW)).toMatchObject({ ok: false, error: expect.stringContaining("pass --split") });
  const both = await s.prepare({ campaignId: "c2", audience: { kind: "all" }, text, parseMode: null, split: true, actor: "cli" }, NOW);
  if (!both.ok) throw new Error(both.error);
  expect(describePrepared(both.prepared)).toBe(`2 recipients: 1 on Telegram, 2 messages each; 1 on Zalo, ${n} messages each (plain text)`);
});
