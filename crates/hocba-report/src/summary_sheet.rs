//! "Bảng tổng hợp kết quả đánh giá" as PDF: the same sheet as
//! `hocba_spreadsheet::write_summary_sheet` (the same columns, values and
//! notes, from the same computed summary), on A4 landscape pages with the
//! heading row repeated and page numbers.

use hocba_domain::gradebook::Semester;
use hocba_domain::summary::{StudentSummary, SummaryCounts};

use crate::ReportError;
use crate::pdf::{Align, PdfDocument, Rgb, TextStyle};
use crate::table::{Flow, Table, TableCell, TableColumn};

/// Title of the sheet.
pub const SUMMARY_SHEET_TITLE: &str = "BẢNG TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ";

/// Colour of a line that is not complete (as in the .xlsx).
const MISSING: u32 = 0x9C0006;

/// What the sheet says about where it comes from.
#[derive(Debug, Clone)]
pub struct SummarySheetHeader<'a> {
    pub school_name: &'a str,
    pub class_name: &'a str,
    pub school_year: &'a str,
    pub semester: Semester,
    pub homeroom: Option<&'a str>,
    /// Subject names, in the order of each line's subjects.
    pub subjects: &'a [String],
    /// "Đã khóa sổ …", "Chưa lưu …": printed under the title.
    pub status: &'a str,
}

/// The heading of the sheet: "… HỌC KỲ I" or "… CẢ NĂM HỌC".
pub fn summary_sheet_heading(semester: Semester) -> String {
    let term = match semester {
        Semester::S1 => semester.label().to_uppercase(),
        Semester::S2 => "CẢ NĂM HỌC".to_owned(),
    };
    format!("{SUMMARY_SHEET_TITLE} {term}")
}

/// The table of the sheet: STT, Họ và tên, one column per subject, the
/// learning and training results, at the end of the year the award and the
/// promotion decision, and the note.
pub fn summary_table(header: &SummarySheetHeader<'_>, lines: &[StudentSummary]) -> Table {
    let year_end = header.semester == Semester::S2;
    let average = if year_end { "ĐTBmcn" } else { "ĐTBmhk" };
    let mut columns = vec![
        TableColumn::new("STT", Align::Center),
        TableColumn::new("Họ và tên", Align::Left),
    ];
    columns.extend(
        header
            .subjects
            .iter()
            .map(|s| TableColumn::new(format!("{s} ({average})"), Align::Center)),
    );
    columns.push(TableColumn::new("Kết quả học tập", Align::Center));
    columns.push(TableColumn::new("Kết quả rèn luyện", Align::Center));
    if year_end {
        columns.push(TableColumn::new("Khen thưởng", Align::Left));
        columns.push(TableColumn::new("Lên lớp / Ở lại lớp", Align::Left));
    }
    columns.push(TableColumn::fill("Ghi chú"));

    let rows = lines
        .iter()
        .enumerate()
        .map(|(index, line)| {
            let mut row = vec![
                TableCell::new((index + 1).to_string()),
                TableCell::new(line.full_name.as_str()),
            ];
            row.extend((0..header.subjects.len()).map(|column| {
                TableCell::new(
                    line.subject_value(column, header.semester)
                        .map(|v| v.replace('.', ","))
                        .unwrap_or_default(),
                )
            }));
            let text = |value: Option<&str>| TableCell::new(value.unwrap_or_default());
            row.push(text(line.learning_result(header.semester)));
            row.push(text(line.training_result(header.semester)));
            if year_end {
                row.push(text(line.award.as_deref()));
                row.push(text(line.promotion_label.as_deref()));
            }
            let note = line.sheet_note();
            row.push(if line.complete {
                TableCell::new(note)
            } else {
                TableCell::colored(note, Rgb::hex(MISSING))
            });
            row
        })
        .collect();
    Table { columns, rows }
}

/// Writes the class summary sheet as PDF (A4 landscape).
pub fn write_summary_pdf(
    header: &SummarySheetHeader<'_>,
    lines: &[StudentSummary],
    counts: &SummaryCounts,
) -> Result<Vec<u8>, ReportError> {
    let heading = summary_sheet_heading(header.semester);
    let footer = format!(
        "{} · Lớp {} · Năm học {} · {}",
        capitalise_title(&heading),
        header.class_name,
        header.school_year,
        header.school_name
    );
    let mut flow = Flow::new(PdfDocument::a4_landscape()?, 28.0, footer);
    flow.paragraph(header.school_name, TextStyle::regular(10.0), Align::Left);
    flow.space(4.0);
    flow.paragraph(&heading, TextStyle::bold(14.0), Align::Center);
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

    flow.table(&summary_table(header, lines));

    flow.space(8.0);
    flow.paragraph(
        &format!(
            "Sĩ số: {}; đủ kết quả: {}",
            counts.students, counts.complete
        ),
        TextStyle::bold(9.0),
        Align::Left,
    );
    for (label, map) in [
        ("Kết quả học tập", &counts.learning),
        ("Kết quả rèn luyện", &counts.training),
        ("Khen thưởng", &counts.award),
        ("Lên lớp / Ở lại lớp", &counts.promotion),
    ] {
        if map.is_empty() {
            continue;
        }
        let parts: Vec<String> = map.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        flow.paragraph(
            &format!("{label}: {}", parts.join("; ")),
            TextStyle::regular(9.0),
            Align::Left,
        );
    }
    flow.finish(&format!("{heading} – Lớp {}", header.class_name))
}

/// "BẢNG TỔNG HỢP …" → "Bảng tổng hợp …" for the footer line.
fn capitalise_title(heading: &str) -> String {
    let lower = heading.to_lowercase();
    let mut chars = lower.chars();
    let mut out: String = chars
        .next()
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_default();
    out.push_str(chars.as_str());
    // Roman numerals of the semester stay capital.
    out.replace("học kỳ ii", "học kỳ II")
        .replace("học kỳ i", "học kỳ I")
}
