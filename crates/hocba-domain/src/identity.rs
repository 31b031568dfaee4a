//! Identifiers of people (`regulations.md` §7).

use crate::province::PERSONAL_ID_PROVINCE_CODES;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Giới tính. Codes as in QCVN 109:2017/BTTTT (1 male, 2 female).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Male,
    Female,
}

impl Sex {
    pub fn label(self) -> &'static str {
        match self {
            Sex::Male => "Nam",
            Sex::Female => "Nữ",
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Sex::Male => "male",
            Sex::Female => "female",
        }
    }
    pub fn parse(text: &str) -> Option<Sex> {
        match hocba_text::fold(text).as_str() {
            "nam" | "male" | "m" | "1" => Some(Sex::Male),
            "nu" | "female" | "f" | "2" => Some(Sex::Female),
            _ => None,
        }
    }
}

/// Số định danh cá nhân: 12 digits = 3-digit province code of birth
/// registration + 1 century-and-sex digit + 2-digit birth year + 6 digits
/// (Luật Căn cước 2023, NĐ 70/2024; `regulations.md` §7).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PersonalId(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidPersonalId {
    #[error("phải gồm đúng 12 chữ số (đang có {0} ký tự); số CMND 9 số cũ nhập vào ô Số CMND/CCCD")]
    Length(usize),
    #[error("chỉ được chứa chữ số")]
    NotDigits,
    #[error("3 số đầu ({0}) không phải mã tỉnh nơi đăng ký khai sinh")]
    Province(String),
    #[error(
        "chữ số thứ 4 ({digit}) cho biết {id_sex} sinh năm {id_century}xx, nhưng hồ sơ ghi {sex} sinh năm {birth_year}; hãy kiểm tra lại giới tính, năm sinh hoặc số định danh"
    )]
    CenturySex {
        digit: u8,
        id_sex: &'static str,
        id_century: u16,
        sex: &'static str,
        birth_year: u16,
    },
    #[error(
        "chữ số thứ 5–6 ({digits}) phải là hai số cuối của năm sinh ({birth_year}); hãy kiểm tra lại năm sinh hoặc số định danh"
    )]
    BirthYear { digits: String, birth_year: u16 },
}

impl PersonalId {
    /// Checks the format alone (length, digits, province code).
    pub fn parse(text: &str) -> Result<PersonalId, InvalidPersonalId> {
        let text = text.trim();
        if !text.chars().all(|c| c.is_ascii_digit()) {
            return Err(InvalidPersonalId::NotDigits);
        }
        if text.len() != 12 {
            return Err(InvalidPersonalId::Length(text.chars().count()));
        }
        let province: u8 = text[..3]
            .parse()
            .map_err(|_| InvalidPersonalId::Province(text[..3].into()))?;
        if !PERSONAL_ID_PROVINCE_CODES.contains(&province) {
            return Err(InvalidPersonalId::Province(text[..3].into()));
        }
        Ok(PersonalId(text.to_owned()))
    }

    /// Checks that the century-and-sex digit and the birth-year digits agree
    /// with the person's profile.
    pub fn check_against(&self, sex: Sex, birth_year: u16) -> Result<(), InvalidPersonalId> {
        let digit = self.0.as_bytes()[3] - b'0';
        let id_century = 1900 + u16::from(digit / 2) * 100;
        let id_sex = if digit.is_multiple_of(2) {
            Sex::Male
        } else {
            Sex::Female
        };
        if id_sex != sex || birth_year / 100 * 100 != id_century {
            return Err(InvalidPersonalId::CenturySex {
                digit,
                id_sex: id_sex.label(),
                id_century: id_century / 100,
                sex: sex.label(),
                birth_year,
            });
        }
        let digits = &self.0[4..6];
        if digits != format!("{:02}", birth_year % 100) {
            return Err(InvalidPersonalId::BirthYear {
                digits: digits.into(),
                birth_year,
            });
        }
        Ok(())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PersonalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Mã định danh Bộ GD&ĐT: the ministry student code assigned by the sector
/// database. Observed as 10 digits; the national data model allows up to 20
/// characters (`regulations.md` §7), so letters and digits up to 20 are accepted.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MoetCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "mã định danh Bộ GD&ĐT chỉ gồm chữ và số, tối đa 20 ký tự (thường là 10 chữ số do CSDL ngành cấp)"
)]
pub struct InvalidMoetCode;

impl MoetCode {
    pub fn parse(text: &str) -> Result<MoetCode, InvalidMoetCode> {
        let text = text.trim();
        if text.is_empty() || text.len() > 20 || !text.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(InvalidMoetCode);
        }
        Ok(MoetCode(text.to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A Vietnamese phone number: 10 digits starting with 0 (or +84 and 9 digits).
pub fn check_phone(text: &str) -> Result<String, &'static str> {
    let digits: String = text
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-'))
        .collect();
    let national = match digits.strip_prefix("+84") {
        Some(rest) => format!("0{rest}"),
        None => digits,
    };
    if national.len() == 10
        && national.starts_with('0')
        && national.chars().all(|c| c.is_ascii_digit())
    {
        Ok(national)
    } else if national.len() == 11
        && national.starts_with("02")
        && national.chars().all(|c| c.is_ascii_digit())
    {
        // Landlines: 0 + 3-digit area code + 7 digits.
        Ok(national)
    } else {
        Err("số điện thoại gồm 10 chữ số bắt đầu bằng 0 (hoặc 11 số với máy bàn), ví dụ 0912345678")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personal_id_format() {
        assert!(PersonalId::parse("001210012345").is_ok());
        assert_eq!(
            PersonalId::parse("00121001234"),
            Err(InvalidPersonalId::Length(11))
        );
        assert_eq!(
            PersonalId::parse("00121001234a"),
            Err(InvalidPersonalId::NotDigits)
        );
        assert_eq!(
            PersonalId::parse("003210012345"),
            Err(InvalidPersonalId::Province("003".into()))
        );
        assert_eq!(
            PersonalId::parse("097210012345"),
            Err(InvalidPersonalId::Province("097".into()))
        );
    }

    #[test]
    fn personal_id_agrees_with_sex_and_birth_year() {
        // 2 = male born in the 2000s, 3 = female born in the 2000s, 0/1 for the 1900s.
        let male_2010 = PersonalId::parse("001210012345").unwrap();
        assert!(male_2010.check_against(Sex::Male, 2010).is_ok());
        let error = male_2010.check_against(Sex::Female, 2010).unwrap_err();
        assert!(error.to_string().contains("Nam sinh năm 20xx"), "{error}");
        assert!(matches!(
            male_2010.check_against(Sex::Male, 2011),
            Err(InvalidPersonalId::BirthYear { .. })
        ));
        assert!(matches!(
            male_2010.check_against(Sex::Male, 1910),
            Err(InvalidPersonalId::CenturySex { .. })
        ));
        let female_1985 = PersonalId::parse("079185000001").unwrap();
        assert!(female_1985.check_against(Sex::Female, 1985).is_ok());
    }

    #[test]
    fn phones() {
        assert_eq!(check_phone("0912 345 678"), Ok("0912345678".into()));
        assert_eq!(check_phone("+84912345678"), Ok("0912345678".into()));
        assert!(check_phone("12345").is_err());
    }

    #[test]
    fn moet_codes() {
        assert!(MoetCode::parse("7407137235").is_ok());
        assert!(MoetCode::parse("74-07").is_err());
        assert!(MoetCode::parse("").is_err());
    }
}
