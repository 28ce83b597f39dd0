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

/** The Zalo channel: dispatch updates (from polling or the webhook) in per-chat order. */
export class ZaloChannel {
  readonly #chains = new Map<string, Promise<void>>();
  #inFlight = 0;
  #idle: (() => void)[] = [];

  constructor(readonly options: ZaloChannelOptions) {}

  /**
   * Queues an update behind the earlier ones of its chat and returns when it is handled. Never
   * rejects: a failure is logged and the respondent gets an apology.
   */
  dispatch(update: ZaloUpdate): Promise<void> {
    const chatId = update.message?.chat?.id;
    if (chatId === undefined) {
      this.options.logger.debug({ event: update.event_name }, "zalo update without a chat ignored");
      return Promise.resolve();
    }
    const previous = this.#chains.get(chatId) ?? Promise.resolve();
    this.#inFlight++;
    const next = previous.then(() => this.#handle(update)).finally(() => {
      if (this.#chains.get(chatId) === next) this.#chains.delete(chatId);
      if (--this.#inFlight === 0) for (const resolve of this.#idle.splice(0)) resolve();
    });
    this.#chains.set(chatId, next);
    return next;
  }

  /** Resolves once every dispatched update is handled. */
  idle(): Promise<void> {
    return this.#inFlight === 0 ? Promise.resolve() : new Promise((resolve) => this.#idle.push(resolve));
  }

  async #handle(update: ZaloUpdate): Promise<void> {
    const { logger, host } = this.options;
    const message = update.message!;
    const key = updateKey(update);
    const from = message.from?.id;
    if (key === undefined || from === undefined || message.from?.is_bot === true) {
      logger.debug({ event: update.event_name }, "zalo update without message id or sender ignored");
      return;
    }
    const isText = update.event_name === ZALO_TEXT_EVENT && typeof message.text === "string";
    if (!isText && !NON_TEXT_EVENTS.has(update.event_name) && !update.event_name.startsWith("message.")) {
      logger.debug({ event: update.event_name }, "zalo event ignored");
      return;
    }
    const chatId = message.chat.id;
    let replies: string[];
    try {
      replies = await host.handle({ key, account: `zalo:${from}`, chatId, ...(isText ? { text: message.text! } : {}) });
    } catch (error) {
      logger.error({ event: update.event_name, error: describe(error) }, "zalo update failed");
      replies = [host.t(host.deps.defaultLanguage)("telegram:error")];
    }
    await this.send(chatId, replies);
    this.options.onHandled?.(update);
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
