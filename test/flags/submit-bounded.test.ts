// Flagging one submit reads a bounded number of rows however large the campaign, and stores the
// flags the former whole-campaign read gave (every submitted response loaded, only the submitted
// one's answers): computed here as the reference from the same rows.
import { readFileSync } from "node:fs";
import { expect, test } from "vitest";
import type { Prisma } from "../../src/db/client.js";
import { flagsRepository, submitFlagsRepository } from "../../src/db/flags-repository.js";
import { flagNames, flagSubmittedResponse } from "../../src/flags/index.js";
import type { FlagName, FlagSubject, FlagsRepository } from "../../src/flags/repository.js";
import { parseQuestionnaire } from "../../src/questionnaire/index.js";
import { computeFlags, type ScoringResponse } from "../../src/scoring/index.js";
import { describeDatabases } from "../support/db.js";

const SOURCE = readFileSync("examples/sipas-citizens.yaml", "utf8");
const parsed = parseQuestionnaire(SOURCE, "sipas-citizens.yaml");
if (!parsed.ok) throw new Error("example does not load");
const questionnaire = parsed.questionnaire;
const SCALES = questionnaire.questions.filter((q) => q.question.type === "scale").map((q) => q.question.id);
const T0 = new Date("2026-03-10T02:00:00Z").getTime();
/** More submitted responses than SQLite's bound-parameter limit of old (999) and than `MAX_ROWS` many times over. */
const SUBMITTED = 1_501;
/** Most rows any one query of a submit's flagging may return. */
const MAX_ROWS = 50;

/** The former algorithm: every submitted response of the campaign through `computeFlags`. */
async function wholeCampaignFlags(repository: FlagsRepository, campaignId: string, responseId: string): Promise<FlagName[]> {
  const subjects = await repository.submitted(campaignId, { withAnswers: false, answersFor: [responseId] });
  const scoring = subjects.map(
    (s: FlagSubject): ScoringResponse => ({
      id: s.id,
      unit: s.unit,
      group: s.group,
      ...(s.startedAt ? { startedAt: s.startedAt.getTime() } : {}),
      ...(s.submittedAt ? { submittedAt: s.submittedAt.getTime() } : {}),
      answers: s.answers ?? {},
      ...(s.respondentId !== null ? { respondent: s.respondentId } : {}),
      ...(s.account !== null ? { account: s.account } : {}),
      ...(s.seconds ? { seconds: s.seconds } : {}),
      ...(s.language ? { language: s.language } : {}),
    }),
  );
  return flagNames(computeFlags(questionnaire, scoring)[subjects.findIndex((s) => s.id === responseId)]!);
}

/** The client with every query's returned row count recorded. */
function counted(prisma: Prisma): { client: Prisma; rows: { operation: string; rows: number }[] } {
  const rows: { operation: string; rows: number }[] = [];
  const client = prisma.$extends({
    query: {
      async $allOperations({ model, operation, args, query }) {
        const result: unknown = await query(args);
        rows.push({ operation: `${model ?? ""}.${operation}`, rows: Array.isArray(result) ? result.length : 1 });
        return result;
      },
    },
  }) as unknown as Prisma;
  return { client, rows };
}

describeDatabases("flagging a submit in a large campaign", (ctx) => {
  test(`${SUBMITTED} submitted responses: each query returns at most ${MAX_ROWS} rows, and the flags are the whole-campaign ones`, async () => {
    const prisma = ctx.prisma();
    const version = await prisma.questionnaireVersion.create({ data: { questionnaireId: "sipas-citizens", version: 1, fileName: "sipas-citizens.yaml", source: SOURCE, sourceHash: "h" } });
    await prisma.campaign.create({ data: { id: "big", name: "Big", questionnaireVersionPk: version.pk, opensAt: new Date(T0 - 86_400_000), closesAt: new Date(T0 + 86_400_000 * 30) } });
    await prisma.respondent.createMany({
      data: ["p1", "p2", "p3", "p4"].map((id) => ({ id, campaignId: "big", externalId: id, fullName: `Person ${id}`, unitCode: "U1", groupId: "citizens", language: "vi" })),
    });
    // Durations spread over 5–15 minutes with millisecond parts; a handful without times.
    const base = { campaignId: "big", questionnaireVersionPk: version.pk, subjectUnit: "U1", groupId: "citizens", status: "submitted" } as const;
    const data = Array.from({ length: SUBMITTED }, (_, i) => {
      const ms = 300_000 + ((i * 7_919_417) % 600_000) + (i % 7);
      const untimed = i % 250 === 3;
      return { ...base, id: `r${String(i).padStart(5, "0")}`, startedAt: untimed ? null : new Date(T0 + i * 1000), submittedAt: new Date(T0 + i * 1000 + ms), account: `acct-${i}` };
    });
    // Targets: a fast one, one just under and one just over a third of a 10-minute median, a
    // shared account (p1 and p2), an account reused by one person (p3 twice), a straight-liner.
    const extra = [
      { ...base, id: "fast", startedAt: new Date(T0), submittedAt: new Date(T0 + 60_000), account: "solo" },
      { ...base, id: "shared-a", startedAt: new Date(T0), submittedAt: new Date(T0 + 500_000), account: "shared", respondentId: "p1" },
      { ...base, id: "shared-b", startedAt: new Date(T0), submittedAt: new Date(T0 + 500_000), account: "shared", respondentId: "p2" },
      { ...base, id: "shared-anon", startedAt: null, submittedAt: new Date(T0), account: "shared" },
      { ...base, id: "same-1", startedAt: new Date(T0), submittedAt: new Date(T0 + 500_000), account: "same", respondentId: "p3" },
      { ...base, id: "same-2", startedAt: new Date(T0), submittedAt: new Date(T0 + 500_000), account: "same", respondentId: "p3" },
      { ...base, id: "liner", startedAt: new Date(T0), submittedAt: new Date(T0 + 400_000), account: null, respondentId: "p4" },
    ];
    for (let i = 0; i < data.length; i += 500) await prisma.response.createMany({ data: data.slice(i, i + 500) });
    await prisma.response.createMany({ data: extra });
    await prisma.answer.createMany({ data: SCALES.map((q) => ({ responseId: "liner", questionId: q, value: "5", answeredAt: new Date(T0) })) });

    const reference = flagsRepository(prisma, ctx.provider);
    // Ids around the median and a third of it, chosen from the data so the speeder boundary is exercised.
    const durations = data.filter((d) => d.startedAt).map((d) => ({ id: d.id, ms: d.submittedAt.getTime() - d.startedAt!.getTime() }));
    const byDuration = [...durations].sort((a, b) => a.ms - b.ms);
    const targets = ["fast", "shared-a", "shared-b", "shared-anon", "same-1", "liner", byDuration[0]!.id, byDuration[byDuration.length >> 1]!.id, "r00003", "r00010"];
    const expected: Record<string, FlagName[]> = {};
    for (const id of targets) expected[id] = await wholeCampaignFlags(reference, "big", id);
    // The reference itself is not vacuous: the situations above raise each flag.
    expect(expected["fast"]).toEqual(["speeder"]);
    expect(expected["shared-a"]).toEqual(["delegation"]);
    expect(expected["shared-anon"]).toEqual(["delegation"]);
    expect(expected["same-1"]).toEqual([]);
    expect(expected["liner"]).toContain("straightliner");

    for (const id of targets) {
      const { client, rows } = counted(prisma);
      const flags = await flagSubmittedResponse(flagsRepository(client, ctx.provider), questionnaire, "big", id);
      expect(flags, id).toEqual(expected[id]);
      expect((await prisma.response.findUniqueOrThrow({ where: { id } })).flags).toBe(JSON.stringify(expected[id]));
      expect(rows.length, `${id}: queries recorded`).toBeGreaterThan(0);
      expect(Math.max(...rows.map((r) => r.rows)), `${id}: ${JSON.stringify(rows)}`).toBeLessThanOrEqual(MAX_ROWS);
    }

    // An even number of timed responses: the median is the mean of the middle two.
    const timed = await prisma.response.count({ where: { campaignId: "big", status: "submitted", startedAt: { not: null }, submittedAt: { not: null } } });
    if (timed % 2 === 1) await prisma.response.create({ data: { ...base, id: "even", startedAt: new Date(T0), submittedAt: new Date(T0 + 1_000_000), account: null } });
    const median = await flagsRepository(prisma, ctx.provider).durationMedian("big");
    const all = (await prisma.response.findMany({ where: { campaignId: "big", status: "submitted", startedAt: { not: null } }, select: { startedAt: true, submittedAt: true } }))
      .map((r) => r.submittedAt!.getTime() - r.startedAt!.getTime())
      .sort((a, b) => a - b);
    expect(all.length % 2).toBe(0);
    expect(median).toEqual({ count: all.length, median: (all[all.length / 2 - 1]! + all[all.length / 2]!) / 2 });

    // The bot's submit hook's repository (on SQLite straight on the connection) gives the same flags, median and stored value.
    const submitRepository = submitFlagsRepository(prisma);
    expect(await submitRepository.durationMedian("big")).toEqual(median);
    await prisma.response.updateMany({ where: { id: { in: targets } }, data: { flags: "[]" } });
    for (const id of targets) {
      const before = (await prisma.response.findUniqueOrThrow({ where: { id } })).updatedAt;
      expect(await flagSubmittedResponse(submitRepository, questionnaire, "big", id), id).toEqual(expected[id]);
      const row = await prisma.response.findUniqueOrThrow({ where: { id } });
      expect(row.flags, id).toBe(JSON.stringify(expected[id]));
      expect(row.updatedAt.getTime(), id).toBeGreaterThanOrEqual(before.getTime());
    }
    await expect(submitRepository.setFlags([{ responseId: "no-such-response", flags: ["speeder"] }])).rejects.toThrow();
  }, 120_000);
});
