//! The school profile as in seed 002 §I: general information, contact
//! information, other information (check boxes), and satellite campuses.

use crate::form::{self, Draft, FieldKind, FieldSpec, Record};
use crate::validation::FieldErrors;

/// Loại hình trường.
pub const OWNERSHIP: [&str; 3] = ["Công lập", "Tư thục", "Dân lập"];

const GENERAL: &str = "Thông tin chung";
const CONTACT: &str = "Thông tin liên hệ";
const OTHER: &str = "Thông tin khác";

pub static FIELDS: [FieldSpec; 24] = [
    FieldSpec::of(
        "name",
        "Tên trường",
        FieldKind::Text { max_chars: 200 },
        GENERAL,
    )
    .required(),
    FieldSpec::of(
        "code",
        "Mã trường",
        FieldKind::Text { max_chars: 20 },
        GENERAL,
    ),
    FieldSpec::of(
        "identifier",
        "Mã định danh điện tử tổ chức",
        FieldKind::Text { max_chars: 35 },
        GENERAL,
    ),
    FieldSpec::of(
        "ownership",
        "Loại hình",
        FieldKind::Choice(&OWNERSHIP),
        GENERAL,
    )
    .required(),
    FieldSpec::of(
        "founded_year",
        "Năm thành lập",
        FieldKind::Integer {
            min: 1800,
            max: 2100,
        },
        GENERAL,
    ),
    FieldSpec::text("founding_decision", "Số quyết định thành lập", GENERAL),
    FieldSpec::of("province", "Tỉnh/Thành phố", FieldKind::Province, CONTACT).required(),
    FieldSpec::text("commune", "Phường/Xã", CONTACT),
    FieldSpec::text("address", "Địa chỉ", CONTACT),
    FieldSpec::of("phone", "Điện thoại", FieldKind::Phone, CONTACT),
    FieldSpec::of("email", "Thư điện tử", FieldKind::Email, CONTACT),
    FieldSpec::text("website", "Trang web", CONTACT),
    FieldSpec::text("principal_name", "Hiệu trưởng", CONTACT),
    FieldSpec::of(
        "principal_phone",
        "Điện thoại hiệu trưởng",
        FieldKind::Phone,
        CONTACT,
    ),
    FieldSpec::of(
        "national_standard",
        "Đạt chuẩn quốc gia",
        FieldKind::Flag,
        OTHER,
    ),
    FieldSpec::of(
        "semi_boarding",
        "Có học sinh bán trú",
        FieldKind::Flag,
        OTHER,
    ),
    FieldSpec::of("boarding", "Có học sinh nội trú", FieldKind::Flag, OTHER),
    FieldSpec::of(
        "inclusive_education",
        "Có học sinh khuyết tật học hòa nhập",
        FieldKind::Flag,
        OTHER,
    ),
    FieldSpec::of(
        "two_sessions_a_day",
        "Dạy học 2 buổi/ngày",
        FieldKind::Flag,
        OTHER,
    ),
    FieldSpec::of(
        "has_internet",
        "Có kết nối Internet",
        FieldKind::Flag,
        OTHER,
    ),
    FieldSpec::of(
        "has_clean_water",
        "Có nguồn nước sạch",
        FieldKind::Flag,
        OTHER,
    ),
    FieldSpec::of("has_electricity", "Có điện lưới", FieldKind::Flag, OTHER),
    FieldSpec::of(
        "separate_toilets",
        "Có công trình vệ sinh riêng nam, nữ",
        FieldKind::Flag,
        OTHER,
    ),
    FieldSpec::of(
        "difficult_area",
        "Thuộc vùng đặc biệt khó khăn",
        FieldKind::Flag,
        OTHER,
    ),
];

pub static CAMPUS_FIELDS: [FieldSpec; 5] = [
    FieldSpec::of(
        "name",
        "Tên điểm trường",
        FieldKind::Text { max_chars: 200 },
        GENERAL,
    )
    .required(),
    FieldSpec::of("province", "Tỉnh/Thành phố", FieldKind::Province, CONTACT),
    FieldSpec::text("commune", "Phường/Xã", CONTACT),
    FieldSpec::text("address", "Địa chỉ", CONTACT),
    FieldSpec::of("phone", "Điện thoại", FieldKind::Phone, CONTACT),
];

/// A school profile that passed every rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchoolProfile(Record);

impl SchoolProfile {
    pub fn validate(draft: &Draft) -> Result<SchoolProfile, FieldErrors> {
        form::validate(&FIELDS, draft).map(SchoolProfile)
    }
    pub fn name(&self) -> &str {
        self.0.text("name").unwrap_or_default()
    }
    pub fn record(&self) -> &Record {
        &self.0
    }
}

/// Điểm trường phụ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampusProfile(Record);

impl CampusProfile {
    pub fn validate(draft: &Draft) -> Result<CampusProfile, FieldErrors> {
        form::validate(&CAMPUS_FIELDS, draft).map(CampusProfile)
    }
    pub fn name(&self) -> &str {
        self.0.text("name").unwrap_or_default()
    }
    pub fn record(&self) -> &Record {
        &self.0
    }
}

/// A school year "2025-2026", named by the year it starts.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct SchoolYear {
    pub start_year: u16,
}

impl SchoolYear {
    pub fn label(self) -> String {
        format!("{}-{}", self.start_year, self.start_year + 1)
    }
    /// Accepts "2025-2026", "2025 - 2026" and "2025".
    pub fn parse(text: &str) -> Option<SchoolYear> {
        let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let (start, end) = match text.split_once('-') {
            Some((start, end)) => (start.parse::<u16>().ok()?, Some(end.parse::<u16>().ok()?)),
            None => (text.parse::<u16>().ok()?, None),
        };
        if !(2000..=2200).contains(&start) || end.is_some_and(|end| end != start + 1) {
            return None;
        }
        Some(SchoolYear { start_year: start })
    }
    /// The school year a date falls in: a year starts on 1 August, before
    /// the opening on 5 September and after the summer retests.
    pub fn containing(date: crate::Date) -> SchoolYear {
        let start_year = if date.month() >= 8 {
            date.year()
        } else {
            date.year() - 1
        };
        SchoolYear { start_year }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn school_years() {
        assert_eq!(
            SchoolYear::parse("2025-2026"),
            Some(SchoolYear { start_year: 2025 })
        );
        assert_eq!(
            SchoolYear::parse("2025 - 2026").unwrap().label(),
            "2025-2026"
        );
        assert_eq!(SchoolYear::parse("2025-2027"), None);
        let date = crate::Date::new(2026, 3, 1).unwrap();
        assert_eq!(SchoolYear::containing(date).label(), "2025-2026");
        let date = crate::Date::new(2026, 9, 5).unwrap();
        assert_eq!(SchoolYear::containing(date).label(), "2026-2027");
    }
}
