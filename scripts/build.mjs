#!/usr/bin/env node
// Compiles src/ to dist/ (tsc -p tsconfig.build.json, incremental) so the `khaosat` command runs plain
// JavaScript with node, no TypeScript loader at run time. Runs at install (postinstall, after the Prisma
// clients are generated), before the tests (vitest global setup), and by hand: `npm run build`.
// dist/ mirrors src/ at the same depth, so paths resolved from import.meta.url (locales/, examples/,
// prisma/, fonts in node_modules) are found from the compiled files as from the sources.
import { Buffer } from "node:buffer";
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import path from "node:path";

const root = fileURLToPath(new URL("..", import.meta.url));
const require = createRequire(import.meta.url);
const WASM_FILE_MARK = "// khaosat build: the query compiler's bytes from the .wasm file beside this one (scripts/build.mjs)";

/** Libraries bundled in (plain JavaScript that reads no files beside its code); every other import stays external. */
const BUNDLED_PACKAGES = new Set(["zod", "i18next", "csv-parse", "csv-stringify", "yaml", "commander"]);

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

// Prisma's generated client embeds its query compiler (3 MB of WebAssembly) as a base64 string
// module that it decodes when the client connects. That module is never unloaded: its 4 MB source and
// the 4 MB string stay on the heap for the life of every process that opens the database (the bot
// most of all; measured by `npm run bench:runtime`). The compiled client instead reads the same bytes,
// decoded here once, from a .wasm file next to it; the bytes are garbage once compiled.
// The TypeScript sources (tests) keep Prisma's loader. A generated client whose loader no longer has
// the expected shape (another Prisma version) is left as generated, with a note.
await inlineWasmFromFiles();

// One bundle of the compiled program (dist/bundle/, what bin/khaosat.js runs): a command starts by
// reading a handful of files instead of ~150-400 small modules (our own and the libraries in
// BUNDLED_PACKAGES; zod's 95 message catalogues are left out as unused), which
// is most of a short command's time (`npm run bench:runtime`). Each command's module stays a
// separate chunk loaded on first use (code splitting), so `khaosat score` still loads no bot, web
// or database code. The other libraries (native addons, Prisma, files read beside their code) are
// imported from node_modules as before. Built from dist/, so dist/ keeps the per-file tree
// that benchmarks import; paths computed from a file's own location (locales/, examples/, the
// .wasm above) still start from that file's place in dist/. Without esbuild, bin/ runs dist/cli/main.js.
await bundle();

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

async function inlineWasmFromFiles() {
  const generated = path.join(root, "dist/db/generated");
  if (!existsSync(generated)) return;
  const loader = /const \{ wasm \} = await import\("(@prisma\/client\/runtime\/(query_compiler_fast_bg\.\w+)\.wasm-base64\.mjs)"\);\s*return await decodeBase64AsWasm\(wasm\);/;
  const done = new RegExp(`${WASM_FILE_MARK.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}, from (\\S+)`);
  for (const provider of readdirSync(generated)) {
    const file = path.join(generated, provider, "internal/class.js");
    if (!existsSync(file)) continue;
    const source = readFileSync(file, "utf8");
    // tsc re-emits only what changed, so class.js may have been rewritten by an earlier build; its
    // .wasm is written again from the installed Prisma every time all the same, so that it always
    // matches the installed runtime (an update of @prisma/client need not change class.ts).
    const patched = done.exec(source);
    const match = patched ? undefined : loader.exec(source);
    if (!patched && !match) {
      console.error(`build: ${path.relative(root, file)} does not load its query compiler as expected; left as generated (the wasm stays a base64 string in memory)`);
      continue;
    }
    const specifier = patched ? patched[1] : match[1];
    const name = path.basename(specifier, ".wasm-base64.mjs");
    const { wasm } = await import(pathToFileURL(require.resolve(specifier, { paths: [file] })).href);
    writeFileSync(path.join(path.dirname(file), `${name}.wasm`), Buffer.from(wasm, "base64"));
    if (patched) continue;
    const replacement = `${WASM_FILE_MARK}, from ${specifier}\n        const { readFile } = await import("node:fs/promises");\n        return new WebAssembly.Module(await readFile(new URL("./${name}.wasm", import.meta.url)));`;
    writeFileSync(file, source.replace(loader, replacement));
  }
}

async function bundle() {
  const out = path.join(root, "dist/bundle");
  rmSync(out, { recursive: true, force: true });
  let esbuild;
  try {
    esbuild = await import("esbuild");
  } catch {
    console.log("build: esbuild is not installed, so `khaosat` runs the unbundled dist/ (slower to start)");
    return;
  }
  const packageOf = (specifier) => specifier.split("/").slice(0, specifier.startsWith("@") ? 2 : 1).join("/");
  const placeInDist = {
    name: "khaosat-dist",
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, (args) =>
        BUNDLED_PACKAGES.has(packageOf(args.path)) ? undefined : { path: args.path, external: true },
      );
      // A chunk lives in dist/bundle/, one folder below dist/ like every compiled module, but not in
      // the module's own folder: its import.meta.url is made the module's place in dist/.
      build.onLoad({ filter: /[\\/]dist[\\/].*\.js$/ }, async (args) => {
        const text = readFileSync(args.path, "utf8");
        if (!text.includes("import.meta.url")) return { contents: text, loader: "js" };
        const from = path.relative(out, args.path).split(path.sep).join("/");
        return { contents: text.replaceAll("import.meta.url", `new URL(${JSON.stringify(from)}, import.meta.url).href`), loader: "js" };
      });
    },
  };
  try {
    await esbuild.build({
      entryPoints: { main: path.join(root, "dist/cli/main.js") },
      absWorkingDir: root,
      outdir: out,
      chunkNames: "chunk-[hash]",
      bundle: true,
      splitting: true,
      format: "esm",
      platform: "node",
      target: "node20",
      minifySyntax: true,
      minifyWhitespace: true,
      charset: "ascii",
      legalComments: "none",
      // Bundled CommonJS libraries (yaml, commander) require Node's own modules.
      banner: { js: 'import { createRequire as __khaosatCreateRequire } from "node:module"; const require = __khaosatCreateRequire(import.meta.url);' },
      logLevel: "warning",
      plugins: [placeInDist],
    });
  } catch {
    rmSync(out, { recursive: true, force: true });
    console.error("build: bundling failed (see above); `khaosat` runs the unbundled dist/ (slower to start)");
  }
}
