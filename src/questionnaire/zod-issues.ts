import type { z } from "zod";
import { englishText, type Problem, type ProblemParam } from "../i18n/problem.js";
import { closest, type Finding, type IssuePath } from "./paths.js";
import { hint, questionnaireProblem, said, wordList } from "./problem.js";

type AnySchema = z.core.$ZodType;
interface Def {
  type: string;
  shape?: Record<string, AnySchema>;
  element?: AnySchema;
  innerType?: AnySchema;
  in?: AnySchema;
  options?: AnySchema[];
  discriminator?: string;
  valueType?: AnySchema;
  values?: unknown[];
}
const defOf = (schema: AnySchema): Def => schema._zod.def as unknown as Def;

const LOCALIZED_KEYS = new Set(["text", "label", "title", "intro", "attestation", "help"]);

/** Describes a value found in the file, for "expected X, found Y" messages, by key. */
export function valueProblem(value: unknown): Problem {
  if (value === undefined) return questionnaireProblem("value.nothing");
  if (value === null) return questionnaireProblem("value.null");
  if (Array.isArray(value)) return questionnaireProblem("value.list");
  if (typeof value === "object") return questionnaireProblem("value.mapping");
  if (typeof value === "string") return questionnaireProblem("value.text", { text: JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value) });
  if (typeof value === "number") return questionnaireProblem("value.number", { value: String(value) });
  return questionnaireProblem("value.other", { value: String(value) });
}

/** Describes a value found in the file, in English. */
export function describeValue(value: unknown): string {
  return englishText(valueProblem(value));
}

const EXPECTED: Record<string, string> = {
  string: "expected.text",
  number: "expected.number",
  int: "expected.int",
  boolean: "expected.boolean",
  object: "expected.mapping",
  record: "expected.mapping",
  array: "expected.list",
  null: "expected.null",
};

const expected = (type: string): ProblemParam => (EXPECTED[type] !== undefined ? questionnaireProblem(EXPECTED[type]) : type);

/** The fields of a zod issue the messages read (raw issues carry `input`; finished ones are given it from the data). */
interface IssueFields {
  readonly code: string;
  readonly input?: unknown;
  readonly path?: readonly PropertyKey[];
  readonly expected?: string;
  readonly origin?: string;
  readonly minimum?: number | bigint;
  readonly maximum?: number | bigint;
  readonly inclusive?: boolean;
  readonly values?: readonly unknown[];
  readonly format?: string;
}

/** The default problem of a zod issue that carries no message of its own, by key. */
function zodProblem(issue: IssueFields): Problem | undefined {
  const input = issue.input;
  switch (issue.code) {
    case "invalid_type": {
      const wanted = expected(issue.expected ?? "");
      if (input === undefined) return questionnaireProblem("zod.missing", { expected: wanted });
      if (typeof input === "number" && !Number.isFinite(input)) return questionnaireProblem("zod.notFinite", { value: String(input) });
      const key = issue.path?.[issue.path.length - 1];
      const perLanguage = typeof key === "string" && LOCALIZED_KEYS.has(key) && typeof input === "string";
      return questionnaireProblem("zod.expected", { expected: wanted, found: valueProblem(input), perLanguage: perLanguage ? questionnaireProblem("zod.perLanguage") : "" });
    }
    case "too_small":
      if (issue.origin === "array") return questionnaireProblem("zod.tooFewItems", { count: Number(issue.minimum) });
      if (issue.origin === "string") return questionnaireProblem("zod.empty");
      return questionnaireProblem(issue.inclusive ? "zod.atLeast" : "zod.greaterThan", { value: String(issue.minimum) });
    case "too_big":
      if (issue.origin === "array") return questionnaireProblem("zod.tooManyItems", { max: String(issue.maximum) });
      if (issue.origin === "string") return questionnaireProblem("zod.tooLong", { max: String(issue.maximum) });
      return questionnaireProblem(issue.inclusive ? "zod.atMost" : "zod.lessThan", { value: String(issue.maximum) });
    case "invalid_value":
      return questionnaireProblem("zod.expectedValues", { values: wordList((issue.values ?? []).map((v) => JSON.stringify(v))), found: valueProblem(input) });
    case "invalid_format":
      return questionnaireProblem("zod.format", { format: String(issue.format) });
    case "invalid_union":
      return questionnaireProblem("zod.textOrNumber", { found: valueProblem(input) });
    default:
      return undefined;
  }
}

/**
 * Default messages in plain English for zod issues that carry no message of their own; given to
 * `safeParse` as its error map, so messages written in the schema still win.
 */
export function zodErrorMap(issue: z.core.$ZodRawIssue): string | undefined {
  const problem = zodProblem(issue as unknown as IssueFields);
  return problem ? englishText(problem) : undefined;
}

/** The schema's own messages (src/questionnaire/schema.ts, types/, quality.ts) by key. */
const SCHEMA_MESSAGES: ReadonlyArray<readonly [RegExp, string]> = [
  [/^a language is a two- or three-letter code such as "vi" or "en"$/, "schema.languageCode"],
  [/^a group id uses only letters, digits, _ and -$/, "schema.groupId"],
  [/^a group weight cannot be negative$/, "schema.groupWeightNegative"],
  [/^positive lists whole scale values$/, "schema.positiveWhole"],
  [/^positive needs at least one scale value$/, "schema.positiveEmpty"],
  [/^a section id uses only letters, digits, _ and -$/, "schema.sectionId"],
  [/^a component id uses only letters, digits, _ and -$/, "schema.componentId"],
  [/^a section needs at least one question$/, "schema.sectionEmpty"],
  [/^the questionnaire id uses only a-z, 0-9 and -$/, "schema.questionnaireId"],
  [/^list at least one language, the default first$/, "schema.languagesEmpty"],
  [/^a questionnaire needs at least one section with questions$/, "schema.sectionsEmpty"],
  [/^a question id uses only letters A-Z a-z, digits and _$/, "schema.questionId"],
  [/^an option id is 1 to 32 characters without spaces, \| or commas$/, "schema.optionId"],
  [/^score must be between 0 and 1, or null$/, "schema.score"],
  [/^a multi question needs at least one option$/, "schema.multiEmpty"],
  [/^a single question needs at least one option$/, "schema.singleEmpty"],
  [/^a label key is a scale value \(a whole number\)$/, "schema.labelKey"],
  [/^accept lists at least one answer$/, "schema.acceptEmpty"],
  [/^(?<name>[\w.]+) must be a whole number$/, "schema.whole"],
  [/^(?<name>[\w.]+) must be at least (?<value>[\d.]+)$/, "schema.atLeast"],
  [/^(?<name>[\w.]+) must be greater than (?<value>[\d.]+)$/, "schema.greaterThan"],
  [/^(?<name>[\w.]+) cannot be negative$/, "schema.notNegative"],
  [/^(?<name>[\w.]+) is a share: at most 1$/, "schema.share"],
];

/** The issue's message by key, when one says exactly that message in English (else none: the English stays). */
function problemOf(issue: z.core.$ZodIssue, input: unknown): Problem | undefined {
  const candidates: Problem[] = [];
  for (const [pattern, key] of SCHEMA_MESSAGES) {
    const match = pattern.exec(issue.message);
    if (match) candidates.push(questionnaireProblem(key, { ...match.groups }));
  }
  const fallback = zodProblem({ ...(issue as unknown as IssueFields), input });
  if (fallback) candidates.push(fallback);
  return candidates.find((p) => englishText(p) === issue.message);
}

/** Turns zod's issues into findings; unknown keys get one finding each, with a "did you mean" hint. */
export function findingsFromZod(issues: readonly z.core.$ZodIssue[], root: AnySchema, data: unknown): Finding[] {
  const findings: Finding[] = [];
  for (const issue of issues) {
    const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
    if (issue.code === "unrecognized_keys") {
      const here = schemaAt(root, data, path);
      for (const key of issue.keys) findings.push({ path: [...path, key], target: "key", ...unknownKeyProblem(key, here) });
    } else if (issue.code === "invalid_union" && "discriminator" in issue && typeof issue.discriminator === "string") {
      findings.push({ path, ...discriminatorProblem(issue.discriminator, valueAt(data, path), (issue as { options?: unknown[] }).options ?? []) });
    } else if (issue.code === "invalid_type" && valueAt(data, path) === undefined && typeof path[path.length - 1] === "string") {
      findings.push({ path, ...said("zod.keyMissing", { key: String(path[path.length - 1]), expected: expected(issue.expected) }) });
    } else {
      const problem = problemOf(issue, valueAt(data, path));
      findings.push({ path, message: issue.message, ...(problem ? { problem } : {}) });
    }
  }
  return findings;
}

function discriminatorProblem(key: string, value: unknown, options: readonly unknown[]): ReturnType<typeof said> {
  const names = options.map(String);
  if (value === undefined) return said("zod.discriminatorMissing", { key, names: wordList(names) });
  const text = String(value);
  return key === "type"
    ? said("zod.notQuestionType", { value: valueProblem(value), names: wordList(names), hint: hint(text, names) })
    : said("zod.notDiscriminator", { value: valueProblem(value), key, names: wordList(names), hint: hint(text, names) });
}

interface SchemaHere {
  readonly known: readonly string[];
  /** Alternatives of the same union (other question types, other scoring kinds), for better hints. */
  readonly siblings: ReadonlyArray<{ readonly tag: string; readonly keys: readonly string[] }>;
  readonly discriminator?: string;
}

function unknownKeyProblem(key: string, here: SchemaHere | undefined): ReturnType<typeof said> {
  if (!here) return said("zod.unknownKey", { key });
  const typo = closest(key, here.known);
  if (typo !== undefined) return said("zod.unknownKeyTypo", { key, typo });
  const owners = here.siblings.filter((s) => s.keys.includes(key)).map((s) => s.tag);
  if (owners.length > 0 && here.discriminator) {
    return here.discriminator === "type"
      ? said("zod.belongsToQuestions", { key, owners: wordList(owners) })
      : said("zod.belongsToScoring", { key, discriminator: here.discriminator, owners: wordList(owners) });
  }
  return said("zod.unknownKeyAllowed", { key, allowed: here.known.join(", ") });
}

function valueAt(data: unknown, path: IssuePath): unknown {
  let value = data;
  for (const segment of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
}

function unwrap(schema: AnySchema): AnySchema {
  let s = schema;
  for (;;) {
    const def = defOf(s);
    if (def.innerType) s = def.innerType;
    else if (def.type === "pipe" && def.in) s = def.in;
    else return s;
  }
}

/** The object schema that applies at `path`, choosing union members by the data's discriminator. */
function schemaAt(root: AnySchema, data: unknown, path: IssuePath): SchemaHere | undefined {
  let schema: AnySchema | undefined = root;
  let value: unknown = data;
  const resolve = (): SchemaHere | undefined => {
    schema = unwrap(schema!);
    const def = defOf(schema);
    if (def.type === "union" && def.options && def.discriminator) {
      const tag = def.discriminator;
      const members = def.options.map((o) => {
        const shape = defOf(unwrap(o)).shape ?? {};
        const lit = shape[tag] ? defOf(unwrap(shape[tag])).values?.[0] : undefined;
        return { tag: String(lit), keys: Object.keys(shape), schema: o };
      });
      const current = value !== null && typeof value === "object" ? (value as Record<string, unknown>)[tag] : undefined;
      const chosen = members.find((m) => m.tag === current);
      if (!chosen) return undefined;
      schema = unwrap(chosen.schema);
      return { known: chosen.keys, siblings: members.filter((m) => m !== chosen), discriminator: tag };
    }
    if (def.type === "object") return { known: Object.keys(def.shape ?? {}), siblings: [] };
    return undefined;
  };
  let here = resolve();
  for (const segment of path) {
    const def = defOf(schema);
    if (def.type === "object" && typeof segment === "string") schema = def.shape?.[segment];
    else if (def.type === "array") schema = def.element;
    else if (def.type === "record") schema = def.valueType;
    else return undefined;
    if (!schema) return undefined;
    value = value !== null && typeof value === "object" ? (value as Record<string | number, unknown>)[segment] : undefined;
    here = resolve();
  }
  return here;
}
