// The host's own prompts as data (identity and attestation), for every channel: Telegram shows
// their choices as buttons, the text form numbers them.
import type { HostReply } from "./output.js";

/** Channel texts by key (an i18next `t`). */
type Texts = (key: string, params?: Record<string, unknown>) => string;

/** "Are you <name> of <unit>?" with confirm and decline. */
export function identityPrompt(t: Texts, name: string, unit: string): HostReply {
  return {
    text: t("access:identity.prompt", { name, unit }),
    choices: [
      { id: "identity:yes", label: t("telegram:identity.confirm") },
      { id: "identity:no", label: t("telegram:identity.decline") },
    ],
    hint: t("conversation:choose12"),
    prompt: "identity",
    commands: ["help", "lang", "quit"],
  };
}

/** The questionnaire's attestation (its text, already localised, if any) with accept and decline; `joiner` between intro and text. */
export function attestationPrompt(t: Texts, attestation: string | undefined, joiner = "\n"): HostReply {
  return {
    text: [t("access:attestation.intro"), ...(attestation ? [attestation] : [])].join(joiner),
    choices: [
      { id: "attestation:yes", label: t("access:attestation.accept") },
      { id: "attestation:no", label: t("access:attestation.decline") },
    ],
    hint: t("conversation:choose12"),
    prompt: "attestation",
    commands: ["help", "lang", "quit"],
  };
}
