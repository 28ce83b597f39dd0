// createI18n's fixed functions remember texts (i18n.ts, rememberTexts): the same answers as i18next's
// own, every time, and nothing stale after a resource is added.
import i18next from "i18next";
import { expect, test } from "vitest";
import { createI18n } from "../../src/i18n/index.js";
import { loadLocaleResources, DEFAULT_LOCALES_DIR } from "../../src/i18n/resources.js";

function plain() {
  const instance = i18next.createInstance();
  const resources = loadLocaleResources(DEFAULT_LOCALES_DIR);
  void instance.init({ resources, lng: "vi", fallbackLng: "vi", supportedLngs: ["vi", "en"], ns: Object.keys(resources.vi ?? {}), defaultNS: "survey", initAsync: false, interpolation: { escapeValue: false }, returnNull: false });
  return instance;
}

test("remembered texts equal i18next's, asked once or many times, with values, counts, fallbacks and objects", () => {
  const mine = createI18n();
  const theirs = plain();
  const calls: [string | string[], Record<string, unknown>?][] = [
    ["survey:progress", { number: 2, total: 26 }],
    ["survey:progress", { number: 3, total: 26 }],
    ["survey:progress", { number: "2", total: "26" }],
    ["telegram:answered", { answer: "Rất hài lòng" }],
    ["telegram:answered", { answer: "Không" }],
    [["survey:no.such.key", "telegram:error"]],
    ["telegram:error"],
    ["survey:progressUnitAtMost", { number: 1, total: 30, unit: "Sở Tư pháp", unitNumber: 1, unitCount: 2 }],
    ["telegram:answered", { answer: { toString: () => "object" } }],
  ];
  for (const language of ["vi", "en"] as const) {
    const t = mine.getFixedT(language);
    const expected = theirs.getFixedT(language);
    expect(mine.getFixedT(language)).toBe(t);
    for (let round = 0; round < 3; round++) for (const [key, options] of calls) expect(t(key as string, options as never)).toBe(expected(key as string, options as never));
  }
  // Different values are different texts (the number is in the text).
  const t = mine.getFixedT("en");
  expect(t("survey:progress", { number: 2, total: 26 })).not.toBe(t("survey:progress", { number: 3, total: 26 }));
});

test("a resource added later is seen at once; objects asked for are not shared", () => {
  const mine = createI18n();
  const t = mine.getFixedT("en");
  expect(t("survey:extra.word")).toBe("extra.word");
  mine.addResourceBundle("en", "survey", { extra: { word: "added" } }, true, true);
  expect(mine.getFixedT("en")("survey:extra.word")).toBe("added");
  const first = mine.getFixedT("en")("survey:extra", { returnObjects: true }) as unknown as Record<string, string>;
  first.word = "changed by a caller";
  expect((mine.getFixedT("en")("survey:extra", { returnObjects: true }) as unknown as Record<string, string>).word).toBe("added");
});
