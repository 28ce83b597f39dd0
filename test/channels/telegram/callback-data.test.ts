import { describe, expect, test } from "vitest";
import { encodeCallback, parseCallback, sessionTag, type CallbackAction } from "../../../src/channels/telegram/index.js";

const TAG = "k3x9a1";

describe("callback data", () => {
  test.each<[CallbackAction, string]>([
    [{ kind: "identity", confirm: true }, "1.k3x9a1.i.y"],
    [{ kind: "identity", confirm: false }, "1.k3x9a1.i.n"],
    [{ kind: "attestation", accept: true }, "1.k3x9a1.a.y"],
    [{ kind: "option", question: 40, option: 11 }, "1.k3x9a1.o.14.b"],
    [{ kind: "scale", question: 3, value: 10 }, "1.k3x9a1.s.3.10"],
    [{ kind: "scale", question: 3, value: -2 }, "1.k3x9a1.s.3.-2"],
    [{ kind: "scale", question: 3, value: "na" }, "1.k3x9a1.s.3.na"],
    [{ kind: "toggle", question: 7, option: 0 }, "1.k3x9a1.t.7.0"],
    [{ kind: "done", question: 7 }, "1.k3x9a1.d.7"],
    [{ kind: "skip", question: 7 }, "1.k3x9a1.k.7"],
    [{ kind: "back", question: 7 }, "1.k3x9a1.b.7"],
    [{ kind: "edit", question: 1295 }, "1.k3x9a1.e.zz"],
    [{ kind: "submit" }, "1.k3x9a1.S"],
    [{ kind: "review" }, "1.k3x9a1.R"],
    [{ kind: "language", language: "en" }, "1.k3x9a1.l.en"],
  ])("%o is %s and parses back", (action, encoded) => {
    expect(encodeCallback(TAG, action)).toBe(encoded);
    expect(parseCallback(encoded)).toEqual({ tag: TAG, action });
  });

  test.each([
    ["empty", ""],
    ["other version", "2.k3x9a1.S"],
    ["short tag", "1.k3.S"],
    ["upper-case tag", "1.K3X9A1.S"],
    ["unknown kind", "1.k3x9a1.x.1"],
    ["missing option", "1.k3x9a1.o.1"],
    ["extra part", "1.k3x9a1.d.1.2"],
    ["yes/no other than y/n", "1.k3x9a1.i.yes"],
    ["scale with decimals", "1.k3x9a1.s.1.2.5"],
    ["scale word", "1.k3x9a1.s.1.ten"],
    ["index too long", "1.k3x9a1.d.zzzzz"],
    ["unknown language", "1.k3x9a1.l.fr"],
    ["submit with argument", "1.k3x9a1.S.1"],
    ["over 64 bytes", `1.k3x9a1.e.1${"0".repeat(60)}`],
    ["non-ASCII", "1.k3x9a1.o.1.á"],
  ])("refuses %s", (_name, data) => {
    expect(parseCallback(data)).toBeUndefined();
  });

  test("session tags are stable, short and differ between sessions", () => {
    expect(sessionTag("s1")).toBe(sessionTag("s1"));
    expect(sessionTag("s1")).toMatch(/^[0-9a-z]{6}$/);
    expect(sessionTag("s1")).not.toBe(sessionTag("s2"));
  });
});
