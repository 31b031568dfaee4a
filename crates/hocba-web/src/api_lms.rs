//! The school admin's OAuth clients for learning systems (LMS), under
//! `/api/v1/schools/{school}/lms-clients` (issue 6 point 5): list, issue
//! (the secret is shown once; only its SHA-256 is stored), revoke (the
//! client's tokens stop at once). The OneRoster API those clients call is
//! `crate::oneroster`. The UI (`ui::lms`) calls the same functions.

use crate::AppState;
use crate::api::actor;
use crate::error::{ApiError, ApiJson, AppError};
use crate::session::CurrentUser;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use hocba_domain::SchoolId;
use hocba_domain::access::Action;
use hocba_domain::lms::{self, Scope};
use hocba_storage::LmsClientRow;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/schools/{school}/lms-clients",
            get(list_clients).post(create_client),
        )
        .route(
            "/api/v1/schools/{school}/lms-clients/revoke",
            post(revoke_client),
        )
}

/// A client just issued, with its secret (shown this once).
#[derive(Debug, Clone, Serialize)]
pub struct IssuedClient {
    pub client: LmsClientRow,
    pub client_secret: String,
    pub token_endpoint: &'static str,
    pub api_root: &'static str,
}

/// Issues a client: a random secret, stored as its SHA-256.
pub(crate) async fn issue(
    state: &AppState,
    user: &CurrentUser,
    school: SchoolId,
    name: &str,
    scopes: &[Scope],
) -> Result<IssuedClient, AppError> {
    let secret = hocba_auth::new_token();
    let client = state
        .store
        .create_lms_client(
            &actor(user),
            school,
            name,
            scopes,
            &hocba_auth::token_hash(&secret),
        )
        .await?;
    Ok(IssuedClient {
        client,
        client_secret: secret,
        token_endpoint: crate::oneroster::TOKEN_PATH,
        api_root: crate::oneroster::GRADEBOOK_ROOT,
    })
}

/// The scopes a form or body names, or why not.
pub(crate) fn scopes_from(uris: &[String]) -> Result<Vec<Scope>, AppError> {
    lms::parse_scopes(&uris.join(" ")).map_err(|unknown| {
        AppError::BadRequest(format!(
            "Quyền “{unknown}” không có: dùng {}.",
            Scope::ALL.map(Scope::uri).join(", ")
        ))
    })
}

fn scope_list() -> Value {
    Value::Array(
        Scope::ALL
            .iter()
            .map(|s| json!({"uri": s.uri(), "label": s.label()}))
            .collect(),
    )
}

async fn list_clients(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(school): Path<SchoolId>,
) -> Result<Response, ApiError> {
    user.authorise(&state, Action::ManageLmsClients, school, None)
        .await?;
    let clients = state.store.lms_clients(school).await?;
    Ok(Json(json!({
        "clients": clients,
        "scopes": scope_list(),
        "token_endpoint": crate::oneroster::TOKEN_PATH,
        "api_root": crate::oneroster::GRADEBOOK_ROOT,
    }))
    .into_response())
}

#[derive(Deserialize)]
struct CreateBody {
    #[serde(default)]
    name: String,
    #[serde(default)]
    scopes: Vec<String>,
}

async fn create_client(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(school): Path<SchoolId>,
    ApiJson(value): ApiJson<Value>,
) -> Result<Response, ApiError> {
    user.authorise(&state, Action::ManageLmsClients, school, None)
        .await?;
    let body: CreateBody = serde_json::from_value(value).map_err(|e| {
        AppError::BadRequest(format!(
            "Nội dung gửi lên chưa đúng dạng {{name, scopes: [URI]}}: {e}"
        ))
    })?;
    let scopes = scopes_from(&body.scopes)?;
    let issued = issue(&state, &user, school, &body.name, &scopes).await?;
    Ok((StatusCode::CREATED, Json(issued)).into_response())
}

#[derive(Deserialize)]
struct RevokeBody {
    client_id: Option<String>,
}

/// The client of a public client id, in this school.
pub(crate) fn client_in(school: SchoolId, client_id: Option<&str>) -> Result<i64, AppError> {
    let text = client_id.map(str::trim).unwrap_or_default();
    match hocba_storage::parse_lms_client_id(text) {
        Some((of, id)) if of == school => Ok(id),
        Some(_) => Err(AppError::NotFound("ứng dụng LMS này trong trường".into())),
        None => Err(AppError::BadRequest(
            "Hãy gửi client_id của ứng dụng cần thu hồi (dạng mã-trường.mã-ứng-dụng, xem danh sách ứng dụng).".into(),
        )),
    }
}

async fn revoke_client(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(school): Path<SchoolId>,
    ApiJson(value): ApiJson<Value>,
) -> Result<Response, ApiError> {
    user.authorise(&state, Action::ManageLmsClients, school, None)
        .await?;
    let body: RevokeBody = serde_json::from_value(value).map_err(|e| {
        AppError::BadRequest(format!(
            "Nội dung gửi lên chưa đúng dạng {{client_id}}: {e}"
        ))
    })?;
    let id = client_in(school, body.client_id.as_deref())?;
    let client = state
        .store
        .revoke_lms_client(&actor(&user), school, id)
        .await?;
    Ok(Json(client).into_response())
}
