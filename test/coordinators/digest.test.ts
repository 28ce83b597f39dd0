import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { DigestService, digestText, MAX_DIGEST_CHARS } from "../../src/coordinators/index.js";
import { createI18n } from "../../src/i18n/index.js";
import { openFixture, outboxRows, type Fixture, type SeedRespondent } from "../channels/telegram/admin/fixture.js";

const i18n = createI18n();
const CAMPAIGN = { id: "par2026", name: "PAR Index 2026", opensAt: new Date("2026-11-01T00:00:00Z"), closesAt: new Date("2026-11-30T10:00:00Z") };
const SAMPLE: SeedRespondent[] = [
  { externalId: "a1", name: "Nguyễn Văn An", unit: "SO_TP", stage: "submitted", chatId: "11" },
  { externalId: "a2", name: "Trần Thị Bình", unit: "SO_TP", stage: "in_progress", chatId: "12", coordinator: true },
  { externalId: "a3", name: "Lê Văn Cường", unit: "SO_TP", stage: "not_redeemed" },
  { externalId: "b1", name: "Phạm Thị Dung", unit: "SO_YT", stage: "redeemed", chatId: "21", language: "en", coordinator: true },
  { externalId: "b2", name: "Hoàng Văn Giang", unit: "SO_YT", stage: "not_redeemed" },
  { externalId: "b3", name: "Đỗ Thị Hà", unit: "SO_YT", stage: "declined", chatId: "23" },
  // A coordinator who has never opened the bot: nothing can reach them.
  { externalId: "c1", name: "Vũ Văn Khánh", unit: "UB_HN", group: "deputies", stage: "not_redeemed", coordinator: true },
];
const NAMES = SAMPLE.map((r) => r.name);

const SO_TP_COUNTS = [
  "Tình hình tham gia hằng ngày: PAR Index 2026",
  "Đơn vị: Sở Tư pháp",
  "Tính đến 08:30 ngày 10/11/2026: 1/3 người đã gửi phiếu (33,3%).",
  "• Đang trả lời: 1",
  "• Đã mở bot, chưa bắt đầu: 0",
  "• Chưa sử dụng mã: 1",
  "• Từ chối: 0",
  "Đợt khảo sát kết thúc lúc 17:00 ngày 30/11/2026.",
];

let f: Fixture;
afterEach(async () => {
  await f.dispose();
});

function service(): DigestService {
  return new DigestService({ campaigns: f.db.campaigns, respondents: f.db.respondents, participation: f.db.participation, messaging: f.store.messaging, outbox: f.store.outbox, i18n });
}

describe("without coordinatorsSeeNames: counts and rates only", () => {
  beforeEach(async () => {
    f = await openFixture();
    await f.seed({ ...CAMPAIGN, settings: { coordinatorDigestAt: "08:30" } }, SAMPLE);
  });

  test("at the digest time in the campaign's zone, one outbox row per coordinator who opened the bot, in their language", async () => {
    const digests = service();
    expect(await digests.tick(new Date("2026-11-10T01:29:00Z"))).toEqual([]);
    expect(await digests.tick(new Date("2026-11-10T01:30:00Z"))).toEqual([{ campaignId: "par2026", date: "2026-11-10", queued: 2, duplicate: 0, unreachable: 1 }]);
    const rows = await outboxRows(f.prisma);
    expect(rows.map((r) => [r.kind, r.chatId, r.dedupeKey.replace(/:c[a-z0-9]+:/, ":<id>:"), r.status])).toEqual([
      ["digest", "12", "digest:par2026:<id>:2026-11-10", "queued"],
      ["digest", "21", "digest:par2026:<id>:2026-11-10", "queued"],
    ]);
    expect(rows[0]!.text).toBe(SO_TP_COUNTS.join("\n"));
    expect(rows[1]!.text).toBe(
      [
        "Daily participation: PAR Index 2026",
        "Unit: Sở Y tế",
        "As of 08:30 on 10 November 2026: 0 of 3 have submitted (0.0%).",
        "• Answering: 0",
        "• Opened the bot, not started: 1",
        "• Code not used yet: 1",
        "• Declined: 1",
        "The survey closes at 17:00 on 30 November 2026.",
      ].join("\n"),
    );
    for (const row of rows) for (const name of NAMES) expect(row.text).not.toContain(name);
  });

  test("once a day: later ticks, a restarted instance and the next day", async () => {
    await service().tick(new Date("2026-11-10T01:30:00Z"));
    const again = service();
    // A fresh instance (restart, or a second bot) finds today's rows already queued.
    expect(await again.tick(new Date("2026-11-10T09:00:00Z"))).toEqual([{ campaignId: "par2026", date: "2026-11-10", queued: 0, duplicate: 2, unreachable: 1 }]);
    expect(await again.tick(new Date("2026-11-10T09:01:00Z"))).toEqual([]);
    expect(await again.tick(new Date("2026-11-11T01:29:00Z"))).toEqual([]);
    expect(await again.tick(new Date("2026-11-11T01:30:00Z"))).toMatchObject([{ date: "2026-11-11", queued: 2 }]);
    expect(await outboxRows(f.prisma)).toHaveLength(4);
  });

  test("the local date, not UTC's, names the day across midnight in Asia/Ho_Chi_Minh", async () => {
    await f.db.campaigns.updateSettings("par2026", { coordinatorDigestAt: "00:15" });
    // 17:15 UTC on 10 Nov is 00:15 on 11 Nov in Ho Chi Minh City.
    expect(await service().tick(new Date("2026-11-10T17:14:00Z"))).toEqual([]);
    expect(await service().tick(new Date("2026-11-10T17:15:00Z"))).toMatchObject([{ date: "2026-11-11", queued: 2 }]);
  });

  test("no digest for a closed campaign or before it opens", async () => {
    await f.db.campaigns.close("par2026", new Date("2026-11-05T00:00:00Z"));
    expect(await service().tick(new Date("2026-11-10T01:30:00Z"))).toEqual([]);
    expect(await outboxRows(f.prisma)).toEqual([]);
  });
});

describe("with coordinatorsSeeNames", () => {
  beforeEach(async () => {
    f = await openFixture();
    await f.seed({ ...CAMPAIGN, settings: { coordinatorDigestAt: "08:30", coordinatorsSeeNames: true } }, SAMPLE);
  });

  test("the digest names who in the unit has not submitted, and their stage; never anyone who has", async () => {
    await service().tick(new Date("2026-11-10T01:30:00Z"));
    const rows = await outboxRows(f.prisma);
    expect(rows[0]!.text).toBe([...SO_TP_COUNTS, "", "Chưa gửi phiếu (2 người):", "• Lê Văn Cường (chưa dùng mã)", "• Trần Thị Bình (đang trả lời)"].join("\n"));
    expect(rows[0]!.text).not.toContain("Nguyễn Văn An");
    expect(rows[1]!.text.split("\n").slice(8)).toEqual(["", "Not yet submitted (3 people):", "• Đỗ Thị Hà (declined)", "• Hoàng Văn Giang (code not used)", "• Phạm Thị Dung (not started)"]);
  });
});

describe("digestText", () => {
  test("a long list of names is cut to one Telegram message with the number left out", () => {
    const pending = Array.from({ length: 400 }, (_, i) => ({ name: `Nguyễn Văn Người Thứ ${String(i + 1).padStart(3, "0")}`, status: "not_redeemed" as const }));
    const text = digestText(i18n.getFixedT("vi"), {
      language: "vi",
      campaignName: "PAR Index 2026",
      unitName: "Sở Tư pháp",
      timeZone: "Asia/Ho_Chi_Minh",
      now: new Date("2026-11-10T01:30:00Z"),
      closesAt: new Date("2026-11-30T10:00:00Z"),
      counts: { not_redeemed: 400, redeemed: 0, declined: 0, in_progress: 0, submitted: 0 },
      pending,
    });
    expect(text.length).toBeLessThanOrEqual(MAX_DIGEST_CHARS);
    const lines = text.split("\n");
    const listed = lines.filter((l) => l.startsWith("• Nguyễn")).length;
    expect(listed).toBeGreaterThan(50);
    expect(lines.at(-1)).toBe(`… và ${400 - listed} người khác`);
  });
});
