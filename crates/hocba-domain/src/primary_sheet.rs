//! "Bảng tổng hợp kết quả đánh giá giáo dục của lớp" of a primary class at
//! a milestone (TT27/2020; regulations.md §3.5): one row per student in
//! class-list order with each subject's level (T/H/C, M exempt) and the
//! periodic test score where the milestone has one, the 5 qualities and 10
//! competencies (T/Đ/C), at the end of the year the education result, the
//! award and the promotion, then the counts of the class.
//!
//! The .xlsx (`hocba_spreadsheet`) and the PDF (`hocba_report`) print this
//! value as it is: every cell is text computed here from the stored values
//! and the milestone's summary (`primary::summarise_student`, the end of
//! the year through `hocba_assessment::tt27::evaluate`); the renderers
//! decide nothing.

use crate::level::Grade;
use crate::primary::{
    self, Milestone, MilestoneValues, PrimarySubjectInfo, PrimarySummaryLine, RatingField,
    StudentMilestones, level_code, rating_code, test_code,
};
use hocba_assessment::label::Label;
use hocba_assessment::tt27::EducationResult;
use std::collections::BTreeMap;

/// A column of the subjects' part: a subject's level, or its test score.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectColumn {
    pub subject: String,
    /// The periodic test score ("KTĐK"), not the level.
    pub test: bool,
}

impl SubjectColumn {
    /// "Toán" or "Toán (KTĐK)".
    pub fn heading(&self) -> String {
        if self.test {
            format!("{} (KTĐK)", self.subject)
        } else {
            self.subject.clone()
        }
    }
}

/// One student's row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetRow {
    pub full_name: String,
    /// In the order of [`PrimarySheet::subject_columns`]; empty when not entered.
    pub subjects: Vec<String>,
    /// The 15 ratings in the order of [`primary::rating_fields`].
    pub ratings: Vec<String>,
    /// End of year: the education result, the award, the promotion.
    pub result: String,
    pub award: String,
    pub promotion: String,
    pub complete: bool,
    /// "Ghi chú": what is missing, when the line is incomplete.
    pub note: String,
}

/// A count row under the students: how many students have a code in each
/// column ("" where the code does not apply to the column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TallyRow {
    pub label: String,
    pub subjects: Vec<String>,
    pub ratings: Vec<String>,
}

/// The sheet of a class at a milestone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrimarySheet {
    pub milestone: Milestone,
    /// "BẢNG TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ GIÁO DỤC CỦA LỚP" and the milestone.
    pub heading: String,
    pub subject_columns: Vec<SubjectColumn>,
    pub rating_fields: Vec<RatingField>,
    /// At the end of the year the sheet has the result, award and promotion columns.
    pub year_end: bool,
    pub rows: Vec<SheetRow>,
    pub tallies: Vec<TallyRow>,
    /// The counts of the class, one sentence per line.
    pub counts: Vec<String>,
}

/// Title of the sheet.
pub const PRIMARY_SHEET_TITLE: &str = "BẢNG TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ GIÁO DỤC CỦA LỚP";

/// The codes counted under the students: a subject's level (T/H/C/M) and
/// a rating (T/Đ/C) share T and C (see [`LEGEND`]).
const TALLIES: [(&str, &str, bool, bool); 5] = [
    ("T", "Tổng số T", true, true),
    ("H", "Tổng số H", true, false),
    ("Đ", "Tổng số Đ", false, true),
    ("C", "Tổng số C", true, true),
    ("M", "Tổng số M", true, false),
];

/// What the codes of the sheet mean (TT27 Điều 7), printed with it.
pub const LEGEND: &str = "Mức đạt được của môn học và hoạt động giáo dục: T – Hoàn thành tốt, H – Hoàn thành, C – Chưa hoàn thành, M – miễn. KTĐK: điểm kiểm tra định kỳ (Thông tư 27/2020 Điều 7 khoản 1). Phẩm chất, năng lực: T – Tốt, Đ – Đạt, C – Cần cố gắng (Điều 7 khoản 2). “Tổng số”: số học sinh ở mỗi mức.";

/// The groups of the 15 ratings, with how many columns each spans.
pub const RATING_GROUPS: [(&str, usize); 3] = [
    ("Phẩm chất chủ yếu", 5),
    ("Năng lực chung", 3),
    ("Năng lực đặc thù", 7),
];

/// Builds the sheet from a class's book and the milestone's summary
/// (`lines[i]` is `students[i]`'s, as `summarise_student` gives them).
pub fn class_sheet(
    grade: Grade,
    milestone: Milestone,
    subjects: &[PrimarySubjectInfo],
    students: &[StudentMilestones],
    lines: &[PrimarySummaryLine],
) -> PrimarySheet {
    let year_end = milestone == Milestone::EndOfYear;
    let fields = primary::rating_fields();
    let mut subject_columns = Vec::new();
    for subject in subjects {
        subject_columns.push(SubjectColumn {
            subject: subject.name.clone(),
            test: false,
        });
        if subject.has_test(grade, milestone) {
            subject_columns.push(SubjectColumn {
                subject: subject.name.clone(),
                test: true,
            });
        }
    }
    let empty = MilestoneValues::default();
    let rows: Vec<SheetRow> = students
        .iter()
        .zip(lines)
        .map(|(student, line)| {
            let values = student.values.get(&milestone).unwrap_or(&empty);
            let mut cells = Vec::new();
            for subject in subjects {
                cells.push(
                    values
                        .levels
                        .get(&subject.id)
                        .map(|l| level_code(l).to_owned())
                        .unwrap_or_default(),
                );
                if subject.has_test(grade, milestone) {
                    cells.push(
                        values
                            .tests
                            .get(&subject.id)
                            .map(test_code)
                            .unwrap_or_default(),
                    );
                }
            }
            SheetRow {
                full_name: hocba_text::nfc(&student.full_name),
                subjects: cells,
                ratings: values
                    .ratings
                    .iter()
                    .map(|r| r.map(rating_code).unwrap_or_default().to_owned())
                    .collect(),
                result: line.result.clone().unwrap_or_default(),
                award: line.award.clone().unwrap_or_default(),
                promotion: promotion_text(line.class_completed, line.programme_completed),
                complete: line.complete,
                note: if line.complete {
                    String::new()
                } else {
                    format!("Chưa đủ đánh giá: {}", line.missing.join(" "))
                },
            }
        })
        .collect();
    let tallies = TALLIES
        .iter()
        .map(|(code, label, levels, ratings)| {
            let count = |column: usize, of: fn(&SheetRow) -> &Vec<String>| {
                rows.iter().filter(|r| of(r)[column] == *code).count()
            };
            TallyRow {
                label: (*label).to_owned(),
                subjects: subject_columns
                    .iter()
                    .enumerate()
                    .map(|(i, column)| {
                        if *levels && !column.test {
                            count(i, |r| &r.subjects).to_string()
                        } else {
                            String::new()
                        }
                    })
                    .collect(),
                ratings: (0..fields.len())
                    .map(|i| {
                        if *ratings {
                            count(i, |r| &r.ratings).to_string()
                        } else {
                            String::new()
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    PrimarySheet {
        milestone,
        heading: format!(
            "{PRIMARY_SHEET_TITLE} — {}",
            milestone.vietnamese().to_uppercase()
        ),
        subject_columns,
        rating_fields: fields,
        year_end,
        tallies,
        counts: count_lines(grade, year_end, lines),
        rows,
    }
}

/// The "Lên lớp" cell of the sheet from the library's completion (TT27
/// Điều 11): the class completed means promoted; grade 5 completes the
/// primary programme; otherwise the teacher's supplementary assessment and
/// the principal's decision come first. Empty before the end of the year
/// or while the line is incomplete.
pub fn promotion_text(class_completed: Option<bool>, programme_completed: Option<bool>) -> String {
    match (class_completed, programme_completed) {
        (Some(true), Some(true)) => "Hoàn thành chương trình tiểu học".into(),
        (Some(true), _) => "Hoàn thành chương trình lớp học, lên lớp".into(),
        (Some(false), _) => {
            "Chưa hoàn thành chương trình lớp học: đánh giá bổ sung, hiệu trưởng xét (Điều 11)"
                .into()
        }
        (None, _) => String::new(),
    }
}

/// "Sĩ số …", and at the end of the year the students per education
/// result (all four, TT27 Điều 8), per award, and who completed the class
/// (Điều 11) and, in grade 5, the primary programme.
fn count_lines(grade: Grade, year_end: bool, lines: &[PrimarySummaryLine]) -> Vec<String> {
    let counts = primary::counts(lines);
    let mut out = vec![format!(
        "Sĩ số: {}; đủ đánh giá: {}",
        counts.students, counts.complete
    )];
    if !year_end {
        return out;
    }
    let results: Vec<String> = EducationResult::ALL
        .iter()
        .map(|r| {
            format!(
                "{}: {}",
                r.label(),
                counts.results.get(r.label()).copied().unwrap_or(0)
            )
        })
        .collect();
    out.push(format!("Kết quả giáo dục — {}", results.join("; ")));
    let awards: Vec<String> = counts
        .awards
        .iter()
        .map(|(award, n)| format!("{award}: {n}"))
        .collect();
    out.push(format!(
        "Khen thưởng — {}",
        if awards.is_empty() {
            "không có".to_owned()
        } else {
            awards.join("; ")
        }
    ));
    let completed = lines
        .iter()
        .filter(|l| l.class_completed == Some(true))
        .count();
    let not_completed = lines
        .iter()
        .filter(|l| l.class_completed == Some(false))
        .count();
    let mut completion =
        format!("Hoàn thành chương trình lớp học: {completed}; chưa hoàn thành: {not_completed}");
    if grade.value() == 5 {
        let programme = lines
            .iter()
            .filter(|l| l.programme_completed == Some(true))
            .count();
        completion.push_str(&format!("; hoàn thành chương trình tiểu học: {programme}"));
    }
    out.push(completion);
    out
}

/// Per subject column and rating, the counts as a map (for tests and pages).
pub fn tally_of(sheet: &PrimarySheet, code: &str) -> Option<BTreeMap<String, String>> {
    let (_, label, _, _) = TALLIES.iter().find(|(c, ..)| *c == code)?;
    let row = sheet.tallies.iter().find(|t| t.label == *label)?;
    Some(
        sheet
            .subject_columns
            .iter()
            .map(SubjectColumn::heading)
            .zip(row.subjects.iter().cloned())
            .chain(
                sheet
                    .rating_fields
                    .iter()
                    .map(|f| f.label.to_owned())
                    .zip(row.ratings.iter().cloned()),
            )
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{StudentId, SubjectId};
    use crate::primary::{Exemptible, PeriodicTestScore, PrimaryLevel, Rating, summarise_student};

    fn subjects() -> Vec<PrimarySubjectInfo> {
        ["Tiếng Việt", "Toán", "Đạo đức"]
            .iter()
            .enumerate()
            .map(|(i, name)| PrimarySubjectInfo {
                id: SubjectId(i as i64 + 1),
                name: (*name).into(),
            })
            .collect()
    }

    /// `last`: the 15th rating (the others Tốt), none when not rated.
    fn student(id: i64, level: PrimaryLevel, test: u64, last: Option<Rating>) -> StudentMilestones {
        let mut values = MilestoneValues::default();
        for s in 1..=3 {
            values
                .levels
                .insert(SubjectId(s), Exemptible::Assessed(level));
        }
        for s in 1..=2 {
            values.tests.insert(
                SubjectId(s),
                Exemptible::Assessed(PeriodicTestScore::new(test).unwrap()),
            );
        }
        if last.is_some() {
            values.ratings = [Some(Rating::Good); primary::RATINGS];
            values.ratings[14] = last;
        }
        StudentMilestones {
            id: StudentId(id),
            full_name: format!("Học sinh {id}"),
            values: BTreeMap::from([(Milestone::EndOfYear, values)]),
        }
    }

    #[test]
    fn the_sheet_prints_the_stored_values_and_the_librarys_summary() {
        let grade = Grade::new(4).unwrap();
        let subjects = subjects();
        let students = vec![
            student(1, PrimaryLevel::CompletedWell, 9, Some(Rating::Good)),
            student(2, PrimaryLevel::Completed, 6, Some(Rating::Achieved)),
            student(3, PrimaryLevel::Completed, 6, None),
        ];
        let lines: Vec<PrimarySummaryLine> = students
            .iter()
            .map(|s| summarise_student(grade, Milestone::EndOfYear, &subjects, s))
            .collect();
        let sheet = class_sheet(grade, Milestone::EndOfYear, &subjects, &students, &lines);
        // Tiếng Việt and Toán have a test at the end of the year, Đạo đức none.
        let headings: Vec<String> = sheet
            .subject_columns
            .iter()
            .map(SubjectColumn::heading)
            .collect();
        assert_eq!(
            headings,
            [
                "Tiếng Việt",
                "Tiếng Việt (KTĐK)",
                "Toán",
                "Toán (KTĐK)",
                "Đạo đức"
            ]
        );
        assert_eq!(sheet.rows[0].subjects, ["T", "9", "T", "9", "T"]);
        assert_eq!(sheet.rows[1].ratings[14], "Đ");
        for (row, line) in sheet.rows.iter().zip(&lines) {
            assert_eq!(row.result, line.result.clone().unwrap_or_default());
            assert_eq!(row.award, line.award.clone().unwrap_or_default());
        }
        assert_eq!(sheet.rows[1].result, "Hoàn thành");
        assert!(!sheet.rows[2].complete);
        assert!(sheet.rows[2].note.starts_with("Chưa đủ đánh giá: "));
        assert_eq!(sheet.rows[2].ratings, vec![String::new(); 15]);
        let t = tally_of(&sheet, "T").unwrap();
        assert_eq!(t["Toán"], "1");
        assert_eq!(t["Toán (KTĐK)"], "", "tests are not counted by level");
        assert_eq!(t["Yêu nước"], "2");
        let h = tally_of(&sheet, "H").unwrap();
        assert_eq!(h["Đạo đức"], "2");
        assert_eq!(h["Yêu nước"], "", "H is not a rating");
        assert_eq!(tally_of(&sheet, "Đ").unwrap()["Thể chất"], "1");
        assert_eq!(sheet.counts[0], "Sĩ số: 3; đủ đánh giá: 2");
        assert!(
            sheet.counts[1].contains("Hoàn thành xuất sắc: 1")
                && sheet.counts[1].contains("Hoàn thành: 1")
                && sheet.counts[1].contains("Chưa hoàn thành: 0"),
            "{:?}",
            sheet.counts
        );
        // Mid-year: no year-end columns, no result counts.
        let mid = class_sheet(grade, Milestone::MidS1, &subjects, &students, &lines);
        assert!(!mid.year_end);
        assert_eq!(mid.counts.len(), 1);
        assert!(mid.heading.ends_with("GIỮA HỌC KỲ I"), "{}", mid.heading);
    }
}
