//! "Bảng tổng hợp kết quả đánh giá giáo dục của lớp" of a primary class
//! (TT27) as .xlsx: prints `hocba_domain::primary_sheet::PrimarySheet` as
//! it is — a row of column groups (subjects, qualities, general and
//! specific competencies), a row of column headings, one row per student,
//! the "Tổng số" rows, the counts and the legend.

use crate::template::{WriteError, clip};
use hocba_domain::primary_sheet::{LEGEND, PrimarySheet, RATING_GROUPS, SubjectColumn};
use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook};

/// Where the sheet comes from, printed above the table.
#[derive(Debug, Clone)]
pub struct PrimarySheetHeader<'a> {
    pub school_name: &'a str,
    pub class_name: &'a str,
    pub school_year: &'a str,
    pub homeroom: Option<&'a str>,
    /// "Đã khóa sổ …" or "Chưa khóa sổ …".
    pub status: &'a str,
}

/// The row (0-based) of the column headings; students start on the next row.
pub const PRIMARY_HEADING_ROW: u32 = 6;

/// Writes the primary class summary sheet.
pub fn write_primary_sheet(
    header: &PrimarySheetHeader<'_>,
    sheet_data: &PrimarySheet,
) -> Result<Vec<u8>, WriteError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(
        format!("Lớp {}", header.class_name)
            .chars()
            .take(31)
            .collect::<String>(),
    )?;
    sheet.set_landscape();
    let title = Format::new()
        .set_bold()
        .set_font_size(14)
        .set_align(FormatAlign::Center);
    let plain_center = Format::new().set_align(FormatAlign::Center);
    let bold = Format::new().set_bold();
    let head = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_background_color(Color::RGB(0xDDEBF7))
        .set_border(FormatBorder::Thin);
    let cell = Format::new().set_border(FormatBorder::Thin).set_text_wrap();
    let code = Format::new()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center);
    let tally = Format::new()
        .set_border(FormatBorder::Thin)
        .set_bold()
        .set_align(FormatAlign::Center);
    let missing = Format::new()
        .set_border(FormatBorder::Thin)
        .set_font_color(Color::RGB(0x9C0006))
        .set_text_wrap();

    // Columns: STT, Họ và tên, subject columns, 15 ratings, [Kết quả giáo
    // dục, Khen thưởng, Lên lớp], Ghi chú.
    let subjects = sheet_data.subject_columns.len() as u16;
    let ratings = sheet_data.rating_fields.len() as u16;
    let first_subject: u16 = 2;
    let first_rating = first_subject + subjects;
    let after = first_rating + ratings;
    let mut headings: Vec<String> = vec!["STT".into(), "Họ và tên".into()];
    headings.extend(
        sheet_data
            .subject_columns
            .iter()
            .map(SubjectColumn::heading),
    );
    headings.extend(sheet_data.rating_fields.iter().map(|f| f.label.to_owned()));
    if sheet_data.year_end {
        headings.push("Kết quả giáo dục".into());
        headings.push("Khen thưởng".into());
        headings.push("Lên lớp".into());
    }
    headings.push("Ghi chú".into());
    let last_column = headings.len() as u16 - 1;

    sheet.merge_range(0, 0, 0, last_column, header.school_name, &plain_center)?;
    sheet.merge_range(1, 0, 1, last_column, &sheet_data.heading, &title)?;
    let place = format!(
        "Lớp: {}    Năm học: {}{}",
        header.class_name,
        header.school_year,
        header
            .homeroom
            .map(|h| format!("    Giáo viên chủ nhiệm: {h}"))
            .unwrap_or_default()
    );
    sheet.merge_range(2, 0, 2, last_column, &place, &plain_center)?;
    sheet.merge_range(3, 0, 3, last_column, &clip(header.status), &plain_center)?;

    // The groups above the headings.
    let groups = PRIMARY_HEADING_ROW - 1;
    let mut span = |from: u16, count: u16, text: &str| -> Result<(), WriteError> {
        if count == 0 {
            return Ok(());
        }
        if count == 1 {
            sheet.write_string_with_format(groups, from, text, &head)?;
        } else {
            sheet.merge_range(groups, from, groups, from + count - 1, text, &head)?;
        }
        Ok(())
    };
    span(0, 2, "Học sinh")?;
    span(
        first_subject,
        subjects,
        "Môn học và hoạt động giáo dục (mức đạt được, điểm KTĐK)",
    )?;
    let mut column = first_rating;
    for (group, count) in RATING_GROUPS {
        span(column, count as u16, group)?;
        column += count as u16;
    }
    span(after, last_column + 1 - after, "Tổng hợp")?;

    sheet.set_row_height(PRIMARY_HEADING_ROW, 60)?;
    for (column, text) in headings.iter().enumerate() {
        sheet.write_string_with_format(PRIMARY_HEADING_ROW, column as u16, text, &head)?;
    }
    sheet.set_column_width(0, 5)?;
    sheet.set_column_width(1, 26)?;
    for column in first_subject..after {
        sheet.set_column_width(column, 7)?;
    }
    if sheet_data.year_end {
        sheet.set_column_width(after, 16)?;
        sheet.set_column_width(after + 1, 22)?;
        sheet.set_column_width(after + 2, 28)?;
    }
    sheet.set_column_width(last_column, 40)?;
    sheet.set_freeze_panes(PRIMARY_HEADING_ROW + 1, 2)?;

    let mut row = PRIMARY_HEADING_ROW + 1;
    for (index, line) in sheet_data.rows.iter().enumerate() {
        sheet.write_number_with_format(row, 0, (index + 1) as f64, &code)?;
        sheet.write_string_with_format(row, 1, clip(&line.full_name), &cell)?;
        for (column, value) in line.subjects.iter().chain(&line.ratings).enumerate() {
            sheet.write_string_with_format(row, first_subject + column as u16, value, &code)?;
        }
        let mut column = after;
        if sheet_data.year_end {
            sheet.write_string_with_format(row, column, &line.result, &code)?;
            sheet.write_string_with_format(row, column + 1, &line.award, &cell)?;
            sheet.write_string_with_format(row, column + 2, &line.promotion, &cell)?;
            column += 3;
        }
        let note_format = if line.complete { &cell } else { &missing };
        sheet.write_string_with_format(row, column, clip(&line.note), note_format)?;
        row += 1;
    }
    for line in &sheet_data.tallies {
        sheet.write_string_with_format(row, 0, "", &tally)?;
        sheet.write_string_with_format(row, 1, &line.label, &tally)?;
        for (column, value) in line.subjects.iter().chain(&line.ratings).enumerate() {
            sheet.write_string_with_format(row, first_subject + column as u16, value, &tally)?;
        }
        row += 1;
    }
    row += 1;
    for line in &sheet_data.counts {
        sheet.write_string_with_format(row, 1, line, &bold)?;
        row += 1;
    }
    sheet.write_string(row, 1, LEGEND)?;
    Ok(workbook.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Reader, Xlsx};
    use hocba_domain::primary::{
        Exemptible, Milestone, MilestoneValues, PeriodicTestScore, PrimaryLevel,
        PrimarySubjectInfo, Rating, StudentMilestones, summarise_student,
    };
    use hocba_domain::primary_sheet::class_sheet;
    use hocba_domain::{Grade, StudentId, SubjectId};
    use std::collections::BTreeMap;

    /// A grade-5 class of 35 at the end of the year: levels and tests
    /// varying by student, the 12th without ratings (incomplete), the 2nd's
    /// name decomposed (NFD).
    fn class() -> PrimarySheet {
        let grade = Grade::new(5).unwrap();
        let subjects: Vec<PrimarySubjectInfo> = [
            "Tiếng Việt",
            "Toán",
            "Đạo đức",
            "Khoa học",
            "Lịch sử và Địa lí",
            "Hoạt động trải nghiệm",
        ]
        .iter()
        .enumerate()
        .map(|(i, name)| PrimarySubjectInfo {
            id: SubjectId(i as i64 + 1),
            name: (*name).into(),
        })
        .collect();
        let levels = [
            PrimaryLevel::CompletedWell,
            PrimaryLevel::Completed,
            PrimaryLevel::CompletedWell,
            PrimaryLevel::NotCompleted,
        ];
        let ratings = [Rating::Good, Rating::Achieved, Rating::Good];
        let students: Vec<StudentMilestones> = (0..35usize)
            .map(|i| {
                let mut values = MilestoneValues::default();
                for (s, subject) in subjects.iter().enumerate() {
                    let level = if i % 5 == 0 {
                        PrimaryLevel::CompletedWell
                    } else {
                        levels[(i + s) % levels.len()]
                    };
                    values
                        .levels
                        .insert(subject.id, Exemptible::Assessed(level));
                    if subject.has_test(grade, Milestone::EndOfYear) {
                        let points = if i % 5 == 0 {
                            10
                        } else {
                            4 + (i + s) as u64 % 7
                        };
                        values.tests.insert(
                            subject.id,
                            Exemptible::Assessed(PeriodicTestScore::new(points).unwrap()),
                        );
                    }
                }
                if i != 11 {
                    for (r, rating) in values.ratings.iter_mut().enumerate() {
                        *rating = Some(if i % 5 == 0 {
                            Rating::Good
                        } else {
                            ratings[(i + r) % ratings.len()]
                        });
                    }
                }
                let full_name = if i == 1 {
                    "Tra\u{302}\u{300}n Va\u{306}n Die\u{302}\u{303}m".to_owned()
                } else {
                    format!("Nguyễn Thị Ánh {}", i + 1)
                };
                StudentMilestones {
                    id: StudentId(i as i64 + 1),
                    full_name,
                    values: BTreeMap::from([(Milestone::EndOfYear, values)]),
                }
            })
            .collect();
        let lines: Vec<_> = students
            .iter()
            .map(|s| summarise_student(grade, Milestone::EndOfYear, &subjects, s))
            .collect();
        class_sheet(grade, Milestone::EndOfYear, &subjects, &students, &lines)
    }

    fn cells(bytes: &[u8]) -> Vec<Vec<String>> {
        let mut workbook: Xlsx<_> =
            Xlsx::new(std::io::Cursor::new(bytes.to_vec())).expect("an xlsx");
        let name = workbook.sheet_names()[0].clone();
        let range = workbook.worksheet_range(&name).expect("the first sheet");
        range
            .rows()
            .map(|row| row.iter().map(|c| c.to_string()).collect())
            .collect()
    }

    #[test]
    fn the_primary_sheet_reads_back_as_the_summary_says() {
        let sheet = class();
        assert!(sheet.rows.iter().any(|r| r.result == "Hoàn thành xuất sắc"));
        assert!(sheet.rows.iter().any(|r| !r.complete));
        let header = PrimarySheetHeader {
            school_name: "Trường Tiểu học Lê Lợi",
            class_name: "5A",
            school_year: "2025-2026",
            homeroom: Some("Đặng Thị Hường"),
            status: "Chưa khóa sổ học kỳ II.",
        };
        let bytes = write_primary_sheet(&header, &sheet).unwrap();
        let cells = cells(&bytes);
        assert_eq!(cells[0][0], "Trường Tiểu học Lê Lợi");
        assert_eq!(cells[1][0], sheet.heading);
        assert!(cells[2][0].contains("Giáo viên chủ nhiệm: Đặng Thị Hường"));
        let heading = &cells[PRIMARY_HEADING_ROW as usize];
        let mut expected_heading = vec!["STT".to_owned(), "Họ và tên".to_owned()];
        expected_heading.extend(sheet.subject_columns.iter().map(SubjectColumn::heading));
        expected_heading.extend(sheet.rating_fields.iter().map(|f| f.label.to_owned()));
        expected_heading
            .extend(["Kết quả giáo dục", "Khen thưởng", "Lên lớp", "Ghi chú"].map(str::to_owned));
        assert_eq!(heading, &expected_heading);
        assert!(heading.contains(&"Toán (KTĐK)".to_owned()));
        assert!(!heading.contains(&"Đạo đức (KTĐK)".to_owned()));
        for (index, line) in sheet.rows.iter().enumerate() {
            let row = &cells[PRIMARY_HEADING_ROW as usize + 1 + index];
            assert_eq!(row[0], (index + 1).to_string());
            assert_eq!(row[1], line.full_name);
            assert!(hocba_text::is_nfc(&row[1]));
            let mut expected: Vec<String> = line.subjects.clone();
            expected.extend(line.ratings.iter().cloned());
            expected.extend([
                line.result.clone(),
                line.award.clone(),
                line.promotion.clone(),
                line.note.clone(),
            ]);
            assert_eq!(&row[2..], &expected[..], "row {}", index + 1);
        }
        assert_eq!(cells[8][1], "Trần Văn Diễm");
        let after = PRIMARY_HEADING_ROW as usize + 1 + sheet.rows.len();
        for (offset, tally) in sheet.tallies.iter().enumerate() {
            let row = &cells[after + offset];
            assert_eq!(row[1], tally.label);
            let counts: Vec<String> = tally
                .subjects
                .iter()
                .chain(&tally.ratings)
                .cloned()
                .collect();
            assert_eq!(&row[2..2 + counts.len()], &counts[..]);
        }
        // "Tổng số T" of Toán is the number of T in its column.
        let maths = heading.iter().position(|h| h == "Toán").unwrap();
        let t = cells[PRIMARY_HEADING_ROW as usize + 1..after]
            .iter()
            .filter(|r| r[maths] == "T")
            .count();
        assert_eq!(cells[after][maths], t.to_string());
        let text: Vec<&str> = cells.iter().map(|r| r[1].as_str()).collect();
        for line in &sheet.counts {
            assert!(text.contains(&line.as_str()), "{line}");
        }
        assert!(text.contains(&LEGEND));
    }
}
