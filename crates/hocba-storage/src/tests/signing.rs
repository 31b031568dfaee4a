//! Signing accounts, the organisation certificate and signing permissions
//! (seed 004 §II.2, §III.1), on every engine.

use super::*;
use crate::test_util::stores;
use crate::{
    AuditQuery, CertificateInput, NewOrgCertificate, NewSigningAccount, StoreError, now_millis,
};
use hocba_domain::signing_account::{
    AccountEvent, AccountState, CertificateFacts, CopySkip, Holder, OrgDecision, OrgRequestState,
    Permission, SignerKind,
};

const DAY: i64 = 86_400_000;

fn facts(name: &str, serial: &str, holder: Holder, not_after: i64) -> CertificateFacts {
    CertificateFacts {
        subject: format!("CN={name}, O=Trường THPT Thái Phiên, C=VN"),
        issuer: "CN=hocba Test Issuing CA".into(),
        serial: serial.into(),
        common_name: Some(name.into()),
        organisation: Some("Trường THPT Thái Phiên".into()),
        uid: Some("CCCD:031190012345".into()),
        holder,
        not_before: now_millis() - 30 * DAY,
        not_after,
        fingerprint: format!("fp-{serial}"),
        signs_documents: true,
    }
}

fn token(staff: StaffId, facts: &CertificateFacts) -> NewSigningAccount<'_> {
    NewSigningAccount {
        staff,
        kind: SignerKind::Token,
        provider_url: None,
        provider_username: None,
        credential_id: None,
        certificate: CertificateInput {
            pem: "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n",
            facts,
            warnings: &[],
        },
    }
}

fn refused(result: crate::Result<impl std::fmt::Debug>, needle: &str, e: impl std::fmt::Display) {
    match result {
        Err(StoreError::Refused(message)) => {
            assert!(message.contains(needle), "{e}: {message}")
        }
        other => panic!("{e}: expected a refusal containing “{needle}”, got {other:?}"),
    }
}

#[tokio::test]
async fn accounts_go_through_the_state_machine_with_an_audit_trail() {
    for (db, store) in stores().await {
        let e = db.engine;
        let o = org(&store).await;
        let (school, year) = school_with_year(&store, o.department, "THPT Thái Phiên", 2025).await;
        let huong = staff(&store, school, "Nguyễn Thị Hương").await;
        let later = now_millis() + 700 * DAY;
        let cert = facts("Nguyễn Thị Hương", "0A01", Holder::Person, later);

        assert!(
            store
                .signing_account(school, year, huong)
                .await
                .unwrap()
                .is_none(),
            "{e}"
        );
        // Nothing to approve yet.
        refused(
            store
                .decide_signing_account(&actor(), school, year, huong, &AccountEvent::Approve)
                .await,
            "chưa đăng ký",
            e,
        );
        let first = store
            .register_signing_account(&actor(), school, year, &token(huong, &cert))
            .await
            .unwrap();
        assert_eq!(first.state, AccountState::Pending, "{e}");
        assert_eq!(first.state_label, "Chờ duyệt", "{e}");
        assert_eq!(first.staff_name, "Nguyễn Thị Hương", "{e}");
        // Registering again while pending replaces the details.
        let cert2 = facts("Nguyễn Thị Hương", "0A02", Holder::Person, later);
        let second = store
            .register_signing_account(&actor(), school, year, &token(huong, &cert2))
            .await
            .unwrap();
        assert_eq!(second.id, first.id, "{e}");
        assert_eq!(second.version, 2, "{e}");
        assert_eq!(second.certificate.serial, "0A02", "{e}");

        let approved = store
            .decide_signing_account(&actor(), school, year, huong, &AccountEvent::Approve)
            .await
            .unwrap();
        assert_eq!(approved.state, AccountState::Approved, "{e}");
        assert_eq!(approved.state_label, "Đã duyệt tài khoản", "{e}");
        assert!(approved.decided_at.is_some(), "{e}");
        refused(
            store
                .decide_signing_account(&actor(), school, year, huong, &AccountEvent::Approve)
                .await,
            "đã được duyệt",
            e,
        );
        refused(
            store
                .decide_signing_account(
                    &actor(),
                    school,
                    year,
                    huong,
                    &AccountEvent::Reject {
                        reason: "Sai".into(),
                    },
                )
                .await,
            "không từ chối được",
            e,
        );
        // A new certificate: back to pending; a reason is needed to reject.
        store
            .register_signing_account(&actor(), school, year, &token(huong, &cert))
            .await
            .unwrap();
        refused(
            store
                .decide_signing_account(
                    &actor(),
                    school,
                    year,
                    huong,
                    &AccountEvent::Reject { reason: " ".into() },
                )
                .await,
            "lý do",
            e,
        );
        let rejected = store
            .decide_signing_account(
                &actor(),
                school,
                year,
                huong,
                &AccountEvent::Reject {
                    reason: "Chứng thư số không đúng người".into(),
                },
            )
            .await
            .unwrap();
        assert_eq!(rejected.state, AccountState::Rejected, "{e}");
        assert_eq!(
            rejected.decision_reason.as_deref(),
            Some("Chứng thư số không đúng người"),
            "{e}"
        );
        let list = store.signing_accounts(school, year).await.unwrap();
        assert_eq!(list.len(), 1, "{e}");

        let trail = store
            .audit_entries(
                UnitId::from(school),
                &AuditQuery {
                    entity: Some("signing_account".into()),
                    entity_id: Some(first.id),
                    limit: 50,
                },
            )
            .await
            .unwrap();
        let actions: Vec<&str> = trail.iter().rev().map(|a| a.action.as_str()).collect();
        assert_eq!(
            actions,
            [
                "signing_account.register",
                "signing_account.register",
                "signing_account.approve",
                "signing_account.register",
                "signing_account.reject"
            ],
            "{e}"
        );
        assert!(
            trail[0].summary.contains("Chứng thư số không đúng người"),
            "{e}"
        );

        // Another school's staff is not found here, and its accounts are not touched.
        let (other, other_year) =
            school_with_year(&store, o.department, "THPT Ngô Quyền", 2025).await;
        let stranger = staff(&store, other, "Trần Văn Đức").await;
        let error = store
            .register_signing_account(&actor(), school, year, &token(stranger, &cert))
            .await
            .unwrap_err();
        assert!(matches!(error, StoreError::NotFound(_)), "{e}: {error:?}");
        refused(
            store
                .decide_signing_account(&actor(), other, other_year, huong, &AccountEvent::Approve)
                .await,
            "chưa đăng ký",
            e,
        );
    }
}

#[tokio::test]
async fn copying_the_previous_year_keeps_valid_approvals_and_says_why_not() {
    for (db, store) in stores().await {
        let e = db.engine;
        let o = org(&store).await;
        let (school, last) = school_with_year(&store, o.department, "THPT Lê Quý Đôn", 2024).await;
        let later = now_millis() + 365 * DAY;
        let expired_at = now_millis() - DAY;
        let names = ["Lê Thị Ánh", "Đỗ Thị Lan", "Phạm Quốc Bảo", "Trần Văn Đức"];
        let mut ids = Vec::new();
        for (i, name) in names.iter().enumerate() {
            let id = staff(&store, school, name).await;
            let not_after = if i == 1 { expired_at } else { later };
            let cert = facts(name, &format!("0B0{i}"), Holder::Person, not_after);
            store
                .register_signing_account(&actor(), school, last, &token(id, &cert))
                .await
                .unwrap();
            if i != 2 {
                store
                    .decide_signing_account(&actor(), school, last, id, &AccountEvent::Approve)
                    .await
                    .unwrap();
            }
            ids.push(id);
        }
        let org_cert = facts(
            "Trường THPT Lê Quý Đôn",
            "0C01",
            Holder::Organisation,
            later,
        );
        let request = store
            .register_org_certificate(
                &actor(),
                school,
                last,
                &NewOrgCertificate {
                    certificate: CertificateInput {
                        pem: "pem",
                        facts: &org_cert,
                        warnings: &[],
                    },
                    reason: None,
                },
            )
            .await
            .unwrap();
        store
            .decide_org_certificate(&actor(), school, request.id, &OrgDecision::Approve)
            .await
            .unwrap();

        // Without a previous year there is nothing to copy.
        let error = store
            .copy_signing_accounts_from_previous_year(&actor(), school, now_millis())
            .await;
        refused(error, "năm học trước", e);

        let current = store
            .create_school_year(
                &actor(),
                school,
                SchoolYear { start_year: 2025 },
                &grades(&[10, 11, 12]),
            )
            .await
            .unwrap();
        // Trần Văn Đức already registered this year.
        let cert = facts("Trần Văn Đức", "0D01", Holder::Person, later);
        store
            .register_signing_account(&actor(), school, current, &token(ids[3], &cert))
            .await
            .unwrap();

        let outcome = store
            .copy_signing_accounts_from_previous_year(&actor(), school, now_millis())
            .await
            .unwrap();
        assert_eq!(outcome.from_year, "2024-2025", "{e}");
        assert_eq!(outcome.to_year, "2025-2026", "{e}");
        let copied: Vec<&str> = outcome
            .copied
            .iter()
            .map(|c| c.staff_name.as_str())
            .collect();
        assert_eq!(copied, ["Lê Thị Ánh"], "{e}");
        let skipped: Vec<(&str, &CopySkip)> = outcome
            .skipped
            .iter()
            .map(|s| (s.staff_name.as_str(), &s.skip))
            .collect();
        assert_eq!(skipped.len(), 3, "{e}: {skipped:?}");
        for (name, skip) in &skipped {
            match *name {
                "Đỗ Thị Lan" => assert!(matches!(skip, CopySkip::Expired { .. }), "{e}"),
                "Phạm Quốc Bảo" => assert!(
                    matches!(
                        skip,
                        CopySkip::NotApproved {
                            state: AccountState::Pending
                        }
                    ),
                    "{e}"
                ),
                "Trần Văn Đức" => assert!(
                    matches!(
                        skip,
                        CopySkip::AlreadyThisYear {
                            state: AccountState::Pending
                        }
                    ),
                    "{e}"
                ),
                other => panic!("{e}: unexpected {other}"),
            }
        }
        assert!(outcome.skipped.iter().all(|s| !s.reason.is_empty()), "{e}");
        assert!(
            outcome
                .org_certificate
                .as_deref()
                .is_some_and(|m| m.contains("đã sao chép")),
            "{e}: {outcome:?}"
        );
        let now_accounts = store.signing_accounts(school, current).await.unwrap();
        let anh = now_accounts
            .iter()
            .find(|a| a.staff_id == ids[0])
            .expect("copied");
        assert_eq!(anh.state, AccountState::Approved, "{e}");
        assert!(anh.copied_from.is_some(), "{e}");
        let requests = store
            .org_certificate_requests(school, current)
            .await
            .unwrap();
        assert_eq!(requests.len(), 1, "{e}");
        assert_eq!(requests[0].state, OrgRequestState::Approved, "{e}");
        assert_eq!(requests[0].school_name, "THPT Lê Quý Đôn", "{e}");

        // Again: nothing new, and it says why.
        let again = store
            .copy_signing_accounts_from_previous_year(&actor(), school, now_millis())
            .await
            .unwrap();
        assert!(again.copied.is_empty(), "{e}");
        assert!(
            again.skipped.iter().any(|s| s.staff_name == "Lê Thị Ánh"
                && matches!(s.skip, CopySkip::AlreadyThisYear { .. })),
            "{e}"
        );
        assert!(
            again
                .org_certificate
                .as_deref()
                .is_some_and(|m| m.contains("không sao chép")),
            "{e}"
        );
    }
}

#[tokio::test]
async fn re_registering_keeps_the_old_organisation_certificate_until_approval() {
    for (db, store) in stores().await {
        let e = db.engine;
        let o = org(&store).await;
        let (school, year) = school_with_year(&store, o.bureau, "THPT Trần Phú", 2025).await;
        let later = now_millis() + 365 * DAY;
        let old = facts("Trường THPT Trần Phú", "0E01", Holder::Organisation, later);
        let new = facts("Trường THPT Trần Phú", "0E02", Holder::Organisation, later);
        let register = |f: &'static CertificateFacts, reason: Option<&'static str>| {
            let store = store.clone();
            async move {
                store
                    .register_org_certificate(
                        &actor(),
                        school,
                        year,
                        &NewOrgCertificate {
                            certificate: CertificateInput {
                                pem: "pem",
                                facts: f,
                                warnings: &[],
                            },
                            reason,
                        },
                    )
                    .await
            }
        };
        let old: &'static CertificateFacts = Box::leak(Box::new(old));
        let new: &'static CertificateFacts = Box::leak(Box::new(new));
        let first = register(old, None).await.unwrap();
        assert_eq!(first.state, OrgRequestState::Pending, "{e}");
        assert_eq!(first.state_label, "Chờ duyệt đăng ký", "{e}");
        refused(register(new, Some("đổi")).await, "chờ Phòng/Sở", e);
        refused(
            store
                .decide_org_certificate(
                    &actor(),
                    school,
                    first.id,
                    &OrgDecision::Reject {
                        reason: String::new(),
                    },
                )
                .await,
            "lý do",
            e,
        );
        store
            .decide_org_certificate(&actor(), school, first.id, &OrgDecision::Approve)
            .await
            .unwrap();
        refused(
            store
                .decide_org_certificate(&actor(), school, first.id, &OrgDecision::Approve)
                .await,
            "đã được xử lý",
            e,
        );
        // Re-registration needs a reason; the old one stays approved meanwhile.
        refused(register(new, None).await, "lý do", e);
        let second = register(new, Some("Chứng thư số cũ sắp hết hạn"))
            .await
            .unwrap();
        let history = store.org_certificate_requests(school, year).await.unwrap();
        let states: Vec<OrgRequestState> = history.iter().map(|r| r.state).collect();
        assert_eq!(
            states,
            [OrgRequestState::Pending, OrgRequestState::Approved],
            "{e}"
        );
        // The bureau's officers see it (the school is under the bureau, and
        // under the department through it).
        for unit in [o.bureau, o.department] {
            let under = store.org_certificate_requests_under(unit).await.unwrap();
            assert_eq!(under.len(), 2, "{e}");
            assert_eq!(under[0].id, second.id, "{e}: pending first");
        }
        assert_eq!(
            store
                .org_certificate_request_school(second.id)
                .await
                .unwrap(),
            school,
            "{e}"
        );
        let approved = store
            .decide_org_certificate(&actor(), school, second.id, &OrgDecision::Approve)
            .await
            .unwrap();
        assert_eq!(approved.state, OrgRequestState::Approved, "{e}");
        let history = store.org_certificate_requests(school, year).await.unwrap();
        let states: Vec<OrgRequestState> = history.iter().map(|r| r.state).collect();
        assert_eq!(
            states,
            [OrgRequestState::Approved, OrgRequestState::Superseded],
            "{e}"
        );
        assert!(history[1].superseded_at.is_some(), "{e}");
        assert_eq!(
            history[0].reason.as_deref(),
            Some("Chứng thư số cũ sắp hết hạn"),
            "{e}"
        );
        let trail = store
            .audit_entries(
                UnitId::from(school),
                &AuditQuery {
                    entity: Some("org_certificate_request".into()),
                    entity_id: None,
                    limit: 50,
                },
            )
            .await
            .unwrap();
        assert_eq!(trail.len(), 4, "{e}");
    }
}

#[tokio::test]
async fn signing_permissions_are_granted_and_revoked() {
    for (db, store) in stores().await {
        let e = db.engine;
        let o = org(&store).await;
        let (school, _) = school_with_year(&store, o.department, "THPT Hồng Bàng", 2025).await;
        let bao = staff(&store, school, "Phạm Quốc Bảo").await;
        let anh = staff(&store, school, "Lê Thị Ánh").await;
        assert!(
            store.signing_permissions(school).await.unwrap().is_empty(),
            "{e}"
        );
        store
            .set_signing_permissions(
                &actor(),
                school,
                bao,
                &[Permission::Seal, Permission::IssueSign, Permission::Seal],
            )
            .await
            .unwrap();
        store
            .set_signing_permissions(&actor(), school, anh, &[Permission::Delegate])
            .await
            .unwrap();
        let rows = store.signing_permissions(school).await.unwrap();
        let seen: Vec<(&str, Vec<Permission>)> = rows
            .iter()
            .map(|r| (r.staff_name.as_str(), r.permissions.clone()))
            .collect();
        assert_eq!(
            seen,
            [
                ("Lê Thị Ánh", vec![Permission::Delegate]),
                (
                    "Phạm Quốc Bảo",
                    vec![Permission::IssueSign, Permission::Seal]
                ),
            ],
            "{e}"
        );
        store
            .set_signing_permissions(&actor(), school, bao, &[])
            .await
            .unwrap();
        assert_eq!(
            store.signing_permissions(school).await.unwrap().len(),
            1,
            "{e}"
        );
        let (other, _) = school_with_year(&store, o.department, "THPT Ngô Quyền", 2025).await;
        let error = store
            .set_signing_permissions(&actor(), other, bao, &[Permission::Seal])
            .await
            .unwrap_err();
        assert!(matches!(error, StoreError::NotFound(_)), "{e}: {error:?}");
        let trail = store
            .audit_entries(
                UnitId::from(school),
                &AuditQuery {
                    entity: Some("staff".into()),
                    entity_id: Some(bao.0),
                    limit: 10,
                },
            )
            .await
            .unwrap();
        assert!(
            trail[0].summary.contains("không có quyền nào")
                && trail[1].summary.contains("Nhân sự ký phát hành"),
            "{e}: {trail:?}"
        );
    }
}
