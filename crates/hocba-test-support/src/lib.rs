//! Throwaway databases for hocba's tests, on both engines the product supports.
//!
//! Every storage and end-to-end test runs once per engine:
//!
//! ```no_run
//! # async fn example() {
//! for db in hocba_test_support::test_databases().await {
//!     let pool = db.pool().await; // a fresh, empty database
//!     // run the migrations, then the test; put `db.engine` in assertion messages
//! }
//! # }
//! ```
//!
//! * SQLite is always tested: a file in a fresh temporary directory.
//! * PostgreSQL is tested when [`POSTGRES_URL_VAR`] (`HOCBA_TEST_POSTGRES_URL`)
//!   points at a cluster; `scripts/test` starts a throwaway one and sets it.
//!   Each [`TestDatabase`] is a new `CREATE DATABASE` on that cluster.
//! * Without that variable, `CI=true` makes [`test_databases`] panic, and
//!   otherwise a warning is printed once and only SQLite is tested.
//!
//! This crate knows nothing about the schema: it hands out URLs and pools of
//! empty databases, and the storage crate runs its own migrations.

use std::fmt;
use std::path::PathBuf;
use std::sync::Once;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use sqlx::any::AnyPoolOptions;
use sqlx::{AnyConnection, AnyPool, AssertSqlSafe, Connection};
use tempfile::TempDir;

/// URL of a PostgreSQL cluster (any database on it, usually `postgres`) on
/// which the tests may create databases. `scripts/test` sets it.
pub const POSTGRES_URL_VAR: &str = "HOCBA_TEST_POSTGRES_URL";

/// Set to `1` to keep the PostgreSQL test databases after the test, for
/// inspection (by default they are dropped when the [`TestDatabase`] is).
pub const KEEP_DATABASES_VAR: &str = "HOCBA_TEST_KEEP_DATABASES";

/// A database engine the product supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Engine {
    /// Embedded SQLite, the default.
    Sqlite,
    /// PostgreSQL, the production engine.
    Postgres,
}

impl fmt::Display for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Engine::Sqlite => "SQLite",
            Engine::Postgres => "PostgreSQL",
        })
    }
}

/// A fresh, empty database for one test.
///
/// SQLite: a file in a temporary directory that is removed when this value is
/// dropped. PostgreSQL: a new database on the test cluster, dropped (with
/// `FORCE`, so open connections do not stop it) when this value is dropped.
#[derive(Debug)]
pub struct TestDatabase {
    /// Which engine this database lives on.
    pub engine: Engine,
    /// URL for `AnyPool::connect` (or the product's own config).
    pub url: String,
    /// Keeps the SQLite file's directory alive.
    dir: Option<TempDir>,
    /// PostgreSQL: (URL of the cluster's admin database, name of this database).
    postgres: Option<(String, String)>,
}

impl TestDatabase {
    /// A new SQLite database file in a fresh temporary directory.
    ///
    /// # Panics
    /// If the temporary directory cannot be created.
    pub fn sqlite() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("hocba-test-")
            .tempdir()
            .expect("creating a temporary directory for a SQLite test database");
        let path = dir.path().join("test.sqlite3");
        let url = format!("sqlite://{}?mode=rwc", path.display());
        TestDatabase {
            engine: Engine::Sqlite,
            url,
            dir: Some(dir),
            postgres: None,
        }
    }

    /// A new, empty database on the PostgreSQL cluster at `cluster_url`.
    ///
    /// # Panics
    /// If the cluster cannot be reached or the database cannot be created.
    pub async fn postgres(cluster_url: &str) -> Self {
        sqlx::any::install_default_drivers();
        let name = unique_name();
        let mut admin = AnyConnection::connect(cluster_url)
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "cannot connect to the PostgreSQL test cluster at {cluster_url} \
                 ({POSTGRES_URL_VAR}): {e}"
                )
            });
        sqlx::raw_sql(AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
            .execute(&mut admin)
            .await
            .unwrap_or_else(|e| panic!("CREATE DATABASE {name} on {cluster_url}: {e}"));
        let _ = admin.close().await;
        TestDatabase {
            engine: Engine::Postgres,
            url: with_database(cluster_url, &name),
            dir: None,
            postgres: Some((cluster_url.to_owned(), name)),
        }
    }

    /// The SQLite file's path, or `None` for PostgreSQL.
    pub fn sqlite_path(&self) -> Option<PathBuf> {
        self.dir.as_ref().map(|d| d.path().join("test.sqlite3"))
    }

    /// The PostgreSQL database's name, or `None` for SQLite.
    pub fn postgres_name(&self) -> Option<&str> {
        self.postgres.as_ref().map(|(_, name)| name.as_str())
    }

    /// A small `AnyPool` on this database.
    ///
    /// # Panics
    /// If the database cannot be reached.
    pub async fn pool(&self) -> AnyPool {
        sqlx::any::install_default_drivers();
        AnyPoolOptions::new()
            .max_connections(5)
            .connect(&self.url)
            .await
            .unwrap_or_else(|e| panic!("[{}] connecting to {}: {e}", self.engine, self.url))
    }

    /// A single connection to this database.
    ///
    /// # Panics
    /// If the database cannot be reached.
    pub async fn connect(&self) -> AnyConnection {
        sqlx::any::install_default_drivers();
        AnyConnection::connect(&self.url)
            .await
            .unwrap_or_else(|e| panic!("[{}] connecting to {}: {e}", self.engine, self.url))
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some((admin_url, name)) = self.postgres.take() else {
            return; // SQLite: `dir` removes the file.
        };
        if std::env::var(KEEP_DATABASES_VAR).is_ok_and(|v| v == "1") {
            eprintln!("hocba-test-support: kept PostgreSQL database {}", self.url);
            return;
        }
        // `drop` may run inside a Tokio runtime, where blocking on another
        // runtime is not allowed, so the cleanup gets a thread of its own. It
        // is best effort: the cluster is thrown away after the run anyway.
        let cleanup = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            rt.block_on(async {
                let mut admin = AnyConnection::connect(&admin_url).await.ok()?;
                let sql = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
                let result = sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut admin).await;
                let _ = admin.close().await;
                result.ok()
            })
        });
        let _ = cleanup.join();
    }
}

/// The databases a test should run on: SQLite always, PostgreSQL when
/// `HOCBA_TEST_POSTGRES_URL` is set.
///
/// # Panics
/// When `HOCBA_TEST_POSTGRES_URL` is not set and `CI` is `true`: CI must test
/// both engines. Also when a database cannot be created.
pub async fn test_databases() -> Vec<TestDatabase> {
    sqlx::any::install_default_drivers();
    let mut dbs = vec![TestDatabase::sqlite()];
    if let Some(url) = postgres_cluster_url() {
        dbs.push(TestDatabase::postgres(&url).await);
    }
    dbs
}

/// The engines [`test_databases`] covers in this environment, with the same
/// rules (panics when PostgreSQL is required but not configured).
pub fn engines() -> Vec<Engine> {
    match postgres_cluster_url() {
        Some(_) => vec![Engine::Sqlite, Engine::Postgres],
        None => vec![Engine::Sqlite],
    }
}

/// The PostgreSQL test cluster's URL from `HOCBA_TEST_POSTGRES_URL`, or
/// `None` (after a one-time warning) when it is not set outside CI.
///
/// # Panics
/// When it is not set and `CI` is `true`.
pub fn postgres_cluster_url() -> Option<String> {
    match std::env::var(POSTGRES_URL_VAR) {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ if is_ci() => panic!(
            "PostgreSQL is required when CI=true; run scripts/test \
             ({POSTGRES_URL_VAR} is not set)"
        ),
        _ => {
            static WARN: Once = Once::new();
            WARN.call_once(|| {
                eprintln!(
                    "hocba-test-support: WARNING: {POSTGRES_URL_VAR} is not set, \
                     testing SQLite only; run scripts/test to test PostgreSQL too"
                );
            });
            None
        }
    }
}

fn is_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
}

/// A database name no other test (in this or another process) will pick.
fn unique_name() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    // Lower-case hex only: a valid identifier, well under PostgreSQL's 63 bytes.
    format!("t_{:x}_{:x}_{count:x}", std::process::id(), nanos as u64)
}

/// `url` with its database (the path) replaced by `name`, keeping the
/// scheme, user, host, port and query parameters.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_display() {
        assert_eq!(Engine::Sqlite.to_string(), "SQLite");
        assert_eq!(Engine::Postgres.to_string(), "PostgreSQL");
    }

    #[test]
    fn with_database_replaces_only_the_path() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "t_1"),
            "postgres://postgres@127.0.0.1:5432/t_1"
        );
        assert_eq!(
            with_database("postgres://u:p@h:1/db?sslmode=disable", "t_2"),
            "postgres://u:p@h:1/t_2?sslmode=disable"
        );
        assert_eq!(with_database("postgres://h", "t_3"), "postgres://h/t_3");
        assert_eq!(
            with_database("postgresql://h/?host=/tmp", "t_4"),
            "postgresql://h/t_4?host=/tmp"
        );
    }

    #[test]
    fn unique_names_differ_and_are_identifiers() {
        let a = unique_name();
        let b = unique_name();
        assert_ne!(a, b);
        for n in [a, b] {
            assert!(n.len() < 64, "{n}");
            assert!(
                n.bytes()
                    .all(|c| c == b'_' || c.is_ascii_digit() || c.is_ascii_lowercase()),
                "{n}"
            );
        }
    }

    #[test]
    fn sqlite_url_points_into_its_temp_dir() {
        let db = TestDatabase::sqlite();
        let path = db.sqlite_path().unwrap();
        assert_eq!(db.url, format!("sqlite://{}?mode=rwc", path.display()));
        assert!(path.parent().unwrap().is_dir());
        drop(db);
        assert!(
            !path.parent().unwrap().exists(),
            "temp dir outlived the TestDatabase"
        );
    }
}
