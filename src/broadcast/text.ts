// Broadcast texts checked as Telegram would check them, before anything is queued: the 4,096
// character limit (counted after formatting is parsed), and HTML or MarkdownV2 that Telegram
// would refuse with "can't parse entities".
import type { ParseMode } from "../outbox/types.js";

/** Telegram's limit on a message's text, after entities are parsed. */
export const MAX_MESSAGE_LENGTH = 4096;

/** A problem in a text, with where it is. */
export type TextCheck = { readonly ok: true; readonly visibleLength: number } | { readonly ok: false; readonly error: string };

const HTML_TAGS = new Set(["b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a", "code", "pre", "blockquote", "tg-emoji"]);

function position(text: string, index: number): string {
  const before = text.slice(0, index);
  const line = before.split("\n").length;
  return `line ${line}, column ${index - before.lastIndexOf("\n")}`;
}

/** Checks Telegram HTML: only its tags, properly nested and closed, `<` and `&` escaped. */
export function checkHtml(text: string): TextCheck {
  const open: { name: string; at: number }[] = [];
  let visible = 0;
  for (let i = 0; i < text.length; ) {
    const ch = text[i]!;
    if (ch === "<") {
      const m = /^<(\/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*)\s*>/.exec(text.slice(i));
      if (!m) return { ok: false, error: `HTML: "<" at ${position(text, i)} does not start a tag; write &lt; for a literal <` };
      const name = m[2]!.toLowerCase();
      if (!HTML_TAGS.has(name)) return { ok: false, error: `HTML: <${m[1]}${m[2]}> at ${position(text, i)} is not a tag Telegram supports (use b, i, u, s, a, code, pre, blockquote, tg-spoiler)` };
      if (m[1] === "/") {
        const top = open.pop();
        if (!top) return { ok: false, error: `HTML: </${name}> at ${position(text, i)} closes a tag that was never opened` };
        if (top.name !== name) return { ok: false, error: `HTML: </${name}> at ${position(text, i)} closes <${top.name}> opened at ${position(text, top.at)}; close tags in the reverse order` };
      } else {
        if (name === "a" && !/\bhref\s*=/.test(m[3] ?? "")) return { ok: false, error: `HTML: <a> at ${position(text, i)} needs an href` };
        open.push({ name, at: i });
      }
      i += m[0].length;
    } else if (ch === "&") {
      const m = /^&(?:lt|gt|amp|quot|#\d{1,7}|#x[0-9a-fA-F]{1,6});/.exec(text.slice(i));
      if (!m) return { ok: false, error: `HTML: "&" at ${position(text, i)} does not start an entity; write &amp; for a literal &` };
      visible++;
      i += m[0].length;
    } else {
      visible++;
      i++;
    }
  }
  const last = open.pop();
  if (last) return { ok: false, error: `HTML: <${last.name}> opened at ${position(text, last.at)} is never closed` };
  return { ok: true, visibleLength: visible };
}

const MD_SPECIAL = "_*[]()~`>#+-=|{}.!";

/** Checks Telegram MarkdownV2: reserved characters escaped with "\" outside entities, entities closed. */
export function checkMarkdownV2(text: string): TextCheck {
  const open: { mark: string; at: number }[] = [];
  let visible = 0;
  let lineStart = true;
  for (let i = 0; i < text.length; ) {
    const ch = text[i]!;
    if (ch === "\\") {
      const next = text[i + 1];
      if (next === undefined) return { ok: false, error: `MarkdownV2: "\\" at the end of the text escapes nothing` };
      visible++;
      i += 2;
      lineStart = false;
      continue;
    }
    if (ch === "`") {
      const fence = text.startsWith("```", i) ? "```" : "`";
      const end = text.indexOf(fence, i + fence.length);
      if (end < 0) return { ok: false, error: `MarkdownV2: ${fence === "```" ? "pre block" : "code"} opened at ${position(text, i)} is never closed` };
      visible += end - i - fence.length;
      i = end + fence.length;
      lineStart = false;
      continue;
    }
    const two = text.slice(i, i + 2);
    const mark = two === "__" || two === "||" ? two : ch === "*" || ch === "_" || ch === "~" ? ch : null;
    if (mark) {
      if (open.at(-1)?.mark === mark) open.pop();
      else if (open.some((o) => o.mark === mark)) return { ok: false, error: `MarkdownV2: "${mark}" at ${position(text, i)} closes an entity out of order` };
      else open.push({ mark, at: i });
      i += mark.length;
      lineStart = false;
      continue;
    }
    if (ch === "[") {
      open.push({ mark: "[", at: i });
      i++;
      continue;
    }
    if (ch === "]") {
      if (open.at(-1)?.mark !== "[") return { ok: false, error: `MarkdownV2: "]" at ${position(text, i)} must be escaped as "\\]"` };
      open.pop();
      const m = /^\]\(((?:\\.|[^)\\])*)\)/.exec(text.slice(i));
      if (!m) return { ok: false, error: `MarkdownV2: link text ending at ${position(text, i)} must be followed by (URL); escape a literal "[" as "\\["` };
      i += m[0].length;
      continue;
    }
    if (ch === ">" && lineStart) {
      i++;
      continue;
    }
    if (MD_SPECIAL.includes(ch)) return { ok: false, error: `MarkdownV2: "${ch}" at ${position(text, i)} must be escaped as "\\${ch}"` };
    visible++;
    lineStart = ch === "\n";
    i++;
  }
  const last = open.pop();
  if (last) return { ok: false, error: `MarkdownV2: "${last.mark}" opened at ${position(text, last.at)} is never closed` };
  return { ok: true, visibleLength: visible };
}

/** Checks a text for a parse mode (plain text: only the length is counted). */
export function checkText(text: string, parseMode: ParseMode | null): TextCheck {
  if (text.trim() === "") return { ok: false, error: "the text is empty" };
  if (parseMode === "HTML") return checkHtml(text);
  if (parseMode === "MarkdownV2") return checkMarkdownV2(text);
  return { ok: true, visibleLength: text.length };
}

/**
 * Splits a text into parts Telegram accepts: at blank lines, then line breaks, then spaces, each
 * part within the limit and, with a parse mode, valid on its own.
 */
export function splitText(text: string, parseMode: ParseMode | null, limit = MAX_MESSAGE_LENGTH): { ok: true; parts: string[] } | { ok: false; error: string } {
  const parts: string[] = [];
  let rest = text.trim();
  while (rest !== "") {
    const check = checkText(rest, parseMode);
    if (check.ok && check.visibleLength <= limit) {
      parts.push(rest);
      break;
    }
    let cut = -1;
    for (const sep of ["\n\n", "\n", " "]) {
      // Visible length never exceeds raw length, and markup rarely triples it: start the search there.
      for (let at = rest.lastIndexOf(sep, Math.min(rest.length - 1, parseMode === null ? limit : 3 * limit)); at > 0; at = rest.lastIndexOf(sep, at - 1)) {
        const head = rest.slice(0, at).trim();
        const c = checkText(head, parseMode);
        if (c.ok && c.visibleLength <= limit) {
          cut = at;
          break;
        }
        if (!c.ok && parseMode === null) break;
      }
      if (cut > 0) break;
    }
    if (cut <= 0) {
      if (parseMode !== null) return { ok: false, error: `cannot split the text into valid ${parseMode} parts of at most ${limit} characters: close formatting before blank lines or line breaks so each part stands alone` };
      cut = limit;
    }
    parts.push(rest.slice(0, cut).trim());
    rest = rest.slice(cut).trim();
  }
  return { ok: true, parts };
}
