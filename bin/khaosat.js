#!/usr/bin/env node
// Entry point of the `khaosat` command: runs the compiled JavaScript in dist/ (built at install by
// `npm run build`; see scripts/build.mjs), bundled in dist/bundle/ (a few files to read instead of
// hundreds of modules), or the per-file dist/cli/main.js when the bundle was not built (no esbuild).
// No TypeScript loader at run time.
import v8 from "node:v8";

// Prisma's query compiler is a 3 MB WebAssembly module. V8 compiles it with its baseline compiler
// (Liftoff) and then recompiles hot functions with TurboFan, which holds ~45 MB more for the life of
// a bot process and, on a busy 2-core server, costs more CPU than it saves. Baseline code only (set
// before any module is compiled; measured by `npm run bench:runtime` and `bench:bot`).
v8.setFlagsFromString("--liftoff-only");

// The bot (`khaosat start`) runs for weeks. While it starts (modules, Prisma's client, migrations) V8
// grows its young generation from 2 MB to 32 MB and keeps it until its memory reducer runs after an
// idle spell (18-30 s of idleness here; a busy bot may not get one): 20-25 MB of resident memory.
// Growth factor 1 keeps the initial size; the cost is more frequent (each cheaper) young collections
// while busy. Memory is measured by `npm run bench:runtime`. The cost in updates/s, `bench:bot` run
// alternately with and without `node --semi-space-growth-factor=1` (its main thread as this one; the
// echo bot shares it): survey ÷ echo 0.45, 0.49 with it, 0.48, 0.49 without; no difference beyond the
// noise. It holds for this thread only: the bot's own thread (host-thread.ts) still grows its young
// generation up to its `resourceLimits`, as a flood needs (checked on node 20).
// Read at each growth, so setting it here, before start-up allocates, is enough.
if (process.argv.slice(2).find((arg) => !arg.startsWith("-")) === "start") v8.setFlagsFromString("--semi-space-growth-factor=1");

// Output piped into a reader that stops early (`khaosat --help | head`) ends the command quietly, as
// other command-line tools do, instead of with an unhandled EPIPE and its stack.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error) => {
    if (error?.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
}

let main;
try {
  ({ main } = await import("../dist/bundle/main.js").catch((error) => {
    if (error?.code === "ERR_MODULE_NOT_FOUND" && String(error.message).includes("dist/bundle/main.js")) return import("../dist/cli/main.js");
    throw error;
  }));
} catch (error) {
  if (error?.code === "ERR_MODULE_NOT_FOUND" && String(error.message).includes("dist/cli/main.js")) {
    process.stderr.write("khaosat: the compiled program is missing (dist/). Run `npm install` or `npm run build` in the project folder.\n");
    process.exit(1);
  }
  throw error;
}
process.exitCode = await main(process.argv.slice(2));
