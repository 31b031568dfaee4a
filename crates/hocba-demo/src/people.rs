//! Student and staff records as drafts: text per field key, in the canonical
//! form that validation gives back (ISO dates, `male`/`female`, province
//! codes, `1` for a set flag), so that every draft validates and
//! `record.to_draft()` returns it unchanged.

use crate::names::{self, Generation};
use crate::places::{self, BirthPlace, Commune};
use crate::rng::Rng;
use hocba_domain::form::Draft;
use hocba_domain::identity::Sex;
use hocba_domain::level::Level;
use std::collections::BTreeSet;

/// Identifiers handed out so far, so that none is given twice.
#[derive(Debug, Default)]
pub(crate) struct Registry {
    personal_ids: BTreeSet<String>,
    moet_codes: BTreeSet<String>,
    passports: BTreeSet<String>,
    emails: BTreeSet<String>,
}

impl Registry {
    /// A personal ID that agrees with sex and birth year: birth registration
    /// code, century-and-sex digit (0/1 for men/women born in the 1900s, 2/3
    /// in the 2000s), two digits of the birth year, six random digits.
    pub(crate) fn personal_id(
        &mut self,
        rng: &mut Rng,
        place: &BirthPlace,
        sex: Sex,
        birth_year: u16,
    ) -> String {
        let digit = (birth_year / 100 - 19) * 2 + u16::from(sex == Sex::Female);
        unique(&mut self.personal_ids, || {
            format!(
                "{}{digit}{:02}{}",
                place.id_code,
                birth_year % 100,
                rng.digits(6)
            )
        })
    }

    /// A 10-digit ministry code, starting with the province code.
    pub(crate) fn moet_code(&mut self, rng: &mut Rng) -> String {
        unique(&mut self.moet_codes, || {
            format!("{}{}", places::PROVINCE, rng.digits(8))
        })
    }

    pub(crate) fn passport(&mut self, rng: &mut Rng, letter: char, digits: usize) -> String {
        unique(&mut self.passports, || {
            format!("{letter}{}", rng.digits(digits))
        })
    }

    /// `handle.school@haiphong.edu.vn`, with a number after the handle when
    /// two people of a school share it.
    pub(crate) fn email(&mut self, full_name: &str, school: &str) -> String {
        let handle = names::email_handle(full_name);
        let mut n = 1;
        unique(&mut self.emails, || {
            let suffix = if n == 1 { String::new() } else { n.to_string() };
            n += 1;
            format!("{handle}{suffix}.{school}@haiphong.edu.vn")
        })
    }
}

fn unique(taken: &mut BTreeSet<String>, mut make: impl FnMut() -> String) -> String {
    loop {
        let candidate = make();
        if taken.insert(candidate.clone()) {
            return candidate;
        }
    }
}

fn days_in_month(year: u16, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        _ => 28,
    }
}

/// A random day of `year` from month `first_month` to `last_month`, as ISO text.
fn date_in(rng: &mut Rng, year: u16, first_month: u32, last_month: u32) -> String {
    let month = rng.range(first_month, last_month);
    let day = rng.range(1, days_in_month(year, month));
    format!("{year:04}-{month:02}-{day:02}")
}

/// Fills a draft, leaving out empty values.
struct Fields(Draft);

impl Fields {
    fn set(&mut self, key: &str, value: impl Into<String>) {
        let value = value.into();
        if !value.is_empty() {
            self.0.insert(key.to_owned(), value);
        }
    }
    fn flag(&mut self, key: &str, on: bool) {
        if on {
            self.set(key, "1");
        }
    }
}

const ETHNICITIES: [(&str, u32); 5] = [
    ("Kinh", 960),
    ("Tày", 12),
    ("Mường", 10),
    ("Hoa", 12),
    ("Nùng", 6),
];

const RELIGIONS: [(&str, u32); 3] = [("Không", 86), ("Phật giáo", 9), ("Công giáo", 5)];

const FATHER_JOBS: [&str; 14] = [
    "Công nhân",
    "Kinh doanh",
    "Kỹ sư",
    "Công chức",
    "Viên chức",
    "Lái xe",
    "Lao động tự do",
    "Thợ xây",
    "Ngư dân",
    "Bộ đội",
    "Công an",
    "Bác sĩ",
    "Giáo viên",
    "Nông dân",
];

const MOTHER_JOBS: [&str; 12] = [
    "Công nhân",
    "Kinh doanh",
    "Buôn bán",
    "Nội trợ",
    "Viên chức",
    "Công chức",
    "Giáo viên",
    "Điều dưỡng",
    "Kế toán",
    "Thợ may",
    "Lao động tự do",
    "Nông dân",
];

/// Something unusual about a student, placed on purpose in the demo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Special {
    /// A foreign national, identified by passport instead of a personal ID.
    Foreign,
    /// A Vietnamese student who also has a passport.
    Passport,
}

/// Where a student studies and lives.
pub(crate) struct StudentContext<'a> {
    pub school_year_start: u16,
    pub level: Level,
    pub grade: u8,
    /// Communes near the school, where most students live.
    pub catchment: &'a [Commune],
    /// Number in the school's enrolment register.
    pub register_no: u32,
}

/// One student's profile. `taken_names` holds the names already used in the
/// class; the new name is added to it.
pub(crate) fn student(
    rng: &mut Rng,
    registry: &mut Registry,
    context: &StudentContext<'_>,
    taken_names: &mut BTreeSet<String>,
    special: Option<Special>,
) -> Draft {
    if special == Some(Special::Foreign) {
        return foreign_student(rng, registry, context);
    }
    let mut fields = Fields(Draft::new());
    let grade = context.grade;
    let secondary = context.level != Level::Primary;
    let retained = secondary && grade > *context.level.grades().start() && rng.chance(8);
    let birth_year = context.school_year_start - 5 - u16::from(grade) - u16::from(retained);
    let sex = if rng.chance(515) {
        Sex::Male
    } else {
        Sex::Female
    };
    let ethnicity = *rng.weighted(&ETHNICITIES);
    let family = names::ethnic_family_name(rng, ethnicity).to_owned();
    let full_name = loop {
        let name = names::full_name(rng, sex, Generation::Child, Some(&family));
        if taken_names.insert(name.clone()) {
            break name;
        }
    };
    let birth_date = date_in(rng, birth_year, 1, 12);
    let birth_place = *rng.weighted(&places::BIRTH_PLACES);
    let personal_id = registry.personal_id(rng, &birth_place, sex, birth_year);

    fields.set("full_name", full_name);
    fields.set("birth_date", birth_date.clone());
    fields.set("sex", sex.code());
    fields.set("ethnicity", ethnicity);
    fields.set("ethnicity_on_birth_certificate", ethnicity);
    fields.set("nationality", hocba_domain::student::VIETNAM);
    fields.set("religion", *rng.weighted(&RELIGIONS));
    let entry_year = context.school_year_start - u16::from(grade - context.level.grades().start());
    fields.set(
        "register_no",
        format!("{:04}/{entry_year}", context.register_no),
    );
    if !rng.chance(50) {
        fields.set("moet_code", registry.moet_code(rng));
    }

    // Addresses: most live near the school, a few further out.
    let home = if rng.chance(850) {
        *rng.pick(context.catchment)
    } else {
        *rng.pick(&places::ALL)
    };
    let detail = places::address_detail(rng, &home);
    fields.set("permanent_province", places::PROVINCE);
    fields.set("permanent_district", home.old_district);
    fields.set("permanent_commune", home.name);
    fields.set("permanent_detail", detail.clone());
    fields.set("birthplace_province", birth_place.province);
    fields.set(
        "hometown_province",
        if rng.chance(800) {
            places::PROVINCE
        } else {
            birth_place.province
        },
    );
    if rng.chance(920) {
        fields.set("current_province", places::PROVINCE);
        fields.set("current_district", home.old_district);
        fields.set("current_commune", home.name);
        fields.set("current_detail", detail);
    } else {
        let current = *rng.pick(context.catchment);
        fields.set("current_province", places::PROVINCE);
        fields.set("current_district", current.old_district);
        fields.set("current_commune", current.name);
        fields.set("current_detail", places::address_detail(rng, &current));
    }
    fields.set(
        "area",
        if home.urban {
            "Khu vực 3"
        } else {
            "Khu vực 2 - nông thôn"
        },
    );

    // Other information.
    if rng.chance(5) {
        fields.set(
            "disability",
            *rng.pick(&[
                "Khuyết tật vận động",
                "Khuyết tật nghe, nói",
                "Khuyết tật nhìn",
                "Khuyết tật trí tuệ",
            ]),
        );
        fields.set("policy_group", "Học sinh khuyết tật");
    } else if rng.chance(25) {
        fields.set(
            "policy_group",
            *rng.pick(&["Con hộ nghèo", "Con hộ cận nghèo", "Con thương binh"]),
        );
    }
    fields.flag("can_swim", rng.chance(if secondary { 700 } else { 450 }));
    let myopia = match context.level {
        Level::Primary => 30,
        Level::LowerSecondary => 100,
        Level::UpperSecondary => 180,
    };
    if rng.chance(myopia) {
        fields.set(
            "eye_condition",
            *rng.pick(&["Cận thị", "Cận thị", "Loạn thị"]),
        );
    }
    fields.flag("young_pioneer", (3..=9).contains(&grade) && rng.chance(930));
    let union_rate = match grade {
        10 => 250,
        11 => 550,
        12 => 800,
        _ => 0,
    };
    fields.flag("youth_union_member", rng.chance(union_rate));
    fields.set("sessions_per_week", if secondary { "6" } else { "10" });
    fields.flag("parent_has_smartphone", rng.chance(960));
    fields.flag("parent_has_internet", rng.chance(930));
    fields.flag("follows_ministry_programme", true);
    fields.flag("retained_last_year", retained);
    fields.flag("career_counselling", grade >= 9 && rng.chance(500));
    if ethnicity != "Kinh" {
        fields.flag("father_ethnic_minority", true);
        fields.flag("mother_ethnic_minority", rng.chance(600));
    }

    // Papers.
    fields.set("personal_id", personal_id.clone());
    let age = context.school_year_start - birth_year;
    if age >= 14 && rng.chance(700) {
        let first = (birth_year + 14).max(2021);
        let issued_year = rng.range(u32::from(first), u32::from(context.school_year_start)) as u16;
        let last_month = if issued_year == context.school_year_start {
            8
        } else {
            12
        };
        let issued_on = date_in(rng, issued_year, 1, last_month);
        let issued_by = if issued_on.as_str() >= "2024-07-01" {
            "Bộ Công an"
        } else {
            "Cục Cảnh sát quản lý hành chính về trật tự xã hội"
        };
        fields.set("id_card_no", personal_id);
        fields.set("id_card_issued_on", issued_on);
        fields.set("id_card_issued_by", issued_by);
    }
    if special == Some(Special::Passport) {
        let issued_year = rng.range(u32::from(birth_year) + 1, 2024) as u16;
        fields.set("passport_no", registry.passport(rng, 'P', 7));
        fields.set("passport_issued_on", date_in(rng, issued_year, 1, 12));
        fields.set("passport_issued_by", "Cục Quản lý xuất nhập cảnh");
    }

    // Family: a child takes the father's family name.
    let parents = rng.below(100);
    let mut phones = Vec::new();
    if parents < 95 {
        let name = names::full_name(rng, Sex::Female, Generation::Adult, None);
        let phone = places::mobile_phone(rng);
        fields.set("mother_name", name);
        fields.set(
            "mother_birth_year",
            (birth_year - rng.range(21, 38) as u16).to_string(),
        );
        fields.set("mother_occupation", *rng.pick(&MOTHER_JOBS));
        fields.set("mother_phone", phone.clone());
        phones.push(phone);
    }
    if parents < 90 || (95..99).contains(&parents) {
        let name = names::full_name(rng, Sex::Male, Generation::Adult, Some(&family));
        let phone = places::mobile_phone(rng);
        fields.set("father_name", name);
        fields.set(
            "father_birth_year",
            (birth_year - rng.range(23, 42) as u16).to_string(),
        );
        fields.set("father_occupation", *rng.pick(&FATHER_JOBS));
        fields.set("father_phone", phone.clone());
        phones.push(phone);
    }
    if parents >= 99 || rng.chance(10) {
        // Brought up by a grandparent.
        let sex = if rng.chance(500) {
            Sex::Male
        } else {
            Sex::Female
        };
        let phone = places::mobile_phone(rng);
        fields.set(
            "guardian_name",
            names::full_name(rng, sex, Generation::Adult, None),
        );
        fields.set("guardian_phone", phone.clone());
        phones.push(phone);
    }
    let contact = rng.pick(&phones).clone();
    fields.set("contact_phone", contact);
    fields.0
}

/// A Korean student living in Hải Phòng: no personal ID, a passport instead.
fn foreign_student(rng: &mut Rng, registry: &mut Registry, context: &StudentContext<'_>) -> Draft {
    let mut fields = Fields(Draft::new());
    let birth_year = context.school_year_start - 5 - u16::from(context.grade);
    let home = *rng.pick(context.catchment);
    let (name, sex) = *rng.pick(&[
        ("Kim Min-jun", Sex::Male),
        ("Park Ji-woo", Sex::Female),
        ("Lee Seo-yeon", Sex::Female),
    ]);
    let family = name.split(' ').next().unwrap_or_default();
    fields.set("full_name", name);
    fields.set("birth_date", date_in(rng, birth_year, 1, 12));
    fields.set("sex", sex.code());
    fields.set("ethnicity", "Người nước ngoài");
    fields.set("nationality", "Hàn Quốc");
    fields.set("religion", "Không");
    fields.set(
        "register_no",
        format!("{:04}/{}", context.register_no, context.school_year_start),
    );
    fields.set("moet_code", registry.moet_code(rng));
    fields.set("current_province", places::PROVINCE);
    fields.set("current_district", home.old_district);
    fields.set("current_commune", home.name);
    fields.set("current_detail", places::address_detail(rng, &home));
    fields.set("passport_no", registry.passport(rng, 'M', 8));
    fields.set("passport_issued_on", date_in(rng, 2023, 1, 12));
    fields.set("passport_issued_by", "Bộ Ngoại giao Hàn Quốc");
    fields.set("sessions_per_week", "6");
    fields.flag("follows_ministry_programme", true);
    fields.flag("parent_has_smartphone", true);
    fields.flag("parent_has_internet", true);
    fields.set("father_name", format!("{family} Sung-ho"));
    fields.set("father_birth_year", (birth_year - 33).to_string());
    fields.set("father_occupation", "Kỹ sư");
    let phone = places::mobile_phone(rng);
    fields.set("father_phone", phone.clone());
    fields.set("mother_name", "Choi Eun-ji");
    fields.set("mother_birth_year", (birth_year - 30).to_string());
    fields.set("mother_occupation", "Nội trợ");
    fields.set("mother_phone", places::mobile_phone(rng));
    fields.set("contact_phone", phone);
    fields.0
}

/// What a staff member does, before a person is made for it.
pub(crate) struct StaffRole<'a> {
    pub position: &'static str,
    pub main_subject: &'a str,
    pub qualification: String,
    /// Range of birth years.
    pub born: (u16, u16),
    /// Per mille of women for the post.
    pub women: u32,
}

/// One staff member's record. `code` is the school's staff number and
/// `school` the short name used in e-mail addresses.
pub(crate) fn staff(
    rng: &mut Rng,
    registry: &mut Registry,
    role: &StaffRole<'_>,
    code: &str,
    school: &str,
) -> Draft {
    let mut fields = Fields(Draft::new());
    let sex = if rng.chance(role.women) {
        Sex::Female
    } else {
        Sex::Male
    };
    let birth_year = rng.range(u32::from(role.born.0), u32::from(role.born.1)) as u16;
    let ethnicity = if rng.chance(20) { "Tày" } else { "Kinh" };
    let family = names::ethnic_family_name(rng, ethnicity);
    let name = names::full_name(rng, sex, Generation::Adult, Some(family));
    let birth_place = *rng.weighted(&places::BIRTH_PLACES);
    let home = *rng.pick(&places::ALL[..14]);
    fields.set("full_name", name.clone());
    fields.set("staff_code", code);
    fields.set("birth_date", date_in(rng, birth_year, 1, 12));
    fields.set("sex", sex.code());
    fields.set("ethnicity", ethnicity);
    fields.set(
        "personal_id",
        registry.personal_id(rng, &birth_place, sex, birth_year),
    );
    fields.set("position", role.position);
    fields.set("main_subject", role.main_subject);
    fields.set("qualification", role.qualification.clone());
    let contract = role.position == "Giáo viên" && birth_year >= 1994 && rng.chance(400);
    fields.set(
        "employment",
        if contract {
            "Hợp đồng lao động"
        } else {
            "Biên chế"
        },
    );
    fields.set("status", "Đang làm việc");
    fields.set("phone", places::mobile_phone(rng));
    fields.set("email", registry.email(&name, school));
    fields.set(
        "address",
        format!(
            "{}, {}, Thành phố Hải Phòng",
            places::address_detail(rng, &home),
            home.name
        ),
    );
    fields.0
}
