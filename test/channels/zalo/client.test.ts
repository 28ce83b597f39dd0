import { afterAll, beforeAll, expect, test } from "vitest";
import { ZaloApiError, ZaloClient, ZaloNetworkError } from "../../../src/channels/zalo/index.js";
import { ZaloBotApiStub } from "../../support/zalo-stub.js";

const stub = new ZaloBotApiStub({ maxPollMs: 100 });
beforeAll(() => stub.start());
afterAll(() => stub.stop());

test("429 is retried with backoff until it passes; a refusal (400) is not retried; the 2,000-character limit is enforced", async () => {
  const client = new ZaloClient({ token: stub.token, apiRoot: stub.url, backoffMs: 1 });
  stub.throttleNext = 2;
  await client.sendMessage("c1", "xin chào");
  expect(stub.textsTo("c1")).toEqual(["xin chào"]);
  expect(() => client.sendMessage("c1", "x".repeat(2001))).toThrow(/1 to 2000/);
  stub.failingChats.set("c2", { code: 403, description: "user blocked the bot" });
  const error = await client.sendMessage("c2", "hi").catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ZaloApiError);
  expect((error as ZaloApiError).errorCode).toBe(403);
  expect(stub.calls.filter((c) => c.method === "sendMessage" && c.body.chat_id === "c2")).toHaveLength(1);
});

test("getUpdates: one update per call, 408 means none; a network error never shows the token", async () => {
  const client = new ZaloClient({ token: stub.token, apiRoot: stub.url, backoffMs: 1 });
  expect(await client.getUpdate(1)).toBeUndefined();
  stub.pushText("u1", "a");
  stub.pushText("u1", "b");
  expect((await client.getUpdate(1))?.message?.text).toBe("a");
  expect((await client.getUpdate(1))?.message?.text).toBe("b");
  const down = new ZaloClient({ token: stub.token, apiRoot: "http://127.0.0.1:9", attempts: 2, backoffMs: 1 });
  const error = await down.sendMessage("c1", "x").catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ZaloNetworkError);
  expect(String((error as Error).message)).not.toContain(stub.token.split(":")[1]!);
});
