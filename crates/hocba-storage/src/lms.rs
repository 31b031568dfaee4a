//! Learning systems (LMS) and the OneRoster 1.2 Gradebook subset (issue 6
//! point 5): OAuth clients and tokens, line items that claim a gradebook
//! column, results upserted by `sourcedId`.
//!
//! The rules are `hocba_domain::lms`'s, over the exam sync's column rules
//! (`hocba_domain::exam::ClassFacts`): the facts are read by
//! `exams::class_facts` inside the write transaction, after taking the class
//! row's lock as `close_term` does, so a claim or a write cannot slip past a
//! lock, a window or a closing book. Cells are written like the exam sync's:
//! `synced = 1`, a `gradebook_change` row with channel `sync` and a reason
//! naming the client and the line item, conflict-safe statements.

use crate::audit::{self, Change};
use crate::exams::class_facts;
use crate::{Actor, Result, Store, StoreError, new_id, now_millis};
use hocba_domain::exam::Score;
use hocba_domain::gradebook::{CellValue, Channel, Column, Semester};
use hocba_domain::lms::{
    self, CellNow, CellWrite, ClassRef, LmsRefusal, PeriodRef, Scope, Written,
};
use hocba_domain::{ClassId, SchoolId, SchoolYearId, StudentId, SubjectId};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, Row, Transaction};

/// A refusal of the LMS rules (the request changed nothing), or the answer.
pub type LmsOutcome<T> = std::result::Result<T, LmsRefusal>;

/// An OAuth client of a school, as listed to its admin (never the secret).
#[derive(Debug, Clone, Serialize)]
pub struct LmsClientRow {
    pub id: i64,
    /// The public `client_id`: `{school_id}.{id}`.
    pub client_id: String,
    pub name: String,
    pub scopes: Vec<Scope>,
    pub created_at: i64,
    pub created_by: String,
    pub revoked_at: Option<i64>,
    pub revoked_by: Option<String>,
}

/// The public client id of a client.
pub fn lms_client_id(school: SchoolId, id: i64) -> String {
    format!("{}.{id}", school.0)
}

/// The school and id in a public client id.
pub fn parse_lms_client_id(text: &str) -> Option<(SchoolId, i64)> {
    let (school, id) = text.trim().split_once('.')?;
    Some((SchoolId(school.parse().ok()?), id.parse().ok()?))
}

/// How a client authenticated at the token endpoint.
#[derive(Debug, Clone)]
pub enum ClientCheck {
    Unknown,
    WrongSecret,
    Revoked(LmsClientRow),
    Valid(LmsClientRow),
}

/// Who is calling the OneRoster API: a live token of a live client.
#[derive(Debug, Clone)]
pub struct LmsCaller {
    pub school: SchoolId,
    pub client: i64,
    pub client_name: String,
    pub scopes: Vec<Scope>,
}

impl LmsCaller {
    fn actor(&self) -> Actor {
        Actor::system(format!("Ứng dụng {}", self.client_name))
    }
}

/// A line item as stored, with the names of what it maps to.
#[derive(Debug, Clone, Serialize)]
pub struct LineItemRow {
    pub sourced_id: String,
    pub client: i64,
    pub client_name: String,
    #[serde(skip)]
    pub class: ClassRef,
    pub class_name: String,
    pub subject_name: String,
    #[serde(skip)]
    pub period: PeriodRef,
    pub column: Column,
    pub title: String,
    pub description: Option<String>,
    pub assign_date: Option<String>,
    pub due_date: Option<String>,
    pub status: String,
    pub created_at: i64,
    pub updated_at: i64,
}

/// What a PUT of a line item asks for.
#[derive(Debug, Clone)]
pub struct LineItemInput {
    pub sourced_id: String,
    pub class: ClassRef,
    pub period: PeriodRef,
    pub column: Column,
    pub title: String,
    pub description: Option<String>,
    pub assign_date: Option<String>,
    pub due_date: Option<String>,
    /// `active` or `tobedeleted`.
    pub status: String,
}

/// A result as stored.
#[derive(Debug, Clone, Serialize)]
pub struct ResultRow {
    pub sourced_id: String,
    pub line_item: String,
    #[serde(skip)]
    pub class: ClassRef,
    pub student: StudentId,
    /// The score it wrote (`None` once deleted).
    pub tenths: Option<u32>,
    pub score_status: String,
    pub score_date: Option<String>,
    pub comment: Option<String>,
    pub status: String,
    pub updated_at: i64,
}

/// What a PUT of a result asks for.
#[derive(Debug, Clone)]
pub struct ResultInput {
    pub sourced_id: String,
    pub line_item: String,
    pub student: StudentId,
    pub score: Option<f64>,
    pub score_status: String,
    pub score_date: Option<String>,
    pub comment: Option<String>,
    pub status: String,
}

/// A gradebook as a OneRoster class (class × subject of the current year).
#[derive(Debug, Clone, Serialize)]
pub struct LmsClass {
    #[serde(skip)]
    pub class: ClassRef,
    pub class_name: String,
    pub subject_name: String,
    pub subject_code: String,
    pub grade: i64,
    pub school_year_id: SchoolYearId,
    pub school_year: String,
}

/// A student of a class, for the LMS to map its users.
#[derive(Debug, Clone, Serialize)]
pub struct LmsStudent {
    pub id: StudentId,
    pub full_name: String,
    pub moet_code: Option<String>,
}

fn client_from(school: SchoolId, row: &AnyRow) -> Result<LmsClientRow> {
    let id: i64 = row.try_get("id")?;
    let scopes: String = row.try_get("scopes")?;
    Ok(LmsClientRow {
        id,
        client_id: lms_client_id(school, id),
        name: row.try_get("name")?,
        scopes: lms::parse_scopes(&scopes).unwrap_or_default(),
        created_at: row.try_get("created_at")?,
        created_by: row.try_get("created_by")?,
        revoked_at: row.try_get("revoked_at")?,
        revoked_by: row.try_get("revoked_by")?,
    })
}

const CLIENT_COLUMNS: &str =
    "id, name, scopes, created_at, created_by, revoked_at, revoked_by, secret_hash";

const LINE_ITEM_SELECT: &str = "SELECT li.sourced_id, li.client_id, cl.name AS client_name, li.class_id, li.subject_id,
        li.school_year_id, li.semester, li.column_key, li.title, li.description, li.assign_date, li.due_date,
        li.status, li.created_at, li.updated_at, c.name AS class_name, s.name AS subject_name
     FROM lms_line_item li
     JOIN lms_client cl ON cl.school_id = li.school_id AND cl.id = li.client_id
     LEFT JOIN class c ON c.school_id = li.school_id AND c.id = li.class_id
     LEFT JOIN subject s ON s.school_id = li.school_id AND s.id = li.subject_id
     WHERE li.school_id = $1";

fn line_item_from(row: &AnyRow) -> Result<LineItemRow> {
    let semester: i64 = row.try_get("semester")?;
    let key: String = row.try_get("column_key")?;
    Ok(LineItemRow {
        sourced_id: row.try_get("sourced_id")?,
        client: row.try_get("client_id")?,
        client_name: row.try_get("client_name")?,
        class: ClassRef {
            class: ClassId(row.try_get("class_id")?),
            subject: SubjectId(row.try_get("subject_id")?),
        },
        class_name: row
            .try_get::<Option<String>, _>("class_name")?
            .unwrap_or_default(),
        subject_name: row
            .try_get::<Option<String>, _>("subject_name")?
            .unwrap_or_default(),
        period: PeriodRef {
            year: SchoolYearId(row.try_get("school_year_id")?),
            semester: u8::try_from(semester)
                .ok()
                .and_then(Semester::from_number)
                .ok_or_else(|| StoreError::Refused(format!("Học kỳ {semester} không có.")))?,
        },
        column: Column::parse(&key).map_err(StoreError::Refused)?,
        title: row.try_get("title")?,
        description: row.try_get("description")?,
        assign_date: row.try_get("assign_date")?,
        due_date: row.try_get("due_date")?,
        status: row.try_get("status")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

const RESULT_SELECT: &str =
    "SELECT r.sourced_id, r.line_item_id, r.student_id, r.tenths, r.score_status, r.score_date,
        r.comment, r.status, r.cell_version, r.updated_at, li.class_id, li.subject_id
     FROM lms_result r
     JOIN lms_line_item li ON li.school_id = r.school_id AND li.sourced_id = r.line_item_id
     WHERE r.school_id = $1";

fn result_from(row: &AnyRow) -> Result<ResultRow> {
    let tenths: Option<i64> = row.try_get("tenths")?;
    Ok(ResultRow {
        sourced_id: row.try_get("sourced_id")?,
        line_item: row.try_get("line_item_id")?,
        class: ClassRef {
            class: ClassId(row.try_get("class_id")?),
            subject: SubjectId(row.try_get("subject_id")?),
        },
        student: StudentId(row.try_get("student_id")?),
        tenths: tenths.and_then(|t| u32::try_from(t).ok()),
        score_status: row.try_get("score_status")?,
        score_date: row.try_get("score_date")?,
        comment: row.try_get("comment")?,
        status: row.try_get("status")?,
        updated_at: row.try_get("updated_at")?,
    })
}

async fn load_line_item(
    conn: &mut AnyConnection,
    school: SchoolId,
    sourced_id: &str,
) -> Result<Option<LineItemRow>> {
    let sql = format!("{LINE_ITEM_SELECT} AND li.sourced_id = $2");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(school.0)
        .bind(sourced_id)
        .fetch_optional(&mut *conn)
        .await?
        .as_ref()
        .map(line_item_from)
        .transpose()
}

/// A result with the cell version it wrote.
async fn load_result(
    conn: &mut AnyConnection,
    school: SchoolId,
    sourced_id: &str,
) -> Result<Option<(ResultRow, i64)>> {
    let sql = format!("{RESULT_SELECT} AND r.sourced_id = $2");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(school.0)
        .bind(sourced_id)
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|row| Ok((result_from(&row)?, row.try_get("cell_version")?)))
        .transpose()
}

fn line_item_not_found(sourced_id: &str) -> StoreError {
    StoreError::NotFound(format!("line item “{sourced_id}” trong trường"))
}

/// The student's cell in the line item's column.
async fn load_cell(
    conn: &mut AnyConnection,
    school: SchoolId,
    student: StudentId,
    item: &LineItemRow,
) -> Result<Option<CellNow>> {
    let row = sqlx::query(
        "SELECT tenths, mark, version, updated_by FROM gradebook_cell
         WHERE school_id = $1 AND student_id = $2 AND subject_id = $3 AND semester = $4 AND column_key = $5",
    )
    .bind(school.0)
    .bind(student.0)
    .bind(item.class.subject.0)
    .bind(i64::from(item.period.semester.number()))
    .bind(item.column.key())
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|row| {
        let tenths: Option<i64> = row.try_get("tenths")?;
        let mark: Option<String> = row.try_get("mark")?;
        Ok(CellNow {
            value: CellValue::from_stored(tenths, mark.as_deref()).map(CellValue::code),
            tenths: tenths.and_then(|t| u32::try_from(t).ok()),
            version: row.try_get("version")?,
            updated_by: row.try_get("updated_by")?,
        })
    })
    .transpose()
}

/// One trail row for a cell the LMS changed.
#[allow(clippy::too_many_arguments)]
async fn record_change(
    tx: &mut Transaction<'static, Any>,
    school: SchoolId,
    item: &LineItemRow,
    student: StudentId,
    old: Option<String>,
    new: Option<String>,
    version: i64,
    actor: &Actor,
    reason: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO gradebook_change (school_id, id, student_id, subject_id, semester, column_key, class_id,
            old_value, new_value, missed_make_up, version, at, actor_user_id, actor_name, channel, reason, overrides)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10, $11, NULL, $12, $13, $14, NULL)",
    )
    .bind(school.0)
    .bind(new_id())
    .bind(student.0)
    .bind(item.class.subject.0)
    .bind(i64::from(item.period.semester.number()))
    .bind(item.column.key())
    .bind(item.class.class.0)
    .bind(old)
    .bind(new)
    .bind(version)
    .bind(now_millis())
    .bind(&actor.name)
    .bind(Channel::Sync.code())
    .bind(reason)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    // ---- OAuth clients and tokens -------------------------------------

    pub async fn lms_clients(&self, school: SchoolId) -> Result<Vec<LmsClientRow>> {
        let sql = format!(
            "SELECT {CLIENT_COLUMNS} FROM lms_client WHERE school_id = $1 ORDER BY created_at DESC, id DESC"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(school.0)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|row| client_from(school, row)).collect()
    }

    /// Issues a client; the caller made the secret and passes its hash.
    pub async fn create_lms_client(
        &self,
        actor: &Actor,
        school: SchoolId,
        name: &str,
        scopes: &[Scope],
        secret_hash: &str,
    ) -> Result<LmsClientRow> {
        let name = lms::check_client_name(name).map_err(StoreError::Refused)?;
        if scopes.is_empty() {
            return Err(StoreError::Refused(
                "Hãy chọn ít nhất một quyền (scope) cho ứng dụng.".into(),
            ));
        }
        let id = new_id();
        let now = now_millis();
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO lms_client (school_id, id, name, scopes, secret_hash, created_at, created_by, revoked_at, revoked_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, NULL)",
        )
        .bind(school.0)
        .bind(id)
        .bind(&name)
        .bind(lms::scopes_text(scopes))
        .bind(secret_hash)
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
                entity: "lms_client",
                entity_id: Some(id),
                summary: format!(
                    "Cấp ứng dụng LMS “{name}” (client_id {}), quyền: {}",
                    lms_client_id(school, id),
                    scopes
                        .iter()
                        .map(|s| s.label())
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
                before: None,
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(LmsClientRow {
            id,
            client_id: lms_client_id(school, id),
            name,
            scopes: scopes.to_vec(),
            created_at: now,
            created_by: actor.name.clone(),
            revoked_at: None,
            revoked_by: None,
        })
    }

    /// Revokes a client: its tokens stop working at once.
    pub async fn revoke_lms_client(
        &self,
        actor: &Actor,
        school: SchoolId,
        client: i64,
    ) -> Result<LmsClientRow> {
        let mut tx = self.begin().await?;
        let sql =
            format!("SELECT {CLIENT_COLUMNS} FROM lms_client WHERE school_id = $1 AND id = $2");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(school.0)
            .bind(client)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound("ứng dụng LMS này trong trường".into()))?;
        let mut found = client_from(school, &row)?;
        if found.revoked_at.is_some() {
            return Ok(found);
        }
        let now = now_millis();
        sqlx::query(
            "UPDATE lms_client SET revoked_at = $1, revoked_by = $2 WHERE school_id = $3 AND id = $4",
        )
        .bind(now)
        .bind(&actor.name)
        .bind(school.0)
        .bind(client)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM lms_token WHERE school_id = $1 AND client_id = $2")
            .bind(school.0)
            .bind(client)
            .execute(&mut *tx)
            .await?;
        audit::record(
            &mut tx,
            actor,
            Change {
                unit: school.into(),
                action: "revoke",
                entity: "lms_client",
                entity_id: Some(client),
                summary: format!("Thu hồi ứng dụng LMS “{}”", found.name),
                before: None,
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        found.revoked_at = Some(now);
        found.revoked_by = Some(actor.name.clone());
        Ok(found)
    }

    /// Checks a client's credentials (the token endpoint).
    pub async fn check_lms_client(
        &self,
        client_id: &str,
        secret_hash: &str,
    ) -> Result<ClientCheck> {
        let Some((school, id)) = parse_lms_client_id(client_id) else {
            return Ok(ClientCheck::Unknown);
        };
        let sql =
            format!("SELECT {CLIENT_COLUMNS} FROM lms_client WHERE school_id = $1 AND id = $2");
        let Some(row) = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(school.0)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(ClientCheck::Unknown);
        };
        let stored: String = row.try_get("secret_hash")?;
        if !constant_time_eq(stored.as_bytes(), secret_hash.as_bytes()) {
            return Ok(ClientCheck::WrongSecret);
        }
        let client = client_from(school, &row)?;
        Ok(if client.revoked_at.is_some() {
            ClientCheck::Revoked(client)
        } else {
            ClientCheck::Valid(client)
        })
    }

    /// Stores a token (its hash) for a valid client.
    pub async fn issue_lms_token(
        &self,
        client_id: &str,
        scopes: &[Scope],
        token_hash: &str,
        expires_at: i64,
    ) -> Result<()> {
        let (school, id) = parse_lms_client_id(client_id)
            .ok_or_else(|| StoreError::NotFound("ứng dụng LMS".into()))?;
        let now = now_millis();
        let mut tx = self.begin().await?;
        // Expired tokens of the client go as new ones come.
        sqlx::query(
            "DELETE FROM lms_token WHERE school_id = $1 AND client_id = $2 AND expires_at <= $3",
        )
        .bind(school.0)
        .bind(id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO lms_token (school_id, token_hash, client_id, scopes, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(school.0)
        .bind(token_hash)
        .bind(id)
        .bind(lms::scopes_text(scopes))
        .bind(now)
        .bind(expires_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The caller of a live token of a client that is not revoked.
    pub async fn lms_caller(
        &self,
        school: SchoolId,
        token_hash: &str,
    ) -> Result<Option<LmsCaller>> {
        let row = sqlx::query(
            "SELECT t.client_id, t.scopes, c.name FROM lms_token t
             JOIN lms_client c ON c.school_id = t.school_id AND c.id = t.client_id
             WHERE t.school_id = $1 AND t.token_hash = $2 AND t.expires_at > $3 AND c.revoked_at IS NULL",
        )
        .bind(school.0)
        .bind(token_hash)
        .bind(now_millis())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            let scopes: String = row.try_get("scopes")?;
            Ok(LmsCaller {
                school,
                client: row.try_get("client_id")?,
                client_name: row.try_get("name")?,
                scopes: lms::parse_scopes(&scopes).unwrap_or_default(),
            })
        })
        .transpose()
    }

    // ---- Discovery ------------------------------------------------------

    /// The gradebooks of the current year as OneRoster classes.
    pub async fn lms_classes(&self, school: SchoolId) -> Result<Vec<LmsClass>> {
        let year = self.current_year(school).await?;
        let rows = sqlx::query(
            "SELECT c.id AS class_id, c.name AS class_name, c.grade, s.id AS subject_id, s.name AS subject_name, s.code
             FROM class c
             JOIN subject s ON s.school_id = c.school_id AND s.school_year_id = c.school_year_id AND s.grade = c.grade
             WHERE c.school_id = $1 AND c.school_year_id = $2",
        )
        .bind(school.0)
        .bind(year.id.0)
        .fetch_all(&self.pool)
        .await?;
        let mut classes = rows
            .iter()
            .map(|row| {
                Ok(LmsClass {
                    class: ClassRef {
                        class: ClassId(row.try_get("class_id")?),
                        subject: SubjectId(row.try_get("subject_id")?),
                    },
                    class_name: row.try_get("class_name")?,
                    subject_name: row.try_get("subject_name")?,
                    subject_code: row
                        .try_get::<Option<String>, _>("code")?
                        .unwrap_or_default(),
                    grade: row.try_get("grade")?,
                    school_year_id: year.id,
                    school_year: year.label.clone(),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let collator = hocba_text::collator();
        classes.sort_by(|a, b| {
            collator
                .compare(&a.class_name, &b.class_name)
                .then_with(|| collator.compare(&a.subject_name, &b.subject_name))
        });
        Ok(classes)
    }

    /// One OneRoster class (any year), or `None` outside the school.
    pub async fn lms_class(&self, school: SchoolId, class: ClassRef) -> Result<Option<LmsClass>> {
        let row = sqlx::query(
            "SELECT c.name AS class_name, c.grade, c.school_year_id, y.start_year, s.name AS subject_name, s.code
             FROM class c
             JOIN school_year y ON y.school_id = c.school_id AND y.id = c.school_year_id
             JOIN subject s ON s.school_id = c.school_id AND s.id = $3 AND s.school_year_id = c.school_year_id AND s.grade = c.grade
             WHERE c.school_id = $1 AND c.id = $2",
        )
        .bind(school.0)
        .bind(class.class.0)
        .bind(class.subject.0)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            let start: i64 = row.try_get("start_year")?;
            Ok(LmsClass {
                class,
                class_name: row.try_get("class_name")?,
                subject_name: row.try_get("subject_name")?,
                subject_code: row
                    .try_get::<Option<String>, _>("code")?
                    .unwrap_or_default(),
                grade: row.try_get("grade")?,
                school_year_id: SchoolYearId(row.try_get("school_year_id")?),
                school_year: hocba_domain::school::SchoolYear {
                    start_year: u16::try_from(start).unwrap_or(0),
                }
                .label(),
            })
        })
        .transpose()
    }

    /// The students studying in a class (sourcedId = student id).
    pub async fn lms_class_students(
        &self,
        school: SchoolId,
        class: ClassId,
    ) -> Result<Vec<LmsStudent>> {
        let rows = sqlx::query(
            "SELECT s.id, s.full_name, s.moet_code FROM enrolment e
             JOIN class c ON c.school_id = e.school_id AND c.id = e.class_id AND c.school_year_id = e.school_year_id
             JOIN student s ON s.school_id = e.school_id AND s.id = e.student_id
             WHERE e.school_id = $1 AND e.class_id = $2 AND e.status = 'studying'",
        )
        .bind(school.0)
        .bind(class.0)
        .fetch_all(&self.pool)
        .await?;
        let mut students = rows
            .iter()
            .map(|row| {
                Ok(LmsStudent {
                    id: StudentId(row.try_get("id")?),
                    full_name: row
                        .try_get::<Option<String>, _>("full_name")?
                        .unwrap_or_default(),
                    moet_code: row
                        .try_get::<Option<String>, _>("moet_code")?
                        .filter(|c| !c.trim().is_empty()),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let collator = hocba_text::collator();
        students.sort_by(|a, b| collator.compare_person_names(&a.full_name, &b.full_name));
        Ok(students)
    }

    // ---- Line items -------------------------------------------------------

    /// The school's line items, optionally of one OneRoster class.
    pub async fn lms_line_items(
        &self,
        school: SchoolId,
        class: Option<ClassRef>,
    ) -> Result<Vec<LineItemRow>> {
        let mut sql = LINE_ITEM_SELECT.to_owned();
        if class.is_some() {
            sql.push_str(" AND li.class_id = $2 AND li.subject_id = $3");
        }
        sql.push_str(" ORDER BY li.created_at, li.sourced_id");
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(school.0);
        if let Some(class) = class {
            query = query.bind(class.class.0).bind(class.subject.0);
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter().map(line_item_from).collect()
    }

    pub async fn lms_line_item(
        &self,
        school: SchoolId,
        sourced_id: &str,
    ) -> Result<Option<LineItemRow>> {
        load_line_item(&mut *self.pool.acquire().await?, school, sourced_id).await
    }

    /// PUT of a line item: creates it (claiming its column under the sync
    /// rules) or updates its title, dates and status. `true` when created.
    pub async fn put_lms_line_item(
        &self,
        caller: &LmsCaller,
        input: &LineItemInput,
    ) -> Result<LmsOutcome<(LineItemRow, bool)>> {
        let school = caller.school;
        let actor = caller.actor();
        let title = hocba_text::clean_input(&input.title);
        let mut tx = self.begin().await?;
        let now = now_millis();
        let mut existing = load_line_item(&mut tx, school, &input.sourced_id).await?;
        let mut read = None;
        if existing.is_none() {
            // Take the class's row lock, then look again: a concurrent PUT
            // of the same line item (PostgreSQL) is then an update.
            read = Some(
                class_facts(
                    &mut tx,
                    school,
                    input.class.class,
                    input.class.subject,
                    input.period.semester,
                    true,
                )
                .await?,
            );
            existing = load_line_item(&mut tx, school, &input.sourced_id).await?;
        }
        if let Some(existing) = existing {
            if existing.client != caller.client {
                return Ok(Err(LmsRefusal::OtherClient {
                    line_item: existing.title,
                    client: existing.client_name,
                }));
            }
            if existing.class != input.class
                || existing.period != input.period
                || existing.column != input.column
            {
                return Ok(Err(LmsRefusal::Moved {
                    line_item: existing.title,
                }));
            }
            sqlx::query(
                "UPDATE lms_line_item SET title = $1, description = $2, assign_date = $3, due_date = $4, status = $5,
                    updated_at = $6
                 WHERE school_id = $7 AND sourced_id = $8",
            )
            .bind(&title)
            .bind(&input.description)
            .bind(&input.assign_date)
            .bind(&input.due_date)
            .bind(&input.status)
            .bind(now)
            .bind(school.0)
            .bind(&input.sourced_id)
            .execute(&mut *tx)
            .await?;
            let updated = load_line_item(&mut tx, school, &input.sourced_id)
                .await?
                .ok_or_else(|| line_item_not_found(&input.sourced_id))?;
            tx.commit().await?;
            return Ok(Ok((updated, false)));
        }
        let (facts, year, _) = read.expect("read when the line item is new");
        if year != input.period.year {
            return Err(StoreError::NotFound(format!(
                "kỳ đánh giá (gradingPeriod) {} của lớp {}: lớp thuộc năm học mã {}, dùng {}",
                input.period.sourced_id(),
                facts.place.class_name,
                year.0,
                PeriodRef {
                    year,
                    semester: input.period.semester
                }
                .sourced_id()
            )));
        }
        let claimed = sqlx::query(
            "SELECT li.title, cl.name FROM lms_line_item li
             JOIN lms_client cl ON cl.school_id = li.school_id AND cl.id = li.client_id
             WHERE li.school_id = $1 AND li.class_id = $2 AND li.subject_id = $3 AND li.semester = $4 AND li.column_key = $5",
        )
        .bind(school.0)
        .bind(input.class.class.0)
        .bind(input.class.subject.0)
        .bind(i64::from(input.period.semester.number()))
        .bind(input.column.key())
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(row) = claimed {
            return Ok(Err(LmsRefusal::ColumnClaimed {
                column: input.column,
                line_item: row.try_get("title")?,
                client: row.try_get("name")?,
            }));
        }
        if let Some(refusal) = lms::claim_block(&facts, input.column) {
            return Ok(Err(refusal));
        }
        sqlx::query(
            "INSERT INTO lms_line_item (school_id, sourced_id, client_id, class_id, subject_id, school_year_id, semester,
                column_key, title, description, assign_date, due_date, status, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)",
        )
        .bind(school.0)
        .bind(&input.sourced_id)
        .bind(caller.client)
        .bind(input.class.class.0)
        .bind(input.class.subject.0)
        .bind(year.0)
        .bind(i64::from(input.period.semester.number()))
        .bind(input.column.key())
        .bind(&title)
        .bind(&input.description)
        .bind(&input.assign_date)
        .bind(&input.due_date)
        .bind(&input.status)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        audit::record(
            &mut tx,
            &actor,
            Change {
                unit: school.into(),
                action: "create",
                entity: "lms_line_item",
                entity_id: None,
                summary: format!(
                    "Ứng dụng {} nhận cột {} môn {} lớp {} {} (line item “{title}”, {})",
                    caller.client_name,
                    input.column.label(),
                    facts.place.subject_name,
                    facts.place.class_name,
                    input.period.semester.label(),
                    input.sourced_id
                ),
                before: None,
                after: None,
            },
        )
        .await?;
        let created = load_line_item(&mut tx, school, &input.sourced_id)
            .await?
            .ok_or_else(|| line_item_not_found(&input.sourced_id))?;
        tx.commit().await?;
        Ok(Ok((created, true)))
    }

    /// DELETE of a line item: only its own client, only without results
    /// (the column is then free again).
    pub async fn delete_lms_line_item(
        &self,
        caller: &LmsCaller,
        sourced_id: &str,
    ) -> Result<LmsOutcome<()>> {
        let school = caller.school;
        let mut tx = self.begin().await?;
        let item = load_line_item(&mut tx, school, sourced_id)
            .await?
            .ok_or_else(|| line_item_not_found(sourced_id))?;
        if item.client != caller.client {
            return Ok(Err(LmsRefusal::OtherClient {
                line_item: item.title,
                client: item.client_name,
            }));
        }
        let count: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM lms_result WHERE school_id = $1 AND line_item_id = $2",
        )
        .bind(school.0)
        .bind(sourced_id)
        .fetch_one(&mut *tx)
        .await?;
        if count > 0 {
            return Ok(Err(LmsRefusal::HasResults {
                line_item: item.title,
                count,
            }));
        }
        sqlx::query("DELETE FROM lms_line_item WHERE school_id = $1 AND sourced_id = $2")
            .bind(school.0)
            .bind(sourced_id)
            .execute(&mut *tx)
            .await?;
        audit::record(
            &mut tx,
            &caller.actor(),
            Change {
                unit: school.into(),
                action: "delete",
                entity: "lms_line_item",
                entity_id: None,
                summary: format!(
                    "Ứng dụng {} xóa line item “{}” ({sourced_id}); cột {} môn {} lớp {} trống trở lại",
                    caller.client_name,
                    item.title,
                    item.column.label(),
                    item.subject_name,
                    item.class_name
                ),
                before: None,
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(()))
    }

    // ---- Results ----------------------------------------------------------

    /// The school's results, optionally of one line item or one class.
    pub async fn lms_results(
        &self,
        school: SchoolId,
        line_item: Option<&str>,
        class: Option<ClassRef>,
    ) -> Result<Vec<ResultRow>> {
        let mut sql = RESULT_SELECT.to_owned();
        let mut next = 2;
        if line_item.is_some() {
            sql.push_str(&format!(" AND r.line_item_id = ${next}"));
            next += 1;
        }
        if class.is_some() {
            sql.push_str(&format!(
                " AND li.class_id = ${next} AND li.subject_id = ${}",
                next + 1
            ));
        }
        sql.push_str(" ORDER BY r.line_item_id, r.created_at, r.sourced_id");
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(school.0);
        if let Some(line_item) = line_item {
            query = query.bind(line_item);
        }
        if let Some(class) = class {
            query = query.bind(class.class.0).bind(class.subject.0);
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter().map(result_from).collect()
    }

    pub async fn lms_result(
        &self,
        school: SchoolId,
        sourced_id: &str,
    ) -> Result<Option<ResultRow>> {
        Ok(
            load_result(&mut *self.pool.acquire().await?, school, sourced_id)
                .await?
                .map(|(row, _)| row),
        )
    }

    /// PUT of a result, upserted by its `sourcedId`: writes the student's
    /// cell in the line item's column under the sync rules. A retry with the
    /// same score writes nothing; another score replaces the cell only while
    /// it still holds what this result wrote. `true` when created.
    pub async fn put_lms_result(
        &self,
        caller: &LmsCaller,
        input: &ResultInput,
    ) -> Result<LmsOutcome<(ResultRow, bool)>> {
        let school = caller.school;
        let actor = caller.actor();
        let score: Score = match input.score {
            None => {
                return Ok(Err(LmsRefusal::NoScore {
                    status: input.score_status.clone(),
                }));
            }
            Some(score) => match lms::parse_score(score) {
                Ok(score) => score,
                Err(refusal) => return Ok(Err(refusal)),
            },
        };
        let mut tx = self.begin().await?;
        let item = load_line_item(&mut tx, school, &input.line_item)
            .await?
            .ok_or_else(|| line_item_not_found(&input.line_item))?;
        if item.client != caller.client {
            return Ok(Err(LmsRefusal::OtherClient {
                line_item: item.title,
                client: item.client_name,
            }));
        }
        if item.status != "active" {
            return Ok(Err(LmsRefusal::LineItemInactive {
                line_item: item.title,
            }));
        }
        // The column rules, read with the class's row lock taken first: a
        // retry racing the first PUT (PostgreSQL) waits here, then reads
        // the first one's result and changes nothing.
        let (facts, _, _) = class_facts(
            &mut tx,
            school,
            item.class.class,
            item.class.subject,
            item.period.semester,
            true,
        )
        .await?;
        let previous = load_result(&mut tx, school, &input.sourced_id).await?;
        if let Some((row, _)) = &previous
            && (row.line_item != input.line_item || row.student != input.student)
        {
            return Ok(Err(LmsRefusal::ResultMoved {
                result: input.sourced_id.clone(),
            }));
        }
        // The student: of the school, studying in the class, with a code.
        let student = sqlx::query(
            "SELECT s.full_name, s.moet_code, e.class_id FROM student s
             LEFT JOIN enrolment e ON e.school_id = s.school_id AND e.student_id = s.id AND e.class_id = $3
                AND e.school_year_id = $4 AND e.status = 'studying'
             WHERE s.school_id = $1 AND s.id = $2",
        )
        .bind(school.0)
        .bind(input.student.0)
        .bind(item.class.class.0)
        .bind(item.period.year.0)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("học sinh mã {} trong trường", input.student)))?;
        let name: String = student
            .try_get::<Option<String>, _>("full_name")?
            .unwrap_or_default();
        if student.try_get::<Option<i64>, _>("class_id")?.is_none() {
            return Ok(Err(LmsRefusal::NotInClass {
                student: name,
                class_name: item.class_name,
            }));
        }
        let has_code = student
            .try_get::<Option<String>, _>("moet_code")?
            .is_some_and(|c| !c.trim().is_empty());
        if !has_code {
            return Ok(Err(LmsRefusal::NoMinistryCode { student: name }));
        }
        if let Some(refusal) = lms::write_block(&facts, item.column) {
            return Ok(Err(refusal));
        }
        if previous.is_none() {
            let other: Option<String> = sqlx::query_scalar(
                "SELECT sourced_id FROM lms_result WHERE school_id = $1 AND line_item_id = $2 AND student_id = $3",
            )
            .bind(school.0)
            .bind(&input.line_item)
            .bind(input.student.0)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(other) = other {
                return Ok(Err(LmsRefusal::DuplicateStudent {
                    student: name,
                    result: other,
                }));
            }
        }
        let cell = load_cell(&mut tx, school, input.student, &item).await?;
        let written = previous.as_ref().map(|(row, cell_version)| Written {
            tenths: row.tenths,
            cell_version: *cell_version,
        });
        let decision = match lms::decide_write(&name, written, cell.as_ref(), score) {
            Ok(decision) => decision,
            Err(refusal) => return Ok(Err(refusal)),
        };
        let now = now_millis();
        let key = item.column.key();
        let cell_version = match decision {
            CellWrite::Unchanged => previous
                .as_ref()
                .map(|(_, v)| *v)
                .expect("Unchanged needs a previous write"),
            CellWrite::Fill { version } => {
                let written = sqlx::query(
                    "INSERT INTO gradebook_cell (school_id, student_id, subject_id, semester, column_key, school_year_id,
                        tenths, mark, missed_make_up, synced, version, updated_at, updated_by_user_id, updated_by)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, 0, 1, 1, $8, NULL, $9)
                     ON CONFLICT (school_id, student_id, subject_id, semester, column_key) DO UPDATE SET
                        tenths = excluded.tenths, mark = NULL, missed_make_up = 0, synced = 1,
                        version = gradebook_cell.version + 1, updated_at = excluded.updated_at,
                        updated_by_user_id = NULL, updated_by = excluded.updated_by
                     WHERE gradebook_cell.tenths IS NULL AND gradebook_cell.mark IS NULL",
                )
                .bind(school.0)
                .bind(input.student.0)
                .bind(item.class.subject.0)
                .bind(i64::from(item.period.semester.number()))
                .bind(&key)
                .bind(item.period.year.0)
                .bind(i64::from(score.tenths()))
                .bind(now)
                .bind(&actor.name)
                .execute(&mut *tx)
                .await?;
                if written.rows_affected() != 1 {
                    drop(tx);
                    return self.raced(school, &name, &item, input.student).await;
                }
                version.map_or(1, |v| v + 1)
            }
            CellWrite::Replace { version } => {
                let written = sqlx::query(
                    "UPDATE gradebook_cell SET tenths = $1, mark = NULL, missed_make_up = 0, synced = 1,
                        version = version + 1, updated_at = $2, updated_by_user_id = NULL, updated_by = $3
                     WHERE school_id = $4 AND student_id = $5 AND subject_id = $6 AND semester = $7 AND column_key = $8
                       AND version = $9",
                )
                .bind(i64::from(score.tenths()))
                .bind(now)
                .bind(&actor.name)
                .bind(school.0)
                .bind(input.student.0)
                .bind(item.class.subject.0)
                .bind(i64::from(item.period.semester.number()))
                .bind(&key)
                .bind(version)
                .execute(&mut *tx)
                .await?;
                if written.rows_affected() != 1 {
                    drop(tx);
                    return self.raced(school, &name, &item, input.student).await;
                }
                version + 1
            }
        };
        if decision != CellWrite::Unchanged {
            let reason = lms::change_reason(&caller.client_name, &item.title, &item.sourced_id);
            record_change(
                &mut tx,
                school,
                &item,
                input.student,
                cell.as_ref().and_then(|c| c.value.clone()),
                Some(score.to_string()),
                cell_version,
                &actor,
                &reason,
            )
            .await?;
        }
        sqlx::query(
            "INSERT INTO lms_result (school_id, sourced_id, line_item_id, student_id, tenths, score_status, score_date,
                comment, status, cell_version, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)
             ON CONFLICT (school_id, sourced_id) DO UPDATE SET tenths = excluded.tenths,
                score_status = excluded.score_status, score_date = excluded.score_date, comment = excluded.comment,
                status = excluded.status, cell_version = excluded.cell_version, updated_at = excluded.updated_at",
        )
        .bind(school.0)
        .bind(&input.sourced_id)
        .bind(&input.line_item)
        .bind(input.student.0)
        .bind(i64::from(score.tenths()))
        .bind(&input.score_status)
        .bind(&input.score_date)
        .bind(&input.comment)
        .bind(&input.status)
        .bind(cell_version)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let (row, _) = load_result(&mut tx, school, &input.sourced_id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("kết quả “{}”", input.sourced_id)))?;
        tx.commit().await?;
        Ok(Ok((row, previous.is_none())))
    }

    /// The cell changed between our read and our write (PostgreSQL): the
    /// LMS is told who holds it now.
    async fn raced<T>(
        &self,
        school: SchoolId,
        name: &str,
        item: &LineItemRow,
        student: StudentId,
    ) -> Result<LmsOutcome<T>> {
        let cell = load_cell(&mut *self.pool.acquire().await?, school, student, item).await?;
        Ok(Err(LmsRefusal::CellTaken {
            student: name.into(),
            value: cell
                .as_ref()
                .and_then(|c| c.value.clone())
                .unwrap_or_default(),
            by: cell.map(|c| c.updated_by).unwrap_or_default(),
            changed_since: false,
        }))
    }

    /// DELETE of a result: the cell is cleared if it still holds what the
    /// result wrote (under the same window, lock and closed-book checks);
    /// a value a teacher changed since stays, only the result goes.
    pub async fn delete_lms_result(
        &self,
        caller: &LmsCaller,
        sourced_id: &str,
    ) -> Result<LmsOutcome<()>> {
        let school = caller.school;
        let actor = caller.actor();
        let mut tx = self.begin().await?;
        let (result, cell_version) = load_result(&mut tx, school, sourced_id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("kết quả “{sourced_id}” trong trường")))?;
        let item = load_line_item(&mut tx, school, &result.line_item)
            .await?
            .ok_or_else(|| line_item_not_found(&result.line_item))?;
        if item.client != caller.client {
            return Ok(Err(LmsRefusal::OtherClient {
                line_item: item.title,
                client: item.client_name,
            }));
        }
        let cell = load_cell(&mut tx, school, result.student, &item).await?;
        if let Some(current) = cell
            .as_ref()
            .filter(|c| c.version == cell_version && c.value.is_some())
        {
            let (facts, _, _) = class_facts(
                &mut tx,
                school,
                item.class.class,
                item.class.subject,
                item.period.semester,
                true,
            )
            .await?;
            if let Some(refusal) = lms::write_block(&facts, item.column) {
                return Ok(Err(refusal));
            }
            let cleared = sqlx::query(
                "UPDATE gradebook_cell SET tenths = NULL, mark = NULL, missed_make_up = 0, synced = 0,
                    version = version + 1, updated_at = $1, updated_by_user_id = NULL, updated_by = $2
                 WHERE school_id = $3 AND student_id = $4 AND subject_id = $5 AND semester = $6 AND column_key = $7
                   AND version = $8",
            )
            .bind(now_millis())
            .bind(&actor.name)
            .bind(school.0)
            .bind(result.student.0)
            .bind(item.class.subject.0)
            .bind(i64::from(item.period.semester.number()))
            .bind(item.column.key())
            .bind(cell_version)
            .execute(&mut *tx)
            .await?;
            if cleared.rows_affected() == 1 {
                let reason = format!(
                    "Xóa kết quả {sourced_id}: {}",
                    lms::change_reason(&caller.client_name, &item.title, &item.sourced_id)
                );
                record_change(
                    &mut tx,
                    school,
                    &item,
                    result.student,
                    current.value.clone(),
                    None,
                    cell_version + 1,
                    &actor,
                    &reason,
                )
                .await?;
            }
        }
        sqlx::query("DELETE FROM lms_result WHERE school_id = $1 AND sourced_id = $2")
            .bind(school.0)
            .bind(sourced_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Ok(()))
    }
}

/// Compares two secrets' hashes without leaking where they differ.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
