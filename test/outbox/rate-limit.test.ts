import { describe, expect, test } from "vitest";
import { PerChatSpacing, SendBudget } from "../../src/outbox/rate-limit.js";

// 100 starts 10 ms apart (0 … 990 ms), answered `rtt(i)` ms later.
function hundred(b: SendBudget, rtt: (i: number) => number = () => 20): SendBudget {
  for (let i = 0; i < 100; i++) b.take(i * 10);
  for (let i = 0; i < 100; i++) b.settle(i * 10, i * 10 + rtt(i));
  return b;
}

// A spread of 30 ms learnt from earlier round trips, then 100 starts 10 ms apart whose answers have not come.
function unanswered(b: SendBudget): SendBudget {
  for (let i = 0; i < 20; i++) b.settle(-5_000, -5_000 + (i % 2 ? 50 : 20));
  for (let i = 0; i < 100; i++) b.take(i * 10);
  return b;
}

describe("SendBudget (100 per second, jitter margin at most 100 ms)", () => {
  test.each<[string, (b: SendBudget) => number, number]>([
    ["one start at first", (b) => b.available(0), 1],
    ["the bucket refills at the rate, up to the burst (a tenth of a second's worth)", (b) => (b.take(0), b.available(1000)), 10],
    ["a full window of starts allows nothing more, answered or not", (b) => {
      for (let i = 0; i < 100; i++) b.take(i * 10);
      return b.available(995);
    }, 0],
    ["before any round trip is known, each start is held the full margin (1 s + 100 ms)", (b) => {
      for (let i = 0; i < 100; i++) b.take(i * 10);
      return b.available(1099);
    }, 0],
    ["with steady round trips (spread 0), a start frees its slot one second after it: the rate is the permitted one", (b) => hundred(b).available(1001), 1],
    ["the margin is the spread between the fastest and slowest recent round trip", (b) => hundred(b, (i) => 20 + (i % 2) * 30).margin(), 30],
    ["a start whose answer has not come is held 1 s plus that spread", (b) => unanswered(b).available(1029), 0],
    ["and freed after it", (b) => unanswered(b).available(1031), 1],
    ["an answered start leaves one second after its answer, even while the spread would hold it", (b) => hundred(b, (i) => 5 + (i % 2) * 100).available(1006), 1],
    ["but not before", (b) => hundred(b, (i) => 5 + (i % 2) * 100).available(1004), 0],
    ["the margin is bounded", (b) => hundred(b, (i) => 5 + i * 10).margin(), 100],
    ["an answer that never came (a dead request) does not hold its slot beyond the margin", (b) => {
      for (let i = 0; i < 100; i++) b.take(i * 10);
      return b.available(1101);
    }, 1],
  ])("%s", (_, run, expected) => {
    expect(run(new SendBudget(100, 1000))).toBe(expected);
  });

  test("only recent round trips count: the spread narrows again after a slow spell", () => {
    const b = new SendBudget(100, 1000, 10, 100, 20);
    for (let i = 0; i < 20; i++) b.settle(0, i % 2 ? 90 : 10);
    expect(b.margin()).toBe(80);
    for (let i = 0; i < 20; i++) b.settle(0, i % 2 ? 14 : 10);
    expect(b.margin()).toBe(4);
  });

  test("a 429 widens the margin by 100 ms (once per second, at most 1 s), and the widening fades at 10 ms per second", () => {
    const b = hundred(new SendBudget(100, 1000), (i) => 20 + (i % 2) * 30);
    expect(b.margin(2000)).toBe(30);
    b.penalize(2000);
    expect(b.margin(2000)).toBe(130);
    // The other answers of the same burst do not widen it again.
    b.penalize(2500);
    expect(b.margin(2500)).toBe(125);
    b.penalize(3000);
    expect(b.margin(3000)).toBe(220);
    // Fading stops at the round-trip spread.
    expect(b.margin(13_000)).toBe(120);
    expect(b.margin(60_000)).toBe(30);
    for (let t = 0; t < 20; t++) b.penalize(100_000 + t * 1000);
    expect(b.margin(119_000)).toBe(1000);
  });

  test("delay: until enough tokens, or until the start that must leave the window is a margin past one second", () => {
    const b = new SendBudget(100, 1000);
    b.take(0);
    expect(b.delay(0)).toBe(10);
    expect(b.delay(0, 5)).toBe(50);
    const full = new SendBudget(2, 1000, 2, 50, 10);
    for (let i = 0; i < 10; i++) full.settle(0, i % 2 ? 30 : 10);
    full.take(0);
    full.take(300);
    expect(full.margin()).toBe(20);
    expect(full.delay(1000)).toBe(20);
    // Two at once: the bucket (one token back per 500 ms) is the later of the two limits.
    expect(full.delay(1000, 2)).toBe(500);
    expect(full.delay(1021)).toBe(0);
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
