//! Thông tư 27/2020/TT-BGDĐT: primary (regulations.md §3).
//!
//! At four milestones (giữa học kỳ I, cuối học kỳ I, giữa học kỳ II, cuối năm học)
//! each subject is rated Hoàn thành tốt / Hoàn thành / Chưa hoàn thành, and the 5
//! qualities and 10 competencies Tốt / Đạt / Cần cố gắng (Điều 7). Periodic tests are
//! scored as integers 0–10 on the subjects and milestones Điều 7 khoản 1 điểm b names.
//! At the end of the year the homeroom teacher sums up the education result (Điều 8
//! as regulations.md §3.4 numbers it).

use std::fmt;

use crate::label::{Label, fold};
use crate::outcome::{Award, EvaluateError};
use crate::reason::{Criterion, Finding, Reason, Rule, Shortfall};
use crate::regime::{Grade, Level, Regime};
use crate::secondary::Exemptible;

/// A reporting milestone of primary (glossary: `period`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Period {
    /// Giữa học kỳ I.
    MidS1,
    /// Cuối học kỳ I.
    EndS1,
    /// Giữa học kỳ II.
    MidS2,
    /// Cuối năm học.
    EndOfYear,
}

impl Period {
    /// The four milestones in order.
    pub const ALL: [Period; 4] = [
        Period::MidS1,
        Period::EndS1,
        Period::MidS2,
        Period::EndOfYear,
    ];

    /// The key of the JSON format.
    pub const fn key(self) -> &'static str {
        match self {
            Period::MidS1 => "mid_S1",
            Period::EndS1 => "end_S1",
            Period::MidS2 => "mid_S2",
            Period::EndOfYear => "end_of_year",
        }
    }

    /// The Vietnamese name.
    pub const fn vietnamese(self) -> &'static str {
        match self {
            Period::MidS1 => "giữa học kỳ I",
            Period::EndS1 => "cuối học kỳ I",
            Period::MidS2 => "giữa học kỳ II",
            Period::EndOfYear => "cuối năm học",
        }
    }

    const fn index(self) -> usize {
        self as usize
    }
}

/// One optional value per milestone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ByPeriod<T>(pub [Option<T>; 4]);

impl<T> Default for ByPeriod<T> {
    fn default() -> Self {
        ByPeriod([None, None, None, None])
    }
}

impl<T> ByPeriod<T> {
    /// The value at a milestone, if recorded.
    pub fn get(&self, period: Period) -> Option<&T> {
        self.0[period.index()].as_ref()
    }

    /// Records the value at a milestone.
    pub fn set(&mut self, period: Period, value: T) {
        self.0[period.index()] = Some(value);
    }
}

/// Level of a subject or educational activity (glossary: `PrimaryLevel`). Ordered
/// from lowest to highest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PrimaryLevel {
    /// Chưa hoàn thành (C).
    NotCompleted,
    /// Hoàn thành (H).
    Completed,
    /// Hoàn thành tốt (T).
    CompletedWell,
}

impl Label for PrimaryLevel {
    const ALL: &'static [Self] = &[Self::CompletedWell, Self::Completed, Self::NotCompleted];

    fn label(self) -> &'static str {
        match self {
            PrimaryLevel::CompletedWell => "Hoàn thành tốt",
            PrimaryLevel::Completed => "Hoàn thành",
            PrimaryLevel::NotCompleted => "Chưa hoàn thành",
        }
    }

    fn aliases(self) -> &'static [&'static str] {
        match self {
            PrimaryLevel::CompletedWell => &["T", "HTT"],
            PrimaryLevel::Completed => &["H", "HT"],
            PrimaryLevel::NotCompleted => &["C", "CHT"],
        }
    }
}

/// Level of a quality or competency: Tốt / Đạt / Cần cố gắng (TT27 Điều 7 khoản 2).
/// Ordered from lowest to highest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rating {
    /// Cần cố gắng (C).
    NeedsEffort,
    /// Đạt (Đ).
    Achieved,
    /// Tốt (T).
    Good,
}

impl Label for Rating {
    const ALL: &'static [Self] = &[Self::Good, Self::Achieved, Self::NeedsEffort];

    fn label(self) -> &'static str {
        match self {
            Rating::Good => "Tốt",
            Rating::Achieved => "Đạt",
            Rating::NeedsEffort => "Cần cố gắng",
        }
    }

    fn aliases(self) -> &'static [&'static str] {
        match self {
            Rating::Good => &["T"],
            Rating::Achieved => &["Đ"],
            Rating::NeedsEffort => &["C"],
        }
    }
}

/// The five core qualities, phẩm chất chủ yếu (glossary: `Quality`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Quality {
    /// Yêu nước.
    Patriotism,
    /// Nhân ái.
    Kindness,
    /// Chăm chỉ.
    Diligence,
    /// Trung thực.
    Honesty,
    /// Trách nhiệm.
    Responsibility,
}

impl Quality {
    /// The key of the JSON format.
    pub const fn key(self) -> &'static str {
        match self {
            Quality::Patriotism => "patriotism",
            Quality::Kindness => "kindness",
            Quality::Diligence => "diligence",
            Quality::Honesty => "honesty",
            Quality::Responsibility => "responsibility",
        }
    }
}

impl Label for Quality {
    const ALL: &'static [Self] = &[
        Self::Patriotism,
        Self::Kindness,
        Self::Diligence,
        Self::Honesty,
        Self::Responsibility,
    ];

    fn label(self) -> &'static str {
        match self {
            Quality::Patriotism => "Yêu nước",
            Quality::Kindness => "Nhân ái",
            Quality::Diligence => "Chăm chỉ",
            Quality::Honesty => "Trung thực",
            Quality::Responsibility => "Trách nhiệm",
        }
    }
}

/// The 3 general and 7 specific competencies, năng lực chung / đặc thù (glossary:
/// `Competency`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Competency {
    /// Tự chủ và tự học (general).
    SelfReliance,
    /// Giao tiếp và hợp tác (general).
    Communication,
    /// Giải quyết vấn đề và sáng tạo (general).
    ProblemSolving,
    /// Ngôn ngữ (specific).
    Language,
    /// Tính toán (specific).
    Mathematics,
    /// Khoa học (specific).
    Science,
    /// Công nghệ (specific).
    Technology,
    /// Tin học (specific).
    Informatics,
    /// Thẩm mĩ (specific).
    Aesthetics,
    /// Thể chất (specific).
    Physical,
}

impl Competency {
    /// The key of the JSON format.
    pub const fn key(self) -> &'static str {
        match self {
            Competency::SelfReliance => "self_reliance",
            Competency::Communication => "communication",
            Competency::ProblemSolving => "problem_solving",
            Competency::Language => "language",
            Competency::Mathematics => "mathematics",
            Competency::Science => "science",
            Competency::Technology => "technology",
            Competency::Informatics => "informatics",
            Competency::Aesthetics => "aesthetics",
            Competency::Physical => "physical",
        }
    }

    /// Whether it is one of the three general competencies.
    pub const fn is_general(self) -> bool {
        matches!(
            self,
            Competency::SelfReliance | Competency::Communication | Competency::ProblemSolving
        )
    }
}

impl Label for Competency {
    const ALL: &'static [Self] = &[
        Self::SelfReliance,
        Self::Communication,
        Self::ProblemSolving,
        Self::Language,
        Self::Mathematics,
        Self::Science,
        Self::Technology,
        Self::Informatics,
        Self::Aesthetics,
        Self::Physical,
    ];

    fn label(self) -> &'static str {
        match self {
            Competency::SelfReliance => "Tự chủ và tự học",
            Competency::Communication => "Giao tiếp và hợp tác",
            Competency::ProblemSolving => "Giải quyết vấn đề và sáng tạo",
            Competency::Language => "Ngôn ngữ",
            Competency::Mathematics => "Tính toán",
            Competency::Science => "Khoa học",
            Competency::Technology => "Công nghệ",
            Competency::Informatics => "Tin học",
            Competency::Aesthetics => "Thẩm mĩ",
            Competency::Physical => "Thể chất",
        }
    }
}

/// The 15 ratings of one milestone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ratings {
    /// In the order of [`Quality::ALL`].
    pub qualities: [Rating; 5],
    /// In the order of [`Competency::ALL`].
    pub competencies: [Rating; 10],
}

/// Year-end education result (TT27, regulations.md §3.4). Ordered lowest to highest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EducationResult {
    /// Chưa hoàn thành.
    NotCompleted,
    /// Hoàn thành.
    Completed,
    /// Hoàn thành tốt.
    CompletedWell,
    /// Hoàn thành xuất sắc.
    CompletedExcellently,
}

impl Label for EducationResult {
    const ALL: &'static [Self] = &[
        Self::CompletedExcellently,
        Self::CompletedWell,
        Self::Completed,
        Self::NotCompleted,
    ];

    fn label(self) -> &'static str {
        match self {
            EducationResult::CompletedExcellently => "Hoàn thành xuất sắc",
            EducationResult::CompletedWell => "Hoàn thành tốt",
            EducationResult::Completed => "Hoàn thành",
            EducationResult::NotCompleted => "Chưa hoàn thành",
        }
    }
}

/// The primary subjects and activities of CTGDPT 2018 (regulations.md §3.1), as far
/// as the rules need to tell them apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PrimarySubject {
    /// Tiếng Việt.
    Vietnamese,
    /// Toán.
    Mathematics,
    /// Ngoại ngữ 1 (Tiếng Anh…).
    ForeignLanguage,
    /// Lịch sử và Địa lí.
    HistoryAndGeography,
    /// Khoa học.
    Science,
    /// Tin học và Công nghệ (or either part recorded alone).
    InformaticsAndTechnology,
    /// Tiếng dân tộc thiểu số.
    EthnicLanguage,
    /// Every other subject or activity (Đạo đức, Tự nhiên và Xã hội, Giáo dục thể
    /// chất, Nghệ thuật, Hoạt động trải nghiệm…): no periodic test.
    Other,
}

impl PrimarySubject {
    /// Recognises a subject from its name, whatever its Unicode form.
    pub fn from_name(name: &str) -> PrimarySubject {
        let folded = fold(name);
        let starts = |prefix: &str| folded == prefix || folded.starts_with(&format!("{prefix} "));
        if starts("tieng viet") {
            PrimarySubject::Vietnamese
        } else if starts("toan") {
            PrimarySubject::Mathematics
        } else if starts("tieng dan toc") {
            PrimarySubject::EthnicLanguage
        } else if [
            "ngoai ngu",
            "tieng anh",
            "tieng phap",
            "tieng nga",
            "tieng trung",
            "tieng nhat",
            "tieng duc",
            "tieng han",
        ]
        .iter()
        .any(|prefix| starts(prefix))
        {
            PrimarySubject::ForeignLanguage
        } else if starts("lich su va dia li") || starts("lich su va dia ly") {
            PrimarySubject::HistoryAndGeography
        } else if starts("khoa hoc") {
            PrimarySubject::Science
        } else if starts("tin hoc") || starts("cong nghe") {
            PrimarySubject::InformaticsAndTechnology
        } else {
            PrimarySubject::Other
        }
    }
}

/// Whether `subject` has a periodic test at `period` in `grade` (TT27 Điều 7 khoản 1
/// điểm b): at the end of semester 1 and of the year for the compulsory subjects
/// Tiếng Việt, Toán, Ngoại ngữ 1 (grades 3–5), Lịch sử và Địa lí and Khoa học
/// (grades 4–5), Tin học và Công nghệ (grades 3–5); in grades 4 and 5 also at mid
/// semester 1 and mid semester 2 for Tiếng Việt and Toán. Ngoại ngữ 1 is optional in
/// grades 1–2 and has no periodic test there (see docs/assessment.md).
pub const fn has_periodic_test(subject: PrimarySubject, grade: Grade, period: Period) -> bool {
    let grade = grade.number();
    match period {
        Period::EndS1 | Period::EndOfYear => match subject {
            PrimarySubject::Vietnamese | PrimarySubject::Mathematics => true,
            PrimarySubject::ForeignLanguage | PrimarySubject::InformaticsAndTechnology => {
                grade >= 3
            }
            PrimarySubject::HistoryAndGeography | PrimarySubject::Science => grade >= 4,
            PrimarySubject::EthnicLanguage | PrimarySubject::Other => false,
        },
        Period::MidS1 | Period::MidS2 => {
            grade >= 4
                && matches!(
                    subject,
                    PrimarySubject::Vietnamese | PrimarySubject::Mathematics
                )
        }
    }
}

/// A periodic test score: an integer from 0 to 10 ("cho điểm theo thang điểm 10,
/// không cho điểm thập phân", regulations.md §3.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PeriodicTestScore(u8);

/// Why a number is not a periodic test score.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TestScoreError {
    /// Above 10.
    #[error("test score {0} is above 10")]
    AboveTen(u64),
}

impl PeriodicTestScore {
    /// A score from 0 to 10.
    pub fn new(points: u64) -> Result<PeriodicTestScore, TestScoreError> {
        u8::try_from(points)
            .ok()
            .filter(|points| *points <= 10)
            .map(PeriodicTestScore)
            .ok_or(TestScoreError::AboveTen(points))
    }

    /// The points.
    pub const fn points(self) -> u8 {
        self.0
    }
}

impl fmt::Display for PeriodicTestScore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Whether 0 is accepted as a periodic test score. The old TT30/TT22-2016 forbade
/// it; for TT27 it is unconfirmed (regulations.md §3.2, §11.6). We accept it and
/// flag it in the reasons. See docs/assessment.md, "Interpretations".
pub const ZERO_TEST_SCORE_ALLOWED: bool = true;

/// One subject or educational activity of a primary student.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrimarySubjectRecord {
    /// Name as the school writes it.
    pub name: String,
    /// Levels at the milestones ("M" = exempt).
    pub levels: ByPeriod<Exemptible<PrimaryLevel>>,
    /// Periodic test scores at the milestones that have a test ("M" = exempt).
    pub tests: ByPeriod<Exemptible<PeriodicTestScore>>,
}

/// One TT27 student-year.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tt27Student {
    /// Grade 1 to 5.
    pub grade: Grade,
    /// Subjects and educational activities. Every one counts for the year result,
    /// activities included (see docs/assessment.md, "Interpretations").
    pub subjects: Vec<PrimarySubjectRecord>,
    /// Qualities and competencies at the milestones; the end of year is required.
    pub ratings: ByPeriod<Ratings>,
    /// An outstanding achievement or clear progress recognised by the class, for the
    /// "Học sinh Tiêu biểu…" award (TT27 Điều 12 as regulations.md §3.5 gives it).
    pub outstanding_achievement: bool,
}

/// Everything TT27 decides at the end of the year.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tt27Evaluation {
    /// The education result.
    pub result: EducationResult,
    /// Hoàn thành chương trình lớp học.
    pub class_completed: bool,
    /// Hoàn thành chương trình tiểu học (grade 5 only).
    pub primary_programme_completed: Option<bool>,
    /// The award, if any.
    pub award: Option<Award>,
    /// Why, in order.
    pub reasons: Vec<Reason>,
}

/// The end-of-year values the result is computed from.
struct YearEnd<'a> {
    levels: Vec<(&'a str, PrimaryLevel)>,
    ratings: Vec<(&'static str, Rating)>,
    tests: Vec<(&'a str, PeriodicTestScore)>,
}

/// The first criterion of `result` the year-end values do not meet (TT27, table of
/// regulations.md §3.4).
fn unmet_result_criterion(result: EducationResult, year_end: &YearEnd<'_>) -> Option<Criterion> {
    let (level, rating, test) = match result {
        EducationResult::CompletedExcellently => (PrimaryLevel::CompletedWell, Rating::Good, 9),
        EducationResult::CompletedWell => (PrimaryLevel::CompletedWell, Rating::Good, 7),
        EducationResult::Completed => (PrimaryLevel::Completed, Rating::Achieved, 5),
        EducationResult::NotCompleted => return None,
    };
    let short: Vec<Shortfall> = year_end
        .levels
        .iter()
        .filter(|(_, value)| *value < level)
        .map(|(name, value)| Shortfall::new(name, value.label()))
        .collect();
    if !short.is_empty() {
        return Some(Criterion::AllSubjectsAtLeast {
            level: level.label(),
            short,
        });
    }
    let short: Vec<Shortfall> = year_end
        .ratings
        .iter()
        .filter(|(_, value)| *value < rating)
        .map(|(name, value)| Shortfall::new(name, value.label()))
        .collect();
    if !short.is_empty() {
        return Some(Criterion::AllRatingsAtLeast {
            level: rating.label(),
            short,
        });
    }
    let short: Vec<Shortfall> = year_end
        .tests
        .iter()
        .filter(|(_, score)| score.points() < test)
        .map(|(name, score)| Shortfall::new(name, score))
        .collect();
    (!short.is_empty()).then_some(Criterion::AllTestsAtLeast {
        threshold: test,
        short,
    })
}

fn classify(year_end: &YearEnd<'_>) -> EducationResult {
    [
        EducationResult::CompletedExcellently,
        EducationResult::CompletedWell,
        EducationResult::Completed,
    ]
    .into_iter()
    .find(|result| unmet_result_criterion(*result, year_end).is_none())
    .unwrap_or(EducationResult::NotCompleted)
}

fn record_error(path: String, message: String) -> EvaluateError {
    EvaluateError::PrimaryRecord { path, message }
}

/// Checks that test scores sit only where Điều 7 puts a test, and gathers the
/// end-of-year values.
fn year_end<'a>(
    student: &'a Tt27Student,
    reasons: &mut Vec<Reason>,
) -> Result<YearEnd<'a>, EvaluateError> {
    let mut levels = Vec::new();
    let mut tests = Vec::new();
    for (index, subject) in student.subjects.iter().enumerate() {
        let kind = PrimarySubject::from_name(&subject.name);
        for period in Period::ALL {
            let tested = has_periodic_test(kind, student.grade, period);
            match subject.tests.get(period) {
                Some(_) if !tested => {
                    return Err(record_error(
                        format!("subjects[{index}].tests.{}", period.key()),
                        format!(
                            "{} has no periodic test at {} in grade {} (TT27 Điều 7 khoản 1 điểm b)",
                            subject.name,
                            period.vietnamese(),
                            student.grade
                        ),
                    ));
                }
                Some(Exemptible::Assessed(score)) if score.points() == 0 => {
                    if !ZERO_TEST_SCORE_ALLOWED {
                        return Err(record_error(
                            format!("subjects[{index}].tests.{}", period.key()),
                            "0 is not an allowed periodic test score".to_owned(),
                        ));
                    }
                    reasons.push(Reason::new(
                        Rule::Tt27PeriodicTest,
                        None,
                        Finding::ZeroTestScore {
                            subject: subject.name.clone(),
                            period: period.vietnamese(),
                        },
                    ));
                }
                _ => {}
            }
        }
        match subject.levels.get(Period::EndOfYear) {
            Some(Exemptible::Assessed(level)) => levels.push((subject.name.as_str(), *level)),
            Some(Exemptible::Exempt) => {}
            None => {
                return Err(record_error(
                    format!("subjects[{index}].levels.end_of_year"),
                    format!(
                        "the end-of-year level of {} is required for the year result",
                        subject.name
                    ),
                ));
            }
        }
        let exempt_from_subject = matches!(
            subject.levels.get(Period::EndOfYear),
            Some(Exemptible::Exempt)
        );
        if has_periodic_test(kind, student.grade, Period::EndOfYear) && !exempt_from_subject {
            match subject.tests.get(Period::EndOfYear) {
                Some(Exemptible::Assessed(score)) => tests.push((subject.name.as_str(), *score)),
                Some(Exemptible::Exempt) => {}
                None => {
                    return Err(record_error(
                        format!("subjects[{index}].tests.end_of_year"),
                        format!(
                            "{} has an end-of-year periodic test in grade {}; its score is required",
                            subject.name, student.grade
                        ),
                    ));
                }
            }
        }
    }
    let Some(year_ratings) = student.ratings.get(Period::EndOfYear) else {
        return Err(record_error(
            "qualities.end_of_year".to_owned(),
            "the end-of-year qualities and competencies are required for the year result"
                .to_owned(),
        ));
    };
    let ratings = Quality::ALL
        .iter()
        .map(|quality| quality.label())
        .zip(year_ratings.qualities)
        .chain(
            Competency::ALL
                .iter()
                .map(|competency| competency.label())
                .zip(year_ratings.competencies),
        )
        .collect();
    Ok(YearEnd {
        levels,
        ratings,
        tests,
    })
}

/// Evaluates one TT27 student-year: the education result, class and programme
/// completion, and the award.
pub fn evaluate(student: &Tt27Student) -> Result<Tt27Evaluation, EvaluateError> {
    if student.grade.level() != Level::Primary {
        return Err(EvaluateError::GradeOutsideRegime {
            grade: student.grade,
            regime: Regime::Tt27,
        });
    }
    if student.subjects.is_empty() {
        return Err(EvaluateError::NoSubjects);
    }
    let mut reasons = Vec::new();
    let year_end = year_end(student, &mut reasons)?;
    let result = classify(&year_end);
    reasons.push(Reason::new(
        Rule::Tt27YearResult,
        None,
        Finding::LevelDecided {
            of: "Kết quả giáo dục",
            level: result.label(),
        },
    ));
    let next = match result {
        EducationResult::NotCompleted => Some(EducationResult::Completed),
        EducationResult::Completed => Some(EducationResult::CompletedWell),
        EducationResult::CompletedWell => Some(EducationResult::CompletedExcellently),
        EducationResult::CompletedExcellently => None,
    };
    if let Some((next, criterion)) =
        next.and_then(|next| unmet_result_criterion(next, &year_end).map(|c| (next, c)))
    {
        reasons.push(Reason::new(
            Rule::Tt27YearResult,
            None,
            Finding::CriterionShort {
                level: next.label(),
                criterion,
            },
        ));
    }

    // Class completion: the result is one of the three "Hoàn thành" levels.
    let class_completed = result >= EducationResult::Completed;
    reasons.push(Reason::new(
        Rule::Tt27ClassCompletion,
        None,
        Finding::ClassCompletion {
            completed: class_completed,
        },
    ));
    let primary_programme_completed = (student.grade.number() == 5).then_some(class_completed);
    if let Some(completed) = primary_programme_completed {
        reasons.push(Reason::new(
            Rule::Tt27ProgrammeCompletion,
            None,
            Finding::ProgrammeCompletion { completed },
        ));
    }

    let award = match result {
        EducationResult::CompletedExcellently => Some(Award::ExcellentStudent),
        EducationResult::CompletedWell if student.outstanding_achievement => {
            Some(Award::ExemplaryStudent)
        }
        _ => None,
    };
    match award {
        Some(award) => reasons.push(Reason::new(
            Rule::Tt27Award,
            None,
            Finding::Award {
                award: award.label(),
            },
        )),
        None if result == EducationResult::CompletedWell => reasons.push(Reason::new(
            Rule::Tt27Award,
            None,
            Finding::NoAward {
                award: Award::ExemplaryStudent.label(),
                criterion: Criterion::OutstandingAchievement,
            },
        )),
        None => {}
    }
    Ok(Tt27Evaluation {
        result,
        class_completed,
        primary_programme_completed,
        award,
        reasons,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grade(number: u8) -> Grade {
        Grade::new(number).unwrap()
    }

    fn subject(name: &str, level: PrimaryLevel, test: Option<u64>) -> PrimarySubjectRecord {
        let mut levels = ByPeriod::default();
        let mut tests = ByPeriod::default();
        for period in Period::ALL {
            levels.set(period, Exemptible::Assessed(level));
        }
        if let Some(points) = test {
            tests.set(
                Period::EndOfYear,
                Exemptible::Assessed(PeriodicTestScore::new(points).unwrap()),
            );
            tests.set(
                Period::EndS1,
                Exemptible::Assessed(PeriodicTestScore::new(points).unwrap()),
            );
        }
        PrimarySubjectRecord {
            name: name.to_owned(),
            levels,
            tests,
        }
    }

    fn student(tests: [u64; 5], rating: Rating, level: PrimaryLevel) -> Tt27Student {
        use PrimaryLevel::CompletedWell as T;
        let mut ratings = ByPeriod::default();
        ratings.set(
            Period::EndOfYear,
            Ratings {
                qualities: [rating; 5],
                competencies: [rating; 10],
            },
        );
        Tt27Student {
            grade: grade(4),
            subjects: vec![
                subject("Tiếng Việt", level, Some(tests[0])),
                subject("Toán", T, Some(tests[1])),
                subject("Tiếng Anh", T, Some(tests[2])),
                subject("Tin học và Công nghệ", T, Some(tests[3])),
                subject("Tự nhiên và Xã hội", T, None),
                subject("Đạo đức", T, None),
                subject("Hoạt động trải nghiệm", T, None),
                subject("Giáo dục thể chất", T, None),
                subject("Khoa học", T, Some(tests[4])),
            ],
            ratings,
            outstanding_achievement: false,
        }
    }

    use EducationResult::{Completed, CompletedExcellently, CompletedWell, NotCompleted};

    /// regulations.md §10: all T, all ratings T, all tests ≥ 9 → HTXS; one test 8 → HTT.
    #[test]
    fn year_result_vectors() {
        let excellent = evaluate(&student(
            [9, 10, 9, 9, 9],
            Rating::Good,
            PrimaryLevel::CompletedWell,
        ))
        .unwrap();
        assert_eq!(excellent.result, CompletedExcellently);
        assert_eq!(excellent.award, Some(Award::ExcellentStudent));
        let good = evaluate(&student(
            [9, 10, 8, 9, 9],
            Rating::Good,
            PrimaryLevel::CompletedWell,
        ))
        .unwrap();
        assert_eq!(good.result, CompletedWell);
        assert!(
            good.reasons
                .iter()
                .any(|reason| reason.sentence.contains("Tiếng Anh (8)"))
        );
        let completed = evaluate(&student(
            [9, 10, 6, 9, 9],
            Rating::Good,
            PrimaryLevel::CompletedWell,
        ))
        .unwrap();
        assert_eq!(completed.result, Completed);
        let by_rating = evaluate(&student(
            [9, 10, 9, 9, 9],
            Rating::Achieved,
            PrimaryLevel::CompletedWell,
        ))
        .unwrap();
        assert_eq!(by_rating.result, Completed);
        let by_level = evaluate(&student(
            [9, 10, 9, 9, 9],
            Rating::Good,
            PrimaryLevel::Completed,
        ))
        .unwrap();
        assert_eq!(by_level.result, Completed);
        let not_completed = evaluate(&student(
            [4, 10, 9, 9, 9],
            Rating::Good,
            PrimaryLevel::CompletedWell,
        ))
        .unwrap();
        assert_eq!(not_completed.result, NotCompleted);
        assert!(!not_completed.class_completed);
        let needs_effort = evaluate(&student(
            [9, 10, 9, 9, 9],
            Rating::NeedsEffort,
            PrimaryLevel::CompletedWell,
        ))
        .unwrap();
        assert_eq!(needs_effort.result, NotCompleted);
    }

    #[test]
    fn awards_and_completion() {
        let mut record = student([9, 10, 8, 9, 9], Rating::Good, PrimaryLevel::CompletedWell);
        record.outstanding_achievement = true;
        assert_eq!(
            evaluate(&record).unwrap().award,
            Some(Award::ExemplaryStudent)
        );
        assert_eq!(evaluate(&record).unwrap().primary_programme_completed, None);
        record.grade = grade(5);
        assert_eq!(
            evaluate(&record).unwrap().primary_programme_completed,
            Some(true)
        );
        record.outstanding_achievement = false;
        assert_eq!(evaluate(&record).unwrap().award, None);
    }

    #[test]
    fn periodic_test_schedule() {
        use PrimarySubject::*;
        let at = |subject, number, period| has_periodic_test(subject, grade(number), period);
        assert!(at(Vietnamese, 1, Period::EndS1));
        assert!(!at(Vietnamese, 3, Period::MidS1));
        assert!(at(Vietnamese, 4, Period::MidS1));
        assert!(at(Mathematics, 5, Period::MidS2));
        assert!(!at(ForeignLanguage, 2, Period::EndOfYear));
        assert!(at(ForeignLanguage, 3, Period::EndOfYear));
        assert!(!at(Science, 3, Period::EndOfYear));
        assert!(at(HistoryAndGeography, 4, Period::EndOfYear));
        assert!(at(InformaticsAndTechnology, 3, Period::EndS1));
        assert!(!at(Other, 5, Period::EndOfYear));
        assert_eq!(
            PrimarySubject::from_name("Tiếng dân tộc thiểu số"),
            EthnicLanguage
        );
        assert_eq!(
            PrimarySubject::from_name("Lịch sử và Địa lí"),
            HistoryAndGeography
        );
        assert_eq!(PrimarySubject::from_name("Đạo đức"), Other);
        assert_eq!(
            PrimarySubject::from_name("Tin học"),
            InformaticsAndTechnology
        );
    }

    #[test]
    fn misplaced_or_missing_tests_are_errors() {
        let mut record = student([9, 10, 9, 9, 9], Rating::Good, PrimaryLevel::CompletedWell);
        record.subjects[5].tests.set(
            Period::EndOfYear,
            Exemptible::Assessed(PeriodicTestScore::new(9).unwrap()),
        );
        let error = evaluate(&record).unwrap_err();
        assert_eq!(error.path(), "subjects[5].tests.end_of_year");
        let mut record = student([9, 10, 9, 9, 9], Rating::Good, PrimaryLevel::CompletedWell);
        record.subjects[1].tests = ByPeriod::default();
        assert_eq!(
            evaluate(&record).unwrap_err().path(),
            "subjects[1].tests.end_of_year"
        );
        let mut record = student([9, 10, 9, 9, 9], Rating::Good, PrimaryLevel::CompletedWell);
        record.ratings = ByPeriod::default();
        assert_eq!(
            evaluate(&record).unwrap_err().path(),
            "qualities.end_of_year"
        );
        assert!(PeriodicTestScore::new(11).is_err());
    }

    #[test]
    fn zero_scores_are_accepted_and_flagged() {
        let record = student([0, 10, 9, 9, 9], Rating::Good, PrimaryLevel::CompletedWell);
        let evaluation = evaluate(&record).unwrap();
        const { assert!(ZERO_TEST_SCORE_ALLOWED) };
        assert_eq!(evaluation.result, NotCompleted);
        assert!(
            evaluation
                .reasons
                .iter()
                .any(|reason| matches!(reason.finding, Finding::ZeroTestScore { .. }))
        );
    }
}
