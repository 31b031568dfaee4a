//! Why a result is what it is: a structured [`Reason`] per decision, each with the
//! rule that decided it, its citation, and one Vietnamese sentence for the UI.

use serde::Serialize;

use crate::regime::Term;
use crate::score::Score;

/// The rule that produced a reason. Each names one article of one circular.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// TT22 Điều 6: number of regular assessments per semester.
    Tt22RegularAssessmentCount,
    /// TT22 Điều 9 khoản 1: subject averages of scored subjects.
    Tt22SubjectAverage,
    /// TT22 Điều 9 khoản 1 điểm a: commented subjects, Đạt / Chưa đạt.
    Tt22CommentedSubject,
    /// Exempt subjects (miễn học), regulations.md §1.1.
    Tt22Exemption,
    /// TT22 Điều 9 khoản 2: learning result levels.
    Tt22LearningResult,
    /// TT22 Điều 9 khoản 3: the single-subject adjustment.
    Tt22LearningAdjustment,
    /// TT22 Điều 8: training result for the year from the two semesters.
    Tt22TrainingResult,
    /// TT22 Điều 12: promotion and its absence limit.
    Tt22Promotion,
    /// TT22 Điều 13 (numbering unconfirmed): retest after the year.
    Tt22Retest,
    /// TT22 Điều 13/14 (numbering unconfirmed): summer training.
    Tt22SummerTraining,
    /// TT22 Điều 15: awards.
    Tt22Award,
    /// TT58 Điều 12 as amended by TT26: subject averages.
    Tt58SubjectAverage,
    /// TT58 Điều 12: average of all scored subjects (ĐTBhk, ĐTBcn).
    Tt58OverallAverage,
    /// TT58 Điều 13 khoản 1–5 as amended by TT26: academic rank.
    Tt58AcademicRank,
    /// TT58 Điều 13 khoản 6: downgrade adjustment.
    Tt58RankAdjustment,
    /// TT58 Điều 11: conduct rank (entered by the homeroom teacher).
    Tt58Conduct,
    /// TT58 Điều 15–16: promotion and retention.
    Tt58Promotion,
    /// TT58 Điều 17: retest.
    Tt58Retest,
    /// TT58 Điều 17: summer training in conduct.
    Tt58SummerTraining,
    /// TT58 Điều 18: titles Học sinh Giỏi, Học sinh Tiên tiến.
    Tt58Award,
    /// TT27 Điều 7 khoản 1 điểm b: periodic tests.
    Tt27PeriodicTest,
    /// TT27 Điều 8 (per regulations.md §3.4): year-end education result.
    Tt27YearResult,
    /// TT27 Điều 11: completion of the class programme.
    Tt27ClassCompletion,
    /// TT27 Điều 11: completion of the primary programme (grade 5).
    Tt27ProgrammeCompletion,
    /// TT27 Điều 12: awards.
    Tt27Award,
    /// TT24/2024 Điều 44: yearly average of a grade for graduation.
    FullCourseYearAverage,
    /// TT24/2024 Điều 44: weighted average over grades 10–12.
    FullCourseMultiYearAverage,
}

impl Rule {
    /// The article the rule comes from, as shown to users.
    pub const fn citation(self) -> &'static str {
        match self {
            Rule::Tt22RegularAssessmentCount => "Thông tư 22/2021, Điều 6",
            Rule::Tt22SubjectAverage => "Thông tư 22/2021, Điều 9 khoản 1",
            Rule::Tt22CommentedSubject => "Thông tư 22/2021, Điều 9 khoản 1 điểm a",
            Rule::Tt22Exemption => "Thông tư 22/2021 (miễn học; xem docs/assessment.md)",
            Rule::Tt22LearningResult => "Thông tư 22/2021, Điều 9 khoản 2",
            Rule::Tt22LearningAdjustment => "Thông tư 22/2021, Điều 9 khoản 3",
            Rule::Tt22TrainingResult => "Thông tư 22/2021, Điều 8",
            Rule::Tt22Promotion => "Thông tư 22/2021, Điều 12",
            Rule::Tt22Retest => "Thông tư 22/2021, Điều 13",
            Rule::Tt22SummerTraining => "Thông tư 22/2021, Điều 13–14",
            Rule::Tt22Award => "Thông tư 22/2021, Điều 15",
            Rule::Tt58SubjectAverage => "Thông tư 58/2011, Điều 12 (sửa đổi bởi Thông tư 26/2020)",
            Rule::Tt58OverallAverage => "Thông tư 58/2011, Điều 12",
            Rule::Tt58AcademicRank => "Thông tư 58/2011, Điều 13 (sửa đổi bởi Thông tư 26/2020)",
            Rule::Tt58RankAdjustment => "Thông tư 58/2011, Điều 13 khoản 6",
            Rule::Tt58Conduct => "Thông tư 58/2011, Điều 11",
            Rule::Tt58Promotion => "Thông tư 58/2011, Điều 15–16",
            Rule::Tt58Retest => "Thông tư 58/2011, Điều 17",
            Rule::Tt58SummerTraining => "Thông tư 58/2011, Điều 17",
            Rule::Tt58Award => "Thông tư 58/2011, Điều 18",
            Rule::Tt27PeriodicTest => "Thông tư 27/2020, Điều 7 khoản 1 điểm b",
            Rule::Tt27YearResult => "Thông tư 27/2020, Điều 8",
            Rule::Tt27ClassCompletion => "Thông tư 27/2020, Điều 11",
            Rule::Tt27ProgrammeCompletion => "Thông tư 27/2020, Điều 11",
            Rule::Tt27Award => "Thông tư 27/2020, Điều 12",
            Rule::FullCourseYearAverage => "Thông tư 24/2024, Điều 44",
            Rule::FullCourseMultiYearAverage => "Thông tư 24/2024, Điều 44",
        }
    }
}

/// A subject that fell short, with the value that fell short ("6.0", "CĐ", "T").
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Shortfall {
    /// Subject name as entered (or quality/competency label for TT27).
    pub subject: String,
    /// The value as printed.
    pub value: String,
}

impl Shortfall {
    /// A shortfall of `subject` with `value`.
    pub fn new(subject: &str, value: impl ToString) -> Shortfall {
        Shortfall {
            subject: subject.to_owned(),
            value: value.to_string(),
        }
    }
}

/// One condition of a level, award or completion, as the circular states it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "criterion", rename_all = "snake_case")]
pub enum Criterion {
    /// Every scored subject at least `threshold`.
    EveryScoredAtLeast {
        threshold: Score,
        short: Vec<Shortfall>,
    },
    /// At least `count` scored subjects at or above `threshold`.
    ScoredCountAtLeast {
        count: usize,
        threshold: Score,
        actual: usize,
    },
    /// No scored subject below `threshold`.
    NoScoredBelow {
        threshold: Score,
        short: Vec<Shortfall>,
    },
    /// Every commented subject Đạt.
    AllCommentedPass { short: Vec<Shortfall> },
    /// At most `allowed` commented subjects Chưa đạt.
    AtMostCommentedNotPass {
        allowed: usize,
        short: Vec<Shortfall>,
    },
    /// The average of all scored subjects at least `threshold` (TT58).
    OverallAverageAtLeast { threshold: Score, actual: Score },
    /// One of Toán, Ngữ văn, Ngoại ngữ at least `threshold` (TT58 as amended by TT26).
    KeySubjectAtLeast { threshold: Score },
    /// The specialised subject (môn chuyên) at least `threshold` (TT58).
    SpecialisedSubjectAtLeast { subject: String, threshold: Score },
    /// Year conduct / training at `level` or better.
    ConductAtLeast {
        level: &'static str,
        actual: &'static str,
    },
    /// Year learning result / academic rank at `level` or better.
    LearningAtLeast {
        level: &'static str,
        actual: &'static str,
    },
    /// Every subject and activity at `level` or better (TT27).
    AllSubjectsAtLeast {
        level: &'static str,
        short: Vec<Shortfall>,
    },
    /// Every quality and competency at `level` or better (TT27).
    AllRatingsAtLeast {
        level: &'static str,
        short: Vec<Shortfall>,
    },
    /// Every end-of-year periodic test at least `threshold` points (TT27).
    AllTestsAtLeast {
        threshold: u8,
        short: Vec<Shortfall>,
    },
    /// An outstanding achievement recognised by the class (TT27 award).
    OutstandingAchievement,
}

/// What a reason found. Serialised with a `kind` tag.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Finding {
    /// A subject average computed from its columns.
    SubjectAverage {
        subject: String,
        formula: String,
        value: String,
    },
    /// A subject is exempt for the term.
    Exempt { subject: String },
    /// A subject exempt in one semester takes its year value from the other.
    YearFromOneSemester { subject: String, from: Term },
    /// Fewer regular scores recorded than the circular requires (a warning).
    RegularCountBelowRequired {
        subject: String,
        recorded: usize,
        required: usize,
        periods_per_year: u16,
    },
    /// A commented subject rated Chưa đạt because an assessment is missing or CĐ.
    CommentedNotPass {
        subject: String,
        recorded: usize,
        required: usize,
        not_passed: usize,
    },
    /// The average of all scored subjects (TT58).
    OverallAverage { value: Score, subjects: usize },
    /// The level a term reached; `of` names what was ranked ("Kết quả học tập",
    /// "Học lực", "Kết quả giáo dục").
    LevelDecided {
        of: &'static str,
        level: &'static str,
    },
    /// The criterion that kept the result below `level`.
    CriterionShort {
        level: &'static str,
        criterion: Criterion,
    },
    /// A level raised by the single-subject adjustment.
    Adjusted {
        /// What was ranked ("Kết quả học tập", "Học lực").
        of: &'static str,
        from: &'static str,
        to: &'static str,
        would_be: &'static str,
        culprit: String,
    },
    /// Year training/conduct derived from the two semesters.
    TrainingYear {
        first: &'static str,
        second: &'static str,
        year: &'static str,
    },
    /// Year conduct not given; taken from semester 2.
    ConductYearFromSecondSemester { year: &'static str },
    /// More absences than the limit.
    AbsencesOverLimit { absences: u16, limit: u16 },
    /// Retest eligibility and the subjects the student may choose from.
    RetestEligible { subjects: Vec<Shortfall> },
    /// Retest not allowed because conduct is too low.
    RetestNotAllowed { conduct: &'static str },
    /// A retest score was given for a subject that is not retested; it is
    /// left out of the result, with this reason.
    RetestIgnored { subject: String, why: String },
    /// A retest result replaced the year value.
    RetestApplied { subject: String, value: String },
    /// Learning after the retest.
    AfterRetest { level: &'static str },
    /// Summer training required, and its result if known.
    SummerTraining { result: Option<&'static str> },
    /// The final promotion decision.
    Outcome {
        outcome: &'static str,
        label: &'static str,
    },
    /// An award was earned.
    Award { award: &'static str },
    /// No award, and the first criterion that was short.
    NoAward {
        award: &'static str,
        criterion: Criterion,
    },
    /// A periodic test scored 0 (allowed, flagged; TT27).
    ZeroTestScore {
        subject: String,
        period: &'static str,
    },
    /// Class-programme completion (TT27).
    ClassCompletion { completed: bool },
    /// Primary-programme completion (TT27, grade 5).
    ProgrammeCompletion { completed: bool },
    /// A grade's yearly average for graduation (TT24/2024 Điều 44).
    YearOverallAverage {
        grade: u8,
        value: String,
        subjects: usize,
    },
    /// The weighted multi-year average (TT24/2024 Điều 44).
    MultiYearAverage { value: String },
}

/// One explained decision.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Reason {
    /// The rule that decided it.
    pub rule: Rule,
    /// The article cited.
    pub citation: &'static str,
    /// The term concerned, if any.
    pub term: Option<Term>,
    /// Whether an adjustment or a replacement (retest, summer training) changed a result.
    pub adjusted: bool,
    /// What was found.
    pub finding: Finding,
    /// The finding as one Vietnamese sentence.
    pub sentence: String,
}

impl Reason {
    /// Builds a reason and writes its sentence.
    pub fn new(rule: Rule, term: Option<Term>, finding: Finding) -> Reason {
        let adjusted = matches!(
            finding,
            Finding::Adjusted { .. } | Finding::RetestApplied { .. } | Finding::AfterRetest { .. }
        );
        let sentence = sentence(term, &finding);
        Reason {
            rule,
            citation: rule.citation(),
            term,
            adjusted,
            finding,
            sentence,
        }
    }
}

fn list(short: &[Shortfall]) -> String {
    short
        .iter()
        .map(|item| format!("{} ({})", item.subject, item.value))
        .collect::<Vec<_>>()
        .join(", ")
}

fn term_prefix(term: Option<Term>) -> String {
    term.map(|term| format!(" {}", term.vietnamese()))
        .unwrap_or_default()
}

/// The Vietnamese sentence for a criterion ("cần …; chưa đạt: …").
pub fn criterion_sentence(criterion: &Criterion) -> String {
    match criterion {
        Criterion::EveryScoredAtLeast { threshold, short } => format!(
            "cần mọi môn tính điểm đạt từ {threshold} trở lên; chưa đạt: {}",
            list(short)
        ),
        Criterion::ScoredCountAtLeast {
            count,
            threshold,
            actual,
        } => format!(
            "cần ít nhất {count} môn tính điểm đạt từ {threshold} trở lên, mới có {actual} môn"
        ),
        Criterion::NoScoredBelow { threshold, short } => {
            format!(
                "cần không có môn nào dưới {threshold}; dưới {threshold}: {}",
                list(short)
            )
        }
        Criterion::AllCommentedPass { short } => format!(
            "cần mọi môn đánh giá bằng nhận xét đạt mức Đạt; Chưa đạt: {}",
            list(short)
        ),
        Criterion::AtMostCommentedNotPass { allowed, short } => format!(
            "cần nhiều nhất {allowed} môn đánh giá bằng nhận xét mức Chưa đạt; Chưa đạt: {}",
            list(short)
        ),
        Criterion::OverallAverageAtLeast { threshold, actual } => {
            format!("cần điểm trung bình các môn từ {threshold} trở lên, mới đạt {actual}")
        }
        Criterion::KeySubjectAtLeast { threshold } => {
            format!("cần ít nhất 1 trong 3 môn Toán, Ngữ văn, Ngoại ngữ đạt từ {threshold} trở lên")
        }
        Criterion::SpecialisedSubjectAtLeast { subject, threshold } => {
            format!("cần môn chuyên {subject} đạt từ {threshold} trở lên")
        }
        Criterion::ConductAtLeast { level, actual } => {
            format!("cần rèn luyện/hạnh kiểm cả năm mức {level}, hiện là {actual}")
        }
        Criterion::LearningAtLeast { level, actual } => {
            format!("cần kết quả học tập cả năm mức {level}, hiện là {actual}")
        }
        Criterion::AllSubjectsAtLeast { level, short } => format!(
            "cần mọi môn học và hoạt động giáo dục đạt mức {level} trở lên; chưa đạt: {}",
            list(short)
        ),
        Criterion::AllRatingsAtLeast { level, short } => format!(
            "cần mọi phẩm chất, năng lực đạt mức {level} trở lên; chưa đạt: {}",
            list(short)
        ),
        Criterion::AllTestsAtLeast { threshold, short } => format!(
            "cần mọi bài kiểm tra định kì cuối năm đạt từ {threshold} điểm trở lên; chưa đạt: {}",
            list(short)
        ),
        Criterion::OutstandingAchievement => {
            "cần có thành tích nổi bật hoặc tiến bộ vượt bậc được tập thể lớp công nhận".to_owned()
        }
    }
}

fn sentence(term: Option<Term>, finding: &Finding) -> String {
    let during = term_prefix(term);
    match finding {
        Finding::SubjectAverage { subject, formula, value } => {
            format!("Điểm trung bình môn {subject}{during}: {formula} = {value}.")
        }
        Finding::Exempt { subject } => format!(
            "Môn {subject} được miễn{during} (M), không tham gia đánh giá kết quả học tập{during}."
        ),
        Finding::YearFromOneSemester { subject, from } => format!(
            "Môn {subject} chỉ được đánh giá ở {}, nên kết quả cả năm lấy theo {}.",
            from.vietnamese(),
            from.vietnamese()
        ),
        Finding::RegularCountBelowRequired { subject, recorded, required, periods_per_year } => format!(
            "Cảnh báo: môn {subject}{during} mới có {recorded} điểm đánh giá thường xuyên, cần {required} với {periods_per_year} tiết/năm học."
        ),
        Finding::CommentedNotPass { subject, recorded, required, not_passed } => {
            if recorded < required {
                format!(
                    "Môn {subject}{during} mới có {recorded} lần đánh giá, cần {required}, nên được đánh giá Chưa đạt."
                )
            } else {
                format!(
                    "Môn {subject}{during} có {not_passed} lần đánh giá Chưa đạt, nên được đánh giá Chưa đạt."
                )
            }
        }
        Finding::OverallAverage { value, subjects } => {
            format!("Điểm trung bình các môn{during} ({subjects} môn tính điểm): {value}.")
        }
        Finding::LevelDecided { of, level } => format!("{of}{during}: {level}."),
        Finding::CriterionShort { level, criterion } => format!(
            "Chưa đạt mức {level}{during}: {}.",
            criterion_sentence(criterion)
        ),
        Finding::Adjusted { of, from, to, would_be, culprit } => format!(
            "{of}{during} được điều chỉnh từ {from} lên {to}: nếu không có riêng môn {culprit} thì đạt mức {would_be}, nên chỉ do một môn mà bị hạ mức."
        ),
        Finding::TrainingYear { first, second, year } => format!(
            "Kết quả rèn luyện cả năm: {year} (học kỳ I {first}, học kỳ II {second})."
        ),
        Finding::ConductYearFromSecondSemester { year } => format!(
            "Hạnh kiểm cả năm chưa được nhập; lấy theo hạnh kiểm học kỳ II: {year}."
        ),
        Finding::AbsencesOverLimit { absences, limit } => format!(
            "Nghỉ {absences} buổi trong năm học, quá {limit} buổi, nên không được lên lớp."
        ),
        Finding::RetestEligible { subjects } => format!(
            "Được kiểm tra, đánh giá lại; được chọn trong các môn: {}.",
            list(subjects)
        ),
        Finding::RetestNotAllowed { conduct } => format!(
            "Không được kiểm tra lại vì rèn luyện/hạnh kiểm cả năm là {conduct}."
        ),
        Finding::RetestIgnored { subject, why } => {
            format!("Điểm kiểm tra lại môn {subject} không được tính: {why}.")
        }
        Finding::RetestApplied { subject, value } => format!(
            "Kết quả kiểm tra lại môn {subject} ({value}) thay cho kết quả cả năm của môn."
        ),
        Finding::AfterRetest { level } => format!("Kết quả học tập sau kiểm tra lại: {level}."),
        Finding::SummerTraining { result } => match result {
            Some(result) => format!("Rèn luyện trong kì nghỉ hè; kết quả đánh giá lại: {result}."),
            None => "Phải rèn luyện trong kì nghỉ hè; chờ đánh giá lại.".to_owned(),
        },
        Finding::Outcome { label, .. } => format!("{label}."),
        Finding::Award { award } => format!("Được khen thưởng danh hiệu \"{award}\"{during}."),
        Finding::NoAward { award, criterion } => format!(
            "Chưa đạt danh hiệu \"{award}\"{during}: {}.",
            criterion_sentence(criterion)
        ),
        Finding::ZeroTestScore { subject, period } => format!(
            "Lưu ý: bài kiểm tra định kì môn {subject} ({period}) được 0 điểm."
        ),
        Finding::ClassCompletion { completed: true } => "Hoàn thành chương trình lớp học.".to_owned(),
        Finding::ClassCompletion { completed: false } => "Chưa hoàn thành chương trình lớp học: giáo viên hỗ trợ và đánh giá bổ sung; hiệu trưởng quyết định lên lớp hoặc ở lại lớp.".to_owned(),
        Finding::ProgrammeCompletion { completed: true } => "Hoàn thành chương trình tiểu học.".to_owned(),
        Finding::ProgrammeCompletion { completed: false } => "Chưa hoàn thành chương trình tiểu học.".to_owned(),
        Finding::YearOverallAverage { grade, value, subjects } => format!(
            "Điểm trung bình cả năm lớp {grade} ({subjects} môn tính điểm): {value}."
        ),
        Finding::MultiYearAverage { value } => format!(
            "Điểm trung bình các năm học (lớp 10 × 1 + lớp 11 × 2 + lớp 12 × 3) / 6 = {value}."
        ),
    }
}

/// The sentences of a list of reasons, in order.
pub fn sentences(reasons: &[Reason]) -> Vec<String> {
    reasons
        .iter()
        .map(|reason| reason.sentence.clone())
        .collect()
}
