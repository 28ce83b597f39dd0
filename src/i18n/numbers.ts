// How numbers are written for people, in the reader's language: Vietnamese "62,5%" and "2.300",
// English "62.5%" and "2,300" (Intl.NumberFormat). One place for the web console, the HTML/PDF report
// and the CLI's human output; files (CSV, JSON, XLSX) keep machine-readable numbers.
import type { Language } from "../config/index.js";

const LOCALES: Record<Language, string> = { vi: "vi-VN", en: "en-GB" };
const formatters = new Map<string, Intl.NumberFormat>();

function formatter(lang: Language, digits: number | "auto", grouping = true): Intl.NumberFormat {
  const key = `${lang}:${digits}:${grouping}`;
  let f = formatters.get(key);
  if (!f) {
    const fraction = digits === "auto" ? { maximumFractionDigits: 20 } : { minimumFractionDigits: digits, maximumFractionDigits: digits };
    f = new Intl.NumberFormat(LOCALES[lang], { ...fraction, useGrouping: grouping });
    formatters.set(key, f);
  }
  return f;
}

/** A count or measure in the reader's language: "2.300" / "2,300"; `digits` fixed decimals. */
export function formatNumber(lang: Language, value: number, digits = 0): string {
  return formatter(lang, digits).format(value);
}

/** A decimal for a terminal column: the reader's decimal mark ("62,50" / "62.50"), no grouping (columns keep their widths). */
export function formatDecimal(lang: Language, value: number, digits: number): string {
  return formatter(lang, digits, false).format(value);
}

/** A number with as many decimals as it has ("68,5", "100", "2.300"): a limit or a value the organiser typed. */
export function formatExact(lang: Language, value: number): string {
  return formatter(lang, "auto").format(value);
}

/** A percentage with one decimal ("62,5%" / "62.5%"), "–" when there is nothing to divide. */
export function formatRate(lang: Language, rate: number | null): string {
  return rate === null ? "–" : `${formatNumber(lang, rate, 1)}%`;
}
