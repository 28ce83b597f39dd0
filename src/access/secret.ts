import { randomBytes } from "node:crypto";
import { linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Secret, type Config } from "../config/index.js";

/** Name of the generated secret file inside the data directory. */
export const CODE_SECRET_FILE = "code-secret";
const MIN_SECRET_LENGTH = 32;

/** The code secret cannot be used or created; the message says what to do, never the secret. */
export class CodeSecretError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CodeSecretError";
  }
}

/** Where `loadCodeSecret` keeps a generated secret. */
export interface LoadCodeSecretOptions {
  /** Default `./data` (next to the default SQLite file). */
  readonly dataDir?: string;
}

/**
 * The key of the code and account hashes: `CODE_SECRET` when configured; otherwise, on SQLite only,
 * a random secret generated once into `<dataDir>/code-secret` (mode 0600) and read back on later
 * starts. PostgreSQL deployments run several instances, which must share one configured secret.
 * Losing the secret makes every issued code unusable, so it is never regenerated over a bad file.
 */
export function loadCodeSecret(config: Pick<Config, "codeSecret" | "databaseKind">, options: LoadCodeSecretOptions = {}): Secret {
  if (config.codeSecret) return config.codeSecret;
  if (config.databaseKind !== "sqlite") {
    throw new CodeSecretError(
      'CODE_SECRET must be set when DATABASE_URL is PostgreSQL (every instance must use the same one), e.g. the output of "openssl rand -hex 32"',
    );
  }
  const dir = path.resolve(options.dataDir ?? "data");
  const file = path.join(dir, CODE_SECRET_FILE);
  try {
    return readSecretFile(file);
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  createSecretFile(dir, file);
  return readSecretFile(file);
}

function readSecretFile(file: string): Secret {
  const stat = statSync(file);
  if (process.platform !== "win32" && (stat.mode & 0o077) !== 0) {
    throw new CodeSecretError(
      `${file} can be read by other users (mode ${(stat.mode & 0o777).toString(8)}); run "chmod 600 ${file}" and keep it owner-only`,
    );
  }
  const value = readFileSync(file, "utf8").trim();
  if (value.length < MIN_SECRET_LENGTH) {
    throw new CodeSecretError(
      `${file} does not hold a usable secret (too short). Restore it from a backup: codes already issued only work with the original secret. ` +
        "Delete it only if no codes have been issued yet, and a new one is generated.",
    );
  }
  return new Secret(value);
}

function createSecretFile(dir: string, file: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new CodeSecretError(`cannot create ${dir} for the code secret (${errorCode(error)}); create it or set CODE_SECRET`);
  }
  // Written in full under a temporary name, then linked into place: a process starting at the same
  // moment either sees no file or the whole secret, and only one of two racing creators wins.
  const temp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    writeFileSync(temp, `${randomBytes(32).toString("base64url")}\n`, { mode: 0o600, flag: "wx" });
    try {
      linkSync(temp, file);
    } catch (error) {
      if (errorCode(error) !== "EEXIST") throw error;
    }
  } catch (error) {
    throw new CodeSecretError(`cannot write the code secret to ${file} (${errorCode(error)}); check the folder's permissions or set CODE_SECRET`);
  } finally {
    try {
      unlinkSync(temp);
    } catch {
      // Already gone, or never written: nothing to clean up.
    }
  }
}

function errorCode(error: unknown): string {
  return typeof error === "object" && error !== null && "code" in error ? String(error.code) : String(error);
}

function isNotFound(error: unknown): boolean {
  return errorCode(error) === "ENOENT";
}
