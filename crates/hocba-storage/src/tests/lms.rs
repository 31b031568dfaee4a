//! The OneRoster gradebook subset (issue 6 point 5) on both engines: a line
//! item claims a column under the exam sync's rules, results are upserted
//! by sourcedId (a retry writes one cell and one trail row), a teacher's
//! value is never overwritten, students without a ministry code are
//! refused, a revoked client's tokens stop, and a school sees only its own.

use super::*;
use crate::test_util::stores;
use crate::{CellEdit, CellsOutcome, LineItemInput, LmsCaller, ResultInput, StoreError, Writer};
use hocba_domain::SubjectId;
use hocba_domain::gradebook::{Channel, Column, Semester};
use hocba_domain::lms::{ClassRef, PeriodRef, Scope};
use hocba_domain::student::StudentProfile;

const S1: Semester = Semester::S1;
const HOUR: i64 = 3_600_000;

fn with_code(name: &str, serial: u32, code: Option<&str>) -> StudentProfile {
    let mut draft = student_draft(name, serial.is_multiple_of(2), Some(serial));
    if let Some(code) = code {
        draft.insert("moet_code".into(), code.into());
    }
    StudentProfile::validate(&draft).expect("valid student")
}

struct Fixture {
    school: SchoolId,
    year: SchoolYearId,
    a1: ClassId,
    a2: ClassId,
    an: StudentId,
    binh: StudentId,
    maths: SubjectId,
}

/// 10A1: An (code), Bình (no code). 10A2: Dũng (code) with a mid-term score.
async fn fixture(store: &Store, parent: UnitId, name: &str) -> Fixture {
    let (school, year) = school_with_year(store, parent, name, 2025).await;
    let a1 = class(store, school, year, "10A1").await;
    let a2 = class(store, school, year, "10A2").await;
    let an = add_student(
        store,
        school,
        year,
        a1,
        &with_code("Nguyễn Văn An", 1, Some("HS001")),
    )
    .await;
    let binh = add_student(
        store,
        school,
        year,
        a1,
        &with_code("Trần Thị Bình", 2, None),
    )
    .await;
    let dung = add_student(
        store,
        school,
        year,
        a2,
        &with_code("Phạm Văn Dũng", 5, Some("HS005")),
    )
    .await;
    let maths = store
        .subjects(school, year, Some(Grade::new(10).unwrap()))
        .await
        .unwrap()
        .iter()
        .find(|s| s.code == "TOAN")
        .unwrap()
        .id;
    store
        .declare_default_plans(&actor(), school, year, Some(S1), None)
        .await
        .unwrap();
    let now = crate::now_millis();
    store
        .open_entry_window(&actor(), school, year, 10, S1, now - HOUR, now + HOUR)
        .await
        .unwrap();
    let saved = teacher_writes(store, school, a2, maths, dung, Column::MIDTERM, "5", None).await;
    assert!(matches!(saved, CellsOutcome::Saved { .. }), "{saved:?}");
    Fixture {
        school,
        year,
        a1,
        a2,
        an,
        binh,
        maths,
    }
}

#[allow(clippy::too_many_arguments)]
async fn teacher_writes(
    store: &Store,
    school: SchoolId,
    class: ClassId,
    subject: SubjectId,
    student: StudentId,
    column: Column,
    value: &str,
    version: Option<i64>,
) -> CellsOutcome {
    let admin = Writer {
        staff: None,
        admin: true,
        override_requested: false,
    };
    store
        .save_cells(
            &Actor::system("Cô Lan"),
            school,
            class,
            subject,
            S1,
            admin,
            Channel::Grid,
            None,
            &[CellEdit {
                student,
                column,
                value: value.into(),
                missed_make_up: false,
                expected_version: version,
            }],
        )
        .await
        .unwrap()
}

/// Issues a client and a token, and resolves the token as the API does.
async fn caller(store: &Store, school: SchoolId, name: &str) -> (LmsCaller, String) {
    let client = store
        .create_lms_client(
            &actor(),
            school,
            name,
            &Scope::ALL,
            &hocba_auth_like_hash("secret"),
        )
        .await
        .unwrap();
    let token_hash = hocba_auth_like_hash(&format!("token-{}", client.id));
    store
        .issue_lms_token(
            &client.client_id,
            &Scope::ALL,
            &token_hash,
            crate::now_millis() + HOUR,
        )
        .await
        .unwrap();
    let caller = store
        .lms_caller(school, &token_hash)
        .await
        .unwrap()
        .expect("live token");
    (caller, token_hash)
}

/// Storage takes hashes; any stable text will do here.
fn hocba_auth_like_hash(text: &str) -> String {
    format!("h:{text}")
}

fn line_item(f: &Fixture, sourced_id: &str, class: ClassId, column: Column) -> LineItemInput {
    LineItemInput {
        sourced_id: sourced_id.into(),
        class: ClassRef {
            class,
            subject: f.maths,
        },
        period: PeriodRef {
            year: f.year,
            semester: S1,
        },
        column,
        title: "Bài kiểm tra chương 1".into(),
        description: None,
        assign_date: Some("2025-10-01".into()),
        due_date: Some("2025-10-08".into()),
        status: "active".into(),
    }
}

fn result(sourced_id: &str, line_item: &str, student: StudentId, score: f64) -> ResultInput {
    ResultInput {
        sourced_id: sourced_id.into(),
        line_item: line_item.into(),
        student,
        score: Some(score),
        score_status: "fully graded".into(),
        score_date: Some("2025-10-09".into()),
        comment: None,
        status: "active".into(),
    }
}

async fn cell(
    store: &Store,
    f: &Fixture,
    student: StudentId,
    column: Column,
) -> Option<(Option<i64>, i64, i64)> {
    sqlx::query_as::<_, (Option<i64>, i64, i64)>(
        "SELECT tenths, synced, version FROM gradebook_cell
         WHERE school_id = $1 AND student_id = $2 AND subject_id = $3 AND semester = 1 AND column_key = $4",
    )
    .bind(f.school.0)
    .bind(student.0)
    .bind(f.maths.0)
    .bind(column.key())
    .fetch_optional(store.pool())
    .await
    .unwrap()
}

async fn trail(
    store: &Store,
    f: &Fixture,
    student: StudentId,
) -> Vec<(Option<String>, String, String)> {
    sqlx::query_as::<_, (Option<String>, String, String)>(
        "SELECT new_value, channel, reason FROM gradebook_change
         WHERE school_id = $1 AND student_id = $2 AND subject_id = $3 AND channel = 'sync' ORDER BY version",
    )
    .bind(f.school.0)
    .bind(student.0)
    .bind(f.maths.0)
    .fetch_all(store.pool())
    .await
    .unwrap()
}

#[tokio::test]
async fn a_line_item_claims_an_empty_column_and_results_upsert_by_sourced_id() {
    for (db, store) in stores().await {
        let e = db.engine;
        let o = org(&store).await;
        let f = fixture(&store, o.department, "THPT Moodle").await;
        let (moodle, _) = caller(&store, f.school, "Moodle của trường").await;

        let item = line_item(&f, "li-1", f.a1, Column::regular(1));
        let (row, created) = store
            .put_lms_line_item(&moodle, &item)
            .await
            .unwrap()
            .unwrap();
        assert!(created, "{e}");
        assert_eq!(row.class_name, "10A1", "{e}");
        // The same PUT again: an update, nothing new.
        let (_, created) = store
            .put_lms_line_item(&moodle, &item)
            .await
            .unwrap()
            .unwrap();
        assert!(!created, "{e}");

        // A result fills An's empty cell with the shield marker and one trail row.
        let put = result("r-an", "li-1", f.an, 8.5);
        let (stored, created) = store.put_lms_result(&moodle, &put).await.unwrap().unwrap();
        assert!(created, "{e}");
        assert_eq!(stored.tenths, Some(85), "{e}");
        assert_eq!(
            cell(&store, &f, f.an, Column::regular(1)).await,
            Some((Some(85), 1, 1)),
            "{e}"
        );
        // A retry is harmless: one cell, one trail row.
        let (_, created) = store.put_lms_result(&moodle, &put).await.unwrap().unwrap();
        assert!(!created, "{e}");
        assert_eq!(
            cell(&store, &f, f.an, Column::regular(1)).await,
            Some((Some(85), 1, 1)),
            "{e}"
        );
        let rows = trail(&store, &f, f.an).await;
        assert_eq!(rows.len(), 1, "{e}: {rows:?}");
        assert_eq!(rows[0].0.as_deref(), Some("8.5"), "{e}");
        assert!(
            rows[0].2.contains("Moodle của trường") && rows[0].2.contains("li-1"),
            "{e}: {}",
            rows[0].2
        );

        // Another score replaces what this result wrote.
        store
            .put_lms_result(&moodle, &result("r-an", "li-1", f.an, 9.0))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            cell(&store, &f, f.an, Column::regular(1)).await,
            Some((Some(90), 1, 2)),
            "{e}"
        );
        assert_eq!(trail(&store, &f, f.an).await.len(), 2, "{e}");

        // A teacher changes it: the LMS no longer overwrites it, and says why.
        let saved = teacher_writes(
            &store,
            f.school,
            f.a1,
            f.maths,
            f.an,
            Column::regular(1),
            "7",
            Some(2),
        )
        .await;
        assert!(
            matches!(saved, CellsOutcome::Saved { .. }),
            "{e}: {saved:?}"
        );
        let refused = store
            .put_lms_result(&moodle, &result("r-an", "li-1", f.an, 9.5))
            .await
            .unwrap()
            .unwrap_err();
        assert_eq!(refused.code(), "cell_changed_by_teacher", "{e}");
        assert!(
            refused.reason().contains("Cô Lan"),
            "{e}: {}",
            refused.reason()
        );
        let (tenths, _, _) = cell(&store, &f, f.an, Column::regular(1)).await.unwrap();
        assert_eq!(tenths, Some(70), "{e}");

        // No ministry code: refused with the seed's reason, nothing written.
        let refused = store
            .put_lms_result(&moodle, &result("r-binh", "li-1", f.binh, 6.0))
            .await
            .unwrap()
            .unwrap_err();
        assert_eq!(refused.code(), "no_moet_code", "{e}");
        assert!(refused.reason().contains("Trần Thị Bình"), "{e}");
        assert_eq!(
            cell(&store, &f, f.binh, Column::regular(1)).await,
            None,
            "{e}"
        );

        // Two decimals are refused, never rounded.
        let refused = store
            .put_lms_result(&moodle, &result("r-x", "li-1", f.an, 8.25))
            .await
            .unwrap()
            .unwrap_err();
        assert_eq!(refused.code(), "invalid_score", "{e}");

        // A line item with results cannot be deleted.
        let refused = store
            .delete_lms_line_item(&moodle, "li-1")
            .await
            .unwrap()
            .unwrap_err();
        assert_eq!(refused.code(), "line_item_has_results", "{e}");
    }
}

#[tokio::test]
async fn a_claim_is_refused_by_the_exam_sync_rules() {
    for (db, store) in stores().await {
        let e = db.engine;
        let o = org(&store).await;
        let f = fixture(&store, o.department, "THPT Canvas").await;
        let (canvas, _) = caller(&store, f.school, "Canvas").await;

        // 10A2's mid-term already holds Dũng's score (seed 000 §2.2).
        let refused = store
            .put_lms_line_item(&canvas, &line_item(&f, "li-a2", f.a2, Column::MIDTERM))
            .await
            .unwrap()
            .unwrap_err();
        assert_eq!(refused.code(), "column_has_scores", "{e}");
        assert!(
            refused.reason().contains("Phạm Văn Dũng"),
            "{e}: {}",
            refused.reason()
        );

        // A locked column (seed 000 §4.1).
        store
            .set_column_lock(
                &actor(),
                f.school,
                f.a1,
                f.maths,
                S1,
                Some(Column::FINAL),
                true,
                "Đã kiểm tra",
            )
            .await
            .unwrap();
        let refused = store
            .put_lms_line_item(&canvas, &line_item(&f, "li-final", f.a1, Column::FINAL))
            .await
            .unwrap()
            .unwrap_err();
        assert_eq!(refused.code(), "column_locked", "{e}");

        // A column outside the plan.
        let refused = store
            .put_lms_line_item(&canvas, &line_item(&f, "li-9", f.a1, Column::regular(9)))
            .await
            .unwrap()
            .unwrap_err();
        assert_eq!(refused.code(), "column_not_in_plan", "{e}");

        // One line item per column; another client cannot touch it.
        store
            .put_lms_line_item(&canvas, &line_item(&f, "li-gk", f.a1, Column::MIDTERM))
            .await
            .unwrap()
            .unwrap();
        let refused = store
            .put_lms_line_item(&canvas, &line_item(&f, "li-gk2", f.a1, Column::MIDTERM))
            .await
            .unwrap()
            .unwrap_err();
        assert_eq!(refused.code(), "column_claimed", "{e}");
        let (moodle, _) = caller(&store, f.school, "Moodle").await;
        let refused = store
            .put_lms_result(&moodle, &result("r1", "li-gk", f.an, 7.0))
            .await
            .unwrap()
            .unwrap_err();
        assert_eq!(refused.code(), "line_item_of_other_client", "{e}");
        // Moving a claimed line item is refused; deleting an empty one frees the column.
        let refused = store
            .put_lms_line_item(&canvas, &line_item(&f, "li-gk", f.a1, Column::regular(2)))
            .await
            .unwrap()
            .unwrap_err();
        assert_eq!(refused.code(), "line_item_moved", "{e}");
        store
            .delete_lms_line_item(&canvas, "li-gk")
            .await
            .unwrap()
            .unwrap();
        store
            .put_lms_line_item(&moodle, &line_item(&f, "li-gk2", f.a1, Column::MIDTERM))
            .await
            .unwrap()
            .unwrap();
    }
}

#[tokio::test]
async fn a_token_is_bound_to_its_school_and_stops_when_revoked() {
    for (db, store) in stores().await {
        let e = db.engine;
        let o = org(&store).await;
        let a = fixture(&store, o.department, "THPT A").await;
        let b = fixture(&store, o.department, "THPT B").await;
        let (lms_a, token_a) = caller(&store, a.school, "LMS A").await;
        store
            .put_lms_line_item(&lms_a, &line_item(&a, "li-a", a.a1, Column::regular(1)))
            .await
            .unwrap()
            .unwrap();
        // School A's token does not resolve in school B.
        assert!(
            store
                .lms_caller(b.school, &token_a)
                .await
                .unwrap()
                .is_none(),
            "{e}"
        );
        // School B's gradebook is not found from school A, and A's line item
        // is not visible to B.
        let err = store
            .put_lms_line_item(&lms_a, &line_item(&b, "li-b", b.a1, Column::regular(1)))
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::NotFound(_)), "{e}: {err:?}");
        let (lms_b, _) = caller(&store, b.school, "LMS B").await;
        assert!(
            store
                .lms_line_item(b.school, "li-a")
                .await
                .unwrap()
                .is_none(),
            "{e}"
        );
        let err = store
            .put_lms_result(&lms_b, &result("r", "li-a", b.an, 5.0))
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::NotFound(_)), "{e}: {err:?}");
        // A's student is not B's.
        let err = store
            .put_lms_result(&lms_a, &result("r", "li-a", b.an, 5.0))
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::NotFound(_)), "{e}: {err:?}");
        assert_eq!(
            count(&store, "gradebook_change", b.school).await,
            1,
            "{e}: only Dũng's own entry"
        );

        // Revoked: the token stops at once.
        store
            .revoke_lms_client(&actor(), a.school, lms_a.client)
            .await
            .unwrap();
        assert!(
            store
                .lms_caller(a.school, &token_a)
                .await
                .unwrap()
                .is_none(),
            "{e}"
        );
        let clients = store.lms_clients(a.school).await.unwrap();
        assert!(clients.iter().all(|c| c.revoked_at.is_some()), "{e}");
    }
}

#[tokio::test]
async fn a_retry_racing_the_first_put_writes_one_cell_and_one_trail_row() {
    for (db, store) in stores().await {
        let e = db.engine;
        let o = org(&store).await;
        let f = fixture(&store, o.department, "THPT Đồng Thời").await;
        let (lms, _) = caller(&store, f.school, "LMS").await;
        let item = line_item(&f, "li-race", f.a1, Column::regular(2));
        let (first, second) = tokio::join!(
            store.put_lms_line_item(&lms, &item),
            store.put_lms_line_item(&lms, &item)
        );
        let created = [first.unwrap().unwrap().1, second.unwrap().unwrap().1];
        assert_eq!(
            created.iter().filter(|c| **c).count(),
            1,
            "{e}: {created:?}"
        );
        let put = result("r-race", "li-race", f.an, 7.5);
        let (first, second) = tokio::join!(
            store.put_lms_result(&lms, &put),
            store.put_lms_result(&lms, &put)
        );
        let created = [first.unwrap().unwrap().1, second.unwrap().unwrap().1];
        assert_eq!(
            created.iter().filter(|c| **c).count(),
            1,
            "{e}: {created:?}"
        );
        assert_eq!(
            cell(&store, &f, f.an, Column::regular(2)).await,
            Some((Some(75), 1, 1)),
            "{e}"
        );
        assert_eq!(trail(&store, &f, f.an).await.len(), 1, "{e}");
    }
}

#[tokio::test]
async fn deleting_a_result_clears_only_what_it_wrote_and_frees_the_line_item() {
    for (db, store) in stores().await {
        let e = db.engine;
        let o = org(&store).await;
        let f = fixture(&store, o.department, "THPT Xóa").await;
        let (lms, _) = caller(&store, f.school, "LMS").await;
        store
            .put_lms_line_item(&lms, &line_item(&f, "li-del", f.a1, Column::regular(1)))
            .await
            .unwrap()
            .unwrap();
        store
            .put_lms_result(&lms, &result("r-del", "li-del", f.an, 8.0))
            .await
            .unwrap()
            .unwrap();
        // The cell still holds what the result wrote: it is cleared, with a trail row.
        store
            .delete_lms_result(&lms, "r-del")
            .await
            .unwrap()
            .unwrap();
        let (tenths, synced, version) = cell(&store, &f, f.an, Column::regular(1)).await.unwrap();
        assert_eq!((tenths, synced, version), (None, 0, 2), "{e}");
        let rows = trail(&store, &f, f.an).await;
        assert_eq!(rows.len(), 2, "{e}: {rows:?}");
        assert_eq!(rows[1].0, None, "{e}");
        assert!(
            store.lms_result(f.school, "r-del").await.unwrap().is_none(),
            "{e}"
        );
        // Written again, then changed by a teacher: deleting keeps the teacher's value.
        store
            .put_lms_result(&lms, &result("r-del", "li-del", f.an, 6.0))
            .await
            .unwrap()
            .unwrap();
        let saved = teacher_writes(
            &store,
            f.school,
            f.a1,
            f.maths,
            f.an,
            Column::regular(1),
            "9",
            Some(3),
        )
        .await;
        assert!(
            matches!(saved, CellsOutcome::Saved { .. }),
            "{e}: {saved:?}"
        );
        store
            .delete_lms_result(&lms, "r-del")
            .await
            .unwrap()
            .unwrap();
        let (tenths, _, _) = cell(&store, &f, f.an, Column::regular(1)).await.unwrap();
        assert_eq!(tenths, Some(90), "{e}: the teacher's value stays");
        // Without results the line item can go; a deleted one takes no more results.
        store
            .delete_lms_line_item(&lms, "li-del")
            .await
            .unwrap()
            .unwrap();
        let err = store
            .put_lms_result(&lms, &result("r-x", "li-del", f.an, 5.0))
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::NotFound(_)), "{e}: {err:?}");
        // A line item marked tobedeleted takes no results.
        let mut paused = line_item(&f, "li-paused", f.a1, Column::regular(2));
        paused.status = "tobedeleted".into();
        store
            .put_lms_line_item(&lms, &paused)
            .await
            .unwrap()
            .unwrap();
        let refused = store
            .put_lms_result(&lms, &result("r-p", "li-paused", f.an, 5.0))
            .await
            .unwrap()
            .unwrap_err();
        assert_eq!(refused.code(), "line_item_inactive", "{e}");
    }
}
