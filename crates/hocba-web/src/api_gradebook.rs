//! The gradebook API under `/api/v1/schools/{school}`: column plans, entry
//! windows, column locks, the grade grid of a class × subject × semester,
//! saving one cell or a pasted column with optimistic versions, the trail of
//! changes, and the conduct sheet of a class.
//!
//! Every handler authorises first (the body is read after, so that a
//! refusal never depends on it), then lets `hocba_storage` apply the entry
//! rules of `hocba_domain::gradebook` inside its transaction. Answers:
//! 403 `forbidden` (not this person's: the policy, with the class and the
//! subject named), 423 (not now or not this column: window, lock), 409 (a
//! stale version, with the current value and who set it), 422 (the value
//! or the request), each with `reason` and `remedy` in Vietnamese.

use crate::AppState;
use crate::api::{actor, year_or_current};
use crate::error::{ApiError, ApiJson, AppError, body};
use crate::gradebook_access::{edit_state, is_admin};
use crate::session::CurrentUser;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use hocba_domain::access::{self, Action, Denied, Target};
use hocba_domain::date::vietnam_time;
use hocba_domain::gradebook::{
    self, Channel, Column, ColumnKind, ColumnLock, EntryRefusal, EntryWindow, Override,
    RefusalKind, Semester, WindowState,
};
use hocba_domain::role::Role;
use hocba_domain::{ClassId, SchoolId, SchoolYearId, StudentId, SubjectId};
use hocba_storage::{
    CellEdit, CellProblem, CellState, CellsOutcome, ConductEdit, ConductOutcome, RejectedCell,
    SessionKind, StoreError, Writer,
};
use serde::Deserialize;
use serde_json::{Value, json};

type ApiResult<T = Response> = Result<T, ApiError>;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/schools/{school}/column-plans", get(column_plans))
        .route(
            "/api/v1/schools/{school}/column-plans/defaults",
            post(declare_defaults),
        )
        .route(
            "/api/v1/schools/{school}/column-plans/{class}/{subject}/{semester}",
            put(declare_plan),
        )
        .route(
            "/api/v1/schools/{school}/entry-windows",
            get(entry_windows).post(open_window),
        )
        .route(
            "/api/v1/schools/{school}/entry-windows/{window}",
            delete(remove_window),
        )
        .route(
            "/api/v1/schools/{school}/gradebook/{class}/{subject}/{semester}",
            get(grid),
        )
        .route(
            "/api/v1/schools/{school}/gradebook/{class}/{subject}/{semester}/cells",
            put(save_cell),
        )
        .route(
            "/api/v1/schools/{school}/gradebook/{class}/{subject}/{semester}/cells/batch",
            post(save_batch),
        )
        .route(
            "/api/v1/schools/{school}/gradebook/{class}/{subject}/{semester}/locks",
            put(lock_columns),
        )
        .route(
            "/api/v1/schools/{school}/gradebook/{class}/{subject}/{semester}/history",
            get(history),
        )
        .route(
            "/api/v1/schools/{school}/conduct/{class}/{semester}",
            get(conduct_sheet).put(save_conduct),
        )
}

fn semester(number: u8) -> Result<Semester, AppError> {
    Semester::from_number(number)
        .ok_or_else(|| AppError::BadRequest(gradebook::invalid_semester(&number.to_string())))
}

/// Where a gradebook request points, for the policy.
#[derive(Clone, Copy, Default)]
struct Scope {
    class: Option<ClassId>,
    subject: Option<SubjectId>,
    semester: Option<Semester>,
}

/// Asks the access policy; a teacher refused a gradebook is told which
/// class, subject and semester they lack.
async fn authorise(
    state: &AppState,
    user: &CurrentUser,
    action: Action,
    school: SchoolId,
    scope: Scope,
) -> Result<Target, AppError> {
    let mut target = match state.store.target(school).await {
        Ok(target) => target,
        // An unknown school is refused like another school's.
        Err(StoreError::NotFound(_)) => Target {
            school,
            ancestors: Vec::new(),
            class: None,
            subject: None,
            semester: None,
        },
        Err(error) => return Err(error.into()),
    };
    target.class = scope.class;
    target.subject = scope.subject;
    target.semester = scope.semester;
    let Err(denied) = access::authorise(&user.principal, action, &target) else {
        return Ok(target);
    };
    let teacher = user
        .principal
        .roles_in_school(school)
        .any(|role| matches!(role, Role::HomeroomTeacher | Role::SubjectTeacher));
    if teacher
        && let (Some(class), Some(subject), Some(semester)) =
            (scope.class, scope.subject, scope.semester)
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

/// The writer as the entry rules see them: teachers by their staff record,
/// administrators by their role.
fn writer(user: &CurrentUser, school: SchoolId, override_requested: bool) -> Writer {
    Writer {
        staff: user
            .account
            .staff_id
            .filter(|_| user.account.home_unit == school.into()),
        admin: is_admin(user, school),
        override_requested,
    }
}

fn channel(user: &CurrentUser) -> Channel {
    match user.via {
        SessionKind::Browser => Channel::Grid,
        SessionKind::Api => Channel::Api,
    }
}

fn error_json(code: &str, reason: &str, remedy: &str) -> Value {
    json!({"error": {"code": code, "message": format!("{reason} {remedy}"), "reason": reason, "remedy": remedy}})
}

/// A refusal of the entry rules as a response.
fn refusal_response(refusal: &EntryRefusal) -> Response {
    let (reason, remedy) = (refusal.reason(), refusal.remedy());
    let (status, mut body) = match refusal.kind() {
        RefusalKind::Forbidden => (
            StatusCode::FORBIDDEN,
            error_json("forbidden", &reason, &remedy),
        ),
        RefusalKind::Locked => (
            StatusCode::LOCKED,
            error_json(refusal.code(), &reason, &remedy),
        ),
        RefusalKind::Invalid => (
            StatusCode::UNPROCESSABLE_ENTITY,
            error_json(refusal.code(), &reason, &remedy),
        ),
    };
    body["error"]["rule"] = json!(refusal.code());
    (status, Json(body)).into_response()
}

fn cell_json(cell: &CellState, locked: bool) -> Value {
    let display = cell.value.as_deref().map(|v| v.replace('.', ","));
    json!({
        "value": cell.value, "display": display, "version": cell.version,
        "missed_make_up": cell.missed_make_up, "synced": cell.synced, "locked": locked,
        "updated_at": cell.updated_at, "updated_by": cell.updated_by,
    })
}

fn lock_json(lock: &ColumnLock) -> Value {
    json!({"by": lock.locked_by, "at": lock.locked_at, "at_text": vietnam_time(lock.locked_at), "reason": lock.reason})
}

fn window_json(state: &WindowState) -> Value {
    let described = |name: &str, window: &EntryWindow| {
        json!({
            "state": name, "id": window.id, "grade": window.grade, "semester": window.semester,
            "opens_at": window.opens_at, "closes_at": window.closes_at,
            "text": format!("{} – {}", vietnam_time(window.opens_at), vietnam_time(window.closes_at)),
        })
    };
    match state {
        WindowState::Open { window } => described("open", window),
        WindowState::NotYet { window } => described("not_yet", window),
        WindowState::Ended { window } => described("ended", window),
        WindowState::None => json!({"state": "none"}),
    }
}

fn kind_code(kind: ColumnKind) -> &'static str {
    match kind {
        ColumnKind::Regular => "regular",
        ColumnKind::Midterm => "midterm",
        ColumnKind::Final => "final",
    }
}

fn overrides_json(overrides: &[Override]) -> Value {
    json!(
        overrides
            .iter()
            .map(|o| json!({"code": o.code(), "label": o.label()}))
            .collect::<Vec<_>>()
    )
}

#[derive(Deserialize, Default)]
struct PlanQuery {
    year: Option<SchoolYearId>,
    semester: Option<u8>,
    class: Option<ClassId>,
}

/// Every class × subject × semester with its plan status.
async fn column_plans(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(school): Path<SchoolId>,
    Query(query): Query<PlanQuery>,
) -> ApiResult {
    authorise(&state, &user, Action::ViewSchool, school, Scope::default()).await?;
    let year = year_or_current(&state, school, query.year).await?;
    let semester = query.semester.map(semester).transpose()?;
    let plans = state
        .store
        .column_plans(school, year, semester, query.class)
        .await?;
    let count = |status: &str| plans.iter().filter(|p| p.status == status).count();
    Ok(Json(json!({
        "year": year,
        "counts": {"declared": count("declared"), "not_declared": count("not_declared"), "not_applicable": count("not_applicable")},
        "plans": plans,
    }))
    .into_response())
}

#[derive(Deserialize)]
struct DefaultsBody {
    year: Option<SchoolYearId>,
    semester: Option<u8>,
    class: Option<ClassId>,
}

/// Declares the default plan (TT22 Điều 6) wherever none is declared.
async fn declare_defaults(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(school): Path<SchoolId>,
    ApiJson(raw): ApiJson<Value>,
) -> ApiResult {
    authorise(
        &state,
        &user,
        Action::ManageGradebook,
        school,
        Scope::default(),
    )
    .await?;
    let request: DefaultsBody = body(raw)?;
    let year = year_or_current(&state, school, request.year).await?;
    let semester = request.semester.map(semester).transpose()?;
    let declared = state
        .store
        .declare_default_plans(&actor(&user), school, year, semester, request.class)
        .await?;
    Ok(Json(json!({"declared": declared})).into_response())
}

#[derive(Deserialize)]
struct PlanBody {
    /// Regular columns; absent: the law's default.
    regular: Option<u8>,
    /// The plan's version; absent or null for a new plan.
    version: Option<i64>,
}

async fn declare_plan(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, class, subject, number)): Path<(SchoolId, ClassId, SubjectId, u8)>,
    ApiJson(raw): ApiJson<Value>,
) -> ApiResult {
    let scope = Scope {
        class: Some(class),
        subject: Some(subject),
        semester: Semester::from_number(number),
    };
    authorise(&state, &user, Action::ManageGradebook, school, scope).await?;
    let semester = semester(number)?;
    let request: PlanBody = body(raw)?;
    let (plan, version) = state
        .store
        .declare_column_plan(
            &actor(&user),
            school,
            class,
            subject,
            semester,
            request.regular,
            request.version,
        )
        .await?;
    Ok(Json(json!({"plan": plan, "version": version, "columns": plan.columns().iter().map(|c| json!({"key": c.key(), "label": c.label()})).collect::<Vec<_>>()})).into_response())
}

#[derive(Deserialize, Default)]
struct YearQuery {
    year: Option<SchoolYearId>,
}

/// The entry windows of a year, each with its state now.
async fn entry_windows(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(school): Path<SchoolId>,
    Query(query): Query<YearQuery>,
) -> ApiResult {
    authorise(&state, &user, Action::ViewSchool, school, Scope::default()).await?;
    let year = year_or_current(&state, school, query.year).await?;
    let now = hocba_storage::now_millis();
    let windows: Vec<Value> = state
        .store
        .entry_windows(school, year)
        .await?
        .iter()
        .map(|window| {
            let state = if window.is_open(now) {
                "open"
            } else if window.opens_at > now {
                "not_yet"
            } else {
                "ended"
            };
            let mut value = window_json(&WindowState::Open {
                window: window.clone(),
            });
            value["state"] = json!(state);
            value
        })
        .collect();
    Ok(Json(json!({"year": year, "now": now, "windows": windows})).into_response())
}

#[derive(Deserialize)]
struct WindowBody {
    year: Option<SchoolYearId>,
    grade: u8,
    semester: u8,
    /// Unix milliseconds.
    opens_at: i64,
    closes_at: i64,
}

async fn open_window(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(school): Path<SchoolId>,
    ApiJson(raw): ApiJson<Value>,
) -> ApiResult {
    authorise(
        &state,
        &user,
        Action::ManageGradebook,
        school,
        Scope::default(),
    )
    .await?;
    let request: WindowBody = body(raw)?;
    let semester = semester(request.semester)?;
    let year = year_or_current(&state, school, request.year).await?;
    let window = state
        .store
        .open_entry_window(
            &actor(&user),
            school,
            year,
            request.grade,
            semester,
            request.opens_at,
            request.closes_at,
        )
        .await?;
    let mut value = window_json(&WindowState::Open {
        window: window.clone(),
    });
    value["state"] = json!(if window.is_open(hocba_storage::now_millis()) {
        "open"
    } else {
        "closed"
    });
    Ok((StatusCode::CREATED, Json(value)).into_response())
}

async fn remove_window(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, window)): Path<(SchoolId, i64)>,
) -> ApiResult {
    authorise(
        &state,
        &user,
        Action::ManageGradebook,
        school,
        Scope::default(),
    )
    .await?;
    state
        .store
        .delete_entry_window(&actor(&user), school, window)
        .await?;
    Ok(Json(json!({"ok": true})).into_response())
}

type BookPath = Path<(SchoolId, ClassId, SubjectId, u8)>;

fn book_scope(class: ClassId, subject: SubjectId, number: u8) -> Scope {
    Scope {
        class: Some(class),
        subject: Some(subject),
        semester: Semester::from_number(number),
    }
}

/// The grade grid of a class × subject × semester.
async fn grid(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, class, subject, number)): BookPath,
) -> ApiResult {
    let target = authorise(
        &state,
        &user,
        Action::ViewGradebook,
        school,
        book_scope(class, subject, number),
    )
    .await?;
    let semester = semester(number)?;
    let book = state
        .store
        .gradebook(school, class, subject, semester)
        .await?;
    let manage = user.may(Action::ManageGradebook, &target);
    let closure = state.store.term_closure(school, class, semester).await?;
    let mut answer = edit_state(&user, &target, &book, closure.as_ref()).to_json();
    let locked: Vec<Column> = book
        .columns
        .iter()
        .filter(|c| c.lock.is_some())
        .map(|c| c.column)
        .collect();
    let columns: Vec<Value> = book
        .columns
        .iter()
        .map(|c| {
            json!({
                "key": c.column.key(), "label": c.label, "kind": kind_code(c.column.kind),
                "locked": c.lock.is_some(), "lock": c.lock.as_ref().map(lock_json),
            })
        })
        .collect();
    let students: Vec<Value> = book
        .students
        .iter()
        .map(|s| {
            let cells: serde_json::Map<String, Value> = s
                .cells
                .iter()
                .map(|cell| {
                    (
                        cell.column.key(),
                        cell_json(cell, locked.contains(&cell.column)),
                    )
                })
                .collect();
            json!({
                "id": s.id, "full_name": s.full_name, "birth_date": s.birth_date,
                "cells": cells,
                "average": {
                    "semester": s.average.value, "missing": s.average.missing,
                    "year": s.year.as_ref().and_then(|y| y.value.clone()),
                    "year_missing": s.year.as_ref().and_then(|y| y.missing.clone()),
                },
            })
        })
        .collect();
    let info = &book.subject;
    let status = if info.no_gradebook.is_some() {
        "not_applicable"
    } else if book.plan.is_some() {
        "declared"
    } else {
        "not_declared"
    };
    let object = answer.as_object_mut().expect("an object");
    for (key, value) in [
        (
            "class",
            json!({"id": info.class_id, "name": info.class_name, "grade": info.grade}),
        ),
        (
            "subject",
            json!({"id": info.subject_id, "name": info.subject_name, "mode": info.mode, "periods_per_year": info.periods_per_year}),
        ),
        ("semester", json!(book.semester)),
        ("school_year", json!(info.school_year)),
        ("regime", json!(info.regime.map(|r| r.code()))),
        ("required_regular", json!(info.required_regular)),
        (
            "plan",
            json!({
                "status": status, "plan": book.plan, "version": book.plan_version,
                "default": info.default_plan, "note": info.no_gradebook,
            }),
        ),
        ("columns", json!(columns)),
        ("window", window_json(&book.window)),
        (
            "teacher",
            json!(
                book.teacher
                    .as_ref()
                    .map(|(id, name)| json!({"staff_id": id, "name": name}))
            ),
        ),
        ("students", json!(students)),
        ("may_manage", json!(manage)),
    ] {
        object.insert(key.into(), value);
    }
    Ok(Json(answer).into_response())
}

#[derive(Deserialize)]
struct CellBody {
    student_id: StudentId,
    column: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    version: Option<i64>,
    /// The student missed the test and did not take the make-up: 0 or CĐ.
    #[serde(default)]
    missed_make_up: bool,
    /// Why the change is made (kept in the trail).
    #[serde(default)]
    reason: Option<String>,
    /// An administrator writes outside a window or in a locked column.
    #[serde(default, rename = "override")]
    override_requested: bool,
}

impl CellBody {
    fn edit(&self) -> Result<CellEdit, String> {
        Ok(CellEdit {
            student: self.student_id,
            column: Column::parse(&self.column)?,
            value: self.value.clone(),
            missed_make_up: self.missed_make_up,
            expected_version: self.version,
        })
    }
}

/// A written student's values in the grid's shape (`average` of a grid
/// row): the semester value and, in học kỳ II, the year value, each with
/// why it is missing; both computed by the store with `hocba_assessment`.
fn averages_json(
    averages: &[(StudentId, hocba_storage::Average)],
    years: &[(StudentId, hocba_storage::Average)],
    student: StudentId,
) -> Value {
    let of = |list: &[(StudentId, hocba_storage::Average)]| {
        list.iter()
            .find(|(s, _)| *s == student)
            .map(|(_, a)| a.clone())
    };
    let (average, year) = (of(averages), of(years));
    json!({
        "semester": average.as_ref().and_then(|a| a.value.clone()),
        "missing": average.as_ref().and_then(|a| a.missing.clone()),
        "year": year.as_ref().and_then(|y| y.value.clone()),
        "year_missing": year.as_ref().and_then(|y| y.missing.clone()),
    })
}

fn current_json(current: Option<&CellState>) -> Value {
    current.map_or(json!(null), |c| {
        json!({
            "value": c.value, "display": c.value.as_deref().map(|v| v.replace('.', ",")),
            "version": c.version, "updated_by": c.updated_by, "updated_at": c.updated_at,
            "updated_at_text": vietnam_time(c.updated_at), "missed_make_up": c.missed_make_up,
        })
    })
}

fn problem_code(problem: &CellProblem) -> &'static str {
    match problem {
        CellProblem::Refused(refusal) => refusal.code(),
        CellProblem::Stale(_) => "conflict",
        CellProblem::Invalid(_) => "invalid_value",
        CellProblem::UnknownStudent => "unknown_student",
    }
}

fn rejected_json(cell: &RejectedCell) -> Value {
    let mut value = json!({
        "index": cell.index, "student_id": cell.student_id, "student_name": cell.student_name,
        "column": cell.column.key(), "column_label": cell.column.label(),
        "code": problem_code(&cell.problem), "message": cell.message(),
    });
    if let CellProblem::Stale(current) = &cell.problem {
        value["current"] = current_json(current.as_ref());
    }
    value
}

/// Saves one cell: `{"student_id", "column", "value", "version"}`.
async fn save_cell(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, class, subject, number)): BookPath,
    ApiJson(raw): ApiJson<Value>,
) -> ApiResult {
    authorise(
        &state,
        &user,
        Action::EnterScores,
        school,
        book_scope(class, subject, number),
    )
    .await?;
    let semester = semester(number)?;
    let request: CellBody = body(raw)?;
    let edit = request.edit().map_err(AppError::BadRequest)?;
    let outcome = state
        .store
        .save_cells(
            &actor(&user),
            school,
            class,
            subject,
            semester,
            writer(&user, school, request.override_requested),
            channel(&user),
            request.reason.as_deref(),
            std::slice::from_ref(&edit),
        )
        .await?;
    Ok(match outcome {
        CellsOutcome::Saved {
            cells,
            averages,
            years,
        } => {
            let cell = &cells[0];
            Json(json!({
                "student_id": cell.student_id, "column": cell.column.key(),
                "version": cell.version, "value": cell.value,
                "display": cell.value.as_deref().map(|v| v.replace('.', ",")),
                "missed_make_up": cell.missed_make_up, "changed": cell.changed,
                "overrides": overrides_json(&cell.overrides),
                "averages": averages_json(&averages, &years, cell.student_id),
            }))
            .into_response()
        }
        CellsOutcome::Refused(refusal) => refusal_response(&refusal),
        CellsOutcome::Rejected(problems) => {
            let problem = &problems[0];
            match &problem.problem {
                CellProblem::Refused(refusal) => refusal_response(refusal),
                CellProblem::Stale(current) => {
                    let message = problem.message();
                    (
                        StatusCode::CONFLICT,
                        Json(json!({"error": {
                            "code": "conflict", "message": message,
                            "reason": message, "remedy": "Hãy xem giá trị mới rồi nhập lại nếu cần.",
                            "current": current_json(current.as_ref()),
                        }})),
                    )
                        .into_response()
                }
                other => {
                    let message = problem.message();
                    (
                        StatusCode::UNPROCESSABLE_ENTITY,
                        Json(json!({"error": {"code": problem_code(other), "message": message, "reason": message,
                                    "remedy": "Hãy sửa giá trị rồi lưu lại; chưa có gì được lưu."}})),
                    )
                        .into_response()
                }
            }
        }
    })
}

#[derive(Deserialize)]
struct BatchCell {
    student_id: StudentId,
    column: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    version: Option<i64>,
    #[serde(default)]
    missed_make_up: bool,
}

#[derive(Deserialize)]
struct BatchBody {
    cells: Vec<BatchCell>,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default, rename = "override")]
    override_requested: bool,
}

/// The most cells one batch may carry (a column of a large class is ~50).
const MAX_BATCH: usize = 2000;

/// Saves many cells (a pasted column): all or nothing, each refused cell
/// named by student and column.
async fn save_batch(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, class, subject, number)): BookPath,
    ApiJson(raw): ApiJson<Value>,
) -> ApiResult {
    authorise(
        &state,
        &user,
        Action::EnterScores,
        school,
        book_scope(class, subject, number),
    )
    .await?;
    let semester = semester(number)?;
    let request: BatchBody = body(raw)?;
    if request.cells.is_empty() || request.cells.len() > MAX_BATCH {
        return Err(
            AppError::BadRequest(format!("Hãy gửi từ 1 đến {MAX_BATCH} ô trong “cells”.")).into(),
        );
    }
    let mut edits = Vec::new();
    for (index, cell) in request.cells.iter().enumerate() {
        let column = Column::parse(&cell.column)
            .map_err(|e| AppError::BadRequest(format!("Ô thứ {}: {e}", index + 1)))?;
        edits.push(CellEdit {
            student: cell.student_id,
            column,
            value: cell.value.clone(),
            missed_make_up: cell.missed_make_up,
            expected_version: cell.version,
        });
    }
    let outcome = state
        .store
        .save_cells(
            &actor(&user),
            school,
            class,
            subject,
            semester,
            writer(&user, school, request.override_requested),
            channel(&user),
            request.reason.as_deref(),
            &edits,
        )
        .await?;
    Ok(match outcome {
        CellsOutcome::Saved {
            cells,
            averages,
            years,
        } => {
            let saved: Vec<Value> = cells
                .iter()
                .map(|cell| {
                    json!({
                        "student_id": cell.student_id, "column": cell.column.key(), "version": cell.version,
                        "value": cell.value, "changed": cell.changed, "overrides": overrides_json(&cell.overrides),
                    })
                })
                .collect();
            let averages: Vec<Value> = averages
                .iter()
                .map(|(student, _)| {
                    let mut value = averages_json(&averages, &years, *student);
                    value["student_id"] = json!(student);
                    value
                })
                .collect();
            Json(json!({
                "saved": saved.len(),
                "changed": cells.iter().filter(|c| c.changed).count(),
                "cells": saved, "averages": averages,
            }))
            .into_response()
        }
        CellsOutcome::Refused(refusal) => refusal_response(&refusal),
        CellsOutcome::Rejected(problems) => {
            let all_stale = problems
                .iter()
                .all(|p| matches!(p.problem, CellProblem::Stale(_)));
            let status = if all_stale {
                StatusCode::CONFLICT
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let message = format!(
                "{} ô chưa lưu được nên chưa lưu ô nào (lưu cả cột hoặc không lưu gì): {}",
                problems.len(),
                problems
                    .iter()
                    .take(5)
                    .map(RejectedCell::message)
                    .collect::<Vec<_>>()
                    .join(" ")
            );
            (
                status,
                Json(json!({"error": {
                    "code": if all_stale { "conflict" } else { "cells_rejected" },
                    "message": message,
                    "cells": problems.iter().map(rejected_json).collect::<Vec<_>>(),
                }})),
            )
                .into_response()
        }
    })
}

#[derive(Deserialize)]
struct LockBody {
    /// `regular:1`, `midterm`, `final`, or `all`.
    column: String,
    locked: bool,
    reason: String,
}

/// Locks or unlocks a column (or all) with a reason, audited.
async fn lock_columns(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, class, subject, number)): BookPath,
    ApiJson(raw): ApiJson<Value>,
) -> ApiResult {
    authorise(
        &state,
        &user,
        Action::ManageGradebook,
        school,
        book_scope(class, subject, number),
    )
    .await?;
    let semester = semester(number)?;
    let request: LockBody = body(raw)?;
    let column = match request.column.trim() {
        "all" => None,
        text => Some(Column::parse(text).map_err(AppError::BadRequest)?),
    };
    let changed = state
        .store
        .set_column_lock(
            &actor(&user),
            school,
            class,
            subject,
            semester,
            column,
            request.locked,
            &request.reason,
        )
        .await?;
    Ok(Json(json!({
        "locked": request.locked,
        "changed": changed.iter().map(|c| c.key()).collect::<Vec<_>>(),
    }))
    .into_response())
}

#[derive(Deserialize, Default)]
struct HistoryQuery {
    student: Option<StudentId>,
}

/// The trail of a gradebook, optionally for one student.
async fn history(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, class, subject, number)): BookPath,
    Query(query): Query<HistoryQuery>,
) -> ApiResult {
    authorise(
        &state,
        &user,
        Action::ViewGradebook,
        school,
        book_scope(class, subject, number),
    )
    .await?;
    let semester = semester(number)?;
    let rows = state
        .store
        .gradebook_history(school, class, subject, semester, query.student)
        .await?;
    let display = |value: &Option<String>| value.as_deref().map(|v| v.replace('.', ","));
    let list: Vec<Value> = rows
        .iter()
        .map(|row| {
            json!({
                "id": row.id, "at": row.at, "at_text": vietnam_time(row.at),
                "student_id": row.student_id, "column": row.column.key(), "column_label": row.column.label(),
                "old": row.old_value, "new": row.new_value,
                "old_display": display(&row.old_value), "new_display": display(&row.new_value),
                "missed_make_up": row.missed_make_up, "version": row.version,
                "actor": row.actor_name, "channel": row.channel,
                "channel_label": Channel::from_code(&row.channel).map(Channel::label),
                "reason": row.reason, "overrides": overrides_json(&row.overrides),
            })
        })
        .collect();
    Ok(Json(json!({"changes": list})).into_response())
}

/// The conduct sheet of a class: training results and homeroom comments.
async fn conduct_sheet(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, class, number)): Path<(SchoolId, ClassId, u8)>,
) -> ApiResult {
    let scope = Scope {
        class: Some(class),
        subject: None,
        semester: Semester::from_number(number),
    };
    let target = authorise(&state, &user, Action::ViewGradebook, school, scope).await?;
    let semester = semester(number)?;
    let sheet = state.store.conduct_sheet(school, class, semester).await?;
    let may_edit = user.may(Action::EnterConduct, &target);
    Ok(Json(json!({
        "class": {"id": sheet.class_id, "name": sheet.class_name, "grade": sheet.grade},
        "semester": sheet.semester,
        "window": window_json(&sheet.window),
        "homeroom": sheet.homeroom.as_ref().map(|(id, name)| json!({"staff_id": id, "name": name})),
        "may_edit": may_edit,
        "choices": ["Tốt", "Khá", "Đạt", "Chưa đạt"],
        "students": sheet.students,
    }))
    .into_response())
}

#[derive(Deserialize)]
struct ConductBody {
    student_id: StudentId,
    #[serde(default)]
    training_result: String,
    #[serde(default)]
    comment: String,
    #[serde(default)]
    version: Option<i64>,
    #[serde(default, rename = "override")]
    override_requested: bool,
}

/// Saves a student's training result and homeroom comment.
async fn save_conduct(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, class, number)): Path<(SchoolId, ClassId, u8)>,
    ApiJson(raw): ApiJson<Value>,
) -> ApiResult {
    let scope = Scope {
        class: Some(class),
        subject: None,
        semester: Semester::from_number(number),
    };
    authorise(&state, &user, Action::EnterConduct, school, scope).await?;
    let semester = semester(number)?;
    let request: ConductBody = body(raw)?;
    let invalid = |message: String| {
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(error_json(
                "invalid_value",
                &message,
                "Hãy sửa rồi lưu lại; chưa có gì được lưu.",
            )),
        )
            .into_response()
    };
    let training_result = match gradebook::parse_training_result(&request.training_result) {
        Ok(result) => result,
        Err(error) => return Ok(invalid(error.0)),
    };
    let comment = match gradebook::check_comment(&request.comment) {
        Ok(comment) => comment,
        Err(error) => return Ok(invalid(error.0)),
    };
    let edit = ConductEdit {
        student: request.student_id,
        training_result,
        comment,
        expected_version: request.version,
    };
    let outcome = state
        .store
        .save_conduct(
            &actor(&user),
            school,
            class,
            semester,
            writer(&user, school, request.override_requested),
            &edit,
        )
        .await?;
    Ok(match outcome {
        ConductOutcome::Saved { version, overrides } => Json(json!({
            "version": version,
            "training_result": training_result.map(gradebook::training_label),
            "comment": edit.comment,
            "overrides": overrides_json(&overrides),
        }))
        .into_response(),
        ConductOutcome::Refused(refusal) => refusal_response(&refusal),
        ConductOutcome::Stale(current) => {
            let message = match &current {
                Some(line) => format!(
                    "Kết quả rèn luyện của học sinh này vừa được {} sửa lúc {}; thay đổi của bạn chưa được lưu.",
                    line.updated_by.clone().unwrap_or_default(),
                    line.updated_at.map(vietnam_time).unwrap_or_default()
                ),
                None => "Kết quả rèn luyện của học sinh này đã thay đổi; thay đổi của bạn chưa được lưu.".into(),
            };
            (
                StatusCode::CONFLICT,
                Json(
                    json!({"error": {"code": "conflict", "message": message, "reason": message,
                    "remedy": "Hãy tải lại rồi sửa lại nếu cần.", "current": current}}),
                ),
            )
                .into_response()
        }
        ConductOutcome::UnknownStudent => invalid(
            "Học sinh này không đang học ở lớp này trong năm học; hãy tải lại danh sách.".into(),
        ),
    })
}
