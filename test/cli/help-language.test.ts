// The help follows KHAOSAT_LANG like the messages: Vietnamese when unset, English with en (every
// other test runs with en: vitest.config.ts). Through the built bin as organisers run it, and a walk
// of every registered command so that no description, option or argument stays untranslated.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { describe, expect, test } from "vitest";
import { registerAllCommands } from "../../src/cli/commands.js";
import { helpKey, helpKeysOf, HelpText, localizeHelp } from "../../src/cli/help.js";
import { createProgram, main } from "../../src/cli/main.js";
import { flattenKeys, loadLocaleResources } from "../../src/i18n/index.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = path.join(ROOT, "bin/khaosat.js");
const VI: NodeJS.ProcessEnv = { ...process.env, COLUMNS: "80" };
delete VI.KHAOSAT_LANG;
const EN: NodeJS.ProcessEnv = { ...VI, KHAOSAT_LANG: "en" };

function khaosat(env: NodeJS.ProcessEnv, ...args: string[]) {
  const run = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: "utf8", env });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe("khaosat --help in the organiser's language", () => {
  test("top level: Vietnamese by default", () => {
    const help = khaosat(VI, "--help");
    expect(help.code).toBe(0);
    expect(help.stderr).toBe("");
    expect(help.stdout).toMatch(/^Cách dùng: khaosat \[options\] \[command\]\n\nkhaosat-bot: kênh khảo sát bằng chat-bot/);
    for (const line of [
      "\nTùy chọn:\n",
      "\n  --debug                   in chi tiết kỹ thuật (stack trace) khi gặp lỗi ngoài\n",
      "\n  -h, --help                hiện trợ giúp của lệnh\n",
      "\nLệnh:\n",
      "\n  codes                     mã truy cập dùng một lần: cấp, thu hồi, cấp lại\n",
      "\n  db                        quản trị cơ sở dữ liệu\n",
      "\n  help [command]            hiện trợ giúp của một lệnh\n",
      "\nBiến môi trường:\n  KHAOSAT_LANG=vi|en  ngôn ngữ của phần trợ giúp này và của các thông báo do lệnh in ra\n",
    ]) {
      expect(help.stdout).toContain(line);
    }
    for (const english of ["Usage:", "Options:", "Commands:", "display help", "Environment:", "one-time access codes"]) expect(help.stdout).not.toContain(english);
  });

  test("top level: English with KHAOSAT_LANG=en", () => {
    const help = khaosat(EN, "--help");
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: khaosat \[options\] \[command\]\n\nkhaosat-bot: chat-bot survey channel for public-administration surveys\n\nOptions:\n/);
    expect(help.stdout).toContain("\n  codes                     one-time access codes: issue, revoke, reissue\n");
    expect(help.stdout).toContain("\n  help [command]            display help for command\n");
    expect(help.stdout).toContain("\nEnvironment:\n  KHAOSAT_LANG=vi|en  language of this help and of the messages the commands print (default vi:\n");
    expect(help.stdout).not.toContain("Cách dùng");
  });

  test("respondents import --help, in each language", () => {
    expect(khaosat(VI, "respondents", "import", "--help")).toEqual({
      code: 0,
      stderr: "",
      stdout: [
        "Cách dùng: khaosat respondents import [options] <file>",
        "",
        "nhập hoặc cập nhật danh sách người trả lời từ tệp CSV (UTF-8) hoặc XLSX; nhập",
        "tất cả hoặc không nhập gì, trừ khi có --skip-invalid",
        "",
        "Tùy chọn:",
        "  --campaign <id>  mã đợt khảo sát",
        "  --skip-invalid   nhập các dòng hợp lệ và báo các dòng còn lại (mặc định:",
        "                   false)",
        "  -h, --help       hiện trợ giúp của lệnh",
        "",
      ].join("\n"),
    });
    expect(khaosat(EN, "respondents", "import", "--help")).toEqual({
      code: 0,
      stderr: "",
      stdout: [
        "Usage: khaosat respondents import [options] <file>",
        "",
        "import or update respondents from CSV (UTF-8) or XLSX; all or nothing unless",
        "--skip-invalid",
        "",
        "Options:",
        "  --campaign <id>  campaign id",
        "  --skip-invalid   import the valid rows and report the others (default: false)",
        "  -h, --help       display help for command",
        "",
      ].join("\n"),
    });
  });

  test("codes issue --help and the help of a command group, in each language", () => {
    const vi = khaosat(VI, "codes", "issue", "--help");
    expect(vi.code).toBe(0);
    expect(vi.stdout).toContain("Cách dùng: khaosat codes issue [options]\n\ncấp mã cho mọi người trả lời của một đợt khảo sát chưa có mã đang hiệu lực và\n");
    expect(vi.stdout).toContain("\n  --campaign <id>   mã đợt khảo sát\n  --out <file>      tệp đầu ra: .csv hoặc .xlsx để trộn thư, .pdf để in phiếu;\n");
    const en = khaosat(EN, "codes", "issue", "--help");
    expect(en.stdout).toContain("Usage: khaosat codes issue [options]\n\nissue a code to every respondent of a campaign without an active one and write\n");
    expect(en.stdout).toContain("\n  --campaign <id>   campaign id\n");

    const group = khaosat(VI, "help", "codes");
    expect(group.code).toBe(0);
    expect(group.stdout).toContain("Cách dùng: khaosat codes [options] [command]\n\nmã truy cập dùng một lần: cấp, thu hồi, cấp lại\n\nTùy chọn:\n");
    expect(group.stdout).toMatch(/\nLệnh:\n {2}issue \[options\] +cấp mã cho mọi người trả lời/);
    expect(group.stdout).toMatch(/\n {2}help \[command\] +hiện trợ giúp của một lệnh\n/);
  });

  test("what commander adds to a description is in the language too", () => {
    const vi = khaosat(VI, "broadcast", "--help");
    expect(vi.stdout).toContain('(chọn một trong: "HTML", "MarkdownV2")');
    expect(khaosat(VI, "outbox", "send", "--help").stdout).toContain("(mặc định: 5)");
    expect(khaosat(EN, "broadcast", "--help").stdout).toContain('(choices: "HTML", "MarkdownV2")');
  });

  test("commander's errors, in each language", () => {
    expect(khaosat(VI, "score", "--bogus")).toEqual({ code: 1, stdout: "", stderr: "lỗi: không có tùy chọn '--bogus'\n" });
    expect(khaosat(EN, "score", "--bogus")).toEqual({ code: 1, stdout: "", stderr: "error: unknown option '--bogus'\n" });
    expect(khaosat(VI, "respondents", "import", "x.csv")).toEqual({ code: 1, stdout: "", stderr: "lỗi: thiếu tùy chọn bắt buộc '--campaign <id>'\n" });
    expect(khaosat(VI, "respondents", "import", "--campaign", "c1").stderr).toBe("lỗi: thiếu đối số bắt buộc 'file'\n");
    expect(khaosat(EN, "respondents", "import", "--campaign", "c1").stderr).toBe("error: missing required argument 'file'\n");
    expect(khaosat(VI, "scroe").stderr).toBe("lỗi: không có lệnh 'scroe'\n(Có phải là score không?)\n");
    expect(khaosat(VI, "broadcast", "--parse-mode", "x").stderr).toBe("lỗi: giá trị 'x' của tùy chọn '--parse-mode <mode>' không hợp lệ. Các giá trị được phép: HTML, MarkdownV2.\n");
    expect(khaosat(VI, "preview", "a.yaml", "b.yaml").stderr).toBe("lỗi: thừa đối số cho lệnh 'preview'. Lệnh nhận 1 đối số nhưng đã có 2.\n");
    expect(khaosat(EN, "preview", "a.yaml", "b.yaml").stderr).toBe("error: too many arguments for 'preview'. Expected 1 argument but got 2.\n");
  });

  test("the top-level help from the build's listing reads exactly as with every command's module loaded, in Vietnamese too", async () => {
    const language = process.env.KHAOSAT_LANG;
    delete process.env.KHAOSAT_LANG;
    let stdout = "";
    const out = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => ((stdout += chunk), true)) as typeof process.stdout.write;
    try {
      expect(await main(["--help"])).toBe(0);
    } finally {
      process.stdout.write = out;
      process.env.KHAOSAT_LANG = language;
    }
    expect(stdout).toContain("Lệnh:\n");
    expect(khaosat(VI, "--help")).toEqual({ code: 0, stdout, stderr: "" });
  });
});

/** Every command below `command` (itself first) with its path of names. */
function* walk(command: Command, commandPath: readonly string[] = []): Generator<readonly [Command, readonly string[]]> {
  yield [command, commandPath];
  for (const sub of command.commands) yield* walk(sub, [...commandPath, sub.name()]);
}

async function everyCommand(): Promise<Command> {
  const program = createProgram();
  await registerAllCommands(program);
  return program;
}

describe("every command's help is translated", () => {
  const resources = loadLocaleResources();
  const VI_TEXT = new HelpText("vi");
  const EN_TEXT = new HelpText("en");

  test("each command's description, visible option and described argument has a text in vi and in en; the English is the source's", async () => {
    const program = await everyCommand();
    let keys = 0;
    for (const [command, commandPath] of walk(program)) {
      const key = helpKey(commandPath);
      const source = new Map<string, string>([
        [`${key}.description`, command.description()],
        ...command.options.map((o) => [`${key}.options.${o.name()}`, o.description] as const),
        ...command.registeredArguments.map((a) => [`${key}.arguments.${a.name()}`, a.description] as const),
      ]);
      for (const k of helpKeysOf(command, commandPath)) {
        keys += 1;
        expect(VI_TEXT.find(k)?.trim(), `vi: ${k}`).toBeTruthy();
        expect(EN_TEXT.find(k), `en: ${k} (locales/en/cli-help.json says what the source says)`).toBe(source.get(k));
        expect(VI_TEXT.find(k), `vi: ${k} is not left in English`).not.toBe(source.get(k));
      }
    }
    expect(keys).toBeGreaterThan(150);
  });

  test("cli-help has no text for a command or option that no longer exists", async () => {
    const program = await everyCommand();
    const wanted = [...walk(program)].flatMap(([command, commandPath]) => helpKeysOf(command, commandPath)).sort();
    for (const language of ["vi", "en"]) {
      const tree = resources[language]!["cli-help"]!;
      const own = flattenKeys(tree).filter((k) => k.startsWith("commands.") || /^program\.(description|options\.)/.test(k));
      expect(own, language).toEqual(wanted);
    }
  });

  test("after localizeHelp every description is the language's text", async () => {
    const program = await everyCommand();
    localizeHelp(program, VI_TEXT);
    for (const [command, commandPath] of walk(program)) {
      const key = helpKey(commandPath);
      if (commandPath.length === 0 || command.description() !== "") expect(command.description()).toBe(VI_TEXT.find(`${key}.description`));
      for (const option of command.options.filter((o) => !o.hidden)) expect(option.description, option.flags).toBe(VI_TEXT.find(`${key}.options.${option.name()}`));
    }
  });
});
