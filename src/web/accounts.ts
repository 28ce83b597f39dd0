// Console accounts and sessions: the one service behind `khaosat users …` and the console's login,
// logout and session checks. Every change is audited (who, what, when); passwords and session
// tokens never reach the audit trail or the logs.
import { createHash, randomBytes } from "node:crypto";
import type { Database, WebRole, WebUserRecord } from "../db/index.js";
import { decoyHash, hashPassword, passwordProblem, verifyPassword } from "./passwords.js";

/** Roles, most powerful first. */
export const WEB_ROLES: readonly WebRole[] = ["admin", "viewer", "coordinator"];

/** Session lifetime limits. */
export const SESSION_IDLE_MS = 30 * 60_000;
export const SESSION_ABSOLUTE_MS = 12 * 3600_000;
/** Login throttling: failures counted over this window… */
export const LOGIN_WINDOW_MS = 15 * 60_000;
/** …at most this many per account… */
export const MAX_FAILURES_PER_ACCOUNT = 5;
/** …and this many per address (an office behind one NAT address shares it). */
export const MAX_FAILURES_PER_ADDRESS = 20;

/** A refused account operation: the message says what to fix. */
export class AccountError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AccountError";
  }
}

/** What `addUser` needs. */
export interface NewUser {
  readonly email: string;
  readonly role: string;
  readonly campaignId?: string;
  readonly unitCode?: string;
  readonly password: string;
}

const EMAIL = /^[^\s@<>"]{1,64}@[^\s@<>"]{1,255}$/;

/** The login name as stored: trimmed, lower-case. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** A user as shown (no password hash). */
export type PublicUser = Omit<WebUserRecord, "passwordHash">;

function publicUser(user: WebUserRecord): PublicUser {
  const { passwordHash: _hidden, ...rest } = user;
  void _hidden;
  return rest;
}

/** Creates an account; coordinators need a campaign and one of its units. */
export async function addUser(db: Database, input: NewUser, actor: string, now: Date): Promise<PublicUser> {
  const email = normaliseEmail(input.email);
  if (!EMAIL.test(email)) throw new AccountError(`"${input.email}" is not an e-mail address`);
  if (!(WEB_ROLES as readonly string[]).includes(input.role)) throw new AccountError(`role "${input.role}": use one of ${WEB_ROLES.join(", ")}`);
  const role = input.role as WebRole;
  let campaignId: string | null = null;
  let unitCode: string | null = null;
  if (role === "coordinator") {
    if (!input.campaignId || !input.unitCode) throw new AccountError("a coordinator sees one unit of one campaign: give --campaign ID and --unit CODE");
    const campaign = await db.campaigns.get(input.campaignId);
    if (!campaign) throw new AccountError(`no campaign "${input.campaignId}"; "khaosat campaign list" shows the campaigns`);
    const units = await db.respondents.units(campaign.id);
    if (!units.some((u) => u.code === input.unitCode)) {
      throw new AccountError(`campaign "${campaign.id}" has no unit "${input.unitCode}"; its units: ${units.map((u) => u.code).join(", ") || "(none yet: import respondents first)"}`);
    }
    campaignId = campaign.id;
    unitCode = input.unitCode;
  } else if (input.campaignId || input.unitCode) {
    throw new AccountError(`--campaign and --unit are for coordinators only; an ${role} sees every campaign`);
  }
  const problem = passwordProblem(input.password);
  if (problem) throw new AccountError(problem);
  if (await db.web.userByEmail(email)) throw new AccountError(`an account for ${email} already exists; use "khaosat users reset-password --email ${email}" to change its password`);
  const user = await db.web.createUser({ email, role, campaignId, unitCode, passwordHash: await hashPassword(input.password), createdAt: now, passwordChangedAt: now });
  await db.audit.record({ at: now, kind: "web.user_added", campaignId, actor, data: { email, role, ...(unitCode ? { unit: unitCode } : {}) } });
  return publicUser(user);
}

/** Every account, by e-mail. */
export async function listUsers(db: Database): Promise<PublicUser[]> {
  return (await db.web.listUsers()).map(publicUser);
}

/** Disables an account and ends its sessions. */
export async function disableUser(db: Database, email: string, actor: string, now: Date): Promise<PublicUser> {
  const user = await db.web.disableUser(normaliseEmail(email), now);
  if (!user) throw new AccountError(`no account for ${email}; "khaosat users list" shows the accounts`);
  await db.audit.record({ at: now, kind: "web.user_disabled", campaignId: user.campaignId, actor, data: { email: user.email } });
  return publicUser(user);
}

/** Sets a new password and ends the account's sessions. */
export async function resetPassword(db: Database, email: string, password: string, actor: string, now: Date): Promise<PublicUser> {
  const problem = passwordProblem(password);
  if (problem) throw new AccountError(problem);
  const user = await db.web.setPassword(normaliseEmail(email), await hashPassword(password), now);
  if (!user) throw new AccountError(`no account for ${email}; "khaosat users list" shows the accounts`);
  await db.audit.record({ at: now, kind: "web.password_reset", campaignId: user.campaignId, actor, data: { email: user.email } });
  return publicUser(user);
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
/** The throttle key of an account (hashed, so that the table does not list e-mail addresses typed). */
export const accountKey = (email: string) => `account:${sha256(normaliseEmail(email))}`;
export const addressKey = (address: string) => `address:${address}`;

/** The outcome of a login attempt. */
export type LoginOutcome =
  | { readonly ok: true; readonly token: string; readonly user: PublicUser }
  | { readonly ok: false; readonly reason: "invalid" | "throttled" };

/**
 * Checks a login: refused without even checking the password while the account or the address
 * has too many recent failures; a wrong password, an unknown or disabled account all answer the
 * same "invalid" after the same scrypt work.
 */
export async function login(db: Database, input: { email: string; password: string; address: string }, now: Date): Promise<LoginOutcome> {
  const email = normaliseEmail(input.email).slice(0, 320);
  const keys = [accountKey(email), addressKey(input.address)];
  const failures = await db.web.loginFailures(keys, new Date(now.getTime() - LOGIN_WINDOW_MS));
  if ((failures.get(keys[0]!) ?? 0) >= MAX_FAILURES_PER_ACCOUNT || (failures.get(keys[1]!) ?? 0) >= MAX_FAILURES_PER_ADDRESS) {
    await db.audit.record({ at: now, kind: "web.login_throttled", actor: email, data: { address: input.address } });
    return { ok: false, reason: "throttled" };
  }
  const user = await db.web.userByEmail(email);
  const valid = await verifyPassword(input.password, user?.passwordHash ?? (await decoyHash()));
  if (!user || !valid || user.disabledAt !== null) {
    await db.web.recordLoginFailure(keys, now);
    await db.audit.record({ at: now, kind: "web.login_failed", actor: email, data: { address: input.address, ...(user?.disabledAt ? { disabled: true } : {}) } });
    return { ok: false, reason: "invalid" };
  }
  await db.web.clearLoginFailures(keys[0]!);
  const token = randomBytes(32).toString("base64url");
  await db.web.createSession({ tokenHash: sha256(token), userId: user.id, createdAt: now, expiresAt: new Date(now.getTime() + SESSION_ABSOLUTE_MS) });
  await db.audit.record({ at: now, kind: "web.login", campaignId: user.campaignId, actor: user.email, data: { address: input.address } });
  return { ok: true, token, user: publicUser(user) };
}

/** The signed-in user of a session token, or null (unknown, expired, idle too long, account disabled). */
export async function sessionUser(db: Database, token: string, now: Date): Promise<PublicUser | null> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
  const hash = sha256(token);
  const session = await db.web.session(hash);
  if (!session) return null;
  if (session.expiresAt.getTime() <= now.getTime() || now.getTime() - session.lastSeenAt.getTime() > SESSION_IDLE_MS || session.user.disabledAt !== null) {
    await db.web.deleteSession(hash);
    return null;
  }
  // One write a minute at most per session, not one per request.
  if (now.getTime() - session.lastSeenAt.getTime() > 60_000) await db.web.touchSession(hash, now);
  return publicUser(session.user);
}

/** Ends a session. */
export async function logout(db: Database, token: string, user: PublicUser, now: Date): Promise<void> {
  await db.web.deleteSession(sha256(token));
  await db.audit.record({ at: now, kind: "web.logout", campaignId: user.campaignId, actor: user.email });
}
