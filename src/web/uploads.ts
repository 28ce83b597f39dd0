// Checked uploads waiting for the organiser's "Import": kept in the database (not in one
// instance's memory), so a restart or a second instance behind the same address still imports
// them; each expires after 30 minutes, is imported at most once and only by whoever checked it,
// and all of them together stay under a fixed size.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Database, WebUploadRecord } from "../db/index.js";
import { html, type Html } from "./html.js";
import type { PageContext } from "./layout.js";
import { problemsText, problemText, type Problem } from "../i18n/index.js";

/** How long a checked file waits for its "Import". */
export const UPLOAD_TTL_MS = 30 * 60_000;
/** All waiting uploads together, at most (oldest dropped first): five files at the 20 MB upload limit. */
export const MAX_PENDING_BYTES = 100 * 1024 * 1024;
/** Problems listed on a page; the rest are counted. */
const SHOWN = 50;

/** Keeps a checked file; returns the id the Import form carries. */
export async function keepUpload(db: Database, input: { campaignId: string; kind: WebUploadRecord["kind"]; actor: string; bytes: Uint8Array; rows: number }, now: Date): Promise<string> {
  const id = randomBytes(16).toString("hex");
  await db.web.storeUpload({ id, ...input, createdAt: now, expiresAt: new Date(now.getTime() + UPLOAD_TTL_MS) }, now, MAX_PENDING_BYTES);
  return id;
}

/** The id an Import form sent, if it looks like one. */
export function uploadId(body: unknown): string | null {
  const value = (body as Record<string, unknown> | undefined)?.upload;
  return typeof value === "string" && /^[0-9a-f]{32}$/.test(value) ? value : null;
}

/** Runs `work` on the bytes as a file in a private temporary folder (the importers read files), then removes it. */
export async function withTemporaryFile<T>(bytes: Uint8Array, extension: string, work: (file: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(tmpdir(), "khaosat-upload-"));
  try {
    const file = path.join(dir, `upload.${extension}`);
    await writeFile(file, bytes, { mode: 0o600 });
    return await work(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** An XLSX file is a ZIP archive ("PK"); anything else is read as CSV, as the CLI reads a .csv. */
export function tableFormat(bytes: Uint8Array): "xlsx" | "csv" {
  return bytes[0] === 0x50 && bytes[1] === 0x4b ? "xlsx" : "csv";
}

/** A problem as services report it: the English message, and the same by key where the service gives one. */
export interface ListedProblem {
  readonly line: number;
  readonly message: string;
  readonly problems?: readonly Problem[] | undefined;
}

/** A problem in the reader's language (the English message only where the service gives no key). */
export function problemLine(ctx: PageContext, p: { message: string; problems?: readonly Problem[] | undefined }): string {
  return problemsText(ctx.t, p.problems, p.message);
}

/** Line-numbered problems in the reader's language, the first fifty listed. */
export function problemList(ctx: PageContext, list: readonly ListedProblem[]): Html {
  return html`<pre class="problems">${list.slice(0, SHOWN).map((p) => `${p.line > 0 ? `${ctx.t("act.line", { line: p.line })}: ` : ""}${problemLine(ctx, p)}\n`)}${list.length > SHOWN ? ctx.t("act.more", { count: list.length - SHOWN }) : ""}</pre>`;
}

/** A file that could not be read at all, in the reader's language; never the server's temporary path. */
export function fileErrorText(ctx: PageContext, error: { message: string; problem?: Problem | undefined }): string {
  const file = ctx.t("act.theFile");
  if (error.problem) return problemText(ctx.t, { ...error.problem, params: { ...error.problem.params, file } });
  return error.message.replace(/\S*khaosat-upload-[^\s/]+\/upload\.[a-z]+/g, file);
}
