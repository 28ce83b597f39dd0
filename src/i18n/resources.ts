import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** Translations of one language: namespace (file name) to nested keys. */
export type LanguageResources = Record<string, Record<string, unknown>>;
/** All translations: language to namespaces. */
export type LocaleResources = Record<string, LanguageResources>;

/** The project's `locales/` folder, next to `src/`. */
export const DEFAULT_LOCALES_DIR = fileURLToPath(new URL("../../locales/", import.meta.url));

const cache = new Map<string, string>();

// Read once per process; each caller gets its own parsed copy so no instance can change another's strings.
function readCached(file: string): string {
  let text = cache.get(file);
  if (text === undefined) {
    text = readFileSync(file, "utf8");
    cache.set(file, text);
  }
  return text;
}

/** Loads `<dir>/<language>/<namespace>.json` for every language folder; a broken file throws naming it. */
export function loadLocaleResources(dir: string = DEFAULT_LOCALES_DIR): LocaleResources {
  const resources: LocaleResources = {};
  for (const language of readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort()) {
    const namespaces: LanguageResources = {};
    for (const file of readdirSync(path.join(dir, language)).filter((f) => f.endsWith(".json")).sort()) {
      const full = path.join(dir, language, file);
      try {
        namespaces[file.slice(0, -".json".length)] = JSON.parse(readCached(full)) as Record<string, unknown>;
      } catch (error) {
        throw new Error(`bug: locale file ${full} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    resources[language] = namespaces;
  }
  return resources;
}

/** Every key of a namespace as dotted paths, e.g. `validation.required`, sorted. */
export function flattenKeys(tree: Record<string, unknown>, prefix = ""): string[] {
  const keys: string[] = [];
  for (const [key, value] of Object.entries(tree)) {
    const full = prefix ? `${prefix}.${key}` : key;
    if (value !== null && typeof value === "object") keys.push(...flattenKeys(value as Record<string, unknown>, full));
    else keys.push(full);
  }
  return keys.sort();
}
