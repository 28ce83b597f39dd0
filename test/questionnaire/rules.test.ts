import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { formatIssue, parseQuestionnaire, type QuestionnaireIssue } from "../../src/questionnaire/index.js";

const BASE = readFileSync(new URL("../fixtures/questionnaires/valid-points.yaml", import.meta.url), "utf8");
const FILE = "q.yaml";

/** The base fixture with `from` (which must occur exactly once) replaced by `to`. */
function edit(from: string, to: string, text = BASE): string {
  const at = text.indexOf(from);
  if (at < 0 || text.indexOf(from, at + 1) >= 0) throw new Error(`fixture edit: "${from}" must occur exactly once`);
  return text.slice(0, at) + to + text.slice(at + from.length);
}

function errorsOf(text: string): readonly QuestionnaireIssue[] {
  const result = parseQuestionnaire(text, FILE);
  return result.ok ? [] : result.issues;
}

test("the base fixture is valid and has no warnings", () => {
  const result = parseQuestionnaire(BASE, FILE);
  expect(result.ok ? result.warnings : result.issues).toEqual([]);
});

// [rule, from, to, path, line, message fragment]
const cases: Array<[string, string, string, string, number, string]> = [
  // ids
  ["duplicate question id", "- id: q4", "- id: q2", "sections[1].questions[1].id", 56, 'question id "q2" is already used by sections[0].questions[1], line 34'],
  ["duplicate question id across sections", "- id: q5", "- id: q1", "sections[1].questions[2].id", 63, 'question id "q1" is already used by sections[0].questions[0]'],
  ["duplicate section id", "- id: s2", "- id: s1", "sections[1].id", 45, 'section id "s1" is already used by sections[0], line 22'],
  ["duplicate group id", "- { id: deputies, label: { vi: \"Đại biểu\", en: \"Deputies\" } }\n", "- { id: deputies, label: { vi: \"Đại biểu\", en: \"Deputies\" } }\n  - { id: leaders, label: { vi: \"Lãnh đạo\", en: \"Leaders\" } }\n", "groups[2].id", 11, 'group id "leaders" is already used by groups[0]'],
  ["duplicate option id", "- { id: 2, label", "- { id: 1, label", "sections[0].questions[0].options[1].id", 32, 'option id "1" is already used by sections[0].questions[0].options[0], line 31'],
  ["question id with a space", "- id: q5", "- id: q 5", "sections[1].questions[2].id", 63, "a question id uses only letters"],
  ["questionnaire id with capitals", "id: par-test", "id: PAR-test", "id", 2, "the questionnaire id uses only a-z, 0-9 and -"],
  // languages
  ["text missing a language", 'text: { vi: "Chọn", en: "Choose" }', 'text: { vi: "Chọn" }', "sections[0].questions[1].text", 36, "missing the en text"],
  ["title with a language not listed", 'title: { vi: "Phần 2", en: "Part 2" }', 'title: { vi: "Phần 2", en: "Part 2", fr: "Partie 2" }', "sections[1].title.fr", 46, '"fr" is not one of the questionnaire\'s languages (vi, en)'],
  ["language typo gets a hint", 'title: { vi: "Phần 2", en: "Part 2" }', 'title: { vi: "Phần 2", en: "Part 2", vn: "x" }', "sections[1].title.vn", 46, 'did you mean "vi"?'],
  ["empty text", 'en: "Comments"', 'en: "  "', "sections[1].questions[2].text.en", 65, "the en text is empty"],
  ["option label missing a language", '{ vi: "Kém", en: "Poor" }', '{ vi: "Kém" }', "sections[0].questions[0].options[1].label", 32, "missing the en text"],
  ["help missing a language", 'help: { vi: "Không bắt buộc", en: "Optional" }', 'help: { en: "Optional" }', "sections[1].questions[2].help", 66, "missing the vi text"],
  ["intro missing a language", 'intro: { vi: "Xin chào", en: "Hello" }', 'intro: { vi: "Xin chào" }', "intro", 6, "missing the en text"],
  ["attestation missing a language", 'attestation: { vi: "Tôi xác nhận tự trả lời", en: "I confirm I answer myself" }', 'attestation: { en: "I confirm" }', "attestation", 7, "missing the vi text"],
  ["group label missing a language", '{ vi: "Lãnh đạo", en: "Leaders" }', '{ vi: "Lãnh đạo" }', "groups[0].label", 9, "missing the en text"],
  ["scale label missing a language", '1: { vi: "Rất không hài lòng", en: "Very dissatisfied" }', '1: { vi: "Rất không hài lòng" }', 'sections[1].questions[0].labels["1"]', 54, "missing the en text"],
  ["text as a plain string", 'text: { vi: "Số lần?", en: "How many times?" }', 'text: "Số lần?"', "sections[1].questions[1].text", 58, 'expected a mapping (key: value), found the text "Số lần?" (write it per language'],
  ["language listed twice", "languages: [vi, en]", "languages: [vi, en, vi]", "languages[2]", 4, '"vi" is listed twice'],
  // scores
  ["score above 1", "score: 0.5 }", "score: 1.5 }", "sections[0].questions[1].options[1].score", 43, "score must be between 0 and 1, or null"],
  ["negative score", "score: 0 }\n          - { id: x", "score: -0.5 }\n          - { id: x", "sections[0].questions[0].options[1].score", 32, "score must be between 0 and 1, or null"],
  ["score not finite", "score: 0.5 }", "score: .nan }", "sections[0].questions[1].options[1].score", 43, "expected a finite number, found NaN"],
  ["score as text", "score: 0.5 }", 'score: "half" }', "sections[0].questions[1].options[1].score", 43, 'expected a number, found the text "half"'],
  // conditions
  ["condition syntax error, column inside the file", "showIf: 'q3 >= 4'", "showIf: 'q3 => 4'", "sections[1].questions[1].showIf", 59, "syntax error in the condition at column 4"],
  ["condition refers to an unknown question", "showIf: 'q3 >= 4'", "showIf: 'q33 >= 4'", "sections[1].questions[1].showIf", 59, 'refers to "q33", which is not a question of this questionnaire (did you mean "q3"?)'],
  ["condition refers to the question itself", "showIf: 'q3 >= 4'", "showIf: 'q4 >= 4'", "sections[1].questions[1].showIf", 59, "refers to the question itself (q4)"],
  ["condition refers to a later question", "showIf: 'q1 == 1'", "showIf: 'q4 == 1'", "sections[0].questions[1].showIf", 37, "refers to q4, which comes later (sections[1].questions[1], line 56)"],
  // points scoring
  ["surveyMax differs from the sum", "surveyMax: 2.5", "surveyMax: 3", "scoring.surveyMax", 13, "surveyMax is 3 but the maxPoints of the 2 scored questions add up to 2.5"],
  ["maxPoints without a scored option", "score: 1 }\n          - { id: 2, label: { vi: \"Kém\", en: \"Poor\" }, score: 0 }", "score: null }\n          - { id: 2, label: { vi: \"Kém\", en: \"Poor\" } }", "sections[0].questions[0].options", 31, "needs at least one option with a score"],
  ["maxPoints of zero", "maxPoints: 1\n", "maxPoints: 0\n", "sections[0].questions[1].maxPoints", 38, "maxPoints must be greater than 0"],
  ["a satisfaction key under points", "appraisalMax: 7.5", "positive: [4, 5]", "scoring.positive", 14, '"positive" is not allowed here: it belongs to scoring kind satisfaction'],
  ["groupWeights names an unknown group", "{ leaders: 0.6, deputies: 0.4 }", "{ leaders: 0.6, deputie: 0.4 }", "scoring.groupWeights.deputie", 16, '"deputie" is not a group id; the groups are leaders, deputies (did you mean "deputies"?)'],
  ["every group weight zero", "{ leaders: 0.6, deputies: 0.4 }", "{ leaders: 0, deputies: 0 }", "scoring.groupWeights", 16, "every group weight is 0"],
  ["classes not descending", "- { label: B, min: 80 }", "- { label: B, min: 95 }", "scoring.classes[1].min", 19, "95 is not below 90 (classes[0])"],
  ["classes with equal min", "- { label: B, min: 80 }", "- { label: B, min: 90 }", "scoring.classes[1].min", 19, "90 is not below 90"],
  ["class label used twice", "- { label: C, min: 0 }", "- { label: A, min: 0 }", "scoring.classes[2].label", 20, 'class label "A" is used twice'],
  ["minResponses zero", "minResponses: 2", "minResponses: 0", "scoring.minResponses", 15, "minResponses must be at least 1"],
  ["unknown scoring kind", "kind: points", "kind: point", "scoring.kind", 12, 'the text "point" is not a kind: use points or satisfaction (did you mean "points"?)'],
  // question types
  ["minSelect above maxSelect", "minSelect: 1", "minSelect: 3", "sections[0].questions[1].minSelect", 39, "minSelect (3) is greater than maxSelect (2)"],
  ["maxSelect above the number of options", "maxSelect: 2", "maxSelect: 4", "sections[0].questions[1].maxSelect", 40, "maxSelect is 4 but the question has only 3 options"],
  ["minSelect zero", "minSelect: 1", "minSelect: 0", "sections[0].questions[1].minSelect", 39, "minSelect must be at least 1"],
  ["scale min not below max", "min: 1\n        max: 5", "min: 5\n        max: 5", "sections[1].questions[0].max", 53, "max (5) must be greater than min (5)"],
  ["scale label outside the range", '5: { vi: "Rất hài lòng"', '6: { vi: "Rất hài lòng"', 'sections[1].questions[0].labels["6"]', 54, "label for 6 is outside the scale 1..5"],
  ["scale min not whole", "min: 1\n        max: 5", "min: 1.5\n        max: 5", "sections[1].questions[0].min", 52, "min must be a whole number"],
  ["number min above max", "min: 0\n        max: 100", "min: 10\n        max: 1", "sections[1].questions[1].max", 61, "max (1) must not be less than min (10)"],
  ["maxLength zero", "maxLength: 1000", "maxLength: 0", "sections[1].questions[2].maxLength", 68, "maxLength must be at least 1"],
  ["no options", 'options:\n          - { id: a, label: { vi: "A", en: "A" }, score: 1 }\n          - { id: b, label: { vi: "B", en: "B" }, score: 0.5 }\n          - { id: c, label: { vi: "C", en: "C" }, score: 0 }', "options: []\n\n\n", "sections[0].questions[1].options", 41, "a multi question needs at least one option"],
  // unknown and missing keys
  ["unknown key close to a known one", "required: false", "requird: false", "sections[1].questions[2].requird", 67, 'unknown key "requird": did you mean "required"?'],
  ["unknown top-level key", "version: 2", "version: 2\nauthor: me", "author", 4, 'unknown key "author": remove it (allowed here: schemaVersion, id, version'],
  ["key of another question type", "integer: true", "integer: true\n        options: []", "sections[1].questions[1].options", 63, '"options" is not allowed here: it belongs to single or multi questions'],
  ["unknown option key", "score: 0 }\n  - id: s2", "score: 0, scor: 1 }\n  - id: s2", "sections[0].questions[1].options[2].scor", 44, 'did you mean "score"?'],
  ["unknown question type", "type: number", "type: numbr", "sections[1].questions[1].type", 57, 'the text "numbr" is not a question type: use single, multi, scale, number or text (did you mean "number"?)'],
  ["missing question type", "        type: number\n", "", "sections[1].questions[1].type", 56, "missing: add type: single, multi, scale, number or text"],
  ["missing section title", '    title: { vi: "Phần 2", en: "Part 2" }\n', "", "sections[1].title", 45, "title is missing: add it (a mapping (key: value))"],
  ["missing scale max", "        max: 5\n", "", "sections[1].questions[0].max", 48, "max is missing: add it (a number)"],
];

// Conditions the grammar allows but that are (almost) never true: the file loads, with one warning.
// [rule, from, to, path, line, message fragment]
const warningCases: Array<[string, string, string, string, number, string]> = [
  ["includes on a single question", "showIf: 'q3 >= 4'", "showIf: 'q1 includes \"1\"'", "sections[1].questions[1].showIf", 59, '"includes" works only on multi questions; q1 is a single question'],
  ["== on a multi question", "showIf: 'q3 >= 4'", "showIf: 'q2 == \"a\"'", "sections[1].questions[1].showIf", 59, "q2 is a multi question, and == on a multi answer is always false"],
  ["ordering on a single question", "showIf: 'q3 >= 4'", "showIf: 'q1 >= 1'", "sections[1].questions[1].showIf", 59, ">= compares numbers, but q1 is a single question"],
  ["unknown option in a comparison", "showIf: 'q1 == 1'", "showIf: 'q1 == 3'", "sections[0].questions[1].showIf", 37, 'q1 has no option "3" (options: 1, 2, x)'],
  ["unknown option in includes", "showIf: 'q3 >= 4'", "showIf: 'q2 includes \"d\"'", "sections[1].questions[1].showIf", 59, 'q2 has no option "d" (options: a, b, c)'],
  ["text compared with a scale", "showIf: 'q3 >= 4'", "showIf: 'q3 == \"good\"'", "sections[1].questions[1].showIf", 59, "q3 is a scale question: compare it with a number"],
  ["na compared with a scale", "showIf: 'q3 >= 4'", "showIf: 'q3 == \"na\"'", "sections[1].questions[1].showIf", 59, "never holds; use answered(q3)"],
];

describe("questionnaire rules", () => {
  test.each(cases)("%s", (_name, from, to, path, line, fragment) => {
    const issues = errorsOf(edit(from, to));
    const found = issues.filter((i) => i.path === path);
    expect(found, issues.map(formatIssue).join("\n")).toHaveLength(1);
    expect(found[0]!.line).toBe(line);
    expect(found[0]!.message).toContain(fragment);
    expect(found[0]!.file).toBe(FILE);
    // Nothing else is wrong in these files, so nothing else may be reported.
    expect(issues.map(formatIssue)).toEqual([formatIssue(found[0]!)]);
  });
});

describe("condition warnings", () => {
  test.each(warningCases)("%s", (_name, from, to, path, line, fragment) => {
    const result = parseQuestionnaire(edit(from, to), FILE);
    expect(result.ok, result.ok ? "" : result.issues.map(formatIssue).join("\n")).toBe(true);
    const warnings = result.ok ? result.warnings : [];
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ path, line, severity: "warning", file: FILE });
    expect(warnings[0]!.message).toContain(fragment);
  });
});
