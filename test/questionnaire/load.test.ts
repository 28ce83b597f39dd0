import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import {
  CURRENT_SCHEMA_VERSION,
  formatIssue,
  loadQuestionnaireFile,
  migrate,
  parseQuestionnaire,
  type LoadResult,
  type MigrationRegistry,
  type QuestionnaireIssue,
} from "../../src/questionnaire/index.js";

const FIXTURES = new URL("../fixtures/questionnaires/", import.meta.url);
const read = (name: string): string => readFileSync(new URL(name, FIXTURES), "utf8");
const POINTS = read("valid-points.yaml");
const SATISFACTION = read("valid-satisfaction.json");

function issuesOf(result: LoadResult): readonly QuestionnaireIssue[] {
  return result.ok ? [] : result.issues;
}
function edit(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`fixture edit: "${from}" not found`);
  return text.replace(from, to);
}
const MINIMAL = 'schemaVersion: 1\nid: t\nversion: 1\nlanguages: [vi]\ntitle: { vi: "T" }\nsections:\n  - id: s\n    title: { vi: "S" }\n    questions:\n      - { id: q1, type: text, text: { vi: "Q" } }\n';

describe("valid files", () => {
  test("YAML: the model has every question in order, defaults applied, numeric option ids as text", () => {
    const result = parseQuestionnaire(POINTS, "p.yaml");
    if (!result.ok) throw new Error(result.issues.map(formatIssue).join("\n"));
    const q = result.questionnaire;
    expect([q.id, q.version, q.defaultLanguage, q.components]).toEqual(["par-test", 2, "vi", ["area1", "s2"]]);
    expect(q.questions.map((i) => i.question.id)).toEqual(["q1", "q2", "q3", "q4", "q5"]);
    const q1 = q.byId.get("q1")!.question;
    expect(q1.type === "single" && q1.options.map((o) => [o.id, o.score])).toEqual([["1", 1], ["2", 0], ["x", null]]);
    expect(q1.required).toBe(true);
    expect(q.byId.get("q4")!.condition).toEqual({ kind: "compare", question: "q3", op: ">=", literal: { type: "number", value: 4, source: "4" }, column: 1 });
  });

  test("JSON is read by the same loader", () => {
    const result = parseQuestionnaire(SATISFACTION, "s.json");
    expect(result.ok && result.questionnaire.questions.map((i) => i.question.type)).toEqual(["scale", "single", "scale"]);
  });

  test("an unquoted id such as 01 keeps its written form", () => {
    const result = parseQuestionnaire(edit(POINTS, "- { id: 2, label", "- { id: 02, label"), "p.yaml");
    const q1 = result.ok ? result.questionnaire.byId.get("q1")!.question : undefined;
    expect(q1?.type === "single" && q1.options[1]!.id).toBe("02");
  });

  test("anchors and aliases are resolved", () => {
    const text = edit(edit(POINTS, 'title: { vi: "Phần 1", en: "Part 1" }', 'title: &t { vi: "Phần 1", en: "Part 1" }'), 'title: { vi: "Phần 2", en: "Part 2" }', "title: *t");
    const result = parseQuestionnaire(text, "p.yaml");
    expect(result.ok && result.questionnaire.definition.sections[1]!.title).toEqual({ vi: "Phần 1", en: "Part 1" });
  });

  test("warnings do not stop loading: scored options on a question without maxPoints", () => {
    const text = edit(POINTS, "maxPoints: 1\n", "\n");
    const result = parseQuestionnaire(edit(text, "surveyMax: 2.5", "surveyMax: 1.5"), "p.yaml");
    // The key is gone, so the warning points at the question (line 34).
    expect(result.ok && result.warnings.map(formatIssue)).toEqual([
      "p.yaml:34:9: sections[0].questions[1].maxPoints: warning: options have scores but the question has no maxPoints, so it is not scored: add maxPoints or remove the scores",
    ]);
  });
});

describe("file-level faults", () => {
  const cases: Array<[string, string | Uint8Array, string, number | undefined, number | undefined, string]> = [
    ["empty file", "", "q.yaml", undefined, undefined, "the file is empty"],
    ["only whitespace", "  \n\n", "q.yaml", undefined, undefined, "the file is empty"],
    ["only comments", "# nothing yet\n", "q.yaml", undefined, undefined, "the file is empty"],
    ["malformed YAML", "id: t\nsections: [a, b\nversion: 1\n", "q.yaml", 3, 1, "not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]"],
    ["unclosed quote", 'id: t\ntitle: "abc\n', "q.yaml", 3, 1, "not valid YAML: Missing closing \"quote"],
    ["duplicate key", "id: t\nid: u\n", "q.yaml", 2, 1, "Map keys must be unique (each key may appear once per mapping"],
    ["tab indentation", "sections:\n\t- a\n", "q.yaml", 2, 1, "(indent with spaces)"],
    ["two documents", "id: t\n---\nid: u\n", "q.yaml", 2, 1, "(a questionnaire file holds one document"],
    ["JSON trailing comma", '{\n  "id": "t",\n}\n', "q.json", 3, 1, "not valid JSON: Expected double-quoted property name (JSON allows no comma before } or ]: remove it)"],
    ["JSON missing comma", '{\n  "id": "t"\n  "version": 1\n}\n', "q.json", 3, 3, "not valid JSON: Expected ',' or '}' after property value"],
    ["JSON with a comment", '{\n  // note\n  "id": "t"\n}\n', "q.json", 2, 3, "(JSON has no comments"],
    ["top level is a list", "- a\n- b\n", "q.yaml", 1, 1, "the top level must be a mapping with keys such as schemaVersion, id, languages, title and sections; found a list"],
    ["top level is a single value", "hello\n", "q.yaml", 1, 1, "found a single value"],
    ["alias inside its own anchor", "a: &x [*x]\n", "q.yaml", undefined, undefined, "an alias (*name) is used inside its own anchor (&name)"],
    [
      "not UTF-8 (Windows-1258 bytes)",
      Uint8Array.from([...Buffer.from("id: t\ntitle: { vi: \"Phi"), 0xea, 0xa1, 0x75, ...Buffer.from('" }\n')]),
      "q.yaml",
      2,
      undefined,
      "the file is not valid UTF-8 (byte 0xEA on line 2); it was probably saved in another encoding (Windows-1258, TCVN3/ABC, VNI, Latin-1): open it in your editor and save it as UTF-8",
    ],
  ];
  test.each(cases)("%s", (_name, source, file, line, column, message) => {
    const issues = issuesOf(parseQuestionnaire(source, file));
    expect(issues[0]).toBeDefined();
    expect(issues[0]!.message).toContain(message);
    expect([issues[0]!.file, issues[0]!.path, issues[0]!.line, issues[0]!.column]).toEqual([file, "", line, column]);
  });

  test("a UTF-8 byte order mark is accepted, in bytes and in text", () => {
    const bytes = Uint8Array.from([0xef, 0xbb, 0xbf, ...Buffer.from(MINIMAL)]);
    expect(parseQuestionnaire(bytes, "q.yaml").ok).toBe(true);
    expect(parseQuestionnaire(`\uFEFF${MINIMAL}`, "q.yaml").ok).toBe(true);
    const json = Uint8Array.from([0xef, 0xbb, 0xbf, ...Buffer.from(SATISFACTION)]);
    expect(parseQuestionnaire(json, "q.json").ok).toBe(true);
  });

  test("file not found, and a folder", async () => {
    const dir = mkdtempSync(join(tmpdir(), "khaosat-q-"));
    expect(issuesOf(await loadQuestionnaireFile(join(dir, "missing.yaml")))).toEqual([
      { file: join(dir, "missing.yaml"), path: "", message: "file not found: check the path", problem: { key: "questionnaire:load.notFound", params: {} } },
    ]);
    expect(issuesOf(await loadQuestionnaireFile(dir))[0]!.message).toBe("this is a folder, not a questionnaire file");
  });

  test("loadQuestionnaireFile reads bytes from disk", async () => {
    const dir = mkdtempSync(join(tmpdir(), "khaosat-q-"));
    writeFileSync(join(dir, "q.yaml"), MINIMAL);
    const result = await loadQuestionnaireFile(join(dir, "q.yaml"));
    expect(result.ok && result.questionnaire.id).toBe("t");
  });
});

describe("every error of a file at once", () => {
  test("broken.yaml: all problems, in line order, each with its path and line", () => {
    const lines = issuesOf(parseQuestionnaire(read("broken.yaml"), "broken.yaml")).map((i) => `${i.line}: ${i.path}`);
    expect(lines).toEqual([
      "2: id",
      "8: scoring.surveyMax",
      "9: scoring.positive",
      "10: scoring.groupWeights.leader",
      "13: scoring.classes[1].min",
      "15: groups[0].label",
      "18: sections[0].title.fr",
      "24: sections[0].questions[0].requird",
      "25: sections[0].questions[0].showIf",
      "27: sections[0].questions[0].options[0].score",
      "28: sections[0].questions[0].options[1].id",
      "32: sections[0].questions[1].showIf",
      "33: sections[0].questions[1].maxSelect",
      "36: sections[0].questions[2].id",
      "38: sections[0].questions[2].text",
      "40: sections[0].questions[2].max",
      "41: sections[0].questions[2].options",
      "43: sections[0].questions[3].type",
    ]);
  });
});

describe("condition errors point into the condition", () => {
  test.each([
    ["plain scalar", "        showIf: q3 >= 4", "        showIf: q3 => 4", 20],
    ["single quotes", "        showIf: 'q3 >= 4'", "        showIf: 'q3 => 4'", 21],
    ["double quotes with escapes", "        showIf: 'q3 >= 4'", '        showIf: "q2 includes \\"a\\" or q3 => 4"', 42],
  ])("%s", (_name, from, to, column) => {
    const text = edit(POINTS, "        showIf: 'q3 >= 4'", from);
    const issues = issuesOf(parseQuestionnaire(edit(text, from, to), "p.yaml"));
    expect(issues.map((i) => [i.path, i.line, i.column])).toEqual([["sections[1].questions[1].showIf", 59, column]]);
    expect(issues[0]!.message).toMatch(/^syntax error in the condition at column \d+: unexpected "=": write "==" to compare$/);
  });
});

describe("schemaVersion and migrations", () => {
  const cases: Array<[string, string, string, boolean]> = [
    ["missing", "schemaVersion: 1\n", 'schemaVersion is missing: add "schemaVersion: 1" at the top of the file', false],
    ["text", "schemaVersion: 1\n", "schemaVersion must be a whole number such as 1, found \"1\"", false],
    ["fraction", "schemaVersion: 1\n", "schemaVersion must be a whole number such as 1, found 1.5", false],
    ["newer", "schemaVersion: 1\n", "this file needs a newer khaosat: it has schemaVersion 2, and this khaosat reads up to schemaVersion 1; upgrade khaosat", true],
    ["older without a migration", "schemaVersion: 1\n", "schemaVersion 0 is not supported: this khaosat reads schemaVersion 1 to 1", true],
  ];
  const replacement: Record<string, string> = { missing: "", text: 'schemaVersion: "1"\n', fraction: "schemaVersion: 1.5\n", newer: "schemaVersion: 2\n", "older without a migration": "schemaVersion: 0\n" };
  test.each(cases)("%s", (name, from, message, fatal) => {
    // A second, unrelated error shows whether checking went on after the version problem.
    const text = edit(edit(POINTS, from, replacement[name]!), "version: 2", "version: 0");
    const issues = issuesOf(parseQuestionnaire(text, "p.yaml"));
    expect(issues.find((i) => i.path === "schemaVersion")?.message).toBe(message);
    expect(issues.some((i) => i.path === "version")).toBe(!fatal);
  });

  test("the current version is 1", () => {
    expect(CURRENT_SCHEMA_VERSION).toBe(1);
  });

  const v0: MigrationRegistry = {
    current: 1,
    // Version 0 (invented for the test) called the title "name".
    migrations: new Map([[0, ({ name, ...rest }) => ({ ...rest, title: name })]]),
  };
  test("an injected migration runs before validation and leaves a warning", () => {
    const text = edit(edit(MINIMAL, "schemaVersion: 1", "schemaVersion: 0"), "title: { vi: \"T\" }", "name: { vi: \"T\" }");
    const result = parseQuestionnaire(text, "old.yaml", { migrations: v0 });
    expect(result.ok && result.questionnaire.definition.title).toEqual({ vi: "T" });
    expect(result.ok && result.warnings.map(formatIssue)).toEqual(["old.yaml:1:16: schemaVersion: warning: written for schemaVersion 0, read as 1; update the file to the current format"]);
    expect(parseQuestionnaire(text, "old.yaml").ok).toBe(false);
  });

  test("migrations chain from version to version", () => {
    const registry: MigrationRegistry = {
      current: 3,
      migrations: new Map([
        [1, (d) => ({ ...d, steps: ["1→2"] })],
        [2, (d) => ({ ...d, steps: [...(d.steps as string[]), "2→3"] })],
      ]),
    };
    expect(migrate({ schemaVersion: 1 }, registry)).toEqual({ ok: true, from: 1, data: { schemaVersion: 3, steps: ["1→2", "2→3"] } });
    expect(migrate({ schemaVersion: 3 }, registry)).toEqual({ ok: true, from: 3, data: { schemaVersion: 3 } });
    expect(migrate({ schemaVersion: 0 }, registry)).toMatchObject({ ok: false, fatal: true, message: "schemaVersion 0 is not supported: this khaosat reads schemaVersion 1 to 3" });
  });

  test("a migration that throws is reported, not thrown", () => {
    const registry: MigrationRegistry = { current: 1, migrations: new Map([[0, () => { throw new Error("no title"); }]]) };
    expect(migrate({ schemaVersion: 0 }, registry)).toEqual({
      ok: false,
      fatal: true,
      message: "could not migrate from schemaVersion 0 to 1: no title",
      problem: { key: "questionnaire:migrations.failed", params: { from: 0, to: 1, detail: "no title" } },
    });
  });
});

describe("Unicode normalisation", () => {
  test("NFD text behaves like NFC: option ids, labels, condition literals", () => {
    const nfd = SATISFACTION.normalize("NFD");
    expect(nfd).not.toBe(SATISFACTION);
    const result = parseQuestionnaire(nfd, "s.json");
    if (!result.ok) throw new Error(result.issues.map(formatIssue).join("\n"));
    const kind = result.questionnaire.byId.get("q_kind")!.question;
    expect(kind.type === "single" && kind.options.map((o) => o.id)).toEqual(["đất", "khác"]);
    expect(result.questionnaire.definition.title.vi).toBe("Khảo sát hài lòng");
    const condition = result.questionnaire.byId.get("q_overall")!.condition!;
    expect(condition.kind === "or" && condition.items[0]).toMatchObject({ literal: { type: "string", value: "đất" } });
  });

  test("a condition literal in NFD matches an option id in NFC", () => {
    const text = SATISFACTION.replace('q_kind == \\"đất\\"', `q_kind == \\"${"đất".normalize("NFD")}\\"`);
    expect(text).not.toBe(SATISFACTION);
    expect(parseQuestionnaire(text, "s.json").ok).toBe(true);
  });
});

describe("satisfaction rules", () => {
  test.each([
    ["overallQuestion unknown", '"overallQuestion": "q_overall"', '"overallQuestion": "q_overal"', "scoring.overallQuestion", 7, 'overallQuestion "q_overal" is not a question of this questionnaire (did you mean "q_overall"?)'],
    ["overallQuestion not a scale", '"overallQuestion": "q_overall"', '"overallQuestion": "q_kind"', "scoring.overallQuestion", 7, "overallQuestion must name a scale question; q_kind is a single question"],
    ["positive outside every scale", '"positive": [4, 5]', '"positive": [4, 6]', "scoring.positive[1]", 7, "positive value 6 is outside the range of every scale question"],
    ["a points key under satisfaction", '"minResponses": 3', '"minResponses": 3, "surveyMax": 10', "scoring.surveyMax", 7, '"surveyMax" is not allowed here: it belongs to scoring kind points; remove it'],
    ["maxPoints under satisfaction", '"type": "single",', '"type": "single", "maxPoints": 1,', "sections[0].questions[1].maxPoints", 14, "maxPoints is only used with scoring kind points, not satisfaction: remove it"],
  ])("%s", (_name, from, to, path, line, message) => {
    const issues = issuesOf(parseQuestionnaire(edit(SATISFACTION, from, to), "s.json"));
    expect(issues.map((i) => [i.path, i.line, i.message])).toEqual([[path, line, message]]);
  });

  test("no scale question", () => {
    const text = SATISFACTION.replace(/"type": "scale"(, "text": \{[^}]*\}), "min": 1, "max": 5(, "allowNotApplicable": true)?/g, '"type": "text"$1')
      .replace(', "overallQuestion": "q_overall"', "");
    const issues = issuesOf(parseQuestionnaire(text, "s.json"));
    expect(issues.map((i) => [i.path, i.line, i.message])).toEqual([["scoring.kind", 7, "scoring kind satisfaction needs at least one scale question"]]);
  });

  test("maxPoints without any scoring section", () => {
    const issues = issuesOf(parseQuestionnaire(POINTS.replace(/^scoring:\n( {2}.*\n)+/m, ""), "p.yaml"));
    expect(issues.map((i) => i.message)).toEqual([
      "maxPoints is only used with scoring kind points, and this questionnaire has no scoring section: add one or remove maxPoints",
      "maxPoints is only used with scoring kind points, and this questionnaire has no scoring section: add one or remove maxPoints",
    ]);
  });
});

test("formatIssue: file:line:column: path: message", () => {
  expect(formatIssue({ file: "a.yaml", path: "sections[1].questions[3].options[2].score", line: 12, column: 7, message: "m" })).toBe("a.yaml:12:7: sections[1].questions[3].options[2].score: m");
  expect(formatIssue({ file: "a.yaml", path: "", message: "file not found" })).toBe("a.yaml: file not found");
  expect(formatIssue({ file: "a.yaml", path: "x", line: 3, message: "m", severity: "warning" })).toBe("a.yaml:3: x: warning: m");
});
