import { Composer, type Context } from "grammy";
import type { ChannelDeps } from "./conversation.js";
import type { ChatReachability } from "./ports.js";

/** How long the set of unreachable chats is reused before it is read again (default 1 minute). */
export interface ReachableAgainOptions {
  readonly refreshMs?: number;
}

/**
 * A chat the outbox marked unreachable (403: the respondent blocked the bot) that writes to the bot
 * again has unblocked it: its record is removed so reminders and broadcasts reach it again. The
 * unreachable chats are kept in memory and re-read at most once per `refreshMs`, so an ordinary
 * update costs no query.
 */
export function reachableAgainComposer(deps: ChannelDeps, reachability: ChatReachability, options: ReachableAgainOptions = {}): Composer<Context> {
  const refreshMs = options.refreshMs ?? 60_000;
  let known: Set<string> | undefined;
  let readAt = 0;
  const composer = new Composer<Context>();
  composer.use(async (ctx, next) => {
    const id = ctx.chat?.type === "private" ? ctx.chat.id : ctx.from?.id;
    if (id !== undefined) {
      const now = deps.now().getTime();
      if (known === undefined || now - readAt >= refreshMs) {
        known = new Set(await reachability.unreachableChats());
        readAt = now;
      }
      const chatId = String(id);
      if (known.has(chatId)) {
        known.delete(chatId);
        if (await reachability.clearUnreachable(chatId)) deps.logger.info({ updateId: ctx.update.update_id }, "an unreachable chat wrote again: reachable");
      }
    }
    await next();
  });
  return composer;
}
