//! Building one school: classes and students, staff sized to the teaching
//! load, homeroom and teaching assignments, and accounts.

use crate::people::{self, Registry, Special, StaffRole, StudentContext};
use crate::places::{self, Commune};
use crate::rng::Rng;
use crate::{DemoAccount, DemoClass, DemoSchool, DemoTeaching, DemoUnit};
use hocba_domain::Role;
use hocba_domain::curriculum::default_subjects;
use hocba_domain::form::Draft;
use hocba_domain::level::{Grade, Level};
use std::collections::BTreeSet;

/// A group of teachers of one main subject, and the subject codes of the
/// level's curriculum they teach.
struct Specialty {
    main_subject: &'static str,
    subjects: &'static [&'static str],
}

const fn specialty(main_subject: &'static str, subjects: &'static [&'static str]) -> Specialty {
    Specialty {
        main_subject,
        subjects,
    }
}

/// Primary class teachers teach their own class everything but the subjects
/// of the specialists below.
const PRIMARY_CLASS_TEACHER: Specialty = specialty(
    "Giáo dục tiểu học",
    &["TV", "TOAN", "DD", "TNXH", "LSDL", "KH", "HDTN"],
);

const PRIMARY: [Specialty; 5] = [
    specialty("Tiếng Anh", &["NN1"]),
    specialty("Tin học", &["TINCN"]),
    specialty("Giáo dục thể chất", &["GDTC"]),
    specialty("Âm nhạc", &["NT"]),
    specialty("Mĩ thuật", &["NT"]),
];

/// Core subjects first: homeroom teachers are chosen round the list.
const LOWER_SECONDARY: [Specialty; 14] = [
    specialty("Ngữ văn", &["NV", "GDDP"]),
    specialty("Toán", &["TOAN"]),
    specialty("Tiếng Anh", &["NN1"]),
    specialty("Vật lí", &["KHTN"]),
    specialty("Lịch sử", &["LSDL"]),
    specialty("Hóa học", &["KHTN"]),
    specialty("Địa lí", &["LSDL"]),
    specialty("Sinh học", &["KHTN"]),
    specialty("Giáo dục công dân", &["GDCD"]),
    specialty("Tin học", &["TIN"]),
    specialty("Công nghệ", &["CN"]),
    specialty("Âm nhạc", &["NT"]),
    specialty("Mĩ thuật", &["NT"]),
    specialty("Giáo dục thể chất", &["GDTC"]),
];

const UPPER_SECONDARY: [Specialty; 12] = [
    specialty("Ngữ văn", &["NV", "GDDP"]),
    specialty("Toán", &["TOAN"]),
    specialty("Tiếng Anh", &["NN1"]),
    specialty("Vật lí", &["VL"]),
    specialty("Hóa học", &["HH"]),
    specialty("Sinh học", &["SH"]),
    specialty("Lịch sử", &["LS"]),
    specialty("Địa lí", &["DL"]),
    specialty("Giáo dục kinh tế và pháp luật", &["GDKTPL"]),
    specialty("Tin học", &["TIN"]),
    specialty("Giáo dục thể chất", &["GDTC"]),
    specialty("Giáo dục quốc phòng và an ninh", &["GDQPAN"]),
];

/// Periods a week a full-time teacher teaches (TT 05/2025/TT-BGDĐT norms,
/// rounded: 23 in primary, 19 in lower and 17 in upper secondary).
fn weekly_norm(level: Level) -> u32 {
    match level {
        Level::Primary => 23,
        Level::LowerSecondary => 19,
        Level::UpperSecondary => 17,
    }
}

/// Hands out the demo passwords: `Demo@2025-` and a word, one per account.
pub(crate) struct Passwords {
    next: usize,
}

impl Passwords {
    pub(crate) fn new() -> Passwords {
        Passwords { next: 0 }
    }

    pub(crate) fn next(&mut self) -> String {
        const WORDS: [&str; 20] = [
            "HoaPhuong",
            "BachDang",
            "CatBa",
            "DoSon",
            "LachTray",
            "TamBac",
            "CauRao",
            "LanHa",
            "NgocXuyen",
            "DinhVu",
            "HonDau",
            "ThuyNguyen",
            "TienLang",
            "VinhBao",
            "KienThuy",
            "AnLao",
            "BanCo",
            "LongChau",
            "VanCao",
            "TraLinh",
        ];
        let word = WORDS[self.next % WORDS.len()];
        let round = self.next / WORDS.len();
        self.next += 1;
        if round == 0 {
            format!("Demo@2025-{word}")
        } else {
            format!("Demo@2025-{word}{round}")
        }
    }
}

/// What to build.
pub(crate) struct Plan<'a> {
    /// Prefix of the school's usernames: `thpt` gives `thpt.admin`.
    pub prefix: &'a str,
    /// Short ASCII name for e-mail addresses and the website.
    pub slug: &'a str,
    pub name: &'a str,
    pub code: &'a str,
    pub level: Level,
    pub school_year_start: u16,
    /// Name, grade and number of students of each class.
    pub classes: Vec<(String, u8, usize)>,
    pub commune: Commune,
    pub street_address: &'a str,
    pub catchment: &'a [Commune],
    pub founded: u16,
    /// A satellite campus and the grades taught there.
    pub campus: Option<(&'a str, Commune, &'a [u8])>,
    /// Students placed on purpose: (class index, position in class, what).
    pub specials: &'a [(usize, usize, Special)],
}

/// Class names: letters in primary and lower secondary (6A, 6B), A and a
/// number in upper secondary (10A1, 10A2).
pub(crate) fn class_name(level: Level, grade: u8, index: usize) -> String {
    match level {
        Level::UpperSecondary => format!("{grade}A{}", index + 1),
        _ => format!("{grade}{}", char::from(b'A' + index as u8)),
    }
}

pub(crate) fn build(
    plan: &Plan<'_>,
    seed: &Rng,
    registry: &mut Registry,
    passwords: &mut Passwords,
) -> DemoSchool {
    let level = plan.level;

    // Classes and students.
    let mut rng = seed.fork(1);
    let mut register_no = 0;
    let mut campuses = Vec::new();
    if let Some((name, commune, _)) = plan.campus {
        let mut campus = Draft::new();
        campus.insert("name".into(), name.into());
        campus.insert("province".into(), places::PROVINCE.into());
        campus.insert("commune".into(), commune.name.into());
        campus.insert("address".into(), places::address_detail(&mut rng, &commune));
        campus.insert("phone".into(), landline(&mut rng));
        campuses.push(campus);
    }
    let classes: Vec<DemoClass> = plan
        .classes
        .iter()
        .enumerate()
        .map(|(class_index, (name, grade, size))| {
            let mut taken = BTreeSet::new();
            let students = (0..*size)
                .map(|position| {
                    register_no += 1;
                    let context = StudentContext {
                        school_year_start: plan.school_year_start,
                        level,
                        grade: *grade,
                        catchment: plan.catchment,
                        register_no,
                    };
                    let special = plan
                        .specials
                        .iter()
                        .find(|(c, p, _)| *c == class_index && *p == position)
                        .map(|(_, _, special)| *special);
                    people::student(&mut rng, registry, &context, &mut taken, special)
                })
                .collect();
            let at_campus = plan
                .campus
                .is_some_and(|(_, _, grades)| grades.contains(grade));
            DemoClass {
                name: name.clone(),
                grade: *grade,
                campus: at_campus.then_some(0),
                sessions_per_week: Some(if level == Level::Primary { 10 } else { 6 }),
                students,
            }
        })
        .collect();

    // Staff: leaders, teachers sized to the load, two employees.
    let mut rng = seed.fork(2);
    let specialties: &[Specialty] = match level {
        Level::Primary => &PRIMARY,
        Level::LowerSecondary => &LOWER_SECONDARY,
        Level::UpperSecondary => &UPPER_SECONDARY,
    };
    let mut teachers_per_specialty = teacher_counts(specialties, &classes, level);
    let mut staff = Vec::new();
    let mut code = 0;
    let mut add = |rng: &mut Rng, registry: &mut Registry, role: StaffRole<'_>| {
        code += 1;
        let staff_code = format!("{}{code:03}", plan.prefix.to_uppercase());
        staff.push(people::staff(rng, registry, &role, &staff_code, plan.slug));
        staff.len() - 1
    };
    let leader_subject = match level {
        Level::Primary => "Giáo dục tiểu học",
        Level::LowerSecondary => "Toán",
        Level::UpperSecondary => "Vật lí",
    };
    let principal = add(
        &mut rng,
        registry,
        StaffRole {
            position: "Hiệu trưởng",
            main_subject: leader_subject,
            qualification: "Thạc sĩ".into(),
            born: (1968, 1978),
            women: 500,
        },
    );
    let vice_principals = (1 + classes.len() / 20).min(3);
    let vice_subjects = ["Ngữ văn", "Toán", "Tiếng Anh"];
    let vice_principal = (0..vice_principals)
        .map(|i| {
            add(
                &mut rng,
                registry,
                StaffRole {
                    position: "Phó hiệu trưởng",
                    main_subject: if level == Level::Primary {
                        leader_subject
                    } else {
                        vice_subjects[i]
                    },
                    qualification: "Thạc sĩ".into(),
                    born: (1970, 1984),
                    women: 600,
                },
            )
        })
        .collect::<Vec<_>>()[0];
    let women = if level == Level::Primary { 850 } else { 700 };
    // (staff index, subjects taught)
    let mut teachers: Vec<(usize, &[&str])> = Vec::new();
    let mut homeroom = Vec::new();
    if level == Level::Primary {
        for (class_index, class) in classes.iter().enumerate() {
            let first_of_grade = classes.iter().position(|c| c.grade == class.grade);
            let role = StaffRole {
                position: if first_of_grade == Some(class_index) {
                    "Tổ trưởng chuyên môn"
                } else {
                    "Giáo viên"
                },
                main_subject: PRIMARY_CLASS_TEACHER.main_subject,
                qualification: qualification(&mut rng),
                born: (1972, 2001),
                women,
            };
            let index = add(&mut rng, registry, role);
            teachers.push((index, PRIMARY_CLASS_TEACHER.subjects));
            homeroom.push((class_index, index));
        }
    } else {
        // Enough teachers that every class has a homeroom teacher and at
        // least one teacher has none (the subject-teacher account).
        while teachers_per_specialty.iter().map(|(n, _)| n).sum::<usize>() < classes.len() + 1 {
            let busiest = (0..teachers_per_specialty.len())
                .max_by(|&a, &b| {
                    let per_head = |i: usize| {
                        let (n, load) = teachers_per_specialty[i];
                        load * 1000 / n as u32
                    };
                    per_head(a).cmp(&per_head(b)).then(b.cmp(&a))
                })
                .expect("a level has specialties");
            teachers_per_specialty[busiest].0 += 1;
        }
    }
    let mut by_specialty: Vec<Vec<usize>> = Vec::new();
    for (specialty, (count, _)) in specialties.iter().zip(&teachers_per_specialty) {
        let mut members = Vec::new();
        for i in 0..*count {
            let role = StaffRole {
                position: if i == 0 && *count >= 2 {
                    "Tổ trưởng chuyên môn"
                } else {
                    "Giáo viên"
                },
                main_subject: specialty.main_subject,
                qualification: qualification(&mut rng),
                born: (1972, 2001),
                women,
            };
            let index = add(&mut rng, registry, role);
            teachers.push((index, specialty.subjects));
            members.push(index);
        }
        by_specialty.push(members);
    }
    let administrator = add(
        &mut rng,
        registry,
        StaffRole {
            position: "Nhân viên",
            main_subject: "",
            qualification: "Đại học".into(),
            born: (1985, 1998),
            women: 400,
        },
    );
    add(
        &mut rng,
        registry,
        StaffRole {
            position: "Nhân viên",
            main_subject: "",
            qualification: "Đại học".into(),
            born: (1975, 1995),
            women: 800,
        },
    );

    // Homeroom teachers in secondary: round the specialties, core subjects first.
    if level != Level::Primary {
        let rounds = by_specialty.iter().map(Vec::len).max().unwrap_or(0);
        let order: Vec<usize> = (0..rounds)
            .flat_map(|round| {
                by_specialty
                    .iter()
                    .filter_map(move |m| m.get(round).copied())
            })
            .collect();
        homeroom = (0..classes.len()).zip(order).collect();
    }

    let teaching = assign_teaching(&classes, &teachers, &homeroom);

    // Accounts.
    let homeroom_teacher = homeroom.first().map(|&(_, staff)| staff);
    let subject_teacher = teachers.iter().map(|(staff, _)| *staff).find(|staff| {
        homeroom.iter().all(|(_, h)| h != staff) && teaching.iter().any(|t| t.staff == *staff)
    });
    let name_of = |index: usize| staff[index]["full_name"].clone();
    let mut account = |suffix: &str, roles: Vec<Role>, index: usize| DemoAccount {
        username: format!("{}.{suffix}", plan.prefix),
        password: passwords.next(),
        roles,
        staff: Some(index),
        display_name: name_of(index),
    };
    let mut accounts = vec![
        account("admin", vec![Role::Admin], administrator),
        account("hieutruong", vec![Role::Leader], principal),
        account("phohieutruong", vec![Role::Leader], vice_principal),
    ];
    if let Some(index) = homeroom_teacher {
        accounts.push(account(
            "gvcn",
            vec![Role::HomeroomTeacher, Role::SubjectTeacher],
            index,
        ));
    }
    if let Some(index) = subject_teacher {
        accounts.push(account("gvbm", vec![Role::SubjectTeacher], index));
    }

    // The profile, last: it names the principal.
    let mut rng = seed.fork(3);
    let mut profile = Draft::new();
    let mut set = |key: &str, value: String| {
        profile.insert(key.to_owned(), value);
    };
    set("name", plan.name.into());
    set("code", plan.code.into());
    set("ownership", "Công lập".into());
    set("founded_year", plan.founded.to_string());
    set(
        "founding_decision",
        format!("{}/QĐ-UBND", rng.range(100, 2999)),
    );
    set("province", places::PROVINCE.into());
    set("commune", plan.commune.name.into());
    set("address", plan.street_address.into());
    set("phone", landline(&mut rng));
    set("email", format!("{}@haiphong.edu.vn", plan.slug));
    set("website", format!("https://{}.haiphong.edu.vn", plan.slug));
    set("principal_name", name_of(principal));
    set("principal_phone", staff[principal]["phone"].clone());
    let mut flags = vec![
        "national_standard",
        "inclusive_education",
        "has_internet",
        "has_clean_water",
        "has_electricity",
        "separate_toilets",
    ];
    if level == Level::Primary {
        flags.extend(["semi_boarding", "two_sessions_a_day"]);
    }
    for flag in flags {
        set(flag, "1".into());
    }

    DemoSchool {
        unit: DemoUnit {
            name: plan.name.into(),
            code: plan.code.into(),
            province_code: places::PROVINCE.into(),
        },
        level,
        profile,
        campuses,
        classes,
        staff,
        homeroom,
        teaching,
        accounts,
    }
}

/// Trình độ chuyên môn of a teacher: mostly a bachelor's degree.
fn qualification(rng: &mut Rng) -> String {
    if rng.chance(200) {
        "Thạc sĩ".to_owned()
    } else {
        "Đại học".to_owned()
    }
}

/// A Hải Phòng landline: 0225 and 7 digits.
fn landline(rng: &mut Rng) -> String {
    format!("0225{}{}", rng.range(3, 8), rng.digits(6))
}

/// Teachers needed per specialty, with the weekly periods of the specialty
/// (a subject taught by several specialties, such as KHTN, is shared equally).
fn teacher_counts(
    specialties: &[Specialty],
    classes: &[DemoClass],
    level: Level,
) -> Vec<(usize, u32)> {
    let norm = weekly_norm(level) * 35;
    specialties
        .iter()
        .map(|specialty| {
            let mut periods_per_year = 0;
            for class in classes {
                let grade = Grade::new(class.grade).expect("demo grades are 1–12");
                for subject in default_subjects(grade) {
                    if specialty.subjects.contains(&subject.code) {
                        let sharers = specialties
                            .iter()
                            .filter(|other| other.subjects.contains(&subject.code))
                            .count() as u32;
                        periods_per_year += u32::from(subject.periods_per_year) / sharers;
                    }
                }
            }
            let count = periods_per_year.div_ceil(norm).max(1) as usize;
            (count, periods_per_year)
        })
        .collect()
}

/// Every subject of every class, both semesters: to the class's homeroom
/// teacher for HĐTN and when they teach the subject, otherwise to the least
/// loaded teacher of the subject.
fn assign_teaching(
    classes: &[DemoClass],
    teachers: &[(usize, &[&str])],
    homeroom: &[(usize, usize)],
) -> Vec<DemoTeaching> {
    let mut load: Vec<(usize, u32)> = teachers.iter().map(|(staff, _)| (*staff, 0)).collect();
    let mut chosen = Vec::new();
    for (class_index, class) in classes.iter().enumerate() {
        let grade = Grade::new(class.grade).expect("demo grades are 1–12");
        let homeroom_teacher = homeroom
            .iter()
            .find(|(c, _)| *c == class_index)
            .map(|(_, staff)| *staff);
        for subject in default_subjects(grade) {
            let candidates: Vec<usize> = teachers
                .iter()
                .enumerate()
                .filter(|(_, (_, subjects))| subjects.contains(&subject.code))
                .map(|(i, _)| i)
                .collect();
            let homeroom_slot =
                homeroom_teacher.and_then(|staff| teachers.iter().position(|(s, _)| *s == staff));
            let slot = match homeroom_slot {
                Some(slot) if subject.code == "HDTN" || candidates.contains(&slot) => slot,
                _ => *candidates
                    .iter()
                    .min_by_key(|&&slot| (load[slot].1, slot))
                    .unwrap_or_else(|| panic!("no teacher for {}", subject.code)),
            };
            load[slot].1 += u32::from(subject.periods_per_year);
            chosen.push((class_index, subject.code, load[slot].0));
        }
    }
    (1..=2)
        .flat_map(|semester| {
            chosen
                .iter()
                .map(move |&(class, subject_code, staff)| DemoTeaching {
                    staff,
                    class,
                    subject_code,
                    semester,
                })
        })
        .collect()
}
