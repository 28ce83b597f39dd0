// Small cells: a breakdown (per unit, per group) over fewer than `minResponses` responses could
// reveal what the few people in it answered, so it is not shown, in every report and export.
// Participation (who has submitted, counts only) is the exception.

/** The smallest number of responses a shown cell may rest on: the questionnaire's `minResponses` (default 1). */
export function smallCellThreshold(questionnaire: { readonly scoring?: { readonly minResponses?: number } | undefined }): number {
  return Math.max(1, questionnaire.scoring?.minResponses ?? 1);
}

/** Whether a cell of `count` responses may be shown. */
export function isCellShown(count: number, minResponses: number): boolean {
  return count >= minResponses;
}

/** The outcome of `protectBreakdown`: the cells to show and how many were withheld. */
export interface ProtectedBreakdown<T> {
  readonly shown: readonly T[];
  readonly hidden: number;
}

/**
 * The cells of one breakdown that may be shown. Cells under `minResponses` are withheld; when the
 * total (or a weighted mean) of the breakdown is shown and exactly one cell is withheld, its value
 * could be worked out from the total and the others, so the next smallest cell is withheld too.
 */
export function protectBreakdown<T>(
  cells: readonly T[],
  count: (cell: T) => number,
  minResponses: number,
  options: { readonly totalShown: boolean },
): ProtectedBreakdown<T> {
  const small = new Set(cells.filter((c) => !isCellShown(count(c), minResponses)));
  if (options.totalShown && small.size === 1 && cells.length > 1) {
    const next = cells.filter((c) => !small.has(c)).sort((a, b) => count(a) - count(b))[0];
    if (next !== undefined) small.add(next);
  }
  return { shown: cells.filter((c) => !small.has(c)), hidden: small.size };
}

/** The note printed where cells were withheld. */
export function withheldNote(hidden: number, minResponses: number): string {
  return `${hidden} group${hidden === 1 ? "" : "s"} not shown (fewer than ${minResponses} responses, or would reveal one that has)`;
}
