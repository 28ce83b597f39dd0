import type { z } from "zod";
import { closest, didYouMean, listWords, type Finding, type IssuePath } from "./paths.js";

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

/** Describes a value found in the file, for "expected X, found Y" messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null (an empty value)";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return `the text ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === "number") return `the number ${value}`;
  return String(value);
}

const EXPECTED: Record<string, string> = {
  string: "text",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  object: "a mapping (key: value)",
  record: "a mapping (key: value)",
  array: "a list",
  null: "null",
};

/**
 * Default messages in plain English for zod issues that carry no message of their own; given to
 * `safeParse` as its error map, so messages written in the schema still win.
 */
export function zodErrorMap(issue: z.core.$ZodRawIssue): string | undefined {
  const input = issue.input;
  switch (issue.code) {
    case "invalid_type": {
      const expected = EXPECTED[issue.expected] ?? issue.expected;
      if (input === undefined) return `missing: add it (${expected})`;
      if (typeof input === "number" && !Number.isFinite(input)) return `expected a finite number, found ${String(input)}`;
      const key = issue.path?.[issue.path.length - 1];
      const perLanguage = typeof key === "string" && LOCALIZED_KEYS.has(key) && typeof input === "string";
      return `expected ${expected}, found ${describeValue(input)}${perLanguage ? ' (write it per language, e.g. { vi: "...", en: "..." })' : ""}`;
    }
    case "too_small":
      if (issue.origin === "array") return `needs at least ${String(issue.minimum)} item${Number(issue.minimum) === 1 ? "" : "s"}`;
      if (issue.origin === "string") return "must not be empty";
      return `must be ${issue.inclusive ? "at least" : "greater than"} ${String(issue.minimum)}`;
    case "too_big":
      if (issue.origin === "array") return `has more than ${String(issue.maximum)} items`;
      if (issue.origin === "string") return `is longer than ${String(issue.maximum)} characters`;
      return `must be ${issue.inclusive ? "at most" : "less than"} ${String(issue.maximum)}`;
    case "invalid_value":
      return `expected ${listWords(issue.values.map((v) => JSON.stringify(v)))}, found ${describeValue(input)}`;
    case "invalid_format":
      return `does not have the expected form (${issue.format})`;
    case "invalid_union":
      return `expected text or a number, found ${describeValue(input)}`;
    default:
      return undefined;
  }
}

/** Turns zod's issues into findings; unknown keys get one finding each, with a "did you mean" hint. */
export function findingsFromZod(issues: readonly z.core.$ZodIssue[], root: AnySchema, data: unknown): Finding[] {
  const findings: Finding[] = [];
  for (const issue of issues) {
    const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
    if (issue.code === "unrecognized_keys") {
      const here = schemaAt(root, data, path);
      for (const key of issue.keys) findings.push({ path: [...path, key], target: "key", message: unknownKeyMessage(key, here) });
    } else if (issue.code === "invalid_union" && "discriminator" in issue && typeof issue.discriminator === "string") {
      findings.push({ path, message: discriminatorMessage(issue.discriminator, valueAt(data, path), (issue as { options?: unknown[] }).options ?? []) });
    } else if (issue.code === "invalid_type" && valueAt(data, path) === undefined && typeof path[path.length - 1] === "string") {
      findings.push({ path, message: `${String(path[path.length - 1])} is missing: add it (${EXPECTED[issue.expected] ?? issue.expected})` });
    } else {
      findings.push({ path, message: issue.message });
    }
  }
  return findings;
}

function discriminatorMessage(key: string, value: unknown, options: readonly unknown[]): string {
  const names = options.map(String);
  const what = key === "type" ? "question type" : `${key}`;
  if (value === undefined) return `missing: add ${key}: ${listWords(names)}`;
  const text = String(value);
  return `${describeValue(value)} is not a ${what}: use ${listWords(names)}${didYouMean(text, names)}`;
}

interface SchemaHere {
  readonly known: readonly string[];
  /** Alternatives of the same union (other question types, other scoring kinds), for better hints. */
  readonly siblings: ReadonlyArray<{ readonly tag: string; readonly keys: readonly string[] }>;
  readonly discriminator?: string;
}

function unknownKeyMessage(key: string, here: SchemaHere | undefined): string {
  if (!here) return `unknown key "${key}": remove it`;
  const typo = closest(key, here.known);
  if (typo !== undefined) return `unknown key "${key}": did you mean "${typo}"?`;
  const owners = here.siblings.filter((s) => s.keys.includes(key)).map((s) => s.tag);
  if (owners.length > 0 && here.discriminator) {
    const what = here.discriminator === "type" ? `${listWords(owners)} questions` : `scoring ${here.discriminator} ${listWords(owners)}`;
    return `"${key}" is not allowed here: it belongs to ${what}; remove it`;
  }
  return `unknown key "${key}": remove it (allowed here: ${here.known.join(", ")})`;
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
