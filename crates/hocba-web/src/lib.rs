//! hocba's web application: one axum router serving the Vietnamese UI
//! (server-rendered HTML, `ui`) and the JSON API under `/api/v1` (`api`).
//! Handlers hold no SQL and no business rule: they authorise with
//! `hocba_domain::access`, validate with the domain types and call
//! `hocba_storage::Store`.

pub mod accounts;
pub mod api;
pub mod api_gradebook;
pub mod api_signing;
pub mod error;
pub mod import;
pub mod openapi;
pub mod routes;
pub mod session;
pub mod ui;
pub mod units;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use hocba_auth::LoginThrottle;
use hocba_storage::Store;
use std::sync::Arc;
use std::time::Duration;

/// How long a browser session or API token lives.
pub const SESSION_LIFETIME: Duration = Duration::from_secs(12 * 3600);
/// Largest upload accepted (an Excel file of a whole school is ~1 MB).
pub const MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub throttle: Arc<LoginThrottle>,
    /// Mark cookies `Secure` (when served over TLS, directly or behind a proxy).
    pub secure_cookies: bool,
}

impl AppState {
    pub fn new(store: Store, secure_cookies: bool) -> AppState {
        // Five failed logins per user name or client address per 5 minutes.
        let throttle = Arc::new(LoginThrottle::new(5, Duration::from_secs(300)));
        AppState {
            store,
            throttle,
            secure_cookies,
        }
    }
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(api::routes())
        .merge(api_gradebook::routes())
        .merge(api_signing::routes())
        .merge(ui::routes())
        .layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES + 64 * 1024))
        .layer(axum::middleware::map_response(security_headers))
        .with_state(state)
}

async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'"),
    );
    response
}
