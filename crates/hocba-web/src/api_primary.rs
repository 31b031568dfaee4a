//! The primary (TT27) book under `/api/v1/schools/{school}/classes/{class}/
//! primary/{milestone}`: a class's levels, periodic test scores, qualities
//! and competencies and comments at a milestone (mid_S1, end_S1, mid_S2,
//! end_of_year), the summary of the milestone computed by
//! `hocba_assessment::tt27` with each student's reasons, and the writes:
//! the homeroom teacher (or an administrator) for the whole line, the
//! teacher assigned to a subject for that subject's levels and tests.
//!
//! Handlers authorise first, read the body after, and hold no SQL and no
//! rule: `hocba_storage` reads and writes, `hocba_domain::primary` decides.

use crate::AppState;
use crate::api::{actor, xlsx_response};
use crate::api_summary::authorise;
use crate::error::{ApiError, ApiJson, AppError};
use crate::session::CurrentUser;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use hocba_domain::access::{Action, Target};
use hocba_domain::date::vietnam_time;
use hocba_domain::gradebook::{EntryRefusal, RefusalKind, WindowState};
use hocba_domain::primary::{
    self, EntryScope, LineInput, Milestone, NamedStudent, PrimarySummaryLine, level_code,
    rating_code, test_code,
};
use hocba_domain::primary_sheet;
use hocba_domain::role::Role;
use hocba_domain::{ClassId, FieldErrors, SchoolId, StudentId, SubjectId};
use hocba_storage::{CloseOutcome, PrimaryBook, PrimaryOutcome, Writer};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

type ApiResult<T = Response> = Result<T, ApiError>;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/schools/{school}/classes/{class}/primary/{milestone}/subjects/{subject}",
            get(subject_column).put(save_subject),
        )
        .route(
            "/api/v1/schools/{school}/classes/{class}/primary/{milestone}/close",
            post(close),
        )
        .route(
            "/api/v1/schools/{school}/classes/{class}/primary/{milestone}",
            get(class_book).put(save_class),
        )
        .route(
            "/api/v1/schools/{school}/classes/{class}/primary/{milestone}/sheet.xlsx",
            get(sheet_xlsx),
        )
        .route(
            "/api/v1/schools/{school}/classes/{class}/primary/{milestone}/sheet.pdf",
            get(sheet_pdf),
        )
}

pub(crate) fn milestone(text: &str) -> Result<Milestone, AppError> {
    primary::parse_milestone(text).map_err(AppError::BadRequest)
}

/// The summary of every student at `milestone`, by `hocba_domain::primary`
/// (the end of the year through `hocba_assessment::tt27::evaluate`).
pub(crate) fn summary_lines(book: &PrimaryBook, milestone: Milestone) -> Vec<PrimarySummaryLine> {
    if book.not_primary.is_some() {
        return Vec::new();
    }
    book.students
        .iter()
        .map(|student| primary::summarise_student(book.grade, milestone, &book.subjects, student))
        .collect()
}

pub(crate) fn window_text(window: &WindowState) -> String {
    match window {
        WindowState::Open { window } => format!(
            "Đang mở đợt nhập ({} – {}).",
            vietnam_time(window.opens_at),
            vietnam_time(window.closes_at)
        ),
        WindowState::NotYet { window } => format!(
            "Chưa đến đợt nhập (mở lúc {}).",
            vietnam_time(window.opens_at)
        ),
        WindowState::Ended { window } => format!(
            "Đã hết đợt nhập (đóng lúc {}).",
            vietnam_time(window.closes_at)
        ),
        WindowState::None => "Chưa có đợt nhập cho khối và học kỳ này.".into(),
    }
}

fn is_admin(user: &CurrentUser, school: SchoolId) -> bool {
    user.principal
        .roles_in_school(school)
        .any(|role| role == Role::Admin)
}

/// Who writes, as the entry rules see them.
pub(crate) fn writer(user: &CurrentUser, school: SchoolId, override_requested: bool) -> Writer {
    Writer {
        staff: user
            .account
            .staff_id
            .filter(|_| user.account.home_unit == school.into()),
        admin: is_admin(user, school),
        override_requested,
    }
}

fn error_body(code: &str, reason: &str, remedy: &str) -> Value {
    json!({"error": {"code": code, "message": format!("{reason} {remedy}"), "reason": reason, "remedy": remedy, "rule": code}})
}

/// An outcome of `Store::save_primary` as an answer: 200 with the new
/// versions, 403 (not this teacher's), 423 (window, closed book), 409
/// (stale lines, named), 422 (not a primary class, value).
pub(crate) fn outcome_response(outcome: PrimaryOutcome) -> Response {
    match outcome {
        PrimaryOutcome::Saved {
            changed,
            overrides,
            versions,
        } => Json(json!({
            "saved": changed,
            "overrides": overrides,
            "versions": versions.iter().map(|(s, v)| (s.0.to_string(), *v)).collect::<BTreeMap<_, _>>(),
        }))
        .into_response(),
        PrimaryOutcome::Forbidden(denied) => ApiError(AppError::Forbidden(denied)).into_response(),
        PrimaryOutcome::Refused(refusal) => refusal_response(&refusal),
        PrimaryOutcome::Stale(lines) => {
            let names: Vec<String> = lines
                .iter()
                .map(|l| match &l.current {
                    Some(stamp) => format!(
                        "{} (vừa được {} sửa lúc {})",
                        l.full_name,
                        stamp.updated_by,
                        vietnam_time(stamp.updated_at)
                    ),
                    None => format!("{} (chưa có dữ liệu để sửa theo phiên bản đã gửi)", l.full_name),
                })
                .collect();
            let mut body = error_body(
                "stale",
                &format!(
                    "Đánh giá của {} học sinh đã thay đổi kể từ khi bạn mở trang: {}.",
                    lines.len(),
                    names.join("; ")
                ),
                "Chưa có gì được lưu. Hãy tải lại trang để thấy giá trị hiện tại rồi nhập lại.",
            );
            body["error"]["lines"] = json!(lines);
            (StatusCode::CONFLICT, Json(body)).into_response()
        }
        PrimaryOutcome::NotPrimary(message) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(error_body(
                "not_primary",
                &message,
                "Hãy chọn một lớp tiểu học (khối 1–5).",
            )),
        )
            .into_response(),
    }
}

/// The HTTP status of a refusal of the entry rules.
pub(crate) fn refusal_status(refusal: &EntryRefusal) -> StatusCode {
    match refusal.kind() {
        RefusalKind::Forbidden => StatusCode::FORBIDDEN,
        RefusalKind::Locked => StatusCode::LOCKED,
        RefusalKind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

fn refusal_response(refusal: &EntryRefusal) -> Response {
    let status = refusal_status(refusal);
    (
        status,
        Json(error_body(
            refusal.code(),
            &refusal.reason(),
            &refusal.remedy(),
        )),
    )
        .into_response()
}

/// The line of a student at a milestone as JSON codes.
fn values_json(
    book: &PrimaryBook,
    student: &primary::StudentMilestones,
    milestone: Milestone,
) -> Value {
    let empty = primary::MilestoneValues::default();
    let values = student.values.get(&milestone).unwrap_or(&empty);
    let fields = primary::rating_fields();
    let stamp = book.stamp(student.id, milestone);
    json!({
        "student_id": student.id,
        "full_name": student.full_name,
        "version": stamp.map(|s| s.version),
        "updated_by": stamp.map(|s| s.updated_by.clone()),
        "updated_at": stamp.map(|s| s.updated_at),
        "levels": values.levels.iter().map(|(id, l)| (id.0.to_string(), level_code(l))).collect::<BTreeMap<_, _>>(),
        "tests": values.tests.iter().map(|(id, t)| (id.0.to_string(), test_code(t))).collect::<BTreeMap<_, _>>(),
        "ratings": fields.iter().zip(values.ratings).filter_map(|(f, r)| r.map(|r| (f.key, rating_code(r)))).collect::<BTreeMap<_, _>>(),
        "comment": values.comment,
        "outstanding": values.outstanding,
    })
}

fn book_header(book: &PrimaryBook, milestone: Milestone) -> Value {
    let semester = primary::milestone_semester(milestone);
    let closure = book.closure(semester);
    json!({
        "class_id": book.class_id,
        "class_name": book.class_name,
        "grade": book.grade,
        "school_year": book.school_year.label(),
        "milestone": milestone.key(),
        "milestone_name": primary::milestone_title(milestone),
        "semester": semester,
        "not_primary": book.not_primary,
        "window": book.window(semester),
        "window_text": window_text(book.window(semester)),
        "closed": closure.map(|c| json!({"by": c.closed_by, "at": c.closed_at})),
        "homeroom": book.homeroom.as_ref().map(|(id, name)| json!({"staff_id": id, "name": name})),
    })
}

/// A class's book at a milestone with the summary (every student's reasons).
async fn class_book(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, class, milestone_key)): Path<(SchoolId, ClassId, String)>,
) -> ApiResult {
    let target = authorise(
        &state,
        &user,
        Action::ViewGradebook,
        school,
        Some(class),
        None,
    )
    .await?;
    let milestone = milestone(&milestone_key)?;
    let book = state.store.primary_book(school, class).await?;
    let lines = summary_lines(&book, milestone);
    let mut value = book_header(&book, milestone);
    value["subjects"] = json!(
        book.subjects
            .iter()
            .map(|s| json!({"id": s.id, "name": s.name, "has_test": s.has_test(book.grade, milestone)}))
            .collect::<Vec<_>>()
    );
    value["ratings"] = json!(
        primary::rating_fields()
            .iter()
            .map(|f| json!({"key": f.key, "label": f.label, "quality": f.quality}))
            .collect::<Vec<_>>()
    );
    value["students"] = json!(
        book.students
            .iter()
            .map(|s| values_json(&book, s, milestone))
            .collect::<Vec<_>>()
    );
    value["counts"] = json!(primary::counts(&lines));
    value["summary"] = json!(lines);
    value["may"] = json!({"enter": may_enter(&user, &target)});
    Ok(Json(value).into_response())
}

fn may_enter(user: &CurrentUser, target: &Target) -> bool {
    user.may(Action::EnterConduct, target)
}

/// One subject's column at a milestone (for its teacher).
async fn subject_column(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, class, milestone_key, subject)): Path<(SchoolId, ClassId, String, SubjectId)>,
) -> ApiResult {
    let semester = primary::parse_milestone(&milestone_key)
        .map(primary::milestone_semester)
        .map_err(AppError::BadRequest)?;
    authorise(
        &state,
        &user,
        Action::ViewGradebook,
        school,
        Some(class),
        Some((subject, semester)),
    )
    .await?;
    let milestone = milestone(&milestone_key)?;
    let book = state.store.primary_book(school, class).await?;
    let mut value = book_header(&book, milestone);
    let info = book.subjects.iter().find(|s| s.id == subject);
    value["subject"] = json!(info.map(
        |s| json!({"id": s.id, "name": s.name, "has_test": s.has_test(book.grade, milestone)})
    ));
    value["students"] = json!(
        book.students
            .iter()
            .map(|s| {
                let at = s.values.get(&milestone);
                json!({
                    "student_id": s.id,
                    "full_name": s.full_name,
                    "version": book.stamp(s.id, milestone).map(|st| st.version),
                    "level": at.and_then(|v| v.levels.get(&subject)).map(level_code),
                    "test": at.and_then(|v| v.tests.get(&subject)).map(test_code),
                })
            })
            .collect::<Vec<_>>()
    );
    Ok(Json(value).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LineBody {
    student_id: Option<StudentId>,
    version: Option<i64>,
    levels: BTreeMap<String, String>,
    tests: BTreeMap<String, String>,
    ratings: BTreeMap<String, String>,
    comment: Option<String>,
    outstanding: Option<bool>,
    /// The subject route: this subject's level and test.
    level: Option<String>,
    test: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SaveBody {
    students: Vec<LineBody>,
    #[serde(rename = "override")]
    override_requested: bool,
}

fn parse_body(value: Value) -> Result<SaveBody, AppError> {
    serde_json::from_value(value).map_err(|e| {
        AppError::BadRequest(format!(
            "Nội dung gửi lên chưa đúng dạng mà API cần (xem /api/v1/openapi.json): {e}"
        ))
    })
}

/// The body's lines as the domain's inputs; a subject id that is not a
/// number is an error naming the field.
fn inputs(body: &SaveBody, subject: Option<SubjectId>) -> Result<Vec<LineInput>, AppError> {
    let mut errors = FieldErrors::default();
    let mut inputs = Vec::new();
    for (row, line) in body.students.iter().enumerate() {
        let Some(student) = line.student_id else {
            errors.push(
                &format!("students[{row}].student_id"),
                "Học sinh",
                "Thiếu mã học sinh (student_id).",
            );
            continue;
        };
        let mut input = LineInput::new(student);
        input.expected_version = line.version;
        for (kind, map, target) in [
            ("levels", &line.levels, &mut input.levels),
            ("tests", &line.tests, &mut input.tests),
        ] {
            for (key, text) in map {
                match key.parse::<i64>() {
                    Ok(id) => {
                        target.insert(SubjectId(id), text.clone());
                    }
                    Err(_) => errors.push(
                        &format!("students[{row}].{kind}.{key}"),
                        "Môn học",
                        format!(
                            "“{key}” không phải mã môn học: dùng mã số môn (id) của danh sách môn."
                        ),
                    ),
                }
            }
        }
        if let Some(subject) = subject {
            if let Some(level) = &line.level {
                input.levels.insert(subject, level.clone());
            }
            if let Some(test) = &line.test {
                input.tests.insert(subject, test.clone());
            }
        }
        input.ratings = line.ratings.clone();
        input.comment = line.comment.clone();
        input.outstanding = line.outstanding;
        inputs.push(input);
    }
    errors.into_result(inputs).map_err(AppError::Invalid)
}

/// Checks the inputs against the class's book and saves them, all or
/// nothing. Shared by the API and the page.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn check_and_save(
    state: &AppState,
    user: &CurrentUser,
    school: SchoolId,
    class: ClassId,
    milestone: Milestone,
    scope: EntryScope,
    inputs: &[LineInput],
    override_requested: bool,
) -> Result<PrimaryOutcome, AppError> {
    let book = state.store.primary_book(school, class).await?;
    if let Some(message) = book.not_primary {
        return Ok(PrimaryOutcome::NotPrimary(message));
    }
    let students: Vec<NamedStudent> = book
        .students
        .iter()
        .map(|s| NamedStudent {
            id: s.id,
            name: s.full_name.clone(),
        })
        .collect();
    let edits = primary::check_lines(
        book.grade,
        milestone,
        &book.subjects,
        &students,
        scope,
        inputs,
    )
    .map_err(AppError::Invalid)?;
    Ok(state
        .store
        .save_primary(
            &actor(user),
            school,
            class,
            milestone,
            writer(user, school, override_requested),
            scope,
            &edits,
        )
        .await?)
}

/// The homeroom teacher's (or an administrator's) lines.
async fn save_class(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, class, milestone_key)): Path<(SchoolId, ClassId, String)>,
    ApiJson(body): ApiJson<Value>,
) -> ApiResult {
    authorise(
        &state,
        &user,
        Action::EnterConduct,
        school,
        Some(class),
        None,
    )
    .await
    .map_err(|error| primary_refusal(error, &milestone_key))?;
    let milestone = milestone(&milestone_key)?;
    let body = parse_body(body)?;
    let inputs = inputs(&body, None)?;
    let outcome = check_and_save(
        &state,
        &user,
        school,
        class,
        milestone,
        EntryScope::Class,
        &inputs,
        body.override_requested,
    )
    .await?;
    Ok(outcome_response(outcome))
}

/// The policy's refusal of a primary class's entry, said for primary: the
/// generic wording names conduct, which primary does not have.
pub(crate) fn primary_refusal(error: AppError, milestone_key: &str) -> AppError {
    match error {
        AppError::Forbidden(mut denied) if denied.reason.contains("kết quả rèn luyện") => {
            let when = primary::parse_milestone(milestone_key)
                .map(|m| m.vietnamese())
                .unwrap_or("các thời điểm");
            denied.reason = denied.reason.replace(
                "nhập kết quả rèn luyện và nhận xét của lớp này",
                &format!("nhập đánh giá {when} (mức đạt được, điểm kiểm tra, phẩm chất, năng lực, nhận xét) của lớp này"),
            );
            denied.remedy = "Ở tiểu học, giáo viên chủ nhiệm nhập đánh giá của lớp mình (Thông tư 27/2020 Điều 7); giáo viên bộ môn nhập môn mình được phân công ở trang của môn; quản trị viên của trường có thể nhập thay.".into();
            AppError::Forbidden(denied)
        }
        other => other,
    }
}

/// One subject's levels and tests, by the teacher assigned to it in the
/// milestone's semester (or an administrator).
async fn save_subject(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, class, milestone_key, subject)): Path<(SchoolId, ClassId, String, SubjectId)>,
    ApiJson(body): ApiJson<Value>,
) -> ApiResult {
    let semester = primary::parse_milestone(&milestone_key)
        .map(primary::milestone_semester)
        .map_err(AppError::BadRequest)?;
    authorise(
        &state,
        &user,
        Action::EnterScores,
        school,
        Some(class),
        Some((subject, semester)),
    )
    .await?;
    let milestone = milestone(&milestone_key)?;
    let body = parse_body(body)?;
    let inputs = inputs(&body, Some(subject))?;
    let outcome = check_and_save(
        &state,
        &user,
        school,
        class,
        milestone,
        EntryScope::Subject(subject),
        &inputs,
        body.override_requested,
    )
    .await?;
    Ok(outcome_response(outcome))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CloseBody {
    confirm: bool,
}

/// "Xác nhận hoàn thành đánh giá, khóa sổ" at cuối học kỳ I or cuối năm
/// học: refused (422, naming who is incomplete) unless every line is
/// complete; an administrator reopens with `…/summary/{semester}/reopen`.
async fn close(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, class, milestone_key)): Path<(SchoolId, ClassId, String)>,
    ApiJson(body): ApiJson<Value>,
) -> ApiResult {
    authorise(
        &state,
        &user,
        Action::EnterConduct,
        school,
        Some(class),
        None,
    )
    .await
    .map_err(|error| primary_refusal(error, &milestone_key))?;
    let milestone = milestone(&milestone_key)?;
    let body: CloseBody = serde_json::from_value(body).map_err(|e| {
        AppError::BadRequest(format!(
            "Nội dung gửi lên chưa đúng dạng mà API cần (xem /api/v1/openapi.json): {e}"
        ))
    })?;
    if !body.confirm {
        return Err(AppError::Refused(
            "Hãy gửi kèm \"confirm\": true: khóa sổ làm cho đánh giá của học kỳ này không sửa được nữa cho đến khi quản trị viên mở lại.".into(),
        )
        .into());
    }
    match state
        .store
        .close_primary(&actor(&user), school, class, milestone)
        .await?
    {
        CloseOutcome::Closed(closure) => Ok(Json(json!({"closed": closure})).into_response()),
        CloseOutcome::Refused(why) => Err(AppError::Refused(why).into()),
    }
}

/// What both forms of the primary class summary sheet print: the sheet
/// computed by `hocba_domain::primary_sheet` from the book and the
/// milestone's summary, and the names around it.
struct PrimarySheetData {
    sheet: primary_sheet::PrimarySheet,
    school_name: String,
    class_name: String,
    school_year: String,
    homeroom: Option<String>,
    status: String,
}

async fn primary_sheet_data(
    state: &AppState,
    user: &CurrentUser,
    school: SchoolId,
    class: ClassId,
    milestone_key: &str,
) -> Result<PrimarySheetData, AppError> {
    authorise(
        state,
        user,
        Action::ViewGradebook,
        school,
        Some(class),
        None,
    )
    .await?;
    let milestone = milestone(milestone_key)?;
    let book = state.store.primary_book(school, class).await?;
    let lines = summary_lines(&book, milestone);
    let mut sheet = primary_sheet::class_sheet(
        book.grade,
        milestone,
        &book.subjects,
        &book.students,
        &lines,
    );
    let semester = primary::milestone_semester(milestone);
    let status = match (&book.not_primary, book.closure(semester)) {
        // Not a primary class: the file says why, like the book's page,
        // and has no students to count.
        (Some(reason), _) => {
            sheet.rows.clear();
            sheet.tallies.clear();
            sheet.counts.clear();
            reason.clone()
        }
        (None, Some(closure)) => format!(
            "Đã xác nhận hoàn thành đánh giá, khóa sổ {}: {} lúc {}.",
            semester.label(),
            closure.closed_by,
            vietnam_time(closure.closed_at)
        ),
        (None, None) => format!(
            "Chưa khóa sổ {}: đánh giá còn có thể thay đổi.",
            semester.label()
        ),
    };
    let school_row = state.store.school(school).await?;
    Ok(PrimarySheetData {
        sheet,
        school_name: school_row.name,
        class_name: book.class_name.clone(),
        school_year: book.school_year.label(),
        homeroom: book.homeroom.as_ref().map(|(_, name)| name.clone()),
        status,
    })
}

fn sheet_file_name(class: ClassId, data: &PrimarySheetData, extension: &str) -> String {
    format!(
        "tong-hop-{class}-{}.{extension}",
        data.sheet.milestone.key()
    )
}

/// "Bảng tổng hợp kết quả đánh giá giáo dục của lớp" at a milestone (.xlsx).
async fn sheet_xlsx(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, class, milestone_key)): Path<(SchoolId, ClassId, String)>,
) -> ApiResult {
    let data = primary_sheet_data(&state, &user, school, class, &milestone_key).await?;
    let header = hocba_spreadsheet::PrimarySheetHeader {
        school_name: &data.school_name,
        class_name: &data.class_name,
        school_year: &data.school_year,
        homeroom: data.homeroom.as_deref(),
        status: &data.status,
    };
    let bytes = hocba_spreadsheet::write_primary_sheet(&header, &data.sheet)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(xlsx_response(bytes, &sheet_file_name(class, &data, "xlsx")))
}

/// The same sheet as PDF (A4 landscape), printed by `hocba_report`.
async fn sheet_pdf(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, class, milestone_key)): Path<(SchoolId, ClassId, String)>,
) -> ApiResult {
    let data = primary_sheet_data(&state, &user, school, class, &milestone_key).await?;
    let sheet_header = hocba_report::PrimarySheetHeader {
        school_name: &data.school_name,
        class_name: &data.class_name,
        school_year: &data.school_year,
        homeroom: data.homeroom.as_deref(),
        status: &data.status,
    };
    let bytes = hocba_report::write_primary_pdf(&sheet_header, &data.sheet)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"{}\"",
                    sheet_file_name(class, &data, "pdf")
                ),
            ),
        ],
        bytes,
    )
        .into_response())
}
