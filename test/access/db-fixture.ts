// Minimal campaign data written straight through Prisma, so access tests do not depend on the
// campaign and import commands.
import type { Prisma } from "../../src/db/client.js";

/** A respondent row for `seedCampaign`. */
export interface SeedRespondent {
  readonly id: string;
  readonly externalId: string;
  readonly fullName: string;
  readonly unitCode: string;
}

/** Creates a questionnaire version, campaign `campaignId` (open March 2025), its units and respondents. */
export async function seedCampaign(
  prisma: Prisma,
  campaignId: string,
  units: readonly { code: string; name: string }[],
  respondents: readonly SeedRespondent[],
): Promise<void> {
  const version = await prisma.questionnaireVersion.upsert({
    where: { questionnaireId_version: { questionnaireId: "par", version: 1 } },
    update: {},
    create: { questionnaireId: "par", version: 1, fileName: "par.yaml", source: "x", sourceHash: "h" },
  });
  await prisma.campaign.create({
    data: {
      id: campaignId,
      name: `PAR 2025 ${campaignId}`,
      questionnaireVersionPk: version.pk,
      opensAt: new Date("2025-03-01T00:00:00Z"),
      closesAt: new Date("2025-04-01T00:00:00Z"),
    },
  });
  for (const unit of units) await prisma.unit.create({ data: { campaignId, ...unit } });
  for (const r of respondents) {
    await prisma.respondent.create({ data: { ...r, campaignId, groupId: "leaders", language: "vi" } });
  }
}
