//! Pages for signing accounts (seed 004 §II.2, §III.1): "Tài khoản ký của
//! tôi" (a teacher or leader registers a USB-token or remote-signing
//! account), "Duyệt tài khoản ký" (the admin approves or rejects, copies
//! last year's, grants signing permissions; the school's organisation
//! certificate and its history), and the department's page approving
//! organisation certificates. Everything goes through `api_signing`, as the
//! API does.

use super::layout::{csrf, flash, page};
use crate::AppState;
use crate::api_signing::{self, Registration};
use crate::error::AppError;
use crate::session::{CurrentUser, SubmittedForm, Upload};
use crate::units::authorise as authorise_unit;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use hocba_domain::access::{Action, Target, UnitAction};
use hocba_domain::date::{Date, vietnam_time};
use hocba_domain::signing_account::{
    AccountEvent, AccountState, OrgDecision, OrgRequestState, Permission, SignerKind,
};
use hocba_domain::{SchoolId, StaffId, UnitId};
use hocba_storage::{OrgRequestRow, StoredCertificate};
use maud::{Markup, html};

type PageResult = Result<Response, AppError>;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/schools/{school}/signing-account",
            get(my_page).post(register_token),
        )
        .route(
            "/schools/{school}/signing-account/remote",
            post(register_remote),
        )
        .route("/schools/{school}/signing", get(school_page))
        .route(
            "/schools/{school}/signing-accounts/{staff}/approve",
            post(approve),
        )
        .route(
            "/schools/{school}/signing-accounts/{staff}/reject",
            post(reject),
        )
        .route(
            "/schools/{school}/signing-accounts/copy-previous-year",
            post(copy_previous_year),
        )
        .route(
            "/schools/{school}/signing-permissions/{staff}",
            post(set_permissions),
        )
        .route(
            "/schools/{school}/org-certificates",
            post(register_org_certificate),
        )
        .route(
            "/units/{unit}/org-certificates",
            get(unit_page).post(unit_decide),
        )
}

/// The outcome shown at the top of a page.
#[derive(Default)]
struct Flash {
    ok: Option<String>,
    error: Option<String>,
    details: Vec<String>,
}

impl Flash {
    fn ok(message: impl Into<String>, details: Vec<String>) -> Flash {
        Flash {
            ok: Some(message.into()),
            error: None,
            details,
        }
    }

    fn error(error: &AppError) -> Flash {
        Flash {
            ok: None,
            error: Some(error.message()),
            details: Vec::new(),
        }
    }

    fn render(&self) -> Markup {
        html! {
            (flash(self.ok.as_deref()))
            @if let Some(error) = &self.error { div.flash.error role="alert" { (error) } }
            @if !self.details.is_empty() { ul.why { @for d in &self.details { li { (d) } } } }
        }
    }
}

/// A refused write is shown on its page with the reason, with the error's
/// status; a refusal of the policy is the error page.
fn shown(markup: Markup, error: Option<&AppError>) -> Response {
    match error {
        Some(error) => (error.status(), markup).into_response(),
        None => markup.into_response(),
    }
}

/// Vietnam's calendar day of a Unix-millisecond instant.
fn day(millis: i64) -> Date {
    const DAY: i64 = 86_400_000;
    Date::from_days_since_epoch((millis + 7 * 3_600_000).div_euclid(DAY))
}

fn certificate_rows(c: &StoredCertificate) -> Markup {
    html! {
        dl {
            dt { "Chủ thể" } dd { (c.subject) }
            dt { "Tổ chức cấp" } dd { (c.issuer) }
            dt { "Số hiệu (serial)" } dd { code { (c.serial) } }
            dt { "Hiệu lực" } dd { "từ " (day(c.not_before)) " đến " (day(c.not_after)) }
        }
    }
}

fn signing_nav(user: &CurrentUser, school: SchoolId, target: &Target) -> Markup {
    html! {
        nav.actions {
            a.button.secondary href={"/schools/" (school)} { "Tổng quan trường" }
            @if user.may(Action::RegisterSigningAccount, target) {
                a.button.secondary href={"/schools/" (school) "/signing-account"} { "Tài khoản ký của tôi" }
            }
            @if user.may(Action::ViewSigningAccounts, target) {
                a.button.secondary href={"/schools/" (school) "/signing"} { "Duyệt tài khoản ký, chứng thư số nhà trường" }
            }
        }
    }
}

// ---------------------------------------------------------------------------
// "Tài khoản ký của tôi" (seed 004 §III.1)

async fn my_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(school): Path<SchoolId>,
) -> PageResult {
    let target = user
        .authorise(&state, Action::RegisterSigningAccount, school, None)
        .await?;
    Ok(my_view(&state, &user, school, &target, Flash::default())
        .await?
        .into_response())
}

async fn my_view(
    state: &AppState,
    user: &CurrentUser,
    school: SchoolId,
    target: &Target,
    flash: Flash,
) -> Result<Markup, AppError> {
    let mine = api_signing::mine(state, user, school).await?;
    let account = mine.account.as_ref();
    let can_sign = &mine.can_sign;
    Ok(page(
        "Tài khoản ký của tôi",
        Some(user),
        html! {
            h1 { "Tài khoản ký của tôi" }
            (signing_nav(user, school, target))
            (flash.render())
            p { "Năm học " (mine.school_year) ": " strong { (mine.state_label) } }
            @if can_sign.ok {
                p.flash.ok { "Tài khoản ký đã được duyệt: bạn ký được học bạ số." }
            } @else {
                p.why { (can_sign.reason) " " (can_sign.remedy) }
            }
            @if let Some(account) = account {
                h2 { "Tài khoản đã đăng ký" }
                p { "Kiểu chữ ký: " (account.kind_label)
                    @if let Some(url) = &account.provider_url { " — nhà cung cấp " code { (url) } } }
                @if let Some(username) = &account.provider_username { p { "Tên đăng nhập: " (username) } }
                (certificate_rows(&account.certificate))
                @if let Some(reason) = &account.decision_reason { p.flash.error { "Lý do từ chối: " (reason) } }
                @if !account.warnings.is_empty() { ul.why { @for w in &account.warnings { li { (w) } } } }
                p.why { "Đăng ký lại sẽ thay tài khoản này và cần quản trị viên duyệt lại trước khi ký." }
            }
            h2 { "Đăng ký tài khoản ký" }
            section {
                h3 { (SignerKind::Token.label()) }
                p.why { "Trình duyệt không đọc trực tiếp được USB Token: hãy xuất chứng thư số từ phần mềm của nhà cung cấp (tệp .cer, .crt hoặc .pem, không kèm khóa bí mật) rồi tải lên. hocba kiểm tra hạn sử dụng và tên trên chứng thư số." }
                form method="post" enctype="multipart/form-data" action={"/schools/" (school) "/signing-account"} {
                    (csrf(user))
                    label { "Tệp chứng thư số " input type="file" name="certificate" accept=".cer,.crt,.pem,.der"; }
                    label { "hoặc dán chứng thư số (PEM) " textarea name="certificate_text" rows="4" {} }
                    button type="submit" { "Đăng ký tài khoản ký" }
                }
            }
            section {
                h3 { (SignerKind::Remote.label()) }
                p.why { "Nhập thông tin do nhà cung cấp chữ ký số cấp. hocba hỏi nhà cung cấp để lấy chứng thư số; mã truy cập không được lưu lại (khi ký, bạn xác nhận trên ứng dụng điện thoại)." }
                form method="post" action={"/schools/" (school) "/signing-account/remote"} {
                    (csrf(user))
                    label { "Địa chỉ dịch vụ ký số của nhà cung cấp " input type="url" name="provider_url" required list="signing-providers" placeholder="http://…/csc/v2"; }
                    datalist id="signing-providers" { @for provider in &state.signing_providers { option value=(provider); } }
                    @if state.signing_providers.is_empty() {
                        p.why { "Máy chủ chưa được cấu hình nhà cung cấp ký số từ xa nào, nên chưa đăng ký được loại tài khoản này. Hãy nhờ quản trị hệ thống thêm nhà cung cấp (tùy chọn --signing-provider khi chạy hocba)." }
                    } @else {
                        p.why { "Nhà cung cấp được phép: " (state.signing_providers.join(", ")) }
                    }
                    label { "Tên đăng nhập " input type="text" name="username" required; }
                    label { "Mã truy cập (access token) " input type="password" name="access_token" required autocomplete="off"; }
                    label { "Mã chứng thư số (nếu có nhiều) " input type="text" name="credential_id"; }
                    button type="submit" { "Đăng ký tài khoản ký" }
                }
            }
        },
    ))
}

async fn registered(
    state: &AppState,
    user: &CurrentUser,
    school: SchoolId,
    target: &Target,
    result: Result<hocba_storage::SigningAccountRow, AppError>,
) -> PageResult {
    match result {
        Ok(account) => {
            let flash = Flash::ok(
                "Đăng ký thành công tài khoản. Tài khoản ở trạng thái Chờ duyệt: quản trị viên của trường duyệt ở mục Duyệt tài khoản ký.",
                account.warnings.clone(),
            );
            Ok(my_view(state, user, school, target, flash)
                .await?
                .into_response())
        }
        Err(error @ AppError::Forbidden(_)) => Err(error),
        Err(error) => {
            let view = my_view(state, user, school, target, Flash::error(&error)).await?;
            Ok(shown(view, Some(&error)))
        }
    }
}

async fn register_token(
    State(state): State<AppState>,
    Path(school): Path<SchoolId>,
    upload: Upload,
) -> PageResult {
    let user = &upload.user;
    let target = user
        .authorise(&state, Action::RegisterSigningAccount, school, None)
        .await?;
    let text = upload
        .fields
        .get("certificate_text")
        .map(|t| t.trim().to_owned())
        .unwrap_or_default();
    let certificate = match &upload.file {
        Some((_, bytes)) => {
            // A DER file is binary: carried as base64, which the reader accepts.
            match std::str::from_utf8(bytes) {
                Ok(text) => text.to_owned(),
                Err(_) => {
                    use base64::Engine;
                    base64::engine::general_purpose::STANDARD.encode(bytes)
                }
            }
        }
        None => text,
    };
    let result =
        api_signing::register(&state, user, school, Registration::Token { certificate }).await;
    registered(&state, user, school, &target, result).await
}

async fn register_remote(
    State(state): State<AppState>,
    Path(school): Path<SchoolId>,
    form: SubmittedForm,
) -> PageResult {
    let user = &form.user;
    let target = user
        .authorise(&state, Action::RegisterSigningAccount, school, None)
        .await?;
    let field = |key: &str| form.get(key).unwrap_or_default().to_owned();
    let result = api_signing::register(
        &state,
        user,
        school,
        Registration::Remote {
            provider_url: field("provider_url"),
            username: field("username"),
            access_token: field("access_token"),
            credential_id: form.get("credential_id").map(str::to_owned),
        },
    )
    .await;
    registered(&state, user, school, &target, result).await
}

// ---------------------------------------------------------------------------
// "Duyệt tài khoản ký" and "Quản lý chứng thư số nhà trường" (seed 004 §II.2)

async fn school_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(school): Path<SchoolId>,
) -> PageResult {
    let target = user
        .authorise(&state, Action::ViewSigningAccounts, school, None)
        .await?;
    Ok(
        school_view(&state, &user, school, &target, Flash::default())
            .await?
            .into_response(),
    )
}

fn state_mark(state: Option<AccountState>) -> &'static str {
    match state {
        Some(AccountState::Approved) => "✔ ",
        Some(AccountState::Rejected) => "✖ ",
        Some(AccountState::Pending) => "… ",
        None => "",
    }
}

fn org_row(request: &OrgRequestRow) -> Markup {
    html! {
        tr {
            td { (vietnam_time(request.requested_at)) br; span.muted { (request.requested_by) } }
            td { (request.certificate.subject) br; span.muted { "Số hiệu " (request.certificate.serial) ", hiệu lực đến " (day(request.certificate.not_after)) } }
            td { (request.reason.as_deref().unwrap_or("Đăng ký lần đầu")) }
            td { strong { (request.state_label) }
                @if let Some(at) = request.decided_at { br; span.muted { (vietnam_time(at)) " — " (request.decided_by.as_deref().unwrap_or_default()) } }
                @if let Some(reason) = &request.decision_reason { br; "Lý do: " (reason) }
                @if request.copied_from.is_some() { br; span.muted { "Lấy từ năm học trước" } } }
        }
    }
}

async fn school_view(
    state: &AppState,
    user: &CurrentUser,
    school: SchoolId,
    target: &Target,
    flash: Flash,
) -> Result<Markup, AppError> {
    let signing = api_signing::school_signing(state, school).await?;
    let org = api_signing::org_overview(state, school).await?;
    let manage = user.may(Action::ManageSigningAccounts, target);
    let register_org = user.may(Action::RegisterOrgCertificate, target);
    let pending_org = org
        .requests
        .iter()
        .any(|r| r.state == OrgRequestState::Pending);
    Ok(page(
        "Duyệt tài khoản ký",
        Some(user),
        html! {
            h1 { "Duyệt tài khoản ký — năm học " (signing.school_year) }
            (signing_nav(user, school, target))
            (flash.render())
            p.why { "Chỉ tài khoản ở trạng thái “Đã duyệt tài khoản” và chứng thư số còn hiệu lực mới ký được học bạ số. Người chưa đăng ký tự đăng ký ở mục Tài khoản ký của tôi." }
            @if manage {
                form.inline method="post" action={"/schools/" (school) "/signing-accounts/copy-previous-year"} {
                    (csrf(user))
                    button.secondary type="submit" { "Lấy dữ liệu năm học trước" }
                    span.why { " Sao chép tài khoản đã duyệt năm trước còn hiệu lực; người bị bỏ qua được liệt kê kèm lý do." }
                }
            }
            div.wrap { table {
                thead { tr { th { "Họ tên" } th { "Kiểu chữ ký" } th { "Chứng thư số" } th { "Trạng thái tài khoản" } th { "Phân quyền ký" }
                    @if manage { th { "Thao tác" } } } }
                tbody { @for row in &signing.staff {
                    @let account = row.account.as_ref();
                    tr {
                        td { (row.staff_name) }
                        td { (account.map_or("", |a| a.kind_label)) }
                        td { @if let Some(a) = account {
                            (a.certificate.subject) br;
                            span.muted { "Cấp bởi " (a.certificate.issuer) "; số hiệu " (a.certificate.serial) "; hiệu lực " (day(a.certificate.not_before)) "–" (day(a.certificate.not_after)) }
                            @for w in &a.warnings { br; span.why { "⚠ " (w) } }
                        } }
                        td { (state_mark(account.map(|a| a.state))) (row.state_label)
                            @if let Some(reason) = account.and_then(|a| a.decision_reason.as_deref()) { br; span.muted { "Lý do: " (reason) } } }
                        td {
                            @if manage {
                                form method="post" action={"/schools/" (school) "/signing-permissions/" (row.staff_id)} {
                                    (csrf(user))
                                    input type="hidden" name="permissions_form" value="1";
                                    @for p in Permission::ALL {
                                        label { input type="checkbox" name={"permission_" (p.code())} value="1" checked[row.permissions.contains(&p)]; " " (p.label()) }
                                    }
                                    button.secondary type="submit" { "Lưu" }
                                }
                            } @else {
                                @for p in &row.permissions { (p.label()) br; }
                            }
                        }
                        @if manage { td {
                            @if account.is_some_and(|a| a.state == AccountState::Pending) {
                                form.inline method="post" action={"/schools/" (school) "/signing-accounts/" (row.staff_id) "/approve"} {
                                    (csrf(user)) button type="submit" { "Duyệt tài khoản đăng ký" }
                                }
                                form method="post" action={"/schools/" (school) "/signing-accounts/" (row.staff_id) "/reject"} {
                                    (csrf(user))
                                    input type="text" name="reason" required placeholder="Lý do từ chối";
                                    button.danger type="submit" { "Từ chối tài khoản" }
                                }
                            }
                        } }
                    }
                } }
            } }
            h2 { "Chứng thư số nhà trường" }
            @match &org.active {
                Some(active) => {
                    p { strong { "Đang dùng để ký phát hành: " } (active.certificate.subject) }
                    (certificate_rows(&active.certificate))
                }
                None => { p.why { "Chưa có chứng thư số tổ chức được Phòng/Sở GD&ĐT duyệt: chưa ký phát hành được học bạ số." } }
            }
            @if pending_org { p.why { "Có yêu cầu đăng ký đang chờ Phòng/Sở GD&ĐT duyệt; chứng thư số đã duyệt (nếu có) vẫn dùng được cho đến khi chứng thư mới được duyệt." } }
            @if register_org {
                form method="post" enctype="multipart/form-data" action={"/schools/" (school) "/org-certificates"} {
                    (csrf(user))
                    label { "Chứng thư số tổ chức của trường (.cer, .crt, .pem) " input type="file" name="certificate" accept=".cer,.crt,.pem,.der"; }
                    @if org.active.is_some() {
                        label { "Lý do đăng ký lại " input type="text" name="reason" required; }
                        button type="submit" { "Gửi yêu cầu đăng ký lại" }
                    } @else {
                        button type="submit" { "Đăng ký tài khoản" }
                    }
                }
            }
            h3 { "Lịch sử yêu cầu đăng ký chứng thư số" }
            @if org.requests.is_empty() { p.muted { "Chưa có yêu cầu nào trong năm học này." } }
            @else {
                div.wrap { table {
                    thead { tr { th { "Gửi lúc" } th { "Chứng thư số" } th { "Lý do" } th { "Kết quả" } } }
                    tbody { @for r in &org.requests { (org_row(r)) } }
                } }
            }
        },
    ))
}

/// Runs a write of the approval page and shows the page again with its outcome.
async fn after_write(
    state: &AppState,
    user: &CurrentUser,
    school: SchoolId,
    target: &Target,
    result: Result<Flash, AppError>,
) -> PageResult {
    match result {
        Ok(flash) => Ok(school_view(state, user, school, target, flash)
            .await?
            .into_response()),
        Err(error @ AppError::Forbidden(_)) => Err(error),
        Err(error) => {
            let view = school_view(state, user, school, target, Flash::error(&error)).await?;
            Ok(shown(view, Some(&error)))
        }
    }
}

async fn approve(
    State(state): State<AppState>,
    Path((school, staff)): Path<(SchoolId, StaffId)>,
    form: SubmittedForm,
) -> PageResult {
    let user = &form.user;
    let target = user
        .authorise(&state, Action::ManageSigningAccounts, school, None)
        .await?;
    let result = api_signing::decide(&state, user, school, staff, AccountEvent::Approve)
        .await
        .map(|a| {
            Flash::ok(
                format!("Đã duyệt tài khoản ký của {}.", a.staff_name),
                Vec::new(),
            )
        });
    after_write(&state, user, school, &target, result).await
}

async fn reject(
    State(state): State<AppState>,
    Path((school, staff)): Path<(SchoolId, StaffId)>,
    form: SubmittedForm,
) -> PageResult {
    let user = &form.user;
    let target = user
        .authorise(&state, Action::ManageSigningAccounts, school, None)
        .await?;
    let reason = form.get("reason").unwrap_or_default().to_owned();
    let result = api_signing::decide(&state, user, school, staff, AccountEvent::Reject { reason })
        .await
        .map(|a| {
            Flash::ok(
                format!(
                    "Đã từ chối tài khoản ký của {}; người đăng ký thấy lý do và đăng ký lại.",
                    a.staff_name
                ),
                Vec::new(),
            )
        });
    after_write(&state, user, school, &target, result).await
}

async fn copy_previous_year(
    State(state): State<AppState>,
    Path(school): Path<SchoolId>,
    form: SubmittedForm,
) -> PageResult {
    let user = &form.user;
    let target = user
        .authorise(&state, Action::ManageSigningAccounts, school, None)
        .await?;
    let result = state
        .store
        .copy_signing_accounts_from_previous_year(
            &crate::api::actor(user),
            school,
            hocba_storage::now_millis(),
        )
        .await
        .map_err(AppError::from)
        .map(|outcome| {
            let mut details: Vec<String> = outcome
                .skipped
                .iter()
                .map(|s| format!("Bỏ qua {}: {}.", s.staff_name, s.reason))
                .collect();
            details.extend(outcome.org_certificate.clone());
            let names: Vec<&str> = outcome
                .copied
                .iter()
                .map(|c| c.staff_name.as_str())
                .collect();
            Flash::ok(
                format!(
                    "Lấy dữ liệu năm học {} sang {}: đã sao chép {} tài khoản ký{}{}.",
                    outcome.from_year,
                    outcome.to_year,
                    names.len(),
                    if names.is_empty() { "" } else { ": " },
                    names.join(", ")
                ),
                details,
            )
        });
    after_write(&state, user, school, &target, result).await
}

async fn set_permissions(
    State(state): State<AppState>,
    Path((school, staff)): Path<(SchoolId, StaffId)>,
    form: SubmittedForm,
) -> PageResult {
    let user = &form.user;
    let target = user
        .authorise(&state, Action::ManageSigningAccounts, school, None)
        .await?;
    let result = async {
        if form.get("permissions_form").is_none() {
            return Err(AppError::BadRequest(
                "Biểu mẫu phân quyền ký chưa đủ; hãy dùng nút Lưu trên trang Duyệt tài khoản ký."
                    .into(),
            ));
        }
        let permissions: Vec<Permission> = Permission::ALL
            .into_iter()
            .filter(|p| form.get(&format!("permission_{}", p.code())).is_some())
            .collect();
        let saved = state
            .store
            .set_signing_permissions(&crate::api::actor(user), school, staff, &permissions)
            .await?;
        let member = state.store.staff_member(school, staff).await?;
        let labels: Vec<&str> = saved.iter().map(|p| p.label()).collect();
        Ok(Flash::ok(
            format!(
                "Đã lưu phân quyền ký của {}: {}.",
                member.full_name,
                if labels.is_empty() {
                    "không có quyền nào".to_owned()
                } else {
                    labels.join(", ")
                }
            ),
            Vec::new(),
        ))
    }
    .await;
    after_write(&state, user, school, &target, result).await
}

async fn register_org_certificate(
    State(state): State<AppState>,
    Path(school): Path<SchoolId>,
    upload: Upload,
) -> PageResult {
    let user = &upload.user;
    let target = user
        .authorise(&state, Action::RegisterOrgCertificate, school, None)
        .await?;
    let bytes = upload
        .file
        .as_ref()
        .map(|(_, b)| b.clone())
        .unwrap_or_default();
    let reason = upload.fields.get("reason").map(String::as_str);
    let result = api_signing::register_org(&state, user, school, &bytes, reason)
        .await
        .map(|request| {
            let message = if request.reason.is_some() {
                "Đăng ký thay đổi thông tin thành công. Chờ Phòng/Sở GD&ĐT phê duyệt; chứng thư số cũ vẫn dùng được đến khi chứng thư mới được duyệt."
            } else {
                "Đăng ký thành công tài khoản. Chứng thư số ở trạng thái Chờ duyệt đăng ký: chờ Phòng/Sở GD&ĐT phê duyệt."
            };
            Flash::ok(message, request.warnings.clone())
        });
    after_write(&state, user, school, &target, result).await
}

// ---------------------------------------------------------------------------
// The department's page: "Duyệt chứng thư số nhà trường"

async fn unit_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(unit): Path<UnitId>,
) -> PageResult {
    Ok(unit_view(&state, &user, unit, Flash::default())
        .await?
        .into_response())
}

async fn unit_view(
    state: &AppState,
    user: &CurrentUser,
    unit: UnitId,
    flash: Flash,
) -> Result<Markup, AppError> {
    let row = authorise_unit(state, user, UnitAction::ApproveOrgCertificate, unit).await?;
    let requests = state.store.org_certificate_requests_under(unit).await?;
    Ok(page(
        "Duyệt chứng thư số nhà trường",
        Some(user),
        html! {
            h1 { "Duyệt chứng thư số nhà trường — " (row.name) }
            nav.actions { a.button.secondary href={"/units/" (unit)} { "Về trang đơn vị" } }
            (flash.render())
            p.why { "Nhà trường phải dùng chứng thư số tổ chức. Khi trường đăng ký lại, chứng thư số đã duyệt vẫn dùng để ký phát hành cho đến khi chứng thư mới được duyệt." }
            @if requests.is_empty() { p.muted { "Chưa có yêu cầu nào từ các trường thuộc đơn vị." } }
            @else {
                div.wrap { table {
                    thead { tr { th { "Trường" } th { "Gửi lúc" } th { "Chứng thư số" } th { "Lý do" } th { "Kết quả" } th { "Thao tác" } } }
                    tbody { @for r in &requests { tr {
                        td { (r.school_name) }
                        td { (vietnam_time(r.requested_at)) br; span.muted { (r.requested_by) } }
                        td { (r.certificate.subject) br; span.muted { "Cấp bởi " (r.certificate.issuer) "; số hiệu " (r.certificate.serial) "; hiệu lực " (day(r.certificate.not_before)) "–" (day(r.certificate.not_after)) }
                            @for w in &r.warnings { br; span.why { "⚠ " (w) } } }
                        td { (r.reason.as_deref().unwrap_or("Đăng ký lần đầu")) }
                        td { strong { (r.state_label) } @if let Some(reason) = &r.decision_reason { br; "Lý do: " (reason) } }
                        td { @if r.state == OrgRequestState::Pending {
                            form.inline method="post" action={"/units/" (unit) "/org-certificates"} {
                                (csrf(user))
                                input type="hidden" name="request" value=(r.id);
                                button type="submit" name="decision" value="approve" { "Duyệt" }
                            }
                            form method="post" action={"/units/" (unit) "/org-certificates"} {
                                (csrf(user))
                                input type="hidden" name="request" value=(r.id);
                                input type="hidden" name="decision" value="reject";
                                input type="text" name="reason" required placeholder="Lý do từ chối";
                                button.danger type="submit" { "Từ chối duyệt" }
                            }
                        } }
                    } } }
                } }
            }
        },
    ))
}

async fn unit_decide(
    State(state): State<AppState>,
    Path(unit): Path<UnitId>,
    form: SubmittedForm,
) -> PageResult {
    let user = &form.user;
    authorise_unit(&state, user, UnitAction::ApproveOrgCertificate, unit).await?;
    let result = async {
        let request: i64 = form
            .get("request")
            .and_then(|r| r.parse().ok())
            .ok_or_else(|| {
                AppError::BadRequest("Hãy chọn yêu cầu cần duyệt trong danh sách.".into())
            })?;
        let decision = match form.get("decision") {
            Some("approve") => OrgDecision::Approve,
            Some("reject") => OrgDecision::Reject {
                reason: form.get("reason").unwrap_or_default().to_owned(),
            },
            _ => {
                return Err(AppError::BadRequest(
                    "Hãy bấm Duyệt hoặc Từ chối duyệt trên dòng của yêu cầu.".into(),
                ));
            }
        };
        let row = api_signing::decide_org(&state, user, unit, request, decision).await?;
        Ok(Flash::ok(
            format!(
                "{}: chứng thư số “{}” — {}.",
                row.school_name, row.certificate.subject, row.state_label
            ),
            Vec::new(),
        ))
    }
    .await;
    match result {
        Ok(flash) => Ok(unit_view(&state, user, unit, flash).await?.into_response()),
        Err(error @ AppError::Forbidden(_)) => Err(error),
        Err(error) => {
            let view = unit_view(&state, user, unit, Flash::error(&error)).await?;
            Ok(shown(view, Some(&error)))
        }
    }
}
