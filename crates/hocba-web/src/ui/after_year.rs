//! After the year (issue 4 point 8), one student at a time, reached from
//! the class summary: the year's absences and the training result after
//! summer training (the homeroom teacher), the summer retest results and
//! the semester averages a transferred-in student brought from the previous
//! school (the administrator). Each form is the API's PUT of the same name
//! (same parsing, same storage call); after a save the class's year summary
//! is computed again and the student's new outcome is shown with the
//! assessment library's reasons (TT22/2021 Điều 12–13: retest and summer
//! training decide promotion). A refusal re-shows the form with what was
//! typed and why nothing was saved.

use super::layout::{csrf, flash, page};
use super::pages::school_nav;
use crate::AppState;
use crate::api::actor;
use crate::error::AppError;
use crate::session::{CurrentUser, SubmittedForm};
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use hocba_domain::access::{Action, Target};
use hocba_domain::gradebook::{Semester, parse_training_result};
use hocba_domain::summary::{StudentSummary, check_absences};
use hocba_domain::{ClassId, SchoolId, StudentId, SubjectId};
use hocba_storage::{ClassSummary, YearRecordEdit};
use maud::{Markup, html};
use std::collections::BTreeMap;

type PageResult = Result<Response, AppError>;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/schools/{school}/classes/{class}/students/{student}/after-year",
            get(after_year_page),
        )
        .route(
            "/schools/{school}/classes/{class}/students/{student}/year-record",
            post(save_year_record),
        )
        .route(
            "/schools/{school}/classes/{class}/students/{student}/retests",
            post(save_retests),
        )
        .route(
            "/schools/{school}/classes/{class}/students/{student}/transferred-averages",
            post(save_transferred),
        )
}

/// Which form a re-shown page keeps the typed values of, and its message.
enum Outcome {
    None,
    Saved(&'static str),
    Refused {
        form: &'static str,
        why: String,
        typed: BTreeMap<String, String>,
    },
}

fn path_of(school: SchoolId, class: ClassId, student: StudentId) -> String {
    format!("/schools/{school}/classes/{class}/students/{student}")
}

/// The class's year summary (stored, or computed now) and the student's line.
async fn student_line(
    state: &AppState,
    school: SchoolId,
    class: ClassId,
    student: StudentId,
) -> Result<(ClassSummary, StudentSummary), AppError> {
    let summary = state
        .store
        .class_summary(school, class, Semester::S2)
        .await?;
    let line = summary
        .lines
        .iter()
        .find(|l| l.student_id == student)
        .cloned()
        .ok_or_else(|| {
            AppError::NotFound(format!(
                "học sinh mã {student} trong danh sách đang học của lớp {}",
                summary.header.class_name
            ))
        })?;
    Ok((summary, line))
}

async fn after_year_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, class, student)): Path<(SchoolId, ClassId, StudentId)>,
) -> PageResult {
    let target = user
        .authorise(&state, Action::EnterConduct, school, Some(class))
        .await?;
    let (summary, line) = student_line(&state, school, class, student).await?;
    Ok(view(&user, school, &target, &summary, &line, Outcome::None).into_response())
}

/// Saves, then computes the class's year summary again so that the page
/// shows the outcome these values give; a refusal re-shows the form.
#[allow(clippy::too_many_arguments)]
async fn finish(
    state: &AppState,
    form: &SubmittedForm,
    target: &Target,
    school: SchoolId,
    class: ClassId,
    student: StudentId,
    which: &'static str,
    saved: Result<&'static str, AppError>,
) -> PageResult {
    let user = &form.user;
    let outcome = match saved {
        Ok(message) => {
            let year = state.store.class(school, class).await?.school_year_id;
            state
                .store
                .compute_summary(&actor(user), school, year, Some(class), Semester::S2)
                .await?;
            Outcome::Saved(message)
        }
        Err(AppError::Refused(why) | AppError::BadRequest(why)) => Outcome::Refused {
            form: which,
            why,
            typed: form.fields.clone(),
        },
        Err(error) => return Err(error),
    };
    let status = match outcome {
        Outcome::Refused { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        _ => StatusCode::OK,
    };
    let (summary, line) = student_line(state, school, class, student).await?;
    Ok((status, view(user, school, target, &summary, &line, outcome)).into_response())
}

async fn save_year_record(
    State(state): State<AppState>,
    Path((school, class, student)): Path<(SchoolId, ClassId, StudentId)>,
    form: SubmittedForm,
) -> PageResult {
    let target = form
        .user
        .authorise(&state, Action::EnterConduct, school, Some(class))
        .await?;
    let saved = async {
        // The same checks as PUT …/year-record.
        let absences = match form.get("absences") {
            None => None,
            Some(text) => {
                let number = text.parse::<i64>().map_err(|_| {
                    AppError::Refused(format!(
                        "Số buổi nghỉ “{text}” không phải số nguyên: nhập số buổi từ 0 đến 400, hoặc để trống nếu chưa có."
                    ))
                })?;
                Some(check_absences(number).map_err(AppError::Refused)?)
            }
        };
        let summer_training = parse_training_result(form.get("summer_training").unwrap_or(""))
            .map_err(|e| AppError::Refused(e.0))?;
        state
            .store
            .save_year_record(
                &actor(&form.user),
                school,
                class,
                student,
                &YearRecordEdit {
                    absences,
                    summer_training,
                },
            )
            .await?;
        Ok("Đã lưu số buổi nghỉ và kết quả rèn luyện trong hè; lớp đã được tổng kết lại cả năm.")
    }
    .await;
    finish(
        &state,
        &form,
        &target,
        school,
        class,
        student,
        "year-record",
        saved,
    )
    .await
}

/// The subjects' values typed in a form (`s{subject id}`): the non-empty
/// ones, and the empty ones that clear a value stored before.
fn typed_values(
    form: &SubmittedForm,
    line: &StudentSummary,
    had_value: impl Fn(&hocba_domain::summary::SubjectLine) -> bool,
) -> Vec<(SubjectId, String)> {
    line.subjects
        .iter()
        .filter_map(|subject| {
            let text = form
                .get(&format!("s{}", subject.subject_id))
                .unwrap_or_default()
                .to_owned();
            (!text.is_empty() || had_value(subject)).then_some((subject.subject_id, text))
        })
        .collect()
}

async fn save_retests(
    State(state): State<AppState>,
    Path((school, class, student)): Path<(SchoolId, ClassId, StudentId)>,
    form: SubmittedForm,
) -> PageResult {
    let target = form
        .user
        .authorise(&state, Action::ManageGradebook, school, Some(class))
        .await?;
    let saved = async {
        let (_, line) = student_line(&state, school, class, student).await?;
        let values = typed_values(&form, &line, |s| s.retest.is_some());
        if values.is_empty() {
            return Err(AppError::Refused(
                "Chưa nhập kết quả kiểm tra lại của môn nào: nhập điểm (ví dụ 6,5) hoặc Đ/CĐ vào ô của môn kiểm tra lại rồi bấm Lưu.".into(),
            ));
        }
        state
            .store
            .save_student_values(&actor(&form.user), school, class, student, None, None, &values)
            .await?;
        Ok("Đã lưu kết quả kiểm tra lại; lớp đã được tổng kết lại cả năm.")
    }
    .await;
    finish(
        &state, &form, &target, school, class, student, "retests", saved,
    )
    .await
}

async fn save_transferred(
    State(state): State<AppState>,
    Path((school, class, student)): Path<(SchoolId, ClassId, StudentId)>,
    form: SubmittedForm,
) -> PageResult {
    let target = form
        .user
        .authorise(&state, Action::ManageGradebook, school, Some(class))
        .await?;
    let saved = async {
        let number = form.get("semester").unwrap_or("1");
        let semester = number
            .parse::<u8>()
            .ok()
            .and_then(Semester::from_number)
            .ok_or_else(|| {
                AppError::Refused(hocba_domain::gradebook::invalid_semester(number))
            })?;
        let (_, line) = student_line(&state, school, class, student).await?;
        let values = typed_values(&form, &line, |s| {
            semester == Semester::S1 && s.transferred && s.s1.is_some()
        });
        if values.is_empty() {
            return Err(AppError::Refused(
                "Chưa nhập điểm trung bình môn nào: nhập điểm trung bình học kỳ mà học sinh mang từ trường cũ (ví dụ 7,5; Đ/CĐ; M nếu được miễn) rồi bấm Lưu.".into(),
            ));
        }
        state
            .store
            .save_student_values(
                &actor(&form.user),
                school,
                class,
                student,
                Some(semester),
                form.get("from_school"),
                &values,
            )
            .await?;
        Ok("Đã lưu điểm trung bình mang từ trường cũ; lớp đã được tổng kết lại cả năm.")
    }
    .await;
    finish(
        &state,
        &form,
        &target,
        school,
        class,
        student,
        "transferred-averages",
        saved,
    )
    .await
}

fn comma(value: Option<&str>) -> String {
    value.map(|v| v.replace('.', ",")).unwrap_or_default()
}

fn outcome_markup(line: &StudentSummary) -> Markup {
    html! {
        div.card id="outcome" {
            h2 { "Kết quả cả năm" }
            ul {
                li { "Kết quả học tập: " strong { (line.learning_result(Semester::S2).unwrap_or("chưa có")) } }
                li { "Kết quả rèn luyện: " strong { (line.training_result(Semester::S2).unwrap_or("chưa có")) } }
                @if let Some(award) = &line.award { li { "Khen thưởng: " (award) } }
                li { "Lên lớp: " strong id="promotion" { (line.promotion_label.as_deref().unwrap_or("chưa đủ kết quả để xét")) }
                    @if !line.retest_subjects.is_empty() { " — môn kiểm tra lại: " (line.retest_subjects.join(", ")) } }
                @if let Some(absences) = line.absences { li { "Số buổi nghỉ cả năm: " (absences) } }
            }
            @if !line.missing.is_empty() {
                p.why { "Còn thiếu:" }
                ul { @for missing in &line.missing { li { (missing) } } }
            }
            @if !line.reasons.is_empty() {
                details open {
                    summary { "Lý do (thư viện đánh giá)" }
                    ol { @for reason in &line.reasons { li { (reason.sentence) " " span.muted { "(" (reason.citation) ")" } } } }
                }
            }
        }
    }
}

fn view(
    user: &CurrentUser,
    school: SchoolId,
    target: &Target,
    summary: &ClassSummary,
    line: &StudentSummary,
    outcome: Outcome,
) -> Markup {
    let class = summary.header.class_id;
    let base = path_of(school, class, line.student_id);
    let may_admin = user.may(Action::ManageGradebook, target);
    let title = format!(
        "Sau năm học: {} (lớp {})",
        line.full_name, summary.header.class_name
    );
    let (saved, refused) = match &outcome {
        Outcome::Saved(message) => (Some(*message), None),
        Outcome::Refused { form, why, typed } => (None, Some((*form, why.as_str(), typed))),
        Outcome::None => (None, None),
    };
    // What a form shows: what was typed (after a refusal), else the stored value.
    let value = |form: &str, key: &str, stored: String| -> String {
        match refused {
            Some((which, _, typed)) if which == form => typed.get(key).cloned().unwrap_or_default(),
            _ => stored,
        }
    };
    let error_of = |form: &str| -> Option<&str> {
        refused.and_then(|(which, why, _)| (which == form).then_some(why))
    };
    let admin_only = "Chỉ quản trị viên của trường nhập mục này (Thông tư 22/2021: nhà trường tổ chức kiểm tra lại và tiếp nhận học sinh chuyển đến); hãy đề nghị quản trị viên.";
    page(
        &title,
        Some(user),
        html! {
            (school_nav(user, school, target))
            h1 { (title) }
            p.actions {
                a.button.secondary href={"/schools/" (school) "/classes/" (class) "/summary/2"} { "← Tổng kết cả năm lớp " (summary.header.class_name) }
            }
            (flash(saved))
            @if let Some((_, why, _)) = refused {
                div.flash.error role="alert" { "Chưa lưu: " (why) }
            }
            (outcome_markup(line))
            h2 { "Điểm các môn" }
            div.wrap { table {
                thead { tr { th { "Môn" } th { "HK I" } th { "HK II" } th { "Cả năm" } th { "Kiểm tra lại" } } }
                tbody { @for subject in &line.subjects { tr {
                    td { (subject.name) }
                    td { (comma(subject.s1.as_deref())) @if subject.transferred { span.muted { " (trường cũ)" } } }
                    td { (comma(subject.s2.as_deref())) }
                    td { (comma(subject.year.as_deref())) }
                    td { (comma(subject.retest.as_deref())) }
                } } }
            } }

            form.card method="post" action={(base) "/year-record"} id="year-record" {
                (csrf(user))
                h2 { "Số buổi nghỉ và rèn luyện trong hè" }
                @if let Some(why) = error_of("year-record") { p.field-error { (why) } }
                label for="absences" { "Số buổi nghỉ cả năm (0–400; để trống nếu chưa có)" }
                input id="absences" name="absences" inputmode="numeric"
                    value=(value("year-record", "absences", line.absences.map(|a| a.to_string()).unwrap_or_default()));
                label for="summer_training" { "Kết quả rèn luyện sau rèn luyện trong hè (Tốt, Khá, Đạt, Chưa đạt; để trống nếu không rèn luyện hè)" }
                input id="summer_training" name="summer_training" list="training-results"
                    value=(value("year-record", "summer_training", line.training.after.clone().unwrap_or_default()));
                datalist id="training-results" { option value="Tốt" {} option value="Khá" {} option value="Đạt" {} option value="Chưa đạt" {} }
                p.why { "Số buổi nghỉ không sửa được khi sổ học kỳ II đã khóa; kết quả rèn luyện trong hè đến sau khi khóa sổ nên vẫn nhập được." }
                div.actions { button type="submit" { "Lưu" } }
            }

            form.card method="post" action={(base) "/retests"} id="retests" {
                (csrf(user))
                h2 { "Kết quả kiểm tra lại trong hè" }
                @if !may_admin { p.why { (admin_only) } }
                @if let Some(why) = error_of("retests") { p.field-error { (why) } }
                fieldset disabled[!may_admin] style="border:0;padding:0" {
                    @if line.retest_subjects.is_empty() {
                        p.why { "Học sinh không thuộc diện kiểm tra lại theo tổng kết hiện tại; chỉ nhập khi học sinh đã kiểm tra lại." }
                    }
                    @for subject in &line.subjects {
                        label for={"retest-" (subject.subject_id)} { (subject.name) }
                        input id={"retest-" (subject.subject_id)} name={"s" (subject.subject_id)}
                            value=(value("retests", &format!("s{}", subject.subject_id), comma(subject.retest.as_deref())));
                    }
                    p.why { "Điểm 0–10 một chữ số thập phân (6,5 hoặc 6.5); môn đánh giá bằng nhận xét ghi Đ hoặc CĐ. Để trống một ô để xóa kết quả đã nhập." }
                    div.actions { button type="submit" { "Lưu" } }
                }
            }

            form.card method="post" action={(base) "/transferred-averages"} id="transferred-averages" {
                (csrf(user))
                h2 { "Điểm trung bình mang từ trường cũ (học sinh chuyển đến)" }
                @if !may_admin { p.why { (admin_only) } }
                @if let Some(why) = error_of("transferred-averages") { p.field-error { (why) } }
                fieldset disabled[!may_admin] style="border:0;padding:0" {
                    label for="semester" { "Học kỳ học ở trường cũ" }
                    select id="semester" name="semester" {
                        @let chosen = value("transferred-averages", "semester", "1".into());
                        option value="1" selected[chosen == "1"] { "Học kỳ I" }
                        option value="2" selected[chosen == "2"] { "Học kỳ II" }
                    }
                    label for="from_school" { "Trường cũ" }
                    input id="from_school" name="from_school" maxlength="200"
                        value=(value("transferred-averages", "from_school", String::new()));
                    @for subject in &line.subjects {
                        label for={"transfer-" (subject.subject_id)} { (subject.name) }
                        input id={"transfer-" (subject.subject_id)} name={"s" (subject.subject_id)}
                            value=(value("transferred-averages", &format!("s{}", subject.subject_id),
                                if subject.transferred { comma(subject.s1.as_deref()) } else { String::new() }));
                    }
                    p.why { "Điểm trung bình môn học kỳ (7,5), Đ/CĐ cho môn đánh giá bằng nhận xét, M nếu được miễn. Không nhập được khi sổ của học kỳ đó đã khóa." }
                    div.actions { button type="submit" { "Lưu" } }
                }
            }
        },
    )
}
