import { Composer, type Context } from "grammy";
import type { EngineInput } from "../../engine/index.js";
import { inputOfChoice } from "../../conversation/views.js";
import { choiceOfCallback, parseCallback, sessionTag, type CallbackAction } from "./callback-data.js";
import type { ChannelDeps, Conversation } from "./conversation.js";
import type { BotSession } from "./ports.js";
import { openConversation } from "./session-access.js";

/**
 * The questionnaire: button presses (options, scale values, toggles, Done, skip, back, edit,
 * submit) and typed answers. A button is accepted only when it carries this session's tag, comes
 * from the live message and names the current question; anything else gets a short notice.
 */
export function questionsComposer(deps: ChannelDeps): Composer<Context> {
  const composer = new Composer<Context>();

  composer.on("callback_query:data", async (ctx, next) => {
    const data = parseCallback(ctx.callbackQuery.data);
    if (!data || data.action.kind === "identity" || data.action.kind === "attestation" || data.action.kind === "language") return next();
    const conversation = await openConversation(deps, ctx, "open");
    if (!conversation) return;
    const { session } = conversation;
    const livePrompt = session.prompt?.messageId;
    const fromLive = livePrompt === undefined || ctx.callbackQuery.message?.message_id === livePrompt;
    const input = data.tag === sessionTag(session.id) && fromLive && session.stage === "survey" ? inputOf(conversation, data.action) : undefined;
    if (input) return void (await conversation.step(input));
    const notice = conversation.t("telegram:notice.stale");
    // A button of this respondent's own session on an older message, or on a prompt the engine has
    // moved past: the notice says "answer the latest question", so show it again. After a crash
    // between storing an answer and sending the next question, the old keyboard is the only one they
    // have. Another session's button, or a forged one on the live, current prompt, gets the notice only.
    if ((!fromLive || !promptIsCurrent(session)) && data.tag === sessionTag(session.id) && session.stage === "survey" && session.engine) return void (await conversation.step({ type: "resume" }, { notice }));
    await ctx.answerCallbackQuery({ text: notice });
  });

  composer.chatType("private").on("message:text", async (ctx, next) => {
    if (ctx.message.text.startsWith("/")) return next();
    const conversation = await openConversation(deps, ctx, "open");
    if (!conversation) return;
    const position = conversation.session.engine?.position;
    if (conversation.session.stage !== "survey" || position?.kind === "attestation") return void (await ctx.reply(conversation.t("telegram:useButtons")));
    // Only the question whose prompt the respondent last received takes a typed answer: after a crash
    // between storing an answer and sending the next question, the engine is one question ahead of
    // what they saw, so show them the current question instead of filing their text under it.
    if (position?.kind === "question" && !promptIsCurrent(conversation.session)) return void (await conversation.step({ type: "resume" }));
    // The question id pins the answer to the question the respondent saw (updates of a chat run in order).
    const questionId = position?.kind === "question" ? position.questionId : undefined;
    await conversation.step({ type: "answer", text: ctx.message.text, ...(questionId !== undefined ? { questionId } : {}) });
  });
  return composer;
}

/** Does the stored live prompt show where the engine is (false when a step was stored but its prompt never sent)? */
function promptIsCurrent(session: BotSession): boolean {
  const position = session.engine?.position;
  const prompt = session.prompt;
  if (position?.kind === "question") return prompt?.kind === "question" && prompt.questionId === position.questionId;
  if (position?.kind === "review") return prompt?.kind === "review";
  return true;
}

/** The engine input of a button: the host choice it stands for, taken where the respondent is (undefined: not for there). */
function inputOf(conversation: Conversation, action: CallbackAction): EngineInput | undefined {
  const { questionnaire } = conversation.campaign;
  const position = conversation.session.engine?.position;
  const choice = choiceOfCallback(action, questionnaire);
  if (!position || !choice) return undefined;
  return inputOfChoice(questionnaire, position, choice.choiceId, choice.questionId);
}
