// Every query that lists respondents, at a size that broke them: 1,200 respondents in one campaign
// used to become one `IN (…)` list of 1,200 ids (SQLite refuses more than 999 bound values through
// Prisma). The reports, audiences and digests are now computed by the database; the counts here are
// derived from the seed's fixed pattern, not read back through the code under test.
import { expect, test } from "vitest";
import { BroadcastService } from "../../src/broadcast/index.js";
import { createCampaign } from "../../src/campaigns/index.js";
import { databaseParticipation, outboxBroadcasts } from "../../src/channels/telegram/admin/index.js";
import { DigestService } from "../../src/coordinators/index.js";
import { openOutboxStore } from "../../src/db/index.js";
import { createI18n } from "../../src/i18n/index.js";
import { ReminderService } from "../../src/reminders/index.js";
import { describeDatabases } from "../support/db.js";
import { expectedScaleCounts, seedGroup, seedScaleCampaign, seedStage, seedUnit } from "../support/scale-seed.js";

const SIZE = { respondents: 1_200, units: 12, groups: ["leaders", "officials", "deputies"] } as const;
const NOW = new Date("2026-12-10T02:00:00Z");

describeDatabases("1,200 respondents in one campaign", (ctx) => {
  test("participation, campaign counts, broadcast and reminder audiences, digests and admin /stats are computed without listing ids", async () => {
    const db = ctx.db();
    const { campaign } = await createCampaign(db.campaigns, { questionnaireFile: "examples/par-officials.yaml", name: "PAR", opens: "2026-12-01", closes: "2026-12-31" });
    await db.campaigns.updateSettings(campaign.id, { reminders: "1d@09:00", coordinatorDigestAt: "08:00" });
    await seedScaleCampaign(ctx.prisma(), { campaignId: campaign.id, questionnaireVersionPk: campaign.questionnaireVersionPk, ...SIZE, coordinatorEvery: 100 });
    const all = expectedScaleCounts(SIZE);
    const reached = all.sampled - all.status.not_redeemed;

    // Participation (the report of `khaosat participation` and the admin's /stats).
    const report = await databaseParticipation(db).report(campaign.id);
    expect(report.totals).toMatchObject({ sampled: all.sampled, redeemed: reached, submitted: all.status.submitted, inProgress: all.status.in_progress });
    expect(report.rows).toHaveLength(SIZE.units * SIZE.groups.length);
    const u3 = expectedScaleCounts(SIZE, (i) => seedUnit(i, SIZE.units) === "U003" && seedGroup(i, SIZE.groups) === "officials");
    expect(report.rows.find((r) => r.unit === "U003" && r.group === "officials")).toMatchObject({ sampled: u3.sampled, submitted: u3.status.submitted });

    // Broadcasts: everyone who opened the bot except those who declined; not-submitted leaves out submitted ones.
    const store = await openOutboxStore(ctx.url(), { migrate: false });
    try {
      const broadcasts = new BroadcastService(store.messaging, store.outbox);
      const base = { campaignId: campaign.id, text: "Xin nhắc", parseMode: null, split: false, actor: "test" } as const;
      const prepared = await broadcasts.prepare({ ...base, audience: { kind: "all" } }, NOW);
      expect(prepared.ok && prepared.prepared.recipients.length).toBe(reached);
      const open = await broadcasts.prepare({ ...base, audience: { kind: "not-submitted" } }, NOW);
      expect(open.ok && open.prepared.recipients.length).toBe(all.status.redeemed + all.status.in_progress);
      const admin = outboxBroadcasts(store.messaging, store.outbox);
      expect(await admin.audienceSize(campaign.id, { kind: "all" })).toBe(reached - all.status.declined);

      // Reminders: respondents who opened the bot and neither submitted nor declined.
      const reminders = new ReminderService(store.messaging, createI18n());
      expect(await reminders.preview(campaign.id)).toBe(all.status.redeemed + all.status.in_progress);
      const run = await reminders.remindNow(campaign.id, NOW, "test");
      expect(run?.recipients).toBe(all.status.redeemed + all.status.in_progress);

      // Digests: one per coordinator who opened the bot.
      const coordinators = Array.from({ length: SIZE.respondents }, (_, i) => i).filter((i) => i % 100 === 0);
      const digests = new DigestService({ campaigns: db.campaigns, respondents: db.respondents, participation: db.participation, messaging: store.messaging, outbox: store.outbox, i18n: createI18n() });
      const outcome = await digests.queue(campaign, NOW, "2026-12-10");
      expect(outcome).toMatchObject({ queued: coordinators.filter((i) => seedStage(i) !== "not_redeemed").length });
    } finally {
      await store.close();
    }
  });
});
