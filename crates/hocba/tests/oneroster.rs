//! The OneRoster 1.2 Gradebook subset end to end (issue 6 point 5), over
//! HTTP against the real server on the demo data, on every engine: the
//! school admin issues an OAuth client; the LMS gets a token (client
//! credentials, RFC 6749 §4.4), discovers the class, PUTs a line item and
//! results shaped like the specification's JSON examples (ids adapted); the
//! gradebook grid shows the scores with the shield marker and the new
//! averages; a retried PUT gives one cell and one trail row; each refusal
//! (locked column, column with scores, no ministry code, wrong scope,
//! revoked client, another school) answers the binding's error payload with
//! our Vietnamese reason.

mod common;

use common::{Env, Payload, id};
use hocba_test_support::Engine as Db;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const READ: &str = "https://purl.imsglobal.org/spec/or/v1p2/scope/gradebook.readonly";
const PUT: &str = "https://purl.imsglobal.org/spec/or/v1p2/scope/gradebook.createput";
const DELETE: &str = "https://purl.imsglobal.org/spec/or/v1p2/scope/gradebook.delete";
const ROOT: &str = "/ims/oneroster/gradebook/v1p2";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_lms_writes_into_the_gradebook_through_oneroster() {
    for db in hocba_test_support::test_databases().await {
        let env = Env::start(db).await;
        let ctx = Context::new(&env).await;
        ctx.the_token_endpoint_follows_rfc_6749().await;
        ctx.the_admin_issues_and_revokes_a_client_on_the_page()
            .await;
        let item = ctx.a_line_item_claims_a_new_empty_column().await;
        ctx.results_fill_the_grid_with_the_shield_and_the_averages(&item)
            .await;
        ctx.each_refusal_has_the_binding_shape_and_our_reason(&item)
            .await;
        ctx.another_school_sees_nothing_and_revoked_tokens_stop(&item)
            .await;
        eprintln!("[{}] OneRoster checks passed", env.engine);
    }
}

struct Client {
    client_id: String,
    secret: String,
}

struct Context<'a> {
    env: &'a Env,
    engine: Db,
    school: i64,
    admin: String,
    semester: i64,
    year: i64,
    /// Toán of the demo's first class: every column holds scores.
    class: i64,
    subject: i64,
    moodle: Client,
    token: String,
}

/// Standard base64 (RFC 4648), for HTTP Basic.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().fold(0u32, |n, b| (n << 8) | u32::from(*b)) << (8 * (3 - chunk.len()));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The shape of a OneRoster status payload, with a Vietnamese description.
fn assert_imsx(engine: Db, what: &str, body: &Value, minor: &str, contains: &str) {
    assert_eq!(
        body["imsx_codeMajor"], "failure",
        "[{engine}] {what}: {body}"
    );
    assert_eq!(body["imsx_severity"], "error", "[{engine}] {what}: {body}");
    assert_eq!(
        body["imsx_CodeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"], minor,
        "[{engine}] {what}: {body}"
    );
    let description = body["imsx_description"].as_str().unwrap_or_default();
    assert!(
        description.contains(contains),
        "[{engine}] {what}: the description must say “{contains}”: {body}"
    );
}

impl<'a> Context<'a> {
    async fn new(env: &'a Env) -> Context<'a> {
        let engine = env.engine;
        let school = env.school_of("thpt.admin");
        let admin = env.token("thpt.admin").await;
        let base = format!("/api/v1/schools/{school}");
        let windows = env.get_ok(&admin, &format!("{base}/entry-windows")).await;
        let semester = windows["windows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|w| w["state"] == "open")
            .and_then(|w| w["semester"].as_i64())
            .unwrap_or_else(|| panic!("[{engine}] the demo opens no entry window"));
        let classes = env.get_ok(&admin, &format!("{base}/classes")).await;
        let class = id(&classes[0]);
        let year = classes[0]["school_year_id"]
            .as_i64()
            .unwrap_or_else(|| panic!("[{engine}] class without a year: {}", classes[0]));
        let subject = env
            .get_ok(&admin, &format!("{base}/subjects"))
            .await
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["code"] == "TOAN" && s["grade"] == classes[0]["grade"])
            .map(id)
            .unwrap();
        // The admin issues a client with every scope; the secret comes once.
        let issued = env
            .write_expect(
                Method::POST,
                &admin,
                &format!("{base}/lms-clients"),
                json!({"name": "Moodle THPT", "scopes": [READ, PUT, DELETE]}),
                StatusCode::CREATED,
            )
            .await;
        let moodle = Client {
            client_id: issued["client"]["client_id"].as_str().unwrap().to_owned(),
            secret: issued["client_secret"].as_str().unwrap().to_owned(),
        };
        let listed = env.get_ok(&admin, &format!("{base}/lms-clients")).await;
        assert!(
            !listed.to_string().contains(&moodle.secret),
            "[{engine}] the secret is shown once, never listed"
        );
        let mut ctx = Context {
            env,
            engine,
            school,
            admin,
            semester,
            year,
            class,
            subject,
            moodle,
            token: String::new(),
        };
        let (status, body) = ctx.token_basic(&ctx.moodle, "").await;
        assert_eq!(status, StatusCode::OK, "[{engine}] token: {body}");
        ctx.token = body["access_token"].as_str().unwrap().to_owned();
        ctx
    }

    async fn token_request(&self, basic: Option<(&str, &str)>, form: &str) -> (StatusCode, Value) {
        let mut request = self
            .env
            .http
            .post(format!("{}/oauth/token", self.env.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form.to_owned());
        if let Some((id, secret)) = basic {
            let credentials = base64(format!("{id}:{secret}").as_bytes());
            request = request.header("authorization", format!("Basic {credentials}"));
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        assert_eq!(
            response
                .headers()
                .get("cache-control")
                .and_then(|v| v.to_str().ok()),
            Some("no-store"),
            "[{}] RFC 6749 §5.1: tokens are not cached",
            self.engine
        );
        (status, response.json().await.unwrap())
    }

    async fn token_basic(&self, client: &Client, scope: &str) -> (StatusCode, Value) {
        let form = if scope.is_empty() {
            "grant_type=client_credentials".to_owned()
        } else {
            format!(
                "grant_type=client_credentials&scope={}",
                scope.replace(' ', "%20")
            )
        };
        self.token_request(Some((&client.client_id, &client.secret)), &form)
            .await
    }

    async fn lms(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        self.env
            .call(
                method,
                path,
                Some(token),
                body.map_or(Payload::None, Payload::Json),
            )
            .await
    }

    fn class_sourced_id(&self) -> String {
        format!("{}-{}", self.class, self.subject)
    }

    fn grid_path(&self) -> String {
        format!(
            "/api/v1/schools/{}/gradebook/{}/{}/{}",
            self.school, self.class, self.subject, self.semester
        )
    }

    /// The specification's line item example, with our ids.
    fn line_item_body(&self, sourced_id: &str, category: &str) -> Value {
        json!({"lineItem": {
            "sourcedId": sourced_id,
            "status": "active",
            "dateLastModified": "2025-10-01T08:00:00.000Z",
            "title": "Kiểm tra 15 phút — Hàm số",
            "description": "Bài kiểm tra trên LMS",
            "assignDate": "2025-10-01T00:00:00.000Z",
            "dueDate": "2025-10-08T00:00:00.000Z",
            "class": {"href": format!("/ims/oneroster/rostering/v1p2/classes/{}", self.class_sourced_id()), "sourcedId": self.class_sourced_id(), "type": "class"},
            "school": {"href": format!("/ims/oneroster/rostering/v1p2/schools/{}", self.school), "sourcedId": self.school.to_string(), "type": "org"},
            "category": {"href": format!("{ROOT}/categories/{category}"), "sourcedId": category, "type": "category"},
            "gradingPeriod": {"href": format!("/ims/oneroster/rostering/v1p2/gradingPeriods/{}-S{}", self.year, self.semester), "sourcedId": format!("{}-S{}", self.year, self.semester), "type": "academicSession"},
            "resultValueMin": 0.0,
            "resultValueMax": 10.0
        }})
    }

    /// The specification's result example, with our ids.
    fn result_body(&self, sourced_id: &str, line_item: &str, student: &str, score: f64) -> Value {
        json!({"result": {
            "sourcedId": sourced_id,
            "status": "active",
            "dateLastModified": "2025-10-09T08:00:00.000Z",
            "lineItem": {"href": format!("{ROOT}/lineItems/{line_item}"), "sourcedId": line_item, "type": "lineItem"},
            "student": {"href": format!("/ims/oneroster/rostering/v1p2/students/{student}"), "sourcedId": student, "type": "student"},
            "scoreStatus": "fully graded",
            "score": score,
            "scoreDate": "2025-10-09",
            "comment": "Làm bài tốt"
        }})
    }

    async fn the_token_endpoint_follows_rfc_6749(&self) {
        let engine = self.engine;
        // Client authentication in the form body works too, with a scope subset.
        let form = format!(
            "grant_type=client_credentials&client_id={}&client_secret={}&scope={}",
            self.moodle.client_id, self.moodle.secret, READ
        );
        let (status, body) = self.token_request(None, &form).await;
        assert_eq!(status, StatusCode::OK, "[{engine}] {body}");
        assert_eq!(body["token_type"], "Bearer", "[{engine}]");
        assert_eq!(body["scope"], READ, "[{engine}]");
        assert!(body["expires_in"].as_i64().unwrap() <= 3600, "[{engine}]");
        let wrong = Client {
            client_id: self.moodle.client_id.clone(),
            secret: "sai".into(),
        };
        let (status, body) = self.token_basic(&wrong, "").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "[{engine}] {body}");
        assert_eq!(body["error"], "invalid_client", "[{engine}]");
        let (status, body) = self
            .token_request(
                Some((&self.moodle.client_id, &self.moodle.secret)),
                "grant_type=password",
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "[{engine}] {body}");
        assert_eq!(body["error"], "unsupported_grant_type", "[{engine}]");
        let (status, body) = self
            .token_basic(
                &self.moodle,
                "https://purl.imsglobal.org/spec/or/v1p2/scope/roster.readonly",
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "[{engine}] {body}");
        assert_eq!(body["error"], "invalid_scope", "[{engine}]");
        // No token, a made-up token: the binding's 401.
        let (status, body) = self
            .lms(
                Method::GET,
                &format!("{ROOT}/lineItems"),
                "1.khong-co",
                None,
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "[{engine}] {body}");
        assert_imsx(
            engine,
            "made-up token",
            &body,
            "unauthorisedrequest",
            "token",
        );
    }

    /// The page "Ứng dụng LMS": issue (the secret is shown once), revoke.
    async fn the_admin_issues_and_revokes_a_client_on_the_page(&self) {
        let engine = self.engine;
        let login = self.env.login("thpt.admin").clone();
        let response = self
            .env
            .http
            .post(format!("{}/login", self.env.base))
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
            "[{engine}] sign in"
        );
        let cookie = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("hocba_session="))
            .and_then(|v| v.split(';').next())
            .unwrap()
            .to_owned();
        let page_path = format!("/schools/{}/lms-clients", self.school);
        let get = || async {
            let response = self
                .env
                .http
                .get(format!("{}{page_path}", self.env.base))
                .header("cookie", &cookie)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::OK, "[{engine}] the page");
            response.text().await.unwrap()
        };
        let page = get().await;
        assert!(
            page.contains("Ứng dụng LMS") && page.contains("Moodle THPT"),
            "[{engine}] {page}"
        );
        let csrf = page
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap()
            .to_owned();
        let post = |path: String, fields: Vec<(&'static str, String)>| {
            let cookie = cookie.clone();
            let csrf = csrf.clone();
            async move {
                let mut form = fields;
                form.push(("csrf", csrf));
                let response = self
                    .env
                    .http
                    .post(format!("{}{path}", self.env.base))
                    .header("cookie", cookie)
                    .header("origin", self.env.base.clone())
                    .form(&form)
                    .send()
                    .await
                    .unwrap();
                (response.status(), response.text().await.unwrap())
            }
        };
        // Without a name: refused with the reason, nothing issued.
        let (status, body) = post(page_path.clone(), vec![("scope_readonly", "1".into())]).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{engine}] {body}"
        );
        assert!(body.contains("Hãy nhập tên ứng dụng"), "[{engine}] {body}");
        let (status, body) = post(
            page_path.clone(),
            vec![
                ("name", "Canvas thử".into()),
                ("scope_readonly", "1".into()),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "[{engine}] {body}");
        assert!(body.contains("chỉ hiện một lần"), "[{engine}] {body}");
        let secret = body
            .split("client_secret</th><td><code>")
            .nth(1)
            .and_then(|rest| rest.split('<').next())
            .unwrap_or_else(|| panic!("[{engine}] the secret on the page: {body}"))
            .to_owned();
        assert_eq!(secret.len(), 64, "[{engine}] {secret}");
        let client_id = body
            .split("client_id</th><td><code>")
            .nth(1)
            .and_then(|rest| rest.split('<').next())
            .unwrap()
            .to_owned();
        // It works at the token endpoint, with only the scope it was given.
        let canvas = Client {
            client_id: client_id.clone(),
            secret: secret.clone(),
        };
        let (status, token) = self.token_basic(&canvas, "").await;
        assert_eq!(status, StatusCode::OK, "[{engine}] {token}");
        assert_eq!(token["scope"], READ, "[{engine}]");
        // Never shown again.
        assert!(
            !get().await.contains(&secret),
            "[{engine}] the secret is shown once"
        );
        let (status, body) = post(
            format!("{page_path}/revoke"),
            vec![("client_id", client_id)],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "[{engine}] {body}");
        assert!(
            body.contains("Đã thu hồi ứng dụng “Canvas thử”"),
            "[{engine}] {body}"
        );
        let (status, answer) = self.token_basic(&canvas, "").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "[{engine}] {answer}");
        assert_eq!(answer["error"], "invalid_grant", "[{engine}]");
    }

    /// Adds a regular column to Toán of the first class (whose columns all
    /// hold the demo's scores), then claims it.
    async fn a_line_item_claims_a_new_empty_column(&self) -> String {
        let engine = self.engine;
        // Discovery: the class, its students, the grading periods.
        let (status, classes) = self
            .lms(
                Method::GET,
                &format!(
                    "/ims/oneroster/rostering/v1p2/classes?filter=sourcedId='{}'",
                    self.class_sourced_id()
                ),
                &self.token,
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "[{engine}] {classes}");
        assert_eq!(
            classes["classes"].as_array().unwrap().len(),
            1,
            "[{engine}] {classes}"
        );
        let (_, periods) = self
            .lms(
                Method::GET,
                "/ims/oneroster/rostering/v1p2/gradingPeriods",
                &self.token,
                None,
            )
            .await;
        let period = format!("{}-S{}", self.year, self.semester);
        assert!(
            periods["academicSessions"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["sourcedId"] == period.as_str()),
            "[{engine}] {periods}"
        );

        // Every column of the demo's Toán holds scores: a claim is refused
        // with the sync's reason (seed 000 §2.2).
        let grid = self.env.get_ok(&self.admin, &self.grid_path()).await;
        let regular = grid["columns"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["key"].as_str().unwrap().starts_with("regular:"))
            .count();
        let (status, body) = self
            .lms(
                Method::PUT,
                &format!("{ROOT}/lineItems/li-full"),
                &self.token,
                Some(self.line_item_body("li-full", "regular:1")),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{engine}] {body}"
        );
        assert_imsx(
            engine,
            "column with scores",
            &body,
            "invaliddata",
            "đã có điểm của",
        );

        // The admin declares one more regular column: empty, so claimable.
        let plan_version = grid["plan"]["version"].clone();
        self.env
            .write_expect(
                Method::PUT,
                &self.admin,
                &format!(
                    "/api/v1/schools/{}/column-plans/{}/{}/{}",
                    self.school, self.class, self.subject, self.semester
                ),
                json!({"regular": regular + 1, "version": plan_version}),
                StatusCode::OK,
            )
            .await;
        let category = format!("regular:{}", regular + 1);
        let body = self.line_item_body("li-chuong-1", &category);
        let (status, answer) = self
            .lms(
                Method::PUT,
                &format!("{ROOT}/lineItems/li-chuong-1"),
                &self.token,
                Some(body.clone()),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "[{engine}] {answer}");
        let item = &answer["lineItem"];
        assert_eq!(item["sourcedId"], "li-chuong-1", "[{engine}]");
        assert_eq!(
            item["category"]["sourcedId"],
            category.as_str(),
            "[{engine}]"
        );
        assert_eq!(item["class"]["type"], "class", "[{engine}]");
        assert_eq!(item["resultValueMax"], 10.0, "[{engine}]");
        // The same PUT again replaces it: 200, still one line item.
        let (status, _) = self
            .lms(
                Method::PUT,
                &format!("{ROOT}/lineItems/li-chuong-1"),
                &self.token,
                Some(body),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "[{engine}]");
        let (_, listed) = self
            .lms(
                Method::GET,
                &format!("{ROOT}/classes/{}/lineItems", self.class_sourced_id()),
                &self.token,
                None,
            )
            .await;
        assert_eq!(
            listed["lineItems"].as_array().unwrap().len(),
            1,
            "[{engine}] {listed}"
        );
        category
    }

    async fn students(&self) -> Vec<Value> {
        let (status, body) = self
            .lms(
                Method::GET,
                &format!(
                    "/ims/oneroster/rostering/v1p2/classes/{}/students",
                    self.class_sourced_id()
                ),
                &self.token,
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "[{}] {body}", self.engine);
        body["users"].as_array().unwrap().clone()
    }

    async fn results_fill_the_grid_with_the_shield_and_the_averages(&self, column: &str) {
        let engine = self.engine;
        let before = self.env.get_ok(&self.admin, &self.grid_path()).await;
        let students = self.students().await;
        let with_code: Vec<&Value> = students
            .iter()
            .filter(|s| s["identifier"].is_string())
            .collect();
        assert!(
            with_code.len() >= 2,
            "[{engine}] the demo class has students with a ministry code"
        );
        let average = |grid: &Value, student: &str| -> Option<f64> {
            grid["students"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| id(s).to_string() == student)
                .and_then(|s| s["average"]["semester"].as_str())
                .and_then(|v| v.replace(',', ".").parse().ok())
        };
        // A student whose average is below 10 gets 10: the average must rise.
        let target = with_code
            .iter()
            .map(|s| s["sourcedId"].as_str().unwrap().to_owned())
            .find(|s| average(&before, s).is_some_and(|a| a < 10.0))
            .unwrap_or_else(|| panic!("[{engine}] a student with an average below 10"));
        for (i, student) in with_code.iter().enumerate() {
            let sourced = student["sourcedId"].as_str().unwrap();
            let score = if sourced == target {
                10.0
            } else {
                6.5 + (i % 3) as f64
            };
            let (status, body) = self
                .lms(
                    Method::PUT,
                    &format!("{ROOT}/results/kq-{sourced}"),
                    &self.token,
                    Some(self.result_body(&format!("kq-{sourced}"), "li-chuong-1", sourced, score)),
                )
                .await;
            assert_eq!(status, StatusCode::CREATED, "[{engine}] {body}");
            assert_eq!(body["result"]["score"], score, "[{engine}]");
            assert_eq!(body["result"]["student"]["type"], "student", "[{engine}]");
        }
        let after = self.env.get_ok(&self.admin, &self.grid_path()).await;
        let row = |grid: &Value, student: &str| -> Value {
            grid["students"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| id(s).to_string() == student)
                .cloned()
                .unwrap()
        };
        let cell = row(&after, &target)["cells"][column].clone();
        assert_eq!(cell["value"], "10.0", "[{engine}] {cell}");
        assert_eq!(cell["synced"], true, "[{engine}] the shield marker: {cell}");
        let (old, new) = (average(&before, &target).unwrap(), average(&after, &target));
        assert!(
            new.is_some_and(|new| new > old),
            "[{engine}] the average rises with a 10: {old} → {new:?}"
        );

        // The trail names the client and the line item; a retry adds nothing.
        let history = |student: String| async move {
            self.env
                .get_ok(
                    &self.admin,
                    &format!("{}/history?student={student}", self.grid_path()),
                )
                .await
        };
        let trail = history(target.clone()).await;
        let rows: Vec<&Value> = trail["changes"]
            .as_array()
            .unwrap_or_else(|| panic!("[{engine}] history: {trail}"))
            .iter()
            .filter(|c| c["column"] == column)
            .collect();
        assert_eq!(rows.len(), 1, "[{engine}] {trail}");
        let reason = rows[0]["reason"].as_str().unwrap_or_default();
        assert!(
            reason.contains("Moodle THPT") && reason.contains("li-chuong-1"),
            "[{engine}] the trail names the client and the line item: {reason}"
        );
        let (status, body) = self
            .lms(
                Method::PUT,
                &format!("{ROOT}/results/kq-{target}"),
                &self.token,
                Some(self.result_body(&format!("kq-{target}"), "li-chuong-1", &target, 10.0)),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::OK,
            "[{engine}] a retry is an update: {body}"
        );
        let trail = history(target.clone()).await;
        let again = trail["changes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["column"] == column)
            .count();
        assert_eq!(
            again, 1,
            "[{engine}] a retried PUT writes no second trail row"
        );
        let retried = row(
            &self.env.get_ok(&self.admin, &self.grid_path()).await,
            &target,
        );
        assert_eq!(
            retried["cells"][column]["version"], cell["version"],
            "[{engine}] one write"
        );
        // Read back through OneRoster.
        let (_, results) = self
            .lms(
                Method::GET,
                &format!("{ROOT}/lineItems/li-chuong-1/results?filter=score='10'"),
                &self.token,
                None,
            )
            .await;
        let found: Vec<&Value> = results["results"].as_array().unwrap().iter().collect();
        assert!(
            found
                .iter()
                .any(|r| r["student"]["sourcedId"] == target.as_str()),
            "[{engine}] {results}"
        );
    }

    async fn each_refusal_has_the_binding_shape_and_our_reason(&self, column: &str) {
        let engine = self.engine;
        // No ministry code (seed 000 §4.2): the demo leaves some students without one.
        let students = self.students().await;
        if let Some(student) = students.iter().find(|s| s["identifier"].is_null()) {
            let sourced = student["sourcedId"].as_str().unwrap();
            let (status, body) = self
                .lms(
                    Method::PUT,
                    &format!("{ROOT}/results/kq-nocode"),
                    &self.token,
                    Some(self.result_body("kq-nocode", "li-chuong-1", sourced, 7.0)),
                )
                .await;
            assert_eq!(
                status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "[{engine}] {body}"
            );
            assert_imsx(
                engine,
                "no ministry code",
                &body,
                "invaliddata",
                "mã định danh Bộ GD&ĐT",
            );
        } else {
            panic!("[{engine}] the demo class has no student without a ministry code");
        }
        // Two decimals.
        let first = students
            .iter()
            .find(|s| s["identifier"].is_string())
            .unwrap();
        let sourced = first["sourcedId"].as_str().unwrap();
        let (status, body) = self
            .lms(
                Method::PUT,
                &format!("{ROOT}/results/kq-{sourced}"),
                &self.token,
                Some(self.result_body(&format!("kq-{sourced}"), "li-chuong-1", sourced, 8.25)),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "[{engine}] {body}");
        assert_imsx(
            engine,
            "two decimals",
            &body,
            "invaliddata",
            "một chữ số thập phân",
        );

        // A locked column: results are refused at write time with the lock's reason.
        self.env
            .write_expect(
                Method::PUT,
                &self.admin,
                &format!("{}/locks", self.grid_path()),
                json!({"column": column, "locked": true, "reason": "Đã kiểm tra điểm"}),
                StatusCode::OK,
            )
            .await;
        let (status, body) = self
            .lms(
                Method::PUT,
                &format!("{ROOT}/results/kq-{sourced}"),
                &self.token,
                Some(self.result_body(&format!("kq-{sourced}"), "li-chuong-1", sourced, 9.0)),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{engine}] {body}"
        );
        assert_imsx(
            engine,
            "locked column",
            &body,
            "invaliddata",
            "Đã kiểm tra điểm",
        );
        self.env
            .write_expect(
                Method::PUT,
                &self.admin,
                &format!("{}/locks", self.grid_path()),
                json!({"column": column, "locked": false, "reason": "Mở lại"}),
                StatusCode::OK,
            )
            .await;

        // A teacher's value is not overwritten: the admin changes a cell.
        let grid = self.env.get_ok(&self.admin, &self.grid_path()).await;
        let version = grid["students"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| id(s).to_string() == sourced)
            .map(|s| s["cells"][column]["version"].clone())
            .unwrap();
        self.env
            .write_expect(
                Method::PUT,
                &self.admin,
                &format!("{}/cells", self.grid_path()),
                json!({"student_id": sourced.parse::<i64>().unwrap(), "column": column, "value": "5", "version": version}),
                StatusCode::OK,
            )
            .await;
        let (status, body) = self
            .lms(
                Method::PUT,
                &format!("{ROOT}/results/kq-{sourced}"),
                &self.token,
                Some(self.result_body(&format!("kq-{sourced}"), "li-chuong-1", sourced, 9.5)),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{engine}] {body}"
        );
        assert_imsx(
            engine,
            "teacher's value",
            &body,
            "invaliddata",
            "không bị ghi đè",
        );

        // Wrong scope: a read-only token cannot PUT.
        let (_, readonly) = self.token_basic(&self.moodle, READ).await;
        let readonly = readonly["access_token"].as_str().unwrap();
        let (status, body) = self
            .lms(
                Method::PUT,
                &format!("{ROOT}/lineItems/li-2"),
                readonly,
                Some(self.line_item_body("li-2", "midterm")),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "[{engine}] {body}");
        assert_imsx(engine, "wrong scope", &body, "forbidden", "không có quyền");

        // A locked column cannot be claimed either.
        self.env
            .write_expect(
                Method::PUT,
                &self.admin,
                &format!("{}/locks", self.grid_path()),
                json!({"column": "midterm", "locked": true, "reason": "Khóa giữa kỳ"}),
                StatusCode::OK,
            )
            .await;
        let (status, body) = self
            .lms(
                Method::PUT,
                &format!("{ROOT}/lineItems/li-gk"),
                &self.token,
                Some(self.line_item_body("li-gk", "midterm")),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{engine}] {body}"
        );
        assert_imsx(engine, "locked claim", &body, "invaliddata", "Khóa giữa kỳ");
    }

    async fn another_school_sees_nothing_and_revoked_tokens_stop(&self, _column: &str) {
        let engine = self.engine;
        // Another school's admin (the demo's lower secondary school) issues its own client.
        let other = self.env.login("thcs.admin").clone();
        assert_ne!(other.unit_id, self.school, "[{engine}]");
        let other_token = self.env.token(&other.username).await;
        let (status, issued) = self
            .env
            .call(
                Method::POST,
                &format!("/api/v1/schools/{}/lms-clients", other.unit_id),
                Some(&other_token),
                Payload::Json(json!({"name": "LMS trường khác", "scopes": [READ, PUT]})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "[{engine}] {issued}");
        let foreign = Client {
            client_id: issued["client"]["client_id"].as_str().unwrap().to_owned(),
            secret: issued["client_secret"].as_str().unwrap().to_owned(),
        };
        let (_, token) = self.token_basic(&foreign, "").await;
        let token = token["access_token"].as_str().unwrap().to_owned();
        // Our line item and results are not theirs to read or write.
        let (status, body) = self
            .lms(
                Method::GET,
                &format!("{ROOT}/lineItems/li-chuong-1"),
                &token,
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "[{engine}] {body}");
        assert_imsx(
            engine,
            "another school's line item",
            &body,
            "unknownobject",
            "Không tìm thấy",
        );
        let (_, listed) = self
            .lms(Method::GET, &format!("{ROOT}/results"), &token, None)
            .await;
        assert_eq!(
            listed["results"].as_array().unwrap().len(),
            0,
            "[{engine}] {listed}"
        );
        let (status, body) = self
            .lms(
                Method::PUT,
                &format!("{ROOT}/lineItems/li-x"),
                &token,
                Some(self.line_item_body("li-x", "final")),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "[{engine}] our class is not theirs: {body}"
        );
        assert_imsx(
            engine,
            "another school's class",
            &body,
            "unknownobject",
            "Không tìm thấy",
        );
        // Nor can their admin revoke our client.
        let (status, _) = self
            .env
            .call(
                Method::POST,
                &format!("/api/v1/schools/{}/lms-clients/revoke", self.school),
                Some(&other_token),
                Payload::Json(json!({"client_id": self.moodle.client_id})),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "[{engine}]");

        // Revoked: the live token stops at once, and no new one is issued.
        self.env
            .write_expect(
                Method::POST,
                &self.admin,
                &format!("/api/v1/schools/{}/lms-clients/revoke", self.school),
                json!({"client_id": self.moodle.client_id}),
                StatusCode::OK,
            )
            .await;
        let (status, body) = self
            .lms(Method::GET, &format!("{ROOT}/lineItems"), &self.token, None)
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "[{engine}] {body}");
        assert_imsx(
            engine,
            "revoked client",
            &body,
            "unauthorisedrequest",
            "thu hồi",
        );
        let (status, body) = self.token_basic(&self.moodle, "").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "[{engine}] {body}");
        assert_eq!(body["error"], "invalid_grant", "[{engine}]");
    }
}
