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
  return instance;
}
