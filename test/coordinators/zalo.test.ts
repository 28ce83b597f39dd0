// Coordinators' digests reach coordinators on Zalo (issue 12 item 4): queued as `zalo:<chat>`, cut to
// one Zalo message (2,000 characters) with the number of names left out, delivered through the stub;
// a Telegram coordinator of the same campaign keeps Telegram's longer message.
import { afterEach, beforeEach, expect, test } from "vitest";
import { DigestService, MAX_DIGEST_CHARS, MAX_ZALO_DIGEST_CHARS } from "../../src/coordinators/index.js";
import { createI18n } from "../../src/i18n/index.js";
import { OutboxSender } from "../../src/outbox/sender.js";
import { fetchTransport } from "../../src/outbox/transport.js";
import { channelTransport, zaloTransport } from "../../src/outbox/zalo-transport.js";
import { BotApiStub } from "../support/bot-api-stub.js";
import { ZaloBotApiStub } from "../support/zalo-stub.js";
import { testDb, type TestDb } from "../outbox/support.js";
import { seedCampaign, type SeedRespondent } from "../reminders/seed.js";

let t: TestDb;
let zalo: ZaloBotApiStub;
let telegram: BotApiStub;
beforeEach(async () => {
  t = await testDb();
  zalo = new ZaloBotApiStub();
  telegram = new BotApiStub();
  await zalo.start();
  await telegram.start();
});
afterEach(async () => {
  await zalo.stop();
  await telegram.stop();
  await t.dispose();
});

test("a Zalo coordinator's digest is one Zalo message; the Telegram coordinator's one Telegram message; both delivered", { timeout: 60_000 }, async () => {
  const pending = (unit: string): SeedRespondent[] =>
    Array.from({ length: 120 }, (_, i) => ({ externalId: `${unit}-${i}`, name: `Nguyễn Thị Người Chưa Gửi ${unit} ${String(i + 1).padStart(3, "0")}`, unit, stage: "not_redeemed" as const }));
  await seedCampaign(
    t.url,
    { id: "par2026", name: "PAR Index 2026", opensAt: new Date("2026-11-01T00:00:00Z"), closesAt: new Date("2026-11-30T10:00:00Z"), settings: { coordinatorDigestAt: "08:30", coordinatorsSeeNames: true } },
    [
      { externalId: "zc", name: "Trần Văn Điều Phối", unit: "U1", stage: "in_progress", chatId: "zalo-coord", channel: "zalo", coordinator: true },
      { externalId: "tc", name: "Lê Thị Điều Phối", unit: "U2", stage: "redeemed", chatId: "4242", coordinator: true },
      ...pending("U1"),
      ...pending("U2"),
    ],
  );
  const service = new DigestService({ campaigns: t.db.campaigns, respondents: t.db.respondents, participation: t.db.participation, messaging: t.store.messaging, outbox: t.store.outbox, i18n: createI18n() });
  expect(await service.tick(new Date("2026-11-10T01:30:00Z"))).toEqual([{ campaignId: "par2026", date: "2026-11-10", queued: 2, duplicate: 0, unreachable: 0 }]);
  const rows = await t.store.outbox.claim("inspect", new Date("2100-01-01T00:00:00Z"), 10);
  await t.store.outbox.releaseClaim("inspect");
  const zaloRow = rows.find((r) => r.chatId === "zalo:zalo-coord")!;
  const telegramRow = rows.find((r) => r.chatId === "4242")!;
  expect(zaloRow.text.length).toBeLessThanOrEqual(MAX_ZALO_DIGEST_CHARS);
  expect(telegramRow.text.length).toBeGreaterThan(MAX_ZALO_DIGEST_CHARS);
  expect(telegramRow.text.length).toBeLessThanOrEqual(MAX_DIGEST_CHARS);
  // Both name their own unit's pending people and end with how many were left out.
  const shown = (text: string) => text.split("\n").filter((l) => l.startsWith("• Nguyễn Thị")).length;
  expect(zaloRow.text).toContain("Chưa gửi phiếu (121 người):");
  expect(zaloRow.text.split("\n").at(-1)).toBe(`… và ${121 - shown(zaloRow.text)} người khác`);
  expect(zaloRow.text).not.toContain(" U2 ");
  expect(shown(telegramRow.text)).toBeGreaterThan(shown(zaloRow.text));

  const sender = new OutboxSender(
    t.store.outbox,
    channelTransport({
      telegram: fetchTransport({ token: "123456:TEST-TOKEN-abcdefghijklmnopqrstuvwxyz", apiRoot: telegram.apiRoot, timeoutMs: 30_000 }),
      zalo: zaloTransport({ token: zalo.token, apiRoot: zalo.url, timeoutMs: 30_000 }),
    }),
    { idlePollMs: 20, clock: () => new Date("2026-11-10T01:31:00Z") },
  );
  expect(await sender.run({ drain: true })).toMatchObject({ sent: 2, failed: 0 });
  expect(zalo.textsTo("zalo-coord")).toEqual([zaloRow.text]);
  expect(telegram.callsOf("sendMessage").map((c) => [String(c.payload.chat_id), c.payload.text])).toEqual([["4242", telegramRow.text]]);
});
