import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { inspect } from "node:util";
import { describe, expect, test } from "vitest";
import { ConfigError, ENV_VARIABLES, envSchema, loadConfig, readEnvironment, type Config } from "../../src/config/index.js";

const TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
const SECRET = "s3cr3t_WEBHOOK-value";
const CODE_SECRET = "0123456789abcdef0123456789abcdef-code";

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => `${p.variable}: ${p.message}`);
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig defaults", () => {
  test("an empty environment gives the fresh-machine defaults", () => {
    expect(JSON.parse(JSON.stringify(loadConfig({})))).toEqual({
      botMode: "polling",
      port: 8080,
      adminTelegramIds: [],
      databaseUrl: "file:./data/khaosat.db",
      databaseKind: "sqlite",
      defaultLanguage: "vi",
      logLevel: "info",
      outboxRatePerSecond: 25,
      outboxPerChatPerSecond: 1,
      allowDelegation: false,
    });
  });

  test("empty values (NAME= in .env) count as unset", () => {
    const config = loadConfig({ TELEGRAM_BOT_TOKEN: "", PORT: " ", BOT_MODE: "", ADMIN_TELEGRAM_IDS: "" });
    expect(config.telegramBotToken).toBeUndefined();
    expect(config.port).toBe(8080);
    expect(config.botMode).toBe("polling");
  });
});

describe("loadConfig accepts", () => {
  test.each<[string, Record<string, string>, (c: Config) => unknown, unknown]>([
    ["token", { TELEGRAM_BOT_TOKEN: TOKEN }, (c) => c.telegramBotToken?.reveal(), TOKEN],
    ["API root without trailing slash", { TELEGRAM_API_ROOT: "http://localhost:8081/" }, (c) => c.telegramApiRoot, "http://localhost:8081"],
    ["port", { PORT: "3000" }, (c) => c.port, 3000],
    ["admin ids with spaces, deduplicated", { ADMIN_TELEGRAM_IDS: "123456789, 987654321,123456789" }, (c) => c.adminTelegramIds, [123456789, 987654321]],
    ["postgres url", { DATABASE_URL: "postgresql://app:pw@db:5432/khaosat" }, (c) => [c.databaseKind, c.databaseUrl.reveal()], ["postgresql", "postgresql://app:pw@db:5432/khaosat"]],
    ["English default", { DEFAULT_LANGUAGE: "en" }, (c) => c.defaultLanguage, "en"],
    ["log level", { LOG_LEVEL: "debug" }, (c) => c.logLevel, "debug"],
    ["outbox rates", { OUTBOX_RATE_PER_SECOND: "28", OUTBOX_PER_CHAT_PER_SECOND: "0.5" }, (c) => [c.outboxRatePerSecond, c.outboxPerChatPerSecond], [28, 0.5]],
    ["code secret", { CODE_SECRET }, (c) => c.codeSecret?.reveal(), CODE_SECRET],
    ["delegation allowed", { ALLOW_DELEGATION: "Yes" }, (c) => c.allowDelegation, true],
    ["delegation refused", { ALLOW_DELEGATION: "false" }, (c) => c.allowDelegation, false],
    ["webhook host", { WEBHOOK_HOST: "127.0.0.1" }, (c) => c.webhookHost, "127.0.0.1"],
    ["webhook secret of 16 characters", { BOT_MODE: "webhook", WEBHOOK_URL: "https://x.vn/", WEBHOOK_SECRET: "a".repeat(16) }, (c) => (c.botMode === "webhook" ? c.webhookSecret.reveal() : null), "a".repeat(16)],
    ["bot username, @ dropped", { BOT_USERNAME: "@khaosat_hanoi_bot" }, (c) => c.botUsername, "khaosat_hanoi_bot"],
    [
      "webhook mode",
      { BOT_MODE: "webhook", WEBHOOK_URL: "https://bot.example.gov.vn/telegram", WEBHOOK_SECRET: SECRET },
      (c) => (c.botMode === "webhook" ? [c.webhookUrl, c.webhookSecret.reveal()] : null),
      ["https://bot.example.gov.vn/telegram", SECRET],
    ],
    [
      "plain-http webhook behind a self-hosted Bot API server",
      { BOT_MODE: "webhook", WEBHOOK_URL: "http://bot:8080/hook", WEBHOOK_SECRET: SECRET, TELEGRAM_API_ROOT: "http://botapi:8081" },
      (c) => (c.botMode === "webhook" ? c.webhookUrl : null),
      "http://bot:8080/hook",
    ],
  ])("%s", (_name, env, pick, expected) => {
    expect(pick(loadConfig(env))).toEqual(expected);
  });
});

const WEBHOOK_SECRET_RULE = 'WEBHOOK_SECRET: expected 16 to 256 characters of A-Z, a-z, 0-9, _ and - (a shorter secret can be guessed), e.g. the output of "openssl rand -hex 32"';

describe("loadConfig refuses, naming the variable and what to put there", () => {
  test.each<[Record<string, string>, string[]]>([
    [{ TELEGRAM_BOT_TOKEN: "not-a-token" }, ["TELEGRAM_BOT_TOKEN: expected the token @BotFather gave you, like 123456789:AAH…; leave it unset to run the console demo"]],
    [{ TELEGRAM_API_ROOT: "localhost:8081" }, ["TELEGRAM_API_ROOT: expected the http(s) URL of a Bot API server, e.g. http://localhost:8081; leave it unset for api.telegram.org"]],
    [{ BOT_MODE: "hook" }, ['BOT_MODE: use "polling" (the default, no public address needed) or "webhook"']],
    [
      { BOT_MODE: "webhook" },
      [
        "WEBHOOK_URL: required when BOT_MODE=webhook: the public https:// address Telegram posts updates to, e.g. https://bot.example.gov.vn/telegram",
        'WEBHOOK_SECRET: required when BOT_MODE=webhook: 16 to 256 characters of A-Z, a-z, 0-9, _ and -, e.g. the output of "openssl rand -hex 32"',
      ],
    ],
    [
      { BOT_MODE: "webhook", WEBHOOK_URL: "http://bot.example.gov.vn/", WEBHOOK_SECRET: "has space!" },
      [
        "WEBHOOK_URL: expected a public https:// URL, e.g. https://bot.example.gov.vn/telegram",
        'WEBHOOK_SECRET: expected 16 to 256 characters of A-Z, a-z, 0-9, _ and - (a shorter secret can be guessed), e.g. the output of "openssl rand -hex 32"',
      ],
    ],
    [{ BOT_MODE: "webhook", WEBHOOK_URL: "https://x.vn/", WEBHOOK_SECRET: "a".repeat(257) }, [WEBHOOK_SECRET_RULE]],
    [{ BOT_MODE: "webhook", WEBHOOK_URL: "https://x.vn/", WEBHOOK_SECRET: "x" }, [WEBHOOK_SECRET_RULE]],
    [{ BOT_MODE: "webhook", WEBHOOK_URL: "https://x.vn/", WEBHOOK_SECRET: "a".repeat(15) }, [WEBHOOK_SECRET_RULE]],
    [{ WEBHOOK_HOST: "0.0.0.0; rm -rf" }, ["WEBHOOK_HOST: expected the address to listen on, e.g. 127.0.0.1 (behind a reverse proxy on the same machine) or 0.0.0.0 (every interface, the default)"]],
    [{ PORT: "http" }, ["PORT: expected a port number between 1 and 65535, e.g. 8080"]],
    [{ PORT: "70000" }, ["PORT: expected a port number between 1 and 65535, e.g. 8080"]],
    [{ PORT: "0" }, ["PORT: expected a port number between 1 and 65535, e.g. 8080"]],
    [
      { ADMIN_TELEGRAM_IDS: "123456789,@nguyenvana" },
      ['ADMIN_TELEGRAM_IDS: "@nguyenvana" is a username; use the numeric Telegram user id instead (e.g. 123456789): usernames can change hands, ids cannot'],
    ],
    [{ ADMIN_TELEGRAM_IDS: "12ab" }, ['ADMIN_TELEGRAM_IDS: "12ab" is not a Telegram user id; list numeric user ids separated by commas, e.g. 123456789,987654321']],
    [{ ADMIN_TELEGRAM_IDS: "-100123" }, ['ADMIN_TELEGRAM_IDS: "-100123" is not a Telegram user id; list numeric user ids separated by commas, e.g. 123456789,987654321']],
    [{ DATABASE_URL: "mysql://root:pw@db/x" }, ["DATABASE_URL: expected file:./data/khaosat.db (SQLite) or postgresql://user:password@host:5432/khaosat"]],
    [{ CODE_SECRET: "short" }, ['CODE_SECRET: expected at least 32 random characters, e.g. the output of "openssl rand -hex 32"']],
    [{ DEFAULT_LANGUAGE: "fr" }, ['DEFAULT_LANGUAGE: use "vi" (the default) or "en"']],
    [{ LOG_LEVEL: "verbose" }, ["LOG_LEVEL: use one of fatal, error, warn, info, debug, trace, silent (default info)"]],
    [{ OUTBOX_RATE_PER_SECOND: "fast" }, ["OUTBOX_RATE_PER_SECOND: expected a number of messages per second, e.g. 25 (the default; Telegram allows about 30)"]],
    [{ OUTBOX_RATE_PER_SECOND: "0" }, ["OUTBOX_RATE_PER_SECOND: expected a number of messages per second above 0 and at most 1000, e.g. 25 (the default; Telegram allows about 30)"]],
    [{ OUTBOX_PER_CHAT_PER_SECOND: "-1" }, ["OUTBOX_PER_CHAT_PER_SECOND: expected a number of messages per second, e.g. 1 (the default; Telegram allows about 1 per chat)"]],
    [{ ALLOW_DELEGATION: "maybe" }, ['ALLOW_DELEGATION: use "no" (the default: one account, one respondent) or "yes" (one account may answer for several respondents, always flagged)']],
    [{ BOT_USERNAME: "t.me/khaosat_bot" }, ["BOT_USERNAME: expected the bot's Telegram username, e.g. khaosat_hanoi_bot (5 to 32 letters, digits and _)"]],
    [{ OUTBOX_PER_CHAT_PER_SECOND: "31" }, ["OUTBOX_PER_CHAT_PER_SECOND: expected a number of messages per second above 0 and at most 30, e.g. 1 (the default; Telegram allows about 1 per chat)"]],
  ])("%o", (env, expected) => {
    expect(problemsOf(env)).toEqual(expected);
  });

  test("every bad variable is listed at once, with the webhook rules checked even when others fail", () => {
    const env = { TELEGRAM_BOT_TOKEN: "x", PORT: "-1", BOT_MODE: "webhook", DEFAULT_LANGUAGE: "de", ADMIN_TELEGRAM_IDS: "@a" };
    expect(problemsOf(env).map((p) => p.split(":")[0])).toEqual([
      "TELEGRAM_BOT_TOKEN",
      "PORT",
      "ADMIN_TELEGRAM_IDS",
      "DEFAULT_LANGUAGE",
      "WEBHOOK_URL",
      "WEBHOOK_SECRET",
    ]);
  });

  test("the error message lists one variable per line", () => {
    expect(() => loadConfig({ PORT: "x", LOG_LEVEL: "loud" })).toThrow(
      [
        "invalid configuration (2 problems); set these environment variables or put them in .env:",
        "  PORT: expected a port number between 1 and 65535, e.g. 8080",
        "  LOG_LEVEL: use one of fatal, error, warn, info, debug, trace, silent (default info)",
      ].join("\n"),
    );
  });
});

describe("secrets never show", () => {
  const badSecrets = { TELEGRAM_BOT_TOKEN: "999:short-secret-token", CODE_SECRET: "tiny-secret", WEBHOOK_SECRET: "bad secret!", BOT_MODE: "webhook", WEBHOOK_URL: "https://x.vn" };

  test("not in error messages", () => {
    const message = problemsOf(badSecrets).join("\n");
    for (const value of ["short-secret-token", "tiny-secret", "bad secret!"]) expect(message).not.toContain(value);
  });

  test.each<[string, (c: Config) => string]>([
    ["JSON", (c) => JSON.stringify(c)],
    ["inspect", (c) => inspect(c, { depth: 5 })],
    ["String of each value", (c) => Object.values(c).map(String).join(" ")],
    ["template literals", (c) => `${c.telegramBotToken} ${c.codeSecret} ${c.databaseUrl} ${c.botMode === "webhook" ? c.webhookSecret : ""}`],
  ])("not in the %s representation", (_name, show) => {
    const config = loadConfig({
      TELEGRAM_BOT_TOKEN: TOKEN,
      CODE_SECRET,
      BOT_MODE: "webhook",
      WEBHOOK_URL: "https://bot.example.gov.vn/telegram",
      WEBHOOK_SECRET: SECRET,
      DATABASE_URL: "postgresql://app:db-password@db:5432/khaosat",
    });
    const text = show(config);
    for (const value of [TOKEN, "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw", CODE_SECRET, SECRET, "db-password"]) expect(text).not.toContain(value);
    expect(text).toContain("[redacted]");
  });

  test("the database URL prints with its password masked", () => {
    expect(String(loadConfig({ DATABASE_URL: "postgresql://app:db-password@db:5432/khaosat" }).databaseUrl)).toBe("postgresql://app:***@db:5432/khaosat");
  });
});

describe("readEnvironment", () => {
  test("reads .env, and the process environment wins", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "khaosat-env-"));
    const file = path.join(dir, ".env");
    writeFileSync(file, 'PORT=9000\nLOG_LEVEL="debug"\n# comment\nDEFAULT_LANGUAGE=en\n');
    const env = readEnvironment({ envFile: file, env: { LOG_LEVEL: "warn" } });
    expect(loadConfig(env)).toMatchObject({ port: 9000, logLevel: "warn", defaultLanguage: "en" });
  });

  test("a missing .env is fine", () => {
    expect(readEnvironment({ envFile: "/nonexistent/.env", env: { PORT: "1" } })).toEqual({ PORT: "1" });
  });

  test("Zalo: the token enables the channel with its defaults; webhook mode needs an https URL and a secret; messages never repeat the token", () => {
    const parse = (env: Record<string, string>) => envSchema.safeParse(env);
    const ok = parse({ ZALO_BOT_TOKEN: "1234567890:AbCdEfGhIjKlMn" });
    expect(ok.success && ok.data.zalo).toMatchObject({ apiRoot: "https://bot-api.zaloplatforms.com", mode: "polling", ratePerSecond: 5, unreachableCodes: [403], webhookPort: 8081 });
    const codes = parse({ ZALO_BOT_TOKEN: "1234567890:AbCdEfGhIjKlMn", ZALO_UNREACHABLE_CODES: "403, blocked" });
    expect(codes.success).toBe(false);
    const codes2 = parse({ ZALO_BOT_TOKEN: "1234567890:AbCdEfGhIjKlMn", ZALO_UNREACHABLE_CODES: "403, -230" });
    expect(codes2.success && codes2.data.zalo?.unreachableCodes).toEqual([403, -230]);
    expect(ok.success && ok.data.zalo?.token.reveal()).toBe("1234567890:AbCdEfGhIjKlMn");
    expect(parse({}).success && parse({}).data?.zalo).toBeUndefined();
    const bad = parse({ ZALO_BOT_TOKEN: "not-a-token-secretvalue" });
    expect(bad.success).toBe(false);
    expect(JSON.stringify(bad.error?.issues)).not.toContain("secretvalue");
    const webhook = parse({ ZALO_BOT_TOKEN: "1234567890:AbCdEfGhIjKlMn", ZALO_BOT_MODE: "webhook", ZALO_WEBHOOK_URL: "http://x" });
    expect(webhook.success).toBe(false);
    expect(webhook.error?.issues.map((i) => i.path.join("."))).toEqual(["ZALO_WEBHOOK_URL", "ZALO_WEBHOOK_SECRET"]);
  });

  test("the schema names every variable the brief lists", () => {
    expect([...ENV_VARIABLES].sort()).toEqual(
      ["ADMIN_TELEGRAM_IDS", "ALLOW_DELEGATION", "BOT_MODE", "BOT_USERNAME", "CODE_SECRET", "DATABASE_URL", "DEFAULT_LANGUAGE", "LOG_LEVEL", "OUTBOX_PER_CHAT_PER_SECOND", "OUTBOX_RATE_PER_SECOND", "PORT", "TELEGRAM_API_ROOT", "TELEGRAM_BOT_TOKEN", "WEBHOOK_HOST", "WEBHOOK_SECRET", "WEBHOOK_URL", "ZALO_API_ROOT", "ZALO_BOT_LINK", "ZALO_BOT_MODE", "ZALO_BOT_TOKEN", "ZALO_RATE_PER_SECOND", "ZALO_UNREACHABLE_CODES", "ZALO_WEBHOOK_HOST", "ZALO_WEBHOOK_PORT", "ZALO_WEBHOOK_SECRET", "ZALO_WEBHOOK_URL"].sort(),
    );
  });
});
