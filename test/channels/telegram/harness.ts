// A respondent bot wired to in-memory ports and the fake Bot API, for handleUpdate tests.
import type { InlineKeyboardButton, Update } from "grammy/types";
import { hashCode, MemoryAccessRepository, RedemptionService, type CodeKey } from "../../../src/access/index.js";
import { createBot } from "../../../src/bot/index.js";
import {
  encodeCallback,
  MemoryBotSessionStore,
  MemoryCampaignDirectory,
  MemoryRespondentDirectory,
  sessionTag,
  type BotCampaign,
  type BotLogger,
  type BotSession,
  type TelegramPorts,
  type CallbackAction,
} from "../../../src/channels/telegram/index.js";
import type { Respondent } from "../../../src/demo/index.js";
import { createI18n } from "../../../src/i18n/index.js";
import { loadQuestionnaireFile, type Questionnaire } from "../../../src/questionnaire/index.js";
import { FakeBotApi, TEST_BOT_INFO, UpdateFactory } from "../../support/telegram.js";

export const TEST_SECRET: CodeKey = { reveal: () => "test-secret-0123456789-0123456789-abcdef" };
export const TEST_TOKEN = "123456789:AAHtestTokenTestTokenTestTokenTestTok";

/** A log line captured from the bot. */
export interface LogLine {
  readonly level: string;
  readonly data: Record<string, unknown>;
  readonly message: string;
}

export async function loadExample(name: string): Promise<Questionnaire> {
  const loaded = await loadQuestionnaireFile(new URL(`../../../examples/${name}`, import.meta.url).pathname);
  if (!loaded.ok) throw new Error(`example ${name} does not load`);
  return loaded.questionnaire;
}

export interface HarnessOptions {
  readonly questionnaire: Questionnaire;
  readonly respondents: readonly Respondent[];
  /** Code → respondent id. */
  readonly codes: Readonly<Record<string, string>>;
  readonly now?: Date;
  readonly opensAt?: Date;
  readonly closesAt?: Date;
}

/** In-memory ports with a campaign, respondents and codes, and a settable clock. */
export async function createMemoryPorts(options: HarnessOptions) {
  const clock = { now: options.now ?? new Date("2026-11-10T02:00:00Z") };
  const campaign: BotCampaign = {
    id: "c1",
    questionnaire: options.questionnaire,
    opensAt: options.opensAt ?? new Date("2026-11-01T00:00:00Z"),
    closesAt: options.closesAt ?? new Date("2026-11-30T10:00:00Z"),
    closedAt: null,
    timeZone: "Asia/Ho_Chi_Minh",
  };
  const access = new MemoryAccessRepository();
  access.setCampaign({ id: campaign.id, opensAt: campaign.opensAt, closesAt: campaign.closesAt, closedAt: null });
  await access.insertCodes(
    Object.entries(options.codes).map(([code, respondentId]) => ({
      codeHash: hashCode(code, TEST_SECRET),
      campaignId: campaign.id,
      respondentId,
      batchId: null,
      unitCode: null,
      issuedAt: clock.now,
    })),
  );
  const sessions = new MemoryBotSessionStore();
  const campaigns = new MemoryCampaignDirectory([campaign]);
  const ports: TelegramPorts = {
    codes: new RedemptionService({ repository: access, secret: TEST_SECRET }),
    campaigns,
    respondents: new MemoryRespondentDirectory(options.respondents),
    sessions,
  };
  const logs: LogLine[] = [];
  const log = (level: string) => (data: Record<string, unknown>, message: string) => void logs.push({ level, data, message });
  const logger: BotLogger = { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") };
  return { ports, sessions, access, campaign, campaigns, clock, logs, logger };
}

/** Bot, fake API, updates, stores and a settable clock. */
export async function createHarness(options: HarnessOptions) {
  const memory = await createMemoryPorts(options);
  const { clock } = memory;
  const api = new FakeBotApi();
  const bot = createBot({
    token: TEST_TOKEN,
    botInfo: TEST_BOT_INFO,
    fetch: api.fetch,
    deps: { ports: memory.ports, i18n: createI18n(), now: () => clock.now, logger: memory.logger, defaultLanguage: "vi" },
  });
  await bot.init();
  const updates = new UpdateFactory();
  return { ...memory, bot, api, updates, send: (update: Update) => bot.handleUpdate(update) };
}

export type Harness = Awaited<ReturnType<typeof createHarness>>;

/** The only session of an account. */
export async function sessionOf(h: Harness, userId: number): Promise<BotSession> {
  const session = await h.sessions.findLatest(`telegram:${userId}`);
  if (!session) throw new Error(`no session for ${userId}`);
  return session;
}

/** The callback data a live button of this session carries. */
export async function data(h: Harness, userId: number, action: CallbackAction): Promise<string> {
  return encodeCallback(sessionTag((await sessionOf(h, userId)).id), action);
}

/** The keyboard of the last message sent to the chat that had one. */
export function lastKeyboard(h: Harness, chatId: number): { messageId: number; keyboard: InlineKeyboardButton[][] } {
  const calls = h.api.callsOf("sendMessage").filter((c) => Number(c.payload.chat_id) === chatId && c.payload.reply_markup !== undefined);
  const last = calls.at(-1);
  if (!last) throw new Error("no keyboard sent");
  // Message ids of the fake increase by one per sendMessage, from 100.
  const index = h.api.callsOf("sendMessage").indexOf(last);
  return { messageId: 100 + index, keyboard: (last.payload.reply_markup as { inline_keyboard: InlineKeyboardButton[][] }).inline_keyboard };
}

/** Button texts and data of a keyboard, row by row. */
export function buttons(keyboard: InlineKeyboardButton[][]): string[][] {
  return keyboard.map((row) => row.map((b) => ("callback_data" in b ? `${b.text} | ${b.callback_data}` : b.text)));
}

/** Presses the live button whose data is `callbackData` (asserting it is on the last keyboard). */
export async function press(h: Harness, userId: number, callbackData: string): Promise<void> {
  const { messageId, keyboard } = lastKeyboard(h, userId);
  const found = keyboard.flat().some((b) => "callback_data" in b && b.callback_data === callbackData);
  if (!found) throw new Error(`no button ${callbackData} on the live keyboard:\n${buttons(keyboard).join("\n")}`);
  await h.send(h.updates.callback(userId, callbackData, messageId));
}

/** How the driver answers one question. */
export type Scripted =
  | { readonly option: string }
  | { readonly scale: number | "na" }
  | { readonly toggle: readonly string[] }
  | { readonly type: string }
  | "skip";

/**
 * Answers questions through the live buttons (or typed text) until the review, using `script` and a
 * default per type (first option, scale maximum, a number, a sentence). Returns the question ids seen.
 */
export async function answerUntilReview(
  h: Harness,
  userId: number,
  script: Readonly<Record<string, Scripted>> = {},
  stopAt?: string,
): Promise<string[]> {
  const seen: string[] = [];
  for (let guard = 0; guard < 200; guard++) {
    const session = await sessionOf(h, userId);
    const position = session.engine?.position;
    if (position?.kind !== "question") return seen;
    if (position.questionId === stopAt) return seen;
    const info = h.campaign.questionnaire.byId.get(position.questionId)!;
    const q = info.question;
    seen.push(q.id);
    const planned: Scripted =
      script[q.id] ??
      (q.type === "single"
        ? { option: q.options[0]!.id }
        : q.type === "scale"
          ? { scale: q.max }
          : q.type === "multi"
            ? { toggle: [q.options[0]!.id] }
            : q.type === "number"
              ? { type: "3" }
              : { type: "Không có ý kiến thêm." });
    const index = info.index;
    if (planned === "skip") await press(h, userId, await data(h, userId, { kind: "skip", question: index }));
    else if ("type" in planned) await h.send(h.updates.text(userId, planned.type));
    else if ("option" in planned) {
      const option = q.type === "single" ? q.options.findIndex((o) => o.id === planned.option) : -1;
      await press(h, userId, await data(h, userId, { kind: "option", question: index, option }));
    } else if ("scale" in planned) await press(h, userId, await data(h, userId, { kind: "scale", question: index, value: planned.scale }));
    else {
      const options = q.type === "multi" ? q.options : [];
      for (const id of planned.toggle) await press(h, userId, await data(h, userId, { kind: "toggle", question: index, option: options.findIndex((o) => o.id === id) }));
      await press(h, userId, await data(h, userId, { kind: "done", question: index }));
    }
  }
  throw new Error("the questionnaire did not reach the review");
}
