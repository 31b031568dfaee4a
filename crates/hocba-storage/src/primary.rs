//! Primary assessment (TT27): per student × school year × milestone, the
//! level of each subject and activity, the periodic test scores, the 15
//! ratings of qualities and competencies, the teacher's comment (migration
//! 0006). A class's book (all four milestones) is read in a fixed number of
//! queries; a save of one or many students' lines is one transaction that
//! reads the homeroom and teaching assignment, the entry window and the
//! closed book, checks the versions, writes the rows and the audit entry.
//!
//! The rules are `hocba_domain::primary`'s (values, the summary through
//! `hocba_assessment::tt27`) and `hocba_domain::gradebook`'s (entry window,
//! administrator overrides); nothing is decided here.

use crate::audit::{self, Change};
use crate::gradebook::Writer;
use crate::records::registry_sql;
use crate::summary::{TermClosure, closed_refusal, load_closure};
use crate::{Actor, Result, Store, StoreError, StudentFilter, now_millis};
use hocba_domain::access::Denied;
use hocba_domain::gradebook::{
    self, Entrant, EntryRefusal, EntryWindow, Override, Place, Semester, WindowState,
};
use hocba_domain::primary::{
    self, EntryScope, Exemptible, LineEdit, Milestone, MilestoneValues, PeriodicTestScore,
    PrimaryLevel, PrimarySubjectInfo, RATINGS, StudentMilestones, level_code, level_from_code,
    rating_code, rating_from_code,
};
use hocba_domain::school::SchoolYear;
use hocba_domain::student::EnrolmentStatus;
use hocba_domain::{ClassId, Grade, SchoolId, SchoolYearId, StaffId, StudentId, SubjectId};
use serde::Serialize;
use sqlx::Row;
use std::collections::{BTreeMap, HashMap};

/// Who changed a student's line at a milestone last, and its version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineStamp {
    pub version: i64,
    pub updated_at: i64,
    pub updated_by: String,
}

/// A primary class's book: its subjects, students and every stored value
/// of the four milestones, with the entry windows and closings that apply.
#[derive(Debug, Clone)]
pub struct PrimaryBook {
    pub class_id: ClassId,
    pub class_name: String,
    pub grade: Grade,
    pub school_year_id: SchoolYearId,
    pub school_year: SchoolYear,
    /// Why the class has no primary book (not a primary class), if so.
    pub not_primary: Option<String>,
    pub homeroom: Option<(StaffId, String)>,
    pub subjects: Vec<PrimarySubjectInfo>,
    /// Studying students in Vietnamese order, with their values.
    pub students: Vec<StudentMilestones>,
    pub stamps: HashMap<(StudentId, Milestone), LineStamp>,
    /// The entry window of semester I and II.
    pub windows: [WindowState; 2],
    pub closures: [Option<TermClosure>; 2],
}

impl PrimaryBook {
    pub fn window(&self, semester: Semester) -> &WindowState {
        &self.windows[usize::from(semester.number() - 1)]
    }

    pub fn closure(&self, semester: Semester) -> Option<&TermClosure> {
        self.closures[usize::from(semester.number() - 1)]
            .as_ref()
            .filter(|c| c.closed)
    }

    pub fn stamp(&self, student: StudentId, milestone: Milestone) -> Option<&LineStamp> {
        self.stamps.get(&(student, milestone))
    }
}

/// A line that changed since the form was loaded.
#[derive(Debug, Clone, Serialize)]
pub struct StaleLine {
    pub student_id: StudentId,
    pub full_name: String,
    pub expected_version: Option<i64>,
    pub current: Option<LineStamp>,
}

#[derive(Debug, Clone)]
pub enum PrimaryOutcome {
    Saved {
        /// Students whose line changed.
        changed: usize,
        overrides: Vec<Override>,
        /// The version of every edited student's line after the save.
        versions: BTreeMap<StudentId, i64>,
    },
    /// Not this person's class or subject (403).
    Forbidden(Denied),
    /// A window or a closed book (423), or a refusal of the value (422).
    Refused(EntryRefusal),
    /// Someone saved these lines in between (409); nothing was saved.
    Stale(Vec<StaleLine>),
    /// Not a primary class (422).
    NotPrimary(String),
}

fn window_from(row: &sqlx::any::AnyRow) -> Result<EntryWindow> {
    let grade: i64 = row.try_get("grade")?;
    let semester: i64 = row.try_get("semester")?;
    Ok(EntryWindow {
        id: row.try_get("id")?,
        grade: u8::try_from(grade).unwrap_or(0),
        semester: u8::try_from(semester)
            .ok()
            .and_then(Semester::from_number)
            .ok_or_else(|| {
                StoreError::Refused(gradebook::invalid_semester(&semester.to_string()))
            })?,
        opens_at: row.try_get("opens_at")?,
        closes_at: row.try_get("closes_at")?,
    })
}

/// The entry windows of a grade for both semesters: one query.
async fn load_windows(
    conn: &mut sqlx::AnyConnection,
    school: SchoolId,
    year: SchoolYearId,
    grade: Grade,
) -> Result<[WindowState; 2]> {
    let rows = sqlx::query(
        "SELECT id, grade, semester, opens_at, closes_at FROM entry_window
         WHERE school_id = $1 AND school_year_id = $2 AND grade = $3",
    )
    .bind(school.0)
    .bind(year.0)
    .bind(i64::from(grade.value()))
    .fetch_all(&mut *conn)
    .await?;
    let windows = rows.iter().map(window_from).collect::<Result<Vec<_>>>()?;
    let now = now_millis();
    let of = |semester: Semester| {
        let list: Vec<EntryWindow> = windows
            .iter()
            .filter(|w| w.semester == semester)
            .cloned()
            .collect();
        gradebook::window_state(&list, now)
    };
    Ok([of(Semester::S1), of(Semester::S2)])
}

fn milestone_of(key: &str) -> Result<Milestone> {
    primary::parse_milestone(key).map_err(StoreError::Refused)
}

/// The stored lines of the class's students (at one milestone, or all):
/// two queries, whatever the number of students.
async fn load_values(
    conn: &mut sqlx::AnyConnection,
    school: SchoolId,
    class: ClassId,
    year: SchoolYearId,
    milestone: Option<Milestone>,
) -> Result<(
    HashMap<StudentId, BTreeMap<Milestone, MilestoneValues>>,
    HashMap<(StudentId, Milestone), LineStamp>,
)> {
    let fields = primary::rating_fields();
    let columns = fields.iter().map(|f| f.key).collect::<Vec<_>>().join(", ");
    let students = "student_id IN (SELECT student_id FROM enrolment
                      WHERE school_id = $1 AND class_id = $2 AND school_year_id = $3)";
    let rows = sqlx::query(registry_sql(&format!(
        "SELECT student_id, milestone, {columns}, comment, outstanding, version, updated_at, updated_by
         FROM primary_assessment
         WHERE school_id = $1 AND school_year_id = $3 AND ($4 IS NULL OR milestone = $4) AND {students}"
    )))
    .bind(school.0)
    .bind(class.0)
    .bind(year.0)
    .bind(milestone.map(|m| m.key()))
    .fetch_all(&mut *conn)
    .await?;
    let mut values: HashMap<StudentId, BTreeMap<Milestone, MilestoneValues>> = HashMap::new();
    let mut stamps = HashMap::new();
    for row in &rows {
        let student = StudentId(row.try_get("student_id")?);
        let milestone = milestone_of(&row.try_get::<String, _>("milestone")?)?;
        let line = values
            .entry(student)
            .or_default()
            .entry(milestone)
            .or_default();
        for (index, field) in fields.iter().enumerate() {
            let code: Option<String> = row.try_get(field.key)?;
            line.ratings[index] = code.as_deref().and_then(rating_from_code);
        }
        line.comment = row.try_get("comment")?;
        line.outstanding = row.try_get::<i64, _>("outstanding")? != 0;
        stamps.insert(
            (student, milestone),
            LineStamp {
                version: row.try_get("version")?,
                updated_at: row.try_get("updated_at")?,
                updated_by: row.try_get("updated_by")?,
            },
        );
    }
    let rows = sqlx::query(registry_sql(&format!(
        "SELECT student_id, milestone, subject_id, level, test_score, test_mark
         FROM primary_subject_assessment
         WHERE school_id = $1 AND school_year_id = $3 AND ($4 IS NULL OR milestone = $4) AND {students}"
    )))
    .bind(school.0)
    .bind(class.0)
    .bind(year.0)
    .bind(milestone.map(|m| m.key()))
    .fetch_all(&mut *conn)
    .await?;
    for row in &rows {
        let student = StudentId(row.try_get("student_id")?);
        let milestone = milestone_of(&row.try_get::<String, _>("milestone")?)?;
        let subject = SubjectId(row.try_get("subject_id")?);
        let line = values
            .entry(student)
            .or_default()
            .entry(milestone)
            .or_default();
        let level: Option<String> = row.try_get("level")?;
        if let Some(level) = level.as_deref().and_then(level_from_code) {
            line.levels.insert(subject, level);
        }
        let score: Option<i64> = row.try_get("test_score")?;
        let mark: Option<String> = row.try_get("test_mark")?;
        let test = match (score, mark.as_deref()) {
            (_, Some("M")) => Some(Exemptible::Exempt),
            (Some(points), _) => u64::try_from(points)
                .ok()
                .and_then(|p| PeriodicTestScore::new(p).ok())
                .map(Exemptible::Assessed),
            _ => None,
        };
        if let Some(test) = test {
            line.tests.insert(subject, test);
        }
    }
    Ok((values, stamps))
}

fn stored_test(test: Option<Exemptible<PeriodicTestScore>>) -> (Option<i64>, Option<&'static str>) {
    match test {
        Some(Exemptible::Assessed(score)) => (Some(i64::from(score.points())), None),
        Some(Exemptible::Exempt) => (None, Some("M")),
        None => (None, None),
    }
}

/// A line as JSON for the audit trail.
fn line_json(subjects: &[PrimarySubjectInfo], values: &MilestoneValues) -> serde_json::Value {
    let name = |id: &SubjectId| {
        subjects
            .iter()
            .find(|s| s.id == *id)
            .map_or_else(|| id.to_string(), |s| s.name.clone())
    };
    let fields = primary::rating_fields();
    serde_json::json!({
        "levels": values.levels.iter().map(|(id, l)| (name(id), level_code(l))).collect::<BTreeMap<_, _>>(),
        "tests": values.tests.iter().map(|(id, t)| (name(id), primary::test_code(t))).collect::<BTreeMap<_, _>>(),
        "ratings": fields.iter().zip(values.ratings).filter_map(|(f, r)| r.map(|r| (f.key, rating_code(r)))).collect::<BTreeMap<_, _>>(),
        "comment": values.comment,
        "outstanding": values.outstanding,
    })
}

/// A subject row to write: the level and test after the edit.
struct SubjectRow {
    student: StudentId,
    subject: SubjectId,
    level: Option<Exemptible<PrimaryLevel>>,
    test: Option<Exemptible<PeriodicTestScore>>,
}

/// What every written row carries.
struct Stamp<'a> {
    school: SchoolId,
    year: SchoolYearId,
    class: ClassId,
    milestone: Milestone,
    now: i64,
    actor: &'a Actor,
}

/// Lines per statement (26 binds each) and subject rows per statement (12
/// binds each): well under SQLite's and PostgreSQL's bind limits.
const LINES_PER_STATEMENT: usize = 40;
const SUBJECT_ROWS_PER_STATEMENT: usize = 200;

/// "($1, $2, …), (…)" for `rows` rows of `columns` values.
fn value_rows(rows: usize, columns: usize) -> String {
    (0..rows)
        .map(|row| {
            let holes: Vec<String> = (1..=columns)
                .map(|c| format!("${}", row * columns + c))
                .collect();
            format!("({})", holes.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Upserts the students' lines with their new versions; an existing row is
/// replaced only at the version read (the previous one), so a line changed
/// in between makes the count fall short: `Err(student)` of that chunk.
async fn write_lines(
    conn: &mut sqlx::AnyConnection,
    stamp: &Stamp<'_>,
    lines: &[(StudentId, MilestoneValues, i64)],
) -> Result<std::result::Result<(), StudentId>> {
    let fields = primary::rating_fields();
    let columns = fields.iter().map(|f| f.key).collect::<Vec<_>>().join(", ");
    let updates = fields
        .iter()
        .map(|f| format!("{0} = excluded.{0}", f.key))
        .collect::<Vec<_>>()
        .join(", ");
    for chunk in lines.chunks(LINES_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO primary_assessment (school_id, student_id, school_year_id, milestone, class_id, {columns},
                comment, outstanding, version, updated_at, updated_by_user_id, updated_by)
             VALUES {}
             ON CONFLICT (school_id, student_id, school_year_id, milestone) DO UPDATE SET
                class_id = excluded.class_id, {updates}, comment = excluded.comment,
                outstanding = excluded.outstanding, version = excluded.version,
                updated_at = excluded.updated_at, updated_by_user_id = excluded.updated_by_user_id,
                updated_by = excluded.updated_by
             WHERE primary_assessment.version = excluded.version - 1",
            value_rows(chunk.len(), 11 + RATINGS)
        );
        let mut query = sqlx::query(registry_sql(&sql));
        for (student, after, version) in chunk {
            query = query
                .bind(stamp.school.0)
                .bind(student.0)
                .bind(stamp.year.0)
                .bind(stamp.milestone.key())
                .bind(stamp.class.0);
            for rating in after.ratings {
                query = query.bind(rating.map(rating_code));
            }
            query = query
                .bind(after.comment.clone())
                .bind(i64::from(after.outstanding))
                .bind(*version)
                .bind(stamp.now)
                .bind(stamp.actor.user_id.map(|u| u.0))
                .bind(stamp.actor.name.clone());
        }
        let written = query.execute(&mut *conn).await?;
        if usize::try_from(written.rows_affected()).ok() != Some(chunk.len()) {
            return Ok(Err(chunk[0].0));
        }
    }
    Ok(Ok(()))
}

/// Upserts the changed subject rows (a cleared value keeps its row).
async fn write_subject_rows(
    conn: &mut sqlx::AnyConnection,
    stamp: &Stamp<'_>,
    rows: &[SubjectRow],
) -> Result<()> {
    for chunk in rows.chunks(SUBJECT_ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO primary_subject_assessment (school_id, student_id, school_year_id, milestone, subject_id, class_id,
                level, test_score, test_mark, updated_at, updated_by_user_id, updated_by)
             VALUES {}
             ON CONFLICT (school_id, student_id, school_year_id, milestone, subject_id) DO UPDATE SET
                class_id = excluded.class_id, level = excluded.level, test_score = excluded.test_score,
                test_mark = excluded.test_mark, updated_at = excluded.updated_at,
                updated_by_user_id = excluded.updated_by_user_id, updated_by = excluded.updated_by",
            value_rows(chunk.len(), 12)
        );
        let mut query = sqlx::query(registry_sql(&sql));
        for row in chunk {
            let (score, mark) = stored_test(row.test.clone());
            query = query
                .bind(stamp.school.0)
                .bind(row.student.0)
                .bind(stamp.year.0)
                .bind(stamp.milestone.key())
                .bind(row.subject.0)
                .bind(stamp.class.0)
                .bind(row.level.as_ref().map(level_code))
                .bind(score)
                .bind(mark)
                .bind(stamp.now)
                .bind(stamp.actor.user_id.map(|u| u.0))
                .bind(stamp.actor.name.clone());
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

impl Store {
    /// A class's primary book: subjects of its grade, studying students in
    /// Vietnamese order with every milestone's values, the entry windows and
    /// closings of both semesters. A fixed number of queries.
    pub async fn primary_book(&self, school: SchoolId, class: ClassId) -> Result<PrimaryBook> {
        let row = self.class(school, class).await?;
        let start: i64 = sqlx::query_scalar(
            "SELECT start_year FROM school_year WHERE school_id = $1 AND id = $2",
        )
        .bind(school.0)
        .bind(row.school_year_id.0)
        .fetch_one(&self.pool)
        .await?;
        let school_year = SchoolYear {
            start_year: u16::try_from(start).unwrap_or(0),
        };
        let not_primary = primary::primary_regime(row.grade, school_year, &row.name).err();
        let subjects = self
            .subjects(school, row.school_year_id, Some(row.grade))
            .await?
            .into_iter()
            .map(|s| PrimarySubjectInfo {
                id: s.id,
                name: s.name,
            })
            .collect();
        let filter = StudentFilter {
            class: Some(class),
            query: None,
            status: Some(EnrolmentStatus::Studying),
        };
        let listed = self.students(school, row.school_year_id, &filter).await?;
        let mut conn = self.pool.acquire().await?;
        let (mut values, stamps) =
            load_values(&mut conn, school, class, row.school_year_id, None).await?;
        let windows = load_windows(&mut conn, school, row.school_year_id, row.grade).await?;
        let closures = [
            load_closure(&mut *conn, school, class, Semester::S1).await?,
            load_closure(&mut *conn, school, class, Semester::S2).await?,
        ];
        let students = listed
            .into_iter()
            .map(|s| StudentMilestones {
                values: values.remove(&s.id).unwrap_or_default(),
                id: s.id,
                full_name: s.full_name,
            })
            .collect();
        Ok(PrimaryBook {
            class_id: class,
            class_name: row.name,
            grade: row.grade,
            school_year_id: row.school_year_id,
            school_year,
            not_primary,
            homeroom: row.homeroom_staff_id.zip(row.homeroom_name),
            subjects,
            students,
            stamps,
            windows,
            closures,
        })
    }

    /// Saves checked lines of a class at a milestone, all or nothing: the
    /// homeroom teacher of the class (any value) or, with
    /// `EntryScope::Subject`, the teacher assigned to that subject in the
    /// milestone's semester (its levels and tests), or an administrator;
    /// inside the semester's entry window (an administrator may override,
    /// recorded) and while the book is not closed. A line whose version
    /// changed since it was read refuses the whole save.
    #[allow(clippy::too_many_arguments)]
    pub async fn save_primary(
        &self,
        actor: &Actor,
        school: SchoolId,
        class: ClassId,
        milestone: Milestone,
        writer: Writer,
        scope: EntryScope,
        edits: &[LineEdit],
    ) -> Result<PrimaryOutcome> {
        let book_class = self.class(school, class).await?;
        let start: i64 = sqlx::query_scalar(
            "SELECT start_year FROM school_year WHERE school_id = $1 AND id = $2",
        )
        .bind(school.0)
        .bind(book_class.school_year_id.0)
        .fetch_one(&self.pool)
        .await?;
        let school_year = SchoolYear {
            start_year: u16::try_from(start).unwrap_or(0),
        };
        if let Err(message) =
            primary::primary_regime(book_class.grade, school_year, &book_class.name)
        {
            return Ok(PrimaryOutcome::NotPrimary(message));
        }
        let subjects: Vec<PrimarySubjectInfo> = self
            .subjects(school, book_class.school_year_id, Some(book_class.grade))
            .await?
            .into_iter()
            .map(|s| PrimarySubjectInfo {
                id: s.id,
                name: s.name,
            })
            .collect();
        let semester = primary::milestone_semester(milestone);
        let subject_name = match scope {
            EntryScope::Class => format!("đánh giá {}", milestone.vietnamese()),
            EntryScope::Subject(subject) => subjects
                .iter()
                .find(|s| s.id == subject)
                .map(|s| s.name.clone())
                .ok_or_else(|| {
                    StoreError::NotFound(format!("môn mã {subject} của khối lớp này"))
                })?,
        };
        let place = Place {
            class_name: book_class.name.clone(),
            subject_name,
            grade: book_class.grade.value(),
            semester,
        };
        let year = book_class.school_year_id;
        let mut tx = self.begin().await?;
        if let Some(refusal) = closed_refusal(&mut tx, school, class, &place).await? {
            return Ok(PrimaryOutcome::Refused(refusal));
        }
        let homeroom: Option<i64> = sqlx::query_scalar(
            "SELECT staff_id FROM homeroom_assignment WHERE school_id = $1 AND class_id = $2",
        )
        .bind(school.0)
        .bind(class.0)
        .fetch_optional(&mut *tx)
        .await?;
        let teacher: Option<i64> = match scope {
            EntryScope::Class => None,
            EntryScope::Subject(subject) => {
                sqlx::query_scalar(
                    "SELECT staff_id FROM teaching_assignment
                 WHERE school_id = $1 AND class_id = $2 AND subject_id = $3 AND semester = $4",
                )
                .bind(school.0)
                .bind(class.0)
                .bind(subject.0)
                .bind(i64::from(semester.number()))
                .fetch_optional(&mut *tx)
                .await?
            }
        };
        let is = |staff: Option<i64>| writer.staff.is_some() && staff.map(StaffId) == writer.staff;
        let assigned = is(homeroom) || is(teacher);
        if !assigned && !writer.admin {
            return Ok(PrimaryOutcome::Forbidden(not_entitled(
                &place, milestone, scope,
            )));
        }
        let windows = load_windows(&mut tx, school, year, book_class.grade).await?;
        let window = &windows[usize::from(semester.number() - 1)];
        let entrant = Entrant {
            admin: writer.admin,
            assigned,
            override_requested: writer.override_requested,
        };
        let overrides = match gradebook::check_entry(&place, entrant, window, None) {
            Ok(overrides) => overrides,
            Err(refusal) => return Ok(PrimaryOutcome::Refused(refusal)),
        };
        // The students must be studying in the class: one query.
        let names: HashMap<StudentId, String> = sqlx::query(
            "SELECT e.student_id, s.full_name FROM enrolment e
             JOIN student s ON s.school_id = e.school_id AND s.id = e.student_id
             WHERE e.school_id = $1 AND e.class_id = $2 AND e.school_year_id = $3 AND e.status = 'studying'",
        )
        .bind(school.0)
        .bind(class.0)
        .bind(year.0)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|row| {
            Ok((
                StudentId(row.try_get("student_id")?),
                row.try_get::<Option<String>, _>("full_name")?
                    .unwrap_or_default(),
            ))
        })
        .collect::<Result<_>>()?;
        if let Some(edit) = edits.iter().find(|e| !names.contains_key(&e.student)) {
            return Ok(PrimaryOutcome::Refused(EntryRefusal::InvalidValue {
                message: format!(
                    "Học sinh mã {} không đang học ở lớp {}: tải lại trang để có danh sách lớp hiện tại; chưa có gì được lưu.",
                    edit.student, book_class.name
                ),
            }));
        }
        let (mut values, stamps) =
            load_values(&mut tx, school, class, year, Some(milestone)).await?;
        let stale: Vec<StaleLine> = edits
            .iter()
            .filter_map(|edit| {
                let current = stamps.get(&(edit.student, milestone));
                let expected = edit.expected_version.filter(|v| *v != 0);
                (current.map(|s| s.version) != expected).then(|| StaleLine {
                    student_id: edit.student,
                    full_name: names.get(&edit.student).cloned().unwrap_or_default(),
                    expected_version: expected,
                    current: current.cloned(),
                })
            })
            .collect();
        if !stale.is_empty() {
            return Ok(PrimaryOutcome::Stale(stale));
        }
        // Decide every line first, then write them set-based: one upsert per
        // chunk of lines and of subject rows, whatever the class size.
        let mut versions = BTreeMap::new();
        let mut before_json = serde_json::Map::new();
        let mut after_json = serde_json::Map::new();
        let mut changed_names = Vec::new();
        let mut lines: Vec<(StudentId, MilestoneValues, i64)> = Vec::new();
        let mut subject_rows: Vec<SubjectRow> = Vec::new();
        for edit in edits {
            let before = values
                .get_mut(&edit.student)
                .and_then(|m| m.remove(&milestone))
                .unwrap_or_default();
            let after = edit.apply(&before);
            let current = stamps.get(&(edit.student, milestone)).map(|s| s.version);
            if after == before {
                versions.insert(edit.student, current.unwrap_or(0));
                continue;
            }
            let version = current.map_or(1, |v| v + 1);
            versions.insert(edit.student, version);
            let touched: std::collections::BTreeSet<SubjectId> = edit
                .levels
                .keys()
                .chain(edit.tests.keys())
                .copied()
                .collect();
            for subject in touched {
                let level = after.levels.get(&subject).cloned();
                let test = after.tests.get(&subject).cloned();
                if before.levels.get(&subject) != level.as_ref()
                    || before.tests.get(&subject) != test.as_ref()
                {
                    subject_rows.push(SubjectRow {
                        student: edit.student,
                        subject,
                        level,
                        test,
                    });
                }
            }
            let key = edit.student.0.to_string();
            before_json.insert(key.clone(), line_json(&subjects, &before));
            after_json.insert(key, line_json(&subjects, &after));
            changed_names.push(names.get(&edit.student).cloned().unwrap_or_default());
            lines.push((edit.student, after, version));
        }
        let stamp = Stamp {
            school,
            year,
            class,
            milestone,
            now: now_millis(),
            actor,
        };
        if let Err(student) = write_lines(&mut tx, &stamp, &lines).await? {
            return Err(StoreError::Conflict(format!(
                "đánh giá {} của {} vừa được người khác sửa",
                milestone.vietnamese(),
                names.get(&student).cloned().unwrap_or_default()
            )));
        }
        write_subject_rows(&mut tx, &stamp, &subject_rows).await?;
        let changed = changed_names.len();
        if changed > 0 {
            let labels: Vec<&str> = overrides.iter().map(|o| o.label()).collect();
            audit::record(
                &mut tx,
                actor,
                Change {
                    unit: school.into(),
                    action: if overrides.is_empty() {
                        "update"
                    } else {
                        "override"
                    },
                    entity: "primary_assessment",
                    entity_id: Some(class.0),
                    summary: format!(
                        "Đánh giá {} ({}) lớp {}: {}{}",
                        milestone.vietnamese(),
                        place.subject_name,
                        book_class.name,
                        changed_names.join(", "),
                        if labels.is_empty() {
                            String::new()
                        } else {
                            format!(" — ghi đè: {}", labels.join(", "))
                        }
                    ),
                    before: Some(serde_json::Value::Object(before_json).to_string()),
                    after: Some(serde_json::Value::Object(after_json).to_string()),
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(PrimaryOutcome::Saved {
            changed,
            overrides,
            versions,
        })
    }
}

impl Store {
    /// "Xác nhận hoàn thành đánh giá, khóa sổ" of a primary class at the
    /// end of a semester (cuối học kỳ I closes semester I, cuối năm học
    /// semester II): inside one transaction that takes the class's row lock
    /// (as every save does), reads the class's lines and refuses, saying
    /// who, unless every line is complete (`primary::check_close`); then
    /// the same closing as the secondary book (`term_closure`), audited.
    /// While closed, `save_primary` refuses; an administrator reopens with
    /// `reopen_term`.
    pub async fn close_primary(
        &self,
        actor: &Actor,
        school: SchoolId,
        class: ClassId,
        milestone: Milestone,
    ) -> Result<crate::CloseOutcome> {
        let book = self.primary_book(school, class).await?;
        if let Some(message) = &book.not_primary {
            return Ok(crate::CloseOutcome::Refused(message.clone()));
        }
        let semester = primary::milestone_semester(milestone);
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE class SET version = version WHERE school_id = $1 AND id = $2")
            .bind(school.0)
            .bind(class.0)
            .execute(&mut *tx)
            .await?;
        let existing = load_closure(&mut *tx, school, class, semester).await?;
        if let Some(closure) = existing.as_ref().filter(|c| c.closed) {
            return Ok(crate::CloseOutcome::Refused(format!(
                "Lớp {} đã khóa sổ {} ({} lúc {}). Muốn sửa, hãy đề nghị quản trị viên mở lại sổ.",
                book.class_name,
                semester.label(),
                closure.closed_by,
                hocba_domain::date::vietnam_time(closure.closed_at)
            )));
        }
        // The lines as they are now, under the lock: two queries.
        let (mut values, _) =
            load_values(&mut tx, school, class, book.school_year_id, None).await?;
        let lines: Vec<primary::PrimarySummaryLine> = book
            .students
            .iter()
            .map(|student| {
                let now = StudentMilestones {
                    id: student.id,
                    full_name: student.full_name.clone(),
                    values: values.remove(&student.id).unwrap_or_default(),
                };
                primary::summarise_student(book.grade, milestone, &book.subjects, &now)
            })
            .collect();
        if let Err(why) = primary::check_close(&book.class_name, milestone, &lines) {
            return Ok(crate::CloseOutcome::Refused(why));
        }
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
            .bind(book.school_year_id.0)
            .bind(now)
            .bind(&actor.name)
            .execute(&mut *tx)
            .await?;
        }
        let counts = primary::counts(&lines);
        audit::record(
            &mut tx,
            actor,
            Change {
                unit: school.into(),
                action: "close_term",
                entity: "class",
                entity_id: Some(class.0),
                summary: format!(
                    "Xác nhận hoàn thành đánh giá {} lớp {}, khóa sổ {} ({} học sinh)",
                    milestone.vietnamese(),
                    book.class_name,
                    semester.label(),
                    counts.students
                ),
                before: None,
                after: serde_json::to_string(&counts).ok(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(crate::CloseOutcome::Closed(TermClosure {
            closed: true,
            closed_at: now,
            closed_by: actor.name.clone(),
            reopened_at: existing.as_ref().and_then(|c| c.reopened_at),
            reopened_by: existing.as_ref().and_then(|c| c.reopened_by.clone()),
            reopen_reason: existing.and_then(|c| c.reopen_reason),
        }))
    }
}

/// Why a teacher may not enter a class's (or a subject's) primary assessment.
fn not_entitled(place: &Place, milestone: Milestone, scope: EntryScope) -> Denied {
    match scope {
        EntryScope::Class => Denied {
            reason: format!(
                "Bạn không phải giáo viên chủ nhiệm lớp {} nên không được nhập đánh giá {} của lớp này.",
                place.class_name,
                milestone.vietnamese()
            ),
            remedy: "Ở tiểu học, giáo viên chủ nhiệm nhập mức đạt được, điểm kiểm tra, phẩm chất, năng lực và nhận xét của lớp mình (Thông tư 27/2020 Điều 7); giáo viên bộ môn nhập môn mình được phân công. Nếu phân công chưa đúng, hãy liên hệ quản trị viên của trường.".into(),
        },
        EntryScope::Subject(_) => Denied {
            reason: format!(
                "Bạn không được phân công dạy môn {} lớp {} {} và không chủ nhiệm lớp này.",
                place.subject_name,
                place.class_name,
                place.semester.label()
            ),
            remedy: "Giáo viên bộ môn chỉ nhập môn, lớp và học kỳ mình được phân công giảng dạy; nếu phân công chưa đúng, hãy liên hệ quản trị viên của trường.".into(),
        },
    }
}
