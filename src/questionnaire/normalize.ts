import { isScalar } from "yaml";
import { englishText } from "../i18n/problem.js";
import type { IssuePath } from "./paths.js";
import { questionnaireProblem } from "./problem.js";
import { locate, type SourceDocument } from "./source.js";

/**
 * NFC-normalises every string and key, so text typed in decomposed form (NFD, as some macOS and
 * Vietnamese input tools produce) behaves exactly like precomposed text: labels, ids, conditions.
 */
export function normalizeNfc(value: unknown, ancestors: Set<object> = new Set()): unknown {
  if (typeof value === "string") return value.normalize("NFC");
  if (value === null || typeof value !== "object") return value;
  // An alias inside its own anchor (`a: &x [*x]`) makes the data cyclic; it cannot be a questionnaire.
  if (ancestors.has(value)) throw new CyclicDataError();
  ancestors.add(value);
  const result = Array.isArray(value)
    ? value.map((v: unknown) => normalizeNfc(v, ancestors))
    : Object.fromEntries(Object.entries(value).map(([k, v]) => [k.normalize("NFC"), normalizeNfc(v, ancestors)]));
  ancestors.delete(value);
  return result;
}

/** Thrown by `normalizeNfc` when the data refers to itself. */
export class CyclicDataError extends Error {
  /** The same by key (src/questionnaire/problem.ts). */
  readonly problem = questionnaireProblem("source.cyclicAlias");

  constructor() {
    super(englishText(questionnaireProblem("source.cyclicAlias")));
    this.name = "CyclicDataError";
  }
}

/**
 * YAML reads an unquoted id such as `01` or `1.50` as a number, which would lose how it was
 * written; ids are text, so numeric ids take their source text.
 */
export function idsAsWritten(data: Record<string, unknown>, source: SourceDocument): void {
  const fix = (holder: unknown, path: IssuePath): void => {
    if (holder === null || typeof holder !== "object" || Array.isArray(holder)) return;
    const record = holder as Record<string, unknown>;
    if (typeof record.id !== "number") return;
    const { node } = locate(source, [...path, "id"]);
    const written = node && isScalar(node) && typeof node.source === "string" ? node.source : String(record.id);
    record.id = written.normalize("NFC");
  };
  const each = (value: unknown, fn: (item: unknown, index: number) => void): void => {
    if (Array.isArray(value)) value.forEach(fn);
  };
  each(data.groups, (g, i) => fix(g, ["groups", i]));
  each(data.sections, (s, si) => {
    fix(s, ["sections", si]);
    each((s as { questions?: unknown } | null)?.questions, (q, qi) => {
      fix(q, ["sections", si, "questions", qi]);
      each((q as { options?: unknown } | null)?.options, (o, oi) => fix(o, ["sections", si, "questions", qi, "options", oi]));
    });
  });
}
