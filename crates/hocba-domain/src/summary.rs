//! Tổng kết (term summary) of a lower or upper secondary class, from its
//! gradebook, computed by `hocba_assessment` and never a second time here:
//! subject averages of the semester (and of the year), learning and training
//! results, the award, the promotion decision with the summer retest and
//! summer training, each student with the reasons of the library.
//!
//! What this module adds to the library is the shape of a school's data:
//! cells of the gradebook or averages brought by a transferred-in student,
//! what is still missing before a line can be computed (named, in
//! Vietnamese), the class's counts and the distribution of subject averages,
//! and the rules of closing the book (`close_term`).
//!
//! Interpretations (docs/assessment.md has the library's):
//! * The semester I summary asks the library for the semester I results
//!   only: it evaluates a year whose second semester repeats the first and
//!   keeps the semester I values and the semester I reasons (no semester I
//!   value depends on semester II). Awards and promotion are decided at the
//!   end of the year (TT22 Điều 12–15), so only the semester II summary
//!   (tổng kết cuối năm) carries them.
//! * Absences (số buổi nghỉ) not yet entered count as 0, and the line says so.
//! * A transferred-in student's semester I average entered from the previous
//!   school's record is used instead of the columns of this school.
//! * Primary classes (TT27: levels, periodic tests, qualities and
//!   competencies at four milestones) need inputs hocba does not hold yet,
//!   and TT58 classes (school years before 2024-2025) are not summarised:
//!   both are refused with the reason.

use crate::curriculum::SubjectMode;
use crate::gradebook::{self, CellValue, Column, PlanSubject, Semester};
use crate::ids::{StudentId, SubjectId};
use crate::level::Grade;
use crate::school::SchoolYear;
use hocba_assessment::label::Label;
use hocba_assessment::outcome::Promotion;
use hocba_assessment::reason::Reason;
use hocba_assessment::secondary::{
    ColumnKind, CommentedAssessments, CommentedResult, CommentedTerm, Exemptible, ScoredTerm,
    SubjectGrades, SubjectRecord, SubjectValue, TermColumns,
};
use hocba_assessment::tt22::{self, TrainingInput, TrainingResult, Tt22Student};
use hocba_assessment::{Evaluation, Regime, StudentRecord, Term};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A subject of the class's grade, as the summary needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummarySubject {
    pub id: SubjectId,
    pub name: String,
    pub mode: SubjectMode,
    pub periods_per_year: u16,
}

impl SummarySubject {
    fn required_regular(&self) -> u8 {
        PlanSubject {
            name: self.name.clone(),
            mode: self.mode,
            periods_per_year: self.periods_per_year,
        }
        .required_regular()
    }
}

/// Where a subject's semester value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TermSource {
    /// The cells of this school's gradebook.
    Cells(Vec<(Column, CellValue)>),
    /// An average (or Đ/CĐ/M) entered from the previous school's record of
    /// a transferred-in student.
    Entered(CellValue),
}

/// One subject of one student.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectInput {
    pub s1: TermSource,
    pub s2: TermSource,
    /// The summer retest (kiểm tra lại), if taken.
    pub retest: Option<CellValue>,
}

/// Everything the summary reads about one student.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StudentInput {
    pub id: StudentId,
    pub full_name: String,
    /// Parallel to the class's subjects.
    pub subjects: Vec<SubjectInput>,
    /// Kết quả rèn luyện of semester I and II.
    pub training: [Option<TrainingResult>; 2],
    /// The homeroom teacher's comment of the summarised semester.
    pub comment: Option<String>,
    /// Sessions absent in the year.
    pub absences: Option<u16>,
    /// Re-evaluation of the training result after summer training.
    pub summer_training: Option<TrainingResult>,
}

/// A subject's values on a summary line: "7.8", "Đ", "CĐ", "M".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubjectLine {
    pub subject_id: SubjectId,
    pub name: String,
    pub mode: SubjectMode,
    pub s1: Option<String>,
    pub s2: Option<String>,
    pub year: Option<String>,
    pub retest: Option<String>,
    /// The semester I value was brought by a transferred-in student.
    pub transferred: bool,
    /// Why a value is missing.
    pub missing: Option<String>,
}

/// One reason of the assessment library, as stored and shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReasonLine {
    /// "học kỳ I", "học kỳ II", "cả năm", or none.
    pub term: Option<String>,
    pub citation: String,
    pub sentence: String,
}

impl ReasonLine {
    fn from_reason(reason: &Reason) -> ReasonLine {
        ReasonLine {
            term: reason.term.map(|t| t.vietnamese().to_owned()),
            citation: reason.citation.to_owned(),
            sentence: reason.sentence.clone(),
        }
    }

    fn note(citation: &str, sentence: String) -> ReasonLine {
        ReasonLine {
            term: Some(Term::Year.vietnamese().to_owned()),
            citation: citation.to_owned(),
            sentence,
        }
    }
}

/// Labels per term ("Tốt", "Khá"…), and the value after the retest (learning)
/// or after summer training (training).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermLabels {
    pub s1: Option<String>,
    pub s2: Option<String>,
    pub year: Option<String>,
    pub after: Option<String>,
}

/// One student's line of the summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StudentSummary {
    pub student_id: StudentId,
    pub full_name: String,
    /// Every value needed was there and the library decided.
    pub complete: bool,
    /// What is missing, in Vietnamese (empty when complete).
    pub missing: Vec<String>,
    pub subjects: Vec<SubjectLine>,
    pub learning: TermLabels,
    pub training: TermLabels,
    /// "Học sinh Xuất sắc", "Học sinh Giỏi" (semester II summary only).
    pub award: Option<String>,
    /// `Promotion` code: promoted, retest, summer_training, retained.
    pub promotion: Option<String>,
    pub promotion_label: Option<String>,
    pub retest_subjects: Vec<String>,
    pub absences: Option<u16>,
    pub comment: Option<String>,
    pub reasons: Vec<ReasonLine>,
}

impl StudentSummary {
    /// The learning result the summary of `semester` ends with: semester I's,
    /// or the year's (after the retest when there was one).
    pub fn learning_result(&self, semester: Semester) -> Option<&str> {
        match semester {
            Semester::S1 => self.learning.s1.as_deref(),
            Semester::S2 => self
                .learning
                .after
                .as_deref()
                .or(self.learning.year.as_deref()),
        }
    }

    /// The training result the summary of `semester` ends with.
    pub fn training_result(&self, semester: Semester) -> Option<&str> {
        match semester {
            Semester::S1 => self.training.s1.as_deref(),
            Semester::S2 => self
                .training
                .after
                .as_deref()
                .or(self.training.year.as_deref()),
        }
    }

    /// The value of a subject that the summary of `semester` ends with.
    pub fn subject_value(&self, index: usize, semester: Semester) -> Option<&str> {
        let line = self.subjects.get(index)?;
        match semester {
            Semester::S1 => line.s1.as_deref(),
            Semester::S2 => line.year.as_deref(),
        }
    }

    /// The "Ghi chú" of the class summary sheet (.xlsx and PDF alike): the
    /// retest subjects, a semester I brought from the previous school and
    /// the homeroom comment; or, for an incomplete line, what is missing.
    pub fn sheet_note(&self) -> String {
        if !self.complete {
            return format!("Chưa đủ kết quả: {}", self.missing.join(" "));
        }
        let mut note = Vec::new();
        if !self.retest_subjects.is_empty() {
            note.push(format!("Kiểm tra lại: {}", self.retest_subjects.join(", ")));
        }
        if self.subjects.iter().any(|s| s.transferred) {
            note.push("HK I mang từ trường cũ".into());
        }
        if let Some(comment) = &self.comment {
            note.push(comment.clone());
        }
        note.join("; ")
    }
}

/// The regime of a class's summary, or why the class is not summarised.
pub fn summary_regime(grade: Grade, year: SchoolYear, class_name: &str) -> Result<Regime, String> {
    if grade.value() <= 5 {
        return Err(format!(
            "Lớp {class_name} là lớp tiểu học, đánh giá theo Thông tư 27/2020: không tổng kết theo điểm trung bình môn. Mức đạt được từng môn, điểm kiểm tra định kỳ, phẩm chất, năng lực và tổng hợp ở bốn thời điểm (giữa và cuối mỗi học kỳ) ở trang Đánh giá tiểu học của lớp (mở từ trang của lớp)."
        ));
    }
    match gradebook::gradebook_regime(grade, year, class_name)? {
        Regime::Tt22 => Ok(Regime::Tt22),
        other => Err(format!(
            "Lớp {class_name} năm học {} được đánh giá theo {}: hocba tổng kết theo Thông tư 22/2021 (từ năm học 2024-2025 mọi khối THCS, THPT); tổng kết theo thông tư cũ chưa làm được trên hocba.",
            year.label(),
            other.citation()
        )),
    }
}

/// One semester of one subject as the library takes it, or why not yet.
fn library_term(
    subject: &SummarySubject,
    semester: Semester,
    source: &TermSource,
) -> Result<Exemptible<LibraryTerm>, String> {
    let values = match source {
        TermSource::Entered(value) => {
            let value = value.fits(subject.mode, &subject.name).map_err(|e| {
                format!(
                    "điểm trung bình {} mang từ trường cũ không hợp: {}",
                    semester.label(),
                    e.0
                )
            })?;
            return Ok(match value {
                CellValue::Exempt => Exemptible::Exempt,
                CellValue::Score(score) => {
                    Exemptible::Assessed(LibraryTerm::Scored(ScoredTerm::Average(score)))
                }
                CellValue::Commented(result) => {
                    Exemptible::Assessed(LibraryTerm::Commented(CommentedTerm::Result(result)))
                }
            });
        }
        TermSource::Cells(values) => values,
    };
    // The gradebook's own check names what is missing (and refuses M mixed
    // with scores); its value is the library's, so only the shape is kept.
    if let Exemptible::Exempt = gradebook::semester_value(
        subject.mode,
        Regime::Tt22,
        subject.required_regular(),
        values,
    )? {
        return Ok(Exemptible::Exempt);
    }
    let mut sorted: Vec<&(Column, CellValue)> = values.iter().collect();
    sorted.sort_by_key(|(column, _)| column.order());
    let mismatch = || {
        "có giá trị không hợp với hình thức đánh giá của môn (điểm số lẫn Đ/CĐ); hãy sửa các ô đó."
            .to_owned()
    };
    match subject.mode {
        SubjectMode::Scored => {
            let mut regular = Vec::new();
            let (mut midterm, mut end_of_term) = (None, None);
            for (column, value) in sorted {
                let CellValue::Score(score) = value else {
                    return Err(mismatch());
                };
                match column.kind {
                    ColumnKind::Regular => regular.push(*score),
                    ColumnKind::Midterm => midterm = Some(*score),
                    ColumnKind::Final => end_of_term = Some(*score),
                }
            }
            let (Some(midterm), Some(end_of_term)) = (midterm, end_of_term) else {
                return Err(mismatch());
            };
            Ok(Exemptible::Assessed(LibraryTerm::Scored(
                ScoredTerm::Columns(TermColumns {
                    regular,
                    midterm,
                    end_of_term,
                }),
            )))
        }
        SubjectMode::Commented => {
            let mut regular = Vec::new();
            let (mut midterm, mut end_of_term) = (None, None);
            for (column, value) in sorted {
                let CellValue::Commented(result) = value else {
                    return Err(mismatch());
                };
                match column.kind {
                    ColumnKind::Regular => regular.push(*result),
                    ColumnKind::Midterm => midterm = Some(*result),
                    ColumnKind::Final => end_of_term = Some(*result),
                }
            }
            let (Some(midterm), Some(end_of_term)) = (midterm, end_of_term) else {
                return Err(mismatch());
            };
            Ok(Exemptible::Assessed(LibraryTerm::Commented(
                CommentedTerm::Assessments(CommentedAssessments {
                    regular,
                    midterm,
                    end_of_term,
                }),
            )))
        }
    }
}

#[derive(Debug, Clone)]
enum LibraryTerm {
    Scored(ScoredTerm),
    Commented(CommentedTerm),
}

/// The value of a semester as the gradebook computes it, for lines that
/// cannot be decided yet.
fn preview_value(
    subject: &SummarySubject,
    source: &TermSource,
) -> Result<Exemptible<SubjectValue>, String> {
    match source {
        TermSource::Entered(value) => match value.fits(subject.mode, &subject.name) {
            Ok(CellValue::Exempt) => Ok(Exemptible::Exempt),
            Ok(CellValue::Score(score)) => Ok(Exemptible::Assessed(SubjectValue::Scored(score))),
            Ok(CellValue::Commented(result)) => {
                Ok(Exemptible::Assessed(SubjectValue::Commented(result)))
            }
            Err(error) => Err(error.0),
        },
        TermSource::Cells(values) => gradebook::semester_value(
            subject.mode,
            Regime::Tt22,
            subject.required_regular(),
            values,
        ),
    }
}

fn exemptible_code(value: &Exemptible<SubjectValue>) -> String {
    gradebook::value_code(value)
}

/// Summarises one student for `semester` (I: the semester; II: the
/// semester and the year, with award and promotion). Pure.
pub fn summarise_student(
    grade: Grade,
    semester: Semester,
    subjects: &[SummarySubject],
    input: &StudentInput,
) -> StudentSummary {
    let mut missing = Vec::new();
    let mut lines = Vec::with_capacity(subjects.len());
    let mut records = Vec::with_capacity(subjects.len());
    let mut notes = Vec::new();
    let semesters: &[Semester] = match semester {
        Semester::S1 => &[Semester::S1],
        Semester::S2 => &[Semester::S1, Semester::S2],
    };
    if subjects.is_empty() {
        missing.push(format!(
            "Khối {} chưa có môn học nào trong năm học này; hãy khai báo môn học.",
            grade.value()
        ));
    }
    for (subject, given) in subjects.iter().zip(&input.subjects) {
        let mut line = SubjectLine {
            subject_id: subject.id,
            name: subject.name.clone(),
            mode: subject.mode,
            s1: None,
            s2: None,
            year: None,
            retest: given.retest.map(CellValue::code),
            transferred: matches!(given.s1, TermSource::Entered(_)),
            missing: None,
        };
        let mut terms = Vec::new();
        let mut previews = Vec::new();
        let mut why = Vec::new();
        for &term in semesters {
            let source = if term == Semester::S1 {
                &given.s1
            } else {
                &given.s2
            };
            let preview = preview_value(subject, source);
            match library_term(subject, term, source) {
                Ok(value) => terms.push(value),
                Err(reason) => why.push(format!("{}: {reason}", capitalised(term.label()))),
            }
            previews.push(preview.ok());
        }
        line.s1 = previews
            .first()
            .cloned()
            .flatten()
            .map(|v| exemptible_code(&v));
        if let [Some(first), Some(second)] = previews.as_slice() {
            line.s2 = Some(exemptible_code(second));
            line.year = Some(exemptible_code(&gradebook::year_value(first, second)));
        } else if let Some(Some(second)) = previews.get(1) {
            line.s2 = Some(exemptible_code(second));
        }
        if !why.is_empty() {
            let text = why.join(" ");
            missing.push(format!("Môn {}: {text}", subject.name));
            line.missing = Some(text);
        } else {
            let first = terms[0].clone();
            let second = terms.get(1).cloned().unwrap_or_else(|| first.clone());
            match library_grades(subject, first, second, given.retest, semester, &mut notes) {
                Ok(grades) => records.push(SubjectRecord {
                    name: subject.name.clone(),
                    periods_per_year: Some(subject.periods_per_year),
                    grades,
                }),
                Err(reason) => {
                    missing.push(format!("Môn {}: {reason}", subject.name));
                    line.missing = Some(reason);
                }
            }
        }
        lines.push(line);
    }
    for &term in semesters {
        if input.training[usize::from(term.number() - 1)].is_none() {
            missing.push(format!(
                "Chưa có kết quả rèn luyện {} (giáo viên chủ nhiệm nhập ở sổ rèn luyện của lớp).",
                term.label()
            ));
        }
    }
    let mut summary = StudentSummary {
        student_id: input.id,
        full_name: input.full_name.clone(),
        complete: false,
        missing: Vec::new(),
        subjects: lines,
        learning: TermLabels::default(),
        training: TermLabels {
            s1: input.training[0].map(|t| t.label().to_owned()),
            s2: (semester == Semester::S2)
                .then(|| input.training[1].map(|t| t.label().to_owned()))
                .flatten(),
            ..TermLabels::default()
        },
        award: None,
        promotion: None,
        promotion_label: None,
        retest_subjects: Vec::new(),
        absences: input.absences,
        comment: input.comment.clone(),
        reasons: Vec::new(),
    };
    if !missing.is_empty() {
        summary.missing = missing;
        return summary;
    }
    let (Some(first_training), second_training) = (input.training[0], input.training[1]) else {
        return summary;
    };
    let second_training = match semester {
        Semester::S1 => first_training,
        Semester::S2 => second_training.unwrap_or(first_training),
    };
    let mut summer = None;
    if semester == Semester::S2 {
        let year_training = tt22::year_training_result(first_training, second_training);
        summer = input.summer_training;
        if let Some(given) = summer
            && year_training != TrainingResult::NotPass
        {
            notes.push(ReasonLine::note(
                "Thông tư 22/2021 Điều 13",
                format!(
                    "Kết quả rèn luyện trong hè ({}) không được tính: kết quả rèn luyện cả năm là {}, học sinh không thuộc diện rèn luyện trong hè.",
                    given.label(),
                    year_training.label()
                ),
            ));
            summer = None;
        }
        if input.absences.is_none() {
            notes.push(ReasonLine::note(
                "Thông tư 22/2021 Điều 12",
                "Chưa nhập số buổi nghỉ học cả năm: hocba tính là 0 buổi khi xét lên lớp (nghỉ quá 45 buổi thì không được lên lớp). Giáo viên chủ nhiệm nhập số buổi nghỉ nếu học sinh có nghỉ.".into(),
            ));
        }
    }
    let student = Tt22Student {
        grade: match hocba_assessment::Grade::new(grade.value()) {
            Ok(grade) => grade,
            Err(error) => {
                summary.missing = vec![error.to_string()];
                return summary;
            }
        },
        subjects: records,
        training: TrainingInput {
            s1: first_training,
            s2: second_training,
            summer,
        },
        absences: match semester {
            Semester::S1 => 0,
            Semester::S2 => input.absences.unwrap_or(0),
        },
    };
    let evaluation = match hocba_assessment::evaluate(&StudentRecord::Tt22(student)) {
        Ok(Evaluation::Tt22(evaluation)) => evaluation,
        Ok(_) => return summary,
        Err(error) => {
            summary.missing = vec![format!(
                "Thư viện đánh giá không tính được ({}): hãy kiểm tra dữ liệu của học sinh.",
                error
            )];
            return summary;
        }
    };
    summary.complete = true;
    let keep = |reason: &Reason| semester == Semester::S2 || reason.term == Some(Term::S1);
    summary.reasons = evaluation
        .reasons
        .iter()
        .filter(|r| keep(r))
        .map(ReasonLine::from_reason)
        .collect();
    summary.reasons.extend(notes);
    let code = |value: &Exemptible<SubjectValue>| Some(exemptible_code(value));
    for (line, result) in summary.subjects.iter_mut().zip(&evaluation.subjects) {
        line.s1 = code(&result.s1);
        if semester == Semester::S2 {
            line.s2 = code(&result.s2);
            line.year = code(&result.year);
            line.retest = result.retest.map(|r| r.to_string());
        }
    }
    summary.learning.s1 = Some(evaluation.learning.s1.label().to_owned());
    summary.training.s1 = Some(evaluation.training.s1.label().to_owned());
    if semester == Semester::S2 {
        summary.learning.s2 = Some(evaluation.learning.s2.label().to_owned());
        summary.learning.year = Some(evaluation.learning.year.label().to_owned());
        summary.learning.after = evaluation
            .learning_after_retest
            .map(|l| l.label().to_owned());
        summary.training.s2 = Some(evaluation.training.s2.label().to_owned());
        summary.training.year = Some(evaluation.training.year.label().to_owned());
        summary.training.after = evaluation
            .training_after_summer
            .map(|t| t.label().to_owned());
        summary.award = evaluation.award.map(|a| a.label().to_owned());
        summary.promotion = Some(evaluation.promotion.code().to_owned());
        summary.promotion_label = Some(evaluation.promotion.label().to_owned());
        summary.retest_subjects = evaluation.retest_subjects.clone();
    }
    summary
}

/// The library's grades of one subject; a retest of the wrong kind is left
/// out with a note.
fn library_grades(
    subject: &SummarySubject,
    first: Exemptible<LibraryTerm>,
    second: Exemptible<LibraryTerm>,
    retest: Option<CellValue>,
    semester: Semester,
    notes: &mut Vec<ReasonLine>,
) -> Result<SubjectGrades, String> {
    let retest = if semester == Semester::S2 {
        retest
    } else {
        None
    };
    let mut ignored = |value: CellValue| {
        notes.push(ReasonLine::note(
            "Thông tư 22/2021 Điều 12",
            format!(
                "Điểm kiểm tra lại môn {} ({}) không hợp với hình thức đánh giá của môn nên không được tính.",
                subject.name,
                value.display()
            ),
        ));
    };
    let mismatch = || {
        format!(
            "hai học kỳ có giá trị khác hình thức đánh giá của môn ({}).",
            subject.mode.label()
        )
    };
    match subject.mode {
        SubjectMode::Scored => {
            let scored = |term: Exemptible<LibraryTerm>| match term {
                Exemptible::Exempt => Ok(Exemptible::Exempt),
                Exemptible::Assessed(LibraryTerm::Scored(term)) => Ok(Exemptible::Assessed(term)),
                Exemptible::Assessed(LibraryTerm::Commented(_)) => Err(mismatch()),
            };
            let retest = match retest {
                Some(CellValue::Score(score)) => Some(score),
                Some(other) => {
                    ignored(other);
                    None
                }
                None => None,
            };
            Ok(SubjectGrades::Scored {
                s1: scored(first)?,
                s2: scored(second)?,
                retest,
            })
        }
        SubjectMode::Commented => {
            let commented = |term: Exemptible<LibraryTerm>| match term {
                Exemptible::Exempt => Ok(Exemptible::Exempt),
                Exemptible::Assessed(LibraryTerm::Commented(term)) => {
                    Ok(Exemptible::Assessed(term))
                }
                Exemptible::Assessed(LibraryTerm::Scored(_)) => Err(mismatch()),
            };
            let retest = match retest {
                Some(CellValue::Commented(result)) => Some(result),
                Some(other) => {
                    ignored(other);
                    None
                }
                None => None,
            };
            Ok(SubjectGrades::Commented {
                s1: commented(first)?,
                s2: commented(second)?,
                retest,
            })
        }
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The counts of a summary: students, complete lines, and how many per
/// learning result, training result, award and promotion decision.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryCounts {
    pub students: usize,
    pub complete: usize,
    pub learning: BTreeMap<String, usize>,
    pub training: BTreeMap<String, usize>,
    pub award: BTreeMap<String, usize>,
    pub promotion: BTreeMap<String, usize>,
}

impl SummaryCounts {
    pub fn add(&mut self, line: &StudentSummary, semester: Semester) {
        self.students += 1;
        if !line.complete {
            return;
        }
        self.complete += 1;
        let bump = |map: &mut BTreeMap<String, usize>, key: Option<&str>| {
            if let Some(key) = key {
                *map.entry(key.to_owned()).or_default() += 1;
            }
        };
        bump(&mut self.learning, line.learning_result(semester));
        bump(&mut self.training, line.training_result(semester));
        bump(&mut self.award, line.award.as_deref());
        bump(&mut self.promotion, line.promotion_label.as_deref());
    }

    pub fn merge(&mut self, other: &SummaryCounts) {
        self.students += other.students;
        self.complete += other.complete;
        for (mine, theirs) in [
            (&mut self.learning, &other.learning),
            (&mut self.training, &other.training),
            (&mut self.award, &other.award),
            (&mut self.promotion, &other.promotion),
        ] {
            for (key, count) in theirs {
                *mine.entry(key.clone()).or_default() += count;
            }
        }
    }
}

/// Counts of a list of lines.
pub fn counts(lines: &[StudentSummary], semester: Semester) -> SummaryCounts {
    let mut counts = SummaryCounts::default();
    for line in lines {
        counts.add(line, semester);
    }
    counts
}

/// The bands of subject averages in the distribution chart, at the
/// thresholds of TT22 Điều 9 (3,5; 5,0; 6,5; 8,0; 9,0).
pub const BANDS: [&str; 6] = [
    "< 3,5",
    "3,5 – < 5",
    "5 – < 6,5",
    "6,5 – < 8",
    "8 – < 9",
    "≥ 9",
];
const BAND_FLOORS: [u32; 6] = [0, 35, 50, 65, 80, 90];

/// How the averages of one subject spread over a class.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubjectDistribution {
    pub subject_id: SubjectId,
    pub name: String,
    pub mode: SubjectMode,
    /// Scored: students per band of [`BANDS`]; commented: [Đ, CĐ].
    pub counts: Vec<usize>,
    /// Exempt (M).
    pub exempt: usize,
    /// No value yet.
    pub missing: usize,
}

/// The distribution of each subject's value (semester I: the semester
/// average; II: the year average) over the lines of a class.
pub fn distribution(lines: &[StudentSummary], semester: Semester) -> Vec<SubjectDistribution> {
    let Some(first) = lines.first() else {
        return Vec::new();
    };
    first
        .subjects
        .iter()
        .enumerate()
        .map(|(index, subject)| {
            let mut counts = match subject.mode {
                SubjectMode::Scored => vec![0; BANDS.len()],
                SubjectMode::Commented => vec![0; 2],
            };
            let (mut exempt, mut missing) = (0, 0);
            for line in lines {
                match line.subject_value(index, semester) {
                    None => missing += 1,
                    Some("M") => exempt += 1,
                    Some(text) => match subject.mode {
                        SubjectMode::Scored => match text.parse::<hocba_assessment::Score>() {
                            Ok(score) => {
                                let band = BAND_FLOORS
                                    .iter()
                                    .rposition(|floor| score.tenths() >= *floor)
                                    .unwrap_or(0);
                                counts[band] += 1;
                            }
                            Err(_) => missing += 1,
                        },
                        SubjectMode::Commented => match CommentedResult::from_label(text) {
                            Some(CommentedResult::Pass) => counts[0] += 1,
                            Some(CommentedResult::NotPass) => counts[1] += 1,
                            None => missing += 1,
                        },
                    },
                }
            }
            SubjectDistribution {
                subject_id: subject.subject_id,
                name: subject.name.clone(),
                mode: subject.mode,
                counts,
                exempt,
                missing,
            }
        })
        .collect()
}

/// Whether a class's summary may be confirmed complete (close_term): every
/// student's line decided. The refusal names who is not yet, and why.
pub fn check_close(
    class_name: &str,
    semester: Semester,
    lines: &[StudentSummary],
) -> Result<(), String> {
    if lines.is_empty() {
        return Err(format!(
            "Lớp {class_name} chưa có học sinh đang học nên không có gì để tổng kết {}.",
            semester.label()
        ));
    }
    let incomplete: Vec<&StudentSummary> = lines.iter().filter(|l| !l.complete).collect();
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
    let more = incomplete.len().saturating_sub(named.len());
    Err(format!(
        "Chưa xác nhận hoàn thành tổng kết {} lớp {class_name} được: {} học sinh chưa đủ kết quả — {}{}. Hãy nhập đủ điểm và kết quả rèn luyện rồi xác nhận lại.",
        semester.label(),
        incomplete.len(),
        named.join("; "),
        if more > 0 {
            format!(" và {more} học sinh khác")
        } else {
            String::new()
        }
    ))
}

/// Why an administrator reopens a closed book: required, at most 500
/// characters; it goes into the audit log.
pub fn check_reopen_reason(reason: &str) -> Result<String, String> {
    let reason = hocba_text::clean_input(reason);
    if reason.is_empty() {
        return Err("Hãy ghi lý do mở lại sổ: lý do được lưu vào nhật ký của trường.".into());
    }
    if reason.chars().count() > 500 {
        return Err("Lý do mở lại sổ tối đa 500 ký tự.".into());
    }
    Ok(reason)
}

/// Số buổi nghỉ học cả năm: 0 to 400 (TT22 Điều 12 counts them for promotion).
pub fn check_absences(absences: i64) -> Result<u16, String> {
    u16::try_from(absences)
        .ok()
        .filter(|a| *a <= 400)
        .ok_or_else(|| {
            format!("Số buổi nghỉ {absences} không hợp lệ: nhập số nguyên từ 0 đến 400.")
        })
}

/// The Vietnamese label of a promotion code, for lists.
pub fn promotion_label(code: &str) -> Option<&'static str> {
    [
        Promotion::Promoted,
        Promotion::Retest,
        Promotion::SummerTraining,
        Promotion::Retained,
    ]
    .into_iter()
    .find(|p| p.code() == code)
    .map(Promotion::label)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gradebook::Column;

    fn subjects() -> Vec<SummarySubject> {
        let scored = [
            "Toán",
            "Ngữ văn",
            "Ngoại ngữ 1",
            "Lịch sử",
            "Vật lí",
            "Hóa học",
            "Sinh học",
            "Địa lí",
        ];
        let mut list: Vec<SummarySubject> = scored
            .iter()
            .enumerate()
            .map(|(i, name)| SummarySubject {
                id: SubjectId(i as i64 + 1),
                name: (*name).into(),
                mode: SubjectMode::Scored,
                periods_per_year: 105,
            })
            .collect();
        list.push(SummarySubject {
            id: SubjectId(99),
            name: "Giáo dục thể chất".into(),
            mode: SubjectMode::Commented,
            periods_per_year: 70,
        });
        list
    }

    fn cells(values: &[&str]) -> TermSource {
        let columns = [
            Column::regular(1),
            Column::regular(2),
            Column::regular(3),
            Column::regular(4),
            Column::MIDTERM,
            Column::FINAL,
        ];
        TermSource::Cells(
            columns
                .iter()
                .zip(values)
                .map(|(c, v)| (*c, CellValue::parse(v).unwrap().unwrap()))
                .collect(),
        )
    }

    fn commented(values: &[&str]) -> TermSource {
        let columns = [
            Column::regular(1),
            Column::regular(2),
            Column::MIDTERM,
            Column::FINAL,
        ];
        TermSource::Cells(
            columns
                .iter()
                .zip(values)
                .map(|(c, v)| (*c, CellValue::parse(v).unwrap().unwrap()))
                .collect(),
        )
    }

    fn student(score: &str, training: TrainingResult) -> StudentInput {
        let all = [score; 6];
        let mut subjects: Vec<SubjectInput> = (0..8)
            .map(|_| SubjectInput {
                s1: cells(&all),
                s2: cells(&all),
                retest: None,
            })
            .collect();
        subjects.push(SubjectInput {
            s1: commented(&["Đ"; 4]),
            s2: commented(&["Đ"; 4]),
            retest: None,
        });
        StudentInput {
            id: StudentId(1),
            full_name: "Nguyễn Văn An".into(),
            subjects,
            training: [Some(training), Some(training)],
            comment: Some("Chăm ngoan".into()),
            absences: Some(2),
            summer_training: None,
        }
    }

    fn grade(value: u8) -> Grade {
        Grade::new(value).unwrap()
    }

    #[test]
    fn a_good_year_is_awarded_and_promoted_with_reasons() {
        let line = summarise_student(
            grade(10),
            Semester::S2,
            &subjects(),
            &student("9", TrainingResult::Good),
        );
        assert!(line.complete, "{:?}", line.missing);
        assert_eq!(line.learning.year.as_deref(), Some("Tốt"));
        assert_eq!(line.award.as_deref(), Some("Học sinh Xuất sắc"));
        assert_eq!(line.promotion.as_deref(), Some("promoted"));
        assert_eq!(line.subjects[0].year.as_deref(), Some("9.0"));
        assert!(
            line.reasons
                .iter()
                .any(|r| r.sentence.contains("Điểm trung bình môn Toán học kỳ I")),
            "{:?}",
            line.reasons
        );
        assert_eq!(line.comment.as_deref(), Some("Chăm ngoan"));
    }

    #[test]
    fn the_first_semester_keeps_its_own_results_only() {
        let line = summarise_student(
            grade(10),
            Semester::S1,
            &subjects(),
            &student("7", TrainingResult::Fair),
        );
        assert!(line.complete);
        assert_eq!(line.learning.s1.as_deref(), Some("Khá"));
        assert_eq!(line.learning.year, None);
        assert_eq!(line.award, None);
        assert_eq!(line.promotion, None);
        assert!(
            line.reasons
                .iter()
                .all(|r| r.term.as_deref() == Some("học kỳ I"))
        );
    }

    #[test]
    fn missing_values_are_named() {
        let mut input = student("8", TrainingResult::Good);
        input.subjects[0].s1 = cells(&["8", "8", "8"]);
        input.training[1] = None;
        let line = summarise_student(grade(10), Semester::S2, &subjects(), &input);
        assert!(!line.complete);
        let text = line.missing.join(" | ");
        assert!(text.contains("Môn Toán: Học kỳ I"), "{text}");
        assert!(text.contains("ĐĐGgk"), "{text}");
        assert!(text.contains("kết quả rèn luyện học kỳ II"), "{text}");
        assert_eq!(line.subjects[1].year.as_deref(), Some("8.0"));
        assert!(
            check_close("10A1", Semester::S2, &[line])
                .unwrap_err()
                .contains("Nguyễn Văn An")
        );
    }

    #[test]
    fn the_retest_recomputes_the_outcome() {
        let mut input = student("8", TrainingResult::Good);
        // Two subjects far below: no adjustment (TT22 Điều 9 khoản 3).
        for index in [0, 1] {
            input.subjects[index].s1 = cells(&["2", "2", "2", "2", "2", "2"]);
            input.subjects[index].s2 = cells(&["2", "2", "2", "2", "2", "2"]);
        }
        let before = summarise_student(grade(10), Semester::S2, &subjects(), &input);
        assert_eq!(
            before.promotion.as_deref(),
            Some("retest"),
            "{:?}",
            before.reasons
        );
        assert_eq!(before.retest_subjects, ["Toán", "Ngữ văn"]);
        input.subjects[0].retest = CellValue::parse("6").unwrap();
        input.subjects[1].retest = CellValue::parse("5").unwrap();
        let after = summarise_student(grade(10), Semester::S2, &subjects(), &input);
        assert_eq!(after.promotion.as_deref(), Some("promoted"));
        assert!(after.learning.after.is_some());
    }

    #[test]
    fn summer_training_recomputes_the_outcome() {
        let mut input = student("8", TrainingResult::NotPass);
        let before = summarise_student(grade(10), Semester::S2, &subjects(), &input);
        assert_eq!(before.promotion.as_deref(), Some("summer_training"));
        input.summer_training = Some(TrainingResult::Pass);
        let after = summarise_student(grade(10), Semester::S2, &subjects(), &input);
        assert_eq!(after.promotion.as_deref(), Some("promoted"));
        assert_eq!(after.training.after.as_deref(), Some("Đạt"));
        // Given where it is not needed: left out, with the reason.
        let mut good = student("8", TrainingResult::Good);
        good.summer_training = Some(TrainingResult::Pass);
        let line = summarise_student(grade(10), Semester::S2, &subjects(), &good);
        assert!(line.complete);
        assert!(
            line.reasons
                .iter()
                .any(|r| r.sentence.contains("không được tính"))
        );
    }

    #[test]
    fn a_transferred_average_replaces_the_columns() {
        let mut input = student("8", TrainingResult::Good);
        input.subjects[0].s1 = TermSource::Entered(CellValue::parse("6,5").unwrap().unwrap());
        let line = summarise_student(grade(10), Semester::S2, &subjects(), &input);
        assert!(line.complete, "{:?}", line.missing);
        assert!(line.subjects[0].transferred);
        assert_eq!(line.subjects[0].s1.as_deref(), Some("6.5"));
        // (6.5 + 2·8.0)/3 = 7.5
        assert_eq!(line.subjects[0].year.as_deref(), Some("7.5"));
    }

    #[test]
    fn distribution_and_counts() {
        let lines = vec![
            summarise_student(
                grade(10),
                Semester::S2,
                &subjects(),
                &student("9", TrainingResult::Good),
            ),
            summarise_student(
                grade(10),
                Semester::S2,
                &subjects(),
                &student("4", TrainingResult::Good),
            ),
        ];
        let spread = distribution(&lines, Semester::S2);
        assert_eq!(spread[0].counts, vec![0, 1, 0, 0, 0, 1]);
        assert_eq!(spread[8].counts, vec![2, 0]);
        let counts = counts(&lines, Semester::S2);
        assert_eq!(counts.students, 2);
        assert_eq!(counts.award.get("Học sinh Xuất sắc"), Some(&1));
    }

    #[test]
    fn primary_and_old_regimes_are_refused_with_the_reason() {
        let year = SchoolYear { start_year: 2025 };
        assert_eq!(summary_regime(grade(10), year, "10A1"), Ok(Regime::Tt22));
        assert!(
            summary_regime(grade(3), year, "3A")
                .unwrap_err()
                .contains("Thông tư 27/2020")
        );
        let old = summary_regime(grade(12), SchoolYear { start_year: 2022 }, "12A1").unwrap_err();
        assert!(old.contains("Thông tư 22/2021"), "{old}");
        assert!(check_reopen_reason(" ").is_err());
        assert_eq!(check_absences(46), Ok(46));
        assert!(check_absences(-1).is_err());
        assert_eq!(promotion_label("retained"), Some("Không được lên lớp"));
    }
}
