//! The downloadable template: the current data as text cells, with drop-downs,
//! prompts and a "Hướng dẫn" sheet (seed 003 §2.1 (ii), Bước 1).

use crate::column::{CLASS_KEY, Column, ID_KEY};
use hocba_domain::form::FieldKind;
use hocba_domain::province;
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, DataValidationRule, Format, FormatAlign,
    FormatBorder, Formula, IgnoreError, ProtectionOptions, Workbook, Worksheet, XlsxError,
};

/// Name of the sheet that explains each column.
pub const GUIDE_SHEET: &str = "Hướng dẫn";
/// Name of the hidden sheet holding drop-down lists too long to inline.
pub const LISTS_SHEET: &str = "Danh mục";

/// Excel's last row index (0-based), for whole-column validations.
const LAST_ROW: u32 = 1_048_575;
/// Excel limits (UTF-16 units) for data validation texts.
const INLINE_LIST_LIMIT: usize = 255;
const TITLE_LIMIT: usize = 32;
const MESSAGE_LIMIT: usize = 255;
/// Excel's limit on one cell's text.
const CELL_LIMIT: usize = 32_767;

const HEADER_FILL: u32 = 0xDDEBF7;
const ID_FILL: u32 = 0xD9D9D9;
const REQUIRED_FONT: u32 = 0x9C0006;

/// Writing a workbook failed; with sane input this does not happen.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("không tạo được tệp Excel: {0}")]
    Xlsx(#[from] XlsxError),
    #[error("quá nhiều dòng cho một trang tính Excel ({0} dòng; tối đa 1.048.575)")]
    TooManyRows(usize),
    #[error("quá nhiều cột cho một trang tính Excel ({0} cột; tối đa 16.384)")]
    TooManyColumns(usize),
}

/// Writes the template users download, edit and upload again.
///
/// - Sheet 1 (`sheet_title`): bold Vietnamese headers (required ones in dark
///   red), frozen header row (and leading columns up to "Họ và tên"), every
///   cell stored as TEXT so Excel keeps leading zeros and dd/mm/yyyy dates,
///   the `id` column greyed and locked (the sheet is protected without a
///   password, so Review › Unprotect Sheet lifts it), drop-downs for choices,
///   sex, flags and provinces, prompts on dates and other formats.
/// - Sheet 2 "Hướng dẫn": what each column holds, in Vietnamese.
/// - Sheet 3 "Danh mục" (hidden, only when needed): drop-down lists too long
///   for Excel's 255-character inline limit (ethnic groups, provinces).
///
/// `rows[i][j]` is the text of column `j` of data row `i` (display form, as
/// [`hocba_domain::form::Record::display`] gives it); missing cells are blank.
pub fn write_template(
    sheet_title: &str,
    columns: &[Column],
    rows: &[Vec<String>],
) -> Result<Vec<u8>, WriteError> {
    write_workbook(&[DataSheet {
        title: sheet_title,
        columns,
        rows,
    }])
}

/// One data sheet of a workbook written by [`write_workbook`].
#[derive(Debug, Clone, Copy)]
pub struct DataSheet<'a> {
    /// Made into a valid, unique sheet name by [`sheet_names`].
    pub title: &'a str,
    pub columns: &'a [Column],
    pub rows: &'a [Vec<String>],
}

/// Writes a workbook of several data sheets (the first one active), each
/// formatted as [`write_template`]'s, then one "Hướng dẫn" sheet describing
/// every column that appears in them (the gradebook of a class: one sheet
/// per subject). Sheet names are those of [`sheet_names`] of the titles.
pub fn write_workbook(sheets: &[DataSheet<'_>]) -> Result<Vec<u8>, WriteError> {
    let mut workbook = Workbook::new();
    let mut lists = ListSheet::default();
    let titles: Vec<&str> = sheets.iter().map(|s| s.title).collect();
    let names = sheet_names(&titles);
    let mut guide_columns: Vec<Column> = Vec::new();
    for (index, (data, name)) in sheets.iter().zip(names).enumerate() {
        if data.rows.len() > LAST_ROW as usize {
            return Err(WriteError::TooManyRows(data.rows.len()));
        }
        if data.columns.len() > 16_384 {
            return Err(WriteError::TooManyColumns(data.columns.len()));
        }
        let mut sheet = Worksheet::new();
        sheet.set_name(name)?;
        write_data_sheet(&mut sheet, data.columns, data.rows, &mut lists)?;
        if index == 0 {
            sheet.set_active(true);
        }
        workbook.push_worksheet(sheet);
        for column in data.columns {
            if guide_columns.iter().all(|c| c.key != column.key) {
                guide_columns.push(column.clone());
            }
        }
    }

    let mut guide = Worksheet::new();
    guide.set_name(GUIDE_SHEET)?;
    write_guide(&mut guide, &guide_columns)?;
    workbook.push_worksheet(guide);

    if let Some(list_sheet) = lists.finish()? {
        workbook.push_worksheet(list_sheet);
    }
    Ok(workbook.save_to_buffer()?)
}

/// The sheet names [`write_workbook`] gives `titles`: valid (see
/// `sheet_name`) and unique as Excel compares them (and as the reader
/// matches them: accents and case aside); a repeated name gets " (2)", …
/// The same titles always give the same names, so an upload is matched to
/// its subjects by name.
pub fn sheet_names(titles: &[&str]) -> Vec<String> {
    let mut names: Vec<String> = Vec::with_capacity(titles.len());
    let mut taken: Vec<String> = Vec::with_capacity(titles.len());
    for title in titles {
        let base = sheet_name(title);
        let mut name = base.clone();
        let mut n = 2;
        while taken.contains(&hocba_text::fold(&name)) {
            let suffix = format!(" ({n})");
            let room = 31 - suffix.chars().count();
            name = format!("{}{suffix}", base.chars().take(room).collect::<String>());
            n += 1;
        }
        taken.push(hocba_text::fold(&name));
        names.push(name);
    }
    names
}

/// A valid Excel sheet name from a title: no `[]:*?/\`, at most 31
/// characters, not empty, not one of this crate's own sheet names.
fn sheet_name(title: &str) -> String {
    let cleaned: String = hocba_text::clean_input(title)
        .chars()
        .map(|c| {
            if matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\') {
                '-'
            } else {
                c
            }
        })
        .collect();
    let cleaned = cleaned.trim_matches(|c: char| c == '\'' || c.is_whitespace());
    let mut name: String = cleaned.chars().take(31).collect();
    let folded = hocba_text::fold(&name);
    if name.is_empty()
        || folded == "history"
        || folded == hocba_text::fold(GUIDE_SHEET)
        || folded == hocba_text::fold(LISTS_SHEET)
    {
        name = "Dữ liệu".to_owned();
    }
    name
}

/// Lists too long to inline in a validation, written as columns of a hidden sheet.
#[derive(Default)]
struct ListSheet {
    lists: Vec<Vec<String>>,
}

impl ListSheet {
    /// The range formula of `items` on the list sheet, reusing an equal list.
    fn range_of(&mut self, items: Vec<String>) -> Formula {
        let index = match self.lists.iter().position(|list| *list == items) {
            Some(index) => index,
            None => {
                self.lists.push(items);
                self.lists.len() - 1
            }
        };
        let letter = column_letter(index);
        let len = self.lists[index].len().max(1);
        Formula::new(format!("='{LISTS_SHEET}'!${letter}$1:${letter}${len}"))
    }

    fn finish(self) -> Result<Option<Worksheet>, XlsxError> {
        if self.lists.is_empty() {
            return Ok(None);
        }
        let mut sheet = Worksheet::new();
        sheet.set_name(LISTS_SHEET)?;
        let text = Format::new().set_num_format_index(49);
        for (col, list) in self.lists.iter().enumerate() {
            let col = col_num(col);
            for (row, item) in list.iter().enumerate() {
                sheet.write_string_with_format(row_num(row), col, item, &text)?;
            }
            sheet.set_column_width(col, 30)?;
        }
        sheet.set_hidden(true);
        Ok(Some(sheet))
    }
}

fn write_data_sheet(
    sheet: &mut Worksheet,
    columns: &[Column],
    rows: &[Vec<String>],
    lists: &mut ListSheet,
) -> Result<(), WriteError> {
    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_background_color(Color::RGB(HEADER_FILL))
        .set_border(FormatBorder::Thin)
        .set_num_format_index(49)
        .set_locked();
    let required_header = header.clone().set_font_color(Color::RGB(REQUIRED_FONT));
    let id_header = header.clone().set_background_color(Color::RGB(ID_FILL));
    let text = Format::new().set_num_format_index(49).set_unlocked();
    let id_text = Format::new()
        .set_num_format_index(49)
        .set_locked()
        .set_background_color(Color::RGB(ID_FILL))
        .set_font_color(Color::RGB(0x595959));

    let last_col = col_num(columns.len().saturating_sub(1));
    for (index, column) in columns.iter().enumerate() {
        let col = col_num(index);
        let (head_format, cell_format) = if column.key == ID_KEY {
            (&id_header, &id_text)
        } else if column.required {
            (&required_header, &text)
        } else {
            (&header, &text)
        };
        sheet.write_string_with_format(0, col, clip(&column.label), head_format)?;
        // Blank cells too are text, so a new row typed in Excel keeps its zeros.
        sheet.set_column_format(col, cell_format)?;
        sheet.set_column_width(col, column_width(column, rows, index))?;
        if let Some(validation) = validation_for(column, lists)? {
            sheet.add_data_validation(1, col, LAST_ROW, col, &validation)?;
        }
    }
    for (row_index, row) in rows.iter().enumerate() {
        let row_number = row_num(row_index + 1);
        for (index, column) in columns.iter().enumerate() {
            let value = row.get(index).map(String::as_str).unwrap_or_default();
            if value.is_empty() {
                continue;
            }
            let format = if column.key == ID_KEY {
                &id_text
            } else {
                &text
            };
            sheet.write_string_with_format(row_number, col_num(index), clip(value), format)?;
        }
    }
    sheet.set_row_height(0, 45)?;
    if !columns.is_empty() {
        // Numbers deliberately stored as text must not show Excel's warning.
        sheet.ignore_error_range(0, 0, LAST_ROW, last_col, IgnoreError::NumberStoredAsText)?;
    }
    sheet.set_freeze_panes(1, frozen_columns(columns))?;
    let protection = ProtectionOptions {
        select_locked_cells: true,
        select_unlocked_cells: true,
        format_cells: true,
        format_columns: true,
        format_rows: true,
        insert_rows: true,
        delete_rows: true,
        use_autofilter: true,
        ..ProtectionOptions::default()
    };
    sheet.protect_with_options(&protection);
    Ok(())
}

/// Keeps the id, class and name in view while scrolling right.
fn frozen_columns(columns: &[Column]) -> u16 {
    columns
        .iter()
        .take(4)
        .position(|column| column.key == "full_name")
        .map_or(0, |index| col_num(index + 1))
}

fn column_width(column: &Column, rows: &[Vec<String>], index: usize) -> f64 {
    let label = column.label.chars().count().div_ceil(2).max(8);
    let data = rows
        .iter()
        .take(500)
        .filter_map(|row| row.get(index))
        .map(|value| value.chars().count())
        .max()
        .unwrap_or(0);
    let floor = match column.kind {
        Some(FieldKind::Date) => 12,
        Some(FieldKind::PersonalId) => 15,
        Some(FieldKind::Phone) => 13,
        _ if column.key == CLASS_KEY => 8,
        _ => 10,
    };
    #[allow(clippy::cast_precision_loss)]
    let width = label.max(data + 2).max(floor).min(40) as f64;
    width
}

/// The drop-down or prompt shown when a cell of `column` is selected.
fn validation_for(
    column: &Column,
    lists: &mut ListSheet,
) -> Result<Option<DataValidation>, XlsxError> {
    let title: String = truncate_utf16(&column.label, TITLE_LIMIT);
    let rule = rule_text(column);
    let message = truncate_utf16(&rule, MESSAGE_LIMIT);
    let list = |items: Vec<String>, lists: &mut ListSheet| -> Result<DataValidation, XlsxError> {
        let joined = utf16_len(&items.join(","));
        let validation = if joined <= INLINE_LIST_LIMIT {
            DataValidation::new().allow_list_strings(&items)?
        } else {
            DataValidation::new().allow_list_formula(lists.range_of(items))
        };
        validation
            .ignore_blank(true)
            .set_error_style(DataValidationErrorStyle::Warning)
            .set_error_title(truncate_utf16(
                "Giá trị không có trong danh mục",
                TITLE_LIMIT,
            ))?
            .set_error_message(truncate_utf16(
                &format!("{rule} Hãy chọn trong danh sách thả xuống."),
                MESSAGE_LIMIT,
            ))
    };
    let validation = match column.kind {
        None if column.key == ID_KEY => DataValidation::new().allow_any_value(),
        None => return Ok(None),
        Some(FieldKind::Choice(options)) => {
            list(options.iter().map(|o| (*o).to_owned()).collect(), lists)?
        }
        Some(FieldKind::Sex) => list(vec!["Nam".into(), "Nữ".into()], lists)?,
        Some(FieldKind::Flag) => list(vec!["Có".into()], lists)?,
        Some(FieldKind::Province) => list(
            province::all().iter().map(|p| p.name.clone()).collect(),
            lists,
        )?,
        Some(FieldKind::Text { max_chars }) => DataValidation::new()
            .allow_text_length(DataValidationRule::LessThanOrEqualTo(
                u32::try_from(max_chars).unwrap_or(u32::MAX),
            ))
            .set_error_style(DataValidationErrorStyle::Warning)
            .set_error_title("Quá dài")?
            .set_error_message(truncate_utf16(&rule, MESSAGE_LIMIT))?,
        Some(_) => DataValidation::new().allow_any_value(),
    };
    Ok(Some(
        validation
            .set_input_title(title)?
            .set_input_message(message)?,
    ))
}

/// What a column accepts, in Vietnamese: the prompt in the template and the
/// "Quy tắc nhập" of the guide.
pub fn rule_text(column: &Column) -> String {
    match column.kind {
        None if column.key == ID_KEY => {
            "Không sửa: dùng để nhận ra hồ sơ đã có trên hệ thống. Để trống ở dòng thêm mới.".into()
        }
        None if column.key == CLASS_KEY => "Tên lớp như trên hệ thống, ví dụ 10A1.".into(),
        None => "Văn bản.".into(),
        Some(kind) => kind_rule(kind),
    }
}

fn kind_rule(kind: FieldKind) -> String {
    match kind {
        FieldKind::Text { max_chars } => format!("Văn bản, tối đa {max_chars} ký tự."),
        FieldKind::Date => "Ngày theo dạng ngày/tháng/năm, ví dụ 05/09/2010.".into(),
        FieldKind::Sex => "Nam hoặc Nữ.".into(),
        FieldKind::Flag => "Ghi “Có”, hoặc để trống nếu không.".into(),
        FieldKind::Integer { min, max } => format!("Số nguyên từ {min} đến {max}."),
        FieldKind::Choice(options) => {
            format!("Chọn một trong: {}.", options.join("; "))
        }
        FieldKind::Province => "Một trong 34 tỉnh, thành phố từ 01/7/2025 (tên mới sau sáp nhập), ví dụ Thành phố Hà Nội.".into(),
        FieldKind::PersonalId => {
            "Đúng 12 chữ số, giữ nguyên các số 0 ở đầu, ví dụ 001210012345.".into()
        }
        FieldKind::Passport => "6–20 chữ cái Latinh hoặc chữ số, không dấu cách.".into(),
        FieldKind::Phone => {
            "10 chữ số bắt đầu bằng 0 (máy bàn 11 số), ví dụ 0912345678.".into()
        }
        FieldKind::Email => "Địa chỉ thư điện tử, ví dụ ten@truong.edu.vn.".into(),
        FieldKind::MoetCode => {
            "Mã định danh do CSDL ngành cấp: chữ và số, tối đa 20 ký tự.".into()
        }
    }
}

fn write_guide(sheet: &mut Worksheet, columns: &[Column]) -> Result<(), XlsxError> {
    let title = Format::new().set_bold().set_font_size(14);
    let bold = Format::new().set_bold();
    let header = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(HEADER_FILL))
        .set_border(FormatBorder::Thin);
    let cell = Format::new()
        .set_text_wrap()
        .set_align(FormatAlign::Top)
        .set_border(FormatBorder::Thin);
    let intro = [
        "1. Sửa hoặc bổ sung dữ liệu ở trang đầu tiên; mỗi dòng là một hồ sơ. Thêm hồ sơ mới ở cuối danh sách và để trống cột “Mã hệ thống”.",
        "2. Không đổi tên, không xoá dòng tiêu đề. Không sửa cột “Mã hệ thống (không sửa)”: hệ thống dùng nó để nhận ra hồ sơ.",
        "3. Mọi ô đều ở dạng văn bản để giữ các số 0 ở đầu (số định danh, số điện thoại) và ngày dạng ngày/tháng/năm. Khi dán từ nơi khác, hãy dùng Dán giá trị (Paste Values); ô chứa công thức sẽ bị từ chối.",
        "4. Tải tệp lên, chọn các cột cần cập nhật rồi xác nhận. Nếu có dòng sai, hệ thống không cập nhật gì và trả về Bảng kết quả nhập liệu nêu rõ dòng, cột và lỗi.",
        "5. Cột có tiêu đề chữ đỏ là thông tin bắt buộc. Trang tính được khoá cột Mã hệ thống và dòng tiêu đề; nếu cần, chọn Review › Unprotect Sheet (không có mật khẩu).",
    ];
    sheet.write_string_with_format(0, 0, "Hướng dẫn nhập liệu", &title)?;
    for (index, line) in intro.iter().enumerate() {
        sheet.write_string(row_num(index + 1), 0, *line)?;
    }
    let table_row = row_num(intro.len() + 2);
    for (col, head) in ["Cột", "Tên cột", "Bắt buộc", "Quy tắc nhập"]
        .iter()
        .enumerate()
    {
        sheet.write_string_with_format(table_row, col_num(col), *head, &header)?;
    }
    for (index, column) in columns.iter().enumerate() {
        let row = table_row + 1 + row_num(index);
        let required = if column.key == ID_KEY {
            "Giữ nguyên cột"
        } else if column.required {
            "Bắt buộc"
        } else {
            ""
        };
        sheet.write_string_with_format(row, 0, column_letter(index), &cell)?;
        sheet.write_string_with_format(row, 1, clip(&column.label), &bold)?;
        sheet.write_string_with_format(row, 2, required, &cell)?;
        sheet.write_string_with_format(row, 3, clip(&rule_text(column)), &cell)?;
    }
    sheet.set_column_width(0, 8)?;
    sheet.set_column_width(1, 40)?;
    sheet.set_column_width(2, 16)?;
    sheet.set_column_width(3, 90)?;
    Ok(())
}

/// "A", "B", …, "Z", "AA", … for a 0-based column index.
pub(crate) fn column_letter(index: usize) -> String {
    let mut n = index + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(char::from(b'A' + u8::try_from(rem).unwrap_or(0)));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

pub(crate) fn col_num(index: usize) -> u16 {
    u16::try_from(index).unwrap_or(u16::MAX)
}

pub(crate) fn row_num(index: usize) -> u32 {
    u32::try_from(index).unwrap_or(u32::MAX)
}

fn utf16_len(text: &str) -> usize {
    text.encode_utf16().count()
}

/// At most `limit` UTF-16 units of `text`, with "…" when cut.
fn truncate_utf16(text: &str, limit: usize) -> String {
    if utf16_len(text) <= limit {
        return text.to_owned();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        if used + c.len_utf16() + 1 > limit {
            break;
        }
        used += c.len_utf16();
        out.push(c);
    }
    out.push('…');
    out
}

/// Excel refuses cells over 32,767 characters.
pub(crate) fn clip(text: &str) -> String {
    if text.len() <= CELL_LIMIT {
        text.to_owned()
    } else {
        truncate_utf16(text, CELL_LIMIT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }

    #[test]
    fn workbook_sheet_names_are_unique_and_stable() {
        let long = "Hoạt động trải nghiệm, hướng nghiệp";
        let names = sheet_names(&["Toán", long, long, "toan"]);
        assert_eq!(names[0], "Toán");
        assert_eq!(names[1].chars().count(), 31);
        assert!(names[2].ends_with(" (2)") && names[2].chars().count() == 31);
        assert_eq!(names[3], "toan (2)");
        assert_eq!(names, sheet_names(&["Toán", long, long, "toan"]));
    }

    #[test]
    fn sheet_names_are_valid() {
        assert_eq!(sheet_name("Lớp 10A1"), "Lớp 10A1");
        assert_eq!(sheet_name("Học sinh 2025/2026"), "Học sinh 2025-2026");
        assert_eq!(sheet_name("  "), "Dữ liệu");
        assert_eq!(sheet_name("huong dan"), "Dữ liệu");
        assert_eq!(sheet_name(&"x".repeat(40)).chars().count(), 31);
    }

    #[test]
    fn truncation_respects_excel_limits() {
        let long = "Khuyết tật thần kinh, tâm thần ".repeat(20);
        let cut = truncate_utf16(&long, MESSAGE_LIMIT);
        assert!(utf16_len(&cut) <= MESSAGE_LIMIT);
        assert!(cut.ends_with('…'));
        assert_eq!(truncate_utf16("ngắn", 32), "ngắn");
    }
}
