// Charts are drawn once per data (the overview refreshes every 30 s): the same input gives the same
// SVG, and any change of the input — a number, a text in another language, the size — draws anew.
import { expect, test } from "vitest";
import { NARROW, participationChart, WIDE } from "../../src/web/charts.js";

const bars = Array.from({ length: 84 }, (_, i) => ({ label: `Ủy ban nhân dân xã số ${i + 1}`, sampled: 40, submitted: i % 40, inProgress: 2 }));
const vi = { submitted: "Đã gửi", inProgress: "Đang trả lời", notStarted: "Chưa bắt đầu", description: "Tỷ lệ tham gia theo đơn vị" };
const en = { submitted: "Submitted", inProgress: "In progress", notStarted: "Not started", description: "Participation per unit" };

test("the same data gives the same chart; a changed number, language or size draws a new one", () => {
  const first = participationChart(bars, vi, WIDE);
  expect(participationChart(bars.map((b) => ({ ...b })), { ...vi }, WIDE)).toBe(first);
  expect(first).toContain("Đã gửi");

  const english = participationChart(bars, en, WIDE);
  expect(english).toContain("Submitted");
  expect(english).not.toContain("Đã gửi");

  // 13 of 17 is 76.5%, a share no other bar has (they are counts of 40).
  const changed = bars.map((b, i) => (i === 0 ? { ...b, sampled: 17, submitted: 13, inProgress: 0 } : b));
  expect(first).not.toContain("76.5%");
  expect(participationChart(changed, vi, WIDE)).toContain("76.5%");

  expect(participationChart(bars, vi, NARROW)).not.toBe(first);
});
