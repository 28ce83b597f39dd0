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

/** The rows of the flag list: one per flag of each flagged response, by unit, response id and flag. */
export function flagListRows(subjects: readonly (FlagSubject & { readonly evidence?: readonly FlagEvidence[] })[]): FlagListRow[] {
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
      evidence: (s.evidence ?? []).filter((e) => e.flag === flag).map((e) => e.text).join("; "),
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

/** Renders the flag list for the organiser's terminal or for files. */
export function formatFlagList(rows: readonly FlagListRow[], format: FlagListFormat): string {
  if (format === "json") return `${JSON.stringify(rows, null, 2)}\n`;
  // The table starts with the reference organisers type (as the console shows it); the CSV keeps its columns and adds it last.
  const table = format !== "csv";
  const header = [...(table ? ["ref"] : []), "response_id", "unit", "group", "flag", table ? "duration" : "duration_seconds", "decision", "reason", "file_response_id", "evidence", ...(table ? [] : ["reference"])];
  const cells = rows.map((r) => [
    ...(table ? [r.reference] : []),
    r.responseId,
    r.unit,
    r.group,
    r.flag,
    format === "csv" ? (r.durationSeconds === null ? "" : String(r.durationSeconds)) : formatDuration(r.durationSeconds),
    r.decision ?? (format === "csv" ? "" : "-"),
    r.reason ?? "",
    r.fileResponseId ?? (format === "csv" ? "" : "-"),
    r.evidence,
    ...(table ? [] : [r.reference]),
  ]);
  if (format === "csv") return stringify([header, ...cells.map((c) => c.map(neutraliseCell))], { record_delimiter: "\n" });
  if (rows.length === 0) return "no flagged responses\n";
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => [...c[i]!].length)));
  const line = (c: readonly string[]) => c.map((v, i) => v + " ".repeat(widths[i]! - [...v].length)).join("  ").trimEnd();
  return [line(header), ...cells.map(line)].join("\n") + "\n";
}
