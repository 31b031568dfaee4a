//! What every regime ends in: the promotion decision, awards, per-term results, and
//! the typed error for inconsistent input.

use serde::Serialize;

use crate::label::Label;
use crate::regime::{Grade, Regime, Term};

/// Promotion decision at the end of the year (glossary: `Promotion`). `Retest` and
/// `SummerTraining` are pending decisions: the student is promoted or retained once
/// the retest or the summer training has been assessed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Promotion {
    /// Được lên lớp.
    Promoted,
    /// Must take a retest (kiểm tra lại) before the decision.
    Retest,
    /// Must do summer training (rèn luyện trong kì nghỉ hè) before the decision.
    SummerTraining,
    /// Không được lên lớp (ở lại lớp).
    Retained,
}

impl Promotion {
    /// The code of the JSON format: "promoted", "retest", "summer_training", "retained".
    pub const fn code(self) -> &'static str {
        match self {
            Promotion::Promoted => "promoted",
            Promotion::Retest => "retest",
            Promotion::SummerTraining => "summer_training",
            Promotion::Retained => "retained",
        }
    }

    /// The Vietnamese wording of the học bạ.
    pub const fn label(self) -> &'static str {
        match self {
            Promotion::Promoted => "Được lên lớp",
            Promotion::Retest => "Phải kiểm tra, đánh giá lại trước khi xét lên lớp",
            Promotion::SummerTraining => "Phải rèn luyện trong kì nghỉ hè trước khi xét lên lớp",
            Promotion::Retained => "Không được lên lớp",
        }
    }
}

/// An award (khen thưởng), with the exact title of the circular.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Award {
    /// "Học sinh Xuất sắc" (TT22 Điều 15; TT27 Điều 12).
    ExcellentStudent,
    /// "Học sinh Giỏi" (TT22 Điều 15; TT58 Điều 18).
    GoodStudent,
    /// "Học sinh Tiên tiến" (TT58 Điều 18 only; abolished by TT22).
    AdvancedStudent,
    /// "Học sinh Tiêu biểu hoàn thành tốt trong học tập và rèn luyện" (TT27 Điều 12).
    ExemplaryStudent,
}

impl Label for Award {
    const ALL: &'static [Self] = &[
        Award::ExcellentStudent,
        Award::GoodStudent,
        Award::AdvancedStudent,
        Award::ExemplaryStudent,
    ];

    fn label(self) -> &'static str {
        match self {
            Award::ExcellentStudent => "Học sinh Xuất sắc",
            Award::GoodStudent => "Học sinh Giỏi",
            Award::AdvancedStudent => "Học sinh Tiên tiến",
            Award::ExemplaryStudent => {
                "Học sinh Tiêu biểu hoàn thành tốt trong học tập và rèn luyện"
            }
        }
    }
}

/// One value per reporting term.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TermResults<T> {
    /// Học kỳ I.
    pub s1: T,
    /// Học kỳ II.
    pub s2: T,
    /// Cả năm.
    pub year: T,
}

impl<T: Copy> TermResults<T> {
    /// The value of a term.
    pub fn get(&self, term: Term) -> T {
        match term {
            Term::S1 => self.s1,
            Term::S2 => self.s2,
            Term::Year => self.year,
        }
    }
}

/// Input that is well-formed but contradicts the rules (a retest for a subject that
/// cannot be retested, a grade outside the regime…). Each names where it is.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EvaluateError {
    /// The regime is identified but not evaluated (the old primary regime TT30).
    #[error("{} ({}) is not supported by this calculator", .0.code(), .0.citation())]
    UnsupportedRegime(Regime),
    /// The grade is not governed by this regime.
    #[error("grade {grade} is not assessed under {}", .regime.code())]
    GradeOutsideRegime {
        /// The grade given.
        grade: Grade,
        /// The regime given.
        regime: Regime,
    },
    /// No subject at all.
    #[error("at least one subject is needed")]
    NoSubjects,
    /// A summer-training result although no summer training was required.
    #[error("no summer training is required: the year {what} is {level}")]
    SummerTrainingNotRequired {
        /// "training result" or "conduct".
        what: &'static str,
        /// The year level.
        level: &'static str,
    },
    /// A TT27 value that the rules require is missing, or one they forbid is present.
    #[error("{message}")]
    PrimaryRecord {
        /// Field path relative to the student (e.g. `subjects[0].tests.end_of_year`).
        path: String,
        /// What is wrong.
        message: String,
    },
}

impl EvaluateError {
    /// The JSON field path the error belongs to, relative to the input root.
    pub fn path(&self) -> String {
        match self {
            EvaluateError::UnsupportedRegime(_) => "regime".to_owned(),
            EvaluateError::GradeOutsideRegime { .. } => "grade".to_owned(),
            EvaluateError::NoSubjects => "subjects".to_owned(),
            EvaluateError::SummerTrainingNotRequired { .. } => "conduct.summer".to_owned(),
            EvaluateError::PrimaryRecord { path, .. } => path.clone(),
        }
    }
}
