//! After the year in the browser, on every engine: the forms reached from
//! the class summary (absences and summer training by the homeroom teacher;
//! summer retests and a transferred-in student's semester averages by the
//! administrator) posted through the real login and CSRF flow. Each save
//! recomputes the class's year summary and the page shows the new outcome;
//! a bad value is refused with the reason and changes nothing; a teacher
//! cannot post the administrator's forms; a post without the CSRF token is
//! refused.

mod common;

use common::session::sign_in;
use common::{Env, id};
use hocba_domain::gradebook::{Channel, Semester};
use hocba_domain::{ClassId, SchoolId, StudentId, SubjectId};
use hocba_storage::{Actor, CellEdit, CellsOutcome, Writer};
use reqwest::{StatusCode, header};
use serde_json::Value;

/// The homeroom class of `thpt.gvcn`.
async fn homeroom_class(env: &Env, admin: &str, school: i64) -> Value {
    let gvcn = env.token("thpt.gvcn").await;
    let me = env.get_ok(&gvcn, "/api/v1/me").await;
    let accounts = env
        .get_ok(admin, &format!("/api/v1/schools/{school}/accounts"))
        .await;
    let staff = accounts
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == me["id"])
        .and_then(|a| a["staff_id"].as_i64())
        .expect("thpt.gvcn has a staff record");
    let classes = env
        .get_ok(admin, &format!("/api/v1/schools/{school}/classes"))
        .await;
    classes
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["homeroom_staff_id"].as_i64() == Some(staff))
        .cloned()
        .expect("thpt.gvcn has a homeroom class")
}

fn line(summary: &Value, student: i64) -> &Value {
    summary["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["student_id"] == student)
        .unwrap_or_else(|| panic!("no line of student {student}"))
}

fn subject_line(line: &Value, subject: i64) -> &Value {
    line["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["subject_id"] == subject)
        .unwrap_or_else(|| panic!("no subject {subject} in {line}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_the_year_through_the_forms() {
    for db in hocba_test_support::test_databases().await {
        let env = Env::start(db).await;
        let e = env.engine;
        let school = env.school_of("thpt.admin");
        let admin = env.token("thpt.admin").await;
        let class_row = homeroom_class(&env, &admin, school).await;
        let class = id(&class_row);
        let year = env.store.current_year(SchoolId(school)).await.unwrap().id;
        hocba::bench::fill_gradebook(
            &env.store,
            &Actor::system("kiểm thử"),
            SchoolId(school),
            year,
            Some(ClassId(class)),
        )
        .await
        .unwrap();
        let summary_path = format!("/api/v1/schools/{school}/classes/{class}/summary/2");
        let before = env.get_ok(&admin, &summary_path).await;
        let promoted: Vec<i64> = before["lines"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["promotion"] == "promoted")
            .map(|l| l["student_id"].as_i64().unwrap())
            .collect();
        assert!(promoted.len() >= 3, "[{e}] {before}");
        let (a, b, c) = (promoted[0], promoted[1], promoted[2]);
        let subjects = env
            .get_ok(
                &admin,
                &format!(
                    "/api/v1/schools/{school}/subjects?grade={}",
                    class_row["grade"]
                ),
            )
            .await;
        let subject = |code: &str| {
            subjects
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["code"] == code)
                .map(id)
                .unwrap_or_else(|| panic!("no subject {code}"))
        };
        let (toan, van) = (subject("TOAN"), subject("NV"));

        // b fails Toán and Ngữ văn (every column of both semesters at 2):
        // a retest (TT22 Điều 12).
        for subject in [toan, van] {
            for semester in Semester::ALL {
                let book = env
                    .store
                    .gradebook(
                        SchoolId(school),
                        ClassId(class),
                        SubjectId(subject),
                        semester,
                    )
                    .await
                    .unwrap();
                let student = book.students.iter().find(|s| s.id.0 == b).unwrap();
                let edits: Vec<CellEdit> = book
                    .plan
                    .unwrap()
                    .columns()
                    .into_iter()
                    .map(|column| CellEdit {
                        student: StudentId(b),
                        column,
                        value: "2".into(),
                        missed_make_up: false,
                        expected_version: student
                            .cells
                            .iter()
                            .find(|c| c.column == column)
                            .map(|c| c.version),
                    })
                    .collect();
                let outcome = env
                    .store
                    .save_cells(
                        &Actor::system("kiểm thử"),
                        SchoolId(school),
                        ClassId(class),
                        SubjectId(subject),
                        semester,
                        Writer {
                            staff: None,
                            admin: true,
                            override_requested: true,
                        },
                        Channel::Api,
                        Some("kiểm thử"),
                        &edits,
                    )
                    .await
                    .unwrap();
                assert!(
                    matches!(outcome, CellsOutcome::Saved { .. }),
                    "[{e}] {outcome:?}"
                );
            }
        }
        let before = env.get_ok(&admin, &summary_path).await;
        assert_eq!(line(&before, b)["promotion"], "retest", "[{e}]");
        assert_eq!(line(&before, a)["promotion"], "promoted", "[{e}]");
        let year_before = subject_line(line(&before, c), toan)["year"].clone();

        // The class summary page links every student to the after-year page.
        let gvcn = sign_in(&env, "thpt.gvcn").await;
        let page_of = |student: i64| {
            format!("/schools/{school}/classes/{class}/students/{student}/after-year")
        };
        let (status, page) = gvcn
            .get(
                &env,
                &format!("/schools/{school}/classes/{class}/summary/2"),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "[{e}]");
        assert!(
            page.contains(&page_of(a)),
            "[{e}] no link to the after-year page"
        );
        let (status, page) = gvcn.get(&env, &page_of(a)).await;
        assert_eq!(status, StatusCode::OK, "[{e}] {page}");
        assert!(page.contains("id=\"promotion\">Được lên lớp<"), "[{e}]");
        // The homeroom teacher sees the administrator's forms disabled, with why.
        assert!(
            page.contains("Chỉ quản trị viên của trường nhập mục này"),
            "[{e}]"
        );

        // Absences: a bad value is refused with the reason, nothing saved.
        let record = format!("/schools/{school}/classes/{class}/students/{a}/year-record");
        let (status, page) = gvcn
            .post(
                &env,
                &record,
                &[("absences", "401"), ("summer_training", "")],
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{e}] {page}");
        assert!(
            page.contains("Chưa lưu: Số buổi nghỉ 401 không hợp lệ"),
            "[{e}] {page}"
        );
        assert!(
            page.contains("value=\"401\""),
            "[{e}] the typed value is kept"
        );
        let (status, page) = gvcn
            .post(
                &env,
                &record,
                &[("absences", "nhiều"), ("summer_training", "")],
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{e}] {page}");
        assert!(page.contains("không phải số nguyên"), "[{e}] {page}");
        let unchanged = env.get_ok(&admin, &summary_path).await;
        assert_eq!(line(&unchanged, a)["absences"], Value::Null, "[{e}]");
        // 50 sessions absent: not promoted (TT22 Điều 13), shown at once.
        let (status, page) = gvcn
            .post(
                &env,
                &record,
                &[("absences", "50"), ("summer_training", "")],
            )
            .await;
        assert_eq!(status, StatusCode::OK, "[{e}] {page}");
        assert!(page.contains("Đã lưu số buổi nghỉ"), "[{e}] {page}");
        assert!(
            page.contains("id=\"promotion\">Không được lên lớp<"),
            "[{e}] {page}"
        );
        let after = env.get_ok(&admin, &summary_path).await;
        assert_eq!(
            after["stored"], true,
            "[{e}] the summary was computed again"
        );
        assert_eq!(line(&after, a)["absences"], 50, "[{e}]");
        assert_eq!(line(&after, a)["promotion"], "retained", "[{e}]");

        // Retests are the administrator's: the homeroom teacher is refused.
        let retests = format!("/schools/{school}/classes/{class}/students/{b}/retests");
        let toan_field = format!("s{toan}");
        let van_field = format!("s{van}");
        let (status, page) = gvcn.post(&env, &retests, &[(&toan_field, "6")]).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "[{e}] {page}");
        assert!(page.contains("Không có quyền"), "[{e}]");

        let admin_ui = sign_in(&env, "thpt.admin").await;
        let (status, page) = admin_ui.get(&env, &page_of(b)).await;
        assert_eq!(status, StatusCode::OK, "[{e}]");
        assert!(
            page.contains("id=\"promotion\">Phải kiểm tra, đánh giá lại"),
            "[{e}] {page}"
        );
        let (status, page) = admin_ui
            .post(&env, &retests, &[(&toan_field, "11"), (&van_field, "5")])
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{e}] {page}");
        assert!(page.contains("Chưa lưu: Môn Toán"), "[{e}] {page}");
        let unchanged = env.get_ok(&admin, &summary_path).await;
        assert_eq!(
            subject_line(line(&unchanged, b), van)["retest"],
            Value::Null,
            "[{e}] all or nothing"
        );
        let (status, page) = admin_ui
            .post(&env, &retests, &[(&toan_field, "6"), (&van_field, "5")])
            .await;
        assert_eq!(status, StatusCode::OK, "[{e}] {page}");
        assert!(page.contains("Đã lưu kết quả kiểm tra lại"), "[{e}] {page}");
        assert!(
            page.contains("id=\"promotion\">Được lên lớp<"),
            "[{e}] {page}"
        );
        let after = env.get_ok(&admin, &summary_path).await;
        assert_eq!(line(&after, b)["promotion"], "promoted", "[{e}]");
        assert_eq!(
            subject_line(line(&after, b), toan)["retest"],
            "6.0",
            "[{e}]"
        );

        // A transferred-in student's semester I average replaces the columns
        // of that semester in the year value.
        let transferred =
            format!("/schools/{school}/classes/{class}/students/{c}/transferred-averages");
        let (status, page) = admin_ui
            .post(
                &env,
                &transferred,
                &[
                    ("semester", "1"),
                    ("from_school", "Trường THPT Chu Văn An"),
                    (&toan_field, "2,0"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::OK, "[{e}] {page}");
        assert!(
            page.contains("Đã lưu điểm trung bình mang từ trường cũ"),
            "[{e}]"
        );
        assert!(page.contains("(trường cũ)"), "[{e}]");
        let after = env.get_ok(&admin, &summary_path).await;
        let maths = subject_line(line(&after, c), toan);
        assert_eq!(maths["transferred"], true, "[{e}] {maths}");
        assert_eq!(maths["s1"], "2.0", "[{e}] {maths}");
        assert_ne!(maths["year"], year_before, "[{e}] the year value changed");

        // Without the session's CSRF token: refused, nothing changed.
        let response = env
            .http
            .post(format!("{}{record}", env.base))
            .header(header::COOKIE, &gvcn.cookie)
            .form(&[("absences", "3")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "[{e}]");
        let after = env.get_ok(&admin, &summary_path).await;
        assert_eq!(line(&after, a)["absences"], 50, "[{e}]");
        eprintln!("[{e}] after-the-year forms checked");
    }
}
