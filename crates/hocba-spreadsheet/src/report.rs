//! The downloadable error file "Bảng kết quả nhập liệu" (seed 003 §2.1 (ii),
//! Bước 3): one line per error naming row, column and rule.

use crate::plan::{RowResult, summary_line};
use crate::reader::CellError;
use crate::template::{WriteError, clip};
use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook};

/// Title and sheet name of the result file.
pub const REPORT_TITLE: &str = "Bảng kết quả nhập liệu";

/// Lines beyond this are summarised in one line (Excel has about a million
/// rows; nobody reads that many errors).
const MAX_LINES: usize = 100_000;

/// Writes the result file: a title, a summary line, then columns Dòng, Cột,
/// Lỗi with one line per error in file order.
pub fn write_result_report(results: &[RowResult]) -> Result<Vec<u8>, WriteError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(REPORT_TITLE)?;
    let title = Format::new().set_bold().set_font_size(14);
    let summary = Format::new()
        .set_bold()
        .set_font_color(Color::RGB(0x9C0006));
    let summary_ok = Format::new()
        .set_bold()
        .set_font_color(Color::RGB(0x006100));
    let header = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xDDEBF7))
        .set_border(FormatBorder::Thin);
    let cell = Format::new()
        .set_text_wrap()
        .set_align(FormatAlign::Top)
        .set_border(FormatBorder::Thin);
    let number = cell.clone().set_align(FormatAlign::Center);

    sheet.write_string_with_format(0, 0, REPORT_TITLE, &title)?;
    let all_ok = results.iter().all(RowResult::is_ok);
    sheet.write_string_with_format(
        1,
        0,
        summary_line(results),
        if all_ok { &summary_ok } else { &summary },
    )?;
    let header_row: u32 = 3;
    for (col, text) in ["Dòng", "Cột", "Lỗi"].into_iter().enumerate() {
        sheet.write_string_with_format(
            header_row,
            u16::try_from(col).unwrap_or(0),
            text,
            &header,
        )?;
    }
    let mut row = header_row + 1;
    let total: usize = results.iter().map(|result| result.errors.len()).sum();
    for error in results
        .iter()
        .flat_map(|result| &result.errors)
        .take(MAX_LINES)
    {
        #[allow(clippy::cast_precision_loss)]
        let line = error.row_number as f64;
        sheet.write_number_with_format(row, 0, line, &number)?;
        sheet.write_string_with_format(row, 1, clip(&error.column_label), &cell)?;
        sheet.write_string_with_format(row, 2, clip(&error.message), &cell)?;
        row += 1;
    }
    if total > MAX_LINES {
        sheet.write_string(
            row,
            2,
            format!("… và {} lỗi khác không liệt kê.", total - MAX_LINES),
        )?;
    }
    if total == 0 {
        sheet.write_string(row, 2, "Không có lỗi.")?;
    }
    sheet.set_column_width(0, 8)?;
    sheet.set_column_width(1, 32)?;
    sheet.set_column_width(2, 90)?;
    sheet.set_freeze_panes(header_row + 1, 0)?;
    Ok(workbook.save_to_buffer()?)
}

/// The error file of a workbook upload (several sheets): a title, a summary
/// line, then columns Trang tính, Dòng, Cột, Lỗi with one line per error.
pub fn write_workbook_report(
    summary_text: &str,
    errors: &[(String, CellError)],
) -> Result<Vec<u8>, WriteError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(REPORT_TITLE)?;
    let title = Format::new().set_bold().set_font_size(14);
    let summary = Format::new()
        .set_bold()
        .set_font_color(Color::RGB(0x9C0006));
    let header = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xDDEBF7))
        .set_border(FormatBorder::Thin);
    let cell = Format::new()
        .set_text_wrap()
        .set_align(FormatAlign::Top)
        .set_border(FormatBorder::Thin);
    let number = cell.clone().set_align(FormatAlign::Center);
    sheet.write_string_with_format(0, 0, REPORT_TITLE, &title)?;
    sheet.write_string_with_format(1, 0, clip(summary_text), &summary)?;
    let header_row: u32 = 3;
    for (col, text) in ["Trang tính", "Dòng", "Cột", "Lỗi"].into_iter().enumerate() {
        sheet.write_string_with_format(
            header_row,
            u16::try_from(col).unwrap_or(0),
            text,
            &header,
        )?;
    }
    let mut row = header_row + 1;
    for (sheet_name, error) in errors.iter().take(MAX_LINES) {
        sheet.write_string_with_format(row, 0, clip(sheet_name), &cell)?;
        if error.row_number > 0 {
            #[allow(clippy::cast_precision_loss)]
            let line = error.row_number as f64;
            sheet.write_number_with_format(row, 1, line, &number)?;
        }
        sheet.write_string_with_format(row, 2, clip(&error.column_label), &cell)?;
        sheet.write_string_with_format(row, 3, clip(&error.message), &cell)?;
        row += 1;
    }
    if errors.len() > MAX_LINES {
        sheet.write_string(
            row,
            3,
            format!("… và {} lỗi khác không liệt kê.", errors.len() - MAX_LINES),
        )?;
    }
    sheet.set_column_width(0, 24)?;
    sheet.set_column_width(1, 8)?;
    sheet.set_column_width(2, 24)?;
    sheet.set_column_width(3, 90)?;
    sheet.set_freeze_panes(header_row + 1, 0)?;
    Ok(workbook.save_to_buffer()?)
}
