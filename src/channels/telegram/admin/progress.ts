// Progress of running broadcasts: one message per broadcast, edited as the outbox drains (sent,
// failed, remaining), then a final report. Driven by a timer (or the scheduler) calling `tick`.
import type { Api } from "grammy";
import type { I18n } from "../../../i18n/index.js";
import type { BotLogger } from "../ports.js";
import { stopCallback, progressText } from "./composer.js";
import type { AdminAudit, AdminBroadcasts, AdminStateStore, BroadcastProgressCounts } from "./ports.js";

/** What one tick did for one broadcast. */
export interface ProgressOutcome {
  readonly broadcastId: string;
  readonly result: "updated" | "unchanged" | "finished" | "missing";
}

/** Keeps the admins' progress messages current; finished broadcasts get a final report and stop being tracked. */
export class BroadcastProgress {
  // The text last shown per broadcast, so an unchanged count costs no Bot API call (Telegram refuses identical edits anyway).
  readonly #shown = new Map<string, string>();

  constructor(
    private readonly deps: {
      readonly api: Pick<Api, "editMessageText" | "sendMessage">;
      readonly broadcasts: AdminBroadcasts;
      readonly state: AdminStateStore;
      readonly audit: AdminAudit;
      readonly i18n: I18n;
      readonly logger: BotLogger;
    },
  ) {}

  /** Updates every tracked broadcast once. */
  async tick(now: Date): Promise<ProgressOutcome[]> {
    const outcomes: ProgressOutcome[] = [];
    for (const tracked of await this.deps.state.tracked()) {
      const t = this.deps.i18n.getFixedT(tracked.language);
      const counts = await this.deps.broadcasts.progress(tracked.broadcastId);
      if (!counts) {
        await this.deps.state.untrack(tracked.broadcastId, now, { missing: true });
        outcomes.push({ broadcastId: tracked.broadcastId, result: "missing" });
        continue;
      }
      const done = counts.remaining === 0 || counts.cancelledAt !== null;
      const text = progressText(t, tracked.audience, counts);
      const changed = this.#shown.get(tracked.broadcastId) !== text;
      if (changed || done) {
        await this.#edit(tracked.chatId, tracked.messageId, text, done ? undefined : stopCallback(tracked.broadcastId), t("admin:broadcast.stop"));
        this.#shown.set(tracked.broadcastId, text);
      }
      if (!done) {
        outcomes.push({ broadcastId: tracked.broadcastId, result: changed ? "updated" : "unchanged" });
        continue;
      }
      // Untracked before the report is sent: a crash between the two loses the report, never repeats it.
      await this.deps.state.untrack(tracked.broadcastId, now, summary(counts));
      await this.deps.audit.record({ at: now, kind: "admin.broadcast.report", campaignId: tracked.campaignId, actor: tracked.actor, data: { broadcastId: tracked.broadcastId, ...summary(counts) } });
      if (counts.cancelledAt === null) {
        await this.deps.api.sendMessage(tracked.chatId, t("admin:broadcast.done", summary(counts)), { reply_parameters: { message_id: tracked.messageId, allow_sending_without_reply: true } }).catch((error: unknown) => {
          this.deps.logger.warn({ broadcastId: tracked.broadcastId, error: String(error) }, "could not send the broadcast report");
        });
      }
      this.#shown.delete(tracked.broadcastId);
      outcomes.push({ broadcastId: tracked.broadcastId, result: "finished" });
    }
    return outcomes;
  }

  /** Calls `tick` every `intervalMs` until the returned function is called. */
  start(intervalMs = 5_000, now: () => Date = () => new Date()): () => void {
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      this.tick(now())
        .catch((error: unknown) => this.deps.logger.error({ error: String(error) }, "broadcast progress tick failed"))
        .finally(() => (running = false));
    }, intervalMs);
    return () => clearInterval(timer);
  }

  async #edit(chatId: number, messageId: number, text: string, stop: string | undefined, stopLabel: string): Promise<void> {
    try {
      await this.deps.api.editMessageText(chatId, messageId, text, stop ? { reply_markup: { inline_keyboard: [[{ text: stopLabel, callback_data: stop }]] } } : { reply_markup: { inline_keyboard: [] } });
    } catch (error) {
      // "message is not modified" or a deleted message: the next tick or the final report covers it.
      this.deps.logger.debug({ chatId, messageId, error: String(error) }, "progress edit failed");
    }
  }
}

function summary(c: BroadcastProgressCounts): Record<string, number> {
  return { recipients: c.recipients, sent: c.sent, failed: c.failed, remaining: c.remaining, cancelled: c.cancelled };
}
