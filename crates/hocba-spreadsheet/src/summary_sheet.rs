//! "Bảng tổng hợp kết quả đánh giá": a class's term summary as .xlsx, one
//! line per student in Vietnamese order with each subject's average (of the
//! semester, or of the year), the learning and training results, the award
//! and the promotion decision, then the counts of the class.

use crate::template::{WriteError, clip};
use hocba_domain::gradebook::Semester;
use hocba_domain::summary::{StudentSummary, SummaryCounts};
use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook};

/// Title of the sheet (and of the workbook's first line).
pub const SUMMARY_SHEET_TITLE: &str = "BẢNG TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ";

/// What the sheet says about where it comes from.
#[derive(Debug, Clone)]
pub struct SummarySheetHeader<'a> {
    pub school_name: &'a str,
    pub class_name: &'a str,
    pub school_year: &'a str,
    pub semester: Semester,
    pub homeroom: Option<&'a str>,
    /// Subject names, in the order of each line's subjects.
    pub subjects: &'a [String],
    /// "Đã khóa sổ …", "Chưa lưu …": printed under the title.
    pub status: &'a str,
}

/// Writes the class summary sheet.
pub fn write_summary_sheet(
    header: &SummarySheetHeader<'_>,
    lines: &[StudentSummary],
    counts: &SummaryCounts,
) -> Result<Vec<u8>, WriteError> {
    let year_end = header.semester == Semester::S2;
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
    let cell = Format::new().set_border(FormatBorder::Thin);
    let number = Format::new()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center);
    let missing = Format::new()
        .set_border(FormatBorder::Thin)
        .set_font_color(Color::RGB(0x9C0006))
        .set_text_wrap();

    // Columns: STT, Họ và tên, subjects…, KQHT, KQRL, [Danh hiệu, Lên lớp],
    // Ghi chú.
    let subject_count = header.subjects.len() as u16;
    let mut headings: Vec<String> = vec!["STT".into(), "Họ và tên".into()];
    let average = if year_end { "ĐTBmcn" } else { "ĐTBmhk" };
    headings.extend(header.subjects.iter().map(|s| format!("{s}\n({average})")));
    headings.push("Kết quả học tập".into());
    headings.push("Kết quả rèn luyện".into());
    if year_end {
        headings.push("Khen thưởng".into());
        headings.push("Lên lớp / Ở lại lớp".into());
    }
    headings.push("Ghi chú".into());
    let last_column = headings.len() as u16 - 1;

    sheet.merge_range(0, 0, 0, last_column, header.school_name, &plain_center)?;
    let heading = format!(
        "{SUMMARY_SHEET_TITLE} {}",
        if year_end {
            "CẢ NĂM HỌC".to_owned()
        } else {
            header.semester.label().to_uppercase()
        }
    );
    sheet.merge_range(1, 0, 1, last_column, &heading, &title)?;
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

    let top = 5;
    sheet.set_row_height(top, 45)?;
    for (column, text) in headings.iter().enumerate() {
        sheet.write_string_with_format(top, column as u16, text, &head)?;
    }
    sheet.set_column_width(0, 5)?;
    sheet.set_column_width(1, 26)?;
    for column in 0..subject_count {
        sheet.set_column_width(2 + column, 9)?;
    }
    let after = 2 + subject_count;
    sheet.set_column_width(after, 11)?;
    sheet.set_column_width(after + 1, 11)?;
    if year_end {
        sheet.set_column_width(after + 2, 16)?;
        sheet.set_column_width(after + 3, 22)?;
    }
    sheet.set_column_width(last_column, 40)?;
    sheet.set_freeze_panes(top + 1, 2)?;

    for (index, line) in lines.iter().enumerate() {
        let row = top + 1 + index as u32;
        sheet.write_number_with_format(row, 0, (index + 1) as f64, &number)?;
        sheet.write_string_with_format(row, 1, clip(&line.full_name), &cell)?;
        for column in 0..subject_count {
            let value = line
                .subject_value(usize::from(column), header.semester)
                .map(|v| v.replace('.', ","))
                .unwrap_or_default();
            sheet.write_string_with_format(row, 2 + column, &value, &number)?;
        }
        let text = |value: Option<&str>| value.unwrap_or_default().to_owned();
        sheet.write_string_with_format(
            row,
            after,
            text(line.learning_result(header.semester)),
            &number,
        )?;
        sheet.write_string_with_format(
            row,
            after + 1,
            text(line.training_result(header.semester)),
            &number,
        )?;
        let mut column = after + 2;
        if year_end {
            sheet.write_string_with_format(row, column, text(line.award.as_deref()), &cell)?;
            sheet.write_string_with_format(
                row,
                column + 1,
                text(line.promotion_label.as_deref()),
                &cell,
            )?;
            column += 2;
        }
        let note_format = if line.complete { &cell } else { &missing };
        sheet.write_string_with_format(row, column, clip(&line.sheet_note()), note_format)?;
    }

    let mut row = top + 2 + lines.len() as u32;
    sheet.write_string_with_format(
        row,
        1,
        format!(
            "Sĩ số: {}; đủ kết quả: {}",
            counts.students, counts.complete
        ),
        &bold,
    )?;
    for (label, map) in [
        ("Kết quả học tập", &counts.learning),
        ("Kết quả rèn luyện", &counts.training),
        ("Khen thưởng", &counts.award),
        ("Lên lớp / Ở lại lớp", &counts.promotion),
    ] {
        if map.is_empty() {
            continue;
        }
        row += 1;
        let parts: Vec<String> = map.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        sheet.write_string_with_format(row, 1, label, &bold)?;
        sheet.write_string(row, 2, parts.join("; "))?;
    }
    Ok(workbook.save_to_buffer()?)
}
