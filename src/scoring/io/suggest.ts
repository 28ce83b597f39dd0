/** The closest candidate to a mistyped name (case, accents, one or two typos), if any is close enough. */
export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  const wanted = fold(name);
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = distance(wanted, fold(candidate));
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  const limit = Math.max(1, Math.floor(wanted.length / 3));
  return best !== undefined && bestDistance <= limit ? best : undefined;
}

/** ` (did you mean "x"?)` or "" — ready to append to a message. */
export function suggestion(name: string, candidates: Iterable<string>): string {
  const best = didYouMean(name, candidates);
  return best === undefined ? "" : ` (did you mean "${best}"?)`;
}

function fold(s: string): string {
  return s
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/đ/gi, "d")
    .toLowerCase()
    .replace(/[\s-]+/g, "_");
}

function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}
