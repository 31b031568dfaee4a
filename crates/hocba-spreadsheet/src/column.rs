//! The columns of a sheet: a record registry's fields plus the leading columns
//! the caller adds (system id, class).

use hocba_domain::form::{FieldKind, FieldSpec};
use serde::Serialize;

/// Key of the identity column that matches rows to existing records.
pub const ID_KEY: &str = "id";
/// Header of the identity column.
pub const ID_LABEL: &str = "Mã hệ thống (không sửa)";
/// Key of the class column of student sheets.
pub const CLASS_KEY: &str = "class_name";
/// Header of the class column.
pub const CLASS_LABEL: &str = "Lớp";

/// One column of a template or an uploaded sheet.
///
/// `kind: None` marks a column that is not a field of the record (the system
/// id, the class): [`crate::plan_import`] hands such values to the caller as
/// row extras instead of putting them into the draft it validates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Column {
    /// Field key (`personal_id`), also accepted as a header.
    pub key: String,
    /// Vietnamese header (`Số định danh cá nhân`).
    pub label: String,
    pub kind: Option<FieldKind>,
    /// The column must be present in an uploaded file; for record fields the
    /// value is also required (checked by validation, not by the reader).
    pub required: bool,
}

impl Column {
    pub fn from_spec(spec: &FieldSpec) -> Column {
        Column {
            key: spec.key.to_owned(),
            label: spec.label.to_owned(),
            kind: Some(spec.kind),
            required: spec.required,
        }
    }

    /// A column that is not a field of the record, passed through as a row extra.
    pub fn extra(key: impl Into<String>, label: impl Into<String>, required: bool) -> Column {
        Column {
            key: key.into(),
            label: label.into(),
            kind: None,
            required,
        }
    }

    /// Whether this column is a record field (as opposed to an id or extra).
    pub fn is_field(&self) -> bool {
        self.kind.is_some()
    }

    pub fn is_id(&self) -> bool {
        self.key == ID_KEY
    }
}

/// One column per field of a registry, in the registry's order.
pub fn columns_for(fields: &[FieldSpec]) -> Vec<Column> {
    fields.iter().map(Column::from_spec).collect()
}

/// The identity column "Mã hệ thống (không sửa)". It is required: a file
/// without it cannot be matched to existing records, and reading every row as
/// a new record would duplicate the whole list. An empty cell means a new
/// record.
pub fn id_column() -> Column {
    Column::extra(ID_KEY, ID_LABEL, true)
}

/// The class column "Lớp" of student sheets (an extra, not a profile field).
pub fn class_column() -> Column {
    Column::extra(CLASS_KEY, CLASS_LABEL, false)
}

/// `id` followed by every field of `fields`: the usual staff sheet.
pub fn record_columns(fields: &[FieldSpec]) -> Vec<Column> {
    let mut columns = vec![id_column()];
    columns.extend(columns_for(fields));
    columns
}

/// `id`, `class_name`, then every field of `fields`: the usual student sheet.
pub fn student_columns(fields: &[FieldSpec]) -> Vec<Column> {
    let mut columns = vec![id_column(), class_column()];
    columns.extend(columns_for(fields));
    columns
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_columns_from_the_student_registry() {
        let columns = student_columns(&hocba_domain::student::FIELDS);
        assert_eq!(columns.len(), 2 + hocba_domain::student::FIELDS.len());
        assert_eq!(columns[0].label, ID_LABEL);
        assert!(columns[0].required && !columns[0].is_field());
        assert_eq!(columns[1].key, CLASS_KEY);
        assert_eq!(columns[2].key, "full_name");
        assert!(columns[2].required && columns[2].is_field());
    }
}
