// package.json's `engines` must be honest: every dependency supports every Node version it declares.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, test } from "vitest";

// semver comes with npm's dependency tree (eslint, prisma, ...); it is what npm itself checks engines with.
const semver = createRequire(import.meta.url)("semver") as {
  satisfies(version: string, range: string): boolean;
  minVersion(range: string): { version: string } | null;
  subset(sub: string, sup: string): boolean;
};

const manifest = JSON.parse(readFileSync("package.json", "utf8")) as { engines: { node: string }; dependencies: Record<string, string>; devDependencies: Record<string, string> };

describe("Node engines", () => {
  const declared = manifest.engines.node;
  const direct = Object.keys({ ...manifest.dependencies, ...manifest.devDependencies });

  test("the Node running the tests is one package.json declares", () => {
    expect(semver.satisfies(process.versions.node, declared)).toBe(true);
  });

  test.each(direct)("%s supports every Node version package.json declares", (name) => {
    const own = (JSON.parse(readFileSync(`node_modules/${name}/package.json`, "utf8")) as { engines?: { node?: string } }).engines?.node;
    if (own === undefined) return; // no requirement declared
    expect({ name, declared, own, subset: semver.subset(declared, own) }).toEqual({ name, declared, own, subset: true });
  });
});
