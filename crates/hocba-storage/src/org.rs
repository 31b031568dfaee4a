//! The organisation tree, school profiles and campuses.

use crate::audit::{self, Change};
use crate::records::registry_sql;
use crate::records::{self, assignments, column_list, placeholders};
use crate::{Actor, Result, Store, StoreError, new_id, now_millis};
use hocba_domain::access::Target;
use hocba_domain::form::Draft;
use hocba_domain::org::{UnitKind, check_parent};
use hocba_domain::school::{CAMPUS_FIELDS, CampusProfile, FIELDS as SCHOOL_FIELDS, SchoolProfile};
use hocba_domain::{CampusId, Level, SchoolId, UnitId};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use std::sync::LazyLock;

#[derive(Debug, Clone, Serialize)]
pub struct UnitRow {
    pub id: UnitId,
    pub kind: UnitKind,
    pub parent: Option<UnitId>,
    pub name: String,
    pub code: Option<String>,
    pub province_code: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SchoolRow {
    pub id: SchoolId,
    pub name: String,
    pub levels: Vec<Level>,
    pub parent: Option<UnitId>,
    pub parent_name: Option<String>,
    pub version: i64,
    #[serde(skip)]
    pub profile: Draft,
}

#[derive(Debug, Clone, Serialize)]
pub struct CampusRow {
    pub id: CampusId,
    pub version: i64,
    pub profile: Draft,
}

/// What is needed to create a school.
pub struct NewSchool<'a> {
    pub parent: UnitId,
    pub levels: &'a [Level],
    pub profile: &'a SchoolProfile,
}

fn unit_from_row(row: &AnyRow) -> Result<UnitRow> {
    let kind: String = row.try_get("kind")?;
    Ok(UnitRow {
        id: UnitId(row.try_get("id")?),
        kind: UnitKind::from_code(&kind)
            .ok_or_else(|| StoreError::NotFound(format!("loại đơn vị {kind}")))?,
        parent: row.try_get::<Option<i64>, _>("parent_id")?.map(UnitId),
        name: row.try_get("name")?,
        code: row.try_get("code")?,
        province_code: row.try_get("province_code")?,
    })
}

static SCHOOL_SELECT: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT s.school_id, s.levels, s.version, u.parent_id, p.name AS parent_name, {}
         FROM school s JOIN unit u ON u.id = s.school_id LEFT JOIN unit p ON p.id = u.parent_id",
        SCHOOL_FIELDS
            .iter()
            .map(|f| format!("s.{}", f.key))
            .collect::<Vec<_>>()
            .join(", ")
    )
});

fn school_from_row(row: &AnyRow) -> Result<SchoolRow> {
    let profile = records::draft_from_row(row, &SCHOOL_FIELDS);
    let levels: String = row.try_get("levels")?;
    Ok(SchoolRow {
        id: SchoolId(row.try_get("school_id")?),
        name: profile.get("name").cloned().unwrap_or_default(),
        levels: levels.split(',').filter_map(Level::from_code).collect(),
        parent: row.try_get::<Option<i64>, _>("parent_id")?.map(UnitId),
        parent_name: row.try_get("parent_name")?,
        version: row.try_get("version")?,
        profile,
    })
}

impl Store {
    /// Adds a ministry, department or bureau (schools: [`Store::create_school`]).
    pub async fn create_unit(
        &self,
        actor: &Actor,
        kind: UnitKind,
        parent: Option<UnitId>,
        name: &str,
        code: Option<&str>,
        province_code: Option<&str>,
    ) -> Result<UnitId> {
        let parent_kind = match parent {
            Some(parent) => Some(self.unit(parent).await?.kind),
            None => None,
        };
        check_parent(kind, parent_kind).map_err(|e| StoreError::Refused(e.to_string()))?;
        let name = hocba_text::clean_input(name);
        let id = UnitId(new_id());
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO unit (id, kind, parent_id, name, name_fold, code, province_code, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id.0)
        .bind(kind.code())
        .bind(parent.map(|p| p.0))
        .bind(&name)
        .bind(hocba_text::fold(&name))
        .bind(code)
        .bind(province_code)
        .bind(now_millis())
        .execute(&mut *tx)
        .await?;
        let change = Change {
            unit: parent.unwrap_or(id),
            action: "create",
            entity: "unit",
            entity_id: Some(id.0),
            summary: format!("Thêm đơn vị {name} ({})", kind.label()),
            before: None,
            after: Some(serde_json::json!({"name": name, "kind": kind.code()}).to_string()),
        };
        audit::record(&mut tx, actor, change).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn unit(&self, id: UnitId) -> Result<UnitRow> {
        let row = sqlx::query(
            "SELECT id, kind, parent_id, name, code, province_code FROM unit WHERE id = $1",
        )
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("đơn vị mã {id}")))?;
        unit_from_row(&row)
    }

    pub async fn units(&self) -> Result<Vec<UnitRow>> {
        let rows = sqlx::query(
            "SELECT id, kind, parent_id, name, code, province_code FROM unit ORDER BY name_fold",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(unit_from_row).collect()
    }

    /// The units directly under a unit (bureaus and schools), by name.
    pub async fn children(&self, unit: UnitId) -> Result<Vec<UnitRow>> {
        let rows = sqlx::query(
            "SELECT id, kind, parent_id, name, code, province_code FROM unit WHERE parent_id = $1 ORDER BY kind, name_fold",
        )
        .bind(unit.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(unit_from_row).collect()
    }

    /// The ancestors of a unit, nearest first (bureau, department, ministry),
    /// in one query: every authorised request asks this.
    pub async fn ancestors(&self, unit: UnitId) -> Result<Vec<UnitId>> {
        let rows = sqlx::query(
            "WITH RECURSIVE chain(id, parent_id, depth) AS (
                 SELECT id, parent_id, 0 FROM unit WHERE id = $1
                 UNION ALL
                 SELECT u.id, u.parent_id, c.depth + 1 FROM unit u JOIN chain c ON u.id = c.parent_id WHERE c.depth < 8
             )
             SELECT id, depth FROM chain ORDER BY depth",
        )
        .bind(unit.0)
        .fetch_all(&self.pool)
        .await?;
        if rows.is_empty() {
            return Err(StoreError::NotFound(format!("đơn vị mã {unit}")));
        }
        rows.iter()
            .skip(1)
            .map(|row| Ok(UnitId(row.try_get("id")?)))
            .collect()
    }

    /// Where a school's data lives, for the access policy.
    pub async fn target(&self, school: SchoolId) -> Result<Target> {
        Ok(Target {
            school,
            ancestors: self.ancestors(school.into()).await?,
            class: None,
            subject: None,
            semester: None,
        })
    }

    pub async fn create_school(&self, actor: &Actor, new: NewSchool<'_>) -> Result<SchoolId> {
        let parent_kind = self.unit(new.parent).await?.kind;
        check_parent(UnitKind::School, Some(parent_kind))
            .map_err(|e| StoreError::Refused(e.to_string()))?;
        let profile = new.profile.record();
        let name = new.profile.name().to_owned();
        let id = SchoolId(new_id());
        let now = now_millis();
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO unit (id, kind, parent_id, name, name_fold, code, province_code, created_at) VALUES ($1, 'school', $2, $3, $4, $5, $6, $7)",
        )
        .bind(id.0)
        .bind(new.parent.0)
        .bind(&name)
        .bind(hocba_text::fold(&name))
        .bind(profile.text("code"))
        .bind(profile.text("province"))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let levels: Vec<&str> = new.levels.iter().map(|l| l.code()).collect();
        let sql = format!(
            "INSERT INTO school (school_id, levels, version, updated_at, {}) VALUES ($1, $2, 1, $3, {})",
            column_list(&SCHOOL_FIELDS),
            placeholders(&SCHOOL_FIELDS, 4)
        );
        let mut query = sqlx::query(registry_sql(&sql))
            .bind(id.0)
            .bind(levels.join(","))
            .bind(now);
        for value in records::values(profile) {
            query = query.bind(value);
        }
        query.execute(&mut *tx).await?;
        let change = Change {
            unit: id.into(),
            action: "create",
            entity: "school",
            entity_id: Some(id.0),
            summary: format!("Thêm trường {name}"),
            before: None,
            after: Some(records::to_json(profile)),
        };
        audit::record(&mut tx, actor, change).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn school(&self, id: SchoolId) -> Result<SchoolRow> {
        let row = sqlx::query(registry_sql(&format!(
            "{} WHERE s.school_id = $1",
            *SCHOOL_SELECT
        )))
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("trường mã {id}")))?;
        school_from_row(&row)
    }

    /// Schools directly or indirectly under a unit (a department or bureau).
    pub async fn schools_under(&self, unit: UnitId) -> Result<Vec<SchoolRow>> {
        let rows = sqlx::query(registry_sql(&format!(
            "{} WHERE u.parent_id = $1 OR u.parent_id IN (SELECT id FROM unit WHERE parent_id = $1) ORDER BY u.name_fold",
            *SCHOOL_SELECT
        )))
        .bind(unit.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(school_from_row).collect()
    }

    /// The schools among `ids`; ids of other units (a department where a
    /// person is admin) are skipped.
    pub async fn schools_by_id(&self, ids: &[SchoolId]) -> Result<Vec<SchoolRow>> {
        let mut schools = Vec::with_capacity(ids.len());
        for id in ids {
            match self.school(*id).await {
                Ok(school) => schools.push(school),
                Err(StoreError::NotFound(_)) => {}
                Err(error) => return Err(error),
            }
        }
        Ok(schools)
    }

    /// Saves the profile if nobody else saved it since `expected_version`.
    pub async fn update_school_profile(
        &self,
        actor: &Actor,
        id: SchoolId,
        expected_version: i64,
        profile: &SchoolProfile,
    ) -> Result<()> {
        let before = self.school(id).await?;
        let record = profile.record();
        let mut tx = self.begin().await?;
        let sql = format!(
            "UPDATE school SET version = version + 1, updated_at = $1, {} WHERE school_id = $2 AND version = $3",
            assignments(&SCHOOL_FIELDS, 4)
        );
        let mut query = sqlx::query(registry_sql(&sql))
            .bind(now_millis())
            .bind(id.0)
            .bind(expected_version);
        for value in records::values(record) {
            query = query.bind(value);
        }
        if query.execute(&mut *tx).await?.rows_affected() == 0 {
            return Err(StoreError::Conflict("Thông tin trường".into()));
        }
        sqlx::query("UPDATE unit SET name = $1, name_fold = $2, code = $3, province_code = $4 WHERE id = $5")
            .bind(profile.name())
            .bind(hocba_text::fold(profile.name()))
            .bind(record.text("code"))
            .bind(record.text("province"))
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        let change = Change {
            unit: id.into(),
            action: "update",
            entity: "school",
            entity_id: Some(id.0),
            summary: format!("Sửa thông tin trường {}", profile.name()),
            before: Some(records::draft_to_json(&before.profile)),
            after: Some(records::to_json(record)),
        };
        audit::record(&mut tx, actor, change).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn campuses(&self, school: SchoolId) -> Result<Vec<CampusRow>> {
        let rows = sqlx::query(registry_sql(&format!(
            "SELECT id, version, {} FROM campus WHERE school_id = $1 ORDER BY name",
            column_list(&CAMPUS_FIELDS)
        )))
        .bind(school.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(CampusRow {
                    id: CampusId(row.try_get("id")?),
                    version: row.try_get("version")?,
                    profile: records::draft_from_row(row, &CAMPUS_FIELDS),
                })
            })
            .collect()
    }

    /// Adds a campus, or saves an existing one at `expected_version`.
    pub async fn save_campus(
        &self,
        actor: &Actor,
        school: SchoolId,
        existing: Option<(CampusId, i64)>,
        campus: &CampusProfile,
    ) -> Result<CampusId> {
        let record = campus.record();
        let mut tx = self.begin().await?;
        let (id, action, summary) = match existing {
            None => {
                let id = CampusId(new_id());
                let sql = format!(
                    "INSERT INTO campus (school_id, id, version, {}) VALUES ($1, $2, 1, {})",
                    column_list(&CAMPUS_FIELDS),
                    placeholders(&CAMPUS_FIELDS, 3)
                );
                let mut query = sqlx::query(registry_sql(&sql)).bind(school.0).bind(id.0);
                for value in records::values(record) {
                    query = query.bind(value);
                }
                query.execute(&mut *tx).await?;
                (id, "create", format!("Thêm điểm trường {}", campus.name()))
            }
            Some((id, version)) => {
                let sql = format!(
                    "UPDATE campus SET version = version + 1, {} WHERE school_id = $1 AND id = $2 AND version = $3",
                    assignments(&CAMPUS_FIELDS, 4)
                );
                let mut query = sqlx::query(registry_sql(&sql))
                    .bind(school.0)
                    .bind(id.0)
                    .bind(version);
                for value in records::values(record) {
                    query = query.bind(value);
                }
                if query.execute(&mut *tx).await?.rows_affected() == 0 {
                    return Err(StoreError::Conflict(format!(
                        "Điểm trường {}",
                        campus.name()
                    )));
                }
                (id, "update", format!("Sửa điểm trường {}", campus.name()))
            }
        };
        let change = Change {
            unit: school.into(),
            action,
            entity: "campus",
            entity_id: Some(id.0),
            summary,
            before: None,
            after: Some(records::to_json(record)),
        };
        audit::record(&mut tx, actor, change).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn delete_campus(&self, actor: &Actor, school: SchoolId, id: CampusId) -> Result<()> {
        let mut tx = self.begin().await?;
        let in_use: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM class WHERE school_id = $1 AND campus_id = $2",
        )
        .bind(school.0)
        .bind(id.0)
        .fetch_one(&mut *tx)
        .await?;
        if in_use > 0 {
            return Err(StoreError::Refused(format!(
                "Điểm trường đang có {in_use} lớp học. Hãy chuyển các lớp sang điểm trường khác trước khi xóa."
            )));
        }
        let deleted = sqlx::query("DELETE FROM campus WHERE school_id = $1 AND id = $2")
            .bind(school.0)
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        if deleted.rows_affected() == 0 {
            return Err(StoreError::NotFound("điểm trường".into()));
        }
        let change = Change {
            unit: school.into(),
            action: "delete",
            entity: "campus",
            entity_id: Some(id.0),
            summary: "Xóa điểm trường".into(),
            before: None,
            after: None,
        };
        audit::record(&mut tx, actor, change).await?;
        tx.commit().await?;
        Ok(())
    }
}
