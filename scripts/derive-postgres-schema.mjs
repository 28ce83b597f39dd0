// Shared by scripts/prisma-generate.mjs, scripts/new-migration.ts and the tests: the PostgreSQL
// schema is prisma/schema.prisma with only the provider and the client's output folder changed.

/** The PostgreSQL schema text for the SQLite schema text. */
export function derivePostgresSchema(sqliteSchema) {
  const header = "// GENERATED from prisma/schema.prisma by scripts/prisma-generate.mjs: edit that file, not this one.\n";
  const replaced = sqliteSchema
    .replace(/(datasource db \{\s*provider\s*=\s*)"sqlite"/, '$1"postgresql"')
    .replace(/(output\s*=\s*)"\.\.\/src\/db\/generated\/sqlite"/, '$1"../../src/db/generated/postgres"');
  if (!replaced.includes('"postgresql"') || !replaced.includes("generated/postgres")) {
    throw new Error('prisma/schema.prisma: expected provider "sqlite" and output "../src/db/generated/sqlite"');
  }
  return header + replaced;
}
