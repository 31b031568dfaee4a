//! The gradebook end to end, over HTTP against the real server on the demo
//! data set, on every engine (SQLite, and PostgreSQL under `scripts/test`):
//! the demo's subject teacher enters a cell and sees the average; a stale
//! version is a 409 naming who changed the cell; more than one decimal is
//! refused; another teacher's subject is a 403 naming it; a locked column
//! and a semester without an open window are refused with the reason; the
//! administrator's override goes through and is audited; a pasted column is
//! all or nothing; the trail shows every change; the homeroom teacher
//! enters conduct; in học kỳ II every save answers the year average
//! (ĐTBmcn) as `hocba_assessment` computes it and the grid shows it.

mod common;

use common::{Env, Payload, assert_forbidden, id};
use hocba_test_support::Engine;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn teachers_enter_grades_by_the_rules() {
    for db in hocba_test_support::test_databases().await {
        let env = Env::start(db).await;
        let ctx = Context::new(&env).await;
        ctx.the_demo_gradebook_is_ready().await;
        ctx.the_teacher_enters_a_cell_and_sees_the_average().await;
        ctx.a_stale_version_is_a_conflict().await;
        ctx.scores_are_exact().await;
        ctx.another_subject_is_forbidden().await;
        ctx.a_locked_column_is_refused_and_the_admin_overrides()
            .await;
        ctx.entry_needs_an_open_window().await;
        ctx.a_pasted_column_is_all_or_nothing().await;
        ctx.the_trail_shows_every_change().await;
        ctx.the_homeroom_teacher_enters_conduct().await;
        ctx.the_year_average_follows_in_semester_two().await;
        eprintln!("[{}] gradebook checks passed", env.engine);
    }
}

struct Context<'a> {
    env: &'a Env,
    engine: Engine,
    school: i64,
    admin: String,
    teacher: String,
    homeroom: String,
    /// The open semester (the demo opens the current one).
    semester: i64,
    /// A class × scored subject the teacher is assigned in that semester.
    class: i64,
    class_name: String,
    subject: i64,
    subject_name: String,
    /// A subject of the same class the teacher does not teach.
    other_subject: i64,
    other_subject_name: String,
}

fn semester_label(semester: i64) -> &'static str {
    if semester == 1 {
        "học kỳ I"
    } else {
        "học kỳ II"
    }
}

impl<'a> Context<'a> {
    async fn new(env: &'a Env) -> Context<'a> {
        let engine = env.engine;
        let school = env.school_of("thpt.admin");
        let admin = env.token("thpt.admin").await;
        let teacher = env.token("thpt.gvbm").await;
        let homeroom = env.token("thpt.gvcn").await;
        let base = format!("/api/v1/schools/{school}");
        let windows = env.get_ok(&admin, &format!("{base}/entry-windows")).await;
        let semester = windows["windows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|w| w["state"] == "open")
            .and_then(|w| w["semester"].as_i64())
            .unwrap_or_else(|| panic!("[{engine}] the demo opens no entry window: {windows}"));
        let accounts = env.get_ok(&admin, &format!("{base}/accounts")).await;
        let staff = accounts
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["username"] == "thpt.gvbm")
            .and_then(|a| a["staff_id"].as_i64())
            .expect("thpt.gvbm has a staff record");
        let subjects = env.get_ok(&admin, &format!("{base}/subjects")).await;
        let scored = |subject: i64| {
            subjects
                .as_array()
                .unwrap()
                .iter()
                .any(|s| id(s) == subject && s["mode"] == "scored")
        };
        let assignments = env.get_ok(&admin, &format!("{base}/assignments")).await;
        let teaching = assignments["teaching"].as_array().unwrap();
        let mine = teaching
            .iter()
            .find(|a| {
                a["staff_id"] == staff
                    && a["semester"] == semester
                    && scored(a["subject_id"].as_i64().unwrap())
            })
            .unwrap_or_else(|| panic!("[{engine}] thpt.gvbm teaches no scored subject"));
        let class = mine["class_id"].as_i64().unwrap();
        let other = teaching
            .iter()
            .find(|a| {
                a["class_id"] == class
                    && a["semester"] == semester
                    && a["staff_id"] != staff
                    && !teaching.iter().any(|b| {
                        b["staff_id"] == staff
                            && b["class_id"] == class
                            && b["subject_id"] == a["subject_id"]
                    })
            })
            .expect("another teacher's subject in the class");
        Context {
            env,
            engine,
            school,
            admin,
            teacher,
            homeroom,
            semester,
            class,
            class_name: mine["class_name"].as_str().unwrap().to_owned(),
            subject: mine["subject_id"].as_i64().unwrap(),
            subject_name: mine["subject_name"].as_str().unwrap().to_owned(),
            other_subject: other["subject_id"].as_i64().unwrap(),
            other_subject_name: other["subject_name"].as_str().unwrap().to_owned(),
        }
    }

    fn book(&self, subject: i64, semester: i64) -> String {
        format!(
            "/api/v1/schools/{}/gradebook/{}/{subject}/{semester}",
            self.school, self.class
        )
    }

    fn mine(&self) -> String {
        self.book(self.subject, self.semester)
    }

    async fn grid(&self, token: &str) -> Value {
        self.env.get_ok(token, &self.mine()).await
    }

    async fn put_cell(&self, token: &str, body: Value) -> (StatusCode, Value) {
        self.env
            .call(
                Method::PUT,
                &format!("{}/cells", self.mine()),
                Some(token),
                Payload::Json(body),
            )
            .await
    }

    /// The student used for single cells, and the version of a cell.
    async fn student(&self, index: usize) -> (i64, String) {
        let grid = self.grid(&self.teacher).await;
        let student = &grid["students"][index];
        (
            id(student),
            student["full_name"].as_str().unwrap().to_owned(),
        )
    }

    async fn version(&self, student: i64, column: &str) -> Value {
        let grid = self.grid(&self.teacher).await;
        grid["students"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| id(s) == student)
            .map(|s| s["cells"][column]["version"].clone())
            .unwrap_or(Value::Null)
    }

    async fn the_demo_gradebook_is_ready(&self) {
        let engine = self.engine;
        let plans = self
            .env
            .get_ok(
                &self.admin,
                &format!("/api/v1/schools/{}/column-plans", self.school),
            )
            .await;
        assert_eq!(
            plans["counts"]["not_declared"], 0,
            "[{engine}] {}",
            plans["counts"]
        );
        assert!(
            plans["counts"]["declared"].as_i64().unwrap() > 0,
            "[{engine}]"
        );
        let grid = self.grid(&self.teacher).await;
        assert_eq!(grid["may_edit"], true, "[{engine}] {}", grid["why_not"]);
        assert_eq!(grid["window"]["state"], "open", "[{engine}]");
        assert_eq!(grid["plan"]["status"], "declared", "[{engine}]");
        // Columns from the law: the plan's regular columns, then GK and CK.
        let columns: Vec<&str> = grid["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["key"].as_str().unwrap())
            .collect();
        let regular = grid["required_regular"].as_u64().unwrap() as usize;
        assert_eq!(columns.len(), regular + 2, "[{engine}] {columns:?}");
        assert_eq!(columns[regular..], ["midterm", "final"], "[{engine}]");
        // The demo's scores show averages somewhere in the school (Toán of the first class).
        let classes = self
            .env
            .get_ok(
                &self.admin,
                &format!("/api/v1/schools/{}/classes", self.school),
            )
            .await;
        let first = id(&classes[0]);
        let maths = self
            .env
            .get_ok(
                &self.admin,
                &format!("/api/v1/schools/{}/subjects", self.school),
            )
            .await
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["code"] == "TOAN" && s["grade"] == classes[0]["grade"])
            .map(id)
            .unwrap();
        let demo = self
            .env
            .get_ok(
                &self.admin,
                &format!(
                    "/api/v1/schools/{}/gradebook/{first}/{maths}/{}",
                    self.school, self.semester
                ),
            )
            .await;
        let students = demo["students"].as_array().unwrap();
        let averaged = students
            .iter()
            .filter(|s| s["average"]["semester"].is_string())
            .count();
        assert_eq!(averaged, students.len() - 1, "[{engine}] demo averages");
        let last = students.last().unwrap();
        assert!(
            last["average"]["missing"]
                .as_str()
                .unwrap()
                .contains("ĐĐGck"),
            "[{engine}] {last}"
        );
    }

    async fn the_teacher_enters_a_cell_and_sees_the_average(&self) {
        let engine = self.engine;
        let (student, _) = self.student(0).await;
        let grid = self.grid(&self.teacher).await;
        let columns: Vec<String> = grid["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["key"].as_str().unwrap().to_owned())
            .collect();
        // "8,5" with a decimal comma, into a cell never written.
        let (status, body) = self
            .put_cell(
                &self.teacher,
                json!({"student_id": student, "column": "regular:1", "value": "8,5", "version": null}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "[{engine}] {body}");
        assert_eq!(body["value"], "8.5", "[{engine}]");
        assert_eq!(body["display"], "8,5", "[{engine}]");
        assert_eq!(body["version"], 1, "[{engine}]");
        assert!(body["averages"]["semester"].is_null(), "[{engine}] {body}");
        assert!(
            body["averages"]["missing"]
                .as_str()
                .unwrap()
                .contains("ĐĐGgk"),
            "[{engine}] {body}"
        );
        // The rest of the row: 8 in every other regular column, 7 mid-term, 8 final.
        let mut last = Value::Null;
        for column in &columns[1..] {
            let value = match column.as_str() {
                "midterm" => "7",
                _ => "8",
            };
            let (status, body) = self
                .put_cell(
                    &self.teacher,
                    json!({"student_id": student, "column": column, "value": value, "version": null}),
                )
                .await;
            assert_eq!(status, StatusCode::OK, "[{engine}] {column}: {body}");
            last = body;
        }
        // (8.5 + 8·(n−1) + 2·7 + 3·8) / (n + 5), computed by hocba-assessment.
        let n = (columns.len() - 2) as u64;
        let numerator = 85 + 80 * (n - 1) + 2 * 70 + 3 * 80;
        let denominator = n + 5;
        let tenths = (2 * numerator + denominator) / (2 * denominator);
        let expected = format!("{}.{}", tenths / 10, tenths % 10);
        assert_eq!(last["averages"]["semester"], expected, "[{engine}] {last}");
        // The grid shows the same.
        let grid = self.grid(&self.teacher).await;
        let row = grid["students"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| id(s) == student)
            .unwrap();
        assert_eq!(row["average"]["semester"], expected, "[{engine}]");
        assert_eq!(row["cells"]["regular:1"]["value"], "8.5", "[{engine}]");
    }

    async fn a_stale_version_is_a_conflict(&self) {
        let engine = self.engine;
        let (student, name) = self.student(0).await;
        let version = self.version(student, "regular:1").await;
        // The admin changes the cell first (an override: not the assigned teacher).
        let (status, body) = self
            .put_cell(
                &self.admin,
                json!({"student_id": student, "column": "regular:1", "value": "7.5", "version": version}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "[{engine}] {body}");
        // The teacher still holds the old version.
        let (status, body) = self
            .put_cell(
                &self.teacher,
                json!({"student_id": student, "column": "regular:1", "value": "9", "version": version}),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "[{engine}] {body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(
            message.contains(&format!("của {name} vừa được"))
                && message.contains("thpt.admin")
                && message.contains("sửa thành 7,5 lúc")
                && message.contains("điểm của bạn chưa được lưu"),
            "[{engine}] {message}"
        );
        assert_eq!(body["error"]["current"]["value"], "7.5", "[{engine}]");
        assert_eq!(
            body["error"]["current"]["version"],
            version.as_i64().unwrap() + 1,
            "[{engine}]"
        );
    }

    async fn scores_are_exact(&self) {
        let engine = self.engine;
        let (student, name) = self.student(1).await;
        for (value, words) in [
            ("8,25", "hơn một chữ số thập phân"),
            ("10.5", "lớn hơn 10"),
            ("Đ", "không nhập Đ/CĐ"),
        ] {
            let (status, body) = self
                .put_cell(
                    &self.teacher,
                    json!({"student_id": student, "column": "regular:1", "value": value, "version": null}),
                )
                .await;
            assert_eq!(
                status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "[{engine}] {value}: {body}"
            );
            let message = body["error"]["message"].as_str().unwrap();
            assert!(
                message.contains(&name) && message.contains("ĐĐGtx 1") && message.contains(words),
                "[{engine}] {value}: {message}"
            );
        }
        assert!(
            self.version(student, "regular:1").await.is_null(),
            "[{engine}] nothing saved"
        );
    }

    async fn another_subject_is_forbidden(&self) {
        let engine = self.engine;
        let (student, _) = self.student(0).await;
        let other = self.book(self.other_subject, self.semester);
        let (status, body) = self
            .env
            .call(
                Method::PUT,
                &format!("{other}/cells"),
                Some(&self.teacher),
                Payload::Json(json!({"student_id": student, "column": "midterm", "value": "5", "version": null})),
            )
            .await;
        assert_forbidden(engine, "another teacher's subject", status, &body);
        assert_eq!(
            body["error"]["reason"],
            format!(
                "Bạn không được phân công dạy môn {} lớp {} {}.",
                self.other_subject_name,
                self.class_name,
                semester_label(self.semester)
            ),
            "[{engine}]"
        );
        assert!(
            body["error"]["remedy"]
                .as_str()
                .unwrap()
                .contains("quản trị viên"),
            "[{engine}] {body}"
        );
        // Nor may they read it.
        let (status, body) = self
            .env
            .call(Method::GET, &other, Some(&self.teacher), Payload::None)
            .await;
        assert_forbidden(engine, "reading another teacher's subject", status, &body);
        assert!(
            body["error"]["reason"]
                .as_str()
                .unwrap()
                .contains(&format!("Bạn không dạy môn {}", self.other_subject_name)),
            "[{engine}] {body}"
        );
    }

    async fn a_locked_column_is_refused_and_the_admin_overrides(&self) {
        let engine = self.engine;
        let (student, _) = self.student(2).await;
        let locks = format!("{}/locks", self.mine());
        // A reason is required.
        let (status, body) = self
            .env
            .call(
                Method::PUT,
                &locks,
                Some(&self.admin),
                Payload::Json(json!({"column": "regular:2", "locked": true, "reason": " "})),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{engine}] {body}"
        );
        // A teacher may not lock.
        let (status, body) = self
            .env
            .call(
                Method::PUT,
                &locks,
                Some(&self.teacher),
                Payload::Json(json!({"column": "regular:2", "locked": true, "reason": "Chốt"})),
            )
            .await;
        assert_forbidden(engine, "a teacher locks a column", status, &body);
        self.env
            .write_expect(
                Method::PUT,
                &self.admin,
                &locks,
                json!({"column": "regular:2", "locked": true, "reason": "Đã chốt điểm ĐĐGtx 2"}),
                StatusCode::OK,
            )
            .await;
        let grid = self.grid(&self.teacher).await;
        let column = grid["columns"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["key"] == "regular:2")
            .unwrap();
        assert_eq!(column["locked"], true, "[{engine}]");
        assert_eq!(
            column["lock"]["reason"], "Đã chốt điểm ĐĐGtx 2",
            "[{engine}]"
        );

        let (status, body) = self
            .put_cell(
                &self.teacher,
                json!({"student_id": student, "column": "regular:2", "value": "6", "version": null}),
            )
            .await;
        assert_eq!(status, StatusCode::LOCKED, "[{engine}] {body}");
        assert_eq!(body["error"]["code"], "column_locked", "[{engine}]");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(
            message.starts_with(&format!(
                "Cột ĐĐGtx 2 môn {} lớp {} {} đã bị khóa bởi",
                self.subject_name,
                self.class_name,
                semester_label(self.semester)
            )) && message.contains("(lý do: Đã chốt điểm ĐĐGtx 2)")
                && message.contains("Hãy liên hệ quản trị viên để mở khóa."),
            "[{engine}] {message}"
        );
        // Other columns stay open.
        let (status, body) = self
            .put_cell(
                &self.teacher,
                json!({"student_id": student, "column": "regular:1", "value": "6", "version": null}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "[{engine}] {body}");

        // The admin must ask for the override…
        let (status, body) = self
            .put_cell(
                &self.admin,
                json!({"student_id": student, "column": "regular:2", "value": "6", "version": null}),
            )
            .await;
        assert_eq!(status, StatusCode::LOCKED, "[{engine}] {body}");
        assert!(
            body["error"]["remedy"]
                .as_str()
                .unwrap()
                .contains("override"),
            "[{engine}] {body}"
        );
        // …and then it goes through, audited as an override.
        let (status, body) = self
            .put_cell(
                &self.admin,
                json!({"student_id": student, "column": "regular:2", "value": "6", "version": null,
                       "override": true, "reason": "Sửa theo biên bản chấm lại"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "[{engine}] {body}");
        let codes: Vec<&str> = body["overrides"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["code"].as_str().unwrap())
            .collect();
        assert_eq!(codes, ["not_assigned", "column_locked"], "[{engine}]");
        let audit = self
            .env
            .get_ok(
                &self.admin,
                &format!("/api/v1/schools/{}/audit", self.school),
            )
            .await;
        let entry = audit
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["action"] == "override" && e["entity"] == "gradebook")
            .unwrap_or_else(|| panic!("[{engine}] no override in the audit log"));
        let summary = entry["summary"].as_str().unwrap();
        assert!(
            summary.contains("cột điểm đã khóa") && summary.contains("biên bản chấm lại"),
            "[{engine}] {summary}"
        );
        // Unlock.
        self.env
            .write_expect(
                Method::PUT,
                &self.admin,
                &locks,
                json!({"column": "all", "locked": false, "reason": "Mở lại để giáo viên sửa"}),
                StatusCode::OK,
            )
            .await;
    }

    async fn entry_needs_an_open_window(&self) {
        let engine = self.engine;
        let (student, _) = self.student(0).await;
        // The other semester: the teacher is assigned (the demo assigns both)
        // and the plan is declared, but no window is open.
        let other = 3 - self.semester;
        let path = format!("{}/cells", self.book(self.subject, other));
        let grade = self.grid(&self.teacher).await["class"]["grade"]
            .as_i64()
            .unwrap();
        let (status, body) = self
            .env
            .call(
                Method::PUT,
                &path,
                Some(&self.teacher),
                Payload::Json(json!({"student_id": student, "column": "midterm", "value": "7", "version": null})),
            )
            .await;
        assert_eq!(status, StatusCode::LOCKED, "[{engine}] {body}");
        assert_eq!(
            body["error"]["reason"],
            format!(
                "Chưa có đợt nhập điểm {} khối {grade}.",
                semester_label(other)
            ),
            "[{engine}]"
        );
        // A window that has already closed.
        let now = self
            .env
            .get_ok(
                &self.admin,
                &format!("/api/v1/schools/{}/entry-windows", self.school),
            )
            .await["now"]
            .as_i64()
            .unwrap();
        self.env
            .write_expect(
                Method::POST,
                &self.admin,
                &format!("/api/v1/schools/{}/entry-windows", self.school),
                json!({"grade": grade, "semester": other, "opens_at": now - 7_200_000, "closes_at": now - 3_600_000}),
                StatusCode::CREATED,
            )
            .await;
        let (status, body) = self
            .env
            .call(
                Method::PUT,
                &path,
                Some(&self.teacher),
                Payload::Json(json!({"student_id": student, "column": "midterm", "value": "7", "version": null})),
            )
            .await;
        assert_eq!(status, StatusCode::LOCKED, "[{engine}] {body}");
        assert_eq!(body["error"]["code"], "entry_window_ended", "[{engine}]");
        let reason = body["error"]["reason"].as_str().unwrap();
        assert!(
            reason.starts_with(&format!(
                "Đã hết đợt nhập điểm {} khối {grade} (",
                semester_label(other)
            )),
            "[{engine}] {reason}"
        );
        // The grid says so before anyone types.
        let grid = self
            .env
            .get_ok(&self.teacher, &self.book(self.subject, other))
            .await;
        assert_eq!(grid["may_edit"], false, "[{engine}]");
        assert_eq!(grid["why_not"]["code"], "entry_window_ended", "[{engine}]");
    }

    async fn a_pasted_column_is_all_or_nothing(&self) {
        let engine = self.engine;
        let grid = self.grid(&self.teacher).await;
        let students: Vec<i64> = grid["students"]
            .as_array()
            .unwrap()
            .iter()
            .skip(3)
            .take(4)
            .map(id)
            .collect();
        let batch = format!("{}/cells/batch", self.mine());
        let cells = |third: &str| {
            json!({"cells": students.iter().enumerate().map(|(i, s)| json!({
                "student_id": s, "column": "midterm",
                "value": if i == 2 { third.to_owned() } else { format!("{},5", 5 + i) }, "version": null
            })).collect::<Vec<_>>()})
        };
        let (status, body) = self
            .env
            .call(
                Method::POST,
                &batch,
                Some(&self.teacher),
                Payload::Json(cells("abc")),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{engine}] {body}"
        );
        let refused = body["error"]["cells"].as_array().unwrap();
        assert_eq!(refused.len(), 1, "[{engine}] {body}");
        assert_eq!(refused[0]["index"], 2, "[{engine}]");
        assert_eq!(refused[0]["column_label"], "ĐĐGgk", "[{engine}]");
        assert!(
            refused[0]["message"].as_str().unwrap().contains("ĐĐGgk"),
            "[{engine}]"
        );
        for student in &students {
            assert!(
                self.version(*student, "midterm").await.is_null(),
                "[{engine}] nothing saved"
            );
        }
        let body = self
            .env
            .write_expect(
                Method::POST,
                &self.teacher,
                &batch,
                cells("9"),
                StatusCode::OK,
            )
            .await;
        assert_eq!(body["saved"], 4, "[{engine}] {body}");
        assert_eq!(body["changed"], 4, "[{engine}] {body}");
    }

    async fn the_trail_shows_every_change(&self) {
        let engine = self.engine;
        let (student, _) = self.student(0).await;
        // Clearing a cell is a change too.
        let version = self.version(student, "regular:1").await;
        let (status, body) = self
            .put_cell(
                &self.teacher,
                json!({"student_id": student, "column": "regular:1", "value": "", "version": version}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "[{engine}] {body}");
        assert!(body["value"].is_null(), "[{engine}]");
        let history = self
            .env
            .get_ok(
                &self.teacher,
                &format!("{}/history?student={student}", self.mine()),
            )
            .await;
        let changes = history["changes"].as_array().unwrap();
        let trail: Vec<(Value, Value)> = changes
            .iter()
            .filter(|c| c["column"] == "regular:1")
            .map(|c| (c["old"].clone(), c["new"].clone()))
            .collect();
        assert_eq!(
            trail,
            vec![
                (json!("7.5"), Value::Null),
                (json!("8.5"), json!("7.5")),
                (Value::Null, json!("8.5")),
            ],
            "[{engine}]"
        );
        let by_admin = changes
            .iter()
            .find(|c| c["column"] == "regular:1" && c["new"] == "7.5")
            .unwrap();
        assert_eq!(
            by_admin["overrides"][0]["code"], "not_assigned",
            "[{engine}]"
        );
        assert_eq!(by_admin["channel"], "api", "[{engine}]");
        assert!(
            changes.iter().all(|c| c["student_id"] == student),
            "[{engine}]"
        );
    }

    async fn the_homeroom_teacher_enters_conduct(&self) {
        let engine = self.engine;
        let me = self.env.get_ok(&self.homeroom, "/api/v1/me").await;
        let accounts = self
            .env
            .get_ok(
                &self.admin,
                &format!("/api/v1/schools/{}/accounts", self.school),
            )
            .await;
        let staff = accounts
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["id"] == me["id"])
            .and_then(|a| a["staff_id"].as_i64())
            .unwrap();
        let classes = self
            .env
            .get_ok(
                &self.admin,
                &format!("/api/v1/schools/{}/classes", self.school),
            )
            .await;
        let own = classes
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["homeroom_staff_id"] == staff)
            .map(id)
            .unwrap();
        let path = format!(
            "/api/v1/schools/{}/conduct/{own}/{}",
            self.school, self.semester
        );
        let sheet = self.env.get_ok(&self.homeroom, &path).await;
        assert_eq!(sheet["may_edit"], true, "[{engine}]");
        let student = sheet["students"][0]["student_id"].as_i64().unwrap();
        let saved = self
            .env
            .write_expect(
                Method::PUT,
                &self.homeroom,
                &path,
                json!({"student_id": student, "training_result": "T", "comment": "Chăm ngoan", "version": null}),
                StatusCode::OK,
            )
            .await;
        assert_eq!(saved["training_result"], "Tốt", "[{engine}]");
        // The subject teacher neither writes nor reads it.
        let (status, body) = self
            .env
            .call(
                Method::PUT,
                &path,
                Some(&self.teacher),
                Payload::Json(
                    json!({"student_id": student, "training_result": "Khá", "version": 1}),
                ),
            )
            .await;
        assert_forbidden(engine, "a subject teacher enters conduct", status, &body);
        let (status, body) = self
            .env
            .call(Method::GET, &path, Some(&self.teacher), Payload::None)
            .await;
        assert_forbidden(engine, "a subject teacher reads conduct", status, &body);
        // A wrong level is refused with the choices.
        let (status, body) = self
            .env
            .call(
                Method::PUT,
                &path,
                Some(&self.homeroom),
                Payload::Json(
                    json!({"student_id": student, "training_result": "Giỏi", "version": 1}),
                ),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{engine}] {body}"
        );
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("Tốt, Khá, Đạt, Chưa đạt"),
            "[{engine}] {body}"
        );
    }
    /// The grid row of a student in a book, read by the teacher.
    async fn row(&self, book: &str, student: i64) -> Value {
        let grid = self.env.get_ok(&self.teacher, book).await;
        grid["students"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| id(s) == student)
            .cloned()
            .unwrap_or_else(|| panic!("[{}] student {student} in {book}", self.engine))
    }

    /// In học kỳ II a save answers, next to the semester value, the year
    /// value of the written students (ĐTBmcn = (ĐTBmhkI + 2·ĐTBmhkII)/3,
    /// TT22 Điều 9 khoản 1) or why it is missing: what
    /// `hocba_assessment::secondary::year_subject_average` gives on the two
    /// semester values, and what the grid shows.
    async fn the_year_average_follows_in_semester_two(&self) {
        let engine = self.engine;
        let grade = self.grid(&self.teacher).await["class"]["grade"]
            .as_i64()
            .unwrap();
        // Both semesters open: the demo opens the current one's window only.
        let now = self
            .env
            .get_ok(
                &self.admin,
                &format!("/api/v1/schools/{}/entry-windows", self.school),
            )
            .await["now"]
            .as_i64()
            .unwrap();
        self.env
            .write_expect(
                Method::POST,
                &self.admin,
                &format!("/api/v1/schools/{}/entry-windows", self.school),
                json!({"grade": grade, "semester": 3 - self.semester,
                       "opens_at": now - 60_000, "closes_at": now + 3_600_000}),
                StatusCode::CREATED,
            )
            .await;
        let (first, second) = (self.book(self.subject, 1), self.book(self.subject, 2));
        let (student, _) = self.student(1).await;
        let columns = |grid: &Value| -> Vec<String> {
            grid["columns"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["key"].as_str().unwrap().to_owned())
                .collect()
        };

        // Học kỳ I, the whole row in one batch: no year value in học kỳ I.
        let grid = self.env.get_ok(&self.teacher, &first).await;
        let row = self.row(&first, student).await;
        let cells: Vec<Value> = columns(&grid)
            .iter()
            .map(|column| {
                let value = match column.as_str() {
                    "midterm" => "6,5",
                    "final" => "7",
                    _ => "8",
                };
                json!({"student_id": student, "column": column, "value": value,
                       "version": row["cells"][column]["version"]})
            })
            .collect();
        let answer = self
            .env
            .write_expect(
                Method::POST,
                &self.teacher,
                &format!("{first}/cells/batch"),
                json!({"cells": cells}),
                StatusCode::OK,
            )
            .await;
        let average = &answer["averages"][0];
        assert_eq!(average["student_id"], student, "[{engine}] {answer}");
        let first_value = average["semester"]
            .as_str()
            .unwrap_or_else(|| panic!("[{engine}] the row is complete: {answer}"))
            .to_owned();
        assert!(
            average["year"].is_null() && average["year_missing"].is_null(),
            "[{engine}] no year value in học kỳ I: {answer}"
        );

        // Học kỳ II, cell by cell: the year value is missing until the
        // semester II value exists, and says why.
        let grid = self.env.get_ok(&self.teacher, &second).await;
        let row = self.row(&second, student).await;
        let keys = columns(&grid);
        let mut last = Value::Null;
        for (index, column) in keys.iter().enumerate() {
            let value = match column.as_str() {
                "midterm" => "9",
                "final" => "8,5",
                _ => "9,5",
            };
            let body = self
                .env
                .write_expect(
                    Method::PUT,
                    &self.teacher,
                    &format!("{second}/cells"),
                    json!({"student_id": student, "column": column, "value": value,
                           "version": row["cells"][column]["version"]}),
                    StatusCode::OK,
                )
                .await;
            if index + 1 < keys.len() {
                assert!(body["averages"]["year"].is_null(), "[{engine}] {body}");
                let why = body["averages"]["year_missing"]
                    .as_str()
                    .unwrap_or_default();
                assert!(
                    why.starts_with("Học kỳ II: "),
                    "[{engine}] why the year value is missing: {body}"
                );
            }
            last = body;
        }
        let year_of = |first: &str, second: &str| {
            let parse = |text: &str| {
                text.parse::<hocba_assessment::Score>()
                    .unwrap_or_else(|e| panic!("[{engine}] {text}: {e:?}"))
            };
            hocba_assessment::secondary::year_subject_average(parse(first), parse(second))
                .to_string()
        };
        let second_value = last["averages"]["semester"].as_str().unwrap().to_owned();
        let expected = year_of(&first_value, &second_value);
        assert_eq!(last["averages"]["year"], expected, "[{engine}] {last}");
        assert!(
            last["averages"]["year_missing"].is_null(),
            "[{engine}] {last}"
        );
        let shown = self.row(&second, student).await;
        assert_eq!(shown["average"]["semester"], second_value, "[{engine}]");
        assert_eq!(
            shown["average"]["year"], expected,
            "[{engine}] the grid agrees"
        );

        // A pasted column in học kỳ II answers the year values too.
        let final_version = shown["cells"]["final"]["version"].clone();
        let answer = self
            .env
            .write_expect(
                Method::POST,
                &self.teacher,
                &format!("{second}/cells/batch"),
                json!({"cells": [{"student_id": student, "column": "final", "value": "4",
                                  "version": final_version}]}),
                StatusCode::OK,
            )
            .await;
        let average = &answer["averages"][0];
        let second_value = average["semester"].as_str().unwrap().to_owned();
        let expected_after = year_of(&first_value, &second_value);
        assert_ne!(
            expected_after, expected,
            "[{engine}] the final column counts"
        );
        assert_eq!(average["year"], expected_after, "[{engine}] {answer}");
        assert_eq!(
            self.row(&second, student).await["average"]["year"],
            expected_after,
            "[{engine}] the grid agrees"
        );
    }
}
