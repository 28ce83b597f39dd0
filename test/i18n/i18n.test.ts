import { describe, expect, test } from "vitest";
import type { RejectReason, ValidationReason } from "../../src/engine/index.js";
import { createI18n, flattenKeys, loadLocaleResources } from "../../src/i18n/index.js";

// Typed as Record<Reason, …> so that tsc fails here when the engine adds a reason code.
const VALIDATION_REASONS: Record<ValidationReason, true> = {
  required: true,
  empty_text: true,
  unknown_option: true,
  one_option_only: true,
  too_few_selected: true,
  too_many_selected: true,
  not_a_number: true,
  ambiguous_number: true,
  not_integer: true,
  below_min: true,
  above_max: true,
  out_of_range: true,
  not_applicable_not_allowed: true,
  too_long: true,
  wrong_kind: true,
};
const REJECT_REASONS: Record<RejectReason, true> = {
  not_current_question: true,
  unknown_question: true,
  question_hidden: true,
  not_allowed_here: true,
  attestation_required: true,
  nothing_before: true,
  required: true,
  not_multi: true,
  unknown_option: true,
  unknown_language: true,
  completed: true,
  declined: true,
};

const resources = loadLocaleResources();
// Vietnamese has no plural forms (only `_other`); English has `_one` and `_other`: compare the base keys.
const PLURAL = /_(zero|one|two|few|many|other)$/;
const baseKeys = (language: string) =>
  Object.fromEntries(Object.entries(resources[language] ?? {}).map(([ns, tree]) => [ns, [...new Set(flattenKeys(tree).map((k) => k.replace(PLURAL, "")))].sort()]));

describe("locales", () => {
  test("vi and en are the languages, with the same namespaces", () => {
    expect(Object.keys(resources)).toEqual(["en", "vi"]);
    expect(Object.keys(resources.vi!)).toEqual(Object.keys(resources.en!));
  });

  test("vi and en have exactly the same keys", () => {
    expect(baseKeys("vi")).toEqual(baseKeys("en"));
  });

  test.each(["vi", "en"])("%s: plural keys have every form the language needs", (language) => {
    const needed = language === "en" ? ["one", "other"] : ["other"];
    for (const tree of Object.values(resources[language]!)) {
      const keys = flattenKeys(tree);
      for (const base of new Set(keys.filter((k) => PLURAL.test(k)).map((k) => k.replace(PLURAL, "")))) {
        const forms = keys.filter((k) => k.startsWith(`${base}_`)).map((k) => k.slice(base.length + 1));
        expect(forms, base).toEqual(expect.arrayContaining(needed));
      }
    }
  });

  test.each(["vi", "en"])("%s: no empty strings", (language) => {
    for (const [ns, tree] of Object.entries(resources[language]!)) {
      const i18n = createI18n({ language: language as "vi" | "en" });
      for (const key of flattenKeys(tree)) expect(i18n.t(`${ns}:${key}`, { count: 2 }).trim(), `${ns}:${key}`).not.toBe("");
    }
  });

  test.each(Object.keys(VALIDATION_REASONS).flatMap((r) => [["vi", r], ["en", r]]))("%s: validation message for %s", (language, reason) => {
    const i18n = createI18n({ language: language as "vi" | "en" });
    expect(i18n.exists(`survey:validation.${reason}`, { count: 2 })).toBe(true);
  });

  test.each(Object.keys(REJECT_REASONS).flatMap((r) => [["vi", r], ["en", r]]))("%s: message for rejected input %s", (language, reason) => {
    const i18n = createI18n({ language: language as "vi" | "en" });
    expect(i18n.exists(`survey:rejected.${reason}`)).toBe(true);
  });
});

describe("createI18n", () => {
  test.each([
    ["vi", "progress", { number: 5, total: 24 }, "Câu 5/24"],
    ["en", "progress", { number: 5, total: 24 }, "Question 5 of 24"],
    ["vi", "progressUnit", { number: 5, total: 24, unit: "Sở Tư pháp", unitNumber: 2, unitCount: 3 }, "Câu 5/24 · Đơn vị được đánh giá: Sở Tư pháp (2/3)"],
    ["en", "validation.too_few_selected", { count: 1 }, "Please choose at least 1 option."],
    ["en", "validation.too_few_selected", { count: 2 }, "Please choose at least 2 options."],
    ["vi", "validation.too_few_selected", { count: 1 }, "Xin vui lòng chọn ít nhất 1 phương án."],
    ["vi", "access:code.prompt", {}, "Xin Ông/Bà vui lòng nhập mã khảo sát (mã dùng một lần được ghi trên giấy mời):"],
  ] as const)("%s %s", (language, key, params, expected) => {
    expect(createI18n({ language }).t(key, params)).toBe(expected);
  });

  test("Vietnamese is the default", () => {
    expect(createI18n().language).toBe("vi");
  });

  test("one attempt left is singular in English", () => {
    const t = createI18n({ language: "en" }).getFixedT("en");
    expect(t("telegram:code.unknown", { count: 1 })).toBe("This code was not found. Please check it (1 attempt left).");
    expect(t("telegram:code.unknown", { count: 3 })).toBe("This code was not found. Please check it (3 attempts left).");
    expect(t("conversation:boundToOther", { count: 1 })).toContain("(1 attempt left)");
  });

  test("instances are independent", () => {
    const a = createI18n();
    const b = createI18n();
    void a.changeLanguage("en");
    expect([a.t("progress", { number: 1, total: 2 }), b.t("progress", { number: 1, total: 2 })]).toEqual(["Question 1 of 2", "Câu 1/2"]);
    a.addResource("vi", "survey", "progress", "changed");
    expect(createI18n().t("progress", { number: 1, total: 2 })).toBe("Câu 1/2");
  });

  test("values are not HTML-escaped (plain-text channels)", () => {
    expect(createI18n({ language: "en" }).t("currentAnswer", { answer: "<b>&" })).toBe("Current answer: <b>&");
  });
});
