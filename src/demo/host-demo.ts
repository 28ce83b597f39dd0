// The console demo on the conversation host: exactly what the Zalo bot says, in the terminal (the
// same redemption, identity, attestation, questions, commands, quit and resume), over the database.
import { randomUUID } from "node:crypto";
import { parseCode, RedemptionService, type AccessRepository, type CodeKey } from "../access/index.js";
import { wrapWords } from "../channels/console/wrap.js";
import { CitizenService } from "../citizens/index.js";
import { TextConversationHost, parseTextCommand } from "../conversation/index.js";
import type { Database } from "../db/index.js";
import type { I18n } from "../i18n/index.js";
import type { LineSource } from "../channels/console/index.js";
import { smallCellThreshold } from "../privacy/index.js";
import type { Questionnaire } from "../questionnaire/index.js";
import { demoAccountOf, demoCodeFor, type DatabaseDemo } from "./database.js";
import { summaryLines } from "./summary.js";

/** How the demo ended. */
export type DemoOutcome =
  | "completed"
  | "declined"
  | "identity_declined"
  | "too_many_attempts"
  | "campaign_not_open"
  | "campaign_closed"
  | "quit"
  | "input_ended";

/** What `runHostDemo` runs on. */
export interface HostDemoOptions {
  readonly db: Database;
  readonly demo: DatabaseDemo;
  readonly questionnaire: Questionnaire;
  readonly secret: CodeKey;
  readonly lines: LineSource;
  readonly output: NodeJS.WritableStream;
  readonly clock: () => Date;
  readonly i18n: I18n;
  readonly defaultLanguage: "vi" | "en";
  /** Wrap at this width, between words (a terminal's columns); absent: no wrapping. */
  readonly columns?: number;
}

/**
 * Wrong codes entered before this run do not count: a restarted demo starts with a clean demo
 * account, so it can never lock its user out (issue 11). The bot's limits are unchanged.
 */
function forgettingEarlierFailures(repository: AccessRepository, runStart: Date): AccessRepository {
  return new Proxy(repository, {
    get(target, property, receiver) {
      if (property === "recentFailures") {
        return (query: Parameters<AccessRepository["recentFailures"]>[0]) => target.recentFailures({ ...query, since: query.since > runStart ? query.since : runStart });
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** Runs the demo until the form is submitted or declined, the user quits, or the input ends. */
export async function runHostDemo(options: HostDemoOptions): Promise<DemoOutcome> {
  const { db, demo, i18n, output, questionnaire } = options;
  const write = (...texts: string[]) => {
    for (const text of texts) output.write(`${options.columns !== undefined ? wrapWords(text, options.columns) : text}\n`);
  };
  const sessions = db.channel.sessionsOf("console");
  const host = new TextConversationHost({
    channel: "console",
    codes: new RedemptionService({ repository: forgettingEarlierFailures(db.channel.access, options.clock()), secret: options.secret }),
    campaigns: db.channel.campaigns,
    respondents: db.channel.respondents,
    sessions,
    i18n,
    now: options.clock,
    defaultLanguage: options.defaultLanguage,
    lockedHelpKey: "demo:lockedHelp",
    // A slip's or poster's code typed here works as in the bots (the code spent, the chat forgotten).
    citizens: new CitizenService({ repository: db.citizens, secret: options.secret }),
  });
  // Earlier demo respondents' codes (all typed by the same person at this terminal) are theirs.
  const earlier = new Map<string, string>();
  for (let n = 1; n < demo.respondentNumber; n++) earlier.set(demoCodeFor(n, options.secret), demoAccountOf(n));
  const accountFor = (line: string): string => {
    try {
      return earlier.get(parseCode(line)) ?? demo.account;
    } catch {
      return demo.account;
    }
  };

  const t = i18n.getFixedT(options.defaultLanguage);
  write(t("demo:welcome"), t("demo:code", { code: demo.demoCode }), "");
  const resumed = await host.resumeLatest(demo.account, `demo:${randomUUID()}`);
  if (resumed) write(...resumed.flatMap((r) => [r, ""]));
  else write(t("conversation:entryPrompt"));

  for (;;) {
    const latest = await sessions.findLatest(demo.account);
    const position = latest?.engine?.position.kind;
    if (position === "completed") {
      const language = latest!.language;
      const names = new Map(latest!.units.map((u) => [u.id, u.name]));
      const tz = (await db.channel.campaigns.find(latest!.campaignId))?.timeZone ?? "Asia/Ho_Chi_Minh";
      const summary = summaryLines(questionnaire, latest!.engine!.responses, { i18n: cloneIn(i18n, language), language, timeZone: tz, unitName: (id) => names.get(id) ?? id });
      const tt = i18n.getFixedT(language);
      const minimum = smallCellThreshold(questionnaire.definition);
      write(...summary, "", tt("demo:end"), tt("demo:next", { campaign: demo.campaignId, minimum, submitted: demo.respondentNumber }));
      return "completed";
    }
    if (position === "declined" || latest?.stage === "declined") return latest?.stage === "declined" && position !== "declined" ? "identity_declined" : "declined";
    const line = await options.lines.next();
    if (line === undefined) {
      write("", i18n.getFixedT(latest?.language ?? options.defaultLanguage)(latest ? "demo:inputEndedSaved" : "console:inputEnded"));
      return "input_ended";
    }
    const replies = await host.handle({ key: `demo:${randomUUID()}`, account: accountFor(line), chatId: "console", text: line });
    write(...replies.flatMap((r) => [r, ""]));
    if (parseTextCommand(line)?.kind === "quit") return "quit";
  }
}

function cloneIn(i18n: I18n, language: string): I18n {
  return i18n.cloneInstance({ lng: language, initAsync: false });
}
