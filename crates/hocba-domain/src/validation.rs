//! Field-level validation errors, shared by forms, the API and spreadsheet
//! imports, so that every refusal names the field and the rule in Vietnamese.

use serde::Serialize;
use std::fmt;

/// One rule broken by one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The field's code name (`personal_id`), as in the glossary.
    pub field: String,
    /// The field's label as users see it (`Số định danh cá nhân`).
    pub label: String,
    /// What is wrong and how to fix it, in Vietnamese.
    pub message: String,
}

impl FieldError {
    pub fn new(
        field: impl Into<String>,
        label: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        FieldError {
            field: field.into(),
            label: label.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.label, self.message)
    }
}

/// All the rules a record breaks; a record with any error is not saved.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(transparent)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    pub fn push(&mut self, field: &str, label: &str, message: impl Into<String>) {
        self.0.push(FieldError::new(field, label, message));
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn into_result<T>(self, value: T) -> Result<T, FieldErrors> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}

impl fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let messages: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        f.write_str(&messages.join("; "))
    }
}
