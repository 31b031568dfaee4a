use super::*;
use crate::StoreError;
use crate::test_util::stores;
use hocba_domain::Date;
use hocba_domain::class::ClassStatus;

fn refused(error: &StoreError) -> &str {
    match error {
        StoreError::Refused(message) => message,
        other => panic!("expected Refused, got {other:?}"),
    }
}

#[tokio::test]
async fn classes_are_created_edited_and_removed_only_when_empty() {
    for (db, store) in stores().await {
        let e = db.engine;
        let o = org(&store).await;
        let (school, year) =
            school_with_year(&store, o.department, "THPT Lý Thường Kiệt", 2025).await;
        let a1 = class(&store, school, year, "10a1").await;
        let a2 = class(&store, school, year, "10A2").await;
        let b1 = class(&store, school, year, "11B1").await;

        // Duplicate name in the same year, whatever the case.
        let error = store
            .save_class(&actor(), school, year, None, &class_definition("10A1"))
            .await
            .unwrap_err();
        assert!(refused(&error).contains("đã có lớp 10A1"), "{e}: {error}");
        // The same name in another year is fine.
        let next_year = store
            .create_school_year(&actor(), school, SchoolYear { start_year: 2026 }, &[])
            .await
            .unwrap();
        class(&store, school, next_year, "10A1").await;

        // Edit with the version; a stale version conflicts.
        let row = store.class(school, a2).await.unwrap();
        assert_eq!((row.name.as_str(), row.version), ("10A2", 1), "{e}");
        store
            .save_class(
                &actor(),
                school,
                year,
                Some((a2, 1)),
                &class_definition("10A3"),
            )
            .await
            .expect("edit at the current version");
        let row = store.class(school, a2).await.unwrap();
        assert_eq!((row.name.as_str(), row.version), ("10A3", 2), "{e}");
        let error = store
            .save_class(
                &actor(),
                school,
                year,
                Some((a2, 1)),
                &class_definition("10A9"),
            )
            .await
            .unwrap_err();
        assert!(matches!(error, StoreError::Conflict(_)), "{e}: {error:?}");
        // Renaming onto another class's name is refused.
        let error = store
            .save_class(
                &actor(),
                school,
                year,
                Some((a2, 2)),
                &class_definition("10A1"),
            )
            .await
            .unwrap_err();
        assert!(refused(&error).contains("10A1"), "{e}: {error}");
        assert_eq!(store.class(school, a2).await.unwrap().name, "10A3", "{e}");

        // Students and the homeroom teacher show in the list.
        let s1 = add_student(
            &store,
            school,
            year,
            a1,
            &student("Nguyễn Văn An", false, Some(1)),
        )
        .await;
        let s2 = add_student(
            &store,
            school,
            year,
            a1,
            &student("Trần Thị Bình", true, Some(2)),
        )
        .await;
        let teacher = staff(&store, school, "Phạm Thị Hoa").await;
        store
            .assign_homeroom(&actor(), school, year, a1, teacher)
            .await
            .unwrap();
        let list = store.classes(school, year).await.unwrap();
        let summary: Vec<(&str, i64, Option<&str>)> = list
            .iter()
            .map(|c| (c.name.as_str(), c.student_count, c.homeroom_name.as_deref()))
            .collect();
        assert_eq!(
            summary,
            vec![
                ("10A1", 2, Some("Phạm Thị Hoa")),
                ("10A3", 0, None),
                ("11B1", 0, None)
            ],
            "{e}"
        );
        assert_eq!(list[0].homeroom_staff_id, Some(teacher), "{e}");

        // Neither dissolving nor deleting a class with students.
        for delete in [false, true] {
            let error = store
                .remove_class(&actor(), school, a1, delete)
                .await
                .unwrap_err();
            assert!(refused(&error).contains("còn 2 học sinh"), "{e}: {error}");
        }
        assert_eq!(
            store.class(school, a1).await.unwrap().status,
            ClassStatus::Active,
            "{e}"
        );

        // Once the students moved, the class can be dissolved...
        for student in [s1, s2] {
            store
                .move_student(&actor(), school, year, student, a2)
                .await
                .unwrap();
        }
        store
            .remove_class(&actor(), school, a1, false)
            .await
            .unwrap();
        let dissolved = store.class(school, a1).await.unwrap();
        assert_eq!(dissolved.status, ClassStatus::Dissolved, "{e}");
        assert_eq!(dissolved.student_count, 0, "{e}");
        // ...and a dissolved class takes no students.
        let error = store
            .create_student(
                &actor(),
                school,
                year,
                a1,
                &student("Lê Văn Cường", false, Some(3)),
                None,
            )
            .await
            .unwrap_err();
        assert!(refused(&error).contains("giải thể"), "{e}: {error}");
        let error = store
            .move_student(&actor(), school, year, s1, a1)
            .await
            .unwrap_err();
        assert!(refused(&error).contains("giải thể"), "{e}: {error}");

        // An empty class is deleted, with its assignments.
        store
            .remove_class(&actor(), school, a1, true)
            .await
            .unwrap();
        let error = store.class(school, a1).await.unwrap_err();
        assert!(matches!(error, StoreError::NotFound(_)), "{e}: {error:?}");
        assert!(
            store
                .homeroom_assignments(school, year)
                .await
                .unwrap()
                .is_empty(),
            "{e}"
        );

        // A class whose only student transferred out may be dissolved (nobody
        // studies there) but not deleted (the student's history points at it).
        let s3 = add_student(
            &store,
            school,
            year,
            b1,
            &student("Lê Văn Cường", false, Some(3)),
        )
        .await;
        store
            .transfer_out(
                &actor(),
                school,
                year,
                s3,
                Date::new(2025, 11, 3).unwrap(),
                "THPT Chuyên Trần Phú",
                None,
            )
            .await
            .unwrap();
        assert_eq!(
            store.class(school, b1).await.unwrap().student_count,
            0,
            "{e}"
        );
        let error = store
            .remove_class(&actor(), school, b1, true)
            .await
            .unwrap_err();
        assert!(refused(&error).contains("còn 1 học sinh"), "{e}: {error}");
        store
            .remove_class(&actor(), school, b1, false)
            .await
            .unwrap();
        assert_eq!(
            store.class(school, b1).await.unwrap().status,
            ClassStatus::Dissolved,
            "{e}"
        );
        let error = store
            .remove_class(&actor(), school, ClassId(99), false)
            .await
            .unwrap_err();
        assert!(matches!(error, StoreError::NotFound(_)), "{e}: {error:?}");
    }
}
