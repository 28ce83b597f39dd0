/**
 * What the data-quality flags need from storage. Implementations: `MemoryFlagsRepository` (tests) and
 * the Prisma one in src/db/flags-repository.ts.
 */
import type { AnswerValue } from "../questionnaire/index.js";
import type { TimedResponse } from "./duration-medians.js";

/** The flags of SURVEY-FORMAT 3.3 and their extensions (docs/flags.md), as stored on a response. */
export type FlagName = "speeder" | "straightliner" | "delegation" | "attention" | "inconsistent" | "misfit";

/** An organiser's decision on a flagged response. */
export type FlagDecision = "accepted" | "rejected";

/** A submitted response as the flag rules see it (answers only when asked for). */
export interface FlagSubject {
  readonly id: string;
  /** The responses file's response_id of an imported response; null for channel responses. */
  readonly externalId?: string | null;
  /** Language the questions were shown in, when known. */
  readonly language?: string | null;
  /** Seconds spent per question, where known (loaded with the answers). */
  readonly seconds?: Readonly<Record<string, number>>;
  readonly unit: string;
  readonly group: string;
  readonly startedAt: Date | null;
  readonly submittedAt: Date | null;
  /** The named respondent, if any (delegation). */
  readonly respondentId: string | null;
  /** The messaging account or its keyed hash, while kept (named responses); null for anonymous ones. */
  readonly account: string | null;
  readonly answers?: Readonly<Record<string, AnswerValue>>;
  readonly flags: readonly FlagName[];
  readonly decision: FlagDecision | null;
  readonly reason: string | null;
}

/** Storage operations of the flags module. */
export interface FlagsRepository {
  /** Submitted responses of a campaign; with `answers` when `withAnswers`, or only for the ids in `answersFor`. */
  submitted(campaignId: string, options: { readonly withAnswers: boolean; readonly answersFor?: readonly string[] }): Promise<FlagSubject[]>;
  /** One submitted response of a campaign with its answers (and seconds); null when it is not one. */
  submittedOne(campaignId: string, responseId: string): Promise<FlagSubject | null>;
  /**
   * The median duration (submittedAt − startedAt, in ms) of the campaign's submitted responses that
   * have both times, and how many have them; median NaN when none. At most two rows come back, so
   * flagging one submit does not read the campaign. `submitted` names the response just submitted
   * (stored already): a repository that keeps the durations in memory (the bot's, see
   * duration-medians.ts) counts it from there; the others read the database as it is.
   */
  durationMedian(campaignId: string, submitted?: TimedResponse): Promise<{ readonly count: number; readonly median: number }>;
  /** Whether the campaign's submitted responses answered from `account` name two or more different respondents. */
  accountShared(campaignId: string, account: string): Promise<boolean>;
  /** Stores the flags of responses (only the given ones change). */
  setFlags(updates: readonly { readonly responseId: string; readonly flags: readonly FlagName[] }[]): Promise<void>;
  /** One response with its campaign and status; null when unknown. */
  find(responseId: string): Promise<(FlagSubject & { readonly campaignId: string; readonly status: string }) | null>;
  /** The id of the response imported with the file's `response_id` into a campaign; null when none. */
  findImported(campaignId: string, externalId: string): Promise<string | null>;
  /** Records a decision and its audit event (actor, reason, previous decision) in one transaction. */
  decide(responseId: string, decision: FlagDecision, reason: string, at: Date, actor: string): Promise<void>;
}
