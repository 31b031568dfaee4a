//! Printable reports as PDF: bytes out, no I/O, no business rules (every
//! value comes computed from `hocba_domain`).
//!
//! - `pdf`: the text layer — A4 pages, Vietnamese text in DejaVu Sans
//!   Condensed (embedded, subsetted, with a ToUnicode map so the text can be
//!   searched and extracted), lines and filled boxes.
//! - `table`: the layout layer — paragraphs and tables flowing down the
//!   pages, a table's heading row repeated on each page, "Trang i/n".
//! - `summary_sheet`: "Bảng tổng hợp kết quả đánh giá" of a class.
//! - `primary_sheet`: the same sheet of a primary class (TT27) at a milestone.
//!
//! The transcript (học bạ) will print through the same two layers; the
//! signing crate then signs the bytes.

mod font;
pub mod pdf;
pub mod primary_sheet;
pub mod summary_sheet;
pub mod table;

pub use font::Face;
pub use pdf::{Align, PdfDocument, Rgb, TextStyle};
pub use primary_sheet::{PrimarySheetHeader, write_primary_pdf};
pub use summary_sheet::{
    SummarySheetHeader, summary_sheet_heading, summary_table, write_summary_pdf,
};
pub use table::{Flow, Table, TableCell, TableColumn};

/// Why a PDF could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("không đọc được phông chữ {0}")]
    Font(String),
    #[error("không ghi được tệp PDF: {0}")]
    Pdf(#[from] lopdf::Error),
}

#[cfg(test)]
mod tests;
