import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const FIXTURE = fileURLToPath(new URL("./fixtures/preview.yaml", import.meta.url));
const GOLDEN = fileURLToPath(new URL("./fixtures/preview.transcript.txt", import.meta.url));
const CLOCK = "2026-12-01T02:05:00Z";

function preview(args: readonly string[], lines: readonly string[], env: NodeJS.ProcessEnv = process.env) {
  const result = spawnSync(process.execPath, [path.join(ROOT, "bin/khaosat.js"), "preview", ...args], {
    cwd: ROOT,
    env,
    input: lines.map((l) => `${l}\n`).join(""),
    encoding: "utf8",
    timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

// One conversation through every question type: invalid answers, refused submit naming the missing
// questions and walking through the unseen optional one too, a condition hiding an answered question,
// back, a language switch, review and edit.
const SCRIPT = ["ok", "có lẽ", "3", "1", "review", "submit", "4", "1,2,3", "1 3", "6", "na", "3,5", "skip", "back", "back", "lang", "2", "review", "edit 3", "5", "100", "skip", "edit 9", "submit"];

let fullRun: ReturnType<typeof preview> | undefined;
// The child process takes a second or two to start: run the long conversation once for both tests.
const full = () => (fullRun ??= preview([FIXTURE, "--clock", CLOCK], SCRIPT));

describe("khaosat preview", () => {
  test("a full conversation prints exactly the golden transcript", () => {
    const { status, stdout, stderr } = full();
    // The preview speaks its language (the questionnaire's first, vi) from the first line, whatever KHAOSAT_LANG (en here) says.
    expect(stderr).toBe("Xem thử console-preview phiên bản 2 (vi); không lưu gì. Gõ help để xem các lệnh, quit để thoát.\n");
    expect(status).toBe(0);
    if (process.env.UPDATE_GOLDEN === "1") writeFileSync(GOLDEN, stdout);
    expect(stdout).toBe(readFileSync(GOLDEN, "utf8"));
  });

  test("key lines of the transcript", () => {
    const lines = full().stdout.split("\n");
    for (const line of [
      "Câu 1/tối đa 5",
      "Không có phương án “3”. Xin vui lòng gõ số thứ tự từ 1 đến 2.",
      "Còn 3 câu bắt buộc chưa trả lời (câu 2–4). Chuyển tới câu 2.",
      "Xin vui lòng chọn nhiều nhất 2 phương án.",
      "  na = Không đánh giá được",
      "     → 3,5",
      "Switched to English.",
      "Question 2 of 4",
      "     → 3.5",
      "There is no question 9 in the review.",
      "Thank you very much! Your survey was submitted at 09:05 on 1 December 2026. Your views help improve public administration.",
    ]) {
      expect(lines).toContain(line);
    }
  });

  test("--lang en starts in English; quit ends without storing", () => {
    // KHAOSAT_LANG unset (a Vietnamese organiser): the preview's own first and last lines are English too.
    const vietnameseOrganiser = { ...process.env };
    delete vietnameseOrganiser.KHAOSAT_LANG;
    const { status, stdout, stderr } = preview([FIXTURE, "--lang", "en"], ["yes", "quit"], vietnameseOrganiser);
    expect(stderr).toBe("Preview of console-preview v2 (en); nothing is stored. Type help for the commands, quit to leave.\n");
    expect(status).toBe(0);
    expect(stdout.split("\n")).toEqual([
      "Test form",
      "A short introduction.",
      "Type help to see the commands.",
      "",
      "Before you start, please read and confirm:",
      "I answer this form myself.",
      "  1. I confirm",
      "  2. I do not confirm",
      "Please type 1 or 2.",
      "> yes",
      "Thank you for confirming.",
      "",
      "── Part one ──",
      "Question 1 of at most 5",
      "Do you use online public services?",
      "  1. Yes",
      "  2. No",
      "Please type 1 or 2.",
      "> quit",
      "Preview ended. Answers were not stored.",
      "",
    ]);
    expect(preview([FIXTURE, "--lang", "en"], ["yes"], vietnameseOrganiser).stdout).toMatch(/\nInput ended; the session closed without submitting\.\n$/);
  });

  test("the attestation is answered as in the bots: 1 confirms, 2 declines, other text asks for 1 or 2", () => {
    expect(preview([FIXTURE, "--lang", "en"], ["x", "1", "quit"]).stdout.split("\n").slice(9, 13)).toEqual(["> x", "Please type 1 or 2.", "> 1", "Thank you for confirming."]);
    expect(preview([FIXTURE], ["2"]).stdout).toContain("> 2\nÔng/Bà đã không xác nhận nên phiếu khảo sát kết thúc tại đây.");
  });

  test("'tiếp tục' at a review with required questions missing walks to the first of them", () => {
    const out = preview([FIXTURE], ["1", "review", "tiếp tục", "quit"]).stdout;
    expect(out).toContain("Gõ tiếp tục để trả lời lần lượt các câu bắt buộc còn thiếu.\n> tiếp tục\n");
    expect(out.slice(out.indexOf("> tiếp tục"))).toMatch(/^> tiếp tục\n\nCòn \d+ câu bắt buộc chưa trả lời \(câu [^)]+\)\. Chuyển tới câu \d+\./);
  });

  test("declining the attestation ends politely; help lists the commands; end of input is reported", () => {
    expect(preview([FIXTURE], ["help", "không"]).stdout.split("\n").slice(9)).toEqual([
      "> help",
      "Các lệnh Ông/Bà có thể gõ bất cứ lúc nào (tiếng Việt có dấu hoặc không dấu, hoặc tiếng Anh):",
      "  quay lại (back): quay lại câu trước",
      "  xem lại (review): xem lại tất cả câu trả lời",
      // edit N works at any question, as in the bots.
      "  sửa <số> (edit <số>): sửa câu trả lời có số thứ tự đó, bất cứ lúc nào (câu đã trả lời)",
      "  bỏ qua (skip): bỏ qua câu không bắt buộc",
      "  gửi (submit): gửi phiếu",
      "  ngôn ngữ (lang): đổi ngôn ngữ (Tiếng Việt / English)",
      "  thoát (quit): tạm dừng; câu trả lời vẫn được lưu",
      "  trợ giúp (help): xem hướng dẫn này",
      "> không",
      "Ông/Bà đã không xác nhận nên phiếu khảo sát kết thúc tại đây. Xin trân trọng cảm ơn Ông/Bà đã dành thời gian.",
      "",
    ]);
    expect(preview([FIXTURE], ["có"]).stdout.split("\n").slice(-3)).toEqual(["", "Đã hết dữ liệu nhập; phiên làm việc kết thúc mà chưa gửi phiếu.", ""]);
  });

  test("edit N works at any question, as in the bots: the question opens, then the preview returns where it was", () => {
    const out = preview([FIXTURE], ["1", "1", "1 3", "sửa 2", "1", "sửa 1", "2", "sửa 5", "quit"]).stdout;
    const reply = (input: string, nth = 0) => {
      const block = out.split(/\n(?=> )/).filter((b) => b.startsWith(`> ${input}\n`))[nth];
      if (block === undefined) throw new Error(`no reply to ${input}`);
      return block.split("\n").slice(1).filter((l) => l !== "");
    };
    // Was "Xin gõ xem lại để xem danh sách câu hỏi, rồi gõ sửa kèm số thứ tự câu cần sửa.": only from the review.
    expect(out).not.toContain("Xin gõ xem lại để xem danh sách câu hỏi");
    expect(reply("sửa 2").slice(0, 4)).toEqual(["Sửa câu 2: trả lời xong, Ông/Bà sẽ quay lại câu 3.", "── Phần một ──", "Câu 2/5", "Ông/Bà dùng những dịch vụ nào?"]);
    expect(reply("sửa 2")).toContain("Câu trả lời hiện tại: Hộ tịch; Kinh doanh");
    // Answered: back at question 3, not at the review.
    expect(reply("1", 2).slice(0, 3)).toEqual(["── Phần hai ──", "Câu 3/5", "Mức độ hài lòng của Ông/Bà?"]);
    expect(reply("1", 2)).not.toContain("Xem lại các câu trả lời");
    // "No" to the gate hides question 2: the question the preview was on is now number 2.
    expect(reply("sửa 1").slice(0, 3)).toEqual(["Sửa câu 1: trả lời xong, Ông/Bà sẽ quay lại câu 3.", "── Phần một ──", "Câu 1/5"]);
    expect(reply("2").slice(0, 3)).toEqual(["── Phần hai ──", "Câu 2/4", "Mức độ hài lòng của Ông/Bà?"]);
    expect(reply("sửa 5")).toEqual(["Không sửa được câu 5: Ông/Bà đang ở câu 2, nên chỉ sửa được các câu đã qua (1). Xin gõ sửa kèm một trong các số đó, ví dụ: sửa 1, hoặc trả lời tiếp câu 2."]);
  });

  test("the review mid-survey names the counter's total: 'of at most' while a condition is undecided", () => {
    const vi = preview([FIXTURE], ["1", "review", "quit"]).stdout;
    expect(vi).toContain("\nCâu 1/tối đa 5\n");
    expect(vi).toContain("\nĐã trả lời 0/tối đa 5 câu.\n");
    const en = preview([FIXTURE, "--lang", "en"], ["1", "review", "quit"]).stdout;
    expect(en).toContain("\n0 of at most 5 questions answered.\n");
  });

  test("a broken questionnaire prints its issues and exits 1", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "khaosat-preview-"));
    const file = path.join(dir, "broken.yaml");
    writeFileSync(file, readFileSync(FIXTURE, "utf8").replace("id: q3", "id: q1"));
    const { status, stdout, stderr } = preview([file], []);
    expect(status).toBe(1);
    expect(stdout).toBe("");
    const lines = stderr.trimEnd().split("\n");
    expect(lines[0]).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:\\d+:\\d+: sections\\[1\\]\\.questions\\[0\\]\\.id: `));
    expect(lines.at(-1)).toBe(`${file}: 1 error; fix it and run the preview again`);
  });

  test("a language the questionnaire lacks is refused", () => {
    const { status, stderr } = preview([FIXTURE, "--lang", "fr"], []);
    expect(status).toBe(1);
    expect(stderr).toBe("khaosat: --lang fr: this questionnaire is written in vi, en; use one of those\n");
  });
});
