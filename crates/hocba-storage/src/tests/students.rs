use super::*;
use crate::test_util::stores;
use crate::{AuditQuery, StoreError, StudentFilter};
use hocba_domain::Date;
use hocba_domain::student::{EnrolmentStatus, TransferDirection};

/// "Nguyễn Thị Hương" typed in decomposed form (NFD), as Unikey's
/// "Unicode tổ hợp" mode or some spreadsheets send it.
const NFD_NAME: &str = "Nguye\u{302}\u{303}n Thi\u{323} Hu\u{31b}o\u{31b}ng";
const NFC_NAME: &str = "Nguyễn Thị Hương";

fn full_profile_draft() -> Draft {
    draft(&[
        ("full_name", NFD_NAME),
        ("other_name", "Bé Na"),
        ("birth_date", "12/03/2009"),
        ("sex", "nữ"),
        ("ethnicity", "kinh"),
        ("ethnicity_on_birth_certificate", "Kinh"),
        ("nationality", "Việt Nam"),
        ("religion", "Không"),
        ("contact_phone", "0912 345 678"),
        ("register_no", "SĐB-2025/017"),
        ("moet_code", "3112345678"),
        ("permanent_province", "Hải Phòng"),
        ("permanent_commune", "Phường Lê Chân"),
        (
            "permanent_detail",
            "So\u{302}\u{301} 12 ngo\u{303} 34 La\u{323}ch Tray",
        ),
        ("hometown_province", "Hưng Yên"),
        ("hometown_commune", "Xã Quỳnh Phụ"),
        ("birthplace_province", "Hải Phòng"),
        ("current_province", "Hải Phòng"),
        ("current_detail", "Số 12 ngõ 34 Lạch Tray"),
        ("area", "Khu vực 3"),
        ("disability", "Không"),
        ("policy_group", "Con thương binh"),
        ("can_swim", "x"),
        ("id_card_no", "031309001234"),
        ("id_card_issued_on", "15/06/2023"),
        ("id_card_issued_by", "Cục Cảnh sát QLHC về TTXH"),
        ("personal_id", "031309001234"),
        ("young_pioneer", "1"),
        ("youth_union_member", "Có"),
        ("sessions_per_week", "10"),
        ("parent_has_smartphone", "x"),
        ("father_name", "Nguye\u{302}\u{303}n Va\u{306}n Hu\u{300}ng"),
        ("father_birth_year", "1980"),
        ("father_occupation", "Công nhân"),
        ("father_phone", "0987654321"),
        ("mother_name", "Trần Thị Lan"),
        ("mother_birth_year", "1982"),
        ("mother_occupation", "Giáo viên"),
        ("mother_phone", "+84 912 000 111"),
    ])
}

fn names(rows: &[crate::StudentListRow]) -> Vec<&str> {
    rows.iter().map(|r| r.full_name.as_str()).collect()
}

fn by_query(query: &str) -> StudentFilter {
    StudentFilter {
        query: Some(query.into()),
        ..StudentFilter::default()
    }
}

#[tokio::test]
async fn a_full_profile_is_stored_in_nfc_and_read_back() {
    for (db, store) in stores().await {
        let e = db.engine;
        let o = org(&store).await;
        let (school, year) = school_with_year(&store, o.department, "THPT Hải An", 2025).await;
        let class = class(&store, school, year, "10A1").await;
        let profile = StudentProfile::validate(&full_profile_draft()).expect("valid profile");
        let id = add_student(&store, school, year, class, &profile).await;

        let row = store.student(school, id).await.unwrap();
        assert_eq!(row.version, 1, "{e}");
        assert_eq!(row.profile, profile.record().to_draft(), "{e}");
        assert_eq!(row.profile["full_name"], NFC_NAME, "{e}");
        assert_eq!(row.profile["father_name"], "Nguyễn Văn Hùng", "{e}");
        assert_eq!(
            row.profile["permanent_detail"], "Số 12 ngõ 34 Lạch Tray",
            "{e}"
        );
        assert_eq!(row.profile["birth_date"], "2009-03-12", "{e}");
        assert_eq!(row.profile["sex"], "female", "{e}");
        assert_eq!(row.profile["mother_phone"], "0912000111", "{e}");
        assert_eq!(row.profile["can_swim"], "1", "{e}");
        for (key, value) in &row.profile {
            assert!(
                hocba_text::is_nfc(value),
                "{e}: {key} = {value:?} is not NFC"
            );
        }
        // The bytes in the table are NFC, and the search key is folded.
        let (stored, fold): (String, String) = {
            let row = sqlx::query(
                "SELECT full_name, full_name_fold FROM student WHERE school_id = $1 AND id = $2",
            )
            .bind(school.0)
            .bind(id.0)
            .fetch_one(store.pool())
            .await
            .unwrap();
            use sqlx::Row;
            (row.get("full_name"), row.get("full_name_fold"))
        };
        assert_eq!(stored.as_bytes(), NFC_NAME.as_bytes(), "{e}");
        assert_eq!(fold, "nguyen thi huong", "{e}");

        assert_eq!(row.enrolments.len(), 1, "{e}");
        assert_eq!(row.enrolments[0].class_id, class, "{e}");
        assert_eq!(row.enrolments[0].class_name, "10A1", "{e}");
        assert_eq!(row.enrolments[0].status, EnrolmentStatus::Studying, "{e}");
        assert!(row.transfers.is_empty(), "{e}");

        let list = store
            .students(school, year, &StudentFilter::default())
            .await
            .unwrap();
        assert_eq!(list.len(), 1, "{e}");
        assert_eq!(list[0].full_name, NFC_NAME, "{e}");
        assert_eq!(list[0].birth_date, "12/03/2009", "{e}");
        assert_eq!(list[0].sex, "Nữ", "{e}");
        assert_eq!(list[0].moet_code.as_deref(), Some("3112345678"), "{e}");

        // NFD and NFC queries both find her.
        for query in [NFD_NAME, NFC_NAME, "huong", "NGUYỄN  thị"] {
            let found = store
                .students(school, year, &by_query(query))
                .await
                .unwrap();
            assert_eq!(names(&found), vec![NFC_NAME], "{e}: query {query:?}");
        }
        assert_eq!(
            store.student_drafts(school).await.unwrap()[&id.0],
            row.profile,
            "{e}"
        );
    }
}

#[tokio::test]
async fn class_lists_sort_the_vietnamese_way_and_search_folds_accents() {
    for (db, store) in stores().await {
        let e = db.engine;
        let o = org(&store).await;
        let (school, year) = school_with_year(&store, o.department, "THPT Lê Quý Đôn", 2025).await;
        let a1 = class(&store, school, year, "10A1").await;
        let a2 = class(&store, school, year, "10A2").await;
        // Inserted out of order.
        let class_list = [
            "Trần Văn Đức",
            "Nguyễn Thị Ánh",
            "Hoàng Dũng",
            "Lê Anh",
            "Phạm Minh Ân",
            "Đỗ Thị Anh",
        ];
        for (i, name) in class_list.iter().enumerate() {
            let female = name.contains("Thị");
            add_student(
                &store,
                school,
                year,
                a1,
                &student(name, female, Some(i as u32 + 1)),
            )
            .await;
        }
        let nguyen_van_a = add_student(
            &store,
            school,
            year,
            a2,
            &StudentProfile::validate(&{
                let mut d = student_draft("Nguyễn Văn A", false, Some(100));
                d.insert("moet_code".into(), "0123456789".into());
                d
            })
            .unwrap(),
        )
        .await;

        let expected = vec![
            "Đỗ Thị Anh",
            "Lê Anh",
            "Nguyễn Thị Ánh",
            "Phạm Minh Ân",
            "Hoàng Dũng",
            "Trần Văn Đức",
        ];
        // The order is the collator's: given name, then family and middle names.
        let mut by_collator = class_list.to_vec();
        hocba_text::collator().sort_by_person_name(&mut by_collator, |n| n);
        assert_eq!(by_collator, expected, "{e}: the collator's order");
        let filter = StudentFilter {
            class: Some(a1),
            ..StudentFilter::default()
        };
        let list = store.students(school, year, &filter).await.unwrap();
        assert_eq!(names(&list), expected, "{e}");
        assert!(list.iter().all(|r| r.class_name == "10A1"), "{e}");

        // The whole year: by class, then by name.
        let all = store
            .students(school, year, &StudentFilter::default())
            .await
            .unwrap();
        let mut whole = expected.clone();
        whole.push("Nguyễn Văn A");
        assert_eq!(names(&all), whole, "{e}");

        // Accent-insensitive search.
        for query in ["nguyen van a", "  NGUYEN VAN A ", "Nguyễn Văn A", "van a"] {
            let found = store
                .students(school, year, &by_query(query))
                .await
                .unwrap();
            assert_eq!(names(&found), vec!["Nguyễn Văn A"], "{e}: {query:?}");
        }
        let found = store
            .students(school, year, &by_query("anh"))
            .await
            .unwrap();
        assert_eq!(
            names(&found),
            vec!["Đỗ Thị Anh", "Lê Anh", "Nguyễn Thị Ánh"],
            "{e}"
        );
        let found = store
            .students(school, year, &by_query("duc"))
            .await
            .unwrap();
        assert_eq!(names(&found), vec!["Trần Văn Đức"], "{e}");
        // LIKE wildcards typed by the user match literally.
        for query in ["%", "_", "nguyen%a", "nguyen_van", "%anh", "\\"] {
            let found = store
                .students(school, year, &by_query(query))
                .await
                .unwrap();
            assert!(
                found.is_empty(),
                "{e}: {query:?} matched {:?}",
                names(&found)
            );
        }
        // An empty query is no filter.
        let found = store
            .students(school, year, &by_query("   "))
            .await
            .unwrap();
        assert_eq!(found.len(), 7, "{e}");
        // The ministry code matches exactly.
        let found = store
            .students(school, year, &by_query("0123456789"))
            .await
            .unwrap();
        assert_eq!(found.len(), 1, "{e}");
        assert_eq!(found[0].id, nguyen_van_a, "{e}");
        let found = store
            .students(school, year, &by_query("012345"))
            .await
            .unwrap();
        assert!(found.is_empty(), "{e}: a partial code is not a match");
        // Filters combine.
        let filter = StudentFilter {
            class: Some(a1),
            query: Some("nguyen".into()),
            status: Some(EnrolmentStatus::Studying),
        };
        let found = store.students(school, year, &filter).await.unwrap();
        assert_eq!(names(&found), vec!["Nguyễn Thị Ánh"], "{e}");
    }
}

#[tokio::test]
async fn identity_numbers_are_unique_per_school_and_versions_guard_updates() {
    for (db, store) in stores().await {
        let e = db.engine;
        let o = org(&store).await;
        let (school, year) = school_with_year(&store, o.department, "THPT Kiến An", 2025).await;
        let (other, other_year) = school_with_year(&store, o.bureau, "THPT Đồ Sơn", 2025).await;
        let a1 = class(&store, school, year, "10A1").await;
        let a2 = class(&store, school, year, "10A2").await;
        let other_class = class(&store, other, other_year, "10A1").await;

        let first = add_student(
            &store,
            school,
            year,
            a1,
            &student("Vũ Thị Mai", true, Some(777)),
        )
        .await;
        // The same personal ID for another student of the school is refused.
        let error = store
            .create_student(
                &actor(),
                school,
                year,
                a1,
                &student("Vũ Thị Mơ", true, Some(777)),
                None,
            )
            .await
            .unwrap_err();
        match &error {
            StoreError::Refused(message) => assert!(
                message.contains("trùng số định danh cá nhân") && message.contains("Vũ Thị Mơ"),
                "{e}: {message}"
            ),
            other => panic!("{e}: expected Refused, got {other:?}"),
        }
        assert_eq!(count(&store, "student", school).await, 1, "{e}");
        assert_eq!(count(&store, "enrolment", school).await, 1, "{e}");
        // In another school it is allowed (the student may have moved there).
        store
            .create_student(
                &actor(),
                other,
                other_year,
                other_class,
                &student("Vũ Thị Mai", true, Some(777)),
                None,
            )
            .await
            .expect("same personal ID in another school");
        // Students without a personal ID do not collide with each other.
        add_student(
            &store,
            school,
            year,
            a1,
            &student("Đinh Văn Nam", false, None),
        )
        .await;
        add_student(
            &store,
            school,
            year,
            a1,
            &student("Đinh Văn Bắc", false, None),
        )
        .await;

        // Updates: the current version saves, a stale one conflicts.
        let row = store.student(school, first).await.unwrap();
        let mut changed = row.profile.clone();
        changed.insert("full_name".into(), "Vũ Thị Tuyết Mai".into());
        let changed = StudentProfile::validate(&changed).unwrap();
        store
            .update_student(&actor(), school, first, row.version, &changed)
            .await
            .unwrap();
        let saved = store.student(school, first).await.unwrap();
        assert_eq!(saved.version, row.version + 1, "{e}");
        assert_eq!(saved.profile["full_name"], "Vũ Thị Tuyết Mai", "{e}");
        let found = store
            .students(school, year, &by_query("tuyet mai"))
            .await
            .unwrap();
        assert_eq!(
            names(&found),
            vec!["Vũ Thị Tuyết Mai"],
            "{e}: the search key follows the name"
        );
        let error = store
            .update_student(
                &actor(),
                school,
                first,
                row.version,
                &student("Vũ Thị Cũ", true, Some(777)),
            )
            .await
            .unwrap_err();
        assert!(matches!(error, StoreError::Conflict(_)), "{e}: {error:?}");
        assert_eq!(
            store.student(school, first).await.unwrap().profile["full_name"],
            "Vũ Thị Tuyết Mai",
            "{e}"
        );
        // An update onto another student's personal ID is refused.
        let second = add_student(
            &store,
            school,
            year,
            a2,
            &student("Vũ Thị Hằng", true, Some(778)),
        )
        .await;
        let error = store
            .update_student(
                &actor(),
                school,
                second,
                1,
                &student("Vũ Thị Hằng", true, Some(777)),
            )
            .await
            .unwrap_err();
        assert!(matches!(error, StoreError::Refused(_)), "{e}: {error:?}");
        assert_eq!(
            store.student(school, second).await.unwrap().version,
            1,
            "{e}"
        );

        let trail = store
            .audit_entries(
                school.into(),
                &AuditQuery {
                    entity: Some("student".into()),
                    entity_id: Some(first.0),
                    limit: 10,
                },
            )
            .await
            .unwrap();
        assert_eq!(
            trail.iter().map(|a| a.action.as_str()).collect::<Vec<_>>(),
            vec!["update", "create"],
            "{e}"
        );
        assert!(
            trail[0].before.as_deref().unwrap().contains("Vũ Thị Mai"),
            "{e}"
        );
        assert!(
            trail[0]
                .after
                .as_deref()
                .unwrap()
                .contains("Vũ Thị Tuyết Mai"),
            "{e}"
        );
    }
}

#[tokio::test]
async fn students_move_transfer_in_and_out_and_are_deleted() {
    for (db, store) in stores().await {
        let e = db.engine;
        let o = org(&store).await;
        let (school, year) = school_with_year(&store, o.department, "THPT Tô Hiệu", 2025).await;
        let a1 = class(&store, school, year, "10A1").await;
        let a2 = class(&store, school, year, "10A2").await;
        let id = add_student(
            &store,
            school,
            year,
            a1,
            &student("Bùi Văn Long", false, Some(5)),
        )
        .await;
        let staying = add_student(
            &store,
            school,
            year,
            a1,
            &student("Bùi Thị Lan", true, Some(6)),
        )
        .await;

        // Move to another class of the year.
        store
            .move_student(&actor(), school, year, id, a2)
            .await
            .unwrap();
        assert_eq!(
            store.student_class(school, year, id).await.unwrap(),
            Some(a2),
            "{e}"
        );
        let classes = store.classes(school, year).await.unwrap();
        assert_eq!(
            classes.iter().map(|c| c.student_count).collect::<Vec<_>>(),
            vec![1, 1],
            "{e}"
        );
        // Not to a class of another year.
        let next = store
            .create_school_year(&actor(), school, SchoolYear { start_year: 2026 }, &[])
            .await
            .unwrap();
        let next_class = class(&store, school, next, "10A1").await;
        let error = store
            .move_student(&actor(), school, year, id, next_class)
            .await
            .unwrap_err();
        assert!(matches!(error, StoreError::NotFound(_)), "{e}: {error:?}");
        assert_eq!(
            store.student_class(school, year, id).await.unwrap(),
            Some(a2),
            "{e}"
        );

        // Transfer out: status changes, history kept, gone from the studying list.
        store
            .transfer_out(
                &actor(),
                school,
                year,
                id,
                Date::new(2026, 1, 15).unwrap(),
                "  THPT  Chuyên Trần Phú ",
                Some("Theo gia đình chuyển nơi ở"),
            )
            .await
            .unwrap();
        let row = store.student(school, id).await.unwrap();
        assert_eq!(row.enrolments.len(), 1, "{e}");
        assert_eq!(
            row.enrolments[0].status,
            EnrolmentStatus::TransferredOut,
            "{e}"
        );
        assert_eq!(row.transfers.len(), 1, "{e}");
        let transfer = &row.transfers[0];
        assert_eq!(transfer.direction, TransferDirection::Out, "{e}");
        assert_eq!(transfer.on_date, "2026-01-15", "{e}");
        assert_eq!(transfer.other_school, "THPT Chuyên Trần Phú", "{e}");
        assert_eq!(
            transfer.reason.as_deref(),
            Some("Theo gia đình chuyển nơi ở"),
            "{e}"
        );
        assert_eq!(transfer.class_name.as_deref(), Some("10A2"), "{e}");
        let studying = StudentFilter {
            status: Some(EnrolmentStatus::Studying),
            ..StudentFilter::default()
        };
        let list = store.students(school, year, &studying).await.unwrap();
        assert_eq!(
            list.iter().map(|r| r.id).collect::<Vec<_>>(),
            vec![staying],
            "{e}"
        );
        let all = store
            .students(school, year, &StudentFilter::default())
            .await
            .unwrap();
        let gone = all
            .iter()
            .find(|r| r.id == id)
            .expect("still in the unfiltered list");
        assert_eq!(gone.status, EnrolmentStatus::TransferredOut, "{e}");
        assert_eq!(
            store.class(school, a2).await.unwrap().student_count,
            0,
            "{e}"
        );
        // A second transfer out and a move are refused.
        let error = store
            .transfer_out(
                &actor(),
                school,
                year,
                id,
                Date::new(2026, 2, 1).unwrap(),
                "THPT Khác",
                None,
            )
            .await
            .unwrap_err();
        assert!(matches!(error, StoreError::Refused(_)), "{e}: {error:?}");
        let error = store
            .move_student(&actor(), school, year, id, a1)
            .await
            .unwrap_err();
        assert!(matches!(error, StoreError::Refused(_)), "{e}: {error:?}");
        let error = store
            .transfer_out(
                &actor(),
                school,
                year,
                staying,
                Date::new(2026, 2, 1).unwrap(),
                "   ",
                None,
            )
            .await
            .unwrap_err();
        assert!(matches!(error, StoreError::Refused(_)), "{e}: {error:?}");

        // Transfer in records where the student comes from.
        let newcomer = store
            .create_student(
                &actor(),
                school,
                year,
                a1,
                &student("Đặng Minh Khôi", false, Some(9)),
                Some((
                    Date::new(2025, 10, 6).unwrap(),
                    "THPT Ngô Quyền, Hải Phòng".into(),
                    Some("Chuyển nơi cư trú".into()),
                )),
            )
            .await
            .unwrap();
        let row = store.student(school, newcomer).await.unwrap();
        assert_eq!(row.transfers.len(), 1, "{e}");
        let transfer = &row.transfers[0];
        assert_eq!(transfer.direction, TransferDirection::In, "{e}");
        assert_eq!(transfer.on_date, "2025-10-06", "{e}");
        assert_eq!(transfer.other_school, "THPT Ngô Quyền, Hải Phòng", "{e}");
        assert_eq!(transfer.reason.as_deref(), Some("Chuyển nơi cư trú"), "{e}");
        assert_eq!(transfer.class_name.as_deref(), Some("10A1"), "{e}");
        assert_eq!(row.enrolments[0].status, EnrolmentStatus::Studying, "{e}");

        // Delete: the student, the enrolment and the transfers go; the trail stays.
        store.delete_student(&actor(), school, id).await.unwrap();
        let error = store.student(school, id).await.unwrap_err();
        assert!(matches!(error, StoreError::NotFound(_)), "{e}: {error:?}");
        assert_eq!(
            store.student_class(school, year, id).await.unwrap(),
            None,
            "{e}"
        );
        let all = store
            .students(school, year, &StudentFilter::default())
            .await
            .unwrap();
        assert!(all.iter().all(|r| r.id != id), "{e}");
        assert_eq!(
            count(&store, "transfer", school).await,
            1,
            "{e}: only the newcomer's"
        );
        let trail = store
            .audit_entries(
                school.into(),
                &AuditQuery {
                    entity: Some("student".into()),
                    entity_id: Some(id.0),
                    limit: 0,
                },
            )
            .await
            .unwrap();
        assert_eq!(
            trail.iter().map(|a| a.action.as_str()).collect::<Vec<_>>(),
            vec!["delete", "transfer_out", "move", "create"],
            "{e}"
        );
        assert!(
            trail[0].before.as_deref().unwrap().contains("Bùi Văn Long"),
            "{e}"
        );
        let error = store
            .delete_student(&actor(), school, id)
            .await
            .unwrap_err();
        assert!(matches!(error, StoreError::NotFound(_)), "{e}: {error:?}");
    }
}
