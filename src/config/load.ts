import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse as parseDotenv } from "dotenv";
import { envSchema, type Config } from "./schema.js";

/** The environment as khaosat reads it: variable name to value. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** One bad variable: its name and what to put there (never its value). */
export interface ConfigProblem {
  readonly variable: string;
  readonly message: string;
}

/** Start-up configuration is invalid; the message lists every bad variable, one per line. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(
      [
        `invalid configuration (${problems.length} ${problems.length === 1 ? "problem" : "problems"}); set these environment variables or put them in .env:`,
        ...problems.map((p) => `  ${p.variable}: ${p.message}`),
      ].join("\n"),
    );
    this.name = "ConfigError";
  }
}

/** Parses the configuration from `env`; throws `ConfigError` naming every bad variable. */
export function loadConfig(env: Environment): Config {
  const result = envSchema.safeParse(env);
  if (result.success) return Object.freeze(result.data);
  const problems = result.error.issues.map((issue) => ({ variable: String(issue.path[0] ?? "environment"), message: issue.message }));
  throw new ConfigError(problems);
}

/** Where `readEnvironment` looks. */
export interface ReadEnvironmentOptions {
  /** Default: `process.env`. */
  readonly env?: Environment;
  /** The `.env` file; default `.env` in the current directory. A missing file is fine. */
  readonly envFile?: string;
}

/**
 * The process environment over the optional `.env` file (a variable set in the environment wins, as
 * deployments expect). This and `loadConfigFromEnvironment` are the only readers of `process.env`.
 */
export function readEnvironment(options: ReadEnvironmentOptions = {}): Environment {
  const file = options.envFile ?? path.resolve(".env");
  const fromFile = existsSync(file) ? parseDotenv(readFileSync(file)) : {};
  const fromProcess = options.env ?? process.env;
  const merged: Record<string, string | undefined> = { ...fromFile };
  for (const [name, value] of Object.entries(fromProcess)) if (value !== undefined) merged[name] = value;
  return merged;
}

/** Reads `.env` and the process environment and parses them: what `khaosat start` calls once. */
export function loadConfigFromEnvironment(options: ReadEnvironmentOptions = {}): Config {
  return loadConfig(readEnvironment(options));
}
