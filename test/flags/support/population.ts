// A realistic planted population for measuring the careless-answer flags (issue 16): a province
// round of units × respondents answering a PAR-style questionnaire (25 scored 4-point questions with
// "cannot judge", 3 unscored yes/no questions, a 1–10 overall mark; with `checks`, also an
// instructed-response question and two reverse-worded questions), generated from latent unit
// quality, question difficulty, respondent leniency and noise, with log-normal per-question times
// driven by each question's text length and the respondent's reading speed. A share of responses is
// replaced by planted careless kinds. Seeded: the same seed gives the same population.
import { buildQuestionnaire, questionnaireSchema, type AnswerValue, type Questionnaire } from "../../../src/questionnaire/index.js";
import { computeFlags, type ResponseFlags, type ScoringResponse } from "../../../src/scoring/index.js";
import { mulberry32 } from "../../support/random.js";

/** The planted kinds; "genuine" is everybody else. */
export const CARELESS_KINDS = ["fast", "partly fast", "straight-lined", "mostly straight-lined", "random"] as const;
export type CarelessKind = (typeof CARELESS_KINDS)[number];
export type PlantedKind = CarelessKind | "genuine";

export interface PopulationOptions {
  readonly seed: number;
  readonly units: number;
  readonly perUnit: number;
  /** Share of responses replaced by careless ones, spread evenly over the kinds. */
  readonly carelessShare: number;
  /** Extra keys of the questionnaire's `quality` block. */
  readonly quality?: Record<string, unknown>;
  /** Scored questions (default 25). */
  readonly scored?: number;
  /**
   * Adds an attention check ("choose *Not good* here", att) and two reverse-worded questions (r1
   * mirrors q5, r2 mirrors q14), declared in the `quality` block.
   */
  readonly checks?: boolean;
}

/** What a population with `checks` declares in its `quality` block. */
export const CHECKS_QUALITY = {
  attentionChecks: [{ question: "att", accept: ["3"] }],
  pairs: [
    { a: "q5", b: "r1", relation: "reverse" },
    { a: "q14", b: "r2", relation: "reverse" },
  ],
};

/** How often a genuine respondent misses the instruction of an attention check, or misreads a reverse-worded question. */
export const GENUINE_SLIPS = { attention: 0.02, reverse: 0.08 };

export const PROVINCE: PopulationOptions = { seed: 16, units: 46, perUnit: 50, carelessShare: 0.1 };

export interface Population {
  readonly questionnaire: Questionnaire;
  readonly responses: ScoringResponse[];
  readonly kinds: PlantedKind[];
}

const SCORED = 25;
/** Reverse-worded questions and the scored question each mirrors. */
const REVERSED: Readonly<Record<string, string>> = { r1: "q5", r2: "q14" };
const WORDS_VI = ["đánh", "giá", "mức", "độ", "công", "khai", "minh", "bạch", "thủ", "tục", "hành", "chính", "của", "cơ", "quan", "trong", "việc", "giải", "quyết", "hồ", "sơ", "cho", "người", "dân", "doanh", "nghiệp"];
const WORDS_EN = ["how", "well", "does", "the", "department", "publish", "its", "procedures", "and", "handle", "applications", "from", "citizens", "businesses", "on", "time"];

function sentence(random: () => number, words: readonly string[], length: number): string {
  const out: string[] = [];
  while (out.join(" ").length < length) out.push(words[Math.floor(random() * words.length)]!);
  return out.join(" ");
}

function normal(random: () => number): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** The questionnaire: q1..q25 scored (4 options + cannot judge), y1..y3 yes/no, overall 1–10 (and with checks att, r1, r2). */
export function carelessQuestionnaire(random: () => number, quality?: Record<string, unknown>, scoredCount = SCORED, checks = false): Questionnaire {
  const label = (vi: string, en: string) => ({ vi, en });
  const options = [
    { id: "1", label: label("Rất tốt", "Very good"), score: 1 },
    { id: "2", label: label("Tốt", "Good"), score: 0.75 },
    { id: "3", label: label("Chưa tốt", "Not good"), score: 0.25 },
    { id: "4", label: label("Kém", "Poor"), score: 0 },
    { id: "x", label: label("Không đánh giá được", "Cannot judge"), score: null },
  ];
  const text = () => {
    const length = 60 + Math.floor(random() * 160);
    return { vi: sentence(random, WORDS_VI, length), en: sentence(random, WORDS_EN, length) };
  };
  const scored = Array.from({ length: scoredCount }, (_, i) => ({ id: `q${i + 1}`, type: "single", text: text(), maxPoints: 1, options }));
  const yesNo = [
    { id: "1", label: label("Có", "Yes") },
    { id: "2", label: label("Không", "No") },
  ];
  // An unscored instructed response, and agreement with reverse-worded statements (scored the other way round, outside the points).
  const unscored = options.map(({ score: _s, ...o }) => o);
  const agree = [
    { id: "1", label: label("Hoàn toàn đồng ý", "Strongly agree"), score: 0 },
    { id: "2", label: label("Đồng ý", "Agree"), score: 0.25 },
    { id: "3", label: label("Không đồng ý", "Disagree"), score: 0.75 },
    { id: "4", label: label("Hoàn toàn không đồng ý", "Strongly disagree"), score: 1 },
    { id: "x", label: label("Không đánh giá được", "Cannot judge"), score: null },
  ];
  const attention = { id: "att", type: "single", text: { vi: "Để cho thấy bạn đang đọc câu hỏi, xin chọn “Chưa tốt” ở câu này.", en: "To show you are reading the questions, please choose “Not good” here." }, options: unscored };
  const reversed = (id: string) => ({ id, type: "single", text: text(), options: agree });
  const cut1 = Math.round((scoredCount * 9) / 25);
  const cut2 = Math.round((scoredCount * 17) / 25);
  const s1 = scored.slice(0, cut1);
  const s2: Record<string, unknown>[] = scored.slice(cut1, cut2);
  const s3: Record<string, unknown>[] = scored.slice(cut2);
  if (checks) {
    s2.splice(2, 0, reversed("r1"));
    s2.splice(5, 0, attention);
    s3.splice(3, 0, reversed("r2"));
  }
  const sections = [
    { id: "s1", title: label("Công khai", "Openness"), questions: s1 },
    { id: "s2", title: label("Thủ tục", "Procedures"), questions: [...s2, { id: "y1", type: "single", text: text(), options: yesNo }] },
    { id: "s3", title: label("Phục vụ", "Service"), questions: [...s3, { id: "y2", type: "single", text: text(), options: yesNo }, { id: "y3", type: "single", text: text(), options: yesNo }] },
    { id: "s4", title: label("Chung", "Overall"), questions: [{ id: "overall", type: "scale", min: 1, max: 10, text: text() }] },
  ];
  return buildQuestionnaire(
    questionnaireSchema.parse({
      schemaVersion: 1,
      id: "careless-bench",
      version: 1,
      languages: ["vi", "en"],
      title: label("Khảo sát", "Survey"),
      groups: [
        { id: "leaders", label: label("Lãnh đạo", "Leaders") },
        { id: "deputies", label: label("Đại biểu", "Deputies") },
      ],
      scoring: { kind: "points", surveyMax: scoredCount, minResponses: 5 },
      quality: { straightline: { ignore: ["overall"] }, overall: "overall", ...(checks ? CHECKS_QUALITY : {}), ...quality },
      sections,
    }),
  );
}

/** Generates the population; careless responses are spread evenly over units and kinds. */
export function carelessPopulation(options: PopulationOptions = PROVINCE): Population {
  const random = mulberry32(options.seed);
  const questionnaire = carelessQuestionnaire(random, options.quality, options.scored ?? SCORED, options.checks ?? false);
  const scored = questionnaire.questions.filter((q) => q.question.id.startsWith("q")).map((q) => q.question.id);
  const glanced = questionnaire.questions.filter((q) => /^(q|r\d|att)/.test(q.question.id)).map((q) => q.question.id);
  const difficulty = new Map(scored.map((id) => [id, normal(random) * 0.5]));
  const textLength = new Map(questionnaire.questions.map((q) => [q.question.id, { vi: [...q.question.text.vi!].length, en: [...q.question.text.en!].length }]));
  const total = options.units * options.perUnit;
  const careless = Math.round(total * options.carelessShare);
  // Which responses are planted, and as what: every (total / careless)-th response, kinds in turn.
  const kinds: PlantedKind[] = Array.from({ length: total }, () => "genuine");
  const step = total / careless;
  for (let c = 0; c < careless; c++) kinds[Math.floor(c * step + random() * (step - 1))] = CARELESS_KINDS[c % CARELESS_KINDS.length]!;

  const responses: ScoringResponse[] = [];
  const start = Date.UTC(2026, 11, 1, 1, 0, 0);
  for (let u = 0; u < options.units; u++) {
    const unit = `U${String(u + 1).padStart(3, "0")}`;
    const quality = normal(random) * 0.7 + 0.3;
    for (let k = 0; k < options.perUnit; k++) {
      const i = u * options.perUnit + k;
      const kind = kinds[i]!;
      const group = random() < 0.6 ? "leaders" : "deputies";
      const language = random() < 0.85 ? "vi" : "en";
      const leniency = normal(random) * 0.4;
      const noise = 0.55 + random() * 0.35;
      // Share of "cannot judge": most respondents rarely, a few often.
      const cannotJudge = random() < 0.8 ? random() * 0.05 : 0.1 + random() * 0.3;
      // Reading speed (characters per second) and deliberation time of this respondent.
      const cps = Math.exp(Math.log(14) + normal(random) * 0.3);
      const think = Math.exp(Math.log(3) + normal(random) * 0.3);
      const answers: Record<string, AnswerValue> = {};
      const seconds: Record<string, number> = {};
      // A reverse-worded statement asks about the same thing as its mirror: the same opinion, read again.
      const opinions = new Map<string, number>();
      const genuine = (id: string): string => {
        if (random() < cannotJudge) return "x";
        const mirror = REVERSED[id];
        const latent = mirror !== undefined && opinions.has(mirror) ? opinions.get(mirror)! + normal(random) * 0.3 : quality + leniency - difficulty.get(mirror ?? id)! + normal(random) * noise;
        opinions.set(id, latent);
        const position = latent > 1 ? 1 : latent > 0 ? 2 : latent > -1 ? 3 : 4;
        // A reverse-worded statement is agreed with as much as its mirror is rated poorly; some misread it.
        return String(REVERSED[id] === undefined || random() < GENUINE_SLIPS.reverse ? position : 5 - position);
      };
      const fixed = String(1 + Math.floor(random() * 3));
      const rushed = new Set(kind === "partly fast" ? glanced.filter(() => random() < 0.55) : kind === "fast" ? glanced : []);
      for (const info of questionnaire.questions) {
        const id = info.question.id;
        let value: AnswerValue;
        if (id.startsWith("q") || REVERSED[id] !== undefined) {
          if (kind === "straight-lined") value = fixed;
          else if (kind === "mostly straight-lined") value = random() < 0.8 ? fixed : genuine(id);
          else if (kind === "random") value = String(1 + Math.floor(random() * 4));
          else value = genuine(id);
        } else if (id === "att") {
          // The instruction is followed unless not read: straight-liners keep their answer, random ones pick any.
          const slip = rushed.has(id) ? 0.5 : GENUINE_SLIPS.attention;
          if (kind === "straight-lined" || (kind === "mostly straight-lined" && random() < 0.8)) value = fixed;
          else if (kind === "random" || random() < slip) value = String(1 + Math.floor(random() * 4));
          else value = "3";
        } else if (id === "overall") {
          value = Math.max(1, Math.min(10, Math.round(6.5 + quality * 1.5 + leniency * 2 + normal(random))));
        } else value = random() < 0.7 ? "1" : "2";
        answers[id] = value;
        const read = textLength.get(id)![language] / cps;
        const careful = read + think * Math.exp(normal(random) * 0.4);
        // Rushed questions: a glance and a tap (log-normal around 1.2 s).
        seconds[id] = Math.round((rushed.has(id) || (kind === "fast" && random() < 0.9) ? Math.exp(Math.log(1.2) + normal(random) * 0.35) : careful) * 10) / 10;
      }
      const duration = Object.values(seconds).reduce((a, b) => a + b, 0) + 20 + random() * 60;
      const startedAt = start + Math.floor(random() * 7 * 86_400_000);
      responses.push({ id: `r${String(i + 1).padStart(5, "0")}`, unit, group, startedAt, submittedAt: startedAt + Math.round(duration * 1000), answers, seconds, language });
    }
  }
  return { questionnaire, responses, kinds };
}

export interface KindResult {
  readonly kind: PlantedKind;
  readonly planted: number;
  readonly flagged: number;
  /** flagged / planted (for "genuine": the false-positive rate). */
  readonly recall: number;
  /** How many of the flagged carry each flag. */
  readonly byFlag: Readonly<Record<string, number>>;
}

export interface FlagsMeasurement {
  readonly kinds: readonly KindResult[];
  readonly flagged: number;
  readonly truePositives: number;
  readonly precision: number;
}

const FLAGS = ["speeder", "straightliner", "delegation", "attention", "inconsistent", "misfit"] as const;

/** Flags the population and measures precision overall and recall per planted kind. */
export function measureFlags(population: Population): FlagsMeasurement {
  const flags = computeFlags(population.questionnaire, population.responses);
  const any = (f: ResponseFlags) => FLAGS.some((name) => f[name]);
  const kinds: KindResult[] = (["genuine", ...CARELESS_KINDS] as const).map((kind) => {
    const members = flags.filter((_, i) => population.kinds[i] === kind);
    const flagged = members.filter(any);
    const byFlag: Record<string, number> = {};
    for (const name of FLAGS) {
      const n = flagged.filter((f) => f[name]).length;
      if (n > 0) byFlag[name] = n;
    }
    return { kind, planted: members.length, flagged: flagged.length, recall: members.length === 0 ? 0 : flagged.length / members.length, byFlag };
  });
  const flagged = flags.filter(any).length;
  const truePositives = flags.filter((f, i) => any(f) && population.kinds[i] !== "genuine").length;
  return { kinds, flagged, truePositives, precision: flagged === 0 ? 0 : truePositives / flagged };
}

/** Targets of issue 16: precision overall, recall per kind. */
export const TARGETS = { precision: 0.9, recall: { fast: 0.9, "partly fast": 0.9, "straight-lined": 0.9, "mostly straight-lined": 0.9, random: 0.5 } as Record<CarelessKind, number> };
