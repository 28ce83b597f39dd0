import { describe, expect, test } from "vitest";
import { parseResponsesCsv, writeResponsesCsv } from "../../../src/scoring/io/index.js";
import type { ScoringResponse } from "../../../src/scoring/types.js";
import { createI18n } from "../../../src/i18n/index.js";
import { problemsText } from "../../../src/i18n/problem.js";
import { HEADER, questionnaire, questionnaireFrom, QUESTIONNAIRE_YAML } from "./helpers.js";

const parse = (lines: readonly string[], timezone?: string) =>
  parseResponsesCsv(lines.join("\n"), questionnaire, timezone === undefined ? {} : { timezone });

const VALID = "r1,SO_TP,leaders,,,yes,1,a,,,";

describe("parseResponsesCsv: accepted rows", () => {
  test("reads every question type, a decimal comma, na and a quoted multi-line text", () => {
    const result = parse([
      HEADER,
      'r1,SO_TP,leaders,2026-12-01T08:00:00,2026-12-01T08:09:30+07:00,yes,1,a|c,5,"3,5","Tốt\nlắm"',
      "r2,SO_TC,deputies,,,no,,b,na,7,",
    ]);
    expect(result).toEqual({
      responses: [
        {
          id: "r1",
          unit: "SO_TP",
          group: "leaders",
          startedAt: Date.UTC(2026, 11, 1, 1, 0, 0),
          submittedAt: Date.UTC(2026, 11, 1, 1, 9, 30),
          answers: { q0: "yes", q1: "1", q2: ["a", "c"], q3: 5, q4: 3.5, q5: "Tốt\nlắm" },
        },
        { id: "r2", unit: "SO_TC", group: "deputies", answers: { q0: "no", q2: ["b"], q3: "na", q4: 7 } },
      ],
      rejected: [],
      warnings: [],
      errors: [],
    });
  });

  test("a missing question column is unanswered everywhere, with a warning on the header", () => {
    const result = parseResponsesCsv("response_id,subject_unit,group,q0,q1,q2\nr1,U,leaders,no,,b\n", questionnaire);
    expect(result.responses).toEqual([{ id: "r1", unit: "U", group: "leaders", answers: { q0: "no", q2: ["b"] } }]);
    expect(result.warnings).toMatchObject([{ line: 1, message: "no column for q3, q4, q5: unanswered in every row" }]);
  });

  test("an answer whose condition is false is discarded with a warning", () => {
    const result = parse([HEADER, "r1,U,leaders,,,no,2,b,,,"]);
    expect(result.responses[0]?.answers).toEqual({ q0: "no", q2: ["b"] });
    expect(result.warnings).toMatchObject([{ line: 2, message: 'q1: answer "2" discarded: its condition is false (showIf: q0 == "yes")' }]);
    expect(result.rejected).toEqual([]);
  });

  test("UTF-8 bytes with a BOM, CRLF line ends, semicolons (Excel in Vietnamese) and blank rows", () => {
    const text = "\uFEFF" + HEADER.replaceAll(",", ";") + "\r\nr1;Sở Tư pháp;leaders;;;yes;1;a;;2,5;\r\n;;;;;;;;;;\r\n\r\n";
    const result = parseResponsesCsv(new TextEncoder().encode(text), questionnaire);
    expect(result.errors).toEqual([]);
    expect(result.responses).toEqual([{ id: "r1", unit: "Sở Tư pháp", group: "leaders", answers: { q0: "yes", q1: "1", q2: ["a"], q4: 2.5 } }]);
  });

  test.each([
    ["2026-12-01T08:00:00", "Asia/Ho_Chi_Minh", Date.UTC(2026, 11, 1, 1)],
    ["2026-12-01 08:00", "Asia/Ho_Chi_Minh", Date.UTC(2026, 11, 1, 1)],
    ["2026-12-01T08:00:00Z", "Asia/Ho_Chi_Minh", Date.UTC(2026, 11, 1, 8)],
    ["2026-12-01T08:00:00.250-05:30", "Asia/Ho_Chi_Minh", Date.UTC(2026, 11, 1, 13, 30, 0, 250)],
    ["2026-12-01T08:00:00+0700", "UTC", Date.UTC(2026, 11, 1, 1)],
    ["2026-12-01", "Asia/Ho_Chi_Minh", Date.UTC(2026, 10, 30, 17)],
    ["2026-07-01T08:00:00", "Europe/Paris", Date.UTC(2026, 6, 1, 6)],
    ["2026-01-01T08:00:00", "Europe/Paris", Date.UTC(2026, 0, 1, 7)],
  ])("time %s in %s", (time, zone, expected) => {
    const result = parse([HEADER, `r1,U,leaders,,${time},yes,1,a,,,`], zone);
    expect(result.responses[0]?.submittedAt).toBe(expected);
  });

  test("an unknown time zone is a file error", () => {
    expect(parse([HEADER, VALID], "Asia/Hanoi").errors).toEqual([{ message: 'unknown time zone "Asia/Hanoi" (use an IANA name such as Asia/Ho_Chi_Minh)' }]);
  });
});

describe("parseResponsesCsv: rejected rows", () => {
  test.each([
    ["r1,U,leaders,,,yes,7,a,,,", 'q1: "7" is not an option (options: 1, 2, x)'],
    ["r1,U,leaders,,,yes,1,a|z,,,", 'q2: "z" is not an option (options: a, b, c)'],
    ["r1,U,leaders,,,yes,1,a|a,,,", 'q2: option "a" is chosen more than once'],
    ["r1,U,leaders,,,yes,1,a||b,,,", 'q2: "a||b" has an empty option (join option ids with |, e.g. 1|3)'],
    ["r1,U,leaders,,,yes,1,a|b|c,,,", "q2: 3 options chosen, at most 2 allowed"],
    ["r1,U,leaders,,,yes,1,a,6,,", "q3: 6 is out of range: expected a whole number from 1 to 5 or na"],
    ["r1,U,leaders,,,yes,1,a,3.5,,", 'q3: "3.5" is not a whole number from 1 to 5 or na'],
    ["r1,U,leaders,,,yes,1,a,good,,", 'q3: "good" is not a whole number from 1 to 5 or na'],
    ["r1,U,leaders,,,yes,1,a,,101,", "q4: 101 is above the maximum 100"],
    ["r1,U,leaders,,,yes,1,a,,-1,", "q4: -1 is below the minimum 0"],
    ["r1,U,leaders,,,yes,1,a,,na,", 'q4: "na" is not a number'],
    ["r1,U,leaders,,,yes,1,a,,1.234.5,", 'q4: "1.234.5" is not a number'],
    ["r1,U,leaders,,,yes,1,a,,,Quá dài dòng lắm", "q5: the answer is 16 characters long, at most 10 allowed"],
    ["r1,U,leaders,,,,,a,,,", "q0: required answer missing"],
    ["r1,U,leaders,,,yes,,a,,,", 'q1: required answer missing (its condition holds: q0 == "yes")'],
    ["r1,U,leaders,,,no,,,,,", "q2: required answer missing"],
    [",U,leaders,,,yes,1,a,,,", "response_id is empty"],
    ["r1,,leaders,,,yes,1,a,,,", "subject_unit is empty"],
    ["r1,U,,,,yes,1,a,,,", "group is empty (groups: leaders, deputies)"],
    ["r1,U,leader,,,yes,1,a,,,", 'unknown group "leader" (did you mean "leaders"?) (groups: leaders, deputies)'],
    ["r1,U,leaders,yesterday,,yes,1,a,,,", 'started_at: "yesterday" is not an ISO 8601 time such as 2026-12-01T08:30:00+07:00'],
    ["r1,U,leaders,,2026-02-30T08:00:00,yes,1,a,,,", 'submitted_at: "2026-02-30T08:00:00" is not an ISO 8601 time such as 2026-12-01T08:30:00+07:00'],
    [
      "r1,U,leaders,2026-12-01T09:00:00,2026-12-01T08:00:00,yes,1,a,,,",
      "submitted_at (2026-12-01T08:00:00) is before started_at (2026-12-01T09:00:00)",
    ],
    ["r1,U,leaders,,,yes,1,a,,", "the row has 10 cells but the header has 11 (a missing or extra delimiter?)"],
    ["r1,U,leaders,,,yes,1,a,,,,", "the row has 12 cells but the header has 11 (a missing or extra delimiter?)"],
    [
      "r1,U,boss,,,maybe,,a|a,9,,",
      'unknown group "boss" (groups: leaders, deputies); q0: "maybe" is not an option (options: yes, no); q2: option "a" is chosen more than once; q3: 9 is out of range: expected a whole number from 1 to 5 or na',
    ],
  ])("%s", (row, reason) => {
    const result = parse([HEADER, row]);
    expect(result.responses).toEqual([]);
    expect(result.rejected).toMatchObject([{ line: 2, ...(row.startsWith("r1") ? { responseId: "r1" } : {}), reason }]);
  });

  test("a refused row's reasons, answer cells included, are said in Vietnamese for the web console", () => {
    const result = parse([HEADER, "r1,U,boss,,,maybe,,a|a,9,,"]);
    const t = createI18n({ language: "vi" }).getFixedT("vi");
    expect(problemsText(t, result.rejected[0]!.problems, "")).toBe(
      'nhóm "boss" không có trong phiếu (các nhóm: leaders, deputies); q0: “maybe” không phải là một phương án (các phương án: yes, no); q2: phương án “a” được chọn hơn một lần; q3: 9 nằm ngoài khoảng: cần một số nguyên từ 1 đến 5 hoặc na',
    );
  });

  test("line numbers count the lines of quoted multi-line cells and blank lines", () => {
    const result = parse([HEADER, 'r1,U,leaders,,,yes,1,a,,,"một\nhai\nba"', "", "r2,U,leaders,,,yes,9,a,,,", "r1,U,leaders,,,yes,1,a,,,"]);
    expect(result.rejected).toMatchObject([
      { line: 6, responseId: "r2", reason: 'q1: "9" is not an option (options: 1, 2, x)' },
      { line: 7, responseId: "r1", reason: 'duplicate response_id "r1" (first on line 2)' },
    ]);
    expect(result.responses.map((r) => r.id)).toEqual(["r1"]);
  });

  test("a questionnaire without groups accepts any group, even empty", () => {
    const noGroups = questionnaireFrom(QUESTIONNAIRE_YAML.replace(/groups:\n( {2}- .*\n)+/, ""));
    const result = parseResponsesCsv(`${HEADER}\nr1,U,,,,yes,1,a,,,\nr2,U,anyone,,,yes,1,a,,,\n`, noGroups);
    expect(result.rejected).toEqual([]);
    expect(result.responses.map((r) => r.group)).toEqual(["", "anyone"]);
  });
});

describe("parseResponsesCsv: file errors", () => {
  test.each([
    ["", [{ message: "the file is empty; the first line must be the header: response_id,subject_unit,group,started_at,submitted_at,<question ids>" }]],
    [
      "response_id,subject_unit,group,q_1,q0,Q2,extra\n",
      [
        { line: 1, message: 'unknown column "q_1": not a question of test-par v2 (did you mean "q1"?)' },
        { line: 1, message: 'unknown column "Q2": not a question of test-par v2 (did you mean "q2"?)' },
        { line: 1, message: 'unknown column "extra": not a question of test-par v2' },
      ],
    ],
    [
      "response_id,unit,q0,q0\n",
      [
        { line: 1, message: 'unknown column "unit": not a question of test-par v2' },
        { line: 1, message: 'column "q0" appears twice in the header' },
        { line: 1, message: 'missing column "subject_unit" (the header must include response_id, subject_unit, group)' },
        { line: 1, message: 'missing column "group" (the header must include response_id, subject_unit, group)' },
      ],
    ],
    ["response_id,subject_unit,group,,q0\n", [{ line: 1, message: "column 4 of the header has no name" }]],
    [`${HEADER}\nr1,U,leaders,,,yes,1,a,,,"open\n\n`, [{ line: 2, message: 'a quoted cell that starts on this line is never closed (missing ")' }]],
    [`${HEADER}\nr1,U,leaders,,,yes,1,a,,,"x"y\n`, [{ line: 2, message: "unexpected text after a closing quote: a quoted cell must end at a comma or the end of the line" }]],
  ])("%j", (text, errors) => {
    const result = parseResponsesCsv(text, questionnaire);
    expect(result).toMatchObject({ responses: [], rejected: [], warnings: [], errors });
  });

  test("Windows-1258 bytes are refused with the line of the first bad byte", () => {
    // "Sở" in Windows-1258 is 53 D2 (not valid UTF-8); "ố" would need a combining mark.
    const bytes = new Uint8Array([...new TextEncoder().encode(`${HEADER}\nr1,`), 0x53, 0xd2, ...new TextEncoder().encode(",leaders,,,yes,1,a,,,\n")]);
    expect(parseResponsesCsv(bytes, questionnaire).errors).toMatchObject([
      {
        line: 2,
        message:
          'the file is not UTF-8 text (perhaps Windows-1258 or TCVN3); save it from Excel as "CSV UTF-8 (Comma delimited)", or convert it, e.g. iconv -f WINDOWS-1258 -t UTF-8',
      },
    ]);
  });

  test("UTF-16 (Excel 'Unicode text') is refused", () => {
    expect(parseResponsesCsv(new Uint8Array([0xff, 0xfe, 0x72, 0x00]), questionnaire).errors).toMatchObject([
      { message: 'the file is UTF-16 text ("Unicode text" in Excel); save it as "CSV UTF-8 (Comma delimited)" instead' },
    ]);
  });
});

describe("writeResponsesCsv", () => {
  const responses: ScoringResponse[] = [
    {
      id: "r1",
      unit: "Sở Tư pháp, tỉnh A",
      group: "leaders",
      startedAt: Date.UTC(2026, 11, 1, 1, 0, 0),
      submittedAt: Date.UTC(2026, 11, 1, 1, 9, 30, 500),
      answers: { q0: "yes", q1: "x", q2: ["c", "a"], q3: "na", q4: 3.5, q5: 'Nói "ok"\nạ' },
    },
    { id: "r2", unit: "SO_TC", group: "deputies", answers: { q0: "no", q2: ["b"], q3: 4 } },
  ];

  test("writes the import layout", () => {
    expect(writeResponsesCsv(questionnaire, responses)).toBe(
      `${HEADER}\n` +
        'r1,"Sở Tư pháp, tỉnh A",leaders,2026-12-01T08:00:00+07:00,2026-12-01T08:09:30.500+07:00,yes,x,c|a,na,3.5,"Nói ""ok""\nạ"\n' +
        "r2,SO_TC,deputies,,,no,,b,4,,\n",
    );
  });

  test("round-trips through the parser", () => {
    const text = writeResponsesCsv(questionnaire, responses, { timezone: "America/New_York" });
    expect(parseResponsesCsv(text, questionnaire)).toEqual({ responses, rejected: [], warnings: [], errors: [] });
  });
});

describe("parseResponsesCsv: a required question's column missing (issue 11 item 11)", () => {
  const without = (column: string, row: (i: number) => string) => {
    const names = HEADER.split(",");
    const drop = names.indexOf(column);
    const cut = (line: string) => line.split(",").filter((_, i) => i !== drop).join(",");
    return parse([cut(HEADER), ...Array.from({ length: 48 }, (_, i) => cut(row(i)))]);
  };

  test("one error about the header, not one line per row", () => {
    const result = without("q2", (i) => `r${i},SO_TP,leaders,,,yes,1,a,,,`);
    expect(result).toMatchObject({
      responses: [],
      rejected: [],
      warnings: [],
      errors: [{ line: 1, message: "the header has no column for the required question q2: add that column with every row's answer (docs/file-formats.md, responses file)" }],
    });
  });

  test("a required question under a condition: one error, saying on how many rows it is asked", () => {
    const result = without("q1", (i) => `r${i},SO_TP,leaders,,,${i % 2 === 0 ? "yes" : "no"},1,a,,,`);
    expect(result.errors).toMatchObject([
      { line: 1, message: "the header has no column for the required question q1: add that column with every row's answer (docs/file-formats.md, responses file) (q1 is asked on 24 rows, first on line 2)" },
    ]);
    expect(result.rejected).toEqual([]);
    // When the condition never holds, the column is not needed.
    expect(without("q1", (i) => `r${i},SO_TP,leaders,,,no,1,a,,,`).errors).toEqual([]);
  });
});
