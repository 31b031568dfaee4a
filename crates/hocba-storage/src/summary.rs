//! Tổng kết (term summary) of a class or a whole school, closing the book
//! (close_term), what comes after the year (summer retest, summer training,
//! absences, the averages a transferred-in student brings), and the
//! progress of grade entry.
//!
//! The rules are `hocba_domain::summary`'s (which asks `hocba_assessment`).
//! A summary is read in a fixed number of queries whatever the number of
//! students (classes, students, subjects, cells, conduct, year records,
//! retests, transferred averages: one each, for a class or for the whole
//! school), computed in memory, and written in one transaction with its
//! audit entry: a school's summary is all there or not at all.

use crate::audit::{self, Change};
use crate::{Actor, Dialect, Result, Store, StoreError, grade_of, new_id, now_millis, static_sql};
use hocba_domain::curriculum::SubjectMode;
use hocba_domain::gradebook::{
    CellValue, Column, EntryRefusal, Place, Semester, TrainingResult, parse_training_result,
};
use hocba_domain::school::SchoolYear;
use hocba_domain::summary::{
    self, StudentInput, StudentSummary, SubjectInput, SummaryCounts, SummarySubject, TermSource,
};
use hocba_domain::{ClassId, Grade, SchoolId, SchoolYearId, StaffId, StudentId, SubjectId};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, Executor, Row};
use std::collections::HashMap;

/// The closing of a class × semester (khóa sổ).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TermClosure {
    pub closed: bool,
    pub closed_at: i64,
    pub closed_by: String,
    pub reopened_at: Option<i64>,
    pub reopened_by: Option<String>,
    pub reopen_reason: Option<String>,
}

/// A class's summary header: when it was computed, by whom, its counts.
#[derive(Debug, Clone, Serialize)]
pub struct SummaryHeader {
    pub class_id: ClassId,
    pub class_name: String,
    pub grade: Grade,
    pub semester: Semester,
    pub school_year_id: SchoolYearId,
    /// `None` for a summary computed on the fly (not stored yet).
    pub run_id: Option<i64>,
    pub computed_at: Option<i64>,
    pub computed_by: Option<String>,
    pub counts: SummaryCounts,
    /// Why the class is not summarised (primary, old regime).
    pub note: Option<String>,
    pub closure: Option<TermClosure>,
}

/// A subject column of a class summary.
#[derive(Debug, Clone, Serialize)]
pub struct SummaryColumn {
    pub subject_id: SubjectId,
    pub name: String,
    pub mode: SubjectMode,
}

/// A class's summary with every student's line, in Vietnamese order.
#[derive(Debug, Clone, Serialize)]
pub struct ClassSummary {
    pub header: SummaryHeader,
    /// Stored (computed and saved), or computed now from the gradebook.
    pub stored: bool,
    pub subjects: Vec<SummaryColumn>,
    pub homeroom: Option<String>,
    pub school_year: String,
    pub lines: Vec<StudentSummary>,
}

/// What a summary computation did.
#[derive(Debug, Clone, Serialize)]
pub struct SummaryRun {
    pub run_id: i64,
    pub semester: Semester,
    pub classes: usize,
    pub students: usize,
    pub complete: usize,
    /// Classes not summarised, with the reason.
    pub not_summarised: Vec<(ClassId, String, String)>,
}

/// The answer of close_term.
#[derive(Debug, Clone)]
pub enum CloseOutcome {
    Closed(TermClosure),
    /// Not every line is decided (or the class is not summarised): why.
    Refused(String),
}

/// One line of the promotion list.
#[derive(Debug, Clone, Serialize)]
pub struct PromotionRow {
    pub class_id: ClassId,
    pub class_name: String,
    pub student_id: StudentId,
    pub full_name: String,
    pub promotion: Option<String>,
    pub promotion_label: Option<String>,
    pub learning: Option<String>,
    pub training: Option<String>,
    pub award: Option<String>,
    pub retest_subjects: Vec<String>,
    pub complete: bool,
}

/// Grade-entry progress of one class × subject: cells filled of declared.
#[derive(Debug, Clone, Serialize)]
pub struct ProgressRow {
    pub class_id: ClassId,
    pub class_name: String,
    pub subject_id: SubjectId,
    pub subject_name: String,
    pub teacher: Option<(StaffId, String)>,
    pub plan_declared: bool,
    pub declared: i64,
    pub filled: i64,
}

/// A total of progress rows (per class or per teacher).
#[derive(Debug, Clone, Serialize)]
pub struct ProgressTotal {
    pub id: Option<i64>,
    pub name: String,
    pub books: usize,
    pub declared: i64,
    pub filled: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Progress {
    pub semester: Semester,
    pub books: Vec<ProgressRow>,
    pub by_class: Vec<ProgressTotal>,
    pub by_teacher: Vec<ProgressTotal>,
}

/// After-the-year inputs of one student (absences and summer training by
/// the homeroom teacher; retests and transferred averages by the school).
#[derive(Debug, Clone, Default)]
pub struct YearRecordEdit {
    pub absences: Option<u16>,
    pub summer_training: Option<TrainingResult>,
}

struct ClassInfo {
    id: ClassId,
    name: String,
    grade: Grade,
}

/// The cells of each student × subject × semester.
type CellMap = HashMap<(StudentId, SubjectId, u8), Vec<(Column, CellValue)>>;

/// Everything a summary reads, for one class or a whole school.
struct Loaded {
    start_year: u16,
    school_year: String,
    classes: Vec<ClassInfo>,
    students: HashMap<ClassId, Vec<(StudentId, String)>>,
    subjects: HashMap<u8, Vec<SummarySubject>>,
    cells: CellMap,
    conduct: HashMap<(StudentId, u8), (Option<TrainingResult>, Option<String>)>,
    records: HashMap<StudentId, (Option<u16>, Option<TrainingResult>)>,
    retests: HashMap<(StudentId, SubjectId), CellValue>,
    transferred: HashMap<(StudentId, SubjectId, u8), CellValue>,
}

fn stored_value(row: &AnyRow) -> Result<Option<CellValue>> {
    let tenths: Option<i64> = row.try_get("tenths")?;
    let mark: Option<String> = row.try_get("mark")?;
    Ok(CellValue::from_stored(tenths, mark.as_deref()))
}

/// The students' filter shared by the queries: the studying students of the
/// year, of one class when given (`$2` year, `$3` class).
const STUDENTS_OF: &str = "SELECT student_id FROM enrolment
     WHERE school_id = $1 AND school_year_id = $2 AND status = 'studying' AND ($3 IS NULL OR class_id = $3)";

async fn load(
    conn: &mut AnyConnection,
    dialect: Dialect,
    school: SchoolId,
    year: SchoolYearId,
    class: Option<ClassId>,
    semester: Semester,
) -> Result<Loaded> {
    let class_bind = class.map(|c| c.0);
    let start: i64 =
        sqlx::query_scalar("SELECT start_year FROM school_year WHERE school_id = $1 AND id = $2")
            .bind(school.0)
            .bind(year.0)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or_else(|| StoreError::NotFound("năm học này trong trường".into()))?;
    let start_year = u16::try_from(start).unwrap_or(0);

    let class_rows = sqlx::query(
        "SELECT id, name, grade FROM class
         WHERE school_id = $1 AND school_year_id = $2 AND ($3 IS NULL OR id = $3)",
    )
    .bind(school.0)
    .bind(year.0)
    .bind(class_bind)
    .fetch_all(&mut *conn)
    .await?;
    let mut classes = Vec::with_capacity(class_rows.len());
    for row in &class_rows {
        classes.push(ClassInfo {
            id: ClassId(row.try_get("id")?),
            name: row.try_get("name")?,
            grade: grade_of(row.try_get("grade")?)?,
        });
    }
    let collator = hocba_text::collator();
    classes.sort_by(|a, b| {
        a.grade
            .value()
            .cmp(&b.grade.value())
            .then_with(|| collator.compare(&a.name, &b.name))
    });

    let student_rows = sqlx::query(
        "SELECT e.student_id, e.class_id, s.full_name FROM enrolment e
         JOIN student s ON s.school_id = e.school_id AND s.id = e.student_id
         WHERE e.school_id = $1 AND e.school_year_id = $2 AND e.status = 'studying'
           AND ($3 IS NULL OR e.class_id = $3)",
    )
    .bind(school.0)
    .bind(year.0)
    .bind(class_bind)
    .fetch_all(&mut *conn)
    .await?;
    let mut students: HashMap<ClassId, Vec<(StudentId, String)>> = HashMap::new();
    for row in &student_rows {
        students
            .entry(ClassId(row.try_get("class_id")?))
            .or_default()
            .push((
                StudentId(row.try_get("student_id")?),
                row.try_get::<Option<String>, _>("full_name")?
                    .unwrap_or_default(),
            ));
    }
    for list in students.values_mut() {
        list.sort_by(|a, b| collator.compare_person_names(&a.1, &b.1));
    }

    let subject_rows = sqlx::query(
        "SELECT id, grade, name, mode, periods_per_year FROM subject
         WHERE school_id = $1 AND school_year_id = $2 ORDER BY grade, position",
    )
    .bind(school.0)
    .bind(year.0)
    .fetch_all(&mut *conn)
    .await?;
    let mut subjects: HashMap<u8, Vec<SummarySubject>> = HashMap::new();
    for row in &subject_rows {
        let grade: i64 = row.try_get("grade")?;
        let mode: String = row.try_get("mode")?;
        let periods: i64 = row.try_get("periods_per_year")?;
        subjects
            .entry(u8::try_from(grade).unwrap_or(0))
            .or_default()
            .push(SummarySubject {
                id: SubjectId(row.try_get("id")?),
                name: row.try_get("name")?,
                mode: SubjectMode::from_code(&mode).unwrap_or(SubjectMode::Scored),
                periods_per_year: u16::try_from(periods).unwrap_or(u16::MAX),
            });
    }

    // One row per student × subject × semester with its cells joined
    // ("regular:1=85,midterm=70,final=Đ"): the database does the grouping,
    // and a school's 276,000 cells cross the driver as 56,000 rows.
    let aggregate = match dialect {
        Dialect::Sqlite => {
            "GROUP_CONCAT(column_key || '=' || COALESCE(CAST(tenths AS TEXT), mark), ',')"
        }
        Dialect::Postgres => {
            "STRING_AGG(column_key || '=' || COALESCE(CAST(tenths AS TEXT), mark), ',')"
        }
    };
    let cell_rows = sqlx::query(static_sql(format!(
        "SELECT student_id, subject_id, semester, {aggregate} AS cells FROM gradebook_cell
         WHERE school_id = $1 AND school_year_id = $2 AND semester <= $4
           AND (tenths IS NOT NULL OR mark IS NOT NULL)
           AND student_id IN ({STUDENTS_OF})
         GROUP BY student_id, subject_id, semester"
    )))
    .bind(school.0)
    .bind(year.0)
    .bind(class_bind)
    .bind(i64::from(semester.number()))
    .fetch_all(&mut *conn)
    .await?;
    let mut cells: CellMap = HashMap::with_capacity(cell_rows.len());
    for row in &cell_rows {
        let joined: Option<String> = row.try_get("cells")?;
        let number: i64 = row.try_get("semester")?;
        let mut values = Vec::new();
        for item in joined.as_deref().unwrap_or_default().split(',') {
            let Some((key, value)) = item.split_once('=') else {
                continue;
            };
            let Ok(column) = Column::parse(key) else {
                continue;
            };
            let value = match value.parse::<i64>() {
                Ok(tenths) => CellValue::from_stored(Some(tenths), None),
                Err(_) => CellValue::from_stored(None, Some(value)),
            };
            if let Some(value) = value {
                values.push((column, value));
            }
        }
        cells.insert(
            (
                StudentId(row.try_get("student_id")?),
                SubjectId(row.try_get("subject_id")?),
                u8::try_from(number).unwrap_or(0),
            ),
            values,
        );
    }

    let conduct_rows = sqlx::query(static_sql(format!(
        "SELECT student_id, semester, training_result, comment FROM conduct
         WHERE school_id = $1 AND school_year_id = $2 AND student_id IN ({STUDENTS_OF})"
    )))
    .bind(school.0)
    .bind(year.0)
    .bind(class_bind)
    .fetch_all(&mut *conn)
    .await?;
    let mut conduct = HashMap::new();
    for row in &conduct_rows {
        let number: i64 = row.try_get("semester")?;
        let result: Option<String> = row.try_get("training_result")?;
        conduct.insert(
            (
                StudentId(row.try_get("student_id")?),
                u8::try_from(number).unwrap_or(0),
            ),
            (
                result.and_then(|r| parse_training_result(&r).ok().flatten()),
                row.try_get("comment")?,
            ),
        );
    }

    let record_rows = sqlx::query(static_sql(format!(
        "SELECT student_id, absences, summer_training FROM year_record
         WHERE school_id = $1 AND school_year_id = $2 AND student_id IN ({STUDENTS_OF})"
    )))
    .bind(school.0)
    .bind(year.0)
    .bind(class_bind)
    .fetch_all(&mut *conn)
    .await?;
    let mut records = HashMap::new();
    for row in &record_rows {
        let absences: Option<i64> = row.try_get("absences")?;
        let summer: Option<String> = row.try_get("summer_training")?;
        records.insert(
            StudentId(row.try_get("student_id")?),
            (
                absences.and_then(|a| u16::try_from(a).ok()),
                summer.and_then(|s| parse_training_result(&s).ok().flatten()),
            ),
        );
    }

    let retest_rows = sqlx::query(static_sql(format!(
        "SELECT student_id, subject_id, tenths, mark FROM retest_score
         WHERE school_id = $1 AND school_year_id = $2 AND student_id IN ({STUDENTS_OF})"
    )))
    .bind(school.0)
    .bind(year.0)
    .bind(class_bind)
    .fetch_all(&mut *conn)
    .await?;
    let mut retests = HashMap::new();
    for row in &retest_rows {
        if let Some(value) = stored_value(row)? {
            retests.insert(
                (
                    StudentId(row.try_get("student_id")?),
                    SubjectId(row.try_get("subject_id")?),
                ),
                value,
            );
        }
    }

    let transfer_rows = sqlx::query(static_sql(format!(
        "SELECT student_id, subject_id, semester, tenths, mark FROM transfer_average
         WHERE school_id = $1 AND school_year_id = $2 AND student_id IN ({STUDENTS_OF})"
    )))
    .bind(school.0)
    .bind(year.0)
    .bind(class_bind)
    .fetch_all(&mut *conn)
    .await?;
    let mut transferred = HashMap::new();
    for row in &transfer_rows {
        let number: i64 = row.try_get("semester")?;
        if let Some(value) = stored_value(row)? {
            transferred.insert(
                (
                    StudentId(row.try_get("student_id")?),
                    SubjectId(row.try_get("subject_id")?),
                    u8::try_from(number).unwrap_or(0),
                ),
                value,
            );
        }
    }

    Ok(Loaded {
        start_year,
        school_year: SchoolYear { start_year }.label(),
        classes,
        students,
        subjects,
        cells,
        conduct,
        records,
        retests,
        transferred,
    })
}

/// One class computed: its header and its lines.
struct Computed {
    class: ClassId,
    class_name: String,
    grade: Grade,
    note: Option<String>,
    counts: SummaryCounts,
    lines: Vec<StudentSummary>,
}

/// Computes every class of `loaded`: pure work, spread over the machine's
/// cores (classes are independent), in the order of `loaded.classes`.
fn compute(loaded: &Loaded, semester: Semester) -> Vec<Computed> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 4)
        .min(loaded.classes.len().max(1));
    if threads <= 1 {
        return loaded
            .classes
            .iter()
            .map(|class| compute_class(loaded, class, semester))
            .collect();
    }
    let chunk = loaded.classes.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let workers: Vec<_> = loaded
            .classes
            .chunks(chunk)
            .map(|classes| {
                scope.spawn(move || {
                    classes
                        .iter()
                        .map(|class| compute_class(loaded, class, semester))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| worker.join().unwrap_or_default())
            .collect()
    })
}

fn compute_class(loaded: &Loaded, class: &ClassInfo, semester: Semester) -> Computed {
    let year = SchoolYear {
        start_year: loaded.start_year,
    };
    let no_students = Vec::new();
    let no_subjects = Vec::new();
    let students = loaded.students.get(&class.id).unwrap_or(&no_students);
    let subjects = loaded
        .subjects
        .get(&class.grade.value())
        .unwrap_or(&no_subjects);
    let regime = summary::summary_regime(class.grade, year, &class.name);
    let mut lines = Vec::new();
    if regime.is_ok() {
        lines.reserve(students.len());
        for (student, name) in students {
            let source = |subject: SubjectId, number: u8| match loaded
                .transferred
                .get(&(*student, subject, number))
            {
                Some(value) => TermSource::Entered(*value),
                None => TermSource::Cells(
                    loaded
                        .cells
                        .get(&(*student, subject, number))
                        .cloned()
                        .unwrap_or_default(),
                ),
            };
            let inputs: Vec<SubjectInput> = subjects
                .iter()
                .map(|subject| SubjectInput {
                    s1: source(subject.id, 1),
                    s2: source(subject.id, 2),
                    retest: loaded.retests.get(&(*student, subject.id)).copied(),
                })
                .collect();
            let conduct = |number: u8| loaded.conduct.get(&(*student, number));
            let (absences, summer_training) =
                loaded.records.get(student).copied().unwrap_or_default();
            let input = StudentInput {
                id: *student,
                full_name: name.clone(),
                subjects: inputs,
                training: [conduct(1).and_then(|c| c.0), conduct(2).and_then(|c| c.0)],
                comment: conduct(semester.number()).and_then(|c| c.1.clone()),
                absences,
                summer_training,
            };
            lines.push(summary::summarise_student(
                class.grade,
                semester,
                subjects,
                &input,
            ));
        }
    }
    Computed {
        class: class.id,
        class_name: class.name.clone(),
        grade: class.grade,
        note: regime.err(),
        counts: summary::counts(&lines, semester),
        lines,
    }
}

pub(crate) fn closure_from(row: &AnyRow) -> Result<TermClosure> {
    let closed: i64 = row.try_get("closed")?;
    Ok(TermClosure {
        closed: closed != 0,
        closed_at: row.try_get("closed_at")?,
        closed_by: row.try_get("closed_by")?,
        reopened_at: row.try_get("reopened_at")?,
        reopened_by: row.try_get("reopened_by")?,
        reopen_reason: row.try_get("reopen_reason")?,
    })
}

/// The closing of a class × semester, if any.
pub(crate) async fn load_closure<'e, E: Executor<'e, Database = Any>>(
    executor: E,
    school: SchoolId,
    class: ClassId,
    semester: Semester,
) -> Result<Option<TermClosure>> {
    let row = sqlx::query(
        "SELECT closed, closed_at, closed_by, reopened_at, reopened_by, reopen_reason FROM term_closure
         WHERE school_id = $1 AND class_id = $2 AND semester = $3",
    )
    .bind(school.0)
    .bind(class.0)
    .bind(i64::from(semester.number()))
    .fetch_optional(executor)
    .await?;
    row.as_ref().map(closure_from).transpose()
}

/// The closed-book rule of the gradebook writes: the refusal when the
/// class's book of `place.semester` is closed. Takes the class's row lock
/// first (a no-op update), which close_term takes too, so that on
/// PostgreSQL a save and a closing of the same class are serialised and a
/// save never lands after the summary it would falsify (SQLite writers are
/// serialised already).
pub(crate) async fn closed_refusal(
    conn: &mut AnyConnection,
    school: SchoolId,
    class: ClassId,
    place: &Place,
) -> Result<Option<EntryRefusal>> {
    lock_class(&mut *conn, school, class).await?;
    Ok(closed_book(
        load_closure(&mut *conn, school, class, place.semester).await?,
        place,
    ))
}

/// The class row's lock of [`closed_refusal`] (a no-op update that
/// close_term takes too), for a caller that reads the closure itself in a
/// later statement of the same transaction.
pub(crate) async fn lock_class(
    conn: &mut AnyConnection,
    school: SchoolId,
    class: ClassId,
) -> Result<()> {
    sqlx::query("UPDATE class SET version = version WHERE school_id = $1 AND id = $2")
        .bind(school.0)
        .bind(class.0)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The refusal of a write into a closed book, from the class × semester's
/// closure read after [`lock_class`].
pub(crate) fn closed_book(closure: Option<TermClosure>, place: &Place) -> Option<EntryRefusal> {
    closure
        .filter(|closure| closure.closed)
        .map(|closure| EntryRefusal::TermClosed {
            place: place.clone(),
            closed_by: closure.closed_by,
            closed_at: closure.closed_at,
        })
}

/// Rows per INSERT statement when writing summary lines (13 binds each:
/// well under SQLite's and PostgreSQL's bind limits).
const LINES_PER_INSERT: usize = 100;

#[allow(clippy::too_many_arguments)]
async fn write_summary(
    conn: &mut AnyConnection,
    school: SchoolId,
    year: SchoolYearId,
    class: Option<ClassId>,
    semester: Semester,
    run_id: i64,
    computed_by: &str,
    computed: &[Computed],
) -> Result<()> {
    let number = i64::from(semester.number());
    let class_bind = class.map(|c| c.0);
    for table in ["term_summary_line", "term_summary"] {
        sqlx::query(static_sql(format!(
            "DELETE FROM {table} WHERE school_id = $1 AND school_year_id = $2 AND semester = $3
               AND ($4 IS NULL OR class_id = $4)"
        )))
        .bind(school.0)
        .bind(year.0)
        .bind(number)
        .bind(class_bind)
        .execute(&mut *conn)
        .await?;
    }
    let now = now_millis();
    for chunk in computed.chunks(LINES_PER_INSERT) {
        let mut sql = String::from(
            "INSERT INTO term_summary (school_id, class_id, semester, school_year_id, run_id, students,
                complete_students, counts, note, computed_at, computed_by) VALUES ",
        );
        for i in 0..chunk.len() {
            let b = i * 11;
            if i > 0 {
                sql.push(',');
            }
            sql.push_str(&format!(
                "(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6,
                b + 7,
                b + 8,
                b + 9,
                b + 10,
                b + 11
            ));
        }
        let mut query = sqlx::query(static_sql(sql));
        for class in chunk {
            query = query
                .bind(school.0)
                .bind(class.class.0)
                .bind(number)
                .bind(year.0)
                .bind(run_id)
                .bind(class.counts.students as i64)
                .bind(class.counts.complete as i64)
                .bind(serde_json::to_string(&class.counts).unwrap_or_default())
                .bind(class.note.clone())
                .bind(now)
                .bind(computed_by.to_owned());
        }
        query.execute(&mut *conn).await?;
    }
    let lines: Vec<(ClassId, usize, &StudentSummary)> = computed
        .iter()
        .flat_map(|c| {
            c.lines
                .iter()
                .enumerate()
                .map(move |(position, line)| (c.class, position, line))
        })
        .collect();
    for chunk in lines.chunks(LINES_PER_INSERT) {
        let mut sql = String::from(
            "INSERT INTO term_summary_line (school_id, class_id, semester, student_id, school_year_id, run_id,
                position, complete, learning, training, award, promotion, detail) VALUES ",
        );
        for i in 0..chunk.len() {
            let b = i * 13;
            if i > 0 {
                sql.push(',');
            }
            sql.push('(');
            for j in 1..=13 {
                if j > 1 {
                    sql.push_str(", ");
                }
                sql.push_str(&format!("${}", b + j));
            }
            sql.push(')');
        }
        let mut query = sqlx::query(static_sql(sql));
        for (class, position, line) in chunk {
            query = query
                .bind(school.0)
                .bind(class.0)
                .bind(number)
                .bind(line.student_id.0)
                .bind(year.0)
                .bind(run_id)
                .bind(*position as i64)
                .bind(i64::from(line.complete))
                .bind(line.learning_result(semester).map(str::to_owned))
                .bind(line.training_result(semester).map(str::to_owned))
                .bind(line.award.clone())
                .bind(line.promotion.clone())
                .bind(serde_json::to_string(line).unwrap_or_default());
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

fn header_of(
    computed: &Computed,
    semester: Semester,
    year: SchoolYearId,
    closure: Option<TermClosure>,
) -> SummaryHeader {
    SummaryHeader {
        class_id: computed.class,
        class_name: computed.class_name.clone(),
        grade: computed.grade,
        semester,
        school_year_id: year,
        run_id: None,
        computed_at: None,
        computed_by: None,
        counts: computed.counts.clone(),
        note: computed.note.clone(),
        closure,
    }
}

fn summary_columns(loaded: &Loaded, grade: Grade) -> Vec<SummaryColumn> {
    loaded
        .subjects
        .get(&grade.value())
        .map(|list| {
            list.iter()
                .map(|s| SummaryColumn {
                    subject_id: s.id,
                    name: s.name.clone(),
                    mode: s.mode,
                })
                .collect()
        })
        .unwrap_or_default()
}

impl Store {
    /// Computes and stores the summary of `semester` for one class (`class`)
    /// or every class of the school year, in one transaction with its audit
    /// entry: all or nothing.
    pub async fn compute_summary(
        &self,
        actor: &Actor,
        school: SchoolId,
        year: SchoolYearId,
        class: Option<ClassId>,
        semester: Semester,
    ) -> Result<SummaryRun> {
        let mut tx = self.begin().await?;
        let loaded = load(&mut tx, self.dialect, school, year, class, semester).await?;
        if let Some(class) = class
            && loaded.classes.is_empty()
        {
            return Err(StoreError::NotFound(format!(
                "lớp mã {class} trong năm học này"
            )));
        }
        let mut computed = compute(&loaded, semester);
        if class.is_none() {
            // A school summary covers the classes that have students.
            computed.retain(|c| loaded.students.contains_key(&c.class));
        }
        let run_id = new_id();
        write_summary(
            &mut tx,
            school,
            year,
            class,
            semester,
            run_id,
            &actor.name,
            &computed,
        )
        .await?;
        let run = SummaryRun {
            run_id,
            semester,
            classes: computed.iter().filter(|c| c.note.is_none()).count(),
            students: computed.iter().map(|c| c.counts.students).sum(),
            complete: computed.iter().map(|c| c.counts.complete).sum(),
            not_summarised: computed
                .iter()
                .filter_map(|c| c.note.clone().map(|n| (c.class, c.class_name.clone(), n)))
                .collect(),
        };
        let scope = match (class, computed.first()) {
            (Some(_), Some(c)) => format!("lớp {}", c.class_name),
            _ => format!("toàn trường ({} lớp)", run.classes),
        };
        audit::record(
            &mut tx,
            actor,
            Change {
                unit: school.into(),
                action: "compute",
                entity: "summary",
                entity_id: class.map(|c| c.0),
                summary: format!(
                    "Tổng kết {} {scope}: {} học sinh, {} đủ kết quả",
                    semester.label(),
                    run.students,
                    run.complete
                ),
                before: None,
                after: serde_json::to_string(&run).ok(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(run)
    }

    /// The summary of a class: the stored one, or (when none is stored yet)
    /// one computed now from the gradebook without saving it.
    pub async fn class_summary(
        &self,
        school: SchoolId,
        class: ClassId,
        semester: Semester,
    ) -> Result<ClassSummary> {
        let row = self.class(school, class).await?;
        let mut conn = self.pool.acquire().await?;
        let closure = load_closure(&mut *conn, school, class, semester).await?;
        let header = sqlx::query(
            "SELECT run_id, computed_at, computed_by, counts, note FROM term_summary
             WHERE school_id = $1 AND class_id = $2 AND semester = $3",
        )
        .bind(school.0)
        .bind(class.0)
        .bind(i64::from(semester.number()))
        .fetch_optional(&mut *conn)
        .await?;
        let start: i64 = sqlx::query_scalar(
            "SELECT start_year FROM school_year WHERE school_id = $1 AND id = $2",
        )
        .bind(school.0)
        .bind(row.school_year_id.0)
        .fetch_one(&mut *conn)
        .await?;
        let school_year = SchoolYear {
            start_year: u16::try_from(start).unwrap_or(0),
        }
        .label();
        if let Some(header) = header {
            let lines = sqlx::query(
                "SELECT detail FROM term_summary_line
                 WHERE school_id = $1 AND class_id = $2 AND semester = $3 ORDER BY position",
            )
            .bind(school.0)
            .bind(class.0)
            .bind(i64::from(semester.number()))
            .fetch_all(&mut *conn)
            .await?;
            let lines = lines
                .iter()
                .map(|r| {
                    let detail: String = r.try_get("detail")?;
                    serde_json::from_str::<StudentSummary>(&detail).map_err(|e| {
                        StoreError::Refused(format!("Bảng tổng kết đã lưu không đọc được: {e}"))
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            let counts: String = header.try_get("counts")?;
            let subjects = lines
                .first()
                .map(|l| {
                    l.subjects
                        .iter()
                        .map(|s| SummaryColumn {
                            subject_id: s.subject_id,
                            name: s.name.clone(),
                            mode: s.mode,
                        })
                        .collect()
                })
                .unwrap_or_default();
            return Ok(ClassSummary {
                header: SummaryHeader {
                    class_id: class,
                    class_name: row.name.clone(),
                    grade: row.grade,
                    semester,
                    school_year_id: row.school_year_id,
                    run_id: Some(header.try_get("run_id")?),
                    computed_at: Some(header.try_get("computed_at")?),
                    computed_by: Some(header.try_get("computed_by")?),
                    counts: serde_json::from_str(&counts).unwrap_or_default(),
                    note: header.try_get("note")?,
                    closure,
                },
                stored: true,
                subjects,
                homeroom: row.homeroom_name,
                school_year,
                lines,
            });
        }
        let loaded = load(
            &mut conn,
            self.dialect,
            school,
            row.school_year_id,
            Some(class),
            semester,
        )
        .await?;
        let mut computed = compute(&loaded, semester);
        let computed = computed
            .pop()
            .ok_or_else(|| StoreError::NotFound(format!("lớp mã {class}")))?;
        Ok(ClassSummary {
            header: header_of(&computed, semester, row.school_year_id, closure),
            stored: false,
            subjects: summary_columns(&loaded, row.grade),
            homeroom: row.homeroom_name,
            school_year: loaded.school_year.clone(),
            lines: computed.lines,
        })
    }

    /// The stored summary headers of every class of a school year (with the
    /// closing of each), and the classes not summarised yet.
    pub async fn school_summary(
        &self,
        school: SchoolId,
        year: SchoolYearId,
        semester: Semester,
    ) -> Result<Vec<SummaryHeader>> {
        let classes = self.classes(school, year).await?;
        let number = i64::from(semester.number());
        let headers = sqlx::query(
            "SELECT class_id, run_id, computed_at, computed_by, counts, note FROM term_summary
             WHERE school_id = $1 AND school_year_id = $2 AND semester = $3",
        )
        .bind(school.0)
        .bind(year.0)
        .bind(number)
        .fetch_all(&self.pool)
        .await?;
        let mut by_class = HashMap::new();
        for row in &headers {
            by_class.insert(ClassId(row.try_get("class_id")?), row);
        }
        let closures = sqlx::query(
            "SELECT class_id, closed, closed_at, closed_by, reopened_at, reopened_by, reopen_reason FROM term_closure
             WHERE school_id = $1 AND school_year_id = $2 AND semester = $3",
        )
        .bind(school.0)
        .bind(year.0)
        .bind(number)
        .fetch_all(&self.pool)
        .await?;
        let mut closure_of = HashMap::new();
        for row in &closures {
            closure_of.insert(ClassId(row.try_get("class_id")?), closure_from(row)?);
        }
        let mut list = Vec::with_capacity(classes.len());
        for class in classes {
            let header = by_class.get(&class.id);
            let counts: Option<String> = header.map(|h| h.try_get("counts")).transpose()?;
            list.push(SummaryHeader {
                class_id: class.id,
                class_name: class.name,
                grade: class.grade,
                semester,
                school_year_id: year,
                run_id: header.map(|h| h.try_get("run_id")).transpose()?,
                computed_at: header.map(|h| h.try_get("computed_at")).transpose()?,
                computed_by: header.map(|h| h.try_get("computed_by")).transpose()?,
                counts: counts
                    .and_then(|c| serde_json::from_str(&c).ok())
                    .unwrap_or_default(),
                note: header
                    .map(|h| h.try_get::<Option<String>, _>("note"))
                    .transpose()?
                    .flatten(),
                closure: closure_of.remove(&class.id),
            });
        }
        list.sort_by(|a, b| {
            a.grade
                .value()
                .cmp(&b.grade.value())
                .then_with(|| hocba_text::collator().compare(&a.class_name, &b.class_name))
        });
        Ok(list)
    }

    /// Whether the book of a class × semester is closed (khóa sổ): later
    /// modules (transcripts) require it.
    pub async fn is_term_closed(
        &self,
        school: SchoolId,
        class: ClassId,
        semester: Semester,
    ) -> Result<bool> {
        Ok(load_closure(&self.pool, school, class, semester)
            .await?
            .is_some_and(|c| c.closed))
    }

    pub async fn term_closure(
        &self,
        school: SchoolId,
        class: ClassId,
        semester: Semester,
    ) -> Result<Option<TermClosure>> {
        load_closure(&self.pool, school, class, semester).await
    }

    /// Xác nhận hoàn thành tổng kết, khóa sổ: computes the class's summary
    /// inside the transaction, refuses (saying who is not decided and why)
    /// unless every line is complete, then stores the summary and closes the
    /// book, with the audit entry. From then on the class's cells and
    /// conduct of the semester are refused.
    pub async fn close_term(
        &self,
        actor: &Actor,
        school: SchoolId,
        class: ClassId,
        semester: Semester,
    ) -> Result<CloseOutcome> {
        let row = self.class(school, class).await?;
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE class SET version = version WHERE school_id = $1 AND id = $2")
            .bind(school.0)
            .bind(class.0)
            .execute(&mut *tx)
            .await?;
        let existing = load_closure(&mut *tx, school, class, semester).await?;
        if let Some(closure) = existing.as_ref().filter(|c| c.closed) {
            return Ok(CloseOutcome::Refused(format!(
                "Lớp {} đã khóa sổ {} ({} lúc {}). Muốn sửa, hãy đề nghị quản trị viên mở lại sổ.",
                row.name,
                semester.label(),
                closure.closed_by,
                hocba_domain::date::vietnam_time(closure.closed_at)
            )));
        }
        let loaded = load(
            &mut tx,
            self.dialect,
            school,
            row.school_year_id,
            Some(class),
            semester,
        )
        .await?;
        let computed = compute(&loaded, semester);
        let Some(this) = computed.first() else {
            return Err(StoreError::NotFound(format!("lớp mã {class}")));
        };
        if let Some(note) = &this.note {
            return Ok(CloseOutcome::Refused(note.clone()));
        }
        if let Err(why) = summary::check_close(&row.name, semester, &this.lines) {
            return Ok(CloseOutcome::Refused(why));
        }
        let run_id = new_id();
        write_summary(
            &mut tx,
            school,
            row.school_year_id,
            Some(class),
            semester,
            run_id,
            &actor.name,
            &computed,
        )
        .await?;
        let now = now_millis();
        let number = i64::from(semester.number());
        if existing.is_some() {
            sqlx::query(
                "UPDATE term_closure SET closed = 1, closed_at = $1, closed_by = $2, version = version + 1
                 WHERE school_id = $3 AND class_id = $4 AND semester = $5",
            )
            .bind(now)
            .bind(&actor.name)
            .bind(school.0)
            .bind(class.0)
            .bind(number)
            .execute(&mut *tx)
            .await?;
        } else {
            sqlx::query(
                "INSERT INTO term_closure (school_id, class_id, semester, school_year_id, closed, closed_at, closed_by, version)
                 VALUES ($1, $2, $3, $4, 1, $5, $6, 1)",
            )
            .bind(school.0)
            .bind(class.0)
            .bind(number)
            .bind(row.school_year_id.0)
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
                action: "close_term",
                entity: "class",
                entity_id: Some(class.0),
                summary: format!(
                    "Xác nhận hoàn thành tổng kết {} lớp {}, khóa sổ ({} học sinh)",
                    semester.label(),
                    row.name,
                    this.counts.students
                ),
                before: None,
                after: serde_json::to_string(&this.counts).ok(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(CloseOutcome::Closed(TermClosure {
            closed: true,
            closed_at: now,
            closed_by: actor.name.clone(),
            reopened_at: existing.as_ref().and_then(|c| c.reopened_at),
            reopened_by: existing.as_ref().and_then(|c| c.reopened_by.clone()),
            reopen_reason: existing.and_then(|c| c.reopen_reason),
        }))
    }

    /// An administrator reopens a closed book, with a reason (audited).
    pub async fn reopen_term(
        &self,
        actor: &Actor,
        school: SchoolId,
        class: ClassId,
        semester: Semester,
        reason: &str,
    ) -> Result<TermClosure> {
        let reason = summary::check_reopen_reason(reason).map_err(StoreError::Refused)?;
        let row = self.class(school, class).await?;
        let mut tx = self.begin().await?;
        let Some(closure) = load_closure(&mut *tx, school, class, semester)
            .await?
            .filter(|c| c.closed)
        else {
            return Err(StoreError::Refused(format!(
                "Lớp {} chưa khóa sổ {} nên không cần mở lại.",
                row.name,
                semester.label()
            )));
        };
        let now = now_millis();
        sqlx::query(
            "UPDATE term_closure SET closed = 0, reopened_at = $1, reopened_by = $2, reopen_reason = $3,
                version = version + 1
             WHERE school_id = $4 AND class_id = $5 AND semester = $6",
        )
        .bind(now)
        .bind(&actor.name)
        .bind(&reason)
        .bind(school.0)
        .bind(class.0)
        .bind(i64::from(semester.number()))
        .execute(&mut *tx)
        .await?;
        audit::record(
            &mut tx,
            actor,
            Change {
                unit: school.into(),
                action: "reopen_term",
                entity: "class",
                entity_id: Some(class.0),
                summary: format!(
                    "Mở lại sổ {} lớp {} (đã khóa bởi {} lúc {}) — lý do: {reason}",
                    semester.label(),
                    row.name,
                    closure.closed_by,
                    hocba_domain::date::vietnam_time(closure.closed_at)
                ),
                before: serde_json::to_string(&closure).ok(),
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(TermClosure {
            closed: false,
            reopened_at: Some(now),
            reopened_by: Some(actor.name.clone()),
            reopen_reason: Some(reason),
            ..closure
        })
    }

    /// The promotion list of a school year: every stored line of the year's
    /// summary (semester II), by class, with the decision and its results.
    pub async fn promotion_list(
        &self,
        school: SchoolId,
        year: SchoolYearId,
    ) -> Result<Vec<PromotionRow>> {
        let rows = sqlx::query(
            "SELECT l.class_id, c.name AS class_name, l.student_id, l.complete, l.learning, l.training,
                    l.award, l.promotion, l.detail, l.position
             FROM term_summary_line l
             JOIN class c ON c.school_id = l.school_id AND c.id = l.class_id
             WHERE l.school_id = $1 AND l.school_year_id = $2 AND l.semester = 2",
        )
        .bind(school.0)
        .bind(year.0)
        .fetch_all(&self.pool)
        .await?;
        let mut list = Vec::with_capacity(rows.len());
        for row in &rows {
            let detail: String = row.try_get("detail")?;
            let line: Option<StudentSummary> = serde_json::from_str(&detail).ok();
            let promotion: Option<String> = row.try_get("promotion")?;
            let complete: i64 = row.try_get("complete")?;
            let position: i64 = row.try_get("position")?;
            list.push((
                position,
                PromotionRow {
                    class_id: ClassId(row.try_get("class_id")?),
                    class_name: row.try_get("class_name")?,
                    student_id: StudentId(row.try_get("student_id")?),
                    full_name: line
                        .as_ref()
                        .map(|l| l.full_name.clone())
                        .unwrap_or_default(),
                    promotion_label: promotion
                        .as_deref()
                        .and_then(summary::promotion_label)
                        .map(str::to_owned),
                    promotion,
                    learning: row.try_get("learning")?,
                    training: row.try_get("training")?,
                    award: row.try_get("award")?,
                    retest_subjects: line.map(|l| l.retest_subjects).unwrap_or_default(),
                    complete: complete != 0,
                },
            ));
        }
        let collator = hocba_text::collator();
        list.sort_by(|(pa, a), (pb, b)| {
            collator
                .compare(&a.class_name, &b.class_name)
                .then_with(|| pa.cmp(pb))
        });
        Ok(list.into_iter().map(|(_, row)| row).collect())
    }

    /// Checks that a student studies in the class this year and returns the
    /// year, the student's name and the class's name.
    async fn student_of_class(
        &self,
        conn: &mut AnyConnection,
        school: SchoolId,
        class: ClassId,
        student: StudentId,
    ) -> Result<(SchoolYearId, String, String)> {
        let row = sqlx::query(
            "SELECT e.school_year_id, s.full_name, c.name AS class_name FROM enrolment e
             JOIN student s ON s.school_id = e.school_id AND s.id = e.student_id
             JOIN class c ON c.school_id = e.school_id AND c.id = e.class_id
             WHERE e.school_id = $1 AND e.class_id = $2 AND e.student_id = $3 AND e.status = 'studying'",
        )
        .bind(school.0)
        .bind(class.0)
        .bind(student.0)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::NotFound("học sinh đang học trong lớp này".into()))?;
        Ok((
            SchoolYearId(row.try_get("school_year_id")?),
            row.try_get::<Option<String>, _>("full_name")?
                .unwrap_or_default(),
            row.try_get("class_name")?,
        ))
    }

    /// Số buổi nghỉ and the training result after summer training of one
    /// student of the class (the homeroom teacher). Absences are refused
    /// once the semester II book is closed; the summer result comes after
    /// the year and is not.
    pub async fn save_year_record(
        &self,
        actor: &Actor,
        school: SchoolId,
        class: ClassId,
        student: StudentId,
        edit: &YearRecordEdit,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let (year, name, class_name) = self
            .student_of_class(&mut tx, school, class, student)
            .await?;
        let old = sqlx::query(
            "SELECT absences, summer_training FROM year_record
             WHERE school_id = $1 AND student_id = $2 AND school_year_id = $3",
        )
        .bind(school.0)
        .bind(student.0)
        .bind(year.0)
        .fetch_optional(&mut *tx)
        .await?;
        let old_absences: Option<i64> = old
            .as_ref()
            .map(|r| r.try_get("absences"))
            .transpose()?
            .flatten();
        let new_absences = edit.absences.map(i64::from);
        if old_absences != new_absences {
            let place = Place {
                class_name: class_name.clone(),
                subject_name: "Số buổi nghỉ".into(),
                grade: 0,
                semester: Semester::S2,
            };
            if let Some(refusal) = closed_refusal(&mut tx, school, class, &place).await? {
                return Err(StoreError::Refused(refusal.to_string()));
            }
        }
        let summer = edit
            .summer_training
            .map(hocba_domain::gradebook::training_label);
        let now = now_millis();
        if old.is_some() {
            sqlx::query(
                "UPDATE year_record SET absences = $1, summer_training = $2, version = version + 1,
                    updated_at = $3, updated_by = $4
                 WHERE school_id = $5 AND student_id = $6 AND school_year_id = $7",
            )
            .bind(new_absences)
            .bind(summer)
            .bind(now)
            .bind(&actor.name)
            .bind(school.0)
            .bind(student.0)
            .bind(year.0)
            .execute(&mut *tx)
            .await?;
        } else {
            sqlx::query(
                "INSERT INTO year_record (school_id, student_id, school_year_id, absences, summer_training, version, updated_at, updated_by)
                 VALUES ($1, $2, $3, $4, $5, 1, $6, $7)",
            )
            .bind(school.0)
            .bind(student.0)
            .bind(year.0)
            .bind(new_absences)
            .bind(summer)
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
                entity: "year_record",
                entity_id: Some(student.0),
                summary: format!("Số buổi nghỉ, rèn luyện trong hè của {name} (lớp {class_name})"),
                before: None,
                after: serde_json::to_string(
                    &serde_json::json!({"absences": new_absences, "summer_training": summer}),
                )
                .ok(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Kiểm tra lại (retest) results or transferred-in averages of one
    /// student: `(subject, value)`, an empty value clears it. Values are
    /// checked against each subject's mode; all or nothing.
    /// `semester`: `None` for retests; `Some` for the averages a
    /// transferred-in student brings (refused once that book is closed).
    #[allow(clippy::too_many_arguments)]
    pub async fn save_student_values(
        &self,
        actor: &Actor,
        school: SchoolId,
        class: ClassId,
        student: StudentId,
        semester: Option<Semester>,
        from_school: Option<&str>,
        values: &[(SubjectId, String)],
    ) -> Result<usize> {
        let mut tx = self.begin().await?;
        let (year, name, class_name) = self
            .student_of_class(&mut tx, school, class, student)
            .await?;
        if let Some(semester) = semester {
            let place = Place {
                class_name: class_name.clone(),
                subject_name: "Điểm trung bình mang từ trường cũ".into(),
                grade: 0,
                semester,
            };
            if let Some(refusal) = closed_refusal(&mut tx, school, class, &place).await? {
                return Err(StoreError::Refused(refusal.to_string()));
            }
        }
        let subjects = sqlx::query(
            "SELECT s.id, s.name, s.mode FROM subject s
             JOIN class c ON c.school_id = s.school_id AND c.school_year_id = s.school_year_id AND c.grade = s.grade
             WHERE s.school_id = $1 AND c.id = $2",
        )
        .bind(school.0)
        .bind(class.0)
        .fetch_all(&mut *tx)
        .await?;
        let mut known = HashMap::new();
        for row in &subjects {
            let mode: String = row.try_get("mode")?;
            known.insert(
                SubjectId(row.try_get("id")?),
                (
                    row.try_get::<String, _>("name")?,
                    SubjectMode::from_code(&mode).unwrap_or(SubjectMode::Scored),
                ),
            );
        }
        let mut problems = Vec::new();
        let mut planned = Vec::new();
        for (subject, text) in values {
            let Some((subject_name, mode)) = known.get(subject) else {
                problems.push(format!(
                    "Môn mã {subject} không thuộc chương trình của lớp {class_name}."
                ));
                continue;
            };
            match CellValue::parse(text)
                .and_then(|v| v.map(|v| v.fits(*mode, subject_name)).transpose())
            {
                Ok(Some(CellValue::Exempt)) if semester.is_none() => problems.push(format!(
                    "Môn {subject_name}: kiểm tra lại không ghi M (miễn)."
                )),
                Ok(value) => planned.push((*subject, value)),
                Err(error) => problems.push(format!("Môn {subject_name}: {}", error.0)),
            }
        }
        if !problems.is_empty() {
            return Err(StoreError::Refused(format!(
                "{} Chưa có gì được lưu; hãy sửa rồi lưu lại.",
                problems.join(" ")
            )));
        }
        let now = now_millis();
        let (table, extra_key) = match semester {
            None => ("retest_score", None),
            Some(s) => ("transfer_average", Some(i64::from(s.number()))),
        };
        for (subject, value) in &planned {
            let semester_filter = if extra_key.is_some() {
                " AND semester = $4"
            } else {
                " AND $4 IS NULL"
            };
            sqlx::query(static_sql(format!(
                "DELETE FROM {table} WHERE school_id = $1 AND student_id = $2 AND subject_id = $3{semester_filter}"
            )))
            .bind(school.0)
            .bind(student.0)
            .bind(subject.0)
            .bind(extra_key)
            .execute(&mut *tx)
            .await?;
            let Some(value) = value else { continue };
            match extra_key {
                None => {
                    sqlx::query(
                        "INSERT INTO retest_score (school_id, student_id, subject_id, school_year_id, tenths, mark, updated_at, updated_by)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    )
                    .bind(school.0)
                    .bind(student.0)
                    .bind(subject.0)
                    .bind(year.0)
                    .bind(value.tenths())
                    .bind(value.mark())
                    .bind(now)
                    .bind(&actor.name)
                    .execute(&mut *tx)
                    .await?;
                }
                Some(number) => {
                    sqlx::query(
                        "INSERT INTO transfer_average (school_id, student_id, subject_id, semester, school_year_id, tenths, mark,
                            from_school, updated_at, updated_by)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                    )
                    .bind(school.0)
                    .bind(student.0)
                    .bind(subject.0)
                    .bind(number)
                    .bind(year.0)
                    .bind(value.tenths())
                    .bind(value.mark())
                    .bind(from_school.map(hocba_text::clean_input))
                    .bind(now)
                    .bind(&actor.name)
                    .execute(&mut *tx)
                    .await?;
                }
            }
        }
        let what = match semester {
            None => "Kết quả kiểm tra lại".to_owned(),
            Some(s) => format!("Điểm trung bình {} mang từ trường cũ", s.label()),
        };
        let after: Vec<serde_json::Value> = planned
            .iter()
            .map(|(s, v)| serde_json::json!({"subject_id": s, "value": v.map(CellValue::code)}))
            .collect();
        audit::record(
            &mut tx,
            actor,
            Change {
                unit: school.into(),
                action: "update",
                entity: table,
                entity_id: Some(student.0),
                summary: format!(
                    "{what} của {name} (lớp {class_name}): {} môn",
                    planned.len()
                ),
                before: None,
                after: serde_json::to_string(&after).ok(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(planned.len())
    }

    /// Grade-entry progress of a semester: for each class × subject with a
    /// column plan or a teaching assignment, the cells filled of the cells
    /// declared (columns × studying students), with totals per class and
    /// per teacher. Five queries whatever the school's size.
    pub async fn progress(
        &self,
        school: SchoolId,
        year: SchoolYearId,
        semester: Semester,
    ) -> Result<Progress> {
        let number = i64::from(semester.number());
        let classes = self.classes(school, year).await?;
        let subjects = self.subjects(school, year, None).await?;
        let plans = sqlx::query(
            "SELECT class_id, subject_id, regular_columns, midterm_columns, final_columns FROM column_plan
             WHERE school_id = $1 AND school_year_id = $2 AND semester = $3",
        )
        .bind(school.0)
        .bind(year.0)
        .bind(number)
        .fetch_all(&self.pool)
        .await?;
        let filled = sqlx::query(
            "SELECT e.class_id, g.subject_id, g.column_key, COUNT(*) AS filled FROM gradebook_cell g
             JOIN enrolment e ON e.school_id = g.school_id AND e.student_id = g.student_id
                              AND e.school_year_id = g.school_year_id
             WHERE g.school_id = $1 AND g.school_year_id = $2 AND g.semester = $3 AND e.status = 'studying'
               AND (g.tenths IS NOT NULL OR g.mark IS NOT NULL)
             GROUP BY e.class_id, g.subject_id, g.column_key",
        )
        .bind(school.0)
        .bind(year.0)
        .bind(number)
        .fetch_all(&self.pool)
        .await?;
        let teachers = sqlx::query(
            "SELECT a.class_id, a.subject_id, a.staff_id, t.full_name FROM teaching_assignment a
             JOIN staff t ON t.school_id = a.school_id AND t.id = a.staff_id
             WHERE a.school_id = $1 AND a.school_year_id = $2 AND a.semester = $3",
        )
        .bind(school.0)
        .bind(year.0)
        .bind(number)
        .fetch_all(&self.pool)
        .await?;
        let mut plan_of: HashMap<(i64, i64), hocba_domain::gradebook::ColumnPlan> = HashMap::new();
        for row in &plans {
            let regular: i64 = row.try_get("regular_columns")?;
            let midterm: i64 = row.try_get("midterm_columns")?;
            let end: i64 = row.try_get("final_columns")?;
            plan_of.insert(
                (row.try_get("class_id")?, row.try_get("subject_id")?),
                hocba_domain::gradebook::ColumnPlan {
                    regular: u8::try_from(regular).unwrap_or(0),
                    midterm: u8::try_from(midterm).unwrap_or(0),
                    end_of_term: u8::try_from(end).unwrap_or(0),
                },
            );
        }
        let mut filled_of: HashMap<(i64, i64), i64> = HashMap::new();
        for row in &filled {
            let key = (row.try_get("class_id")?, row.try_get("subject_id")?);
            let column: String = row.try_get("column_key")?;
            let count: i64 = row.try_get("filled")?;
            let counted = match (Column::parse(&column), plan_of.get(&key)) {
                (Ok(column), Some(plan)) => plan.contains(column),
                _ => false,
            };
            if counted {
                *filled_of.entry(key).or_default() += count;
            }
        }
        let mut teacher_of: HashMap<(i64, i64), (StaffId, String)> = HashMap::new();
        for row in &teachers {
            teacher_of.insert(
                (row.try_get("class_id")?, row.try_get("subject_id")?),
                (
                    StaffId(row.try_get("staff_id")?),
                    row.try_get::<Option<String>, _>("full_name")?
                        .unwrap_or_default(),
                ),
            );
        }
        let mut books = Vec::new();
        for class in &classes {
            for subject in subjects.iter().filter(|s| s.grade == class.grade) {
                let key = (class.id.0, subject.id.0);
                let plan = plan_of.get(&key);
                let teacher = teacher_of.get(&key).cloned();
                if plan.is_none() && teacher.is_none() {
                    continue;
                }
                let columns = plan.map_or(0, |p| p.columns().len() as i64);
                books.push(ProgressRow {
                    class_id: class.id,
                    class_name: class.name.clone(),
                    subject_id: subject.id,
                    subject_name: subject.name.clone(),
                    teacher,
                    plan_declared: plan.is_some(),
                    declared: columns * class.student_count,
                    filled: filled_of.get(&key).copied().unwrap_or(0),
                });
            }
        }
        let mut by_class: Vec<ProgressTotal> = Vec::new();
        let mut by_teacher: Vec<ProgressTotal> = Vec::new();
        for book in &books {
            let add = |list: &mut Vec<ProgressTotal>, id: Option<i64>, name: &str| match list
                .iter_mut()
                .find(|t| t.id == id)
            {
                Some(total) => {
                    total.books += 1;
                    total.declared += book.declared;
                    total.filled += book.filled;
                }
                None => list.push(ProgressTotal {
                    id,
                    name: name.to_owned(),
                    books: 1,
                    declared: book.declared,
                    filled: book.filled,
                }),
            };
            add(&mut by_class, Some(book.class_id.0), &book.class_name);
            match &book.teacher {
                Some((staff, name)) => add(&mut by_teacher, Some(staff.0), name),
                None => add(&mut by_teacher, None, "(chưa phân công)"),
            }
        }
        let collator = hocba_text::collator();
        by_teacher.sort_by(|a, b| collator.compare_person_names(&a.name, &b.name));
        Ok(Progress {
            semester,
            books,
            by_class,
            by_teacher,
        })
    }
}
