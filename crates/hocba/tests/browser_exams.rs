//! The sync wizard in a real headless Chromium (Debian's
//! `/usr/bin/chromium` through `chromedriver` and `fantoccini`), as the
//! demo's THPT administrator: from the Kỳ thi page to the demo's regular
//! exam, its Toán paper's finalised score sheet, and "Đồng bộ điểm". The
//! wizard shows the first class (whose Toán columns already hold the demo's
//! scores) with no column to choose and each column's reason, and offers
//! the second class's columns; choosing the mid-term and saving runs the
//! sync from the page's script, which then shows the result: the second
//! class synced, the first refused with its reason. The score sheet and the
//! second class's grid show the shield marker; the API agrees.
//!
//! Screenshots go to `test-artifacts/` (git-ignored): the wizard and the
//! result. SQLite only, like the other browser tests; without chromium or
//! chromedriver the test is skipped loudly, except under `CI=true`, where
//! it fails.

mod common;

use common::browser::{chromedriver_or_skip, run_flow, screenshot};
use common::{Env, id};
use fantoccini::{Client, Locator};
use hocba_test_support::TestDatabase;
use serde_json::Value;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_syncs_a_paper_in_the_wizard() {
    let Some(chromedriver) = chromedriver_or_skip() else {
        return;
    };
    let env = std::sync::Arc::new(Env::start(TestDatabase::sqlite()).await);
    run_flow(&chromedriver, "hocba-browser-exams-", |client| {
        flow(client, env.clone())
    })
    .await;
}

async fn text_of(client: &Client, css: &str) -> String {
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .text()
        .await
        .unwrap()
}

async fn flow(client: Client, env: std::sync::Arc<Env>) {
    let wait = || client.wait().at_most(Duration::from_secs(30));
    let base = env.base.clone();
    let school = env.school_of("thpt.admin");
    let token = env.token("thpt.admin").await;
    let api = format!("/api/v1/schools/{school}");
    // The demo's regular exam and its paper, as the API lists them.
    let exams = env.get_ok(&token, &format!("{api}/exams")).await;
    let exam = exams["exams"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "regular")
        .cloned()
        .expect("the demo's regular exam");
    let paper = &exam["papers"][0];
    let paper_id = id(paper);
    let first = paper["classes"][0]["class_id"].as_i64().unwrap();
    let second = paper["classes"][1]["class_id"].as_i64().unwrap();
    let second_name = paper["classes"][1]["class_name"]
        .as_str()
        .unwrap()
        .to_owned();

    let admin = env.login("thpt.admin").clone();
    client.goto(&format!("{base}/login")).await.unwrap();
    wait()
        .for_element(Locator::Id("username"))
        .await
        .unwrap()
        .send_keys(&admin.username)
        .await
        .unwrap();
    client
        .find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys(&admin.password)
        .await
        .unwrap();
    client
        .find(Locator::XPath("//button[normalize-space()='Đăng nhập']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait().for_element(Locator::Css("h1")).await.unwrap();

    // Kỳ thi → the exam → the paper → Đồng bộ điểm.
    client
        .goto(&format!("{base}/schools/{school}/exams"))
        .await
        .unwrap();
    let name = exam["name"].as_str().unwrap();
    wait()
        .for_element(Locator::LinkText(name))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait()
        .for_element(Locator::LinkText(paper["name"].as_str().unwrap()))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let state = wait()
        .for_element(Locator::XPath("//strong[contains(., 'Đã chốt điểm')]"))
        .await;
    assert!(state.is_ok(), "the demo's sheet is finalised");
    wait()
        .for_element(Locator::LinkText("Đồng bộ điểm"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait().for_element(Locator::Id("sync-form")).await.unwrap();

    // The first class: no column to choose, each column's reason.
    let full = text_of(&client, &format!("#sync-class-{first}")).await;
    assert!(
        full.contains("không có cột điểm nào nhận được điểm"),
        "the full class says why: {full}"
    );
    assert!(
        full.contains("đã có điểm của"),
        "each column names who holds scores: {full}"
    );
    assert!(
        client
            .find(Locator::Css(&format!("select#column-{first}")))
            .await
            .is_err(),
        "no column to choose for the full class"
    );
    // The second class: choose the mid-term.
    let select = client
        .find(Locator::Css(&format!("select#column-{second}")))
        .await
        .expect("the second class offers its columns");
    select.select_by_value("midterm").await.unwrap();
    screenshot(&client, "exam-sync-wizard").await;
    client
        .find(Locator::XPath(
            "//button[normalize-space()='Lưu lại và đồng bộ']",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // The page's script posts, then shows the result.
    wait()
        .for_element(Locator::XPath("//h2[normalize-space()='Kết quả đồng bộ']"))
        .await
        .expect("the result of the sync");
    let synced = text_of(&client, &format!("#sync-class-{second}")).await;
    assert!(synced.contains("Đã đồng bộ"), "{synced}");
    let refused = text_of(&client, &format!("#sync-class-{first}")).await;
    assert!(
        refused.contains("Không đồng bộ được") && refused.contains("đã có điểm của"),
        "the full class was left out, with the reason: {refused}"
    );
    screenshot(&client, "exam-sync-result").await;

    // The API agrees; the sheet and the grid show the shield.
    let run = env
        .get_ok(&token, &format!("{api}/exam-papers/{paper_id}/sync"))
        .await;
    let class = |id: i64| -> Value {
        run["run"]["classes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["class_id"] == id)
            .cloned()
            .unwrap()
    };
    let written = class(second)["written"].as_i64().unwrap();
    assert!(written > 0, "{run}");
    assert_eq!(class(first)["status"], "refused", "{run}");
    client
        .goto(&format!("{base}/schools/{school}/exam-papers/{paper_id}"))
        .await
        .unwrap();
    wait()
        .for_element(Locator::Css("table.exam"))
        .await
        .unwrap();
    let shields = client
        .find_all(Locator::Css("table.exam tbody .shield"))
        .await
        .unwrap()
        .len();
    assert_eq!(shields as i64, written, "one shield per synced score");
    let maths = paper["subject_id"].as_i64().unwrap();
    let semester = exam["semester"].as_i64().unwrap();
    client
        .goto(&format!(
            "{base}/schools/{school}/gradebook/{second}/{maths}/{semester}"
        ))
        .await
        .unwrap();
    wait().for_element(Locator::Css("h1")).await.unwrap();
    let grid_shields = client
        .find_all(Locator::Css(".shield"))
        .await
        .unwrap()
        .len();
    assert_eq!(
        grid_shields as i64, written,
        "the grid of {second_name} marks the synced scores"
    );
}
