// The host's output as data and its renderers: the numbered text form (Zalo, the console) and
// Telegram's buttons draw the same prompt.
import { describe, expect, test } from "vitest";
import { callbackActionOf, encodeCallback, TelegramRenderer } from "../../src/channels/telegram/index.js";
import { attestationPrompt, choiceByNumber, identityPrompt, languagePrompt, otherLanguageChoice, renderText, type HostReply } from "../../src/conversation/index.js";
import { createI18n } from "../../src/i18n/index.js";
import { loadExample } from "../channels/telegram/harness.js";

const t = createI18n().getFixedT("vi");

describe("host output", () => {
  test("the identity prompt is data: text, two choices with ids, the typed-answer hint, commands", () => {
    const prompt = identityPrompt(t, "Nguyễn Văn An", "Sở Tư pháp");
    expect(prompt).toMatchObject({ prompt: "identity", choices: [{ id: "identity:yes" }, { id: "identity:no" }], hint: "Xin gõ 1 hoặc 2." });
    expect(renderText(prompt)).toBe(
      "Theo danh sách khảo sát, mã này được cấp cho: Nguyễn Văn An, Sở Tư pháp. Ông/Bà có đúng là người này không?\n  1. Đúng, tôi là người này\n  2. Không phải tôi\nXin gõ 1 hoặc 2.",
    );
    expect(choiceByNumber(prompt, "2")?.id).toBe("identity:no");
    expect(choiceByNumber(prompt, "2.")?.id).toBe("identity:no");
    expect(choiceByNumber(prompt, "3")).toBeUndefined();
    expect(choiceByNumber(prompt, "hai")).toBeUndefined();
  });

  test.each<[string, HostReply, string]>([
    ["text only", { text: "Xin chào" }, "Xin chào"],
    ["choices without text", { text: "", choices: [{ id: "a", label: "A" }] }, "  1. A"],
    ["text, choices, hint", { text: "Q", choices: [{ id: "a", label: "A" }, { id: "b", label: "B" }], hint: "gõ số" }, "Q\n  1. A\n  2. B\ngõ số"],
  ])("renderText: %s", (_name, reply, expected) => {
    expect(renderText(reply)).toBe(expected);
  });

  test("Telegram draws the same prompts as buttons carrying its versioned callback data", async () => {
    const questionnaire = await loadExample("par-officials.yaml");
    const renderer = new TelegramRenderer({ questionnaire, language: "vi", t, tag: "abc123", unitName: (id) => id, timeZone: "Asia/Ho_Chi_Minh", unitCount: 1 });
    const identity = renderer.identity("Nguyễn Văn An", "Sở Tư pháp");
    const prompt = identityPrompt(t, "Nguyễn Văn An", "Sở Tư pháp");
    expect(identity.text).toBe(prompt.text);
    expect(identity.keyboard).toEqual(prompt.choices!.map((c) => [{ text: c.label, callback_data: encodeCallback("abc123", callbackActionOf(c.id)!) }]));
    expect(identity.keyboard!.flat().map((b) => (b as { callback_data: string }).callback_data)).toEqual(["1.abc123.i.y", "1.abc123.i.n"]);
    const attestation = renderer.attestation();
    expect(attestation.keyboard!.flat().map((b) => b.text)).toEqual(attestationPrompt(t, undefined).choices!.map((c) => c.label));
  });

  test("the language chooser is a host prompt; Telegram lays its two choices side by side", async () => {
    const prompt = languagePrompt(t);
    expect(prompt).toMatchObject({ prompt: "language", choices: [{ id: "language:vi", label: "Tiếng Việt" }, { id: "language:en", label: "English" }] });
    const renderer = new TelegramRenderer({ questionnaire: await loadExample("par-officials.yaml"), language: "vi", t, tag: "abc123", unitName: (id) => id, timeZone: "Asia/Ho_Chi_Minh", unitCount: 1 });
    const message = renderer.languages();
    expect(message.text).toBe(prompt.text);
    expect(message.keyboard).toEqual([[{ text: "Tiếng Việt", callback_data: "1.abc123.l.vi" }, { text: "English", callback_data: "1.abc123.l.en" }]]);
    expect(otherLanguageChoice(t, "en")).toEqual({ id: "language:en", label: t("citizens:language.en") });
  });

  test.each([
    ["identity:yes", { kind: "identity", confirm: true }],
    ["attestation:no", { kind: "attestation", accept: false }],
    ["language:en", { kind: "language", language: "en" }],
    ["submit", { kind: "submit" }],
    ["identity:maybe", undefined],
    ["option:q1", undefined],
  ])("callbackActionOf(%s)", (id, expected) => {
    expect(callbackActionOf(id)).toEqual(expected);
  });
});
