// A migrated SQLite database seeded with a campaign whose respondents are at every stage, with the
// storage and outbox repositories open on it and a raw Prisma client to assert on stored rows.
import { openDatabase, openOutboxStore, type Database, type OutboxStore } from "../../../../src/db/index.js";
import { createPrismaClient, type Prisma } from "../../../../src/db/client.js";
import { parseDatabaseUrl } from "../../../../src/db/connection.js";
import { createEmptyDatabase, type EmptyDatabase } from "../../../support/db.js";

/** Where a seeded respondent stands. */
export type Stage = "not_redeemed" | "redeemed" | "in_progress" | "submitted" | "declined";

/** One respondent to seed; `chatId` is set for everyone who redeemed (they opened the bot). */
export interface SeedRespondent {
  readonly externalId: string;
  readonly name: string;
  readonly stage: Stage;
  readonly unit: string;
  readonly group?: string;
  readonly language?: string;
  readonly chatId?: string;
  readonly coordinator?: boolean;
}

/** A campaign to seed. */
export interface SeedCampaign {
  readonly id: string;
  readonly name: string;
  readonly opensAt: Date;
  readonly closesAt: Date;
  readonly closedAt?: Date;
  readonly settings?: Record<string, unknown>;
  readonly identified?: boolean;
}

/** The units every seeded campaign has. */
export const UNITS = [
  { code: "SO_TP", name: "Sở Tư pháp" },
  { code: "SO_YT", name: "Sở Y tế" },
  { code: "UB_HN", name: "UBND huyện Hòa Nam" },
] as const;

/** An open test database. */
export interface Fixture {
  readonly url: string;
  readonly db: Database;
  readonly store: OutboxStore;
  readonly prisma: Prisma;
  seed(campaign: SeedCampaign, respondents: readonly SeedRespondent[]): Promise<void>;
  dispose(): Promise<void>;
}

/** Opens a fresh migrated SQLite database. */
export async function openFixture(): Promise<Fixture> {
  const empty: EmptyDatabase = await createEmptyDatabase("sqlite");
  const db = await openDatabase(empty.url);
  const store = await openOutboxStore(empty.url, { migrate: false });
  const raw = createPrismaClient(parseDatabaseUrl(empty.url));
  const prisma = raw.prisma;
  return {
    url: empty.url,
    db,
    store,
    prisma,
    async seed(campaign, respondents) {
      const qv = await prisma.questionnaireVersion.upsert({
        where: { questionnaireId_version: { questionnaireId: "q", version: 1 } },
        create: { questionnaireId: "q", version: 1, fileName: "q.yaml", source: "x", sourceHash: "h" },
        update: {},
      });
      await prisma.campaign.create({
        data: {
          id: campaign.id,
          name: campaign.name,
          questionnaireVersionPk: qv.pk,
          opensAt: campaign.opensAt,
          closesAt: campaign.closesAt,
          closedAt: campaign.closedAt ?? null,
          identified: campaign.identified ?? false,
          settings: JSON.stringify(campaign.settings ?? {}),
        },
      });
      await prisma.unit.createMany({ data: UNITS.map((u) => ({ campaignId: campaign.id, ...u })) });
      for (const r of respondents) {
        const respondent = await prisma.respondent.create({
          data: {
            campaignId: campaign.id,
            externalId: r.externalId,
            fullName: r.name,
            unitCode: r.unit,
            groupId: r.group ?? "leaders",
            language: r.language ?? "vi",
            coordinator: r.coordinator ?? false,
          },
        });
        const bound = r.stage !== "not_redeemed";
        const chatId = r.chatId ?? null;
        const code = await prisma.accessCode.create({
          data: { campaignId: campaign.id, codeHash: `${campaign.id}-${r.externalId}`, respondentId: respondent.id, boundAccount: bound ? `telegram:${chatId}` : null, boundAt: bound ? campaign.opensAt : null },
        });
        if (!bound) continue;
        let responseId: string | null = null;
        if (r.stage !== "redeemed") {
          const response = await prisma.response.create({
            data: {
              campaignId: campaign.id,
              questionnaireVersionPk: qv.pk,
              respondentId: respondent.id,
              accessCodeId: code.id,
              subjectUnit: r.unit,
              groupId: r.group ?? "leaders",
              status: r.stage === "submitted" ? "submitted" : r.stage === "declined" ? "declined" : "in_progress",
              attestedAt: r.stage === "declined" ? null : campaign.opensAt,
            },
          });
          responseId = response.id;
        }
        if (chatId !== null) {
          await prisma.session.create({
            data: { campaignId: campaign.id, channel: "telegram", account: `telegram:${chatId}`, chatId, respondentId: respondent.id, accessCodeId: code.id, responseId, language: r.language ?? "vi" },
          });
        }
      }
    },
    async dispose() {
      await raw.close();
      await store.close();
      await db.close();
      await empty.drop();
    },
  };
}

/** Outbox rows as stored, oldest first. */
export async function outboxRows(prisma: Prisma) {
  return prisma.outboxMessage.findMany({ orderBy: { id: "asc" } });
}

/** Audit events of some kinds (all when none given), oldest first, with their data parsed. */
export async function auditEvents(prisma: Prisma, prefix = "") {
  const rows = await prisma.auditEvent.findMany({ orderBy: { id: "asc" } });
  return rows.filter((r) => r.kind.startsWith(prefix)).map((r) => ({ kind: r.kind, actor: r.actor, campaignId: r.campaignId, data: JSON.parse(r.data) as Record<string, unknown> }));
}
