#!/usr/bin/env node
// Compiles src/ to dist/ (tsc -p tsconfig.build.json, incremental) so the `khaosat` command runs plain
// JavaScript with node, no TypeScript loader at run time. Runs at install (postinstall, after the Prisma
// clients are generated), before the tests (vitest global setup), and by hand: `npm run build`.
// dist/ mirrors src/ at the same depth, so paths resolved from import.meta.url (locales/, examples/,
// prisma/, fonts in node_modules) are found from the compiled files as from the sources.
import { execFileSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = fileURLToPath(new URL("..", import.meta.url));
const require = createRequire(import.meta.url);

let tsc;
try {
  tsc = require.resolve("typescript/bin/tsc");
} catch {
  if (existsSync(path.join(root, "dist/cli/main.js"))) {
    console.log("TypeScript is not installed (production install?): keeping the existing dist/");
    process.exit(0);
  }
  console.error("cannot build: TypeScript is not installed. Run `npm install` (with dev dependencies), then `npm run build`.");
  process.exit(1);
}

if (process.argv.includes("--clean")) rmSync(path.join(root, "dist"), { recursive: true, force: true });
try {
  execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: root, stdio: "inherit" });
} catch {
  console.error("build failed: fix the TypeScript errors above, then run `npm run build`");
  process.exit(1);
}

// The top-level help's listing of every command, so `khaosat --help` (and a mistyped command) is
// answered without importing every command's module (src/cli/commands.ts). Written after each build,
// from the compiled commands themselves, so it cannot drift from them.
try {
  execFileSync(
    process.execPath,
    [
      "--input-type=module",
      "-e",
      `import { Command } from "commander";
       import { writeFileSync } from "node:fs";
       import { listCommands } from "./dist/cli/commands.js";
       const listing = await listCommands(new Command("khaosat"));
       writeFileSync("dist/cli/command-listing.json", JSON.stringify(listing, null, 1) + "\\n");`,
    ],
    { cwd: root, stdio: "inherit" },
  );
} catch {
  // Without the listing `khaosat --help` still works, loading every command's module.
  rmSync(path.join(root, "dist/cli/command-listing.json"), { force: true });
  console.error("build: could not list the commands for the help (see above); `khaosat --help` will be slower");
}
