//! Accounts, their roles, and sessions. Password hashing happens outside
//! (crate `hocba-auth`); only hashes reach the database, and only hashes of
//! session and API tokens are stored.

use crate::audit::{self, Change};
use crate::records::registry_sql;
use crate::{Actor, Result, Store, StoreError, new_id, now_millis};
use hocba_domain::gradebook::{Semester, TeachingAssignment};
use hocba_domain::role::{Role, RoleGrant};
use hocba_domain::{ClassId, StaffId, SubjectId, UnitId, UserId};
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

/// A live session with everything the access policy needs about its user,
/// read in one statement ([`Store::session_user`]).
#[derive(Debug, Clone)]
pub struct SessionUser {
    pub session: Session,
    pub account: AccountRow,
    /// Classes of the school's current year whose homeroom teacher the
    /// account's staff record is (empty without a staff record).
    pub homeroom_classes: Vec<ClassId>,
    /// What the account's staff record teaches in the school's current year.
    pub teaching: Vec<TeachingAssignment>,
}

/// One statement for every request's "who is calling": the session and its
/// account, the account's grants, and (for staff, in their home school's
/// current year) homeroom classes and teaching assignments. Each branch
/// starts from the live session, so the whole answer is one snapshot and
/// nothing is cached: a grant revoked or an assignment removed is gone from
/// the next request. Branches share one row shape: `kind`, texts `t1..t5`,
/// numbers `n1..n6`.
const SESSION_USER_SQL: &str = "
    SELECT 'account' AS kind, s.kind AS t1, s.csrf_token AS t2, u.username AS t3, u.display_name AS t4,
           u.password_hash AS t5, s.user_id AS n1, u.home_unit_id AS n2, u.staff_id AS n3,
           u.must_change_password AS n4, u.disabled AS n5, s.expires_at AS n6
    FROM session s JOIN app_user u ON u.id = s.user_id
    WHERE s.token_hash = $1 AND s.expires_at > $2
    UNION ALL
    SELECT 'grant', g.role, NULL, NULL, NULL, NULL, g.unit_id, NULL, NULL, NULL, NULL, NULL
    FROM session s JOIN role_grant g ON g.user_id = s.user_id
    WHERE s.token_hash = $1 AND s.expires_at > $2
    UNION ALL
    SELECT 'homeroom', NULL, NULL, NULL, NULL, NULL, h.class_id, NULL, NULL, NULL, NULL, NULL
    FROM session s JOIN app_user u ON u.id = s.user_id
    JOIN homeroom_assignment h ON h.school_id = u.home_unit_id AND h.staff_id = u.staff_id
    WHERE s.token_hash = $1 AND s.expires_at > $2
      AND h.school_year_id = (SELECT y.id FROM school_year y WHERE y.school_id = u.home_unit_id
                              ORDER BY y.start_year DESC LIMIT 1)
    UNION ALL
    SELECT 'teaching', NULL, NULL, NULL, NULL, NULL, a.class_id, a.subject_id, a.semester, NULL, NULL, NULL
    FROM session s JOIN app_user u ON u.id = s.user_id
    JOIN teaching_assignment a ON a.school_id = u.home_unit_id AND a.staff_id = u.staff_id
    WHERE s.token_hash = $1 AND s.expires_at > $2
      AND a.school_year_id = (SELECT y.id FROM school_year y WHERE y.school_id = u.home_unit_id
                              ORDER BY y.start_year DESC LIMIT 1)";

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

    /// The live session for a token hash with its account, grants, homeroom
    /// classes and teaching assignments, in one statement (every request
    /// asks this); `None` for an unknown or expired session.
    pub async fn session_user(&self, token_hash: &str) -> Result<Option<SessionUser>> {
        let rows = sqlx::query(SESSION_USER_SQL)
            .bind(token_hash)
            .bind(now_millis())
            .fetch_all(&self.pool)
            .await?;
        let mut found: Option<(Session, AccountRow)> = None;
        let mut grants = Vec::new();
        let mut homeroom_classes = Vec::new();
        let mut teaching = Vec::new();
        for row in &rows {
            let kind: String = row.try_get("kind")?;
            let number = |name: &str| -> Result<i64> {
                row.try_get::<Option<i64>, _>(name)?.ok_or_else(|| {
                    StoreError::NotFound(format!("phiên đăng nhập ({kind}: {name})"))
                })
            };
            match kind.as_str() {
                "account" => {
                    let session_kind: String = row.try_get("t1")?;
                    let user_id = UserId(number("n1")?);
                    found = Some((
                        Session {
                            user_id,
                            kind: if session_kind == "api" {
                                SessionKind::Api
                            } else {
                                SessionKind::Browser
                            },
                            csrf_token: row.try_get("t2")?,
                            expires_at: number("n6")?,
                        },
                        AccountRow {
                            id: user_id,
                            username: row.try_get("t3")?,
                            display_name: row.try_get("t4")?,
                            home_unit: UnitId(number("n2")?),
                            staff_id: row.try_get::<Option<i64>, _>("n3")?.map(StaffId),
                            must_change_password: number("n4")? != 0,
                            disabled: number("n5")? != 0,
                            grants: Vec::new(),
                            password_hash: row.try_get("t5")?,
                        },
                    ));
                }
                "grant" => {
                    let role: Option<String> = row.try_get("t1")?;
                    if let Some(role) = role.as_deref().and_then(Role::from_code) {
                        grants.push((role, UnitId(number("n1")?)));
                    }
                }
                "homeroom" => homeroom_classes.push(ClassId(number("n1")?)),
                _ => {
                    let semester = number("n3")?;
                    teaching.push(TeachingAssignment {
                        class: ClassId(number("n1")?),
                        subject: SubjectId(number("n2")?),
                        semester: u8::try_from(semester)
                            .ok()
                            .and_then(Semester::from_number)
                            .ok_or_else(|| {
                                StoreError::Refused(format!("Học kỳ {semester} không hợp lệ."))
                            })?,
                    });
                }
            }
        }
        let Some((session, mut account)) = found else {
            return Ok(None);
        };
        // The order of `grants()` (by role code).
        grants.sort_by(|a, b| a.0.code().cmp(b.0.code()).then(a.1.0.cmp(&b.1.0)));
        account.grants = grants
            .into_iter()
            .map(|(role, unit)| RoleGrant { role, unit })
            .collect();
        Ok(Some(SessionUser {
            session,
            account,
            homeroom_classes,
            teaching,
        }))
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM session WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
