import { Composer, type Context } from "grammy";
import type { TextConversationHost } from "../../conversation/host.js";
import { campaignOf } from "../../conversation/path.js";
import { choiceOfCallback, parseCallback, sessionTag } from "./callback-data.js";
import { latestSession, type ChannelDeps } from "./conversation.js";
import { viaHost } from "./host-adapter.js";
import type { BotSession } from "./ports.js";
import { openConversation } from "./session-access.js";

/**
 * Buttons (identity, attestation, options, scale values, toggles, Done, skip, back, edit, submit),
 * through the host: each press is the choice it stands for, with whether it is this respondent's
 * latest session's (its tag) and on the live message; the host decides, stale ones included. Typed
 * answers go to the engine here.
 */
export function questionsComposer(deps: ChannelDeps, host: TextConversationHost): Composer<Context> {
  const composer = new Composer<Context>();

  composer.on("callback_query:data", async (ctx, next) => {
    const data = parseCallback(ctx.callbackQuery.data);
    if (!data || data.action.kind === "language") return next();
    const latest = await latestSession(deps, ctx);
    const campaign = latest ? await campaignOf(deps.ports, latest.campaignId) : undefined;
    const picked = campaign ? choiceOfCallback(data.action, campaign.questionnaire) : undefined;
    const own = latest !== undefined && data.tag === sessionTag(latest.id);
    const live = latest?.prompt === undefined || ctx.callbackQuery.message?.message_id === latest.prompt.messageId;
    // A button naming no question or option of this questionnaire stands for nothing: the host's stale-button rule.
    await viaHost(deps, host, ctx, { choice: picked?.choiceId ?? "none", ...(picked?.questionId !== undefined ? { questionId: picked.questionId } : {}), button: { own, live } });
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
