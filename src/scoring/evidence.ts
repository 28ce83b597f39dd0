// A flag's evidence as data: the rules give keyed parts with their figures (and, where a rule quotes
// them, the answers), and each front end says them in its reader's language through i18next
// (`flags:evidence.<key>`). The English text `khaosat flags` prints, its CSV and JSON included, is
// made from the same keys (locales/en/flags.json), answers quoted, figures as the rules always
// wrote them.
import { createI18n, type I18n } from "../i18n/i18n.js";
import type { EvidenceKey, EvidenceParam, EvidencePart, FlagEvidence } from "./types.js";

/** How figures, durations and answers are written: the CLI's English, or the console's language. */
export interface EvidenceStyle {
  /** A figure; `digits` fixed decimals where the rule writes them so (the person-fit distance). */
  readonly number: (value: number, digits?: number) => string;
  /** A duration in whole seconds. */
  readonly duration: (seconds: number) => string;
  /** Whether answers are quoted (attention checks' and pairs' values, the overall mark): the console shows none. */
  readonly quoteAnswers: boolean;
}

/** A translation function of any namespace (keys are given with theirs). */
export type EvidenceTranslate = (key: string, options?: Record<string, unknown>) => string;

/** Figures written with fixed decimals, by part and parameter. */
const DIGITS: Partial<Record<EvidenceKey, Readonly<Record<string, number>>>> = { personFit: { ratio: 1 } };
/** Parts whose text quotes answers in their `<key>Quoted` form. */
const QUOTING: ReadonlySet<EvidenceKey> = new Set(["attention", "pairs", "overallOrdinary"]);
/** Parameters that are durations in whole seconds. */
const DURATIONS: Partial<Record<EvidenceKey, readonly string[]>> = { duration: ["took", "median"] };

/** "9m 30s" or "45s" (what the duration rule always wrote). */
export function formatSeconds(seconds: number): string {
  const whole = Math.round(seconds);
  const m = Math.floor(whole / 60);
  return m > 0 ? `${m}m ${String(whole % 60).padStart(2, "0")}s` : `${whole}s`;
}

/** The CLI's English: figures as JavaScript writes them, durations as "9m 30s", answers quoted. */
export const CLI_STYLE: EvidenceStyle = {
  number: (value, digits) => (digits === undefined ? String(value) : value.toFixed(digits)),
  duration: formatSeconds,
  quoteAnswers: true,
};

function part(t: EvidenceTranslate, p: EvidencePart, style: EvidenceStyle): string {
  const values: Record<string, unknown> = {};
  const digits = DIGITS[p.key];
  const durations = DURATIONS[p.key];
  for (const [name, value] of Object.entries(p.params)) values[name] = param(t, name, value, style, digits?.[name], durations?.includes(name) ?? false);
  // Plural forms need the count as a number.
  if (p.key === "weak") values.count = p.params.count;
  if (p.key === "pair") values.context = p.params.relation;
  const quoted = style.quoteAnswers && QUOTING.has(p.key);
  return t(`flags:evidence.${p.key}${quoted ? "Quoted" : ""}`, values);
}

function param(t: EvidenceTranslate, name: string, value: EvidenceParam, style: EvidenceStyle, digits: number | undefined, duration: boolean): unknown {
  if (typeof value === "number") return duration ? style.duration(value) : style.number(value, digits);
  if (typeof value === "string") return value;
  if (value.length > 0 && typeof value[0] === "object") return (value as readonly EvidencePart[]).map((p) => part(t, p, style)).join("; ");
  // A list of accepted answers: "2 or 3".
  return (value as readonly string[]).join(t("flags:evidence.or"));
}

/** One rule's evidence parts as text in the language of `t` (parts joined by "; "). */
export function evidenceText(t: EvidenceTranslate, parts: readonly EvidencePart[], style: EvidenceStyle): string {
  return parts.map((p) => part(t, p, style)).join("; ");
}

let english: I18n | undefined;

/** The parts in the CLI's English (what `FlagEvidence.text` holds). */
export function englishEvidenceText(parts: readonly EvidencePart[]): string {
  english ??= createI18n({ language: "en" });
  const t = english.getFixedT("en");
  return evidenceText((key, options) => t(key, options), parts, CLI_STYLE);
}

/** A flag's evidence; its English `text` is made from the parts when first read (scoring never reads it). */
export function flagEvidence(flag: FlagEvidence["flag"], rule: FlagEvidence["rule"], parts: readonly EvidencePart[]): FlagEvidence {
  const evidence = { flag, rule, parts } as { flag: FlagEvidence["flag"]; rule: FlagEvidence["rule"]; parts: readonly EvidencePart[]; text: string };
  Object.defineProperty(evidence, "text", {
    enumerable: true,
    configurable: true,
    get(this: FlagEvidence): string {
      const text = englishEvidenceText(parts);
      Object.defineProperty(this, "text", { value: text, enumerable: true, writable: false, configurable: false });
      return text;
    },
  });
  return evidence;
}
