// What the CLI prints for an organiser walking the README: next steps that run as printed, campaigns
// named by their name, files and ports in words, aligned tables, numbers with the reader's decimal
// mark, reminder schedules in sentences. Through the real CLI (bin/ runs dist/) on a fresh SQLite file.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { runKhaosat, type CliRun } from "../support/cli.js";
import { alignColumns, displayWidth } from "../../src/cli/table.js";

const EXAMPLES = path.resolve("examples");
const dir = mkdtempSync(path.join(tmpdir(), "khaosat-organiser-"));
const base: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: `file:${path.join(dir, "k.db")}`, CODE_SECRET: "organiser-output-secret-0123456789abcdef0123" };
for (const name of ["KHAOSAT_LANG", "BOT_USERNAME", "ZALO_BOT_LINK"]) delete base[name];
const VI = base;
const EN = { ...base, KHAOSAT_LANG: "en" };
const file = (name: string) => path.join(dir, name);

/** Runs in `dir`, where no .env is: BOT_USERNAME and ZALO_BOT_LINK are what `env` says. */
async function khaosat(env: NodeJS.ProcessEnv, ...args: string[]): Promise<CliRun> {
  return runKhaosat(env, args, dir);
}

/** The words of a suggested `khaosat …` command as a shell would split them (plain words and single quotes). */
function words(command: string): string[] {
  return [...command.matchAll(/'((?:[^']|'\\'')*)'|(\S+)/g)].map((m) => (m[1] !== undefined ? m[1].replaceAll("'\\''", "'") : m[2]!));
}

describe("display width", () => {
  test("Vietnamese letters are one column whether precomposed or with combining marks; wide characters two", () => {
    expect(displayWidth("trạng thái")).toBe(10);
    expect(displayWidth("trạng thái".normalize("NFD"))).toBe(10);
    expect(displayWidth("đã đóng")).toBe(7);
    expect(displayWidth("漢字")).toBe(4);
    expect(alignColumns([["mã", "trạng thái", "tên"], ["c-1", "đang mở", "Sở Tư pháp"]])).toEqual(["mã   trạng thái  tên", "c-1  đang mở     Sở Tư pháp"]);
  });
});

// Every test spawns the CLI several times: a generous timeout for a loaded machine.
describe("khaosat output for organisers", { timeout: 180_000 }, () => {
  let par = "";
  let citizens = "";

  test("campaign create: a citizens' campaign's next step is codes batch / codes poster, with --bot only when nothing configures the bot", async () => {
    const vi = await khaosat(VI, "campaign", "create", "--questionnaire", `${EXAMPLES}/sipas-citizens.yaml`, "--name", "SIPAS 2026 – Hòa Bình", "--opens", "2026-01-01", "--closes", "2099-12-20");
    expect(vi.code).toBe(0);
    citizens = vi.stdout.trim();
    expect(vi.stderr).toContain("Đây là khảo sát người dân nên không có danh sách người trả lời.");
    expect(vi.stderr).toContain(
      `Bước tiếp theo: in mã cho bộ phận một cửa của từng đơn vị bằng khaosat codes batch --campaign ${citizens} --unit MÃ_ĐƠN_VỊ --unit-name "Tên đơn vị" --count 500 --bot TÊN_BOT --out phieu.pdf, hoặc in áp phích mã QR bằng khaosat codes poster --campaign ${citizens} --unit MÃ_ĐƠN_VỊ --unit-name "Tên đơn vị" --bot TÊN_BOT --out poster.pdf`,
    );
    expect(vi.stderr).not.toContain("respondents import");
    const withBot = await khaosat({ ...EN, BOT_USERNAME: "khaosat_bot" }, "campaign", "create", "--questionnaire", `${EXAMPLES}/sipas-citizens.yaml`, "--name", "x", "--opens", "2026-01-01", "--closes", "2099-12-20");
    expect(withBot.stderr).toContain(`Next: print codes for each unit's one-stop desk with khaosat codes batch --campaign ${withBot.stdout.trim()} --unit UNIT_CODE --unit-name "Unit name" --count 500 --out slips.pdf, or`);
    expect(withBot.stderr).not.toContain("--bot");
    // An officials' campaign still says to import its respondents.
    const officials = await khaosat(VI, "campaign", "create", "--questionnaire", `${EXAMPLES}/par-officials.yaml`, "--name", "Chỉ số CCHC 2026", "--opens", "2026-01-01T08:00", "--closes", "2099-12-31", "--reminders", "7d,3d,1d@09:00");
    par = officials.stdout.trim();
    expect(officials.stderr).toContain("Bước tiếp theo: nhập danh sách người trả lời bằng khaosat respondents import");
  });

  test("campaign list: a header row and columns aligned by display width, whatever the state words' lengths", async () => {
    // One not open yet: "chưa mở" beside "đang mở".
    await khaosat(VI, "campaign", "create", "--questionnaire", `${EXAMPLES}/business.yaml`, "--name", "Doanh nghiệp", "--opens", "2099-01-01", "--closes", "2099-02-01");
    const lines = (await khaosat(VI, "campaign", "list")).stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^mã +trạng thái +thời gian +bộ câu hỏi +tên$/);
    expect(lines).toHaveLength(5);
    // Every column starts at the same display column on every line.
    const starts = (line: string) => [...line.matchAll(/(?:^| {2})(\S)/g)].map((m) => displayWidth(line.slice(0, m.index + m[0].length - 1)));
    const header = starts(lines[0]!);
    expect(header).toHaveLength(5);
    for (const line of lines.slice(1)) expect(starts(line).slice(0, 4)).toEqual(header.slice(0, 4));
    expect(lines.find((l) => l.startsWith(par))).toMatch(/ {2}Chỉ số CCHC 2026$/);
    expect(lines.some((l) => / chưa mở /.test(l))).toBe(true);
    const en = (await khaosat(EN, "campaign", "list")).stdout.split("\n");
    expect(en[0]).toMatch(/^id +state +period +questionnaire +name$/);
  });

  test("respondents import and codes issue name the campaign; revoke suggests a reissue that runs as printed", async () => {
    const csv = file("respondents.csv");
    writeFileSync(csv, "external_id,full_name,unit,unit_name,group,language\nCC-TP-01,Nguyễn Văn An,SO_TP,Sở Tư pháp,leaders,vi\nCC TP 02,Trần Thị Bình,SO_NV,Sở Nội vụ,officials,vi\n");
    const imported = await khaosat(VI, "respondents", "import", "--campaign", par, csv);
    expect(imported.stdout.split("\n")[0]).toBe(`Đã nhập 2 người trả lời vào đợt khảo sát "Chỉ số CCHC 2026" (${par}, 2 đơn vị): 2 mới, 0 cập nhật, 0 không đổi`);
    expect(imported.stdout.split("\n")[1]).toMatch(new RegExp(`^Bước tiếp theo: cấp mã cho người trả lời bằng khaosat codes issue --campaign ${par} --out ma\\.pdf --bot TÊN_BOT `));
    const issued = await khaosat(VI, "codes", "issue", "--campaign", par, "--out", file("codes.csv"), "--bot", "khaosat_bot");
    expect(issued.stdout.split("\n")[0]).toBe(`đã cấp 2 mã cho đợt khảo sát "Chỉ số CCHC 2026" (${par})`);

    // Nothing configures the bot: the suggestion carries --bot and says what to put there.
    const revoked = await khaosat(VI, "codes", "revoke", "--campaign", par, "--respondent", "CC-TP-01");
    expect(revoked.stdout).toBe(
      `đã thu hồi mã của Nguyễn Văn An (CC-TP-01) trong đợt khảo sát "Chỉ số CCHC 2026" (${par}); để cấp mã mới, hãy chạy: khaosat codes reissue --respondent CC-TP-01 --campaign ${par} --out ma-moi-CC-TP-01.pdf --bot TÊN_BOT (TÊN_BOT là tên bot Telegram của bạn, ví dụ khaosat_bot; đặt BOT_USERNAME hoặc ZALO_BOT_LINK trong tệp .env thì không cần --bot)\n`,
    );
    // With the bot configured (Zalo here), the suggestion is the whole command: run it word for word.
    const zalo = { ...VI, ZALO_BOT_LINK: "https://zalo.me/123456789" };
    const again = await khaosat(zalo, "codes", "revoke", "--campaign", par, "--respondent", "CC TP 02");
    const command = /hãy chạy: khaosat (.*)\n$/.exec(again.stdout)?.[1];
    expect(command).toBe(`codes reissue --respondent 'CC TP 02' --campaign ${par} --out ma-moi-CC-TP-02.pdf`);
    const reissued = await khaosat(zalo, ...words(command!));
    expect(reissued).toMatchObject({ code: 0, stderr: "" });
    expect(reissued.stdout).toBe(`đã cấp mã mới cho Trần Thị Bình (CC TP 02) trong đợt khảo sát "Chỉ số CCHC 2026" (${par}) (mã cũ, nếu có, đã bị thu hồi); đã ghi ma-moi-CC-TP-02.pdf (pdf)\n`);
    expect(readFileSync(file("ma-moi-CC-TP-02.pdf")).subarray(0, 5).toString()).toBe("%PDF-");
    // That file now exists: the next suggestion picks a free name.
    const third = await khaosat(zalo, "codes", "revoke", "--campaign", par, "--respondent", "CC TP 02");
    expect(third.stdout).toContain("--out ma-moi-CC-TP-02-2.pdf\n");
  });

  test("codes batch and codes poster say what was made, for which unit and campaign, and where; no internal ids", async () => {
    const batch = await khaosat(VI, "codes", "batch", "--campaign", citizens, "--unit", "UBND_XA_A", "--unit-name", "UBND xã A", "--count", "3", "--service", "Đăng ký kết hôn", "--format", "receipt", "--bot", "khaosat_bot", "--out", file("phieu.pdf"));
    expect(batch).toEqual({
      code: 0,
      stdout:
        `đã cấp 3 mã ẩn danh, mỗi mã dùng được một lần, cho UBND xã A (UBND_XA_A), thủ tục "Đăng ký kết hôn" trong đợt khảo sát "SIPAS 2026 – Hòa Bình" (${citizens})\n` +
        `đã ghi ${file("phieu.pdf")} (phiếu cho máy in hóa đơn khổ 80 mm, mỗi trang một phiếu): đây là bản duy nhất của các mã này; hãy cất giữ an toàn cho đến khi phát hết phiếu\n`,
      stderr: "",
    });
    const poster = await khaosat(EN, "codes", "poster", "--campaign", citizens, "--unit", "UBND_XA_A", "--bot", "khaosat_bot", "--out", file("poster.pdf"));
    expect(poster.stdout).toBe(
      `made a QR poster for UBND xã A (UBND_XA_A) in campaign "SIPAS 2026 – Hòa Bình" (${citizens}); one response per Telegram account per 30 days\nwrote ${file("poster.pdf")}: print it and put it up at the unit's counter\n`,
    );
  });

  test("file and permission errors in words, with the file's name", async () => {
    expect(await khaosat(VI, "broadcast", "--campaign", par, "--audience", "all", "--text", "message.txt")).toEqual({ code: 1, stdout: "", stderr: "khaosat: không tìm thấy tệp message.txt; hãy kiểm tra tên và đường dẫn\n" });
    expect((await khaosat(EN, "broadcast", "--campaign", par, "--audience", "all", "--text", "message.txt")).stderr).toBe("khaosat: cannot find the file message.txt; check its name and folder\n");
    // Any command's --out into a folder that does not exist: the common handler in src/cli/main.ts.
    const out = path.join(dir, "no-such-folder", "participation.csv");
    expect(await khaosat(VI, "participation", "--campaign", par, "--out", out)).toEqual({
      code: 1,
      stdout: "",
      stderr: `khaosat: không tìm thấy thư mục ${path.dirname(out)} (nơi ghi ${out}); hãy tạo thư mục trước hoặc chọn thư mục khác\n`,
    });
    expect((await khaosat(VI, "broadcast", "--campaign", par, "--audience", "all", "--text", dir)).stderr).toBe(`khaosat: ${dir} là một thư mục, không phải tệp\n`);
    // An input file: the respondents list.
    expect((await khaosat(VI, "respondents", "import", "--campaign", par, "danh-sach.csv")).stderr).toBe("khaosat: không tìm thấy tệp danh-sach.csv; hãy kiểm tra tên và đường dẫn\n");
  });

  test("rates and decimals with the reader's decimal mark: participation table, HTML report; the CSV stays machine-readable", async () => {
    const vi = (await khaosat(VI, "participation", "--campaign", par)).stdout;
    expect(vi).toMatch(/\nTỔNG +2 +0 +0 +0 +0 +0,0%/);
    expect(vi).not.toContain("0.0%");
    expect((await khaosat(EN, "participation", "--campaign", par)).stdout).toMatch(/\nTOTAL +2 +0 +0 +0 +0 +0\.0%/);
    expect((await khaosat(VI, "participation", "--campaign", par, "--format", "csv")).stdout).toMatch(/\nTOTAL,,,2,0,0,0,0,0,/);
    await khaosat(VI, "report", "--campaign", par, "--out", file("report.html"));
    const html = readFileSync(file("report.html"), "utf8");
    expect(html).toContain("0,0%");
    expect(html).not.toMatch(/\d\.\d%/);
  });

  test("score: the table gives reasons in words only; an appraisal over the maximum in words with a decimal comma", async () => {
    const q = file("q.yaml");
    writeFileSync(q, readFileSync(path.resolve("test/fixtures/scoring/points-appraisal/questionnaire.yaml"), "utf8").replace("appraisalMax: 6", "appraisalMax: 68.5"));
    const responses = path.resolve("test/fixtures/scoring/points-appraisal/responses.csv");
    const table = await khaosat(VI, "score", "--questionnaire", q, "--responses", responses, "--format", "table", "--lang", "vi");
    expect(table.stdout).toContain("Chưa có điểm thẩm định (");
    expect(table.stdout).not.toMatch(/missing_appraisal|insufficient_responses/);
    expect(table.stderr).toBe("cảnh báo: bộ câu hỏi có điểm thẩm định (tối đa 68,5) nhưng chưa có tệp --appraisal nên không đơn vị nào được xếp hạng (lý do: chưa có điểm thẩm định). Hãy thêm --appraisal TỆP\n");
    expect((await khaosat(VI, "score", "--questionnaire", q, "--responses", responses, "--format", "csv")).stdout).toContain("missing_appraisal");
    const appraisal = file("appraisal.csv");
    writeFileSync(appraisal, "unit,points\nSO_CT,70\n");
    const over = await khaosat(VI, "score", "--questionnaire", q, "--responses", responses, "--appraisal", appraisal, "--lang", "vi");
    expect(over.stderr).toContain(`${appraisal}:2: điểm 70 vượt điểm thẩm định tối đa 68,5`);
    expect(over.stderr).not.toContain("appraisalMax");
  });

  test("campaign show and campaign reminders: the schedule as a sentence and the reminders' dates, as the console says them", async () => {
    const show = (await khaosat(VI, "campaign", "show", par)).stdout;
    expect(show).toMatch(/\nlịch nhắc +7 ngày trước hạn, lúc 09:00; 3 ngày trước hạn, lúc 09:00; 1 ngày trước hạn, lúc 09:00 \(7d,3d,1d@09:00\)\n/);
    expect(show).toMatch(/\nnhắc lúc +25\/12\/2099 09:00, 29\/12\/2099 09:00, 31\/12\/2099 09:00\n/);
    const reminders = await khaosat(VI, "campaign", "reminders", par);
    expect(reminders.stdout).toBe(
      `đợt khảo sát "Chỉ số CCHC 2026" (${par}): lịch nhắc 7 ngày trước hạn, lúc 09:00; 3 ngày trước hạn, lúc 09:00; 1 ngày trước hạn, lúc 09:00 (7d,3d,1d@09:00, múi giờ Asia/Ho_Chi_Minh)\n` +
        "  các lần nhắc theo lịch:\n" +
        "    25/12/2099 09:00  7 ngày trước hạn, lúc 09:00  lần tới\n" +
        "    29/12/2099 09:00  3 ngày trước hạn, lúc 09:00  sau\n" +
        "    31/12/2099 09:00  1 ngày trước hạn, lúc 09:00  sau\n" +
        "  chưa gửi lời nhắc nào\n",
    );
    // No schedule: said, with how to set one.
    expect((await khaosat(EN, "campaign", "show", citizens)).stdout).toContain(`\nreminders      off (set with khaosat campaign reminders ${citizens} 7d,3d,1d@09:00)\n`);
    expect((await khaosat(EN, "campaign", "reminders", citizens)).stdout).toBe(
      `campaign "SIPAS 2026 – Hòa Bình" (${citizens}): no reminder schedule; set one with khaosat campaign reminders ${citizens} 7d,3d,1d@09:00\n  no reminder sent yet\n`,
    );
  });
});
