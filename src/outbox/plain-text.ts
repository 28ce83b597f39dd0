// Telegram-formatted text (HTML or MarkdownV2) as a channel without formatting shows it (Zalo): tags
// and markup removed, entities and escapes decoded, a link kept readable as "label (URL)". The text
// is expected to have passed src/broadcast/text.ts's checks; anything unexpected is kept as written
// rather than dropped, so no word of the organiser's message is lost.
import { splitMessage } from "../conversation/split.js";
import { channelOfChat } from "./channel.js";
import type { OutboxMessageInput, ParseMode } from "./types.js";

const NAMED_ENTITIES: Readonly<Record<string, string>> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'", nbsp: "\u00a0" };

/** Decodes the HTML entities Telegram accepts (named, decimal, hexadecimal); unknown ones stay as written. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#\d{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]+);/g, (whole, body: string) => {
    if (body.startsWith("#")) {
      const code = body[1] === "x" || body[1] === "X" ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[body] ?? whole;
  });
}

/** "label (URL)", or the URL alone when the label is the URL; Telegram-only links (tg://) keep the label only. */
function readableLink(label: string, url: string): string {
  const href = url.trim();
  if (href === "" || /^tg:/i.test(href)) return label;
  const bare = (s: string) => s.trim().replace(/^(?:https?:\/\/)/i, "").replace(/\/$/, "");
  if (label.trim() === "" || bare(label) === bare(href)) return href;
  return `${label} (${href})`;
}

/** Telegram HTML as plain text. */
export function htmlToPlain(html: string): string {
  let out = "";
  const links: { href: string; start: number }[] = [];
  for (let i = 0; i < html.length; ) {
    if (html[i] === "<") {
      const m = /^<(\/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*)\s*\/?>/.exec(html.slice(i));
      if (m) {
        const name = m[2]!.toLowerCase();
        if (name === "a" && m[1] === "") {
          const href = /\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i.exec(m[3] ?? "");
          links.push({ href: decodeEntities(href?.[1] ?? href?.[2] ?? href?.[3] ?? ""), start: out.length });
        } else if (name === "a") {
          const link = links.pop();
          if (link) out = out.slice(0, link.start) + readableLink(out.slice(link.start), link.href);
        } else if (name === "br") {
          out += "\n";
        }
        i += m[0].length;
        continue;
      }
    }
    if (html[i] === "&") {
      const m = /^&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]+);/.exec(html.slice(i));
      if (m) {
        out += decodeEntities(m[0]);
        i += m[0].length;
        continue;
      }
    }
    out += html[i];
    i++;
  }
  return out;
}

/** Telegram MarkdownV2 as plain text: escapes decoded, emphasis marks and quote markers removed, code kept verbatim. */
export function markdownV2ToPlain(md: string): string {
  let out = "";
  const links: number[] = [];
  let lineStart = true;
  for (let i = 0; i < md.length; ) {
    const ch = md[i]!;
    if (ch === "\\" && i + 1 < md.length) {
      out += md[i + 1];
      i += 2;
      lineStart = false;
      continue;
    }
    if (ch === "`") {
      const fence = md.startsWith("```", i) ? "```" : "`";
      const end = md.indexOf(fence, i + fence.length);
      if (end > 0) {
        let body = md.slice(i + fence.length, end);
        // A pre block's first line may name its language.
        if (fence === "```") body = body.replace(/^[A-Za-z0-9_+-]*\n/, "");
        // Inside code only "\`" and "\\" are escapes.
        out += body.replace(/\\([`\\])/g, "$1");
        i = end + fence.length;
        lineStart = false;
        continue;
      }
    }
    if (lineStart && (md.startsWith("**>", i) || ch === ">")) {
      // Block quotes (">", expandable "**>") read as the lines they hold.
      i += ch === ">" ? 1 : 3;
      lineStart = false;
      continue;
    }
    const two = md.slice(i, i + 2);
    if (two === "__" || two === "||") {
      i += 2;
      lineStart = false;
      continue;
    }
    if (ch === "*" || ch === "_" || ch === "~") {
      i++;
      lineStart = false;
      continue;
    }
    if (ch === "!" && md[i + 1] === "[") {
      // A custom emoji ![👍](tg://emoji?id=…): its fallback emoji.
      i++;
      continue;
    }
    if (ch === "[") {
      links.push(out.length);
      i++;
      lineStart = false;
      continue;
    }
    if (ch === "]" && links.length > 0) {
      const m = /^\]\(((?:\\.|[^)\\])*)\)/.exec(md.slice(i));
      if (m) {
        const start = links.pop()!;
        out = out.slice(0, start) + readableLink(out.slice(start), m[1]!.replace(/\\(.)/g, "$1"));
        i += m[0].length;
        continue;
      }
    }
    out += ch;
    lineStart = ch === "\n";
    i++;
  }
  return out;
}

/** A text as a channel without formatting shows it; plain text (no parse mode) is returned as it is. */
export function toPlainText(text: string, parseMode: ParseMode | null): string {
  if (parseMode === "HTML") return htmlToPlain(text);
  if (parseMode === "MarkdownV2") return markdownV2ToPlain(text);
  return text;
}

/** The longest text Zalo's sendMessage accepts. */
export const ZALO_MAX_MESSAGE = 2000;

/** A (possibly formatted) text as the Zalo messages that carry it: plain, split at line boundaries into parts of at most 2,000 characters. */
export function zaloMessageParts(text: string, parseMode: ParseMode | null): string[] {
  return splitMessage(toPlainText(text, parseMode).trim(), ZALO_MAX_MESSAGE);
}

/**
 * The outbox rows a message becomes on its channel: on Zalo its plain text in parts of at most 2,000
 * characters (the first keeps the dedupe key, the next ones `<key>#2`, `#3`, …), with no parse mode
 * and no buttons; on Telegram the row as it is.
 */
export function rowsForChannel(row: OutboxMessageInput): OutboxMessageInput[] {
  if (channelOfChat(row.chatId) !== "zalo") return [row];
  return zaloMessageParts(row.text, row.parseMode ?? null).map((text, i) => ({ ...row, text, parseMode: null, replyMarkup: null, dedupeKey: i === 0 ? row.dedupeKey : `${row.dedupeKey}#${i + 1}` }));
}
