//! Tổng kết in the browser: the summary of a class (each student's subject
//! averages, learning and training results, award and promotion, with the
//! reasons of the assessment library under each line, the distribution
//! chart drawn on the server), confirming it complete and closing the book,
//! an administrator reopening it; and the school's page (every class's
//! summary and closing, the school summary, grade-entry progress per class
//! and per teacher). The rules and the reads are the API's.

use super::layout::{csrf, flash, page};
use super::pages::school_nav;
use crate::AppState;
use crate::api_summary::{distribution_svg, permissions, semester, status_text};
use crate::error::AppError;
use crate::session::{CurrentUser, SubmittedForm};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use hocba_domain::access::Action;
use hocba_domain::date::vietnam_time;
use hocba_domain::gradebook::Semester;
use hocba_domain::summary::{self, SummaryCounts};
use hocba_domain::{ClassId, SchoolId};
use hocba_storage::{ClassSummary, CloseOutcome};
use maud::{Markup, PreEscaped, html};
use serde::Deserialize;
use std::collections::BTreeMap;

type PageResult = Result<Response, AppError>;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/schools/{school}/summaries",
            get(school_page).post(compute_school),
        )
        .route(
            "/schools/{school}/classes/{class}/summary/{semester}",
            get(class_page).post(compute_class),
        )
        .route(
            "/schools/{school}/classes/{class}/summary/{semester}/close",
            axum::routing::post(close),
        )
        .route(
            "/schools/{school}/classes/{class}/summary/{semester}/reopen",
            axum::routing::post(reopen),
        )
}

const STYLE: &str = r#"
.sum td.v{text-align:center;white-space:nowrap}.sum td.name{white-space:nowrap}
.sum tr.incomplete td{background:#fff8e6}.sum details{font-size:.88rem}
.sum details ol{margin:.3rem 0 .3rem 1.2rem;padding:0}.sum .cite{color:#5f6b78;font-size:.8rem}
.chart{overflow-x:auto;background:#fff;border:1px solid #d5dbe1;border-radius:6px;padding:.5rem;margin:.6rem 0}
.bar{background:#e6e6e6;border-radius:3px;height:.8rem;min-width:6rem}.bar span{display:block;height:100%;background:#38761d;border-radius:3px}
"#;

#[derive(Deserialize, Default)]
struct Notice {
    ok: Option<String>,
    /// The school page's semester (1 or 2; 1 when absent).
    semester: Option<u8>,
}

fn notice_text(notice: &Notice) -> Option<&'static str> {
    match notice.ok.as_deref() {
        Some("computed") => Some("Đã tổng kết và lưu."),
        Some("closed") => Some("Đã xác nhận hoàn thành tổng kết và khóa sổ."),
        Some("reopened") => Some("Đã mở lại sổ; việc mở lại đã được ghi vào nhật ký."),
        _ => None,
    }
}

fn semester_name(semester: Semester) -> &'static str {
    match semester {
        Semester::S1 => "học kỳ I",
        Semester::S2 => "cả năm (học kỳ II)",
    }
}

fn counts_line(counts: &SummaryCounts) -> Markup {
    let list = |map: &BTreeMap<String, usize>| {
        map.iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect::<Vec<_>>()
            .join("; ")
    };
    html! {
        ul {
            li { "Sĩ số: " (counts.students) "; đủ kết quả: " (counts.complete) }
            @if !counts.learning.is_empty() { li { "Kết quả học tập — " (list(&counts.learning)) } }
            @if !counts.training.is_empty() { li { "Kết quả rèn luyện — " (list(&counts.training)) } }
            @if !counts.award.is_empty() { li { "Khen thưởng — " (list(&counts.award)) } }
            @if !counts.promotion.is_empty() { li { "Lên lớp / ở lại lớp — " (list(&counts.promotion)) } }
        }
    }
}

async fn class_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, class, number)): Path<(SchoolId, ClassId, u8)>,
    Query(notice): Query<Notice>,
) -> PageResult {
    let target = user
        .authorise(&state, Action::ViewGradebook, school, Some(class))
        .await?;
    let semester = semester(number)?;
    let summary = state.store.class_summary(school, class, semester).await?;
    Ok(class_markup(&user, school, &summary, &target, notice_text(&notice), None).into_response())
}

fn class_markup(
    user: &CurrentUser,
    school: SchoolId,
    summary: &ClassSummary,
    target: &hocba_domain::access::Target,
    notice: Option<&str>,
    error: Option<&str>,
) -> Markup {
    let header = &summary.header;
    let semester = header.semester;
    let class = header.class_id;
    let may = permissions(user, target);
    let closed = header.closure.as_ref().is_some_and(|c| c.closed);
    let base = format!(
        "/schools/{school}/classes/{class}/summary/{}",
        semester.number()
    );
    let api = format!(
        "/api/v1/schools/{school}/classes/{class}/summary/{}",
        semester.number()
    );
    let title = format!(
        "Tổng kết {} lớp {}",
        semester_name(semester),
        header.class_name
    );
    let chart = distribution_svg(
        &format!("Phân bố điểm trung bình môn — lớp {}", header.class_name),
        &summary::distribution(&summary.lines, semester),
    );
    let year_end = semester == Semester::S2;
    page(
        &title,
        Some(user),
        html! {
            style { (PreEscaped(STYLE)) }
            (school_nav(user, school, target))
            h1 { (title) }
            (flash(notice))
            @if let Some(error) = error { div.flash.error role="alert" { (error) } }
            p.muted { "Năm học " (summary.school_year)
                @if let Some(homeroom) = &summary.homeroom { " · Giáo viên chủ nhiệm: " (homeroom) }
                " · " (status_text(summary)) }
            @if let Some(note) = &header.note { div.flash.error { (note) } }
            nav.actions {
                @for other in Semester::ALL {
                    @if other != semester {
                        a.button.secondary href={"/schools/" (school) "/classes/" (class) "/summary/" (other.number())} {
                            "Xem tổng kết " (semester_name(other)) }
                    }
                }
                a.button.secondary href={(api) "/sheet.xlsx"} { "Tải Bảng tổng hợp kết quả đánh giá (.xlsx)" }
                a.button.secondary href={(api) "/sheet.pdf"} { "Tải Bảng tổng hợp kết quả đánh giá (PDF)" }
                a.button.secondary href={"/schools/" (school) "/classes/" (class) "/gradebook"} { "Sổ điểm của lớp" }
            }
            div.card {
                @if may["compute"] == true {
                    form.inline method="post" action=(base) {
                        (csrf(user))
                        button type="submit" { "Tổng kết lớp (tính và lưu)" }
                    }
                    " "
                }
                @if may["close"] == true && !closed {
                    form.inline method="post" action={(base) "/close"} {
                        (csrf(user))
                        label.inline { input type="checkbox" name="confirm" value="1"; " Tôi xác nhận kết quả tổng kết đã đầy đủ" }
                        " "
                        button.danger type="submit" { "Xác nhận hoàn thành tổng kết, khóa sổ" }
                    }
                }
                @if may["reopen"] == true && closed {
                    form method="post" action={(base) "/reopen"} {
                        (csrf(user))
                        label for="reason" { "Lý do mở lại sổ (ghi vào nhật ký) *" }
                        input id="reason" name="reason" required maxlength="500";
                        button.danger type="submit" { "Mở lại sổ" }
                    }
                }
                @if closed {
                    p.why { "Sổ đã khóa: điểm, kết quả rèn luyện và nhận xét " (semester.label()) " của lớp không sửa được nữa. Nếu cần sửa, quản trị viên mở lại sổ (có ghi lý do)." }
                } @else {
                    p.why { "Khi mọi học sinh đã đủ kết quả, giáo viên chủ nhiệm xác nhận hoàn thành tổng kết; sổ được khóa, không ai sửa được điểm của học kỳ này cho đến khi quản trị viên mở lại." }
                }
            }
            h2 { "Phân bố điểm trung bình môn" }
            div.chart { (PreEscaped(chart)) }
            h2 { "Kết quả từng học sinh" }
            p.why { "Mỗi kết quả do thư viện đánh giá (Thông tư 22/2021) tính; bấm “Lý do” dưới tên học sinh để xem từng căn cứ. "
                "Cột môn là điểm trung bình " (if year_end { "cả năm (ĐTBmcn)" } else { "học kỳ I (ĐTBmhk)" }) "." }
            div.wrap.sum {
                table {
                    thead { tr {
                        th { "STT" } th { "Họ và tên" }
                        @for subject in &summary.subjects { th { (subject.name) } }
                        th { "KQHT" } th { "KQRL" }
                        @if year_end { th { "Khen thưởng" } th { "Lên lớp" } }
                    } }
                    tbody {
                        @for (index, line) in summary.lines.iter().enumerate() {
                            tr class=(if line.complete { "" } else { "incomplete" }) {
                                td.v { (index + 1) }
                                td.name {
                                    (line.full_name)
                                    details {
                                        summary { @if line.complete { "Lý do" } @else { "Còn thiếu" } }
                                        @if !line.missing.is_empty() {
                                            ul { @for missing in &line.missing { li { (missing) } } }
                                        }
                                        @if !line.reasons.is_empty() {
                                            ol { @for reason in &line.reasons {
                                                li { (reason.sentence) " " span.cite { "(" (reason.citation) ")" } }
                                            } }
                                        }
                                        @if let Some(comment) = &line.comment { p { "Nhận xét của giáo viên chủ nhiệm: " (comment) } }
                                        @if let Some(absences) = line.absences { p { "Số buổi nghỉ cả năm: " (absences) } }
                                    }
                                    @if may["compute"] == true {
                                        a.cite href={"/schools/" (school) "/classes/" (class) "/students/" (line.student_id) "/after-year"}
                                            title="Số buổi nghỉ, rèn luyện trong hè, kiểm tra lại, điểm mang từ trường cũ" { "Sau năm học" }
                                    }
                                }
                                @for index in 0..summary.subjects.len() {
                                    td.v { (line.subject_value(index, semester).map(|v| v.replace('.', ",")).unwrap_or_default()) }
                                }
                                td.v { (line.learning_result(semester).unwrap_or("—")) }
                                td.v { (line.training_result(semester).unwrap_or("—")) }
                                @if year_end {
                                    td { (line.award.as_deref().unwrap_or("")) }
                                    td { (line.promotion_label.as_deref().unwrap_or("—"))
                                        @if !line.retest_subjects.is_empty() { br; span.cite { "Môn kiểm tra lại: " (line.retest_subjects.join(", ")) } } }
                                }
                            }
                        }
                    }
                }
            }
            h2 { "Thống kê của lớp" }
            (counts_line(&header.counts))
        },
    )
}

async fn compute_class(
    State(state): State<AppState>,
    Path((school, class, number)): Path<(SchoolId, ClassId, u8)>,
    form: SubmittedForm,
) -> PageResult {
    let user = &form.user;
    user.authorise(&state, Action::EnterConduct, school, Some(class))
        .await?;
    let semester = semester(number)?;
    let year = state.store.class(school, class).await?.school_year_id;
    state
        .store
        .compute_summary(
            &crate::api::actor(user),
            school,
            year,
            Some(class),
            semester,
        )
        .await?;
    Ok(Redirect::to(&format!(
        "/schools/{school}/classes/{class}/summary/{}?ok=computed",
        semester.number()
    ))
    .into_response())
}

async fn close(
    State(state): State<AppState>,
    Path((school, class, number)): Path<(SchoolId, ClassId, u8)>,
    form: SubmittedForm,
) -> PageResult {
    let user = &form.user;
    let target = user
        .authorise(&state, Action::EnterConduct, school, Some(class))
        .await?;
    let semester = semester(number)?;
    let refusal = if form.get("confirm").is_none() {
        Some("Hãy đánh dấu ô xác nhận rồi bấm lại: khóa sổ làm cho điểm của học kỳ này không sửa được nữa.".to_owned())
    } else {
        match state
            .store
            .close_term(&crate::api::actor(user), school, class, semester)
            .await?
        {
            CloseOutcome::Closed(_) => None,
            CloseOutcome::Refused(why) => Some(why),
        }
    };
    match refusal {
        None => Ok(Redirect::to(&format!(
            "/schools/{school}/classes/{class}/summary/{}?ok=closed",
            semester.number()
        ))
        .into_response()),
        Some(why) => {
            let summary = state.store.class_summary(school, class, semester).await?;
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                class_markup(user, school, &summary, &target, None, Some(&why)),
            )
                .into_response())
        }
    }
}

async fn reopen(
    State(state): State<AppState>,
    Path((school, class, number)): Path<(SchoolId, ClassId, u8)>,
    form: SubmittedForm,
) -> PageResult {
    let user = &form.user;
    user.authorise(&state, Action::ManageGradebook, school, Some(class))
        .await?;
    let semester = semester(number)?;
    state
        .store
        .reopen_term(
            &crate::api::actor(user),
            school,
            class,
            semester,
            form.get("reason").unwrap_or_default(),
        )
        .await?;
    Ok(Redirect::to(&format!(
        "/schools/{school}/classes/{class}/summary/{}?ok=reopened",
        semester.number()
    ))
    .into_response())
}

fn percent(filled: i64, declared: i64) -> i64 {
    (filled * 100).checked_div(declared).unwrap_or(0)
}

async fn school_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(school): Path<SchoolId>,
    Query(notice): Query<Notice>,
) -> PageResult {
    let target = user
        .authorise(&state, Action::ViewGradebook, school, None)
        .await?;
    let semester = semester(notice.semester.unwrap_or(1))?;
    let year = state.store.current_year(school).await?;
    let classes = state
        .store
        .school_summary(school, year.id, semester)
        .await?;
    let progress = state.store.progress(school, year.id, semester).await?;
    let mut totals = SummaryCounts::default();
    for class in &classes {
        totals.merge(&class.counts);
    }
    let promotion = if semester == Semester::S2 {
        state.store.promotion_list(school, year.id).await?
    } else {
        Vec::new()
    };
    let may_compute = user.may(Action::ManageGradebook, &target);
    let title = format!("Tổng kết {} toàn trường", semester_name(semester));
    let bar = |filled: i64, declared: i64| {
        html! { div.bar title={(filled) " / " (declared)} { span style={"width:" (percent(filled, declared)) "%"} {} } }
    };
    Ok(page(
        &title,
        Some(&user),
        html! {
            style { (PreEscaped(STYLE)) }
            (school_nav(&user, school, &target))
            h1 { (title) }
            (flash(notice_text(&notice)))
            p.muted { "Năm học " (year.label) }
            nav.actions {
                @for other in Semester::ALL {
                    @if other != semester {
                        a.button.secondary href={"/schools/" (school) "/summaries?semester=" (other.number())} { "Tổng kết " (semester_name(other)) }
                    }
                }
            }
            @if may_compute {
                form.card method="post" action={"/schools/" (school) "/summaries"} {
                    (csrf(&user))
                    input type="hidden" name="semester" value=(semester.number());
                    p.why { "Tính và lưu tổng kết của mọi lớp THCS, THPT trong một lần: hoặc tất cả được lưu, hoặc không lớp nào (lớp tiểu học được ghi lý do chưa tổng kết)." }
                    button type="submit" { "Tổng kết toàn trường" }
                }
            }
            h2 { "Các lớp" }
            div.wrap { table {
                thead { tr { th { "Lớp" } th { "Tổng kết lúc" } th { "Sĩ số" } th { "Đủ kết quả" } th { "Khóa sổ" } } }
                tbody {
                    @for class in &classes {
                        tr {
                            td { a href={"/schools/" (school) "/classes/" (class.class_id) "/summary/" (semester.number())} { (class.class_name) } }
                            td { @match class.computed_at { Some(at) => (vietnam_time(at)), None => span.muted { "chưa tổng kết" } }
                                 @if let Some(note) = &class.note { br; span.cite { (note) } } }
                            td { (class.counts.students) }
                            td { (class.counts.complete) }
                            td { @match &class.closure {
                                Some(c) if c.closed => { "Đã khóa (" (c.closed_by) ")" }
                                Some(_) => { "Đã mở lại" }
                                None => { span.muted { "chưa" } }
                            } }
                        }
                    }
                }
            } }
            h2 { "Thống kê toàn trường (các lớp đã tổng kết)" }
            (counts_line(&totals))
            @if !promotion.is_empty() {
                h2 { "Danh sách xét lên lớp" }
                div.wrap { table {
                    thead { tr { th { "Lớp" } th { "Họ và tên" } th { "KQHT" } th { "KQRL" } th { "Khen thưởng" } th { "Quyết định" } } }
                    tbody { @for row in promotion.iter().filter(|r| r.promotion.as_deref() != Some("promoted")) {
                        tr { td { (row.class_name) } td { (row.full_name) } td { (row.learning.as_deref().unwrap_or("—")) }
                             td { (row.training.as_deref().unwrap_or("—")) } td { (row.award.as_deref().unwrap_or("")) }
                             td { (row.promotion_label.as_deref().unwrap_or("Chưa đủ kết quả"))
                                  @if !row.retest_subjects.is_empty() { " — " (row.retest_subjects.join(", ")) } } }
                    } }
                } }
                p.why { "Học sinh được lên lớp: " (promotion.iter().filter(|r| r.promotion.as_deref() == Some("promoted")).count())
                    " (không liệt kê). Kết quả kiểm tra lại và rèn luyện trong hè được nhập qua API rồi tổng kết lại." }
            }
            h2 { "Tiến độ nhập điểm " (semester.label()) }
            p.why { "Số ô đã nhập trên số ô đã khai báo (số cột × số học sinh đang học)." }
            div.grid {
                div { h2 { "Theo lớp" } table {
                    thead { tr { th { "Lớp" } th { "Đã nhập" } th {} } }
                    tbody { @for total in &progress.by_class { tr { td { (total.name) } td { (total.filled) " / " (total.declared) } td { (bar(total.filled, total.declared)) } } } }
                } }
                div { h2 { "Theo giáo viên" } table {
                    thead { tr { th { "Giáo viên" } th { "Đã nhập" } th {} } }
                    tbody { @for total in &progress.by_teacher { tr { td { (total.name) } td { (total.filled) " / " (total.declared) } td { (bar(total.filled, total.declared)) } } } }
                } }
            }
        },
    )
    .into_response())
}

async fn compute_school(
    State(state): State<AppState>,
    Path(school): Path<SchoolId>,
    form: SubmittedForm,
) -> PageResult {
    let user = &form.user;
    user.authorise(&state, Action::ManageGradebook, school, None)
        .await?;
    let number = form
        .get("semester")
        .map(|n| {
            n.parse::<u8>()
                .map_err(|_| AppError::BadRequest(hocba_domain::gradebook::invalid_semester(n)))
        })
        .transpose()?
        .unwrap_or(1);
    let semester = semester(number)?;
    let year = state.store.current_year(school).await?;
    state
        .store
        .compute_summary(&crate::api::actor(user), school, year.id, None, semester)
        .await?;
    Ok(Redirect::to(&format!(
        "/schools/{school}/summaries?semester={}&ok=computed",
        semester.number()
    ))
    .into_response())
}
