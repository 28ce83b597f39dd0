// A realistic respondents workbook for size and memory tests: random Vietnamese names, phones and
// e-mails from a seeded generator, so the file barely compresses (≈5 MB for 20,000 rows, as Excel
// would write it, with shared strings).
import ExcelJS from "exceljs";
import { mulberry32 } from "../support/random.js";

const FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Trương", "Lương", "Mai"];
const MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quốc", "Xuân", "Thu", "Hồng", "Kim", "Gia", "Bảo", "Phương"];
const GIVEN = ["An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hoa", "Hùng", "Hương", "Khánh", "Lan", "Linh", "Long", "Mai", "Nam", "Nga", "Ngân", "Phúc", "Quân", "Quỳnh", "Sơn", "Tâm", "Thảo", "Thắng", "Trang", "Trung", "Tuấn", "Uyên", "Việt", "Vy", "Yến", "Ánh", "Đạt", "Ðông", "Ước"];
const PLACE = ["Hà Nội", "Hải Phòng", "Đà Nẵng", "Cần Thơ", "Huế", "Nghệ An", "Thanh Hóa", "Quảng Ninh", "Đắk Lắk", "Lâm Đồng", "Khánh Hòa", "Bình Định", "Quảng Nam", "An Giang", "Kiên Giang"];
const AGENCY = ["Sở Tư pháp", "Sở Tài chính", "Sở Nội vụ", "Sở Xây dựng", "Sở Y tế", "Sở Giáo dục và Đào tạo", "Ủy ban nhân dân huyện", "Sở Tài nguyên và Môi trường", "Sở Kế hoạch và Đầu tư", "Sở Công Thương"];

const random = mulberry32;

/** The header of the respondents file. */
export const HEADER = ["external_id", "full_name", "unit", "unit_name", "group", "language", "phone", "email", "subject_units", "coordinator"];

/** Writes `rows` respondents (400 units) to `file`; returns the external ids in order. */
export async function writeLargeXlsx(file: string, rows: number, seed = 1): Promise<string[]> {
  const next = random(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  const digits = (n: number) => Array.from({ length: n }, () => Math.floor(next() * 10)).join("");
  const units = Array.from({ length: 400 }, (_, i) => ({ code: `DV${String(i).padStart(4, "0")}_${digits(3)}`, name: `${pick(AGENCY)} ${pick(PLACE)} số ${i}` }));
  const writer = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: true });
  const sheet = writer.addWorksheet("Danh sách");
  sheet.addRow(HEADER).commit();
  const ids: string[] = [];
  for (let i = 0; i < rows; i++) {
    const unit = pick(units);
    const given = pick(GIVEN);
    const name = `${pick(FAMILY)} ${pick(MIDDLE)} ${pick(MIDDLE)} ${given}`;
    const id = `CB${digits(4)}-${String(i).padStart(6, "0")}-${digits(6)}`;
    ids.push(id);
    const slug = name.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[đĐÐ]/g, "d").toLowerCase().replace(/\s+/g, ".");
    const note = `${pick(AGENCY)} ${pick(PLACE)} ${digits(8)}`;
    sheet
      .addRow([id, name, unit.code, unit.name, next() < 0.2 ? "leaders" : "officials", next() < 0.9 ? "vi" : "en", `09${digits(8)}`, `${slug}.${digits(5)}@${pick(["gmail.com", "yahoo.com.vn", "hanoi.gov.vn", "danang.gov.vn"])}`, next() < 0.1 ? `${unit.code}|${units[(units.indexOf(unit) + 1) % units.length]!.code}` : "", next() < 0.05 ? "yes" : "", note, `Ghi chú ${digits(12)} ${pick(PLACE)} ${digits(10)}`, `Số ${digits(3)} đường ${pick(GIVEN)} ${pick(FAMILY)}, phường ${pick(GIVEN)}, ${pick(PLACE)} ${digits(9)}`, `${pick(MIDDLE)} ${pick(GIVEN)} ${digits(14)}`, `0${digits(11)}`, `${digits(10)}-${digits(8)}`, `${pick(PLACE)} ${digits(12)}`, digits(16)])
      .commit();
  }
  sheet.commit();
  await writer.commit();
  return ids;
}
