// Benchmark: `node bin/run-ts.js test/respondents/bench-import.ts [ROWS]` imports a generated XLSX into a fresh SQLite file
// (or BENCH_DB) and prints the time and peak RSS.
import { statSync } from "node:fs";
import { writeLargeXlsx } from "./large-xlsx.js";
import { openDatabase } from "../../src/db/index.js";
import { createCampaign } from "../../src/campaigns/index.js";
import { importRespondentsFile } from "../../src/respondents/index.js";
const rows = Number(process.argv[2] ?? 20000);
const file = `/tmp/bench-${rows}.xlsx`;
try { statSync(file); } catch { await writeLargeXlsx(file, rows); }
console.log("size MB", (statSync(file).size / 1e6).toFixed(2));
const url = process.env.BENCH_DB ?? `file:/tmp/bench-${process.pid}.db`;
const db = await openDatabase(url);
let peak = 0; let heapPeak = 0; const h0 = process.memoryUsage().heapUsed; const t = setInterval(() => { const m = process.memoryUsage(); peak = Math.max(peak, m.rss); heapPeak = Math.max(heapPeak, m.heapUsed - h0); }, 10);
const base = process.memoryUsage().rss;
const { campaign } = await createCampaign(db.campaigns, { questionnaireFile: "examples/par-officials.yaml", name: "b", opens: "2026-12-01", closes: "2026-12-31" });
const s = Date.now();
const r = await importRespondentsFile(db, campaign.id, file);
clearInterval(t);
console.log(JSON.stringify(r.counts), r.errors.slice(0, 3), "seconds", (Date.now() - s) / 1000, "rss base MB", (base / 1e6).toFixed(0), "peak MB", (peak / 1e6).toFixed(0), "heap growth peak MB", (heapPeak / 1e6).toFixed(0));
await db.close();
