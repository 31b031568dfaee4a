//! Exams, papers and score sheets (seed 000), and the sync of a paper's
//! scores into the gradebook.
//!
//! The rules are `hocba_domain::exam`'s. A sync runs in steps that each
//! commit on their own, so that its progress is visible while it runs and a
//! crash loses nothing acknowledged:
//! 1. the claim: one row in `exam_sync` per paper (its primary key is the
//!    once-only rule, so a double click, a retry or two people at once give
//!    one sync), the paper frozen, one `pending` row per class;
//! 2. one transaction per class, all or nothing: the class's facts are read
//!    again inside it (plan, window, locks, closed book, the column's cells)
//!    and either every score is written, with the shield marker and a trail
//!    row naming the exam and paper, or the class's reason is recorded;
//! 3. the end: the run is stamped finished; a run that wrote nothing at all
//!    is undone, so the paper can be synced once its reasons are fixed.
//!
//! A run cut short (the server killed between classes) keeps its pending
//! classes; `resume_sync` finishes them.

use crate::audit::{self, Change};
use crate::gradebook::{load_locks, load_plan, load_subject, load_window};
use crate::{
    Actor, Result, Store, StoreError, grade_of, new_id, now_millis, semester_from, static_sql,
};
use hocba_domain::exam::{
    self, ClassFacts, ClassSyncBlock, ExamKind, PaperFacts, PaperRefusal, PaperState,
    PaperSyncBlock, SheetStudent, SkipReason, SyncStamp,
};
use hocba_domain::gradebook::{Channel, Column, Semester};
use hocba_domain::{
    ClassId, ExamId, ExamPaperId, Grade, SchoolId, SchoolYearId, StudentId, SubjectId,
};
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, Executor, Row};
use std::collections::HashMap;

/// Rows per multi-row statement (at most 8 binds a row: well under the
/// engines' bind limits).
const ROWS_PER_STATEMENT: usize = 100;

/// An exam with its papers.
#[derive(Debug, Clone, Serialize)]
pub struct ExamRow {
    pub id: ExamId,
    pub school_year_id: SchoolYearId,
    pub semester: Semester,
    pub name: String,
    pub kind: ExamKind,
    pub version: i64,
    pub created_at: i64,
    pub created_by: String,
    pub papers: Vec<PaperRow>,
}

impl ExamRow {
    /// True once a paper is synced: the exam's kind and semester then stay.
    pub fn frozen(&self) -> bool {
        self.papers
            .iter()
            .any(|p| matches!(p.state, PaperState::Synced(_)))
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct PaperClass {
    pub class_id: ClassId,
    pub class_name: String,
}

/// A paper: one subject of one grade, sat by some classes.
#[derive(Debug, Clone, Serialize)]
pub struct PaperRow {
    pub id: ExamPaperId,
    pub exam_id: ExamId,
    pub subject_id: SubjectId,
    pub subject_name: String,
    pub grade: Grade,
    pub name: String,
    pub state: PaperState,
    pub classes: Vec<PaperClass>,
    /// Students with a score on the sheet.
    pub scored: i64,
    pub version: i64,
}

/// A new exam, or an exam's new name, kind and semester.
#[derive(Debug, Clone, Deserialize)]
pub struct ExamInput {
    pub school_year_id: SchoolYearId,
    pub semester: Semester,
    pub name: String,
    pub kind: ExamKind,
}

/// A new paper, or a paper's new name and classes (its subject fixes the grade).
#[derive(Debug, Clone, Deserialize)]
pub struct PaperInput {
    pub subject_id: SubjectId,
    pub name: String,
    pub classes: Vec<ClassId>,
}

/// One line of a score sheet.
#[derive(Debug, Clone, Serialize)]
pub struct SheetRow {
    pub student_id: StudentId,
    pub full_name: String,
    pub birth_date: String,
    pub class_id: ClassId,
    pub class_name: String,
    pub moet_code: Option<String>,
    /// "8.5"; `None` without a score.
    pub score: Option<String>,
    /// The shield marker: written into the gradebook by the sync.
    pub synced: bool,
    /// 0 before the first score.
    pub version: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScoreSheet {
    pub exam: ExamRow,
    pub paper: PaperRow,
    pub linked: bool,
    /// By class, then in Vietnamese class-list order.
    pub rows: Vec<SheetRow>,
}

/// One score to write: what was typed ("8,5"; empty clears it).
#[derive(Debug, Clone, Deserialize)]
pub struct ScoreEdit {
    pub student_id: StudentId,
    pub value: String,
    /// The version the writer saw (0: no score yet); `None` skips the check
    /// (an Excel import replaces the sheet as a whole).
    #[serde(default)]
    pub expected_version: Option<i64>,
}

/// Why one score of a batch was refused: the student and the rule.
#[derive(Debug, Clone, Serialize)]
pub struct RejectedScore {
    pub index: usize,
    pub student_id: StudentId,
    pub student_name: Option<String>,
    pub message: String,
}

#[derive(Debug, Clone)]
pub enum ScoresOutcome {
    Saved {
        written: usize,
        unchanged: usize,
    },
    /// The paper refuses any score (final or synced).
    Refused(PaperRefusal),
    /// Some scores were refused; nothing was written.
    Rejected(Vec<RejectedScore>),
}

/// A refusal as the API and UI show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BlockView {
    pub code: String,
    pub reason: String,
    pub remedy: String,
}

impl From<&ClassSyncBlock> for BlockView {
    fn from(block: &ClassSyncBlock) -> BlockView {
        BlockView {
            code: block.code().into(),
            reason: block.reason(),
            remedy: block.remedy(),
        }
    }
}

impl From<&PaperSyncBlock> for BlockView {
    fn from(block: &PaperSyncBlock) -> BlockView {
        BlockView {
            code: block.code().into(),
            reason: block.reason(),
            remedy: block.remedy(),
        }
    }
}

/// A student left out of a class's sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedStudent {
    pub student_id: StudentId,
    pub full_name: String,
    pub reason_code: String,
    pub reason: String,
    pub remedy: String,
}

impl SkippedStudent {
    fn new(student_id: StudentId, full_name: String, why: SkipReason) -> SkippedStudent {
        SkippedStudent {
            student_id,
            full_name,
            reason_code: why.code().into(),
            reason: why.reason().into(),
            remedy: why.remedy().into(),
        }
    }
}

/// A declared column of a class, and why it cannot be chosen if it cannot.
#[derive(Debug, Clone, Serialize)]
pub struct ColumnChoice {
    pub column: Column,
    pub label: String,
    pub block: Option<BlockView>,
}

/// One class of a paper in the wizard.
#[derive(Debug, Clone, Serialize)]
pub struct ClassPreview {
    pub class_id: ClassId,
    pub class_name: String,
    /// Why the class cannot be synced at all (whatever the column).
    pub block: Option<BlockView>,
    pub columns: Vec<ColumnChoice>,
    /// Students who would get a score.
    pub to_write: usize,
    pub skipped: Vec<SkippedStudent>,
}

/// What the sync wizard shows before the user saves.
#[derive(Debug, Clone, Serialize)]
pub struct SyncPreview {
    pub exam: ExamRow,
    pub paper: PaperRow,
    /// Why the paper cannot be synced at all.
    pub block: Option<BlockView>,
    pub classes: Vec<ClassPreview>,
    pub run: Option<SyncRun>,
}

/// One class of a sync run.
#[derive(Debug, Clone, Serialize)]
pub struct SyncClassResult {
    pub class_id: ClassId,
    pub class_name: String,
    pub column: Option<Column>,
    /// `pending`, `synced` or `refused`.
    pub status: String,
    pub block: Option<BlockView>,
    pub written: i64,
    pub skipped: Vec<SkippedStudent>,
}

/// A sync of a paper: who started it, when, and each class's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct SyncRun {
    pub paper_id: ExamPaperId,
    pub started_at: i64,
    pub started_by: String,
    pub finished_at: Option<i64>,
    pub classes: Vec<SyncClassResult>,
}

impl SyncRun {
    pub fn pending(&self) -> usize {
        self.classes
            .iter()
            .filter(|c| c.status == "pending")
            .count()
    }
    pub fn written(&self) -> i64 {
        self.classes.iter().map(|c| c.written).sum()
    }
}

/// The answer to "sync this paper".
#[derive(Debug, Clone)]
pub enum SyncOutcome {
    /// The paper cannot be synced; nothing was written.
    Blocked(PaperSyncBlock, Option<SyncRun>),
    /// The run, every class finished (synced or refused with its reason).
    Done(SyncRun),
    /// No class could be synced: nothing was written and the paper can be
    /// synced again once the reasons are fixed.
    NothingSynced(Vec<SyncClassResult>),
}

/// Takes a paper's row lock (a no-op update): saving scores, finalising and
/// claiming a sync all take it first, so that on PostgreSQL they are
/// serialised on the paper and a score never lands on a sheet finalised or
/// synced meanwhile (SQLite writers are serialised already).
async fn lock_paper(conn: &mut AnyConnection, school: SchoolId, paper: ExamPaperId) -> Result<()> {
    sqlx::query("UPDATE exam_paper SET version = version WHERE school_id = $1 AND id = $2")
        .bind(school.0)
        .bind(paper.0)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Runs statements that each take the school as `$1` and one id as `$2`.
async fn execute_each(
    conn: &mut AnyConnection,
    school: SchoolId,
    id: i64,
    statements: &[&'static str],
) -> Result<()> {
    for statement in statements {
        sqlx::query(*statement)
            .bind(school.0)
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

fn score_text(tenths: Option<i64>) -> Option<String> {
    tenths
        .and_then(|t| u32::try_from(t).ok())
        .and_then(|t| exam::Score::from_tenths(t).ok())
        .map(|s| s.to_string())
}

fn paper_state(row: &AnyRow) -> Result<PaperState> {
    let state: String = row.try_get("state")?;
    Ok(match state.as_str() {
        "final" => PaperState::Final {
            at: row.try_get::<Option<i64>, _>("finalised_at")?.unwrap_or(0),
            by: row
                .try_get::<Option<String>, _>("finalised_by")?
                .unwrap_or_default(),
        },
        "synced" => PaperState::Synced(SyncStamp {
            at: row.try_get::<Option<i64>, _>("synced_at")?.unwrap_or(0),
            by: row
                .try_get::<Option<String>, _>("synced_by")?
                .unwrap_or_default(),
        }),
        _ => PaperState::Open,
    })
}

const PAPER_COLUMNS: &str = "p.id, p.exam_id, p.subject_id, s.name AS subject_name, p.grade, p.name, p.state,
    p.finalised_at, p.finalised_by, p.synced_at, p.synced_by, p.version,
    (SELECT COUNT(*) FROM exam_score sc WHERE sc.school_id = p.school_id AND sc.paper_id = p.id AND sc.tenths IS NOT NULL) AS scored";

fn paper_from(row: &AnyRow) -> Result<PaperRow> {
    Ok(PaperRow {
        id: ExamPaperId(row.try_get("id")?),
        exam_id: ExamId(row.try_get("exam_id")?),
        subject_id: SubjectId(row.try_get("subject_id")?),
        subject_name: row
            .try_get::<Option<String>, _>("subject_name")?
            .unwrap_or_default(),
        grade: grade_of(row.try_get("grade")?)?,
        name: row.try_get("name")?,
        state: paper_state(row)?,
        classes: Vec::new(),
        scored: row.try_get("scored")?,
        version: row.try_get("version")?,
    })
}

fn exam_from(row: &AnyRow) -> Result<ExamRow> {
    let kind: String = row.try_get("kind")?;
    Ok(ExamRow {
        id: ExamId(row.try_get("id")?),
        school_year_id: SchoolYearId(row.try_get("school_year_id")?),
        semester: semester_from(row.try_get("semester")?)?,
        name: row.try_get("name")?,
        kind: ExamKind::from_code(&kind).unwrap_or(ExamKind::Free),
        version: row.try_get("version")?,
        created_at: row.try_get("created_at")?,
        created_by: row.try_get("created_by")?,
        papers: Vec::new(),
    })
}

/// The papers of some exams (or one paper), with their classes: two queries.
async fn load_papers(
    conn: &mut AnyConnection,
    school: SchoolId,
    exams: &[ExamId],
    only: Option<ExamPaperId>,
) -> Result<Vec<PaperRow>> {
    if exams.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (0..exams.len()).map(|i| format!("${}", i + 3)).collect();
    let sql = format!(
        "SELECT {PAPER_COLUMNS} FROM exam_paper p
         LEFT JOIN subject s ON s.school_id = p.school_id AND s.id = p.subject_id
         WHERE p.school_id = $1 AND ($2 IS NULL OR p.id = $2) AND p.exam_id IN ({})",
        placeholders.join(", ")
    );
    let mut query = sqlx::query(static_sql(sql))
        .bind(school.0)
        .bind(only.map(|p| p.0));
    for exam in exams {
        query = query.bind(exam.0);
    }
    let mut papers = query
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(paper_from)
        .collect::<Result<Vec<_>>>()?;
    let sql = format!(
        "SELECT pc.paper_id, pc.class_id, c.name FROM exam_paper_class pc
         JOIN exam_paper p ON p.school_id = pc.school_id AND p.id = pc.paper_id
         JOIN class c ON c.school_id = pc.school_id AND c.id = pc.class_id
         WHERE pc.school_id = $1 AND ($2 IS NULL OR pc.paper_id = $2) AND p.exam_id IN ({})",
        placeholders.join(", ")
    );
    let mut query = sqlx::query(static_sql(sql))
        .bind(school.0)
        .bind(only.map(|p| p.0));
    for exam in exams {
        query = query.bind(exam.0);
    }
    let mut classes: HashMap<i64, Vec<PaperClass>> = HashMap::new();
    for row in query.fetch_all(&mut *conn).await? {
        classes
            .entry(row.try_get("paper_id")?)
            .or_default()
            .push(PaperClass {
                class_id: ClassId(row.try_get("class_id")?),
                class_name: row.try_get("name")?,
            });
    }
    let collator = hocba_text::collator();
    for paper in &mut papers {
        let mut list = classes.remove(&paper.id.0).unwrap_or_default();
        list.sort_by(|a, b| collator.compare(&a.class_name, &b.class_name));
        paper.classes = list;
    }
    papers.sort_by(|a, b| {
        a.grade
            .cmp(&b.grade)
            .then_with(|| collator.compare(&a.subject_name, &b.subject_name))
            .then_with(|| collator.compare(&a.name, &b.name))
    });
    Ok(papers)
}

async fn load_exam(conn: &mut AnyConnection, school: SchoolId, exam: ExamId) -> Result<ExamRow> {
    let row = sqlx::query(
        "SELECT id, school_year_id, semester, name, kind, version, created_at, created_by
         FROM exam WHERE school_id = $1 AND id = $2",
    )
    .bind(school.0)
    .bind(exam.0)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| StoreError::NotFound("kỳ thi này trong trường".into()))?;
    let mut exam_row = exam_from(&row)?;
    exam_row.papers = load_papers(conn, school, &[exam], None).await?;
    Ok(exam_row)
}

/// The exam of a paper and the paper.
async fn load_paper(
    conn: &mut AnyConnection,
    school: SchoolId,
    paper: ExamPaperId,
) -> Result<(ExamRow, PaperRow)> {
    let exam_id: i64 =
        sqlx::query_scalar("SELECT exam_id FROM exam_paper WHERE school_id = $1 AND id = $2")
            .bind(school.0)
            .bind(paper.0)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or_else(|| StoreError::NotFound("đề thi này trong trường".into()))?;
    let exam = load_exam(conn, school, ExamId(exam_id)).await?;
    let paper_row = exam
        .papers
        .iter()
        .find(|p| p.id == paper)
        .cloned()
        .ok_or_else(|| StoreError::NotFound("đề thi này trong trường".into()))?;
    Ok((exam, paper_row))
}

async fn load_linked<'e, E: Executor<'e, Database = Any>>(
    executor: E,
    school: SchoolId,
) -> Result<bool> {
    let linked: Option<i64> =
        sqlx::query_scalar("SELECT gradebook_linked FROM exam_setting WHERE school_id = $1")
            .bind(school.0)
            .fetch_optional(executor)
            .await?;
    Ok(linked.is_none_or(|v| v != 0))
}

/// The students of a paper's class with their ministry code and sheet score.
async fn load_class_sheet<'e, E: Executor<'e, Database = Any>>(
    executor: E,
    school: SchoolId,
    paper: ExamPaperId,
    class: ClassId,
    year: SchoolYearId,
) -> Result<Vec<SheetStudent>> {
    let rows = sqlx::query(
        "SELECT e.student_id, s.full_name, s.moet_code, sc.tenths FROM enrolment e
         JOIN student s ON s.school_id = e.school_id AND s.id = e.student_id
         LEFT JOIN exam_score sc ON sc.school_id = e.school_id AND sc.paper_id = $2 AND sc.student_id = e.student_id
         WHERE e.school_id = $1 AND e.class_id = $3 AND e.school_year_id = $4 AND e.status = 'studying'",
    )
    .bind(school.0)
    .bind(paper.0)
    .bind(class.0)
    .bind(year.0)
    .fetch_all(executor)
    .await?;
    let mut students = rows
        .iter()
        .map(|row| {
            let code: Option<String> = row.try_get("moet_code")?;
            let tenths: Option<i64> = row.try_get("tenths")?;
            Ok(SheetStudent {
                id: StudentId(row.try_get("student_id")?),
                name: row
                    .try_get::<Option<String>, _>("full_name")?
                    .unwrap_or_default(),
                has_ministry_code: code.is_some_and(|c| !c.trim().is_empty()),
                score: tenths
                    .and_then(|t| u32::try_from(t).ok())
                    .and_then(|t| exam::Score::from_tenths(t).ok()),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let collator = hocba_text::collator();
    students.sort_by(|a, b| collator.compare_person_names(&a.name, &b.name));
    Ok(students)
}

/// The cells of the class's students in a subject × semester that hold a
/// value, per column (names), and the versions of cleared cells.
type ColumnCells = (
    Vec<(Column, Vec<String>)>,
    HashMap<(StudentId, Column), i64>,
);

async fn load_column_cells<'e, E: Executor<'e, Database = Any>>(
    executor: E,
    school: SchoolId,
    class: ClassId,
    year: SchoolYearId,
    subject: SubjectId,
    semester: Semester,
) -> Result<ColumnCells> {
    let rows = sqlx::query(
        "SELECT gc.student_id, gc.column_key, gc.tenths, gc.mark, gc.version, s.full_name
         FROM gradebook_cell gc
         JOIN enrolment e ON e.school_id = gc.school_id AND e.student_id = gc.student_id
         JOIN student s ON s.school_id = gc.school_id AND s.id = gc.student_id
         WHERE gc.school_id = $1 AND gc.subject_id = $2 AND gc.semester = $3
           AND e.class_id = $4 AND e.school_year_id = $5 AND e.status = 'studying'",
    )
    .bind(school.0)
    .bind(subject.0)
    .bind(i64::from(semester.number()))
    .bind(class.0)
    .bind(year.0)
    .fetch_all(executor)
    .await?;
    let mut filled: Vec<(Column, Vec<String>)> = Vec::new();
    let mut cleared = HashMap::new();
    for row in &rows {
        let key: String = row.try_get("column_key")?;
        let Ok(column) = Column::parse(&key) else {
            continue;
        };
        let tenths: Option<i64> = row.try_get("tenths")?;
        let mark: Option<String> = row.try_get("mark")?;
        let student = StudentId(row.try_get("student_id")?);
        if tenths.is_none() && mark.is_none() {
            cleared.insert((student, column), row.try_get("version")?);
            continue;
        }
        let name = row
            .try_get::<Option<String>, _>("full_name")?
            .unwrap_or_default();
        match filled.iter_mut().find(|(c, _)| *c == column) {
            Some((_, names)) => names.push(name),
            None => filled.push((column, vec![name])),
        }
    }
    let collator = hocba_text::collator();
    for (_, names) in &mut filled {
        names.sort_by(|a, b| collator.compare_person_names(a, b));
    }
    Ok((filled, cleared))
}

/// Everything the sync rules need about one class of a paper. `closed` is
/// read by the caller (inside a write transaction it takes the class lock).
pub(crate) async fn class_facts(
    conn: &mut AnyConnection,
    school: SchoolId,
    class: ClassId,
    subject: SubjectId,
    semester: Semester,
    locking: bool,
) -> Result<(ClassFacts, SchoolYearId, HashMap<(StudentId, Column), i64>)> {
    let info = load_subject(&mut *conn, school, class, subject).await?;
    let place = info.place(semester);
    let closed = if locking {
        crate::summary::closed_refusal(&mut *conn, school, class, &place).await?
    } else {
        crate::summary::load_closure(&mut *conn, school, class, semester)
            .await?
            .filter(|closure| closure.closed)
            .map(
                |closure| hocba_domain::gradebook::EntryRefusal::TermClosed {
                    place: place.clone(),
                    closed_by: closure.closed_by,
                    closed_at: closure.closed_at,
                },
            )
    };
    let plan = load_plan(&mut *conn, school, class, subject, semester)
        .await?
        .map(|(plan, _)| plan);
    let window = load_window(
        &mut *conn,
        school,
        info.school_year_id,
        info.grade,
        semester,
    )
    .await?;
    let locks = load_locks(&mut *conn, school, class, subject, semester)
        .await?
        .into_values()
        .collect();
    let (filled, cleared) = load_column_cells(
        &mut *conn,
        school,
        class,
        info.school_year_id,
        subject,
        semester,
    )
    .await?;
    Ok((
        ClassFacts {
            place,
            level: info.grade.level(),
            mode: info.mode,
            no_gradebook: info.no_gradebook.clone(),
            closed,
            plan,
            window,
            locks,
            filled,
        },
        info.school_year_id,
        cleared,
    ))
}

fn class_result_from(row: &AnyRow) -> Result<SyncClassResult> {
    let column: Option<String> = row.try_get("column_key")?;
    let code: Option<String> = row.try_get("reason_code")?;
    let skipped: Option<String> = row.try_get("skipped")?;
    Ok(SyncClassResult {
        class_id: ClassId(row.try_get("class_id")?),
        class_name: row
            .try_get::<Option<String>, _>("class_name")?
            .unwrap_or_default(),
        column: column.and_then(|key| Column::parse(&key).ok()),
        status: row.try_get("status")?,
        block: match code {
            Some(code) => Some(BlockView {
                code,
                reason: row
                    .try_get::<Option<String>, _>("reason")?
                    .unwrap_or_default(),
                remedy: row
                    .try_get::<Option<String>, _>("remedy")?
                    .unwrap_or_default(),
            }),
            None => None,
        },
        written: row.try_get("written")?,
        skipped: skipped
            .and_then(|json| serde_json::from_str(&json).ok())
            .unwrap_or_default(),
    })
}

async fn load_run(
    conn: &mut AnyConnection,
    school: SchoolId,
    paper: ExamPaperId,
) -> Result<Option<SyncRun>> {
    let Some(row) = sqlx::query(
        "SELECT started_at, started_by, finished_at FROM exam_sync WHERE school_id = $1 AND paper_id = $2",
    )
    .bind(school.0)
    .bind(paper.0)
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let rows = sqlx::query(
        "SELECT sc.class_id, c.name AS class_name, sc.column_key, sc.status, sc.reason_code, sc.reason,
                sc.remedy, sc.written, sc.skipped
         FROM exam_sync_class sc
         LEFT JOIN class c ON c.school_id = sc.school_id AND c.id = sc.class_id
         WHERE sc.school_id = $1 AND sc.paper_id = $2",
    )
    .bind(school.0)
    .bind(paper.0)
    .fetch_all(&mut *conn)
    .await?;
    let mut classes = rows
        .iter()
        .map(class_result_from)
        .collect::<Result<Vec<_>>>()?;
    let collator = hocba_text::collator();
    classes.sort_by(|a, b| collator.compare(&a.class_name, &b.class_name));
    Ok(Some(SyncRun {
        paper_id: paper,
        started_at: row.try_get("started_at")?,
        started_by: row.try_get("started_by")?,
        finished_at: row.try_get("finished_at")?,
        classes,
    }))
}

impl Store {
    /// Whether the school's exams sync into its gradebook (seed 000 §1).
    pub async fn exam_link(&self, school: SchoolId) -> Result<bool> {
        load_linked(&self.pool, school).await
    }

    pub async fn set_exam_link(&self, actor: &Actor, school: SchoolId, linked: bool) -> Result<()> {
        let mut tx = self.begin().await?;
        let now = now_millis();
        let updated = sqlx::query(
            "UPDATE exam_setting SET gradebook_linked = $1, updated_at = $2, updated_by = $3 WHERE school_id = $4",
        )
        .bind(i64::from(linked))
        .bind(now)
        .bind(&actor.name)
        .bind(school.0)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            sqlx::query(
                "INSERT INTO exam_setting (school_id, gradebook_linked, updated_at, updated_by) VALUES ($1, $2, $3, $4)",
            )
            .bind(school.0)
            .bind(i64::from(linked))
            .bind(now)
            .bind(&actor.name)
            .execute(&mut *tx)
            .await?;
        }
        audit::record(
            &mut tx,
            actor,
            Change {
                unit: school.into(),
                action: "update",
                entity: "exam_setting",
                entity_id: None,
                summary: if linked {
                    "Bật liên kết khảo thí với sổ điểm".into()
                } else {
                    "Tắt liên kết khảo thí với sổ điểm".into()
                },
                before: None,
                after: Some(format!("{{\"gradebook_linked\":{linked}}}")),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The exams of a school year, newest first, with their papers.
    pub async fn exams(&self, school: SchoolId, year: SchoolYearId) -> Result<Vec<ExamRow>> {
        let rows = sqlx::query(
            "SELECT id, school_year_id, semester, name, kind, version, created_at, created_by
             FROM exam WHERE school_id = $1 AND school_year_id = $2 ORDER BY created_at DESC, id DESC",
        )
        .bind(school.0)
        .bind(year.0)
        .fetch_all(&self.pool)
        .await?;
        let mut exams = rows.iter().map(exam_from).collect::<Result<Vec<_>>>()?;
        let ids: Vec<ExamId> = exams.iter().map(|e| e.id).collect();
        let mut papers = load_papers(&mut *self.pool.acquire().await?, school, &ids, None).await?;
        for exam in &mut exams {
            let (mine, rest): (Vec<PaperRow>, Vec<PaperRow>) =
                papers.into_iter().partition(|p| p.exam_id == exam.id);
            exam.papers = mine;
            papers = rest;
        }
        Ok(exams)
    }

    pub async fn exam(&self, school: SchoolId, exam: ExamId) -> Result<ExamRow> {
        load_exam(&mut *self.pool.acquire().await?, school, exam).await
    }

    pub async fn create_exam(
        &self,
        actor: &Actor,
        school: SchoolId,
        input: &ExamInput,
    ) -> Result<ExamRow> {
        let name = exam::check_name("kỳ thi", &input.name).map_err(StoreError::Refused)?;
        let mut tx = self.begin().await?;
        let year: Option<i64> =
            sqlx::query_scalar("SELECT id FROM school_year WHERE school_id = $1 AND id = $2")
                .bind(school.0)
                .bind(input.school_year_id.0)
                .fetch_optional(&mut *tx)
                .await?;
        if year.is_none() {
            return Err(StoreError::NotFound("năm học này trong trường".into()));
        }
        let id = new_id();
        let now = now_millis();
        sqlx::query(
            "INSERT INTO exam (school_id, id, school_year_id, semester, name, kind, version, created_at, created_by)
             VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8)",
        )
        .bind(school.0)
        .bind(id)
        .bind(input.school_year_id.0)
        .bind(i64::from(input.semester.number()))
        .bind(&name)
        .bind(input.kind.code())
        .bind(now)
        .bind(&actor.name)
        .execute(&mut *tx)
        .await?;
        audit::record(
            &mut tx,
            actor,
            Change {
                unit: school.into(),
                action: "create",
                entity: "exam",
                entity_id: Some(id),
                summary: format!(
                    "Tạo kỳ thi {name} ({}, {})",
                    input.kind.label(),
                    input.semester.label()
                ),
                before: None,
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        self.exam(school, ExamId(id)).await
    }

    /// Renames an exam or changes its kind or semester; not once a paper is
    /// synced (what was synced came from this exam as it was).
    pub async fn update_exam(
        &self,
        actor: &Actor,
        school: SchoolId,
        exam: ExamId,
        input: &ExamInput,
        version: i64,
    ) -> Result<ExamRow> {
        let name = exam::check_name("kỳ thi", &input.name).map_err(StoreError::Refused)?;
        let mut tx = self.begin().await?;
        let current = load_exam(&mut tx, school, exam).await?;
        if let Some(paper) = current
            .papers
            .iter()
            .find(|p| matches!(p.state, PaperState::Synced(_)))
        {
            let refusal = paper.state.check_edit_paper(&paper.name).unwrap_err();
            return Err(StoreError::Refused(format!(
                "Kỳ thi {} có đề thi đã đồng bộ nên không sửa được. {refusal}",
                current.name
            )));
        }
        let updated = sqlx::query(
            "UPDATE exam SET name = $1, kind = $2, semester = $3, version = version + 1
             WHERE school_id = $4 AND id = $5 AND version = $6",
        )
        .bind(&name)
        .bind(input.kind.code())
        .bind(i64::from(input.semester.number()))
        .bind(school.0)
        .bind(exam.0)
        .bind(version)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::Conflict(format!("Kỳ thi {}", current.name)));
        }
        audit::record(
            &mut tx,
            actor,
            Change {
                unit: school.into(),
                action: "update",
                entity: "exam",
                entity_id: Some(exam.0),
                summary: format!(
                    "Sửa kỳ thi {} → {name} ({})",
                    current.name,
                    input.kind.label()
                ),
                before: None,
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        self.exam(school, exam).await
    }

    /// Deletes an exam with its papers and scores; not once a paper is synced.
    pub async fn delete_exam(&self, actor: &Actor, school: SchoolId, exam: ExamId) -> Result<()> {
        let mut tx = self.begin().await?;
        let current = load_exam(&mut tx, school, exam).await?;
        for paper in &current.papers {
            paper
                .state
                .check_edit_paper(&paper.name)
                .map_err(|refusal| StoreError::Refused(refusal.to_string()))?;
        }
        execute_each(
            &mut tx,
            school,
            exam.0,
            &[
                "DELETE FROM exam_score WHERE school_id = $1 AND paper_id IN (SELECT id FROM exam_paper WHERE school_id = $1 AND exam_id = $2)",
                "DELETE FROM exam_paper_class WHERE school_id = $1 AND paper_id IN (SELECT id FROM exam_paper WHERE school_id = $1 AND exam_id = $2)",
                "DELETE FROM exam_paper WHERE school_id = $1 AND exam_id = $2",
                "DELETE FROM exam WHERE school_id = $1 AND id = $2",
            ],
        )
        .await?;
        audit::record(
            &mut tx,
            actor,
            Change {
                unit: school.into(),
                action: "delete",
                entity: "exam",
                entity_id: Some(exam.0),
                summary: format!(
                    "Xóa kỳ thi {} ({} đề thi)",
                    current.name,
                    current.papers.len()
                ),
                before: serde_json::to_string(&current).ok(),
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Checks a paper's subject and classes against the exam's year: the
    /// subject's grade, and classes of that grade and year.
    async fn check_paper_input(
        conn: &mut AnyConnection,
        school: SchoolId,
        exam: &ExamRow,
        input: &PaperInput,
    ) -> Result<(String, Grade)> {
        let name = exam::check_name("đề thi", &input.name).map_err(StoreError::Refused)?;
        let subject = sqlx::query(
            "SELECT name, grade, school_year_id FROM subject WHERE school_id = $1 AND id = $2",
        )
        .bind(school.0)
        .bind(input.subject_id.0)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::NotFound("môn học này trong trường".into()))?;
        let subject_name: String = subject.try_get("name")?;
        let grade = grade_of(subject.try_get("grade")?)?;
        if subject.try_get::<i64, _>("school_year_id")? != exam.school_year_id.0 {
            return Err(StoreError::Refused(format!(
                "Môn {subject_name} không thuộc năm học của kỳ thi {}: hãy chọn môn của năm học này.",
                exam.name
            )));
        }
        if input.classes.is_empty() {
            return Err(StoreError::Refused(
                "Hãy chọn ít nhất một lớp làm đề thi này.".into(),
            ));
        }
        let placeholders: Vec<String> = (0..input.classes.len())
            .map(|i| format!("${}", i + 2))
            .collect();
        let sql = format!(
            "SELECT id, name, grade, school_year_id FROM class WHERE school_id = $1 AND id IN ({})",
            placeholders.join(", ")
        );
        let mut query = sqlx::query(static_sql(sql)).bind(school.0);
        for class in &input.classes {
            query = query.bind(class.0);
        }
        let rows = query.fetch_all(&mut *conn).await?;
        for class in &input.classes {
            let Some(row) = rows
                .iter()
                .find(|r| r.try_get::<i64, _>("id").ok() == Some(class.0))
            else {
                return Err(StoreError::NotFound(format!("lớp mã {class} trong trường")));
            };
            let class_name: String = row.try_get("name")?;
            let class_grade: i64 = row.try_get("grade")?;
            let class_year: i64 = row.try_get("school_year_id")?;
            if class_grade != i64::from(grade.value()) || class_year != exam.school_year_id.0 {
                return Err(StoreError::Refused(format!(
                    "Lớp {class_name} (khối {class_grade}) không làm được đề môn {subject_name} khối {}: đề thi dành cho các lớp cùng khối, cùng năm học với kỳ thi.",
                    grade.value()
                )));
            }
        }
        Ok((name, grade))
    }

    async fn write_paper_classes(
        tx: &mut sqlx::Transaction<'static, Any>,
        school: SchoolId,
        paper: i64,
        classes: &[ClassId],
    ) -> Result<()> {
        sqlx::query("DELETE FROM exam_paper_class WHERE school_id = $1 AND paper_id = $2")
            .bind(school.0)
            .bind(paper)
            .execute(&mut **tx)
            .await?;
        let mut unique: Vec<ClassId> = classes.to_vec();
        unique.sort();
        unique.dedup();
        for chunk in unique.chunks(ROWS_PER_STATEMENT) {
            let values: Vec<String> = (0..chunk.len())
                .map(|i| format!("($1, $2, ${})", i + 3))
                .collect();
            let sql = format!(
                "INSERT INTO exam_paper_class (school_id, paper_id, class_id) VALUES {}",
                values.join(", ")
            );
            let mut query = sqlx::query(static_sql(sql)).bind(school.0).bind(paper);
            for class in chunk {
                query = query.bind(class.0);
            }
            query.execute(&mut **tx).await?;
        }
        Ok(())
    }

    pub async fn create_paper(
        &self,
        actor: &Actor,
        school: SchoolId,
        exam: ExamId,
        input: &PaperInput,
    ) -> Result<PaperRow> {
        let mut tx = self.begin().await?;
        let exam_row = load_exam(&mut tx, school, exam).await?;
        let (name, grade) = Self::check_paper_input(&mut tx, school, &exam_row, input).await?;
        let id = new_id();
        sqlx::query(
            "INSERT INTO exam_paper (school_id, id, exam_id, subject_id, grade, name, state, version, created_at, created_by)
             VALUES ($1, $2, $3, $4, $5, $6, 'open', 1, $7, $8)",
        )
        .bind(school.0)
        .bind(id)
        .bind(exam.0)
        .bind(input.subject_id.0)
        .bind(i64::from(grade.value()))
        .bind(&name)
        .bind(now_millis())
        .bind(&actor.name)
        .execute(&mut *tx)
        .await?;
        Self::write_paper_classes(&mut tx, school, id, &input.classes).await?;
        audit::record(
            &mut tx,
            actor,
            Change {
                unit: school.into(),
                action: "create",
                entity: "exam_paper",
                entity_id: Some(id),
                summary: format!(
                    "Thêm đề thi {name} (khối {}, {} lớp) vào kỳ thi {}",
                    grade.value(),
                    input.classes.len(),
                    exam_row.name
                ),
                before: None,
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(
            load_paper(&mut *self.pool.acquire().await?, school, ExamPaperId(id))
                .await?
                .1,
        )
    }

    /// Renames a paper or changes its subject and classes; not once synced.
    pub async fn update_paper(
        &self,
        actor: &Actor,
        school: SchoolId,
        paper: ExamPaperId,
        input: &PaperInput,
        version: i64,
    ) -> Result<PaperRow> {
        let mut tx = self.begin().await?;
        let (exam_row, current) = load_paper(&mut tx, school, paper).await?;
        current
            .state
            .check_edit_paper(&current.name)
            .map_err(|refusal| StoreError::Refused(refusal.to_string()))?;
        let (name, grade) = Self::check_paper_input(&mut tx, school, &exam_row, input).await?;
        let updated = sqlx::query(
            "UPDATE exam_paper SET name = $1, subject_id = $2, grade = $3, version = version + 1
             WHERE school_id = $4 AND id = $5 AND version = $6 AND state <> 'synced'",
        )
        .bind(&name)
        .bind(input.subject_id.0)
        .bind(i64::from(grade.value()))
        .bind(school.0)
        .bind(paper.0)
        .bind(version)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::Conflict(format!("Đề thi {}", current.name)));
        }
        Self::write_paper_classes(&mut tx, school, paper.0, &input.classes).await?;
        audit::record(
            &mut tx,
            actor,
            Change {
                unit: school.into(),
                action: "update",
                entity: "exam_paper",
                entity_id: Some(paper.0),
                summary: format!("Sửa đề thi {} → {name}", current.name),
                before: serde_json::to_string(&current).ok(),
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(load_paper(&mut *self.pool.acquire().await?, school, paper)
            .await?
            .1)
    }

    /// Deletes a paper and its scores; not once synced (seed 000 §2.2).
    pub async fn delete_paper(
        &self,
        actor: &Actor,
        school: SchoolId,
        paper: ExamPaperId,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let (exam_row, current) = load_paper(&mut tx, school, paper).await?;
        current
            .state
            .check_edit_paper(&current.name)
            .map_err(|refusal| StoreError::Refused(refusal.to_string()))?;
        execute_each(
            &mut tx,
            school,
            paper.0,
            &[
                "DELETE FROM exam_score WHERE school_id = $1 AND paper_id = $2",
                "DELETE FROM exam_paper_class WHERE school_id = $1 AND paper_id = $2",
                "DELETE FROM exam_paper WHERE school_id = $1 AND id = $2 AND state <> 'synced'",
            ],
        )
        .await?;
        audit::record(
            &mut tx,
            actor,
            Change {
                unit: school.into(),
                action: "delete",
                entity: "exam_paper",
                entity_id: Some(paper.0),
                summary: format!("Xóa đề thi {} của kỳ thi {}", current.name, exam_row.name),
                before: serde_json::to_string(&current).ok(),
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A paper's score sheet: the studying students of its classes, with
    /// their scores and shield markers. Three queries whatever the size.
    pub async fn score_sheet(&self, school: SchoolId, paper: ExamPaperId) -> Result<ScoreSheet> {
        let (exam_row, paper_row) =
            load_paper(&mut *self.pool.acquire().await?, school, paper).await?;
        let linked = load_linked(&self.pool, school).await?;
        let rows = sqlx::query(
            "SELECT e.student_id, s.full_name, s.birth_date, s.moet_code, e.class_id, c.name AS class_name,
                    sc.tenths, sc.synced, sc.version
             FROM exam_paper_class pc
             JOIN class c ON c.school_id = pc.school_id AND c.id = pc.class_id
             JOIN enrolment e ON e.school_id = pc.school_id AND e.class_id = pc.class_id
                AND e.school_year_id = $3 AND e.status = 'studying'
             JOIN student s ON s.school_id = e.school_id AND s.id = e.student_id
             LEFT JOIN exam_score sc ON sc.school_id = pc.school_id AND sc.paper_id = pc.paper_id AND sc.student_id = e.student_id
             WHERE pc.school_id = $1 AND pc.paper_id = $2",
        )
        .bind(school.0)
        .bind(paper.0)
        .bind(exam_row.school_year_id.0)
        .fetch_all(&self.pool)
        .await?;
        let mut lines = rows
            .iter()
            .map(|row| {
                let code: Option<String> = row.try_get("moet_code")?;
                Ok(SheetRow {
                    student_id: StudentId(row.try_get("student_id")?),
                    full_name: row
                        .try_get::<Option<String>, _>("full_name")?
                        .unwrap_or_default(),
                    birth_date: row
                        .try_get::<Option<String>, _>("birth_date")?
                        .unwrap_or_default(),
                    class_id: ClassId(row.try_get("class_id")?),
                    class_name: row.try_get("class_name")?,
                    moet_code: code.filter(|c| !c.trim().is_empty()),
                    score: score_text(row.try_get("tenths")?),
                    synced: row.try_get::<Option<i64>, _>("synced")?.unwrap_or(0) != 0,
                    version: row.try_get::<Option<i64>, _>("version")?.unwrap_or(0),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let collator = hocba_text::collator();
        lines.sort_by(|a, b| {
            collator
                .compare(&a.class_name, &b.class_name)
                .then_with(|| collator.compare_person_names(&a.full_name, &b.full_name))
        });
        Ok(ScoreSheet {
            exam: exam_row,
            paper: paper_row,
            linked,
            rows: lines,
        })
    }

    /// Writes scores of a sheet, all or nothing: every value checked, every
    /// student on the sheet, the sheet open (not final, not synced).
    pub async fn save_scores(
        &self,
        actor: &Actor,
        school: SchoolId,
        paper: ExamPaperId,
        edits: &[ScoreEdit],
    ) -> Result<ScoresOutcome> {
        let mut tx = self.begin().await?;
        // Takes the paper's row lock first, as finalise and sync do, so that
        // a score never lands on a sheet finalised meanwhile.
        lock_paper(&mut tx, school, paper).await?;
        let (exam_row, paper_row) = load_paper(&mut tx, school, paper).await?;
        if let Err(refusal) = paper_row.state.check_edit_scores(&paper_row.name) {
            return Ok(ScoresOutcome::Refused(refusal));
        }
        let rows = sqlx::query(
            "SELECT e.student_id, s.full_name, sc.tenths, sc.version
             FROM exam_paper_class pc
             JOIN enrolment e ON e.school_id = pc.school_id AND e.class_id = pc.class_id
                AND e.school_year_id = $3 AND e.status = 'studying'
             JOIN student s ON s.school_id = e.school_id AND s.id = e.student_id
             LEFT JOIN exam_score sc ON sc.school_id = pc.school_id AND sc.paper_id = pc.paper_id AND sc.student_id = e.student_id
             WHERE pc.school_id = $1 AND pc.paper_id = $2",
        )
        .bind(school.0)
        .bind(paper.0)
        .bind(exam_row.school_year_id.0)
        .fetch_all(&mut *tx)
        .await?;
        // student → (name, tenths, version)
        let mut sheet: HashMap<StudentId, (String, Option<i64>, Option<i64>)> = HashMap::new();
        for row in &rows {
            sheet.insert(
                StudentId(row.try_get("student_id")?),
                (
                    row.try_get::<Option<String>, _>("full_name")?
                        .unwrap_or_default(),
                    row.try_get("tenths")?,
                    row.try_get("version")?,
                ),
            );
        }
        let mut rejected = Vec::new();
        let mut changes: Vec<(StudentId, Option<i64>, Option<i64>)> = Vec::new();
        let mut unchanged = 0;
        let mut seen = std::collections::HashSet::new();
        for (index, edit) in edits.iter().enumerate() {
            let reject = |message: String| RejectedScore {
                index,
                student_id: edit.student_id,
                student_name: sheet.get(&edit.student_id).map(|s| s.0.clone()),
                message,
            };
            let Some((name, old, version)) = sheet.get(&edit.student_id) else {
                rejected.push(reject(format!(
                    "Học sinh mã {} không học lớp nào làm đề thi {}; hãy tải lại bảng điểm.",
                    edit.student_id, paper_row.name
                )));
                continue;
            };
            if !seen.insert(edit.student_id) {
                rejected.push(reject(format!(
                    "{name}: có hai điểm trong cùng một lần lưu; hãy giữ một giá trị."
                )));
                continue;
            }
            let score = match exam::parse_exam_score(&edit.value) {
                Ok(score) => score,
                Err(error) => {
                    rejected.push(reject(format!("{name}: {}", error.0)));
                    continue;
                }
            };
            if let Some(expected) = edit.expected_version
                && version.unwrap_or(0) != expected
            {
                rejected.push(reject(format!(
                    "{name}: điểm vừa được người khác sửa (hiện là {}); điểm của bạn chưa được lưu, hãy tải lại bảng điểm.",
                    score_text(*old).unwrap_or_else(|| "trống".into())
                )));
                continue;
            }
            let new = score.map(|s| i64::from(s.tenths()));
            if new == *old {
                unchanged += 1;
                continue;
            }
            changes.push((edit.student_id, *old, new));
        }
        if !rejected.is_empty() {
            return Ok(ScoresOutcome::Rejected(rejected));
        }
        let now = now_millis();
        for chunk in changes.chunks(ROWS_PER_STATEMENT) {
            let values: Vec<String> = (0..chunk.len())
                .map(|i| format!("($1, $2, ${}, ${}, 0, 1, $3, $4)", 5 + 2 * i, 6 + 2 * i))
                .collect();
            let sql = format!(
                "INSERT INTO exam_score (school_id, paper_id, student_id, tenths, synced, version, updated_at, updated_by)
                 VALUES {}
                 ON CONFLICT (school_id, paper_id, student_id) DO UPDATE SET tenths = excluded.tenths,
                    version = exam_score.version + 1, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
                values.join(", ")
            );
            let mut query = sqlx::query(static_sql(sql))
                .bind(school.0)
                .bind(paper.0)
                .bind(now)
                .bind(&actor.name);
            for (student, _, new) in chunk {
                query = query.bind(student.0).bind(*new);
            }
            query.execute(&mut *tx).await?;
        }
        if !changes.is_empty() {
            let detail: Vec<serde_json::Value> = changes
                .iter()
                .map(|(student, old, new)| {
                    serde_json::json!({
                        "student_id": student.0,
                        "old": score_text(*old),
                        "new": score_text(*new),
                    })
                })
                .collect();
            audit::record(
                &mut tx,
                actor,
                Change {
                    unit: school.into(),
                    action: "update",
                    entity: "exam_score",
                    entity_id: Some(paper.0),
                    summary: format!(
                        "Nhập {} điểm vào bảng điểm đề thi {} (kỳ thi {})",
                        changes.len(),
                        paper_row.name,
                        exam_row.name
                    ),
                    before: None,
                    after: serde_json::to_string(&detail).ok(),
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(ScoresOutcome::Saved {
            written: changes.len(),
            unchanged,
        })
    }

    /// Chốt điểm (open → final) or mở chốt (final → open).
    pub async fn set_paper_final(
        &self,
        actor: &Actor,
        school: SchoolId,
        paper: ExamPaperId,
        finalise: bool,
    ) -> Result<std::result::Result<PaperRow, PaperRefusal>> {
        let mut tx = self.begin().await?;
        lock_paper(&mut tx, school, paper).await?;
        let (exam_row, current) = load_paper(&mut tx, school, paper).await?;
        let now = now_millis();
        let next = if finalise {
            current.state.finalise(&current.name, now, &actor.name)
        } else {
            current.state.reopen(&current.name)
        };
        let next = match next {
            Ok(next) => next,
            Err(refusal) => return Ok(Err(refusal)),
        };
        let (at, by) = match &next {
            PaperState::Final { at, by } => (Some(*at), Some(by.clone())),
            _ => (None, None),
        };
        sqlx::query(
            "UPDATE exam_paper SET state = $1, finalised_at = $2, finalised_by = $3, version = version + 1
             WHERE school_id = $4 AND id = $5 AND state <> 'synced'",
        )
        .bind(next.code())
        .bind(at)
        .bind(by)
        .bind(school.0)
        .bind(paper.0)
        .execute(&mut *tx)
        .await?;
        audit::record(
            &mut tx,
            actor,
            Change {
                unit: school.into(),
                action: if finalise { "finalise" } else { "reopen" },
                entity: "exam_paper",
                entity_id: Some(paper.0),
                summary: format!(
                    "{} bảng điểm đề thi {} (kỳ thi {})",
                    if finalise { "Chốt" } else { "Mở chốt" },
                    current.name,
                    exam_row.name
                ),
                before: None,
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(load_paper(
            &mut *self.pool.acquire().await?,
            school,
            paper,
        )
        .await?
        .1))
    }

    /// What the sync wizard shows: the paper's block, and per class the
    /// declared columns with why each cannot be chosen, and the students
    /// who would be left out. Reads only.
    pub async fn sync_preview(&self, school: SchoolId, paper: ExamPaperId) -> Result<SyncPreview> {
        let (exam_row, paper_row) =
            load_paper(&mut *self.pool.acquire().await?, school, paper).await?;
        let linked = load_linked(&self.pool, school).await?;
        let facts = PaperFacts {
            linked,
            exam_name: exam_row.name.clone(),
            kind: exam_row.kind,
            paper_name: paper_row.name.clone(),
            state: paper_row.state.clone(),
        };
        let block = exam::paper_block(&facts);
        let mut conn = self.pool.acquire().await?;
        let mut classes = Vec::new();
        for class in &paper_row.classes {
            let (facts, year, _) = class_facts(
                &mut conn,
                school,
                class.class_id,
                paper_row.subject_id,
                exam_row.semester,
                false,
            )
            .await?;
            let students =
                load_class_sheet(&mut *conn, school, paper, class.class_id, year).await?;
            let class_block = facts.class_block();
            let columns = facts
                .column_options()
                .into_iter()
                .map(|option| ColumnChoice {
                    column: option.column,
                    label: option.column.label(),
                    block: option.block.as_ref().map(BlockView::from),
                })
                .collect();
            let mut skipped = Vec::new();
            let mut to_write = 0;
            for student in &students {
                match (student.has_ministry_code, student.score) {
                    (false, _) => skipped.push(SkippedStudent::new(
                        student.id,
                        student.name.clone(),
                        SkipReason::NoMinistryCode,
                    )),
                    (true, None) => skipped.push(SkippedStudent::new(
                        student.id,
                        student.name.clone(),
                        SkipReason::NoScore,
                    )),
                    (true, Some(_)) => to_write += 1,
                }
            }
            let class_block = class_block.or_else(|| {
                (to_write == 0).then(|| ClassSyncBlock::NothingToSync {
                    class_name: class.class_name.clone(),
                })
            });
            classes.push(ClassPreview {
                class_id: class.class_id,
                class_name: class.class_name.clone(),
                block: class_block.as_ref().map(BlockView::from),
                columns,
                to_write,
                skipped,
            });
        }
        drop(conn);
        let run = load_run(&mut *self.pool.acquire().await?, school, paper).await?;
        Ok(SyncPreview {
            exam: exam_row,
            paper: paper_row,
            block: block.as_ref().map(BlockView::from),
            classes,
            run,
        })
    }

    /// The sync run of a paper, if it was synced (or is being synced).
    pub async fn sync_run(&self, school: SchoolId, paper: ExamPaperId) -> Result<Option<SyncRun>> {
        load_paper(&mut *self.pool.acquire().await?, school, paper).await?;
        load_run(&mut *self.pool.acquire().await?, school, paper).await
    }

    /// Syncs a paper into the gradebook: for each class of the paper, the
    /// column chosen (`None`: the class is left out). Once per paper.
    pub async fn sync_paper(
        &self,
        actor: &Actor,
        school: SchoolId,
        paper: ExamPaperId,
        choices: &[(ClassId, Option<Column>)],
    ) -> Result<SyncOutcome> {
        if let Some(blocked) = self.claim_sync(actor, school, paper, choices).await? {
            return Ok(blocked);
        }
        // 2. Each class on its own; 3. the end.
        self.finish_sync(actor, school, paper).await
    }

    /// Step 1 of a sync: the refusal of the paper, or `None` once claimed
    /// (the paper frozen, one pending row per class). A crash after this
    /// leaves the run for `resume_sync`.
    pub(crate) async fn claim_sync(
        &self,
        actor: &Actor,
        school: SchoolId,
        paper: ExamPaperId,
        choices: &[(ClassId, Option<Column>)],
    ) -> Result<Option<SyncOutcome>> {
        // 1. The claim, with the paper read under its lock.
        let mut tx = self.begin().await?;
        lock_paper(&mut tx, school, paper).await?;
        let (exam_row, current) = load_paper(&mut tx, school, paper).await?;
        for (class, _) in choices {
            if current.classes.iter().all(|c| c.class_id != *class) {
                return Err(StoreError::Refused(format!(
                    "Lớp mã {class} không làm đề thi {}: chỉ chọn cột cho các lớp của đề thi.",
                    current.name
                )));
            }
        }
        let facts = PaperFacts {
            linked: load_linked(&mut *tx, school).await?,
            exam_name: exam_row.name.clone(),
            kind: exam_row.kind,
            paper_name: current.name.clone(),
            state: current.state.clone(),
        };
        if let Some(block) = exam::paper_block(&facts) {
            drop(tx);
            let run = load_run(&mut *self.pool.acquire().await?, school, paper).await?;
            return Ok(Some(SyncOutcome::Blocked(block, run)));
        }
        let now = now_millis();
        let claimed = sqlx::query(
            "INSERT INTO exam_sync (school_id, paper_id, started_at, started_by_user_id, started_by, finished_at)
             VALUES ($1, $2, $3, $4, $5, NULL)",
        )
        .bind(school.0)
        .bind(paper.0)
        .bind(now)
        .bind(actor.user_id.map(|u| u.0))
        .bind(&actor.name)
        .execute(&mut *tx)
        .await;
        match claimed {
            Ok(_) => {}
            Err(sqlx::Error::Database(db)) if db.is_unique_violation() => {
                drop(tx);
                let run = load_run(&mut *self.pool.acquire().await?, school, paper).await?;
                let stamp = run
                    .as_ref()
                    .map(|r| SyncStamp {
                        at: r.started_at,
                        by: r.started_by.clone(),
                    })
                    .unwrap_or(SyncStamp {
                        at: now,
                        by: String::new(),
                    });
                return Ok(Some(SyncOutcome::Blocked(
                    PaperSyncBlock::AlreadySynced {
                        paper: current.name.clone(),
                        stamp,
                    },
                    run,
                )));
            }
            Err(error) => return Err(error.into()),
        }
        sqlx::query(
            "UPDATE exam_paper SET state = 'synced', synced_at = $1, synced_by = $2, version = version + 1
             WHERE school_id = $3 AND id = $4",
        )
        .bind(now)
        .bind(&actor.name)
        .bind(school.0)
        .bind(paper.0)
        .execute(&mut *tx)
        .await?;
        let chosen: HashMap<ClassId, Option<Column>> = choices.iter().copied().collect();
        let classes: Vec<(ClassId, Option<Column>)> = current
            .classes
            .iter()
            .map(|c| (c.class_id, chosen.get(&c.class_id).copied().flatten()))
            .collect();
        for chunk in classes.chunks(ROWS_PER_STATEMENT) {
            let values: Vec<String> = (0..chunk.len())
                .map(|i| format!("($1, $2, ${}, ${}, 'pending', 0)", 3 + 2 * i, 4 + 2 * i))
                .collect();
            let sql = format!(
                "INSERT INTO exam_sync_class (school_id, paper_id, class_id, column_key, status, written) VALUES {}",
                values.join(", ")
            );
            let mut query = sqlx::query(static_sql(sql)).bind(school.0).bind(paper.0);
            for (class, column) in chunk {
                query = query.bind(class.0).bind(column.map(Column::key));
            }
            query.execute(&mut *tx).await?;
        }
        audit::record(
            &mut tx,
            actor,
            Change {
                unit: school.into(),
                action: "sync",
                entity: "exam_paper",
                entity_id: Some(paper.0),
                summary: format!(
                    "Bắt đầu đồng bộ điểm đề thi {} (kỳ thi {}) sang sổ điểm: {} lớp",
                    current.name,
                    exam_row.name,
                    classes.iter().filter(|(_, c)| c.is_some()).count()
                ),
                before: None,
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(None)
    }

    /// Finishes the pending classes of a run that was cut short.
    pub async fn resume_sync(
        &self,
        actor: &Actor,
        school: SchoolId,
        paper: ExamPaperId,
    ) -> Result<Option<SyncOutcome>> {
        load_paper(&mut *self.pool.acquire().await?, school, paper).await?;
        match load_run(&mut *self.pool.acquire().await?, school, paper).await? {
            None => Ok(None),
            Some(run) if run.finished_at.is_some() => Ok(Some(SyncOutcome::Done(run))),
            Some(_) => Ok(Some(self.finish_sync(actor, school, paper).await?)),
        }
    }

    async fn finish_sync(
        &self,
        actor: &Actor,
        school: SchoolId,
        paper: ExamPaperId,
    ) -> Result<SyncOutcome> {
        let (exam_row, paper_row) =
            load_paper(&mut *self.pool.acquire().await?, school, paper).await?;
        let pending: Vec<(i64, Option<String>)> = sqlx::query(
            "SELECT class_id, column_key FROM exam_sync_class WHERE school_id = $1 AND paper_id = $2 AND status = 'pending'",
        )
        .bind(school.0)
        .bind(paper.0)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| Ok((row.try_get("class_id")?, row.try_get("column_key")?)))
        .collect::<Result<Vec<_>>>()?;
        for (class, column) in pending {
            let column = column.and_then(|key| Column::parse(&key).ok());
            self.sync_class(actor, school, &exam_row, &paper_row, ClassId(class), column)
                .await?;
        }
        let run = load_run(&mut *self.pool.acquire().await?, school, paper)
            .await?
            .ok_or_else(|| StoreError::NotFound("lần đồng bộ của đề thi này".into()))?;
        let mut tx = self.begin().await?;
        if run.written() == 0 && run.pending() == 0 {
            // Nothing reached the gradebook: undo the claim, so the paper
            // can be synced once the reasons are fixed.
            execute_each(
                &mut tx,
                school,
                paper.0,
                &[
                    "DELETE FROM exam_sync_class WHERE school_id = $1 AND paper_id = $2",
                    "DELETE FROM exam_sync WHERE school_id = $1 AND paper_id = $2",
                    "UPDATE exam_paper SET state = 'final', synced_at = NULL, synced_by = NULL, version = version + 1
                     WHERE school_id = $1 AND id = $2",
                ],
            )
            .await?;
            audit::record(
                &mut tx,
                actor,
                Change {
                    unit: school.into(),
                    action: "sync",
                    entity: "exam_paper",
                    entity_id: Some(paper.0),
                    summary: format!(
                        "Không lớp nào của đề thi {} đồng bộ được; không có điểm nào được ghi, đề thi có thể đồng bộ lại",
                        paper_row.name
                    ),
                    before: None,
                    after: serde_json::to_string(&run.classes).ok(),
                },
            )
            .await?;
            tx.commit().await?;
            return Ok(SyncOutcome::NothingSynced(run.classes));
        }
        let now = now_millis();
        sqlx::query(
            "UPDATE exam_sync SET finished_at = $1 WHERE school_id = $2 AND paper_id = $3 AND finished_at IS NULL",
        )
        .bind(now)
        .bind(school.0)
        .bind(paper.0)
        .execute(&mut *tx)
        .await?;
        audit::record(
            &mut tx,
            actor,
            Change {
                unit: school.into(),
                action: "sync",
                entity: "exam_paper",
                entity_id: Some(paper.0),
                summary: format!(
                    "Đồng bộ xong đề thi {} (kỳ thi {}): {} điểm vào sổ điểm, {} lớp đồng bộ, {} lớp không đồng bộ được",
                    paper_row.name,
                    exam_row.name,
                    run.written(),
                    run.classes.iter().filter(|c| c.status == "synced").count(),
                    run.classes.iter().filter(|c| c.status == "refused").count()
                ),
                before: None,
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        let run = load_run(&mut *self.pool.acquire().await?, school, paper)
            .await?
            .ok_or_else(|| StoreError::NotFound("lần đồng bộ của đề thi này".into()))?;
        Ok(SyncOutcome::Done(run))
    }

    /// One class of a run, in one transaction: all its scores or its reason.
    async fn sync_class(
        &self,
        actor: &Actor,
        school: SchoolId,
        exam_row: &ExamRow,
        paper_row: &PaperRow,
        class: ClassId,
        column: Option<Column>,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        // Claim the class: another worker resuming the same run skips it.
        let claimed = sqlx::query(
            "UPDATE exam_sync_class SET status = 'running' WHERE school_id = $1 AND paper_id = $2 AND class_id = $3 AND status = 'pending'",
        )
        .bind(school.0)
        .bind(paper_row.id.0)
        .bind(class.0)
        .execute(&mut *tx)
        .await?;
        if claimed.rows_affected() == 0 {
            return Ok(());
        }
        let semester = exam_row.semester;
        let subject = paper_row.subject_id;
        let (facts, year, cleared) =
            class_facts(&mut tx, school, class, subject, semester, true).await?;
        let students = load_class_sheet(&mut *tx, school, paper_row.id, class, year).await?;
        let now = now_millis();
        let outcome = facts.plan_sync(column, &students);
        let record = |status: &'static str,
                      block: Option<BlockView>,
                      written: usize,
                      skipped: Vec<SkippedStudent>| {
            sqlx::query(
                "UPDATE exam_sync_class SET status = $1, reason_code = $2, reason = $3, remedy = $4, written = $5,
                    skipped = $6, finished_at = $7
                 WHERE school_id = $8 AND paper_id = $9 AND class_id = $10",
            )
            .bind(status)
            .bind(block.as_ref().map(|b| b.code.clone()))
            .bind(block.as_ref().map(|b| b.reason.clone()))
            .bind(block.as_ref().map(|b| b.remedy.clone()))
            .bind(i64::try_from(written).unwrap_or(i64::MAX))
            .bind(serde_json::to_string(&skipped).ok())
            .bind(now)
            .bind(school.0)
            .bind(paper_row.id.0)
            .bind(class.0)
        };
        let sync = match outcome {
            Err(block) => {
                record("refused", Some(BlockView::from(&block)), 0, Vec::new())
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                return Ok(());
            }
            Ok(sync) => sync,
        };
        let key = sync.column.key();
        // The cells: inserted, or filled where a cleared row exists. The
        // conflict clause writes only into an empty cell; a value that a
        // teacher saved since our read (PostgreSQL) leaves the count short.
        let mut changes = Vec::with_capacity(sync.writes.len());
        for chunk in sync.writes.chunks(ROWS_PER_STATEMENT) {
            let values: Vec<String> = (0..chunk.len())
                .map(|i| {
                    format!(
                        "($1, ${}, $2, $3, $4, $5, ${}, NULL, 0, 1, 1, $6, $7, $8)",
                        9 + 2 * i,
                        10 + 2 * i
                    )
                })
                .collect();
            let sql = format!(
                "INSERT INTO gradebook_cell (school_id, student_id, subject_id, semester, column_key, school_year_id,
                    tenths, mark, missed_make_up, synced, version, updated_at, updated_by_user_id, updated_by)
                 VALUES {}
                 ON CONFLICT (school_id, student_id, subject_id, semester, column_key) DO UPDATE SET
                    tenths = excluded.tenths, mark = NULL, missed_make_up = 0, synced = 1,
                    version = gradebook_cell.version + 1, updated_at = excluded.updated_at,
                    updated_by_user_id = excluded.updated_by_user_id, updated_by = excluded.updated_by
                 WHERE gradebook_cell.tenths IS NULL AND gradebook_cell.mark IS NULL",
                values.join(", ")
            );
            let mut query = sqlx::query(static_sql(sql))
                .bind(school.0)
                .bind(subject.0)
                .bind(i64::from(semester.number()))
                .bind(&key)
                .bind(year.0)
                .bind(now)
                .bind(actor.user_id.map(|u| u.0))
                .bind(&actor.name);
            for (student, score) in chunk {
                query = query.bind(student.0).bind(i64::from(score.tenths()));
            }
            let written = query.execute(&mut *tx).await?;
            if written.rows_affected() != chunk.len() as u64 {
                // Somebody entered a score in the column meanwhile: the class
                // is refused as a whole, with the names, after a rollback.
                drop(tx);
                return self
                    .refuse_raced_class(school, exam_row, paper_row, class, sync.column)
                    .await;
            }
            for (student, score) in chunk {
                let version = cleared.get(&(*student, sync.column)).map_or(1, |v| v + 1);
                changes.push((*student, *score, version));
            }
        }
        let reason = exam::sync_change_reason(&exam_row.name, &paper_row.name);
        for chunk in changes.chunks(ROWS_PER_STATEMENT) {
            let values: Vec<String> = (0..chunk.len())
                .map(|i| {
                    format!(
                        "($1, ${}, ${}, $2, $3, $4, $5, NULL, ${}, 0, ${}, $6, $7, $8, $9, $10, NULL)",
                        11 + 4 * i,
                        12 + 4 * i,
                        13 + 4 * i,
                        14 + 4 * i
                    )
                })
                .collect();
            let sql = format!(
                "INSERT INTO gradebook_change (school_id, id, student_id, subject_id, semester, column_key, class_id,
                    old_value, new_value, missed_make_up, version, at, actor_user_id, actor_name, channel, reason, overrides)
                 VALUES {}",
                values.join(", ")
            );
            let mut query = sqlx::query(static_sql(sql))
                .bind(school.0)
                .bind(subject.0)
                .bind(i64::from(semester.number()))
                .bind(&key)
                .bind(class.0)
                .bind(now)
                .bind(actor.user_id.map(|u| u.0))
                .bind(&actor.name)
                .bind(Channel::Sync.code())
                .bind(&reason);
            for (student, score, version) in chunk {
                query = query
                    .bind(new_id())
                    .bind(student.0)
                    .bind(score.to_string())
                    .bind(*version);
            }
            query.execute(&mut *tx).await?;
        }
        for chunk in changes.chunks(ROWS_PER_STATEMENT) {
            let placeholders: Vec<String> =
                (0..chunk.len()).map(|i| format!("${}", i + 3)).collect();
            let sql = format!(
                "UPDATE exam_score SET synced = 1 WHERE school_id = $1 AND paper_id = $2 AND student_id IN ({})",
                placeholders.join(", ")
            );
            let mut query = sqlx::query(static_sql(sql))
                .bind(school.0)
                .bind(paper_row.id.0);
            for (student, _, _) in chunk {
                query = query.bind(student.0);
            }
            query.execute(&mut *tx).await?;
        }
        let skipped = sync
            .skipped
            .into_iter()
            .map(|(id, name, why)| SkippedStudent::new(id, name, why))
            .collect();
        record("synced", None, changes.len(), skipped)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A class whose column was written to by someone else during the sync:
    /// recorded as refused, with the students who hold scores now.
    async fn refuse_raced_class(
        &self,
        school: SchoolId,
        exam_row: &ExamRow,
        paper_row: &PaperRow,
        class: ClassId,
        column: Column,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let (facts, _, _) = class_facts(
            &mut tx,
            school,
            class,
            paper_row.subject_id,
            exam_row.semester,
            true,
        )
        .await?;
        // The racing value may have been cleared since: the column's
        // reason then still names what happened.
        let block = facts
            .column_block(column)
            .unwrap_or(ClassSyncBlock::ColumnHasScores {
                place: facts.place.clone(),
                column,
                students: Vec::new(),
            });
        let view = BlockView::from(&block);
        sqlx::query(
            "UPDATE exam_sync_class SET status = 'refused', reason_code = $1, reason = $2, remedy = $3, written = 0,
                finished_at = $4
             WHERE school_id = $5 AND paper_id = $6 AND class_id = $7 AND status = 'pending'",
        )
        .bind(&view.code)
        .bind(&view.reason)
        .bind(&view.remedy)
        .bind(now_millis())
        .bind(school.0)
        .bind(paper_row.id.0)
        .bind(class.0)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
