// The web console beside the console demo (`npm start` without a token): served on the demo
// database, with a demo admin account whose password is made afresh at each start and only printed.
import type { CodeKey } from "../access/index.js";
import type { Database } from "../db/index.js";
import { addUser, disableUser, resetPassword } from "./accounts.js";
import { generatePassword } from "./passwords.js";
import type { WebSettings } from "./config.js";
import { startConsole, type RunningConsole } from "./start.js";

/** The demo's admin account. */
export const DEMO_ADMIN_EMAIL = "demo@khaosat.local";

/** The console started beside the demo, or why it could not start. */
export type DemoConsole =
  | { readonly ok: true; readonly running: RunningConsole; readonly email: string; readonly password: string }
  | { readonly ok: false; readonly address: string; readonly reason: string };

/**
 * Ensures the demo admin with a fresh random password (the previous one stops working and its
 * sessions end), then listens; closing it disables the account again. A taken or forbidden port is reported, not thrown: the demo carries on.
 */
export async function startDemoConsole(db: Database, settings: WebSettings, extra: { codeSecret?: CodeKey; now: Date }): Promise<DemoConsole> {
  const address = `${settings.host}:${settings.port}`;
  let running: RunningConsole;
  try {
    running = await startConsole(db, settings, extra.codeSecret ? { codeSecret: extra.codeSecret } : {});
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "EADDRINUSE" || code === "EACCES" || code === "EADDRNOTAVAIL") return { ok: false, address, reason: code };
    throw error;
  }
  try {
    const password = generatePassword();
    if (await db.web.userByEmail(DEMO_ADMIN_EMAIL)) {
      await resetPassword(db, DEMO_ADMIN_EMAIL, password, "demo", extra.now);
      await db.web.enableUser(DEMO_ADMIN_EMAIL);
    } else {
      await addUser(db, { email: DEMO_ADMIN_EMAIL, role: "admin", password }, "demo", extra.now);
    }
    // The account works only while the demo runs: it is an admin of whatever the database holds.
    const close = async () => {
      try {
        await disableUser(db, DEMO_ADMIN_EMAIL, "demo", new Date());
      } finally {
        await running.close();
      }
    };
    return { ok: true, running: { ...running, close }, email: DEMO_ADMIN_EMAIL, password };
  } catch (error) {
    await running.close();
    throw error;
  }
}
