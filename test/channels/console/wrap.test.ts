import { expect, test } from "vitest";
import { wrapWords } from "../../../src/channels/console/index.js";

test("the console wraps long lines between words, never inside one, keeping indentation", () => {
  const line = "  Ông/Bà đánh giá thế nào về việc tổ chức thực hiện và theo dõi thi hành pháp luật trong lĩnh vực được giao?";
  const wrapped = wrapWords(line, 30).split("\n");
  expect(wrapped.length).toBeGreaterThan(2);
  for (const part of wrapped) {
    expect([...part].length).toBeLessThanOrEqual(30);
    expect(part.startsWith("  ")).toBe(true);
  }
  expect(wrapped.map((p) => p.trim()).join(" ")).toBe(line.trim());
  expect(wrapWords("ngắn", 30)).toBe("ngắn");
});
