import type { BotCampaign, CampaignDirectory } from "./ports.js";

/**
 * A campaign directory that keeps each campaign for `ttlMs` (default 5 s): every update needs its
 * campaign, which rarely changes, so this saves a database read per update. An organiser closing a
 * campaign early takes effect within the TTL.
 */
export function cacheCampaigns(directory: CampaignDirectory, options: { readonly ttlMs?: number; readonly clock?: () => number } = {}): CampaignDirectory {
  const ttl = options.ttlMs ?? 5_000;
  const clock = options.clock ?? (() => performance.now());
  const entries = new Map<string, { readonly at: number; readonly value: Promise<BotCampaign | undefined> }>();
  return {
    find(campaignId) {
      const hit = entries.get(campaignId);
      if (hit && clock() - hit.at < ttl) return hit.value;
      const value = directory.find(campaignId);
      entries.set(campaignId, { at: clock(), value });
      // A failed lookup is not kept: the next update asks again.
      value.catch(() => entries.delete(campaignId));
      return value;
    },
  };
}
