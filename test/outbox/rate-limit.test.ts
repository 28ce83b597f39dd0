import { describe, expect, test } from "vitest";
import { PerChatSpacing, SendBudget } from "../../src/outbox/rate-limit.js";

// 100 requests started 10 ms apart, none answered yet.
function hundredInFlight(b: SendBudget): SendBudget {
  for (let t = 0; t < 100; t++) b.take(t * 10);
  return b;
}

describe("SendBudget (100 per second)", () => {
  test.each<[string, (b: SendBudget) => number, number]>([
    ["one start at first", (b) => b.available(0), 1],
    ["the bucket refills at the rate, up to the burst (a tenth of a second's worth)", (b) => (b.take(0), b.available(1000)), 10],
    ["requests in flight fill the window however long they take", (b) => hundredInFlight(b).available(5000), 0],
    ["an answered request counts for a full window after its answer", (b) => {
      hundredInFlight(b);
      for (let i = 0; i < 100; i++) b.settle(1500);
      return b.available(2499);
    }, 0],
    ["and frees its slot after that", (b) => {
      hundredInFlight(b);
      for (let i = 0; i < 100; i++) b.settle(1500);
      return b.available(2501);
    }, 10],
  ])("%s", (_, run, expected) => {
    expect(run(new SendBudget(100, 1000))).toBe(expected);
  });

  test("delay: until enough tokens, or until the oldest answer leaves the window", () => {
    const b = new SendBudget(100, 1000);
    b.take(0);
    expect(b.delay(0)).toBe(10);
    expect(b.delay(0, 5)).toBe(50);
    const full = new SendBudget(2, 1000, 2);
    full.take(0, 2);
    full.settle(100);
    full.settle(300);
    expect(full.delay(1050)).toBe(50);
    expect(full.delay(1200)).toBe(0);
    expect(full.delay(2000)).toBe(0);
  });
});

test.each<[string, number, string, number, number]>([
  ["1/s, half a second later", 1, "c", 500, 500],
  ["1/s, a second later", 1, "c", 1000, 0],
  ["2/s, 200 ms later", 2, "c", 200, 300],
  ["another chat", 1, "d", 0, 0],
])("PerChatSpacing %s", (_, perSecond, chat, after, wait) => {
  const s = new PerChatSpacing(perSecond);
  s.take("c", 0);
  expect(s.delay(chat, after)).toBe(wait);
});
