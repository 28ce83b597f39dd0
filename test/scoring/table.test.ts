import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { computeFlags, ResponseTable, scoreUnits, type ScoringResponse } from "../../src/scoring/index.js";
import { tableQuestions, UNKNOWN_OPTION } from "../../src/scoring/table.js";
import { readResponsesFile, readResponsesTable, writeResponsesCsv } from "../../src/scoring/io/index.js";
import { carelessPopulation, PROVINCE } from "../flags/support/population.js";
import { GOLDEN_DIR, goldenCases, loadGoldenCase } from "./support/golden.js";
import { HEADER, questionnaire } from "./io/helpers.js";

// `khaosat score` scores a file by column (readResponsesTable); everything else scores response
// objects. Both must give the same report and the same flags, to the last evidence line.

const dir = mkdtempSync(path.join(tmpdir(), "khaosat-table-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("responses by column", () => {
  test.each(goldenCases())("%s: scoring the file's columns reproduces expected.json exactly", async (name) => {
    const { input, expected } = loadGoldenCase(name);
    const read = await readResponsesTable(path.join(GOLDEN_DIR, name, "responses.csv"), input.questionnaire);
    expect(read.errors).toEqual([]);
    expect(read.table.length).toBe((input.responses as readonly ScoringResponse[]).length);
    const outcome = scoreUnits({ ...input, responses: read.table });
    if (!outcome.ok) throw new Error(JSON.stringify(outcome.errors));
    expect(JSON.stringify(outcome.report)).toBe(JSON.stringify(expected));
  });

  test("a province with careless responses and per-question times: the same flags and report from the file's columns as from the objects", async () => {
    const population = carelessPopulation({ ...PROVINCE, checks: true });
    const q = population.questionnaire;
    // What a file can carry: no language (the default one is assumed), times to a tenth of a second.
    const objects: ScoringResponse[] = population.responses.map(({ language: _language, seconds, ...r }) => ({
      ...r,
      ...(seconds ? { seconds: Object.fromEntries(Object.entries(seconds).map(([id, s]) => [id, Math.round(s * 10) / 10])) } : {}),
    }));
    const file = path.join(dir, "province.csv");
    writeFileSync(file, writeResponsesCsv(q, objects));
    const read = await readResponsesTable(file, q);
    expect(read.errors).toEqual([]);
    expect(read.rejected).toEqual([]);

    const fromColumns = computeFlags(q, read.table);
    const fromObjects = computeFlags(q, objects);
    expect(fromColumns).toEqual(fromObjects);
    // The population plants careless responses: the comparison covers flags that fired.
    for (const flag of ["speeder", "straightliner", "attention", "inconsistent"] as const) expect(fromObjects.some((f) => f[flag]), flag).toBe(true);

    const byColumns = scoreUnits({ questionnaire: q, responses: read.table });
    const byObjects = scoreUnits({ questionnaire: q, responses: objects });
    expect(byColumns).toEqual(byObjects);
    expect(byObjects.ok && byObjects.report.units.length).toBeGreaterThan(40);
  });

  test("a rejected row leaves nothing behind: the next valid row's empty cells stay unanswered", async () => {
    const file = path.join(dir, "rejected.csv");
    writeFileSync(file, [HEADER, "r1,U1,leaders,,,yes,1,a,4,3,ok", "r2,U1,nobody,,,yes,2,a|b,5,7,bad group", "r3,U1,leaders,,,no,,c,,,", "r4,U1,leaders,,,no,1,b,,,"].join("\n"));
    const read = await readResponsesTable(file, questionnaire);
    expect(read.rejected.map((r) => r.line)).toEqual([3]);
    const table = read.table;
    expect(table.length).toBe(3);
    expect(table.ids).toEqual(["r1", "r3", "r4"]);
    expect(Array.from(table.startedAt)).toEqual([Number.NaN, Number.NaN, Number.NaN]);
    expect(["q0", "q1", "q2", "q3", "q4", "q5"].map((id) => table.column(id))).toEqual([
      ["yes", "no", "no"],
      ["1", undefined, undefined], // r4's q1 is discarded: its condition (q0 == "yes") is false
      [["a"], ["c"], ["b"]],
      [4, undefined, undefined],
      [3, undefined, undefined],
      ["ok", undefined, undefined],
    ]);
    // The objects built from the columns are those of the object reader.
    expect(table.toResponses()).toEqual((await readResponsesFile(file, questionnaire)).responses);
    expect(table.response(1)).toStrictEqual({ id: "r3", unit: "U1", group: "leaders", answers: { q0: "no", q2: ["c"] } });
  });

  test("a table over objects hands back the objects and reads their columns", () => {
    const objects: ScoringResponse[] = [
      { id: "a", unit: "U", group: "g", startedAt: 1, answers: { q1: "1" }, account: "t1", respondent: "p1" },
      { id: "b", unit: "U", group: "g", answers: { q2: ["a"] }, seconds: { q2: 3 }, decision: "reject" },
    ];
    const table = ResponseTable.of(objects);
    expect(table.response(0)).toBe(objects[0]);
    expect(table.column("q1")).toEqual(["1", undefined]);
    expect(table.column("q2")).toEqual([undefined, ["a"]]);
    expect(Array.from(table.seconds("q2"))).toEqual([Number.NaN, 3]);
    expect(table.accounts).toEqual(["t1", undefined]);
    expect(table.decisions).toEqual([undefined, "reject"]);
    expect(table.languages).toBeUndefined();
    expect(ResponseTable.of(table)).toBe(table);
  });

  test("single questions decoded while the objects are read give the codes and answers of the answer columns", () => {
    const objects: ScoringResponse[] = [
      { id: "a", unit: "U", group: "g", answers: { q0: "yes", q1: "2", q2: ["a", "b"] } },
      { id: "b", unit: "U", group: "g", answers: { q0: "maybe", q1: 3 } },
      { id: "c", unit: "U", group: "g", answers: { q1: "1" } },
    ];
    const byAnswers = ResponseTable.of(objects, questionnaire.questions.map((q) => q.question.id));
    const byCodes = ResponseTable.of(objects, tableQuestions(questionnaire));
    for (const { question } of questionnaire.questions) {
      expect(byCodes.column(question.id), question.id).toEqual(byAnswers.column(question.id));
      if (question.type !== "single") continue;
      expect(Array.from(byCodes.optionCodes(question.id, question.options)), question.id).toEqual(Array.from(byAnswers.optionCodes(question.id, question.options)));
    }
    const q1 = questionnaire.byId.get("q1")!.question;
    if (q1.type !== "single") throw new Error("q1 is a single question");
    // "2", a number (compared as text: "3" is no option) and "1".
    expect(Array.from(byCodes.optionCodes("q1", q1.options))).toEqual([2, UNKNOWN_OPTION, 1]);
  });
});
