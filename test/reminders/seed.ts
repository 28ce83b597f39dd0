// Seeds a campaign whose respondents are at every stage: not redeemed, opened the bot, in progress,
// submitted, declined, anonymous.
import { createPrismaClient } from "../../src/db/client.js";
import { parseDatabaseUrl } from "../../src/db/connection.js";

/** Respondent stages the seed can create. */
export type Stage = "not_redeemed" | "redeemed" | "in_progress" | "submitted" | "declined" | "no_session";

/** One respondent to seed. */
export interface SeedRespondent {
  readonly externalId: string;
  readonly stage: Stage;
  readonly language?: string;
  readonly unit?: string;
  readonly group?: string;
  readonly chatId?: string;
  /** The session's channel (default telegram). */
  readonly channel?: "telegram" | "zalo";
  readonly name?: string;
  readonly coordinator?: boolean;
}

/** Creates a campaign and its respondents directly through Prisma. */
export async function seedCampaign(
  url: string,
  campaign: { id: string; name?: string; opensAt: Date; closesAt: Date; timeZone?: string; reminders?: string; closedAt?: Date; settings?: Record<string, unknown> },
  respondents: readonly SeedRespondent[],
): Promise<void> {
  const { prisma, close } = createPrismaClient(parseDatabaseUrl(url));
  try {
    const qv = await prisma.questionnaireVersion.upsert({
      where: { questionnaireId_version: { questionnaireId: "q", version: 1 } },
      create: { questionnaireId: "q", version: 1, fileName: "q.yaml", source: "x", sourceHash: "h" },
      update: {},
    });
    await prisma.campaign.create({
      data: {
        id: campaign.id,
        name: campaign.name ?? `Campaign ${campaign.id}`,
        questionnaireVersionPk: qv.pk,
        opensAt: campaign.opensAt,
        closesAt: campaign.closesAt,
        timeZone: campaign.timeZone ?? "Asia/Ho_Chi_Minh",
        settings: JSON.stringify({ ...campaign.settings, ...(campaign.reminders ? { reminders: campaign.reminders } : {}) }),
        closedAt: campaign.closedAt ?? null,
      },
    });
    await prisma.unit.createMany({ data: ["U1", "U2"].map((code) => ({ campaignId: campaign.id, code, name: code })) });
    let n = 0;
    for (const r of respondents) {
      n++;
      const resp = await prisma.respondent.create({
        data: { campaignId: campaign.id, externalId: r.externalId, fullName: r.name ?? `R ${r.externalId}`, unitCode: r.unit ?? "U1", groupId: r.group ?? "g1", language: r.language ?? "vi", coordinator: r.coordinator ?? false },
      });
      const chatId = r.chatId ?? String(100000 + n);
      const bound = r.stage !== "not_redeemed";
      const code = await prisma.accessCode.create({
        data: { campaignId: campaign.id, codeHash: `${campaign.id}-${r.externalId}`, respondentId: resp.id, boundAccount: bound ? `acct-${chatId}` : null, boundAt: bound ? campaign.opensAt : null },
      });
      if (!bound || r.stage === "no_session") continue;
      let responseId: string | null = null;
      if (r.stage !== "redeemed") {
        const status = r.stage === "submitted" ? "submitted" : r.stage === "declined" ? "declined" : "in_progress";
        const response = await prisma.response.create({
          data: { campaignId: campaign.id, questionnaireVersionPk: qv.pk, respondentId: resp.id, accessCodeId: code.id, subjectUnit: resp.unitCode, groupId: resp.groupId, status },
        });
        responseId = response.id;
      }
      await prisma.session.create({
        data: { campaignId: campaign.id, channel: r.channel ?? "telegram", account: `acct-${chatId}`, chatId, respondentId: resp.id, accessCodeId: code.id, responseId, language: r.language ?? null },
      });
    }
  } finally {
    await close();
  }
}
