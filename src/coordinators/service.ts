// Daily digests for unit coordinators. A tick (every minute, from the scheduler) looks at every open
// campaign; once the campaign's digest time has passed on the local date, it queues one outbox row per
// coordinator who has opened the bot. The dedupe key holds the local date, so a digest is queued at
// most once a day, also across restarts and instances; one missed while the bot was down goes out
// when it comes back, the same day.
import type { CampaignRecord, ParticipationRepository, RespondentRepository } from "../db/index.js";
import type { I18n } from "../i18n/index.js";
import type { MessagingRepository, OutboxMessageInput, OutboxRepository } from "../outbox/types.js";
import { respondentStatus, statusCounts } from "../participation/index.js";
import { digestText } from "./digest.js";
import { coordinatorSettings } from "./settings.js";

/** What the digest service reads and writes. */
export interface DigestDeps {
  readonly campaigns: { list(): Promise<readonly CampaignRecord[]> };
  readonly respondents: Pick<RespondentRepository, "list" | "units">;
  readonly participation: ParticipationRepository;
  readonly messaging: Pick<MessagingRepository, "recipients">;
  readonly outbox: Pick<OutboxRepository, "enqueue">;
  readonly i18n: I18n;
}

/** What a tick did for one campaign. */
export interface DigestOutcome {
  readonly campaignId: string;
  /** The campaign's local date the digests are for, `YYYY-MM-DD`. */
  readonly date: string;
  readonly queued: number;
  /** Already queued today (another tick or instance). */
  readonly duplicate: number;
  /** Coordinators who have not opened the bot (or whose chat is unreachable): nothing can reach them. */
  readonly unreachable: number;
}

/** Local date and time of `at` in a time zone: `{ date: "2026-11-10", time: "17:00" }`. */
export function localDateTime(at: Date, timeZone: string): { date: string; time: string } {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "00";
  return { date: `${get("year")}-${get("month")}-${get("day")}`, time: `${get("hour")}:${get("minute")}` };
}

/** The dedupe key of one coordinator's digest on one local date. */
export function digestKey(campaignId: string, respondentId: string, date: string): string {
  return `digest:${campaignId}:${respondentId}:${date}`;
}

/** Builds and queues the coordinators' daily digests. */
export class DigestService {
  // Campaign and date pairs already done by this process: spares recomputing the report every minute.
  readonly #done = new Set<string>();

  constructor(private readonly deps: DigestDeps) {}

  /** Queues the digests due at `now`; campaigns with nothing due are left out. */
  async tick(now: Date): Promise<DigestOutcome[]> {
    const outcomes: DigestOutcome[] = [];
    for (const campaign of await this.deps.campaigns.list()) {
      if (campaign.closedAt !== null || now < campaign.opensAt || now >= campaign.closesAt) continue;
      const settings = coordinatorSettings(campaign.settings);
      const local = localDateTime(now, campaign.timeZone);
      // HH:MM strings compare in time order.
      if (local.time < settings.digestAt || this.#done.has(`${campaign.id}\u0000${local.date}`)) continue;
      const outcome = await this.queue(campaign, now, local.date);
      if (outcome) outcomes.push(outcome);
      this.#done.add(`${campaign.id}\u0000${local.date}`);
    }
    return outcomes;
  }

  /** Builds the digests of one campaign for one local date and queues them (idempotent per date). */
  async queue(campaign: CampaignRecord, now: Date, date: string): Promise<DigestOutcome | undefined> {
    const respondents = await this.deps.respondents.list(campaign.id);
    const coordinators = respondents.filter((r) => r.coordinator);
    if (coordinators.length === 0) return undefined;
    const { seeNames } = coordinatorSettings(campaign.settings);
    const [facts, units, recipients] = await Promise.all([
      this.deps.participation.facts(campaign.id),
      this.deps.respondents.units(campaign.id),
      this.deps.messaging.recipients(campaign.id),
    ]);
    const unitNames = new Map(units.map((u) => [u.code, u.name]));
    const names = new Map(respondents.map((r) => [r.id, r.fullName]));
    const chats = new Map(recipients.map((r) => [r.respondentId, r]));
    const messages: OutboxMessageInput[] = [];
    for (const coordinator of coordinators) {
      const chat = chats.get(coordinator.id);
      if (!chat) continue;
      const unitFacts = facts.filter((f) => f.unitCode === coordinator.unitCode);
      const pending = seeNames
        ? unitFacts
            .map((f) => ({ name: names.get(f.respondentId) ?? "", status: respondentStatus(f) }))
            .filter((p): p is { name: string; status: Exclude<typeof p.status, "submitted"> } => p.status !== "submitted")
            .sort((a, b) => a.name.localeCompare(b.name, "vi"))
        : undefined;
      const t = this.deps.i18n.getFixedT(chat.language);
      messages.push({
        kind: "digest",
        campaignId: campaign.id,
        batchId: `digest:${campaign.id}:${date}`,
        respondentId: coordinator.id,
        chatId: chat.chatId,
        dedupeKey: digestKey(campaign.id, coordinator.id, date),
        text: digestText(t, {
          language: chat.language,
          campaignName: campaign.name,
          unitName: unitNames.get(coordinator.unitCode) ?? coordinator.unitCode,
          timeZone: campaign.timeZone,
          now,
          closesAt: campaign.closesAt,
          counts: statusCounts(unitFacts),
          ...(pending ? { pending } : {}),
        }),
        notBefore: now,
      });
    }
    const result = messages.length > 0 ? await this.deps.outbox.enqueue(messages) : { queued: 0, duplicate: 0, unreachable: 0 };
    return { campaignId: campaign.id, date, queued: result.queued, duplicate: result.duplicate, unreachable: coordinators.length - messages.length + result.unreachable };
  }
}
