//! A real headless Chromium (Debian's `/usr/bin/chromium`, driven through
//! `chromedriver` over WebDriver with `fantoccini`) signs in as the THPT
//! school's admin, opens a class, checks its list is in Vietnamese order,
//! edits a student's phone number and sees it saved.
//!
//! Screenshots of the class list and of the saved student page go to
//! `test-artifacts/` at the workspace root (git-ignored).
//!
//! SQLite only: what the browser exercises (HTML, forms, cookies, CSRF,
//! redirects) does not depend on the engine, and `access_matrix.rs` and
//! `api.rs` run the same server paths on both engines.
//!
//! Without chromium or chromedriver the test is skipped with a loud
//! message, except under `CI=true`, where it fails: CI installs them
//! (`.ci/run`; `apt-get install -y chromium chromium-driver`).

mod common;

use common::browser::{chromedriver_or_skip, run_flow, screenshot};

use common::Env;
use fantoccini::{Client, Locator};
use hocba_test_support::TestDatabase;
use std::cmp::Ordering;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_edits_a_student_in_a_real_browser() {
    let Some(chromedriver) = chromedriver_or_skip() else {
        return;
    };
    let env = Env::start(TestDatabase::sqlite()).await;
    let (base, admin) = (env.base.clone(), env.login("thpt.admin").clone());
    run_flow(&chromedriver, "hocba-browser-", |client| {
        flow(client, base, admin)
    })
    .await;
}

async fn flow(client: Client, base: String, admin: hocba::demo::DemoLogin) {
    let wait = || client.wait().at_most(Duration::from_secs(30));

    // Sign in.
    client.goto(&format!("{base}/login")).await.unwrap();
    let username = wait().for_element(Locator::Id("username")).await.unwrap();
    username.send_keys(&admin.username).await.unwrap();
    let password = client.find(Locator::Id("password")).await.unwrap();
    password.send_keys(&admin.password).await.unwrap();
    client
        .find(Locator::XPath("//button[normalize-space()='Đăng nhập']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();

    // The admin of one school lands on the school's page.
    let classes_link = wait()
        .for_element(Locator::LinkText("Lớp học"))
        .await
        .unwrap_or_else(|e| panic!("no “Lớp học” link after signing in: {e}"));
    let url = client.current_url().await.unwrap();
    assert_eq!(
        url.path(),
        format!("/schools/{}", admin.unit_id),
        "landed on the school page"
    );
    let heading = client.find(Locator::Css("h1")).await.unwrap();
    assert!(
        heading.text().await.unwrap().contains("THPT"),
        "the THPT school's page"
    );

    // Lớp học → the first class.
    classes_link.click().await.unwrap();
    let first_class = wait()
        .for_element(Locator::Css("table tbody tr td a"))
        .await
        .unwrap();
    let class_name = first_class.text().await.unwrap();
    first_class.click().await.unwrap();
    wait()
        .for_element(Locator::Css("#students tbody tr"))
        .await
        .unwrap();
    let title = client.find(Locator::Css("h1")).await.unwrap();
    assert_eq!(title.text().await.unwrap(), format!("Lớp {class_name}"));

    // About forty students, in Vietnamese order.
    let links = client
        .find_all(Locator::Css("#students tbody tr td:nth-child(2) a"))
        .await
        .unwrap();
    let mut names = Vec::new();
    for link in &links {
        names.push(link.text().await.unwrap());
    }
    assert!(
        (30..=50).contains(&names.len()),
        "about 40 students in {class_name}, got {}",
        names.len()
    );
    let collator = hocba_text::collator();
    for pair in names.windows(2) {
        assert_ne!(
            collator.compare_person_names(&pair[0], &pair[1]),
            Ordering::Greater,
            "{} is listed before {}",
            pair[0],
            pair[1]
        );
    }
    screenshot(&client, "browser-class-list.png").await;

    // A student: change the contact phone and save.
    let student_name = names[0].clone();
    links[0].click().await.unwrap();
    let label = wait()
        .for_element(Locator::XPath(
            "//label[normalize-space()='Điện thoại liên hệ']",
        ))
        .await
        .unwrap();
    let field_id = label.attr("for").await.unwrap().expect("label for=");
    let phone = client.find(Locator::Id(&field_id)).await.unwrap();
    let new_phone = "0912345678";
    assert_ne!(
        phone.prop("value").await.unwrap().as_deref(),
        Some(new_phone)
    );
    phone.clear().await.unwrap();
    phone.send_keys(new_phone).await.unwrap();
    client
        .find(Locator::XPath("//button[normalize-space()='Lưu']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let notice = wait()
        .for_element(Locator::Css(".flash.ok"))
        .await
        .unwrap_or_else(|e| panic!("no notice after saving {student_name}: {e}"));
    assert_eq!(notice.text().await.unwrap(), "Đã lưu.");

    // After a reload the new value is there.
    client.refresh().await.unwrap();
    let phone = wait().for_element(Locator::Id(&field_id)).await.unwrap();
    assert_eq!(
        phone.prop("value").await.unwrap().as_deref(),
        Some(new_phone),
        "the phone number of {student_name} after a reload"
    );
    let heading = client.find(Locator::Css("h1")).await.unwrap();
    assert!(heading.text().await.unwrap().contains(&student_name));
    screenshot(&client, "browser-student-saved.png").await;
}
