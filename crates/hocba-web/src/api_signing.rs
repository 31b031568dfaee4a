//! Signing accounts under `/api/v1/schools/{school}` and the department's
//! approval of organisation certificates under `/api/v1/units/{unit}`
//! (seed 004 §II.2, §III.1).
//!
//! Certificates are read here with `hocba_signing::Certificate` (PEM or
//! DER, as exported from a USB token) or fetched from a remote signing
//! provider (`hocba_signing::csc`); the rules are
//! `hocba_domain::signing_account`'s, the writes `hocba_storage`'s. The UI
//! (`ui::signing`) calls the same functions. Every handler authorises
//! before it reads the body.

use crate::AppState;
use crate::api::actor;
use crate::error::{ApiError, ApiJson, AppError, body};
use crate::session::CurrentUser;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use base64::Engine;
// Aliased: the route-table test reads `…put(` in this file as a route method.
use hocba_domain::access::{Action, UnitAction};
use hocba_domain::signing_account::{
    self, AccountEvent, CertificateFacts, CertificateRefusal, Holder, OrgDecision, Permission,
    SignerKind,
};
use hocba_domain::{SchoolId, SchoolYearId, StaffId, UnitId};
use hocba_signing::{Certificate, HolderKind, SigningError};
use hocba_storage::{
    CertificateInput, NewOrgCertificate, NewSigningAccount, OrgRequestRow, SigningAccountRow,
    now_millis,
};
use hocba_text::clean_input as clean;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

type ApiResult<T = Response> = Result<T, ApiError>;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/schools/{school}/signing-accounts",
            get(list_accounts).post(register_account),
        )
        .route(
            "/api/v1/schools/{school}/signing-accounts/mine",
            get(my_account),
        )
        .route(
            "/api/v1/schools/{school}/signing-accounts/copy-previous-year",
            post(copy_previous_year),
        )
        .route(
            "/api/v1/schools/{school}/signing-accounts/{staff}/approve",
            post(approve_account),
        )
        .route(
            "/api/v1/schools/{school}/signing-accounts/{staff}/reject",
            post(reject_account),
        )
        .route(
            "/api/v1/schools/{school}/signing-permissions",
            get(list_permissions),
        )
        .route(
            "/api/v1/schools/{school}/signing-permissions/{staff}",
            put(set_permissions),
        )
        .route(
            "/api/v1/schools/{school}/org-certificates",
            get(org_certificates).post(register_org_certificate),
        )
        .route(
            "/api/v1/units/{unit}/org-certificates",
            get(unit_org_certificates),
        )
        .route(
            "/api/v1/units/{unit}/org-certificates/{request}/approve",
            post(approve_org_certificate),
        )
        .route(
            "/api/v1/units/{unit}/org-certificates/{request}/reject",
            post(reject_org_certificate),
        )
}

// ---------------------------------------------------------------------------
// Certificates

/// A certificate read from what the user sent: PEM, DER, or DER in base64.
pub(crate) struct ReadCertificate {
    pub certificate: Certificate,
    pub pem: String,
    pub facts: CertificateFacts,
}

fn unreadable(detail: &str) -> AppError {
    AppError::Refused(format!(
        "Không đọc được chứng thư số ({detail}). Hãy xuất chứng thư số từ USB Token (chỉ chứng thư, không kèm khóa bí mật) thành tệp .cer, .crt hoặc .pem rồi tải lên lại; không tải lên tệp .p12/.pfx."
    ))
}

/// Reads the first certificate of a PEM file, or a DER certificate (raw or
/// base64), as exported from a token.
pub(crate) fn read_certificate(bytes: &[u8]) -> Result<ReadCertificate, AppError> {
    let text = std::str::from_utf8(bytes).ok().map(str::trim);
    let certificate = match text {
        Some(text) if text.contains("-----BEGIN") => Certificate::all_from_pem(text)
            .map_err(|e| unreadable(&e.to_string()))?
            .into_iter()
            .next()
            .ok_or_else(|| unreadable("tệp PEM không có khối CERTIFICATE"))?,
        Some(text) if !text.is_empty() => {
            let compact: String = text.split_whitespace().collect();
            let der = base64::engine::general_purpose::STANDARD
                .decode(compact)
                .map_err(|_| unreadable("không phải PEM, DER hay base64"))?;
            Certificate::from_der(&der).map_err(|e| unreadable(&e.to_string()))?
        }
        _ if bytes.is_empty() => return Err(unreadable("tệp rỗng")),
        _ => Certificate::from_der(bytes).map_err(|e| unreadable(&e.to_string()))?,
    };
    let facts = certificate_facts(&certificate);
    Ok(ReadCertificate {
        pem: certificate.to_pem(),
        certificate,
        facts,
    })
}

/// What the domain needs of a certificate (also used by the demo loader).
pub fn certificate_facts(certificate: &Certificate) -> CertificateFacts {
    CertificateFacts {
        subject: certificate.subject(),
        issuer: certificate.issuer(),
        serial: certificate.serial_hex(),
        common_name: certificate.common_name(),
        organisation: certificate.organisation(),
        uid: certificate.uid(),
        holder: match certificate.holder_kind() {
            HolderKind::Person => Holder::Person,
            HolderKind::Organisation => Holder::Organisation,
            HolderKind::Authority => Holder::Authority,
            HolderKind::Unknown => Holder::Unknown,
        },
        not_before: certificate.not_before().unix_timestamp() * 1000,
        not_after: certificate.not_after().unix_timestamp() * 1000,
        fingerprint: certificate
            .sha256()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
        signs_documents: certificate.allows_document_signing(),
    }
}

fn refused(refusal: CertificateRefusal) -> AppError {
    AppError::Refused(refusal.to_string())
}

// ---------------------------------------------------------------------------
// Personal signing accounts

/// What a teacher or leader registers.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum Registration {
    /// The certificate exported from the token: PEM text, or DER in base64.
    Token { certificate: String },
    /// A remote signing provider (CSC API): its API root, the user name and
    /// the access token it issued; optionally which credential.
    Remote {
        provider_url: String,
        username: String,
        access_token: String,
        #[serde(default)]
        credential_id: Option<String>,
    },
}

/// The staff record of the signed-in user in `school`.
async fn own_staff(
    state: &AppState,
    user: &CurrentUser,
    school: SchoolId,
) -> Result<hocba_storage::StaffRow, AppError> {
    let not_linked = || {
        AppError::Refused(
            "Tài khoản của bạn chưa gắn với hồ sơ cán bộ nào của trường này nên chưa đăng ký được tài khoản ký. Hãy nhờ quản trị viên của trường gắn tài khoản đăng nhập với hồ sơ cán bộ của bạn.".into(),
        )
    };
    let staff = user.account.staff_id.ok_or_else(not_linked)?;
    match state.store.staff_member(school, staff).await {
        Ok(row) => Ok(row),
        Err(hocba_storage::StoreError::NotFound(_)) => Err(not_linked()),
        Err(error) => Err(error.into()),
    }
}

/// A provider's refusal, in Vietnamese with the provider's own message
/// (seed 004 §III.1: "Lỗi: Thông tin thẻ không tồn tại hoặc không đúng").
fn provider_error(url: &str, error: SigningError) -> AppError {
    let message = match &error {
        SigningError::Remote(m) => m.clone(),
        other => other.to_string(),
    };
    if message.contains("cannot connect")
        || message.contains("not an http")
        || message.contains("HTTPS")
    {
        return AppError::Refused(format!(
            "Không kết nối được nhà cung cấp chữ ký số tại “{url}” ({message}). Hãy kiểm tra địa chỉ dịch vụ ký số từ xa mà nhà cung cấp đã thông báo."
        ));
    }
    AppError::Refused(format!(
        "Lỗi: Thông tin tài khoản ký số không tồn tại hoặc không đúng. Nhà cung cấp chữ ký số trả lời: “{message}”. Hãy kiểm tra lại tên đăng nhập và mã truy cập (access token) do nhà cung cấp chữ ký số cấp."
    ))
}

/// Asks the provider for the user's credential and its certificate
/// (`credentials/list`, `credentials/info`).
async fn remote_certificate(
    url: &str,
    access_token: &str,
    credential_id: Option<&str>,
) -> Result<(ReadCertificate, String), AppError> {
    let (url, token) = (url.trim().to_owned(), access_token.trim().to_owned());
    let wanted = credential_id.map(str::to_owned).filter(|c| !c.is_empty());
    let answer = tokio::task::spawn_blocking(move || {
        use hocba_signing::csc::{HttpTransport, credential_info, list_credentials};
        let transport = HttpTransport::new(&url, &token).map_err(|e| provider_error(&url, e))?;
        let ids = list_credentials(&transport).map_err(|e| provider_error(&url, e))?;
        let id = match wanted {
            Some(id) if ids.contains(&id) => id,
            Some(id) => {
                return Err(AppError::Refused(format!(
                    "Nhà cung cấp chữ ký số không có chứng thư số mã “{id}” cho tài khoản này (có: {}). Hãy chọn đúng mã chứng thư số.",
                    ids.join(", ")
                )));
            }
            None => ids.into_iter().next().ok_or_else(|| {
                AppError::Refused(
                    "Nhà cung cấp chữ ký số không có chứng thư số nào cho tài khoản này. Hãy liên hệ nhà cung cấp để được cấp chứng thư số.".into(),
                )
            })?,
        };
        let info = credential_info(&transport, &id).map_err(|e| provider_error(&url, e))?;
        let leaf = info.chain.into_iter().next().ok_or_else(|| {
            AppError::Refused("Nhà cung cấp chữ ký số không trả về chứng thư số.".into())
        })?;
        Ok((leaf, id))
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))??;
    let (certificate, id) = answer;
    let facts = certificate_facts(&certificate);
    Ok((
        ReadCertificate {
            pem: certificate.to_pem(),
            certificate,
            facts,
        },
        id,
    ))
}

/// Registers the signed-in user's signing account in the current school
/// year: the certificate is read (or fetched from the provider) and checked
/// against the person; state "Chờ duyệt".
pub(crate) async fn register(
    state: &AppState,
    user: &CurrentUser,
    school: SchoolId,
    registration: Registration,
) -> Result<SigningAccountRow, AppError> {
    let staff = own_staff(state, user, school).await?;
    let year = state.store.current_year(school).await?.id;
    let (read, kind, provider) = match &registration {
        Registration::Token { certificate } => (
            read_certificate(certificate.as_bytes())?,
            SignerKind::Token,
            None,
        ),
        Registration::Remote {
            provider_url,
            username,
            access_token,
            credential_id,
        } => {
            if clean(provider_url).is_empty()
                || clean(username).is_empty()
                || access_token.trim().is_empty()
            {
                return Err(AppError::BadRequest(
                    "Ký số từ xa cần đủ địa chỉ dịch vụ của nhà cung cấp, tên đăng nhập và mã truy cập (access token) do nhà cung cấp cấp.".into(),
                ));
            }
            if !state.signing_provider_allowed(provider_url) {
                let allowed = if state.signing_providers.is_empty() {
                    "chưa có nhà cung cấp nào".to_owned()
                } else {
                    state.signing_providers.join(", ")
                };
                return Err(AppError::Refused(format!(
                    "Máy chủ hocba chưa được phép kết nối tới nhà cung cấp chữ ký số “{}” (đang cho phép: {allowed}). Hãy chọn đúng địa chỉ dịch vụ của nhà cung cấp, hoặc nhờ quản trị hệ thống thêm nhà cung cấp này (tùy chọn --signing-provider khi chạy hocba).",
                    provider_url.trim()
                )));
            }
            let (read, id) =
                remote_certificate(provider_url, access_token, credential_id.as_deref()).await?;
            (
                read,
                SignerKind::Remote,
                Some((provider_url.trim().to_owned(), clean(username), id)),
            )
        }
    };
    let warnings =
        signing_account::check_personal_certificate(&read.facts, &staff.full_name, now_millis())
            .map_err(refused)?;
    let warnings: Vec<String> = warnings.iter().map(|w| w.message()).collect();
    Ok(state
        .store
        .register_signing_account(
            &actor(user),
            school,
            year,
            &NewSigningAccount {
                staff: staff.id,
                kind,
                provider_url: provider.as_ref().map(|p| p.0.as_str()),
                provider_username: provider.as_ref().map(|p| p.1.as_str()),
                credential_id: provider.as_ref().map(|p| p.2.as_str()),
                certificate: CertificateInput {
                    pem: &read.pem,
                    facts: &read.facts,
                    warnings: &warnings,
                },
            },
        )
        .await?)
}

/// One staff member on the approval page ("1.3. Duyệt tài khoản ký").
#[derive(Debug, Clone, Serialize)]
pub(crate) struct StaffSigning {
    pub staff_id: StaffId,
    pub staff_name: String,
    /// "Chưa đăng ký tài khoản" or the account's state.
    pub state_label: String,
    pub account: Option<SigningAccountRow>,
    pub permissions: Vec<Permission>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct SchoolSigning {
    pub school_year_id: SchoolYearId,
    pub school_year: String,
    pub staff: Vec<StaffSigning>,
}

/// Every staff member of the school with their account of the current
/// year and their permissions.
pub(crate) async fn school_signing(
    state: &AppState,
    school: SchoolId,
) -> Result<SchoolSigning, AppError> {
    let year = state.store.current_year(school).await?;
    let accounts = state.store.signing_accounts(school, year.id).await?;
    let permissions = state.store.signing_permissions(school).await?;
    let staff = state.store.staff(school, None).await?;
    let rows = staff
        .into_iter()
        .map(|member| {
            let account = accounts.iter().find(|a| a.staff_id == member.id).cloned();
            StaffSigning {
                staff_id: member.id,
                staff_name: member.full_name,
                state_label: account
                    .as_ref()
                    .map_or(signing_account::NOT_REGISTERED, |a| a.state_label)
                    .to_owned(),
                account,
                permissions: permissions
                    .iter()
                    .find(|p| p.staff_id == member.id)
                    .map(|p| p.permissions.clone())
                    .unwrap_or_default(),
            }
        })
        .collect();
    Ok(SchoolSigning {
        school_year_id: year.id,
        school_year: year.label,
        staff: rows,
    })
}

/// Whether an account can sign now, with why not and what to do.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct CanSign {
    pub ok: bool,
    pub reason: String,
    pub remedy: String,
}

/// "Tài khoản ký của tôi".
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Mine {
    pub school_year: String,
    pub staff_id: Option<StaffId>,
    pub staff_name: Option<String>,
    /// "Chưa đăng ký tài khoản" or the account's state.
    pub state_label: &'static str,
    pub account: Option<SigningAccountRow>,
    pub can_sign: CanSign,
}

/// The signed-in user's account and whether it can sign now.
pub(crate) async fn mine(
    state: &AppState,
    user: &CurrentUser,
    school: SchoolId,
) -> Result<Mine, AppError> {
    let year = state.store.current_year(school).await?;
    let staff = match own_staff(state, user, school).await {
        Ok(staff) => staff,
        Err(AppError::Refused(message)) => {
            return Ok(Mine {
                school_year: year.label,
                staff_id: None,
                staff_name: None,
                state_label: signing_account::NOT_REGISTERED,
                account: None,
                can_sign: CanSign {
                    ok: false,
                    reason: message,
                    remedy: String::new(),
                },
            });
        }
        Err(error) => return Err(error),
    };
    let account = state
        .store
        .signing_account(school, year.id, staff.id)
        .await?;
    let verdict = match &account {
        Some(a) => signing_account::can_sign(Some(a.state), a.certificate.validity(), now_millis()),
        None => Err(signing_account::CannotSign::NotRegistered),
    };
    let can_sign = match verdict {
        Ok(()) => CanSign {
            ok: true,
            reason: String::new(),
            remedy: String::new(),
        },
        Err(why) => CanSign {
            ok: false,
            reason: why.to_string(),
            remedy: why.remedy().to_owned(),
        },
    };
    Ok(Mine {
        school_year: year.label,
        staff_id: Some(staff.id),
        staff_name: Some(staff.full_name),
        state_label: account
            .as_ref()
            .map_or(signing_account::NOT_REGISTERED, |a| a.state_label),
        account,
        can_sign,
    })
}

/// Approves or rejects a staff member's account of the current year.
pub(crate) async fn decide(
    state: &AppState,
    user: &CurrentUser,
    school: SchoolId,
    staff: StaffId,
    event: AccountEvent,
) -> Result<SigningAccountRow, AppError> {
    let year = state.store.current_year(school).await?.id;
    Ok(state
        .store
        .decide_signing_account(&actor(user), school, year, staff, &event)
        .await?)
}

/// Permissions from their codes, refusing unknown ones by name.
pub(crate) fn permissions_from_codes(codes: &[String]) -> Result<Vec<Permission>, AppError> {
    codes
        .iter()
        .map(|code| {
            Permission::from_code(code).ok_or_else(|| {
                AppError::BadRequest(format!(
                    "Không có quyền ký “{code}”: chỉ có issue_sign (Nhân sự ký phát hành), seal (Người đóng dấu), delegate (Ký thay hiệu trưởng)."
                ))
            })
        })
        .collect()
}

// ---------------------------------------------------------------------------
// The organisation certificate

#[derive(Debug, Clone, Serialize)]
pub(crate) struct OrgCertificates {
    pub school_year: String,
    /// The certificate the school issues with now (approved), if any.
    pub active: Option<OrgRequestRow>,
    /// Every request of the year, newest first.
    pub requests: Vec<OrgRequestRow>,
}

pub(crate) async fn org_overview(
    state: &AppState,
    school: SchoolId,
) -> Result<OrgCertificates, AppError> {
    let year = state.store.current_year(school).await?;
    let requests = state
        .store
        .org_certificate_requests(school, year.id)
        .await?;
    let states: Vec<_> = requests.iter().map(|r| r.state).collect();
    let active = signing_account::active_org_request(&states).map(|i| requests[i].clone());
    Ok(OrgCertificates {
        school_year: year.label,
        active,
        requests,
    })
}

/// Registers (or re-registers, with a reason) the school's organisation
/// certificate: "Chờ duyệt đăng ký" until the department approves.
pub(crate) async fn register_org(
    state: &AppState,
    user: &CurrentUser,
    school: SchoolId,
    certificate: &[u8],
    reason: Option<&str>,
) -> Result<OrgRequestRow, AppError> {
    let year = state.store.current_year(school).await?.id;
    let read = read_certificate(certificate)?;
    // The glossary's type: an organisation certificate (UID MST:/MNS:).
    if hocba_signing::OrgCertificate::try_from(read.certificate.clone()).is_err()
        && read.facts.holder != Holder::Authority
    {
        return Err(refused(CertificateRefusal::NotOrganisation));
    }
    let school_name = state.store.school(school).await?.name;
    let warnings = signing_account::check_org_certificate(&read.facts, &school_name, now_millis())
        .map_err(refused)?;
    let warnings: Vec<String> = warnings.iter().map(|w| w.message()).collect();
    Ok(state
        .store
        .register_org_certificate(
            &actor(user),
            school,
            year,
            &NewOrgCertificate {
                certificate: CertificateInput {
                    pem: &read.pem,
                    facts: &read.facts,
                    warnings: &warnings,
                },
                reason,
            },
        )
        .await?)
}

/// The department's (or bureau's) decision on a request of a school under
/// `unit`; a request of a school elsewhere is not found.
pub(crate) async fn decide_org(
    state: &AppState,
    user: &CurrentUser,
    unit: UnitId,
    request: i64,
    decision: OrgDecision,
) -> Result<OrgRequestRow, AppError> {
    crate::units::authorise(state, user, UnitAction::ApproveOrgCertificate, unit).await?;
    let school = state.store.org_certificate_request_school(request).await?;
    let ancestors = state.store.ancestors(UnitId::from(school)).await?;
    if !ancestors.contains(&unit) {
        return Err(AppError::NotFound(format!(
            "yêu cầu đăng ký chứng thư số mã {request} của một trường thuộc đơn vị này"
        )));
    }
    Ok(state
        .store
        .decide_org_certificate(&actor(user), school, request, &decision)
        .await?)
}

// ---------------------------------------------------------------------------
// Handlers

async fn list_accounts(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(school): Path<SchoolId>,
) -> ApiResult {
    user.authorise(&state, Action::ViewSigningAccounts, school, None)
        .await?;
    Ok(Json(school_signing(&state, school).await?).into_response())
}

async fn my_account(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(school): Path<SchoolId>,
) -> ApiResult {
    user.authorise(&state, Action::RegisterSigningAccount, school, None)
        .await?;
    Ok(Json(mine(&state, &user, school).await?).into_response())
}

async fn register_account(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(school): Path<SchoolId>,
    ApiJson(value): ApiJson<Value>,
) -> ApiResult {
    user.authorise(&state, Action::RegisterSigningAccount, school, None)
        .await?;
    let registration: Registration = body(value)?;
    let account = register(&state, &user, school, registration).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "message": "Đăng ký thành công tài khoản. Tài khoản ở trạng thái Chờ duyệt: quản trị viên của trường duyệt ở mục Duyệt tài khoản ký.",
            "warnings": account.warnings,
            "account": account,
        })),
    )
        .into_response())
}

async fn approve_account(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, staff)): Path<(SchoolId, StaffId)>,
) -> ApiResult {
    user.authorise(&state, Action::ManageSigningAccounts, school, None)
        .await?;
    let account = decide(&state, &user, school, staff, AccountEvent::Approve).await?;
    Ok(Json(account).into_response())
}

#[derive(Deserialize)]
struct ReasonBody {
    reason: String,
}

async fn reject_account(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, staff)): Path<(SchoolId, StaffId)>,
    ApiJson(value): ApiJson<Value>,
) -> ApiResult {
    user.authorise(&state, Action::ManageSigningAccounts, school, None)
        .await?;
    let ReasonBody { reason } = body(value)?;
    let account = decide(
        &state,
        &user,
        school,
        staff,
        AccountEvent::Reject { reason },
    )
    .await?;
    Ok(Json(account).into_response())
}

async fn copy_previous_year(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(school): Path<SchoolId>,
) -> ApiResult {
    user.authorise(&state, Action::ManageSigningAccounts, school, None)
        .await?;
    let outcome = state
        .store
        .copy_signing_accounts_from_previous_year(&actor(&user), school, now_millis())
        .await?;
    Ok(Json(outcome).into_response())
}

async fn list_permissions(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(school): Path<SchoolId>,
) -> ApiResult {
    user.authorise(&state, Action::ViewSigningAccounts, school, None)
        .await?;
    Ok(Json(state.store.signing_permissions(school).await?).into_response())
}

#[derive(Deserialize)]
struct PermissionsBody {
    permissions: Vec<String>,
}

async fn set_permissions(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((school, staff)): Path<(SchoolId, StaffId)>,
    ApiJson(value): ApiJson<Value>,
) -> ApiResult {
    user.authorise(&state, Action::ManageSigningAccounts, school, None)
        .await?;
    let PermissionsBody { permissions } = body(value)?;
    let permissions = permissions_from_codes(&permissions)?;
    let saved = state
        .store
        .set_signing_permissions(&actor(&user), school, staff, &permissions)
        .await?;
    Ok(Json(json!({"staff_id": staff, "permissions": saved})).into_response())
}

async fn org_certificates(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(school): Path<SchoolId>,
) -> ApiResult {
    user.authorise(&state, Action::ViewSigningAccounts, school, None)
        .await?;
    Ok(Json(org_overview(&state, school).await?).into_response())
}

#[derive(Deserialize)]
struct OrgBody {
    certificate: String,
    #[serde(default)]
    reason: Option<String>,
}

async fn register_org_certificate(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(school): Path<SchoolId>,
    ApiJson(value): ApiJson<Value>,
) -> ApiResult {
    user.authorise(&state, Action::RegisterOrgCertificate, school, None)
        .await?;
    let OrgBody {
        certificate,
        reason,
    } = body(value)?;
    let request = register_org(
        &state,
        &user,
        school,
        certificate.as_bytes(),
        reason.as_deref(),
    )
    .await?;
    let message = if request.reason.is_some() {
        "Đăng ký thay đổi thông tin thành công. Chờ Phòng/Sở GD&ĐT phê duyệt; chứng thư số đã duyệt trước đó vẫn dùng để ký phát hành cho đến khi chứng thư mới được duyệt."
    } else {
        "Đăng ký thành công tài khoản. Chứng thư số ở trạng thái Chờ duyệt đăng ký: chờ Phòng/Sở GD&ĐT phê duyệt."
    };
    Ok((
        StatusCode::CREATED,
        Json(json!({"message": message, "warnings": request.warnings, "request": request})),
    )
        .into_response())
}

async fn unit_org_certificates(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(unit): Path<UnitId>,
) -> ApiResult {
    crate::units::authorise(&state, &user, UnitAction::ApproveOrgCertificate, unit).await?;
    Ok(Json(state.store.org_certificate_requests_under(unit).await?).into_response())
}

async fn approve_org_certificate(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((unit, request)): Path<(UnitId, i64)>,
) -> ApiResult {
    let row = decide_org(&state, &user, unit, request, OrgDecision::Approve).await?;
    Ok(Json(row).into_response())
}

async fn reject_org_certificate(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((unit, request)): Path<(UnitId, i64)>,
    ApiJson(value): ApiJson<Value>,
) -> ApiResult {
    crate::units::authorise(&state, &user, UnitAction::ApproveOrgCertificate, unit).await?;
    let ReasonBody { reason } = body(value)?;
    let row = decide_org(&state, &user, unit, request, OrgDecision::Reject { reason }).await?;
    Ok(Json(row).into_response())
}
