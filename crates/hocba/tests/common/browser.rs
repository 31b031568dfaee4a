//! The headless-browser harness of the UI tests: Debian's chromium driven
//! through chromedriver over WebDriver (`fantoccini`), and screenshots into
//! `test-artifacts/`.

use fantoccini::{Client, ClientBuilder};
use serde_json::json;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub const CHROMIUM: &str = "/usr/bin/chromium";

pub fn is_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
}

/// `name` on the PATH (or in /usr/bin).
pub fn find_program(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/bin")])
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// The chromedriver child process; killed when dropped, also on a panic.
pub struct Driver {
    child: Child,
    pub port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

pub fn start_driver(program: &Path, log: &Path) -> Driver {
    let port = free_port();
    let log_file = std::fs::File::create(log).expect("chromedriver log file");
    let child = Command::new(program)
        .arg(format!("--port={port}"))
        .stdin(Stdio::null())
        .stdout(log_file.try_clone().expect("log file"))
        .stderr(log_file)
        .spawn()
        .unwrap_or_else(|e| panic!("starting {}: {e}", program.display()));
    let driver = Driver { child, port };
    // Wait until it listens (it prints "ChromeDriver was started successfully").
    for _ in 0..200 {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return driver;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!(
        "chromedriver did not listen on port {port}; its log:\n{}",
        std::fs::read_to_string(log).unwrap_or_default()
    );
}

pub async fn connect(driver: &Driver, profile_dir: &Path) -> Client {
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": CHROMIUM,
            "args": [
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--window-size=1280,1000",
                "--lang=vi-VN",
                format!("--user-data-dir={}", profile_dir.display()),
            ]
        }),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector)
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .unwrap_or_else(|e| panic!("a WebDriver session with headless Chromium: {e}"))
}

/// The chromedriver that drives Chromium, or `None` when this machine has
/// no browser: the test is then skipped loudly, except under `CI=true`,
/// where a missing browser fails it.
pub fn chromedriver_or_skip() -> Option<PathBuf> {
    let chromedriver = find_program("chromedriver");
    if Path::new(CHROMIUM).is_file() && chromedriver.is_some() {
        return chromedriver;
    }
    let message = format!(
        "the browser test needs {CHROMIUM} and chromedriver (found: chromium {}, chromedriver {:?}); \
         install them with `apt-get install -y chromium chromium-driver`",
        Path::new(CHROMIUM).is_file(),
        chromedriver
    );
    if is_ci() {
        panic!("CI=true: {message}");
    }
    eprintln!(
        "\n{}\n!! SKIPPED: {message}\n{}\n",
        "!".repeat(78),
        "!".repeat(78)
    );
    None
}

/// Starts chromedriver and a headless Chromium session in a scratch
/// directory and runs `flow` with the client. The flow runs in a task so
/// that, pass or fail, the session is closed (which ends Chromium) before
/// chromedriver is killed; a failure prints chromedriver's log and fails
/// the test with the flow's own panic.
pub async fn run_flow<F, Fut>(chromedriver: &Path, prefix: &str, flow: F)
where
    F: FnOnce(Client) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let scratch = tempfile::Builder::new()
        .prefix(prefix)
        .tempdir()
        .expect("a temporary directory");
    let profile_dir = scratch.path().join("chromium-profile");
    std::fs::create_dir_all(&profile_dir).unwrap();
    let log = scratch.path().join("chromedriver.log");
    let driver = start_driver(chromedriver, &log);
    let client = connect(&driver, &profile_dir).await;
    let outcome = tokio::spawn(flow(client.clone())).await;
    let _ = client.close().await;
    drop(driver);
    if let Err(error) = outcome {
        eprintln!(
            "chromedriver log:\n{}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        match error.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            Err(error) => panic!("the browser flow did not finish: {error}"),
        }
    }
}

pub fn artifacts_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join("test-artifacts");
    std::fs::create_dir_all(&dir).expect("creating test-artifacts/");
    dir.canonicalize().expect("test-artifacts/")
}

pub async fn screenshot(client: &Client, name: &str) -> PathBuf {
    let png = client.screenshot().await.expect("a screenshot");
    assert!(
        png.len() > 1000 && png.starts_with(b"\x89PNG"),
        "{name}: not a PNG"
    );
    let path = artifacts_dir().join(name);
    std::fs::write(&path, &png).expect("writing the screenshot");
    let written = std::fs::metadata(&path).expect("screenshot file").len();
    assert!(written > 0, "{} is empty", path.display());
    eprintln!("browser: screenshot {}", path.display());
    path
}
