use super::*;
use crate::StoreError;
use crate::test_util::stores;
use hocba_domain::curriculum::{SubjectMode, default_subjects};

#[tokio::test]
async fn school_year_seeds_subjects_and_is_created_once() {
    for (db, store) in stores().await {
        let e = db.engine;
        let o = org(&store).await;
        let school = school(&store, o.department, "THPT Thái Phiên").await;
        let error = store.current_year(school).await.unwrap_err();
        assert!(matches!(error, StoreError::NotFound(_)), "{e}: {error:?}");

        let year = store
            .create_school_year(
                &actor(),
                school,
                SchoolYear { start_year: 2025 },
                &grades(&[10, 11, 12]),
            )
            .await
            .unwrap();
        let all = store.subjects(school, year, None).await.unwrap();
        for grade in grades(&[10, 11, 12]) {
            let expected: Vec<(String, String, i64, SubjectMode)> = default_subjects(grade)
                .into_iter()
                .map(|s| {
                    (
                        s.code.to_owned(),
                        s.name.to_owned(),
                        i64::from(s.periods_per_year),
                        s.mode,
                    )
                })
                .collect();
            assert!(!expected.is_empty(), "{e}: grade {grade:?} has subjects");
            let stored: Vec<(String, String, i64, SubjectMode)> = store
                .subjects(school, year, Some(grade))
                .await
                .unwrap()
                .into_iter()
                .map(|s| {
                    assert_eq!(s.grade, grade, "{e}");
                    assert_eq!(s.version, 1, "{e}");
                    (s.code, s.name, s.periods_per_year, s.mode)
                })
                .collect();
            assert_eq!(stored, expected, "{e}: grade {}", grade.value());
        }
        let total: usize = grades(&[10, 11, 12])
            .into_iter()
            .map(|g| default_subjects(g).len())
            .sum();
        assert_eq!(all.len(), total, "{e}");
        // Grades not requested have no subjects.
        assert!(
            store
                .subjects(school, year, Some(Grade::new(9).unwrap()))
                .await
                .unwrap()
                .is_empty(),
            "{e}"
        );

        // The same year twice is refused, naming the year.
        let error = store
            .create_school_year(
                &actor(),
                school,
                SchoolYear { start_year: 2025 },
                &grades(&[10]),
            )
            .await
            .unwrap_err();
        match &error {
            StoreError::Refused(message) => {
                assert!(message.contains("2025-2026"), "{e}: {message}")
            }
            other => panic!("{e}: expected Refused, got {other:?}"),
        }
        assert_eq!(
            store.subjects(school, year, None).await.unwrap().len(),
            total,
            "{e}: the refused year seeded nothing"
        );
        assert_eq!(store.school_years(school).await.unwrap().len(), 1, "{e}");

        // Another school may have the same year.
        let other = super::school(&store, o.department, "THPT Hồng Bàng").await;
        store
            .create_school_year(
                &actor(),
                other,
                SchoolYear { start_year: 2025 },
                &grades(&[10]),
            )
            .await
            .expect("same year in another school");

        // A later year becomes the current one.
        let next = store
            .create_school_year(&actor(), school, SchoolYear { start_year: 2026 }, &[])
            .await
            .unwrap();
        let years = store.school_years(school).await.unwrap();
        assert_eq!(
            years.iter().map(|y| y.label.as_str()).collect::<Vec<_>>(),
            vec!["2026-2027", "2025-2026"],
            "{e}"
        );
        assert_eq!(store.current_year(school).await.unwrap().id, next, "{e}");
        assert_eq!(years[0].status, "open", "{e}");

        // update_subject saves at the current version and conflicts on a stale one.
        let subject = &all[0];
        let new_mode = match subject.mode {
            SubjectMode::Scored => SubjectMode::Commented,
            SubjectMode::Commented => SubjectMode::Scored,
        };
        store
            .update_subject(&actor(), school, subject.id, subject.version, 70, new_mode)
            .await
            .expect("update at the current version");
        let saved = store
            .subjects(school, year, Some(subject.grade))
            .await
            .unwrap()
            .into_iter()
            .find(|s| s.id == subject.id)
            .unwrap();
        assert_eq!(saved.periods_per_year, 70, "{e}");
        assert_eq!(saved.mode, new_mode, "{e}");
        assert_eq!(saved.version, subject.version + 1, "{e}");
        let error = store
            .update_subject(
                &actor(),
                school,
                subject.id,
                subject.version,
                35,
                subject.mode,
            )
            .await
            .unwrap_err();
        assert!(matches!(error, StoreError::Conflict(_)), "{e}: {error:?}");
        let error = store
            .update_subject(&actor(), school, subject.id, saved.version, 0, subject.mode)
            .await
            .unwrap_err();
        assert!(matches!(error, StoreError::Refused(_)), "{e}: {error:?}");
        let again = store
            .subjects(school, year, Some(subject.grade))
            .await
            .unwrap()
            .into_iter()
            .find(|s| s.id == subject.id)
            .unwrap();
        assert_eq!(
            (again.periods_per_year, again.version),
            (70, saved.version),
            "{e}"
        );
    }
}
