import { linkSync, unlinkSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { CliError } from "./errors.js";

/**
 * An issued file of codes, written (owner-only) under a temporary name before the codes are stored
 * and linked into place after: a failure on either side leaves neither stored codes without a file
 * nor a file of unstored codes, and an existing file is never overwritten.
 */
export class PendingFile {
  readonly #temp: string;
  #written = false;

  constructor(readonly file: string) {
    this.#temp = path.join(path.dirname(path.resolve(file)), `.${path.basename(file)}.${process.pid}.partial`);
  }

  async write(content: Buffer): Promise<void> {
    try {
      await writeFile(this.#temp, content, { mode: 0o600 });
      this.#written = true;
    } catch (error) {
      throw new CliError(`cannot write ${this.file}: ${error instanceof Error ? error.message : String(error)}; no code was issued`);
    }
  }

  commit(): void {
    if (!this.#written) return;
    try {
      linkSync(this.#temp, this.file);
    } catch (error) {
      throw new CliError(
        `the codes are stored but ${this.file} could not be created (${error instanceof Error ? error.message : String(error)}); ` +
          `they are in ${this.#temp}: rename it yourself`,
      );
    }
    this.discard();
  }

  discard(): void {
    if (!this.#written) return;
    try {
      unlinkSync(this.#temp);
    } catch {
      // Already gone.
    }
    this.#written = false;
  }
}
