import { describe, expect, test } from "vitest";
import { Secret } from "../../src/config/index.js";
import { DEMO_CODE, DEMO_RESPONDENT, createDemoCodeChecker, type CodeCheckResult } from "../../src/demo/index.js";

const NOW = new Date("2026-12-01T02:00:00Z");
const SECRET = new Secret("test-secret-test-secret-test-secret-0123");
const checker = () => createDemoCodeChecker(new Map([[DEMO_CODE, DEMO_RESPONDENT]]), NOW, SECRET);

describe("createDemoCodeChecker (access module's redemption service in memory)", () => {
  test.each<[string, string, CodeCheckResult["kind"]]>([
    ["the code as printed", "CCHC5-DEM26", "ok"],
    ["lower case with a space", "cchc5 dem26", "ok"],
    ["a well-formed unknown code", "ABCDE-FGHJK", "invalid"],
    ["not a code at all", "hello", "invalid"],
  ])("%s", async (_name, input, kind) => {
    const result = await (await checker()).redeem(input, "console:a", NOW);
    expect(result.kind).toBe(kind);
    if (result.kind === "ok") expect(result.respondent).toEqual(DEMO_RESPONDENT);
  });

  test("a code works for one account only; the same account may come back", async () => {
    const codes = await checker();
    expect((await codes.redeem(DEMO_CODE, "console:a", NOW)).kind).toBe("ok");
    expect((await codes.redeem(DEMO_CODE, "console:b", NOW)).kind).toBe("already_used");
    expect((await codes.redeem(DEMO_CODE, "console:a", NOW)).kind).toBe("ok");
  });

  test("wrong codes lock the account after five failures", async () => {
    const codes = await checker();
    const kinds: string[] = [];
    for (let i = 0; i < 6; i++) kinds.push((await codes.redeem("ABCDE-FGHJK", "console:a", NOW)).kind);
    expect(kinds).toEqual(["invalid", "invalid", "invalid", "invalid", "too_many_attempts", "too_many_attempts"]);
    expect((await codes.redeem(DEMO_CODE, "console:a", NOW)).kind).toBe("too_many_attempts");
  });

  test("outside the campaign window", async () => {
    const codes = await checker();
    expect((await codes.redeem(DEMO_CODE, "console:a", new Date("2027-02-01T00:00:00Z"))).kind).toBe("campaign_closed");
    expect((await codes.redeem(DEMO_CODE, "console:a", new Date("2026-11-01T00:00:00Z"))).kind).toBe("campaign_not_open");
  });
});
