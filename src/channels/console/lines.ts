import { createInterface } from "node:readline";

/** Where the console reads the respondent's lines from. */
export interface LineSource {
  /** The next line, or undefined when the input has ended. */
  next(): Promise<string | undefined>;
  close(): void;
}

/** Options of `createLineSource`. */
export interface LineSourceOptions {
  /**
   * Input from a terminal: show a `> ` prompt and let the terminal echo. Otherwise (a pipe, a test)
   * each line read is written back after `> `, so the output reads as the whole conversation.
   */
  readonly terminal?: boolean;
}

/** Reads lines from a stream, one `next()` at a time, without losing lines that arrive early. */
export function createLineSource(input: NodeJS.ReadableStream, output: NodeJS.WritableStream, options: LineSourceOptions = {}): LineSource {
  const terminal = options.terminal ?? false;
  const rl = createInterface({ input, ...(terminal ? { output, terminal: true } : { terminal: false }), crlfDelay: Infinity });
  const buffered: string[] = [];
  const waiting: ((line: string | undefined) => void)[] = [];
  let ended = false;
  rl.on("line", (line) => {
    const waiter = waiting.shift();
    if (waiter) waiter(line);
    else buffered.push(line);
  });
  // Without a listener, readline only pauses on Ctrl+C and the session would hang: end the input instead.
  rl.on("SIGINT", () => rl.close());
  rl.on("close", () => {
    ended = true;
    for (const waiter of waiting.splice(0)) waiter(undefined);
  });
  return {
    async next() {
      if (terminal && !ended) {
        rl.setPrompt("> ");
        rl.prompt();
      }
      const line = buffered.length > 0 ? buffered.shift() : ended ? undefined : await new Promise<string | undefined>((resolve) => waiting.push(resolve));
      if (!terminal && line !== undefined) output.write(`> ${line}\n`);
      return line;
    },
    close() {
      rl.close();
    },
  };
}

/** Lines from a fixed list (tests, scripted runs); with `echo`, each is written there after `> `, like piped input. */
export function lineSourceOf(lines: readonly string[], echo?: NodeJS.WritableStream): LineSource {
  const queue = [...lines];
  return {
    async next() {
      const line = queue.shift();
      if (line !== undefined) echo?.write(`> ${line}\n`);
      return line;
    },
    close() {
      queue.length = 0;
    },
  };
}
