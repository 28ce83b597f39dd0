// Limits on questionnaire files, enforced before anything large is built from them: a hostile YAML
// can alias one big list a thousand times (800 KB of text expanding to gigabytes of objects).
import { isAlias, isCollection, isPair, isScalar, type Document, type Node } from "yaml";

/** Largest questionnaire file read (the biggest real ones are a few hundred KB). */
export const MAX_QUESTIONNAIRE_BYTES = 5 * 1024 * 1024;

/** Most values (scalars, lists, maps, each counted once per place it appears) after aliases are expanded. */
export const MAX_EXPANDED_VALUES = 200_000;

/**
 * How many values the document holds once every alias is replaced by what it names, counting up to
 * `limit` (stops there). Each anchored node's size is computed once, so this runs in time linear in
 * the text even when the expansion is huge.
 */
export function expandedSize(doc: Document, limit: number = MAX_EXPANDED_VALUES): number {
  const sizes = new Map<Node, number>();
  const sizeOf = (node: unknown): number => {
    if (node === null || node === undefined) return 1;
    if (isAlias(node)) {
      const target = node.resolve(doc);
      return target ? sizeOf(target) : 1;
    }
    if (isScalar(node)) return 1;
    if (isPair(node)) return sizeOf(node.key) + sizeOf(node.value);
    if (isCollection(node)) {
      const known = sizes.get(node);
      if (known !== undefined) return known;
      sizes.set(node, 1); // an alias inside its own anchor: reported as such when the data is built
      let total = 1;
      for (const item of node.items) {
        total += sizeOf(item);
        if (total > limit) break;
      }
      const size = Math.min(total, limit + 1);
      sizes.set(node, size);
      return size;
    }
    return 1;
  };
  return Math.min(sizeOf(doc.contents), limit + 1);
}
