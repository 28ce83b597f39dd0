#!/usr/bin/env node
// Entry point of the `khaosat` command: runs the compiled JavaScript in dist/ (built at install by
// `npm run build`; see scripts/build.mjs). No TypeScript loader at run time.
let main;
try {
  ({ main } = await import("../dist/cli/main.js"));
} catch (error) {
  if (error?.code === "ERR_MODULE_NOT_FOUND" && String(error.message).includes("dist/cli/main.js")) {
    process.stderr.write("khaosat: the compiled program is missing (dist/). Run `npm install` or `npm run build` in the project folder.\n");
    process.exit(1);
  }
  throw error;
}
process.exitCode = await main(process.argv.slice(2));
