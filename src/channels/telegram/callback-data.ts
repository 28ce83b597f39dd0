// Inline button payloads. Telegram allows 64 bytes and a modified client can send anything, so the
// format is versioned, compact and parsed strictly: `1.<tag>.<kind>[.<question>[.<arg>]]`.
// `tag` ties the data to one session, `question` is the question's index in the questionnaire
// (base 36) so a stale button names the question it was for.
import type { Question, Questionnaire } from "../../questionnaire/index.js";

/** Version of the callback data layout; data of another version is refused as stale. */
export const CALLBACK_VERSION = "1";
/** Telegram's limit on callback data. */
export const MAX_CALLBACK_BYTES = 64;

/** What a button asks for. */
export type CallbackAction =
  | { readonly kind: "identity"; readonly confirm: boolean }
  | { readonly kind: "attestation"; readonly accept: boolean }
  /** Single question: the option's 0-based index. */
  | { readonly kind: "option"; readonly question: number; readonly option: number }
  | { readonly kind: "scale"; readonly question: number; readonly value: number | "na" }
  | { readonly kind: "toggle"; readonly question: number; readonly option: number }
  | { readonly kind: "done"; readonly question: number }
  | { readonly kind: "skip"; readonly question: number }
  | { readonly kind: "back"; readonly question: number }
  | { readonly kind: "edit"; readonly question: number }
  | { readonly kind: "submit" }
  | { readonly kind: "review" }
  | { readonly kind: "language"; readonly language: "vi" | "en" };

/** Parsed callback data: the session tag and the action. */
export interface CallbackData {
  readonly tag: string;
  readonly action: CallbackAction;
}

const TAG = /^[0-9a-z]{4,8}$/;
const INDEX = /^[0-9a-z]{1,4}$/;
const SCALE = /^(-?\d{1,3}|na)$/;

/** The short tag of a session id that its buttons carry (not a secret: it only tells sessions apart). */
export function sessionTag(sessionId: string): string {
  // FNV-1a: stable across processes, no crypto needed.
  let hash = 0x811c9dc5;
  for (const char of sessionId) {
    hash ^= char.codePointAt(0)!;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(36).padStart(6, "0").slice(-6);
}

/** Encodes a button payload; throws for a payload over 64 bytes (a bug, not input). */
export function encodeCallback(tag: string, action: CallbackAction): string {
  const parts = [CALLBACK_VERSION, tag];
  switch (action.kind) {
    case "identity":
      parts.push("i", action.confirm ? "y" : "n");
      break;
    case "attestation":
      parts.push("a", action.accept ? "y" : "n");
      break;
    case "option":
      parts.push("o", action.question.toString(36), action.option.toString(36));
      break;
    case "scale":
      parts.push("s", action.question.toString(36), String(action.value));
      break;
    case "toggle":
      parts.push("t", action.question.toString(36), action.option.toString(36));
      break;
    case "done":
      parts.push("d", action.question.toString(36));
      break;
    case "skip":
      parts.push("k", action.question.toString(36));
      break;
    case "back":
      parts.push("b", action.question.toString(36));
      break;
    case "edit":
      parts.push("e", action.question.toString(36));
      break;
    case "submit":
      parts.push("S");
      break;
    case "review":
      parts.push("R");
      break;
    case "language":
      parts.push("l", action.language);
      break;
  }
  const data = parts.join(".");
  if (Buffer.byteLength(data) > MAX_CALLBACK_BYTES) throw new Error(`bug: callback data over ${MAX_CALLBACK_BYTES} bytes: ${data}`);
  return data;
}

const index = (s: string | undefined): number | undefined => (s !== undefined && INDEX.test(s) ? parseInt(s, 36) : undefined);

/** Parses callback data strictly; undefined for anything our buttons never produce. */
export function parseCallback(data: string | undefined): CallbackData | undefined {
  if (data === undefined || Buffer.byteLength(data) > MAX_CALLBACK_BYTES) return undefined;
  const [version, tag, kind, a, b, ...rest] = data.split(".");
  if (version !== CALLBACK_VERSION || tag === undefined || !TAG.test(tag) || rest.length > 0) return undefined;
  const action = parseAction(kind, a, b);
  return action ? { tag, action } : undefined;
}

function parseAction(kind: string | undefined, a: string | undefined, b: string | undefined): CallbackAction | undefined {
  const yesNo = a === "y" ? true : a === "n" ? false : undefined;
  const question = index(a);
  const none = b === undefined;
  switch (kind) {
    case "i":
      return yesNo !== undefined && none ? { kind: "identity", confirm: yesNo } : undefined;
    case "a":
      return yesNo !== undefined && none ? { kind: "attestation", accept: yesNo } : undefined;
    case "o":
    case "t": {
      const option = index(b);
      if (question === undefined || option === undefined) return undefined;
      return { kind: kind === "o" ? "option" : "toggle", question, option };
    }
    case "s":
      if (question === undefined || b === undefined || !SCALE.test(b)) return undefined;
      return { kind: "scale", question, value: b === "na" ? "na" : Number(b) };
    case "d":
    case "k":
    case "b":
    case "e": {
      if (question === undefined || !none) return undefined;
      const kinds = { d: "done", k: "skip", b: "back", e: "edit" } as const;
      return { kind: kinds[kind], question };
    }
    case "S":
      return a === undefined ? { kind: "submit" } : undefined;
    case "R":
      return a === undefined ? { kind: "review" } : undefined;
    case "l":
      return (a === "vi" || a === "en") && none ? { kind: "language", language: a } : undefined;
    default:
      return undefined;
  }
}

/** A question as a button names it: its index in the questionnaire and its definition (for option indices). */
export interface ButtonQuestion {
  readonly index: number;
  readonly question: Question;
}

/**
 * The button action of a host choice (`identity:yes`, `attestation:no`, `language:en`, `submit`,
 * `review`; with the question it was offered for: `option:<id>`, `toggle:<id>`, `scale:<v>`,
 * `done`, `skip`, `back`, `edit:<questionId>`); undefined for a choice that has no button.
 */
export function callbackActionOf(choiceId: string, on?: ButtonQuestion): CallbackAction | undefined {
  const [kind, ...rest] = choiceId.split(":");
  const arg = rest.length > 0 ? rest.join(":") : undefined;
  const optionIndex = (type: Question["type"]) => {
    const question = on?.question;
    return question && question.type === type && "options" in question && arg !== undefined ? question.options.findIndex((o) => o.id === arg) : -1;
  };
  switch (kind) {
    case "identity":
      return arg === "yes" || arg === "no" ? { kind: "identity", confirm: arg === "yes" } : undefined;
    case "attestation":
      return arg === "yes" || arg === "no" ? { kind: "attestation", accept: arg === "yes" } : undefined;
    case "language":
      return arg === "vi" || arg === "en" ? { kind: "language", language: arg } : undefined;
    case "submit":
      return arg === undefined ? { kind: "submit" } : undefined;
    case "review":
      return arg === undefined ? { kind: "review" } : undefined;
    case "option":
    case "toggle": {
      const option = optionIndex(kind === "option" ? "single" : "multi");
      return on && option >= 0 ? { kind, question: on.index, option } : undefined;
    }
    case "scale":
      return on && arg !== undefined && SCALE.test(arg) ? { kind: "scale", question: on.index, value: arg === "na" ? "na" : Number(arg) } : undefined;
    case "done":
    case "skip":
    case "back":
    case "edit":
      return on && (arg === undefined || (kind === "edit" && arg === on.question.id)) ? { kind, question: on.index } : undefined;
    default:
      return undefined;
  }
}

/**
 * The host choice a button stands for, and the question it was offered for (by the index it
 * carries); undefined for a button naming no question or option of this questionnaire.
 */
export function choiceOfCallback(action: CallbackAction, questionnaire: Questionnaire): { readonly choiceId: string; readonly questionId?: string } | undefined {
  switch (action.kind) {
    case "identity":
      return { choiceId: `identity:${action.confirm ? "yes" : "no"}` };
    case "attestation":
      return { choiceId: `attestation:${action.accept ? "yes" : "no"}` };
    case "language":
      return { choiceId: `language:${action.language}` };
    case "submit":
    case "review":
      return { choiceId: action.kind };
    default:
      break;
  }
  const info = questionnaire.questions[action.question];
  if (!info) return undefined;
  const questionId = info.question.id;
  const question = info.question;
  switch (action.kind) {
    case "option":
    case "toggle": {
      const option = "options" in question ? question.options[action.option] : undefined;
      return option ? { choiceId: `${action.kind}:${option.id}`, questionId } : undefined;
    }
    case "scale":
      return { choiceId: `scale:${action.value}`, questionId };
    case "edit":
      return { choiceId: `edit:${questionId}`, questionId };
    case "done":
    case "skip":
    case "back":
      return { choiceId: action.kind, questionId };
  }
}
