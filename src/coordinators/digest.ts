// The daily digest a unit coordinator receives: their own unit's participation, counts and rates
// only; names of who has not submitted only when the campaign sets `coordinatorsSeeNames`. Never answers.
import type { RespondentStatus } from "../db/index.js";
import type { Translate } from "../i18n/index.js";
import { formatDateTime, localeOf } from "../channels/console/format.js";

/** Telegram's limit on one message; a digest is one message. */
export const MAX_DIGEST_CHARS = 4096;

/** Zalo's limit on one message (sendMessage takes 1 to 2,000 characters). */
export const MAX_ZALO_DIGEST_CHARS = 2000;

/** What one digest says. */
export interface DigestInput {
  readonly language: string;
  readonly campaignName: string;
  readonly unitName: string;
  readonly timeZone: string;
  readonly now: Date;
  readonly closesAt: Date;
  /** Respondents of the unit per status. */
  readonly counts: Readonly<Record<RespondentStatus, number>>;
  /** Not yet submitted, by name, when the campaign lets coordinators see names; undefined otherwise. */
  readonly pending?: readonly { readonly name: string; readonly status: Exclude<RespondentStatus, "submitted"> }[];
  /** The channel's limit on one message (default Telegram's, MAX_DIGEST_CHARS). */
  readonly maxChars?: number;
}

function rate(submitted: number, sampled: number, language: string): string {
  if (sampled === 0) return "–";
  const value = Math.round((submitted / sampled) * 1000) / 10;
  return `${new Intl.NumberFormat(localeOf(language), { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(value)}%`;
}

/** The digest text in the coordinator's language, at most one message of the coordinator's channel long. */
export function digestText(t: Translate, d: DigestInput): string {
  const c = d.counts;
  const sampled = c.not_redeemed + c.redeemed + c.declined + c.in_progress + c.submitted;
  const asOf = formatDateTime(d.now.toISOString(), d.language, d.timeZone);
  const deadline = formatDateTime(d.closesAt.toISOString(), d.language, d.timeZone);
  const lines = [
    t("coordinators:digest.title", { campaign: d.campaignName }),
    t("coordinators:digest.unit", { unit: d.unitName }),
    t("coordinators:digest.submitted", { ...asOf, submitted: c.submitted, sampled, rate: rate(c.submitted, sampled, d.language) }),
    t("coordinators:digest.inProgress", { count: c.in_progress }),
    t("coordinators:digest.redeemed", { count: c.redeemed }),
    t("coordinators:digest.notRedeemed", { count: c.not_redeemed }),
    t("coordinators:digest.declined", { count: c.declined }),
    t("coordinators:digest.deadline", deadline),
  ];
  if (d.pending && d.pending.length > 0) {
    lines.push("", t("coordinators:digest.pendingTitle", { count: d.pending.length }));
    const footer = (n: number) => t("coordinators:digest.andMore", { count: n });
    let length = lines.join("\n").length;
    for (const [i, p] of d.pending.entries()) {
      const line = `• ${p.name} (${t(`coordinators:status.${p.status}`)})`;
      const rest = d.pending.length - i - 1;
      // Keep room for the "and N more" line so the digest stays one message.
      if (length + line.length + 1 + (rest > 0 ? footer(rest).length + 1 : 0) > (d.maxChars ?? MAX_DIGEST_CHARS)) {
        lines.push(footer(d.pending.length - i));
        break;
      }
      lines.push(line);
      length += line.length + 1;
    }
  }
  return lines.join("\n");
}
