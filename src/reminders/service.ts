// Deciding and queueing reminders. A tick looks at every open campaign with a schedule, takes the
// latest slot already due and, if that slot has no run yet, records the run and one outbox row per
// recipient in one transaction (the audience read and written page by page inside it): a slot
// missed while the bot was down is sent when it comes back (still before the close), and the unique
// run per campaign, offset ("1d") and close time means never twice: moving the time of day does not repeat a reminder, extending the deadline re-arms it.
import type { I18n } from "../i18n/index.js";
import { channelOfChat, type OutboxChannel } from "../outbox/channel.js";
import type { MessagingCampaign, MessagingRepository, OutboxMessageInput, Recipient, RecipientFilter, ReminderRunRecord } from "../outbox/types.js";
import { reminderMessage } from "./message.js";
import { dueSlot, parseReminderSchedule, reminderSlots } from "./schedule.js";

/** What a tick did for one campaign. */
export type TickOutcome =
  | { readonly campaignId: string; readonly result: "queued"; readonly run: ReminderRunRecord }
  | { readonly campaignId: string; readonly result: "already_ran"; readonly label: string }
  | { readonly campaignId: string; readonly result: "bad_schedule"; readonly error: string };

/** Who a reminder goes to: named respondents who opened the bot and have neither submitted nor declined. */
export function needsReminder(r: Recipient): boolean {
  return !r.submitted && !r.declined;
}

/** Reminders of all campaigns: the scheduled tick and the organiser's "remind now". */
export class ReminderService {
  constructor(
    private readonly repo: MessagingRepository,
    private readonly i18n: I18n,
  ) {}

  /** Queues the reminders due at `now`; campaigns with nothing due are left out of the result. */
  async tick(now: Date): Promise<TickOutcome[]> {
    const outcomes: TickOutcome[] = [];
    for (const campaign of await this.repo.campaignsWithReminders(now)) {
      const parsed = parseReminderSchedule(campaign.reminders ?? "");
      if (!parsed.ok) {
        outcomes.push({ campaignId: campaign.id, result: "bad_schedule", error: parsed.error });
        continue;
      }
      const slot = dueSlot(reminderSlots(parsed.schedule, campaign.closesAt, campaign.timeZone), now, campaign);
      if (!slot) continue;
      if (await this.repo.hasRun(campaign.id, slot.offset, campaign.closesAt)) continue;
      const scheduled = { slotAt: slot.at, label: slot.label, trigger: "scheduled", actor: null, offset: slot.offset, forClosesAt: campaign.closesAt } as const;
      const run = await this.queue(campaign, scheduled, now);
      outcomes.push(run ? { campaignId: campaign.id, result: "queued", run } : { campaignId: campaign.id, result: "already_ran", label: slot.label });
    }
    return outcomes;
  }

  /** How many respondents a reminder would reach now (for a preview before confirming); `filter` narrows to one unit or group. */
  async preview(campaignId: string, filter: RecipientFilter = {}): Promise<number> {
    let n = 0;
    for await (const page of this.repo.recipientPages(campaignId, filter)) n += page.filter(needsReminder).length;
    return n;
  }

  /** Queues a reminder now, outside the schedule (an organiser's request), to everyone or to one unit or group. Null if the campaign is unknown or closed. */
  async remindNow(campaignId: string, now: Date, actor: string | null, filter: RecipientFilter = {}): Promise<ReminderRunRecord | null> {
    const campaign = await this.repo.campaign(campaignId);
    if (!campaign || campaign.closedAt !== null || now.getTime() >= campaign.closesAt.getTime()) return null;
    return this.queue(campaign, { slotAt: now, label: filter.unitCode !== undefined ? `manual:${filter.unitCode}` : "manual", trigger: "manual", actor }, now, filter);
  }

  private async queue(
    campaign: MessagingCampaign,
    run: { slotAt: Date; label: string; trigger: "scheduled" | "manual"; actor: string | null; offset?: string; forClosesAt?: Date },
    now: Date,
    filter: RecipientFilter = {},
  ): Promise<ReminderRunRecord | null> {
    // The text depends only on the language and the channel (the campaign, deadline and `now` are
    // the run's): rendered once per pair, not once per recipient through i18next.
    const rendered = new Map<string, ReturnType<typeof reminderMessage>>();
    const messageFor = (language: string, channel: OutboxChannel) => {
      const key = `${channel}\u0000${language}`;
      let message = rendered.get(key);
      if (!message) {
        message = reminderMessage(this.i18n, { language, campaignId: campaign.id, campaignName: campaign.name, closesAt: campaign.closesAt, timeZone: campaign.timeZone, now, channel });
        rendered.set(key, message);
      }
      return message;
    };
    const repo = this.repo;
    // One page of the audience at a time (keyset-paged by the repository), so memory stays bounded
    // at national size; the repository writes each page's rows inside the run's one transaction.
    async function* build(runId: string): AsyncIterable<OutboxMessageInput[]> {
      for await (const page of repo.recipientPages(campaign.id, filter)) {
        const messages = page.filter(needsReminder).map((r): OutboxMessageInput => {
          const { text, replyMarkup } = messageFor(r.language, channelOfChat(r.chatId));
          return {
            kind: "reminder",
            campaignId: campaign.id,
            batchId: runId,
            respondentId: r.respondentId,
            chatId: r.chatId,
            dedupeKey: `reminder:${runId}:${r.respondentId}`,
            text,
            replyMarkup,
            notBefore: now,
          };
        });
        if (messages.length > 0) yield messages;
      }
    }
    return this.repo.recordReminderRun({ campaignId: campaign.id, ...run, ranAt: now }, build);
  }
}
