// Broadcasts over the outbox: the Broadcast row and one outbox row per recipient are written in one
// transaction (MessagingRepository.recordBroadcast); the outbox sender delivers them within limits.
import { rowsForChannel } from "../../../outbox/plain-text.js";
import type { MessagingRepository, OutboxCounts, OutboxRepository, OutboxStatus, RecipientFilter } from "../../../outbox/types.js";
import { formatAudience, inAudience, type Audience } from "./audience.js";
import type { AdminBroadcasts, BroadcastProgressCounts } from "./ports.js";

const FAILED: readonly OutboxStatus[] = ["failed", "unreachable", "skipped", "in_doubt"];
const PENDING: readonly OutboxStatus[] = ["queued", "claimed", "sending"];

function sum(counts: OutboxCounts, statuses: readonly OutboxStatus[]): number {
  let n = 0;
  for (const byStatus of Object.values(counts)) for (const s of statuses) n += byStatus[s] ?? 0;
  return n;
}

/** The part of an audience the database applies (unit, group); the rest is checked per recipient. */
function filterOf(audience: Audience): RecipientFilter {
  return audience.kind === "unit" ? { unitCode: audience.unit } : audience.kind === "group" ? { groupId: audience.group } : {};
}

/** AdminBroadcasts over the outbox engineer's repositories. */
export function outboxBroadcasts(messaging: MessagingRepository, outbox: OutboxRepository): AdminBroadcasts {
  const progress = async (broadcastId: string): Promise<BroadcastProgressCounts | null> => {
    const broadcast = await messaging.broadcast(broadcastId);
    if (!broadcast) return null;
    const counts = await outbox.counts({ batchId: broadcastId });
    return {
      recipients: broadcast.recipients,
      sent: sum(counts, ["sent"]),
      failed: sum(counts, FAILED),
      remaining: sum(counts, PENDING),
      cancelled: sum(counts, ["cancelled"]),
      cancelledAt: broadcast.cancelledAt,
    };
  };
  return {
    async audienceSize(campaignId, audience) {
      let n = 0;
      for await (const page of messaging.recipientPages(campaignId, filterOf(audience))) for (const r of page) if (inAudience(audience, r)) n++;
      return n;
    },
    async start({ campaignId, audience, text, actor, key, now }) {
      const recipients = (await messaging.recipients(campaignId, filterOf(audience))).filter((r) => inAudience(audience, r));
      const record = await messaging.recordBroadcast(
        { campaignId, audience: formatAudience(audience), text, parseMode: null, parts: 1, actor, createdAt: now },
        (broadcastId) =>
          // A Zalo recipient gets the text in parts of at most 2,000 characters.
          recipients.flatMap((r) =>
            rowsForChannel({
              kind: "broadcast" as const,
              campaignId,
              batchId: broadcastId,
              respondentId: r.respondentId,
              chatId: r.chatId,
              // Keyed by the admin's draft, not the new row: confirming the same draft twice queues nobody twice.
              dedupeKey: `broadcast:${key}:${r.respondentId}`,
              text,
              notBefore: now,
            }),
          ),
      );
      return { id: record.id, recipients: record.recipients };
    },
    progress,
    async cancel(broadcastId, now) {
      const marked = await messaging.markBroadcastCancelled(broadcastId, now);
      if (!marked) return null;
      await outbox.cancelBatch(broadcastId, now);
      return progress(broadcastId);
    },
  };
}
