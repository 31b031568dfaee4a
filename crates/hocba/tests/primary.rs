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
