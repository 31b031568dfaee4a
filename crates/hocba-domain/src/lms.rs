//! Learning systems (LMS) writing into the gradebook through a subset of the
//! 1EdTech OneRoster 1.2 Gradebook service (issue 6 point 5): the OAuth 2.0
//! scopes, the mapping of OneRoster identifiers onto hocba's gradebooks, and
//! the rules for claiming a column (a line item) and for writing a result.
//!
//! The column rules are the exam sync's (seed 000, `crate::exam`): a line
//! item claims a declared, unlocked column inside an entry window of a book
//! that is not closed, and only while no student of the class has a value in
//! it; every result is written under the same window, lock and closed-book
//! checks. Students without a ministry code are never written (seed 000
//! §4.2). What is specific to an LMS: a result is upserted by its
//! `sourcedId`, so a retried PUT changes nothing, and a score is replaced
//! only while the cell still holds what this result wrote — a value a
//! teacher entered since is kept, and the LMS is told why.
//!
//! Pure: storage reads the facts inside its write transaction and asks.

use crate::exam::{ClassFacts, ClassSyncBlock, Score, SkipReason};
use crate::gradebook::{CellValue, Column, Semester};
use crate::ids::{ClassId, SchoolYearId, SubjectId};
use serde::Serialize;
use std::fmt;

/// The OneRoster 1.2 Gradebook scopes (REST binding §4, "Scopes").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Scope {
    /// GET on line items, results, categories, classes.
    Readonly,
    /// PUT on line items and results.
    CreatePut,
    /// DELETE on line items and results.
    Delete,
}

impl Scope {
    pub const ALL: [Scope; 3] = [Scope::Readonly, Scope::CreatePut, Scope::Delete];

    pub fn uri(self) -> &'static str {
        match self {
            Scope::Readonly => "https://purl.imsglobal.org/spec/or/v1p2/scope/gradebook.readonly",
            Scope::CreatePut => "https://purl.imsglobal.org/spec/or/v1p2/scope/gradebook.createput",
            Scope::Delete => "https://purl.imsglobal.org/spec/or/v1p2/scope/gradebook.delete",
        }
    }

    pub fn from_uri(uri: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|scope| scope.uri() == uri)
    }

    pub fn label(self) -> &'static str {
        match self {
            Scope::Readonly => "Đọc sổ điểm (line item, kết quả)",
            Scope::CreatePut => "Ghi điểm (tạo, sửa line item và kết quả)",
            Scope::Delete => "Xóa line item và kết quả",
        }
    }
}

/// Parses a space-separated scope list (RFC 6749 §3.3). `Err` names the
/// first unknown scope.
pub fn parse_scopes(text: &str) -> Result<Vec<Scope>, String> {
    let mut scopes = Vec::new();
    for token in text.split_whitespace() {
        let scope = Scope::from_uri(token).ok_or_else(|| token.to_owned())?;
        if !scopes.contains(&scope) {
            scopes.push(scope);
        }
    }
    scopes.sort();
    Ok(scopes)
}

/// The scope list as stored and as answered (space-separated URIs).
pub fn scopes_text(scopes: &[Scope]) -> String {
    scopes
        .iter()
        .map(|scope| scope.uri())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Checks an LMS client's name (shown in every trail row it writes).
pub fn check_client_name(text: &str) -> Result<String, String> {
    let name = hocba_text::clean_input(text);
    if name.is_empty() {
        return Err("Hãy nhập tên ứng dụng (ví dụ: Moodle của trường).".into());
    }
    if name.chars().count() > 100 {
        return Err("Tên ứng dụng tối đa 100 ký tự.".into());
    }
    Ok(name)
}

/// A OneRoster class is one of hocba's gradebooks without its semester: a
/// class × subject. Its `sourcedId` is `{class_id}-{subject_id}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClassRef {
    pub class: ClassId,
    pub subject: SubjectId,
}

impl ClassRef {
    pub fn sourced_id(self) -> String {
        format!("{}-{}", self.class.0, self.subject.0)
    }

    pub fn parse(text: &str) -> Option<ClassRef> {
        let (class, subject) = text.trim().split_once('-')?;
        Some(ClassRef {
            class: ClassId(class.parse().ok()?),
            subject: SubjectId(subject.parse().ok()?),
        })
    }
}

/// A OneRoster grading period is a semester of a school year:
/// `{school_year_id}-S1` or `{school_year_id}-S2`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PeriodRef {
    pub year: SchoolYearId,
    pub semester: Semester,
}

impl PeriodRef {
    pub fn sourced_id(self) -> String {
        format!("{}-S{}", self.year.0, self.semester.number())
    }

    pub fn parse(text: &str) -> Option<PeriodRef> {
        let (year, semester) = text.trim().split_once("-S")?;
        Some(PeriodRef {
            year: SchoolYearId(year.parse().ok()?),
            semester: Semester::from_number(semester.parse().ok()?)?,
        })
    }
}

/// A OneRoster category is a gradebook column: `regular:1` … `regular:10`,
/// `midterm`, `final` (the column keys of the gradebook API).
pub fn categories() -> Vec<Column> {
    (1..=crate::gradebook::MAX_REGULAR_COLUMNS)
        .map(Column::regular)
        .chain([Column::MIDTERM, Column::FINAL])
        .collect()
}

/// A score sent by an LMS: a number on the gradebook's scale, 0–10 with one
/// decimal (TT22 Điều 5 khoản 3). Never rounded: 8.25 is refused.
pub fn parse_score(score: f64) -> Result<Score, LmsRefusal> {
    let refused = || LmsRefusal::BadScore {
        sent: format!("{score}"),
    };
    if !score.is_finite() {
        return Err(refused());
    }
    match CellValue::parse(&format!("{score}")) {
        Ok(Some(CellValue::Score(score))) => Ok(score),
        _ => Err(refused()),
    }
}

/// Why an LMS request is refused, beyond the column rules of the exam sync.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LmsRefusal {
    /// The column rules shared with the exam sync (seed 000).
    Column(Box<ClassSyncBlock>),
    /// The column is already claimed by another line item.
    ColumnClaimed {
        column: Column,
        line_item: String,
        client: String,
    },
    /// A line item cannot move to another class, subject, semester or column.
    Moved {
        line_item: String,
    },
    /// A line item of another LMS client.
    OtherClient {
        line_item: String,
        client: String,
    },
    /// A line item with results cannot be deleted.
    HasResults {
        line_item: String,
        count: i64,
    },
    /// Seed 000 §4.2.
    NoMinistryCode {
        student: String,
    },
    /// The student is not studying in the line item's class.
    NotInClass {
        student: String,
        class_name: String,
    },
    /// Somebody else's value is in the cell (before this result wrote it,
    /// or changed since).
    CellTaken {
        student: String,
        value: String,
        by: String,
        changed_since: bool,
    },
    /// The result's sourcedId already belongs to another line item or student.
    ResultMoved {
        result: String,
    },
    /// Another result of the same line item already holds this student.
    DuplicateStudent {
        student: String,
        result: String,
    },
    BadScore {
        sent: String,
    },
    /// No score (a result that only reports a status).
    NoScore {
        status: String,
    },
    /// The line item is marked `tobedeleted`.
    LineItemInactive {
        line_item: String,
    },
}

/// How a refusal maps onto HTTP and the OneRoster code minor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusalKind {
    /// 400 `invaliddata`.
    Invalid,
    /// 403 `forbidden`.
    Forbidden,
    /// 409 (the state of the gradebook forbids it now).
    Conflict,
    /// 423 (window, lock, closed book): the gradebook's own kind.
    Locked,
}

impl LmsRefusal {
    pub fn code(&self) -> &'static str {
        match self {
            LmsRefusal::Column(block) => block.code(),
            LmsRefusal::ColumnClaimed { .. } => "column_claimed",
            LmsRefusal::Moved { .. } => "line_item_moved",
            LmsRefusal::OtherClient { .. } => "line_item_of_other_client",
            LmsRefusal::HasResults { .. } => "line_item_has_results",
            LmsRefusal::NoMinistryCode { .. } => SkipReason::NoMinistryCode.code(),
            LmsRefusal::NotInClass { .. } => "student_not_in_class",
            LmsRefusal::CellTaken { .. } => "cell_changed_by_teacher",
            LmsRefusal::ResultMoved { .. } => "result_moved",
            LmsRefusal::DuplicateStudent { .. } => "duplicate_student_result",
            LmsRefusal::BadScore { .. } => "invalid_score",
            LmsRefusal::NoScore { .. } => "no_score",
            LmsRefusal::LineItemInactive { .. } => "line_item_inactive",
        }
    }

    pub fn kind(&self) -> RefusalKind {
        use crate::gradebook::EntryRefusal as E;
        match self {
            LmsRefusal::Column(block) => match &**block {
                ClassSyncBlock::Gradebook(refusal) => match **refusal {
                    E::ColumnLocked { .. }
                    | E::NoWindow { .. }
                    | E::WindowNotYet { .. }
                    | E::WindowEnded { .. }
                    | E::TermClosed { .. } => RefusalKind::Locked,
                    _ => RefusalKind::Conflict,
                },
                _ => RefusalKind::Conflict,
            },
            LmsRefusal::ColumnClaimed { .. }
            | LmsRefusal::HasResults { .. }
            | LmsRefusal::CellTaken { .. }
            | LmsRefusal::DuplicateStudent { .. }
            | LmsRefusal::NoMinistryCode { .. }
            | LmsRefusal::LineItemInactive { .. } => RefusalKind::Conflict,
            LmsRefusal::OtherClient { .. } => RefusalKind::Forbidden,
            LmsRefusal::Moved { .. }
            | LmsRefusal::NotInClass { .. }
            | LmsRefusal::ResultMoved { .. }
            | LmsRefusal::BadScore { .. }
            | LmsRefusal::NoScore { .. } => RefusalKind::Invalid,
        }
    }

    pub fn reason(&self) -> String {
        match self {
            LmsRefusal::Column(block) => block.reason(),
            LmsRefusal::ColumnClaimed {
                column,
                line_item,
                client,
            } => format!(
                "Cột {} đã được line item “{line_item}” của ứng dụng {client} nhận: mỗi cột điểm chỉ nhận điểm từ một line item.",
                column.label()
            ),
            LmsRefusal::Moved { line_item } => format!(
                "Line item “{line_item}” đã gắn với một cột điểm: không đổi được lớp, môn, học kỳ hay cột của line item."
            ),
            LmsRefusal::OtherClient { line_item, client } => format!(
                "Line item “{line_item}” do ứng dụng {client} tạo: ứng dụng này không được sửa, xóa hay ghi kết quả vào đó."
            ),
            LmsRefusal::HasResults { line_item, count } => format!(
                "Line item “{line_item}” đã có {count} kết quả trong sổ điểm nên không xóa được."
            ),
            LmsRefusal::NoMinistryCode { student } => {
                format!("{student}: {}", SkipReason::NoMinistryCode.reason())
            }
            LmsRefusal::NotInClass {
                student,
                class_name,
            } => format!("Học sinh {student} không đang học lớp {class_name}."),
            LmsRefusal::CellTaken {
                student,
                value,
                by,
                changed_since: true,
            } => format!(
                "Ô điểm của học sinh {student} đã được {by} sửa thành “{value}” sau khi ứng dụng ghi: điểm do giáo viên sửa không bị ghi đè."
            ),
            LmsRefusal::CellTaken {
                student,
                value,
                by,
                changed_since: false,
            } => format!(
                "Ô điểm của học sinh {student} đã có “{value}” ({by}) trước khi ứng dụng ghi: điểm đã có trong sổ điểm không bị ghi đè."
            ),
            LmsRefusal::ResultMoved { result } => format!(
                "Kết quả “{result}” đã thuộc một line item hoặc học sinh khác: sourcedId của kết quả không đổi chủ."
            ),
            LmsRefusal::DuplicateStudent { student, result } => format!(
                "Học sinh {student} đã có kết quả “{result}” trong line item này: mỗi học sinh một kết quả."
            ),
            LmsRefusal::BadScore { sent } => format!(
                "Điểm “{sent}” không hợp lệ: sổ điểm nhận điểm từ 0 đến 10, tối đa một chữ số thập phân (Thông tư 22/2021 Điều 5); điểm không được làm tròn."
            ),
            LmsRefusal::NoScore { status } => format!(
                "Kết quả có scoreStatus “{status}” nhưng không có điểm (score): sổ điểm chỉ nhận điểm số."
            ),
            LmsRefusal::LineItemInactive { line_item } => format!(
                "Line item “{line_item}” đang ở trạng thái tobedeleted nên không nhận kết quả."
            ),
        }
    }

    pub fn remedy(&self) -> String {
        match self {
            LmsRefusal::Column(block) => block.remedy(),
            LmsRefusal::ColumnClaimed { .. } => "Hãy dùng line item đã nhận cột này, hoặc chọn một cột còn trống khác (category).".into(),
            LmsRefusal::Moved { .. } => "Hãy xóa line item (khi chưa có kết quả) rồi tạo line item mới cho cột cần ghi.".into(),
            LmsRefusal::OtherClient { .. } => "Hãy dùng ứng dụng đã tạo line item, hoặc tạo line item mới cho ứng dụng này.".into(),
            LmsRefusal::HasResults { .. } => "Hãy xóa các kết quả của line item trước (điểm do giáo viên sửa thì giáo viên xóa trong sổ điểm).".into(),
            LmsRefusal::NoMinistryCode { .. } => SkipReason::NoMinistryCode.remedy().into(),
            LmsRefusal::NotInClass { .. } => "Hãy kiểm tra sourcedId của học sinh (mã học sinh trong hocba) và lớp của line item.".into(),
            LmsRefusal::CellTaken { .. } => "Nếu điểm cần thay, giáo viên bộ môn sửa trực tiếp trong sổ điểm (mỗi lần sửa được ghi nhật ký).".into(),
            LmsRefusal::ResultMoved { .. } => "Hãy dùng sourcedId mới cho kết quả của line item hoặc học sinh khác.".into(),
            LmsRefusal::DuplicateStudent { .. } => "Hãy gửi lại với sourcedId của kết quả đã có để sửa điểm.".into(),
            LmsRefusal::BadScore { .. } => "Hãy quy đổi điểm về thang 10 với một chữ số thập phân (resultValueMax 10) rồi gửi lại.".into(),
            LmsRefusal::NoScore { .. } => "Hãy gửi điểm (score) khi đã chấm; học sinh chưa có điểm thì không cần gửi kết quả.".into(),
            LmsRefusal::LineItemInactive { .. } => "Hãy đặt status của line item về active, hoặc dùng line item khác.".into(),
        }
    }
}

impl fmt::Display for LmsRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.reason(), self.remedy())
    }
}

/// Whether a line item may claim `column` of the class: exactly the exam
/// sync's rule for choosing a column (declared, unlocked, in a window, book
/// not closed, no student of the class with a value in it).
pub fn claim_block(facts: &ClassFacts, column: Column) -> Option<LmsRefusal> {
    facts
        .column_block(column)
        .map(|block| LmsRefusal::Column(Box::new(block)))
}

/// Whether a claimed column may be written now (each result): the same
/// checks without "the column is empty", which the line item's own results
/// fill.
pub fn write_block(facts: &ClassFacts, column: Column) -> Option<LmsRefusal> {
    let unfilled = ClassFacts {
        filled: Vec::new(),
        ..facts.clone()
    };
    unfilled
        .column_block(column)
        .map(|block| LmsRefusal::Column(Box::new(block)))
}

/// What this result wrote into the cell last time, if anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    /// `None`: the result was deleted, clearing the cell.
    pub tenths: Option<u32>,
    /// The cell's version right after the write.
    pub cell_version: i64,
}

/// The cell as it is now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellNow {
    /// The stored value's code ("8.5", "Đ"), `None` when empty.
    pub value: Option<String>,
    pub tenths: Option<u32>,
    pub version: i64,
    pub updated_by: String,
}

/// What to do with the cell for a PUT of a result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellWrite {
    /// The cell already holds this score from this result: a retry.
    Unchanged,
    /// Write into an empty cell (`version`: the cleared row's, if any).
    Fill { version: Option<i64> },
    /// Replace what this result wrote (the cell is still at `version`).
    Replace { version: i64 },
}

/// Decides a result's write. `previous`: what this result (same
/// `sourcedId`) wrote before; `cell`: the student's cell in the column.
pub fn decide_write(
    student: &str,
    previous: Option<Written>,
    cell: Option<&CellNow>,
    score: Score,
) -> Result<CellWrite, LmsRefusal> {
    let tenths = score.tenths();
    let holds_ours = |written: &Written| cell.is_some_and(|c| c.version == written.cell_version);
    match (previous, cell) {
        (Some(written), _) if holds_ours(&written) => {
            let current = cell.expect("holds_ours checks the cell");
            if current.tenths == Some(tenths) {
                Ok(CellWrite::Unchanged)
            } else {
                Ok(CellWrite::Replace {
                    version: current.version,
                })
            }
        }
        // Changed since this result wrote it (a teacher edited or cleared
        // it): never overwritten.
        (Some(_), Some(current)) => Err(LmsRefusal::CellTaken {
            student: student.into(),
            value: current.value.clone().unwrap_or_else(|| "(đã xóa)".into()),
            by: current.updated_by.clone(),
            changed_since: true,
        }),
        (_, None) => Ok(CellWrite::Fill { version: None }),
        (None, Some(current)) if current.value.is_none() => Ok(CellWrite::Fill {
            version: Some(current.version),
        }),
        (None, Some(current)) => Err(LmsRefusal::CellTaken {
            student: student.into(),
            value: current.value.clone().unwrap_or_default(),
            by: current.updated_by.clone(),
            changed_since: false,
        }),
    }
}

/// The reason written into the gradebook's trail for a score an LMS wrote.
pub fn change_reason(client: &str, line_item_title: &str, line_item: &str) -> String {
    format!(
        "Đồng bộ từ ứng dụng “{client}” (OneRoster), line item “{line_item_title}” ({line_item})"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::curriculum::SubjectMode;
    use crate::gradebook::{ColumnLock, ColumnPlan, EntryWindow, Place, WindowState};
    use crate::level::Level;

    fn facts() -> ClassFacts {
        ClassFacts {
            place: Place {
                class_name: "10A1".into(),
                subject_name: "Toán".into(),
                grade: 10,
                semester: Semester::S1,
            },
            level: Level::UpperSecondary,
            mode: SubjectMode::Scored,
            no_gradebook: None,
            closed: None,
            plan: Some(ColumnPlan::with_regular(3)),
            window: WindowState::Open {
                window: EntryWindow {
                    id: 1,
                    grade: 10,
                    semester: Semester::S1,
                    opens_at: 0,
                    closes_at: i64::MAX,
                },
            },
            locks: Vec::new(),
            filled: Vec::new(),
        }
    }

    fn score(tenths: u32) -> Score {
        Score::from_tenths(tenths).unwrap()
    }

    fn cell(tenths: Option<u32>, version: i64, by: &str) -> CellNow {
        CellNow {
            value: tenths.map(|t| score(t).to_string()),
            tenths,
            version,
            updated_by: by.into(),
        }
    }

    #[test]
    fn scopes_are_the_oneroster_uris() {
        let text = "https://purl.imsglobal.org/spec/or/v1p2/scope/gradebook.createput https://purl.imsglobal.org/spec/or/v1p2/scope/gradebook.readonly";
        assert_eq!(
            parse_scopes(text).unwrap(),
            vec![Scope::Readonly, Scope::CreatePut]
        );
        assert_eq!(
            parse_scopes("gradebook.readonly").unwrap_err(),
            "gradebook.readonly"
        );
        assert_eq!(
            parse_scopes(&scopes_text(&Scope::ALL)).unwrap(),
            Scope::ALL.to_vec()
        );
    }

    #[test]
    fn sourced_ids_round_trip() {
        let class = ClassRef {
            class: ClassId(12),
            subject: SubjectId(34),
        };
        assert_eq!(ClassRef::parse(&class.sourced_id()), Some(class));
        assert_eq!(ClassRef::parse("12"), None);
        let period = PeriodRef {
            year: SchoolYearId(7),
            semester: Semester::S2,
        };
        assert_eq!(period.sourced_id(), "7-S2");
        assert_eq!(PeriodRef::parse("7-S2"), Some(period));
        assert_eq!(PeriodRef::parse("7-S3"), None);
        assert_eq!(categories().len(), 12);
    }

    #[test]
    fn scores_are_exact_tenths_on_the_ten_point_scale() {
        assert_eq!(parse_score(8.5).unwrap(), score(85));
        assert_eq!(parse_score(10.0).unwrap(), score(100));
        assert_eq!(parse_score(0.0).unwrap(), score(0));
        assert_eq!(parse_score(8.25).unwrap_err().code(), "invalid_score");
        assert_eq!(parse_score(10.5).unwrap_err().code(), "invalid_score");
        assert_eq!(parse_score(-1.0).unwrap_err().code(), "invalid_score");
        assert_eq!(parse_score(f64::NAN).unwrap_err().code(), "invalid_score");
    }

    #[test]
    fn a_claim_follows_the_exam_sync_rules_and_a_write_skips_only_the_empty_column_rule() {
        assert_eq!(claim_block(&facts(), Column::MIDTERM), None);
        let mut filled = facts();
        filled.filled = vec![(Column::MIDTERM, vec!["An".into()])];
        assert_eq!(
            claim_block(&filled, Column::MIDTERM).unwrap().code(),
            "column_has_scores"
        );
        assert_eq!(write_block(&filled, Column::MIDTERM), None);
        let mut locked = filled.clone();
        locked.locks.push(ColumnLock {
            column: Column::MIDTERM,
            locked_at: 0,
            locked_by: "Quản trị".into(),
            reason: "Đã kiểm tra".into(),
        });
        let refusal = write_block(&locked, Column::MIDTERM).unwrap();
        assert_eq!(refusal.code(), "column_locked");
        assert_eq!(refusal.kind(), RefusalKind::Locked);
        let mut no_window = facts();
        no_window.window = WindowState::None;
        assert_eq!(
            write_block(&no_window, Column::MIDTERM).unwrap().code(),
            "no_entry_window"
        );
        assert_eq!(
            claim_block(&facts(), Column::regular(4)).unwrap().code(),
            "column_not_in_plan"
        );
    }

    #[test]
    fn a_result_fills_an_empty_cell_and_a_retry_changes_nothing() {
        assert_eq!(
            decide_write("An", None, None, score(85)),
            Ok(CellWrite::Fill { version: None })
        );
        assert_eq!(
            decide_write("An", None, Some(&cell(None, 3, "GV")), score(85)),
            Ok(CellWrite::Fill { version: Some(3) })
        );
        let written = Written {
            tenths: Some(85),
            cell_version: 4,
        };
        let ours = cell(Some(85), 4, "Moodle");
        assert_eq!(
            decide_write("An", Some(written), Some(&ours), score(85)),
            Ok(CellWrite::Unchanged)
        );
        assert_eq!(
            decide_write("An", Some(written), Some(&ours), score(90)),
            Ok(CellWrite::Replace { version: 4 })
        );
    }

    #[test]
    fn a_value_a_teacher_entered_or_changed_is_never_overwritten() {
        let before =
            decide_write("An", None, Some(&cell(Some(70), 1, "Cô Lan")), score(85)).unwrap_err();
        assert_eq!(before.code(), "cell_changed_by_teacher");
        assert!(before.reason().contains("7") && before.reason().contains("Cô Lan"));
        let written = Written {
            tenths: Some(85),
            cell_version: 4,
        };
        // The teacher changed 8.5 to 9 (version 5), even back to 8.5.
        for now in [cell(Some(90), 5, "Cô Lan"), cell(Some(85), 6, "Cô Lan")] {
            let refusal = decide_write("An", Some(written), Some(&now), score(80)).unwrap_err();
            assert_eq!(refusal.code(), "cell_changed_by_teacher");
            assert!(refusal.reason().contains("sau khi ứng dụng ghi"));
        }
        // Cleared by the teacher: not written again either.
        let cleared = cell(None, 5, "Cô Lan");
        assert!(decide_write("An", Some(written), Some(&cleared), score(80)).is_err());
    }

    #[test]
    fn every_refusal_says_why_and_what_to_do() {
        let refusals = [
            LmsRefusal::NoMinistryCode {
                student: "An".into(),
            },
            LmsRefusal::HasResults {
                line_item: "li".into(),
                count: 2,
            },
            LmsRefusal::OtherClient {
                line_item: "li".into(),
                client: "Moodle".into(),
            },
            LmsRefusal::NoScore {
                status: "not submitted".into(),
            },
        ];
        for refusal in refusals {
            assert!(!refusal.reason().is_empty() && !refusal.remedy().is_empty());
        }
        assert_eq!(
            LmsRefusal::NoMinistryCode {
                student: "An".into()
            }
            .code(),
            "no_moet_code"
        );
    }
}
