import type { Api } from "grammy";
import { RESPONDENT_COMMANDS, describeError, type BotLogger } from "../channels/telegram/index.js";
import type { I18n } from "../i18n/index.js";

/**
 * Publishes the command menu in Vietnamese (also the default for every other app language) and
 * English. A failure (or no answer within `timeoutMs`, default 10 s) is logged as a warning: the bot
 * works without a menu.
 */
export async function publishCommands(api: Api, i18n: I18n, logger: BotLogger, options: { readonly timeoutMs?: number } = {}): Promise<boolean> {
  const commands = (language: "vi" | "en") => {
    const t = i18n.getFixedT(language);
    return RESPONDENT_COMMANDS.map((command) => ({ command, description: t(`telegram:commands.${command}`) }));
  };
  // One deadline for the three calls: a slow or failing API must not keep a request open for long.
  // (grammY types its signal with a polyfill's AbortSignal; the platform's is what it uses at run time.)
  const signal = AbortSignal.timeout(options.timeoutMs ?? 10_000) as unknown as Parameters<Api["setMyCommands"]>[2];
  try {
    await api.setMyCommands(commands("vi"), undefined, signal);
    await api.setMyCommands(commands("vi"), { language_code: "vi" }, signal);
    await api.setMyCommands(commands("en"), { language_code: "en" }, signal);
    return true;
  } catch (error) {
    logger.warn({ error: describeError(error) }, "could not publish the command menu; continuing without it");
    return false;
  }
}
