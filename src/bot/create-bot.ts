import { autoRetry } from "@grammyjs/auto-retry";
import { sequentialize } from "@grammyjs/runner";
import type { BotError, NextFunction, Transformer } from "grammy";
import { Bot, type Context } from "grammy";
import type { UserFromGetMe } from "grammy/types";
import { cacheCampaigns, commandsComposer, entryComposer, fallbacksComposer, questionsComposer, resumeButtonComposer } from "../channels/telegram/index.js";
import { accountOf, describeError, rememberLatest, translator, initialLanguage, type BotSessionStore, type ChannelDeps } from "../channels/telegram/index.js";
import { adminComposer, type AdminOptions } from "../channels/telegram/admin/index.js";
import type { CitizenCompletion } from "../conversation/path.js";
import { reachableAgainComposer } from "../channels/telegram/reachable-again.js";
import { TextConversationHost } from "../conversation/host.js";

/** How the bot reaches the Bot API (tests pass a fake `fetch` or a loopback `apiRoot`). */
export interface CreateBotOptions {
  readonly token: string;
  readonly deps: ChannelDeps;
  /** Known bot identity: skips `getMe` (tests, and start-up when the API is slow). */
  readonly botInfo?: UserFromGetMe;
  /** A self-hosted Bot API server (TELEGRAM_API_ROOT). */
  readonly apiRoot?: string;
  readonly fetch?: typeof fetch;
  /** Retries on 429 and 5xx; default on, waiting at most `maxRetryDelaySeconds` (default 60). */
  readonly autoRetry?: boolean;
  readonly maxRetryDelaySeconds?: number;
  /** How long a campaign (questionnaire, window) is reused between updates; 0 reads it every time. Default 5 s. */
  readonly campaignCacheMs?: number;
  /** Citizens' feedback (issue 7): spends anonymous codes and forgets the chat after submission. */
  readonly citizens?: CitizenCompletion;
  /** Organisers' commands for ADMIN_TELEGRAM_IDS; absent: no admin commands. */
  readonly admin?: AdminOptions;
  /** Where the Bot API calls go instead of HTTP from here (the bot on its own thread, host-worker.ts); auto-retry stays around it. */
  readonly callThrough?: Transformer;
}

/** A bot's connection to the Bot API, without features: retries on 429 and 5xx (not at start-up). */
export function apiBot(options: Pick<CreateBotOptions, "token" | "botInfo" | "apiRoot" | "fetch" | "autoRetry" | "maxRetryDelaySeconds" | "callThrough">): Bot<Context> {
  const bot = new Bot<Context>(options.token, {
    ...(options.botInfo ? { botInfo: options.botInfo } : {}),
    client: {
      ...(options.apiRoot ? { apiRoot: options.apiRoot } : {}),
      ...(options.fetch ? { fetch: options.fetch as never } : {}),
    },
  });
  // The first transformer installed is the innermost: it replaces the HTTP call itself.
  if (options.callThrough) bot.api.config.use(options.callThrough);
  if (options.autoRetry !== false) {
    const retry = autoRetry({ maxRetryAttempts: 5, maxDelaySeconds: options.maxRetryDelaySeconds ?? 60, rethrowInternalServerErrors: false });
    // getMe runs once at start-up, where an unreachable API must fail fast with a clear message;
    // setMyCommands (the menu, published in the background) is not worth minutes of retries either.
    bot.api.config.use((prev, method, payload, signal) => (method === "getMe" || method === "setMyCommands" ? prev(method, payload, signal) : retry(prev, method, payload, signal)));
  }
  return bot;
}

/**
 * Builds the respondent bot: dedupe by `update_id`, then the features in order (entry, identity and
 * attestation, questions, commands, fallbacks) behind an error boundary, so one respondent's failure
 * is logged with its update id and answered with an apology, never affecting anyone else.
 */
export function createBot(options: CreateBotOptions): Bot<Context> {
  // Update ids whose handling committed (and so marked them processed); the rest are marked after.
  const committed = new Set<number | string>();
  const store = options.deps.ports.sessions;
  const sessions: BotSessionStore = {
    isProcessed: (updateId) => store.isProcessed(updateId),
    begin: (updateId, account) => store.begin(updateId, account),
    findLatest: (account) => store.findLatest(account),
    findFor: (account, campaignId, respondentId, codeId) => store.findFor(account, campaignId, respondentId, codeId),
    findInCampaign: (account, campaignId) => store.findInCampaign(account, campaignId),
    commit: async (updateId, write) => {
      const result = await store.commit(updateId, write);
      committed.add(updateId);
      return result;
    },
    markProcessed: async (updateId) => {
      await store.markProcessed(updateId);
      committed.add(updateId);
    },
    setPrompt: (sessionId, prompt) => store.setPrompt(sessionId, prompt),
    newId: () => store.newId(),
    end: async (updateId) => {
      await store.end?.(updateId);
    },
  };
  const campaigns = options.campaignCacheMs === 0 ? options.deps.ports.campaigns : cacheCampaigns(options.deps.ports.campaigns, { ttlMs: options.campaignCacheMs ?? 5_000 });
  const deps: ChannelDeps = { ...options.deps, ports: { ...options.deps.ports, campaigns, sessions } };
  // The conversation host every channel shares (entry, redemption, posters, identity), in Telegram's wording.
  const host = new TextConversationHost({
    channel: "telegram",
    codes: deps.ports.codes,
    campaigns,
    campaignCacheMs: 0,
    respondents: deps.ports.respondents,
    sessions,
    i18n: deps.i18n,
    now: deps.now,
    defaultLanguage: deps.defaultLanguage,
    logger: deps.logger,
    lockedHelpKey: null,
    languageChooser: true,
    drawsEvents: true,
    wording: { welcome: "telegram:welcome", codePrompt: "telegram:code.prompt", resume: "telegram:resume", boundToOther: "telegram:code.boundToOther", submitted: "telegram:submitted", useButtons: "telegram:useButtons", noSession: "telegram:noSession", afterSubmit: null },
    ...(options.citizens ? { citizens: options.citizens } : {}),
  });
  const bot = apiBot(options);

  // One chat's updates run one after another (the runner and concurrent webhooks would interleave them).
  bot.use(sequentialize((ctx: Context) => (ctx.chat?.id ?? ctx.from?.id)?.toString()));

  // Only private chats: the survey is personal, and groups must never see anyone's answers. An update
  // from a group (a message, or a button on a message there) ends here: nothing read, stored or sent.
  // (grammY's `bot.drop(predicate)` without middleware stops nothing: it only skips what is chained to it.)
  bot.use((ctx, next) => (ctx.chat !== undefined && ctx.chat.type !== "private" ? undefined : next()));

  // A redelivered update (same update_id) was already stored and answered: change nothing. The same
  // read brings the sender's latest session, which the handlers then use instead of reading again.
  // (Each commit also refuses an already processed update inside its transaction, so a redelivery
  // racing the first delivery on another instance stores nothing either.)
  const dedupe = async (ctx: Context, next: NextFunction) => {
    const start = await deps.ports.sessions.begin(ctx.update.update_id, accountOf(ctx));
    if (start.processed) {
      deps.logger.debug({ updateId: ctx.update.update_id }, "duplicate update ignored");
      if (ctx.callbackQuery) await ctx.answerCallbackQuery().catch(() => undefined);
      return;
    }
    rememberLatest(ctx, start.latest);
    const updateId = ctx.update.update_id;
    try {
      await next();
      // Handled without a commit (a wrong code, /help, a notice): mark it too, so a redelivery does not
      // count another attempt or send the reply again. A failed update stays unmarked: a retry may succeed.
      if (!committed.has(updateId)) await deps.ports.sessions.markProcessed(updateId);
    } finally {
      committed.delete(updateId);
      // Several instances: the account's lock is released once the update is marked (a redelivery
      // on another instance then finds it processed); a failed update releases it here.
      await deps.ports.sessions.end?.(updateId);
    }
  };

  // Inside the boundary: a failing read is that respondent's error, answered with the apology.
  bot.errorBoundary(
    async (error) => {
      logError(deps, error);
      await apologise(deps, error.ctx);
    },
    dedupe,
    ...(deps.ports.reachability ? [reachableAgainComposer(deps, deps.ports.reachability)] : []),
    ...(options.admin ? [adminComposer(deps, options.admin)] : []),
    resumeButtonComposer(deps, host),
    entryComposer(deps, host),
    questionsComposer(deps, host),
    commandsComposer(deps),
    fallbacksComposer(deps),
  );

  // Errors outside the boundary (the boundary's own handler): logged; the runner and webhook keep going.
  bot.catch((error) => logError(deps, error));
  return bot;
}

function logError(deps: ChannelDeps, error: BotError<Context>): void {
  // Never the update itself: it may hold a code or an answer.
  deps.logger.error({ updateId: error.ctx.update.update_id, error: describeError(error.error) }, "update failed");
}

/** The apology for an update that failed, in the sender's language: an alert on a pressed button, or a message. */
export async function apologise(deps: Pick<ChannelDeps, "i18n" | "defaultLanguage" | "logger">, ctx: Context): Promise<void> {
  try {
    const t = translator(deps, initialLanguage(deps, ctx));
    if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: t("telegram:error").slice(0, 190), show_alert: true });
    else if (ctx.chat) await ctx.api.sendMessage(ctx.chat.id, t("telegram:error"));
  } catch (error) {
    deps.logger.warn({ updateId: ctx.update.update_id, error: describeError(error) }, "could not send the apology");
  }
}
