// Loads Prisma's WebAssembly schema engine without Node's --experimental-wasm-modules flag: the npm
// package is built for bundlers (`import * as wasm from "./x.wasm"`), so we instantiate the module
// ourselves and hand its exports to the JS glue, as the package's own entry would.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { bindMigrationAwareSqlAdapterFactory, type SqlDriverAdapter, type SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import type * as EngineModule from "@prisma/schema-engine-wasm";

/** The wasm schema engine's instance type. */
export type SchemaEngine = EngineModule.SchemaEngine;

/** The part of the WebAssembly global we use (the project's lib settings do not declare it). */
interface WasmApi {
  instantiate(bytes: Uint8Array, imports: Record<string, unknown>): Promise<{ instance: { exports: Record<string, unknown> } }>;
}

let loaded: Promise<typeof EngineModule> | undefined;

/** The package folder, found through its main entry because its `exports` map hides package.json. */
function packageDir(): string {
  const require = createRequire(import.meta.url);
  return path.dirname(require.resolve("@prisma/schema-engine-wasm"));
}

async function load(): Promise<typeof EngineModule> {
  const dir = packageDir();
  const glue = (await import(pathToFileURL(path.join(dir, "schema_engine_bg.js")).href)) as typeof EngineModule & {
    __wbg_set_wasm(exports: Record<string, unknown>): void;
  };
  const bytes = await readFile(path.join(dir, "schema_engine_bg.wasm"));
  const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
  const { instance } = await wasm.instantiate(bytes, { "./schema_engine_bg.js": glue });
  glue.__wbg_set_wasm(instance.exports);
  (instance.exports.__wbindgen_start as () => void)();
  return glue;
}

/** A schema engine and a way to release it together with the connections it opened. */
export interface SchemaEngineHandle {
  readonly engine: SchemaEngine;
  /** Frees the engine and closes its connections (`engine.free()` alone leaves them open, and a SQLite lock held). */
  close(): Promise<void>;
}

/** Starts a schema engine on a database reached through a driver adapter factory. */
export async function startSchemaEngine(
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  schemaFile: { path: string; content: string },
  log: (message: string) => void = () => {},
): Promise<SchemaEngineHandle> {
  loaded ??= load();
  const module = await loaded;
  const opened: SqlDriverAdapter[] = [];
  const tracking: SqlMigrationAwareDriverAdapterFactory = {
    provider: adapterFactory.provider,
    adapterName: adapterFactory.adapterName,
    connect: async () => {
      const adapter = await adapterFactory.connect();
      opened.push(adapter);
      return adapter;
    },
    connectToShadowDb: async () => {
      const adapter = await adapterFactory.connectToShadowDb();
      opened.push(adapter);
      return adapter;
    },
  };
  const engine = await module.SchemaEngine.new(
    { datamodels: [[schemaFile.path, schemaFile.content]] },
    (message: string) => log(message),
    bindMigrationAwareSqlAdapterFactory(tracking),
  );
  return {
    engine,
    async close() {
      engine.free();
      await Promise.all(opened.splice(0).map((a) => a.dispose().catch(() => {})));
    },
  };
}
