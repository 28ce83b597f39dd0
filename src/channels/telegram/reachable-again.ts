import { Composer, type Context } from "grammy";
import { ReachableAgain, type ReachableAgainOptions } from "../../conversation/reachable-again.js";
import type { ChannelDeps } from "./conversation.js";
import type { ChatReachability } from "./ports.js";

export type { ReachableAgainOptions };

/** Telegram's side of "reachable again" (`ReachableAgain`): the chat of every update. */
export function reachableAgainComposer(deps: ChannelDeps, reachability: ChatReachability, options: ReachableAgainOptions = {}): Composer<Context> {
  const watcher = new ReachableAgain(reachability, deps.now, deps.logger, options);
  const composer = new Composer<Context>();
  composer.use(async (ctx, next) => {
    const id = ctx.chat?.type === "private" ? ctx.chat.id : ctx.from?.id;
    if (id !== undefined) await watcher.wrote(String(id), { updateId: ctx.update.update_id });
    await next();
  });
  return composer;
}
