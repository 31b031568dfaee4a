//! Classes of a school year (seed 002 §II).

use crate::audit::{self, Change};
use crate::records::registry_sql;
use crate::{Actor, Result, Store, StoreError, new_id, now_millis};
use hocba_domain::class::{ClassDefinition, ClassStatus, check_removal};
use hocba_domain::{ClassId, Grade, SchoolId, SchoolYearId, StaffId};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

#[derive(Debug, Clone, Serialize)]
pub struct ClassRow {
    pub id: ClassId,
    pub school_year_id: SchoolYearId,
    pub name: String,
    pub grade: Grade,
    pub campus_id: Option<i64>,
    pub sessions_per_week: Option<u8>,
    pub status: ClassStatus,
    pub version: i64,
    pub student_count: i64,
    pub homeroom_staff_id: Option<StaffId>,
    pub homeroom_name: Option<String>,
}

const CLASS_SELECT: &str = "SELECT c.id, c.school_year_id, c.name, c.grade, c.campus_id, c.sessions_per_week, c.status, c.version,
        (SELECT COUNT(*) FROM enrolment e WHERE e.school_id = c.school_id AND e.class_id = c.id AND e.status = 'studying') AS student_count,
        h.staff_id AS homeroom_staff_id, t.full_name AS homeroom_name
     FROM class c
     LEFT JOIN homeroom_assignment h ON h.school_id = c.school_id AND h.class_id = c.id
     LEFT JOIN staff t ON t.school_id = h.school_id AND t.id = h.staff_id";

fn class_from_row(row: &AnyRow) -> Result<ClassRow> {
    let grade: i64 = row.try_get("grade")?;
    let status: String = row.try_get("status")?;
    let sessions: Option<i64> = row.try_get("sessions_per_week")?;
    Ok(ClassRow {
        id: ClassId(row.try_get("id")?),
        school_year_id: SchoolYearId(row.try_get("school_year_id")?),
        name: row.try_get("name")?,
        grade: Grade::new(grade as u8).map_err(|e| StoreError::Refused(e.to_string()))?,
        campus_id: row.try_get("campus_id")?,
        sessions_per_week: sessions.map(|s| s as u8),
        status: ClassStatus::from_code(&status).unwrap_or(ClassStatus::Active),
        version: row.try_get("version")?,
        student_count: row.try_get("student_count")?,
        homeroom_staff_id: row
            .try_get::<Option<i64>, _>("homeroom_staff_id")?
            .map(StaffId),
        homeroom_name: row.try_get("homeroom_name")?,
    })
}

impl Store {
    pub async fn classes(&self, school: SchoolId, year: SchoolYearId) -> Result<Vec<ClassRow>> {
        let rows = sqlx::query(registry_sql(&format!(
            "{CLASS_SELECT} WHERE c.school_id = $1 AND c.school_year_id = $2 ORDER BY c.grade, c.name"
        )))
        .bind(school.0)
        .bind(year.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(class_from_row).collect()
    }

    pub async fn class(&self, school: SchoolId, id: ClassId) -> Result<ClassRow> {
        let row = sqlx::query(registry_sql(&format!(
            "{CLASS_SELECT} WHERE c.school_id = $1 AND c.id = $2"
        )))
        .bind(school.0)
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("lớp mã {id} trong trường này")))?;
        class_from_row(&row)
    }

    /// Adds a class, or saves an existing one at `expected_version`.
    pub async fn save_class(
        &self,
        actor: &Actor,
        school: SchoolId,
        year: SchoolYearId,
        existing: Option<(ClassId, i64)>,
        class: &ClassDefinition,
    ) -> Result<ClassId> {
        let duplicate = || {
            format!(
                "Năm học này đã có lớp {}; hãy đặt tên lớp khác.",
                class.name
            )
        };
        let mut tx = self.begin().await?;
        // The year and the campus must be this school's: ids sent by a client
        // of one school never reach into another.
        let owned: i64 = sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM school_year WHERE school_id = $1 AND id = $2)
                  + (SELECT COUNT(*) FROM campus WHERE school_id = $1 AND id = $3)",
        )
        .bind(school.0)
        .bind(year.0)
        .bind(class.campus_id)
        .fetch_one(&mut *tx)
        .await?;
        if owned != 1 + i64::from(class.campus_id.is_some()) {
            return Err(StoreError::NotFound(
                "năm học hoặc điểm trường này của trường".into(),
            ));
        }
        let (id, action, summary) = match existing {
            None => {
                let id = ClassId(new_id());
                sqlx::query(
                    "INSERT INTO class (school_id, id, school_year_id, name, grade, campus_id, sessions_per_week, status, version, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, 'active', 1, $8)",
                )
                .bind(school.0)
                .bind(id.0)
                .bind(year.0)
                .bind(&class.name)
                .bind(i64::from(class.grade.value()))
                .bind(class.campus_id)
                .bind(class.sessions_per_week.map(i64::from))
                .bind(now_millis())
                .execute(&mut *tx)
                .await
                .map_err(|e| StoreError::from_unique(e, duplicate))?;
                (id, "create", format!("Thêm lớp {}", class.name))
            }
            Some((id, version)) => {
                let updated = sqlx::query(
                    "UPDATE class SET name = $1, grade = $2, campus_id = $3, sessions_per_week = $4, version = version + 1
                     WHERE school_id = $5 AND id = $6 AND version = $7",
                )
                .bind(&class.name)
                .bind(i64::from(class.grade.value()))
                .bind(class.campus_id)
                .bind(class.sessions_per_week.map(i64::from))
                .bind(school.0)
                .bind(id.0)
                .bind(version)
                .execute(&mut *tx)
                .await
                .map_err(|e| StoreError::from_unique(e, duplicate))?;
                if updated.rows_affected() == 0 {
                    return Err(StoreError::Conflict(format!("Lớp {}", class.name)));
                }
                (id, "update", format!("Sửa lớp {}", class.name))
            }
        };
        let change = Change {
            unit: school.into(),
            action,
            entity: "class",
            entity_id: Some(id.0),
            summary,
            before: None,
            after: serde_json::to_string(class).ok(),
        };
        audit::record(&mut tx, actor, change).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Dissolves (giải thể) or deletes an empty class; a class with students
    /// is refused with the reason (seed 002 §II.2).
    pub async fn remove_class(
        &self,
        actor: &Actor,
        school: SchoolId,
        id: ClassId,
        delete: bool,
    ) -> Result<()> {
        let class = self.class(school, id).await?;
        let mut tx = self.begin().await?;
        let students: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM enrolment WHERE school_id = $1 AND class_id = $2 AND (status = 'studying' OR $3 = 1)",
        )
        .bind(school.0)
        .bind(id.0)
        .bind(i64::from(delete))
        .fetch_one(&mut *tx)
        .await?;
        check_removal(&class.name, students as u64, delete)
            .map_err(|e| StoreError::Refused(e.to_string()))?;
        if delete {
            for table in ["teaching_assignment", "homeroom_assignment"] {
                sqlx::query(registry_sql(&format!(
                    "DELETE FROM {table} WHERE school_id = $1 AND class_id = $2"
                )))
                .bind(school.0)
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
            }
            sqlx::query("DELETE FROM class WHERE school_id = $1 AND id = $2")
                .bind(school.0)
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
        } else {
            sqlx::query("UPDATE class SET status = 'dissolved', version = version + 1 WHERE school_id = $1 AND id = $2")
                .bind(school.0)
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
        }
        let change = Change {
            unit: school.into(),
            action: if delete { "delete" } else { "dissolve" },
            entity: "class",
            entity_id: Some(id.0),
            summary: format!(
                "{} lớp {}",
                if delete { "Xóa" } else { "Giải thể" },
                class.name
            ),
            before: serde_json::to_string(&class).ok(),
            after: None,
        };
        audit::record(&mut tx, actor, change).await?;
        tx.commit().await?;
        Ok(())
    }
}
