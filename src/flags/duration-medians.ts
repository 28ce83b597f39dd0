// The campaign's median duration for the speeder rule when one response is submitted, kept in memory
// for the bot's submit hook. Asking the database for it sorts every submitted response of the
// campaign: ~2 ms at a province's 2,300, ~175 ms at the national 50,000, once per submission, and on
// SQLite on the event loop's thread, where every other respondent waits meanwhile. Here the durations
// are read once into a sorted array; each submission flagged by this process is inserted (a binary
// search and a shift), and the median read off the middle. The array is read afresh at most every
// `maxAgeMs` (a minute), which takes in what other processes stored meanwhile (another instance's
// submissions, an import of paper responses); until then the median lacks them, one minute's worth
// against at least `minRows` responses: a negligible move of a median, which `khaosat flags` and the
// web console's flags page recompute over the whole campaign anyway. Campaigns under `minRows` timed
// responses are read every time, exactly as before (the read is as cheap as the sort there).

/** One timed submitted response: its id and its duration (submittedAt − startedAt) in milliseconds. */
export interface TimedResponse {
  readonly id: string;
  readonly milliseconds: number;
}

/** The median of a campaign's durations and how many there are (median NaN when none). */
export interface DurationMedian {
  readonly count: number;
  readonly median: number;
}

export interface DurationMediansOptions {
  /** Campaigns with fewer timed responses are read every time (default 1,000). */
  readonly minRows?: number;
  /** How long a campaign's array is used before it is read again (default 60 s). */
  readonly maxAgeMs?: number;
  /** The clock, in milliseconds (tests). */
  readonly now?: () => number;
}

interface Entry {
  /** Sorted ascending in [0, count); capacity beyond. */
  durations: Float64Array;
  count: number;
  readonly ids: Set<string>;
  readonly loadedAt: number;
}

/** The median of the sorted `values[0..count)`, as the database query gives it (the mean of the middle two when even). */
function middle(values: Float64Array, count: number): number {
  if (count === 0) return Number.NaN;
  const half = count >> 1;
  return count % 2 === 1 ? values[half]! : (values[half - 1]! + values[half]!) / 2;
}

export class DurationMedians {
  readonly #load: (campaignId: string) => Promise<readonly TimedResponse[]>;
  readonly #minRows: number;
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, Entry>();
  /** One read per campaign at a time: submissions arriving together wait for the same one. */
  readonly #loading = new Map<string, Promise<Entry>>();

  /** `load` reads every timed submitted response of a campaign (any order). */
  constructor(load: (campaignId: string) => Promise<readonly TimedResponse[]>, options: DurationMediansOptions = {}) {
    this.#load = load;
    this.#minRows = options.minRows ?? 1_000;
    this.#maxAgeMs = options.maxAgeMs ?? 60_000;
    this.#now = options.now ?? Date.now;
  }

  /**
   * The campaign's median duration with `submitted` (a response just submitted, already stored)
   * counted once: from memory while the campaign's array is fresh, else read anew.
   */
  async median(campaignId: string, submitted?: TimedResponse): Promise<DurationMedian> {
    let entry = this.#entries.get(campaignId);
    if (entry && this.#now() - entry.loadedAt >= this.#maxAgeMs) {
      this.#entries.delete(campaignId);
      entry = undefined;
    }
    if (!entry) {
      entry = await this.#read(campaignId);
      if (entry.count >= this.#minRows) this.#entries.set(campaignId, entry);
    }
    if (submitted && Number.isFinite(submitted.milliseconds) && !entry.ids.has(submitted.id)) insert(entry, submitted);
    return { count: entry.count, median: middle(entry.durations, entry.count) };
  }

  /** Forgets what is kept (e.g. after responses were deleted or reopened). */
  forget(campaignId?: string): void {
    if (campaignId === undefined) this.#entries.clear();
    else this.#entries.delete(campaignId);
  }

  #read(campaignId: string): Promise<Entry> {
    let pending = this.#loading.get(campaignId);
    if (!pending) {
      const loadedAt = this.#now();
      pending = this.#load(campaignId)
        .then((rows) => {
          const durations = new Float64Array(Math.max(16, Math.ceil(rows.length * 1.25)));
          const ids = new Set<string>();
          let count = 0;
          for (const row of rows) {
            if (!Number.isFinite(row.milliseconds) || ids.has(row.id)) continue;
            ids.add(row.id);
            durations[count++] = row.milliseconds;
          }
          durations.subarray(0, count).sort();
          return { durations, count, ids, loadedAt };
        })
        .finally(() => this.#loading.delete(campaignId));
      this.#loading.set(campaignId, pending);
    }
    return pending;
  }
}

/** Inserts one duration in order (growing the array when full). */
function insert(entry: Entry, response: TimedResponse): void {
  if (entry.count === entry.durations.length) {
    const grown = new Float64Array(Math.ceil(entry.durations.length * 1.5) + 16);
    grown.set(entry.durations.subarray(0, entry.count));
    entry.durations = grown;
  }
  const values = entry.durations;
  const value = response.milliseconds;
  let lo = 0;
  let hi = entry.count;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (values[mid]! <= value) lo = mid + 1;
    else hi = mid;
  }
  values.copyWithin(lo + 1, lo, entry.count);
  values[lo] = value;
  entry.count++;
  entry.ids.add(response.id);
}
