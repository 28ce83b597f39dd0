import { describe, expect, test } from "vitest";
import { checkText, splitText } from "../../src/broadcast/index.js";

describe("checkText", () => {
  test.each([
    ["plain", "Xin chào < & >", null, 14],
    ["html", "<b>Hạn chót</b> 15/12 &amp; <a href=\"https://x.vn\">link</a>", "HTML", 21],
    ["markdown", "*Hạn chót* 15/12\\. Xem [đây](https://x.vn) `a_b`", "MarkdownV2", 27],
  ] as const)("%s is accepted with its visible length", (_name, text, mode, length) => {
    expect(checkText(text, mode)).toEqual({ ok: true, visibleLength: length });
  });

  test.each([
    ["", null, "the text is empty"],
    ["a < b", "HTML", 'HTML: "<" at line 1, column 3 does not start a tag; write &lt; for a literal <'],
    ["<b>x", "HTML", "HTML: <b> opened at line 1, column 1 is never closed"],
    ["<b><i>x</b></i>", "HTML", "HTML: </b> at line 1, column 8 closes <i> opened at line 1, column 4; close tags in the reverse order"],
    ["<div>x</div>", "HTML", "HTML: <div> at line 1, column 1 is not a tag Telegram supports (use b, i, u, s, a, code, pre, blockquote, tg-spoiler)"],
    ["R&D", "HTML", 'HTML: "&" at line 1, column 2 does not start an entity; write &amp; for a literal &'],
    ["Hạn 15.12", "MarkdownV2", 'MarkdownV2: "." at line 1, column 7 must be escaped as "\\."'],
    ["*đậm", "MarkdownV2", 'MarkdownV2: "*" opened at line 1, column 1 is never closed'],
    ["a\n`code", "MarkdownV2", "MarkdownV2: code opened at line 2, column 1 is never closed"],
  ] as const)("%j (%s) is refused: %s", (text, mode, error) => {
    expect(checkText(text, mode)).toMatchObject({ ok: false, error });
  });
});

describe("splitText", () => {
  test("splits at blank lines into parts within the limit", () => {
    const text = ["a".repeat(30), "b".repeat(30), "c".repeat(30)].join("\n\n");
    expect(splitText(text, null, 65)).toEqual({ ok: true, parts: ["a".repeat(30) + "\n\n" + "b".repeat(30), "c".repeat(30)] });
  });
  test("HTML parts are each valid; formatting across the cut is refused", () => {
    expect(splitText("<b>one</b>\n\n<b>two</b>", "HTML", 5)).toEqual({ ok: true, parts: ["<b>one</b>", "<b>two</b>"] });
    expect(splitText("<b>one\n\ntwo</b>", "HTML", 5)).toMatchObject({ ok: false, error: "cannot split the text into valid HTML parts of at most 5 characters: close formatting before blank lines or line breaks so each part stands alone" });
  });
});
