// XLSForm `relevant` (XPath) to and from khaosat's `showIf` condition language, preserving meaning:
// in XPath an unanswered question reads as '' (so `${q} != 'a'` holds when q is unanswered), while
// in khaosat every comparison on an unanswered question is false. The translation accounts for it.
import { parseCondition, type Condition, type Literal } from "../../conditions/index.js";
import type { Problem } from "../../i18n/problem.js";
import { questionnaireProblem } from "../problem.js";
import { parseXPath, XPathError, type XNode, type XOp } from "./xpath.js";

/** What the translator needs to know about a question a reference names. */
export interface RefInfo {
  readonly type: "single" | "multi" | "scale" | "number" | "text";
  /** Option ids (single, multi). */
  readonly options?: readonly string[];
  /** Lowest scale value (scale). */
  readonly min?: number;
}

/** The translated condition, or what is not understood and where (0-based offset in the expression). */
export type TranslateResult = { readonly ok: true; readonly showIf: string } | { readonly ok: false; readonly at: number; readonly message: string; readonly problem: Problem };

/** Largest number of option combinations `count-selected(${q}) >= n` may expand to. */
const MAX_EXPANSION = 64;

/** Translates an XLSForm `relevant` expression into a `showIf` condition. */
export function translateRelevant(expression: string, lookup: (name: string) => RefInfo | undefined): TranslateResult {
  try {
    const tree = parseXPath(expression);
    return { ok: true, showIf: printCondition(simplify(toCondition(tree, lookup), lookup)) };
  } catch (error) {
    if (error instanceof XPathError) return { ok: false, at: error.at, message: error.message, problem: error.problem };
    throw error;
  }
}

const FLIP: Record<XOp, XOp> = { "=": "=", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<=" };
const ORDER = new Set<XOp>(["<", "<=", ">", ">="]);

function toCondition(node: XNode, lookup: (name: string) => RefInfo | undefined): Condition {
  switch (node.kind) {
    case "or":
    case "and":
      return { kind: node.kind, items: node.items.map((i) => toCondition(i, lookup)) };
    case "not":
      return { kind: "not", operand: toCondition(node.operand, lookup) };
    case "compare":
      return comparison(node, lookup);
    case "call":
      if (node.name === "selected") return selected(node, lookup);
      throw new XPathError(node.at, questionnaireProblem("xlsform.xpath.callAlone", { name: node.name }));
    case "ref":
      throw new XPathError(node.at, questionnaireProblem("xlsform.xpath.refAlone", { ref: `\${${node.name}}` }));
    case "self":
      throw new XPathError(node.at, questionnaireProblem("xlsform.xpath.self"));
    default:
      throw new XPathError(node.at, questionnaireProblem("xlsform.xpath.literalAlone"));
  }
}

function refOf(node: XNode): string {
  if (node.kind !== "ref") throw new XPathError(node.at, questionnaireProblem("xlsform.xpath.expectedRef"));
  if (!/^[A-Za-z0-9_]+$/.test(node.name)) throw new XPathError(node.at, questionnaireProblem("xlsform.xpath.badName", { ref: `\${${node.name}}` }));
  return node.name;
}

function selected(node: Extract<XNode, { kind: "call" }>, lookup: (name: string) => RefInfo | undefined): Condition {
  const question = refOf(node.args[0]!);
  const value = node.args[1]!;
  if (value.kind !== "string" && value.kind !== "number") throw new XPathError(value.at, questionnaireProblem("xlsform.xpath.selectedValue"));
  const id = value.kind === "string" ? value.value : value.source;
  const info = lookup(question);
  if (info?.type === "single") return { kind: "compare", question, op: "==", literal: { type: "string", value: id }, column: 0 };
  if (info !== undefined && info.type !== "multi") throw new XPathError(node.at, questionnaireProblem("xlsform.xpath.selectedType", { ref: `\${${question}}`, type: describeType(info) }));
  return { kind: "includes", question, value: id, column: 0 };
}

function comparison(node: Extract<XNode, { kind: "compare" }>, lookup: (name: string) => RefInfo | undefined): Condition {
  let { left, right, op } = node;
  if (left.kind === "string" || left.kind === "number") [left, right, op] = [right, left, FLIP[op]];
  if (left.kind === "call" && left.name === "count-selected") return countSelected(left, op, right, lookup);
  if (left.kind === "self" || right.kind === "self") throw new XPathError(node.at, questionnaireProblem("xlsform.xpath.self"));
  if (left.kind !== "ref") throw new XPathError(left.at, questionnaireProblem("xlsform.xpath.comparisonRef"));
  if (right.kind !== "string" && right.kind !== "number") {
    throw new XPathError(right.at, questionnaireProblem("xlsform.xpath.comparisonValue"));
  }
  const question = refOf(left);
  const info = lookup(question);
  // `${q} = ''` and `${q} != ''` ask whether q was answered.
  if (right.kind === "string" && right.value === "") {
    if (op === "=") return { kind: "not", operand: { kind: "answered", question, column: 0 } };
    if (op === "!=") return { kind: "answered", question, column: 0 };
    throw new XPathError(right.at, questionnaireProblem("xlsform.xpath.emptyOrdering", { op }));
  }
  if (info?.type === "multi") throw new XPathError(node.at, questionnaireProblem("xlsform.xpath.multiCompare", { ref: `\${${question}}` }));
  const numeric = info?.type === "number" || info?.type === "scale";
  if (ORDER.has(op) && info !== undefined && !numeric) {
    throw new XPathError(node.at, questionnaireProblem("xlsform.xpath.orderingType", { op, ref: `\${${question}}`, type: describeType(info) }));
  }
  let literal: Literal;
  if (right.kind === "number") literal = { type: "number", value: right.value, source: right.source };
  else {
    // For a number question XPath compares '5' as text against the answer as written; khaosat compares
    // numbers, which agree only when the text is a number written the plain way.
    if ((numeric || ORDER.has(op)) && String(Number(right.value)) !== right.value) {
      throw new XPathError(right.at, info ? questionnaireProblem("xlsform.xpath.notNumberType", { value: String(right.value), ref: `\${${question}}`, type: describeType(info) }) : questionnaireProblem("xlsform.xpath.notNumberOp", { value: String(right.value), op }));
    }
    literal = { type: "string", value: right.value };
  }
  const compare: Condition = { kind: "compare", question, op: op === "=" ? "==" : op === "!=" ? "==" : op, literal, column: 0 };
  // XPath: an unanswered question ('') is different from any value, so != holds; so does not(… = …).
  return op === "!=" ? { kind: "not", operand: compare } : compare;
}

function countSelected(call: Extract<XNode, { kind: "call" }>, op: XOp, right: XNode, lookup: (name: string) => RefInfo | undefined): Condition {
  const question = refOf(call.args[0]!);
  if (right.kind !== "number" || !Number.isInteger(right.value)) throw new XPathError(right.at, questionnaireProblem("xlsform.xpath.countWhole"));
  const info = lookup(question);
  if (info !== undefined && info.type !== "multi") throw new XPathError(call.at, questionnaireProblem("xlsform.xpath.countType", { ref: `\${${question}}`, type: describeType(info) }));
  const options = info?.options ?? [];
  const n = right.value;
  // count >= k, as the condition language has no count: k = 1 is "answered", larger k lists the combinations.
  const atLeast = (k: number): Condition | "always" | "never" => {
    if (k <= 0) return "always";
    if (k === 1) return { kind: "answered", question, column: 0 };
    if (k > options.length) return "never";
    const combos = combinations(options, k);
    if (combos.length > MAX_EXPANSION) {
      throw new XPathError(call.at, questionnaireProblem("xlsform.xpath.countTooMany", { ref: `\${${question}}`, op, n: String(n) }));
    }
    const items: Condition[] = combos.map((set) => ({ kind: "and", items: set.map((value) => ({ kind: "includes", question, value, column: 0 }) as Condition) }));
    return items.length === 1 ? items[0]! : { kind: "or", items };
  };
  const not = (c: Condition | "always" | "never"): Condition | "always" | "never" => (c === "always" ? "never" : c === "never" ? "always" : { kind: "not", operand: c });
  const both = (a: Condition | "always" | "never", b: Condition | "always" | "never"): Condition | "always" | "never" =>
    a === "never" || b === "never" ? "never" : a === "always" ? b : b === "always" ? a : { kind: "and", items: [a, b] };
  let result: Condition | "always" | "never";
  switch (op) {
    case ">=":
      result = atLeast(n);
      break;
    case ">":
      result = atLeast(n + 1);
      break;
    case "<":
      result = not(atLeast(n));
      break;
    case "<=":
      result = not(atLeast(n + 1));
      break;
    case "=":
      result = both(atLeast(n), not(atLeast(n + 1)));
      break;
    case "!=":
      result = not(both(atLeast(n), not(atLeast(n + 1))));
      break;
  }
  if (result === "always" || result === "never") {
    throw new XPathError(call.at, questionnaireProblem(result === "always" ? "xlsform.xpath.countAlways" : "xlsform.xpath.countNever", { ref: `\${${question}}`, op, n: String(n), choices: options.length ? questionnaireProblem("xlsform.xpath.choices", { count: options.length }) : "" }));
  }
  return result;
}

function combinations<T>(items: readonly T[], k: number): T[][] {
  const out: T[][] = [];
  const pick = (start: number, chosen: T[]): void => {
    if (out.length > MAX_EXPANSION) return;
    if (chosen.length === k) {
      out.push([...chosen]);
      return;
    }
    for (let i = start; i <= items.length - (k - chosen.length); i++) pick(i + 1, [...chosen, items[i]!]);
  };
  pick(0, []);
  return out;
}

function describeType(info: RefInfo): Problem {
  const key = { single: "xlsform.xpath.type.single", multi: "xlsform.xpath.type.multi", scale: "xlsform.xpath.type.scale", number: "xlsform.xpath.type.number", text: "xlsform.xpath.type.text" }[info.type];
  return questionnaireProblem(key);
}

/**
 * Folds the forms the export writes back into the condition they came from:
 * `${q} != '' and ${q} != 'x'` (or, for a range, `${q} >= min and ${q} != x`) is khaosat's `q != "x"`.
 */
function simplify(c: Condition, lookup?: (name: string) => RefInfo | undefined): Condition {
  if (c.kind === "not") return { kind: "not", operand: simplify(c.operand, lookup) };
  if (c.kind !== "and" && c.kind !== "or") return c;
  const items = c.items.map((i) => simplify(i, lookup));
  if (c.kind === "and" && items.length === 2 && lookup) {
    const [guard, rest] = items as [Condition, Condition];
    if (rest.kind === "not" && rest.operand.kind === "compare" && rest.operand.op === "==") {
      const q = rest.operand.question;
      const info = lookup(q);
      // Exact only where "answered" and "has a value to compare" coincide: a scale's "cannot judge" is
      // answered yet compares false, so a scale is guarded by `>= min` instead.
      const isGuard =
        info !== undefined &&
        ((info.type === "scale" && guard.kind === "compare" && guard.question === q && guard.op === ">=" && guard.literal.type === "number" && guard.literal.value === info.min) ||
          (info.type !== "scale" && info.type !== "multi" && guard.kind === "answered" && guard.question === q));
      if (isGuard) return { ...rest.operand, op: "!=" };
    }
  }
  // and inside and (from parentheses) reads the same flattened.
  const flat = items.flatMap((i) => (i.kind === c.kind ? i.items : [i]));
  return { kind: c.kind, items: flat };
}

/** Writes a condition in the `showIf` language (canonical spacing, parentheses only where needed). */
export function printCondition(c: Condition): string {
  switch (c.kind) {
    case "or":
      return c.items.map(printCondition).join(" or ");
    case "and":
      return c.items.map((i) => (i.kind === "or" ? `(${printCondition(i)})` : printCondition(i))).join(" and ");
    case "not":
      return `not ${c.operand.kind === "or" || c.operand.kind === "and" || c.operand.kind === "compare" || c.operand.kind === "includes" ? `(${printCondition(c.operand)})` : printCondition(c.operand)}`;
    case "answered":
      return `answered(${c.question})`;
    case "includes":
      return `${c.question} includes ${quote(c.value)}`;
    case "compare":
      return `${c.question} ${c.op} ${c.literal.type === "number" ? c.literal.source : quote(c.literal.value)}`;
  }
}

function quote(text: string): string {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** A condition with positions dropped and nested and/or flattened: what two equivalent spellings share. */
export function canonicalCondition(source: string): string {
  const parsed = parseCondition(source);
  if (!parsed.ok) return source;
  return printCondition(simplify(parsed.condition));
}

/** Thrown by the export for a condition XPath cannot say the same way. */
export class ExportConditionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ExportConditionError";
  }
}

/** Writes a `showIf` condition as an XLSForm `relevant` expression with the same meaning. */
export function toRelevant(source: string, lookup: (name: string) => RefInfo | undefined): string {
  const parsed = parseCondition(source);
  if (!parsed.ok) throw new ExportConditionError(`the condition "${source}" does not parse: ${parsed.error.message}`);
  return xpathOf(parsed.condition, lookup, false);
}

function xpathOf(c: Condition, lookup: (name: string) => RefInfo | undefined, nested: boolean): string {
  switch (c.kind) {
    case "or": {
      const text = c.items.map((i) => xpathOf(i, lookup, false)).join(" or ");
      return nested ? `(${text})` : text;
    }
    case "and":
      return c.items.map((i) => xpathOf(i, lookup, true)).join(" and ");
    case "not":
      return `not(${xpathOf(c.operand, lookup, false)})`;
    case "answered":
      return `\${${c.question}} != ''`;
    case "includes":
      return `selected(\${${c.question}}, ${xpathString(c.value)})`;
    case "compare": {
      const info = lookup(c.question);
      if (info?.type === "multi") throw new ExportConditionError(`${c.question} is a multi question, and "${printCondition(c)}" is always false: use includes`);
      const literal = c.literal.type === "number" ? c.literal.source : xpathString(c.literal.value);
      if (c.op === "!=") {
        const guard = info?.type === "scale" ? `\${${c.question}} >= ${info.min ?? 0}` : `\${${c.question}} != ''`;
        return `(${guard} and \${${c.question}} != ${literal})`;
      }
      if (c.op === "==" && c.literal.type === "string" && c.literal.value === "") {
        throw new ExportConditionError(`${c.question} == "" is never true (an answer is never empty): use not answered(${c.question})`);
      }
      return `\${${c.question}} ${c.op === "==" ? "=" : c.op} ${literal}`;
    }
  }
}

function xpathString(text: string): string {
  if (!text.includes("'")) return `'${text}'`;
  if (!text.includes('"')) return `"${text}"`;
  throw new ExportConditionError(`the text ${JSON.stringify(text)} has both kinds of quotes, which XPath cannot write`);
}
