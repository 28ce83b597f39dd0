// Telegram-formatted broadcast texts as Zalo shows them: plain text, nothing of the message lost.
import { expect, test } from "vitest";
import { checkHtml, checkMarkdownV2 } from "../../src/broadcast/text.js";
import { htmlToPlain, markdownV2ToPlain, rowsForChannel, toPlainText, zaloMessageParts } from "../../src/outbox/plain-text.js";

test("HTML: tags removed, entities decoded, links readable as label (URL)", () => {
  const html = [
    "<b>Kính gửi</b> Ông/Bà,",
    "Hạn nộp phiếu: <i>17:00 ngày 15/12</i> &amp; <u>không</u> gia hạn &lt;3 &#8212; &#x2713;",
    'Xem <a href="https://sonoivu.example.vn/khao-sat?a=1&amp;b=2">hướng dẫn</a> hoặc <a href="https://sonoivu.example.vn">https://sonoivu.example.vn</a>.',
    '<blockquote>Trích: "<code>KS-ABCD</code>"</blockquote> <tg-spoiler>bí mật</tg-spoiler> <span class="tg-spoiler">ẩn</span>',
    '<pre><code class="language-text">dòng 1\ndòng 2</code></pre>',
    '<a href="tg://user?id=123">Chị Lan</a>',
  ].join("\n");
  expect(checkHtml(html).ok).toBe(true);
  expect(htmlToPlain(html)).toBe(
    [
      "Kính gửi Ông/Bà,",
      "Hạn nộp phiếu: 17:00 ngày 15/12 & không gia hạn <3 — ✓",
      "Xem hướng dẫn (https://sonoivu.example.vn/khao-sat?a=1&b=2) hoặc https://sonoivu.example.vn.",
      'Trích: "KS-ABCD" bí mật ẩn',
      "dòng 1\ndòng 2",
      "Chị Lan",
    ].join("\n"),
  );
});

test("MarkdownV2: escapes decoded, marks and quote markers removed, code verbatim, links readable", () => {
  const md = [
    "*Kính gửi* _Ông/Bà_, hạn nộp là __15/12__ ~không~ ||gia hạn||\\.",
    "Giá trị 1\\+1\\=2 \\(xem [hướng dẫn](https://example.vn/a_(b\\)) và [https://example\\.vn](https://example.vn)\\)\\!",
    "`KS\\-ABCD` giữ nguyên \\- ```text",
    "mã *không* đổi",
    "```",
    ">Trích dẫn dòng một",
    ">dòng hai",
    "👍 xong",
  ].join("\n");
  expect(checkMarkdownV2(md).ok).toBe(true);
  expect(markdownV2ToPlain(md)).toBe(
    [
      "Kính gửi Ông/Bà, hạn nộp là 15/12 không gia hạn.",
      "Giá trị 1+1=2 (xem hướng dẫn (https://example.vn/a_(b)) và https://example.vn)!",
      "KS\\-ABCD giữ nguyên - mã *không* đổi",
      "",
      "Trích dẫn dòng một",
      "dòng hai",
      "👍 xong",
    ].join("\n"),
  );
});

test("plain text is left alone; long texts become parts of at most 2,000 characters split at line boundaries", () => {
  expect(toPlainText("a <b> & *c*", null)).toBe("a <b> & *c*");
  const lines = Array.from({ length: 90 }, (_, i) => `<b>Dòng ${i + 1}</b>: nội dung thông báo gửi tới người trả lời phiếu khảo sát.`);
  const parts = zaloMessageParts(lines.join("\n"), "HTML");
  expect(parts.length).toBe(3);
  for (const p of parts) expect(p.length).toBeLessThanOrEqual(2000);
  // Every line whole, in order, none cut.
  expect(parts.join("\n").split("\n")).toEqual(lines.map((l) => l.replace(/<\/?b>/g, "")));
});

test("rowsForChannel: a Zalo row becomes plain parts with their own dedupe keys; a Telegram row is untouched", () => {
  const text = `<b>${"chữ ".repeat(600)}</b>`;
  const base = { kind: "broadcast" as const, dedupeKey: "k", text, parseMode: "HTML" as const, notBefore: new Date(0) };
  expect(rowsForChannel({ ...base, chatId: "42" })).toEqual([{ ...base, chatId: "42" }]);
  const rows = rowsForChannel({ ...base, chatId: "zalo:u1", replyMarkup: { inline_keyboard: [[{ text: "x", callback_data: "y" }]] } });
  expect(rows.map((r) => [r.dedupeKey, r.parseMode, r.replyMarkup, r.text.length <= 2000, r.text.includes("<")])).toEqual([
    ["k", null, null, true, false],
    ["k#2", null, null, true, false],
  ]);
  expect(rows.map((r) => r.text).join(" ")).toBe("chữ ".repeat(600).trim());
});
