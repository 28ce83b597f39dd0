// How the sender reaches Telegram: one sendMessage call, answered with a classified outcome. Kept
// apart from the bot's own API object so proactive traffic never delays replies to respondents.
import { jsonPoster, type PostResult } from "./http-post.js";
import type { ClaimedMessage } from "./types.js";

/** What one send attempt came to. */
export type SendOutcome =
  | { readonly kind: "sent"; readonly messageId: number | null }
  /** 429: the request was refused, nothing was delivered. */
  | { readonly kind: "rate_limited"; readonly retryAfterSeconds: number }
  /** 403: blocked by the user, deactivated account, bot kicked. */
  | { readonly kind: "forbidden"; readonly description: string }
  /** 400 "chat not found". */
  | { readonly kind: "chat_not_found"; readonly description: string }
  /** Another 4xx: the request itself is wrong (bad markup, too long); retrying cannot help. */
  | { readonly kind: "rejected"; readonly description: string }
  /** 5xx, or a request never written to a socket (no connection, or none in time): not delivered, worth retrying. */
  | { readonly kind: "retryable"; readonly description: string }
  /** The request may have reached Telegram but no answer came (timeout, reset mid-call). */
  | { readonly kind: "unknown"; readonly description: string };

/** Sends one outbox message. */
export interface OutboxTransport {
  send(message: ClaimedMessage): Promise<SendOutcome>;
}

/** Options of the HTTP transport. */
export interface FetchTransportOptions {
  readonly token: string;
  /** Bot API root, default https://api.telegram.org. */
  readonly apiRoot?: string;
  /** Give up waiting for an answer this long after the request was written (the send is then in doubt). Default 30 s. */
  readonly timeoutMs?: number;
}

/** Classifies a Bot API answer (status and JSON body). */
export function classifyAnswer(status: number, body: { ok?: boolean; result?: { message_id?: number }; description?: string; parameters?: { retry_after?: number } }): SendOutcome {
  if (body.ok === true) return { kind: "sent", messageId: typeof body.result?.message_id === "number" ? body.result.message_id : null };
  const description = body.description ?? `HTTP ${status}`;
  if (status === 429) return { kind: "rate_limited", retryAfterSeconds: Math.max(1, Number(body.parameters?.retry_after ?? 1)) };
  if (status === 403) return { kind: "forbidden", description };
  if (status === 400 && /chat not found/i.test(description)) return { kind: "chat_not_found", description };
  if (status >= 400 && status < 500) return { kind: "rejected", description: `${status} ${description}` };
  return { kind: "retryable", description: `${status} ${description}` };
}

/**
 * What a POST that got no Bot API verdict came to: a request never written to a socket was not sent
 * (retried); one written without a complete answer is in doubt.
 */
export function withoutAnswer(result: Exclude<PostResult, { kind: "answer" }>): SendOutcome {
  return result.kind === "not_sent" ? { kind: "retryable", description: result.description } : { kind: "unknown", description: result.description };
}

/** Parses an answer's JSON body; undefined when it is not JSON (a proxy's error page). */
export function parseBody<T>(text: string): T | undefined {
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

/**
 * A transport calling the Bot API's sendMessage over HTTP with its own keep-alive connections. A
 * request is written once its connection is up, and the answer timeout runs from then (http-post.ts).
 */
export function fetchTransport(options: FetchTransportOptions): OutboxTransport {
  const root = (options.apiRoot ?? "https://api.telegram.org").replace(/\/+$/, "");
  const url = `${root}/bot${options.token}/sendMessage`;
  const poster = jsonPoster({ timeoutMs: options.timeoutMs ?? 30_000 });
  return {
    async send(message) {
      const payload: Record<string, unknown> = { chat_id: message.chatId, text: message.text, link_preview_options: { is_disabled: true } };
      if (message.parseMode) payload.parse_mode = message.parseMode;
      if (message.replyMarkup) payload.reply_markup = message.replyMarkup;
      const result = await poster.post(url, JSON.stringify(payload));
      if (result.kind !== "answer") return withoutAnswer(result);
      const body = parseBody<Parameters<typeof classifyAnswer>[1]>(result.body);
      // An answer without a JSON body: a proxy's error page, not Telegram's verdict.
      if (body === undefined) return result.status >= 500 ? { kind: "retryable", description: `HTTP ${result.status}` } : { kind: "unknown", description: `HTTP ${result.status} without a Bot API answer` };
      return classifyAnswer(result.status, body);
    },
  };
}
