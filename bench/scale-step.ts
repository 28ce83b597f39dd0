// One step of `npm run bench:scale` run in its own process (so its time and peak memory are its own):
// `tick URL CAMPAIGN ISO` runs the reminders tick, `digest URL CAMPAIGN ISO` queues the coordinators'
// digests, `count URL CAMPAIGN` is the plain baseline (SELECT count(*) over the same respondents
// through the same runtime and client).
import { DigestService } from "../src/coordinators/index.js";
import { createPrismaClient } from "../src/db/client.js";
import { openDatabase, openOutboxStore } from "../src/db/index.js";
import { parseDatabaseUrl } from "../src/db/target.js";
import { createI18n } from "../src/i18n/index.js";
import { ReminderService } from "../src/reminders/index.js";

const [step, url, campaignId, at] = process.argv.slice(2) as [string, string, string, string | undefined];
if (step === "count") {
  const { prisma, close } = createPrismaClient(parseDatabaseUrl(url));
  const rows = await prisma.$queryRaw<{ n: unknown }[]>`SELECT count(*) AS "n" FROM "Respondent" WHERE "campaignId" = ${campaignId}`;
  console.log(Number(rows[0]?.n));
  await close();
} else {
  const db = await openDatabase(url, { migrate: false });
  const store = await openOutboxStore(url, { migrate: false });
  const now = new Date(at!);
  if (step === "tick") {
    const outcomes = await new ReminderService(store.messaging, createI18n()).tick(now);
    console.log(JSON.stringify(outcomes.map((o) => (o.result === "queued" ? o.run.recipients : o.result))));
  } else {
    const campaign = (await db.campaigns.get(campaignId))!;
    const digests = new DigestService({ campaigns: db.campaigns, respondents: db.respondents, participation: db.participation, messaging: store.messaging, outbox: store.outbox, i18n: createI18n() });
    console.log(JSON.stringify(await digests.queue(campaign, now, "2099-12-30")));
  }
  await store.close();
  await db.close();
}
