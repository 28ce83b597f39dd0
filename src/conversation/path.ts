// The respondent's path that every channel shares: redemption (who the code is for, an existing
// session to resume, a new named or anonymous session), counter posters, where a session stands
// (submitted, declined, closed) and the citizens' clean-up after an anonymous submission. Channels
// only word and render what these return.
import type { RedeemRequest, RedemptionResult } from "../access/index.js";
import type { CompleteRequest, PosterScanResult } from "../citizens/index.js";
import type { Language } from "../config/index.js";
import type { Respondent } from "../demo/ports.js";
import { startSurvey, type StepResult } from "../engine/index.js";
import { isSupportedLanguage, type Translate } from "../i18n/index.js";
import type { BotCampaign, BotSession, BotSessionStore, CampaignDirectory, CodeRedeemer, RespondentDirectory } from "../channels/telegram/ports.js";

/** The ports the path reads and writes. */
export interface PathPorts {
  readonly codes: CodeRedeemer;
  readonly campaigns: CampaignDirectory;
  readonly respondents: RespondentDirectory;
  readonly sessions: BotSessionStore;
}

/** What the host needs from the citizens' module (`CitizenService`). */
export interface CitizenCompletion {
  complete(request: CompleteRequest): Promise<"completed" | "already_answered">;
  /** Checks a scanned counter poster for an account (`CitizenService.scanPoster`). */
  scanPoster(request: { readonly token: string; readonly account: string; readonly now: Date }): Promise<PosterScanResult>;
}

/** When the campaign stopped taking answers, or null while it is open. */
export function closedAt(campaign: Pick<BotCampaign, "closedAt" | "closesAt">, now: Date): Date | null {
  if (campaign.closedAt !== null && campaign.closedAt <= now) return campaign.closedAt;
  return campaign.closesAt <= now ? campaign.closesAt : null;
}

/** Submitted or declined: nothing more to answer in this session. */
export function isFinished(session: BotSession): boolean {
  return session.stage === "declined" || session.engine?.position.kind === "completed" || session.engine?.position.kind === "declined";
}

/** Why a session can take no more answers. */
export type Terminal =
  | { readonly kind: "submitted"; readonly at: string }
  /** Completed with no submission time (cannot happen with a stored engine state; kept total). */
  | { readonly kind: "completed" }
  | { readonly kind: "declined" }
  | { readonly kind: "closed"; readonly at: Date };

/** Where a session stands if it can take no more answers; undefined while answering is possible. */
export function terminalOf(session: BotSession, campaign: BotCampaign, now: Date): Terminal | undefined {
  const position = session.engine?.position.kind;
  if (position === "completed") {
    const at = session.engine?.responses.at(-1)?.submittedAt;
    return at ? { kind: "submitted", at } : { kind: "completed" };
  }
  if (session.stage === "declined" || position === "declined") return { kind: "declined" };
  const closed = closedAt(campaign, now);
  return closed ? { kind: "closed", at: closed } : undefined;
}

/** The text of a terminal state; `submittedKey` is the channel's wording of "already submitted at". */
export function terminalText(t: Translate, terminal: Terminal, when: (at: Date | string) => { time: string; date: string }, submittedKey: string): string {
  switch (terminal.kind) {
    case "submitted":
      return t(submittedKey, when(terminal.at));
    case "completed":
      return t("survey:rejected.completed");
    case "declined":
      return t("telegram:declined");
    case "closed":
      return t("telegram:closed", when(terminal.at));
  }
}

/** What a redemption leads to. */
export type Admission =
  | { readonly kind: "refused"; readonly result: Exclude<RedemptionResult, { kind: "ok" }>; readonly timeZone: string | undefined }
  /** The account already has a session for this code: resume it. */
  | { readonly kind: "existing"; readonly session: BotSession; readonly campaign: BotCampaign }
  /** An anonymous code with no unit: cannot be answered. */
  | { readonly kind: "anonymous_unavailable" }
  | { readonly kind: "anonymous"; readonly campaign: BotCampaign; readonly unitCode: string; readonly codeId: string }
  /** A named respondent's new session, at the identity step (not stored yet). */
  | { readonly kind: "named"; readonly session: BotSession; readonly campaign: BotCampaign; readonly respondent: Respondent };

/** Redeems a code for an account and says where it leads; stores nothing but the redemption itself. */
export async function admit(ports: PathPorts, request: RedeemRequest & { readonly chatId: number | string; readonly language: Language }): Promise<Admission> {
  const { account } = request;
  const result = await ports.codes.redeem({ input: request.input, account, now: request.now });
  if (result.kind !== "ok") {
    const timeZone = "campaignId" in result ? (await ports.campaigns.find(result.campaignId))?.timeZone : undefined;
    return { kind: "refused", result, timeZone };
  }
  const respondentId = result.subject.kind === "respondent" ? result.subject.respondentId : null;
  const campaign = await campaignOf(ports, result.campaignId);
  const existing = await ports.sessions.findFor(account, result.campaignId, respondentId, respondentId === null ? result.codeId : null);
  if (existing) return { kind: "existing", session: existing, campaign };
  if (result.subject.kind === "anonymous") {
    // Anonymous codes (issue 7): the unit on the slip is the unit assessed.
    const unitCode = result.subject.unitCode;
    return unitCode === null ? { kind: "anonymous_unavailable" } : { kind: "anonymous", campaign, unitCode, codeId: result.codeId };
  }
  const respondent = await ports.respondents.find(result.subject.respondentId);
  if (!respondent) throw new Error(`bug: code bound to respondent ${result.subject.respondentId}, who does not exist`);
  const preferred = respondent.language ?? "";
  const session: BotSession = {
    id: ports.sessions.newId(),
    account,
    chatId: request.chatId,
    campaignId: campaign.id,
    codeId: result.codeId,
    language: isSupportedLanguage(preferred) ? preferred : request.language,
    respondentId: respondent.id,
    units: (respondent.subjectUnits.length > 0 ? respondent.subjectUnits : [respondent.unit]).map((u) => ({ id: u.id, name: u.name })),
    stage: "identity",
  };
  return { kind: "named", session, campaign, respondent };
}

/** A campaign that must exist (a session or code names it). */
export async function campaignOf(ports: Pick<PathPorts, "campaigns">, campaignId: string): Promise<BotCampaign> {
  const campaign = await ports.campaigns.find(campaignId);
  if (!campaign) throw new Error(`bug: campaign ${campaignId} is named but does not exist`);
  return campaign;
}

/** The respondent a session at the identity step is for. */
export async function respondentOf(ports: Pick<PathPorts, "respondents">, session: BotSession): Promise<Respondent> {
  const respondent = session.respondentId ? await ports.respondents.find(session.respondentId) : undefined;
  if (!respondent) throw new Error(`bug: session ${session.id} waits for identity but has no respondent`);
  return respondent;
}

/** What an anonymous session (batch code or poster) is started with. */
export interface AnonymousStart {
  readonly campaign: BotCampaign;
  readonly unitCode: string;
  readonly service?: string | null;
  readonly codeId: string | null;
  readonly poster?: BotSession["poster"];
}

/** A new anonymous session (not stored yet): no identity step, the unit on the slip or poster. */
export async function anonymousSession(ports: PathPorts, start: AnonymousStart, who: { readonly account: string; readonly chatId: number | string; readonly language: Language }): Promise<BotSession> {
  const name = (await ports.respondents.unitName(start.campaign.id, start.unitCode)) ?? start.unitCode;
  return {
    id: ports.sessions.newId(),
    account: who.account,
    chatId: who.chatId,
    campaignId: start.campaign.id,
    codeId: start.codeId,
    ...(start.poster ? { poster: start.poster } : {}),
    respondentId: null,
    units: [{ id: start.unitCode, name }],
    stage: "survey",
    language: who.language,
  };
}

/** What a scanned (or typed) poster leads to. */
export type PosterAdmission =
  | { readonly kind: "refused"; readonly result: Exclude<PosterScanResult, { kind: "ok" }>; readonly timeZone: string | undefined }
  | { readonly kind: "existing"; readonly session: BotSession; readonly campaign: BotCampaign }
  | { readonly kind: "start"; readonly start: AnonymousStart };

/** Checks a poster token for an account: refused, an unfinished survey of that poster's unit to resume, or a new one. */
export async function admitPoster(ports: PathPorts, citizens: CitizenCompletion, request: { readonly token: string; readonly account: string; readonly now: Date }): Promise<PosterAdmission> {
  const result = await citizens.scanPoster(request);
  const campaign = "campaignId" in result ? await ports.campaigns.find(result.campaignId) : undefined;
  if (result.kind !== "ok") return { kind: "refused", result, timeZone: campaign?.timeZone };
  if (!campaign) throw new Error(`bug: poster ${result.posterId} of campaign ${result.campaignId}, which does not exist`);
  // Scanning again mid-way resumes: one survey per account and unit at a time.
  const matches = (s: BotSession | undefined): s is BotSession =>
    s !== undefined && s.campaignId === result.campaignId && s.respondentId === null && s.poster !== undefined && s.units[0]?.id === result.unitCode && s.engine?.position.kind !== "completed";
  const latest = await ports.sessions.findLatest(request.account);
  const existing = matches(latest) ? latest : await ports.sessions.findFor(request.account, result.campaignId, null, null);
  if (matches(existing)) return { kind: "existing", session: existing, campaign };
  return {
    kind: "start",
    start: { campaign, unitCode: result.unitCode, service: result.service, codeId: null, poster: { id: result.posterId, opensAt: result.source.opensAt.toISOString(), periodDays: result.source.periodDays } },
  };
}

/** The text of a refused poster. */
export function posterRefusalText(t: Translate, result: Exclude<PosterScanResult, { kind: "ok" }>, when: (at: Date) => { time: string; date: string }): string {
  switch (result.kind) {
    case "unknown_poster":
      return t("citizens:poster.unknown");
    case "withdrawn":
      return t("citizens:poster.withdrawn");
    case "already_answered":
      return t("citizens:poster.alreadyAnswered", { date: when(result.nextPeriodAt).date });
    case "campaign_not_open":
      return t("telegram:code.notOpen", when(result.opensAt));
    case "campaign_closed":
      return t("telegram:closed", when(result.closedAt));
  }
}

/**
 * After an anonymous response (batch code or poster) was submitted: the code is spent or the poster
 * claim recorded, and the session (chat id, account, state) deleted, so nothing stored links the
 * response to the messaging account. Returns the closing text's key, or undefined when the session
 * is not a submitted anonymous one.
 */
export async function completeAnonymous(citizens: CitizenCompletion, session: BotSession | undefined, account: string, now: Date): Promise<string | undefined> {
  if (!session || session.respondentId !== null || (session.codeId === null && !session.poster)) return undefined;
  if (session.engine?.position.kind !== "completed") return undefined;
  const unit = session.units[0];
  if (!unit) return undefined;
  const poster = session.poster;
  const outcome = await citizens.complete({
    campaignId: session.campaignId,
    unitCode: unit.id,
    account,
    source: poster ? { kind: "poster", posterId: poster.id, opensAt: new Date(poster.opensAt), periodDays: poster.periodDays } : { kind: "code", codeId: session.codeId! },
    // The store already cleared the account from the submitted response.
    responseId: null,
    sessionId: session.id,
    now,
  });
  return outcome === "completed" ? "citizens:done.unlinked" : "citizens:done.alreadyAnswered";
}

/** The questionnaire language for a channel language: the same when the questionnaire has it, else its default. */
function surveyLanguage(campaign: BotCampaign, language: string): string {
  const q = campaign.questionnaire;
  return q.languages.includes(language) ? language : q.defaultLanguage;
}

/**
 * The respondent's answer to "are you <name>?": declined (recorded, the code stays bound) or the
 * questionnaire started for their subject units. Nothing is stored here.
 */
export function answerIdentity<S extends BotSession>(session: S, campaign: BotCampaign, confirm: boolean, now: string): { readonly session: S; readonly started?: StepResult } {
  if (!confirm) return { session: { ...session, stage: "declined", identityDeclinedAt: now } };
  const started = startSurvey(campaign.questionnaire, { language: surveyLanguage(campaign, session.language), units: session.units.map((u) => u.id), now });
  return { session: { ...session, stage: "survey", identityConfirmedAt: now, engine: started.state }, started };
}

/** The questionnaire started for an anonymous session's one unit. */
export function startAnonymousSurvey(campaign: BotCampaign, session: BotSession, now: string): StepResult {
  return startSurvey(campaign.questionnaire, { language: surveyLanguage(campaign, session.language), units: [session.units[0]!.id], now });
}

/** The session after an engine step: its state, the language it follows, declined when the attestation was. */
export function sessionAfterStep<S extends BotSession>(session: S, result: StepResult): S {
  const language = result.state.language;
  return {
    ...session,
    engine: result.state,
    ...(isSupportedLanguage(language) ? { language } : {}),
    ...(result.state.position.kind === "declined" ? { stage: "declined" as const } : {}),
  };
}
