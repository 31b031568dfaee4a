//! A subset of the 1EdTech OneRoster 1.2 Gradebook REST binding, for
//! learning systems (LMS) that write scores into the gradebook (issue 6
//! point 5), and its OAuth 2.0 token endpoint (client credentials, RFC 6749
//! §4.4). The mapping and every decision are documented in
//! `docs/oneroster.md`; the rules are `hocba_domain::lms`'s (over the exam
//! sync's column rules) and the writes `hocba_storage`'s. No SQL here.
//!
//! Errors use the binding's status payload (`imsx_codeMajor`,
//! `imsx_severity`, `imsx_description`, `imsx_CodeMinor`), with the
//! Vietnamese reason and remedy of our rules in the description; the token
//! endpoint answers RFC 6749 §5.1/§5.2 JSON.

use crate::AppState;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use hocba_domain::gradebook::Column;
use hocba_domain::lms::{self, ClassRef, LmsRefusal, PeriodRef, RefusalKind, Scope};
use hocba_domain::{ClassId, SchoolId, StudentId};
use hocba_storage::{
    ClientCheck, LineItemInput, LineItemRow, LmsCaller, LmsClass, ResultInput, ResultRow,
    StoreError,
};
use serde_json::{Map, Value, json};
use std::collections::HashMap;

pub const TOKEN_PATH: &str = "/oauth/token";
pub const GRADEBOOK_ROOT: &str = "/ims/oneroster/gradebook/v1p2";
pub const ROSTERING_ROOT: &str = "/ims/oneroster/rostering/v1p2";
/// Lifetime of an access token (short: a revoked client's tokens are also
/// refused at once, this bounds a leaked one).
pub const TOKEN_LIFETIME_SECONDS: i64 = 3600;

/// A route of this API, for the route-table test and the OpenAPI document.
#[derive(Debug, Clone, Copy)]
pub struct OneRosterRoute {
    pub method: &'static str,
    pub path: &'static str,
    /// The scope the handler requires (`None`: the token endpoint).
    pub scope: Option<Scope>,
    pub summary: &'static str,
}

const fn r(
    method: &'static str,
    path: &'static str,
    scope: Option<Scope>,
    summary: &'static str,
) -> OneRosterRoute {
    OneRosterRoute {
        method,
        path,
        scope,
        summary,
    }
}

const READ: Option<Scope> = Some(Scope::Readonly);
const PUT: Option<Scope> = Some(Scope::CreatePut);
const DELETE: Option<Scope> = Some(Scope::Delete);

/// Every route of the token endpoint and the OneRoster subset.
#[rustfmt::skip]
pub const ONEROSTER_ROUTES: &[OneRosterRoute] = &[
    r("POST", "/oauth/token", None, "OAuth 2.0 client credentials (RFC 6749 §4.4): grant_type=client_credentials, client_id/client_secret qua HTTP Basic hoặc trong form, scope"),
    r("GET", "/ims/oneroster/gradebook/v1p2/lineItems", READ, "Line item (cột điểm đã nhận) của trường: limit, offset, filter, sort"),
    r("GET", "/ims/oneroster/gradebook/v1p2/lineItems/{sourcedId}", READ, "Một line item"),
    r("PUT", "/ims/oneroster/gradebook/v1p2/lineItems/{sourcedId}", PUT, "Tạo (nhận một cột điểm đã khai báo, còn trống, theo quy tắc đồng bộ) hoặc sửa line item"),
    r("DELETE", "/ims/oneroster/gradebook/v1p2/lineItems/{sourcedId}", DELETE, "Xóa line item chưa có kết quả (trả lại cột)"),
    r("GET", "/ims/oneroster/gradebook/v1p2/lineItems/{sourcedId}/results", READ, "Kết quả của một line item"),
    r("GET", "/ims/oneroster/gradebook/v1p2/results", READ, "Kết quả của trường: limit, offset, filter, sort"),
    r("GET", "/ims/oneroster/gradebook/v1p2/results/{sourcedId}", READ, "Một kết quả"),
    r("PUT", "/ims/oneroster/gradebook/v1p2/results/{sourcedId}", PUT, "Ghi điểm của một học sinh theo sourcedId (gửi lại không ghi thêm; không ghi đè điểm giáo viên đã sửa)"),
    r("DELETE", "/ims/oneroster/gradebook/v1p2/results/{sourcedId}", DELETE, "Xóa kết quả (xóa điểm nếu ô vẫn giữ điểm ứng dụng đã ghi)"),
    r("GET", "/ims/oneroster/gradebook/v1p2/classes/{classSourcedId}/lineItems", READ, "Line item của một lớp × môn"),
    r("GET", "/ims/oneroster/gradebook/v1p2/classes/{classSourcedId}/results", READ, "Kết quả của một lớp × môn"),
    r("GET", "/ims/oneroster/gradebook/v1p2/categories", READ, "Loại cột điểm: regular:1 … regular:10 (ĐĐGtx), midterm (ĐĐGgk), final (ĐĐGck)"),
    r("GET", "/ims/oneroster/gradebook/v1p2/categories/{sourcedId}", READ, "Một loại cột điểm"),
    r("GET", "/ims/oneroster/rostering/v1p2/classes", READ, "Sổ điểm năm học hiện tại (lớp × môn) dưới dạng class"),
    r("GET", "/ims/oneroster/rostering/v1p2/classes/{classSourcedId}", READ, "Một lớp × môn"),
    r("GET", "/ims/oneroster/rostering/v1p2/classes/{classSourcedId}/students", READ, "Học sinh đang học của lớp (sourcedId = mã học sinh hocba; identifier = mã định danh Bộ GD&ĐT)"),
    r("GET", "/ims/oneroster/rostering/v1p2/gradingPeriods", READ, "Học kỳ của các năm học: {mã năm học}-S1, {mã năm học}-S2"),
];

/// The OpenAPI operation of a route (`crate::openapi` lists them with the
/// API's).
pub fn operation(spec: &OneRosterRoute) -> Value {
    let parameters: Vec<Value> = spec
        .path
        .split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
        .collect();
    let imsx = json!({"application/json": {"schema": {"$ref": "#/components/schemas/ImsxStatus"}}});
    let mut operation = json!({
        "summary": spec.summary,
        "tags": ["OneRoster 1.2 Gradebook"],
        "parameters": parameters,
        "responses": {
            "200": {"description": "Thành công"},
            "400": {"description": "Dữ liệu không hợp lệ (imsx_description nêu lý do)", "content": imsx},
            "401": {"description": "Thiếu token, token hết hạn hoặc ứng dụng đã bị thu hồi", "content": imsx},
            "403": {"description": "Token không có scope cần thiết, hoặc line item của ứng dụng khác", "content": imsx},
            "404": {"description": "Không có trong trường của token", "content": imsx},
            "422": {"description": "Quy tắc sổ điểm từ chối (cột đã khóa, ngoài đợt nhập điểm, cột đã có điểm, học sinh chưa có mã định danh…), kèm lý do và cách xử lý", "content": imsx},
        }
    });
    match spec.scope {
        Some(scope) => {
            operation["security"] = json!([{"oneroster": [scope.uri()]}]);
        }
        None => {
            operation["security"] = json!([]);
            operation["requestBody"] = json!({"content": {"application/x-www-form-urlencoded": {"schema": {
                "type": "object", "required": ["grant_type"],
                "properties": {"grant_type": {"const": "client_credentials"}, "scope": {"type": "string"},
                               "client_id": {"type": "string"}, "client_secret": {"type": "string"}}}}}});
        }
    }
    if spec.method == "PUT" {
        operation["requestBody"] =
            json!({"content": {"application/json": {"schema": {"type": "object"}}}});
        operation["responses"]["201"] = json!({"description": "Đã tạo"});
    }
    if spec.method == "DELETE" {
        operation["responses"]["204"] = json!({"description": "Đã xóa"});
    }
    operation
}

/// OAuth 2.0 client credentials with the OneRoster gradebook scopes.
pub fn security_scheme() -> Value {
    let scopes: Map<String, Value> = Scope::ALL
        .iter()
        .map(|s| (s.uri().to_owned(), Value::String(s.label().to_owned())))
        .collect();
    json!({"type": "oauth2", "flows": {"clientCredentials": {"tokenUrl": TOKEN_PATH, "scopes": scopes}}})
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/oauth/token", post(token))
        .route(
            "/ims/oneroster/gradebook/v1p2/lineItems",
            get(list_line_items),
        )
        .route(
            "/ims/oneroster/gradebook/v1p2/lineItems/{sourcedId}",
            get(get_line_item)
                .put(put_line_item)
                .delete(delete_line_item),
        )
        .route(
            "/ims/oneroster/gradebook/v1p2/lineItems/{sourcedId}/results",
            get(line_item_results),
        )
        .route("/ims/oneroster/gradebook/v1p2/results", get(list_results))
        .route(
            "/ims/oneroster/gradebook/v1p2/results/{sourcedId}",
            get(get_result).put(put_result).delete(delete_result),
        )
        .route(
            "/ims/oneroster/gradebook/v1p2/classes/{classSourcedId}/lineItems",
            get(class_line_items),
        )
        .route(
            "/ims/oneroster/gradebook/v1p2/classes/{classSourcedId}/results",
            get(class_results),
        )
        .route(
            "/ims/oneroster/gradebook/v1p2/categories",
            get(list_categories),
        )
        .route(
            "/ims/oneroster/gradebook/v1p2/categories/{sourcedId}",
            get(get_category),
        )
        .route("/ims/oneroster/rostering/v1p2/classes", get(list_classes))
        .route(
            "/ims/oneroster/rostering/v1p2/classes/{classSourcedId}",
            get(get_class),
        )
        .route(
            "/ims/oneroster/rostering/v1p2/classes/{classSourcedId}/students",
            get(class_students),
        )
        .route(
            "/ims/oneroster/rostering/v1p2/gradingPeriods",
            get(grading_periods),
        )
}

// ---------------------------------------------------------------------------
// Errors: the OneRoster status payload.

/// A refusal in the binding's shape.
#[derive(Debug)]
pub struct OrError {
    status: StatusCode,
    code_minor: &'static str,
    description: String,
    /// `WWW-Authenticate` for 401 and 403 (RFC 6750 §3).
    challenge: Option<String>,
}

impl OrError {
    fn new(status: StatusCode, code_minor: &'static str, description: impl Into<String>) -> Self {
        OrError {
            status,
            code_minor,
            description: description.into(),
            challenge: None,
        }
    }

    fn invalid(description: impl Into<String>) -> Self {
        OrError::new(StatusCode::BAD_REQUEST, "invaliddata", description)
    }

    fn not_found(description: impl Into<String>) -> Self {
        OrError::new(StatusCode::NOT_FOUND, "unknownobject", description)
    }

    fn unauthorised() -> Self {
        OrError {
            challenge: Some("Bearer realm=\"hocba\"".into()),
            ..OrError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorisedrequest",
                "Thiếu access token, token đã hết hạn hoặc ứng dụng đã bị thu hồi. Cách xử lý: lấy token mới tại POST /oauth/token bằng client_id và client_secret do quản trị viên của trường cấp; nếu ứng dụng đã bị thu hồi, nhờ quản trị viên cấp ứng dụng mới.",
            )
        }
    }

    fn refusal(refusal: &LmsRefusal) -> Self {
        let (status, minor) = match refusal.kind() {
            RefusalKind::Invalid => (StatusCode::BAD_REQUEST, "invaliddata"),
            RefusalKind::Forbidden => (StatusCode::FORBIDDEN, "forbidden"),
            // The request is well formed; the gradebook's rules refuse it now.
            RefusalKind::Conflict | RefusalKind::Locked => {
                (StatusCode::UNPROCESSABLE_ENTITY, "invaliddata")
            }
        };
        OrError::new(
            status,
            minor,
            format!(
                "{} Cách xử lý: {} (mã: {})",
                refusal.reason(),
                refusal.remedy(),
                refusal.code()
            ),
        )
    }

    pub fn body(&self) -> Value {
        json!({
            "imsx_codeMajor": "failure",
            "imsx_severity": "error",
            "imsx_description": self.description,
            "imsx_CodeMinor": {"imsx_codeMinorField": [
                {"imsx_codeMinorFieldName": "TargetEndSystem", "imsx_codeMinorFieldValue": self.code_minor}
            ]},
        })
    }
}

impl From<StoreError> for OrError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound(what) => OrError::not_found(format!("Không tìm thấy {what}.")),
            StoreError::Refused(message) | StoreError::Conflict(message) => {
                OrError::new(StatusCode::UNPROCESSABLE_ENTITY, "invaliddata", message)
            }
            StoreError::Invalid(errors) => OrError::invalid(errors.to_string()),
            StoreError::Database(error) => {
                tracing::error!(%error, "OneRoster request failed");
                OrError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal_server_error",
                    "Hệ thống gặp lỗi khi xử lý yêu cầu; không có gì được ghi. Hãy thử lại sau ít phút.",
                )
            }
        }
    }
}

impl IntoResponse for OrError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(self.body())).into_response();
        if let Some(challenge) = self.challenge.and_then(|c| HeaderValue::from_str(&c).ok()) {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, challenge);
        }
        response
    }
}

type OrResult = Result<Response, OrError>;

// ---------------------------------------------------------------------------
// The caller: a bearer token of a live client.

/// The LMS calling, from `Authorization: Bearer <token>`.
pub struct Lms(pub LmsCaller);

impl FromRequestParts<AppState> for Lms {
    type Rejection = OrError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, OrError> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .ok_or_else(OrError::unauthorised)?;
        // Tokens are `{school}.{random}`: the school keys the lookup.
        let school = token
            .split_once('.')
            .and_then(|(school, _)| school.parse::<i64>().ok())
            .map(SchoolId)
            .ok_or_else(OrError::unauthorised)?;
        let caller = state
            .store
            .lms_caller(school, &hocba_auth::token_hash(token))
            .await?
            .ok_or_else(OrError::unauthorised)?;
        Ok(Lms(caller))
    }
}

impl Lms {
    fn require(&self, scope: Scope) -> Result<(), OrError> {
        if self.0.scopes.contains(&scope) {
            return Ok(());
        }
        Err(OrError {
            challenge: Some(format!(
                "Bearer realm=\"hocba\", error=\"insufficient_scope\", scope=\"{}\"",
                scope.uri()
            )),
            ..OrError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                format!(
                    "Token của ứng dụng {} không có quyền {} ({}). Cách xử lý: xin token với scope này; nếu ứng dụng chưa được cấp quyền đó, nhờ quản trị viên của trường cấp ứng dụng mới có quyền này.",
                    self.0.client_name,
                    scope.label(),
                    scope.uri()
                ),
            )
        })
    }
}

// ---------------------------------------------------------------------------
// The token endpoint (RFC 6749 §4.4, answers §5.1 and §5.2).

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    let mut response = (
        status,
        Json(json!({"error": error, "error_description": description})),
    )
        .into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    if status == StatusCode::UNAUTHORIZED {
        headers.insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"hocba\""),
        );
    }
    response
}

/// Client credentials sent with HTTP Basic (RFC 6749 §2.3.1).
fn basic_credentials(headers: &HeaderMap) -> Option<Option<(String, String)>> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok());
    Some(decoded.and_then(|text| {
        let (id, secret) = text.split_once(':')?;
        Some((percent_decode(id), percent_decode(secret)))
    }))
}

/// `application/x-www-form-urlencoded` decoding of one value.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = |b: u8| (b as char).to_digit(16);
                match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                    (Some(high), Some(low)) => {
                        out.push((high * 16 + low) as u8);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn form_fields(body: &[u8]) -> HashMap<String, String> {
    let text = String::from_utf8_lossy(body);
    text.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(key), percent_decode(value))
        })
        .collect()
}

async fn token(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let form_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !form_type {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Yêu cầu token phải gửi dạng application/x-www-form-urlencoded (RFC 6749 §4.4.2).",
        );
    }
    let fields = form_fields(&body);
    let grant = fields.get("grant_type").map(String::as_str);
    match grant {
        None => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "Thiếu grant_type: dùng grant_type=client_credentials.",
            );
        }
        Some("client_credentials") => {}
        Some(other) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                &format!(
                    "grant_type “{other}” không được hỗ trợ: hocba chỉ cấp token theo client_credentials cho ứng dụng do trường cấp."
                ),
            );
        }
    }
    let in_body = match (fields.get("client_id"), fields.get("client_secret")) {
        (Some(id), Some(secret)) => Some((id.clone(), secret.clone())),
        _ => None,
    };
    let credentials = match (basic_credentials(&headers), in_body) {
        (Some(_), Some(_)) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "Chỉ dùng một cách xác thực ứng dụng: HTTP Basic hoặc client_id/client_secret trong form, không dùng cả hai (RFC 6749 §2.3).",
            );
        }
        (Some(Some(pair)), None) | (None, Some(pair)) => pair,
        (Some(None), None) | (None, None) => {
            return oauth_error(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                "Thiếu client_id và client_secret (HTTP Basic hoặc trong form).",
            );
        }
    };
    let (client_id, secret) = credentials;
    let throttle_key = format!("lms:{client_id}");
    if state.throttle.check(&throttle_key).is_err() {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Sai client_secret quá nhiều lần: hãy đợi vài phút rồi thử lại.",
        );
    }
    let check = match state
        .store
        .check_lms_client(&client_id, &hocba_auth::token_hash(&secret))
        .await
    {
        Ok(check) => check,
        Err(error) => return OrError::from(error).into_response(),
    };
    let client = match check {
        ClientCheck::Unknown | ClientCheck::WrongSecret => {
            state.throttle.record_failure(&throttle_key);
            return oauth_error(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                "client_id hoặc client_secret không đúng. Cách xử lý: kiểm tra lại thông tin quản trị viên của trường đã cấp (mã bí mật chỉ hiện một lần; nếu mất, nhờ cấp ứng dụng mới).",
            );
        }
        ClientCheck::Revoked(client) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_grant",
                &format!(
                    "Ứng dụng “{}” đã bị quản trị viên của trường thu hồi: không cấp token mới. Cách xử lý: nhờ quản trị viên cấp ứng dụng mới.",
                    client.name
                ),
            );
        }
        ClientCheck::Valid(client) => client,
    };
    let requested = match fields
        .get("scope")
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
    {
        None => client.scopes.clone(),
        Some(text) => match lms::parse_scopes(text) {
            Err(unknown) => {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_scope",
                    &format!(
                        "Scope “{unknown}” không có: dùng {}.",
                        Scope::ALL.map(Scope::uri).join(" ")
                    ),
                );
            }
            Ok(scopes) => {
                if let Some(missing) = scopes.iter().find(|s| !client.scopes.contains(s)) {
                    return oauth_error(
                        StatusCode::BAD_REQUEST,
                        "invalid_scope",
                        &format!(
                            "Ứng dụng “{}” không được cấp quyền {} ({}). Cách xử lý: xin token với các quyền đã cấp, hoặc nhờ quản trị viên cấp ứng dụng có quyền này.",
                            client.name,
                            missing.label(),
                            missing.uri()
                        ),
                    );
                }
                scopes
            }
        },
    };
    let school = client
        .client_id
        .split_once('.')
        .map(|(school, _)| school.to_owned())
        .unwrap_or_default();
    let access_token = format!("{school}.{}", hocba_auth::new_token());
    let expires_at = hocba_storage::now_millis() + TOKEN_LIFETIME_SECONDS * 1000;
    if let Err(error) = state
        .store
        .issue_lms_token(
            &client.client_id,
            &requested,
            &hocba_auth::token_hash(&access_token),
            expires_at,
        )
        .await
    {
        return OrError::from(error).into_response();
    }
    let mut response = Json(json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": TOKEN_LIFETIME_SECONDS,
        "scope": lms::scopes_text(&requested),
    }))
    .into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

// ---------------------------------------------------------------------------
// JSON shapes of the binding.

/// ISO 8601 UTC with milliseconds, as `dateLastModified` is written.
pub fn iso_datetime(millis: i64) -> String {
    let seconds = millis.div_euclid(1000);
    let ms = millis.rem_euclid(1000);
    let days = seconds.div_euclid(86_400);
    let rest = seconds.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{ms:03}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

fn guid_ref(href: String, sourced_id: String, kind: &str) -> Value {
    json!({"href": href, "sourcedId": sourced_id, "type": kind})
}

fn class_ref(class: ClassRef) -> Value {
    guid_ref(
        format!("{ROSTERING_ROOT}/classes/{}", class.sourced_id()),
        class.sourced_id(),
        "class",
    )
}

fn school_ref(school: SchoolId) -> Value {
    guid_ref(
        format!("{ROSTERING_ROOT}/schools/{}", school.0),
        school.0.to_string(),
        "org",
    )
}

fn period_ref(period: PeriodRef) -> Value {
    guid_ref(
        format!("{ROSTERING_ROOT}/gradingPeriods/{}", period.sourced_id()),
        period.sourced_id(),
        "academicSession",
    )
}

fn category_ref(column: Column) -> Value {
    guid_ref(
        format!("{GRADEBOOK_ROOT}/categories/{}", column.key()),
        column.key(),
        "category",
    )
}

fn line_item_json(school: SchoolId, item: &LineItemRow) -> Value {
    json!({
        "sourcedId": item.sourced_id,
        "status": item.status,
        "dateLastModified": iso_datetime(item.updated_at),
        "metadata": {
            "hocba.className": item.class_name,
            "hocba.subjectName": item.subject_name,
            "hocba.column": item.column.label(),
            "hocba.client": item.client_name,
        },
        "title": item.title,
        "description": item.description,
        "assignDate": item.assign_date,
        "dueDate": item.due_date,
        "class": class_ref(item.class),
        "school": school_ref(school),
        "category": category_ref(item.column),
        "gradingPeriod": period_ref(item.period),
        "academicSession": period_ref(item.period),
        "resultValueMin": 0.0,
        "resultValueMax": 10.0,
    })
}

fn score_number(tenths: u32) -> f64 {
    f64::from(tenths) / 10.0
}

fn result_json(result: &ResultRow) -> Value {
    json!({
        "sourcedId": result.sourced_id,
        "status": result.status,
        "dateLastModified": iso_datetime(result.updated_at),
        "lineItem": guid_ref(
            format!("{GRADEBOOK_ROOT}/lineItems/{}", result.line_item),
            result.line_item.clone(),
            "lineItem",
        ),
        "student": guid_ref(
            format!("{ROSTERING_ROOT}/students/{}", result.student.0),
            result.student.0.to_string(),
            "student",
        ),
        "class": class_ref(result.class),
        "score": result.tenths.map(score_number),
        "scoreStatus": result.score_status,
        "scoreDate": result.score_date,
        "comment": result.comment,
    })
}

fn category_json(column: Column) -> Value {
    json!({
        "sourcedId": column.key(),
        "status": "active",
        "dateLastModified": iso_datetime(0),
        "title": column.label(),
    })
}

fn class_json(school: SchoolId, class: &LmsClass) -> Value {
    let terms: Vec<Value> = hocba_domain::gradebook::Semester::ALL
        .iter()
        .map(|semester| {
            period_ref(PeriodRef {
                year: class.school_year_id,
                semester: *semester,
            })
        })
        .collect();
    json!({
        "sourcedId": class.class.sourced_id(),
        "status": "active",
        "dateLastModified": iso_datetime(0),
        "title": format!("{} — {}", class.subject_name, class.class_name),
        "classCode": format!("{}-{}", class.class_name, class.subject_code),
        "classType": "scheduled",
        "grades": [class.grade.to_string()],
        "subjects": [class.subject_name],
        "subjectCodes": [class.subject_code],
        "school": school_ref(school),
        "terms": terms,
        "metadata": {"hocba.schoolYear": class.school_year},
    })
}

// ---------------------------------------------------------------------------
// Collections: limit, offset, filter, sort (REST binding §3.4).

/// The query parameters of a collection.
#[derive(Debug, Default, serde::Deserialize)]
pub struct Paging {
    limit: Option<String>,
    offset: Option<String>,
    filter: Option<String>,
    sort: Option<String>,
    #[serde(rename = "orderBy")]
    order_by: Option<String>,
}

/// One predicate `field op 'value'`.
#[derive(Debug, Clone, PartialEq)]
struct Predicate {
    field: String,
    op: &'static str,
    value: String,
}

/// A filter: predicates joined by one logical operator.
#[derive(Debug, Clone, PartialEq)]
struct Filter {
    any: bool,
    predicates: Vec<Predicate>,
}

const OPERATORS: [&str; 7] = ["!=", ">=", "<=", "=", ">", "<", "~"];

fn parse_filter(text: &str) -> Result<Filter, OrError> {
    let bad = || {
        OrError::new(
            StatusCode::BAD_REQUEST,
            "invalid_filter_field",
            format!(
                "Bộ lọc “{text}” không đọc được: dùng trường, phép so sánh (=, !=, >, >=, <, <=, ~) và giá trị trong dấu nháy đơn, nối bằng AND hoặc OR (một loại), ví dụ status='active' AND class.sourcedId='12-34'."
            ),
        )
    };
    let any = text.contains(" OR ");
    if any && text.contains(" AND ") {
        return Err(bad());
    }
    let parts: Vec<&str> = text.split(if any { " OR " } else { " AND " }).collect();
    let mut predicates = Vec::new();
    for part in parts {
        let part = part.trim();
        let (position, op) = OPERATORS
            .iter()
            .filter_map(|op| part.find(op).map(|at| (at, *op)))
            .min_by_key(|(at, op)| (*at, std::cmp::Reverse(op.len())))
            .ok_or_else(bad)?;
        let field = part[..position].trim();
        let value = part[position + op.len()..].trim();
        let value = value
            .strip_prefix('\'')
            .and_then(|v| v.strip_suffix('\''))
            .ok_or_else(bad)?;
        if field.is_empty() || !field.chars().all(|c| c.is_ascii_alphanumeric() || c == '.') {
            return Err(bad());
        }
        predicates.push(Predicate {
            field: field.to_owned(),
            op,
            value: value.to_owned(),
        });
    }
    Ok(Filter { any, predicates })
}

fn field_text(item: &Value, field: &str) -> Option<String> {
    let mut value = item;
    for part in field.split('.') {
        value = value.get(part)?;
    }
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

fn compare(left: &str, right: &str) -> std::cmp::Ordering {
    match (left.parse::<f64>(), right.parse::<f64>()) {
        (Ok(a), Ok(b)) => a.partial_cmp(&b).unwrap_or(std::cmp::Ordering::Equal),
        _ => left.cmp(right),
    }
}

impl Predicate {
    fn holds(&self, item: &Value) -> bool {
        let Some(actual) = field_text(item, &self.field) else {
            return self.op == "!=";
        };
        use std::cmp::Ordering::*;
        let order = compare(&actual, &self.value);
        match self.op {
            "=" => order == Equal,
            "!=" => order != Equal,
            ">" => order == Greater,
            ">=" => order != Less,
            "<" => order == Less,
            "<=" => order != Greater,
            _ => actual.to_lowercase().contains(&self.value.to_lowercase()),
        }
    }
}

/// Applies filter, sort, offset and limit; answers `{key: [...]}` with
/// `X-Total-Count` (the count after filtering).
fn collection(key: &str, mut items: Vec<Value>, paging: &Paging) -> OrResult {
    if let Some(text) = paging.filter.as_deref().filter(|t| !t.trim().is_empty()) {
        let filter = parse_filter(text)?;
        items.retain(|item| {
            if filter.any {
                filter.predicates.iter().any(|p| p.holds(item))
            } else {
                filter.predicates.iter().all(|p| p.holds(item))
            }
        });
    }
    if let Some(field) = paging.sort.as_deref().filter(|t| !t.trim().is_empty()) {
        let field = field.trim();
        if !field.chars().all(|c| c.is_ascii_alphanumeric() || c == '.') {
            return Err(OrError::new(
                StatusCode::BAD_REQUEST,
                "invalid_sort_field",
                format!("Không sắp xếp được theo “{field}”."),
            ));
        }
        items.sort_by(|a, b| {
            compare(
                &field_text(a, field).unwrap_or_default(),
                &field_text(b, field).unwrap_or_default(),
            )
        });
        if paging.order_by.as_deref() == Some("desc") {
            items.reverse();
        }
    }
    let number = |text: Option<&str>, default: usize, what: &str| -> Result<usize, OrError> {
        match text {
            None => Ok(default),
            Some(text) => text.trim().parse().map_err(|_| {
                OrError::invalid(format!("{what} “{text}” không phải số nguyên không âm."))
            }),
        }
    };
    let limit = number(paging.limit.as_deref(), 100, "limit")?.clamp(1, 1000);
    let offset = number(paging.offset.as_deref(), 0, "offset")?;
    let total = items.len();
    let page: Vec<Value> = items.into_iter().skip(offset).take(limit).collect();
    let mut body = Map::new();
    body.insert(key.to_owned(), Value::Array(page));
    let mut response = Json(Value::Object(body)).into_response();
    response.headers_mut().insert(
        "x-total-count",
        HeaderValue::from_str(&total.to_string()).expect("digits"),
    );
    Ok(response)
}

// ---------------------------------------------------------------------------
// Request bodies.

fn object<'a>(body: &'a Value, key: &str) -> Result<&'a Map<String, Value>, OrError> {
    body.get(key).and_then(Value::as_object).ok_or_else(|| {
        OrError::invalid(format!(
            "Nội dung phải có dạng {{\"{key}\": {{…}}}} theo OneRoster 1.2."
        ))
    })
}

fn text_field(item: &Map<String, Value>, key: &str) -> Option<String> {
    item.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// The `sourcedId` of a GUIDRef field.
fn ref_id(item: &Map<String, Value>, key: &str) -> Option<String> {
    item.get(key)
        .and_then(|r| r.get("sourcedId"))
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn check_sourced_id(path: &str, item: &Map<String, Value>) -> Result<(), OrError> {
    match text_field(item, "sourcedId") {
        Some(body) if body != path => Err(OrError::invalid(format!(
            "sourcedId trong nội dung (“{body}”) khác sourcedId trên đường dẫn (“{path}”)."
        ))),
        _ => Ok(()),
    }
}

fn status_field(item: &Map<String, Value>) -> Result<String, OrError> {
    match text_field(item, "status").as_deref() {
        None | Some("active") => Ok("active".into()),
        Some("tobedeleted") => Ok("tobedeleted".into()),
        Some(other) => Err(OrError::invalid(format!(
            "status “{other}” không có: dùng active hoặc tobedeleted."
        ))),
    }
}

fn line_item_input(sourced_id: &str, body: &Value) -> Result<LineItemInput, OrError> {
    let item = object(body, "lineItem")?;
    check_sourced_id(sourced_id, item)?;
    let title =
        text_field(item, "title").ok_or_else(|| OrError::invalid("Thiếu title của line item."))?;
    let class_id = ref_id(item, "class").ok_or_else(|| {
        OrError::invalid("Thiếu class.sourcedId: lớp × môn dạng {mã lớp}-{mã môn} (xem GET /ims/oneroster/rostering/v1p2/classes).")
    })?;
    let class = ClassRef::parse(&class_id).ok_or_else(|| {
        OrError::not_found(format!(
            "Không tìm thấy lớp (class) “{class_id}” trong trường."
        ))
    })?;
    let category = ref_id(item, "category").ok_or_else(|| {
        OrError::invalid("Thiếu category.sourcedId: cột điểm regular:1 … regular:10, midterm hoặc final (xem GET …/categories).")
    })?;
    let column = Column::parse(&category).map_err(|why| {
        OrError::not_found(format!("Không tìm thấy category “{category}”: {why}"))
    })?;
    let period_id = ref_id(item, "gradingPeriod")
        .or_else(|| ref_id(item, "academicSession"))
        .ok_or_else(|| {
            OrError::invalid("Thiếu gradingPeriod.sourcedId (hoặc academicSession.sourcedId): học kỳ dạng {mã năm học}-S1 hoặc -S2 (xem GET /ims/oneroster/rostering/v1p2/gradingPeriods).")
        })?;
    let period = PeriodRef::parse(&period_id).ok_or_else(|| {
        OrError::not_found(format!("Không tìm thấy gradingPeriod “{period_id}”."))
    })?;
    for (key, expected) in [("resultValueMin", 0.0), ("resultValueMax", 10.0)] {
        if let Some(value) = item.get(key).filter(|v| !v.is_null())
            && value.as_f64() != Some(expected)
        {
            return Err(OrError::invalid(format!(
                "{key} = {value}: sổ điểm dùng thang điểm 10 (resultValueMin 0, resultValueMax 10, Thông tư 22/2021 Điều 5). Cách xử lý: quy đổi điểm về thang 10."
            )));
        }
    }
    let limited = |key: &str| text_field(item, key).map(|t| t.chars().take(200).collect());
    Ok(LineItemInput {
        sourced_id: sourced_id.to_owned(),
        class,
        period,
        column,
        title: title.chars().take(200).collect(),
        description: item
            .get("description")
            .and_then(Value::as_str)
            .map(|t| t.chars().take(2000).collect()),
        assign_date: limited("assignDate"),
        due_date: limited("dueDate"),
        status: status_field(item)?,
    })
}

const SCORE_STATUSES: [&str; 5] = [
    "exempt",
    "fully graded",
    "not submitted",
    "partially graded",
    "submitted",
];

fn result_input(sourced_id: &str, body: &Value) -> Result<ResultInput, OrError> {
    let item = object(body, "result")?;
    check_sourced_id(sourced_id, item)?;
    let line_item = ref_id(item, "lineItem")
        .ok_or_else(|| OrError::invalid("Thiếu lineItem.sourcedId của kết quả."))?;
    let student_id = ref_id(item, "student").ok_or_else(|| {
        OrError::invalid("Thiếu student.sourcedId: mã học sinh trong hocba (xem GET /ims/oneroster/rostering/v1p2/classes/{lớp}/students).")
    })?;
    let student = student_id.parse::<i64>().map(StudentId).map_err(|_| {
        OrError::not_found(format!(
            "Không tìm thấy học sinh “{student_id}” trong trường."
        ))
    })?;
    let score_status = text_field(item, "scoreStatus")
        .ok_or_else(|| OrError::invalid("Thiếu scoreStatus của kết quả."))?;
    if !SCORE_STATUSES.contains(&score_status.as_str()) {
        return Err(OrError::invalid(format!(
            "scoreStatus “{score_status}” không có: dùng {}.",
            SCORE_STATUSES.join(", ")
        )));
    }
    let score = match item.get("score") {
        None | Some(Value::Null) => None,
        Some(value) => Some(
            value
                .as_f64()
                .ok_or_else(|| OrError::invalid(format!("score {value} không phải một số.")))?,
        ),
    };
    Ok(ResultInput {
        sourced_id: sourced_id.to_owned(),
        line_item,
        student,
        score,
        score_status,
        score_date: text_field(item, "scoreDate").map(|t| t.chars().take(40).collect()),
        comment: item
            .get("comment")
            .and_then(Value::as_str)
            .map(|t| t.chars().take(2000).collect()),
        status: status_field(item)?,
    })
}

fn parse_body(bytes: &Bytes) -> Result<Value, OrError> {
    serde_json::from_slice(bytes)
        .map_err(|e| OrError::invalid(format!("Nội dung gửi lên không phải JSON hợp lệ: {e}")))
}

fn written(created: bool, key: &str, value: Value) -> Response {
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    (status, Json(json!({ key: value }))).into_response()
}

// ---------------------------------------------------------------------------
// Handlers.

async fn list_line_items(
    State(state): State<AppState>,
    lms: Lms,
    Query(paging): Query<Paging>,
) -> OrResult {
    lms.require(Scope::Readonly)?;
    let school = lms.0.school;
    let items = state.store.lms_line_items(school, None).await?;
    collection(
        "lineItems",
        items.iter().map(|i| line_item_json(school, i)).collect(),
        &paging,
    )
}

async fn class_line_items(
    State(state): State<AppState>,
    lms: Lms,
    Path(class): Path<String>,
    Query(paging): Query<Paging>,
) -> OrResult {
    lms.require(Scope::Readonly)?;
    let school = lms.0.school;
    let class = known_class(&state, school, &class).await?;
    let items = state
        .store
        .lms_line_items(school, Some(class.class))
        .await?;
    collection(
        "lineItems",
        items.iter().map(|i| line_item_json(school, i)).collect(),
        &paging,
    )
}

async fn get_line_item(
    State(state): State<AppState>,
    lms: Lms,
    Path(sourced_id): Path<String>,
) -> OrResult {
    lms.require(Scope::Readonly)?;
    let item = state
        .store
        .lms_line_item(lms.0.school, &sourced_id)
        .await?
        .ok_or_else(|| line_item_missing(&sourced_id))?;
    Ok(Json(json!({"lineItem": line_item_json(lms.0.school, &item)})).into_response())
}

fn line_item_missing(sourced_id: &str) -> OrError {
    OrError::not_found(format!(
        "Không tìm thấy line item “{sourced_id}” trong trường."
    ))
}

async fn put_line_item(
    State(state): State<AppState>,
    lms: Lms,
    Path(sourced_id): Path<String>,
    body: Bytes,
) -> OrResult {
    lms.require(Scope::CreatePut)?;
    let input = line_item_input(&sourced_id, &parse_body(&body)?)?;
    match state.store.put_lms_line_item(&lms.0, &input).await? {
        Ok((item, created)) => Ok(written(
            created,
            "lineItem",
            line_item_json(lms.0.school, &item),
        )),
        Err(refusal) => Err(OrError::refusal(&refusal)),
    }
}

async fn delete_line_item(
    State(state): State<AppState>,
    lms: Lms,
    Path(sourced_id): Path<String>,
) -> OrResult {
    lms.require(Scope::Delete)?;
    match state
        .store
        .delete_lms_line_item(&lms.0, &sourced_id)
        .await?
    {
        Ok(()) => Ok(StatusCode::NO_CONTENT.into_response()),
        Err(refusal) => Err(OrError::refusal(&refusal)),
    }
}

async fn list_results(
    State(state): State<AppState>,
    lms: Lms,
    Query(paging): Query<Paging>,
) -> OrResult {
    lms.require(Scope::Readonly)?;
    let results = state.store.lms_results(lms.0.school, None, None).await?;
    collection(
        "results",
        results.iter().map(result_json).collect(),
        &paging,
    )
}

async fn line_item_results(
    State(state): State<AppState>,
    lms: Lms,
    Path(sourced_id): Path<String>,
    Query(paging): Query<Paging>,
) -> OrResult {
    lms.require(Scope::Readonly)?;
    let school = lms.0.school;
    state
        .store
        .lms_line_item(school, &sourced_id)
        .await?
        .ok_or_else(|| line_item_missing(&sourced_id))?;
    let results = state
        .store
        .lms_results(school, Some(&sourced_id), None)
        .await?;
    collection(
        "results",
        results.iter().map(result_json).collect(),
        &paging,
    )
}

async fn class_results(
    State(state): State<AppState>,
    lms: Lms,
    Path(class): Path<String>,
    Query(paging): Query<Paging>,
) -> OrResult {
    lms.require(Scope::Readonly)?;
    let school = lms.0.school;
    let class = known_class(&state, school, &class).await?;
    let results = state
        .store
        .lms_results(school, None, Some(class.class))
        .await?;
    collection(
        "results",
        results.iter().map(result_json).collect(),
        &paging,
    )
}

async fn get_result(
    State(state): State<AppState>,
    lms: Lms,
    Path(sourced_id): Path<String>,
) -> OrResult {
    lms.require(Scope::Readonly)?;
    let result = state
        .store
        .lms_result(lms.0.school, &sourced_id)
        .await?
        .ok_or_else(|| {
            OrError::not_found(format!(
                "Không tìm thấy kết quả “{sourced_id}” trong trường."
            ))
        })?;
    Ok(Json(json!({"result": result_json(&result)})).into_response())
}

async fn put_result(
    State(state): State<AppState>,
    lms: Lms,
    Path(sourced_id): Path<String>,
    body: Bytes,
) -> OrResult {
    lms.require(Scope::CreatePut)?;
    let input = result_input(&sourced_id, &parse_body(&body)?)?;
    match state.store.put_lms_result(&lms.0, &input).await? {
        Ok((result, created)) => Ok(written(created, "result", result_json(&result))),
        Err(refusal) => Err(OrError::refusal(&refusal)),
    }
}

async fn delete_result(
    State(state): State<AppState>,
    lms: Lms,
    Path(sourced_id): Path<String>,
) -> OrResult {
    lms.require(Scope::Delete)?;
    match state.store.delete_lms_result(&lms.0, &sourced_id).await? {
        Ok(()) => Ok(StatusCode::NO_CONTENT.into_response()),
        Err(refusal) => Err(OrError::refusal(&refusal)),
    }
}

async fn list_categories(lms: Lms, Query(paging): Query<Paging>) -> OrResult {
    lms.require(Scope::Readonly)?;
    collection(
        "categories",
        lms::categories().into_iter().map(category_json).collect(),
        &paging,
    )
}

async fn get_category(lms: Lms, Path(sourced_id): Path<String>) -> OrResult {
    lms.require(Scope::Readonly)?;
    let column = Column::parse(&sourced_id)
        .ok()
        .filter(|c| c.key() == sourced_id)
        .ok_or_else(|| {
            OrError::not_found(format!(
                "Không tìm thấy category “{sourced_id}”: dùng regular:1 … regular:10, midterm hoặc final."
            ))
        })?;
    Ok(Json(json!({"category": category_json(column)})).into_response())
}

/// A OneRoster class of the caller's school, or 404.
async fn known_class(state: &AppState, school: SchoolId, text: &str) -> Result<LmsClass, OrError> {
    let missing =
        || OrError::not_found(format!("Không tìm thấy lớp (class) “{text}” trong trường."));
    let class = ClassRef::parse(text).ok_or_else(missing)?;
    state
        .store
        .lms_class(school, class)
        .await?
        .ok_or_else(missing)
}

async fn list_classes(
    State(state): State<AppState>,
    lms: Lms,
    Query(paging): Query<Paging>,
) -> OrResult {
    lms.require(Scope::Readonly)?;
    let school = lms.0.school;
    let classes = state.store.lms_classes(school).await?;
    collection(
        "classes",
        classes.iter().map(|c| class_json(school, c)).collect(),
        &paging,
    )
}

async fn get_class(State(state): State<AppState>, lms: Lms, Path(class): Path<String>) -> OrResult {
    lms.require(Scope::Readonly)?;
    let school = lms.0.school;
    let class = known_class(&state, school, &class).await?;
    Ok(Json(json!({"class": class_json(school, &class)})).into_response())
}

async fn class_students(
    State(state): State<AppState>,
    lms: Lms,
    Path(class): Path<String>,
    Query(paging): Query<Paging>,
) -> OrResult {
    lms.require(Scope::Readonly)?;
    let school = lms.0.school;
    let class = known_class(&state, school, &class).await?;
    let students = state
        .store
        .lms_class_students(school, ClassId(class.class.class.0))
        .await?;
    let users = students
        .iter()
        .map(|s| {
            let words: Vec<&str> = s.full_name.split_whitespace().collect();
            let family = words.first().copied().unwrap_or_default();
            let given = words.last().copied().unwrap_or_default();
            let middle = if words.len() > 2 {
                words[1..words.len() - 1].join(" ")
            } else {
                String::new()
            };
            json!({
                "sourcedId": s.id.0.to_string(),
                "status": "active",
                "dateLastModified": iso_datetime(0),
                "enabledUser": true,
                "givenName": given,
                "familyName": family,
                "middleName": middle,
                "identifier": s.moet_code,
                "roles": [{"roleType": "primary", "role": "student", "org": school_ref(school)}],
                "metadata": {"hocba.fullName": s.full_name, "hocba.hasMinistryCode": s.moet_code.is_some()},
            })
        })
        .collect();
    collection("users", users, &paging)
}

async fn grading_periods(
    State(state): State<AppState>,
    lms: Lms,
    Query(paging): Query<Paging>,
) -> OrResult {
    lms.require(Scope::Readonly)?;
    let years = state.store.school_years(lms.0.school).await?;
    let mut periods = Vec::new();
    for year in &years {
        for semester in hocba_domain::gradebook::Semester::ALL {
            let period = PeriodRef {
                year: year.id,
                semester,
            };
            periods.push(json!({
                "sourcedId": period.sourced_id(),
                "status": "active",
                "dateLastModified": iso_datetime(0),
                "title": format!("{} năm học {}", semester.label(), year.label),
                "type": "gradingPeriod",
                "schoolYear": (year.year.start_year + 1).to_string(),
                "org": school_ref(lms.0.school),
            }));
        }
    }
    collection("academicSessions", periods, &paging)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// Every route of `routes()`, as (method, path).
    fn routes_in_source() -> BTreeSet<(String, String)> {
        // The body of `routes()`: from its signature to the next section.
        let whole = include_str!("oneroster.rs");
        let start = whole.find("pub fn routes()").expect("routes()");
        let end = start + whole[start..].find("\n}\n").expect("end of routes()");
        let source: String = whole[start..end]
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .replace("( ", "(");
        let mut found = BTreeSet::new();
        for call in source.split(".route(\"").skip(1) {
            let Some((path, rest)) = call.split_once('"') else {
                continue;
            };
            let end = rest.find(".route(").unwrap_or(rest.len());
            for method in ["get", "post", "put", "delete"] {
                if rest[..end].contains(&format!("{method}(")) {
                    found.insert((method.to_uppercase(), path.to_owned()));
                }
            }
        }
        found
    }

    #[test]
    fn the_table_lists_exactly_the_routes_the_router_serves() {
        let table: BTreeSet<(String, String)> = ONEROSTER_ROUTES
            .iter()
            .map(|r| (r.method.to_owned(), r.path.to_owned()))
            .collect();
        assert_eq!(
            table.len(),
            ONEROSTER_ROUTES.len(),
            "a route is listed twice"
        );
        assert_eq!(routes_in_source(), table);
        for route in ONEROSTER_ROUTES {
            assert_eq!(
                route.scope.is_none(),
                route.path == TOKEN_PATH,
                "{} {}: every OneRoster route names its scope",
                route.method,
                route.path
            );
            let expected = match route.method {
                "GET" => Some(Scope::Readonly),
                "PUT" => Some(Scope::CreatePut),
                "DELETE" => Some(Scope::Delete),
                _ => None,
            };
            assert_eq!(route.scope, expected, "{} {}", route.method, route.path);
        }
    }

    #[test]
    fn the_openapi_document_lists_every_route_with_its_scope() {
        let document = crate::openapi::build();
        for route in ONEROSTER_ROUTES {
            let operation = &document["paths"][route.path][route.method.to_lowercase()];
            assert_eq!(
                operation["summary"], route.summary,
                "{} {}",
                route.method, route.path
            );
            if let Some(scope) = route.scope {
                assert_eq!(operation["security"][0]["oneroster"][0], scope.uri());
            }
        }
        assert_eq!(
            document["components"]["securitySchemes"]["oneroster"]["flows"]["clientCredentials"]["tokenUrl"],
            TOKEN_PATH
        );
    }

    #[test]
    fn dates_are_iso_8601_utc() {
        assert_eq!(iso_datetime(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso_datetime(1_700_000_000_123), "2023-11-14T22:13:20.123Z");
        assert_eq!(iso_datetime(951_782_400_000), "2000-02-29T00:00:00.000Z");
    }

    #[test]
    fn filters_follow_the_binding() {
        let items = [
            json!({"sourcedId": "a", "status": "active", "class": {"sourcedId": "1-2"}, "score": 8.5}),
            json!({"sourcedId": "b", "status": "tobedeleted", "class": {"sourcedId": "1-3"}, "score": 9}),
        ];
        let keep = |text: &str| -> Vec<String> {
            let filter = parse_filter(text).unwrap();
            items
                .iter()
                .filter(|i| {
                    if filter.any {
                        filter.predicates.iter().any(|p| p.holds(i))
                    } else {
                        filter.predicates.iter().all(|p| p.holds(i))
                    }
                })
                .map(|i| i["sourcedId"].as_str().unwrap().to_owned())
                .collect()
        };
        assert_eq!(keep("status='active'"), ["a"]);
        assert_eq!(keep("class.sourcedId!='1-2'"), ["b"]);
        assert_eq!(keep("score>='9'"), ["b"]);
        assert_eq!(keep("score<'9' OR status='tobedeleted'"), ["a", "b"]);
        assert_eq!(keep("status='active' AND score>'9'"), Vec::<String>::new());
        assert_eq!(keep("sourcedId~'A'"), ["a"]);
        assert!(parse_filter("status=active").is_err());
        assert!(parse_filter("a='1' AND b='2' OR c='3'").is_err());
    }

    #[test]
    fn form_values_are_decoded() {
        let fields = form_fields(b"grant_type=client_credentials&scope=a%20b+c&x=%ZZ");
        assert_eq!(fields["grant_type"], "client_credentials");
        assert_eq!(fields["scope"], "a b c");
        assert_eq!(fields["x"], "%ZZ");
        assert_eq!(percent_decode("%41"), "A");
        assert_eq!(percent_decode("50%"), "50%");
    }
}
