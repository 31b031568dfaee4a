//! Subjects per school year and grade, with periods per year and mode.

use crate::audit::{self, Change};
use crate::{Actor, Result, Store, StoreError};
use hocba_domain::curriculum::SubjectMode;
use hocba_domain::{Grade, SchoolId, SchoolYearId, SubjectId};
use serde::Serialize;
use sqlx::Row;

#[derive(Debug, Clone, Serialize)]
pub struct SubjectRow {
    pub id: SubjectId,
    pub grade: Grade,
    pub code: String,
    pub name: String,
    pub periods_per_year: i64,
    pub mode: SubjectMode,
    pub version: i64,
}

impl Store {
    pub async fn subjects(
        &self,
        school: SchoolId,
        year: SchoolYearId,
        grade: Option<Grade>,
    ) -> Result<Vec<SubjectRow>> {
        let rows = sqlx::query(
            "SELECT id, grade, code, name, periods_per_year, mode, version FROM subject
             WHERE school_id = $1 AND school_year_id = $2 AND ($3 IS NULL OR grade = $3) ORDER BY grade, position",
        )
        .bind(school.0)
        .bind(year.0)
        .bind(grade.map(|g| i64::from(g.value())))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let grade: i64 = row.try_get("grade")?;
                let mode: String = row.try_get("mode")?;
                Ok(SubjectRow {
                    id: SubjectId(row.try_get("id")?),
                    grade: Grade::new(grade as u8)
                        .map_err(|e| StoreError::Refused(e.to_string()))?,
                    code: row.try_get("code")?,
                    name: row.try_get("name")?,
                    periods_per_year: row.try_get("periods_per_year")?,
                    mode: SubjectMode::from_code(&mode).unwrap_or(SubjectMode::Scored),
                    version: row.try_get("version")?,
                })
            })
            .collect()
    }

    /// Changes the periods per year and the mode of a subject (they decide the
    /// number of regular assessments, TT22 Điều 6).
    pub async fn update_subject(
        &self,
        actor: &Actor,
        school: SchoolId,
        id: SubjectId,
        expected_version: i64,
        periods_per_year: u16,
        mode: SubjectMode,
    ) -> Result<()> {
        if !(1..=1000).contains(&periods_per_year) {
            return Err(StoreError::Refused(
                "Số tiết/năm phải từ 1 đến 1000.".into(),
            ));
        }
        let mut tx = self.begin().await?;
        let updated = sqlx::query(
            "UPDATE subject SET periods_per_year = $1, mode = $2, version = version + 1 WHERE school_id = $3 AND id = $4 AND version = $5",
        )
        .bind(i64::from(periods_per_year))
        .bind(mode.code())
        .bind(school.0)
        .bind(id.0)
        .bind(expected_version)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::Conflict("Môn học".into()));
        }
        let change = Change {
            unit: school.into(),
            action: "update",
            entity: "subject",
            entity_id: Some(id.0),
            summary: format!("Sửa môn học: {periods_per_year} tiết/năm, {}", mode.label()),
            before: None,
            after: None,
        };
        audit::record(&mut tx, actor, change).await?;
        tx.commit().await?;
        Ok(())
    }
}
