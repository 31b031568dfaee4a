//! The grade grid (sổ điểm) in the browser: the index of a class's
//! gradebooks (subject × semester, plan declared or not, how many cells are
//! entered) and the grid of one class × subject × semester.
//!
//! The grid is a server-rendered table that reads without script (inputs
//! read-only, a `<noscript>` note with the Excel way in, the typing help
//! hidden); our own script (`/assets/grid.js`, no framework,
//! from `grid.js` next to this file) makes it editable: arrows, Enter and
//! Tab move between cells, a cell is saved through the gradebook API as it
//! is typed (`PUT …/cells` with its version), a column pasted from Excel goes
//! through `POST …/cells/batch` (all or nothing), and the answers (the
//! Vietnamese message of a bad value, the 409 naming who changed the cell,
//! the new semester average and, in học kỳ II, year average, computed by
//! the server) are shown in place. The rules are the API's:
//! this page only reads the store and asks the same policy.

use super::layout::page;
use super::pages::school_nav;
use crate::AppState;
use crate::error::AppError;
use crate::gradebook_access::{edit_state, is_teacher};
use crate::session::CurrentUser;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use hocba_domain::access::{self, Action, Target};
use hocba_domain::curriculum::SubjectMode;
use hocba_domain::date::vietnam_time;
use hocba_domain::gradebook::{self, Semester, WindowState};
use hocba_domain::{ClassId, SchoolId, SubjectId};
use hocba_storage::StoreError;
use maud::{Markup, PreEscaped, html};
use std::collections::HashMap;

type PageResult = Result<Response, AppError>;

/// The grid's script: plain JavaScript of our own, served same-origin
/// (the CSP forbids inline scripts).
pub const GRID_JS: &str = include_str!("grid.js");

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/assets/grid.js", get(grid_script))
        .route(
            "/schools/{school}/classes/{class}/gradebook",
            get(class_gradebooks),
        )
        .route(
            "/schools/{school}/gradebook/{class}/{subject}/{semester}",
            get(grid_page),
        )
}

async fn grid_script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        GRID_JS,
    )
        .into_response()
}

/// The styles of the grid: a sticky name column on a horizontally
/// scrolling table, inputs large enough for a finger.
const GRID_STYLE: &str = r#"
.gb{overflow-x:auto;-webkit-overflow-scrolling:touch;max-width:100%}
.gb table{width:auto;min-width:100%}
.gb th.name{position:sticky;left:0;z-index:1;background:#fff;min-width:11rem;white-space:nowrap}
.gb thead th.name{background:#e8eef4;z-index:2}
.gb td.cell{padding:.2rem;min-width:4.2rem}
.gb input{width:4rem;min-height:2.4rem;font-size:16px;text-align:center;padding:.3rem}
.gb input[readonly]{background:#f1f3f5;color:#33404d;border-color:#d5dbe1}
.gb input.bad{border:2px solid #a61c1c;background:#fde8e8}
.gb input.conflict{border:2px solid #b45f06;background:#fff4e0}
.gb input.saved{border-color:#2e7d32;background:#e6f4ea}
.gb input.saving{border-color:#0b5394}
.gb .msg{color:#a61c1c;font-size:.78rem;max-width:11rem;white-space:normal}
.gb .msg.conflict{color:#8a4b00}
.gb td.avg{font-weight:700;text-align:center;white-space:nowrap}
.gb .shield{font-size:.75rem;color:#0b5394}
.gb th.locked{background:#f3e3e3}
tr.mine td,tr.mine th{background:#eef6ff}
"#;

/// Asks the policy about a gradebook; a teacher refused is told which
/// class, subject and semester (as the API does).
async fn authorise_book(
    state: &AppState,
    user: &CurrentUser,
    school: SchoolId,
    class: ClassId,
    subject: SubjectId,
    semester: Option<Semester>,
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
    target.class = Some(class);
    target.subject = Some(subject);
    target.semester = semester;
    let Err(denied) = access::authorise(&user.principal, Action::ViewGradebook, &target) else {
        return Ok(target);
    };
    if is_teacher(user, school)
        && let Some(semester) = semester
        && let Ok(info) = state.store.gradebook_subject(school, class, subject).await
    {
        return Err(AppError::Forbidden(gradebook::not_allowed_to_view(
            &info.place(semester),
        )));
    }
    Err(AppError::Forbidden(denied))
}

/// "8.5" → "8,5" (the Vietnamese decimal comma).
fn display(value: &str) -> String {
    value.replace('.', ",")
}

fn semester_roman(semester: Semester) -> &'static str {
    match semester {
        Semester::S1 => "I",
        Semester::S2 => "II",
    }
}

fn window_text(window: &WindowState) -> Markup {
    let span = |w: &gradebook::EntryWindow| {
        format!(
            "{} – {}",
            vietnam_time(w.opens_at),
            vietnam_time(w.closes_at)
        )
    };
    html! {
        @match window {
            WindowState::Open { window } => { "đang mở (" (span(window)) ")" }
            WindowState::NotYet { window } => { "chưa đến (" (span(window)) ")" }
            WindowState::Ended { window } => { "đã hết (" (span(window)) ")" }
            WindowState::None => { "chưa có đợt nhập điểm" }
        }
    }
}

/// The grid of a class × subject × semester.
async fn grid_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, class, subject, number)): Path<(SchoolId, ClassId, SubjectId, u8)>,
) -> PageResult {
    let target = authorise_book(
        &state,
        &user,
        school,
        class,
        subject,
        Semester::from_number(number),
    )
    .await?;
    let semester = Semester::from_number(number)
        .ok_or_else(|| AppError::BadRequest(gradebook::invalid_semester(&number.to_string())))?;
    let book = state
        .store
        .gradebook(school, class, subject, semester)
        .await?;
    let closure = state.store.term_closure(school, class, semester).await?;
    let edit = edit_state(&user, &target, &book, closure.as_ref());
    let info = &book.subject;
    let commented = info.mode == SubjectMode::Commented;
    let api = format!("/api/v1/schools/{school}/gradebook/{class}/{subject}/{number}");
    let title = format!(
        "Sổ điểm môn {} lớp {} – học kỳ {}",
        info.subject_name,
        info.class_name,
        semester_roman(semester)
    );
    let locks: Vec<_> = book
        .columns
        .iter()
        .filter_map(|c| c.lock.as_ref().map(|lock| (c, lock)))
        .collect();
    let year_column = semester == Semester::S2;
    let other_semester = match semester {
        Semester::S1 => 2,
        Semester::S2 => 1,
    };
    let body = html! {
        // The token the script sends as `X-CSRF-Token` with its API calls.
        meta name="csrf-token" content=(user.csrf_token);
        style { (PreEscaped(GRID_STYLE)) }
        h1 { (title) }
        (school_nav(&user, school, &target))
        p.actions {
            a.button.secondary href={"/schools/" (school) "/classes/" (class) "/gradebook"} { "← Sổ điểm của lớp " (info.class_name) }
            a.button.secondary href={"/schools/" (school) "/gradebook/" (class) "/" (subject) "/" (other_semester)} { "Học kỳ " (semester_roman(Semester::from_number(other_semester).unwrap_or(Semester::S1))) }
        }
        div.card {
            p {
                "Năm học " strong { (info.school_year) }
                " · Giáo viên bộ môn: " strong { (book.teacher.as_ref().map(|(_, name)| name.clone()).unwrap_or_else(|| "chưa phân công".into())) }
                " · Đợt nhập điểm khối " (info.grade.value()) ": " (window_text(&book.window))
            }
            p {
                @if commented {
                    "Môn đánh giá bằng nhận xét: nhập Đ (Đạt) hoặc CĐ (Chưa đạt); M nếu học sinh được miễn."
                } @else {
                    "Điểm từ 0 đến 10, một chữ số thập phân: gõ 8,5 hoặc 8.5; M nếu học sinh được miễn."
                }
                @if let Some(plan) = &book.plan {
                    " Số cột: " (plan.regular) " ĐĐGtx, 1 ĐĐGgk, 1 ĐĐGck."
                }
            }
            // How to type and paste: shown by the script, since without it
            // nothing on this page saves.
            p.why data-needs-script hidden {
                "Bàn phím: mũi tên để di chuyển, Enter để lưu và xuống dòng, Tab sang ô kế tiếp, Esc để trả lại giá trị cũ. "
                "Dán một cột (hoặc nhiều cột) chép từ Excel vào một ô: các ô bên dưới (và bên phải) được điền và lưu cùng lúc, "
                "lưu tất cả hoặc không lưu gì."
            }
        }
        @if let Some(why) = &edit.why_not {
            div.flash.error id="why-not" role="note" {
                p { strong { (why.reason) } }
                p.why { "Cách xử lý: " (why.remedy) }
                @if edit.override_needed {
                    p.why data-needs-script hidden { "Bạn là quản trị viên: điểm bạn lưu ở đây là ghi đè, được ghi vào nhật ký của sổ điểm." }
                }
            }
        }
        @if !locks.is_empty() {
            div.flash.error id="locks" role="note" {
                @for (column, lock) in &locks {
                    p { "Cột " strong { (column.label) } " đã khóa bởi " (lock.locked_by) " lúc " (vietnam_time(lock.locked_at)) " (lý do: " (lock.reason) "). "
                        span.why { "Muốn sửa, hãy liên hệ quản trị viên để mở khóa." } }
                }
            }
        }
        // Without script the grid is read-only (the inputs are rendered
        // `readonly`; grid.js enables them): say so, why, and the way that
        // needs no script, the gradebook's Excel file.
        @if edit.may_edit {
            noscript {
                div.flash.error id="noscript-note" role="note" {
                    p { strong { "Trình duyệt đang tắt JavaScript nên sổ điểm này chỉ để xem: các ô điểm chỉ đọc, trang này không lưu được gì." } }
                    p.why {
                        "Lý do: mỗi ô được lưu ngay khi gõ, kèm phiên bản của ô để không ghi đè điểm người khác vừa sửa, "
                        "và điểm trung bình được máy chủ tính lại ngay; các việc đó cần JavaScript."
                    }
                    p.why {
                        "Cách xử lý: bật JavaScript cho trang này rồi tải lại trang; hoặc nhập điểm bằng Excel (không cần JavaScript): "
                        a href={(api) "/sheet.xlsx"} { "tải sổ điểm môn này ra Excel (có sẵn điểm)" }
                        ", điền điểm vào tệp rồi tải lên ở trang "
                        a href={"/schools/" (school) "/classes/" (class) "/gradebook/" (number) "/excel"} { "Sổ điểm cả lớp bằng Excel – học kỳ " (semester_roman(semester)) }
                        " (lưu tất cả hoặc không lưu gì, có bảng lỗi từng ô)."
                    }
                }
            }
        }
        div id="grid-status" role="status" aria-live="polite" {}
        @if book.students.is_empty() {
            p.why { "Lớp chưa có học sinh đang học." }
        } @else {
            div.gb {
                table id="grid" data-api=(api) data-mode=(if commented { "commented" } else { "scored" })
                    data-editable=(if edit.may_edit { "1" } else { "0" })
                    data-override=(if edit.override_needed { "1" } else { "0" }) {
                    thead { tr {
                        th { "STT" }
                        th.name scope="col" { "Họ và tên" }
                        @for column in &book.columns {
                            th.locked[column.lock.is_some()] scope="col" data-col=(column.column.key())
                                title=[column.lock.as_ref().map(|l| format!("Đã khóa: {}", l.reason))] {
                                (column.label) @if column.lock.is_some() { " (khóa)" }
                            }
                        }
                        th scope="col" title="Điểm trung bình môn học kỳ (TT22 Điều 9)" { "ĐTBmhk" }
                        @if year_column { th scope="col" title="Điểm trung bình môn cả năm" { "ĐTBmcn" } }
                    } }
                    tbody {
                        @for (index, student) in book.students.iter().enumerate() {
                            @let cells: HashMap<String, &hocba_storage::CellState> = student.cells.iter().map(|c| (c.column.key(), c)).collect();
                            tr data-student=(student.id) {
                                td { (index + 1) }
                                th.name scope="row" { (student.full_name) }
                                @for column in &book.columns {
                                    @let key = column.column.key();
                                    @let cell = cells.get(&key);
                                    @let value = cell.and_then(|c| c.value.as_deref()).map(display).unwrap_or_default();
                                    td.cell {
                                        input type="text" value=(value) data-col=(key)
                                            data-version=[cell.map(|c| c.version)]
                                            data-locked=(if column.lock.is_some() { "1" } else { "0" })
                                            inputmode=(if commented { "text" } else { "decimal" })
                                            autocomplete="off" readonly
                                            aria-label={(column.label) " – " (student.full_name)};
                                        @if cell.is_some_and(|c| c.synced) {
                                            " " span.shield title="Điểm đồng bộ từ đề thi (kỳ thi chính quy) hoặc từ ứng dụng LMS (OneRoster); sửa tay sẽ bỏ biểu tượng này" { "🛡" }
                                        }
                                        @if cell.is_some_and(|c| c.missed_make_up) {
                                            " " span.why title="Vắng kiểm tra, không kiểm tra bù" { "vắng" }
                                        }
                                        div.msg {}
                                    }
                                }
                                td.avg title=[student.average.missing.clone()] {
                                    (student.average.value.as_deref().map(display).unwrap_or_else(|| "—".into()))
                                }
                                @if year_column {
                                    @let year = student.year.as_ref();
                                    td.year.avg title=[year.and_then(|y| y.missing.clone())] {
                                        (year.and_then(|y| y.value.as_deref()).map(display).unwrap_or_else(|| "—".into()))
                                    }
                                }
                            }
                        }
                    }
                }
            }
            p.muted { "— : chưa tính được điểm trung bình (di chuột hoặc chạm vào ô để xem còn thiếu gì)." }
        }
        script src="/assets/grid.js" defer {}
    };
    Ok(page(&title, Some(&user), body).into_response())
}

/// The gradebooks of a class: every subject × semester with its plan
/// status, how many cells are entered, and a link when the user may open
/// it; the user's own teaching assignments highlighted.
async fn class_gradebooks(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, class)): Path<(SchoolId, ClassId)>,
) -> PageResult {
    let target = user
        .authorise(&state, Action::ViewSchool, school, None)
        .await?;
    let row = state.store.class(school, class).await?;
    let plans = state
        .store
        .column_plans(school, row.school_year_id, None, Some(class))
        .await?;
    let teachers: HashMap<(SubjectId, u8), String> = state
        .store
        .teaching_assignments(school, row.school_year_id)
        .await?
        .into_iter()
        .filter(|a| a.class_id == class)
        .map(|a| ((a.subject_id, a.semester), a.staff_name))
        .collect();
    let windows = state
        .store
        .entry_windows(school, row.school_year_id)
        .await?;
    // Progress (cells filled of declared) and closed books, per semester.
    let mut filled: HashMap<(SubjectId, u8), (i64, i64)> = HashMap::new();
    let mut closures = Vec::new();
    for semester in Semester::ALL {
        let progress = state
            .store
            .progress(school, row.school_year_id, semester)
            .await?;
        for book in progress.books.iter().filter(|b| b.class_id == class) {
            filled.insert(
                (book.subject_id, semester.number()),
                (book.filled, book.declared),
            );
        }
        closures.push((
            semester,
            state.store.term_closure(school, class, semester).await?,
        ));
    }
    let now = hocba_storage::now_millis();
    let mut lines = Vec::new();
    for plan in &plans {
        let book_target = Target {
            class: Some(class),
            subject: Some(plan.subject_id),
            semester: Some(plan.semester),
            ..target.clone()
        };
        let may_view = user.may(Action::ViewGradebook, &book_target);
        let mine = user
            .principal
            .teaches(class, plan.subject_id, Some(plan.semester));
        // Progress: the cells entered out of students × declared columns.
        let progress = filled
            .get(&(plan.subject_id, plan.semester.number()))
            .filter(|_| plan.status == "declared")
            .copied();
        lines.push((plan, may_view, mine, progress));
    }
    let window_of = |semester: Semester| {
        let of_grade: Vec<_> = windows
            .iter()
            .filter(|w| w.grade == row.grade.value() && w.semester == semester)
            .cloned()
            .collect();
        gradebook::window_state(&of_grade, now)
    };
    let title = format!("Sổ điểm lớp {}", row.name);
    let body = html! {
        style { (PreEscaped(GRID_STYLE)) }
        h1 { (title) }
        (school_nav(&user, school, &target))
        p.actions {
            a.button.secondary href={"/schools/" (school) "/classes/" (class)} { "← Lớp " (row.name) }
            @for semester in Semester::ALL {
                a.button.secondary href={"/schools/" (school) "/classes/" (class) "/gradebook/" (semester.number()) "/excel"} { "Sổ điểm cả lớp bằng Excel – học kỳ " (semester_roman(semester)) }
            }
        }
        div.card {
            @for semester in Semester::ALL {
                p { "Đợt nhập điểm " (semester.label()) " khối " (row.grade.value()) ": " (window_text(&window_of(semester))) }
            }
            @for (semester, closure) in &closures {
                @if let Some(closure) = closure.as_ref().filter(|c| c.closed) {
                    p { strong { "Đã khóa sổ " (semester.label()) } " (" (closure.closed_by) " lúc " (vietnam_time(closure.closed_at)) "): điểm của học kỳ này không sửa được nữa; muốn sửa, hãy đề nghị quản trị viên mở lại sổ." }
                }
            }
            p.why { "Dòng tô màu: môn, học kỳ bạn được phân công dạy. Sổ điểm chỉ mở được khi bạn được xem (giáo viên bộ môn của môn, giáo viên chủ nhiệm của lớp, cán bộ quản lý, quản trị viên)." }
        }
        @if plans.is_empty() {
            p.why { "Lớp chưa có môn học nào: quản trị viên khai báo môn học của khối ở trang Môn học." }
        } @else {
            div.wrap { table id="gradebooks" {
                thead { tr { th { "Môn học" } th { "Học kỳ" } th { "Giáo viên" } th { "Khai báo số cột" } th { "Tiến độ" } th { "" } } }
                tbody { @for (plan, may_view, mine, progress) in &lines {
                    tr.mine[*mine] {
                        td { (plan.subject_name) @if *mine { " " span.muted { "(bạn dạy)" } } }
                        td { (semester_roman(plan.semester)) }
                        td { (teachers.get(&(plan.subject_id, plan.semester.number())).cloned().unwrap_or_else(|| "chưa phân công".into())) }
                        td {
                            @match plan.status {
                                "declared" => {
                                    "đã khai báo"
                                    @if let Some(p) = &plan.plan { span.muted { " (" (p.regular) " ĐĐGtx)" } }
                                }
                                "not_declared" => { strong { "chưa khai báo" } }
                                _ => { "không áp dụng" }
                            }
                            @if let Some(note) = &plan.note { div.why { (note) } }
                        }
                        td {
                            @match progress {
                                Some((filled, total)) => { "đã nhập " (filled) "/" (total) " ô" }
                                None => { span.muted { "—" } }
                            }
                        }
                        td {
                            @if *may_view && plan.status != "not_applicable" {
                                a href={"/schools/" (school) "/gradebook/" (class) "/" (plan.subject_id) "/" (plan.semester.number())} { "Mở sổ điểm" }
                            } @else if !*may_view {
                                span.why title="Giáo viên xem sổ điểm của lớp mình chủ nhiệm và của môn, lớp mình được phân công dạy." { "không được xem" }
                            }
                        }
                    }
                } }
            } }
        }
    };
    Ok(page(&title, Some(&user), body).into_response())
}
