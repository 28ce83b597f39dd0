import type { EngineEvent, ReviewItem, ValidationParams, ValidationReason } from "../../engine/index.js";
import { isSupportedLanguage, type I18n } from "../../i18n/index.js";
import type { Question, Questionnaire } from "../../questionnaire/index.js";
import { NOT_APPLICABLE } from "../../questionnaire/index.js";
import { renderText, type Choice } from "../../conversation/output.js";
import { attestationPrompt } from "../../conversation/prompts.js";
import { progressLabel, reviewProgressLabel } from "../../conversation/progress.js";
import { numberRanges, questionView, reviewView, type QuestionView } from "../../conversation/views.js";
import { formatDateTime, formatNumber, localized, numberHint, truncate } from "./format.js";

/** One event's lines; a prompt's choices apart, numbered when flattened (`  1. label`). */
type Part = { readonly lines: readonly string[] } | { readonly before: readonly string[]; readonly choices: readonly Choice[]; readonly after: readonly string[] };

/** Rendered events with the last prompt's choices as data: `text` lines, then the choices, then `hint` lines. */
export interface RenderedParts {
  readonly text: string[];
  readonly choices?: readonly Choice[];
  readonly hint: string[];
}

/** Most texts remembered per i18next instance; all forgotten when full (a questionnaire's texts are a few hundred). */
const REMEMBERED_TEXTS = 4_000;
const remembered = new WeakMap<I18n, Map<string, string>>();

/**
 * `i18n.t(key, params)`, remembered: the renderer asks for the same texts with the same parameters
 * message after message (progress, hints, "optional"), and i18next's lookup and interpolation cost
 * about a tenth of an answer's handling. The texts are fixed once loaded, so the result depends only
 * on the instance, its current language, the key and the parameters.
 */
function translateRemembered(i18n: I18n, key: string, params: Record<string, unknown>): string {
  let texts = remembered.get(i18n);
  if (!texts) remembered.set(i18n, (texts = new Map()));
  const id = `${i18n.language}\u0000${key}\u0000${JSON.stringify(params)}`;
  let text = texts.get(id);
  if (text === undefined) {
    text = i18n.t(key, params);
    if (texts.size >= REMEMBERED_TEXTS) texts.clear();
    texts.set(id, text);
  }
  return text;
}

/** Time zone of Vietnamese public administration: submission times are shown in it. */
export const DEFAULT_TIME_ZONE = "Asia/Ho_Chi_Minh";

/** Typed words of the console that are not translated (they are shown inside the translated help). */
export const CONSOLE_WORDS = { skip: "skip", edit: "edit", submit: "submit", review: "review", notApplicable: NOT_APPLICABLE } as const;

const REVIEW_TEXT_MAX = 90;

/** Options of `ConsoleRenderer`. */
export interface ConsoleRendererOptions {
  readonly questionnaire: Questionnaire;
  /** Its language follows the respondent's (`language_changed`). */
  readonly i18n: I18n;
  /** Display name of a subject unit id; default the id itself. */
  readonly unitName?: (unitId: string) => string;
  /** Default Asia/Ho_Chi_Minh. */
  readonly timeZone?: string;
  /**
   * Yes/no prompts (the attestation) as numbered choices answered by typing 1 or 2 (the messaging
   * channels' text form); default the yes/no words of the terminal.
   */
  readonly numberedYesNo?: boolean;
  /** Restored state of a renderer that does not live across messages: the last section shown and the last review. */
  readonly lastSection?: string;
  readonly lastReview?: readonly ReviewItem[];
  /** The respondent's language to start with (default the questionnaire's). */
  readonly language?: string;
}

/**
 * Turns engine events into the lines a respondent reads in a terminal, in the respondent's language.
 * It remembers the last review (so `edit <n>` and refusals can name questions by number).
 */
export class ConsoleRenderer {
  readonly #q: Questionnaire;
  readonly #i18n: I18n;
  readonly #unitName: (unitId: string) => string;
  readonly #timeZone: string;
  #language: string;
  #lastSection: string | undefined;
  #unitCount = 1;
  #review: readonly ReviewItem[] | undefined;

  constructor(options: ConsoleRendererOptions) {
    this.#q = options.questionnaire;
    this.#i18n = options.i18n;
    this.#unitName = options.unitName ?? ((id) => id);
    this.#timeZone = options.timeZone ?? DEFAULT_TIME_ZONE;
    this.#language = options.language ?? options.questionnaire.defaultLanguage;
    this.#numbered = options.numberedYesNo ?? false;
    this.#lastSection = options.lastSection;
    this.#review = options.lastReview;
  }

  readonly #numbered: boolean;

  /** Number of the question the events being rendered show (a refused submit says where it goes). */
  #shownNext: number | undefined;

  /** The section whose title was shown last (a renderer rebuilt per message keeps it in its session). */
  get lastSection(): string | undefined {
    return this.#lastSection;
  }

  /** The respondent's language (a questionnaire language); sets the texts of the channel too. */
  setLanguage(language: string): void {
    this.#language = language;
    // A questionnaire language we have no channel texts for keeps the default (Vietnamese) texts.
    if (isSupportedLanguage(language)) void this.#i18n.changeLanguage(language);
  }

  get language(): string {
    return this.#language;
  }

  /** Items of the review last shown, for `edit <n>`; undefined before any review. */
  get lastReview(): readonly ReviewItem[] | undefined {
    return this.#review;
  }

  /** Lines for the given events, in order. */
  render(events: readonly EngineEvent[]): string[] {
    this.#shownNext = nextShown(events);
    return events.flatMap((event) => flatten(this.#event(event)));
  }

  /** The same lines as `render`, with the choices of the last prompt among them kept as data. */
  renderParts(events: readonly EngineEvent[]): RenderedParts {
    this.#shownNext = nextShown(events);
    const parts = events.map((event) => this.#event(event));
    const last = parts.findLastIndex((p) => "choices" in p);
    if (last < 0) return { text: parts.flatMap(flatten), hint: [] };
    const prompt = parts[last] as Extract<Part, { choices: unknown }>;
    return { text: [...parts.slice(0, last).flatMap(flatten), ...prompt.before], choices: prompt.choices, hint: [...prompt.after, ...parts.slice(last + 1).flatMap(flatten)] };
  }

  /** Translated channel text (`ns:key`), remembered per i18next instance, language, key and parameters. */
  t(key: string, params: Record<string, unknown> = {}): string {
    return translateRemembered(this.#i18n, key, params);
  }

  /** The translated help: one line per command. */
  help(): string[] {
    // `edit N` works at any question (src/conversation/edit.ts), as the bots' help says.
    const keys = ["back", "review", "editAnywhere", "skip", "submit", "lang", "quit", "help"];
    return [this.t("console:help.title"), ...keys.map((k) => `  ${this.t(`console:help.${k}`)}`)];
  }

  #event(event: EngineEvent): Part {
    if (event.type === "question_shown") return this.#question(event);
    if (event.type === "attestation_shown" && this.#numbered) {
      const text = this.#q.definition.attestation;
      const prompt = attestationPrompt((key, params) => this.t(key, params), text ? localized(text, this.#language, this.#q) : undefined);
      return { before: ["", prompt.text], choices: prompt.choices!, after: [prompt.hint!] };
    }
    return { lines: this.#eventLines(event) };
  }

  #eventLines(event: EngineEvent): string[] {
    const t = (key: string, params: Record<string, unknown> = {}) => this.t(key, params);
    switch (event.type) {
      case "survey_started": {
        this.setLanguage(event.language);
        this.#unitCount = event.units.length;
        const intro = this.#q.definition.intro;
        return [localized(this.#q.definition.title, this.#language, this.#q), ...(intro ? [localized(intro, this.#language, this.#q)] : []), t("console:helpShort")];
      }
      case "attestation_shown": {
        const text = this.#q.definition.attestation;
        // The bots' prompt (numbered choices answered by 1 or 2), so the preview shows what respondents see.
        return ["", ...renderText(attestationPrompt(t, text ? localized(text, this.#language, this.#q) : undefined)).split("\n")];
      }
      case "attestation_accepted":
        return [t("access:attestation.accepted")];
      case "attestation_declined":
        return [t("access:attestation.declined")];
      case "unit_started":
        this.#unitCount = event.unitCount;
        this.#lastSection = undefined;
        return event.unitCount > 1 ? ["", t("unitStarted", { unit: this.#unitName(event.unit), unitNumber: event.unitIndex + 1, unitCount: event.unitCount })] : [];
      case "question_shown":
        return flatten(this.#question(event));
      case "answer_recorded":
      case "selection_changed":
        return [];
      case "question_skipped":
        return [t("skipped")];
      case "answer_discarded":
        return event.reason === "skipped" ? [t("skipped")] : [];
      case "validation_failed":
        return [this.validationMessage(event.questionId, event.reason, event.params)];
      case "review_shown":
        return this.#reviewLines(event);
      case "submit_refused": {
        // Short on purpose: the walk shows each question in turn; a list of every text ran to thousands of characters.
        const count = event.missing.length;
        const questions = t("submitRefusedQuestions", { count, ranges: numberRanges(event.missing.map((id) => this.#numberOf(id))) });
        const first = this.#shownNext ?? this.#numberOf(event.missing[0]!);
        return ["", t("submitRefusedShort", { count, questions, number: first })];
      }
      case "unit_submitted": {
        if (this.#unitCount <= 1) return [];
        return ["", t("unitSubmitted", { unit: this.#unitName(event.unit), ...formatDateTime(event.at, this.#language, this.#timeZone) })];
      }
      case "completed":
        return ["", t("thanks", formatDateTime(event.at, this.#language, this.#timeZone))];
      case "language_changed":
        this.setLanguage(event.language);
        this.#lastSection = undefined;
        return [t("languageChanged")];
      case "input_rejected":
        if (event.reason === "required") return [this.#requiredSkip(event.questionId)];
        return [t(`rejected.${event.reason}`)];
    }
  }

  /** A required question cannot be skipped: say what to do instead (the "cannot judge" word where the scale has it). */
  #requiredSkip(questionId: string | undefined): string {
    const question = questionId !== undefined ? this.#q.byId.get(questionId)?.question : undefined;
    if (question?.type === "scale" && question.allowNotApplicable) return this.t("rejected.requiredNa", { naCode: CONSOLE_WORDS.notApplicable });
    return this.t("rejected.requiredNext");
  }

  /** The yes and no words of the current language, for yes/no prompts. */
  yesNo(): { yes: string; no: string } {
    return { yes: this.t("console:yes"), no: this.t("console:no") };
  }

  /** The message of a validation reason code, its numbers in the respondent's format. */
  validationMessage(questionId: string, reason: ValidationReason, params: ValidationParams): string {
    const question = this.#q.byId.get(questionId)?.question;
    const num = (n: number | undefined) => (n === undefined ? undefined : formatNumber(n, this.#language));
    const fromQuestion = question ? this.#limits(question) : {};
    const merged = { ...fromQuestion, ...params };
    const count = reason === "too_few_selected" ? merged.minSelect : reason === "too_many_selected" ? merged.maxSelect : undefined;
    // The example fits the question: a whole number where decimals are refused; the "cannot judge" word where the scale offers it.
    const key =
      reason === "not_a_number" && question?.type === "number" && question.integer === true
        ? "not_a_number_integer"
        : reason === "out_of_range" && question?.type === "scale" && question.allowNotApplicable
          ? "out_of_range_na"
          : reason;
    return this.t(`validation.${key}`, {
      naCode: CONSOLE_WORDS.notApplicable,
      ...merged,
      min: num(merged.min),
      max: num(merged.max),
      ...(count !== undefined ? { count } : {}),
    });
  }

  #limits(question: Question): ValidationParams {
    switch (question.type) {
      case "single":
        return { optionCount: question.options.length };
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

  /** A question, drawn from its view (the host's data): its options as choices, hints after them. */
  #question(event: Extract<EngineEvent, { type: "question_shown" }>): Part {
    if (!this.#q.byId.has(event.questionId)) return { lines: [] };
    const view = questionView({ questionnaire: this.#q, language: this.#language, t: (key, params) => this.t(key, params) }, event);
    const lines: string[] = [""];
    if (this.#lastSection !== view.section.id) {
      lines.push(`── ${view.section.title} ──`);
      this.#lastSection = view.section.id;
    }
    const p = view.progress;
    // The counter of every channel (src/conversation/progress.ts says why it reads "of at most").
    lines.push(progressLabel((key, params) => this.t(key, params), view.number, p, this.#unitName(view.unit)));
    lines.push(view.text + (view.required ? "" : ` ${this.t("optional")}`));
    if (view.help !== undefined) lines.push(view.help);
    const after = this.#hintLines(view);
    if (!view.required) after.push(this.t("hint.skip", { command: CONSOLE_WORDS.skip }));
    if (view.currentText !== undefined) after.push(this.t("currentAnswer", { answer: view.currentText }));
    // Options are numbered choices; a scale is answered by typing its value, so its values are not.
    const numbered = view.hints.type === "single" || view.hints.type === "multi";
    return numbered ? { before: lines, choices: view.choices.map(({ id, label }) => ({ id, label })), after } : { lines: [...lines, ...after] };
  }

  /** How to answer, after the choices: typed numbers for options, a scale's labels and range, a number's or text's limits. */
  #hintLines(view: QuestionView): string[] {
    const t = (key: string, params: Record<string, unknown> = {}) => this.t(key, params);
    const num = (n: number) => formatNumber(n, this.#language);
    const hints = view.hints;
    switch (hints.type) {
      case "single":
        return [hints.options.length === 2 ? t("hint.singleTwo") : t("hint.single", { count: hints.options.length })];
      case "multi": {
        const example = multiExample(hints.options.length, hints.minSelect, hints.maxSelect);
        return [
          hints.minSelect === hints.maxSelect
            ? t("hint.multiExact", { count: hints.minSelect, example })
            : t("hint.multiRange", { minSelect: hints.minSelect, maxSelect: hints.maxSelect, example }),
        ];
      }
      case "scale": {
        const labels = view.scaleLabels ?? {};
        const lines = hints.labelled.map((v) => `  ${num(v)} = ${labels[String(v)] ?? ""}`);
        if (hints.allowNotApplicable) lines.push(`  ${CONSOLE_WORDS.notApplicable} = ${t("notApplicable")}`);
        lines.push(
          hints.allowNotApplicable
            ? t("hint.scaleNotApplicable", { min: num(hints.min), max: num(hints.max), naCode: CONSOLE_WORDS.notApplicable })
            : t("hint.scale", { min: num(hints.min), max: num(hints.max) }),
        );
        return lines;
      }
      case "number":
        return [numberHint(t, hints, this.#language)];
      case "text":
        return [t("hint.text", { maxLength: hints.maxLength })];
    }
  }

  /** The review, drawn from its view (the host's data): each line's number is what `edit <n>` takes. */
  #reviewLines(event: Extract<EngineEvent, { type: "review_shown" }>): string[] {
    const view = reviewView({ questionnaire: this.#q, language: this.#language, t: (key, params) => this.t(key, params) }, event);
    this.#review = event.items;
    this.#lastSection = undefined;
    const lines = ["", view.progress.unitCount > 1 ? this.t("review.titleUnit", { unit: this.#unitName(view.unit) }) : this.t("review.title")];
    for (const line of view.lines) {
      const answer = line.value !== undefined ? truncate(line.answer, REVIEW_TEXT_MAX) : line.answer;
      lines.push(`${String(line.number).padStart(3)}. ${truncate(line.question, REVIEW_TEXT_MAX)}`, `     → ${answer}`);
    }
    // The total the question counter names (the host's, progress.ts): "2/tối đa 30" mid-survey.
    lines.push(reviewProgressLabel((key, params) => this.t(key, params), view.progress));
    if (view.missing > 0) lines.push(this.t("review.missingCount", { count: view.missing }));
    lines.push(this.t("review.edit", { editCommand: CONSOLE_WORDS.edit, submitCommand: CONSOLE_WORDS.submit }));
    // A way on besides editing one by one: typing a number here edits that question and comes back.
    if (view.missing > 0) lines.push(this.t("review.continueMissing"));
    return lines;
  }

  #numberOf(questionId: string): number {
    const fromReview = this.#review?.find((i) => i.questionId === questionId)?.number;
    return fromReview ?? (this.#q.byId.get(questionId)?.index ?? 0) + 1;
  }
}

/** An example answer for a multi question: "1,3" for most, spread over the options, within the limits. */
export function multiExample(optionCount: number, minSelect: number, maxSelect: number): string {
  const k = Math.max(minSelect, Math.min(2, maxSelect));
  const spread = Array.from({ length: k }, (_, i) => 1 + 2 * i);
  const numbers = spread[spread.length - 1]! <= optionCount ? spread : Array.from({ length: k }, (_, i) => i + 1);
  return numbers.join(",");
}

/** The first question the events show, if any. */
function nextShown(events: readonly EngineEvent[]): number | undefined {
  const shown = events.find((e) => e.type === "question_shown");
  return shown?.type === "question_shown" ? shown.number : undefined;
}

/** One event's lines with its choices numbered from 1. */
function flatten(part: Part): string[] {
  if ("lines" in part) return [...part.lines];
  return [...part.before, ...part.choices.map((c, i) => `  ${i + 1}. ${c.label}`), ...part.after];
}
