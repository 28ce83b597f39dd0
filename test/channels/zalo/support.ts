// The Zalo tests' conversation host over a test database (the production wiring is src/channels/zalo/start.ts).
import { RedemptionService } from "../../../src/access/index.js";
import type { BotLogger } from "../../../src/channels/telegram/index.js";
import { TextConversationHost, type TextHostDeps } from "../../../src/conversation/index.js";
import type { Database } from "../../../src/db/index.js";
import { createI18n } from "../../../src/i18n/index.js";
import { TEST_SECRET } from "../telegram/harness.js";

/** A Zalo host on `db`'s stores with the test secret, Vietnamese by default, at the test's clock. */
export function zaloTestHost(db: Database, clock: { readonly now: Date }, logger: BotLogger, extra: Pick<TextHostDeps, "citizens" | "reachability"> = {}): TextConversationHost {
  return new TextConversationHost({
    channel: "zalo",
    codes: new RedemptionService({ repository: db.channel.access, secret: TEST_SECRET }),
    campaigns: db.channel.campaigns,
    respondents: db.channel.respondents,
    sessions: db.channel.sessionsOf("zalo"),
    i18n: createI18n(),
    now: () => clock.now,
    defaultLanguage: "vi",
    logger,
    ...extra,
  });
}
