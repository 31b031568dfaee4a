//! The gradebook of a whole class in Excel (one sheet per subject), over
//! HTTP against the real server on the demo data set, on every engine: the
//! administrator's workbook holds every subject of the class, students in
//! class-list order with their current values, and goes back in unchanged
//! or changed (only the changed cells are written, channel `excel`); one bad
//! cell in the second sheet refuses the whole workbook with the sheet, row
//! and column named and nothing changed; a subject teacher's workbook holds
//! only the subjects they teach there that semester, and the other subjects'
//! sheets are refused with the reason; a locked column refuses its cells;
//! and the UI page lists what is left out and why, and uploads through the
//! form with its CSRF token.

mod common;

use common::session::{BOUNDARY, multipart, sign_in};
use common::{Env, Payload, assert_forbidden, id};
use hocba_domain::gradebook::Semester;
use hocba_domain::{ClassId, SchoolId, SubjectId};
use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};
use std::io::Cursor;

/// The data sheets of a workbook (not the guide), as text rows.
fn read_workbook(bytes: &[u8]) -> Vec<(String, Vec<Vec<String>>)> {
    use calamine::{Reader, SheetVisible, Xlsx};
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).expect("an xlsx");
    let names: Vec<String> = workbook
        .sheets_metadata()
        .iter()
        .filter(|s| s.visible == SheetVisible::Visible && s.name != "Hướng dẫn")
        .map(|s| s.name.clone())
        .collect();
    names
        .into_iter()
        .map(|name| {
            let range = workbook.worksheet_range(&name).expect("a sheet");
            let rows = range
                .rows()
                .map(|row| row.iter().map(|c| c.to_string()).collect())
                .collect();
            (name, rows)
        })
        .collect()
}

/// A workbook as a user saves it from Excel: the same sheets, as text.
fn write_workbook(sheets: &[(String, Vec<Vec<String>>)]) -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    for (name, rows) in sheets {
        let sheet = workbook.add_worksheet();
        sheet.set_name(name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, text) in row.iter().enumerate() {
                if !text.is_empty() {
                    sheet.write_string(r as u32, c as u16, text).unwrap();
                }
            }
        }
    }
    workbook.save_to_buffer().unwrap()
}

fn column_of(rows: &[Vec<String>], label: &str) -> usize {
    rows[0]
        .iter()
        .position(|c| c == label)
        .unwrap_or_else(|| panic!("no column {label} in {:?}", rows[0]))
}

/// A valid value different from `current`, as typed and as stored.
fn another_value(commented: bool, current: &str) -> (&'static str, &'static str) {
    match (commented, current) {
        (true, "Đ") => ("CĐ", "CĐ"),
        (true, _) => ("Đ", "Đ"),
        (false, "8,5") => ("9,5", "9.5"),
        (false, _) => ("8,5", "8.5"),
    }
}

struct Context<'a> {
    env: &'a Env,
    school: i64,
    class: i64,
    semester: i64,
    admin: String,
    teacher: String,
    /// Subject name → (id, commented).
    subjects: Vec<(String, i64, bool)>,
    /// The subjects thpt.gvbm teaches in the class that semester.
    taught: Vec<i64>,
}

impl Context<'_> {
    fn api(&self) -> String {
        format!(
            "/api/v1/schools/{}/classes/{}/gradebook/{}",
            self.school, self.class, self.semester
        )
    }

    /// The subject of a sheet: its name, or cut to Excel's 31 characters.
    fn subject(&self, sheet: &str) -> (i64, bool) {
        self.subjects
            .iter()
            .find(|(name, _, _)| name == sheet)
            .or_else(|| {
                self.subjects
                    .iter()
                    .find(|(name, _, _)| sheet.chars().count() == 31 && name.starts_with(sheet))
            })
            .map(|(_, id, commented)| (*id, *commented))
            .unwrap_or_else(|| panic!("no subject for sheet {sheet}"))
    }

    async fn download(&self, token: &str) -> (StatusCode, Vec<u8>) {
        let response = self
            .env
            .send(
                Method::GET,
                &format!("{}/workbook.xlsx", self.api()),
                Some(token),
                Payload::None,
            )
            .await;
        (response.status(), response.bytes().await.unwrap().to_vec())
    }

    async fn upload(&self, token: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
        self.env
            .call(
                Method::POST,
                &format!("{}/import", self.api()),
                Some(token),
                Payload::Bytes(bytes),
            )
            .await
    }

    /// The stored value of a cell, through the store.
    async fn stored(&self, subject: i64, student: i64, column: &str) -> Option<String> {
        let book = self
            .env
            .store
            .gradebook(
                SchoolId(self.school),
                ClassId(self.class),
                SubjectId(subject),
                Semester::from_number(self.semester as u8).unwrap(),
            )
            .await
            .unwrap();
        book.students
            .iter()
            .find(|s| s.id.0 == student)
            .and_then(|s| s.cells.iter().find(|c| c.column.key() == column))
            .and_then(|c| c.value.clone())
    }
}

async fn context(env: &Env) -> Context<'_> {
    let e = env.engine;
    let school = env.school_of("thpt.admin");
    let admin = env.token("thpt.admin").await;
    let teacher = env.token("thpt.gvbm").await;
    let base = format!("/api/v1/schools/{school}");
    let windows = env.get_ok(&admin, &format!("{base}/entry-windows")).await;
    let semester = windows["windows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["state"] == "open")
        .and_then(|w| w["semester"].as_i64())
        .unwrap_or_else(|| panic!("[{e}] the demo opens no entry window"));
    let accounts = env.get_ok(&admin, &format!("{base}/accounts")).await;
    let staff = accounts
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["username"] == "thpt.gvbm")
        .and_then(|a| a["staff_id"].as_i64())
        .expect("thpt.gvbm has a staff record");
    let assignments = env.get_ok(&admin, &format!("{base}/assignments")).await;
    let teaching = assignments["teaching"].as_array().unwrap();
    let class = teaching
        .iter()
        .find(|a| a["staff_id"] == staff && a["semester"] == semester)
        .and_then(|a| a["class_id"].as_i64())
        .unwrap_or_else(|| panic!("[{e}] thpt.gvbm teaches nothing this semester"));
    let mut taught: Vec<i64> = teaching
        .iter()
        .filter(|a| a["staff_id"] == staff && a["semester"] == semester && a["class_id"] == class)
        .filter_map(|a| a["subject_id"].as_i64())
        .collect();
    taught.sort_unstable();
    taught.dedup();
    let classes = env.get_ok(&admin, &format!("{base}/classes")).await;
    let grade = classes
        .as_array()
        .unwrap()
        .iter()
        .find(|c| id(c) == class)
        .and_then(|c| c["grade"].as_i64())
        .unwrap();
    let subjects = env
        .get_ok(&admin, &format!("{base}/subjects?grade={grade}"))
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_owned(),
                id(s),
                s["mode"] == "commented",
            )
        })
        .collect();
    Context {
        env,
        school,
        class,
        semester,
        admin,
        teacher,
        subjects,
        taught,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_class_workbook_goes_out_and_back_all_or_nothing() {
    for db in hocba_test_support::test_databases().await {
        let env = Env::start(db).await;
        let e = env.engine;
        let ctx = context(&env).await;

        // The administrator's workbook: one sheet per subject of the class,
        // the students in class-list order.
        let (status, bytes) = ctx.download(&ctx.admin).await;
        assert_eq!(status, StatusCode::OK, "[{e}]");
        let mut sheets = read_workbook(&bytes);
        assert_eq!(
            sheets.len(),
            ctx.subjects.len(),
            "[{e}] one sheet per subject"
        );
        let list = env
            .get_ok(
                &ctx.admin,
                &format!(
                    "/api/v1/schools/{}/classes/{}/students",
                    ctx.school, ctx.class
                ),
            )
            .await;
        let order: Vec<String> = list["students"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| id(s).to_string())
            .collect();
        for (name, rows) in &sheets {
            let ids: Vec<String> = rows[1..].iter().map(|r| r[0].clone()).collect();
            assert_eq!(ids, order, "[{e}] sheet {name}: class-list order");
            assert!(rows[0].contains(&"ĐĐGtx 1".to_owned()), "[{e}] {name}");
        }

        // Sent back unchanged: nothing to save.
        let (status, report) = ctx.upload(&ctx.admin, write_workbook(&sheets)).await;
        assert_eq!(status, StatusCode::OK, "[{e}] {report}");
        assert_eq!(report["changed"], 0, "[{e}] {report}");

        // One change in the first sheet and one in the second: both saved.
        let student = order[0].parse::<i64>().unwrap();
        let mut expected = Vec::new();
        for index in [0, 1] {
            let (name, rows) = &mut sheets[index];
            let (subject, commented) = ctx.subject(name);
            let column = column_of(rows, "ĐĐGtx 1");
            let (typed, stored) = another_value(commented, &rows[1][column]);
            rows[1][column] = typed.into();
            expected.push((subject, stored));
        }
        let (status, report) = ctx.upload(&ctx.admin, write_workbook(&sheets)).await;
        assert_eq!(status, StatusCode::OK, "[{e}] {report}");
        assert_eq!(report["changed"], 2, "[{e}] {report}");
        for (subject, stored) in &expected {
            assert_eq!(
                ctx.stored(*subject, student, "regular:1").await.as_deref(),
                Some(*stored),
                "[{e}]"
            );
            let history = env
                .get_ok(
                    &ctx.admin,
                    &format!(
                        "/api/v1/schools/{}/gradebook/{}/{subject}/{}/history",
                        ctx.school, ctx.class, ctx.semester
                    ),
                )
                .await;
            assert!(history.to_string().contains("\"excel\""), "[{e}] {history}");
        }

        // A good change in the first sheet and one bad cell in the second:
        // 422 naming the sheet, the row and the column; nothing saved.
        let before_first = ctx.stored(expected[0].0, student, "regular:2").await;
        let first_column = column_of(&sheets[0].1, "ĐĐGtx 2");
        let (typed, _) = another_value(ctx.subject(&sheets[0].0).1, &sheets[0].1[1][first_column]);
        sheets[0].1[1][first_column] = typed.into();
        let bad_column = column_of(&sheets[1].1, "ĐĐGtx 2");
        sheets[1].1[3][bad_column] = "11".into();
        let (status, report) = ctx.upload(&ctx.admin, write_workbook(&sheets)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{e}] {report}");
        let errors = report["errors"].as_array().unwrap();
        assert_eq!(errors.len(), 1, "[{e}] {report}");
        assert_eq!(errors[0]["sheet"], sheets[1].0.as_str(), "[{e}] {report}");
        assert_eq!(errors[0]["row_number"], 4, "[{e}] {report}");
        assert_eq!(errors[0]["column_label"], "ĐĐGtx 2", "[{e}] {report}");
        assert!(
            errors[0]["message"].as_str().unwrap().contains("10"),
            "[{e}] {report}"
        );
        assert_eq!(report["applied"], false, "[{e}]");
        assert_eq!(
            ctx.stored(expected[0].0, student, "regular:2").await,
            before_first,
            "[{e}] the first sheet was not written"
        );

        // A subject teacher gets only the subjects they teach there.
        let (status, bytes) = ctx.download(&ctx.teacher).await;
        assert_eq!(status, StatusCode::OK, "[{e}]");
        let mine = read_workbook(&bytes);
        let mut ids: Vec<i64> = mine.iter().map(|(name, _)| ctx.subject(name).0).collect();
        ids.sort_unstable();
        assert_eq!(ids, ctx.taught, "[{e}] the teacher's sheets");
        assert!(mine.len() < sheets.len(), "[{e}]");
        // The administrator's whole workbook is refused for the teacher,
        // naming the sheets of the other subjects.
        sheets[1].1[3][bad_column] = String::new();
        let (status, report) = ctx.upload(&ctx.teacher, write_workbook(&sheets)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{e}] {report}");
        let refused: Vec<&str> = report["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["sheet"].as_str().unwrap())
            .collect();
        assert_eq!(refused.len(), sheets.len() - mine.len(), "[{e}] {report}");
        assert!(
            report["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("không được phân công"),
            "[{e}] {report}"
        );
        assert!(
            report["excluded"].as_array().unwrap().len() == sheets.len() - mine.len(),
            "[{e}] {report}"
        );

        // The teacher's own workbook goes in.
        let mut mine = mine;
        let (subject, commented) = ctx.subject(&mine[0].0);
        let column = column_of(&mine[0].1, "ĐĐGck");
        let (typed, stored) = another_value(commented, &mine[0].1[2][column]);
        mine[0].1[2][column] = typed.into();
        let second = order[1].parse::<i64>().unwrap();
        let (status, report) = ctx.upload(&ctx.teacher, write_workbook(&mine)).await;
        assert_eq!(status, StatusCode::OK, "[{e}] {report}");
        assert_eq!(report["changed"], 1, "[{e}] {report}");
        assert_eq!(
            ctx.stored(subject, second, "final").await.as_deref(),
            Some(stored),
            "[{e}]"
        );

        // A locked column refuses its cells, with the reason; nothing saved.
        env.write_expect(
            Method::PUT,
            &ctx.admin,
            &format!(
                "/api/v1/schools/{}/gradebook/{}/{subject}/{}/locks",
                ctx.school, ctx.class, ctx.semester
            ),
            json!({"column": "midterm", "locked": true, "reason": "Đã chốt điểm giữa kỳ"}),
            StatusCode::OK,
        )
        .await;
        let before = ctx.stored(subject, second, "midterm").await;
        let column = column_of(&mine[0].1, "ĐĐGgk");
        let (typed, _) = another_value(commented, &mine[0].1[2][column]);
        mine[0].1[2][column] = typed.into();
        let (status, report) = ctx.upload(&ctx.teacher, write_workbook(&mine)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{e}] {report}");
        let error = &report["errors"][0];
        assert_eq!(error["sheet"], mine[0].0.as_str(), "[{e}] {report}");
        assert_eq!(error["row_number"], 3, "[{e}] {report}");
        assert_eq!(error["column_label"], "ĐĐGgk", "[{e}] {report}");
        assert!(
            error["message"]
                .as_str()
                .unwrap()
                .contains("Đã chốt điểm giữa kỳ"),
            "[{e}] {report}"
        );
        assert_eq!(
            ctx.stored(subject, second, "midterm").await,
            before,
            "[{e}]"
        );

        // A leader reads gradebooks but enters none: refused with the reason.
        let leader = env.token("thpt.hieutruong").await;
        let (status, body) = env
            .call(
                Method::GET,
                &format!("{}/workbook.xlsx", ctx.api()),
                Some(&leader),
                Payload::None,
            )
            .await;
        assert_forbidden(e, "a leader downloads a class workbook", status, &body);

        // The UI page: what is in the teacher's file, what is left out and
        // why; an upload through the form (multipart, CSRF) saves.
        let browser = sign_in(&env, "thpt.gvbm").await;
        let page_path = format!(
            "/schools/{}/classes/{}/gradebook/{}/excel",
            ctx.school, ctx.class, ctx.semester
        );
        let response = env
            .http
            .get(format!("{}{page_path}", env.base))
            .header(header::COOKIE, &browser.cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "[{e}]");
        let page = response.text().await.unwrap();
        assert!(page.contains("Các môn không có trong tệp"), "[{e}]");
        assert!(page.contains("không được phân công dạy môn này"), "[{e}]");
        let column = column_of(&mine[0].1, "ĐĐGgk");
        mine[0].1[2][column] = before.as_deref().unwrap_or_default().replace('.', ",");
        let column = column_of(&mine[0].1, "ĐĐGtx 1");
        let (typed, stored) = another_value(commented, &mine[0].1[3][column]);
        mine[0].1[3][column] = typed.into();
        let third = order[2].parse::<i64>().unwrap();
        let response = env
            .http
            .post(format!("{}{page_path}", env.base))
            .header(header::COOKIE, &browser.cookie)
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(multipart(&browser.csrf, &write_workbook(&mine)))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "[{e}]");
        let page = response.text().await.unwrap();
        assert!(page.contains("Đã lưu 1 ô từ tệp Excel"), "[{e}] {page}");
        assert_eq!(
            ctx.stored(subject, third, "regular:1").await.as_deref(),
            Some(stored),
            "[{e}]"
        );
        eprintln!("[{e}] class workbook checks passed");
    }
}
