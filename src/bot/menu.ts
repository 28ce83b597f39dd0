import type { Api } from "grammy";
import { RESPONDENT_COMMANDS, describeError, type BotLogger } from "../channels/telegram/index.js";
import type { I18n } from "../i18n/index.js";

/**
 * Publishes the command menu in Vietnamese (also the default for every other app language) and
 * English. A failure is logged as a warning: the bot works without a menu.
 */
export async function publishCommands(api: Api, i18n: I18n, logger: BotLogger): Promise<boolean> {
  const commands = (language: "vi" | "en") => {
    const t = i18n.getFixedT(language);
    return RESPONDENT_COMMANDS.map((command) => ({ command, description: t(`telegram:commands.${command}`) }));
  };
  try {
    await api.setMyCommands(commands("vi"));
    await api.setMyCommands(commands("vi"), { language_code: "vi" });
    await api.setMyCommands(commands("en"), { language_code: "en" });
    return true;
  } catch (error) {
    logger.warn({ error: describeError(error) }, "could not publish the command menu; continuing without it");
    return false;
  }
}
