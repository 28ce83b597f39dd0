import { closeSync, fsyncSync, linkSync, openSync, unlinkSync, writeSync } from "node:fs";
import path from "node:path";
import { cliError } from "./i18n.js";
import { syncFolder } from "./issue-journal.js";

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

  /** The hidden name the file waits under until the codes are stored. */
  get partial(): string {
    return this.#temp;
  }

  /** Writes the content under the partial name and fsyncs it, so it survives a crash once the codes are stored. */
  async write(content: Buffer): Promise<void> {
    await this.writeWith((fd) => {
      for (let at = 0; at < content.length; ) at += writeSync(fd, content, at);
    });
  }

  /**
   * Has `produce` write the content into the partial file as it makes it (a PDF streams in page by
   * page: bounded memory at any size), then fsyncs it. On failure the partial file is removed: the
   * file's name never holds half a file, and an existing file is never touched.
   */
  async writeWith(produce: (fd: number) => void | Promise<void>): Promise<void> {
    try {
      const fd = openSync(this.#temp, "w", 0o600);
      this.#written = true;
      try {
        await produce(fd);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      syncFolder(path.dirname(this.#temp));
    } catch (error) {
      this.discard();
      throw cliError("codes.cannotWrite", { file: this.file, reason: error instanceof Error ? error.message : String(error) });
    }
  }

  commit(): void {
    if (!this.#written) return;
    try {
      linkSync(this.#temp, this.file);
      syncFolder(path.dirname(path.resolve(this.file)));
    } catch (error) {
      throw cliError("codes.cannotLink", { file: this.file, reason: error instanceof Error ? error.message : String(error), temp: this.#temp });
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
