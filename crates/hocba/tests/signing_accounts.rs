//! Signing accounts end to end (seed 004 §II.2, §III.1), over HTTP against
//! the real server loaded with the demo, on every engine: a teacher
//! registers a USB-token account with a certificate of a test PKI generated
//! here and the admin approves it; a leader registers a remote-signing
//! account against a stand-in CSC service started here (a wrong access
//! token gets the provider's error, the right one a pending account) and
//! the admin rejects it with a reason; a school registers its organisation
//! certificate, the department's officer approves it, and a re-registration
//! keeps the old certificate active until it is approved; last year's
//! approvals are copied into a new year, with the skipped ones explained;
//! another school's accounts get 403 on every new route.

mod common;

use common::{Env, Payload, assert_forbidden};
use hocba::demo::certificate_in_name;
use hocba_domain::signing_account::{AccountEvent, CertificateFacts, Holder, SignerKind};
use hocba_signing::KeyFileSigner;
use hocba_signing::csc::testing::{Credential, StandInCsc};
use hocba_signing::pki::{DemoPki, Role as PkiRole};
use hocba_storage::{Actor, CertificateInput, NewSigningAccount};
use hocba_web::routes::SCHOOL_ROUTES;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const TOKEN: &str = "ma-truy-cap-dung";

fn message(body: &Value) -> String {
    body["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_accounts_end_to_end() {
    let started = std::time::Instant::now();
    let pki = DemoPki::generate("mat-khau-thu").expect("test PKI");
    eprintln!("test PKI generated in {:?}", started.elapsed());
    for db in hocba_test_support::test_databases().await {
        let env = Env::start(db).await;
        let engine = env.engine;
        let thpt = env.school_of("thpt.admin");
        let base = format!("/api/v1/schools/{thpt}");
        let admin = env.token("thpt.admin").await;
        let gvbm = env.token("thpt.gvbm").await;

        // The demo's accounts: the principal and the homeroom teacher approved.
        let list = env
            .get_ok(&admin, &format!("{base}/signing-accounts"))
            .await;
        let approved = list["staff"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["state_label"] == "Đã duyệt tài khoản")
            .count();
        assert_eq!(approved, 2, "[{engine}] {list}");
        assert!(
            list["staff"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["state_label"] == "Chưa đăng ký tài khoản"),
            "[{engine}]"
        );

        // --- A subject teacher registers a USB-token account.
        let mine = env
            .get_ok(&gvbm, &format!("{base}/signing-accounts/mine"))
            .await;
        assert_eq!(mine["state_label"], "Chưa đăng ký tài khoản", "[{engine}]");
        assert_eq!(mine["can_sign"]["ok"], false, "[{engine}]");
        let name = mine["staff_name"].as_str().unwrap().to_owned();
        let staff = mine["staff_id"].as_i64().unwrap();
        let register = |certificate: String| json!({"kind": "token", "certificate": certificate});
        let post = |body: Value| {
            let env = &env;
            let path = format!("{base}/signing-accounts");
            let gvbm = gvbm.clone();
            async move {
                env.call(Method::POST, &path, Some(&gvbm), Payload::Json(body))
                    .await
            }
        };
        // Refusals name the reason and what to do.
        let (status, body) = post(register(pki.expired.certificate.to_pem())).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{engine}] {body}"
        );
        assert!(message(&body).contains("hết hạn"), "[{engine}] {body}");
        let someone_else = pki.identity(PkiRole::SubjectTeacher).certificate.to_pem();
        let (status, body) = post(register(someone_else)).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{engine}] {body}"
        );
        assert!(
            message(&body).contains("không phải tên của bạn"),
            "[{engine}] {body}"
        );
        let org = pki.identity(PkiRole::School).certificate.to_pem();
        let (status, body) = post(register(org.clone())).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{engine}] {body}"
        );
        assert!(
            message(&body).contains("chứng thư số tổ chức"),
            "[{engine}] {body}"
        );
        let (status, body) = post(register("không phải chứng thư".into())).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{engine}] {body}"
        );
        assert!(
            message(&body).contains("Không đọc được"),
            "[{engine}] {body}"
        );
        // A name without accents: accepted with a warning.
        let unaccented = hocba_text::fold(&name).to_uppercase();
        let certificate = certificate_in_name(
            &pki,
            PkiRole::SubjectTeacher,
            &unaccented,
            "CCCD:031190000001",
        )
        .unwrap();
        let (status, body) = post(register(certificate.to_pem())).await;
        assert_eq!(status, StatusCode::CREATED, "[{engine}] {body}");
        assert!(
            body["warnings"][0]
                .as_str()
                .is_some_and(|w| w.contains("dấu thanh")),
            "[{engine}] {body}"
        );
        // The exact name, as DER in base64 (what a token exports).
        let certificate =
            certificate_in_name(&pki, PkiRole::SubjectTeacher, &name, "CCCD:031190000001").unwrap();
        let der = base64_der(certificate.der());
        let (status, body) = post(register(der)).await;
        assert_eq!(status, StatusCode::CREATED, "[{engine}] {body}");
        assert_eq!(body["account"]["state_label"], "Chờ duyệt", "[{engine}]");
        assert_eq!(body["account"]["kind"], "token", "[{engine}]");
        assert_eq!(
            body["account"]["certificate"]["serial"],
            certificate.serial_hex(),
            "[{engine}]"
        );
        assert!(
            body["account"]["warnings"].as_array().unwrap().is_empty(),
            "[{engine}] {body}"
        );
        let mine = env
            .get_ok(&gvbm, &format!("{base}/signing-accounts/mine"))
            .await;
        assert_eq!(mine["state_label"], "Chờ duyệt", "[{engine}]");
        assert!(
            mine["can_sign"]["reason"]
                .as_str()
                .unwrap()
                .contains("chờ quản trị viên duyệt"),
            "[{engine}] {mine}"
        );
        // The teacher cannot approve their own account.
        let approve_path = format!("{base}/signing-accounts/{staff}/approve");
        let (status, body) = env
            .call(Method::POST, &approve_path, Some(&gvbm), Payload::None)
            .await;
        assert_forbidden(engine, "teacher approves", status, &body);
        // The admin approves; once.
        let body = env
            .write_expect(
                Method::POST,
                &admin,
                &approve_path,
                json!(null),
                StatusCode::OK,
            )
            .await;
        assert_eq!(body["state_label"], "Đã duyệt tài khoản", "[{engine}]");
        let (status, body) = env
            .call(Method::POST, &approve_path, Some(&admin), Payload::None)
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{engine}] {body}"
        );
        assert!(
            message(&body).contains("đã được duyệt"),
            "[{engine}] {body}"
        );
        let mine = env
            .get_ok(&gvbm, &format!("{base}/signing-accounts/mine"))
            .await;
        assert_eq!(mine["can_sign"]["ok"], true, "[{engine}] {mine}");

        // --- A leader registers a remote-signing account.
        let vice = env.token("thpt.phohieutruong").await;
        let mine = env
            .get_ok(&vice, &format!("{base}/signing-accounts/mine"))
            .await;
        let vice_name = mine["staff_name"].as_str().unwrap().to_owned();
        let vice_staff = mine["staff_id"].as_i64().unwrap();
        let leader = pki.identity(PkiRole::Leader);
        let certificate =
            certificate_in_name(&pki, PkiRole::Leader, &vice_name, "CCCD:031080000002").unwrap();
        let chain = vec![
            certificate.clone(),
            pki.issuing_ca.clone(),
            pki.root.clone(),
        ];
        let csc = StandInCsc::start(
            TOKEN,
            vec![Credential {
                id: "cred-pho-hieu-truong".into(),
                pin: None,
                signer: KeyFileSigner::from_pkcs8(leader.private_key_pkcs8(), chain.clone())
                    .unwrap(),
                certificates: chain,
                multisign: 10,
            }],
        )
        .unwrap();
        let remote = |token: &str| {
            json!({"kind": "remote", "provider_url": csc.base_url(), "username": "phohieutruong@mysign",
                   "access_token": token})
        };
        let path = format!("{base}/signing-accounts");
        // A provider the server was not configured for is refused before any
        // request leaves the server (no server-side request forgery).
        let (status, body) = env
            .call(
                Method::POST,
                &path,
                Some(&vice),
                Payload::Json(
                    json!({"kind": "remote", "provider_url": "http://10.1.2.3/csc/v2",
                    "username": "phohieutruong@mysign", "access_token": TOKEN}),
                ),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{engine}] {body}"
        );
        assert!(
            message(&body).contains("chưa được phép kết nối")
                && message(&body).contains("--signing-provider"),
            "[{engine}] {body}"
        );
        let (status, body) = env
            .call(
                Method::POST,
                &path,
                Some(&vice),
                Payload::Json(remote("ma-sai")),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{engine}] {body}"
        );
        let text = message(&body);
        assert!(
            text.contains("không tồn tại hoặc không đúng")
                && text.contains("invalid_token")
                && text.contains("missing or wrong access token"),
            "[{engine}] the provider's error, in Vietnamese with its message: {text}"
        );
        let body = env
            .write_expect(
                Method::POST,
                &vice,
                &path,
                remote(TOKEN),
                StatusCode::CREATED,
            )
            .await;
        let account = &body["account"];
        assert_eq!(account["state_label"], "Chờ duyệt", "[{engine}]");
        assert_eq!(account["kind"], "remote", "[{engine}]");
        assert_eq!(
            account["credential_id"], "cred-pho-hieu-truong",
            "[{engine}]"
        );
        assert_eq!(
            account["provider_username"], "phohieutruong@mysign",
            "[{engine}]"
        );
        assert!(
            !body.to_string().contains(TOKEN),
            "[{engine}] the access token is not kept: {body}"
        );
        // Rejected, with a reason the leader reads.
        let reject_path = format!("{base}/signing-accounts/{vice_staff}/reject");
        let (status, _) = env
            .call(
                Method::POST,
                &reject_path,
                Some(&admin),
                Payload::Json(json!({"reason": "  "})),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{engine}]");
        let body = env
            .write_expect(
                Method::POST,
                &admin,
                &reject_path,
                json!({"reason": "Chứng thư số ký từ xa chưa đăng ký với Sở"}),
                StatusCode::OK,
            )
            .await;
        assert_eq!(body["state_label"], "Từ chối duyệt", "[{engine}]");
        let mine = env
            .get_ok(&vice, &format!("{base}/signing-accounts/mine"))
            .await;
        assert_eq!(
            mine["account"]["decision_reason"], "Chứng thư số ký từ xa chưa đăng ký với Sở",
            "[{engine}]"
        );
        assert_eq!(mine["can_sign"]["ok"], false, "[{engine}]");

        // --- Signing permissions.
        let permissions_path = format!("{base}/signing-permissions/{staff}");
        let (status, body) = env
            .call(
                Method::PUT,
                &permissions_path,
                Some(&admin),
                Payload::Json(json!({"permissions": ["issue_sign", "ky_bua"]})),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "[{engine}] {body}");
        env.write_expect(
            Method::PUT,
            &admin,
            &permissions_path,
            json!({"permissions": ["issue_sign", "delegate"]}),
            StatusCode::OK,
        )
        .await;
        let list = env
            .get_ok(&admin, &format!("{base}/signing-permissions"))
            .await;
        assert!(
            list.as_array()
                .unwrap()
                .iter()
                .any(|p| p["staff_id"] == staff
                    && p["permissions"] == json!(["issue_sign", "delegate"])),
            "[{engine}] {list}"
        );

        // --- The organisation certificate of the THCS school (none in the demo).
        let thcs = env.school_of("thcs.admin");
        let thcs_base = format!("/api/v1/schools/{thcs}");
        let thcs_admin = env.token("thcs.admin").await;
        let officer = env.token("so.chuyenvien").await;
        let department_admin = env.token("so.quantri").await;
        let department = env.login("so.chuyenvien").unit_id;
        let org_path = format!("{thcs_base}/org-certificates");
        let personal = pki.identity(PkiRole::Leader).certificate.to_pem();
        let (status, body) = env
            .call(
                Method::POST,
                &org_path,
                Some(&thcs_admin),
                Payload::Json(json!({"certificate": personal})),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{engine}] {body}"
        );
        assert!(
            message(&body).contains("không dùng chứng thư số cá nhân"),
            "[{engine}] {body}"
        );
        let first = env
            .write_expect(
                Method::POST,
                &thcs_admin,
                &org_path,
                json!({"certificate": org}),
                StatusCode::CREATED,
            )
            .await;
        // The certificate names THPT Trần Phú, not this school: a warning.
        assert!(
            first["warnings"][0]
                .as_str()
                .is_some_and(|w| w.contains("khác tên trường")),
            "[{engine}] {first}"
        );
        let first_id = first["request"]["id"].as_i64().unwrap();
        assert_eq!(
            first["request"]["state_label"], "Chờ duyệt đăng ký",
            "[{engine}]"
        );
        let unit_list = format!("/api/v1/units/{department}/org-certificates");
        let pending = env.get_ok(&officer, &unit_list).await;
        assert!(
            pending
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["id"] == first_id && r["state"] == "pending"),
            "[{engine}] {pending}"
        );
        let approve_org =
            |request: i64| format!("/api/v1/units/{department}/org-certificates/{request}/approve");
        // Neither the school nor the department's administrator approves.
        for (who, token) in [
            ("school admin", &thcs_admin),
            ("department admin", &department_admin),
        ] {
            let (status, body) = env
                .call(
                    Method::POST,
                    &approve_org(first_id),
                    Some(token),
                    Payload::None,
                )
                .await;
            assert_forbidden(engine, who, status, &body);
        }
        env.write_expect(
            Method::POST,
            &officer,
            &approve_org(first_id),
            json!(null),
            StatusCode::OK,
        )
        .await;
        // Re-registration: a reason is required; the old one stays active.
        let renewed = certificate_in_name(
            &pki,
            PkiRole::School,
            "Trường THCS Chu Văn An",
            "MNS:1099999",
        )
        .unwrap()
        .to_pem();
        let (status, body) = env
            .call(
                Method::POST,
                &org_path,
                Some(&thcs_admin),
                Payload::Json(json!({"certificate": renewed})),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{engine}] {body}"
        );
        assert!(message(&body).contains("lý do"), "[{engine}] {body}");
        let second = env
            .write_expect(
                Method::POST,
                &thcs_admin,
                &org_path,
                json!({"certificate": renewed, "reason": "Đổi USB Token mới"}),
                StatusCode::CREATED,
            )
            .await;
        assert!(
            second["warnings"].as_array().unwrap().is_empty(),
            "[{engine}] {second}"
        );
        let second_id = second["request"]["id"].as_i64().unwrap();
        let overview = env.get_ok(&thcs_admin, &org_path).await;
        assert_eq!(overview["active"]["id"], first_id, "[{engine}] {overview}");
        assert_eq!(
            overview["requests"].as_array().unwrap().len(),
            2,
            "[{engine}]"
        );
        // Rejecting needs a reason; the officer approves the new one.
        let (status, _) = env
            .call(
                Method::POST,
                &format!("/api/v1/units/{department}/org-certificates/{second_id}/reject"),
                Some(&officer),
                Payload::Json(json!({"reason": ""})),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{engine}]");
        env.write_expect(
            Method::POST,
            &officer,
            &approve_org(second_id),
            json!(null),
            StatusCode::OK,
        )
        .await;
        let overview = env.get_ok(&thcs_admin, &org_path).await;
        assert_eq!(overview["active"]["id"], second_id, "[{engine}] {overview}");
        let states: Vec<&str> = overview["requests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["state_label"].as_str().unwrap())
            .collect();
        assert_eq!(states, ["Đã duyệt", "Đã thay thế"], "[{engine}]");
        // A request of a school outside the unit is not found there.
        let (status, _) = env
            .call(
                Method::POST,
                &format!("/api/v1/units/{thpt}/org-certificates/{second_id}/approve"),
                Some(&officer),
                Payload::None,
            )
            .await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "[{engine}] a school is not a department"
        );

        // --- Another school's admin: 403 on every new route of THPT.
        for route in SCHOOL_ROUTES
            .iter()
            .filter(|r| r.path.contains("/signing-") || r.path.contains("/org-certificates"))
        {
            let path = route
                .path
                .replace("{school}", &thpt.to_string())
                .replace("{staff}", &staff.to_string());
            let method = Method::from_bytes(route.method.as_bytes()).unwrap();
            let (status, body) = env
                .call(method, &path, Some(&thcs_admin), Payload::Json(json!({})))
                .await;
            assert_forbidden(
                engine,
                &format!("{} {path} by THCS", route.method),
                status,
                &body,
            );
        }

        // --- "Lấy dữ liệu năm học trước": a new year, last year's approvals copied.
        // An approved account whose certificate has expired since (made in
        // storage directly: registration refuses expired certificates).
        let years = env.get_ok(&admin, &format!("{base}/years")).await;
        let old_year = hocba_domain::SchoolYearId(years[0]["id"].as_i64().unwrap());
        let gvcn_staff = env
            .get_ok(
                &env.token("thpt.gvcn").await,
                &format!("{base}/signing-accounts/mine"),
            )
            .await["staff_id"]
            .as_i64()
            .unwrap();
        let expired = expired_facts();
        let school = hocba_domain::SchoolId(thpt);
        let actor = Actor::system("Kiểm thử");
        env.store
            .register_signing_account(
                &actor,
                school,
                old_year,
                &NewSigningAccount {
                    staff: hocba_domain::StaffId(gvcn_staff),
                    kind: SignerKind::Token,
                    provider_url: None,
                    provider_username: None,
                    credential_id: None,
                    certificate: CertificateInput {
                        pem: "pem",
                        facts: &expired,
                        warnings: &[],
                    },
                },
            )
            .await
            .unwrap();
        env.store
            .decide_signing_account(
                &actor,
                school,
                old_year,
                hocba_domain::StaffId(gvcn_staff),
                &AccountEvent::Approve,
            )
            .await
            .unwrap();
        let start: i64 = years[0]["year"]["start_year"].as_i64().unwrap();
        env.write_expect(
            Method::POST,
            &admin,
            &format!("{base}/years"),
            json!({"year": format!("{}-{}", start + 1, start + 2)}),
            StatusCode::CREATED,
        )
        .await;
        let outcome = env
            .write_expect(
                Method::POST,
                &admin,
                &format!("{base}/signing-accounts/copy-previous-year"),
                json!(null),
                StatusCode::OK,
            )
            .await;
        let names = |key: &str| -> Vec<String> {
            outcome[key]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["staff_name"].as_str().unwrap().to_owned())
                .collect()
        };
        assert!(names("copied").contains(&name), "[{engine}] {outcome}");
        assert_eq!(
            names("copied").len(),
            2,
            "[{engine}] principal and teacher: {outcome}"
        );
        let skipped = outcome["skipped"].as_array().unwrap();
        let reason_of = |staff: i64| {
            skipped
                .iter()
                .find(|s| s["staff_id"] == staff)
                .and_then(|s| s["reason"].as_str())
                .unwrap_or_else(|| panic!("[{engine}] {staff} not skipped: {outcome}"))
                .to_owned()
        };
        assert!(
            reason_of(gvcn_staff).contains("hết hạn"),
            "[{engine}] {outcome}"
        );
        assert!(
            reason_of(vice_staff).contains("Từ chối duyệt"),
            "[{engine}] {outcome}"
        );
        assert!(
            outcome["org_certificate"]
                .as_str()
                .is_some_and(|m| m.contains("đã sao chép")),
            "[{engine}] {outcome}"
        );
        let mine = env
            .get_ok(&gvbm, &format!("{base}/signing-accounts/mine"))
            .await;
        assert_eq!(
            mine["state_label"], "Đã duyệt tài khoản",
            "[{engine}] {mine}"
        );
        assert_eq!(mine["can_sign"]["ok"], true, "[{engine}]");

        // Everything is in the school's audit trail.
        let audit = env.get_ok(&admin, &format!("{base}/audit")).await;
        let text = audit.to_string();
        for action in [
            "signing_account.register",
            "signing_account.approve",
            "signing_account.reject",
            "signing_account.copy_previous_year",
            "signing_permission.set",
        ] {
            assert!(
                text.contains(action),
                "[{engine}] {action} missing from the audit"
            );
        }
        let thcs_audit = env.get_ok(&thcs_admin, &format!("{thcs_base}/audit")).await;
        assert!(
            thcs_audit.to_string().contains("org_certificate.approve"),
            "[{engine}]"
        );
        drop(csc);
    }
}

fn expired_facts() -> CertificateFacts {
    let now = hocba_storage::now_millis();
    CertificateFacts {
        subject: "CN=Giáo viên chủ nhiệm".into(),
        issuer: "CN=hocba Test Issuing CA".into(),
        serial: "0F".into(),
        common_name: None,
        organisation: None,
        uid: None,
        holder: Holder::Person,
        not_before: now - 400 * 86_400_000,
        not_after: now - 86_400_000,
        fingerprint: "ff".into(),
        signs_documents: true,
    }
}

fn base64_der(der: &[u8]) -> String {
    // The PEM body is the DER in base64.
    hocba_signing::Certificate::from_der(der)
        .unwrap()
        .to_pem()
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect()
}
