/** A console command (as opposed to an answer). Words are English, with an optional leading `/`. */
export type ConsoleCommand =
  | { readonly kind: "back" }
  | { readonly kind: "review" }
  /** `number` absent when `edit` was not followed by a whole number. */
  | { readonly kind: "edit"; readonly number?: number }
  | { readonly kind: "skip" }
  | { readonly kind: "submit" }
  /** `language` absent: switch to the next language of the questionnaire. */
  | { readonly kind: "lang"; readonly language?: string }
  | { readonly kind: "quit" }
  | { readonly kind: "help" };

const SIMPLE = new Map<string, ConsoleCommand>([
  ["back", { kind: "back" }],
  ["review", { kind: "review" }],
  ["skip", { kind: "skip" }],
  ["submit", { kind: "submit" }],
  ["quit", { kind: "quit" }],
  ["exit", { kind: "quit" }],
  ["help", { kind: "help" }],
  ["lang", { kind: "lang" }],
  ["edit", { kind: "edit" }],
]);

/** The command a line means, or undefined when the line is an answer. */
export function parseCommand(line: string): ConsoleCommand | undefined {
  const words = line.trim().replace(/^\//, "").split(/\s+/);
  const [word = "", arg, ...rest] = words;
  const name = word.toLowerCase();
  if (rest.length > 0) return undefined;
  if (arg === undefined) return SIMPLE.get(name);
  if (name === "edit") return /^\d{1,4}$/.test(arg) ? { kind: "edit", number: Number(arg) } : { kind: "edit" };
  if (name === "lang") return { kind: "lang", language: arg.toLowerCase() };
  return undefined;
}

/** Yes/no answers accepted in either language: yes, y, có, co, c / no, n, không, khong, k. */
export function parseYesNo(line: string): boolean | undefined {
  const word = line.trim().toLowerCase().normalize("NFC");
  if (["yes", "y", "có", "co", "c", "đồng ý", "dong y", "ok"].includes(word)) return true;
  if (["no", "n", "không", "khong", "k"].includes(word)) return false;
  return undefined;
}
