import { Composer, type Context } from "grammy";
import type { TextConversationHost } from "../../conversation/host.js";
import type { ChannelDeps } from "./conversation.js";
import { viaHost } from "./host-adapter.js";

/**
 * The respondent's messages, through the conversation host: `/start`, `/start KS_<code>` and
 * `/start KP_<token>` (deep links), typed messages (a code, a poster's code, an answer, a command
 * word) and `/back`, `/skip`, `/review`, `/lang`. A respondent who already redeemed goes straight back to
 * where they were.
 */
export function entryComposer(deps: ChannelDeps, host: TextConversationHost): Composer<Context> {
  const composer = new Composer<Context>();
  const dm = composer.chatType("private");

  dm.command("start", (ctx) => viaHost(deps, host, ctx, { start: ctx.match }));

  // A typed message: a code, an answer, a command word; and the survey commands /back, /skip, /review, /lang.
  dm.command(["back", "skip", "review", "lang"], (ctx) => viaHost(deps, host, ctx, { text: ctx.message?.text ?? "" }));
  dm.on("message:text", async (ctx, next) => {
    if (ctx.message.text.startsWith("/")) return next();
    await viaHost(deps, host, ctx, { text: ctx.message.text });
  });

  return composer;
}
