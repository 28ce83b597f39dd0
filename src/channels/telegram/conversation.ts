import type { Context } from "grammy";
import type { Language } from "../../config/index.js";
import type { EngineEvent, SurveyState } from "../../engine/index.js";
import { isSupportedLanguage, type I18n, type Translate } from "../../i18n/index.js";
import { formatDateTime } from "../console/format.js";
import { sessionTag } from "./callback-data.js";
import type { BotCampaign, BotLogger, BotSession, LivePrompt, TelegramPorts } from "./ports.js";
import { TelegramRenderer, type OutgoingMessage } from "./render.js";

/** What every feature of the channel is built from. */
export interface ChannelDeps {
  readonly ports: TelegramPorts;
  readonly i18n: I18n;
  /** The clock (tests pass a fixed one). */
  readonly now: () => Date;
  readonly logger: BotLogger;
  /** Language of a respondent before they choose one. */
  readonly defaultLanguage: Language;
}

/** The account key of the sender: `telegram:<user id>`. */
export function accountOf(ctx: Context): string | undefined {
  return ctx.from ? `telegram:${ctx.from.id}` : undefined;
}

/**
 * The sender's latest session as this update last read or wrote it. The dedupe check reads it
 * with the processed flag in one query; it stays valid while this update runs (one chat's updates
 * run one after another), because every write of this update goes through `Conversation`, which
 * keeps it current. Absent: read the store.
 */
const latestOfUpdate = new WeakMap<Context, BotSession | undefined>();

/** Remembers the sender's latest session read at the start of this update. */
export function rememberLatest(ctx: Context, session: BotSession | undefined): void {
  latestOfUpdate.set(ctx, session);
}

/** The sender's latest session: as this update knows it, or read from the store. */
export async function latestSession(deps: ChannelDeps, ctx: Context): Promise<BotSession | undefined> {
  if (latestOfUpdate.has(ctx)) return latestOfUpdate.get(ctx);
  const account = accountOf(ctx);
  return account === undefined ? undefined : deps.ports.sessions.findLatest(account);
}

/** Channel texts in a language. */
export function translator(deps: Pick<ChannelDeps, "i18n" | "defaultLanguage">, language: string): Translate {
  return deps.i18n.getFixedT(isSupportedLanguage(language) ? language : deps.defaultLanguage);
}

/** The language of a new respondent: their Telegram app's, when we have texts in it. */
export function initialLanguage(deps: Pick<ChannelDeps, "defaultLanguage">, ctx: Context): Language {
  const code = ctx.from?.language_code?.slice(0, 2);
  return code !== undefined && isSupportedLanguage(code) ? code : deps.defaultLanguage;
}

export { closedAt } from "../../conversation/path.js";

/**
 * One respondent's session while one update is shown: once the host stored the update's step,
 * edits the old prompt and sends the new messages (recording the new live prompt).
 */
export class Conversation {
  constructor(
    readonly deps: ChannelDeps,
    readonly ctx: Context,
    public session: BotSession,
    readonly campaign: BotCampaign,
  ) {}

  get t(): Translate {
    return translator(this.deps, this.session.language);
  }

  /** The renderer for the session's language and buttons. */
  renderer(): TelegramRenderer {
    const names = new Map(this.session.units.map((u) => [u.id, u.name]));
    const q = this.campaign.questionnaire;
    const language = this.session.engine?.language ?? (q.languages.includes(this.session.language) ? this.session.language : q.defaultLanguage);
    return new TelegramRenderer({
      questionnaire: q,
      language,
      t: this.t,
      tag: sessionTag(this.session.id),
      unitName: (id) => names.get(id) ?? id,
      timeZone: this.campaign.timeZone,
      unitCount: this.session.units.length,
    });
  }

  /** Time and date in the campaign's time zone and the respondent's language. */
  when(at: Date | string): { time: string; date: string } {
    return formatDateTime(typeof at === "string" ? at : at.toISOString(), this.session.language, this.campaign.timeZone);
  }

  /**
   * Shows a stored step: a refusal as a short alert on the pressed button (or a reply to a typed
   * message); a ticked box as the live keyboard edited; anything else as the prompt before retired
   * (`before`) and the new messages sent after `prefix`. `notice` goes on the pressed button.
   */
  async present(events: readonly EngineEvent[], state: SurveyState, before: LivePrompt | undefined, options: { readonly prefix?: readonly OutgoingMessage[]; readonly notice?: string } = {}): Promise<void> {
    const renderer = this.renderer();
    if (events.length > 0 && events.every((e) => e.type === "input_rejected" || e.type === "validation_failed")) {
      const texts = events.map((e) =>
        e.type === "validation_failed" ? renderer.validation(e.questionId, e.reason, e.params) : this.t(`survey:rejected.${e.type === "input_rejected" ? e.reason : ""}`),
      );
      // A refused button press is a short notice on the button; a refused message gets a reply.
      if (this.ctx.callbackQuery) await this.ctx.answerCallbackQuery({ text: texts.join("\n").slice(0, 190), show_alert: true });
      else await this.send([...(options.prefix ?? []), ...texts.map((text) => ({ text }))]);
      return;
    }
    // A pressed button is answered (its spinner stopped, the notice shown) while the messages change:
    // the step is stored already, and the respondent waits for one round trip to Telegram, not two.
    const answered = this.ctx.callbackQuery ? this.ctx.answerCallbackQuery(options.notice !== undefined ? { text: options.notice } : undefined).catch(() => undefined) : undefined;
    const selection = events.find((e) => e.type === "selection_changed");
    if (selection && before?.kind === "question" && before.questionId === selection.questionId) {
      const position = state.position;
      const shown = position.kind === "question" ? position : undefined;
      const info = this.campaign.questionnaire.byId.get(selection.questionId);
      const keyboard = renderer.multiKeyboard(selection.questionId, selection.selected, info?.question.required ?? true, shown?.mode === "flow" && state.history.length > 0);
      await Promise.all([answered, this.#edit(before.messageId, undefined, keyboard)]);
      return;
    }
    const messages = renderer.events(events);
    // The old prompt's edit and the new messages go out together too: they touch different messages.
    await Promise.all([answered, this.retire(before, events, messages.some((m) => m.prompt !== undefined)), this.send([...(options.prefix ?? []), ...messages])]);
  }

  /**
   * Marks the message whose keyboard is no longer live after a step with these events: an answered
   * question shows its answer, others lose their buttons (`replaced`: a new prompt was sent).
   */
  async retire(before: LivePrompt | undefined, events: readonly EngineEvent[], replaced: boolean): Promise<void> {
    if (!before) return;
    const renderer = this.renderer();
    const recorded = events.find((e) => e.type === "answer_recorded" && e.questionId === before.questionId);
    const attested = events.find((e) => e.type === "attestation_accepted" || e.type === "attestation_declined");
    if (before.kind === "question" && recorded?.type === "answer_recorded") {
      await this.#edit(before.messageId, renderer.answered(recorded.questionId, recorded.value), undefined);
    } else if (before.kind === "attestation" && attested) {
      const choice = this.t(attested.type === "attestation_accepted" ? "access:attestation.accept" : "access:attestation.decline");
      await this.#edit(before.messageId, `${renderer.attestation().text}\n\n${this.t("telegram:answered", { answer: choice })}`, undefined);
    } else if (replaced || (before.kind === "review" && events.some((e) => e.type === "unit_submitted"))) {
      // A submitted review has no next prompt (the thanks has no buttons), yet its Submit and edit buttons are dead.
      await this.#edit(before.messageId, undefined, undefined);
    }
  }

  /** Retires the live prompt (its keyboard) without a step, e.g. identity answered. */
  async retirePrompt(text?: string): Promise<void> {
    const before = this.session.prompt;
    if (before) await this.#edit(before.messageId, text, undefined);
  }

  async #edit(messageId: number, text: string | undefined, keyboard: OutgoingMessage["keyboard"]): Promise<void> {
    const chatId = this.session.chatId;
    const markup = keyboard ? { inline_keyboard: keyboard } : { inline_keyboard: [] };
    try {
      if (text !== undefined) await this.ctx.api.editMessageText(chatId, messageId, text, { reply_markup: markup });
      else await this.ctx.api.editMessageReplyMarkup(chatId, messageId, { reply_markup: markup });
    } catch (error) {
      // An old or already edited message cannot be changed; the answer is stored, so this is cosmetic.
      this.deps.logger.debug({ updateId: this.ctx.update.update_id, error: describeError(error) }, "could not edit a message");
    }
  }

  /** Sends messages in order; the last one with a keyboard becomes the live prompt. */
  async send(messages: readonly OutgoingMessage[]): Promise<void> {
    let prompt: LivePrompt | undefined;
    for (const message of messages) {
      const sent = await this.ctx.api.sendMessage(this.session.chatId, message.text, message.keyboard ? { reply_markup: { inline_keyboard: message.keyboard } } : {});
      if (message.prompt) prompt = { ...message.prompt, messageId: sent.message_id };
    }
    if (prompt) {
      await this.deps.ports.sessions.setPrompt(this.session.id, prompt);
      this.session = { ...this.session, prompt };
      if (latestOfUpdate.get(this.ctx)?.id === this.session.id) latestOfUpdate.set(this.ctx, this.session);
    }
  }
}

/** A short description of an error for logs, with anything that looks like a bot token removed. */
export function describeError(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.replace(/\d{5,20}:[A-Za-z0-9_-]{30,}/g, "[token]");
}
