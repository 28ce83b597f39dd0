import type { InlineKeyboardButton } from "grammy/types";
import type { EngineEvent, RenderHints, ReviewItem, ValidationParams, ValidationReason } from "../../engine/index.js";
import type { Translate } from "../../i18n/index.js";
import type { AnswerValue, Question, Questionnaire } from "../../questionnaire/index.js";
import { formatAnswer, formatDateTime, formatNumber, localized, numberHint, truncate } from "../console/format.js";
import type { Choice, HostReply } from "../../conversation/output.js";
import { choicesOf, doneChoice, numberRanges, questionView, reviewView, type QuestionView, type ReviewView, type ViewContext } from "../../conversation/views.js";
import { attestationPrompt, identityPrompt, languagePrompt } from "../../conversation/prompts.js";
import { progressLabel, reviewProgressLabel } from "../../conversation/progress.js";
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
        return this.review(event);
      case "submit_refused": {
        // One short line: the walk that follows shows each question in turn (a list of every text ran to thousands of characters).
        const count = event.missing.length;
        const questions = t("survey:submitRefusedQuestions", { count, ranges: numberRanges(event.missing.map((id) => this.#numberOf(id))) });
        return [t("survey:submitRefusedShort", { count, questions, number: this.#numberOf(event.missing[0]!) })];
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
    return this.buttons(identityPrompt(this.c.t, name, unit), { kind: "identity" });
  }

  /** The host's attestation prompt (the questionnaire's text), its choices as buttons, one per row. */
  attestation(): OutgoingMessage {
    const text = this.c.questionnaire.definition.attestation;
    return this.buttons(attestationPrompt(this.c.t, text ? this.#text(text) : undefined, "\n\n"), { kind: "attestation" });
  }

  /**
   * A host prompt as a Telegram message: the text, each choice a button, one per row or all in one
   * (the typed-answer hint is the text form's); `prompt`: the live keyboard it becomes, if it does.
   */
  buttons(reply: Pick<HostReply, "text" | "choices">, prompt?: Omit<LivePrompt, "messageId">, layout: "column" | "row" = "column"): OutgoingMessage {
    const buttons = (reply.choices ?? []).map((choice) => {
      const action = callbackActionOf(choice.id);
      if (!action) throw new Error(`bug: no button for choice ${choice.id}`);
      return this.#button(choice.label, action);
    });
    return { text: reply.text, keyboard: layout === "row" ? [buttons] : buttons.map((b) => [b]), ...(prompt ? { prompt } : {}) };
  }

  /** The host's language chooser, its choices side by side. */
  languages(): OutgoingMessage {
    return this.buttons(languagePrompt(this.c.t), { kind: "language" }, "row");
  }

  /** The message of a validation reason, numbers in the respondent's format. */
  validation(questionId: string, reason: ValidationReason, params: ValidationParams): string {
    const question = this.c.questionnaire.byId.get(questionId)?.question;
    const num = (n: number | undefined) => (n === undefined ? undefined : formatNumber(n, this.c.language));
    const merged = { ...(question ? limits(question) : {}), ...params };
    const count = reason === "too_few_selected" ? merged.minSelect : reason === "too_many_selected" ? merged.maxSelect : undefined;
    return this.c.t(`survey:validation.${reason}`, { ...merged, min: num(merged.min), max: num(merged.max), ...(count !== undefined ? { count } : {}) });
  }

  /** The views' context: the questionnaire in the respondent's language, the channel's texts. */
  get #view(): ViewContext {
    return { questionnaire: this.c.questionnaire, language: this.c.language, t: this.c.t };
  }

  /** One question (a `question_shown` event), drawn from its view. */
  question(event: Extract<EngineEvent, { type: "question_shown" }>): OutgoingMessage {
    return this.questionMessage(questionView(this.#view, event));
  }

  /** A question's view as a message: progress, text, help, hints; choices as buttons, then the navigation. */
  questionMessage(view: QuestionView): OutgoingMessage {
    const { t } = this.c;
    const p = view.progress;
    const lines: string[] = [];
    if (view.section.opens) lines.push(`【${view.section.title}】`);
    // The counter of every channel (src/conversation/progress.ts says why it reads "of at most").
    lines.push(progressLabel(t, view.number, p, this.c.unitName(view.unit)));
    lines.push(view.text + (view.required ? "" : ` ${t("survey:optional")}`));
    if (view.help !== undefined) lines.push(view.help);
    lines.push(...this.#hintLines(view));
    if (view.currentText !== undefined && view.hints.type !== "multi") lines.push(t("survey:currentAnswer", { answer: view.currentText }));
    const rows = this.#choiceRows(view);
    const nav = view.actions.filter((a) => a.id !== "done").map((a) => this.#choiceButton(a.label, a.id, view));
    if (nav.length > 0) rows.push(nav);
    return {
      text: lines.join("\n"),
      ...(rows.length > 0 ? { keyboard: rows } : {}),
      prompt: { kind: "question", questionId: view.questionId, unit: view.unit },
    };
  }

  /** A button for a choice of a question's view (its callback data names the question by index). */
  #choiceButton(label: string, choiceId: string, view: Pick<QuestionView, "questionId" | "index">): InlineKeyboardButton {
    const question = this.c.questionnaire.questions[view.index]?.question;
    const action = question ? callbackActionOf(choiceId, { index: view.index, question }) : undefined;
    if (!action) throw new Error(`bug: no button for choice ${choiceId} of question ${view.questionId}`);
    return this.#button(label, action);
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
    const hints: RenderHints = { type: "multi", options: q.options.map((o, i) => ({ id: o.id, number: i + 1 })), minSelect: 0, maxSelect: q.options.length, selected };
    const view = { questionId, index: info.index, hints, choices: choicesOf(this.#view, q, hints, undefined), actions: [doneChoice(this.#view, selected.length)] };
    const rows = this.#choiceRows(view);
    const nav: InlineKeyboardButton[] = [];
    if (canGoBack) nav.push(this.#choiceButton(this.c.t("telegram:buttons.back"), "back", view));
    if (!required) nav.push(this.#choiceButton(this.c.t("telegram:buttons.skip"), "skip", view));
    if (nav.length > 0) rows.push(nav);
    return rows;
  }

  /** A view's choices as keyboard rows: an option per row (numbered, the current one ✓, ticks ☑/☐ and Done), scale values side by side. */
  #choiceRows(view: Pick<QuestionView, "questionId" | "index" | "hints" | "choices" | "actions">): InlineKeyboardButton[][] {
    const numbered = (label: string, i: number) => truncate(`${i + 1}. ${label}`, BUTTON_LABEL_MAX);
    switch (view.hints.type) {
      case "single":
        return view.choices.map((c, i) => [this.#choiceButton(`${c.selected === true ? "✓ " : ""}${numbered(c.label, i)}`, c.id, view)]);
      case "multi": {
        const rows = view.choices.map((c, i) => [this.#choiceButton(`${c.selected === true ? "☑" : "☐"} ${numbered(c.label, i)}`, c.id, view)]);
        const done = view.actions.find((a) => a.id === "done");
        if (done) rows.push([this.#choiceButton(done.label, done.id, view)]);
        return rows;
      }
      case "scale": {
        const values = view.choices.filter((c) => c.id !== "scale:na");
        const buttons = values.map((c) => this.#choiceButton(`${c.selected === true ? "✓" : ""}${c.label}`, c.id, view));
        const perRow = buttons.length <= 7 ? buttons.length : Math.ceil(buttons.length / 2);
        const rows: InlineKeyboardButton[][] = [];
        for (let i = 0; i < buttons.length; i += perRow) rows.push(buttons.slice(i, i + perRow));
        const na = view.choices.find((c) => c.id === "scale:na");
        if (na) rows.push([this.#choiceButton(`${na.selected === true ? "✓ " : ""}${na.label}`, na.id, view)]);
        return rows;
      }
      case "number":
      case "text":
        return [];
    }
  }

  /** What the text says about answering: long option labels in full, a multi's limits, a scale's labels, a number's or text's limits. */
  #hintLines(view: QuestionView): string[] {
    const { t } = this.c;
    const hints = view.hints;
    const num = (n: number) => formatNumber(n, this.c.language);
    switch (hints.type) {
      case "single":
        return this.#optionList(view.choices);
      case "multi":
        return [
          ...this.#optionList(view.choices),
          hints.minSelect === hints.maxSelect
            ? t("telegram:hint.multiExact", { count: hints.minSelect })
            : t("telegram:hint.multi", { minSelect: hints.minSelect, maxSelect: hints.maxSelect }),
        ];
      case "scale": {
        const labels = view.scaleLabels ?? {};
        const label = (v: number) => labels[String(v)] ?? "";
        const text: string[] = [];
        if (labels[String(hints.min)] && labels[String(hints.max)]) {
          text.push(t("telegram:hint.scaleEnds", { min: num(hints.min), max: num(hints.max), minLabel: label(hints.min), maxLabel: label(hints.max) }));
        }
        for (const v of hints.labelled) if (v !== hints.min && v !== hints.max) text.push(`${num(v)} = ${label(v)}`);
        return text;
      }
      case "number":
        return [numberHint(t, hints, this.c.language)];
      case "text":
        return [t("survey:hint.text", { maxLength: hints.maxLength })];
    }
  }

  // Options are listed in the text only when a button cannot show a label in full.
  #optionList(choices: readonly Choice[]): string[] {
    const lines = choices.map((c, i) => `${i + 1}. ${c.label}`);
    return lines.some((line) => [...line].length > BUTTON_LABEL_MAX - 2) ? lines : [];
  }

  /** The review (a `review_shown` event), drawn from its view. */
  review(event: Extract<EngineEvent, { type: "review_shown" }>): OutgoingMessage[] {
    return this.reviewMessages(reviewView(this.#view, event));
  }

  /** A review's view as messages: every answer, an edit button per question, and Submit on the last one. */
  reviewMessages(view: ReviewView): OutgoingMessage[] {
    const { t } = this.c;
    this.#review = view.lines;
    const lines = [view.progress.unitCount > 1 ? t("survey:review.titleUnit", { unit: this.c.unitName(view.unit) }) : t("survey:review.title")];
    for (const line of view.lines) {
      const answer = line.value !== undefined ? truncate(line.answer, REVIEW_TEXT_MAX) : line.answer;
      lines.push(`${line.number}. ${truncate(line.question, REVIEW_TEXT_MAX)}\n   → ${answer}`);
    }
    // The total the question counter names (the host's, progress.ts): "2/tối đa 30" mid-survey.
    lines.push(reviewProgressLabel(t, view.progress));
    if (view.missing > 0) lines.push(t("survey:review.missingCount", { count: view.missing }));
    lines.push(t("telegram:review.buttons"));
    const edits = view.lines.map((line) => this.#choiceButton(line.edit.label, line.edit.id, { questionId: line.questionId, index: line.index }));
    const rows: InlineKeyboardButton[][] = [];
    // Telegram allows 100 buttons per keyboard: beyond that, /review still lists everything.
    for (let i = 0; i < Math.min(edits.length, 95); i += 6) rows.push(edits.slice(i, Math.min(i + 6, 95)));
    const submit = callbackActionOf(view.submit.id);
    if (!submit) throw new Error(`bug: no button for choice ${view.submit.id}`);
    rows.push([this.#button(view.submit.label, submit)]);
    const texts = splitText(lines.join("\n"));
    return texts.map((text, i) => (i === texts.length - 1 ? { text, keyboard: rows, prompt: { kind: "review" as const } } : { text }));
  }

  #review: readonly ReviewItem[] | undefined;

  /** An answer as the respondent reads it. */
  answer(question: Question, value: AnswerValue): string {
    return formatAnswer(question, value, this.c.language, this.c.questionnaire, this.c.t("survey:answer.notApplicable"));
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
