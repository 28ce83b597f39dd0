import type { BotLogger } from "../channels/telegram/index.js";
import type { LogLevel } from "../config/index.js";

const ORDER: Record<Exclude<LogLevel, "silent">, number> = { fatal: 0, error: 1, warn: 2, info: 3, debug: 4, trace: 5 };

/** One JSON object per line (time, level, message, data) at or above `level`; callers never pass secrets. */
export function createJsonLogger(level: LogLevel, stream: NodeJS.WritableStream = process.stderr, clock: () => Date = () => new Date()): BotLogger {
  const enabled = (wanted: keyof typeof ORDER) => level !== "silent" && ORDER[wanted] <= ORDER[level];
  const write = (wanted: keyof typeof ORDER) => (data: Record<string, unknown>, message: string) => {
    if (enabled(wanted)) stream.write(`${JSON.stringify({ time: clock().toISOString(), level: wanted, message, ...data })}\n`);
  };
  return { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
}
