import { startSurvey, step, type EngineInput, type StepResult, type SurveyState } from "../../engine/index.js";
import type { I18n } from "../../i18n/index.js";
import type { Questionnaire } from "../../questionnaire/index.js";
import { parseTextCommand } from "../../conversation/commands.js";
import { editMidSurvey, endOfEdit, keptReturnTo } from "../../conversation/edit.js";
import { withHonestProgress } from "../../conversation/progress.js";
import { cannotJudgeNumber, readShownAnswer } from "../../conversation/typed.js";
import { parseCommand, parseYesNo } from "./commands.js";
import type { LineSource } from "./lines.js";
import { ConsoleRenderer } from "./render.js";

/** How a console session ended. */
export type ConsoleOutcome = "completed" | "declined" | "quit" | "input_ended";

/** Options of `runConsoleSurvey`. */
export interface ConsoleSurveyOptions {
  readonly questionnaire: Questionnaire;
  readonly lines: LineSource;
  readonly output: NodeJS.WritableStream;
  readonly i18n: I18n;
  /** The channel's clock; the engine gets its readings as timestamps. */
  readonly clock: () => Date;
  /** Resume this state (re-shows where the respondent stopped); otherwise a new survey starts. */
  readonly state?: SurveyState;
  /** New survey: subject units (default one unit, "unit") and preferred language. */
  readonly units?: readonly string[];
  readonly language?: string;
  readonly unitName?: (unitId: string) => string;
  readonly timeZone?: string;
  /**
   * Called with every step before anything of it is shown: the host stores the state and the answers
   * here (nothing is shown that was not stored). A throw ends the session with that error.
   */
  readonly onStep?: (result: StepResult) => Promise<void>;
  /** Message key printed on `quit` (default `console:quit`). */
  readonly quitMessage?: string;
}

/** The end of a console session: how it ended and the last state. */
export interface ConsoleSurveyResult {
  readonly outcome: ConsoleOutcome;
  readonly state: SurveyState;
}

/**
 * Runs one respondent through a questionnaire in a terminal: reads lines, turns them into engine
 * inputs, stores each step through `onStep`, and writes what the engine says, translated.
 */
export async function runConsoleSurvey(options: ConsoleSurveyOptions): Promise<ConsoleSurveyResult> {
  const { questionnaire, lines, output } = options;
  const renderer = new ConsoleRenderer({
    questionnaire,
    i18n: options.i18n,
    ...(options.unitName ? { unitName: options.unitName } : {}),
    ...(options.timeZone ? { timeZone: options.timeZone } : {}),
  });
  const write = (text: readonly string[]) => {
    if (text.length > 0) output.write(`${text.join("\n")}\n`);
  };
  const now = () => options.clock().toISOString();

  let state: SurveyState;
  // The flow question an `edit N` typed at a question returns to, while its edit walk lasts (as in the bots).
  let returnTo: string | undefined;
  const apply = async (stepped: StepResult, input?: EngineInput) => {
    // An edit begun at a question ends there, not at the review (src/conversation/edit.ts).
    const ended = input === undefined ? stepped : endOfEdit(questionnaire, stepped, input, returnTo, now());
    // The counter the bots show (src/conversation/progress.ts), so the preview shows what respondents see.
    const result = withHonestProgress(questionnaire, ended);
    await options.onStep?.(result);
    state = result.state;
    returnTo = keptReturnTo(state, returnTo);
    write(renderer.render(result.events));
  };

  if (options.state) {
    renderer.setLanguage(options.state.language);
    state = options.state;
    await apply(step(questionnaire, state, { type: "resume" }, { now: now() }));
  } else {
    await apply(
      startSurvey(questionnaire, {
        units: options.units ?? ["unit"],
        ...(options.language !== undefined ? { language: options.language } : {}),
        now: now(),
      }),
    );
  }

  for (;;) {
    const position = state!.position.kind;
    if (position === "completed" || position === "declined") return { outcome: position, state: state! };
    const line = await lines.next();
    if (line === undefined) {
      write(["", renderer.t("console:inputEnded")]);
      return { outcome: "input_ended", state: state! };
    }
    const input = toInput(line, state!, questionnaire, renderer, write);
    if (input === "quit") {
      write([renderer.t(options.quitMessage ?? "console:quit")]);
      return { outcome: "quit", state: state! };
    }
    if (input !== undefined && "edit" in input) {
      // `edit N` at a question, as the bots take it: refused, the current question again, or its edit walk.
      const edit = editMidSurvey(questionnaire, state!, input.edit, returnTo, now());
      write([renderer.t(edit.key, edit.params)]);
      if (edit.kind === "current") await apply(step(questionnaire, state!, { type: "resume" }, { now: now() }));
      if (edit.kind === "opened") {
        returnTo = edit.returnTo;
        await apply(edit.result);
      }
      continue;
    }
    if (input !== undefined) await apply(step(questionnaire, state!, input, { now: now() }), input);
  }
}

/** The engine input a line means where the respondent is; undefined when the console answered it itself. */
function toInput(
  line: string,
  state: SurveyState,
  questionnaire: Questionnaire,
  renderer: ConsoleRenderer,
  write: (text: readonly string[]) => void,
): EngineInput | "quit" | { readonly edit: number | undefined } | undefined {
  const command = parseCommand(line);
  const position = state.position;
  switch (command?.kind) {
    case "quit":
      return "quit";
    case "help":
      write(renderer.help());
      return undefined;
    case "lang": {
      const languages = questionnaire.languages;
      const next = command.language ?? languages[(languages.indexOf(state.language) + 1) % languages.length]!;
      return { type: "set_language", language: next };
    }
    case undefined:
      break;
    default:
      if (position.kind === "attestation") {
        write([renderer.t("conversation:choose12")]);
        return undefined;
      }
  }
  if (position.kind === "attestation") {
    const yes = parseYesNo(line);
    if (yes === undefined) {
      write([renderer.t("conversation:choose12")]);
      return undefined;
    }
    return { type: yes ? "accept_attestation" : "decline_attestation" };
  }
  switch (command?.kind) {
    case "back":
      return { type: "back" };
    case "review":
      return { type: "review" };
    case "skip":
      return { type: "skip" };
    case "submit":
      if (position.kind !== "review") {
        write([renderer.t("console:submitNeedsReview")]);
        return undefined;
      }
      return { type: "submit" };
    case "edit": {
      // At a question: any question already answered or passed (the caller opens it, as the bots do).
      if (position.kind === "question") return { edit: command.number };
      const review = renderer.lastReview;
      if (position.kind !== "review" || review === undefined) {
        write([renderer.t("console:editNeedsReview")]);
        return undefined;
      }
      if (command.number === undefined) {
        write([renderer.t("console:editUsage")]);
        return undefined;
      }
      const item = review.find((i) => i.number === command.number);
      if (!item) {
        write([renderer.t("console:editUnknown", { number: command.number })]);
        return undefined;
      }
      return { type: "edit", questionId: item.questionId };
    }
    default:
      break;
  }
  if (position.kind === "review") {
    // "continue" at the review walks the required questions still missing, as in the bots.
    if (parseTextCommand(line)?.kind === "start") return { type: "submit" };
    write([renderer.t("console:reviewHint")]);
    return undefined;
  }
  // Typed answers read as the bots read them: what the prompt shows, never an option id it does not (src/conversation/typed.ts).
  const question = position.kind === "question" ? questionnaire.byId.get(position.questionId)?.question : undefined;
  const naWords = ["vi", "en"].map((language) => renderer.t("survey:notApplicable", { lng: language }));
  const reading = question ? readShownAnswer(question, line, naWords) : undefined;
  if (reading?.kind === "not_shown") {
    const na = cannotJudgeNumber(question!, naWords);
    write([renderer.t(na !== undefined ? "conversation:optionNotShownNa" : "conversation:optionNotShown", { value: reading.value, count: reading.optionCount, ...(na !== undefined ? { na } : {}) })]);
    return undefined;
  }
  return reading?.kind === "input" ? reading.input : { type: "answer", text: line };
}
