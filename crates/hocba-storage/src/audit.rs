//! The audit trail: who changed what, when, with the record before and after.

use crate::{Actor, Result, Store, new_id, now_millis};
use hocba_domain::UnitId;
use serde::Serialize;
use sqlx::{Any, Row, Transaction};

/// One change, as written by the store inside the transaction that made it.
pub(crate) struct Change<'a> {
    pub unit: UnitId,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Option<i64>,
    pub summary: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

pub(crate) async fn record(
    tx: &mut Transaction<'_, Any>,
    actor: &Actor,
    change: Change<'_>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (unit_id, id, at, actor_user_id, actor_name, action, entity, entity_id, summary, before_json, after_json)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(change.unit.0)
    .bind(new_id())
    .bind(now_millis())
    .bind(actor.user_id.map(|id| id.0))
    .bind(&actor.name)
    .bind(change.action)
    .bind(change.entity)
    .bind(change.entity_id)
    .bind(change.summary)
    .bind(change.before)
    .bind(change.after)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: i64,
    pub actor_name: String,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    pub summary: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub entity: Option<String>,
    pub entity_id: Option<i64>,
    pub limit: i64,
}

impl Store {
    /// The newest entries of a unit's trail, optionally for one record.
    pub async fn audit_entries(&self, unit: UnitId, query: &AuditQuery) -> Result<Vec<AuditEntry>> {
        let limit = if query.limit <= 0 {
            200
        } else {
            query.limit.min(1000)
        };
        let rows = sqlx::query(
            "SELECT id, at, actor_name, action, entity, entity_id, summary, before_json, after_json FROM audit_log
             WHERE unit_id = $1 AND ($2 IS NULL OR entity = $2) AND ($3 IS NULL OR entity_id = $3)
             ORDER BY at DESC, id DESC LIMIT $4",
        )
        .bind(unit.0)
        .bind(query.entity.clone())
        .bind(query.entity_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(AuditEntry {
                    id: row.try_get("id")?,
                    at: row.try_get("at")?,
                    actor_name: row.try_get("actor_name")?,
                    action: row.try_get("action")?,
                    entity: row.try_get("entity")?,
                    entity_id: row.try_get("entity_id")?,
                    summary: row.try_get("summary")?,
                    before: row.try_get("before_json")?,
                    after: row.try_get("after_json")?,
                })
            })
            .collect()
    }
}
