/**
 * Splits a text into messages of at most `limit` characters (Zalo: 2,000), at line boundaries; a
 * single line longer than the limit is split between words, and only a word longer than the limit
 * itself is cut. Characters are counted as UTF-16 code units, as the messaging APIs count them, and
 * a surrogate pair is never cut.
 */
export function splitMessage(text: string, limit = 2000): string[] {
  if (limit < 2) throw new Error("bug: message limit below 2");
  const parts: string[] = [];
  let current = "";
  const flush = () => {
    const trimmed = current.replace(/\n+$/, "");
    if (trimmed.trim() !== "") parts.push(trimmed);
    current = "";
  };
  const pieces = (line: string): string[] => {
    if (line.length <= limit) return [line];
    const out: string[] = [];
    let piece = "";
    for (const word of line.split(/(?<= )/)) {
      if (piece.length + word.length <= limit) {
        piece += word;
        continue;
      }
      if (piece !== "") out.push(piece.trimEnd());
      piece = "";
      let rest = word;
      while (rest.length > limit) {
        let cut = limit;
        const code = rest.charCodeAt(cut - 1);
        if (code >= 0xd800 && code <= 0xdbff) cut--;
        out.push(rest.slice(0, cut));
        rest = rest.slice(cut);
      }
      piece = rest;
    }
    if (piece !== "") out.push(piece);
    return out;
  };
  for (const line of text.split("\n")) {
    for (const piece of pieces(line)) {
      const candidate = current === "" ? piece : `${current}\n${piece}`;
      if (candidate.length <= limit) {
        current = candidate;
        continue;
      }
      flush();
      current = piece;
    }
  }
  flush();
  return parts;
}
