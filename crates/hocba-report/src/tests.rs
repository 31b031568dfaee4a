use std::io::Write as _;
use std::process::{Command, Stdio};

use hocba_assessment::tt22::TrainingResult;
use hocba_domain::curriculum::SubjectMode;
use hocba_domain::gradebook::{CellValue, Column, Semester};
use hocba_domain::summary::{
    self, StudentInput, StudentSummary, SubjectInput, SummarySubject, TermSource,
};
use hocba_domain::{Grade, StudentId, SubjectId};

use crate::{SummarySheetHeader, summary_sheet_heading, write_summary_pdf};

/// The subjects of a grade-10 class (two of them commented).
fn subjects() -> Vec<SummarySubject> {
    let scored = [
        "Toán",
        "Ngữ văn",
        "Ngoại ngữ 1",
        "Lịch sử",
        "Giáo dục quốc phòng và an ninh",
        "Vật lí",
        "Hóa học",
        "Sinh học",
        "Địa lí",
        "Tin học",
        "Công nghệ",
    ];
    let mut list: Vec<SummarySubject> = scored
        .iter()
        .enumerate()
        .map(|(i, name)| SummarySubject {
            id: SubjectId(i as i64 + 1),
            name: (*name).into(),
            mode: SubjectMode::Scored,
            periods_per_year: 70,
        })
        .collect();
    for (id, name) in [
        (98, "Giáo dục thể chất"),
        (99, "Hoạt động trải nghiệm, hướng nghiệp"),
    ] {
        list.push(SummarySubject {
            id: SubjectId(id),
            name: name.into(),
            mode: SubjectMode::Commented,
            periods_per_year: 70,
        });
    }
    list
}

fn cells(columns: &[Column], values: &[String]) -> TermSource {
    TermSource::Cells(
        columns
            .iter()
            .zip(values)
            .map(|(c, v)| (*c, CellValue::parse(v).unwrap().unwrap()))
            .collect(),
    )
}

const FAMILY: [&str; 9] = [
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Võ", "Đặng", "Bùi",
];
const MIDDLE: [&str; 5] = ["Thị", "Văn", "Hữu", "Ngọc", "Thùy"];
const GIVEN: [&str; 11] = [
    "Ánh", "Diễm", "Lộc", "Tuyết", "Nguyệt", "Đức", "Hưởng", "Quỳnh", "Trạm", "Ữu", "Ẩn",
];

/// 45 students with different scores, summarised for `semester`; the 7th
/// has only two Toán scores in semester II (incomplete at the end of the
/// year); the 2nd's name comes decomposed (NFD).
fn class_of_45(semester: Semester) -> (Vec<SummarySubject>, Vec<StudentSummary>) {
    let subjects = subjects();
    let scored_columns = [
        Column::regular(1),
        Column::regular(2),
        Column::regular(3),
        Column::MIDTERM,
        Column::FINAL,
    ];
    let commented_columns = [
        Column::regular(1),
        Column::regular(2),
        Column::MIDTERM,
        Column::FINAL,
    ];
    let lines = (0..45usize)
        .map(|i| {
            let mut name = format!(
                "{} {} {}",
                FAMILY[i % FAMILY.len()],
                MIDDLE[i % MIDDLE.len()],
                GIVEN[i % GIVEN.len()]
            );
            if i == 1 {
                // "Trần Văn Diễm" as typed in Unikey's composite mode.
                name = "Tra\u{302}\u{300}n Va\u{306}n Die\u{302}\u{303}m".into();
            }
            let inputs = subjects
                .iter()
                .enumerate()
                .map(|(s, subject)| {
                    if subject.mode == SubjectMode::Commented {
                        let value = if (i + s) % 13 == 0 { "CĐ" } else { "Đ" };
                        let values = vec![value.to_owned(); 4];
                        return SubjectInput {
                            s1: cells(&commented_columns, &values),
                            s2: cells(&commented_columns, &values),
                            retest: None,
                        };
                    }
                    let values: Vec<String> = (0..5)
                        .map(|c| {
                            let tenths = 40 + (i * 7 + s * 11 + c * 3) % 61;
                            format!("{},{}", tenths / 10, tenths % 10)
                        })
                        .collect();
                    let s2 = if i == 6 && s == 0 {
                        cells(&scored_columns[..2], &values[..2])
                    } else {
                        cells(&scored_columns, &values)
                    };
                    SubjectInput {
                        s1: cells(&scored_columns, &values),
                        s2,
                        retest: None,
                    }
                })
                .collect();
            let training = [
                TrainingResult::Good,
                TrainingResult::Fair,
                TrainingResult::Pass,
            ][i % 3];
            summary::summarise_student(
                Grade::new(10).unwrap(),
                semester,
                &subjects,
                &StudentInput {
                    id: StudentId(i as i64 + 1),
                    full_name: name,
                    subjects: inputs,
                    training: [Some(training), Some(training)],
                    comment: (i % 4 == 0).then(|| "Chăm ngoan, tiến bộ rõ rệt".to_owned()),
                    absences: Some(1),
                    summer_training: None,
                },
            )
        })
        .collect();
    (subjects, lines)
}

fn pdftotext(pdf: &[u8], layout: bool) -> String {
    let mut args = vec!["-enc", "UTF-8"];
    if layout {
        args.push("-layout");
    }
    args.extend(["-", "-"]);
    let mut child = Command::new("pdftotext")
        .args(&args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("pdftotext (poppler-utils) is needed: apt-get install poppler-utils");
    child.stdin.take().unwrap().write_all(pdf).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "pdftotext failed");
    String::from_utf8(out.stdout).expect("pdftotext gives UTF-8")
}

fn sheet(semester: Semester) -> (Vec<StudentSummary>, Vec<String>, Vec<u8>) {
    let (subjects, lines) = class_of_45(semester);
    let names: Vec<String> = subjects.iter().map(|s| s.name.clone()).collect();
    let counts = summary::counts(&lines, semester);
    let header = SummarySheetHeader {
        school_name: "Trường THPT Nguyễn Thị Minh Khai",
        class_name: "10A1",
        school_year: "2025-2026",
        semester,
        homeroom: Some("Đặng Thị Hường"),
        subjects: &names,
        status: "Chưa lưu: kết quả tính ngay từ sổ điểm hiện tại.",
    };
    let pdf = write_summary_pdf(&header, &lines, &counts).unwrap();
    (lines, names, pdf)
}

#[test]
fn the_summary_pdf_parses_and_says_what_the_summary_says() {
    let (lines, subjects, pdf) = sheet(Semester::S2);
    let doc = lopdf::Document::load_mem(&pdf).expect("a PDF lopdf parses");
    let pages = doc.get_pages();
    assert!(pages.len() >= 2, "45 students need more than one page");
    // A4 landscape.
    for id in pages.values() {
        let page = doc.get_dictionary(*id).unwrap();
        let media = page.get(b"MediaBox").unwrap().as_array().unwrap();
        let size: Vec<f32> = media.iter().map(|o| o.as_float().unwrap()).collect();
        assert!((size[2] - 841.89).abs() < 0.01 && (size[3] - 595.28).abs() < 0.01);
    }
    // Embedded (FontFile2), not one of the 14 standard fonts.
    let embedded = doc
        .objects
        .values()
        .filter_map(|o| o.as_dict().ok())
        .filter(|d| d.has(b"FontFile2"))
        .count();
    assert_eq!(embedded, 2, "regular and bold embedded");

    let text = pdftotext(&pdf, true);
    assert!(hocba_text::is_nfc(&text));
    assert!(text.contains("Trường THPT Nguyễn Thị Minh Khai"));
    assert!(text.contains(&summary_sheet_heading(Semester::S2)));
    assert!(text.contains("Giáo viên chủ nhiệm: Đặng Thị Hường"));
    let page_texts: Vec<&str> = text
        .split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .collect();
    assert_eq!(page_texts.len(), pages.len());
    for (index, page) in page_texts.iter().enumerate() {
        // The heading row on every page, and the page number.
        assert!(page.contains("Họ và tên"), "page {}", index + 1);
        assert!(page.contains("Ghi chú"), "page {}", index + 1);
        assert!(
            page.contains(&format!("Trang {}/{}", index + 1, pages.len())),
            "page {}",
            index + 1
        );
    }

    // Every student, in class-list order, on one line with their values in
    // the sheet's column order.
    let rows: Vec<&str> = text.lines().collect();
    let mut last_row = 0;
    for (index, line) in lines.iter().enumerate() {
        let name = hocba_text::nfc(&line.full_name);
        let (at, row) = rows
            .iter()
            .enumerate()
            .skip(last_row)
            .find(|(_, r)| r.contains(&name))
            .unwrap_or_else(|| panic!("{name} (STT {}) not found in order", index + 1));
        last_row = at + 1;
        assert!(
            row.trim_start().starts_with(&format!("{} ", index + 1)),
            "{row}"
        );
        let mut rest = &row[row.find(&name).unwrap() + name.len()..];
        let mut expected: Vec<String> = (0..subjects.len())
            .map(|s| {
                line.subject_value(s, Semester::S2)
                    .map(|v| v.replace('.', ","))
                    .unwrap_or_default()
            })
            .filter(|v| !v.is_empty())
            .collect();
        expected.extend(line.learning_result(Semester::S2).map(str::to_owned));
        expected.extend(line.training_result(Semester::S2).map(str::to_owned));
        assert!(expected.len() >= subjects.len() - 1, "{expected:?}");
        for value in &expected {
            let found = rest
                .find(value.as_str())
                .unwrap_or_else(|| panic!("{value} missing after {name}: {row}"));
            rest = &rest[found + value.len()..];
        }
    }
    // The award and promotion labels and the notes, as computed.
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for line in &lines {
        for label in [&line.award, &line.promotion_label].into_iter().flatten() {
            assert!(flat.contains(label.as_str()), "{label}");
        }
    }
    let incomplete = &lines[6];
    assert!(!incomplete.complete);
    assert!(flat.contains("Chưa đủ kết quả:"));
    assert!(flat.contains("Sĩ số: 45; đủ kết quả: 44"), "{flat}");
    assert!(flat.contains("Chăm ngoan, tiến bộ rõ rệt"));
}

#[test]
fn the_semester_one_sheet_has_no_award_columns() {
    let (_, _, pdf) = sheet(Semester::S1);
    let text = pdftotext(&pdf, false);
    assert!(text.contains(&summary_sheet_heading(Semester::S1)));
    assert!(text.contains("ĐTBmhk"));
    assert!(!text.contains("Khen thưởng"));
    // Semester I is complete for everyone.
    assert!(!text.contains("Chưa đủ kết quả"));
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("Sĩ số: 45; đủ kết quả: 45"), "{flat}");
}

#[test]
fn text_is_set_in_the_embedded_font_with_every_vietnamese_letter() {
    // Every precomposed Vietnamese letter (U+1EA0–U+1EF9 and the Latin-1 /
    // Latin Extended-A ones) has a glyph of its own.
    let mut doc = crate::PdfDocument::a4_portrait().unwrap();
    let page = doc.add_page();
    let letters: String = ('\u{1EA0}'..='\u{1EF9}')
        .chain("ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúýĂăĐđĨĩŨũƠơƯư".chars())
        .collect();
    let chars: Vec<char> = letters.chars().collect();
    for (row, chunk) in chars.chunks(40).enumerate() {
        let line: String = chunk.iter().collect();
        doc.text(
            page,
            40.0,
            100.0 + 20.0 * row as f32,
            crate::TextStyle::regular(10.0),
            &line,
        );
    }
    for c in letters.chars() {
        for face in [crate::Face::Regular, crate::Face::Bold] {
            assert!(doc.has_glyph(face, c), "{c} U+{:04X}", u32::from(c));
        }
    }
    let pdf = doc.finish("Chữ tiếng Việt").unwrap();
    let text = pdftotext(&pdf, false);
    let extracted: String = text.split_whitespace().collect();
    assert_eq!(extracted, letters);
}
