import type { Problem } from "../i18n/problem.js";
import { said } from "./problem.js";
import { CURRENT_SCHEMA_VERSION } from "./schema.js";

/** Rewrites a questionnaire of schema version N into version N + 1 (plain data in, plain data out). */
export type Migration = (data: Record<string, unknown>) => Record<string, unknown>;

/**
 * Migrations by the version they start from. Empty while version 1 is the only format; when the
 * format changes, add `[1, v1ToV2]` here and raise CURRENT_SCHEMA_VERSION.
 */
export const MIGRATIONS: ReadonlyMap<number, Migration> = new Map();

/** Where migration looks: which version is current and how to get there. */
export interface MigrationRegistry {
  readonly current: number;
  readonly migrations: ReadonlyMap<number, Migration>;
}

/** The registry the loader uses unless a test injects another. */
export const DEFAULT_MIGRATIONS: MigrationRegistry = { current: CURRENT_SCHEMA_VERSION, migrations: MIGRATIONS };

export type MigrationResult =
  | { readonly ok: true; readonly data: Record<string, unknown>; readonly from: number }
  | { readonly ok: false; readonly message: string; readonly problem: Problem; readonly fatal: boolean };

/**
 * Brings `data` to the current schema version. A missing or non-integer version is not fatal (the
 * file is still checked as the current version, to report everything at once); a newer version is.
 */
export function migrate(data: Record<string, unknown>, registry: MigrationRegistry = DEFAULT_MIGRATIONS): MigrationResult {
  const version = data.schemaVersion;
  if (version === undefined) {
    return { ok: false, fatal: false, ...said("migrations.missing", { current: registry.current }) };
  }
  if (typeof version !== "number" || !Number.isInteger(version)) {
    return { ok: false, fatal: false, ...said("migrations.notWhole", { current: registry.current, found: JSON.stringify(version) }) };
  }
  if (version > registry.current) {
    return {
      ok: false,
      fatal: true,
      ...said("migrations.newer", { version, current: registry.current }),
    };
  }
  let current = data;
  for (let v = version; v < registry.current; v++) {
    const step = registry.migrations.get(v);
    if (!step) {
      return { ok: false, fatal: true, ...said("migrations.unsupported", { version, oldest: oldest(registry), current: registry.current }) };
    }
    try {
      current = { ...step(current), schemaVersion: v + 1 };
    } catch (error) {
      return { ok: false, fatal: true, ...said("migrations.failed", { from: v, to: v + 1, detail: error instanceof Error ? error.message : String(error) }) };
    }
  }
  return { ok: true, data: current, from: version };
}

function oldest(registry: MigrationRegistry): number {
  let v = registry.current;
  while (registry.migrations.has(v - 1)) v--;
  return v;
}
