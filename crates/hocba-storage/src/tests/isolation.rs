use super::*;
use crate::test_util::stores;
use crate::{ImportRow, StoreError, StudentFilter};
use hocba_domain::Date;
use hocba_domain::class::{ClassDraft, ClassStatus};
use hocba_domain::curriculum::SubjectMode;
use hocba_domain::rollover::YearDecision;
use hocba_domain::school::CampusProfile;

fn not_found<T: std::fmt::Debug>(
    result: crate::Result<T>,
    engine: impl std::fmt::Display,
    what: &str,
) {
    match result {
        Err(StoreError::NotFound(_)) => {}
        other => panic!("{engine}: {what}: expected NotFound, got {other:?}"),
    }
}

fn refused<T: std::fmt::Debug>(
    result: crate::Result<T>,
    engine: impl std::fmt::Display,
    what: &str,
) {
    match result {
        Err(StoreError::NotFound(_) | StoreError::Refused(_) | StoreError::Conflict(_)) => {}
        other => panic!("{engine}: {what}: expected a refusal, got {other:?}"),
    }
}

/// School A's id with school B's records: reads find nothing, writes change nothing.
#[tokio::test]
async fn a_school_never_sees_or_touches_another_schools_records() {
    for (db, store) in stores().await {
        let e = db.engine;
        let o = org(&store).await;
        let (a, a_year) = school_with_year(&store, o.department, "THPT Trường A", 2025).await;
        let (b, b_year) = school_with_year(&store, o.bureau, "THPT Trường B", 2025).await;
        let a_class = class(&store, a, a_year, "10A1").await;
        let b_class = class(&store, b, b_year, "10A1").await;
        let a_student = add_student(
            &store,
            a,
            a_year,
            a_class,
            &student("Ông Văn A", false, Some(1)),
        )
        .await;
        let b_student = add_student(
            &store,
            b,
            b_year,
            b_class,
            &student("Ông Văn B", false, Some(2)),
        )
        .await;
        let b_staff = staff(&store, b, "Bà Thị B").await;
        let b_subject = store.subjects(b, b_year, None).await.unwrap()[0].clone();
        let b_campus = store
            .save_campus(
                &actor(),
                b,
                None,
                &CampusProfile::validate(&draft(&[("name", "Điểm trường B2")])).unwrap(),
            )
            .await
            .unwrap();

        // Reads.
        not_found(store.class(a, b_class).await, e, "class");
        not_found(store.student(a, b_student).await, e, "student");
        not_found(store.staff_member(a, b_staff).await, e, "staff_member");
        assert_eq!(
            store.student_class(a, b_year, b_student).await.unwrap(),
            None,
            "{e}"
        );
        assert_eq!(
            store.student_class(a, a_year, b_student).await.unwrap(),
            None,
            "{e}"
        );
        assert_eq!(
            store.student_class(b, b_year, a_student).await.unwrap(),
            None,
            "{e}"
        );
        assert!(store.classes(a, b_year).await.unwrap().is_empty(), "{e}");
        assert!(
            store.subjects(a, b_year, None).await.unwrap().is_empty(),
            "{e}"
        );
        assert!(
            store
                .students(a, b_year, &StudentFilter::default())
                .await
                .unwrap()
                .is_empty(),
            "{e}"
        );
        let filter = StudentFilter {
            class: Some(b_class),
            ..StudentFilter::default()
        };
        assert!(
            store.students(a, a_year, &filter).await.unwrap().is_empty(),
            "{e}"
        );
        assert!(store.staff(a, None).await.unwrap().is_empty(), "{e}");
        assert!(store.campuses(a).await.unwrap().is_empty(), "{e}");
        assert!(
            !store
                .student_drafts(a)
                .await
                .unwrap()
                .contains_key(&b_student.0),
            "{e}"
        );
        // The same ids with school B's id work, so the refusals above are about ownership.
        store.class(b, b_class).await.unwrap();
        store.student(b, b_student).await.unwrap();
        store.staff_member(b, b_staff).await.unwrap();

        // Writes.
        let b_profile = student("Ông Văn Đổi", false, Some(2));
        refused(
            store
                .update_student(&actor(), a, b_student, 1, &b_profile)
                .await,
            e,
            "update_student",
        );
        refused(
            store.delete_student(&actor(), a, b_student).await,
            e,
            "delete_student",
        );
        refused(
            store
                .move_student(&actor(), a, a_year, b_student, a_class)
                .await,
            e,
            "move_student",
        );
        refused(
            store
                .move_student(&actor(), a, a_year, a_student, b_class)
                .await,
            e,
            "move into B's class",
        );
        refused(
            store
                .transfer_out(
                    &actor(),
                    a,
                    a_year,
                    b_student,
                    Date::new(2025, 9, 9).unwrap(),
                    "X",
                    None,
                )
                .await,
            e,
            "transfer_out",
        );
        refused(
            store
                .create_student(
                    &actor(),
                    a,
                    a_year,
                    b_class,
                    &student("Ông Văn C", false, Some(3)),
                    None,
                )
                .await,
            e,
            "create_student in B's class",
        );
        refused(
            store
                .create_student(
                    &actor(),
                    a,
                    b_year,
                    b_class,
                    &student("Ông Văn C", false, Some(3)),
                    None,
                )
                .await,
            e,
            "create_student in B's year",
        );
        refused(
            store
                .set_year_decision(&actor(), a, b_year, b_student, YearDecision::Retained)
                .await,
            e,
            "set_year_decision",
        );
        refused(
            store.remove_class(&actor(), a, b_class, false).await,
            e,
            "dissolve B's class",
        );
        refused(
            store.remove_class(&actor(), a, b_class, true).await,
            e,
            "delete B's class",
        );
        refused(
            store
                .save_class(
                    &actor(),
                    a,
                    a_year,
                    Some((b_class, 1)),
                    &class_definition("10A9"),
                )
                .await,
            e,
            "edit B's class",
        );
        refused(
            store
                .update_subject(
                    &actor(),
                    a,
                    b_subject.id,
                    b_subject.version,
                    99,
                    SubjectMode::Commented,
                )
                .await,
            e,
            "update_subject",
        );
        refused(
            store
                .save_staff(
                    &actor(),
                    a,
                    Some((b_staff, 1)),
                    &staff_profile("Bà Thị Đổi"),
                )
                .await,
            e,
            "save_staff",
        );
        refused(
            store
                .import_staff(
                    &actor(),
                    a,
                    &[(2, Some(b_staff), staff_profile("Bà Thị Đổi"))],
                )
                .await,
            e,
            "import_staff",
        );
        refused(
            store
                .import_students(
                    &actor(),
                    a,
                    a_year,
                    &[ImportRow {
                        row_number: 2,
                        existing: Some(b_student),
                        profile: b_profile.clone(),
                        class_name: Some("10A1".into()),
                    }],
                )
                .await,
            e,
            "import_students",
        );
        refused(
            store
                .save_campus(
                    &actor(),
                    a,
                    Some((b_campus, 1)),
                    &CampusProfile::validate(&draft(&[("name", "Đổi")])).unwrap(),
                )
                .await,
            e,
            "save_campus",
        );
        refused(
            store.delete_campus(&actor(), a, b_campus).await,
            e,
            "delete_campus",
        );
        refused(store.roll_over(&actor(), a, b_year).await, e, "roll_over");
        // A class of A may not be put in B's year or on B's campus.
        refused(
            store
                .save_class(&actor(), a, b_year, None, &class_definition("10A5"))
                .await,
            e,
            "class in B's year",
        );
        let on_b_campus = ClassDefinition::validate(&ClassDraft {
            name: "10A6".into(),
            grade: 10,
            campus_id: Some(b_campus.0),
            sessions_per_week: None,
        })
        .unwrap();
        refused(
            store
                .save_class(&actor(), a, a_year, None, &on_b_campus)
                .await,
            e,
            "class on B's campus",
        );
        refused(
            store
                .save_class(&actor(), a, a_year, Some((a_class, 1)), &on_b_campus)
                .await,
            e,
            "class moved onto B's campus",
        );
        assert_eq!(
            store.class(a, a_class).await.unwrap().campus_id,
            None,
            "{e}"
        );
        assert_eq!(
            count(&store, "class", a).await,
            1,
            "{e}: no class was added to A"
        );

        // B is exactly as it was.
        let student = store.student(b, b_student).await.unwrap();
        assert_eq!(student.version, 1, "{e}");
        assert_eq!(student.profile["full_name"], "Ông Văn B", "{e}");
        assert_eq!(student.enrolments.len(), 1, "{e}");
        assert_eq!(student.enrolments[0].class_id, b_class, "{e}");
        assert_eq!(student.enrolments[0].decision, None, "{e}");
        assert!(student.transfers.is_empty(), "{e}");
        let class = store.class(b, b_class).await.unwrap();
        assert_eq!(
            (class.name.as_str(), class.version, class.status),
            ("10A1", 1, ClassStatus::Active),
            "{e}"
        );
        assert_eq!(class.student_count, 1, "{e}");
        let subject = store.subjects(b, b_year, None).await.unwrap()[0].clone();
        assert_eq!(
            (subject.periods_per_year, subject.version),
            (b_subject.periods_per_year, 1),
            "{e}"
        );
        let staff = store.staff_member(b, b_staff).await.unwrap();
        assert_eq!(
            (staff.full_name.as_str(), staff.version),
            ("Bà Thị B", 1),
            "{e}"
        );
        let campuses = store.campuses(b).await.unwrap();
        assert_eq!(campuses.len(), 1, "{e}");
        assert_eq!(campuses[0].version, 1, "{e}");
        assert_eq!(store.school_years(b).await.unwrap().len(), 1, "{e}");
        assert_eq!(count(&store, "student", a).await, 1, "{e}");
        assert_eq!(count(&store, "enrolment", a).await, 1, "{e}");
    }
}
