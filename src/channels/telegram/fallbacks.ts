import { Composer, type Context } from "grammy";
import { accountOf, initialLanguage, translator, type ChannelDeps } from "./conversation.js";

/** What no other feature handled: stickers, photos, voice, unknown commands and unknown buttons. */
export function fallbacksComposer(deps: ChannelDeps): Composer<Context> {
  const composer = new Composer<Context>();
  const languageOf = async (ctx: Context) => {
    const account = accountOf(ctx);
    const latest = account ? await deps.ports.sessions.findLatest(account) : undefined;
    return translator(deps, latest?.language ?? initialLanguage(deps, ctx));
  };
  // Garbage or foreign callback data: a short notice on the button, nothing changes.
  composer.on("callback_query", async (ctx) => {
    await ctx.answerCallbackQuery({ text: (await languageOf(ctx))("telegram:notice.invalid") });
  });
  composer.chatType("private").on("message:text", async (ctx) => {
    // Unknown commands.
    await ctx.reply((await languageOf(ctx))("telegram:help.text"));
  });
  composer.chatType("private").on("message", async (ctx) => {
    await ctx.reply((await languageOf(ctx))("telegram:nonText"));
  });
  return composer;
}
