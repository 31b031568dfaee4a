//! Vietnamese personal names, with full diacritics, in NFC.
//!
//! Family names follow their rough frequency in the North (Nguyễn about four
//! in ten, then Trần, Lê, Phạm, Vũ, Hoàng…), with a few rare ones (Âu, Ông)
//! that test sorting. Middle names are gendered (Văn, Đức / Thị, Ngọc) and
//! differ between the parents' generation and the children's. Given names
//! include pairs that only diacritics tell apart (Anh/Ánh, An/Ân, Dũng/Đức,
//! Uyên/Yến), which is what Vietnamese collation has to get right.

use crate::rng::Rng;
use hocba_domain::identity::Sex;

/// Family names with weights (per mille, roughly).
pub(crate) const FAMILY: [(&str, u32); 34] = [
    ("Nguyễn", 380),
    ("Trần", 110),
    ("Lê", 95),
    ("Phạm", 70),
    ("Hoàng", 45),
    ("Vũ", 45),
    ("Phan", 30),
    ("Đặng", 25),
    ("Bùi", 25),
    ("Đỗ", 25),
    ("Ngô", 15),
    ("Đinh", 12),
    ("Hồ", 10),
    ("Dương", 10),
    ("Đoàn", 10),
    ("Võ", 8),
    ("Trịnh", 8),
    ("Đào", 8),
    ("Lương", 6),
    ("Mai", 6),
    ("Cao", 6),
    ("Huỳnh", 5),
    ("Lý", 5),
    ("Hà", 5),
    ("Tô", 4),
    ("Lưu", 4),
    ("Phùng", 3),
    ("Tạ", 3),
    ("Vương", 2),
    ("Lâm", 2),
    ("Quách", 2),
    ("Khúc", 2),
    ("Âu", 1),
    ("Ông", 1),
];

const MALE_GIVEN: [&str; 62] = [
    "An", "Ân", "Anh", "Bách", "Bảo", "Bình", "Công", "Cường", "Dũng", "Duy", "Dương", "Đạt",
    "Đăng", "Định", "Đông", "Đức", "Giang", "Hải", "Hào", "Hiển", "Hiếu", "Hoàng", "Huy", "Hùng",
    "Hưng", "Khang", "Khải", "Khánh", "Khoa", "Khôi", "Kiên", "Lâm", "Long", "Lộc", "Luân", "Mạnh",
    "Minh", "Nam", "Nghĩa", "Nguyên", "Nhân", "Phát", "Phong", "Phúc", "Quân", "Quang", "Quý",
    "Sơn", "Tài", "Tâm", "Thắng", "Thành", "Thịnh", "Tiến", "Toàn", "Trí", "Trung", "Tuấn", "Tùng",
    "Vinh", "Việt", "Vũ",
];

const FEMALE_GIVEN: [&str; 56] = [
    "An", "Anh", "Ánh", "Châu", "Chi", "Diệp", "Dung", "Duyên", "Giang", "Hà", "Hân", "Hằng",
    "Hạnh", "Hiền", "Hoa", "Hồng", "Hương", "Huyền", "Khánh", "Khuê", "Lam", "Lan", "Linh", "Loan",
    "Ly", "Mai", "My", "Nga", "Ngân", "Ngọc", "Nhi", "Nhung", "Oanh", "Phương", "Quyên", "Quỳnh",
    "Tâm", "Thảo", "Thư", "Thủy", "Trang", "Trâm", "Uyên", "Vân", "Vy", "Xuân", "Yến", "Ý", "Ánh",
    "Anh", "Linh", "Hương", "Trang", "Ngọc", "Thảo", "Huyền",
];

/// Given names of people born 1965–2001: fewer of the names in fashion now
/// (Khang, Bách, Phát; Khuê, Hân).
const ADULT_MALE_GIVEN: [&str; 36] = [
    "Bình", "Chiến", "Cường", "Dũng", "Đức", "Định", "Hải", "Hiển", "Hiếu", "Hòa", "Hoàng", "Hùng",
    "Hưng", "Khánh", "Kiên", "Lâm", "Long", "Mạnh", "Minh", "Nam", "Phong", "Quang", "Quý", "Sơn",
    "Thắng", "Thanh", "Thành", "Thịnh", "Tiến", "Toàn", "Trung", "Tuấn", "Tùng", "Việt", "Vinh",
    "Ân",
];

const ADULT_FEMALE_GIVEN: [&str; 36] = [
    "Anh", "Ánh", "Bích", "Dung", "Hà", "Hằng", "Hạnh", "Hiền", "Hoa", "Hòa", "Hồng", "Huệ",
    "Hương", "Huyền", "Lan", "Liên", "Linh", "Loan", "Lý", "Mai", "Minh", "Nga", "Ngọc", "Nhung",
    "Oanh", "Phương", "Tâm", "Thảo", "Thu", "Thủy", "Trang", "Uyên", "Vân", "Xuân", "Yến", "Hương",
];

/// Middle names of children born 2008–2019: Văn and Thị are less common than
/// in their parents' generation.
const CHILD_MALE_MIDDLE: [(&str, u32); 18] = [
    ("Văn", 12),
    ("Minh", 14),
    ("Đức", 10),
    ("Gia", 8),
    ("Bảo", 7),
    ("Quang", 7),
    ("Hoàng", 6),
    ("Tuấn", 4),
    ("Hữu", 4),
    ("Thành", 4),
    ("Anh", 4),
    ("Đăng", 4),
    ("Trung", 3),
    ("Hải", 3),
    ("Nhật", 4),
    ("Khánh", 3),
    ("Công", 3),
    ("Duy", 3),
];

const CHILD_FEMALE_MIDDLE: [(&str, u32); 19] = [
    ("Thị", 14),
    ("Ngọc", 10),
    ("Thu", 6),
    ("Thanh", 6),
    ("Minh", 6),
    ("Bảo", 6),
    ("Gia", 5),
    ("Khánh", 6),
    ("Phương", 5),
    ("Hoài", 3),
    ("Hà", 3),
    ("Mai", 3),
    ("Diệu", 3),
    ("Quỳnh", 3),
    ("Thùy", 4),
    ("Kim", 3),
    ("Tường", 2),
    ("Như", 3),
    ("Hải", 3),
];

const ADULT_MALE_MIDDLE: [(&str, u32); 10] = [
    ("Văn", 45),
    ("Đức", 10),
    ("Minh", 10),
    ("Quang", 6),
    ("Hữu", 6),
    ("Xuân", 5),
    ("Mạnh", 4),
    ("Thế", 4),
    ("Ngọc", 5),
    ("Trọng", 5),
];

const ADULT_FEMALE_MIDDLE: [(&str, u32); 9] = [
    ("Thị", 60),
    ("Thu", 8),
    ("Thanh", 8),
    ("Ngọc", 6),
    ("Minh", 4),
    ("Hồng", 4),
    ("Kim", 3),
    ("Phương", 4),
    ("Bích", 3),
];

/// Second middle names for girls ("Nguyễn Thị Ngọc Ánh", "Trần Bảo Ngọc Anh").
const SECOND_FEMALE_MIDDLE: [&str; 8] = [
    "Ngọc", "Thu", "Minh", "Hồng", "Phương", "Thanh", "Bảo", "Mỹ",
];

/// Whose name is being made: the middle names differ by generation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Generation {
    Child,
    Adult,
}

pub(crate) fn family_name(rng: &mut Rng) -> &'static str {
    let name: &&'static str = rng.weighted(&FAMILY);
    name
}

/// A full name "Họ Đệm Tên"; `family` keeps a given family name (a child
/// takes the father's).
pub(crate) fn full_name(
    rng: &mut Rng,
    sex: Sex,
    generation: Generation,
    family: Option<&str>,
) -> String {
    let family = family.map_or_else(|| family_name(rng).to_owned(), str::to_owned);
    let (middle, given) = match (sex, generation) {
        (Sex::Male, Generation::Child) => {
            (*rng.weighted(&CHILD_MALE_MIDDLE), *rng.pick(&MALE_GIVEN))
        }
        (Sex::Male, Generation::Adult) => (
            *rng.weighted(&ADULT_MALE_MIDDLE),
            *rng.pick(&ADULT_MALE_GIVEN),
        ),
        (Sex::Female, Generation::Child) => (
            *rng.weighted(&CHILD_FEMALE_MIDDLE),
            *rng.pick(&FEMALE_GIVEN),
        ),
        (Sex::Female, Generation::Adult) => (
            *rng.weighted(&ADULT_FEMALE_MIDDLE),
            *rng.pick(&ADULT_FEMALE_GIVEN),
        ),
    };
    let mut name = format!("{family} {middle}");
    if sex == Sex::Female && matches!(middle, "Thị" | "Bảo" | "Gia") && rng.chance(250) {
        let second = *rng.pick(&SECOND_FEMALE_MIDDLE);
        if second != middle && second != given {
            name.push(' ');
            name.push_str(second);
        }
    }
    if middle == given {
        // "Minh Minh" happens, but reads as a typo in a demo.
        return full_name(rng, sex, generation, Some(&family));
    }
    name.push(' ');
    name.push_str(given);
    name
}

/// Family names common among some ethnic groups of the North.
pub(crate) fn ethnic_family_name(rng: &mut Rng, ethnicity: &str) -> &'static str {
    match ethnicity {
        "Tày" | "Nùng" => rng.choose(&["Hoàng", "Nông", "Lục", "Ma", "Hà", "Lăng"]),
        "Mường" => rng.choose(&["Đinh", "Quách", "Bạch", "Hà", "Bùi", "Xa"]),
        "Hoa" => rng.choose(&["Lý", "Trương", "Quách", "Tăng", "Hứa", "Lâm", "Diệp"]),
        _ => family_name(rng),
    }
}

/// An ASCII handle for e-mail addresses: given name, then the initials of the
/// family and middle names ("Nguyễn Thị Hương" → "huongnt").
pub(crate) fn email_handle(full: &str) -> String {
    let folded = hocba_text::fold(full);
    let words: Vec<&str> = folded.split(' ').collect();
    let (given, rest) = words.split_last().expect("a name has words");
    let initials: String = rest.iter().filter_map(|w| w.chars().next()).collect();
    format!("{given}{initials}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_nfc_and_well_formed() {
        let mut rng = Rng::new(3);
        for i in 0..2_000 {
            let sex = if i % 2 == 0 { Sex::Male } else { Sex::Female };
            let generation = if i % 3 == 0 {
                Generation::Adult
            } else {
                Generation::Child
            };
            let name = full_name(&mut rng, sex, generation, None);
            assert!(hocba_text::is_nfc(&name), "{name}");
            assert!((3..=4).contains(&name.split(' ').count()), "{name}");
        }
        assert_eq!(email_handle("Nguyễn Thị Hương"), "huongnt");
        assert_eq!(email_handle("Đặng Đức Anh"), "anhdd");
    }
}
