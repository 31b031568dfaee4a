//! Staff records (seed 002 §III).

use crate::audit::{self, Change};
use crate::records::registry_sql;
use crate::records::{self, assignments, column_list, placeholders};
use crate::{Actor, Result, Store, StoreError, new_id, now_millis};
use hocba_domain::form::Draft;
use hocba_domain::staff::{FIELDS, StaffProfile};
use hocba_domain::{SchoolId, StaffId};
use serde::Serialize;
use sqlx::Row;
use std::collections::HashMap;
use std::sync::LazyLock;

#[derive(Debug, Clone, Serialize)]
pub struct StaffRow {
    pub id: StaffId,
    pub version: i64,
    pub full_name: String,
    pub profile: Draft,
}

static INSERT_STAFF: LazyLock<String> = LazyLock::new(|| {
    format!(
        "INSERT INTO staff (school_id, id, full_name_fold, version, created_at, {}) VALUES ($1, $2, $3, 1, $4, {})",
        column_list(&FIELDS),
        placeholders(&FIELDS, 5)
    )
});

/// Passed as the expected version to update whatever version is stored.
const ANY_VERSION: i64 = -1;

static UPDATE_STAFF: LazyLock<String> = LazyLock::new(|| {
    format!(
        "UPDATE staff SET version = version + 1, full_name_fold = $1, {} WHERE school_id = $2 AND id = $3 AND ($4 < 0 OR version = $4)",
        assignments(&FIELDS, 5)
    )
});

fn duplicate(error: sqlx::Error, profile: &StaffProfile) -> StoreError {
    StoreError::from_unique(error, || {
        format!(
            "Trường đã có cán bộ khác trùng số định danh cá nhân với {}; hãy kiểm tra lại.",
            profile.full_name()
        )
    })
}

impl Store {
    /// Staff of the school sorted the Vietnamese way, optionally filtered by
    /// an accent-insensitive name query.
    pub async fn staff(&self, school: SchoolId, query: Option<&str>) -> Result<Vec<StaffRow>> {
        let folded = query.map(hocba_text::fold_query).filter(|q| !q.is_empty());
        let rows = sqlx::query(registry_sql(&format!(
            "SELECT id, version, {} FROM staff WHERE school_id = $1 AND ($2 IS NULL OR full_name_fold LIKE $2)",
            column_list(&FIELDS)
        )))
        .bind(school.0)
        .bind(folded.map(|q| format!("%{}%", q.replace(['%', '_'], ""))))
        .fetch_all(&self.pool)
        .await?;
        let mut staff = rows
            .iter()
            .map(|row| {
                let profile = records::draft_from_row(row, &FIELDS);
                Ok(StaffRow {
                    id: StaffId(row.try_get("id")?),
                    version: row.try_get("version")?,
                    full_name: profile.get("full_name").cloned().unwrap_or_default(),
                    profile,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        hocba_text::collator().sort_by_person_name(&mut staff, |s| &s.full_name);
        Ok(staff)
    }

    pub async fn staff_member(&self, school: SchoolId, id: StaffId) -> Result<StaffRow> {
        let row = sqlx::query(registry_sql(&format!(
            "SELECT id, version, {} FROM staff WHERE school_id = $1 AND id = $2",
            column_list(&FIELDS)
        )))
        .bind(school.0)
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("cán bộ mã {id} trong trường này")))?;
        let profile = records::draft_from_row(&row, &FIELDS);
        Ok(StaffRow {
            id,
            version: row.try_get("version")?,
            full_name: profile.get("full_name").cloned().unwrap_or_default(),
            profile,
        })
    }

    /// Adds a staff member, or saves an existing one at `expected_version`.
    pub async fn save_staff(
        &self,
        actor: &Actor,
        school: SchoolId,
        existing: Option<(StaffId, i64)>,
        profile: &StaffProfile,
    ) -> Result<StaffId> {
        let mut tx = self.begin().await?;
        let id = self
            .save_staff_in(&mut tx, school, existing, profile)
            .await?;
        let change = Change {
            unit: school.into(),
            action: if existing.is_some() {
                "update"
            } else {
                "create"
            },
            entity: "staff",
            entity_id: Some(id.0),
            summary: format!(
                "{} cán bộ {}",
                if existing.is_some() { "Sửa" } else { "Thêm" },
                profile.full_name()
            ),
            before: None,
            after: Some(records::to_json(profile.record())),
        };
        audit::record(&mut tx, actor, change).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn save_staff_in(
        &self,
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        school: SchoolId,
        existing: Option<(StaffId, i64)>,
        profile: &StaffProfile,
    ) -> Result<StaffId> {
        let fold = hocba_text::fold(profile.full_name());
        match existing {
            None => {
                let id = StaffId(new_id());
                let mut query = sqlx::query(registry_sql(&INSERT_STAFF))
                    .bind(school.0)
                    .bind(id.0)
                    .bind(fold)
                    .bind(now_millis());
                for value in records::values(profile.record()) {
                    query = query.bind(value);
                }
                query
                    .execute(&mut **tx)
                    .await
                    .map_err(|e| duplicate(e, profile))?;
                Ok(id)
            }
            Some((id, version)) => {
                let mut query = sqlx::query(registry_sql(&UPDATE_STAFF))
                    .bind(fold)
                    .bind(school.0)
                    .bind(id.0)
                    .bind(version);
                for value in records::values(profile.record()) {
                    query = query.bind(value);
                }
                let updated = query
                    .execute(&mut **tx)
                    .await
                    .map_err(|e| duplicate(e, profile))?;
                if updated.rows_affected() == 0 {
                    return Err(StoreError::Conflict(format!(
                        "Hồ sơ cán bộ {}",
                        profile.full_name()
                    )));
                }
                Ok(id)
            }
        }
    }

    pub async fn staff_drafts(&self, school: SchoolId) -> Result<HashMap<i64, Draft>> {
        let rows = sqlx::query(registry_sql(&format!(
            "SELECT id, {} FROM staff WHERE school_id = $1",
            column_list(&FIELDS)
        )))
        .bind(school.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| Ok((row.try_get("id")?, records::draft_from_row(row, &FIELDS))))
            .collect()
    }

    /// Applies a validated staff import in one transaction: every row or none.
    pub async fn import_staff(
        &self,
        actor: &Actor,
        school: SchoolId,
        rows: &[(usize, Option<StaffId>, StaffProfile)],
    ) -> Result<(usize, usize)> {
        let mut tx = self.begin().await?;
        let (mut created, mut updated) = (0, 0);
        for (row_number, existing, profile) in rows {
            let existing = existing.map(|id| (id, ANY_VERSION));
            self.save_staff_in(&mut tx, school, existing, profile)
                .await
                .map_err(|error| match error {
                    StoreError::Refused(message) => {
                        StoreError::Refused(format!("Dòng {row_number}: {message}"))
                    }
                    StoreError::Conflict(_) => StoreError::Refused(format!(
                        "Dòng {row_number}: không tìm thấy cán bộ này."
                    )),
                    other => other,
                })?;
            if existing.is_some() {
                updated += 1
            } else {
                created += 1
            }
        }
        let change = Change {
            unit: school.into(),
            action: "import",
            entity: "staff",
            entity_id: None,
            summary: format!("Nhập hồ sơ cán bộ từ Excel: {created} thêm mới, {updated} cập nhật"),
            before: None,
            after: None,
        };
        audit::record(&mut tx, actor, change).await?;
        tx.commit().await?;
        Ok((created, updated))
    }
}
