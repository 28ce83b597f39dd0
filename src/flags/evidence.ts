// A flag's evidence as data the console can say in the organiser's language. The scoring module
// writes each rule's evidence as one English sentence (what `khaosat flags` prints, unchanged);
// this reads those sentences back into a key and its figures, per part. Only timing and pattern
// figures are kept: the answers some sentences quote (an attention check's or a consistency pair's
// values, the overall mark) are left out, so the console shows no one's answers.
// test/flags/evidence-parts.test.ts makes every rule fire and checks each sentence is read.
import type { FlagEvidence } from "../scoring/index.js";

/** One part of a rule's evidence: `key` under web `flagEvidence.*`, with its figures. */
export interface EvidencePart {
  readonly key: string;
  readonly values: Readonly<Record<string, number>>;
}

const WEAK = /; a weak sign, raised because (another one agrees|(\d+) others agree)$/;

/** "9m 30s" / "45s" (scoring's formatSeconds) as seconds. */
function seconds(text: string): number | undefined {
  const m = /^(?:(\d+)m )?(\d+)s$/.exec(text);
  return m ? Number(m[1] ?? 0) * 60 + Number(m[2]) : undefined;
}

function longString(part: string): EvidencePart | undefined {
  let m = /^the same answer on (\d+) of (\d+) judgement questions \(limit (\d+)%\)$/.exec(part);
  if (m) return { key: "sameShare", values: { same: Number(m[1]), answered: Number(m[2]), limit: Number(m[3]) } };
  m = /^(\d+) judgement questions in a row with the same answer \(limit (\d+)\)$/.exec(part);
  if (m) return { key: "run", values: { run: Number(m[1]), limit: Number(m[2]) } };
  if (part === "too few responses to compare with the unit's") return { key: "tooFewToCompare", values: {} };
  m = /^(?:about 1 in (\S+)|practically none) of the unit's genuine respondents \(generous and strict ones included\) would answer so uniformly \(limit 1 in (\d+)\)$/.exec(part);
  if (m) return m[1] === undefined ? { key: "rarityNone", values: { limit: Number(m[2]) } } : { key: "rarity", values: { n: Number(m[1]), limit: Number(m[2]) } };
  // The mark itself is an answer: only that it is ordinary is said.
  if (/^the overall mark \(.*\) is more ordinary than such answers lead to expect$/s.test(part)) return { key: "overallOrdinary", values: {} };
  return undefined;
}

/** The parts of one rule's evidence, or undefined when its sentence is not one this knows. */
export function evidenceParts(evidence: FlagEvidence): EvidencePart[] | undefined {
  let text = evidence.text;
  const tail: EvidencePart[] = [];
  const weak = WEAK.exec(text);
  if (weak) {
    text = text.slice(0, weak.index);
    tail.push({ key: "weak", values: { count: weak[2] === undefined ? 1 : Number(weak[2]) } });
  }
  const one = (part: EvidencePart | undefined) => (part ? [part, ...tail] : undefined);
  let m: RegExpExecArray | null;
  switch (evidence.rule) {
    case "duration": {
      m = /^finished in (.+), under a third of the median (.+)$/.exec(text);
      const [took, median] = m ? [seconds(m[1]!), seconds(m[2]!)] : [];
      return took === undefined || median === undefined ? undefined : one({ key: "duration", values: { took, median } });
    }
    case "reading":
      m = /^(\d+) of (\d+) timed questions answered faster than their text can be read \(median ([\d.]+) s where reading them needs ([\d.]+) s on average\)$/.exec(text);
      return one(m ? { key: "reading", values: { fast: Number(m[1]), timed: Number(m[2]), median: Number(m[3]), needed: Number(m[4]) } } : undefined);
    case "same-position":
      m = /^the same answer position on all (\d+) single and scale questions$/.exec(text);
      return one(m ? { key: "samePosition", values: { count: Number(m[1]) } } : undefined);
    case "long-string": {
      const parts = text.split("; ").map(longString);
      return parts.every((p) => p !== undefined) ? [...(parts as EvidencePart[]), ...tail] : undefined;
    }
    case "account":
      return one(text === "the messaging account that answered also answered for another respondent" ? { key: "account", values: {} } : undefined);
    case "attention-check":
      m = /^failed (\d+) of (\d+) attention checks \(.*\)$/s.exec(text);
      return one(m ? { key: "attention", values: { failed: Number(m[1]), checked: Number(m[2]) } } : undefined);
    case "pairs":
      m = /^(\d+) of (\d+) consistency pairs contradict each other \(.*\)$/s.exec(text);
      return one(m ? { key: "pairs", values: { broken: Number(m[1]), compared: Number(m[2]) } } : undefined);
    case "person-fit":
      m = /^answers far from the pattern of its unit and group: distance ([\d.]+) times the typical one \(limit ([\d.]+)\); for review only$/.exec(text);
      return one(m ? { key: "personFit", values: { ratio: Number(m[1]), limit: Number(m[2]) } } : undefined);
    default:
      return undefined;
  }
}
