// The one line per target every benchmark prints (HELPERS.md "Agreed interfaces"), which `npm run bench`
// (bench/index.ts) collects into its table:
//   BENCH_RESULT {"bench":"scoring","name":"…","figure":1.8,"unit":"x","target":"<= 3 x","pass":true}
// A benchmark also sets a non-zero exit code when any of its targets is missed.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** One measured target. */
export interface BenchResult {
  readonly bench: string;
  readonly name: string;
  readonly figure: number;
  readonly unit: string;
  /** The target as people read it, e.g. "<= 3 x", "< 50 ms", ">= 0.5 x". */
  readonly target: string;
  readonly pass: boolean;
}

/** The prefix of a result line. */
export const BENCH_RESULT_PREFIX = "BENCH_RESULT ";

/** Prints a result line (stdout) and makes the process exit non-zero when the target is missed. */
export function reportResult(result: BenchResult): void {
  console.log(`${BENCH_RESULT_PREFIX}${JSON.stringify(result)}`);
  if (!result.pass) process.exitCode = 1;
}

/** Checks `figure` against a target written as `<= 3`, `< 50`, `>= 0.5` or `> 0` and reports it. */
export function reportTarget(bench: string, name: string, figure: number, unit: string, target: `${"<" | "<=" | ">" | ">="} ${number}`): boolean {
  const [op, bound] = target.split(" ") as [string, string];
  const limit = Number(bound);
  const pass =
    Number.isFinite(figure) && (op === "<" ? figure < limit : op === "<=" ? figure <= limit : op === ">" ? figure > limit : figure >= limit);
  reportResult({ bench, name, figure: Number(figure.toPrecision(4)), unit, target: `${target} ${unit}`.trim(), pass });
  return pass;
}

/** Median of the figures (the middle one, or the mean of the two middle ones). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The project root. */
export const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** Makes sure dist/ (what `khaosat` runs) is built and current before a benchmark measures it. */
export function ensureBuilt(): void {
  if (process.env.KHAOSAT_SKIP_BUILD === "1" && existsSync(`${ROOT}dist/cli/main.js`)) return;
  execFileSync(process.execPath, ["scripts/build.mjs"], { cwd: ROOT, stdio: "inherit" });
}
