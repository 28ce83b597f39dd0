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
