//! The gradebook of a whole class in Excel (issue 4 point 5): for a class ×
//! semester, one workbook with a sheet per subject the user may enter
//! (the declared columns, students in Vietnamese class-list order, current
//! values), and its upload, checked cell by cell with the grid's rules and
//! written all or nothing across every sheet (`Store::save_workbook_cells`,
//! one transaction, channel `excel`).
//!
//! One sheet is read and turned into edits exactly as the per-subject import
//! does (`api_summary::sheet_edits`); this module only adds the choice of
//! subjects (an administrator: every subject with a declared plan; a
//! teacher: the subjects assigned to them in that class and semester, the
//! others listed with the reason) and the sheet names.

use crate::AppState;
use crate::api::{actor, xlsx_response};
use crate::api_summary::{
    SheetEdits, book_columns, excel_writer, grade_sheet_columns, grade_sheet_rows, refusal_status,
    rejected_message, rejected_origin, semester, sheet_edits,
};
use crate::error::{ApiError, AppError};
use crate::gradebook_access::is_teacher;
use crate::session::CurrentUser;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use hocba_domain::access::{self, Action, Denied, Target};
use hocba_domain::gradebook::{Channel, Semester};
use hocba_domain::{ClassId, SchoolId, SubjectId};
use hocba_spreadsheet::{CellError, DataSheet, Limits};
use hocba_storage::{CellsOutcome, Gradebook, StoreError, WorkbookOutcome};
use serde::{Deserialize, Serialize};

type ApiResult<T = Response> = Result<T, ApiError>;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/schools/{school}/classes/{class}/gradebook/{semester}/import",
            post(upload),
        )
        // Last: the route table's test reads the rest of the file as the
        // arguments of the last route, which must be a read.
        .route(
            "/api/v1/schools/{school}/classes/{class}/gradebook/{semester}/workbook.xlsx",
            get(download),
        )
}

/// A subject of the class that is in the workbook.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Included {
    pub subject_id: SubjectId,
    pub subject_name: String,
    pub sheet: String,
}

/// A subject of the class left out of the workbook, and why.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Excluded {
    pub subject_id: SubjectId,
    pub subject_name: String,
    pub sheet: String,
    pub reason: String,
}

/// What the workbook of a class × semester holds for this user.
#[derive(Debug, Clone)]
pub(crate) struct WorkbookScope {
    pub target: Target,
    pub class_name: String,
    pub semester: Semester,
    pub included: Vec<Included>,
    pub excluded: Vec<Excluded>,
}

/// Asks the policy for the class's gradebooks of one semester
/// (`EnterScores` without a subject: an administrator, or a teacher
/// assigned a subject of the class that semester); a teacher refused is
/// told that no subject of the class is theirs that semester.
pub(crate) async fn authorise_class_entry(
    state: &AppState,
    user: &CurrentUser,
    school: SchoolId,
    class: ClassId,
    semester: Semester,
) -> Result<Target, AppError> {
    let mut target = match state.store.target(school).await {
        Ok(target) => target,
        Err(StoreError::NotFound(_)) => Target {
            school,
            ancestors: Vec::new(),
            class: None,
            subject: None,
            semester: None,
        },
        Err(error) => return Err(error.into()),
    };
    target.class = Some(class);
    target.semester = Some(semester);
    match access::authorise(&user.principal, Action::EnterScores, &target) {
        Ok(()) => Ok(target),
        Err(_) if is_teacher(user, school) => Err(AppError::Forbidden(Denied {
            reason: format!(
                "Bạn không được phân công dạy môn nào của lớp này trong {}, nên không có sổ điểm nào của lớp để tải về hay nhập từ Excel.",
                semester.label()
            ),
            remedy: "Giáo viên chỉ nhập điểm các môn mình được phân công giảng dạy; nếu phân công chưa đúng, hãy liên hệ quản trị viên của trường.".into(),
        })),
        Err(denied) => Err(AppError::Forbidden(denied)),
    }
}

/// The subjects of the class in the workbook and those left out with the
/// reason: not a secondary gradebook, no declared plan, or (a teacher) not
/// assigned to them this semester. Sheet names come from every subject of
/// the class, so they are the same whoever downloads.
pub(crate) async fn workbook_scope(
    state: &AppState,
    user: &CurrentUser,
    school: SchoolId,
    class: ClassId,
    semester: Semester,
) -> Result<WorkbookScope, AppError> {
    let target = authorise_class_entry(state, user, school, class, semester).await?;
    let class_row = state.store.class(school, class).await?;
    let plans = state
        .store
        .column_plans(
            school,
            class_row.school_year_id,
            Some(semester),
            Some(class),
        )
        .await?;
    let titles: Vec<&str> = plans.iter().map(|p| p.subject_name.as_str()).collect();
    let sheets = hocba_spreadsheet::sheet_names(&titles);
    let mut scope = WorkbookScope {
        target: target.clone(),
        class_name: class_row.name.clone(),
        semester,
        included: Vec::new(),
        excluded: Vec::new(),
    };
    for (plan, sheet) in plans.iter().zip(sheets) {
        let subject_target = Target {
            subject: Some(plan.subject_id),
            ..target.clone()
        };
        let reason = if plan.status == "not_applicable" || plan.status == "not_declared" {
            Some(plan.note.clone().unwrap_or_default())
        } else if !user.may(Action::EnterScores, &subject_target) {
            Some(format!(
                "Bạn không được phân công dạy môn này ở lớp {} trong {}: chỉ giáo viên được phân công và quản trị viên nhập điểm môn này.",
                class_row.name,
                semester.label()
            ))
        } else {
            None
        };
        match reason {
            Some(reason) => scope.excluded.push(Excluded {
                subject_id: plan.subject_id,
                subject_name: plan.subject_name.clone(),
                sheet,
                reason,
            }),
            None => scope.included.push(Included {
                subject_id: plan.subject_id,
                subject_name: plan.subject_name.clone(),
                sheet,
            }),
        }
    }
    Ok(scope)
}

/// Refuses a workbook with no subject, naming why each was left out.
fn nothing_to_do(scope: &WorkbookScope) -> AppError {
    let reasons: Vec<String> = scope
        .excluded
        .iter()
        .map(|e| format!("{}: {}", e.subject_name, e.reason))
        .collect();
    AppError::Refused(format!(
        "Lớp {} không có môn nào để tải về hay nhập điểm trong {}. {}",
        scope.class_name,
        scope.semester.label(),
        reasons.join(" ")
    ))
}

/// The gradebooks of the included subjects: a fixed number of queries per
/// subject, whatever the number of students.
async fn load_books(
    state: &AppState,
    school: SchoolId,
    class: ClassId,
    scope: &WorkbookScope,
) -> Result<Vec<Gradebook>, AppError> {
    let mut books = Vec::with_capacity(scope.included.len());
    for included in &scope.included {
        books.push(
            state
                .store
                .gradebook(school, class, included.subject_id, scope.semester)
                .await?,
        );
    }
    Ok(books)
}

/// The workbook of a class × semester, pre-filled.
pub(crate) async fn workbook_bytes(
    state: &AppState,
    school: SchoolId,
    class: ClassId,
    scope: &WorkbookScope,
) -> Result<Vec<u8>, AppError> {
    if scope.included.is_empty() {
        return Err(nothing_to_do(scope));
    }
    let books = load_books(state, school, class, scope).await?;
    let columns: Vec<_> = books
        .iter()
        .map(|book| {
            let columns = book_columns(book);
            let rows = grade_sheet_rows(book, &columns);
            (grade_sheet_columns(&columns), rows)
        })
        .collect();
    let sheets: Vec<DataSheet<'_>> = scope
        .included
        .iter()
        .zip(&columns)
        .map(|(included, (columns, rows))| DataSheet {
            title: &included.sheet,
            columns,
            rows,
        })
        .collect();
    hocba_spreadsheet::write_workbook(&sheets).map_err(|e| AppError::Internal(e.to_string()))
}

pub(crate) fn workbook_file_name(class: ClassId, semester: Semester) -> String {
    format!("so-diem-lop-{class}-hk{}.xlsx", semester.number())
}

async fn download(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, class, number)): Path<(SchoolId, ClassId, u8)>,
) -> ApiResult {
    let semester = semester(number)?;
    let scope = workbook_scope(&state, &user, school, class, semester).await?;
    let bytes = workbook_bytes(&state, school, class, &scope).await?;
    Ok(xlsx_response(bytes, &workbook_file_name(class, semester)))
}

/// One refused cell (or sheet, with row 0) of an uploaded workbook.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct SheetError {
    pub sheet: String,
    pub row_number: usize,
    pub column_label: String,
    pub column_key: String,
    pub message: String,
}

impl SheetError {
    fn of(sheet: &str, error: CellError) -> SheetError {
        SheetError {
            sheet: sheet.to_owned(),
            row_number: error.row_number,
            column_label: error.column_label,
            column_key: error.column_key,
            message: error.message,
        }
    }

    fn whole(sheet: &str, message: String) -> SheetError {
        SheetError {
            sheet: sheet.to_owned(),
            row_number: 0,
            column_label: String::new(),
            column_key: String::new(),
            message,
        }
    }
}

/// What happened to one subject's sheet.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct SheetResult {
    pub subject_id: SubjectId,
    pub subject_name: String,
    pub sheet: String,
    /// Cells that differ from the gradebook (written when `applied`).
    pub changed: usize,
    pub note: String,
}

/// The answer to a workbook upload, shown by the API and the UI.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct WorkbookReport {
    pub applied: bool,
    pub changed: usize,
    #[serde(skip)]
    pub status: u16,
    pub message: String,
    pub errors: Vec<SheetError>,
    pub sheets: Vec<SheetResult>,
    pub excluded: Vec<Excluded>,
    /// Sheets of the file that are no subject of the class (not read).
    pub ignored_sheets: Vec<String>,
}

impl WorkbookReport {
    /// "Bảng kết quả nhập liệu" as .xlsx: sheet, row, column, error.
    pub fn error_file(&self) -> Result<Vec<u8>, AppError> {
        let errors: Vec<(String, CellError)> = self
            .errors
            .iter()
            .map(|e| {
                (
                    e.sheet.clone(),
                    CellError {
                        row_number: e.row_number,
                        column_label: e.column_label.clone(),
                        column_key: e.column_key.clone(),
                        message: e.message.clone(),
                    },
                )
            })
            .collect();
        hocba_spreadsheet::write_workbook_report(&self.message, &errors)
            .map_err(|e| AppError::Internal(e.to_string()))
    }

    fn refused(mut self, status: u16, errors: Vec<SheetError>) -> WorkbookReport {
        self.message = format!(
            "Tệp có {} lỗi; chưa có gì được lưu (tất cả hoặc không, trên mọi trang tính). Hãy sửa các ô trong bảng lỗi rồi tải lên lại.",
            errors.len()
        );
        self.applied = false;
        self.changed = 0;
        self.status = status;
        self.errors = errors;
        self
    }
}

/// Reads an uploaded workbook and writes it all or nothing.
pub(crate) async fn import_workbook(
    state: &AppState,
    user: &CurrentUser,
    school: SchoolId,
    class: ClassId,
    semester: Semester,
    override_requested: bool,
    bytes: &[u8],
) -> Result<WorkbookReport, AppError> {
    let scope = workbook_scope(state, user, school, class, semester).await?;
    if scope.included.is_empty() {
        return Err(nothing_to_do(&scope));
    }
    let mut report = WorkbookReport {
        applied: false,
        changed: 0,
        status: 200,
        message: String::new(),
        errors: Vec::new(),
        sheets: Vec::new(),
        excluded: scope.excluded.clone(),
        ignored_sheets: Vec::new(),
    };
    let books = load_books(state, school, class, &scope).await?;
    let columns: Vec<_> = books.iter().map(book_columns).collect();
    let sheet_columns: Vec<_> = columns.iter().map(|c| grade_sheet_columns(c)).collect();
    let expected: Vec<(&str, &[hocba_spreadsheet::Column])> = scope
        .included
        .iter()
        .zip(&sheet_columns)
        .map(|(included, columns)| (included.sheet.as_str(), columns.as_slice()))
        .collect();
    let tables = match hocba_spreadsheet::read_sheets(bytes, &expected, &Limits::default()) {
        Ok(tables) => tables,
        Err(error) => {
            return Ok(report.refused(422, vec![SheetError::whole("", error.to_string())]));
        }
    };
    let mut errors = Vec::new();
    // A sheet of a subject the user may not enter: refused, not skipped,
    // so that nobody believes those scores were saved.
    for name in &tables.unknown_sheets {
        let folded = hocba_text::fold(name);
        match scope
            .excluded
            .iter()
            .find(|e| hocba_text::fold(&e.sheet) == folded)
        {
            Some(excluded) => errors.push(SheetError::whole(
                name,
                format!(
                    "Không nhập được môn {}: {} Hãy xóa trang tính này khỏi tệp (hoặc dùng tệp tải về bằng tài khoản của bạn) rồi tải lên lại.",
                    excluded.subject_name, excluded.reason
                ),
            )),
            None => report.ignored_sheets.push(name.clone()),
        }
    }
    let mut books_edits: Vec<(SubjectId, SheetEdits)> = Vec::new();
    for (((included, book), columns), table) in scope
        .included
        .iter()
        .zip(&books)
        .zip(&columns)
        .zip(tables.sheets)
    {
        let mut result = SheetResult {
            subject_id: included.subject_id,
            subject_name: included.subject_name.clone(),
            sheet: included.sheet.clone(),
            changed: 0,
            note: String::new(),
        };
        match table {
            None => {
                result.note = "Tệp không có trang tính này: giữ nguyên sổ điểm môn này.".into();
            }
            Some(Err(error)) => {
                errors.push(SheetError::whole(&included.sheet, error.to_string()));
            }
            Some(Ok(table)) => {
                let edits = sheet_edits(&table, book, columns);
                errors.extend(
                    edits
                        .errors
                        .iter()
                        .cloned()
                        .map(|e| SheetError::of(&included.sheet, e)),
                );
                result.changed = edits.edits.len();
                result.note = if edits.edits.is_empty() {
                    "Không có ô nào khác sổ điểm hiện tại.".into()
                } else {
                    format!("{} ô khác sổ điểm hiện tại.", edits.edits.len())
                };
                if !edits.edits.is_empty() {
                    books_edits.push((included.subject_id, edits));
                }
            }
        }
        report.sheets.push(result);
    }
    if !errors.is_empty() {
        return Ok(report.refused(422, errors));
    }
    if books_edits.is_empty() {
        report.applied = true;
        report.message = "Tệp không có ô nào khác sổ điểm hiện tại; không có gì cần lưu.".into();
        return Ok(report);
    }
    let books: Vec<(SubjectId, Vec<hocba_storage::CellEdit>)> = books_edits
        .iter()
        .map(|(subject, edits)| (*subject, edits.edits.clone()))
        .collect();
    let outcome = state
        .store
        .save_workbook_cells(
            &actor(user),
            school,
            class,
            semester,
            excel_writer(user, school, override_requested),
            Channel::Excel,
            Some("Nhập từ tệp Excel của cả lớp"),
            &books,
        )
        .await?;
    let sheet_of = |subject: SubjectId| {
        scope
            .included
            .iter()
            .find(|i| i.subject_id == subject)
            .map(|i| i.sheet.clone())
            .unwrap_or_default()
    };
    match outcome {
        WorkbookOutcome::Saved(saved) => {
            for (subject, cells) in &saved {
                let changed = cells.iter().filter(|c| c.changed).count();
                if let Some(result) = report.sheets.iter_mut().find(|r| r.subject_id == *subject) {
                    result.changed = changed;
                    result.note = format!("Đã lưu {changed} ô.");
                }
                report.changed += changed;
            }
            report.applied = true;
            report.message = format!(
                "Đã lưu {} ô từ tệp Excel ({} môn).",
                report.changed,
                saved.len()
            );
            Ok(report)
        }
        WorkbookOutcome::Refused(refused) => {
            let mut status = None;
            let mut errors = Vec::new();
            for (subject, outcome) in refused {
                let sheet = sheet_of(subject);
                match outcome {
                    CellsOutcome::Refused(refusal) => {
                        status.get_or_insert(refusal_status(&refusal));
                        errors.push(SheetError::whole(&sheet, refusal.to_string()));
                    }
                    CellsOutcome::Rejected(cells) => {
                        status = Some(422);
                        let origin = books_edits
                            .iter()
                            .find(|(s, _)| *s == subject)
                            .map(|(_, e)| e.origin.as_slice())
                            .unwrap_or_default();
                        for cell in &cells {
                            let (row, label, key) = rejected_origin(cell, origin);
                            errors.push(SheetError {
                                sheet: sheet.clone(),
                                row_number: row,
                                column_label: label,
                                column_key: key,
                                message: rejected_message(cell),
                            });
                        }
                    }
                    CellsOutcome::Saved { .. } => {}
                }
            }
            Ok(report.refused(status.unwrap_or(422), errors))
        }
    }
}

#[derive(Deserialize, Default)]
struct ImportQuery {
    /// An administrator writes outside a window or in a locked column.
    #[serde(default, rename = "override")]
    override_requested: bool,
}

/// Uploads a class's workbook: every changed cell of every sheet, all or
/// nothing; the answer lists every refused cell by sheet, row and column.
async fn upload(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, class, number)): Path<(SchoolId, ClassId, u8)>,
    Query(query): Query<ImportQuery>,
    bytes: Bytes,
) -> ApiResult {
    let semester = semester(number)?;
    authorise_class_entry(&state, &user, school, class, semester).await?;
    let report = import_workbook(
        &state,
        &user,
        school,
        class,
        semester,
        query.override_requested,
        &bytes,
    )
    .await?;
    let status = StatusCode::from_u16(report.status).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
    Ok((status, Json(report)).into_response())
}
