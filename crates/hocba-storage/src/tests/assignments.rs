use super::*;
use crate::StoreError;
use crate::test_util::stores;

#[tokio::test]
async fn teaching_and_homeroom_assignments_replace_and_stay_in_their_school() {
    for (db, store) in stores().await {
        let e = db.engine;
        let o = org(&store).await;
        let (school, year) = school_with_year(&store, o.department, "THPT Hàng Hải", 2025).await;
        let (other, other_year) = school_with_year(&store, o.bureau, "THPT An Dương", 2025).await;
        let a1 = class(&store, school, year, "10A1").await;
        let a2 = class(&store, school, year, "10A2").await;
        let math = store
            .subjects(school, year, Some(Grade::new(10).unwrap()))
            .await
            .unwrap()[0]
            .clone();
        let t1 = staff(&store, school, "Cao Thị Hạnh").await;
        let t2 = staff(&store, school, "Đoàn Văn Khoa").await;
        let other_class = class(&store, other, other_year, "10A1").await;
        let other_subject = store.subjects(other, other_year, None).await.unwrap()[0].id;
        let other_staff = staff(&store, other, "Lưu Văn Xa").await;

        store
            .assign_teaching(&actor(), school, year, 1, a1, math.id, t1)
            .await
            .unwrap();
        // Re-assigning the same class × subject × semester replaces the teacher.
        store
            .assign_teaching(&actor(), school, year, 1, a1, math.id, t2)
            .await
            .unwrap();
        store
            .assign_teaching(&actor(), school, year, 2, a1, math.id, t1)
            .await
            .unwrap();
        let rows = store.teaching_assignments(school, year).await.unwrap();
        let summary: Vec<(u8, &str, &str, &str)> = rows
            .iter()
            .map(|r| {
                (
                    r.semester,
                    r.class_name.as_str(),
                    r.subject_name.as_str(),
                    r.staff_name.as_str(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                (1, "10A1", math.name.as_str(), "Đoàn Văn Khoa"),
                (2, "10A1", math.name.as_str(), "Cao Thị Hạnh"),
            ],
            "{e}"
        );
        assert_eq!(rows[0].staff_id, t2, "{e}");
        let error = store
            .assign_teaching(&actor(), school, year, 3, a1, math.id, t1)
            .await
            .unwrap_err();
        assert!(matches!(error, StoreError::Refused(_)), "{e}: {error:?}");

        store
            .assign_homeroom(&actor(), school, year, a1, t1)
            .await
            .unwrap();
        store
            .assign_homeroom(&actor(), school, year, a1, t2)
            .await
            .unwrap();
        store
            .assign_homeroom(&actor(), school, year, a2, t1)
            .await
            .unwrap();
        let homerooms = store.homeroom_assignments(school, year).await.unwrap();
        assert_eq!(
            homerooms
                .iter()
                .map(|h| (h.class_name.as_str(), h.staff_name.as_str()))
                .collect::<Vec<_>>(),
            vec![("10A1", "Đoàn Văn Khoa"), ("10A2", "Cao Thị Hạnh")],
            "{e}"
        );
        assert_eq!(
            store.homeroom_classes_of(school, t2).await.unwrap(),
            vec![a1],
            "{e}"
        );
        assert_eq!(
            store.homeroom_classes_of(school, t1).await.unwrap(),
            vec![a2],
            "{e}"
        );
        assert_eq!(
            store
                .class(school, a1)
                .await
                .unwrap()
                .homeroom_name
                .as_deref(),
            Some("Đoàn Văn Khoa"),
            "{e}"
        );

        // Ids of another school (or another year) are refused and touch nothing.
        let next_year = store
            .create_school_year(
                &actor(),
                school,
                SchoolYear { start_year: 2026 },
                &grades(&[10]),
            )
            .await
            .unwrap();
        let teaching = [
            (year, a1, other_subject, t1),
            (year, other_class, math.id, t1),
            (year, a1, math.id, other_staff),
            (other_year, other_class, other_subject, other_staff),
            (next_year, a1, math.id, t1),
        ];
        for (y, c, s, t) in teaching {
            let error = store
                .assign_teaching(&actor(), school, y, 1, c, s, t)
                .await
                .unwrap_err();
            assert!(matches!(error, StoreError::NotFound(_)), "{e}: {error:?}");
        }
        let homeroom = [
            (year, other_class, t1),
            (year, a1, other_staff),
            (other_year, other_class, other_staff),
            (next_year, a1, t1),
        ];
        for (y, c, t) in homeroom {
            let error = store
                .assign_homeroom(&actor(), school, y, c, t)
                .await
                .unwrap_err();
            assert!(matches!(error, StoreError::NotFound(_)), "{e}: {error:?}");
        }
        assert_eq!(
            store
                .teaching_assignments(school, year)
                .await
                .unwrap()
                .len(),
            2,
            "{e}"
        );
        assert_eq!(
            store
                .homeroom_assignments(school, year)
                .await
                .unwrap()
                .len(),
            2,
            "{e}"
        );
        assert!(
            store
                .teaching_assignments(other, other_year)
                .await
                .unwrap()
                .is_empty(),
            "{e}"
        );
        assert!(
            store
                .homeroom_assignments(other, other_year)
                .await
                .unwrap()
                .is_empty(),
            "{e}"
        );
        assert_eq!(count(&store, "teaching_assignment", other).await, 0, "{e}");
        assert_eq!(count(&store, "homeroom_assignment", other).await, 0, "{e}");
        assert!(
            store
                .homeroom_classes_of(other, other_staff)
                .await
                .unwrap()
                .is_empty(),
            "{e}"
        );
        assert!(
            store
                .homeroom_classes_of(school, other_staff)
                .await
                .unwrap()
                .is_empty(),
            "{e}"
        );
    }
}

/// `homeroom_classes_of` gives the classes of the school's current year: a
/// homeroom teacher of last year's class does not keep that class's scope.
#[tokio::test]
async fn homeroom_classes_are_those_of_the_current_year() {
    for (db, store) in stores().await {
        let e = db.engine;
        let o = org(&store).await;
        let (school, year) = school_with_year(&store, o.department, "THPT Vĩnh Bảo", 2024).await;
        let old = class(&store, school, year, "10A1").await;
        let teacher = staff(&store, school, "Mai Thị Thu").await;
        store
            .assign_homeroom(&actor(), school, year, old, teacher)
            .await
            .unwrap();
        assert_eq!(
            store.homeroom_classes_of(school, teacher).await.unwrap(),
            vec![old],
            "{e}"
        );
        let outcome = store.roll_over(&actor(), school, year).await.unwrap();
        assert!(
            store
                .homeroom_classes_of(school, teacher)
                .await
                .unwrap()
                .is_empty(),
            "{e}: last year's class is not a current homeroom class"
        );
        let new_class = store.classes(school, outcome.new_year).await.unwrap()[0].id;
        store
            .assign_homeroom(&actor(), school, outcome.new_year, new_class, teacher)
            .await
            .unwrap();
        assert_eq!(
            store.homeroom_classes_of(school, teacher).await.unwrap(),
            vec![new_class],
            "{e}"
        );
    }
}
