//! Deterministic synthetic students for the benchmark (`hocba bench assessment`) and
//! for property tests. Pure: the same `(n, seed)` always gives the same students.

use crate::outcome::{EvaluateError, Promotion};
use crate::regime::Grade;
use crate::score::Score;
use crate::secondary::{
    CommentedResult, CommentedTerm, Exemptible, ScoredTerm, SubjectGrades, SubjectRecord,
    TermColumns,
};
use crate::tt22::{TrainingInput, TrainingResult, Tt22Evaluation, Tt22Student};

pub use crate::tt22::evaluate;

/// The 11 scored subjects of a grade-10 timetable with their periods per year.
const SCORED_SUBJECTS: [(&str, u16); 11] = [
    ("Toán", 105),
    ("Ngữ văn", 105),
    ("Ngoại ngữ 1", 105),
    ("Lịch sử", 52),
    ("Vật lí", 70),
    ("Hóa học", 70),
    ("Sinh học", 70),
    ("Địa lí", 70),
    ("Tin học", 70),
    ("Công nghệ", 70),
    ("Giáo dục kinh tế và pháp luật", 70),
];

/// The 2 commented subjects.
const COMMENTED_SUBJECTS: [&str; 2] = ["Giáo dục thể chất", "Hoạt động trải nghiệm, hướng nghiệp"];

/// SplitMix64: a tiny, well-mixed deterministic generator (no dependency needed).
struct Generator(u64);

impl Generator {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..bound`.
    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound
    }

    /// A score near `ability` tenths, one decimal, within 0–10.
    fn score_near(&mut self, ability: i64) -> Score {
        let spread = self.below(41) as i64 - 20; // ±2.0
        let tenths = (ability + spread).clamp(0, 100);
        Score::constant(tenths as u8)
    }

    fn training(&mut self) -> TrainingResult {
        match self.below(20) {
            0 => TrainingResult::NotPass,
            1..=3 => TrainingResult::Pass,
            4..=8 => TrainingResult::Fair,
            _ => TrainingResult::Good,
        }
    }

    fn commented(&mut self) -> CommentedResult {
        if self.below(25) == 0 {
            CommentedResult::NotPass
        } else {
            CommentedResult::Pass
        }
    }
}

fn columns(generator: &mut Generator, ability: i64, regular_count: usize) -> TermColumns {
    TermColumns {
        regular: (0..regular_count)
            .map(|_| generator.score_near(ability))
            .collect(),
        midterm: generator.score_near(ability),
        end_of_term: generator.score_near(ability),
    }
}

/// `n` TT22 grade-10 students with 13 subjects (11 scored with every column filled,
/// 2 commented), training results and absences; deterministic in `seed`.
pub fn synthetic_students(n: usize, seed: u64) -> Vec<Tt22Student> {
    let mut generator = Generator(seed);
    let grade = Grade::new(10).unwrap_or_else(|_| unreachable!("10 is a grade"));
    (0..n)
        .map(|_| {
            // Abilities from 3.0 to 9.5 give every learning level.
            let ability = 30 + generator.below(66) as i64;
            let mut subjects: Vec<SubjectRecord> = SCORED_SUBJECTS
                .iter()
                .map(|(name, periods)| {
                    let regular_count = crate::secondary::required_regular_assessments(*periods);
                    let s1 = columns(&mut generator, ability, regular_count);
                    let s2 = columns(&mut generator, ability, regular_count);
                    SubjectRecord {
                        name: (*name).to_owned(),
                        periods_per_year: Some(*periods),
                        grades: SubjectGrades::Scored {
                            s1: Exemptible::Assessed(ScoredTerm::Columns(s1)),
                            s2: Exemptible::Assessed(ScoredTerm::Columns(s2)),
                            retest: None,
                        },
                    }
                })
                .collect();
            for name in COMMENTED_SUBJECTS {
                let s1 = generator.commented();
                let s2 = generator.commented();
                subjects.push(SubjectRecord {
                    name: name.to_owned(),
                    periods_per_year: Some(70),
                    grades: SubjectGrades::Commented {
                        s1: Exemptible::Assessed(CommentedTerm::Result(s1)),
                        s2: Exemptible::Assessed(CommentedTerm::Result(s2)),
                        retest: None,
                    },
                });
            }
            let training = TrainingInput {
                s1: generator.training(),
                s2: generator.training(),
                summer: None,
            };
            // Mostly few absences; about one student in 50 over the limit.
            let absences = if generator.below(50) == 0 {
                46 + generator.below(10)
            } else {
                generator.below(20)
            };
            Tt22Student {
                grade,
                subjects,
                training,
                absences: absences as u16,
            }
        })
        .collect()
}

/// Counts of a batch of evaluations, so a benchmark loop has a result to keep.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BatchSummary {
    /// Students evaluated.
    pub students: usize,
    /// Promoted.
    pub promoted: usize,
    /// Retest pending.
    pub retest: usize,
    /// Summer training pending.
    pub summer_training: usize,
    /// Retained.
    pub retained: usize,
    /// With an award.
    pub awarded: usize,
    /// Reasons produced in total.
    pub reasons: usize,
}

/// Evaluates every student (the benchmark's unit of work).
pub fn evaluate_all(students: &[Tt22Student]) -> Result<BatchSummary, EvaluateError> {
    let mut summary = BatchSummary::default();
    for student in students {
        let evaluation: Tt22Evaluation = evaluate(student)?;
        summary.students += 1;
        match evaluation.promotion {
            Promotion::Promoted => summary.promoted += 1,
            Promotion::Retest => summary.retest += 1,
            Promotion::SummerTraining => summary.summer_training += 1,
            Promotion::Retained => summary.retained += 1,
        }
        summary.awarded += usize::from(evaluation.award.is_some());
        summary.reasons += evaluation.reasons.len();
    }
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_varied() {
        let first = synthetic_students(200, 7);
        assert_eq!(first, synthetic_students(200, 7));
        assert_ne!(first, synthetic_students(200, 8));
        assert!(first.iter().all(|student| student.subjects.len() == 13));
        let summary = evaluate_all(&first).unwrap();
        assert_eq!(summary.students, 200);
        // The generator reaches every outcome.
        assert!(
            summary.promoted > 0
                && summary.retest > 0
                && summary.retained > 0
                && summary.awarded > 0,
            "{summary:?}"
        );
    }
}
