import { Composer, type Context } from "grammy";
import type { TextConversationHost } from "../../conversation/host.js";
import { campaignOf } from "../../conversation/path.js";
import { choiceOfCallback, parseCallback, sessionTag } from "./callback-data.js";
import { latestSession, type ChannelDeps } from "./conversation.js";
import { viaHost } from "./host-adapter.js";

/**
 * Buttons (identity, attestation, options, scale values, toggles, Done, skip, back, edit, submit),
 * through the host: each press is the choice it stands for, with whether it is this respondent's
 * latest session's (its tag) and on the live message; the host decides, stale ones included.
 */
export function questionsComposer(deps: ChannelDeps, host: TextConversationHost): Composer<Context> {
  const composer = new Composer<Context>();

  composer.on("callback_query:data", async (ctx, next) => {
    const data = parseCallback(ctx.callbackQuery.data);
    if (!data) return next();
    const latest = await latestSession(deps, ctx);
    const campaign = latest ? await campaignOf(deps.ports, latest.campaignId) : undefined;
    const picked = campaign ? choiceOfCallback(data.action, campaign.questionnaire) : undefined;
    const own = latest !== undefined && data.tag === sessionTag(latest.id);
    const live = latest?.prompt === undefined || ctx.callbackQuery.message?.message_id === latest.prompt.messageId;
    // A button naming no question or option of this questionnaire stands for nothing: the host's stale-button rule.
    await viaHost(deps, host, ctx, { choice: picked?.choiceId ?? "none", ...(picked?.questionId !== undefined ? { questionId: picked.questionId } : {}), button: { own, live } });
  });

  return composer;
}
