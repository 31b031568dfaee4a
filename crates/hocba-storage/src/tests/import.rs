use super::*;
use crate::test_util::stores;
use crate::{ImportRow, StoreError, StudentFilter};

fn row(
    number: usize,
    existing: Option<StudentId>,
    profile: StudentProfile,
    class: &str,
) -> ImportRow {
    ImportRow {
        row_number: number,
        existing,
        profile,
        class_name: Some(class.into()),
    }
}

fn refused(error: StoreError) -> String {
    match error {
        StoreError::Refused(message) => message,
        other => panic!("expected Refused, got {other:?}"),
    }
}

#[tokio::test]
async fn imports_apply_every_row_or_none() {
    for (db, store) in stores().await {
        let e = db.engine;
        let o = org(&store).await;
        let (school, year) = school_with_year(&store, o.department, "THPT Nguyễn Trãi", 2025).await;
        let a1 = class(&store, school, year, "10A1").await;
        let a2 = class(&store, school, year, "10A2").await;
        let existing = add_student(
            &store,
            school,
            year,
            a1,
            &student("Lý Văn Tài", false, Some(10)),
        )
        .await;

        // Two new rows and one update, applied together.
        let outcome = store
            .import_students(
                &actor(),
                school,
                year,
                &[
                    row(2, None, student("Mạc Thị Duyên", true, Some(11)), "10a1"),
                    row(
                        3,
                        Some(existing),
                        student("Lý Văn Tài Đức", false, Some(10)),
                        " 10A2 ",
                    ),
                    row(4, None, student("Hồ Văn Quang", false, Some(12)), "10A2"),
                ],
            )
            .await
            .expect("import");
        assert_eq!((outcome.created, outcome.updated), (2, 1), "{e}");
        assert_eq!(count(&store, "student", school).await, 3, "{e}");
        let updated = store.student(school, existing).await.unwrap();
        assert_eq!(updated.profile["full_name"], "Lý Văn Tài Đức", "{e}");
        assert_eq!(updated.version, 2, "{e}");
        assert_eq!(
            store.student_class(school, year, existing).await.unwrap(),
            Some(a2),
            "{e}"
        );
        let list = store
            .students(school, year, &StudentFilter::default())
            .await
            .unwrap();
        let placed: Vec<(&str, &str)> = list
            .iter()
            .map(|r| (r.class_name.as_str(), r.full_name.as_str()))
            .collect();
        assert_eq!(
            placed,
            vec![
                ("10A1", "Mạc Thị Duyên"),
                ("10A2", "Lý Văn Tài Đức"),
                ("10A2", "Hồ Văn Quang"),
            ],
            "{e}"
        );

        let students_before = count(&store, "student", school).await;
        let enrolments_before = count(&store, "enrolment", school).await;
        let audit_before = count_audit(&store, school).await;
        let unchanged = |store: Store| async move {
            assert_eq!(
                count(&store, "student", school).await,
                students_before,
                "{e}"
            );
            assert_eq!(
                count(&store, "enrolment", school).await,
                enrolments_before,
                "{e}"
            );
            assert_eq!(count_audit(&store, school).await, audit_before, "{e}");
            let row = store.student(school, existing).await.unwrap();
            assert_eq!(row.profile["full_name"], "Lý Văn Tài Đức", "{e}");
            assert_eq!(row.version, 2, "{e}");
            assert_eq!(
                store.student_class(school, year, existing).await.unwrap(),
                Some(a2),
                "{e}"
            );
        };

        // The third row names an unknown class: nothing changes.
        let error = store
            .import_students(
                &actor(),
                school,
                year,
                &[
                    row(2, None, student("Tạ Văn Mới", false, Some(20)), "10A1"),
                    row(
                        3,
                        Some(existing),
                        student("Lý Văn Đổi", false, Some(10)),
                        "10A1",
                    ),
                    row(4, None, student("Tạ Thị Mới", true, Some(21)), "10Z9"),
                ],
            )
            .await
            .unwrap_err();
        let message = refused(error);
        assert!(
            message.contains("Dòng 4") && message.contains("10Z9"),
            "{e}: {message}"
        );
        unchanged(store.clone()).await;

        // A row whose personal ID belongs to another student: nothing changes.
        let error = store
            .import_students(
                &actor(),
                school,
                year,
                &[
                    row(7, None, student("Tạ Văn Mới", false, Some(20)), "10A1"),
                    row(
                        8,
                        Some(existing),
                        student("Lý Văn Đổi", false, Some(10)),
                        "10A1",
                    ),
                    row(9, None, student("Tạ Thị Trùng", true, Some(11)), "10A2"),
                ],
            )
            .await
            .unwrap_err();
        let message = refused(error);
        assert!(
            message.contains("Dòng 9") && message.contains("trùng số định danh cá nhân"),
            "{e}: {message}"
        );
        unchanged(store.clone()).await;

        // Two rows of the same file with one personal ID: nothing changes.
        let error = store
            .import_students(
                &actor(),
                school,
                year,
                &[
                    row(2, None, student("Tạ Văn Một", false, Some(30)), "10A1"),
                    row(3, None, student("Tạ Văn Hai", false, Some(30)), "10A1"),
                ],
            )
            .await
            .unwrap_err();
        assert!(refused(error).contains("Dòng 3"), "{e}");
        unchanged(store.clone()).await;

        // An update whose personal ID belongs to another student: nothing changes.
        let error = store
            .import_students(
                &actor(),
                school,
                year,
                &[
                    row(2, None, student("Tạ Văn Mới", false, Some(20)), "10A1"),
                    row(
                        3,
                        Some(existing),
                        student("Lý Văn Tài Đức", false, Some(12)),
                        "10A2",
                    ),
                ],
            )
            .await
            .unwrap_err();
        assert!(refused(error).contains("Dòng 3"), "{e}");
        unchanged(store.clone()).await;

        // A new student without a class, or an unknown existing id: nothing changes.
        let error = store
            .import_students(
                &actor(),
                school,
                year,
                &[
                    row(2, None, student("Tạ Văn Mới", false, Some(20)), "10A1"),
                    ImportRow {
                        row_number: 3,
                        existing: None,
                        profile: student("Tạ Văn Lạc", false, Some(22)),
                        class_name: None,
                    },
                ],
            )
            .await
            .unwrap_err();
        assert!(refused(error).contains("Dòng 3"), "{e}");
        unchanged(store.clone()).await;
        let error = store
            .import_students(
                &actor(),
                school,
                year,
                &[
                    row(2, None, student("Tạ Văn Mới", false, Some(20)), "10A1"),
                    row(
                        5,
                        Some(StudentId(123)),
                        student("Tạ Văn Ma", false, Some(23)),
                        "10A1",
                    ),
                ],
            )
            .await
            .unwrap_err();
        assert!(refused(error).contains("Dòng 5"), "{e}");
        unchanged(store.clone()).await;
    }
}

async fn count_audit(store: &Store, school: SchoolId) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE unit_id = $1")
        .bind(school.0)
        .fetch_one(store.pool())
        .await
        .unwrap()
}
