import type { InlineKeyboardButton } from "grammy/types";
import type { EngineEvent, RenderHints, ReviewItem, ValidationParams, ValidationReason } from "../../engine/index.js";
import type { Translate } from "../../i18n/index.js";
import type { AnswerValue, Option, Question, Questionnaire } from "../../questionnaire/index.js";
import { formatAnswer, formatDateTime, formatNumber, localized, numberHint, truncate } from "../console/format.js";
import type { HostReply } from "../../conversation/output.js";
import { attestationPrompt, identityPrompt } from "../../conversation/prompts.js";
import { callbackActionOf, encodeCallback, type CallbackAction } from "./callback-data.js";
import type { LivePrompt } from "./ports.js";

/** Telegram refuses messages over 4,096 characters; keep a margin. */
export const MAX_MESSAGE_CHARS = 4000;
const BUTTON_LABEL_MAX = 48;
const REVIEW_TEXT_MAX = 80;

/** One message to send: text, an optional inline keyboard, and what the keyboard is for. */
export interface OutgoingMessage {
  readonly text: string;
  readonly keyboard?: InlineKeyboardButton[][];
  readonly prompt?: Omit<LivePrompt, "messageId">;
}

/** What the renderer needs: the questionnaire, the respondent's language and texts, the session's tag. */
export interface RenderContext {
  readonly questionnaire: Questionnaire;
  /** Questionnaire language (option labels, question texts). */
  readonly language: string;
  /** Channel texts in the respondent's language. */
  readonly t: Translate;
  readonly tag: string;
  readonly unitName: (unitId: string) => string;
  readonly timeZone: string;
  /** Subject units of the survey: a unit's submission is announced only when there are several. */
  readonly unitCount: number;
}

/** Builds the messages for engine events and the other prompts of the channel. */
export class TelegramRenderer {
  constructor(private readonly c: RenderContext) {}

  #button(text: string, action: CallbackAction): InlineKeyboardButton {
    return { text, callback_data: encodeCallback(this.c.tag, action) };
  }

  #text(value: Parameters<typeof localized>[0]): string {
    return localized(value, this.c.language, this.c.questionnaire);
  }

  /** Messages for a list of engine events; informational texts in a row share one message. */
  events(events: readonly EngineEvent[]): OutgoingMessage[] {
    const out: OutgoingMessage[] = [];
    let pending: string[] = [];
    const flush = () => {
      if (pending.length > 0) out.push(...splitText(pending.join("\n\n")).map((text) => ({ text })));
      pending = [];
    };
    for (const event of events) {
      const rendered = this.#event(event);
      for (const item of rendered) {
        if (typeof item === "string") pending.push(item);
        else {
          flush();
          out.push(item);
        }
      }
    }
    flush();
    return out;
  }

  #event(event: EngineEvent): (string | OutgoingMessage)[] {
    const { t } = this.c;
    const q = this.c.questionnaire;
    switch (event.type) {
      case "survey_started": {
        const intro = q.definition.intro;
        return [[this.#text(q.definition.title), ...(intro ? [this.#text(intro)] : [])].join("\n\n")];
      }
      case "attestation_shown":
        return [this.attestation()];
      case "attestation_accepted":
        return [t("access:attestation.accepted")];
      case "attestation_declined":
        return [t("access:attestation.declined")];
      case "unit_started":
        return event.unitCount > 1
          ? [t("survey:unitStarted", { unit: this.c.unitName(event.unit), unitNumber: event.unitIndex + 1, unitCount: event.unitCount })]
          : [];
      case "question_shown":
        return [this.question(event)];
      case "answer_recorded":
      case "selection_changed":
      case "answer_discarded":
        return [];
      case "question_skipped":
        return [];
      case "validation_failed":
        return [this.validation(event.questionId, event.reason, event.params)];
      case "review_shown":
        return this.review(event.unit, event.progress.answered, event.progress.total, event.progress.unitCount, event.items);
      case "submit_refused": {
        const items = event.missing.map((id) =>
          t("survey:submitRefusedItem", { number: this.#numberOf(id), question: truncate(this.#questionText(id), REVIEW_TEXT_MAX) }),
        );
        return [t("survey:submitRefused", { count: event.missing.length, questions: items.join("; ") })];
      }
      case "unit_submitted":
        return this.c.unitCount > 1
          ? [t("survey:unitSubmitted", { unit: this.c.unitName(event.unit), ...formatDateTime(event.at, this.c.language, this.c.timeZone) })]
          : [];
      case "completed":
        return [t("survey:thanks", formatDateTime(event.at, this.c.language, this.c.timeZone))];
      case "language_changed":
        return [t("survey:languageChanged")];
      case "input_rejected":
        return [t(`survey:rejected.${event.reason}`)];
    }
  }

  /** The host's identity prompt, its choices as buttons, one per row. */
  identity(name: string, unit: string): OutgoingMessage {
    return this.#buttons(identityPrompt(this.c.t, name, unit), { kind: "identity" });
  }

  /** The host's attestation prompt (the questionnaire's text), its choices as buttons, one per row. */
  attestation(): OutgoingMessage {
    const text = this.c.questionnaire.definition.attestation;
    return this.#buttons(attestationPrompt(this.c.t, text ? this.#text(text) : undefined, "\n\n"), { kind: "attestation" });
  }

  /** A host prompt as a Telegram message: the text, each choice a button (the typed-answer hint is the text form's). */
  #buttons(reply: HostReply, prompt: Omit<LivePrompt, "messageId">): OutgoingMessage {
    const rows = (reply.choices ?? []).map((choice) => {
      const action = callbackActionOf(choice.id);
      if (!action) throw new Error(`bug: no button for choice ${choice.id}`);
      return [this.#button(choice.label, action)];
    });
    return { text: reply.text, keyboard: rows, prompt };
  }

  /** A language chooser. */
  languages(): OutgoingMessage {
    return {
      text: this.c.t("telegram:lang.choose"),
      keyboard: [[this.#button("Tiếng Việt", { kind: "language", language: "vi" }), this.#button("English", { kind: "language", language: "en" })]],
      prompt: { kind: "language" },
    };
  }

  /** The message of a validation reason, numbers in the respondent's format. */
  validation(questionId: string, reason: ValidationReason, params: ValidationParams): string {
    const question = this.c.questionnaire.byId.get(questionId)?.question;
    const num = (n: number | undefined) => (n === undefined ? undefined : formatNumber(n, this.c.language));
    const merged = { ...(question ? limits(question) : {}), ...params };
    const count = reason === "too_few_selected" ? merged.minSelect : reason === "too_many_selected" ? merged.maxSelect : undefined;
    return this.c.t(`survey:validation.${reason}`, { ...merged, min: num(merged.min), max: num(merged.max), ...(count !== undefined ? { count } : {}) });
  }

  /** One question: progress, text, help and its controls. */
  question(event: Extract<EngineEvent, { type: "question_shown" }>): OutgoingMessage {
    const { t } = this.c;
    const info = this.c.questionnaire.byId.get(event.questionId);
    if (!info) throw new Error(`bug: question ${event.questionId} is not in the questionnaire`);
    const { question, section } = info;
    const p = event.progress;
    const lines: string[] = [];
    if (section.questions[0]?.id === question.id || event.number === 1) lines.push(`【${this.#text(section.title)}】`);
    lines.push(
      p.unitCount > 1
        ? t("survey:progressUnit", { number: event.number, total: p.total, unit: this.c.unitName(event.unit), unitNumber: p.unitIndex + 1, unitCount: p.unitCount })
        : t("survey:progress", { number: event.number, total: p.total }),
    );
    lines.push(this.#text(question.text) + (event.required ? "" : ` ${t("survey:optional")}`));
    if (question.help) lines.push(this.#text(question.help));
    const { text, rows } = this.#controls(question, info.index, event.hints, event.current);
    lines.push(...text);
    if (event.current !== undefined && event.hints.type !== "multi") lines.push(t("survey:currentAnswer", { answer: this.answer(question, event.current) }));
    const nav: InlineKeyboardButton[] = [];
    if (event.canGoBack && event.mode === "flow") nav.push(this.#button(t("telegram:buttons.back"), { kind: "back", question: info.index }));
    if (!event.required) nav.push(this.#button(t("telegram:buttons.skip"), { kind: "skip", question: info.index }));
    if (nav.length > 0) rows.push(nav);
    return {
      text: lines.join("\n"),
      ...(rows.length > 0 ? { keyboard: rows } : {}),
      prompt: { kind: "question", questionId: question.id, unit: event.unit },
    };
  }

  /** The question once answered: its text and the answer, with no buttons left. */
  answered(questionId: string, value: AnswerValue | undefined): string {
    const info = this.c.questionnaire.byId.get(questionId);
    if (!info) return "";
    const text = this.#text(info.question.text);
    return value === undefined ? text : `${text}\n${this.c.t("telegram:answered", { answer: this.answer(info.question, value) })}`;
  }

  /** The toggle keyboard of a multi question after a tick (the message text stays). */
  multiKeyboard(questionId: string, selected: readonly string[], required: boolean, canGoBack: boolean): InlineKeyboardButton[][] | undefined {
    const info = this.c.questionnaire.byId.get(questionId);
    if (!info || info.question.type !== "multi") return undefined;
    const q = info.question;
    const rows = this.#multiRows(q.options.map((o) => o.id), info.index, selected, q);
    const nav: InlineKeyboardButton[] = [];
    if (canGoBack) nav.push(this.#button(this.c.t("telegram:buttons.back"), { kind: "back", question: info.index }));
    if (!required) nav.push(this.#button(this.c.t("telegram:buttons.skip"), { kind: "skip", question: info.index }));
    if (nav.length > 0) rows.push(nav);
    return rows;
  }

  #multiRows(optionIds: readonly string[], index: number, selected: readonly string[], question: Question): InlineKeyboardButton[][] {
    const options = "options" in question ? question.options : [];
    const rows = optionIds.map((id, i) => {
      const option = options.find((o) => o.id === id);
      const label = truncate(`${i + 1}. ${option ? this.#text(option.label) : id}`, BUTTON_LABEL_MAX);
      return [this.#button(`${selected.includes(id) ? "☑" : "☐"} ${label}`, { kind: "toggle", question: index, option: options.findIndex((o) => o.id === id) })];
    });
    rows.push([this.#button(this.c.t("telegram:buttons.done", { count: selected.length }), { kind: "done", question: index })]);
    return rows;
  }

  #controls(question: Question, index: number, hints: RenderHints, current: AnswerValue | undefined): { text: string[]; rows: InlineKeyboardButton[][] } {
    const { t } = this.c;
    const num = (n: number) => formatNumber(n, this.c.language);
    switch (hints.type) {
      case "single": {
        const options = question.type === "single" ? question.options : [];
        const text = this.#optionList(hints.options, options);
        const rows = hints.options.map((o) => {
          const label = truncate(`${o.number}. ${this.#text(options.find((x) => x.id === o.id)?.label ?? { [this.c.language]: o.id })}`, BUTTON_LABEL_MAX);
          return [this.#button(`${current === o.id ? "✓ " : ""}${label}`, { kind: "option", question: index, option: options.findIndex((x) => x.id === o.id) })];
        });
        return { text, rows };
      }
      case "multi": {
        const options = question.type === "multi" ? question.options : [];
        const text = this.#optionList(hints.options, options);
        text.push(
          hints.minSelect === hints.maxSelect
            ? t("telegram:hint.multiExact", { count: hints.minSelect })
            : t("telegram:hint.multi", { minSelect: hints.minSelect, maxSelect: hints.maxSelect }),
        );
        return { text, rows: this.#multiRows(hints.options.map((o) => o.id), index, hints.selected, question) };
      }
      case "scale": {
        const labels = question.type === "scale" ? (question.labels ?? {}) : {};
        const label = (v: number) => {
          const l = labels[String(v)];
          return l ? this.#text(l) : "";
        };
        const text: string[] = [];
        if (labels[String(hints.min)] && labels[String(hints.max)]) {
          text.push(t("telegram:hint.scaleEnds", { min: num(hints.min), max: num(hints.max), minLabel: label(hints.min), maxLabel: label(hints.max) }));
        }
        for (const v of hints.labelled) if (v !== hints.min && v !== hints.max) text.push(`${num(v)} = ${label(v)}`);
        const buttons = hints.values.map((v) => this.#button(`${current === v ? "✓" : ""}${num(v)}`, { kind: "scale", question: index, value: v }));
        const perRow = buttons.length <= 7 ? buttons.length : Math.ceil(buttons.length / 2);
        const rows: InlineKeyboardButton[][] = [];
        for (let i = 0; i < buttons.length; i += perRow) rows.push(buttons.slice(i, i + perRow));
        if (hints.allowNotApplicable) rows.push([this.#button(`${current === "na" ? "✓ " : ""}${t("survey:notApplicable")}`, { kind: "scale", question: index, value: "na" })]);
        return { text, rows };
      }
      case "number":
        return { text: [numberHint(t, hints, this.c.language)], rows: [] };
      case "text":
        return { text: [t("survey:hint.text", { maxLength: hints.maxLength })], rows: [] };
    }
  }

  // Options are listed in the text only when a button cannot show a label in full.
  #optionList(hinted: readonly { readonly id: string; readonly number: number }[], options: readonly Option[]): string[] {
    const lines = hinted.map((o) => `${o.number}. ${this.#text(options.find((x) => x.id === o.id)?.label ?? { [this.c.language]: o.id })}`);
    return lines.some((line) => [...line].length > BUTTON_LABEL_MAX - 2) ? lines : [];
  }

  /** The review: every answer with an edit button per question, and Submit. */
  review(unit: string, answered: number, total: number, unitCount: number, items: readonly ReviewItem[]): OutgoingMessage[] {
    const { t } = this.c;
    this.#review = items;
    const lines = [unitCount > 1 ? t("survey:review.titleUnit", { unit: this.c.unitName(unit) }) : t("survey:review.title")];
    for (const item of items) {
      const info = this.c.questionnaire.byId.get(item.questionId);
      if (!info) continue;
      const answer = item.value !== undefined ? truncate(this.answer(info.question, item.value), REVIEW_TEXT_MAX) : item.missing ? t("survey:answer.missing") : t("survey:answer.none");
      lines.push(`${item.number}. ${truncate(this.#text(info.question.text), REVIEW_TEXT_MAX)}\n   → ${answer}`);
    }
    lines.push(t("survey:review.progress", { answered, total }));
    const missing = items.filter((i) => i.missing).length;
    if (missing > 0) lines.push(t("survey:review.missingCount", { count: missing }));
    lines.push(t("telegram:review.buttons"));
    const edits = items.flatMap((item) => {
      const info = this.c.questionnaire.byId.get(item.questionId);
      return info ? [this.#button(t("telegram:buttons.edit", { number: item.number }), { kind: "edit", question: info.index })] : [];
    });
    const rows: InlineKeyboardButton[][] = [];
    // Telegram allows 100 buttons per keyboard: beyond that, /review still lists everything.
    for (let i = 0; i < Math.min(edits.length, 95); i += 6) rows.push(edits.slice(i, Math.min(i + 6, 95)));
    rows.push([this.#button(t("telegram:buttons.submit"), { kind: "submit" })]);
    const texts = splitText(lines.join("\n"));
    return texts.map((text, i) => (i === texts.length - 1 ? { text, keyboard: rows, prompt: { kind: "review" as const } } : { text }));
  }

  #review: readonly ReviewItem[] | undefined;

  /** An answer as the respondent reads it. */
  answer(question: Question, value: AnswerValue): string {
    return formatAnswer(question, value, this.c.language, this.c.questionnaire, this.c.t("survey:answer.notApplicable"));
  }

  #questionText(id: string): string {
    const info = this.c.questionnaire.byId.get(id);
    return info ? this.#text(info.question.text) : id;
  }

  #numberOf(id: string): number {
    return this.#review?.find((i) => i.questionId === id)?.number ?? (this.c.questionnaire.byId.get(id)?.index ?? 0) + 1;
  }
}

function limits(question: Question): ValidationParams {
  switch (question.type) {
    case "single":
    case "multi":
      return { optionCount: question.options.length };
    case "scale":
      return { min: question.min, max: question.max };
    case "number":
      return { ...(question.min !== undefined ? { min: question.min } : {}), ...(question.max !== undefined ? { max: question.max } : {}) };
    case "text":
      return {};
  }
}

/** Splits text into Telegram-sized messages at line breaks (a single over-long line is cut). */
export function splitText(text: string, max = MAX_MESSAGE_CHARS): string[] {
  if (text.length <= max) return [text];
  const parts: string[] = [];
  let current = "";
  for (const line of text.split("\n")) {
    let rest = line;
    while (rest.length > max) {
      if (current) parts.push(current);
      current = "";
      parts.push(rest.slice(0, max));
      rest = rest.slice(max);
    }
    if (current.length + rest.length + 1 > max) {
      parts.push(current);
      current = rest;
    } else current = current ? `${current}\n${rest}` : rest;
  }
  if (current) parts.push(current);
  return parts;
}
