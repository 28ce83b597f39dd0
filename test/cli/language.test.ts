// The organiser's language: with KHAOSAT_LANG unset the CLI says everything in Vietnamese, with
// KHAOSAT_LANG=en in English (every other test runs with en: vitest.config.ts); the files it writes
// (CSV, JSON) are byte for byte the same in both. Through the real CLI on a fresh SQLite file.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { runKhaosat, type CliRun } from "../support/cli.js";

const FIXTURE = "test/fixtures/scoring/points-appraisal";
const dir = mkdtempSync(path.join(tmpdir(), "khaosat-lang-"));
const base: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: `file:${path.join(dir, "k.db")}`, CODE_SECRET: "language-test-secret-0123456789abcdef0123" };
delete base.KHAOSAT_LANG;
const VI = base;
const EN = { ...base, KHAOSAT_LANG: "en" };
const file = (name: string) => path.join(dir, name);

async function khaosat(env: NodeJS.ProcessEnv, ...args: string[]): Promise<CliRun> {
  return runKhaosat(env, args);
}

// Every test spawns the CLI a few times: a generous timeout for a loaded machine.
describe("khaosat in the organiser's language", { timeout: 120_000 }, () => {
  let par = "";
  let scored = "";

  test("an unusable KHAOSAT_LANG is refused in both languages before anything runs", async () => {
    const run = await khaosat({ ...base, KHAOSAT_LANG: "fr" }, "campaign", "list");
    expect(run).toEqual({ code: 2, stdout: "", stderr: 'khaosat: KHAOSAT_LANG="fr": hãy đặt vi (tiếng Việt, mặc định) hoặc en / use vi (Vietnamese, the default) or en\n' });
  });

  test("khaosat --help documents KHAOSAT_LANG, in its language", async () => {
    const help = await khaosat(VI, "--help");
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("\nBiến môi trường:\n  KHAOSAT_LANG=vi|en  ngôn ngữ của phần trợ giúp này và của các thông báo do lệnh in ra\n                      (mặc định vi: tiếng Việt)");
    const english = await khaosat(EN, "--help");
    expect(english.stdout).toContain("\nEnvironment:\n  KHAOSAT_LANG=vi|en  language of this help and of the messages the commands print (default vi:\n                      Vietnamese)");
  });

  test("campaign create and list: Vietnamese by default, English with KHAOSAT_LANG=en; the id on standard output either way", async () => {
    const vi = await khaosat(VI, "campaign", "create", "--questionnaire", "examples/par-officials.yaml", "--name", "PAR 2026", "--opens", "2026-01-01T08:00", "--closes", "2099-12-31", "--reminders", "3d,1d@09:00");
    expect(vi.code).toBe(0);
    par = vi.stdout.trim();
    expect(par).toMatch(/^c-[a-z2-9]{8}$/);
    expect(vi.stderr).toMatch(
      /^đã tạo đợt khảo sát "PAR 2026": bộ câu hỏi par-officials phiên bản \d+ \(đã lưu\), mở từ 01\/01\/2026 08:00 đến hết ngày 31\/12\/2099 \(Asia\/Ho_Chi_Minh\), lịch nhắc 3d,1d@09:00\. Bước tiếp theo: nhập danh sách người trả lời bằng khaosat respondents import --campaign ID TỆP \(ID in ở dòng dưới\)\n$/,
    );
    const en = await khaosat(EN, "campaign", "create", "--questionnaire", `${FIXTURE}/questionnaire.yaml`, "--name", "fixture", "--opens", "2026-01-01", "--closes", "2099-12-31");
    scored = en.stdout.trim();
    expect(en.stderr).toMatch(/^created campaign "fixture": questionnaire \S+ v\d+ \(stored\), open 01\/01\/2026 00:00 until the end of 31\/12\/2099 \(Asia\/Ho_Chi_Minh\)\n$/);
    // The campaign service's refusals are keyed (problems:campaign.*): said in Vietnamese too, nothing stored.
    expect(await khaosat(VI, "campaign", "create", "--questionnaire", "examples/par-officials.yaml", "--name", "x", "--opens", "2026-12-10", "--closes", "2026-12-01")).toEqual({
      code: 1,
      stdout: "",
      stderr: "khaosat: --closes (02/12/2026 00:00) phải sau --opens (10/12/2026 00:00); hãy sửa lại thời gian\n",
    });
    expect((await khaosat(EN, "campaign", "create", "--questionnaire", "examples/missing.yaml", "--name", "x", "--opens", "2026-12-01", "--closes", "2026-12-31")).stderr).toBe(
      "khaosat: cannot read the questionnaire examples/missing.yaml: no such file\n",
    );
    // A header row, and columns aligned by what the terminal shows ("trạng thái" is the widest of its column).
    const list = (await khaosat(VI, "campaign", "list")).stdout.split("\n");
    expect(list[0]).toMatch(/^mã {10}trạng thái {2}thời gian {33}bộ câu hỏi {2,}tên$/);
    expect(list).toContainEqual(expect.stringMatching(new RegExp(`^${par}  đang mở {5}01/01/2026 08:00 đến hết ngày 31/12/2099  par-officials v\\d+ +PAR 2026$`)));
  });

  test("campaign create with a broken questionnaire: every problem in the organiser's language, at the same places", async () => {
    const broken = "test/fixtures/questionnaires/broken.yaml";
    const args = ["campaign", "create", "--questionnaire", broken, "--name", "x", "--opens", "2026-12-01", "--closes", "2026-12-31"];
    const vi = await khaosat(VI, ...args);
    expect(vi.code).toBe(1);
    expect(vi.stdout).toBe("");
    const viLines = vi.stderr.trimEnd().split("\n");
    expect(viLines[0]).toBe("khaosat: bộ câu hỏi có lỗi (hãy sửa rồi thử lại; kiểm tra bằng khaosat questionnaire validate):");
    expect(viLines[1]).toBe(`  ${broken}:2:5: id: mã bộ câu hỏi chỉ gồm a-z, 0-9 và -`);
    expect(viLines).toContain(`  ${broken}:24:9: sections[0].questions[0].requird: khóa "requird" không được nhận biết: có phải ý bạn là "required"?`);
    expect(viLines).toHaveLength(1 + 18);
    const en = await khaosat(EN, ...args);
    const enLines = en.stderr.trimEnd().split("\n");
    expect(enLines[0]).toBe("khaosat: the questionnaire is invalid:");
    expect(enLines[1]).toBe(`  ${broken}:2:5: id: the questionnaire id uses only a-z, 0-9 and -`);
    expect(enLines).toContain(`  ${broken}:24:9: sections[0].questions[0].requird: unknown key "requird": did you mean "required"?`);
    // The same problems at the same places, line for line.
    expect(enLines.map((l) => l.split(": ")[0])).toEqual(viLines.map((l) => l.split(": ")[0]));
  });

  test("respondents import: counts and every row's problem in the organiser's language", async () => {
    const good = file("respondents.csv");
    writeFileSync(good, "external_id,full_name,unit,unit_name,group,language\nE1,Nguyễn Văn An,SO_TP,Sở Tư pháp,leaders,vi\nE2,Trần Thị Bình,SO_TP,Sở Tư pháp,officials,vi\n");
    expect(await khaosat(VI, "respondents", "import", "--campaign", par, good)).toEqual({
      code: 0,
      stdout:
        `Đã nhập 2 người trả lời vào đợt khảo sát "PAR 2026" (${par}, 1 đơn vị): 2 mới, 0 cập nhật, 0 không đổi\n` +
        `Bước tiếp theo: cấp mã cho người trả lời bằng khaosat codes issue --campaign ${par} --out ma.pdf --bot TÊN_BOT (tệp .pdf để in phiếu, .csv hoặc .xlsx để trộn thư) (TÊN_BOT là tên bot Telegram của bạn, ví dụ khaosat_bot; đặt BOT_USERNAME hoặc ZALO_BOT_LINK trong tệp .env thì không cần --bot)\n`,
      stderr: "",
    });
    // Nothing new: no next step; with BOT_USERNAME the suggestion needs no --bot.
    expect(await khaosat(EN, "respondents", "import", "--campaign", par, good)).toEqual({ code: 0, stdout: `imported 2 respondents into campaign "PAR 2026" (${par}, 1 unit): 0 created, 0 updated, 2 unchanged\n`, stderr: "" });

    const bad = file("bad.csv");
    writeFileSync(bad, "external_id,full_name,unit,unit_name,group,language\nE3,,SO_TP,Sở Tư pháp,leaders,vi\nE4,Dũng,SO_TP,Sở Tư pháp,boss,vi\n");
    expect(await khaosat(VI, "respondents", "import", "--campaign", par, bad)).toEqual({
      code: 1,
      stdout: "",
      stderr:
        `khaosat: 2 dòng có lỗi nên chưa nhập gì:\n  ${bad}:2: cột full_name đang trống\n  ${bad}:3: nhóm "boss" không có trong phiếu (các nhóm của phiếu: leaders, officials, deputies)\n` +
        "Vui lòng sửa các dòng này rồi nhập lại, hoặc thêm --skip-invalid để nhập các dòng còn lại\n",
    });
    expect((await khaosat(EN, "respondents", "import", "--campaign", par, bad)).stderr).toBe(
      `khaosat: 2 rows with problems, nothing imported:\n  ${bad}:2: full_name is empty\n  ${bad}:3: unknown group "boss" (the questionnaire's groups: leaders, officials, deputies)\n` +
        "fix them and import again, or use --skip-invalid to import the other rows\n",
    );
    // An unknown campaign names the database in both languages.
    expect((await khaosat(VI, "respondents", "import", "--campaign", "c-nope", good)).stderr).toMatch(/^khaosat: không có đợt khảo sát "c-nope" trong SQLite .*k\.db; lệnh "khaosat campaign list" liệt kê các đợt khảo sát hiện có\n$/);
  });

  test("codes issue: the summary and the --out checks in the organiser's language", async () => {
    const out = file("codes.csv");
    const vi = await khaosat(VI, "codes", "issue", "--campaign", par, "--out", out, "--bot", "khaosat_bot");
    expect(vi).toEqual({
      code: 0,
      stdout: `đã cấp 2 mã cho đợt khảo sát "PAR 2026" (${par})\nđã ghi ${out} (csv): đây là bản duy nhất của các mã này; hãy cất giữ an toàn và xóa tệp sau khi đã phát phiếu\n`,
      stderr: "",
    });
    expect(readFileSync(out, "utf8").split("\n")[0]).toContain("external_id");
    const again = await khaosat(EN, "codes", "issue", "--campaign", par, "--out", file("again.csv"), "--bot", "khaosat_bot");
    expect(again.stdout).toBe(`every respondent of campaign "${par}" already holds an active code; nothing issued, ${file("again.csv")} not written\n`);
    expect((await khaosat(VI, "codes", "issue", "--campaign", par, "--out", file("codes.txt"), "--bot", "khaosat_bot")).stderr).toBe(
      `khaosat: --out: không xác định được định dạng của "${file("codes.txt")}": hãy dùng tên tệp kết thúc bằng .csv, .xlsx hoặc .pdf\n`,
    );
    expect((await khaosat(VI, "codes", "revoke", "--respondent", "E1", "--campaign", par)).stdout).toBe(
      `đã thu hồi mã của Nguyễn Văn An (E1) trong đợt khảo sát "PAR 2026" (${par}); để cấp mã mới, hãy chạy: khaosat codes reissue --respondent E1 --campaign ${par} --out ma-moi-E1.pdf --bot TÊN_BOT (TÊN_BOT là tên bot Telegram của bạn, ví dụ khaosat_bot; đặt BOT_USERNAME hoặc ZALO_BOT_LINK trong tệp .env thì không cần --bot)\n`,
    );
  });

  test("campaign show: labels, states and channels in the organiser's language", async () => {
    const vi = (await khaosat(VI, "campaign", "show", par)).stdout;
    expect(vi).toMatch(/^đợt khảo sát +c-/);
    expect(vi).toMatch(/\ntrạng thái +đang mở\n/);
    expect(vi).toMatch(/\n {2}chưa dùng mã +2\n/);
    expect(vi).toMatch(/\nphiếu +0 phiếu đã nộp \(mọi nguồn\)\n/);
    expect(vi).toMatch(/\n {2}nhập từ tệp +0\n$/);
    const en = (await khaosat(EN, "campaign", "show", par)).stdout;
    expect(en).toContain("\nstate          open\n");
    expect(en).toContain("\nrespondents    2\n  not redeemed 2\n");
    expect(en).toContain("\nresponses      0 submitted (every source)\n  telegram     0\n  zalo         0\n  console      0\n  import       0\n");
  });

  test("broadcast and reminders: refusals and schedules in the organiser's language", async () => {
    const text = file("message.txt");
    writeFileSync(text, "Xin vui lòng trả lời phiếu khảo sát.");
    expect((await khaosat(VI, "broadcast", "--campaign", par, "--audience", "all", "--text", text)).stderr).toBe(
      `khaosat: đợt khảo sát "${par}" có 2 người trả lời nhưng chưa ai mở bot (hoặc không liên lạc được qua chat) nên chưa có tin nào để gửi; hãy thử lại sau khi người trả lời đã dùng mã\n`,
    );
    expect((await khaosat(EN, "broadcast", "--campaign", par, "--audience", "all", "--text", text)).stderr).toBe(
      `khaosat: campaign "${par}" has 2 respondents, but none of them has opened the bot yet (or their chats are unreachable); nothing to send\n`,
    );
    // A dry run that finds nobody has answered its question: exit 0, saying why.
    expect(await khaosat(VI, "broadcast", "--campaign", par, "--audience", "all", "--text", text, "--dry-run")).toMatchObject({
      code: 0,
      stdout: `chạy thử: sẽ không ai nhận được tin nhắn này: đợt khảo sát "${par}" có 2 người trả lời, nhưng chưa ai mở bot (hoặc không còn liên lạc được qua bot). Chưa có tin nào được xếp hàng.\n`,
    });
    expect((await khaosat(VI, "broadcast", "--campaign", par, "--audience", "everyone", "--text", text)).stderr).toContain('khaosat: --audience "everyone" không hợp lệ: hãy dùng all');
    expect((await khaosat(VI, "reminders", "show", par)).stdout).toBe(
      `đợt khảo sát "PAR 2026" (${par}): lịch nhắc 3 ngày trước hạn, lúc 09:00; 1 ngày trước hạn, lúc 09:00 (3d,1d@09:00, múi giờ Asia/Ho_Chi_Minh)\n` +
        "  các lần nhắc theo lịch:\n    29/12/2099 09:00  3 ngày trước hạn, lúc 09:00  lần tới\n    31/12/2099 09:00  1 ngày trước hạn, lúc 09:00  sau\n  chưa gửi lời nhắc nào\n",
    );
    expect((await khaosat(EN, "reminders", "set", par, "off")).stdout).toBe(`campaign ${par}: reminders off\n`);
    // The schedule's own problem comes from the shared `problems` namespace, as on the web console.
    expect((await khaosat(VI, "reminders", "set", par, "3d@25:00")).stderr).toBe(
      'khaosat: lịch nhắc không hợp lệ: "25:00" không phải giờ trong ngày; giờ từ 00 đến 23, phút từ 00 đến 59\n',
    );
  });

  test("responses import and export, participation, score: the same files in both languages, the messages in each", async () => {
    const rows = readFileSync(`${FIXTURE}/responses.csv`, "utf8").trim().split("\n").length - 1;
    expect((await khaosat(VI, "responses", "import", "--campaign", scored, `${FIXTURE}/responses.csv`)).stdout).toBe(
      `${rows} mới, 0 cập nhật, 0 không đổi\nsố phiếu đã nộp: 0 → ${rows} (nhập từ tệp 0 → ${rows}); xem số phiếu theo từng kênh bằng \`khaosat participation\` hoặc \`khaosat campaign show\`\n`,
    );
    expect((await khaosat(EN, "responses", "import", "--campaign", scored, `${FIXTURE}/responses.csv`)).stdout).toBe(
      `0 created, 0 updated, ${rows} unchanged\nsubmitted responses unchanged: ${rows} (import ${rows})\n`,
    );

    const [viExport, enExport] = [file("export-vi.csv"), file("export-en.csv")];
    expect((await khaosat(VI, "responses", "export", "--campaign", scored, viExport)).stderr).toBe(
      `không xuất 1 dòng: 1 ô đơn vị/nhóm có ít hơn 2 phiếu đã nộp (minResponses), nơi một dòng có thể cho biết câu trả lời của một người cụ thể\nđã ghi ${rows - 1} phiếu vào ${viExport}\n`,
    );
    expect((await khaosat(EN, "responses", "export", "--campaign", scored, enExport)).stderr).toBe(
      `1 row withheld: 1 unit/group cell with fewer than 2 submitted responses (minResponses), where a row could be one identifiable person's answers\nwrote ${rows - 1} responses to ${enExport}\n`,
    );
    expect(readFileSync(viExport, "utf8").startsWith("\uFEFFresponse_id,subject_unit,group,started_at,submitted_at,channel,")).toBe(true);
    expect(readFileSync(viExport)).toEqual(readFileSync(enExport));

    for (const format of ["csv", "json"]) {
      const [vi, en] = [file(`participation-vi.${format}`), file(`participation-en.${format}`)];
      expect(await khaosat(VI, "participation", "--campaign", scored, "--out", vi)).toEqual({ code: 0, stdout: "", stderr: `đã ghi ${vi}\n` });
      expect(await khaosat(EN, "participation", "--campaign", scored, "--out", en)).toEqual({ code: 0, stdout: "", stderr: `wrote ${en}\n` });
      expect(readFileSync(vi).length).toBeGreaterThan(0);
      expect(readFileSync(vi)).toEqual(readFileSync(en));
    }
    // The terminal table: headings, totals row and reminder lines in the organiser's language, the same numbers.
    const viTable = (await khaosat(VI, "participation", "--campaign", scored)).stdout.split("\n");
    const enTable = (await khaosat(EN, "participation", "--campaign", scored)).stdout.split("\n");
    expect(viTable[0]).toMatch(/^đơn vị +tên +nhóm +được chọn +đã nhập mã +đã xác nhận +đang trả lời +đã nộp +tỷ lệ +số phiếu +Telegram +Zalo +máy tính +nhập từ tệp$/);
    expect(enTable[0]).toMatch(/^unit +name +group +sampled +redeemed +attested +in progress +submitted +rate +responses +telegram +zalo +console +import$/);
    expect(viTable.find((l) => l.startsWith("TỔNG"))?.split(/ +/).slice(1)).toEqual(enTable.find((l) => l.startsWith("TOTAL"))?.split(/ +/).slice(1));
    expect(viTable.slice(-3)).toEqual(["lần nhắc gần nhất: chưa có", "không liên lạc được (đã chặn bot hoặc ngừng dùng tài khoản): 0", ""]);
    expect(enTable.slice(-3)).toEqual(["last reminder: none yet", "unreachable (blocked the bot or deactivated): 0", ""]);
    expect((await khaosat(VI, "participation", "--campaign", scored, "--format", "xlsx")).stderr).toBe("khaosat: --format xlsx ghi ra tệp: hãy thêm --out TỆP.xlsx\n");

    const appraisal = file("appraisal.csv");
    writeFileSync(appraisal, readFileSync(`${FIXTURE}/appraisal.csv`, "utf8").split("\n").filter((l) => !l.startsWith("SO_KH,")).join("\n"));
    const [viJson, enJson] = await Promise.all([VI, EN].map((env) => khaosat(env, "score", "--campaign", scored, "--appraisal", appraisal, "--format", "json")));
    expect(JSON.parse(viJson!.stdout)).toHaveProperty("units");
    expect(viJson!.stdout).toBe(enJson!.stdout);
    const [viCsv, enCsv] = [file("score-vi.csv"), file("score-en.csv")];
    expect((await khaosat(VI, "score", "--campaign", scored, "--appraisal", appraisal, "--format", "csv", "--out", viCsv)).stderr).toBe(`đã ghi ${viCsv}\n`);
    expect((await khaosat(EN, "score", "--campaign", scored, "--appraisal", appraisal, "--format", "csv", "--out", enCsv)).stderr).toBe(`wrote ${enCsv}\n`);
    expect(readFileSync(viCsv)).toEqual(readFileSync(enCsv));
  });

  test("score: errors in the organiser's language; its own --lang chooses the language of what it says", async () => {
    expect(await khaosat(VI, "score")).toEqual({
      code: 1,
      stdout: "",
      stderr: "khaosat: hãy cho --questionnaire TỆP và --responses TỆP, hoặc --campaign ID để tính điểm các phiếu của một đợt khảo sát trong cơ sở dữ liệu\n",
    });
    expect((await khaosat(VI, "score", "--lang", "en")).stderr).toBe("khaosat: give --questionnaire FILE and --responses FILE, or --campaign ID to score a campaign's responses from the database\n");
    expect((await khaosat(EN, "score", "--lang", "vi", "--format", "xml")).stderr).toBe('khaosat: --format phải là một trong json, csv, xlsx, table, không phải "xml"\n');
    expect((await khaosat(VI, "score", "--questionnaire", `${FIXTURE}/questionnaire.yaml`, "--responses", file("missing.csv"))).stderr).toBe(
      `khaosat: không đọc được ${file("missing.csv")}: không có tệp hoặc thư mục này; hãy kiểm tra tên và đường dẫn\n`,
    );
  });

  test("db migrate and users in the organiser's language", async () => {
    expect((await khaosat(VI, "db", "migrate")).stdout).toMatch(/^SQLite .*k\.db: đã ở phiên bản mới nhất \(\d+ bản chuyển đổi đã áp dụng\), không cần làm gì\n$/);
    expect((await khaosat(EN, "db", "migrate")).stdout).toMatch(/^SQLite .*k\.db: already current \(\d+ migrations applied\), nothing to do\n$/);
    expect((await khaosat(VI, "users", "list")).stdout).toBe("chưa có tài khoản nào; hãy tạo bằng: npx khaosat users add --email ban@example.org --role admin\n");
    expect((await khaosat(VI, "users", "reset-password", "--email", "x@example.org")).stderr).toBe(
      "khaosat: không có cửa sổ dòng lệnh để hỏi mật khẩu: hãy thêm --password-stdin và chuyển mật khẩu vào qua đường ống\n",
    );
  });

  test("campaign close in the organiser's language", async () => {
    expect((await khaosat(VI, "campaign", "close", par)).stdout).toMatch(new RegExp(`^đã đóng đợt khảo sát ${par} lúc \\d\\d/\\d\\d/\\d{4} \\d\\d:\\d\\d \\(Asia/Ho_Chi_Minh\\): từ giờ không nhận thêm câu trả lời\\n$`));
    expect((await khaosat(EN, "campaign", "close", par)).stdout).toMatch(new RegExp(`^campaign ${par} was already closed at .* \\(Asia/Ho_Chi_Minh\\)\\n$`));
  });
});
