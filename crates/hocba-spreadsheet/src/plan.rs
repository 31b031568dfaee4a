//! Turning a read [`Table`] into validated changes and a per-row result
//! table (seed 003 §2.1 (ii), Bước 3: "chọn cột để import", "Bảng kết quả
//! nhập liệu").
//!
//! Pure and generic over the record type: the caller passes the existing
//! records as drafts and the validation function (`StudentProfile::validate`,
//! `StaffProfile::validate`, …). Applying the plan all-or-nothing, only when
//! [`ImportPlan::is_valid`], is the caller's job.

use crate::column::{ID_KEY, ID_LABEL};
use crate::reader::{CellError, Table};
use hocba_domain::FieldErrors;
use hocba_domain::form::Draft;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};

/// One record to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change<R> {
    /// An existing record: its stored draft with only the selected columns
    /// replaced, validated.
    Update {
        id: i64,
        row_number: usize,
        record: R,
        /// Values of the selected non-field columns (e.g. `class_name`).
        extras: BTreeMap<String, String>,
    },
    /// A row without id: every column of the row, whatever was selected.
    Create {
        row_number: usize,
        record: R,
        /// Values of every non-field column (e.g. `class_name`).
        extras: BTreeMap<String, String>,
    },
}

impl<R> Change<R> {
    pub fn row_number(&self) -> usize {
        match self {
            Change::Update { row_number, .. } | Change::Create { row_number, .. } => *row_number,
        }
    }
    pub fn record(&self) -> &R {
        match self {
            Change::Update { record, .. } | Change::Create { record, .. } => record,
        }
    }
    pub fn extras(&self) -> &BTreeMap<String, String> {
        match self {
            Change::Update { extras, .. } | Change::Create { extras, .. } => extras,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowStatus {
    Ok,
    Error,
}

/// What a row does (or would do, once its errors are fixed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowAction {
    Create,
    Update,
}

impl RowAction {
    pub fn label(self) -> &'static str {
        match self {
            RowAction::Create => "Thêm mới",
            RowAction::Update => "Cập nhật",
        }
    }
}

/// One line of "Bảng kết quả nhập liệu".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowResult {
    /// Excel's 1-based row number.
    pub row_number: usize,
    pub status: RowStatus,
    pub action: RowAction,
    /// The system id, for updates.
    pub id: Option<i64>,
    /// Every refused cell and broken rule of the row, each naming its column.
    pub errors: Vec<CellError>,
}

impl RowResult {
    pub fn is_ok(&self) -> bool {
        self.status == RowStatus::Ok
    }
}

/// Validated changes plus the result of every row, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportPlan<R> {
    /// One per valid row. Apply them only if [`ImportPlan::is_valid`].
    pub changes: Vec<Change<R>>,
    pub results: Vec<RowResult>,
}

impl<R> ImportPlan<R> {
    /// No row has an error: the whole file may be applied.
    pub fn is_valid(&self) -> bool {
        self.results.iter().all(RowResult::is_ok)
    }
    pub fn error_rows(&self) -> usize {
        self.results.iter().filter(|result| !result.is_ok()).count()
    }
    pub fn errors(&self) -> impl Iterator<Item = &CellError> {
        self.results.iter().flat_map(|result| &result.errors)
    }
    pub fn creates(&self) -> usize {
        self.changes
            .iter()
            .filter(|change| matches!(change, Change::Create { .. }))
            .count()
    }
    pub fn updates(&self) -> usize {
        self.changes.len() - self.creates()
    }
    /// One Vietnamese sentence for the page, e.g.
    /// "3 dòng: 1 thêm mới, 2 cập nhật, 0 dòng lỗi."
    pub fn summary(&self) -> String {
        summary_line(&self.results)
    }
}

pub(crate) fn summary_line(results: &[RowResult]) -> String {
    let errors = results.iter().filter(|r| !r.is_ok()).count();
    let count = |action| {
        results
            .iter()
            .filter(|r| r.is_ok() && r.action == action)
            .count()
    };
    let tail = if errors == 0 {
        "Có thể cập nhật.".to_owned()
    } else {
        format!(
            "{} lỗi; chưa cập nhật dòng nào, hãy sửa các lỗi rồi tải tệp lên lại.",
            results.iter().map(|r| r.errors.len()).sum::<usize>()
        )
    };
    format!(
        "{} dòng: {} thêm mới, {} cập nhật, {errors} dòng lỗi. {tail}",
        results.len(),
        count(RowAction::Create),
        count(RowAction::Update),
    )
}

/// Plans an import.
///
/// - A row with an `id` updates that record: the `existing` draft with only
///   the `selected` keys replaced by the row's values (an empty value clears
///   the field). An id not in `existing`, not a number, or on two rows is an
///   error of the row.
/// - A row without `id` creates a record from every column of the row,
///   whatever was selected.
/// - Columns that are not record fields (`kind: None`, such as `class_name`)
///   never enter the draft; they come back as the change's `extras` (selected
///   ones for updates, all for creates).
/// - Cells the reader refused are reported once: validation errors about the
///   same field are left out.
///
/// Cost is linear in rows × columns: lookups are hash maps built once.
pub fn plan_import<R>(
    table: &Table,
    existing: &HashMap<i64, Draft>,
    selected: &[String],
    validate: impl Fn(&Draft) -> Result<R, FieldErrors>,
) -> ImportPlan<R> {
    let labels: HashMap<&str, &str> = table
        .columns
        .iter()
        .map(|column| (column.key.as_str(), column.label.as_str()))
        .collect();
    let id_label = labels.get(ID_KEY).copied().unwrap_or(ID_LABEL);
    let fields: Vec<&str> = table
        .columns
        .iter()
        .filter(|column| column.is_field())
        .map(|column| column.key.as_str())
        .collect();
    let extras: Vec<&str> = table
        .columns
        .iter()
        .filter(|column| !column.is_field() && !column.is_id())
        .map(|column| column.key.as_str())
        .collect();
    let selected: HashSet<&str> = selected.iter().map(String::as_str).collect();
    let selected_fields: Vec<&str> = fields
        .iter()
        .copied()
        .filter(|key| selected.contains(key))
        .collect();
    let selected_extras: Vec<&str> = extras
        .iter()
        .copied()
        .filter(|key| selected.contains(key))
        .collect();

    // Rows per id, to refuse an id used twice.
    let mut rows_by_id: HashMap<i64, Vec<usize>> = HashMap::new();
    for row in &table.rows {
        if let Some(Ok(id)) = row.values.get(ID_KEY).and_then(|text| parse_id(text)) {
            rows_by_id.entry(id).or_default().push(row.row_number);
        }
    }

    let mut plan = ImportPlan {
        changes: Vec::with_capacity(table.rows.len()),
        results: Vec::with_capacity(table.rows.len()),
    };
    for row in &table.rows {
        let row_number = row.row_number;
        let mut errors = row.cell_errors.clone();
        let id_error = |message: String| CellError {
            row_number,
            column_label: id_label.to_owned(),
            column_key: ID_KEY.to_owned(),
            message,
        };
        let id = match row.values.get(ID_KEY).and_then(|text| parse_id(text)) {
            None => None,
            Some(Err(text)) => {
                errors.push(id_error(format!(
                    "“{text}” không phải Mã hệ thống hợp lệ; không sửa cột Mã hệ thống (để trống nếu là hồ sơ mới)"
                )));
                push_result(&mut plan, row_number, RowAction::Update, None, errors);
                continue;
            }
            Some(Ok(id)) => Some(id),
        };
        let (action, draft, row_extras) = match id {
            Some(id) => {
                let Some(stored) = existing.get(&id) else {
                    errors.push(id_error(format!(
                        "không tìm thấy hồ sơ có Mã hệ thống {id} trong danh sách; không sửa cột Mã hệ thống (để trống nếu là hồ sơ mới)"
                    )));
                    push_result(&mut plan, row_number, RowAction::Update, Some(id), errors);
                    continue;
                };
                if let Some(rows) = rows_by_id.get(&id).filter(|rows| rows.len() > 1) {
                    let others: Vec<String> = rows
                        .iter()
                        .filter(|other| **other != row_number)
                        .map(ToString::to_string)
                        .collect();
                    errors.push(id_error(format!(
                        "Mã hệ thống {id} trùng với dòng {}; mỗi hồ sơ chỉ được có một dòng",
                        others.join(", ")
                    )));
                }
                let mut draft = stored.clone();
                for key in &selected_fields {
                    if let Some(value) = row.values.get(*key) {
                        draft.insert((*key).to_owned(), value.clone());
                    }
                }
                (
                    RowAction::Update,
                    draft,
                    pick(&row.values, &selected_extras),
                )
            }
            None => {
                let draft: Draft = fields
                    .iter()
                    .filter_map(|key| {
                        row.values
                            .get(*key)
                            .map(|value| ((*key).to_owned(), value.clone()))
                    })
                    .collect();
                (RowAction::Create, draft, pick(&row.values, &extras))
            }
        };
        let refused: HashSet<&str> = row
            .cell_errors
            .iter()
            .map(|error| error.column_key.as_str())
            .collect();
        match validate(&draft) {
            Ok(record) if errors.is_empty() => {
                plan.changes.push(match id {
                    Some(id) => Change::Update {
                        id,
                        row_number,
                        record,
                        extras: row_extras,
                    },
                    None => Change::Create {
                        row_number,
                        record,
                        extras: row_extras,
                    },
                });
            }
            Ok(_) => {}
            Err(field_errors) => {
                for error in field_errors.0 {
                    if refused.contains(error.field.as_str()) {
                        continue;
                    }
                    let label = labels
                        .get(error.field.as_str())
                        .map_or(error.label, |label| (*label).to_owned());
                    errors.push(CellError {
                        row_number,
                        column_label: label,
                        column_key: error.field,
                        message: error.message,
                    });
                }
            }
        }
        push_result(&mut plan, row_number, action, id, errors);
    }
    plan
}

fn push_result<R>(
    plan: &mut ImportPlan<R>,
    row_number: usize,
    action: RowAction,
    id: Option<i64>,
    errors: Vec<CellError>,
) {
    plan.results.push(RowResult {
        row_number,
        status: if errors.is_empty() {
            RowStatus::Ok
        } else {
            RowStatus::Error
        },
        action,
        id,
        errors,
    });
}

/// `None` for an empty id (a new record), else the parsed id or the text.
fn parse_id(text: &str) -> Option<Result<i64, String>> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return None;
    }
    Some(trimmed.parse::<i64>().map_err(|_| trimmed.to_owned()))
}

fn pick(values: &BTreeMap<String, String>, keys: &[&str]) -> BTreeMap<String, String> {
    keys.iter()
        .filter_map(|key| {
            values
                .get(*key)
                .map(|value| ((*key).to_owned(), value.clone()))
        })
        .collect()
}
