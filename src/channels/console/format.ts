import type { RenderHints } from "../../engine/index.js";
import type { AnswerValue, LocalizedText, Question, Questionnaire } from "../../questionnaire/index.js";
import { NOT_APPLICABLE } from "../../questionnaire/index.js";

/** Text of the questionnaire in `language`, falling back to its default language. */
export function localized(text: LocalizedText, language: string, questionnaire: Questionnaire): string {
  return text[language] ?? text[questionnaire.defaultLanguage] ?? Object.values(text)[0] ?? "";
}

/** BCP 47 locale of a respondent language, for numbers and dates. */
export function localeOf(language: string): string {
  return language === "vi" ? "vi-VN" : language === "en" ? "en-GB" : language;
}

/** Number formats by locale (the questionnaires' languages: a handful; bounded all the same). */
const NUMBER_FORMATS = new Map<string, Intl.NumberFormat>();

/** A number as the respondent writes it: `3,5` in Vietnamese, `3.5` in English, no grouping. */
export function formatNumber(value: number, language: string): string {
  const locale = localeOf(language);
  let format = NUMBER_FORMATS.get(locale);
  // One per locale (a handful): building one per number was a tenth of a question's rendering.
  if (!format) {
    if (NUMBER_FORMATS.size >= 64) NUMBER_FORMATS.clear();
    NUMBER_FORMATS.set(locale, (format = new Intl.NumberFormat(locale, { useGrouping: false, maximumFractionDigits: 10 })));
  }
  return format.format(value);
}


/** Time and date of an ISO timestamp in the campaign's time zone: `{ time: "14:05", date: "05/12/2026" }`. */
export function formatDateTime(iso: string, language: string, timeZone: string): { time: string; date: string } {
  const at = new Date(iso);
  const locale = localeOf(language);
  const time = dateTimeFormat(`${locale}|${timeZone}|time`, () => new Intl.DateTimeFormat(locale, { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" })).format(at);
  const date = dateTimeFormat(`${locale}|${timeZone}|date|${language === "vi"}`, () =>
    new Intl.DateTimeFormat(locale, language === "vi" ? { timeZone, day: "2-digit", month: "2-digit", year: "numeric" } : { timeZone, day: "numeric", month: "long", year: "numeric" }),
  ).format(at);
  return { time, date };
}

/** Formatters by locale, time zone and kind: building one with a time zone takes ~0.5 ms, four per submission. */
const FORMATS = new Map<string, Intl.DateTimeFormat>();

function dateTimeFormat(key: string, make: () => Intl.DateTimeFormat): Intl.DateTimeFormat {
  let format = FORMATS.get(key);
  if (!format) {
    // A few languages times the campaigns' time zones; bounded all the same.
    if (FORMATS.size >= 256) FORMATS.clear();
    FORMATS.set(key, (format = make()));
  }
  return format;
}

/** Shortens one-line text to `max` characters with an ellipsis (review lists, refusals). */
export function truncate(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  // No longer than `max` UTF-16 units: no longer than `max` characters either (most texts; no array of characters made).
  if (flat.length <= max) return flat;
  const characters = [...flat];
  return characters.length <= max ? flat : `${characters.slice(0, max - 1).join("").trimEnd()}…`;
}

/**
 * An answer as the respondent sees it: option labels, a scale value with its label, a localized number.
 * `notApplicable` is the translated "cannot judge".
 */
export function formatAnswer(question: Question, value: AnswerValue, language: string, questionnaire: Questionnaire, notApplicable: string): string {
  const label = (id: string) => {
    const option = "options" in question ? question.options.find((o) => o.id === id) : undefined;
    return option ? localized(option.label, language, questionnaire) : id;
  };
  switch (question.type) {
    case "single":
      return label(String(value));
    case "multi":
      return (Array.isArray(value) ? value : [String(value)]).map(label).join("; ");
    case "scale": {
      if (value === NOT_APPLICABLE) return notApplicable;
      const text = formatNumber(Number(value), language);
      const scaleLabel = question.labels?.[String(value)];
      return scaleLabel ? `${text} (${localized(scaleLabel, language, questionnaire)})` : text;
    }
    case "number":
      return formatNumber(Number(value), language);
    case "text":
      return String(value);
  }
}

/** The hint of a number question (its range, "whole number"), for every channel; `t` with the survey texts. */
export function numberHint(t: (key: string, params?: Record<string, unknown>) => string, hints: Extract<RenderHints, { type: "number" }>, language: string): string {
  const num = (n: number) => formatNumber(n, language);
  const range =
    hints.min !== undefined && hints.max !== undefined
      ? t("survey:hint.numberRange", { min: num(hints.min), max: num(hints.max) })
      : hints.min !== undefined
        ? t("survey:hint.numberMin", { min: num(hints.min) })
        : hints.max !== undefined
          ? t("survey:hint.numberMax", { max: num(hints.max) })
          : t("survey:hint.number");
  return hints.integer ? `${range} ${t("survey:hint.integer")}` : range;
}
