//! Signing accounts, the school's organisation certificate and signing
//! permissions (seed 004 §II.2, §III.1). The rules are
//! `hocba_domain::signing_account`'s; every decision is taken inside the
//! writing transaction, with its audit entry.

use crate::audit::{self, Change};
use crate::{Actor, Result, Store, StoreError, new_id, now_millis};
use hocba_domain::signing_account::{
    self, AccountEvent, AccountState, CertificateFacts, CopySkip, OrgDecision, OrgRequestState,
    Permission, SignerKind, Validity,
};
use hocba_domain::{SchoolId, SchoolYearId, StaffId, UnitId};
use serde::Serialize;
use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

/// A certificate as stored: the PEM and what hocba shows of it.
#[derive(Debug, Clone, Serialize)]
pub struct StoredCertificate {
    pub pem: String,
    pub subject: String,
    pub issuer: String,
    pub serial: String,
    pub holder_name: Option<String>,
    /// Unix milliseconds.
    pub not_before: i64,
    pub not_after: i64,
    pub fingerprint: String,
}

impl StoredCertificate {
    pub fn validity(&self) -> Validity {
        Validity {
            not_before: self.not_before,
            not_after: self.not_after,
        }
    }
}

/// A certificate to store, read and checked by the caller.
#[derive(Debug, Clone, Copy)]
pub struct CertificateInput<'a> {
    pub pem: &'a str,
    pub facts: &'a CertificateFacts,
    /// Messages of the warnings the checks gave (shown to the approver).
    pub warnings: &'a [String],
}

/// A registration of a personal signing account.
#[derive(Debug, Clone, Copy)]
pub struct NewSigningAccount<'a> {
    pub staff: StaffId,
    pub kind: SignerKind,
    /// Remote signing: the provider's API root, the user name at the
    /// provider and the credential chosen (never the access token).
    pub provider_url: Option<&'a str>,
    pub provider_username: Option<&'a str>,
    pub credential_id: Option<&'a str>,
    pub certificate: CertificateInput<'a>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SigningAccountRow {
    pub id: i64,
    pub school_year_id: SchoolYearId,
    pub staff_id: StaffId,
    pub staff_name: String,
    pub kind: SignerKind,
    pub kind_label: &'static str,
    pub provider_url: Option<String>,
    pub provider_username: Option<String>,
    pub credential_id: Option<String>,
    pub certificate: StoredCertificate,
    pub warnings: Vec<String>,
    pub state: AccountState,
    pub state_label: &'static str,
    pub registered_at: i64,
    pub registered_by: String,
    pub decided_at: Option<i64>,
    pub decided_by: Option<String>,
    pub decision_reason: Option<String>,
    /// The account of last year this one was copied from.
    pub copied_from: Option<i64>,
    pub version: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct OrgRequestRow {
    pub id: i64,
    pub school_id: SchoolId,
    pub school_name: String,
    pub school_year_id: SchoolYearId,
    pub certificate: StoredCertificate,
    pub warnings: Vec<String>,
    /// Why the school registers again (required once one is approved).
    pub reason: Option<String>,
    pub state: OrgRequestState,
    pub state_label: &'static str,
    pub requested_at: i64,
    pub requested_by: String,
    pub decided_at: Option<i64>,
    pub decided_by: Option<String>,
    pub decision_reason: Option<String>,
    pub superseded_at: Option<i64>,
    pub copied_from: Option<i64>,
}

/// A request to register the school's organisation certificate.
#[derive(Debug, Clone, Copy)]
pub struct NewOrgCertificate<'a> {
    pub certificate: CertificateInput<'a>,
    pub reason: Option<&'a str>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PermissionRow {
    pub staff_id: StaffId,
    pub staff_name: String,
    pub permissions: Vec<Permission>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CopiedAccount {
    pub staff_id: StaffId,
    pub staff_name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SkippedAccount {
    pub staff_id: StaffId,
    pub staff_name: String,
    pub skip: CopySkip,
    /// Why, in Vietnamese.
    pub reason: String,
}

/// What "Lấy dữ liệu năm học trước" did.
#[derive(Debug, Clone, Serialize)]
pub struct CopyOutcome {
    pub from_year: String,
    pub to_year: String,
    pub copied: Vec<CopiedAccount>,
    pub skipped: Vec<SkippedAccount>,
    /// The organisation certificate: copied, or why not (None: last year
    /// had no approved one).
    pub org_certificate: Option<String>,
}

const ACCOUNT_SELECT: &str = "SELECT a.id, a.school_year_id, a.staff_id, s.full_name, a.kind, a.provider_url, a.provider_username, a.credential_id,
    a.certificate_pem, a.subject, a.issuer, a.serial, a.holder_name, a.not_before, a.not_after, a.fingerprint, a.warnings, a.state,
    a.registered_at, a.registered_by, a.decided_at, a.decided_by, a.decision_reason, a.copied_from, a.version
    FROM signing_account a LEFT JOIN staff s ON s.school_id = a.school_id AND s.id = a.staff_id";

const REQUEST_SELECT: &str = "SELECT r.id, r.school_id, u.name, r.school_year_id, r.certificate_pem, r.subject, r.issuer, r.serial, r.holder_name,
    r.not_before, r.not_after, r.fingerprint, r.warnings, r.reason, r.state, r.requested_at, r.requested_by,
    r.decided_at, r.decided_by, r.decision_reason, r.superseded_at, r.copied_from
    FROM org_certificate_request r JOIN unit u ON u.id = r.school_id";

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Refused(format!(
        "Dữ liệu {what} trong cơ sở dữ liệu không hợp lệ (“{value}”); hãy báo quản trị hệ thống."
    ))
}

fn certificate_from_row(row: &AnyRow) -> Result<StoredCertificate> {
    Ok(StoredCertificate {
        pem: row.try_get("certificate_pem")?,
        subject: row.try_get("subject")?,
        issuer: row.try_get("issuer")?,
        serial: row.try_get("serial")?,
        holder_name: row.try_get("holder_name")?,
        not_before: row.try_get("not_before")?,
        not_after: row.try_get("not_after")?,
        fingerprint: row.try_get("fingerprint")?,
    })
}

fn warnings_from(text: Option<String>) -> Vec<String> {
    text.map(|t| {
        t.lines()
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect()
    })
    .unwrap_or_default()
}

fn warnings_text(warnings: &[String]) -> Option<String> {
    (!warnings.is_empty()).then(|| warnings.join("\n"))
}

fn account_from_row(row: &AnyRow) -> Result<SigningAccountRow> {
    let kind: String = row.try_get("kind")?;
    let kind = SignerKind::from_code(&kind).ok_or_else(|| corrupt("kiểu tài khoản ký", &kind))?;
    let state: String = row.try_get("state")?;
    let state = AccountState::from_code(&state)
        .ok_or_else(|| corrupt("trạng thái tài khoản ký", &state))?;
    let staff_name: Option<String> = row.try_get("full_name")?;
    Ok(SigningAccountRow {
        id: row.try_get("id")?,
        school_year_id: SchoolYearId(row.try_get("school_year_id")?),
        staff_id: StaffId(row.try_get("staff_id")?),
        staff_name: staff_name.unwrap_or_default(),
        kind,
        kind_label: kind.label(),
        provider_url: row.try_get("provider_url")?,
        provider_username: row.try_get("provider_username")?,
        credential_id: row.try_get("credential_id")?,
        certificate: certificate_from_row(row)?,
        warnings: warnings_from(row.try_get("warnings")?),
        state,
        state_label: state.label(),
        registered_at: row.try_get("registered_at")?,
        registered_by: row.try_get("registered_by")?,
        decided_at: row.try_get("decided_at")?,
        decided_by: row.try_get("decided_by")?,
        decision_reason: row.try_get("decision_reason")?,
        copied_from: row.try_get("copied_from")?,
        version: row.try_get("version")?,
    })
}

fn request_from_row(row: &AnyRow) -> Result<OrgRequestRow> {
    let state: String = row.try_get("state")?;
    let state = OrgRequestState::from_code(&state)
        .ok_or_else(|| corrupt("trạng thái chứng thư số", &state))?;
    Ok(OrgRequestRow {
        id: row.try_get("id")?,
        school_id: SchoolId(row.try_get("school_id")?),
        school_name: row.try_get("name")?,
        school_year_id: SchoolYearId(row.try_get("school_year_id")?),
        certificate: certificate_from_row(row)?,
        warnings: warnings_from(row.try_get("warnings")?),
        reason: row.try_get("reason")?,
        state,
        state_label: state.label(),
        requested_at: row.try_get("requested_at")?,
        requested_by: row.try_get("requested_by")?,
        decided_at: row.try_get("decided_at")?,
        decided_by: row.try_get("decided_by")?,
        decision_reason: row.try_get("decision_reason")?,
        superseded_at: row.try_get("superseded_at")?,
        copied_from: row.try_get("copied_from")?,
    })
}

async fn account_in(
    tx: &mut Transaction<'_, Any>,
    school: SchoolId,
    year: SchoolYearId,
    staff: StaffId,
) -> Result<Option<SigningAccountRow>> {
    let row = sqlx::query(crate::records::registry_sql(&format!(
        "{ACCOUNT_SELECT} WHERE a.school_id = $1 AND a.school_year_id = $2 AND a.staff_id = $3"
    )))
    .bind(school.0)
    .bind(year.0)
    .bind(staff.0)
    .fetch_optional(&mut **tx)
    .await?;
    row.as_ref().map(account_from_row).transpose()
}

/// The audit summary of an account.
fn account_json(row: &SigningAccountRow) -> String {
    json!({
        "staff": row.staff_id.0,
        "kind": row.kind.code(),
        "state": row.state.code(),
        "subject": row.certificate.subject,
        "serial": row.certificate.serial,
        "provider_url": row.provider_url,
        "decision_reason": row.decision_reason,
    })
    .to_string()
}

fn request_json(row: &OrgRequestRow) -> String {
    json!({
        "state": row.state.code(),
        "subject": row.certificate.subject,
        "serial": row.certificate.serial,
        "reason": row.reason,
        "decision_reason": row.decision_reason,
    })
    .to_string()
}

impl Store {
    /// The signing accounts of a school year, by staff name (Vietnamese order).
    pub async fn signing_accounts(
        &self,
        school: SchoolId,
        year: SchoolYearId,
    ) -> Result<Vec<SigningAccountRow>> {
        let rows = sqlx::query(crate::records::registry_sql(&format!(
            "{ACCOUNT_SELECT} WHERE a.school_id = $1 AND a.school_year_id = $2"
        )))
        .bind(school.0)
        .bind(year.0)
        .fetch_all(&self.pool)
        .await?;
        let mut accounts = rows
            .iter()
            .map(account_from_row)
            .collect::<Result<Vec<_>>>()?;
        hocba_text::collator().sort_by_person_name(&mut accounts, |a| &a.staff_name);
        Ok(accounts)
    }

    /// One staff member's signing account of a school year, if any.
    pub async fn signing_account(
        &self,
        school: SchoolId,
        year: SchoolYearId,
        staff: StaffId,
    ) -> Result<Option<SigningAccountRow>> {
        let mut tx = self.pool.begin().await?;
        let row = account_in(&mut tx, school, year, staff).await?;
        tx.commit().await?;
        Ok(row)
    }

    /// Registers (or registers again) a personal signing account: state
    /// "Chờ duyệt" (seed 004 §III.1). The certificate was checked by the
    /// caller (`signing_account::check_personal_certificate`).
    pub async fn register_signing_account(
        &self,
        actor: &Actor,
        school: SchoolId,
        year: SchoolYearId,
        new: &NewSigningAccount<'_>,
    ) -> Result<SigningAccountRow> {
        // The staff member must be of this school.
        let staff = self.staff_member(school, new.staff).await?;
        let mut tx = self.begin().await?;
        let before = account_in(&mut tx, school, year, new.staff).await?;
        let state =
            signing_account::transition(before.as_ref().map(|a| a.state), &AccountEvent::Register)
                .map_err(|refused| StoreError::Refused(refused.message()))?;
        let facts = new.certificate.facts;
        let now = now_millis();
        let id = before.as_ref().map_or_else(new_id, |a| a.id);
        if before.is_some() {
            sqlx::query(
                "UPDATE signing_account SET kind = $1, provider_url = $2, provider_username = $3, credential_id = $4,
                 certificate_pem = $5, subject = $6, issuer = $7, serial = $8, holder_name = $9, not_before = $10, not_after = $11,
                 fingerprint = $12, warnings = $13, state = $14, registered_at = $15, registered_by = $16,
                 decided_at = NULL, decided_by = NULL, decision_reason = NULL, copied_from = NULL, version = version + 1
                 WHERE school_id = $17 AND id = $18",
            )
            .bind(new.kind.code())
            .bind(new.provider_url)
            .bind(new.provider_username)
            .bind(new.credential_id)
            .bind(new.certificate.pem)
            .bind(&facts.subject)
            .bind(&facts.issuer)
            .bind(&facts.serial)
            .bind(facts.common_name.as_deref())
            .bind(facts.not_before)
            .bind(facts.not_after)
            .bind(&facts.fingerprint)
            .bind(warnings_text(new.certificate.warnings))
            .bind(state.code())
            .bind(now)
            .bind(&actor.name)
            .bind(school.0)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        } else {
            sqlx::query(
                "INSERT INTO signing_account (school_id, id, school_year_id, staff_id, kind, provider_url, provider_username, credential_id,
                 certificate_pem, subject, issuer, serial, holder_name, not_before, not_after, fingerprint, warnings, state,
                 registered_at, registered_by, version)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, 1)",
            )
            .bind(school.0)
            .bind(id)
            .bind(year.0)
            .bind(new.staff.0)
            .bind(new.kind.code())
            .bind(new.provider_url)
            .bind(new.provider_username)
            .bind(new.credential_id)
            .bind(new.certificate.pem)
            .bind(&facts.subject)
            .bind(&facts.issuer)
            .bind(&facts.serial)
            .bind(facts.common_name.as_deref())
            .bind(facts.not_before)
            .bind(facts.not_after)
            .bind(&facts.fingerprint)
            .bind(warnings_text(new.certificate.warnings))
            .bind(state.code())
            .bind(now)
            .bind(&actor.name)
            .execute(&mut *tx)
            .await?;
        }
        let after = account_in(&mut tx, school, year, new.staff)
            .await?
            .ok_or_else(|| StoreError::NotFound("tài khoản ký vừa đăng ký".into()))?;
        audit::record(
            &mut tx,
            actor,
            Change {
                unit: UnitId::from(school),
                action: "signing_account.register",
                entity: "signing_account",
                entity_id: Some(id),
                summary: format!(
                    "Đăng ký tài khoản ký ({}) của {}: chứng thư số “{}”, số hiệu {} — {}",
                    new.kind.label(),
                    staff.full_name,
                    facts.subject,
                    facts.serial,
                    state.label()
                ),
                before: before.as_ref().map(account_json),
                after: Some(account_json(&after)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Approves or rejects a staff member's account of a school year
    /// (seed 004 §II.2 mục 2.1); a transition the rules forbid is refused
    /// with why and what to do.
    pub async fn decide_signing_account(
        &self,
        actor: &Actor,
        school: SchoolId,
        year: SchoolYearId,
        staff: StaffId,
        event: &AccountEvent,
    ) -> Result<SigningAccountRow> {
        let mut tx = self.begin().await?;
        let before = account_in(&mut tx, school, year, staff).await?;
        let state = signing_account::transition(before.as_ref().map(|a| a.state), event)
            .map_err(|refused| StoreError::Refused(refused.message()))?;
        let Some(before) = before else {
            return Err(StoreError::Refused(
                signing_account::TransitionRefused::NotRegistered.message(),
            ));
        };
        let reason = match event {
            AccountEvent::Reject { reason } => Some(hocba_text::clean_input(reason)),
            _ => None,
        };
        sqlx::query(
            "UPDATE signing_account SET state = $1, decided_at = $2, decided_by = $3, decision_reason = $4, version = version + 1
             WHERE school_id = $5 AND id = $6",
        )
        .bind(state.code())
        .bind(now_millis())
        .bind(&actor.name)
        .bind(reason.as_deref())
        .bind(school.0)
        .bind(before.id)
        .execute(&mut *tx)
        .await?;
        let after = account_in(&mut tx, school, year, staff)
            .await?
            .ok_or_else(|| StoreError::NotFound("tài khoản ký".into()))?;
        let verb = match state {
            AccountState::Approved => "Duyệt",
            _ => "Từ chối duyệt",
        };
        audit::record(
            &mut tx,
            actor,
            Change {
                unit: UnitId::from(school),
                action: if state == AccountState::Approved {
                    "signing_account.approve"
                } else {
                    "signing_account.reject"
                },
                entity: "signing_account",
                entity_id: Some(before.id),
                summary: match &reason {
                    Some(reason) => {
                        format!("{verb} tài khoản ký của {}: {reason}", before.staff_name)
                    }
                    None => format!("{verb} tài khoản ký của {}", before.staff_name),
                },
                before: Some(account_json(&before)),
                after: Some(account_json(&after)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// "Lấy dữ liệu năm học trước" (seed 004 §II.2 mục 1 and 2.1): copies
    /// last year's approved accounts whose certificate is still valid at
    /// `now` into the current year, approved, and the approved organisation
    /// certificate if this year has none; says who was skipped and why.
    pub async fn copy_signing_accounts_from_previous_year(
        &self,
        actor: &Actor,
        school: SchoolId,
        now: i64,
    ) -> Result<CopyOutcome> {
        let years = self.school_years(school).await?;
        let current = years.first().ok_or_else(|| {
            StoreError::NotFound("năm học nào của trường; hãy tạo năm học trước".into())
        })?;
        let previous = years
            .iter()
            .find(|y| y.year.start_year + 1 == current.year.start_year)
            .ok_or_else(|| {
                StoreError::Refused(format!(
                    "Trường chưa có năm học {}-{} nên không có dữ liệu năm học trước để lấy. Hãy đăng ký và duyệt tài khoản ký cho năm học {}.",
                    current.year.start_year - 1,
                    current.year.start_year,
                    current.label
                ))
            })?;
        let last_year = self.signing_accounts(school, previous.id).await?;
        let this_year = self.signing_accounts(school, current.id).await?;
        let mut tx = self.begin().await?;
        let mut outcome = CopyOutcome {
            from_year: previous.label.clone(),
            to_year: current.label.clone(),
            copied: Vec::new(),
            skipped: Vec::new(),
            org_certificate: None,
        };
        for old in &last_year {
            let here = this_year
                .iter()
                .find(|a| a.staff_id == old.staff_id)
                .map(|a| a.state);
            if let Err(skip) =
                signing_account::copy_decision(old.state, old.certificate.validity(), here, now)
            {
                outcome.skipped.push(SkippedAccount {
                    staff_id: old.staff_id,
                    staff_name: old.staff_name.clone(),
                    reason: skip.message(),
                    skip,
                });
                continue;
            }
            sqlx::query(
                "INSERT INTO signing_account (school_id, id, school_year_id, staff_id, kind, provider_url, provider_username, credential_id,
                 certificate_pem, subject, issuer, serial, holder_name, not_before, not_after, fingerprint, warnings, state,
                 registered_at, registered_by, decided_at, decided_by, decision_reason, copied_from, version)
                 SELECT school_id, $1, $2, staff_id, kind, provider_url, provider_username, credential_id,
                 certificate_pem, subject, issuer, serial, holder_name, not_before, not_after, fingerprint, warnings, state,
                 registered_at, registered_by, $3, $4, $5, id, 1
                 FROM signing_account WHERE school_id = $6 AND id = $7",
            )
            .bind(new_id())
            .bind(current.id.0)
            .bind(now)
            .bind(&actor.name)
            .bind(format!("Lấy dữ liệu năm học {}", previous.label))
            .bind(school.0)
            .bind(old.id)
            .execute(&mut *tx)
            .await?;
            outcome.copied.push(CopiedAccount {
                staff_id: old.staff_id,
                staff_name: old.staff_name.clone(),
            });
        }
        // The organisation certificate (seed 004 §II.2 mục 1, "Lấy dữ liệu năm học trước").
        let old_requests = requests_in(&mut tx, school, previous.id).await?;
        let new_requests = requests_in(&mut tx, school, current.id).await?;
        let old_states: Vec<OrgRequestState> = old_requests.iter().map(|r| r.state).collect();
        if let Some(index) = signing_account::active_org_request(&old_states) {
            let old = &old_requests[index];
            outcome.org_certificate = Some(if !new_requests.is_empty() {
                "Chứng thư số nhà trường: không sao chép vì năm học này đã có yêu cầu đăng ký."
                    .into()
            } else if !old.certificate.validity().contains(now) {
                format!(
                    "Chứng thư số nhà trường: không sao chép vì đã hết hạn ngày {}; hãy đăng ký chứng thư số mới.",
                    hocba_domain::date::vietnam_time(old.certificate.not_after)
                )
            } else {
                sqlx::query(
                    "INSERT INTO org_certificate_request (school_id, id, school_year_id, certificate_pem, subject, issuer, serial, holder_name,
                     not_before, not_after, fingerprint, warnings, reason, state, requested_at, requested_by, decided_at, decided_by,
                     decision_reason, copied_from)
                     SELECT school_id, $1, $2, certificate_pem, subject, issuer, serial, holder_name, not_before, not_after, fingerprint,
                     warnings, reason, state, requested_at, requested_by, decided_at, decided_by, decision_reason, id
                     FROM org_certificate_request WHERE school_id = $3 AND id = $4",
                )
                .bind(new_id())
                .bind(current.id.0)
                .bind(school.0)
                .bind(old.id)
                .execute(&mut *tx)
                .await?;
                "Chứng thư số nhà trường: đã sao chép chứng thư số đã duyệt.".into()
            });
        }
        audit::record(
            &mut tx,
            actor,
            Change {
                unit: UnitId::from(school),
                action: "signing_account.copy_previous_year",
                entity: "signing_account",
                entity_id: None,
                summary: format!(
                    "Lấy dữ liệu năm học trước ({} → {}): sao chép {} tài khoản ký, bỏ qua {}",
                    outcome.from_year,
                    outcome.to_year,
                    outcome.copied.len(),
                    outcome.skipped.len()
                ),
                before: None,
                after: serde_json::to_string(&outcome).ok(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(outcome)
    }

    /// Staff holding signing permissions, by name.
    pub async fn signing_permissions(&self, school: SchoolId) -> Result<Vec<PermissionRow>> {
        let rows = sqlx::query(
            "SELECT p.staff_id, s.full_name, p.permission FROM signing_permission p
             LEFT JOIN staff s ON s.school_id = p.school_id AND s.id = p.staff_id
             WHERE p.school_id = $1 ORDER BY p.staff_id, p.permission",
        )
        .bind(school.0)
        .fetch_all(&self.pool)
        .await?;
        let mut out: Vec<PermissionRow> = Vec::new();
        for row in &rows {
            let staff = StaffId(row.try_get("staff_id")?);
            let code: String = row.try_get("permission")?;
            let permission =
                Permission::from_code(&code).ok_or_else(|| corrupt("quyền ký", &code))?;
            match out.last_mut() {
                Some(last) if last.staff_id == staff => last.permissions.push(permission),
                _ => {
                    let name: Option<String> = row.try_get("full_name")?;
                    out.push(PermissionRow {
                        staff_id: staff,
                        staff_name: name.unwrap_or_default(),
                        permissions: vec![permission],
                    });
                }
            }
        }
        for row in &mut out {
            row.permissions.sort();
        }
        hocba_text::collator().sort_by_person_name(&mut out, |p| &p.staff_name);
        Ok(out)
    }

    /// Sets the signing permissions of one staff member (seed 004 §II.2
    /// mục 2.2: "Phân quyền ký phát hành"); returns them.
    pub async fn set_signing_permissions(
        &self,
        actor: &Actor,
        school: SchoolId,
        staff: StaffId,
        permissions: &[Permission],
    ) -> Result<Vec<Permission>> {
        let member = self.staff_member(school, staff).await?;
        let mut wanted = permissions.to_vec();
        wanted.sort();
        wanted.dedup();
        let mut tx = self.begin().await?;
        let before: Vec<String> = sqlx::query_scalar(
            "SELECT permission FROM signing_permission WHERE school_id = $1 AND staff_id = $2 ORDER BY permission",
        )
        .bind(school.0)
        .bind(staff.0)
        .fetch_all(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM signing_permission WHERE school_id = $1 AND staff_id = $2")
            .bind(school.0)
            .bind(staff.0)
            .execute(&mut *tx)
            .await?;
        let now = now_millis();
        for permission in &wanted {
            sqlx::query(
                "INSERT INTO signing_permission (school_id, staff_id, permission, granted_at, granted_by) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(school.0)
            .bind(staff.0)
            .bind(permission.code())
            .bind(now)
            .bind(&actor.name)
            .execute(&mut *tx)
            .await?;
        }
        let labels: Vec<&str> = wanted.iter().map(|p| p.label()).collect();
        audit::record(
            &mut tx,
            actor,
            Change {
                unit: UnitId::from(school),
                action: "signing_permission.set",
                entity: "staff",
                entity_id: Some(staff.0),
                summary: format!(
                    "Phân quyền ký cho {}: {}",
                    member.full_name,
                    if labels.is_empty() {
                        "không có quyền nào".to_owned()
                    } else {
                        labels.join(", ")
                    }
                ),
                before: Some(json!(before).to_string()),
                after: Some(json!(wanted.iter().map(|p| p.code()).collect::<Vec<_>>()).to_string()),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(wanted)
    }

    /// The organisation-certificate requests of a school year, newest first
    /// ("Lịch sử yêu cầu đăng ký chứng thư số").
    pub async fn org_certificate_requests(
        &self,
        school: SchoolId,
        year: SchoolYearId,
    ) -> Result<Vec<OrgRequestRow>> {
        let mut tx = self.pool.begin().await?;
        let rows = requests_in(&mut tx, school, year).await?;
        tx.commit().await?;
        Ok(rows)
    }

    /// The requests of every school under a department or bureau (pending
    /// first, then the newest), for its officers.
    pub async fn org_certificate_requests_under(&self, unit: UnitId) -> Result<Vec<OrgRequestRow>> {
        let rows = sqlx::query(crate::records::registry_sql(&format!(
            "{REQUEST_SELECT} WHERE u.parent_id = $1 OR u.parent_id IN (SELECT id FROM unit WHERE parent_id = $1)
             ORDER BY CASE WHEN r.state = 'pending' THEN 0 ELSE 1 END, r.requested_at DESC, r.id DESC LIMIT 500"
        )))
        .bind(unit.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(request_from_row).collect()
    }

    /// The school a request belongs to (for the department's pages, whose
    /// path names the department, not the school).
    pub async fn org_certificate_request_school(&self, request: i64) -> Result<SchoolId> {
        let school: Option<i64> =
            sqlx::query_scalar("SELECT school_id FROM org_certificate_request WHERE id = $1")
                .bind(request)
                .fetch_optional(&self.pool)
                .await?;
        school.map(SchoolId).ok_or_else(|| {
            StoreError::NotFound(format!("yêu cầu đăng ký chứng thư số mã {request}"))
        })
    }

    /// Sends a request to register the school's organisation certificate
    /// ("Chờ duyệt đăng ký"); refused while another waits, and without a
    /// reason once one is approved (seed 004 §II.2 mục 1).
    pub async fn register_org_certificate(
        &self,
        actor: &Actor,
        school: SchoolId,
        year: SchoolYearId,
        new: &NewOrgCertificate<'_>,
    ) -> Result<OrgRequestRow> {
        let mut tx = self.begin().await?;
        let existing = requests_in(&mut tx, school, year).await?;
        let states: Vec<OrgRequestState> = existing.iter().map(|r| r.state).collect();
        signing_account::check_org_registration(&states, new.reason)
            .map_err(|refused| StoreError::Refused(refused.message()))?;
        let facts = new.certificate.facts;
        let id = new_id();
        let reason = new
            .reason
            .map(hocba_text::clean_input)
            .filter(|r| !r.is_empty());
        sqlx::query(
            "INSERT INTO org_certificate_request (school_id, id, school_year_id, certificate_pem, subject, issuer, serial, holder_name,
             not_before, not_after, fingerprint, warnings, reason, state, requested_at, requested_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
        )
        .bind(school.0)
        .bind(id)
        .bind(year.0)
        .bind(new.certificate.pem)
        .bind(&facts.subject)
        .bind(&facts.issuer)
        .bind(&facts.serial)
        .bind(facts.common_name.as_deref())
        .bind(facts.not_before)
        .bind(facts.not_after)
        .bind(&facts.fingerprint)
        .bind(warnings_text(new.certificate.warnings))
        .bind(reason.as_deref())
        .bind(OrgRequestState::Pending.code())
        .bind(now_millis())
        .bind(&actor.name)
        .execute(&mut *tx)
        .await?;
        let row = request_in(&mut tx, school, id).await?;
        audit::record(
            &mut tx,
            actor,
            Change {
                unit: UnitId::from(school),
                action: "org_certificate.register",
                entity: "org_certificate_request",
                entity_id: Some(id),
                summary: match &reason {
                    Some(reason) => format!(
                        "Gửi yêu cầu đăng ký lại chứng thư số nhà trường “{}” (lý do: {reason})",
                        facts.subject
                    ),
                    None => format!("Đăng ký chứng thư số nhà trường “{}”", facts.subject),
                },
                before: None,
                after: Some(request_json(&row)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(row)
    }

    /// The department's (or bureau's) decision on a request; approving it
    /// supersedes the certificate approved before, which stayed usable
    /// until now.
    pub async fn decide_org_certificate(
        &self,
        actor: &Actor,
        school: SchoolId,
        request: i64,
        decision: &OrgDecision,
    ) -> Result<OrgRequestRow> {
        let mut tx = self.begin().await?;
        let before = request_in(&mut tx, school, request).await?;
        let state = signing_account::decide_org_request(before.state, decision)
            .map_err(|refused| StoreError::Refused(refused.message()))?;
        let now = now_millis();
        let reason = match decision {
            OrgDecision::Reject { reason } => Some(hocba_text::clean_input(reason)),
            OrgDecision::Approve => None,
        };
        if state == OrgRequestState::Approved {
            sqlx::query(
                "UPDATE org_certificate_request SET state = $1, superseded_at = $2
                 WHERE school_id = $3 AND school_year_id = $4 AND state = $5",
            )
            .bind(OrgRequestState::Superseded.code())
            .bind(now)
            .bind(school.0)
            .bind(before.school_year_id.0)
            .bind(OrgRequestState::Approved.code())
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(
            "UPDATE org_certificate_request SET state = $1, decided_at = $2, decided_by = $3, decision_reason = $4
             WHERE school_id = $5 AND id = $6",
        )
        .bind(state.code())
        .bind(now)
        .bind(&actor.name)
        .bind(reason.as_deref())
        .bind(school.0)
        .bind(request)
        .execute(&mut *tx)
        .await?;
        let after = request_in(&mut tx, school, request).await?;
        audit::record(
            &mut tx,
            actor,
            Change {
                unit: UnitId::from(school),
                action: if state == OrgRequestState::Approved {
                    "org_certificate.approve"
                } else {
                    "org_certificate.reject"
                },
                entity: "org_certificate_request",
                entity_id: Some(request),
                summary: match &reason {
                    Some(reason) => format!(
                        "Phòng/Sở GD&ĐT từ chối duyệt chứng thư số nhà trường “{}”: {reason}",
                        before.certificate.subject
                    ),
                    None => format!(
                        "Phòng/Sở GD&ĐT duyệt chứng thư số nhà trường “{}”",
                        before.certificate.subject
                    ),
                },
                before: Some(request_json(&before)),
                after: Some(request_json(&after)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }
}

async fn requests_in(
    tx: &mut Transaction<'_, Any>,
    school: SchoolId,
    year: SchoolYearId,
) -> Result<Vec<OrgRequestRow>> {
    let rows = sqlx::query(crate::records::registry_sql(&format!(
        "{REQUEST_SELECT} WHERE r.school_id = $1 AND r.school_year_id = $2 ORDER BY r.requested_at DESC, r.id DESC"
    )))
    .bind(school.0)
    .bind(year.0)
    .fetch_all(&mut **tx)
    .await?;
    rows.iter().map(request_from_row).collect()
}

async fn request_in(
    tx: &mut Transaction<'_, Any>,
    school: SchoolId,
    request: i64,
) -> Result<OrgRequestRow> {
    let row = sqlx::query(crate::records::registry_sql(&format!(
        "{REQUEST_SELECT} WHERE r.school_id = $1 AND r.id = $2"
    )))
    .bind(school.0)
    .bind(request)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(|| StoreError::NotFound(format!("yêu cầu đăng ký chứng thư số mã {request}")))?;
    request_from_row(&row)
}
