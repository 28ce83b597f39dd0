import { describe, expect, test } from "vitest";
import type { ParticipationFact } from "../../src/db/index.js";
import { createCampaign } from "../../src/campaigns/index.js";
import { buildParticipation, loadParticipation, participationCsv, participationTable, respondentStatus, statusCounts } from "../../src/participation/index.js";
import { describeDatabases } from "../support/db.js";

const none = { total: 0, telegram: 0, zalo: 0, console: 0, import: 0 };
const fact = (over: Partial<ParticipationFact>): ParticipationFact => ({
  respondentId: "r",
  unitCode: "SO_TP",
  groupId: "leaders",
  redeemed: false,
  attested: false,
  declined: false,
  submittedResponses: 0,
  expectedResponses: 1,
  startedResponses: 0,
  ...over,
});

describe("respondentStatus", () => {
  test.each([
    [{}, "not_redeemed"],
    [{ redeemed: true }, "redeemed"],
    [{ redeemed: true, declined: true }, "declined"],
    [{ redeemed: true, attested: true }, "in_progress"],
    [{ redeemed: true, attested: true, startedResponses: 1 }, "in_progress"],
    [{ redeemed: true, attested: true, submittedResponses: 1 }, "submitted"],
    [{ redeemed: true, attested: true, submittedResponses: 1, expectedResponses: 2 }, "in_progress"],
    [{ redeemed: true, attested: true, submittedResponses: 2, expectedResponses: 2 }, "submitted"],
  ] as const)("%j → %s", (over, status) => {
    expect(respondentStatus(fact(over))).toBe(status);
  });
});

describe("buildParticipation", () => {
  const facts = [
    fact({ unitCode: "SO_TP", groupId: "leaders", redeemed: true, attested: true, submittedResponses: 1 }),
    fact({ unitCode: "SO_TP", groupId: "leaders", redeemed: true, attested: true }),
    fact({ unitCode: "SO_TP", groupId: "leaders" }),
    fact({ unitCode: "SO_TC", groupId: "officials", redeemed: true }),
    fact({ unitCode: "SO_TP", groupId: "officials", redeemed: true, attested: true, submittedResponses: 1 }),
  ];
  const report = buildParticipation("c-1", facts, [
    { code: "SO_TP", name: "Sở Tư pháp", parentCode: null },
    { code: "SO_TC", name: "Sở Tài chính", parentCode: null },
  ]);

  test("rows per unit and group, sorted, with rates and totals", () => {
    expect(report).toEqual({
      campaignId: "c-1",
      rows: [
        { unit: "SO_TC", unitName: "Sở Tài chính", group: "officials", sampled: 1, redeemed: 1, attested: 0, inProgress: 0, submitted: 0, rate: 0, responses: none },
        { unit: "SO_TP", unitName: "Sở Tư pháp", group: "leaders", sampled: 3, redeemed: 2, attested: 2, inProgress: 1, submitted: 1, rate: 33.3, responses: none },
        { unit: "SO_TP", unitName: "Sở Tư pháp", group: "officials", sampled: 1, redeemed: 1, attested: 1, inProgress: 0, submitted: 1, rate: 100, responses: none },
      ],
      totals: { sampled: 5, redeemed: 4, attested: 3, inProgress: 1, submitted: 2, rate: 40, responses: none },
    });
    expect(statusCounts(facts)).toEqual({ not_redeemed: 1, redeemed: 1, declined: 0, in_progress: 1, submitted: 2 });
  });

  test("CSV and table output", () => {
    expect(participationCsv(report)).toBe(
      [
        "unit,unit_name,group,sampled,redeemed,attested,in_progress,submitted,submission_rate,responses,responses_telegram,responses_zalo,responses_console,responses_import",
        "SO_TC,Sở Tài chính,officials,1,1,0,0,0,0,0,0,0,0,0",
        "SO_TP,Sở Tư pháp,leaders,3,2,2,1,1,33.3,0,0,0,0,0",
        "SO_TP,Sở Tư pháp,officials,1,1,1,0,1,100,0,0,0,0,0",
        "TOTAL,,,5,4,3,1,2,40,0,0,0,0,0",
        "",
      ].join("\n"),
    );
    expect(participationTable(report)).toBe(
      [
        "unit   name          group      sampled  redeemed  attested  in progress  submitted    rate  responses  telegram  zalo  console  import",
        "-----  ------------  ---------  -------  --------  --------  -----------  ---------  ------  ---------  --------  ----  -------  ------",
        "SO_TC  Sở Tài chính  officials        1         1         0            0          0    0.0%          0         0     0        0       0",
        "SO_TP  Sở Tư pháp    leaders          3         2         2            1          1   33.3%          0         0     0        0       0",
        "SO_TP  Sở Tư pháp    officials        1         1         1            0          1  100.0%          0         0     0        0       0",
        "-----  ------------  ---------  -------  --------  --------  -----------  ---------  ------  ---------  --------  ----  -------  ------",
        "TOTAL                                 5         4         3            1          2   40.0%          0         0     0        0       0",
        "",
      ].join("\n"),
    );
  });

  test("the last reminder is shown in the campaign's time zone, not UTC", () => {
    const reminders = { lastReminderAt: new Date("2026-12-24T17:30:05Z"), unreachable: 2 };
    const withReminders = buildParticipation("c-1", [], [], reminders);
    const tail = (timeZone?: string) => participationTable(withReminders, timeZone ? { timeZone } : {}).split("\n").slice(-3);
    // 17:30 UTC on the 24th is already the 25th in Hà Nội.
    expect(tail("Asia/Ho_Chi_Minh")).toEqual(["last reminder: 25/12/2026 00:30 (Asia/Ho_Chi_Minh)", "unreachable (blocked the bot or deactivated): 2", ""]);
    expect(tail("Europe/Paris")).toEqual(["last reminder: 24/12/2026 18:30 (Europe/Paris)", "unreachable (blocked the bot or deactivated): 2", ""]);
    expect(tail()).toEqual(["last reminder: 25/12/2026 00:30 (Asia/Ho_Chi_Minh)", "unreachable (blocked the bot or deactivated): 2", ""]);
    expect(participationTable(buildParticipation("c-1", [], [], { lastReminderAt: null, unreachable: 0 })).split("\n").at(-3)).toBe("last reminder: none yet");
  });
});

describeDatabases("participation facts", (ctx) => {
  test("read from codes and responses", async () => {
    const { campaign } = await createCampaign(ctx.db().campaigns, { questionnaireFile: "examples/par-officials.yaml", name: "PAR", opens: "2026-12-01", closes: "2026-12-31" });
    await ctx.db().respondents.importRespondents(campaign.id, [
      { externalId: "E1", fullName: "An", unitCode: "SO_TP", unitName: "Sở Tư pháp", groupId: "leaders", language: "vi", phone: null, email: null, subjectUnits: [], coordinator: false },
      { externalId: "E2", fullName: "Bình", unitCode: "SO_TP", unitName: "Sở Tư pháp", groupId: "leaders", language: "vi", phone: null, email: null, subjectUnits: ["SO_TP", "SO_TC"], coordinator: false },
      { externalId: "E3", fullName: "Cường", unitCode: "SO_TC", unitName: "Sở Tài chính", groupId: "officials", language: "vi", phone: null, email: null, subjectUnits: [], coordinator: false },
    ]);
    const p = ctx.prisma();
    const [e1, e2] = await Promise.all(["E1", "E2"].map((externalId) => p.respondent.findFirstOrThrow({ where: { campaignId: campaign.id, externalId } })));
    await p.accessCode.create({ data: { campaignId: campaign.id, codeHash: `h1-${campaign.id}`, respondentId: e1!.id, boundAccount: "tg:1", boundAt: new Date() } });
    await p.accessCode.create({ data: { campaignId: campaign.id, codeHash: `h2-${campaign.id}`, respondentId: e2!.id, boundAccount: "tg:2", boundAt: new Date() } });
    const base = { campaignId: campaign.id, questionnaireVersionPk: campaign.questionnaireVersionPk, groupId: "leaders" };
    await p.response.create({ data: { ...base, respondentId: e1!.id, subjectUnit: "SO_TP", status: "submitted", attestedAt: new Date(), submittedAt: new Date() } });
    await p.response.create({ data: { ...base, respondentId: e2!.id, subjectUnit: "SO_TP", status: "submitted", attestedAt: new Date(), submittedAt: new Date() } });
    await p.response.create({ data: { ...base, respondentId: e2!.id, subjectUnit: "SO_TC", status: "in_progress", attestedAt: new Date() } });
    // Paper forms typed in (imported: no respondent) and a legacy 'bot' row count as responses of their channel.
    await p.response.create({ data: { ...base, subjectUnit: "SO_TP", status: "submitted", source: "import", externalId: "P1", submittedAt: new Date() } });
    await p.response.create({ data: { ...base, subjectUnit: "SO_XD", status: "submitted", source: "import", externalId: "P2", submittedAt: new Date() } });
    await p.response.update({ where: { id: (await p.response.findFirstOrThrow({ where: { respondentId: e1!.id } })).id }, data: { source: "bot" } });
    const fromFacts = buildParticipation(campaign.id, await ctx.db().participation.facts(campaign.id), await ctx.db().respondents.units(campaign.id));
    const report = await loadParticipation(ctx.db(), campaign.id);
    const channels = (telegram: number, imported: number) => ({ ...none, total: telegram + imported, telegram, import: imported });
    expect(report.rows).toEqual([
      { unit: "SO_TC", unitName: "Sở Tài chính", group: "officials", sampled: 1, redeemed: 0, attested: 0, inProgress: 0, submitted: 0, rate: 0, responses: none },
      { unit: "SO_TP", unitName: "Sở Tư pháp", group: "leaders", sampled: 2, redeemed: 2, attested: 2, inProgress: 1, submitted: 1, rate: 50, responses: channels(2, 1) },
      { unit: "SO_XD", unitName: "SO_XD", group: "leaders", sampled: 0, redeemed: 0, attested: 0, inProgress: 0, submitted: 0, rate: null, responses: channels(0, 1) },
    ]);
    expect(report.totals.responses).toEqual(channels(2, 2));
    // The per-respondent facts agree with the database's counts.
    expect(fromFacts.rows.map(({ responses: _, ...r }) => r)).toEqual(report.rows.filter((r) => r.sampled > 0).map(({ responses: _, ...r }) => r));
  });
});
