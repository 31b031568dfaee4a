//! "Bảng tổng hợp kết quả đánh giá giáo dục của lớp" of a primary class
//! (TT27) as PDF, A4 landscape: prints
//! `hocba_domain::primary_sheet::PrimarySheet` as it is, the same value the
//! .xlsx prints. The row is too wide for one A4 table, so it is laid out
//! as two or three tables with the same students in the same order (STT
//! and name on each): the subjects (levels and test scores), the
//! qualities and competencies, and at the end of the year the result,
//! award and promotion; each with its heading row on every page it runs
//! onto, the "Tổng số" rows under the students.

use hocba_domain::primary_sheet::{LEGEND, PrimarySheet, RATING_GROUPS, SheetRow, SubjectColumn};

use crate::ReportError;
use crate::pdf::{Align, PdfDocument, Rgb, TextStyle};
use crate::table::{Flow, Table, TableCell, TableColumn};

/// Colour of a line that is not complete (as in the .xlsx).
const MISSING: u32 = 0x9C0006;

/// Where the sheet comes from, printed above the tables.
#[derive(Debug, Clone)]
pub struct PrimarySheetHeader<'a> {
    pub school_name: &'a str,
    pub class_name: &'a str,
    pub school_year: &'a str,
    pub homeroom: Option<&'a str>,
    /// "Đã khóa sổ …" or "Chưa khóa sổ …".
    pub status: &'a str,
}

fn note(row: &SheetRow) -> TableCell {
    if row.complete {
        TableCell::new(row.note.as_str())
    } else {
        TableCell::colored(row.note.as_str(), Rgb::hex(MISSING))
    }
}

/// The columns STT and "Họ và tên", then `columns`; a row per student with
/// `cells(row)`, then the tally rows with `tally(i)` when given.
fn student_table(
    sheet: &PrimarySheet,
    columns: Vec<TableColumn>,
    cells: impl Fn(&SheetRow) -> Vec<TableCell>,
    tally: Option<&dyn Fn(usize) -> Vec<TableCell>>,
) -> Table {
    let mut all = vec![
        TableColumn::new("STT", Align::Center),
        TableColumn::new("Họ và tên", Align::Left),
    ];
    all.extend(columns);
    let mut rows: Vec<Vec<TableCell>> = sheet
        .rows
        .iter()
        .enumerate()
        .map(|(index, line)| {
            let mut row = vec![
                TableCell::new((index + 1).to_string()),
                TableCell::new(line.full_name.as_str()),
            ];
            row.extend(cells(line));
            row
        })
        .collect();
    if let Some(tally) = tally {
        for (index, line) in sheet.tallies.iter().enumerate() {
            let counts = tally(index);
            // A code that applies to no column of this table (H, M under
            // the ratings; Đ under the subjects) has no row here.
            if counts.iter().all(|c| c.text.is_empty()) {
                continue;
            }
            let mut row = vec![TableCell::new(""), TableCell::new(line.label.as_str())];
            row.extend(counts);
            rows.push(row);
        }
    }
    Table { columns: all, rows }
}

/// The subjects' table: a level (and a test score) per subject.
pub fn subjects_table(sheet: &PrimarySheet) -> Table {
    let columns = sheet
        .subject_columns
        .iter()
        .map(|c| TableColumn::new(SubjectColumn::heading(c), Align::Center))
        .collect();
    let tally = |i: usize| {
        sheet.tallies[i]
            .subjects
            .iter()
            .map(|v| TableCell::new(v.as_str()))
            .collect()
    };
    student_table(
        sheet,
        columns,
        |line| {
            line.subjects
                .iter()
                .map(|v| TableCell::new(v.as_str()))
                .collect()
        },
        Some(&tally),
    )
}

/// The qualities' and competencies' table; before the end of the year it
/// also carries the note.
pub fn ratings_table(sheet: &PrimarySheet) -> Table {
    let mut columns: Vec<TableColumn> = sheet
        .rating_fields
        .iter()
        .map(|f| TableColumn::new(f.label, Align::Center))
        .collect();
    if !sheet.year_end {
        columns.push(TableColumn::fill("Ghi chú"));
    }
    let tally = |i: usize| {
        sheet.tallies[i]
            .ratings
            .iter()
            .map(|v| TableCell::new(v.as_str()))
            .collect()
    };
    student_table(
        sheet,
        columns,
        |line| {
            let mut cells: Vec<TableCell> = line
                .ratings
                .iter()
                .map(|v| TableCell::new(v.as_str()))
                .collect();
            if !sheet.year_end {
                cells.push(note(line));
            }
            cells
        },
        Some(&tally),
    )
}

/// The end of the year: the education result, the award, the promotion, the note.
pub fn results_table(sheet: &PrimarySheet) -> Table {
    let columns = vec![
        TableColumn::new("Kết quả giáo dục", Align::Center),
        TableColumn::new("Khen thưởng", Align::Left),
        TableColumn::fill("Lên lớp"),
        TableColumn::fill("Ghi chú"),
    ];
    student_table(
        sheet,
        columns,
        |line| {
            vec![
                TableCell::new(line.result.as_str()),
                TableCell::new(line.award.as_str()),
                TableCell::new(line.promotion.as_str()),
                note(line),
            ]
        },
        None,
    )
}

/// Writes the primary class summary sheet as PDF (A4 landscape).
pub fn write_primary_pdf(
    header: &PrimarySheetHeader<'_>,
    sheet: &PrimarySheet,
) -> Result<Vec<u8>, ReportError> {
    let footer = format!(
        "Bảng tổng hợp kết quả đánh giá giáo dục · Lớp {} · {} · Năm học {} · {}",
        header.class_name,
        sheet.milestone.vietnamese(),
        header.school_year,
        header.school_name
    );
    let mut flow = Flow::new(PdfDocument::a4_landscape()?, 28.0, footer);
    flow.paragraph(header.school_name, TextStyle::regular(10.0), Align::Left);
    flow.space(4.0);
    flow.paragraph(&sheet.heading, TextStyle::bold(14.0), Align::Center);
    let place = format!(
        "Lớp: {} · Năm học: {}{}",
        header.class_name,
        header.school_year,
        header
            .homeroom
            .map(|h| format!(" · Giáo viên chủ nhiệm: {h}"))
            .unwrap_or_default()
    );
    flow.paragraph(&place, TextStyle::regular(10.0), Align::Center);
    flow.paragraph(header.status, TextStyle::regular(8.5), Align::Center);
    flow.space(8.0);

    flow.paragraph(
        "1. Môn học và hoạt động giáo dục: mức đạt được và điểm kiểm tra định kỳ (KTĐK)",
        TextStyle::bold(10.0),
        Align::Left,
    );
    flow.space(2.0);
    flow.table(&subjects_table(sheet));
    flow.space(10.0);
    let groups: Vec<String> = RATING_GROUPS
        .iter()
        .map(|(name, n)| format!("{} ({n})", name.to_lowercase()))
        .collect();
    flow.paragraph(
        &format!("2. Phẩm chất và năng lực: {}", groups.join(", ")),
        TextStyle::bold(10.0),
        Align::Left,
    );
    flow.space(2.0);
    flow.table(&ratings_table(sheet));
    if sheet.year_end {
        flow.space(10.0);
        flow.paragraph(
            "3. Kết quả giáo dục, khen thưởng, lên lớp (Thông tư 27/2020 Điều 8, 11, 12)",
            TextStyle::bold(10.0),
            Align::Left,
        );
        flow.space(2.0);
        flow.table(&results_table(sheet));
    }
    flow.space(8.0);
    for line in &sheet.counts {
        flow.paragraph(line, TextStyle::bold(9.0), Align::Left);
    }
    flow.space(4.0);
    flow.paragraph(LEGEND, TextStyle::regular(8.0), Align::Left);
    flow.finish(&format!("{} – Lớp {}", sheet.heading, header.class_name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use hocba_domain::primary::{
        Exemptible, Milestone, MilestoneValues, PeriodicTestScore, PrimaryLevel,
        PrimarySubjectInfo, Rating, StudentMilestones, summarise_student,
    };
    use hocba_domain::primary_sheet::class_sheet;
    use hocba_domain::{Grade, StudentId, SubjectId};
    use std::collections::BTreeMap;
    use std::io::Write as _;
    use std::process::{Command, Stdio};

    /// A grade-4 class of 40 at `milestone`: eleven subjects and
    /// activities, values varying by student, the 9th without ratings
    /// (incomplete), the 2nd's name decomposed (NFD).
    fn class(milestone: Milestone) -> PrimarySheet {
        let grade = Grade::new(4).unwrap();
        let subjects: Vec<PrimarySubjectInfo> = [
            "Tiếng Việt",
            "Toán",
            "Đạo đức",
            "Ngoại ngữ 1",
            "Lịch sử và Địa lí",
            "Khoa học",
            "Tin học và Công nghệ",
            "Giáo dục thể chất",
            "Âm nhạc",
            "Mĩ thuật",
            "Hoạt động trải nghiệm",
        ]
        .iter()
        .enumerate()
        .map(|(i, name)| PrimarySubjectInfo {
            id: SubjectId(i as i64 + 1),
            name: (*name).into(),
        })
        .collect();
        let levels = [
            PrimaryLevel::CompletedWell,
            PrimaryLevel::Completed,
            PrimaryLevel::CompletedWell,
            PrimaryLevel::NotCompleted,
        ];
        let ratings = [
            Rating::Good,
            Rating::Achieved,
            Rating::Good,
            Rating::NeedsEffort,
        ];
        let students: Vec<StudentMilestones> = (0..40usize)
            .map(|i| {
                let mut values = MilestoneValues::default();
                for (s, subject) in subjects.iter().enumerate() {
                    let level = if i % 4 == 0 {
                        Exemptible::Assessed(PrimaryLevel::CompletedWell)
                    } else if i == 5 && s == 7 {
                        Exemptible::Exempt
                    } else {
                        Exemptible::Assessed(levels[(i + s) % levels.len()])
                    };
                    values.levels.insert(subject.id, level);
                    if subject.has_test(grade, milestone) {
                        let points = if i % 4 == 0 {
                            10
                        } else {
                            3 + (i + s) as u64 % 8
                        };
                        values.tests.insert(
                            subject.id,
                            Exemptible::Assessed(PeriodicTestScore::new(points).unwrap()),
                        );
                    }
                }
                if i != 8 {
                    for (r, rating) in values.ratings.iter_mut().enumerate() {
                        *rating = Some(if i % 4 == 0 {
                            Rating::Good
                        } else {
                            ratings[(i * 3 + r) % ratings.len()]
                        });
                    }
                }
                let full_name = if i == 1 {
                    "Tra\u{302}\u{300}n Va\u{306}n Die\u{302}\u{303}m".to_owned()
                } else {
                    format!(
                        "{} Thị {}",
                        ["Nguyễn", "Lê", "Phạm", "Huỳnh", "Đặng"][i % 5],
                        [
                            "Ánh", "Tuyết", "Nguyệt", "Hưởng", "Quỳnh", "Ữu", "Ẩn", "Lộc"
                        ][i % 8]
                    )
                };
                StudentMilestones {
                    id: StudentId(i as i64 + 1),
                    full_name,
                    values: BTreeMap::from([(milestone, values)]),
                }
            })
            .collect();
        let lines: Vec<_> = students
            .iter()
            .map(|s| summarise_student(grade, milestone, &subjects, s))
            .collect();
        class_sheet(grade, milestone, &subjects, &students, &lines)
    }

    fn pdftotext(pdf: &[u8]) -> String {
        let mut child = Command::new("pdftotext")
            .args(["-layout", "-enc", "UTF-8", "-", "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("pdftotext (poppler-utils) is needed: apt-get install poppler-utils");
        child.stdin.take().unwrap().write_all(pdf).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "pdftotext failed");
        String::from_utf8(out.stdout).expect("pdftotext gives UTF-8")
    }

    fn header() -> PrimarySheetHeader<'static> {
        PrimarySheetHeader {
            school_name: "Trường Tiểu học Lê Lợi",
            class_name: "4A",
            school_year: "2025-2026",
            homeroom: Some("Đặng Thị Hường"),
            status: "Chưa khóa sổ học kỳ II.",
        }
    }

    /// Each student's line of `table` (in class-list order from `from`)
    /// holds the cells after the name, in order. Returns where it ended.
    fn rows_in_order(text: &str, sheet: &PrimarySheet, table: &Table, from: usize) -> usize {
        let lines: Vec<&str> = text.lines().collect();
        let mut next = from;
        for (index, row) in table.rows.iter().take(sheet.rows.len()).enumerate() {
            let name = &row[1].text;
            let (at, line) = lines
                .iter()
                .enumerate()
                .skip(next)
                .find(|(_, l)| {
                    l.contains(name.as_str())
                        && l.trim_start().starts_with(&format!("{} ", index + 1))
                })
                .unwrap_or_else(|| panic!("{name} (STT {}) not found in order", index + 1));
            next = at + 1;
            let mut rest = &line[line.find(name.as_str()).unwrap() + name.len()..];
            // The cells that fit on one line (codes and scores; a note may wrap).
            for cell in row[2..]
                .iter()
                .filter(|c| !c.text.is_empty() && c.text.len() <= 24)
            {
                let found = rest
                    .find(cell.text.as_str())
                    .unwrap_or_else(|| panic!("{} missing after {name}: {line}", cell.text));
                rest = &rest[found + cell.text.len()..];
            }
        }
        next
    }

    #[test]
    fn the_primary_pdf_says_what_the_sheet_says() {
        let sheet = class(Milestone::EndOfYear);
        assert!(sheet.rows.iter().any(|r| !r.complete));
        assert!(sheet.rows.iter().any(|r| r.result == "Hoàn thành xuất sắc"));
        let pdf = write_primary_pdf(&header(), &sheet).unwrap();
        // To look at it: HOCBA_PRIMARY_PDF=/tmp/sheet.pdf cargo test -p hocba-report primary.
        if let Ok(path) = std::env::var("HOCBA_PRIMARY_PDF") {
            std::fs::write(path, &pdf).unwrap();
        }
        let doc = lopdf::Document::load_mem(&pdf).expect("a PDF lopdf parses");
        let pages = doc.get_pages().len();
        let text = pdftotext(&pdf);
        assert!(hocba_text::is_nfc(&text));
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(flat.contains("Trường Tiểu học Lê Lợi"));
        assert!(flat.contains(&sheet.heading), "{}", sheet.heading);
        assert!(flat.contains("Giáo viên chủ nhiệm: Đặng Thị Hường"));
        assert!(flat.contains("Trần Văn Diễm"));
        assert!(flat.contains(&format!("Trang {pages}/{pages}")));
        // Every student in each table, in order, with the table's values.
        let mut from = rows_in_order(&text, &sheet, &subjects_table(&sheet), 0);
        from = rows_in_order(&text, &sheet, &ratings_table(&sheet), from);
        rows_in_order(&text, &sheet, &results_table(&sheet), from);
        for row in &sheet.rows {
            for value in [&row.award, &row.promotion, &row.note] {
                let value = value.split_whitespace().collect::<Vec<_>>().join(" ");
                assert!(flat.contains(&value), "{value}");
            }
        }
        // The tallies under the students, and the counts.
        for tally in &sheet.tallies {
            assert!(flat.contains(&tally.label), "{}", tally.label);
        }
        for line in &sheet.counts {
            assert!(flat.contains(line.as_str()), "{line}");
        }
        assert!(flat.contains("Tổng số H"));
    }

    #[test]
    fn mid_year_has_no_result_table_and_the_note_with_the_ratings() {
        let sheet = class(Milestone::MidS1);
        let pdf = write_primary_pdf(&header(), &sheet).unwrap();
        let text = pdftotext(&pdf);
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(flat.contains("GIỮA HỌC KỲ I"));
        assert!(!flat.contains("Kết quả giáo dục"));
        assert!(!flat.contains("Khen thưởng"));
        // Grade 4 has Tiếng Việt and Toán tests at mid-semester, Khoa học none.
        let headings: Vec<String> = subjects_table(&sheet)
            .columns
            .iter()
            .map(|c| c.heading.clone())
            .collect();
        assert!(headings.contains(&"Toán (KTĐK)".to_owned()));
        assert!(!headings.contains(&"Khoa học (KTĐK)".to_owned()));
        assert!(flat.matches("(KTĐK)").count() >= 2, "{flat}");
        let from = rows_in_order(&text, &sheet, &subjects_table(&sheet), 0);
        rows_in_order(&text, &sheet, &ratings_table(&sheet), from);
        assert!(flat.contains("Chưa đủ đánh giá:"));
    }
}
