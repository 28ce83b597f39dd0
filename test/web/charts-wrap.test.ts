// Unit names in the charts (console, HTML and PDF report) wrap between words; a word too wide for
// the label column is broken after a '/', '_', '-' or '.', not cut between two letters.
import { expect, test } from "vitest";
import { participationChart, textWidth, WIDE, wrapText } from "../../src/web/charts.js";

const text = { submitted: "Đã gửi", inProgress: "Đang trả lời", notStarted: "Chưa bắt đầu", description: "Tỷ lệ tham gia theo đơn vị" };

test("a long Vietnamese name wraps between words, every word whole", () => {
  const name = "Bộ phận Tiếp nhận và Trả kết quả giải quyết thủ tục hành chính Ủy ban nhân dân huyện Mường La tỉnh Sơn La";
  const lines = wrapText(name, 150, 9);
  expect(lines.length).toBeGreaterThan(1);
  expect(lines.join(" ")).toBe(name);
  for (const line of lines) for (const word of line.split(" ")) expect(name.split(" ")).toContain(word);
});

test("a word wider than the column is broken after its '_' (or '/', '-', '.'), not between letters", () => {
  const code = "UBND_XA_TAN_LAP_HUYEN_QUYNH_NHAI_TINH_SON_LA";
  const lines = wrapText(`Đơn vị ${code}`, 120, 9);
  expect(lines[0]).toBe("Đơn vị");
  expect(lines.slice(1).join("")).toBe(code);
  for (const line of lines.slice(1, -1)) expect(line).toMatch(/_$/);
  const svg = participationChart([{ label: code, sampled: 10, submitted: 5, inProgress: 1 }], text, WIDE);
  const shown = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!);
  const pieces = shown.filter((t) => code.includes(t) && t.length > 2);
  expect(pieces.length).toBeGreaterThan(1);
  expect(pieces.join("")).toBe(code);
  for (const piece of pieces.slice(0, -1)) expect(piece).toMatch(/_$/);
});

test("a name of hundreds of characters is cut after four lines with '…' after a whole word; a rank after it is kept", () => {
  const name = `${"Ủy ban nhân dân phường Nguyễn Thái Bình, Quận 1 ".repeat(12)}${"Ủ".repeat(80)}`.trim();
  const lines = wrapText(name, 150, 9, false, { lines: 4 });
  expect(lines).toHaveLength(4);
  expect(lines[3]).toMatch(/\S …$/);
  for (const line of lines) expect(textWidth(line, 9)).toBeLessThanOrEqual(150);
  const words = name.split(" ");
  for (const word of lines.join(" ").replace(/ …$/, "").split(" ")) expect(words).toContain(word);
  const ranked = wrapText(`${name} 17`, 150, 9, false, { lines: 4, keepEnd: "17" });
  expect(ranked).toHaveLength(4);
  expect(ranked[3]).toMatch(/\S … 17$/);
  // A short name is left as it is.
  expect(wrapText("Sở Y tế 3", 150, 9, false, { lines: 4, keepEnd: "3" })).toEqual(["Sở Y tế 3"]);
  // The chart draws at most four lines of it.
  const svg = participationChart([{ label: name, sampled: 10, submitted: 5, inProgress: 1 }], text, WIDE);
  const shown = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!).filter((t) => t.includes("Ủy ban") || t.includes("…") || t.includes("Quận"));
  expect(shown.length).toBeLessThanOrEqual(4);
  expect(shown.some((t) => t.endsWith("…"))).toBe(true);
});
