// How the `khaosat` command is reached: `npx khaosat …` in the project runs bin/khaosat.js through
// node_modules/.bin (linked at install by scripts/link-bin.mjs), and its output piped into a reader
// that stops early ends the command quietly.
import { spawn } from "node:child_process";
import { readFileSync, realpathSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

test("the command is linked into node_modules/.bin, and package.json declares no bin (npm would install the project into its npx cache first)", () => {
  expect(realpathSync(path.join(ROOT, "node_modules/.bin/khaosat"))).toBe(realpathSync(path.join(ROOT, "bin/khaosat.js")));
  const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { bin?: unknown; scripts: Record<string, string> };
  expect(pkg.bin).toBeUndefined();
  expect(pkg.scripts.postinstall).toContain("scripts/link-bin.mjs");
});

test("output piped into a reader that has gone (`khaosat --help | head -1`) ends with exit code 0 and no EPIPE stack", async () => {
  const child = spawn(process.execPath, [path.join(ROOT, "bin/khaosat.js"), "--help"], { stdio: ["ignore", "pipe", "pipe"] });
  // The reader goes before the command writes (it takes ~100 ms to start), so its write fails with EPIPE.
  child.stdout.destroy();
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  expect(stderr).toBe("");
  expect(code).toBe(0);
});
