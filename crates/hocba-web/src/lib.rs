//! hocba's web application: one axum router serving the Vietnamese UI
//! (server-rendered HTML, `ui`) and the JSON API under `/api/v1` (`api`).
//! Handlers hold no SQL and no business rule: they authorise with
//! `hocba_domain::access`, validate with the domain types and call
//! `hocba_storage::Store`.

pub mod accounts;
pub mod api;
pub mod api_exams;
pub mod api_gradebook;
pub mod api_lms;
pub mod api_primary;
pub mod api_signing;
pub mod api_summary;
pub mod api_workbook;
pub mod error;
mod gradebook_access;
pub mod import;
pub mod oneroster;
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
    /// Remote signing providers the server may call (CSC API roots): a
    /// user's provider URL must start with one of them, so that nobody can
    /// make the server send requests to an address of their choice.
    pub signing_providers: Vec<String>,
}

impl AppState {
    pub fn new(store: Store, secure_cookies: bool) -> AppState {
        // Five failed logins per user name or client address per 5 minutes.
        let throttle = Arc::new(LoginThrottle::new(5, Duration::from_secs(300)));
        AppState {
            store,
            throttle,
            secure_cookies,
            signing_providers: Vec::new(),
        }
    }

    pub fn with_signing_providers(mut self, providers: Vec<String>) -> AppState {
        self.signing_providers = providers
            .into_iter()
            .map(|p| p.trim().trim_end_matches('/').to_owned())
            .filter(|p| !p.is_empty())
            .collect();
        self
    }

    /// Whether `url` is under one of the allowed providers, at a boundary:
    /// `http://a.vn/csc` allows `http://a.vn/csc/v2`, not `http://a.vn/cscx`.
    pub fn signing_provider_allowed(&self, url: &str) -> bool {
        AppState::signing_provider_allowed_in(&self.signing_providers, url)
    }

    fn signing_provider_allowed_in(providers: &[String], url: &str) -> bool {
        let url = url.trim();
        providers.iter().any(|allowed| {
            url.strip_prefix(allowed.trim_end_matches('/'))
                .is_some_and(|rest| {
                    rest.is_empty() || rest.starts_with('/') || rest.starts_with(':')
                })
        })
    }
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(api::routes())
        .merge(api_exams::routes())
        .merge(api_gradebook::routes())
        .merge(api_lms::routes())
        .merge(api_primary::routes())
        .merge(api_signing::routes())
        .merge(api_summary::routes())
        .merge(api_workbook::routes())
        .merge(oneroster::routes())
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

#[cfg(test)]
mod tests {
    #[test]
    fn signing_providers_match_at_a_boundary() {
        let store_free = |providers: Vec<&str>| {
            super::AppState::signing_provider_allowed_in(
                &providers.into_iter().map(str::to_owned).collect::<Vec<_>>(),
                "http://ky.vn/csc/v2",
            )
        };
        assert!(store_free(vec!["http://ky.vn/csc"]));
        assert!(store_free(vec!["http://ky.vn"]));
        assert!(!store_free(vec!["http://ky.vn/cs"]));
        assert!(!store_free(vec![]));
        assert!(super::AppState::signing_provider_allowed_in(
            &["http://127.0.0.1".into()],
            "http://127.0.0.1:4431/csc/v2"
        ));
        assert!(!super::AppState::signing_provider_allowed_in(
            &["http://127.0.0.1".into()],
            "http://127.0.0.10/csc"
        ));
    }
}
