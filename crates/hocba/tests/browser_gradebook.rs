//! The grade grid in a real headless Chromium (Debian's `/usr/bin/chromium`
//! through `chromedriver` and `fantoccini`), as the demo's subject teacher
//! `thpt.gvbm` in a class and scored subject they are assigned this
//! semester: from the class's gradebook index to the grid; "8,5" then
//! Enter saves and moves down; arrows move and leaving a cell saves it;
//! "11" shows the Vietnamese message at once and is not saved; a value the
//! server refuses keeps the typed text with the server's message; a column
//! of 3 scores pasted (a `paste` event with a `DataTransfer`, as a browser
//! fires it) fills down and is saved as one batch; the average follows;
//! after a reload everything typed is there (and in the API); a cell
//! changed meanwhile by someone else (the administrator, through the API)
//! and then saved in the page gives the 409 message naming who changed it,
//! and the cell takes the new value. In học kỳ II (its window opened by the
//! administrator through the API) the year average (ĐTBmcn) of a row
//! follows as soon as its final score is typed, with the server's value;
//! the server-rendered grid (as fetched, before any script) has the
//! `<noscript>` note with the Excel links and only read-only inputs.
//!
//! Screenshots go to `test-artifacts/` (git-ignored): the grid after the
//! conflict, and the grid in a phone-sized window.
//!
//! SQLite only, like `browser.rs`; without chromium or chromedriver the
//! test is skipped loudly, except under `CI=true`, where it fails.

mod common;

use common::browser::{chromedriver_or_skip, run_flow, screenshot};

use common::{Env, id};
use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use hocba_test_support::TestDatabase;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_teacher_enters_grades_in_the_grid() {
    let Some(chromedriver) = chromedriver_or_skip() else {
        return;
    };
    let env = std::sync::Arc::new(Env::start(TestDatabase::sqlite()).await);
    let book = Book::find(&env).await;
    run_flow(&chromedriver, "hocba-browser-gradebook-", |client| {
        flow(client, env.clone(), book)
    })
    .await;
}

/// The gradebook the test works in, found through the API.
#[derive(Debug, Clone)]
struct Book {
    school: i64,
    class: i64,
    subject: i64,
    semester: i64,
    /// The administrator's API token (the "other user" of the conflict).
    admin: String,
    /// Column keys, in the grid's order.
    columns: Vec<String>,
    students: Vec<i64>,
}

impl Book {
    /// A class × scored subject that `thpt.gvbm` teaches in the semester
    /// whose entry window the demo opened, with unlocked columns.
    async fn find(env: &Env) -> Book {
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
            .unwrap_or_else(|| panic!("the demo opens no entry window: {windows}"));
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
        let mine = assignments["teaching"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| {
                a["staff_id"] == staff
                    && a["semester"] == semester
                    && scored(a["subject_id"].as_i64().unwrap())
            })
            .unwrap_or_else(|| panic!("thpt.gvbm teaches no scored subject: {assignments}"))
            .clone();
        let class = mine["class_id"].as_i64().unwrap();
        let subject = mine["subject_id"].as_i64().unwrap();
        let grid = env
            .get_ok(
                &admin,
                &format!("{base}/gradebook/{class}/{subject}/{semester}"),
            )
            .await;
        let columns: Vec<String> = grid["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                assert_eq!(c["locked"], false, "the demo locks no column: {c}");
                c["key"].as_str().unwrap().to_owned()
            })
            .collect();
        let students: Vec<i64> = grid["students"]
            .as_array()
            .unwrap()
            .iter()
            .map(id)
            .collect();
        assert!(columns.len() >= 4, "regular columns, mid-term, final");
        assert!(
            students.len() >= 8,
            "a class of the demo: {}",
            students.len()
        );
        Book {
            school,
            class,
            subject,
            semester,
            admin,
            columns,
            students,
        }
    }

    fn api(&self) -> String {
        format!(
            "/api/v1/schools/{}/gradebook/{}/{}/{}",
            self.school, self.class, self.subject, self.semester
        )
    }

    fn page(&self) -> String {
        format!(
            "/schools/{}/gradebook/{}/{}/{}",
            self.school, self.class, self.subject, self.semester
        )
    }

    async fn grid(&self, env: &Env) -> Value {
        env.get_ok(&self.admin, &self.api()).await
    }

    /// The stored display value of a cell ("" when empty).
    fn stored(grid: &Value, row: usize, column: &str) -> String {
        grid["students"][row]["cells"][column]["display"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
}

/// How the grid shows a score typed as `typed`: a decimal comma and always
/// one decimal ("7" → "7,0", "8.5" → "8,5").
fn shown(typed: &str) -> String {
    let text = typed.replace('.', ",");
    if text.contains(',') {
        text
    } else {
        format!("{text},0")
    }
}

/// A cell of the page as the script sees it.
#[derive(Debug)]
struct Cell {
    value: String,
    saved: String,
    classes: String,
    message: String,
    readonly: bool,
    focused: bool,
}

const READ_CELL: &str = r#"
const [r, c] = arguments;
const input = document.querySelectorAll('#grid tbody tr')[r].querySelectorAll('input[data-col]')[c];
return {
  value: input.value,
  saved: input.getAttribute('data-saved') || '',
  classes: input.className,
  message: input.closest('td').querySelector('.msg').textContent,
  readonly: input.readOnly,
  focused: document.activeElement === input,
};
"#;

async fn cell(client: &Client, row: usize, column: usize) -> Cell {
    let value = client
        .execute(READ_CELL, vec![json!(row), json!(column)])
        .await
        .unwrap_or_else(|e| panic!("reading cell ({row}, {column}): {e}"));
    let text = |key: &str| value[key].as_str().unwrap_or_default().to_owned();
    Cell {
        value: text("value"),
        saved: text("saved"),
        classes: text("classes"),
        message: text("message"),
        readonly: value["readonly"].as_bool().unwrap_or(true),
        focused: value["focused"].as_bool().unwrap_or(false),
    }
}

/// Polls `check` on a cell until it holds (15 s at most).
async fn wait_cell(
    client: &Client,
    row: usize,
    column: usize,
    what: &str,
    check: impl Fn(&Cell) -> bool,
) -> Cell {
    let start = Instant::now();
    loop {
        let state = cell(client, row, column).await;
        if check(&state) {
            return state;
        }
        if start.elapsed() > Duration::from_secs(15) {
            panic!("cell ({row}, {column}): {what}; it is {state:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn average(client: &Client, row: usize) -> String {
    client
        .execute(
            "return document.querySelectorAll('#grid tbody tr')[arguments[0]].querySelector('td.avg').textContent.trim();",
            vec![json!(row)],
        )
        .await
        .unwrap()
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Sends keys to whatever has the focus, as a user typing.
async fn type_keys(client: &Client, keys: &str) {
    client
        .active_element()
        .await
        .expect("a focused element")
        .send_keys(keys)
        .await
        .expect("typing");
}

async fn flow(client: Client, env: std::sync::Arc<Env>, book: Book) {
    let wait = || client.wait().at_most(Duration::from_secs(30));
    let base = env.base.clone();
    let teacher = env.login("thpt.gvbm").clone();

    // Sign in as the subject teacher.
    client.goto(&format!("{base}/login")).await.unwrap();
    let username = wait().for_element(Locator::Id("username")).await.unwrap();
    username.send_keys(&teacher.username).await.unwrap();
    let password = client.find(Locator::Id("password")).await.unwrap();
    password.send_keys(&teacher.password).await.unwrap();
    client
        .find(Locator::XPath("//button[normalize-space()='Đăng nhập']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait().for_element(Locator::Css("h1")).await.unwrap();

    // The class's gradebooks: the teacher's own rows are highlighted and
    // link to the grid.
    client
        .goto(&format!(
            "{base}/schools/{}/classes/{}/gradebook",
            book.school, book.class
        ))
        .await
        .unwrap();
    let link = wait()
        .for_element(Locator::Css(&format!(
            "#gradebooks tr.mine a[href='{}']",
            book.page()
        )))
        .await
        .unwrap_or_else(|e| panic!("no highlighted link to {} on the index: {e}", book.page()));
    let index = client
        .find(Locator::Id("gradebooks"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(index.contains("đã khai báo"), "plan status: {index}");
    assert!(index.contains("đã nhập "), "progress: {index}");
    screenshot(&client, "browser-gradebook-index.png").await;
    link.click().await.unwrap();

    // The grid, made editable by the script.
    wait()
        .for_element(Locator::Css("#grid input[data-col]:not([readonly])"))
        .await
        .unwrap_or_else(|e| panic!("the grid's cells never became editable: {e}"));
    let heading = client.find(Locator::Css("h1")).await.unwrap();
    assert!(heading.text().await.unwrap().starts_with("Sổ điểm môn "));
    assert!(
        client.find(Locator::Id("why-not")).await.is_err(),
        "the assigned teacher in an open window is not told why not"
    );
    let last = book.columns.len() - 1;

    // Row 0, first column: "8,5" then Enter saves and moves down.
    client
        .find(Locator::Css("#grid tbody tr:first-child input[data-col]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    type_keys(&client, &format!("8,5{}", Key::Enter)).await;
    wait_cell(&client, 0, 0, "saved as 8,5", |c| {
        c.saved == "8,5" && c.value == "8,5"
    })
    .await;
    assert!(
        cell(&client, 1, 0).await.focused,
        "Enter moves to the next student"
    );

    // Up, then right along row 0 typing a score in each column; leaving a
    // cell by an arrow saves it. The last one is saved with Enter.
    type_keys(&client, &Key::Up.to_string()).await;
    assert!(cell(&client, 0, 0).await.focused, "ArrowUp moves up");
    let scores = ["7", "9", "6,5", "8", "7,5", "10", "5"];
    let mut typed = vec!["8,5".to_owned()];
    for column in 1..=last {
        type_keys(&client, &Key::Right.to_string()).await;
        assert!(
            cell(&client, 0, column).await.focused,
            "ArrowRight moves to column {column}"
        );
        let score = scores[(column - 1) % scores.len()];
        let end = if column == last {
            Key::Enter.to_string()
        } else {
            String::new()
        };
        type_keys(&client, &format!("{score}{end}")).await;
        typed.push(shown(score));
    }
    for (column, score) in typed.iter().enumerate() {
        wait_cell(&client, 0, column, &format!("saved as {score}"), |c| {
            &c.saved == score && !c.classes.contains("saving")
        })
        .await;
    }
    // The average of row 0 follows, as the server computes it.
    let grid = book.grid(&env).await;
    let expected = grid["students"][0]["average"]["semester"]
        .as_str()
        .unwrap_or_else(|| panic!("row 0 is complete: {}", grid["students"][0]))
        .replace('.', ",");
    let start = Instant::now();
    while average(&client, 0).await != expected {
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "the average of row 0 is {} in the page, {expected} on the server",
            average(&client, 0).await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // "11" on row 1: the Vietnamese message at once, nothing saved.
    let row1_before = cell(&client, 1, 0).await.saved;
    client
        .find(Locator::Css("#grid tbody tr:nth-child(2) input[data-col]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    type_keys(&client, "11").await;
    let bad = wait_cell(&client, 1, 0, "marked as a bad value", |c| {
        c.classes.contains("bad")
    })
    .await;
    assert!(
        bad.message.contains("lớn hơn 10"),
        "the message for 11: {bad:?}"
    );
    type_keys(&client, &Key::Enter.to_string()).await;
    let kept = cell(&client, 1, 0).await;
    assert_eq!(kept.value, "11", "the typed text stays");
    assert_eq!(kept.saved, row1_before, "11 is not saved");
    assert_eq!(
        Book::stored(&book.grid(&env).await, 1, &book.columns[0]),
        row1_before.clone(),
        "the server has not changed"
    );
    // A value only the server refuses (Đ in a scored subject): its
    // message, the typed text kept.
    client
        .find(Locator::Css("#grid tbody tr:nth-child(2) input[data-col]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    type_keys(&client, &format!("Đ{}", Key::Enter)).await;
    let refused = wait_cell(&client, 1, 0, "refused by the server", |c| {
        c.classes.contains("bad") && c.value == "Đ"
    })
    .await;
    assert!(
        refused.message.contains("nhận xét"),
        "the server's message for Đ in a scored subject: {refused:?}"
    );
    screenshot(&client, "browser-gradebook-invalid.png").await;
    // Esc gives the saved value back.
    client
        .find(Locator::Css("#grid tbody tr:nth-child(2) input[data-col]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    type_keys(&client, &Key::Escape.to_string()).await;
    let restored = cell(&client, 1, 0).await;
    assert_eq!(restored.value, row1_before);
    assert!(!restored.classes.contains("bad"), "{restored:?}");

    // A column of 3 scores pasted into row 2, column 1 (as Excel copies:
    // lines ending in \r\n), by the browser's own paste event.
    let pasted = ["6,5", "7", "8.5"];
    client
        .execute(
            r#"
            const input = document.querySelectorAll('#grid tbody tr')[2].querySelectorAll('input[data-col]')[1];
            input.focus();
            const data = new DataTransfer();
            data.setData('text/plain', arguments[0]);
            input.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));
            "#,
            vec![json!(format!("{}\r\n", pasted.join("\r\n")))],
        )
        .await
        .unwrap();
    let status = wait()
        .for_element(Locator::Css("#grid-status.ok"))
        .await
        .unwrap();
    assert_eq!(status.text().await.unwrap(), "Đã lưu 3 ô.");
    for (offset, score) in pasted.iter().enumerate() {
        let shown = shown(score);
        wait_cell(&client, 2 + offset, 1, &format!("pasted {shown}"), |c| {
            c.value == shown && c.saved == shown
        })
        .await;
    }

    // After a reload everything is there, in the page and on the server.
    client.refresh().await.unwrap();
    wait()
        .for_element(Locator::Css("#grid input[data-col]:not([readonly])"))
        .await
        .unwrap();
    let grid = book.grid(&env).await;
    for (column, score) in typed.iter().enumerate() {
        assert_eq!(cell(&client, 0, column).await.value, *score);
        assert_eq!(Book::stored(&grid, 0, &book.columns[column]), *score);
    }
    for (offset, score) in pasted.iter().enumerate() {
        let shown = shown(score);
        assert_eq!(cell(&client, 2 + offset, 1).await.value, shown);
        assert_eq!(Book::stored(&grid, 2 + offset, &book.columns[1]), shown);
    }
    assert_eq!(average(&client, 0).await, expected);

    // A conflict: the administrator changes row 6, column 0 through the
    // API after the page was loaded; the teacher's save is refused with
    // who, what and when, and the cell takes the new value.
    let row = 6;
    let cell_before = &grid["students"][row]["cells"][&book.columns[0]];
    let version = cell_before["version"].as_i64();
    let other_value = if Book::stored(&grid, row, &book.columns[0]) == "4,5" {
        "3,5"
    } else {
        "4,5"
    };
    env.write_expect(
        Method::PUT,
        &book.admin,
        &format!("{}/cells", book.api()),
        json!({"student_id": book.students[row], "column": book.columns[0],
               "value": other_value, "version": version}),
        StatusCode::OK,
    )
    .await;
    client
        .find(Locator::Css(&format!(
            "#grid tbody tr:nth-child({}) input[data-col]",
            row + 1
        )))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    type_keys(&client, &format!("9{}", Key::Enter)).await;
    let conflict = wait_cell(&client, row, 0, "told of the conflict", |c| {
        c.classes.contains("conflict")
    })
    .await;
    let admin_name = env.get_ok(&book.admin, "/api/v1/me").await["display_name"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        conflict.message.contains("vừa được")
            && conflict
                .message
                .contains(&format!("sửa thành {other_value}"))
            && conflict.message.contains("điểm của bạn chưa được lưu")
            && conflict.message.contains(" lúc "),
        "the 409 message: {conflict:?}"
    );
    if !admin_name.is_empty() {
        assert!(
            conflict.message.contains(&admin_name),
            "the message names {admin_name}: {conflict:?}"
        );
    }
    assert_eq!(conflict.value, other_value, "the cell shows the new value");
    assert_eq!(conflict.saved, other_value);
    assert_eq!(
        Book::stored(&book.grid(&env).await, row, &book.columns[0]),
        other_value,
        "the teacher's 9 did not overwrite it"
    );
    client
        .execute(
            "document.querySelectorAll('#grid tbody tr')[arguments[0]].scrollIntoView({block: 'center'});",
            vec![json!(row)],
        )
        .await
        .unwrap();
    let shot = screenshot(&client, "browser-gradebook.png").await;
    assert!(shot.is_file());

    // Saving again (now at the current version) goes through.
    client
        .find(Locator::Css(&format!(
            "#grid tbody tr:nth-child({}) input[data-col]",
            row + 1
        )))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    type_keys(&client, &format!("9{}", Key::Enter)).await;
    wait_cell(&client, row, 0, "saved after the conflict", |c| {
        c.saved == "9,0" && !c.classes.contains("conflict")
    })
    .await;

    // On a phone: the table scrolls sideways under a sticky name column.
    client.set_window_size(390, 844).await.unwrap();
    client.refresh().await.unwrap();
    wait()
        .for_element(Locator::Css("#grid input[data-col]:not([readonly])"))
        .await
        .unwrap();
    let layout = client
        .execute(
            r#"
            const box = document.querySelector('.gb');
            const name = document.querySelector('#grid tbody th.name');
            const input = document.querySelector('#grid input[data-col]');
            box.scrollLeft = 200;
            return {
              scrolls: box.scrollWidth > box.clientWidth,
              sticky: getComputedStyle(name).position,
              nameLeft: name.getBoundingClientRect().left - box.getBoundingClientRect().left,
              inputHeight: input.getBoundingClientRect().height,
              inputmode: input.getAttribute('inputmode'),
            };
            "#,
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(layout["scrolls"], true, "{layout}");
    assert_eq!(layout["sticky"], "sticky", "{layout}");
    assert!(
        layout["nameLeft"].as_f64().unwrap_or(99.0).abs() < 2.0,
        "the name stays at the left edge while scrolled: {layout}"
    );
    assert!(
        layout["inputHeight"].as_f64().unwrap_or(0.0) >= 36.0,
        "inputs large enough for a finger: {layout}"
    );
    assert_eq!(layout["inputmode"], "decimal");
    screenshot(&client, "browser-gradebook-phone.png").await;

    // The other semester has no open window (the demo opens the current
    // one): the page says why and what to do, and the cells stay read-only.
    client.set_window_size(1280, 1000).await.unwrap();
    let other = if book.semester == 1 { 2 } else { 1 };
    client
        .goto(&format!(
            "{base}/schools/{}/gradebook/{}/{}/{other}",
            book.school, book.class, book.subject
        ))
        .await
        .unwrap();
    let why = wait().for_element(Locator::Id("why-not")).await.unwrap();
    let why = why.text().await.unwrap();
    assert!(
        why.contains("đợt nhập điểm") && why.contains("Cách xử lý"),
        "the reason and the remedy: {why}"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        cell(&client, 0, 0).await.readonly,
        "read-only without a window"
    );

    the_year_average_follows(&client, &env, &book).await;
}

/// The year column of a student's row: its text and its title.
async fn year_cell(client: &Client, student: i64) -> (String, String) {
    let value = client
        .execute(
            r#"
            const cell = document.querySelector('#grid tbody tr[data-student="' + arguments[0] + '"] td.year');
            return cell ? [cell.textContent.trim(), cell.title] : null;
            "#,
            vec![json!(student.to_string())],
        )
        .await
        .unwrap();
    let text = |i: usize| value[i].as_str().unwrap_or_default().to_owned();
    assert!(value.is_array(), "no year column for student {student}");
    (text(0), text(1))
}

/// Học kỳ II: the year average follows the typing (the server's value,
/// shown at once); and the page as the server renders it reads without
/// script and says how to enter grades without it.
async fn the_year_average_follows(client: &Client, env: &Env, book: &Book) {
    let wait = || client.wait().at_most(Duration::from_secs(30));
    let teacher = env.token("thpt.gvbm").await;
    let school_api = format!("/api/v1/schools/{}", book.school);
    let grid = book.grid(env).await;
    let grade = grid["class"]["grade"].as_i64().unwrap();
    let now = env
        .get_ok(&book.admin, &format!("{school_api}/entry-windows"))
        .await["now"]
        .as_i64()
        .unwrap();
    // Both semesters open: the demo opens the current one's window only.
    env.write_expect(
        Method::POST,
        &book.admin,
        &format!("{school_api}/entry-windows"),
        json!({"grade": grade, "semester": 3 - book.semester,
               "opens_at": now - 60_000, "closes_at": now + 3_600_000}),
        StatusCode::CREATED,
    )
    .await;
    let book_api = |semester: i64| {
        format!(
            "{school_api}/gradebook/{}/{}/{semester}",
            book.class, book.subject
        )
    };
    // Row 7 (untouched above): complete in học kỳ I, and in học kỳ II
    // without its final score, through the API as the teacher.
    let student = book.students[7];
    let row_of = |grid: &Value| {
        grid["students"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| id(s) == student)
            .cloned()
            .unwrap()
    };
    let first = env.get_ok(&teacher, &book_api(1)).await;
    let row = row_of(&first);
    let cells: Vec<Value> = first["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let column = c["key"].as_str().unwrap();
            let value = if column == "final" { "7" } else { "8" };
            json!({"student_id": student, "column": column, "value": value,
                   "version": row["cells"][column]["version"]})
        })
        .collect();
    env.write_expect(
        Method::POST,
        &teacher,
        &format!("{}/cells/batch", book_api(1)),
        json!({"cells": cells}),
        StatusCode::OK,
    )
    .await;
    let second = env.get_ok(&teacher, &book_api(2)).await;
    let row = row_of(&second);
    let cells: Vec<Value> = second["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let column = c["key"].as_str().unwrap();
            let value = if column == "final" { "" } else { "9" };
            json!({"student_id": student, "column": column, "value": value,
                   "version": row["cells"][column]["version"]})
        })
        .collect();
    env.write_expect(
        Method::POST,
        &teacher,
        &format!("{}/cells/batch", book_api(2)),
        json!({"cells": cells}),
        StatusCode::OK,
    )
    .await;

    let page = format!(
        "/schools/{}/gradebook/{}/{}/2",
        book.school, book.class, book.subject
    );
    client.goto(&format!("{}{page}", env.base)).await.unwrap();
    wait()
        .for_element(Locator::Css("#grid input[data-col]:not([readonly])"))
        .await
        .unwrap_or_else(|e| panic!("học kỳ II never became editable: {e}"));

    // The page as the server sends it (what a browser without script
    // shows): the noscript note with the Excel links, every input
    // read-only, the typing help hidden; and the Excel download works.
    let fetched = client
        .execute_async(
            r#"
            const done = arguments[arguments.length - 1];
            Promise.all([
              fetch(location.href, {credentials: 'same-origin'}).then(r => r.text()),
              fetch(arguments[0], {credentials: 'same-origin'}).then(r => r.status),
            ]).then(done, e => done(['error ' + e, 0]));
            "#,
            vec![json!(format!("{}/sheet.xlsx", book_api(2)))],
        )
        .await
        .unwrap();
    let html = fetched[0].as_str().unwrap_or_default();
    let note = html
        .split("<noscript>")
        .nth(1)
        .and_then(|rest| rest.split("</noscript>").next())
        .unwrap_or_else(|| panic!("no <noscript> note in the grid page"));
    assert!(
        note.contains("chỉ để xem")
            && note.contains("không lưu được gì")
            && note.contains("Lý do:")
            && note.contains("Cách xử lý:"),
        "the note says what, why and what to do: {note}"
    );
    assert!(
        note.contains(&format!("href=\"{}/sheet.xlsx\"", book_api(2)))
            && note.contains(&format!(
                "href=\"/schools/{}/classes/{}/gradebook/2/excel\"",
                book.school, book.class
            )),
        "the note links the Excel download and upload: {note}"
    );
    assert_eq!(fetched[1], 200, "the Excel download of the note works");
    let inputs: Vec<&str> = html
        .split("<input")
        .skip(1)
        .map(|rest| rest.split('>').next().unwrap_or_default())
        .filter(|tag| tag.contains("data-col="))
        .collect();
    assert!(!inputs.is_empty(), "the grid's inputs are in the page");
    assert!(
        inputs.iter().all(|tag| tag.contains(" readonly")),
        "every input is read-only until the script runs: {inputs:?}"
    );
    assert!(
        html.contains("data-needs-script hidden"),
        "the typing help is hidden without script"
    );
    let help_shown = client
        .execute(
            "return [...document.querySelectorAll('[data-needs-script]')].every(e => !e.hidden);",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(help_shown, true, "the script shows the typing help");

    // The year value is missing (no final score in học kỳ II) and says why.
    let (text, title) = year_cell(client, student).await;
    assert_eq!(text, "—", "no year value yet");
    assert!(
        title.starts_with("Học kỳ II: "),
        "why the year value is missing: {title}"
    );
    // The final score typed: the year value appears at once, the server's.
    client
        .find(Locator::Css(&format!(
            "#grid tbody tr[data-student='{student}'] input[data-col='final']"
        )))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    type_keys(client, &format!("8,5{}", Key::Enter)).await;
    let start = Instant::now();
    let (text, title) = loop {
        let (text, title) = year_cell(client, student).await;
        if text != "—" {
            break (text, title);
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "the year column never changed: {title}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let server = row_of(&env.get_ok(&teacher, &book_api(2)).await);
    let expected = server["average"]["year"]
        .as_str()
        .unwrap_or_else(|| panic!("the server has the year value: {server}"))
        .replace('.', ",");
    assert_eq!(text, expected, "the page shows the server's year value");
    assert!(title.is_empty(), "nothing missing any more: {title}");
    screenshot(client, "browser-gradebook-year.png").await;
}
