// The CLI's help in the organiser's language (KHAOSAT_LANG, like its messages): every command's,
// option's and argument's description, the program's notes, commander's own words (Usage:, Options:,
// "display help for command", the parse errors) come from the `cli-help` namespace
// (locales/<lang>/cli-help.json). The English texts in the commands' sources are what runs without a
// translation; test/cli/help-language.test.ts keeps every one translated in both languages.
// Only this namespace is read (no other locale file), so `khaosat --help` stays light.
import { readFileSync } from "node:fs";
import path from "node:path";
import { Help, type Argument, type Command, type HelpConfiguration, type Option } from "commander";
import i18next, { type i18n } from "i18next";
import type { Language } from "../config/index.js";
import { DEFAULT_LOCALES_DIR } from "../i18n/resources.js";
import { cliLanguage } from "./language.js";

/** The i18next namespace (and file name under locales/<lang>/) of the help's texts. */
export const HELP_NAMESPACE = "cli-help";

/** The key prefix of a command's texts: `program` for khaosat itself, `commands.<name> <sub-name>` below it. */
export function helpKey(commandPath: readonly string[]): string {
  return commandPath.length === 0 ? "program" : `commands.${commandPath.join(" ")}`;
}

/** The keys of one command's own description, visible options and described arguments (what its help shows). */
export function helpKeysOf(command: Command, commandPath: readonly string[]): string[] {
  const key = helpKey(commandPath);
  return [
    ...(commandPath.length === 0 || command.description() !== "" ? [`${key}.description`] : []),
    ...command.options.filter((o) => !o.hidden).map((o) => `${key}.options.${o.name()}`),
    ...command.registeredArguments.filter((a) => a.description !== "").map((a) => `${key}.arguments.${a.name()}`),
  ];
}

/** The help's texts in one language. */
export class HelpText {
  private readonly i18n: i18n;

  constructor(readonly language: Language = cliLanguage()) {
    const file = path.join(DEFAULT_LOCALES_DIR, language, `${HELP_NAMESPACE}.json`);
    const resources = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
    this.i18n = i18next.createInstance();
    void this.i18n.init({
      resources: { [language]: { [HELP_NAMESPACE]: resources } },
      lng: language,
      // A missing text leaves the source's English in place (and fails the help test), never a key.
      fallbackLng: false,
      ns: [HELP_NAMESPACE],
      defaultNS: HELP_NAMESPACE,
      initAsync: false,
      interpolation: { escapeValue: false },
      returnNull: false,
    });
  }

  /** The text of a key, or undefined when this language has none. */
  find(key: string, params: Record<string, unknown> = {}): string | undefined {
    return this.i18n.exists(key, params) ? (this.i18n.t(key, params) as string) : undefined;
  }

  /** The text of a key (the key itself when missing: a bug the help test catches). */
  say(key: string, params: Record<string, unknown> = {}): string {
    return this.find(key, params) ?? key;
  }
}

/**
 * Puts the help of `program` and of every command registered under it in the organiser's language
 * (call once every command that may run is registered, before parsing).
 */
export function localizeHelp(program: Command, text: HelpText = new HelpText()): void {
  localizeCommand(program, [], text);
  const environment = text.find("program.environment");
  if (environment !== undefined) program.addHelpText("after", environment);
}

function localizeCommand(command: Command, commandPath: readonly string[], text: HelpText): void {
  const key = helpKey(commandPath);
  const description = text.find(`${key}.description`);
  if (description !== undefined) command.description(description);
  for (const option of command.options) {
    const said = option.hidden ? undefined : text.find(`${key}.options.${option.name()}`);
    if (said !== undefined) option.description = said;
  }
  for (const argument of command.registeredArguments) {
    const said = argument.description === "" ? undefined : text.find(`${key}.arguments.${argument.name()}`);
    if (said !== undefined) argument.description = said;
  }
  command.helpOption("-h, --help", text.say("help.helpOption"));
  command.configureHelp({ ...command.configureHelp(), ...helpConfiguration(text) });
  const { outputError } = command.configureOutput();
  command.configureOutput({ outputError: (message, write) => (outputError ? outputError(errorText(message, text), write) : write(errorText(message, text))) });
  for (const sub of command.commands) localizeCommand(sub, [...commandPath, sub.name()], text);
}

/** commander's help headings, as it passes them to styleTitle, and their keys. */
const TITLES: Readonly<Record<string, string>> = {
  "Usage:": "help.titles.usage",
  "Arguments:": "help.titles.arguments",
  "Options:": "help.titles.options",
  "Global Options:": "help.titles.globalOptions",
  "Commands:": "help.titles.commands",
};

/** The words of what commander adds after a description: ` (default: "table", choices: "a", "b")`. */
const EXTRA_WORDS = /(^ \(|, )(default|choices|preset|env): /g;

function helpConfiguration(text: HelpText): HelpConfiguration {
  const extra = (full: string, description: string): string => {
    // commander prints `description (default: x)`: only the part it added is reworded.
    const start = full.startsWith(description) ? description.length : 0;
    const added = full.slice(start).replace(EXTRA_WORDS, (_, lead: string, word: string) => `${lead}${text.say(`help.extra.${word}`)}: `);
    return full.slice(0, start) + added;
  };
  return {
    styleTitle(this: Help, title: string): string {
      const key = TITLES[title];
      return key === undefined ? title : text.say(key);
    },
    optionDescription(this: Help, option: Option): string {
      return extra(Help.prototype.optionDescription.call(this, option), option.description);
    },
    argumentDescription(this: Help, argument: Argument): string {
      return extra(Help.prototype.argumentDescription.call(this, argument), argument.description);
    },
    subcommandDescription(this: Help, sub: Command): string {
      // commander's implicit `help [command]` (no command of ours is named help).
      if (sub.name() === "help") return text.say("help.helpCommand");
      return Help.prototype.subcommandDescription.call(this, sub);
    },
  };
}

/** commander's parse errors (English, from its sources) and the keys that reword them; applied in order. */
const ERRORS: readonly (readonly [RegExp, string])[] = [
  [/^error: unknown option '(?<option>[^']*)'/, "errors.unknownOption"],
  [/^error: unknown command '(?<command>[^']*)'/, "errors.unknownCommand"],
  [/^error: missing required argument '(?<argument>[^']*)'/, "errors.missingArgument"],
  [/^error: required option '(?<option>.*?)' not specified/, "errors.missingOption"],
  [/^error: option '(?<option>.*?)' argument missing/, "errors.missingOptionValue"],
  [/^error: option '(?<option>.*?)' argument '(?<value>.*?)' is invalid\./, "errors.invalidOptionValue"],
  [/^error: command-argument value '(?<value>.*?)' is invalid for argument '(?<argument>[^']*)'\./, "errors.invalidArgumentValue"],
  [/^error: too many arguments for '(?<command>[^']*)'\. Expected (?<count>\d+) arguments? but got (?<got>\d+)\./, "errors.tooManyArgumentsFor"],
  [/^error: too many arguments\. Expected (?<count>\d+) arguments? but got (?<got>\d+)\./, "errors.tooManyArguments"],
  [/(?<= )Allowed choices are (?<choices>.*)\./, "errors.allowedChoices"],
  [/\(Did you mean one of (?<suggestions>.*)\?\)/, "errors.didYouMeanOneOf"],
  [/\(Did you mean (?<suggestion>.*)\?\)/, "errors.didYouMean"],
];

/** A commander error message in the organiser's language (what it does not know stays as it is). */
export function errorText(message: string, text: HelpText): string {
  let said = message;
  for (const [pattern, key] of ERRORS) {
    said = said.replace(pattern, (...args: unknown[]) => {
      const groups = args.at(-1) as Record<string, string>;
      const params: Record<string, unknown> = { ...groups };
      if (groups.count !== undefined) params.count = Number(groups.count);
      return text.find(key, params) ?? (args[0] as string);
    });
  }
  return said;
}
