//! Writes the demo data set (`hocba_demo`) into a database through the
//! storage layer, as a real school would enter it.

use anyhow::Context;
use hocba_demo::{DemoAccount, DemoDataSet};
use hocba_domain::class::ClassDefinition;
use hocba_domain::gradebook::{Channel, Column, Semester};
use hocba_domain::org::UnitKind;
use hocba_domain::role::RoleGrant;
use hocba_domain::school::{CampusProfile, SchoolProfile, SchoolYear};
use hocba_domain::staff::StaffProfile;
use hocba_domain::student::StudentProfile;
use hocba_domain::{
    ClassId, Date, Grade, Level, SchoolId, SchoolYearId, StaffId, SubjectId, UnitId,
};
use hocba_storage::{
    Actor, CellEdit, CellsOutcome, ImportRow, NewAccount, NewSchool, Store, Writer,
};
use serde::Serialize;
use std::collections::HashMap;

/// One line of `demo-accounts.json`.
#[derive(Debug, Clone, Serialize)]
pub struct DemoLogin {
    pub username: String,
    pub password: String,
    /// The first role; `roles` lists them all.
    pub role: String,
    pub roles: Vec<String>,
    pub unit: String,
    pub unit_id: i64,
}

/// Loads everything; returns the accounts to print.
pub async fn load(store: &Store, data: &DemoDataSet) -> anyhow::Result<Vec<DemoLogin>> {
    let actor = Actor::system("hocba demo");
    let ministry = store
        .create_unit(
            &actor,
            UnitKind::Ministry,
            None,
            "Bộ Giáo dục và Đào tạo",
            Some("BGDDT"),
            None,
        )
        .await?;
    let department = store
        .create_unit(
            &actor,
            UnitKind::Department,
            Some(ministry),
            &data.department.name,
            Some(&data.department.code),
            Some(&data.department.province_code),
        )
        .await?;
    let mut logins = Vec::new();
    for account in &data.department_accounts {
        logins.push(
            create_account(
                store,
                &actor,
                account,
                department,
                None,
                &data.department.name,
            )
            .await?,
        );
    }
    for school in &data.schools {
        let profile = SchoolProfile::validate(&school.profile)
            .map_err(|e| anyhow::anyhow!("{}: {e}", school.unit.name))?;
        let school_id = store
            .create_school(
                &actor,
                NewSchool {
                    parent: department,
                    levels: &[school.level],
                    profile: &profile,
                },
            )
            .await?;
        let mut campuses = Vec::new();
        for campus in &school.campuses {
            let campus =
                CampusProfile::validate(campus).map_err(|e| anyhow::anyhow!("campus: {e}"))?;
            campuses.push(store.save_campus(&actor, school_id, None, &campus).await?);
        }
        let grades: Vec<Grade> = school
            .level
            .grades()
            .filter_map(|g| Grade::new(g).ok())
            .collect();
        let year = store
            .create_school_year(
                &actor,
                school_id,
                SchoolYear {
                    start_year: data.school_year_start,
                },
                &grades,
            )
            .await?;
        let mut class_ids = Vec::new();
        for class in &school.classes {
            let draft = class.draft(class.campus.map(|c| campuses[c].0));
            let definition = ClassDefinition::validate(&draft)
                .map_err(|e| anyhow::anyhow!("class {}: {e}", class.name))?;
            class_ids.push(
                store
                    .save_class(&actor, school_id, year, None, &definition)
                    .await?,
            );
        }
        let mut staff_ids = Vec::new();
        for member in &school.staff {
            let profile =
                StaffProfile::validate(member).map_err(|e| anyhow::anyhow!("staff: {e}"))?;
            staff_ids.push(store.save_staff(&actor, school_id, None, &profile).await?);
        }
        let mut rows = Vec::new();
        for class in &school.classes {
            for student in &class.students {
                let profile = StudentProfile::validate(student)
                    .map_err(|e| anyhow::anyhow!("student: {e}"))?;
                rows.push(ImportRow {
                    row_number: rows.len() + 1,
                    existing: None,
                    profile,
                    class_name: Some(class.name.clone()),
                });
            }
        }
        store
            .import_students(&actor, school_id, year, &rows)
            .await
            .context("students")?;
        for (class, staff) in &school.homeroom {
            store
                .assign_homeroom(
                    &actor,
                    school_id,
                    year,
                    class_ids[*class],
                    staff_ids[*staff],
                )
                .await?;
        }
        let subjects = store.subjects(school_id, year, None).await?;
        let subject_ids: HashMap<(u8, &str), hocba_domain::SubjectId> = subjects
            .iter()
            .map(|s| ((s.grade.value(), s.code.as_str()), s.id))
            .collect();
        for teaching in &school.teaching {
            let class = &school.classes[teaching.class];
            let Some(subject) = subject_ids.get(&(class.grade, teaching.subject_code)) else {
                continue;
            };
            store
                .assign_teaching(
                    &actor,
                    school_id,
                    year,
                    teaching.semester,
                    class_ids[teaching.class],
                    *subject,
                    staff_ids[teaching.staff],
                )
                .await?;
        }
        if school.level != Level::Primary {
            let classes: Vec<(ClassId, u8)> = class_ids
                .iter()
                .zip(&school.classes)
                .map(|(id, class)| (*id, class.grade))
                .collect();
            let subject_of = |grade: u8, code: &str| subject_ids.get(&(grade, code)).copied();
            let first_maths = subject_of(school.classes[0].grade, "TOAN");
            let maths_teacher = school
                .teaching
                .iter()
                .find(|t| t.class == 0 && t.subject_code == "TOAN")
                .map(|t| staff_ids[t.staff]);
            open_gradebook(
                store,
                &actor,
                school_id,
                year,
                &classes,
                first_maths.zip(maths_teacher),
            )
            .await
            .context("gradebook")?;
            demo_exams(store, &actor, school_id, year, &classes, first_maths)
                .await
                .context("exams")?;
        }
        for account in &school.accounts {
            let staff = account.staff.map(|s| staff_ids[s]);
            logins.push(
                create_account(
                    store,
                    &actor,
                    account,
                    school_id.into(),
                    staff,
                    &school.unit.name,
                )
                .await?,
            );
        }
    }
    signing_accounts(store, &logins)
        .await
        .context("signing accounts")?;
    Ok(logins)
}

/// Signing accounts of the THPT school (seed 004 §II.2, §III.1), from a
/// freshly generated test PKI (`hocba_signing::pki::DemoPki`): the
/// principal and the homeroom teacher registered with USB tokens and
/// approved, the principal holding the issuing-signer and seal permissions,
/// and the school's organisation certificate approved by the department.
async fn signing_accounts(store: &Store, logins: &[DemoLogin]) -> anyhow::Result<()> {
    use hocba_domain::signing_account::{AccountEvent, OrgDecision, Permission, SignerKind};
    use hocba_signing::pki::{DemoPki, Role as PkiRole};
    use hocba_storage::{CertificateInput, NewOrgCertificate, NewSigningAccount};
    use hocba_web::api_signing::certificate_facts;

    let Some(admin) = logins.iter().find(|l| l.username == "thpt.admin") else {
        return Ok(());
    };
    let school = SchoolId(admin.unit_id);
    let year = store.current_year(school).await?.id;
    let pki = DemoPki::generate(&admin.password)?;
    let school_admin = Actor::system("hocba demo (quản trị viên)");
    for (username, like, uid) in [
        ("thpt.hieutruong", PkiRole::Leader, "CCCD:031075001234"),
        ("thpt.gvcn", PkiRole::HomeroomTeacher, "CCCD:031185004321"),
    ] {
        let Some(account) = store.account_by_username(username).await? else {
            continue;
        };
        let Some(staff) = account.staff_id else {
            continue;
        };
        let name = store.staff_member(school, staff).await?.full_name;
        let certificate = certificate_in_name(&pki, like, &name, uid)?;
        let facts = certificate_facts(&certificate);
        store
            .register_signing_account(
                &Actor::system(format!("{name} ({username})")),
                school,
                year,
                &NewSigningAccount {
                    staff,
                    kind: SignerKind::Token,
                    provider_url: None,
                    provider_username: None,
                    credential_id: None,
                    certificate: CertificateInput {
                        pem: &certificate.to_pem(),
                        facts: &facts,
                        warnings: &[],
                    },
                },
            )
            .await?;
        store
            .decide_signing_account(&school_admin, school, year, staff, &AccountEvent::Approve)
            .await?;
        if username == "thpt.hieutruong" {
            store
                .set_signing_permissions(
                    &school_admin,
                    school,
                    staff,
                    &[Permission::IssueSign, Permission::Seal],
                )
                .await?;
        }
    }
    let org = &pki.identity(PkiRole::School).certificate;
    let facts = certificate_facts(org);
    let request = store
        .register_org_certificate(
            &school_admin,
            school,
            year,
            &NewOrgCertificate {
                certificate: CertificateInput {
                    pem: &org.to_pem(),
                    facts: &facts,
                    warnings: &[],
                },
                reason: None,
            },
        )
        .await?;
    store
        .decide_org_certificate(
            &Actor::system("hocba demo (chuyên viên Sở)"),
            school,
            request.id,
            &OrgDecision::Approve,
        )
        .await?;
    Ok(())
}

/// A personal certificate of the test PKI in `name`, for the key of the
/// demo identity `like` (so that `Identity::private_key_pkcs8` signs for it).
pub fn certificate_in_name(
    pki: &hocba_signing::pki::DemoPki,
    like: hocba_signing::pki::Role,
    name: &str,
    uid: &str,
) -> anyhow::Result<hocba_signing::Certificate> {
    let identity = pki.identity(like);
    let key = subject_public_key(identity.certificate.der())
        .context("the demo certificate has no readable public key")?;
    let algorithm = identity
        .certificate
        .signature_algorithm()
        .context("the demo certificate's key type")?;
    Ok(pki.issue_for_public_key(key, algorithm, name, uid)?)
}

/// The `subjectPublicKey` bits of a DER certificate: the seventh field of
/// the `TBSCertificate` (after the optional `[0]` version), RFC 5280 §4.1.
fn subject_public_key(der: &[u8]) -> Option<&[u8]> {
    /// One DER element: (tag, content, the rest after it).
    fn element(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
        let (&tag, rest) = input.split_first()?;
        let (&first, mut rest) = rest.split_first()?;
        let length = if first < 0x80 {
            usize::from(first)
        } else {
            let count = usize::from(first & 0x7f);
            if count == 0 || count > 4 || rest.len() < count {
                return None;
            }
            let length = rest[..count]
                .iter()
                .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
            rest = &rest[count..];
            length
        };
        (rest.len() >= length).then(|| (tag, &rest[..length], &rest[length..]))
    }
    let (_, certificate, _) = element(der)?;
    let (_, mut fields, _) = element(certificate)?;
    if fields.first() == Some(&0xA0) {
        fields = element(fields)?.2;
    }
    // serial, signature algorithm, issuer, validity, subject
    for _ in 0..5 {
        fields = element(fields)?.2;
    }
    let (_, spki, _) = element(fields)?;
    let (_, _, rest) = element(spki)?;
    let (tag, bits, _) = element(rest)?;
    // A BIT STRING whose first byte counts the unused bits (0 for keys).
    (tag == 0x03).then(|| bits.split_first().map(|(_, key)| key))?
}

/// Makes the gradebook usable at once: the default column plans of every
/// class (TT22 Điều 6), an entry window for the current semester in every
/// grade (opened a week ago, closing in 60 days), and deterministic scores
/// in Toán of the first class, entered by its teacher (the last student is
/// left without a final so that the grid shows a missing average).
async fn open_gradebook(
    store: &Store,
    actor: &Actor,
    school: SchoolId,
    year: SchoolYearId,
    classes: &[(ClassId, u8)],
    maths: Option<(SubjectId, StaffId)>,
) -> anyhow::Result<()> {
    const DAY: i64 = 24 * 3600 * 1000;
    store
        .declare_default_plans(actor, school, year, None, None)
        .await?;
    let now = hocba_storage::now_millis();
    let semester = Semester::containing(Date::from_days_since_epoch(now / DAY));
    let mut grades: Vec<u8> = classes.iter().map(|(_, grade)| *grade).collect();
    grades.sort_unstable();
    grades.dedup();
    for grade in grades {
        store
            .open_entry_window(
                actor,
                school,
                year,
                grade,
                semester,
                now - 7 * DAY,
                now + 60 * DAY,
            )
            .await?;
    }
    let (Some((subject, teacher)), Some(&(class, _))) = (maths, classes.first()) else {
        return Ok(());
    };
    let book = store.gradebook(school, class, subject, semester).await?;
    let columns: Vec<Column> = book.columns.iter().map(|c| c.column).collect();
    let count = book.students.len();
    let mut edits = Vec::new();
    for (i, student) in book.students.iter().enumerate() {
        for (j, column) in columns.iter().enumerate() {
            if i + 1 == count && *column == Column::FINAL {
                continue;
            }
            // 5.0 to 9.9, spread by student and column.
            let tenths = 50 + (i * 17 + j * 29) % 50;
            edits.push(CellEdit {
                student: student.id,
                column: *column,
                value: format!("{}.{}", tenths / 10, tenths % 10),
                missed_make_up: false,
                expected_version: None,
            });
        }
    }
    let name = store.staff_member(school, teacher).await?.full_name;
    let writer = Writer {
        staff: Some(teacher),
        admin: false,
        override_requested: false,
    };
    match store
        .save_cells(
            &Actor::system(name),
            school,
            class,
            subject,
            semester,
            writer,
            Channel::Grid,
            None,
            &edits,
        )
        .await?
    {
        CellsOutcome::Saved { .. } => Ok(()),
        other => Err(anyhow::anyhow!("demo scores refused: {other:?}")),
    }
}

/// A regular mid-term exam of the current semester with a Toán paper for
/// the first two classes of the first grade, its scores entered and the
/// sheet finalised, so that the sync wizard can be tried at once (the first
/// class's Toán columns hold the demo's scores: the wizard shows why it
/// cannot take them); and a free-form practice exam, which never syncs.
async fn demo_exams(
    store: &Store,
    actor: &Actor,
    school: SchoolId,
    year: SchoolYearId,
    classes: &[(ClassId, u8)],
    maths: Option<hocba_domain::SubjectId>,
) -> anyhow::Result<()> {
    use hocba_domain::exam::ExamKind;
    use hocba_storage::{ExamInput, PaperInput, ScoreEdit, ScoresOutcome};
    const DAY: i64 = 24 * 3600 * 1000;
    let (Some(maths), Some(&(_, grade))) = (maths, classes.first()) else {
        return Ok(());
    };
    let semester = Semester::containing(Date::from_days_since_epoch(
        hocba_storage::now_millis() / DAY,
    ));
    let sitting: Vec<ClassId> = classes
        .iter()
        .filter(|(_, g)| *g == grade)
        .take(2)
        .map(|(id, _)| *id)
        .collect();
    let exam = store
        .create_exam(
            actor,
            school,
            &ExamInput {
                school_year_id: year,
                semester,
                name: format!("Kiểm tra giữa {}", semester.label()),
                kind: ExamKind::Regular,
            },
        )
        .await?;
    let paper = store
        .create_paper(
            actor,
            school,
            exam.id,
            &PaperInput {
                subject_id: maths,
                name: format!("Toán {grade} — giữa kỳ"),
                classes: sitting,
            },
        )
        .await?;
    let sheet = store.score_sheet(school, paper.id).await?;
    let scores: Vec<ScoreEdit> = sheet
        .rows
        .iter()
        .enumerate()
        .map(|(i, row)| ScoreEdit {
            student_id: row.student_id,
            // 4.0 to 9.9; every 19th student absent.
            value: if i % 19 == 7 {
                String::new()
            } else {
                let tenths = 40 + (i * 23) % 60;
                format!("{}.{}", tenths / 10, tenths % 10)
            },
            expected_version: None,
        })
        .collect();
    match store.save_scores(actor, school, paper.id, &scores).await? {
        ScoresOutcome::Saved { .. } => {}
        other => return Err(anyhow::anyhow!("demo exam scores refused: {other:?}")),
    }
    store
        .set_paper_final(actor, school, paper.id, true)
        .await?
        .map_err(|refusal| anyhow::anyhow!("{refusal}"))?;
    store
        .create_exam(
            actor,
            school,
            &ExamInput {
                school_year_id: year,
                semester,
                name: "Luyện tập trực tuyến".into(),
                kind: ExamKind::Free,
            },
        )
        .await?;
    Ok(())
}

async fn create_account(
    store: &Store,
    actor: &Actor,
    account: &DemoAccount,
    unit: UnitId,
    staff: Option<StaffId>,
    unit_name: &str,
) -> anyhow::Result<DemoLogin> {
    let grants: Vec<RoleGrant> = account
        .roles
        .iter()
        .map(|role| RoleGrant { role: *role, unit })
        .collect();
    let hash = hocba_auth::hash_password(&account.password);
    store
        .create_account(
            actor,
            &NewAccount {
                username: &account.username,
                password_hash: &hash,
                display_name: &account.display_name,
                home_unit: unit,
                staff,
                grants: &grants,
                must_change_password: false,
            },
        )
        .await?;
    let roles: Vec<String> = account.roles.iter().map(|r| r.code().to_owned()).collect();
    Ok(DemoLogin {
        username: account.username.clone(),
        password: account.password.clone(),
        role: roles.first().cloned().unwrap_or_default(),
        roles,
        unit: unit_name.to_owned(),
        unit_id: unit.0,
    })
}
