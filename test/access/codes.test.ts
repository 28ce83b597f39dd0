import { describe, expect, test } from "vitest";
import { Secret } from "../../src/config/index.js";
import {
  BotUsernameError,
  CODE_ALPHABET,
  CODE_LENGTH,
  CodeFormatError,
  codeDeepLink,
  describeCodeProblem,
  formatCode,
  generateCode,
  hashAccount,
  hashCode,
  normalizeCode,
  parseCode,
  parseStartPayload,
} from "../../src/access/index.js";

describe("alphabet", () => {
  test("31 characters, no look-alikes, no duplicates", () => {
    expect(CODE_ALPHABET).toHaveLength(31);
    expect(new Set(CODE_ALPHABET).size).toBe(31);
    for (const excluded of "01OIL") expect(CODE_ALPHABET).not.toContain(excluded);
  });
});

describe("generateCode", () => {
  test("10 characters of the alphabet from the system's random source", () => {
    for (let i = 0; i < 200; i++) expect(generateCode()).toMatch(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{10}$/);
  });

  test("maps bytes below 248 with byte % 31 and skips the rest (no modulo bias)", () => {
    // 248 = 8 × 31: bytes 248..255 would make the first 8 characters more likely, so they are skipped.
    const bytes = [248, 255, 0, 30, 31, 62, 247, 250, 1, 2, 3, 4, 5, 6];
    const code = generateCode((size) => Uint8Array.from(bytes.splice(0, size)));
    expect(code).toBe(["2", "Z", "2", "2", "Z", "3", "4", "5", "6", "7"].join(""));
  });

  test("asks again when a draw rejects too many bytes", () => {
    let calls = 0;
    const code = generateCode((size) => {
      calls++;
      return new Uint8Array(size).fill(calls === 1 ? 255 : 33);
    });
    expect(code).toBe("4".repeat(CODE_LENGTH));
    expect(calls).toBe(2);
  });

  test("every byte value below the limit maps to each character exactly 8 times", () => {
    const counts = new Map<string, number>();
    for (let byte = 0; byte < 256; byte++) {
      const code = generateCode((size) => new Uint8Array(size).fill(byte).map((b, i) => (i === 0 ? b : 0)));
      if (byte >= 248) expect(code[0]).toBe("2");
      else counts.set(code[0] ?? "", (counts.get(code[0] ?? "") ?? 0) + 1);
    }
    expect([...counts.values()]).toEqual(new Array(31).fill(8));
  });
});

describe("formatCode", () => {
  test("groups 5 + 5", () => {
    expect(formatCode("ABCDEFGHJK")).toBe("ABCDE-FGHJK");
  });
});

describe("normalizeCode", () => {
  test.each([
    ["ABCDE-FGHJK", "ABCDEFGHJK"],
    ["abcde-fghjk", "ABCDEFGHJK"],
    ["ABCDEFGHJK", "ABCDEFGHJK"],
    ["  abcde fghjk  ", "ABCDEFGHJK"],
    ["AB-CDE--FG-HJK-", "ABCDEFGHJK"],
    ["ABCDE–FGHJK", "ABCDEFGHJK"], // en dash from a phone keyboard
    ["ＡＢＣＤＥ－ＦＧＨＪＫ", "ABCDEFGHJK"], // full-width
    ["KS_ABCDEFGHJK", "ABCDEFGHJK"],
    ["ks_abcdefghjk", "ABCDEFGHJK"],
    ["https://t.me/khaosat_bot?start=KS_ABCDEFGHJK", "ABCDEFGHJK"],
    ["/start KS_ABCDEFGHJK", "ABCDEFGHJK"],
    ["/start abcde-fghjk", "ABCDEFGHJK"],
    ["KS234-56789", "KS23456789"], // a code that itself begins with KS keeps it
    ["KS_23456-789", "KS23456789"],
  ])("%j → %s", (input, code) => {
    expect(normalizeCode(input)).toEqual({ ok: true, code });
  });

  test.each([
    ["", { kind: "empty" }],
    [" - - ", { kind: "empty" }],
    ["ABCDE-FGHJ", { kind: "wrong_length", length: 9, expected: 10 }],
    ["ABCDE-FGHJKM", { kind: "wrong_length", length: 11, expected: 10 }],
    ["ABCDO-FGHJK", { kind: "bad_character", character: "O", position: 5, lookalike: "zero_o" }],
    ["ABCD0-FGHJK", { kind: "bad_character", character: "0", position: 5, lookalike: "zero_o" }],
    ["abcde-fghjo", { kind: "bad_character", character: "o", position: 10, lookalike: "zero_o" }],
    ["1BCDE-FGHJK", { kind: "bad_character", character: "1", position: 1, lookalike: "one_i_l" }],
    ["ABIDE-FGHJK", { kind: "bad_character", character: "I", position: 3, lookalike: "one_i_l" }],
    ["ABCDE-FGHJl", { kind: "bad_character", character: "l", position: 10, lookalike: "one_i_l" }],
    ["ĐBCDE-FGHJK", { kind: "bad_character", character: "Đ", position: 1 }],
    ["ABCDE#FGHJK", { kind: "bad_character", character: "#", position: 6 }],
  ])("%j is refused: %j", (input, problem) => {
    expect(normalizeCode(input)).toEqual({ ok: false, problem });
  });
});

describe("describeCodeProblem", () => {
  test.each([
    [{ kind: "empty" } as const, "no code given: a code looks like ABCDE-FGHJK (codes use only the digits 2-9 and the letters A-Z except I, L and O)"],
    [
      { kind: "wrong_length", length: 9, expected: 10 } as const,
      "a code has 10 characters (ABCDE-FGHJK), this one has 9: check for a missing or extra character",
    ],
    [
      { kind: "bad_character", character: "O", position: 5, lookalike: "zero_o" } as const,
      '"O" (character 5) is never used in codes, neither the digit 0 nor the letter O; codes use only the digits 2-9 and the letters A-Z except I, L and O',
    ],
    [
      { kind: "bad_character", character: "1", position: 1, lookalike: "one_i_l" } as const,
      '"1" (character 1) is never used in codes, neither the digit 1 nor the letters I and L; codes use only the digits 2-9 and the letters A-Z except I, L and O',
    ],
    [
      { kind: "bad_character", character: "#", position: 6 } as const,
      '"#" (character 6) is not a code character; codes use only the digits 2-9 and the letters A-Z except I, L and O',
    ],
  ])("%j", (problem, message) => {
    expect(describeCodeProblem(problem)).toBe(message);
  });

  test("parseCode throws a CodeFormatError carrying the problem", () => {
    expect(parseCode("abcde fghjk")).toBe("ABCDEFGHJK");
    const error = (() => {
      try {
        parseCode("ABCDO-FGHJK");
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(CodeFormatError);
    expect((error as CodeFormatError).problem).toEqual({ kind: "bad_character", character: "O", position: 5, lookalike: "zero_o" });
  });
});

describe("keyed hashes", () => {
  const secret = new Secret("k".repeat(43));

  test("HMAC-SHA256 of the canonical code, hex, with a context prefix", () => {
    // Computed independently: printf 'khaosat:code:v1:ABCDEFGHJK' | openssl dgst -sha256 -hmac kkk…k (43 k's)
    expect(hashCode("ABCDEFGHJK", secret)).toBe("6951e0c224c6846a0fb5ac697c670cec3315abca21b32785aea67181ed1768cb");
  });

  test("depends on the secret and on the code; codes and accounts never share a hash", () => {
    const other = new Secret("m".repeat(43));
    expect(hashCode("ABCDEFGHJK", secret)).not.toBe(hashCode("ABCDEFGHJK", other));
    expect(hashCode("ABCDEFGHJK", secret)).not.toBe(hashCode("ABCDEFGHJM", secret));
    expect(hashAccount("ABCDEFGHJK", secret)).not.toBe(hashCode("ABCDEFGHJK", secret));
  });
});

describe("deep links and start payloads", () => {
  test("link fits Telegram's payload rules", () => {
    const link = codeDeepLink("@khaosat_bot", "ABCDEFGHJK");
    expect(link).toBe("https://t.me/khaosat_bot?start=KS_ABCDEFGHJK");
    const payload = new URL(link).searchParams.get("start") ?? "";
    expect(payload).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
  });

  test.each(["", "a b", "1bot", "x".repeat(33)])("bad bot username %j is refused", (name) => {
    expect(() => codeDeepLink(name, "ABCDEFGHJK")).toThrow(BotUsernameError);
  });

  test.each([
    ["", { kind: "none" }],
    ["KS_ABCDEFGHJK", { kind: "code", input: "KS_ABCDEFGHJK" }],
    ["abcde-fghjk", { kind: "code", input: "abcde-fghjk" }],
    ["x".repeat(65), { kind: "malformed", reason: "too_long" }],
    ["KS_ABC DEF", { kind: "malformed", reason: "bad_characters" }],
    ["KS_ĐĐĐ", { kind: "malformed", reason: "bad_characters" }],
    ["POSTER_unit_42_xyz", { kind: "malformed", reason: "unknown_prefix" }],
  ])("payload %j → %j", (payload, expected) => {
    expect(parseStartPayload(payload)).toEqual(expected);
  });
});
