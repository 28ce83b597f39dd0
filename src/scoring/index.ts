export type * from "./types.js";
export type * from "./explain.js";
