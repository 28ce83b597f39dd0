import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Alias, type Document, type Node, type Pair } from "yaml";
import type { Problem } from "../i18n/problem.js";
import type { IssuePath } from "./paths.js";
import { said, questionnaireProblem } from "./problem.js";

/** A problem located in the source text (1-based line and column). */
export interface SourceProblem {
  readonly message: string;
  /** The same by key (src/questionnaire/problem.ts); absent for the yaml package's own warnings. */
  readonly problem?: Problem;
  readonly line?: number;
  readonly column?: number;
}

/** Decodes file bytes as strict UTF-8 (a BOM is accepted and dropped). */
export function decodeUtf8(source: string | Uint8Array): { ok: true; text: string } | { ok: false; problem: SourceProblem } {
  if (typeof source === "string") return { ok: true, text: source.startsWith("\uFEFF") ? source.slice(1) : source };
  try {
    return { ok: true, text: new TextDecoder("utf-8", { fatal: true }).decode(source) };
  } catch {
    const bad = firstInvalidUtf8(source);
    const line = source.subarray(0, bad).filter((b) => b === 0x0a).length + 1;
    const byte = source[bad] ?? 0;
    return {
      ok: false,
      problem: {
        line,
        ...said("source.notUtf8", { byte: byte.toString(16).toUpperCase().padStart(2, "0"), line }),
      },
    };
  }
}

/** Offset of the first byte that breaks UTF-8, so the message can name a line. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const need = b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (need < 0) return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
    }
    i += need + 1;
  }
  return Math.max(0, bytes.length - 1);
}

/** A parsed YAML (or JSON) document with positions. */
export interface SourceDocument {
  readonly text: string;
  readonly doc: Document.Parsed;
  readonly lines: LineCounter;
}

/** Parses YAML or JSON; syntax errors come back with line and column. */
export function parseSource(text: string, fileName: string): { ok: true; source: SourceDocument; warnings: SourceProblem[] } | { ok: false; problems: SourceProblem[] } {
  if (text.trim() === "") return { ok: false, problems: [said("source.empty")] };
  const lines = new LineCounter();
  if (/\.json$/i.test(fileName)) {
    const jsonProblem = checkJson(text);
    if (jsonProblem) return { ok: false, problems: [jsonProblem] };
  }
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => ({
        ...said(/\.json$/i.test(fileName) ? "source.notJson" : "source.notYaml", { detail: firstLine(e.message), hint: yamlHint(e.code) }),
        ...(e.linePos ? { line: e.linePos[0].line, column: e.linePos[0].col } : {}),
      })),
    };
  }
  if (doc.contents === null) return { ok: false, problems: [said("source.empty")] };
  if (!isMap(doc.contents)) {
    const found = questionnaireProblem(isSeq(doc.contents) ? "value.list" : "value.single");
    return {
      ok: false,
      problems: [
        {
          ...positionOf(lines, doc.contents.range?.[0]),
          ...said("source.topLevel", { found }),
        },
      ],
    };
  }
  const warnings = doc.warnings.map((w) => ({ message: firstLine(w.message), ...(w.linePos ? { line: w.linePos[0].line, column: w.linePos[0].col } : {}) }));
  return { ok: true, source: { text, doc, lines }, warnings };
}

/** The keys of the hints added to the yaml package's errors. */
const YAML_HINTS: Partial<Record<string, string>> = {
  DUPLICATE_KEY: "source.hint.duplicateKey",
  TAB_AS_INDENT: "source.hint.tabIndent",
  MULTIPLE_DOCS: "source.hint.multipleDocs",
};

function yamlHint(code: string): Problem | "" {
  const key = YAML_HINTS[code];
  return key === undefined ? "" : questionnaireProblem(key);
}

/** The yaml package's message without its " at line X, column Y:" tail and code frame. */
function firstLine(message: string): string {
  return message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
}

/** JSON.parse is stricter than YAML about JSON (trailing commas, comments), so a .json file must pass it. */
function checkJson(text: string): SourceProblem | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (error) {
    const raw = error instanceof Error ? error.message : String(error);
    const match = /at position (\d+)/.exec(raw);
    const offset = match ? Number(match[1]) : undefined;
    const reason = raw.replace(/\s*in JSON at position \d+.*$/s, "").replace(/\s*\(line \d+ column \d+\)$/, "");
    let hint: Problem | "" = "";
    if (offset !== undefined) {
      const before = text.slice(0, offset).trimEnd();
      if (/[}\]]/.test(text[offset] ?? "") && before.endsWith(",")) hint = questionnaireProblem("source.hint.jsonTrailingComma");
      else if (text[offset] === "/") hint = questionnaireProblem("source.hint.jsonComment");
      else if (text[offset] === "'") hint = questionnaireProblem("source.hint.jsonQuotes");
    }
    const position = offset === undefined ? {} : lineAndColumn(text, offset);
    return { ...said("source.notJson", { detail: reason, hint }), ...position };
  }
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return { line, column: offset - before.lastIndexOf("\n") };
}

function positionOf(lines: LineCounter, offset: number | undefined): { line?: number; column?: number } {
  if (offset === undefined) return {};
  const { line, col } = lines.linePos(offset);
  return { line, column: col };
}

/** Where a path sits in the file: the node itself, or the nearest ancestor that exists. */
export function locate(source: SourceDocument, path: IssuePath, target: "value" | "key" = "value"): { line?: number; column?: number; exact: boolean; node?: Node } {
  let node: Node | null = source.doc.contents;
  let keyNode: Node | undefined;
  let reached = 0;
  for (const segment of path) {
    node = resolveAlias(source, node);
    if (isMap(node)) {
      const pair = (node.items as Pair[]).find((p) => isScalar(p.key) && String(p.key.value).normalize("NFC") === String(segment));
      if (!pair) break;
      keyNode = pair.key as Node;
      node = (pair.value as Node | null) ?? keyNode;
    } else if (isSeq(node) && typeof segment === "number" && node.items[segment] !== undefined) {
      keyNode = undefined;
      node = node.items[segment] as Node;
    } else break;
    reached++;
  }
  const exact = reached === path.length;
  const chosen = exact && target === "key" && keyNode ? keyNode : node;
  return { ...positionOf(source.lines, chosen?.range?.[0]), exact, ...(exact && node ? { node } : {}) };
}

function resolveAlias(source: SourceDocument, node: Node | null): Node | null {
  if (node && isAlias(node)) return ((node as Alias).resolve(source.doc) as Node | undefined) ?? null;
  return node;
}

/**
 * The file position of character `index` of a string scalar's value, for errors inside a `showIf`.
 * Falls back to the scalar's start when the value spans lines or escapes cannot be mapped.
 */
export function positionInScalar(source: SourceDocument, node: Node | undefined, index: number): { line?: number; column?: number } {
  if (!node || !isScalar(node) || !node.range || typeof node.value !== "string") return {};
  const start = node.range[0];
  const raw = source.text.slice(start, node.range[1]);
  let rawIndex: number | undefined;
  if (node.type === "PLAIN" && raw === node.value) rawIndex = index;
  else if (node.type === "QUOTE_DOUBLE" || node.type === "QUOTE_SINGLE") rawIndex = mapQuoted(raw, node.type === "QUOTE_DOUBLE", index);
  if (rawIndex === undefined || raw.slice(0, rawIndex).includes("\n")) return positionOf(source.lines, start);
  return positionOf(source.lines, start + rawIndex);
}

/** Maps a character index of a quoted scalar's value to its index in the raw text, quotes included. */
function mapQuoted(raw: string, double: boolean, index: number): number | undefined {
  let r = 1;
  for (let v = 0; v < index; v++) {
    if (r >= raw.length - 1) return undefined;
    const c = raw[r];
    if (double && c === "\\") {
      const e = raw[r + 1];
      r += e === "x" ? 4 : e === "u" ? 6 : e === "U" ? 10 : 2;
    } else if (!double && c === "'" && raw[r + 1] === "'") r += 2;
    else if (c === "\n") return undefined;
    else r += 1;
  }
  return r;
}
