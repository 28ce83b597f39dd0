// Prisma implementations of the channels' storage ports: the Telegram channel's session store and
// directories, and the console demo's survey session store. Every engine step is applied in the
// transaction that stores the state: Response rows (started, attested, submitted), one Answer row
// per response and question, and, for Telegram, the processed update id, whose primary key makes a
// redelivered update write nothing.
import { createHash, randomUUID } from "node:crypto";
import type { BotCampaign, BotSession, BotSessionStore, CampaignDirectory, CommitResult, LivePrompt, RespondentDirectory, SessionWrite } from "../channels/telegram/ports.js";
import type { Respondent, SurveySessionStore } from "../demo/ports.js";
import type { StepResult, SurveyState, UnitResponse } from "../engine/index.js";
import { parseQuestionnaire, type Questionnaire } from "../questionnaire/index.js";
import type { AccessRepository } from "../access/index.js";
import { accessRepository } from "./access-repository.js";
import { flagSubmittedResponse } from "../flags/index.js";
import type SqliteConnection from "better-sqlite3";
import { providerOf, sqliteConnectionOf, type Prisma } from "./client.js";
import { groupCommitOf, IN_FOREIGN_TRANSACTION } from "./group-commit.js";
import { submitFlagsRepository } from "./flags-repository.js";
import { parseJsonObject } from "./json.js";
import { SubmittedResponseError, responseIdOf } from "./session-ids.js";
import type { PrismaTx } from "./outbox-repository.js";
import type { ChatLocks } from "./chat-locks.js";

export { SubmittedResponseError, responseIdOf } from "./session-ids.js";

/** Who a session's responses belong to. */
interface ResponseOwner {
  readonly sessionId: string;
  readonly campaignId: string;
  readonly respondentId: string | null;
  readonly accessCodeId: string | null;
  readonly account: string | null;
  /** The channel that collected it: telegram | zalo | console (older rows say "bot", meaning telegram). */
  readonly source: string;
  readonly identityConfirmedAt: Date | null;
}

const date = (iso: string | undefined): Date | null => (iso === undefined ? null : new Date(iso));

/** The ids of the responses a step submitted (to flag them once the step is committed). */
function submittedBy(sessionId: string, step: StepResult | undefined): string[] {
  return (step?.events ?? []).flatMap((e) => (e.type === "unit_submitted" ? [responseIdOf(sessionId, e.unit)] : []));
}

/** Which rows a step touches: responses (by unit), answers (by unit and question), responses rewritten in full. */
interface StepPlan {
  readonly touched: ReadonlySet<string>;
  readonly questions: ReadonlyMap<string, ReadonlySet<string>>;
  readonly full: ReadonlySet<string>;
  /** A unit started, or the attestation was answered: rows may have to be created. */
  readonly creates: boolean;
  readonly declined: boolean;
}

function planStep(step: StepResult): StepPlan {
  const state = step.state;
  const touched = new Set<string>();
  const questions = new Map<string, Set<string>>();
  const full = new Set<string>();
  let attestation = false;
  let creates = false;
  const touchQuestion = (unit: string, questionId: string) => {
    touched.add(unit);
    let set = questions.get(unit);
    if (!set) questions.set(unit, (set = new Set()));
    set.add(questionId);
  };
  for (const event of step.events) {
    switch (event.type) {
      case "unit_started":
        touched.add(event.unit);
        creates = true;
        break;
      case "answer_recorded":
        if (event.changed) touchQuestion(event.unit, event.questionId);
        break;
      case "answer_discarded":
        touchQuestion(event.unit, event.questionId);
        break;
      case "unit_submitted":
        // The submitted response is made to match the engine's exactly, whatever came before.
        touched.add(event.unit);
        full.add(event.unit);
        break;
      case "attestation_accepted":
      case "attestation_declined":
        attestation = true;
        break;
      case "language_changed": {
        const current = state.responses[state.unitIndex];
        if (current && current.submittedAt === undefined) touched.add(current.unit);
        break;
      }
      default:
        break;
    }
  }
  const declined = state.attestation?.status === "declined";
  if (attestation) {
    for (const r of state.responses) touched.add(r.unit);
    // A declined attestation before any unit started is still a response of the first unit (participation counts it).
    if (declined && state.responses.length === 0 && state.units[0] !== undefined) touched.add(state.units[0]);
  }
  return { touched, questions, full, creates: creates || attestation, declined };
}

/** The Response columns of one unit, from the engine's state. */
function responseFields(owner: ResponseOwner, state: SurveyState, unit: string, declined: boolean) {
  const response = state.responses.find((r) => r.unit === unit);
  const submitted = response?.submittedAt !== undefined;
  return {
    status: submitted ? "submitted" : declined ? "declined" : "in_progress",
    language: state.language,
    startedAt: new Date(response?.startedAt ?? state.startedAt),
    submittedAt: date(response?.submittedAt),
    attestedAt: state.attestation?.status === "accepted" ? date(state.attestation.at) : null,
    declinedAt: declined ? date(state.attestation?.at) : null,
    // Anonymous responses keep no link to the account that gave them once submitted.
    account: submitted && owner.respondentId === null ? null : owner.account,
  };
}

/** The response a session points at after a step: the one being answered, else the first touched. */
function currentResponse(owner: ResponseOwner, state: SurveyState, touched: ReadonlySet<string>): string | null {
  const current = state.responses[state.unitIndex] ?? state.responses.at(-1);
  if (current) return responseIdOf(owner.sessionId, current.unit);
  return touched.size > 0 ? responseIdOf(owner.sessionId, [...touched][0]!) : null;
}

/**
 * Applies one engine step to the Response and Answer rows. Which rows to touch comes from the events;
 * their values come from the new state (the engine's own record), so rows always match the state.
 * Returns the id of the response being answered, if it exists.
 */
async function applyStep(tx: PrismaTx, owner: ResponseOwner, step: StepResult): Promise<string | null> {
  const state = step.state;
  const { touched, questions, full, declined } = planStep(step);
  let context: { questionnaireVersionPk: number; groupId: string } | undefined;
  const creationContext = async () => {
    if (context) return context;
    const campaign = await tx.campaign.findUniqueOrThrow({ where: { id: owner.campaignId }, select: { questionnaireVersionPk: true } });
    const respondent = owner.respondentId === null ? null : await tx.respondent.findUnique({ where: { id: owner.respondentId }, select: { groupId: true } });
    // Anonymous codes carry no group yet (issue 7 gives batches one); scoring refuses an empty group.
    return (context = { questionnaireVersionPk: campaign.questionnaireVersionPk, groupId: respondent?.groupId ?? "" });
  };

  for (const unit of touched) {
    const response: UnitResponse | undefined = state.responses.find((r) => r.unit === unit);
    const id = responseIdOf(owner.sessionId, unit);
    const fields = responseFields(owner, state, unit, declined);
    // One statement in the common case: the row exists and is not submitted. Only when it changed
    // nothing is the row read, to tell a new response (created) from a submitted one (refused).
    const { count } = await tx.response.updateMany({ where: { id, status: { not: "submitted" } }, data: fields });
    if (count === 0) {
      const existing = await tx.response.findUnique({ where: { id }, select: { status: true } });
      if (existing) throw new SubmittedResponseError(id);
      const { questionnaireVersionPk, groupId } = await creationContext();
      await tx.response.create({
        data: {
          id,
          campaignId: owner.campaignId,
          questionnaireVersionPk,
          respondentId: owner.respondentId,
          accessCodeId: owner.accessCodeId,
          source: owner.source,
          subjectUnit: unit,
          groupId,
          identityConfirmedAt: owner.identityConfirmedAt,
          ...fields,
        },
      });
    }
    if (!response) continue;
    const ids = full.has(unit) ? new Set([...Object.keys(response.answers), ...(questions.get(unit) ?? [])]) : (questions.get(unit) ?? new Set<string>());
    if (full.has(unit)) await tx.answer.deleteMany({ where: { responseId: id, questionId: { notIn: Object.keys(response.answers) } } });
    for (const questionId of ids) {
      const answer = response.answers[questionId];
      if (answer === undefined) {
        await tx.answer.deleteMany({ where: { responseId: id, questionId } });
        continue;
      }
      const data = { value: JSON.stringify(answer.value), answeredAt: new Date(answer.answeredAt), changedCount: answer.changeCount, seconds: answer.seconds ?? null };
      await tx.answer.upsert({ where: { responseId_questionId: { responseId: id, questionId } }, create: { responseId: id, questionId, ...data }, update: data });
    }
  }
  return currentResponse(owner, state, touched);
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && "code" in error && error.code === "P2002";
}

const TELEGRAM = "telegram";

/**
 * The ProcessedUpdate key of an update: Telegram's numeric update id as is; a channel whose updates
 * carry a string key (Zalo: event name + message id) stores the first 63 bits of its SHA-256.
 */
export function updateKeyOf(updateId: number | string): bigint {
  if (typeof updateId === "number") return BigInt(updateId);
  // An update's key is asked for at its start and again at its commit: the hash is kept for the recent ones.
  let key = recentKeys.get(updateId);
  if (key === undefined) {
    key = BigInt.asIntN(64, createHash("sha256").update(updateId).digest().readBigUInt64BE(0) & 0x7fffffffffffffffn);
    if (recentKeys.size >= RECENT_KEYS) recentKeys.delete(recentKeys.keys().next().value!);
    recentKeys.set(updateId, key);
  }
  return key;
}
/** The keys of the most recent string update ids (a few hundred updates are in progress at most). */
const recentKeys = new Map<string, bigint>();
const RECENT_KEYS = 1024;
/** Thrown inside a commit's transaction to roll it back when its update was already processed. */
const DUPLICATE = Symbol("duplicate update");

/**
 * A Session row as a BotSession. Its SessionPrompt row, when there is one, holds the prompt (a null
 * prompt: none); without one (sessions stored before that table) the prompt inside the state stands.
 */
function toBotSession(row: SessionRow): BotSession {
  const session = { ...(parseJsonObject(row.state) as unknown as Mutable<BotSession>), id: row.id };
  if (row.promptRow != null) {
    const prompt = row.prompt == null ? undefined : (parseJsonObject(row.prompt) as unknown as LivePrompt);
    if (prompt && typeof prompt.messageId === "number") session.prompt = prompt;
    else delete session.prompt;
  }
  return session;
}
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A session as the queries below read it: its state and its SessionPrompt row (`promptRow` null when there is none). */
interface SessionRow {
  readonly id: string;
  readonly state: string;
  readonly promptRow?: unknown;
  readonly prompt?: string | null;
}

/** A session read through Prisma (PostgreSQL), with its prompt row, as a SessionRow. */
function rowOf(row: { id: string; state: string; livePrompt: { sessionId: string; prompt: string | null } | null }): SessionRow {
  return { id: row.id, state: row.state, promptRow: row.livePrompt?.sessionId ?? null, prompt: row.livePrompt?.prompt ?? null };
}

/** The columns and join every SQLite read of sessions uses (`s`: the Session). */
const SESSION_COLUMNS = `s."id", s."state", p."sessionId" AS "promptRow", p."prompt"`;
const PROMPT_JOIN = `LEFT JOIN "SessionPrompt" p ON p."sessionId" = s."id"`;

/** `begin` on SQLite: the processed flag and the latest session of an account in one statement. */
const BEGIN_SQLITE = `SELECT CASE WHEN EXISTS (SELECT 1 FROM "ProcessedUpdate" WHERE "channel" = ? AND "updateId" = ?) THEN 1 ELSE 0 END AS "processed", ${SESSION_COLUMNS}
  FROM (SELECT 1 AS "one") AS o
  LEFT JOIN (SELECT "id", "state" FROM "Session" WHERE "channel" = ? AND "account" = ? ORDER BY "updatedAt" DESC, "createdAt" DESC LIMIT 1) AS s ON 1 = 1
  ${PROMPT_JOIN}`;

/** `setPrompt` on SQLite: the session's SessionPrompt row written, if the session is still there. */
const SET_PROMPT_SQLITE = `INSERT INTO "SessionPrompt" ("sessionId", "prompt") SELECT ?, ? WHERE EXISTS (SELECT 1 FROM "Session" WHERE "id" = ?)
  ON CONFLICT ("sessionId") DO UPDATE SET "prompt" = excluded."prompt"`;

/** Given up inside the synchronous transaction: rolled back, and the commit takes the general path. */
const GENERAL_PATH = Symbol("general path");

/** A DateTime as Prisma's SQLite adapter stores it. */
const sqliteDate = (value: Date | null): string | null => (value === null ? null : value.toISOString().replace("Z", "+00:00"));

/** Whose response a session's step writes: the session, its respondent and code, the channel. */
function ownerOf(session: BotSession, channel: string): ResponseOwner {
  return {
    sessionId: session.id,
    campaignId: session.campaignId,
    respondentId: session.respondentId,
    accessCodeId: session.codeId,
    account: session.account,
    source: channel,
    identityConfirmedAt: date(session.identityConfirmedAt),
  };
}

/**
 * The common commit on SQLite (an answer, a refusal, a move in an existing session) as synchronous
 * statements on the client's own connection, run by the connection's group commit (group-commit.ts):
 * inside a transaction with the commits of other chats that arrived in the same turn of the event
 * loop, in a savepoint of its own, acknowledged once that transaction has committed. Nothing else
 * runs on the event loop between BEGIN and COMMIT. Through Prisma, each statement of an interactive
 * transaction waits a turn of the event loop while the connection stays locked, so under load
 * commits queued behind one another for tens of milliseconds each. It also creates the session and
 * response rows and rewrites a submitted response's answers (the steps of identity, attestation and
 * submit went through Prisma's pipeline, a statement at a time, and cost more than all of a
 * respondent's answers together). A first decline of identity (audited) never comes here; a refusal
 * (a submitted response) throws GENERAL_PATH, which rolls this commit back to its savepoint, and the
 * Prisma transaction below handles it with the same rules.
 */
function commitSync(db: SqliteConnection.Database, channel: string, updateId: number | string, session: BotSession, step: StepResult | undefined): CommitResult {
  const plan = step ? planStep(step) : undefined;
  const owner = ownerOf(session, channel);
  const now = sqliteDate(new Date());
  let context: { questionnaireVersionPk: number; groupId: string } | undefined;
  const creationContext = () => {
    if (context) return context;
    const campaign = db.prepare(`SELECT "questionnaireVersionPk" FROM "Campaign" WHERE "id" = ?`).get(session.campaignId) as { questionnaireVersionPk: number } | undefined;
    if (!campaign) throw new Error(`bug: a session of campaign ${session.campaignId}, which does not exist`);
    const respondent = owner.respondentId === null ? undefined : (db.prepare(`SELECT "groupId" FROM "Respondent" WHERE "id" = ?`).get(owner.respondentId) as { groupId: string } | undefined);
    // Anonymous codes carry no group yet; scoring refuses an empty group (as applyStep).
    return (context = { questionnaireVersionPk: campaign.questionnaireVersionPk, groupId: respondent?.groupId ?? "" });
  };
  const upsertAnswer = db.prepare(
    `INSERT INTO "Answer" ("responseId", "questionId", "value", "answeredAt", "changedCount", "seconds") VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT ("responseId", "questionId") DO UPDATE SET "value" = excluded."value", "answeredAt" = excluded."answeredAt", "changedCount" = excluded."changedCount", "seconds" = excluded."seconds"`,
  );
  {
    try {
      db.prepare(`INSERT INTO "ProcessedUpdate" ("channel", "updateId", "processedAt") VALUES (?, ?, ?)`).run(channel, updateKeyOf(updateId), now);
    } catch (error) {
      if ((error as { code?: unknown }).code === "SQLITE_CONSTRAINT_PRIMARYKEY") return "duplicate";
      throw error;
    }
    let responseId: string | null = null;
    if (step && plan) {
      for (const unit of plan.touched) {
        const id = responseIdOf(session.id, unit);
        const f = responseFields(owner, step.state, unit, plan.declined);
        const updated = db
          .prepare(
            `UPDATE "Response" SET "status" = ?, "language" = ?, "startedAt" = ?, "submittedAt" = ?, "attestedAt" = ?, "declinedAt" = ?, "account" = ?, "updatedAt" = ? WHERE "id" = ? AND "status" <> 'submitted'`,
          )
          .run(f.status, f.language, sqliteDate(f.startedAt), sqliteDate(f.submittedAt), sqliteDate(f.attestedAt), sqliteDate(f.declinedAt), f.account, now, id);
        if (updated.changes === 0) {
          // A submitted response is refused by the general path (SubmittedResponseError); a missing one is created.
          if (db.prepare(`SELECT 1 FROM "Response" WHERE "id" = ?`).get(id) !== undefined) throw GENERAL_PATH;
          const { questionnaireVersionPk, groupId } = creationContext();
          db.prepare(
            `INSERT INTO "Response" ("id", "campaignId", "questionnaireVersionPk", "respondentId", "accessCodeId", "source", "subjectUnit", "groupId", "identityConfirmedAt",
               "status", "language", "startedAt", "submittedAt", "attestedAt", "declinedAt", "account", "createdAt", "updatedAt") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          ).run(
            id,
            owner.campaignId,
            questionnaireVersionPk,
            owner.respondentId,
            owner.accessCodeId,
            owner.source,
            unit,
            groupId,
            sqliteDate(owner.identityConfirmedAt),
            f.status,
            f.language,
            sqliteDate(f.startedAt),
            sqliteDate(f.submittedAt),
            sqliteDate(f.attestedAt),
            sqliteDate(f.declinedAt),
            f.account,
            now,
            now,
          );
        }
        const response = step.state.responses.find((r) => r.unit === unit);
        if (!response) continue;
        // A submitted response is made to match the engine's exactly, whatever came before.
        const full = plan.full.has(unit);
        if (full) db.prepare(`DELETE FROM "Answer" WHERE "responseId" = ? AND "questionId" NOT IN (SELECT "value" FROM json_each(?))`).run(id, JSON.stringify(Object.keys(response.answers)));
        const ids = full ? new Set([...Object.keys(response.answers), ...(plan.questions.get(unit) ?? [])]) : (plan.questions.get(unit) ?? []);
        for (const questionId of ids) {
          const answer = response.answers[questionId];
          if (answer === undefined) {
            db.prepare(`DELETE FROM "Answer" WHERE "responseId" = ? AND "questionId" = ?`).run(id, questionId);
            continue;
          }
          upsertAnswer.run(id, questionId, JSON.stringify(answer.value), sqliteDate(new Date(answer.answeredAt)), answer.changeCount, answer.seconds ?? null);
        }
      }
      responseId = currentResponse(owner, step.state, plan.touched);
    }
    const stored = db
      .prepare(`UPDATE "Session" SET "state" = ?, "language" = ?, "chatId" = ?, "responseId" = COALESCE(?, "responseId"), "updatedAt" = ? WHERE "id" = ? AND "channel" = ?`)
      .run(JSON.stringify(session), session.language, String(session.chatId), responseId, now, session.id, channel);
    if (stored.changes === 0) {
      db.prepare(
        `INSERT INTO "Session" ("id", "campaignId", "channel", "account", "chatId", "respondentId", "accessCodeId", "responseId", "language", "state", "createdAt", "updatedAt") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(session.id, session.campaignId, channel, session.account, String(session.chatId), session.respondentId, session.codeId, responseId, session.language, JSON.stringify(session), now, now);
    }
    return "stored";
  }
}

/** What the session store does right after a step that submitted responses is committed. */
export interface SubmitHooks {
  /**
   * Flags the just-submitted response (speeder, straight-liner, delegation) on its row. Runs after
   * the commit: the answers are safe whatever happens here, and `khaosat flags` recomputes any
   * flag that could not be stored.
   */
  flag(campaignId: string, responseId: string): Promise<unknown>;
  /** Told when flagging fails (the respondent still gets their confirmation). */
  onError?(error: unknown, responseId: string): void;
}

/** Flags submitted responses with the flags module, the questionnaire taken from the campaign directory. */
export function flagOnSubmit(prisma: Prisma, campaigns: CampaignDirectory): SubmitHooks {
  const repository = submitFlagsRepository(prisma);
  return {
    async flag(campaignId, responseId) {
      const campaign = await campaigns.find(campaignId);
      if (!campaign) throw new Error(`bug: flagging a response of campaign ${campaignId}, which does not exist`);
      return flagSubmittedResponse(repository, campaign.questionnaire, campaignId, responseId);
    },
  };
}

async function runSubmitHooks(hooks: SubmitHooks | undefined, campaignId: string, responseIds: readonly string[]): Promise<void> {
  if (!hooks) return;
  for (const responseId of responseIds) {
    try {
      await hooks.flag(campaignId, responseId);
    } catch (error) {
      hooks.onError?.(error, responseId);
    }
  }
}

/** Options of `botSessionStore`. */
export interface BotSessionStoreOptions {
  /** Run after a commit that submitted responses (flags); none by default. */
  readonly onSubmit?: SubmitHooks;
  /** The channel whose sessions these are (Session.channel, ProcessedUpdate.channel, Response.source); default telegram. */
  readonly channel?: string;
  /**
   * Per-account locks shared by every instance (PostgreSQL): `begin` takes the account's lock before
   * it reads; `end`, `markProcessed` or the commit release it — for a channel that calls `end`, the
   * commit only once the `setPrompt` of its session follows (or 2 s passed). Absent (SQLite, one process): none.
   */
  readonly locks?: ChatLocks;
  /** With `locks`: how long a committed update keeps its lock at most when neither `setPrompt` nor `end` follows (default 2 s). */
  readonly holdAfterCommitMs?: number;
}

/**
 * A messaging channel's sessions (Telegram's by default) stored through Prisma. An answer costs three round trips: `begin`
 * (processed flag and latest session in one read), `commit` (one transaction: the processed update
 * id, the Response row, the changed Answer rows, the Session row) and `setPrompt` (one statement on a small row of its own).
 */
export function botSessionStore(prisma: Prisma, options: BotSessionStoreOptions = {}): BotSessionStore {
  const postgres = providerOf(prisma) === "postgres";
  const channel = options.channel ?? TELEGRAM;
  const { locks } = options;
  // The releases of the locks taken by `begin`, by update (a list: one update may be begun twice at once).
  const held = new Map<string, Array<() => Promise<void>>>();
  const heldKey = (updateId: number | string) => `${typeof updateId}:${updateId}`;
  const take = (updateId: number | string) => {
    const key = heldKey(updateId);
    const list = held.get(key);
    const next = list?.pop();
    if (list?.length === 0) held.delete(key);
    return next;
  };
  // Locks kept after a commit until the update's prompt is recorded (`setPrompt`) or the update
  // ends: the account's next update must see the new prompt, or its button would look stale.
  const afterCommit = new Map<string, { sessionId: string; release: () => Promise<void>; timer: ReturnType<typeof setTimeout> }>();
  const releaseAfterCommit = async (key: string | undefined) => {
    const entry = key === undefined ? undefined : afterCommit.get(key);
    if (!entry) return;
    afterCommit.delete(key!);
    clearTimeout(entry.timer);
    await entry.release();
  };
  const release = async (updateId: number | string) => {
    await releaseAfterCommit(heldKey(updateId));
    await take(updateId)?.();
  };
  // Set once the channel calls `end`: only a channel known to end its updates keeps the lock after a
  // commit (one that never calls `end` would otherwise make each next update wait for the timer).
  let endsUpdates = false;
  const keepUntilPrompt = (updateId: number | string, sessionId: string) => {
    const unlock = take(updateId);
    if (!unlock) return;
    const key = heldKey(updateId);
    // A channel that neither records a prompt nor calls `end` lets the next update in after this.
    const timer = setTimeout(() => void releaseAfterCommit(key), options.holdAfterCommitMs ?? 2_000);
    timer.unref?.();
    afterCommit.set(key, { sessionId, release: unlock, timer });
  };
  const store: BotSessionStore & {
    beginRead(updateId: number | string, account: string | undefined): Promise<{ processed: boolean; latest: BotSession | undefined }>;
    commitUnlocked(updateId: number | string, write: SessionWrite): Promise<CommitResult>;
    markProcessedUnlocked(updateId: number | string): Promise<void>;
    setPromptUnlocked(sessionId: string, prompt: LivePrompt | undefined): Promise<void>;
  } = {
    async isProcessed(updateId) {
      return (await prisma.processedUpdate.count({ where: { channel: channel, updateId: updateKeyOf(updateId) } })) > 0;
    },

    async begin(updateId, account) {
      if (locks && account !== undefined) {
        // Before the read: an update of this account being handled elsewhere commits first, and this one reads what it stored.
        const unlock = await locks.acquire(`${channel}:${account}`);
        const key = heldKey(updateId);
        (held.get(key) ?? held.set(key, []).get(key)!).push(unlock);
        try {
          const start = await this.beginRead(updateId, account);
          // A redelivery is handled by doing nothing: nothing will commit it.
          if (start.processed) await release(updateId);
          return start;
        } catch (error) {
          await release(updateId);
          throw error;
        }
      }
      return this.beginRead(updateId, account);
    },

    async end(updateId) {
      endsUpdates = true;
      await release(updateId);
    },

    async beginRead(updateId: number | string, account: string | undefined): Promise<{ processed: boolean; latest: BotSession | undefined }> {
      // On SQLite, straight on the connection (a read, under a millisecond) rather than through
      // Prisma's pipeline, which costs several times the query itself.
      const db = sqliteConnectionOf(prisma);
      if (db) {
        const row = db.prepare(BEGIN_SQLITE).get(channel, updateKeyOf(updateId), channel, account ?? null) as ({ processed: unknown } & Partial<SessionRow>) | undefined;
        return { processed: Number(row?.processed ?? 0) === 1, latest: row?.id != null && row.state != null ? toBotSession(row as SessionRow) : undefined };
      }
      // One statement for both lookups; the sub-select uses the (channel, account) index.
      const rows = await prisma.$queryRaw<({ processed: unknown } & Partial<SessionRow>)[]>`
        SELECT CASE WHEN EXISTS (SELECT 1 FROM "ProcessedUpdate" WHERE "channel" = ${channel} AND "updateId" = ${updateKeyOf(updateId)}) THEN 1 ELSE 0 END AS "processed",
          s."id", s."state", p."sessionId" AS "promptRow", p."prompt"
        FROM (SELECT 1 AS "one") AS o
        LEFT JOIN (SELECT "id", "state" FROM "Session" WHERE "channel" = ${channel} AND "account" = ${account ?? null} ORDER BY "updatedAt" DESC, "createdAt" DESC LIMIT 1) AS s ON 1 = 1
        LEFT JOIN "SessionPrompt" p ON p."sessionId" = s."id"`;
      const row = rows[0];
      return {
        processed: Number(row?.processed ?? 0) === 1,
        latest: row?.id != null && row.state != null ? toBotSession(row as SessionRow) : undefined,
      };
    },

    async findLatest(account) {
      // On SQLite straight on the connection, as `beginRead` (same ordering).
      const db = sqliteConnectionOf(prisma);
      if (db) {
        const row = db.prepare(`SELECT ${SESSION_COLUMNS} FROM "Session" s ${PROMPT_JOIN} WHERE s."channel" = ? AND s."account" = ? ORDER BY s."updatedAt" DESC, s."createdAt" DESC LIMIT 1`).get(channel, account) as
          | SessionRow
          | undefined;
        return row ? toBotSession(row) : undefined;
      }
      const row = await prisma.session.findFirst({ where: { channel: channel, account }, orderBy: [{ updatedAt: "desc" }, { createdAt: "desc" }], include: { livePrompt: true } });
      return row ? toBotSession(rowOf(row)) : undefined;
    },

    async findInCampaign(account, campaignId) {
      const db = sqliteConnectionOf(prisma);
      if (db) {
        const row = db
          .prepare(`SELECT ${SESSION_COLUMNS} FROM "Session" s ${PROMPT_JOIN} WHERE s."channel" = ? AND s."account" = ? AND s."campaignId" = ? ORDER BY s."updatedAt" DESC, s."createdAt" DESC LIMIT 1`)
          .get(channel, account, campaignId) as SessionRow | undefined;
        return row ? toBotSession(row) : undefined;
      }
      const row = await prisma.session.findFirst({ where: { channel: channel, account, campaignId }, orderBy: [{ updatedAt: "desc" }, { createdAt: "desc" }], include: { livePrompt: true } });
      return row ? toBotSession(rowOf(row)) : undefined;
    },

    async findFor(account, campaignId, respondentId, codeId) {
      const db = sqliteConnectionOf(prisma);
      if (db) {
        const row = (
          respondentId !== null
            ? db
                .prepare(`SELECT ${SESSION_COLUMNS} FROM "Session" s ${PROMPT_JOIN} WHERE s."channel" = ? AND s."account" = ? AND s."campaignId" = ? AND s."respondentId" = ? ORDER BY s."updatedAt" DESC LIMIT 1`)
                .get(channel, account, campaignId, respondentId)
            : db
                .prepare(
                  `SELECT ${SESSION_COLUMNS} FROM "Session" s ${PROMPT_JOIN} WHERE s."channel" = ? AND s."account" = ? AND s."campaignId" = ? AND s."respondentId" IS NULL AND s."accessCodeId" IS ? ORDER BY s."updatedAt" DESC LIMIT 1`,
                )
                .get(channel, account, campaignId, codeId)
        ) as SessionRow | undefined;
        return row ? toBotSession(row) : undefined;
      }
      const row = await prisma.session.findFirst({
        where: { channel: channel, account, campaignId, ...(respondentId !== null ? { respondentId } : { respondentId: null, accessCodeId: codeId }) },
        orderBy: { updatedAt: "desc" },
        include: { livePrompt: true },
      });
      return row ? toBotSession(rowOf(row)) : undefined;
    },

    async commit(updateId, write: SessionWrite): Promise<CommitResult> {
      let result: CommitResult | undefined;
      try {
        result = await this.commitUnlocked(updateId, write);
        return result;
      } finally {
        // Stored: held until the prompt it sends is recorded (or the update ends). Failed or a duplicate: released now.
        if (result === "stored" && endsUpdates) keepUntilPrompt(updateId, write.session.id);
        else await release(updateId);
      }
    },

    async commitUnlocked(updateId: number | string, write: SessionWrite): Promise<CommitResult> {
      const { session, step } = write;
      const db = sqliteConnectionOf(prisma);
      if (db) {
        // A first decline of identity is audited, which only the general path does.
        if (session.identityDeclinedAt === undefined) {
          // Another process (an import) holding the write lock is waited for by the group, off the event loop.
          const result = await groupCommitOf(db)
            .run(() => commitSync(db, channel, updateId, session, step))
            .catch((error: unknown) => {
              if (error === GENERAL_PATH) return GENERAL_PATH;
              throw error;
            });
          if (result === "stored") await runSubmitHooks(options.onSubmit, session.campaignId, submittedBy(session.id, step));
          if (result === "stored" || result === "duplicate") return result;
        }
      }
      try {
        await prisma.$transaction(
          async (tx) => {
            // First, so a concurrent commit of the same update waits on this key and then fails it.
            try {
              await tx.processedUpdate.create({ data: { channel: channel, updateId: updateKeyOf(updateId), processedAt: new Date() } });
            } catch (error) {
              if (isUniqueViolation(error)) throw DUPLICATE;
              throw error;
            }
            // The previous state matters only for the first decline of identity (audited once).
            const auditDecline =
              session.identityDeclinedAt !== undefined &&
              !(await tx.session
                .findUnique({ where: { id: session.id }, select: { state: true } })
                .then((row) => row !== null && (parseJsonObject(row.state) as { identityDeclinedAt?: string }).identityDeclinedAt !== undefined));
            const owner = ownerOf(session, channel);
            const responseId = step ? await applyStep(tx, owner, step) : null;
            // Without a response of this step, the session keeps the one it has.
            // "Not me": the session no longer stands for the respondent (no audience, no delegation
            // rule, found again by nobody) and the code is released for its rightful owner.
            const identityDeclined = session.identityDeclinedAt !== undefined && session.stage === "declined";
            const columns = {
              state: JSON.stringify(session),
              language: session.language,
              chatId: String(session.chatId),
              ...(responseId !== null ? { responseId } : {}),
              ...(identityDeclined ? { respondentId: null, accessCodeId: null } : {}),
            };
            await tx.session.upsert({
              where: { id: session.id },
              create: {
                id: session.id,
                campaignId: session.campaignId,
                channel: channel,
                account: session.account,
                respondentId: session.respondentId,
                accessCodeId: session.codeId,
                responseId,
                ...columns,
              },
              update: columns,
            });
            if (auditDecline && session.codeId !== null) {
              await tx.accessCode.updateMany({
                where: { id: session.codeId, status: "active", boundAccount: { not: null } },
                data: { boundAccount: null, boundAt: null },
              });
            }
            if (auditDecline) {
              await tx.auditEvent.create({
                data: {
                  at: new Date(session.identityDeclinedAt!),
                  kind: "session.identity_declined",
                  campaignId: session.campaignId,
                  actor: session.account,
                  data: JSON.stringify({ sessionId: session.id, respondentId: session.respondentId }),
                },
              });
            }
          },
          { maxWait: 30_000, timeout: 30_000 },
        );
      } catch (error) {
        // On PostgreSQL the loser of a race may see the violation at commit instead of at the insert.
        if (error === DUPLICATE || isUniqueViolation(error)) {
          if (error === DUPLICATE || (await this.isProcessed(updateId))) return "duplicate";
        }
        throw error;
      }
      await runSubmitHooks(options.onSubmit, session.campaignId, submittedBy(session.id, step));
      return "stored";
    },

    async markProcessed(updateId) {
      try {
        await this.markProcessedUnlocked(updateId);
      } finally {
        await release(updateId);
      }
    },

    async markProcessedUnlocked(updateId: number | string): Promise<void> {
      const db = sqliteConnectionOf(prisma);
      if (db) {
        const key = updateKeyOf(updateId);
        const at = sqliteDate(new Date());
        // In the connection's group commit, acknowledged once stored.
        const done = await groupCommitOf(db).run(() => void db.prepare(`INSERT INTO "ProcessedUpdate" ("channel", "updateId", "processedAt") VALUES (?, ?, ?) ON CONFLICT DO NOTHING`).run(channel, key, at));
        if (done !== IN_FOREIGN_TRANSACTION) return;
      }
      try {
        await prisma.processedUpdate.create({ data: { channel: channel, updateId: updateKeyOf(updateId), processedAt: new Date() } });
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
      }
    },

    async setPrompt(sessionId, prompt: LivePrompt | undefined) {
      try {
        await this.setPromptUnlocked(sessionId, prompt);
      } finally {
        for (const [key, entry] of afterCommit) if (entry.sessionId === sessionId) await releaseAfterCommit(key);
      }
    },

    async setPromptUnlocked(sessionId: string, prompt: LivePrompt | undefined): Promise<void> {
      // One small row of its own (SessionPrompt), so nothing committed meanwhile is overwritten, no
      // read is needed, and the session's state (kilobytes: every answer) is not written again: as
      // json_set in the state, this write cost as much as the answer's whole commit. A session
      // deleted meanwhile (a citizen's, forgotten once submitted) gets no row.
      const json = prompt === undefined ? null : JSON.stringify(prompt);
      const db = postgres ? undefined : sqliteConnectionOf(prisma);
      // In the connection's group commit (never inside a Prisma transaction open on the connection: it would join it).
      const done = db && (await groupCommitOf(db).run(() => void db.prepare(SET_PROMPT_SQLITE).run(sessionId, json, sessionId)));
      if (db && done !== IN_FOREIGN_TRANSACTION) return;
      await prisma.$executeRaw`INSERT INTO "SessionPrompt" ("sessionId", "prompt") SELECT CAST(${sessionId} AS TEXT), CAST(${json} AS TEXT) WHERE EXISTS (SELECT 1 FROM "Session" WHERE "id" = ${sessionId})
        ON CONFLICT ("sessionId") DO UPDATE SET "prompt" = excluded."prompt"`;
    },

    newId() {
      return randomUUID();
    },
  };
  return store;
}

/** A DateTime column read straight from SQLite (Prisma's adapter stores ISO text; integers are milliseconds). */
export const sqliteDateOf = (value: unknown): Date | null => (value === null || value === undefined ? null : new Date(value as string | number));

/**
 * Campaigns with their questionnaire parsed from the stored version (cached by version: versions are
 * frozen, so only the campaign's own row is read each time). On SQLite that row is read straight on
 * the connection (a few microseconds, against a tenth of a millisecond through Prisma with the
 * version's source text): the submit hook (flags) reads the campaign of every submission.
 */
export function campaignDirectory(prisma: Prisma): CampaignDirectory {
  const questionnaires = new Map<number, Questionnaire>();
  const questionnaireOf = async (campaignId: string, pk: number): Promise<Questionnaire> => {
    const cached = questionnaires.get(pk);
    if (cached) return cached;
    const version = await prisma.questionnaireVersion.findUniqueOrThrow({ where: { pk } });
    const parsed = parseQuestionnaire(version.source, version.fileName);
    if (!parsed.ok) throw new Error(`the stored questionnaire of campaign ${campaignId} (${version.fileName}) no longer loads: ${parsed.issues[0]?.message ?? "unknown problem"}`);
    questionnaires.set(pk, parsed.questionnaire);
    return parsed.questionnaire;
  };
  return {
    async find(campaignId): Promise<BotCampaign | undefined> {
      const db = sqliteConnectionOf(prisma);
      const row = db
        ? (db.prepare(`SELECT "id", "questionnaireVersionPk", "opensAt", "closesAt", "closedAt", "timeZone", "identified" FROM "Campaign" WHERE "id" = ?`).get(campaignId) as
            | { id: string; questionnaireVersionPk: number | bigint; opensAt: unknown; closesAt: unknown; closedAt: unknown; timeZone: string; identified: unknown }
            | undefined)
        : await prisma.campaign.findUnique({ where: { id: campaignId }, select: { id: true, questionnaireVersionPk: true, opensAt: true, closesAt: true, closedAt: true, timeZone: true, identified: true } });
      if (!row) return undefined;
      // The connection hands integers back as BigInt.
      const questionnaire = await questionnaireOf(campaignId, Number(row.questionnaireVersionPk));
      return {
        id: row.id,
        questionnaire,
        opensAt: sqliteDateOf(row.opensAt)!,
        closesAt: sqliteDateOf(row.closesAt)!,
        closedAt: sqliteDateOf(row.closedAt),
        timeZone: row.timeZone,
        identified: row.identified === true || Number(row.identified) === 1,
      };
    },
  };
}

/** Respondents of the sample with their unit names (on SQLite read straight on the connection). */
export function respondentDirectory(prisma: Prisma): RespondentDirectory {
  return {
    async find(respondentId): Promise<Respondent | undefined> {
      const db = sqliteConnectionOf(prisma);
      if (db) {
        const row = db.prepare(`SELECT "id", "campaignId", "fullName", "unitCode", "subjectUnits", "language" FROM "Respondent" WHERE "id" = ?`).get(respondentId) as
          | { id: string; campaignId: string; fullName: string; unitCode: string; subjectUnits: string; language: string }
          | undefined;
        if (!row) return undefined;
        const codes = row.subjectUnits === "" ? [row.unitCode] : row.subjectUnits.split("|");
        const wanted = [...new Set([row.unitCode, ...codes])];
        const names = new Map(
          (db.prepare(`SELECT "code", "name" FROM "Unit" WHERE "campaignId" = ? AND "code" IN (SELECT "value" FROM json_each(?))`).all(row.campaignId, JSON.stringify(wanted)) as { code: string; name: string }[]).map((u) => [u.code, u.name]),
        );
        const ref = (code: string) => ({ id: code, name: names.get(code) ?? code });
        return { id: row.id, name: row.fullName, unit: ref(row.unitCode), subjectUnits: codes.map(ref), language: row.language };
      }
      const row = await prisma.respondent.findUnique({ where: { id: respondentId } });
      if (!row) return undefined;
      const codes = row.subjectUnits === "" ? [row.unitCode] : row.subjectUnits.split("|");
      const units = new Map((await prisma.unit.findMany({ where: { campaignId: row.campaignId, code: { in: [row.unitCode, ...codes] } } })).map((u) => [u.code, u.name]));
      const ref = (code: string) => ({ id: code, name: units.get(code) ?? code });
      return { id: row.id, name: row.fullName, unit: ref(row.unitCode), subjectUnits: codes.map(ref), language: row.language };
    },
    async unitName(campaignId, unitCode) {
      const row = await prisma.unit.findUnique({ where: { campaignId_code: { campaignId, code: unitCode } } });
      return row?.name;
    },
  };
}

/** Where a console session's responses go. */
export interface ConsoleSessionOptions {
  readonly campaignId: string;
  /** The account the console stands for, e.g. `console:demo`. */
  readonly account: string;
}

const CONSOLE = "console";

/**
 * The console demo's `SurveySessionStore` over the database: one Session row per respondent of the
 * campaign, and each step's answers applied with the state in one transaction.
 */
export function surveySessionStore(prisma: Prisma, options: ConsoleSessionOptions & { readonly onSubmit?: SubmitHooks }): SurveySessionStore {
  const { campaignId, account } = options;
  const find = (respondentId: string) => prisma.session.findFirst({ where: { channel: CONSOLE, campaignId, respondentId }, orderBy: { createdAt: "asc" } });
  const stateOf = (row: { state: string } | null): SurveyState | undefined => {
    const state = row ? (parseJsonObject(row.state) as unknown as SurveyState) : undefined;
    return state?.questionnaire === undefined ? undefined : state;
  };
  return {
    async load(respondentId, questionnaire) {
      const state = stateOf(await find(respondentId));
      if (!state || state.questionnaire.id !== questionnaire.id || state.questionnaire.version !== questionnaire.version) return undefined;
      return state;
    },
    async save(respondentId, result) {
      const sessionId = await prisma.$transaction(
        async (tx) => {
          const row = await tx.session.findFirst({ where: { channel: CONSOLE, campaignId, respondentId }, orderBy: { createdAt: "asc" }, select: { id: true } });
          const sessionId = row?.id ?? randomUUID();
          // The console confirms identity right before the survey starts.
          const owner: ResponseOwner = { sessionId, campaignId, respondentId, accessCodeId: null, account, source: "console", identityConfirmedAt: new Date(result.state.startedAt) };
          const responseId = await applyStep(tx, owner, result);
          const columns = { state: JSON.stringify(result.state), language: result.state.language, ...(responseId ? { responseId } : {}) };
          await tx.session.upsert({
            where: { id: sessionId },
            create: { id: sessionId, campaignId, channel: CONSOLE, account, respondentId, ...columns },
            update: columns,
          });
          return sessionId;
        },
        { maxWait: 30_000, timeout: 30_000 },
      );
      await runSubmitHooks(options.onSubmit, campaignId, submittedBy(sessionId, result));
    },
    async responses(respondentId) {
      return stateOf(await find(respondentId))?.responses ?? [];
    },
  };
}

/** The channels' stores over one Prisma client. */
export interface ChannelStores {
  readonly sessions: BotSessionStore;
  readonly campaigns: CampaignDirectory;
  readonly respondents: RespondentDirectory;
  /**
   * Access codes on the same client: on SQLite a process must use one connection, since a second
   * one waiting for the write lock blocks the event loop the first needs to release it.
   */
  readonly access: AccessRepository;
  /** The console's survey sessions of one campaign. */
  surveySessions(options: ConsoleSessionOptions): SurveySessionStore;
  /** The sessions of another messaging channel (zalo, console) on the same rules as Telegram's. */
  sessionsOf(channel: string): BotSessionStore;
}

/** Builds the channels' stores. */
export function channelStores(prisma: Prisma, options: { readonly locks?: ChatLocks } = {}): ChannelStores {
  const campaigns = campaignDirectory(prisma);
  // Submitted responses are flagged right after their commit (issue 7).
  const onSubmit: SubmitHooks = {
    ...flagOnSubmit(prisma, campaigns),
    onError: (error, responseId) => console.warn(`could not flag response ${responseId} (khaosat flags recomputes it): ${error instanceof Error ? error.message : String(error)}`),
  };
  return {
    sessions: botSessionStore(prisma, { onSubmit, ...(options.locks ? { locks: options.locks } : {}) }),
    campaigns,
    respondents: respondentDirectory(prisma),
    access: accessRepository(prisma),
    surveySessions: (options) => surveySessionStore(prisma, { ...options, onSubmit }),
    sessionsOf: (channel) => botSessionStore(prisma, { onSubmit, channel, ...(options.locks ? { locks: options.locks } : {}) }),
  };
}
