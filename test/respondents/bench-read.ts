// `node bin/run-ts.js test/respondents/bench-read.ts FILE`: time and heap of streaming a table's rows (nothing kept).
import { streamTable } from "../../src/respondents/index.js";
const s = Date.now();
const h0 = process.memoryUsage().heapUsed;
let rows = 0;
let peak = 0;
const t = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed - h0)), 10);
await streamTable(process.argv[2]!, { header: () => undefined, row: () => void rows++ });
clearInterval(t);
console.log("rows", rows, "read s", (Date.now() - s) / 1000, "heap growth peak MB", (peak / 1e6).toFixed(0), "rss MB", (process.memoryUsage().rss / 1e6).toFixed(0));
