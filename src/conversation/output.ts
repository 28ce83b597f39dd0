// What the host says, as data: each message's text and what it offers (choices with an id and a
// label, the commands that work there, whether a typed answer is expected, and whether it replaces
// the live prompt). Channels render it: Telegram as inline buttons (callback-data.ts maps the ids),
// Zalo and the console as numbered text (`renderText`).
import type { EngineEvent } from "../engine/index.js";
import type { TextCommand } from "./commands.js";
import type { QuestionView, ReviewView } from "./views.js";

/**
 * One choice of a prompt. Ids name what choosing means, independent of the channel: `identity:yes`,
 * `identity:no`, `attestation:yes`, `attestation:no`, `option:<optionId>`, `toggle:<optionId>`,
 * `scale:<value>`, `language:<lang>`, `edit:<questionId>`, `submit`.
 */
export interface Choice {
  readonly id: string;
  readonly label: string;
}

/** What the message is the prompt of (the host's resume and stale-input rules key on it). */
export type PromptKind = "code" | "identity" | "attestation" | "question" | "review" | "language" | "notice";

/** One message of the host. */
export interface HostReply {
  /** What comes before the choices (all of it for a message without choices). */
  readonly text: string;
  /** What the respondent can pick; the text form numbers them from 1, in order. */
  readonly choices?: readonly Choice[];
  /** What comes after the choices (how to answer, the current answer). */
  readonly hint?: string;
  readonly prompt?: PromptKind;
  /** The question asked, for `question` prompts. */
  readonly questionId?: string;
  /** A typed answer (number, text, scale value, choice numbers) is expected. */
  readonly freeText?: boolean;
  /** Commands that mean something here, for a channel's menu or help. */
  readonly commands?: readonly TextCommand["kind"][];
  /**
   * This message supersedes the live prompt: a channel that edits messages marks the old one
   * (Telegram removes its buttons); a text channel just sends this one.
   */
  readonly replacesPrompt?: boolean;
  /**
   * The question asked, as data (`question` prompts): its texts, choices with ids and labels, the
   * navigation it offers. Telegram draws it as buttons; the text form is `text`/`choices`/`hint`.
   */
  readonly question?: QuestionView;
  /** The review, as data (`review` prompts): each question's line with its edit choice, and Submit. */
  readonly review?: ReviewView;
  /**
   * The engine events this reply shows (a step's reply), for a channel that draws them itself
   * (Telegram: one message per prompt, keyboards, edits of the answered question). The text form
   * ignores them: `text`/`choices`/`hint` already say the same.
   */
  readonly events?: readonly EngineEvent[];
  /**
   * Choices a button channel adds under this message as buttons (an anonymous respondent's other
   * language); the text form ignores them, its `text` says how to type them.
   */
  readonly offers?: readonly Choice[];
  /** The text for a channel that shows `offers` as buttons, when it differs from the text form's (which explains how to type them). */
  readonly buttonText?: string;
  /**
   * A short word about a pressed button itself (stale, or its survey closed): a button channel shows
   * it on the button (`alert`: in a box to dismiss), not as a message; the text form sends it.
   */
  readonly toast?: "notice" | "alert";
}

/** A message with text only. */
export function notice(text: string): HostReply {
  return { text, prompt: "notice" };
}

/** The text form of a reply: the text, the choices numbered `  1. …`, the hint, one line each. */
export function renderText(reply: HostReply): string {
  const choices = (reply.choices ?? []).map((c, i) => `  ${i + 1}. ${c.label}`);
  return [...(reply.text !== "" || choices.length === 0 ? [reply.text] : []), ...choices, ...(reply.hint !== undefined && reply.hint !== "" ? [reply.hint] : [])].join("\n");
}

/** The choice a typed number picks, or undefined. */
export function choiceByNumber(reply: Pick<HostReply, "choices">, text: string): Choice | undefined {
  const match = /^\s*(\d{1,3})[.)]?\s*$/.exec(text);
  return match ? reply.choices?.[Number(match[1]) - 1] : undefined;
}
