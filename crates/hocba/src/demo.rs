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
    Ok(logins)
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
