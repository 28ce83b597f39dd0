import { describe, expect, test } from "vitest";
import { evaluateCondition, parseCondition, type Operand } from "../../src/conditions/index.js";

const answers: Record<string, Operand> = {
  single: { type: "text", value: "1" },
  letter: { type: "text", value: "x" },
  nfc: { type: "text", value: "đất" },
  nfd: { type: "text", value: "đất".normalize("NFD") },
  scale: { type: "number", value: 4 },
  scaleNa: { type: "na" },
  count: { type: "number", value: 12.5 },
  multi: { type: "set", value: ["a", "c"] },
  multiNfd: { type: "set", value: ["khác".normalize("NFD")] },
  comment: { type: "text", value: "Tốt" },
};
const lookup = (id: string): Operand | undefined => answers[id];

function run(source: string): boolean {
  const parsed = parseCondition(source);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return evaluateCondition(parsed.condition, lookup);
}

describe("evaluateCondition", () => {
  test.each<[string, boolean]>([
    // option ids are text: 1 and "1" are the same test
    ["single == 1", true],
    ['single == "1"', true],
    ["single == 1.0", false],
    ["single != 2", true],
    ['letter == "x"', true],
    // NFC and NFD spell the same text
    [`nfc == "${"đất".normalize("NFD")}"`, true],
    ['nfd == "đất"', true],
    [`multiNfd includes "khác"`, true],
    // scale and number answers compare as numbers, whatever the literal's form
    ["scale == 4", true],
    ['scale == "4"', true],
    ["scale == 4.0", true],
    ["scale >= 4", true],
    ["scale > 4", false],
    ["scale < 5", true],
    ["scale <= 3", false],
    ['scale == "four"', false],
    ["count > 12", true],
    ["count == 12.5", true],
    // na makes every comparison false, but it is an answer
    ["scaleNa == 4", false],
    ["scaleNa != 4", false],
    ["scaleNa < 100", false],
    ["answered(scaleNa)", true],
    ["not (scaleNa == 4)", true],
    // unanswered: every comparison false, negation true
    ['missing != "x"', false],
    ['missing == "x"', false],
    ['not (missing == "x")', true],
    ['not missing == "x"', true],
    ["answered(missing)", false],
    ['missing includes "a"', false],
    // multi: includes, and == is always false
    ['multi includes "a"', true],
    ['multi includes "b"', false],
    ['multi == "a"', false],
    ['multi != "a"', false],
    ['single includes "1"', false],
    ["answered(multi)", true],
    // text
    ['comment == "Tốt"', true],
    ['comment != "Tốt"', false],
    // combinations and precedence: and binds tighter than or
    ['single == 1 and multi includes "c"', true],
    ['single == 2 or multi includes "c"', true],
    ['single == 2 or multi includes "c" and scale > 4', false],
    ['(single == 2 or multi includes "c") and scale > 3', true],
    ["not (single == 2 or scale == 4)", false],
  ])("%s → %s", (source, expected) => {
    expect(run(source)).toBe(expected);
  });
});
