//! Accounts, their roles, and sessions. Password hashing happens outside
//! (crate `hocba-auth`); only hashes reach the database, and only hashes of
//! session and API tokens are stored.

use crate::audit::{self, Change};
use crate::records::registry_sql;
use crate::{Actor, Result, Store, StoreError, new_id, now_millis};
use hocba_domain::role::{Role, RoleGrant};
use hocba_domain::{StaffId, UnitId, UserId};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

#[derive(Debug, Clone, Serialize)]
pub struct AccountRow {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub home_unit: UnitId,
    pub staff_id: Option<StaffId>,
    pub must_change_password: bool,
    pub disabled: bool,
    pub grants: Vec<RoleGrant>,
    #[serde(skip)]
    pub password_hash: String,
}

pub struct NewAccount<'a> {
    pub username: &'a str,
    pub password_hash: &'a str,
    pub display_name: &'a str,
    pub home_unit: UnitId,
    pub staff: Option<StaffId>,
    pub grants: &'a [RoleGrant],
    pub must_change_password: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    /// A browser session behind an HttpOnly cookie.
    Browser,
    /// A bearer token for API clients.
    Api,
}

#[derive(Debug, Clone)]
pub struct Session {
    pub user_id: UserId,
    pub kind: SessionKind,
    pub csrf_token: String,
    pub expires_at: i64,
}

const ACCOUNT_SELECT: &str = "SELECT id, username, display_name, home_unit_id, staff_id, must_change_password, disabled, password_hash FROM app_user";

impl Store {
    async fn account_from_row(&self, row: &AnyRow) -> Result<AccountRow> {
        let id = UserId(row.try_get("id")?);
        let must: i64 = row.try_get("must_change_password")?;
        let disabled: i64 = row.try_get("disabled")?;
        Ok(AccountRow {
            id,
            username: row.try_get("username")?,
            display_name: row.try_get("display_name")?,
            home_unit: UnitId(row.try_get("home_unit_id")?),
            staff_id: row.try_get::<Option<i64>, _>("staff_id")?.map(StaffId),
            must_change_password: must != 0,
            disabled: disabled != 0,
            grants: self.grants(id).await?,
            password_hash: row.try_get("password_hash")?,
        })
    }

    pub async fn grants(&self, user: UserId) -> Result<Vec<RoleGrant>> {
        let rows =
            sqlx::query("SELECT role, unit_id FROM role_grant WHERE user_id = $1 ORDER BY role")
                .bind(user.0)
                .fetch_all(&self.pool)
                .await?;
        Ok(rows
            .iter()
            .filter_map(|row| {
                let role: String = row.try_get("role").ok()?;
                Some(RoleGrant {
                    role: Role::from_code(&role)?,
                    unit: UnitId(row.try_get("unit_id").ok()?),
                })
            })
            .collect())
    }

    pub async fn create_account(&self, actor: &Actor, new: &NewAccount<'_>) -> Result<UserId> {
        let username = new.username.trim().to_lowercase();
        if username.len() < 3
            || !username
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        {
            return Err(StoreError::Refused(
                "Tên đăng nhập gồm ít nhất 3 ký tự: chữ không dấu, số, dấu chấm, gạch dưới hoặc gạch ngang.".into(),
            ));
        }
        let id = UserId(new_id());
        let now = now_millis();
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO app_user (id, username, password_hash, display_name, home_unit_id, staff_id, must_change_password, disabled, created_at, password_changed_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $8)",
        )
        .bind(id.0)
        .bind(&username)
        .bind(new.password_hash)
        .bind(hocba_text::clean_input(new.display_name))
        .bind(new.home_unit.0)
        .bind(new.staff.map(|s| s.0))
        .bind(i64::from(new.must_change_password))
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(|e| StoreError::from_unique(e, || format!("Tên đăng nhập “{username}” đã có người dùng; hãy chọn tên khác.")))?;
        for grant in new.grants {
            sqlx::query("INSERT INTO role_grant (user_id, role, unit_id) VALUES ($1, $2, $3)")
                .bind(id.0)
                .bind(grant.role.code())
                .bind(grant.unit.0)
                .execute(&mut *tx)
                .await?;
        }
        let roles: Vec<&str> = new.grants.iter().map(|g| g.role.label()).collect();
        let change = Change {
            unit: new.home_unit,
            action: "create",
            entity: "account",
            entity_id: Some(id.0),
            summary: format!("Tạo tài khoản {username} ({})", roles.join(", ")),
            before: None,
            after: None,
        };
        audit::record(&mut tx, actor, change).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn account_by_username(&self, username: &str) -> Result<Option<AccountRow>> {
        let row = sqlx::query(registry_sql(&format!(
            "{ACCOUNT_SELECT} WHERE username = $1"
        )))
        .bind(username.trim().to_lowercase())
        .fetch_optional(&self.pool)
        .await?;
        match row {
            Some(row) => Ok(Some(self.account_from_row(&row).await?)),
            None => Ok(None),
        }
    }

    pub async fn account(&self, id: UserId) -> Result<AccountRow> {
        let row = sqlx::query(registry_sql(&format!("{ACCOUNT_SELECT} WHERE id = $1")))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::NotFound("tài khoản".into()))?;
        self.account_from_row(&row).await
    }

    /// Accounts holding a role in the unit.
    pub async fn accounts_in_unit(&self, unit: UnitId) -> Result<Vec<AccountRow>> {
        let rows = sqlx::query(registry_sql(&format!(
            "{ACCOUNT_SELECT} WHERE id IN (SELECT user_id FROM role_grant WHERE unit_id = $1) ORDER BY username"
        )))
        .bind(unit.0)
        .fetch_all(&self.pool)
        .await?;
        let mut accounts = Vec::with_capacity(rows.len());
        for row in &rows {
            accounts.push(self.account_from_row(row).await?);
        }
        Ok(accounts)
    }

    /// Sets a new password hash and ends every session of the account, so a
    /// reset locks out whoever knew the old password.
    pub async fn set_password(
        &self,
        actor: &Actor,
        user: UserId,
        password_hash: &str,
        must_change_password: bool,
        audit_unit: UnitId,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE app_user SET password_hash = $1, must_change_password = $2, password_changed_at = $3 WHERE id = $4")
            .bind(password_hash)
            .bind(i64::from(must_change_password))
            .bind(now_millis())
            .bind(user.0)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM session WHERE user_id = $1")
            .bind(user.0)
            .execute(&mut *tx)
            .await?;
        let change = Change {
            unit: audit_unit,
            action: if must_change_password {
                "reset_password"
            } else {
                "change_password"
            },
            entity: "account",
            entity_id: Some(user.0),
            summary: if must_change_password {
                "Đặt lại mật khẩu"
            } else {
                "Đổi mật khẩu"
            }
            .into(),
            before: None,
            after: None,
        };
        audit::record(&mut tx, actor, change).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn create_session(
        &self,
        token_hash: &str,
        user: UserId,
        kind: SessionKind,
        csrf_token: &str,
        expires_at: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO session (token_hash, user_id, kind, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(token_hash)
        .bind(user.0)
        .bind(match kind {
            SessionKind::Browser => "browser",
            SessionKind::Api => "api",
        })
        .bind(csrf_token)
        .bind(now_millis())
        .bind(expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The live session for a token hash; expired sessions are not returned.
    pub async fn session(&self, token_hash: &str) -> Result<Option<Session>> {
        let row = sqlx::query("SELECT user_id, kind, csrf_token, expires_at FROM session WHERE token_hash = $1 AND expires_at > $2")
            .bind(token_hash)
            .bind(now_millis())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| {
            let kind: String = row.try_get("kind")?;
            Ok(Session {
                user_id: UserId(row.try_get("user_id")?),
                kind: if kind == "api" {
                    SessionKind::Api
                } else {
                    SessionKind::Browser
                },
                csrf_token: row.try_get("csrf_token")?,
                expires_at: row.try_get("expires_at")?,
            })
        })
        .transpose()
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM session WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
