//! The gradebook (sổ điểm) of lower and upper secondary schools as pure rules:
//! column plans per class × subject × semester, grade-entry windows, column
//! locks, the values a cell may hold, and the decision whether a cell may be
//! written — every refusal saying why and what to do, in Vietnamese.
//!
//! The law (regulations.md §1.2–§1.4, §4):
//! * TT22/2021 Điều 6: the number of regular assessments (ĐĐGtx) per semester
//!   follows the subject's periods per year (≤35 → 2, 36–70 → 3, ≥71 → 4);
//!   commented subjects have 2 [M].
//! * TT22 Điều 7: one mid-term (ĐĐGgk) and one end-of-term (ĐĐGck)
//!   assessment per semester; a missed test without a make-up counts 0 (or
//!   Chưa đạt) [M].
//! * TT22 Điều 9 khoản 1: the semester average — computed by
//!   `hocba_assessment`, never a second time here.
//! * TT27/2020 (primary) has no columns of this kind: primary classes are
//!   refused with the reason.

use crate::access::Denied;
use crate::curriculum::SubjectMode;
use crate::ids::{ClassId, SubjectId};
use crate::level::Grade;
use crate::school::SchoolYear;
use hocba_assessment::label::Label;
use hocba_assessment::regime_for;
use hocba_assessment::score::{Score, ScoreError};
use hocba_assessment::secondary::{self, CommentedAssessments, CommentedResult, TermColumns};
use serde::{Deserialize, Serialize, Serializer};
use std::fmt;

pub use hocba_assessment::Regime;
pub use hocba_assessment::secondary::{ColumnKind, Exemptible, SubjectValue};
pub use hocba_assessment::tt22::TrainingResult;

/// Học kỳ I or II: the unit of column plans, entry windows and assignments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub enum Semester {
    S1,
    S2,
}

impl Semester {
    pub const ALL: [Semester; 2] = [Semester::S1, Semester::S2];

    /// 1 or 2, as stored and as written in paths.
    pub fn number(self) -> u8 {
        match self {
            Semester::S1 => 1,
            Semester::S2 => 2,
        }
    }

    pub fn from_number(number: u8) -> Option<Semester> {
        match number {
            1 => Some(Semester::S1),
            2 => Some(Semester::S2),
            _ => None,
        }
    }

    /// The semester a date falls in, for defaults: học kỳ I from August to
    /// January, học kỳ II from February to July (the calendar of each year
    /// is set by the Ministry; this is only the usual shape of it).
    pub fn containing(date: crate::Date) -> Semester {
        match date.month() {
            8..=12 | 1 => Semester::S1,
            _ => Semester::S2,
        }
    }

    /// "học kỳ I", inside a sentence.
    pub fn label(self) -> &'static str {
        match self {
            Semester::S1 => "học kỳ I",
            Semester::S2 => "học kỳ II",
        }
    }
}

impl TryFrom<u8> for Semester {
    type Error = String;
    fn try_from(number: u8) -> Result<Self, Self::Error> {
        Semester::from_number(number).ok_or_else(|| invalid_semester(&number.to_string()))
    }
}

impl From<Semester> for u8 {
    fn from(semester: Semester) -> u8 {
        semester.number()
    }
}

/// Why a semester number was refused.
pub fn invalid_semester(text: &str) -> String {
    format!("Học kỳ “{text}” không hợp lệ: chỉ có học kỳ 1 (học kỳ I) và 2 (học kỳ II).")
}

/// Phân công giảng dạy: a teacher teaches this subject to this class in this
/// semester (the access policy reads it from the [`crate::access::Principal`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TeachingAssignment {
    pub class: ClassId,
    pub subject: SubjectId,
    pub semester: Semester,
}

/// One assessment column (cột điểm) of a gradebook: a regular column by its
/// number (ĐĐGtx 1, 2, …), the mid-term column or the end-of-term column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Column {
    pub kind: ColumnKind,
    /// 1-based for regular columns; always 1 for the mid-term and final.
    pub number: u8,
}

impl Column {
    pub const MIDTERM: Column = Column {
        kind: ColumnKind::Midterm,
        number: 1,
    };
    pub const FINAL: Column = Column {
        kind: ColumnKind::Final,
        number: 1,
    };

    pub fn regular(number: u8) -> Column {
        Column {
            kind: ColumnKind::Regular,
            number,
        }
    }

    /// The API and storage key: `regular:1`, `midterm`, `final`.
    pub fn key(self) -> String {
        match self.kind {
            ColumnKind::Regular => format!("regular:{}", self.number),
            ColumnKind::Midterm => "midterm".into(),
            ColumnKind::Final => "final".into(),
        }
    }

    /// Parses a key; also accepts the Vietnamese short forms `TX1`, `GK`, `CK`.
    pub fn parse(text: &str) -> Result<Column, String> {
        let folded = text.trim().to_ascii_lowercase();
        let regular = folded
            .strip_prefix("regular:")
            .or_else(|| folded.strip_prefix("tx"));
        let column = match (folded.as_str(), regular) {
            ("midterm" | "gk", _) => Some(Column::MIDTERM),
            ("final" | "ck", _) => Some(Column::FINAL),
            (_, Some(number)) => number
                .parse::<u8>()
                .ok()
                .filter(|n| (1..=MAX_REGULAR_COLUMNS).contains(n))
                .map(Column::regular),
            _ => None,
        };
        column.ok_or_else(|| {
            format!(
                "Cột “{}” không có: dùng regular:1 … regular:{MAX_REGULAR_COLUMNS} (ĐĐGtx), midterm (ĐĐGgk) hoặc final (ĐĐGck).",
                text.trim()
            )
        })
    }

    /// "ĐĐGtx 3", "ĐĐGgk", "ĐĐGck", as gradebooks print them.
    pub fn label(self) -> String {
        match self.kind {
            ColumnKind::Regular => format!("ĐĐGtx {}", self.number),
            ColumnKind::Midterm => "ĐĐGgk".into(),
            ColumnKind::Final => "ĐĐGck".into(),
        }
    }

    /// Display order: regular columns by number, then mid-term, then final.
    pub fn order(self) -> (u8, u8) {
        let kind = match self.kind {
            ColumnKind::Regular => 0,
            ColumnKind::Midterm => 1,
            ColumnKind::Final => 2,
        };
        (kind, self.number)
    }
}

impl fmt::Display for Column {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

impl Serialize for Column {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.key())
    }
}

/// The most regular columns a plan may declare (the CSDL ngành template has
/// 5; we leave room for schools that assess more often).
pub const MAX_REGULAR_COLUMNS: u8 = 10;

/// Khai báo số cột điểm: how many columns of each kind a class × subject ×
/// semester has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ColumnPlan {
    pub regular: u8,
    /// Always 1 (TT22 Điều 7).
    pub midterm: u8,
    /// Always 1 (TT22 Điều 7).
    #[serde(rename = "final")]
    pub end_of_term: u8,
}

impl ColumnPlan {
    pub fn with_regular(regular: u8) -> ColumnPlan {
        ColumnPlan {
            regular,
            midterm: 1,
            end_of_term: 1,
        }
    }

    /// The columns in display order.
    pub fn columns(&self) -> Vec<Column> {
        let mut columns: Vec<Column> = (1..=self.regular).map(Column::regular).collect();
        columns.extend((0..self.midterm.min(1)).map(|_| Column::MIDTERM));
        columns.extend((0..self.end_of_term.min(1)).map(|_| Column::FINAL));
        columns
    }

    pub fn contains(&self, column: Column) -> bool {
        match column.kind {
            ColumnKind::Regular => (1..=self.regular).contains(&column.number),
            ColumnKind::Midterm => self.midterm >= 1 && column.number == 1,
            ColumnKind::Final => self.end_of_term >= 1 && column.number == 1,
        }
    }
}

/// What the plan rules need to know about a subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanSubject {
    pub name: String,
    pub mode: SubjectMode,
    pub periods_per_year: u16,
}

impl PlanSubject {
    /// The law's minimum of regular assessments per semester (TT22 Điều 6,
    /// through `hocba_assessment`).
    pub fn required_regular(&self) -> u8 {
        let required = match self.mode {
            SubjectMode::Scored => secondary::required_regular_assessments(self.periods_per_year),
            SubjectMode::Commented => secondary::COMMENTED_REGULAR_ASSESSMENTS_PER_SEMESTER,
        };
        u8::try_from(required).unwrap_or(MAX_REGULAR_COLUMNS)
    }

    /// The default plan: the law's minimum, one mid-term, one final.
    pub fn default_plan(&self) -> ColumnPlan {
        ColumnPlan::with_regular(self.required_regular())
    }

    /// Checks a declared number of regular columns. More than the minimum is
    /// allowed (up to [`MAX_REGULAR_COLUMNS`]); fewer is refused: the count of
    /// TT22 Điều 6 is what the semester average needs, and a plan below it
    /// would let a gradebook be completed that the law does not accept.
    pub fn check_plan(&self, regular: u8) -> Result<ColumnPlan, String> {
        let required = self.required_regular();
        if regular < required {
            let basis = match self.mode {
                SubjectMode::Scored => format!("{} tiết/năm", self.periods_per_year),
                SubjectMode::Commented => "môn đánh giá bằng nhận xét".into(),
            };
            return Err(format!(
                "Môn {} ({basis}) cần ít nhất {required} cột ĐĐGtx mỗi học kỳ (Thông tư 22/2021 Điều 6); không khai báo ít hơn. Hãy khai báo từ {required} đến {MAX_REGULAR_COLUMNS} cột.",
                self.name
            ));
        }
        if regular > MAX_REGULAR_COLUMNS {
            return Err(format!(
                "Mỗi học kỳ khai báo tối đa {MAX_REGULAR_COLUMNS} cột ĐĐGtx; môn {} cần ít nhất {required}.",
                self.name
            ));
        }
        Ok(ColumnPlan::with_regular(regular))
    }
}

/// The regime of a class's gradebook, or why the class has none: primary
/// classes (TT27/2020, old TT30) are assessed by levels, not by these columns.
pub fn gradebook_regime(
    grade: Grade,
    year: SchoolYear,
    class_name: &str,
) -> Result<Regime, String> {
    let refused = |regulation: &str| {
        format!(
            "Lớp {class_name} (khối {}) được đánh giá theo {regulation}: không có cột điểm ĐĐGtx, ĐĐGgk, ĐĐGck nên không khai báo số cột và không nhập sổ điểm này. Kết quả của học sinh tiểu học được ghi theo mức Hoàn thành tốt / Hoàn thành / Chưa hoàn thành.",
            grade.value()
        )
    };
    let assessed_grade = hocba_assessment::Grade::new(grade.value()).map_err(|e| e.to_string())?;
    let assessed_year =
        hocba_assessment::SchoolYear::starting(year.start_year).map_err(|e| e.to_string())?;
    match regime_for(assessed_grade, assessed_year) {
        Ok(regime @ (Regime::Tt22 | Regime::Tt58)) => Ok(regime),
        Ok(regime) => Err(refused(regime.citation())),
        Err(error) => Err(format!(
            "Lớp {class_name} năm học {}: {error}. Sổ điểm của hocba theo Thông tư 22/2021 và Thông tư 58/2011 (sửa đổi bởi Thông tư 26/2020).",
            year.label()
        )),
    }
}

/// What a cell holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellValue {
    /// A score from 0 to 10 with one decimal (scored subjects).
    Score(Score),
    /// Đ / CĐ (commented subjects).
    Commented(CommentedResult),
    /// M: the student is exempt (miễn).
    Exempt,
}

/// Why a value cannot go into a cell, in Vietnamese.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ValueError(pub String);

impl CellValue {
    /// Parses what a teacher typed: "8", "8.5", "8,5", "Đ", "CĐ", "M". Empty
    /// text means "clear the cell" (`None`). More than one decimal is refused,
    /// never rounded (TT22 Điều 5 khoản 3 điểm b).
    pub fn parse(text: &str) -> Result<Option<CellValue>, ValueError> {
        let text = hocba_text::clean_input(text);
        if text.is_empty() {
            return Ok(None);
        }
        let starts_numeric = text
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit() || c == '-' || c == '.' || c == ',');
        if starts_numeric {
            return text
                .parse::<Score>()
                .map(|score| Some(CellValue::Score(score)))
                .map_err(|error| ValueError(score_error(&error)));
        }
        let folded = hocba_assessment::label::fold(&text);
        if folded == "m" || folded == "mien" {
            return Ok(Some(CellValue::Exempt));
        }
        if let Some(result) = CommentedResult::from_label(&text) {
            return Ok(Some(CellValue::Commented(result)));
        }
        Err(ValueError(format!(
            "“{text}” không phải giá trị của sổ điểm: nhập điểm từ 0 đến 10 như 8, 8.5 hoặc 8,5; Đ hoặc CĐ với môn đánh giá bằng nhận xét; M nếu học sinh được miễn."
        )))
    }

    /// The stored and API form: "8.5", "Đ", "CĐ", "M".
    pub fn code(self) -> String {
        match self {
            CellValue::Score(score) => score.to_string(),
            CellValue::Commented(result) => result.code().into(),
            CellValue::Exempt => "M".into(),
        }
    }

    /// The Vietnamese display form, with a decimal comma: "8,5".
    pub fn display(self) -> String {
        self.code().replace('.', ",")
    }

    /// Score in tenths, for the INTEGER column; `None` for Đ/CĐ/M.
    pub fn tenths(self) -> Option<i64> {
        match self {
            CellValue::Score(score) => Some(i64::from(score.tenths())),
            _ => None,
        }
    }

    /// Đ/CĐ/M, for the TEXT column; `None` for scores.
    pub fn mark(self) -> Option<&'static str> {
        match self {
            CellValue::Score(_) => None,
            CellValue::Commented(result) => Some(result.code()),
            CellValue::Exempt => Some("M"),
        }
    }

    /// From the two stored columns.
    pub fn from_stored(tenths: Option<i64>, mark: Option<&str>) -> Option<CellValue> {
        match (tenths, mark) {
            (Some(tenths), _) => u32::try_from(tenths)
                .ok()
                .and_then(|t| Score::from_tenths(t).ok())
                .map(CellValue::Score),
            (None, Some("M")) => Some(CellValue::Exempt),
            (None, Some(code)) => CommentedResult::from_label(code).map(CellValue::Commented),
            (None, None) => None,
        }
    }

    /// Checks the value against how the subject is assessed (TT22 Điều 5).
    pub fn fits(self, mode: SubjectMode, subject: &str) -> Result<CellValue, ValueError> {
        match (mode, self) {
            (_, CellValue::Exempt)
            | (SubjectMode::Scored, CellValue::Score(_))
            | (SubjectMode::Commented, CellValue::Commented(_)) => Ok(self),
            (SubjectMode::Scored, CellValue::Commented(_)) => Err(ValueError(format!(
                "Môn {subject} đánh giá bằng nhận xét kết hợp điểm số: hãy nhập điểm từ 0 đến 10 (ví dụ 8,5), không nhập Đ/CĐ."
            ))),
            (SubjectMode::Commented, CellValue::Score(_)) => Err(ValueError(format!(
                "Môn {subject} đánh giá bằng nhận xét (Thông tư 22/2021 Điều 5): chỉ nhập Đ (Đạt) hoặc CĐ (Chưa đạt), không nhập điểm số."
            ))),
        }
    }
}

/// The make-up rule (TT22 Điều 6–7, regulations.md §1.3 [M]): a student who
/// missed a test and did not take the make-up gets 0 (scored) or CĐ
/// (commented). We store that value as it counts in the average, with a flag
/// that says why; the flag is only accepted with that value (or an empty
/// one, which the flag fills in).
pub fn missed_make_up_value(
    mode: SubjectMode,
    typed: Option<CellValue>,
) -> Result<CellValue, ValueError> {
    let counted = match mode {
        SubjectMode::Scored => CellValue::Score(Score::ZERO),
        SubjectMode::Commented => CellValue::Commented(CommentedResult::NotPass),
    };
    match typed {
        None => Ok(counted),
        Some(value) if value == counted => Ok(counted),
        Some(value) => Err(ValueError(format!(
            "Học sinh không kiểm tra bù thì nhận {} (Thông tư 22/2021 Điều 6, 7); không ghi {} kèm đánh dấu “không kiểm tra bù”.",
            counted.display(),
            value.display()
        ))),
    }
}

fn score_error(error: &ScoreError) -> String {
    match error {
        ScoreError::AboveTen(text) => {
            format!("Điểm {text} lớn hơn 10: điểm theo thang 10, từ 0 đến 10.")
        }
        ScoreError::Negative(text) => format!("Điểm {text} là số âm: điểm từ 0 đến 10."),
        ScoreError::TooManyDecimals(text) => format!(
            "Điểm {text} có hơn một chữ số thập phân: điểm lấy đến một chữ số thập phân (Thông tư 22/2021 Điều 5 khoản 3), ví dụ 8,5. hocba không tự làm tròn; hãy nhập lại."
        ),
        ScoreError::NotANumber(text) => {
            format!("“{text}” không phải điểm: hãy nhập số từ 0 đến 10 như 8, 8.5 hoặc 8,5.")
        }
    }
}

/// Where a change was made, for the audit trail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// The grade grid of the web app.
    Grid,
    /// An Excel upload.
    Excel,
    /// The API with a token.
    Api,
    /// Grade sync from an exam, or scores written by an LMS (OneRoster).
    Sync,
}

impl Channel {
    pub fn code(self) -> &'static str {
        match self {
            Channel::Grid => "grid",
            Channel::Excel => "excel",
            Channel::Api => "api",
            Channel::Sync => "sync",
        }
    }
    pub fn from_code(code: &str) -> Option<Channel> {
        [Channel::Grid, Channel::Excel, Channel::Api, Channel::Sync]
            .into_iter()
            .find(|c| c.code() == code)
    }
    pub fn label(self) -> &'static str {
        match self {
            Channel::Grid => "Sổ điểm trên web",
            Channel::Excel => "Nhập từ Excel",
            Channel::Api => "API",
            Channel::Sync => "Đồng bộ (kỳ thi hoặc ứng dụng LMS)",
        }
    }
}

/// Đợt nhập điểm: when teachers of a grade may enter a semester's grades.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryWindow {
    pub id: i64,
    pub grade: u8,
    pub semester: Semester,
    /// Unix milliseconds, inclusive.
    pub opens_at: i64,
    /// Unix milliseconds, exclusive.
    pub closes_at: i64,
}

impl EntryWindow {
    pub fn is_open(&self, now: i64) -> bool {
        self.opens_at <= now && now < self.closes_at
    }
    fn span(&self) -> String {
        format!(
            "{} – {}",
            crate::date::vietnam_time(self.opens_at),
            crate::date::vietnam_time(self.closes_at)
        )
    }
}

/// Checks a new window.
pub fn check_window(grade: u8, opens_at: i64, closes_at: i64) -> Result<(), String> {
    Grade::new(grade).map_err(|e| format!("Đợt nhập điểm: {e}."))?;
    if closes_at <= opens_at {
        return Err(
            "Đợt nhập điểm phải kết thúc sau khi bắt đầu: hãy kiểm tra lại thời điểm mở và đóng."
                .into(),
        );
    }
    Ok(())
}

/// Whether entry is open for a grade and semester at an instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum WindowState {
    Open {
        window: EntryWindow,
    },
    /// The next window has not opened yet.
    NotYet {
        window: EntryWindow,
    },
    /// The last window has closed.
    Ended {
        window: EntryWindow,
    },
    /// No window was ever declared.
    None,
}

/// The state at `now` of the windows of one grade and semester: open if any
/// window is open (the one closing last is reported), else the next one to
/// open, else the one that closed last.
pub fn window_state(windows: &[EntryWindow], now: i64) -> WindowState {
    if let Some(open) = windows
        .iter()
        .filter(|w| w.is_open(now))
        .max_by_key(|w| w.closes_at)
    {
        return WindowState::Open {
            window: open.clone(),
        };
    }
    if let Some(next) = windows
        .iter()
        .filter(|w| w.opens_at > now)
        .min_by_key(|w| w.opens_at)
    {
        return WindowState::NotYet {
            window: next.clone(),
        };
    }
    match windows.iter().max_by_key(|w| w.closes_at) {
        Some(last) => WindowState::Ended {
            window: last.clone(),
        },
        None => WindowState::None,
    }
}

/// A column lock (khóa cột điểm): who locked it, when, why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ColumnLock {
    pub column: Column,
    pub locked_at: i64,
    pub locked_by: String,
    pub reason: String,
}

/// A lock or unlock needs a reason, which goes into the audit trail.
pub fn check_lock_reason(reason: &str) -> Result<String, String> {
    let reason = hocba_text::clean_input(reason);
    if reason.is_empty() {
        return Err("Hãy ghi lý do khóa hoặc mở khóa cột điểm: lý do được lưu vào nhật ký và hiện cho giáo viên.".into());
    }
    if reason.chars().count() > 500 {
        return Err("Lý do tối đa 500 ký tự.".into());
    }
    Ok(reason)
}

/// A class × subject × semester, named, for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub class_name: String,
    pub subject_name: String,
    pub grade: u8,
    pub semester: Semester,
}

impl Place {
    fn described(&self) -> String {
        format!(
            "môn {} lớp {} {}",
            self.subject_name,
            self.class_name,
            self.semester.label()
        )
    }
}

/// A rule a school administrator stepped over; recorded in the audit trail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Override {
    /// Entered where no teaching assignment of theirs exists.
    NotAssigned,
    /// Entered outside an entry window.
    OutsideWindow,
    /// Entered in a locked column.
    ColumnLocked,
}

impl Override {
    pub fn code(self) -> &'static str {
        match self {
            Override::NotAssigned => "not_assigned",
            Override::OutsideWindow => "outside_window",
            Override::ColumnLocked => "column_locked",
        }
    }
    pub fn from_code(code: &str) -> Option<Override> {
        [
            Override::NotAssigned,
            Override::OutsideWindow,
            Override::ColumnLocked,
        ]
        .into_iter()
        .find(|o| o.code() == code)
    }
    pub fn label(self) -> &'static str {
        match self {
            Override::NotAssigned => "quản trị viên nhập thay giáo viên bộ môn",
            Override::OutsideWindow => "ngoài đợt nhập điểm",
            Override::ColumnLocked => "cột điểm đã khóa",
        }
    }
}

/// Why a cell (or a conduct line) may not be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryRefusal {
    /// The teacher does not teach this subject to this class this semester.
    NotAssigned { place: Place },
    /// Conduct and the homeroom comment belong to the homeroom teacher.
    NotHomeroom { place: Place },
    /// No entry window for the grade and semester.
    NoWindow { place: Place, admin: bool },
    WindowNotYet {
        place: Place,
        window: EntryWindow,
        admin: bool,
    },
    WindowEnded {
        place: Place,
        window: EntryWindow,
        admin: bool,
    },
    ColumnLocked {
        place: Place,
        lock: ColumnLock,
        admin: bool,
    },
    /// No column plan declared.
    NotDeclared { place: Place },
    ColumnNotInPlan {
        place: Place,
        column: Column,
        plan: ColumnPlan,
    },
    /// Primary classes, or a year outside the covered regimes.
    NoGradebook { message: String },
    /// The value itself is refused.
    InvalidValue { message: String },
    /// The class's book of this semester is closed (close_term: the summary
    /// was confirmed complete); only an administrator's reopening lifts it.
    TermClosed {
        place: Place,
        closed_by: String,
        closed_at: i64,
    },
}

/// How the web answers a refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusalKind {
    /// Not this person's (403).
    Forbidden,
    /// Not now, or not this column: a window or a lock (423).
    Locked,
    /// The request cannot be met as it is (422).
    Invalid,
}

const ADMIN_OVERRIDE: &str = " Bạn là quản trị viên: có thể ghi đè bằng cách gửi kèm \"override\": true; việc ghi đè được ghi vào nhật ký.";

impl EntryRefusal {
    pub fn code(&self) -> &'static str {
        match self {
            EntryRefusal::NotAssigned { .. } => "not_assigned",
            EntryRefusal::NotHomeroom { .. } => "not_homeroom",
            EntryRefusal::NoWindow { .. } => "no_entry_window",
            EntryRefusal::WindowNotYet { .. } => "entry_window_not_open",
            EntryRefusal::WindowEnded { .. } => "entry_window_ended",
            EntryRefusal::ColumnLocked { .. } => "column_locked",
            EntryRefusal::NotDeclared { .. } => "column_plan_not_declared",
            EntryRefusal::ColumnNotInPlan { .. } => "column_not_in_plan",
            EntryRefusal::NoGradebook { .. } => "no_gradebook",
            EntryRefusal::InvalidValue { .. } => "invalid_value",
            EntryRefusal::TermClosed { .. } => "term_closed",
        }
    }

    pub fn kind(&self) -> RefusalKind {
        match self {
            EntryRefusal::NotAssigned { .. } | EntryRefusal::NotHomeroom { .. } => {
                RefusalKind::Forbidden
            }
            EntryRefusal::NoWindow { .. }
            | EntryRefusal::WindowNotYet { .. }
            | EntryRefusal::WindowEnded { .. }
            | EntryRefusal::ColumnLocked { .. }
            | EntryRefusal::TermClosed { .. } => RefusalKind::Locked,
            _ => RefusalKind::Invalid,
        }
    }

    pub fn reason(&self) -> String {
        match self {
            EntryRefusal::NotAssigned { place } => format!(
                "Bạn không được phân công dạy môn {} lớp {} {}.",
                place.subject_name,
                place.class_name,
                place.semester.label()
            ),
            EntryRefusal::NotHomeroom { place } => format!(
                "Bạn không phải giáo viên chủ nhiệm lớp {} nên không được nhập kết quả rèn luyện và nhận xét {} của lớp này.",
                place.class_name,
                place.semester.label()
            ),
            EntryRefusal::NoWindow { place, .. } => format!(
                "Chưa có đợt nhập điểm {} khối {}.",
                place.semester.label(),
                place.grade
            ),
            EntryRefusal::WindowNotYet { place, window, .. } => format!(
                "Chưa đến đợt nhập điểm {} khối {} ({}).",
                place.semester.label(),
                place.grade,
                window.span()
            ),
            EntryRefusal::WindowEnded { place, window, .. } => format!(
                "Đã hết đợt nhập điểm {} khối {} ({}).",
                place.semester.label(),
                place.grade,
                window.span()
            ),
            EntryRefusal::ColumnLocked { place, lock, .. } => format!(
                "Cột {} {} đã bị khóa bởi {} lúc {} (lý do: {}).",
                lock.column.label(),
                place.described(),
                lock.locked_by,
                crate::date::vietnam_time(lock.locked_at),
                lock.reason
            ),
            EntryRefusal::NotDeclared { place } => format!(
                "Sổ điểm {} chưa được khai báo số cột điểm.",
                place.described()
            ),
            EntryRefusal::ColumnNotInPlan {
                place,
                column,
                plan,
            } => format!(
                "Sổ điểm {} không có cột {}: đã khai báo {} cột ĐĐGtx, 1 cột ĐĐGgk và 1 cột ĐĐGck.",
                place.described(),
                column.label(),
                plan.regular
            ),
            EntryRefusal::NoGradebook { message } | EntryRefusal::InvalidValue { message } => {
                message.clone()
            }
            EntryRefusal::TermClosed {
                place,
                closed_by,
                closed_at,
            } => format!(
                "Lớp {} đã xác nhận hoàn thành tổng kết và khóa sổ {} ({} lúc {}): điểm, kết quả rèn luyện và nhận xét của học kỳ này không sửa được nữa.",
                place.class_name,
                place.semester.label(),
                closed_by,
                crate::date::vietnam_time(*closed_at)
            ),
        }
    }

    pub fn remedy(&self) -> String {
        let admin_note = |admin: &bool| if *admin { ADMIN_OVERRIDE } else { "" };
        match self {
            EntryRefusal::NotAssigned { .. } => "Giáo viên bộ môn chỉ nhập điểm môn, lớp và học kỳ mình được phân công giảng dạy. Nếu phân công chưa đúng, hãy liên hệ quản trị viên của trường để sửa phân công chuyên môn.".into(),
            EntryRefusal::NotHomeroom { .. } => "Hãy nhờ giáo viên chủ nhiệm của lớp, hoặc liên hệ quản trị viên nếu phân công chủ nhiệm chưa đúng.".into(),
            EntryRefusal::NoWindow { admin, .. } => format!("Hãy liên hệ quản trị viên để mở đợt nhập điểm.{}", admin_note(admin)),
            EntryRefusal::WindowNotYet { admin, .. } => format!("Hãy nhập trong thời gian của đợt; nếu cần nhập sớm, hãy liên hệ quản trị viên.{}", admin_note(admin)),
            EntryRefusal::WindowEnded { admin, .. } => format!("Hãy liên hệ quản trị viên để mở thêm đợt nhập điểm.{}", admin_note(admin)),
            EntryRefusal::ColumnLocked { admin, .. } => format!("Hãy liên hệ quản trị viên để mở khóa.{}", admin_note(admin)),
            EntryRefusal::NotDeclared { .. } => "Quản trị viên cần khai báo số cột điểm cho môn này (mặc định theo số tiết/năm, Thông tư 22/2021 Điều 6) trước khi nhập điểm.".into(),
            EntryRefusal::ColumnNotInPlan { .. } => "Hãy chọn một cột có trong sổ điểm, hoặc nhờ quản trị viên khai báo thêm cột ĐĐGtx.".into(),
            EntryRefusal::NoGradebook { .. } => "Hãy chọn một lớp THCS hoặc THPT.".into(),
            EntryRefusal::InvalidValue { .. } => "Hãy sửa giá trị rồi lưu lại; chưa có gì được lưu.".into(),
            EntryRefusal::TermClosed { .. } => "Nếu cần sửa, hãy đề nghị quản trị viên mở lại sổ (ghi lý do; việc mở lại được ghi vào nhật ký), sửa xong thì tổng kết và xác nhận lại.".into(),
        }
    }
}

impl fmt::Display for EntryRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.reason(), self.remedy())
    }
}

impl From<&EntryRefusal> for Denied {
    fn from(refusal: &EntryRefusal) -> Denied {
        Denied {
            reason: refusal.reason(),
            remedy: refusal.remedy(),
        }
    }
}

/// Why a teacher may not see a gradebook, naming it.
pub fn not_allowed_to_view(place: &Place) -> Denied {
    Denied {
        reason: format!(
            "Bạn không dạy môn {} lớp {} và không chủ nhiệm lớp này nên không xem được sổ điểm này.",
            place.subject_name, place.class_name
        ),
        remedy: "Giáo viên xem sổ điểm của lớp mình chủ nhiệm và của môn, lớp mình được phân công dạy; nếu phân công chưa đúng, hãy liên hệ quản trị viên của trường.".into(),
    }
}

/// Who is writing, and how the rules apply to them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entrant {
    /// A school administrator: may enter anywhere and, with
    /// `override_requested`, outside windows and in locked columns.
    pub admin: bool,
    /// Holds the teaching assignment (or, for conduct, the homeroom).
    pub assigned: bool,
    pub override_requested: bool,
}

/// Decides whether a write may happen, given the facts the store read inside
/// the writing transaction. Returns the rules an administrator stepped over
/// (empty for a teacher writing where and when they may).
pub fn check_entry(
    place: &Place,
    entrant: Entrant,
    window: &WindowState,
    lock: Option<&ColumnLock>,
) -> Result<Vec<Override>, EntryRefusal> {
    let mut overrides = Vec::new();
    let admin = entrant.admin;
    if !entrant.assigned {
        if !admin {
            return Err(EntryRefusal::NotAssigned {
                place: place.clone(),
            });
        }
        overrides.push(Override::NotAssigned);
    }
    let closed = match window {
        WindowState::Open { .. } => None,
        WindowState::NotYet { window } => Some(EntryRefusal::WindowNotYet {
            place: place.clone(),
            window: window.clone(),
            admin,
        }),
        WindowState::Ended { window } => Some(EntryRefusal::WindowEnded {
            place: place.clone(),
            window: window.clone(),
            admin,
        }),
        WindowState::None => Some(EntryRefusal::NoWindow {
            place: place.clone(),
            admin,
        }),
    };
    if let Some(refusal) = closed {
        if !(admin && entrant.override_requested) {
            return Err(refusal);
        }
        overrides.push(Override::OutsideWindow);
    }
    if let Some(lock) = lock {
        if !(admin && entrant.override_requested) {
            return Err(EntryRefusal::ColumnLocked {
                place: place.clone(),
                lock: lock.clone(),
                admin,
            });
        }
        overrides.push(Override::ColumnLocked);
    }
    Ok(overrides)
}

/// A subject's value for a semester from its cells, through
/// `hocba_assessment` (TT22 Điều 9 khoản 1; TT58 as amended by TT26), or why
/// it cannot be computed yet. The average uses the regular scores actually
/// recorded, once at least the law's minimum are (regulations.md §1.2 [I]).
pub fn semester_value(
    mode: SubjectMode,
    regime: Regime,
    required_regular: u8,
    cells: &[(Column, CellValue)],
) -> Result<Exemptible<SubjectValue>, String> {
    if cells.is_empty() {
        return Err("Chưa có điểm.".into());
    }
    let exempt = cells
        .iter()
        .filter(|(_, v)| *v == CellValue::Exempt)
        .count();
    if exempt == cells.len() {
        return Ok(Exemptible::Exempt);
    }
    if exempt > 0 {
        return Err(
            "Học sinh vừa có M (miễn) vừa có điểm: hãy thống nhất (miễn thì mọi cột ghi M).".into(),
        );
    }
    let mut regular = Vec::new();
    let (mut midterm, mut end_of_term) = (None, None);
    let mut sorted: Vec<&(Column, CellValue)> = cells.iter().collect();
    sorted.sort_by_key(|(column, _)| column.order());
    for (column, value) in sorted {
        match column.kind {
            ColumnKind::Regular => regular.push(*value),
            ColumnKind::Midterm => midterm = Some(*value),
            ColumnKind::Final => end_of_term = Some(*value),
        }
    }
    let mut missing = Vec::new();
    if regular.len() < usize::from(required_regular) {
        missing.push(format!(
            "{} điểm ĐĐGtx (cần ít nhất {required_regular})",
            usize::from(required_regular) - regular.len()
        ));
    }
    if midterm.is_none() {
        missing.push("ĐĐGgk".into());
    }
    if end_of_term.is_none() {
        missing.push("ĐĐGck".into());
    }
    if !missing.is_empty() {
        return Err(format!(
            "Chưa tính được điểm trung bình môn học kỳ: còn thiếu {}.",
            missing.join(", ")
        ));
    }
    let (Some(midterm), Some(end_of_term)) = (midterm, end_of_term) else {
        return Err("Chưa có điểm.".into());
    };
    let mismatch = || {
        "Sổ điểm có giá trị không hợp với hình thức đánh giá của môn (điểm số lẫn Đ/CĐ); hãy sửa các ô đó."
            .to_owned()
    };
    match mode {
        SubjectMode::Scored => {
            let score = |value: CellValue| match value {
                CellValue::Score(score) => Ok(score),
                _ => Err(mismatch()),
            };
            let columns = TermColumns {
                regular: regular.into_iter().map(score).collect::<Result<_, _>>()?,
                midterm: score(midterm)?,
                end_of_term: score(end_of_term)?,
            };
            Ok(Exemptible::Assessed(SubjectValue::Scored(
                secondary::semester_subject_average(&columns),
            )))
        }
        SubjectMode::Commented => {
            let result = |value: CellValue| match value {
                CellValue::Commented(result) => Ok(result),
                _ => Err(mismatch()),
            };
            let assessments = CommentedAssessments {
                regular: regular.into_iter().map(result).collect::<Result<_, _>>()?,
                midterm: result(midterm)?,
                end_of_term: result(end_of_term)?,
            };
            let (value, _, _) = secondary::commented_semester_result(regime, &assessments);
            Ok(Exemptible::Assessed(SubjectValue::Commented(value)))
        }
    }
}

/// The year value from the two semesters (ĐTBmcn = (HK1 + 2·HK2)/3 for a
/// scored subject, the HK2 result for a commented one; exemption rules of
/// `hocba_assessment`).
pub fn year_value(
    first: &Exemptible<SubjectValue>,
    second: &Exemptible<SubjectValue>,
) -> Exemptible<SubjectValue> {
    secondary::year_value_with_exemption(first, second).0
}

/// "7.8", "Đ", "CĐ" or "M".
pub fn value_code(value: &Exemptible<SubjectValue>) -> String {
    match value {
        Exemptible::Assessed(value) => value.to_string(),
        Exemptible::Exempt => "M".into(),
    }
}

/// Kết quả rèn luyện (TT22 Điều 8): Tốt, Khá, Đạt, Chưa đạt (also T, K, Đ,
/// CĐ); empty clears it.
pub fn parse_training_result(text: &str) -> Result<Option<TrainingResult>, ValueError> {
    let text = hocba_text::clean_input(text);
    if text.is_empty() {
        return Ok(None);
    }
    TrainingResult::from_label(&text).map(Some).ok_or_else(|| {
        ValueError(format!(
            "“{text}” không phải kết quả rèn luyện: chọn {} (Thông tư 22/2021 Điều 8).",
            TrainingResult::expected()
        ))
    })
}

/// The label of a training result, as stored and shown: "Tốt".
pub fn training_label(result: TrainingResult) -> &'static str {
    result.label()
}

/// A homeroom comment: cleaned text, at most 2,000 characters.
pub fn check_comment(text: &str) -> Result<Option<String>, ValueError> {
    let text = hocba_text::clean_input(text);
    if text.chars().count() > 2000 {
        return Err(ValueError("Nhận xét tối đa 2.000 ký tự.".into()));
    }
    Ok((!text.is_empty()).then_some(text))
}

/// A score-change reason: optional, cleaned, at most 500 characters.
pub fn check_change_reason(text: Option<&str>) -> Result<Option<String>, ValueError> {
    let Some(text) = text else { return Ok(None) };
    let text = hocba_text::clean_input(text);
    if text.chars().count() > 500 {
        return Err(ValueError("Lý do sửa điểm tối đa 500 ký tự.".into()));
    }
    Ok((!text.is_empty()).then_some(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subject(mode: SubjectMode, periods: u16) -> PlanSubject {
        PlanSubject {
            name: "Toán".into(),
            mode,
            periods_per_year: periods,
        }
    }

    #[test]
    fn default_plans_follow_article_6() {
        let cases = [
            (SubjectMode::Scored, 35, 2),
            (SubjectMode::Scored, 36, 3),
            (SubjectMode::Scored, 52, 3),
            (SubjectMode::Scored, 70, 3),
            (SubjectMode::Scored, 71, 4),
            (SubjectMode::Scored, 105, 4),
            (SubjectMode::Commented, 70, 2),
            (SubjectMode::Commented, 105, 2),
        ];
        for (mode, periods, regular) in cases {
            let plan = subject(mode, periods).default_plan();
            assert_eq!(
                plan,
                ColumnPlan::with_regular(regular),
                "{mode:?} {periods}"
            );
            assert_eq!(plan.columns().len(), usize::from(regular) + 2);
        }
    }

    #[test]
    fn plans_may_add_columns_but_not_go_below_the_law() {
        let maths = subject(SubjectMode::Scored, 105);
        assert_eq!(maths.check_plan(5).unwrap().regular, 5);
        let fewer = maths.check_plan(3).unwrap_err();
        assert!(
            fewer.contains("ít nhất 4 cột") && fewer.contains("Điều 6"),
            "{fewer}"
        );
        assert!(maths.check_plan(MAX_REGULAR_COLUMNS + 1).is_err());
    }

    #[test]
    fn columns_have_keys_labels_and_an_order() {
        let cases = [
            ("regular:3", Column::regular(3), "ĐĐGtx 3"),
            ("TX2", Column::regular(2), "ĐĐGtx 2"),
            ("midterm", Column::MIDTERM, "ĐĐGgk"),
            ("GK", Column::MIDTERM, "ĐĐGgk"),
            ("final", Column::FINAL, "ĐĐGck"),
        ];
        for (text, column, label) in cases {
            assert_eq!(Column::parse(text), Ok(column), "{text}");
            assert_eq!(column.label(), label);
            assert_eq!(Column::parse(&column.key()), Ok(column));
        }
        for bad in ["regular:0", "regular:11", "tx", "cuoi ky", ""] {
            assert!(Column::parse(bad).is_err(), "{bad}");
        }
        let plan = ColumnPlan::with_regular(3);
        assert!(plan.contains(Column::regular(3)));
        assert!(!plan.contains(Column::regular(4)));
        assert_eq!(
            plan.columns().iter().map(|c| c.key()).collect::<Vec<_>>(),
            ["regular:1", "regular:2", "regular:3", "midterm", "final"]
        );
    }

    #[test]
    fn values_are_exact_and_refusals_explain() {
        let ok = [
            ("8.5", "8.5"),
            ("8,5", "8.5"),
            (" 10 ", "10.0"),
            ("0", "0.0"),
            ("Đ", "Đ"),
            ("CĐ", "CĐ"),
            ("cd", "CĐ"),
            ("C\u{0110}", "CĐ"),
            ("M", "M"),
        ];
        for (text, code) in ok {
            assert_eq!(
                CellValue::parse(text)
                    .unwrap()
                    .map(CellValue::code)
                    .as_deref(),
                Some(code),
                "{text}"
            );
        }
        assert_eq!(CellValue::parse("  ").unwrap(), None);
        let refused = [
            ("8.25", "hơn một chữ số thập phân"),
            ("8,25", "không tự làm tròn"),
            ("11", "lớn hơn 10"),
            ("-1", "số âm"),
            ("abc", "không phải giá trị"),
            ("8.", "không phải điểm"),
        ];
        for (text, words) in refused {
            let error = CellValue::parse(text).unwrap_err().0;
            assert!(error.contains(words), "{text}: {error}");
        }
        assert_eq!(CellValue::parse("8,5").unwrap().unwrap().display(), "8,5");
    }

    #[test]
    fn values_fit_the_subject_mode() {
        let score = CellValue::parse("7").unwrap().unwrap();
        let pass = CellValue::parse("Đ").unwrap().unwrap();
        assert!(score.fits(SubjectMode::Scored, "Toán").is_ok());
        assert!(
            pass.fits(SubjectMode::Commented, "Giáo dục thể chất")
                .is_ok()
        );
        assert!(
            CellValue::Exempt
                .fits(SubjectMode::Commented, "GDTC")
                .is_ok()
        );
        let error = pass.fits(SubjectMode::Scored, "Toán").unwrap_err().0;
        assert!(error.contains("không nhập Đ/CĐ"), "{error}");
        let error = score.fits(SubjectMode::Commented, "Âm nhạc").unwrap_err().0;
        assert!(error.contains("chỉ nhập Đ"), "{error}");
    }

    #[test]
    fn stored_values_round_trip() {
        for text in ["8.5", "0", "10", "Đ", "CĐ", "M"] {
            let value = CellValue::parse(text).unwrap().unwrap();
            assert_eq!(
                CellValue::from_stored(value.tenths(), value.mark()),
                Some(value)
            );
        }
        assert_eq!(CellValue::from_stored(None, None), None);
    }

    #[test]
    fn a_missed_make_up_counts_zero_or_not_pass() {
        let zero = CellValue::Score(Score::ZERO);
        assert_eq!(missed_make_up_value(SubjectMode::Scored, None), Ok(zero));
        assert_eq!(
            missed_make_up_value(SubjectMode::Scored, Some(zero)),
            Ok(zero)
        );
        assert_eq!(
            missed_make_up_value(SubjectMode::Commented, None),
            Ok(CellValue::Commented(CommentedResult::NotPass))
        );
        let error = missed_make_up_value(SubjectMode::Scored, CellValue::parse("5").unwrap())
            .unwrap_err()
            .0;
        assert!(error.contains("nhận 0,0"), "{error}");
    }

    fn window(id: i64, opens_at: i64, closes_at: i64) -> EntryWindow {
        EntryWindow {
            id,
            grade: 10,
            semester: Semester::S1,
            opens_at,
            closes_at,
        }
    }

    #[test]
    fn window_states() {
        let windows = [window(1, 100, 200), window(2, 300, 400)];
        let cases = [
            (50, "not_yet", Some(1)),
            (100, "open", Some(1)),
            (199, "open", Some(1)),
            (200, "not_yet", Some(2)),
            (350, "open", Some(2)),
            (400, "ended", Some(2)),
        ];
        for (now, state, id) in cases {
            let got = window_state(&windows, now);
            let (name, got_id) = match &got {
                WindowState::Open { window } => ("open", Some(window.id)),
                WindowState::NotYet { window } => ("not_yet", Some(window.id)),
                WindowState::Ended { window } => ("ended", Some(window.id)),
                WindowState::None => ("none", None),
            };
            assert_eq!((name, got_id), (state, id), "at {now}");
        }
        assert_eq!(window_state(&[], 5), WindowState::None);
        assert!(check_window(10, 5, 5).is_err());
        assert!(check_window(13, 5, 6).is_err());
        assert!(check_window(10, 5, 6).is_ok());
    }

    fn place() -> Place {
        Place {
            class_name: "10A1".into(),
            subject_name: "Toán".into(),
            grade: 10,
            semester: Semester::S1,
        }
    }

    fn lock() -> ColumnLock {
        ColumnLock {
            column: Column::regular(3),
            locked_at: 1_763_622_300_000,
            locked_by: "Phạm Thu Hà (thpt.admin)".into(),
            reason: "Đã chốt điểm giữa kỳ".into(),
        }
    }

    /// The entry rules as a table: who × window × lock → outcome.
    #[test]
    fn entry_rules_table() {
        let open = WindowState::Open {
            window: window(1, 0, 10),
        };
        let ended = WindowState::Ended {
            window: window(1, 1_763_622_300_000, 1_763_708_700_000),
        };
        let teacher = Entrant {
            admin: false,
            assigned: true,
            override_requested: false,
        };
        let stranger = Entrant {
            assigned: false,
            ..teacher
        };
        let admin = Entrant {
            admin: true,
            assigned: false,
            override_requested: false,
        };
        let admin_override = Entrant {
            override_requested: true,
            ..admin
        };
        let teacher_override = Entrant {
            override_requested: true,
            ..teacher
        };
        let locked = lock();
        type Expected = Result<Vec<Override>, &'static str>;
        let cases: Vec<(Entrant, &WindowState, Option<&ColumnLock>, Expected)> = vec![
            (teacher, &open, None, Ok(vec![])),
            (stranger, &open, None, Err("not_assigned")),
            (teacher, &ended, None, Err("entry_window_ended")),
            (teacher, &WindowState::None, None, Err("no_entry_window")),
            (teacher, &open, Some(&locked), Err("column_locked")),
            // A teacher cannot override.
            (
                teacher_override,
                &ended,
                Some(&locked),
                Err("entry_window_ended"),
            ),
            (admin, &open, None, Ok(vec![Override::NotAssigned])),
            (admin, &ended, None, Err("entry_window_ended")),
            (admin, &open, Some(&locked), Err("column_locked")),
            (
                admin_override,
                &ended,
                Some(&locked),
                Ok(vec![
                    Override::NotAssigned,
                    Override::OutsideWindow,
                    Override::ColumnLocked,
                ]),
            ),
        ];
        for (entrant, window, lock, expected) in cases {
            let got = check_entry(&place(), entrant, window, lock).map_err(|r| r.code());
            assert_eq!(got, expected, "{entrant:?} {window:?} {lock:?}");
        }
    }

    #[test]
    fn refusals_say_why_and_what_to_do() {
        let not_assigned = EntryRefusal::NotAssigned { place: place() };
        assert_eq!(
            not_assigned.reason(),
            "Bạn không được phân công dạy môn Toán lớp 10A1 học kỳ I."
        );
        assert_eq!(not_assigned.kind(), RefusalKind::Forbidden);
        let locked = EntryRefusal::ColumnLocked {
            place: place(),
            lock: lock(),
            admin: false,
        };
        assert_eq!(
            locked.to_string(),
            "Cột ĐĐGtx 3 môn Toán lớp 10A1 học kỳ I đã bị khóa bởi Phạm Thu Hà (thpt.admin) lúc 14:05 20/11/2025 (lý do: Đã chốt điểm giữa kỳ). Hãy liên hệ quản trị viên để mở khóa."
        );
        let ended = EntryRefusal::WindowEnded {
            place: place(),
            window: window(1, 1_763_622_300_000, 1_763_708_700_000),
            admin: true,
        };
        assert_eq!(
            ended.reason(),
            "Đã hết đợt nhập điểm học kỳ I khối 10 (14:05 20/11/2025 – 14:05 21/11/2025)."
        );
        assert!(ended.remedy().contains("override"), "{}", ended.remedy());
        assert_eq!(ended.kind(), RefusalKind::Locked);
    }

    fn cells(pairs: &[(&str, &str)]) -> Vec<(Column, CellValue)> {
        pairs
            .iter()
            .map(|(column, value)| {
                (
                    Column::parse(column).unwrap(),
                    CellValue::parse(value).unwrap().unwrap(),
                )
            })
            .collect()
    }

    #[test]
    fn semester_values_come_from_the_assessment_library() {
        let scored = SubjectMode::Scored;
        let tt22 = Regime::Tt22;
        // regulations.md §1.4 vector: (8+9+7+8 + 2·7 + 3·8)/9 = 7.8.
        let full = cells(&[
            ("regular:1", "8"),
            ("regular:2", "9"),
            ("regular:3", "7"),
            ("regular:4", "8"),
            ("midterm", "7"),
            ("final", "8"),
        ]);
        let value = semester_value(scored, tt22, 4, &full).unwrap();
        assert_eq!(value_code(&value), "7.8");
        // Missing columns are named.
        let partial = cells(&[("regular:1", "8"), ("midterm", "7")]);
        let why = semester_value(scored, tt22, 4, &partial).unwrap_err();
        assert!(
            why.contains("3 điểm ĐĐGtx") && why.contains("ĐĐGck"),
            "{why}"
        );
        assert!(semester_value(scored, tt22, 4, &[]).is_err());
        // Commented: every assessment Đ → Đ; one CĐ → CĐ.
        let commented = SubjectMode::Commented;
        let pass = cells(&[
            ("regular:1", "Đ"),
            ("regular:2", "Đ"),
            ("midterm", "Đ"),
            ("final", "Đ"),
        ]);
        assert_eq!(
            value_code(&semester_value(commented, tt22, 2, &pass).unwrap()),
            "Đ"
        );
        let not_pass = cells(&[
            ("regular:1", "Đ"),
            ("regular:2", "CĐ"),
            ("midterm", "Đ"),
            ("final", "Đ"),
        ]);
        assert_eq!(
            value_code(&semester_value(commented, tt22, 2, &not_pass).unwrap()),
            "CĐ"
        );
        // Exempt in every column → M; mixed → explained.
        let exempt = cells(&[("midterm", "M"), ("final", "M")]);
        assert_eq!(
            value_code(&semester_value(scored, tt22, 4, &exempt).unwrap()),
            "M"
        );
        let mixed = cells(&[("midterm", "M"), ("final", "8")]);
        assert!(semester_value(scored, tt22, 4, &mixed).is_err());
        // Year: (7.9 + 2·8.5)/3 = 8.3.
        let s1 = Exemptible::Assessed(SubjectValue::Scored("7.9".parse().unwrap()));
        let s2 = Exemptible::Assessed(SubjectValue::Scored("8.5".parse().unwrap()));
        assert_eq!(value_code(&year_value(&s1, &s2)), "8.3");
    }

    #[test]
    fn primary_classes_have_no_gradebook() {
        let year = SchoolYear { start_year: 2025 };
        let grade = |g| Grade::new(g).unwrap();
        assert_eq!(gradebook_regime(grade(10), year, "10A1"), Ok(Regime::Tt22));
        let refused = gradebook_regime(grade(3), year, "3A").unwrap_err();
        assert!(
            refused.contains("Thông tư 27/2020") && refused.contains("không có cột điểm"),
            "{refused}"
        );
        assert_eq!(
            gradebook_regime(grade(12), SchoolYear { start_year: 2022 }, "12A1"),
            Ok(Regime::Tt58)
        );
    }

    #[test]
    fn training_results_and_comments() {
        assert_eq!(
            parse_training_result("Tốt").unwrap().map(training_label),
            Some("Tốt")
        );
        assert_eq!(
            parse_training_result("CĐ").unwrap().map(training_label),
            Some("Chưa đạt")
        );
        assert_eq!(parse_training_result(" ").unwrap(), None);
        assert!(
            parse_training_result("Giỏi")
                .unwrap_err()
                .0
                .contains("Tốt, Khá, Đạt, Chưa đạt")
        );
        assert_eq!(
            check_comment("  Chăm ngoan  ").unwrap().as_deref(),
            Some("Chăm ngoan")
        );
        assert!(check_comment(&"a".repeat(2001)).is_err());
        assert!(check_lock_reason(" ").is_err());
    }

    #[test]
    fn semesters() {
        assert_eq!(Semester::from_number(2), Some(Semester::S2));
        assert_eq!(Semester::from_number(3), None);
        assert_eq!(Semester::S1.label(), "học kỳ I");
        let on = |y, m, d| Semester::containing(crate::Date::new(y, m, d).unwrap());
        assert_eq!(on(2025, 11, 22), Semester::S1);
        assert_eq!(on(2026, 1, 10), Semester::S1);
        assert_eq!(on(2026, 3, 1), Semester::S2);
        assert!(invalid_semester("3").contains("học kỳ 1"));
    }
}
