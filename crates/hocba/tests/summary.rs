//! The term summary over HTTP, on every engine: a class summary computed by
//! the assessment library with the reasons per student, who may see and do
//! what, the class summary sheet (.xlsx, and PDF with the same lines) and
//! the chart (SVG), closing the book (cells refused with the reason) and an
//! administrator reopening it (audited), absences and the promotion list,
//! grade-entry progress, and the Excel round trip of one gradebook (all or
//! nothing, a per-cell error table, channel `excel`).
//!
//! And crash safety (issue 4 item 12): the real program, serving a SQLite
//! file with a 2,000-student school, is killed with SIGKILL while it writes
//! a school summary; after a restart the stored summary is either the whole
//! new one or the one before (or none), never a mix.

mod common;

use common::{Env, Payload, id};
use hocba_domain::gradebook::Semester;
use hocba_storage::Actor;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::io::Cursor;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

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

async fn download(env: &Env, token: &str, path: &str) -> (StatusCode, String, Vec<u8>) {
    let response = env
        .send(Method::GET, path, Some(token), Payload::None)
        .await;
    let status = response.status();
    let kind = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, kind, response.bytes().await.unwrap().to_vec())
}

/// Every cell of the first sheet, as text.
fn sheet_cells(bytes: &[u8]) -> Vec<Vec<String>> {
    use calamine::{Reader, Xlsx};
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).expect("an xlsx");
    let name = workbook.sheet_names()[0].clone();
    let range = workbook.worksheet_range(&name).expect("the first sheet");
    range
        .rows()
        .map(|row| row.iter().map(|c| c.to_string()).collect())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_summary_over_http() {
    for db in hocba_test_support::test_databases().await {
        let env = Env::start(db).await;
        let e = env.engine;
        let school = env.school_of("thpt.admin");
        let admin = env.token("thpt.admin").await;
        let gvcn = env.token("thpt.gvcn").await;
        let gvbm = env.token("thpt.gvbm").await;
        let leader = env.token("thpt.hieutruong").await;
        let class = homeroom_class(&env, &admin, school).await;
        let class_id = id(&class);
        let base = format!("/api/v1/schools/{school}/classes/{class_id}/summary");

        // Before any grade: a preview, every line saying what is missing.
        let preview = env.get_ok(&gvcn, &format!("{base}/1")).await;
        assert_eq!(preview["stored"], false, "[{e}]");
        let first = &preview["lines"][0];
        assert_eq!(first["complete"], false, "[{e}]");
        assert!(
            first["missing"][0].as_str().unwrap().starts_with("Môn "),
            "[{e}] {first}"
        );
        // A subject teacher does not see the class's summary; the reason says why.
        let (status, body) = env
            .call(
                Method::GET,
                &format!("{base}/1"),
                Some(&gvbm),
                Payload::None,
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "[{e}] {body}");
        assert!(body["error"]["reason"].as_str().is_some(), "[{e}] {body}");

        // Fill the class's gradebook (both semesters) and conduct.
        let year = env
            .store
            .current_year(hocba_domain::SchoolId(school))
            .await
            .unwrap()
            .id;
        hocba::bench::fill_gradebook(
            &env.store,
            &Actor::system("kiểm thử"),
            hocba_domain::SchoolId(school),
            year,
            Some(hocba_domain::ClassId(class_id)),
        )
        .await
        .unwrap();

        // The homeroom teacher computes the class's summary.
        let summary = env
            .write_expect(
                Method::POST,
                &gvcn,
                &format!("{base}/1"),
                json!(null),
                StatusCode::OK,
            )
            .await;
        assert_eq!(summary["stored"], true, "[{e}]");
        let lines = summary["lines"].as_array().unwrap();
        assert!(lines.len() >= 30, "[{e}] {} lines", lines.len());
        assert!(lines.iter().all(|l| l["complete"] == true), "[{e}]");
        let reasons = lines[0]["reasons"].as_array().unwrap();
        assert!(
            reasons.iter().any(|r| r["sentence"]
                .as_str()
                .unwrap()
                .starts_with("Điểm trung bình môn Toán học kỳ I")),
            "[{e}] {reasons:?}"
        );
        assert!(
            reasons.iter().any(|r| r["sentence"]
                .as_str()
                .unwrap()
                .starts_with("Kết quả học tập học kỳ I")),
            "[{e}]"
        );
        assert!(
            summary["distribution"].as_array().unwrap().len() >= 10,
            "[{e}]"
        );
        assert_eq!(summary["may"]["close"], true, "[{e}]");
        assert_eq!(summary["may"]["reopen"], false, "[{e}]");

        // The school summary is the administrator's; the leader reads it.
        let (status, _) = env
            .call(
                Method::POST,
                &format!("/api/v1/schools/{school}/summaries/1"),
                Some(&gvcn),
                Payload::None,
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "[{e}]");
        let run = env
            .write_expect(
                Method::POST,
                &admin,
                &format!("/api/v1/schools/{school}/summaries/1"),
                json!(null),
                StatusCode::OK,
            )
            .await;
        assert_eq!(run["classes"], 9, "[{e}] {run}");
        let overview = env
            .get_ok(&leader, &format!("/api/v1/schools/{school}/summaries/1"))
            .await;
        assert_eq!(overview["totals"]["students"], run["students"], "[{e}]");

        // The sheet and the chart.
        let (status, kind, bytes) = download(&env, &gvcn, &format!("{base}/1/sheet.xlsx")).await;
        assert_eq!(status, StatusCode::OK, "[{e}]");
        assert!(kind.contains("spreadsheetml"), "[{e}] {kind}");
        let cells = sheet_cells(&bytes);
        assert!(
            cells[1][0].starts_with("BẢNG TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ HỌC KỲ I"),
            "[{e}] {:?}",
            cells[1]
        );
        assert_eq!(
            cells[6][1],
            lines[0]["full_name"].as_str().unwrap(),
            "[{e}]"
        );
        let (status, kind, svg) = download(&env, &gvcn, &format!("{base}/1/chart.svg")).await;
        assert_eq!(status, StatusCode::OK, "[{e}]");
        assert!(kind.starts_with("image/svg+xml"), "[{e}] {kind}");
        let svg = String::from_utf8(svg).unwrap();
        assert!(
            svg.starts_with("<svg") && svg.contains("Toán") && svg.ends_with("</svg>"),
            "[{e}]"
        );

        // Closing the book: confirm required; then every cell is refused.
        let (status, _) = env
            .call(
                Method::POST,
                &format!("{base}/1/close"),
                Some(&gvcn),
                Payload::Json(json!({})),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "[{e}]");
        let closed = env
            .write_expect(
                Method::POST,
                &gvcn,
                &format!("{base}/1/close"),
                json!({"confirm": true}),
                StatusCode::OK,
            )
            .await;
        assert_eq!(closed["closed"], true, "[{e}]");
        let subjects = env
            .get_ok(
                &admin,
                &format!("/api/v1/schools/{school}/subjects?grade={}", class["grade"]),
            )
            .await;
        let maths = subjects
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["code"] == "TOAN")
            .map(id)
            .unwrap();
        let book = format!("/api/v1/schools/{school}/gradebook/{class_id}/{maths}/1");
        let grid = env.get_ok(&admin, &book).await;
        let student = &grid["students"][0];
        let cell = &student["cells"]["regular:1"];
        let (status, body) = env
            .call(
                Method::PUT,
                &format!("{book}/cells"),
                Some(&admin),
                Payload::Json(
                    json!({"student_id": student["id"], "column": "regular:1", "value": "5",
                                      "version": cell["version"], "override": true}),
                ),
            )
            .await;
        assert_eq!(status, StatusCode::LOCKED, "[{e}] {body}");
        assert_eq!(body["error"]["rule"], "term_closed", "[{e}] {body}");
        assert!(
            body["error"]["remedy"]
                .as_str()
                .unwrap()
                .contains("mở lại sổ"),
            "[{e}] {body}"
        );

        // Reopening: the administrator only, with a reason, audited.
        let (status, _) = env
            .call(
                Method::POST,
                &format!("{base}/1/reopen"),
                Some(&gvcn),
                Payload::Json(json!({"reason": "x"})),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "[{e}]");
        let (status, body) = env
            .call(
                Method::POST,
                &format!("{base}/1/reopen"),
                Some(&admin),
                Payload::Json(json!({"reason": " "})),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{e}] {body}");
        let reopened = env
            .write_expect(
                Method::POST,
                &admin,
                &format!("{base}/1/reopen"),
                json!({"reason": "Sửa điểm Toán nhập nhầm"}),
                StatusCode::OK,
            )
            .await;
        assert_eq!(reopened["closed"], false, "[{e}]");
        let audit = env
            .get_ok(&admin, &format!("/api/v1/schools/{school}/audit"))
            .await;
        assert!(
            audit.to_string().contains("Sửa điểm Toán nhập nhầm"),
            "[{e}] the reopening is in the audit log"
        );

        // Excel round trip of Toán HK I: download, change two cells (one
        // invalid), upload: refused as a whole with the cell named; fixed:
        // saved through channel excel.
        let (status, _, sheet) = download(&env, &admin, &format!("{book}/sheet.xlsx")).await;
        assert_eq!(status, StatusCode::OK, "[{e}]");
        let mut rows = sheet_cells(&sheet);
        let header = rows
            .iter()
            .position(|r| r.iter().any(|c| c == "ĐĐGtx 1"))
            .expect("header");
        let column = rows[header].iter().position(|c| c == "ĐĐGtx 1").unwrap();
        let midterm = rows[header].iter().position(|c| c == "ĐĐGgk").unwrap();
        rows[header + 1][column] = "7,5".into();
        rows[header + 2][midterm] = "11".into();
        let upload = |rows: &Vec<Vec<String>>| {
            let mut workbook = rust_xlsxwriter::Workbook::new();
            let out = workbook.add_worksheet();
            for (r, row) in rows.iter().enumerate() {
                for (c, text) in row.iter().enumerate() {
                    out.write_string(r as u32, c as u16, text).unwrap();
                }
            }
            workbook.save_to_buffer().unwrap()
        };
        let (status, report) = env
            .call(
                Method::POST,
                &format!("{book}/import?override=true"),
                Some(&admin),
                Payload::Bytes(upload(&rows)),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{e}] {report}");
        let errors = report["errors"].as_array().unwrap();
        assert_eq!(errors.len(), 1, "[{e}] {report}");
        assert_eq!(errors[0]["column_label"], "ĐĐGgk", "[{e}] {report}");
        assert_eq!(errors[0]["row_number"], header + 3, "[{e}] {report}");
        assert!(
            errors[0]["message"]
                .as_str()
                .unwrap()
                .contains("lớn hơn 10"),
            "[{e}] {report}"
        );
        let unchanged = env.get_ok(&admin, &book).await;
        assert_eq!(
            unchanged["students"][0]["cells"]["regular:1"],
            grid["students"][0]["cells"]["regular:1"],
            "[{e}] nothing saved"
        );
        rows[header + 2][midterm] = "9".into();
        let (status, report) = env
            .call(
                Method::POST,
                &format!("{book}/import?override=true"),
                Some(&admin),
                Payload::Bytes(upload(&rows)),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "[{e}] {report}");
        assert_eq!(report["changed"], 2, "[{e}] {report}");
        let history = env.get_ok(&admin, &format!("{book}/history")).await;
        assert!(history.to_string().contains("\"excel\""), "[{e}] {history}");

        // After the year: too many absences → retained, on the promotion list.
        let students = env
            .get_ok(
                &gvcn,
                &format!("/api/v1/schools/{school}/classes/{class_id}/students"),
            )
            .await;
        let absent = id(&students["students"][1]);
        let record =
            format!("/api/v1/schools/{school}/classes/{class_id}/students/{absent}/year-record");
        let (status, _) = env
            .call(
                Method::PUT,
                &record,
                Some(&gvcn),
                Payload::Json(json!({"absences": 401})),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{e}]");
        env.write_expect(
            Method::PUT,
            &gvcn,
            &record,
            json!({"absences": 50}),
            StatusCode::OK,
        )
        .await;
        let year_summary = env
            .write_expect(
                Method::POST,
                &gvcn,
                &format!("{base}/2"),
                json!(null),
                StatusCode::OK,
            )
            .await;
        let line = year_summary["lines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["student_id"] == json!(absent))
            .unwrap();
        assert_eq!(line["promotion"], "retained", "[{e}] {line}");
        let list = env
            .get_ok(&leader, &format!("/api/v1/schools/{school}/promotion-list"))
            .await;
        assert!(
            list["students"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["student_id"] == json!(absent)
                    && s["promotion_label"] == "Không được lên lớp"),
            "[{e}] {list}"
        );

        // Progress: every declared cell of the class is filled.
        let progress = env
            .get_ok(&admin, &format!("/api/v1/schools/{school}/progress/1"))
            .await;
        let mine = progress["by_class"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == json!(class_id))
            .unwrap();
        assert_eq!(mine["filled"], mine["declared"], "[{e}] {mine}");
        assert!(
            !progress["by_teacher"].as_array().unwrap().is_empty(),
            "[{e}]"
        );
    }
}

/// The text of a PDF, as `pdftotext -layout` reads it (poppler-utils).
fn pdf_text(pdf: &[u8]) -> String {
    use std::io::Write as _;
    let mut child = Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8", "-", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("pdftotext (poppler-utils) is needed: apt-get install poppler-utils");
    child.stdin.take().unwrap().write_all(pdf).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "pdftotext could not read the PDF");
    String::from_utf8(out.stdout).unwrap()
}

/// The class summary sheet as PDF says what the .xlsx says: every student
/// in class-list order on one line with the same values, the notes and the
/// counts; with the .xlsx's access (a subject teacher is refused).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_summary_sheet_as_pdf() {
    for db in hocba_test_support::test_databases().await {
        let env = Env::start(db).await;
        let e = env.engine;
        let school = env.school_of("thpt.admin");
        let admin = env.token("thpt.admin").await;
        let gvcn = env.token("thpt.gvcn").await;
        let gvbm = env.token("thpt.gvbm").await;
        let class = homeroom_class(&env, &admin, school).await;
        let class_id = id(&class);
        let base = format!("/api/v1/schools/{school}/classes/{class_id}/summary");
        let year = env
            .store
            .current_year(hocba_domain::SchoolId(school))
            .await
            .unwrap()
            .id;
        hocba::bench::fill_gradebook(
            &env.store,
            &Actor::system("kiểm thử"),
            hocba_domain::SchoolId(school),
            year,
            Some(hocba_domain::ClassId(class_id)),
        )
        .await
        .unwrap();
        env.write_expect(
            Method::POST,
            &gvcn,
            &format!("{base}/1"),
            json!(null),
            StatusCode::OK,
        )
        .await;

        let (status, _, _) = download(&env, &gvbm, &format!("{base}/1/sheet.pdf")).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "[{e}]");
        let (status, kind, pdf) = download(&env, &gvcn, &format!("{base}/1/sheet.pdf")).await;
        assert_eq!(status, StatusCode::OK, "[{e}]");
        assert_eq!(kind, "application/pdf", "[{e}]");
        assert!(pdf.starts_with(b"%PDF-"), "[{e}]");
        let text = pdf_text(&pdf);
        assert!(hocba_text::is_nfc(&text), "[{e}]");
        let (_, _, xlsx) = download(&env, &gvcn, &format!("{base}/1/sheet.xlsx")).await;
        let cells = sheet_cells(&xlsx);

        // The header lines of the .xlsx (school, title, class and year, status).
        for row in &cells[..4] {
            let line = row[0].split_whitespace().collect::<Vec<_>>().join(" ");
            let line = line
                .replace("Năm học:", "· Năm học:")
                .replace("Giáo viên", "· Giáo viên");
            let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(flat.contains(&line), "[{e}] {line:?} not in the PDF");
        }
        // Every student row of the .xlsx: STT, the name, then each value in
        // the same order on the PDF's line.
        let rows: Vec<&str> = text.lines().collect();
        let students: Vec<&Vec<String>> =
            cells[6..].iter().take_while(|r| !r[0].is_empty()).collect();
        assert!(students.len() >= 30, "[{e}] {} students", students.len());
        let mut from = 0;
        for row in &students {
            let name = &row[1];
            let (at, line) = rows
                .iter()
                .enumerate()
                .skip(from)
                .find(|(_, l)| l.contains(name.as_str()))
                .unwrap_or_else(|| panic!("[{e}] {name} not found in class-list order"));
            from = at + 1;
            assert!(
                line.trim_start().starts_with(&format!("{} ", row[0])),
                "[{e}] {line}"
            );
            let mut rest = &line[line.find(name.as_str()).unwrap() + name.len()..];
            // Subjects, learning and training results (the last column, the
            // note, may wrap).
            for value in row[2..row.len() - 1].iter().filter(|v| !v.is_empty()) {
                let found = rest
                    .find(value.as_str())
                    .unwrap_or_else(|| panic!("[{e}] {value} missing after {name}: {line}"));
                rest = &rest[found + value.len()..];
            }
        }
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for row in &students {
            let note = row
                .last()
                .unwrap()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            assert!(flat.contains(&note), "[{e}] note {note:?}");
        }
        let counts = cells
            .iter()
            .flatten()
            .find(|c| c.starts_with("Sĩ số:"))
            .expect("the counts of the .xlsx");
        assert!(flat.contains(counts.as_str()), "[{e}] {counts}");
        assert!(text.contains("Trang 1/"), "[{e}]");
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start(data_dir: &Path, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_hocba"))
        .args([
            "serve",
            "--data-dir",
            data_dir.to_str().unwrap(),
            "--listen",
            &format!("127.0.0.1:{port}"),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start hocba")
}

async fn wait_ready(client: &reqwest::Client, base: &str) {
    let deadline = Instant::now() + Duration::from_secs(180);
    while Instant::now() < deadline {
        if client
            .get(format!("{base}/login"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("hocba did not start at {base}");
}

/// What is stored of the school's year summary: `None` when nothing is;
/// else the one run id shared by every summarised class. Panics on a mix
/// (classes of two runs, or a class whose lines are not all there).
async fn stored_run(client: &reqwest::Client, base: &str, token: &str, school: i64) -> Option<i64> {
    let get = |path: String| async move {
        let response = client
            .get(format!("{base}{path}"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response.json::<Value>().await.unwrap()
    };
    let overview = get(format!("/api/v1/schools/{school}/summaries/2")).await;
    let classes = overview["classes"].as_array().unwrap();
    let runs: Vec<i64> = classes
        .iter()
        .filter_map(|c| c["run_id"].as_i64())
        .collect();
    if runs.is_empty() {
        return None;
    }
    assert_eq!(
        runs.len(),
        classes.len(),
        "some classes are summarised and some are not: a half-written school summary"
    );
    assert!(
        runs.iter().all(|r| *r == runs[0]),
        "classes of different runs: {runs:?}"
    );
    for class in classes {
        let summary = get(format!(
            "/api/v1/schools/{school}/classes/{}/summary/2",
            class["class_id"]
        ))
        .await;
        assert_eq!(summary["stored"], true);
        assert_eq!(
            summary["lines"].as_array().unwrap().len() as u64,
            class["counts"]["students"].as_u64().unwrap(),
            "class {}: lines missing",
            class["class_name"]
        );
    }
    Some(runs[0])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_school_summary_killed_midway_leaves_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    // A 2,000-student upper-secondary school in the SQLite file the program serves.
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("hocba.sqlite3").display()
    );
    let (school, password) = {
        let store = hocba_storage::Store::connect(&url).await.unwrap();
        store.migrate().await.unwrap();
        let mut data = hocba_demo::demo_data_set();
        data.schools = vec![hocba_demo::synthetic_school(2000, 5)];
        data.department_accounts.clear();
        let logins = hocba::demo::load(&store, &data).await.unwrap();
        let admin = logins
            .iter()
            .find(|l| l.username == "bench.admin")
            .expect("bench.admin");
        (admin.unit_id, admin.password.clone())
    };
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let login = json!({"username": "bench.admin", "password": password});
    let token = || {
        let (client, base, login) = (client.clone(), base.clone(), login.clone());
        async move {
            let answer: Value = client
                .post(format!("{base}/api/v1/auth/login"))
                .json(&login)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            answer["token"].as_str().unwrap().to_owned()
        }
    };
    let mut server = start(dir.path(), port);
    wait_ready(&client, &base).await;
    let summarise = |bearer: String| {
        client
            .post(format!(
                "{base}/api/v1/schools/{school}/summaries/{}",
                Semester::S2.number()
            ))
            .bearer_auth(bearer)
            .send()
    };
    // One uninterrupted run, to know how long a summary takes here.
    let bearer = token().await;
    let started = Instant::now();
    let answer = summarise(bearer.clone()).await.unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    let took = started.elapsed();
    let mut last = stored_run(&client, &base, &bearer, school).await;
    assert!(last.is_some());

    let mut outcomes = Vec::new();
    for fraction in [0.0, 0.15, 0.3, 0.45, 0.6, 0.75, 0.9, 1.1] {
        let bearer = token().await;
        let request = tokio::spawn(summarise(bearer));
        tokio::time::sleep(took.mul_f64(fraction)).await;
        // SIGKILL: no destructor, no flush, no graceful shutdown.
        server.kill().expect("kill -9");
        server.wait().unwrap();
        let answered = matches!(request.await.unwrap(), Ok(r) if r.status().is_success());

        server = start(dir.path(), port);
        wait_ready(&client, &base).await;
        let bearer = token().await;
        let now = stored_run(&client, &base, &bearer, school).await;
        assert!(now.is_some(), "the summary stored before the kill was lost");
        let outcome = if now == last { "before" } else { "new" };
        if answered {
            assert_eq!(outcome, "new", "an acknowledged summary must be there");
        }
        eprintln!(
            "killed after {:.0} ms of ~{:.0}: answered={answered}, the stored summary is the {outcome} one, whole",
            took.mul_f64(fraction).as_secs_f64() * 1000.0,
            took.as_secs_f64() * 1000.0
        );
        outcomes.push(outcome);
        last = now;
    }
    server.kill().ok();
    server.wait().ok();
    assert!(
        outcomes.contains(&"before"),
        "no kill landed before the commit: {outcomes:?}"
    );
}
