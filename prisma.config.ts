// Prisma CLI configuration. Only `prisma generate` is used (scripts/prisma-generate.mjs); migrations
// run through the WebAssembly schema engine (src/db/migrate.ts), so the native engine is replaced by a
// stub that explains this, which also stops the CLI from trying to download it.
import { fileURLToPath } from "node:url";
import { defineConfig } from "prisma/config";

process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= fileURLToPath(new URL("./prisma/no-native-engine.mjs", import.meta.url));

export default defineConfig({
  schema: "prisma/schema.prisma",
});
