import { parseCondition, type Condition } from "../conditions/index.js";
import { checkQualityRules } from "./quality.js";
import { formatPath, type Finding, type IssuePath } from "./paths.js";
import { hint, questionnaireProblem, said, wordList } from "./problem.js";
import type { ProblemParam } from "../i18n/problem.js";

/**
 * The rules of SURVEY-FORMAT section 1 that span fields. They read the raw (migrated, NFC) data
 * defensively, so they can run even when the zod schema found other problems: a file's errors are
 * all reported at once. Shapes that zod rejects are skipped here, not reported twice.
 */
export function checkRules(data: Record<string, unknown>, lineOf: (path: IssuePath) => number | undefined = () => undefined): Finding[] {
  const out: Finding[] = [];
  const where = (path: IssuePath): ProblemParam => {
    const line = lineOf(path);
    return line === undefined ? formatPath(path) : questionnaireProblem("where.atLine", { path: formatPath(path), line });
  };
  const questions = collectQuestions(data);
  checkLanguages(data, questions, out);
  checkUniqueIds(data, questions, out, where);
  for (const q of questions) checkQuestionShape(q, out);
  checkScoring(data, questions, out);
  checkConditions(questions, out, where);
  checkQualityRules(data, questions, out);
  return out;
}

type Rec = Record<string, unknown>;

const isRecord = (v: unknown): v is Rec => v !== null && typeof v === "object" && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const idOf = (v: unknown): string | undefined => (typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined);

interface QuestionEntry {
  readonly q: Rec;
  readonly path: IssuePath;
  readonly id: string | undefined;
  readonly type: string | undefined;
  /** Position in the questionnaire, for "earlier" checks. */
  readonly order: number;
}

function collectQuestions(data: Rec): QuestionEntry[] {
  const entries: QuestionEntry[] = [];
  list(data.sections).forEach((section, si) => {
    if (!isRecord(section)) return;
    list(section.questions).forEach((q, qi) => {
      if (!isRecord(q)) return;
      const type = typeof q.type === "string" ? q.type : undefined;
      entries.push({ q, path: ["sections", si, "questions", qi], id: idOf(q.id), type, order: entries.length });
    });
  });
  return entries;
}

function optionsOf(q: Rec): Array<{ option: Rec; index: number; id: string | undefined }> {
  return list(q.options).flatMap((option, index) => (isRecord(option) ? [{ option, index, id: idOf(option.id) }] : []));
}

// ---- languages ---------------------------------------------------------------------------------

function checkLanguages(data: Rec, questions: readonly QuestionEntry[], out: Finding[]): void {
  const languages = list(data.languages).filter((l): l is string => typeof l === "string");
  const seen = new Set<string>();
  list(data.languages).forEach((l, i) => {
    if (typeof l !== "string") return;
    if (seen.has(l)) out.push({ path: ["languages", i], ...said("rules.languageTwice", { language: l }) });
    seen.add(l);
  });
  if (languages.length === 0) return;
  const check = (path: IssuePath, value: unknown): void => checkLocalized(path, value, languages, out);
  check(["title"], data.title);
  if (data.intro !== undefined) check(["intro"], data.intro);
  if (data.attestation !== undefined) check(["attestation"], data.attestation);
  list(data.groups).forEach((g, i) => isRecord(g) && check(["groups", i, "label"], g.label));
  list(data.sections).forEach((s, i) => isRecord(s) && check(["sections", i, "title"], s.title));
  for (const { q, path } of questions) {
    check([...path, "text"], q.text);
    if (q.help !== undefined) check([...path, "help"], q.help);
    for (const { option, index } of optionsOf(q)) check([...path, "options", index, "label"], option.label);
    if (isRecord(q.labels)) for (const [key, label] of Object.entries(q.labels)) check([...path, "labels", key], label);
  }
}

function checkLocalized(path: IssuePath, value: unknown, languages: readonly string[], out: Finding[]): void {
  if (!isRecord(value)) return; // zod reports the wrong shape
  const missing = languages.filter((l) => !(l in value));
  if (missing.length > 0) {
    out.push({ path, ...said("rules.missingLanguage", { missing: wordList(missing, "and"), languages: languages.join(", ") }) });
  }
  for (const [key, text] of Object.entries(value)) {
    if (!languages.includes(key)) {
      out.push({
        path: [...path, key],
        target: "key",
        ...said("rules.notALanguage", { key, languages: languages.join(", "), hint: hint(key, languages) }),
      });
    } else if (typeof text === "string" && text.trim() === "") {
      out.push({ path: [...path, key], ...said("rules.emptyText", { language: key }) });
    }
  }
}

// ---- ids ---------------------------------------------------------------------------------------

function checkUniqueIds(data: Rec, questions: readonly QuestionEntry[], out: Finding[], where: (p: IssuePath) => ProblemParam): void {
  const unique = (key: string, items: Array<{ id: string | undefined; path: IssuePath }>): void => {
    const first = new Map<string, IssuePath>();
    for (const { id, path } of items) {
      if (id === undefined) continue;
      const earlier = first.get(id);
      if (earlier) out.push({ path: [...path, "id"], ...said(key, { id, where: where(earlier) }) });
      else first.set(id, path);
    }
  };
  unique(
    "rules.duplicateId.section",
    list(data.sections).flatMap((s, i) => (isRecord(s) ? [{ id: idOf(s.id), path: ["sections", i] }] : [])),
  );
  unique(
    "rules.duplicateId.group",
    list(data.groups).flatMap((g, i) => (isRecord(g) ? [{ id: idOf(g.id), path: ["groups", i] }] : [])),
  );
  unique("rules.duplicateId.question", questions.map(({ id, path }) => ({ id, path })));
  for (const { q, path } of questions) {
    unique("rules.duplicateId.option", optionsOf(q).map(({ id, index }) => ({ id, path: [...path, "options", index] })));
  }
}

// ---- per question type -------------------------------------------------------------------------

function checkQuestionShape({ q, path, type }: QuestionEntry, out: Finding[]): void {
  if (type === "multi" && list(q.options).length > 0) {
    const count = list(q.options).length;
    const minSelect = num(q.minSelect) ?? 1;
    const maxSelect = num(q.maxSelect) ?? count;
    if (num(q.minSelect) !== undefined && minSelect > count) {
      out.push({ path: [...path, "minSelect"], ...said("rules.minSelectOverOptions", { minSelect, count }) });
    } else if (minSelect > maxSelect) {
      out.push({ path: [...path, "minSelect"], ...said("rules.minOverMaxSelect", { minSelect, maxSelect }) });
    }
    if (num(q.maxSelect) !== undefined && maxSelect > count) {
      out.push({ path: [...path, "maxSelect"], ...said("rules.maxSelectOverOptions", { maxSelect, count }) });
    }
  } else if (type === "scale") {
    const min = num(q.min);
    const max = num(q.max);
    if (min !== undefined && max !== undefined && min >= max) {
      out.push({ path: [...path, "max"], ...said("rules.scaleRange", { min, max }) });
    }
    // With a broken range every label would look out of range; the range error is enough.
    if (isRecord(q.labels) && min !== undefined && max !== undefined && min < max && Number.isInteger(min) && Number.isInteger(max)) {
      for (const key of Object.keys(q.labels)) {
        const value = Number(key);
        if (/^-?\d+$/.test(key) && (value < min || value > max)) {
          out.push({ path: [...path, "labels", key], target: "key", ...said("rules.labelOutside", { key, min, max }) });
        }
      }
    }
  } else if (type === "number") {
    const min = num(q.min);
    const max = num(q.max);
    if (min !== undefined && max !== undefined && min > max) {
      out.push({ path: [...path, "max"], ...said("rules.numberRange", { min, max }) });
    }
  }
}

// ---- scoring -----------------------------------------------------------------------------------

function checkScoring(data: Rec, questions: readonly QuestionEntry[], out: Finding[]): void {
  const scoring = isRecord(data.scoring) ? data.scoring : undefined;
  const kind = scoring?.kind;
  let sum = 0;
  let scored = 0;
  // One bad maxPoints (reported by the schema) would make the sum check report a second, derived error.
  let sumKnown = true;
  for (const { q, path, type } of questions) {
    if ((type !== "single" && type !== "multi") || q.maxPoints === undefined) continue;
    if (kind !== "points" && kind !== undefined && kind !== "satisfaction") continue; // unknown kind: reported by the schema
    if (kind !== "points") {
      out.push({
        path: [...path, "maxPoints"],
        ...(scoring === undefined ? said("rules.maxPointsNoScoring") : said("rules.maxPointsOtherKind", { kind: String(kind) })),
      });
      continue;
    }
    const points = num(q.maxPoints);
    if (points !== undefined && points > 0) {
      sum += points;
      scored++;
    } else sumKnown = false;
    const options = optionsOf(q);
    if (options.length > 0 && !options.some(({ option }) => typeof option.score === "number")) {
      out.push({ path: [...path, "options"], ...said("rules.scoredNeedsScore") });
    }
  }
  if (!scoring) return;

  if (kind === "points") {
    const surveyMax = num(scoring.surveyMax);
    if (scored === 0) {
      out.push({ path: ["scoring", "kind"], ...said("rules.pointsNeedsScored") });
    } else if (surveyMax !== undefined && sumKnown && Math.abs(surveyMax - sum) > 1e-9) {
      out.push({
        path: ["scoring", "surveyMax"],
        ...said("rules.surveyMaxSum", { surveyMax, count: scored, sum: Number(sum.toFixed(9)) }),
      });
    }
    for (const { q, path, type } of questions) {
      if ((type === "single" || type === "multi") && q.maxPoints === undefined && optionsOf(q).some(({ option }) => typeof option.score === "number")) {
        out.push({ path: [...path, "maxPoints"], warning: true, ...said("rules.scoresWithoutMaxPoints") });
      }
    }
  } else if (kind === "satisfaction") {
    const scales = questions.filter((q) => q.type === "scale");
    if (scales.length === 0) out.push({ path: ["scoring", "kind"], ...said("rules.satisfactionNeedsScale") });
    if (typeof scoring.overallQuestion === "string") {
      const target = questions.find((q) => q.id === scoring.overallQuestion);
      if (!target) {
        out.push({
          path: ["scoring", "overallQuestion"],
          ...said("rules.overallUnknown", { id: scoring.overallQuestion, hint: hint(scoring.overallQuestion, scales.flatMap((s) => (s.id ? [s.id] : []))) }),
        });
      } else if (target.type !== "scale") {
        out.push({ path: ["scoring", "overallQuestion"], ...said("rules.overallNotScale", { id: target.id ?? "", type: String(target.type) }) });
      }
    }
    list(scoring.positive).forEach((p, i) => {
      if (typeof p !== "number" || scales.length === 0) return;
      const fits = scales.some(({ q }) => (num(q.min) ?? -Infinity) <= p && p <= (num(q.max) ?? Infinity));
      if (!fits) out.push({ path: ["scoring", "positive", i], ...said("rules.positiveOutside", { value: p }) });
    });
  }

  const groups = Array.isArray(data.groups) ? [...new Set(data.groups.flatMap((g) => (isRecord(g) && typeof g.id === "string" ? [g.id] : [])))] : undefined;
  if (isRecord(scoring.groupWeights)) {
    const weights = scoring.groupWeights;
    if (groups) {
      for (const key of Object.keys(weights)) {
        if (!groups.includes(key)) {
          out.push({
            path: ["scoring", "groupWeights", key],
            target: "key",
            ...said("rules.weightNotGroup", { key, groups: groups.join(", "), hint: hint(key, groups) }),
          });
        }
      }
      for (const g of groups) {
        if (!(g in weights)) {
          out.push({ path: ["scoring", "groupWeights"], warning: true, ...said("rules.groupNoWeight", { group: g }) });
        }
      }
    }
    const values = Object.values(weights).filter((w): w is number => typeof w === "number");
    if (values.length > 0 && values.every((w) => w === 0)) {
      out.push({ path: ["scoring", "groupWeights"], ...said("rules.allWeightsZero") });
    }
  }

  const classes = list(scoring.classes);
  const labels = new Set<string>();
  classes.forEach((c, i) => {
    if (!isRecord(c)) return;
    if (typeof c.label === "string") {
      if (labels.has(c.label)) out.push({ path: ["scoring", "classes", i, "label"], ...said("rules.classLabelTwice", { label: c.label }) });
      labels.add(c.label);
    }
    const previous = classes[i - 1];
    const min = num(c.min);
    const before = isRecord(previous) ? num(previous.min) : undefined;
    if (min !== undefined && before !== undefined && min >= before) {
      out.push({
        path: ["scoring", "classes", i, "min"],
        ...said("rules.classOrder", { min, before, previous: i - 1 }),
      });
    }
  });
}

// ---- conditions --------------------------------------------------------------------------------

const ORDERING = new Set(["<", "<=", ">", ">="]);

function checkConditions(questions: readonly QuestionEntry[], out: Finding[], where: (p: IssuePath) => ProblemParam): void {
  const byId = new Map<string, QuestionEntry>();
  for (const entry of questions) if (entry.id !== undefined && !byId.has(entry.id)) byId.set(entry.id, entry);
  for (const entry of questions) {
    const source = entry.q.showIf;
    if (typeof source !== "string") continue;
    const path = [...entry.path, "showIf"];
    const parsed = parseCondition(source);
    if (!parsed.ok) {
      out.push({ path, valueIndex: parsed.error.column - 1, ...said("conditions.syntax", { column: parsed.error.column, detail: parsed.error.problem }) });
      continue;
    }
    const earlier = questions.filter((q) => q.order < entry.order).flatMap((q) => (q.id ? [q.id] : []));
    visit(parsed.condition, (node) => {
      const push = (key: string, params: Record<string, ProblemParam>, warning = false): void => {
        out.push({ path, valueIndex: node.column - 1, ...said(key, params), ...(warning ? { warning } : {}) });
      };
      const target = byId.get(node.question);
      if (!target) return push("conditions.unknownQuestion", { question: node.question, hint: hint(node.question, earlier) });
      if (target === entry) return push("conditions.itself", { question: node.question });
      if (target.order > entry.order) {
        return push("conditions.later", { question: node.question, where: where(target.path) });
      }
      checkOperandTypes(node, target, push);
    });
  }
}

type Leaf = Extract<Condition, { column: number }>;

function visit(condition: Condition, fn: (leaf: Leaf) => void): void {
  if (condition.kind === "and" || condition.kind === "or") condition.items.forEach((c) => visit(c, fn));
  else if (condition.kind === "not") visit(condition.operand, fn);
  else fn(condition);
}

function checkOperandTypes(node: Leaf, target: QuestionEntry, report: (key: string, params: Record<string, ProblemParam>, warning?: boolean) => void): void {
  // The grammar allows these conditions (SURVEY-FORMAT 2 defines what they mean), so a file that uses
  // them is accepted; they are almost always mistakes, so each gets a warning that says why.
  const push = (key: string, params: Record<string, ProblemParam>): void => report(key, params, true);
  const { type, q } = target;
  const id = target.id ?? "";
  if (node.kind === "answered" || type === undefined) return;
  if (node.kind === "includes") {
    if (type !== "multi") return push("conditions.includesNotMulti", { id, type });
    const options = optionsOf(q).flatMap((o) => (o.id !== undefined ? [o.id] : []));
    if (options.length > 0 && !options.includes(node.value)) {
      return push("conditions.noOption", { id, value: node.value, options: options.join(", "), hint: hint(node.value, options) });
    }
    return;
  }
  const literal = node.literal;
  const text = literal.type === "number" ? literal.source : literal.value;
  if (type === "multi") return push("conditions.multiCompare", { id, op: node.op });
  if (type === "single" || type === "text") {
    if (ORDERING.has(node.op)) {
      return push(type === "single" ? "conditions.orderingSingle" : "conditions.orderingText", { id, op: node.op });
    }
    if (type === "single") {
      const options = optionsOf(q).flatMap((o) => (o.id !== undefined ? [o.id] : []));
      if (options.length > 0 && !options.includes(text)) return push("conditions.noOption", { id, value: text, options: options.join(", "), hint: hint(text, options) });
    }
    return;
  }
  // scale and number answers are numbers
  if (literal.type === "string" && !/^\s*-?(\d+(\.\d+)?|\.\d+)\s*$/.test(literal.value)) {
    if (type === "scale" && literal.value === "na") {
      return push("conditions.na", { id, op: node.op });
    }
    return push("conditions.needsNumber", { id, type });
  }
  const value = Number(text);
  if (type === "scale" && node.op === "==") {
    const min = num(q.min);
    const max = num(q.max);
    if (!Number.isInteger(value) || (min !== undefined && value < min) || (max !== undefined && value > max)) {
      push("conditions.scaleNever", { id, min: min ?? "?", max: max ?? "?", value: text });
    }
  }
}
