/** Comparison operators of the condition language. */
export type ComparisonOp = "==" | "!=" | "<" | "<=" | ">" | ">=";

/** A parsed `showIf` condition (SURVEY-FORMAT section 2). Columns are 1-based. */
export type Condition =
  | { readonly kind: "or"; readonly items: readonly Condition[] }
  | { readonly kind: "and"; readonly items: readonly Condition[] }
  | { readonly kind: "not"; readonly operand: Condition }
  | {
      readonly kind: "compare";
      readonly question: string;
      readonly op: ComparisonOp;
      /** The literal as written: a string, or a number with its source text. */
      readonly literal: Literal;
      readonly column: number;
    }
  | { readonly kind: "includes"; readonly question: string; readonly value: string; readonly column: number }
  | { readonly kind: "answered"; readonly question: string; readonly column: number };

/** A literal of the condition language. */
export type Literal =
  | { readonly type: "string"; readonly value: string }
  | { readonly type: "number"; readonly value: number; readonly source: string };

/**
 * What a condition sees of one question's answer. The host converts stored answers into operands
 * (see `operandOf` in the questionnaire model), so the evaluator never needs question types.
 */
export type Operand =
  | { readonly type: "number"; readonly value: number }
  | { readonly type: "text"; readonly value: string }
  | { readonly type: "set"; readonly value: readonly string[] }
  | { readonly type: "na" };

/** Every question id a condition refers to, with the column of each reference. */
export function references(condition: Condition): Array<{ question: string; column: number }> {
  switch (condition.kind) {
    case "or":
    case "and":
      return condition.items.flatMap(references);
    case "not":
      return references(condition.operand);
    default:
      return [{ question: condition.question, column: condition.column }];
  }
}
