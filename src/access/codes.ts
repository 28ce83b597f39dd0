import { createHmac, randomBytes } from "node:crypto";

/**
 * The characters of a code: digits and capital letters without the look-alikes 0/O and 1/I/L,
 * so a code read aloud, printed on a slip or typed on a phone is never ambiguous.
 */
export const CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
/** Characters in a code: 31^10 ≈ 8.2e14 possible codes (see docs/access-codes.md). */
export const CODE_LENGTH = 10;
/** Where the dash goes when a code is shown: `ABCDE-FGHJK`. */
export const CODE_GROUP_SIZE = 5;
/** Prefix of a code in a Telegram `/start` payload; other payload kinds (posters) get other prefixes. */
export const CODE_PAYLOAD_PREFIX = "KS_";
/** Telegram's limit on a deep-link `start` payload: up to 64 characters of `A-Za-z0-9_-`. */
export const START_PAYLOAD_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

const ALPHABET_SET = new Set(CODE_ALPHABET);
// Largest multiple of the alphabet size that fits in a byte: bytes at or above it are discarded,
// so every character is exactly equally likely (no modulo bias).
const UNBIASED_LIMIT = Math.floor(256 / CODE_ALPHABET.length) * CODE_ALPHABET.length;
// Domain separation: the same secret also keys account hashes, which must never collide with codes.
const CODE_HASH_CONTEXT = "khaosat:code:v1:";
const ACCOUNT_HASH_CONTEXT = "khaosat:account:v1:";

/** A source of cryptographically random bytes; injected so tests can check the sampling. */
export type RandomBytes = (size: number) => Uint8Array;

/** Bytes drawn from the system's CSPRNG per call of `pooledRandomBytes`. */
const POOL_BYTES = 16 * 1024;
let pool: Uint8Array = new Uint8Array(0);
let poolOffset = 0;

/**
 * `randomBytes`, drawn 16 KiB at a time: one system call per ~1,000 codes instead of one per code
 * (issuing 50,000 codes spent a quarter of a second in randomFillSync). Every byte is handed out once.
 */
function pooledRandomBytes(size: number): Uint8Array {
  if (poolOffset + size > pool.length) {
    pool = randomBytes(Math.max(POOL_BYTES, size));
    poolOffset = 0;
  }
  const bytes = pool.subarray(poolOffset, poolOffset + size);
  poolOffset += size;
  return bytes;
}

/** A new random code in canonical form (10 characters of `CODE_ALPHABET`, no dash). */
export function generateCode(random: RandomBytes = pooledRandomBytes): string {
  let code = "";
  while (code.length < CODE_LENGTH) {
    // Ask for a little more than needed: about 3% of bytes are rejected.
    for (const byte of random(CODE_LENGTH + 4)) {
      if (byte >= UNBIASED_LIMIT) continue;
      code += CODE_ALPHABET[byte % CODE_ALPHABET.length];
      if (code.length === CODE_LENGTH) break;
    }
  }
  return code;
}

/** A canonical code as shown to people: `ABCDE-FGHJK`. */
export function formatCode(code: string): string {
  return `${code.slice(0, CODE_GROUP_SIZE)}-${code.slice(CODE_GROUP_SIZE)}`;
}

/** Why typed input is not a code; the Telegram channel renders each kind in the respondent's language. */
export type CodeProblem =
  | { readonly kind: "empty" }
  | {
      readonly kind: "bad_character";
      /** The offending character as typed. */
      readonly character: string;
      /** 1-based position among the code characters (dashes and spaces not counted). */
      readonly position: number;
      /** For 0, O, 1, I and L: the excluded look-alikes, so the message can explain. */
      readonly lookalike?: "zero_o" | "one_i_l";
    }
  | { readonly kind: "wrong_length"; readonly length: number; readonly expected: number };

/** Result of `normalizeCode`. */
export type NormalizeResult = { readonly ok: true; readonly code: string } | { readonly ok: false; readonly problem: CodeProblem };

// Dashes people or phones may type: ASCII hyphen, hyphen, non-breaking hyphen, figure dash, en and em
// dashes, minus sign; underscores and dots as separators too.
const SEPARATORS = /[\s\-\u2010\u2011\u2012\u2013\u2014\u2212_.]/gu;

/**
 * Reads a code as a person might type or paste it: any case, spaces, missing or extra dashes,
 * full-width characters, the `KS_` start payload, or the whole deep link. Never throws.
 */
export function normalizeCode(input: string): NormalizeResult {
  let text = input.normalize("NFKC").trim();
  if (text.startsWith("/start")) text = text.slice("/start".length);
  const link = /[?&]start=([^&#\s]*)/.exec(text);
  if (link) text = link[1] ?? "";
  const compactOf = (s: string) => [...s.replace(SEPARATORS, "")];
  // Strip the payload prefix only when what follows is a whole code: a code may itself begin with KS.
  const withoutPrefix = text.trim().slice(CODE_PAYLOAD_PREFIX.length);
  if (text.trim().toUpperCase().startsWith(CODE_PAYLOAD_PREFIX) && compactOf(withoutPrefix).length === CODE_LENGTH) text = withoutPrefix;
  const compact = compactOf(text);
  if (compact.length === 0) return { ok: false, problem: { kind: "empty" } };
  for (const [index, character] of compact.entries()) {
    const upper = character.toUpperCase();
    if (ALPHABET_SET.has(upper)) continue;
    const lookalike = "0O".includes(upper) ? "zero_o" : "1IL".includes(upper) ? "one_i_l" : undefined;
    return {
      ok: false,
      problem: { kind: "bad_character", character, position: index + 1, ...(lookalike ? { lookalike } : {}) },
    };
  }
  if (compact.length !== CODE_LENGTH) {
    return { ok: false, problem: { kind: "wrong_length", length: compact.length, expected: CODE_LENGTH } };
  }
  return { ok: true, code: compact.join("").toUpperCase() };
}

/** An English explanation of a code problem, for the CLI and logs (the bot uses its locales). */
export function describeCodeProblem(problem: CodeProblem): string {
  const used = "codes use only the digits 2-9 and the letters A-Z except I, L and O";
  switch (problem.kind) {
    case "empty":
      return `no code given: a code looks like ABCDE-FGHJK (${used})`;
    case "wrong_length":
      return `a code has ${problem.expected} characters (ABCDE-FGHJK), this one has ${problem.length}: check for a missing or extra character`;
    case "bad_character": {
      const at = `"${problem.character}" (character ${problem.position})`;
      if (problem.lookalike === "zero_o") return `${at} is never used in codes, neither the digit 0 nor the letter O; ${used}`;
      if (problem.lookalike === "one_i_l") return `${at} is never used in codes, neither the digit 1 nor the letters I and L; ${used}`;
      return `${at} is not a code character; ${used}`;
    }
  }
}

/** Input that is not a code, thrown by `parseCode` (the CLI and tests); the bot uses `normalizeCode`. */
export class CodeFormatError extends Error {
  constructor(readonly problem: CodeProblem) {
    super(describeCodeProblem(problem));
    this.name = "CodeFormatError";
  }
}

/** `normalizeCode` for callers that want an exception: returns the canonical code or throws `CodeFormatError`. */
export function parseCode(input: string): string {
  const result = normalizeCode(input);
  if (!result.ok) throw new CodeFormatError(result.problem);
  return result.code;
}

/** The key of the keyed hashes; `reveal()` gives the key material (see `loadCodeSecret`). */
export interface CodeKey {
  reveal(): string;
}

/**
 * The keyed hash (HMAC-SHA256, hex) under which a canonical code is stored: without the secret a
 * stolen database cannot be used to check guesses offline.
 */
export function hashCode(code: string, secret: CodeKey): string {
  return createHmac("sha256", secret.reveal()).update(CODE_HASH_CONTEXT + code).digest("hex");
}

/**
 * The keyed hash under which a messaging account is stored in access tables (bindings, attempts),
 * so they hold no Telegram user id.
 */
export function hashAccount(account: string, secret: CodeKey): string {
  return createHmac("sha256", secret.reveal()).update(ACCOUNT_HASH_CONTEXT + account).digest("hex");
}

/** The `/start` payload carrying a code: `KS_` + the canonical code (13 characters). */
export function codeStartPayload(code: string): string {
  return CODE_PAYLOAD_PREFIX + code;
}

const BOT_USERNAME = /^[A-Za-z][A-Za-z0-9_]{3,31}$/;

/** Bot username that cannot be a Telegram bot username (programming error or bad configuration). */
export class BotUsernameError extends Error {
  constructor(readonly username: string) {
    super(`"${username}" is not a Telegram bot username: 5-32 letters, digits and underscores, starting with a letter`);
    this.name = "BotUsernameError";
  }
}

/** The deep link that opens the bot with the code: `https://t.me/<bot>?start=KS_<code>`. */
export function codeDeepLink(botUsername: string, code: string): string {
  const bot = botUsername.replace(/^@/, "");
  if (!BOT_USERNAME.test(bot)) throw new BotUsernameError(botUsername);
  return `https://t.me/${bot}?start=${codeStartPayload(code)}`;
}

/** What a `/start` payload asks for. Posters (issue 7) will add their own kind. */
export type StartPayload =
  | { readonly kind: "none" }
  | { readonly kind: "code"; readonly input: string }
  | { readonly kind: "malformed"; readonly reason: "too_long" | "bad_characters" | "unknown_prefix" };

/**
 * Classifies a `/start` payload before anything touches the database: an empty one, a code (still
 * to be normalized and redeemed) or something no link of ours produces.
 */
export function parseStartPayload(payload: string): StartPayload {
  const text = payload.trim();
  if (text === "") return { kind: "none" };
  if (text.length > 64) return { kind: "malformed", reason: "too_long" };
  if (!START_PAYLOAD_PATTERN.test(text)) return { kind: "malformed", reason: "bad_characters" };
  if (text.toUpperCase().startsWith(CODE_PAYLOAD_PREFIX)) return { kind: "code", input: text };
  // A bare code typed after /start by hand (`/start abcde-fghjk`) is still a code.
  if (/^[A-Za-z0-9-]{10,13}$/.test(text)) return { kind: "code", input: text };
  return { kind: "malformed", reason: "unknown_prefix" };
}
