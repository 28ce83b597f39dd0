// One rule for every CSV cell the project writes and reads back (OWASP "CSV injection"): a cell
// that a spreadsheet would take as a formula (starting with = + - @, tab or carriage return) is
// written with a leading apostrophe, which Excel and LibreOffice show as text. Importers undo it,
// so export → import gives back exactly the text that was typed.

/** A plain number such as `-5` or `-0.25` is not a formula and is left as it is. */
const PLAIN_NUMBER = /^[-+]?\d+(?:[.,]\d+)?$/;
/** Apostrophes (possibly none) followed by a character that starts a formula. */
const FORMULA_START = /^'*[=+\-@\t\r]/;
/** What `neutraliseCell` produced: one added apostrophe in front of FORMULA_START. */
const NEUTRALISED = /^''*[=+\-@\t\r]/;

/** The text to write in a CSV cell so that no spreadsheet runs it as a formula. */
export function neutraliseCell(text: string): string {
  if (PLAIN_NUMBER.test(text)) return text;
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** The original text of a cell written by `neutraliseCell` (other cells come back unchanged). */
export function restoreCell(text: string): string {
  if (text.charCodeAt(0) !== 39 /* ' */) return text;
  return NEUTRALISED.test(text) && !PLAIN_NUMBER.test(text.slice(1)) ? text.slice(1) : text;
}

/** A csv-stringify `cast` option that neutralises every string cell. */
export const NEUTRALISING_CAST = {
  string: (value: string): string => neutraliseCell(value),
} as const;
