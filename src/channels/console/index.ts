export { runConsoleSurvey, type ConsoleSurveyOptions, type ConsoleSurveyResult, type ConsoleOutcome } from "./session.js";
export { ConsoleRenderer, DEFAULT_TIME_ZONE, CONSOLE_WORDS, multiExample, type ConsoleRendererOptions, type RenderedParts } from "./render.js";
export { createLineSource, lineSourceOf, type LineSource, type LineSourceOptions } from "./lines.js";
export { parseCommand, parseYesNo, type ConsoleCommand } from "./commands.js";
export { formatAnswer, formatDateTime, formatNumber, localized, truncate } from "./format.js";
export { wrapWords } from "./wrap.js";
export { numberRanges } from "../../conversation/views.js";
