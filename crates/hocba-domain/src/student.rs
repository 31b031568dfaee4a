//! The student profile: every field of the form in seed 003 §2.1 (numbered
//! [3]–[43] there), plus the parents, the enrolment register number and the
//! ministry code named in `product.md`. Class and enrolment status are not
//! part of the profile: they belong to the student's enrolment in a school
//! year (see [`EnrolmentStatus`]).

use crate::form::{self, Draft, FieldKind, FieldSpec, Record, Value};
use crate::identity::{PersonalId, Sex};
use crate::validation::FieldErrors;
use crate::{Date, FieldError};
use serde::{Deserialize, Serialize};

/// The 54 ethnic groups of Viet Nam in the order of the GSO code list
/// (QĐ 121-TCTK/PPCĐ 1979, codes 01–54) [M], plus a foreign origin.
pub const ETHNICITIES: [&str; 55] = [
    "Kinh",
    "Tày",
    "Thái",
    "Hoa",
    "Khơ-me",
    "Mường",
    "Nùng",
    "Hmông",
    "Dao",
    "Gia-rai",
    "Ngái",
    "Ê-đê",
    "Ba-na",
    "Xơ-đăng",
    "Sán Chay",
    "Cơ-ho",
    "Chăm",
    "Sán Dìu",
    "Hrê",
    "Mnông",
    "Ra-glai",
    "Xtiêng",
    "Bru-Vân Kiều",
    "Thổ",
    "Giáy",
    "Cơ-tu",
    "Gié-Triêng",
    "Mạ",
    "Khơ-mú",
    "Co",
    "Ta-ôi",
    "Chơ-ro",
    "Kháng",
    "Xinh-mun",
    "Hà Nhì",
    "Chu-ru",
    "Lào",
    "La Chí",
    "La Ha",
    "Phù Lá",
    "La Hủ",
    "Lự",
    "Lô Lô",
    "Chứt",
    "Mảng",
    "Pà Thẻn",
    "Cơ Lao",
    "Cống",
    "Bố Y",
    "Si La",
    "Pu Péo",
    "Brâu",
    "Ơ Đu",
    "Rơ-măm",
    "Người nước ngoài",
];

/// Khu vực (priority areas of the admission rules).
pub const AREAS: [&str; 4] = [
    "Khu vực 1",
    "Khu vực 2 - nông thôn",
    "Khu vực 2",
    "Khu vực 3",
];

/// Kinds of disability (Luật Người khuyết tật 2010, Điều 3).
pub const DISABILITIES: [&str; 7] = [
    "Không",
    "Khuyết tật vận động",
    "Khuyết tật nghe, nói",
    "Khuyết tật nhìn",
    "Khuyết tật thần kinh, tâm thần",
    "Khuyết tật trí tuệ",
    "Khuyết tật khác",
];

pub const RELIGIONS: [&str; 12] = [
    "Không",
    "Phật giáo",
    "Công giáo",
    "Tin lành",
    "Cao Đài",
    "Phật giáo Hòa Hảo",
    "Hồi giáo",
    "Bà-la-môn",
    "Tịnh độ cư sĩ Phật hội Việt Nam",
    "Bửu Sơn Kỳ Hương",
    "Minh Sư đạo",
    "Tôn giáo khác",
];

pub const VIETNAM: &str = "Việt Nam";

const IDENTITY: &str = "Thông tin chung";
const PAPERS: &str = "Giấy tờ tùy thân";
const ADDRESS: &str = "Địa chỉ";
const FAMILY: &str = "Gia đình";
const OTHER: &str = "Thông tin khác";

macro_rules! address_fields {
    ($prefix:literal, $label:literal) => {
        [
            FieldSpec::of(
                concat!($prefix, "_province"),
                concat!($label, " – Tỉnh/Thành phố"),
                FieldKind::Province,
                ADDRESS,
            )
            .personal(),
            FieldSpec::text(
                concat!($prefix, "_district"),
                concat!($label, " – Quận/Huyện (trước 7/2025)"),
                ADDRESS,
            )
            .personal(),
            FieldSpec::text(
                concat!($prefix, "_commune"),
                concat!($label, " – Phường/Xã"),
                ADDRESS,
            )
            .personal(),
            FieldSpec::text(
                concat!($prefix, "_detail"),
                concat!($label, " – Số nhà, thôn/xóm"),
                ADDRESS,
            )
            .personal(),
        ]
    };
}

const PERMANENT: [FieldSpec; 4] = address_fields!("permanent", "Hộ khẩu thường trú");
const HOMETOWN: [FieldSpec; 4] = address_fields!("hometown", "Quê quán");
const BIRTHPLACE: [FieldSpec; 4] = address_fields!("birthplace", "Nơi sinh");
const CURRENT: [FieldSpec; 4] = address_fields!("current", "Chỗ ở hiện nay");

/// Every field of the profile, in the order of the seed's form.
pub static FIELDS: [FieldSpec; 64] = [
    FieldSpec::text("full_name", "Họ và tên", IDENTITY).required(),
    FieldSpec::text("other_name", "Tên gọi khác", IDENTITY),
    FieldSpec::of("birth_date", "Ngày sinh", FieldKind::Date, IDENTITY).required(),
    FieldSpec::of("sex", "Giới tính", FieldKind::Sex, IDENTITY).required(),
    FieldSpec::of(
        "ethnicity",
        "Dân tộc",
        FieldKind::Choice(&ETHNICITIES),
        IDENTITY,
    ),
    FieldSpec::of(
        "ethnicity_on_birth_certificate",
        "Dân tộc trên giấy khai sinh",
        FieldKind::Choice(&ETHNICITIES),
        IDENTITY,
    ),
    FieldSpec::text("nationality", "Quốc tịch", IDENTITY),
    FieldSpec::of(
        "religion",
        "Tôn giáo",
        FieldKind::Choice(&RELIGIONS),
        IDENTITY,
    ),
    FieldSpec::of(
        "contact_phone",
        "Điện thoại liên hệ",
        FieldKind::Phone,
        IDENTITY,
    )
    .personal(),
    FieldSpec::of(
        "register_no",
        "Số sổ đăng bộ",
        FieldKind::Text { max_chars: 30 },
        IDENTITY,
    ),
    FieldSpec::of(
        "moet_code",
        "Mã định danh Bộ GD&ĐT",
        FieldKind::MoetCode,
        IDENTITY,
    ),
    PERMANENT[0],
    PERMANENT[1],
    PERMANENT[2],
    PERMANENT[3],
    HOMETOWN[0],
    HOMETOWN[1],
    HOMETOWN[2],
    HOMETOWN[3],
    BIRTHPLACE[0],
    BIRTHPLACE[1],
    BIRTHPLACE[2],
    BIRTHPLACE[3],
    CURRENT[0],
    CURRENT[1],
    CURRENT[2],
    CURRENT[3],
    FieldSpec::of("area", "Khu vực", FieldKind::Choice(&AREAS), OTHER),
    FieldSpec::of(
        "disability",
        "Loại khuyết tật",
        FieldKind::Choice(&DISABILITIES),
        OTHER,
    )
    .personal(),
    FieldSpec::text("policy_group", "Đối tượng chính sách", OTHER).personal(),
    FieldSpec::text("vocational_training", "Học nghề, dạy nghề", OTHER),
    FieldSpec::of("can_swim", "Học sinh biết bơi", FieldKind::Flag, OTHER),
    FieldSpec::text("eye_condition", "Bệnh về mắt", OTHER).personal(),
    FieldSpec::of("passport_no", "Số hộ chiếu", FieldKind::Passport, PAPERS).personal(),
    FieldSpec::of(
        "passport_issued_on",
        "Ngày cấp (hộ chiếu)",
        FieldKind::Date,
        PAPERS,
    )
    .personal(),
    FieldSpec::text("passport_issued_by", "Nơi cấp (hộ chiếu)", PAPERS).personal(),
    FieldSpec::of(
        "id_card_no",
        "Số CMND/CCCD",
        FieldKind::Text { max_chars: 12 },
        PAPERS,
    )
    .personal(),
    FieldSpec::of(
        "id_card_issued_on",
        "Ngày cấp (CMND/CCCD)",
        FieldKind::Date,
        PAPERS,
    )
    .personal(),
    FieldSpec::text("id_card_issued_by", "Nơi cấp (CMND/CCCD)", PAPERS).personal(),
    FieldSpec::of(
        "personal_id",
        "Số định danh cá nhân",
        FieldKind::PersonalId,
        PAPERS,
    )
    .personal(),
    FieldSpec::of("young_pioneer", "Đội viên", FieldKind::Flag, OTHER),
    FieldSpec::of("youth_union_member", "Đoàn viên", FieldKind::Flag, OTHER),
    FieldSpec::of(
        "learns_ethnic_language",
        "Học tiếng dân tộc",
        FieldKind::Flag,
        OTHER,
    ),
    FieldSpec::of(
        "sessions_per_week",
        "Số buổi học trên tuần",
        FieldKind::Integer { min: 1, max: 14 },
        OTHER,
    ),
    FieldSpec::of(
        "parent_has_smartphone",
        "Phụ huynh có smartphone",
        FieldKind::Flag,
        OTHER,
    ),
    FieldSpec::of("bilingual", "Học song ngữ", FieldKind::Flag, OTHER),
    FieldSpec::of(
        "follows_ministry_programme",
        "Học chương trình giáo dục của Bộ",
        FieldKind::Flag,
        OTHER,
    ),
    FieldSpec::of(
        "semi_boarding_state_fed",
        "Học sinh bán trú dân nuôi",
        FieldKind::Flag,
        OTHER,
    ),
    FieldSpec::of(
        "mother_ethnic_minority",
        "Có mẹ dân tộc",
        FieldKind::Flag,
        OTHER,
    ),
    FieldSpec::of(
        "father_ethnic_minority",
        "Có cha dân tộc",
        FieldKind::Flag,
        OTHER,
    ),
    FieldSpec::of(
        "retained_last_year",
        "Lưu ban năm trước",
        FieldKind::Flag,
        OTHER,
    ),
    FieldSpec::of(
        "career_counselling",
        "Tư vấn giáo dục hướng nghiệp",
        FieldKind::Flag,
        OTHER,
    ),
    FieldSpec::of(
        "parent_has_internet",
        "Phụ huynh có mạng Internet",
        FieldKind::Flag,
        OTHER,
    ),
    FieldSpec::text("father_name", "Họ tên cha", FAMILY).personal(),
    FieldSpec::of(
        "father_birth_year",
        "Năm sinh cha",
        FieldKind::Integer {
            min: 1900,
            max: 2100,
        },
        FAMILY,
    )
    .personal(),
    FieldSpec::text("father_occupation", "Nghề nghiệp cha", FAMILY).personal(),
    FieldSpec::of("father_phone", "Điện thoại cha", FieldKind::Phone, FAMILY).personal(),
    FieldSpec::text("mother_name", "Họ tên mẹ", FAMILY).personal(),
    FieldSpec::of(
        "mother_birth_year",
        "Năm sinh mẹ",
        FieldKind::Integer {
            min: 1900,
            max: 2100,
        },
        FAMILY,
    )
    .personal(),
    FieldSpec::text("mother_occupation", "Nghề nghiệp mẹ", FAMILY).personal(),
    FieldSpec::of("mother_phone", "Điện thoại mẹ", FieldKind::Phone, FAMILY).personal(),
    FieldSpec::text("guardian_name", "Họ tên người giám hộ", FAMILY).personal(),
    FieldSpec::of(
        "guardian_phone",
        "Điện thoại người giám hộ",
        FieldKind::Phone,
        FAMILY,
    )
    .personal(),
    FieldSpec::of(
        "photo_ref",
        "Ảnh",
        FieldKind::Text { max_chars: 200 },
        OTHER,
    ),
];

/// A student profile that passed every rule. Only [`StudentProfile::validate`]
/// builds one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StudentProfile(Record);

impl StudentProfile {
    /// Field rules, then the rules that tie fields together:
    /// - the personal ID agrees with sex and birth year (`regulations.md` §7);
    /// - a 12-digit CCCD number is the personal ID itself (seed 003 §1.2);
    /// - a student without Vietnamese nationality is identified by passport
    ///   (seed 003 §1.2: "sử dụng số hộ chiếu … để thay thế").
    pub fn validate(draft: &Draft) -> Result<StudentProfile, FieldErrors> {
        let mut draft = draft.clone();
        draft
            .entry("nationality".into())
            .or_insert_with(|| VIETNAM.into());
        let record = form::validate(&FIELDS, &draft)?;
        let mut errors = FieldErrors::default();
        let label = |key: &str| {
            FIELDS
                .iter()
                .find(|f| f.key == key)
                .map_or(key, |f| f.label)
                .to_owned()
        };
        let sex = record.sex("sex");
        let birth_date = record.date("birth_date");
        if let (Some(Value::PersonalId(id)), Some(sex), Some(birth_date)) =
            (record.get("personal_id"), sex, birth_date)
            && let Err(error) = id.check_against(sex, birth_date.year())
        {
            errors.0.push(FieldError::new(
                "personal_id",
                label("personal_id"),
                error.to_string(),
            ));
        }
        if let Some(card) = record.text("id_card_no") {
            if !(card.len() == 9 || card.len() == 12) || !card.chars().all(|c| c.is_ascii_digit()) {
                errors.push(
                    "id_card_no",
                    &label("id_card_no"),
                    "số CMND gồm 9 chữ số, số CCCD gồm 12 chữ số",
                );
            } else if card.len() == 12 {
                match record.get("personal_id") {
                    Some(Value::PersonalId(id)) if id.as_str() != card => errors.push(
                        "id_card_no",
                        &label("id_card_no"),
                        "số CCCD 12 chữ số chính là số định danh cá nhân, nhưng hai số đang khác nhau; hãy sửa cho trùng nhau",
                    ),
                    _ => {}
                }
            }
        }
        let nationality = record.text("nationality").unwrap_or(VIETNAM);
        let vietnamese = hocba_text::fold(nationality) == hocba_text::fold(VIETNAM);
        if !vietnamese && record.get("passport_no").is_none() {
            errors.push(
                "passport_no",
                &label("passport_no"),
                format!("học sinh quốc tịch {nationality} phải có số hộ chiếu (thay cho số định danh cá nhân)"),
            );
        }
        if let Some(birth_date) = birth_date {
            for key in ["passport_issued_on", "id_card_issued_on"] {
                if record.date(key).is_some_and(|issued| issued < birth_date) {
                    errors.push(key, &label(key), "ngày cấp không thể trước ngày sinh");
                }
            }
        }
        errors.into_result(StudentProfile(record))
    }

    pub fn full_name(&self) -> &str {
        self.0.text("full_name").unwrap_or_default()
    }
    pub fn birth_date(&self) -> Date {
        self.0
            .date("birth_date")
            .expect("birth date is required by validation")
    }
    pub fn sex(&self) -> Sex {
        self.0.sex("sex").expect("sex is required by validation")
    }
    pub fn personal_id(&self) -> Option<&PersonalId> {
        match self.0.get("personal_id") {
            Some(Value::PersonalId(id)) => Some(id),
            _ => None,
        }
    }
    pub fn moet_code(&self) -> Option<&str> {
        match self.0.get("moet_code") {
            Some(Value::MoetCode(code)) => Some(code.as_str()),
            _ => None,
        }
    }
    pub fn record(&self) -> &Record {
        &self.0
    }
}

/// Trạng thái học sinh in a school year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EnrolmentStatus {
    Studying,
    TransferredOut,
    DroppedOut,
    Suspended,
    Graduated,
}

impl EnrolmentStatus {
    pub const ALL: [EnrolmentStatus; 5] = [
        EnrolmentStatus::Studying,
        EnrolmentStatus::TransferredOut,
        EnrolmentStatus::DroppedOut,
        EnrolmentStatus::Suspended,
        EnrolmentStatus::Graduated,
    ];
    pub fn label(self) -> &'static str {
        match self {
            EnrolmentStatus::Studying => "Đang học",
            EnrolmentStatus::TransferredOut => "Chuyển đi",
            EnrolmentStatus::DroppedOut => "Thôi học",
            EnrolmentStatus::Suspended => "Tạm nghỉ học",
            EnrolmentStatus::Graduated => "Đã tốt nghiệp",
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            EnrolmentStatus::Studying => "studying",
            EnrolmentStatus::TransferredOut => "transferred_out",
            EnrolmentStatus::DroppedOut => "dropped_out",
            EnrolmentStatus::Suspended => "suspended",
            EnrolmentStatus::Graduated => "graduated",
        }
    }
    pub fn from_code(code: &str) -> Option<EnrolmentStatus> {
        EnrolmentStatus::ALL
            .into_iter()
            .find(|status| status.code() == code)
    }
}

/// Chuyển đến / chuyển đi.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransferDirection {
    In,
    Out,
}

impl TransferDirection {
    pub fn code(self) -> &'static str {
        match self {
            TransferDirection::In => "in",
            TransferDirection::Out => "out",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            TransferDirection::In => "Chuyển đến",
            TransferDirection::Out => "Chuyển đi",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Draft {
        [
            ("full_name", "Nguyễn Thị Hương"),
            ("birth_date", "12/03/2009"),
            ("sex", "Nữ"),
            ("ethnicity", "kinh"),
            ("personal_id", "031309001234"),
            ("permanent_province", "Hải Phòng"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
    }

    #[test]
    fn a_complete_profile_validates() {
        let profile = StudentProfile::validate(&base()).unwrap();
        assert_eq!(profile.full_name(), "Nguyễn Thị Hương");
        assert_eq!(profile.record().text("ethnicity"), Some("Kinh"));
        assert_eq!(profile.record().text("nationality"), Some(VIETNAM));
        assert_eq!(profile.personal_id().unwrap().as_str(), "031309001234");
    }

    #[test]
    fn the_registry_has_unique_keys() {
        let mut keys: Vec<&str> = FIELDS.iter().map(|f| f.key).collect();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), FIELDS.len());
    }

    #[test]
    fn personal_id_must_match_sex_and_birth_year() {
        let mut draft = base();
        draft.insert("sex".into(), "Nam".into());
        let errors = StudentProfile::validate(&draft).unwrap_err();
        assert_eq!(errors.0.len(), 1);
        assert_eq!(errors.0[0].field, "personal_id");
        assert!(
            errors.0[0].message.contains("Nữ sinh năm 20xx"),
            "{}",
            errors.0[0].message
        );
    }

    #[test]
    fn cccd_must_equal_personal_id() {
        let mut draft = base();
        draft.insert("id_card_no".into(), "031309009999".into());
        let errors = StudentProfile::validate(&draft).unwrap_err();
        assert_eq!(errors.0[0].field, "id_card_no");
        draft.insert("id_card_no".into(), "031309001234".into());
        assert!(StudentProfile::validate(&draft).is_ok());
    }

    #[test]
    fn foreign_students_need_a_passport() {
        let mut draft = base();
        draft.remove("personal_id");
        draft.insert("nationality".into(), "Lào".into());
        draft.insert("ethnicity".into(), "Người nước ngoài".into());
        let errors = StudentProfile::validate(&draft).unwrap_err();
        assert_eq!(errors.0[0].field, "passport_no");
        draft.insert("passport_no".into(), "p1234567".into());
        let profile = StudentProfile::validate(&draft).unwrap();
        assert_eq!(profile.record().text("passport_no"), Some("P1234567"));
    }
}
