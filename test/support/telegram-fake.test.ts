import { Bot, InputFile } from "grammy";
import { describe, expect, test } from "vitest";
import { FakeBotApi, TEST_BOT_INFO, UpdateFactory } from "./telegram.js";

describe("FakeBotApi (offline Telegram harness)", () => {
  test("records JSON and multipart calls and answers like Telegram", async () => {
    const api = new FakeBotApi();
    const bot = new Bot("123:TEST", { botInfo: TEST_BOT_INFO, client: { fetch: api.fetch } });
    bot.command("start", async (ctx) => {
      const sent = await ctx.reply(`xin chào ${ctx.match}`);
      await ctx.api.editMessageText(ctx.chat.id, sent.message_id, "đã sửa");
      await ctx.replyWithDocument(new InputFile(Buffer.from("a,b\n"), "bao-cao.csv"), { caption: "Báo cáo" });
    });
    const updates = new UpdateFactory();
    await bot.handleUpdate(updates.text(42, "/start ABCDE"));
    expect(api.calls.map((c) => c.method)).toEqual(["sendMessage", "editMessageText", "sendDocument"]);
    expect(api.sentTexts(42)).toEqual(["xin chào ABCDE"]);
    expect(api.callsOf("editMessageText")[0]!.payload).toMatchObject({ chat_id: 42, message_id: 100, text: "đã sửa" });
    expect(api.callsOf("sendDocument")[0]!.payload).toMatchObject({ chat_id: "42", caption: "Báo cáo", document: { filename: "bao-cao.csv" } });
  });

  test("injected failures surface as GrammyError with Telegram's code", async () => {
    const api = new FakeBotApi();
    const bot = new Bot("123:TEST", { botInfo: TEST_BOT_INFO, client: { fetch: api.fetch } });
    api.fail({ method: "sendMessage", error_code: 403, description: "Forbidden: bot was blocked by the user" });
    await expect(bot.api.sendMessage(1, "a")).rejects.toMatchObject({ error_code: 403 });
    await expect(bot.api.sendMessage(1, "b")).resolves.toMatchObject({ text: "b" });
  });
});
