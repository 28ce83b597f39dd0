// The host's own prompts as data (identity and attestation), for every channel: Telegram shows
// their choices as buttons, the text form numbers them.
import type { Choice, HostReply } from "./output.js";

/** Channel texts by key (an i18next `t`). */
type Texts = (key: string, params?: Record<string, unknown>) => string;

/** "Are you <name> of <unit>?" with confirm and decline. */
export function identityPrompt(t: Texts, name: string, unit: string): HostReply {
  return yesNoPrompt(t, "identity", t("access:identity.prompt", { name, unit }), t("telegram:identity.confirm"), t("telegram:identity.decline"));
}

/** The questionnaire's attestation (its text, already localised, if any) with accept and decline; `joiner` between intro and text. */
export function attestationPrompt(t: Texts, attestation: string | undefined, joiner = "\n"): HostReply {
  const text = [t("access:attestation.intro"), ...(attestation ? [attestation] : [])].join(joiner);
  return yesNoPrompt(t, "attestation", text, t("access:attestation.accept"), t("access:attestation.decline"));
}

/** The language chooser: each language named in itself. */
export function languagePrompt(t: Texts): HostReply {
  return {
    text: t("telegram:lang.choose"),
    choices: [
      { id: "language:vi", label: "Tiếng Việt" },
      { id: "language:en", label: "English" },
    ],
    prompt: "language",
    commands: ["help", "quit"],
  };
}

/** The choice that switches to another language, named in the respondent's current one (an anonymous respondent's welcome). */
export function otherLanguageChoice(t: Texts, other: "vi" | "en"): Choice {
  return { id: `language:${other}`, label: t(`citizens:language.${other}`) };
}

/** A two-way prompt: choice `<kind>:yes` then `<kind>:no`, answered in the text form by 1 or 2. */
function yesNoPrompt(t: Texts, kind: "identity" | "attestation", text: string, yes: string, no: string): HostReply {
  return {
    text,
    choices: [
      { id: `${kind}:yes`, label: yes },
      { id: `${kind}:no`, label: no },
    ],
    hint: t("conversation:choose12"),
    prompt: kind,
    commands: ["help", "lang", "quit"],
  };
}
