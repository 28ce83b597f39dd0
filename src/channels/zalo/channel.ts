// The Zalo adapter: turns Bot API updates into the conversation host's messages and sends its
// replies as text (split at 2,000 characters on line boundaries). Zalo updates carry no update_id:
// the dedupe key is `<event_name>:<message_id>`, stored with the step like Telegram's update ids.
// One chat's updates are handled one after another, in the order they arrived; chats run in parallel.
import { splitMessage, type TextConversationHost, type TextMessage } from "../../conversation/index.js";
import type { BotLogger } from "../telegram/ports.js";
import { redactToken, ZALO_MAX_TEXT, type ZaloClient, type ZaloUpdate } from "./client.js";

/** Event names of messages the host reads; other `message.*.received` get the polite "please type". */
export const ZALO_TEXT_EVENT = "message.text.received";
const NON_TEXT_EVENTS = new Set(["message.image.received", "message.sticker.received", "message.unsupported.received", "message.file.received", "message.audio.received", "message.video.received", "message.link.received", "message.location.received"]);

/**
 * The conversation host as the channel uses it: a `TextConversationHost`, or the same host on a
 * thread of its own (src/bot/host-thread.ts), which `khaosat start` uses.
 */
export interface ZaloHost {
  handle(message: TextMessage): Promise<string[]>;
  t: TextConversationHost["t"];
  readonly deps: Pick<TextConversationHost["deps"], "defaultLanguage">;
}

/** What the channel is built from. */
export interface ZaloChannelOptions {
  readonly client: ZaloClient;
  readonly host: ZaloHost;
  readonly logger: BotLogger;
  /** Told after each update is handled (benchmarks, tests). */
  readonly onHandled?: (update: ZaloUpdate) => void;
}

/** The dedupe key of an update, or undefined when it has no message id. */
export function updateKey(update: ZaloUpdate): string | undefined {
  const id = update.message?.message_id;
  return id === undefined || id === "" ? undefined : `${update.event_name}:${id}`;
}

/**
 * The Zalo channel: dispatch updates (from polling or the webhook) in per-chat order. A chat's
 * updates are handled one after another, and their replies sent one after another; the next update
 * of a chat is handed to the host as soon as the previous one's step is stored, while its replies
 * are still on their way (so a host on its own thread never waits for the network).
 */
export class ZaloChannel {
  /** Per chat: the last update's handling (its step stored, its replies known). */
  readonly #handled = new Map<string, Promise<unknown>>();
  /** Per chat: the last update's replies sent. */
  readonly #sent = new Map<string, Promise<void>>();
  #inFlight = 0;
  #idle: (() => void)[] = [];

  constructor(readonly options: ZaloChannelOptions) {}

  /**
   * Queues an update behind the earlier ones of its chat and returns when it is handled and its
   * replies sent. Never rejects: a failure is logged and the respondent gets an apology.
   */
  dispatch(update: ZaloUpdate): Promise<void> {
    const chatId = update.message?.chat?.id;
    if (chatId === undefined) {
      this.options.logger.debug({ event: update.event_name }, "zalo update without a chat ignored");
      return Promise.resolve();
    }
    this.#inFlight++;
    const handled = (this.#handled.get(chatId) ?? Promise.resolve()).then(() => this.#reply(update));
    this.#handled.set(chatId, handled);
    const sent = Promise.all([this.#sent.get(chatId), handled]).then(async ([, replies]) => {
      if (replies === undefined) return;
      await this.send(update.message!.chat.id, replies);
      this.options.onHandled?.(update);
    });
    this.#sent.set(chatId, sent);
    return sent.finally(() => {
      if (this.#handled.get(chatId) === handled) this.#handled.delete(chatId);
      if (this.#sent.get(chatId) === sent) this.#sent.delete(chatId);
      if (--this.#inFlight === 0) for (const resolve of this.#idle.splice(0)) resolve();
    });
  }

  /** Resolves once every dispatched update is handled. */
  idle(): Promise<void> {
    return this.#inFlight === 0 ? Promise.resolve() : new Promise((resolve) => this.#idle.push(resolve));
  }

  /** The host's replies to an update (stored before they are returned); undefined for an update the channel ignores. Never rejects. */
  async #reply(update: ZaloUpdate): Promise<string[] | undefined> {
    const { logger, host } = this.options;
    const message = update.message!;
    const key = updateKey(update);
    const from = message.from?.id;
    if (key === undefined || from === undefined || message.from?.is_bot === true) {
      logger.debug({ event: update.event_name }, "zalo update without message id or sender ignored");
      return undefined;
    }
    const isText = update.event_name === ZALO_TEXT_EVENT && typeof message.text === "string";
    if (!isText && !NON_TEXT_EVENTS.has(update.event_name) && !update.event_name.startsWith("message.")) {
      logger.debug({ event: update.event_name }, "zalo event ignored");
      return undefined;
    }
    try {
      return await host.handle({ key, account: `zalo:${from}`, chatId: message.chat.id, ...(isText ? { text: message.text! } : {}) });
    } catch (error) {
      logger.error({ event: update.event_name, error: describe(error) }, "zalo update failed");
      return [host.t(host.deps.defaultLanguage)("telegram:error")];
    }
  }

  /** Sends replies in order, each split to Zalo's limit; a failure is logged (the answers are stored already). */
  async send(chatId: string, replies: readonly string[]): Promise<void> {
    for (const reply of replies) {
      for (const part of splitMessage(reply, ZALO_MAX_TEXT)) {
        try {
          await this.options.client.sendMessage(chatId, part);
        } catch (error) {
          this.options.logger.warn({ error: describe(error) }, "zalo sendMessage failed");
          return;
        }
      }
    }
  }
}

function describe(error: unknown): string {
  return redactToken(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
}
