import type { RedeemRequest, RedemptionResult } from "../../access/index.js";
import type { Language } from "../../config/index.js";
import type { Respondent } from "../../demo/ports.js";
import type { StepResult, SurveyState } from "../../engine/index.js";
import type { Questionnaire } from "../../questionnaire/index.js";

/** A campaign as the bot needs it: its questionnaire and open window. */
export interface BotCampaign {
  readonly id: string;
  readonly questionnaire: Questionnaire;
  readonly opensAt: Date;
  readonly closesAt: Date;
  /** Set when an organiser closed the campaign early. */
  readonly closedAt: Date | null;
  /** Time zone the respondent reads times in (deadline, submission); e.g. Asia/Ho_Chi_Minh. */
  readonly timeZone: string;
  /** Created with `--identified`: organisers see answers with names (the privacy notice says so). */
  readonly identified?: boolean;
}

/** The bot message whose inline keyboard is live, so it can be marked once it no longer is. */
export interface LivePrompt {
  readonly messageId: number;
  readonly kind: "identity" | "attestation" | "question" | "review" | "language";
  /** For `question`: the question it asks and the unit it was asked for. */
  readonly questionId?: string;
  readonly unit?: string;
}

/**
 * One messaging account's conversation in one campaign, as stored. `stage` says where the channel
 * is; the engine state (present once identity is confirmed) says where the questionnaire is.
 */
export interface BotSession {
  readonly id: string;
  /** Namespaced account, `<channel>:<user id>` (`telegram:42`, `zalo:8f3…`). */
  readonly account: string;
  /** Telegram's numeric chat id; other channels' opaque string ids. */
  readonly chatId: number | string;
  readonly campaignId: string;
  readonly codeId: string | null;
  /** A counter poster's session (issue 7): what recording its one-response-per-period claim needs. */
  readonly poster?: { readonly id: string; readonly opensAt: string; readonly periodDays: number };
  /** Null for anonymous codes and posters (issue 7): no identity step. */
  readonly respondentId: string | null;
  /** Subject unit ids and their names (the unit being assessed, shown in progress). */
  readonly units: readonly { readonly id: string; readonly name: string }[];
  readonly stage: "identity" | "survey" | "declined";
  /** Language of the channel's texts (follows the engine's language once the survey has started). */
  readonly language: Language;
  readonly identityConfirmedAt?: string;
  /** When the respondent said they are not the person named (the code stays bound). */
  readonly identityDeclinedAt?: string;
  readonly engine?: SurveyState;
  readonly prompt?: LivePrompt;
}

/** What to persist for one update: the new session and, when the engine stepped, its result. */
export interface SessionWrite {
  readonly session: BotSession;
  /** The engine step whose events (answers, submission, attestation) are applied with the state. */
  readonly step?: StepResult;
}

/** What identifies an update for deduplication: Telegram's `update_id`, or a channel's string key (Zalo: `<event_name>:<message_id>`). */
export type UpdateKey = number | string;

/** Outcome of `BotSessionStore.commit`. */
export type CommitResult = "stored" | "duplicate";

/** What `BotSessionStore.begin` finds for an update before it is handled. */
export interface UpdateStart {
  /** The update was already committed (a redelivery): handle nothing. */
  readonly processed: boolean;
  /** The sender's most recently updated session, as `findLatest` would return it. */
  readonly latest: BotSession | undefined;
}

/**
 * Sessions and answers of the Telegram channel. Every write records the update id it came from in
 * the same transaction, so a redelivered update (same `update_id`) stores nothing twice.
 */
export interface BotSessionStore {
  /** Has an update with this id already been committed? (Telegram's `update_id`; a string key for channels without one.) */
  isProcessed(updateId: UpdateKey): Promise<boolean>;
  /** `isProcessed` and `findLatest` in one read: what every update starts with. */
  begin(updateId: UpdateKey, account: string | undefined): Promise<UpdateStart>;
  /** The account's most recently updated session, if any. */
  findLatest(account: string): Promise<BotSession | undefined>;
  /** The account's session for this campaign and respondent (named) or code (anonymous). */
  findFor(account: string, campaignId: string, respondentId: string | null, codeId: string | null): Promise<BotSession | undefined>;
  /** The account's most recently updated session in this campaign, whoever it is for (the reminder's resume button). */
  findInCampaign(account: string, campaignId: string): Promise<BotSession | undefined>;
  /**
   * Stores the session (state, answers of `step`, identity and attestation times) and marks
   * `updateId` processed, in ONE transaction; "duplicate" (nothing written) when it already was.
   */
  commit(updateId: UpdateKey, write: SessionWrite): Promise<CommitResult>;
  /**
   * Marks an update processed that stored no session (a wrong code, /help), so a redelivery changes
   * nothing either; already marked is fine (the insert ignores the conflict).
   */
  markProcessed(updateId: UpdateKey): Promise<void>;
  /**
   * Records which message now carries the live keyboard (after it was sent; losing it is harmless),
   * changing nothing else of the stored session, in one statement.
   */
  setPrompt(sessionId: string, prompt: LivePrompt | undefined): Promise<void>;
  /** A new session id (the store decides the format). */
  newId(): string;
  /**
   * The update is finished, whatever happened (call it in a `finally`): with several instances on
   * PostgreSQL, `begin` took the account's lock until `commit` or `markProcessed`, and an update
   * that failed before either releases it here (else it is released after a minute).
   */
  end?(updateId: UpdateKey): Promise<void>;
}

/** Redeems one-time codes (the access module's `RedemptionService`). */
export interface CodeRedeemer {
  redeem(request: RedeemRequest): Promise<RedemptionResult>;
}

/** Campaigns by id. */
export interface CampaignDirectory {
  find(campaignId: string): Promise<BotCampaign | undefined>;
}

/** Respondents of the sample by id (name and unit to confirm identity; subject units). */
export interface RespondentDirectory {
  find(respondentId: string): Promise<Respondent | undefined>;
  /** Display name of a unit of the campaign (anonymous codes carry only the unit code). */
  unitName(campaignId: string, unitCode: string): Promise<string | undefined>;
}

/** Structured log sink; never given the token, a code or an answer. */
export interface BotLogger {
  debug(data: Record<string, unknown>, message: string): void;
  info(data: Record<string, unknown>, message: string): void;
  warn(data: Record<string, unknown>, message: string): void;
  error(data: Record<string, unknown>, message: string): void;
}

/** Chats the outbox recorded unreachable (403: blocked, deactivated), so a returning one can be cleared. */
export interface ChatReachability {
  /** Every chat id recorded unreachable. */
  unreachableChats(): Promise<readonly string[]>;
  /** Forgets that the chat was unreachable; false if it was not recorded. */
  clearUnreachable(chatId: string): Promise<boolean>;
}

/** The ports and services the Telegram channel is built from. */
export interface TelegramPorts {
  readonly codes: CodeRedeemer;
  readonly campaigns: CampaignDirectory;
  readonly respondents: RespondentDirectory;
  readonly sessions: BotSessionStore;
  /** Absent: unreachable chats are never cleared by the bot (tests, the console). */
  readonly reachability?: ChatReachability;
}
