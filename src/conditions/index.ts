export type { Condition, ComparisonOp, Literal, Operand } from "./ast.js";
export { references } from "./ast.js";
export { parseCondition, type ConditionSyntaxError, type ParseResult } from "./parse.js";
export { evaluateCondition, type OperandLookup } from "./evaluate.js";
