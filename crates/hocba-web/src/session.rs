//! Who is calling. Browsers carry an HttpOnly session cookie; API clients
//! send `Authorization: Bearer <token>`. Both resolve to a [`CurrentUser`]
//! with the [`Principal`] the access policy decides on.
//!
//! CSRF: browser sessions use a SameSite=Lax cookie, every unsafe request
//! from another site is refused by its `Origin`/`Sec-Fetch-Site` headers, and
//! every state-changing form carries the session's CSRF token
//! ([`SubmittedForm`]); the page script sends it as `X-CSRF-Token`.

use crate::AppState;
use crate::error::AppError;
use axum::extract::{FromRequest, FromRequestParts, Multipart, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum::response::IntoResponse;
use hocba_domain::access::{self, Action, Principal, Target};
use hocba_domain::{ClassId, SchoolId, UnitId};
use hocba_storage::{AccountRow, SessionKind};
use std::collections::BTreeMap;

pub const SESSION_COOKIE: &str = "hocba_session";
pub const CSRF_HEADER: &str = "x-csrf-token";

#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub account: AccountRow,
    pub principal: Principal,
    pub csrf_token: String,
    pub via: SessionKind,
}

impl CurrentUser {
    /// Asks the access policy, with the school's place in the tree.
    pub async fn authorise(
        &self,
        state: &AppState,
        action: Action,
        school: SchoolId,
        class: Option<ClassId>,
    ) -> Result<Target, AppError> {
        let mut target = match state.store.target(school).await {
            Ok(target) => target,
            // An unknown school is refused exactly like another school's,
            // so that ids cannot be probed.
            Err(hocba_storage::StoreError::NotFound(_)) => Target {
                school,
                ancestors: Vec::new(),
                class: None,
                subject: None,
                semester: None,
            },
            Err(error) => return Err(error.into()),
        };
        target.class = class;
        access::authorise(&self.principal, action, &target)?;
        Ok(target)
    }

    pub fn may(&self, action: Action, target: &Target) -> bool {
        access::authorise(&self.principal, action, target).is_ok()
    }
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| {
            let (key, value) = pair.trim().split_once('=')?;
            (key == name).then(|| value.to_owned())
        })
}

/// Refuses a state-changing request sent by another site.
pub(crate) fn same_origin(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && site == "cross-site"
    {
        return false;
    }
    match (
        headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()),
        headers.get(header::HOST).and_then(|v| v.to_str().ok()),
    ) {
        (Some(origin), Some(host)) => origin
            .split_once("://")
            .is_some_and(|(_, rest)| rest == host),
        _ => true,
    }
}

async fn load(state: &AppState, token: &str, via: SessionKind) -> Result<CurrentUser, AppError> {
    // One statement: session, account, grants, homeroom classes and
    // teaching assignments (every request pays this, nothing is cached).
    let found = state
        .store
        .session_user(&hocba_auth::token_hash(token))
        .await?
        .ok_or(AppError::Unauthenticated)?;
    if found.session.kind != via || found.account.disabled {
        return Err(AppError::Unauthenticated);
    }
    let account = found.account;
    let principal = Principal {
        user_id: account.id,
        grants: account.grants.clone(),
        homeroom_classes: found.homeroom_classes,
        teaching: found.teaching,
    };
    Ok(CurrentUser {
        account,
        principal,
        csrf_token: found.session.csrf_token,
        via,
    })
}

impl FromRequestParts<AppState> for CurrentUser {
    /// JSON under `/api/`, a Vietnamese page elsewhere.
    type Rejection = axum::response::Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let api = parts.uri.path().starts_with("/api/");
        CurrentUser::resolve(parts, state).await.map_err(|error| {
            if api {
                crate::error::ApiError(error).into_response()
            } else {
                error.into_response()
            }
        })
    }
}

impl CurrentUser {
    /// The signed-in user of a request, or why there is none.
    pub(crate) async fn resolve(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        if let Some(user) = parts.extensions.get::<CurrentUser>() {
            return Ok(user.clone());
        }
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .map(str::to_owned);
        let user = match bearer {
            Some(token) => load(state, &token, SessionKind::Api).await?,
            None => {
                let token =
                    cookie(&parts.headers, SESSION_COOKIE).ok_or(AppError::Unauthenticated)?;
                let user = load(state, &token, SessionKind::Browser).await?;
                let unsafe_method =
                    !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
                if unsafe_method && !same_origin(&parts.headers) {
                    return Err(AppError::Forbidden(csrf_denied()));
                }
                // Script calls to the API with the browser session carry the token in a header.
                if unsafe_method && parts.uri.path().starts_with("/api/") {
                    let sent = parts
                        .headers
                        .get(CSRF_HEADER)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default();
                    if sent != user.csrf_token {
                        return Err(AppError::Forbidden(csrf_denied()));
                    }
                }
                user
            }
        };
        // An account whose password an administrator set may only change it
        // (and sign out) until it has.
        const ALLOWED_BEFORE_CHANGE: [&str; 5] = [
            "/password",
            "/logout",
            "/api/v1/auth/password",
            "/api/v1/auth/logout",
            "/api/v1/me",
        ];
        if user.account.must_change_password && !ALLOWED_BEFORE_CHANGE.contains(&parts.uri.path()) {
            return Err(AppError::PasswordChangeRequired);
        }
        parts.extensions.insert(user.clone());
        Ok(user)
    }
}

impl axum::extract::OptionalFromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, Self::Rejection> {
        match CurrentUser::resolve(parts, state).await {
            Ok(user) => Ok(Some(user)),
            Err(AppError::Unauthenticated) => Ok(None),
            Err(error) => Err(error),
        }
    }
}

fn csrf_denied() -> access::Denied {
    access::Denied {
        reason: "Yêu cầu bị từ chối vì không gửi từ trang của hocba (thiếu hoặc sai mã chống giả mạo CSRF).".into(),
        remedy: "Hãy tải lại trang rồi thao tác lại; nếu bạn không bấm nút này, có thể một trang khác đã cố thay mặt bạn.".into(),
    }
}

/// A submitted HTML form whose CSRF token has been checked. Fields are
/// cleaned text (`hocba_text::clean_input` is applied by the domain when it
/// validates).
pub struct SubmittedForm {
    pub user: CurrentUser,
    pub fields: BTreeMap<String, String>,
}

impl SubmittedForm {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.fields
            .get(key)
            .map(String::as_str)
            .map(str::trim)
            .filter(|v| !v.is_empty())
    }
}

impl FromRequest<AppState> for SubmittedForm {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = request.into_parts();
        let user = CurrentUser::resolve(&mut parts, state).await?;
        let request = Request::from_parts(parts, body);
        let axum::Form(pairs): axum::Form<Vec<(String, String)>> =
            axum::Form::from_request(request, state)
                .await
                .map_err(|e| {
                    AppError::BadRequest(format!("Biểu mẫu gửi lên không đọc được: {e}"))
                })?;
        let mut fields = BTreeMap::new();
        for (key, value) in pairs {
            fields.insert(key, value);
        }
        if fields.remove("csrf").as_deref() != Some(user.csrf_token.as_str()) {
            return Err(AppError::Forbidden(csrf_denied()));
        }
        Ok(SubmittedForm { user, fields })
    }
}

/// An uploaded file (multipart form) with its CSRF token checked.
pub struct Upload {
    pub user: CurrentUser,
    pub fields: BTreeMap<String, String>,
    /// Values of repeated fields (check boxes), in order.
    pub lists: BTreeMap<String, Vec<String>>,
    pub file: Option<(String, Vec<u8>)>,
}

impl FromRequest<AppState> for Upload {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = request.into_parts();
        let user = CurrentUser::resolve(&mut parts, state).await?;
        let request = Request::from_parts(parts, body);
        let mut multipart = Multipart::from_request(request, state)
            .await
            .map_err(|e| AppError::BadRequest(format!("Tệp gửi lên không đọc được: {e}")))?;
        let mut upload = Upload {
            user,
            fields: BTreeMap::new(),
            lists: BTreeMap::new(),
            file: None,
        };
        while let Some(field) = multipart.next_field().await.map_err(|e| {
            AppError::BadRequest(format!(
                "Tệp gửi lên không đọc được (có thể quá lớn, tối đa 10 MB): {e}"
            ))
        })? {
            let name = field.name().unwrap_or_default().to_owned();
            if let Some(file_name) = field.file_name().map(str::to_owned) {
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|e| AppError::BadRequest(format!("Không đọc được tệp: {e}")))?;
                if !bytes.is_empty() {
                    upload.file = Some((file_name, bytes.to_vec()));
                }
            } else {
                let text = field.text().await.unwrap_or_default();
                upload
                    .lists
                    .entry(name.clone())
                    .or_default()
                    .push(text.clone());
                upload.fields.insert(name, text);
            }
        }
        if upload.fields.get("csrf") != Some(&upload.user.csrf_token) {
            return Err(AppError::Forbidden(csrf_denied()));
        }
        Ok(upload)
    }
}

/// The unit whose pages a user lands on.
pub fn home_unit(user: &CurrentUser) -> UnitId {
    user.account.home_unit
}
