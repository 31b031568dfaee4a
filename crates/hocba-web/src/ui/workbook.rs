//! The gradebook of a whole class in Excel, in the browser: which subjects
//! the user's workbook holds and which are left out (and why), the
//! download (the API's `workbook.xlsx`), and the upload with its result:
//! per sheet what changed, and every refused cell by sheet, row and column
//! with the error file to download. The reads, the rules and the write are
//! `api_workbook`'s (one transaction for the whole workbook).

use super::layout::{csrf, page};
use super::pages::school_nav;
use crate::AppState;
use crate::api_summary::semester;
use crate::api_workbook::{
    WorkbookReport, WorkbookScope, authorise_class_entry, import_workbook, workbook_scope,
};
use crate::error::AppError;
use crate::gradebook_access::is_admin;
use crate::session::{CurrentUser, Upload};
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use hocba_domain::access::Action;
use hocba_domain::gradebook::Semester;
use hocba_domain::{ClassId, SchoolId};
use maud::{Markup, html};

type PageResult = Result<Response, AppError>;

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/schools/{school}/classes/{class}/gradebook/{semester}/excel",
        get(workbook_page).post(workbook_upload),
    )
}

fn roman(semester: Semester) -> &'static str {
    match semester {
        Semester::S1 => "I",
        Semester::S2 => "II",
    }
}

async fn workbook_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, class, number)): Path<(SchoolId, ClassId, u8)>,
) -> PageResult {
    let semester = semester(number)?;
    let scope = workbook_scope(&state, &user, school, class, semester).await?;
    Ok(view(&user, school, class, &scope, None).into_response())
}

async fn workbook_upload(
    State(state): State<AppState>,
    Path((school, class, number)): Path<(SchoolId, ClassId, u8)>,
    upload: Upload,
) -> PageResult {
    let user = &upload.user;
    let semester = semester(number)?;
    authorise_class_entry(&state, user, school, class, semester).await?;
    let scope = workbook_scope(&state, user, school, class, semester).await?;
    let Some((_, bytes)) = &upload.file else {
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            view(
                user,
                school,
                class,
                &scope,
                Some(Err(
                    "Hãy chọn tệp Excel (.xlsx) đã tải về từ trang này rồi bấm Tải lên.".into(),
                )),
            ),
        )
            .into_response());
    };
    let override_requested =
        upload.fields.get("override").map(String::as_str) == Some("1") && is_admin(user, school);
    let result = import_workbook(
        &state,
        user,
        school,
        class,
        semester,
        override_requested,
        bytes,
    )
    .await;
    let (status, outcome) = match result {
        Ok(report) => (
            StatusCode::from_u16(report.status).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY),
            Ok(report),
        ),
        // A rule refused the whole workbook (no subject to enter): say why.
        Err(AppError::Refused(why)) => (StatusCode::UNPROCESSABLE_ENTITY, Err(why)),
        Err(error) => return Err(error),
    };
    Ok((status, view(user, school, class, &scope, Some(outcome))).into_response())
}

fn result_markup(report: &WorkbookReport) -> Markup {
    html! {
        div.flash.(if report.applied { "ok" } else { "error" }) role="status" id="workbook-result" { (report.message) }
        @if !report.sheets.is_empty() {
            h2 { "Kết quả từng môn" }
            div.wrap { table id="workbook-sheets" {
                thead { tr { th { "Trang tính" } th { "Môn" } th { "Số ô thay đổi" } th { "Ghi chú" } } }
                tbody { @for sheet in &report.sheets { tr {
                    td { (sheet.sheet) } td { (sheet.subject_name) } td { (sheet.changed) } td { (sheet.note) }
                } } }
            } }
        }
        @if !report.ignored_sheets.is_empty() {
            p.why { "Các trang tính không thuộc sổ điểm của lớp (đã bỏ qua): " (report.ignored_sheets.join(", ")) }
        }
        @if !report.errors.is_empty() {
            h2 { "Bảng kết quả nhập liệu" }
            p.why { "Tệp có ô sai nên chưa có điểm nào được lưu, ở mọi trang tính (tất cả hoặc không). Hãy sửa các ô dưới đây trong tệp rồi tải lên lại." }
            @if let Ok(file) = report.error_file() {
                p { a.button.secondary download="bang-ket-qua-nhap-lieu.xlsx"
                    href={"data:application/vnd.openxmlformats-officedocument.spreadsheetml.sheet;base64," (base64::Engine::encode(&base64::engine::general_purpose::STANDARD, file))} { "Tải file lỗi (Excel)" } }
            }
            div.wrap { table id="import-errors" {
                thead { tr { th { "Trang tính" } th { "Dòng" } th { "Cột" } th { "Lỗi" } } }
                tbody { @for error in &report.errors { tr {
                    td { (error.sheet) }
                    td { @if error.row_number > 0 { (error.row_number) } }
                    td { (error.column_label) }
                    td { (error.message) }
                } } }
            } }
        }
    }
}

fn view(
    user: &CurrentUser,
    school: SchoolId,
    class: ClassId,
    scope: &WorkbookScope,
    outcome: Option<Result<WorkbookReport, String>>,
) -> Markup {
    let semester = scope.semester;
    let title = format!(
        "Sổ điểm cả lớp {} bằng Excel – học kỳ {}",
        scope.class_name,
        roman(semester)
    );
    let download = format!(
        "/api/v1/schools/{school}/classes/{class}/gradebook/{}/workbook.xlsx",
        semester.number()
    );
    let other = match semester {
        Semester::S1 => Semester::S2,
        Semester::S2 => Semester::S1,
    };
    let admin = user.may(Action::ManageGradebook, &scope.target);
    page(
        &title,
        Some(user),
        html! {
            h1 { (title) }
            (school_nav(user, school, &scope.target))
            p.actions {
                a.button.secondary href={"/schools/" (school) "/classes/" (class) "/gradebook"} { "← Sổ điểm của lớp " (scope.class_name) }
                a.button.secondary href={"/schools/" (school) "/classes/" (class) "/gradebook/" (other.number()) "/excel"} { "Học kỳ " (roman(other)) }
            }
            @match &outcome {
                Some(Ok(report)) => { (result_markup(report)) }
                Some(Err(why)) => { div.flash.error role="alert" { (why) } }
                None => {}
            }
            div.card {
                h2 { "Tệp gồm các môn" }
                @if scope.included.is_empty() {
                    p.why { "Không có môn nào bạn nhập được điểm ở lớp này trong " (semester.label()) ": xem lý do từng môn bên dưới." }
                } @else {
                    p { "Mỗi môn một trang tính (tên trang tính là tên môn), các cột điểm như đã khai báo, học sinh theo thứ tự danh sách lớp, có sẵn điểm hiện tại:" }
                    ul id="workbook-included" { @for included in &scope.included {
                        li { (included.subject_name) @if included.sheet != included.subject_name { span.muted { " (trang tính “" (included.sheet) "”)" } } }
                    } }
                    p { a.button href=(download) { "Tải tệp Excel của cả lớp" } }
                }
                @if !scope.excluded.is_empty() {
                    h2 { "Các môn không có trong tệp" }
                    ul id="workbook-excluded" { @for excluded in &scope.excluded {
                        li { strong { (excluded.subject_name) } ": " (excluded.reason) }
                    } }
                }
            }
            @if !scope.included.is_empty() {
                form.card method="post" enctype="multipart/form-data" {
                    (csrf(user))
                    h2 { "Tải tệp lên" }
                    ol {
                        li { "Nhập hoặc sửa điểm trong tệp đã tải về (không sửa cột Mã hệ thống, không đổi tên trang tính)." }
                        li { "Ô để trống là xóa điểm; ô không đổi sẽ không được ghi lại." }
                        li { "Mọi ô được kiểm tra như khi nhập trên sổ điểm (giá trị, phân công, đợt nhập điểm, cột đã khóa, sổ đã khóa, điểm vừa bị người khác sửa). Chỉ cần một ô sai là không có điểm nào được lưu; bảng lỗi nêu trang tính, dòng, cột và lý do." }
                    }
                    label for="file" { "Tệp Excel (.xlsx)" }
                    input id="file" type="file" name="file" accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" required;
                    @if admin {
                        label { input type="checkbox" name="override" value="1"; " Ghi đè đợt nhập điểm và cột đã khóa (quản trị viên; được ghi vào nhật ký)" }
                    }
                    div.actions { button type="submit" { "Tải lên" } }
                }
            }
        },
    )
}
