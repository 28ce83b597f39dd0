import { englishText, type Problem, type ProblemParam } from "../i18n/problem.js";
import type { ComparisonOp, Condition, Literal } from "./ast.js";

/** A syntax error in a condition, with the 1-based column where it was found. */
export interface ConditionSyntaxError {
  readonly column: number;
  /** In English; `problem` says the same by key (`questionnaire:conditions.parse.*`). */
  readonly message: string;
  readonly problem: Problem;
}

/** A problem of the `questionnaire` namespace (the checks of a questionnaire say these). */
const problem = (key: string, params: Readonly<Record<string, ProblemParam>> = {}): Problem => ({ key: `questionnaire:${key}`, params });

export type ParseResult =
  | { readonly ok: true; readonly condition: Condition }
  | { readonly ok: false; readonly error: ConditionSyntaxError };

type Token =
  | { kind: "ident"; text: string; column: number }
  | { kind: "string"; text: string; column: number }
  | { kind: "number"; text: string; column: number }
  | { kind: "op"; text: ComparisonOp; column: number }
  | { kind: "paren"; text: "(" | ")"; column: number }
  | { kind: "end"; text: ""; column: number };

class SyntaxFailure extends Error {
  constructor(
    readonly column: number,
    readonly problem: Problem,
  ) {
    super(englishText(problem));
  }
}

const IDENT = /[A-Za-z0-9_]/;
const OPERATORS: readonly ComparisonOp[] = ["==", "!=", "<=", ">=", "<", ">"];

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i]!;
    const column = i + 1;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === "(" || ch === ")") {
      tokens.push({ kind: "paren", text: ch, column });
      i++;
    } else if (ch === '"') {
      let text = "";
      i++;
      for (;;) {
        if (i >= source.length) throw new SyntaxFailure(column, problem("conditions.parse.unclosedString"));
        const c = source[i]!;
        if (c === '"') break;
        if (c === "\\" && i + 1 < source.length) {
          text += source[i + 1];
          i += 2;
        } else {
          text += c;
          i++;
        }
      }
      i++;
      tokens.push({ kind: "string", text, column });
    } else if (/[-0-9.]/.test(ch) && /^-?(\d+(\.\d+)?|\.\d+)(?![A-Za-z_])/.test(source.slice(i)) && !isIdentAhead(source, i)) {
      const match = /^-?(\d+(\.\d+)?|\.\d+)/.exec(source.slice(i))!;
      tokens.push({ kind: "number", text: match[0], column });
      i += match[0].length;
    } else if (IDENT.test(ch)) {
      let text = "";
      while (i < source.length && IDENT.test(source[i]!)) text += source[i++];
      tokens.push({ kind: "ident", text, column });
    } else {
      const op = OPERATORS.find((o) => source.startsWith(o, i));
      if (op) {
        tokens.push({ kind: "op", text: op, column });
        i += op.length;
      } else if (ch === "=") {
        throw new SyntaxFailure(column, problem("conditions.parse.singleEquals"));
      } else if (ch === "&" || ch === "|") {
        throw new SyntaxFailure(column, problem(ch === "&" ? "conditions.parse.ampersand" : "conditions.parse.bar", { ch }));
      } else if (ch === "!") {
        throw new SyntaxFailure(column, problem("conditions.parse.bang"));
      } else if (ch === "'") {
        throw new SyntaxFailure(column, problem("conditions.parse.singleQuotes"));
      } else {
        throw new SyntaxFailure(column, problem("conditions.parse.character", { ch }));
      }
    }
  }
  tokens.push({ kind: "end", text: "", column: source.length + 1 });
  return tokens;
}

/** A digit run followed by letters or "_" is a question id such as `2a`, not a number. */
function isIdentAhead(source: string, i: number): boolean {
  const m = /^[0-9A-Za-z_]+/.exec(source.slice(i));
  return m !== null && /[A-Za-z_]/.test(m[0]);
}

const KEYWORDS = new Set(["and", "or", "not", "includes"]);

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.pos]!;
  }
  private next(): Token {
    return this.tokens[this.pos++]!;
  }
  private isWord(word: string): boolean {
    const t = this.peek();
    return t.kind === "ident" && t.text === word;
  }

  parseAll(): Condition {
    const condition = this.or();
    const t = this.peek();
    if (t.kind !== "end") {
      const hint = t.kind === "ident" && KEYWORDS.has(t.text.toLowerCase()) ? problem("conditions.parse.lowerCase", { word: t.text.toLowerCase() }) : "";
      throw new SyntaxFailure(t.column, problem("conditions.parse.expectedEnd", { found: describe(t), hint }));
    }
    return condition;
  }

  private or(): Condition {
    const items = [this.and()];
    while (this.isWord("or")) {
      this.next();
      items.push(this.and());
    }
    return items.length === 1 ? items[0]! : { kind: "or", items };
  }

  private and(): Condition {
    const items = [this.unary()];
    while (this.isWord("and")) {
      this.next();
      items.push(this.unary());
    }
    return items.length === 1 ? items[0]! : { kind: "and", items };
  }

  private unary(): Condition {
    const t = this.peek();
    if (this.isWord("not")) {
      this.next();
      return { kind: "not", operand: this.unary() };
    }
    if (t.kind === "paren" && t.text === "(") {
      this.next();
      const inner = this.or();
      const close = this.next();
      if (close.kind !== "paren" || close.text !== ")") {
        throw new SyntaxFailure(close.column, problem("conditions.parse.unclosedParen", { column: t.column, found: describe(close) }));
      }
      return inner;
    }
    return this.comparison();
  }

  private comparison(): Condition {
    let first = this.next();
    // Question ids may be all digits ("12"); in the question position that is an id, not a number.
    if (first.kind === "number" && /^\d+$/.test(first.text)) first = { kind: "ident", text: first.text, column: first.column };
    if (first.kind !== "ident" || KEYWORDS.has(first.text)) {
      throw new SyntaxFailure(first.column, problem("conditions.parse.expectedTerm", { found: describe(first) }));
    }
    const after = this.peek();
    if (first.text === "answered" && after.kind === "paren" && after.text === "(") {
      this.next();
      const id = this.next();
      if (id.kind !== "ident" || KEYWORDS.has(id.text)) {
        throw new SyntaxFailure(id.column, problem("conditions.parse.answeredId", { found: describe(id) }));
      }
      const close = this.next();
      if (close.kind !== "paren" || close.text !== ")") {
        throw new SyntaxFailure(close.column, problem("conditions.parse.answeredClose", { id: id.text, found: describe(close) }));
      }
      return { kind: "answered", question: id.text, column: id.column };
    }
    const op = this.next();
    if (op.kind === "ident" && op.text === "includes") {
      const value = this.next();
      if (value.kind !== "string") {
        throw new SyntaxFailure(value.column, problem("conditions.parse.includesValue", { found: describe(value) }));
      }
      return { kind: "includes", question: first.text, value: value.text, column: first.column };
    }
    if (op.kind !== "op") {
      throw new SyntaxFailure(op.column, problem("conditions.parse.expectedOperator", { id: first.text, found: describe(op) }));
    }
    const lit = this.next();
    let literal: Literal;
    if (lit.kind === "string") literal = { type: "string", value: lit.text };
    else if (lit.kind === "number") literal = { type: "number", value: Number(lit.text), source: lit.text };
    else throw new SyntaxFailure(lit.column, problem("conditions.parse.expectedLiteral", { op: op.text, found: describe(lit) }));
    return { kind: "compare", question: first.text, op: op.text, literal, column: first.column };
  }
}

function describe(t: Token): ProblemParam {
  switch (t.kind) {
    case "end":
      return problem("conditions.parse.token.end");
    case "string":
      return problem("conditions.parse.token.string", { text: t.text });
    default:
      return `"${t.text}"`;
  }
}

/** Parses a `showIf` condition; a syntax error names the 1-based column where it was found. */
export function parseCondition(source: string): ParseResult {
  try {
    if (source.trim() === "") {
      const empty = problem("conditions.parse.empty");
      return { ok: false, error: { column: 1, message: englishText(empty), problem: empty } };
    }
    return { ok: true, condition: new Parser(tokenize(source)).parseAll() };
  } catch (e) {
    if (e instanceof SyntaxFailure) return { ok: false, error: { column: e.column, message: e.message, problem: e.problem } };
    throw e;
  }
}
