import type { Update, UserFromGetMe } from "grammy/types";

/** The bot identity used by every offline Telegram test. */
export const TEST_BOT_INFO: UserFromGetMe = {
  id: 7000000001,
  is_bot: true,
  first_name: "Khảo sát",
  username: "khaosat_test_bot",
  can_join_groups: false,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
  has_topics_enabled: false,
  allows_users_to_create_topics: false,
} as UserFromGetMe;

/** One Bot API call seen by the fake: method name and the JSON payload (multipart payloads keep only their text fields). */
export interface RecordedCall {
  readonly method: string;
  readonly payload: Record<string, unknown>;
}

/** A canned failure for the next call(s) of a method, as Telegram would answer. */
export interface InjectedFailure {
  readonly method?: string;
  readonly error_code: number;
  readonly description: string;
  readonly parameters?: { retry_after?: number };
  /** How many calls fail; default 1. */
  times?: number;
}

/**
 * A fake Bot API given to grammY as the client's `fetch`: it records every call, answers like Telegram
 * (message ids increase per chat), and can inject failures. Nothing reaches the network.
 */
export class FakeBotApi {
  readonly calls: RecordedCall[] = [];
  private readonly failures: InjectedFailure[] = [];
  private readonly holds = new Map<string, Promise<void>>();
  private nextMessageId = 100;

  /** The function to pass as `new Bot(token, { botInfo, client: { fetch } })`. */
  readonly fetch = (async (input: unknown, init?: { body?: unknown; headers?: unknown }) => {
    const url = typeof input === "string" ? input : String((input as { url?: string }).url ?? input);
    const method = url.slice(url.lastIndexOf("/") + 1);
    const payload = await readPayload(init);
    this.calls.push({ method, payload });
    const held = this.holds.get(method);
    if (held) await held;
    const failure = this.failures.find((f) => f.method === undefined || f.method === method);
    if (failure) {
      failure.times = (failure.times ?? 1) - 1;
      if (failure.times <= 0) this.failures.splice(this.failures.indexOf(failure), 1);
      const { error_code, description, parameters } = failure;
      return jsonResponse({ ok: false, error_code, description, ...(parameters ? { parameters } : {}) });
    }
    return jsonResponse({ ok: true, result: this.result(method, payload) });
  }) as unknown as typeof fetch;

  /** Holds the answers to calls of `method` (recorded as they arrive) until the returned function is called. */
  hold(method: string): () => void {
    let release!: () => void;
    this.holds.set(method, new Promise<void>((resolve) => (release = resolve)));
    return () => {
      this.holds.delete(method);
      release();
    };
  }

  /** Makes the next matching call(s) fail. */
  fail(failure: InjectedFailure): void {
    this.failures.push({ ...failure });
  }

  /** Calls of one method, in order. */
  callsOf(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Texts sent with sendMessage (and edited with editMessageText when `withEdits`), in order. */
  sentTexts(chatId?: number, withEdits = false): string[] {
    return this.calls
      .filter((c) => c.method === "sendMessage" || (withEdits && c.method === "editMessageText"))
      .filter((c) => chatId === undefined || Number(c.payload.chat_id) === chatId)
      .map((c) => String(c.payload.text));
  }

  /** Forgets recorded calls. */
  clear(): void {
    this.calls.length = 0;
  }

  private result(method: string, payload: Record<string, unknown>): unknown {
    const chat = { id: Number(payload.chat_id ?? 0), type: "private" as const, first_name: "Test" };
    switch (method) {
      case "getMe":
        return TEST_BOT_INFO;
      case "sendMessage":
        return { message_id: this.nextMessageId++, date: 1_700_000_000, chat, text: payload.text };
      case "sendDocument":
        return { message_id: this.nextMessageId++, date: 1_700_000_000, chat, document: { file_id: "f", file_unique_id: "u" } };
      case "editMessageText":
        return { message_id: Number(payload.message_id), date: 1_700_000_000, chat, text: payload.text };
      default:
        return true;
    }
  }
}

async function readPayload(init?: { body?: unknown; headers?: unknown }): Promise<Record<string, unknown>> {
  const body = init?.body;
  if (body === undefined || body === null) return {};
  if (typeof body === "string") return JSON.parse(body) as Record<string, unknown>;
  // Multipart uploads arrive as an async iterable of chunks: keep the plain form fields.
  const chunks: Uint8Array[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array | string>) {
    chunks.push(typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk);
  }
  const text = Buffer.concat(chunks).toString("latin1");
  const fields: Record<string, unknown> = {};
  const files = new Map<string, UploadedFile>();
  const part = /content-disposition:form-data;name="([^"]+)"(?:;filename=([^\r\n]*))?\r\n(?:content-type:[^\r\n]*\r\n)?\r\n([\s\S]*?)\r\n--/g;
  for (const [, name, filename, body] of text.matchAll(part)) {
    if (filename !== undefined) files.set(name!, { filename, content: Buffer.from(body!, "latin1") });
    else fields[name!] = Buffer.from(body!, "latin1").toString("utf8");
  }
  // Files are sent as separate parts referenced by "attach://<id>": put them back in their field.
  for (const [key, value] of Object.entries(fields)) {
    if (typeof value === "string" && value.startsWith("attach://")) fields[key] = files.get(value.slice(9)) ?? value;
  }
  return fields;
}

/** A file uploaded through the fake (e.g. an export sent with sendDocument). */
export interface UploadedFile {
  readonly filename: string;
  readonly content: Buffer;
}

function jsonResponse(value: unknown): Response {
  return new Response(JSON.stringify(value), { status: 200, headers: { "content-type": "application/json" } });
}

/** Builds hand-made updates with increasing update ids. */
export class UpdateFactory {
  private updateId = 1;
  private messageId = 1;

  constructor(private readonly baseDate = 1_790_000_000) {}

  /** A private text message (commands included) from `userId`. */
  text(userId: number, text: string, extra: { languageCode?: string; updateId?: number } = {}): Update {
    const entities = text.startsWith("/") ? [{ type: "bot_command" as const, offset: 0, length: text.split(/\s/)[0]!.length }] : undefined;
    return {
      update_id: extra.updateId ?? this.updateId++,
      message: {
        message_id: this.messageId++,
        date: this.baseDate,
        chat: { id: userId, type: "private", first_name: `User ${userId}` },
        from: { id: userId, is_bot: false, first_name: `User ${userId}`, ...(extra.languageCode ? { language_code: extra.languageCode } : {}) },
        text,
        ...(entities ? { entities } : {}),
      },
    } as Update;
  }

  /** A callback query (inline button press) from `userId` on the bot message `messageId`. */
  callback(userId: number, data: string, messageId: number, extra: { updateId?: number } = {}): Update {
    return {
      update_id: extra.updateId ?? this.updateId++,
      callback_query: {
        id: `cb${this.updateId}`,
        chat_instance: "ci",
        from: { id: userId, is_bot: false, first_name: `User ${userId}` },
        data,
        message: {
          message_id: messageId,
          date: this.baseDate,
          chat: { id: userId, type: "private", first_name: `User ${userId}` },
          from: { id: TEST_BOT_INFO.id, is_bot: true, first_name: TEST_BOT_INFO.first_name },
          text: "…",
        },
      },
    } as Update;
  }

  /** A sticker (non-text message) from `userId`. */
  sticker(userId: number): Update {
    return {
      update_id: this.updateId++,
      message: {
        message_id: this.messageId++,
        date: this.baseDate,
        chat: { id: userId, type: "private", first_name: `User ${userId}` },
        from: { id: userId, is_bot: false, first_name: `User ${userId}` },
        sticker: { file_id: "s", file_unique_id: "s", type: "regular", width: 1, height: 1, is_animated: false, is_video: false },
      },
    } as Update;
  }
}
