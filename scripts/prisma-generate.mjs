#!/usr/bin/env node
// Derives prisma/postgres/schema.prisma from prisma/schema.prisma (only the provider and the client's
// output folder differ) and generates both Prisma clients into src/db/generated/<provider>.
// Runs offline (postinstall): the native schema engine is replaced by a stub in prisma.config.ts.
// `--check` only verifies that the committed PostgreSQL schema is up to date.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { derivePostgresSchema } from "./derive-postgres-schema.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const sqlitePath = path.join(root, "prisma/schema.prisma");
const postgresPath = path.join(root, "prisma/postgres/schema.prisma");

const expected = derivePostgresSchema(readFileSync(sqlitePath, "utf8"));
if (process.argv.includes("--check")) {
  let actual = "";
  try {
    actual = readFileSync(postgresPath, "utf8");
  } catch {
    // missing counts as stale
  }
  if (actual !== expected) {
    console.error("prisma/postgres/schema.prisma is stale: run `node scripts/prisma-generate.mjs`");
    process.exit(1);
  }
  process.exit(0);
}

mkdirSync(path.dirname(postgresPath), { recursive: true });
let current = "";
try {
  current = readFileSync(postgresPath, "utf8");
} catch {
  // first run
}
if (current !== expected) writeFileSync(postgresPath, expected);

const prismaBin = path.join(root, "node_modules/prisma/build/index.js");
for (const schema of [sqlitePath, postgresPath]) {
  try {
    execFileSync(process.execPath, [prismaBin, "generate", "--schema", schema], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: "1", CHECKPOINT_DISABLE: "1" },
    });
  } catch (error) {
    process.stderr.write(`${error.stdout ?? ""}${error.stderr ?? ""}`);
    console.error(`prisma generate failed for ${path.relative(root, schema)}`);
    process.exit(1);
  }
}
console.log("Prisma clients generated in src/db/generated/{sqlite,postgres}");
