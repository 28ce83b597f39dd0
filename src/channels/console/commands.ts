import { parseTextCommand, type TextCommand } from "../../conversation/commands.js";

/** A console command (as opposed to an answer): the text form's commands but "start". */
export type ConsoleCommand = Exclude<TextCommand, { readonly kind: "start" }>;

/**
 * The command a line means, or undefined when the line is an answer. The words are the text form's
 * (src/conversation): English or Vietnamese, with or without diacritics, with an optional leading `/`.
 */
export function parseCommand(line: string): ConsoleCommand | undefined {
  const command = parseTextCommand(line);
  return command?.kind === "start" ? undefined : command;
}

/** Yes/no answers accepted in either language: yes, y, có, co, c / no, n, không, khong, k. */
export function parseYesNo(line: string): boolean | undefined {
  const word = line.trim().toLowerCase().normalize("NFC");
  if (["yes", "y", "có", "co", "c", "đồng ý", "dong y", "ok"].includes(word)) return true;
  if (["no", "n", "không", "khong", "k"].includes(word)) return false;
  return undefined;
}
