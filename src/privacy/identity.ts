// Who may see which answers: organisers see who has submitted, never what a named person answered,
// unless the campaign was created with `--identified`; anonymous responses carry no identity at all.

/** What a campaign's export may contain about respondents. */
export type ExportIdentityDecision =
  | { readonly ok: true; readonly withIdentity: boolean }
  | { readonly ok: false; readonly reason: string };

/**
 * Decides whether an export may carry respondent identity. `requested`: the organiser asked for it.
 * Refused, with the reason, for a campaign not created with `--identified`.
 */
export function exportIdentityDecision(campaign: { readonly id: string; readonly identified: boolean }, requested: boolean): ExportIdentityDecision {
  if (!requested) return { ok: true, withIdentity: false };
  if (campaign.identified) return { ok: true, withIdentity: true };
  return {
    ok: false,
    reason:
      `campaign "${campaign.id}" is anonymous: respondents were told that nobody sees what a named person answered, ` +
      `so its responses cannot be exported with identities. Only a campaign created with --identified (and announced as such) can be`,
  };
}

/** Column names that must never appear in a response export of a campaign without `--identified`. */
export const IDENTITY_COLUMNS: readonly string[] = ["respondent_id", "external_id", "full_name", "account", "chat_id", "phone", "email"];
