// A flagged response's reference as organisers read and type it: six characters ("K7M2QX", no "#":
// a shell would read it as a comment) derived from the response's id, so it never changes and says nothing about who answered
// (the id of a bot response is its session's key and subject unit, meaningless to an official). The
// console and `khaosat flags` show the same reference; `khaosat flags accept|reject REF --campaign ID`
// takes it.
import { createHash } from "node:crypto";

/** Characters of references: digits and capitals without 0/O, 1/I (read aloud and typed by hand). */
const ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
/** Characters in a reference: 30 bits. */
export const REFERENCE_LENGTH = 6;

/** The reference of a response id, e.g. "K7M2QX". */
export function responseReference(responseId: string): string {
  let n = createHash("sha256").update(responseId).digest().readUInt32BE(0) >>> 2;
  let out = "";
  for (let i = 0; i < REFERENCE_LENGTH; i++) {
    out = ALPHABET[n & 31]! + out;
    n >>>= 5;
  }
  return out;
}

/** A typed reference ("#k7m2qx", "K7M2QX") in its stored form, or null when the text is not one. */
export function parseReference(text: string): string | null {
  const ref = text.trim().replace(/^#/, "").toUpperCase();
  return ref.length === REFERENCE_LENGTH && [...ref].every((c) => ALPHABET.includes(c)) ? ref : null;
}
