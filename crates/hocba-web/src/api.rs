//! The JSON API under `/api/v1`. Every handler authorises first (the school
//! comes from the path), then validates with the domain and calls storage.
//! Described by `/api/v1/openapi.json` (`crate::openapi`).

use crate::error::{ApiError, ApiJson, AppError};
use crate::session::CurrentUser;
use crate::{AppState, SESSION_LIFETIME};
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use hocba_domain::access::{Action, Target};
use hocba_domain::class::{ClassDefinition, ClassDraft};
use hocba_domain::curriculum::SubjectMode;
use hocba_domain::form::{Draft, FieldSpec};
use hocba_domain::role::{Role, RoleGrant};
use hocba_domain::rollover::YearDecision;
use hocba_domain::school::{CampusProfile, SchoolProfile, SchoolYear};
use hocba_domain::staff::StaffProfile;
use hocba_domain::student::{EnrolmentStatus, StudentProfile};
use hocba_domain::{
    CampusId, ClassId, Date, Grade, SchoolId, SchoolYearId, StaffId, StudentId, SubjectId, UnitId,
    UserId,
};
use hocba_storage::{Actor, AuditQuery, SessionKind, StudentFilter};
use serde::Deserialize;
use serde_json::{Value, json};
use std::net::SocketAddr;

type ApiResult<T = Json<Value>> = Result<T, ApiError>;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/openapi.json", get(crate::openapi::document))
        .route("/api/v1/auth/login", post(login))
        .route("/api/v1/auth/logout", post(logout))
        .route("/api/v1/auth/password", post(change_password))
        .route("/api/v1/me", get(me))
        .route("/api/v1/provinces", get(provinces))
        .route("/api/v1/assessment/evaluate", post(evaluate))
        .route("/api/v1/schools", get(schools))
        .route("/api/v1/units/{unit}", get(unit))
        .route("/api/v1/units/{unit}/bureaus", post(create_bureau))
        .route("/api/v1/units/{unit}/schools", post(create_school))
        .route("/api/v1/schools/{school}", get(school).put(update_school))
        .route(
            "/api/v1/schools/{school}/campuses",
            get(campuses).post(create_campus),
        )
        .route(
            "/api/v1/schools/{school}/campuses/{campus}",
            put(update_campus).delete(delete_campus),
        )
        .route(
            "/api/v1/schools/{school}/years",
            get(years).post(create_year),
        )
        .route(
            "/api/v1/schools/{school}/years/{year}/rollover",
            post(rollover),
        )
        .route(
            "/api/v1/schools/{school}/classes",
            get(classes).post(create_class),
        )
        .route(
            "/api/v1/schools/{school}/classes/{class}",
            get(class).put(update_class).delete(delete_class),
        )
        .route(
            "/api/v1/schools/{school}/classes/{class}/dissolve",
            post(dissolve_class),
        )
        .route(
            "/api/v1/schools/{school}/classes/{class}/students",
            get(class_students),
        )
        .route("/api/v1/schools/{school}/subjects", get(subjects))
        .route(
            "/api/v1/schools/{school}/subjects/{subject}",
            put(update_subject),
        )
        .route(
            "/api/v1/schools/{school}/staff",
            get(staff_list).post(create_staff),
        )
        .route(
            "/api/v1/schools/{school}/staff/{staff}",
            get(staff_member).put(update_staff),
        )
        .route(
            "/api/v1/schools/{school}/students",
            get(students).post(create_student),
        )
        .route(
            "/api/v1/schools/{school}/students/{student}",
            get(student).put(update_student).delete(delete_student),
        )
        .route(
            "/api/v1/schools/{school}/students/{student}/move",
            post(move_student),
        )
        .route(
            "/api/v1/schools/{school}/students/{student}/transfer-out",
            post(transfer_out),
        )
        .route(
            "/api/v1/schools/{school}/students/{student}/decision",
            post(decide),
        )
        .route(
            "/api/v1/schools/{school}/students.xlsx",
            get(students_workbook),
        )
        .route(
            "/api/v1/schools/{school}/students/import",
            post(import_students),
        )
        .route("/api/v1/schools/{school}/staff.xlsx", get(staff_workbook))
        .route("/api/v1/schools/{school}/staff/import", post(import_staff))
        .route("/api/v1/schools/{school}/assignments", get(assignments))
        .route(
            "/api/v1/schools/{school}/assignments/teaching",
            put(assign_teaching),
        )
        .route(
            "/api/v1/schools/{school}/assignments/homeroom",
            put(assign_homeroom),
        )
        .route(
            "/api/v1/schools/{school}/accounts",
            get(accounts).post(create_account),
        )
        .route(
            "/api/v1/schools/{school}/accounts/{user}/reset-password",
            post(reset_password),
        )
        .route("/api/v1/schools/{school}/audit", get(audit))
}

pub(crate) fn actor(user: &CurrentUser) -> Actor {
    Actor::user(
        user.account.id,
        format!("{} ({})", user.account.display_name, user.account.username),
    )
}

/// JSON object → draft: strings, numbers and booleans become text.
pub(crate) fn draft_from_json(value: &Value) -> Result<Draft, AppError> {
    let Some(object) = value.as_object() else {
        return Err(AppError::BadRequest(
            "“profile” phải là một đối tượng JSON {\"tên trường\": \"giá trị\"}.".into(),
        ));
    };
    let mut draft = Draft::new();
    for (key, value) in object {
        let text = match value {
            Value::Null => continue,
            Value::String(text) => text.clone(),
            Value::Number(number) => number.to_string(),
            Value::Bool(flag) => if *flag { "1" } else { "0" }.into(),
            _ => {
                return Err(AppError::BadRequest(format!(
                    "Trường “{key}” phải là chuỗi, số hoặc đúng/sai."
                )));
            }
        };
        draft.insert(key.clone(), text);
    }
    Ok(draft)
}

/// A record for someone who may not see personal data loses those fields.
pub(crate) fn visible(draft: &Draft, fields: &[FieldSpec], personal_allowed: bool) -> Draft {
    draft
        .iter()
        .filter(|(key, _)| {
            personal_allowed || !fields.iter().any(|f| f.key == key.as_str() && f.personal)
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

#[derive(Deserialize)]
struct Login {
    username: String,
    password: String,
}

/// Checks a username and password, with the login throttle; shared by the
/// API and the login page.
pub(crate) async fn check_login(
    state: &AppState,
    client: SocketAddr,
    username: &str,
    password: &str,
) -> Result<hocba_storage::AccountRow, AppError> {
    let username = username.trim().to_lowercase();
    let keys = [format!("ip:{}", client.ip()), format!("user:{username}")];
    for key in &keys {
        if let Err(wait) = state.throttle.check(key) {
            return Err(AppError::TooManyRequests(format!(
                "Đăng nhập sai quá nhiều lần. Hãy thử lại sau {} phút, hoặc nhờ quản trị viên đặt lại mật khẩu.",
                wait.as_secs().div_ceil(60).max(1)
            )));
        }
    }
    let account = state.store.account_by_username(&username).await?;
    // Verify even for unknown users, so timing does not reveal which names exist.
    let hash = account
        .as_ref()
        .map(|a| a.password_hash.clone())
        .unwrap_or_else(|| DUMMY_HASH.clone());
    let password = password.to_owned();
    let ok = tokio::task::spawn_blocking(move || hocba_auth::verify_password(&password, &hash))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    match account {
        Some(account) if ok && !account.disabled => {
            for key in &keys {
                state.throttle.record_success(key);
            }
            Ok(account)
        }
        _ => {
            for key in &keys {
                state.throttle.record_failure(key);
            }
            Err(AppError::Refused(
                "Tên đăng nhập hoặc mật khẩu không đúng. Kiểm tra bộ gõ tiếng Việt và phím Caps Lock, rồi thử lại.".into(),
            ))
        }
    }
}

static DUMMY_HASH: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| hocba_auth::hash_password("not a real password"));

/// Starts a session and returns its token (the cookie value or bearer token).
pub(crate) async fn start_session(
    state: &AppState,
    user: UserId,
    kind: SessionKind,
) -> Result<String, AppError> {
    let token = hocba_auth::new_token();
    let csrf = hocba_auth::new_token();
    let expires = hocba_storage::now_millis() + SESSION_LIFETIME.as_millis() as i64;
    state
        .store
        .create_session(&hocba_auth::token_hash(&token), user, kind, &csrf, expires)
        .await?;
    Ok(token)
}

async fn login(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    ApiJson(body): ApiJson<Login>,
) -> ApiResult {
    let account = check_login(&state, client, &body.username, &body.password).await?;
    let token = start_session(&state, account.id, SessionKind::Api).await?;
    Ok(Json(
        json!({"token": token, "expires_in": SESSION_LIFETIME.as_secs(), "must_change_password": account.must_change_password}),
    ))
}

async fn logout(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    _user: CurrentUser,
) -> ApiResult {
    if let Some(token) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    {
        state
            .store
            .delete_session(&hocba_auth::token_hash(token.trim()))
            .await?;
    }
    Ok(Json(json!({"ok": true})))
}

#[derive(Deserialize)]
struct PasswordChange {
    current: String,
    new: String,
}

/// Changes one's own password; every session and token of the account ends.
async fn change_password(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(body): ApiJson<PasswordChange>,
) -> ApiResult {
    crate::accounts::change_own_password(&state, &user, &body.current, &body.new).await?;
    Ok(Json(
        json!({"ok": true, "message": "Đã đổi mật khẩu; hãy đăng nhập lại."}),
    ))
}

async fn me(user: CurrentUser) -> ApiResult {
    let roles: Vec<Value> = user
        .account
        .grants
        .iter()
        .map(|g| json!({"role": g.role.code(), "label": g.role.label(), "unit": g.unit}))
        .collect();
    Ok(Json(json!({
        "id": user.account.id, "username": user.account.username, "display_name": user.account.display_name,
        "home_unit": user.account.home_unit, "roles": roles, "must_change_password": user.account.must_change_password
    })))
}

async fn provinces(_user: CurrentUser) -> ApiResult {
    let list: Vec<Value> = hocba_domain::province::all()
        .iter()
        .map(|p| json!({"code": p.code, "name": p.name}))
        .collect();
    Ok(Json(Value::Array(list)))
}

async fn evaluate(_user: CurrentUser, body: Bytes) -> Response {
    let text = String::from_utf8_lossy(&body);
    match hocba_assessment::evaluate_json(&text) {
        Ok(result) => Json(result).into_response(),
        Err(error) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({"error": {"code": "invalid", "message": error.to_string()}})),
        )
            .into_response(),
    }
}

/// The schools a user can see: where they hold a school role, and under the
/// units where they are an officer.
pub(crate) async fn visible_schools(
    state: &AppState,
    user: &CurrentUser,
) -> Result<Vec<hocba_storage::SchoolRow>, AppError> {
    let mut schools = state.store.schools_by_id(&user.principal.schools()).await?;
    for grant in user
        .account
        .grants
        .iter()
        .filter(|g| g.role == Role::DepartmentOfficer)
    {
        for school in state.store.schools_under(grant.unit).await? {
            if !schools.iter().any(|s| s.id == school.id) {
                schools.push(school);
            }
        }
    }
    Ok(schools)
}

async fn schools(State(state): State<AppState>, user: CurrentUser) -> ApiResult {
    let schools = visible_schools(&state, &user).await?;
    Ok(Json(json!(schools)))
}

async fn unit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(unit): Path<UnitId>,
) -> ApiResult {
    let row = crate::units::authorise(
        &state,
        &user,
        hocba_domain::access::UnitAction::ViewUnit,
        unit,
    )
    .await?;
    let children = state.store.children(unit).await?;
    Ok(Json(json!({"unit": row, "children": children})))
}

#[derive(Deserialize)]
struct NewBureau {
    name: String,
    code: Option<String>,
}

async fn create_bureau(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(unit): Path<UnitId>,
    ApiJson(body): ApiJson<NewBureau>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let id =
        crate::units::create_bureau(&state, &user, unit, &body.name, body.code.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(json!({"id": id}))))
}

#[derive(Deserialize)]
struct NewSchoolBody {
    /// `primary`, `lower_secondary`, `upper_secondary`.
    levels: Vec<String>,
    profile: Value,
    admin: NewSchoolAdmin,
}

#[derive(Deserialize)]
struct NewSchoolAdmin {
    username: String,
    password: String,
    display_name: String,
}

async fn create_school(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(unit): Path<UnitId>,
    ApiJson(body): ApiJson<NewSchoolBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let levels = body
        .levels
        .iter()
        .map(|code| {
            hocba_domain::Level::from_code(code).ok_or_else(|| {
                AppError::BadRequest(format!(
                    "Cấp học “{code}” không hợp lệ; chọn primary, lower_secondary hoặc upper_secondary."
                ))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let admin = crate::units::FirstAdmin {
        username: &body.admin.username,
        password: &body.admin.password,
        display_name: &body.admin.display_name,
    };
    let id = crate::units::create_school(
        &state,
        &user,
        unit,
        &levels,
        &draft_from_json(&body.profile)?,
        admin,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(json!({"id": id}))))
}

async fn school(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(school): Path<SchoolId>,
) -> ApiResult {
    user.authorise(&state, Action::ViewSchool, school, None)
        .await?;
    let row = state.store.school(school).await?;
    Ok(Json(json!({"school": row, "profile": row.profile})))
}

#[derive(Deserialize)]
struct Versioned {
    version: i64,
    profile: Value,
}

async fn update_school(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(school): Path<SchoolId>,
    ApiJson(body): ApiJson<Versioned>,
) -> ApiResult {
    user.authorise(&state, Action::ManageSchool, school, None)
        .await?;
    let profile = SchoolProfile::validate(&draft_from_json(&body.profile)?)?;
    state
        .store
        .update_school_profile(&actor(&user), school, body.version, &profile)
        .await?;
    Ok(Json(json!({"ok": true})))
}

async fn campuses(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(school): Path<SchoolId>,
) -> ApiResult {
    user.authorise(&state, Action::ViewSchool, school, None)
        .await?;
    Ok(Json(json!(state.store.campuses(school).await?)))
}

#[derive(Deserialize)]
struct ProfileBody {
    profile: Value,
}

async fn create_campus(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(school): Path<SchoolId>,
    ApiJson(body): ApiJson<ProfileBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    user.authorise(&state, Action::ManageSchool, school, None)
        .await?;
    let campus = CampusProfile::validate(&draft_from_json(&body.profile)?)?;
    let id = state
        .store
        .save_campus(&actor(&user), school, None, &campus)
        .await?;
    Ok((StatusCode::CREATED, Json(json!({"id": id}))))
}

async fn update_campus(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, campus)): Path<(SchoolId, CampusId)>,
    ApiJson(body): ApiJson<Versioned>,
) -> ApiResult {
    user.authorise(&state, Action::ManageSchool, school, None)
        .await?;
    let profile = CampusProfile::validate(&draft_from_json(&body.profile)?)?;
    state
        .store
        .save_campus(
            &actor(&user),
            school,
            Some((campus, body.version)),
            &profile,
        )
        .await?;
    Ok(Json(json!({"ok": true})))
}

async fn delete_campus(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, campus)): Path<(SchoolId, CampusId)>,
) -> ApiResult {
    user.authorise(&state, Action::ManageSchool, school, None)
        .await?;
    state
        .store
        .delete_campus(&actor(&user), school, campus)
        .await?;
    Ok(Json(json!({"ok": true})))
}

async fn years(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(school): Path<SchoolId>,
) -> ApiResult {
    user.authorise(&state, Action::ViewSchool, school, None)
        .await?;
    Ok(Json(json!(state.store.school_years(school).await?)))
}

#[derive(Deserialize)]
struct NewYear {
    /// "2026-2027" or 2026.
    year: Value,
}

/// Grades a school teaches, from its levels.
pub(crate) async fn school_grades(
    state: &AppState,
    school: SchoolId,
) -> Result<Vec<Grade>, AppError> {
    let row = state.store.school(school).await?;
    Ok(row
        .levels
        .iter()
        .flat_map(|l| l.grades())
        .filter_map(|g| Grade::new(g).ok())
        .collect())
}

async fn create_year(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(school): Path<SchoolId>,
    ApiJson(body): ApiJson<NewYear>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    user.authorise(&state, Action::ManageSchool, school, None)
        .await?;
    let text = match &body.year {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    };
    let year = SchoolYear::parse(&text).ok_or_else(|| {
        AppError::BadRequest(format!(
            "Năm học “{text}” không hợp lệ; viết dạng 2026-2027."
        ))
    })?;
    let grades = school_grades(&state, school).await?;
    let id = state
        .store
        .create_school_year(&actor(&user), school, year, &grades)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"id": id, "label": year.label()})),
    ))
}

async fn rollover(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, year)): Path<(SchoolId, SchoolYearId)>,
) -> ApiResult {
    user.authorise(&state, Action::ManageSchool, school, None)
        .await?;
    Ok(Json(json!(
        state.store.roll_over(&actor(&user), school, year).await?
    )))
}

#[derive(Deserialize, Default)]
pub(crate) struct YearQuery {
    pub year: Option<SchoolYearId>,
}

pub(crate) async fn year_or_current(
    state: &AppState,
    school: SchoolId,
    year: Option<SchoolYearId>,
) -> Result<SchoolYearId, AppError> {
    match year {
        Some(year) => Ok(year),
        None => Ok(state.store.current_year(school).await?.id),
    }
}

async fn classes(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(school): Path<SchoolId>,
    Query(query): Query<YearQuery>,
) -> ApiResult {
    user.authorise(&state, Action::ViewSchool, school, None)
        .await?;
    let year = year_or_current(&state, school, query.year).await?;
    Ok(Json(json!(state.store.classes(school, year).await?)))
}

async fn class(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, class)): Path<(SchoolId, ClassId)>,
) -> ApiResult {
    user.authorise(&state, Action::ViewSchool, school, None)
        .await?;
    Ok(Json(json!(state.store.class(school, class).await?)))
}

#[derive(Deserialize)]
struct ClassBody {
    #[serde(flatten)]
    class: ClassDraft,
    year: Option<SchoolYearId>,
    version: Option<i64>,
}

async fn create_class(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(school): Path<SchoolId>,
    ApiJson(body): ApiJson<ClassBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    user.authorise(&state, Action::ManageSchool, school, None)
        .await?;
    let definition = ClassDefinition::validate(&body.class)?;
    let year = year_or_current(&state, school, body.year).await?;
    let id = state
        .store
        .save_class(&actor(&user), school, year, None, &definition)
        .await?;
    Ok((StatusCode::CREATED, Json(json!({"id": id}))))
}

async fn update_class(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, class)): Path<(SchoolId, ClassId)>,
    ApiJson(body): ApiJson<ClassBody>,
) -> ApiResult {
    user.authorise(&state, Action::ManageSchool, school, None)
        .await?;
    let definition = ClassDefinition::validate(&body.class)?;
    let current = state.store.class(school, class).await?;
    let version = body.version.unwrap_or(current.version);
    state
        .store
        .save_class(
            &actor(&user),
            school,
            current.school_year_id,
            Some((class, version)),
            &definition,
        )
        .await?;
    Ok(Json(json!({"ok": true})))
}

async fn dissolve_class(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, class)): Path<(SchoolId, ClassId)>,
) -> ApiResult {
    user.authorise(&state, Action::ManageSchool, school, None)
        .await?;
    state
        .store
        .remove_class(&actor(&user), school, class, false)
        .await?;
    Ok(Json(json!({"ok": true})))
}

async fn delete_class(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, class)): Path<(SchoolId, ClassId)>,
) -> ApiResult {
    user.authorise(&state, Action::ManageSchool, school, None)
        .await?;
    state
        .store
        .remove_class(&actor(&user), school, class, true)
        .await?;
    Ok(Json(json!({"ok": true})))
}

async fn class_students(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, class)): Path<(SchoolId, ClassId)>,
) -> ApiResult {
    user.authorise(&state, Action::ViewStudents, school, Some(class))
        .await?;
    let row = state.store.class(school, class).await?;
    let filter = StudentFilter {
        class: Some(class),
        query: None,
        status: None,
    };
    let students = state
        .store
        .students(school, row.school_year_id, &filter)
        .await?;
    Ok(Json(json!({"class": row, "students": students})))
}

#[derive(Deserialize)]
struct SubjectQuery {
    year: Option<SchoolYearId>,
    grade: Option<u8>,
}

async fn subjects(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(school): Path<SchoolId>,
    Query(query): Query<SubjectQuery>,
) -> ApiResult {
    user.authorise(&state, Action::ViewSchool, school, None)
        .await?;
    let year = year_or_current(&state, school, query.year).await?;
    let grade = query
        .grade
        .map(Grade::new)
        .transpose()
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    Ok(Json(json!(
        state.store.subjects(school, year, grade).await?
    )))
}

#[derive(Deserialize)]
struct SubjectBody {
    version: i64,
    periods_per_year: u16,
    mode: String,
}

async fn update_subject(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, subject)): Path<(SchoolId, SubjectId)>,
    ApiJson(body): ApiJson<SubjectBody>,
) -> ApiResult {
    user.authorise(&state, Action::ManageSchool, school, None)
        .await?;
    let mode = SubjectMode::from_code(&body.mode)
        .ok_or_else(|| AppError::BadRequest("“mode” chỉ nhận scored hoặc commented.".into()))?;
    state
        .store
        .update_subject(
            &actor(&user),
            school,
            subject,
            body.version,
            body.periods_per_year,
            mode,
        )
        .await?;
    Ok(Json(json!({"ok": true})))
}

#[derive(Deserialize, Default)]
pub(crate) struct SearchQuery {
    pub q: Option<String>,
    pub class: Option<ClassId>,
    pub status: Option<String>,
    pub year: Option<SchoolYearId>,
}

async fn staff_list(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(school): Path<SchoolId>,
    Query(query): Query<SearchQuery>,
) -> ApiResult {
    let target = user
        .authorise(&state, Action::ViewSchool, school, None)
        .await?;
    let personal = user.may(Action::ManageStaff, &target);
    let staff = state.store.staff(school, query.q.as_deref()).await?;
    let list: Vec<Value> = staff
        .iter()
        .map(|s| json!({"id": s.id, "version": s.version, "full_name": s.full_name, "profile": visible(&s.profile, &hocba_domain::staff::FIELDS, personal)}))
        .collect();
    Ok(Json(Value::Array(list)))
}

async fn staff_member(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, staff)): Path<(SchoolId, StaffId)>,
) -> ApiResult {
    let target = user
        .authorise(&state, Action::ViewSchool, school, None)
        .await?;
    let personal = user.may(Action::ManageStaff, &target);
    let row = state.store.staff_member(school, staff).await?;
    Ok(Json(
        json!({"id": row.id, "version": row.version, "profile": visible(&row.profile, &hocba_domain::staff::FIELDS, personal)}),
    ))
}

async fn create_staff(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(school): Path<SchoolId>,
    ApiJson(body): ApiJson<ProfileBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    user.authorise(&state, Action::ManageStaff, school, None)
        .await?;
    let profile = StaffProfile::validate(&draft_from_json(&body.profile)?)?;
    let id = state
        .store
        .save_staff(&actor(&user), school, None, &profile)
        .await?;
    Ok((StatusCode::CREATED, Json(json!({"id": id}))))
}

async fn update_staff(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, staff)): Path<(SchoolId, StaffId)>,
    ApiJson(body): ApiJson<Versioned>,
) -> ApiResult {
    user.authorise(&state, Action::ManageStaff, school, None)
        .await?;
    let profile = StaffProfile::validate(&draft_from_json(&body.profile)?)?;
    state
        .store
        .save_staff(&actor(&user), school, Some((staff, body.version)), &profile)
        .await?;
    Ok(Json(json!({"ok": true})))
}

async fn students(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(school): Path<SchoolId>,
    Query(query): Query<SearchQuery>,
) -> ApiResult {
    user.authorise(&state, Action::ViewStudents, school, query.class)
        .await?;
    let year = year_or_current(&state, school, query.year).await?;
    let status = match query.status.as_deref() {
        None | Some("") => None,
        Some(code) => Some(EnrolmentStatus::from_code(code).ok_or_else(|| {
            AppError::BadRequest(
                "“status” chỉ nhận studying, transferred_out, dropped_out, suspended, graduated."
                    .into(),
            )
        })?),
    };
    let filter = StudentFilter {
        class: query.class,
        query: query.q.clone(),
        status,
    };
    Ok(Json(json!(
        state.store.students(school, year, &filter).await?
    )))
}

/// The class of a student this year, for class-scoped rules (homeroom).
async fn class_of(
    state: &AppState,
    school: SchoolId,
    student: StudentId,
) -> Result<Option<ClassId>, AppError> {
    let year = state.store.current_year(school).await?.id;
    Ok(state.store.student_class(school, year, student).await?)
}

async fn student(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, student)): Path<(SchoolId, StudentId)>,
) -> ApiResult {
    user.authorise(&state, Action::ViewStudents, school, None)
        .await?;
    let class = class_of(&state, school, student).await?;
    let target = Target {
        class,
        ..state.store.target(school).await?
    };
    let personal = user.may(Action::ViewStudentPersonalData, &target);
    let row = state.store.student(school, student).await?;
    Ok(Json(json!({
        "id": row.id, "version": row.version,
        "profile": visible(&row.profile, &hocba_domain::student::FIELDS, personal),
        "personal_data_hidden": !personal,
        "enrolments": row.enrolments, "transfers": row.transfers
    })))
}

#[derive(Deserialize)]
struct NewStudent {
    class_id: ClassId,
    profile: Value,
    year: Option<SchoolYearId>,
    /// A transfer-in: `{"date": "05/01/2026", "from_school": "…", "reason": "…"}`.
    transfer_in: Option<TransferIn>,
}

#[derive(Deserialize)]
struct TransferIn {
    date: String,
    from_school: String,
    reason: Option<String>,
}

fn parse_date(text: &str, label: &str) -> Result<Date, AppError> {
    Date::parse(text).map_err(|e| AppError::BadRequest(format!("{label}: {e}")))
}

async fn create_student(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(school): Path<SchoolId>,
    ApiJson(body): ApiJson<NewStudent>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    user.authorise(&state, Action::ManageStudents, school, None)
        .await?;
    let profile = StudentProfile::validate(&draft_from_json(&body.profile)?)?;
    let year = year_or_current(&state, school, body.year).await?;
    let transfer = match body.transfer_in {
        Some(t) => Some((
            parse_date(&t.date, "Ngày chuyển đến")?,
            t.from_school,
            t.reason,
        )),
        None => None,
    };
    let id = state
        .store
        .create_student(
            &actor(&user),
            school,
            year,
            body.class_id,
            &profile,
            transfer,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(json!({"id": id}))))
}

async fn update_student(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, student)): Path<(SchoolId, StudentId)>,
    ApiJson(body): ApiJson<Versioned>,
) -> ApiResult {
    user.authorise(&state, Action::ViewStudents, school, None)
        .await?;
    let class = class_of(&state, school, student).await?;
    user.authorise(&state, Action::EditStudent, school, class)
        .await?;
    let profile = StudentProfile::validate(&draft_from_json(&body.profile)?)?;
    state
        .store
        .update_student(&actor(&user), school, student, body.version, &profile)
        .await?;
    Ok(Json(json!({"ok": true})))
}

async fn delete_student(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, student)): Path<(SchoolId, StudentId)>,
) -> ApiResult {
    user.authorise(&state, Action::ManageStudents, school, None)
        .await?;
    state
        .store
        .delete_student(&actor(&user), school, student)
        .await?;
    Ok(Json(json!({"ok": true})))
}

#[derive(Deserialize)]
struct MoveBody {
    class_id: ClassId,
}

async fn move_student(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, student)): Path<(SchoolId, StudentId)>,
    ApiJson(body): ApiJson<MoveBody>,
) -> ApiResult {
    user.authorise(&state, Action::ManageStudents, school, None)
        .await?;
    let year = state.store.current_year(school).await?.id;
    state
        .store
        .move_student(&actor(&user), school, year, student, body.class_id)
        .await?;
    Ok(Json(json!({"ok": true})))
}

#[derive(Deserialize)]
struct TransferOut {
    date: String,
    to_school: String,
    reason: Option<String>,
}

async fn transfer_out(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, student)): Path<(SchoolId, StudentId)>,
    ApiJson(body): ApiJson<TransferOut>,
) -> ApiResult {
    user.authorise(&state, Action::ManageStudents, school, None)
        .await?;
    let year = state.store.current_year(school).await?.id;
    let date = parse_date(&body.date, "Ngày chuyển đi")?;
    state
        .store
        .transfer_out(
            &actor(&user),
            school,
            year,
            student,
            date,
            &body.to_school,
            body.reason.as_deref(),
        )
        .await?;
    Ok(Json(json!({"ok": true})))
}

#[derive(Deserialize)]
struct DecisionBody {
    decision: String,
}

async fn decide(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, student)): Path<(SchoolId, StudentId)>,
    ApiJson(body): ApiJson<DecisionBody>,
) -> ApiResult {
    user.authorise(&state, Action::ManageStudents, school, None)
        .await?;
    let decision = match body.decision.as_str() {
        "promoted" => YearDecision::Promoted,
        "retained" => YearDecision::Retained,
        _ => {
            return Err(AppError::BadRequest(
                "“decision” chỉ nhận promoted (lên lớp) hoặc retained (ở lại lớp).".into(),
            )
            .into());
        }
    };
    let year = state.store.current_year(school).await?.id;
    state
        .store
        .set_year_decision(&actor(&user), school, year, student, decision)
        .await?;
    Ok(Json(json!({"ok": true})))
}

pub(crate) fn xlsx_response(bytes: Vec<u8>, file_name: &str) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

async fn students_workbook(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(school): Path<SchoolId>,
    Query(query): Query<YearQuery>,
) -> Result<Response, ApiError> {
    user.authorise(&state, Action::ManageStudents, school, None)
        .await?;
    let bytes = crate::import::student_workbook(&state, school, query.year).await?;
    Ok(xlsx_response(bytes, "hoc-sinh.xlsx"))
}

#[derive(Deserialize)]
struct ImportQuery {
    /// Comma-separated field keys to update on existing rows.
    columns: Option<String>,
    year: Option<SchoolYearId>,
}

async fn import_students(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(school): Path<SchoolId>,
    Query(query): Query<ImportQuery>,
    body: Bytes,
) -> Result<Response, ApiError> {
    user.authorise(&state, Action::ManageStudents, school, None)
        .await?;
    let selected = selected_columns(query.columns.as_deref());
    let report =
        crate::import::import_student_file(&state, &user, school, query.year, &body, selected)
            .await?;
    let status = if report.applied {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, Json(json!(report))).into_response())
}

async fn staff_workbook(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(school): Path<SchoolId>,
) -> Result<Response, ApiError> {
    user.authorise(&state, Action::ManageStaff, school, None)
        .await?;
    let bytes = crate::import::staff_workbook(&state, school).await?;
    Ok(xlsx_response(bytes, "can-bo.xlsx"))
}

async fn import_staff(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(school): Path<SchoolId>,
    Query(query): Query<ImportQuery>,
    body: Bytes,
) -> Result<Response, ApiError> {
    user.authorise(&state, Action::ManageStaff, school, None)
        .await?;
    let selected = selected_columns(query.columns.as_deref());
    let report = crate::import::import_staff_file(&state, &user, school, &body, selected).await?;
    let status = if report.applied {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, Json(json!(report))).into_response())
}

fn selected_columns(columns: Option<&str>) -> Option<Vec<String>> {
    columns.map(|c| {
        c.split(',')
            .map(|k| k.trim().to_owned())
            .filter(|k| !k.is_empty())
            .collect()
    })
}

async fn assignments(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(school): Path<SchoolId>,
    Query(query): Query<YearQuery>,
) -> ApiResult {
    user.authorise(&state, Action::ViewSchool, school, None)
        .await?;
    let year = year_or_current(&state, school, query.year).await?;
    Ok(Json(json!({
        "teaching": state.store.teaching_assignments(school, year).await?,
        "homeroom": state.store.homeroom_assignments(school, year).await?,
    })))
}

#[derive(Deserialize)]
struct TeachingBody {
    semester: u8,
    class_id: ClassId,
    subject_id: SubjectId,
    staff_id: StaffId,
}

async fn assign_teaching(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(school): Path<SchoolId>,
    ApiJson(body): ApiJson<TeachingBody>,
) -> ApiResult {
    user.authorise(&state, Action::ManageSchool, school, None)
        .await?;
    let year = state.store.current_year(school).await?.id;
    state
        .store
        .assign_teaching(
            &actor(&user),
            school,
            year,
            body.semester,
            body.class_id,
            body.subject_id,
            body.staff_id,
        )
        .await?;
    Ok(Json(json!({"ok": true})))
}

#[derive(Deserialize)]
struct HomeroomBody {
    class_id: ClassId,
    staff_id: StaffId,
}

async fn assign_homeroom(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(school): Path<SchoolId>,
    ApiJson(body): ApiJson<HomeroomBody>,
) -> ApiResult {
    user.authorise(&state, Action::ManageSchool, school, None)
        .await?;
    let year = state.store.current_year(school).await?.id;
    state
        .store
        .assign_homeroom(&actor(&user), school, year, body.class_id, body.staff_id)
        .await?;
    Ok(Json(json!({"ok": true})))
}

async fn accounts(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(school): Path<SchoolId>,
) -> ApiResult {
    user.authorise(&state, Action::ManageAccounts, school, None)
        .await?;
    Ok(Json(json!(
        state.store.accounts_in_unit(school.into()).await?
    )))
}

#[derive(Deserialize)]
struct NewAccountBody {
    username: String,
    password: String,
    display_name: String,
    roles: Vec<String>,
    staff_id: Option<StaffId>,
}

async fn create_account(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(school): Path<SchoolId>,
    ApiJson(body): ApiJson<NewAccountBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    user.authorise(&state, Action::ManageAccounts, school, None)
        .await?;
    let id = crate::accounts::create_school_account(
        &state,
        &user,
        school,
        &body.username,
        &body.password,
        &body.display_name,
        &body.roles,
        body.staff_id,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(json!({"id": id}))))
}

#[derive(Deserialize)]
struct ResetBody {
    password: String,
}

async fn reset_password(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, target)): Path<(SchoolId, UserId)>,
    ApiJson(body): ApiJson<ResetBody>,
) -> ApiResult {
    user.authorise(&state, Action::ManageAccounts, school, None)
        .await?;
    crate::accounts::reset_school_password(&state, &user, school, target, &body.password).await?;
    Ok(Json(json!({"ok": true})))
}

#[derive(Deserialize)]
struct AuditParams {
    entity: Option<String>,
    entity_id: Option<i64>,
    limit: Option<i64>,
}

async fn audit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(school): Path<SchoolId>,
    Query(query): Query<AuditParams>,
) -> ApiResult {
    user.authorise(&state, Action::ViewAudit, school, None)
        .await?;
    let entries = state
        .store
        .audit_entries(
            UnitId::from(school),
            &AuditQuery {
                entity: query.entity,
                entity_id: query.entity_id,
                limit: query.limit.unwrap_or(200),
            },
        )
        .await?;
    Ok(Json(json!(entries)))
}

/// Roles a school admin may grant inside the school.
pub(crate) fn school_roles(codes: &[String], school: SchoolId) -> Result<Vec<RoleGrant>, AppError> {
    codes
        .iter()
        .map(|code| match Role::from_code(code) {
            Some(role) if role.held_in_school() => Ok(RoleGrant { role, unit: school.into() }),
            _ => Err(AppError::BadRequest(format!(
                "Vai trò “{code}” không cấp được trong trường; chọn admin, leader, homeroom_teacher hoặc subject_teacher."
            ))),
        })
        .collect()
}
