/**
 * Wraps each line of a text at `columns` characters, between words: a word is never split (one
 * longer than the width stands alone on its line). Leading indentation is repeated on continuation
 * lines. Characters are counted as code points (Vietnamese letters precomposed, NFC).
 */
export function wrapWords(text: string, columns: number): string {
  if (columns < 20) return text;
  return text
    .split("\n")
    .map((line) => {
      if ([...line].length <= columns) return line;
      const indent = /^\s*/.exec(line)![0];
      const words = line.trim().split(/\s+/);
      const out: string[] = [];
      let current = indent;
      for (const word of words) {
        const candidate = current.trim() === "" ? `${indent}${word}` : `${current} ${word}`;
        if ([...candidate].length <= columns || current.trim() === "") current = candidate;
        else {
          out.push(current);
          current = `${indent}${word}`;
        }
      }
      out.push(current);
      return out.join("\n");
    })
    .join("\n");
}
