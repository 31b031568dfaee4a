//! Exams and the sync of a paper's scores into the gradebook (seed 000),
//! end to end over HTTP against the real server on the demo data set, on
//! every engine (SQLite, and PostgreSQL under `scripts/test`):
//! the THPT administrator creates a regular exam with a Toán paper for two
//! classes of a grade (the first of them already holds the demo's Toán
//! scores), enters scores by the API and by an .xlsx file (a bad row is
//! refused by row and column, all or nothing), cannot sync before
//! finalising, sees in the wizard which columns each class can take and
//! which students are left out and why, syncs: the free class is written
//! (shield marker, average, trail naming the exam and paper), the full one
//! is refused with the names; a second sync and five concurrent ones give
//! no second sync; the paper is frozen; a subject teacher may not sync.

mod common;

use common::{Env, Payload, assert_forbidden, id};
use hocba_test_support::Engine;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_exam_paper_syncs_into_the_gradebook_once_with_its_reasons() {
    for db in hocba_test_support::test_databases().await {
        let env = Env::start(db).await;
        let ctx = Context::new(&env).await;
        let paper = ctx.the_admin_creates_an_exam_and_a_paper().await;
        ctx.scores_are_entered_by_api_and_excel(paper).await;
        ctx.the_wizard_explains_every_class(paper).await;
        ctx.the_sync_writes_the_free_class_once(paper).await;
        ctx.the_synced_paper_is_frozen(paper).await;
        ctx.a_free_exam_and_a_teacher_are_refused().await;
        a_primary_class_is_not_synced(&env).await;
        eprintln!("[{}] exam checks passed", env.engine);
    }
}

struct Context<'a> {
    env: &'a Env,
    engine: Engine,
    base: String,
    admin: String,
    teacher: String,
    semester: i64,
    /// The demo's first class, whose Toán is filled in the open semester.
    full_class: i64,
    full_class_name: String,
    /// Another class of the same grade, with an empty Toán gradebook.
    free_class: i64,
    maths: i64,
}

impl<'a> Context<'a> {
    async fn new(env: &'a Env) -> Context<'a> {
        let engine = env.engine;
        let school = env.school_of("thpt.admin");
        let base = format!("/api/v1/schools/{school}");
        let admin = env.token("thpt.admin").await;
        let teacher = env.token("thpt.gvbm").await;
        let windows = env.get_ok(&admin, &format!("{base}/entry-windows")).await;
        let semester = windows["windows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|w| w["state"] == "open")
            .and_then(|w| w["semester"].as_i64())
            .unwrap_or_else(|| panic!("[{engine}] the demo opens no entry window"));
        let classes = env.get_ok(&admin, &format!("{base}/classes")).await;
        let classes = classes.as_array().unwrap();
        let grade = classes[0]["grade"].as_i64().unwrap();
        let subjects = env
            .get_ok(&admin, &format!("{base}/subjects?grade={grade}"))
            .await;
        let maths = subjects
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["code"] == "TOAN")
            .map(id)
            .expect("Toán");
        // The class whose Toán the demo filled, and another of the grade.
        let mut full = None;
        let mut free = None;
        for class in classes.iter().filter(|c| c["grade"] == grade) {
            let book = env
                .get_ok(
                    &admin,
                    &format!("{base}/gradebook/{}/{maths}/{semester}", id(class)),
                )
                .await;
            let filled = book["students"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["cells"].as_object().is_some_and(|c| !c.is_empty()));
            match (filled, &full, &free) {
                (true, None, _) => full = Some(class.clone()),
                (false, _, None) => free = Some(class.clone()),
                _ => {}
            }
        }
        let full = full.unwrap_or_else(|| panic!("[{engine}] no filled Toán gradebook"));
        let free = free.unwrap_or_else(|| panic!("[{engine}] no empty Toán gradebook"));
        Context {
            env,
            engine,
            base,
            admin,
            teacher,
            semester,
            full_class: id(&full),
            full_class_name: full["name"].as_str().unwrap().to_owned(),
            free_class: id(&free),
            maths,
        }
    }

    async fn call(&self, method: Method, path: &str, body: Value) -> (StatusCode, Value) {
        self.env
            .call(method, path, Some(&self.admin), Payload::Json(body))
            .await
    }

    async fn the_admin_creates_an_exam_and_a_paper(&self) -> i64 {
        let exam = self
            .env
            .write_expect(
                Method::POST,
                &self.admin,
                &format!("{}/exams", self.base),
                json!({"name": "Kiểm tra giữa kỳ", "kind": "regular", "semester": self.semester}),
                StatusCode::CREATED,
            )
            .await;
        // A class of another grade cannot sit the paper.
        let classes = self
            .env
            .get_ok(&self.admin, &format!("{}/classes", self.base))
            .await;
        let grade = classes
            .as_array()
            .unwrap()
            .iter()
            .find(|c| id(c) == self.full_class)
            .unwrap()["grade"]
            .clone();
        let other_grade = classes
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["grade"] != grade)
            .map(id)
            .expect("a class of another grade");
        let (status, body) = self
            .call(
                Method::POST,
                &format!("{}/exams/{}/papers", self.base, id(&exam)),
                json!({"name": "Toán", "subject_id": self.maths, "classes": [self.free_class, other_grade]}),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{}] {body}",
            self.engine
        );
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("cùng khối"),
            "[{}] {body}",
            self.engine
        );
        let paper = self
            .env
            .write_expect(
                Method::POST,
                &self.admin,
                &format!("{}/exams/{}/papers", self.base, id(&exam)),
                json!({"name": "Toán — giữa kỳ", "subject_id": self.maths,
                       "classes": [self.full_class, self.free_class]}),
                StatusCode::CREATED,
            )
            .await;
        assert_eq!(paper["state"]["state"], "open", "[{}] {paper}", self.engine);
        id(&paper)
    }

    fn paper(&self, paper: i64) -> String {
        format!("{}/exam-papers/{paper}", self.base)
    }

    async fn sheet(&self, paper: i64) -> Value {
        self.env.get_ok(&self.admin, &self.paper(paper)).await
    }

    async fn scores_are_entered_by_api_and_excel(&self, paper: i64) {
        let sheet = self.sheet(paper).await;
        let rows = sheet["rows"].as_array().unwrap();
        assert!(rows.len() > 40, "[{}] two classes of students", self.engine);
        // By the API: every student a score, "8,5" style accepted.
        let scores: Vec<Value> = rows
            .iter()
            .enumerate()
            .map(|(i, row)| {
                json!({"student_id": row["student_id"], "value": format!("{},{}", 5 + i % 5, i % 10)})
            })
            .collect();
        let (status, body) = self
            .call(
                Method::PUT,
                &format!("{}/scores", self.paper(paper)),
                json!({ "scores": scores }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "[{}] {body}", self.engine);
        assert_eq!(body["written"], rows.len(), "[{}] {body}", self.engine);

        // By Excel: the file comes pre-filled; a bad score on one row is
        // refused by row and column and nothing changes.
        let response = self
            .env
            .send(
                Method::GET,
                &format!("{}/scores.xlsx", self.paper(paper)),
                Some(&self.admin),
                Payload::None,
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK, "[{}]", self.engine);
        let bytes = response.bytes().await.unwrap().to_vec();
        let columns = [
            hocba_spreadsheet::id_column(),
            hocba_spreadsheet::Column::extra("score", "Điểm", true),
        ];
        let table = hocba_spreadsheet::read_table(&bytes, &columns, &Default::default())
            .unwrap_or_else(|e| panic!("[{}] the download reads back: {e}", self.engine));
        assert_eq!(table.rows.len(), rows.len(), "[{}]", self.engine);
        let first = &table.rows[0];
        assert_eq!(
            first.values["score"], "5,0",
            "[{}] pre-filled with the decimal comma",
            self.engine
        );
        let mut edited: Vec<Vec<String>> = table
            .rows
            .iter()
            .map(|r| vec![r.values["id"].clone(), "9,5".into()])
            .collect();
        edited[2][1] = "10,5".into();
        let bad = hocba_spreadsheet::write_template("Bảng điểm", &columns, &edited).unwrap();
        let (status, body) = self
            .env
            .call(
                Method::POST,
                &format!("{}/import", self.paper(paper)),
                Some(&self.admin),
                Payload::Bytes(bad.clone()),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{}] {body}",
            self.engine
        );
        let error = &body["errors"][0];
        assert_eq!(
            error["row_number"], table.rows[2].row_number,
            "[{}] {body}",
            self.engine
        );
        assert_eq!(error["column_label"], "Điểm", "[{}] {body}", self.engine);
        // The page says the same, with the error file to download.
        let browser = common::session::sign_in(self.env, "thpt.admin").await;
        let school = self.base.rsplit('/').next().unwrap();
        let response = self
            .env
            .http
            .post(format!(
                "{}/schools/{school}/exam-papers/{paper}/import",
                self.env.base
            ))
            .header(reqwest::header::COOKIE, &browser.cookie)
            .header(
                reqwest::header::CONTENT_TYPE,
                format!(
                    "multipart/form-data; boundary={}",
                    common::session::BOUNDARY
                ),
            )
            .body(common::session::multipart(&browser.csrf, &bad))
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{}]",
            self.engine
        );
        let page = response.text().await.unwrap();
        let place = format!("Dòng {}, cột “Điểm”", table.rows[2].row_number);
        assert!(
            page.contains(&place),
            "[{}] the page names {place}",
            self.engine
        );
        assert!(
            page.contains("Tải file lỗi (Excel)")
                && page.contains(
                    "data:application/vnd.openxmlformats-officedocument.spreadsheetml.sheet;base64,"
                ),
            "[{}] the error file is offered",
            self.engine
        );
        let unchanged = self.sheet(paper).await;
        assert_eq!(
            unchanged["rows"][0]["score"], "5.0",
            "[{}] all or nothing",
            self.engine
        );
        edited[2][1] = "7".into();
        let good = hocba_spreadsheet::write_template("Bảng điểm", &columns, &edited).unwrap();
        let (status, body) = self
            .env
            .call(
                Method::POST,
                &format!("{}/import", self.paper(paper)),
                Some(&self.admin),
                Payload::Bytes(good),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "[{}] {body}", self.engine);
        let sheet = self.sheet(paper).await;
        assert_eq!(sheet["rows"][0]["score"], "9.5", "[{}]", self.engine);
        assert_eq!(sheet["rows"][2]["score"], "7.0", "[{}]", self.engine);
    }

    async fn the_wizard_explains_every_class(&self, paper: i64) {
        // Not final: the sync is refused with the reason.
        let (status, body) = self
            .call(
                Method::POST,
                &format!("{}/sync", self.paper(paper)),
                json!({"classes": [{"class_id": self.free_class, "column": "midterm"}]}),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{}] {body}",
            self.engine
        );
        assert_eq!(
            body["error"]["code"], "score_sheet_not_final",
            "[{}]",
            self.engine
        );
        assert!(
            body["error"]["remedy"]
                .as_str()
                .unwrap()
                .contains("Chốt điểm"),
            "[{}] {body}",
            self.engine
        );
        let (status, body) = self
            .call(
                Method::POST,
                &format!("{}/final", self.paper(paper)),
                json!({"final": true}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "[{}] {body}", self.engine);
        assert_eq!(body["state"]["state"], "final", "[{}]", self.engine);
        // Final: a score can no longer be typed.
        let (status, body) = self
            .call(
                Method::PUT,
                &format!("{}/scores", self.paper(paper)),
                json!({"scores": []}),
            )
            .await;
        assert_eq!(status, StatusCode::LOCKED, "[{}] {body}", self.engine);
        assert_eq!(
            body["error"]["code"], "score_sheet_final",
            "[{}]",
            self.engine
        );

        let preview = self
            .env
            .get_ok(&self.admin, &format!("{}/sync", self.paper(paper)))
            .await;
        assert!(preview["block"].is_null(), "[{}] {preview}", self.engine);
        let class = |id: i64| {
            preview["classes"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["class_id"] == id)
                .cloned()
                .unwrap()
        };
        let full = class(self.full_class);
        for column in full["columns"].as_array().unwrap() {
            let block = &column["block"];
            assert_eq!(
                block["code"], "column_has_scores",
                "[{}] {full}",
                self.engine
            );
            assert!(
                block["reason"]
                    .as_str()
                    .unwrap()
                    .contains(&self.full_class_name),
                "[{}] {block}",
                self.engine
            );
        }
        let free = class(self.free_class);
        assert!(
            free["columns"]
                .as_array()
                .unwrap()
                .iter()
                .all(|c| c["block"].is_null()),
            "[{}] every column of the empty gradebook is free: {free}",
            self.engine
        );
        // The students left out are exactly those without a ministry code.
        let sheet = self.sheet(paper).await;
        let without_code: Vec<i64> = sheet["rows"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["class_id"] == self.free_class && r["moet_code"].is_null())
            .map(|r| r["student_id"].as_i64().unwrap())
            .collect();
        let skipped: Vec<i64> = free["skipped"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                assert_eq!(s["reason_code"], "no_moet_code", "[{}] {s}", self.engine);
                s["student_id"].as_i64().unwrap()
            })
            .collect();
        let mut sorted = skipped.clone();
        sorted.sort();
        let mut expected = without_code.clone();
        expected.sort();
        assert_eq!(sorted, expected, "[{}]", self.engine);
        let class_size = sheet["rows"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["class_id"] == self.free_class)
            .count();
        assert_eq!(
            free["to_write"].as_u64().unwrap() as usize,
            class_size - without_code.len(),
            "[{}]",
            self.engine
        );
    }

    async fn the_sync_writes_the_free_class_once(&self, paper: i64) {
        let body = json!({"classes": [
            {"class_id": self.full_class, "column": "regular:1"},
            {"class_id": self.free_class, "column": "midterm"},
        ]});
        // Five at once (a double click, a retry, two people): one sync.
        let path = format!("{}/sync", self.paper(paper));
        let mut tasks = Vec::new();
        for _ in 0..5 {
            tasks.push(self.call(Method::POST, &path, body.clone()));
        }
        let answers = futures_join_all(tasks).await;
        let done: Vec<&Value> = answers
            .iter()
            .filter(|(status, _)| *status == StatusCode::OK)
            .map(|(_, body)| body)
            .collect();
        assert_eq!(done.len(), 1, "[{}] {answers:?}", self.engine);
        for (status, body) in &answers {
            if *status != StatusCode::OK {
                assert_eq!(*status, StatusCode::CONFLICT, "[{}] {body}", self.engine);
                assert_eq!(
                    body["error"]["code"], "paper_already_synced",
                    "[{}]",
                    self.engine
                );
            }
        }
        let run = &done[0]["run"];
        let result = |id: i64| {
            run["classes"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["class_id"] == id)
                .cloned()
                .unwrap()
        };
        let full = result(self.full_class);
        assert_eq!(full["status"], "refused", "[{}] {full}", self.engine);
        assert_eq!(
            full["block"]["code"], "column_has_scores",
            "[{}]",
            self.engine
        );
        let free = result(self.free_class);
        assert_eq!(free["status"], "synced", "[{}] {free}", self.engine);
        let written = free["written"].as_i64().unwrap();
        assert!(written > 30, "[{}] {free}", self.engine);

        // The gradebook: the scores with the shield, and the trail naming
        // the exam and the paper, one row per written score.
        let book = self
            .env
            .get_ok(
                &self.admin,
                &format!(
                    "{}/gradebook/{}/{}/{}",
                    self.base, self.free_class, self.maths, self.semester
                ),
            )
            .await;
        let sheet = self.sheet(paper).await;
        let mut shielded = 0;
        for student in book["students"].as_array().unwrap() {
            let cell = &student["cells"]["midterm"];
            let on_sheet = sheet["rows"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["student_id"] == student["id"])
                .unwrap();
            if on_sheet["moet_code"].is_null() {
                assert!(
                    cell.is_null() || cell["value"].is_null(),
                    "[{}] {student}",
                    self.engine
                );
                assert_eq!(on_sheet["synced"], false, "[{}]", self.engine);
                continue;
            }
            assert_eq!(
                cell["value"], on_sheet["score"],
                "[{}] {student}",
                self.engine
            );
            assert_eq!(cell["synced"], true, "[{}] {student}", self.engine);
            assert_eq!(on_sheet["synced"], true, "[{}]", self.engine);
            shielded += 1;
        }
        assert_eq!(shielded, written, "[{}]", self.engine);
        let history = self
            .env
            .get_ok(
                &self.admin,
                &format!(
                    "{}/gradebook/{}/{}/{}/history",
                    self.base, self.free_class, self.maths, self.semester
                ),
            )
            .await;
        let synced: Vec<&Value> = history["changes"]
            .as_array()
            .unwrap_or_else(|| panic!("[{}] history: {history}", self.engine))
            .iter()
            .filter(|c| c["channel"] == "sync")
            .collect();
        assert_eq!(synced.len() as i64, written, "[{}]", self.engine);
        assert!(
            synced[0]["reason"]
                .as_str()
                .unwrap()
                .contains("Kiểm tra giữa kỳ"),
            "[{}] {}",
            self.engine,
            synced[0]
        );

        // Once only, even for a class left out.
        let (status, body) = self
            .call(
                Method::POST,
                &format!("{}/sync", self.paper(paper)),
                json!({"classes": [{"class_id": self.full_class, "column": "final"}]}),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "[{}] {body}", self.engine);
        assert_eq!(
            body["error"]["code"], "paper_already_synced",
            "[{}]",
            self.engine
        );
        assert!(
            body["error"]["run"]["classes"].is_array(),
            "[{}] {body}",
            self.engine
        );
    }

    async fn the_synced_paper_is_frozen(&self, paper: i64) {
        let (status, body) = self
            .call(
                Method::PUT,
                &self.paper(paper),
                json!({"name": "Đổi tên", "subject_id": self.maths, "classes": [self.free_class]}),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{}] {body}",
            self.engine
        );
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("không được sửa hay xóa"),
            "[{}] {body}",
            self.engine
        );
        let (status, _) = self
            .env
            .call(
                Method::DELETE,
                &self.paper(paper),
                Some(&self.admin),
                Payload::None,
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{}]",
            self.engine
        );
        let (status, body) = self
            .call(
                Method::POST,
                &format!("{}/final", self.paper(paper)),
                json!({"final": false}),
            )
            .await;
        assert_eq!(status, StatusCode::LOCKED, "[{}] {body}", self.engine);
        assert_eq!(body["error"]["code"], "paper_synced", "[{}]", self.engine);
        let sheet = self.sheet(paper).await;
        assert_eq!(
            sheet["paper"]["state"]["state"], "synced",
            "[{}]",
            self.engine
        );
    }

    async fn a_free_exam_and_a_teacher_are_refused(&self) {
        let exam = self
            .env
            .write_expect(
                Method::POST,
                &self.admin,
                &format!("{}/exams", self.base),
                json!({"name": "Luyện tập", "kind": "free", "semester": self.semester}),
                StatusCode::CREATED,
            )
            .await;
        let paper = self
            .env
            .write_expect(
                Method::POST,
                &self.admin,
                &format!("{}/exams/{}/papers", self.base, id(&exam)),
                json!({"name": "Toán luyện tập", "subject_id": self.maths, "classes": [self.free_class]}),
                StatusCode::CREATED,
            )
            .await;
        let paper = id(&paper);
        self.call(
            Method::POST,
            &format!("{}/final", self.paper(paper)),
            json!({"final": true}),
        )
        .await;
        let preview = self
            .env
            .get_ok(&self.admin, &format!("{}/sync", self.paper(paper)))
            .await;
        assert_eq!(
            preview["block"]["code"], "exam_not_regular",
            "[{}] {preview}",
            self.engine
        );
        let (status, body) = self
            .call(
                Method::POST,
                &format!("{}/sync", self.paper(paper)),
                json!({"classes": [{"class_id": self.free_class, "column": "final"}]}),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{}] {body}",
            self.engine
        );
        assert_eq!(
            body["error"]["code"], "exam_not_regular",
            "[{}]",
            self.engine
        );
        // A subject teacher neither syncs nor enters exam scores.
        let (status, body) = self
            .env
            .call(
                Method::POST,
                &format!("{}/sync", self.paper(paper)),
                Some(&self.teacher),
                Payload::Json(json!({"classes": []})),
            )
            .await;
        assert_forbidden(self.engine, "a teacher syncing", status, &body);
    }
}

/// A primary school's paper: the wizard says why its class cannot sync
/// (seed 000 §1: lower and upper secondary only).
async fn a_primary_class_is_not_synced(env: &Env) {
    let engine = env.engine;
    let school = env.school_of("th.admin");
    let base = format!("/api/v1/schools/{school}");
    let admin = env.token("th.admin").await;
    let classes = env.get_ok(&admin, &format!("{base}/classes")).await;
    let class = &classes[0];
    let grade = class["grade"].as_i64().unwrap();
    let subjects = env
        .get_ok(&admin, &format!("{base}/subjects?grade={grade}"))
        .await;
    let subject = id(&subjects[0]);
    let exam = env
        .write_expect(
            Method::POST,
            &admin,
            &format!("{base}/exams"),
            json!({"name": "Kiểm tra cuối kỳ", "kind": "regular", "semester": 1}),
            StatusCode::CREATED,
        )
        .await;
    let paper = env
        .write_expect(
            Method::POST,
            &admin,
            &format!("{base}/exams/{}/papers", id(&exam)),
            json!({"name": "Đề tiểu học", "subject_id": subject, "classes": [id(class)]}),
            StatusCode::CREATED,
        )
        .await;
    let preview = env
        .get_ok(&admin, &format!("{base}/exam-papers/{}/sync", id(&paper)))
        .await;
    let block = &preview["classes"][0]["block"];
    assert_eq!(block["code"], "level_not_secondary", "[{engine}] {preview}");
    assert!(
        block["reason"].as_str().unwrap().contains("THCS và THPT"),
        "[{engine}] {block}"
    );
}

/// Runs the futures concurrently on the test's runtime.
async fn futures_join_all<F, T>(futures: Vec<F>) -> Vec<T>
where
    F: std::future::Future<Output = T>,
{
    let mut pinned: Vec<std::pin::Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut results: Vec<Option<T>> = pinned.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (future, result) in pinned.iter_mut().zip(results.iter_mut()) {
            if result.is_none() {
                match future.as_mut().poll(cx) {
                    std::task::Poll::Ready(value) => *result = Some(value),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    results.into_iter().map(|r| r.unwrap()).collect()
}
