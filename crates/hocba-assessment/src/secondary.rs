//! What TT22/2021 and TT58/2011 as amended by TT26/2020 share: the subject record of
//! lower and upper secondary, the regular-assessment count and the subject averages.
//!
//! TT26/2020 gave TT58 the same columns and coefficients as TT22 (regulations.md
//! §2.1), so one formula serves both regimes; only the cited article differs.

use std::fmt;

use serde::Serialize;

use crate::label::Label;
use crate::reason::{Finding, Reason, Rule};
use crate::regime::{Regime, Term};
use crate::score::{Score, round_half_up};

/// How a subject is assessed (TT22 Điều 5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectMode {
    /// Nhận xét kết hợp điểm số: scored on the 10-point scale.
    Scored,
    /// Đánh giá bằng nhận xét: Đạt / Chưa đạt.
    Commented,
}

/// The kind of an assessment column (glossary: `ColumnKind`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnKind {
    /// Đánh giá thường xuyên (ĐĐGtx), coefficient 1.
    Regular,
    /// Đánh giá giữa kỳ (ĐĐGgk), coefficient 2.
    Midterm,
    /// Đánh giá cuối kỳ (ĐĐGck), coefficient 3.
    Final,
}

impl ColumnKind {
    /// The coefficient of the column in the subject average (TT22 Điều 9 khoản 1).
    pub const fn coefficient(self) -> u64 {
        match self {
            ColumnKind::Regular => 1,
            ColumnKind::Midterm => 2,
            ColumnKind::Final => 3,
        }
    }
}

/// The result of a commented subject: Đạt (Đ) or Chưa đạt (CĐ).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CommentedResult {
    /// Chưa đạt (CĐ). Ordered below `Pass`.
    NotPass,
    /// Đạt (Đ).
    Pass,
}

impl Label for CommentedResult {
    const ALL: &'static [Self] = &[CommentedResult::Pass, CommentedResult::NotPass];

    fn label(self) -> &'static str {
        match self {
            CommentedResult::Pass => "Đạt",
            CommentedResult::NotPass => "Chưa đạt",
        }
    }

    fn aliases(self) -> &'static [&'static str] {
        match self {
            CommentedResult::Pass => &["Đ"],
            CommentedResult::NotPass => &["CĐ"],
        }
    }
}

impl CommentedResult {
    /// The short code printed in gradebooks and the national record: "Đ", "CĐ".
    pub const fn code(self) -> &'static str {
        match self {
            CommentedResult::Pass => "Đ",
            CommentedResult::NotPass => "CĐ",
        }
    }
}

/// A term value that may be "M": the student is exempt (miễn) for that term.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Exemptible<T> {
    /// Assessed normally.
    Assessed(T),
    /// Exempt (miễn học), recorded as "M" in the national data model.
    Exempt,
}

impl<T> Exemptible<T> {
    /// The assessed value, or `None` when exempt.
    pub fn assessed(&self) -> Option<&T> {
        match self {
            Exemptible::Assessed(value) => Some(value),
            Exemptible::Exempt => None,
        }
    }

    /// Applies `f` to an assessed value.
    pub fn map<U>(&self, f: impl FnOnce(&T) -> U) -> Exemptible<U> {
        match self {
            Exemptible::Assessed(value) => Exemptible::Assessed(f(value)),
            Exemptible::Exempt => Exemptible::Exempt,
        }
    }
}

/// The columns of one scored subject in one semester.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TermColumns {
    /// The regular scores (ĐĐGtx), as many as were recorded.
    pub regular: Vec<Score>,
    /// The mid-term score (ĐĐGgk).
    pub midterm: Score,
    /// The end-of-term score (ĐĐGck).
    pub end_of_term: Score,
}

/// A scored subject's semester: raw columns, or an average already computed
/// elsewhere (e.g. copied from a paper transcript).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScoredTerm {
    /// The columns; the library computes the average.
    Columns(TermColumns),
    /// The semester average as given.
    Average(Score),
}

/// The assessments of one commented subject in one semester.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommentedAssessments {
    /// Regular assessments.
    pub regular: Vec<CommentedResult>,
    /// Mid-term assessment.
    pub midterm: CommentedResult,
    /// End-of-term assessment.
    pub end_of_term: CommentedResult,
}

/// A commented subject's semester: the semester result, or its assessments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CommentedTerm {
    /// The semester result as given.
    Result(CommentedResult),
    /// The assessments; the library derives the semester result.
    Assessments(CommentedAssessments),
}

/// A subject's grades for the year. The retest sits inside the mode so a scored
/// subject can only be retested with a score, a commented one only with Đ/CĐ.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SubjectGrades {
    /// A scored subject.
    Scored {
        /// Semester 1.
        s1: Exemptible<ScoredTerm>,
        /// Semester 2.
        s2: Exemptible<ScoredTerm>,
        /// Retest score after the year, if taken.
        retest: Option<Score>,
    },
    /// A commented subject.
    Commented {
        /// Semester 1.
        s1: Exemptible<CommentedTerm>,
        /// Semester 2.
        s2: Exemptible<CommentedTerm>,
        /// Retest result after the year, if taken.
        retest: Option<CommentedResult>,
    },
}

impl SubjectGrades {
    /// Scored or commented.
    pub const fn mode(&self) -> SubjectMode {
        match self {
            SubjectGrades::Scored { .. } => SubjectMode::Scored,
            SubjectGrades::Commented { .. } => SubjectMode::Commented,
        }
    }
}

/// One subject of one student for one school year.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubjectRecord {
    /// Subject name as the school writes it ("Toán", "Giáo dục thể chất").
    pub name: String,
    /// Periods per year (số tiết/năm học), when known; used only to check the number
    /// of regular scores (TT22 Điều 6).
    pub periods_per_year: Option<u16>,
    /// The grades.
    pub grades: SubjectGrades,
}

/// A subject's value in a term: an average or Đ/CĐ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubjectValue {
    /// A scored subject's average.
    Scored(Score),
    /// A commented subject's result.
    Commented(CommentedResult),
}

impl fmt::Display for SubjectValue {
    /// "7.8", "Đ" or "CĐ".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SubjectValue::Scored(score) => write!(f, "{score}"),
            SubjectValue::Commented(result) => f.write_str(result.code()),
        }
    }
}

/// A subject's computed values for S1, S2 and the year.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubjectResults {
    /// Subject name.
    pub name: String,
    /// Semester 1.
    pub s1: Exemptible<SubjectValue>,
    /// Semester 2.
    pub s2: Exemptible<SubjectValue>,
    /// The year, before any retest.
    pub year: Exemptible<SubjectValue>,
    /// The retest result, if taken.
    pub retest: Option<SubjectValue>,
}

impl SubjectResults {
    /// The value for a term.
    pub fn term(&self, term: Term) -> &Exemptible<SubjectValue> {
        match term {
            Term::S1 => &self.s1,
            Term::S2 => &self.s2,
            Term::Year => &self.year,
        }
    }
}

/// Number of regular scores (ĐĐGtx) required per semester for a scored subject, from
/// its periods per year including thematic modules: 35 periods → 2, over 35 up to
/// 70 → 3, over 70 → 4 (TT22 Điều 6; the same tiers in TT26/2020). Fewer than 35
/// periods is read as the lowest tier (regulations.md §1.2, [I]).
pub const fn required_regular_assessments(periods_per_year: u16) -> usize {
    match periods_per_year {
        0..=35 => 2,
        36..=70 => 3,
        _ => 4,
    }
}

/// Regular assessments per semester required for a commented subject: "02 lần"
/// (TT22 Điều 6 as remembered, regulations.md §1.2 [M]). See docs/assessment.md,
/// "Interpretations".
pub const COMMENTED_REGULAR_ASSESSMENTS_PER_SEMESTER: usize = 2;

/// The semester subject average `(ΣTX + 2·GK + 3·CK) / (nTX + 5)`, rounded half up to
/// one decimal in exact arithmetic (TT22 Điều 9 khoản 1; TT58 as amended by TT26).
pub fn semester_subject_average(columns: &TermColumns) -> Score {
    let regular_sum: u64 = columns
        .regular
        .iter()
        .map(|score| u64::from(score.tenths()))
        .sum();
    let numerator = regular_sum * ColumnKind::Regular.coefficient()
        + u64::from(columns.midterm.tenths()) * ColumnKind::Midterm.coefficient()
        + u64::from(columns.end_of_term.tenths()) * ColumnKind::Final.coefficient();
    let denominator = columns.regular.len() as u64
        + ColumnKind::Midterm.coefficient()
        + ColumnKind::Final.coefficient();
    to_score(round_half_up(numerator, denominator))
}

/// The year subject average `(HK1 + 2·HK2) / 3` from the already-rounded semester
/// averages, rounded half up to one decimal (TT22 Điều 9 khoản 1; TT58 likewise).
pub fn year_subject_average(first: Score, second: Score) -> Score {
    let numerator = u64::from(first.tenths()) + 2 * u64::from(second.tenths());
    to_score(round_half_up(numerator, 3))
}

/// A weighted mean of scores never leaves 0..=100 tenths; this keeps the type honest.
fn to_score(tenths: u64) -> Score {
    Score::constant(u8::try_from(tenths.min(100)).unwrap_or(100))
}

/// The formula of a semester average, for the reason sentence: "(32 + 2×7.0 + 3×8.0)/9".
fn formula(columns: &TermColumns) -> String {
    let regular_sum: u32 = columns.regular.iter().map(|score| score.tenths()).sum();
    // The sum of regular scores may exceed 10, so it is printed without `Score`.
    let regular = format!("{}.{}", regular_sum / 10, regular_sum % 10);
    format!(
        "({regular} + 2×{} + 3×{}) / {}",
        columns.midterm,
        columns.end_of_term,
        columns.regular.len() + 5
    )
}

/// Semester result of a commented subject from its assessments.
///
/// TT22 Điều 9 khoản 1 điểm a: Đạt when every required assessment was done and every
/// one is Đạt. TT58 (regulations.md §2.1, [M]): Đạt when the end-of-term assessment is
/// Đạt and at least two thirds of all assessments are Đạt.
pub fn commented_semester_result(
    regime: Regime,
    assessments: &CommentedAssessments,
) -> (CommentedResult, usize, usize) {
    let all: Vec<CommentedResult> = assessments
        .regular
        .iter()
        .copied()
        .chain([assessments.midterm, assessments.end_of_term])
        .collect();
    let not_passed = all
        .iter()
        .filter(|result| **result == CommentedResult::NotPass)
        .count();
    let recorded = assessments.regular.len();
    let required = COMMENTED_REGULAR_ASSESSMENTS_PER_SEMESTER;
    let pass = match regime {
        Regime::Tt58 => {
            let passed = all.len() - not_passed;
            assessments.end_of_term == CommentedResult::Pass && 3 * passed >= 2 * all.len()
        }
        _ => recorded >= required && not_passed == 0,
    };
    let result = if pass {
        CommentedResult::Pass
    } else {
        CommentedResult::NotPass
    };
    (result, recorded, not_passed)
}

/// The year value of a subject exempt in exactly one semester: the value of the
/// semester it was assessed in. Exempt in both semesters: exempt for the year. This
/// is our reading of an open question (regulations.md §1.1, §11.2); see
/// docs/assessment.md, "Interpretations".
pub fn year_value_with_exemption(
    first: &Exemptible<SubjectValue>,
    second: &Exemptible<SubjectValue>,
) -> (Exemptible<SubjectValue>, Option<Term>) {
    match (first, second) {
        (Exemptible::Assessed(first), Exemptible::Assessed(second)) => {
            (Exemptible::Assessed(year_value(*first, *second)), None)
        }
        (Exemptible::Assessed(first), Exemptible::Exempt) => {
            (Exemptible::Assessed(*first), Some(Term::S1))
        }
        (Exemptible::Exempt, Exemptible::Assessed(second)) => {
            (Exemptible::Assessed(*second), Some(Term::S2))
        }
        (Exemptible::Exempt, Exemptible::Exempt) => (Exemptible::Exempt, None),
    }
}

/// Year value from two assessed semesters: `(HK1 + 2·HK2)/3` for a scored subject, the
/// semester 2 result for a commented one (TT22 Điều 9 khoản 1 điểm a).
fn year_value(first: SubjectValue, second: SubjectValue) -> SubjectValue {
    match (first, second) {
        (SubjectValue::Scored(first), SubjectValue::Scored(second)) => {
            SubjectValue::Scored(year_subject_average(first, second))
        }
        (_, second) => second,
    }
}

fn citations(regime: Regime) -> (Rule, Rule, Rule) {
    match regime {
        Regime::Tt58 => (
            Rule::Tt58SubjectAverage,
            Rule::Tt58SubjectAverage,
            Rule::Tt58SubjectAverage,
        ),
        _ => (
            Rule::Tt22SubjectAverage,
            Rule::Tt22CommentedSubject,
            Rule::Tt22Exemption,
        ),
    }
}

/// Computes every subject's S1, S2 and year values, explaining each computation.
pub fn subject_results(
    regime: Regime,
    records: &[SubjectRecord],
    reasons: &mut Vec<Reason>,
) -> Vec<SubjectResults> {
    let (average_rule, commented_rule, exemption_rule) = citations(regime);
    records
        .iter()
        .map(|record| {
            let name = record.name.as_str();
            let mut term_value = |term: Term| -> Exemptible<SubjectValue> {
                match &record.grades {
                    SubjectGrades::Scored { s1, s2, .. } => {
                        let chosen = if term == Term::S1 { s1 } else { s2 };
                        match chosen {
                            Exemptible::Exempt => {
                                reasons.push(Reason::new(
                                    exemption_rule,
                                    Some(term),
                                    Finding::Exempt {
                                        subject: name.to_owned(),
                                    },
                                ));
                                Exemptible::Exempt
                            }
                            Exemptible::Assessed(ScoredTerm::Average(score)) => {
                                Exemptible::Assessed(SubjectValue::Scored(*score))
                            }
                            Exemptible::Assessed(ScoredTerm::Columns(columns)) => {
                                let average = semester_subject_average(columns);
                                if let Some(periods) = record.periods_per_year {
                                    let required = required_regular_assessments(periods);
                                    if columns.regular.len() < required {
                                        reasons.push(Reason::new(
                                            Rule::Tt22RegularAssessmentCount,
                                            Some(term),
                                            Finding::RegularCountBelowRequired {
                                                subject: name.to_owned(),
                                                recorded: columns.regular.len(),
                                                required,
                                                periods_per_year: periods,
                                            },
                                        ));
                                    }
                                }
                                reasons.push(Reason::new(
                                    average_rule,
                                    Some(term),
                                    Finding::SubjectAverage {
                                        subject: name.to_owned(),
                                        formula: formula(columns),
                                        value: average.to_string(),
                                    },
                                ));
                                Exemptible::Assessed(SubjectValue::Scored(average))
                            }
                        }
                    }
                    SubjectGrades::Commented { s1, s2, .. } => {
                        let chosen = if term == Term::S1 { s1 } else { s2 };
                        match chosen {
                            Exemptible::Exempt => {
                                reasons.push(Reason::new(
                                    exemption_rule,
                                    Some(term),
                                    Finding::Exempt {
                                        subject: name.to_owned(),
                                    },
                                ));
                                Exemptible::Exempt
                            }
                            Exemptible::Assessed(CommentedTerm::Result(result)) => {
                                Exemptible::Assessed(SubjectValue::Commented(*result))
                            }
                            Exemptible::Assessed(CommentedTerm::Assessments(assessments)) => {
                                let (result, recorded, not_passed) =
                                    commented_semester_result(regime, assessments);
                                if result == CommentedResult::NotPass {
                                    reasons.push(Reason::new(
                                        commented_rule,
                                        Some(term),
                                        Finding::CommentedNotPass {
                                            subject: name.to_owned(),
                                            recorded,
                                            required: COMMENTED_REGULAR_ASSESSMENTS_PER_SEMESTER,
                                            not_passed,
                                        },
                                    ));
                                }
                                Exemptible::Assessed(SubjectValue::Commented(result))
                            }
                        }
                    }
                }
            };
            let s1 = term_value(Term::S1);
            let s2 = term_value(Term::S2);
            let (year, from) = year_value_with_exemption(&s1, &s2);
            if let Some(from) = from {
                reasons.push(Reason::new(
                    exemption_rule,
                    Some(Term::Year),
                    Finding::YearFromOneSemester {
                        subject: name.to_owned(),
                        from,
                    },
                ));
            }
            let retest = match &record.grades {
                SubjectGrades::Scored { retest, .. } => retest.map(SubjectValue::Scored),
                SubjectGrades::Commented { retest, .. } => retest.map(SubjectValue::Commented),
            };
            SubjectResults {
                name: record.name.clone(),
                s1,
                s2,
                year,
                retest,
            }
        })
        .collect()
}

/// The assessed values of a term, exempt subjects left out (an exempt subject takes
/// no part in that term's classification, regulations.md §1.1).
pub fn assessed_values(results: &[SubjectResults], term: Term) -> Vec<(&str, SubjectValue)> {
    results
        .iter()
        .filter_map(|subject| {
            subject
                .term(term)
                .assessed()
                .map(|value| (subject.name.as_str(), *value))
        })
        .collect()
}

/// Leaves out the retest scores the rules do not allow, each with the reason:
/// all of them when the student is not retested (`student_refusal`, the
/// regime's own rule), and that of any subject not among `candidates` (TT22
/// Điều 13, TT58 Điều 16: only subjects below 5.0 or Chưa đạt are retested).
/// Not an error, so that the calculator's example input evaluates
/// (docs/assessment.md, Interpretations 11).
pub(crate) fn leave_out_refused_retests(
    subjects: &mut [SubjectResults],
    candidates: &[crate::reason::Shortfall],
    student_refusal: Option<String>,
    rule: Rule,
    reasons: &mut Vec<Reason>,
) {
    for subject in subjects
        .iter_mut()
        .filter(|subject| subject.retest.is_some())
    {
        let why = match &student_refusal {
            Some(why) => why.clone(),
            None if candidates
                .iter()
                .any(|candidate| candidate.subject == subject.name) =>
            {
                continue;
            }
            None => format!(
                "môn {} không thuộc diện kiểm tra lại (chỉ các môn có điểm trung bình cả năm dưới 5,0 hoặc đánh giá Chưa đạt)",
                subject.name
            ),
        };
        reasons.push(Reason::new(
            rule,
            Some(Term::Year),
            Finding::RetestIgnored {
                subject: subject.name.clone(),
                why,
            },
        ));
        subject.retest = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score(text: &str) -> Score {
        text.parse().unwrap()
    }

    fn columns(regular: &[&str], midterm: &str, end_of_term: &str) -> TermColumns {
        TermColumns {
            regular: regular.iter().map(|text| score(text)).collect(),
            midterm: score(midterm),
            end_of_term: score(end_of_term),
        }
    }

    /// regulations.md §1.4 and §10 vectors.
    #[test]
    fn semester_and_year_averages_from_the_vectors() {
        let cases = [
            (columns(&["8", "9", "7", "8"], "7", "8"), "7.8"),
            (columns(&["8", "8", "8"], "6", "10"), "8.3"),
            (columns(&["8", "8", "8", "8"], "8", "8"), "8.0"),
        ];
        for (columns, expected) in cases {
            assert_eq!(
                semester_subject_average(&columns).to_string(),
                expected,
                "{columns:?}"
            );
        }
        assert_eq!(
            year_subject_average(score("7.9"), score("8.5")).to_string(),
            "8.3"
        );
        assert_eq!(
            formula(&columns(&["8", "9", "7", "8"], "7", "8")),
            "(32.0 + 2×7.0 + 3×8.0) / 9"
        );
    }

    /// regulations.md §10: periods 35 / 36 / 70 / 71 / 105 → 2 / 3 / 3 / 4 / 4.
    #[test]
    fn regular_assessment_count_tiers() {
        let cases = [
            (35, 2),
            (36, 3),
            (70, 3),
            (71, 4),
            (105, 4),
            (52, 3),
            (140, 4),
        ];
        for (periods, expected) in cases {
            assert_eq!(
                required_regular_assessments(periods),
                expected,
                "{periods} periods"
            );
        }
    }

    #[test]
    fn commented_semester_needs_every_assessment_pass() {
        use CommentedResult::{NotPass, Pass};
        let all_pass = CommentedAssessments {
            regular: vec![Pass, Pass],
            midterm: Pass,
            end_of_term: Pass,
        };
        assert_eq!(commented_semester_result(Regime::Tt22, &all_pass).0, Pass);
        let one_missing = CommentedAssessments {
            regular: vec![Pass],
            midterm: Pass,
            end_of_term: Pass,
        };
        assert_eq!(
            commented_semester_result(Regime::Tt22, &one_missing).0,
            NotPass
        );
        let one_not_pass = CommentedAssessments {
            regular: vec![Pass, NotPass],
            midterm: Pass,
            end_of_term: Pass,
        };
        assert_eq!(
            commented_semester_result(Regime::Tt22, &one_not_pass).0,
            NotPass
        );
        // TT58: two thirds Đ including the end-of-term assessment.
        assert_eq!(
            commented_semester_result(Regime::Tt58, &one_not_pass).0,
            Pass
        );
        let end_not_pass = CommentedAssessments {
            regular: vec![Pass, Pass],
            midterm: Pass,
            end_of_term: NotPass,
        };
        assert_eq!(
            commented_semester_result(Regime::Tt58, &end_not_pass).0,
            NotPass
        );
    }

    #[test]
    fn exemption_in_one_semester_takes_the_other() {
        let value = |text: &str| Exemptible::Assessed(SubjectValue::Scored(score(text)));
        assert_eq!(
            year_value_with_exemption(&Exemptible::Exempt, &value("7.0")),
            (value("7.0"), Some(Term::S2))
        );
        assert_eq!(
            year_value_with_exemption(&value("6.0"), &Exemptible::Exempt),
            (value("6.0"), Some(Term::S1))
        );
        assert_eq!(
            year_value_with_exemption(&Exemptible::Exempt, &Exemptible::Exempt),
            (Exemptible::Exempt, None)
        );
        assert_eq!(
            year_value_with_exemption(&value("7.9"), &value("8.5")),
            (value("8.3"), None)
        );
        let pass = Exemptible::Assessed(SubjectValue::Commented(CommentedResult::Pass));
        let not_pass = Exemptible::Assessed(SubjectValue::Commented(CommentedResult::NotPass));
        assert_eq!(year_value_with_exemption(&pass, &not_pass).0, not_pass);
        assert_eq!(year_value_with_exemption(&not_pass, &pass).0, pass);
    }
}
