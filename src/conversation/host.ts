// The channel-independent conversation host: one message in, the replies out as data (`HostReply`:
// text, choices, commands, free text, and a step's engine events; `handle` gives them in the
// numbered text form). Telegram, Zalo and the console demo are adapters over it: they turn what
// arrives into a `TextMessage` (account and chat with the channel named, a dedupe key, and for
// Telegram a pressed button's choice id, a deep link's payload or the reminder's resume) and show
// what it returns (Telegram: buttons and edits, src/channels/telegram/host-adapter.ts; Zalo and the
// console: numbered text). Everything else lives here or in the path (path.ts): redemption,
// identity, attestation, the engine steps, stale buttons, review and submit, resume, quit,
// language, help, counter posters (`KP_…`), the citizens' clean-up after an anonymous submission,
// "reachable again", and the persistent dedupe of redelivered messages (the key is stored in the
// same transaction as the step, so a redelivery changes nothing).
import { normalizeCode, parseStartPayload } from "../access/index.js";
import type { BotCampaign, BotLogger, BotSession, BotSessionStore, CampaignDirectory, ChatReachability, CodeRedeemer, RespondentDirectory, UpdateKey } from "../channels/telegram/ports.js";
import { cacheCampaigns } from "../channels/telegram/campaign-cache.js";
import { ConsoleRenderer, DEFAULT_TIME_ZONE, formatDateTime, type RenderedParts } from "../channels/console/index.js";
import { parsePosterPayload, POSTER_PAYLOAD_PREFIX } from "../citizens/poster.js";
import type { Language } from "../config/index.js";
import { step as engineStep, type EngineInput, type ReviewItem, type StepResult, type SurveyState } from "../engine/index.js";
import { isSupportedLanguage, type I18n, type Translate } from "../i18n/index.js";
import { privacyNotice } from "../privacy/index.js";
import { parseTextCommand, parseYesNoChoice, type TextCommand } from "./commands.js";
import { notice, renderText, type HostReply } from "./output.js";
import { admit, admitPoster, answerIdentity, anonymousSession, sessionAfterStep, startAnonymousSurvey, campaignOf, completeAnonymous, isFinished, posterRefusalText, respondentOf, terminalOf, terminalText, type AnonymousStart, type CitizenCompletion } from "./path.js";
import { identityPrompt, languagePrompt, otherLanguageChoice } from "./prompts.js";
import { outboxAddress, ReachableAgain } from "./reachable-again.js";
import { editMidSurvey, endOfEdit, keptReturnTo } from "./edit.js";
import { shownTotal, withHonestProgress } from "./progress.js";
import { refusalText } from "./refusal.js";
import { cannotJudgeNumber, isCannotJudge, readShownAnswer } from "./typed.js";
import { answerText, inputOfChoice, questionView, reviewView } from "./views.js";

/** One message as a channel received it. */
export interface TextMessage {
  /** Deduplication key, unique per message of the channel (Zalo: `<event_name>:<message_id>`, Telegram: `update_id`). */
  readonly key: UpdateKey;
  /** `<channel>:<user id>`. */
  readonly account: string;
  /** The channel's chat id (Telegram's numeric one, as its stored sessions keep it). */
  readonly chatId: string | number;
  /** Undefined for a message that is not text (an image, a sticker): answered with a polite request to type, unless `choice` or `start` is set. */
  readonly text?: string;
  /** A pressed button: the id of the choice it stands for (`identity:yes`, `option:<id>`, `submit`). */
  readonly choice?: string;
  /** For `choice`: the question the button was offered for (a pick counts only while it is the current one). */
  readonly questionId?: string;
  /**
   * For `choice`: whether the button belongs to the sender's latest session (`own`) and sits on its
   * live prompt (`live`), as the channel can tell (Telegram: the session tag in the data, the
   * message id); absent: both.
   */
  readonly button?: { readonly own: boolean; readonly live: boolean };
  /** "Continue answering" under a reminder: where the respondent stopped in that campaign (null: in their latest session). */
  readonly resume?: { readonly campaignId: string | null };
  /** A deep link's start payload (`KS_<code>`, `KP_<token>`; "" for a plain start). */
  readonly start?: string;
  /** The language the respondent's app uses, when the channel knows it: the texts before a code, and a named respondent's. */
  readonly language?: Language;
}

/** Keys of the texts a channel words its own way (absent: the text form's `conversation:*`). */
export interface HostWording {
  /** Greeting before the code prompt. */
  readonly welcome?: string;
  /** Asking for the code. */
  readonly codePrompt?: string;
  /** The one greeting of a returning respondent (absent: "you stopped at question N"). */
  readonly resume?: string;
  /** A code bound to another account. */
  readonly boundToOther?: string;
  /** "Already submitted at …". */
  readonly submitted?: string;
  /**
   * A channel with buttons: identity and attestation are answered by pressing them, and a typed
   * message there gets this text (absent: the text form's typed yes/no, 1/2).
   */
  readonly useButtons?: string;
  /** A survey command (back, skip, review, edit, submit) with no survey in progress (absent: the greeting and the code prompt). */
  readonly noSession?: string;
  /** Said after the thanks of a submission (null: nothing; default `conversation:afterSubmit`). */
  readonly afterSubmit?: string | null;
}

/** What one message did: the replies, and the session they are about (a channel that ties buttons to a session needs it). */
export interface HostOutcome {
  readonly replies: HostReply[];
  readonly session?: BotSession;
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
  /** Text added to the "too many wrong codes" message: how to get out (default `conversation:lockedHelp`; null: nothing added). */
  readonly lockedHelpKey?: string | null;
  /**
   * The channel draws a step's engine events itself (`HostReply.events`: Telegram), so the host
   * leaves a step reply's text, choices and views empty instead of rendering the text form.
   */
  readonly drawsEvents?: boolean;
  /** `lang` alone shows the language chooser (a channel with buttons) instead of switching to the other language. */
  readonly languageChooser?: boolean;
  /** The channel's own wording of a few texts. */
  readonly wording?: HostWording;
  /** How long a campaign read is reused (default 5 s, as Telegram's; 0: read every time). */
  readonly campaignCacheMs?: number;
  /** Citizens' feedback: counter posters typed as `KP_…`, and the code spent / chat forgotten after an anonymous submission. */
  readonly citizens?: CitizenCompletion;
  /** Chats the outbox marked unreachable: one that writes again is cleared (absent: never cleared). */
  readonly reachability?: ChatReachability;
}

/** The session of the text form: the Telegram session's fields plus what the text renderer keeps between messages. */
type TextSession = BotSession & {
  readonly text?: {
    readonly section?: string;
    readonly review?: readonly ReviewItem[];
    /**
     * `edit N` typed mid-questionnaire: the flow question the respondent was on. Kept while the
     * edit walk lasts; when the walk ends (at the review) they are taken back there (`#step`).
     */
    readonly returnTo?: string;
  };
};

const CHANNEL_NAMES: Record<string, string> = { telegram: "Telegram", zalo: "Zalo", console: "Zalo/Telegram" };

/** Longest text a message may carry into the host (a questionnaire's open answers are limited well below). */
export const MAX_INPUT_CHARACTERS = 4_000;

/** Accounts whose pre-code language choice is remembered (a province's respondents, several times over). */
const MAX_CHOSEN_LANGUAGES = 10_000;

/** The host of the text form for one channel. */
export class TextConversationHost {
  readonly #translators = new Map<string, Translate>();
  #cannotJudgeWords: readonly string[] | undefined;

  /** i18next instances lent to the per-message renderers, one per language (see `#rendererI18n`). */
  readonly #rendererInstances = new Map<string, I18n>();

  readonly #campaigns: CampaignDirectory;

  readonly #reachable: ReachableAgain | undefined;

  /** The session each message's replies are about (see `respondBegun`). */
  readonly #about = new WeakMap<TextMessage, TextSession>();

  /** Language chosen with `lang` before a code, per account (no session exists yet to hold it); bounded, oldest forgotten first. */
  readonly #chosenLanguage = new Map<string, Language>();

  constructor(readonly deps: TextHostDeps) {
    this.#campaigns = deps.campaignCacheMs === 0 ? deps.campaigns : cacheCampaigns(deps.campaigns, { ttlMs: deps.campaignCacheMs ?? 5_000 });
    this.#reachable = deps.reachability ? new ReachableAgain(deps.reachability, deps.now, deps.logger) : undefined;
  }

  /** The ports the shared path reads (with the cached campaigns). */
  get #ports() {
    return { codes: this.deps.codes, campaigns: this.#campaigns, respondents: this.deps.respondents, sessions: this.deps.sessions };
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

  /** `respond` in the text form: each reply rendered as numbered text (Zalo, the console). */
  async handle(message: TextMessage): Promise<string[]> {
    return (await this.respond(message)).map(renderText).filter((text) => text.trim() !== "");
  }

  /**
   * Handles one message and returns the replies as data, in order; an empty list for a redelivered
   * message. Every change is stored before this returns.
   */
  async respond(message: TextMessage): Promise<HostReply[]> {
    const { sessions } = this.deps;
    try {
      return await this.#respond(message);
    } finally {
      // On PostgreSQL `begin` took the account's lock until `commit` or `markProcessed`: a message
      // that failed before either releases it now, not after the lock's one-minute expiry.
      await sessions.end?.(message.key);
    }
  }

  async #respond(message: TextMessage): Promise<HostReply[]> {
    const { sessions } = this.deps;
    const start = await sessions.begin(message.key, message.account);
    if (start.processed) return [];
    // Writing again means the respondent unblocked the bot: reminders may reach this chat again.
    await this.#reachable?.wrote(outboxAddress(this.deps.channel, String(message.chatId)), { channel: this.deps.channel });
    return this.#dispatch(message, start.latest as TextSession | undefined);
  }

  /**
   * `respond` for a channel that already began the update (deduplicated it and read the sender's
   * latest session, `latest`) and ends it itself: Telegram's middleware does both for every update.
   */
  async respondBegun(message: TextMessage, latest: BotSession | undefined): Promise<HostOutcome> {
    const replies = await this.#dispatch(message, latest as TextSession | undefined);
    const session = this.#about.get(message);
    return { replies, ...(session ? { session } : {}) };
  }

  /** Records which session the message's replies are about. */
  #concerns<S extends TextSession>(message: TextMessage, session: S): S {
    this.#about.set(message, session);
    return session;
  }

  async #dispatch(message: TextMessage, latest: TextSession | undefined): Promise<HostReply[]> {
    const language = latest?.language ?? this.#languageBeforeCode(message.account);
    if (message.start !== undefined) return this.#start(message, message.start.trim(), latest);
    if (message.resume !== undefined) {
      const { campaignId } = message.resume;
      const session = campaignId === null ? latest : ((await this.deps.sessions.findInCampaign(message.account, campaignId)) as TextSession | undefined);
      if (!session) return this.#noted(message, [{ ...notice(this.t(language)(this.deps.wording?.noSession ?? "telegram:noSession")), toast: "alert" }]);
      return this.#resume(message, session, await this.#campaign(session));
    }
    if (message.choice !== undefined) return this.#choice(message, latest);
    if (message.text === undefined) return this.#noted(message, [notice(this.t(language)("conversation:nonText"))]);
    const text = message.text.slice(0, MAX_INPUT_CHARACTERS).trim();
    // A poster's code: in a sentence only when no survey waits for an answer (an open answer may mention one).
    const posterText = !latest || isFinished(latest) ? posterCandidate(text) : text;
    const poster = this.deps.citizens ? parsePosterPayload(posterText) : undefined;
    if (poster && poster.kind !== "not_poster") return this.#poster(message, poster.kind === "poster" ? poster.token : undefined);
    const command = parseTextCommand(text);
    if (!latest || isFinished(latest)) return this.#entry(message, text, command, latest);
    const campaign = await this.#campaign(latest);
    if (command?.kind === "start") {
      // "continue" at a review with required questions missing (the review offers it) walks to them:
      // the engine's refused submit names them and moves to the first. Not a return from away.
      if (latest.engine?.position.kind === "review" && this.#terminal(latest, campaign) === undefined) {
        const walk = engineStep(campaign.questionnaire, latest.engine, { type: "submit" }, { now: this.deps.now().toISOString() });
        // Only a refused submit is taken: "continue" never submits.
        if (walk.events.some((e) => e.type === "submit_refused")) return this.#commitAndRender(message, latest as TextSession, campaign, walk, []);
      }
      return this.#resume(message, latest, campaign);
    }
    if (command?.kind === "quit") return this.#noted(message, [notice(this.#quitText(latest, campaign))]);
    const terminal = this.#terminal(latest, campaign);
    if (terminal !== undefined) {
      // A closed campaign: a code typed now may belong to another, open survey.
      if (normalizeCode(text).ok) return this.#redeem(message, text);
      return this.#noted(message, [notice(terminal)]);
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
    return (await this.#resume({ key, account, chatId: String(latest.chatId) }, latest, campaign)).map(renderText);
  }

  /**
   * A deep link's start: a poster's `KP_…`, a code's `KS_…` (or one given bare), or a plain start:
   * where a returning respondent was, else the greeting and the code prompt.
   */
  async #start(message: TextMessage, payload: string, latest: TextSession | undefined): Promise<HostReply[]> {
    const poster = this.deps.citizens && payload !== "" ? parsePosterPayload(payload) : undefined;
    if (poster && poster.kind !== "not_poster") return this.#poster(message, poster.kind === "poster" ? poster.token : undefined);
    const parsed = parseStartPayload(payload);
    if (parsed.kind === "malformed") return this.#noted(message, [notice(this.t(this.#appLanguage(message))("telegram:code.malformedLink"))]);
    if (parsed.kind === "code") return this.#redeem(message, parsed.input);
    if (latest) return this.#resume(message, latest, await this.#campaign(latest));
    return this.#entry(message, "", undefined, latest);
  }

  /** The language before a code: chosen with `lang`, else the app's, else the default. */
  #appLanguage(message: TextMessage): Language {
    return this.#chosenLanguage.get(message.account) ?? message.language ?? this.deps.defaultLanguage;
  }

  /**
   * A pressed button. Taken when it is this session's, on its live prompt, and means something where
   * the respondent is. A button of this session on an older message, or on a prompt the engine moved
   * past (a step stored but its prompt never delivered), shows where the respondent is, with a short
   * notice; anything else (another session's, a forged one on the live prompt) gets the notice only.
   */
  async #choice(message: TextMessage, latest: TextSession | undefined): Promise<HostReply[]> {
    const t = this.t(latest?.language ?? this.#appLanguage(message));
    if (!latest) return this.#noted(message, [{ ...notice(t("telegram:noSession")), toast: "alert" }]);
    const campaign = await this.#campaign(latest);
    const { own, live } = message.button ?? { own: true, live: true };
    const choice = message.choice!;
    // A language may be chosen whatever the survey's state (a named respondent's chooser).
    if (choice.startsWith("language:")) return this.#languageChoice(message, latest, campaign, choice.slice("language:".length), own);
    const terminal = this.#terminal(latest, campaign);
    if (terminal !== undefined) return this.#noted(message, [{ ...notice(terminal), toast: "alert" }]);
    const stale: HostReply = { ...notice(t("telegram:notice.stale")), toast: "notice" };
    if (latest.stage === "identity") {
      if (own && live && choice.startsWith("identity:")) return this.#identity(message, latest, campaign, "", undefined);
      return this.#noted(message, [stale]);
    }
    const state = latest.engine;
    if (latest.stage !== "survey" || !state) return this.#noted(message, [stale]);
    const input = own && live ? inputOfChoice(campaign.questionnaire, state.position, choice, message.questionId) : undefined;
    if (input) return this.#step(message, latest, campaign, input);
    if (own && (!live || !promptIsCurrent(latest))) return this.#step(message, latest, campaign, { type: "resume" }, [stale]);
    return this.#noted(message, [stale]);
  }

  /** The language an account chose before its code, else the default. */
  #languageBeforeCode(account: string): Language {
    return this.#chosenLanguage.get(account) ?? this.deps.defaultLanguage;
  }

  #chooseLanguage(account: string, language: Language): void {
    this.#chosenLanguage.delete(account);
    this.#chosenLanguage.set(account, language);
    if (this.#chosenLanguage.size > MAX_CHOSEN_LANGUAGES) this.#chosenLanguage.delete(this.#chosenLanguage.keys().next().value!);
  }

  #campaign(session: BotSession): Promise<BotCampaign> {
    return campaignOf(this.#ports, session.campaignId);
  }

  /** Marks the message processed (nothing stored) and returns the replies. */
  async #noted(message: TextMessage, replies: HostReply[]): Promise<HostReply[]> {
    await this.deps.sessions.markProcessed(message.key);
    return replies;
  }

  // ── entry: no survey in progress ─────────────────────────────────────────────────────────────

  async #entry(message: TextMessage, text: string, command: TextCommand | undefined, latest: TextSession | undefined): Promise<HostReply[]> {
    const language = this.#chosenLanguage.get(message.account) ?? latest?.language ?? message.language ?? this.deps.defaultLanguage;
    const t = this.t(language);
    const codePrompt = (body: string): HostReply => ({ text: body, prompt: "code", freeText: true, commands: ["help", "lang", "quit"] });
    const promptKey = this.deps.wording?.codePrompt ?? "conversation:entryPrompt";
    if (command?.kind === "help") return this.#noted(message, [codePrompt(t("conversation:entryHelp"))]);
    if (command?.kind === "lang") {
      const other = command.language !== undefined && isSupportedLanguage(command.language) ? command.language : language === "vi" ? "en" : "vi";
      this.#chooseLanguage(message.account, other);
      const tt = this.t(other);
      return this.#noted(message, [codePrompt(tt(promptKey))]);
    }
    // Nothing to pause: say goodbye instead of greeting again.
    if (command?.kind === "quit") return this.#noted(message, [notice(t("conversation:goodbye"))]);
    const surveyCommand = command !== undefined && ["back", "skip", "review", "edit", "submit"].includes(command.kind);
    if (surveyCommand && !latest && this.deps.wording?.noSession !== undefined) return this.#noted(message, [notice(t(this.deps.wording.noSession))]);
    const code = extractCode(text);
    if (code === undefined) {
      if (latest) {
        const terminal = this.#terminal(latest, await this.#campaign(latest));
        if (terminal !== undefined) return this.#noted(message, [notice(terminal)]);
      }
      return this.#noted(message, [codePrompt(`${t(this.deps.wording?.welcome ?? "conversation:welcome")}\n\n${t(promptKey)}`)]);
    }
    return this.#redeem(message, code);
  }

  async #redeem(message: TextMessage, input: string): Promise<HostReply[]> {
    const { deps } = this;
    const language = this.#appLanguage(message);
    const t = this.t(language);
    const admission = await admit(this.#ports, { input, account: message.account, chatId: message.chatId, now: deps.now(), language });
    switch (admission.kind) {
      case "refused": {
        const text = refusalText(t, admission.result, language, admission.timeZone ?? DEFAULT_TIME_ZONE, {
          ...(deps.lockedHelpKey !== null ? { lockedHelpKey: deps.lockedHelpKey ?? "conversation:lockedHelp" } : {}),
          boundToOtherKey: deps.wording?.boundToOther ?? "conversation:boundToOther",
        });
        return this.#noted(message, [notice(text)]);
      }
      case "existing":
        return this.#resume(message, admission.session, admission.campaign);
      case "anonymous_unavailable":
        return this.#noted(message, [notice(t("telegram:code.anonymousUnavailable"))]);
      case "anonymous":
        return this.#startAnonymous(message, admission, t("access:code.accepted"));
      case "named": {
        const { session, campaign, respondent } = admission;
        if ((await deps.sessions.commit(message.key, { session: this.#concerns(message, session) })) === "duplicate") return [];
        const tt = this.t(session.language);
        const privacy = privacyNotice(tt, campaign.identified === true ? "identified" : "named", this.#channelName);
        return [notice(`${tt("access:code.accepted")}\n\n${privacy}`), identityPrompt(tt, respondent.name, respondent.unit.name)];
      }
    }
  }

  /** A counter poster typed as text (`KP_…`, as its QR link carries it); undefined token: a broken one. */
  async #poster(message: TextMessage, token: string | undefined): Promise<HostReply[]> {
    const { deps } = this;
    const language = this.#languageBeforeCode(message.account);
    const t = this.t(language);
    if (token === undefined) return this.#noted(message, [notice(t("citizens:poster.malformed"))]);
    const admission = await admitPoster(this.#ports, deps.citizens!, { token, account: message.account, now: deps.now() });
    switch (admission.kind) {
      case "refused": {
        const when = (at: Date) => formatDateTime(at.toISOString(), language, admission.timeZone ?? DEFAULT_TIME_ZONE);
        return this.#noted(message, [notice(posterRefusalText(t, admission.result, when))]);
      }
      case "existing":
        return this.#resume(message, admission.session, admission.campaign);
      case "start":
        return this.#startAnonymous(message, admission.start);
    }
  }

  /** An anonymous survey (batch code or poster): no identity step, the unit and the privacy notice first. */
  async #startAnonymous(message: TextMessage, start: AnonymousStart, greeting?: string): Promise<HostReply[]> {
    const language = this.#languageBeforeCode(message.account);
    const session: TextSession = await anonymousSession(this.#ports, start, { account: message.account, chatId: message.chatId, language });
    const started = startAnonymousSurvey(start.campaign, session, this.deps.now().toISOString());
    return this.#commitAndRender(message, session, start.campaign, started, [this.#anonymousWelcome(language, session, start.campaign, greeting, start.service)]);
  }

  /** An anonymous respondent's first message: the unit rated, the privacy notice, the other language (typed, or a button). */
  #anonymousWelcome(language: Language, session: BotSession, campaign: BotCampaign, greeting?: string, service?: string | null): HostReply {
    const t = this.t(language);
    const welcome = [
      ...(greeting !== undefined ? [greeting] : []),
      [t("citizens:start.unit", { unit: session.units[0]!.name }), ...(service ? [t("citizens:start.service", { service })] : [])].join("\n"),
      privacyNotice(t, "anonymous", this.#channelName),
    ];
    const other: Language = language === "vi" ? "en" : "vi";
    const offers = campaign.questionnaire.languages.includes(other) ? [otherLanguageChoice(t, other)] : [];
    return { ...notice([...welcome, t("conversation:languageHint")].join("\n\n")), buttonText: welcome.join("\n\n"), offers };
  }

  /**
   * A language button (the chooser's, or the one under an anonymous welcome): mid-survey the engine
   * shows the current prompt again in it (an anonymous respondent's welcome too); before the survey,
   * the session's language changes. Another session's button gets the stale notice.
   */
  async #languageChoice(message: TextMessage, session: TextSession, campaign: BotCampaign, language: string, own: boolean): Promise<HostReply[]> {
    const stale: HostReply = { ...notice(this.t(session.language)("telegram:notice.stale")), toast: "notice" };
    if (!own || !isSupportedLanguage(language)) return this.#noted(message, [stale]);
    const languages = campaign.questionnaire.languages;
    const state = session.engine;
    if (session.respondentId === null) {
      const terminal = this.#terminal(session, campaign);
      if (terminal !== undefined) return this.#noted(message, [{ ...notice(terminal), toast: "alert" }]);
      if (language === session.language || !languages.includes(language) || !state) return this.#noted(message, []);
      return this.#step(message, session, campaign, { type: "set_language", language }, [this.#anonymousWelcome(language, session, campaign)]);
    }
    if (state && state.position.kind !== "completed" && state.position.kind !== "declined" && languages.includes(language)) return this.#step(message, session, campaign, { type: "set_language", language });
    const next: TextSession = { ...session, language };
    if ((await this.deps.sessions.commit(message.key, { session: this.#concerns(message, next) })) === "duplicate") return [];
    return [notice(this.t(language)("survey:languageChanged"))];
  }

  // ── identity ─────────────────────────────────────────────────────────────────────────────────

  async #identity(message: TextMessage, session: TextSession, campaign: BotCampaign, text: string, command: TextCommand | undefined): Promise<HostReply[]> {
    const t = this.t(session.language);
    const respondent = await respondentOf(this.#ports, session);
    const prompt = (language: Language) => identityPrompt(this.t(language), respondent.name, respondent.unit.name);
    this.#concerns(message, session);
    if (message.choice === undefined && this.deps.wording?.useButtons !== undefined && command?.kind !== "lang") return this.#noted(message, [notice(t(this.deps.wording.useButtons))]);
    // A pressed button names its choice; typed, yes or no in either language, or 1 / 2.
    const yes = message.choice !== undefined ? (message.choice === "identity:yes" ? true : message.choice === "identity:no" ? false : undefined) : parseYesNoChoice(text);
    if (yes === undefined) {
      if (command?.kind === "help") return this.#noted(message, [notice(helpText(t)), prompt(session.language)]);
      if (command?.kind === "lang") {
        if (command.language === undefined && this.deps.languageChooser === true) return this.#noted(message, [languagePrompt(t)]);
        const next = { ...session, language: otherLanguage(session.language, command.language) };
        if ((await this.deps.sessions.commit(message.key, { session: this.#concerns(message, next) })) === "duplicate") return [];
        return [prompt(next.language)];
      }
      return this.#noted(message, [notice(t("conversation:choose12")), prompt(session.language)]);
    }
    const answered = answerIdentity(session, campaign, yes, this.deps.now().toISOString());
    if (!answered.started) {
      if ((await this.deps.sessions.commit(message.key, { session: this.#concerns(message, answered.session) })) === "duplicate") return [];
      return [notice(t("access:identity.declined"))];
    }
    return this.#commitAndRender(message, answered.session, campaign, answered.started, []);
  }

  // ── the questionnaire ────────────────────────────────────────────────────────────────────────

  async #survey(message: TextMessage, session: TextSession, campaign: BotCampaign, text: string, command: TextCommand | undefined): Promise<HostReply[]> {
    const state = session.engine;
    if (!state) throw new Error(`bug: session ${session.id} is in the survey without an engine state`);
    // Built only for a refusal or help: an answer's step builds its own renderer.
    const renderer = () => this.#renderer(session, campaign);
    const refuse = (key: string, params: Record<string, unknown> = {}) => this.#noted(message, [notice(renderer().t(key, params))]);
    const position = state.position;
    const help = () => {
      const r = renderer();
      const text = notice(helpText((key) => r.t(key)));
      // Then the prompt the respondent was on, again: in a text channel the help pushed it out of
      // view, and it is what they answer next (Telegram's own /help leaves its live prompt in place).
      return this.#step(message, session, campaign, { type: "resume" }, [text]);
    };
    if (position.kind === "attestation" && this.deps.wording?.useButtons !== undefined && command?.kind !== "lang") return this.#noted(message, [notice(this.t(session.language)(this.deps.wording.useButtons))]);
    if (position.kind === "attestation") {
      const yes = parseYesNoChoice(text);
      const input = yes !== undefined ? inputOfChoice(campaign.questionnaire, position, yes ? "attestation:yes" : "attestation:no") : undefined;
      if (input) return this.#step(message, session, campaign, input);
      if (command?.kind === "help") return help();
      if (command?.kind !== "lang") return refuse("conversation:choose12");
    }
    switch (command?.kind) {
      case "help":
        return help();
      case "lang": {
        if (command.language === undefined && this.deps.languageChooser === true) return this.#noted(message, [languagePrompt(this.t(session.language))]);
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
      case "submit": {
        const submit = inputOfChoice(campaign.questionnaire, position, "submit");
        if (!submit) return refuse("conversation:submitNeedsReview");
        return this.#step(message, session, campaign, submit);
      }
      case "edit": {
        // Mid-questionnaire: any question already answered or passed, then back where the respondent was.
        if (position.kind === "question") return this.#editMidSurvey(message, session, campaign, command.number);
        const review = session.text?.review;
        if (position.kind !== "review" || review === undefined) return refuse("conversation:editNeedsReview");
        if (command.number === undefined) return refuse("conversation:editUsage");
        const item = review.find((i) => i.number === command.number);
        const edit = item ? inputOfChoice(campaign.questionnaire, position, `edit:${item.questionId}`) : undefined;
        if (!edit) return refuse("console:editUnknownRange", { number: command.number, count: review.length });
        return this.#step(message, session, campaign, edit);
      }
      default:
        break;
    }
    if (position.kind === "review") {
      // A number typed at the review means the question to change.
      const number = /^\d{1,4}$/.test(text) ? Number(text) : undefined;
      const item = number !== undefined ? session.text?.review?.find((i) => i.number === number) : undefined;
      // The review line's edit choice, as Telegram's edit button picks it.
      const edit = item ? inputOfChoice(campaign.questionnaire, position, `edit:${item.questionId}`) : undefined;
      if (edit) return this.#step(message, session, campaign, edit);
      return refuse("conversation:reviewHint");
    }
    // Only the question whose prompt the respondent last received takes a typed answer: after a crash
    // between storing an answer and sending the next question, the engine is one question ahead of
    // what they saw, so show them the current question instead of filing their text under it.
    if (position.kind === "question" && !promptIsCurrent(session)) return this.#step(message, session, campaign, { type: "resume" });
    const question = position.kind === "question" ? campaign.questionnaire.byId.get(position.questionId)?.question : undefined;
    // Read as shown: the numbers and wording of the options, never an id the respondent was not shown (typed.ts).
    const reading = question ? readShownAnswer(question, text, this.#notApplicableWords) : undefined;
    if (reading?.kind === "not_shown") {
      const na = cannotJudgeNumber(question!, this.#notApplicableWords);
      const params = { value: reading.value, count: reading.optionCount, ...(na !== undefined ? { na } : {}) };
      return refuse(na !== undefined ? "conversation:optionNotShownNa" : "conversation:optionNotShown", params);
    }
    // The question id pins the answer to the question the respondent saw (a chat's messages run in order).
    const input: EngineInput = reading?.kind === "input" ? reading.input : { type: "answer", text, ...(position.kind === "question" ? { questionId: position.questionId } : {}) };
    return this.#step(message, session, campaign, input, [], { confirmCannotJudge: true });
  }

  /** "Cannot judge" as the channel words it, in every language (a typed answer may use it; a stored one is confirmed with it). */
  get #notApplicableWords(): readonly string[] {
    // Read once: the texts do not change while the host runs, and each lookup cost ~20 µs, a
    // twentieth of an answer's handling (asked up to three times an answer).
    return (this.#cannotJudgeWords ??= ["vi", "en"].map((language) => this.t(language)("survey:notApplicable")));
  }

  #renderer(session: TextSession, campaign: BotCampaign, i18n?: I18n): ConsoleRenderer {
    const names = new Map(session.units.map((u) => [u.id, u.name]));
    const q = campaign.questionnaire;
    const language = session.engine?.language ?? (q.languages.includes(session.language) ? session.language : q.defaultLanguage);
    return new ConsoleRenderer({
      questionnaire: q,
      i18n: i18n ?? this.#rendererI18n(isSupportedLanguage(language) ? language : this.deps.defaultLanguage),
      unitName: (id) => names.get(id) ?? id,
      timeZone: campaign.timeZone,
      numberedYesNo: true,
      language,
      ...(session.text?.section !== undefined ? { lastSection: session.text.section } : {}),
      ...(session.text?.review !== undefined ? { lastReview: session.text.review } : {}),
    });
  }

  /**
   * An i18next instance for a renderer, in `language`. The renderer follows language changes, which
   * must not reach other chats, so it cannot have the shared instance; cloning one per message cost
   * a fifth of an answer's handling, so one clone per language is lent out instead. A renderer uses
   * it synchronously right after it is built (render, refusal texts; no await in between), so a
   * language switch made while rendering is undone here before the next renderer reads it.
   */
  #rendererI18n(language: string): I18n {
    let instance = this.#rendererInstances.get(language);
    if (!instance) this.#rendererInstances.set(language, (instance = this.deps.i18n.cloneInstance({ lng: language, initAsync: false })));
    else if (instance.language !== language) void instance.changeLanguage(language);
    return instance;
  }

  /** One engine input: refusals are answered (the message recorded); anything else is stored, then shown. */
  async #step(message: TextMessage, session: TextSession, campaign: BotCampaign, input: EngineInput, prefix: readonly HostReply[] = [], options: { readonly confirmCannotJudge?: boolean } = {}): Promise<HostReply[]> {
    const now = this.deps.now().toISOString();
    let result = engineStep(campaign.questionnaire, session.engine!, input, { now });
    // A typed answer stored as "cannot judge" is said back in words ("Đã ghi: Không đánh giá được"), so
    // a stray key never passes unnoticed. Telegram marks the answered question with it already.
    if (options.confirmCannotJudge === true && this.deps.drawsEvents !== true) {
      const recorded = result.events.find((e) => e.type === "answer_recorded");
      const question = recorded?.type === "answer_recorded" ? campaign.questionnaire.byId.get(recorded.questionId)?.question : undefined;
      if (recorded?.type === "answer_recorded" && question && isCannotJudge(question, recorded.value, this.#notApplicableWords)) {
        const language = session.engine!.language;
        const t = this.t(isSupportedLanguage(language) ? language : session.language);
        const answer = answerText({ questionnaire: campaign.questionnaire, language, t }, question, recorded.value);
        prefix = [...prefix, notice(t("conversation:storedAnswer", { answer }))];
      }
    }
    // An edit typed mid-questionnaire ends where the respondent was, not at the review (edit.ts).
    result = endOfEdit(campaign.questionnaire, result, input, session.text?.returnTo, now);
    return this.#commitAndRender(message, session, campaign, result, prefix);
  }

  /** `edit N` (sửa N) at a question (edit.ts): a refusal, the current question again, or the edit walk with the way back kept. */
  async #editMidSurvey(message: TextMessage, session: TextSession, campaign: BotCampaign, number: number | undefined): Promise<HostReply[]> {
    const t = this.#renderer(session, campaign);
    const edit = editMidSurvey(campaign.questionnaire, session.engine!, number, session.text?.returnTo, this.deps.now().toISOString());
    const says = notice(t.t(edit.key, edit.params));
    if (edit.kind === "refused") return this.#noted(message, [says]);
    if (edit.kind === "current") return this.#step(message, session, campaign, { type: "resume" }, [says]);
    const next: TextSession = { ...session, text: { ...session.text, ...(edit.returnTo !== undefined ? { returnTo: edit.returnTo } : {}) } };
    return this.#commitAndRender(message, next, campaign, edit.result, [says]);
  }

  async #commitAndRender(message: TextMessage, session: TextSession, campaign: BotCampaign, result: StepResult, prefix: readonly HostReply[]): Promise<HostReply[]> {
    // Every question and review shown carries the honest total (progress.ts), whatever the channel draws.
    result = withHonestProgress(campaign.questionnaire, result);
    // A channel that draws the events itself gets no text form of the step (a fifth of a step's time went into it).
    const renderer = this.deps.drawsEvents === true ? undefined : this.#renderer(session, campaign);
    const reply: HostReply = renderer
      ? this.#withViews({ ...stepReply(renderer.renderParts(result.events), result.state.position), events: result.events }, campaign, result)
      : { ...stepReply({ text: [], hint: [] }, result.state.position), events: result.events };
    const refusedOnly = result.events.length > 0 && result.events.every((e) => e.type === "input_rejected" || e.type === "validation_failed");
    this.#concerns(message, session);
    if (refusedOnly) return this.#noted(message, [...prefix, reply]);
    const shownReview = renderer ? renderer.lastReview : result.events.findLast((e) => e.type === "review_shown")?.items;
    const review = shownReview ?? (renderer ? undefined : session.text?.review);
    const returnTo = keptReturnTo(result.state, session.text?.returnTo);
    const next: TextSession = {
      ...sessionAfterStep(session, result),
      text: {
        ...(renderer?.lastSection !== undefined ? { section: renderer.lastSection } : {}),
        ...(review ? { review: review.map(({ questionId, number, required, missing }) => ({ questionId, number, required, missing })) } : {}),
        // Kept while the mid-survey edit walk lasts (see `#step`).
        ...(returnTo !== undefined ? { returnTo } : {}),
      },
    };
    if ((await this.deps.sessions.commit(message.key, { session: this.#concerns(message, next), step: result })) === "duplicate") return [];
    // A step's reply with no text is kept for a channel that draws its events (a ticked box edits the keyboard).
    const replies = [...prefix, reply].filter((r) => renderText(r).trim() !== "" || r.events !== undefined);
    if (result.state.position.kind === "completed") {
      const afterSubmit = this.deps.wording?.afterSubmit === undefined ? "conversation:afterSubmit" : this.deps.wording.afterSubmit;
      if (afterSubmit !== null) replies.push(notice(this.t(next.language)(afterSubmit)));
      // An anonymous response: spend the code or record the poster claim, and forget this chat.
      const closing = this.deps.citizens ? await completeAnonymous(this.deps.citizens, next, message.account, this.deps.now()) : undefined;
      if (closing !== undefined) replies.push(notice(this.t(next.language)(closing, { channel: this.#channelName })));
    }
    return replies;
  }

  /**
   * The reply with the prompt the step ends on as data: the question shown or the review, when the
   * engine is still there. The view is built when first read: the text form (Zalo, the console)
   * never reads it, and building it cost about a tenth of an answer's handling (a review's, several
   * answers' worth).
   */
  #withViews(reply: HostReply, campaign: BotCampaign, result: StepResult): HostReply {
    const language = result.state.language;
    const context = () => ({ questionnaire: campaign.questionnaire, language, t: this.t(language) });
    const position = result.state.position;
    const shown = result.events.findLast((e) => e.type === "question_shown" || e.type === "review_shown");
    if (shown?.type === "question_shown" && position.kind === "question" && position.questionId === shown.questionId) return lazyProperty(reply, "question", () => questionView(context(), shown));
    if (shown?.type === "review_shown" && position.kind === "review") return lazyProperty(reply, "review", () => reviewView(context(), shown));
    return reply;
  }

  // ── resume, quit, terminal states ────────────────────────────────────────────────────────────

  async #resume(message: TextMessage, session: TextSession, campaign: BotCampaign): Promise<HostReply[]> {
    const t = this.t(session.language);
    this.#concerns(message, session);
    const terminal = this.#terminal(session, campaign);
    if (terminal !== undefined) return this.#noted(message, [notice(terminal)]);
    if (session.stage === "identity") {
      const respondent = await respondentOf(this.#ports, session);
      return this.#noted(message, [notice(t("telegram:resume")), identityPrompt(t, respondent.name, respondent.unit.name)]);
    }
    const result = withHonestProgress(campaign.questionnaire, resumeStep(campaign, session.engine!, this.deps.now().toISOString()));
    const shown = result.events.find((e) => e.type === "question_shown");
    const total = shown?.type === "question_shown" ? shownTotal(shown.progress) : undefined;
    const welcome =
      this.deps.wording?.resume !== undefined
        ? t(this.deps.wording.resume)
        : shown?.type === "question_shown"
        ? t(total?.exact === false ? "conversation:welcomeBackAtMost" : "conversation:welcomeBack", { number: shown.number, total: total?.total })
        : result.state.position.kind === "review"
          ? t("conversation:welcomeBackReview")
          : t("telegram:resume");
    // The section title again: the respondent has been away.
    return this.#commitAndRender(message, { ...session, text: { ...session.text, section: undefined } } as TextSession, campaign, result, [notice(welcome)]);
  }

  #quitText(session: TextSession, campaign: BotCampaign): string {
    const t = this.t(session.language);
    const closes = campaign.closedAt !== null && campaign.closedAt < campaign.closesAt ? campaign.closedAt : campaign.closesAt;
    // Closing at midnight is the end of the day before ("đến hết ngày 20/12/2026"), as `campaign create` says it.
    if (formatDateTime(closes.toISOString(), session.language, campaign.timeZone).time === "00:00") {
      return t("conversation:quitEndOfDay", formatDateTime(new Date(closes.getTime() - 1).toISOString(), session.language, campaign.timeZone));
    }
    return t("conversation:quit", formatDateTime(closes.toISOString(), session.language, campaign.timeZone));
  }

  #terminal(session: TextSession, campaign: BotCampaign): string | undefined {
    const terminal = terminalOf(session, campaign, this.deps.now());
    const when = (at: Date | string) => formatDateTime(typeof at === "string" ? at : at.toISOString(), session.language, campaign.timeZone);
    return terminal && terminalText(this.t(session.language), terminal, when, this.deps.wording?.submitted ?? "conversation:alreadySubmitted");
  }
}

/**
 * Resuming: where the respondent stopped, except at a review with required questions unanswered, which
 * walks through them from the first (the engine's refused submit, without its refusal): "continue" continues.
 */
function resumeStep(campaign: BotCampaign, state: SurveyState, now: string): StepResult {
  const resumed = engineStep(campaign.questionnaire, state, { type: "resume" }, { now });
  const review = resumed.events.find((e) => e.type === "review_shown");
  if (review?.type !== "review_shown" || !review.items.some((i) => i.missing)) return resumed;
  const walk = engineStep(campaign.questionnaire, state, { type: "submit" }, { now });
  return { ...walk, events: walk.events.filter((e) => e.type !== "submit_refused") };
}

/** `target` with an enumerable property computed when first read, then kept. */
function lazyProperty<T extends object, K extends keyof T & string>(target: T, key: K, compute: () => T[K]): T {
  return Object.defineProperty(target, key, {
    enumerable: true,
    configurable: true,
    get: () => {
      const value = compute();
      Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: false });
      return value;
    },
  });
}

/** What a step's reply offers: the rendered text with the prompt's choices as data, where the engine now is. */
function stepReply(parts: RenderedParts, position: SurveyState["position"]): HostReply {
  const commands: TextCommand["kind"][] =
    position.kind === "question" ? ["back", "skip", "review", "edit", "lang", "help", "quit"] : position.kind === "review" ? ["edit", "submit", "back", "lang", "help", "quit"] : ["help", "lang", "quit"];
  return {
    text: joinLines(parts.text),
    ...(parts.choices ? { choices: parts.choices } : {}),
    ...(parts.hint.length > 0 ? { hint: joinLines(parts.hint) } : {}),
    prompt: position.kind === "question" ? "question" : position.kind === "review" ? "review" : position.kind === "attestation" ? "attestation" : "notice",
    ...(position.kind === "question" ? { questionId: position.questionId, freeText: true } : {}),
    commands,
    replacesPrompt: true,
  };
}

/**
 * Does the live prompt the channel recorded show where the engine is (false when a step was stored
 * but its prompt never delivered)? A channel that records none (the text form) is always current.
 */
function promptIsCurrent(session: BotSession): boolean {
  const position = session.engine?.position;
  const prompt = session.prompt;
  if (prompt === undefined) return true;
  if (position?.kind === "question") return prompt.kind === "question" && prompt.questionId === position.questionId;
  if (position?.kind === "review") return prompt.kind === "review";
  return true;
}

/** The part of a message that may be a poster's `KP_…` payload (a link pasted whole included). */
function posterCandidate(text: string): string {
  const match = new RegExp(`(?:^|[^A-Za-z0-9])(${POSTER_PAYLOAD_PREFIX}[A-Za-z0-9]*)`, "i").exec(text);
  return match ? match[1]! : "";
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
  // `edit N` works at any question too (`#editMidSurvey`), so the text form's help says so.
  const keys = ["back", "review", "editAnywhere", "skip", "submit", "lang", "quit", "help"];
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
  // A link's "KS_" is not part of the code: "KS_ABCDE" has 5 characters, not 7.
  const body = trimmed.replace(/^KS_/i, "");
  const compact = body.replace(/[\s\-–_.]/g, "");
  if (!/\s/.test(body) && compact.length >= 3 && compact.length <= 16 && /^[\p{L}\p{N}]+$/u.test(compact) && (/\p{N}/u.test(compact) || compact === compact.toUpperCase())) return body;
  return undefined;
}
