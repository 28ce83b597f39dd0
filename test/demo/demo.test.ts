import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { ENV_VARIABLES } from "../../src/config/index.js";
import { countBySection } from "../../src/demo/index.js";
import { loadQuestionnaireFile, parseQuestionnaire, type Questionnaire } from "../../src/questionnaire/index.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const FIXTURE = fileURLToPath(new URL("../channels/console/fixtures/preview.yaml", import.meta.url));
const CLOCK = "2026-12-01T02:05:00Z";

function startProcess(lines: readonly string[], env: Record<string, string> = {}, args: readonly string[] = [], options: { cwd?: string; clock?: string } = {}) {
  const clean: Record<string, string | undefined> = { ...process.env };
  for (const name of ENV_VARIABLES) delete clean[name];
  // A temporary working directory: no developer's .env can leak into the test.
  const cwd = options.cwd ?? mkdtempSync(path.join(tmpdir(), "khaosat-start-"));
  const result = spawnSync(process.execPath, [path.join(ROOT, "bin/khaosat.js"), "start", "--clock", options.clock ?? CLOCK, ...args], {
    cwd,
    // WEB_PORT=0: the demo's web console listens on a free port, never on a developer's 3000.
    env: { ...clean, WEB_PORT: "0", ...env },
    input: lines.map((l) => `${l}\n`).join(""),
    encoding: "utf8",
    timeout: 120_000,
  });
  // The web console's line (🌐 ...: address and fresh password, or why not) is checked in web-console.test.ts.
  const all = result.stdout.split("\n");
  const web = all.filter((l) => l.startsWith("🌐 "));
  return { status: result.status, stdout: all.filter((l) => !l.startsWith("🌐 ")).join("\n"), stderr: result.stderr, web };
}

function fixture(): Questionnaire {
  const result = parseQuestionnaire(readFileSync(FIXTURE), FIXTURE);
  if (!result.ok) throw new Error("fixture does not load");
  return result.questionnaire;
}

describe("npm start without a token: the console demo", { timeout: 120_000 }, () => {
  test("a full run of the sample officials' questionnaire, from the code to the summary", async () => {
    // Answer "1" to every question (valid for every type in the sample), then submit from the review.
    const { status, stdout, stderr, web } = startProcess(["ABCDE-FGHJK", "cchc5 dem26", "có", "có", ...Array<string>(29).fill("1"), "xem lại", "gửi"]);
    expect(stderr).toBe("");
    // The web console's one line (address and demo login; exercised over HTTP in test/web/demo-console.test.ts).
    expect(web).toEqual([expect.stringMatching(/^🌐 .*http:\/\/127\.0\.0\.1:\d+ .*demo@khaosat\.local/)]);
    expect(status).toBe(0);
    const lines = stdout.split("\n");
    expect(lines.slice(0, 17)).toEqual([
      "Chưa đặt TELEGRAM_BOT_TOKEN hay ZALO_BOT_TOKEN nên bản chạy thử trong cửa sổ dòng lệnh khởi động: nó cho thấy đúng những gì bot nói (muốn chạy bot thật, hãy ghi TELEGRAM_BOT_TOKEN=<token từ @BotFather> và/hoặc ZALO_BOT_TOKEN=<token từ Zalo Bot Creator> vào tệp .env rồi chạy lại npm start).",
      "Chào mừng Ông/Bà đến với bản chạy thử khaosat-bot: khảo sát cải cách hành chính ngay trong cửa sổ dòng lệnh.",
      "Mã khảo sát dùng thử: CCHC5-DEM26",
      "",
      "Xin Ông/Bà gửi mã khảo sát (in trên giấy mời, dạng ABCDE-FGHJK). Gõ trợ giúp để xem hướng dẫn, hoặc ngôn ngữ (lang) để đọc bằng tiếng Anh.",
      "> ABCDE-FGHJK",
      "Không tìm thấy mã này. Xin Ông/Bà vui lòng kiểm tra lại (còn 4 lần thử).",
      "",
      "> cchc5 dem26",
      "Mã hợp lệ. Xin chào Ông/Bà!",
      "",
      expect.stringMatching(/^🔒 .*Tài khoản Zalo\/Telegram được lưu cùng phiếu/),
      "",
      "Theo danh sách khảo sát, mã này được cấp cho: Nguyễn Văn An, Sở Tư pháp. Ông/Bà có đúng là người này không?",
      "  1. Đúng, tôi là người này",
      "  2. Không phải tôi",
      "Xin gõ 1 hoặc 2.",
    ]);
    expect(lines).toContain("Tôi xác nhận là người được mời tham gia khảo sát và tự mình trả lời phiếu này theo nhận định của bản thân, không nhờ cấp phó, trợ lý hay người khác trả lời thay.");

    // The summary names every section of the sample, in order, every shown question answered.
    const loaded = await loadQuestionnaireFile(path.join(ROOT, "examples/par-officials.yaml"));
    if (!loaded.ok) throw new Error("examples/par-officials.yaml does not load");
    const sections = loaded.questionnaire.definition.sections.map((s) => s.title.vi!);
    const start = lines.indexOf("Tóm tắt phiếu đã gửi:");
    expect(start).toBeGreaterThan(0);
    const summary = lines.slice(start + 1, start + 1 + sections.length);
    expect(summary.map((l) => l.replace(/: đã trả lời \d+\/\d+ câu$/, "").trim())).toEqual(sections);
    for (const line of summary) {
      const [, answered, shown] = /(\d+)\/(\d+) câu$/.exec(line)!;
      expect(Number(answered)).toBe(Number(shown));
    }
    expect(lines.slice(start + 1 + sections.length)).toEqual([
      expect.stringMatching(/^Tổng cộng: đã trả lời (\d+)\/\1 câu\.$/),
      "Thời điểm gửi: 09:05 ngày 01/12/2026.",
      "",
      "Bản chạy thử kết thúc.",
      expect.stringMatching(/^Câu trả lời đã được lưu vào cơ sở dữ liệu \(chiến dịch demo\)\. Xem tình hình tham gia bằng: npx khaosat participation --campaign demo\./),
      "",
    ]);
    expect(lines).toContain("Xin trân trọng cảm ơn Ông/Bà! Phiếu khảo sát đã được gửi lúc 09:05 ngày 01/12/2026. Ý kiến của Ông/Bà giúp nâng cao chất lượng cải cách hành chính.");
  });

  test("quit at the code prompt ends the demo politely, without greeting again; the demo campaign closes a month on", () => {
    const { status, stdout } = startProcess(["thoát"]);
    expect(status).toBe(0);
    const lines = stdout.split("\n");
    const at = lines.indexOf("> thoát");
    expect(at).toBeGreaterThan(0);
    expect(lines.slice(at + 1).filter((l) => l !== "")).toEqual(["Tạm biệt! Khi có mã khảo sát, Ông/Bà chỉ cần gửi mã để bắt đầu."]);
    expect(lines.filter((l) => l.startsWith("Xin Ông/Bà gửi mã khảo sát"))).toHaveLength(1);
    // A quit mid-survey names the close date: 30 days after the clock, at 17:00 Vietnam time.
    const paused = startProcess(["CCHC5-DEM26", "1", "1", "thoát"]).stdout;
    expect(paused).toMatch(/Đã tạm dừng\..*đến 17:00 ngày 31\/12\/2026/);
  });

  test("the demo never traps its user: the lock says how to get out, and a restarted demo forgets the wrong codes", () => {
    const cwd = mkdtempSync(path.join(tmpdir(), "khaosat-lock-"));
    const first = startProcess([...Array<string>(6).fill("ABCDE-FGHJK"), "CCHC5-DEM26"], {}, [], { cwd });
    const lock = first.stdout.split("\n").filter((l) => l.startsWith("Ông/Bà đã nhập sai mã quá nhiều lần") || l.includes("quá nhiều"));
    expect(lock.length).toBeGreaterThan(0);
    expect(lock.at(-1)).toContain("chạy lại npm start");
    expect(first.stdout).not.toContain("Mã hợp lệ");
    const second = startProcess(["CCHC5-DEM26"], {}, [], { cwd, clock: "2026-12-01T02:06:00Z" });
    expect(second.stdout).toContain("Mã hợp lệ. Xin chào Ông/Bà!");
  });

  test("with a token set it starts the bot, and exits 1 naming the API root when the Bot API cannot be reached", () => {
    // Port 9 on loopback refuses connections: no real network is touched.
    const { status, stdout, stderr } = startProcess([], { TELEGRAM_BOT_TOKEN: "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw", TELEGRAM_API_ROOT: "http://127.0.0.1:9" });
    expect(status).toBe(1);
    expect(stdout).toBe("");
    expect(stderr.split("\n").filter((l) => l.startsWith("khaosat:"))).toEqual([
      "khaosat: cannot reach the Telegram Bot API at http://127.0.0.1:9 (3 attempts): check the network, or TELEGRAM_API_ROOT if you run your own Bot API server",
    ]);
    expect(stderr).not.toContain("AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw");
    // Nothing is served before the bot's token is accepted: no console address printed, then a refusal.
    expect(stderr).not.toContain("web console:");
  });

  test("a bad configuration stops start-up naming every variable, without the secret", () => {
    const { status, stdout, stderr } = startProcess([], { TELEGRAM_BOT_TOKEN: "oops-secret", PORT: "eighty" });
    expect(status).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toBe(
      [
        "khaosat: invalid configuration (2 problems); set these environment variables or put them in .env:",
        "  TELEGRAM_BOT_TOKEN: expected the token @BotFather gave you, like 123456789:AAH…; leave it unset to run the console demo",
        "  PORT: expected a port number between 1 and 65535, e.g. 8080",
        "",
      ].join("\n"),
    );
  });
});

describe("countBySection", () => {
  test("hidden questions are not counted as shown", () => {
    const q = fixture();
    const response = { unit: "X", startedAt: CLOCK, answers: { q1: { value: "no", answeredAt: CLOCK, changeCount: 0 }, q3: { value: 4, answeredAt: CLOCK, changeCount: 0 } } };
    expect(countBySection(q, response)).toEqual([
      { sectionId: "s1", answered: 1, shown: 1 },
      { sectionId: "s2", answered: 1, shown: 3 },
    ]);
  });
});
