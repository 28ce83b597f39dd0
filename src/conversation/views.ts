// The questionnaire's prompts as data, for every channel: a question (its texts, its choices with
// ids and labels, the navigation it offers, whether a typed answer is taken) and the review (one
// line per question with the choice that edits it, and Submit). The host attaches them to its
// replies; Telegram draws them as inline buttons (callback-data.ts maps the ids), the text form
// numbers them. What a chosen id means is decided here too (`inputOfChoice`), so every channel
// turns a pick into the same engine input with the same checks.
import type { EngineInput, EngineEvent, Progress, RenderHints, ReviewItem, SurveyState } from "../engine/index.js";
import type { AnswerValue, Question, Questionnaire } from "../questionnaire/index.js";
import { formatAnswer, formatNumber, localized } from "../channels/console/format.js";
import type { Choice } from "./output.js";

/** Channel texts by key (an i18next `t`). */
type Texts = (key: string, params?: Record<string, unknown>) => string;

/** What the views are built from: the questionnaire, its language, the channel's texts in it. */
export interface ViewContext {
  readonly questionnaire: Questionnaire;
  /** Questionnaire language (question and option texts). */
  readonly language: string;
  readonly t: Texts;
}

/** A choice that can be the current answer or ticked. */
export interface ViewChoice extends Choice {
  readonly selected?: boolean;
}

/**
 * A question as data. Choice ids: `option:<optionId>` (single), `toggle:<optionId>` (multi),
 * `scale:<value>` and `scale:na` (scale); actions `back`, `skip`, `done` (confirm a multi's ticks).
 */
export interface QuestionView {
  readonly questionId: string;
  /** 0-based index in the questionnaire (Telegram's buttons carry it). */
  readonly index: number;
  /** 1-based number among the unit's visible questions. */
  readonly number: number;
  readonly unit: string;
  readonly progress: Progress;
  /** Its section; `opens` when it is the section's first question or the survey's first. */
  readonly section: { readonly id: string; readonly title: string; readonly opens: boolean };
  readonly text: string;
  readonly help?: string;
  readonly required: boolean;
  readonly mode: "flow" | "edit";
  readonly hints: RenderHints;
  /** A scale's labelled values (e.g. its two ends), by value. */
  readonly scaleLabels?: Readonly<Record<string, string>>;
  readonly choices: readonly ViewChoice[];
  readonly actions: readonly Choice[];
  /** A typed answer is taken (every type in the text form; on Telegram, numbers and texts). */
  readonly freeText: boolean;
  /** The current answer (after back or edit), formatted; undefined when none. */
  readonly current?: AnswerValue;
  readonly currentText?: string;
}

/** One line of the review: the question, its answer as read, and the choice that edits it (`edit:<questionId>`). */
export interface ReviewLine extends ReviewItem {
  readonly index: number;
  readonly question: string;
  /** The answer as the respondent reads it, or the "missing"/"not answered" text. */
  readonly answer: string;
  readonly edit: Choice;
}

/** The review as data: every question's line with its edit target, the counts, and Submit. */
export interface ReviewView {
  readonly unit: string;
  readonly progress: Progress;
  readonly lines: readonly ReviewLine[];
  /** Required questions not answered (Submit is refused while any is). */
  readonly missing: number;
  readonly submit: Choice;
}

/** The question of a `question_shown` event as data. */
export function questionView(c: ViewContext, event: Extract<EngineEvent, { type: "question_shown" }>): QuestionView {
  const info = c.questionnaire.byId.get(event.questionId);
  if (!info) throw new Error(`bug: question ${event.questionId} is not in the questionnaire`);
  const { question, section } = info;
  const text = (value: Parameters<typeof localized>[0]) => localized(value, c.language, c.questionnaire);
  const actions: Choice[] = [];
  if (event.hints.type === "multi") actions.push(doneChoice(c, event.hints.selected.length));
  if (event.canGoBack && event.mode === "flow") actions.push({ id: "back", label: c.t("telegram:buttons.back") });
  if (!event.required) actions.push({ id: "skip", label: c.t("telegram:buttons.skip") });
  return {
    questionId: question.id,
    index: info.index,
    number: event.number,
    unit: event.unit,
    progress: event.progress,
    section: { id: section.id, title: text(section.title), opens: section.questions[0]?.id === question.id || event.number === 1 },
    text: text(question.text),
    ...(question.help ? { help: text(question.help) } : {}),
    required: event.required,
    mode: event.mode,
    hints: event.hints,
    ...(question.type === "scale" && question.labels ? { scaleLabels: Object.fromEntries(Object.entries(question.labels).map(([v, l]) => [v, text(l)])) } : {}),
    choices: choicesOf(c, question, event.hints, event.current),
    actions,
    freeText: event.hints.type === "number" || event.hints.type === "text",
    ...(event.current !== undefined ? { current: event.current, currentText: answerText(c, question, event.current) } : {}),
  };
}

/** Confirms a multi question's ticks; its label counts them. */
export function doneChoice(c: Pick<ViewContext, "t">, ticked: number): Choice {
  return { id: "done", label: c.t("telegram:buttons.done", { count: ticked }) };
}

/** What a question offers to pick: its options (ticked or current marked) or scale values. */
export function choicesOf(c: ViewContext, question: Question, hints: RenderHints, current: AnswerValue | undefined): ViewChoice[] {
  const options = "options" in question ? question.options : [];
  const label = (id: string) => {
    const option = options.find((o) => o.id === id);
    return option ? localized(option.label, c.language, c.questionnaire) : id;
  };
  switch (hints.type) {
    case "single":
      return hints.options.map((o) => ({ id: `option:${o.id}`, label: label(o.id), ...(current === o.id ? { selected: true } : {}) }));
    case "multi":
      return hints.options.map((o) => ({ id: `toggle:${o.id}`, label: label(o.id), ...(hints.selected.includes(o.id) ? { selected: true } : {}) }));
    case "scale":
      return [
        ...hints.values.map((v) => ({ id: `scale:${v}`, label: formatNumber(v, c.language), ...(current === v ? { selected: true } : {}) })),
        ...(hints.allowNotApplicable ? [{ id: "scale:na", label: c.t("survey:notApplicable"), ...(current === "na" ? { selected: true } : {}) }] : []),
      ];
    case "number":
    case "text":
      return [];
  }
}

/** The review of a `review_shown` event as data. */
export function reviewView(c: ViewContext, event: Extract<EngineEvent, { type: "review_shown" }>): ReviewView {
  const lines = event.items.flatMap((item): ReviewLine[] => {
    const info = c.questionnaire.byId.get(item.questionId);
    if (!info) return [];
    const answer = item.value !== undefined ? answerText(c, info.question, item.value) : item.missing ? c.t("survey:answer.missing") : c.t("survey:answer.none");
    return [
      {
        ...item,
        index: info.index,
        question: localized(info.question.text, c.language, c.questionnaire),
        answer,
        edit: { id: `edit:${item.questionId}`, label: c.t("telegram:buttons.edit", { number: item.number }) },
      },
    ];
  });
  return { unit: event.unit, progress: event.progress, lines, missing: event.items.filter((i) => i.missing).length, submit: { id: "submit", label: c.t("telegram:buttons.submit") } };
}

/** An answer as the respondent reads it. */
export function answerText(c: ViewContext, question: Question, value: AnswerValue): string {
  return formatAnswer(question, value, c.language, c.questionnaire, c.t("survey:answer.notApplicable"));
}

/**
 * The engine input a picked choice means where the respondent is, or undefined when it is not for
 * there (a stale or forged pick). `questionId`: the question the choice was offered for (Telegram's
 * buttons name it); a pick of a question's choice counts only while that question is the current one,
 * an attestation choice only at the attestation.
 */
export function inputOfChoice(questionnaire: Questionnaire, position: SurveyState["position"], choiceId: string, questionId?: string): EngineInput | undefined {
  const [kind, ...rest] = choiceId.split(":");
  const arg = rest.length > 0 ? rest.join(":") : undefined;
  if (kind === "attestation") return position.kind === "attestation" && (arg === "yes" || arg === "no") ? { type: arg === "yes" ? "accept_attestation" : "decline_attestation" } : undefined;
  if (kind === "submit") return arg === undefined && position.kind === "review" ? { type: "submit" } : undefined;
  if (kind === "review") return arg === undefined ? { type: "review" } : undefined;
  if (kind === "edit") {
    const target = arg ?? questionId;
    return target !== undefined && position.kind === "review" && questionnaire.byId.has(target) ? { type: "edit", questionId: target } : undefined;
  }
  if (position.kind !== "question" || (questionId !== undefined && position.questionId !== questionId)) return undefined;
  const current = position.questionId;
  const question = questionnaire.byId.get(current)?.question;
  if (!question) return undefined;
  const hasOption = (id: string | undefined): id is string => id !== undefined && "options" in question && question.options.some((o) => o.id === id);
  switch (kind) {
    case "option":
      return question.type === "single" && hasOption(arg) ? { type: "choose", questionId: current, choice: { kind: "option", optionId: arg } } : undefined;
    case "toggle":
      return question.type === "multi" && hasOption(arg) ? { type: "toggle", questionId: current, optionId: arg } : undefined;
    case "scale": {
      if (question.type !== "scale" || arg === undefined) return undefined;
      const value = arg === "na" ? "na" : /^-?\d{1,3}$/.test(arg) ? Number(arg) : undefined;
      return value !== undefined ? { type: "choose", questionId: current, choice: { kind: "scale", value } } : undefined;
    }
    case "done":
      return question.type === "multi" && arg === undefined ? { type: "confirm_selection", questionId: current } : undefined;
    case "skip":
      return arg === undefined ? { type: "skip", questionId: current } : undefined;
    case "back":
      return arg === undefined && position.mode === "flow" ? { type: "back" } : undefined;
    default:
      return undefined;
  }
}

/** "4–25", "2, 5–7, 9": question numbers as ranges; past six ranges the rest is "…". */
export function numberRanges(numbers: readonly number[]): string {
  const sorted = [...new Set(numbers)].sort((a, b) => a - b);
  const ranges: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    ranges.push(j > i ? `${sorted[i]}–${sorted[j]}` : String(sorted[i]));
    i = j + 1;
  }
  return ranges.length > 6 ? `${ranges.slice(0, 6).join(", ")}, …` : ranges.join(", ");
}
