//! Pages: login, home per role, school, classes, class lists, students,
//! staff, Excel import, accounts, audit.

use super::layout::{csrf, draft_from_form, flash, page, record_fields};
use crate::api::{check_login, start_session, visible_schools, year_or_current};
use crate::error::AppError;
use crate::import::{ImportReport, import_staff_file, import_student_file};
use crate::session::{CurrentUser, SESSION_COOKIE, SubmittedForm, Upload};
use crate::{AppState, SESSION_LIFETIME};
use axum::Router;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use hocba_domain::access::{Action, Target};
use hocba_domain::class::{ClassDefinition, ClassDraft};
use hocba_domain::school::SchoolProfile;
use hocba_domain::staff::{FIELDS as STAFF_FIELDS, StaffProfile};
use hocba_domain::student::{EnrolmentStatus, FIELDS as STUDENT_FIELDS, StudentProfile};
use hocba_domain::{ClassId, FieldErrors, SchoolId, StaffId, StudentId};
use hocba_storage::{SessionKind, StudentFilter};
use maud::{Markup, html};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::net::SocketAddr;

type PageResult = Result<Response, AppError>;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/password", get(password_page).post(change_password))
        .route("/schools/{school}", get(school_page))
        .route(
            "/schools/{school}/profile",
            get(profile_page).post(save_profile),
        )
        .route(
            "/schools/{school}/classes",
            get(classes_page).post(create_class),
        )
        .route("/schools/{school}/classes/{class}", get(class_page))
        .route(
            "/schools/{school}/classes/{class}/remove",
            post(remove_class),
        )
        .route("/schools/{school}/students", get(students_page))
        .route(
            "/schools/{school}/students/new",
            get(new_student_page).post(create_student),
        )
        .route(
            "/schools/{school}/students/{student}",
            get(student_page).post(save_student),
        )
        .route(
            "/schools/{school}/students/import",
            get(import_page).post(import_upload),
        )
        .route("/schools/{school}/students.xlsx", get(students_xlsx))
        .route("/schools/{school}/staff", get(staff_page))
        .route(
            "/schools/{school}/staff/{staff}",
            get(staff_member_page).post(save_staff),
        )
        .route("/schools/{school}/staff/import", post(import_staff_upload))
        .route("/schools/{school}/staff.xlsx", get(staff_xlsx))
        .route(
            "/schools/{school}/accounts",
            get(accounts_page).post(create_account),
        )
        .route(
            "/schools/{school}/accounts/{user}/reset",
            post(reset_password),
        )
        .route("/schools/{school}/audit", get(audit_page))
}

fn html_response(markup: Markup) -> Response {
    markup.into_response()
}

#[derive(Deserialize, Default)]
pub(crate) struct Notice {
    ok: Option<String>,
}

pub(crate) fn notice_text(notice: &Notice) -> Option<&'static str> {
    match notice.ok.as_deref() {
        Some("saved") => Some("Đã lưu."),
        Some("created") => Some("Đã thêm mới."),
        Some("removed") => Some("Đã xóa."),
        Some("password") => Some("Đã đổi mật khẩu."),
        _ => None,
    }
}

async fn login_page(user: Option<CurrentUser>) -> Response {
    if user.is_some() {
        return Redirect::to("/").into_response();
    }
    html_response(login_form(None, ""))
}

fn login_form(error: Option<&str>, username: &str) -> Markup {
    page(
        "Đăng nhập",
        None,
        html! {
            h1 { "Đăng nhập hocba" }
            @if let Some(error) = error { div.flash.error role="alert" { (error) } }
            form.card method="post" action="/login" style="max-width:420px" {
                label for="username" { "Tên đăng nhập" }
                input id="username" name="username" value=(username) autocomplete="username" required autofocus;
                label for="password" style="margin-top:.6rem" { "Mật khẩu" }
                input id="password" name="password" type="password" autocomplete="current-password" required;
                div.actions { button type="submit" { "Đăng nhập" } }
                p.why { "Quên mật khẩu? Hãy nhờ quản trị viên của trường đặt lại mật khẩu." }
            }
        },
    )
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
}

async fn login(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: axum::http::HeaderMap,
    axum::Form(form): axum::Form<LoginForm>,
) -> Response {
    // Login CSRF: another site must not sign a browser into an account of its choosing.
    if !crate::session::same_origin(&headers) {
        let error = AppError::Forbidden(hocba_domain::access::Denied {
            reason: "Yêu cầu đăng nhập bị từ chối vì không gửi từ trang đăng nhập của hocba."
                .into(),
            remedy: "Hãy mở trang đăng nhập của hocba rồi đăng nhập lại.".into(),
        });
        return error.into_response();
    }
    match check_login(&state, client, &form.username, &form.password).await {
        Ok(account) => match start_session(&state, account.id, SessionKind::Browser).await {
            Ok(token) => {
                // Secure when served over TLS: configured, or said by the TLS proxy in front.
                let behind_tls = headers
                    .get("x-forwarded-proto")
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|proto| proto.eq_ignore_ascii_case("https"));
                let secure = if state.secure_cookies || behind_tls {
                    "; Secure"
                } else {
                    ""
                };
                let cookie = format!(
                    "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
                    SESSION_LIFETIME.as_secs()
                );
                let target = if account.must_change_password {
                    "/password"
                } else {
                    "/"
                };
                ([(header::SET_COOKIE, cookie)], Redirect::to(target)).into_response()
            }
            Err(error) => error.into_response(),
        },
        Err(error) => (
            error.status(),
            html_response(login_form(Some(&error.message()), &form.username)),
        )
            .into_response(),
    }
}

async fn logout(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    form: SubmittedForm,
) -> Response {
    let _ = form.user;
    let token = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| {
            pair.trim()
                .strip_prefix(&format!("{SESSION_COOKIE}="))
                .map(str::to_owned)
        });
    if let Some(token) = token {
        let _ = state
            .store
            .delete_session(&hocba_auth::token_hash(&token))
            .await;
    }
    let cookie = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    ([(header::SET_COOKIE, cookie)], Redirect::to("/login")).into_response()
}

async fn password_page(user: CurrentUser, Query(notice): Query<Notice>) -> Response {
    html_response(password_form(&user, None, notice_text(&notice)))
}

fn password_form(user: &CurrentUser, error: Option<&str>, ok: Option<&str>) -> Markup {
    page(
        "Đổi mật khẩu",
        Some(user),
        html! {
            h1 { "Đổi mật khẩu" }
            (flash(ok))
            @if user.account.must_change_password {
                div.flash.error { "Mật khẩu của bạn do quản trị viên đặt; hãy đổi sang mật khẩu của riêng bạn trước khi làm việc." }
            }
            @if let Some(error) = error { div.flash.error role="alert" { (error) } }
            form.card method="post" action="/password" style="max-width:420px" {
                (csrf(user))
                label { "Mật khẩu hiện tại" input name="current" type="password" autocomplete="current-password" required; }
                label { "Mật khẩu mới (ít nhất 8 ký tự, có chữ và số)" input name="new" type="password" autocomplete="new-password" required; }
                div.actions { button type="submit" { "Đổi mật khẩu" } }
            }
        },
    )
}

async fn change_password(State(state): State<AppState>, form: SubmittedForm) -> Response {
    let current = form.get("current").unwrap_or_default().to_owned();
    let new = form.get("new").unwrap_or_default().to_owned();
    match crate::accounts::change_own_password(&state, &form.user, &current, &new).await {
        // The password change ended every session: sign in again.
        Ok(()) => Redirect::to("/login").into_response(),
        Err(error) => (
            error.status(),
            html_response(password_form(&form.user, Some(&error.message()), None)),
        )
            .into_response(),
    }
}

async fn home(State(state): State<AppState>, user: Option<CurrentUser>) -> PageResult {
    let Some(user) = user else {
        return Ok(Redirect::to("/login").into_response());
    };
    let schools = visible_schools(&state, &user).await?;
    let units = crate::units::managed_units(&state, &user).await?;
    if schools.len() == 1 && units.is_empty() {
        return Ok(Redirect::to(&format!("/schools/{}", schools[0].id)).into_response());
    }
    let roles: Vec<&str> = user.account.grants.iter().map(|g| g.role.label()).collect();
    Ok(html_response(page(
        "Trang chủ",
        Some(&user),
        html! {
            h1 { "Xin chào, " (user.account.display_name) }
            p.muted { "Vai trò: " (roles.join(", ")) }
            @if !units.is_empty() {
                h2 { "Đơn vị quản lý" }
                ul { @for unit in &units { li { a href={"/units/" (unit.id)} { (unit.name) } } } }
            }
            h2 { "Các trường bạn được xem" }
            @if schools.is_empty() {
                p.why { "Tài khoản của bạn chưa được gắn với trường nào. Hãy nhờ quản trị viên cấp vai trò cho tài khoản." }
            }
            div.wrap { table {
                thead { tr { th { "Trường" } th { "Cấp học" } th { "Đơn vị quản lý" } } }
                tbody { @for school in &schools { tr {
                    td { a href={"/schools/" (school.id)} { (school.name) } }
                    td { (school.levels.iter().map(|l| l.label()).collect::<Vec<_>>().join(", ")) }
                    td { (school.parent_name.clone().unwrap_or_default()) }
                } } }
            } }
        },
    )))
}

/// The navigation of a school's pages, showing only what the user may open.
pub(crate) fn school_nav(user: &CurrentUser, school: SchoolId, target: &Target) -> Markup {
    html! {
        nav.actions {
            a.button.secondary href={"/schools/" (school)} { "Tổng quan" }
            a.button.secondary href={"/schools/" (school) "/profile"} { "Thông tin trường" }
            a.button.secondary href={"/schools/" (school) "/years"} { "Năm học" }
            a.button.secondary href={"/schools/" (school) "/campuses"} { "Điểm trường" }
            a.button.secondary href={"/schools/" (school) "/subjects"} { "Môn học" }
            a.button.secondary href={"/schools/" (school) "/classes"} { "Lớp học" }
            @if user.may(Action::ViewStudents, target) { a.button.secondary href={"/schools/" (school) "/students"} { "Học sinh" } }
            a.button.secondary href={"/schools/" (school) "/staff"} { "Cán bộ, giáo viên" }
            @if user.may(Action::ManageAccounts, target) { a.button.secondary href={"/schools/" (school) "/accounts"} { "Tài khoản" } }
            @if user.may(Action::ViewSigningAccounts, target) {
                a.button.secondary href={"/schools/" (school) "/signing"} { "Tài khoản ký" }
            } @else if user.may(Action::RegisterSigningAccount, target) {
                a.button.secondary href={"/schools/" (school) "/signing-account"} { "Tài khoản ký của tôi" }
            }
            @if user.may(Action::ViewExams, target) { a.button.secondary href={"/schools/" (school) "/exams"} { "Kỳ thi" } }
            @if user.may(Action::ManageLmsClients, target) { a.button.secondary href={"/schools/" (school) "/lms-clients"} { "Ứng dụng LMS" } }
            @if user.may(Action::ViewAudit, target) { a.button.secondary href={"/schools/" (school) "/audit"} { "Nhật ký" } }
        }
    }
}

async fn school_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(school): Path<SchoolId>,
) -> PageResult {
    let target = user
        .authorise(&state, Action::ViewSchool, school, None)
        .await?;
    let row = state.store.school(school).await?;
    let years = state.store.school_years(school).await?;
    let classes = match years.first() {
        Some(year) => state.store.classes(school, year.id).await?,
        None => Vec::new(),
    };
    let students: i64 = classes.iter().map(|c| c.student_count).sum();
    // What this person does here: the classes in their charge and what they teach.
    let staff = user
        .account
        .staff_id
        .filter(|_| user.account.home_unit == school.into());
    let homeroom: Vec<&hocba_storage::ClassRow> = classes
        .iter()
        .filter(|c| staff.is_some() && c.homeroom_staff_id == staff)
        .collect();
    let teaching = match (staff, years.first()) {
        (Some(staff), Some(year)) => state
            .store
            .teaching_assignments(school, year.id)
            .await?
            .into_iter()
            .filter(|a| a.staff_id == staff)
            .collect(),
        _ => Vec::new(),
    };
    Ok(html_response(page(
        &row.name,
        Some(&user),
        html! {
            h1 { (row.name) }
            (school_nav(&user, school, &target))
            @if !homeroom.is_empty() {
                h2 { "Lớp chủ nhiệm" }
                ul { @for class in &homeroom { li { a href={"/schools/" (school) "/classes/" (class.id)} { "Lớp " (class.name) } " · " (class.student_count) " học sinh" } } }
            }
            @if !teaching.is_empty() {
                h2 { "Phân công giảng dạy" }
                div.wrap { table {
                    thead { tr { th { "Lớp" } th { "Môn học" } th { "Học kỳ" } th { "Sổ điểm" } } }
                    tbody { @for assignment in &teaching { tr {
                        td { a href={"/schools/" (school) "/classes/" (assignment.class_id)} { (assignment.class_name) } }
                        td { (assignment.subject_name) }
                        td { (if assignment.semester == 1 { "I" } else { "II" }) }
                        td { a href={"/schools/" (school) "/gradebook/" (assignment.class_id) "/" (assignment.subject_id) "/" (assignment.semester)} { "Nhập điểm" } }
                    } } }
                } }
            }
            div.card {
                p { "Năm học hiện tại: " strong { (years.first().map(|y| y.label.clone()).unwrap_or_else(|| "chưa có".into())) } }
                p { "Số lớp: " strong { (classes.len()) } " · Số học sinh đang học: " strong { (students) } }
                @if years.is_empty() { p.why { "Trường chưa có năm học nào: quản trị viên tạo năm học trước, rồi mới thêm lớp và học sinh." } }
            }
        },
    )))
}

async fn profile_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(school): Path<SchoolId>,
    Query(notice): Query<Notice>,
) -> PageResult {
    let target = user
        .authorise(&state, Action::ViewSchool, school, None)
        .await?;
    let row = state.store.school(school).await?;
    Ok(html_response(profile_form(
        &user,
        &target,
        &row,
        &row.profile,
        &FieldErrors::default(),
        notice_text(&notice),
    )))
}

fn profile_form(
    user: &CurrentUser,
    target: &Target,
    row: &hocba_storage::SchoolRow,
    values: &hocba_domain::form::Draft,
    errors: &FieldErrors,
    ok: Option<&str>,
) -> Markup {
    let editable = user.may(Action::ManageSchool, target);
    page(
        "Thông tin trường",
        Some(user),
        html! {
            h1 { "Thông tin trường" }
            (school_nav(user, row.id, target))
            (flash(ok))
            @if !errors.is_empty() { div.flash.error role="alert" { "Chưa lưu: hãy sửa các ô báo lỗi bên dưới." } }
            @if !editable { p.why { "Bạn chỉ được xem: chỉ quản trị viên của trường sửa được thông tin trường." } }
            form method="post" action={"/schools/" (row.id) "/profile"} {
                (csrf(user))
                input type="hidden" name="version" value=(row.version);
                fieldset disabled[!editable] style="border:0;padding:0" {
                    (record_fields(&hocba_domain::school::FIELDS, values, &errors.0, true))
                    div.actions { button type="submit" { "Lưu" } }
                }
            }
        },
    )
}

async fn save_profile(
    State(state): State<AppState>,
    Path(school): Path<SchoolId>,
    form: SubmittedForm,
) -> PageResult {
    let target = form
        .user
        .authorise(&state, Action::ManageSchool, school, None)
        .await?;
    let draft = draft_from_form(&hocba_domain::school::FIELDS, &form.fields);
    let version: i64 = form
        .get("version")
        .and_then(|v| v.parse().ok())
        .unwrap_or_default();
    match SchoolProfile::validate(&draft) {
        Ok(profile) => {
            state
                .store
                .update_school_profile(&crate::api::actor(&form.user), school, version, &profile)
                .await?;
            Ok(Redirect::to(&format!("/schools/{school}/profile?ok=saved")).into_response())
        }
        Err(errors) => {
            let row = state.store.school(school).await?;
            Ok(html_response(profile_form(
                &form.user, &target, &row, &draft, &errors, None,
            )))
        }
    }
}

async fn classes_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(school): Path<SchoolId>,
    Query(notice): Query<Notice>,
) -> PageResult {
    let target = user
        .authorise(&state, Action::ViewSchool, school, None)
        .await?;
    Ok(html_response(
        classes_view(&state, &user, &target, school, None, notice_text(&notice)).await?,
    ))
}

async fn classes_view(
    state: &AppState,
    user: &CurrentUser,
    target: &Target,
    school: SchoolId,
    error: Option<String>,
    ok: Option<&str>,
) -> Result<Markup, AppError> {
    let year = state.store.current_year(school).await?;
    let classes = state.store.classes(school, year.id).await?;
    let manage = user.may(Action::ManageSchool, target);
    Ok(page(
        "Lớp học",
        Some(user),
        html! {
            h1 { "Lớp học năm " (year.label) }
            (school_nav(user, school, target))
            (flash(ok))
            @if let Some(error) = error { div.flash.error role="alert" { (error) } }
            div.wrap { table {
                thead { tr { th { "Lớp" } th { "Khối" } th { "Sĩ số" } th { "GVCN" } th { "Trạng thái" } @if manage { th { "Thao tác" } } } }
                tbody { @for class in &classes { tr {
                    td { a href={"/schools/" (school) "/classes/" (class.id)} { (class.name) } }
                    td { (class.grade.value()) }
                    td { (class.student_count) }
                    td { (class.homeroom_name.clone().unwrap_or_else(|| "chưa phân công".into())) }
                    td { (class.status.label()) }
                    @if manage { td {
                        form.inline method="post" action={"/schools/" (school) "/classes/" (class.id) "/remove"} {
                            (csrf(user))
                            button.secondary name="mode" value="dissolve" type="submit" { "Giải thể" }
                            " "
                            button.danger name="mode" value="delete" type="submit" { "Xóa" }
                        }
                    } }
                } } }
            } }
            @if manage {
                h2 { "Thêm lớp" }
                form.card method="post" action={"/schools/" (school) "/classes"} {
                    (csrf(user))
                    div.grid {
                        label { "Tên lớp" input name="name" placeholder="10A1" required; }
                        label { "Khối" input name="grade" inputmode="numeric" required; }
                        label { "Số buổi học/tuần" input name="sessions_per_week" inputmode="numeric"; }
                    }
                    div.actions { button type="submit" { "Thêm lớp" } }
                }
            } @else {
                p.why { "Chỉ quản trị viên của trường thêm, sửa, giải thể hoặc xóa lớp." }
            }
        },
    ))
}

async fn create_class(
    State(state): State<AppState>,
    Path(school): Path<SchoolId>,
    form: SubmittedForm,
) -> PageResult {
    let target = form
        .user
        .authorise(&state, Action::ManageSchool, school, None)
        .await?;
    let draft = ClassDraft {
        name: form.get("name").unwrap_or_default().to_owned(),
        grade: form.get("grade").and_then(|g| g.parse().ok()).unwrap_or(0),
        campus_id: None,
        sessions_per_week: form.get("sessions_per_week").and_then(|s| s.parse().ok()),
    };
    let result = match ClassDefinition::validate(&draft) {
        Ok(definition) => {
            let year = state.store.current_year(school).await?;
            state
                .store
                .save_class(
                    &crate::api::actor(&form.user),
                    school,
                    year.id,
                    None,
                    &definition,
                )
                .await
                .map_err(AppError::from)
        }
        Err(errors) => Err(AppError::Invalid(errors)),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/schools/{school}/classes?ok=created")).into_response()),
        Err(error) => Ok(html_response(
            classes_view(
                &state,
                &form.user,
                &target,
                school,
                Some(error.message()),
                None,
            )
            .await?,
        )),
    }
}

async fn remove_class(
    State(state): State<AppState>,
    Path((school, class)): Path<(SchoolId, ClassId)>,
    form: SubmittedForm,
) -> PageResult {
    let target = form
        .user
        .authorise(&state, Action::ManageSchool, school, None)
        .await?;
    let delete = form.get("mode") == Some("delete");
    match state
        .store
        .remove_class(&crate::api::actor(&form.user), school, class, delete)
        .await
    {
        Ok(()) => {
            Ok(Redirect::to(&format!("/schools/{school}/classes?ok=removed")).into_response())
        }
        Err(error) => {
            let error = AppError::from(error);
            Ok(html_response(
                classes_view(
                    &state,
                    &form.user,
                    &target,
                    school,
                    Some(error.message()),
                    None,
                )
                .await?,
            ))
        }
    }
}

async fn class_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, class)): Path<(SchoolId, ClassId)>,
    Query(notice): Query<Notice>,
) -> PageResult {
    let target = user
        .authorise(&state, Action::ViewStudents, school, Some(class))
        .await?;
    let row = state.store.class(school, class).await?;
    let filter = StudentFilter {
        class: Some(class),
        ..Default::default()
    };
    let students = state
        .store
        .students(school, row.school_year_id, &filter)
        .await?;
    let campuses = state.store.campuses(school).await?;
    // A primary class: the subjects the user is assigned to teach in it
    // (their pages of the primary book).
    let taught: Vec<(hocba_domain::SubjectId, String)> =
        if row.grade.value() <= 5 && user.principal.teaching.iter().any(|a| a.class == class) {
            state
                .store
                .subjects(school, row.school_year_id, Some(row.grade))
                .await?
                .into_iter()
                .filter(|s| user.principal.teaches(class, s.id, None))
                .map(|s| (s.id, s.name))
                .collect()
        } else {
            Vec::new()
        };
    Ok(html_response(page(
        &format!("Lớp {}", row.name),
        Some(&user),
        html! {
            h1 { "Lớp " (row.name) }
            (school_nav(&user, school, &target))
            (flash(notice_text(&notice)))
            p { "GVCN: " (row.homeroom_name.clone().unwrap_or_else(|| "chưa phân công".into())) " · Sĩ số: " (row.student_count) }
            @if row.grade.value() <= 5 {
                // Primary classes have no sổ điểm: TT27 assesses by levels at four milestones.
                p.actions {
                    @for milestone in hocba_domain::primary::Milestone::ALL {
                        a.button href={"/schools/" (school) "/classes/" (class) "/primary/" (milestone.key())} { "Đánh giá " (milestone.vietnamese()) }
                    }
                }
                @for (subject, name) in &taught {
                    p.actions { "Môn " (name) " (bạn được phân công): "
                        @for milestone in hocba_domain::primary::Milestone::ALL {
                            a.button.secondary href={"/schools/" (school) "/classes/" (class) "/primary/" (milestone.key()) "/subjects/" (subject)} { (milestone.vietnamese()) }
                        }
                    }
                }
            } @else {
                p.actions { a.button href={"/schools/" (school) "/classes/" (class) "/gradebook"} { "Sổ điểm của lớp" } }
            }
            @if user.may(Action::ManageSchool, &target) { (super::planning::class_edit_form(&user, school, &row, &campuses)) }
            p.muted { "Sắp xếp theo tên, rồi họ đệm, theo thứ tự chữ cái tiếng Việt." }
            (student_table(school, &students))
        },
    )))
}

fn student_table(school: SchoolId, students: &[hocba_storage::StudentListRow]) -> Markup {
    html! {
        div.wrap { table id="students" {
            thead { tr { th { "STT" } th { "Họ và tên" } th { "Ngày sinh" } th { "Giới tính" } th { "Lớp" } th { "Mã định danh Bộ GD&ĐT" } th { "Trạng thái" } } }
            tbody { @for (index, student) in students.iter().enumerate() { tr {
                td { (index + 1) }
                td { a href={"/schools/" (school) "/students/" (student.id)} { (student.full_name) } }
                td { (student.birth_date) }
                td { (student.sex) }
                td { (student.class_name) }
                td { @if let Some(code) = &student.moet_code { (code) } @else { span.why title="Mã do CSDL ngành cấp sau khi trường nộp hồ sơ học sinh" { "chưa có" } } }
                td { (student.status.label()) }
            } } }
        } }
    }
}

#[derive(Deserialize, Default)]
struct StudentSearch {
    q: Option<String>,
    class: Option<String>,
    status: Option<String>,
}

async fn students_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(school): Path<SchoolId>,
    Query(search): Query<StudentSearch>,
    Query(notice): Query<Notice>,
) -> PageResult {
    let target = user
        .authorise(&state, Action::ViewStudents, school, None)
        .await?;
    let year = state.store.current_year(school).await?;
    let classes = state.store.classes(school, year.id).await?;
    let class = search
        .class
        .as_deref()
        .and_then(|c| c.parse().ok())
        .map(ClassId);
    let status = search
        .status
        .as_deref()
        .and_then(EnrolmentStatus::from_code);
    let filter = StudentFilter {
        class,
        query: search.q.clone(),
        status,
    };
    let students = state.store.students(school, year.id, &filter).await?;
    let manage = user.may(Action::ManageStudents, &target);
    Ok(html_response(page(
        "Học sinh",
        Some(&user),
        html! {
            h1 { "Học sinh năm " (year.label) }
            (school_nav(&user, school, &target))
            (flash(notice_text(&notice)))
            form.card method="get" {
                div.grid {
                    label { "Tìm theo tên hoặc mã (gõ có dấu hay không dấu đều được)" input name="q" value=(search.q.clone().unwrap_or_default()); }
                    label { "Lớp" select name="class" {
                        option value="" { "Tất cả" }
                        @for c in &classes { option value=(c.id) selected[Some(c.id) == class] { (c.name) } }
                    } }
                    label { "Trạng thái" select name="status" {
                        option value="" { "Tất cả" }
                        @for s in EnrolmentStatus::ALL { option value=(s.code()) selected[Some(s) == status] { (s.label()) } }
                    } }
                }
                div.actions { button type="submit" { "Lọc" } }
            }
            @if manage {
                div.actions {
                    a.button href={"/schools/" (school) "/students/new"} { "Thêm học sinh" }
                    a.button.secondary href={"/schools/" (school) "/students/import"} { "Nhập từ Excel" }
                    a.button.secondary href={"/schools/" (school) "/students.xlsx"} { "Tải danh sách (Excel)" }
                }
            }
            p.muted { (students.len()) " học sinh" }
            (student_table(school, &students))
        },
    )))
}

async fn new_student_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(school): Path<SchoolId>,
) -> PageResult {
    user.authorise(&state, Action::ManageStudents, school, None)
        .await?;
    Ok(html_response(
        new_student_form(
            &state,
            &user,
            school,
            &BTreeMap::new(),
            &FieldErrors::default(),
        )
        .await?,
    ))
}

async fn new_student_form(
    state: &AppState,
    user: &CurrentUser,
    school: SchoolId,
    values: &BTreeMap<String, String>,
    errors: &FieldErrors,
) -> Result<Markup, AppError> {
    let year = state.store.current_year(school).await?;
    let classes = state.store.classes(school, year.id).await?;
    Ok(page(
        "Thêm học sinh",
        Some(user),
        html! {
            h1 { "Thêm học sinh" }
            @if !errors.is_empty() { div.flash.error role="alert" { "Chưa lưu: " (errors.to_string()) } }
            form method="post" action={"/schools/" (school) "/students/new"} {
                (csrf(user))
                div.card { label { "Lớp *" select name="class_id" required {
                    @for c in classes.iter().filter(|c| c.status == hocba_domain::class::ClassStatus::Active) {
                        option value=(c.id) selected[values.get("class_id") == Some(&c.id.to_string())] { (c.name) }
                    }
                } } }
                details.card {
                    summary { "Học sinh chuyển đến từ trường khác" }
                    div.grid {
                        label { "Ngày chuyển đến" input name="transfer_date" value=(values.get("transfer_date").cloned().unwrap_or_default()) placeholder="ngày/tháng/năm"; }
                        label { "Chuyển từ trường" input name="transfer_from" value=(values.get("transfer_from").cloned().unwrap_or_default()); }
                        label { "Lý do" input name="transfer_reason" value=(values.get("transfer_reason").cloned().unwrap_or_default()); }
                    }
                }
                (record_fields(&STUDENT_FIELDS, values, &errors.0, true))
                div.actions { button type="submit" { "Lưu" } }
            }
        },
    ))
}

async fn create_student(
    State(state): State<AppState>,
    Path(school): Path<SchoolId>,
    form: SubmittedForm,
) -> PageResult {
    form.user
        .authorise(&state, Action::ManageStudents, school, None)
        .await?;
    let draft = draft_from_form(&STUDENT_FIELDS, &form.fields);
    let class = form
        .get("class_id")
        .and_then(|c| c.parse().ok())
        .map(ClassId);
    let result = match (StudentProfile::validate(&draft), class) {
        (Ok(profile), Some(class)) => {
            let year = year_or_current(&state, school, None).await?;
            state
                .store
                .create_student(
                    &crate::api::actor(&form.user),
                    school,
                    year,
                    class,
                    &profile,
                    None,
                )
                .await
                .map_err(AppError::from)
        }
        (Err(errors), _) => Err(AppError::Invalid(errors)),
        (_, None) => Err(AppError::BadRequest("Hãy chọn lớp cho học sinh.".into())),
    };
    match result {
        Ok(id) => Ok(
            Redirect::to(&format!("/schools/{school}/students/{id}?ok=created")).into_response(),
        ),
        Err(AppError::Invalid(errors)) => {
            let mut values = draft.clone();
            values.extend(
                form.fields
                    .get("class_id")
                    .map(|c| ("class_id".to_owned(), c.clone())),
            );
            Ok(html_response(
                new_student_form(&state, &form.user, school, &values, &errors).await?,
            ))
        }
        Err(error) => Err(error),
    }
}

async fn student_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, student)): Path<(SchoolId, StudentId)>,
    Query(notice): Query<Notice>,
) -> PageResult {
    user.authorise(&state, Action::ViewStudents, school, None)
        .await?;
    let row = state.store.student(school, student).await?;
    Ok(html_response(
        student_form(
            &state,
            &user,
            school,
            &row,
            &row.profile,
            &FieldErrors::default(),
            notice_text(&notice),
        )
        .await?,
    ))
}

async fn student_form(
    state: &AppState,
    user: &CurrentUser,
    school: SchoolId,
    row: &hocba_storage::StudentRow,
    values: &hocba_domain::form::Draft,
    errors: &FieldErrors,
    ok: Option<&str>,
) -> Result<Markup, AppError> {
    let class = row.enrolments.first().map(|e| e.class_id);
    let target = Target {
        class,
        ..state.store.target(school).await?
    };
    let personal = user.may(Action::ViewStudentPersonalData, &target);
    let editable = user.may(Action::EditStudent, &target);
    let name = row.profile.get("full_name").cloned().unwrap_or_default();
    let classes = match row.enrolments.first() {
        Some(enrolment) if user.may(Action::ManageStudents, &target) => Some(
            state
                .store
                .classes(school, enrolment.school_year_id)
                .await?,
        ),
        _ => None,
    };
    Ok(page(
        &name,
        Some(user),
        html! {
            h1 { "Hồ sơ học sinh: " (name) }
            (school_nav(user, school, &target))
            (flash(ok))
            @if !errors.is_empty() { div.flash.error role="alert" { "Chưa lưu: " (errors.to_string()) } }
            @if let Some(enrolment) = row.enrolments.first() { p { "Lớp " strong { (enrolment.class_name) } " · " (enrolment.status.label()) } }
            @if !personal { p.why { "Thông tin cá nhân (số định danh, địa chỉ, gia đình) được ẩn: chỉ quản trị viên, cán bộ quản lý và giáo viên chủ nhiệm của lớp được xem." } }
            @if !editable { p.why { "Bạn chỉ được xem hồ sơ này: quản trị viên và giáo viên chủ nhiệm của lớp mới sửa được." } }
            form method="post" action={"/schools/" (school) "/students/" (row.id)} {
                (csrf(user))
                input type="hidden" name="version" value=(row.version);
                fieldset disabled[!editable] style="border:0;padding:0" {
                    (record_fields(&STUDENT_FIELDS, values, &errors.0, personal))
                    div.actions { button type="submit" { "Lưu" } }
                }
            }
            @if let Some(classes) = classes { (super::planning::student_actions(user, school, row.id, &classes)) }
            @if !row.transfers.is_empty() {
                h2 { "Lịch sử chuyển trường" }
                table { thead { tr { th { "Loại" } th { "Ngày" } th { "Trường" } th { "Lớp" } th { "Lý do" } } }
                    tbody { @for t in &row.transfers { tr { td { (t.direction.label()) } td { (t.on_date) } td { (t.other_school) } td { (t.class_name.clone().unwrap_or_default()) } td { (t.reason.clone().unwrap_or_default()) } } } } }
            }
        },
    ))
}

async fn save_student(
    State(state): State<AppState>,
    Path((school, student)): Path<(SchoolId, StudentId)>,
    form: SubmittedForm,
) -> PageResult {
    form.user
        .authorise(&state, Action::ViewStudents, school, None)
        .await?;
    let year = year_or_current(&state, school, None).await?;
    let class = state.store.student_class(school, year, student).await?;
    let target = form
        .user
        .authorise(&state, Action::EditStudent, school, class)
        .await?;
    let row = state.store.student(school, student).await?;
    let mut draft = draft_from_form(&STUDENT_FIELDS, &form.fields);
    if !form.user.may(Action::ViewStudentPersonalData, &target) {
        // Fields the user cannot see were not in the form: keep the stored values.
        for field in STUDENT_FIELDS.iter().filter(|f| f.personal) {
            match row.profile.get(field.key) {
                Some(value) => draft.insert(field.key.to_owned(), value.clone()),
                None => draft.remove(field.key),
            };
        }
    }
    let version: i64 = form
        .get("version")
        .and_then(|v| v.parse().ok())
        .unwrap_or_default();
    match StudentProfile::validate(&draft) {
        Ok(profile) => {
            state
                .store
                .update_student(
                    &crate::api::actor(&form.user),
                    school,
                    student,
                    version,
                    &profile,
                )
                .await?;
            Ok(
                Redirect::to(&format!("/schools/{school}/students/{student}?ok=saved"))
                    .into_response(),
            )
        }
        Err(errors) => Ok(html_response(
            student_form(&state, &form.user, school, &row, &draft, &errors, None).await?,
        )),
    }
}

fn import_result(report: &ImportReport) -> Markup {
    html! {
        div.flash.(if report.applied { "ok" } else { "error" }) role="status" { (report.summary) }
        @if !report.unknown_headers.is_empty() { p.why { "Các cột không nhận ra (đã bỏ qua): " (report.unknown_headers.join(", ")) } }
        @if report.results.iter().any(|r| !r.is_ok()) {
            h2 { "Bảng kết quả nhập liệu" }
            p.why { "Tệp có dòng sai nên chưa có thay đổi nào được lưu. Hãy sửa các ô dưới đây trong tệp rồi tải lên lại." }
            @if let Ok(file) = report.error_file() {
                p { a.button.secondary download="bang-ket-qua-nhap-lieu.xlsx"
                    href={"data:application/vnd.openxmlformats-officedocument.spreadsheetml.sheet;base64," (base64::Engine::encode(&base64::engine::general_purpose::STANDARD, file))} { "Tải file lỗi (Excel)" } }
            }
            div.wrap { table id="import-errors" {
                thead { tr { th { "Dòng" } th { "Cột" } th { "Lỗi" } } }
                tbody { @for result in report.results.iter().filter(|r| !r.is_ok()) { @for error in &result.errors { tr {
                    td { (error.row_number) } td { (error.column_label) } td { (error.message) }
                } } } }
            } }
        }
    }
}

async fn import_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(school): Path<SchoolId>,
) -> PageResult {
    let target = user
        .authorise(&state, Action::ManageStudents, school, None)
        .await?;
    Ok(html_response(import_view(&user, school, &target, None)))
}

fn import_view(
    user: &CurrentUser,
    school: SchoolId,
    target: &Target,
    report: Option<&ImportReport>,
) -> Markup {
    page(
        "Nhập học sinh từ Excel",
        Some(user),
        html! {
            h1 { "Nhập hồ sơ học sinh từ Excel" }
            (school_nav(user, school, target))
            @if let Some(report) = report { (import_result(report)) }
            ol {
                li { "Tải tệp mẫu: " a href={"/schools/" (school) "/students.xlsx"} { "tệp Excel đã có sẵn dữ liệu hiện tại" } "." }
                li { "Bổ sung, sửa thông tin trong tệp (không sửa cột Mã hệ thống; dòng mới để trống cột này và ghi Lớp)." }
                li { "Chọn tệp, chọn các cột sẽ cập nhật, đánh dấu xác nhận rồi bấm Thực hiện." }
            }
            form.card method="post" enctype="multipart/form-data" action={"/schools/" (school) "/students/import"} {
                (csrf(user))
                label { "Tệp Excel (.xlsx, tối đa 10 MB)" input type="file" name="file" accept=".xlsx" required; }
                h2 { "Các cột sẽ cập nhật cho học sinh đã có" }
                p.why { "Để bảo đảm dữ liệu được cập nhật chính xác, hãy xác nhận các cột dữ liệu sẽ được cập nhật. Học sinh mới (không có Mã hệ thống) luôn lấy tất cả các cột." }
                div.grid {
                    label { input type="checkbox" name="columns" value="class_name"; " Lớp" }
                    @for field in STUDENT_FIELDS.iter() { label { input type="checkbox" name="columns" value=(field.key) checked; " " (field.label) } }
                }
                label { input type="checkbox" name="confirm" value="1" required; " Tôi đã đọc và đồng ý cập nhật dữ liệu học sinh" }
                div.actions { button type="submit" { "Thực hiện" } }
            }
        },
    )
}

async fn import_upload(
    State(state): State<AppState>,
    Path(school): Path<SchoolId>,
    upload: Upload,
) -> PageResult {
    let target = upload
        .user
        .authorise(&state, Action::ManageStudents, school, None)
        .await?;
    if upload.fields.get("confirm").map(String::as_str) != Some("1") {
        return Err(AppError::BadRequest(
            "Hãy đánh dấu “Tôi đã đọc và đồng ý cập nhật dữ liệu học sinh” trước khi thực hiện."
                .into(),
        ));
    }
    let Some((_, bytes)) = &upload.file else {
        return Err(AppError::BadRequest(
            "Hãy chọn tệp Excel (.xlsx) để tải lên.".into(),
        ));
    };
    let selected = upload.lists.get("columns").cloned().unwrap_or_default();
    let report =
        import_student_file(&state, &upload.user, school, None, bytes, Some(selected)).await?;
    Ok(html_response(import_view(
        &upload.user,
        school,
        &target,
        Some(&report),
    )))
}

async fn students_xlsx(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(school): Path<SchoolId>,
) -> PageResult {
    user.authorise(&state, Action::ManageStudents, school, None)
        .await?;
    Ok(crate::api::xlsx_response(
        crate::import::student_workbook(&state, school, None).await?,
        "hoc-sinh.xlsx",
    ))
}

async fn staff_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(school): Path<SchoolId>,
    Query(search): Query<StudentSearch>,
) -> PageResult {
    let target = user
        .authorise(&state, Action::ViewSchool, school, None)
        .await?;
    let staff = state.store.staff(school, search.q.as_deref()).await?;
    let manage = user.may(Action::ManageStaff, &target);
    Ok(html_response(page(
        "Cán bộ, giáo viên",
        Some(&user),
        html! {
            h1 { "Cán bộ, giáo viên" }
            (school_nav(&user, school, &target))
            form.card method="get" { label { "Tìm theo tên" input name="q" value=(search.q.clone().unwrap_or_default()); } div.actions { button { "Tìm" } } }
            @if manage {
                div.actions {
                    a.button href={"/schools/" (school) "/staff/new"} { "Thêm cán bộ" }
                    a.button.secondary href={"/schools/" (school) "/staff.xlsx"} { "Tải danh sách (Excel)" }
                }
                form.card method="post" enctype="multipart/form-data" action={"/schools/" (school) "/staff/import"} {
                    (csrf(&user))
                    label { "Nhập từ Excel (.xlsx): cập nhật mọi cột của tệp" input type="file" name="file" accept=".xlsx" required; }
                    label { input type="checkbox" name="confirm" value="1" required; " Tôi đã đọc và đồng ý cập nhật dữ liệu cán bộ" }
                    div.actions { button type="submit" { "Thực hiện" } }
                }
            }
            div.wrap { table {
                thead { tr { th { "Họ và tên" } th { "Chức vụ" } th { "Môn dạy chính" } } }
                tbody { @for member in &staff { tr {
                    td { a href={"/schools/" (school) "/staff/" (member.id)} { (member.full_name) } }
                    td { (member.profile.get("position").cloned().unwrap_or_default()) }
                    td { (member.profile.get("main_subject").cloned().unwrap_or_default()) }
                } } }
            } }
        },
    )))
}

async fn staff_member_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, staff)): Path<(SchoolId, StaffId)>,
    Query(notice): Query<Notice>,
) -> PageResult {
    let target = user
        .authorise(&state, Action::ViewSchool, school, None)
        .await?;
    let row = state.store.staff_member(school, staff).await?;
    Ok(html_response(staff_form(
        &user,
        school,
        &target,
        &row,
        &row.profile,
        &FieldErrors::default(),
        notice_text(&notice),
    )))
}

fn staff_form(
    user: &CurrentUser,
    school: SchoolId,
    target: &Target,
    row: &hocba_storage::StaffRow,
    values: &hocba_domain::form::Draft,
    errors: &FieldErrors,
    ok: Option<&str>,
) -> Markup {
    let editable = user.may(Action::ManageStaff, target);
    page(
        &row.full_name,
        Some(user),
        html! {
            h1 { "Hồ sơ cán bộ: " (row.full_name) }
            (school_nav(user, school, target))
            (flash(ok))
            @if !errors.is_empty() { div.flash.error role="alert" { "Chưa lưu: " (errors.to_string()) } }
            @if !editable { p.why { "Bạn chỉ được xem: chỉ quản trị viên của trường sửa được hồ sơ cán bộ." } }
            form method="post" action={"/schools/" (school) "/staff/" (row.id)} {
                (csrf(user))
                input type="hidden" name="version" value=(row.version);
                fieldset disabled[!editable] style="border:0;padding:0" {
                    (record_fields(&STAFF_FIELDS, values, &errors.0, editable))
                    div.actions { button type="submit" { "Lưu" } }
                }
            }
        },
    )
}

async fn save_staff(
    State(state): State<AppState>,
    Path((school, staff)): Path<(SchoolId, StaffId)>,
    form: SubmittedForm,
) -> PageResult {
    let target = form
        .user
        .authorise(&state, Action::ManageStaff, school, None)
        .await?;
    let draft = draft_from_form(&STAFF_FIELDS, &form.fields);
    let version: i64 = form
        .get("version")
        .and_then(|v| v.parse().ok())
        .unwrap_or_default();
    match StaffProfile::validate(&draft) {
        Ok(profile) => {
            state
                .store
                .save_staff(
                    &crate::api::actor(&form.user),
                    school,
                    Some((staff, version)),
                    &profile,
                )
                .await?;
            Ok(Redirect::to(&format!("/schools/{school}/staff/{staff}?ok=saved")).into_response())
        }
        Err(errors) => {
            let row = state.store.staff_member(school, staff).await?;
            Ok(html_response(staff_form(
                &form.user, school, &target, &row, &draft, &errors, None,
            )))
        }
    }
}

async fn import_staff_upload(
    State(state): State<AppState>,
    Path(school): Path<SchoolId>,
    upload: Upload,
) -> PageResult {
    let target = upload
        .user
        .authorise(&state, Action::ManageStaff, school, None)
        .await?;
    let Some((_, bytes)) = &upload.file else {
        return Err(AppError::BadRequest(
            "Hãy chọn tệp Excel (.xlsx) để tải lên.".into(),
        ));
    };
    let report = import_staff_file(&state, &upload.user, school, bytes, None).await?;
    Ok(html_response(page(
        "Nhập cán bộ từ Excel",
        Some(&upload.user),
        html! { h1 { "Nhập cán bộ từ Excel" } (school_nav(&upload.user, school, &target)) (import_result(&report)) p { a href={"/schools/" (school) "/staff"} { "← Danh sách cán bộ" } } },
    )))
}

async fn staff_xlsx(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(school): Path<SchoolId>,
) -> PageResult {
    user.authorise(&state, Action::ManageStaff, school, None)
        .await?;
    Ok(crate::api::xlsx_response(
        crate::import::staff_workbook(&state, school).await?,
        "can-bo.xlsx",
    ))
}

async fn accounts_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(school): Path<SchoolId>,
    Query(notice): Query<Notice>,
) -> PageResult {
    let target = user
        .authorise(&state, Action::ManageAccounts, school, None)
        .await?;
    Ok(html_response(
        accounts_view(&state, &user, school, &target, None, notice_text(&notice)).await?,
    ))
}

async fn accounts_view(
    state: &AppState,
    user: &CurrentUser,
    school: SchoolId,
    target: &Target,
    error: Option<String>,
    ok: Option<&str>,
) -> Result<Markup, AppError> {
    let accounts = state.store.accounts_in_unit(school.into()).await?;
    let roles = [
        hocba_domain::Role::Admin,
        hocba_domain::Role::Leader,
        hocba_domain::Role::HomeroomTeacher,
        hocba_domain::Role::SubjectTeacher,
    ];
    Ok(page(
        "Tài khoản",
        Some(user),
        html! {
            h1 { "Tài khoản người dùng" }
            (school_nav(user, school, target))
            (flash(ok))
            @if let Some(error) = error { div.flash.error role="alert" { (error) } }
            div.wrap { table {
                thead { tr { th { "Tên đăng nhập" } th { "Họ tên" } th { "Vai trò" } th { "Đặt lại mật khẩu" } } }
                tbody { @for account in &accounts { tr {
                    td { (account.username) }
                    td { (account.display_name) }
                    td { (account.grants.iter().map(|g| g.role.label()).collect::<Vec<_>>().join(", ")) }
                    td { form.inline method="post" action={"/schools/" (school) "/accounts/" (account.id) "/reset"} {
                        (csrf(user))
                        input name="password" type="password" placeholder="Mật khẩu mới" autocomplete="new-password" required;
                        button.secondary type="submit" { "Đặt lại" }
                    } }
                } } }
            } }
            h2 { "Tạo tài khoản" }
            form.card method="post" action={"/schools/" (school) "/accounts"} {
                (csrf(user))
                div.grid {
                    label { "Tên đăng nhập" input name="username" required; }
                    label { "Họ tên" input name="display_name" required; }
                    label { "Mật khẩu ban đầu (người dùng đổi khi đăng nhập lần đầu)" input name="password" type="password" autocomplete="new-password" required; }
                }
                p { "Vai trò:" }
                @for role in roles { label { input type="checkbox" name=(format!("role_{}", role.code())) value="1"; " " (role.label()) } }
                div.actions { button type="submit" { "Tạo tài khoản" } }
            }
        },
    ))
}

async fn create_account(
    State(state): State<AppState>,
    Path(school): Path<SchoolId>,
    form: SubmittedForm,
) -> PageResult {
    let target = form
        .user
        .authorise(&state, Action::ManageAccounts, school, None)
        .await?;
    let roles: Vec<String> = form
        .fields
        .keys()
        .filter_map(|k| k.strip_prefix("role_").map(str::to_owned))
        .collect();
    let result = crate::accounts::create_school_account(
        &state,
        &form.user,
        school,
        form.get("username").unwrap_or_default(),
        form.get("password").unwrap_or_default(),
        form.get("display_name").unwrap_or_default(),
        &roles,
        None,
    )
    .await;
    match result {
        Ok(_) => {
            Ok(Redirect::to(&format!("/schools/{school}/accounts?ok=created")).into_response())
        }
        Err(error) => Ok(html_response(
            accounts_view(
                &state,
                &form.user,
                school,
                &target,
                Some(error.message()),
                None,
            )
            .await?,
        )),
    }
}

async fn reset_password(
    State(state): State<AppState>,
    Path((school, account)): Path<(SchoolId, hocba_domain::UserId)>,
    form: SubmittedForm,
) -> PageResult {
    let target = form
        .user
        .authorise(&state, Action::ManageAccounts, school, None)
        .await?;
    match crate::accounts::reset_school_password(
        &state,
        &form.user,
        school,
        account,
        form.get("password").unwrap_or_default(),
    )
    .await
    {
        Ok(()) => {
            Ok(Redirect::to(&format!("/schools/{school}/accounts?ok=password")).into_response())
        }
        Err(error) => Ok(html_response(
            accounts_view(
                &state,
                &form.user,
                school,
                &target,
                Some(error.message()),
                None,
            )
            .await?,
        )),
    }
}

async fn audit_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(school): Path<SchoolId>,
) -> PageResult {
    let target = user
        .authorise(&state, Action::ViewAudit, school, None)
        .await?;
    let entries = state
        .store
        .audit_entries(
            school.into(),
            &hocba_storage::AuditQuery {
                limit: 300,
                ..Default::default()
            },
        )
        .await?;
    Ok(html_response(page(
        "Nhật ký thay đổi",
        Some(&user),
        html! {
            h1 { "Nhật ký thay đổi" }
            (school_nav(&user, school, &target))
            div.wrap { table {
                thead { tr { th { "Thời điểm (UTC)" } th { "Người thực hiện" } th { "Thao tác" } th { "Trước" } th { "Sau" } } }
                tbody { @for entry in &entries { tr {
                    td { (format_millis(entry.at)) }
                    td { (entry.actor_name) }
                    td { (entry.summary) }
                    td { small { (entry.before.clone().unwrap_or_default()) } }
                    td { small { (entry.after.clone().unwrap_or_default()) } }
                } } }
            } }
        },
    )))
}

fn format_millis(millis: i64) -> String {
    let days = millis.div_euclid(86_400_000);
    let in_day = millis.rem_euclid(86_400_000) / 1000;
    let date = hocba_domain::Date::from_days_since_epoch(days);
    format!(
        "{date} {:02}:{:02}:{:02}",
        in_day / 3600,
        in_day % 3600 / 60,
        in_day % 60
    )
}
