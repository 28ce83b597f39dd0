// The listings the CLI prints for a terminal (`flags --campaign`, `outbox status`) in the organiser's
// language (KHAOSAT_LANG): column titles and names from the `listings` namespace, a flag's evidence
// from the keyed parts the web console says too (`flags:evidence.*`). The CSV and JSON never change.
import type { FlagTableWords } from "../flags/index.js";
import { OUTBOX_STATUSES, type OutboxCounts } from "../outbox/index.js";
import { CLI_STYLE, evidenceText, type EvidenceStyle, type FlagEvidence } from "../scoring/index.js";
import { messageLanguage, t } from "./i18n.js";

/** "1m 01s" / "1 phút 1 giây": a duration in whole seconds. */
export function sayDuration(seconds: number): string {
  const whole = Math.round(seconds);
  const minutes = Math.floor(whole / 60);
  const rest = whole % 60;
  return minutes > 0 ? t("listings:duration.minutes", { minutes, seconds: rest, paddedSeconds: String(rest).padStart(2, "0") }) : t("listings:duration.seconds", { seconds: whole });
}

const vietnamese = new Map<number | undefined, Intl.NumberFormat>();

/** A figure of the evidence: as the English CLI always wrote it, or the Vietnamese way ("1,5", "29.000"). */
function sayNumber(value: number, digits?: number): string {
  if (messageLanguage() === "en") return CLI_STYLE.number(value, digits);
  let format = vietnamese.get(digits);
  if (!format) {
    format = new Intl.NumberFormat("vi-VN", digits === undefined ? { maximumFractionDigits: 20 } : { minimumFractionDigits: digits, maximumFractionDigits: digits });
    vietnamese.set(digits, format);
  }
  return format.format(value);
}

/** The organiser reads every figure and the quoted answers (the CLI is theirs; the console quotes none). */
const STYLE: EvidenceStyle = { number: sayNumber, duration: sayDuration, quoteAnswers: true };

/** One rule's evidence in the organiser's language. */
export function sayEvidence(evidence: FlagEvidence): string {
  return evidenceText(t, evidence.parts, STYLE);
}

/** The words of the flags table in the organiser's language. */
export function flagTableWords(): FlagTableWords {
  const header = ["reference", "responseId", "unit", "group", "flag", "duration", "decision", "reason", "fileResponseId", "evidence"].map((k) => t(`listings:flags.header.${k}`));
  return {
    header,
    none: t("listings:flags.none"),
    flag: (flag) => t(`listings:flags.names.${flag}`, { defaultValue: flag }),
    decision: (decision) => t(`listings:flags.decisions.${decision}`, { defaultValue: decision }),
    duration: sayDuration,
  };
}

/** Display width of a cell: Vietnamese letters count once each. */
const width = (text: string) => [...text.normalize("NFC")].length;

/** The counts table of `outbox status`: one row per kind, one column per status that occurs, in the organiser's language. */
export function formatOutboxCounts(counts: OutboxCounts, unreachableChats: number): string {
  const unreachable = `${t("listings:outbox.unreachable", { count: unreachableChats })}\n`;
  const kinds = Object.keys(counts).sort();
  if (kinds.length === 0) return `${t("listings:outbox.empty")}\n${unreachable}`;
  const statuses = OUTBOX_STATUSES.filter((s) => kinds.some((k) => counts[k]![s] !== undefined));
  const header = [t("listings:outbox.kind"), ...statuses.map((s) => t(`listings:outbox.statuses.${s}`, { defaultValue: s })), t("listings:outbox.total")];
  const rows = kinds.map((k) => {
    const values = statuses.map((s) => counts[k]![s] ?? 0);
    return [t(`listings:outbox.kinds.${k}`, { defaultValue: k }), ...values.map(String), String(values.reduce((a, b) => a + b, 0))];
  });
  const widths = header.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i]!))));
  const pad = (text: string, i: number) => " ".repeat(widths[i]! - width(text));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c + pad(c, i) : pad(c, i) + c)).join("  ").trimEnd();
  return `${[line(header), ...rows.map(line)].join("\n")}\n${unreachable}`;
}
