import { parseCondition, type Condition } from "../conditions/index.js";
import { checkQualityRules } from "./quality.js";
import { didYouMean, formatPath, listWords, type Finding, type IssuePath } from "./paths.js";

/**
 * The rules of SURVEY-FORMAT section 1 that span fields. They read the raw (migrated, NFC) data
 * defensively, so they can run even when the zod schema found other problems: a file's errors are
 * all reported at once. Shapes that zod rejects are skipped here, not reported twice.
 */
export function checkRules(data: Record<string, unknown>, lineOf: (path: IssuePath) => number | undefined = () => undefined): Finding[] {
  const out: Finding[] = [];
  const where = (path: IssuePath): string => {
    const line = lineOf(path);
    return `${formatPath(path)}${line === undefined ? "" : `, line ${line}`}`;
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
    if (seen.has(l)) out.push({ path: ["languages", i], message: `"${l}" is listed twice in languages: remove the second one` });
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
    out.push({ path, message: `missing the ${listWords(missing, "and")} text: every text needs each language in languages (${languages.join(", ")})` });
  }
  for (const [key, text] of Object.entries(value)) {
    if (!languages.includes(key)) {
      out.push({
        path: [...path, key],
        target: "key",
        message: `"${key}" is not one of the questionnaire's languages (${languages.join(", ")}): remove it or add it to languages${didYouMean(key, languages)}`,
      });
    } else if (typeof text === "string" && text.trim() === "") {
      out.push({ path: [...path, key], message: `the ${key} text is empty: write it` });
    }
  }
}

// ---- ids ---------------------------------------------------------------------------------------

function checkUniqueIds(data: Rec, questions: readonly QuestionEntry[], out: Finding[], where: (p: IssuePath) => string): void {
  const unique = (what: string, items: Array<{ id: string | undefined; path: IssuePath }>, scope: string): void => {
    const first = new Map<string, IssuePath>();
    for (const { id, path } of items) {
      if (id === undefined) continue;
      const earlier = first.get(id);
      if (earlier) out.push({ path: [...path, "id"], message: `${what} id "${id}" is already used by ${where(earlier)}: ${what} ids must be unique ${scope}` });
      else first.set(id, path);
    }
  };
  unique(
    "section",
    list(data.sections).flatMap((s, i) => (isRecord(s) ? [{ id: idOf(s.id), path: ["sections", i] }] : [])),
    "in the questionnaire",
  );
  unique(
    "group",
    list(data.groups).flatMap((g, i) => (isRecord(g) ? [{ id: idOf(g.id), path: ["groups", i] }] : [])),
    "in the questionnaire",
  );
  unique("question", questions.map(({ id, path }) => ({ id, path })), "in the whole questionnaire");
  for (const { q, path } of questions) {
    unique("option", optionsOf(q).map(({ id, index }) => ({ id, path: [...path, "options", index] })), "within a question");
  }
}

// ---- per question type -------------------------------------------------------------------------

function checkQuestionShape({ q, path, type }: QuestionEntry, out: Finding[]): void {
  if (type === "multi" && list(q.options).length > 0) {
    const count = list(q.options).length;
    const minSelect = num(q.minSelect) ?? 1;
    const maxSelect = num(q.maxSelect) ?? count;
    if (num(q.minSelect) !== undefined && minSelect > count) {
      out.push({ path: [...path, "minSelect"], message: `minSelect is ${minSelect} but the question has only ${count} option${count === 1 ? "" : "s"}` });
    } else if (minSelect > maxSelect) {
      out.push({ path: [...path, "minSelect"], message: `minSelect (${minSelect}) is greater than maxSelect (${maxSelect}): make minSelect ≤ maxSelect` });
    }
    if (num(q.maxSelect) !== undefined && maxSelect > count) {
      out.push({ path: [...path, "maxSelect"], message: `maxSelect is ${maxSelect} but the question has only ${count} option${count === 1 ? "" : "s"}: lower it to at most ${count}` });
    }
  } else if (type === "scale") {
    const min = num(q.min);
    const max = num(q.max);
    if (min !== undefined && max !== undefined && min >= max) {
      out.push({ path: [...path, "max"], message: `max (${max}) must be greater than min (${min})` });
    }
    // With a broken range every label would look out of range; the range error is enough.
    if (isRecord(q.labels) && min !== undefined && max !== undefined && min < max && Number.isInteger(min) && Number.isInteger(max)) {
      for (const key of Object.keys(q.labels)) {
        const value = Number(key);
        if (/^-?\d+$/.test(key) && (value < min || value > max)) {
          out.push({ path: [...path, "labels", key], target: "key", message: `label for ${key} is outside the scale ${min}..${max}: remove it or fix the value` });
        }
      }
    }
  } else if (type === "number") {
    const min = num(q.min);
    const max = num(q.max);
    if (min !== undefined && max !== undefined && min > max) {
      out.push({ path: [...path, "max"], message: `max (${max}) must not be less than min (${min})` });
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
        message:
          scoring === undefined
            ? "maxPoints is only used with scoring kind points, and this questionnaire has no scoring section: add one or remove maxPoints"
            : `maxPoints is only used with scoring kind points, not ${String(kind)}: remove it`,
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
      out.push({ path: [...path, "options"], message: "a scored question (it has maxPoints) needs at least one option with a score between 0 and 1" });
    }
  }
  if (!scoring) return;

  if (kind === "points") {
    const surveyMax = num(scoring.surveyMax);
    if (scored === 0) {
      out.push({ path: ["scoring", "kind"], message: "scoring kind points needs at least one single or multi question with maxPoints" });
    } else if (surveyMax !== undefined && sumKnown && Math.abs(surveyMax - sum) > 1e-9) {
      out.push({
        path: ["scoring", "surveyMax"],
        message: `surveyMax is ${surveyMax} but the maxPoints of the ${scored} scored question${scored === 1 ? "" : "s"} add up to ${Number(sum.toFixed(9))}: make them equal`,
      });
    }
    for (const { q, path, type } of questions) {
      if ((type === "single" || type === "multi") && q.maxPoints === undefined && optionsOf(q).some(({ option }) => typeof option.score === "number")) {
        out.push({ path: [...path, "maxPoints"], warning: true, message: "options have scores but the question has no maxPoints, so it is not scored: add maxPoints or remove the scores" });
      }
    }
  } else if (kind === "satisfaction") {
    const scales = questions.filter((q) => q.type === "scale");
    if (scales.length === 0) out.push({ path: ["scoring", "kind"], message: "scoring kind satisfaction needs at least one scale question" });
    if (typeof scoring.overallQuestion === "string") {
      const target = questions.find((q) => q.id === scoring.overallQuestion);
      if (!target) {
        out.push({
          path: ["scoring", "overallQuestion"],
          message: `overallQuestion "${scoring.overallQuestion}" is not a question of this questionnaire${didYouMean(scoring.overallQuestion, scales.flatMap((s) => (s.id ? [s.id] : [])))}`,
        });
      } else if (target.type !== "scale") {
        out.push({ path: ["scoring", "overallQuestion"], message: `overallQuestion must name a scale question; ${target.id} is a ${String(target.type)} question` });
      }
    }
    list(scoring.positive).forEach((p, i) => {
      if (typeof p !== "number" || scales.length === 0) return;
      const fits = scales.some(({ q }) => (num(q.min) ?? -Infinity) <= p && p <= (num(q.max) ?? Infinity));
      if (!fits) out.push({ path: ["scoring", "positive", i], message: `positive value ${p} is outside the range of every scale question` });
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
            message: `"${key}" is not a group id; the groups are ${groups.join(", ")}${didYouMean(key, groups)}`,
          });
        }
      }
      for (const g of groups) {
        if (!(g in weights)) {
          out.push({ path: ["scoring", "groupWeights"], warning: true, message: `group ${g} has no weight, so its answers do not count towards the index; give it a weight (0 to make that explicit)` });
        }
      }
    }
    const values = Object.values(weights).filter((w): w is number => typeof w === "number");
    if (values.length > 0 && values.every((w) => w === 0)) {
      out.push({ path: ["scoring", "groupWeights"], message: "every group weight is 0: at least one must be greater than 0" });
    }
  }

  const classes = list(scoring.classes);
  const labels = new Set<string>();
  classes.forEach((c, i) => {
    if (!isRecord(c)) return;
    if (typeof c.label === "string") {
      if (labels.has(c.label)) out.push({ path: ["scoring", "classes", i, "label"], message: `class label "${c.label}" is used twice` });
      labels.add(c.label);
    }
    const previous = classes[i - 1];
    const min = num(c.min);
    const before = isRecord(previous) ? num(previous.min) : undefined;
    if (min !== undefined && before !== undefined && min >= before) {
      out.push({
        path: ["scoring", "classes", i, "min"],
        message: `classes are listed highest first, each min strictly below the one before: ${min} is not below ${before} (classes[${i - 1}])`,
      });
    }
  });
}

// ---- conditions --------------------------------------------------------------------------------

const ORDERING = new Set(["<", "<=", ">", ">="]);

function checkConditions(questions: readonly QuestionEntry[], out: Finding[], where: (p: IssuePath) => string): void {
  const byId = new Map<string, QuestionEntry>();
  for (const entry of questions) if (entry.id !== undefined && !byId.has(entry.id)) byId.set(entry.id, entry);
  for (const entry of questions) {
    const source = entry.q.showIf;
    if (typeof source !== "string") continue;
    const path = [...entry.path, "showIf"];
    const parsed = parseCondition(source);
    if (!parsed.ok) {
      out.push({ path, valueIndex: parsed.error.column - 1, message: `syntax error in the condition at column ${parsed.error.column}: ${parsed.error.message}` });
      continue;
    }
    const earlier = questions.filter((q) => q.order < entry.order).flatMap((q) => (q.id ? [q.id] : []));
    visit(parsed.condition, (node) => {
      const push = (message: string, warning = false): void => {
        out.push({ path, valueIndex: node.column - 1, message, ...(warning ? { warning } : {}) });
      };
      const target = byId.get(node.question);
      if (!target) return push(`the condition refers to "${node.question}", which is not a question of this questionnaire${didYouMean(node.question, earlier)}`);
      if (target === entry) return push(`the condition refers to the question itself (${node.question}): a condition can only use answers to earlier questions`);
      if (target.order > entry.order) {
        return push(`the condition refers to ${node.question}, which comes later (${where(target.path)}): a condition can only use answers to earlier questions`);
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

function checkOperandTypes(node: Leaf, target: QuestionEntry, report: (message: string, warning?: boolean) => void): void {
  // The grammar allows these conditions (SURVEY-FORMAT 2 defines what they mean), so a file that uses
  // them is accepted; they are almost always mistakes, so each gets a warning that says why.
  const push = (message: string): void => report(message, true);
  const { type, q, id } = target;
  if (node.kind === "answered" || type === undefined) return;
  if (node.kind === "includes") {
    if (type !== "multi") return push(`"includes" works only on multi questions; ${id} is a ${type} question: use ${id} == "…" instead`);
    const options = optionsOf(q).flatMap((o) => (o.id !== undefined ? [o.id] : []));
    if (options.length > 0 && !options.includes(node.value)) {
      return push(`${id} has no option "${node.value}" (options: ${options.join(", ")})${didYouMean(node.value, options)}`);
    }
    return;
  }
  const literal = node.literal;
  const text = literal.type === "number" ? literal.source : literal.value;
  if (type === "multi") return push(`${id} is a multi question, and ${node.op} on a multi answer is always false: use ${id} includes "…"`);
  if (type === "single" || type === "text") {
    if (ORDERING.has(node.op)) {
      return push(`${node.op} compares numbers, but ${id} is a ${type} question whose answers are ${type === "single" ? "option ids" : "text"}: use == or !=`);
    }
    if (type === "single") {
      const options = optionsOf(q).flatMap((o) => (o.id !== undefined ? [o.id] : []));
      if (options.length > 0 && !options.includes(text)) return push(`${id} has no option "${text}" (options: ${options.join(", ")})${didYouMean(text, options)}`);
    }
    return;
  }
  // scale and number answers are numbers
  if (literal.type === "string" && !/^\s*-?(\d+(\.\d+)?|\.\d+)\s*$/.test(literal.value)) {
    if (type === "scale" && literal.value === "na") {
      return push(`"cannot judge" (na) answers make every comparison false, so ${id} ${node.op} "na" never holds; use answered(${id}) or a numeric comparison`);
    }
    return push(`${id} is a ${type} question: compare it with a number, e.g. ${id} >= 4`);
  }
  const value = Number(text);
  if (type === "scale" && node.op === "==") {
    const min = num(q.min);
    const max = num(q.max);
    if (!Number.isInteger(value) || (min !== undefined && value < min) || (max !== undefined && value > max)) {
      push(`${id} is a scale ${min ?? "?"}..${max ?? "?"}, so ${id} == ${text} is never true`);
    }
  }
}
