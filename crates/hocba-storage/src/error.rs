use hocba_domain::FieldErrors;

/// Why a storage operation did not happen. Messages are in Vietnamese: they
/// reach users as they are.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("Không tìm thấy {0}.")]
    NotFound(String),
    /// Optimistic versioning: somebody else saved the record first.
    #[error(
        "{0} vừa được người khác sửa sau khi bạn mở trang. Thay đổi của bạn chưa được lưu; hãy tải lại trang để xem bản mới nhất rồi sửa lại."
    )]
    Conflict(String),
    #[error("Dữ liệu chưa hợp lệ: {0}")]
    Invalid(#[from] FieldErrors),
    /// A rule of the domain refused the change; the text says why and what to do.
    #[error("{0}")]
    Refused(String),
    #[error("Lỗi cơ sở dữ liệu: {0}")]
    Database(#[from] sqlx::Error),
}

impl StoreError {
    /// A unique index said no: map it to a message naming the duplicate.
    pub(crate) fn from_unique(error: sqlx::Error, what: impl FnOnce() -> String) -> StoreError {
        match &error {
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Refused(what()),
            _ => StoreError::Database(error),
        }
    }
}
