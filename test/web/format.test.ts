// The console's ways of writing numbers, reminder slots and audiences, in both languages.
import { expect, test } from "vitest";
import { createI18n } from "../../src/i18n/index.js";
import { describeAudience, describeReminder, describeSchedule, formatNumber, formatRate } from "../../src/web/format.js";

const i18n = createI18n();
const vi = i18n.getFixedT("vi", "web");
const en = i18n.getFixedT("en", "web");

test("numbers: Vietnamese decimal comma and thousands point, English the other way round", () => {
  expect([formatNumber("vi", 2300), formatNumber("en", 2300)]).toEqual(["2.300", "2,300"]);
  expect([formatNumber("vi", 62.5, 2), formatNumber("en", 62.5, 2)]).toEqual(["62,50", "62.50"]);
  expect([formatRate("vi", 63.3), formatRate("en", 63.3), formatRate("vi", null)]).toEqual(["63,3%", "63.3%", "–"]);
});

test("reminder slots and schedules as sentences", () => {
  expect(describeReminder(vi, "7d@09:00")).toBe("7 ngày trước hạn, lúc 09:00");
  expect(describeReminder(en, "1d@17:30")).toBe("1 day before the close, at 17:30");
  expect([describeReminder(vi, "12h"), describeReminder(en, "1h")]).toEqual(["12 giờ trước hạn", "1 hour before the close"]);
  expect([describeReminder(vi, "manual:SO_TP"), describeReminder(en, "manual")]).toEqual(["thủ công (đơn vị SO_TP)", "by hand"]);
  expect(describeSchedule(vi, "2d,12h")).toBe("2 ngày trước hạn, lúc 09:00; 12 giờ trước hạn");
  expect(describeSchedule(en, "3d,1d@08:30")).toBe("3 days before the close, at 08:30; 1 day before the close, at 08:30");
});

test("broadcast audiences in words", () => {
  expect(describeAudience(vi, "not-submitted")).toBe("Mọi người chưa nộp phiếu");
  expect(describeAudience(en, "all")).toBe("Everyone in the campaign");
  expect(describeAudience(en, "unit:SO_TP")).toBe("One unit: SO_TP");
});
