//! Levels of general education and grades 1–12.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Cấp học. Continuing education (GDTX) follows the secondary grades.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Primary,
    LowerSecondary,
    UpperSecondary,
}

impl Level {
    pub const ALL: [Level; 3] = [Level::Primary, Level::LowerSecondary, Level::UpperSecondary];

    pub fn label(self) -> &'static str {
        match self {
            Level::Primary => "Tiểu học",
            Level::LowerSecondary => "THCS",
            Level::UpperSecondary => "THPT",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Level::Primary => "primary",
            Level::LowerSecondary => "lower_secondary",
            Level::UpperSecondary => "upper_secondary",
        }
    }

    pub fn from_code(code: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|level| level.code() == code)
    }

    pub fn grades(self) -> std::ops::RangeInclusive<u8> {
        match self {
            Level::Primary => 1..=5,
            Level::LowerSecondary => 6..=9,
            Level::UpperSecondary => 10..=12,
        }
    }
}

/// Khối: a grade from 1 to 12.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Grade(u8);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("khối {0} không tồn tại: khối học từ 1 đến 12")]
pub struct InvalidGrade(pub i64);

impl Grade {
    pub fn new(value: u8) -> Result<Grade, InvalidGrade> {
        if (1..=12).contains(&value) {
            Ok(Grade(value))
        } else {
            Err(InvalidGrade(value.into()))
        }
    }
    pub fn value(self) -> u8 {
        self.0
    }
    pub fn level(self) -> Level {
        match self.0 {
            1..=5 => Level::Primary,
            6..=9 => Level::LowerSecondary,
            _ => Level::UpperSecondary,
        }
    }
    /// The grade above, if the student stays in the same level; `None` for the
    /// last grade of a level (5, 9, 12), whose students complete the level.
    pub fn next_in_level(self) -> Option<Grade> {
        if self.0 == *self.level().grades().end() {
            None
        } else {
            Some(Grade(self.0 + 1))
        }
    }
}

impl TryFrom<u8> for Grade {
    type Error = InvalidGrade;
    fn try_from(value: u8) -> Result<Self, Self::Error> {
        Grade::new(value)
    }
}

impl From<Grade> for u8 {
    fn from(grade: Grade) -> u8 {
        grade.0
    }
}

impl fmt::Display for Grade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Khối {}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grades_belong_to_levels_and_stop_at_the_end_of_a_level() {
        assert_eq!(Grade::new(5).unwrap().level(), Level::Primary);
        assert_eq!(Grade::new(6).unwrap().level(), Level::LowerSecondary);
        assert_eq!(Grade::new(12).unwrap().level(), Level::UpperSecondary);
        assert_eq!(Grade::new(9).unwrap().next_in_level(), None);
        assert_eq!(
            Grade::new(10).unwrap().next_in_level(),
            Some(Grade::new(11).unwrap())
        );
        assert!(Grade::new(0).is_err());
        assert!(Grade::new(13).is_err());
    }
}
