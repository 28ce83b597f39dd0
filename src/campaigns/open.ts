// Whether a campaign accepts answers at an instant; the reason says when it opens or that it closed.
import { formatZonedTime } from "./time.js";

/** The fields of a campaign that decide whether it is open. */
export interface CampaignWindow {
  readonly opensAt: Date;
  readonly closesAt: Date;
  readonly closedAt: Date | null;
  readonly timeZone: string;
}

/** The answer of `checkOpen`. */
export type OpenCheck =
  | { readonly open: true }
  | { readonly open: false; readonly reason: "not_open_yet"; readonly at: Date; readonly message: string }
  | { readonly open: false; readonly reason: "closed"; readonly at: Date; readonly message: string };

/** Says whether answers are accepted at `now`: after opening, before the close time and before an early close. */
export function checkOpen(campaign: CampaignWindow, now: Date): OpenCheck {
  const t = now.getTime();
  // An early close wins even before the opening time: a campaign closed before it opened is closed.
  const closed = campaign.closedAt !== null && campaign.closedAt.getTime() < campaign.closesAt.getTime() ? campaign.closedAt : campaign.closesAt;
  if (t >= closed.getTime()) {
    return { open: false, reason: "closed", at: closed, message: `closed at ${formatZonedTime(closed, campaign.timeZone)} (${campaign.timeZone})` };
  }
  if (t < campaign.opensAt.getTime()) {
    return { open: false, reason: "not_open_yet", at: campaign.opensAt, message: `opens at ${formatZonedTime(campaign.opensAt, campaign.timeZone)} (${campaign.timeZone})` };
  }
  return { open: true };
}
