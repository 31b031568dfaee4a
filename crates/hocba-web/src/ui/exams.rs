//! Khảo thí in the browser (seed 000): the school's exams, a paper's score
//! sheet (entry, Excel, finalising, the shield marker on synced scores),
//! and the sync wizard — each class with the columns it can take and why
//! the others cannot, the students left out and why, live progress while
//! the sync runs, and the result of every class. The rules and the reads
//! are the API's (`hocba_storage`, `hocba_domain::exam`).

use super::layout::{csrf, flash, page};
use super::pages::school_nav;
use crate::AppState;
use crate::api::actor;
use crate::api_exams::{import_score_file, parse_choices};
use crate::error::AppError;
use crate::session::{CurrentUser, SubmittedForm, Upload};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use hocba_domain::access::{Action, Target};
use hocba_domain::date::vietnam_time;
use hocba_domain::exam::{ExamKind, PaperState};
use hocba_domain::gradebook::Semester;
use hocba_domain::{ClassId, ExamId, ExamPaperId, SchoolId, StudentId, SubjectId};
use hocba_storage::{
    BlockView, ExamInput, ExamRow, PaperInput, ScoreEdit, ScoreSheet, ScoresOutcome,
    SyncClassResult, SyncOutcome, SyncPreview, SyncRun,
};
use maud::{Markup, PreEscaped, html};
use serde::Deserialize;
use serde_json::json;

type PageResult = Result<Response, AppError>;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/schools/{school}/exams", get(exams_page).post(create_exam))
        .route("/schools/{school}/exam-settings", post(save_settings))
        .route(
            "/schools/{school}/exams/{exam}",
            get(exam_page).post(update_exam),
        )
        .route("/schools/{school}/exams/{exam}/delete", post(delete_exam))
        .route("/schools/{school}/exams/{exam}/papers", post(create_paper))
        .route("/schools/{school}/exam-papers/{paper}", get(sheet_page))
        .route(
            "/schools/{school}/exam-papers/{paper}/scores",
            post(save_scores),
        )
        .route(
            "/schools/{school}/exam-papers/{paper}/final",
            post(set_final),
        )
        .route(
            "/schools/{school}/exam-papers/{paper}/delete",
            post(delete_paper),
        )
        .route(
            "/schools/{school}/exam-papers/{paper}/import",
            post(import_scores),
        )
        .route(
            "/schools/{school}/exam-papers/{paper}/sync",
            get(sync_page).post(sync),
        )
        .route(
            "/schools/{school}/exam-papers/{paper}/sync/progress",
            get(sync_progress),
        )
        .route(
            "/schools/{school}/exam-papers/{paper}/sync/resume",
            post(resume_sync),
        )
}

const STYLE: &str = r#"
.exam td.v{text-align:center;white-space:nowrap}.exam input.score{width:4.5rem;text-align:center}
.shield{color:#0b5394}.exam tr.nocode td{background:#fff8e6}
.sync .class{border:1px solid #d5dbe1;border-radius:6px;padding:.6rem;margin:.6rem 0;background:#fff}
.sync .blocked{color:#a61c1c}.sync ul.reasons{font-size:.9rem;margin:.3rem 0 .3rem 1.2rem;padding:0}
.progress li.pending{color:#5f6b78}.progress li.synced{color:#38761d}.progress li.refused{color:#a61c1c}
"#;

#[derive(Deserialize, Default)]
struct Notice {
    ok: Option<String>,
}

fn notice_text(notice: &Notice) -> Option<&'static str> {
    match notice.ok.as_deref() {
        Some("created") => Some("Đã tạo."),
        Some("saved") => Some("Đã lưu."),
        Some("deleted") => Some("Đã xóa."),
        Some("final") => Some("Đã chốt điểm: bảng điểm không sửa được nữa, trừ khi mở chốt."),
        Some("reopened") => Some("Đã mở chốt: có thể sửa điểm; nhớ chốt lại trước khi đồng bộ."),
        Some("linked") => Some("Đã lưu liên kết khảo thí với sổ điểm."),
        _ => None,
    }
}

fn semester_of(form: &SubmittedForm) -> Result<Semester, AppError> {
    form.get("semester")
        .and_then(|s| s.parse::<u8>().ok())
        .and_then(Semester::from_number)
        .ok_or_else(|| AppError::BadRequest("Hãy chọn học kỳ I hoặc học kỳ II cho kỳ thi.".into()))
}

fn kind_of(form: &SubmittedForm) -> Result<ExamKind, AppError> {
    form.get("kind")
        .and_then(ExamKind::from_code)
        .ok_or_else(|| AppError::BadRequest("Hãy chọn loại kỳ thi: chính quy hoặc tự do.".into()))
}

fn state_text(state: &PaperState) -> String {
    match state {
        PaperState::Open => state.label().into(),
        PaperState::Final { at, by } => format!("{} ({by}, {})", state.label(), vietnam_time(*at)),
        PaperState::Synced(stamp) => format!(
            "{} ({}, {})",
            state.label(),
            stamp.by,
            vietnam_time(stamp.at)
        ),
    }
}

fn block_markup(block: &BlockView) -> Markup {
    html! {
        p.blocked { strong { (block.reason) } }
        p.why { "Cách xử lý: " (block.remedy) }
    }
}

async fn exams_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(school): Path<SchoolId>,
    Query(notice): Query<Notice>,
) -> PageResult {
    let target = user
        .authorise(&state, Action::ViewExams, school, None)
        .await?;
    let year = crate::api::year_or_current(&state, school, None).await?;
    let exams = state.store.exams(school, year).await?;
    let linked = state.store.exam_link(school).await?;
    let manage = user.may(Action::ManageExams, &target);
    Ok(page(
        "Kỳ thi",
        Some(&user),
        html! {
            style { (PreEscaped(STYLE)) }
            h1 { "Kỳ thi cấp trường" }
            (school_nav(&user, school, &target))
            (flash(notice_text(&notice)))
            div.card {
                h2 { "Liên kết với sổ điểm" }
                @if linked {
                    p { "Đang bật: điểm các đề thi của kỳ thi chính quy đã chốt có thể đồng bộ sang sổ điểm (mỗi đề một lần)." }
                } @else {
                    p.blocked { "Đang tắt: không đề thi nào đồng bộ được sang sổ điểm." }
                    p.why { "Tắt khi sổ điểm của trường được quản lý ở hệ thống khác. Bật lại nếu sổ điểm của trường ở hocba." }
                }
                @if manage {
                    form method="post" action={"/schools/" (school) "/exam-settings"} {
                        (csrf(&user))
                        input type="hidden" name="linked" value=(if linked { "0" } else { "1" });
                        button.secondary type="submit" { @if linked { "Tắt liên kết" } @else { "Bật liên kết" } }
                    }
                }
            }
            @if exams.is_empty() {
                p.muted { "Năm học này chưa có kỳ thi nào." }
            } @else {
                table.exam {
                    thead { tr { th { "Kỳ thi" } th { "Loại" } th { "Học kỳ" } th { "Đề thi" } th { "Đã đồng bộ" } } }
                    tbody { @for exam in &exams {
                        tr {
                            td { a href={"/schools/" (school) "/exams/" (exam.id)} { (exam.name) } }
                            td { (exam.kind.label()) }
                            td { (exam.semester.label()) }
                            td.v { (exam.papers.len()) }
                            td.v { (exam.papers.iter().filter(|p| matches!(p.state, PaperState::Synced(_))).count()) }
                        }
                    } }
                }
            }
            @if manage {
                form.card method="post" action={"/schools/" (school) "/exams"} {
                    (csrf(&user))
                    h2 { "Tạo kỳ thi" }
                    label for="name" { "Tên kỳ thi" }
                    input id="name" name="name" required placeholder="Kiểm tra giữa học kỳ I";
                    (exam_fields(None))
                    div.actions { button type="submit" { "Tạo kỳ thi" } }
                }
            }
        },
    )
    .into_response())
}

/// Kind and semester of an exam form.
fn exam_fields(exam: Option<&ExamRow>) -> Markup {
    let kind = exam.map(|e| e.kind).unwrap_or(ExamKind::Regular);
    let semester = exam.map(|e| e.semester).unwrap_or(Semester::S1);
    html! {
        label for="kind" { "Loại kỳ thi" }
        select id="kind" name="kind" {
            @for option in ExamKind::ALL {
                option value=(option.code()) selected[option == kind] { (option.label()) }
            }
        }
        p.why { "Chỉ kỳ thi chính quy mới đồng bộ điểm sang sổ điểm; kỳ thi tự do dùng để luyện tập." }
        label for="semester" { "Học kỳ (điểm đồng bộ vào sổ điểm của học kỳ này)" }
        select id="semester" name="semester" {
            @for option in [Semester::S1, Semester::S2] {
                option value=(option.number()) selected[option == semester] { (option.label()) }
            }
        }
    }
}

async fn save_settings(
    State(state): State<AppState>,
    Path(school): Path<SchoolId>,
    form: SubmittedForm,
) -> PageResult {
    form.user
        .authorise(&state, Action::ManageExams, school, None)
        .await?;
    let linked = match form.get("linked") {
        Some("1") => true,
        Some("0") => false,
        _ => {
            return Err(AppError::BadRequest(
                "Hãy chọn bật hoặc tắt liên kết khảo thí với sổ điểm.".into(),
            ));
        }
    };
    state
        .store
        .set_exam_link(&actor(&form.user), school, linked)
        .await?;
    Ok(Redirect::to(&format!("/schools/{school}/exams?ok=linked")).into_response())
}

async fn create_exam(
    State(state): State<AppState>,
    Path(school): Path<SchoolId>,
    form: SubmittedForm,
) -> PageResult {
    form.user
        .authorise(&state, Action::ManageExams, school, None)
        .await?;
    let input = ExamInput {
        school_year_id: crate::api::year_or_current(&state, school, None).await?,
        semester: semester_of(&form)?,
        name: form.get("name").unwrap_or_default().to_owned(),
        kind: kind_of(&form)?,
    };
    let exam = state
        .store
        .create_exam(&actor(&form.user), school, &input)
        .await?;
    Ok(Redirect::to(&format!("/schools/{school}/exams/{}?ok=created", exam.id)).into_response())
}

async fn exam_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, exam)): Path<(SchoolId, ExamId)>,
    Query(notice): Query<Notice>,
) -> PageResult {
    let target = user
        .authorise(&state, Action::ViewExams, school, None)
        .await?;
    let exam = state.store.exam(school, exam).await?;
    let manage = user.may(Action::ManageExams, &target);
    let subjects = state
        .store
        .subjects(school, exam.school_year_id, None)
        .await?;
    let classes = state.store.classes(school, exam.school_year_id).await?;
    let frozen = exam.frozen();
    let base = format!("/schools/{school}/exams/{}", exam.id);
    Ok(page(
        &exam.name,
        Some(&user),
        html! {
            style { (PreEscaped(STYLE)) }
            h1 { "Kỳ thi " (exam.name) }
            (school_nav(&user, school, &target))
            p.actions { a.button.secondary href={"/schools/" (school) "/exams"} { "← Các kỳ thi" } }
            (flash(notice_text(&notice)))
            p { (exam.kind.label()) " · " (exam.semester.label()) " · tạo bởi " (exam.created_by) " lúc " (vietnam_time(exam.created_at)) }
            h2 { "Đề thi" }
            @if exam.papers.is_empty() {
                p.muted { "Kỳ thi chưa có đề thi nào." }
            } @else {
                table.exam {
                    thead { tr { th { "Đề thi" } th { "Môn" } th { "Khối" } th { "Lớp" } th { "Có điểm" } th { "Trạng thái" } } }
                    tbody { @for paper in &exam.papers {
                        tr {
                            td { a href={"/schools/" (school) "/exam-papers/" (paper.id)} { (paper.name) } }
                            td { (paper.subject_name) }
                            td.v { (paper.grade.value()) }
                            td { (paper.classes.iter().map(|c| c.class_name.as_str()).collect::<Vec<_>>().join(", ")) }
                            td.v { (paper.scored) }
                            td {
                                @if matches!(paper.state, PaperState::Synced(_)) { span.shield title="Đã đồng bộ sang sổ điểm" { "🛡 " } }
                                (paper.state.label())
                            }
                        }
                    } }
                }
            }
            @if manage {
                form.card method="post" enctype="multipart/form-data" action={(base) "/papers"} {
                    (csrf(&user))
                    h2 { "Thêm đề thi" }
                    label for="paper-name" { "Tên đề thi" }
                    input id="paper-name" name="name" required placeholder="Toán 10 — giữa kỳ";
                    label for="subject" { "Môn" }
                    select id="subject" name="subject_id" required {
                        @for subject in &subjects {
                            option value=(subject.id) { (subject.name) " — khối " (subject.grade.value()) }
                        }
                    }
                    fieldset {
                        legend { "Các lớp làm đề (cùng khối với môn đã chọn)" }
                        @for class in &classes {
                            label.inline { input type="checkbox" name="classes" value=(class.id); " " (class.name) } " "
                        }
                    }
                    div.actions { button type="submit" { "Thêm đề thi" } }
                }
                form.card method="post" action=(base) {
                    (csrf(&user))
                    h2 { "Sửa kỳ thi" }
                    @if frozen {
                        p.why { "Kỳ thi đã có đề thi đồng bộ sang sổ điểm nên không sửa, không xóa được (điểm đã đồng bộ mang tên kỳ thi này)." }
                    }
                    input type="hidden" name="version" value=(exam.version);
                    label for="name" { "Tên kỳ thi" }
                    input id="name" name="name" required value=(exam.name) disabled[frozen];
                    (exam_fields(Some(&exam)))
                    div.actions { button type="submit" disabled[frozen] { "Lưu" } }
                }
                form method="post" action={(base) "/delete"} {
                    (csrf(&user))
                    button.danger type="submit" disabled[frozen] { "Xóa kỳ thi và các đề thi" }
                }
            }
        },
    )
    .into_response())
}

async fn update_exam(
    State(state): State<AppState>,
    Path((school, exam)): Path<(SchoolId, ExamId)>,
    form: SubmittedForm,
) -> PageResult {
    form.user
        .authorise(&state, Action::ManageExams, school, None)
        .await?;
    let current = state.store.exam(school, exam).await?;
    let input = ExamInput {
        school_year_id: current.school_year_id,
        semester: semester_of(&form)?,
        name: form.get("name").unwrap_or_default().to_owned(),
        kind: kind_of(&form)?,
    };
    let version = form
        .get("version")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    state
        .store
        .update_exam(&actor(&form.user), school, exam, &input, version)
        .await?;
    Ok(Redirect::to(&format!("/schools/{school}/exams/{exam}?ok=saved")).into_response())
}

async fn delete_exam(
    State(state): State<AppState>,
    Path((school, exam)): Path<(SchoolId, ExamId)>,
    form: SubmittedForm,
) -> PageResult {
    form.user
        .authorise(&state, Action::ManageExams, school, None)
        .await?;
    state
        .store
        .delete_exam(&actor(&form.user), school, exam)
        .await?;
    Ok(Redirect::to(&format!("/schools/{school}/exams?ok=deleted")).into_response())
}

async fn create_paper(
    State(state): State<AppState>,
    Path((school, exam)): Path<(SchoolId, ExamId)>,
    form: Upload,
) -> PageResult {
    form.user
        .authorise(&state, Action::ManageExams, school, None)
        .await?;
    let classes: Vec<ClassId> = form
        .lists
        .get("classes")
        .into_iter()
        .flatten()
        .filter_map(|c| c.parse().ok())
        .collect();
    let subject: SubjectId = form
        .fields
        .get("subject_id")
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| AppError::BadRequest("Hãy chọn môn của đề thi.".into()))?;
    let input = PaperInput {
        subject_id: subject,
        name: form.fields.get("name").cloned().unwrap_or_default(),
        classes,
    };
    let paper = state
        .store
        .create_paper(&actor(&form.user), school, exam, &input)
        .await?;
    Ok(Redirect::to(&format!(
        "/schools/{school}/exam-papers/{}?ok=created",
        paper.id
    ))
    .into_response())
}

async fn sheet_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, paper)): Path<(SchoolId, ExamPaperId)>,
    Query(notice): Query<Notice>,
) -> PageResult {
    let target = user
        .authorise(&state, Action::ViewExams, school, None)
        .await?;
    let sheet = state.store.score_sheet(school, paper).await?;
    Ok(sheet_markup(&user, school, &target, &sheet, notice_text(&notice), None).into_response())
}

/// The result of an upload or a save, shown above the sheet.
enum Outcome {
    /// The message, each refused place with its reason, and for an upload
    /// the same as an .xlsx error file ("Bảng kết quả nhập liệu").
    Errors(String, Vec<(String, String)>, Option<Vec<u8>>),
}

fn sheet_markup(
    user: &CurrentUser,
    school: SchoolId,
    target: &Target,
    sheet: &ScoreSheet,
    notice: Option<&str>,
    outcome: Option<Outcome>,
) -> Markup {
    let paper = &sheet.paper;
    let base = format!("/schools/{school}/exam-papers/{}", paper.id);
    let manage = user.may(Action::ManageExams, target);
    let may_sync = user.may(Action::SyncExamScores, target);
    let editable = manage && paper.state.check_edit_scores(&paper.name).is_ok();
    let synced = matches!(paper.state, PaperState::Synced(_));
    let title = format!("Bảng điểm {}", paper.name);
    page(
        &title,
        Some(user),
        html! {
            style { (PreEscaped(STYLE)) }
            h1 { (title) }
            (school_nav(user, school, target))
            p.actions { a.button.secondary href={"/schools/" (school) "/exams/" (sheet.exam.id)} { "← Kỳ thi " (sheet.exam.name) } }
            (flash(notice))
            @if let Some(Outcome::Errors(message, rows, file)) = &outcome {
                div.flash.error role="alert" {
                    p { strong { (message) } }
                    @if !rows.is_empty() { ul { @for (place, why) in rows { li { (place) ": " (why) } } } }
                    @if let Some(file) = file {
                        p { a.button.secondary download="loi-bang-diem.xlsx"
                            href={"data:application/vnd.openxmlformats-officedocument.spreadsheetml.sheet;base64," (base64::Engine::encode(&base64::engine::general_purpose::STANDARD, file))} { "Tải file lỗi (Excel)" } }
                    }
                }
            }
            p {
                "Kỳ thi " (sheet.exam.name) " (" (sheet.exam.kind.label()) ", " (sheet.exam.semester.label()) ") · Môn "
                (paper.subject_name) " khối " (paper.grade.value()) " · "
                strong { (state_text(&paper.state)) }
            }
            @if let Err(why) = paper.state.check_edit_scores(&paper.name) {
                p.why { (why.reason()) " " (why.remedy()) }
            }
            div.actions {
                a.button.secondary href={"/api/v1/schools/" (school) "/exam-papers/" (paper.id) "/scores.xlsx"} { "Tải bảng điểm (Excel)" }
                @if manage && !synced {
                    form.inline method="post" action={(base) "/final"} {
                        (csrf(user))
                        @if matches!(paper.state, PaperState::Open) {
                            input type="hidden" name="action" value="final";
                            button type="submit" { "Chốt điểm" }
                        } @else {
                            input type="hidden" name="action" value="reopen";
                            button.secondary type="submit" { "Mở chốt" }
                        }
                    }
                }
                @if may_sync {
                    a.button href={(base) "/sync"} { @if synced { "Kết quả đồng bộ" } @else { "Đồng bộ điểm" } }
                }
            }
            @if !sheet.linked {
                p.why { "Trường đang tắt liên kết khảo thí với sổ điểm: đề thi này không đồng bộ được cho đến khi quản trị viên bật lại (trang Kỳ thi)." }
            }
            form method="post" action={(base) "/scores"} {
                (csrf(user))
                table.exam {
                    thead { tr { th { "STT" } th { "Lớp" } th { "Họ và tên" } th { "Ngày sinh" } th { "Mã định danh Bộ GD&ĐT" } th { "Điểm" } } }
                    tbody { @for (i, row) in sheet.rows.iter().enumerate() {
                        tr.nocode[row.moet_code.is_none()] {
                            td.v { (i + 1) }
                            td { (row.class_name) }
                            td { (row.full_name) }
                            td.v { (row.birth_date) }
                            td {
                                @match &row.moet_code {
                                    Some(code) => { (code) }
                                    None => { span.why title="Học sinh chưa được nộp lên CSDL ngành: điểm của học sinh này sẽ không được đồng bộ sang sổ điểm." { "Chưa có" } }
                                }
                            }
                            td.v {
                                @if editable {
                                    input.score name={"score-" (row.student_id)} value=(row.score.clone().unwrap_or_default().replace('.', ",")) inputmode="decimal" aria-label={"Điểm của " (row.full_name)};
                                    input type="hidden" name={"version-" (row.student_id)} value=(row.version);
                                } @else {
                                    (row.score.clone().unwrap_or_default().replace('.', ","))
                                }
                                @if row.synced { " " span.shield title="Điểm đã được đồng bộ sang sổ điểm" { "🛡" } }
                            }
                        }
                    } }
                }
                @if editable {
                    p.why { "Điểm từ 0 đến 10, một chữ số thập phân (8 hoặc 8,5); để trống nếu học sinh không dự thi. Một điểm sai thì không điểm nào được lưu." }
                    div.actions { button type="submit" { "Lưu bảng điểm" } }
                }
            }
            @if editable {
                form.card method="post" enctype="multipart/form-data" action={(base) "/import"} {
                    (csrf(user))
                    h2 { "Nhập bảng điểm từ Excel" }
                    p.why { "Tải bảng điểm (Excel) ở trên, nhập cột Điểm (không sửa cột Mã hệ thống), rồi tải lên. Mọi dòng được kiểm tra; một ô sai thì không điểm nào được lưu và bảng lỗi nêu dòng, cột, lý do." }
                    label for="file" { "Tệp Excel (.xlsx)" }
                    input id="file" type="file" name="file" accept=".xlsx" required;
                    div.actions { button type="submit" { "Tải lên" } }
                }
            }
            @if manage && !synced {
                form method="post" action={(base) "/delete"} {
                    (csrf(user))
                    button.danger type="submit" { "Xóa đề thi" }
                }
            }
        },
    )
}

async fn save_scores(
    State(state): State<AppState>,
    Path((school, paper)): Path<(SchoolId, ExamPaperId)>,
    form: SubmittedForm,
) -> PageResult {
    let target = form
        .user
        .authorise(&state, Action::ManageExams, school, None)
        .await?;
    let edits: Vec<ScoreEdit> = form
        .fields
        .iter()
        .filter_map(|(key, value)| {
            let student: StudentId = key.strip_prefix("score-")?.parse().ok()?;
            let version = form
                .fields
                .get(&format!("version-{student}"))
                .and_then(|v| v.parse().ok());
            Some(ScoreEdit {
                student_id: student,
                value: value.clone(),
                expected_version: version,
            })
        })
        .collect();
    let outcome = state
        .store
        .save_scores(&actor(&form.user), school, paper, &edits)
        .await?;
    let sheet = state.store.score_sheet(school, paper).await?;
    let shown = match outcome {
        ScoresOutcome::Saved { .. } => {
            return Ok(
                Redirect::to(&format!("/schools/{school}/exam-papers/{paper}?ok=saved"))
                    .into_response(),
            );
        }
        ScoresOutcome::Refused(refused) => Outcome::Errors(refused.to_string(), Vec::new(), None),
        ScoresOutcome::Rejected(rejected) => Outcome::Errors(
            format!(
                "{} điểm chưa hợp lệ; chưa có điểm nào được lưu.",
                rejected.len()
            ),
            rejected
                .into_iter()
                .map(|r| (r.student_name.unwrap_or_default(), r.message))
                .collect(),
            None,
        ),
    };
    Ok((
        axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        sheet_markup(&form.user, school, &target, &sheet, None, Some(shown)),
    )
        .into_response())
}

async fn import_scores(
    State(state): State<AppState>,
    Path((school, paper)): Path<(SchoolId, ExamPaperId)>,
    upload: Upload,
) -> PageResult {
    let target = upload
        .user
        .authorise(&state, Action::ManageExams, school, None)
        .await?;
    let Some((_, bytes)) = &upload.file else {
        return Err(AppError::BadRequest(
            "Hãy chọn tệp Excel (.xlsx) của bảng điểm.".into(),
        ));
    };
    let report = import_score_file(&state, &upload.user, school, paper, bytes).await?;
    if report["applied"] == json!(true) {
        return Ok(
            Redirect::to(&format!("/schools/{school}/exam-papers/{paper}?ok=saved"))
                .into_response(),
        );
    }
    let errors: Vec<(String, hocba_spreadsheet::CellError)> = report["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            (
                "Bảng điểm".to_owned(),
                hocba_spreadsheet::CellError {
                    row_number: e["row_number"].as_u64().unwrap_or(0) as usize,
                    column_label: e["column_label"].as_str().unwrap_or_default().to_owned(),
                    column_key: String::new(),
                    message: e["message"].as_str().unwrap_or_default().to_owned(),
                },
            )
        })
        .collect();
    let rows = report["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            let row = e["row_number"].as_u64().unwrap_or(0);
            let place = if row == 0 {
                "Tệp".to_owned()
            } else {
                format!(
                    "Dòng {row}, cột “{}”",
                    e["column_label"].as_str().unwrap_or("")
                )
            };
            (place, e["message"].as_str().unwrap_or_default().to_owned())
        })
        .collect();
    let sheet = state.store.score_sheet(school, paper).await?;
    let message = report["message"].as_str().unwrap_or_default().to_owned();
    let file = hocba_spreadsheet::write_workbook_report(&message, &errors).ok();
    Ok((
        axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        sheet_markup(
            &upload.user,
            school,
            &target,
            &sheet,
            None,
            Some(Outcome::Errors(message, rows, file)),
        ),
    )
        .into_response())
}

async fn set_final(
    State(state): State<AppState>,
    Path((school, paper)): Path<(SchoolId, ExamPaperId)>,
    form: SubmittedForm,
) -> PageResult {
    form.user
        .authorise(&state, Action::ManageExams, school, None)
        .await?;
    let finalise = match form.get("action") {
        Some("final") => true,
        Some("reopen") => false,
        _ => {
            return Err(AppError::BadRequest(
                "Hãy chọn Chốt điểm hoặc Mở chốt.".into(),
            ));
        }
    };
    match state
        .store
        .set_paper_final(&actor(&form.user), school, paper, finalise)
        .await?
    {
        Ok(_) => Ok(Redirect::to(&format!(
            "/schools/{school}/exam-papers/{paper}?ok={}",
            if finalise { "final" } else { "reopened" }
        ))
        .into_response()),
        Err(refused) => Err(AppError::Refused(refused.to_string())),
    }
}

async fn delete_paper(
    State(state): State<AppState>,
    Path((school, paper)): Path<(SchoolId, ExamPaperId)>,
    form: SubmittedForm,
) -> PageResult {
    form.user
        .authorise(&state, Action::ManageExams, school, None)
        .await?;
    let sheet = state.store.score_sheet(school, paper).await?;
    state
        .store
        .delete_paper(&actor(&form.user), school, paper)
        .await?;
    Ok(Redirect::to(&format!(
        "/schools/{school}/exams/{}?ok=deleted",
        sheet.exam.id
    ))
    .into_response())
}

async fn sync_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, paper)): Path<(SchoolId, ExamPaperId)>,
) -> PageResult {
    let target = user
        .authorise(&state, Action::SyncExamScores, school, None)
        .await?;
    let preview = state.store.sync_preview(school, paper).await?;
    Ok(sync_markup(&user, school, &target, &preview, None).into_response())
}

/// The script of the wizard: sends the form, and while the server syncs
/// class after class, shows each class's state from `sync/progress`.
/// Without script the form posts as usual and the result page follows.
const SYNC_SCRIPT: &str = r#"
(function(){
  var form = document.getElementById('sync-form');
  if (!form || !window.fetch) return;
  form.addEventListener('submit', function(event){
    event.preventDefault();
    var list = document.getElementById('sync-progress');
    var button = form.querySelector('button[type=submit]');
    button.disabled = true;
    list.hidden = false;
    list.textContent = 'Đang bắt đầu đồng bộ…';
    var done = false;
    function poll(){
      if (done) return;
      fetch(form.action + '/progress', {credentials: 'same-origin'}).then(function(r){ return r.json(); }).then(function(run){
        if (done || !run || !run.classes) return;
        list.textContent = '';
        run.classes.forEach(function(c){
          var li = document.createElement('li');
          li.className = c.status;
          var label = c.status === 'synced' ? 'đã đồng bộ ' + c.written + ' điểm' : (c.status === 'refused' ? 'không đồng bộ được' : 'đang chờ');
          li.textContent = 'Lớp ' + c.class_name + ': ' + label;
          list.appendChild(li);
        });
      }).catch(function(){}).then(function(){ setTimeout(poll, 250); });
    }
    poll();
    fetch(form.action, {method: 'POST', body: new URLSearchParams(new FormData(form)), credentials: 'same-origin'})
      .then(function(r){ return r.text(); })
      .then(function(html){ done = true; document.open(); document.write(html); document.close(); })
      .catch(function(){ done = true; form.submit(); });
  });
})();
"#;

fn run_markup(run: &SyncRun) -> Markup {
    html! {
        p {
            "Đồng bộ bởi " (run.started_by) " lúc " (vietnam_time(run.started_at))
            @if let Some(at) = run.finished_at { ", xong lúc " (vietnam_time(at)) } @else { " — chưa xong" }
            ": " strong { (run.written()) " điểm" } " đã ghi vào sổ điểm."
        }
        @for class in &run.classes { (class_result_markup(class)) }
    }
}

fn class_result_markup(class: &SyncClassResult) -> Markup {
    html! {
        div.class id={"sync-class-" (class.class_id)} {
            h3 {
                "Lớp " (class.class_name)
                @if let Some(column) = class.column { " → cột " (column.label()) }
            }
            @match class.status.as_str() {
                "synced" => { p { span.shield { "🛡 " } "Đã đồng bộ " (class.written) " điểm." } }
                "refused" => { p.blocked { "Không đồng bộ được; không có điểm nào của lớp được ghi." } }
                _ => { p.muted { "Đang chờ (lần đồng bộ bị gián đoạn: dùng Tiếp tục đồng bộ)." } }
            }
            @if let Some(block) = &class.block { (block_markup(block)) }
            (skipped_markup(&class.skipped))
        }
    }
}

fn skipped_markup(skipped: &[hocba_storage::SkippedStudent]) -> Markup {
    html! {
        @if !skipped.is_empty() {
            details {
                summary { (skipped.len()) " học sinh không được đồng bộ" }
                ul.reasons { @for student in skipped {
                    li { strong { (student.full_name) } ": " (student.reason) " " span.why { (student.remedy) } }
                } }
            }
        }
    }
}

fn sync_markup(
    user: &CurrentUser,
    school: SchoolId,
    target: &Target,
    preview: &SyncPreview,
    nothing: Option<&[SyncClassResult]>,
) -> Markup {
    let paper = &preview.paper;
    let base = format!("/schools/{school}/exam-papers/{}", paper.id);
    let title = format!("Đồng bộ điểm đề thi {}", paper.name);
    page(
        &title,
        Some(user),
        html! {
            style { (PreEscaped(STYLE)) }
            div.sync {
                h1 { (title) }
                (school_nav(user, school, target))
                p.actions { a.button.secondary href=(base) { "← Bảng điểm" } }
                p { "Kỳ thi " (preview.exam.name) " (" (preview.exam.kind.label()) ") · môn " (paper.subject_name) " · " (preview.exam.semester.label()) }
                @if let Some(classes) = nothing {
                    div.flash.error role="alert" {
                        p { strong { "Không lớp nào đồng bộ được nên chưa có điểm nào được ghi; đề thi vẫn có thể đồng bộ." } }
                        @for class in classes { (class_result_markup(class)) }
                    }
                }
                @if let Some(run) = &preview.run {
                    h2 { "Kết quả đồng bộ" }
                    (run_markup(run))
                    @if run.pending() > 0 {
                        form method="post" action={(base) "/sync/resume"} {
                            (csrf(user))
                            p.why { "Lần đồng bộ bị gián đoạn (" (run.pending()) " lớp còn chờ); các lớp đã xong giữ nguyên." }
                            button type="submit" { "Tiếp tục đồng bộ" }
                        }
                    }
                } @else if let Some(block) = &preview.block {
                    div.flash.error { (block_markup(block)) }
                } @else {
                    p.why {
                        "Chọn cột điểm trong sổ điểm cho từng lớp. Chỉ cột mà toàn bộ học sinh của lớp chưa có điểm, chưa khóa và đang trong đợt nhập điểm mới chọn được. "
                        strong { "Mỗi đề thi chỉ đồng bộ một lần" } ": lớp không chọn cột sẽ không được đồng bộ về sau; sau khi đồng bộ, đề thi không sửa, không xóa được."
                    }
                    form id="sync-form" method="post" action={(base) "/sync"} {
                        (csrf(user))
                        @for class in &preview.classes {
                            div.class id={"sync-class-" (class.class_id)} {
                                h3 { "Lớp " (class.class_name) }
                                @if let Some(block) = &class.block {
                                    (block_markup(block))
                                    input type="hidden" name={"column-" (class.class_id)} value="";
                                } @else {
                                    @let blocked: Vec<_> = class.columns.iter().filter(|c| c.block.is_some()).collect();
                                    @if blocked.len() == class.columns.len() {
                                        // No column can take the scores: say so, with each column's reason.
                                        p.blocked { strong { "Lớp " (class.class_name) " không có cột điểm nào nhận được điểm của đề thi này:" } }
                                        input type="hidden" name={"column-" (class.class_id)} value="";
                                    } @else {
                                        label for={"column-" (class.class_id)} { "Cột điểm (" (class.to_write) " học sinh sẽ có điểm)" }
                                        select id={"column-" (class.class_id)} name={"column-" (class.class_id)} {
                                            option value="" { "— Không đồng bộ lớp này —" }
                                            @for choice in class.columns.iter().filter(|c| c.block.is_none()) {
                                                option value=(choice.column.key()) { (choice.label) }
                                            }
                                        }
                                    }
                                    @if !blocked.is_empty() {
                                        details open[blocked.len() == class.columns.len()] {
                                            summary { (blocked.len()) " cột không chọn được" }
                                            ul.reasons { @for choice in blocked {
                                                @if let Some(block) = &choice.block {
                                                    li { strong { (choice.label) } ": " (block.reason) " " span.why { (block.remedy) } }
                                                }
                                            } }
                                        }
                                    }
                                }
                                (skipped_markup(&class.skipped))
                            }
                        }
                        div.actions { button type="submit" { "Lưu lại và đồng bộ" } }
                    }
                    ol.progress id="sync-progress" hidden aria-live="polite" {}
                    script { (PreEscaped(SYNC_SCRIPT)) }
                }
            }
        },
    )
}

async fn sync(
    State(state): State<AppState>,
    Path((school, paper)): Path<(SchoolId, ExamPaperId)>,
    form: SubmittedForm,
) -> PageResult {
    let target = form
        .user
        .authorise(&state, Action::SyncExamScores, school, None)
        .await?;
    let raw: Vec<(ClassId, Option<String>)> = form
        .fields
        .iter()
        .filter_map(|(key, value)| {
            let class: ClassId = key.strip_prefix("column-")?.parse().ok()?;
            Some((class, Some(value.clone())))
        })
        .collect();
    let choices = parse_choices(&raw)?;
    let outcome = state
        .store
        .sync_paper(&actor(&form.user), school, paper, &choices)
        .await?;
    let preview = state.store.sync_preview(school, paper).await?;
    let markup = match &outcome {
        SyncOutcome::NothingSynced(classes) => {
            sync_markup(&form.user, school, &target, &preview, Some(classes))
        }
        _ => sync_markup(&form.user, school, &target, &preview, None),
    };
    let status = match outcome {
        SyncOutcome::Done(_) => axum::http::StatusCode::OK,
        SyncOutcome::Blocked(block, _) => crate::api_exams::sync_block_status(&block),
        SyncOutcome::NothingSynced(_) => axum::http::StatusCode::UNPROCESSABLE_ENTITY,
    };
    Ok((status, markup).into_response())
}

/// The live progress of a run: each class's status, polled by the wizard.
async fn sync_progress(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, paper)): Path<(SchoolId, ExamPaperId)>,
) -> PageResult {
    user.authorise(&state, Action::SyncExamScores, school, None)
        .await?;
    let run = state.store.sync_run(school, paper).await?;
    Ok(axum::Json(json!(run)).into_response())
}

async fn resume_sync(
    State(state): State<AppState>,
    Path((school, paper)): Path<(SchoolId, ExamPaperId)>,
    form: SubmittedForm,
) -> PageResult {
    form.user
        .authorise(&state, Action::SyncExamScores, school, None)
        .await?;
    state
        .store
        .resume_sync(&actor(&form.user), school, paper)
        .await?;
    Ok(Redirect::to(&format!("/schools/{school}/exam-papers/{paper}/sync")).into_response())
}
