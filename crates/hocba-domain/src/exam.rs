//! School-level exams (kỳ thi cấp trường), their papers (đề thi) and score
//! sheets (bảng điểm), and the rules for syncing a paper's scores into the
//! gradebook (đồng bộ điểm) — every class or student left out named with the
//! reason and what to do.
//!
//! The rules come from seed 000 (K12Online's guide to syncing scores into
//! SMAS):
//! * §1: only lower and upper secondary classes; only regular (chính quy)
//!   exams, not free-form (tự do) ones; only schools whose gradebook is linked.
//! * §2.1: only students with a ministry code (`moet_code`, the guide's
//!   csdlnCode); only classes whose columns are declared.
//! * §2.2: sync after the score sheet is final (chốt điểm); once synced, the
//!   paper can no longer be edited or deleted; a column receives scores only
//!   if no student of the class has one in it; one sync per paper.
//! * §4.1: a class is not offered when its columns are not declared, or the
//!   column is locked or outside an entry window.
//! * §4.2: a student without a ministry code is not synced.
//!
//! Everything here is pure: storage reads the facts inside the writing
//! transaction and asks these functions what to write.

use crate::curriculum::SubjectMode;
use crate::gradebook::{
    CellValue, Column, ColumnLock, ColumnPlan, EntryRefusal, Place, ValueError, WindowState,
};
use crate::ids::StudentId;
use crate::level::Level;
pub use hocba_assessment::score::Score;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Kỳ thi chính quy or tự do (glossary). Only regular exams sync (seed 000 §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExamKind {
    /// Chính quy: organised by the school on its timetable, for whole classes.
    Regular,
    /// Tự do: open practice or self-paced tests.
    Free,
}

impl ExamKind {
    pub const ALL: [ExamKind; 2] = [ExamKind::Regular, ExamKind::Free];

    pub fn code(self) -> &'static str {
        match self {
            ExamKind::Regular => "regular",
            ExamKind::Free => "free",
        }
    }

    pub fn from_code(code: &str) -> Option<ExamKind> {
        ExamKind::ALL.into_iter().find(|kind| kind.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            ExamKind::Regular => "Chính quy",
            ExamKind::Free => "Tự do",
        }
    }
}

/// Checks an exam's or a paper's name.
pub fn check_name(what: &str, text: &str) -> Result<String, String> {
    let name = hocba_text::clean_input(text);
    if name.is_empty() {
        return Err(format!("Hãy nhập tên {what}."));
    }
    if name.chars().count() > 200 {
        return Err(format!("Tên {what} tối đa 200 ký tự."));
    }
    Ok(name)
}

/// A score of a score sheet: 0–10 with one decimal, the gradebook's scale
/// (TT22 Điều 5 khoản 3), "8.5" and "8,5" alike. Empty means no score (the
/// student did not sit the paper, or it is not marked yet).
pub fn parse_exam_score(text: &str) -> Result<Option<Score>, ValueError> {
    match CellValue::parse(text)? {
        None => Ok(None),
        Some(CellValue::Score(score)) => Ok(Some(score)),
        Some(_) => Err(ValueError(format!(
            "“{}” không phải điểm bài thi: nhập điểm từ 0 đến 10, một chữ số thập phân (ví dụ 8 hoặc 8,5); để trống nếu học sinh không dự thi.",
            hocba_text::clean_input(text)
        ))),
    }
}

/// A synced paper: when and by whom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncStamp {
    pub at: i64,
    pub by: String,
}

/// The life of a paper's score sheet (seed 000 §2.2): scores are entered
/// while it is open; the school checks and finalises it (chốt điểm); only a
/// final sheet syncs; a synced paper is frozen for good.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum PaperState {
    Open,
    Final { at: i64, by: String },
    Synced(SyncStamp),
}

/// Why a paper may not be changed as asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaperRefusal {
    /// Synced papers are frozen (seed 000 §2.2).
    Frozen {
        paper: String,
        stamp: SyncStamp,
    },
    /// The sheet is final: reopen it first.
    Final {
        paper: String,
        by: String,
    },
    /// Only an open sheet can be finalised; only a final one reopened.
    NotFinal {
        paper: String,
    },
    AlreadyOpen {
        paper: String,
    },
}

impl PaperRefusal {
    pub fn code(&self) -> &'static str {
        match self {
            PaperRefusal::Frozen { .. } => "paper_synced",
            PaperRefusal::Final { .. } => "score_sheet_final",
            PaperRefusal::NotFinal { .. } => "score_sheet_not_final",
            PaperRefusal::AlreadyOpen { .. } => "score_sheet_open",
        }
    }

    pub fn reason(&self) -> String {
        match self {
            PaperRefusal::Frozen { paper, stamp } => format!(
                "Đề thi {paper} đã được đồng bộ điểm sang sổ điểm lúc {} ({}): đề thi đã đồng bộ không được sửa hay xóa, kể cả bảng điểm.",
                crate::date::vietnam_time(stamp.at),
                stamp.by
            ),
            PaperRefusal::Final { paper, by } => {
                format!("Bảng điểm đề thi {paper} đã được chốt ({by}) nên không sửa được.")
            }
            PaperRefusal::NotFinal { paper } => {
                format!("Bảng điểm đề thi {paper} chưa được chốt.")
            }
            PaperRefusal::AlreadyOpen { paper } => {
                format!("Bảng điểm đề thi {paper} đang mở, chưa chốt.")
            }
        }
    }

    pub fn remedy(&self) -> String {
        match self {
            PaperRefusal::Frozen { .. } => "Nếu điểm trong sổ điểm cần điều chỉnh, hãy sửa trực tiếp trong sổ điểm (mỗi lần sửa được ghi nhật ký); muốn tổ chức lại, hãy tạo đề thi mới.".into(),
            PaperRefusal::Final { .. } => "Hãy mở lại bảng điểm (Mở chốt), sửa, rồi chốt lại.".into(),
            PaperRefusal::NotFinal { .. } => "Hãy kiểm tra bảng điểm rồi nhấn Chốt điểm.".into(),
            PaperRefusal::AlreadyOpen { .. } => "Bảng điểm đang mở: có thể nhập điểm ngay.".into(),
        }
    }
}

impl fmt::Display for PaperRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.reason(), self.remedy())
    }
}

impl PaperState {
    pub fn code(&self) -> &'static str {
        match self {
            PaperState::Open => "open",
            PaperState::Final { .. } => "final",
            PaperState::Synced(_) => "synced",
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            PaperState::Open => "Đang nhập điểm",
            PaperState::Final { .. } => "Đã chốt điểm",
            PaperState::Synced(_) => "Đã đồng bộ sang sổ điểm",
        }
    }

    fn frozen(&self, paper: &str) -> Result<(), PaperRefusal> {
        match self {
            PaperState::Synced(stamp) => Err(PaperRefusal::Frozen {
                paper: paper.into(),
                stamp: stamp.clone(),
            }),
            _ => Ok(()),
        }
    }

    /// Editing the paper itself (name, classes) or deleting it: anything but
    /// a synced paper.
    pub fn check_edit_paper(&self, paper: &str) -> Result<(), PaperRefusal> {
        self.frozen(paper)
    }

    /// Entering or importing scores: only an open sheet.
    pub fn check_edit_scores(&self, paper: &str) -> Result<(), PaperRefusal> {
        self.frozen(paper)?;
        match self {
            PaperState::Final { by, .. } => Err(PaperRefusal::Final {
                paper: paper.into(),
                by: by.clone(),
            }),
            _ => Ok(()),
        }
    }

    /// Chốt điểm: open → final.
    pub fn finalise(&self, paper: &str, at: i64, by: &str) -> Result<PaperState, PaperRefusal> {
        self.frozen(paper)?;
        match self {
            PaperState::Open => Ok(PaperState::Final { at, by: by.into() }),
            PaperState::Final { by, .. } => Err(PaperRefusal::Final {
                paper: paper.into(),
                by: by.clone(),
            }),
            PaperState::Synced(_) => unreachable!("checked by frozen"),
        }
    }

    /// Mở chốt: final → open.
    pub fn reopen(&self, paper: &str) -> Result<PaperState, PaperRefusal> {
        self.frozen(paper)?;
        match self {
            PaperState::Final { .. } => Ok(PaperState::Open),
            _ => Err(PaperRefusal::AlreadyOpen {
                paper: paper.into(),
            }),
        }
    }
}

/// Why a whole paper cannot be synced (checked before any class).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaperSyncBlock {
    /// The school keeps its gradebook elsewhere (seed 000 §1: only units
    /// linked to the gradebook).
    NotLinked,
    /// Free-form exams do not sync (seed 000 §1).
    FreeExam { exam: String },
    /// The score sheet must be final first (seed 000 §2.2).
    NotFinal { paper: String },
    /// Once per paper (seed 000 §2.2).
    AlreadySynced { paper: String, stamp: SyncStamp },
}

impl PaperSyncBlock {
    pub fn code(&self) -> &'static str {
        match self {
            PaperSyncBlock::NotLinked => "school_not_linked",
            PaperSyncBlock::FreeExam { .. } => "exam_not_regular",
            PaperSyncBlock::NotFinal { .. } => "score_sheet_not_final",
            PaperSyncBlock::AlreadySynced { .. } => "paper_already_synced",
        }
    }

    pub fn reason(&self) -> String {
        match self {
            PaperSyncBlock::NotLinked => "Trường chưa liên kết khảo thí với sổ điểm: điểm các kỳ thi của trường không được đồng bộ sang sổ điểm.".into(),
            PaperSyncBlock::FreeExam { exam } => format!(
                "Kỳ thi {exam} tổ chức theo hình thức tự do: chỉ kỳ thi chính quy mới được đồng bộ điểm sang sổ điểm."
            ),
            PaperSyncBlock::NotFinal { paper } => format!(
                "Bảng điểm đề thi {paper} chưa được chốt: chỉ đồng bộ khi đề thi đã kết thúc và nhà trường đã kiểm tra, chốt điểm."
            ),
            PaperSyncBlock::AlreadySynced { paper, stamp } => format!(
                "Đề thi {paper} đã được đồng bộ lúc {} ({}); mỗi đề thi chỉ đồng bộ một lần để tránh sai lệch dữ liệu.",
                crate::date::vietnam_time(stamp.at),
                stamp.by
            ),
        }
    }

    pub fn remedy(&self) -> String {
        match self {
            PaperSyncBlock::NotLinked => "Quản trị viên của trường bật “Liên kết khảo thí với sổ điểm” trong trang Kỳ thi, nếu sổ điểm của trường được quản lý trên hocba.".into(),
            PaperSyncBlock::FreeExam { .. } => "Nếu bài thi cần vào sổ điểm, hãy tổ chức kỳ thi chính quy, hoặc nhập điểm trực tiếp trong sổ điểm.".into(),
            PaperSyncBlock::NotFinal { .. } => "Hãy kiểm tra bảng điểm rồi nhấn Chốt điểm, sau đó đồng bộ.".into(),
            PaperSyncBlock::AlreadySynced { .. } => "Xem kết quả đồng bộ trong bảng điểm (điểm đã đồng bộ có biểu tượng khiên); nếu cần điều chỉnh, hãy sửa trực tiếp trong sổ điểm.".into(),
        }
    }
}

impl fmt::Display for PaperSyncBlock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.reason(), self.remedy())
    }
}

/// What the rules need to know about the exam and paper.
#[derive(Debug, Clone)]
pub struct PaperFacts {
    pub linked: bool,
    pub exam_name: String,
    pub kind: ExamKind,
    pub paper_name: String,
    pub state: PaperState,
}

/// Whether the paper may be synced at all.
pub fn paper_block(facts: &PaperFacts) -> Option<PaperSyncBlock> {
    if !facts.linked {
        return Some(PaperSyncBlock::NotLinked);
    }
    if facts.kind != ExamKind::Regular {
        return Some(PaperSyncBlock::FreeExam {
            exam: facts.exam_name.clone(),
        });
    }
    match &facts.state {
        PaperState::Open => Some(PaperSyncBlock::NotFinal {
            paper: facts.paper_name.clone(),
        }),
        PaperState::Final { .. } => None,
        PaperState::Synced(stamp) => Some(PaperSyncBlock::AlreadySynced {
            paper: facts.paper_name.clone(),
            stamp: stamp.clone(),
        }),
    }
}

/// Why one class of a paper cannot be synced into a column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClassSyncBlock {
    /// Only lower and upper secondary (seed 000 §1).
    NotSecondary { class_name: String, level: Level },
    /// A commented subject takes Đ/CĐ, never a score (TT22 Điều 5).
    CommentedSubject { place: Place },
    /// Not declared, not in the plan, window, lock, closed book (seed 000
    /// §4.1): the gradebook's own refusal, without any override.
    Gradebook(Box<EntryRefusal>),
    /// No column was chosen for the class.
    NoColumnChosen { class_name: String },
    /// Students of the class already have scores in the column (seed 000 §2.2).
    ColumnHasScores {
        place: Place,
        column: Column,
        students: Vec<String>,
    },
    /// Nobody of the class has both a score and a ministry code.
    NothingToSync { class_name: String },
}

impl ClassSyncBlock {
    pub fn code(&self) -> &'static str {
        match self {
            ClassSyncBlock::NotSecondary { .. } => "level_not_secondary",
            ClassSyncBlock::CommentedSubject { .. } => "subject_commented",
            ClassSyncBlock::Gradebook(refusal) => refusal.code(),
            ClassSyncBlock::NoColumnChosen { .. } => "no_column_chosen",
            ClassSyncBlock::ColumnHasScores { .. } => "column_has_scores",
            ClassSyncBlock::NothingToSync { .. } => "nothing_to_sync",
        }
    }

    pub fn reason(&self) -> String {
        match self {
            ClassSyncBlock::NotSecondary { class_name, level } => format!(
                "Lớp {class_name} thuộc cấp {}: đồng bộ điểm chỉ áp dụng cho lớp THCS và THPT (học sinh tiểu học được đánh giá theo mức, Thông tư 27/2020).",
                level.label()
            ),
            ClassSyncBlock::CommentedSubject { place } => format!(
                "Môn {} đánh giá bằng nhận xét (Đ/CĐ, Thông tư 22/2021 Điều 5): sổ điểm môn này không nhận điểm số từ đề thi.",
                place.subject_name
            ),
            ClassSyncBlock::Gradebook(refusal) => refusal.reason(),
            ClassSyncBlock::NoColumnChosen { class_name } => {
                format!("Chưa chọn cột điểm cho lớp {class_name}.")
            }
            ClassSyncBlock::ColumnHasScores {
                place,
                column,
                students,
            } => {
                let shown: Vec<&str> = students.iter().take(5).map(String::as_str).collect();
                let more = students.len().saturating_sub(shown.len());
                format!(
                    "Cột {} môn {} lớp {} {} đã có điểm của {} học sinh ({}{}): chỉ đồng bộ vào cột mà toàn bộ học sinh của lớp chưa có điểm.",
                    column.label(),
                    place.subject_name,
                    place.class_name,
                    place.semester.label(),
                    students.len(),
                    shown.join(", "),
                    if more > 0 {
                        format!(" và {more} học sinh khác")
                    } else {
                        String::new()
                    }
                )
            }
            ClassSyncBlock::NothingToSync { class_name } => format!(
                "Lớp {class_name} không có học sinh nào vừa có điểm trong bảng điểm vừa có mã định danh Bộ GD&ĐT."
            ),
        }
    }

    pub fn remedy(&self) -> String {
        match self {
            ClassSyncBlock::NotSecondary { .. } => "Không cần làm gì: điểm của lớp này không đồng bộ sang sổ điểm.".into(),
            ClassSyncBlock::CommentedSubject { .. } => "Hãy nhập Đ/CĐ trực tiếp trong sổ điểm của môn.".into(),
            ClassSyncBlock::Gradebook(refusal) => match **refusal {
                EntryRefusal::NotDeclared { .. } => "Quản trị viên vào Sổ điểm → Khai báo số cột điểm để khai báo các cột cho lớp và môn này, rồi đồng bộ lại.".into(),
                EntryRefusal::ColumnLocked { .. } => "Hãy chọn cột khác, hoặc nhờ quản trị viên mở khóa cột (Sổ điểm → Khóa cột điểm).".into(),
                EntryRefusal::NoWindow { .. }
                | EntryRefusal::WindowNotYet { .. }
                | EntryRefusal::WindowEnded { .. } => "Quản trị viên mở đợt nhập điểm cho khối và học kỳ này (Sổ điểm → Đợt nhập điểm), rồi đồng bộ.".into(),
                _ => refusal.remedy(),
            },
            ClassSyncBlock::NoColumnChosen { .. } => "Hãy chọn cột điểm của lớp trong danh sách rồi lưu lại.".into(),
            ClassSyncBlock::ColumnHasScores { .. } => "Hãy chọn một cột còn trống của lớp; nếu cần dùng cột này, giáo viên xóa các điểm đã nhập trong sổ điểm trước.".into(),
            ClassSyncBlock::NothingToSync { .. } => "Hãy nhập điểm trong bảng điểm, hoặc nộp dữ liệu học sinh lên CSDL ngành để học sinh có mã định danh.".into(),
        }
    }
}

impl fmt::Display for ClassSyncBlock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.reason(), self.remedy())
    }
}

/// Why a student of a synced class gets no score from the paper.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// No ministry code (seed 000 §4.2).
    NoMinistryCode,
    /// No score on the sheet: absent, or not marked.
    NoScore,
}

impl SkipReason {
    pub fn code(self) -> &'static str {
        match self {
            SkipReason::NoMinistryCode => "no_moet_code",
            SkipReason::NoScore => "no_score",
        }
    }

    pub fn reason(self) -> &'static str {
        match self {
            SkipReason::NoMinistryCode => {
                "Học sinh chưa có mã định danh Bộ GD&ĐT (chưa được nộp lên CSDL ngành) nên không được đồng bộ điểm."
            }
            SkipReason::NoScore => {
                "Học sinh không có điểm trong bảng điểm của đề thi (vắng thi hoặc chưa chấm)."
            }
        }
    }

    pub fn remedy(self) -> &'static str {
        match self {
            SkipReason::NoMinistryCode => {
                "Hãy nộp dữ liệu học sinh lên CSDL ngành để có mã, rồi nhập điểm của học sinh này trực tiếp trong sổ điểm."
            }
            SkipReason::NoScore => "Nếu học sinh thi bù, hãy nhập điểm trực tiếp trong sổ điểm.",
        }
    }
}

/// The facts of one class × subject × semester gradebook, read by storage
/// inside the syncing transaction.
#[derive(Debug, Clone)]
pub struct ClassFacts {
    pub place: Place,
    pub level: Level,
    pub mode: SubjectMode,
    /// Why the class has no gradebook (a primary class, or a year outside
    /// the covered regimes).
    pub no_gradebook: Option<String>,
    /// Lớp đã khóa sổ (close_term).
    pub closed: Option<EntryRefusal>,
    pub plan: Option<ColumnPlan>,
    pub window: WindowState,
    pub locks: Vec<ColumnLock>,
    /// For each column, the names of the class's students who already have
    /// a value in it.
    pub filled: Vec<(Column, Vec<String>)>,
}

/// A student of the class with their sheet score.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetStudent {
    pub id: StudentId,
    pub name: String,
    pub has_ministry_code: bool,
    pub score: Option<Score>,
}

/// What one class's sync writes and leaves out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassSync {
    pub column: Column,
    pub writes: Vec<(StudentId, Score)>,
    pub skipped: Vec<(StudentId, String, SkipReason)>,
}

/// A column of the wizard's list, with why it may not be chosen.
#[derive(Debug, Clone)]
pub struct ColumnOption {
    pub column: Column,
    pub block: Option<ClassSyncBlock>,
}

impl ClassFacts {
    /// Blocks that concern the class whatever the column.
    pub fn class_block(&self) -> Option<ClassSyncBlock> {
        if self.level == Level::Primary {
            return Some(ClassSyncBlock::NotSecondary {
                class_name: self.place.class_name.clone(),
                level: self.level,
            });
        }
        if let Some(message) = &self.no_gradebook {
            return Some(ClassSyncBlock::Gradebook(Box::new(
                EntryRefusal::NoGradebook {
                    message: message.clone(),
                },
            )));
        }
        if self.mode == SubjectMode::Commented {
            return Some(ClassSyncBlock::CommentedSubject {
                place: self.place.clone(),
            });
        }
        if let Some(closed) = &self.closed {
            return Some(ClassSyncBlock::Gradebook(Box::new(closed.clone())));
        }
        if self.plan.is_none() {
            return Some(ClassSyncBlock::Gradebook(Box::new(
                EntryRefusal::NotDeclared {
                    place: self.place.clone(),
                },
            )));
        }
        // The window is per grade and semester, so it concerns every column.
        // Sync never overrides (an administrator who must write outside a
        // window does so in the gradebook, where the override is recorded).
        let window = match &self.window {
            WindowState::Open { .. } => None,
            WindowState::NotYet { window } => Some(EntryRefusal::WindowNotYet {
                place: self.place.clone(),
                window: window.clone(),
                admin: false,
            }),
            WindowState::Ended { window } => Some(EntryRefusal::WindowEnded {
                place: self.place.clone(),
                window: window.clone(),
                admin: false,
            }),
            WindowState::None => Some(EntryRefusal::NoWindow {
                place: self.place.clone(),
                admin: false,
            }),
        };
        window.map(|refusal| ClassSyncBlock::Gradebook(Box::new(refusal)))
    }

    /// Why `column` may not receive the paper's scores, if it may not.
    pub fn column_block(&self, column: Column) -> Option<ClassSyncBlock> {
        if let Some(block) = self.class_block() {
            return Some(block);
        }
        let plan = self.plan.expect("class_block checks the plan");
        if !plan.contains(column) {
            return Some(ClassSyncBlock::Gradebook(Box::new(
                EntryRefusal::ColumnNotInPlan {
                    place: self.place.clone(),
                    column,
                    plan,
                },
            )));
        }
        if let Some(lock) = self.locks.iter().find(|lock| lock.column == column) {
            return Some(ClassSyncBlock::Gradebook(Box::new(
                EntryRefusal::ColumnLocked {
                    place: self.place.clone(),
                    lock: lock.clone(),
                    admin: false,
                },
            )));
        }
        let filled = self
            .filled
            .iter()
            .find(|(c, _)| *c == column)
            .map(|(_, names)| names.as_slice())
            .unwrap_or_default();
        if !filled.is_empty() {
            return Some(ClassSyncBlock::ColumnHasScores {
                place: self.place.clone(),
                column,
                students: filled.to_vec(),
            });
        }
        None
    }

    /// Every declared column with its eligibility, for the wizard.
    pub fn column_options(&self) -> Vec<ColumnOption> {
        let Some(plan) = self.plan else {
            return Vec::new();
        };
        plan.columns()
            .into_iter()
            .map(|column| ColumnOption {
                column,
                block: self.column_block(column),
            })
            .collect()
    }

    /// Decides one class's sync into `column`: all of the class or nothing.
    pub fn plan_sync(
        &self,
        column: Option<Column>,
        students: &[SheetStudent],
    ) -> Result<ClassSync, ClassSyncBlock> {
        if let Some(block) = self.class_block() {
            return Err(block);
        }
        let Some(column) = column else {
            // No column could have been chosen: the first column's reason
            // says more than "no column chosen".
            let options = self.column_options();
            if let Some(block) = options
                .iter()
                .all(|o| o.block.is_some())
                .then(|| options.into_iter().find_map(|o| o.block))
                .flatten()
            {
                return Err(block);
            }
            return Err(ClassSyncBlock::NoColumnChosen {
                class_name: self.place.class_name.clone(),
            });
        };
        if let Some(block) = self.column_block(column) {
            return Err(block);
        }
        let mut writes = Vec::new();
        let mut skipped = Vec::new();
        for student in students {
            match (student.has_ministry_code, student.score) {
                (false, _) => {
                    skipped.push((student.id, student.name.clone(), SkipReason::NoMinistryCode))
                }
                (true, None) => {
                    skipped.push((student.id, student.name.clone(), SkipReason::NoScore))
                }
                (true, Some(score)) => writes.push((student.id, score)),
            }
        }
        if writes.is_empty() {
            return Err(ClassSyncBlock::NothingToSync {
                class_name: self.place.class_name.clone(),
            });
        }
        Ok(ClassSync {
            column,
            writes,
            skipped,
        })
    }
}

/// The reason written into the gradebook's trail for a synced score.
pub fn sync_change_reason(exam: &str, paper: &str) -> String {
    format!("Đồng bộ từ kỳ thi “{exam}”, đề thi “{paper}”")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gradebook::{EntryWindow, Semester};

    fn place() -> Place {
        Place {
            class_name: "10A1".into(),
            subject_name: "Toán".into(),
            grade: 10,
            semester: Semester::S1,
        }
    }

    fn open_window() -> WindowState {
        WindowState::Open {
            window: EntryWindow {
                id: 1,
                grade: 10,
                semester: Semester::S1,
                opens_at: 0,
                closes_at: i64::MAX,
            },
        }
    }

    fn facts() -> ClassFacts {
        ClassFacts {
            place: place(),
            level: Level::UpperSecondary,
            mode: SubjectMode::Scored,
            no_gradebook: None,
            closed: None,
            plan: Some(ColumnPlan::with_regular(4)),
            window: open_window(),
            locks: Vec::new(),
            filled: Vec::new(),
        }
    }

    fn score(tenths: u32) -> Score {
        Score::from_tenths(tenths).unwrap()
    }

    fn students() -> Vec<SheetStudent> {
        vec![
            SheetStudent {
                id: StudentId(1),
                name: "An".into(),
                has_ministry_code: true,
                score: Some(score(85)),
            },
            SheetStudent {
                id: StudentId(2),
                name: "Bình".into(),
                has_ministry_code: false,
                score: Some(score(70)),
            },
            SheetStudent {
                id: StudentId(3),
                name: "Chi".into(),
                has_ministry_code: true,
                score: None,
            },
        ]
    }

    #[test]
    fn a_class_syncs_students_with_a_code_and_a_score_and_names_the_others() {
        let sync = facts()
            .plan_sync(Some(Column::MIDTERM), &students())
            .unwrap();
        assert_eq!(sync.writes, vec![(StudentId(1), score(85))]);
        assert_eq!(
            sync.skipped,
            vec![
                (StudentId(2), "Bình".into(), SkipReason::NoMinistryCode),
                (StudentId(3), "Chi".into(), SkipReason::NoScore),
            ]
        );
    }

    #[test]
    fn every_seed_000_refusal_has_its_code() {
        let mut primary = facts();
        primary.level = Level::Primary;
        let mut undeclared = facts();
        undeclared.plan = None;
        let mut locked = facts();
        locked.locks.push(ColumnLock {
            column: Column::MIDTERM,
            locked_at: 0,
            locked_by: "Quản trị".into(),
            reason: "Đã kiểm tra".into(),
        });
        let mut no_window = facts();
        no_window.window = WindowState::None;
        let mut filled = facts();
        filled.filled = vec![(Column::MIDTERM, vec!["An".into()])];
        let mut commented = facts();
        commented.mode = SubjectMode::Commented;
        let cases = [
            (primary, "level_not_secondary"),
            (undeclared, "column_plan_not_declared"),
            (locked, "column_locked"),
            (no_window, "no_entry_window"),
            (filled, "column_has_scores"),
            (commented, "subject_commented"),
        ];
        for (facts, code) in cases {
            let block = facts
                .plan_sync(Some(Column::MIDTERM), &students())
                .unwrap_err();
            assert_eq!(block.code(), code);
            assert!(!block.reason().is_empty() && !block.remedy().is_empty());
            // The wizard says the same before the user saves.
            assert_eq!(
                facts
                    .column_options()
                    .iter()
                    .find(|o| o.column == Column::MIDTERM)
                    .map_or(Some(code), |o| o.block.as_ref().map(|b| b.code())),
                Some(code)
            );
        }
    }

    #[test]
    fn a_column_outside_the_plan_and_no_column_are_refused() {
        let outside = facts()
            .plan_sync(Some(Column::regular(5)), &students())
            .unwrap_err();
        assert_eq!(outside.code(), "column_not_in_plan");
        let none = facts().plan_sync(None, &students()).unwrap_err();
        assert_eq!(none.code(), "no_column_chosen");
        // Every column taken: the reason is the columns', not the choice.
        let mut full = facts();
        full.filled = ColumnPlan::with_regular(4)
            .columns()
            .into_iter()
            .map(|c| (c, vec!["An".to_owned()]))
            .collect();
        let taken = full.plan_sync(None, &students()).unwrap_err();
        assert_eq!(taken.code(), "column_has_scores");
    }

    #[test]
    fn a_class_with_nobody_to_sync_is_refused() {
        let nobody: Vec<SheetStudent> = students()
            .into_iter()
            .map(|mut s| {
                s.has_ministry_code = false;
                s
            })
            .collect();
        let block = facts().plan_sync(Some(Column::FINAL), &nobody).unwrap_err();
        assert_eq!(block.code(), "nothing_to_sync");
    }

    #[test]
    fn the_paper_must_be_regular_linked_final_and_not_yet_synced() {
        let base = PaperFacts {
            linked: true,
            exam_name: "Giữa kỳ I".into(),
            kind: ExamKind::Regular,
            paper_name: "Toán 10".into(),
            state: PaperState::Final {
                at: 0,
                by: "Quản trị".into(),
            },
        };
        assert_eq!(paper_block(&base), None);
        let code = |facts: PaperFacts| paper_block(&facts).map(|b| b.code());
        assert_eq!(
            code(PaperFacts {
                linked: false,
                ..base.clone()
            }),
            Some("school_not_linked")
        );
        assert_eq!(
            code(PaperFacts {
                kind: ExamKind::Free,
                ..base.clone()
            }),
            Some("exam_not_regular")
        );
        assert_eq!(
            code(PaperFacts {
                state: PaperState::Open,
                ..base.clone()
            }),
            Some("score_sheet_not_final")
        );
        assert_eq!(
            code(PaperFacts {
                state: PaperState::Synced(SyncStamp {
                    at: 0,
                    by: "Quản trị".into()
                }),
                ..base
            }),
            Some("paper_already_synced")
        );
    }

    #[test]
    fn a_synced_paper_is_frozen_and_a_final_sheet_takes_no_scores() {
        let synced = PaperState::Synced(SyncStamp {
            at: 0,
            by: "Quản trị".into(),
        });
        assert_eq!(
            synced.check_edit_paper("Toán").unwrap_err().code(),
            "paper_synced"
        );
        assert_eq!(
            synced.check_edit_scores("Toán").unwrap_err().code(),
            "paper_synced"
        );
        assert_eq!(synced.reopen("Toán").unwrap_err().code(), "paper_synced");
        assert_eq!(
            synced.finalise("Toán", 1, "A").unwrap_err().code(),
            "paper_synced"
        );
        let open = PaperState::Open;
        let final_state = open.finalise("Toán", 1, "A").unwrap();
        assert_eq!(
            final_state.check_edit_scores("Toán").unwrap_err().code(),
            "score_sheet_final"
        );
        assert!(final_state.check_edit_paper("Toán").is_ok());
        assert_eq!(final_state.reopen("Toán").unwrap(), PaperState::Open);
        assert_eq!(
            PaperState::Open.reopen("Toán").unwrap_err().code(),
            "score_sheet_open"
        );
    }

    #[test]
    fn exam_scores_take_the_gradebook_scale() {
        assert_eq!(parse_exam_score("8,5").unwrap(), Some(score(85)));
        assert_eq!(parse_exam_score("8.5").unwrap(), Some(score(85)));
        assert_eq!(parse_exam_score(" ").unwrap(), None);
        assert!(parse_exam_score("10.5").is_err());
        assert!(parse_exam_score("8.25").is_err());
        assert!(parse_exam_score("Đ").is_err());
    }
}
