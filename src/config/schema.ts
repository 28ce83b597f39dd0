import { z } from "zod";
import { Secret, redactUrlPassword } from "./secret.js";

/** Languages the respondent-facing texts exist in (locales/<lang>). */
export const SUPPORTED_LANGUAGES = ["vi", "en"] as const;
/** A respondent-facing language. */
export type Language = (typeof SUPPORTED_LANGUAGES)[number];

/** Log levels, most to least severe; `silent` turns logging off. */
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
/** How much the bot logs. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** SQLite file under ./data: works on a fresh machine with no server to install. */
export const DEFAULT_DATABASE_URL = "file:./data/khaosat.db";

/** Settings shared by both bot modes. */
interface CommonConfig {
  /** Absent: `npm start` runs the console demo instead of the bot. */
  readonly telegramBotToken?: Secret;
  /** Base URL of a self-hosted Bot API server; absent: api.telegram.org. */
  readonly telegramApiRoot?: string;
  readonly port: number;
  /** Address the webhook server listens on (WEBHOOK_HOST); absent: every interface. */
  readonly webhookHost?: string;
  /** Telegram user ids allowed to use the admin commands. */
  readonly adminTelegramIds: readonly number[];
  /** Printable form redacts the password. */
  readonly databaseUrl: Secret;
  readonly databaseKind: "sqlite" | "postgresql";
  /** Key of the keyed hashes of one-time codes. */
  readonly codeSecret?: Secret;
  readonly defaultLanguage: Language;
  readonly logLevel: LogLevel;
  /** Proactive messages (reminders, broadcasts, digests) per second overall, for the outbox sender. */
  readonly outboxRatePerSecond: number;
  /** Proactive messages per second to one chat. */
  readonly outboxPerChatPerSecond: number;
  /** Whether one messaging account may redeem the codes of several respondents (always flagged and audited); absent: no. */
  readonly allowDelegation?: boolean;
  /** The bot's Telegram username (without "@"): the default of `codes … --bot` for deep links. */
  readonly botUsername?: string;
  /** The Zalo bot (Zalo Bot Platform), when ZALO_BOT_TOKEN is set. */
  readonly zalo?: ZaloConfig;
}

/** Settings of the Zalo channel (README "Zalo"). */
export interface ZaloConfig {
  /** `<bot id digits>:<secret>` from Zalo Bot Creator. */
  readonly token: Secret;
  /** Base URL of the Bot API, without the trailing slash (tests: a loopback stub). */
  readonly apiRoot: string;
  readonly mode: "polling" | "webhook";
  /** Webhook mode: the public https:// URL registered with setWebhook (a reverse proxy forwards it). */
  readonly webhookUrl?: string;
  /** Webhook mode: checked against the X-Bot-Api-Secret-Token header. */
  readonly webhookSecret?: Secret;
  /** Webhook mode: where the plain-HTTP server listens. */
  readonly webhookHost: string;
  readonly webhookPort: number;
  /** The link printed on slips and posters to open the bot in Zalo (optional). */
  readonly botLink?: string;
  /** Proactive messages per second to Zalo (not published by Zalo; conservative default 5). */
  readonly ratePerSecond: number;
  /** error_code values of sendMessage that mark a chat unreachable (ZALO_UNREACHABLE_CODES, default 403). */
  readonly unreachableCodes?: readonly number[];
}

/** The Zalo Bot Platform's public API root. */
export const DEFAULT_ZALO_API_ROOT = "https://bot-api.zaloplatforms.com";

/** The whole configuration, parsed once at start-up; secrets are `Secret`s, never plain strings. */
export type Config = CommonConfig &
  (
    | { readonly botMode: "polling" }
    | { readonly botMode: "webhook"; readonly webhookUrl: string; readonly webhookSecret: Secret }
  );

// `.env` templates often leave `NAME=` empty: an empty value means "not set".
const blankToUndefined = (value: unknown): unknown =>
  typeof value === "string" ? (value.trim() === "" ? undefined : value.trim()) : value;

const optional = <T extends z.ZodType>(schema: T) => z.preprocess(blankToUndefined, schema.optional());
const withDefault = <T extends z.ZodType>(schema: T, fallback: z.input<T>) =>
  z.preprocess((v) => blankToUndefined(v) ?? fallback, schema);

/** A positive decimal number up to `max`, e.g. for message rates. */
const rate = (max: number, example: string) =>
  z
    .string()
    .regex(/^\d+(\.\d+)?$/, `expected a number of messages per second, e.g. ${example}`)
    .transform(Number)
    .refine((n) => n > 0 && n <= max, `expected a number of messages per second above 0 and at most ${max}, e.g. ${example}`);

const TOKEN = /^\d{1,20}:[A-Za-z0-9_-]{30,}$/;
const ZALO_TOKEN = /^\d{1,25}:[A-Za-z0-9_-]{8,}$/;
// Zalo accepts 8 to 256 characters; as for Telegram, fewer than 16 are refused here (guessable).
const ZALO_SECRET = /^[A-Za-z0-9_-]{16,256}$/;
// Telegram accepts 1 to 256 characters; fewer than 16 can be guessed, so they are refused here.
const WEBHOOK_SECRET = /^[A-Za-z0-9_-]{16,256}$/;
const MIN_CODE_SECRET = 32;

function isHttpUrl(value: string, protocols: readonly string[]): boolean {
  try {
    return protocols.includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

const adminIds = z.string().transform((value, ctx) => {
  const ids: number[] = [];
  for (const item of value.split(/[\s,]+/).filter((s) => s !== "")) {
    if (item.startsWith("@")) {
      ctx.addIssue({
        code: "custom",
        message: `"${item}" is a username; use the numeric Telegram user id instead (e.g. 123456789): usernames can change hands, ids cannot`,
      });
    } else if (!/^\d{1,16}$/.test(item) || Number(item) === 0) {
      ctx.addIssue({
        code: "custom",
        message: `"${item}" is not a Telegram user id; list numeric user ids separated by commas, e.g. 123456789,987654321`,
      });
    } else if (!ids.includes(Number(item))) {
      ids.push(Number(item));
    }
  }
  return ids;
});

function checkWebhook(env: { WEBHOOK_URL?: unknown; WEBHOOK_SECRET?: unknown; TELEGRAM_API_ROOT?: unknown }, ctx: z.RefinementCtx): void {
  // Telegram only delivers webhooks over HTTPS; a self-hosted Bot API server may use plain HTTP.
  const protocols = env.TELEGRAM_API_ROOT !== undefined ? ["https:", "http:"] : ["https:"];
  if (env.WEBHOOK_URL === undefined) {
    ctx.addIssue({ code: "custom", path: ["WEBHOOK_URL"], message: "required when BOT_MODE=webhook: the public https:// address Telegram posts updates to, e.g. https://bot.example.gov.vn/telegram" });
  } else if (typeof env.WEBHOOK_URL !== "string" || !isHttpUrl(env.WEBHOOK_URL, protocols)) {
    ctx.addIssue({ code: "custom", path: ["WEBHOOK_URL"], message: "expected a public https:// URL, e.g. https://bot.example.gov.vn/telegram" });
  }
  if (env.WEBHOOK_SECRET === undefined) {
    ctx.addIssue({ code: "custom", path: ["WEBHOOK_SECRET"], message: 'required when BOT_MODE=webhook: 16 to 256 characters of A-Z, a-z, 0-9, _ and -, e.g. the output of "openssl rand -hex 32"' });
  } else if (typeof env.WEBHOOK_SECRET !== "string" || !WEBHOOK_SECRET.test(env.WEBHOOK_SECRET)) {
    ctx.addIssue({
      code: "custom",
      path: ["WEBHOOK_SECRET"],
      message: 'expected 16 to 256 characters of A-Z, a-z, 0-9, _ and - (a shorter secret can be guessed), e.g. the output of "openssl rand -hex 32"',
    });
  }
}

function checkZaloWebhook(env: { ZALO_WEBHOOK_URL?: unknown; ZALO_WEBHOOK_SECRET?: unknown }, ctx: z.RefinementCtx): void {
  if (env.ZALO_WEBHOOK_URL === undefined || typeof env.ZALO_WEBHOOK_URL !== "string" || !isHttpUrl(env.ZALO_WEBHOOK_URL, ["https:"])) {
    ctx.addIssue({ code: "custom", path: ["ZALO_WEBHOOK_URL"], message: "required when ZALO_BOT_MODE=webhook: the public https:// address Zalo posts updates to (a reverse proxy forwards it to ZALO_WEBHOOK_HOST:ZALO_WEBHOOK_PORT), e.g. https://bot.example.gov.vn/zalo" });
  }
  if (env.ZALO_WEBHOOK_SECRET === undefined || typeof env.ZALO_WEBHOOK_SECRET !== "string" || !ZALO_SECRET.test(env.ZALO_WEBHOOK_SECRET)) {
    ctx.addIssue({ code: "custom", path: ["ZALO_WEBHOOK_SECRET"], message: 'required when ZALO_BOT_MODE=webhook: 16 to 256 characters of A-Z, a-z, 0-9, _ and -, e.g. the output of "openssl rand -hex 32"' });
  }
}

/**
 * The environment variables khaosat reads, and what each must hold. Every message says what to put
 * there; none repeats the value of a variable that may hold a secret.
 */
export const envShape = {
    TELEGRAM_BOT_TOKEN: optional(
      z.string().regex(TOKEN, "expected the token @BotFather gave you, like 123456789:AAH…; leave it unset to run the console demo"),
    ),
    TELEGRAM_API_ROOT: optional(
      z.string().refine((v) => isHttpUrl(v, ["http:", "https:"]), "expected the http(s) URL of a Bot API server, e.g. http://localhost:8081; leave it unset for api.telegram.org"),
    ),
    BOT_MODE: withDefault(z.enum(["polling", "webhook"], { error: 'use "polling" (the default, no public address needed) or "webhook"' }), "polling"),
    WEBHOOK_URL: optional(z.string()),
    WEBHOOK_SECRET: optional(z.string()),
    PORT: withDefault(
      z.string().regex(/^\d{1,5}$/, "expected a port number between 1 and 65535, e.g. 8080").transform(Number).refine((n) => n >= 1 && n <= 65535, "expected a port number between 1 and 65535, e.g. 8080"),
      "8080",
    ),
    WEBHOOK_HOST: optional(
      z.string().regex(/^(\d{1,3}(\.\d{1,3}){3}|[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*|[A-Za-z0-9]([A-Za-z0-9.-]{0,252}))$/, "expected the address to listen on, e.g. 127.0.0.1 (behind a reverse proxy on the same machine) or 0.0.0.0 (every interface, the default)"),
    ),
    ADMIN_TELEGRAM_IDS: withDefault(adminIds, ""),
    DATABASE_URL: withDefault(
      z.string().refine(
        (v) => v.startsWith("file:") || isHttpUrl(v, ["postgres:", "postgresql:"]),
        `expected ${DEFAULT_DATABASE_URL} (SQLite) or postgresql://user:password@host:5432/khaosat`,
      ),
      DEFAULT_DATABASE_URL,
    ),
    CODE_SECRET: optional(
      z.string().min(MIN_CODE_SECRET, `expected at least ${MIN_CODE_SECRET} random characters, e.g. the output of "openssl rand -hex 32"`),
    ),
    DEFAULT_LANGUAGE: withDefault(z.enum(SUPPORTED_LANGUAGES, { error: 'use "vi" (the default) or "en"' }), "vi"),
    LOG_LEVEL: withDefault(z.enum(LOG_LEVELS, { error: `use one of ${LOG_LEVELS.join(", ")} (default info)` }), "info"),
    // Telegram allows about 30/s to different chats (up to 1,000/s with paid broadcasts) and 1/s per chat.
    OUTBOX_RATE_PER_SECOND: withDefault(rate(1000, "25 (the default; Telegram allows about 30)"), "25"),
    OUTBOX_PER_CHAT_PER_SECOND: withDefault(rate(30, "1 (the default; Telegram allows about 1 per chat)"), "1"),
    // Off by default: a code is personal; an organiser may allow one phone to answer for several people.
    ALLOW_DELEGATION: withDefault(
      z
        .string()
        .transform((v) => v.toLowerCase())
        .pipe(z.enum(["yes", "no", "true", "false", "1", "0"], { error: 'use "no" (the default: one account, one respondent) or "yes" (one account may answer for several respondents, always flagged)' }))
        .transform((v) => v === "yes" || v === "true" || v === "1"),
      "no",
    ),
    ZALO_BOT_TOKEN: optional(z.string().regex(ZALO_TOKEN, "expected the token Zalo Bot Creator gave you, like 1234567890:AbCdEf… (digits, a colon, then the secret)")),
    ZALO_API_ROOT: withDefault(
      z.string().refine((v) => isHttpUrl(v, ["http:", "https:"]), `expected the http(s) URL of the Zalo Bot API, e.g. ${DEFAULT_ZALO_API_ROOT} (the default)`),
      DEFAULT_ZALO_API_ROOT,
    ),
    ZALO_BOT_MODE: withDefault(z.enum(["polling", "webhook"], { error: 'use "polling" (the default, no public address needed) or "webhook"' }), "polling"),
    ZALO_WEBHOOK_URL: optional(z.string()),
    ZALO_WEBHOOK_SECRET: optional(z.string()),
    ZALO_WEBHOOK_HOST: withDefault(z.string().min(1), "0.0.0.0"),
    ZALO_WEBHOOK_PORT: withDefault(
      z.string().regex(/^\d{1,5}$/, "expected a port number between 1 and 65535, e.g. 8081").transform(Number).refine((n) => n >= 1 && n <= 65535, "expected a port number between 1 and 65535, e.g. 8081"),
      "8081",
    ),
    ZALO_BOT_LINK: optional(z.string().refine((v) => isHttpUrl(v, ["https:", "http:"]), "expected the https:// link that opens the bot in Zalo (shown in Zalo Bot Creator), e.g. https://zalo.me/…")),
    // Zalo publishes no limit; integrators pace bulk sends at roughly 5 to 10 a second.
    ZALO_RATE_PER_SECOND: withDefault(rate(100, "5 (the default; Zalo publishes no limit)"), "5"),
    // Zalo does not document which error_code means "the user blocked the bot": a setting, default 403.
    ZALO_UNREACHABLE_CODES: withDefault(
      z
        .string()
        .regex(/^\s*-?\d{1,5}(\s*,\s*-?\d{1,5})*\s*$/, "expected Zalo error codes separated by commas, e.g. 403 (the default)")
        .transform((v) => v.split(",").map((c) => Number(c.trim()))),
      "403",
    ),
    BOT_USERNAME: optional(
      z
        .string()
        .transform((v) => v.replace(/^@/, ""))
        .pipe(z.string().regex(/^[A-Za-z][A-Za-z0-9_]{3,31}$/, "expected the bot's Telegram username, e.g. khaosat_hanoi_bot (5 to 32 letters, digits and _)")),
    ),
};

/** The configuration schema: environment variables in, `Config` out. */
export const envSchema = z
  .object(envShape)
  .superRefine(
    (parsed, ctx) => {
      // Runs even when other variables failed (see `when`), so values may be missing or unparsed.
      const env = parsed as Partial<Record<keyof typeof parsed, unknown>>;
      if (env.ZALO_BOT_MODE === "webhook" && env.ZALO_BOT_TOKEN !== undefined) checkZaloWebhook(env, ctx);
      if (env.BOT_MODE !== "webhook") return;
      checkWebhook(env, ctx);
    },
    { when: () => true },
  )
  .transform((env): Config => {
    const common: CommonConfig = {
      ...(env.TELEGRAM_BOT_TOKEN !== undefined ? { telegramBotToken: new Secret(env.TELEGRAM_BOT_TOKEN) } : {}),
      ...(env.TELEGRAM_API_ROOT !== undefined ? { telegramApiRoot: env.TELEGRAM_API_ROOT.replace(/\/+$/, "") } : {}),
      port: env.PORT,
      ...(env.WEBHOOK_HOST !== undefined ? { webhookHost: env.WEBHOOK_HOST } : {}),
      adminTelegramIds: Object.freeze(env.ADMIN_TELEGRAM_IDS),
      databaseUrl: new Secret(env.DATABASE_URL, redactUrlPassword(env.DATABASE_URL)),
      databaseKind: env.DATABASE_URL.startsWith("file:") ? "sqlite" : "postgresql",
      ...(env.CODE_SECRET !== undefined ? { codeSecret: new Secret(env.CODE_SECRET) } : {}),
      defaultLanguage: env.DEFAULT_LANGUAGE,
      logLevel: env.LOG_LEVEL,
      outboxRatePerSecond: env.OUTBOX_RATE_PER_SECOND,
      outboxPerChatPerSecond: env.OUTBOX_PER_CHAT_PER_SECOND,
      allowDelegation: env.ALLOW_DELEGATION,
      ...(env.BOT_USERNAME !== undefined ? { botUsername: env.BOT_USERNAME } : {}),
      ...(env.ZALO_BOT_TOKEN !== undefined
        ? {
            zalo: {
              token: new Secret(env.ZALO_BOT_TOKEN),
              apiRoot: env.ZALO_API_ROOT.replace(/\/+$/, ""),
              mode: env.ZALO_BOT_MODE,
              ...(env.ZALO_WEBHOOK_URL !== undefined ? { webhookUrl: env.ZALO_WEBHOOK_URL } : {}),
              ...(env.ZALO_WEBHOOK_SECRET !== undefined ? { webhookSecret: new Secret(env.ZALO_WEBHOOK_SECRET) } : {}),
              webhookHost: env.ZALO_WEBHOOK_HOST,
              webhookPort: env.ZALO_WEBHOOK_PORT,
              ...(env.ZALO_BOT_LINK !== undefined ? { botLink: env.ZALO_BOT_LINK } : {}),
              ratePerSecond: env.ZALO_RATE_PER_SECOND,
              unreachableCodes: env.ZALO_UNREACHABLE_CODES,
            },
          }
        : {}),
    };
    // superRefine has guaranteed both webhook values in webhook mode.
    return env.BOT_MODE === "webhook"
      ? { ...common, botMode: "webhook", webhookUrl: env.WEBHOOK_URL!, webhookSecret: new Secret(env.WEBHOOK_SECRET!) }
      : { ...common, botMode: "polling" };
  });

/** The names of the environment variables khaosat reads. */
export const ENV_VARIABLES = Object.keys(envShape) as readonly (keyof typeof envShape)[];
