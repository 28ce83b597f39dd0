import { inspect } from "node:util";

const REDACTED = "[redacted]";

/**
 * A configuration value that must never be printed: every string, JSON and inspect form of it is
 * redacted, so logging the whole config (or an error that carries it) cannot leak it.
 * Call `reveal()` only where the value is actually used.
 */
export class Secret {
  readonly #value: string;
  readonly #display: string;

  constructor(value: string, display: string = REDACTED) {
    this.#value = value;
    this.#display = display;
  }

  /** The secret itself, for the one place that needs it (the Bot API client, the hash key, the driver). */
  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return this.#display;
  }

  toJSON(): string {
    return this.#display;
  }

  [inspect.custom](): string {
    return this.#display;
  }
}

/** A database URL with its password replaced, safe to print ("postgresql://app:***@db/khaosat"). */
export function redactUrlPassword(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@]*@/i, "$1***@");
}
