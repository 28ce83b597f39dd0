// How the sender reaches Telegram: one sendMessage call, answered with a classified outcome. Kept
// apart from the bot's own API object so proactive traffic never delays replies to respondents.
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
  /** 5xx or a connection that could not be made: not delivered, worth retrying. */
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
  /** Give up waiting for an answer after this long (the send is then in doubt). Default 30 s. */
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
}

// Errors raised before any byte of the request could have reached the server.
const NOT_CONNECTED = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH/;

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

/** A transport calling the Bot API's sendMessage over HTTP with keep-alive connections. */
export function fetchTransport(options: FetchTransportOptions): OutboxTransport {
  const root = (options.apiRoot ?? "https://api.telegram.org").replace(/\/+$/, "");
  const url = `${root}/bot${options.token}/sendMessage`;
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 30_000;
  return {
    async send(message) {
      const payload: Record<string, unknown> = { chat_id: message.chatId, text: message.text, link_preview_options: { is_disabled: true } };
      if (message.parseMode) payload.parse_mode = message.parseMode;
      if (message.replyMarkup) payload.reply_markup = message.replyMarkup;
      let response: Response;
      try {
        response = await doFetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(payload),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        const text = describe(error);
        return NOT_CONNECTED.test(text) ? { kind: "retryable", description: text } : { kind: "unknown", description: text };
      }
      let body: Parameters<typeof classifyAnswer>[1];
      try {
        body = (await response.json()) as typeof body;
      } catch {
        // An answer without a JSON body: a proxy's error page, not Telegram's verdict.
        return response.status >= 500 ? { kind: "retryable", description: `HTTP ${response.status}` } : { kind: "unknown", description: `HTTP ${response.status} without a Bot API answer` };
      }
      return classifyAnswer(response.status, body);
    },
  };
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  const code = cause && typeof cause === "object" && "code" in cause ? String((cause as { code: unknown }).code) : "";
  return [error.name === "TimeoutError" ? "no answer within the timeout" : error.message, code].filter(Boolean).join(" ");
}
