// Language columns of an XLSForm: `label::Vietnamese (vi)`, `label::vi`, `label::English`, plain `label`.
import { createI18n, isSupportedLanguage } from "../../i18n/index.js";

const NAMES: Readonly<Record<string, string>> = {
  vietnamese: "vi",
  "tiếng việt": "vi",
  "tieng viet": "vi",
  english: "en",
  "tiếng anh": "en",
  french: "fr",
  français: "fr",
  chinese: "zh",
  spanish: "es",
  portuguese: "pt",
  swahili: "sw",
  khmer: "km",
  lao: "lo",
  thai: "th",
  japanese: "ja",
  korean: "ko",
  german: "de",
  russian: "ru",
  arabic: "ar",
  hindi: "hi",
  indonesian: "id",
};

const DISPLAY: Readonly<Record<string, string>> = { vi: "Vietnamese", en: "English", fr: "French", zh: "Chinese", es: "Spanish", km: "Khmer", lo: "Lao", th: "Thai", sw: "Swahili" };

/** The language code an XLSForm language spec names (`Vietnamese (vi)`, `vi`, `English`), if any. */
export function languageCode(spec: string): string | undefined {
  const text = spec.trim();
  const tagged = /\(\s*([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)?\s*\)\s*$/.exec(text);
  if (tagged) return tagged[1]!.toLowerCase();
  if (/^[a-z]{2,3}$/i.test(text)) return text.toLowerCase();
  return NAMES[text.toLowerCase()];
}

/** How the export names a language in column headers: `Vietnamese (vi)`; a code alone when unknown. */
export function languageSpec(code: string): string {
  const name = DISPLAY[code];
  return name ? `${name} (${code})` : code;
}

/** The text of the button that acknowledges a note, in each language (English where khaosat has no translation). */
export function acknowledgeLabels(languages: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const language of languages) {
    const shown = isSupportedLanguage(language) ? language : "en";
    let label = ACKNOWLEDGE_CACHE.get(shown);
    if (label === undefined) {
      label = createI18n({ language: shown }).t("xlsform:acknowledge");
      ACKNOWLEDGE_CACHE.set(shown, label);
    }
    out[language] = label;
  }
  return out;
}

const ACKNOWLEDGE_CACHE = new Map<string, string>();
