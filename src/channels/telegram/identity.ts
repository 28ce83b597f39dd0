import { Composer, type Context } from "grammy";
import type { TextConversationHost } from "../../conversation/host.js";
import { inputOfChoice } from "../../conversation/views.js";
import { choiceOfCallback, parseCallback, sessionTag } from "./callback-data.js";
import type { ChannelDeps } from "./conversation.js";
import { viaHost } from "./host-adapter.js";
import { openConversation } from "./session-access.js";

/**
 * Identity and attestation buttons: the respondent confirms they are the person on record (name and
 * unit; the host's identity step), then accepts the questionnaire's attestation; either refusal ends
 * the session, recorded, with the code still bound. A press is taken only from the live prompt of
 * this session; anything else gets the stale-button notice.
 */
export function identityComposer(deps: ChannelDeps, host: TextConversationHost): Composer<Context> {
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
    // Confirm or decline: the host's identity step, the retired prompt marked with the answer.
    await viaHost(deps, host, ctx, { choice: data.action.confirm ? "identity:yes" : "identity:no" });
  });
  return composer;
}
