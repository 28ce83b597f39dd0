import { describe, expect, test } from "vitest";
import { parseAppraisalCsv } from "../../../src/scoring/io/index.js";

describe("parseAppraisalCsv", () => {
  test("reads points per unit, with a decimal point, a quoted decimal comma or semicolons", () => {
    const result = parseAppraisalCsv('unit,points\nSO_TP,60.25\nSO_TC,"58,5"\n\nSO_XD,0\n', { appraisalMax: 68.5 });
    expect(result.errors).toEqual([]);
    expect(result.rejected).toEqual([]);
    expect([...result.points]).toEqual([
      ["SO_TP", 60.25],
      ["SO_TC", 58.5],
      ["SO_XD", 0],
    ]);
    expect([...parseAppraisalCsv("\uFEFFunit;points\r\nSO_TP;60,25\r\n").points]).toEqual([["SO_TP", 60.25]]);
  });

  test.each([
    ["SO_TP,abc", 'points "abc" is not a number'],
    ["SO_TP,", "points is empty"],
    ["SO_TP,-1", "points -1 is negative"],
    ["SO_TP,68.51", "points 68.51 is above appraisalMax 68.5"],
    [",10", "unit is empty"],
    ["SO_TP,60,25", 'the row has 3 cells but the header has 2 (write a decimal comma inside quotes, "60,25", or use a decimal point)'],
    ["SO_TP", "the row has 1 cells but the header has 2"],
    ["SO_XX,10", 'unknown unit "SO_XX" (did you mean "SO_XD"?): not a unit of this campaign'],
    ["Phòng ABC,10", 'unknown unit "Phòng ABC": not a unit of this campaign'],
  ])("%s", (row, reason) => {
    const result = parseAppraisalCsv(`unit,points\n${row}\n`, { appraisalMax: 68.5, knownUnits: ["SO_TP", "SO_XD"] });
    expect(result).toMatchObject({ points: new Map(), rejected: [{ line: 2, reason }], errors: [] });
  });

  test("a duplicate unit is rejected with the line of the first", () => {
    const result = parseAppraisalCsv("unit,points\nSO_TP,60\nSO_TC,50\n\nSO_TP,61\n");
    expect(result.rejected).toMatchObject([{ line: 5, reason: 'duplicate unit "SO_TP" (first on line 2)' }]);
    expect([...result.points.keys()]).toEqual(["SO_TP", "SO_TC"]);
  });

  test("without appraisalMax or known units, only the value itself is checked", () => {
    expect(parseAppraisalCsv("unit,points\nANY,1000\n").points.get("ANY")).toBe(1000);
  });

  test.each([
    ["", [{ message: "the file is empty; the first line must be the header: unit,points" }]],
    [
      "don_vi,diem\n",
      [
        { line: 1, message: 'unknown column "don_vi": the header must be unit,points' },
        { line: 1, message: 'unknown column "diem": the header must be unit,points' },
        { line: 1, message: 'missing column "unit": the header must be unit,points' },
        { line: 1, message: 'missing column "points": the header must be unit,points' },
      ],
    ],
    ["Unit,point\n", [
      { line: 1, message: 'unknown column "Unit" (did you mean "unit"?): the header must be unit,points' },
      { line: 1, message: 'unknown column "point" (did you mean "points"?): the header must be unit,points' },
      { line: 1, message: 'missing column "unit": the header must be unit,points' },
      { line: 1, message: 'missing column "points": the header must be unit,points' },
    ]],
    ["unit,points,points\n", [{ line: 1, message: 'column "points" appears twice in the header' }]],
  ])("file error %j", (text, errors) => {
    expect(parseAppraisalCsv(text)).toMatchObject({ points: new Map(), rejected: [], errors });
  });

  test("non-UTF-8 bytes are refused", () => {
    const bytes = new Uint8Array([...new TextEncoder().encode("unit,points\nS"), 0xd2, ...new TextEncoder().encode(",1\n")]);
    expect(parseAppraisalCsv(bytes).errors[0]?.line).toBe(2);
  });
});
