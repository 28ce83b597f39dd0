export { createI18n, isSupportedLanguage, DEFAULT_LANGUAGE, DEFAULT_NAMESPACE, type I18n, type Translate, type CreateI18nOptions } from "./i18n.js";
export { loadLocaleResources, flattenKeys, DEFAULT_LOCALES_DIR, type LocaleResources, type LanguageResources } from "./resources.js";
export { englishJoined, englishText, problemsText, problemText, type Problem, type ProblemParam } from "./problem.js";
