import { DEFAULT_TIME_ZONE, formatDateTime, parseYesNo, runConsoleSurvey, type LineSource } from "../channels/console/index.js";
import { isSupportedLanguage, type I18n } from "../i18n/index.js";
import type { Questionnaire } from "../questionnaire/index.js";
import type { CodeChecker, Respondent, SurveySessionStore } from "./ports.js";
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

/** What the demo runs on: the questionnaire, the terminal, the clock and the two storage ports. */
export interface DemoOptions {
  readonly questionnaire: Questionnaire;
  readonly lines: LineSource;
  readonly output: NodeJS.WritableStream;
  readonly clock: () => Date;
  readonly i18n: I18n;
  readonly codes: CodeChecker;
  readonly store: SurveySessionStore;
  /** The messaging account codes are bound to, e.g. `console:demo`. */
  readonly account: string;
  /** Printed at the start so anyone can try the demo. */
  readonly demoCode?: string;
  readonly timeZone?: string;
}

/**
 * The zero-setup demo: one-time code, identity, attestation, the questionnaire, submit, summary.
 * It talks only to the `CodeChecker` and `SurveySessionStore` ports, so storage can replace the
 * in-memory implementations without changing this code.
 */
export async function runDemo(options: DemoOptions): Promise<DemoOutcome> {
  const { i18n, lines, output, questionnaire } = options;
  const write = (...text: string[]) => output.write(`${text.join("\n")}\n`);
  const yesNo = () => ({ yes: i18n.t("console:yes"), no: i18n.t("console:no") });

  write(i18n.t("demo:welcome"), ...(options.demoCode ? [i18n.t("demo:code", { code: options.demoCode })] : []), "", i18n.t("access:code.prompt"));
  let respondent: Respondent | undefined;
  while (respondent === undefined) {
    const line = await lines.next();
    if (line === undefined) return ended();
    if (line.trim() === "") {
      write(i18n.t("access:code.prompt"));
      continue;
    }
    const result = await options.codes.redeem(line, options.account, options.clock());
    switch (result.kind) {
      case "ok":
        respondent = result.respondent;
        break;
      case "invalid":
        write(i18n.t("access:code.invalid"));
        break;
      case "already_used":
        write(i18n.t("access:code.alreadyUsed"));
        break;
      case "too_many_attempts":
        write(i18n.t("access:code.tooManyAttempts", { wait: waitText(i18n, result.retryAfterSeconds) }));
        return "too_many_attempts";
      case "campaign_not_open":
        write(i18n.t("access:code.campaignNotOpen", formatDateTime(result.opensAt.toISOString(), i18n.language, options.timeZone ?? DEFAULT_TIME_ZONE)));
        return "campaign_not_open";
      case "campaign_closed":
        write(i18n.t("access:code.campaignClosed", formatDateTime(result.closedAt.toISOString(), i18n.language, options.timeZone ?? DEFAULT_TIME_ZONE)));
        return "campaign_closed";
    }
  }
  if (respondent.language !== undefined && isSupportedLanguage(respondent.language)) await i18n.changeLanguage(respondent.language);

  write(i18n.t("access:code.accepted"), "", i18n.t("access:identity.prompt", { name: respondent.name, unit: respondent.unit.name }), i18n.t("access:yesNo.prompt", yesNo()));
  for (;;) {
    const line = await lines.next();
    if (line === undefined) return ended();
    const yes = parseYesNo(line);
    if (yes === true) break;
    if (yes === false) {
      write(i18n.t("access:identity.declined"));
      return "identity_declined";
    }
    write(i18n.t("access:yesNo.invalid", yesNo()));
  }
  write("");

  const units = new Map(respondent.subjectUnits.map((u) => [u.id, u.name]));
  const unitName = (id: string) => units.get(id) ?? id;
  const timeZone = options.timeZone ?? DEFAULT_TIME_ZONE;
  const stored = await options.store.load(respondent.id, questionnaire);
  const id = respondent.id;
  const { outcome, state } = await runConsoleSurvey({
    questionnaire,
    lines,
    output,
    i18n,
    clock: options.clock,
    ...(stored ? { state: stored } : { units: respondent.subjectUnits.map((u) => u.id), language: respondent.language ?? i18n.language }),
    unitName,
    timeZone,
    onStep: (result) => options.store.save(id, result),
  });
  if (outcome === "completed") {
    const responses = await options.store.responses(respondent.id);
    write(...summaryLines(questionnaire, responses, { i18n, language: state.language, timeZone, unitName }), "", i18n.t("demo:end"));
  }
  return outcome;

  function ended(): DemoOutcome {
    write("", i18n.t("console:inputEnded"));
    return "input_ended";
  }
}

/** "60 phút" / "45 giây": the remaining wait, in minutes rounded up from a minute on (as the Telegram texts). */
function waitText(i18n: I18n, seconds: number): string {
  return seconds >= 60 ? i18n.t("access:wait.minutes", { count: Math.ceil(seconds / 60) }) : i18n.t("access:wait.seconds", { count: Math.max(1, Math.ceil(seconds)) });
}
