import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { formatIssue } from "../../../src/questionnaire/index.js";
import { convertSheets, importXlsform, importXlsformFile, XLSFORM_LIMITS } from "../../../src/questionnaire/xlsform/index.js";
import { sheetsOf, writeWorkbook } from "./support.js";

const SETTINGS = [
  ["form_id", "version", "form_title", "default_language"],
  ["mini-form", 3, "Phiếu nhỏ", "vi"],
];

function convert(survey: unknown[][], choices: unknown[][] = [["list_name", "name", "label"]], extra: Record<string, unknown[][]> = {}) {
  return convertSheets(sheetsOf({ survey, choices, settings: SETTINGS, ...extra } as never), "form.xlsx");
}

function lines(result: ReturnType<typeof convert>): string[] {
  return result.ok ? result.warnings.map(formatIssue) : result.issues.map(formatIssue);
}

describe("XLSForm import: mappings", () => {
  test("types, required, hints, constraints and settings map to the questionnaire", () => {
    const result = convert(
      [
        ["type", "name", "label", "hint", "required", "constraint", "parameters", "appearance"],
        ["select_one yn", "agree", "Đồng ý?", "Chọn một", "yes"],
        ["select_multiple svc", "services", "Dịch vụ?", "", "yes", "count-selected(.) <= 2"],
        ["integer", "age", "Tuổi?", "", "", ". >= 18 and . <= 120"],
        ["decimal", "hours", "Số giờ?", "", "no", ". >= 0"],
        ["text", "note_text", "Ý kiến?", "", "", "string-length(.) <= 500", "", "multiline"],
        ["range", "sat", "Hài lòng?", "", "yes", "", "start=1 end=5 step=1"],
        ["note", "thanks", "Cảm ơn Ông/Bà."],
      ],
      [
        ["list_name", "name", "label"],
        ["yn", "yes", "Có"],
        ["yn", "no", "Không"],
        ["svc", "a", "A"],
        ["svc", "b", "B"],
        ["svc", "c", "C"],
      ],
    );
    if (!result.ok) throw new Error(lines(result).join("\n"));
    expect(lines(result)).toEqual(["form.xlsx: survey, column appearance: warning: ignored (rows 6): a chat survey has one look for each question type"]);
    const q = result.questionnaire;
    expect({ id: q.id, version: q.version, languages: q.languages, title: q.definition.title }).toEqual({ id: "mini-form", version: 3, languages: ["vi"], title: { vi: "Phiếu nhỏ" } });
    expect(q.definition.sections).toHaveLength(1);
    expect(q.definition.sections[0]).toMatchObject({ id: "main", title: { vi: "Phiếu nhỏ" } });
    expect(q.questions.map((i) => i.question)).toEqual([
      { id: "agree", type: "single", text: { vi: "Đồng ý?" }, help: { vi: "Chọn một" }, required: true, options: [{ id: "yes", label: { vi: "Có" }, score: null }, { id: "no", label: { vi: "Không" }, score: null }] },
      { id: "services", type: "multi", text: { vi: "Dịch vụ?" }, required: true, maxSelect: 2, options: ["a", "b", "c"].map((id) => ({ id, label: { vi: id.toUpperCase() }, score: null })) },
      { id: "age", type: "number", text: { vi: "Tuổi?" }, required: false, integer: true, min: 18, max: 120 },
      { id: "hours", type: "number", text: { vi: "Số giờ?" }, required: false, integer: false, min: 0 },
      { id: "note_text", type: "text", text: { vi: "Ý kiến?" }, required: false, maxLength: 500 },
      { id: "sat", type: "scale", text: { vi: "Hài lòng?" }, required: true, min: 1, max: 5, allowNotApplicable: false },
      // A note is an acknowledge step: one button, stored as "OK" like XLSForm's acknowledge.
      { id: "thanks", type: "single", text: { vi: "Cảm ơn Ông/Bà." }, required: true, options: [{ id: "OK", label: { vi: "Đã đọc, tiếp tục" }, score: null }] },
    ]);
  });

  test("languages: label::Vietnamese (vi), label::English (en), plain label as the default language", () => {
    const result = convertSheets(
      sheetsOf({
        survey: [
          ["type", "name", "label::Vietnamese (vi)", "label::English (en)", "hint::en", "hint"],
          ["text", "name_q", "Họ tên", "Full name", "As on your ID", "Như trên CCCD"],
        ],
        settings: [
          ["form_id", "form_title", "form_title::English (en)", "version", "default_language"],
          ["lang-form", "Phiếu", "Form", 1, "Vietnamese (vi)"],
        ],
      }),
      "form.xlsx",
    );
    if (!result.ok) throw new Error(lines(result).join("\n"));
    expect(result.questionnaire.languages).toEqual(["vi", "en"]);
    expect(result.questionnaire.definition.title).toEqual({ vi: "Phiếu", en: "Form" });
    expect(result.questionnaire.questions[0]!.question).toMatchObject({ text: { vi: "Họ tên", en: "Full name" }, help: { vi: "Như trên CCCD", en: "As on your ID" } });
  });

  test("nested groups flatten into sections with joined titles; group relevance joins each question's", () => {
    const result = convert([
      ["type", "name", "label", "relevant"],
      ["select_one yn", "used", "Đã dùng dịch vụ?"],
      ["begin group", "a", "Phần A", "${used} = 'yes'"],
      ["begin_group", "b", "Tiếp cận"],
      ["integer", "visits", "Số lần?", "${used} != ''"],
      ["end group"],
      ["text", "comment", "Góp ý"],
      ["end_group"],
      ["text", "last", "Cuối"],
    ], [
      ["list_name", "name", "label"],
      ["yn", "yes", "Có"],
      ["yn", "no", "Không"],
    ]);
    if (!result.ok) throw new Error(lines(result).join("\n"));
    expect(result.questionnaire.definition.sections.map((s) => [s.id, s.title.vi, s.questions.map((q) => [q.id, q.showIf])])).toEqual([
      ["main", "Phiếu nhỏ", [["used", undefined]]],
      ["a_b", "Phần A › Tiếp cận", [["visits", 'used == "yes" and answered(used)']]],
      ["a", "Phần A", [["comment", 'used == "yes"']]],
      ["main_2", "Phiếu nhỏ", [["last", undefined]]],
    ]);
  });

  test("scoring columns and sheet: score, weight, component, groups, classes", () => {
    const result = convert(
      [
        ["type", "name", "label", "required", "weight", "component"],
        ["begin_group", "steering", "Chỉ đạo", "", "", "steer"],
        ["select_one q", "plan", "Kế hoạch?", "yes", 1.5],
        ["end_group"],
      ],
      [
        ["list_name", "name", "label", "score"],
        ["q", "good", "Tốt", 1],
        ["q", "fair", "Khá", 0.5],
        ["q", "na", "Không đánh giá được"],
      ],
      {
        scoring: [
          ["setting", "name", "value", "label"],
          ["kind", "", "points"],
          ["surveyMax", "", 1.5],
          ["appraisalMax", "", 8.5],
          ["minResponses", "", 5],
          ["group", "leaders", 0.6, "Lãnh đạo"],
          ["group", "staff", 0.4, "Công chức"],
          ["class", "Tốt", 80],
          ["class", "Khá", 50],
        ],
      },
    );
    if (!result.ok) throw new Error(lines(result).join("\n"));
    const d = result.questionnaire.definition;
    expect(d.scoring).toEqual({ kind: "points", surveyMax: 1.5, appraisalMax: 8.5, minResponses: 5, excludeFlagged: false, groupWeights: { leaders: 0.6, staff: 0.4 }, classes: [{ label: "Tốt", min: 80 }, { label: "Khá", min: 50 }] });
    expect(d.groups).toEqual([{ id: "leaders", label: { vi: "Lãnh đạo" } }, { id: "staff", label: { vi: "Công chức" } }]);
    expect(d.sections[0]).toMatchObject({ id: "steering", component: "steer" });
    expect(d.sections[0]!.questions[0]).toMatchObject({ maxPoints: 1.5, options: [{ score: 1 }, { score: 0.5 }, { score: null }] });
  });

  test("a form without scoring columns imports unscored", () => {
    const result = convert([["type", "name", "label"], ["text", "x", "X"]]);
    expect(result.ok && result.questionnaire.definition.scoring).toBeUndefined();
  });
});

describe("XLSForm import: errors name file, sheet, row and column, all at once", () => {
  test.each([
    ["relevant outside the subset", [["type", "name", "label", "relevant"], ["integer", "a", "A"], ["text", "b", "B", "${a} + 1 > 2"]], ['form.xlsx: survey row 3, column relevant: "+" is not supported here (at "+ 1 > 2")']],
    ["a later question in relevant", [["type", "name", "label", "relevant"], ["text", "a", "A", "${b} != ''"], ["text", "b", "B"]], ["form.xlsx: survey row 2, column relevant: the condition refers to b, which comes later (survey row 3): a condition can only use answers to earlier questions"]],
    ["unsupported constraint", [["type", "name", "label", "constraint"], ["integer", "a", "A", "regex(., '[0-9]')"]], ["form.xlsx: survey row 2, column constraint: the function regex() is not supported (at \"regex(., '[0-9]')\")"]],
    ["duplicate names", [["type", "name", "label"], ["text", "a", "A"], ["text", "a", "A2"]], ['form.xlsx: survey row 3, column name: question id "a" is already used by survey row 2: question ids must be unique in the whole questionnaire']],
    ["unknown list", [["type", "name", "label"], ["select_one yns", "a", "A"]], ['form.xlsx: survey row 2, column type: the list "yns" is not on the choices sheet (did you mean "yn"?): add its choices there']],
    ["or_other", [["type", "name", "label"], ["select_one yn or_other", "a", "A"]], ['form.xlsx: survey row 2, column type: "select_one yn or_other": "or_other" is not supported: add an "other" choice and a text question shown when it is selected']],
    ["missing label", [["type", "name", "label"], ["text", "a", ""]], ["form.xlsx: survey row 2, column label: missing the vi text: every text needs each language in languages (vi)"]],
    ["bad question name", [["type", "name", "label"], ["text", "a-b", "A"]], ["form.xlsx: survey row 2, column name: a question id uses only letters A-Z a-z, digits and _"]],
    ["range step", [["type", "name", "label", "parameters"], ["range", "r", "R", "start=0 end=10 step=2"]], ["form.xlsx: survey row 2, column parameters: step=2: a chat survey's scale moves in steps of 1; use step=1"]],
    ["unknown type", [["type", "name", "label"], ["intger", "a", "A"]], ['form.xlsx: survey row 2, column type: "intger" is not a question type khaosat knows (did you mean "integer"?)']],
    ["end group without begin", [["type", "name", "label"], ["text", "a", "A"], ["end_group", "", ""]], ["form.xlsx: survey row 3, column type: end_group without a begin_group above it"]],
  ])("%s", (_name, survey, expected) => {
    const result = convert(survey as unknown[][], [["list_name", "name", "label"], ["yn", "yes", "Có"]]);
    expect(result.ok).toBe(false);
    expect(lines(result)).toEqual(expected);
  });

  test("every problem of a form is reported in one run, ordered by sheet and row", () => {
    const result = convert(
      [
        ["type", "name", "label", "relevant", "calculation"],
        ["date", "d", "Ngày"],
        ["calculate", "c", "", "", "1+1"],
        ["text", "t", "T", "${t2} = 'x'"],
        ["begin repeat", "r", "R"],
        ["geopoint", "g", "G"],
        ["end repeat"],
      ],
      [["list_name", "name", "label", "score"], ["yn", "yes", "Có", "nhiều"]],
    );
    expect(lines(result)).toEqual([
      "form.xlsx: survey row 2, column type: date: dates are not supported yet: use text or integer",
      "form.xlsx: survey row 3, column type: calculate: calculations are not supported",
      'form.xlsx: survey row 4, column relevant: the condition refers to "t2", which is not a question of this questionnaire',
      "form.xlsx: survey row 5, column type: begin repeat: repeats are not supported in a chat survey",
      "form.xlsx: survey row 6, column type: geopoint: locations are not collected in a chat survey",
      "form.xlsx: survey row 7, column type: end repeat: repeats are not supported in a chat survey",
    ]);
  });
});

describe("XLSForm import: real workbooks", () => {
  // Copies of the six published forms (pyxform, BSD-2-Clause: LICENSE beside them), so the tests need nothing outside the repository.
  const PUBLISHED = fileURLToPath(new URL("../../fixtures/xlsform/published/", import.meta.url));
  const published = (name: string) => readFileSync(`${PUBLISHED}${name}`);

  test.each(["extra_sheet_names.xlsx", "extra_columns.xlsx"])("published %s imports", async (name) => {
    const result = await importXlsform(published(name), name);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.questionnaire.questions.length).toBe(1);
  });

  test("published extra_sheet_names.xlsx: the unknown sheets are named in warnings", async () => {
    const result = await importXlsform(published("extra_sheet_names.xlsx"), "extra_sheet_names.xlsx");
    expect(result.ok && result.warnings.map(formatIssue)).toEqual(
      expect.arrayContaining([
        "extra_sheet_names.xlsx: my_sheet: warning: this sheet is ignored: an XLSForm uses the sheets survey, choices and settings (khaosat adds scoring)",
        'extra_sheet_names.xlsx: stettings: warning: this sheet is ignored: an XLSForm uses the sheets survey, choices and settings (khaosat adds scoring); did you mean "settings"?',
      ]),
    );
  });

  // Each refused form: the rows named, with the unsupported feature of each.
  test.each([
    ["pull_data.xlsx", ["survey row 2, column type: calculate", "survey row 3, column label: the text shows an answer (${fruit})"]],
    ["choice_filter_test.xlsx", ["survey row 3, column choice_filter: choice filters", "survey row 4, column choice_filter: choice filters"]],
    [
      "xlsform_spec_test.xlsx",
      [
        "survey row 7, column relevant: the function regex() is not supported",
        "survey row 14, column constraint: \". <= ${a_integer}\" is not a constraint",
        "survey row 15, column type: begin repeat: repeats",
        "survey row 18, column constraint: \"not(selected(., 'yes')",
        "survey row 31, column type: date",
        "survey row 32, column type: time",
        "survey row 33, column type: datetime",
        "survey row 34, column type: geopoint",
        "survey row 35, column type: barcode",
        "survey row 36, column type: image",
        "survey row 37, column type: audio",
        "survey row 38, column type: video",
        "survey row 40, column type: calculate",
        "survey row 50, column type: uri:deviceid",
      ],
    ],
    [
      "UCL_Biomass_Plot_Form.xlsx",
      [
        "settings row 2, column version: a formula (=NOW())",
        "survey row 9, column relevant: typographic quote ‘",
        "survey row 10, column constraint: the function regex() is not supported",
        "survey row 16, column type: select_one_from_file UCL_regions.csv",
        "survey row 17, column choice_filter: choice filters",
        "survey row 22, column type: geopoint",
        "survey row 23, column type: image",
        "survey row 26, column type: calculate",
        "survey row 32, column type: begin repeat",
        "survey row 43, column type: begin repeat",
        "survey row 49, column required: required is \"${health_id}=‘dead’\"",
        "survey row 72, column type: begin repeat",
        "survey row 86, column type: end repeat",
      ],
    ],
  ])("published %s is refused, naming every unsupported feature by sheet and row", async (name, expected) => {
    const result = await importXlsformFile(`${PUBLISHED}${name}`);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const text = result.issues.map(formatIssue);
    for (const part of expected) expect(text.some((l) => l.startsWith(`${PUBLISHED}${name}: ${part}`)), `${part}\n${text.join("\n")}`).toBe(true);
  });

  // The complete refusal of each form, as `questionnaire validate` prints it: regenerate on purpose
  // with UPDATE_GOLDEN=1 after reading the difference.
  test.each(["pull_data.xlsx", "choice_filter_test.xlsx", "xlsform_spec_test.xlsx", "UCL_Biomass_Plot_Form.xlsx"])("published %s: the complete list of errors is the golden one", async (name) => {
    const golden = fileURLToPath(new URL(`../../fixtures/xlsform/published/${name}.errors.txt`, import.meta.url));
    const result = await importXlsform(published(name), name);
    expect(result.ok).toBe(false);
    const text = result.ok ? "" : `${result.issues.map(formatIssue).join("\n")}\n`;
    if (process.env.UPDATE_GOLDEN === "1") writeFileSync(golden, text);
    expect(text).toBe(readFileSync(golden, "utf8"));
  });

  test("limits: a file too large, a sheet with too many rows, not a workbook", async () => {
    const big = new Uint8Array(XLSFORM_LIMITS.fileBytes + 1);
    big[0] = 0x50;
    big[1] = 0x4b;
    expect((await importXlsform(big, "big.xlsx")).ok).toBe(false);
    expect(((await importXlsform(big, "big.xlsx")) as { issues: ReadonlyArray<{ message: string }> }).issues[0]!.message).toContain("may be at most 5 MB");
    const old = await importXlsform(new Uint8Array([0xd0, 0xcf, 0x11, 0xe0]), "old.xlsx");
    expect(old.ok === false && old.issues.map(formatIssue)).toEqual(["old.xlsx: this is an old Excel 97-2003 (.xls) file: open it in Excel and save it as .xlsx"]);
    const rows: Array<Array<string>> = [["type", "name", "label"]];
    for (let i = 0; i < XLSFORM_LIMITS.rowsPerSheet + 5; i++) rows.push(["text", `q${i}`, `Q${i}`]);
    const file = await writeWorkbook({ survey: rows });
    const result = await importXlsformFile(file);
    expect(result.ok === false && result.issues.map((i) => `${i.path}: ${i.message}`)).toEqual(["survey: the sheet has more than 2000 filled rows; a questionnaire needs far fewer: remove unused rows or split the form"]);
  });

  test("a formula cell is refused: a form holds values", async () => {
    const file = await writeWorkbook({ survey: [["type", "name", "label"], ["text", "a", { formula: "CONCAT(\"x\",\"y\")" } as never]], settings: SETTINGS });
    const result = await importXlsformFile(file);
    expect(result.ok === false && result.issues.map((i) => `${i.path}: ${i.message}`)).toContain('survey row 2, column label: a formula (=CONCAT("x","y")) where a value is expected: a form holds values, so type the value itself');
  });
});

describe("XLSForm import: zip bombs", () => {
  test("the unzipped size is read from the zip directory before unpacking, and a huge one is refused", async () => {
    const { unzippedSize } = await import("../../../src/questionnaire/xlsform/workbook.js");
    const file = await writeWorkbook({ survey: [["type", "name", "label"], ["text", "a", "A"]] });
    const bytes = new Uint8Array(readFileSync(file));
    const size = unzippedSize(bytes)!;
    expect(size).toBeGreaterThan(bytes.length);
    expect(size).toBeLessThan(100_000);
    // Claim a 200 MB sheet in the central directory (the local data stays small).
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const end = bytes.length - 22;
    expect(view.getUint32(end, true)).toBe(0x06054b50);
    const first = view.getUint32(end + 16, true);
    view.setUint32(first + 24, 200 * 1024 * 1024, true);
    const result = await importXlsform(bytes, "bomb.xlsx");
    expect(result.ok === false && result.issues.map(formatIssue)).toEqual([
      "bomb.xlsx: the workbook unpacks to 200 MB; a questionnaire workbook may unpack to at most 100 MB: remove unused sheets, formatting and data",
    ]);
  });
});
