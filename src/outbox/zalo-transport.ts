// Proactive messages on Zalo (issue 12 item 4). An outbox row meant for a Zalo chat carries the chat id
// prefixed `zalo:` (Telegram chat ids are numbers, so the two never collide, and an unreachable Zalo
// chat is recorded under its prefixed id). The routing transport sends each row through its channel's
// transport; the sender paces each channel with its own budget (ZALO_RATE_PER_SECOND for Zalo).
import { jsonPoster } from "./http-post.js";
import { parseBody, withoutAnswer, type OutboxTransport, type SendOutcome } from "./transport.js";
import type { ClaimedMessage } from "./types.js";
import { channelChatId, ZALO_CHAT_PREFIX } from "./channel.js";
import { toPlainText, ZALO_MAX_MESSAGE } from "./plain-text.js";

export { ZALO_CHAT_PREFIX, zaloOutboxChat } from "./channel.js";

/**
 * Zalo error codes taken to mean "this user cannot be written to" (blocked the bot, left): the codes
 * are not documented, so this default (403, as on Telegram) is a setting (ZALO_UNREACHABLE_CODES).
 */
export const DEFAULT_ZALO_UNREACHABLE_CODES: readonly number[] = [403];

/** Options of the Zalo transport. */
export interface ZaloTransportOptions {
  readonly token: string;
  readonly apiRoot: string;
  /** error_code values that mark the chat unreachable (default DEFAULT_ZALO_UNREACHABLE_CODES). */
  readonly unreachableCodes?: readonly number[];
  /** Give up waiting for an answer this long after the request was written (the send is then in doubt). Default 30 s. */
  readonly timeoutMs?: number;
}

/** Classifies a Zalo Bot API answer to sendMessage; the description always names error_code. */
export function classifyZaloAnswer(status: number, body: { ok?: boolean; error_code?: unknown; description?: unknown; parameters?: { retry_after?: unknown } }, unreachableCodes: readonly number[] = DEFAULT_ZALO_UNREACHABLE_CODES): SendOutcome {
  if (body.ok === true) return { kind: "sent", messageId: null };
  const code = typeof body.error_code === "number" ? body.error_code : status;
  const description = `error_code ${code}: ${typeof body.description === "string" ? body.description : `HTTP ${status}`}`;
  if (code === 429 || status === 429) return { kind: "rate_limited", retryAfterSeconds: Math.max(1, Number(body.parameters?.retry_after ?? 1)) };
  if (unreachableCodes.includes(code)) return { kind: "forbidden", description };
  if (code >= 500 || status >= 500) return { kind: "retryable", description };
  return { kind: "rejected", description };
}

/** Calls the Zalo Bot API's sendMessage for rows whose chat id starts with `zalo:`. */
export function zaloTransport(options: ZaloTransportOptions): OutboxTransport {
  const url = `${options.apiRoot.replace(/\/+$/, "")}/bot${options.token}/sendMessage`;
  const poster = jsonPoster({ timeoutMs: options.timeoutMs ?? 30_000 });
  const codes = options.unreachableCodes ?? DEFAULT_ZALO_UNREACHABLE_CODES;
  return {
    async send(message) {
      const chatId = channelChatId(message.chatId);
      // Zalo has neither parse modes nor buttons: rows are written plain (rowsForChannel), and one that
      // is not (written before, or by another path) is made plain here. Texts are at most 2,000 characters.
      const text = message.parseMode ? toPlainText(message.text, message.parseMode).trim() : message.text;
      if (text.length < 1 || text.length > ZALO_MAX_MESSAGE) return { kind: "rejected", description: `a Zalo message has 1 to ${ZALO_MAX_MESSAGE} characters, this one ${text.length}` };
      const result = await poster.post(url, JSON.stringify({ chat_id: chatId, text }));
      // Never the URL in a description (it holds the token): http-post.ts describes errors by message and code.
      if (result.kind !== "answer") return withoutAnswer(result);
      const body = parseBody<Parameters<typeof classifyZaloAnswer>[1]>(result.body);
      if (body === undefined) return result.status === 429 || result.status >= 500 ? { kind: "retryable", description: `HTTP ${result.status}` } : { kind: "unknown", description: `HTTP ${result.status} without a Bot API answer` };
      return classifyZaloAnswer(result.status, body, codes);
    },
  };
}

/** Sends `zalo:` rows through `zalo` and every other row through `telegram`; a channel not configured rejects its rows. */
export function channelTransport(transports: { readonly telegram?: OutboxTransport; readonly zalo?: OutboxTransport }): OutboxTransport {
  return {
    send(message: ClaimedMessage) {
      const zalo = message.chatId.startsWith(ZALO_CHAT_PREFIX);
      const transport = zalo ? transports.zalo : transports.telegram;
      if (transport === undefined) return Promise.resolve({ kind: "retryable", description: `${zalo ? "ZALO_BOT_TOKEN" : "TELEGRAM_BOT_TOKEN"} is not set: this message waits until that channel is configured` });
      return transport.send(message);
    },
  };
}
