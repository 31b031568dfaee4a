//! The access matrix of the web UI, generated from its route tables: every
//! route of `hocba_web::ui::routes::SCHOOL_UI_ROUTES` × every demo role (THPT
//! admin, leader, homeroom teacher, subject teacher; the department officer)
//! × {own school (THPT), another school (THCS)}, over HTTP against the real
//! server, signed in through the real login form with a session cookie, and
//! with the session's CSRF token in every form. The unit routes of
//! `GENERAL_UI_ROUTES` are walked the same way on the schools' units (and on
//! the department), the session routes once per role.
//!
//! The expected answer of each cell is computed with the policy itself
//! (`hocba_domain::access::authorise`, `authorise_unit`) on a `Principal`
//! built from what the API says about the account; independently of the
//! policy, the product rule for another school is asserted too (everyone
//! refused with the Vietnamese reason, except the department officer
//! reading), and that a student's or staff member's personal data is in the
//! page only for those the policy lets see it. Then: every form without its
//! CSRF token, with another session's token, or sent from another site is
//! refused; nothing answers without a session; another school's record ids
//! under one's own school are neither read nor written (the records are
//! checked unchanged); a few hand-written cells (the homeroom teacher and a
//! student of another class).
//!
//! Runs on every engine of `hocba_test_support::test_databases` (SQLite, and
//! PostgreSQL under `scripts/test`); the demo is loaded once per engine.

mod common;

use common::{Env, id, student_profile};
use hocba_domain::access::{Action, Principal, Target, UnitAction, authorise, authorise_unit};
use hocba_domain::gradebook::{Semester, TeachingAssignment};
use hocba_domain::org::UnitKind;
use hocba_domain::role::{Role, RoleGrant};
use hocba_domain::{ClassId, SchoolId, SubjectId, UnitId, UserId};
use hocba_test_support::Engine;
use hocba_web::ui::routes::{
    Access, ClassScope, Form, GENERAL_UI_ROUTES, SCHOOL_UI_ROUTES, UiRoute,
};
use reqwest::{Method, StatusCode, header};
use serde_json::json;
use std::collections::BTreeMap;

const ACCOUNTS: [&str; 5] = [
    "thpt.admin",
    "thpt.hieutruong",
    "thpt.gvcn",
    "thpt.gvbm",
    "so.chuyenvien",
];

/// Real ids of one school, fetched as its admin through the API, plus
/// throwaway records for the routes that destroy or change what they are
/// given (so that an allowed POST does not break later cells).
#[derive(Debug)]
struct SchoolIds {
    school: i64,
    department: i64,
    class: i64,
    student: i64,
    /// The class of `student` (the homeroom teacher's own class in THPT).
    student_class: i64,
    staff: i64,
    /// A subject of the class's grade (the gradebook routes need the pair).
    subject: i64,
    campus: i64,
    year: i64,
    throwaway_account: i64,
    throwaway_campus: i64,
    throwaway_class: i64,
    throwaway_student: i64,
    /// An exam with a paper, and another pair for the delete routes.
    exam: i64,
    paper: i64,
    throwaway_exam: i64,
    throwaway_paper: i64,
}

/// The semester of the gradebook routes' `{semester}`.
const SEMESTER: Semester = Semester::S1;
/// The primary milestone of `{milestone}` (in semester I, like `SEMESTER`).
const MILESTONE: &str = "end_S1";

impl SchoolIds {
    /// Substitutes the path parameters of `route`; `{unit}` is `unit`.
    fn path(&self, route: &UiRoute, unit: i64) -> String {
        let tail = route.path.rsplit('/').next().unwrap_or_default();
        let throwaway = route.method == "POST" && matches!(tail, "remove" | "delete" | "decision");
        let (class, campus, student, exam, paper) = if throwaway {
            (
                self.throwaway_class,
                self.throwaway_campus,
                self.throwaway_student,
                self.throwaway_exam,
                self.throwaway_paper,
            )
        } else {
            (self.class, self.campus, self.student, self.exam, self.paper)
        };
        let path = route
            .path
            .replace("{school}", &self.school.to_string())
            .replace("{class}", &class.to_string())
            .replace("{student}", &student.to_string())
            .replace("{staff}", &self.staff.to_string())
            .replace("{subject}", &self.subject.to_string())
            .replace("{campus}", &campus.to_string())
            .replace("{year}", &self.year.to_string())
            .replace("{user}", &self.throwaway_account.to_string())
            .replace("{semester}", &SEMESTER.number().to_string())
            .replace("{milestone}", MILESTONE)
            .replace("{unit}", &unit.to_string())
            .replace("{exam}", &exam.to_string())
            .replace("{paper}", &paper.to_string());
        assert!(
            !path.contains('{'),
            "UI route {} {} has a path parameter the matrix does not know; add it to SchoolIds",
            route.method,
            route.path
        );
        path
    }

    /// The policy's target for `route`, with the class its handler asks with.
    fn target(&self, route: &UiRoute) -> Target {
        let gradebook = matches!(
            route.class,
            ClassScope::Gradebook | ClassScope::PrimarySubject
        );
        Target {
            school: SchoolId(self.school),
            ancestors: vec![UnitId(self.department)],
            class: match route.class {
                ClassScope::School => None,
                ClassScope::PathClass | ClassScope::Gradebook | ClassScope::PrimarySubject => {
                    Some(ClassId(self.class))
                }
                ClassScope::StudentClass => Some(ClassId(self.student_class)),
            },
            subject: gradebook.then_some(SubjectId(self.subject)),
            // A class's page of one semester (the class's Excel workbook)
            // asks with the semester of its path too.
            semester: (gradebook || route.path.contains("{semester}")).then_some(SEMESTER),
        }
    }
}

/// Form fields from literal pairs.
fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|&(key, value)| (key.to_owned(), value.to_owned()))
        .collect()
}

/// The fields of a minimal form for `route` (besides `csrf`): parseable, but
/// invalid or harmless, so an allowed POST changes nothing that later cells
/// use. Authorisation is asked before any of it is looked at.
fn fields(route: &UiRoute, ids: &SchoolIds) -> Vec<(String, String)> {
    let tail = route.path.rsplit('/').next().unwrap_or_default();
    match (route.method, tail) {
        ("GET", _) => Vec::new(),
        // Invalid profiles: nothing is saved, the form comes back with errors.
        (_, "profile" | "{student}" | "{staff}") => form(&[("version", "0")]),
        (_, "new") if route.path.contains("/students/") => {
            vec![("class_id".to_owned(), ids.class.to_string())]
        }
        (_, "classes" | "edit") => form(&[("name", ""), ("grade", "0")]),
        (_, "years") => form(&[("year", "không phải năm học")]),
        // No number of periods: refused before anything is written.
        (_, "{subject}") => form(&[("version", "0"), ("mode", "scored")]),
        // The throwaway class: the one allowed cell deletes it.
        (_, "remove") => form(&[("mode", "delete")]),
        (_, "transfer-out") => form(&[("date", "32/13/2025"), ("to_school", "")]),
        // The throwaway student: promoted (the default), nothing else.
        (_, "decision") => form(&[("decision", "không rõ")]),
        (_, "accounts") => form(&[("username", ""), ("display_name", ""), ("password", "")]),
        (_, "reset") => form(&[("password", "")]),
        (_, "password") => form(&[("current", ""), ("new", "")]),
        (_, "bureaus") => form(&[("name", "")]),
        // No level, no name: refused before anything is written.
        (_, "schools") => form(&[("name", "")]),
        // rollover, delete (no `confirm`), move (no class), campuses (an
        // empty new campus), assignments (nothing changes), staff/new (an
        // empty profile), the uploads (no `confirm` / not a workbook).
        _ => Vec::new(),
    }
}

/// A signed-in browser: the session cookie and its CSRF token.
#[derive(Debug, Clone)]
struct Browser {
    cookie: String,
    csrf: String,
}

/// Signs in through the login form (`POST /login`) and reads the session's
/// CSRF token from a page's hidden `csrf` field.
async fn sign_in(env: &Env, username: &str) -> Browser {
    let engine = env.engine;
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
        .unwrap_or_else(|e| panic!("[{engine}] POST /login as {username}: {e}"));
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "[{engine}] signing in as {username} through the form"
    );
    let cookie = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("hocba_session="))
        .and_then(|v| v.split(';').next())
        .unwrap_or_else(|| panic!("[{engine}] {username}: no session cookie"))
        .to_owned();
    let mut browser = Browser {
        cookie,
        csrf: String::new(),
    };
    let answer = send(
        env,
        Method::GET,
        "/password",
        Some(&browser),
        &Request::default(),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "[{engine}] {}", answer.body);
    browser.csrf = answer
        .body
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .filter(|token| !token.is_empty())
        .unwrap_or_else(|| panic!("[{engine}] {username}: no csrf field in {}", answer.body))
        .to_owned();
    browser
}

/// What to send besides the method, path and session.
#[derive(Default)]
struct Request {
    form: Option<Form>,
    fields: Vec<(String, String)>,
    /// The `csrf` field: `None` leaves it out.
    csrf: Option<String>,
    /// Extra headers (`Origin`, `Sec-Fetch-Site`).
    headers: Vec<(&'static str, String)>,
}

struct Answer {
    status: StatusCode,
    content_type: String,
    location: String,
    body: String,
}

const BOUNDARY: &str = "hocba-ui-matrix-3f9a";

/// A `multipart/form-data` body: the text fields, then a file that is not a workbook.
fn multipart(fields: &[(String, String)]) -> Vec<u8> {
    let mut body = String::new();
    for (name, value) in fields {
        body.push_str(&format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"danh-sach.xlsx\"\r\nContent-Type: {}\r\n\r\nkhông phải tệp Excel\r\n--{BOUNDARY}--\r\n",
        common::XLSX_TYPE
    ));
    body.into_bytes()
}

async fn send(
    env: &Env,
    method: Method,
    path: &str,
    browser: Option<&Browser>,
    request: &Request,
) -> Answer {
    let engine = env.engine;
    let mut builder = env
        .http
        .request(method.clone(), format!("{}{path}", env.base));
    if let Some(browser) = browser {
        builder = builder.header(header::COOKIE, &browser.cookie);
    }
    for (name, value) in &request.headers {
        builder = builder.header(*name, value);
    }
    let mut fields = request.fields.clone();
    if let Some(csrf) = &request.csrf {
        fields.push(("csrf".to_owned(), csrf.clone()));
    }
    builder = match request.form {
        None | Some(Form::None) => builder,
        Some(Form::Urlencoded) => builder.form(&fields),
        Some(Form::Multipart) => builder
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(multipart(&fields)),
    };
    let response = builder
        .send()
        .await
        .unwrap_or_else(|e| panic!("[{engine}] {method} {path}: {e}"));
    let text = |name| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let (content_type, location) = (text(header::CONTENT_TYPE), text(header::LOCATION));
    let status = response.status();
    let bytes = response
        .bytes()
        .await
        .unwrap_or_else(|e| panic!("[{engine}] reading {method} {path}: {e}"));
    let body = match std::str::from_utf8(&bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => format!("({} bytes)", bytes.len()),
    };
    Answer {
        status,
        content_type,
        location,
        body,
    }
}

/// Who an account is, as the policy sees it, and its browser session.
struct Account {
    username: &'static str,
    browser: Browser,
    principal: Principal,
}

/// Builds the principal of `username` from the API (`/me` for the grants;
/// the school's accounts and classes, read as the admin, for the homeroom
/// classes) and signs it in through the form.
async fn account(env: &Env, username: &'static str, own: &SchoolIds, admin: &str) -> Account {
    let engine = env.engine;
    let token = env.token(username).await;
    let me = env.get_ok(&token, "/api/v1/me").await;
    let grants: Vec<RoleGrant> = me["roles"]
        .as_array()
        .unwrap_or_else(|| panic!("[{engine}] /me without roles: {me}"))
        .iter()
        .map(|grant| RoleGrant {
            role: Role::from_code(grant["role"].as_str().unwrap_or_default())
                .unwrap_or_else(|| panic!("[{engine}] unknown role in {grant}")),
            unit: UnitId(grant["unit"].as_i64().expect("unit id")),
        })
        .collect();
    // Teaching assignments (phân công giảng dạy), as the policy reads them.
    let accounts = env
        .get_ok(admin, &format!("/api/v1/schools/{}/accounts", own.school))
        .await;
    let my_staff = accounts
        .as_array()
        .expect("accounts")
        .iter()
        .find(|a| a["username"] == username)
        .and_then(|a| a["staff_id"].as_i64());
    let mut teaching = Vec::new();
    if let Some(staff) = my_staff {
        let assignments = env
            .get_ok(
                admin,
                &format!("/api/v1/schools/{}/assignments", own.school),
            )
            .await;
        teaching = assignments["teaching"]
            .as_array()
            .expect("teaching assignments")
            .iter()
            .filter(|a| a["staff_id"].as_i64() == Some(staff))
            .map(|a| TeachingAssignment {
                class: ClassId(a["class_id"].as_i64().expect("class")),
                subject: SubjectId(a["subject_id"].as_i64().expect("subject")),
                semester: Semester::from_number(a["semester"].as_u64().expect("semester") as u8)
                    .expect("semester 1 or 2"),
            })
            .collect();
    }
    let mut homeroom_classes = Vec::new();
    if grants.iter().any(|g| g.role == Role::HomeroomTeacher) {
        let staff = staff_of(env, admin, own.school, me["id"].as_i64()).await;
        let classes = env
            .get_ok(admin, &format!("/api/v1/schools/{}/classes", own.school))
            .await;
        homeroom_classes = classes
            .as_array()
            .expect("classes")
            .iter()
            .filter(|c| c["homeroom_staff_id"].as_i64() == Some(staff))
            .map(|c| ClassId(id(c)))
            .collect();
        assert!(
            !homeroom_classes.is_empty(),
            "[{engine}] {username} is a homeroom teacher of no class"
        );
    }
    Account {
        username,
        browser: sign_in(env, username).await,
        principal: Principal {
            user_id: UserId(me["id"].as_i64().expect("user id")),
            grants,
            homeroom_classes,
            teaching,
        },
    }
}

/// The staff record of the account `user` of `school`.
async fn staff_of(env: &Env, admin: &str, school: i64, user: Option<i64>) -> i64 {
    let accounts = env
        .get_ok(admin, &format!("/api/v1/schools/{school}/accounts"))
        .await;
    accounts
        .as_array()
        .expect("accounts")
        .iter()
        .find(|a| a["id"].as_i64() == user)
        .and_then(|a| a["staff_id"].as_i64())
        .unwrap_or_else(|| panic!("[{}] account {user:?} has no staff record", env.engine))
}

/// Fetches (and creates the throwaways of) `school` as its admin.
/// `class`: the class to take the student from, or `None` for the first.
async fn school_ids(env: &Env, admin: &str, school: i64, class: Option<i64>) -> SchoolIds {
    let engine = env.engine;
    let base = format!("/api/v1/schools/{school}");
    let school_row = env.get_ok(admin, &base).await;
    let department = school_row["school"]["parent"]
        .as_i64()
        .unwrap_or_else(|| panic!("[{engine}] school without a parent: {school_row}"));
    let classes = env.get_ok(admin, &format!("{base}/classes")).await;
    let class = class.unwrap_or_else(|| id(&classes[0]));
    let list = env
        .get_ok(admin, &format!("{base}/classes/{class}/students"))
        .await;
    let student = id(&list["students"][0]);
    let staff = id(&env.get_ok(admin, &format!("{base}/staff")).await[0]);
    let grade = classes
        .as_array()
        .expect("classes")
        .iter()
        .find(|c| id(c) == class)
        .and_then(|c| c["grade"].as_i64())
        .expect("the class's grade");
    let subject = id(&env
        .get_ok(admin, &format!("{base}/subjects?grade={grade}"))
        .await[0]);
    let year = id(&env.get_ok(admin, &format!("{base}/years")).await[0]);
    let post = async |path: &str, body: serde_json::Value| {
        id(&env
            .write_expect(
                Method::POST,
                admin,
                &format!("{base}/{path}"),
                body,
                StatusCode::CREATED,
            )
            .await)
    };
    let campuses = env.get_ok(admin, &format!("{base}/campuses")).await;
    let campus = match campuses.as_array().and_then(|c| c.first()) {
        Some(campus) => id(campus),
        None => {
            post(
                "campuses",
                json!({"profile": {"name": "Điểm trường Bến Đò"}}),
            )
            .await
        }
    };
    let throwaway_campus = post(
        "campuses",
        json!({"profile": {"name": "Điểm trường tạm để xóa"}}),
    )
    .await;
    let grade = classes[0]["grade"].as_i64().expect("grade");
    let throwaway_class = post(
        "classes",
        json!({"name": format!("{grade}TAM"), "grade": grade}),
    )
    .await;
    let throwaway_student = post(
        "students",
        json!({"class_id": class, "profile": student_profile("Lê Văn Tạm", "02/03/2010", "Nam")}),
    )
    .await;
    // Exams (seed 000): one with a paper, a throwaway exam, and a throwaway
    // paper in the kept exam (so that deleting the throwaway exam leaves it).
    let exam = post(
        "exams",
        json!({"name": "Kiểm tra giữa kỳ", "kind": "regular", "semester": 1}),
    )
    .await;
    let paper = post(
        &format!("exams/{exam}/papers"),
        json!({"name": "Đề Toán", "subject_id": subject, "classes": [class]}),
    )
    .await;
    let throwaway_exam = post(
        "exams",
        json!({"name": "Kỳ thi tạm để xóa", "kind": "free", "semester": 1}),
    )
    .await;
    let throwaway_paper = post(
        &format!("exams/{exam}/papers"),
        json!({"name": "Đề tạm để xóa", "subject_id": subject, "classes": [class]}),
    )
    .await;
    let throwaway_account = post(
        "accounts",
        json!({"username": format!("tam.{school}"), "password": "Mat-khau-tam-2025",
               "display_name": "Tài khoản tạm", "roles": ["subject_teacher"]}),
    )
    .await;
    SchoolIds {
        school,
        department,
        class,
        student,
        student_class: class,
        staff,
        subject,
        campus,
        year,
        throwaway_account,
        throwaway_campus,
        throwaway_class,
        throwaway_student,
        exam,
        paper,
        throwaway_exam,
        throwaway_paper,
    }
}

/// Tally of answers, for the summary line.
#[derive(Default)]
struct Tally {
    cells: usize,
    refused_by_policy: usize,
    by_status: BTreeMap<u16, usize>,
}

impl Tally {
    fn count(&mut self, status: StatusCode, allowed: bool) {
        self.cells += 1;
        self.refused_by_policy += usize::from(!allowed);
        *self.by_status.entry(status.as_u16()).or_default() += 1;
    }
}

/// Asserts a refusal: 403 with the HTML error page and a Vietnamese reason.
fn assert_refused_page(engine: Engine, what: &str, answer: &Answer) {
    assert_eq!(
        answer.status,
        StatusCode::FORBIDDEN,
        "[{engine}] {what}: {}",
        answer.body
    );
    assert!(
        answer.content_type.starts_with("text/html"),
        "[{engine}] {what}: a refusal is an HTML page, not {}",
        answer.content_type
    );
    // The error page: the title, then the reason in bold and the remedy.
    let reason = answer
        .body
        .split("<strong>")
        .nth(1)
        .and_then(|rest| rest.split("</strong>").next())
        .unwrap_or_default();
    assert!(
        answer.body.contains("<h1>Không có quyền</h1>")
            && reason.to_lowercase().contains("không")
            && answer.body.contains("Cách xử lý: "),
        "[{engine}] {what}: the page needs the Vietnamese reason and remedy: {}",
        answer.body
    );
}

/// One cell: sends the request and checks the answer against `allowed`.
#[allow(clippy::too_many_arguments)]
async fn check_cell(
    env: &Env,
    route: &UiRoute,
    path: &str,
    request: &Request,
    account: &Account,
    what: &str,
    allowed: bool,
    tally: &mut Tally,
) -> Answer {
    let engine = env.engine;
    let method = Method::from_bytes(route.method.as_bytes()).expect("method");
    let answer = send(env, method, path, Some(&account.browser), request).await;
    let what = format!(
        "{} {} ({path}) as {} {what}",
        route.method, route.path, account.username
    );
    tally.count(answer.status, allowed);
    // A route missing from the router answers 404 without the handler's
    // page (or 405 for a missing method).
    assert_ne!(
        answer.status,
        StatusCode::METHOD_NOT_ALLOWED,
        "[{engine}] {what}: the route is missing from the router"
    );
    if answer.status == StatusCode::NOT_FOUND {
        assert!(
            answer.body.contains("Không tìm thấy"),
            "[{engine}] {what}: 404 without the handler's page: the route is missing from the router"
        );
    }
    assert!(
        !answer.status.is_server_error(),
        "[{engine}] {what}: server error: {}",
        answer.body
    );
    if allowed {
        assert!(
            answer.status != StatusCode::UNAUTHORIZED && answer.status != StatusCode::FORBIDDEN,
            "[{engine}] {what}: allowed by the policy but refused: {} {}",
            answer.status,
            answer.body
        );
        if route.method == "GET" && matches!(route.access, Access::School(_) | Access::Unit(_)) {
            // Reads use real ids: they must succeed.
            assert_eq!(
                answer.status,
                StatusCode::OK,
                "[{engine}] {what}: {}",
                answer.body
            );
        }
    } else {
        assert_refused_page(engine, &what, &answer);
    }
    answer
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ui_enforces_the_policy_on_every_route() {
    for db in hocba_test_support::test_databases().await {
        let env = Env::start(db).await;
        let engine = env.engine;
        let thpt = env.school_of("thpt.admin");
        let thcs = env.school_of("thcs.admin");
        let thpt_admin = env.token("thpt.admin").await;
        let thcs_admin = env.token("thcs.admin").await;

        // The own-school student is one of the homeroom teacher's class, so
        // that their right to edit it is exercised.
        let gvcn = env.token("thpt.gvcn").await;
        let gvcn_id = env.get_ok(&gvcn, "/api/v1/me").await["id"].as_i64();
        let gvcn_staff = staff_of(&env, &thpt_admin, thpt, gvcn_id).await;
        let classes = env
            .get_ok(&thpt_admin, &format!("/api/v1/schools/{thpt}/classes"))
            .await;
        let homeroom_class = classes
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["homeroom_staff_id"].as_i64() == Some(gvcn_staff))
            .map(id)
            .expect("thpt.gvcn has a homeroom class");

        let own = school_ids(&env, &thpt_admin, thpt, Some(homeroom_class)).await;
        let other = school_ids(&env, &thcs_admin, thcs, None).await;
        assert_eq!(
            own.department, other.department,
            "[{engine}] the demo's schools share one department"
        );
        assert_eq!(
            env.login("so.chuyenvien").unit_id,
            own.department,
            "[{engine}] the officer belongs to the schools' department"
        );

        let mut accounts = Vec::new();
        for username in ACCOUNTS {
            accounts.push(account(&env, username, &own, &thpt_admin).await);
        }

        // School routes × roles × {own, other}.
        let mut tally = Tally::default();
        for (ids, which) in [(&own, "own"), (&other, "other")] {
            for account in &accounts {
                for route in SCHOOL_UI_ROUTES {
                    let action = route
                        .action()
                        .unwrap_or_else(|| panic!("{} has no action", route.path));
                    let allowed = authorise(&account.principal, action, &ids.target(route)).is_ok();
                    let officer_reads = account.username == "so.chuyenvien"
                        && matches!(action, Action::ViewSchool | Action::ViewStudents);
                    if which == "other" {
                        // The product rule, stated without the policy.
                        assert_eq!(
                            allowed, officer_reads,
                            "the policy disagrees with the rule for {} on another school: {action:?}",
                            account.username
                        );
                    }
                    let request = Request {
                        form: Some(route.form),
                        fields: fields(route, ids),
                        csrf: Some(account.browser.csrf.clone()),
                        headers: Vec::new(),
                    };
                    let path = ids.path(route, ids.school);
                    let what = format!("on the {which} school");
                    let answer = check_cell(
                        &env, route, &path, &request, account, &what, allowed, &mut tally,
                    )
                    .await;
                    // Personal data (the personal ID and the rest) is in the
                    // page only for those the policy lets see it.
                    let personal = match route.path {
                        "/schools/{school}/students/{student}" => {
                            Some(Action::ViewStudentPersonalData)
                        }
                        // Staff records: only to who may edit them.
                        "/schools/{school}/staff/{staff}" => Some(Action::ManageStaff),
                        _ => None,
                    };
                    if let (Some(personal), true, "GET") = (personal, allowed, route.method) {
                        let target = Target {
                            class: Some(ClassId(ids.student_class)),
                            ..ids.target(route)
                        };
                        assert_eq!(
                            answer.body.contains("id=\"f_personal_id\""),
                            authorise(&account.principal, personal, &target).is_ok(),
                            "[{engine}] GET {path} as {}: personal data shown against the policy ({personal:?})",
                            account.username
                        );
                    }
                    if which == "other" && account.username != "so.chuyenvien" {
                        assert!(
                            answer.body.contains("không thuộc trường này"),
                            "[{engine}] {} {path} as {}: the refusal must say the account is not of this school: {}",
                            route.method,
                            account.username,
                            answer.body
                        );
                    }
                }
            }
        }
        let expected_cells = SCHOOL_UI_ROUTES.len() * ACCOUNTS.len() * 2;
        assert_eq!(tally.cells, expected_cells);
        eprintln!(
            "[{engine}] UI access matrix: {} school routes × {} accounts × 2 schools = {} cells ({} refused by the policy); answers by status: {:?}",
            SCHOOL_UI_ROUTES.len(),
            ACCOUNTS.len(),
            tally.cells,
            tally.refused_by_policy,
            tally.by_status
        );

        hand_written_cells(&env, &own, &accounts, &thpt_admin).await;
        let units = unit_cells(&env, &own, &other, &accounts).await;
        let sessions = session_cells(&env, &accounts).await;
        let (forms, checks) = forged_forms_are_refused(&env, &own, &accounts).await;
        let anonymous = nothing_answers_without_a_session(&env, &own).await;
        let foreign = foreign_ids_are_not_found(&env, &own, &other, &accounts[0]).await;
        let foreign_writes =
            foreign_ids_are_not_written(&env, &own, &other, &accounts[0], &thcs_admin).await;
        eprintln!(
            "[{engine}] UI access matrix, the rest: unit routes {units}; session routes {sessions}; \
             {forms} POST routes × {checks} forged forms = {} refusals; {anonymous} routes without a session → 401; \
             {foreign} reads of another school's ids → 404; {foreign_writes} → refused, nothing changed",
            forms * checks
        );
    }
}

/// Unit routes × roles × {own school's unit, other school's unit, the
/// department}: the policy is `authorise_unit` on the unit and its ancestors.
async fn unit_cells(env: &Env, own: &SchoolIds, other: &SchoolIds, accounts: &[Account]) -> String {
    let routes: Vec<&UiRoute> = GENERAL_UI_ROUTES
        .iter()
        .filter(|r| matches!(r.access, Access::Unit(_)))
        .collect();
    let department = own.department;
    let columns = [
        (
            "own school's unit",
            own.school,
            vec![own.school, department],
        ),
        (
            "other school's unit",
            other.school,
            vec![other.school, department],
        ),
        ("department", department, vec![department]),
    ];
    let mut tally = Tally::default();
    for (which, unit, chain) in &columns {
        let chain: Vec<UnitId> = chain.iter().copied().map(UnitId).collect();
        for account in accounts {
            for route in &routes {
                let Access::Unit(action) = route.access else {
                    unreachable!()
                };
                let kind = if *which == "department" {
                    UnitKind::Department
                } else {
                    UnitKind::School
                };
                let allowed = authorise_unit(&account.principal, action, kind, &chain).is_ok();
                if *which == "other school's unit" {
                    assert_eq!(
                        allowed,
                        account.username == "so.chuyenvien" && action == UnitAction::ViewUnit,
                        "the policy disagrees with the rule for {} on another school's unit: {action:?}",
                        account.username
                    );
                }
                let request = Request {
                    form: Some(route.form),
                    fields: fields(route, own),
                    csrf: Some(account.browser.csrf.clone()),
                    headers: Vec::new(),
                };
                let path = own.path(route, *unit);
                check_cell(
                    env,
                    route,
                    &path,
                    &request,
                    account,
                    &format!("on the {which}"),
                    allowed,
                    &mut tally,
                )
                .await;
            }
        }
    }
    assert_eq!(tally.cells, routes.len() * accounts.len() * columns.len());
    let summary = format!(
        "{} × {} accounts × {} units = {} cells ({} refused by the policy) {:?}",
        routes.len(),
        accounts.len(),
        columns.len(),
        tally.cells,
        tally.refused_by_policy,
        tally.by_status
    );
    summary
}

/// The session's own routes, once per role: every signed-in user may use
/// them; logging out ends the session.
async fn session_cells(env: &Env, accounts: &[Account]) -> String {
    let engine = env.engine;
    let routes: Vec<&UiRoute> = GENERAL_UI_ROUTES
        .iter()
        .filter(|r| matches!(r.access, Access::Public | Access::SignedIn))
        .collect();
    let mut tally = Tally::default();
    for account in accounts {
        for route in &routes {
            let mut request = Request {
                form: Some(route.form),
                fields: fields(route, &NO_IDS),
                csrf: Some(account.browser.csrf.clone()),
                headers: Vec::new(),
            };
            let mut browser = account.browser.clone();
            match (route.method, route.path) {
                ("POST", "/login") => {
                    let login = env.login(account.username);
                    request.csrf = None;
                    request.fields = vec![
                        ("username".to_owned(), login.username.clone()),
                        ("password".to_owned(), login.password.clone()),
                    ];
                }
                // Logging out ends the session: a session of its own.
                ("POST", "/logout") => {
                    browser = sign_in(env, account.username).await;
                    request.csrf = Some(browser.csrf.clone());
                }
                _ => {}
            }
            let cell = Account {
                username: account.username,
                browser: browser.clone(),
                principal: account.principal.clone(),
            };
            let answer = check_cell(
                env,
                route,
                route.path,
                &request,
                &cell,
                "(own session)",
                true,
                &mut tally,
            )
            .await;
            let what = format!("{} {} as {}", route.method, route.path, account.username);
            match (route.method, route.path) {
                ("GET", "/") => assert!(
                    answer.status == StatusCode::OK
                        || (answer.status == StatusCode::SEE_OTHER
                            && answer.location.starts_with("/schools/")),
                    "[{engine}] {what}: {} {}",
                    answer.status,
                    answer.location
                ),
                ("POST", "/login") => {
                    assert_eq!(answer.status, StatusCode::SEE_OTHER, "[{engine}] {what}")
                }
                ("POST", "/logout") => {
                    assert_eq!(answer.status, StatusCode::SEE_OTHER, "[{engine}] {what}");
                    assert_eq!(answer.location, "/login", "[{engine}] {what}");
                    let after = send(
                        env,
                        Method::GET,
                        "/password",
                        Some(&browser),
                        &Request::default(),
                    )
                    .await;
                    assert_eq!(
                        after.status,
                        StatusCode::UNAUTHORIZED,
                        "[{engine}] {what}: the session must end"
                    );
                }
                ("POST", "/password") => assert!(
                    answer.status.is_client_error(),
                    "[{engine}] {what}: an empty password must be refused: {}",
                    answer.status
                ),
                _ => {}
            }
        }
        // The matrix's own session is still alive.
        let alive = send(
            env,
            Method::GET,
            "/password",
            Some(&account.browser),
            &Request::default(),
        )
        .await;
        assert_eq!(
            alive.status,
            StatusCode::OK,
            "[{engine}] {}",
            account.username
        );
    }
    format!(
        "{} × {} accounts = {} cells {:?}",
        routes.len(),
        accounts.len(),
        tally.cells,
        tally.by_status
    )
}

/// Ids for routes without any (the session routes).
const NO_IDS: SchoolIds = SchoolIds {
    school: 0,
    department: 0,
    class: 0,
    student: 0,
    student_class: 0,
    staff: 0,
    subject: 0,
    campus: 0,
    year: 0,
    throwaway_account: 0,
    throwaway_campus: 0,
    throwaway_class: 0,
    throwaway_student: 0,
    exam: 0,
    paper: 0,
    throwaway_exam: 0,
    throwaway_paper: 0,
};

/// Every POST route (but `/login`, which has no session yet) refuses, for a
/// user the policy allows: a form without `csrf`; a form with another
/// session's token; a form with the right token sent from another site
/// (`Origin`, or `Sec-Fetch-Site: cross-site`). Returns (routes, checks).
async fn forged_forms_are_refused(
    env: &Env,
    own: &SchoolIds,
    accounts: &[Account],
) -> (usize, usize) {
    let engine = env.engine;
    // Fresh sessions, so that a form wrongly accepted (a logout) cannot end
    // the matrix's sessions. The department admin may add units.
    let admin = sign_in(env, "thpt.admin").await;
    let unit_admin = sign_in(env, "so.quantri").await;
    let stranger = &accounts
        .iter()
        .find(|a| a.username == "thpt.gvbm")
        .expect("gvbm")
        .browser;
    let mut routes = 0;
    let checks = 4;
    for route in SCHOOL_UI_ROUTES.iter().chain(GENERAL_UI_ROUTES) {
        if route.method != "POST" || route.path == "/login" {
            continue;
        }
        routes += 1;
        let (browser, path) = match route.access {
            Access::Unit(_) => (&unit_admin, own.path(route, own.department)),
            _ => (&admin, own.path(route, own.school)),
        };
        let origin = env.base.clone();
        let forged = [
            ("without csrf", None, vec![("origin", origin.clone())]),
            (
                "with another session's csrf",
                Some(stranger.csrf.clone()),
                vec![("origin", origin.clone())],
            ),
            (
                "from another site (Origin)",
                Some(browser.csrf.clone()),
                vec![("origin", "https://trang-la.example".to_owned())],
            ),
            (
                "from another site (Sec-Fetch-Site)",
                Some(browser.csrf.clone()),
                vec![("sec-fetch-site", "cross-site".to_owned())],
            ),
        ];
        assert_eq!(forged.len(), checks);
        for (how, csrf, headers) in forged {
            let request = Request {
                form: Some(route.form),
                fields: fields(route, own),
                csrf,
                headers,
            };
            let answer = send(env, Method::POST, &path, Some(browser), &request).await;
            let what = format!("POST {} ({path}) {how}", route.path);
            assert_refused_page(engine, &what, &answer);
            assert!(
                answer.body.contains("CSRF"),
                "[{engine}] {what}: the refusal names the forged form: {}",
                answer.body
            );
        }
    }
    // The fresh sessions were not ended by a forged logout.
    for browser in [&admin, &unit_admin] {
        let alive = send(
            env,
            Method::GET,
            "/password",
            Some(browser),
            &Request::default(),
        )
        .await;
        assert_eq!(alive.status, StatusCode::OK, "[{engine}]");
    }
    (routes, checks)
}

/// Without a session, every school and unit route answers 401 with the
/// Vietnamese page, never data; `/` sends to the login page.
async fn nothing_answers_without_a_session(env: &Env, own: &SchoolIds) -> usize {
    let engine = env.engine;
    let mut count = 0;
    for route in SCHOOL_UI_ROUTES.iter().chain(GENERAL_UI_ROUTES) {
        if !matches!(route.access, Access::School(_) | Access::Unit(_)) {
            continue;
        }
        count += 1;
        let unit = if matches!(route.access, Access::Unit(_)) {
            own.department
        } else {
            own.school
        };
        let path = own.path(route, unit);
        let request = Request {
            form: Some(route.form),
            fields: fields(route, own),
            ..Request::default()
        };
        let method = Method::from_bytes(route.method.as_bytes()).expect("method");
        let answer = send(env, method, &path, None, &request).await;
        assert_eq!(
            answer.status,
            StatusCode::UNAUTHORIZED,
            "[{engine}] {} {path} without a session: {}",
            route.method,
            answer.body
        );
        assert!(
            answer.body.contains("chưa đăng nhập"),
            "[{engine}] {}",
            answer.body
        );
    }
    let home = send(env, Method::GET, "/", None, &Request::default()).await;
    assert_eq!(home.status, StatusCode::SEE_OTHER, "[{engine}]");
    assert_eq!(home.location, "/login", "[{engine}]");
    count
}

/// The ids of another school's records under one's own school's path are
/// not found (every query filters by the school of the path): read as the
/// own school's admin, who may read everything of their school.
async fn foreign_ids_are_not_found(
    env: &Env,
    own: &SchoolIds,
    other: &SchoolIds,
    admin: &Account,
) -> usize {
    let engine = env.engine;
    assert_eq!(admin.username, "thpt.admin");
    let mut count = 0;
    for route in SCHOOL_UI_ROUTES {
        let ids = route.path.trim_start_matches("/schools/{school}");
        if route.method != "GET" || !ids.contains('{') {
            continue;
        }
        let path = other.path(route, other.school).replacen(
            &format!("/schools/{}", other.school),
            &format!("/schools/{}", own.school),
            1,
        );
        count += 1;
        let answer = send(
            env,
            Method::GET,
            &path,
            Some(&admin.browser),
            &Request::default(),
        )
        .await;
        assert_eq!(
            answer.status,
            StatusCode::NOT_FOUND,
            "[{engine}] GET {} ({path}): another school's record under one's own school: {}",
            route.path,
            answer.body
        );
    }
    assert!(count >= 4, "[{engine}] only {count} routes with ids");
    count
}

/// A JSON profile as form fields (text values only).
fn profile_fields(profile: &serde_json::Value) -> Vec<(String, String)> {
    profile
        .as_object()
        .expect("a profile")
        .iter()
        .filter_map(|(key, value)| value.as_str().map(|v| (key.clone(), v.to_owned())))
        .collect()
}

/// Every form on a record, sent by the own school's admin under their own
/// school with another school's record id, and with fields that would be
/// accepted on their own record: not found, and the other school's records
/// are unchanged.
async fn foreign_ids_are_not_written(
    env: &Env,
    own: &SchoolIds,
    other: &SchoolIds,
    admin: &Account,
    other_admin: &str,
) -> String {
    let engine = env.engine;
    assert_eq!(admin.username, "thpt.admin");
    let base = format!("/api/v1/schools/{}", other.school);
    let student_path = format!("{base}/students/{}", other.student);
    let staff_path = format!("{base}/staff/{}", other.staff);
    let student_before = env.get_ok(other_admin, &student_path).await;
    let staff_before = env.get_ok(other_admin, &staff_path).await;
    let subjects_before = env.get_ok(other_admin, &format!("{base}/subjects")).await;
    let subject_version = subjects_before
        .as_array()
        .and_then(|s| s.iter().find(|s| id(s) == other.subject))
        .and_then(|s| s["version"].as_i64())
        .unwrap_or_default();
    let changed = |before: &serde_json::Value| {
        let mut fields = profile_fields(&before["profile"]);
        fields.retain(|(key, _)| *key != "other_name");
        fields.push((
            "other_name".to_owned(),
            "Đã bị sửa từ trường khác".to_owned(),
        ));
        fields.push(("version".to_owned(), before["version"].to_string()));
        fields
    };
    let mut statuses = BTreeMap::<u16, usize>::new();
    for route in SCHOOL_UI_ROUTES {
        let ids = route.path.trim_start_matches("/schools/{school}");
        if route.method != "POST" || !ids.contains('{') {
            continue;
        }
        let tail = route.path.rsplit('/').next().unwrap_or_default();
        let fields = match tail {
            "{student}" => changed(&student_before),
            "{staff}" => changed(&staff_before),
            "{subject}" => vec![
                ("version".to_owned(), subject_version.to_string()),
                ("periods_per_year".to_owned(), "99".to_owned()),
                ("mode".to_owned(), "scored".to_owned()),
            ],
            "edit" => form(&[("name", "6TAMX"), ("grade", "6")]),
            "remove" => form(&[("mode", "delete")]),
            "rollover" | "delete" => form(&[("confirm", "1")]),
            "move" => vec![("class_id".to_owned(), own.class.to_string())],
            "transfer-out" => form(&[("date", "15/01/2026"), ("to_school", "Trường khác")]),
            "decision" => form(&[("decision", "retained")]),
            "reset" => form(&[("password", "Mat-khau-moi-2026x")]),
            _ => Vec::new(),
        };
        let path = other.path(route, other.school).replacen(
            &format!("/schools/{}", other.school),
            &format!("/schools/{}", own.school),
            1,
        );
        let request = Request {
            form: Some(route.form),
            fields,
            csrf: Some(admin.browser.csrf.clone()),
            headers: Vec::new(),
        };
        let answer = send(env, Method::POST, &path, Some(&admin.browser), &request).await;
        // Refused: a 4xx page (404 mostly; the storage answers some with its
        // own reason: a subject's version does not match, a student is not
        // studying here), or the page the form came from with the error;
        // never done (a redirect). That nothing changed is checked below.
        let refused = answer.status.is_client_error()
            || (answer.status == StatusCode::OK && answer.body.contains("class=\"flash error\""));
        assert!(
            refused,
            "[{engine}] POST {} ({path}): another school's record under one's own school: {} {}",
            route.path, answer.status, answer.body
        );
        *statuses.entry(answer.status.as_u16()).or_default() += 1;
    }
    // The other school's records are as they were.
    assert_eq!(
        env.get_ok(other_admin, &student_path).await,
        student_before,
        "[{engine}]"
    );
    assert_eq!(
        env.get_ok(other_admin, &staff_path).await,
        staff_before,
        "[{engine}]"
    );
    assert_eq!(
        env.get_ok(other_admin, &format!("{base}/subjects")).await,
        subjects_before,
        "[{engine}]"
    );
    env.get_ok(
        other_admin,
        &format!("{base}/students/{}", other.throwaway_student),
    )
    .await;
    env.get_ok(
        other_admin,
        &format!("{base}/classes/{}", other.throwaway_class),
    )
    .await;
    let campuses = env.get_ok(other_admin, &format!("{base}/campuses")).await;
    assert!(
        campuses
            .as_array()
            .is_some_and(|c| c.iter().any(|c| id(c) == other.throwaway_campus)),
        "[{engine}] the other school's campus was deleted"
    );
    let years = env.get_ok(other_admin, &format!("{base}/years")).await;
    assert_eq!(
        id(&years[0]),
        other.year,
        "[{engine}] a year was rolled over"
    );
    // The password was not reset: the account still signs in with its own.
    env.token_with(&format!("tam.{}", other.school), "Mat-khau-tam-2025")
        .await;
    format!(
        "{} forms on another school's ids {statuses:?}",
        statuses.values().sum::<usize>()
    )
}

/// A few cells written out by hand, independent of the policy code: the
/// homeroom teacher and a student of another class.
async fn hand_written_cells(env: &Env, own: &SchoolIds, accounts: &[Account], admin: &str) {
    let engine = env.engine;
    let browser = |name: &str| {
        &accounts
            .iter()
            .find(|a| a.username == name)
            .expect("a matrix account")
            .browser
    };
    let base = format!("/api/v1/schools/{}", own.school);
    let classes = env.get_ok(admin, &format!("{base}/classes")).await;
    let other_class = classes
        .as_array()
        .unwrap()
        .iter()
        .find(|c| id(c) != own.class && c["student_count"].as_i64().unwrap_or(0) > 0)
        .map(id)
        .expect("another class with students");
    let list = env
        .get_ok(admin, &format!("{base}/classes/{other_class}/students"))
        .await;
    let stranger = id(&list["students"][0]);
    let stranger_row = env
        .get_ok(admin, &format!("{base}/students/{stranger}"))
        .await;
    let personal_id = stranger_row["profile"]["personal_id"]
        .as_str()
        .filter(|p| !p.is_empty())
        .expect("the demo student has a personal ID")
        .to_owned();
    let path = format!("/schools/{}/students/{stranger}", own.school);

    // The homeroom teacher reads the student of another class, without the
    // personal data, and cannot save the record.
    let page = send(
        env,
        Method::GET,
        &path,
        Some(browser("thpt.gvcn")),
        &Request::default(),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "[{engine}] {}", page.body);
    assert!(
        !page.body.contains(&personal_id) && page.body.contains("Thông tin cá nhân"),
        "[{engine}] the homeroom teacher sees the personal ID of a student of another class"
    );
    let mut fields = profile_fields(&stranger_row["profile"]);
    fields.push(("version".to_owned(), stranger_row["version"].to_string()));
    let request = Request {
        form: Some(Form::Urlencoded),
        fields,
        csrf: Some(browser("thpt.gvcn").csrf.clone()),
        headers: Vec::new(),
    };
    let answer = send(
        env,
        Method::POST,
        &path,
        Some(browser("thpt.gvcn")),
        &request,
    )
    .await;
    assert_refused_page(
        engine,
        "the homeroom teacher saves a student of another class",
        &answer,
    );
    assert!(
        answer.body.contains("lớp mình chủ nhiệm"),
        "[{engine}] {}",
        answer.body
    );
    // The admin sees it, and saves the same form.
    let page = send(
        env,
        Method::GET,
        &path,
        Some(browser("thpt.admin")),
        &Request::default(),
    )
    .await;
    assert!(
        page.body.contains(&personal_id),
        "[{engine}] the admin sees the personal ID"
    );
    let request = Request {
        csrf: Some(browser("thpt.admin").csrf.clone()),
        ..request
    };
    let answer = send(
        env,
        Method::POST,
        &path,
        Some(browser("thpt.admin")),
        &request,
    )
    .await;
    assert_eq!(
        answer.status,
        StatusCode::SEE_OTHER,
        "[{engine}] {}",
        answer.body
    );
    // The leader reads everything and changes nothing.
    let page = send(
        env,
        Method::GET,
        &path,
        Some(browser("thpt.hieutruong")),
        &Request::default(),
    )
    .await;
    assert!(
        page.body.contains(&personal_id),
        "[{engine}] the leader sees the personal ID"
    );
    assert!(
        page.body.contains("Bạn chỉ được xem hồ sơ này"),
        "[{engine}]"
    );
}
