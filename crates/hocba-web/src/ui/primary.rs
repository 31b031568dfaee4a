//! The primary (TT27) book in the browser, per class × milestone: the entry
//! form of levels (T/H/C), periodic test scores, the 15 qualities and
//! competencies and the teacher's comment, and the milestone's summary with
//! every student's reasons (the end of the year: the education result,
//! completion, award, from `hocba_assessment::tt27`). Server-rendered, no
//! script; a refused value is shown naming the student and the column, and
//! nothing is saved. The rules and the reads are the API's
//! (`api_primary`).

use super::layout::{csrf, flash, page};
use super::pages::school_nav;
use crate::AppState;
use crate::api_primary::{
    check_and_save, milestone, primary_refusal, refusal_status, summary_lines, window_text,
};
use crate::api_summary::authorise;
use crate::error::AppError;
use crate::session::{CurrentUser, SubmittedForm};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use hocba_domain::access::{Action, Target};
use hocba_domain::date::vietnam_time;
use hocba_domain::primary::{
    self, EntryScope, LineInput, Milestone, MilestoneValues, level_code, rating_code, test_code,
};
use hocba_domain::role::Role;
use hocba_domain::{ClassId, FieldError, SchoolId, StudentId, SubjectId};
use hocba_storage::{CloseOutcome, PrimaryBook, PrimaryOutcome};
use maud::{Markup, PreEscaped, html};
use serde::Deserialize;
use std::collections::BTreeMap;

type PageResult = Result<Response, AppError>;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/schools/{school}/classes/{class}/primary/{milestone}",
            get(book_page).post(save),
        )
        .route(
            "/schools/{school}/classes/{class}/primary/{milestone}/subjects/{subject}",
            get(subject_page).post(save_subject),
        )
        .route(
            "/schools/{school}/classes/{class}/primary/{milestone}/close",
            axum::routing::post(close),
        )
        .route(
            "/schools/{school}/classes/{class}/primary/{milestone}/reopen",
            axum::routing::post(reopen),
        )
}

const STYLE: &str = r#"
.pr{overflow-x:auto;-webkit-overflow-scrolling:touch;max-width:100%}
.pr table{width:auto;min-width:100%}
.pr th.name,.pr td.name{position:sticky;left:0;background:#fff;white-space:nowrap;min-width:10rem}
.pr thead th{font-size:.8rem;vertical-align:bottom}
.pr input.c{width:2.6rem;min-height:2.2rem;font-size:16px;text-align:center;padding:.2rem}
.pr input.bad,.pr textarea.bad{border:2px solid #a61c1c;background:#fde8e8}
.pr textarea{width:100%;min-width:18rem;min-height:2.4rem;font-size:15px}
.pr td.v{text-align:center;white-space:nowrap}
.pr tr.incomplete td{background:#fff8e6}
.pr details{font-size:.88rem}.pr .cite{color:#5f6b78;font-size:.8rem}
"#;

#[derive(Deserialize, Default)]
struct Notice {
    ok: Option<String>,
}

/// The form's field names: `l.{student}.{subject}` (level),
/// `t.{student}.{subject}` (test), `r.{student}.{key}` (rating),
/// `c.{student}` (comment), `o.{student}` (outstanding), `v.{student}`
/// (version).
fn level_name(student: StudentId, subject: hocba_domain::SubjectId) -> String {
    format!("l.{student}.{subject}")
}
fn test_name(student: StudentId, subject: hocba_domain::SubjectId) -> String {
    format!("t.{student}.{subject}")
}
fn rating_name(student: StudentId, key: &str) -> String {
    format!("r.{student}.{key}")
}

/// What a refused save shows again: the typed values and the errors by
/// input name.
struct Retry<'a> {
    fields: &'a BTreeMap<String, String>,
    bad: BTreeMap<String, String>,
    message: String,
}

async fn authorise_view(
    state: &AppState,
    user: &CurrentUser,
    school: SchoolId,
    class: ClassId,
) -> Result<Target, AppError> {
    user.authorise(state, Action::ViewGradebook, school, Some(class))
        .await
}

async fn book_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, class, milestone_key)): Path<(SchoolId, ClassId, String)>,
    Query(notice): Query<Notice>,
) -> PageResult {
    let target = authorise_view(&state, &user, school, class).await?;
    let milestone = milestone(&milestone_key)?;
    let book = state.store.primary_book(school, class).await?;
    let message = match notice.ok.as_deref() {
        Some("saved") => Some("Đã lưu đánh giá."),
        Some("closed") => Some("Đã xác nhận hoàn thành đánh giá và khóa sổ."),
        Some("reopened") => Some("Đã mở lại sổ; việc mở lại đã được ghi vào nhật ký."),
        _ => None,
    };
    Ok(markup(&user, school, &book, milestone, &target, message, None).into_response())
}

fn markup(
    user: &CurrentUser,
    school: SchoolId,
    book: &PrimaryBook,
    milestone: Milestone,
    target: &Target,
    notice: Option<&str>,
    retry: Option<&Retry<'_>>,
) -> Markup {
    let class = book.class_id;
    let title = format!(
        "Đánh giá {} lớp {}",
        milestone.vietnamese(),
        book.class_name
    );
    let semester = primary::milestone_semester(milestone);
    let may_enter = user.may(Action::EnterConduct, target) && book.not_primary.is_none();
    let closure = book.closure(semester);
    let admin = user
        .principal
        .roles_in_school(school)
        .any(|role| role == Role::Admin);
    let lines = summary_lines(book, milestone);
    let counts = primary::counts(&lines);
    let fields = primary::rating_fields();
    let year_end = milestone == Milestone::EndOfYear;
    let empty = MilestoneValues::default();
    // The value an input shows: what was typed (after a refusal), else what is stored.
    let shown = |name: &str, stored: Option<String>| -> String {
        retry
            .and_then(|r| r.fields.get(name).cloned())
            .or(stored)
            .unwrap_or_default()
    };
    let bad = |name: &str| retry.is_some_and(|r| r.bad.contains_key(name));
    let action = format!(
        "/schools/{school}/classes/{class}/primary/{}",
        milestone.key()
    );
    page(
        &title,
        Some(user),
        html! {
            style { (PreEscaped(STYLE)) }
            (school_nav(user, school, target))
            h1 { (title) }
            (flash(notice))
            @if let Some(retry) = retry {
                div.flash.error role="alert" {
                    p { (retry.message) }
                    @if !retry.bad.is_empty() {
                        ul { @for message in retry.bad.values() { li { (message) } } }
                    }
                }
            }
            p.muted { "Năm học " (book.school_year.label())
                @if let Some((_, name)) = &book.homeroom { " · Giáo viên chủ nhiệm: " (name) }
                " · Thông tư 27/2020/TT-BGDĐT" }
            nav.actions {
                @for other in Milestone::ALL {
                    @if other == milestone {
                        span.button { (primary::milestone_title(other)) }
                    } @else {
                        a.button.secondary href={"/schools/" (school) "/classes/" (class) "/primary/" (other.key())} { (primary::milestone_title(other)) }
                    }
                }
                a.button.secondary href={"/schools/" (school) "/classes/" (class)} { "← Lớp " (book.class_name) }
            }
            @if let Some(note) = &book.not_primary {
                div.flash.error { (note) }
            } @else {
                p.why { (window_text(book.window(semester))) " "
                    @if let Some(closure) = closure {
                        "Sổ " (semester.label()) " đã khóa (" (closure.closed_by) " lúc " (vietnam_time(closure.closed_at)) "): không sửa được nữa; quản trị viên mở lại nếu cần."
                    } }
                @if !may_enter {
                    p.why { "Bạn chỉ xem: đánh giá của lớp do giáo viên chủ nhiệm nhập (Thông tư 27/2020 Điều 7), giáo viên bộ môn nhập môn mình được phân công (API), quản trị viên có thể nhập thay." }
                }
                form method="post" action=(action) {
                    (csrf(user))
                    h2 { "Môn học và hoạt động giáo dục" }
                    p.why { "Mức đạt được: T (Hoàn thành tốt), H (Hoàn thành), C (Chưa hoàn thành), M (miễn). "
                        "Điểm kiểm tra định kỳ: số nguyên 0–10, chỉ ở các môn có bài kiểm tra " (milestone.vietnamese()) " (Thông tư 27/2020 Điều 7 khoản 1 điểm b)." }
                    div.pr { table {
                        thead { tr {
                            th.name { "Học sinh" }
                            @for subject in &book.subjects {
                                th { (subject.name) }
                                @if subject.has_test(book.grade, milestone) { th { "KTĐK " (subject.name) } }
                            }
                        } }
                        tbody { @for student in &book.students {
                            @let values = student.values.get(&milestone).unwrap_or(&empty);
                            tr {
                                td.name { (student.full_name)
                                    input type="hidden" name={"v." (student.id)} value=(book.stamp(student.id, milestone).map(|s| s.version.to_string()).unwrap_or_default()); }
                                @for subject in &book.subjects {
                                    @let name = level_name(student.id, subject.id);
                                    td.v { input.c.bad[bad(&name)] name=(name) aria-label={(student.full_name) " — " (subject.name)} disabled[!may_enter]
                                        value=(shown(&name, values.levels.get(&subject.id).map(|l| level_code(l).to_owned()))); }
                                    @if subject.has_test(book.grade, milestone) {
                                        @let name = test_name(student.id, subject.id);
                                        td.v { input.c.bad[bad(&name)] name=(name) inputmode="numeric" aria-label={(student.full_name) " — KTĐK " (subject.name)} disabled[!may_enter]
                                            value=(shown(&name, values.tests.get(&subject.id).map(test_code))); }
                                    }
                                }
                            }
                        } }
                    } }
                    h2 { "Phẩm chất và năng lực" }
                    p.why { "T (Tốt), Đ (Đạt), C (Cần cố gắng) (Thông tư 27/2020 Điều 7 khoản 2)." }
                    div.pr { table {
                        thead { tr {
                            th.name { "Học sinh" }
                            @for field in &fields { th title=(if field.quality { "Phẩm chất" } else { "Năng lực" }) { (field.label) } }
                        } }
                        tbody { @for student in &book.students {
                            @let values = student.values.get(&milestone).unwrap_or(&empty);
                            tr {
                                td.name { (student.full_name) }
                                @for (index, field) in fields.iter().enumerate() {
                                    @let name = rating_name(student.id, field.key);
                                    td.v { input.c.bad[bad(&name)] name=(name) aria-label={(student.full_name) " — " (field.label)} disabled[!may_enter]
                                        value=(shown(&name, values.ratings[index].map(|r| rating_code(r).to_owned()))); }
                                }
                            }
                        } }
                    } }
                    h2 { "Nhận xét" }
                    div.pr { table {
                        thead { tr { th.name { "Học sinh" } th { "Nhận xét của giáo viên" }
                            @if year_end { th { "Thành tích nổi bật, tiến bộ vượt bậc (tập thể lớp công nhận)" } } } }
                        tbody { @for student in &book.students {
                            @let values = student.values.get(&milestone).unwrap_or(&empty);
                            @let name = format!("c.{}", student.id);
                            tr {
                                td.name { (student.full_name) }
                                td { textarea.bad[bad(&name)] name=(name) maxlength="2000" disabled[!may_enter] { (shown(&name, values.comment.clone())) } }
                                @if year_end {
                                    @let name = format!("o.{}", student.id);
                                    @let checked = retry.map_or(values.outstanding, |r| r.fields.get(&name).map(String::as_str) == Some("1"));
                                    td.v { input type="hidden" name=(name) value="0";
                                        input type="checkbox" name=(name) value="1" checked[checked] disabled[!may_enter] aria-label={(student.full_name) " — thành tích nổi bật"}; }
                                }
                            }
                        } }
                    } }
                    @if may_enter {
                        @if admin { p { label.inline { input type="checkbox" name="override" value="1"; " Ghi đè (ngoài đợt nhập; được ghi vào nhật ký)" } } }
                        p { button type="submit" { "Lưu đánh giá " (milestone.vietnamese()) } }
                    }
                }
                @if matches!(milestone, Milestone::EndS1 | Milestone::EndOfYear) {
                    div.card {
                        @if closure.is_none() && user.may(Action::EnterConduct, target) {
                            form.inline method="post" action={(action) "/close"} {
                                (csrf(user))
                                label.inline { input type="checkbox" name="confirm" value="1"; " Tôi xác nhận đánh giá " (milestone.vietnamese()) " của lớp đã đầy đủ" }
                                " "
                                button.danger type="submit" { "Xác nhận hoàn thành đánh giá, khóa sổ " (semester.label()) }
                            }
                            p.why { "Khi mọi học sinh đã đủ đánh giá, giáo viên chủ nhiệm xác nhận; sổ " (semester.label()) " được khóa, không ai sửa được cho đến khi quản trị viên mở lại." }
                        }
                        @if closure.is_some() && user.may(Action::ManageGradebook, target) {
                            form method="post" action={(action) "/reopen"} {
                                (csrf(user))
                                label for="reason" { "Lý do mở lại sổ (ghi vào nhật ký) *" }
                                input id="reason" name="reason" required maxlength="500";
                                button.danger type="submit" { "Mở lại sổ " (semester.label()) }
                            }
                        }
                    }
                }
                h2 { "Tổng hợp " (milestone.vietnamese()) }
                p { @let sheet = format!("/api/v1/schools/{school}/classes/{class}/primary/{}/sheet", milestone.key());
                    a.button.secondary href={(sheet) ".xlsx"} { "Tải Bảng tổng hợp kết quả đánh giá giáo dục của lớp (.xlsx)" }
                    " "
                    a.button.secondary href={(sheet) ".pdf"} { "Tải Bảng tổng hợp kết quả đánh giá giáo dục của lớp (PDF)" } }
                p.why { @if year_end {
                    "Kết quả giáo dục, hoàn thành chương trình lớp học và khen thưởng do thư viện đánh giá tính theo Thông tư 27/2020 (Điều 8, 11, 12); bấm “Lý do” để xem từng căn cứ."
                } @else {
                    "Ở thời điểm này, tổng hợp là mức đạt được của từng môn và phẩm chất, năng lực (Thông tư 27/2020 Điều 7); kết quả giáo dục xếp loại ở cuối năm học."
                } }
                p { "Sĩ số: " (counts.students) "; đủ đánh giá: " (counts.complete)
                    @for (result, n) in &counts.results { "; " (result) ": " (n) }
                    @for (award, n) in &counts.awards { "; " (award) ": " (n) } }
                div.pr { table {
                    thead { tr { th { "STT" } th.name { "Học sinh" }
                        @if year_end { th { "Kết quả giáo dục" } th { "Khen thưởng" } th { "Lên lớp" } } @else { th { "Trạng thái" } } } }
                    tbody { @for (index, line) in lines.iter().enumerate() {
                        tr class=(if line.complete { "" } else { "incomplete" }) {
                            td.v { (index + 1) }
                            td.name { (line.full_name)
                                details {
                                    summary { @if line.complete { "Lý do" } @else { "Còn thiếu" } }
                                    @if !line.missing.is_empty() { ul { @for m in &line.missing { li { (m) } } } }
                                    @if !line.reasons.is_empty() { ol { @for r in &line.reasons { li { (r.sentence) " " span.cite { "(" (r.citation) ")" } } } } }
                                } }
                            @if year_end {
                                td { (line.result.as_deref().unwrap_or("—")) }
                                td { (line.award.as_deref().unwrap_or("")) }
                                td { (line.promotion.as_deref().unwrap_or("—")) }
                            } @else {
                                td { @if line.complete { "Đủ đánh giá" } @else { "Còn thiếu " (line.missing.len()) " mục" } }
                            }
                        }
                    } }
                } }
            }
        },
    )
}

/// The form's values as the domain's inputs, one per student of the book
/// the form carries (the page sends every student, with the version it
/// showed), in the book's order: the error of `students[i]` is the i-th
/// input's student.
fn inputs_from_form(book: &PrimaryBook, fields: &BTreeMap<String, String>) -> Vec<LineInput> {
    let ratings = primary::rating_fields();
    book.students
        .iter()
        .filter(|student| {
            let prefixes = ["v", "l", "t", "r", "c", "o"].map(|p| format!("{p}.{}", student.id));
            fields.keys().any(|key| {
                prefixes
                    .iter()
                    .any(|p| key == p || key.starts_with(&format!("{p}.")))
            })
        })
        .map(|student| {
            let id = student.id;
            let mut input = LineInput::new(id);
            input.expected_version = fields
                .get(&format!("v.{id}"))
                .and_then(|v| v.trim().parse().ok());
            for subject in &book.subjects {
                if let Some(text) = fields.get(&level_name(id, subject.id)) {
                    input.levels.insert(subject.id, text.clone());
                }
                if let Some(text) = fields.get(&test_name(id, subject.id)) {
                    input.tests.insert(subject.id, text.clone());
                }
            }
            for field in &ratings {
                if let Some(text) = fields.get(&rating_name(id, field.key)) {
                    input.ratings.insert(field.key.to_owned(), text.clone());
                }
            }
            input.comment = fields.get(&format!("c.{id}")).cloned();
            input.outstanding = fields.get(&format!("o.{id}")).map(|v| v == "1");
            input
        })
        .collect()
}

/// The input a field error of `check_lines` belongs to.
fn input_name(inputs: &[LineInput], error: &FieldError) -> Option<String> {
    let rest = error.field.strip_prefix("students[")?;
    let (row, path) = rest.split_once("].")?;
    let student = inputs.get(row.parse::<usize>().ok()?)?.student;
    let mut parts = path.splitn(2, '.');
    Some(match (parts.next()?, parts.next()) {
        ("levels", Some(subject)) => format!("l.{student}.{subject}"),
        ("tests", Some(subject)) => format!("t.{student}.{subject}"),
        ("ratings", Some(key)) => format!("r.{student}.{key}"),
        ("comment", _) => format!("c.{student}"),
        ("outstanding", _) => format!("o.{student}"),
        _ => return None,
    })
}

async fn save(
    State(state): State<AppState>,
    Path((school, class, milestone_key)): Path<(SchoolId, ClassId, String)>,
    form: SubmittedForm,
) -> PageResult {
    let user = &form.user;
    let target = user
        .authorise(&state, Action::EnterConduct, school, Some(class))
        .await
        .map_err(|error| primary_refusal(error, &milestone_key))?;
    let milestone = milestone(&milestone_key)?;
    let book = state.store.primary_book(school, class).await?;
    let inputs = inputs_from_form(&book, &form.fields);
    let override_requested = form.get("override").is_some();
    let retry = |status: StatusCode, message: String, bad: BTreeMap<String, String>| {
        let retry = Retry {
            fields: &form.fields,
            bad,
            message,
        };
        Ok((
            status,
            markup(user, school, &book, milestone, &target, None, Some(&retry)),
        )
            .into_response())
    };
    let outcome = match check_and_save(
        &state,
        user,
        school,
        class,
        milestone,
        EntryScope::Class,
        &inputs,
        override_requested,
    )
    .await
    {
        Ok(outcome) => outcome,
        Err(AppError::Invalid(errors)) => {
            let bad = errors
                .0
                .iter()
                .map(|e| {
                    (
                        input_name(&inputs, e).unwrap_or_else(|| e.field.clone()),
                        format!("{}: {}", e.label, e.message),
                    )
                })
                .collect();
            return retry(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!(
                    "Có {} ô chưa hợp lệ, chưa lưu gì cả. Hãy sửa các ô được tô đỏ rồi lưu lại:",
                    errors.0.len()
                ),
                bad,
            );
        }
        Err(error) => return Err(error),
    };
    finish(outcome, retry, || {
        format!(
            "/schools/{school}/classes/{class}/primary/{}?ok=saved",
            milestone.key()
        )
    })
}

/// The students' lines of one subject from the subject page's form
/// (`l.{student}`, `t.{student}`, `v.{student}`), for the students it carries.
fn subject_inputs(
    book: &PrimaryBook,
    subject: SubjectId,
    fields: &BTreeMap<String, String>,
) -> Vec<LineInput> {
    book.students
        .iter()
        .filter(|student| {
            ["v", "l", "t"]
                .iter()
                .any(|p| fields.contains_key(&format!("{p}.{}", student.id)))
        })
        .map(|student| {
            let id = student.id;
            let mut input = LineInput::new(id);
            input.expected_version = fields
                .get(&format!("v.{id}"))
                .and_then(|v| v.trim().parse().ok());
            if let Some(text) = fields.get(&format!("l.{id}")) {
                input.levels.insert(subject, text.clone());
            }
            if let Some(text) = fields.get(&format!("t.{id}")) {
                input.tests.insert(subject, text.clone());
            }
            input
        })
        .collect()
}

async fn subject_target(
    state: &AppState,
    user: &CurrentUser,
    action: Action,
    school: SchoolId,
    class: ClassId,
    milestone_key: &str,
    subject: SubjectId,
) -> Result<(Target, Milestone), AppError> {
    let milestone = milestone(milestone_key)?;
    let semester = primary::milestone_semester(milestone);
    let target = authorise(
        state,
        user,
        action,
        school,
        Some(class),
        Some((subject, semester)),
    )
    .await?;
    Ok((target, milestone))
}

/// One subject of a primary class at a milestone: its teacher's page.
async fn subject_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, class, milestone_key, subject)): Path<(SchoolId, ClassId, String, SubjectId)>,
    Query(notice): Query<Notice>,
) -> PageResult {
    let (target, milestone) = subject_target(
        &state,
        &user,
        Action::ViewGradebook,
        school,
        class,
        &milestone_key,
        subject,
    )
    .await?;
    let book = state.store.primary_book(school, class).await?;
    let saved = notice.ok.as_deref() == Some("saved");
    Ok(subject_markup(
        &user,
        school,
        &book,
        milestone,
        subject,
        &target,
        saved.then_some("Đã lưu đánh giá môn học."),
        None,
    )
    .into_response())
}

#[allow(clippy::too_many_arguments)]
fn subject_markup(
    user: &CurrentUser,
    school: SchoolId,
    book: &PrimaryBook,
    milestone: Milestone,
    subject: SubjectId,
    target: &Target,
    notice: Option<&str>,
    retry: Option<&Retry<'_>>,
) -> Markup {
    let class = book.class_id;
    let info = book.subjects.iter().find(|s| s.id == subject);
    let subject_name = info.map_or_else(|| format!("mã {subject}"), |s| s.name.clone());
    let title = format!(
        "Đánh giá {} môn {} lớp {}",
        milestone.vietnamese(),
        subject_name,
        book.class_name
    );
    let semester = primary::milestone_semester(milestone);
    let may_enter =
        user.may(Action::EnterScores, target) && book.not_primary.is_none() && info.is_some();
    let has_test = info.is_some_and(|s| s.has_test(book.grade, milestone));
    let admin = user
        .principal
        .roles_in_school(school)
        .any(|role| role == Role::Admin);
    let shown = |name: &str, stored: Option<String>| -> String {
        retry
            .and_then(|r| r.fields.get(name).cloned())
            .or(stored)
            .unwrap_or_default()
    };
    let bad = |name: &str| retry.is_some_and(|r| r.bad.contains_key(name));
    let action = format!(
        "/schools/{school}/classes/{class}/primary/{}/subjects/{subject}",
        milestone.key()
    );
    page(
        &title,
        Some(user),
        html! {
            style { (PreEscaped(STYLE)) }
            (school_nav(user, school, target))
            h1 { (title) }
            (flash(notice))
            @if let Some(retry) = retry {
                div.flash.error role="alert" {
                    p { (retry.message) }
                    @if !retry.bad.is_empty() {
                        ul { @for message in retry.bad.values() { li { (message) } } }
                    }
                }
            }
            nav.actions {
                @for other in Milestone::ALL {
                    @if other == milestone {
                        span.button { (primary::milestone_title(other)) }
                    } @else {
                        a.button.secondary href={"/schools/" (school) "/classes/" (class) "/primary/" (other.key()) "/subjects/" (subject)} { (primary::milestone_title(other)) }
                    }
                }
            }
            @if let Some(note) = &book.not_primary {
                div.flash.error { (note) }
            } @else if info.is_none() {
                div.flash.error { "Môn này không thuộc khối " (book.grade.value()) " của lớp " (book.class_name) ": hãy chọn một môn của lớp." }
            } @else {
                p.why { (window_text(book.window(semester))) }
                @if !may_enter {
                    p.why { "Bạn chỉ xem: mức đạt được và điểm kiểm tra của môn do giáo viên được phân công dạy môn này ở " (semester.label()) " (hoặc giáo viên chủ nhiệm, ở trang của lớp) nhập." }
                }
                p.why { "Mức đạt được: T (Hoàn thành tốt), H (Hoàn thành), C (Chưa hoàn thành), M (miễn)."
                    @if has_test { " Điểm kiểm tra định kỳ: số nguyên 0–10 (Thông tư 27/2020 Điều 7 khoản 1 điểm b)." }
                    @else { " Môn này không có bài kiểm tra định kỳ " (milestone.vietnamese()) "." } }
                form method="post" action=(action) {
                    (csrf(user))
                    div.pr { table {
                        thead { tr { th { "STT" } th.name { "Học sinh" } th { "Mức đạt được" } @if has_test { th { "Điểm KTĐK" } } } }
                        tbody { @for (index, student) in book.students.iter().enumerate() {
                            @let values = student.values.get(&milestone);
                            @let level = format!("l.{}", student.id);
                            @let test = format!("t.{}", student.id);
                            tr {
                                td.v { (index + 1) }
                                td.name { (student.full_name)
                                    input type="hidden" name={"v." (student.id)} value=(book.stamp(student.id, milestone).map(|s| s.version.to_string()).unwrap_or_default()); }
                                td.v { input.c.bad[bad(&level)] name=(level) aria-label={(student.full_name) " — mức đạt được"} disabled[!may_enter]
                                    value=(shown(&level, values.and_then(|v| v.levels.get(&subject)).map(|l| level_code(l).to_owned()))); }
                                @if has_test {
                                    td.v { input.c.bad[bad(&test)] name=(test) inputmode="numeric" aria-label={(student.full_name) " — điểm kiểm tra"} disabled[!may_enter]
                                        value=(shown(&test, values.and_then(|v| v.tests.get(&subject)).map(test_code))); }
                                }
                            }
                        } }
                    } }
                    @if may_enter {
                        @if admin { p { label.inline { input type="checkbox" name="override" value="1"; " Ghi đè (ngoài đợt nhập; được ghi vào nhật ký)" } } }
                        p { button type="submit" { "Lưu môn " (subject_name) } }
                    }
                }
            }
        },
    )
}

async fn save_subject(
    State(state): State<AppState>,
    Path((school, class, milestone_key, subject)): Path<(SchoolId, ClassId, String, SubjectId)>,
    form: SubmittedForm,
) -> PageResult {
    let user = &form.user;
    let (target, milestone) = subject_target(
        &state,
        user,
        Action::EnterScores,
        school,
        class,
        &milestone_key,
        subject,
    )
    .await?;
    let book = state.store.primary_book(school, class).await?;
    let inputs = subject_inputs(&book, subject, &form.fields);
    let retry = |status: StatusCode, message: String, bad: BTreeMap<String, String>| {
        let retry = Retry {
            fields: &form.fields,
            bad,
            message,
        };
        Ok((
            status,
            subject_markup(
                user,
                school,
                &book,
                milestone,
                subject,
                &target,
                None,
                Some(&retry),
            ),
        )
            .into_response())
    };
    let outcome = match check_and_save(
        &state,
        user,
        school,
        class,
        milestone,
        EntryScope::Subject(subject),
        &inputs,
        form.get("override").is_some(),
    )
    .await
    {
        Ok(outcome) => outcome,
        Err(AppError::Invalid(errors)) => {
            let bad = errors
                .0
                .iter()
                .map(|e| {
                    // Field names of this page: `l.{student}` and `t.{student}`.
                    let name = input_name(&inputs, e)
                        .map(|n| {
                            n.rsplit_once('.')
                                .map_or(n.clone(), |(head, _)| head.to_owned())
                        })
                        .unwrap_or_else(|| e.field.clone());
                    (name, format!("{}: {}", e.label, e.message))
                })
                .collect();
            return retry(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!(
                    "Có {} ô chưa hợp lệ, chưa lưu gì cả. Hãy sửa các ô được tô đỏ rồi lưu lại:",
                    errors.0.len()
                ),
                bad,
            );
        }
        Err(error) => return Err(error),
    };
    finish(outcome, retry, || {
        format!(
            "/schools/{school}/classes/{class}/primary/{}/subjects/{subject}?ok=saved",
            milestone.key()
        )
    })
}

/// The answer to a save of either page: back to the page on success, the
/// page with the reason otherwise.
fn finish(
    outcome: PrimaryOutcome,
    retry: impl Fn(StatusCode, String, BTreeMap<String, String>) -> PageResult,
    done: impl Fn() -> String,
) -> PageResult {
    match outcome {
        PrimaryOutcome::Saved { .. } => Ok(Redirect::to(&done()).into_response()),
        PrimaryOutcome::Forbidden(denied) => Err(AppError::Forbidden(denied)),
        PrimaryOutcome::Refused(refusal) => retry(
            refusal_status(&refusal),
            format!("{} {}", refusal.reason(), refusal.remedy()),
            BTreeMap::new(),
        ),
        PrimaryOutcome::Stale(lines) => retry(
            StatusCode::CONFLICT,
            format!(
                "Đánh giá của {} đã được người khác sửa kể từ khi bạn mở trang; chưa có gì được lưu. Hãy mở lại trang (các giá trị bạn vừa nhập vẫn hiện bên dưới để chép lại).",
                lines
                    .iter()
                    .map(|l| match &l.current {
                        Some(stamp) => format!(
                            "{} ({} lúc {})",
                            l.full_name,
                            stamp.updated_by,
                            vietnam_time(stamp.updated_at)
                        ),
                        None => l.full_name.clone(),
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            BTreeMap::new(),
        ),
        PrimaryOutcome::NotPrimary(message) => Err(AppError::Refused(message)),
    }
}

async fn close(
    State(state): State<AppState>,
    Path((school, class, milestone_key)): Path<(SchoolId, ClassId, String)>,
    form: SubmittedForm,
) -> PageResult {
    let user = &form.user;
    let target = user
        .authorise(&state, Action::EnterConduct, school, Some(class))
        .await
        .map_err(|error| primary_refusal(error, &milestone_key))?;
    let milestone = milestone(&milestone_key)?;
    let refusal = if form.get("confirm").is_none() {
        Some("Hãy đánh dấu ô xác nhận rồi bấm lại: khóa sổ làm cho đánh giá của học kỳ này không sửa được nữa.".to_owned())
    } else {
        match state
            .store
            .close_primary(&crate::api::actor(user), school, class, milestone)
            .await?
        {
            CloseOutcome::Closed(_) => None,
            CloseOutcome::Refused(why) => Some(why),
        }
    };
    let Some(why) = refusal else {
        return Ok(Redirect::to(&format!(
            "/schools/{school}/classes/{class}/primary/{}?ok=closed",
            milestone.key()
        ))
        .into_response());
    };
    let book = state.store.primary_book(school, class).await?;
    let retry = Retry {
        fields: &form.fields,
        bad: BTreeMap::new(),
        message: why,
    };
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        markup(user, school, &book, milestone, &target, None, Some(&retry)),
    )
        .into_response())
}

async fn reopen(
    State(state): State<AppState>,
    Path((school, class, milestone_key)): Path<(SchoolId, ClassId, String)>,
    form: SubmittedForm,
) -> PageResult {
    let user = &form.user;
    user.authorise(&state, Action::ManageGradebook, school, Some(class))
        .await?;
    let milestone = milestone(&milestone_key)?;
    state
        .store
        .reopen_term(
            &crate::api::actor(user),
            school,
            class,
            primary::milestone_semester(milestone),
            form.get("reason").unwrap_or_default(),
        )
        .await?;
    Ok(Redirect::to(&format!(
        "/schools/{school}/classes/{class}/primary/{}?ok=reopened",
        milestone.key()
    ))
    .into_response())
}
