// What the build gives the `khaosat` command (scripts/build.mjs): bin/khaosat.js runs the bundle in
// dist/bundle/, a command reads only its own chunks, and the compiled Prisma client compiles its query
// compiler from the .wasm file the build wrote, never from Prisma's base64 module (4 MB kept on the heap).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, expect, test } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = path.join(ROOT, "bin/khaosat.js");
const dir = mkdtempSync(path.join(tmpdir(), "khaosat-bundle-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A module loader hook that writes every module file (ES modules and CommonJS) the command loads to a log.
const HOOK = path.join(dir, "log-modules.mjs");
writeFileSync(
  HOOK,
  `import { register, createRequire } from "node:module";
import { appendFileSync } from "node:fs";
const log = (url) => appendFileSync(process.env.MODULE_LOG, url + "\\n");
register("data:text/javascript," + encodeURIComponent(\`
import { appendFileSync } from "node:fs";
export async function load(url, context, next) { if (url.startsWith("file:")) appendFileSync(process.env.MODULE_LOG, url + "\\\\n"); return next(url, context); }\`));
const Module = createRequire(import.meta.url)("node:module");
const compile = Module.prototype._compile;
Module.prototype._compile = function (content, filename) { log("file://" + filename); return compile.call(this, content, filename); };
`,
);

function loadedBy(name: string, args: string[], env: Record<string, string> = {}): string[] {
  const log = path.join(dir, `${name}.log`);
  const run = spawnSync(process.execPath, ["--import", HOOK, BIN, ...args], { cwd: dir, encoding: "utf8", env: { ...process.env, ...env, MODULE_LOG: log } });
  expect(run.stderr).toBe("");
  expect(run.status).toBe(0);
  return existsSync(log) ? readFileSync(log, "utf8").trim().split("\n").map((url) => url.replace(`file://${ROOT}`, "")) : [];
}

test("khaosat --help runs the bundle: a few chunks, none of the per-file dist/ modules", () => {
  const loaded = loadedBy("help", ["--help"]);
  expect(loaded).toContain("dist/bundle/main.js");
  expect(loaded.filter((f) => f.startsWith("dist/") && !f.startsWith("dist/bundle/"))).toEqual([]);
  // commander is bundled: nothing from node_modules is read for the help.
  expect(loaded.filter((f) => f.includes("node_modules/"))).toEqual([]);
  // main, commander, the shared helpers, and i18next with the locale path (the help is in KHAOSAT_LANG's language: src/cli/help.ts).
  expect(loaded.filter((f) => f.startsWith("dist/bundle/")).length).toBeLessThanOrEqual(6);
});

test("a database command compiles Prisma's query compiler from the .wasm file, not its base64 module", () => {
  const loaded = loadedBy("campaigns", ["campaign", "list"], { DATABASE_URL: `file:${path.join(dir, "k.db")}` });
  expect(loaded.some((f) => f.includes("@prisma/client/runtime/query_compiler_fast_bg.sqlite"))).toBe(true);
  expect(loaded.filter((f) => f.includes("wasm-base64"))).toEqual([]);
  expect(existsSync(path.join(ROOT, "dist/db/generated/sqlite/internal/query_compiler_fast_bg.sqlite.wasm"))).toBe(true);
  expect(readFileSync(path.join(ROOT, "dist/db/generated/sqlite/internal/class.js"), "utf8")).toContain("khaosat build: the query compiler's bytes from the .wasm file");
});
