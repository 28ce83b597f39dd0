// What a command the CLI suggests needs to say about the bot, read from the environment (or .env) as
// `codes issue|reissue|batch|poster` read it: light, so that any command can suggest one.
import { readEnvironment } from "../config/index.js";
import { t } from "./i18n.js";

/**
 * BOT_USERNAME (environment or .env) as the default of --bot; read leniently so that a bad unrelated
 * variable does not break every command's registration (checkBot judges the value).
 */
export function botDefault(): string | undefined {
  const value = readEnvironment().BOT_USERNAME?.trim().replace(/^@/, "");
  return value ? value : undefined;
}

/** ZALO_BOT_LINK (environment or .env), read leniently like BOT_USERNAME. */
export function zaloLinkDefault(): string | undefined {
  const value = readEnvironment().ZALO_BOT_LINK?.trim();
  return value ? value : undefined;
}

/**
 * What a suggested `codes …` command needs for the bot here: nothing when BOT_USERNAME or
 * ZALO_BOT_LINK is configured (the command finds it), else ` --bot BOT_NAME` and a note on what to put there.
 */
export function botHint(): { readonly bot: string; readonly botNote: string } {
  if (botDefault() !== undefined || zaloLinkDefault() !== undefined) return { bot: "", botNote: "" };
  return { bot: ` --bot ${t("codes.botPlaceholder")}`, botNote: t("codes.botNote") };
}

/** A word as a POSIX shell reads it back unchanged: as is when plain, else in single quotes. */
export function shellWord(word: string): string {
  return /^[\p{L}\p{N}_@%+=:,./-]+$/u.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}
