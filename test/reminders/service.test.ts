import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { createI18n } from "../../src/i18n/index.js";
import { ReminderService } from "../../src/reminders/index.js";
import { createPrismaClient } from "../../src/db/client.js";
import { parseDatabaseUrl } from "../../src/db/connection.js";
import { PG_URL, testDb, type TestDb } from "../outbox/support.js";
import { seedCampaign } from "./seed.js";

const i18n = createI18n();
let t: TestDb;
beforeEach(async () => {
  t = await testDb();
});
afterEach(async () => {
  await t.dispose();
});

// Closes 17:00 on 15 Dec 2026 in Ho Chi Minh City; the 1d reminder is at 00:30 local on 14 Dec,
// i.e. 17:30 UTC on 13 Dec: the local date has moved past midnight while UTC has not.
const CAMPAIGN = {
  id: "par2026",
  name: "PAR Index 2026",
  opensAt: new Date("2026-12-01T01:00:00Z"),
  closesAt: new Date("2026-12-15T10:00:00Z"),
  reminders: "3d,1d@00:30",
};

async function rows() {
  const claimed = await t.store.outbox.claim("inspect", new Date("2100-01-01T00:00:00Z"), 1000);
  await t.store.outbox.releaseClaim("inspect");
  return claimed;
}

describe("reminder ticks with an injected clock", () => {
  test("each slot fires once, at its local time, only to respondents who opened the bot and have not submitted", async () => {
    await seedCampaign(t.url, CAMPAIGN, [
      { externalId: "a-redeemed", stage: "redeemed", chatId: "11" },
      { externalId: "b-progress", stage: "in_progress", chatId: "12", language: "en" },
      { externalId: "c-submitted", stage: "submitted", chatId: "13" },
      { externalId: "d-declined", stage: "declined", chatId: "14" },
      { externalId: "e-not-redeemed", stage: "not_redeemed", chatId: "15" },
    ]);
    const service = new ReminderService(t.store.messaging, i18n);
    const minute = (iso: string) => service.tick(new Date(iso));

    // 3d@00:30 local = 11 Dec 17:30 UTC. One minute earlier nothing is due.
    expect(await minute("2026-12-11T17:29:00Z")).toEqual([]);
    const first = await minute("2026-12-11T17:30:00Z");
    expect(first).toMatchObject([{ campaignId: "par2026", result: "queued", run: { label: "3d@00:30", recipients: 2, trigger: "scheduled" } }]);
    // The next ticks of the same slot do nothing.
    expect(await minute("2026-12-11T17:31:00Z")).toEqual([]);
    expect(await minute("2026-12-12T09:00:00Z")).toEqual([]);

    const queued = await rows();
    expect(queued.map((m) => m.chatId).sort()).toEqual(["11", "12"]);
    const vi = queued.find((m) => m.chatId === "11")!;
    expect(vi.text).toBe(
      "Nhắc việc: phiếu khảo sát «PAR Index 2026» của Ông/Bà chưa được gửi. Đợt khảo sát kết thúc lúc 17:00 ngày 15/12/2026 (còn 3 ngày). Xin Ông/Bà vui lòng hoàn thành phiếu trước thời hạn; các câu đã trả lời vẫn được giữ nguyên.",
    );
    expect(vi.replyMarkup).toEqual({ inline_keyboard: [[{ text: "Tiếp tục trả lời", callback_data: "resume:par2026" }]] });
    const en = queued.find((m) => m.chatId === "12")!;
    expect(en.text).toContain("The survey closes at 17:00 on 15/12/2026 (3 days left)");
    expect(en.replyMarkup?.inline_keyboard[0]![0]!.text).toBe("Continue answering");

    // Crossing midnight local time (13 Dec 23:59 → 14 Dec 00:30 local) brings the 1d slot.
    expect(await minute("2026-12-13T16:59:00Z")).toEqual([]);
    const second = await minute("2026-12-13T17:30:00Z");
    expect(second).toMatchObject([{ result: "queued", run: { label: "1d@00:30", recipients: 2 } }]);
    expect((await rows()).find((m) => m.chatId === "12" && m.text.includes("1 day left"))).toBeDefined();
    expect((await t.store.messaging.reminderRuns("par2026")).map((r) => [r.label, r.slotAt.toISOString(), r.recipients])).toEqual([
      ["1d@00:30", "2026-12-13T17:30:00.000Z", 2],
      ["3d@00:30", "2026-12-11T17:30:00.000Z", 2],
    ]);
  });

  test("a reminder missed while the bot was down is sent on return (latest slot only), never after the close", async () => {
    await seedCampaign(t.url, CAMPAIGN, [{ externalId: "a", stage: "in_progress", chatId: "21" }]);
    const service = new ReminderService(t.store.messaging, i18n);
    // Down from before the 3d slot until after the 1d slot: only the 1d reminder goes out.
    const back = await service.tick(new Date("2026-12-14T03:00:00Z"));
    expect(back).toMatchObject([{ result: "queued", run: { label: "1d@00:30", recipients: 1 } }]);
    expect(await service.tick(new Date("2026-12-14T03:01:00Z"))).toEqual([]);
    // Past the close nothing is due.
    expect(await service.tick(new Date("2026-12-15T10:00:00Z"))).toEqual([]);
    expect((await rows()).map((m) => m.text.match(/còn [^)]+/)?.[0])).toEqual(["còn 1 ngày"]);
  });

  test("the same offset and close recorded twice (even at another time of day) keeps the first run and its messages only", async () => {
    await seedCampaign(t.url, CAMPAIGN, [{ externalId: "a", stage: "redeemed", chatId: "31" }]);
    const run = {
      campaignId: "par2026",
      slotAt: new Date("2026-12-11T17:30:00Z"),
      label: "3d@00:30",
      trigger: "scheduled" as const,
      ranAt: new Date("2026-12-11T17:30:00Z"),
      offset: "3d",
      forClosesAt: CAMPAIGN.closesAt,
    };
    const message = (runId: string) => [{ kind: "reminder" as const, chatId: "31", dedupeKey: `reminder:${runId}:a`, text: runId, notBefore: run.ranAt }];
    expect(await t.store.messaging.recordReminderRun(run, message)).toMatchObject({ recipients: 1, offset: "3d", forClosesAt: CAMPAIGN.closesAt });
    expect(await t.store.messaging.recordReminderRun({ ...run, ranAt: new Date("2026-12-11T17:31:00Z") }, message)).toBeNull();
    expect(await t.store.messaging.recordReminderRun({ ...run, slotAt: new Date("2026-12-11T18:00:00Z"), label: "3d@01:00" }, message)).toBeNull();
    expect(await rows()).toHaveLength(1);
  });

  test("changing the time of day after a reminder ran sends no second one; moving the close re-arms the reminders", async () => {
    await seedCampaign(t.url, { ...CAMPAIGN, reminders: "7d,3d,1d@09:00" }, [{ externalId: "a", stage: "in_progress", chatId: "51" }]);
    const service = new ReminderService(t.store.messaging, i18n);
    // 1d@09:00 local on 14 Dec = 02:00 UTC.
    expect(await service.tick(new Date("2026-12-14T02:00:00Z"))).toMatchObject([{ result: "queued", run: { label: "1d@09:00", recipients: 1, offset: "1d" } }]);
    // The organiser moves the time of day earlier the same day: the 1d slot (now 08:30) is "due" but already ran.
    expect(await t.store.messaging.setReminderSchedule("par2026", "7d,3d,1d@08:30")).toBe(true);
    expect(await service.tick(new Date("2026-12-14T11:00:00Z"))).toEqual([]);
    // ... and later that day: still nothing.
    expect(await t.store.messaging.setReminderSchedule("par2026", "7d,3d,1d@20:00")).toBe(true);
    expect(await service.tick(new Date("2026-12-14T13:00:00Z"))).toEqual([]);
    expect((await t.store.messaging.reminderRuns("par2026")).map((r) => r.label)).toEqual(["1d@09:00"]);

    // The deadline is extended by a week (22 Dec 17:00 local): the reminders count again from the new close.
    const { prisma, close } = createPrismaClient(parseDatabaseUrl(t.url));
    try {
      await prisma.campaign.update({ where: { id: "par2026" }, data: { closesAt: new Date("2026-12-22T10:00:00Z") } });
    } finally {
      await close();
    }
    // 7d@20:00 before 22 Dec = 15 Dec 20:00 local = 13:00 UTC.
    expect(await service.tick(new Date("2026-12-15T12:59:00Z"))).toEqual([]);
    expect(await service.tick(new Date("2026-12-15T13:00:00Z"))).toMatchObject([{ result: "queued", run: { label: "7d@20:00", recipients: 1 } }]);
    expect(await service.tick(new Date("2026-12-21T13:00:00Z"))).toMatchObject([{ result: "queued", run: { label: "1d@20:00", recipients: 1, offset: "1d" } }]);
    expect(await service.tick(new Date("2026-12-21T13:01:00Z"))).toEqual([]);
    expect((await rows()).map((m) => m.text.match(/còn [^)]+/)?.[0])).toEqual(["còn 1 ngày", "còn 6 ngày", "còn 21 giờ"]);
  });

  test("a closed campaign or one without a schedule gets no reminders; remindNow refuses a closed campaign", async () => {
    await seedCampaign(t.url, { ...CAMPAIGN, id: "closed", closedAt: new Date("2026-12-05T00:00:00Z") }, [{ externalId: "a", stage: "redeemed", chatId: "41" }]);
    await seedCampaign(t.url, { ...CAMPAIGN, id: "plain", reminders: "" }, [{ externalId: "b", stage: "redeemed", chatId: "42" }]);
    const service = new ReminderService(t.store.messaging, i18n);
    expect(await service.tick(new Date("2026-12-14T03:00:00Z"))).toEqual([]);
    expect(await service.remindNow("closed", new Date("2026-12-14T03:00:00Z"), "admin:1")).toBeNull();
    expect(await service.preview("plain")).toBe(1);
    expect(await service.remindNow("plain", new Date("2026-12-14T03:00:00Z"), "admin:1")).toMatchObject({ label: "manual", trigger: "manual", actor: "admin:1", recipients: 1 });
  });
});

describe.skipIf(!PG_URL)("reminder ticks on PostgreSQL (needs TEST_DATABASE_URL)", () => {
  test("two instances ticking the same slot at once produce one run and one message per recipient", async () => {
    const pgDb = await testDb("postgres");
    try {
      await seedCampaign(pgDb.url, CAMPAIGN, [
        { externalId: "a", stage: "redeemed", chatId: "31" },
        { externalId: "b", stage: "redeemed", chatId: "32" },
      ]);
      const other = await pgDb.another();
      const now = new Date("2026-12-11T17:30:00Z");
      const results = await Promise.all([new ReminderService(pgDb.store.messaging, i18n).tick(now), new ReminderService(other.messaging, i18n).tick(now)]);
      expect(results.flat().filter((r) => r.result === "queued")).toHaveLength(1);
      const claimed = await pgDb.store.outbox.claim("inspect", new Date("2100-01-01T00:00:00Z"), 100);
      expect(claimed.map((m) => m.chatId).sort()).toEqual(["31", "32"]);
    } finally {
      await pgDb.dispose();
    }
  });
});
