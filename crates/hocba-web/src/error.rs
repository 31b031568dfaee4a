//! Errors as responses. The API answers JSON `{"error": {"code", "message",
//! "fields"?}}`; the UI renders the same message on a Vietnamese page. Every
//! refusal says why and what to do.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hocba_domain::FieldErrors;
use hocba_domain::access::Denied;
use hocba_storage::StoreError;
use serde_json::json;

#[derive(Debug)]
pub enum AppError {
    /// Not signed in, or the token expired.
    Unauthenticated,
    /// The password was set by an administrator and must be changed first.
    PasswordChangeRequired,
    Forbidden(Denied),
    NotFound(String),
    Conflict(String),
    Invalid(FieldErrors),
    /// A rule refused the request; the message says why and what to do.
    Refused(String),
    TooManyRequests(String),
    BadRequest(String),
    Internal(String),
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
            AppError::PasswordChangeRequired => StatusCode::FORBIDDEN,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Invalid(_) | AppError::Refused(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::Unauthenticated => "unauthenticated",
            AppError::PasswordChangeRequired => "password_change_required",
            AppError::Forbidden(_) => "forbidden",
            AppError::NotFound(_) => "not_found",
            AppError::Conflict(_) => "conflict",
            AppError::Invalid(_) => "invalid",
            AppError::Refused(_) => "refused",
            AppError::TooManyRequests(_) => "too_many_requests",
            AppError::BadRequest(_) => "bad_request",
            AppError::Internal(_) => "internal",
        }
    }

    pub fn message(&self) -> String {
        match self {
            AppError::Unauthenticated => {
                "Bạn chưa đăng nhập hoặc phiên làm việc đã hết hạn. Hãy đăng nhập lại.".into()
            }
            AppError::PasswordChangeRequired => "Mật khẩu của bạn do quản trị viên đặt: hãy đổi sang mật khẩu của riêng bạn trước khi tiếp tục (trang Đổi mật khẩu, hoặc POST /api/v1/auth/password).".into(),
            AppError::Forbidden(denied) => denied.to_string(),
            AppError::NotFound(what) => format!("Không tìm thấy {what}."),
            AppError::Conflict(message)
            | AppError::Refused(message)
            | AppError::TooManyRequests(message)
            | AppError::BadRequest(message) => message.clone(),
            AppError::Invalid(errors) => format!("Dữ liệu chưa hợp lệ, chưa lưu gì cả: {errors}"),
            AppError::Internal(_) => "Hệ thống gặp lỗi khi xử lý yêu cầu; thay đổi chưa được lưu. Hãy thử lại sau ít phút; nếu vẫn lỗi, hãy báo quản trị viên.".into(),
        }
    }

    pub fn field_errors(&self) -> Option<&FieldErrors> {
        match self {
            AppError::Invalid(errors) => Some(errors),
            _ => None,
        }
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound(what) => AppError::NotFound(what),
            StoreError::Conflict(_) => AppError::Conflict(error.to_string()),
            StoreError::Invalid(errors) => AppError::Invalid(errors),
            StoreError::Refused(message) => AppError::Refused(message),
            StoreError::Database(error) => {
                tracing::error!(%error, "database error");
                AppError::Internal(error.to_string())
            }
        }
    }
}

impl From<FieldErrors> for AppError {
    fn from(errors: FieldErrors) -> Self {
        AppError::Invalid(errors)
    }
}

impl From<Denied> for AppError {
    fn from(denied: Denied) -> Self {
        AppError::Forbidden(denied)
    }
}

/// JSON body of an API error.
pub fn json_body(error: &AppError) -> serde_json::Value {
    let mut body = json!({"code": error.code(), "message": error.message()});
    if let AppError::Forbidden(denied) = error {
        body["reason"] = json!(denied.reason);
        body["remedy"] = json!(denied.remedy);
    }
    if let Some(fields) = error.field_errors() {
        body["fields"] = json!(fields);
    }
    json!({ "error": body })
}

/// API handlers return `ApiError`; UI handlers render [`AppError`] as a page.
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(error: E) -> Self {
        ApiError(error.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0.status(), axum::Json(json_body(&self.0))).into_response()
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if matches!(self, AppError::PasswordChangeRequired) {
            return axum::response::Redirect::to("/password").into_response();
        }
        let status = self.status();
        let page = crate::ui::layout::error_page(&self);
        (status, page).into_response()
    }
}

/// `Json<T>` whose refusal is an API error in Vietnamese (the shape of the
/// body is documented in `/api/v1/openapi.json`).
pub struct ApiJson<T>(pub T);

impl<T, S> axum::extract::FromRequest<S> for ApiJson<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(
        request: axum::extract::Request,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(ApiError(AppError::BadRequest(format!(
                "Nội dung gửi lên chưa đúng dạng JSON mà API cần (xem /api/v1/openapi.json): {}",
                rejection.body_text()
            )))),
        }
    }
}

/// A request body, read after authorisation (so that a refusal never
/// depends on it), with a Vietnamese answer when it has the wrong shape.
pub(crate) fn body<T: serde::de::DeserializeOwned>(
    value: serde_json::Value,
) -> Result<T, AppError> {
    serde_json::from_value(value).map_err(|e| {
        AppError::BadRequest(format!(
            "Nội dung gửi lên chưa đúng dạng mà API cần (xem /api/v1/openapi.json): {e}"
        ))
    })
}
