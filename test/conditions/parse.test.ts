import { describe, expect, test } from "vitest";
import { parseCondition, references, type Condition } from "../../src/conditions/index.js";

const num = (value: number, source = String(value)) => ({ type: "number" as const, value, source });
const str = (value: string) => ({ type: "string" as const, value });

describe("parseCondition: valid conditions", () => {
  test.each<[string, Condition]>([
    ['q1 == "yes"', { kind: "compare", question: "q1", op: "==", literal: str("yes"), column: 1 }],
    ["q1 == 1", { kind: "compare", question: "q1", op: "==", literal: num(1), column: 1 }],
    ["q3 >= 4.5", { kind: "compare", question: "q3", op: ">=", literal: num(4.5, "4.5"), column: 1 }],
    ["q3 > -1", { kind: "compare", question: "q3", op: ">", literal: num(-1, "-1"), column: 1 }],
    ["q3<=2", { kind: "compare", question: "q3", op: "<=", literal: num(2), column: 1 }],
    ['q1 != "a b"', { kind: "compare", question: "q1", op: "!=", literal: str("a b"), column: 1 }],
    ['q1 == "say \\"hi\\""', { kind: "compare", question: "q1", op: "==", literal: str('say "hi"'), column: 1 }],
    ['q2 includes "x"', { kind: "includes", question: "q2", value: "x", column: 1 }],
    ["answered(q1)", { kind: "answered", question: "q1", column: 10 }],
    ["12 == 3", { kind: "compare", question: "12", op: "==", literal: num(3), column: 1 }],
    ["2a < 3", { kind: "compare", question: "2a", op: "<", literal: num(3), column: 1 }],
    [
      'not q1 == "a" and (q2 includes "b" or answered(q3))',
      {
        kind: "and",
        items: [
          { kind: "not", operand: { kind: "compare", question: "q1", op: "==", literal: str("a"), column: 5 } },
          {
            kind: "or",
            items: [
              { kind: "includes", question: "q2", value: "b", column: 20 },
              { kind: "answered", question: "q3", column: 48 },
            ],
          },
        ],
      },
    ],
    [
      "a == 1 or b == 2 and c == 3",
      {
        kind: "or",
        items: [
          { kind: "compare", question: "a", op: "==", literal: num(1), column: 1 },
          {
            kind: "and",
            items: [
              { kind: "compare", question: "b", op: "==", literal: num(2), column: 11 },
              { kind: "compare", question: "c", op: "==", literal: num(3), column: 22 },
            ],
          },
        ],
      },
    ],
    ["not not q1 == 1", { kind: "not", operand: { kind: "not", operand: { kind: "compare", question: "q1", op: "==", literal: num(1), column: 9 } } }],
  ])("%s", (source, expected) => {
    expect(parseCondition(source)).toEqual({ ok: true, condition: expected });
  });
});

describe("parseCondition: syntax errors name the column", () => {
  test.each<[string, number, string]>([
    ["", 1, "the condition is empty"],
    ["   ", 1, "the condition is empty"],
    ['q1 = "a"', 4, 'unexpected "=": write "==" to compare'],
    ["q1 == 'a'", 7, "strings are written in double quotes, not single quotes"],
    ['q1 == "a', 7, "string is not closed: add the closing double quote"],
    ['q1 == "a" && q2 == "b"', 11, 'unexpected "&": write "and" to combine conditions'],
    ['q1 == "a" || q2 == "b"', 11, 'unexpected "|": write "or" to combine conditions'],
    ['!answered(q1)', 1, 'unexpected "!": write "not" to negate, or "!=" to compare'],
    ['q1 == "a" AND q2 == "b"', 11, 'unexpected "AND": expected "and", "or" or the end (keywords are lower case: write "and")'],
    ["q1 ==", 6, "expected a number or a string in double quotes after ==, found the end of the condition"],
    ["q1 == q2", 7, 'expected a number or a string in double quotes after ==, found "q2"'],
    ['q1 "a"', 4, 'expected a comparison (==, !=, <, <=, >, >=) or "includes" after q1, found the string "a"'],
    ["q2 includes 3", 13, '"includes" takes an option id in double quotes, found "3"'],
    ['(q1 == "a"', 11, 'expected ")" to close the "(" at column 1, found the end of the condition'],
    ['q1 == "a")', 10, 'unexpected ")": expected "and", "or" or the end'],
    ['and q1 == "a"', 1, 'expected a question id, "not", "(" or "answered(", found "and"'],
    ["answered(1.5)", 10, "expected a question id inside answered(...), found \"1.5\""],
    ["answered(q1", 12, 'expected ")" after answered(q1, found the end of the condition'],
    ['q1 == "a" or', 13, 'expected a question id, "not", "(" or "answered(", found the end of the condition'],
    ["q1 == 1 q2", 9, 'unexpected "q2": expected "and", "or" or the end'],
    ["q1 # 1", 4, 'unexpected character "#"'],
  ])("%j", (source, column, message) => {
    // The English message, and the same by key for a reader of another language (test/questionnaire/problem-keys.test.ts).
    expect(parseCondition(source)).toEqual({ ok: false, error: { column, message, problem: expect.objectContaining({ key: expect.stringMatching(/^questionnaire:conditions\.parse\./) }) } });
  });
});

test("references lists every question with its column", () => {
  const parsed = parseCondition('q1 == "a" or (not q2 includes "b" and answered(q3))');
  expect(parsed.ok && references(parsed.condition)).toEqual([
    { question: "q1", column: 1 },
    { question: "q2", column: 19 },
    { question: "q3", column: 48 },
  ]);
});
