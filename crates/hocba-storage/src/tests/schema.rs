use crate::Dialect;
use crate::test_util::stores;
use std::collections::BTreeSet;

/// The `student` table has one column per field of the domain registry plus
/// the fixed columns, nothing more and nothing less, on both engines.
#[tokio::test]
async fn student_columns_match_the_field_registry() {
    for (db, store) in stores().await {
        let e = db.engine;
        let sql = match store.dialect() {
            Dialect::Sqlite => "SELECT name FROM pragma_table_info('student')",
            Dialect::Postgres => {
                "SELECT CAST(column_name AS TEXT) FROM information_schema.columns
                 WHERE table_schema = current_schema() AND table_name = 'student'"
            }
        };
        let columns: Vec<String> = sqlx::query_scalar(sql)
            .fetch_all(store.pool())
            .await
            .unwrap_or_else(|error| panic!("{e}: {error}"));
        let actual: BTreeSet<String> = columns.iter().cloned().collect();
        assert_eq!(actual.len(), columns.len(), "{e}: duplicate columns");
        let fixed = [
            "school_id",
            "id",
            "full_name_fold",
            "version",
            "created_at",
            "updated_at",
        ];
        let expected: BTreeSet<String> = hocba_domain::student::FIELDS
            .iter()
            .map(|f| f.key)
            .chain(fixed)
            .map(str::to_owned)
            .collect();
        assert_eq!(
            actual.difference(&expected).collect::<Vec<_>>(),
            Vec::<&String>::new(),
            "{e}: columns without a field"
        );
        assert_eq!(
            expected.difference(&actual).collect::<Vec<_>>(),
            Vec::<&String>::new(),
            "{e}: fields without a column"
        );
        assert_eq!(
            columns.len(),
            hocba_domain::student::FIELDS.len() + fixed.len(),
            "{e}"
        );
    }
}
