import i18next, { type i18n as I18nInstance, type TFunction } from "i18next";
import { SUPPORTED_LANGUAGES, type Language } from "../config/index.js";
import { DEFAULT_LOCALES_DIR, loadLocaleResources } from "./resources.js";

/** An independent i18next instance: changing its language never affects another instance. */
export type I18n = I18nInstance;
/** A translation function bound to one language. */
export type Translate = TFunction;

/** The default and fallback language of respondent-facing text. */
export const DEFAULT_LANGUAGE: Language = "vi";

/** Namespace used when a key names none. */
export const DEFAULT_NAMESPACE = "survey";

/** Options of `createI18n`. */
export interface CreateI18nOptions {
  /** Starting language; default Vietnamese. */
  readonly language?: Language;
  /** Folder of `<language>/<namespace>.json`; default the project's `locales/`. */
  readonly localesDir?: string;
}

/** Is `value` a language we have respondent-facing texts for? */
export function isSupportedLanguage(value: string): value is Language {
  return (SUPPORTED_LANGUAGES as readonly string[]).includes(value);
}

/**
 * Creates a ready-to-use i18next instance (synchronously: resources are local files), with its own
 * copy of the translations. No global i18next state is used, so tests and channels never interfere.
 */
export function createI18n(options: CreateI18nOptions = {}): I18n {
  const resources = loadLocaleResources(options.localesDir ?? DEFAULT_LOCALES_DIR);
  const instance = i18next.createInstance();
  void instance.init({
    resources,
    lng: options.language ?? DEFAULT_LANGUAGE,
    fallbackLng: DEFAULT_LANGUAGE,
    supportedLngs: [...SUPPORTED_LANGUAGES],
    ns: Object.keys(resources[DEFAULT_LANGUAGE] ?? {}),
    defaultNS: DEFAULT_NAMESPACE,
    initAsync: false,
    // Output is plain text (terminal, Telegram without parse mode), never HTML.
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  rememberTexts(instance);
  return instance;
}

/** Most texts remembered per language; then the memory starts again (texts with names or answers in them are many). */
const REMEMBERED = 4_096;

/**
 * Makes `getFixedT(language)` remember what it answered. A bot renders the same texts for every
 * respondent (the progress label, button words, "answered: …") and i18next resolves each call anew:
 * key path, fallbacks, nesting, interpolation — ~15% of a Telegram answer's work on its thread, by
 * profile. The translations never change once loaded (a resource added later forgets everything),
 * so a text is remembered by its key and options when every option is a plain value; calls with an
 * object option, or answering an object (`returnObjects`), go to i18next every time. The function
 * of a language is made once and kept.
 */
function rememberTexts(instance: I18nInstance): void {
  const fixed = instance.getFixedT.bind(instance);
  const byLanguage = new Map<string, TFunction>();
  instance.store.on("added", () => byLanguage.clear());
  instance.getFixedT = ((lng: unknown, ns?: unknown, keyPrefix?: unknown) => {
    if (typeof lng !== "string" || ns != null || keyPrefix != null) return fixed(lng as never, ns as never, keyPrefix as never);
    const known = byLanguage.get(lng);
    if (known) return known;
    const t = fixed(lng);
    const call = t as unknown as (...args: unknown[]) => unknown;
    const texts = new Map<string, string>();
    instance.store.on("added", () => texts.clear());
    const remembering = ((key: unknown, options?: unknown, ...rest: unknown[]) => {
      const id = rest.length === 0 ? textId(key, options) : undefined;
      if (id === undefined) return call(key, options, ...rest);
      const found = texts.get(id);
      if (found !== undefined) return found;
      const text = call(key, options);
      if (typeof text === "string") {
        if (texts.size >= REMEMBERED) texts.clear();
        texts.set(id, text);
      }
      return text;
    }) as unknown as TFunction;
    // i18next's own properties of a fixed function (its language, namespace, key prefix).
    const own = t as unknown as Record<string, unknown>;
    Object.assign(remembering, { lng: own.lng, ns: own.ns, keyPrefix: own.keyPrefix });
    byLanguage.set(lng, remembering);
    return remembering;
  }) as I18nInstance["getFixedT"];
}

/** The call's identity as text, or undefined when it cannot be told from plain values (an object option, a function). */
function textId(key: unknown, options: unknown): string | undefined {
  let id: string;
  if (typeof key === "string") id = key;
  else if (Array.isArray(key) && key.every((k) => typeof k === "string")) id = key.join("\u0001");
  else return undefined;
  if (options === undefined) return id;
  if (typeof options === "string") return `${id}\u0000=${options}`;
  if (options === null || typeof options !== "object" || Array.isArray(options)) return undefined;
  for (const name in options) {
    const value = (options as Record<string, unknown>)[name];
    const kind = typeof value;
    if (kind !== "string" && kind !== "number" && kind !== "boolean" && value !== undefined && value !== null) return undefined;
    id += `\u0000${name}\u0002${kind}\u0002${String(value)}`;
  }
  return id;
}
