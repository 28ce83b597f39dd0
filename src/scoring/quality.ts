import { NOT_APPLICABLE, type AnswerValue, type Quality, type Question, type Questionnaire } from "../questionnaire/index.js";
import type { FlagEvidence, ScoringResponse } from "./types.js";

// The careless-answer rules that go beyond SURVEY-FORMAT 3.3 (docs/flags.md): reading speed per
// question, the long-string index on judgement questions, attention checks, consistency pairs and
// person-fit. Pure: thresholds come from the questionnaire's `quality` block.

/** Characters per second a fast reader takes in when a language has no figure of its own. */
export const DEFAULT_CHARACTERS_PER_SECOND = 30;

/** The questions that carry a judgement, in questionnaire order, with how to read an answer's position. */
export interface JudgementLookup {
  readonly ids: readonly string[];
  /** Per question: the position of an answer (1-based option position, or scale value); undefined for "cannot judge". */
  readonly position: readonly ((value: AnswerValue) => number | undefined)[];
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
  for (const { question } of questionnaire.questions) {
    if (ignored.has(question.id)) continue;
    const reader = positionReader(question);
    if (!reader) continue;
    if (question.type === "single") {
      const scored = question.options.filter((o) => o.score !== null).length;
      if (!(("maxPoints" in question && question.maxPoints !== undefined) || scored >= 2)) continue;
    }
    ids.push(question.id);
    position.push(reader);
  }
  return { ids, position };
}

/** How to read the position of an answer to a single or scale question; "cannot judge" has none. */
function positionReader(question: Question): ((value: AnswerValue) => number | undefined) | undefined {
  if (question.type === "single") {
    const positions = new Map(question.options.map((o, i) => [o.id, o.score === null ? undefined : i + 1]));
    return (value) => positions.get(String(value));
  }
  if (question.type === "scale") return (value) => (value === NOT_APPLICABLE || typeof value !== "number" ? undefined : value);
  return undefined;
}

/** A plain-language number: "0.8" → "80%". */
const percent = (share: number): string => `${Math.round(share * 100)}%`;
const oneDecimal = (seconds: number): string => (Math.round(seconds * 10) / 10).toString();

/** The reading floor of every question in one language: seconds to read its text, at least `minSeconds`. */
function readingFloors(questionnaire: Questionnaire, quality: Quality, language: string): Map<string, number> {
  const cps = quality.reading.charactersPerSecond?.[language] ?? DEFAULT_CHARACTERS_PER_SECOND;
  const floors = new Map<string, number>();
  for (const { question } of questionnaire.questions) {
    const text = question.text[language] ?? question.text[questionnaire.defaultLanguage] ?? "";
    floors.set(question.id, Math.max(quality.reading.minSeconds, [...text].length / cps));
  }
  return floors;
}

function sortedMedian(values: number[]): number {
  values.sort((a, b) => a - b);
  const m = values.length >> 1;
  return values.length % 2 === 1 ? values[m]! : (values[m - 1]! + values[m]!) / 2;
}

/**
 * The extension rules' evidence, one list per response in input order (empty when nothing fired).
 * `speeder` evidence here is the reading rule; `straightliner` the long-string rule.
 */
export function qualityFlags(questionnaire: Questionnaire, quality: Quality, judgement: JudgementLookup, responses: readonly ScoringResponse[]): FlagEvidence[][] {
  const floorsByLanguage = new Map<string, Map<string, number>>();
  const floorsFor = (language: string): Map<string, number> => {
    let floors = floorsByLanguage.get(language);
    if (!floors) floorsByLanguage.set(language, (floors = readingFloors(questionnaire, quality, language)));
    return floors;
  };
  const positions = responses.map((r) => judgementPositions(judgement, r.answers));
  const misfits = quality.personFit.enabled ? personFit(quality, judgement, responses) : responses.map(() => undefined);
  const peers = peerCounts(judgement, responses);
  // Sameness of every response against its unit; the campaign's own spread of that measure (robust:
  // median and MAD) absorbs how much genuine respondents differ in leniency, so only outliers count.
  const sameness = responses.map((r, i) => longString(quality, judgement, positions[i]!, peers, r));
  const zs = sameness.flatMap((s) => (s?.z === undefined ? [] : [s.z]));
  const zMedian = zs.length >= 20 ? sortedMedian([...zs]) : 0;
  const zCentre = Math.max(0, zMedian);
  const zSpread = zs.length >= 20 ? Math.max(1, 1.4826 * sortedMedian(zs.map((z) => Math.abs(z - zMedian)))) : 1;
  const pairLimit = quality.inconsistentPairs ?? Math.min(2, quality.pairs.length);

  return responses.map((r, i) => {
    const out: FlagEvidence[] = [];
    // Reading speed: questions answered faster than their text can be read.
    if (r.seconds) {
      const language = r.language !== undefined && questionnaire.languages.includes(r.language) ? r.language : questionnaire.defaultLanguage;
      const floors = floorsFor(language);
      let timed = 0;
      const fast: number[] = [];
      let fastFloor = 0;
      for (const [id, seconds] of Object.entries(r.seconds)) {
        const floor = floors.get(id);
        if (floor === undefined || !Number.isFinite(seconds) || seconds < 0) continue;
        timed++;
        if (seconds < floor) {
          fast.push(seconds);
          fastFloor += floor;
        }
      }
      if (timed >= quality.reading.minQuestions && fast.length > 0 && fast.length >= quality.reading.share * timed) {
        out.push({
          flag: "speeder",
          rule: "reading",
          text: `${fast.length} of ${timed} timed questions answered faster than their text can be read (median ${oneDecimal(sortedMedian(fast))} s where reading them needs ${oneDecimal(fastFloor / fast.length)} s on average)`,
        });
      }
    }
    // Long-string index on judgement questions, spared when the unit's other respondents answer alike.
    const long = sameness[i];
    if (long?.flagged && (long.z === undefined || (long.z - zCentre) / zSpread >= quality.straightline.peerMargin)) out.push(long.evidence);
    // Attention checks.
    if (quality.attentionChecks.length > 0) {
      const failed: string[] = [];
      let answered = 0;
      for (const check of quality.attentionChecks) {
        const value = r.answers[check.question];
        if (value === undefined) continue;
        answered++;
        if (!check.accept.includes(String(value))) failed.push(`${check.question}: answered ${String(value)}, instructed ${check.accept.join(" or ")}`);
      }
      if (failed.length >= quality.attentionFailures) {
        out.push({ flag: "attention", rule: "attention-check", text: `failed ${failed.length} of ${answered} attention checks (${failed.join("; ")})` });
      }
    }
    // Consistency pairs.
    if (quality.pairs.length > 0) {
      const broken: string[] = [];
      let compared = 0;
      for (const pair of quality.pairs) {
        const a = pairPosition(questionnaire, pair.a, r.answers[pair.a]);
        const b = pairPosition(questionnaire, pair.b, r.answers[pair.b]);
        if (a === undefined || b === undefined) continue;
        compared++;
        const expected = pair.relation === "same" ? b.position : b.low + b.high - b.position;
        if (Math.abs(a.position - expected) > pair.tolerance) {
          broken.push(`${pair.a}=${String(r.answers[pair.a])} and ${pair.b}=${String(r.answers[pair.b])}, declared ${pair.relation === "same" ? "the same" : "reversed"}`);
        }
      }
      if (broken.length >= pairLimit) out.push({ flag: "inconsistent", rule: "pairs", text: `${broken.length} of ${compared} consistency pairs contradict each other (${broken.join("; ")})` });
    }
    const misfit = misfits[i];
    if (misfit !== undefined) {
      out.push({
        flag: "misfit",
        rule: "person-fit",
        text: `answers far from the pattern of its unit and group: distance ${misfit.toFixed(1)} times the typical one (limit ${quality.personFit.ratio}); for review only`,
      });
    }
    return out;
  });
}

/** Per unit, per judgement question: how many responses chose each position (positions 1..9 kept, larger ones pooled). */
interface PeerCounts {
  readonly byUnit: ReadonlyMap<string, Float64Array>;
  readonly width: number;
}

const POSITIONS = 11;

function peerCounts(judgement: JudgementLookup, responses: readonly ScoringResponse[]): PeerCounts {
  const k = judgement.ids.length;
  const byUnit = new Map<string, Float64Array>();
  for (const r of responses) {
    let counts = byUnit.get(r.unit);
    if (!counts) byUnit.set(r.unit, (counts = new Float64Array(k * (POSITIONS + 1))));
    for (let q = 0; q < k; q++) {
      const value = r.answers[judgement.ids[q]!];
      if (value === undefined) continue;
      const p = judgement.position[q]!(value);
      if (p === undefined || !Number.isFinite(p)) continue;
      counts[q * (POSITIONS + 1) + Math.max(0, Math.min(POSITIONS - 1, Math.round(p)))]!++;
      counts[q * (POSITIONS + 1) + POSITIONS]!++;
    }
  }
  return { byUnit, width: POSITIONS + 1 };
}

/**
 * The long-string rule: the most frequent judgement answer takes `maxSameShare` of the answers, or
 * `maxRun` answers in a row are the same; and that sameness is unlikely given how the other
 * respondents of the unit answered the same questions (at least `peerMargin` standard deviations above
 * the matches they would predict), so a respondent of a unit everyone rates "good" is not flagged
 * for rating it "good" throughout.
 */
function longString(
  quality: Quality,
  judgement: JudgementLookup,
  own: readonly number[],
  peers: PeerCounts,
  response: ScoringResponse,
): { readonly z?: number; readonly flagged: boolean; readonly evidence: FlagEvidence } | undefined {
  const rule = quality.straightline;
  if (own.length < rule.minAnswers) return undefined;
  const counts = new Map<number, number>();
  let longest = 0;
  let run = 0;
  for (let k = 0; k < own.length; k++) {
    counts.set(own[k]!, (counts.get(own[k]!) ?? 0) + 1);
    run = k > 0 && own[k] === own[k - 1] ? run + 1 : 1;
    if (run > longest) longest = run;
  }
  let mode = 0;
  let modePosition = 0;
  for (const [position, n] of counts) if (n > mode || (n === mode && position < modePosition)) [mode, modePosition] = [n, position];
  const sameShare = mode / own.length;
  const byShare = sameShare >= rule.maxSameShare;
  const byRun = longest >= rule.maxRun;
  // Matches the unit's other respondents predict: per question, the share of them at the mode position.
  const unit = peers.byUnit.get(response.unit);
  let expected = 0;
  let variance = 0;
  let compared = 0;
  if (unit) {
    const w = peers.width;
    for (let q = 0; q < judgement.ids.length; q++) {
      const value = response.answers[judgement.ids[q]!];
      if (value === undefined) continue;
      const p = judgement.position[q]!(value);
      if (p === undefined || !Number.isFinite(p)) continue;
      const self = Math.max(0, Math.min(POSITIONS - 1, Math.round(p)));
      const total = unit[q * w + POSITIONS]! - 1;
      const at = unit[q * w + Math.max(0, Math.min(POSITIONS - 1, modePosition))]! - (self === modePosition ? 1 : 0);
      // Add-one smoothing over the question's positions, so a few peers never predict certainty.
      const pi = (at + 1) / (total + 4);
      expected += pi;
      variance += pi * (1 - pi);
      compared++;
    }
  }
  const z = compared >= rule.minAnswers && variance > 0 && rule.peerMargin > 0 ? (mode - expected) / Math.sqrt(variance) : undefined;
  if (!byShare && !byRun) return z === undefined ? undefined : { z, flagged: false, evidence: { flag: "straightliner", rule: "long-string", text: "" } };
  const parts: string[] = [];
  if (byShare) parts.push(`the same answer on ${mode} of ${own.length} judgement questions (limit ${percent(rule.maxSameShare)})`);
  if (byRun) parts.push(`${longest} judgement questions in a row with the same answer (limit ${rule.maxRun})`);
  if (compared >= rule.minAnswers) parts.push(`the unit's other respondents make that answer likely on ${Math.round(expected)} of them`);
  return { ...(z !== undefined ? { z } : {}), flagged: true, evidence: { flag: "straightliner", rule: "long-string", text: parts.join("; ") } };
}

/** The judgement answers of a response as positions, in questionnaire order ("cannot judge" left out). */
function judgementPositions(judgement: JudgementLookup, answers: ScoringResponse["answers"]): number[] {
  const out: number[] = [];
  for (let q = 0; q < judgement.ids.length; q++) {
    const value = answers[judgement.ids[q]!];
    if (value === undefined) continue;
    const p = judgement.position[q]!(value);
    if (p !== undefined && Number.isFinite(p)) out.push(p);
  }
  return out;
}

/** An answer's position in its question's range (options that carry a judgement, or the scale). */
function pairPosition(questionnaire: Questionnaire, id: string, value: AnswerValue | undefined): { position: number; low: number; high: number } | undefined {
  const question = questionnaire.byId.get(id)?.question;
  if (value === undefined || !question) return undefined;
  if (question.type === "scale") return typeof value === "number" ? { position: value, low: question.min, high: question.max } : undefined;
  if (question.type === "single") {
    const judged = question.options.filter((o) => o.score !== null);
    const range = judged.length >= 2 ? judged : question.options;
    const index = range.findIndex((o) => o.id === String(value));
    return index < 0 ? undefined : { position: index + 1, low: 1, high: range.length };
  }
  return undefined;
}

/**
 * Person-fit: for each response, the mean squared distance of its judgement answers from the mean
 * answers of the other responses of its unit and group, after removing its own overall leniency,
 * each question scaled by its spread (a diagonal Mahalanobis distance). Reported as a multiple of
 * the median distance; only responses at `ratio` times the median or more get a value.
 */
function personFit(quality: Quality, judgement: JudgementLookup, responses: readonly ScoringResponse[]): (number | undefined)[] {
  const k = judgement.ids.length;
  const n = responses.length;
  // Per response, per judgement question: the position or NaN.
  const x = new Float64Array(n * k).fill(Number.NaN);
  for (let i = 0; i < n; i++) {
    const answers = responses[i]!.answers;
    for (let q = 0; q < k; q++) {
      const value = answers[judgement.ids[q]!];
      if (value === undefined) continue;
      const p = judgement.position[q]!(value);
      if (p !== undefined && Number.isFinite(p)) x[i * k + q] = p;
    }
  }
  // Sums per cell (unit and group) and question.
  const cellOf = new Map<string, number>();
  const cell = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const key = `${responses[i]!.unit}\u0000${responses[i]!.group}`;
    let c = cellOf.get(key);
    if (c === undefined) cellOf.set(key, (c = cellOf.size));
    cell[i] = c;
  }
  const cells = cellOf.size;
  const sum = new Float64Array(cells * k);
  const count = new Int32Array(cells * k);
  for (let i = 0; i < n; i++) {
    for (let q = 0; q < k; q++) {
      const v = x[i * k + q]!;
      if (Number.isNaN(v)) continue;
      sum[cell[i]! * k + q]! += v;
      count[cell[i]! * k + q]!++;
    }
  }
  // Centred residuals against the leave-one-out cell mean.
  const residual = new Float64Array(n * k).fill(Number.NaN);
  const usable = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let m = 0;
    let total = 0;
    for (let q = 0; q < k; q++) {
      const v = x[i * k + q]!;
      const at = cell[i]! * k + q;
      if (Number.isNaN(v) || count[at]! - 1 < quality.personFit.minPeers) continue;
      const r = v - (sum[at]! - v) / (count[at]! - 1);
      residual[i * k + q] = r;
      total += r;
      m++;
    }
    if (m < quality.personFit.minAnswers) continue;
    usable[i] = 1;
    const mean = total / m;
    for (let q = 0; q < k; q++) if (!Number.isNaN(residual[i * k + q]!)) residual[i * k + q]! -= mean;
  }
  // Spread of each question's residuals over the usable responses (robust: median of squares).
  const scale = new Float64Array(k);
  for (let q = 0; q < k; q++) {
    const squares: number[] = [];
    for (let i = 0; i < n; i++) if (usable[i] && !Number.isNaN(residual[i * k + q]!)) squares.push(residual[i * k + q]! ** 2);
    scale[q] = squares.length > 0 ? Math.max(sortedMedian(squares), 1e-6) : Number.NaN;
  }
  const distance = new Float64Array(n).fill(Number.NaN);
  const distances: number[] = [];
  for (let i = 0; i < n; i++) {
    if (!usable[i]) continue;
    let d = 0;
    let m = 0;
    for (let q = 0; q < k; q++) {
      const r = residual[i * k + q]!;
      if (Number.isNaN(r) || Number.isNaN(scale[q]!)) continue;
      d += (r * r) / scale[q]!;
      m++;
    }
    if (m === 0) continue;
    distance[i] = d / m;
    distances.push(d / m);
  }
  if (distances.length < quality.personFit.minPeers + 1) return responses.map(() => undefined);
  const typical = sortedMedian(distances);
  return responses.map((_, i) => {
    const d = distance[i]!;
    if (Number.isNaN(d) || typical <= 0) return undefined;
    const ratio = d / typical;
    return ratio >= quality.personFit.ratio ? ratio : undefined;
  });
}
