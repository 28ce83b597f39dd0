import { describe, expect, test } from "vitest";
import { PerChatSpacing, SendBudget } from "../../src/outbox/rate-limit.js";
import { mulberry32 } from "../support/random.js";

// 100 starts 10 ms apart (0 … 990 ms), answered `rtt(i)` ms later.
function hundred(b: SendBudget, rtt: (i: number) => number = () => 20): SendBudget {
  for (let i = 0; i < 100; i++) b.take(i * 10);
  for (let i = 0; i < 100; i++) b.settle(i * 10, i * 10 + rtt(i));
  return b;
}

describe("SendBudget (100 per second)", () => {
  test.each<[string, (b: SendBudget) => number, number]>([
    ["one start at first", (b) => b.available(0), 1],
    ["the bucket refills at the rate, up to the burst (a fifth of a second's worth)", (b) => (b.take(0), b.settle(0, 5), b.available(2000)), 20],
    ["a late wake catches up what the clock allows, within the burst", (b) => (b.take(0), b.settle(0, 5), b.available(150)), 15],
    ["a full window of starts allows nothing more, answered or not", (b) => {
      for (let i = 0; i < 100; i++) b.take(i * 10);
      return b.available(995);
    }, 0],
    ["a start holds its slot one second after its answer: with 20 ms round trips the first slot frees at 1020 ms", (b) => hundred(b).available(1020), 1],
    ["but not before", (b) => hundred(b).available(1019), 0],
    ["a full window whose starts were answered frees as many slots as answers a second old", (b) => hundred(b, (i) => (i < 15 ? 5 : 900)).available(1300), 15],
    ["a start never settled at all gives its slot back after the window plus a minute", (b) => {
      for (let i = 0; i < 100; i++) b.take(i * 10);
      return b.available(62_000);
    }, 20],
  ])("%s", (_, run, expected) => {
    expect(run(new SendBudget(100, 1000))).toBe(expected);
  });

  // One start per second: what holds the one slot.
  test.each<[string, (b: SendBudget) => void, number, number]>([
    ["however slow the answer (the server stalled 300 ms), the slot is held a second after it", (b) => (b.take(0), b.settle(0, 300)), 1299, 1300],
    ["a start whose answer has not come holds its slot, however old the start", (b) => b.take(0), 30_000, 61_001],
    ["a request that failed (settled without an answer) frees its slot a second after the failure", (b) => (b.take(0), b.settle(0, 2000)), 2999, 3000],
  ])("%s", (_, use, heldAt, freeAt) => {
    const b = new SendBudget(1, 1000, 1);
    use(b);
    expect(b.available(heldAt)).toBe(0);
    expect(b.available(freeAt)).toBe(1);
  });

  test("a 429 holds slots 100 ms longer (once per second, at most 1 s), and the extra hold fades at 10 ms per second", () => {
    const b = hundred(new SendBudget(100, 1000));
    expect(b.margin(2000)).toBe(0);
    b.penalize(2000);
    expect(b.margin(2000)).toBe(100);
    // The other answers of the same burst do not widen it again.
    b.penalize(2500);
    expect(b.margin(2500)).toBe(95);
    b.penalize(3000);
    expect(b.margin(3000)).toBe(190);
    expect(b.margin(13_000)).toBe(90);
    expect(b.margin(60_000)).toBe(0);
    for (let t = 0; t < 20; t++) b.penalize(100_000 + t * 1000);
    expect(b.margin(119_000)).toBe(1000);
    // The hold applies from the answer: a start answered at 200_000 frees its slot at 201_000 + the hold.
    const c = new SendBudget(1, 1000, 1);
    c.penalize(0);
    c.take(0);
    c.settle(0, 10);
    expect(c.available(1050)).toBe(0);
    expect(c.available(1100)).toBe(1);
    const d = new SendBudget(1, 1000, 1);
    d.take(0);
    d.settle(0, 10);
    expect(d.available(1010)).toBe(1);
  });

  test("delay: until enough tokens, or until the slot that must leave is a second past its answer", () => {
    const b = new SendBudget(100, 1000, 10);
    b.take(0);
    expect(b.delay(0)).toBe(10);
    expect(b.delay(0, 5)).toBe(50);
    const full = new SendBudget(2, 1000, 2);
    full.take(0);
    full.take(300);
    full.settle(300, 340);
    full.settle(0, 20);
    expect(full.delay(1000)).toBe(20);
    // Two at once: the bucket (one token back per 500 ms) is the later of the two limits.
    expect(full.delay(1000, 2)).toBe(500);
    expect(full.delay(1021)).toBe(0);
    // Slots held by unanswered starts: nothing frees sooner than a window after an answer yet to come.
    const waiting = new SendBudget(2, 1000, 2);
    waiting.take(0, 2);
    expect(waiting.delay(1500)).toBe(1000);
  });
});

// A sender loop driven by a fake clock on a loaded machine: wakes come late (the process gets no CPU
// for 20-200 ms about every half second), and the server stalls about every 2 s for 50-300 ms (requests sent meanwhile
// arrive when it ends). The server counts arrivals in a sliding second, as Telegram and the stub do.
// The previous budget freed a slot 1 s plus a jitter margin (at most 100 ms) after its START, and
// its bucket caught up at most a tenth of a second: here it let more than the rate arrive in a second.
describe("SendBudget under a late loop and a stalling server (fake clock)", () => {
  function simulate(rate: number, seconds: number, seed = 7): { achieved: number; peak: number } {
    const random = mulberry32(seed);
    const budget = new SendBudget(rate, 1000);
    const arrivals: number[] = [];
    // Answers still to come: [startedAt, answeredAt].
    const pending: Array<[number, number]> = [];
    const end = seconds * 1000;
    let now = 0;
    // Stalls of the server: [from, to).
    const stalls: Array<[number, number]> = [];
    for (let t = random() * 2000; t < end + 2000; t += 1000 + random() * 2000) stalls.push([t, t + 50 + random() * 250]);
    // Spells when the sender's process gets no CPU: 20-200 ms, about every half second.
    const asleep: Array<[number, number]> = [];
    for (let t = random() * 500; t < end + 2000; t += 200 + random() * 600) asleep.push([t, t + 20 + random() * 180]);
    const after = (spells: Array<[number, number]>, t: number): number => {
      const spell = spells.find(([from, to]) => from <= t && t < to);
      return spell ? spell[1] : t;
    };
    while (now < end) {
      // Answers that came back while the loop slept are recorded when it wakes, as the event loop does.
      for (let i = pending.length - 1; i >= 0; i--) {
        if (pending[i]![1] <= now) {
          budget.settle(pending[i]![0], pending[i]![1]);
          pending.splice(i, 1);
        }
      }
      const n = budget.available(now);
      if (n > 0) {
        budget.take(now, n);
        for (let k = 0; k < n; k++) {
          // Read 1-3 ms after the start, or when a stall ends.
          const arrival = after(stalls, now + 1 + random() * 2);
          arrivals.push(arrival);
          pending.push([now, arrival + 1 + random() * 2]);
        }
      }
      const wait = Math.max(1, Math.min(50, budget.delay(now)));
      // Timers fire up to 3 ms late, or when the process gets the CPU back.
      now = after(asleep, now + wait + random() * 3);
    }
    arrivals.sort((a, b) => a - b);
    let peak = 0;
    // The stub's window: arrivals at most 1000 ms before the newest one, that one excluded at exactly 1000.
    for (let i = 0, j = 0; i < arrivals.length; i++) {
      while (arrivals[i]! - arrivals[j]! >= 1000) j++;
      peak = Math.max(peak, i - j + 1);
    }
    const done = arrivals.filter((a) => a <= end);
    return { achieved: (done.length - 1) / ((done.at(-1)! - done[0]!) / 1000) / rate, peak };
  }

  test.each([30, 300])("at %i/s: at least 0.95 of the rate, and never more than the rate in any second of arrivals", (rate) => {
    for (const seed of [1, 2, 3]) {
      const { achieved, peak } = simulate(rate, 30, seed);
      expect(peak, `seed ${seed}`).toBeLessThanOrEqual(rate);
      expect(achieved, `seed ${seed}`).toBeGreaterThanOrEqual(0.95);
      expect(achieved, `seed ${seed}`).toBeLessThanOrEqual(1.0);
    }
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
