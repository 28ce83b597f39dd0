#!/usr/bin/env node
// Links the `khaosat` command into node_modules/.bin (postinstall), so `npx khaosat …` in the project
// runs bin/khaosat.js straight away, as `npm run` scripts do.
//
// Why not a "bin" entry in package.json: when the project's own package.json declares the command,
// npm (7 and later, libnpmexec's "self-execution of a local bin") installs the whole project into
// its npx cache before running it — ~30 s the first time in each folder, and 2–4 s of npm loading
// that install's dependency tree on every later call, against ~0.1 s for the command itself. Without
// the entry, npx finds the command in node_modules/.bin and runs it directly.
import { chmodSync, lstatSync, mkdirSync, readlinkSync, rmSync, symlinkSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = fileURLToPath(new URL("..", import.meta.url));
const binDir = path.join(root, "node_modules/.bin");
const link = path.join(binDir, "khaosat");
const target = path.relative(binDir, path.join(root, "bin/khaosat.js"));

if (process.platform === "win32") {
  console.log("link-bin: on Windows run the commands as `node bin/khaosat.js …`");
  process.exit(0);
}
chmodSync(path.join(root, "bin/khaosat.js"), 0o755);
mkdirSync(binDir, { recursive: true });
let current;
try {
  current = lstatSync(link).isSymbolicLink() ? readlinkSync(link) : "(a file)";
} catch {
  current = undefined;
}
if (current !== target) {
  if (current !== undefined) rmSync(link, { force: true });
  symlinkSync(target, link);
}
