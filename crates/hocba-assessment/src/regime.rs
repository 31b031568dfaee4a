//! Which circular governs a grade in a school year (regulations.md §0).

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

/// A grade (khối) from 1 to 12.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Grade(u8);

/// The education level (cấp học) a grade belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Tiểu học, grades 1–5.
    Primary,
    /// THCS, grades 6–9.
    LowerSecondary,
    /// THPT, grades 10–12.
    UpperSecondary,
}

impl Grade {
    /// A grade from 1 to 12.
    pub fn new(number: u8) -> Result<Grade, RegimeError> {
        if (1..=12).contains(&number) {
            Ok(Grade(number))
        } else {
            Err(RegimeError::GradeOutOfRange(u32::from(number)))
        }
    }

    /// The grade number, 1 to 12.
    pub const fn number(self) -> u8 {
        self.0
    }

    /// Primary, lower or upper secondary.
    pub const fn level(self) -> Level {
        match self.0 {
            1..=5 => Level::Primary,
            6..=9 => Level::LowerSecondary,
            _ => Level::UpperSecondary,
        }
    }
}

impl fmt::Display for Grade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A school year (năm học), named by the calendar year it starts in: 2025 is
/// "2025-2026".
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SchoolYear {
    start: u16,
}

impl SchoolYear {
    /// The school year starting in `start` (e.g. 2025 for 2025-2026).
    pub fn starting(start: u16) -> Result<SchoolYear, RegimeError> {
        if (1945..=2999).contains(&start) {
            Ok(SchoolYear { start })
        } else {
            Err(RegimeError::SchoolYearOutOfRange(start.to_string()))
        }
    }

    /// The calendar year the school year starts in.
    pub const fn start(self) -> u16 {
        self.start
    }
}

impl fmt::Display for SchoolYear {
    /// "2025-2026", as the national records write `namhoc`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.start, self.start + 1)
    }
}

impl FromStr for SchoolYear {
    type Err = RegimeError;

    /// Accepts "2025-2026", "2025-26" and "2025".
    fn from_str(text: &str) -> Result<SchoolYear, RegimeError> {
        let bad = || RegimeError::SchoolYearOutOfRange(text.trim().to_owned());
        let trimmed = text.trim();
        let (first, second) = match trimmed.split_once(['-', '–', '/']) {
            Some((first, second)) => (first.trim(), Some(second.trim())),
            None => (trimmed, None),
        };
        if first.len() != 4 || !first.chars().all(|c| c.is_ascii_digit()) {
            return Err(bad());
        }
        let start: u16 = first.parse().map_err(|_| bad())?;
        if let Some(second) = second {
            let next = start + 1;
            let matches = second == next.to_string() || second == format!("{:02}", next % 100);
            if !matches {
                return Err(bad());
            }
        }
        SchoolYear::starting(start)
    }
}

/// A reporting term: semester 1, semester 2 or the whole year (glossary: `term`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Term {
    /// Học kỳ I.
    S1,
    /// Học kỳ II.
    S2,
    /// Cả năm.
    Year,
}

impl Term {
    /// The Vietnamese name used in sentences: "học kỳ I", "học kỳ II", "cả năm".
    pub const fn vietnamese(self) -> &'static str {
        match self {
            Term::S1 => "học kỳ I",
            Term::S2 => "học kỳ II",
            Term::Year => "cả năm",
        }
    }

    /// "S1", "S2", "Year", the keys of the JSON format.
    pub const fn key(self) -> &'static str {
        match self {
            Term::S1 => "S1",
            Term::S2 => "S2",
            Term::Year => "Year",
        }
    }
}

/// The assessment regime that governs one student-year record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Regime {
    /// Thông tư 22/2021/TT-BGDĐT, lower and upper secondary.
    #[serde(rename = "TT22")]
    Tt22,
    /// Thông tư 58/2011/TT-BGDĐT as amended by Thông tư 26/2020/TT-BGDĐT, lower and
    /// upper secondary before TT22 reached the grade.
    #[serde(rename = "TT58")]
    Tt58,
    /// Thông tư 27/2020/TT-BGDĐT, primary.
    #[serde(rename = "TT27")]
    Tt27,
    /// The old primary regime, Thông tư 30/2014 as amended by Thông tư 22/2016.
    /// Identified so records can be labelled, but not evaluated by this library.
    #[serde(rename = "TT30")]
    Tt30,
}

impl Regime {
    /// The short code used in the JSON format and the national `thongtu` field.
    pub const fn code(self) -> &'static str {
        match self {
            Regime::Tt22 => "TT22",
            Regime::Tt58 => "TT58",
            Regime::Tt27 => "TT27",
            Regime::Tt30 => "TT30",
        }
    }

    /// The full citation of the circular(s).
    pub const fn citation(self) -> &'static str {
        match self {
            Regime::Tt22 => "Thông tư 22/2021/TT-BGDĐT",
            Regime::Tt58 => "Thông tư 58/2011/TT-BGDĐT, sửa đổi bởi Thông tư 26/2020/TT-BGDĐT",
            Regime::Tt27 => "Thông tư 27/2020/TT-BGDĐT",
            Regime::Tt30 => "Thông tư 30/2014/TT-BGDĐT, sửa đổi bởi Thông tư 22/2016/TT-BGDĐT",
        }
    }

    /// Whether this library evaluates records under the regime.
    pub const fn is_supported(self) -> bool {
        !matches!(self, Regime::Tt30)
    }
}

impl FromStr for Regime {
    type Err = RegimeError;

    /// Accepts "TT22", "tt58", "TT58_TT26", "TT58/TT26", "TT27", "TT30", "TT30_TT22_2016".
    fn from_str(text: &str) -> Result<Regime, RegimeError> {
        let upper: String = text
            .trim()
            .to_ascii_uppercase()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        match upper.as_str() {
            "TT22" | "TT222021" => Ok(Regime::Tt22),
            "TT58" | "TT58TT26" | "TT582011" => Ok(Regime::Tt58),
            "TT27" | "TT272020" => Ok(Regime::Tt27),
            "TT30" | "TT30TT22" | "TT30TT222016" => Ok(Regime::Tt30),
            _ => Err(RegimeError::UnknownRegime(text.trim().to_owned())),
        }
    }
}

impl fmt::Display for Regime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Why no regime could be named.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RegimeError {
    /// Grades run from 1 to 12.
    #[error("grade {0} does not exist; grades run from 1 to 12")]
    GradeOutOfRange(u32),
    /// Not a school year this library can read.
    #[error("\"{0}\" is not a school year; write it as 2025-2026")]
    SchoolYearOutOfRange(String),
    /// Not one of TT22, TT58, TT27, TT30.
    #[error("\"{0}\" is not a known regime; expected TT22, TT58, TT27 or TT30")]
    UnknownRegime(String),
    /// A year before the rollout table of regulations.md §0 (before 2020-2021 for
    /// secondary, when TT58 applied without its TT26 amendment; before 2014-2015
    /// for primary).
    #[error(
        "grade {grade} in {school_year} was governed by {regulation}, which this library does not cover"
    )]
    NotCovered {
        /// The grade asked about.
        grade: u8,
        /// The school year asked about.
        school_year: String,
        /// The regulation in force then.
        regulation: &'static str,
    },
}

/// First school year in which TT22 governs each secondary grade: 6 in 2021-22, 7 and
/// 10 in 2022-23, 8 and 11 in 2023-24, 9 and 12 in 2024-25 (TT22's rollout clause as
/// the MOET press text quoted in regulations.md §0 gives it, [P]).
const fn tt22_first_year(grade: u8) -> u16 {
    match grade {
        6 => 2021,
        7 | 10 => 2022,
        8 | 11 => 2023,
        _ => 2024,
    }
}

/// First school year in which TT27 governs each primary grade: grade 1 in 2020-21,
/// then one grade more each year (regulations.md §0, [M]).
const fn tt27_first_year(grade: u8) -> u16 {
    2019 + grade as u16
}

/// TT26/2020 amended TT58 from the 2020-21 school year (regulations.md §0, §2.1).
const TT26_FIRST_YEAR: u16 = 2020;

/// TT30/2014 applied to primary from the 2014-15 school year.
const TT30_FIRST_YEAR: u16 = 2014;

/// The regime governing `grade` in `school_year`, per the rollout table of
/// regulations.md §0.
pub fn regime_for(grade: Grade, school_year: SchoolYear) -> Result<Regime, RegimeError> {
    let start = school_year.start();
    let not_covered = |regulation| RegimeError::NotCovered {
        grade: grade.number(),
        school_year: school_year.to_string(),
        regulation,
    };
    match grade.level() {
        Level::Primary => {
            if start >= tt27_first_year(grade.number()) {
                Ok(Regime::Tt27)
            } else if start >= TT30_FIRST_YEAR {
                Ok(Regime::Tt30)
            } else {
                Err(not_covered("Thông tư 32/2009/TT-BGDĐT"))
            }
        }
        Level::LowerSecondary | Level::UpperSecondary => {
            if start >= tt22_first_year(grade.number()) {
                Ok(Regime::Tt22)
            } else if start >= TT26_FIRST_YEAR {
                Ok(Regime::Tt58)
            } else {
                Err(not_covered(
                    "Thông tư 58/2011/TT-BGDĐT before its Thông tư 26/2020 amendment",
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn regime(grade: u8, start: u16) -> Result<Regime, RegimeError> {
        regime_for(
            Grade::new(grade).unwrap(),
            SchoolYear::starting(start).unwrap(),
        )
    }

    /// Every cell of the rollout table in regulations.md §0.
    #[test]
    fn rollout_table() {
        use Regime::*;
        let table: [(u16, [Regime; 12]); 6] = [
            (
                2020,
                [
                    Tt27, Tt30, Tt30, Tt30, Tt30, Tt58, Tt58, Tt58, Tt58, Tt58, Tt58, Tt58,
                ],
            ),
            (
                2021,
                [
                    Tt27, Tt27, Tt30, Tt30, Tt30, Tt22, Tt58, Tt58, Tt58, Tt58, Tt58, Tt58,
                ],
            ),
            (
                2022,
                [
                    Tt27, Tt27, Tt27, Tt30, Tt30, Tt22, Tt22, Tt58, Tt58, Tt22, Tt58, Tt58,
                ],
            ),
            (
                2023,
                [
                    Tt27, Tt27, Tt27, Tt27, Tt30, Tt22, Tt22, Tt22, Tt58, Tt22, Tt22, Tt58,
                ],
            ),
            (
                2024,
                [
                    Tt27, Tt27, Tt27, Tt27, Tt27, Tt22, Tt22, Tt22, Tt22, Tt22, Tt22, Tt22,
                ],
            ),
            (
                2025,
                [
                    Tt27, Tt27, Tt27, Tt27, Tt27, Tt22, Tt22, Tt22, Tt22, Tt22, Tt22, Tt22,
                ],
            ),
        ];
        for (start, row) in table {
            for (index, expected) in row.into_iter().enumerate() {
                let grade = index as u8 + 1;
                assert_eq!(
                    regime(grade, start),
                    Ok(expected),
                    "grade {grade} in {start}"
                );
            }
        }
    }

    #[test]
    fn years_before_the_table_are_typed_errors() {
        assert!(matches!(
            regime(10, 2019),
            Err(RegimeError::NotCovered { grade: 10, .. })
        ));
        assert_eq!(regime(3, 2016), Ok(Regime::Tt30));
        assert!(!Regime::Tt30.is_supported());
        assert!(regime(3, 2010).is_err());
        assert_eq!(Grade::new(13), Err(RegimeError::GradeOutOfRange(13)));
        assert_eq!(Grade::new(0), Err(RegimeError::GradeOutOfRange(0)));
    }

    #[test]
    fn parses_school_years_and_regimes() {
        assert_eq!("2025-2026".parse::<SchoolYear>().unwrap().start(), 2025);
        assert_eq!("2025-26".parse::<SchoolYear>().unwrap().start(), 2025);
        assert_eq!(
            "2025".parse::<SchoolYear>().unwrap().to_string(),
            "2025-2026"
        );
        assert!("2025-2027".parse::<SchoolYear>().is_err());
        assert!("25-26".parse::<SchoolYear>().is_err());
        assert_eq!("tt58_tt26".parse::<Regime>(), Ok(Regime::Tt58));
        assert_eq!("TT22".parse::<Regime>(), Ok(Regime::Tt22));
        assert!("TT99".parse::<Regime>().is_err());
    }
}
