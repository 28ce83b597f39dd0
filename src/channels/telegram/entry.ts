import { Composer, type Context } from "grammy";
import { normalizeCode, parseStartPayload, type CodeProblem, type RedemptionResult } from "../../access/index.js";
import type { Language } from "../../config/index.js";
import { startSurvey } from "../../engine/index.js";
import type { Translate } from "../../i18n/index.js";
import { privacyNotice } from "../../privacy/index.js";
import { DEFAULT_TIME_ZONE, formatDateTime } from "../console/index.js";
import { encodeCallback, parseCallback, sessionTag } from "./callback-data.js";
import { accountOf, Conversation, initialLanguage, latestSession, translator, type ChannelDeps } from "./conversation.js";
import type { BotCampaign, BotSession } from "./ports.js";
import type { OutgoingMessage } from "./render.js";
import { openConversation, terminalText } from "./session-access.js";

/**
 * Entry: `/start`, `/start <code>` (the deep link) and a code sent as a plain message by someone
 * with no survey in progress. A respondent who already redeemed goes straight back to where they were.
 */
export function entryComposer(deps: ChannelDeps): Composer<Context> {
  const composer = new Composer<Context>();
  const dm = composer.chatType("private");

  dm.command("start", async (ctx) => {
    const payload = parseStartPayload(ctx.match);
    const t = translator(deps, initialLanguage(deps, ctx));
    if (payload.kind === "malformed") return void (await ctx.reply(t("telegram:code.malformedLink")));
    if (payload.kind === "code") return redeem(deps, ctx, payload.input);
    const account = accountOf(ctx)!;
    const latest = await deps.ports.sessions.findLatest(account);
    if (latest) return resume(deps, ctx, latest);
    await ctx.reply(`${t("telegram:welcome")}\n\n${t("telegram:code.prompt")}`);
  });

  // A code typed or pasted as a message: only when no survey is waiting for an answer.
  dm.on("message:text", async (ctx, next) => {
    if (ctx.message.text.startsWith("/")) return next();
    const latest = await latestSession(deps, ctx);
    if (latest && !isFinished(latest)) return next();
    if (latest && !normalizeCode(ctx.message.text).ok) return next();
    await redeem(deps, ctx, ctx.message.text);
  });

  // The language button under an anonymous respondent's privacy notice (named respondents use /lang).
  composer.on("callback_query:data", async (ctx, next) => {
    const data = parseCallback(ctx.callbackQuery.data);
    if (data?.action.kind !== "language") return next();
    const latest = await deps.ports.sessions.findLatest(accountOf(ctx)!);
    if (!latest || latest.respondentId !== null || data.tag !== sessionTag(latest.id)) return next();
    const conversation = await openConversation(deps, ctx, "open");
    if (!conversation) return;
    const language = data.action.language;
    const { session, campaign } = conversation;
    if (language === session.language || !campaign.questionnaire.languages.includes(language) || !session.engine) return void (await ctx.answerCallbackQuery());
    // The notice again in the chosen language (with the way back); the live prompt is re-shown by the engine.
    const step = await conversation.step({ type: "set_language", language }, { prefix: [anonymousWelcome(deps, session, campaign, language)] });
    if (step) await ctx.editMessageReplyMarkup({ reply_markup: { inline_keyboard: [] } }).catch(() => undefined);
  });
  return composer;
}

/**
 * The first message of an anonymous respondent: the unit being rated, the privacy notice (what is
 * kept, who sees it) and one button for the other language.
 */
export function anonymousWelcome(deps: ChannelDeps, session: BotSession, campaign: BotCampaign, language: Language, service?: string | null): OutgoingMessage {
  const t = translator(deps, language);
  const unit = session.units[0];
  const lines = [
    ...(unit ? [t("citizens:start.unit", { unit: unit.name })] : []),
    ...(service ? [t("citizens:start.service", { service })] : []),
  ];
  const text = [...(lines.length > 0 ? [lines.join("\n")] : []), privacyNotice(t, "anonymous")].join("\n\n");
  const other: Language = language === "vi" ? "en" : "vi";
  if (!campaign.questionnaire.languages.includes(other)) return { text };
  const button = { text: t(`citizens:language.${other}`), callback_data: encodeCallback(sessionTag(session.id), { kind: "language", language: other }) };
  return { text, keyboard: [[button]] };
}

/** What an anonymous session (batch code or poster) is started with. */
export interface AnonymousStart {
  readonly campaign: BotCampaign;
  readonly unitCode: string;
  readonly service?: string | null;
  readonly codeId: string | null;
  readonly poster?: BotSession["poster"];
  /** Sent before the welcome (e.g. "code accepted"). */
  readonly greeting?: string;
}

/**
 * Starts an anonymous survey (issue 7): no identity step; Vietnamese unless the respondent taps the
 * other language under the privacy notice, then the questionnaire's attestation and questions.
 */
export async function startAnonymous(deps: ChannelDeps, ctx: Context, start: AnonymousStart): Promise<void> {
  const { campaign, unitCode } = start;
  const account = accountOf(ctx)!;
  // Not the app's language: Telegram has no Vietnamese interface, so most citizens' apps say "en".
  const language = deps.defaultLanguage;
  const name = (await deps.ports.respondents.unitName(campaign.id, unitCode)) ?? unitCode;
  const session: BotSession = {
    id: deps.ports.sessions.newId(),
    account,
    chatId: ctx.chat!.id,
    campaignId: campaign.id,
    codeId: start.codeId,
    ...(start.poster ? { poster: start.poster } : {}),
    respondentId: null,
    units: [{ id: unitCode, name }],
    stage: "survey",
    language,
  };
  const conversation = new Conversation(deps, ctx, session, campaign);
  const q = campaign.questionnaire;
  const started = startSurvey(q, { language: q.languages.includes(language) ? language : q.defaultLanguage, units: [unitCode], now: deps.now().toISOString() });
  if ((await conversation.commit({ ...session, engine: started.state }, started)) === "duplicate") return;
  const welcome = anonymousWelcome(deps, session, campaign, language, start.service);
  const first = start.greeting !== undefined ? { ...welcome, text: `${start.greeting}\n\n${welcome.text}` } : welcome;
  await conversation.send([first, ...conversation.renderer().events(started.events)]);
}

function isFinished(session: BotSession): boolean {
  return session.stage === "declined" || session.engine?.position.kind === "completed" || session.engine?.position.kind === "declined";
}

/** Resumes a session: the current prompt again, or why nothing more can be answered. */
export async function resume(deps: ChannelDeps, ctx: Context, session: BotSession): Promise<void> {
  const campaign = await deps.ports.campaigns.find(session.campaignId);
  if (!campaign) throw new Error(`bug: session ${session.id} names campaign ${session.campaignId}, which does not exist`);
  const conversation = new Conversation(deps, ctx, session, campaign);
  const terminal = terminalText(conversation);
  if (terminal !== undefined) return void (await ctx.reply(terminal));
  const greeting = { text: conversation.t("telegram:resume") };
  if (session.stage === "identity") {
    await conversation.retirePrompt();
    const respondent = session.respondentId ? await deps.ports.respondents.find(session.respondentId) : undefined;
    if (!respondent) throw new Error(`bug: session ${session.id} waits for identity but has no respondent`);
    return conversation.send([greeting, conversation.renderer().identity(respondent.name, respondent.unit.name)]);
  }
  await conversation.step({ type: "resume" }, { prefix: [greeting] });
}

async function redeem(deps: ChannelDeps, ctx: Context, input: string): Promise<void> {
  const account = accountOf(ctx)!;
  const language = initialLanguage(deps, ctx);
  const t = translator(deps, language);
  const now = deps.now();
  const result = await deps.ports.codes.redeem({ input, account, now });
  if (result.kind !== "ok") {
    const timeZone = "campaignId" in result ? (await deps.ports.campaigns.find(result.campaignId))?.timeZone : undefined;
    return void (await ctx.reply(refusal(t, result, language, timeZone ?? DEFAULT_TIME_ZONE)));
  }

  const { sessions } = deps.ports;
  const respondentId = result.subject.kind === "respondent" ? result.subject.respondentId : null;
  const existing = await sessions.findFor(account, result.campaignId, respondentId, respondentId === null ? result.codeId : null);
  if (existing) return resume(deps, ctx, existing);

  const campaign = await deps.ports.campaigns.find(result.campaignId);
  if (!campaign) throw new Error(`bug: code of campaign ${result.campaignId}, which does not exist`);
  const base = { id: sessions.newId(), account, chatId: ctx.chat!.id, campaignId: campaign.id, codeId: result.codeId, language } as const;

  if (result.subject.kind === "anonymous") {
    // Anonymous codes (issue 7): the unit on the slip is the unit assessed.
    const unitCode = result.subject.unitCode;
    if (unitCode === null) return void (await ctx.reply(t("telegram:code.anonymousUnavailable")));
    return startAnonymous(deps, ctx, { campaign, unitCode, codeId: result.codeId, greeting: translator(deps, deps.defaultLanguage)("access:code.accepted") });
  }

  const respondent = await deps.ports.respondents.find(result.subject.respondentId);
  if (!respondent) throw new Error(`bug: code bound to respondent ${result.subject.respondentId}, who does not exist`);
  const preferred = respondent.language !== undefined && respondent.language !== "" ? respondent.language : language;
  const session: BotSession = {
    ...base,
    language: preferred === "en" || preferred === "vi" ? preferred : language,
    respondentId: respondent.id,
    units: (respondent.subjectUnits.length > 0 ? respondent.subjectUnits : [respondent.unit]).map((u) => ({ id: u.id, name: u.name })),
    stage: "identity",
  };
  const conversation = new Conversation(deps, ctx, session, campaign);
  if ((await conversation.commit(session)) === "duplicate") return;
  // The privacy notice once, at the start: who sees what (issue 7, confidentiality).
  const notice = privacyNotice(conversation.t, campaign.identified === true ? "identified" : "named");
  await conversation.send([{ text: `${conversation.t("access:code.accepted")}\n\n${notice}` }, conversation.renderer().identity(respondent.name, respondent.unit.name)]);
}

/** The respondent-facing text of a refused redemption. */
export function refusal(t: Translate, result: Exclude<RedemptionResult, { kind: "ok" }>, language: string, timeZone: string): string {
  const lockedText = (seconds: number) => t("telegram:code.locked", { wait: waitText(t, seconds) });
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
      return result.retryAfterSeconds ? lockedText(result.retryAfterSeconds) : t("telegram:code.boundToOther", { count: result.attemptsLeft });
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

/** "15 phút" / "45 giây": minutes, rounded up, from a minute on. */
export function waitText(t: Translate, seconds: number): string {
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
