import { z } from "zod";
import { optionId, questionId } from "./types/common.js";
import type { Finding, IssuePath } from "./paths.js";
import { hint, said } from "./problem.js";

// The optional `quality` block of a questionnaire (an extension of SURVEY-FORMAT section 1): the
// thresholds of the careless-answer flags, attention checks and consistency pairs. docs/flags.md
// explains each field to organisers. Every field has a default, so the block is optional.

const share = (what: string) => z.number().gt(0, `${what} must be greater than 0`).max(1, `${what} is a share: at most 1`);
const count = (what: string, min: number) => z.number().int(`${what} must be a whole number`).min(min, `${what} must be at least ${min}`);

/** Reading-speed floor of per-question times. */
export const readingQuality = z.strictObject({
  /** Characters a fast reader takes in per second, per language; default 30 for every language. */
  charactersPerSecond: z.record(z.string(), z.number().positive("charactersPerSecond must be greater than 0")).optional(),
  /** The floor of every question, however short its text (seconds to see it and press a button). */
  minSeconds: z.number().min(0, "minSeconds cannot be negative").default(1),
  /** Share of a response's timed questions answered under their floor that raises `speeder`. */
  share: share("reading.share").default(0.3),
  /** Fewest timed questions before the rule applies. */
  minQuestions: count("reading.minQuestions", 1).default(5),
});

/** Straight-lining on judgement questions (long-string index). */
export const straightlineQuality = z.strictObject({
  /** Fewest judgement answers (not "cannot judge") before the rule applies. */
  minAnswers: count("straightline.minAnswers", 2).default(10),
  /** Flag when the most frequent answer position takes at least this share of the judgement answers. */
  maxSameShare: share("straightline.maxSameShare").default(0.7),
  /** Flag when this many judgement answers in a row sit at the same position. */
  maxRun: count("straightline.maxRun", 2).default(12),
  /**
   * Spare sameness the unit explains: flag only when fewer than this share of genuine respondents of
   * the unit, generous or strict ones included, would answer that uniformly (1 turns the comparison off).
   */
  rarity: share("straightline.rarity").default(0.005),
  /** Fewest other responses of the unit before its answers are the comparison (else the campaign's are). */
  minPeers: count("straightline.minPeers", 1).default(5),
  /** Question ids that are not judgements (e.g. an overall mark); the satisfaction overallQuestion is always left out. */
  ignore: z.array(questionId).default([]),
});

/** An instructed-response question: any answer outside `accept` fails the check. */
export const attentionCheck = z.strictObject({
  question: questionId,
  /** Accepted answers: option ids (single) or scale values. */
  accept: z.array(optionId).min(1, "accept lists at least one answer"),
});

/** Two questions that should get matching (same) or mirrored (reverse) answers. */
export const consistencyPair = z.strictObject({
  a: questionId,
  b: questionId,
  relation: z.enum(["same", "reverse"]).default("same"),
  /** Largest difference in answer positions that still counts as consistent. */
  tolerance: z.number().int("tolerance must be a whole number").min(0, "tolerance cannot be negative").default(1),
});

/** Person-fit: distance of a response's answer pattern from its unit and group. */
export const personFitQuality = z.strictObject({
  enabled: z.boolean().default(true),
  /** Flag when the distance is this many times the campaign's median distance. */
  ratio: z.number().gt(1, "personFit.ratio must be greater than 1").default(2.8),
  /** Fewest judgement answers of the response, and fewest other responses of its unit and group. */
  minAnswers: count("personFit.minAnswers", 3).default(10),
  minPeers: count("personFit.minPeers", 2).default(5),
});

export const qualitySchema = z.strictObject({
  reading: readingQuality.prefault({}),
  straightline: straightlineQuality.prefault({}),
  attentionChecks: z.array(attentionCheck).default([]),
  /** Failed attention checks that raise `attention` on their own (one failure alone needs a second sign). */
  attentionFailures: count("attentionFailures", 1).default(2),
  pairs: z.array(consistencyPair).default([]),
  /** Broken pairs that raise `inconsistent`; default 2, or 1 when only one pair is declared. */
  inconsistentPairs: count("inconsistentPairs", 1).optional(),
  personFit: personFitQuality.prefault({}),
  /**
   * An overall mark (single or scale question) compared with the detailed answers: uniform detailed
   * answers with an ordinary overall mark are a weak sign. Default: the satisfaction overallQuestion.
   */
  overall: questionId.optional(),
});
export type Quality = z.infer<typeof qualitySchema>;

/** The thresholds used when a questionnaire has no `quality` block. */
export const DEFAULT_QUALITY: Quality = qualitySchema.parse({});

type Rec = Record<string, unknown>;

const UNKNOWN = { attentionCheck: "quality.attentionCheck.unknown", overall: "quality.overall.unknown", pair: "quality.pair.unknown" } as const;
const NOT_JUDGED = { attentionCheck: "quality.attentionCheck.notJudged", overall: "quality.overall.notJudged", pair: "quality.pair.notJudged" } as const;
const isRecord = (v: unknown): v is Rec => v !== null && typeof v === "object" && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

interface QuestionRef {
  readonly q: Rec;
  readonly id: string | undefined;
  readonly type: string | undefined;
}

/**
 * Cross-field rules of the `quality` block: referenced questions exist and are single or scale
 * questions, accepted answers are options or values of the question, a pair joins two different ones.
 */
export function checkQualityRules(data: Rec, questions: readonly QuestionRef[], out: Finding[]): void {
  const quality = data.quality;
  if (!isRecord(quality)) return;
  const ids = questions.flatMap((q) => (q.id ? [q.id] : []));
  // `what` names the problem's keys: quality.<what>.unknown and quality.<what>.notJudged.
  const judged = (path: IssuePath, id: unknown, what: "attentionCheck" | "overall" | "pair"): QuestionRef | undefined => {
    if (typeof id !== "string") return undefined;
    const target = questions.find((q) => q.id === id);
    if (!target) {
      out.push({ path, ...said(UNKNOWN[what], { id, hint: hint(id, ids) }) });
      return undefined;
    }
    if (target.type !== "single" && target.type !== "scale") {
      out.push({ path, ...said(NOT_JUDGED[what], { id, type: String(target.type) }) });
      return undefined;
    }
    return target;
  };
  if (isRecord(quality.straightline)) {
    list(quality.straightline.ignore).forEach((id, i) => {
      if (typeof id === "string" && !ids.includes(id)) {
        out.push({ path: ["quality", "straightline", "ignore", i], ...said("quality.ignoreUnknown", { id, hint: hint(id, ids) }) });
      }
    });
  }
  const checked = new Set<string>();
  list(quality.attentionChecks).forEach((c, i) => {
    if (!isRecord(c)) return;
    const target = judged(["quality", "attentionChecks", i, "question"], c.question, "attentionCheck");
    if (!target || !target.id) return;
    const id = target.id;
    if (checked.has(target.id)) out.push({ path: ["quality", "attentionChecks", i, "question"], ...said("quality.attentionCheckTwice", { id: target.id }) });
    checked.add(target.id);
    list(c.accept).forEach((a, j) => {
      const answer = typeof a === "number" ? String(a) : a;
      if (typeof answer !== "string") return;
      if (target.type === "single") {
        const options = list(target.q.options).flatMap((o) => (isRecord(o) && (typeof o.id === "string" || typeof o.id === "number") ? [String(o.id)] : []));
        if (!options.includes(answer)) {
          out.push({ path: ["quality", "attentionChecks", i, "accept", j], ...said("quality.acceptNotOption", { answer, id, options: options.join(", ") }) });
        }
      } else {
        const n = Number(answer);
        const min = typeof target.q.min === "number" ? target.q.min : Number.NEGATIVE_INFINITY;
        const max = typeof target.q.max === "number" ? target.q.max : Number.POSITIVE_INFINITY;
        if (!(answer === "na" && target.q.allowNotApplicable === true) && !(Number.isInteger(n) && n >= min && n <= max)) {
          out.push({ path: ["quality", "attentionChecks", i, "accept", j], ...said("quality.acceptNotScaleValue", { answer, id, min: String(target.q.min), max: String(target.q.max) }) });
        }
      }
    });
  });
  if (quality.overall !== undefined) judged(["quality", "overall"], quality.overall, "overall");
  list(quality.pairs).forEach((p, i) => {
    if (!isRecord(p)) return;
    const a = judged(["quality", "pairs", i, "a"], p.a, "pair");
    const b = judged(["quality", "pairs", i, "b"], p.b, "pair");
    if (a && b && a.id === b.id) out.push({ path: ["quality", "pairs", i, "b"], ...said("quality.pairSameQuestion", { id: a.id ?? "" }) });
  });
}
