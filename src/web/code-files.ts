// The slips of codes just issued, in each format (PDF, XLSX, CSV), for the one page that shows
// them. The plain codes exist only in these files; the CLI writes one file and keeps nothing, and
// the console cannot hand three downloads over in one reply. So what the files are drawn from
// waits in the database (where the checked uploads wait) sealed with AES-256-GCM under a key that
// is stored nowhere: it is in the download forms of that page only (sent with no-store). That is
// the slips' data, compact (about 1 MB compressed for a national round of 50,000), not the files:
// a file is drawn when its download is asked for and streamed into the response (the PDF page by
// page), so neither the issue nor a download holds a whole file (the national PDF is ~120 MB).
// Each format waits in a row of its own and can be taken once, by the admin who issued the codes,
// within ten minutes; what stays behind in the database is ciphertext nobody can open, deleted
// when it expires.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { gunzipSync, gzipSync } from "node:zlib";
import { codeDeepLink, type CodeFileFormat, type CodeSlip, type SlipOptions } from "../access/index.js";
import type { Database, WebUploadRecord } from "../db/index.js";
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

/** What a file is drawn from: the slips and the options of the issue (its bot, title, date and deadline). */
export interface CodeSlips {
  readonly slips: readonly CodeSlip[];
  readonly options: SlipOptions & { readonly botUsername: string };
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

/** Version 1 of the sealed data: one array per slip (the link is rebuilt from the bot and the code). */
type Packed = { v: 1; bot: string; title?: string; createdAt?: string; closing?: { at: string; timeZone: string }; slips: [code: string, unit: string, externalId: string | null, name: string | null, language: string | null][] };

/** The slips' data as sealed: compact JSON, gzipped (~1 MB at 50,000 slips). */
export function packSlips(data: CodeSlips): Buffer {
  const { options } = data;
  const packed: Packed = {
    v: 1,
    bot: options.botUsername,
    ...(options.title !== undefined ? { title: options.title } : {}),
    ...(options.createdAt ? { createdAt: options.createdAt.toISOString() } : {}),
    ...(options.closing ? { closing: { at: options.closing.at.toISOString(), timeZone: options.closing.timeZone } } : {}),
    slips: data.slips.map((s) => [s.code, s.unit, s.externalId ?? null, s.name ?? null, s.language ?? null]),
  };
  return gzipSync(JSON.stringify(packed));
}

/** The slips' data back from `packSlips` (authenticated by the seal, so trusted). */
export function unpackSlips(bytes: Uint8Array): CodeSlips {
  const packed = JSON.parse(gunzipSync(bytes).toString("utf8")) as Packed;
  if (packed.v !== 1) throw new Error(`unknown version of sealed code slips: ${String(packed.v)}`);
  return {
    slips: packed.slips.map(([code, unit, externalId, name, language]) => ({
      code,
      link: codeDeepLink(packed.bot, code),
      unit,
      ...(externalId !== null ? { externalId } : {}),
      ...(name !== null ? { name } : {}),
      ...(language !== null ? { language } : {}),
    })),
    options: {
      botUsername: packed.bot,
      ...(packed.title !== undefined ? { title: packed.title } : {}),
      ...(packed.createdAt ? { createdAt: new Date(packed.createdAt) } : {}),
      ...(packed.closing ? { closing: { at: new Date(packed.closing.at), timeZone: packed.closing.timeZone } } : {}),
    },
  };
}

/**
 * Seals the slips' data of one issue (`packSlips`) and stores it once per format (each format is
 * taken once, on its own); returns the key (base64url, for the page's forms only) and the ids.
 */
export async function keepCodeSlips(db: Database, packed: Uint8Array, input: { campaignId: string; actor: string; rows: number }, now: Date): Promise<{ key: string; files: SealedCodeFile[] }> {
  const key = randomBytes(32);
  const kept: SealedCodeFile[] = [];
  for (const format of CODE_FILE_FORMATS) {
    const id = randomBytes(16).toString("hex");
    await db.web.storeUpload({ id, campaignId: input.campaignId, kind: "codes", actor: input.actor, bytes: seal(packed, key, format), rows: input.rows, createdAt: now, expiresAt: new Date(now.getTime() + CODE_FILE_TTL_MS) }, now, MAX_PENDING_BYTES);
    kept.push({ format, id });
  }
  return { key: key.toString("base64url"), files: kept };
}

/** A waiting file taken for its download: its slips, and the sealed row to put back if nothing could be sent. */
export interface TakenCodeSlips extends CodeSlips {
  readonly sealed: WebUploadRecord;
}

/**
 * Takes one waiting file (once: a second request, on any instance, gets null) and opens it; null
 * when gone, expired, someone else's, or the key does not open it (then it is put back untouched,
 * so a mangled form does not cost the admin the file).
 */
export async function takeCodeSlips(db: Database, input: { id: string; key: string; format: CodeFileFormat; campaignId: string; actor: string }, now: Date): Promise<TakenCodeSlips | null> {
  if (!/^[0-9a-f]{32}$/.test(input.id) || !/^[A-Za-z0-9_-]{43}$/.test(input.key)) return null;
  const upload = await db.web.takeUpload(input.id, { campaignId: input.campaignId, kind: "codes", actor: input.actor }, now);
  if (!upload) return null;
  const plain = openSealed(upload.bytes, Buffer.from(input.key, "base64url"), input.format);
  if (!plain) {
    await putBackCodeSlips(db, upload, now);
    return null;
  }
  return { ...unpackSlips(plain), sealed: upload };
}

/** Puts a taken file back, still sealed and with its expiry, when nothing of it was sent: the admin can try again. */
export async function putBackCodeSlips(db: Database, sealed: WebUploadRecord, now: Date): Promise<void> {
  if (sealed.expiresAt <= now) return;
  await db.web.storeUpload(sealed, now, MAX_PENDING_BYTES);
}
