import { stringify } from "csv-stringify/sync";
import { neutraliseCell } from "../documents/csv-cell.js";
import type { FlagEvidence } from "../scoring/index.js";
import type { FlagDecision, FlagName, FlagSubject } from "./repository.js";
import { responseReference } from "./reference.js";

/** Output formats of `khaosat flags`. */
export const FLAG_LIST_FORMATS = ["table", "csv", "json"] as const;
/** One of `FLAG_LIST_FORMATS`. */
export type FlagListFormat = (typeof FLAG_LIST_FORMATS)[number];

/** One line of the flag list: a flag of a response, anonymously (no respondent, no account). */
export interface FlagListRow {
  readonly responseId: string;
  /** The short reference organisers read and type ("K7M2QX"): the console and the table show it; accept/reject --campaign take it. */
  readonly reference: string;
  readonly unit: string;
  readonly group: string;
  readonly flag: FlagName;
  /** Seconds from start to submit; null when either time is unknown. */
  readonly durationSeconds: number | null;
  readonly decision: FlagDecision | null;
  readonly reason: string | null;
  /** The responses file's response_id of an imported response (use it with accept/reject --campaign); null otherwise. */
  readonly fileResponseId: string | null;
  /** Why: the evidence of every rule behind this flag, e.g. "12 of 25 timed questions answered faster than ...". */
  readonly evidence: string;
}

/**
 * The rows of the flag list: one per flag of each flagged response, by unit, response id and flag.
 * `say` words each rule's evidence (default: its English `text`, what the CSV and JSON carry).
 */
export function flagListRows(
  subjects: readonly (FlagSubject & { readonly evidence?: readonly FlagEvidence[] })[],
  say: (evidence: FlagEvidence) => string = (e) => e.text,
): FlagListRow[] {
  const rows = subjects.flatMap((s) =>
    s.flags.map((flag) => ({
      responseId: s.id,
      reference: responseReference(s.id),
      unit: s.unit,
      group: s.group,
      flag,
      durationSeconds: s.startedAt && s.submittedAt ? Math.round((s.submittedAt.getTime() - s.startedAt.getTime()) / 1000) : null,
      decision: s.decision,
      reason: s.reason,
      fileResponseId: s.externalId ?? null,
      evidence: (s.evidence ?? []).filter((e) => e.flag === flag).map(say).join("; "),
    })),
  );
  const key = (r: FlagListRow) => [r.unit, r.responseId, r.flag];
  return rows.sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
    return 0;
  });
}

/** "9m 30s", "45s", or "-" when unknown. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null) return "-";
  const m = Math.floor(seconds / 60);
  return m > 0 ? `${m}m ${String(seconds % 60).padStart(2, "0")}s` : `${seconds}s`;
}

/** The words of the terminal table, in the organiser's language (the CSV and JSON never change). */
export interface FlagTableWords {
  /** Column titles: reference, response id, unit, group, flag, duration, decision, reason, file's response id, evidence. */
  readonly header: readonly string[];
  /** What is printed when no response is flagged. */
  readonly none: string;
  readonly flag: (flag: FlagName) => string;
  readonly decision: (decision: FlagDecision) => string;
  /** A known duration in whole seconds. */
  readonly duration: (seconds: number) => string;
}

/** The table's English words: the CSV's column names, the flags' and decisions' own names. */
export const ENGLISH_FLAG_TABLE: FlagTableWords = {
  header: ["ref", "response_id", "unit", "group", "flag", "duration", "decision", "reason", "file_response_id", "evidence"],
  none: "no flagged responses",
  flag: (flag) => flag,
  decision: (decision) => decision,
  duration: (seconds) => formatDuration(seconds),
};

/** Renders the flag list for the organiser's terminal (in `words`' language) or for files. */
export function formatFlagList(rows: readonly FlagListRow[], format: FlagListFormat, words: FlagTableWords = ENGLISH_FLAG_TABLE): string {
  if (format === "json") return `${JSON.stringify(rows, null, 2)}\n`;
  // The table starts with the reference organisers type (as the console shows it); the CSV keeps its columns and adds it last.
  const table = format !== "csv";
  const header = table ? [...words.header] : ["response_id", "unit", "group", "flag", "duration_seconds", "decision", "reason", "file_response_id", "evidence", "reference"];
  const cells = rows.map((r) => [
    ...(table ? [r.reference] : []),
    r.responseId,
    r.unit,
    r.group,
    format === "csv" ? r.flag : words.flag(r.flag),
    format === "csv" ? (r.durationSeconds === null ? "" : String(r.durationSeconds)) : r.durationSeconds === null ? "-" : words.duration(r.durationSeconds),
    format === "csv" ? (r.decision ?? "") : r.decision === null ? "-" : words.decision(r.decision),
    r.reason ?? "",
    r.fileResponseId ?? (format === "csv" ? "" : "-"),
    r.evidence,
    ...(table ? [] : [r.reference]),
  ]);
  if (format === "csv") return stringify([header, ...cells.map((c) => c.map(neutraliseCell))], { record_delimiter: "\n" });
  if (rows.length === 0) return `${words.none}\n`;
  const widths = header.map((h, i) => Math.max([...h].length, ...cells.map((c) => [...c[i]!].length)));
  const line = (c: readonly string[]) => c.map((v, i) => v + " ".repeat(widths[i]! - [...v].length)).join("  ").trimEnd();
  return [line(header), ...cells.map(line)].join("\n") + "\n";
}
