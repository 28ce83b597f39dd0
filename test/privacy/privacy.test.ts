import { describe, expect, test } from "vitest";
import { createI18n } from "../../src/i18n/index.js";
import { loadLocaleResources, flattenKeys } from "../../src/i18n/resources.js";
import { exportIdentityDecision, isCellShown, privacyNotice, protectBreakdown, smallCellThreshold, withheldNote } from "../../src/privacy/index.js";
import { parseQuestionnaire } from "../../src/questionnaire/index.js";
import { explainUnit, type ScoringResponse } from "../../src/scoring/index.js";
import { formatExplanation } from "../../src/scoring/format/explain.js";

describe("small cells", () => {
  test.each([
    [0, 5, false],
    [4, 5, false],
    [5, 5, true],
    [1, 1, true],
  ])("%i responses with minResponses %i: shown %s", (count, min, shown) => expect(isCellShown(count, min)).toBe(shown));

  test.each([
    [[{ g: "a", n: 10 }, { g: "b", n: 7 }], 5, true, ["a", "b"], 0],
    // One small cell next to a shown total: the next smallest is withheld too, or the total would reveal it.
    [[{ g: "a", n: 10 }, { g: "b", n: 7 }, { g: "c", n: 2 }], 5, true, ["a"], 2],
    [[{ g: "a", n: 10 }, { g: "b", n: 7 }, { g: "c", n: 2 }], 5, false, ["a", "b"], 1],
    [[{ g: "a", n: 3 }, { g: "b", n: 2 }], 5, true, [], 2],
    [[{ g: "a", n: 3 }], 5, true, [], 1],
  ])("%j min %i total %s → shown %j, hidden %i", (cells, min, totalShown, shown, hidden) => {
    const result = protectBreakdown(cells, (c) => c.n, min, { totalShown });
    expect({ shown: result.shown.map((c) => c.g), hidden: result.hidden }).toEqual({ shown, hidden });
  });

  test("threshold and note", () => {
    expect(smallCellThreshold({ scoring: { minResponses: 10 } })).toBe(10);
    expect(smallCellThreshold({})).toBe(1);
    expect(withheldNote(2, 5)).toBe("2 groups not shown (fewer than 5 responses, or would reveal one that has)");
  });
});

describe("identity in exports", () => {
  test.each([
    [false, false, { ok: true, withIdentity: false }],
    [true, false, { ok: true, withIdentity: false }],
    [true, true, { ok: true, withIdentity: true }],
  ])("identified %s, requested %s", (identified, requested, expected) => {
    expect(exportIdentityDecision({ id: "c", identified }, requested)).toEqual(expected);
  });

  test("an anonymous campaign's identities are refused with the reason", () => {
    expect(exportIdentityDecision({ id: "sipas2026", identified: false }, true)).toEqual({
      ok: false,
      reason:
        'campaign "sipas2026" is anonymous: respondents were told that nobody sees what a named person answered, so its responses cannot be exported with identities. Only a campaign created with --identified (and announced as such) can be',
    });
  });
});

describe("privacy notice", () => {
  test("vi and en have the same keys in privacy and citizens", () => {
    const resources = loadLocaleResources();
    for (const ns of ["privacy", "citizens"]) expect(flattenKeys(resources.en![ns]!)).toEqual(flattenKeys(resources.vi![ns]!));
  });

  test("says what is kept and who sees it, in both languages", () => {
    const i18n = createI18n();
    expect(privacyNotice(i18n.getFixedT("vi"), "anonymous")).toContain("khi gửi phiếu, tài khoản này được xoá khỏi phiếu");
    expect(privacyNotice(i18n.getFixedT("en"), "anonymous")).toContain("once you submit, it is removed");
    expect(privacyNotice(i18n.getFixedT("en"), "named")).toContain("nobody sees your own answers");
    expect(privacyNotice(i18n.getFixedT("vi"), "identified")).toContain("kèm tên");
    // Named sessions and responses keep the raw account (resume, delegation flag): no notice may claim a hash for them.
    for (const mode of ["named", "identified"] as const) {
      expect(privacyNotice(i18n.getFixedT("en"), mode)).not.toMatch(/hash/);
      expect(privacyNotice(i18n.getFixedT("en"), mode)).toContain("Your Telegram account is kept with your survey so that you can resume it");
      expect(privacyNotice(i18n.getFixedT("vi"), mode)).not.toMatch(/mã băm/);
    }
  });
});

const YAML = `
schemaVersion: 1
id: tiny
version: 1
languages: [vi]
title: { vi: "T" }
groups:
  - { id: leaders, label: { vi: "L" } }
  - { id: deputies, label: { vi: "D" } }
scoring:
  kind: points
  surveyMax: 1
  minResponses: 2
  groupWeights: { leaders: 0.5, deputies: 0.5 }
sections:
  - id: s1
    title: { vi: "S" }
    questions:
      - id: q1
        type: single
        text: { vi: "Q" }
        maxPoints: 1
        options:
          - { id: "1", label: { vi: "a" }, score: 1 }
          - { id: "2", label: { vi: "b" }, score: 0 }
`;

describe("explain output honours small cells", () => {
  const parsed = parseQuestionnaire(YAML, "tiny.yaml");
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  const questionnaire = parsed.questionnaire;
  const r = (id: string, unit: string, group: string, answer: string): ScoringResponse => ({ id, unit, group, answers: { q1: answer } });

  test("a group with one respondent is not shown, nor the other (the weighted mean would reveal it)", () => {
    const responses = [r("1", "U", "leaders", "1"), r("2", "U", "leaders", "2"), r("3", "U", "leaders", "1"), r("4", "U", "deputies", "2")];
    const explained = explainUnit({ questionnaire, responses }, "U");
    if (!explained.ok) throw new Error("explain failed");
    const text = formatExplanation(explained.explanation, questionnaire);
    expect(text).not.toMatch(/group deputies/);
    expect(text).not.toMatch(/group leaders/);
    expect(text).toContain("      2 groups not shown (fewer than 2 responses, or would reveal one that has)");
    // In Vietnamese (the CLI's t), the same groups withheld with the same note.
    const vi = createI18n({ language: "vi" }).getFixedT("vi");
    const said = formatExplanation(explained.explanation, questionnaire, (key, params) => vi(key, params), "vi");
    expect(said).not.toMatch(/nhóm (deputies|leaders)/);
    expect(said).toContain("      2 nhóm không hiện (dưới 2 phiếu, hoặc sẽ làm lộ một nhóm như vậy)");
  });

  test("groups with enough responses are shown", () => {
    const responses = [r("1", "U", "leaders", "1"), r("2", "U", "leaders", "2"), r("3", "U", "deputies", "1"), r("4", "U", "deputies", "2")];
    const explained = explainUnit({ questionnaire, responses }, "U");
    if (!explained.ok) throw new Error("explain failed");
    const text = formatExplanation(explained.explanation, questionnaire);
    expect(text).toContain("group leaders: weight 0.5 → 0.5, 2 valid, mean 0.5");
    expect(text).toContain("group deputies: weight 0.5 → 0.5, 2 valid, mean 0.5");
    expect(text).not.toContain("not shown");
  });

  test("a unit under minResponses shows no detail", () => {
    const explained = explainUnit({ questionnaire, responses: [r("1", "V", "leaders", "1")] }, "V");
    if (!explained.ok) throw new Error("explain failed");
    expect(formatExplanation(explained.explanation, questionnaire)).toBe(
      [
        "Unit V · tiny v1 (points)",
        "Responses: 1 submitted, 1 counted; minResponses 2",
        "Group weights: leaders 0.5, deputies 0.5 (renormalised per question over the groups with a valid answer)",
        "Details not shown: fewer than 2 counted responses could reveal what the few respondents answered",
        "Excluded: insufficient_responses (fewer counted responses than minResponses); no index and no rank",
        "",
      ].join("\n"),
    );
  });
});
