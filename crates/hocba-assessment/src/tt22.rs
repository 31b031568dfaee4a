//! Thông tư 22/2021/TT-BGDĐT: lower and upper secondary (regulations.md §1).
//!
//! Subject averages are in [`crate::secondary`]; this module holds the learning
//! result (Điều 9 khoản 2–3), the training result (Điều 8), promotion, retest and
//! summer training (Điều 12–14) and awards (Điều 15).

use crate::label::Label;
use crate::outcome::{Award, EvaluateError, Promotion, TermResults};
use crate::reason::{Criterion, Finding, Reason, Rule, Shortfall};
use crate::regime::{Grade, Level, Regime, Term};
use crate::score::Score;
use crate::secondary::{
    CommentedResult, Exemptible, SubjectRecord, SubjectResults, SubjectValue, assessed_values,
    subject_results,
};

/// Learning result, kết quả học tập (TT22 Điều 9). Ordered from lowest to highest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LearningResult {
    /// Chưa đạt.
    NotPass,
    /// Đạt.
    Pass,
    /// Khá.
    Fair,
    /// Tốt.
    Good,
}

/// Training (conduct) result, kết quả rèn luyện (TT22 Điều 8). Same four levels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TrainingResult {
    /// Chưa đạt.
    NotPass,
    /// Đạt.
    Pass,
    /// Khá.
    Fair,
    /// Tốt.
    Good,
}

impl Label for LearningResult {
    const ALL: &'static [Self] = &[Self::Good, Self::Fair, Self::Pass, Self::NotPass];

    fn label(self) -> &'static str {
        four_level_label(self as u8)
    }

    fn aliases(self) -> &'static [&'static str] {
        four_level_aliases(self as u8)
    }
}

impl Label for TrainingResult {
    const ALL: &'static [Self] = &[Self::Good, Self::Fair, Self::Pass, Self::NotPass];

    fn label(self) -> &'static str {
        four_level_label(self as u8)
    }

    fn aliases(self) -> &'static [&'static str] {
        four_level_aliases(self as u8)
    }
}

/// Labels of the four TT22 levels by rank (0 = Chưa đạt … 3 = Tốt).
const fn four_level_label(rank: u8) -> &'static str {
    match rank {
        0 => "Chưa đạt",
        1 => "Đạt",
        2 => "Khá",
        _ => "Tốt",
    }
}

/// The codes of the national data model (T/K/Đ/CĐ) are accepted in input.
const fn four_level_aliases(rank: u8) -> &'static [&'static str] {
    match rank {
        0 => &["CĐ"],
        1 => &["Đ"],
        2 => &["K"],
        _ => &["T"],
    }
}

impl LearningResult {
    /// The next level up, used by the adjustment rule ("mức liền kề").
    const fn one_up(self) -> LearningResult {
        match self {
            LearningResult::NotPass => LearningResult::Pass,
            LearningResult::Pass => LearningResult::Fair,
            LearningResult::Fair | LearningResult::Good => LearningResult::Good,
        }
    }
}

const FIVE: Score = Score::constant(50);
const THREE_FIVE: Score = Score::constant(35);
const SIX_FIVE: Score = Score::constant(65);
const EIGHT: Score = Score::constant(80);
const NINE: Score = Score::constant(90);

/// "có ít nhất 06 môn học": the subject count in the Tốt, Khá and Đạt levels.
const MIN_SUBJECTS_FOR_LEVEL: usize = 6;

/// The absence limit for promotion: "nghỉ không quá 45 buổi" (TT22 Điều 12).
pub const ABSENCE_LIMIT: u16 = 45;

/// The first criterion of `level` that `values` do not meet, or `None` if all are met
/// (TT22 Điều 9 khoản 2, table in regulations.md §1.5).
pub fn unmet_criterion(
    level: LearningResult,
    values: &[(&str, SubjectValue)],
) -> Option<Criterion> {
    let scored = || {
        values.iter().filter_map(|(name, value)| match value {
            SubjectValue::Scored(score) => Some((*name, *score)),
            SubjectValue::Commented(_) => None,
        })
    };
    let not_passed: Vec<Shortfall> = values
        .iter()
        .filter(|(_, value)| *value == SubjectValue::Commented(CommentedResult::NotPass))
        .map(|(name, _)| Shortfall::new(name, CommentedResult::NotPass.code()))
        .collect();
    let below = |threshold: Score| -> Vec<Shortfall> {
        scored()
            .filter(|(_, score)| *score < threshold)
            .map(|(name, score)| Shortfall::new(name, score))
            .collect()
    };
    let count_at_least =
        |threshold: Score| scored().filter(|(_, score)| *score >= threshold).count();
    let (every_at_least, count_threshold) = match level {
        LearningResult::Good => (SIX_FIVE, EIGHT),
        LearningResult::Fair => (FIVE, SIX_FIVE),
        LearningResult::Pass => {
            if not_passed.len() > 1 {
                return Some(Criterion::AtMostCommentedNotPass {
                    allowed: 1,
                    short: not_passed,
                });
            }
            let actual = count_at_least(FIVE);
            if actual < MIN_SUBJECTS_FOR_LEVEL {
                return Some(Criterion::ScoredCountAtLeast {
                    count: MIN_SUBJECTS_FOR_LEVEL,
                    threshold: FIVE,
                    actual,
                });
            }
            let short = below(THREE_FIVE);
            return (!short.is_empty()).then_some(Criterion::NoScoredBelow {
                threshold: THREE_FIVE,
                short,
            });
        }
        LearningResult::NotPass => return None,
    };
    if !not_passed.is_empty() {
        return Some(Criterion::AllCommentedPass { short: not_passed });
    }
    let short = below(every_at_least);
    if !short.is_empty() {
        return Some(Criterion::EveryScoredAtLeast {
            threshold: every_at_least,
            short,
        });
    }
    let actual = count_at_least(count_threshold);
    (actual < MIN_SUBJECTS_FOR_LEVEL).then_some(Criterion::ScoredCountAtLeast {
        count: MIN_SUBJECTS_FOR_LEVEL,
        threshold: count_threshold,
        actual,
    })
}

/// The level of `values` before any adjustment (TT22 Điều 9 khoản 2).
pub fn classify(values: &[(&str, SubjectValue)]) -> LearningResult {
    [
        LearningResult::Good,
        LearningResult::Fair,
        LearningResult::Pass,
    ]
    .into_iter()
    .find(|level| unmet_criterion(*level, values).is_none())
    .unwrap_or(LearningResult::NotPass)
}

/// The value a subject is given when we ask "what if this subject were not the
/// problem?" in the adjustment rule: the top score, or Đạt.
///
/// Interpretation (regulations.md §1.5 and §11.4): the culprit subject is *replaced*
/// by a harmless value, not *removed*; removing it would change the "at least 6
/// subjects" counts. See docs/assessment.md, "Interpretations".
pub const fn harmless_replacement(value: SubjectValue) -> SubjectValue {
    match value {
        SubjectValue::Scored(_) => SubjectValue::Scored(Score::TEN),
        SubjectValue::Commented(_) => SubjectValue::Commented(CommentedResult::Pass),
    }
}

/// A learning result with how it was reached.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LearningDecision {
    /// The final level.
    pub result: LearningResult,
    /// The level before the adjustment.
    pub base: LearningResult,
    /// The single subject that caused a drop of two or more levels, when the
    /// adjustment applied.
    pub adjusted_for: Option<String>,
}

/// The learning result of a term with the single-subject adjustment (TT22 Điều 9
/// khoản 3): if the level falls two or more levels below Tốt or Khá solely because of
/// one subject, it is raised to the adjacent level.
pub fn learning_result(
    values: &[(&str, SubjectValue)],
) -> (LearningDecision, Option<LearningResult>) {
    let base = classify(values);
    let mut candidates = Vec::new();
    let mut trial: Vec<(&str, SubjectValue)> = values.to_vec();
    for index in 0..values.len() {
        let original = trial[index].1;
        trial[index].1 = harmless_replacement(original);
        let would_be = classify(&trial);
        trial[index].1 = original;
        if would_be >= LearningResult::Fair && would_be as u8 >= base as u8 + 2 {
            candidates.push((index, would_be));
        }
    }
    match candidates.as_slice() {
        [(index, would_be)] => (
            LearningDecision {
                result: base.one_up(),
                base,
                adjusted_for: Some(values[*index].0.to_owned()),
            },
            Some(*would_be),
        ),
        _ => (
            LearningDecision {
                result: base,
                base,
                adjusted_for: None,
            },
            None,
        ),
    }
}

/// [`learning_result`] with its reasons appended.
fn explained_learning(
    term: Term,
    values: &[(&str, SubjectValue)],
    reasons: &mut Vec<Reason>,
) -> LearningDecision {
    let (decision, would_be) = learning_result(values);
    reasons.push(Reason::new(
        Rule::Tt22LearningResult,
        Some(term),
        Finding::LevelDecided {
            of: "Kết quả học tập",
            level: decision.base.label(),
        },
    ));
    if decision.base != LearningResult::Good {
        let next = match decision.base {
            LearningResult::NotPass => LearningResult::Pass,
            LearningResult::Pass => LearningResult::Fair,
            _ => LearningResult::Good,
        };
        if let Some(criterion) = unmet_criterion(next, values) {
            reasons.push(Reason::new(
                Rule::Tt22LearningResult,
                Some(term),
                Finding::CriterionShort {
                    level: next.label(),
                    criterion,
                },
            ));
        }
    }
    if let (Some(culprit), Some(would_be)) = (&decision.adjusted_for, would_be) {
        reasons.push(Reason::new(
            Rule::Tt22LearningAdjustment,
            Some(term),
            Finding::Adjusted {
                of: "Kết quả học tập",
                from: decision.base.label(),
                to: decision.result.label(),
                would_be: would_be.label(),
                culprit: culprit.clone(),
            },
        ));
    }
    decision
}

/// Year training result from the two semesters (TT22 Điều 8; the complete table of
/// regulations.md §1.6, row = semester 1, column = semester 2).
pub const fn year_training_result(first: TrainingResult, second: TrainingResult) -> TrainingResult {
    use TrainingResult::{Fair, Good, NotPass, Pass};
    // Columns in the order Tốt, Khá, Đạt, Chưa đạt, as printed in the table.
    const TABLE: [[TrainingResult; 4]; 4] = [
        [Good, Fair, Fair, NotPass], // semester 1 Tốt
        [Good, Fair, Pass, NotPass], // semester 1 Khá
        [Fair, Fair, Pass, NotPass], // semester 1 Đạt
        [Fair, Pass, Pass, NotPass], // semester 1 Chưa đạt
    ];
    const fn position(level: TrainingResult) -> usize {
        3 - level as usize
    }
    TABLE[position(first)][position(second)]
}

/// Training results as entered by the homeroom teacher (TT22 Điều 8: a judgement,
/// no formula), plus the re-evaluation after summer training when there was one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TrainingInput {
    /// Semester 1.
    pub s1: TrainingResult,
    /// Semester 2.
    pub s2: TrainingResult,
    /// Re-evaluation after summer training, if it has taken place.
    pub summer: Option<TrainingResult>,
}

/// One TT22 student-year.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tt22Student {
    /// Grade 6 to 12.
    pub grade: Grade,
    /// Every subject of the year.
    pub subjects: Vec<SubjectRecord>,
    /// Training results.
    pub training: TrainingInput,
    /// Sessions absent in the year, with or without permission (TT22 Điều 12).
    pub absences: u16,
}

/// Everything TT22 decides about one student-year.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tt22Evaluation {
    /// Per-subject S1, S2 and year values.
    pub subjects: Vec<SubjectResults>,
    /// Learning result per term, before any retest.
    pub learning: TermResults<LearningResult>,
    /// Learning result re-evaluated after the retest, if one was taken.
    pub learning_after_retest: Option<LearningResult>,
    /// Training result per term (the year from the table of Điều 8).
    pub training: TermResults<TrainingResult>,
    /// Training result after summer training, if it took place.
    pub training_after_summer: Option<TrainingResult>,
    /// The year award, if any.
    pub award: Option<Award>,
    /// The promotion decision.
    pub promotion: Promotion,
    /// Subjects the student may choose to retest, when a retest is allowed.
    pub retest_subjects: Vec<String>,
    /// Why, in order.
    pub reasons: Vec<Reason>,
}

/// Subjects that may be retested: scored with a year average below 5.0, commented
/// with Chưa đạt (regulations.md §1.7).
fn retest_candidates(subjects: &[SubjectResults]) -> Vec<Shortfall> {
    subjects
        .iter()
        .filter_map(|subject| match subject.year.assessed() {
            Some(SubjectValue::Scored(score)) if *score < FIVE => {
                Some(Shortfall::new(&subject.name, score))
            }
            Some(SubjectValue::Commented(CommentedResult::NotPass)) => Some(Shortfall::new(
                &subject.name,
                CommentedResult::NotPass.code(),
            )),
            _ => None,
        })
        .collect()
}

/// Evaluates one TT22 student-year: averages, learning and training results, award,
/// promotion with retest and summer training.
pub fn evaluate(student: &Tt22Student) -> Result<Tt22Evaluation, EvaluateError> {
    if student.grade.level() == Level::Primary {
        return Err(EvaluateError::GradeOutsideRegime {
            grade: student.grade,
            regime: Regime::Tt22,
        });
    }
    if student.subjects.is_empty() {
        return Err(EvaluateError::NoSubjects);
    }
    let mut reasons = Vec::new();
    let subjects = subject_results(Regime::Tt22, &student.subjects, &mut reasons);

    let mut decide =
        |term| explained_learning(term, &assessed_values(&subjects, term), &mut reasons);
    let learning = TermResults {
        s1: decide(Term::S1).result,
        s2: decide(Term::S2).result,
        year: decide(Term::Year).result,
    };

    let training_year = year_training_result(student.training.s1, student.training.s2);
    reasons.push(Reason::new(
        Rule::Tt22TrainingResult,
        Some(Term::Year),
        Finding::TrainingYear {
            first: student.training.s1.label(),
            second: student.training.s2.label(),
            year: training_year.label(),
        },
    ));
    let training = TermResults {
        s1: student.training.s1,
        s2: student.training.s2,
        year: training_year,
    };

    let award = award(&subjects, learning.year, training.year, &mut reasons);

    let mut evaluation = Tt22Evaluation {
        subjects,
        learning,
        learning_after_retest: None,
        training,
        training_after_summer: None,
        award,
        promotion: Promotion::Promoted,
        retest_subjects: Vec::new(),
        reasons: Vec::new(),
    };
    evaluation.promotion = promotion(student, &mut evaluation, &mut reasons)?;
    reasons.push(Reason::new(
        Rule::Tt22Promotion,
        Some(Term::Year),
        Finding::Outcome {
            outcome: evaluation.promotion.code(),
            label: evaluation.promotion.label(),
        },
    ));
    evaluation.reasons = reasons;
    Ok(evaluation)
}

/// Awards at the end of the year (TT22 Điều 15): "Học sinh Xuất sắc" for training Tốt,
/// learning Tốt and at least 6 subjects with a year average of 9.0 or more; "Học sinh
/// Giỏi" for training Tốt and learning Tốt otherwise. Decided on the end-of-year
/// results, before any retest (see docs/assessment.md, "Interpretations").
pub fn award(
    subjects: &[SubjectResults],
    learning: LearningResult,
    training: TrainingResult,
    reasons: &mut Vec<Reason>,
) -> Option<Award> {
    let year = Some(Term::Year);
    let good_student = Award::GoodStudent.label();
    if training != TrainingResult::Good {
        let criterion = Criterion::ConductAtLeast {
            level: TrainingResult::Good.label(),
            actual: training.label(),
        };
        reasons.push(Reason::new(
            Rule::Tt22Award,
            year,
            Finding::NoAward {
                award: good_student,
                criterion,
            },
        ));
        return None;
    }
    if learning != LearningResult::Good {
        let criterion = Criterion::LearningAtLeast {
            level: LearningResult::Good.label(),
            actual: learning.label(),
        };
        reasons.push(Reason::new(
            Rule::Tt22Award,
            year,
            Finding::NoAward {
                award: good_student,
                criterion,
            },
        ));
        return None;
    }
    let at_least_nine = assessed_values(subjects, Term::Year)
        .iter()
        .filter(|(_, value)| matches!(value, SubjectValue::Scored(score) if *score >= NINE))
        .count();
    let award = if at_least_nine >= MIN_SUBJECTS_FOR_LEVEL {
        Award::ExcellentStudent
    } else {
        let criterion = Criterion::ScoredCountAtLeast {
            count: MIN_SUBJECTS_FOR_LEVEL,
            threshold: NINE,
            actual: at_least_nine,
        };
        reasons.push(Reason::new(
            Rule::Tt22Award,
            year,
            Finding::NoAward {
                award: Award::ExcellentStudent.label(),
                criterion,
            },
        ));
        Award::GoodStudent
    };
    reasons.push(Reason::new(
        Rule::Tt22Award,
        year,
        Finding::Award {
            award: award.label(),
        },
    ));
    Some(award)
}

/// Promotion, retest and summer training (TT22 Điều 12–14, regulations.md §1.7).
fn promotion(
    student: &Tt22Student,
    evaluation: &mut Tt22Evaluation,
    reasons: &mut Vec<Reason>,
) -> Result<Promotion, EvaluateError> {
    let year = Some(Term::Year);
    let learning = evaluation.learning.year;
    let training = evaluation.training.year;
    let candidates = retest_candidates(&evaluation.subjects);
    let retest_allowed = learning == LearningResult::NotPass && training >= TrainingResult::Pass;

    // Retest scores are checked first, so that one given for a subject that is
    // not retested is reported even when the absences alone decide.
    let student_refusal = if learning != LearningResult::NotPass {
        Some(format!(
            "không cần kiểm tra lại vì kết quả học tập cả năm là {}",
            learning.label()
        ))
    } else if training < TrainingResult::Pass {
        Some(format!(
            "không được kiểm tra lại vì kết quả rèn luyện cả năm là {}",
            training.label()
        ))
    } else {
        None
    };
    crate::secondary::leave_out_refused_retests(
        &mut evaluation.subjects,
        &candidates,
        student_refusal,
        Rule::Tt22Retest,
        reasons,
    );
    if student.training.summer.is_some() && training >= TrainingResult::Pass {
        return Err(EvaluateError::SummerTrainingNotRequired {
            what: "training result",
            level: training.label(),
        });
    }

    if student.absences > ABSENCE_LIMIT {
        reasons.push(Reason::new(
            Rule::Tt22Promotion,
            year,
            Finding::AbsencesOverLimit {
                absences: student.absences,
                limit: ABSENCE_LIMIT,
            },
        ));
        return Ok(Promotion::Retained);
    }
    if learning == LearningResult::NotPass && !retest_allowed {
        // Both results Chưa đạt: the retest needs year training Đạt or better.
        reasons.push(Reason::new(
            Rule::Tt22Retest,
            year,
            Finding::RetestNotAllowed {
                conduct: training.label(),
            },
        ));
        return Ok(Promotion::Retained);
    }
    if retest_allowed {
        evaluation.retest_subjects = candidates
            .iter()
            .map(|candidate| candidate.subject.clone())
            .collect();
        reasons.push(Reason::new(
            Rule::Tt22Retest,
            year,
            Finding::RetestEligible {
                subjects: candidates,
            },
        ));
        if evaluation
            .subjects
            .iter()
            .all(|subject| subject.retest.is_none())
        {
            return Ok(Promotion::Retest);
        }
        let after = learning_after_retest(&evaluation.subjects, reasons);
        evaluation.learning_after_retest = Some(after);
        return Ok(if after >= LearningResult::Pass {
            Promotion::Promoted
        } else {
            Promotion::Retained
        });
    }
    if training == TrainingResult::NotPass {
        let summer = student.training.summer;
        evaluation.training_after_summer = summer;
        reasons.push(Reason::new(
            Rule::Tt22SummerTraining,
            year,
            Finding::SummerTraining {
                result: summer.map(Label::label),
            },
        ));
        return Ok(match summer {
            None => Promotion::SummerTraining,
            Some(result) if result >= TrainingResult::Pass => Promotion::Promoted,
            Some(_) => Promotion::Retained,
        });
    }
    Ok(Promotion::Promoted)
}

/// The year learning result after the retest results replace the year values of
/// their subjects (regulations.md §1.7), re-evaluated with Điều 9 including the
/// adjustment.
pub fn learning_after_retest(
    subjects: &[SubjectResults],
    reasons: &mut Vec<Reason>,
) -> LearningResult {
    let year = Some(Term::Year);
    let mut values = Vec::with_capacity(subjects.len());
    for subject in subjects {
        let value = match (&subject.year, subject.retest) {
            (Exemptible::Exempt, _) => continue,
            (Exemptible::Assessed(_), Some(retest)) => {
                reasons.push(Reason::new(
                    Rule::Tt22Retest,
                    year,
                    Finding::RetestApplied {
                        subject: subject.name.clone(),
                        value: retest.to_string(),
                    },
                ));
                retest
            }
            (Exemptible::Assessed(value), None) => *value,
        };
        values.push((subject.name.as_str(), value));
    }
    // Keep only the adjustment, if any: the level itself is reported as AfterRetest.
    let mut explained = Vec::new();
    let decision = explained_learning(Term::Year, &values, &mut explained);
    reasons.extend(
        explained
            .into_iter()
            .filter(|reason| reason.rule == Rule::Tt22LearningAdjustment),
    );
    reasons.push(Reason::new(
        Rule::Tt22Retest,
        year,
        Finding::AfterRetest {
            level: decision.result.label(),
        },
    ));
    decision.result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secondary::{CommentedTerm, ScoredTerm, SubjectGrades};

    const NAMES: [&str; 12] = [
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
    ];
    const COMMENTED: [&str; 4] = [
        "Giáo dục thể chất",
        "Nghệ thuật",
        "Hoạt động trải nghiệm, hướng nghiệp",
        "Nội dung giáo dục của địa phương",
    ];

    fn score(text: &str) -> Score {
        text.parse().unwrap()
    }

    /// Scored subject averages plus commented subjects (true = Đạt).
    fn values(scored: &[&str], commented: &[bool]) -> Vec<(&'static str, SubjectValue)> {
        let scored = scored
            .iter()
            .enumerate()
            .map(|(index, text)| (NAMES[index], SubjectValue::Scored(score(text))));
        let commented = commented.iter().enumerate().map(|(index, pass)| {
            let result = if *pass {
                CommentedResult::Pass
            } else {
                CommentedResult::NotPass
            };
            (COMMENTED[index], SubjectValue::Commented(result))
        });
        scored.chain(commented).collect()
    }

    fn result(scored: &[&str], commented: &[bool]) -> (LearningResult, LearningResult) {
        let (decision, _) = learning_result(&values(scored, commented));
        (decision.base, decision.result)
    }

    use LearningResult::{Fair, Good, NotPass, Pass};

    /// Every adjustment vector of regulations.md §1.5 and §10.
    #[test]
    fn adjustment_vectors() {
        let nine_times_seven = ["9", "9", "9", "9", "9", "9", "9"];
        let with = |last: &'static str| -> Vec<&'static str> {
            nine_times_seven.iter().copied().chain([last]).collect()
        };
        let all_pass = [true, true, true, true];
        assert_eq!(
            result(&with("3.0"), &all_pass),
            (NotPass, Pass),
            "[9×7, 3.0]"
        );
        assert_eq!(result(&with("4.0"), &all_pass), (Pass, Fair), "[9×7, 4.0]");
        assert_eq!(result(&with("6.0"), &all_pass), (Fair, Fair), "[9×7, 6.0]");
        // Scored alone would give Tốt, one commented subject Chưa đạt: Đạt → Khá.
        assert_eq!(result(&with("9"), &[true, false, true, true]), (Pass, Fair));
        // Two commented subjects Chưa đạt: two causes, no adjustment.
        assert_eq!(
            result(&with("9"), &[false, false, true, true]),
            (NotPass, NotPass)
        );
        assert_eq!(
            result(
                &["8.0", "8.0", "8.0", "8.0", "8.0", "8.0", "6.5", "7.0"],
                &all_pass
            ),
            (Good, Good)
        );
        assert_eq!(
            result(
                &["8.0", "8.0", "8.0", "8.0", "8.0", "7", "7", "7"],
                &all_pass
            ),
            (Fair, Fair)
        );
    }

    #[test]
    fn level_boundaries() {
        let all_pass = [true, true];
        // Đạt: at least 6 subjects ≥ 5.0 and none below 3.5.
        assert_eq!(
            result(&["5", "5", "5", "5", "5", "5", "3.5", "3.5"], &all_pass).1,
            Pass
        );
        assert_eq!(
            result(&["5", "5", "5", "5", "5", "4.9", "4.9", "4.9"], &all_pass).1,
            NotPass
        );
        assert_eq!(
            result(&["5", "5", "5", "5", "5", "5", "3.4", "5"], &all_pass).1,
            NotPass
        );
        // Khá: every subject ≥ 5.0 and 6 subjects ≥ 6.5.
        assert_eq!(
            result(
                &["6.5", "6.5", "6.5", "6.5", "6.5", "6.5", "5", "5"],
                &all_pass
            )
            .1,
            Fair
        );
        // Đạt allows at most one commented Chưa đạt.
        assert_eq!(
            classify(&values(&["5", "5", "5", "5", "5", "5"], &[false, true])),
            Pass
        );
    }

    #[test]
    fn reasons_name_the_short_criterion_and_the_culprit() {
        let mut reasons = Vec::new();
        let decision = explained_learning(
            Term::Year,
            &values(&["9", "9", "9", "9", "9", "9", "9", "3.0"], &[true]),
            &mut reasons,
        );
        assert_eq!(decision.adjusted_for.as_deref(), Some("Địa lí"));
        let sentences: Vec<&str> = reasons
            .iter()
            .map(|reason| reason.sentence.as_str())
            .collect();
        assert_eq!(sentences[0], "Kết quả học tập cả năm: Chưa đạt.");
        assert_eq!(
            sentences[1],
            "Chưa đạt mức Đạt cả năm: cần không có môn nào dưới 3.5; dưới 3.5: Địa lí (3.0)."
        );
        assert!(
            sentences[2].contains("từ Chưa đạt lên Đạt"),
            "{}",
            sentences[2]
        );
        assert!(sentences[2].contains("Địa lí"));
        assert!(reasons[2].adjusted);
        assert_eq!(reasons[2].citation, "Thông tư 22/2021, Điều 9 khoản 3");
    }

    /// Every cell of the table in regulations.md §1.6, and the §10 vectors.
    #[test]
    fn training_year_table() {
        use TrainingResult::{Fair as K, Good as T, NotPass as C, Pass as D};
        let table = [
            (T, [T, K, K, C]),
            (K, [T, K, D, C]),
            (D, [K, K, D, C]),
            (C, [K, D, D, C]),
        ];
        for (first, row) in table {
            for (second, expected) in [T, K, D, C].into_iter().zip(row) {
                assert_eq!(
                    year_training_result(first, second),
                    expected,
                    "{first:?} then {second:?}"
                );
            }
        }
        assert_eq!(year_training_result(C, T), K);
        assert_eq!(year_training_result(T, D), K);
        assert_eq!(year_training_result(K, D), D);
        assert_eq!(year_training_result(C, K), D);
    }

    fn scored_subject(name: &str, average: &str, retest: Option<&str>) -> SubjectRecord {
        SubjectRecord {
            name: name.to_owned(),
            periods_per_year: None,
            grades: SubjectGrades::Scored {
                s1: Exemptible::Assessed(ScoredTerm::Average(score(average))),
                s2: Exemptible::Assessed(ScoredTerm::Average(score(average))),
                retest: retest.map(score),
            },
        }
    }

    fn commented_subject(name: &str, pass: bool) -> SubjectRecord {
        let result = if pass {
            CommentedResult::Pass
        } else {
            CommentedResult::NotPass
        };
        SubjectRecord {
            name: name.to_owned(),
            periods_per_year: None,
            grades: SubjectGrades::Commented {
                s1: Exemptible::Assessed(CommentedTerm::Result(result)),
                s2: Exemptible::Assessed(CommentedTerm::Result(result)),
                retest: None,
            },
        }
    }

    fn student(
        averages: &[&str],
        training: (TrainingResult, TrainingResult),
        absences: u16,
    ) -> Tt22Student {
        let mut subjects: Vec<SubjectRecord> = averages
            .iter()
            .enumerate()
            .map(|(index, average)| scored_subject(NAMES[index], average, None))
            .collect();
        subjects.push(commented_subject("Giáo dục thể chất", true));
        Tt22Student {
            grade: Grade::new(10).unwrap(),
            subjects,
            training: TrainingInput {
                s1: training.0,
                s2: training.1,
                summer: None,
            },
            absences,
        }
    }

    const TOP: [&str; 8] = ["9", "9", "9", "9", "9", "9", "8", "8"];

    /// §10: awards.
    #[test]
    fn awards() {
        use TrainingResult as T;
        let excellent = evaluate(&student(&TOP, (T::Good, T::Good), 0)).unwrap();
        assert_eq!(excellent.award, Some(Award::ExcellentStudent));
        let only_five = ["9", "9", "9", "9", "9", "8.9", "8", "8"];
        let good = evaluate(&student(&only_five, (T::Good, T::Good), 0)).unwrap();
        assert_eq!(good.learning.year, Good);
        assert_eq!(good.award, Some(Award::GoodStudent));
        // Training Khá for the year (S1 Tốt, S2 Khá → Khá): no award.
        let fair_conduct = evaluate(&student(&TOP, (T::Good, T::Fair), 0)).unwrap();
        assert_eq!(fair_conduct.training.year, T::Fair);
        assert_eq!(fair_conduct.award, None);
    }

    /// §10: 46 absences mean retention whatever the results.
    #[test]
    fn absences_over_45_retain() {
        use TrainingResult as T;
        assert_eq!(
            evaluate(&student(&TOP, (T::Good, T::Good), 45))
                .unwrap()
                .promotion,
            Promotion::Promoted
        );
        let retained = evaluate(&student(&TOP, (T::Good, T::Good), 46)).unwrap();
        assert_eq!(retained.promotion, Promotion::Retained);
        assert!(retained.reasons.iter().any(|reason| matches!(
            reason.finding,
            Finding::AbsencesOverLimit { absences: 46, .. }
        )));
    }

    /// §10: learning Chưa đạt with training Đạt → retest on subjects < 5.0 and commented CĐ.
    #[test]
    fn retest_eligibility_and_recomputation() {
        use TrainingResult as T;
        let weak = ["9", "9", "4.5", "3.0", "3.2", "6", "6", "6"];
        let mut record = student(&weak, (T::Pass, T::Pass), 3);
        record.subjects.push(commented_subject("Nghệ thuật", false));
        let pending = evaluate(&record).unwrap();
        assert_eq!(pending.learning.year, NotPass);
        assert_eq!(pending.promotion, Promotion::Retest);
        assert_eq!(
            pending.retest_subjects,
            ["Ngoại ngữ 1", "Lịch sử", "Vật lí", "Nghệ thuật"]
        );

        // Retest Lịch sử and Vật lí to 5.0: [9, 9, 4.5, 5, 5, 6, 6, 6] + one CĐ → Đạt.
        record.subjects[3] = scored_subject("Lịch sử", "3.0", Some("5.0"));
        record.subjects[4] = scored_subject("Vật lí", "3.2", Some("5.0"));
        let after = evaluate(&record).unwrap();
        assert_eq!(after.learning_after_retest, Some(Pass));
        assert_eq!(after.promotion, Promotion::Promoted);

        // A retest that does not lift the result: retained.
        record.subjects[3] = scored_subject("Lịch sử", "3.0", Some("3.0"));
        assert_eq!(evaluate(&record).unwrap().promotion, Promotion::Retained);

        // A subject at 6.0 is not retested: its retest score is left out, with the reason.
        record.subjects[5] = scored_subject("Hóa học", "6", Some("9"));
        let evaluation = evaluate(&record).unwrap();
        assert_eq!(evaluation.promotion, Promotion::Retained);
        assert!(evaluation.reasons.iter().any(|reason| matches!(
            &reason.finding,
            Finding::RetestIgnored { subject, .. } if subject == "Hóa học"
        )));
    }

    #[test]
    fn both_results_not_pass_is_retention_and_summer_training_decides() {
        use TrainingResult as T;
        let weak = ["9", "9", "4.5", "3.0", "3.2", "6", "6", "6"];
        assert_eq!(
            evaluate(&student(&weak, (T::NotPass, T::NotPass), 0))
                .unwrap()
                .promotion,
            Promotion::Retained
        );
        let mut record = student(&TOP, (T::Good, T::NotPass), 0);
        assert_eq!(
            evaluate(&record).unwrap().promotion,
            Promotion::SummerTraining
        );
        record.training.summer = Some(T::Pass);
        let after = evaluate(&record).unwrap();
        assert_eq!(after.promotion, Promotion::Promoted);
        assert_eq!(after.training_after_summer, Some(T::Pass));
        record.training.summer = Some(T::NotPass);
        assert_eq!(evaluate(&record).unwrap().promotion, Promotion::Retained);
        let mut fine = student(&TOP, (T::Good, T::Good), 0);
        fine.training.summer = Some(T::Good);
        assert!(matches!(
            evaluate(&fine),
            Err(EvaluateError::SummerTrainingNotRequired { .. })
        ));
    }

    #[test]
    fn exempt_subjects_take_no_part() {
        use TrainingResult as T;
        let mut record = student(&TOP, (T::Good, T::Good), 0);
        record.subjects.push(SubjectRecord {
            name: "Tin học".to_owned(),
            periods_per_year: None,
            grades: SubjectGrades::Scored {
                s1: Exemptible::Exempt,
                s2: Exemptible::Exempt,
                retest: None,
            },
        });
        let evaluation = evaluate(&record).unwrap();
        assert_eq!(evaluation.learning.year, Good);
        assert_eq!(evaluation.subjects.last().unwrap().year, Exemptible::Exempt);
    }

    #[test]
    fn primary_grades_are_refused() {
        let mut record = student(&TOP, (TrainingResult::Good, TrainingResult::Good), 0);
        record.grade = Grade::new(5).unwrap();
        assert!(matches!(
            evaluate(&record),
            Err(EvaluateError::GradeOutsideRegime { .. })
        ));
    }
}
