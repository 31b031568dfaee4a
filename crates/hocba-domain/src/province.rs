//! The 34 province-level units in force since 01/7/2025 (QĐ 19/2025/QĐ-TTg),
//! shipped as data: `data/provinces-2025.csv`, copied from
//! `shared/data/provinces-2025.csv` (GSO codes; `regulations.md` §7).

use std::sync::LazyLock;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Province {
    /// Two-digit GSO code, e.g. "01" for Hà Nội.
    pub code: String,
    /// Full name as in the legal list, e.g. "Thành phố Hà Nội".
    pub name: String,
    /// Name without the "Tỉnh " / "Thành phố " prefix, as people write it.
    pub short_name: String,
}

static PROVINCES: LazyLock<Vec<Province>> = LazyLock::new(|| {
    include_str!("../data/provinces-2025.csv")
        .lines()
        .skip(1)
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let mut columns = line.split(',');
            let code = columns.next().unwrap_or_default().trim().to_owned();
            let name = columns.next().unwrap_or_default().trim().to_owned();
            let short_name = name
                .strip_prefix("Thành phố ")
                .or_else(|| name.strip_prefix("Tỉnh "))
                .unwrap_or(&name)
                .to_owned();
            Province {
                code,
                name,
                short_name,
            }
        })
        .collect()
});

pub fn all() -> &'static [Province] {
    &PROVINCES
}

pub fn by_code(code: &str) -> Option<&'static Province> {
    PROVINCES.iter().find(|province| province.code == code)
}

/// Finds a province by its code or by its name as a person would type it:
/// with or without "Tỉnh"/"Thành phố", with or without accents ("ha noi"),
/// and the common "TP.HCM" / "TP Hồ Chí Minh" forms.
pub fn find(text: &str) -> Option<&'static Province> {
    let text = text.trim();
    if let Some(province) = by_code(text) {
        return Some(province);
    }
    if text.len() == 1 && text.as_bytes()[0].is_ascii_digit() {
        return by_code(&format!("0{text}"));
    }
    let folded = hocba_text::fold(text);
    let folded = folded
        .strip_prefix("thanh pho ")
        .or_else(|| folded.strip_prefix("tp. "))
        .or_else(|| folded.strip_prefix("tp."))
        .or_else(|| folded.strip_prefix("tp "))
        .or_else(|| folded.strip_prefix("tinh "))
        .unwrap_or(&folded)
        .trim();
    let folded = match folded {
        "hcm" | "tphcm" | "sai gon" => "ho chi minh",
        other => other,
    };
    PROVINCES
        .iter()
        .find(|province| hocba_text::fold(&province.short_name) == folded)
}

/// Province codes of birth registration that appear in personal IDs: the 63
/// GSO province codes in force before the 2025 merger. Existing personal IDs
/// keep them (`regulations.md` §7); every post-2025 code is one of them.
/// Source: GSO administrative unit list (QĐ 124/2004/QĐ-TTg, as amended) [M].
pub const PERSONAL_ID_PROVINCE_CODES: [u8; 63] = [
    1, 2, 4, 6, 8, 10, 11, 12, 14, 15, 17, 19, 20, 22, 24, 25, 26, 27, 30, 31, 33, 34, 35, 36, 37,
    38, 40, 42, 44, 45, 46, 48, 49, 51, 52, 54, 56, 58, 60, 62, 64, 66, 67, 68, 70, 72, 74, 75, 77,
    79, 80, 82, 83, 84, 86, 87, 89, 91, 92, 93, 94, 95, 96,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ships_the_34_provinces() {
        assert_eq!(all().len(), 34);
        assert_eq!(by_code("01").unwrap().name, "Thành phố Hà Nội");
        assert_eq!(by_code("96").unwrap().short_name, "Cà Mau");
    }

    #[test]
    fn finds_provinces_as_people_write_them() {
        assert_eq!(find("Hà Nội").unwrap().code, "01");
        assert_eq!(find("ha noi").unwrap().code, "01");
        assert_eq!(find("Tỉnh Cao Bằng").unwrap().code, "04");
        assert_eq!(find("TP.HCM").unwrap().code, "79");
        assert_eq!(find("Thành phố Hồ Chí Minh").unwrap().code, "79");
        assert_eq!(find("31").unwrap().short_name, "Hải Phòng");
        assert!(find("Bắc Giang").is_none(), "merged into Bắc Ninh in 2025");
    }

    #[test]
    fn every_current_code_is_a_valid_personal_id_code() {
        for province in all() {
            let code: u8 = province.code.parse().unwrap();
            assert!(
                PERSONAL_ID_PROVINCE_CODES.contains(&code),
                "{}",
                province.name
            );
        }
    }
}
