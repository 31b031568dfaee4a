//! The primary (TT27) book over HTTP on the demo's primary school (Trường
//! Tiểu học Lê Lợi), on every engine: the homeroom teacher enters a
//! student's four milestones (levels, periodic tests, qualities and
//! competencies, comments), and the end-of-year summary the server shows
//! is what `hocba_assessment::tt27::evaluate` gives on the same inputs,
//! reason by reason. Refusals: a teacher who is not the homeroom teacher
//! (403 with the reason), a subject teacher outside their subject (403), an
//! invalid level (422 naming the student and the column, nothing saved), a
//! test where TT27 has none (422).

mod common;

use common::{Env, assert_forbidden, id};
use hocba_assessment::label::Label;
use hocba_assessment::secondary::Exemptible;
use hocba_assessment::tt27::{
    self, ByPeriod, Competency, Period, PeriodicTestScore, PrimaryLevel, PrimarySubjectRecord,
    Quality, Rating, Ratings, Tt27Student,
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The homeroom class of `th.gvcn`.
async fn homeroom_class(env: &Env, admin: &str, school: i64) -> Value {
    let gvcn = env.token("th.gvcn").await;
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
        .expect("th.gvcn has a staff record");
    env.get_ok(admin, &format!("/api/v1/schools/{school}/classes"))
        .await
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["homeroom_staff_id"].as_i64() == Some(staff))
        .cloned()
        .expect("th.gvcn has a homeroom class")
}

fn level_code(level: PrimaryLevel) -> &'static str {
    match level {
        PrimaryLevel::CompletedWell => "T",
        PrimaryLevel::Completed => "H",
        PrimaryLevel::NotCompleted => "C",
    }
}

fn rating_code(rating: Rating) -> &'static str {
    match rating {
        Rating::Good => "T",
        Rating::Achieved => "Đ",
        Rating::NeedsEffort => "C",
    }
}

/// What the test enters for one milestone, kept to rebuild the library's
/// input independently of the server.
struct Entered {
    levels: Vec<PrimaryLevel>,
    tests: BTreeMap<usize, u64>,
    ratings: [Rating; 15],
}

/// The values of a milestone: mostly Hoàn thành tốt, Toán only Hoàn thành
/// at mid semester I; tests 8–10; one competency Đạt before the end of the
/// year; every rating Tốt at the end.
fn entered(subjects: &[Value], period: Period) -> Entered {
    let levels = subjects
        .iter()
        .map(|s| {
            if period == Period::MidS1 && s["name"] == "Toán" {
                PrimaryLevel::Completed
            } else {
                PrimaryLevel::CompletedWell
            }
        })
        .collect();
    let tests = subjects
        .iter()
        .enumerate()
        .filter(|(_, s)| s["has_test"] == true)
        .map(|(i, s)| {
            (
                i,
                if s["name"] == "Toán" {
                    10
                } else {
                    8 + (i as u64 % 2)
                },
            )
        })
        .collect();
    let mut ratings = [Rating::Good; 15];
    if period != Period::EndOfYear {
        ratings[6] = Rating::Achieved;
    }
    Entered {
        levels,
        tests,
        ratings,
    }
}

fn body_of(
    subjects: &[Value],
    student: i64,
    version: &Value,
    values: &Entered,
    period: Period,
) -> Value {
    let rating_keys: Vec<&str> = Quality::ALL
        .iter()
        .map(|q| q.key())
        .chain(Competency::ALL.iter().map(|c| c.key()))
        .collect();
    json!({"students": [{
        "student_id": student,
        "version": version,
        "levels": subjects.iter().zip(&values.levels)
            .map(|(s, l)| (id(s).to_string(), level_code(*l))).collect::<BTreeMap<_, _>>(),
        "tests": values.tests.iter()
            .map(|(i, t)| (id(&subjects[*i]).to_string(), t.to_string())).collect::<BTreeMap<_, _>>(),
        "ratings": rating_keys.iter().zip(values.ratings)
            .map(|(k, r)| (k.to_string(), rating_code(r))).collect::<BTreeMap<_, _>>(),
        "comment": format!("Nhận xét {}: em chăm học, tiến bộ.", period.vietnamese()),
        "outstanding": period == Period::EndOfYear,
    }]})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_primary_book_over_http() {
    for db in hocba_test_support::test_databases().await {
        let env = Env::start(db).await;
        let e = env.engine;
        let school = env.school_of("th.admin");
        let admin = env.token("th.admin").await;
        let gvcn = env.token("th.gvcn").await;
        let gvbm = env.token("th.gvbm").await;
        let class = homeroom_class(&env, &admin, school).await;
        let class_id = id(&class);
        let grade = class["grade"].as_i64().unwrap();
        let base = format!("/api/v1/schools/{school}/classes/{class_id}/primary");

        // Entry windows for both semesters of every grade (the demo opens
        // only the current semester's).
        let now = env
            .get_ok(&admin, &format!("/api/v1/schools/{school}/entry-windows"))
            .await["now"]
            .as_i64()
            .unwrap();
        for (grade, semester) in (1..=5).flat_map(|g| [(g, 1), (g, 2)]) {
            env.write_expect(
                Method::POST,
                &admin,
                &format!("/api/v1/schools/{school}/entry-windows"),
                json!({"grade": grade, "semester": semester, "opens_at": now - 3_600_000, "closes_at": now + 3_600_000}),
                StatusCode::CREATED,
            )
            .await;
        }

        // The homeroom teacher enters the first student's four milestones.
        let mut inputs = Vec::new();
        let mut student = 0;
        let mut student_name = String::new();
        for period in Period::ALL {
            let book = env.get_ok(&gvcn, &format!("{base}/{}", period.key())).await;
            assert_eq!(book["not_primary"], Value::Null, "[{e}] {book}");
            assert_eq!(book["may"]["enter"], true, "[{e}]");
            let subjects = book["subjects"].as_array().unwrap().clone();
            assert!(subjects.len() >= 7, "[{e}] {subjects:?}");
            let first = &book["students"][0];
            student = id(&json!({"id": first["student_id"]}));
            student_name = first["full_name"].as_str().unwrap().to_owned();
            let values = entered(&subjects, period);
            let answer = env
                .write_expect(
                    Method::PUT,
                    &gvcn,
                    &format!("{base}/{}", period.key()),
                    body_of(&subjects, student, &first["version"], &values, period),
                    StatusCode::OK,
                )
                .await;
            assert_eq!(answer["saved"], 1, "[{e}] {answer}");
            inputs.push((period, subjects, values));
        }

        // The same inputs, straight into the assessment library.
        let subjects = &inputs[3].1;
        let record = Tt27Student {
            grade: hocba_assessment::Grade::new(grade as u8).unwrap(),
            subjects: subjects
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let mut levels = ByPeriod::default();
                    let mut tests = ByPeriod::default();
                    for (period, _, values) in &inputs {
                        levels.set(*period, Exemptible::Assessed(values.levels[i]));
                        if let Some(points) = values.tests.get(&i) {
                            tests.set(
                                *period,
                                Exemptible::Assessed(PeriodicTestScore::new(*points).unwrap()),
                            );
                        }
                    }
                    PrimarySubjectRecord {
                        name: s["name"].as_str().unwrap().to_owned(),
                        levels,
                        tests,
                    }
                })
                .collect(),
            ratings: {
                let mut ratings = ByPeriod::default();
                for (period, _, values) in &inputs {
                    let mut qualities = [Rating::Good; 5];
                    let mut competencies = [Rating::Good; 10];
                    qualities.copy_from_slice(&values.ratings[..5]);
                    competencies.copy_from_slice(&values.ratings[5..]);
                    ratings.set(
                        *period,
                        Ratings {
                            qualities,
                            competencies,
                        },
                    );
                }
                ratings
            },
            outstanding_achievement: true,
        };
        let direct = tt27::evaluate(&record).expect("the library decides");

        let year = env.get_ok(&gvcn, &format!("{base}/end_of_year")).await;
        let line = year["summary"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["student_id"] == student)
            .unwrap_or_else(|| panic!("[{e}] no summary line for {student}: {year}"));
        assert_eq!(line["complete"], true, "[{e}] {line}");
        assert_eq!(line["result"], direct.result.label(), "[{e}] {line}");
        assert_eq!(line["class_completed"], direct.class_completed, "[{e}]");
        assert_eq!(
            line["award"],
            json!(direct.award.map(|a| a.label())),
            "[{e}] {line}"
        );
        let sentences: Vec<&str> = line["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["sentence"].as_str().unwrap())
            .collect();
        let expected: Vec<&str> = direct.reasons.iter().map(|r| r.sentence.as_str()).collect();
        assert_eq!(sentences, expected, "[{e}]");
        assert!(!sentences.is_empty(), "[{e}]");
        // The others of the class are not entered yet: the summary says what is missing.
        let other = year["summary"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["student_id"] != student)
            .expect("a second student");
        assert_eq!(other["complete"], false, "[{e}]");
        assert!(
            other["missing"][0].as_str().unwrap().starts_with("Môn "),
            "[{e}] {other}"
        );
        // Stored as entered: the comment and the version came back.
        let stored = year["students"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["student_id"] == student)
            .unwrap();
        assert_eq!(stored["version"], 1, "[{e}] {stored}");
        assert!(
            stored["comment"].as_str().unwrap().contains("cuối năm học"),
            "[{e}]"
        );

        // A teacher who is not the homeroom teacher of the class: 403 with the reason.
        let (status, body) = env
            .call(
                Method::PUT,
                &format!("{base}/end_of_year"),
                Some(&gvbm),
                common::Payload::Json(json!({"students": []})),
            )
            .await;
        assert_forbidden(e, "th.gvbm enters the class's assessment", status, &body);
        assert!(
            body["error"]["reason"]
                .as_str()
                .unwrap()
                .contains("đánh giá cuối năm học"),
            "[{e}] {body}"
        );
        // … nor a subject of the class they do not teach.
        let maths = subjects.iter().find(|s| s["name"] == "Toán").unwrap();
        let (status, body) = env
            .call(
                Method::PUT,
                &format!("{base}/end_of_year/subjects/{}", id(maths)),
                Some(&gvbm),
                common::Payload::Json(json!({"students": []})),
            )
            .await;
        assert_forbidden(e, "th.gvbm enters Toán", status, &body);

        // An invalid level: 422 naming the student and the column; nothing saved.
        let (status, body) = env
            .call(
                Method::PUT,
                &format!("{base}/end_of_year"),
                Some(&gvcn),
                common::Payload::Json(json!({"students": [{
                    "student_id": student, "version": 1,
                    "levels": {id(maths).to_string(): "Giỏi"},
                }]})),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{e}] {body}");
        let field = &body["error"]["fields"][0];
        assert_eq!(
            field["field"],
            format!("students[0].levels.{}", id(maths)),
            "[{e}] {body}"
        );
        assert_eq!(
            field["label"],
            format!("{student_name} — Toán (mức đạt được)"),
            "[{e}] {body}"
        );
        assert!(
            field["message"]
                .as_str()
                .unwrap()
                .contains("Hoàn thành tốt"),
            "[{e}] {body}"
        );
        // A test score where TT27 has no periodic test (Đạo đức): 422.
        let ethics = subjects.iter().find(|s| s["name"] == "Đạo đức").unwrap();
        let (status, body) = env
            .call(
                Method::PUT,
                &format!("{base}/end_of_year"),
                Some(&gvcn),
                common::Payload::Json(json!({"students": [{
                    "student_id": student, "version": 1,
                    "tests": {id(ethics).to_string(): "9"},
                }]})),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{e}] {body}");
        assert!(
            body["error"]["fields"][0]["message"]
                .as_str()
                .unwrap()
                .contains("Điều 7 khoản 1 điểm b"),
            "[{e}] {body}"
        );
        let after = env.get_ok(&gvcn, &format!("{base}/end_of_year")).await;
        assert_eq!(
            after["students"], year["students"],
            "[{e}] a refused save changed nothing"
        );
        // A stale version: 409 naming who changed the line.
        let (status, body) = env
            .call(
                Method::PUT,
                &format!("{base}/end_of_year"),
                Some(&gvcn),
                common::Payload::Json(json!({"students": [{
                    "student_id": student, "version": null,
                    "comment": "Ghi đè mà không biết phiên bản",
                }]})),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "[{e}] {body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains(&student_name),
            "[{e}] {body}"
        );

        // The subject teacher enters their own subject in a class they teach.
        let assignments = env
            .get_ok(&admin, &format!("/api/v1/schools/{school}/assignments"))
            .await;
        let gvbm_me = env.get_ok(&gvbm, "/api/v1/me").await;
        let accounts = env
            .get_ok(&admin, &format!("/api/v1/schools/{school}/accounts"))
            .await;
        let gvbm_staff = accounts
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["id"] == gvbm_me["id"])
            .and_then(|a| a["staff_id"].as_i64())
            .expect("th.gvbm has a staff record");
        let own = assignments["teaching"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["staff_id"] == gvbm_staff && a["semester"] == 2)
            .expect("th.gvbm teaches in semester II")
            .clone();
        let own_base = format!(
            "/api/v1/schools/{school}/classes/{}/primary/end_of_year/subjects/{}",
            own["class_id"], own["subject_id"]
        );
        let column = env.get_ok(&gvbm, &own_base).await;
        let first = &column["students"][0];
        let answer = env
            .write_expect(
                Method::PUT,
                &gvbm,
                &own_base,
                json!({"students": [{"student_id": first["student_id"], "version": first["version"], "level": "H"}]}),
                StatusCode::OK,
            )
            .await;
        assert_eq!(answer["saved"], 1, "[{e}] {answer}");
        let column = env.get_ok(&gvbm, &own_base).await;
        assert_eq!(column["students"][0]["level"], "H", "[{e}] {column}");
        // The same teacher may not write the ratings through their subject.
        let (status, body) = env
            .call(
                Method::PUT,
                &own_base,
                Some(&gvbm),
                common::Payload::Json(json!({"students": [{
                    "student_id": first["student_id"], "version": column["students"][0]["version"],
                    "ratings": {"kindness": "T"},
                }]})),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{e}] {body}");
        assert_eq!(
            body["error"]["fields"][0]["field"], "students[0].ratings.kindness",
            "[{e}] {body}"
        );

        // The page: reachable from the class's page, a form with CSRF; a
        // bad value comes back naming the student and the column, saved
        // nothing; a good one is saved.
        let cookie = sign_in(&env, "th.gvcn").await;
        let class_page = page(
            &env,
            &cookie,
            &format!("/schools/{school}/classes/{class_id}"),
        )
        .await;
        assert!(
            class_page.contains(&format!(
                "/schools/{school}/classes/{class_id}/primary/end_of_year"
            )),
            "[{e}] the class page links the primary book"
        );
        let path = format!("/schools/{school}/classes/{class_id}/primary/mid_S1");
        let html = page(&env, &cookie, &path).await;
        assert!(html.contains("Tổng hợp giữa học kỳ I"), "[{e}]");
        // The class summary sheet of the milestone, as .xlsx and PDF.
        for file in ["sheet.xlsx", "sheet.pdf"] {
            assert!(
                html.contains(&format!("/api/v1{path}/{file}")),
                "[{e}] the page links {file}"
            );
        }
        let csrf = html
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("a CSRF field")
            .to_owned();
        let book = env.get_ok(&gvcn, &format!("{base}/mid_S1")).await;
        let second = &book["students"][1];
        let (second_id, second_name) = (
            second["student_id"].clone(),
            second["full_name"].as_str().unwrap().to_owned(),
        );
        let maths_level = format!("l.{second_id}.{}", id(maths));
        let version = format!("v.{second_id}");
        let post = |fields: Vec<(String, String)>| {
            env.http
                .post(format!("{}{path}", env.base))
                .header(reqwest::header::COOKIE, &cookie)
                .form(&fields)
                .send()
        };
        let response = post(vec![
            ("csrf".into(), csrf.clone()),
            (version.clone(), String::new()),
            (maths_level.clone(), "Giỏi".into()),
        ])
        .await
        .unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "[{e}]");
        let text = response.text().await.unwrap();
        assert!(
            text.contains(&format!("{second_name} — Toán (mức đạt được)")),
            "[{e}] the refusal names the row and the column: {text}"
        );
        assert!(
            text.contains("class=\"c bad\""),
            "[{e}] the bad input is marked"
        );
        let unchanged = env.get_ok(&gvcn, &format!("{base}/mid_S1")).await;
        assert_eq!(
            unchanged["students"], book["students"],
            "[{e}] nothing saved"
        );
        let response = post(vec![
            ("csrf".into(), csrf.clone()),
            (version.clone(), String::new()),
            (maths_level.clone(), "h".into()),
        ])
        .await
        .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "[{e}]");
        let saved = env.get_ok(&gvcn, &format!("{base}/mid_S1")).await;
        assert_eq!(
            saved["students"][1]["levels"][id(maths).to_string()],
            "H",
            "[{e}] {saved}"
        );
        // Without the CSRF token: refused, nothing saved.
        let response = post(vec![(version, "1".into()), (maths_level, "T".into())])
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "[{e}]");

        // The subject teacher's page, linked from the class's page.
        let cookie = sign_in(&env, "th.gvbm").await;
        let (own_class, own_subject) = (&own["class_id"], &own["subject_id"]);
        let subject_path = format!(
            "/schools/{school}/classes/{own_class}/primary/end_of_year/subjects/{own_subject}"
        );
        let class_page = page(
            &env,
            &cookie,
            &format!("/schools/{school}/classes/{own_class}"),
        )
        .await;
        assert!(
            class_page.contains(&subject_path),
            "[{e}] the class page links the subject"
        );
        let html = page(&env, &cookie, &subject_path).await;
        let csrf = html
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("a CSRF field")
            .to_owned();
        let column = env.get_ok(&gvbm, &own_base).await;
        let line = &column["students"][1];
        let response = env
            .http
            .post(format!("{}{subject_path}", env.base))
            .header(reqwest::header::COOKIE, &cookie)
            .form(&[
                ("csrf".to_owned(), csrf),
                (
                    format!("v.{}", line["student_id"]),
                    line["version"]
                        .as_i64()
                        .map(|v| v.to_string())
                        .unwrap_or_default(),
                ),
                (format!("l.{}", line["student_id"]), "Tốt".to_owned()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "[{e}]");
        let text = response.text().await.unwrap();
        assert!(
            text.contains(&format!(
                "{} — {} (mức đạt được)",
                line["full_name"].as_str().unwrap(),
                column["subject"]["name"].as_str().unwrap()
            )),
            "[{e}] {text}"
        );
        // … and the homeroom class's book is not theirs to see.
        let response = env
            .http
            .get(format!("{}{path}", env.base))
            .header(reqwest::header::COOKIE, &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "[{e}]");

        // Closing the book at the end of the year: refused while a student
        // is incomplete (named), then every line entered in one request,
        // closed; a save is refused (423) until the admin reopens it.
        let close = format!("{base}/end_of_year/close");
        let (status, body) = env
            .call(
                Method::POST,
                &close,
                Some(&gvcn),
                common::Payload::Json(json!({"confirm": true})),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{e}] {body}");
        let book = env.get_ok(&gvcn, &format!("{base}/end_of_year")).await;
        let second_name = book["students"][1]["full_name"].as_str().unwrap();
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains(second_name),
            "[{e}] {body}"
        );
        let rating_keys: Vec<&str> = Quality::ALL
            .iter()
            .map(|q| q.key())
            .chain(Competency::ALL.iter().map(|c| c.key()))
            .collect();
        let lines: Vec<Value> = book["students"]
            .as_array()
            .unwrap()
            .iter()
            .map(|student| {
                json!({
                    "student_id": student["student_id"],
                    "version": student["version"],
                    "levels": book["subjects"].as_array().unwrap().iter()
                        .map(|s| (id(s).to_string(), "H")).collect::<BTreeMap<_, _>>(),
                    "tests": book["subjects"].as_array().unwrap().iter()
                        .filter(|s| s["has_test"] == true)
                        .map(|s| (id(s).to_string(), "7")).collect::<BTreeMap<_, _>>(),
                    "ratings": rating_keys.iter().map(|k| (k.to_string(), "Đ")).collect::<BTreeMap<_, _>>(),
                })
            })
            .collect();
        let count = lines.len();
        let answer = env
            .write_expect(
                Method::PUT,
                &gvcn,
                &format!("{base}/end_of_year"),
                json!({"students": lines}),
                StatusCode::OK,
            )
            .await;
        assert_eq!(answer["saved"], count, "[{e}] {answer}");
        let summary = env.get_ok(&gvcn, &format!("{base}/end_of_year")).await;
        assert_eq!(summary["counts"]["complete"], count, "[{e}]");
        assert_eq!(
            summary["counts"]["results"]["Hoàn thành"], count,
            "[{e}] {summary}"
        );
        env.write_expect(
            Method::POST,
            &gvcn,
            &close,
            json!({"confirm": true}),
            StatusCode::OK,
        )
        .await;
        let closed = env.get_ok(&gvcn, &format!("{base}/end_of_year")).await;
        assert!(closed["closed"].is_object(), "[{e}] {closed}");
        let late = json!({"students": [{
            "student_id": student, "version": closed["students"][0]["version"],
            "comment": "Sửa sau khi khóa sổ",
        }]});
        let (status, body) = env
            .call(
                Method::PUT,
                &format!("{base}/end_of_year"),
                Some(&gvcn),
                common::Payload::Json(late.clone()),
            )
            .await;
        assert_eq!(status, StatusCode::LOCKED, "[{e}] {body}");
        assert_eq!(body["error"]["code"], "term_closed", "[{e}] {body}");
        env.write_expect(
            Method::POST,
            &admin,
            &format!("/api/v1/schools/{school}/classes/{class_id}/summary/2/reopen"),
            json!({"reason": "Sửa nhận xét cuối năm"}),
            StatusCode::OK,
        )
        .await;
        env.write_expect(
            Method::PUT,
            &gvcn,
            &format!("{base}/end_of_year"),
            late,
            StatusCode::OK,
        )
        .await;
    }
}

/// Signs in through the login form; returns the session cookie.
async fn sign_in(env: &Env, username: &str) -> String {
    let login = env.login(username).clone();
    let response = env
        .http
        .post(format!("{}/login", env.base))
        .form(&[
            ("username", login.username.as_str()),
            ("password", login.password.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "[{}] login",
        env.engine
    );
    response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("hocba_session="))
        .and_then(|v| v.split(';').next())
        .expect("a session cookie")
        .to_owned()
}

/// A page that must answer 200.
async fn page(env: &Env, cookie: &str, path: &str) -> String {
    let response = env
        .http
        .get(format!("{}{path}", env.base))
        .header(reqwest::header::COOKIE, cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "[{}] GET {path}",
        env.engine
    );
    response.text().await.unwrap()
}

/// Every cell of the first sheet of an .xlsx, as text.
fn sheet_cells(bytes: &[u8]) -> Vec<Vec<String>> {
    use calamine::{Reader, Xlsx};
    let mut workbook: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).expect("an xlsx");
    let name = workbook.sheet_names()[0].clone();
    let range = workbook.worksheet_range(&name).expect("the first sheet");
    range
        .rows()
        .map(|row| row.iter().map(|c| c.to_string()).collect())
        .collect()
}

fn pdf_text(pdf: &[u8]) -> String {
    use std::io::Write as _;
    use std::process::{Command, Stdio};
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

/// The class summary sheet of a primary class ("Bảng tổng hợp kết quả đánh
/// giá giáo dục của lớp") as .xlsx and PDF says what the API's summary
/// says, student by student; a teacher of another class is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_primary_summary_sheet_over_http() {
    use hocba_domain::primary_sheet::{PRIMARY_SHEET_TITLE, promotion_text};
    use hocba_spreadsheet::PRIMARY_HEADING_ROW;
    for db in hocba_test_support::test_databases().await {
        let env = Env::start(db).await;
        let e = env.engine;
        let school = env.school_of("th.admin");
        let admin = env.token("th.admin").await;
        let gvbm = env.token("th.gvbm").await;
        let class = homeroom_class(&env, &admin, school).await;
        let class_id = id(&class);
        let base = format!("/api/v1/schools/{school}/classes/{class_id}/primary/end_of_year");

        // The administrator enters the year for every student but the
        // last (with the override: no entry window is needed): a third
        // all Hoàn thành tốt / Tốt with tests of 9–10, a third with
        // Hoàn thành / Đạt and tests of 7, a third Hoàn thành tốt with
        // tests of 8, some with an outstanding achievement.
        let book = env.get_ok(&admin, &base).await;
        let subjects = book["subjects"].as_array().unwrap().clone();
        let students = book["students"].as_array().unwrap().clone();
        assert!(students.len() >= 10, "[{e}] {} students", students.len());
        let rating_keys: Vec<&str> = Quality::ALL
            .iter()
            .map(|q| q.key())
            .chain(Competency::ALL.iter().map(|c| c.key()))
            .collect();
        let lines: Vec<Value> = students[..students.len() - 1]
            .iter()
            .enumerate()
            .map(|(i, student)| {
                let (level, rating) = match i % 3 {
                    1 => ("H", "Đ"),
                    _ => ("T", "T"),
                };
                json!({
                    "student_id": student["student_id"],
                    "version": student["version"],
                    "levels": subjects.iter().map(|s| (id(s).to_string(), level)).collect::<BTreeMap<_, _>>(),
                    "tests": subjects.iter().enumerate().filter(|(_, s)| s["has_test"] == true)
                        .map(|(n, s)| (id(s).to_string(), match i % 3 { 0 => 9 + (n % 2), 1 => 7, _ => 8 }.to_string()))
                        .collect::<BTreeMap<_, _>>(),
                    "ratings": rating_keys.iter().map(|k| (k.to_string(), rating)).collect::<BTreeMap<_, _>>(),
                    "outstanding": i % 3 == 2 && i % 2 == 0,
                })
            })
            .collect();
        env.write_expect(
            Method::PUT,
            &admin,
            &base,
            json!({"students": lines, "override": true}),
            StatusCode::OK,
        )
        .await;
        let book = env.get_ok(&admin, &base).await;
        let summary = book["summary"].as_array().unwrap();
        let students = book["students"].as_array().unwrap();
        for label in ["Hoàn thành xuất sắc", "Hoàn thành tốt", "Hoàn thành"] {
            assert!(
                summary.iter().any(|l| l["result"] == label),
                "[{e}] no {label}: {book}"
            );
        }
        assert!(summary.iter().any(|l| l["award"].is_string()), "[{e}]");
        assert_eq!(summary.last().unwrap()["complete"], false, "[{e}]");

        // What each student's row must say, from the API's summary.
        let ratings = book["ratings"].as_array().unwrap();
        let expected_rows: Vec<(String, Vec<String>)> = students
            .iter()
            .zip(summary)
            .map(|(student, line)| {
                assert_eq!(student["student_id"], line["student_id"], "[{e}]");
                let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
                let mut cells = Vec::new();
                for subject in &subjects {
                    let key = id(subject).to_string();
                    cells.push(text(&student["levels"][&key]));
                    if subject["has_test"] == true {
                        cells.push(text(&student["tests"][&key]));
                    }
                }
                for rating in ratings {
                    cells.push(text(&student["ratings"][rating["key"].as_str().unwrap()]));
                }
                cells.push(text(&line["result"]));
                cells.push(text(&line["award"]));
                cells.push(promotion_text(
                    line["class_completed"].as_bool(),
                    line["programme_completed"].as_bool(),
                ));
                let missing: Vec<String> = line["missing"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(text)
                    .collect();
                cells.push(if missing.is_empty() {
                    String::new()
                } else {
                    format!("Chưa đủ đánh giá: {}", missing.join(" "))
                });
                (text(&student["full_name"]), cells)
            })
            .collect();

        // The .xlsx: the heading, then one row per student in class-list order.
        let response = env
            .send(
                Method::GET,
                &format!("{base}/sheet.xlsx"),
                Some(&admin),
                common::Payload::None,
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK, "[{e}]");
        assert_eq!(
            response.headers()[reqwest::header::CONTENT_TYPE],
            common::XLSX_TYPE,
            "[{e}]"
        );
        let cells = sheet_cells(&response.bytes().await.unwrap());
        assert!(
            cells[0][0].contains("Tiểu học Lê Lợi"),
            "[{e}] {:?}",
            cells[0]
        );
        assert!(cells[1][0].starts_with(PRIMARY_SHEET_TITLE), "[{e}]");
        assert!(
            cells[2][0].contains(book["class_name"].as_str().unwrap()),
            "[{e}]"
        );
        let heading = &cells[PRIMARY_HEADING_ROW as usize];
        assert_eq!(heading[1], "Họ và tên", "[{e}]");
        let mut expected_heading = Vec::new();
        for subject in &subjects {
            let name = subject["name"].as_str().unwrap().to_owned();
            if subject["has_test"] == true {
                expected_heading.push(name.clone());
                expected_heading.push(format!("{name} (KTĐK)"));
            } else {
                expected_heading.push(name);
            }
        }
        expected_heading.extend(
            ratings
                .iter()
                .map(|r| r["label"].as_str().unwrap().to_owned()),
        );
        assert_eq!(
            &heading[2..2 + expected_heading.len()],
            &expected_heading[..],
            "[{e}]"
        );
        for (index, (name, values)) in expected_rows.iter().enumerate() {
            let row = &cells[PRIMARY_HEADING_ROW as usize + 1 + index];
            assert_eq!(row[0], (index + 1).to_string(), "[{e}]");
            assert_eq!(&row[1], name, "[{e}]");
            assert!(hocba_text::is_nfc(&row[1]), "[{e}]");
            assert_eq!(&row[2..], &values[..], "[{e}] row of {name}");
        }
        let flat_cells: Vec<String> = cells
            .iter()
            .flat_map(|r| r.iter().cloned())
            .filter(|c| !c.is_empty())
            .collect();
        let count_line = format!(
            "Sĩ số: {}; đủ đánh giá: {}",
            book["counts"]["students"], book["counts"]["complete"]
        );
        assert!(flat_cells.contains(&count_line), "[{e}] {count_line}");
        let results_line = flat_cells
            .iter()
            .find(|c| c.starts_with("Kết quả giáo dục — "))
            .unwrap_or_else(|| panic!("[{e}] no result counts"));
        for (label, n) in book["counts"]["results"].as_object().unwrap() {
            assert!(
                results_line.contains(&format!("{label}: {n}")),
                "[{e}] {results_line}"
            );
        }

        // The PDF: the same rows, each student's values in order on their
        // line of each table (subjects, ratings, results).
        let response = env
            .send(
                Method::GET,
                &format!("{base}/sheet.pdf"),
                Some(&admin),
                common::Payload::None,
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK, "[{e}]");
        assert_eq!(
            response.headers()[reqwest::header::CONTENT_TYPE],
            "application/pdf",
            "[{e}]"
        );
        let pdf = response.bytes().await.unwrap();
        assert!(pdf.starts_with(b"%PDF-"), "[{e}]");
        let text = pdf_text(&pdf);
        assert!(hocba_text::is_nfc(&text), "[{e}]");
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(flat.contains(&count_line), "[{e}]");
        assert!(flat.contains(results_line.as_str()), "[{e}] {results_line}");
        let pdf_lines: Vec<&str> = text.lines().collect();
        let subject_count = expected_heading.len() - ratings.len();
        let parts = [
            0..subject_count,
            subject_count..expected_heading.len(),
            expected_heading.len()..expected_heading.len() + 2,
        ];
        let mut from = 0;
        for part in parts {
            for (index, (name, values)) in expected_rows.iter().enumerate() {
                let (at, line) = pdf_lines
                    .iter()
                    .enumerate()
                    .skip(from)
                    .find(|(_, l)| {
                        l.contains(name.as_str())
                            && l.trim_start().starts_with(&format!("{} ", index + 1))
                    })
                    .unwrap_or_else(|| panic!("[{e}] {name} not found in order in the PDF"));
                from = at + 1;
                let mut rest = &line[line.find(name.as_str()).unwrap() + name.len()..];
                for value in values[part.clone()].iter().filter(|v| !v.is_empty()) {
                    let found = rest
                        .find(value.as_str())
                        .unwrap_or_else(|| panic!("[{e}] {value} missing after {name}: {line}"));
                    rest = &rest[found + value.len()..];
                }
            }
        }
        // The promotion and the note (they may wrap).
        for (_, values) in &expected_rows {
            for value in &values[values.len() - 2..] {
                let value = value.split_whitespace().collect::<Vec<_>>().join(" ");
                assert!(flat.contains(&value), "[{e}] {value}");
            }
        }

        // A teacher of another class: refused, with the reason, for both files.
        for file in ["sheet.xlsx", "sheet.pdf"] {
            let (status, body) = env
                .call(
                    Method::GET,
                    &format!("{base}/{file}"),
                    Some(&gvbm),
                    common::Payload::None,
                )
                .await;
            assert_forbidden(e, &format!("th.gvbm downloads {file}"), status, &body);
        }
    }
}
