// The console demo (npm start without a token) as a respondent reads it: the honest counter, help
// followed by the question, edit N mid-questionnaire, and a stray "x". A second run in the same
// directory shows, through the review, what the first one stored.
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { ENV_VARIABLES } from "../../src/config/index.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

function demo(lines: readonly string[], cwd: string): string {
  const clean: Record<string, string | undefined> = { ...process.env };
  for (const name of ENV_VARIABLES) delete clean[name];
  const result = spawnSync(process.execPath, [path.join(ROOT, "bin/khaosat.js"), "start", "--clock", "2026-12-01T02:05:00Z"], {
    cwd,
    env: { ...clean, WEB_PORT: "0" },
    input: lines.map((l) => `${l}\n`).join(""),
    encoding: "utf8",
    timeout: 120_000,
  });
  expect(result.stderr).toBe("");
  expect(result.status).toBe(0);
  return result.stdout;
}

/** The lines printed after the line typed as `> input` (its reply), up to the next prompt. */
function replyTo(stdout: string, input: string, nth = 0): string[] {
  const blocks = stdout.split(/\n(?=> )/).filter((b) => b.startsWith(`> ${input}\n`));
  const block = blocks[nth];
  if (block === undefined) throw new Error(`no reply to ${input}`);
  return block.split("\n").slice(1).filter((l) => l !== "");
}

describe("the console demo, as a respondent reads it", { timeout: 120_000 }, () => {
  test("counter, help, a stray x, edit N mid-questionnaire; the review of a second run shows what was stored", () => {
    const cwd = mkdtempSync(path.join(tmpdir(), "khaosat-ux-"));
    const out = demo(["CCHC5-DEM26", "1", "1", "trợ giúp", "x", "5", "1", "1", "sửa 2", "3", "sửa 8", "thoát"], cwd);
    const first = replyTo(out, "1", 1);
    expect(first).toContain("Câu 1/tối đa 30");
    // Help, then the question again.
    const help = replyTo(out, "trợ giúp");
    expect(help[0]).toMatch(/^Các lệnh Ông\/Bà có thể gõ/);
    expect(help).toContain("  sửa <số> (edit <số>): sửa câu trả lời có số thứ tự đó, bất cứ lúc nào (câu đã trả lời)");
    expect(help.slice(-8)).toEqual([
      "Câu 1/tối đa 30",
      "Kế hoạch cải cách hành chính năm của cơ quan, đơn vị sát với thực tế và được triển khai đầy đủ.",
      "  1. Hoàn toàn đồng ý",
      "  2. Đồng ý",
      "  3. Không đồng ý",
      "  4. Hoàn toàn không đồng ý",
      "  5. Không đánh giá được",
      "Xin gõ số thứ tự của phương án Ông/Bà chọn (từ 1 đến 5).",
    ]);
    expect(replyTo(out, "x")).toEqual(["“x” không phải là một phương án trong danh sách. Xin gõ số thứ tự của phương án Ông/Bà chọn (từ 1 đến 5); nếu Ông/Bà không đánh giá được, xin gõ 5."]);
    expect(replyTo(out, "5").slice(0, 2)).toEqual(["Đã ghi: Không đánh giá được", "Câu 2/tối đa 30"]);
    expect(replyTo(out, "sửa 2").slice(0, 3)).toEqual(["Sửa câu 2: trả lời xong, Ông/Bà sẽ quay lại câu 4.", "── Công tác chỉ đạo, điều hành cải cách hành chính ──", "Câu 2/tối đa 30"]);
    expect(replyTo(out, "sửa 2")).toContain("Câu trả lời hiện tại: Hoàn toàn đồng ý");
    expect(replyTo(out, "3").slice(0, 2)).toEqual(["── Xây dựng và tổ chức thực hiện thể chế ──", "Câu 4/tối đa 30"]);
    expect(replyTo(out, "sửa 8")).toEqual([
      "Không sửa được câu 8: Ông/Bà đang ở câu 4, nên chỉ sửa được các câu đã qua (1–3). Xin gõ sửa kèm một trong các số đó, ví dụ: sửa 3, hoặc trả lời tiếp câu 4.",
    ]);

    // What was stored: the review of the same demo respondent, run again.
    const again = demo(["xem lại", "thoát"], cwd);
    expect(again).toContain("Chào mừng Ông/Bà quay lại! Ông/Bà đã dừng ở câu 4/tối đa 30; các câu trả lời trước đã được lưu.");
    const review = replyTo(again, "xem lại");
    const answer = (n: number) => review[review.findIndex((l) => l.startsWith(`${String(n).padStart(3)}. `)) + 1];
    expect(answer(1)).toBe("     → Không đánh giá được");
    expect(answer(2)).toBe("     → Không đồng ý");
    expect(answer(3)).toBe("     → Rất tốt");
    // The total the counter named when the respondent stopped ("câu 4/tối đa 30").
    expect(review).toContain("Đã trả lời 3/tối đa 30 câu.");
  });
});
