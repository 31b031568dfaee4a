//! The term summary API under `/api/v1/schools/{school}`: the summary
//! (tổng kết) of a class or of the whole school, computed by the assessment
//! library with the reasons of every student; closing the book
//! (close_term) and reopening it; what comes after the year (summer
//! retest, summer training, absences, the averages a transferred-in student
//! brings); the promotion list; the class summary sheet (.xlsx and PDF) and the
//! distribution chart (SVG, drawn here); grade-entry progress; and the
//! Excel round trip of one gradebook (download pre-filled, upload all or
//! nothing, channel `excel`).
//!
//! Handlers authorise first, read the body after, and hold no SQL and no
//! rule: `hocba_storage` reads and writes, `hocba_domain::summary` decides.

use crate::AppState;
use crate::api::{actor, xlsx_response, year_or_current};
use crate::error::{ApiError, ApiJson, AppError, body};
use crate::session::CurrentUser;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use hocba_domain::access::{self, Action, Denied, Target};
use hocba_domain::curriculum::SubjectMode;
use hocba_domain::date::vietnam_time;
use hocba_domain::gradebook::{
    self, CellValue, Channel, EntryRefusal, RefusalKind, Semester, parse_training_result,
};
use hocba_domain::role::Role;
use hocba_domain::summary::{self, BANDS, SubjectDistribution, SummaryCounts};
use hocba_domain::{ClassId, SchoolId, SchoolYearId, StudentId, SubjectId};
use hocba_spreadsheet::{Column as SheetColumn, Limits, SummarySheetHeader, id_column};
use hocba_storage::{
    CellEdit, CellProblem, CellsOutcome, ClassSummary, CloseOutcome, Gradebook, RejectedCell,
    StoreError, Writer, YearRecordEdit,
};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

type ApiResult<T = Response> = Result<T, ApiError>;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/schools/{school}/promotion-list",
            get(promotion_list),
        )
        .route(
            "/api/v1/schools/{school}/progress/{semester}",
            get(progress),
        )
        .route(
            "/api/v1/schools/{school}/classes/{class}/summary/{semester}",
            get(class_summary).post(compute_class_summary),
        )
        .route(
            "/api/v1/schools/{school}/classes/{class}/summary/{semester}/sheet.xlsx",
            get(summary_sheet),
        )
        .route(
            "/api/v1/schools/{school}/classes/{class}/summary/{semester}/sheet.pdf",
            get(summary_sheet_pdf),
        )
        .route(
            "/api/v1/schools/{school}/classes/{class}/summary/{semester}/chart.svg",
            get(summary_chart),
        )
        .route(
            "/api/v1/schools/{school}/classes/{class}/summary/{semester}/close",
            post(close_term),
        )
        .route(
            "/api/v1/schools/{school}/classes/{class}/summary/{semester}/reopen",
            post(reopen_term),
        )
        .route(
            "/api/v1/schools/{school}/classes/{class}/students/{student}/year-record",
            put(save_year_record),
        )
        .route(
            "/api/v1/schools/{school}/classes/{class}/students/{student}/retests",
            put(save_retests),
        )
        .route(
            "/api/v1/schools/{school}/classes/{class}/students/{student}/transferred-averages",
            put(save_transferred_averages),
        )
        .route(
            "/api/v1/schools/{school}/gradebook/{class}/{subject}/{semester}/sheet.xlsx",
            get(grade_sheet),
        )
        .route(
            "/api/v1/schools/{school}/gradebook/{class}/{subject}/{semester}/import",
            post(import_grade_sheet),
        )
        // Last: the route table's test reads the rest of the file as the
        // arguments of the last route (only reads follow).
        .route(
            "/api/v1/schools/{school}/summaries/{semester}",
            get(school_summary).post(compute_school_summary),
        )
}

pub(crate) fn semester(number: u8) -> Result<Semester, AppError> {
    Semester::from_number(number)
        .ok_or_else(|| AppError::BadRequest(gradebook::invalid_semester(&number.to_string())))
}

/// Asks the policy with the class (and, for one gradebook, the subject and
/// the semester); a teacher refused a gradebook is told which one.
pub(crate) async fn authorise(
    state: &AppState,
    user: &CurrentUser,
    action: Action,
    school: SchoolId,
    class: Option<ClassId>,
    book: Option<(SubjectId, Semester)>,
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
    target.class = class;
    target.subject = book.map(|(subject, _)| subject);
    target.semester = book.map(|(_, semester)| semester);
    let Err(denied) = access::authorise(&user.principal, action, &target) else {
        return Ok(target);
    };
    let teacher = user
        .principal
        .roles_in_school(school)
        .any(|role| matches!(role, Role::HomeroomTeacher | Role::SubjectTeacher));
    if teacher
        && let (Some(class), Some((subject, semester))) = (class, book)
        && let Ok(info) = state.store.gradebook_subject(school, class, subject).await
    {
        let place = info.place(semester);
        let named = match action {
            Action::EnterScores => Some(Denied::from(&EntryRefusal::NotAssigned { place })),
            Action::ViewGradebook => Some(gradebook::not_allowed_to_view(&place)),
            _ => None,
        };
        if let Some(named) = named {
            return Err(AppError::Forbidden(named));
        }
    }
    Err(AppError::Forbidden(denied))
}

fn is_admin(user: &CurrentUser, school: SchoolId) -> bool {
    user.principal
        .roles_in_school(school)
        .any(|role| role == Role::Admin)
}

fn refused(code: &str, reason: &str, remedy: &str, status: StatusCode) -> Response {
    (
        status,
        Json(json!({"error": {"code": code, "message": format!("{reason} {remedy}"), "reason": reason, "remedy": remedy}})),
    )
        .into_response()
}

#[derive(Deserialize, Default)]
struct YearQuery {
    year: Option<SchoolYearId>,
}

/// What the user may do with a class's summary.
pub(crate) fn permissions(user: &CurrentUser, target: &Target) -> Value {
    json!({
        "compute": user.may(Action::EnterConduct, target),
        "close": user.may(Action::EnterConduct, target),
        "reopen": user.may(Action::ManageGradebook, target),
        "after_year": user.may(Action::ManageGradebook, target),
    })
}

fn summary_json(summary: &ClassSummary, user: &CurrentUser, target: &Target) -> Value {
    let mut value = json!(summary);
    value["may"] = permissions(user, target);
    value["closed"] = json!(summary.header.closure.as_ref().is_some_and(|c| c.closed));
    value["distribution"] = json!(summary::distribution(
        &summary.lines,
        summary.header.semester
    ));
    value
}

/// The summary of every class of a school year: computed or not, closed or
/// not, with the counts of the school.
async fn school_summary(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, number)): Path<(SchoolId, u8)>,
    Query(query): Query<YearQuery>,
) -> ApiResult {
    authorise(&state, &user, Action::ViewGradebook, school, None, None).await?;
    let semester = semester(number)?;
    let year = year_or_current(&state, school, query.year).await?;
    let classes = state.store.school_summary(school, year, semester).await?;
    let mut totals = SummaryCounts::default();
    for class in &classes {
        totals.merge(&class.counts);
    }
    let closed = classes
        .iter()
        .filter(|c| c.closure.as_ref().is_some_and(|c| c.closed))
        .count();
    Ok(Json(json!({
        "year": year, "semester": semester, "classes": classes, "totals": totals,
        "closed_classes": closed,
    }))
    .into_response())
}

/// Computes and stores the summary of every class of the school year, in
/// one transaction (all of it or none of it).
async fn compute_school_summary(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, number)): Path<(SchoolId, u8)>,
    Query(query): Query<YearQuery>,
) -> ApiResult {
    authorise(&state, &user, Action::ManageGradebook, school, None, None).await?;
    let semester = semester(number)?;
    let year = year_or_current(&state, school, query.year).await?;
    let run = state
        .store
        .compute_summary(&actor(&user), school, year, None, semester)
        .await?;
    Ok(Json(json!(run)).into_response())
}

async fn promotion_list(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(school): Path<SchoolId>,
    Query(query): Query<YearQuery>,
) -> ApiResult {
    authorise(&state, &user, Action::ViewGradebook, school, None, None).await?;
    let year = year_or_current(&state, school, query.year).await?;
    let list = state.store.promotion_list(school, year).await?;
    let mut by_decision: BTreeMap<String, usize> = BTreeMap::new();
    for row in &list {
        let key = row
            .promotion_label
            .clone()
            .unwrap_or_else(|| "Chưa đủ kết quả".into());
        *by_decision.entry(key).or_default() += 1;
    }
    Ok(Json(json!({"year": year, "counts": by_decision, "students": list})).into_response())
}

async fn progress(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, number)): Path<(SchoolId, u8)>,
    Query(query): Query<YearQuery>,
) -> ApiResult {
    authorise(&state, &user, Action::ViewGradebook, school, None, None).await?;
    let semester = semester(number)?;
    let year = year_or_current(&state, school, query.year).await?;
    let progress = state.store.progress(school, year, semester).await?;
    Ok(Json(json!(progress)).into_response())
}

async fn class_summary(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, class, number)): Path<(SchoolId, ClassId, u8)>,
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
    let semester = semester(number)?;
    let summary = state.store.class_summary(school, class, semester).await?;
    Ok(Json(summary_json(&summary, &user, &target)).into_response())
}

/// The class's year of a class id, for the stores that take a year.
async fn class_year(
    state: &AppState,
    school: SchoolId,
    class: ClassId,
) -> Result<SchoolYearId, AppError> {
    Ok(state.store.class(school, class).await?.school_year_id)
}

async fn compute_class_summary(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, class, number)): Path<(SchoolId, ClassId, u8)>,
) -> ApiResult {
    let target = authorise(
        &state,
        &user,
        Action::EnterConduct,
        school,
        Some(class),
        None,
    )
    .await?;
    let semester = semester(number)?;
    let year = class_year(&state, school, class).await?;
    state
        .store
        .compute_summary(&actor(&user), school, year, Some(class), semester)
        .await?;
    let summary = state.store.class_summary(school, class, semester).await?;
    Ok(Json(summary_json(&summary, &user, &target)).into_response())
}

/// The status line of a sheet or a page: closed, stored, or computed now.
pub(crate) fn status_text(summary: &ClassSummary) -> String {
    let header = &summary.header;
    let mut parts = Vec::new();
    match &header.closure {
        Some(closure) if closure.closed => parts.push(format!(
            "Đã xác nhận hoàn thành tổng kết, khóa sổ: {} lúc {}.",
            closure.closed_by,
            vietnam_time(closure.closed_at)
        )),
        Some(closure) => {
            if let (Some(at), Some(by)) = (closure.reopened_at, &closure.reopened_by) {
                parts.push(format!(
                    "Sổ đã được mở lại: {by} lúc {} (lý do: {}).",
                    vietnam_time(at),
                    closure.reopen_reason.as_deref().unwrap_or_default()
                ));
            }
        }
        None => {}
    }
    match (header.computed_at, &header.computed_by) {
        (Some(at), Some(by)) => parts.push(format!("Tổng kết lúc {} ({by}).", vietnam_time(at))),
        _ => parts.push("Chưa lưu: kết quả tính ngay từ sổ điểm hiện tại.".into()),
    }
    parts.join(" ")
}

/// "Bảng tổng hợp kết quả đánh giá" of a class (.xlsx).
async fn summary_sheet(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, class, number)): Path<(SchoolId, ClassId, u8)>,
) -> ApiResult {
    authorise(
        &state,
        &user,
        Action::ViewGradebook,
        school,
        Some(class),
        None,
    )
    .await?;
    let semester = semester(number)?;
    let bytes = summary_workbook(&state, school, class, semester).await?;
    let summary_name = format!("tong-hop-{class}-hk{}.xlsx", semester.number());
    Ok(xlsx_response(bytes, &summary_name))
}

/// What both forms of the class summary sheet print: the computed summary
/// and the names around it.
struct SheetData {
    summary: ClassSummary,
    school_name: String,
    subjects: Vec<String>,
    status: String,
}

async fn sheet_data(
    state: &AppState,
    school: SchoolId,
    class: ClassId,
    semester: Semester,
) -> Result<SheetData, AppError> {
    let summary = state.store.class_summary(school, class, semester).await?;
    let school_row = state.store.school(school).await?;
    Ok(SheetData {
        subjects: summary.subjects.iter().map(|s| s.name.clone()).collect(),
        status: status_text(&summary),
        school_name: school_row.name,
        summary,
    })
}

pub(crate) async fn summary_workbook(
    state: &AppState,
    school: SchoolId,
    class: ClassId,
    semester: Semester,
) -> Result<Vec<u8>, AppError> {
    let data = sheet_data(state, school, class, semester).await?;
    let summary = &data.summary;
    let header = SummarySheetHeader {
        school_name: &data.school_name,
        class_name: &summary.header.class_name,
        school_year: &summary.school_year,
        semester,
        homeroom: summary.homeroom.as_deref(),
        subjects: &data.subjects,
        status: &data.status,
    };
    hocba_spreadsheet::write_summary_sheet(&header, &summary.lines, &summary.header.counts)
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// "Bảng tổng hợp kết quả đánh giá" of a class (PDF, A4 landscape): the same
/// summary as the .xlsx, printed by `hocba_report`.
async fn summary_sheet_pdf(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, class, number)): Path<(SchoolId, ClassId, u8)>,
) -> ApiResult {
    authorise(
        &state,
        &user,
        Action::ViewGradebook,
        school,
        Some(class),
        None,
    )
    .await?;
    let semester = semester(number)?;
    let data = sheet_data(&state, school, class, semester).await?;
    let summary = &data.summary;
    let sheet_header = hocba_report::SummarySheetHeader {
        school_name: &data.school_name,
        class_name: &summary.header.class_name,
        school_year: &summary.school_year,
        semester,
        homeroom: summary.homeroom.as_deref(),
        subjects: &data.subjects,
        status: &data.status,
    };
    let bytes =
        hocba_report::write_summary_pdf(&sheet_header, &summary.lines, &summary.header.counts)
            .map_err(|e| AppError::Internal(e.to_string()))?;
    let file_name = format!("tong-hop-{class}-hk{}.pdf", semester.number());
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// The distribution of subject averages of a class, drawn as SVG.
async fn summary_chart(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, class, number)): Path<(SchoolId, ClassId, u8)>,
) -> ApiResult {
    authorise(
        &state,
        &user,
        Action::ViewGradebook,
        school,
        Some(class),
        None,
    )
    .await?;
    let semester = semester(number)?;
    let summary = state.store.class_summary(school, class, semester).await?;
    let svg = distribution_svg(
        &format!(
            "Phân bố điểm trung bình môn {} lớp {}",
            if semester == Semester::S2 {
                "cả năm"
            } else {
                "học kỳ I"
            },
            summary.header.class_name
        ),
        &summary::distribution(&summary.lines, semester),
    );
    Ok((
        [
            (header::CONTENT_TYPE, "image/svg+xml; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        svg,
    )
        .into_response())
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Colours of the bands of [`BANDS`] (red to green), then Đ, CĐ, M, none.
const BAND_COLOURS: [&str; 6] = [
    "#a61c1c", "#e06666", "#f6b26b", "#ffd966", "#93c47d", "#38761d",
];
const PASS_COLOUR: &str = "#38761d";
const NOT_PASS_COLOUR: &str = "#a61c1c";
const EXEMPT_COLOUR: &str = "#b7b7b7";
const MISSING_COLOUR: &str = "#e6e6e6";

/// A hand-written SVG chart: one horizontal bar per subject, split by how
/// many students fall in each band of averages (TT22 Điều 9 thresholds) or,
/// for a commented subject, how many are Đ and CĐ; exempt and missing in
/// grey. Every segment carries a `<title>` with its count.
pub(crate) fn distribution_svg(title: &str, subjects: &[SubjectDistribution]) -> String {
    const WIDTH: usize = 760;
    const LABEL: usize = 250;
    const BAR: usize = 470;
    const ROW: usize = 26;
    const TOP: usize = 64;
    let height = TOP + ROW * subjects.len().max(1) + 40;
    let mut svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{title}" font-family="system-ui, Arial, sans-serif" font-size="12">"##,
        title = escape(title)
    );
    svg.push_str(&format!(
        r##"<title>{}</title><rect width="{WIDTH}" height="{height}" fill="#ffffff"/><text x="8" y="20" font-size="15" font-weight="bold">{}</text>"##,
        escape(title),
        escape(title)
    ));
    // Legend.
    let mut x = 8;
    let legend: Vec<(&str, String)> = BAND_COLOURS
        .iter()
        .zip(BANDS)
        .map(|(c, b)| (*c, b.to_owned()))
        .chain([
            (PASS_COLOUR, "Đ".to_owned()),
            (NOT_PASS_COLOUR, "CĐ".to_owned()),
            (EXEMPT_COLOUR, "M (miễn)".to_owned()),
            (MISSING_COLOUR, "chưa có".to_owned()),
        ])
        .collect();
    for (colour, label) in &legend {
        svg.push_str(&format!(
            r##"<rect x="{x}" y="34" width="12" height="12" fill="{colour}" stroke="#888888" stroke-width="0.5"/><text x="{}" y="44">{}</text>"##,
            x + 16,
            escape(label)
        ));
        x += 22 + label.chars().count() * 7;
    }
    if subjects.is_empty() {
        svg.push_str(&format!(
            r##"<text x="8" y="{}">Lớp chưa có học sinh hoặc chưa có môn học.</text>"##,
            TOP + 18
        ));
    }
    for (row, subject) in subjects.iter().enumerate() {
        let y = TOP + row * ROW;
        svg.push_str(&format!(
            r##"<text x="8" y="{}">{}</text>"##,
            y + 16,
            escape(&subject.name)
        ));
        let mut segments: Vec<(&str, String, usize)> = match subject.mode {
            SubjectMode::Scored => BAND_COLOURS
                .iter()
                .zip(BANDS)
                .zip(&subject.counts)
                .map(|((c, b), n)| (*c, b.to_owned(), *n))
                .collect(),
            SubjectMode::Commented => vec![
                (PASS_COLOUR, "Đ".to_owned(), subject.counts[0]),
                (NOT_PASS_COLOUR, "CĐ".to_owned(), subject.counts[1]),
            ],
        };
        segments.push((EXEMPT_COLOUR, "M (miễn)".into(), subject.exempt));
        segments.push((MISSING_COLOUR, "chưa có".into(), subject.missing));
        let total: usize = segments.iter().map(|s| s.2).sum();
        let mut left = LABEL;
        for (colour, label, count) in segments.iter().filter(|s| s.2 > 0) {
            let width = (BAR * count).checked_div(total).unwrap_or(0).max(1);
            svg.push_str(&format!(
                r##"<g><title>{}: {} {count} học sinh</title><rect x="{left}" y="{}" width="{width}" height="{}" fill="{colour}"/>"##,
                escape(&subject.name),
                escape(label),
                y + 3,
                ROW - 6
            ));
            if width >= 18 {
                let ink = if *colour == MISSING_COLOUR || *colour == "#ffd966" {
                    "#1d2733"
                } else {
                    "#ffffff"
                };
                svg.push_str(&format!(
                    r##"<text x="{}" y="{}" text-anchor="middle" fill="{ink}">{count}</text>"##,
                    left + width / 2,
                    y + 17
                ));
            }
            svg.push_str("</g>");
            left += width;
        }
        svg.push_str(&format!(
            r##"<text x="{}" y="{}" fill="#5f6b78">{total}</text>"##,
            LABEL + BAR + 8,
            y + 16
        ));
    }
    svg.push_str(&format!(
        r##"<text x="8" y="{}" fill="#5f6b78">Mỗi thanh một môn: số học sinh theo mức điểm trung bình (ngưỡng của TT22/2021 Điều 9).</text></svg>"##,
        height - 14
    ));
    svg
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CloseBody {
    /// Must be true: "xác nhận hoàn thành tổng kết, khóa sổ".
    confirm: bool,
}

async fn close_term(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, class, number)): Path<(SchoolId, ClassId, u8)>,
    ApiJson(raw): ApiJson<Value>,
) -> ApiResult {
    let target = authorise(
        &state,
        &user,
        Action::EnterConduct,
        school,
        Some(class),
        None,
    )
    .await?;
    let semester = semester(number)?;
    let request: CloseBody = body(raw)?;
    if !request.confirm {
        return Err(AppError::BadRequest(
            "Gửi {\"confirm\": true} để xác nhận hoàn thành tổng kết và khóa sổ.".into(),
        )
        .into());
    }
    match state
        .store
        .close_term(&actor(&user), school, class, semester)
        .await?
    {
        CloseOutcome::Closed(_) => {
            let summary = state.store.class_summary(school, class, semester).await?;
            Ok(Json(summary_json(&summary, &user, &target)).into_response())
        }
        CloseOutcome::Refused(why) => Ok(refused(
            "summary_incomplete",
            &why,
            "Sổ chưa khóa; chưa có gì thay đổi.",
            StatusCode::UNPROCESSABLE_ENTITY,
        )),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReopenBody {
    reason: String,
}

async fn reopen_term(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, class, number)): Path<(SchoolId, ClassId, u8)>,
    ApiJson(raw): ApiJson<Value>,
) -> ApiResult {
    let target = authorise(
        &state,
        &user,
        Action::ManageGradebook,
        school,
        Some(class),
        None,
    )
    .await?;
    let semester = semester(number)?;
    let request: ReopenBody = body(raw)?;
    state
        .store
        .reopen_term(&actor(&user), school, class, semester, &request.reason)
        .await?;
    let summary = state.store.class_summary(school, class, semester).await?;
    Ok(Json(summary_json(&summary, &user, &target)).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct YearRecordBody {
    /// Sessions absent in the year; null clears.
    absences: Option<i64>,
    /// Kết quả rèn luyện after summer training: Tốt, Khá, Đạt, Chưa đạt.
    #[serde(default)]
    summer_training: Option<String>,
}

async fn save_year_record(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, class, student)): Path<(SchoolId, ClassId, StudentId)>,
    ApiJson(raw): ApiJson<Value>,
) -> ApiResult {
    authorise(
        &state,
        &user,
        Action::EnterConduct,
        school,
        Some(class),
        None,
    )
    .await?;
    let request: YearRecordBody = body(raw)?;
    let absences = request
        .absences
        .map(summary::check_absences)
        .transpose()
        .map_err(AppError::Refused)?;
    let summer_training = match request.summer_training.as_deref() {
        Some(text) => parse_training_result(text).map_err(|e| AppError::Refused(e.0))?,
        None => None,
    };
    state
        .store
        .save_year_record(
            &actor(&user),
            school,
            class,
            student,
            &YearRecordEdit {
                absences,
                summer_training,
            },
        )
        .await?;
    Ok(Json(json!({"ok": true, "absences": absences, "summer_training": summer_training.map(gradebook::training_label)})).into_response())
}

fn subject_values(values: &BTreeMap<String, String>) -> Result<Vec<(SubjectId, String)>, AppError> {
    values
        .iter()
        .map(|(key, value)| {
            key.parse::<i64>()
                .map(|id| (SubjectId(id), value.clone()))
                .map_err(|_| {
                    AppError::BadRequest(format!(
                        "“{key}” không phải mã môn học: dùng mã môn (subject id) làm khóa."
                    ))
                })
        })
        .collect()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RetestBody {
    /// Subject id → retest result ("6,5", "Đ"); an empty text clears it.
    scores: BTreeMap<String, String>,
}

async fn save_retests(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, class, student)): Path<(SchoolId, ClassId, StudentId)>,
    ApiJson(raw): ApiJson<Value>,
) -> ApiResult {
    authorise(
        &state,
        &user,
        Action::ManageGradebook,
        school,
        Some(class),
        None,
    )
    .await?;
    let request: RetestBody = body(raw)?;
    let values = subject_values(&request.scores)?;
    let saved = state
        .store
        .save_student_values(&actor(&user), school, class, student, None, None, &values)
        .await?;
    Ok(Json(json!({"ok": true, "saved": saved})).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TransferredBody {
    /// 1 (the usual case: the first semester done at the previous school) or 2.
    semester: u8,
    from_school: Option<String>,
    /// Subject id → the semester average ("7,5", "Đ", "M"); empty clears.
    averages: BTreeMap<String, String>,
}

async fn save_transferred_averages(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, class, student)): Path<(SchoolId, ClassId, StudentId)>,
    ApiJson(raw): ApiJson<Value>,
) -> ApiResult {
    authorise(
        &state,
        &user,
        Action::ManageGradebook,
        school,
        Some(class),
        None,
    )
    .await?;
    let request: TransferredBody = body(raw)?;
    let semester = semester(request.semester)?;
    let values = subject_values(&request.averages)?;
    let saved = state
        .store
        .save_student_values(
            &actor(&user),
            school,
            class,
            student,
            Some(semester),
            request.from_school.as_deref(),
            &values,
        )
        .await?;
    Ok(Json(json!({"ok": true, "saved": saved})).into_response())
}

/// The columns of a gradebook sheet: system id, name, birth date, then the
/// declared columns (the default plan when none is declared yet).
pub(crate) fn grade_sheet_columns(columns: &[gradebook::Column]) -> Vec<SheetColumn> {
    let mut sheet = vec![
        id_column(),
        SheetColumn::extra("full_name", "Họ và tên", false),
        SheetColumn::extra("birth_date", "Ngày sinh", false),
    ];
    sheet.extend(
        columns
            .iter()
            .map(|c| SheetColumn::extra(c.key(), c.label(), false)),
    );
    sheet
}

/// The declared columns of a gradebook (the default plan when none is
/// declared yet).
pub(crate) fn book_columns(book: &Gradebook) -> Vec<gradebook::Column> {
    match book.plan {
        Some(plan) => plan.columns(),
        None => book.subject.default_plan.columns(),
    }
}

/// The rows of a gradebook sheet: id, name, birth date, then the current
/// value of each column (with the Vietnamese decimal comma).
pub(crate) fn grade_sheet_rows(
    book: &Gradebook,
    columns: &[gradebook::Column],
) -> Vec<Vec<String>> {
    book.students
        .iter()
        .map(|student| {
            let mut row = vec![
                student.id.to_string(),
                student.full_name.clone(),
                student.birth_date.clone(),
            ];
            row.extend(columns.iter().map(|column| {
                student
                    .cells
                    .iter()
                    .find(|c| c.column == *column)
                    .and_then(|c| c.value.as_deref())
                    .map(|v| v.replace('.', ","))
                    .unwrap_or_default()
            }));
            row
        })
        .collect()
}

/// What a read sheet asks to change in a gradebook: the cells whose value
/// differs from the current one (unchanged cells are not rewritten), each
/// with where it came from, and the cells that cannot be read or belong to
/// no student of the class.
#[derive(Default)]
pub(crate) struct SheetEdits {
    pub errors: Vec<hocba_spreadsheet::CellError>,
    pub edits: Vec<CellEdit>,
    /// Per edit: (row number, column label, column key).
    pub origin: Vec<(usize, String, String)>,
}

pub(crate) fn sheet_edits(
    table: &hocba_spreadsheet::Table,
    book: &Gradebook,
    columns: &[gradebook::Column],
) -> SheetEdits {
    let mut out = SheetEdits::default();
    for row in &table.rows {
        out.errors.extend(row.cell_errors.iter().cloned());
        let id_text = row.values.get("id").map(String::as_str).unwrap_or_default();
        let student = id_text
            .trim()
            .parse::<i64>()
            .ok()
            .and_then(|id| book.students.iter().find(|s| s.id == StudentId(id)));
        let Some(student) = student else {
            out.errors.push(hocba_spreadsheet::CellError {
                row_number: row.row_number,
                column_label: hocba_spreadsheet::ID_LABEL.into(),
                column_key: "id".into(),
                message: format!(
                    "“{}” không phải mã hệ thống của một học sinh đang học lớp {}: hãy tải lại tệp mẫu và không sửa cột này.",
                    id_text, book.subject.class_name
                ),
            });
            continue;
        };
        for column in columns {
            let key = column.key();
            let Some(text) = row.values.get(&key) else {
                continue;
            };
            let current = student.cells.iter().find(|c| c.column == *column);
            let current_value = current.and_then(|c| c.value.clone());
            let typed = CellValue::parse(text).map(|v| v.map(CellValue::code));
            if matches!(&typed, Ok(value) if *value == current_value) {
                continue;
            }
            out.origin
                .push((row.row_number, column.label(), key.clone()));
            out.edits.push(CellEdit {
                student: student.id,
                column: *column,
                value: text.clone(),
                missed_make_up: false,
                expected_version: current.map(|c| c.version),
            });
        }
    }
    out
}

/// The gradebook of a class × subject × semester as .xlsx, pre-filled,
/// students in Vietnamese order.
async fn grade_sheet(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, class, subject, number)): Path<(SchoolId, ClassId, SubjectId, u8)>,
) -> ApiResult {
    let semester = semester(number)?;
    authorise(
        &state,
        &user,
        Action::ViewGradebook,
        school,
        Some(class),
        Some((subject, semester)),
    )
    .await?;
    let book = state
        .store
        .gradebook(school, class, subject, semester)
        .await?;
    let columns = book_columns(&book);
    let sheet = grade_sheet_columns(&columns);
    let rows = grade_sheet_rows(&book, &columns);
    let title = format!(
        "{} {} HK{}",
        book.subject.subject_name,
        book.subject.class_name,
        semester.number()
    );
    let bytes = hocba_spreadsheet::write_template(&title, &sheet, &rows)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(xlsx_response(
        bytes,
        &format!("so-diem-{class}-{subject}-hk{}.xlsx", semester.number()),
    ))
}

#[derive(Deserialize, Default)]
struct ImportQuery {
    /// An administrator writes outside a window or in a locked column.
    #[serde(default, rename = "override")]
    override_requested: bool,
}

/// One refused cell of an uploaded gradebook sheet.
fn sheet_error(row: usize, label: &str, key: &str, message: String) -> Value {
    json!({"row_number": row, "column_label": label, "column_key": key, "message": message})
}

/// Who writes an uploaded sheet, as the entry rules see them.
pub(crate) fn excel_writer(
    user: &CurrentUser,
    school: SchoolId,
    override_requested: bool,
) -> Writer {
    Writer {
        staff: user
            .account
            .staff_id
            .filter(|_| user.account.home_unit == school.into()),
        admin: is_admin(user, school),
        override_requested,
    }
}

/// The HTTP status of a refusal of a whole gradebook.
pub(crate) fn refusal_status(refusal: &EntryRefusal) -> u16 {
    match refusal.kind() {
        RefusalKind::Forbidden => 403,
        RefusalKind::Locked => 423,
        RefusalKind::Invalid => 422,
    }
}

/// Where a refused cell of an upload came from: (row, column label, key).
pub(crate) fn rejected_origin(
    cell: &RejectedCell,
    origin: &[(usize, String, String)],
) -> (usize, String, String) {
    origin
        .get(cell.index)
        .cloned()
        .unwrap_or((0, cell.column.label(), cell.column.key()))
}

/// Why a cell of an upload was refused; a stale one says to download again.
pub(crate) fn rejected_message(cell: &RejectedCell) -> String {
    match &cell.problem {
        CellProblem::Stale(_) => format!(
            "{} Hãy tải lại tệp mẫu để có giá trị mới nhất.",
            cell.message()
        ),
        _ => cell.message(),
    }
}

/// Uploads a gradebook sheet: every changed cell is saved with the batch
/// rules (same entry rules, versions read now, channel `excel`), all or
/// nothing; the answer lists every refused cell by row and column.
async fn import_grade_sheet(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, class, subject, number)): Path<(SchoolId, ClassId, SubjectId, u8)>,
    Query(query): Query<ImportQuery>,
    bytes: Bytes,
) -> ApiResult {
    let semester = semester(number)?;
    authorise(
        &state,
        &user,
        Action::EnterScores,
        school,
        Some(class),
        Some((subject, semester)),
    )
    .await?;
    let report = import_sheet(
        &state,
        &user,
        school,
        class,
        subject,
        semester,
        query.override_requested,
        &bytes,
    )
    .await?;
    let status = if report["applied"] == json!(true) {
        StatusCode::OK
    } else if let Some(status) = report["status"].as_u64() {
        StatusCode::from_u16(status as u16).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY)
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, Json(report)).into_response())
}

/// Reads and applies a gradebook sheet; the JSON report (also shown by the
/// UI): `applied`, `changed`, `errors` (row, column, message), and the
/// refusal of the whole book when the rules refuse it.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn import_sheet(
    state: &AppState,
    user: &CurrentUser,
    school: SchoolId,
    class: ClassId,
    subject: SubjectId,
    semester: Semester,
    override_requested: bool,
    bytes: &[u8],
) -> Result<Value, AppError> {
    let book = state
        .store
        .gradebook(school, class, subject, semester)
        .await?;
    let columns = book_columns(&book);
    let sheet = grade_sheet_columns(&columns);
    let table = match hocba_spreadsheet::read_table(bytes, &sheet, &Limits::default()) {
        Ok(table) => table,
        Err(error) => {
            return Ok(json!({
                "applied": false, "changed": 0,
                "errors": [sheet_error(0, "", "", error.to_string())],
                "message": error.to_string(),
            }));
        }
    };
    let SheetEdits {
        errors: cell_errors,
        edits,
        origin,
    } = sheet_edits(&table, &book, &columns);
    let errors: Vec<Value> = cell_errors
        .iter()
        .map(|e| {
            sheet_error(
                e.row_number,
                &e.column_label,
                &e.column_key,
                e.message.clone(),
            )
        })
        .collect();
    if !errors.is_empty() {
        return Ok(json!({
            "applied": false, "changed": 0, "errors": errors,
            "message": format!("Tệp có {} lỗi; chưa có gì được lưu. Hãy sửa các ô trong bảng lỗi rồi tải lên lại.", errors.len()),
        }));
    }
    if edits.is_empty() {
        return Ok(json!({"applied": true, "changed": 0, "errors": [],
                         "message": "Tệp không có ô nào khác sổ điểm hiện tại; không có gì cần lưu."}));
    }
    let writer = excel_writer(user, school, override_requested);
    let outcome = state
        .store
        .save_cells(
            &actor(user),
            school,
            class,
            subject,
            semester,
            writer,
            Channel::Excel,
            Some("Nhập từ tệp Excel"),
            &edits,
        )
        .await?;
    Ok(match outcome {
        CellsOutcome::Saved { cells, .. } => {
            let changed = cells.iter().filter(|c| c.changed).count();
            json!({"applied": true, "changed": changed, "errors": [],
                   "message": format!("Đã lưu {changed} ô từ tệp Excel.")})
        }
        CellsOutcome::Refused(refusal) => {
            let status = refusal_status(&refusal);
            json!({
                "applied": false, "changed": 0, "status": status, "code": refusal.code(),
                "errors": [sheet_error(0, "", "", refusal.to_string())],
                "message": refusal.to_string(),
            })
        }
        CellsOutcome::Rejected(rejected) => {
            let errors: Vec<Value> = rejected
                .iter()
                .map(|cell| {
                    let (row, label, key) = rejected_origin(cell, &origin);
                    sheet_error(row, &label, &key, rejected_message(cell))
                })
                .collect();
            json!({
                "applied": false, "changed": 0, "errors": errors,
                "message": format!("{} ô không lưu được; chưa có gì được lưu (tất cả hoặc không). Hãy sửa rồi tải lên lại.", errors.len()),
            })
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chart_draws_one_bar_per_subject_with_counts_and_escapes_names() {
        let subjects = vec![
            SubjectDistribution {
                subject_id: SubjectId(1),
                name: "Toán".into(),
                mode: SubjectMode::Scored,
                counts: vec![1, 2, 5, 10, 12, 8],
                exempt: 0,
                missing: 2,
            },
            SubjectDistribution {
                subject_id: SubjectId(2),
                name: "Giáo dục <thể chất> & sức khỏe".into(),
                mode: SubjectMode::Commented,
                counts: vec![38, 1],
                exempt: 1,
                missing: 0,
            },
        ];
        let svg = distribution_svg("Phân bố \"10A1\"", &subjects);
        if let Some(path) = std::env::var_os("HOCBA_CHART_OUT") {
            std::fs::write(path, &svg).unwrap();
        }
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("Giáo dục &lt;thể chất&gt; &amp; sức khỏe"));
        assert!(svg.contains("&quot;10A1&quot;"));
        assert!(svg.contains("<title>Toán: 6,5 – &lt; 8 10 học sinh</title>"));
        assert_eq!(svg.matches("<rect").count(), 1 + 10 + 6 + 1 + 3);
    }
}
