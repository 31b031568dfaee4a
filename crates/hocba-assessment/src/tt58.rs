//! Thông tư 58/2011/TT-BGDĐT as amended by Thông tư 26/2020/TT-BGDĐT: lower and upper
//! secondary before TT22 reached the grade (regulations.md §2; school years 2020-21
//! to 2023-24).
//!
//! Subject averages use the same formula as TT22 (see [`crate::secondary`]). What
//! differs: an average over all scored subjects, the academic rank Giỏi … Kém with
//! the Toán/Ngữ văn/Ngoại ngữ clause and the downgrade adjustment (Điều 13), conduct
//! ranks Tốt … Yếu, and the titles Học sinh Giỏi / Học sinh Tiên tiến (Điều 18).

use crate::label::{Label, fold};
use crate::outcome::{Award, EvaluateError, Promotion, TermResults};
use crate::reason::{Criterion, Finding, Reason, Rule, Shortfall};
use crate::regime::{Grade, Level, Regime, Term};
use crate::score::{Score, round_half_up};
use crate::secondary::{
    CommentedResult, Exemptible, SubjectRecord, SubjectResults, SubjectValue, assessed_values,
    subject_results,
};

/// Academic rank, học lực (TT58 Điều 13). Ordered from lowest to highest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AcademicRank {
    /// Kém.
    Poor,
    /// Yếu.
    Weak,
    /// Trung bình.
    Average,
    /// Khá.
    Fair,
    /// Giỏi.
    Good,
}

impl Label for AcademicRank {
    const ALL: &'static [Self] = &[
        Self::Good,
        Self::Fair,
        Self::Average,
        Self::Weak,
        Self::Poor,
    ];

    fn label(self) -> &'static str {
        match self {
            AcademicRank::Good => "Giỏi",
            AcademicRank::Fair => "Khá",
            AcademicRank::Average => "Trung bình",
            AcademicRank::Weak => "Yếu",
            AcademicRank::Poor => "Kém",
        }
    }

    fn aliases(self) -> &'static [&'static str] {
        match self {
            AcademicRank::Good => &["G"],
            AcademicRank::Fair => &["K"],
            AcademicRank::Average => &["TB", "Tb"],
            AcademicRank::Weak => &["Y"],
            AcademicRank::Poor => &[],
        }
    }
}

/// Conduct rank, hạnh kiểm (TT58 Điều 11). Ordered from lowest to highest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ConductRank {
    /// Yếu.
    Weak,
    /// Trung bình.
    Average,
    /// Khá.
    Fair,
    /// Tốt.
    Good,
}

impl Label for ConductRank {
    const ALL: &'static [Self] = &[Self::Good, Self::Fair, Self::Average, Self::Weak];

    fn label(self) -> &'static str {
        match self {
            ConductRank::Good => "Tốt",
            ConductRank::Fair => "Khá",
            ConductRank::Average => "Trung bình",
            ConductRank::Weak => "Yếu",
        }
    }

    fn aliases(self) -> &'static [&'static str] {
        match self {
            ConductRank::Good => &["T"],
            ConductRank::Fair => &["K"],
            ConductRank::Average => &["TB", "Tb"],
            ConductRank::Weak => &["Y"],
        }
    }
}

const TWO: Score = Score::constant(20);
const THREE_FIVE: Score = Score::constant(35);
const FIVE: Score = Score::constant(50);
const SIX_FIVE: Score = Score::constant(65);
const EIGHT: Score = Score::constant(80);

/// The absence limit for promotion (TT58 Điều 16: "nghỉ quá 45 buổi").
pub const ABSENCE_LIMIT: u16 = 45;

/// Folded name prefixes of the key subjects of Điều 13 as amended by TT26/2020: "1
/// trong 3 môn Toán, Ngữ văn, Ngoại ngữ" (the original TT58 had Toán and Ngữ văn
/// only). A foreign language may be named by the language. See docs/assessment.md,
/// "Interpretations".
pub const KEY_SUBJECT_PREFIXES: &[&str] = &[
    "toan",
    "ngu van",
    "van",
    "ngoai ngu",
    "tieng anh",
    "tieng phap",
    "tieng nga",
    "tieng trung",
    "tieng nhat",
    "tieng duc",
    "tieng han",
];

/// Whether a subject counts for the Toán / Ngữ văn / Ngoại ngữ clause of Điều 13.
pub fn is_key_subject(name: &str) -> bool {
    let folded = fold(name);
    KEY_SUBJECT_PREFIXES
        .iter()
        .any(|prefix| folded == *prefix || folded.starts_with(&format!("{prefix} ")))
}

/// The average of all scored subjects (ĐTBhk, ĐTBcn): the plain mean, no
/// per-subject coefficient, rounded half up to one decimal (TT58 Điều 12,
/// regulations.md §2.1). `None` when no scored subject was assessed.
pub fn overall_average(values: &[(&str, SubjectValue)]) -> Option<Score> {
    let scored: Vec<u64> = values
        .iter()
        .filter_map(|(_, value)| match value {
            SubjectValue::Scored(score) => Some(u64::from(score.tenths())),
            SubjectValue::Commented(_) => None,
        })
        .collect();
    if scored.is_empty() {
        return None;
    }
    let mean = round_half_up(scored.iter().sum(), scored.len() as u64);
    Score::from_tenths(u32::try_from(mean).unwrap_or(u32::MAX)).ok()
}

/// What the rank of one term is computed from.
#[derive(Clone, Copy, Debug)]
pub struct RankInput<'a> {
    /// ĐTBhk or ĐTBcn.
    pub overall: Score,
    /// The subject values of the term, exempt subjects left out.
    pub values: &'a [(&'a str, SubjectValue)],
    /// The specialised subject (môn chuyên) of a specialised class, if any.
    pub specialised_subject: Option<&'a str>,
}

/// The thresholds of a rank: (overall and key subject, every subject). Yếu and Kém
/// have no key-subject clause.
const fn thresholds(rank: AcademicRank) -> (Score, Score) {
    match rank {
        AcademicRank::Good => (EIGHT, SIX_FIVE),
        AcademicRank::Fair => (SIX_FIVE, FIVE),
        AcademicRank::Average => (FIVE, THREE_FIVE),
        AcademicRank::Weak => (THREE_FIVE, TWO),
        AcademicRank::Poor => (Score::ZERO, Score::ZERO),
    }
}

/// The first criterion of `rank` that the input does not meet (TT58 Điều 13 khoản
/// 1–5 as amended by TT26/2020; regulations.md §2.2).
pub fn unmet_rank_criterion(rank: AcademicRank, input: &RankInput<'_>) -> Option<Criterion> {
    if rank == AcademicRank::Poor {
        return None;
    }
    let (level_threshold, every_threshold) = thresholds(rank);
    if input.overall < level_threshold {
        return Some(Criterion::OverallAverageAtLeast {
            threshold: level_threshold,
            actual: input.overall,
        });
    }
    let scored = || {
        input.values.iter().filter_map(|(name, value)| match value {
            SubjectValue::Scored(score) => Some((*name, *score)),
            SubjectValue::Commented(_) => None,
        })
    };
    let short: Vec<Shortfall> = scored()
        .filter(|(_, score)| *score < every_threshold)
        .map(|(name, score)| Shortfall::new(name, score))
        .collect();
    if rank == AcademicRank::Weak {
        return (!short.is_empty()).then_some(Criterion::NoScoredBelow {
            threshold: every_threshold,
            short,
        });
    }
    if !scored().any(|(name, score)| is_key_subject(name) && score >= level_threshold) {
        return Some(Criterion::KeySubjectAtLeast {
            threshold: level_threshold,
        });
    }
    if let Some(specialised) = input.specialised_subject {
        let reaches = scored()
            .any(|(name, score)| fold(name) == fold(specialised) && score >= level_threshold);
        if !reaches {
            return Some(Criterion::SpecialisedSubjectAtLeast {
                subject: specialised.to_owned(),
                threshold: level_threshold,
            });
        }
    }
    if !short.is_empty() {
        return Some(Criterion::EveryScoredAtLeast {
            threshold: every_threshold,
            short,
        });
    }
    let not_passed: Vec<Shortfall> = input
        .values
        .iter()
        .filter(|(_, value)| *value == SubjectValue::Commented(CommentedResult::NotPass))
        .map(|(name, _)| Shortfall::new(name, CommentedResult::NotPass.code()))
        .collect();
    (!not_passed.is_empty()).then_some(Criterion::AllCommentedPass { short: not_passed })
}

/// The rank before the downgrade adjustment.
pub fn classify_rank(input: &RankInput<'_>) -> AcademicRank {
    [
        AcademicRank::Good,
        AcademicRank::Fair,
        AcademicRank::Average,
        AcademicRank::Weak,
    ]
    .into_iter()
    .find(|rank| unmet_rank_criterion(*rank, input).is_none())
    .unwrap_or(AcademicRank::Poor)
}

/// Điều 13 khoản 6: (rank the average reaches, rank one subject pulled it down to,
/// adjusted rank). Only these four cases are adjusted.
pub const RANK_ADJUSTMENTS: [(AcademicRank, AcademicRank, AcademicRank); 4] = [
    (
        AcademicRank::Good,
        AcademicRank::Average,
        AcademicRank::Fair,
    ),
    (
        AcademicRank::Good,
        AcademicRank::Weak,
        AcademicRank::Average,
    ),
    (
        AcademicRank::Fair,
        AcademicRank::Weak,
        AcademicRank::Average,
    ),
    (AcademicRank::Fair, AcademicRank::Poor, AcademicRank::Weak),
];

/// A rank with how it was reached.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RankDecision {
    /// The final rank.
    pub rank: AcademicRank,
    /// The rank before the adjustment.
    pub base: AcademicRank,
    /// When adjusted: the rank the average reached and the single culprit subject.
    pub adjusted: Option<(AcademicRank, String)>,
}

/// The rank of a term with the downgrade adjustment (Điều 13 khoản 6).
///
/// "Solely because of one subject" is read as in TT22: replacing that one subject by a
/// harmless value (10.0 or Đ; the overall average kept as computed) lifts the rank to
/// the level the average reaches, and no other subject does so. The levels Giỏi then
/// Khá are tried; the first that matches a row of [`RANK_ADJUSTMENTS`] applies.
pub fn academic_rank(input: &RankInput<'_>) -> RankDecision {
    let base = classify_rank(input);
    for reached in [AcademicRank::Good, AcademicRank::Fair] {
        if input.overall < thresholds(reached).0 || base >= reached {
            continue;
        }
        let Some(&(_, _, adjusted)) = RANK_ADJUSTMENTS
            .iter()
            .find(|(from, pulled_to, _)| *from == reached && *pulled_to == base)
        else {
            continue;
        };
        let mut trial: Vec<(&str, SubjectValue)> = input.values.to_vec();
        let mut culprits = Vec::new();
        for index in 0..trial.len() {
            let original = trial[index].1;
            trial[index].1 = crate::tt22::harmless_replacement(original);
            let lifted = classify_rank(&RankInput {
                values: &trial,
                ..*input
            });
            trial[index].1 = original;
            if lifted >= reached {
                culprits.push(index);
            }
        }
        if let [index] = culprits.as_slice() {
            let culprit = input.values[*index].0.to_owned();
            return RankDecision {
                rank: adjusted,
                base,
                adjusted: Some((reached, culprit)),
            };
        }
    }
    RankDecision {
        rank: base,
        base,
        adjusted: None,
    }
}

fn explained_rank(term: Term, input: &RankInput<'_>, reasons: &mut Vec<Reason>) -> RankDecision {
    let decision = academic_rank(input);
    let during = Some(term);
    reasons.push(Reason::new(
        Rule::Tt58AcademicRank,
        during,
        Finding::LevelDecided {
            of: "Học lực",
            level: decision.base.label(),
        },
    ));
    let next = match decision.base {
        AcademicRank::Poor => Some(AcademicRank::Weak),
        AcademicRank::Weak => Some(AcademicRank::Average),
        AcademicRank::Average => Some(AcademicRank::Fair),
        AcademicRank::Fair => Some(AcademicRank::Good),
        AcademicRank::Good => None,
    };
    if let Some(criterion) =
        next.and_then(|next| unmet_rank_criterion(next, input).map(|c| (next, c)))
    {
        reasons.push(Reason::new(
            Rule::Tt58AcademicRank,
            during,
            Finding::CriterionShort {
                level: criterion.0.label(),
                criterion: criterion.1,
            },
        ));
    }
    if let Some((reached, culprit)) = &decision.adjusted {
        reasons.push(Reason::new(
            Rule::Tt58RankAdjustment,
            during,
            Finding::Adjusted {
                of: "Học lực",
                from: decision.base.label(),
                to: decision.rank.label(),
                would_be: reached.label(),
                culprit: culprit.clone(),
            },
        ));
    }
    decision
}

/// Conduct as entered by the homeroom teacher (Điều 11: a judgement, no formula).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConductInput {
    /// Semester 1.
    pub s1: ConductRank,
    /// Semester 2.
    pub s2: ConductRank,
    /// The year, when entered. When absent we take semester 2 (the year rests
    /// "chủ yếu" on semester 2; see docs/assessment.md, "Interpretations").
    pub year: Option<ConductRank>,
    /// Re-evaluation after summer training, if it took place.
    pub summer: Option<ConductRank>,
}

/// One TT58/TT26 student-year.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tt58Student {
    /// Grade 6 to 12.
    pub grade: Grade,
    /// Every subject of the year.
    pub subjects: Vec<SubjectRecord>,
    /// The specialised subject of a specialised class (lớp chuyên), if any.
    pub specialised_subject: Option<String>,
    /// Conduct.
    pub conduct: ConductInput,
    /// Sessions absent in the year.
    pub absences: u16,
}

/// Everything TT58/TT26 decides about one student-year.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tt58Evaluation {
    /// Per-subject S1, S2 and year values.
    pub subjects: Vec<SubjectResults>,
    /// ĐTBhk I, ĐTBhk II and ĐTBcn.
    pub overall: TermResults<Score>,
    /// Academic rank per term, before any retest.
    pub rank: TermResults<AcademicRank>,
    /// Year rank after the retest, if one was taken.
    pub rank_after_retest: Option<AcademicRank>,
    /// Conduct per term.
    pub conduct: TermResults<ConductRank>,
    /// Conduct after summer training, if it took place.
    pub conduct_after_summer: Option<ConductRank>,
    /// Titles per term (TT58 awards them per semester and for the year).
    pub awards: TermResults<Option<Award>>,
    /// The promotion decision.
    pub promotion: Promotion,
    /// Subjects the student may choose to retest.
    pub retest_subjects: Vec<String>,
    /// Why, in order.
    pub reasons: Vec<Reason>,
}

/// Titles (Điều 18): "Học sinh Giỏi" for conduct Tốt and rank Giỏi; "Học sinh Tiên
/// tiến" for conduct Khá or better and rank Khá or better.
pub fn award(rank: AcademicRank, conduct: ConductRank) -> Option<Award> {
    if rank == AcademicRank::Good && conduct == ConductRank::Good {
        Some(Award::GoodStudent)
    } else if rank >= AcademicRank::Fair && conduct >= ConductRank::Fair {
        Some(Award::AdvancedStudent)
    } else {
        None
    }
}

fn explained_award(
    term: Term,
    rank: AcademicRank,
    conduct: ConductRank,
    reasons: &mut Vec<Reason>,
) -> Option<Award> {
    let during = Some(term);
    let award = award(rank, conduct);
    match award {
        Some(award) => reasons.push(Reason::new(
            Rule::Tt58Award,
            during,
            Finding::Award {
                award: award.label(),
            },
        )),
        None => {
            let criterion = if rank < AcademicRank::Fair {
                Criterion::LearningAtLeast {
                    level: AcademicRank::Fair.label(),
                    actual: rank.label(),
                }
            } else {
                Criterion::ConductAtLeast {
                    level: ConductRank::Fair.label(),
                    actual: conduct.label(),
                }
            };
            reasons.push(Reason::new(
                Rule::Tt58Award,
                during,
                Finding::NoAward {
                    award: Award::AdvancedStudent.label(),
                    criterion,
                },
            ));
        }
    }
    award
}

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

/// Evaluates one TT58/TT26 student-year.
pub fn evaluate(student: &Tt58Student) -> Result<Tt58Evaluation, EvaluateError> {
    if student.grade.level() == Level::Primary {
        return Err(EvaluateError::GradeOutsideRegime {
            grade: student.grade,
            regime: Regime::Tt58,
        });
    }
    if student.subjects.is_empty() {
        return Err(EvaluateError::NoSubjects);
    }
    let mut reasons = Vec::new();
    let subjects = subject_results(Regime::Tt58, &student.subjects, &mut reasons);
    let specialised = student.specialised_subject.as_deref();

    let mut term_rank = |term: Term| -> (Score, AcademicRank) {
        let values = assessed_values(&subjects, term);
        let overall = overall_average(&values).unwrap_or(Score::ZERO);
        let count = values
            .iter()
            .filter(|(_, value)| matches!(value, SubjectValue::Scored(_)))
            .count();
        reasons.push(Reason::new(
            Rule::Tt58OverallAverage,
            Some(term),
            Finding::OverallAverage {
                value: overall,
                subjects: count,
            },
        ));
        let input = RankInput {
            overall,
            values: &values,
            specialised_subject: specialised,
        };
        (overall, explained_rank(term, &input, &mut reasons).rank)
    };
    let (overall_s1, rank_s1) = term_rank(Term::S1);
    let (overall_s2, rank_s2) = term_rank(Term::S2);
    let (overall_year, rank_year) = term_rank(Term::Year);

    let conduct_year = match student.conduct.year {
        Some(year) => year,
        None => {
            reasons.push(Reason::new(
                Rule::Tt58Conduct,
                Some(Term::Year),
                Finding::ConductYearFromSecondSemester {
                    year: student.conduct.s2.label(),
                },
            ));
            student.conduct.s2
        }
    };
    let conduct = TermResults {
        s1: student.conduct.s1,
        s2: student.conduct.s2,
        year: conduct_year,
    };
    let rank = TermResults {
        s1: rank_s1,
        s2: rank_s2,
        year: rank_year,
    };
    let awards = TermResults {
        s1: explained_award(Term::S1, rank.s1, conduct.s1, &mut reasons),
        s2: explained_award(Term::S2, rank.s2, conduct.s2, &mut reasons),
        year: explained_award(Term::Year, rank.year, conduct.year, &mut reasons),
    };

    let mut evaluation = Tt58Evaluation {
        subjects,
        overall: TermResults {
            s1: overall_s1,
            s2: overall_s2,
            year: overall_year,
        },
        rank,
        rank_after_retest: None,
        conduct,
        conduct_after_summer: None,
        awards,
        promotion: Promotion::Promoted,
        retest_subjects: Vec::new(),
        reasons: Vec::new(),
    };
    evaluation.promotion = promotion(student, &mut evaluation, &mut reasons)?;
    reasons.push(Reason::new(
        Rule::Tt58Promotion,
        Some(Term::Year),
        Finding::Outcome {
            outcome: evaluation.promotion.code(),
            label: evaluation.promotion.label(),
        },
    ));
    evaluation.reasons = reasons;
    Ok(evaluation)
}

/// Promotion, retest, summer training and retention (TT58 Điều 15–17,
/// regulations.md §2.3).
fn promotion(
    student: &Tt58Student,
    evaluation: &mut Tt58Evaluation,
    reasons: &mut Vec<Reason>,
) -> Result<Promotion, EvaluateError> {
    let year = Some(Term::Year);
    let rank = evaluation.rank.year;
    let conduct = evaluation.conduct.year;
    let candidates = retest_candidates(&evaluation.subjects);
    let retest_allowed = rank == AcademicRank::Weak && conduct >= ConductRank::Average;

    let student_refusal = (!retest_allowed).then(|| {
        format!(
            "chỉ học sinh có học lực Yếu và hạnh kiểm từ Trung bình trở lên mới được kiểm tra lại, học sinh này có học lực {} và hạnh kiểm {}",
            rank.label(),
            conduct.label()
        )
    });
    crate::secondary::leave_out_refused_retests(
        &mut evaluation.subjects,
        &candidates,
        student_refusal,
        Rule::Tt58Retest,
        reasons,
    );
    let summer_required = conduct == ConductRank::Weak && rank >= AcademicRank::Average;
    if student.conduct.summer.is_some() && !summer_required {
        return Err(EvaluateError::SummerTrainingNotRequired {
            what: "conduct",
            level: conduct.label(),
        });
    }

    if student.absences > ABSENCE_LIMIT {
        reasons.push(Reason::new(
            Rule::Tt58Promotion,
            year,
            Finding::AbsencesOverLimit {
                absences: student.absences,
                limit: ABSENCE_LIMIT,
            },
        ));
        return Ok(Promotion::Retained);
    }
    if rank == AcademicRank::Poor {
        return Ok(Promotion::Retained);
    }
    if rank == AcademicRank::Weak && !retest_allowed {
        reasons.push(Reason::new(
            Rule::Tt58Retest,
            year,
            Finding::RetestNotAllowed {
                conduct: conduct.label(),
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
            Rule::Tt58Retest,
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
        let after = rank_after_retest(
            &evaluation.subjects,
            student.specialised_subject.as_deref(),
            reasons,
        );
        evaluation.rank_after_retest = Some(after);
        return Ok(if after >= AcademicRank::Average {
            Promotion::Promoted
        } else {
            Promotion::Retained
        });
    }
    if summer_required {
        let summer = student.conduct.summer;
        evaluation.conduct_after_summer = summer;
        reasons.push(Reason::new(
            Rule::Tt58SummerTraining,
            year,
            Finding::SummerTraining {
                result: summer.map(Label::label),
            },
        ));
        return Ok(match summer {
            None => Promotion::SummerTraining,
            Some(result) if result >= ConductRank::Average => Promotion::Promoted,
            Some(_) => Promotion::Retained,
        });
    }
    Ok(Promotion::Promoted)
}

/// The year rank after retest scores replace the year averages of their subjects
/// and ĐTBcn is recomputed (TT58 Điều 17).
pub fn rank_after_retest(
    subjects: &[SubjectResults],
    specialised_subject: Option<&str>,
    reasons: &mut Vec<Reason>,
) -> AcademicRank {
    let year = Some(Term::Year);
    let mut values = Vec::with_capacity(subjects.len());
    for subject in subjects {
        let value = match (&subject.year, subject.retest) {
            (Exemptible::Exempt, _) => continue,
            (Exemptible::Assessed(_), Some(retest)) => {
                reasons.push(Reason::new(
                    Rule::Tt58Retest,
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
    let overall = overall_average(&values).unwrap_or(Score::ZERO);
    let input = RankInput {
        overall,
        values: &values,
        specialised_subject,
    };
    let mut explained = Vec::new();
    let decision = explained_rank(Term::Year, &input, &mut explained);
    reasons.extend(
        explained
            .into_iter()
            .filter(|reason| reason.rule == Rule::Tt58RankAdjustment),
    );
    reasons.push(Reason::new(
        Rule::Tt58Retest,
        year,
        Finding::AfterRetest {
            level: decision.rank.label(),
        },
    ));
    decision.rank
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secondary::{CommentedTerm, ScoredTerm, SubjectGrades, year_subject_average};

    fn score(text: &str) -> Score {
        text.parse().unwrap()
    }

    /// The nine subjects of the seed 003 tables, in their column order.
    const SEED_SUBJECTS: [&str; 9] = [
        "Toán",
        "Ngữ văn",
        "Vật lý",
        "Hóa học",
        "Sinh học",
        "Lịch sử",
        "Địa lý",
        "GD&DC",
        "Ngoại ngữ",
    ];

    fn scored(names: &[&'static str], averages: &[&str]) -> Vec<(&'static str, SubjectValue)> {
        names
            .iter()
            .zip(averages)
            .map(|(name, text)| (*name, SubjectValue::Scored(score(text))))
            .collect()
    }

    fn rank_of(overall: &str, values: &[(&str, SubjectValue)]) -> RankDecision {
        academic_rank(&RankInput {
            overall: score(overall),
            values,
            specialised_subject: None,
        })
    }

    use AcademicRank::{Average, Fair, Good, Poor, Weak};

    /// regulations.md §10: ĐTBcn 8.2, Toán 8.5, one subject 4.8, all else ≥ 6.5 →
    /// base Trung bình, adjusted Khá.
    #[test]
    fn adjustment_vector_from_section_10() {
        let values = scored(
            &SEED_SUBJECTS,
            &["8.5", "8.0", "4.8", "9", "9", "9", "9", "9", "8.6"],
        );
        let decision = rank_of("8.2", &values);
        assert_eq!((decision.base, decision.rank), (Average, Fair));
        assert_eq!(decision.adjusted, Some((Good, "Vật lý".to_owned())));
    }

    /// Each row of Điều 13 khoản 6 (regulations.md §2.2), and the cases it leaves alone.
    #[test]
    fn downgrade_adjustment_table() {
        let with = |last: &str| {
            scored(
                &SEED_SUBJECTS,
                &["8.5", "8.0", "9", "9", "9", "9", "9", "9", last],
            )
        };
        // Giỏi average pulled to Yếu by one subject at 3.0 → Trung bình.
        let decision = rank_of("8.3", &with("3.0"));
        assert_eq!((decision.base, decision.rank), (Weak, Average));
        // Giỏi average, one subject at 1.5 (Kém): khoản 6 names no Giỏi → Kém row, but
        // the average also reaches Khá, and Khá → Kém is adjusted to Yếu.
        let decision = rank_of("8.0", &with("1.5"));
        assert_eq!((decision.base, decision.rank), (Poor, Weak));
        // Khá average pulled to Yếu → Trung bình.
        let fair = |last: &str| {
            scored(
                &SEED_SUBJECTS,
                &["7", "7", "7", "7", "7", "7", "7", "7", last],
            )
        };
        let decision = rank_of("6.7", &fair("3.0"));
        assert_eq!((decision.base, decision.rank), (Weak, Average));
        // Khá average pulled to Kém → Yếu.
        let decision = rank_of("6.5", &fair("1.0"));
        assert_eq!((decision.base, decision.rank), (Poor, Weak));
        // Khá average pulled to Trung bình: one level, not adjusted.
        let decision = rank_of("6.8", &fair("4.0"));
        assert_eq!((decision.base, decision.rank), (Average, Average));
        // Giỏi average pulled to Khá: not adjusted.
        let decision = rank_of("8.3", &with("6.0"));
        assert_eq!((decision.base, decision.rank), (Fair, Fair));
        // Two subjects below: not "duy nhất một môn", not adjusted.
        let two = scored(
            &SEED_SUBJECTS,
            &["8.5", "8.0", "9", "9", "9", "9", "9", "3.0", "3.0"],
        );
        let decision = rank_of("8.0", &two);
        assert_eq!((decision.base, decision.rank), (Weak, Weak));
    }

    #[test]
    fn key_subject_clause_as_amended_by_tt26() {
        // Toán 7.6 and Ngữ văn 6.9, but Ngoại ngữ 8.9: Giỏi under TT26's "1 trong 3 môn".
        let values = scored(
            &SEED_SUBJECTS,
            &[
                "7.6", "6.9", "8.8", "8.5", "8.9", "8.8", "8.8", "8.9", "8.9",
            ],
        );
        assert_eq!(
            classify_rank(&RankInput {
                overall: score("8.8"),
                values: &values,
                specialised_subject: None
            }),
            Good
        );
        assert!(is_key_subject("Tiếng Anh"));
        assert!(is_key_subject("Ngoại ngữ 1"));
        assert!(is_key_subject("NGỮ VĂN"));
        assert!(!is_key_subject("Toán học ứng dụng và Tin") || is_key_subject("Toán"));
        assert!(!is_key_subject("Vật lý"));
        // Without any key subject at 8.0, an 8.5 average with every subject ≥ 6.5 is Khá.
        let no_key = scored(
            &SEED_SUBJECTS,
            &["7.9", "7.9", "9", "9", "9", "9", "9", "9", "7.9"],
        );
        let decision = rank_of("8.5", &no_key);
        assert_eq!(decision.rank, Fair);
        // A specialised class also needs the specialised subject at the threshold.
        let input = RankInput {
            overall: score("8.8"),
            values: &values,
            specialised_subject: Some("Vật lý"),
        };
        assert_eq!(classify_rank(&input), Good);
        let input = RankInput {
            overall: score("8.8"),
            values: &values,
            specialised_subject: Some("Toán"),
        };
        assert_eq!(classify_rank(&input), Fair);
    }

    #[test]
    fn commented_subject_not_pass_caps_at_yeu() {
        let mut values = scored(&SEED_SUBJECTS, &["9"; 9]);
        values.push(("Thể dục", SubjectValue::Commented(CommentedResult::NotPass)));
        let decision = rank_of("9.0", &values);
        // Giỏi average, one commented CĐ: base Yếu, adjusted Trung bình.
        assert_eq!((decision.base, decision.rank), (Weak, Average));
    }

    #[test]
    fn overall_average_is_the_plain_mean() {
        let values = scored(&SEED_SUBJECTS[..3], &["8", "8", "8.5"]);
        assert_eq!(overall_average(&values), Some(score("8.2")));
        assert_eq!(overall_average(&[]), None);
    }

    /// Seed 003, table "Nhập kết quả học tập cho học sinh lớp 12" (5 students), and
    /// the two per-student tables: every year average is (HK1 + 2·HK2)/3 rounded.
    #[test]
    fn seed_003_year_averages() {
        // (HK1, HK2, CN) triples, row by row, in the seed's column order.
        let triples: &[[&str; 3]] = &[
            // Student 1: Toán … Ngoại ngữ.
            ["6.5", "8.7", "8.0"],
            ["7.3", "8.4", "8.0"],
            ["8.3", "9.6", "9.2"],
            ["7.5", "7.8", "7.7"],
            ["8.9", "8.8", "8.8"],
            ["8.9", "7.9", "8.2"],
            ["8.8", "9.6", "9.3"],
            ["8.3", "8.9", "8.7"],
            ["8.0", "7.7", "7.8"],
            // Student 2.
            ["4.0", "7.0", "6.0"],
            ["6.5", "7.2", "7.0"],
            ["4.5", "5.2", "5.0"],
            ["6.2", "5.6", "5.8"],
            ["6.1", "7.9", "7.3"],
            ["7.6", "7.4", "7.5"],
            ["7.1", "7.7", "7.5"],
            ["6.1", "7.9", "7.3"],
            ["6.8", "6.5", "6.6"],
            // Student 3.
            ["8.3", "9.2", "8.9"],
            ["7.6", "7.5", "7.5"],
            ["8.6", "9.0", "8.9"],
            ["7.9", "7.8", "7.8"],
            ["7.1", "7.4", "7.3"],
            ["7.1", "8.2", "7.8"],
            ["8.6", "8.5", "8.5"],
            ["7.8", "7.6", "7.7"],
            ["8.0", "7.6", "7.7"],
            // Student 4.
            ["5.9", "8.4", "7.6"],
            ["6.7", "7.9", "7.5"],
            ["6.3", "7.3", "7.0"],
            ["7.5", "7.3", "7.4"],
            ["9.5", "7.2", "8.0"],
            ["6.6", "7.7", "7.3"],
            ["8.4", "8.3", "8.3"],
            ["7.5", "7.7", "7.6"],
            ["6.1", "6.5", "6.4"],
            // Student 5.
            ["5.7", "8.9", "7.8"],
            ["8.0", "8.3", "8.2"],
            ["5.5", "8.2", "7.3"],
            ["6.9", "7.0", "7.0"],
            ["6.3", "8.2", "7.6"],
            ["8.3", "7.6", "7.8"],
            ["8.9", "7.7", "8.1"],
            ["7.7", "6.6", "7.0"],
            ["7.5", "7.4", "7.4"],
            // Per-student table (12A1): grade 10 and grade 11, Toán … Ngoại ngữ, then
            // "Trung bình môn".
            ["7.3", "7.0", "7.1"],
            ["5.0", "7.4", "6.6"],
            ["7.1", "6.0", "6.4"],
            ["7.2", "7.0", "7.1"],
            ["6.6", "7.4", "7.1"],
            ["6.1", "6.0", "6.0"],
            ["6.9", "6.1", "6.4"],
            ["6.4", "6.6", "6.5"],
            ["7.4", "7.9", "7.7"],
            ["8.8", "8.1", "8.3"],
            ["8.0", "7.9", "7.9"],
            ["8.4", "8.5", "8.5"],
            ["6.9", "6.7", "6.8"],
            ["6.6", "7.6", "7.3"],
            ["8.4", "7.9", "8.1"],
            ["7.4", "8.6", "8.2"],
            ["6.1", "7.1", "6.8"],
            ["7.6", "7.0", "7.2"],
            ["7.4", "7.5", "7.5"],
            ["7.4", "7.7", "7.6"],
            // Per-student table (12A3): grade 10 and grade 11.
            ["7.9", "8.1", "8.0"],
            ["6.8", "8.4", "7.9"],
            ["6.7", "6.9", "6.8"],
            ["7.0", "7.0", "7.0"],
            ["6.9", "6.2", "6.4"],
            ["4.2", "6.8", "5.9"],
            ["7.0", "6.6", "6.7"],
            ["6.5", "7.5", "7.2"],
            ["7.3", "7.1", "7.2"],
            ["5.9", "7.5", "7.0"],
            ["5.8", "5.9", "5.9"],
            ["7.9", "7.7", "7.8"],
            ["7.1", "7.8", "7.6"],
            ["7.9", "6.5", "7.0"],
            ["5.9", "7.8", "7.2"],
            ["7.1", "8.2", "7.8"],
            ["5.8", "5.7", "5.7"],
            ["6.8", "6.7", "6.7"],
            // Excel upload sample ("Cách 2"), rows 3, 5 and 6, and the consistent
            // cells of rows 2 and 4 (see the next test for the others).
            ["8.5", "8.7", "8.6"],
            ["8.3", "8.2", "8.2"],
            ["9.1", "9.0", "9.0"],
            ["8.9", "8.0", "8.3"],
            ["9.1", "8.6", "8.8"],
            ["9.2", "8.6", "8.8"],
            ["8.3", "8.8", "8.6"],
            ["8.4", "9.4", "9.1"],
            ["8.6", "8.6", "8.6"],
            ["7.4", "7.3", "7.3"],
            ["8.8", "9.6", "9.3"],
            ["8.7", "8.2", "8.4"],
            ["9.3", "9.4", "9.4"],
            ["8.7", "8.4", "8.5"],
            ["8.4", "9.1", "8.9"],
            ["8.4", "9.1", "8.9"],
            ["7.9", "8.5", "8.3"],
            ["7.8", "8.1", "8.0"],
            ["8.6", "8.3", "8.4"],
            ["9.2", "8.9", "9.0"],
            ["9.4", "9.1", "9.2"],
            ["8.5", "8.4", "8.4"],
            ["7.8", "8.9", "8.5"],
            ["9.1", "8.9", "9.0"],
            ["5.8", "5.5", "5.6"],
            ["7.7", "7.9", "7.8"],
            ["7.5", "8.2", "8.0"],
            ["7.1", "8.0", "7.7"],
        ];
        for [first, second, year] in triples {
            assert_eq!(
                year_subject_average(score(first), score(second)).to_string(),
                *year,
                "{first}, {second}"
            );
        }
    }

    /// Seed 003, the Excel upload sample ("Cách 2"): rows 1 and 2, the shifted cells of
    /// row 4 (one cell is missing in the seed, so later columns slide) and the
    /// Ngoại ngữ of rows 1 and 6 hold placeholder numbers that no average produces
    /// (e.g. Toán 8.5 and 9.4 with a year of 6.9, outside both semesters). We keep
    /// them here so every row is held, asserting they are not computed values.
    #[test]
    fn seed_003_excel_sample_cells_are_placeholders() {
        let placeholders: &[[&str; 3]] = &[
            ["8.5", "9.4", "6.9"],
            ["7.4", "8.2", "8.6"],
            ["8.3", "8.5", "8.2"],
            ["9.6", "8.5", "7.9"],
            ["9.8", "5.0", "8.6"],
            ["9.3", "6.4", "6.3"],
            ["8.8", "9.9", "9.8"],
            ["9.7", "8.7", "8.5"],
            ["8.2", "9.3", "8.7"],
            ["8.6", "7.0", "8.0"],
            ["7.7", "7.1", "8.1"],
            ["7.8", "7.2", "8.2"],
            ["9.0", "7.3", "8.3"],
            ["9.2", "7.4", "8.4"],
            ["9.3", "7.5", "8.5"],
            ["9.1", "7.6", "8.6"],
            ["9.3", "7.7", "8.7"],
            ["8.9", "9.0", "9.1"],
            ["9.3", "9.2", "8.6"],
            ["8.2", "8.3", "8.1"],
            ["9.2", "8.8", "9.4"],
            ["8.3", "8.9", "8.4"],
        ];
        for [first, second, printed] in placeholders {
            assert_ne!(
                year_subject_average(score(first), score(second)).to_string(),
                *printed,
                "{first}, {second}"
            );
        }
    }

    /// Seed 003: học lực per term from "Trung bình môn" and the nine subject averages.
    /// The "Trung bình môn" of the seed includes subjects the table does not show
    /// (it exceeds the mean of the nine), so it is taken as given.
    #[test]
    fn seed_003_ranks() {
        // (overall, nine subject averages, printed rank)
        let rows: &[(&str, [&str; 9], &str)] = &[
            (
                "8.3",
                [
                    "6.5", "7.3", "8.3", "7.5", "8.9", "8.9", "8.8", "8.3", "8.0",
                ],
                "G",
            ),
            (
                "8.8",
                [
                    "8.7", "8.4", "9.6", "7.8", "8.8", "7.9", "9.6", "8.9", "7.7",
                ],
                "G",
            ),
            (
                "6.7",
                [
                    "4.0", "6.5", "4.5", "6.2", "6.1", "7.6", "7.1", "6.1", "6.8",
                ],
                "TB",
            ),
            (
                "7.3",
                [
                    "7.0", "7.2", "5.2", "5.6", "7.9", "7.4", "7.7", "7.9", "6.5",
                ],
                "K",
            ),
            (
                "7.1",
                [
                    "6.0", "7.0", "5.0", "5.8", "7.3", "7.5", "7.5", "7.3", "6.6",
                ],
                "K",
            ),
            (
                "8.1",
                [
                    "8.3", "7.6", "8.6", "7.9", "7.1", "7.1", "8.6", "7.8", "8.0",
                ],
                "G",
            ),
            (
                "8.3",
                [
                    "9.2", "7.5", "9.0", "7.8", "7.4", "8.2", "8.5", "7.6", "7.6",
                ],
                "G",
            ),
            (
                "7.4",
                [
                    "5.9", "6.7", "6.3", "7.5", "9.5", "6.6", "8.4", "7.5", "6.1",
                ],
                "K",
            ),
            (
                "7.8",
                [
                    "8.4", "7.9", "7.3", "7.3", "7.2", "7.7", "8.3", "7.7", "6.5",
                ],
                "K",
            ),
            (
                "7.7",
                [
                    "7.6", "7.5", "7.0", "7.4", "8.0", "7.3", "8.3", "7.6", "6.4",
                ],
                "K",
            ),
            (
                "7.5",
                [
                    "5.7", "8.0", "5.5", "6.9", "6.3", "8.3", "8.9", "7.7", "7.5",
                ],
                "K",
            ),
            (
                "8.0",
                [
                    "8.9", "8.3", "8.2", "7.0", "8.2", "7.6", "7.7", "6.6", "7.4",
                ],
                "G",
            ),
            (
                "7.9",
                [
                    "7.8", "8.2", "7.3", "7.0", "7.6", "7.8", "8.1", "7.0", "7.4",
                ],
                "K",
            ),
            // Per-student table (12A1): grade 10 S1, S2, year; grade 11; grade 12 S1.
            (
                "7.4",
                [
                    "7.3", "7.1", "6.6", "6.9", "7.4", "8.0", "6.9", "8.4", "6.1",
                ],
                "K",
            ),
            (
                "7.5",
                [
                    "7.0", "6.0", "7.4", "6.1", "7.9", "7.9", "6.7", "7.9", "7.1",
                ],
                "K",
            ),
            (
                "7.5",
                [
                    "7.1", "6.4", "7.1", "6.4", "7.7", "7.9", "6.8", "8.1", "6.8",
                ],
                "K",
            ),
            (
                "7.4",
                [
                    "5.0", "7.2", "6.1", "6.4", "8.8", "8.4", "6.6", "7.4", "7.6",
                ],
                "K",
            ),
            (
                "7.7",
                [
                    "7.4", "7.0", "6.0", "6.6", "8.1", "8.5", "7.6", "8.6", "7.0",
                ],
                "K",
            ),
            (
                "7.6",
                [
                    "6.6", "7.1", "6.0", "6.5", "8.3", "8.5", "7.3", "8.2", "7.2",
                ],
                "K",
            ),
            // Giỏi only through Ngoại ngữ 8.9: the TT26 wording of the key-subject clause.
            (
                "8.8",
                [
                    "7.6", "6.9", "8.8", "8.5", "8.9", "8.8", "8.8", "8.9", "8.9",
                ],
                "G",
            ),
        ];
        for (overall, averages, printed) in rows {
            let values = scored(&SEED_SUBJECTS, averages);
            let expected = AcademicRank::from_label(printed).unwrap();
            assert_eq!(
                rank_of(overall, &values).rank,
                expected,
                "{overall} {averages:?}"
            );
        }
    }

    /// Seed 003, the year học lực of students 1 and 3 of the first table disagree with
    /// Điều 13 as printed: student 1's is "T" (not a học lực at all) and student 3's is
    /// "K" though ĐTBcn 8.2, Toán 8.9 and every subject ≥ 7.3 make Giỏi, and both
    /// semesters were Giỏi. We hold the rows and assert what the rule gives.
    #[test]
    fn seed_003_rank_rows_that_contradict_the_rule() {
        let student_1 = scored(
            &SEED_SUBJECTS,
            &[
                "8.0", "8.0", "9.2", "7.7", "8.8", "8.2", "9.3", "8.7", "7.8",
            ],
        );
        assert_eq!(AcademicRank::from_label("T"), None);
        assert_eq!(rank_of("8.6", &student_1).rank, Good);
        let student_3 = scored(
            &SEED_SUBJECTS,
            &[
                "8.9", "7.5", "8.9", "7.8", "7.3", "7.8", "8.5", "7.7", "7.7",
            ],
        );
        assert_ne!(
            rank_of("8.2", &student_3).rank,
            AcademicRank::from_label("K").unwrap()
        );
        assert_eq!(rank_of("8.2", &student_3).rank, Good);
    }

    fn record(name: &str, average: &str, retest: Option<&str>) -> SubjectRecord {
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

    fn student(averages: [&str; 9], conduct: ConductRank, absences: u16) -> Tt58Student {
        let mut subjects: Vec<SubjectRecord> = SEED_SUBJECTS
            .iter()
            .zip(averages)
            .map(|(name, average)| record(name, average, None))
            .collect();
        subjects.push(SubjectRecord {
            name: "Thể dục".to_owned(),
            periods_per_year: None,
            grades: SubjectGrades::Commented {
                s1: Exemptible::Assessed(CommentedTerm::Result(CommentedResult::Pass)),
                s2: Exemptible::Assessed(CommentedTerm::Result(CommentedResult::Pass)),
                retest: None,
            },
        });
        Tt58Student {
            grade: Grade::new(11).unwrap(),
            subjects,
            specialised_subject: None,
            conduct: ConductInput {
                s1: conduct,
                s2: conduct,
                year: None,
                summer: None,
            },
            absences,
        }
    }

    #[test]
    fn awards_and_promotion() {
        let good = evaluate(&student(
            ["8.5", "8", "8", "8", "8", "8", "8", "8", "8"],
            ConductRank::Good,
            0,
        ))
        .unwrap();
        assert_eq!(good.rank.year, Good);
        assert_eq!(good.awards.year, Some(Award::GoodStudent));
        assert_eq!(good.promotion, Promotion::Promoted);
        let advanced = evaluate(&student(
            ["8.5", "8", "8", "8", "8", "8", "8", "8", "8"],
            ConductRank::Fair,
            0,
        ))
        .unwrap();
        assert_eq!(advanced.awards.year, Some(Award::AdvancedStudent));
        let average = evaluate(&student(
            ["6", "6", "6", "6", "6", "6", "6", "6", "6"],
            ConductRank::Good,
            0,
        ))
        .unwrap();
        assert_eq!((average.rank.year, average.awards.year), (Average, None));
        let absent = evaluate(&student(
            ["8.5", "8", "8", "8", "8", "8", "8", "8", "8"],
            ConductRank::Good,
            46,
        ))
        .unwrap();
        assert_eq!(absent.promotion, Promotion::Retained);
        assert!(absent.reasons.iter().any(|reason| matches!(
            reason.finding,
            Finding::ConductYearFromSecondSemester { .. }
        )));
    }

    #[test]
    fn retest_summer_training_and_retention() {
        let weak_marks = ["6", "6", "3", "3", "6", "6", "6", "6", "6"];
        let mut weak = student(weak_marks, ConductRank::Average, 0);
        let pending = evaluate(&weak).unwrap();
        assert_eq!(pending.rank.year, Weak);
        assert_eq!(pending.promotion, Promotion::Retest);
        assert_eq!(pending.retest_subjects, ["Vật lý", "Hóa học"]);
        weak.subjects[2] = record("Vật lý", "3", Some("5"));
        weak.subjects[3] = record("Hóa học", "3", Some("5.5"));
        let after = evaluate(&weak).unwrap();
        assert_eq!(after.rank_after_retest, Some(Average));
        assert_eq!(after.promotion, Promotion::Promoted);
        // Yếu with conduct Yếu: retained.
        assert_eq!(
            evaluate(&student(weak_marks, ConductRank::Weak, 0))
                .unwrap()
                .promotion,
            Promotion::Retained
        );
        // Kém: retained.
        let poor = ["6", "6", "1", "1", "6", "6", "6", "6", "6"];
        assert_eq!(
            evaluate(&student(poor, ConductRank::Good, 0))
                .unwrap()
                .rank
                .year,
            Poor
        );
        // Conduct Yếu with rank ≥ Trung bình: summer training.
        let mut summer = student(["7"; 9], ConductRank::Weak, 0);
        assert_eq!(
            evaluate(&summer).unwrap().promotion,
            Promotion::SummerTraining
        );
        summer.conduct.summer = Some(ConductRank::Average);
        assert_eq!(evaluate(&summer).unwrap().promotion, Promotion::Promoted);
        summer.conduct.summer = Some(ConductRank::Weak);
        assert_eq!(evaluate(&summer).unwrap().promotion, Promotion::Retained);
    }
}
