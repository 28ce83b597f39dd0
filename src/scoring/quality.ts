import { NOT_APPLICABLE, type AnswerValue, type Quality, type Question, type Questionnaire } from "../questionnaire/index.js";
import { medianInPlace, normalCdfFast, normalQuantile } from "../flags/normal.js";
import { ResponseTable, tableQuestions, UNKNOWN_OPTION, type AnswerColumn } from "./table.js";
import { flagEvidence } from "./evidence.js";
import type { EvidencePart, FlagEvidence, FlagKind, ScoringResponse } from "./types.js";

/** Seconds to one decimal, as the reading rule says them: 0.84 → 0.8. */
const oneDecimal = (seconds: number): number => Math.round(seconds * 10) / 10;

// The careless-answer rules that go beyond SURVEY-FORMAT 3.3 (docs/flags.md): reading speed per
// question, the long-string index on judgement questions judged against the unit's own answers,
// attention checks, consistency pairs and person-fit, and the rule that two weak signs together
// raise a flag that neither raises alone. Pure: thresholds come from the questionnaire's `quality`
// block. Linear in responses × questions: every answer is read once into a compact matrix, unit
// tallies are taken once, and the costly sums run only for the few responses that need them.

/** Characters per second a fast reader takes in when a language has no figure of its own. */
export const DEFAULT_CHARACTERS_PER_SECOND = 30;

/** Matrix code of a "cannot judge" answer (positions are 1..MAX_POSITION, 0 is no answer). */
const CANNOT_JUDGE = 255;
const MAX_POSITION = 254;

/** The questions that carry a judgement, in questionnaire order, with how to read an answer's position. */
export interface JudgementLookup {
  readonly ids: readonly string[];
  /** Per question: 1-based position of an answer among the judged options (or on the scale), 0 for "cannot judge", undefined for an unknown answer. */
  readonly position: readonly ((value: AnswerValue) => number | undefined)[];
  /** Per question: how many positions it has. */
  readonly levels: readonly number[];
}

/**
 * Judgement questions: scored single questions (points `maxPoints`, or options carrying scores) and
 * scale questions, minus the satisfaction overall question and `quality.straightline.ignore`.
 * Unscored single questions (yes/no, facts about the respondent) are left out.
 */
export function judgementLookup(questionnaire: Questionnaire, quality: Quality): JudgementLookup {
  const scoring = questionnaire.definition.scoring;
  const ignored = new Set(quality.straightline.ignore);
  if (scoring?.kind === "satisfaction" && scoring.overallQuestion !== undefined) ignored.add(scoring.overallQuestion);
  const ids: string[] = [];
  const position: ((value: AnswerValue) => number | undefined)[] = [];
  const levels: number[] = [];
  for (const { question } of questionnaire.questions) {
    if (ignored.has(question.id)) continue;
    const reader = positionReader(question);
    if (!reader) continue;
    if (question.type === "single") {
      const scored = question.options.filter((o) => o.score !== null).length;
      if (!(("maxPoints" in question && question.maxPoints !== undefined) || scored >= 2)) continue;
    }
    ids.push(question.id);
    position.push(reader.read);
    levels.push(reader.levels);
  }
  return { ids, position, levels };
}

/** How to read the position of an answer to a single or scale question; "cannot judge" is 0. */
function positionReader(question: Question): { read: (value: AnswerValue) => number | undefined; levels: number } | undefined {
  if (question.type === "single") {
    const positions = new Map<string, number>();
    let judged = 0;
    for (const o of question.options) positions.set(o.id, o.score === null ? 0 : Math.min(MAX_POSITION, ++judged));
    return { read: (value) => positions.get(String(value)), levels: Math.max(1, Math.min(MAX_POSITION, judged)) };
  }
  if (question.type === "scale") {
    const { min, max } = question;
    const levels = Math.max(1, Math.min(MAX_POSITION, max - min + 1));
    return { read: (value) => (value === NOT_APPLICABLE ? 0 : typeof value === "number" && value >= min && value <= max ? Math.min(levels, value - min + 1) : undefined), levels };
  }
  return undefined;
}

/**
 * Weak signs: below a rule's own limit, but raising a flag when a second, independent one agrees.
 * Each is a fixed fraction of the rule's limit (docs/flags.md, "two weak signs").
 */
export const WEAK_SIGN = {
  /** Share of questions under their reading floor, as a fraction of `reading.share`. */
  reading: 0.5,
  /** Rarity of the sameness, as a multiple of `straightline.rarity`. */
  rarity: 10,
  /** Person-fit distance, as a fraction of `personFit.ratio`. */
  misfit: 0.8,
  /** Overall mark short of what the detailed answers lead to expect, in standard deviations. */
  overall: 0.5,
} as const;

/** One bit per flag, for the counts scoring takes without building each response's evidence. */
export const FLAG_BIT = { speeder: 1, straightliner: 2, delegation: 4, attention: 8, inconsistent: 16, misfit: 32 } as const satisfies Record<FlagKind, number>;

const NONE: readonly FlagEvidence[] = Object.freeze([]);

export interface QualityFindings {
  /** Per response, in input order: the flags the extension rules raise ({@link FLAG_BIT}; `speeder` is the reading rule, `straightliner` the long-string rule). */
  readonly bits: Uint8Array;
  /** The extension rules' evidence of response `i`, in flag order (empty when nothing fired); built when asked for. */
  readonly evidence: (i: number) => readonly FlagEvidence[];
  /** Per response: the number of single and scale answers when all sit at one position (SURVEY-FORMAT 3.3), else 0. */
  readonly samePosition: Int32Array;
}

/** Slots of the strengths scratch array of {@link qualityFlags}: what each rule found on one response, 0 nothing, 1 a weak sign, 2 a flag on its own. */
const READING = 0;
const SAMENESS = 1;
const ATTENTION = 2;
const PAIRS = 3;
const MISFIT = 4;
const OVERALL = 5;
const WEAK = 6;

/**
 * The extension rules of every response: which flags they raise (bits), and the evidence of one
 * response when asked for. Reads the columns of the table scoring reads (objects are turned into
 * columns once).
 */
export function qualityFlags(questionnaire: Questionnaire, quality: Quality, judgement: JudgementLookup, given: readonly ScoringResponse[] | ResponseTable): QualityFindings {
  const responses = ResponseTable.of(given, tableQuestions(questionnaire));
  const answers = answerMatrix(questionnaire, judgement, responses);
  const reading = readingRule(questionnaire, quality, responses);
  const sameness = samenessRule(quality, judgement, answers);
  const overall = overallShortfall(questionnaire, quality, answers, sameness.lenient, responses);
  const misfit = quality.personFit.enabled ? personFit(quality, judgement, answers, responses) : undefined;
  const pairLimit = quality.inconsistentPairs ?? Math.min(2, quality.pairs.length);
  const pairs = quality.pairs.map((pair) => ({ pair, a: pairReader(questionnaire, pair.a), b: pairReader(questionnaire, pair.b), as: responses.column(pair.a), bs: responses.column(pair.b) }));
  const checks = quality.attentionChecks.map((check) => ({ check, answers: responses.column(check.question) }));

  /** Each rule's strength on response i, into `s` (slots above); the weak signs' count in s[WEAK]. */
  const judge = (i: number, s: Uint8Array): void => {
    const fast = reading.fast[i]!;
    const timed = reading.timed[i]!;
    s[READING] = fast === 0 ? 0 : fast >= quality.reading.share * timed ? 2 : fast >= WEAK_SIGN.reading * quality.reading.share * timed ? 1 : 0;
    const p = sameness.rarity[i]!;
    const samenessStrength = sameness.unjudged[i] === 1 ? 2 : !(p <= 1) ? 0 : p < quality.straightline.rarity ? 2 : p < WEAK_SIGN.rarity * quality.straightline.rarity ? 1 : 0;
    s[SAMENESS] = samenessStrength;
    let failed = 0;
    for (let c = 0; c < checks.length; c++) {
      const value = checks[c]!.answers[i];
      if (value !== undefined && !checks[c]!.check.accept.includes(String(value))) failed++;
    }
    s[ATTENTION] = failed === 0 ? 0 : failed >= quality.attentionFailures ? 2 : 1;
    let broken = 0;
    for (let c = 0; c < pairs.length; c++) {
      const { pair, a, b, as, bs } = pairs[c]!;
      const x = a?.(as[i]);
      const y = b?.(bs[i]);
      if (x === undefined || y === undefined) continue;
      const expected = pair.relation === "same" ? y.position : y.low + y.high - y.position;
      if (Math.abs(x.position - expected) > pair.tolerance) broken++;
    }
    // One misread reverse-worded question is common among genuine respondents (the most generous
    // ones above all): below the limit, broken pairs are no sign at all.
    s[PAIRS] = broken > 0 && broken >= pairLimit ? 2 : 0;
    const ratio = misfit === undefined ? Number.NaN : misfit[i]!;
    s[MISFIT] = !(ratio > 0) ? 0 : ratio >= quality.personFit.ratio ? 2 : ratio >= WEAK_SIGN.misfit * quality.personFit.ratio ? 1 : 0;
    // The overall mark is only a sign about sameness: ordinary while the detailed answers are uniform.
    s[OVERALL] = samenessStrength > 0 && overall[i]! >= WEAK_SIGN.overall ? 1 : 0;
    s[WEAK] = (s[READING] === 1 ? 1 : 0) + (samenessStrength === 1 ? 1 : 0) + (s[ATTENTION] === 1 ? 1 : 0) + (s[PAIRS] === 1 ? 1 : 0) + (s[MISFIT] === 1 ? 1 : 0) + s[OVERALL]!;
  };

  // A weak sign counts when a second one agrees; a flag on its own always counts.
  const raised = (strength: number, weak: number): boolean => strength === 2 || (strength === 1 && weak >= 2);
  const bits = new Uint8Array(responses.length);
  const s = new Uint8Array(7);
  for (let i = 0; i < responses.length; i++) {
    judge(i, s);
    const weak = s[WEAK]!;
    let f = 0;
    if (raised(s[READING]!, weak)) f |= FLAG_BIT.speeder;
    if (raised(s[SAMENESS]!, weak)) f |= FLAG_BIT.straightliner;
    if (raised(s[ATTENTION]!, weak)) f |= FLAG_BIT.attention;
    if (raised(s[PAIRS]!, weak)) f |= FLAG_BIT.inconsistent;
    if (raised(s[MISFIT]!, weak)) f |= FLAG_BIT.misfit;
    bits[i] = f;
  }

  const evidence = (i: number): readonly FlagEvidence[] => {
    if (bits[i] === 0) return NONE;
    const s = new Uint8Array(7);
    judge(i, s);
    const weak = s[WEAK]!;
    const together = (strength: number): EvidencePart[] => (strength === 1 ? [{ key: "weak", params: { count: weak - 1 } }] : []);
    const out: FlagEvidence[] = [];
    if (raised(s[READING]!, weak)) out.push(flagEvidence("speeder", "reading", [reading.describe(i), ...together(s[READING]!)]));
    if (raised(s[SAMENESS]!, weak)) {
      const mark: EvidencePart[] = s[OVERALL] === 1 ? [{ key: "overallOrdinary", params: { mark: String(responses.column(quality.overall ?? "")[i] ?? "") } }] : [];
      out.push(flagEvidence("straightliner", "long-string", [...sameness.describe(i), ...mark, ...together(s[SAMENESS]!)]));
    }
    if (raised(s[ATTENTION]!, weak)) {
      let failed = 0;
      let checked = 0;
      const details: EvidencePart[] = [];
      for (const { check, answers } of checks) {
        const value = answers[i];
        if (value === undefined) continue;
        checked++;
        if (check.accept.includes(String(value))) continue;
        failed++;
        details.push({ key: "attentionCheck", params: { question: check.question, answered: String(value), instructed: check.accept } });
      }
      out.push(flagEvidence("attention", "attention-check", [{ key: "attention", params: { failed, checked, checks: details } }, ...together(s[ATTENTION]!)]));
    }
    if (raised(s[PAIRS]!, weak)) {
      let broken = 0;
      let compared = 0;
      const details: EvidencePart[] = [];
      for (const { pair, a, b, as, bs } of pairs) {
        const x = a?.(as[i]);
        const y = b?.(bs[i]);
        if (x === undefined || y === undefined) continue;
        compared++;
        const expected = pair.relation === "same" ? y.position : y.low + y.high - y.position;
        if (Math.abs(x.position - expected) <= pair.tolerance) continue;
        broken++;
        details.push({ key: "pair", params: { a: pair.a, aValue: String(as[i]), b: pair.b, bValue: String(bs[i]), relation: pair.relation === "same" ? "same" : "reverse" } });
      }
      out.push(flagEvidence("inconsistent", "pairs", [{ key: "pairs", params: { broken, compared, details } }, ...together(s[PAIRS]!)]));
    }
    if (raised(s[MISFIT]!, weak)) {
      out.push(flagEvidence("misfit", "person-fit", [{ key: "personFit", params: { ratio: misfit![i]!, limit: quality.personFit.ratio } }, ...together(s[MISFIT]!)]));
    }
    return out;
  };
  return { bits, evidence, samePosition: answers.samePosition };
}

/**
 * Every response's judgement answers as positions, one row per response (0 none, 255 "cannot
 * judge"), and its unit; read in one pass over the single and scale answers, which also settles the
 * SURVEY-FORMAT 3.3 rule (`samePosition`: 8 or more single and scale answers, all at one position).
 */
interface AnswerMatrix {
  readonly n: number;
  readonly k: number;
  readonly cells: Uint8Array;
  readonly unit: Int32Array;
  readonly units: number;
  /** Per response: how many single and scale questions it answered when all at the same position, else 0. */
  readonly samePosition: Int32Array;
}

/** Fewest single and scale answers for the SURVEY-FORMAT 3.3 same-position rule. */
export const SAME_POSITION_MIN_ANSWERS = 8;

function answerMatrix(questionnaire: Questionnaire, judgement: JudgementLookup, responses: ResponseTable): AnswerMatrix {
  const n = responses.length;
  const k = judgement.ids.length;
  const cells = new Uint8Array(n * k);
  const unit = new Int32Array(n);
  const samePosition = new Int32Array(n);
  const units = ordinals(responses.units, unit);
  // Every single and scale question: its 3.3 position (option order, or the scale value) and, for a
  // judgement question, its column and judged position.
  const column = new Map(judgement.ids.map((id, q) => [id, q]));
  const columns: number[] = [];
  // Single questions are read as option codes (shared with points scoring): per question, the judged
  // position of each option code (CANNOT_JUDGE for a null score). Scale questions by value (a single
  // question's answers are not asked for: a table over objects keeps only its codes).
  const codes: (Uint16Array | undefined)[] = [];
  const judgedOf: Uint8Array[] = [];
  const scaleMin: number[] = [];
  const scaleMax: number[] = [];
  const values: AnswerColumn[] = [];
  for (const { question } of questionnaire.questions) {
    if (question.type !== "single" && question.type !== "scale") continue;
    columns.push(column.get(question.id) ?? -1);
    if (question.type === "single") {
      let judged = 0;
      judgedOf.push(Uint8Array.from([0, ...question.options.map((o) => (o.score === null ? CANNOT_JUDGE : Math.min(MAX_POSITION, ++judged)))]));
      codes.push(responses.optionCodes(question.id, question.options));
      scaleMin.push(0);
      scaleMax.push(-1);
      values.push([]);
    } else {
      judgedOf.push(new Uint8Array(0));
      codes.push(undefined);
      scaleMin.push(question.min);
      scaleMax.push(question.max);
      values.push(responses.column(question.id));
    }
  }
  fillMatrix(k, codes, judgedOf, values, scaleMin, scaleMax, columns, cells, samePosition);
  return { n, k, cells, unit, units, samePosition };
}

/**
 * The rows of the answer matrix and the same-position counts (see answerMatrix), response by
 * response; a function of arrays only, so that it is optimised as a whole (see cellTotals).
 */
function fillMatrix(
  k: number,
  codes: readonly (Uint16Array | undefined)[],
  judgedOf: readonly Uint8Array[],
  values: readonly AnswerColumn[],
  scaleMin: readonly number[],
  scaleMax: readonly number[],
  columns: readonly number[],
  cells: Uint8Array,
  samePosition: Int32Array,
): void {
  for (let i = 0; i < samePosition.length; i++) {
    const row = i * k;
    let answered = 0;
    let first = 0;
    let same = true;
    for (let x = 0; x < columns.length; x++) {
      const optionCodes = codes[x];
      let position: number;
      let judged = 0;
      if (optionCodes !== undefined) {
        const code = optionCodes[i]!;
        if (code === 0) continue;
        // An unknown option (NaN) never equals anything, so it breaks the line as it should.
        if (code === UNKNOWN_OPTION) position = Number.NaN;
        else {
          position = code;
          judged = judgedOf[x]![code]!;
        }
      } else {
        const value = values[x]![i];
        if (value === undefined) continue;
        if (value === NOT_APPLICABLE) {
          position = Number.NEGATIVE_INFINITY;
          judged = CANNOT_JUDGE;
        } else {
          position = typeof value === "number" ? value : Number(value);
          const min = scaleMin[x]!;
          const max = scaleMax[x]!;
          judged = typeof value === "number" && value >= min && value <= max ? Math.min(MAX_POSITION, value - min + 1) : 0;
        }
      }
      if (answered === 0) first = position;
      else if (position !== first) same = false;
      answered++;
      const q = columns[x]!;
      if (q >= 0) cells[row + q] = judged;
    }
    if (same && answered >= SAME_POSITION_MIN_ANSWERS) samePosition[i] = answered;
  }
}

/** Per response: timed questions and those under their reading floor; the words only when asked. */
function readingRule(questionnaire: Questionnaire, quality: Quality, responses: ResponseTable) {
  const ids = questionnaire.questions.map((q) => q.question.id);
  const floorsByLanguage = new Map<string, Float64Array>();
  const floorsFor = (language: string): Float64Array => {
    let floors = floorsByLanguage.get(language);
    if (!floors) {
      const cps = quality.reading.charactersPerSecond?.[language] ?? DEFAULT_CHARACTERS_PER_SECOND;
      floors = Float64Array.from(questionnaire.questions, ({ question }) => {
        const text = question.text[language] ?? question.text[questionnaire.defaultLanguage] ?? "";
        return Math.max(quality.reading.minSeconds, [...text].length / cps);
      });
      floorsByLanguage.set(language, floors);
    }
    return floors;
  };
  const languageOf = (i: number) => {
    const language = responses.languages?.[i];
    return language !== undefined && questionnaire.languages.includes(language) ? language : questionnaire.defaultLanguage;
  };
  const timed = new Int32Array(responses.length);
  const fast = new Int32Array(responses.length);
  // Without any time per question every count stays 0: the rule never fires.
  const seconds = responses.timed ? ids.map((id) => responses.seconds(id)) : [];
  for (let i = 0; i < responses.length && responses.timed; i++) {
    const floors = floorsFor(languageOf(i));
    let t = 0;
    let f = 0;
    for (let q = 0; q < ids.length; q++) {
      const s = seconds[q]![i]!;
      // NaN (unknown) is not >= 0.
      if (!(s >= 0) || s === Number.POSITIVE_INFINITY) continue;
      t++;
      if (s < floors[q]!) f++;
    }
    if (t >= quality.reading.minQuestions) {
      timed[i] = t;
      fast[i] = f;
    }
  }
  const describe = (i: number): EvidencePart => {
    const floors = floorsFor(languageOf(i));
    const under = new Float64Array(fast[i]!);
    let m = 0;
    let floorSum = 0;
    for (let q = 0; q < ids.length; q++) {
      const s = seconds[q]![i]!;
      if (!(s >= 0) || s === Number.POSITIVE_INFINITY || s >= floors[q]!) continue;
      under[m++] = s;
      floorSum += floors[q]!;
    }
    return { key: "reading", params: { fast: fast[i]!, timed: timed[i]!, median: oneDecimal(medianInPlace(under, m)), needed: oneDecimal(floorSum / m) } };
  };
  return { timed, fast, describe };
}

/** Extra weight, in responses, of the campaign's answers in each unit's comparison (so a small unit is never certain). */
const CAMPAIGN_WEIGHT = 2;
/** Respondent leniency is integrated over ±4.5 standard deviations in steps of 0.5. */
const LENIENCY_STEP = 0.5;
const LENIENCY_STEPS = 19;
/** Leniency share assumed until a campaign has enough responses to measure its own. */
const DEFAULT_LENIENCY_SHARE = 0.25;

/**
 * The long-string rule. A response is a candidate when its most frequent judgement answer takes
 * `maxSameShare` of its answers ("cannot judge" is an answer too: choosing it shows the question was
 * read) or `maxRun` answers in a row are the same. A candidate is flagged only when such sameness is
 * rare among genuine respondents of its unit: each question's answers in the unit (the response left
 * out, the campaign's added with a small weight) give how likely the repeated answer is on it, for a
 * respondent of average leniency; people differ in leniency (a generous respondent picks the top
 * answer more often everywhere), by as much as the campaign's own answers show, and the rarity is
 * averaged over that spread (an ordinal probit model with a random respondent effect). With fewer than
 * `minPeers` responses in the whole campaign the share and run limits decide alone.
 */
function samenessRule(quality: Quality, judgement: JudgementLookup, m: AnswerMatrix) {
  const rule = quality.straightline;
  const { n, k, cells } = m;
  const rarity = new Float64Array(n).fill(Number.NaN);
  const unjudged = new Uint8Array(n);
  const modes = new Uint8Array(n);
  const modeCount = new Int32Array(n);
  const longest = new Int32Array(n);
  const answered = new Int32Array(n);
  const judged = new Int32Array(n);
  // Tallies per unit and question position, and the campaign's.
  const offset = new Int32Array(k + 1);
  for (let q = 0; q < k; q++) offset[q + 1] = offset[q]! + judgement.levels[q]!;
  const width = offset[k]!;
  const unitCounts = new Int32Array(m.units * width);
  const unitTotals = new Int32Array(m.units * k);
  const campaign = new Float64Array(width);
  const campaignTotals = new Float64Array(k);
  // In the same pass (counting each unit's answers by question and position), the sameness of every
  // response: the most frequent answer, and the longest run.
  let top = 0;
  for (let q = 0; q < k; q++) top = Math.max(top, judgement.levels[q]!);
  const candidates: number[] = [];
  const limits = { minAnswers: rule.minAnswers, maxSameShare: rule.maxSameShare, maxRun: rule.maxRun };
  samenessTallies(cells, m.unit, k, offset, top, limits, unitCounts, { modes, modeCount, longest, answered, judged }, candidates);
  // The other tallies are sums of the unit counts (whole numbers, so the same in any order), taken
  // once per unit rather than counted answer by answer.
  for (let u = 0; u < m.units; u++) {
    for (let q = 0; q < k; q++) {
      let total = 0;
      for (let x = offset[q]!; x < offset[q + 1]!; x++) {
        const c = unitCounts[u * width + x]!;
        campaign[x]! += c;
        total += c;
      }
      unitTotals[u * k + q] = total;
      campaignTotals[q]! += total;
    }
  }
  let peers = -1;
  for (let q = 0; q < k; q++) if (campaignTotals[q]! - 1 > peers) peers = campaignTotals[q]! - 1;
  const { score, attenuation } = normalScores(m.units, k, offset, unitCounts, unitTotals, width);
  const { share: measuredLeniency, lenient } = leniencyShare(m, offset, score, attenuation, width);
  const leniency = peers >= rule.minPeers ? measuredLeniency : DEFAULT_LENIENCY_SHARE;
  if (candidates.length > 0 && peers >= rule.minPeers && rule.rarity < 1) {
    const spread = Math.sqrt(leniency);
    const residual = Math.sqrt(1 - leniency);
    const shift = new Float64Array(LENIENCY_STEPS);
    const weight = new Float64Array(LENIENCY_STEPS);
    let total = 0;
    for (let s = 0; s < LENIENCY_STEPS; s++) {
      // The middle first (0, +h, -h, +2h, ...): the likely leniencies settle an ordinary candidate early.
      const z = (s % 2 === 1 ? 1 : -1) * Math.ceil(s / 2) * LENIENCY_STEP;
      shift[s] = z * spread;
      total += weight[s] = Math.exp(-0.5 * z * z);
    }
    for (let s = 0; s < LENIENCY_STEPS; s++) weight[s]! /= total;
    const lo = new Float64Array(k);
    const hi = new Float64Array(k);
    const misses = new Float64Array(k + 2);
    const stopAt = Math.min(1, WEAK_SIGN.rarity * rule.rarity);
    for (const i of candidates) {
      const row = i * k;
      const u = m.unit[i]!;
      const mode = modes[i]!;
      let j = 0;
      for (let q = 0; q < k; q++) {
        const p = cells[row + q]!;
        if (p === 0 || p === CANNOT_JUDGE) continue;
        if (mode > judgement.levels[q]!) {
          // The repeated answer does not exist on this question: it can only be missed.
          lo[j] = Number.POSITIVE_INFINITY;
          hi[j++] = Number.POSITIVE_INFINITY;
          continue;
        }
        // The unit's other answers to q plus the campaign's (weight CAMPAIGN_WEIGHT), without this one.
        const base = offset[q]!;
        const unitBase = u * width + base;
        // A unit with fewer than minPeers other answers to q is compared with the campaign alone.
        const unitOthers = unitTotals[u * k + q]! - 1;
        const own = unitOthers >= rule.minPeers ? 1 : 0;
        const others = own * unitOthers;
        const campaignOthers = campaignTotals[q]! - 1;
        if (campaignOthers <= 0) {
          lo[j] = Number.NEGATIVE_INFINITY;
          hi[j++] = Number.POSITIVE_INFINITY;
          continue;
        }
        let below = 0;
        let belowCampaign = 0;
        for (let x = 0; x < mode - 1; x++) {
          below += unitCounts[unitBase + x]!;
          belowCampaign += campaign[base + x]!;
        }
        let at = unitCounts[unitBase + mode - 1]!;
        let atCampaign = campaign[base + mode - 1]!;
        if (p === mode) {
          at--;
          atCampaign--;
        } else if (p < mode) {
          below--;
          belowCampaign--;
        }
        below *= own;
        at *= own;
        const denominator = others + CAMPAIGN_WEIGHT;
        const fBelow = (below + (CAMPAIGN_WEIGHT * belowCampaign) / campaignOthers) / denominator;
        const fAt = fBelow + (at + (CAMPAIGN_WEIGHT * atCampaign) / campaignOthers) / denominator;
        lo[j] = mode === 1 ? Number.NEGATIVE_INFINITY : normalQuantile(Math.min(1 - 1e-9, Math.max(1e-9, fBelow)));
        hi[j++] = mode === judgement.levels[q]! ? Number.POSITIVE_INFINITY : normalQuantile(Math.min(1 - 1e-9, Math.max(1e-9, fAt)));
      }
      const cap = j - modeCount[i]!;
      let p = 0;
      for (let s = 0; s < LENIENCY_STEPS && p < stopAt; s++) {
        const d = shift[s]!;
        // Chance of at most `cap` misses among the j questions, for a respondent of this leniency.
        misses.fill(0, 0, cap + 1);
        misses[0] = 1;
        for (let x = 0; x < j; x++) {
          const hit = normalCdfFast((hi[x]! - d) / residual) - normalCdfFast((lo[x]! - d) / residual);
          const miss = 1 - hit;
          for (let c = Math.min(x + 1, cap); c > 0; c--) misses[c] = misses[c]! * hit + misses[c - 1]! * miss;
          misses[0] = misses[0]! * hit;
        }
        let within = 0;
        for (let c = 0; c <= cap; c++) within += misses[c]!;
        p += weight[s]! * within;
      }
      rarity[i] = p;
    }
  } else {
    // Too few responses to compare with: the share and run limits decide alone.
    for (const i of candidates) unjudged[i] = 1;
  }
  const describe = (i: number): EvidencePart[] => {
    const parts: EvidencePart[] = [];
    if (modeCount[i]! >= rule.maxSameShare * answered[i]!) parts.push({ key: "sameShare", params: { same: modeCount[i]!, answered: answered[i]!, limit: Math.round(rule.maxSameShare * 100) } });
    if (longest[i]! >= rule.maxRun) parts.push({ key: "run", params: { run: longest[i]!, limit: rule.maxRun } });
    if (unjudged[i] === 1) parts.push({ key: "tooFewToCompare", params: {} });
    else {
      const limit = Math.round(1 / rule.rarity);
      const p = rarity[i]!;
      // "About 1 in 4800": two significant digits.
      parts.push(p <= 0 ? { key: "rarityNone", params: { limit } } : { key: "rarity", params: { n: Number((1 / p).toPrecision(2)), limit } });
    }
    return parts;
  };
  return { rarity, unjudged, describe, leniency, lenient };
}

/**
 * The pass of the long-string rule over the answer matrix (see samenessRule): each unit's answers
 * by question and position into `unitCounts`, and each response's most frequent answer, its count,
 * the longest run, the answers and the judged ones; the candidates' rows into `candidates`. A
 * function of its own so that it is optimised as a whole (see cellTotals).
 */
function samenessTallies(
  cells: Uint8Array,
  unit: Int32Array,
  k: number,
  offset: Int32Array,
  top: number,
  limits: { readonly minAnswers: number; readonly maxSameShare: number; readonly maxRun: number },
  unitCounts: Int32Array,
  out: { readonly modes: Uint8Array; readonly modeCount: Int32Array; readonly longest: Int32Array; readonly answered: Int32Array; readonly judged: Int32Array },
  candidates: number[],
): void {
  const { minAnswers, maxSameShare, maxRun } = limits;
  const { modes, modeCount, longest, answered, judged } = out;
  const width = offset[k]!;
  const tally = new Int32Array(256);
  for (let i = 0; i < unit.length; i++) {
    const row = i * k;
    const u = unit[i]!;
    let mode = 0;
    let count = 0;
    let run = 0;
    let best = 0;
    let previous = -1;
    let all = 0;
    let positions = 0;
    for (let q = 0; q < k; q++) {
      const p = cells[row + q]!;
      if (p === 0) continue;
      all++;
      // "Cannot judge" ends a run and starts none.
      run = p === CANNOT_JUDGE ? 0 : p === previous ? run + 1 : 1;
      previous = p;
      if (run > best) best = run;
      if (p === CANNOT_JUDGE) continue;
      unitCounts[u * width + offset[q]! + p - 1]!++;
      positions++;
      const c = ++tally[p]!;
      if (c > count || (c === count && p < mode)) {
        mode = p;
        count = c;
      }
    }
    // Only positions 1..top were counted (a question's positions never exceed its levels).
    for (let x = 1; x <= top; x++) tally[x] = 0;
    modes[i] = mode;
    modeCount[i] = count;
    longest[i] = best;
    answered[i] = all;
    judged[i] = positions;
    if (positions >= minAnswers && (count >= maxSameShare * all || best >= maxRun)) candidates.push(i);
  }
}

/**
 * Normal score of every position per unit and question: the mean of a standard normal over the slice
 * that position takes of the unit's answers. `attenuation` is their mean variance (below 1: a few
 * answer positions hide part of the spread).
 */
function normalScores(units: number, k: number, offset: Int32Array, unitCounts: Int32Array, unitTotals: Int32Array, width: number): { score: Float64Array; attenuation: number } {
  const score = new Float64Array(units * width);
  let attenuation = 0;
  let seen = 0;
  for (let u = 0; u < units; u++) {
    for (let q = 0; q < k; q++) {
      const total = unitTotals[u * k + q]!;
      if (total === 0) continue;
      let cumulative = 0;
      let lowerDensity = 0;
      let variance = 0;
      const levels = offset[q + 1]! - offset[q]!;
      for (let x = 0; x < levels; x++) {
        const c = unitCounts[u * width + offset[q]! + x]!;
        if (c === 0) continue;
        cumulative += c;
        const upper = cumulative >= total ? Number.POSITIVE_INFINITY : normalQuantile(cumulative / total);
        const upperDensity = upper === Number.POSITIVE_INFINITY ? 0 : Math.exp(-0.5 * upper * upper) / Math.sqrt(2 * Math.PI);
        const s = (lowerDensity - upperDensity) / (c / total);
        score[u * width + offset[q]! + x] = s;
        variance += (c / total) * s * s;
        lowerDensity = upperDensity;
      }
      attenuation += variance * total;
      seen += total;
    }
  }
  return { score, attenuation: seen > 0 ? attenuation / seen : 1 };
}

/**
 * How much of the spread of answers within a unit comes from the respondent rather than the
 * question (the leniency share, an intra-respondent correlation): the covariance of a response's
 * mean normal score on odd and on even questions, over the campaign's responses, divided by the
 * attenuation the few answer positions cause. Bounded to [0.05, 0.6]. Also returns every response's
 * mean normal score (its leniency as the answers show it; NaN when it has fewer than 6 answers).
 */
function leniencyShare(m: AnswerMatrix, offset: Int32Array, score: Float64Array, attenuation: number, width: number): { share: number; lenient: Float64Array } {
  const { n, k, cells } = m;
  const lenient = new Float64Array(n).fill(Number.NaN);
  let sa = 0;
  let sb = 0;
  let sab = 0;
  let used = 0;
  for (let i = 0; i < n; i++) {
    const row = i * k;
    const base = m.unit[i]! * width;
    let a = 0;
    let b = 0;
    let na = 0;
    let nb = 0;
    for (let q = 0; q < k; q++) {
      const p = cells[row + q]!;
      if (p === 0 || p === CANNOT_JUDGE) continue;
      const s = score[base + offset[q]! + p - 1]!;
      if (q % 2 === 0) {
        a += s;
        na++;
      } else {
        b += s;
        nb++;
      }
    }
    if (na < 3 || nb < 3) continue;
    lenient[i] = (a + b) / (na + nb);
    a /= na;
    b /= nb;
    sa += a;
    sb += b;
    sab += a * b;
    used++;
  }
  if (used < 20 || attenuation <= 0) return { share: DEFAULT_LENIENCY_SHARE, lenient };
  const covariance = sab / used - (sa / used) * (sb / used);
  return { share: Math.min(0.6, Math.max(0.05, covariance / (attenuation * attenuation))), lenient };
}

/**
 * The overall mark against the detailed answers: over the campaign, a response's overall mark (as a
 * normal score within its unit) follows its leniency on the detailed questions; per response, how
 * many residual standard deviations the overall mark falls short of that, towards the unit's middle
 * (positive: the overall mark is more ordinary than the detailed answers; NaN when not measured).
 */
function overallShortfall(questionnaire: Questionnaire, quality: Quality, m: AnswerMatrix, lenient: Float64Array, responses: ResponseTable): Float64Array {
  const n = m.n;
  const shortfall = new Float64Array(n).fill(Number.NaN);
  const scoring = questionnaire.definition.scoring;
  const id = quality.overall ?? (scoring?.kind === "satisfaction" ? scoring.overallQuestion : undefined);
  const question = id === undefined ? undefined : questionnaire.byId.get(id)?.question;
  const reader = question ? positionReader(question) : undefined;
  if (!reader || id === undefined) return shortfall;
  const levels = reader.levels;
  const position = new Uint8Array(n);
  const counts = new Int32Array(m.units * levels);
  const totals = new Int32Array(m.units);
  const answers = responses.column(id);
  for (let i = 0; i < n; i++) {
    const value = answers[i];
    const p = value === undefined ? undefined : reader.read(value);
    if (!p) continue;
    position[i] = p;
    counts[m.unit[i]! * levels + p - 1]!++;
    totals[m.unit[i]!]!++;
  }
  const offset = Int32Array.of(0, levels);
  const { score } = normalScores(m.units, 1, offset, counts, totals, levels);
  // Regression of the overall score on leniency, over every response with both.
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  let used = 0;
  for (let i = 0; i < n; i++) {
    const x = lenient[i]!;
    if (position[i] === 0 || x !== x) continue;
    const y = score[m.unit[i]! * levels + position[i]! - 1]!;
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
    syy += y * y;
    used++;
  }
  if (used < 20) return shortfall;
  const vx = sxx / used - (sx / used) ** 2;
  const vy = syy / used - (sy / used) ** 2;
  const cxy = sxy / used - (sx / used) * (sy / used);
  if (!(vx > 0)) return shortfall;
  const slope = cxy / vx;
  const intercept = sy / used - (slope * sx) / used;
  const residual = Math.sqrt(Math.max(1e-6, vy - slope * cxy));
  for (let i = 0; i < n; i++) {
    const x = lenient[i]!;
    if (position[i] === 0 || x !== x) continue;
    const y = score[m.unit[i]! * levels + position[i]! - 1]!;
    const expected = intercept + slope * x;
    shortfall[i] = (Math.sign(expected) * (expected - y)) / residual;
  }
  return shortfall;
}

/** Reads an answer's position in its question's range (options that carry a judgement, or the scale). */
function pairReader(questionnaire: Questionnaire, id: string): ((value: AnswerValue | undefined) => { position: number; low: number; high: number } | undefined) | undefined {
  const question = questionnaire.byId.get(id)?.question;
  if (!question) return undefined;
  if (question.type === "scale") {
    const { min, max } = question;
    return (value) => (typeof value === "number" ? { position: value, low: min, high: max } : undefined);
  }
  if (question.type === "single") {
    const judged = question.options.filter((o) => o.score !== null);
    const range = judged.length >= 2 ? judged : question.options;
    const positions = new Map(range.map((o, i) => [o.id, i + 1]));
    const high = range.length;
    return (value) => {
      const position = value === undefined ? undefined : positions.get(String(value));
      return position === undefined ? undefined : { position, low: 1, high };
    };
  }
  return undefined;
}

/**
 * Person-fit: for each response, the mean squared distance of its judgement answers from the mean
 * answers of the other responses of its unit and group, after removing its own overall leniency,
 * each question scaled by its spread (a diagonal Mahalanobis distance). Reported as a multiple of
 * the median distance (NaN when not measured).
 */
function personFit(quality: Quality, judgement: JudgementLookup, m: AnswerMatrix, responses: ResponseTable): Float64Array {
  const { n, k, cells } = m;
  const ratios = new Float64Array(n).fill(Number.NaN);
  // Cells: unit and group.
  const group = new Int32Array(n);
  const groups = ordinals(responses.groups, group);
  const cellCount = m.units * groups;
  const cell = new Int32Array(n);
  for (let i = 0; i < n; i++) cell[i] = m.unit[i]! * groups + group[i]!;
  const sum = new Float64Array(cellCount * k);
  const count = new Int32Array(cellCount * k);
  cellTotals(cells, cell, k, sum, count);
  // Residuals against the leave-one-out cell mean, centred on the response's own mean residual (its
  // leniency): computed once into a table (NaN where not measured), with a fine histogram of their
  // squares per question for each question's spread (robust: median of squares; bins of 1/128 up to
  // 16 squared positions, larger squares are far above any median).
  const minPeers = quality.personFit.minPeers;
  const residual = new Float64Array(n * k);
  const measuredRow = new Uint8Array(n);
  const histogram = new Int32Array(k * FIT_BINS);
  const seen = new Int32Array(k);
  residuals(cells, cell, k, sum, count, minPeers, quality.personFit.minAnswers, residual, measuredRow, histogram, seen);
  const scale = new Float64Array(k).fill(Number.NaN);
  for (let q = 0; q < k; q++) {
    if (seen[q] === 0) continue;
    const half = seen[q]! / 2;
    let cumulative = 0;
    for (let b = 0; b < FIT_BINS; b++) {
      const c = histogram[q * FIT_BINS + b]!;
      if (cumulative + c >= half) {
        // Linear within the bin.
        scale[q] = Math.max(1e-6, (b + (c === 0 ? 0.5 : (half - cumulative) / c)) * FIT_BIN_WIDTH);
        break;
      }
      cumulative += c;
    }
  }
  const buffer = new Float64Array(n);
  const measured = distances(residual, measuredRow, k, scale, ratios, buffer);
  if (measured < minPeers + 1) return ratios.fill(Number.NaN);
  const typical = medianInPlace(buffer, measured);
  if (!(typical > 0)) return ratios.fill(Number.NaN);
  for (let i = 0; i < n; i++) ratios[i] = ratios[i]! / typical;
  return ratios;
}

/** Numbers each distinct value by its first appearance, row by row into `out`; returns how many there are. */
function ordinals(values: readonly string[], out: Int32Array): number {
  const seen = new Map<string, number>();
  for (let i = 0; i < values.length; i++) {
    let o = seen.get(values[i]!);
    if (o === undefined) seen.set(values[i]!, (o = seen.size));
    out[i] = o;
  }
  return seen.size;
}

/** Person-fit's histogram of squared residuals: bins of FIT_BIN_WIDTH squared positions. */
const FIT_BINS = 2048;
const FIT_BIN_WIDTH = 16 / FIT_BINS;

// Person-fit's passes over the answer matrix, each a function of numbers and arrays only: called
// once per scoring, a loop inside a larger function is optimised on the fly from type feedback that
// the code after it has not gathered yet, and thrown away again when execution gets there.

/** Sum and count of the judged positions per (unit, group) cell and question. */
function cellTotals(cells: Uint8Array, cell: Int32Array, k: number, sum: Float64Array, count: Int32Array): void {
  for (let i = 0; i < cell.length; i++) {
    const row = i * k;
    const base = cell[i]! * k;
    for (let q = 0; q < k; q++) {
      const p = cells[row + q]!;
      if (p === 0 || p === CANNOT_JUDGE) continue;
      sum[base + q]! += p;
      count[base + q]!++;
    }
  }
}

/** Every response's centred residuals into `residual` (NaN where not measured), the rows measured, and the histogram of squares per question. */
function residuals(
  cells: Uint8Array,
  cell: Int32Array,
  k: number,
  sum: Float64Array,
  count: Int32Array,
  minPeers: number,
  minAnswers: number,
  residual: Float64Array,
  measuredRow: Uint8Array,
  histogram: Int32Array,
  seen: Int32Array,
): void {
  for (let i = 0; i < cell.length; i++) {
    const row = i * k;
    const base = cell[i]! * k;
    let used = 0;
    let total = 0;
    for (let q = 0; q < k; q++) {
      const p = cells[row + q]!;
      if (p === 0 || p === CANNOT_JUDGE || count[base + q]! - 1 < minPeers) {
        residual[row + q] = Number.NaN;
        continue;
      }
      const r = p - (sum[base + q]! - p) / (count[base + q]! - 1);
      residual[row + q] = r;
      total += r;
      used++;
    }
    if (used < minAnswers || used === 0) continue;
    measuredRow[i] = 1;
    const mean = total / used;
    for (let q = 0; q < k; q++) {
      const r = residual[row + q]! - mean;
      residual[row + q] = r;
      if (r !== r) continue;
      histogram[q * FIT_BINS + Math.min(FIT_BINS - 1, Math.floor((r * r) / FIT_BIN_WIDTH))]!++;
      seen[q]!++;
    }
  }
}

/** Each measured response's mean scaled squared residual into `ratios` and, packed, into `buffer`; returns how many. */
function distances(residual: Float64Array, measuredRow: Uint8Array, k: number, scale: Float64Array, ratios: Float64Array, buffer: Float64Array): number {
  let measured = 0;
  for (let i = 0; i < measuredRow.length; i++) {
    if (measuredRow[i] === 0) continue;
    const row = i * k;
    let d = 0;
    let used = 0;
    for (let q = 0; q < k; q++) {
      const r = residual[row + q]!;
      if (r !== r || scale[q]! !== scale[q]!) continue;
      d += (r * r) / scale[q]!;
      used++;
    }
    if (used === 0) continue;
    ratios[i] = d / used;
    buffer[measured++] = d / used;
  }
  return measured;
}
