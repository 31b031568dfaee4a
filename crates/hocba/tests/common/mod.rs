//! Shared set-up of the end-to-end tests: a migrated database per engine with
//! the demo data set loaded, the real server on a loopback port, and a small
//! JSON client.
//!
//! Each test binary uses only part of this module.
#![allow(dead_code)]

pub mod browser;
pub mod session;

use hocba::demo::DemoLogin;
use hocba_storage::Store;
use hocba_test_support::{Engine, TestDatabase};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// One engine's database, loaded with the demo, and the server on it.
pub struct Env {
    pub engine: Engine,
    pub store: Store,
    /// `http://127.0.0.1:PORT`
    pub base: String,
    pub logins: Vec<DemoLogin>,
    pub http: reqwest::Client,
    /// Dropped last: removes the database.
    _db: TestDatabase,
}

impl Env {
    /// Migrates `db`, loads the demo data set and starts the server.
    pub async fn start(db: TestDatabase) -> Env {
        let engine = db.engine;
        let store = Store::connect(&db.url)
            .await
            .unwrap_or_else(|e| panic!("[{engine}] connect: {e}"));
        store
            .migrate()
            .await
            .unwrap_or_else(|e| panic!("[{engine}] migrate: {e}"));
        let logins = hocba::demo::load(&store, &hocba_demo::demo_data_set())
            .await
            .unwrap_or_else(|e| panic!("[{engine}] loading the demo: {e:#}"));
        let address = hocba::server::spawn(store.clone())
            .await
            .unwrap_or_else(|e| panic!("[{engine}] starting the server: {e:#}"));
        Env {
            engine,
            store,
            base: format!("http://{address}"),
            logins,
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("HTTP client"),
            _db: db,
        }
    }

    /// The demo account `username` (panics if the demo has none).
    pub fn login(&self, username: &str) -> &DemoLogin {
        self.logins
            .iter()
            .find(|l| l.username == username)
            .unwrap_or_else(|| panic!("[{}] the demo has no account {username}", self.engine))
    }

    /// The school of a school account (`thpt.admin` → the THPT school's id).
    pub fn school_of(&self, username: &str) -> i64 {
        self.login(username).unit_id
    }

    /// A bearer token for a demo account.
    pub async fn token(&self, username: &str) -> String {
        let login = self.login(username).clone();
        self.token_with(&login.username, &login.password).await
    }

    pub async fn token_with(&self, username: &str, password: &str) -> String {
        let (status, body) = self
            .call(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Payload::Json(json!({"username": username, "password": password})),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::OK,
            "[{}] API login as {username}: {body}",
            self.engine
        );
        body["token"]
            .as_str()
            .unwrap_or_else(|| panic!("[{}] login without a token: {body}", self.engine))
            .to_owned()
    }

    /// Sends a request; the body is parsed as JSON when it is JSON, else
    /// returned as `{"text": ...}` (or `{"bytes": n}` for binary bodies).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        payload: Payload,
    ) -> (StatusCode, Value) {
        let response = self.send(method.clone(), path, token, payload).await;
        let status = response.status();
        let is_json = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        let bytes = response.bytes().await.unwrap_or_else(|e| {
            panic!("[{}] reading the body of {method} {path}: {e}", self.engine)
        });
        let body = if is_json {
            serde_json::from_slice(&bytes).unwrap_or_else(|e| {
                panic!(
                    "[{}] {method} {path} said JSON but sent {}: {e}",
                    self.engine,
                    String::from_utf8_lossy(&bytes)
                )
            })
        } else {
            match std::str::from_utf8(&bytes) {
                Ok(text) => json!({ "text": text }),
                Err(_) => json!({ "bytes": bytes.len() }),
            }
        };
        (status, body)
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        payload: Payload,
    ) -> reqwest::Response {
        let mut request = self
            .http
            .request(method.clone(), format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request = match payload {
            Payload::None => request,
            Payload::Json(value) => request.json(&value),
            Payload::Bytes(bytes) => request
                .header(reqwest::header::CONTENT_TYPE, XLSX_TYPE)
                .body(bytes),
        };
        request
            .send()
            .await
            .unwrap_or_else(|e| panic!("[{}] {method} {path}: {e}", self.engine))
    }

    /// GET that must answer 200 with JSON.
    pub async fn get_ok(&self, token: &str, path: &str) -> Value {
        let (status, body) = self
            .call(Method::GET, path, Some(token), Payload::None)
            .await;
        assert_eq!(
            status,
            StatusCode::OK,
            "[{}] GET {path}: {body}",
            self.engine
        );
        body
    }

    /// POST or PUT that must answer `expected`.
    pub async fn write_expect(
        &self,
        method: Method,
        token: &str,
        path: &str,
        body: Value,
        expected: StatusCode,
    ) -> Value {
        let (status, answer) = self
            .call(method.clone(), path, Some(token), Payload::Json(body))
            .await;
        assert_eq!(
            status, expected,
            "[{}] {method} {path}: {answer}",
            self.engine
        );
        answer
    }
}

pub const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A request body.
#[derive(Debug, Clone)]
pub enum Payload {
    None,
    Json(Value),
    Bytes(Vec<u8>),
}

/// A valid minimal student profile (name, birth date, sex).
pub fn student_profile(full_name: &str, birth_date: &str, sex: &str) -> Value {
    json!({"full_name": full_name, "birth_date": birth_date, "sex": sex})
}

/// Asserts a refusal: 403, `error.code == "forbidden"`, a Vietnamese reason.
pub fn assert_forbidden(engine: Engine, what: &str, status: StatusCode, body: &Value) {
    assert_eq!(status, StatusCode::FORBIDDEN, "[{engine}] {what}: {body}");
    assert_eq!(
        body["error"]["code"], "forbidden",
        "[{engine}] {what}: a 403 must be the JSON refusal: {body}"
    );
    let reason = body["error"]["reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains("không"),
        "[{engine}] {what}: the refusal needs a Vietnamese reason: {body}"
    );
}

/// The id of a JSON value (`{"id": 1}` or a bare number).
pub fn id(value: &Value) -> i64 {
    value["id"]
        .as_i64()
        .or_else(|| value.as_i64())
        .unwrap_or_else(|| panic!("no id in {value}"))
}
