import { describe, expect, test } from "vitest";
import { parseAnswerChoice, parseAnswerText, readNumber, renderHints, validateAnswer, type Choice } from "../../src/engine/index.js";
import { DEFAULT_TEXT_MAX_LENGTH, question, type Question } from "../../src/questionnaire/index.js";

const text = (vi: string) => ({ vi });
const opts = (...ids: string[]) => ids.map((id) => ({ id, label: text(`nhãn ${id}`) }));

const single = question.parse({ id: "s", type: "single", text: text("?"), options: opts("1", "2", "x") });
const lettered = question.parse({ id: "l", type: "single", text: text("?"), options: opts("yes", "no", "Khác") });
const multi = question.parse({ id: "m", type: "multi", text: text("?"), minSelect: 2, maxSelect: 3, options: opts("a", "b", "c", "d") });
const multiDefault = question.parse({ id: "md", type: "multi", text: text("?"), options: opts("a", "b") });
const scale = question.parse({
  id: "sc",
  type: "scale",
  text: text("?"),
  min: 1,
  max: 5,
  labels: { 1: text("Rất kém"), 5: text("Rất tốt") },
  allowNotApplicable: true,
});
const scaleNoNa = question.parse({ id: "sn", type: "scale", text: text("?"), min: 0, max: 3 });
const integer = question.parse({ id: "n", type: "number", text: text("?"), min: 0, max: 100, integer: true });
const decimal = question.parse({ id: "d", type: "number", text: text("?") });
const shortText = question.parse({ id: "t", type: "text", text: text("?"), maxLength: 5 });
const longText = question.parse({ id: "tl", type: "text", text: text("?") });

type Row = [string, Question, string, object];

const ok = (value: unknown) => ({ ok: true, value });
const no = (reason: string, params: object = {}) => ({ ok: false, reason, params });

describe("typed answers", () => {
  test.each<Row>([
    ["single by id", single, "x", ok("x")],
    ["single by number (ids win over numbers)", single, "2", ok("2")],
    ["single by number of a lettered option", lettered, "3", ok("Khác")],
    ["single id ignoring case", lettered, "YES", ok("yes")],
    ["single full-width digit", lettered, "２", ok("no")],
    ["single unknown", single, "7", no("unknown_option", { value: "7", optionCount: 3 })],
    ["single zero", lettered, "0", no("unknown_option", { value: "0", optionCount: 3 })],
    ["multi comma", multi, "1,3", ok(["a", "c"])],
    ["multi spaces, ids, repeats, any order", multi, "d  b b", ok(["b", "d"])],
    ["multi semicolon", multi, "a;b;c", ok(["a", "b", "c"])],
    ["multi too few", multi, "a", no("too_few_selected", { minSelect: 2, maxSelect: 3 })],
    ["multi too many", multi, "1 2 3 4", no("too_many_selected", { minSelect: 2, maxSelect: 3 })],
    ["multi unknown", multi, "a,z", no("unknown_option", { value: "z", optionCount: 4 })],
    ["multi defaults 1..all", multiDefault, "1,2", ok(["a", "b"])],
    ["scale value", scale, "4", ok(4)],
    ["scale na", scale, " NA ", ok("na")],
    ["scale na not allowed", scaleNoNa, "na", no("not_applicable_not_allowed", { min: 0, max: 3 })],
    ["scale above", scale, "6", no("out_of_range", { min: 1, max: 5, value: "6" })],
    ["scale fraction", scale, "2,5", no("out_of_range", { min: 1, max: 5, value: "2.5" })],
    ["scale word", scale, "tốt", no("out_of_range", { min: 1, max: 5, value: "tốt" })],
    ["scale zero end", scaleNoNa, "0", ok(0)],
    ["number integer", integer, "42", ok(42)],
    ["number with comma is not whole", integer, "3,5", no("not_integer", { min: 0, max: 100 })],
    ["number above", integer, "101", no("above_max", { min: 0, max: 100 })],
    ["number below", integer, "-3", no("below_min", { min: 0, max: 100 })],
    ["decimal comma", decimal, "3,5", ok(3.5)],
    ["decimal dot", decimal, "3.5", ok(3.5)],
    ["decimal leading comma", decimal, ",5", ok(0.5)],
    ["negative with minus sign", decimal, "\u22122", ok(-2)],
    ["plus sign", decimal, "+7", ok(7)],
    ["both separators", decimal, "1.234,5", no("ambiguous_number", { value: "1.234,5" })],
    ["repeated dots", decimal, "1.234.567", no("ambiguous_number", { value: "1.234.567" })],
    ["repeated commas", decimal, "1,234,567", no("ambiguous_number", { value: "1,234,567" })],
    ["thousands dot (a thousand in Vietnamese, one in English)", decimal, "1.000", no("ambiguous_number", { value: "1.000" })],
    ["thousands comma", integer, "12,345", no("ambiguous_number", { value: "12,345" })],
    ["three decimals after zero are not ambiguous", decimal, "0,125", ok(0.125)],
    ["two decimals are not ambiguous", decimal, "2.50", ok(2.5)],
    ["words", decimal, "ba", no("not_a_number", { value: "ba" })],
    ["exponent", decimal, "1e3", no("not_a_number", { value: "1e3" })],
    ["inner space", decimal, "1 000", no("not_a_number", { value: "1 000" })],
    ["text trimmed", shortText, "  Tốt \n", ok("Tốt")],
    ["text exactly the limit in code points", shortText, "🙂🙂🙂🙂🙂", ok("🙂🙂🙂🙂🙂")],
    ["text NFD counted as NFC", shortText, "Huế ơi".normalize("NFD").slice(0, 6), ok("Huế".normalize("NFC"))],
    ["text too long", shortText, "Sáu chữ", no("too_long", { maxLength: 5, length: 7 })],
    ["text blank", shortText, " \t ", no("empty_text")],
    ["text 100,000 characters", longText, "a".repeat(100_000), no("too_long", { maxLength: DEFAULT_TEXT_MAX_LENGTH, length: 100_000 })],
  ])("%s", (_name, q, input, expected) => {
    expect(parseAnswerText(q, input)).toEqual(expected);
  });
});

describe("button answers", () => {
  test.each<[string, Question, Choice, object]>([
    ["single option", single, { kind: "option", optionId: "x" }, ok("x")],
    ["single forged option", single, { kind: "option", optionId: "99" }, no("unknown_option", { value: "99", optionCount: 3 })],
    ["single gets a scale value", single, { kind: "scale", value: 1 }, no("wrong_kind")],
    ["multi options reordered", multi, { kind: "options", optionIds: ["c", "a"] }, ok(["a", "c"])],
    ["multi forged option", multi, { kind: "options", optionIds: ["a", "<script>"] }, no("unknown_option", { value: "<script>", optionCount: 4 })],
    ["multi too many", multi, { kind: "options", optionIds: ["a", "b", "c", "d"] }, no("too_many_selected", { minSelect: 2, maxSelect: 3 })],
    ["multi single option kind", multi, { kind: "option", optionId: "a" }, no("wrong_kind")],
    ["scale value", scale, { kind: "scale", value: 5 }, ok(5)],
    ["scale na", scale, { kind: "scale", value: "na" }, ok("na")],
    ["scale out of range", scale, { kind: "scale", value: 9 }, no("out_of_range", { min: 1, max: 5, value: "9" })],
    ["scale fraction", scale, { kind: "scale", value: 2.5 }, no("out_of_range", { min: 1, max: 5, value: "2.5" })],
    ["scale na not allowed", scaleNoNa, { kind: "scale", value: "na" }, no("not_applicable_not_allowed", { min: 0, max: 3 })],
    ["number has no buttons", integer, { kind: "scale", value: 3 }, no("wrong_kind")],
    ["text has no buttons", shortText, { kind: "option", optionId: "a" }, no("wrong_kind")],
  ])("%s", (_name, q, choice, expected) => {
    expect(parseAnswerChoice(q, choice)).toEqual(expected);
  });
});

describe("stored values", () => {
  test.each<[string, Question, unknown, object]>([
    ["single number instead of id", single, 1, no("unknown_option", { value: "1", optionCount: 3 })],
    ["multi not a list", multi, "a", no("wrong_kind")],
    ["number NaN", decimal, Number.NaN, no("not_a_number", { value: "NaN" })],
    ["number infinity", decimal, Number.POSITIVE_INFINITY, no("not_a_number", { value: "Infinity" })],
    ["number as text", decimal, "3", no("not_a_number", { value: "3" })],
    ["text as number", shortText, 3, no("wrong_kind")],
  ])("%s", (_name, q, value, expected) => {
    expect(validateAnswer(q, value as never)).toEqual(expected);
  });
});

describe("render hints", () => {
  test.each<[string, Question, object]>([
    ["single", lettered, { type: "single", options: [{ id: "yes", number: 1 }, { id: "no", number: 2 }, { id: "Khác", number: 3 }] }],
    ["scale end labels and na", scale, { type: "scale", min: 1, max: 5, values: [1, 2, 3, 4, 5], labelled: [1, 5], allowNotApplicable: true }],
    ["scale without labels", scaleNoNa, { type: "scale", min: 0, max: 3, values: [0, 1, 2, 3], labelled: [], allowNotApplicable: false }],
    ["number", integer, { type: "number", min: 0, max: 100, integer: true }],
    ["number unbounded", decimal, { type: "number", integer: false }],
    ["text default limit", longText, { type: "text", maxLength: DEFAULT_TEXT_MAX_LENGTH }],
    ["text own limit", shortText, { type: "text", maxLength: 5 }],
  ])("%s", (_name, q, expected) => {
    expect(renderHints(q)).toEqual(expected);
  });

  test("multi carries limits and the selection", () => {
    expect(renderHints(multi, ["b"])).toEqual({
      type: "multi",
      options: [1, 2, 3, 4].map((n) => ({ id: "abcd"[n - 1], number: n })),
      minSelect: 2,
      maxSelect: 3,
      selected: ["b"],
    });
  });
});

test("readNumber never returns negative zero", () => {
  expect(Object.is((readNumber("-0") as { value: number }).value, 0)).toBe(true);
});
