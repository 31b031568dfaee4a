//! Reading an uploaded .xlsx into a [`Table`] of text, defensively.
//!
//! The bytes come from anyone who can log in, so before calamine sees them the
//! archive is checked: size, zip structure, the xlsx parts, declared
//! uncompressed sizes and compression ratios (zip bombs). The zip reader then
//! refuses to inflate any entry past its declared size, so those checks bound
//! the work and memory of everything after. Cells are streamed, never loaded
//! as a dense range (a single cell at XFD1048576 would otherwise allocate
//! billions of slots), and only the recognised columns are kept.

use crate::column::{Column, ID_LABEL};
use crate::template::{GUIDE_SHEET, LISTS_SHEET};
use calamine::{DataRef, Reader, SheetType, SheetVisible, Xlsx, XlsxError};
use hocba_domain::form::FieldKind;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// Bounds on what an upload may contain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Size of the uploaded file (default 10 MiB).
    pub max_file_bytes: usize,
    /// Sum of the declared uncompressed sizes of all zip entries (default 256 MiB).
    pub max_uncompressed_bytes: u64,
    /// Largest uncompressed/compressed ratio for an entry over 1 MiB
    /// (default 200; real workbooks stay well below, zip bombs reach 1000).
    pub max_compression_ratio: u64,
    /// Number of entries in the archive (default 10,000).
    pub max_entries: usize,
    /// Data rows (non-empty rows after the header; default 20,000).
    pub max_rows: usize,
    /// Non-empty cells in the header row (default 200).
    pub max_columns: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 10 * 1024 * 1024,
            max_uncompressed_bytes: 256 * 1024 * 1024,
            max_compression_ratio: 200,
            max_entries: 10_000,
            max_rows: 20_000,
            max_columns: 200,
        }
    }
}

/// Entries up to this size are not ratio-checked: tiny parts compress
/// arbitrarily well and cannot hurt.
const RATIO_FLOOR: u64 = 1024 * 1024;
/// Excel's column count: no real row has more cells.
const MAX_CELLS_PER_ROW: usize = 16_384;
/// The header must be among the first rows that have content.
const HEADER_SEARCH_ROWS: usize = 20;

/// Why a file as a whole cannot be read. Each message says what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    #[error("Tệp rỗng. Hãy chọn lại tệp Excel (.xlsx) đã lưu rồi tải lên.")]
    Empty,
    #[error(
        "Tệp quá lớn ({size} byte; tối đa {limit} byte). Hãy xoá các trang tính, hình ảnh không cần thiết hoặc chia danh sách thành nhiều tệp."
    )]
    TooLarge { size: usize, limit: usize },
    #[error(
        "Tệp ở định dạng Excel cũ (.xls) hoặc đã đặt mật khẩu mở tệp. Hãy mở tệp bằng Excel, bỏ mật khẩu nếu có, chọn Lưu thành (Save As) › Excel Workbook (.xlsx) rồi tải lên lại."
    )]
    OldFormatOrEncrypted,
    #[error(
        "Tệp là bảng tính OpenDocument (.ods). Hãy mở bằng LibreOffice hoặc Excel, lưu lại dạng Excel (.xlsx) rồi tải lên lại."
    )]
    OpenDocument,
    #[error(
        "Tệp không phải bảng tính Excel (.xlsx). Hãy tải lên tệp mẫu đã tải về từ hệ thống, lưu ở dạng .xlsx."
    )]
    NotXlsx,
    #[error(
        "Tệp chứa lượng dữ liệu bất thường khi giải nén ({detail}); hệ thống từ chối đọc vì có thể là tệp hỏng hoặc độc hại. Hãy dùng tệp mẫu tải về từ hệ thống."
    )]
    Inflated { detail: String },
    #[error(
        "Tệp có phần bị mã hoá bằng mật khẩu. Hãy bỏ mật khẩu, lưu lại dạng .xlsx rồi tải lên lại."
    )]
    Encrypted,
    #[error(
        "Tệp Excel bị hỏng hoặc không đọc được ({detail}). Hãy mở tệp bằng Excel, lưu lại dạng .xlsx rồi tải lên lại."
    )]
    Corrupt { detail: String },
    #[error(
        "Không tìm thấy dòng tiêu đề (ví dụ “{example}”) trong {HEADER_SEARCH_ROWS} dòng đầu của trang tính nào. Hãy dùng tệp mẫu tải về từ hệ thống và không sửa, không xoá dòng tiêu đề."
    )]
    HeaderNotFound { example: String },
    #[error(
        "Thiếu cột bắt buộc: {}. Hãy thêm lại các cột này với tên như trong tệp mẫu rồi tải lên lại.",
        quote_list(.0)
    )]
    MissingColumns(Vec<String>),
    #[error("Cột “{0}” xuất hiện hai lần trong dòng tiêu đề. Hãy xoá một cột rồi tải lên lại.")]
    DuplicateColumn(String),
    #[error(
        "Tệp có hơn {limit} dòng dữ liệu. Hãy chia danh sách thành nhiều tệp nhỏ hơn rồi tải lên lần lượt."
    )]
    TooManyRows { limit: usize },
    #[error(
        "Dòng tiêu đề có {count} cột, quá giới hạn {limit} cột. Hãy xoá các cột không có trong tệp mẫu rồi tải lên lại."
    )]
    TooManyColumns { count: usize, limit: usize },
}

fn quote_list(items: &[String]) -> String {
    items
        .iter()
        .map(|item| format!("“{item}”"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One refused cell, or one broken rule of a row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CellError {
    /// Excel's 1-based row number.
    pub row_number: usize,
    /// The column's header as users see it; empty for a rule about the whole row.
    pub column_label: String,
    /// The column's key (`personal_id`), for highlighting; empty if none.
    pub column_key: String,
    /// What is wrong and how to fix it, in Vietnamese.
    pub message: String,
}

impl std::fmt::Display for CellError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.column_label.is_empty() {
            write!(f, "Dòng {}: {}", self.row_number, self.message)
        } else {
            write!(
                f,
                "Dòng {}, cột “{}”: {}",
                self.row_number, self.column_label, self.message
            )
        }
    }
}

/// One non-empty data row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableRow {
    /// Excel's 1-based row number, as users see it.
    pub row_number: usize,
    /// Text per recognised column key. Every recognised column has an entry;
    /// an empty string means the cell is empty ("clear this field"). A cell
    /// refused in `cell_errors` has no entry.
    pub values: BTreeMap<String, String>,
    /// Cells that could not be read (formulas, error values).
    pub cell_errors: Vec<CellError>,
}

/// The data of an uploaded sheet, as text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Table {
    /// Name of the sheet read.
    pub sheet_name: String,
    /// Excel's 1-based row number of the header row.
    pub header_row: usize,
    /// The recognised columns, in the sheet's order: what the user can choose
    /// to update.
    pub columns: Vec<Column>,
    pub rows: Vec<TableRow>,
    /// Headers that match no known column (ignored), as written.
    pub unknown_headers: Vec<String>,
}

/// Reads the first visible sheet that has a recognisable header row.
///
/// Never panics on hostile input: the archive is inspected first (see the
/// module docs), and any panic inside the parser is turned into
/// [`FileError::Corrupt`].
pub fn read_table(bytes: &[u8], columns: &[Column], limits: &Limits) -> Result<Table, FileError> {
    inspect_archive(bytes, limits)?;
    match catch_unwind(AssertUnwindSafe(|| read_checked(bytes, columns, limits))) {
        Ok(result) => result,
        Err(_) => Err(FileError::Corrupt {
            detail: "cấu trúc tệp không hợp lệ".into(),
        }),
    }
}

/// The data sheets of a workbook written by `write_workbook`, read back
/// by name (see [`read_sheets`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WorkbookTables {
    /// One entry per expected sheet, in the order asked: `None` when the
    /// workbook has no sheet of that name, else its table or why that sheet
    /// cannot be read (no header row, too many rows…).
    pub sheets: Vec<Option<Result<Table, FileError>>>,
    /// Visible sheets that are none of the expected ones (the guide and the
    /// lists sheet aside), as named in the file.
    pub unknown_sheets: Vec<String>,
}

/// Reads several sheets of one workbook, each matched by its name (accent-
/// and case-insensitively) to its own columns: the upload of a workbook of
/// one sheet per subject. The archive is checked once as for
/// [`read_table`]; a fault of the file as a whole is the `Err`, a fault of
/// one sheet is that sheet's entry.
pub fn read_sheets(
    bytes: &[u8],
    expected: &[(&str, &[Column])],
    limits: &Limits,
) -> Result<WorkbookTables, FileError> {
    inspect_archive(bytes, limits)?;
    match catch_unwind(AssertUnwindSafe(|| {
        read_sheets_checked(bytes, expected, limits)
    })) {
        Ok(result) => result,
        Err(_) => Err(FileError::Corrupt {
            detail: "cấu trúc tệp không hợp lệ".into(),
        }),
    }
}

fn read_sheets_checked(
    bytes: &[u8],
    expected: &[(&str, &[Column])],
    limits: &Limits,
) -> Result<WorkbookTables, FileError> {
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(corrupt)?;
    let guide = hocba_text::fold(GUIDE_SHEET);
    let lists = hocba_text::fold(LISTS_SHEET);
    let visible: Vec<String> = workbook
        .sheets_metadata()
        .iter()
        .filter(|sheet| sheet.typ == SheetType::WorkSheet && sheet.visible == SheetVisible::Visible)
        .map(|sheet| sheet.name.clone())
        .collect();
    let wanted: Vec<String> = expected
        .iter()
        .map(|(name, _)| hocba_text::fold(name))
        .collect();
    let mut tables = WorkbookTables {
        sheets: vec![None; expected.len()],
        unknown_sheets: Vec::new(),
    };
    for name in &visible {
        let folded = hocba_text::fold(name);
        let Some(position) = wanted.iter().position(|w| *w == folded) else {
            if folded != guide && folded != lists {
                tables.unknown_sheets.push(name.clone());
            }
            continue;
        };
        if tables.sheets[position].is_some() {
            continue;
        }
        let columns = expected[position].1;
        let index = HeaderIndex::new(columns);
        let read = read_sheet(&mut workbook, name, columns, &index, limits).and_then(|table| {
            table.ok_or_else(|| FileError::HeaderNotFound {
                example: columns
                    .iter()
                    .find(|column| column.key == "full_name")
                    .or(columns.first())
                    .map(|column| column.label.clone())
                    .unwrap_or_default(),
            })
        });
        tables.sheets[position] = Some(read);
    }
    Ok(tables)
}

/// Checks the container before any parser runs.
pub fn inspect_archive(bytes: &[u8], limits: &Limits) -> Result<(), FileError> {
    if bytes.is_empty() {
        return Err(FileError::Empty);
    }
    if bytes.len() > limits.max_file_bytes {
        return Err(FileError::TooLarge {
            size: bytes.len(),
            limit: limits.max_file_bytes,
        });
    }
    // OLE compound file: .xls, or an .xlsx encrypted with an opening password.
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Err(FileError::OldFormatOrEncrypted);
    }
    if !bytes.starts_with(b"PK") {
        return Err(FileError::NotXlsx);
    }
    let archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|error| FileError::Corrupt {
        detail: format!("tệp nén không hợp lệ: {error}"),
    })?;
    if archive.len() > limits.max_entries {
        return Err(FileError::Inflated {
            detail: format!("{} phần trong tệp nén", archive.len()),
        });
    }
    if archive.has_duplicate_names() {
        return Err(FileError::Corrupt {
            detail: "tệp nén có hai phần trùng tên".into(),
        });
    }
    let mut total: u64 = 0;
    let (mut content_types, mut rels, mut workbook, mut ods) = (false, false, false, false);
    for index in 0..archive.len() {
        let entry = archive
            .by_index_data(index)
            .map_err(|error| FileError::Corrupt {
                detail: format!("tệp nén không hợp lệ: {error}"),
            })?;
        let name = String::from_utf8_lossy(entry.name_raw());
        match name.as_ref() {
            "[Content_Types].xml" => content_types = true,
            "_rels/.rels" => rels = true,
            "mimetype" => ods = true,
            other if other.ends_with("/workbook.xml") || other == "workbook.xml" => {
                workbook = true;
            }
            _ => {}
        }
        if entry.encrypted() {
            return Err(FileError::Encrypted);
        }
        let size = entry.size();
        let compressed = entry.compressed_size();
        total = total.saturating_add(size);
        if size > limits.max_uncompressed_bytes || total > limits.max_uncompressed_bytes {
            return Err(FileError::Inflated {
                detail: format!(
                    "hơn {} MiB sau giải nén",
                    limits.max_uncompressed_bytes / (1024 * 1024)
                ),
            });
        }
        if size > RATIO_FLOOR && size > compressed.saturating_mul(limits.max_compression_ratio) {
            return Err(FileError::Inflated {
                detail: format!("phần “{name}” nén với tỉ lệ {}:1", size / compressed.max(1)),
            });
        }
    }
    if ods && !workbook {
        return Err(FileError::OpenDocument);
    }
    if !(content_types && rels && workbook) {
        return Err(FileError::NotXlsx);
    }
    Ok(())
}

fn corrupt(error: XlsxError) -> FileError {
    match error {
        XlsxError::Zip(zip::result::ZipError::UnsupportedArchive(_)) => FileError::Encrypted,
        other => FileError::Corrupt {
            detail: other.to_string(),
        },
    }
}

fn read_checked(bytes: &[u8], columns: &[Column], limits: &Limits) -> Result<Table, FileError> {
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(corrupt)?;
    let guide = hocba_text::fold(GUIDE_SHEET);
    let lists = hocba_text::fold(LISTS_SHEET);
    let sheets: Vec<String> = workbook
        .sheets_metadata()
        .iter()
        .filter(|sheet| sheet.typ == SheetType::WorkSheet && sheet.visible == SheetVisible::Visible)
        .map(|sheet| sheet.name.clone())
        .filter(|name| {
            let folded = hocba_text::fold(name);
            folded != guide && folded != lists
        })
        .collect();
    let index = HeaderIndex::new(columns);
    for name in &sheets {
        if let Some(table) = read_sheet(&mut workbook, name, columns, &index, limits)? {
            return Ok(table);
        }
    }
    Err(FileError::HeaderNotFound {
        example: columns
            .iter()
            .find(|column| column.key == "full_name")
            .or_else(|| columns.iter().find(|column| column.label != ID_LABEL))
            .or(columns.first())
            .map(|column| column.label.clone())
            .unwrap_or_default(),
    })
}

/// Folded header text → column index, built once per read.
struct HeaderIndex {
    by_name: HashMap<String, usize>,
}

impl HeaderIndex {
    fn new(columns: &[Column]) -> HeaderIndex {
        let mut by_name = HashMap::with_capacity(columns.len() * 2);
        for (index, column) in columns.iter().enumerate() {
            by_name.entry(header_key(&column.label)).or_insert(index);
        }
        for (index, column) in columns.iter().enumerate() {
            by_name.entry(header_key(&column.key)).or_insert(index);
        }
        HeaderIndex { by_name }
    }

    fn find(&self, header: &str) -> Option<usize> {
        self.by_name.get(&header_key(header)).copied()
    }
}

/// Accent- and case-insensitive header key; a trailing required-marker
/// (`*`, `(*)`) is ignored.
fn header_key(text: &str) -> String {
    let folded = hocba_text::fold(text);
    let trimmed = folded
        .trim_end_matches(|c: char| c == '*' || c.is_whitespace())
        .trim_end_matches("(*)")
        .trim_end();
    trimmed.to_owned()
}

/// Where each sheet column goes, once the header row is known.
struct Mapping {
    header_row: u32,
    /// Sheet column → index into `columns`.
    by_sheet_col: Vec<Option<usize>>,
}

impl Mapping {
    fn column(&self, sheet_col: u32) -> Option<usize> {
        self.by_sheet_col
            .get(usize::try_from(sheet_col).ok()?)
            .copied()
            .flatten()
    }
}

/// A cell as streamed: position, value, whether it holds a formula.
struct RawCell<'a> {
    col: u32,
    value: DataRef<'a>,
    formula: bool,
}

fn read_sheet(
    workbook: &mut Xlsx<Cursor<&[u8]>>,
    name: &str,
    columns: &[Column],
    index: &HeaderIndex,
    limits: &Limits,
) -> Result<Option<Table>, FileError> {
    let mut reader = workbook.worksheet_cells_reader(name).map_err(corrupt)?;
    let mut builder = SheetBuilder {
        columns,
        index,
        limits,
        mapping: None,
        rows_seen_before_header: 0,
        table: Table {
            sheet_name: name.to_owned(),
            ..Table::default()
        },
        row: Vec::new(),
        row_index: None,
    };
    while let Some(record) = reader.next_cell_with_formula_metadata().map_err(corrupt)? {
        let (row, col) = record.pos;
        if builder.row_index != Some(row) {
            if builder.flush_row()? == Flow::GiveUp {
                return Ok(None);
            }
            builder.row_index = Some(row);
        }
        // Before the header only text matters; after it only mapped columns.
        let keep = match &builder.mapping {
            None => true,
            Some(mapping) => mapping.column(col).is_some(),
        };
        if keep {
            if builder.row.len() >= MAX_CELLS_PER_ROW {
                return Err(FileError::Corrupt {
                    detail: format!("dòng {} có hơn {MAX_CELLS_PER_ROW} ô", u64::from(row) + 1),
                });
            }
            builder.row.push(RawCell {
                col,
                value: record.value,
                formula: record.formula.is_some(),
            });
        }
    }
    if builder.flush_row()? == Flow::GiveUp {
        return Ok(None);
    }
    if builder.mapping.is_none() {
        return Ok(None);
    }
    Ok(Some(builder.table))
}

#[derive(PartialEq, Eq)]
enum Flow {
    Continue,
    /// No header in the first rows: this is not the data sheet.
    GiveUp,
}

struct SheetBuilder<'c, 'v> {
    columns: &'c [Column],
    index: &'c HeaderIndex,
    limits: &'c Limits,
    mapping: Option<Mapping>,
    rows_seen_before_header: usize,
    table: Table,
    row: Vec<RawCell<'v>>,
    row_index: Option<u32>,
}

impl SheetBuilder<'_, '_> {
    fn flush_row(&mut self) -> Result<Flow, FileError> {
        let Some(row_index) = self.row_index else {
            return Ok(Flow::Continue);
        };
        let cells = std::mem::take(&mut self.row);
        if self.mapping.is_none() {
            let texts: Vec<(u32, String)> = cells
                .iter()
                .filter_map(|cell| {
                    let text = header_text(&cell.value);
                    (!text.is_empty()).then_some((cell.col, text))
                })
                .collect();
            if texts.is_empty() {
                return Ok(Flow::Continue);
            }
            self.rows_seen_before_header += 1;
            if self.is_header(&texts) {
                self.map_header(row_index, &texts)?;
            } else if self.rows_seen_before_header >= HEADER_SEARCH_ROWS {
                return Ok(Flow::GiveUp);
            }
            return Ok(Flow::Continue);
        }
        let Some(mapping) = &self.mapping else {
            return Ok(Flow::Continue);
        };
        if row_index <= mapping.header_row {
            return Ok(Flow::Continue);
        }
        let row_number = usize::try_from(row_index).unwrap_or(usize::MAX - 1) + 1;
        let mut values: BTreeMap<String, String> = self
            .table
            .columns
            .iter()
            .map(|column| (column.key.clone(), String::new()))
            .collect();
        let mut cell_errors = Vec::new();
        let mut any = false;
        for cell in &cells {
            let Some(column_index) = mapping.column(cell.col) else {
                continue;
            };
            let column = &self.columns[column_index];
            let refused = |message: String| CellError {
                row_number,
                column_label: column.label.clone(),
                column_key: column.key.clone(),
                message,
            };
            if cell.formula {
                cell_errors.push(refused(
                    "ô chứa công thức; hãy dán giá trị (Paste Values) thay cho công thức".into(),
                ));
                values.remove(&column.key);
                continue;
            }
            match cell_text(&cell.value, column.kind) {
                Ok(text) => {
                    any |= !text.is_empty();
                    if let Some(slot) = values.get_mut(&column.key) {
                        *slot = text;
                    }
                }
                Err(message) => {
                    cell_errors.push(refused(message));
                    values.remove(&column.key);
                }
            }
        }
        if !any && cell_errors.is_empty() {
            return Ok(Flow::Continue);
        }
        if self.table.rows.len() >= self.limits.max_rows {
            return Err(FileError::TooManyRows {
                limit: self.limits.max_rows,
            });
        }
        self.table.rows.push(TableRow {
            row_number,
            values,
            cell_errors,
        });
        Ok(Flow::Continue)
    }

    /// A header row names at least two known columns (one if only one exists).
    fn is_header(&self, texts: &[(u32, String)]) -> bool {
        let needed = self.columns.len().min(2);
        let mut found: Vec<usize> = texts
            .iter()
            .filter_map(|(_, text)| self.index.find(text))
            .collect();
        found.sort_unstable();
        found.dedup();
        needed > 0 && found.len() >= needed
    }

    fn map_header(&mut self, row_index: u32, texts: &[(u32, String)]) -> Result<(), FileError> {
        if texts.len() > self.limits.max_columns {
            return Err(FileError::TooManyColumns {
                count: texts.len(),
                limit: self.limits.max_columns,
            });
        }
        let width = texts
            .iter()
            .map(|(col, _)| usize::try_from(*col).unwrap_or(usize::MAX - 1) + 1)
            .max()
            .unwrap_or(0)
            .min(16_384);
        let mut by_sheet_col = vec![None; width];
        let mut seen = vec![false; self.columns.len()];
        for (col, text) in texts {
            let Some(slot) = usize::try_from(*col)
                .ok()
                .and_then(|col| by_sheet_col.get_mut(col))
            else {
                continue;
            };
            match self.index.find(text) {
                Some(found) if seen[found] => {
                    return Err(FileError::DuplicateColumn(text.clone()));
                }
                Some(found) => {
                    seen[found] = true;
                    *slot = Some(found);
                    self.table.columns.push(self.columns[found].clone());
                }
                None => self.table.unknown_headers.push(text.clone()),
            }
        }
        let missing: Vec<String> = self
            .columns
            .iter()
            .zip(&seen)
            .filter(|(column, seen)| column.required && !**seen)
            .map(|(column, _)| column.label.clone())
            .collect();
        if !missing.is_empty() {
            return Err(FileError::MissingColumns(missing));
        }
        self.table.header_row = usize::try_from(row_index).unwrap_or(usize::MAX - 1) + 1;
        self.mapping = Some(Mapping {
            header_row: row_index,
            by_sheet_col,
        });
        Ok(())
    }
}

/// A header cell as text (numbers too: a header may be "2025").
fn header_text(value: &DataRef<'_>) -> String {
    match value {
        DataRef::String(text) | DataRef::DateTimeIso(text) | DataRef::DurationIso(text) => {
            hocba_text::clean_input(text)
        }
        DataRef::SharedString(text) => hocba_text::clean_input(text),
        DataRef::Int(number) => number.to_string(),
        DataRef::Float(number) => number_text(*number),
        _ => String::new(),
    }
}

/// The text a person meant by a cell, given what the column holds.
///
/// Excel strips leading zeros from numbers, so a numeric personal ID is
/// padded back to 12 digits and a 9-digit mobile number (10 for a landline)
/// gets its leading 0 back. Date cells become dd/mm/yyyy; booleans "Có"/"".
fn cell_text(value: &DataRef<'_>, kind: Option<FieldKind>) -> Result<String, String> {
    Ok(match value {
        DataRef::Empty => String::new(),
        DataRef::String(text) => hocba_text::clean_input(text),
        DataRef::SharedString(text) => hocba_text::clean_input(text),
        DataRef::Int(number) => integer_text(*number, kind),
        DataRef::Float(number) => {
            if number.is_finite() && number.fract() == 0.0 && number.abs() < 9.0e15 {
                #[allow(clippy::cast_possible_truncation)]
                let integer = *number as i64;
                integer_text(integer, kind)
            } else {
                number_text(*number)
            }
        }
        DataRef::Bool(flag) => if *flag { "Có" } else { "" }.to_owned(),
        DataRef::DateTime(datetime) => {
            if datetime.is_datetime() {
                let (year, month, day, ..) = datetime.to_ymd_hms_milli();
                format!("{day:02}/{month:02}/{year:04}")
            } else {
                number_text(datetime.as_f64())
            }
        }
        DataRef::DateTimeIso(text) => iso_to_vietnamese(text),
        DataRef::DurationIso(text) => hocba_text::clean_input(text),
        DataRef::Error(error) => {
            return Err(format!(
                "ô có giá trị lỗi {error}; hãy sửa hoặc xoá giá trị lỗi rồi tải lên lại"
            ));
        }
    })
}

fn integer_text(number: i64, kind: Option<FieldKind>) -> String {
    let digits = number.to_string();
    match kind {
        Some(FieldKind::PersonalId) if number >= 0 && digits.len() < 12 => {
            format!("{number:012}")
        }
        Some(FieldKind::Phone) if number > 0 && digits.len() == 9 => format!("0{digits}"),
        Some(FieldKind::Phone) if digits.len() == 10 && digits.starts_with('2') => {
            format!("0{digits}")
        }
        _ => digits,
    }
}

/// Shortest text that reads back as the same number ("8.5", not "8.5000001").
fn number_text(number: f64) -> String {
    if number.is_finite() && number.fract() == 0.0 && number.abs() < 9.0e15 {
        #[allow(clippy::cast_possible_truncation)]
        let integer = number as i64;
        integer.to_string()
    } else {
        number.to_string()
    }
}

/// `2010-09-05` or `2010-09-05T00:00:00` → `05/09/2010`; anything else as typed.
fn iso_to_vietnamese(text: &str) -> String {
    let date = text.get(..10).unwrap_or(text);
    let parts: Vec<&str> = date.split('-').collect();
    if let [year, month, day] = parts.as_slice()
        && year.len() == 4
        && month.len() == 2
        && day.len() == 2
        && date.bytes().filter(u8::is_ascii_digit).count() == 8
    {
        return format!("{day}/{month}/{year}");
    }
    hocba_text::clean_input(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_become_text_as_meant() {
        let id = Some(FieldKind::PersonalId);
        let phone = Some(FieldKind::Phone);
        assert_eq!(
            cell_text(&DataRef::Float(1_210_012_345.0), id),
            Ok("001210012345".into())
        );
        assert_eq!(
            cell_text(&DataRef::Int(912_345_678), phone),
            Ok("0912345678".into())
        );
        assert_eq!(
            cell_text(&DataRef::Float(2_438_251_234.0), phone),
            Ok("02438251234".into())
        );
        assert_eq!(cell_text(&DataRef::Float(8.0), None), Ok("8".into()));
        assert_eq!(cell_text(&DataRef::Float(8.5), None), Ok("8.5".into()));
        assert_eq!(cell_text(&DataRef::Bool(true), None), Ok("Có".into()));
        assert_eq!(cell_text(&DataRef::Bool(false), None), Ok(String::new()));
        assert_eq!(
            cell_text(&DataRef::DateTimeIso("2010-09-05T00:00:00".into()), None),
            Ok("05/09/2010".into())
        );
        assert!(
            cell_text(&DataRef::Error(calamine::CellErrorType::NA), None)
                .unwrap_err()
                .contains("#N/A")
        );
    }

    #[test]
    fn headers_fold_and_ignore_required_markers() {
        assert_eq!(header_key("Họ và tên (*)"), "ho va ten");
        assert_eq!(header_key("HỌ VÀ TÊN *"), "ho va ten");
        assert_eq!(header_key(" ho  va ten "), "ho va ten");
    }

    #[test]
    fn garbage_is_refused_before_parsing() {
        let limits = Limits::default();
        assert_eq!(inspect_archive(b"", &limits), Err(FileError::Empty));
        assert_eq!(inspect_archive(b"hello", &limits), Err(FileError::NotXlsx));
        assert_eq!(
            inspect_archive(
                &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0],
                &limits
            ),
            Err(FileError::OldFormatOrEncrypted)
        );
        assert!(matches!(
            inspect_archive(b"PK\x03\x04 truncated", &limits),
            Err(FileError::Corrupt { .. })
        ));
    }
}
