import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect, test } from "vitest";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const GOOD = "test/fixtures/questionnaires/valid-points.yaml";
const SATISFACTION = "test/fixtures/questionnaires/valid-satisfaction.json";
const BROKEN = "test/fixtures/questionnaires/broken.yaml";

async function khaosat(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ["bin/khaosat.js", ...args], { cwd: ROOT });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

test("khaosat questionnaire validate: good files print one summary line each and exit 0", async () => {
  const result = await khaosat("questionnaire", "validate", GOOD, SATISFACTION);
  expect(result).toEqual({
    code: 0,
    stdout:
      `${GOOD}: ok: par-test v2, 5 questions in 2 sections, languages vi, en, points scoring: 2 scored questions, surveyMax 2.5, appraisalMax 7.5\n` +
      `${SATISFACTION}: ok: sipas-test v1, 3 questions in 1 section, languages vi, satisfaction scoring: 2 scale questions, unit index from question q_overall\n`,
    stderr: "",
  });
});

test("khaosat questionnaire validate: every issue of every file, exit 1", async () => {
  const result = await khaosat("questionnaire", "validate", BROKEN, GOOD, "missing.yaml");
  expect(result.code).toBe(1);
  expect(result.stdout).toBe(`${GOOD}: ok: par-test v2, 5 questions in 2 sections, languages vi, en, points scoring: 2 scored questions, surveyMax 2.5, appraisalMax 7.5\n`);
  const lines = result.stderr.trimEnd().split("\n");
  expect(lines).toHaveLength(18 + 1 + 2 + 1);
  expect(lines[0]).toBe(`${BROKEN}:2:5: id: the questionnaire id uses only a-z, 0-9 and -`);
  expect(lines).toContain(`${BROKEN}:24:9: sections[0].questions[0].requird: unknown key "requird": did you mean "required"?`);
  expect(lines).toContain(`${BROKEN}:32:21: sections[0].questions[1].showIf: syntax error in the condition at column 4: unexpected "=": write "==" to compare`);
  expect(lines.slice(-4)).toEqual([`${BROKEN}: 18 errors`, "missing.yaml: file not found: check the path", "missing.yaml: 1 error", "2 of 3 files have errors"]);
});

test("khaosat questionnaire validate: an overall question named overall is not printed as \"overall overall\"", async () => {
  const result = await khaosat("questionnaire", "validate", "examples/sipas-citizens.yaml");
  expect(result.code).toBe(0);
  expect(result.stdout).not.toContain("overall overall");
  expect(result.stdout).toContain("unit index from question overall\n");
});

test("khaosat questionnaire validate: in Vietnamese when KHAOSAT_LANG is unset (the organiser's default), the same places", async () => {
  const env = { ...process.env };
  delete env.KHAOSAT_LANG;
  let stderr = "";
  try {
    await run(process.execPath, ["bin/khaosat.js", "questionnaire", "validate", BROKEN, "missing.yaml"], { cwd: ROOT, env });
  } catch (error) {
    stderr = (error as { stderr: string }).stderr;
  }
  const lines = stderr.trimEnd().split("\n");
  expect(lines).toHaveLength(18 + 1 + 2 + 1);
  expect(lines[0]).toBe(`${BROKEN}:2:5: id: mã bộ câu hỏi chỉ gồm a-z, 0-9 và -`);
  expect(lines).toContain(`${BROKEN}:24:9: sections[0].questions[0].requird: khóa "requird" không được nhận biết: có phải ý bạn là "required"?`);
  expect(lines).toContain(
    `${BROKEN}:36:13: sections[0].questions[2].id: mã câu hỏi "q1" đã được dùng ở sections[0].questions[0], dòng 20: mã câu hỏi phải là duy nhất trong toàn bộ bộ câu hỏi`,
  );
  expect(lines.slice(-4)).toEqual([`${BROKEN}: 18 lỗi; hãy sửa rồi kiểm tra lại`, "missing.yaml: không tìm thấy tệp: hãy kiểm tra lại đường dẫn", "missing.yaml: 1 lỗi; hãy sửa rồi kiểm tra lại", "2 trong 2 tệp có lỗi"]);
});

test("khaosat questionnaire validate: the summary of a good file in Vietnamese when KHAOSAT_LANG is unset", async () => {
  const env = { ...process.env };
  delete env.KHAOSAT_LANG;
  const { stdout } = await run(process.execPath, ["bin/khaosat.js", "questionnaire", "validate", GOOD, SATISFACTION], { cwd: ROOT, env });
  expect(stdout).toBe(
    `${GOOD}: hợp lệ: par-test phiên bản 2, 5 câu hỏi trong 2 phần, ngôn ngữ vi, en, tính điểm theo điểm số: 2 câu hỏi được tính điểm, surveyMax 2.5, appraisalMax 7.5\n` +
      `${SATISFACTION}: hợp lệ: sipas-test phiên bản 1, 3 câu hỏi trong 1 phần, ngôn ngữ vi, tính điểm theo mức độ hài lòng: 2 câu hỏi thang điểm, chỉ số đơn vị lấy từ câu hỏi q_overall\n`,
  );
});
