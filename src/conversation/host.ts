// The channel-independent conversation host of the text form: one message in, the replies out.
// Zalo and the console demo are adapters over it: they turn what arrives into a `TextMessage`
// (account and chat as strings, with the channel named, and a dedupe key) and send the strings it
// returns. Everything else lives here: redemption, identity, attestation, the engine steps, review
// and submit, resume, quit, language, help, and the persistent dedupe of redelivered messages
// (the key is stored in the same transaction as the step, so a redelivery changes nothing).
import { normalizeCode, type CodeProblem, type RedemptionResult } from "../access/index.js";
import type { BotCampaign, BotLogger, BotSession, BotSessionStore, CampaignDirectory, CodeRedeemer, RespondentDirectory, UpdateKey } from "../channels/telegram/ports.js";
import { cacheCampaigns } from "../channels/telegram/campaign-cache.js";
import { ConsoleRenderer, DEFAULT_TIME_ZONE, formatDateTime } from "../channels/console/index.js";
import type { Language } from "../config/index.js";
import { startSurvey, step as engineStep, type EngineInput, type ReviewItem, type StepResult } from "../engine/index.js";
import { isSupportedLanguage, type I18n, type Translate } from "../i18n/index.js";
import { privacyNotice } from "../privacy/index.js";
import { parseTextCommand, parseYesNoChoice, type TextCommand } from "./commands.js";

/** One message as a channel received it. */
export interface TextMessage {
  /** Deduplication key, unique per message of the channel (Zalo: `<event_name>:<message_id>`). */
  readonly key: UpdateKey;
  /** `<channel>:<user id>`. */
  readonly account: string;
  readonly chatId: string;
  /** Undefined for a message that is not text (an image, a sticker): answered with a polite request to type. */
  readonly text?: string;
}

/** What the host is built from. */
export interface TextHostDeps {
  /** The channel's name, e.g. `zalo` (also Response.source). */
  readonly channel: string;
  readonly codes: CodeRedeemer;
  readonly campaigns: CampaignDirectory;
  readonly respondents: RespondentDirectory;
  /** This channel's sessions (`channelStores(prisma).sessionsOf(channel)`). */
  readonly sessions: BotSessionStore;
  readonly i18n: I18n;
  readonly now: () => Date;
  readonly defaultLanguage: Language;
  readonly logger?: BotLogger;
  /** Text added to the "too many wrong codes" message: how to get out (default `conversation:lockedHelp`). */
  readonly lockedHelpKey?: string;
  /** How long a campaign read is reused (default 5 s, as Telegram's; 0: read every time). */
  readonly campaignCacheMs?: number;
}

/** The session of the text form: the Telegram session's fields plus what the text renderer keeps between messages. */
type TextSession = BotSession & {
  readonly text?: { readonly section?: string; readonly review?: readonly ReviewItem[] };
};

const CHANNEL_NAMES: Record<string, string> = { telegram: "Telegram", zalo: "Zalo", console: "Zalo/Telegram" };

/** Longest text a message may carry into the host (a questionnaire's open answers are limited well below). */
export const MAX_INPUT_CHARACTERS = 4_000;

/** The host of the text form for one channel. */
export class TextConversationHost {
  readonly #translators = new Map<string, Translate>();

  readonly #campaigns: CampaignDirectory;

  constructor(readonly deps: TextHostDeps) {
    this.#campaigns = deps.campaignCacheMs === 0 ? deps.campaigns : cacheCampaigns(deps.campaigns, { ttlMs: deps.campaignCacheMs ?? 5_000 });
  }

  /** The channel as the privacy notice names it ("the Zalo account is kept with the form"). */
  get #channelName(): string {
    return CHANNEL_NAMES[this.deps.channel] ?? this.deps.channel;
  }

  /** Texts in a language (a supported one, else the default). */
  t(language: string): Translate {
    const lng = isSupportedLanguage(language) ? language : this.deps.defaultLanguage;
    let t = this.#translators.get(lng);
    if (!t) this.#translators.set(lng, (t = this.deps.i18n.getFixedT(lng)));
    return t;
  }

  /**
   * Handles one message and returns the replies to send, in order; an empty list for a redelivered
   * message. Every change is stored before this returns.
   */
  async handle(message: TextMessage): Promise<string[]> {
    const { sessions } = this.deps;
    const start = await sessions.begin(message.key, message.account);
    if (start.processed) return [];
    const latest = start.latest as TextSession | undefined;
    const language = latest?.language ?? this.deps.defaultLanguage;
    if (message.text === undefined) {
      await sessions.markProcessed(message.key);
      return [this.t(language)("conversation:nonText")];
    }
    const text = message.text.slice(0, MAX_INPUT_CHARACTERS).trim();
    const command = parseTextCommand(text);
    if (!latest || isFinished(latest)) return this.#entry(message, text, command, latest);
    const campaign = await this.#campaign(latest);
    if (command?.kind === "start") return this.#resume(message, latest, campaign);
    if (command?.kind === "quit") return this.#noted(message, [this.#quitText(latest, campaign)]);
    const terminal = this.#terminal(latest, campaign);
    if (terminal !== undefined) {
      // A closed campaign: a code typed now may belong to another, open survey.
      if (normalizeCode(text).ok) return this.#redeem(message, text);
      return this.#noted(message, [terminal]);
    }
    if (latest.stage === "identity") return this.#identity(message, latest, campaign, text, command);
    return this.#survey(message, latest, campaign, text, command);
  }

  /**
   * Where a returning account is, without a message to deduplicate (the console demo at start):
   * the welcome-back line and the current prompt, or why nothing more can be answered.
   */
  async resumeLatest(account: string, key: UpdateKey): Promise<string[] | undefined> {
    const latest = (await this.deps.sessions.findLatest(account)) as TextSession | undefined;
    if (!latest) return undefined;
    const campaign = await this.#campaign(latest);
    return this.#resume({ key, account, chatId: String(latest.chatId) }, latest, campaign);
  }

  async #campaign(session: BotSession): Promise<BotCampaign> {
    const campaign = await this.#campaigns.find(session.campaignId);
    if (!campaign) throw new Error(`bug: session ${session.id} names campaign ${session.campaignId}, which does not exist`);
    return campaign;
  }

  /** Marks the message processed (nothing stored) and returns the replies. */
  async #noted(message: TextMessage, replies: string[]): Promise<string[]> {
    await this.deps.sessions.markProcessed(message.key);
    return replies;
  }

  // ── entry: no survey in progress ─────────────────────────────────────────────────────────────

  async #entry(message: TextMessage, text: string, command: TextCommand | undefined, latest: TextSession | undefined): Promise<string[]> {
    const language = latest?.language ?? this.deps.defaultLanguage;
    const t = this.t(language);
    if (command?.kind === "help") return this.#noted(message, [t("conversation:entryHelp")]);
    if (command?.kind === "lang") {
      const other = command.language !== undefined && isSupportedLanguage(command.language) ? command.language : language === "vi" ? "en" : "vi";
      return this.#noted(message, [this.t(other)("conversation:entryPrompt")]);
    }
    const code = extractCode(text);
    if (code === undefined) {
      if (latest) {
        const terminal = this.#terminal(latest, await this.#campaign(latest));
        if (terminal !== undefined) return this.#noted(message, [terminal]);
      }
      return this.#noted(message, [`${t("conversation:welcome")}\n\n${t("conversation:entryPrompt")}`]);
    }
    return this.#redeem(message, code);
  }

  async #redeem(message: TextMessage, input: string): Promise<string[]> {
    const { deps } = this;
    const language = deps.defaultLanguage;
    const t = this.t(language);
    const result = await deps.codes.redeem({ input, account: message.account, now: deps.now() });
    if (result.kind !== "ok") {
      const timeZone = "campaignId" in result ? (await this.#campaigns.find(result.campaignId))?.timeZone : undefined;
      return this.#noted(message, [refusalText(t, result, language, timeZone ?? DEFAULT_TIME_ZONE, deps.lockedHelpKey)]);
    }
    const respondentId = result.subject.kind === "respondent" ? result.subject.respondentId : null;
    const existing = (await deps.sessions.findFor(message.account, result.campaignId, respondentId, respondentId === null ? result.codeId : null)) as TextSession | undefined;
    const campaign = await this.#campaigns.find(result.campaignId);
    if (!campaign) throw new Error(`bug: code of campaign ${result.campaignId}, which does not exist`);
    if (existing) return this.#resume(message, existing, campaign);
    const base = { id: deps.sessions.newId(), account: message.account, chatId: message.chatId, campaignId: campaign.id, codeId: result.codeId } as const;

    if (result.subject.kind === "anonymous") {
      const unitCode = result.subject.unitCode;
      if (unitCode === null) return this.#noted(message, [t("telegram:code.anonymousUnavailable")]);
      const name = (await deps.respondents.unitName(campaign.id, unitCode)) ?? unitCode;
      const session: TextSession = { ...base, respondentId: null, units: [{ id: unitCode, name }], stage: "survey", language };
      const q = campaign.questionnaire;
      const started = startSurvey(q, { language: q.languages.includes(language) ? language : q.defaultLanguage, units: [unitCode], now: deps.now().toISOString() });
      const header = [t("access:code.accepted"), t("citizens:start.unit", { unit: name }), privacyNotice(t, "anonymous", this.#channelName), t("conversation:languageHint")].join("\n\n");
      return this.#commitAndRender(message, session, campaign, started, [header]);
    }

    const respondent = await deps.respondents.find(result.subject.respondentId);
    if (!respondent) throw new Error(`bug: code bound to respondent ${result.subject.respondentId}, who does not exist`);
    const preferred = respondent.language ?? "";
    const session: TextSession = {
      ...base,
      language: isSupportedLanguage(preferred) ? preferred : language,
      respondentId: respondent.id,
      units: (respondent.subjectUnits.length > 0 ? respondent.subjectUnits : [respondent.unit]).map((u) => ({ id: u.id, name: u.name })),
      stage: "identity",
    };
    if ((await deps.sessions.commit(message.key, { session })) === "duplicate") return [];
    const tt = this.t(session.language);
    const notice = privacyNotice(tt, campaign.identified === true ? "identified" : "named", this.#channelName);
    return [`${tt("access:code.accepted")}\n\n${notice}`, this.#identityPrompt(tt, respondent.name, respondent.unit.name)];
  }

  #identityPrompt(t: Translate, name: string, unit: string): string {
    return [t("access:identity.prompt", { name, unit }), `  1. ${t("telegram:identity.confirm")}`, `  2. ${t("telegram:identity.decline")}`, t("conversation:choose12")].join("\n");
  }

  // ── identity ─────────────────────────────────────────────────────────────────────────────────

  async #identity(message: TextMessage, session: TextSession, campaign: BotCampaign, text: string, command: TextCommand | undefined): Promise<string[]> {
    const t = this.t(session.language);
    const respondent = session.respondentId ? await this.deps.respondents.find(session.respondentId) : undefined;
    if (!respondent) throw new Error(`bug: session ${session.id} waits for identity but has no respondent`);
    const prompt = () => this.#identityPrompt(this.t(session.language), respondent.name, respondent.unit.name);
    const yes = parseYesNoChoice(text);
    if (yes === undefined) {
      if (command?.kind === "help") return this.#noted(message, [helpText(t), prompt()]);
      if (command?.kind === "lang") {
        const next = { ...session, language: otherLanguage(session.language, command.language) };
        if ((await this.deps.sessions.commit(message.key, { session: next })) === "duplicate") return [];
        return [this.#identityPrompt(this.t(next.language), respondent.name, respondent.unit.name)];
      }
      return this.#noted(message, [t("conversation:choose12"), prompt()]);
    }
    const now = this.deps.now().toISOString();
    if (!yes) {
      const declined: TextSession = { ...session, stage: "declined", identityDeclinedAt: now };
      if ((await this.deps.sessions.commit(message.key, { session: declined })) === "duplicate") return [];
      return [t("access:identity.declined")];
    }
    const q = campaign.questionnaire;
    const language = q.languages.includes(session.language) ? session.language : q.defaultLanguage;
    const started = startSurvey(q, { language, units: session.units.map((u) => u.id), now });
    return this.#commitAndRender(message, { ...session, stage: "survey", identityConfirmedAt: now }, campaign, started, []);
  }

  // ── the questionnaire ────────────────────────────────────────────────────────────────────────

  async #survey(message: TextMessage, session: TextSession, campaign: BotCampaign, text: string, command: TextCommand | undefined): Promise<string[]> {
    const state = session.engine;
    if (!state) throw new Error(`bug: session ${session.id} is in the survey without an engine state`);
    const renderer = this.#renderer(session, campaign);
    const refuse = (key: string, params: Record<string, unknown> = {}) => this.#noted(message, [renderer.t(key, params)]);
    const position = state.position;
    if (position.kind === "attestation") {
      const yes = parseYesNoChoice(text);
      if (yes !== undefined) return this.#step(message, session, campaign, { type: yes ? "accept_attestation" : "decline_attestation" });
      if (command?.kind === "help") return this.#noted(message, [helpText(renderer.t)]);
      if (command?.kind !== "lang") return refuse("conversation:choose12");
    }
    switch (command?.kind) {
      case "help":
        return this.#noted(message, [helpText(renderer.t)]);
      case "lang": {
        const languages = campaign.questionnaire.languages;
        const wanted = command.language;
        const next = wanted !== undefined && languages.includes(wanted) ? wanted : languages[(languages.indexOf(state.language) + 1) % languages.length]!;
        return this.#step(message, session, campaign, { type: "set_language", language: next });
      }
      case "back":
        return this.#step(message, session, campaign, { type: "back" });
      case "review":
        return this.#step(message, session, campaign, { type: "review" });
      case "skip":
        return this.#step(message, session, campaign, { type: "skip" });
      case "submit":
        if (position.kind !== "review") return refuse("conversation:submitNeedsReview");
        return this.#step(message, session, campaign, { type: "submit" });
      case "edit": {
        const review = session.text?.review;
        if (position.kind !== "review" || review === undefined) return refuse("conversation:editNeedsReview");
        if (command.number === undefined) return refuse("conversation:editUsage");
        const item = review.find((i) => i.number === command.number);
        if (!item) return refuse("console:editUnknown", { number: command.number });
        return this.#step(message, session, campaign, { type: "edit", questionId: item.questionId });
      }
      default:
        break;
    }
    if (position.kind === "review") {
      // A number typed at the review means the question to change.
      const number = /^\d{1,4}$/.test(text) ? Number(text) : undefined;
      const item = number !== undefined ? session.text?.review?.find((i) => i.number === number) : undefined;
      if (item) return this.#step(message, session, campaign, { type: "edit", questionId: item.questionId });
      return refuse("conversation:reviewHint");
    }
    return this.#step(message, session, campaign, { type: "answer", text });
  }

  #renderer(session: TextSession, campaign: BotCampaign, i18n?: I18n): ConsoleRenderer {
    const names = new Map(session.units.map((u) => [u.id, u.name]));
    const q = campaign.questionnaire;
    const language = session.engine?.language ?? (q.languages.includes(session.language) ? session.language : q.defaultLanguage);
    return new ConsoleRenderer({
      questionnaire: q,
      // Its own instance: the renderer follows language changes, which must not reach other chats.
      i18n: i18n ?? this.deps.i18n.cloneInstance({ lng: isSupportedLanguage(language) ? language : this.deps.defaultLanguage, initAsync: false }),
      unitName: (id) => names.get(id) ?? id,
      timeZone: campaign.timeZone,
      numberedYesNo: true,
      language,
      ...(session.text?.section !== undefined ? { lastSection: session.text.section } : {}),
      ...(session.text?.review !== undefined ? { lastReview: session.text.review } : {}),
    });
  }

  /** One engine input: refusals are answered (the message recorded); anything else is stored, then shown. */
  async #step(message: TextMessage, session: TextSession, campaign: BotCampaign, input: EngineInput, prefix: readonly string[] = []): Promise<string[]> {
    const result = engineStep(campaign.questionnaire, session.engine!, input, { now: this.deps.now().toISOString() });
    return this.#commitAndRender(message, session, campaign, result, prefix);
  }

  async #commitAndRender(message: TextMessage, session: TextSession, campaign: BotCampaign, result: StepResult, prefix: readonly string[]): Promise<string[]> {
    const renderer = this.#renderer(session, campaign);
    const lines = renderer.render(result.events);
    const refusedOnly = result.events.length > 0 && result.events.every((e) => e.type === "input_rejected" || e.type === "validation_failed");
    if (refusedOnly) return this.#noted(message, [...prefix, joinLines(lines)]);
    const language = result.state.language;
    const next: TextSession = {
      ...session,
      engine: result.state,
      ...(isSupportedLanguage(language) ? { language } : {}),
      ...(result.state.position.kind === "declined" ? { stage: "declined" as const } : {}),
      text: { ...(renderer.lastSection !== undefined ? { section: renderer.lastSection } : {}), ...(renderer.lastReview ? { review: renderer.lastReview.map(({ questionId, number, required, missing }) => ({ questionId, number, required, missing })) } : {}) },
    };
    if ((await this.deps.sessions.commit(message.key, { session: next, step: result })) === "duplicate") return [];
    const replies = [...prefix, joinLines(lines)].filter((r) => r.trim() !== "");
    if (result.state.position.kind === "completed") replies.push(this.t(next.language)("conversation:afterSubmit"));
    return replies;
  }

  // ── resume, quit, terminal states ────────────────────────────────────────────────────────────

  async #resume(message: TextMessage, session: TextSession, campaign: BotCampaign): Promise<string[]> {
    const t = this.t(session.language);
    const terminal = this.#terminal(session, campaign);
    if (terminal !== undefined) return this.#noted(message, [terminal]);
    if (session.stage === "identity") {
      const respondent = session.respondentId ? await this.deps.respondents.find(session.respondentId) : undefined;
      if (!respondent) throw new Error(`bug: session ${session.id} waits for identity but has no respondent`);
      return this.#noted(message, [t("telegram:resume"), this.#identityPrompt(t, respondent.name, respondent.unit.name)]);
    }
    const result = engineStep(campaign.questionnaire, session.engine!, { type: "resume" }, { now: this.deps.now().toISOString() });
    const shown = result.events.find((e) => e.type === "question_shown");
    const welcome =
      shown?.type === "question_shown"
        ? t("conversation:welcomeBack", { number: shown.number, total: shown.progress.total })
        : result.state.position.kind === "review"
          ? t("conversation:welcomeBackReview")
          : t("telegram:resume");
    // The section title again: the respondent has been away.
    return this.#commitAndRender(message, { ...session, text: { ...session.text, section: undefined } } as TextSession, campaign, result, [welcome]);
  }

  #quitText(session: TextSession, campaign: BotCampaign): string {
    const t = this.t(session.language);
    const closes = campaign.closedAt !== null && campaign.closedAt < campaign.closesAt ? campaign.closedAt : campaign.closesAt;
    return t("conversation:quit", formatDateTime(closes.toISOString(), session.language, campaign.timeZone));
  }

  #terminal(session: TextSession, campaign: BotCampaign): string | undefined {
    const t = this.t(session.language);
    const when = (at: Date | string) => formatDateTime(typeof at === "string" ? at : at.toISOString(), session.language, campaign.timeZone);
    const position = session.engine?.position.kind;
    if (position === "completed") {
      const submitted = session.engine?.responses.at(-1)?.submittedAt;
      return submitted ? t("conversation:alreadySubmitted", when(submitted)) : t("survey:rejected.completed");
    }
    if (session.stage === "declined" || position === "declined") return t("telegram:declined");
    const now = this.deps.now();
    const closed = campaign.closedAt !== null && campaign.closedAt <= now ? campaign.closedAt : campaign.closesAt <= now ? campaign.closesAt : null;
    if (closed) return t("telegram:closed", when(closed));
    return undefined;
  }
}

function isFinished(session: BotSession): boolean {
  return session.stage === "declined" || session.engine?.position.kind === "completed" || session.engine?.position.kind === "declined";
}

function otherLanguage(current: Language, wanted: string | undefined): Language {
  if (wanted !== undefined && isSupportedLanguage(wanted)) return wanted;
  return current === "vi" ? "en" : "vi";
}

function joinLines(lines: readonly string[]): string {
  // Blank lines the terminal renderer starts blocks with are kept inside a message, not at its ends.
  return lines.join("\n").replace(/^\n+|\n+$/g, "");
}

/** The help of the text form: every command word in both languages. */
export function helpText(t: (key: string) => string): string {
  const keys = ["back", "review", "edit", "skip", "submit", "lang", "quit", "help"];
  return [t("console:help.title"), ...keys.map((k) => `  ${t(`console:help.${k}`)}`)].join("\n");
}

/**
 * The code in a message, in any forgiving form: alone (with or without dashes, lower case), inside a
 * sentence, or as `KS_…` from a link. A message that is one short word goes to redemption as is, so
 * a mistyped code gets its precise message; a sentence with no code in it gives undefined.
 */
export function extractCode(text: string): string | undefined {
  const trimmed = text.trim();
  if (trimmed === "") return undefined;
  if (normalizeCode(trimmed).ok) return trimmed;
  const candidates = /(?:^|[^A-Za-z0-9])(?:KS_)?([A-Za-z0-9]{5}[-–\s.]?[A-Za-z0-9]{5})(?![A-Za-z0-9])/gi;
  for (const match of trimmed.matchAll(candidates)) {
    const candidate = match[1]!;
    if (normalizeCode(candidate).ok) return candidate;
  }
  // One token that looks like an attempt at a code (a digit in it, or typed in capitals, e.g.
  // "ABCDO-FGHJK", "ABCD", "abc12"): redeemed as is, so its problem is told precisely.
  const compact = trimmed.replace(/[\s\-–_.]/g, "");
  if (!/\s/.test(trimmed) && compact.length >= 3 && compact.length <= 16 && /^[\p{L}\p{N}]+$/u.test(compact) && (/\p{N}/u.test(compact) || compact === compact.toUpperCase())) return trimmed;
  return undefined;
}

/** The respondent-facing text of a refused redemption, for any channel. */
export function refusalText(t: Translate, result: Exclude<RedemptionResult, { kind: "ok" }>, language: string, timeZone: string, lockedHelpKey = "conversation:lockedHelp"): string {
  const lockedText = (seconds: number) => `${t("telegram:code.locked", { wait: waitText(t, seconds) })} ${t(lockedHelpKey)}`;
  const when = (at: Date) => formatDateTime(at.toISOString(), language, timeZone);
  switch (result.kind) {
    case "invalid_format":
      return problemText(t, result.problem);
    case "unknown_code":
      return result.retryAfterSeconds ? lockedText(result.retryAfterSeconds) : t("telegram:code.unknown", { count: result.attemptsLeft });
    case "revoked":
      return result.retryAfterSeconds ? lockedText(result.retryAfterSeconds) : t("telegram:code.revoked", { count: result.attemptsLeft });
    case "spent":
      return result.retryAfterSeconds ? lockedText(result.retryAfterSeconds) : t("telegram:code.spent");
    case "bound_to_other":
      return result.retryAfterSeconds ? lockedText(result.retryAfterSeconds) : t("conversation:boundToOther", { count: result.attemptsLeft });
    case "delegation_refused":
      return t("telegram:code.delegationRefused");
    case "locked":
      return lockedText(result.retryAfterSeconds);
    case "throttled":
      return t("telegram:code.throttled", { wait: waitText(t, result.retryAfterSeconds) });
    case "campaign_not_open":
      return t("telegram:code.notOpen", when(result.opensAt));
    case "campaign_closed":
      return t("telegram:closed", when(result.closedAt));
  }
}

function waitText(t: Translate, seconds: number): string {
  return seconds >= 60 ? t("telegram:wait.minutes", { count: Math.ceil(seconds / 60) }) : t("telegram:wait.seconds", { count: Math.max(1, Math.ceil(seconds)) });
}

function problemText(t: Translate, problem: CodeProblem): string {
  switch (problem.kind) {
    case "empty":
      return t("telegram:code.problem.empty");
    case "wrong_length":
      return t("telegram:code.problem.wrong_length", { expected: problem.expected, length: problem.length });
    case "bad_character":
      return problem.lookalike
        ? t(`telegram:code.problem.lookalike_${problem.lookalike}`, { position: problem.position })
        : t("telegram:code.problem.bad_character", { character: problem.character, position: problem.position });
  }
}
