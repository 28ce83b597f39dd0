import type { Translate } from "../i18n/index.js";

/** Kinds of survey, each with its own privacy notice. */
export type PrivacyMode = "anonymous" | "named" | "identified";

/** The privacy notice a respondent sees at the start: what is kept and who sees it. */
export function privacyNotice(t: Translate, mode: PrivacyMode, channel = "Telegram"): string {
  return t(`privacy:notice.${mode}`, { channel });
}
