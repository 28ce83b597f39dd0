import { readFileSync } from "node:fs";
import { expect, test } from "vitest";
import { campaignScoringInput, createCampaign, exportCampaignResponses, importCampaignResponses } from "../../src/campaigns/index.js";
import { scoreUnits } from "../../src/scoring/index.js";
import { parseAppraisalCsv } from "../../src/scoring/io/index.js";
import { describeDatabases } from "../support/db.js";

const FIXTURE = "test/fixtures/scoring/points-appraisal";
const now = new Date("2027-01-05T00:00:00Z");

describeDatabases("campaign responses", (ctx) => {
  let campaignId = "";
  const campaign = async () => (await ctx.db().campaigns.get(campaignId))!;

  test("import stores every row as a submitted response with its answers", async () => {
    campaignId = (await createCampaign(ctx.db().campaigns, { questionnaireFile: `${FIXTURE}/questionnaire.yaml`, name: "fixture", opens: "2026-01-01", closes: "2026-12-31" })).campaign.id;
    const source = readFileSync(`${FIXTURE}/responses.csv`);
    const report = await importCampaignResponses(ctx.db(), await campaign(), source, { now });
    const lines = source.toString("utf8").trim().split("\n").length - 1;
    expect(report).toMatchObject({ imported: true, errors: [], rejected: [], counts: { created: lines, updated: 0, unchanged: 0 } });
    expect(await ctx.prisma().response.count({ where: { campaignId, status: "submitted", source: "import" } })).toBe(lines);
    expect(await ctx.prisma().answer.count({ where: { response: { campaignId } } })).toBeGreaterThan(0);
  });

  test("export gives back the same file but the small cell; re-importing it changes nothing", async () => {
    const { csv, count, withheld } = await exportCampaignResponses(ctx.db(), await campaign());
    const original = readFileSync(`${FIXTURE}/responses.csv`, "utf8").trim().split("\n");
    // SO_YT/all has one response under minResponses 2: withheld from a named campaign's export.
    expect([count, withheld]).toEqual([original.length - 2, 1]);
    // The export adds the channel column after the fixed ones: these rows were imported from a file.
    const withChannel = (line: string, channel: string) => line.split(",").toSpliced(5, 0, channel).join(",");
    expect(csv.trim().split("\n").slice(1)).toEqual(original.slice(1).filter((l) => !l.split(",")[1]!.startsWith("SO_YT")).map((l) => withChannel(l, "import")));
    expect(csv.trim().split("\n")[0]).toBe(withChannel(original[0]!, "channel"));
    const again = await importCampaignResponses(ctx.db(), await campaign(), new TextEncoder().encode(csv), { now });
    expect(again.counts).toEqual({ created: 0, updated: 0, unchanged: count });
  });

  test("a campaign's export read back names the bot's responses: unchanged, never counted twice; a changed answer is refused", async () => {
    // A response collected on Zalo, with the answers of an imported one (same questionnaire).
    const model = await ctx.prisma().response.findFirstOrThrow({ where: { campaignId, source: "import", subjectUnit: { not: "SO_YT" } }, include: { answers: true } });
    const id = "5f3753bc-zalo-session:" + model.subjectUnit;
    await ctx.prisma().response.create({
      data: {
        id, campaignId, questionnaireVersionPk: model.questionnaireVersionPk, source: "zalo", subjectUnit: model.subjectUnit, groupId: model.groupId, status: "submitted",
        startedAt: new Date("2026-06-01T01:02:03.456Z"), submittedAt: new Date("2026-06-01T01:20:00.789Z"),
        answers: { create: model.answers.map((a) => ({ questionId: a.questionId, value: a.value, answeredAt: a.answeredAt })) },
      },
    });
    const before = await ctx.prisma().response.count({ where: { campaignId } });
    const { csv, count } = await exportCampaignResponses(ctx.db(), await campaign());
    const row = csv.split("\n").find((l) => l.startsWith(`${id},`))!;
    expect(row.split(",")[5]).toBe("zalo");
    const again = await importCampaignResponses(ctx.db(), await campaign(), new TextEncoder().encode(csv), { now });
    expect(again).toMatchObject({ imported: true, counts: { created: 0, updated: 0, unchanged: count } });
    expect(await ctx.prisma().response.count({ where: { campaignId } })).toBe(before);
    expect((await ctx.prisma().response.findUniqueOrThrow({ where: { id } })).source).toBe("zalo");

    // The same row with one answer changed: nothing imported, the bot's response as it was.
    const cells = row.split(",");
    // q1 (a single choice, options a and b) follows the channel column.
    cells[6] = cells[6] === "a" ? "b" : "a";
    const changed = csv.replace(row, cells.join(","));
    const refused = await importCampaignResponses(ctx.db(), await campaign(), new TextEncoder().encode(changed), { now });
    expect(refused.imported).toBe(false);
    expect(refused.errors.map((e) => e.message)).toEqual([
      `response_id "${id}" is a response collected through zalo in this campaign, and this row's answers differ from it: a file cannot change what a respondent answered; remove the row (or give a paper form a response_id of its own)`,
    ]);
    expect(await ctx.prisma().response.count({ where: { campaignId } })).toBe(before);
    const stored = await ctx.prisma().answer.findMany({ where: { responseId: id }, orderBy: { questionId: "asc" } });
    expect(stored.map((a) => [a.questionId, a.value])).toEqual(model.answers.map((a) => [a.questionId, a.value]).sort(([a], [b]) => (a! < b! ? -1 : 1)));
    await ctx.prisma().response.delete({ where: { id } });
  });

  test("a rejected row imports nothing", async () => {
    const header = readFileSync(`${FIXTURE}/responses.csv`, "utf8").split("\n")[0]!;
    const report = await importCampaignResponses(ctx.db(), await campaign(), new TextEncoder().encode(`${header}\nbad1,,,,\n`), { now });
    expect(report.imported).toBe(false);
    expect(report.rejected[0]?.line).toBe(2);
    expect(await ctx.prisma().response.count({ where: { campaignId, externalId: "bad1" } })).toBe(0);
  });

  test("scoring the campaign gives the fixture's expected units", async () => {
    const appraisal = parseAppraisalCsv(readFileSync(`${FIXTURE}/appraisal.csv`));
    if (appraisal.errors.length > 0) throw new Error("fixture appraisal does not parse");
    // SO_KH has an appraisal row but no responses: in campaign mode it is not a unit of the campaign.
    const points = new Map([...appraisal.points].filter(([unit]) => unit !== "SO_KH"));
    const input = await campaignScoringInput(ctx.db(), await campaign(), points);
    const expected = JSON.parse(readFileSync(`${FIXTURE}/expected.json`, "utf8")) as { units: unknown[]; excluded: { unit: string }[] };
    const outcome = scoreUnits(input);
    if (!outcome.ok) throw new Error(`scoring failed: ${JSON.stringify(outcome)}`);
    expect(outcome.report.units).toEqual(expected.units);
    expect(outcome.report.excluded).toEqual(expected.excluded.filter((e) => e.unit !== "SO_KH"));
  });
});
