//! The assessment law of Vietnamese general education as a pure library.
//!
//! * [`regime`]: which circular governs a grade in a school year (regulations.md §0).
//! * [`score`]: exact one- and two-decimal scores; no floating point anywhere.
//! * [`secondary`]: subject records and averages shared by TT22 and TT58/TT26.
//! * [`tt22`]: Thông tư 22/2021 (lower and upper secondary).
//! * [`tt58`]: Thông tư 58/2011 as amended by Thông tư 26/2020.
//! * [`tt27`]: Thông tư 27/2020 (primary).
//! * [`true_false`]: points of true/false test questions (regulations.md §1.3).
//! * [`full_course`]: grade-12 full-course averages (Thông tư 24/2024 Điều 44).
//! * [`reason`]: every decision explained, with its article and a Vietnamese sentence.
//! * [`json`]: the JSON calculator behind `hocba evaluate` and the web API.
//! * [`fixtures`]: deterministic synthetic students for the benchmark.
//!
//! The library does no I/O: no files, no clock, no network.

pub mod fixtures;
pub mod full_course;
pub mod json;
pub mod label;
pub mod outcome;
#[cfg(test)]
mod properties;
pub mod reason;
pub mod regime;
pub mod score;
pub mod secondary;
pub mod true_false;
pub mod tt22;
pub mod tt27;
pub mod tt58;

pub use json::{InputError, evaluate_json};
pub use outcome::{Award, EvaluateError, Promotion, TermResults};
pub use regime::{Grade, Regime, SchoolYear, Term, regime_for};
pub use score::{Score, ScoreError, TwoDecimalScore};

/// One student-year under one regime: the typed input of [`evaluate`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StudentRecord {
    /// Thông tư 22/2021.
    Tt22(tt22::Tt22Student),
    /// Thông tư 58/2011 as amended by Thông tư 26/2020.
    Tt58(tt58::Tt58Student),
    /// Thông tư 27/2020.
    Tt27(tt27::Tt27Student),
}

impl StudentRecord {
    /// The regime of the record.
    pub const fn regime(&self) -> Regime {
        match self {
            StudentRecord::Tt22(_) => Regime::Tt22,
            StudentRecord::Tt58(_) => Regime::Tt58,
            StudentRecord::Tt27(_) => Regime::Tt27,
        }
    }
}

/// What [`evaluate`] decides, per regime.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Evaluation {
    /// Thông tư 22/2021.
    Tt22(tt22::Tt22Evaluation),
    /// Thông tư 58/2011 as amended by Thông tư 26/2020.
    Tt58(tt58::Tt58Evaluation),
    /// Thông tư 27/2020.
    Tt27(tt27::Tt27Evaluation),
}

impl Evaluation {
    /// Every reason, in order.
    pub fn reasons(&self) -> &[reason::Reason] {
        match self {
            Evaluation::Tt22(evaluation) => &evaluation.reasons,
            Evaluation::Tt58(evaluation) => &evaluation.reasons,
            Evaluation::Tt27(evaluation) => &evaluation.reasons,
        }
    }
}

/// Evaluates one student-year under its regime. Pure: no I/O.
pub fn evaluate(record: &StudentRecord) -> Result<Evaluation, EvaluateError> {
    match record {
        StudentRecord::Tt22(student) => tt22::evaluate(student).map(Evaluation::Tt22),
        StudentRecord::Tt58(student) => tt58::evaluate(student).map(Evaluation::Tt58),
        StudentRecord::Tt27(student) => tt27::evaluate(student).map(Evaluation::Tt27),
    }
}
