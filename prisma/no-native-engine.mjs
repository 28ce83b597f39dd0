#!/usr/bin/env node
/* global process */
// Stands in for Prisma's native schema engine, which cannot be downloaded on this project's
// machines (see docs: PRISMA-OFFLINE). `prisma generate` only checks that an engine file exists;
// anything that really needs the engine must go through our wasm-based tools instead.
process.stderr.write(
  "The native Prisma schema engine is not installed (its download host is unreachable).\n" +
    "Use `npx khaosat db migrate` to apply migrations and `npm run db:migration -- NAME` to create one;\n" +
    "both use the WebAssembly schema engine from npm.\n",
);
process.exit(1);
