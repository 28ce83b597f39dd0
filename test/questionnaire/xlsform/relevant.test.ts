import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { evaluateCondition, parseCondition } from "../../../src/conditions/index.js";
import { operandOf, type AnswerValue, type Question } from "../../../src/questionnaire/index.js";
import { ExportConditionError, parseXPath, toRelevant, translateRelevant, type RefInfo, type XNode } from "../../../src/questionnaire/xlsform/index.js";

// The questions the expressions refer to.
const QUESTIONS: Record<string, Question> = {
  s: { id: "s", type: "single", text: { vi: "s" }, required: false, options: ["a", "b", "c"].map((id) => ({ id, label: { vi: id }, score: null })) },
  m: { id: "m", type: "multi", text: { vi: "m" }, required: false, options: ["x", "y", "z", "w"].map((id) => ({ id, label: { vi: id }, score: null })) },
  n: { id: "n", type: "number", text: { vi: "n" }, required: false, integer: false },
  k: { id: "k", type: "scale", text: { vi: "k" }, required: false, min: 1, max: 5, allowNotApplicable: true },
  t: { id: "t", type: "text", text: { vi: "t" }, required: false },
};

const info = (name: string): RefInfo | undefined => {
  const q = QUESTIONS[name];
  if (!q) return undefined;
  return { type: q.type, ...(q.type === "single" || q.type === "multi" ? { options: q.options.map((o) => o.id) } : {}), ...(q.type === "scale" ? { min: q.min } : {}) };
};

type Answers = Partial<Record<string, AnswerValue>>;

// ---- a direct evaluator of the XPath subset, as ODK reads it: every answer is text, '' when unanswered ----

function valueOf(name: string, answers: Answers): string {
  const a = answers[name];
  if (a === undefined) return "";
  return Array.isArray(a) ? a.join(" ") : String(a);
}

type XValue = { kind: "string"; v: string } | { kind: "number"; v: number } | { kind: "boolean"; v: boolean };

function evalX(node: XNode, answers: Answers): XValue {
  switch (node.kind) {
    case "or":
      return { kind: "boolean", v: node.items.some((i) => truthy(evalX(i, answers))) };
    case "and":
      return { kind: "boolean", v: node.items.every((i) => truthy(evalX(i, answers))) };
    case "not":
      return { kind: "boolean", v: !truthy(evalX(node.operand, answers)) };
    case "ref":
      return { kind: "string", v: valueOf(node.name, answers) };
    case "string":
      return { kind: "string", v: node.value };
    case "number":
      return { kind: "number", v: node.value };
    case "call": {
      const first = node.args[0]!;
      const text = first.kind === "ref" ? valueOf(first.name, answers) : "";
      const items = text.trim() === "" ? [] : text.trim().split(/\s+/);
      if (node.name === "selected") {
        const wanted = evalX(node.args[1]!, answers);
        return { kind: "boolean", v: items.includes(String(wanted.v)) };
      }
      if (node.name === "count-selected") return { kind: "number", v: items.length };
      return { kind: "number", v: text.length };
    }
    case "compare": {
      const l = evalX(node.left, answers);
      const r = evalX(node.right, answers);
      const ordering = node.op !== "=" && node.op !== "!=";
      // XPath 1.0: with a number on either side (or any ordering) both sides compare as numbers.
      if (ordering || l.kind === "number" || r.kind === "number") {
        const a = toNumber(l);
        const b = toNumber(r);
        switch (node.op) {
          case "=":
            return { kind: "boolean", v: a === b };
          case "!=":
            return { kind: "boolean", v: a !== b };
          case "<":
            return { kind: "boolean", v: a < b };
          case "<=":
            return { kind: "boolean", v: a <= b };
          case ">":
            return { kind: "boolean", v: a > b };
          case ">=":
            return { kind: "boolean", v: a >= b };
        }
      }
      return { kind: "boolean", v: node.op === "=" ? String(l.v) === String(r.v) : String(l.v) !== String(r.v) };
    }
    default:
      throw new Error(`not in the subset: ${node.kind}`);
  }
}

function toNumber(x: XValue): number {
  if (x.kind === "number") return x.v;
  if (x.kind === "boolean") return x.v ? 1 : 0;
  return x.v.trim() === "" ? NaN : Number(x.v);
}

function truthy(x: XValue): boolean {
  return x.kind === "boolean" ? x.v : x.kind === "number" ? x.v !== 0 && !Number.isNaN(x.v) : x.v !== "";
}

const evaluateXPath = (expression: string, answers: Answers): boolean => truthy(evalX(parseXPath(expression), answers));

function evaluateShowIf(showIf: string, answers: Answers): boolean {
  const parsed = parseCondition(showIf);
  if (!parsed.ok) throw new Error(`translation does not parse: ${showIf}: ${parsed.error.message}`);
  return evaluateCondition(parsed.condition, (id) => operandOf(QUESTIONS[id]!, answers[id]));
}

// ---- generators ----

const answersArb: fc.Arbitrary<Answers> = fc.record(
  {
    s: fc.constantFrom("a", "b", "c"),
    m: fc.subarray(["x", "y", "z", "w"], { minLength: 1 }),
    n: fc.oneof(fc.integer({ min: -3, max: 12 }), fc.constantFrom(2.5, 0.5)),
    k: fc.oneof(fc.integer({ min: 1, max: 5 }), fc.constant("na")),
    t: fc.constantFrom("có", "không", "5", "Hà Nội"),
  },
  { requiredKeys: [] },
);

const op = fc.constantFrom("=", "!=", "<", "<=", ">", ">=");
const eqOp = fc.constantFrom("=", "!=");
const leaf: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(eqOp, fc.constantFrom("a", "b", "d")).map(([o, v]) => `\${s} ${o} '${v}'`),
  fc.tuple(fc.constantFrom("s", "m", "n", "k", "t"), eqOp).map(([q, o]) => `\${${q}} ${o} ''`),
  fc.constantFrom("x", "y", "q").map((v) => `selected(\${m}, '${v}')`),
  fc.constantFrom("a", "c").map((v) => `selected(\${s}, "${v}")`),
  fc.tuple(op, fc.integer({ min: 0, max: 4 })).map(([o, v]) => `count-selected(\${m}) ${o} ${v}`),
  fc.tuple(op, fc.constantFrom("0", "2.5", "5", "-1", "'3'")).map(([o, v]) => `\${n} ${o} ${v}`),
  fc.tuple(op, fc.integer({ min: 1, max: 5 })).map(([o, v]) => `\${k} ${o} ${v}`),
  fc.tuple(fc.integer({ min: 0, max: 6 }), op).map(([v, o]) => `${v} ${o} \${k}`),
  fc.tuple(eqOp, fc.constantFrom("có", "5", "x")).map(([o, v]) => `\${t} ${o} '${v}'`),
);
const expression: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leaf,
    fc.tuple(tie("e"), fc.constantFrom("and", "or"), tie("e")).map(([a, o, b]) => `${a} ${o} ${b}`),
    tie("e").map((e) => `not(${e})`),
    tie("e").map((e) => `(${e})`),
  ),
})).e;

describe("relevant (XPath) → showIf", () => {
  test.each([
    ["${s} = 'a'", 's == "a"'],
    ["${s} != 'a'", 'not (s == "a")'],
    ["${s} = ''", "not answered(s)"],
    ["${n} != ''", "answered(n)"],
    ["selected(${m}, 'x')", 'm includes "x"'],
    ["selected(${s}, 'a')", 's == "a"'],
    ["${n} >= 18 and ${n} <= 60", "n >= 18 and n <= 60"],
    ["18 <= ${n}", "n >= 18"],
    ["not(${k} > 3) or ${t} = \"có\"", 'not (k > 3) or t == "có"'],
    ["(${s} = 'a' or ${s} = 'b') and ${k} >= 4", '(s == "a" or s == "b") and k >= 4'],
    ["count-selected(${m}) >= 1", "answered(m)"],
    ["count-selected(${m}) = 0", "not answered(m)"],
    ["count-selected(${m}) >= 4", 'm includes "x" and m includes "y" and m includes "z" and m includes "w"'],
    ["${k} >= 1 and ${k} != 3", "k != 3"],
    ["${n} != '' and ${n} != 3", "n != 3"],
    ["${k} != '' and ${k} != 3", "answered(k) and not (k == 3)"],
  ])("%s → %s", (xpath, showIf) => {
    expect(translateRelevant(xpath, info)).toEqual({ ok: true, showIf });
  });

  test.each([
    ["${s} = ‘a’", 7, "typographic quote"],
    ["regex(${t}, '^a')", 0, "the function regex() is not supported"],
    ["${m} = 'x'", 0, "select_multiple: use selected("],
    ["${s} > 'a'", 0, "> compares numbers, but ${s} is a select_one"],
    ["${n} = ${k}", 7, "only be compared with a number or quoted text"],
    ["${n} + 1 > 3", 5, '"+" is not supported here'],
    ["${s} = 'a' AND ${n} > 1", 11, 'write "and" in lower case'],
    ["${t}", 0, "on its own is not a condition"],
    [". > 3", 0, "cannot be used in relevant"],
    ["${n} = '3.0'", 7, "not a plain number"],
    ["count-selected(${m}) > 4", 0, "never true"],
    ["(${s} = 'a'", 11, 'expected ")"'],
  ])("%s is refused at offset %i: %s", (xpath, at, message) => {
    const result = translateRelevant(xpath, info);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.at).toBe(at);
      expect(result.message).toContain(message);
    }
  });

  test("the translated condition and a direct evaluation of the XPath agree on generated answers", () => {
    let translated = 0;
    fc.assert(
      fc.property(expression, fc.array(answersArb, { minLength: 8, maxLength: 8 }), (xpath, answerSets) => {
        const result = translateRelevant(xpath, info);
        if (!result.ok) return; // outside what a chat survey can say the same way: refused with a message, tested above
        translated++;
        for (const answers of answerSets) {
          expect({ xpath, showIf: result.showIf, answers, value: evaluateShowIf(result.showIf, answers) }).toEqual({ xpath, showIf: result.showIf, answers, value: evaluateXPath(xpath, answers) });
        }
      }),
      { numRuns: 400, seed: 15 },
    );
    // The property must not pass by refusing everything.
    expect(translated).toBeGreaterThan(250);
  });

  test("showIf → relevant → showIf gives back the same condition, and the XPath means the same", () => {
    const conditions = [
      's == "a"',
      's != "a"',
      "k != 3",
      "n != 2.5",
      "not (n == 2.5)",
      'm includes "x" or not answered(m)',
      '(s == "a" or t == "có") and k >= 4',
      'not (s == "b" and n < 0)',
      't != "x\'y"',
    ];
    fc.assert(
      fc.property(fc.constantFrom(...conditions), answersArb, (showIf, answers) => {
        const xpath = toRelevant(showIf, info);
        const back = translateRelevant(xpath, info);
        expect(back).toEqual({ ok: true, showIf });
        expect(evaluateXPath(xpath, answers)).toBe(evaluateShowIf(showIf, answers));
      }),
      { numRuns: 300, seed: 15 },
    );
  });

  test.each([
    ['m == "x"', "m is a multi question"],
    ['t == ""', "never true"],
    ['t == "it\'s \\"x\\""', "both kinds of quotes"],
  ])("a condition XPath cannot say the same way is refused on export: %s", (showIf, message) => {
    expect(() => toRelevant(showIf, info)).toThrow(ExportConditionError);
    expect(() => toRelevant(showIf, info)).toThrow(message);
  });
});
