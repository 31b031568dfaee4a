//! Records described by a domain field registry are stored one TEXT column
//! per field, in canonical form, NULL when empty. These helpers build the
//! column lists and move values between rows and drafts.

use hocba_domain::form::{Draft, FieldSpec, Record};
use sqlx::Row;
use sqlx::any::AnyRow;

/// "a, b, c" for the registry's columns.
pub(crate) fn column_list(fields: &[FieldSpec]) -> String {
    fields.iter().map(|f| f.key).collect::<Vec<_>>().join(", ")
}

/// "$first, $first+1, …" placeholders for the registry's columns.
pub(crate) fn placeholders(fields: &[FieldSpec], first: usize) -> String {
    (0..fields.len())
        .map(|i| format!("${}", first + i))
        .collect::<Vec<_>>()
        .join(", ")
}

/// "a = $first, b = $first+1, …" for an UPDATE.
pub(crate) fn assignments(fields: &[FieldSpec], first: usize) -> String {
    fields
        .iter()
        .enumerate()
        .map(|(i, f)| format!("{} = ${}", f.key, first + i))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The record's values in registry order; empty text is stored as NULL so
/// that unique indexes (personal ID, ministry code) ignore missing values.
pub(crate) fn values(record: &Record) -> Vec<Option<String>> {
    record
        .canonical_values()
        .into_iter()
        .map(|(_, v)| if v.is_empty() { None } else { Some(v) })
        .collect()
}

pub(crate) fn draft_from_row(row: &AnyRow, fields: &[FieldSpec]) -> Draft {
    let mut draft = Draft::new();
    for field in fields {
        if let Ok(Some(value)) = row.try_get::<Option<String>, _>(field.key) {
            draft.insert(field.key.to_owned(), value);
        }
    }
    draft
}

/// A record as JSON for the audit trail.
pub(crate) fn to_json(record: &Record) -> String {
    let map: serde_json::Map<String, serde_json::Value> = record
        .canonical_values()
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (k.to_owned(), serde_json::Value::String(v)))
        .collect();
    serde_json::Value::Object(map).to_string()
}

pub(crate) fn draft_to_json(draft: &Draft) -> String {
    serde_json::to_string(draft).unwrap_or_default()
}

/// SQL assembled at run time from the static field registries and table
/// names of this crate, never from input: values always go through binds.
pub(crate) fn registry_sql(text: &str) -> sqlx::AssertSqlSafe<String> {
    sqlx::AssertSqlSafe(text.to_owned())
}
