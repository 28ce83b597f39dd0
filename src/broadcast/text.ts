// Broadcast texts checked as Telegram would check them, before anything is queued: the 4,096
// character limit (counted after formatting is parsed), and HTML or MarkdownV2 that Telegram
// would refuse with "can't parse entities".
import type { ParseMode } from "../outbox/types.js";
import { englishText, type Problem, type ProblemParam } from "../i18n/problem.js";

/** Telegram's limit on a message's text, after entities are parsed. */
export const MAX_MESSAGE_LENGTH = 4096;

/** A problem in a text, with where it is. */
export type TextCheck = { readonly ok: true; readonly visibleLength: number } | { readonly ok: false; readonly error: string; readonly problem: Problem };

/** A refused text: the key for the reader's language and the English text for the CLI. */
function bad(key: string, params: Record<string, ProblemParam> = {}): { ok: false; error: string; problem: Problem } {
  const problem = { key: `broadcast.${key}`, params };
  return { ok: false, error: englishText(problem), problem };
}

const HTML_TAGS = new Set(["b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a", "code", "pre", "blockquote", "tg-emoji"]);

function position(text: string, index: number): Problem {
  const before = text.slice(0, index);
  const line = before.split("\n").length;
  return { key: "broadcast.at", params: { line, column: index - before.lastIndexOf("\n") } };
}

/** Checks Telegram HTML: only its tags, properly nested and closed, `<` and `&` escaped. */
export function checkHtml(text: string): TextCheck {
  const open: { name: string; at: number }[] = [];
  let visible = 0;
  for (let i = 0; i < text.length; ) {
    const ch = text[i]!;
    if (ch === "<") {
      const m = /^<(\/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*)\s*>/.exec(text.slice(i));
      if (!m) return bad("htmlLt", { at: position(text, i) });
      const name = m[2]!.toLowerCase();
      if (!HTML_TAGS.has(name)) return bad("htmlTag", { tag: `<${m[1]}${m[2]}>`, at: position(text, i) });
      if (m[1] === "/") {
        const top = open.pop();
        if (!top) return bad("htmlNeverOpened", { tag: `</${name}>`, at: position(text, i) });
        if (top.name !== name) return bad("htmlOrder", { tag: `</${name}>`, at: position(text, i), open: `<${top.name}>`, openAt: position(text, top.at) });
      } else {
        if (name === "a" && !/\bhref\s*=/.test(m[3] ?? "")) return bad("htmlHref", { at: position(text, i) });
        open.push({ name, at: i });
      }
      i += m[0].length;
    } else if (ch === "&") {
      const m = /^&(?:lt|gt|amp|quot|#\d{1,7}|#x[0-9a-fA-F]{1,6});/.exec(text.slice(i));
      if (!m) return bad("htmlAmp", { at: position(text, i) });
      visible++;
      i += m[0].length;
    } else {
      visible++;
      i++;
    }
  }
  const last = open.pop();
  if (last) return bad("htmlNeverClosed", { tag: `<${last.name}>`, at: position(text, last.at) });
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
      if (next === undefined) return bad("mdBackslash");
      visible++;
      i += 2;
      lineStart = false;
      continue;
    }
    if (ch === "`") {
      const fence = text.startsWith("```", i) ? "```" : "`";
      const end = text.indexOf(fence, i + fence.length);
      if (end < 0) return bad(fence === "```" ? "mdPreOpen" : "mdCodeOpen", { at: position(text, i) });
      visible += end - i - fence.length;
      i = end + fence.length;
      lineStart = false;
      continue;
    }
    const two = text.slice(i, i + 2);
    const mark = two === "__" || two === "||" ? two : ch === "*" || ch === "_" || ch === "~" ? ch : null;
    if (mark) {
      if (open.at(-1)?.mark === mark) open.pop();
      else if (open.some((o) => o.mark === mark)) return bad("mdOrder", { mark, at: position(text, i) });
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
      if (open.at(-1)?.mark !== "[") return bad("mdBracket", { at: position(text, i) });
      open.pop();
      const m = /^\]\(((?:\\.|[^)\\])*)\)/.exec(text.slice(i));
      if (!m) return bad("mdLink", { at: position(text, i) });
      i += m[0].length;
      continue;
    }
    if (ch === ">" && lineStart) {
      i++;
      continue;
    }
    if (MD_SPECIAL.includes(ch)) return bad("mdEscape", { ch, at: position(text, i) });
    visible++;
    lineStart = ch === "\n";
    i++;
  }
  const last = open.pop();
  if (last) return bad("mdNeverClosed", { mark: last.mark, at: position(text, last.at) });
  return { ok: true, visibleLength: visible };
}

/** Checks a text for a parse mode (plain text: only the length is counted). */
export function checkText(text: string, parseMode: ParseMode | null): TextCheck {
  if (text.trim() === "") return bad("empty");
  if (parseMode === "HTML") return checkHtml(text);
  if (parseMode === "MarkdownV2") return checkMarkdownV2(text);
  return { ok: true, visibleLength: text.length };
}

/**
 * Splits a text into parts Telegram accepts: at blank lines, then line breaks, then spaces, each
 * part within the limit and, with a parse mode, valid on its own.
 */
export function splitText(text: string, parseMode: ParseMode | null, limit = MAX_MESSAGE_LENGTH): { ok: true; parts: string[] } | { ok: false; error: string; problem: Problem } {
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
      if (parseMode !== null) return bad("cannotSplit", { parseMode, limit });
      cut = limit;
    }
    parts.push(rest.slice(0, cut).trim());
    rest = rest.slice(cut).trim();
  }
  return { ok: true, parts };
}
