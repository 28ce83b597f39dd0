// The Zalo channel's order: a chat's updates reach the host one after another and their replies go
// out one after another, in the order the updates came; the host gets a chat's next update as soon as
// the previous one's step is stored, without waiting for its replies to be sent; chats do not wait
// for each other; a failing host gets the apology sent, in order.
import { expect, test } from "vitest";
import type { BotLogger } from "../../../src/channels/telegram/index.js";
import { ZaloChannel, type ZaloClient, type ZaloHost, type ZaloUpdate } from "../../../src/channels/zalo/index.js";
import { createI18n } from "../../../src/i18n/index.js";

const quiet: BotLogger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
let n = 0;
const update = (chat: string, text: string): ZaloUpdate => ({ event_name: "message.text.received", message: { message_id: `m${++n}`, from: { id: chat }, chat: { id: chat }, text } });

/** A deferred promise. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

test("a chat's next update is handled while the previous replies are still being sent; replies keep their order", async () => {
  const events: string[] = [];
  const firstSend = gate();
  const client = {
    async sendMessage(chat: string, text: string) {
      events.push(`send ${chat} ${text} start`);
      if (text === "re: a1") await firstSend.promise;
      events.push(`send ${chat} ${text} done`);
      return { message_id: "s", date: 0 };
    },
  } as unknown as ZaloClient;
  const i18n = createI18n();
  const host: ZaloHost = {
    async handle(message) {
      events.push(`handle ${message.chatId} ${message.text}`);
      if (message.text === "boom") throw new Error("the database went away");
      return [`re: ${message.text}`];
    },
    t: (language) => i18n.getFixedT(language),
    deps: { defaultLanguage: "vi" },
  };
  const handled: string[] = [];
  const channel = new ZaloChannel({ client, host, logger: quiet, onHandled: (u) => void handled.push(u.message!.text!) });
  const done = [channel.dispatch(update("a", "a1")), channel.dispatch(update("a", "a2")), channel.dispatch(update("a", "boom")), channel.dispatch(update("b", "b1"))];
  // a1's reply is held at the network: a2 and boom are handled meanwhile, b goes on entirely, a's later replies wait.
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect(events).toContain("handle a a2");
  expect(events).toContain("handle a boom");
  expect(events).toContain("send b re: b1 done");
  expect(events.filter((e) => e.startsWith("send a"))).toEqual(["send a re: a1 start"]);
  expect(handled).toEqual(["b1"]);
  firstSend.open();
  await Promise.all(done);
  await channel.idle();
  // Handled in order, sent in order, the failure answered with the apology in its place.
  expect(events.filter((e) => e.startsWith("handle a"))).toEqual(["handle a a1", "handle a a2", "handle a boom"]);
  const sentToA = events.filter((e) => e.startsWith("send a") && e.endsWith("done")).map((e) => e.slice("send a ".length, -" done".length));
  expect(sentToA.slice(0, 2)).toEqual(["re: a1", "re: a2"]);
  expect(sentToA[2]).toBe(i18n.getFixedT("vi")("telegram:error"));
  expect(handled).toEqual(["b1", "a1", "a2", "boom"]);
});
