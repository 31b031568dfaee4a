//! The demo data set of hocba: one department of education and training
//! (Sở GD&ĐT Thành phố Hải Phòng) with a primary, a lower-secondary and an
//! upper-secondary school in the school year 2025-2026, their classes and
//! students, staff, homeroom and teaching assignments, and an account for
//! every role.
//!
//! Everything is plain data built by pure functions from a fixed seed: the
//! same call returns the same data on every machine. `hocba demo` writes it
//! into a database through the storage layer and prints the accounts.
//!
//! Records are [`Draft`]s in the canonical form that validation returns (ISO
//! dates, `male`/`female`, two-digit province codes, `1` for a set flag, NFC
//! text), so every student draft passes
//! [`StudentProfile::validate`](hocba_domain::student::StudentProfile::validate),
//! every staff draft [`StaffProfile::validate`](hocba_domain::staff::StaffProfile::validate),
//! every school profile [`SchoolProfile::validate`](hocba_domain::school::SchoolProfile::validate)
//! and every campus [`CampusProfile::validate`](hocba_domain::school::CampusProfile::validate),
//! and validating then calling `to_draft()` gives the draft back.
//!
//! ```
//! let demo = hocba_demo::demo_data_set();
//! assert_eq!(demo.schools.len(), 3);
//! let thpt = &demo.schools[2];
//! assert_eq!(thpt.unit.name, "Trường THPT Trần Phú");
//! assert_eq!(thpt.classes[0].name, "10A1");
//! assert!(thpt.accounts.iter().any(|a| a.username == "thpt.admin"));
//! ```

mod build;
mod names;
mod people;
mod places;
mod rng;

use build::{Passwords, Plan};
use hocba_domain::form::Draft;
use hocba_domain::{Level, Role};
use people::{Registry, Special};
use rng::Rng;
use serde::Serialize;

/// The seed of [`demo_data_set`]. Changing it changes every name and number.
pub const DEMO_SEED: u64 = 0x686F_6362_6132_3032; // "hocba202"

/// The school year of the demo: 2025-2026.
pub const SCHOOL_YEAR_START: u16 = 2025;

/// The whole demo: a department and its schools.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DemoDataSet {
    /// The current school year, by the year it starts: 2025 for 2025-2026.
    pub school_year_start: u16,
    /// Sở GD&ĐT, the parent of every school.
    pub department: DemoUnit,
    /// A primary, a lower-secondary and an upper-secondary school, in that order.
    pub schools: Vec<DemoSchool>,
    /// Accounts held in the department: an officer ([`Role::DepartmentOfficer`])
    /// and a department administrator ([`Role::Admin`]) who adds bureaus and schools.
    pub department_accounts: Vec<DemoAccount>,
}

/// A unit of the organisation tree (department or school).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DemoUnit {
    pub name: String,
    pub code: String,
    /// Two-digit province code since 7/2025: "31" for Thành phố Hải Phòng.
    pub province_code: String,
}

/// One school and everything in it for the current school year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DemoSchool {
    pub unit: DemoUnit,
    pub level: Level,
    /// Validates with `SchoolProfile::validate`.
    pub profile: Draft,
    /// Satellite campuses (điểm trường); validate with `CampusProfile::validate`.
    pub campuses: Vec<Draft>,
    pub classes: Vec<DemoClass>,
    /// Leaders first (the principal at index 0, then the vice principals),
    /// then teachers, then employees. Each validates with `StaffProfile::validate`.
    pub staff: Vec<Draft>,
    /// `(class index, staff index)`: exactly one homeroom teacher per class.
    pub homeroom: Vec<(usize, usize)>,
    /// Every default subject of every class, in both semesters.
    pub teaching: Vec<DemoTeaching>,
    /// Accounts held in this school.
    pub accounts: Vec<DemoAccount>,
}

/// A class of the current school year and its students.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DemoClass {
    /// Starts with the grade, as `ClassDefinition::validate` wants: "1A", "6B", "10A1".
    pub name: String,
    pub grade: u8,
    /// Index into [`DemoSchool::campuses`] when the class studies at a satellite campus.
    pub campus: Option<usize>,
    pub sessions_per_week: Option<u8>,
    /// Each validates with `StudentProfile::validate`.
    pub students: Vec<Draft>,
}

impl DemoClass {
    /// The class as the form to add a class takes it (the campus id is the
    /// storage layer's to fill in).
    pub fn draft(&self, campus_id: Option<i64>) -> hocba_domain::class::ClassDraft {
        hocba_domain::class::ClassDraft {
            name: self.name.clone(),
            grade: self.grade,
            campus_id,
            sessions_per_week: self.sessions_per_week,
        }
    }
}

/// A teaching assignment (phân công chuyên môn).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DemoTeaching {
    /// Index into [`DemoSchool::staff`].
    pub staff: usize,
    /// Index into [`DemoSchool::classes`].
    pub class: usize,
    /// A code of `curriculum::default_subjects` for the class's grade.
    pub subject_code: &'static str,
    /// 1 or 2.
    pub semester: u8,
}

/// A sign-in account. A person may hold several roles in the account's unit
/// (a homeroom teacher who also teaches a subject).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DemoAccount {
    pub username: String,
    /// Deterministic, printed by `hocba demo`: `Demo@2025-` and a word.
    pub password: String,
    /// Never empty; the first is the account's main role.
    pub roles: Vec<Role>,
    /// Index into the school's [`DemoSchool::staff`]; `None` for department accounts.
    pub staff: Option<usize>,
    pub display_name: String,
}

impl DemoDataSet {
    pub fn student_count(&self) -> usize {
        self.schools.iter().map(DemoSchool::student_count).sum()
    }

    /// Every account with the unit it is held in: `None` for the department,
    /// `Some(i)` for `schools[i]`.
    pub fn accounts(&self) -> impl Iterator<Item = (Option<usize>, &DemoAccount)> {
        self.department_accounts
            .iter()
            .map(|account| (None, account))
            .chain(self.schools.iter().enumerate().flat_map(|(i, school)| {
                school
                    .accounts
                    .iter()
                    .map(move |account| (Some(i), account))
            }))
    }
}

impl DemoSchool {
    pub fn student_count(&self) -> usize {
        self.classes.iter().map(|class| class.students.len()).sum()
    }

    /// The staff index of the class's homeroom teacher.
    pub fn homeroom_teacher(&self, class: usize) -> Option<usize> {
        self.homeroom
            .iter()
            .find(|(c, _)| *c == class)
            .map(|(_, staff)| *staff)
    }
}

/// The demo data set. Pure and deterministic: every call returns equal data.
pub fn demo_data_set() -> DemoDataSet {
    use places::*;
    let seed = Rng::new(DEMO_SEED);
    let mut registry = Registry::default();
    let mut passwords = Passwords::new();
    let mut sizes = seed.fork(100);
    let mut classes = |level: Level, per_grade: usize| -> Vec<(String, u8, usize)> {
        level
            .grades()
            .flat_map(|grade| (0..per_grade).map(move |i| (grade, i)))
            .map(|(grade, i)| {
                (
                    build::class_name(level, grade, i),
                    grade,
                    sizes.range(38, 42) as usize,
                )
            })
            .collect()
    };
    let plans = [
        Plan {
            prefix: "th",
            slug: "thleloi",
            name: "Trường Tiểu học Lê Lợi",
            code: "31001501",
            level: Level::Primary,
            school_year_start: SCHOOL_YEAR_START,
            classes: classes(Level::Primary, 2),
            commune: HONG_BANG,
            street_address: "Số 48 Hoàng Văn Thụ",
            catchment: &[HONG_BANG, HONG_BANG, HONG_AN, NGO_QUYEN],
            founded: 1958,
            campus: Some(("Điểm trường Hồng An", HONG_AN, &[1, 2])),
            specials: &[],
        },
        Plan {
            prefix: "thcs",
            slug: "thcschuvanan",
            name: "Trường THCS Chu Văn An",
            code: "31002601",
            level: Level::LowerSecondary,
            school_year_start: SCHOOL_YEAR_START,
            classes: classes(Level::LowerSecondary, 2),
            commune: NGO_QUYEN,
            street_address: "Số 2 Đà Nẵng",
            catchment: &[NGO_QUYEN, NGO_QUYEN, GIA_VIEN, LE_CHAN, HONG_BANG],
            founded: 1965,
            campus: None,
            specials: &[(3, 5, Special::Passport)],
        },
        Plan {
            prefix: "thpt",
            slug: "thpttranphu",
            name: "Trường THPT Trần Phú",
            code: "31003701",
            level: Level::UpperSecondary,
            school_year_start: SCHOOL_YEAR_START,
            classes: classes(Level::UpperSecondary, 3),
            commune: LE_CHAN,
            street_address: "Số 12 Trần Phú",
            catchment: &[
                LE_CHAN,
                LE_CHAN,
                AN_BIEN,
                NGO_QUYEN,
                GIA_VIEN,
                HAI_AN,
                DONG_HAI,
                KIEN_AN,
                AN_DUONG,
                THUY_NGUYEN,
                HONG_BANG,
            ],
            founded: 1959,
            campus: None,
            specials: &[(4, 7, Special::Foreign), (7, 11, Special::Passport)],
        },
    ];
    let mut department_accounts = vec![DemoAccount {
        username: "so.chuyenvien".into(),
        password: passwords.next(),
        roles: vec![Role::DepartmentOfficer],
        staff: None,
        display_name: "Phạm Thị Thu Hà".into(),
    }];
    let schools = plans
        .iter()
        .enumerate()
        .map(|(i, plan)| {
            build::build(
                plan,
                &seed.fork(10 + i as u64),
                &mut registry,
                &mut passwords,
            )
        })
        .collect();
    // Drawn after the schools' passwords, so theirs stay as they were.
    department_accounts.push(DemoAccount {
        username: "so.quantri".into(),
        password: passwords.next(),
        roles: vec![Role::Admin],
        staff: None,
        display_name: "Vũ Quang Minh".into(),
    });
    DemoDataSet {
        school_year_start: SCHOOL_YEAR_START,
        department: DemoUnit {
            name: "Sở Giáo dục và Đào tạo Thành phố Hải Phòng".into(),
            code: "SGD31".into(),
            province_code: PROVINCE.into(),
        },
        schools,
        department_accounts,
    }
}

/// Students per class in [`synthetic_school`].
pub const SYNTHETIC_CLASS_SIZE: usize = 45;

/// An upper-secondary school with exactly `students` students for
/// benchmarks, in `ceil(students / 45)` classes (at least one) spread over
/// grades 10–12, with staff, assignments and accounts (`bench.admin`, …)
/// sized to match. Records are as valid as the demo's; `seed` varies names
/// and numbers, and the same seed gives the same school.
pub fn synthetic_school(students: usize, seed: u64) -> DemoSchool {
    let classes_count = students.div_ceil(SYNTHETIC_CLASS_SIZE).max(1);
    let mut per_grade = [0usize; 3];
    let classes = (0..classes_count)
        .map(|i| {
            let grade_offset = i * 3 / classes_count;
            let grade = 10 + grade_offset as u8;
            let name = build::class_name(Level::UpperSecondary, grade, per_grade[grade_offset]);
            per_grade[grade_offset] += 1;
            let size = students / classes_count + usize::from(i < students % classes_count);
            (name, grade, size)
        })
        .collect();
    let code = format!("TT{:06}", seed % 1_000_000);
    let plan = Plan {
        prefix: "bench",
        slug: "thptngoquyen",
        name: "Trường THPT Ngô Quyền",
        code: &code,
        level: Level::UpperSecondary,
        school_year_start: SCHOOL_YEAR_START,
        classes,
        commune: places::GIA_VIEN,
        street_address: "Số 30 Lạch Tray",
        catchment: &places::ALL,
        founded: 1946,
        campus: None,
        specials: &[],
    };
    build::build(
        &plan,
        &Rng::new(seed ^ DEMO_SEED),
        &mut Registry::default(),
        &mut Passwords::new(),
    )
}
