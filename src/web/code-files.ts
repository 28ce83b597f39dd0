// The slips of codes just issued, in each format (PDF, XLSX, CSV), for the one page that shows
// them. The plain codes exist only in these files; the CLI writes one file and keeps nothing, and
// the console cannot hand three downloads over in one reply. So each file waits in the database
// (where the checked uploads wait) sealed with AES-256-GCM under a key that is stored nowhere: it
// is in the download forms of that page only (sent with no-store). Each file can be taken once,
// by the admin who issued the codes, within ten minutes; what stays behind in the database is
// ciphertext nobody can open, deleted when it expires.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { CodeFileFormat } from "../access/index.js";
import type { Database } from "../db/index.js";
import { MAX_PENDING_BYTES } from "./uploads.js";

/** The formats offered, in the order shown. */
export const CODE_FILE_FORMATS: readonly CodeFileFormat[] = ["pdf", "xlsx", "csv"];
/** How long the just-issued files wait for their download. */
export const CODE_FILE_TTL_MS = 10 * 60_000;

/** Content types of the formats. */
export const CODE_FILE_TYPES: Record<CodeFileFormat, string> = {
  pdf: "application/pdf",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  csv: "text/csv; charset=utf-8",
};

/** One waiting file: the id of its sealed copy; the key is the same for the three files of one issue. */
export interface SealedCodeFile {
  readonly format: CodeFileFormat;
  readonly id: string;
}

const IV = 12;
const TAG = 16;

function seal(plain: Uint8Array, key: Buffer, format: CodeFileFormat): Buffer {
  const iv = randomBytes(IV);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  // The format is bound to the ciphertext, so a form cannot fetch the CSV under a PDF's name.
  cipher.setAAD(Buffer.from(format));
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

/** Opens a sealed file; null when the key or format does not match. */
export function openSealed(sealed: Uint8Array, key: Buffer, format: CodeFileFormat): Buffer | null {
  const bytes = Buffer.from(sealed);
  if (bytes.length < IV + TAG || key.length !== 32) return null;
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, bytes.subarray(0, IV));
    decipher.setAAD(Buffer.from(format));
    decipher.setAuthTag(bytes.subarray(IV, IV + TAG));
    return Buffer.concat([decipher.update(bytes.subarray(IV + TAG)), decipher.final()]);
  } catch {
    return null;
  }
}

/** Seals and stores the files of one issue; returns the key (base64url, for the page's forms only) and the ids. */
export async function keepCodeFiles(
  db: Database,
  files: ReadonlyMap<CodeFileFormat, Uint8Array>,
  input: { campaignId: string; actor: string; rows: number },
  now: Date,
): Promise<{ key: string; files: SealedCodeFile[] }> {
  const key = randomBytes(32);
  const kept: SealedCodeFile[] = [];
  for (const format of CODE_FILE_FORMATS) {
    const plain = files.get(format);
    if (!plain) continue;
    const id = randomBytes(16).toString("hex");
    await db.web.storeUpload({ id, campaignId: input.campaignId, kind: "codes", actor: input.actor, bytes: seal(plain, key, format), rows: input.rows, createdAt: now, expiresAt: new Date(now.getTime() + CODE_FILE_TTL_MS) }, now, MAX_PENDING_BYTES);
    kept.push({ format, id });
  }
  return { key: key.toString("base64url"), files: kept };
}

/** Takes one waiting file (once) and opens it; null when gone, expired, someone else's or the key is wrong. */
export async function takeCodeFile(db: Database, input: { id: string; key: string; format: CodeFileFormat; campaignId: string; actor: string }, now: Date): Promise<Buffer | null> {
  if (!/^[0-9a-f]{32}$/.test(input.id) || !/^[A-Za-z0-9_-]{43}$/.test(input.key)) return null;
  const upload = await db.web.takeUpload(input.id, { campaignId: input.campaignId, kind: "codes", actor: input.actor }, now);
  return upload ? openSealed(upload.bytes, Buffer.from(input.key, "base64url"), input.format) : null;
}
