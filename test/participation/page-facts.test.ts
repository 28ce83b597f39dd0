// The per-respondent funnel facts (respondentPage: participation facts, pending lists, broadcast and
// reminder recipients) on a small campaign that has every case the SQL must tell apart: never
// started, code issued but not redeemed, redeemed only, declined, partial (attested or only
// started), submitted, respondents who owe several responses, several codes or sessions per
// respondent, Zalo chats and unreachable chats, and a second campaign whose rows must not leak in.
// Each result is checked against the statuses written down here and against a plain computation
// over the stored rows; pages of 1, 2 and 3 rows must give the same rows in the same order.
import { expect, test } from "vitest";
import { createCampaign } from "../../src/campaigns/index.js";
import { openOutboxStore } from "../../src/db/index.js";
import { respondentPage } from "../../src/db/participation.js";
import type { RespondentStatus } from "../../src/db/types.js";
import { respondentStatus } from "../../src/participation/index.js";
import { describeDatabases } from "../support/db.js";

interface Seed {
  readonly ext: string;
  readonly unit: string;
  readonly group: string;
  readonly subjectUnits?: string;
  /** Codes: "bound" (redeemed), "active" (issued, never redeemed), "revoked" (unbound). */
  readonly codes?: readonly ("bound" | "active" | "revoked")[];
  /** Sessions, oldest first: channel and chat (null: a session with no chat). */
  readonly sessions?: readonly { channel: string; chat: string | null; language?: string }[];
  /** Responses: status, attested or not, source. */
  readonly responses?: readonly { status: "declined" | "in_progress" | "submitted"; attested?: boolean; source?: string; unit?: string }[];
  readonly status: RespondentStatus;
  /** The chat a broadcast goes to, or null when the respondent is not a recipient. */
  readonly chat: string | null;
}

const SEEDS: readonly Seed[] = [
  { ext: "A01", unit: "U1", group: "g1", status: "not_redeemed", chat: null },
  { ext: "A02", unit: "U1", group: "g1", codes: ["active"], status: "not_redeemed", chat: null },
  { ext: "A03", unit: "U1", group: "g2", codes: ["revoked", "bound", "bound"], sessions: [{ channel: "telegram", chat: "1003" }], status: "redeemed", chat: "1003" },
  { ext: "A04", unit: "U1", group: "g2", codes: ["bound"], sessions: [{ channel: "telegram", chat: "1004" }], responses: [{ status: "declined" }], status: "declined", chat: "1004" },
  { ext: "A05", unit: "U2", group: "g1", codes: ["bound"], sessions: [{ channel: "telegram", chat: "1005" }], responses: [{ status: "in_progress", attested: true }], status: "in_progress", chat: "1005" },
  { ext: "A06", unit: "U2", group: "g1", codes: ["bound"], sessions: [{ channel: "telegram", chat: "1006" }], responses: [{ status: "in_progress" }], status: "in_progress", chat: "1006" },
  { ext: "A07", unit: "U2", group: "g2", codes: ["bound"], sessions: [{ channel: "zalo", chat: "z7" }], responses: [{ status: "submitted", attested: true, source: "zalo" }], status: "submitted", chat: "zalo:z7" },
  {
    ext: "A08",
    unit: "U1",
    group: "g1",
    subjectUnits: "U1|U2",
    codes: ["bound"],
    sessions: [{ channel: "telegram", chat: "1008" }],
    responses: [
      { status: "submitted", attested: true, source: "bot", unit: "U1" },
      { status: "in_progress", attested: true, unit: "U2" },
    ],
    status: "in_progress",
    chat: "1008",
  },
  {
    ext: "A09",
    unit: "U2",
    group: "g2",
    subjectUnits: "U1|U2",
    codes: ["bound"],
    sessions: [
      { channel: "telegram", chat: "1009" },
      { channel: "telegram", chat: "1009b", language: "en" },
      { channel: "zalo", chat: "z9" },
      { channel: "telegram", chat: null },
    ],
    responses: [
      { status: "submitted", attested: true, source: "telegram", unit: "U1" },
      { status: "submitted", attested: true, source: "console", unit: "U2" },
    ],
    status: "submitted",
    chat: "1009b",
  },
  { ext: "A10", unit: "U1", group: "g2", codes: ["bound"], sessions: [{ channel: "telegram", chat: "1010" }], responses: [{ status: "submitted", attested: true, source: "import" }], status: "submitted", chat: null },
  {
    ext: "A11",
    unit: "U2",
    group: "g2",
    codes: ["bound"],
    sessions: [{ channel: "telegram", chat: "1011" }],
    responses: [{ status: "declined" }, { status: "in_progress" }],
    status: "in_progress",
    chat: "1011",
  },
  { ext: "A12", unit: "U2", group: "g1", codes: ["bound"], status: "redeemed", chat: null },
  { ext: "A13", unit: "U1", group: "g1", subjectUnits: "U1|U2", codes: ["bound"], sessions: [{ channel: "telegram", chat: "1013" }], responses: [{ status: "submitted", attested: true, unit: "U1" }], status: "in_progress", chat: "1013" },
];
const UNREACHABLE = ["1010"];

describeDatabases("funnel facts per respondent", (ctx) => {
  test("facts, pending lists, counts and recipients match the seeded cases and a plain computation over the stored rows, in pages of any size", async () => {
    const db = ctx.db();
    const prisma = ctx.prisma();
    const make = async (name: string) => (await createCampaign(db.campaigns, { questionnaireFile: "test/scale/round.yaml", name, opens: "2026-12-01", closes: "2099-12-31" })).campaign;
    const campaign = await make("facts");
    const other = await make("other");
    const at = new Date("2026-12-05T03:00:00Z");
    let n = 0;
    const seed = async (c: { id: string; questionnaireVersionPk: number }, s: Seed) => {
      const r = await prisma.respondent.create({ data: { campaignId: c.id, externalId: s.ext, fullName: `Người ${s.ext}`, unitCode: s.unit, groupId: s.group, language: "vi", subjectUnits: s.subjectUnits ?? "" } });
      for (const kind of s.codes ?? []) {
        n++;
        await prisma.accessCode.create({
          data: { campaignId: c.id, codeHash: `h${n}`, respondentId: r.id, status: kind === "bound" ? "used" : kind, boundAccount: kind === "bound" ? `telegram:${n}` : null, boundAt: kind === "bound" ? at : null },
        });
      }
      for (const [k, session] of (s.sessions ?? []).entries()) {
        const when = new Date(at.getTime() + k * 60_000);
        await prisma.session.create({ data: { campaignId: c.id, channel: session.channel, account: `${session.channel}:${k}`, chatId: session.chat, respondentId: r.id, language: session.language ?? "vi", createdAt: when, updatedAt: when } });
      }
      for (const x of s.responses ?? []) {
        await prisma.response.create({
          data: {
            campaignId: c.id,
            questionnaireVersionPk: c.questionnaireVersionPk,
            respondentId: r.id,
            source: x.source ?? "telegram",
            subjectUnit: x.unit ?? s.unit,
            groupId: s.group,
            status: x.status,
            startedAt: at,
            attestedAt: x.attested ? at : null,
            declinedAt: x.status === "declined" ? at : null,
            submittedAt: x.status === "submitted" ? at : null,
          },
        });
      }
      return r.id;
    };
    const ids = new Map<string, string>();
    for (const s of SEEDS) ids.set(s.ext, await seed(campaign, s));
    // The other campaign: same external ids and chats, other statuses; none of it may show in `campaign`.
    for (const s of SEEDS) await seed(other, { ...s, codes: ["bound"], responses: [{ status: "submitted", attested: true }] });
    for (const chatId of UNREACHABLE) await prisma.unreachableChat.create({ data: { chatId, reason: "blocked", at } });
    const extOf = new Map([...ids].map(([ext, id]) => [id, ext]));

    // Facts through the repository: the statuses written above, in external-id order.
    const facts = await db.participation.facts(campaign.id);
    expect(facts.map((f) => [extOf.get(f.respondentId), respondentStatus(f)])).toEqual(SEEDS.map((s) => [s.ext, s.status]));

    // The same facts computed plainly from the stored rows.
    const [respondents, codes, responses] = await Promise.all([
      prisma.respondent.findMany({ where: { campaignId: campaign.id }, orderBy: { externalId: "asc" } }),
      prisma.accessCode.findMany({ where: { campaignId: campaign.id } }),
      prisma.response.findMany({ where: { campaignId: campaign.id } }),
    ]);
    const plain = respondents.map((r) => {
      const mine = responses.filter((x) => x.respondentId === r.id);
      return {
        respondentId: r.id,
        unitCode: r.unitCode,
        groupId: r.groupId,
        redeemed: codes.some((c) => c.respondentId === r.id && c.boundAccount !== null),
        attested: mine.some((x) => x.attestedAt !== null),
        declined: mine.some((x) => x.status === "declined"),
        submittedResponses: mine.filter((x) => x.status === "submitted").length,
        startedResponses: mine.filter((x) => x.status === "in_progress").length,
        expectedResponses: r.subjectUnits === "" ? 1 : r.subjectUnits.split("|").length,
      };
    });
    expect(facts).toEqual(plain);
    expect(await db.participation.facts(campaign.id, { unitCode: "U2" })).toEqual(plain.filter((f) => f.unitCode === "U2"));

    // Pages of 1, 2 and 3 rows give the same rows in the same order.
    for (const limit of [1, 2, 3]) {
      const paged: string[] = [];
      let after = "";
      for (;;) {
        const rows = await prisma.$queryRaw<{ externalId: string; status: string; submittedResponses: unknown }[]>`
          SELECT f."externalId" AS "externalId", f."status" AS "status", f."submittedResponses" AS "submittedResponses" FROM ${respondentPage(ctx.provider, campaign.id, after, limit)} ORDER BY f."externalId"`;
        expect(rows.length).toBeLessThanOrEqual(limit);
        paged.push(...rows.map((r) => `${r.externalId}:${r.status}:${Number(r.submittedResponses)}`));
        if (rows.length < limit) break;
        after = rows[rows.length - 1]!.externalId;
      }
      expect(paged).toEqual(SEEDS.map((s) => `${s.ext}:${s.status}:${(s.responses ?? []).filter((x) => x.status === "submitted").length}`));
    }

    // Pending respondents of a unit (the coordinators' digests): everyone in U1 who has not submitted.
    const pending = await db.participation.pendingOfUnit(campaign.id, "U1");
    expect(pending).toEqual(SEEDS.filter((s) => s.unit === "U1" && s.status !== "submitted").map((s) => ({ name: `Người ${s.ext}`, status: s.status })));

    // Counts per unit and group (the whole-campaign query) agree with the facts, and with the seeds.
    const counts = await db.participation.statusCounts(campaign.id);
    const expected = new Map<string, Record<RespondentStatus, number>>();
    for (const s of SEEDS) {
      const key = `${s.unit}/${s.group}`;
      const row = expected.get(key) ?? { not_redeemed: 0, redeemed: 0, declined: 0, in_progress: 0, submitted: 0 };
      row[s.status]++;
      expected.set(key, row);
    }
    expect(new Map(counts.map((c) => [`${c.unitCode}/${c.groupId}`, c.status]))).toEqual(expected);
    for (const c of counts) {
      const mine = plain.filter((f) => f.unitCode === c.unitCode && f.groupId === c.groupId);
      expect([c.sampled, c.redeemed, c.attested]).toEqual([mine.length, mine.filter((f) => f.redeemed).length, mine.filter((f) => f.attested).length]);
    }

    // Submitted responses per unit and channel ('bot' is Telegram's legacy name).
    const channels = await db.participation.submittedByChannel(campaign.id);
    const byChannel = Object.fromEntries(channels.map((c) => [`${c.unit}/${c.groupId}/${c.channel}`, c.count]));
    expect(byChannel).toEqual({ "U2/g2/zalo": 1, "U1/g1/telegram": 2, "U1/g2/telegram": 1, "U2/g2/console": 1, "U1/g2/import": 1 });

    // Broadcast recipients: redeemed, with a reachable chat (the newest Telegram one, even when a Zalo one is newer; else Zalo), once each.
    const store = await openOutboxStore(ctx.url(), { migrate: false });
    try {
      const recipients = await store.messaging.recipients(campaign.id);
      expect(recipients.map((r) => [extOf.get(r.respondentId), r.chatId, r.submitted, r.declined])).toEqual(
        SEEDS.filter((s) => s.chat !== null).map((s) => [s.ext, s.chat, s.status === "submitted", (s.responses ?? []).some((x) => x.status === "declined")]),
      );
      expect(recipients.find((r) => r.chatId === "1009b")?.language).toBe("en");
      const group = await store.messaging.recipients(campaign.id, { unitCode: "U2", groupId: "g1" });
      expect(group.map((r) => extOf.get(r.respondentId))).toEqual(["A05", "A06"]);
    } finally {
      await store.close();
    }
    // Nothing of the other campaign counts here; its own facts are its own.
    expect((await db.participation.facts(other.id)).map(respondentStatus)).toEqual(SEEDS.map((s) => ((s.subjectUnits ?? "") === "" ? "submitted" : "in_progress")));
  });
});
