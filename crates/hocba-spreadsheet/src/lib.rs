//! Excel (.xlsx) import and export of hocba records (seed 003 §2.1 (ii),
//! "Cập nhật từ file Excel"): pure functions, bytes in, bytes or values out.
//!
//! The flow a user follows, and the function behind each step:
//!
//! 1. Download a template that already holds the current data:
//!    [`write_template`] with [`student_columns`] / [`record_columns`] and each
//!    record's [`hocba_domain::form::Record::display`] texts.
//! 2. Edit in Excel, upload: [`read_table`] checks the file (size, zip bombs,
//!    xlsx parts, row and column limits), finds the header row
//!    accent-insensitively and turns cells into text (NFC, leading zeros
//!    restored, dates as dd/mm/yyyy, formulas refused).
//! 3. Choose which columns to update, confirm: [`plan_import`] validates every
//!    row and returns the changes plus a per-row result table; apply the
//!    changes only if [`ImportPlan::is_valid`] (a file with any invalid row
//!    changes nothing).
//! 4. "Bảng kết quả nhập liệu": show [`ImportPlan::results`] on the page and
//!    offer [`write_result_report`] as a download.
//!
//! ```
//! use hocba_spreadsheet::*;
//! use hocba_domain::student::{FIELDS, StudentProfile};
//! use std::collections::HashMap;
//!
//! let columns = student_columns(&FIELDS);
//! let mut row = vec![String::new(); columns.len()];
//! row[1] = "10A1".into();
//! row[2] = "Nguyễn Thị Hương".into();
//! row[4] = "12/03/2009".into();
//! row[5] = "Nữ".into();
//! let bytes = write_template("Học sinh", &columns, &[row]).unwrap();
//!
//! let table = read_table(&bytes, &columns, &Limits::default()).unwrap();
//! let plan = plan_import(&table, &HashMap::new(), &[], StudentProfile::validate);
//! assert!(plan.is_valid());
//! assert_eq!(plan.creates(), 1);
//! assert_eq!(plan.changes[0].extras()["class_name"], "10A1");
//! ```

mod column;
mod plan;
mod primary_sheet;
mod reader;
mod report;
mod summary_sheet;
mod template;

pub use column::{
    CLASS_KEY, CLASS_LABEL, Column, ID_KEY, ID_LABEL, class_column, columns_for, id_column,
    record_columns, student_columns,
};
pub use plan::{Change, ImportPlan, RowAction, RowResult, RowStatus, plan_import};
pub use primary_sheet::{PRIMARY_HEADING_ROW, PrimarySheetHeader, write_primary_sheet};
pub use reader::{
    CellError, FileError, Limits, Table, TableRow, WorkbookTables, inspect_archive, read_sheets,
    read_table,
};
pub use report::{REPORT_TITLE, write_result_report, write_workbook_report};
pub use summary_sheet::{SUMMARY_SHEET_TITLE, SummarySheetHeader, write_summary_sheet};
pub use template::{
    DataSheet, GUIDE_SHEET, LISTS_SHEET, WriteError, rule_text, sheet_names, write_template,
    write_workbook,
};

#[cfg(test)]
mod tests;
