// Prisma implementations of the channels' storage ports: the Telegram channel's session store and
// directories, and the console demo's survey session store. Every engine step is applied in the
// transaction that stores the state: Response rows (started, attested, submitted), one Answer row
// per response and question, and, for Telegram, the processed update id, whose primary key makes a
// redelivered update write nothing.
import { randomUUID } from "node:crypto";
import type { BotCampaign, BotSession, BotSessionStore, CampaignDirectory, CommitResult, LivePrompt, RespondentDirectory, SessionWrite } from "../channels/telegram/ports.js";
import type { Respondent, SurveySessionStore } from "../demo/ports.js";
import type { StepResult, SurveyState, UnitResponse } from "../engine/index.js";
import { parseQuestionnaire, type Questionnaire } from "../questionnaire/index.js";
import type { AccessRepository } from "../access/index.js";
import { accessRepository } from "./access-repository.js";
import type { Prisma } from "./client.js";
import { parseJsonObject } from "./json.js";
import type { PrismaTx } from "./outbox-repository.js";

/** A write to a submitted response: the engine never asks for one, so it is a bug and rolls back. */
export class SubmittedResponseError extends Error {
  constructor(readonly responseId: string) {
    super(`response ${responseId} is submitted and cannot change`);
    this.name = "SubmittedResponseError";
  }
}

/** The Response row of one session and subject unit: deterministic, so every step finds it by key. */
export function responseIdOf(sessionId: string, unit: string): string {
  return `${sessionId}:${unit}`;
}

/** Who a session's responses belong to. */
interface ResponseOwner {
  readonly sessionId: string;
  readonly campaignId: string;
  readonly respondentId: string | null;
  readonly accessCodeId: string | null;
  readonly account: string | null;
  readonly source: "bot" | "console";
  readonly identityConfirmedAt: Date | null;
}

const date = (iso: string | undefined): Date | null => (iso === undefined ? null : new Date(iso));

/**
 * Applies one engine step to the Response and Answer rows. Which rows to touch comes from the events;
 * their values come from the new state (the engine's own record), so rows always match the state.
 * Returns the id of the response being answered, if it exists.
 */
async function applyStep(tx: PrismaTx, owner: ResponseOwner, step: StepResult): Promise<string | null> {
  const state = step.state;
  const touched = new Set<string>();
  const questions = new Map<string, Set<string>>();
  const full = new Set<string>();
  let attestation = false;
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
    const existing = await tx.response.findUnique({ where: { id }, select: { status: true } });
    if (existing?.status === "submitted") throw new SubmittedResponseError(id);
    const submitted = response?.submittedAt !== undefined;
    const fields = {
      status: submitted ? "submitted" : declined ? "declined" : "in_progress",
      language: state.language,
      startedAt: new Date(response?.startedAt ?? state.startedAt),
      submittedAt: date(response?.submittedAt),
      attestedAt: state.attestation?.status === "accepted" ? date(state.attestation.at) : null,
      declinedAt: declined ? date(state.attestation?.at) : null,
      // Anonymous responses keep no link to the account that gave them once submitted.
      account: submitted && owner.respondentId === null ? null : owner.account,
    };
    if (existing) {
      await tx.response.update({ where: { id }, data: fields });
    } else {
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
      const data = { value: JSON.stringify(answer.value), answeredAt: new Date(answer.answeredAt), changedCount: answer.changeCount };
      await tx.answer.upsert({ where: { responseId_questionId: { responseId: id, questionId } }, create: { responseId: id, questionId, ...data }, update: data });
    }
  }
  const current = state.responses[state.unitIndex] ?? state.responses.at(-1);
  if (current) return responseIdOf(owner.sessionId, current.unit);
  return touched.size > 0 ? responseIdOf(owner.sessionId, [...touched][0]!) : null;
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && "code" in error && error.code === "P2002";
}

const TELEGRAM = "telegram";
/** Thrown inside a commit's transaction to roll it back when its update was already processed. */
const DUPLICATE = Symbol("duplicate update");

function toBotSession(row: { id: string; state: string }): BotSession {
  return { ...(parseJsonObject(row.state) as unknown as BotSession), id: row.id };
}

/** The Telegram channel's sessions stored through Prisma (one transaction per update). */
export function botSessionStore(prisma: Prisma): BotSessionStore {
  return {
    async isProcessed(updateId) {
      return (await prisma.processedUpdate.count({ where: { channel: TELEGRAM, updateId: BigInt(updateId) } })) > 0;
    },

    async findLatest(account) {
      const row = await prisma.session.findFirst({ where: { channel: TELEGRAM, account }, orderBy: [{ updatedAt: "desc" }, { createdAt: "desc" }] });
      return row ? toBotSession(row) : undefined;
    },

    async findFor(account, campaignId, respondentId, codeId) {
      const row = await prisma.session.findFirst({
        where: { channel: TELEGRAM, account, campaignId, ...(respondentId !== null ? { respondentId } : { respondentId: null, accessCodeId: codeId }) },
        orderBy: { updatedAt: "desc" },
      });
      return row ? toBotSession(row) : undefined;
    },

    async commit(updateId, write: SessionWrite): Promise<CommitResult> {
      const { session, step } = write;
      try {
        await prisma.$transaction(
          async (tx) => {
            // First, so a concurrent commit of the same update waits on this key and then fails it.
            try {
              await tx.processedUpdate.create({ data: { channel: TELEGRAM, updateId: BigInt(updateId), processedAt: new Date() } });
            } catch (error) {
              if (isUniqueViolation(error)) throw DUPLICATE;
              throw error;
            }
            const previous = await tx.session.findUnique({ where: { id: session.id }, select: { state: true, responseId: true } });
            const owner: ResponseOwner = {
              sessionId: session.id,
              campaignId: session.campaignId,
              respondentId: session.respondentId,
              accessCodeId: session.codeId,
              account: session.account,
              source: "bot",
              identityConfirmedAt: date(session.identityConfirmedAt),
            };
            const responseId = step ? await applyStep(tx, owner, step) : null;
            const columns = {
              state: JSON.stringify(session),
              language: session.language,
              chatId: String(session.chatId),
              responseId: responseId ?? previous?.responseId ?? null,
            };
            await tx.session.upsert({
              where: { id: session.id },
              create: {
                id: session.id,
                campaignId: session.campaignId,
                channel: TELEGRAM,
                account: session.account,
                respondentId: session.respondentId,
                accessCodeId: session.codeId,
                ...columns,
              },
              update: columns,
            });
            const wasDeclined = previous !== null && (parseJsonObject(previous.state) as { identityDeclinedAt?: string }).identityDeclinedAt !== undefined;
            if (session.identityDeclinedAt !== undefined && !wasDeclined) {
              await tx.auditEvent.create({
                data: {
                  at: new Date(session.identityDeclinedAt),
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
        return "stored";
      } catch (error) {
        // On PostgreSQL the loser of a race may see the violation at commit instead of at the insert.
        if (error === DUPLICATE || isUniqueViolation(error)) {
          if (error === DUPLICATE || (await this.isProcessed(updateId))) return "duplicate";
        }
        throw error;
      }
    },

    async setPrompt(sessionId, prompt: LivePrompt | undefined) {
      const row = await prisma.session.findUnique({ where: { id: sessionId }, select: { state: true } });
      if (!row) return;
      const { prompt: _old, ...rest } = parseJsonObject(row.state) as unknown as BotSession;
      await prisma.session.update({ where: { id: sessionId }, data: { state: JSON.stringify(prompt ? { ...rest, prompt } : rest) } });
    },

    newId() {
      return randomUUID();
    },
  };
}

/** Campaigns with their questionnaire parsed from the stored version (cached: versions are frozen). */
export function campaignDirectory(prisma: Prisma): CampaignDirectory {
  const questionnaires = new Map<number, Questionnaire>();
  return {
    async find(campaignId): Promise<BotCampaign | undefined> {
      const row = await prisma.campaign.findUnique({ where: { id: campaignId }, include: { questionnaireVersion: true } });
      if (!row) return undefined;
      let questionnaire = questionnaires.get(row.questionnaireVersionPk);
      if (!questionnaire) {
        const parsed = parseQuestionnaire(row.questionnaireVersion.source, row.questionnaireVersion.fileName);
        if (!parsed.ok) throw new Error(`the stored questionnaire of campaign ${campaignId} (${row.questionnaireVersion.fileName}) no longer loads: ${parsed.issues[0]?.message ?? "unknown problem"}`);
        questionnaire = parsed.questionnaire;
        questionnaires.set(row.questionnaireVersionPk, questionnaire);
      }
      return { id: row.id, questionnaire, opensAt: row.opensAt, closesAt: row.closesAt, closedAt: row.closedAt, timeZone: row.timeZone, identified: row.identified };
    },
  };
}

/** Respondents of the sample with their unit names. */
export function respondentDirectory(prisma: Prisma): RespondentDirectory {
  return {
    async find(respondentId): Promise<Respondent | undefined> {
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
export function surveySessionStore(prisma: Prisma, options: ConsoleSessionOptions): SurveySessionStore {
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
      await prisma.$transaction(
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
        },
        { maxWait: 30_000, timeout: 30_000 },
      );
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
}

/** Builds the channels' stores. */
export function channelStores(prisma: Prisma): ChannelStores {
  return {
    sessions: botSessionStore(prisma),
    campaigns: campaignDirectory(prisma),
    respondents: respondentDirectory(prisma),
    access: accessRepository(prisma),
    surveySessions: (options) => surveySessionStore(prisma, options),
  };
}
