import { createHmac, randomBytes } from "node:crypto";
import { CODE_ALPHABET, codeDeepLink, generateCode, type CodeKey, type RandomBytes } from "../access/index.js";

/** Prefix of a poster's `/start` payload; a code's is `KS_`, so the two can never be confused. */
export const POSTER_PAYLOAD_PREFIX = "KP_";
/** Characters in a poster token: 31^20 ≈ 6.6e29 tokens, so a poster cannot be found by guessing. */
export const POSTER_TOKEN_LENGTH = 20;
/** One response per account, unit and period; the default period. */
export const DEFAULT_POSTER_PERIOD_DAYS = 30;

const DAY_MS = 86_400_000;
// Domain separation from code and account hashes, which use the same secret.
const TOKEN_HASH_CONTEXT = "khaosat:poster:v1:";
const CLAIM_HASH_CONTEXT = "khaosat:poster-claim:v1:";
const TOKEN_PATTERN = new RegExp(`^[${CODE_ALPHABET}]{${POSTER_TOKEN_LENGTH}}$`);

/** A new random poster token (20 characters of the code alphabet). */
export function generatePosterToken(random: RandomBytes = randomBytes): string {
  return generateCode(random) + generateCode(random);
}

/** The `/start` payload of a poster: `KP_` + token (23 characters, well under Telegram's 64). */
export function posterStartPayload(token: string): string {
  return POSTER_PAYLOAD_PREFIX + token;
}

/** The deep link printed as the poster's QR: `https://t.me/<bot>?start=KP_<token>`. */
export function posterDeepLink(botUsername: string, token: string): string {
  // codeDeepLink checks the username (BotUsernameError); only the payload differs.
  const base = codeDeepLink(botUsername, "").split("?")[0];
  return `${base}?start=${posterStartPayload(token)}`;
}

/** Result of reading a `/start` payload as a poster link. */
export type PosterPayload =
  | { readonly kind: "poster"; readonly token: string }
  /** Starts with `KP_` but is not a token our posters carry. */
  | { readonly kind: "malformed" }
  | { readonly kind: "not_poster" };

/** Reads a `/start` payload: a poster token, a broken poster link, or something else (a code). */
export function parsePosterPayload(payload: string): PosterPayload {
  const text = payload.trim();
  if (!text.toUpperCase().startsWith(POSTER_PAYLOAD_PREFIX)) return { kind: "not_poster" };
  if (text.length > 64) return { kind: "malformed" };
  const token = text.slice(POSTER_PAYLOAD_PREFIX.length).toUpperCase();
  return TOKEN_PATTERN.test(token) ? { kind: "poster", token } : { kind: "malformed" };
}

/** The keyed hash a poster token is stored under: the database alone cannot print a working poster. */
export function hashPosterToken(token: string, secret: CodeKey): string {
  return createHmac("sha256", secret.reveal()).update(TOKEN_HASH_CONTEXT + token).digest("hex");
}

/** The period (0, 1, 2, ...) of the campaign that `now` falls in; periods start at the campaign's opening. */
export function posterPeriod(now: Date, opensAt: Date, periodDays: number): { readonly index: number; readonly endsAt: Date } {
  const length = periodDays * DAY_MS;
  const index = Math.max(0, Math.floor((now.getTime() - opensAt.getTime()) / length));
  return { index, endsAt: new Date(opensAt.getTime() + (index + 1) * length) };
}

/**
 * The only trace of a poster response: HMAC(account, campaign, unit, period). It answers "has this
 * account already answered for this unit in this period?" and nothing else; without the secret it
 * cannot even be tested against a known account.
 */
export function posterClaimKey(account: string, campaignId: string, unitCode: string, period: number, secret: CodeKey): string {
  return createHmac("sha256", secret.reveal())
    .update(`${CLAIM_HASH_CONTEXT}${JSON.stringify([account, campaignId, unitCode, period])}`)
    .digest("hex");
}
