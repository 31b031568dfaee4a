//! Excel import and export of students and staff (seed 003 §2.1 (ii)):
//! the template holds the current data; an upload is read, planned and
//! validated row by row (`hocba_spreadsheet`), then applied in one
//! transaction only if every row is valid. The result table comes back
//! either way.

use crate::AppState;
use crate::api::{actor, year_or_current};
use crate::error::AppError;
use crate::session::CurrentUser;
use hocba_domain::FieldErrors;
use hocba_domain::form::Draft;
use hocba_domain::staff::{FIELDS as STAFF_FIELDS, StaffProfile};
use hocba_domain::student::{FIELDS as STUDENT_FIELDS, StudentProfile};
use hocba_domain::{SchoolId, SchoolYearId, StaffId, StudentId};
use hocba_spreadsheet::{
    Change, Column, ImportPlan, Limits, RowResult, plan_import, read_table, record_columns,
    student_columns, write_result_report, write_template,
};
use hocba_storage::{ImportRow, StoreError, StudentFilter};
use serde::Serialize;
use std::collections::HashMap;

/// What the user sees after an upload: "Bảng kết quả nhập liệu".
#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    pub applied: bool,
    pub created: usize,
    pub updated: usize,
    pub summary: String,
    pub results: Vec<RowResult>,
    pub unknown_headers: Vec<String>,
    /// Column keys that were updated on existing rows.
    pub selected: Vec<String>,
}

impl ImportReport {
    /// The downloadable error file naming row, column and rule.
    pub fn error_file(&self) -> Result<Vec<u8>, AppError> {
        write_result_report(&self.results).map_err(|e| AppError::Internal(e.to_string()))
    }
}

fn refused(
    results: Vec<RowResult>,
    summary: String,
    unknown_headers: Vec<String>,
    selected: Vec<String>,
) -> ImportReport {
    ImportReport {
        applied: false,
        created: 0,
        updated: 0,
        summary,
        results,
        unknown_headers,
        selected,
    }
}

pub async fn student_workbook(
    state: &AppState,
    school: SchoolId,
    year: Option<SchoolYearId>,
) -> Result<Vec<u8>, AppError> {
    let year = year_or_current(state, school, year).await?;
    let columns = student_columns(&STUDENT_FIELDS);
    let drafts = state.store.student_drafts(school).await?;
    let list = state
        .store
        .students(school, year, &StudentFilter::default())
        .await?;
    let mut rows = Vec::with_capacity(list.len());
    for student in list
        .iter()
        .filter(|s| s.status == hocba_domain::student::EnrolmentStatus::Studying)
    {
        let Some(draft) = drafts.get(&student.id.0) else {
            continue;
        };
        // Show values as people write them (dd/mm/yyyy, province names).
        let display = StudentProfile::validate(draft).ok();
        let row = columns
            .iter()
            .map(|column| match column.key.as_str() {
                "id" => student.id.to_string(),
                "class_name" => student.class_name.clone(),
                key => display
                    .as_ref()
                    .map(|p| p.record().display(key))
                    .unwrap_or_else(|| draft.get(key).cloned().unwrap_or_default()),
            })
            .collect();
        rows.push(row);
    }
    write_template("Học sinh", &columns, &rows).map_err(|e| AppError::Internal(e.to_string()))
}

pub async fn staff_workbook(state: &AppState, school: SchoolId) -> Result<Vec<u8>, AppError> {
    let columns = record_columns(&STAFF_FIELDS);
    let staff = state.store.staff(school, None).await?;
    let rows: Vec<Vec<String>> = staff
        .iter()
        .map(|member| {
            let display = StaffProfile::validate(&member.profile).ok();
            columns
                .iter()
                .map(|column| match column.key.as_str() {
                    "id" => member.id.to_string(),
                    key => display
                        .as_ref()
                        .map(|p| p.record().display(key))
                        .unwrap_or_default(),
                })
                .collect()
        })
        .collect();
    write_template("Cán bộ", &columns, &rows).map_err(|e| AppError::Internal(e.to_string()))
}

/// A file read and planned, ready to apply if every row is valid.
struct Planned<R> {
    plan: ImportPlan<R>,
    unknown_headers: Vec<String>,
    selected: Vec<String>,
}

/// Reads `bytes` with `columns`, and plans every row against the records
/// already stored. `selected`: the columns to update on existing rows; all
/// columns of the file when `None`.
fn plan_file<R>(
    bytes: &[u8],
    columns: &[Column],
    existing: &HashMap<i64, Draft>,
    selected: Option<Vec<String>>,
    validate: impl Fn(&Draft) -> Result<R, FieldErrors>,
) -> Result<Planned<R>, AppError> {
    let table = read_table(bytes, columns, &Limits::default())
        .map_err(|e| AppError::Refused(e.to_string()))?;
    let selected =
        selected.unwrap_or_else(|| table.columns.iter().map(|c| c.key.clone()).collect());
    let plan = plan_import(&table, existing, &selected, validate);
    Ok(Planned {
        plan,
        unknown_headers: table.unknown_headers,
        selected,
    })
}

impl<R> Planned<R> {
    /// The report of a file with invalid rows: nothing was applied.
    fn refused(self) -> ImportReport {
        let summary = self.plan.summary();
        refused(
            self.plan.results,
            summary,
            self.unknown_headers,
            self.selected,
        )
    }

    /// The report once storage applied the plan (or refused it whole).
    fn applied(
        self,
        outcome: Result<(usize, usize), StoreError>,
        noun: &str,
    ) -> Result<ImportReport, AppError> {
        match outcome {
            Ok((created, updated)) => Ok(ImportReport {
                applied: true,
                created,
                updated,
                summary: format!(
                    "Đã nhập xong: {created} {noun} thêm mới, {updated} {noun} cập nhật."
                ),
                results: self.plan.results,
                unknown_headers: self.unknown_headers,
                selected: self.selected,
            }),
            Err(StoreError::Refused(message)) => Ok(refused(
                vec![store_refusal(&message)],
                format!("Chưa nhập gì cả: {message}"),
                self.unknown_headers,
                self.selected,
            )),
            Err(error) => Err(error.into()),
        }
    }
}

/// Reads, plans and (if every row is valid) applies a student file.
pub async fn import_student_file(
    state: &AppState,
    user: &CurrentUser,
    school: SchoolId,
    year: Option<SchoolYearId>,
    bytes: &[u8],
    selected: Option<Vec<String>>,
) -> Result<ImportReport, AppError> {
    let year = year_or_current(state, school, year).await?;
    let existing = state.store.student_drafts(school).await?;
    let planned = plan_file(
        bytes,
        &student_columns(&STUDENT_FIELDS),
        &existing,
        selected,
        StudentProfile::validate,
    )?;
    if !planned.plan.is_valid() {
        return Ok(planned.refused());
    }
    let rows: Vec<ImportRow> = planned
        .plan
        .changes
        .iter()
        .map(|change| ImportRow {
            row_number: change.row_number(),
            existing: match change {
                Change::Update { id, .. } => Some(StudentId(*id)),
                Change::Create { .. } => None,
            },
            profile: change.record().clone(),
            class_name: change.extras().get("class_name").cloned(),
        })
        .collect();
    let outcome = state
        .store
        .import_students(&actor(user), school, year, &rows)
        .await;
    planned.applied(outcome.map(|o| (o.created, o.updated)), "học sinh")
}

/// Reads, plans and (if every row is valid) applies a staff file.
pub async fn import_staff_file(
    state: &AppState,
    user: &CurrentUser,
    school: SchoolId,
    bytes: &[u8],
    selected: Option<Vec<String>>,
) -> Result<ImportReport, AppError> {
    let existing = state.store.staff_drafts(school).await?;
    let planned = plan_file(
        bytes,
        &record_columns(&STAFF_FIELDS),
        &existing,
        selected,
        StaffProfile::validate,
    )?;
    if !planned.plan.is_valid() {
        return Ok(planned.refused());
    }
    let rows: Vec<(usize, Option<StaffId>, StaffProfile)> = planned
        .plan
        .changes
        .iter()
        .map(|change| {
            let id = match change {
                Change::Update { id, .. } => Some(StaffId(*id)),
                Change::Create { .. } => None,
            };
            (change.row_number(), id, change.record().clone())
        })
        .collect();
    let outcome = state.store.import_staff(&actor(user), school, &rows).await;
    planned.applied(outcome, "cán bộ")
}

/// A refusal from the database step ("Dòng N: …") as a result row.
fn store_refusal(message: &str) -> RowResult {
    let row_number = message
        .strip_prefix("Dòng ")
        .and_then(|rest| rest.split(':').next())
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0);
    RowResult {
        row_number,
        status: hocba_spreadsheet::RowStatus::Error,
        action: hocba_spreadsheet::RowAction::Create,
        id: None,
        errors: vec![hocba_spreadsheet::CellError {
            row_number,
            column_label: String::new(),
            column_key: String::new(),
            message: message.to_owned(),
        }],
    }
}
