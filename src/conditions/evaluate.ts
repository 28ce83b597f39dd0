import type { Condition, Literal, Operand } from "./ast.js";

/** Looks up what a condition sees of a question's answer; `undefined` when unanswered or skipped. */
export type OperandLookup = (question: string) => Operand | undefined;

/** Evaluates a condition against the answers so far (SURVEY-FORMAT section 2). */
export function evaluateCondition(condition: Condition, lookup: OperandLookup): boolean {
  switch (condition.kind) {
    case "or":
      return condition.items.some((item) => evaluateCondition(item, lookup));
    case "and":
      return condition.items.every((item) => evaluateCondition(item, lookup));
    case "not":
      return !evaluateCondition(condition.operand, lookup);
    case "answered":
      return lookup(condition.question) !== undefined;
    case "includes": {
      const operand = lookup(condition.question);
      if (operand?.type !== "set") return false;
      const wanted = condition.value.normalize("NFC");
      return operand.value.some((id) => id.normalize("NFC") === wanted);
    }
    case "compare": {
      const operand = lookup(condition.question);
      // Unanswered, "cannot judge" and multi answers make every comparison false.
      if (operand === undefined || operand.type === "na" || operand.type === "set") return false;
      if (operand.type === "number") {
        const right = literalAsNumber(condition.literal);
        return right !== undefined && compare(operand.value, right, condition.op);
      }
      return compare(operand.value.normalize("NFC"), literalAsText(condition.literal).normalize("NFC"), condition.op);
    }
  }
}

function literalAsNumber(literal: Literal): number | undefined {
  if (literal.type === "number") return literal.value;
  const text = literal.value.trim();
  if (!/^-?(\d+(\.\d+)?|\.\d+)$/.test(text)) return undefined;
  return Number(text);
}

function literalAsText(literal: Literal): string {
  return literal.type === "number" ? literal.source : literal.value;
}

function compare<T extends number | string>(left: T, right: T, op: string): boolean {
  switch (op) {
    case "==":
      return left === right;
    case "!=":
      return left !== right;
    case "<":
      return left < right;
    case "<=":
      return left <= right;
    case ">":
      return left > right;
    case ">=":
      return left >= right;
    default:
      return false;
  }
}
