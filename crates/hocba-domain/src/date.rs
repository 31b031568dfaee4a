//! A calendar date without time zone, as written on Vietnamese forms.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A valid Gregorian calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("không phải ngày hợp lệ (viết theo dạng ngày/tháng/năm, ví dụ 05/09/2010)")]
pub struct InvalidDate;

impl Date {
    pub fn new(year: u16, month: u8, day: u8) -> Result<Self, InvalidDate> {
        if !(1900..=2300).contains(&year) || !(1..=12).contains(&month) || day == 0 {
            return Err(InvalidDate);
        }
        if day > days_in_month(year, month) {
            return Err(InvalidDate);
        }
        Ok(Date { year, month, day })
    }

    pub fn year(self) -> u16 {
        self.year
    }
    pub fn month(self) -> u8 {
        self.month
    }
    pub fn day(self) -> u8 {
        self.day
    }

    /// Accepts the Vietnamese form `dd/mm/yyyy` (also `d/m/yyyy`, `dd-mm-yyyy`,
    /// `dd.mm.yyyy`) and ISO `yyyy-mm-dd`, which is what spreadsheets and APIs send.
    pub fn parse(text: &str) -> Result<Self, InvalidDate> {
        let text = text.trim();
        let parts: Vec<&str> = text.split(['/', '-', '.']).collect();
        if parts.len() != 3
            || parts
                .iter()
                .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(InvalidDate);
        }
        let number = |s: &str| s.parse::<u32>().map_err(|_| InvalidDate);
        let (year, month, day) = if parts[0].len() == 4 {
            (number(parts[0])?, number(parts[1])?, number(parts[2])?)
        } else if parts[2].len() == 4 {
            (number(parts[2])?, number(parts[1])?, number(parts[0])?)
        } else {
            return Err(InvalidDate);
        };
        let narrow = |v: u32| u8::try_from(v).map_err(|_| InvalidDate);
        Date::new(
            u16::try_from(year).map_err(|_| InvalidDate)?,
            narrow(month)?,
            narrow(day)?,
        )
    }

    /// ISO 8601 `yyyy-mm-dd`: the storage and API form.
    pub fn iso(self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    /// Days since 1970-01-01, for converting a Unix clock reading into a date.
    pub fn from_days_since_epoch(days: i64) -> Self {
        // Civil-from-days (Howard Hinnant's public-domain algorithm, re-derived).
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as u16;
        Date { year, month, day }
    }
}

/// A Unix-millisecond instant as Vietnamese users read it: Vietnam time
/// (UTC+7, no daylight saving), `HH:MM dd/mm/yyyy`.
pub fn vietnam_time(unix_millis: i64) -> String {
    const VIETNAM_OFFSET_SECONDS: i64 = 7 * 3600;
    let seconds = unix_millis.div_euclid(1000) + VIETNAM_OFFSET_SECONDS;
    let date = Date::from_days_since_epoch(seconds.div_euclid(86_400));
    let of_day = seconds.rem_euclid(86_400);
    format!("{:02}:{:02} {date}", of_day / 3600, of_day % 3600 / 60)
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        _ => 28,
    }
}

/// Vietnamese display form `dd/mm/yyyy`.
impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}/{:02}/{:04}", self.day, self.month, self.year)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.iso())
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Date::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_vietnamese_and_iso_forms() {
        let expected = Date::new(2010, 9, 5).unwrap();
        for text in [
            "05/09/2010",
            "5/9/2010",
            "05-09-2010",
            "2010-09-05",
            " 05.09.2010 ",
        ] {
            assert_eq!(Date::parse(text), Ok(expected), "{text}");
        }
        assert_eq!(expected.to_string(), "05/09/2010");
        assert_eq!(expected.iso(), "2010-09-05");
    }

    #[test]
    fn rejects_impossible_dates() {
        for text in [
            "29/02/2011",
            "31/04/2010",
            "00/01/2010",
            "1/13/2010",
            "2010",
            "a/b/c",
            "12/12/10",
        ] {
            assert_eq!(Date::parse(text), Err(InvalidDate), "{text}");
        }
        assert!(Date::parse("29/02/2012").is_ok());
        assert!(Date::parse("29/02/2000").is_ok());
        assert!(Date::parse("29/02/1900").is_err());
    }

    #[test]
    fn formats_instants_in_vietnam_time() {
        // 2025-11-20 07:05 UTC is 14:05 in Hà Nội.
        assert_eq!(vietnam_time(1_763_622_300_000), "14:05 20/11/2025");
        // 20:30 UTC is already the next day in Vietnam.
        assert_eq!(vietnam_time(1_763_670_600_000), "03:30 21/11/2025");
    }

    #[test]
    fn converts_days_since_epoch() {
        assert_eq!(
            Date::from_days_since_epoch(0),
            Date::new(1970, 1, 1).unwrap()
        );
        assert_eq!(
            Date::from_days_since_epoch(20_414),
            Date::new(2025, 11, 22).unwrap()
        );
        assert_eq!(
            Date::from_days_since_epoch(11_016),
            Date::new(2000, 2, 29).unwrap()
        );
    }
}
