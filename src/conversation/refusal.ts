// What a respondent is told when a code is refused, for every channel (one text per refusal).
import type { CodeProblem, RedemptionResult } from "../access/index.js";
import { formatDateTime } from "../channels/console/format.js";
import type { Translate } from "../i18n/index.js";

/** How a channel words two refusals. */
export interface RefusalWording {
  /** Added after "too many wrong codes" (how to get out); absent: nothing added (Telegram). */
  readonly lockedHelpKey?: string;
  /** A code bound to another account (default `telegram:code.boundToOther`). */
  readonly boundToOtherKey?: string;
}

/** The respondent-facing text of a refused redemption. */
export function refusalText(t: Translate, result: Exclude<RedemptionResult, { kind: "ok" }>, language: string, timeZone: string, wording: RefusalWording = {}): string {
  const lockedText = (seconds: number) => {
    const locked = t("telegram:code.locked", { wait: waitText(t, seconds) });
    return wording.lockedHelpKey !== undefined ? `${locked} ${t(wording.lockedHelpKey)}` : locked;
  };
  const when = (at: Date) => formatDateTime(at.toISOString(), language, timeZone);
  switch (result.kind) {
    case "invalid_format":
      return problemText(t, result.problem);
    case "unknown_code":
      return result.retryAfterSeconds ? lockedText(result.retryAfterSeconds) : t("telegram:code.unknown", { count: result.attemptsLeft });
    case "revoked":
      return result.retryAfterSeconds ? lockedText(result.retryAfterSeconds) : t("telegram:code.revoked", { count: result.attemptsLeft });
    case "spent":
      return result.retryAfterSeconds ? lockedText(result.retryAfterSeconds) : t("telegram:code.spent");
    case "bound_to_other":
      return result.retryAfterSeconds ? lockedText(result.retryAfterSeconds) : t(wording.boundToOtherKey ?? "telegram:code.boundToOther", { count: result.attemptsLeft });
    case "delegation_refused":
      return t("telegram:code.delegationRefused");
    case "locked":
      return lockedText(result.retryAfterSeconds);
    case "throttled":
      return t("telegram:code.throttled", { wait: waitText(t, result.retryAfterSeconds) });
    case "campaign_not_open":
      return t("telegram:code.notOpen", when(result.opensAt));
    case "campaign_closed":
      return t("telegram:closed", when(result.closedAt));
  }
}

/** "15 phút" / "45 giây": minutes, rounded up, from a minute on. */
export function waitText(t: Translate, seconds: number): string {
  return seconds >= 60 ? t("telegram:wait.minutes", { count: Math.ceil(seconds / 60) }) : t("telegram:wait.seconds", { count: Math.max(1, Math.ceil(seconds)) });
}

function problemText(t: Translate, problem: CodeProblem): string {
  switch (problem.kind) {
    case "empty":
      return t("telegram:code.problem.empty");
    case "wrong_length":
      return t("telegram:code.problem.wrong_length", { expected: problem.expected, length: problem.length });
    case "bad_character":
      return problem.lookalike
        ? t(`telegram:code.problem.lookalike_${problem.lookalike}`, { position: problem.position })
        : t("telegram:code.problem.bad_character", { character: problem.character, position: problem.position });
  }
}
