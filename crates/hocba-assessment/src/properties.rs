//! Property tests across the regimes: averages stay in [0, 10], raising one score
//! never lowers a result, and the order of subjects changes nothing.

use proptest::prelude::*;

use crate::fixtures::synthetic_students;
use crate::score::Score;
use crate::secondary::{
    CommentedResult, Exemptible, ScoredTerm, SubjectGrades, SubjectValue, TermColumns,
    semester_subject_average, year_subject_average,
};
use crate::tt22::{self, learning_result};
use crate::tt58::{RankInput, academic_rank, overall_average};

fn score() -> impl Strategy<Value = Score> {
    (0u8..=100).prop_map(Score::constant)
}

fn columns() -> impl Strategy<Value = TermColumns> {
    (prop::collection::vec(score(), 0..6), score(), score()).prop_map(
        |(regular, midterm, end_of_term)| TermColumns {
            regular,
            midterm,
            end_of_term,
        },
    )
}

const NAMES: [&str; 14] = [
    "Toán",
    "Ngữ văn",
    "Ngoại ngữ 1",
    "Lịch sử",
    "Vật lí",
    "Hóa học",
    "Sinh học",
    "Địa lí",
    "Tin học",
    "Công nghệ",
    "GDKT&PL",
    "GDQP-AN",
    "Giáo dục thể chất",
    "Hoạt động trải nghiệm",
];

/// 8–12 scored subject averages and 0–2 commented results.
fn term_values() -> impl Strategy<Value = Vec<(&'static str, SubjectValue)>> {
    (
        prop::collection::vec(score(), 8..=12),
        prop::collection::vec(any::<bool>(), 0..=2),
    )
        .prop_map(|(scored, commented)| {
            let scored = scored
                .into_iter()
                .enumerate()
                .map(|(index, score)| (NAMES[index], SubjectValue::Scored(score)));
            let commented = commented.into_iter().enumerate().map(|(index, pass)| {
                let result = if pass {
                    CommentedResult::Pass
                } else {
                    CommentedResult::NotPass
                };
                (NAMES[12 + index], SubjectValue::Commented(result))
            });
            scored.chain(commented).collect()
        })
}

fn raised(value: SubjectValue, by: u8) -> SubjectValue {
    match value {
        SubjectValue::Scored(score) => SubjectValue::Scored(Score::constant(
            (score.tenths() + u32::from(by)).min(100) as u8,
        )),
        SubjectValue::Commented(_) => SubjectValue::Commented(CommentedResult::Pass),
    }
}

proptest! {
    #[test]
    fn averages_stay_on_the_scale_and_between_their_inputs(columns in columns(), other in score()) {
        let average = semester_subject_average(&columns);
        prop_assert!(average <= Score::TEN);
        let all: Vec<Score> = columns.regular.iter().copied().chain([columns.midterm, columns.end_of_term]).collect();
        prop_assert!(average >= *all.iter().min().unwrap() && average <= *all.iter().max().unwrap());
        let year = year_subject_average(average, other);
        prop_assert!(year >= average.min(other) && year <= average.max(other));
    }

    #[test]
    fn overall_average_stays_on_the_scale(values in term_values()) {
        let overall = overall_average(&values).unwrap();
        prop_assert!(overall <= Score::TEN);
    }

    #[test]
    fn raising_one_subject_never_lowers_the_tt22_learning_result(
        values in term_values(), which in any::<prop::sample::Index>(), by in 1u8..=40,
    ) {
        let index = which.index(values.len());
        let mut better = values.clone();
        better[index].1 = raised(values[index].1, by);
        prop_assert!(learning_result(&better).0.result >= learning_result(&values).0.result);
    }

    #[test]
    fn raising_one_subject_never_lowers_the_tt58_rank(
        values in term_values(), which in any::<prop::sample::Index>(), by in 1u8..=40,
    ) {
        let index = which.index(values.len());
        let mut better = values.clone();
        better[index].1 = raised(values[index].1, by);
        // The overall average is recomputed, as in a real term.
        let rank = |values: &[(&str, SubjectValue)]| {
            let overall = overall_average(values).unwrap();
            academic_rank(&RankInput { overall, values, specialised_subject: None }).rank
        };
        prop_assert!(rank(&better) >= rank(&values));
    }

    #[test]
    fn subject_order_changes_no_result(values in term_values(), seed in any::<u64>()) {
        let mut shuffled = values.clone();
        // A deterministic rotation and reversal derived from the seed.
        let shift = (seed as usize) % shuffled.len();
        shuffled.rotate_left(shift);
        if seed % 2 == 0 {
            shuffled.reverse();
        }
        prop_assert_eq!(learning_result(&shuffled).0.result, learning_result(&values).0.result);
        let overall = overall_average(&values).unwrap();
        prop_assert_eq!(overall_average(&shuffled).unwrap(), overall);
        let rank = |values: &[(&str, SubjectValue)]| academic_rank(&RankInput { overall, values, specialised_subject: None }).rank;
        prop_assert_eq!(rank(&shuffled), rank(&values));
    }

    /// Whole students: raising one raw column score never lowers any learning result,
    /// the award or the promotion.
    #[test]
    fn raising_one_column_never_lowers_a_tt22_student(seed in any::<u64>(), subject in 0usize..11, column in 0usize..6, by in 1u8..=50) {
        let student = synthetic_students(1, seed).remove(0);
        let mut better = student.clone();
        if let SubjectGrades::Scored { s1: Exemptible::Assessed(ScoredTerm::Columns(columns)), .. } = &mut better.subjects[subject].grades {
            let cell = match column {
                0 => &mut columns.midterm,
                1 => &mut columns.end_of_term,
                n => {
                    let len = columns.regular.len();
                    &mut columns.regular[(n - 2) % len]
                }
            };
            *cell = Score::constant((cell.tenths() + u32::from(by)).min(100) as u8);
        }
        let before = tt22::evaluate(&student).unwrap();
        let after = tt22::evaluate(&better).unwrap();
        prop_assert!(after.learning.s1 >= before.learning.s1);
        prop_assert!(after.learning.year >= before.learning.year);
        let award_rank = |award: Option<crate::Award>| match award {
            None => 0,
            Some(crate::Award::GoodStudent) => 1,
            Some(_) => 2,
        };
        prop_assert!(award_rank(after.award) >= award_rank(before.award));
        let promotion_rank = |promotion| match promotion {
            crate::Promotion::Retained => 0,
            crate::Promotion::Retest | crate::Promotion::SummerTraining => 1,
            crate::Promotion::Promoted => 2,
        };
        prop_assert!(promotion_rank(after.promotion) >= promotion_rank(before.promotion));
    }

    /// Whole students: reversing the subject list changes no decision.
    #[test]
    fn subject_order_changes_no_tt22_decision(seed in any::<u64>()) {
        let student = synthetic_students(1, seed).remove(0);
        let mut reversed = student.clone();
        reversed.subjects.reverse();
        let before = tt22::evaluate(&student).unwrap();
        let after = tt22::evaluate(&reversed).unwrap();
        prop_assert_eq!(before.learning, after.learning);
        prop_assert_eq!(before.training, after.training);
        prop_assert_eq!(before.award, after.award);
        prop_assert_eq!(before.promotion, after.promotion);
        let mut names = before.retest_subjects.clone();
        let mut reversed_names = after.retest_subjects.clone();
        names.sort();
        reversed_names.sort();
        prop_assert_eq!(names, reversed_names);
    }
}
