use super::*;
use crate::StoreError;
use crate::test_util::stores;
use hocba_domain::Date;
use hocba_domain::curriculum::default_subjects;
use hocba_domain::rollover::YearDecision;
use hocba_domain::student::EnrolmentStatus;

#[tokio::test]
async fn rollover_carries_classes_and_students_into_the_next_year() {
    for (db, store) in stores().await {
        let e = db.engine;
        let o = org(&store).await;
        let (school, year) =
            school_with_year(&store, o.department, "THPT Phan Bội Châu", 2024).await;
        let c10 = class(&store, school, year, "10A1").await;
        let c11 = class(&store, school, year, "11A1").await;
        let c12 = class(&store, school, year, "12A1").await;
        let promoted10 = add_student(
            &store,
            school,
            year,
            c10,
            &student("An Văn Một", false, Some(1)),
        )
        .await;
        let retained10 = add_student(
            &store,
            school,
            year,
            c10,
            &student("An Văn Hai", false, Some(2)),
        )
        .await;
        let promoted11 = add_student(
            &store,
            school,
            year,
            c11,
            &student("An Văn Ba", false, Some(3)),
        )
        .await;
        let left11 = add_student(
            &store,
            school,
            year,
            c11,
            &student("An Văn Bốn", false, Some(4)),
        )
        .await;
        let graduate = add_student(
            &store,
            school,
            year,
            c12,
            &student("An Văn Năm", false, Some(5)),
        )
        .await;
        let retained12 = add_student(
            &store,
            school,
            year,
            c12,
            &student("An Văn Sáu", false, Some(6)),
        )
        .await;

        store
            .set_year_decision(&actor(), school, year, promoted10, YearDecision::Promoted)
            .await
            .unwrap();
        for id in [retained10, retained12] {
            store
                .set_year_decision(&actor(), school, year, id, YearDecision::Retained)
                .await
                .unwrap();
        }
        let error = store
            .set_year_decision(&actor(), school, year, StudentId(1), YearDecision::Retained)
            .await
            .unwrap_err();
        assert!(matches!(error, StoreError::NotFound(_)), "{e}: {error:?}");
        store
            .transfer_out(
                &actor(),
                school,
                year,
                left11,
                Date::new(2025, 3, 1).unwrap(),
                "THPT Khác",
                None,
            )
            .await
            .unwrap();

        let outcome = store
            .roll_over(&actor(), school, year)
            .await
            .expect("rollover");
        assert_eq!(outcome.classes_created, 3, "{e}: {outcome:?}");
        assert_eq!(outcome.students_carried, 4, "{e}: {outcome:?}");
        assert_eq!(outcome.graduates, 1, "{e}: {outcome:?}");
        assert_eq!(outcome.not_carried, 1, "{e}: {outcome:?}");
        let next = outcome.new_year;
        assert_eq!(store.current_year(school).await.unwrap().id, next, "{e}");
        assert_eq!(
            store.current_year(school).await.unwrap().label,
            "2025-2026",
            "{e}"
        );

        let classes = store.classes(school, next).await.unwrap();
        assert_eq!(
            classes
                .iter()
                .map(|c| (c.name.as_str(), c.grade.value()))
                .collect::<Vec<_>>(),
            vec![("10A1", 10), ("11A1", 11), ("12A1", 12)],
            "{e}"
        );
        let new_class = |name: &str| classes.iter().find(|c| c.name == name).unwrap().id;
        for (student, class) in [
            (promoted10, Some(new_class("11A1"))),
            (retained10, Some(new_class("10A1"))),
            (promoted11, Some(new_class("12A1"))),
            (retained12, Some(new_class("12A1"))),
            (left11, None),
            (graduate, None),
        ] {
            assert_eq!(
                store.student_class(school, next, student).await.unwrap(),
                class,
                "{e}: placement of {student}"
            );
        }
        assert_eq!(
            classes.iter().map(|c| c.student_count).collect::<Vec<_>>(),
            vec![1, 1, 2],
            "{e}"
        );
        // Every class of the new year has its subjects.
        for class in &classes {
            let subjects = store
                .subjects(school, next, Some(class.grade))
                .await
                .unwrap();
            assert_eq!(
                subjects.len(),
                default_subjects(class.grade).len(),
                "{e}: subjects of grade {}",
                class.grade.value()
            );
        }

        // The old year: graduates marked, the rest as they were.
        let old = store.student(school, graduate).await.unwrap();
        let old_year = old
            .enrolments
            .iter()
            .find(|en| en.school_year_id == year)
            .unwrap();
        assert_eq!(old_year.status, EnrolmentStatus::Graduated, "{e}");
        let left = store.student(school, left11).await.unwrap();
        assert_eq!(left.enrolments.len(), 1, "{e}");
        assert_eq!(
            left.enrolments[0].status,
            EnrolmentStatus::TransferredOut,
            "{e}"
        );
        let retained = store.student(school, retained10).await.unwrap();
        assert_eq!(retained.enrolments.len(), 2, "{e}");
        assert_eq!(
            retained.enrolments[0].school_year_id, next,
            "{e}: newest first"
        );
        assert_eq!(
            retained.enrolments[1].decision.as_deref(),
            Some("retained"),
            "{e}"
        );
        assert_eq!(store.classes(school, year).await.unwrap().len(), 3, "{e}");

        // Rolling the same year twice is refused and creates nothing.
        let error = store.roll_over(&actor(), school, year).await.unwrap_err();
        match &error {
            StoreError::Refused(message) => {
                assert!(message.contains("2025-2026"), "{e}: {message}")
            }
            other => panic!("{e}: expected Refused, got {other:?}"),
        }
        assert_eq!(store.school_years(school).await.unwrap().len(), 2, "{e}");
        assert_eq!(store.classes(school, next).await.unwrap().len(), 3, "{e}");
        let error = store
            .roll_over(&actor(), school, SchoolYearId(5))
            .await
            .unwrap_err();
        assert!(matches!(error, StoreError::NotFound(_)), "{e}: {error:?}");
    }
}

/// A school that only had grade 10 last year gets grade 11 classes: they
/// need the grade 11 subjects.
#[tokio::test]
async fn rollover_seeds_the_subjects_of_the_new_grades() {
    for (db, store) in stores().await {
        let e = db.engine;
        let o = org(&store).await;
        let school = school(&store, o.department, "THPT Mới Mở").await;
        let year = store
            .create_school_year(
                &actor(),
                school,
                SchoolYear { start_year: 2024 },
                &grades(&[10]),
            )
            .await
            .unwrap();
        let c10 = class(&store, school, year, "10A1").await;
        let s = add_student(
            &store,
            school,
            year,
            c10,
            &student("Kha Văn Tiến", false, Some(1)),
        )
        .await;
        let outcome = store.roll_over(&actor(), school, year).await.unwrap();
        let next = outcome.new_year;
        let classes = store.classes(school, next).await.unwrap();
        assert_eq!(
            classes.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
            vec!["10A1", "11A1"],
            "{e}"
        );
        assert_eq!(
            store.student_class(school, next, s).await.unwrap(),
            Some(classes[1].id),
            "{e}"
        );
        for class in &classes {
            let subjects = store
                .subjects(school, next, Some(class.grade))
                .await
                .unwrap();
            assert_eq!(
                subjects.len(),
                default_subjects(class.grade).len(),
                "{e}: subjects of grade {}",
                class.grade.value()
            );
        }
    }
}
