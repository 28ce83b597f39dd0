// Every problem the questionnaire checks can report is a key of the `questionnaire` namespace
// (src/questionnaire/problem.ts), said in Vietnamese (the default) and English: this walks every key
// the sources use and every key the locale files hold, and fails when one is missing in either
// language, unused, or left with a {{parameter}} unfilled; then checks on real broken files that the
// English said from each issue's key is exactly its message, and that Vietnamese differs.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { createI18n, flattenKeys, loadLocaleResources } from "../../src/i18n/index.js";
import { formatIssue, formatIssueIn, parseQuestionnaire, type QuestionnaireIssue } from "../../src/questionnaire/index.js";
import { convertSheets } from "../../src/questionnaire/xlsform/index.js";
import { sheetsOf } from "./xlsform/support.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const NAMESPACE = "questionnaire";
const locales = loadLocaleResources();
const en = locales.en![NAMESPACE]!;
const vi = locales.vi![NAMESPACE]!;

/** Every .ts file under src/questionnaire and src/conditions (the condition parser's errors), recursively. */
function sources(dir?: string): string[] {
  if (dir === undefined) return [...sources(path.join(ROOT, "src/questionnaire")), ...sources(path.join(ROOT, "src/conditions"))];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : []));
}

/** A key without its plural suffix (`rules.surveyMaxSum_one` → `rules.surveyMaxSum`). */
const base = (key: string) => key.replace(/_(zero|one|two|few|many|other)$/, "");

/** The keys the sources name: string literals starting with one of the namespace's top-level sections. */
function usedKeys(): Set<string> {
  const sections = Object.keys(en).join("|");
  const pattern = new RegExp(`["'\`](?:${NAMESPACE}:)?((?:${sections})\\.[A-Za-z0-9_.]+)["'\`]`, "g");
  const keys = new Set<string>();
  for (const file of sources()) for (const match of readFileSync(file, "utf8").matchAll(pattern)) if (!/\.[jt]s$/.test(match[1]!)) keys.add(match[1]!); // not a file name
  return keys;
}

const used = usedKeys();
const enKeys = flattenKeys(en);
const viKeys = flattenKeys(vi);

describe("questionnaire problem keys", () => {
  test("the sources name keys (the walk finds them)", () => {
    expect(used.size).toBeGreaterThan(100);
    for (const key of ["rules.missingLanguage", "zod.unknownKeyTypo", "schema.questionnaireId", "load.notFound", "conditions.later", "quality.pair.unknown"]) expect(used).toContain(key);
  });

  test.each(["en", "vi"])("every key the sources use is in %s", (language) => {
    const keys = new Set((language === "en" ? enKeys : viKeys).map(base));
    const missing = [...used].filter((k) => !keys.has(k));
    expect(missing).toEqual([]);
  });

  test("English has both plural forms where it has one; Vietnamese (one form) has _other", () => {
    for (const key of enKeys.filter((k) => /_(one|other)$/.test(k))) {
      expect(enKeys, key).toContain(`${base(key)}_one`);
      expect(enKeys, key).toContain(`${base(key)}_other`);
      expect(viKeys, key).toContain(`${base(key)}_other`);
    }
  });

  test("both languages hold the same keys, and every key is used", () => {
    expect([...new Set(viKeys.map(base))]).toEqual([...new Set(enKeys.map(base))]);
    expect([...new Set(enKeys.map(base))].filter((k) => !used.has(k))).toEqual([]);
  });

  test.each(["en", "vi"] as const)("every text of %s says its parameters (none left as {{…}}), Vietnamese with its diacritics", (language) => {
    const t = createI18n({ language }).getFixedT(language, NAMESPACE);
    for (const key of enKeys) {
      const params = Object.fromEntries([...JSON.stringify(en).matchAll(/\{\{(\w+)\}\}/g)].map((m) => [m[1]!, `<${m[1]!}>`]));
      const text = t(base(key), { ...params, count: key.endsWith("_one") ? 1 : 2 });
      expect(text, key).not.toMatch(/\{\{|\}\}/);
      expect(text, key).not.toBe(`${base(key)}`);
      if (language === "vi" && text.replace(/<\w+>/g, "").length > 25) expect(text, key).toMatch(/[ăâđêôơưàáảãạèéẻẽẹìíỉĩịòóỏõọùúủũụỳýỷỹỵ]/i);
    }
  });
});

describe("issues said from their keys", () => {
  const broken: Array<{ name: string; source: string }> = [
    { name: "broken.yaml", source: readFileSync(path.join(ROOT, "test/fixtures/questionnaires/broken.yaml"), "utf8") },
    { name: "empty.yaml", source: "" },
    { name: "list.yaml", source: "- a\n- b\n" },
    { name: "bad.json", source: '{ "id": "x", }' },
    { name: "twice.yaml", source: "a: 1\na: 2\n" },
    { name: "new.yaml", source: "schemaVersion: 99\nid: x\n" },
    { name: "small.yaml", source: "schemaVersion: 1\nid: x\nversion: 0\nlanguages: [vi, vi]\ntitle: { vi: '' }\nsections: []\n" },
  ];

  const english = createI18n({ language: "en" }).getFixedT("en");
  const vietnamese = createI18n({ language: "vi" }).getFixedT("vi");
  const said = (issues: readonly QuestionnaireIssue[]) => {
    expect(issues.length).toBeGreaterThan(0);
    for (const issue of issues) {
      expect(issue.problem, issue.message).toBeDefined();
      expect(formatIssueIn(issue, english)).toBe(formatIssue(issue));
      expect(formatIssueIn(issue, vietnamese)).not.toBe(formatIssue(issue));
    }
  };

  test("an XLSForm with problems of the import's own and of the questionnaire checks", () => {
    const sheets = sheetsOf({
      survey: [
        ["type", "name", "label", "appearance", "calculation", "colour", "relevant"],
        ["select_one nolist", "q1", "Câu 1", "minimal"],
        ["select_on yn", "q2", "Câu 2"],
        ["geopoint", "where", "Ở đâu?"],
        ["integer", "q3", "Câu 3", "", "1 + 1", "red", "${q2} = 'yes' AND ${q1} > 2"],
        ["integer", "q4", "Câu 4", "", "", "", "count-selected(${q1}) > 1"],
        ["begin_group", "g1", "Nhóm"],
        ["text", "", "Không tên"],
      ],
      choices: [["list_name", "name", "label"], ["yn", "yes", "Có"], ["", "no", "Không"]],
      settings: [["form_id", "version", "extra"], ["Mẫu Thử", "v2", "x"]],
      notes: [["a"], ["b"]],
    } as never);
    const result = convertSheets(sheets, "form.xlsx");
    expect(result.ok).toBe(false);
    if (!result.ok) said(result.issues);
  });

  test("an XLSForm whose problem names another row keeps its key (the row said as the sheet's)", () => {
    const sheets = sheetsOf({
      survey: [
        ["type", "name", "label"],
        ["integer", "q1", "Câu 1"],
        ["integer", "q1", "Câu 2"],
      ],
      settings: [["form_id", "version"], ["mau-thu", 1]],
    } as never);
    const result = convertSheets(sheets, "form.xlsx");
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => formatIssueIn(i, vietnamese))).toEqual([
      'form.xlsx: survey row 3, column name: mã câu hỏi "q1" đã được dùng ở survey row 2: mã câu hỏi phải là duy nhất trong toàn bộ bộ câu hỏi',
    ]);
    said(result.issues);
  });

  test.each(broken)("$name: every issue has a key, its English is the message, its Vietnamese is another text", ({ name, source }) => {
    const result = parseQuestionnaire(source, name);
    said(result.ok ? result.warnings : result.issues);
  });
});
