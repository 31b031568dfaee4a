//! Primary assessment (TT27/2020/TT-BGDĐT) as stored and entered: at each of
//! the four milestones (giữa học kỳ I, cuối học kỳ I, giữa học kỳ II, cuối
//! năm học) a level per subject and educational activity, a periodic test
//! score where Điều 7 khoản 1 điểm b places one, the 5 qualities and 10
//! competencies, and the teacher's comment (regulations.md §3).
//!
//! This module parses and checks what teachers type (every refusal names
//! the student, the column and the rule), and turns a class's stored values
//! into the summary of a milestone. The law itself — which subject has a
//! test when, the year-end result, completion, awards — is
//! `hocba_assessment::tt27`'s, never decided a second time here.

use crate::gradebook::Semester;
use crate::ids::{StudentId, SubjectId};
use crate::level::Grade;
use crate::school::SchoolYear;
use crate::validation::FieldErrors;
use hocba_assessment::label::Label;
use hocba_assessment::tt27::{
    self, ByPeriod, Competency, PrimarySubjectRecord, Quality, Ratings, Tt27Student,
};
use hocba_assessment::{Regime, regime_for};
use serde::Serialize;
use std::collections::BTreeMap;

pub use hocba_assessment::secondary::Exemptible;
pub use hocba_assessment::tt27::{
    EducationResult, Period as Milestone, PeriodicTestScore, PrimaryLevel, PrimarySubject, Rating,
    has_periodic_test,
};

/// The milestone of a path or form: `mid_S1`, `end_S1`, `mid_S2`,
/// `end_of_year` (the keys of the assessment calculator's JSON).
pub fn parse_milestone(text: &str) -> Result<Milestone, String> {
    Milestone::ALL
        .into_iter()
        .find(|m| m.key().eq_ignore_ascii_case(text.trim()))
        .ok_or_else(|| {
            format!(
                "Thời điểm đánh giá “{text}” không hợp lệ: chỉ có mid_S1 (giữa học kỳ I), end_S1 (cuối học kỳ I), mid_S2 (giữa học kỳ II) và end_of_year (cuối năm học) (Thông tư 27/2020 Điều 6)."
            )
        })
}

/// The semester whose entry window and closing apply to a milestone.
pub fn milestone_semester(milestone: Milestone) -> Semester {
    match milestone {
        Milestone::MidS1 | Milestone::EndS1 => Semester::S1,
        Milestone::MidS2 | Milestone::EndOfYear => Semester::S2,
    }
}

/// "Cuối năm học", as a title.
pub fn milestone_title(milestone: Milestone) -> String {
    let name = milestone.vietnamese();
    let mut chars = name.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Whether a class is assessed under TT27, or why its primary book does not apply.
pub fn primary_regime(grade: Grade, year: SchoolYear, class_name: &str) -> Result<(), String> {
    if grade.value() > 5 {
        return Err(format!(
            "Lớp {class_name} (khối {}) không phải lớp tiểu học: sổ theo dõi chất lượng giáo dục theo Thông tư 27/2020 chỉ dành cho khối 1–5. Kết quả của lớp này nhập ở Sổ điểm và Tổng kết.",
            grade.value()
        ));
    }
    let assessed_grade = hocba_assessment::Grade::new(grade.value()).map_err(|e| e.to_string())?;
    let assessed_year =
        hocba_assessment::SchoolYear::starting(year.start_year).map_err(|e| e.to_string())?;
    match regime_for(assessed_grade, assessed_year) {
        Ok(Regime::Tt27) => Ok(()),
        Ok(regime) => Err(format!(
            "Lớp {class_name} năm học {} được đánh giá theo {}: hocba đánh giá học sinh tiểu học theo Thông tư 27/2020.",
            year.label(),
            regime.citation()
        )),
        Err(error) => Err(format!(
            "Lớp {class_name} năm học {}: {error}.",
            year.label()
        )),
    }
}

/// One of the 15 ratings of a milestone: its key (also its column), its
/// Vietnamese name, and whether it is a quality.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RatingField {
    pub key: &'static str,
    pub label: &'static str,
    pub quality: bool,
}

/// The five qualities then the ten competencies, in the order of the
/// national primary học bạ (regulations.md §3.3).
pub fn rating_fields() -> Vec<RatingField> {
    Quality::ALL
        .iter()
        .map(|q| RatingField {
            key: q.key(),
            label: q.label(),
            quality: true,
        })
        .chain(Competency::ALL.iter().map(|c| RatingField {
            key: c.key(),
            label: c.label(),
            quality: false,
        }))
        .collect()
}

/// Number of ratings per milestone.
pub const RATINGS: usize = 15;

/// A subject or educational activity of a primary grade, as the rules need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrimarySubjectInfo {
    pub id: SubjectId,
    pub name: String,
}

impl PrimarySubjectInfo {
    /// Whether the subject has a periodic test at `milestone` in `grade`.
    pub fn has_test(&self, grade: Grade, milestone: Milestone) -> bool {
        assessed_grade(grade)
            .is_some_and(|g| has_periodic_test(PrimarySubject::from_name(&self.name), g, milestone))
    }
}

fn assessed_grade(grade: Grade) -> Option<hocba_assessment::Grade> {
    hocba_assessment::Grade::new(grade.value()).ok()
}

/// The short code of a level as stored and typed: T, H, C, or M (exempt).
pub fn level_code(level: &Exemptible<PrimaryLevel>) -> &'static str {
    match level {
        Exemptible::Assessed(PrimaryLevel::CompletedWell) => "T",
        Exemptible::Assessed(PrimaryLevel::Completed) => "H",
        Exemptible::Assessed(PrimaryLevel::NotCompleted) => "C",
        Exemptible::Exempt => "M",
    }
}

/// A stored level code back to its value.
pub fn level_from_code(code: &str) -> Option<Exemptible<PrimaryLevel>> {
    match code {
        "T" => Some(Exemptible::Assessed(PrimaryLevel::CompletedWell)),
        "H" => Some(Exemptible::Assessed(PrimaryLevel::Completed)),
        "C" => Some(Exemptible::Assessed(PrimaryLevel::NotCompleted)),
        "M" => Some(Exemptible::Exempt),
        _ => None,
    }
}

/// The short code of a rating as stored and typed: T, Đ, C.
pub fn rating_code(rating: Rating) -> &'static str {
    match rating {
        Rating::Good => "T",
        Rating::Achieved => "Đ",
        Rating::NeedsEffort => "C",
    }
}

pub fn rating_from_code(code: &str) -> Option<Rating> {
    match code {
        "T" => Some(Rating::Good),
        "Đ" => Some(Rating::Achieved),
        "C" => Some(Rating::NeedsEffort),
        _ => None,
    }
}

/// A test score as stored and shown: "9", or "M" (exempt).
pub fn test_code(test: &Exemptible<PeriodicTestScore>) -> String {
    match test {
        Exemptible::Assessed(score) => score.points().to_string(),
        Exemptible::Exempt => "M".into(),
    }
}

/// Parses a level: T/H/C, the full label (Hoàn thành tốt…), M for exempt;
/// empty clears it.
pub fn parse_level(text: &str) -> Result<Option<Exemptible<PrimaryLevel>>, String> {
    let text = hocba_text::clean_input(text);
    if text.is_empty() {
        return Ok(None);
    }
    if text.eq_ignore_ascii_case("M") {
        return Ok(Some(Exemptible::Exempt));
    }
    PrimaryLevel::from_label(&text)
        .map(|level| Some(Exemptible::Assessed(level)))
        .ok_or_else(|| {
            format!(
                "“{text}” không phải mức đạt được: nhập T (Hoàn thành tốt), H (Hoàn thành), C (Chưa hoàn thành), hoặc M nếu học sinh được miễn (Thông tư 27/2020 Điều 7 khoản 1)."
            )
        })
}

/// Parses a periodic test score: a whole number from 0 to 10 (no decimals,
/// regulations.md §3.2), or M for exempt; empty clears it. 0 is accepted
/// (TT27 does not settle it) and the summary flags it, as the assessment
/// library does (`tt27::ZERO_TEST_SCORE_ALLOWED`).
pub fn parse_test(text: &str) -> Result<Option<Exemptible<PeriodicTestScore>>, String> {
    let text = hocba_text::clean_input(text);
    if text.is_empty() {
        return Ok(None);
    }
    if text.eq_ignore_ascii_case("M") {
        return Ok(Some(Exemptible::Exempt));
    }
    let refusal = || {
        format!(
            "“{text}” không phải điểm kiểm tra định kỳ: nhập số nguyên từ 0 đến 10, không có phần thập phân (Thông tư 27/2020 Điều 7 khoản 1 điểm b), hoặc M nếu học sinh được miễn."
        )
    };
    if !text.chars().all(|c| c.is_ascii_digit()) || text.len() > 2 {
        return Err(refusal());
    }
    let points: u64 = text.parse().map_err(|_| refusal())?;
    PeriodicTestScore::new(points)
        .map(|score| Some(Exemptible::Assessed(score)))
        .map_err(|_| refusal())
}

/// Parses a quality or competency rating: T (Tốt), Đ (Đạt), C (Cần cố
/// gắng), or the full label; empty clears it.
pub fn parse_rating(text: &str) -> Result<Option<Rating>, String> {
    let text = hocba_text::clean_input(text);
    if text.is_empty() {
        return Ok(None);
    }
    Rating::from_label(&text).map(Some).ok_or_else(|| {
        format!(
            "“{text}” không phải mức đánh giá phẩm chất, năng lực: nhập T (Tốt), Đ (Đạt) hoặc C (Cần cố gắng) (Thông tư 27/2020 Điều 7 khoản 2)."
        )
    })
}

/// A teacher's comment: cleaned text, at most 2,000 characters.
pub fn check_comment(text: &str) -> Result<Option<String>, String> {
    let text = hocba_text::clean_input(text);
    if text.chars().count() > 2000 {
        return Err("Nhận xét tối đa 2.000 ký tự.".into());
    }
    Ok((!text.is_empty()).then_some(text))
}

/// What one student holds at one milestone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MilestoneValues {
    pub levels: BTreeMap<SubjectId, Exemptible<PrimaryLevel>>,
    pub tests: BTreeMap<SubjectId, Exemptible<PeriodicTestScore>>,
    /// In the order of [`rating_fields`].
    pub ratings: [Option<Rating>; RATINGS],
    pub comment: Option<String>,
    /// "Thành tích nổi bật hoặc có tiến bộ vượt bậc, được tập thể lớp công
    /// nhận" (TT27 Điều 12; end of year only).
    pub outstanding: bool,
}

/// What a teacher typed for one student (text, as from a form or JSON);
/// `None` leaves a value as it is, an empty text clears it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineInput {
    pub student: StudentId,
    pub expected_version: Option<i64>,
    pub levels: BTreeMap<SubjectId, String>,
    pub tests: BTreeMap<SubjectId, String>,
    /// Keyed by [`RatingField::key`].
    pub ratings: BTreeMap<String, String>,
    pub comment: Option<String>,
    pub outstanding: Option<bool>,
}

/// A checked change of one student's line: `Some(None)` clears a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineEdit {
    pub student: StudentId,
    pub expected_version: Option<i64>,
    pub levels: BTreeMap<SubjectId, Option<Exemptible<PrimaryLevel>>>,
    pub tests: BTreeMap<SubjectId, Option<Exemptible<PeriodicTestScore>>>,
    pub ratings: BTreeMap<usize, Option<Rating>>,
    pub comment: Option<Option<String>>,
    pub outstanding: Option<bool>,
}

impl LineInput {
    /// Nothing typed yet for `student`.
    pub fn new(student: StudentId) -> LineInput {
        LineInput {
            student,
            expected_version: None,
            levels: BTreeMap::new(),
            tests: BTreeMap::new(),
            ratings: BTreeMap::new(),
            comment: None,
            outstanding: None,
        }
    }
}

impl LineEdit {
    /// No change of `student`'s line yet.
    pub fn new(student: StudentId, expected_version: Option<i64>) -> LineEdit {
        LineEdit {
            student,
            expected_version,
            levels: BTreeMap::new(),
            tests: BTreeMap::new(),
            ratings: BTreeMap::new(),
            comment: None,
            outstanding: None,
        }
    }

    /// The values after this edit.
    pub fn apply(&self, before: &MilestoneValues) -> MilestoneValues {
        let mut after = before.clone();
        for (subject, level) in &self.levels {
            match level {
                Some(level) => after.levels.insert(*subject, level.clone()),
                None => after.levels.remove(subject),
            };
        }
        for (subject, test) in &self.tests {
            match test {
                Some(test) => after.tests.insert(*subject, test.clone()),
                None => after.tests.remove(subject),
            };
        }
        for (index, rating) in &self.ratings {
            after.ratings[*index] = *rating;
        }
        if let Some(comment) = &self.comment {
            after.comment = comment.clone();
        }
        if let Some(outstanding) = self.outstanding {
            after.outstanding = outstanding;
        }
        after
    }
}

/// Who may change what on a line: the homeroom teacher (or an administrator)
/// everything, a subject teacher only the levels and tests of their subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryScope {
    Class,
    Subject(SubjectId),
}

/// A student of the class, for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedStudent {
    pub id: StudentId,
    pub name: String,
}

/// Checks what was typed for a class at a milestone. Every error names the
/// row (the student) and the column (the subject, test, quality or
/// competency) and the rule; with any error nothing is saved.
pub fn check_lines(
    grade: Grade,
    milestone: Milestone,
    subjects: &[PrimarySubjectInfo],
    students: &[NamedStudent],
    scope: EntryScope,
    inputs: &[LineInput],
) -> Result<Vec<LineEdit>, FieldErrors> {
    let mut errors = FieldErrors::default();
    let fields = rating_fields();
    let mut edits = Vec::new();
    for (row, input) in inputs.iter().enumerate() {
        let prefix = format!("students[{row}]");
        let Some(student) = students.iter().find(|s| s.id == input.student) else {
            errors.push(
                &format!("{prefix}.student_id"),
                "Học sinh",
                format!(
                    "Học sinh mã {} không đang học ở lớp này: tải lại trang để có danh sách lớp hiện tại.",
                    input.student
                ),
            );
            continue;
        };
        let who = &student.name;
        let mut edit = LineEdit::new(input.student, input.expected_version);
        let subject_allowed = |subject: SubjectId| match scope {
            EntryScope::Class => true,
            EntryScope::Subject(own) => own == subject,
        };
        for (kind, values) in [("levels", &input.levels), ("tests", &input.tests)] {
            for (subject_id, text) in values {
                let field = format!("{prefix}.{kind}.{subject_id}");
                let Some(subject) = subjects.iter().find(|s| s.id == *subject_id) else {
                    errors.push(
                        &field,
                        &format!("{who} — môn mã {subject_id}"),
                        "Môn học này không thuộc khối của lớp.",
                    );
                    continue;
                };
                let column = if kind == "levels" {
                    format!("{} (mức đạt được)", subject.name)
                } else {
                    format!("{} (điểm kiểm tra định kỳ)", subject.name)
                };
                let label = format!("{who} — {column}");
                if !subject_allowed(*subject_id) {
                    errors.push(
                        &field,
                        &label,
                        "Giáo viên bộ môn chỉ nhập mức đạt được và điểm kiểm tra của môn mình được phân công; môn khác do giáo viên chủ nhiệm lớp nhập.",
                    );
                    continue;
                }
                if kind == "levels" {
                    match parse_level(text) {
                        Ok(level) => {
                            edit.levels.insert(*subject_id, level);
                        }
                        Err(message) => errors.push(&field, &label, message),
                    }
                } else {
                    match parse_test(text) {
                        Ok(Some(_)) if !subject.has_test(grade, milestone) => errors.push(
                            &field,
                            &label,
                            format!(
                                "Môn {} khối {} không có bài kiểm tra định kỳ {} (Thông tư 27/2020 Điều 7 khoản 1 điểm b): để trống ô này.",
                                subject.name,
                                grade.value(),
                                milestone.vietnamese()
                            ),
                        ),
                        Ok(test) => {
                            edit.tests.insert(*subject_id, test);
                        }
                        Err(message) => errors.push(&field, &label, message),
                    }
                }
            }
        }
        let class_only = |errors: &mut FieldErrors, field: &str, label: &str| {
            errors.push(
                field,
                label,
                "Phẩm chất, năng lực và nhận xét do giáo viên chủ nhiệm lớp nhập (Thông tư 27/2020 Điều 7 khoản 2).",
            );
        };
        for (key, text) in &input.ratings {
            let field = format!("{prefix}.ratings.{key}");
            let Some(index) = fields.iter().position(|f| f.key == key) else {
                errors.push(
                    &field,
                    &format!("{who} — {key}"),
                    "Không có phẩm chất hay năng lực này trong Thông tư 27/2020 Điều 7 khoản 2.",
                );
                continue;
            };
            let label = format!(
                "{who} — {} {}",
                if fields[index].quality {
                    "phẩm chất"
                } else {
                    "năng lực"
                },
                fields[index].label
            );
            if scope != EntryScope::Class {
                class_only(&mut errors, &field, &label);
                continue;
            }
            match parse_rating(text) {
                Ok(rating) => {
                    edit.ratings.insert(index, rating);
                }
                Err(message) => errors.push(&field, &label, message),
            }
        }
        if let Some(text) = &input.comment {
            let field = format!("{prefix}.comment");
            let label = format!("{who} — nhận xét");
            if scope != EntryScope::Class {
                class_only(&mut errors, &field, &label);
            } else {
                match check_comment(text) {
                    Ok(comment) => edit.comment = Some(comment),
                    Err(message) => errors.push(&field, &label, message),
                }
            }
        }
        if let Some(outstanding) = input.outstanding {
            let field = format!("{prefix}.outstanding");
            let label = format!("{who} — thành tích nổi bật");
            if scope != EntryScope::Class {
                class_only(&mut errors, &field, &label);
            } else if outstanding && milestone != Milestone::EndOfYear {
                errors.push(
                    &field,
                    &label,
                    "Thành tích nổi bật (để khen thưởng Học sinh Tiêu biểu) chỉ ghi ở thời điểm cuối năm học (Thông tư 27/2020 Điều 12).",
                );
            } else {
                edit.outstanding = Some(outstanding);
            }
        }
        edits.push(edit);
    }
    errors.into_result(edits)
}

/// One reason on a summary line: the article and the sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrimaryReason {
    pub citation: String,
    pub sentence: String,
}

/// One student's line of a milestone's summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrimarySummaryLine {
    pub student_id: StudentId,
    pub full_name: String,
    /// Every value the milestone needs is there.
    pub complete: bool,
    /// What is missing, in Vietnamese.
    pub missing: Vec<String>,
    /// End of year: "Hoàn thành xuất sắc", "Hoàn thành tốt", "Hoàn thành",
    /// "Chưa hoàn thành".
    pub result: Option<String>,
    pub class_completed: Option<bool>,
    /// Grade 5 only.
    pub programme_completed: Option<bool>,
    pub award: Option<String>,
    /// "Được lên lớp" or "Chưa hoàn thành chương trình lớp học…".
    pub promotion: Option<String>,
    pub reasons: Vec<PrimaryReason>,
}

/// A student of the class with what they hold at each milestone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StudentMilestones {
    pub id: StudentId,
    pub full_name: String,
    pub values: BTreeMap<Milestone, MilestoneValues>,
}

/// What is missing for a milestone: a level for every subject, a test
/// score where one is due (unless the subject is exempt), the 15 ratings.
fn missing_at(
    grade: Grade,
    milestone: Milestone,
    subjects: &[PrimarySubjectInfo],
    values: Option<&MilestoneValues>,
) -> Vec<String> {
    let empty = MilestoneValues::default();
    let values = values.unwrap_or(&empty);
    let mut missing = Vec::new();
    for subject in subjects {
        let level = values.levels.get(&subject.id);
        if level.is_none() {
            missing.push(format!(
                "Môn {}: chưa có mức đạt được {}.",
                subject.name,
                milestone.vietnamese()
            ));
        }
        let exempt = matches!(level, Some(Exemptible::Exempt));
        if subject.has_test(grade, milestone) && !exempt && !values.tests.contains_key(&subject.id)
        {
            missing.push(format!(
                "Môn {}: chưa có điểm kiểm tra định kỳ {} (Thông tư 27/2020 Điều 7 khoản 1 điểm b).",
                subject.name,
                milestone.vietnamese()
            ));
        }
    }
    let fields = rating_fields();
    let unrated: Vec<&str> = fields
        .iter()
        .zip(values.ratings)
        .filter(|(_, rating)| rating.is_none())
        .map(|(field, _)| field.label)
        .collect();
    if !unrated.is_empty() {
        missing.push(format!(
            "Chưa đánh giá {} phẩm chất, năng lực {}: {}.",
            unrated.len(),
            milestone.vietnamese(),
            unrated.join(", ")
        ));
    }
    missing
}

/// The student-year as `hocba_assessment::tt27` takes it, from the stored
/// values of the four milestones (subjects in the order given).
pub fn tt27_student(
    grade: Grade,
    subjects: &[PrimarySubjectInfo],
    values: &BTreeMap<Milestone, MilestoneValues>,
) -> Option<Tt27Student> {
    let grade = assessed_grade(grade)?;
    let records = subjects
        .iter()
        .map(|subject| {
            let mut levels = ByPeriod::default();
            let mut tests = ByPeriod::default();
            for (milestone, at) in values {
                if let Some(level) = at.levels.get(&subject.id) {
                    levels.set(*milestone, level.clone());
                }
                if let Some(test) = at.tests.get(&subject.id) {
                    tests.set(*milestone, test.clone());
                }
            }
            PrimarySubjectRecord {
                name: subject.name.clone(),
                levels,
                tests,
            }
        })
        .collect();
    let mut ratings = ByPeriod::default();
    for (milestone, at) in values {
        if at.ratings.iter().all(Option::is_some) {
            let all: Vec<Rating> = at.ratings.iter().flatten().copied().collect();
            let mut qualities = [Rating::NeedsEffort; 5];
            let mut competencies = [Rating::NeedsEffort; 10];
            qualities.copy_from_slice(&all[..5]);
            competencies.copy_from_slice(&all[5..]);
            ratings.set(
                *milestone,
                Ratings {
                    qualities,
                    competencies,
                },
            );
        }
    }
    Some(Tt27Student {
        grade,
        subjects: records,
        ratings,
        outstanding_achievement: values
            .get(&Milestone::EndOfYear)
            .is_some_and(|v| v.outstanding),
    })
}

fn count_sentence<T: Eq>(values: &[T], order: &[(T, &str)]) -> String {
    order
        .iter()
        .map(|(value, label)| {
            let n = values.iter().filter(|v| *v == value).count();
            (n, label)
        })
        .filter(|(n, _)| *n > 0)
        .map(|(n, label)| format!("{n} {label}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One student's summary at a milestone. At the end of the year the
/// education result, class (and primary-programme) completion and the
/// award are `hocba_assessment::tt27::evaluate`'s, with its reasons; at the
/// other milestones the summary is the record itself (TT27 Điều 7): what is
/// missing, and the levels and ratings counted.
pub fn summarise_student(
    grade: Grade,
    milestone: Milestone,
    subjects: &[PrimarySubjectInfo],
    student: &StudentMilestones,
) -> PrimarySummaryLine {
    let at = student.values.get(&milestone);
    let missing = missing_at(grade, milestone, subjects, at);
    let mut line = PrimarySummaryLine {
        student_id: student.id,
        full_name: student.full_name.clone(),
        complete: missing.is_empty(),
        missing,
        result: None,
        class_completed: None,
        programme_completed: None,
        award: None,
        promotion: None,
        reasons: Vec::new(),
    };
    if !line.complete {
        return line;
    }
    if milestone != Milestone::EndOfYear {
        let values = at.cloned().unwrap_or_default();
        let levels: Vec<Exemptible<PrimaryLevel>> = values.levels.values().cloned().collect();
        line.reasons.push(PrimaryReason {
            citation: "Thông tư 27/2020, Điều 7 khoản 1".into(),
            sentence: format!(
                "{}: {} môn học và hoạt động giáo dục — {}.",
                milestone_title(milestone),
                levels.len(),
                count_sentence(
                    &levels,
                    &[
                        (
                            Exemptible::Assessed(PrimaryLevel::CompletedWell),
                            "Hoàn thành tốt"
                        ),
                        (Exemptible::Assessed(PrimaryLevel::Completed), "Hoàn thành"),
                        (
                            Exemptible::Assessed(PrimaryLevel::NotCompleted),
                            "Chưa hoàn thành"
                        ),
                        (Exemptible::Exempt, "miễn"),
                    ]
                )
            ),
        });
        let ratings: Vec<Rating> = values.ratings.iter().flatten().copied().collect();
        line.reasons.push(PrimaryReason {
            citation: "Thông tư 27/2020, Điều 7 khoản 2".into(),
            sentence: format!(
                "Phẩm chất và năng lực: {}.",
                count_sentence(
                    &ratings,
                    &[
                        (Rating::Good, "Tốt"),
                        (Rating::Achieved, "Đạt"),
                        (Rating::NeedsEffort, "Cần cố gắng"),
                    ]
                )
            ),
        });
        for subject in subjects {
            if let Some(Exemptible::Assessed(score)) = values.tests.get(&subject.id)
                && score.points() == 0
            {
                line.reasons.push(PrimaryReason {
                    citation: "Thông tư 27/2020, Điều 7 khoản 1 điểm b".into(),
                    sentence: format!(
                        "Điểm kiểm tra định kỳ môn {} {} là 0: Thông tư 27/2020 chưa quy định rõ điểm 0, hãy kiểm tra lại.",
                        subject.name,
                        milestone.vietnamese()
                    ),
                });
            }
        }
        return line;
    }
    let Some(record) = tt27_student(grade, subjects, &student.values) else {
        line.complete = false;
        line.missing
            .push(format!("Khối {} không phải khối tiểu học.", grade.value()));
        return line;
    };
    match tt27::evaluate(&record) {
        Ok(evaluation) => {
            line.result = Some(evaluation.result.label().to_owned());
            line.class_completed = Some(evaluation.class_completed);
            line.programme_completed = evaluation.primary_programme_completed;
            line.award = evaluation.award.map(|a| a.label().to_owned());
            line.promotion = Some(if evaluation.class_completed {
                "Hoàn thành chương trình lớp học, được lên lớp".to_owned()
            } else {
                "Chưa hoàn thành chương trình lớp học: giáo viên hỗ trợ và đánh giá bổ sung; nếu vẫn chưa hoàn thành, báo cáo hiệu trưởng xét lên lớp hoặc ở lại lớp (Thông tư 27/2020 Điều 11)".to_owned()
            });
            line.reasons = evaluation
                .reasons
                .iter()
                .map(|reason| PrimaryReason {
                    citation: reason.citation.to_owned(),
                    sentence: reason.sentence.clone(),
                })
                .collect();
        }
        Err(error) => {
            line.complete = false;
            line.missing.push(format!(
                "Chưa tính được kết quả giáo dục ({}): {error}",
                error.path()
            ));
        }
    }
    line
}

/// The counts of a milestone's summary for the class.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PrimaryCounts {
    pub students: usize,
    pub complete: usize,
    /// End of year: students per education result label.
    pub results: BTreeMap<String, usize>,
    pub awards: BTreeMap<String, usize>,
}

pub fn counts(lines: &[PrimarySummaryLine]) -> PrimaryCounts {
    let mut counts = PrimaryCounts {
        students: lines.len(),
        ..PrimaryCounts::default()
    };
    for line in lines {
        if line.complete {
            counts.complete += 1;
        }
        if let Some(result) = &line.result {
            *counts.results.entry(result.clone()).or_default() += 1;
        }
        if let Some(award) = &line.award {
            *counts.awards.entry(award.clone()).or_default() += 1;
        }
    }
    counts
}

/// Whether a class's book may be closed at `milestone` ("xác nhận hoàn
/// thành đánh giá, khóa sổ"): only at the end of a semester (cuối học kỳ I
/// closes semester I, cuối năm học semester II), and only once every
/// student's line is complete (at the end of the year: decided by the
/// library). Otherwise why, naming up to five students.
pub fn check_close(
    class_name: &str,
    milestone: Milestone,
    lines: &[PrimarySummaryLine],
) -> Result<(), String> {
    if matches!(milestone, Milestone::MidS1 | Milestone::MidS2) {
        return Err(format!(
            "Sổ được khóa theo học kỳ: hãy xác nhận ở thời điểm cuối học kỳ I hoặc cuối năm học, không ở {}.",
            milestone.vietnamese()
        ));
    }
    if lines.is_empty() {
        return Err(format!(
            "Lớp {class_name} chưa có học sinh đang học nên không có gì để xác nhận."
        ));
    }
    let incomplete: Vec<&PrimarySummaryLine> = lines.iter().filter(|l| !l.complete).collect();
    if incomplete.is_empty() {
        return Ok(());
    }
    let named: Vec<String> = incomplete
        .iter()
        .take(5)
        .map(|line| {
            format!(
                "{} ({})",
                line.full_name,
                line.missing.first().map(String::as_str).unwrap_or_default()
            )
        })
        .collect();
    let more = incomplete.len() - named.len();
    Err(format!(
        "Chưa xác nhận hoàn thành đánh giá {} lớp {class_name} được: {} học sinh chưa đủ đánh giá — {}{}. Hãy nhập đủ rồi xác nhận lại.",
        milestone.vietnamese(),
        incomplete.len(),
        named.join("; "),
        if more > 0 {
            format!(" và {more} học sinh khác")
        } else {
            String::new()
        }
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grade(n: u8) -> Grade {
        Grade::new(n).unwrap()
    }

    fn subjects() -> Vec<PrimarySubjectInfo> {
        ["Tiếng Việt", "Toán", "Đạo đức", "Khoa học"]
            .iter()
            .enumerate()
            .map(|(i, name)| PrimarySubjectInfo {
                id: SubjectId(i as i64 + 1),
                name: (*name).into(),
            })
            .collect()
    }

    #[test]
    fn values_are_parsed_or_refused_with_the_rule() {
        assert_eq!(
            parse_level("t").unwrap(),
            Some(Exemptible::Assessed(PrimaryLevel::CompletedWell))
        );
        assert_eq!(
            parse_level("Hoàn thành").unwrap(),
            Some(Exemptible::Assessed(PrimaryLevel::Completed))
        );
        assert_eq!(parse_level(" ").unwrap(), None);
        assert!(parse_level("X").unwrap_err().contains("Điều 7"));
        assert_eq!(test_code(&parse_test("10").unwrap().unwrap()), "10");
        assert!(parse_test("8,5").is_err());
        assert!(parse_test("11").is_err());
        assert!(parse_test("-1").is_err());
        assert_eq!(parse_rating("Đ").unwrap(), Some(Rating::Achieved));
        assert_eq!(
            parse_rating("Cần cố gắng").unwrap(),
            Some(Rating::NeedsEffort)
        );
        assert!(parse_rating("H").is_err());
        for code in ["T", "H", "C", "M"] {
            assert_eq!(level_code(&level_from_code(code).unwrap()), code);
        }
        for code in ["T", "Đ", "C"] {
            assert_eq!(rating_code(rating_from_code(code).unwrap()), code);
        }
        assert_eq!(
            parse_milestone("end_of_year").unwrap(),
            Milestone::EndOfYear
        );
        assert!(parse_milestone("cuoi").is_err());
        assert_eq!(milestone_semester(Milestone::MidS2), Semester::S2);
    }

    #[test]
    fn errors_name_the_student_and_the_column() {
        let students = vec![NamedStudent {
            id: StudentId(7),
            name: "Nguyễn An".into(),
        }];
        let mut input = LineInput::new(StudentId(7));
        input.levels.insert(SubjectId(2), "Giỏi".into());
        input.tests.insert(SubjectId(3), "9".into());
        input.ratings.insert("kindness".into(), "T".into());
        let errors = check_lines(
            grade(4),
            Milestone::EndOfYear,
            &subjects(),
            &students,
            EntryScope::Class,
            std::slice::from_ref(&input),
        )
        .unwrap_err();
        assert_eq!(errors.0.len(), 2, "{errors}");
        assert_eq!(errors.0[0].field, "students[0].levels.2");
        assert_eq!(errors.0[0].label, "Nguyễn An — Toán (mức đạt được)");
        assert!(errors.0[1].message.contains("Đạo đức"));
        // A subject teacher may not touch another subject or the ratings.
        let mut input = LineInput::new(StudentId(7));
        input.levels.insert(SubjectId(1), "T".into());
        input.ratings.insert("kindness".into(), "T".into());
        let errors = check_lines(
            grade(4),
            Milestone::EndOfYear,
            &subjects(),
            &students,
            EntryScope::Subject(SubjectId(2)),
            &[input],
        )
        .unwrap_err();
        assert_eq!(errors.0.len(), 2, "{errors}");
    }

    #[test]
    fn the_year_summary_is_the_librarys() {
        let subjects = subjects();
        let mut values = MilestoneValues::default();
        for subject in &subjects {
            values.levels.insert(
                subject.id,
                Exemptible::Assessed(PrimaryLevel::CompletedWell),
            );
        }
        for id in [1, 2, 4] {
            values.tests.insert(
                SubjectId(id),
                Exemptible::Assessed(PeriodicTestScore::new(9).unwrap()),
            );
        }
        values.ratings = [Some(Rating::Good); RATINGS];
        let student = StudentMilestones {
            id: StudentId(1),
            full_name: "Lê Bình".into(),
            values: BTreeMap::from([(Milestone::EndOfYear, values.clone())]),
        };
        let line = summarise_student(grade(4), Milestone::EndOfYear, &subjects, &student);
        assert!(line.complete, "{:?}", line.missing);
        let direct =
            tt27::evaluate(&tt27_student(grade(4), &subjects, &student.values).unwrap()).unwrap();
        assert_eq!(line.result.as_deref(), Some(direct.result.label()));
        assert_eq!(line.result.as_deref(), Some("Hoàn thành xuất sắc"));
        assert_eq!(line.reasons.len(), direct.reasons.len());
        // One rating missing: incomplete, and the summary says which.
        let mut partial = student.clone();
        partial
            .values
            .get_mut(&Milestone::EndOfYear)
            .unwrap()
            .ratings[3] = None;
        let line = summarise_student(grade(4), Milestone::EndOfYear, &subjects, &partial);
        assert!(!line.complete);
        assert!(line.missing[0].contains("Trung thực"), "{:?}", line.missing);
        assert_eq!(line.result, None);
        // Closing: only at the end of a semester, only when complete.
        assert!(check_close("4A", Milestone::MidS1, std::slice::from_ref(&line)).is_err());
        let why = check_close("4A", Milestone::EndOfYear, std::slice::from_ref(&line)).unwrap_err();
        assert!(why.contains("Lê Bình (Chưa đánh giá 1 phẩm chất"), "{why}");
        let done = summarise_student(grade(4), Milestone::EndOfYear, &subjects, &student);
        assert_eq!(check_close("4A", Milestone::EndOfYear, &[done]), Ok(()));
        // Mid-term: grade 4 Toán has a test, Khoa học does not.
        let mid = summarise_student(grade(4), Milestone::MidS1, &subjects, &student);
        assert!(
            mid.missing.iter().any(|m| m.contains("Toán")),
            "{:?}",
            mid.missing
        );
    }
}
