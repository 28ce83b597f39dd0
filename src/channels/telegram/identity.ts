import { Composer, type Context } from "grammy";
import { answerIdentity } from "../../conversation/path.js";
import { inputOfChoice } from "../../conversation/views.js";
import { choiceOfCallback, parseCallback, sessionTag } from "./callback-data.js";
import type { ChannelDeps } from "./conversation.js";
import { openConversation } from "./session-access.js";

/**
 * Identity and attestation: the respondent confirms they are the person on record (name and unit),
 * then accepts the questionnaire's attestation; either refusal ends the session, recorded, with
 * the code still bound.
 */
export function identityComposer(deps: ChannelDeps): Composer<Context> {
  const composer = new Composer<Context>();
  composer.on("callback_query:data", async (ctx, next) => {
    const data = parseCallback(ctx.callbackQuery.data);
    if (!data || (data.action.kind !== "identity" && data.action.kind !== "attestation")) return next();
    const conversation = await openConversation(deps, ctx, "open");
    if (!conversation) return;
    const { session, campaign } = conversation;
    const stale = () => ctx.answerCallbackQuery({ text: conversation.t("telegram:notice.stale") });
    if (data.tag !== sessionTag(session.id) || (session.prompt && ctx.callbackQuery.message?.message_id !== session.prompt.messageId)) return void (await stale());

    if (data.action.kind === "attestation") {
      const choice = choiceOfCallback(data.action, campaign.questionnaire);
      const position = session.engine?.position;
      const input = choice && position ? inputOfChoice(campaign.questionnaire, position, choice.choiceId) : undefined;
      if (!input) return void (await stale());
      await conversation.step(input);
      return;
    }
    if (session.stage !== "identity") return void (await stale());
    const respondent = session.respondentId ? await deps.ports.respondents.find(session.respondentId) : undefined;
    const marked = (confirm: boolean) =>
      respondent
        ? `${conversation.renderer().identity(respondent.name, respondent.unit.name).text}\n\n${conversation.t("telegram:answered", { answer: conversation.t(confirm ? "telegram:identity.confirm" : "telegram:identity.decline") })}`
        : undefined;
    const answered = answerIdentity(session, campaign, data.action.confirm, deps.now().toISOString());
    if ((await conversation.commit(answered.session, answered.started)) === "duplicate") return;
    await ctx.answerCallbackQuery();
    await conversation.retirePrompt(marked(data.action.confirm));
    await conversation.send(answered.started ? conversation.renderer().events(answered.started.events) : [{ text: conversation.t("access:identity.declined") }]);
  });
  return composer;
}
