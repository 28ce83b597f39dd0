import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createHash } from "node:crypto";
import { expect, test } from "vitest";
import { campaignQuestionnaire, createCampaign } from "../../src/campaigns/index.js";
import { describeDatabases } from "../support/db.js";

const PAR = "examples/par-officials.yaml";
const base = { questionnaireFile: PAR, name: "PAR 2026", opens: "2026-12-01T08:00", closes: "2026-12-31" };

describeDatabases("campaign create", (ctx) => {
  test("stores the questionnaire as loaded, with its hash, and the campaign", async () => {
    const created = await createCampaign(ctx.db().campaigns, base);
    expect(created.campaign.id).toMatch(/^c-[a-z2-9]{8}$/);
    expect(created.questionnaireReused).toBe(false);
    const versions = await ctx.prisma().questionnaireVersion.findMany();
    const bytes = readFileSync(PAR);
    expect(versions).toHaveLength(1);
    expect(versions[0]).toMatchObject({
      questionnaireId: "par-officials",
      version: created.questionnaire.version,
      fileName: "par-officials.yaml",
      source: bytes.toString("utf8"),
      sourceHash: createHash("sha256").update(bytes).digest("hex"),
    });
    const row = await ctx.prisma().campaign.findUniqueOrThrow({ where: { id: created.campaign.id } });
    expect(row).toMatchObject({
      name: "PAR 2026",
      questionnaireVersionPk: versions[0]!.pk,
      opensAt: new Date("2026-12-01T01:00:00Z"),
      closesAt: new Date("2026-12-31T17:00:00Z"),
      timeZone: "Asia/Ho_Chi_Minh",
      identified: false,
      closedAt: null,
    });
    expect((await campaignQuestionnaire(ctx.db().campaigns, created.campaign)).id).toBe("par-officials");
  });

  test("the same file again reuses the stored version", async () => {
    const again = await createCampaign(ctx.db().campaigns, { ...base, name: "PAR 2026 (second round)", identified: true, timeZone: "UTC" });
    expect(again.questionnaireReused).toBe(true);
    expect(await ctx.prisma().questionnaireVersion.count()).toBe(1);
    expect(await ctx.prisma().campaign.count()).toBe(2);
    expect(again.campaign).toMatchObject({ identified: true, timeZone: "UTC", opensAt: new Date("2026-12-01T08:00:00Z") });
  });

  test("a different file under the same id and version is refused: bump version", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "khaosat-q-"));
    const changed = path.join(dir, "par-changed.yaml");
    writeFileSync(changed, readFileSync(PAR, "utf8").replace("Phiếu", "Phieu"));
    await expect(createCampaign(ctx.db().campaigns, { ...base, questionnaireFile: changed })).rejects.toThrow(
      new RegExp(`^questionnaire par-officials version \\d+ is already stored from a different file \\(par-officials\\.yaml, loaded .*\\); a changed questionnaire needs a new version: bump version in ${changed.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`),
    );
    expect(await ctx.prisma().campaign.count()).toBe(2);
  });

  test.each([
    [{ name: "  " }, "--name must not be empty"],
    [{ timeZone: "Asia/Hanoi_City" }, '--timezone "Asia/Hanoi_City" is not a known time zone; use an IANA name such as Asia/Ho_Chi_Minh'],
    [{ opens: "1/12/2026" }, '--opens "1/12/2026" is not an ISO 8601 time; use e.g. 2026-12-01T08:00 (in Asia/Ho_Chi_Minh) or 2026-12-01T08:00+07:00'],
    [{ closes: "2026-11-30" }, "--closes (01/12/2026 00:00) must be after --opens (01/12/2026 08:00)"],
    [{ questionnaireFile: "nope.yaml" }, "cannot read the questionnaire nope.yaml: no such file"],
  ])("refuses %j", async (change, message) => {
    await expect(createCampaign(ctx.db().campaigns, { ...base, ...change })).rejects.toThrow(message);
  });

  test("close records the first close time only", async () => {
    const { campaign } = await createCampaign(ctx.db().campaigns, base);
    const first = await ctx.db().campaigns.close(campaign.id, new Date("2026-12-05T00:00:00Z"));
    const second = await ctx.db().campaigns.close(campaign.id, new Date("2026-12-06T00:00:00Z"));
    expect(first?.closedAt).toEqual(new Date("2026-12-05T00:00:00Z"));
    expect(second?.closedAt).toEqual(new Date("2026-12-05T00:00:00Z"));
    expect((await ctx.prisma().campaign.findUniqueOrThrow({ where: { id: campaign.id } })).closedAt).toEqual(new Date("2026-12-05T00:00:00Z"));
    expect(await ctx.db().campaigns.close("c-missing", new Date())).toBeNull();
  });
});
