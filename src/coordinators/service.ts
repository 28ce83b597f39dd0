// Daily digests for unit coordinators. A tick (every minute, from the scheduler) looks at every open
// campaign; once the campaign's digest time has passed on the local date, it queues one outbox row per
// coordinator who has opened the bot, on the channel they use (Telegram, or Zalo as `zalo:<chat>`). The dedupe key holds the local date, so a digest is queued at
// most once a day, also across restarts and instances; one missed while the bot was down goes out
// when it comes back, the same day.
import type { CampaignRecord, ParticipationRepository, RespondentRepository, RespondentStatus } from "../db/index.js";
import type { I18n } from "../i18n/index.js";
import type { MessagingRepository, OutboxMessageInput, OutboxRepository, Recipient } from "../outbox/types.js";
import { sumStatus } from "../participation/index.js";
import { channelOfChat } from "../outbox/channel.js";
import { digestText, MAX_DIGEST_CHARS, MAX_ZALO_DIGEST_CHARS } from "./digest.js";
import { coordinatorSettings } from "./settings.js";

/** What the digest service reads and writes. */
export interface DigestDeps {
  readonly campaigns: { list(): Promise<readonly CampaignRecord[]> };
  readonly respondents: Pick<RespondentRepository, "coordinators" | "units">;
  readonly participation: Pick<ParticipationRepository, "statusCounts" | "pendingOfUnit">;
  readonly messaging: Pick<MessagingRepository, "recipientPages">;
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

  /**
   * Builds the digests of one campaign for one local date and queues them (idempotent per date).
   * Counts come from the database per unit; names (when the campaign allows them) are read per
   * coordinator's unit; the coordinators' chats come from the keyset-paged recipients.
   */
  async queue(campaign: CampaignRecord, now: Date, date: string): Promise<DigestOutcome | undefined> {
    const coordinators = await this.deps.respondents.coordinators(campaign.id);
    if (coordinators.length === 0) return undefined;
    const { seeNames } = coordinatorSettings(campaign.settings);
    const wanted = new Set(coordinators.map((c) => c.id));
    const chats = new Map<string, Recipient>();
    for await (const page of this.deps.messaging.recipientPages(campaign.id)) for (const r of page) if (wanted.has(r.respondentId)) chats.set(r.respondentId, r);
    const [counts, units] = await Promise.all([this.deps.participation.statusCounts(campaign.id), this.deps.respondents.units(campaign.id)]);
    const unitNames = new Map(units.map((u) => [u.code, u.name]));
    const pendingByUnit = new Map<string, { name: string; status: Exclude<RespondentStatus, "submitted"> }[]>();
    const messages: OutboxMessageInput[] = [];
    for (const coordinator of coordinators) {
      const chat = chats.get(coordinator.id);
      if (!chat) continue;
      let pending: { name: string; status: Exclude<RespondentStatus, "submitted"> }[] | undefined;
      if (seeNames) {
        pending = pendingByUnit.get(coordinator.unitCode);
        if (!pending) {
          pending = (await this.deps.participation.pendingOfUnit(campaign.id, coordinator.unitCode)).sort((a, b) => a.name.localeCompare(b.name, "vi"));
          pendingByUnit.set(coordinator.unitCode, pending);
        }
      }
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
          counts: sumStatus(counts.filter((c) => c.unitCode === coordinator.unitCode)),
          ...(pending ? { pending } : {}),
          // On Zalo (chat `zalo:<id>`) the digest is still one message, so a shorter one.
          maxChars: channelOfChat(chat.chatId) === "zalo" ? MAX_ZALO_DIGEST_CHARS : MAX_DIGEST_CHARS,
        }),
        notBefore: now,
      });
    }
    const result = messages.length > 0 ? await this.deps.outbox.enqueue(messages) : { queued: 0, duplicate: 0, unreachable: 0 };
    return { campaignId: campaign.id, date, queued: result.queued, duplicate: result.duplicate, unreachable: coordinators.length - messages.length + result.unreachable };
  }
}
