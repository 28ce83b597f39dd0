import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import ExcelJS from "exceljs";
import { describe, expect, test } from "vitest";
import { loadQuestionnaireFile } from "../../../src/questionnaire/index.js";
import { scoreReportSchema } from "../../../src/scoring/index.js";
import { writeResponsesCsv } from "../../../src/scoring/io/index.js";
import { generateResponses } from "./generate.js";

const ROOT = resolve(import.meta.dirname, "../../..");
const F = "test/scoring/cli/fixtures";
const tmp = mkdtempSync(join(tmpdir(), "khaosat-score-"));

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function khaosat(...args: string[]): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ["bin/khaosat.js", ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", fail);
    child.on("close", (code) => done({ code, stdout, stderr }));
  });
}

const POINTS = ["score", "--questionnaire", `${F}/points.yaml`, "--responses", `${F}/points-responses.csv`, "--appraisal", `${F}/points-appraisal.csv`];
const SATISFACTION = ["score", "--questionnaire", `${F}/satisfaction.yaml`, "--responses", `${F}/satisfaction-responses.csv`];

const POINTS_JSON = {
  questionnaire: { id: "cli-points", version: 1 },
  kind: "points",
  units: [
    {
      unit: "U1",
      responses: 2,
      counted: 2,
      surveyPoints: 2.5,
      appraisalPoints: 6,
      index: 85,
      rank: 1,
      surveyRank: 1,
      appraisalRank: 1,
      class: "A",
      components: { c1: { points: 1.5, max: 2, index: 75 }, c2: { points: 1, max: 1, index: 100 } },
      flags: { speeder: 0, straightliner: 0, delegation: 0 },
    },
    {
      unit: "U2",
      responses: 2,
      counted: 2,
      surveyPoints: 2,
      appraisalPoints: 5,
      index: 70,
      rank: 2,
      surveyRank: 2,
      appraisalRank: 2,
      class: "B",
      components: { c1: { points: 2, max: 2, index: 100 }, c2: { points: 0, max: 1, index: 0 } },
      flags: { speeder: 0, straightliner: 0, delegation: 0 },
    },
  ],
  excluded: [
    { unit: "U3", reason: "insufficient_responses", responses: 1, counted: 1 },
    { unit: "U4", reason: "insufficient_responses", responses: 0, counted: 0 },
    { unit: "U5", reason: "missing_appraisal", responses: 2, counted: 2 },
  ],
};

describe.concurrent("khaosat score", () => {
  test("json: exactly section 6, 2-space indent, valid against the schema (json is the default off a terminal)", async () => {
    const run = await khaosat(...POINTS);
    expect(run).toEqual({ code: 0, stdout: `${JSON.stringify(POINTS_JSON, null, 2)}\n`, stderr: "" });
    expect(scoreReportSchema.parse(JSON.parse(run.stdout))).toEqual(POINTS_JSON);
  });

  test("table", async () => {
    const run = await khaosat(...POINTS, "--format", "table");
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      [
        "cli-points v1 · 2 ranked, 3 excluded",
        "",
        "Rank  Unit  Responses  Counted  Survey points  Survey rank  Appraisal points  Appraisal rank  Index  Class",
        "----  ----  ---------  -------  -------------  -----------  ----------------  --------------  -----  -----",
        "   1  U1            2        2           2.50            1              6.00               1  85.00  A",
        "   2  U2            2        2           2.00            2              5.00               2  70.00  B",
        "",
        "Excluded:",
        "  U3  fewer counted responses than minResponses (1 response, 1 counted, at least 2 needed)",
        "  U4  fewer counted responses than minResponses (0 responses, 0 counted, at least 2 needed)",
        "  U5  no appraisal points (2 responses, 2 counted)",
        "",
      ].join("\n"),
    );
  });

  test("table in Vietnamese", async () => {
    const run = await khaosat(...SATISFACTION, "--format", "table", "--lang", "vi");
    expect(run.stdout).toBe(
      [
        "cli-sat v4 · 2 đơn vị được xếp hạng, 0 không xếp hạng",
        "",
        "Hạng  Đơn vị  Số phiếu  Phiếu được tính  Chỉ số",
        "----  ------  --------  ---------------  ------",
        "   1  U1             3                3   66,67",
        "   2  U2             1                1    0,00",
        "",
      ].join("\n"),
    );
  });

  test("csv: one row per unit, ranked then excluded, components as columns", async () => {
    const run = await khaosat(...POINTS, "--format", "csv");
    expect(run.stdout).toBe(
      "rank,unit,responses,counted,survey_points,survey_rank,appraisal_points,appraisal_rank,index,class,c1.points,c1.max,c1.index,c2.points,c2.max,c2.index,speeder,straightliner,delegation,excluded_reason\n" +
        "1,U1,2,2,2.5,1,6,1,85,A,1.5,2,75,1,1,100,0,0,0,\n" +
        "2,U2,2,2,2,2,5,2,70,B,2,2,100,0,1,0,0,0,0,\n" +
        ",U3,1,1,,,,,,,,,,,,,,,,insufficient_responses\n" +
        ",U4,0,0,,,,,,,,,,,,,,,,insufficient_responses\n" +
        ",U5,2,2,,,,,,,,,,,,,,,,missing_appraisal\n",
    );
  });

  test("csv of a satisfaction score: factors, criteria and choice shares; --out adds a BOM for Excel", async () => {
    const out = join(tmp, "sat.csv");
    const run = await khaosat(...SATISFACTION, "--format", "csv", "--out", out);
    expect(run).toEqual({ code: 0, stdout: "", stderr: `wrote ${out}\n` });
    expect(readFileSync(out, "utf8")).toBe(
      "\uFEFFrank,unit,responses,counted,index,access.index,staff.index,a1.index,a2.index,s1.index,overall.index,pri.a,pri.b,pri.c,speeder,straightliner,delegation,excluded_reason\n" +
        "1,U1,3,3,66.67,83.33,66.67,100,66.67,66.67,66.67,66.67,33.33,0,0,0,0,\n" +
        "2,U2,1,1,0,0,0,0,0,0,0,0,0,100,0,0,0,\n",
    );
  });

  test("xlsx: ranking, components and excluded sheets, bilingual headers, numbers as numbers", async () => {
    const out = join(tmp, "points.xlsx");
    const run = await khaosat(...POINTS, "--format", "xlsx", "--out", out);
    expect(run.code).toBe(0);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(out);
    const sheets = workbook.worksheets.map((ws) => ({ name: ws.name, rows: ws.getSheetValues().slice(1).map((r) => (r as unknown[]).slice(1)) }));
    expect(sheets).toEqual([
      {
        name: "Xếp hạng",
        rows: [
          ["Hạng", "Đơn vị", "Số phiếu", "Phiếu được tính", "Điểm điều tra XHH", "Hạng điều tra XHH", "Điểm thẩm định", "Hạng thẩm định", "Chỉ số", "Xếp loại", "Phiếu trả lời quá nhanh", "Phiếu trả lời một kiểu", "Phiếu trả lời hộ"],
          ["Rank", "Unit", "Responses", "Counted", "Survey points", "Survey rank", "Appraisal points", "Appraisal rank", "Index", "Class", "Speeders", "Straight-liners", "Delegation"],
          [1, "U1", 2, 2, 2.5, 1, 6, 1, 85, "A", 0, 0, 0],
          [2, "U2", 2, 2, 2, 2, 5, 2, 70, "B", 0, 0, 0],
        ],
      },
      {
        name: "Thành phần",
        rows: [
          ["Đơn vị", "Thành phần", "Tên", "Điểm", "Điểm tối đa", "Chỉ số"],
          ["Unit", "Component", "Title", "Points", "Max points", "Index"],
          ["U1", "c1", "Thủ tục hành chính", 1.5, 2, 75],
          ["U1", "c2", "Công chức", 1, 1, 100],
          ["U2", "c1", "Thủ tục hành chính", 2, 2, 100],
          ["U2", "c2", "Công chức", 0, 1, 0],
        ],
      },
      {
        name: "Không xếp hạng",
        rows: [
          ["Đơn vị", "Lý do", "Mã lý do", "Số phiếu", "Phiếu được tính"],
          ["Unit", "Reason", "Reason code", "Responses", "Counted"],
          ["U3", "Không đủ số phiếu tối thiểu / fewer counted responses than minResponses", "insufficient_responses", 1, 1],
          ["U4", "Không đủ số phiếu tối thiểu / fewer counted responses than minResponses", "insufficient_responses", 0, 0],
          ["U5", "Chưa có điểm thẩm định / no appraisal points", "missing_appraisal", 2, 2],
        ],
      },
    ]);
    expect(workbook.getWorksheet("Xếp hạng")!.getCell("I3").numFmt).toBe("0.00");
  });

  test("xlsx --lang en: English sheet names and a single header row", async () => {
    const out = join(tmp, "sat.xlsx");
    expect((await khaosat(...SATISFACTION, "--format", "xlsx", "--lang", "en", "--out", out)).code).toBe(0);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(out);
    expect(workbook.worksheets.map((ws) => ws.name)).toEqual(["Ranking", "Components", "Criteria", "Choices", "Excluded"]);
    const criteria = workbook.getWorksheet("Criteria")!;
    expect(criteria.getRow(1).values).toEqual([undefined, "Unit", "Criterion", "Question", "Index"]);
    expect(criteria.getRow(3).values).toEqual([undefined, "U1", "a2", "Trang thiết bị", 66.67]);
    expect(workbook.getWorksheet("Choices")!.getRow(2).values).toEqual([undefined, "U1", "pri", "a", "Thủ tục", 66.67]);
  });

  test("--explain prints the arithmetic of one unit", async () => {
    const run = await khaosat(...POINTS, "--explain", "U1");
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      [
        "Unit U1 · cli-points v1 (points)",
        "Responses: 2 submitted, 2 counted; minResponses 2",
        "",
        "Component c1 (max 2)",
        "  q1: max 2; 2 valid, 0 cannot judge, 0 unanswered; mean 1.5 / 2 = 0.75; points 2 × 0.75 = 1.5",
        "  → points 1.5 of 2, index 75",
        "",
        "Component c2 (max 1)",
        "  q2: max 1; 2 valid, 0 cannot judge, 0 unanswered; mean 2 / 2 = 1; points 1 × 1 = 1",
        "  → points 1 of 1, index 100",
        "",
        "Survey points: 2.5 of 3",
        "Appraisal points: 6 of 7",
        "Index: (6 + 2.5) / (7 + 3) × 100 = 85",
        "Result: index 85.00, rank 1, survey rank 1, appraisal rank 1, class A",
        "",
      ].join("\n"),
    );
  });

  test("--explain --lang vi: the arithmetic in Vietnamese, with the decimal comma Vietnamese writes", async () => {
    const run = await khaosat(...POINTS, "--explain", "U1", "--lang", "vi");
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      [
        "Đơn vị U1 · cli-points phiên bản 1 (points)",
        "Phiếu: 2 đã gửi, 2 được tính; minResponses 2",
        "",
        "Thành phần c1 (tối đa 2)",
        "  q1: tối đa 2; 2 hợp lệ, 0 không đánh giá được, 0 không trả lời; trung bình 1,5 / 2 = 0,75; điểm 2 × 0,75 = 1,5",
        "  → điểm 1,5/2, chỉ số 75",
        "",
        "Thành phần c2 (tối đa 1)",
        "  q2: tối đa 1; 2 hợp lệ, 0 không đánh giá được, 0 không trả lời; trung bình 2 / 2 = 1; điểm 1 × 1 = 1",
        "  → điểm 1/1, chỉ số 100",
        "",
        "Điểm khảo sát: 2,5/3",
        "Điểm thẩm định: 6/7",
        "Chỉ số: (6 + 2,5) / (7 + 3) × 100 = 85",
        "Kết quả: chỉ số 85,00, hạng 1, hạng theo khảo sát 1, hạng theo thẩm định 1, xếp loại A",
        "",
      ].join("\n"),
    );
    const satisfaction = await khaosat("score", "--questionnaire", `${F}/satisfaction.yaml`, "--responses", `${F}/satisfaction-responses.csv`, "--explain", "U1", "--lang", "vi");
    expect(satisfaction.stdout.split("\n")).toEqual(
      expect.arrayContaining([
        "Câu trả lời được coi là hài lòng: 4, 5",
        "  → chỉ số: trung bình của 2 tiêu chí được tính (100 + 66,6667) / 2 = 83,3333",
        "Câu đánh giá chung:",
        "Lựa chọn ở câu pri (trên 3 phiếu được tính): a 2 = 66,6667%, b 1 = 33,3333%, c 0 = 0%",
        "Kết quả: chỉ số 66,67, hạng 1",
      ]),
    );
    const english = await khaosat("score", "--questionnaire", `${F}/satisfaction.yaml`, "--responses", `${F}/satisfaction-responses.csv`, "--explain", "U1");
    expect(english.stdout).toContain("\n  → index: mean of 2 rated criteria (100 + 66.6667) / 2 = 83.3333\n");
    expect(english.stdout).toContain("\n  → index: mean of 1 rated criterion (66.6667) / 1 = 66.6667\n");
  });

  test("--explain an unknown unit lists the known ones", async () => {
    expect(await khaosat(...POINTS, "--explain", "U9")).toEqual({
      code: 1,
      stdout: "",
      stderr: `khaosat: --explain: no unit "U9" in ${F}/points-responses.csv or ${F}/points-appraisal.csv; known units: U1, U2, U3, U4, U5\n`,
    });
  });

  test("rejected rows: every one printed with file and line, exit 1, nothing scored", async () => {
    const args = ["score", "--questionnaire", `${F}/points.yaml`, "--responses", `${F}/points-invalid.csv`, "--appraisal", `${F}/points-appraisal.csv`];
    expect(await khaosat(...args)).toEqual({
      code: 1,
      stdout: "",
      stderr:
        `${F}/points-invalid.csv:5: unknown group "leader" (did you mean "leaders"?) (groups: leaders, deputies)\n` +
        `${F}/points-invalid.csv:6: q1: "7" is not an option (options: 1, 2, x)\n` +
        `khaosat: ${F}/points-invalid.csv: 2 rows rejected; nothing scored (fix them, or pass --skip-invalid to score without them)\n`,
    });
    const skipped = await khaosat(...args, "--skip-invalid", "--format", "csv");
    expect(skipped.code).toBe(0);
    expect(skipped.stderr).toBe(
      `${F}/points-invalid.csv:5: skipped: unknown group "leader" (did you mean "leaders"?) (groups: leaders, deputies)\n` +
        `${F}/points-invalid.csv:6: skipped: q1: "7" is not an option (options: 1, 2, x)\n` +
        `${F}/points-invalid.csv: skipped 2 rows (--skip-invalid)\n`,
    );
    expect(skipped.stdout.split("\n").slice(1, 3)).toEqual(["1,U1,2,2,2.5,1,6,1,85,A,1.5,2,75,1,1,100,0,0,0,", ",U2,1,1,,,,,,,,,,,,,,,,insufficient_responses"]);
  });

  test("bad appraisal rows and a missing appraisal file", async () => {
    const bad = join(tmp, "bad-appraisal.csv");
    writeFileSync(bad, "unit,points\nU1,6\nU2,9\nU1,5\n");
    expect(await khaosat("score", "--questionnaire", `${F}/points.yaml`, "--responses", `${F}/points-responses.csv`, "--appraisal", bad)).toEqual({
      code: 1,
      stdout: "",
      stderr:
        `${bad}:3: points 9 is above appraisalMax 7\n` +
        `${bad}:4: duplicate unit "U1" (first on line 2)\n` +
        `khaosat: ${bad}: 2 rows rejected; nothing scored (fix them, or pass --skip-invalid to score without them)\n`,
    });
    const none = await khaosat("score", "--questionnaire", `${F}/points.yaml`, "--responses", `${F}/points-responses.csv`, "--format", "csv");
    expect(none.code).toBe(0);
    expect(none.stderr).toBe("warning: the questionnaire sets appraisalMax 7 but no --appraisal file was given: every unit is excluded with missing_appraisal\n");
  });

  test.each([
    [["--format", "pdf"], 'khaosat: --format must be one of json, csv, xlsx, table, not "pdf"\n'],
    [["--format", "xlsx"], "khaosat: --format xlsx writes a workbook: give the file name with --out FILE.xlsx\n"],
    [["--lang", "fr"], 'khaosat: --lang must be one of vi, en, not "fr"\n'],
    [["--timezone", "Hanoi"], 'khaosat: --timezone: unknown time zone "Hanoi" (use an IANA name such as Asia/Ho_Chi_Minh)\n'],
  ])("bad option %j", async (extra, stderr) => {
    expect(await khaosat(...SATISFACTION, ...extra)).toEqual({ code: 1, stdout: "", stderr });
  });

  test("unreadable or invalid files", async () => {
    const missing = await khaosat("score", "--questionnaire", `${F}/nope.yaml`, "--responses", `${F}/points-responses.csv`);
    expect(missing).toEqual({
      code: 1,
      stdout: "",
      stderr: `${F}/nope.yaml: file not found: check the path\nkhaosat: ${F}/nope.yaml: cannot load the questionnaire; nothing scored\n`,
    });
    const legacy = join(tmp, "legacy.csv");
    writeFileSync(legacy, Buffer.concat([Buffer.from("response_id,subject_unit,group,q1,q2\nr1,S"), Buffer.from([0xd2]), Buffer.from(",leaders,1,y\n")]));
    expect(await khaosat("score", "--questionnaire", `${F}/points.yaml`, "--responses", legacy)).toEqual({
      code: 1,
      stdout: "",
      stderr:
        `${legacy}:2: the file is not UTF-8 text (perhaps Windows-1258 or TCVN3); save it from Excel as "CSV UTF-8 (Comma delimited)", or convert it, e.g. iconv -f WINDOWS-1258 -t UTF-8\n` +
        `khaosat: ${legacy}: cannot read the responses file; nothing scored\n`,
    });
  });

  const examples = readdirSync(join(ROOT, "examples")).filter((f) => f.endsWith(".yaml"));
  test.each(examples)("scores examples/%s on generated responses", async (file) => {
    const loaded = await loadQuestionnaireFile(join(ROOT, "examples", file));
    if (!loaded.ok) throw new Error(`examples/${file} does not load`);
    const questionnaire = loaded.questionnaire;
    if (!questionnaire.definition.scoring) return;
    const units = ["SO_TP", "SO_TC", "UBND_XA_A"];
    const responses = join(tmp, `${file}.csv`);
    writeFileSync(responses, writeResponsesCsv(questionnaire, generateResponses(questionnaire, units, 12, file.length)));
    const args = ["score", "--questionnaire", `examples/${file}`, "--responses", responses];
    const scoring = questionnaire.definition.scoring;
    if (scoring.kind === "points" && scoring.appraisalMax !== undefined) {
      const appraisal = join(tmp, `${file}-appraisal.csv`);
      writeFileSync(appraisal, `unit,points\n${units.map((u, i) => `${u},${scoring.appraisalMax! - i}`).join("\n")}\n`);
      args.push("--appraisal", appraisal);
    }
    const run = await khaosat(...args, "--format", "json");
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const report = scoreReportSchema.parse(JSON.parse(run.stdout));
    expect(report.questionnaire).toEqual({ id: questionnaire.id, version: questionnaire.version });
    expect([...report.units.map((u) => u.unit), ...report.excluded.map((x) => x.unit)].sort()).toEqual([...units].sort());
    expect(report.units.length).toBe(3);
  });
});
