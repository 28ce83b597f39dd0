// Prisma implementation of CampaignRepository.
import type { Prisma } from "./client.js";
import type { CampaignRecord, CampaignRepository, QuestionnaireVersionRecord } from "./types.js";
import { parseJsonObject } from "./json.js";

type CampaignRow = Awaited<ReturnType<Prisma["campaign"]["findFirstOrThrow"]>> & {
  questionnaireVersion: { questionnaireId: string; version: number };
};

function toRecord(row: CampaignRow): CampaignRecord {
  return {
    id: row.id,
    name: row.name,
    questionnaireId: row.questionnaireVersion.questionnaireId,
    questionnaireVersion: row.questionnaireVersion.version,
    questionnaireVersionPk: row.questionnaireVersionPk,
    opensAt: row.opensAt,
    closesAt: row.closesAt,
    timeZone: row.timeZone,
    identified: row.identified,
    settings: parseJsonObject(row.settings),
    closedAt: row.closedAt,
    createdAt: row.createdAt,
  };
}

const withVersion = { questionnaireVersion: { select: { questionnaireId: true, version: true } } } as const;

/** Campaigns stored through Prisma. */
export function campaignRepository(prisma: Prisma): CampaignRepository {
  return {
    async storeQuestionnaireVersion(input) {
      const key = { questionnaireId_version: { questionnaireId: input.questionnaireId, version: input.version } };
      const existing = await prisma.questionnaireVersion.findUnique({ where: key });
      const judge = (stored: QuestionnaireVersionRecord) =>
        stored.sourceHash === input.sourceHash ? { ok: true as const, record: stored, reused: true } : { ok: false as const, stored };
      if (existing) return judge(existing);
      try {
        return { ok: true, record: await prisma.questionnaireVersion.create({ data: input }), reused: false };
      } catch (error) {
        // Another process stored the same id and version meanwhile: judge against theirs.
        const raced = await prisma.questionnaireVersion.findUnique({ where: key });
        if (raced) return judge(raced);
        throw error;
      }
    },
    async questionnaireVersion(pk) {
      return prisma.questionnaireVersion.findUnique({ where: { pk } });
    },
    async create(input) {
      const row = await prisma.campaign.create({
        data: { ...input, settings: JSON.stringify(input.settings ?? {}) },
        include: withVersion,
      });
      return toRecord(row);
    },
    async get(id) {
      const row = await prisma.campaign.findUnique({ where: { id }, include: withVersion });
      return row ? toRecord(row) : null;
    },
    async list() {
      const rows = await prisma.campaign.findMany({ include: withVersion, orderBy: [{ opensAt: "asc" }, { id: "asc" }] });
      return rows.map(toRecord);
    },
    async close(id, at) {
      await prisma.campaign.updateMany({ where: { id, closedAt: null }, data: { closedAt: at } });
      const row = await prisma.campaign.findUnique({ where: { id }, include: withVersion });
      return row ? toRecord(row) : null;
    },
    async updateSettings(id, patch) {
      return prisma.$transaction(async (tx) => {
        const row = await tx.campaign.findUnique({ where: { id }, select: { settings: true } });
        if (!row) return null;
        const settings = parseJsonObject(row.settings);
        for (const [key, value] of Object.entries(patch)) {
          if (value === null) delete settings[key];
          else settings[key] = value;
        }
        return toRecord(await tx.campaign.update({ where: { id }, data: { settings: JSON.stringify(settings) }, include: withVersion }));
      });
    },
  };
}
