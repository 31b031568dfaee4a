//! Grade-12 full-course results for graduation (KQHT toàn khóa; Thông tư 24/2024
//! Điều 44, regulations.md §5): the yearly average of each of grades 10, 11 and 12,
//! and the weighted multi-year average, both to two decimals.

use crate::reason::{Finding, Reason, Rule};
use crate::score::{Score, TwoDecimalScore, round_half_up};

/// Why a full course cannot be computed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FullCourseError {
    /// A grade has no scored subject.
    #[error("grade {0} has no scored subject")]
    NoSubjects(u8),
}

/// The yearly average of a grade: the arithmetic mean of the year averages (ĐTBmcn)
/// of all scored subjects, rounded half up to two decimals (TT24/2024 Điều 44).
pub fn year_overall_average(subject_year_averages: &[Score]) -> Option<TwoDecimalScore> {
    if subject_year_averages.is_empty() {
        return None;
    }
    // Tenths × 10 = hundredths; the mean is rounded once, exactly.
    let hundredths: u64 = subject_year_averages
        .iter()
        .map(|score| u64::from(score.tenths()) * 10)
        .sum();
    Some(TwoDecimalScore::clamped(round_half_up(
        hundredths,
        subject_year_averages.len() as u64,
    )))
}

/// "ĐTB các năm học" = (ĐTB lớp 10 × 1 + ĐTB lớp 11 × 2 + ĐTB lớp 12 × 3) / 6, from the
/// already-rounded yearly averages, rounded half up to two decimals (TT24/2024
/// Điều 44).
pub fn multi_year_average(
    grade_10: TwoDecimalScore,
    grade_11: TwoDecimalScore,
    grade_12: TwoDecimalScore,
) -> TwoDecimalScore {
    let weighted = u64::from(grade_10.hundredths())
        + 2 * u64::from(grade_11.hundredths())
        + 3 * u64::from(grade_12.hundredths());
    // A weighted mean of values ≤ 10.00 is ≤ 10.00.
    TwoDecimalScore::clamped(round_half_up(weighted, 6))
}

/// One grade's input: the year averages of its scored subjects, or the yearly
/// average already computed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GradeYear {
    /// ĐTBmcn of every scored subject of the year.
    SubjectAverages(Vec<Score>),
    /// The yearly average as given (two decimals).
    Average(TwoDecimalScore),
}

/// Grades 10, 11 and 12 of one student.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FullCourse {
    /// Grade 10.
    pub grade_10: GradeYear,
    /// Grade 11.
    pub grade_11: GradeYear,
    /// Grade 12.
    pub grade_12: GradeYear,
}

/// The full-course averages with their reasons.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FullCourseEvaluation {
    /// Yearly averages of grades 10, 11, 12.
    pub years: [TwoDecimalScore; 3],
    /// ĐTB các năm học.
    pub multi_year: TwoDecimalScore,
    /// Why.
    pub reasons: Vec<Reason>,
}

/// Computes the yearly and multi-year averages.
pub fn evaluate(course: &FullCourse) -> Result<FullCourseEvaluation, FullCourseError> {
    let mut reasons = Vec::new();
    let mut years = [TwoDecimalScore::ZERO; 3];
    for (slot, (grade, year)) in years.iter_mut().zip([
        (10, &course.grade_10),
        (11, &course.grade_11),
        (12, &course.grade_12),
    ]) {
        let (value, subjects) = match year {
            GradeYear::Average(value) => (*value, 0),
            GradeYear::SubjectAverages(averages) => (
                year_overall_average(averages).ok_or(FullCourseError::NoSubjects(grade))?,
                averages.len(),
            ),
        };
        if subjects > 0 {
            reasons.push(Reason::new(
                Rule::FullCourseYearAverage,
                None,
                Finding::YearOverallAverage {
                    grade,
                    value: value.to_string(),
                    subjects,
                },
            ));
        }
        *slot = value;
    }
    let multi_year = multi_year_average(years[0], years[1], years[2]);
    reasons.push(Reason::new(
        Rule::FullCourseMultiYearAverage,
        None,
        Finding::MultiYearAverage {
            value: multi_year.to_string(),
        },
    ));
    Ok(FullCourseEvaluation {
        years,
        multi_year,
        reasons,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two(text: &str) -> TwoDecimalScore {
        text.parse().unwrap()
    }

    /// regulations.md §10: 7.00, 8.00, 9.00 → (7 + 16 + 27)/6 = 8.33.
    #[test]
    fn multi_year_vector() {
        assert_eq!(
            multi_year_average(two("7.00"), two("8.00"), two("9.00")).to_string(),
            "8.33"
        );
        assert_eq!(
            multi_year_average(two("6.55"), two("7.05"), two("8.15")).to_string(),
            "7.52"
        );
        assert_eq!(
            multi_year_average(two("10"), two("10"), two("10")).to_string(),
            "10.00"
        );
    }

    #[test]
    fn year_average_to_two_decimals() {
        let scores: Vec<Score> = [
            "8.0", "8.0", "9.2", "7.7", "8.8", "8.2", "9.3", "8.7", "7.8",
        ]
        .iter()
        .map(|text| text.parse().unwrap())
        .collect();
        // 75.7 / 9 = 8.4111… → 8.41
        assert_eq!(year_overall_average(&scores).unwrap().to_string(), "8.41");
        // 8.125 → 8.13 (half up)
        let tie: Vec<Score> = ["8.1", "8.1", "8.2", "8.1"]
            .iter()
            .map(|text| text.parse().unwrap())
            .collect();
        assert_eq!(year_overall_average(&tie).unwrap().to_string(), "8.13");
        assert_eq!(year_overall_average(&[]), None);
    }

    #[test]
    fn evaluates_a_course() {
        let course = FullCourse {
            grade_10: GradeYear::Average(two("7.00")),
            grade_11: GradeYear::Average(two("8.00")),
            grade_12: GradeYear::SubjectAverages(vec!["9".parse().unwrap(); 8]),
        };
        let evaluation = evaluate(&course).unwrap();
        assert_eq!(evaluation.multi_year.to_string(), "8.33");
        assert_eq!(evaluation.reasons.len(), 2);
        let empty = FullCourse {
            grade_12: GradeYear::SubjectAverages(vec![]),
            ..course
        };
        assert_eq!(evaluate(&empty), Err(FullCourseError::NoSubjects(12)));
    }
}
