// Starting the console: listen on WEB_HOST:WEB_PORT and say where, for `khaosat web`, the bot's
// `npm start` and the console demo.
import type { FastifyInstance } from "fastify";
import type { CodeKey } from "../access/index.js";
import type { Database } from "../db/index.js";
import type { WebSettings } from "./config.js";
import type { LogLevel } from "../config/index.js";
import { createWebServer } from "./server.js";

/** A listening console. */
export interface RunningConsole {
  readonly app: FastifyInstance;
  /** e.g. http://127.0.0.1:3000 */
  readonly url: string;
  close(): Promise<void>;
}

/** Builds the console on an open database and starts listening. */
export async function startConsole(db: Database, settings: WebSettings, extra: { codeSecret?: CodeKey; botUsername?: string; logger?: boolean | LogLevel } = {}): Promise<RunningConsole> {
  const app = await createWebServer({ db, trustProxy: settings.trustProxy, ...extra });
  await app.listen({ host: settings.host, port: settings.port });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : settings.port;
  const host = settings.host.includes(":") ? `[${settings.host}]` : settings.host === "0.0.0.0" ? "127.0.0.1" : settings.host;
  return { app, url: `http://${host}:${port}`, close: () => app.close() };
}
