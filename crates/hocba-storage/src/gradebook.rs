//! The gradebook: column plans, entry windows, column locks, cells with
//! optimistic versions and their audit trail, conduct and homeroom comments.
//!
//! The rules are `hocba_domain::gradebook`'s; this module reads the facts
//! they need (plan, windows, lock, assignment, current cell) inside the
//! writing transaction, so that a lock placed or a window closed while a
//! teacher types is honoured, and writes the change with its trail row in
//! the same transaction. A class × subject grid is loaded in a fixed number
//! of queries, whatever the number of students.

use crate::audit::{self, Change};
use crate::{
    Actor, Result, Store, StoreError, StudentFilter, grade_of, new_id, now_millis, static_sql,
};
use hocba_domain::curriculum::SubjectMode;
use hocba_domain::gradebook::{
    self, CellValue, Channel, Column, ColumnLock, ColumnPlan, Entrant, EntryRefusal, EntryWindow,
    Exemptible, Override, Place, PlanSubject, Regime, Semester, SubjectValue, TeachingAssignment,
    TrainingResult, WindowState,
};
use hocba_domain::school::SchoolYear;
use hocba_domain::student::EnrolmentStatus;
use hocba_domain::{ClassId, Grade, SchoolId, SchoolYearId, StaffId, StudentId, SubjectId};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, Executor, Row};
use std::collections::HashMap;

/// Who writes, as the entry rules see them. The web decides `admin` from the
/// access policy; `staff` is matched against the teaching assignment (or
/// the homeroom assignment, for conduct).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Writer {
    pub staff: Option<StaffId>,
    pub admin: bool,
    /// An administrator asks to write outside a window or in a locked column.
    pub override_requested: bool,
}

/// A class × subject (× semester) with what its plan needs.
#[derive(Debug, Clone, Serialize)]
pub struct GradebookSubject {
    pub class_id: ClassId,
    pub class_name: String,
    pub grade: Grade,
    pub school_year_id: SchoolYearId,
    pub school_year: String,
    pub subject_id: SubjectId,
    pub subject_name: String,
    pub mode: SubjectMode,
    pub periods_per_year: i64,
    /// TT22 or TT58; `None` with `no_gradebook` for primary classes.
    pub regime: Option<Regime>,
    pub no_gradebook: Option<String>,
    pub required_regular: u8,
    pub default_plan: ColumnPlan,
}

impl GradebookSubject {
    fn plan_subject(&self) -> PlanSubject {
        PlanSubject {
            name: self.subject_name.clone(),
            mode: self.mode,
            periods_per_year: u16::try_from(self.periods_per_year).unwrap_or(u16::MAX),
        }
    }

    pub fn place(&self, semester: Semester) -> Place {
        Place {
            class_name: self.class_name.clone(),
            subject_name: self.subject_name.clone(),
            grade: self.grade.value(),
            semester,
        }
    }

    /// Why the class has no gradebook (primary), if it has none.
    fn no_gradebook_refusal(&self) -> Option<EntryRefusal> {
        self.regime.is_none().then(|| EntryRefusal::NoGradebook {
            message: self.no_gradebook.clone().unwrap_or_default(),
        })
    }
}

/// One line of the plan list: declared or not, per class × subject × semester.
#[derive(Debug, Clone, Serialize)]
pub struct PlanRow {
    pub class_id: ClassId,
    pub class_name: String,
    pub grade: Grade,
    pub subject_id: SubjectId,
    pub subject_name: String,
    pub mode: SubjectMode,
    pub periods_per_year: i64,
    pub semester: Semester,
    /// `declared`, `not_declared`, or `not_applicable` (primary classes).
    pub status: &'static str,
    pub plan: Option<ColumnPlan>,
    pub version: Option<i64>,
    pub default_plan: Option<ColumnPlan>,
    pub required_regular: Option<u8>,
    /// Why there is no plan to declare (primary), or what to do.
    pub note: Option<String>,
}

/// A cell as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CellState {
    pub column: Column,
    /// "8.5", "Đ", "CĐ", "M"; `None` once cleared.
    pub value: Option<String>,
    pub missed_make_up: bool,
    pub synced: bool,
    pub version: i64,
    pub updated_at: i64,
    pub updated_by: String,
}

impl CellState {
    fn cell_value(&self) -> Option<CellValue> {
        self.value
            .as_deref()
            .and_then(|code| CellValue::parse(code).ok().flatten())
    }
}

/// A column of the grid with its lock.
#[derive(Debug, Clone, Serialize)]
pub struct GridColumn {
    pub column: Column,
    pub label: String,
    pub lock: Option<ColumnLock>,
}

/// A semester value, or why it cannot be computed yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Average {
    /// "7.8", "Đ", "CĐ", "M".
    pub value: Option<String>,
    pub missing: Option<String>,
}

impl Average {
    fn from(result: std::result::Result<Exemptible<SubjectValue>, String>) -> Average {
        match result {
            Ok(value) => Average {
                value: Some(gradebook::value_code(&value)),
                missing: None,
            },
            Err(why) => Average {
                value: None,
                missing: Some(why),
            },
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct GridStudent {
    pub id: StudentId,
    pub full_name: String,
    pub birth_date: String,
    pub status: EnrolmentStatus,
    pub cells: Vec<CellState>,
    pub average: Average,
    /// In học kỳ II: the year value (ĐTBmcn, TT22 Điều 9 khoản 1).
    pub year: Option<Average>,
}

/// A class × subject × semester gradebook as the grid shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Gradebook {
    pub subject: GradebookSubject,
    pub semester: Semester,
    pub plan: Option<ColumnPlan>,
    pub plan_version: Option<i64>,
    pub columns: Vec<GridColumn>,
    pub window: WindowState,
    /// The teacher assigned to the class × subject × semester.
    pub teacher: Option<(StaffId, String)>,
    /// Students studying in the class, in Vietnamese order.
    pub students: Vec<GridStudent>,
}

/// One cell to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellEdit {
    pub student: StudentId,
    pub column: Column,
    /// What was typed: "8,5", "Đ", "M"; empty clears the cell.
    pub value: String,
    pub missed_make_up: bool,
    /// The version the writer saw; `None` (or 0) for a cell never written.
    pub expected_version: Option<i64>,
}

/// A written (or unchanged) cell.
#[derive(Debug, Clone, Serialize)]
pub struct SavedCell {
    pub student_id: StudentId,
    pub column: Column,
    pub value: Option<String>,
    pub missed_make_up: bool,
    pub version: i64,
    /// False when the value was already there (nothing written).
    pub changed: bool,
    pub overrides: Vec<Override>,
}

/// Why one cell of a batch was refused.
#[derive(Debug, Clone)]
pub enum CellProblem {
    Refused(EntryRefusal),
    /// Someone saved the cell after the writer read it.
    Stale(Option<CellState>),
    Invalid(String),
    /// Not a student studying in the class this year.
    UnknownStudent,
}

#[derive(Debug, Clone)]
pub struct RejectedCell {
    /// Position in the request.
    pub index: usize,
    pub student_id: StudentId,
    pub student_name: Option<String>,
    pub column: Column,
    pub problem: CellProblem,
}

impl RejectedCell {
    /// A sentence naming the student and the column.
    pub fn message(&self) -> String {
        let who = self
            .student_name
            .clone()
            .unwrap_or_else(|| format!("Học sinh mã {}", self.student_id));
        let column = self.column.label();
        match &self.problem {
            CellProblem::Refused(refusal) => format!("{who}, cột {column}: {refusal}"),
            CellProblem::Invalid(message) => format!("{who}, cột {column}: {message}"),
            CellProblem::UnknownStudent => format!(
                "{who}, cột {column}: học sinh này không đang học ở lớp này trong năm học; hãy tải lại sổ điểm."
            ),
            CellProblem::Stale(current) => stale_message(&who, self.column, current.as_ref()),
        }
    }
}

/// "Điểm ĐĐGtx 2 của … vừa được … sửa thành 7,5 lúc …; điểm của bạn chưa được lưu."
pub fn stale_message(who: &str, column: Column, current: Option<&CellState>) -> String {
    match current {
        Some(cell) => {
            let value = match cell.cell_value() {
                Some(value) => format!("sửa thành {}", value.display()),
                None => "xóa".into(),
            };
            format!(
                "Điểm {} của {who} vừa được {} {value} lúc {}; điểm của bạn chưa được lưu. Hãy xem giá trị mới rồi nhập lại nếu cần.",
                column.label(),
                cell.updated_by,
                hocba_domain::date::vietnam_time(cell.updated_at)
            )
        }
        None => format!(
            "Điểm {} của {who} đã thay đổi sau khi bạn mở sổ điểm; điểm của bạn chưa được lưu. Hãy tải lại sổ điểm.",
            column.label()
        ),
    }
}

/// The answer to a write of cells: all written, or nothing.
#[derive(Debug, Clone)]
pub enum CellsOutcome {
    Saved {
        cells: Vec<SavedCell>,
        /// The semester value of each student written to.
        averages: Vec<(StudentId, Average)>,
        /// In học kỳ II, the year value (ĐTBmcn, TT22 Điều 9 khoản 1) of
        /// each student written to, as the grid computes it; empty in học kỳ I.
        years: Vec<(StudentId, Average)>,
    },
    /// The whole gradebook refuses the writer (assignment, window, plan).
    Refused(EntryRefusal),
    /// Some cells were refused; nothing was written.
    Rejected(Vec<RejectedCell>),
}

/// One line of the trail of a gradebook.
#[derive(Debug, Clone, Serialize)]
pub struct ChangeRow {
    pub id: i64,
    pub at: i64,
    pub student_id: StudentId,
    pub column: Column,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub missed_make_up: bool,
    pub version: i64,
    pub actor_name: String,
    pub channel: String,
    pub reason: Option<String>,
    pub overrides: Vec<Override>,
}

/// A student's conduct line.
#[derive(Debug, Clone, Serialize)]
pub struct ConductRow {
    pub student_id: StudentId,
    pub full_name: String,
    pub training_result: Option<String>,
    pub comment: Option<String>,
    pub version: Option<i64>,
    pub updated_at: Option<i64>,
    pub updated_by: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ConductSheet {
    pub class_id: ClassId,
    pub class_name: String,
    pub grade: Grade,
    pub semester: Semester,
    pub window: WindowState,
    pub homeroom: Option<(StaffId, String)>,
    pub students: Vec<ConductRow>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConductEdit {
    pub student: StudentId,
    pub training_result: Option<TrainingResult>,
    pub comment: Option<String>,
    pub expected_version: Option<i64>,
}

#[derive(Debug, Clone)]
pub enum ConductOutcome {
    Saved {
        version: i64,
        overrides: Vec<Override>,
    },
    Refused(EntryRefusal),
    Stale(Option<ConductRow>),
    UnknownStudent,
}

fn semester_of(row: &AnyRow, column: &str) -> Result<Semester> {
    crate::semester_from(row.try_get(column)?)
}

fn plan_from(row: &AnyRow) -> Result<ColumnPlan> {
    let count = |name: &str| -> Result<u8> {
        let value: i64 = row.try_get(name)?;
        Ok(u8::try_from(value).unwrap_or(0))
    };
    Ok(ColumnPlan {
        regular: count("regular_columns")?,
        midterm: count("midterm_columns")?,
        end_of_term: count("final_columns")?,
    })
}

fn window_from(row: &AnyRow) -> Result<EntryWindow> {
    let grade: i64 = row.try_get("grade")?;
    Ok(EntryWindow {
        id: row.try_get("id")?,
        grade: u8::try_from(grade).unwrap_or(0),
        semester: semester_of(row, "semester")?,
        opens_at: row.try_get("opens_at")?,
        closes_at: row.try_get("closes_at")?,
    })
}

fn cell_from(row: &AnyRow) -> Result<(StudentId, CellState)> {
    let key: String = row.try_get("column_key")?;
    let column = Column::parse(&key).map_err(StoreError::Refused)?;
    let tenths: Option<i64> = row.try_get("tenths")?;
    let mark: Option<String> = row.try_get("mark")?;
    let missed: i64 = row.try_get("missed_make_up")?;
    let synced: i64 = row.try_get("synced")?;
    Ok((
        StudentId(row.try_get("student_id")?),
        CellState {
            column,
            value: CellValue::from_stored(tenths, mark.as_deref()).map(CellValue::code),
            missed_make_up: missed != 0,
            synced: synced != 0,
            version: row.try_get("version")?,
            updated_at: row.try_get("updated_at")?,
            updated_by: row.try_get("updated_by")?,
        },
    ))
}

fn overrides_text(overrides: &[Override]) -> Option<String> {
    (!overrides.is_empty()).then(|| {
        overrides
            .iter()
            .map(|o| o.code())
            .collect::<Vec<_>>()
            .join(",")
    })
}

/// The class, its year and the subject, checked to belong together.
pub(crate) async fn load_subject<'e, E: Executor<'e, Database = Any>>(
    executor: E,
    school: SchoolId,
    class: ClassId,
    subject: SubjectId,
) -> Result<GradebookSubject> {
    let row = sqlx::query(
        "SELECT c.name AS class_name, c.grade AS class_grade, c.school_year_id, y.start_year,
                s.name AS subject_name, s.grade AS subject_grade, s.school_year_id AS subject_year,
                s.mode, s.periods_per_year
         FROM class c
         JOIN school_year y ON y.school_id = c.school_id AND y.id = c.school_year_id
         JOIN subject s ON s.school_id = c.school_id AND s.id = $3
         WHERE c.school_id = $1 AND c.id = $2",
    )
    .bind(school.0)
    .bind(class.0)
    .bind(subject.0)
    .fetch_optional(executor)
    .await?
    .ok_or_else(|| StoreError::NotFound("lớp hoặc môn học này trong trường".into()))?;
    subject_from(&row, class, subject)
}

/// The class × subject from a row with the columns of [`load_subject`].
fn subject_from(row: &AnyRow, class: ClassId, subject: SubjectId) -> Result<GradebookSubject> {
    let class_grade: i64 = row.try_get("class_grade")?;
    let subject_grade: i64 = row.try_get("subject_grade")?;
    let year: i64 = row.try_get("school_year_id")?;
    let subject_year: i64 = row.try_get("subject_year")?;
    let class_name: String = row.try_get("class_name")?;
    let subject_name: String = row.try_get("subject_name")?;
    if class_grade != subject_grade || year != subject_year {
        return Err(StoreError::NotFound(format!(
            "môn {subject_name} trong chương trình của lớp {class_name} (môn thuộc khối {subject_grade}, lớp thuộc khối {class_grade})"
        )));
    }
    let grade = grade_of(class_grade)?;
    let start: i64 = row.try_get("start_year")?;
    let school_year = SchoolYear {
        start_year: u16::try_from(start).unwrap_or(0),
    };
    let mode: String = row.try_get("mode")?;
    let mode = SubjectMode::from_code(&mode).unwrap_or(SubjectMode::Scored);
    let periods_per_year: i64 = row.try_get("periods_per_year")?;
    let plan_subject = PlanSubject {
        name: subject_name.clone(),
        mode,
        periods_per_year: u16::try_from(periods_per_year).unwrap_or(u16::MAX),
    };
    let (regime, no_gradebook) = match gradebook::gradebook_regime(grade, school_year, &class_name)
    {
        Ok(regime) => (Some(regime), None),
        Err(why) => (None, Some(why)),
    };
    Ok(GradebookSubject {
        class_id: class,
        class_name,
        grade,
        school_year_id: SchoolYearId(year),
        school_year: school_year.label(),
        subject_id: subject,
        subject_name,
        mode,
        periods_per_year,
        regime,
        no_gradebook,
        required_regular: plan_subject.required_regular(),
        default_plan: plan_subject.default_plan(),
    })
}

/// What the entry rules read about one gradebook before a save, in two
/// statements instead of one per fact.
struct BookFacts {
    info: GradebookSubject,
    closure: Option<crate::summary::TermClosure>,
    plan: Option<ColumnPlan>,
    teacher: Option<StaffId>,
    windows: Vec<EntryWindow>,
    locks: HashMap<Column, ColumnLock>,
    students: HashMap<StudentId, String>,
    cells: HashMap<StudentId, Vec<CellState>>,
}

/// The one-row facts of a gradebook: class, year and subject (as
/// [`load_subject`]), the class × semester's closure, the plan and the
/// assigned teacher (each at most one row: primary or unique keys).
const BOOK_ROW_SQL: &str = "
    SELECT c.name AS class_name, c.grade AS class_grade, c.school_year_id, y.start_year,
           s.name AS subject_name, s.grade AS subject_grade, s.school_year_id AS subject_year,
           s.mode, s.periods_per_year,
           tc.closed, tc.closed_at, tc.closed_by, tc.reopened_at, tc.reopened_by, tc.reopen_reason,
           p.regular_columns, p.midterm_columns, p.final_columns, p.version AS plan_version,
           a.staff_id AS teacher_staff_id, t.id AS teacher_found
    FROM class c
    JOIN school_year y ON y.school_id = c.school_id AND y.id = c.school_year_id
    JOIN subject s ON s.school_id = c.school_id AND s.id = $3
    LEFT JOIN term_closure tc ON tc.school_id = c.school_id AND tc.class_id = c.id AND tc.semester = $4
    LEFT JOIN column_plan p ON p.school_id = c.school_id AND p.class_id = c.id
                           AND p.subject_id = $3 AND p.semester = $4
    LEFT JOIN teaching_assignment a ON a.school_id = c.school_id AND a.class_id = c.id
                                   AND a.subject_id = $3 AND a.semester = $4
    LEFT JOIN staff t ON t.school_id = a.school_id AND t.id = a.staff_id
    WHERE c.school_id = $1 AND c.id = $2";

/// The many-row facts of a gradebook in one statement: the entry windows
/// of the class's grade and year, the column locks, the studying students
/// (only `$5` when given) and their cells. Branches share one row shape:
/// `kind`, numbers `n1..n6`, texts `k`, `m`, `who`, `why`.
const BOOK_ROWS_SQL: &str = "
    SELECT 'window' AS kind, w.id AS n1, w.grade AS n2, w.semester AS n3, w.opens_at AS n4,
           w.closes_at AS n5, CAST(NULL AS BIGINT) AS n6, CAST(NULL AS TEXT) AS k,
           CAST(NULL AS TEXT) AS m, CAST(NULL AS TEXT) AS who, CAST(NULL AS TEXT) AS why
    FROM entry_window w
    JOIN class c ON c.school_id = w.school_id AND c.id = $2
                AND c.school_year_id = w.school_year_id AND c.grade = w.grade
    WHERE w.school_id = $1 AND w.semester = $4
    UNION ALL
    SELECT 'lock', l.locked_at, NULL, NULL, NULL, NULL, NULL, l.column_key, NULL, l.locked_by, l.reason
    FROM column_lock l
    WHERE l.school_id = $1 AND l.class_id = $2 AND l.subject_id = $3 AND l.semester = $4
    UNION ALL
    SELECT 'student', e.student_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, st.full_name, NULL
    FROM enrolment e
    JOIN class c ON c.school_id = e.school_id AND c.id = e.class_id AND c.school_year_id = e.school_year_id
    JOIN student st ON st.school_id = e.school_id AND st.id = e.student_id
    WHERE e.school_id = $1 AND e.class_id = $2 AND e.status = 'studying'
      AND ($5 IS NULL OR e.student_id = $5)
    UNION ALL
    SELECT 'cell', g.student_id, g.tenths, g.missed_make_up, g.synced, g.version, g.updated_at,
           g.column_key, g.mark, g.updated_by, NULL
    FROM gradebook_cell g
    WHERE g.school_id = $1 AND g.subject_id = $3 AND g.semester = $4
      AND ($5 IS NULL OR g.student_id = $5)
      AND g.student_id IN (SELECT e.student_id FROM enrolment e
                           JOIN class c ON c.school_id = e.school_id AND c.id = e.class_id
                                       AND c.school_year_id = e.school_year_id
                           WHERE e.school_id = $1 AND e.class_id = $2)";

/// Reads [`BookFacts`]: the same facts as `load_subject`, `load_closure`,
/// `load_plan`, `load_teacher`, `load_window`, `load_locks`,
/// `load_class_students` and `load_cells`, in two statements. Inside a
/// writing transaction, call it after the class row's lock
/// ([`crate::summary::lock_class`]) so that the closure read is the one
/// close_term committed (on PostgreSQL each statement reads what was
/// committed before it started).
async fn load_book_facts(
    conn: &mut AnyConnection,
    school: SchoolId,
    class: ClassId,
    subject: SubjectId,
    semester: Semester,
    only: Option<StudentId>,
) -> Result<BookFacts> {
    let number = i64::from(semester.number());
    let row = sqlx::query(BOOK_ROW_SQL)
        .bind(school.0)
        .bind(class.0)
        .bind(subject.0)
        .bind(number)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::NotFound("lớp hoặc môn học này trong trường".into()))?;
    let info = subject_from(&row, class, subject)?;
    let closure = match row.try_get::<Option<i64>, _>("closed")? {
        Some(_) => Some(crate::summary::closure_from(&row)?),
        None => None,
    };
    let plan = match row.try_get::<Option<i64>, _>("plan_version")? {
        Some(_) => Some(plan_from(&row)?),
        None => None,
    };
    // As load_teacher: an assignment whose staff record is gone names no one.
    let teacher = match row.try_get::<Option<i64>, _>("teacher_found")? {
        Some(_) => row
            .try_get::<Option<i64>, _>("teacher_staff_id")?
            .map(StaffId),
        None => None,
    };
    let rows = sqlx::query(BOOK_ROWS_SQL)
        .bind(school.0)
        .bind(class.0)
        .bind(subject.0)
        .bind(number)
        .bind(only.map(|s| s.0))
        .fetch_all(&mut *conn)
        .await?;
    let mut facts = BookFacts {
        info,
        closure,
        plan,
        teacher,
        windows: Vec::new(),
        locks: HashMap::new(),
        students: HashMap::new(),
        cells: HashMap::new(),
    };
    for row in &rows {
        let kind: String = row.try_get("kind")?;
        let number = |name: &str| -> Result<i64> {
            row.try_get::<Option<i64>, _>(name)?
                .ok_or_else(|| StoreError::NotFound(format!("dữ liệu sổ điểm ({kind}: {name})")))
        };
        let text = |name: &str| -> Result<String> {
            Ok(row.try_get::<Option<String>, _>(name)?.unwrap_or_default())
        };
        match kind.as_str() {
            "window" => {
                let semester = number("n3")?;
                facts.windows.push(EntryWindow {
                    id: number("n1")?,
                    grade: u8::try_from(number("n2")?).unwrap_or(0),
                    semester: u8::try_from(semester)
                        .ok()
                        .and_then(Semester::from_number)
                        .ok_or_else(|| {
                            StoreError::Refused(gradebook::invalid_semester(&semester.to_string()))
                        })?,
                    opens_at: number("n4")?,
                    closes_at: number("n5")?,
                });
            }
            "lock" => {
                let column = Column::parse(&text("k")?).map_err(StoreError::Refused)?;
                facts.locks.insert(
                    column,
                    ColumnLock {
                        column,
                        locked_at: number("n1")?,
                        locked_by: text("who")?,
                        reason: text("why")?,
                    },
                );
            }
            "student" => {
                facts
                    .students
                    .insert(StudentId(number("n1")?), text("who")?);
            }
            _ => {
                let column = Column::parse(&text("k")?).map_err(StoreError::Refused)?;
                let tenths: Option<i64> = row.try_get("n2")?;
                let mark: Option<String> = row.try_get("m")?;
                facts
                    .cells
                    .entry(StudentId(number("n1")?))
                    .or_default()
                    .push(CellState {
                        column,
                        value: CellValue::from_stored(tenths, mark.as_deref()).map(CellValue::code),
                        missed_make_up: number("n3")? != 0,
                        synced: number("n4")? != 0,
                        version: number("n5")?,
                        updated_at: number("n6")?,
                        updated_by: text("who")?,
                    });
            }
        }
    }
    for list in facts.cells.values_mut() {
        list.sort_by_key(|cell| cell.column.order());
    }
    Ok(facts)
}

pub(crate) async fn load_plan<'e, E: Executor<'e, Database = Any>>(
    executor: E,
    school: SchoolId,
    class: ClassId,
    subject: SubjectId,
    semester: Semester,
) -> Result<Option<(ColumnPlan, i64)>> {
    let row = sqlx::query(
        "SELECT regular_columns, midterm_columns, final_columns, version FROM column_plan
         WHERE school_id = $1 AND class_id = $2 AND subject_id = $3 AND semester = $4",
    )
    .bind(school.0)
    .bind(class.0)
    .bind(subject.0)
    .bind(i64::from(semester.number()))
    .fetch_optional(executor)
    .await?;
    row.map(|row| Ok((plan_from(&row)?, row.try_get("version")?)))
        .transpose()
}

pub(crate) async fn load_locks<'e, E: Executor<'e, Database = Any>>(
    executor: E,
    school: SchoolId,
    class: ClassId,
    subject: SubjectId,
    semester: Semester,
) -> Result<HashMap<Column, ColumnLock>> {
    let rows = sqlx::query(
        "SELECT column_key, locked_at, locked_by, reason FROM column_lock
         WHERE school_id = $1 AND class_id = $2 AND subject_id = $3 AND semester = $4",
    )
    .bind(school.0)
    .bind(class.0)
    .bind(subject.0)
    .bind(i64::from(semester.number()))
    .fetch_all(executor)
    .await?;
    let mut locks = HashMap::new();
    for row in &rows {
        let key: String = row.try_get("column_key")?;
        let column = Column::parse(&key).map_err(StoreError::Refused)?;
        locks.insert(
            column,
            ColumnLock {
                column,
                locked_at: row.try_get("locked_at")?,
                locked_by: row.try_get("locked_by")?,
                reason: row.try_get("reason")?,
            },
        );
    }
    Ok(locks)
}

pub(crate) async fn load_window<'e, E: Executor<'e, Database = Any>>(
    executor: E,
    school: SchoolId,
    year: SchoolYearId,
    grade: Grade,
    semester: Semester,
) -> Result<WindowState> {
    let rows = sqlx::query(
        "SELECT id, grade, semester, opens_at, closes_at FROM entry_window
         WHERE school_id = $1 AND school_year_id = $2 AND grade = $3 AND semester = $4",
    )
    .bind(school.0)
    .bind(year.0)
    .bind(i64::from(grade.value()))
    .bind(i64::from(semester.number()))
    .fetch_all(executor)
    .await?;
    let windows = rows.iter().map(window_from).collect::<Result<Vec<_>>>()?;
    Ok(gradebook::window_state(&windows, now_millis()))
}

async fn load_teacher<'e, E: Executor<'e, Database = Any>>(
    executor: E,
    school: SchoolId,
    class: ClassId,
    subject: SubjectId,
    semester: Semester,
) -> Result<Option<(StaffId, String)>> {
    let row = sqlx::query(
        "SELECT a.staff_id, t.full_name FROM teaching_assignment a
         JOIN staff t ON t.school_id = a.school_id AND t.id = a.staff_id
         WHERE a.school_id = $1 AND a.class_id = $2 AND a.subject_id = $3 AND a.semester = $4",
    )
    .bind(school.0)
    .bind(class.0)
    .bind(subject.0)
    .bind(i64::from(semester.number()))
    .fetch_optional(executor)
    .await?;
    row.map(|row| {
        Ok((
            StaffId(row.try_get("staff_id")?),
            row.try_get::<Option<String>, _>("full_name")?
                .unwrap_or_default(),
        ))
    })
    .transpose()
}

/// The studying students of a class in its year, with names; only `only`
/// when given (a save that concerns one student reads one row).
async fn load_class_students<'e, E: Executor<'e, Database = Any>>(
    executor: E,
    school: SchoolId,
    class: ClassId,
    year: SchoolYearId,
    only: Option<StudentId>,
) -> Result<HashMap<StudentId, String>> {
    let rows = sqlx::query(
        "SELECT e.student_id, s.full_name FROM enrolment e
         JOIN student s ON s.school_id = e.school_id AND s.id = e.student_id
         WHERE e.school_id = $1 AND e.class_id = $2 AND e.school_year_id = $3 AND e.status = 'studying'
           AND ($4 IS NULL OR e.student_id = $4)",
    )
    .bind(school.0)
    .bind(class.0)
    .bind(year.0)
    .bind(only.map(|s| s.0))
    .fetch_all(executor)
    .await?;
    rows.iter()
        .map(|row| {
            Ok((
                StudentId(row.try_get("student_id")?),
                row.try_get::<Option<String>, _>("full_name")?
                    .unwrap_or_default(),
            ))
        })
        .collect()
}

/// Every cell of the class's students in one subject and semester (or of
/// one student, with `only`): one query.
#[allow(clippy::too_many_arguments)]
async fn load_cells<'e, E: Executor<'e, Database = Any>>(
    executor: E,
    school: SchoolId,
    class: ClassId,
    year: SchoolYearId,
    subject: SubjectId,
    semester: Semester,
    only: Option<StudentId>,
) -> Result<HashMap<StudentId, Vec<CellState>>> {
    let rows = sqlx::query(
        "SELECT student_id, column_key, tenths, mark, missed_make_up, synced, version, updated_at, updated_by
         FROM gradebook_cell
         WHERE school_id = $1 AND subject_id = $2 AND semester = $3 AND ($6 IS NULL OR student_id = $6)
           AND student_id IN (SELECT student_id FROM enrolment
                              WHERE school_id = $1 AND class_id = $4 AND school_year_id = $5)",
    )
    .bind(school.0)
    .bind(subject.0)
    .bind(i64::from(semester.number()))
    .bind(class.0)
    .bind(year.0)
    .bind(only.map(|s| s.0))
    .fetch_all(executor)
    .await?;
    let mut cells: HashMap<StudentId, Vec<CellState>> = HashMap::new();
    for row in &rows {
        let (student, cell) = cell_from(row)?;
        cells.entry(student).or_default().push(cell);
    }
    for list in cells.values_mut() {
        list.sort_by_key(|cell| cell.column.order());
    }
    Ok(cells)
}

fn average_of(subject: &GradebookSubject, cells: &[CellState]) -> Average {
    let Some(regime) = subject.regime else {
        return Average {
            value: None,
            missing: subject.no_gradebook.clone(),
        };
    };
    let values: Vec<(Column, CellValue)> = cells
        .iter()
        .filter_map(|cell| cell.cell_value().map(|value| (cell.column, value)))
        .collect();
    Average::from(gradebook::semester_value(
        subject.mode,
        regime,
        subject.required_regular,
        &values,
    ))
}

/// The year value from both semesters' cells, or why not yet.
fn year_average(subject: &GradebookSubject, first: &[CellState], second: &[CellState]) -> Average {
    let Some(regime) = subject.regime else {
        return Average {
            value: None,
            missing: subject.no_gradebook.clone(),
        };
    };
    let values = |cells: &[CellState]| -> Vec<(Column, CellValue)> {
        cells
            .iter()
            .filter_map(|cell| cell.cell_value().map(|value| (cell.column, value)))
            .collect()
    };
    let semester = |cells: &[CellState]| {
        gradebook::semester_value(
            subject.mode,
            regime,
            subject.required_regular,
            &values(cells),
        )
    };
    match (semester(first), semester(second)) {
        (Ok(first), Ok(second)) => Average {
            value: Some(gradebook::value_code(&gradebook::year_value(
                &first, &second,
            ))),
            missing: None,
        },
        (Err(why), _) => Average {
            value: None,
            missing: Some(format!("Học kỳ I: {why}")),
        },
        (_, Err(why)) => Average {
            value: None,
            missing: Some(format!("Học kỳ II: {why}")),
        },
    }
}

/// The answer to a write of several gradebooks (a class's workbook).
#[derive(Debug, Clone)]
pub enum WorkbookOutcome {
    /// Every book written, per subject (unchanged cells with `changed: false`).
    Saved(Vec<(SubjectId, Vec<SavedCell>)>),
    /// Nothing written: per subject, the book refused as a whole
    /// ([`CellsOutcome::Refused`]) or its refused cells
    /// ([`CellsOutcome::Rejected`]).
    Refused(Vec<(SubjectId, CellsOutcome)>),
}

/// A cell decided and ready to write.
struct Planned {
    index: usize,
    student: StudentId,
    column: Column,
    old: Option<CellState>,
    new: Option<CellValue>,
    missed_make_up: bool,
    overrides: Vec<Override>,
}

/// One gradebook's facts read inside the writing transaction, and its
/// edits decided.
struct Decided {
    subject: SubjectId,
    info: GradebookSubject,
    students: HashMap<StudentId, String>,
    cells: HashMap<StudentId, Vec<CellState>>,
    planned: Vec<Planned>,
}

enum Decision {
    Write(Decided),
    /// The book or some cells are refused: nothing may be written.
    Stop(CellsOutcome),
}

/// Reads what the entry rules need (inside the writing transaction, after
/// the class row's lock that close_term also takes) and decides every edit
/// of one gradebook before any is written: closed book, plan, assignment
/// and window once for the book, then per cell the plan's columns, the
/// lock, the value and the version.
async fn decide_cells(
    conn: &mut AnyConnection,
    school: SchoolId,
    class: ClassId,
    subject: SubjectId,
    semester: Semester,
    writer: Writer,
    edits: &[CellEdit],
) -> Result<Decision> {
    // A save that concerns one student (the grid's one-cell save) reads
    // only that student's rows.
    let only = edits
        .first()
        .map(|e| e.student)
        .filter(|first| edits.iter().all(|e| e.student == *first));
    // The class row's lock first (close_term takes it too), then every fact
    // in two statements.
    crate::summary::lock_class(&mut *conn, school, class).await?;
    let BookFacts {
        info,
        closure,
        plan,
        teacher,
        windows,
        locks,
        students,
        cells,
    } = load_book_facts(&mut *conn, school, class, subject, semester, only).await?;
    let place = info.place(semester);
    if let Some(refusal) = info.no_gradebook_refusal() {
        return Ok(Decision::Stop(CellsOutcome::Refused(refusal)));
    }
    // Closed book (close_term): no override lifts it, only a reopening.
    if let Some(refusal) = crate::summary::closed_book(closure, &place) {
        return Ok(Decision::Stop(CellsOutcome::Refused(refusal)));
    }
    let Some(plan) = plan else {
        return Ok(Decision::Stop(CellsOutcome::Refused(
            EntryRefusal::NotDeclared { place },
        )));
    };
    let entrant = Entrant {
        admin: writer.admin,
        assigned: writer.staff.is_some() && teacher == writer.staff,
        override_requested: writer.override_requested,
    };
    let window = gradebook::window_state(&windows, now_millis());
    // Assignment and window concern the whole gradebook: refuse once.
    if let Err(refusal) = gradebook::check_entry(&place, entrant, &window, None) {
        return Ok(Decision::Stop(CellsOutcome::Refused(refusal)));
    }

    let mut planned: Vec<Planned> = Vec::new();
    let mut rejected = Vec::new();
    for (index, edit) in edits.iter().enumerate() {
        let reject = |problem| RejectedCell {
            index,
            student_id: edit.student,
            student_name: students.get(&edit.student).cloned(),
            column: edit.column,
            problem,
        };
        if !students.contains_key(&edit.student) {
            rejected.push(reject(CellProblem::UnknownStudent));
            continue;
        }
        if !plan.contains(edit.column) {
            rejected.push(reject(CellProblem::Refused(
                EntryRefusal::ColumnNotInPlan {
                    place: place.clone(),
                    column: edit.column,
                    plan,
                },
            )));
            continue;
        }
        let overrides =
            match gradebook::check_entry(&place, entrant, &window, locks.get(&edit.column)) {
                Ok(overrides) => overrides,
                Err(refusal) => {
                    rejected.push(reject(CellProblem::Refused(refusal)));
                    continue;
                }
            };
        let typed = match CellValue::parse(&edit.value)
            .and_then(|v| v.map(|v| v.fits(info.mode, &info.subject_name)).transpose())
        {
            Ok(value) => value,
            Err(error) => {
                rejected.push(reject(CellProblem::Invalid(error.0)));
                continue;
            }
        };
        let new = if edit.missed_make_up {
            match gradebook::missed_make_up_value(info.mode, typed) {
                Ok(value) => Some(value),
                Err(error) => {
                    rejected.push(reject(CellProblem::Invalid(error.0)));
                    continue;
                }
            }
        } else {
            typed
        };
        let old = cells
            .get(&edit.student)
            .and_then(|list| list.iter().find(|c| c.column == edit.column))
            .cloned();
        let expected = edit.expected_version.filter(|v| *v != 0);
        if old.as_ref().map(|c| c.version) != expected {
            rejected.push(reject(CellProblem::Stale(old)));
            continue;
        }
        if planned
            .iter()
            .any(|p| p.student == edit.student && p.column == edit.column)
        {
            rejected.push(reject(CellProblem::Invalid(
                "Ô này xuất hiện hai lần trong cùng một lần lưu; hãy giữ một giá trị.".into(),
            )));
            continue;
        }
        planned.push(Planned {
            index,
            student: edit.student,
            column: edit.column,
            old,
            new,
            missed_make_up: edit.missed_make_up,
            overrides,
        });
    }
    if !rejected.is_empty() {
        return Ok(Decision::Stop(CellsOutcome::Rejected(rejected)));
    }
    Ok(Decision::Write(Decided {
        subject,
        info,
        students,
        cells,
        planned,
    }))
}

/// `($b+1, …, $b+width), …` for `rows` rows.
fn value_rows(rows: usize, width: usize) -> String {
    let mut sql = String::new();
    for row in 0..rows {
        if row > 0 {
            sql.push(',');
        }
        sql.push('(');
        for col in 1..=width {
            if col > 1 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("${}", row * width + col));
        }
        sql.push(')');
    }
    sql
}

/// Cells per statement (14 or 17 binds each: well under the bind limits of
/// SQLite and PostgreSQL).
const CELLS_PER_STATEMENT: usize = 100;

/// Writes the decided cells of one gradebook set-based: the changed cells
/// that exist are removed in chunks, each row only at the version read
/// (so a writer that got in between is noticed), then every changed cell
/// and its trail row are inserted in chunks; a single existing cell (the
/// grid's one-cell save) is updated in place instead, at the version read.
/// `Err` lists the positions in `planned` of the chunk where another writer
/// got in first (nothing of the transaction may be committed then).
#[allow(clippy::too_many_arguments)]
async fn write_cells(
    conn: &mut AnyConnection,
    actor: &Actor,
    school: SchoolId,
    class: ClassId,
    semester: Semester,
    channel: Channel,
    reason: Option<&str>,
    decided: &mut Decided,
    now: i64,
) -> Result<std::result::Result<Vec<SavedCell>, Vec<usize>>> {
    let subject = decided.subject;
    let number = i64::from(semester.number());
    let mut saved = Vec::with_capacity(decided.planned.len());
    // Positions in `planned` of the cells that change.
    let mut changes: Vec<usize> = Vec::new();
    for (position, item) in decided.planned.iter().enumerate() {
        let old_value = item.old.as_ref().and_then(|c| c.value.clone());
        let new_value = item.new.map(CellValue::code);
        let unchanged = old_value == new_value
            && item
                .old
                .as_ref()
                .is_some_and(|c| c.missed_make_up == item.missed_make_up);
        if unchanged || (item.old.is_none() && item.new.is_none()) {
            saved.push(SavedCell {
                student_id: item.student,
                column: item.column,
                value: old_value,
                missed_make_up: item.old.as_ref().is_some_and(|c| c.missed_make_up),
                version: item.old.as_ref().map_or(0, |c| c.version),
                changed: false,
                overrides: Vec::new(),
            });
        } else {
            changes.push(position);
        }
    }
    let replaced: Vec<usize> = changes
        .iter()
        .copied()
        .filter(|p| decided.planned[*p].old.is_some())
        .collect();
    let version_of = |item: &Planned| item.old.as_ref().map_or(1, |c| c.version + 1);
    // The grid's save of one existing cell: one UPDATE at the version read
    // (one statement instead of a DELETE and an INSERT).
    let updated = match replaced[..] {
        [p] => {
            let item = &decided.planned[p];
            let done = sqlx::query(
                "UPDATE gradebook_cell SET school_year_id = $1, tenths = $2, mark = $3, missed_make_up = $4,
                    synced = 0, version = $5, updated_at = $6, updated_by_user_id = $7, updated_by = $8
                 WHERE school_id = $9 AND student_id = $10 AND subject_id = $11 AND semester = $12
                   AND column_key = $13 AND version = $14",
            )
            .bind(decided.info.school_year_id.0)
            .bind(item.new.and_then(CellValue::tenths))
            .bind(item.new.and_then(CellValue::mark))
            .bind(i64::from(item.missed_make_up))
            .bind(version_of(item))
            .bind(now)
            .bind(actor.user_id.map(|u| u.0))
            .bind(actor.name.clone())
            .bind(school.0)
            .bind(item.student.0)
            .bind(subject.0)
            .bind(number)
            .bind(item.column.key())
            .bind(item.old.as_ref().map_or(0, |c| c.version))
            .execute(&mut *conn)
            .await?;
            if done.rows_affected() != 1 {
                return Ok(Err(vec![p]));
            }
            Some(p)
        }
        _ => None,
    };
    for chunk in replaced
        .chunks(CELLS_PER_STATEMENT)
        .filter(|_| updated.is_none())
    {
        let mut sql = String::from(
            "DELETE FROM gradebook_cell WHERE school_id = $1 AND subject_id = $2 AND semester = $3 AND (",
        );
        for i in 0..chunk.len() {
            if i > 0 {
                sql.push_str(" OR ");
            }
            let b = 3 + i * 3;
            sql.push_str(&format!(
                "(student_id = ${} AND column_key = ${} AND version = ${})",
                b + 1,
                b + 2,
                b + 3
            ));
        }
        sql.push(')');
        let mut query = sqlx::query(static_sql(sql))
            .bind(school.0)
            .bind(subject.0)
            .bind(number);
        for p in chunk {
            let item = &decided.planned[*p];
            query = query
                .bind(item.student.0)
                .bind(item.column.key())
                .bind(item.old.as_ref().map_or(0, |c| c.version));
        }
        let removed = query.execute(&mut *conn).await?;
        if usize::try_from(removed.rows_affected()).ok() != Some(chunk.len()) {
            return Ok(Err(chunk.to_vec()));
        }
    }
    let inserted: Vec<usize> = changes
        .iter()
        .copied()
        .filter(|p| Some(*p) != updated)
        .collect();
    for chunk in inserted.chunks(CELLS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO gradebook_cell (school_id, student_id, subject_id, semester, column_key, school_year_id,
                tenths, mark, missed_make_up, synced, version, updated_at, updated_by_user_id, updated_by) VALUES {}",
            value_rows(chunk.len(), 14)
        );
        let mut query = sqlx::query(static_sql(sql));
        for p in chunk {
            let item = &decided.planned[*p];
            query = query
                .bind(school.0)
                .bind(item.student.0)
                .bind(subject.0)
                .bind(number)
                .bind(item.column.key())
                .bind(decided.info.school_year_id.0)
                .bind(item.new.and_then(CellValue::tenths))
                .bind(item.new.and_then(CellValue::mark))
                .bind(i64::from(item.missed_make_up))
                .bind(0_i64)
                .bind(version_of(item))
                .bind(now)
                .bind(actor.user_id.map(|u| u.0))
                .bind(actor.name.clone());
        }
        match query.execute(&mut *conn).await {
            Ok(_) => {}
            // A cell created by another writer since we read the book.
            Err(sqlx::Error::Database(db)) if db.is_unique_violation() => {
                return Ok(Err(chunk.to_vec()));
            }
            Err(error) => return Err(error.into()),
        }
    }
    for chunk in changes.chunks(CELLS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO gradebook_change (school_id, id, student_id, subject_id, semester, column_key, class_id,
                old_value, new_value, missed_make_up, version, at, actor_user_id, actor_name, channel, reason, overrides)
             VALUES {}",
            value_rows(chunk.len(), 17)
        );
        let mut query = sqlx::query(static_sql(sql));
        for p in chunk {
            let item = &decided.planned[*p];
            query = query
                .bind(school.0)
                .bind(new_id())
                .bind(item.student.0)
                .bind(subject.0)
                .bind(number)
                .bind(item.column.key())
                .bind(class.0)
                .bind(item.old.as_ref().and_then(|c| c.value.clone()))
                .bind(item.new.map(CellValue::code))
                .bind(i64::from(item.missed_make_up))
                .bind(version_of(item))
                .bind(now)
                .bind(actor.user_id.map(|u| u.0))
                .bind(actor.name.clone())
                .bind(channel.code())
                .bind(reason.map(str::to_owned))
                .bind(overrides_text(&item.overrides));
        }
        query.execute(&mut *conn).await?;
    }
    for p in changes {
        let item = &decided.planned[p];
        let version = version_of(item);
        let new_value = item.new.map(CellValue::code);
        let state = CellState {
            column: item.column,
            value: new_value.clone(),
            missed_make_up: item.missed_make_up,
            synced: false,
            version,
            updated_at: now,
            updated_by: actor.name.clone(),
        };
        let list = decided.cells.entry(item.student).or_default();
        list.retain(|c| c.column != item.column);
        list.push(state);
        saved.push(SavedCell {
            student_id: item.student,
            column: item.column,
            value: new_value,
            missed_make_up: item.missed_make_up,
            version,
            changed: true,
            overrides: item.overrides.clone(),
        });
    }
    Ok(Ok(saved))
}

/// Overrides are rare and weighty: the school's audit log shows them too
/// (one entry per gradebook written).
#[allow(clippy::too_many_arguments)]
async fn record_overrides(
    tx: &mut sqlx::Transaction<'_, Any>,
    actor: &Actor,
    school: SchoolId,
    class: ClassId,
    semester: Semester,
    info: &GradebookSubject,
    reason: Option<&str>,
    saved: &[SavedCell],
) -> Result<()> {
    let overridden: Vec<&SavedCell> = saved.iter().filter(|s| !s.overrides.is_empty()).collect();
    if overridden.is_empty() {
        return Ok(());
    }
    let mut kinds: Vec<Override> = overridden
        .iter()
        .flat_map(|s| s.overrides.iter().copied())
        .collect();
    kinds.sort_by_key(|o| o.code());
    kinds.dedup();
    let labels: Vec<&str> = kinds.iter().map(|o| o.label()).collect();
    audit::record(
        tx,
        actor,
        Change {
            unit: school.into(),
            action: "override",
            entity: "gradebook",
            entity_id: Some(class.0),
            summary: format!(
                "Quản trị viên ghi đè sổ điểm môn {} lớp {} {} ({} ô; {}){}",
                info.subject_name,
                info.class_name,
                semester.label(),
                overridden.len(),
                labels.join(", "),
                reason.map(|r| format!(" — lý do: {r}")).unwrap_or_default()
            ),
            before: None,
            after: serde_json::to_string(&overridden).ok(),
        },
    )
    .await
}

impl Store {
    /// What a teacher teaches in the school's current year, for the access
    /// policy (`Principal::teaching`).
    pub async fn teaching_assignments_of(
        &self,
        school: SchoolId,
        staff: StaffId,
    ) -> Result<Vec<TeachingAssignment>> {
        let rows = sqlx::query(
            "SELECT class_id, subject_id, semester FROM teaching_assignment WHERE school_id = $1 AND staff_id = $2
               AND school_year_id = (SELECT id FROM school_year WHERE school_id = $1 ORDER BY start_year DESC LIMIT 1)",
        )
        .bind(school.0)
        .bind(staff.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(TeachingAssignment {
                    class: ClassId(row.try_get("class_id")?),
                    subject: SubjectId(row.try_get("subject_id")?),
                    semester: semester_of(row, "semester")?,
                })
            })
            .collect()
    }

    /// The class × subject with what its plan needs (names, mode, periods,
    /// regime, the law's minimum).
    pub async fn gradebook_subject(
        &self,
        school: SchoolId,
        class: ClassId,
        subject: SubjectId,
    ) -> Result<GradebookSubject> {
        load_subject(&self.pool, school, class, subject).await
    }

    /// Every class × subject × semester of a year with its plan status:
    /// declared, not declared, or not applicable (primary classes).
    pub async fn column_plans(
        &self,
        school: SchoolId,
        year: SchoolYearId,
        semester: Option<Semester>,
        class: Option<ClassId>,
    ) -> Result<Vec<PlanRow>> {
        let start: Option<i64> = sqlx::query_scalar(
            "SELECT start_year FROM school_year WHERE school_id = $1 AND id = $2",
        )
        .bind(school.0)
        .bind(year.0)
        .fetch_optional(&self.pool)
        .await?;
        let start = start.ok_or_else(|| StoreError::NotFound("năm học này của trường".into()))?;
        let school_year = SchoolYear {
            start_year: u16::try_from(start).unwrap_or(0),
        };
        let pairs = sqlx::query(
            "SELECT c.id AS class_id, c.name AS class_name, c.grade, s.id AS subject_id, s.name AS subject_name,
                    s.mode, s.periods_per_year
             FROM class c
             JOIN subject s ON s.school_id = c.school_id AND s.school_year_id = c.school_year_id AND s.grade = c.grade
             WHERE c.school_id = $1 AND c.school_year_id = $2 AND c.status = 'active' AND ($3 IS NULL OR c.id = $3)
             ORDER BY c.grade, c.name, s.position",
        )
        .bind(school.0)
        .bind(year.0)
        .bind(class.map(|c| c.0))
        .fetch_all(&self.pool)
        .await?;
        let plans = sqlx::query(
            "SELECT class_id, subject_id, semester, regular_columns, midterm_columns, final_columns, version
             FROM column_plan WHERE school_id = $1 AND school_year_id = $2",
        )
        .bind(school.0)
        .bind(year.0)
        .fetch_all(&self.pool)
        .await?;
        let mut declared = HashMap::new();
        for row in &plans {
            declared.insert(
                (
                    ClassId(row.try_get("class_id")?),
                    SubjectId(row.try_get("subject_id")?),
                    semester_of(row, "semester")?,
                ),
                (plan_from(row)?, row.try_get::<i64, _>("version")?),
            );
        }
        let semesters: Vec<Semester> = match semester {
            Some(semester) => vec![semester],
            None => Semester::ALL.to_vec(),
        };
        let mut list = Vec::new();
        for row in &pairs {
            let class_id = ClassId(row.try_get("class_id")?);
            let class_name: String = row.try_get("class_name")?;
            let grade = grade_of(row.try_get("grade")?)?;
            let subject_id = SubjectId(row.try_get("subject_id")?);
            let subject_name: String = row.try_get("subject_name")?;
            let mode: String = row.try_get("mode")?;
            let mode = SubjectMode::from_code(&mode).unwrap_or(SubjectMode::Scored);
            let periods_per_year: i64 = row.try_get("periods_per_year")?;
            let plan_subject = PlanSubject {
                name: subject_name.clone(),
                mode,
                periods_per_year: u16::try_from(periods_per_year).unwrap_or(u16::MAX),
            };
            let applicable = gradebook::gradebook_regime(grade, school_year, &class_name);
            for &semester in &semesters {
                let found = declared.get(&(class_id, subject_id, semester));
                let (status, note) = match (&applicable, found) {
                    (Err(why), _) => ("not_applicable", Some(why.clone())),
                    (Ok(_), Some(_)) => ("declared", None),
                    (Ok(_), None) => (
                        "not_declared",
                        Some("Chưa khai báo số cột điểm: giáo viên chưa nhập được điểm môn này. Quản trị viên khai báo (mặc định theo số tiết/năm, Thông tư 22/2021 Điều 6).".to_owned()),
                    ),
                };
                let secondary = applicable.is_ok();
                list.push(PlanRow {
                    class_id,
                    class_name: class_name.clone(),
                    grade,
                    subject_id,
                    subject_name: subject_name.clone(),
                    mode,
                    periods_per_year,
                    semester,
                    status,
                    plan: found.map(|(plan, _)| *plan),
                    version: found.map(|(_, version)| *version),
                    default_plan: secondary.then(|| plan_subject.default_plan()),
                    required_regular: secondary.then(|| plan_subject.required_regular()),
                    note,
                });
            }
        }
        Ok(list)
    }

    /// Declares (or edits) the plan of a class × subject × semester. `regular`
    /// `None` takes the default of the law. `expected_version` is `None` for a
    /// new plan; an existing one needs its current version.
    #[allow(clippy::too_many_arguments)]
    pub async fn declare_column_plan(
        &self,
        actor: &Actor,
        school: SchoolId,
        class: ClassId,
        subject: SubjectId,
        semester: Semester,
        regular: Option<u8>,
        expected_version: Option<i64>,
    ) -> Result<(ColumnPlan, i64)> {
        let mut tx = self.begin().await?;
        let info = load_subject(&mut *tx, school, class, subject).await?;
        if let Some(why) = &info.no_gradebook {
            return Err(StoreError::Refused(why.clone()));
        }
        let plan_subject = info.plan_subject();
        let plan = match regular {
            Some(regular) => plan_subject
                .check_plan(regular)
                .map_err(StoreError::Refused)?,
            None => plan_subject.default_plan(),
        };
        let existing = load_plan(&mut *tx, school, class, subject, semester).await?;
        let what = || {
            format!(
                "Khai báo số cột điểm môn {} lớp {} {}",
                info.subject_name,
                info.class_name,
                semester.label()
            )
        };
        let version = match (existing, expected_version) {
            (None, None | Some(0)) => {
                sqlx::query(
                    "INSERT INTO column_plan (school_id, class_id, subject_id, semester, school_year_id, regular_columns,
                        midterm_columns, final_columns, version, updated_at, updated_by)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $10)",
                )
                .bind(school.0)
                .bind(class.0)
                .bind(subject.0)
                .bind(i64::from(semester.number()))
                .bind(info.school_year_id.0)
                .bind(i64::from(plan.regular))
                .bind(i64::from(plan.midterm))
                .bind(i64::from(plan.end_of_term))
                .bind(now_millis())
                .bind(&actor.name)
                .execute(&mut *tx)
                .await
                .map_err(|e| StoreError::from_unique(e, || format!("{} vừa được người khác tạo; hãy tải lại trang.", what())))?;
                1
            }
            (Some((old, version)), Some(expected)) if version == expected => {
                if plan.regular < old.regular {
                    // Removed columns must be empty: no score disappears with a plan change.
                    let filled: Vec<String> = sqlx::query_scalar(
                        "SELECT DISTINCT column_key FROM gradebook_cell
                         WHERE school_id = $1 AND subject_id = $2 AND semester = $3
                           AND (tenths IS NOT NULL OR mark IS NOT NULL)
                           AND student_id IN (SELECT student_id FROM enrolment
                                              WHERE school_id = $1 AND class_id = $4 AND school_year_id = $5)",
                    )
                    .bind(school.0)
                    .bind(subject.0)
                    .bind(i64::from(semester.number()))
                    .bind(class.0)
                    .bind(info.school_year_id.0)
                    .fetch_all(&mut *tx)
                    .await?;
                    let mut removed: Vec<Column> = filled
                        .iter()
                        .filter_map(|key| Column::parse(key).ok())
                        .filter(|column| !plan.contains(*column))
                        .collect();
                    removed.sort_by_key(|c| c.order());
                    if !removed.is_empty() {
                        let labels: Vec<String> = removed.iter().map(|c| c.label()).collect();
                        return Err(StoreError::Refused(format!(
                            "Không giảm được số cột ĐĐGtx xuống {}: cột {} đã có điểm. Hãy xóa các điểm đó (có ghi nhật ký) trước khi giảm số cột.",
                            plan.regular,
                            labels.join(", ")
                        )));
                    }
                }
                sqlx::query(
                    "UPDATE column_plan SET regular_columns = $1, midterm_columns = $2, final_columns = $3,
                        version = version + 1, updated_at = $4, updated_by = $5
                     WHERE school_id = $6 AND class_id = $7 AND subject_id = $8 AND semester = $9 AND version = $10",
                )
                .bind(i64::from(plan.regular))
                .bind(i64::from(plan.midterm))
                .bind(i64::from(plan.end_of_term))
                .bind(now_millis())
                .bind(&actor.name)
                .bind(school.0)
                .bind(class.0)
                .bind(subject.0)
                .bind(i64::from(semester.number()))
                .bind(version)
                .execute(&mut *tx)
                .await?;
                version + 1
            }
            _ => return Err(StoreError::Conflict(what())),
        };
        audit::record(
            &mut tx,
            actor,
            Change {
                unit: school.into(),
                action: "declare",
                entity: "column_plan",
                entity_id: Some(class.0),
                summary: format!(
                    "{}: {} cột ĐĐGtx, {} ĐĐGgk, {} ĐĐGck",
                    what(),
                    plan.regular,
                    plan.midterm,
                    plan.end_of_term
                ),
                before: None,
                after: serde_json::to_string(&serde_json::json!({
                    "subject": subject.0, "semester": semester.number(), "plan": plan
                }))
                .ok(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok((plan, version))
    }

    /// Declares the default plan (TT22 Điều 6) for every class × subject ×
    /// semester of the year that has none; primary classes are skipped.
    /// Returns how many plans were declared.
    pub async fn declare_default_plans(
        &self,
        actor: &Actor,
        school: SchoolId,
        year: SchoolYearId,
        semester: Option<Semester>,
        class: Option<ClassId>,
    ) -> Result<usize> {
        let rows = self.column_plans(school, year, semester, class).await?;
        let mut tx = self.begin().await?;
        let now = now_millis();
        let mut declared = 0;
        for row in rows.iter().filter(|r| r.status == "not_declared") {
            let Some(plan) = row.default_plan else {
                continue;
            };
            // A plan declared since the list was read is left as it is.
            let inserted = sqlx::query(
                "INSERT INTO column_plan (school_id, class_id, subject_id, semester, school_year_id, regular_columns,
                    midterm_columns, final_columns, version, updated_at, updated_by)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $10)
                 ON CONFLICT (school_id, class_id, subject_id, semester) DO NOTHING",
            )
            .bind(school.0)
            .bind(row.class_id.0)
            .bind(row.subject_id.0)
            .bind(i64::from(row.semester.number()))
            .bind(year.0)
            .bind(i64::from(plan.regular))
            .bind(i64::from(plan.midterm))
            .bind(i64::from(plan.end_of_term))
            .bind(now)
            .bind(&actor.name)
            .execute(&mut *tx)
            .await?;
            declared += inserted.rows_affected() as usize;
        }
        if declared > 0 {
            audit::record(
                &mut tx,
                actor,
                Change {
                    unit: school.into(),
                    action: "declare",
                    entity: "column_plan",
                    entity_id: class.map(|c| c.0),
                    summary: format!(
                        "Khai báo số cột điểm mặc định (Thông tư 22/2021 Điều 6) cho {declared} môn học – lớp – học kỳ"
                    ),
                    before: None,
                    after: None,
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(declared)
    }

    /// The entry windows of a year, newest first.
    pub async fn entry_windows(
        &self,
        school: SchoolId,
        year: SchoolYearId,
    ) -> Result<Vec<EntryWindow>> {
        let rows = sqlx::query(
            "SELECT id, grade, semester, opens_at, closes_at FROM entry_window
             WHERE school_id = $1 AND school_year_id = $2 ORDER BY opens_at DESC, grade",
        )
        .bind(school.0)
        .bind(year.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(window_from).collect()
    }

    /// Opens an entry window for a grade and semester of a year.
    #[allow(clippy::too_many_arguments)]
    pub async fn open_entry_window(
        &self,
        actor: &Actor,
        school: SchoolId,
        year: SchoolYearId,
        grade: u8,
        semester: Semester,
        opens_at: i64,
        closes_at: i64,
    ) -> Result<EntryWindow> {
        gradebook::check_window(grade, opens_at, closes_at).map_err(StoreError::Refused)?;
        let mut tx = self.begin().await?;
        let owned: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM school_year WHERE school_id = $1 AND id = $2")
                .bind(school.0)
                .bind(year.0)
                .fetch_one(&mut *tx)
                .await?;
        if owned != 1 {
            return Err(StoreError::NotFound("năm học này của trường".into()));
        }
        let window = EntryWindow {
            id: new_id(),
            grade,
            semester,
            opens_at,
            closes_at,
        };
        sqlx::query(
            "INSERT INTO entry_window (school_id, id, school_year_id, grade, semester, opens_at, closes_at, created_at, created_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(school.0)
        .bind(window.id)
        .bind(year.0)
        .bind(i64::from(grade))
        .bind(i64::from(semester.number()))
        .bind(opens_at)
        .bind(closes_at)
        .bind(now_millis())
        .bind(&actor.name)
        .execute(&mut *tx)
        .await?;
        audit::record(
            &mut tx,
            actor,
            Change {
                unit: school.into(),
                action: "open",
                entity: "entry_window",
                entity_id: Some(window.id),
                summary: format!(
                    "Mở đợt nhập điểm {} khối {grade}: {} – {}",
                    semester.label(),
                    hocba_domain::date::vietnam_time(opens_at),
                    hocba_domain::date::vietnam_time(closes_at)
                ),
                before: None,
                after: serde_json::to_string(&window).ok(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(window)
    }

    /// Removes an entry window (to close entry at once, or undo a mistake).
    pub async fn delete_entry_window(
        &self,
        actor: &Actor,
        school: SchoolId,
        id: i64,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let row = sqlx::query(
            "SELECT id, grade, semester, opens_at, closes_at FROM entry_window WHERE school_id = $1 AND id = $2",
        )
        .bind(school.0)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::NotFound("đợt nhập điểm này của trường".into()))?;
        let window = window_from(&row)?;
        sqlx::query("DELETE FROM entry_window WHERE school_id = $1 AND id = $2")
            .bind(school.0)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        audit::record(
            &mut tx,
            actor,
            Change {
                unit: school.into(),
                action: "delete",
                entity: "entry_window",
                entity_id: Some(id),
                summary: format!(
                    "Xóa đợt nhập điểm {} khối {}",
                    window.semester.label(),
                    window.grade
                ),
                before: serde_json::to_string(&window).ok(),
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Locks or unlocks columns of a gradebook with a reason (audited).
    /// `column` `None` means every column of the plan. Returns the columns
    /// whose state changed.
    #[allow(clippy::too_many_arguments)]
    pub async fn set_column_lock(
        &self,
        actor: &Actor,
        school: SchoolId,
        class: ClassId,
        subject: SubjectId,
        semester: Semester,
        column: Option<Column>,
        locked: bool,
        reason: &str,
    ) -> Result<Vec<Column>> {
        let reason = gradebook::check_lock_reason(reason).map_err(StoreError::Refused)?;
        let mut tx = self.begin().await?;
        let info = load_subject(&mut *tx, school, class, subject).await?;
        if let Some(why) = &info.no_gradebook {
            return Err(StoreError::Refused(why.clone()));
        }
        let place = info.place(semester);
        let Some((plan, _)) = load_plan(&mut *tx, school, class, subject, semester).await? else {
            let refusal = EntryRefusal::NotDeclared { place };
            return Err(StoreError::Refused(refusal.to_string()));
        };
        let columns = match column {
            Some(column) if plan.contains(column) => vec![column],
            Some(column) => {
                let refusal = EntryRefusal::ColumnNotInPlan {
                    place,
                    column,
                    plan,
                };
                return Err(StoreError::Refused(refusal.to_string()));
            }
            None => plan.columns(),
        };
        let locks = load_locks(&mut *tx, school, class, subject, semester).await?;
        let now = now_millis();
        let mut changed = Vec::new();
        for column in columns {
            if locks.contains_key(&column) == locked {
                continue;
            }
            if locked {
                sqlx::query(
                    "INSERT INTO column_lock (school_id, class_id, subject_id, semester, column_key, locked_at, locked_by_user_id, locked_by, reason)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(school.0)
                .bind(class.0)
                .bind(subject.0)
                .bind(i64::from(semester.number()))
                .bind(column.key())
                .bind(now)
                .bind(actor.user_id.map(|u| u.0))
                .bind(&actor.name)
                .bind(&reason)
                .execute(&mut *tx)
                .await?;
            } else {
                sqlx::query(
                    "DELETE FROM column_lock WHERE school_id = $1 AND class_id = $2 AND subject_id = $3 AND semester = $4 AND column_key = $5",
                )
                .bind(school.0)
                .bind(class.0)
                .bind(subject.0)
                .bind(i64::from(semester.number()))
                .bind(column.key())
                .execute(&mut *tx)
                .await?;
            }
            changed.push(column);
        }
        if !changed.is_empty() {
            let labels: Vec<String> = changed.iter().map(|c| c.label()).collect();
            audit::record(
                &mut tx,
                actor,
                Change {
                    unit: school.into(),
                    action: if locked { "lock" } else { "unlock" },
                    entity: "column_lock",
                    entity_id: Some(class.0),
                    summary: format!(
                        "{} cột {} môn {} lớp {} {} (lý do: {reason})",
                        if locked { "Khóa" } else { "Mở khóa" },
                        labels.join(", "),
                        info.subject_name,
                        info.class_name,
                        semester.label()
                    ),
                    before: None,
                    after: serde_json::to_string(&serde_json::json!({
                        "subject": subject.0, "semester": semester.number(),
                        "columns": changed, "locked": locked, "reason": reason
                    }))
                    .ok(),
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(changed)
    }

    /// A class × subject × semester gradebook: plan, columns with locks,
    /// window, teacher, students in Vietnamese order with their cells and
    /// semester values. A fixed number of queries.
    pub async fn gradebook(
        &self,
        school: SchoolId,
        class: ClassId,
        subject: SubjectId,
        semester: Semester,
    ) -> Result<Gradebook> {
        let info = load_subject(&self.pool, school, class, subject).await?;
        let plan = load_plan(&self.pool, school, class, subject, semester).await?;
        let mut locks = load_locks(&self.pool, school, class, subject, semester).await?;
        let window = load_window(
            &self.pool,
            school,
            info.school_year_id,
            info.grade,
            semester,
        )
        .await?;
        let teacher = load_teacher(&self.pool, school, class, subject, semester).await?;
        let mut cells = load_cells(
            &self.pool,
            school,
            class,
            info.school_year_id,
            subject,
            semester,
            None,
        )
        .await?;
        // In học kỳ II the grid also shows the year value (ĐTBmcn), from the
        // semester I cells of the same subject.
        let mut first_semester = if semester == Semester::S2 {
            Some(
                load_cells(
                    &self.pool,
                    school,
                    class,
                    info.school_year_id,
                    subject,
                    Semester::S1,
                    None,
                )
                .await?,
            )
        } else {
            None
        };
        let filter = StudentFilter {
            class: Some(class),
            query: None,
            status: Some(EnrolmentStatus::Studying),
        };
        let students = self
            .students(school, info.school_year_id, &filter)
            .await?
            .into_iter()
            .map(|student| {
                let cells = cells.remove(&student.id).unwrap_or_default();
                let average = average_of(&info, &cells);
                let year = first_semester.as_mut().map(|first| {
                    let first = first.remove(&student.id).unwrap_or_default();
                    year_average(&info, &first, &cells)
                });
                GridStudent {
                    id: student.id,
                    full_name: student.full_name,
                    birth_date: student.birth_date,
                    status: student.status,
                    cells,
                    average,
                    year,
                }
            })
            .collect();
        let columns = plan
            .map(|(plan, _)| plan.columns())
            .unwrap_or_default()
            .into_iter()
            .map(|column| GridColumn {
                column,
                label: column.label(),
                lock: locks.remove(&column),
            })
            .collect();
        Ok(Gradebook {
            semester,
            plan: plan.map(|(plan, _)| plan),
            plan_version: plan.map(|(_, version)| version),
            columns,
            window,
            teacher,
            students,
            subject: info,
        })
    }

    /// Writes cells of one gradebook, all or nothing, each with its trail row,
    /// after the entry rules (`hocba_domain::gradebook::check_entry`) and the
    /// optimistic versions. Unchanged values are not written again.
    #[allow(clippy::too_many_arguments)]
    pub async fn save_cells(
        &self,
        actor: &Actor,
        school: SchoolId,
        class: ClassId,
        subject: SubjectId,
        semester: Semester,
        writer: Writer,
        channel: Channel,
        reason: Option<&str>,
        edits: &[CellEdit],
    ) -> Result<CellsOutcome> {
        let reason =
            gradebook::check_change_reason(reason).map_err(|e| StoreError::Refused(e.0))?;
        let mut tx = self.begin().await?;
        let mut decided =
            match decide_cells(&mut tx, school, class, subject, semester, writer, edits).await? {
                Decision::Write(decided) => decided,
                Decision::Stop(outcome) => return Ok(outcome),
            };
        let now = now_millis();
        let saved = match write_cells(
            &mut tx,
            actor,
            school,
            class,
            semester,
            channel,
            reason.as_deref(),
            &mut decided,
            now,
        )
        .await?
        {
            Ok(saved) => saved,
            Err(raced) => {
                drop(tx);
                return Ok(CellsOutcome::Rejected(vec![
                    self.raced_cell(school, class, semester, &decided, &raced)
                        .await?,
                ]));
            }
        };
        record_overrides(
            &mut tx,
            actor,
            school,
            class,
            semester,
            &decided.info,
            reason.as_deref(),
            &saved,
        )
        .await?;
        tx.commit().await?;
        let mut averages: Vec<(StudentId, Average)> = Vec::new();
        for cell in &saved {
            if averages.iter().all(|(s, _)| *s != cell.student_id) {
                let list = decided
                    .cells
                    .get(&cell.student_id)
                    .cloned()
                    .unwrap_or_default();
                averages.push((cell.student_id, average_of(&decided.info, &list)));
            }
        }
        // In học kỳ II the grid shows the year value too: it follows from
        // the semester I cells, read in one statement (one student's for the
        // grid's one-cell save, else the class's).
        let mut years = Vec::new();
        if semester == Semester::S2 && !averages.is_empty() {
            let only = match averages.as_slice() {
                [(student, _)] => Some(*student),
                _ => None,
            };
            let mut first = load_cells(
                &self.pool,
                school,
                class,
                decided.info.school_year_id,
                subject,
                Semester::S1,
                only,
            )
            .await?;
            for (student, _) in &averages {
                let first = first.remove(student).unwrap_or_default();
                let second = decided.cells.get(student).cloned().unwrap_or_default();
                years.push((*student, year_average(&decided.info, &first, &second)));
            }
        }
        Ok(CellsOutcome::Saved {
            cells: saved,
            averages,
            years,
        })
    }

    /// Writes the cells of several gradebooks of one class and semester (the
    /// class's workbook: one sheet per subject) in one transaction, all or
    /// nothing across every book: each book is decided with the rules of
    /// [`Store::save_cells`] (assignment, window, lock, closed book,
    /// version, value) before anything is written; if any book or cell is
    /// refused, nothing is written and every refusal is returned, per
    /// subject. The writes are set-based (a few statements per chunk of
    /// cells, whatever the number of students).
    #[allow(clippy::too_many_arguments)]
    pub async fn save_workbook_cells(
        &self,
        actor: &Actor,
        school: SchoolId,
        class: ClassId,
        semester: Semester,
        writer: Writer,
        channel: Channel,
        reason: Option<&str>,
        books: &[(SubjectId, Vec<CellEdit>)],
    ) -> Result<WorkbookOutcome> {
        let reason =
            gradebook::check_change_reason(reason).map_err(|e| StoreError::Refused(e.0))?;
        let mut tx = self.begin().await?;
        let mut decided = Vec::with_capacity(books.len());
        let mut refused = Vec::new();
        for (subject, edits) in books {
            match decide_cells(&mut tx, school, class, *subject, semester, writer, edits).await? {
                Decision::Write(book) => decided.push(book),
                Decision::Stop(outcome) => refused.push((*subject, outcome)),
            }
        }
        if !refused.is_empty() {
            return Ok(WorkbookOutcome::Refused(refused));
        }
        let now = now_millis();
        let mut saved_books = Vec::with_capacity(decided.len());
        for book in &mut decided {
            let saved = match write_cells(
                &mut tx,
                actor,
                school,
                class,
                semester,
                channel,
                reason.as_deref(),
                book,
                now,
            )
            .await?
            {
                Ok(saved) => saved,
                Err(raced) => {
                    drop(tx);
                    let cell = self
                        .raced_cell(school, class, semester, book, &raced)
                        .await?;
                    return Ok(WorkbookOutcome::Refused(vec![(
                        book.subject,
                        CellsOutcome::Rejected(vec![cell]),
                    )]));
                }
            };
            record_overrides(
                &mut tx,
                actor,
                school,
                class,
                semester,
                &book.info,
                reason.as_deref(),
                &saved,
            )
            .await?;
            saved_books.push((book.subject, saved));
        }
        tx.commit().await?;
        Ok(WorkbookOutcome::Saved(saved_books))
    }

    /// After a write found a cell changed behind the rules' back (a writer
    /// that does not take the class lock): which one, with its current value.
    async fn raced_cell(
        &self,
        school: SchoolId,
        class: ClassId,
        semester: Semester,
        decided: &Decided,
        candidates: &[usize],
    ) -> Result<RejectedCell> {
        let current = load_cells(
            &self.pool,
            school,
            class,
            decided.info.school_year_id,
            decided.subject,
            semester,
            None,
        )
        .await?;
        let now_of = |item: &Planned| {
            current
                .get(&item.student)
                .and_then(|list| list.iter().find(|c| c.column == item.column))
                .cloned()
        };
        let items: Vec<&Planned> = candidates
            .iter()
            .filter_map(|i| decided.planned.get(*i))
            .collect();
        let item = items
            .iter()
            .find(|item| now_of(item).map(|c| c.version) != item.old.as_ref().map(|c| c.version))
            .or(items.first())
            .ok_or_else(|| StoreError::Conflict("sổ điểm này".into()))?;
        Ok(RejectedCell {
            index: item.index,
            student_id: item.student,
            student_name: decided.students.get(&item.student).cloned(),
            column: item.column,
            problem: CellProblem::Stale(now_of(item)),
        })
    }

    /// The trail of a gradebook, newest first; for one student when given.
    pub async fn gradebook_history(
        &self,
        school: SchoolId,
        class: ClassId,
        subject: SubjectId,
        semester: Semester,
        student: Option<StudentId>,
    ) -> Result<Vec<ChangeRow>> {
        let info = load_subject(&self.pool, school, class, subject).await?;
        let rows = sqlx::query(
            "SELECT id, at, student_id, column_key, old_value, new_value, missed_make_up, version, actor_name, channel, reason, overrides
             FROM gradebook_change
             WHERE school_id = $1 AND subject_id = $2 AND semester = $3 AND ($4 IS NULL OR student_id = $4)
               AND student_id IN (SELECT student_id FROM enrolment
                                  WHERE school_id = $1 AND class_id = $5 AND school_year_id = $6)
             ORDER BY at DESC, id DESC LIMIT 1000",
        )
        .bind(school.0)
        .bind(subject.0)
        .bind(i64::from(semester.number()))
        .bind(student.map(|s| s.0))
        .bind(class.0)
        .bind(info.school_year_id.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let key: String = row.try_get("column_key")?;
                let missed: i64 = row.try_get("missed_make_up")?;
                let overrides: Option<String> = row.try_get("overrides")?;
                Ok(ChangeRow {
                    id: row.try_get("id")?,
                    at: row.try_get("at")?,
                    student_id: StudentId(row.try_get("student_id")?),
                    column: Column::parse(&key).map_err(StoreError::Refused)?,
                    old_value: row.try_get("old_value")?,
                    new_value: row.try_get("new_value")?,
                    missed_make_up: missed != 0,
                    version: row.try_get("version")?,
                    actor_name: row.try_get("actor_name")?,
                    channel: row.try_get("channel")?,
                    reason: row.try_get("reason")?,
                    overrides: overrides
                        .unwrap_or_default()
                        .split(',')
                        .filter_map(Override::from_code)
                        .collect(),
                })
            })
            .collect()
    }

    /// The conduct sheet of a class for a semester: training results and
    /// homeroom comments of the studying students, in Vietnamese order.
    pub async fn conduct_sheet(
        &self,
        school: SchoolId,
        class: ClassId,
        semester: Semester,
    ) -> Result<ConductSheet> {
        let row = self.class(school, class).await?;
        let window =
            load_window(&self.pool, school, row.school_year_id, row.grade, semester).await?;
        let filter = StudentFilter {
            class: Some(class),
            query: None,
            status: Some(EnrolmentStatus::Studying),
        };
        let students = self.students(school, row.school_year_id, &filter).await?;
        let mut lines =
            load_conduct(&self.pool, school, class, row.school_year_id, semester).await?;
        let students = students
            .into_iter()
            .map(|student| {
                let line = lines.remove(&student.id);
                ConductRow {
                    student_id: student.id,
                    full_name: student.full_name,
                    training_result: line.as_ref().and_then(|l| l.training_result.clone()),
                    comment: line.as_ref().and_then(|l| l.comment.clone()),
                    version: line.as_ref().and_then(|l| l.version),
                    updated_at: line.as_ref().and_then(|l| l.updated_at),
                    updated_by: line.and_then(|l| l.updated_by),
                }
            })
            .collect();
        Ok(ConductSheet {
            class_id: class,
            class_name: row.name,
            grade: row.grade,
            semester,
            window,
            homeroom: row.homeroom_staff_id.zip(row.homeroom_name),
            students,
        })
    }

    /// Writes a student's training result and homeroom comment (TT22 Điều 8),
    /// by the class's homeroom teacher while a window is open (or an
    /// administrator), with optimistic versioning and an audit entry.
    #[allow(clippy::too_many_arguments)]
    pub async fn save_conduct(
        &self,
        actor: &Actor,
        school: SchoolId,
        class: ClassId,
        semester: Semester,
        writer: Writer,
        edit: &ConductEdit,
    ) -> Result<ConductOutcome> {
        let class_row = self.class(school, class).await?;
        let mut tx = self.begin().await?;
        let place = Place {
            class_name: class_row.name.clone(),
            subject_name: "Kết quả rèn luyện".into(),
            grade: class_row.grade.value(),
            semester,
        };
        if let Some(refusal) =
            crate::summary::closed_refusal(&mut tx, school, class, &place).await?
        {
            return Ok(ConductOutcome::Refused(refusal));
        }
        let homeroom: Option<i64> = sqlx::query_scalar(
            "SELECT staff_id FROM homeroom_assignment WHERE school_id = $1 AND class_id = $2",
        )
        .bind(school.0)
        .bind(class.0)
        .fetch_optional(&mut *tx)
        .await?;
        let entrant = Entrant {
            admin: writer.admin,
            assigned: writer.staff.is_some() && homeroom.map(StaffId) == writer.staff,
            override_requested: writer.override_requested,
        };
        let window = load_window(
            &mut *tx,
            school,
            class_row.school_year_id,
            class_row.grade,
            semester,
        )
        .await?;
        let overrides = match gradebook::check_entry(&place, entrant, &window, None) {
            Ok(overrides) => overrides,
            Err(EntryRefusal::NotAssigned { place }) => {
                return Ok(ConductOutcome::Refused(EntryRefusal::NotHomeroom { place }));
            }
            Err(refusal) => return Ok(ConductOutcome::Refused(refusal)),
        };
        let students = load_class_students(
            &mut *tx,
            school,
            class,
            class_row.school_year_id,
            Some(edit.student),
        )
        .await?;
        let Some(name) = students.get(&edit.student) else {
            return Ok(ConductOutcome::UnknownStudent);
        };
        let mut lines =
            load_conduct(&mut *tx, school, class, class_row.school_year_id, semester).await?;
        let old = lines.remove(&edit.student);
        let expected = edit.expected_version.filter(|v| *v != 0);
        if old.as_ref().and_then(|l| l.version) != expected {
            return Ok(ConductOutcome::Stale(old));
        }
        let result = edit.training_result.map(gradebook::training_label);
        let now = now_millis();
        let version = match &old {
            None => {
                sqlx::query(
                    "INSERT INTO conduct (school_id, student_id, school_year_id, semester, class_id, training_result, comment,
                        version, updated_at, updated_by_user_id, updated_by)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $9, $10)",
                )
                .bind(school.0)
                .bind(edit.student.0)
                .bind(class_row.school_year_id.0)
                .bind(i64::from(semester.number()))
                .bind(class.0)
                .bind(result)
                .bind(edit.comment.clone())
                .bind(now)
                .bind(actor.user_id.map(|u| u.0))
                .bind(&actor.name)
                .execute(&mut *tx)
                .await?;
                1
            }
            Some(line) => {
                let version = line.version.unwrap_or(0);
                sqlx::query(
                    "UPDATE conduct SET training_result = $1, comment = $2, class_id = $3, version = version + 1,
                        updated_at = $4, updated_by_user_id = $5, updated_by = $6
                     WHERE school_id = $7 AND student_id = $8 AND school_year_id = $9 AND semester = $10 AND version = $11",
                )
                .bind(result)
                .bind(edit.comment.clone())
                .bind(class.0)
                .bind(now)
                .bind(actor.user_id.map(|u| u.0))
                .bind(&actor.name)
                .bind(school.0)
                .bind(edit.student.0)
                .bind(class_row.school_year_id.0)
                .bind(i64::from(semester.number()))
                .bind(version)
                .execute(&mut *tx)
                .await?;
                version + 1
            }
        };
        let labels: Vec<&str> = overrides.iter().map(|o| o.label()).collect();
        audit::record(
            &mut tx,
            actor,
            Change {
                unit: school.into(),
                action: if overrides.is_empty() { "update" } else { "override" },
                entity: "conduct",
                entity_id: Some(edit.student.0),
                summary: format!(
                    "Kết quả rèn luyện và nhận xét {} của {name} (lớp {}){}",
                    semester.label(),
                    class_row.name,
                    if labels.is_empty() {
                        String::new()
                    } else {
                        format!(" — ghi đè: {}", labels.join(", "))
                    }
                ),
                before: old.as_ref().and_then(|l| {
                    serde_json::to_string(&serde_json::json!({"training_result": l.training_result, "comment": l.comment})).ok()
                }),
                after: serde_json::to_string(&serde_json::json!({"training_result": result, "comment": edit.comment})).ok(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(ConductOutcome::Saved { version, overrides })
    }
}

async fn load_conduct<'e, E: Executor<'e, Database = Any>>(
    executor: E,
    school: SchoolId,
    class: ClassId,
    year: SchoolYearId,
    semester: Semester,
) -> Result<HashMap<StudentId, ConductRow>> {
    let rows = sqlx::query(
        "SELECT student_id, training_result, comment, version, updated_at, updated_by FROM conduct
         WHERE school_id = $1 AND school_year_id = $2 AND semester = $3
           AND student_id IN (SELECT student_id FROM enrolment
                              WHERE school_id = $1 AND class_id = $4 AND school_year_id = $2)",
    )
    .bind(school.0)
    .bind(year.0)
    .bind(i64::from(semester.number()))
    .bind(class.0)
    .fetch_all(executor)
    .await?;
    rows.iter()
        .map(|row| {
            let student = StudentId(row.try_get("student_id")?);
            Ok((
                student,
                ConductRow {
                    student_id: student,
                    full_name: String::new(),
                    training_result: row.try_get("training_result")?,
                    comment: row.try_get("comment")?,
                    version: Some(row.try_get("version")?),
                    updated_at: Some(row.try_get("updated_at")?),
                    updated_by: Some(row.try_get("updated_by")?),
                },
            ))
        })
        .collect()
}
