// The subset of XPath that XLSForm `relevant` and `constraint` columns use and a chat survey can run:
// ${q} references, = != < <= > >=, and, or, not(…), parentheses, numbers, quoted strings,
// selected(${q}, 'x'), count-selected(${q}), and `.` (the question itself, in constraints).
import { englishText, type Problem, type ProblemParam } from "../../i18n/problem.js";
import { questionnaireProblem } from "../problem.js";

/** A parsed XPath expression of the supported subset. Offsets are 0-based into the source. */
export type XNode =
  | { readonly kind: "or" | "and"; readonly items: readonly XNode[]; readonly at: number }
  | { readonly kind: "not"; readonly operand: XNode; readonly at: number }
  | { readonly kind: "compare"; readonly op: XOp; readonly left: XNode; readonly right: XNode; readonly at: number }
  | { readonly kind: "ref"; readonly name: string; readonly at: number }
  | { readonly kind: "self"; readonly at: number }
  | { readonly kind: "string"; readonly value: string; readonly at: number }
  | { readonly kind: "number"; readonly value: number; readonly source: string; readonly at: number }
  | { readonly kind: "call"; readonly name: "selected" | "count-selected" | "string-length"; readonly args: readonly XNode[]; readonly at: number };

/** XPath comparison operators. */
export type XOp = "=" | "!=" | "<" | "<=" | ">" | ">=";

/** Why an expression is not understood: the offending part and its 0-based offset. */
export class XPathError extends Error {
  constructor(
    readonly at: number,
    /** `questionnaire:xlsform.xpath.*`; the message is its English text. */
    readonly problem: Problem,
  ) {
    super(englishText(problem));
    this.name = "XPathError";
  }
}

type Tok =
  | { t: "ref"; v: string; at: number }
  | { t: "str"; v: string; at: number }
  | { t: "num"; v: string; at: number }
  | { t: "op"; v: XOp; at: number }
  | { t: "word"; v: string; at: number }
  | { t: "("; at: number }
  | { t: ")"; at: number }
  | { t: ","; at: number }
  | { t: "."; at: number }
  | { t: "end"; at: number };

const FUNCTIONS = new Set(["selected", "count-selected", "string-length", "not"]);

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const at = i;
    if (c === "$") {
      const m = /^\$\{\s*([^}\s]*)\s*\}/.exec(src.slice(i));
      if (!m) throw new XPathError(at, questionnaireProblem("xlsform.xpath.unclosedRef"));
      out.push({ t: "ref", v: m[1]!, at });
      i += m[0].length;
    } else if (c === "'" || c === '"') {
      const end = src.indexOf(c, i + 1);
      if (end < 0) throw new XPathError(at, questionnaireProblem("xlsform.xpath.unclosedText", { quote: c }));
      out.push({ t: "str", v: src.slice(i + 1, end), at });
      i = end + 1;
    } else if ("‘’“”".includes(c)) {
      throw new XPathError(at, questionnaireProblem("xlsform.xpath.typographicQuote", { quote: c }));
    } else if (/[0-9]/.test(c) || (c === "." && /[0-9]/.test(src[i + 1] ?? "")) || (c === "-" && /[0-9.]/.test(src[i + 1] ?? "") && !prevIsValue(out))) {
      const m = /^-?(\d+(\.\d+)?|\.\d+)/.exec(src.slice(i))!;
      out.push({ t: "num", v: m[0], at });
      i += m[0].length;
    } else if (c === ".") {
      if (src[i + 1] === ".") throw new XPathError(at, questionnaireProblem("xlsform.xpath.parent"));
      out.push({ t: ".", at });
      i++;
    } else if (c === "(" || c === ")" || c === ",") {
      out.push({ t: c, at });
      i++;
    } else if (c === "!" && src[i + 1] === "=") {
      out.push({ t: "op", v: "!=", at });
      i += 2;
    } else if (c === "<" || c === ">") {
      const eq = src[i + 1] === "=";
      out.push({ t: "op", v: (eq ? `${c}=` : c) as XOp, at });
      i += eq ? 2 : 1;
    } else if (c === "=") {
      out.push({ t: "op", v: "=", at });
      i += src[i + 1] === "=" ? 2 : 1;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_:.-]*/.exec(src.slice(i))!;
      let word = m[0];
      // "count-selected" is one word; "a-b" never appears in the subset otherwise.
      if (word.endsWith("-") || word.endsWith(".")) word = word.replace(/[-.]+$/, "");
      out.push({ t: "word", v: word, at });
      i += word.length;
    } else {
      throw new XPathError(at, questionnaireProblem("xlsform.xpath.character", { character: c }));
    }
  }
  out.push({ t: "end", at: src.length });
  return out;
}

function prevIsValue(out: readonly Tok[]): boolean {
  const p = out[out.length - 1];
  return p !== undefined && (p.t === "ref" || p.t === "num" || p.t === "str" || p.t === ")" || p.t === ".");
}

/** Parses an expression of the supported subset; anything else throws XPathError naming the part. */
export function parseXPath(src: string): XNode {
  if (src.trim() === "") throw new XPathError(0, questionnaireProblem("xlsform.xpath.empty"));
  const toks = tokenize(src);
  let pos = 0;
  const peek = (): Tok => toks[pos]!;
  const next = (): Tok => toks[pos++]!;
  const snippet = (t: Tok): ProblemParam => (t.t === "end" ? questionnaireProblem("xlsform.xpath.theEnd") : `"${src.slice(t.at, Math.min(src.length, t.at + 20)).split(/[\s,)]/)[0] || src[t.at]}"`);
  const isWord = (w: string): boolean => {
    const t = peek();
    return t.t === "word" && t.v === w;
  };

  const or = (): XNode => {
    const at = peek().at;
    const items = [and()];
    while (isWord("or")) {
      next();
      items.push(and());
    }
    return items.length === 1 ? items[0]! : { kind: "or", items, at };
  };
  const and = (): XNode => {
    const at = peek().at;
    const items = [comparison()];
    while (isWord("and")) {
      next();
      items.push(comparison());
    }
    return items.length === 1 ? items[0]! : { kind: "and", items, at };
  };
  const comparison = (): XNode => {
    const left = primary();
    const t = peek();
    if (t.t !== "op") return left;
    next();
    const right = primary();
    if (peek().t === "op") throw new XPathError(peek().at, questionnaireProblem("xlsform.xpath.secondComparison", { found: snippet(peek()) }));
    return { kind: "compare", op: t.v, left, right, at: left.at };
  };
  const primary = (): XNode => {
    const t = next();
    switch (t.t) {
      case "ref":
        return { kind: "ref", name: t.v, at: t.at };
      case ".":
        return { kind: "self", at: t.at };
      case "str":
        return { kind: "string", value: t.v, at: t.at };
      case "num":
        return { kind: "number", value: Number(t.v), source: t.v, at: t.at };
      case "(": {
        const inner = or();
        const close = next();
        if (close.t !== ")") throw new XPathError(close.at, questionnaireProblem("xlsform.xpath.unclosedParen", { found: snippet(close) }));
        return inner;
      }
      case "word": {
        if (peek().t !== "(") {
          if (t.v === "true" || t.v === "false") throw new XPathError(t.at, questionnaireProblem("xlsform.xpath.boolean", { word: t.v }));
          throw new XPathError(t.at, questionnaireProblem("xlsform.xpath.bareWord", { found: snippet(t) }));
        }
        if (!FUNCTIONS.has(t.v)) throw new XPathError(t.at, questionnaireProblem("xlsform.xpath.function", { name: t.v }));
        next();
        const args: XNode[] = [];
        if (peek().t !== ")") {
          args.push(or());
          while (peek().t === ",") {
            next();
            args.push(or());
          }
        }
        const close = next();
        if (close.t !== ")") throw new XPathError(close.at, questionnaireProblem("xlsform.xpath.unclosedCall", { name: t.v, found: snippet(close) }));
        if (t.v === "not") {
          if (args.length !== 1) throw new XPathError(t.at, questionnaireProblem("xlsform.xpath.notArity"));
          return { kind: "not", operand: args[0]!, at: t.at };
        }
        const name = t.v as "selected" | "count-selected" | "string-length";
        const arity = name === "selected" ? 2 : 1;
        if (args.length !== arity) throw new XPathError(t.at, questionnaireProblem(arity === 2 ? "xlsform.xpath.arityTwo" : "xlsform.xpath.arityOne", { name }));
        return { kind: "call", name, args, at: t.at };
      }
      default:
        throw new XPathError(t.at, questionnaireProblem("xlsform.xpath.expectedTerm", { found: snippet(t) }));
    }
  };

  const result = or();
  const rest = peek();
  if (rest.t !== "end") {
    const hint = rest.t === "word" && /^(AND|OR|And|Or)$/.test(rest.v) ? questionnaireProblem("xlsform.xpath.lowerCase", { word: rest.v.toLowerCase() }) : "";
    throw new XPathError(rest.at, questionnaireProblem("xlsform.xpath.expectedEnd", { found: snippet(rest), hint }));
  }
  return result;
}
