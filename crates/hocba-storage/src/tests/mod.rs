//! Storage tests: every test runs once per engine (SQLite always, PostgreSQL
//! when `HOCBA_TEST_POSTGRES_URL` is set, as `scripts/test` does) and names
//! the engine in its assertion messages.

mod accounts;
mod assignments;
mod classes;
mod concurrency;
mod exams;
mod gradebook;
mod import;
mod isolation;
mod lms;
mod org;
mod primary;
mod rollover;
mod schema;
mod signing;
mod students;
mod summary;
mod years;

use crate::{Actor, NewSchool, Store};
use hocba_domain::class::{ClassDefinition, ClassDraft};
use hocba_domain::form::Draft;
use hocba_domain::org::UnitKind;
use hocba_domain::school::{SchoolProfile, SchoolYear};
use hocba_domain::staff::StaffProfile;
use hocba_domain::student::StudentProfile;
use hocba_domain::{
    ClassId, Grade, Level, SchoolId, SchoolYearId, StaffId, StudentId, UnitId, UserId,
};

pub(crate) fn actor() -> Actor {
    Actor::system("Kiểm thử tự động")
}

pub(crate) fn draft(pairs: &[(&str, &str)]) -> Draft {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

pub(crate) fn school_profile(name: &str) -> SchoolProfile {
    SchoolProfile::validate(&draft(&[
        ("name", name),
        ("ownership", "Công lập"),
        ("province", "Hải Phòng"),
    ]))
    .expect("valid school profile")
}

/// Ministry → department → bureau.
pub(crate) struct Org {
    pub ministry: UnitId,
    pub department: UnitId,
    pub bureau: UnitId,
}

pub(crate) async fn org(store: &Store) -> Org {
    let ministry = store
        .create_unit(
            &actor(),
            UnitKind::Ministry,
            None,
            "Bộ Giáo dục và Đào tạo",
            None,
            None,
        )
        .await
        .expect("ministry");
    let department = store
        .create_unit(
            &actor(),
            UnitKind::Department,
            Some(ministry),
            "Sở GD&ĐT Hải Phòng",
            Some("31"),
            Some("31"),
        )
        .await
        .expect("department");
    let bureau = store
        .create_unit(
            &actor(),
            UnitKind::Bureau,
            Some(department),
            "Phòng GD&ĐT Lê Chân",
            None,
            None,
        )
        .await
        .expect("bureau");
    Org {
        ministry,
        department,
        bureau,
    }
}

pub(crate) async fn school(store: &Store, parent: UnitId, name: &str) -> SchoolId {
    store
        .create_school(
            &actor(),
            NewSchool {
                parent,
                levels: &[Level::UpperSecondary],
                profile: &school_profile(name),
            },
        )
        .await
        .expect("school")
}

pub(crate) fn grades(values: &[u8]) -> Vec<Grade> {
    values.iter().map(|g| Grade::new(*g).unwrap()).collect()
}

/// A high school under a new department with the year `start_year`
/// (grades 10–12).
pub(crate) async fn school_with_year(
    store: &Store,
    parent: UnitId,
    name: &str,
    start_year: u16,
) -> (SchoolId, SchoolYearId) {
    let school = school(store, parent, name).await;
    let year = store
        .create_school_year(
            &actor(),
            school,
            SchoolYear { start_year },
            &grades(&[10, 11, 12]),
        )
        .await
        .expect("school year");
    (school, year)
}

pub(crate) fn class_definition(name: &str) -> ClassDefinition {
    let grade = hocba_domain::class::leading_grade(name).expect("class name starts with a grade");
    ClassDefinition::validate(&ClassDraft {
        name: name.into(),
        grade,
        campus_id: None,
        sessions_per_week: None,
    })
    .expect("valid class")
}

pub(crate) async fn class(
    store: &Store,
    school: SchoolId,
    year: SchoolYearId,
    name: &str,
) -> ClassId {
    store
        .save_class(&actor(), school, year, None, &class_definition(name))
        .await
        .expect("class")
}

/// A valid personal ID for someone born in 2009: Hải Phòng (031), century
/// and sex digit, year 09, then `serial`.
pub(crate) fn personal_id(female: bool, serial: u32) -> String {
    format!("031{}09{serial:06}", if female { 3 } else { 2 })
}

pub(crate) fn student_draft(name: &str, female: bool, serial: Option<u32>) -> Draft {
    let mut draft = draft(&[
        ("full_name", name),
        ("birth_date", "12/03/2009"),
        ("sex", if female { "Nữ" } else { "Nam" }),
        ("ethnicity", "Kinh"),
    ]);
    if let Some(serial) = serial {
        draft.insert("personal_id".into(), personal_id(female, serial));
    }
    draft
}

pub(crate) fn student(name: &str, female: bool, serial: Option<u32>) -> StudentProfile {
    StudentProfile::validate(&student_draft(name, female, serial)).expect("valid student")
}

pub(crate) async fn add_student(
    store: &Store,
    school: SchoolId,
    year: SchoolYearId,
    class: ClassId,
    profile: &StudentProfile,
) -> StudentId {
    store
        .create_student(&actor(), school, year, class, profile, None)
        .await
        .expect("student")
}

pub(crate) fn staff_profile(name: &str) -> StaffProfile {
    StaffProfile::validate(&draft(&[
        ("full_name", name),
        ("birth_date", "02/09/1985"),
        ("sex", "Nữ"),
        ("position", "Giáo viên"),
    ]))
    .expect("valid staff")
}

pub(crate) async fn staff(store: &Store, school: SchoolId, name: &str) -> StaffId {
    store
        .save_staff(&actor(), school, None, &staff_profile(name))
        .await
        .expect("staff")
}

/// Number of rows of `table` belonging to `school`.
pub(crate) async fn count(store: &Store, table: &str, school: SchoolId) -> i64 {
    sqlx::query_scalar(crate::records::registry_sql(&format!(
        "SELECT COUNT(*) FROM {table} WHERE school_id = $1"
    )))
    .bind(school.0)
    .fetch_one(store.pool())
    .await
    .expect("count")
}
