import { parseTextCommand, parseYesNoChoice, type TextCommand } from "../../conversation/commands.js";

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

/**
 * Yes/no at the attestation, as the bots read it: 1 / 2 (the numbered choices shown), the choices'
 * own wording and yes/no words in either language, with or without diacritics.
 */
export function parseYesNo(line: string): boolean | undefined {
  return parseYesNoChoice(line);
}
