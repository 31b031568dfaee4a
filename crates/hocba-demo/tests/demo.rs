//! The demo data set keeps its promises: deterministic, valid, realistic.

use hocba_demo::{DemoDataSet, DemoSchool, demo_data_set, synthetic_school};
use hocba_domain::class::ClassDefinition;
use hocba_domain::curriculum::default_subjects;
use hocba_domain::form::Draft;
use hocba_domain::school::{CampusProfile, SchoolProfile};
use hocba_domain::staff::StaffProfile;
use hocba_domain::student::StudentProfile;
use hocba_domain::{Grade, Level, Role};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

static DEMO: LazyLock<DemoDataSet> = LazyLock::new(demo_data_set);

fn students(school: &DemoSchool) -> impl Iterator<Item = (usize, &Draft)> {
    school
        .classes
        .iter()
        .enumerate()
        .flat_map(|(i, class)| class.students.iter().map(move |s| (i, s)))
}

fn all_students() -> impl Iterator<Item = &'static Draft> {
    DEMO.schools
        .iter()
        .flat_map(|s| students(s).map(|(_, d)| d))
}

/// Every draft validates, and validation gives it back unchanged: it is
/// already canonical NFC text.
fn check_school_records(school: &DemoSchool) {
    let profile = SchoolProfile::validate(&school.profile)
        .unwrap_or_else(|e| panic!("{}: {e}", school.unit.name));
    assert_eq!(profile.record().to_draft(), school.profile);
    assert_eq!(profile.name(), school.unit.name);
    for campus in &school.campuses {
        let record = CampusProfile::validate(campus).unwrap_or_else(|e| panic!("{campus:?}: {e}"));
        assert_eq!(&record.record().to_draft(), campus);
    }
    for class in &school.classes {
        let definition = ClassDefinition::validate(&class.draft(None)).unwrap();
        assert_eq!(definition.name, class.name);
        for student in &class.students {
            let record =
                StudentProfile::validate(student).unwrap_or_else(|e| panic!("{student:?}: {e}"));
            assert_eq!(&record.record().to_draft(), student);
        }
    }
    for member in &school.staff {
        let record = StaffProfile::validate(member).unwrap_or_else(|e| panic!("{member:?}: {e}"));
        assert_eq!(&record.record().to_draft(), member);
    }
}

#[test]
fn is_deterministic() {
    assert_eq!(demo_data_set(), *DEMO);
    assert_eq!(synthetic_school(300, 9), synthetic_school(300, 9));
    assert_ne!(
        synthetic_school(300, 9).classes[0].students,
        synthetic_school(300, 10).classes[0].students
    );
}

#[test]
fn has_the_promised_shape() {
    assert_eq!(DEMO.school_year_start, 2025);
    assert_eq!(DEMO.department.province_code, "31");
    let levels: Vec<Level> = DEMO.schools.iter().map(|s| s.level).collect();
    assert_eq!(
        levels,
        [Level::Primary, Level::LowerSecondary, Level::UpperSecondary]
    );
    let classes: Vec<usize> = DEMO.schools.iter().map(|s| s.classes.len()).collect();
    assert_eq!(classes, [10, 8, 9]);
    for school in &DEMO.schools {
        assert_eq!(school.unit.province_code, "31");
        for grade in school.level.grades() {
            let count = school.classes.iter().filter(|c| c.grade == grade).count();
            assert!(
                (2..=3).contains(&count),
                "{} grade {grade}",
                school.unit.name
            );
        }
        for class in &school.classes {
            assert!(
                (38..=42).contains(&class.students.len()),
                "{} {}: {}",
                school.unit.name,
                class.name,
                class.students.len()
            );
        }
    }
    let names: Vec<&str> = DEMO.schools[2]
        .classes
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(names[..4], ["10A1", "10A2", "10A3", "11A1"]);
    assert_eq!(DEMO.schools[0].classes[0].name, "1A");
    assert_eq!(DEMO.schools[0].classes[0].campus, Some(0));
}

#[test]
fn every_record_validates() {
    for school in &DEMO.schools {
        check_school_records(school);
    }
}

#[test]
fn all_text_is_nfc() {
    let check = |text: &str| assert!(hocba_text::is_nfc(text), "{text:?}");
    check(&DEMO.department.name);
    for school in &DEMO.schools {
        check(&school.unit.name);
        let drafts = std::iter::once(&school.profile)
            .chain(&school.campuses)
            .chain(&school.staff)
            .chain(students(school).map(|(_, d)| d));
        for draft in drafts {
            draft.values().for_each(|v| check(v));
        }
    }
    for (_, account) in DEMO.accounts() {
        check(&account.display_name);
    }
}

#[test]
fn personal_ids_and_ministry_codes_are_unique() {
    let mut ids = BTreeSet::new();
    let mut people = 0;
    for school in &DEMO.schools {
        for draft in students(school).map(|(_, d)| d).chain(&school.staff) {
            if let Some(id) = draft.get("personal_id") {
                people += 1;
                assert!(ids.insert(id.clone()), "{id} given twice");
            }
        }
    }
    assert!(people > 1_000);
    let mut codes = BTreeSet::new();
    for student in all_students() {
        if let Some(code) = student.get("moet_code") {
            assert!(code.len() == 10 && code.bytes().all(|b| b.is_ascii_digit()));
            assert!(codes.insert(code.clone()), "{code} given twice");
        }
    }
}

#[test]
fn students_look_like_the_students_of_hai_phong() {
    let total = all_students().count();
    assert_eq!(total, DEMO.student_count());
    let share = |pred: &dyn Fn(&Draft) -> bool| {
        all_students().filter(|d| pred(d)).count() as f64 / total as f64
    };
    // Birth registered in Hải Phòng for most; ~5% without a ministry code.
    let local = share(&|d| d.get("personal_id").is_some_and(|id| id.starts_with("031")));
    assert!(local > 0.75, "{local}");
    let no_code = share(&|d| !d.contains_key("moet_code"));
    assert!((0.02..0.09).contains(&no_code), "{no_code}");
    let kinh = share(&|d| d.get("ethnicity").map(String::as_str) == Some("Kinh"));
    assert!((0.9..0.995).contains(&kinh), "{kinh}");
    let male = share(&|d| d["sex"] == "male");
    assert!((0.45..0.58).contains(&male), "{male}");
    for student in all_students() {
        for key in [
            "contact_phone",
            "father_phone",
            "mother_phone",
            "guardian_phone",
        ] {
            if let Some(phone) = student.get(key) {
                assert!(
                    phone.len() == 10 && ["09", "03", "08"].iter().any(|p| phone.starts_with(p)),
                    "{phone}"
                );
            }
        }
        if student.contains_key("personal_id") {
            assert_eq!(student["permanent_province"], "31");
            assert!(student["permanent_commune"].starts_with(['P', 'X']));
        }
        assert!(
            student.contains_key("father_name")
                || student.contains_key("mother_name")
                || student.contains_key("guardian_name")
        );
    }
    // Names that only diacritics tell apart, for sorting.
    let given: BTreeSet<&str> = all_students()
        .map(|d| d["full_name"].rsplit(' ').next().unwrap())
        .collect();
    for name in ["Anh", "Ánh", "An", "Ân", "Dũng", "Đức", "Uyên"] {
        assert!(given.contains(name), "no student named {name}");
    }
}

#[test]
fn birth_years_follow_the_grade() {
    for school in &DEMO.schools {
        for class in &school.classes {
            let expected = 2020 - u16::from(class.grade);
            for student in &class.students {
                let year: u16 = student["birth_date"][..4].parse().unwrap();
                let retained = student.contains_key("retained_last_year");
                assert!(
                    year == expected || (retained && year == expected - 1),
                    "{} in {} born {year}",
                    student["full_name"],
                    class.name
                );
            }
        }
    }
}

#[test]
fn foreign_and_passport_holders_are_present() {
    let foreign: Vec<&Draft> = all_students()
        .filter(|d| d["nationality"] != "Việt Nam")
        .collect();
    assert_eq!(foreign.len(), 1);
    assert!(foreign[0].contains_key("passport_no") && !foreign[0].contains_key("personal_id"));
    let passports = all_students()
        .filter(|d| d.contains_key("passport_no"))
        .count();
    assert_eq!(passports, 3);
    let ids = all_students()
        .filter(|d| d.contains_key("personal_id"))
        .count();
    assert_eq!(ids, DEMO.student_count() - 1);
}

fn check_assignments(school: &DemoSchool) {
    let name = &school.unit.name;
    let position = |staff: usize| school.staff[staff]["position"].as_str();
    assert_eq!(position(0), "Hiệu trưởng", "{name}");
    let principals = (0..school.staff.len())
        .filter(|&i| position(i) == "Hiệu trưởng")
        .count();
    assert_eq!(principals, 1);
    assert!((0..school.staff.len()).any(|i| position(i) == "Phó hiệu trưởng"));
    assert_eq!(
        school.profile["principal_name"],
        school.staff[0]["full_name"]
    );

    // One homeroom teacher per class, never two classes for one teacher.
    let classes: BTreeSet<usize> = school.homeroom.iter().map(|(c, _)| *c).collect();
    let teachers: BTreeSet<usize> = school.homeroom.iter().map(|(_, s)| *s).collect();
    assert_eq!(classes, (0..school.classes.len()).collect());
    assert_eq!(teachers.len(), school.classes.len());
    for &(_, staff) in &school.homeroom {
        assert!(matches!(
            position(staff),
            "Giáo viên" | "Tổ trưởng chuyên môn"
        ));
    }

    // Every default subject of every class, once per semester, by a teacher.
    let mut taught = BTreeMap::new();
    for t in &school.teaching {
        assert!(matches!(
            position(t.staff),
            "Giáo viên" | "Tổ trưởng chuyên môn"
        ));
        assert!(
            taught
                .insert((t.class, t.subject_code, t.semester), t.staff)
                .is_none()
        );
    }
    let mut expected = 0;
    for (i, class) in school.classes.iter().enumerate() {
        for subject in default_subjects(Grade::new(class.grade).unwrap()) {
            for semester in [1, 2] {
                expected += 1;
                let staff = taught[&(i, subject.code, semester)];
                if subject.code == "HDTN" {
                    assert_eq!(Some(staff), school.homeroom_teacher(i));
                }
            }
            assert_eq!(taught[&(i, subject.code, 1)], taught[&(i, subject.code, 2)]);
        }
        // Homeroom teachers teach their own class.
        let homeroom = school.homeroom_teacher(i).unwrap();
        assert!(
            school
                .teaching
                .iter()
                .any(|t| t.class == i && t.staff == homeroom)
        );
    }
    assert_eq!(taught.len(), expected);
    // No teacher is overloaded: at most twice the weekly norm.
    let mut load: BTreeMap<usize, u32> = BTreeMap::new();
    for t in school.teaching.iter().filter(|t| t.semester == 1) {
        let grade = Grade::new(school.classes[t.class].grade).unwrap();
        let periods = default_subjects(grade)
            .iter()
            .find(|s| s.code == t.subject_code)
            .unwrap()
            .periods_per_year;
        *load.entry(t.staff).or_default() += u32::from(periods);
    }
    for (staff, periods) in load {
        assert!(
            periods / 35 <= 30,
            "{name}: staff {staff} teaches {} periods a week",
            periods / 35
        );
    }
}

#[test]
fn every_class_has_a_homeroom_teacher_and_every_subject_a_teacher() {
    for school in &DEMO.schools {
        check_assignments(school);
    }
}

#[test]
fn accounts_cover_every_role() {
    let usernames: Vec<&str> = DEMO.accounts().map(|(_, a)| a.username.as_str()).collect();
    let unique: BTreeSet<&str> = usernames.iter().copied().collect();
    assert_eq!(unique.len(), usernames.len());
    for username in [
        "so.chuyenvien",
        "so.quantri",
        "th.admin",
        "th.hieutruong",
        "th.gvcn",
        "th.gvbm",
        "thcs.admin",
        "thcs.gvcn",
        "thcs.gvbm",
        "thpt.admin",
        "thpt.hieutruong",
        "thpt.phohieutruong",
        "thpt.gvcn",
        "thpt.gvbm",
    ] {
        assert!(unique.contains(username), "{username}");
    }
    let roles: BTreeSet<Role> = DEMO.accounts().flat_map(|(_, a)| a.roles.clone()).collect();
    assert_eq!(roles.len(), Role::ALL.len());
    let passwords: BTreeSet<&str> = DEMO.accounts().map(|(_, a)| a.password.as_str()).collect();
    assert_eq!(passwords.len(), usernames.len());
    for (unit, account) in DEMO.accounts() {
        assert!(account.password.starts_with("Demo@2025-") && account.password.len() >= 14);
        assert!(!account.roles.is_empty());
        let Some(school) = unit else {
            // Department accounts: the officer, and the department administrator.
            assert!(account.roles == [Role::DepartmentOfficer] || account.roles == [Role::Admin]);
            assert_eq!(account.staff, None);
            continue;
        };
        let school = &DEMO.schools[school];
        let staff = account.staff.expect("school accounts are staff");
        assert_eq!(account.display_name, school.staff[staff]["full_name"]);
        assert!(account.roles.iter().all(|r| r.held_in_school()));
        let teaches = school.teaching.iter().any(|t| t.staff == staff);
        let homeroom = school.homeroom.iter().any(|(_, s)| *s == staff);
        if account.username.ends_with(".hieutruong") {
            assert_eq!(school.staff[staff]["position"], "Hiệu trưởng");
        }
        if account.roles.contains(&Role::HomeroomTeacher) {
            assert!(homeroom, "{}", account.username);
        }
        if account.roles.contains(&Role::SubjectTeacher) {
            assert!(teaches, "{}", account.username);
        }
        if account.username.ends_with(".gvbm") {
            assert!(!homeroom);
        }
    }
}

#[test]
fn synthetic_school_has_the_size_asked_for() {
    let school = synthetic_school(2_000, 1);
    assert_eq!(school.level, Level::UpperSecondary);
    assert_eq!(school.classes.len(), 45);
    assert_eq!(school.student_count(), 2_000);
    assert!(
        school
            .classes
            .iter()
            .all(|c| (44..=45).contains(&c.students.len()))
    );
    for grade in 10..=12 {
        assert_eq!(
            school.classes.iter().filter(|c| c.grade == grade).count(),
            15
        );
    }
    check_school_records(&school);
    check_assignments(&school);
    let ids: BTreeSet<&String> = students(&school)
        .filter_map(|(_, d)| d.get("personal_id"))
        .collect();
    assert_eq!(ids.len(), 2_000);
    assert!(school.accounts.iter().any(|a| a.username == "bench.gvbm"));

    let tiny = synthetic_school(0, 1);
    assert_eq!(tiny.classes.len(), 1);
    assert_eq!(tiny.student_count(), 0);
    check_assignments(&tiny);
    let small = synthetic_school(50, 2);
    assert_eq!(small.classes.len(), 2);
    check_school_records(&small);
}
