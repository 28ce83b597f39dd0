// The bot with its admin commands wired to a real (SQLite) database and the fake Bot API.
import type { InlineKeyboardButton, Update } from "grammy/types";
import { MemoryAccessRepository, RedemptionService } from "../../../../src/access/index.js";
import { createBot } from "../../../../src/bot/index.js";
import { auditStateStore, BroadcastProgress, databaseParticipation, outboxBroadcasts, type ExportFile } from "../../../../src/channels/telegram/admin/index.js";
import { MemoryBotSessionStore, MemoryCampaignDirectory, MemoryRespondentDirectory } from "../../../../src/channels/telegram/index.js";
import { createI18n } from "../../../../src/i18n/index.js";
import { ReminderService } from "../../../../src/reminders/index.js";
import { FakeBotApi, TEST_BOT_INFO, UpdateFactory } from "../../../support/telegram.js";
import { TEST_SECRET, TEST_TOKEN } from "../harness.js";
import type { Fixture } from "./fixture.js";

/** The configured admin. */
export const ADMIN = 900001;

/** Builds a bot on the fixture's database; a second call is a second instance (no shared memory). */
export async function createAdminBot(f: Fixture, clock: { now: Date }, options: { responses?: (campaignId: string) => Promise<ExportFile> } = {}) {
  const i18n = createI18n();
  const api = new FakeBotApi();
  const logs: string[] = [];
  const log = (level: string) => (_data: Record<string, unknown>, message: string) => void logs.push(`${level}: ${message}`);
  const logger = { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") };
  let drafts = 0;
  const state = auditStateStore(f.db.audit);
  const broadcasts = outboxBroadcasts(f.store.messaging, f.store.outbox);
  const bot = createBot({
    token: TEST_TOKEN,
    botInfo: TEST_BOT_INFO,
    fetch: api.fetch,
    deps: {
      ports: {
        codes: new RedemptionService({ repository: new MemoryAccessRepository(), secret: TEST_SECRET }),
        campaigns: new MemoryCampaignDirectory(),
        respondents: new MemoryRespondentDirectory(),
        sessions: new MemoryBotSessionStore(),
      },
      i18n,
      now: () => clock.now,
      logger,
      defaultLanguage: "vi",
    },
    admin: {
      ids: [ADMIN],
      newDraftId: () => `d${++drafts}${Math.random().toString(36).slice(2, 6)}`,
      ports: {
        campaigns: f.db.campaigns,
        participation: databaseParticipation(f.db),
        reminders: new ReminderService(f.store.messaging, i18n),
        broadcasts,
        audit: f.db.audit,
        state,
        ...(options.responses ? { responses: { responses: options.responses } } : {}),
      },
    },
  });
  await bot.init();
  const progress = new BroadcastProgress({ api: bot.api, broadcasts, state, audit: f.db.audit, i18n, logger });
  const updates = new UpdateFactory();
  return { bot, api, updates, progress, logs, send: (u: Update) => bot.handleUpdate(u) };
}

export type AdminBot = Awaited<ReturnType<typeof createAdminBot>>;

/** The last message sent to a chat with an inline keyboard: its id and buttons as "text | data". */
export function lastKeyboard(b: AdminBot, chatId = ADMIN): { messageId: number; buttons: string[][]; data: Map<string, string> } {
  const sent = b.api.calls.filter((c) => c.method === "sendMessage" || c.method === "sendDocument");
  const index = sent.findLastIndex((c) => Number(c.payload.chat_id) === chatId && c.method === "sendMessage" && c.payload.reply_markup !== undefined);
  if (index < 0) throw new Error("no keyboard sent");
  const keyboard = (sent[index]!.payload.reply_markup as { inline_keyboard: InlineKeyboardButton[][] }).inline_keyboard;
  const data = new Map<string, string>();
  const buttons = keyboard.map((row) =>
    row.map((btn) => {
      const cb = "callback_data" in btn ? btn.callback_data : "";
      data.set(btn.text, cb);
      return `${btn.text} | ${cb.replace(/^adm:[^:]+:/, "adm:*:")}`;
    }),
  );
  // The fake numbers sendMessage and sendDocument results from 100 in call order.
  return { messageId: 100 + index, buttons, data };
}

/** Presses the button with this text on the last keyboard. */
export async function press(b: AdminBot, text: string, chatId = ADMIN): Promise<void> {
  const { messageId, data } = lastKeyboard(b, chatId);
  const cb = data.get(text);
  if (cb === undefined) throw new Error(`no button "${text}" (have: ${[...data.keys()].join(", ")})`);
  await b.send(b.updates.callback(chatId, cb, messageId));
}

/** Texts sent to a chat since `from` (an index into the calls). */
export function textsSince(b: AdminBot, from: number, chatId = ADMIN): string[] {
  return b.api.calls
    .slice(from)
    .filter((c) => c.method === "sendMessage" && Number(c.payload.chat_id) === chatId)
    .map((c) => String(c.payload.text));
}
