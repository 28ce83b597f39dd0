import { Composer, type Context } from "grammy";
import type { CompleteRequest } from "../../citizens/index.js";
import { accountOf, type ChannelDeps } from "./conversation.js";

/** What the channel needs from the citizens' module (`CitizenService`). */
export interface CitizenCompletion {
  complete(request: CompleteRequest): Promise<"completed" | "already_answered">;
}

/**
 * Anonymous responses (issue 7): once an update has submitted a response of an anonymous code, the
 * code is spent and the session (chat id, account, state) deleted, so nothing stored links the
 * response to the Telegram account. Runs after the other features have handled the update.
 */
export function citizenComposer(deps: ChannelDeps, citizens: CitizenCompletion): Composer<Context> {
  const composer = new Composer<Context>();
  composer.use(async (ctx, next) => {
    await next();
    const account = accountOf(ctx);
    if (account === undefined) return;
    const session = await deps.ports.sessions.findLatest(account);
    if (!session || session.respondentId !== null || session.codeId === null) return;
    if (session.engine?.position.kind !== "completed") return;
    const unit = session.units[0];
    if (!unit) return;
    await citizens.complete({
      campaignId: session.campaignId,
      unitCode: unit.id,
      account,
      source: { kind: "code", codeId: session.codeId },
      // The store already cleared the account from the submitted response.
      responseId: null,
      sessionId: session.id,
      now: deps.now(),
    });
  });
  return composer;
}
