//! "Ứng dụng LMS": the school admin issues and revokes the OAuth clients
//! through which a learning system writes scores into the gradebook
//! (OneRoster 1.2 Gradebook, issue 6 point 5). The secret is shown once, on
//! the page that answers the issuing form. Same functions as the API
//! (`api_lms`).

use super::layout::{csrf, flash, page};
use crate::AppState;
use crate::api_lms;
use crate::error::AppError;
use crate::session::{CurrentUser, SubmittedForm};
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use hocba_domain::SchoolId;
use hocba_domain::access::Action;
use hocba_domain::date::vietnam_time;
use hocba_domain::lms::Scope;
use maud::{Markup, html};

type PageResult = Result<Response, AppError>;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/schools/{school}/lms-clients",
            get(clients_page).post(issue),
        )
        .route("/schools/{school}/lms-clients/revoke", post(revoke))
}

/// The form field of each scope's check box.
fn scope_field(scope: Scope) -> &'static str {
    match scope {
        Scope::Readonly => "scope_readonly",
        Scope::CreatePut => "scope_createput",
        Scope::Delete => "scope_delete",
    }
}

/// What the page shows above the list: a message, an error, or the secret.
enum Notice {
    None,
    Done(String),
    Error(String),
    Issued(api_lms::IssuedClient),
}

async fn render(
    state: &AppState,
    user: &CurrentUser,
    school: SchoolId,
    notice: Notice,
    status: StatusCode,
) -> PageResult {
    let clients = state.store.lms_clients(school).await?;
    let body: Markup = html! {
        h1 { "Ứng dụng LMS ghi điểm vào sổ điểm" }
        p.why {
            "Hệ thống học tập (LMS) của trường ghi điểm vào sổ điểm qua chuẩn 1EdTech OneRoster 1.2 (Gradebook). "
            "Mỗi ứng dụng chỉ ghi vào cột điểm đã khai báo, chưa khóa, trong đợt nhập điểm, khi chưa học sinh nào của lớp có điểm ở cột đó; "
            "học sinh chưa có mã định danh Bộ GD&ĐT không được ghi; điểm giáo viên đã sửa không bị ghi đè. "
            "Điểm ghi từ ứng dụng có biểu tượng khiên trong sổ điểm và được ghi nhật ký."
        }
        @match &notice {
            Notice::None => {}
            Notice::Done(message) => { (flash(Some(message))) }
            Notice::Error(message) => { div.flash.error role="alert" { (message) } }
            Notice::Issued(issued) => {
                div.flash.ok role="status" {
                    p { strong { "Đã cấp ứng dụng “" (issued.client.name) "”." } }
                    p { "Mã bí mật (client_secret) chỉ hiện một lần này: hãy sao chép vào cấu hình của LMS ngay. hocba chỉ lưu bản băm, không xem lại được; nếu mất, hãy thu hồi và cấp ứng dụng mới." }
                    table {
                        tr { th { "client_id" } td { code { (issued.client.client_id) } } }
                        tr { th { "client_secret" } td { code { (issued.client_secret) } } }
                        tr { th { "Địa chỉ lấy token" } td { code { (issued.token_endpoint) } } }
                        tr { th { "Địa chỉ OneRoster" } td { code { (issued.api_root) } } }
                    }
                }
            }
        }
        section.card {
            h2 { "Cấp ứng dụng mới" }
            form method="post" action=(format!("/schools/{}/lms-clients", school.0)) {
                (csrf(user))
                label { "Tên ứng dụng" input type="text" name="name" required maxlength="100" placeholder="Ví dụ: Moodle của trường"; }
                fieldset {
                    legend { "Quyền (scope OneRoster)" }
                    @for scope in Scope::ALL {
                        label {
                            input type="checkbox" name=(scope_field(scope)) value="1" checked[scope != Scope::Delete];
                            " " (scope.label()) " " span.muted { "(" (scope.uri()) ")" }
                        }
                    }
                }
                div.actions { button type="submit" { "Cấp ứng dụng" } }
            }
        }
        h2 { "Ứng dụng đã cấp" }
        @if clients.is_empty() {
            p.muted { "Chưa cấp ứng dụng nào." }
        } @else {
            div.wrap { table {
                thead { tr { th { "Tên" } th { "client_id" } th { "Quyền" } th { "Cấp lúc" } th { "Trạng thái" } th {} } }
                tbody {
                    @for client in &clients {
                        tr {
                            td { (client.name) }
                            td { code { (client.client_id) } }
                            td { @for scope in &client.scopes { div { (scope.label()) } } }
                            td { (vietnam_time(client.created_at)) " (" (client.created_by) ")" }
                            td {
                                @if let Some(at) = client.revoked_at {
                                    "Đã thu hồi lúc " (vietnam_time(at))
                                    @if let Some(by) = &client.revoked_by { " (" (by) ")" }
                                } @else { "Đang hoạt động" }
                            }
                            td {
                                @if client.revoked_at.is_none() {
                                    form.inline method="post" action=(format!("/schools/{}/lms-clients/revoke", school.0)) {
                                        (csrf(user))
                                        input type="hidden" name="client_id" value=(client.client_id);
                                        button.danger type="submit" { "Thu hồi" }
                                    }
                                }
                            }
                        }
                    }
                }
            } }
        }
        p { a href="/" { "← Trang chủ" } }
    };
    Ok((status, page("Ứng dụng LMS", Some(user), body)).into_response())
}

async fn clients_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(school): Path<SchoolId>,
) -> PageResult {
    user.authorise(&state, Action::ManageLmsClients, school, None)
        .await?;
    render(&state, &user, school, Notice::None, StatusCode::OK).await
}

async fn issue(
    State(state): State<AppState>,
    Path(school): Path<SchoolId>,
    form: SubmittedForm,
) -> PageResult {
    let user = &form.user;
    user.authorise(&state, Action::ManageLmsClients, school, None)
        .await?;
    let scopes: Vec<Scope> = Scope::ALL
        .into_iter()
        .filter(|scope| form.get(scope_field(*scope)).is_some())
        .collect();
    let name = form.get("name").unwrap_or_default().to_owned();
    match api_lms::issue(&state, user, school, &name, &scopes).await {
        Ok(issued) => render(&state, user, school, Notice::Issued(issued), StatusCode::OK).await,
        Err(AppError::Refused(message)) | Err(AppError::BadRequest(message)) => {
            render(
                &state,
                user,
                school,
                Notice::Error(format!("Chưa cấp ứng dụng: {message}")),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(error) => Err(error),
    }
}

async fn revoke(
    State(state): State<AppState>,
    Path(school): Path<SchoolId>,
    form: SubmittedForm,
) -> PageResult {
    let user = &form.user;
    user.authorise(&state, Action::ManageLmsClients, school, None)
        .await?;
    let id = api_lms::client_in(school, form.get("client_id"))?;
    let client = state
        .store
        .revoke_lms_client(&crate::api::actor(user), school, id)
        .await?;
    render(
        &state,
        user,
        school,
        Notice::Done(format!(
            "Đã thu hồi ứng dụng “{}”: token của ứng dụng ngừng hoạt động ngay.",
            client.name
        )),
        StatusCode::OK,
    )
    .await
}
