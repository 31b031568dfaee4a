//! hocba's storage: one implementation of every repository, in portable SQL
//! through sqlx's `Any` driver, so that the same code and the same migrations
//! run on SQLite (the embedded default) and PostgreSQL (production). The
//! portable rules are in `shared/spec/stack.md` §3.2; the test suite runs on
//! both engines (`scripts/test`).
//!
//! Every write that changes a record also writes its audit entry, in the same
//! transaction: nothing is changed without a trace, and a crash leaves all of
//! it or none of it.

mod accounts;
mod audit;
mod classes;
mod error;
mod exams;
mod gradebook;
mod lms;
mod org;
mod primary;
mod records;
mod signing;
mod staff;
mod students;
mod subjects;
mod summary;
mod years;

pub use accounts::{AccountRow, NewAccount, Session, SessionKind, SessionUser};
pub use audit::{AuditEntry, AuditQuery};
pub use classes::ClassRow;
pub use error::StoreError;
pub use exams::{
    BlockView, ClassPreview, ColumnChoice, ExamInput, ExamRow, PaperClass, PaperInput, PaperRow,
    RejectedScore, ScoreEdit, ScoreSheet, ScoresOutcome, SheetRow, SkippedStudent, SyncClassResult,
    SyncOutcome, SyncPreview, SyncRun,
};
pub use gradebook::{
    Average, CellEdit, CellProblem, CellState, CellsOutcome, ChangeRow, ConductEdit,
    ConductOutcome, ConductRow, ConductSheet, Gradebook, GradebookSubject, GridColumn, GridStudent,
    PlanRow, RejectedCell, SavedCell, WorkbookOutcome, Writer, stale_message,
};
pub use lms::{
    ClientCheck, LineItemInput, LineItemRow, LmsCaller, LmsClass, LmsClientRow, LmsOutcome,
    LmsStudent, ResultInput, ResultRow, lms_client_id, parse_lms_client_id,
};
pub use org::{CampusRow, NewSchool, SchoolRow, UnitRow};
pub use primary::{LineStamp, PrimaryBook, PrimaryOutcome, StaleLine};
pub use signing::{
    CertificateInput, CopiedAccount, CopyOutcome, NewOrgCertificate, NewSigningAccount,
    OrgRequestRow, PermissionRow, SigningAccountRow, SkippedAccount, StoredCertificate,
};
pub use staff::StaffRow;
pub use students::{
    EnrolmentRow, ImportOutcome, ImportRow, StudentFilter, StudentListRow, StudentRow, TransferRow,
};
pub use subjects::SubjectRow;
pub use summary::{
    ClassSummary, CloseOutcome, Progress, ProgressRow, ProgressTotal, PromotionRow, SummaryColumn,
    SummaryHeader, SummaryRun, TermClosure, YearRecordEdit,
};
pub use years::{AssignmentRow, HomeroomRow, RolloverOutcome, SchoolYearRow};

use hocba_domain::UserId;
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

pub type Result<T> = std::result::Result<T, StoreError>;

/// The database engine behind the pool, for the few statements that differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// Who is making a change, for the audit trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Option<UserId>,
    pub name: String,
}

impl Actor {
    pub fn user(user_id: UserId, name: impl Into<String>) -> Actor {
        Actor {
            user_id: Some(user_id),
            name: name.into(),
        }
    }
    /// Changes made by hocba itself (migrations, the demo loader).
    pub fn system(name: impl Into<String>) -> Actor {
        Actor {
            user_id: None,
            name: name.into(),
        }
    }
}

/// The handle every front end uses. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    dialect: Dialect,
}

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

impl Store {
    /// Connects to `sqlite://…` or `postgres://…`.
    pub async fn connect(url: &str) -> Result<Store> {
        install_default_drivers();
        let dialect = if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Dialect::Postgres
        } else if url.starts_with("sqlite:") {
            Dialect::Sqlite
        } else {
            return Err(StoreError::Refused(format!(
                "Không nhận ra địa chỉ cơ sở dữ liệu “{url}”: chỉ dùng sqlite://… hoặc postgres://…"
            )));
        };
        let options =
            AnyPoolOptions::new().max_connections(if dialect == Dialect::Sqlite { 8 } else { 32 });
        let options = if dialect == Dialect::Sqlite {
            // WAL lets readers work while one writer writes; the busy timeout
            // makes concurrent writers wait for each other instead of failing.
            options.after_connect(|connection, _| {
                Box::pin(async move {
                    connection.execute("PRAGMA journal_mode = WAL").await?;
                    connection.execute("PRAGMA busy_timeout = 10000").await?;
                    connection.execute("PRAGMA foreign_keys = ON").await?;
                    Ok(())
                })
            })
        } else {
            options
        };
        let pool = options.connect(url).await?;
        Ok(Store { pool, dialect })
    }

    /// Applies the embedded migrations that have not run yet.
    pub async fn migrate(&self) -> Result<()> {
        MIGRATOR
            .run(&self.pool)
            .await
            .map_err(|error| StoreError::Database(error.into()))?;
        Ok(())
    }

    /// Starts a write transaction. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`): a deferred transaction that reads before it
    /// writes cannot be upgraded while another connection writes, and SQLite
    /// then fails it with "database is locked" at once, without waiting for
    /// the busy timeout. Taking the lock first makes writers queue instead.
    pub(crate) async fn begin(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        Ok(match self.dialect {
            Dialect::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Dialect::Postgres => self.pool.begin().await?,
        })
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// True when the database holds no organisation unit yet.
    pub async fn is_empty(&self) -> Result<bool> {
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM unit")
            .fetch_one(&self.pool)
            .await?;
        Ok(count == 0)
    }
}

/// SQL assembled from constant pieces only (table and column names of the
/// calling module, placeholders): values always go through binds.
pub(crate) fn static_sql(text: String) -> sqlx::AssertSqlSafe<String> {
    sqlx::AssertSqlSafe(text)
}

/// A stored grade (INTEGER) as the domain's [`Grade`].
pub(crate) fn grade_of(value: i64) -> Result<hocba_domain::Grade> {
    u8::try_from(value)
        .ok()
        .and_then(|g| hocba_domain::Grade::new(g).ok())
        .ok_or_else(|| StoreError::Refused(format!("Khối {value} không hợp lệ.")))
}

/// A stored semester (INTEGER 1 or 2) as the domain's `Semester`.
pub(crate) fn semester_from(number: i64) -> Result<hocba_domain::gradebook::Semester> {
    u8::try_from(number)
        .ok()
        .and_then(hocba_domain::gradebook::Semester::from_number)
        .ok_or_else(|| {
            StoreError::Refused(hocba_domain::gradebook::invalid_semester(
                &number.to_string(),
            ))
        })
}

/// Milliseconds since the Unix epoch.
pub fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

/// A new identifier: milliseconds since 2024-01-01 in the high bits and a
/// per-process counter that starts at a random point in the low 22 bits.
/// Ordered by creation time, unique within a process, and collision-free
/// across processes unless two of them create millions of rows in the same
/// millisecond from overlapping counters. No database sequence is needed,
/// which suits a distributed PostgreSQL (stack.md §3.2).
pub fn new_id() -> i64 {
    static COUNTER: std::sync::OnceLock<AtomicU64> = std::sync::OnceLock::new();
    const EPOCH_2024_MILLIS: i64 = 1_704_067_200_000;
    let counter = COUNTER.get_or_init(|| {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or_default();
        AtomicU64::new(u64::from(nanos ^ std::process::id().rotate_left(16)))
    });
    let sequence = counter.fetch_add(1, Ordering::Relaxed) & 0x3F_FFFF;
    ((now_millis() - EPOCH_2024_MILLIS) << 22) | sequence as i64
}

#[cfg(test)]
mod test_util;

#[cfg(test)]
mod tests;
