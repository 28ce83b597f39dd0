// The submit hook's median kept in memory: the same value as sorting every duration, a response
// counted once however often it is flagged, small campaigns read every time, and what other
// processes stored taken in once the array is a minute old.
import { expect, test } from "vitest";
import { DurationMedians, type TimedResponse } from "../../src/flags/index.js";
import { median } from "../../src/scoring/index.js";

/** A campaign's stored responses, as the database would hand them to `load`, and how often it was asked. */
function store(rows: TimedResponse[] = []) {
  const state = { rows, reads: 0 };
  const load = async (campaignId: string) => {
    state.reads++;
    return campaignId === "c" ? [...state.rows] : [];
  };
  return { state, load };
}

const exact = (rows: readonly TimedResponse[]) => ({ count: rows.length, median: median(rows.map((r) => r.milliseconds)) });

test("each submission is inserted in order: the median equals sorting everything, odd and even counts, ties and all", async () => {
  const { state, load } = store();
  const medians = new DurationMedians(load, { minRows: 5, maxAgeMs: 3_600_000, now: () => 0 });
  // A pseudo-random sequence with repeats, millisecond parts and a few very long ones.
  for (let i = 0; i < 400; i++) {
    const row = { id: `r${i}`, milliseconds: 300_000 + ((i * 7_919_417) % 600_000) + (i % 3 === 0 ? 0 : i % 7) + (i % 97 === 0 ? 9_000_000 : 0) };
    state.rows.push(row);
    expect(await medians.median("c", row), `after ${i + 1}`).toEqual(exact(state.rows));
  }
  // Read while under 5 rows, then once when the array was kept; every later submission came from memory.
  expect(state.reads).toBe(5);
});

test("a response flagged again (a redelivered submit) is counted once; one read with the array is not added twice", async () => {
  const rows = Array.from({ length: 10 }, (_, i) => ({ id: `r${i}`, milliseconds: 1_000 * (i + 1) }));
  const { state, load } = store(rows);
  const medians = new DurationMedians(load, { minRows: 5, now: () => 0 });
  // The first call reads the array, which already holds r9.
  expect(await medians.median("c", rows[9])).toEqual(exact(rows));
  expect(await medians.median("c", rows[9])).toEqual(exact(rows));
  const late = { id: "late", milliseconds: 100 };
  state.rows.push(late);
  expect(await medians.median("c", late)).toEqual({ count: 11, median: 5_000 });
  expect(await medians.median("c", late)).toEqual({ count: 11, median: 5_000 });
  expect(state.reads).toBe(1);
});

test("small campaigns are read from the database every time, so what others stored counts at once", async () => {
  const { state, load } = store([{ id: "a", milliseconds: 10 }]);
  const medians = new DurationMedians(load, { minRows: 1_000, now: () => 0 });
  expect(await medians.median("c")).toEqual({ count: 1, median: 10 });
  state.rows.push({ id: "b", milliseconds: 30 });
  expect(await medians.median("c")).toEqual({ count: 2, median: 20 });
  expect(state.reads).toBe(2);
  expect(await medians.median("empty")).toEqual({ count: 0, median: Number.NaN });
});

test("a kept array is read again once it is maxAgeMs old: rows stored by another process (an import, another instance) are then counted", async () => {
  let now = 0;
  const rows = Array.from({ length: 20 }, (_, i) => ({ id: `r${i}`, milliseconds: 1_000 * (i + 1) }));
  const { state, load } = store([...rows]);
  const medians = new DurationMedians(load, { minRows: 5, maxAgeMs: 60_000, now: () => now });
  expect(await medians.median("c")).toEqual(exact(rows));
  // Another process stores ten quick ones: not seen for up to a minute...
  const imported = Array.from({ length: 10 }, (_, i) => ({ id: `i${i}`, milliseconds: 50 }));
  state.rows.push(...imported);
  now = 59_999;
  expect(await medians.median("c")).toEqual(exact(rows));
  // ...then read again.
  now = 60_000;
  expect(await medians.median("c")).toEqual(exact(state.rows));
  expect(state.reads).toBe(2);
  // Forgetting reads again at once.
  state.rows.splice(0, 10);
  medians.forget("c");
  expect(await medians.median("c")).toEqual(exact(state.rows));
});

test("submissions arriving together while the array is read share one read and are each counted once", async () => {
  const rows = Array.from({ length: 10 }, (_, i) => ({ id: `r${i}`, milliseconds: 1_000 * (i + 1) }));
  let reads = 0;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const medians = new DurationMedians(
    async () => {
      reads++;
      await gate;
      return rows;
    },
    { minRows: 5, now: () => 0 },
  );
  const a = { id: "a", milliseconds: 1 };
  const b = { id: "b", milliseconds: 2 };
  const pending = [medians.median("c", a), medians.median("c", b)];
  release();
  const results = await Promise.all(pending);
  expect(reads).toBe(1);
  // a, then b, each inserted once: 12 durations.
  expect(results.map((r) => r.count)).toEqual([11, 12]);
  expect(await medians.median("c")).toEqual(exact([...rows, a, b]));
});
