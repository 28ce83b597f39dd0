import type { AnswerValue, Questionnaire } from "../questionnaire/index.js";
import type { ScoringResponse } from "./types.js";

// Responses kept by column: one array per field and per question, indexed by response row. A
// national file (50,000 × 40) read into one answers object per response gives 50,000 objects of
// ~38 keys, nearly each with its own shape (which questions were skipped differs from row to row),
// and scoring, flags and their garbage collection spend most of their time on them. Columns are a
// few dozen arrays whatever the size; the reader fills them, scoring and the quality flags read them.

/** One question's answers, by response row; `undefined` where unanswered. */
export type AnswerColumn = readonly (AnswerValue | undefined)[];

/** What a table is built from (see {@link ResponseTable.fromColumns}): its row fields, and answers and seconds by question. */
export type ResponseColumns = Pick<ResponseTable, "length" | "ids" | "units" | "groups" | "startedAt" | "submittedAt"> & {
  /** The answers of every question the source has a column for, in questionnaire order. */
  readonly answers: ReadonlyMap<string, AnswerColumn>;
  /** Seconds spent per question, NaN when unknown; only the questions the source times. */
  readonly seconds: ReadonlyMap<string, ArrayLike<number>>;
};

/** In {@link ResponseTable.optionCodes}: an answer that is none of the question's options. */
export const UNKNOWN_OPTION = 0xffff;

/**
 * A question {@link ResponseTable.of} reads from the objects: its answers, or, given its options (a
 * single question), their {@link ResponseTable.optionCodes}. A bare id is a question read by answers.
 */
export type TableQuestion = string | { readonly id: string; readonly options?: readonly { readonly id: string }[] };

/** The questions of `questionnaire` as scoring and the flags read them: single questions by option code, the others by answer. */
export function tableQuestions(questionnaire: Questionnaire): TableQuestion[] {
  return questionnaire.questions.map(({ question }) => (question.type === "single" ? { id: question.id, options: question.options } : question.id));
}

/** Turns an answer into the 1-based position of its option (see {@link ResponseTable.optionCodes}). */
class OptionDecoder {
  private readonly positions: Map<string, number>;
  /** One-character option ids ("1".."5", "x": the usual case) by character code, read without hashing the answer. */
  private readonly byCode = new Uint16Array(128).fill(UNKNOWN_OPTION);

  constructor(readonly options: readonly { readonly id: string }[]) {
    this.positions = new Map(options.map((o, i) => [o.id, i + 1]));
    for (const [option, position] of this.positions) if (option.length === 1 && option.charCodeAt(0) < 128) this.byCode[option.charCodeAt(0)] = position;
  }

  /** The code of an answer (not undefined): an answer that is not text is compared as text. */
  code(value: AnswerValue): number {
    if (typeof value === "string" && value.length === 1 && value.charCodeAt(0) < 128) return this.byCode[value.charCodeAt(0)]!;
    return this.positions.get(typeof value === "string" ? value : String(value)) ?? UNKNOWN_OPTION;
  }
}

/** The columns only bot responses have (undefined when no response has a value). */
type OptionalColumns = Pick<ResponseTable, "respondents" | "accounts" | "decisions" | "languages" | "timed">;

/**
 * Submitted responses by column, as scoring and the quality flags read them. Built by the responses
 * reader from a file's rows, or from response objects (bot responses, tests): then each column is
 * taken from the objects when first asked for, and {@link response} gives back the objects themselves.
 */
export class ResponseTable {
  readonly length: number;
  readonly ids: readonly string[];
  readonly units: readonly string[];
  readonly groups: readonly string[];
  /** Epoch milliseconds; NaN when unknown. */
  readonly startedAt: ArrayLike<number>;
  readonly submittedAt: ArrayLike<number>;
  /** Only for responses that carry them (bot channels); undefined when none does. */
  readonly respondents: readonly (string | undefined)[] | undefined;
  readonly accounts: readonly (string | undefined)[] | undefined;
  readonly decisions: readonly ("accept" | "reject" | undefined)[] | undefined;
  readonly languages: readonly (string | undefined)[] | undefined;
  /** Whether any response has a time per question. */
  readonly timed: boolean;
  private readonly answerColumns: Map<string, AnswerColumn>;
  private readonly secondsColumns: Map<string, ArrayLike<number>>;
  private readonly source: readonly ScoringResponse[] | undefined;
  private empty: AnswerColumn | undefined;
  private untimed: Float64Array | undefined;
  private readonly optionColumns = new Map<string, { readonly options: readonly { readonly id: string }[]; readonly codes: Uint16Array }>();

  private constructor(columns: ResponseColumns, optional: OptionalColumns, source?: readonly ScoringResponse[]) {
    this.length = columns.length;
    this.ids = columns.ids;
    this.units = columns.units;
    this.groups = columns.groups;
    this.startedAt = columns.startedAt;
    this.submittedAt = columns.submittedAt;
    this.answerColumns = new Map(columns.answers);
    this.secondsColumns = new Map(columns.seconds);
    this.source = source;
    this.respondents = optional.respondents;
    this.accounts = optional.accounts;
    this.decisions = optional.decisions;
    this.languages = optional.languages;
    this.timed = optional.timed;
  }

  /** A table over columns the reader filled (every array `length` long). */
  static fromColumns(columns: ResponseColumns): ResponseTable {
    const none = { respondents: undefined, accounts: undefined, decisions: undefined, languages: undefined };
    return new ResponseTable(columns, { ...none, timed: columns.seconds.size > 0 });
  }

  /**
   * A table over response objects; `responses` as given when it already is one. Every row field and
   * the answers to `questions` are taken in one pass, response by response (each object read once,
   * into arrays allocated at their final length); any other answer column when first asked for. A
   * question given with its `options` (a single question) is kept as its {@link optionCodes}, decoded
   * in that same pass, and its answers are only taken from the objects again if asked for: what
   * scoring and the flags read of a single question is its codes, and a code is two bytes where an
   * answer is a reference to store in an array the garbage collector then walks.
   */
  static of(responses: readonly ScoringResponse[] | ResponseTable, questions: readonly TableQuestion[] = []): ResponseTable {
    if (responses instanceof ResponseTable) return responses;
    const n = responses.length;
    const answerIds: string[] = [];
    const columns: (AnswerValue | undefined)[][] = [];
    const codedIds: string[] = [];
    const decoders: OptionDecoder[] = [];
    const codeColumns: Uint16Array[] = [];
    for (const question of questions) {
      if (typeof question === "string" || question.options === undefined) {
        answerIds.push(typeof question === "string" ? question : question.id);
        columns.push(new Array<AnswerValue | undefined>(n));
      } else {
        codedIds.push(question.id);
        decoders.push(new OptionDecoder(question.options));
        codeColumns.push(new Uint16Array(n));
      }
    }
    const nA = answerIds.length;
    const nC = codedIds.length;
    const ids = new Array<string>(n);
    const units = new Array<string>(n);
    const groups = new Array<string>(n);
    const startedAt = new Float64Array(n);
    const submittedAt = new Float64Array(n);
    // The optional fields are rare (bot responses): their arrays are made when a first value is seen.
    let respondents: (string | undefined)[] | undefined;
    let accounts: (string | undefined)[] | undefined;
    let decisions: ("accept" | "reject" | undefined)[] | undefined;
    let languages: (string | undefined)[] | undefined;
    let timed = false;
    const since = <T>(i: number): (T | undefined)[] => new Array<T | undefined>(n).fill(undefined, 0, i);
    for (let i = 0; i < n; i++) {
      const r = responses[i]!;
      ids[i] = r.id;
      units[i] = r.unit;
      groups[i] = r.group;
      startedAt[i] = r.startedAt ?? Number.NaN;
      submittedAt[i] = r.submittedAt ?? Number.NaN;
      const answers = r.answers;
      for (let q = 0; q < nA; q++) columns[q]![i] = answers[answerIds[q]!];
      for (let q = 0; q < nC; q++) {
        const value = answers[codedIds[q]!];
        if (value !== undefined) codeColumns[q]![i] = decoders[q]!.code(value);
      }
      if (r.respondent !== undefined || respondents) (respondents ??= since(i))[i] = r.respondent;
      if (r.account !== undefined || accounts) (accounts ??= since(i))[i] = r.account;
      if (r.decision !== undefined || decisions) (decisions ??= since(i))[i] = r.decision;
      if (r.language !== undefined || languages) (languages ??= since(i))[i] = r.language;
      if (r.seconds !== undefined) timed = true;
    }
    const answers = new Map<string, AnswerColumn>();
    for (let q = 0; q < nA; q++) answers.set(answerIds[q]!, columns[q]!);
    const table = new ResponseTable(
      { length: n, ids, units, groups, startedAt, submittedAt, answers, seconds: new Map() },
      { respondents, accounts, decisions, languages, timed },
      responses,
    );
    for (let q = 0; q < nC; q++) table.optionColumns.set(codedIds[q]!, { options: decoders[q]!.options, codes: codeColumns[q]! });
    return table;
  }

  /** The answers to question `id` by row (all undefined when no response has a column for it). */
  column(id: string): AnswerColumn {
    let column = this.answerColumns.get(id);
    if (column) return column;
    if (this.source) {
      column = this.source.map((r) => r.answers[id]);
      this.answerColumns.set(id, column);
      return column;
    }
    return (this.empty ??= new Array<undefined>(this.length).fill(undefined));
  }

  /**
   * The answers to question `id` by row as the 1-based position of the option among `options` (the
   * last one of a repeated id): 0 when unanswered, {@link UNKNOWN_OPTION} when the answer is none of
   * them. An answer that is not text is compared as text. Decoded once per question and options, so
   * that scoring and the quality flags read one small typed array instead of the answers each.
   */
  optionCodes(id: string, options: readonly { readonly id: string }[]): Uint16Array {
    const cached = this.optionColumns.get(id);
    if (cached && cached.options === options) return cached.codes;
    const column = this.column(id);
    const decoder = new OptionDecoder(options);
    const codes = new Uint16Array(this.length);
    for (let r = 0; r < codes.length; r++) {
      const value = column[r];
      if (value !== undefined) codes[r] = decoder.code(value);
    }
    this.optionColumns.set(id, { options, codes });
    return codes;
  }

  /** Seconds spent on question `id` by row, NaN when unknown. */
  seconds(id: string): ArrayLike<number> {
    if (this.source && this.timed && this.secondsColumns.size === 0) this.takeSeconds(this.source);
    return this.secondsColumns.get(id) ?? (this.untimed ??= new Float64Array(this.length).fill(Number.NaN));
  }

  /** Every question's seconds from the objects, in one pass over them. */
  private takeSeconds(source: readonly ScoringResponse[]): void {
    for (let i = 0; i < source.length; i++) {
      const seconds = source[i]!.seconds;
      if (!seconds) continue;
      for (const id in seconds) {
        let column = this.secondsColumns.get(id) as Float64Array | undefined;
        if (!column) this.secondsColumns.set(id, (column = new Float64Array(source.length).fill(Number.NaN)));
        column[i] = seconds[id]!;
      }
    }
  }

  /** Row `i` as a response object: the object itself for a table built from objects. */
  response(i: number): ScoringResponse {
    const given = this.source?.[i];
    if (given) return given;
    const answers: Record<string, AnswerValue> = {};
    for (const [id, column] of this.answerColumns) {
      const value = column[i];
      if (value !== undefined) answers[id] = value;
    }
    let seconds: Record<string, number> | undefined;
    for (const [id, column] of this.secondsColumns) {
      const s = column[i]!;
      if (s === s) (seconds ??= {})[id] = s;
    }
    const startedAt = this.startedAt[i]!;
    const submittedAt = this.submittedAt[i]!;
    // The keys in the order the reader always gave them (id, unit, group, times, answers, seconds).
    return {
      id: this.ids[i]!,
      unit: this.units[i]!,
      group: this.groups[i]!,
      ...(startedAt === startedAt ? { startedAt } : {}),
      ...(submittedAt === submittedAt ? { submittedAt } : {}),
      answers,
      ...(seconds ? { seconds } : {}),
    };
  }

  /** Every row as a response object, in row order. */
  toResponses(): ScoringResponse[] {
    if (this.source) return [...this.source];
    return Array.from({ length: this.length }, (_, i) => this.response(i));
  }
}
