// Crash-safe issuing of code files (issue 10 item 5). The plain codes exist only in the issued
// files, so the files and the stored hashes must never diverge, whatever moment the process dies:
//
//   1. a journal (`.khaosat-issue-*.json`, next to the first output file) names the campaign, the
//      files and two of the new codes' keyed hashes; it is written and fsynced first;
//   2. each file is written under a hidden `.partial` name and fsynced;
//   3. the hashes are stored (one transaction: all or none);
//   4. each file is linked to its final name (never overwriting) and the journal removed.
//
// The next `codes issue` in that folder reads any journal left behind: when its hashes are stored,
// the issue is finished (the files are put in place); when they are not, it is rolled back (the
// partial files, which hold codes nobody can use, are deleted). Either way it says what it did.
import { closeSync, existsSync, fsyncSync, linkSync, openSync, readdirSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import path from "node:path";
import { DEFAULT_TIME_ZONE, formatZonedTime } from "../campaigns/index.js";
import { cliError, t } from "./i18n.js";

/** One output file of an issue: where it goes and where it waits until the codes are stored. */
export interface JournalFile {
  readonly final: string;
  readonly partial: string;
}

interface JournalContent {
  readonly kind: "khaosat-codes-issue";
  readonly campaignId: string;
  readonly startedAt: string;
  readonly count: number;
  /** Keyed hashes of the first and last new code: the insert is all-or-nothing, so these two tell. */
  readonly hashes: readonly string[];
  readonly files: readonly JournalFile[];
}

const PREFIX = ".khaosat-issue-";

/** Writes a file and makes it durable (file and folder entry fsynced) before returning; never overwrites. */
export function writeDurably(file: string, content: Uint8Array | string, mode = 0o600): void {
  const fd = openSync(file, "wx", mode);
  try {
    writeSync(fd, typeof content === "string" ? Buffer.from(content, "utf8") : content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  syncFolder(path.dirname(file));
}

/** fsyncs a folder so that a new or removed entry survives a power cut (best effort where unsupported). */
export function syncFolder(folder: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(folder, "r");
    fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on a directory; the entry is then as durable as they allow.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The journal of one issue in progress. */
export class IssueJournal {
  #path: string | undefined;

  constructor(
    readonly campaignId: string,
    readonly files: readonly JournalFile[],
  ) {}

  /** Records (durably) that these codes are about to be stored; called again if a draw is retried. */
  record(count: number, hashes: readonly string[], now: Date): void {
    const content: JournalContent = {
      kind: "khaosat-codes-issue",
      campaignId: this.campaignId,
      startedAt: now.toISOString(),
      count,
      hashes: hashes.length > 1 ? [hashes[0]!, hashes[hashes.length - 1]!] : [...hashes],
      files: this.files,
    };
    const folder = path.dirname(this.files[0]!.final);
    const next = path.join(folder, `${PREFIX}${process.pid}-${Date.now()}.json`);
    writeDurably(next, `${JSON.stringify(content, null, 2)}\n`);
    this.remove();
    this.#path = next;
  }

  /** The issue is complete (or was abandoned before anything was written): forget it. */
  remove(): void {
    if (this.#path === undefined) return;
    try {
      unlinkSync(this.#path);
      syncFolder(path.dirname(this.#path));
    } catch {
      // Already gone.
    }
    this.#path = undefined;
  }
}

/** What was found and done about one unfinished issue. */
export interface Recovery {
  readonly outcome: "finished" | "rolled_back";
  readonly count: number;
  readonly startedAt: string;
  /** Files put in place (finished) or partial files deleted (rolled back). */
  readonly files: readonly string[];
  /** Final names that already existed, so a finished file was left under its partial name. */
  readonly blocked: readonly string[];
}

/**
 * Finds the journals of unfinished issues of this campaign in these folders and finishes or rolls
 * back each one, depending on whether its codes were stored (`isStored(hash)`).
 */
export async function recoverUnfinishedIssues(
  folders: readonly string[],
  campaignId: string,
  isStored: (hash: string) => Promise<boolean>,
): Promise<Recovery[]> {
  const recoveries: Recovery[] = [];
  for (const folder of new Set(folders.map((f) => path.resolve(f)))) {
    let names: string[];
    try {
      names = readdirSync(folder).filter((n) => n.startsWith(PREFIX) && n.endsWith(".json"));
    } catch {
      continue;
    }
    for (const name of names.sort()) {
      const journalPath = path.join(folder, name);
      let journal: JournalContent;
      try {
        journal = JSON.parse(readFileSync(journalPath, "utf8")) as JournalContent;
      } catch {
        // Cut short while being written: nothing was stored after it (the journal comes first).
        unlinkSync(journalPath);
        continue;
      }
      if (journal.kind !== "khaosat-codes-issue" || journal.campaignId !== campaignId) continue;
      const stored = await Promise.all(journal.hashes.map(isStored));
      if (stored.some((s) => s) && !stored.every((s) => s)) {
        throw cliError("codes.partlyStored", { journal: journalPath });
      }
      const files: string[] = [];
      const blocked: string[] = [];
      if (stored.every((s) => s) && journal.hashes.length > 0) {
        for (const f of journal.files) {
          if (!existsSync(f.partial)) continue; // already linked into place before the crash
          try {
            linkSync(f.partial, f.final);
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code === "EEXIST") {
              blocked.push(f.final);
              continue;
            }
            throw error;
          }
          unlinkSync(f.partial);
          files.push(f.final);
        }
        syncFolder(folder);
        if (blocked.length === 0) unlinkSync(journalPath);
        recoveries.push({ outcome: "finished", count: journal.count, startedAt: journal.startedAt, files: journal.files.map((f) => f.final).filter((f) => !blocked.includes(f)), blocked });
      } else {
        for (const f of journal.files) {
          if (existsSync(f.partial)) {
            unlinkSync(f.partial);
            files.push(f.partial);
          }
        }
        unlinkSync(journalPath);
        syncFolder(folder);
        recoveries.push({ outcome: "rolled_back", count: journal.count, startedAt: journal.startedAt, files, blocked });
      }
    }
  }
  return recoveries;
}

/** What `codes issue` prints about the unfinished issues it found (times in the campaign's zone). */
export function describeRecoveries(recoveries: readonly Recovery[], timeZone: string = DEFAULT_TIME_ZONE): string {
  const started = (r: Recovery) => formatZonedTime(new Date(r.startedAt), timeZone);
  return recoveries
    .map((r) => {
      const params = { codes: t("codes.codes", { count: r.count }), startedAt: started(r) };
      if (r.outcome === "rolled_back") {
        return t("codes.rolledBack", params) + (r.files.length > 0 ? t("codes.rolledBackFiles", { files: r.files.join(", ") }) : "") + "\n";
      }
      const wrote = r.files.length > 0 ? t("codes.finishedFiles", { count: r.files.length, files: r.files.join(", ") }) : "";
      const blocked = r.blocked.length > 0 ? t("codes.finishedBlocked", { count: r.blocked.length, files: r.blocked.join(", ") }) : "";
      return `${t("codes.finished", { ...params, wrote, blocked })}\n`;
    })
    .join("");
}
