//! Pages for the school's yearly set-up: school years and rollover,
//! subjects, campuses, teaching and homeroom assignments, classes, new staff,
//! and the student actions (move, transfer out, year decision).

use super::layout::{csrf, draft_from_form, flash, page, record_fields};
use super::pages::{Notice, notice_text, school_nav};
use crate::AppState;
use crate::api::{actor, school_grades};
use crate::error::AppError;
use crate::session::{CurrentUser, SubmittedForm};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use hocba_domain::access::{Action, Target};
use hocba_domain::class::{ClassDefinition, ClassDraft};
use hocba_domain::curriculum::SubjectMode;
use hocba_domain::rollover::YearDecision;
use hocba_domain::school::{CAMPUS_FIELDS, CampusProfile, SchoolYear};
use hocba_domain::staff::{FIELDS as STAFF_FIELDS, StaffProfile};
use hocba_domain::{
    CampusId, ClassId, Date, FieldErrors, Grade, SchoolId, SchoolYearId, StaffId, StudentId,
    SubjectId,
};
use maud::{Markup, html};
use serde::Deserialize;

type PageResult = Result<Response, AppError>;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/schools/{school}/years", get(years_page).post(create_year))
        .route("/schools/{school}/years/{year}/rollover", post(rollover))
        .route("/schools/{school}/subjects", get(subjects_page))
        .route("/schools/{school}/subjects/{subject}", post(save_subject))
        .route(
            "/schools/{school}/campuses",
            get(campuses_page).post(save_campus),
        )
        .route(
            "/schools/{school}/campuses/{campus}/delete",
            post(delete_campus),
        )
        .route("/schools/{school}/classes/{class}/edit", post(edit_class))
        .route(
            "/schools/{school}/classes/{class}/assignments",
            get(class_assignments_page).post(save_class_assignments),
        )
        .route(
            "/schools/{school}/staff/new",
            get(new_staff_page).post(create_staff),
        )
        .route(
            "/schools/{school}/students/{student}/move",
            post(move_student),
        )
        .route(
            "/schools/{school}/students/{student}/transfer-out",
            post(transfer_out),
        )
        .route(
            "/schools/{school}/students/{student}/decision",
            post(decide),
        )
        .route(
            "/schools/{school}/students/{student}/delete",
            post(delete_student),
        )
}

fn redirect(to: String) -> Response {
    Redirect::to(&to).into_response()
}

/// Renders a refusal on the page it came from: the same view with the message.
fn refusal(error: &AppError) -> Option<String> {
    Some(error.message())
}

async fn years_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(school): Path<SchoolId>,
    Query(notice): Query<Notice>,
) -> PageResult {
    let target = user
        .authorise(&state, Action::ViewSchool, school, None)
        .await?;
    Ok(
        years_view(&state, &user, school, &target, None, notice_text(&notice))
            .await?
            .into_response(),
    )
}

async fn years_view(
    state: &AppState,
    user: &CurrentUser,
    school: SchoolId,
    target: &Target,
    error: Option<String>,
    ok: Option<&str>,
) -> Result<Markup, AppError> {
    let years = state.store.school_years(school).await?;
    let manage = user.may(Action::ManageSchool, target);
    let next = years.first().map(|y| SchoolYear {
        start_year: y.year.start_year + 1,
    });
    Ok(page(
        "Năm học",
        Some(user),
        html! {
            h1 { "Năm học" }
            (school_nav(user, school, target))
            (flash(ok))
            @if let Some(error) = error { div.flash.error role="alert" { (error) } }
            table { thead { tr { th { "Năm học" } th { "Trạng thái" } } }
                tbody { @for year in &years { tr { td { (year.label) } td { (if year.status == "open" { "Đang mở" } else { "Đã đóng" }) } } } } }
            @if manage {
                @if let (Some(current), Some(next)) = (years.first(), next) {
                    h2 { "Kết chuyển dữ liệu sang năm học " (next.label()) }
                    form.card method="post" action={"/schools/" (school) "/years/" (current.id) "/rollover"} {
                        (csrf(user))
                        p { "Các lớp lên khối trên (10A1 → 11A1), học sinh được xét ở lại lớp giữ khối cũ, học sinh khối cuối cấp hoàn thành cấp học, học sinh đã chuyển đi hoặc thôi học không được chuyển sang." }
                        p.why { "Học sinh chưa có quyết định xét lên lớp được coi là lên lớp; xét ở lại lớp trong trang hồ sơ của từng học sinh trước khi kết chuyển." }
                        label { input type="checkbox" name="confirm" value="1" required; " Tôi đã kiểm tra danh sách ở lại lớp và đồng ý kết chuyển" }
                        div.actions { button type="submit" { "Kết chuyển" } }
                    }
                }
                h2 { "Tạo năm học" }
                form.card method="post" action={"/schools/" (school) "/years"} {
                    (csrf(user))
                    label { "Năm học (ví dụ 2026-2027)" input name="year" value=(next.map(|n| n.label()).unwrap_or_default()) required; }
                    p.why { "Năm học mới có sẵn danh sách môn học theo Chương trình GDPT 2018 cho các khối của trường; có thể sửa số tiết và hình thức đánh giá ở trang Môn học." }
                    div.actions { button type="submit" { "Tạo năm học" } }
                }
            } @else {
                p.why { "Chỉ quản trị viên của trường tạo năm học và kết chuyển dữ liệu." }
            }
        },
    ))
}

async fn create_year(
    State(state): State<AppState>,
    Path(school): Path<SchoolId>,
    form: SubmittedForm,
) -> PageResult {
    let target = form
        .user
        .authorise(&state, Action::ManageSchool, school, None)
        .await?;
    let text = form.get("year").unwrap_or_default().to_owned();
    let result = match SchoolYear::parse(&text) {
        Some(year) => {
            let grades = school_grades(&state, school).await?;
            state
                .store
                .create_school_year(&actor(&form.user), school, year, &grades)
                .await
                .map_err(AppError::from)
        }
        None => Err(AppError::BadRequest(format!(
            "Năm học “{text}” không hợp lệ; viết dạng 2026-2027."
        ))),
    };
    match result {
        Ok(_) => Ok(redirect(format!("/schools/{school}/years?ok=created"))),
        Err(error) => Ok(
            years_view(&state, &form.user, school, &target, refusal(&error), None)
                .await?
                .into_response(),
        ),
    }
}

async fn rollover(
    State(state): State<AppState>,
    Path((school, year)): Path<(SchoolId, SchoolYearId)>,
    form: SubmittedForm,
) -> PageResult {
    let target = form
        .user
        .authorise(&state, Action::ManageSchool, school, None)
        .await?;
    if form.get("confirm") != Some("1") {
        return Err(AppError::BadRequest(
            "Hãy đánh dấu xác nhận trước khi kết chuyển.".into(),
        ));
    }
    match state
        .store
        .roll_over(&actor(&form.user), school, year)
        .await
    {
        Ok(outcome) => {
            let message = format!(
                "Đã kết chuyển: {} lớp, {} học sinh; {} học sinh hoàn thành cấp học; {} học sinh không chuyển (đã chuyển đi, thôi học…).",
                outcome.classes_created,
                outcome.students_carried,
                outcome.graduates,
                outcome.not_carried
            );
            Ok(
                years_view(&state, &form.user, school, &target, None, Some(&message))
                    .await?
                    .into_response(),
            )
        }
        Err(error) => Ok(years_view(
            &state,
            &form.user,
            school,
            &target,
            refusal(&error.into()),
            None,
        )
        .await?
        .into_response()),
    }
}

#[derive(Deserialize, Default)]
struct GradeQuery {
    grade: Option<u8>,
}

async fn subjects_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(school): Path<SchoolId>,
    Query(query): Query<GradeQuery>,
) -> PageResult {
    let target = user
        .authorise(&state, Action::ViewSchool, school, None)
        .await?;
    let year = state.store.current_year(school).await?;
    let grades = school_grades(&state, school).await?;
    let grade = query
        .grade
        .and_then(|g| Grade::new(g).ok())
        .or_else(|| grades.first().copied());
    let subjects = state.store.subjects(school, year.id, grade).await?;
    let manage = user.may(Action::ManageSchool, &target);
    Ok(page("Môn học", Some(&user), html! {
        h1 { "Môn học năm " (year.label) }
        (school_nav(&user, school, &target))
        div.actions { @for g in &grades { a.button.secondary href={"/schools/" (school) "/subjects?grade=" (g.value())} { "Khối " (g.value()) } } }
        p.why { "Số tiết/năm quyết định số lần đánh giá thường xuyên mỗi học kỳ (Thông tư 22/2021, Điều 6): đến 35 tiết: 2 lần; trên 35 đến 70 tiết: 3 lần; trên 70 tiết: 4 lần." }
        div.wrap { table {
            thead { tr { th { "Môn học" } th { "Số tiết/năm" } th { "Hình thức đánh giá" } @if manage { th { "" } } } }
            tbody { @for subject in &subjects { tr {
                @if manage {
                    td { (subject.name) }
                    td colspan="3" {
                        form.inline method="post" action={"/schools/" (school) "/subjects/" (subject.id)} {
                            (csrf(&user))
                            input type="hidden" name="version" value=(subject.version);
                            input type="hidden" name="grade" value=(subject.grade.value());
                            input name="periods_per_year" value=(subject.periods_per_year) inputmode="numeric" style="width:6rem" aria-label="Số tiết/năm";
                            " "
                            select name="mode" style="width:auto" aria-label="Hình thức đánh giá" {
                                option value="scored" selected[subject.mode == SubjectMode::Scored] { (SubjectMode::Scored.label()) }
                                option value="commented" selected[subject.mode == SubjectMode::Commented] { (SubjectMode::Commented.label()) }
                            }
                            " " button.secondary type="submit" { "Lưu" }
                        }
                    }
                } @else {
                    td { (subject.name) } td { (subject.periods_per_year) } td { (subject.mode.label()) }
                }
            } } }
        } }
    }).into_response())
}

async fn save_subject(
    State(state): State<AppState>,
    Path((school, subject)): Path<(SchoolId, SubjectId)>,
    form: SubmittedForm,
) -> PageResult {
    form.user
        .authorise(&state, Action::ManageSchool, school, None)
        .await?;
    let version: i64 = form
        .get("version")
        .and_then(|v| v.parse().ok())
        .unwrap_or_default();
    let periods: u16 = form
        .get("periods_per_year")
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| AppError::BadRequest("Số tiết/năm phải là số nguyên dương.".into()))?;
    let mode = form
        .get("mode")
        .and_then(SubjectMode::from_code)
        .unwrap_or(SubjectMode::Scored);
    state
        .store
        .update_subject(&actor(&form.user), school, subject, version, periods, mode)
        .await?;
    Ok(redirect(format!(
        "/schools/{school}/subjects?grade={}",
        form.get("grade").unwrap_or_default()
    )))
}

async fn campuses_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(school): Path<SchoolId>,
    Query(notice): Query<Notice>,
) -> PageResult {
    let target = user
        .authorise(&state, Action::ViewSchool, school, None)
        .await?;
    Ok(campuses_view(
        &state,
        &user,
        school,
        &target,
        &FieldErrors::default(),
        None,
        notice_text(&notice),
    )
    .await?
    .into_response())
}

async fn campuses_view(
    state: &AppState,
    user: &CurrentUser,
    school: SchoolId,
    target: &Target,
    errors: &FieldErrors,
    error: Option<String>,
    ok: Option<&str>,
) -> Result<Markup, AppError> {
    let campuses = state.store.campuses(school).await?;
    let manage = user.may(Action::ManageSchool, target);
    Ok(page(
        "Điểm trường phụ",
        Some(user),
        html! {
            h1 { "Điểm trường phụ" }
            (school_nav(user, school, target))
            (flash(ok))
            @if let Some(error) = error { div.flash.error role="alert" { (error) } }
            @if campuses.is_empty() { p.muted { "Trường chưa có điểm trường phụ." } }
            @for campus in &campuses {
                form.card method="post" action={"/schools/" (school) "/campuses"} {
                    (csrf(user))
                    input type="hidden" name="campus_id" value=(campus.id);
                    input type="hidden" name="version" value=(campus.version);
                    fieldset disabled[!manage] style="border:0;padding:0" {
                        (record_fields(&CAMPUS_FIELDS, &campus.profile, &[], true))
                        div.actions { button type="submit" { "Lưu" } }
                    }
                }
                @if manage {
                    form.inline method="post" action={"/schools/" (school) "/campuses/" (campus.id) "/delete"} {
                        (csrf(user)) button.danger type="submit" { "Xóa điểm trường " (campus.profile.get("name").cloned().unwrap_or_default()) }
                    }
                }
            }
            @if manage {
                h2 { "Thêm mới điểm trường" }
                form method="post" action={"/schools/" (school) "/campuses"} {
                    (csrf(user))
                    (record_fields(&CAMPUS_FIELDS, &Default::default(), &errors.0, true))
                    div.actions { button type="submit" { "Xác nhận" } }
                }
            }
        },
    ))
}

async fn save_campus(
    State(state): State<AppState>,
    Path(school): Path<SchoolId>,
    form: SubmittedForm,
) -> PageResult {
    let target = form
        .user
        .authorise(&state, Action::ManageSchool, school, None)
        .await?;
    let draft = draft_from_form(&CAMPUS_FIELDS, &form.fields);
    let existing = form
        .get("campus_id")
        .and_then(|c| c.parse().ok())
        .map(|id| {
            (
                CampusId(id),
                form.get("version")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or_default(),
            )
        });
    match CampusProfile::validate(&draft) {
        Ok(campus) => match state
            .store
            .save_campus(&actor(&form.user), school, existing, &campus)
            .await
        {
            Ok(_) => Ok(redirect(format!("/schools/{school}/campuses?ok=saved"))),
            Err(error) => Ok(campuses_view(
                &state,
                &form.user,
                school,
                &target,
                &FieldErrors::default(),
                refusal(&error.into()),
                None,
            )
            .await?
            .into_response()),
        },
        Err(errors) => Ok(campuses_view(
            &state,
            &form.user,
            school,
            &target,
            &errors,
            Some("Chưa lưu: hãy sửa các ô báo lỗi.".into()),
            None,
        )
        .await?
        .into_response()),
    }
}

async fn delete_campus(
    State(state): State<AppState>,
    Path((school, campus)): Path<(SchoolId, CampusId)>,
    form: SubmittedForm,
) -> PageResult {
    let target = form
        .user
        .authorise(&state, Action::ManageSchool, school, None)
        .await?;
    match state
        .store
        .delete_campus(&actor(&form.user), school, campus)
        .await
    {
        Ok(()) => Ok(redirect(format!("/schools/{school}/campuses?ok=removed"))),
        Err(error) => Ok(campuses_view(
            &state,
            &form.user,
            school,
            &target,
            &FieldErrors::default(),
            refusal(&error.into()),
            None,
        )
        .await?
        .into_response()),
    }
}

async fn edit_class(
    State(state): State<AppState>,
    Path((school, class)): Path<(SchoolId, ClassId)>,
    form: SubmittedForm,
) -> PageResult {
    form.user
        .authorise(&state, Action::ManageSchool, school, None)
        .await?;
    let current = state.store.class(school, class).await?;
    let draft = ClassDraft {
        name: form.get("name").unwrap_or_default().to_owned(),
        grade: form.get("grade").and_then(|g| g.parse().ok()).unwrap_or(0),
        campus_id: form.get("campus_id").and_then(|c| c.parse().ok()),
        sessions_per_week: form.get("sessions_per_week").and_then(|s| s.parse().ok()),
    };
    let definition = ClassDefinition::validate(&draft)?;
    let version = form
        .get("version")
        .and_then(|v| v.parse().ok())
        .unwrap_or(current.version);
    state
        .store
        .save_class(
            &actor(&form.user),
            school,
            current.school_year_id,
            Some((class, version)),
            &definition,
        )
        .await?;
    Ok(redirect(format!(
        "/schools/{school}/classes/{class}?ok=saved"
    )))
}

/// The form to edit a class, shown on the class page to those who may.
pub fn class_edit_form(
    user: &CurrentUser,
    school: SchoolId,
    class: &hocba_storage::ClassRow,
    campuses: &[hocba_storage::CampusRow],
) -> Markup {
    html! {
        details.card {
            summary { "Sửa thông tin lớp" }
            form method="post" action={"/schools/" (school) "/classes/" (class.id) "/edit"} {
                (csrf(user))
                input type="hidden" name="version" value=(class.version);
                div.grid {
                    label { "Tên lớp" input name="name" value=(class.name) required; }
                    label { "Khối" input name="grade" value=(class.grade.value()) inputmode="numeric" required; }
                    label { "Số buổi học/tuần" input name="sessions_per_week" value=(class.sessions_per_week.map(|s| s.to_string()).unwrap_or_default()) inputmode="numeric"; }
                    label { "Điểm trường" select name="campus_id" {
                        option value="" { "Điểm trường chính" }
                        @for campus in campuses { option value=(campus.id) selected[class.campus_id == Some(campus.id.0)] { (campus.profile.get("name").cloned().unwrap_or_default()) } }
                    } }
                }
                div.actions { button type="submit" { "Lưu" } a.button.secondary href={"/schools/" (school) "/classes/" (class.id) "/assignments"} { "Phân công giảng dạy, chủ nhiệm" } }
            }
        }
    }
}

async fn class_assignments_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, class)): Path<(SchoolId, ClassId)>,
    Query(notice): Query<Notice>,
) -> PageResult {
    let target = user
        .authorise(&state, Action::ViewSchool, school, None)
        .await?;
    let row = state.store.class(school, class).await?;
    let subjects = state
        .store
        .subjects(school, row.school_year_id, Some(row.grade))
        .await?;
    let staff = state.store.staff(school, None).await?;
    let teaching = state
        .store
        .teaching_assignments(school, row.school_year_id)
        .await?;
    let manage = user.may(Action::ManageSchool, &target);
    let teacher_of = |subject: SubjectId, semester: u8| {
        teaching
            .iter()
            .find(|a| a.class_id == class && a.subject_id == subject && a.semester == semester)
            .map(|a| a.staff_id)
    };
    let staff_select = |name: String, current: Option<StaffId>| {
        html! {
            select name=(name) disabled[!manage] aria-label="Giáo viên" {
                option value="" { "— chưa phân công —" }
                @for member in &staff { option value=(member.id) selected[current == Some(member.id)] { (member.full_name) } }
            }
        }
    };
    Ok(page(&format!("Phân công lớp {}", row.name), Some(&user), html! {
        h1 { "Phân công giảng dạy và chủ nhiệm lớp " (row.name) }
        (school_nav(&user, school, &target))
        (flash(notice_text(&notice)))
        @if !manage { p.why { "Bạn chỉ được xem: chỉ quản trị viên của trường phân công giảng dạy và chủ nhiệm." } }
        form method="post" action={"/schools/" (school) "/classes/" (class) "/assignments"} {
            (csrf(&user))
            div.card { label { "Giáo viên chủ nhiệm" (staff_select("homeroom".into(), row.homeroom_staff_id)) } }
            div.wrap { table {
                thead { tr { th { "Môn học" } th { "Học kỳ I" } th { "Học kỳ II" } } }
                tbody { @for subject in &subjects { tr {
                    td { (subject.name) }
                    td { (staff_select(format!("s1_{}", subject.id), teacher_of(subject.id, 1))) }
                    td { (staff_select(format!("s2_{}", subject.id), teacher_of(subject.id, 2))) }
                } } }
            } }
            @if manage { div.actions { button type="submit" { "Lưu phân công" } } }
        }
    }).into_response())
}

async fn save_class_assignments(
    State(state): State<AppState>,
    Path((school, class)): Path<(SchoolId, ClassId)>,
    form: SubmittedForm,
) -> PageResult {
    form.user
        .authorise(&state, Action::ManageSchool, school, None)
        .await?;
    let row = state.store.class(school, class).await?;
    let who = actor(&form.user);
    if let Some(staff) = form
        .get("homeroom")
        .and_then(|s| s.parse().ok())
        .map(StaffId)
        && row.homeroom_staff_id != Some(staff)
    {
        state
            .store
            .assign_homeroom(&who, school, row.school_year_id, class, staff)
            .await?;
    }
    let current = state
        .store
        .teaching_assignments(school, row.school_year_id)
        .await?;
    for (key, value) in &form.fields {
        let Some((semester, subject)) = key.split_once('_') else {
            continue;
        };
        let semester = match semester {
            "s1" => 1,
            "s2" => 2,
            _ => continue,
        };
        let (Ok(subject), Ok(staff)) = (subject.parse().map(SubjectId), value.parse().map(StaffId))
        else {
            continue;
        };
        let unchanged = current.iter().any(|a| {
            a.class_id == class
                && a.subject_id == subject
                && a.semester == semester
                && a.staff_id == staff
        });
        if !unchanged {
            state
                .store
                .assign_teaching(
                    &who,
                    school,
                    row.school_year_id,
                    semester,
                    class,
                    subject,
                    staff,
                )
                .await?;
        }
    }
    Ok(redirect(format!(
        "/schools/{school}/classes/{class}/assignments?ok=saved"
    )))
}

async fn new_staff_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(school): Path<SchoolId>,
) -> PageResult {
    let target = user
        .authorise(&state, Action::ManageStaff, school, None)
        .await?;
    Ok(new_staff_view(
        &user,
        school,
        &target,
        &Default::default(),
        &FieldErrors::default(),
    )
    .into_response())
}

fn new_staff_view(
    user: &CurrentUser,
    school: SchoolId,
    target: &Target,
    values: &hocba_domain::form::Draft,
    errors: &FieldErrors,
) -> Markup {
    page(
        "Thêm cán bộ",
        Some(user),
        html! {
            h1 { "Thêm cán bộ, giáo viên" }
            (school_nav(user, school, target))
            @if !errors.is_empty() { div.flash.error role="alert" { "Chưa lưu: " (errors.to_string()) } }
            form method="post" action={"/schools/" (school) "/staff/new"} {
                (csrf(user))
                (record_fields(&STAFF_FIELDS, values, &errors.0, true))
                div.actions { button type="submit" { "Lưu" } }
            }
        },
    )
}

async fn create_staff(
    State(state): State<AppState>,
    Path(school): Path<SchoolId>,
    form: SubmittedForm,
) -> PageResult {
    let target = form
        .user
        .authorise(&state, Action::ManageStaff, school, None)
        .await?;
    let draft = draft_from_form(&STAFF_FIELDS, &form.fields);
    match StaffProfile::validate(&draft) {
        Ok(profile) => {
            let id = state
                .store
                .save_staff(&actor(&form.user), school, None, &profile)
                .await?;
            Ok(redirect(format!("/schools/{school}/staff/{id}?ok=created")))
        }
        Err(errors) => {
            Ok(new_staff_view(&form.user, school, &target, &draft, &errors).into_response())
        }
    }
}

/// Actions on a student shown to those who manage students.
pub fn student_actions(
    user: &CurrentUser,
    school: SchoolId,
    student: StudentId,
    classes: &[hocba_storage::ClassRow],
) -> Markup {
    html! {
        h2 { "Thao tác" }
        div.grid {
            form.card method="post" action={"/schools/" (school) "/students/" (student) "/move"} {
                (csrf(user))
                label { "Chuyển sang lớp" select name="class_id" required {
                    @for class in classes.iter().filter(|c| c.status == hocba_domain::class::ClassStatus::Active) { option value=(class.id) { (class.name) } }
                } }
                div.actions { button.secondary type="submit" { "Chuyển lớp" } }
            }
            form.card method="post" action={"/schools/" (school) "/students/" (student) "/transfer-out"} {
                (csrf(user))
                label { "Ngày chuyển đi" input name="date" placeholder="ngày/tháng/năm" required; }
                label { "Trường chuyển đến" input name="to_school" required; }
                label { "Lý do" input name="reason"; }
                div.actions { button.secondary type="submit" { "Chuyển đi" } }
            }
            form.card method="post" action={"/schools/" (school) "/students/" (student) "/decision"} {
                (csrf(user))
                label { "Kết quả xét cuối năm (dùng khi kết chuyển năm học)" select name="decision" {
                    option value="promoted" { "Lên lớp" } option value="retained" { "Ở lại lớp" }
                } }
                div.actions { button.secondary type="submit" { "Lưu" } }
            }
            form.card method="post" action={"/schools/" (school) "/students/" (student) "/delete"} {
                (csrf(user))
                p.why { "Chỉ xóa hồ sơ nhập nhầm. Học sinh đã chuyển đi hay thôi học thì dùng Chuyển đi để giữ lịch sử." }
                label { input type="checkbox" name="confirm" value="1" required; " Tôi chắc chắn muốn xóa hồ sơ này" }
                div.actions { button.danger type="submit" { "Xóa học sinh" } }
            }
        }
    }
}

async fn move_student(
    State(state): State<AppState>,
    Path((school, student)): Path<(SchoolId, StudentId)>,
    form: SubmittedForm,
) -> PageResult {
    form.user
        .authorise(&state, Action::ManageStudents, school, None)
        .await?;
    let class = form
        .get("class_id")
        .and_then(|c| c.parse().ok())
        .map(ClassId)
        .ok_or_else(|| AppError::BadRequest("Hãy chọn lớp chuyển đến.".into()))?;
    let year = state.store.current_year(school).await?.id;
    state
        .store
        .move_student(&actor(&form.user), school, year, student, class)
        .await?;
    Ok(redirect(format!(
        "/schools/{school}/students/{student}?ok=saved"
    )))
}

async fn transfer_out(
    State(state): State<AppState>,
    Path((school, student)): Path<(SchoolId, StudentId)>,
    form: SubmittedForm,
) -> PageResult {
    form.user
        .authorise(&state, Action::ManageStudents, school, None)
        .await?;
    let date = Date::parse(form.get("date").unwrap_or_default())
        .map_err(|e| AppError::BadRequest(format!("Ngày chuyển đi: {e}")))?;
    let year = state.store.current_year(school).await?.id;
    state
        .store
        .transfer_out(
            &actor(&form.user),
            school,
            year,
            student,
            date,
            form.get("to_school").unwrap_or_default(),
            form.get("reason"),
        )
        .await?;
    Ok(redirect(format!(
        "/schools/{school}/students/{student}?ok=saved"
    )))
}

async fn decide(
    State(state): State<AppState>,
    Path((school, student)): Path<(SchoolId, StudentId)>,
    form: SubmittedForm,
) -> PageResult {
    form.user
        .authorise(&state, Action::ManageStudents, school, None)
        .await?;
    let decision = if form.get("decision") == Some("retained") {
        YearDecision::Retained
    } else {
        YearDecision::Promoted
    };
    let year = state.store.current_year(school).await?.id;
    state
        .store
        .set_year_decision(&actor(&form.user), school, year, student, decision)
        .await?;
    Ok(redirect(format!(
        "/schools/{school}/students/{student}?ok=saved"
    )))
}

async fn delete_student(
    State(state): State<AppState>,
    Path((school, student)): Path<(SchoolId, StudentId)>,
    form: SubmittedForm,
) -> PageResult {
    form.user
        .authorise(&state, Action::ManageStudents, school, None)
        .await?;
    if form.get("confirm") != Some("1") {
        return Err(AppError::BadRequest(
            "Hãy đánh dấu xác nhận trước khi xóa.".into(),
        ));
    }
    state
        .store
        .delete_student(&actor(&form.user), school, student)
        .await?;
    Ok(redirect(format!("/schools/{school}/students?ok=removed")))
}
