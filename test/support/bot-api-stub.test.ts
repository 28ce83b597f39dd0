import { Bot } from "grammy";
import { afterEach, describe, expect, test } from "vitest";
import { BotApiStub } from "./bot-api-stub.js";
import { TEST_BOT_INFO, UpdateFactory } from "./telegram.js";

describe("BotApiStub (loopback Bot API)", () => {
  let stub: BotApiStub;
  afterEach(async () => stub.stop());

  test("serves long polling with offsets to a real grammY bot", async () => {
    stub = new BotApiStub();
    const apiRoot = await stub.start();
    const bot = new Bot("123:TEST", { botInfo: TEST_BOT_INFO, client: { apiRoot } });
    const seen: string[] = [];
    let stopping: Promise<void> | undefined;
    bot.on("message:text", async (ctx) => {
      seen.push(ctx.message.text);
      await ctx.reply(`echo ${ctx.message.text}`);
      if (seen.length === 2) stopping = bot.stop();
    });
    const updates = new UpdateFactory();
    stub.push(updates.text(5, "một"), updates.text(5, "hai"));
    await bot.start({ timeout: 1 });
    await stopping;
    expect(seen).toEqual(["một", "hai"]);
    expect(stub.callsOf("sendMessage").map((c) => c.payload.text)).toEqual(["echo một", "echo hai"]);
    // Stopping confirms both updates, so Telegram would not deliver them again.
    expect(stub.callsOf("getUpdates").at(-1)!.payload.offset).toBe(3);
  });

  test("answers 429 with retry_after beyond the global rate and 403 for blocked chats", async () => {
    stub = new BotApiStub({ globalRate: 2, retryAfter: 3 });
    const apiRoot = await stub.start();
    const bot = new Bot("123:TEST", { botInfo: TEST_BOT_INFO, client: { apiRoot } });
    stub.blockedChats.add(9);
    await bot.api.sendMessage(1, "a");
    await bot.api.sendMessage(2, "b");
    await expect(bot.api.sendMessage(3, "c")).rejects.toMatchObject({ error_code: 429, parameters: { retry_after: 3 } });
    await expect(bot.api.sendMessage(9, "d")).rejects.toMatchObject({ error_code: 403 });
  });
});
