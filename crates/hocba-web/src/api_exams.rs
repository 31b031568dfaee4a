//! The exams API under `/api/v1/schools/{school}` (seed 000): exams,
//! papers, score sheets (entry, .xlsx download and import, finalising), the
//! link between the school's exams and its gradebook, and the sync of a
//! paper into the gradebook with every class and student left out named.
//!
//! Every handler authorises first and reads the body after. The rules are
//! `hocba_domain::exam`'s, applied by `hocba_storage` inside its
//! transactions. Answers: 409 for a paper already synced, 423 for a sheet
//! that is final or frozen, 422 for the rest, each with `reason` and
//! `remedy` in Vietnamese.

use crate::AppState;
use crate::api::{actor, xlsx_response, year_or_current};
use crate::error::{ApiError, ApiJson, AppError, body};
use crate::session::CurrentUser;
use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use hocba_domain::access::Action;
use hocba_domain::exam::{ExamKind, PaperRefusal, PaperSyncBlock};
use hocba_domain::gradebook::{self, Column, Semester};
use hocba_domain::{ClassId, ExamId, ExamPaperId, SchoolId, SchoolYearId, StudentId, SubjectId};
use hocba_spreadsheet::{Column as SheetColumn, Limits, id_column};
use hocba_storage::{
    ExamInput, PaperInput, ScoreEdit, ScoreSheet, ScoresOutcome, SyncClassResult, SyncOutcome,
};
use serde::Deserialize;
use serde_json::{Value, json};

type ApiResult<T = Response> = Result<T, ApiError>;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/schools/{school}/exam-settings",
            get(settings).put(save_settings),
        )
        .route(
            "/api/v1/schools/{school}/exams",
            get(list_exams).post(create_exam),
        )
        .route(
            "/api/v1/schools/{school}/exams/{exam}",
            get(one_exam).put(update_exam).delete(delete_exam),
        )
        .route(
            "/api/v1/schools/{school}/exams/{exam}/papers",
            post(create_paper),
        )
        .route(
            "/api/v1/schools/{school}/exam-papers/{paper}",
            get(score_sheet).put(update_paper).delete(delete_paper),
        )
        .route(
            "/api/v1/schools/{school}/exam-papers/{paper}/scores",
            put(save_scores),
        )
        .route(
            "/api/v1/schools/{school}/exam-papers/{paper}/scores.xlsx",
            get(score_sheet_xlsx),
        )
        .route(
            "/api/v1/schools/{school}/exam-papers/{paper}/import",
            post(import_scores),
        )
        .route(
            "/api/v1/schools/{school}/exam-papers/{paper}/final",
            post(set_final),
        )
        .route(
            "/api/v1/schools/{school}/exam-papers/{paper}/sync",
            get(sync_preview).post(sync),
        )
        .route(
            "/api/v1/schools/{school}/exam-papers/{paper}/sync/resume",
            post(resume_sync),
        )
}

fn refusal(status: StatusCode, code: &str, reason: &str, remedy: &str, extra: Value) -> Response {
    let mut error = json!({
        "code": code, "message": format!("{reason} {remedy}"), "reason": reason, "remedy": remedy,
    });
    if let (Some(error), Value::Object(extra)) = (error.as_object_mut(), extra) {
        error.extend(extra);
    }
    (status, Json(json!({ "error": error }))).into_response()
}

/// A paper that refuses a change of its sheet: 423, as a locked column.
pub(crate) fn paper_refusal_response(refused: &PaperRefusal) -> Response {
    refusal(
        StatusCode::LOCKED,
        refused.code(),
        &refused.reason(),
        &refused.remedy(),
        Value::Null,
    )
}

/// The HTTP status of a paper that cannot be synced.
pub(crate) fn sync_block_status(block: &PaperSyncBlock) -> StatusCode {
    match block {
        PaperSyncBlock::AlreadySynced { .. } => StatusCode::CONFLICT,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

async fn settings(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(school): Path<SchoolId>,
) -> ApiResult {
    user.authorise(&state, Action::ViewExams, school, None)
        .await?;
    let linked = state.store.exam_link(school).await?;
    Ok(Json(json!({"gradebook_linked": linked})).into_response())
}

#[derive(Deserialize)]
struct SettingsBody {
    gradebook_linked: bool,
}

async fn save_settings(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(school): Path<SchoolId>,
    ApiJson(raw): ApiJson<Value>,
) -> ApiResult {
    user.authorise(&state, Action::ManageExams, school, None)
        .await?;
    let request: SettingsBody = body(raw)?;
    state
        .store
        .set_exam_link(&actor(&user), school, request.gradebook_linked)
        .await?;
    Ok(Json(json!({"gradebook_linked": request.gradebook_linked})).into_response())
}

#[derive(Deserialize, Default)]
struct YearQuery {
    year: Option<SchoolYearId>,
}

async fn list_exams(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(school): Path<SchoolId>,
    Query(query): Query<YearQuery>,
) -> ApiResult {
    user.authorise(&state, Action::ViewExams, school, None)
        .await?;
    let year = year_or_current(&state, school, query.year).await?;
    let exams = state.store.exams(school, year).await?;
    let linked = state.store.exam_link(school).await?;
    Ok(Json(json!({"year": year, "gradebook_linked": linked, "exams": exams})).into_response())
}

#[derive(Deserialize)]
struct ExamBody {
    school_year_id: Option<SchoolYearId>,
    semester: u8,
    name: String,
    kind: ExamKind,
    #[serde(default)]
    version: Option<i64>,
}

async fn exam_input(
    state: &AppState,
    school: SchoolId,
    request: &ExamBody,
) -> Result<ExamInput, AppError> {
    let semester = Semester::from_number(request.semester).ok_or_else(|| {
        AppError::BadRequest(gradebook::invalid_semester(&request.semester.to_string()))
    })?;
    Ok(ExamInput {
        school_year_id: year_or_current(state, school, request.school_year_id).await?,
        semester,
        name: request.name.clone(),
        kind: request.kind,
    })
}

async fn create_exam(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(school): Path<SchoolId>,
    ApiJson(raw): ApiJson<Value>,
) -> ApiResult {
    user.authorise(&state, Action::ManageExams, school, None)
        .await?;
    let request: ExamBody = body(raw)?;
    let input = exam_input(&state, school, &request).await?;
    let exam = state
        .store
        .create_exam(&actor(&user), school, &input)
        .await?;
    Ok((StatusCode::CREATED, Json(json!(exam))).into_response())
}

async fn one_exam(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, exam)): Path<(SchoolId, ExamId)>,
) -> ApiResult {
    user.authorise(&state, Action::ViewExams, school, None)
        .await?;
    let exam = state.store.exam(school, exam).await?;
    Ok(Json(json!(exam)).into_response())
}

async fn update_exam(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, exam)): Path<(SchoolId, ExamId)>,
    ApiJson(raw): ApiJson<Value>,
) -> ApiResult {
    user.authorise(&state, Action::ManageExams, school, None)
        .await?;
    let request: ExamBody = body(raw)?;
    let input = exam_input(&state, school, &request).await?;
    let exam = state
        .store
        .update_exam(
            &actor(&user),
            school,
            exam,
            &input,
            request.version.unwrap_or(0),
        )
        .await?;
    Ok(Json(json!(exam)).into_response())
}

async fn delete_exam(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, exam)): Path<(SchoolId, ExamId)>,
) -> ApiResult {
    user.authorise(&state, Action::ManageExams, school, None)
        .await?;
    state.store.delete_exam(&actor(&user), school, exam).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize)]
struct PaperBody {
    subject_id: SubjectId,
    name: String,
    classes: Vec<ClassId>,
    #[serde(default)]
    version: Option<i64>,
}

impl PaperBody {
    fn input(&self) -> PaperInput {
        PaperInput {
            subject_id: self.subject_id,
            name: self.name.clone(),
            classes: self.classes.clone(),
        }
    }
}

async fn create_paper(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, exam)): Path<(SchoolId, ExamId)>,
    ApiJson(raw): ApiJson<Value>,
) -> ApiResult {
    user.authorise(&state, Action::ManageExams, school, None)
        .await?;
    let request: PaperBody = body(raw)?;
    let paper = state
        .store
        .create_paper(&actor(&user), school, exam, &request.input())
        .await?;
    Ok((StatusCode::CREATED, Json(json!(paper))).into_response())
}

async fn update_paper(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, paper)): Path<(SchoolId, ExamPaperId)>,
    ApiJson(raw): ApiJson<Value>,
) -> ApiResult {
    user.authorise(&state, Action::ManageExams, school, None)
        .await?;
    let request: PaperBody = body(raw)?;
    let paper = state
        .store
        .update_paper(
            &actor(&user),
            school,
            paper,
            &request.input(),
            request.version.unwrap_or(0),
        )
        .await?;
    Ok(Json(json!(paper)).into_response())
}

async fn delete_paper(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, paper)): Path<(SchoolId, ExamPaperId)>,
) -> ApiResult {
    user.authorise(&state, Action::ManageExams, school, None)
        .await?;
    state
        .store
        .delete_paper(&actor(&user), school, paper)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The score sheet: the paper, its state, and every student of its classes
/// with the score and the shield marker.
async fn score_sheet(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, paper)): Path<(SchoolId, ExamPaperId)>,
) -> ApiResult {
    user.authorise(&state, Action::ViewExams, school, None)
        .await?;
    let sheet = state.store.score_sheet(school, paper).await?;
    Ok(Json(json!(sheet)).into_response())
}

#[derive(Deserialize)]
struct ScoresBody {
    scores: Vec<ScoreEdit>,
}

/// The answer to a write of scores.
pub(crate) fn scores_response(outcome: ScoresOutcome) -> Response {
    match outcome {
        ScoresOutcome::Saved { written, unchanged } => Json(json!({
            "written": written, "unchanged": unchanged,
            "message": format!("Đã lưu {written} điểm."),
        }))
        .into_response(),
        ScoresOutcome::Refused(refused) => paper_refusal_response(&refused),
        ScoresOutcome::Rejected(rejected) => refusal(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_scores",
            &format!(
                "{} điểm chưa hợp lệ; chưa có điểm nào được lưu.",
                rejected.len()
            ),
            "Hãy sửa các điểm trong danh sách rồi lưu lại.",
            json!({ "scores": rejected }),
        ),
    }
}

async fn save_scores(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, paper)): Path<(SchoolId, ExamPaperId)>,
    ApiJson(raw): ApiJson<Value>,
) -> ApiResult {
    user.authorise(&state, Action::ManageExams, school, None)
        .await?;
    let request: ScoresBody = body(raw)?;
    let outcome = state
        .store
        .save_scores(&actor(&user), school, paper, &request.scores)
        .await?;
    Ok(scores_response(outcome))
}

const SCORE_KEY: &str = "score";

/// The columns of a score sheet file: who the student is (not edited) and
/// the score.
fn sheet_columns() -> Vec<SheetColumn> {
    vec![
        id_column(),
        SheetColumn::extra("class_name", "Lớp", false),
        SheetColumn::extra("full_name", "Họ và tên", false),
        SheetColumn::extra("birth_date", "Ngày sinh", false),
        SheetColumn::extra("moet_code", "Mã định danh Bộ GD&ĐT", false),
        SheetColumn::extra(SCORE_KEY, "Điểm", true),
    ]
}

pub(crate) fn score_sheet_file(sheet: &ScoreSheet) -> Result<Vec<u8>, AppError> {
    let rows: Vec<Vec<String>> = sheet
        .rows
        .iter()
        .map(|row| {
            vec![
                row.student_id.to_string(),
                row.class_name.clone(),
                row.full_name.clone(),
                row.birth_date.clone(),
                row.moet_code.clone().unwrap_or_default(),
                row.score.clone().unwrap_or_default().replace('.', ","),
            ]
        })
        .collect();
    let title = format!("Bảng điểm {}", sheet.paper.name);
    hocba_spreadsheet::write_template(&title, &sheet_columns(), &rows)
        .map_err(|e| AppError::Internal(e.to_string()))
}

async fn score_sheet_xlsx(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, paper)): Path<(SchoolId, ExamPaperId)>,
) -> ApiResult {
    user.authorise(&state, Action::ViewExams, school, None)
        .await?;
    let sheet = state.store.score_sheet(school, paper).await?;
    let bytes = score_sheet_file(&sheet)?;
    Ok(xlsx_response(bytes, &format!("bang-diem-{paper}.xlsx")))
}

/// One error of an uploaded score sheet: the row, the column, the rule.
fn file_error(row: usize, column: &str, message: String) -> Value {
    json!({"row_number": row, "column_label": column, "message": message})
}

/// Reads an uploaded score sheet and writes it, all or nothing. The JSON
/// report (also shown by the UI): `applied`, `written`, `errors` by row and
/// column, `status` when the paper refuses any score.
pub(crate) async fn import_score_file(
    state: &AppState,
    user: &CurrentUser,
    school: SchoolId,
    paper: ExamPaperId,
    bytes: &[u8],
) -> Result<Value, AppError> {
    let columns = sheet_columns();
    let table = match hocba_spreadsheet::read_table(bytes, &columns, &Limits::default()) {
        Ok(table) => table,
        Err(error) => {
            return Ok(json!({
                "applied": false, "written": 0,
                "errors": [file_error(0, "", error.to_string())],
                "message": format!("{error} Chưa có điểm nào được lưu."),
            }));
        }
    };
    let mut errors = Vec::new();
    let mut edits = Vec::new();
    let mut rows = Vec::new();
    for row in &table.rows {
        for cell in &row.cell_errors {
            errors.push(file_error(
                row.row_number,
                &cell.column_label,
                cell.message.clone(),
            ));
        }
        let id = row.values.get(hocba_spreadsheet::ID_KEY).map(|v| v.trim());
        let student = match id.map(str::parse::<i64>) {
            Some(Ok(id)) => StudentId(id),
            _ => {
                errors.push(file_error(
                    row.row_number,
                    hocba_spreadsheet::ID_LABEL,
                    "Thiếu mã hệ thống của học sinh (hoặc đã bị sửa): hãy tải lại tệp mẫu của đề thi và chỉ nhập cột Điểm.".into(),
                ));
                continue;
            }
        };
        let Some(value) = row.values.get(SCORE_KEY) else {
            continue;
        };
        edits.push(ScoreEdit {
            student_id: student,
            value: value.clone(),
            expected_version: None,
        });
        rows.push(row.row_number);
    }
    if !errors.is_empty() {
        return Ok(json!({
            "applied": false, "written": 0, "errors": errors,
            "message": format!("Tệp có {} lỗi; chưa có điểm nào được lưu. Hãy sửa các ô trong bảng lỗi rồi tải lên lại.", errors.len()),
        }));
    }
    let outcome = state
        .store
        .save_scores(&actor(user), school, paper, &edits)
        .await?;
    Ok(match outcome {
        ScoresOutcome::Saved { written, .. } => json!({
            "applied": true, "written": written, "errors": [],
            "message": format!("Đã lưu {written} điểm từ tệp Excel."),
        }),
        ScoresOutcome::Refused(refused) => json!({
            "applied": false, "written": 0, "status": 423, "code": refused.code(),
            "errors": [file_error(0, "", refused.to_string())],
            "message": refused.to_string(),
        }),
        ScoresOutcome::Rejected(rejected) => {
            let errors: Vec<Value> = rejected
                .iter()
                .map(|r| {
                    file_error(
                        rows.get(r.index).copied().unwrap_or(0),
                        "Điểm",
                        r.message.clone(),
                    )
                })
                .collect();
            json!({
                "applied": false, "written": 0, "errors": errors,
                "message": format!("Tệp có {} lỗi; chưa có điểm nào được lưu. Hãy sửa các ô trong bảng lỗi rồi tải lên lại.", errors.len()),
            })
        }
    })
}

async fn import_scores(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, paper)): Path<(SchoolId, ExamPaperId)>,
    bytes: Bytes,
) -> ApiResult {
    user.authorise(&state, Action::ManageExams, school, None)
        .await?;
    let report = import_score_file(&state, &user, school, paper, &bytes).await?;
    let status = if report["applied"] == json!(true) {
        StatusCode::OK
    } else if report["status"] == json!(423) {
        StatusCode::LOCKED
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, Json(report)).into_response())
}

#[derive(Deserialize)]
struct FinalBody {
    /// true: chốt điểm; false: mở chốt.
    #[serde(rename = "final")]
    is_final: bool,
}

async fn set_final(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, paper)): Path<(SchoolId, ExamPaperId)>,
    ApiJson(raw): ApiJson<Value>,
) -> ApiResult {
    user.authorise(&state, Action::ManageExams, school, None)
        .await?;
    let request: FinalBody = body(raw)?;
    match state
        .store
        .set_paper_final(&actor(&user), school, paper, request.is_final)
        .await?
    {
        Ok(paper) => Ok(Json(json!(paper)).into_response()),
        Err(refused) => Ok(paper_refusal_response(&refused)),
    }
}

/// The wizard: the paper's block, and per class its columns (with why each
/// cannot be chosen) and the students who would be left out; the run once
/// there is one (its classes' statuses are the live progress).
async fn sync_preview(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, paper)): Path<(SchoolId, ExamPaperId)>,
) -> ApiResult {
    user.authorise(&state, Action::SyncExamScores, school, None)
        .await?;
    let preview = state.store.sync_preview(school, paper).await?;
    Ok(Json(json!(preview)).into_response())
}

#[derive(Deserialize)]
struct ClassChoice {
    class_id: ClassId,
    /// `regular:1` … `midterm`, `final`; absent or null: the class is left out.
    #[serde(default)]
    column: Option<String>,
}

#[derive(Deserialize)]
struct SyncBody {
    classes: Vec<ClassChoice>,
}

/// The answer to a sync, for the API and the UI's script.
pub(crate) fn sync_response(outcome: SyncOutcome) -> Response {
    match outcome {
        SyncOutcome::Done(run) => Json(json!({"synced": true, "run": run})).into_response(),
        SyncOutcome::Blocked(block, run) => refusal(
            sync_block_status(&block),
            block.code(),
            &block.reason(),
            &block.remedy(),
            json!({ "run": run }),
        ),
        SyncOutcome::NothingSynced(classes) => nothing_synced(&classes),
    }
}

fn nothing_synced(classes: &[SyncClassResult]) -> Response {
    refusal(
        StatusCode::UNPROCESSABLE_ENTITY,
        "nothing_synced",
        "Không lớp nào đồng bộ được nên chưa có điểm nào được ghi vào sổ điểm; đề thi vẫn có thể đồng bộ.",
        "Xem lý do của từng lớp, khắc phục, rồi đồng bộ lại.",
        json!({ "classes": classes }),
    )
}

/// Parses the wizard's choices (a bad column key names the class).
pub(crate) fn parse_choices(
    choices: &[(ClassId, Option<String>)],
) -> Result<Vec<(ClassId, Option<Column>)>, AppError> {
    choices
        .iter()
        .map(|(class, column)| {
            let column = column
                .as_deref()
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(Column::parse)
                .transpose()
                .map_err(|e| AppError::BadRequest(format!("Lớp mã {class}: {e}")))?;
            Ok((*class, column))
        })
        .collect()
}

async fn sync(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, paper)): Path<(SchoolId, ExamPaperId)>,
    ApiJson(raw): ApiJson<Value>,
) -> ApiResult {
    user.authorise(&state, Action::SyncExamScores, school, None)
        .await?;
    let request: SyncBody = body(raw)?;
    let raw: Vec<(ClassId, Option<String>)> = request
        .classes
        .into_iter()
        .map(|c| (c.class_id, c.column))
        .collect();
    let choices = parse_choices(&raw)?;
    let outcome = state
        .store
        .sync_paper(&actor(&user), school, paper, &choices)
        .await?;
    Ok(sync_response(outcome))
}

/// Finishes a run cut short (the server stopped between classes).
async fn resume_sync(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, paper)): Path<(SchoolId, ExamPaperId)>,
) -> ApiResult {
    user.authorise(&state, Action::SyncExamScores, school, None)
        .await?;
    match state
        .store
        .resume_sync(&actor(&user), school, paper)
        .await?
    {
        Some(outcome) => Ok(sync_response(outcome)),
        None => Err(AppError::Refused(
            "Đề thi này chưa được đồng bộ nên không có gì để tiếp tục. Hãy dùng Đồng bộ điểm."
                .into(),
        )
        .into()),
    }
}
