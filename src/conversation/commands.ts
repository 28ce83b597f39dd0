// Command words of the text form (console, Zalo): Vietnamese and English, with or without
// diacritics, with or without a leading "/". The help lists them; they work wherever it says.

/** A command typed as text (as opposed to an answer). */
export type TextCommand =
  | { readonly kind: "back" }
  | { readonly kind: "review" }
  /** `number` absent when the word was not followed by a whole number. */
  | { readonly kind: "edit"; readonly number?: number }
  | { readonly kind: "skip" }
  | { readonly kind: "submit" }
  /** `language` absent: switch to the other language. */
  | { readonly kind: "lang"; readonly language?: string }
  | { readonly kind: "quit" }
  | { readonly kind: "help" }
  /** Start or continue (the first message, or coming back). */
  | { readonly kind: "start" };

/** Lower case, NFC, without diacritics (đ → d), single spaces, no leading "/". */
export function foldWords(text: string): string {
  return text
    .trim()
    .normalize("NFC")
    .toLowerCase()
    .replace(/đ/g, "d")
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .replace(/^\/+/, "")
    .replace(/\s+/g, " ")
    .trim();
}

const WORDS: readonly (readonly [TextCommand["kind"], readonly string[]])[] = [
  ["back", ["back", "quay lai", "tro lai", "lui", "cau truoc"]],
  ["review", ["review", "xem lai"]],
  ["edit", ["edit", "sua"]],
  ["skip", ["skip", "bo qua"]],
  ["submit", ["submit", "gui", "nop", "gui phieu", "nop phieu"]],
  ["help", ["help", "tro giup", "giup", "huong dan", "?"]],
  ["lang", ["lang", "language", "ngon ngu"]],
  ["quit", ["quit", "exit", "thoat", "tam dung"]],
  ["start", ["start", "bat dau", "tiep tuc", "continue", "resume"]],
];

const BY_WORD = new Map<string, TextCommand["kind"]>(WORDS.flatMap(([kind, words]) => words.map((w) => [w, kind] as const)));

const LANGUAGE_WORDS = new Map<string, string>([
  ["vi", "vi"],
  ["tieng viet", "vi"],
  ["viet", "vi"],
  ["vietnamese", "vi"],
  ["en", "en"],
  ["english", "en"],
  ["tieng anh", "en"],
  ["anh", "en"],
]);

/** The command a message means, or undefined when it is an answer (or a code). */
export function parseTextCommand(text: string): TextCommand | undefined {
  const folded = foldWords(text);
  if (folded === "") return undefined;
  const whole = BY_WORD.get(folded);
  if (whole !== undefined) return whole === "edit" ? { kind: "edit" } : ({ kind: whole } as TextCommand);
  // "ngôn ngữ tiếng Anh", "lang tieng viet": a language word and a language named in two words.
  for (const [word, language] of LANGUAGE_WORDS) {
    if (word.includes(" ") && folded.endsWith(` ${word}`) && BY_WORD.get(folded.slice(0, -word.length - 1)) === "lang") return { kind: "lang", language };
  }
  // "edit 3", "sửa 3", "lang en", "ngôn ngữ English": a command word and one argument.
  const match = /^(.*?) (\S+)$/.exec(folded);
  if (!match) return undefined;
  const kind = BY_WORD.get(match[1]!);
  const arg = match[2]!;
  if (kind === "edit") return /^\d{1,4}$/.test(arg) ? { kind: "edit", number: Number(arg) } : { kind: "edit" };
  if (kind === "lang") {
    const language = LANGUAGE_WORDS.get(arg);
    return language !== undefined ? { kind: "lang", language } : { kind: "lang", language: arg };
  }
  return undefined;
}

/** Yes/no in either language, or as the numbered choice 1 (yes) / 2 (no). */
export function parseYesNoChoice(text: string): boolean | undefined {
  // Punctuation dropped and "số 1" / "chọn 1" read as 1, so the choices' own wording works too.
  const folded = foldWords(text)
    .replace(/[^\p{L}\p{N}\s]/gu, " ")
    .replace(/^(?:so|chon) (?=\d)/, "")
    .replace(/\s+/g, " ")
    .trim();
  if (YES_WORDS.has(folded)) return true;
  if (NO_WORDS.has(folded)) return false;
  return undefined;
}

// The identity and attestation choices' labels (locales telegram:identity, access:attestation) folded, in both languages.
const YES_WORDS = new Set(["1", "yes", "y", "co", "c", "dong y", "ok", "xac nhan", "dung", "phai", "dung toi la nguoi nay", "toi xac nhan", "yes that is me", "that is me", "i confirm", "confirm"]);
const NO_WORDS = new Set(["2", "no", "n", "khong", "k", "khong dong y", "khong phai", "khong phai toi", "sai", "toi khong xac nhan", "khong xac nhan", "that is not me", "not me", "i do not confirm"]);
